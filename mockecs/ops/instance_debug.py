"""Looking at an instance from outside: GetInstanceConsoleOutput (its boot log, :mod:`mockecs.world.console`),
GetInstanceScreenshot (a JPEG of its screen, :mod:`mockecs.world.screenshot`), and its management terminal:
DescribeInstanceVncUrl, ModifyInstanceVncPasswd.

The first two document the same codes, each with the message ``%s`` (written out here [GUESS]):
``InvalidParameter`` 404 (used for an instance that is not the caller's in the region: neither documents
``InvalidInstanceId.NotFound``), ``IncorrectInstanceStatus`` 405 and ``NotSupported`` 405.
"""
from __future__ import annotations

import base64
import re
from urllib.parse import quote

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, S
from mockecs.world import console, ids, images, resources, screenshot

NOT_FOUND = error_kind("InvalidParameter", "The specified InstanceId does not exist.", 404)
NEVER_STARTED = error_kind("IncorrectInstanceStatus", "The instance has not been started yet: there is no console "
                           "output.", 405)
NOT_RUNNING = error_kind("IncorrectInstanceStatus", "The current status of the resource does not support this "
                         "operation: the instance must be Running.", 405)
WINDOWS = error_kind("NotSupported", "Windows instances do not support getting the console output.", 405)


@operation("GetInstanceConsoleOutput", S("InstanceId", required=True), B("RemoveSymbols", default=False))
def get_instance_console_output(ctx: Context, instance_id: str, remove_symbols: bool) -> dict:
    """The log of the instance's last start (the service keeps it: a stopped instance answers it too)."""
    instance = resources.owned(ctx, "instance", instance_id, NOT_FOUND)
    if instance.get("OSType") == "windows":  # (documented: Windows instances have none)
        raise WINDOWS
    start = console.started_at(instance)
    if start is None:  # created (CreateInstance) or launching, never started
        raise NEVER_STARTED
    text, last = console.boot_log(instance, images.get_any(ctx, instance.get("ImageId")), start)
    if remove_symbols:
        text = console.without_symbols(text)
    return {"InstanceId": instance_id, "ConsoleOutput": base64.b64encode(text.encode()).decode("ascii"),
            "LastUpdateTime": console.beijing_time(last)}


@operation("GetInstanceScreenshot", S("InstanceId", required=True), B("WakeUp", default=False))
def get_instance_screenshot(ctx: Context, instance_id: str, wake_up: bool) -> dict:
    """What the instance's screen shows now: a Running instance only (documented). WakeUp (wake a hibernating
    instance's screen) changes nothing here: mockecs' instances do not hibernate."""
    instance = resources.owned(ctx, "instance", instance_id, NOT_FOUND)
    if instance["Status"] != "Running":
        raise NOT_RUNNING
    image = screenshot.of_instance(instance, images.get_any(ctx, instance.get("ImageId")))
    return {"InstanceId": instance_id, "Screenshot": base64.b64encode(image).decode("ascii")}


# -- the management terminal (VNC) ---------------------------------------------------------------------------
VNC_NOT_HERE = error_kind("InvalidRegionInstance", "The specified InstanceId does not exist in given region.", 400)
VNC_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
VNC_STATUS = error_kind("IncorrectInstanceStatus", "The current status of the resource does not support this "
                        "operation.", 403)
VNC_NOT_READY = {
    "DescribeInstanceVncUrl": error_kind("InstanceNotReady", "The specified instance is not ready for use", 403),
    "ModifyInstanceVncPasswd": error_kind("InstanceNotReady", "Temporarily unable to connect the specified "
                                          "instance,please try later.", 403)}
BAD_VNC_PASSWORD = error_kind("IncorrectVncPassword.Malformed", "The specified parameter VncPassword is not valid.",
                              400)
_VNC_PASSWORD = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z\d]{6}$")  # documented: six, all three kinds
_URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # (token_urlsafe's alphabet)


def _vnc_instance(ctx: Context, instance_id: str, statuses: tuple[str, ...]) -> dict:
    """The caller's instance for the terminal: one of another region is InvalidRegionInstance; a launching or
    starting one is not ready; others outside ``statuses`` refused."""
    instance = resources.get(ctx, "instance", instance_id)
    if instance is None or instance["_owner"] != ctx.account:
        raise VNC_NOT_FOUND
    if instance["_region"] != ctx.region:
        raise VNC_NOT_HERE
    if instance["Status"] in ("Pending", "Starting"):
        raise VNC_NOT_READY[ctx.action]
    if instance["Status"] not in statuses:
        raise VNC_STATUS
    return instance


@operation("DescribeInstanceVncUrl", S("InstanceId", required=True))
def describe_instance_vnc_url(ctx: Context, instance_id: str) -> dict:
    """A running instance's terminal address: a one-time WebSocket URL, URL-encoded as the service answers it (the
    documented 15 s validity is not enforced: nothing connects to it) [GUESS: the proxy's host name]."""
    _vnc_instance(ctx, instance_id, ("Running",))
    url = f"wss://{ctx.region}-vncproxy.aliyun.com/websockify/?s={ids.source().text(_URLSAFE, 64)}"
    return {"VncUrl": quote(url, safe="")}


@operation("ModifyInstanceVncPasswd", S("InstanceId", required=True), S("VncPassword", required=True))
def modify_instance_vnc_passwd(ctx: Context, instance_id: str, vnc_password: str) -> dict:
    """Kept on the instance (``_vnc_password``); no answer shows it. Running or Stopped instances [GUESS]."""
    if not _VNC_PASSWORD.match(vnc_password):
        raise BAD_VNC_PASSWORD
    instance = _vnc_instance(ctx, instance_id, ("Running", "Stopped"))
    resources.put(ctx.txn, "instance", {**instance, "_vnc_password": vnc_password})
    return {}

"""Looking at an instance from outside: GetInstanceConsoleOutput (its boot log, :mod:`mockecs.world.console`) and
GetInstanceScreenshot (a JPEG of its screen, :mod:`mockecs.world.screenshot`).

Both document the same codes, each with the message ``%s`` (written out here [GUESS]): ``InvalidParameter`` 404
(used for an instance that is not the caller's in the region: neither documents ``InvalidInstanceId.NotFound``),
``IncorrectInstanceStatus`` 405 and ``NotSupported`` 405.
"""
from __future__ import annotations

import base64

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, S
from mockecs.world import console, images, resources, screenshot

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

"""Cloud Assistant's service: DescribeCloudAssistantSettings, ModifyCloudAssistantSettings (per account and region),
InstallCloudAssistant, ListPluginStatus, Session Manager (StartTerminalSession, DescribeTerminalSessions,
EndTerminalSession; Session Manager is on or off per account: SessionManagerConfig here, or the account setting
``sessionManagerStatus`` of ModifyUserBusinessBehavior (:mod:`mockecs.ops.legacy_network`), what Terraform's
``alicloud_ecs_session_manager_status`` sets).

The domain model is :mod:`mockecs.world.cloud_assistant`; a session's WebSocket URL leads nowhere (no agent runs).
"""
from __future__ import annotations

import base64
import copy
import re
import zoneinfo
from typing import Any, Callable, Optional

from mockecs.ops.commands import (
    FILE_INSTANCE_NOT_FOUND,
    INSTANCE_NOT_FOUND,
    MISSING_INSTANCE,
    PAGING,
    TOO_MANY_INSTANCES,
    page_args,
    sliced,
    target,
)
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter
from mockecs.wire.params import L, Repeat, S, json_array
from mockecs.world import cloud_assistant, commands, ids, oss, paging, resources
from mockecs.world.cloud_assistant import (
    MOST_PER_INSTANCE,
    MOST_PER_REGION,
    SESSION,
    SESSION_MANAGER,
    SETTING_TYPES,
    open_sessions,
    session_view,
)

BAD_SETTING_TYPE = error_kind("InvalidParameter.SettingType", "The specified parameter SettingType is not valid.", 400)


# -- settings -------------------------------------------------------------------------------------------------
def _wire_delivery(delivery: dict, delivery_type: str) -> tuple[dict, dict]:
    return ({**delivery["Oss"], "DeliveryType": delivery_type}, {**delivery["Sls"], "DeliveryType": delivery_type})


_DELIVERY_TYPES = {"SessionManagerDelivery": "SessionManager", "InvocationDelivery": "Invocation"}


@operation("DescribeCloudAssistantSettings", Repeat("SettingType", required=True))
def describe_cloud_assistant_settings(ctx: Context, setting_type: list[str]) -> dict:
    wanted = list(dict.fromkeys(setting_type))
    if any(t not in SETTING_TYPES for t in wanted) or len(wanted) > 100:
        raise BAD_SETTING_TYPE
    current = cloud_assistant.settings(ctx)
    to_oss: list[dict] = []
    to_sls: list[dict] = []
    out: dict[str, Any] = {}
    for name in wanted:
        if name in _DELIVERY_TYPES:
            one_oss, one_sls = _wire_delivery(current[name], _DELIVERY_TYPES[name])
            to_oss.append(one_oss)
            to_sls.append(one_sls)
        elif name == SESSION_MANAGER:
            out[name] = {"SessionManagerEnabled": cloud_assistant.session_manager_enabled(ctx)}
        else:
            out[name] = current[name]
    # The delivery lists are always there (empty when no delivery was asked for); the other objects only when
    # asked for [GUESS].
    return {**out, "OssDeliveryConfigs": {"OssDeliveryConfig": to_oss},
            "SlsDeliveryConfigs": {"SlsDeliveryConfig": to_sls}}


def _object(text: Optional[str], name: str) -> Optional[dict]:
    """An object parameter (the SDKs send JSON) as a dict; not an object: InvalidParameter."""
    if text is None:
        return None
    try:
        value = json_array(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise invalid_parameter(name)
    return value


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_PROJECT = _BUCKET  # (an SLS project's names follow the same rule)
_LOGSTORE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_GMT = re.compile(r"^GMT[+-]([1-9]|1[0-4]|0)(:[0-5]\d)?$")
_SIZE = re.compile(r"^(\d{1,10})(B|KB|MB)$")


BUCKET_NOT_FOUND = error_kind("InvalidOssBucketName.NotFound",
                              "The specified parameter OssDeliveryConfig.BucketName does not exist.", 404)
BUCKET_ELSEWHERE = error_kind("InvalidOssBucketName.InOtherRegion",
                              "The specified parameter OssDeliveryConfig.BucketName is in another region.", 400)


def _bucket_here(ctx: Context, bucket: str) -> None:
    """A bucket delivered to must exist here (``engine.oss``: any bucket exists unless it is strict); one registered
    only in another region is refused as such."""
    registry = oss.registry(ctx.engine)
    if registry.bucket_exists(ctx.region, bucket, txn=ctx.txn):
        return
    raise BUCKET_ELSEWHERE if registry.bucket_regions(bucket, txn=ctx.txn) else BUCKET_NOT_FOUND


def _oss(ctx: Context, given: dict, current: dict) -> dict:
    def error(name: str) -> EcsError:
        return EcsError(f"InvalidParameter.Oss{name}", f"The specified parameter OssDeliveryConfig.{name} is not "
                        "valid.", 400)
    out = dict(current)
    if "Enabled" in given:
        if not isinstance(given["Enabled"], bool):
            raise invalid_parameter("OssDeliveryConfig.Enabled")
        out["Enabled"] = given["Enabled"]
    for name, test in (("BucketName", lambda v: v == "" or _BUCKET.match(v)),
                       ("Prefix", lambda v: len(v) <= 254 and not v.startswith(("/", "\\"))),
                       ("EncryptionType", lambda v: v in ("Inherit", "OssManaged", "KMS")),
                       ("EncryptionAlgorithm", lambda v: v in ("", "AES256", "SM4")),
                       ("EncryptionKeyId", lambda v: len(v) <= 128)):
        if name in given:
            if not isinstance(given[name], str) or not test(given[name]):
                raise error(name)
            out[name] = given[name]
    if out["EncryptionType"] == "KMS" and not out["EncryptionKeyId"]:
        raise error("EncryptionKeyId")
    if out["Enabled"] and not out["BucketName"]:
        raise error("BucketName")
    if out["BucketName"] and out["BucketName"] != current["BucketName"]:
        _bucket_here(ctx, out["BucketName"])
    return out


def _sls(given: dict, current: dict) -> dict:
    out = dict(current)
    if "Enabled" in given:
        if not isinstance(given["Enabled"], bool):
            raise invalid_parameter("SlsDeliveryConfig.Enabled")
        out["Enabled"] = given["Enabled"]
    for name, pattern in (("ProjectName", _PROJECT), ("LogstoreName", _LOGSTORE)):
        if name in given:
            if not isinstance(given[name], str) or not (given[name] == "" or pattern.match(given[name])):
                raise EcsError(f"InvalidParameter.Sls{name}", f"The specified parameter SlsDeliveryConfig.{name} is "
                               "not valid.", 400)
            out[name] = given[name]
    if out["Enabled"] and not (out["ProjectName"] and out["LogstoreName"]):
        name = "ProjectName" if not out["ProjectName"] else "LogstoreName"
        raise EcsError(f"InvalidParameter.Sls{name}", f"The specified parameter SlsDeliveryConfig.{name} is not "
                       "valid.", 400)
    return out


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _time_zone(name: str) -> bool:
    if _GMT.match(name):
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _upgrade(given: dict, current: dict) -> dict:
    out = copy.deepcopy(current)
    for name in ("Enabled", "BootstrapUpgrade", "DisableUpgrade"):
        if name in given:
            if not isinstance(given[name], bool):
                raise invalid_parameter(f"AgentUpgradeConfig.{name}")
            out[name] = given[name]
    if "TimeZone" in given:
        if not isinstance(given["TimeZone"], str) or not _time_zone(given["TimeZone"]):
            raise EcsError("InvalidParameter.TimeZone", "The specified parameter AgentUpgradeConfig.TimeZone is not "
                           "valid.", 400)
        out["TimeZone"] = given["TimeZone"]
    if "AllowedUpgradeWindow" in given:
        windows = given["AllowedUpgradeWindow"]
        if not isinstance(windows, list) or not all(isinstance(w, str) and _WINDOW.match(w) for w in windows):
            raise EcsError("InvalidParameter.AllowedUpgradeWindow", "The specified parameter AgentUpgradeConfig."
                           "AllowedUpgradeWindow is not valid.", 400)
        if len(windows) > 5:
            raise EcsError("InvalidAllowedUpgradeWindow.CountLimitExceeded", "The count of the parameter "
                           "AgentUpgradeConfig.AllowedUpgradeWindow exceeds the limit of 5.", 403)
        for window in windows:
            start, end = (_minutes(part) for part in window.split("-"))
            if (end - start) % 1440 < 60:  # (a window may end the next day)
                raise EcsError("InvalidAllowedUpgradeWindow.DurationTooShort", "The duration of the specified "
                               "parameter AgentUpgradeConfig.AllowedUpgradeWindow cannot be less than one hour.", 400)
        out["AllowedUpgradeWindows"] = {"AllowedUpgradeWindow": list(windows)}
    if out["Enabled"] and not out["AllowedUpgradeWindows"]["AllowedUpgradeWindow"]:
        raise EcsError("InvalidAllowedUpgradeWindow.Required", "The specified parameter AgentUpgradeConfig."
                       "AllowedUpgradeWindow is required.", 400)
    return out


def _usage(given: dict, current: dict) -> dict:
    """ResourceUsageConfig within the ranges the SDK documents [GUESS: InvalidParameter, no code is documented]."""
    def size(low: int, high: int) -> Callable[[Any], bool]:
        def check(text: str) -> bool:
            match = _SIZE.match(text)
            if not match:
                return False
            value = int(match.group(1)) * {"B": 1, "KB": 1024, "MB": 1024 ** 2}[match.group(2)]
            return low * 1024 ** 2 <= value <= high * 1024 ** 2
        return check
    out = dict(current)
    for name, kind, check in (("CpuLimit", int, lambda v: 10 <= v <= 95), ("KeepScriptFile", bool, lambda v: True),
                              ("LogFileCountLimit", int, lambda v: 7 <= v <= 365),
                              ("LogSizeLimit", str, size(10, 1024)), ("MemoryLimit", str, size(35, 1024)),
                              ("OverloadLimit", int, lambda v: v >= 3)):
        if name in given:
            value = given[name]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)) or not check(value):
                raise invalid_parameter(f"ResourceUsageConfig.{name}")
            out[name] = value
    return out


@operation("ModifyCloudAssistantSettings", S("SettingType", required=True), S("OssDeliveryConfig"),
           S("SlsDeliveryConfig"), S("AgentUpgradeConfig"), S("ResourceUsageConfig"), S("SessionManagerConfig"),
           mapping=True)
def modify_cloud_assistant_settings(ctx: Context, a: dict) -> dict:
    """The setting type's own objects change (the fields given; the others are kept); objects of other types are
    ignored [GUESS]."""
    kind = a["setting_type"]
    if kind not in SETTING_TYPES:
        raise BAD_SETTING_TYPE
    current = cloud_assistant.settings(ctx)
    if kind in _DELIVERY_TYPES:
        to_oss, to_sls = _object(a["oss_delivery_config"], "OssDeliveryConfig"), \
            _object(a["sls_delivery_config"], "SlsDeliveryConfig")
        delivery = current[kind]
        current[kind] = {"Oss": _oss(ctx, to_oss, delivery["Oss"]) if to_oss is not None else delivery["Oss"],
                         "Sls": _sls(to_sls, delivery["Sls"]) if to_sls is not None else delivery["Sls"]}
    elif kind == "AgentUpgradeConfig":
        given = _object(a["agent_upgrade_config"], "AgentUpgradeConfig")
        if given is not None:
            current[kind] = _upgrade(given, current[kind])
    elif kind == "ResourceUsageConfig":
        given = _object(a["resource_usage_config"], "ResourceUsageConfig")
        if given is not None:
            current[kind] = _usage(given, current[kind])
    else:
        given = _object(a["session_manager_config"], "SessionManagerConfig")
        if given is not None:
            if not isinstance(given.get("SessionManagerEnabled"), bool):
                raise invalid_parameter("SessionManagerConfig.SessionManagerEnabled")
            cloud_assistant.set_session_manager(ctx, given["SessionManagerEnabled"])
        return {}
    cloud_assistant.save(ctx, current)
    return {}


# -- InstallCloudAssistant, ListPluginStatus --------------------------------------------------------------------
@operation("InstallCloudAssistant", Repeat("InstanceId"))
def install_cloud_assistant(ctx: Context, instance_id: Optional[list[str]]) -> dict:
    """The agent is installed on each instance; it runs once the instance restarts (RebootInstance, as documented, or
    a start): DescribeCloudAssistantStatus says "true" and commands reach it from then (:func:`commands.installed`)."""
    if not instance_id:
        raise MISSING_INSTANCE
    if len(instance_id) > 50:  # (documented: 1 to 50 instances)
        raise TOO_MANY_INSTANCES
    records = [resources.owned(ctx, "instance", i, INSTANCE_NOT_FOUND) for i in dict.fromkeys(instance_id)]
    for record in records:
        if record.get("_no_agent") and not record.get("_agent_installed"):
            resources.put(ctx.txn, "instance", commands.installed(record))
    return {}


PLUGIN_NAME_MISSING = error_kind("PluginName.MissingValue",
                                 "The plugin name must be specified when the number of InstanceIds is not 1.", 400)
PLUGIN_TOO_MANY = error_kind("InstanceIds.ExceedLimit", "The number of instance IDs exceeds the upper limit.", 400)
PLUGIN_PAGE_NUMBER = error_kind("InvalidParam.PageNumber", "The specified parameter PageNumber is invalid.", 400)
PLUGIN_PAGE_SIZE = error_kind("InvalidParam.PageSize", "The specified parameter PageSize is invalid.", 400)
PLUGIN_PAGING = (L("PageNumber", default=1, error=("InvalidParam.PageNumber", 400)),
                 L("PageSize", default=10, error=("InvalidParam.PageSize", 400)), *PAGING[2:])


@operation("ListPluginStatus", Repeat("InstanceId"), S("Name"), *PLUGIN_PAGING)
def list_plugin_status(ctx: Context, instance_id: Optional[list[str]], name: Optional[str], page_number: int,
                       page_size: int, max_results: Optional[int], next_token: Optional[str]) -> dict:
    ids = list(dict.fromkeys(instance_id or ()))
    if len(ids) > 50:
        raise PLUGIN_TOO_MANY
    if not name and len(ids) != 1:
        raise PLUGIN_NAME_MISSING
    if name is not None and len(name) > 255:
        raise invalid_parameter("Name")
    if page_number < 1:
        raise PLUGIN_PAGE_NUMBER
    if not 1 <= page_size <= 50:
        raise PLUGIN_PAGE_SIZE
    page_args(None, None, max_results)
    found = [target(ctx, i, INSTANCE_NOT_FOUND) for i in ids]
    page, meta = sliced(found, page_number, page_size, next_token, max_results)
    return {**meta, "InstancePluginStatusSet": {"InstancePluginStatus": [
        {"InstanceId": t["InstanceId"], "PluginStatusSet": {"PluginStatus": cloud_assistant.plugins_of(ctx, t, name)}}
        for t in page]}}


# -- Session Manager -------------------------------------------------------------------------------------------
BAD_PORT = error_kind("PortNumber.Invalid", "The port number is invalid.", 400)
DISABLED = error_kind("UserBehavior.SessionManagerDisabled", "The api is disabled by user behavior.", 403)
CONFLICT = error_kind("InvalidCommandLine.Conflict", "The parameter PortNumber or TargetServer cannot be specified "
                      "with parameter CommandLine.", 403)
MISSING_PORT = error_kind("InvalidTargetServer.MissingPortNumber",
                          "The parameter PortNumber must be specified with parameter TargetServer.", 403)
COMMAND_LINE_TOO_LONG = error_kind("InvalidCommandLine.LengthLimitExceeded",
                                   "The length of the parameter CommandLine exceeded the limit of 512 characters.", 403)
ONE_INSTANCE = error_kind("InvalidInstanceIds.CountLimitExceeded", "The count of Instances exceeded the maximum "
                          "limit of 1 when TargetServer or CommandLine parameter was specified.", 403)
USERNAME_TOO_LONG = error_kind("Username.ExceedLimit", "The length of the username exceeds the upper limit.", 403)
TOO_MANY_SESSIONS = error_kind("SessionCount.ExceedLimit", "The number of sessions exceeds the upper limit.", 403)
SESSION_NOT_FOUND = error_kind("InvalidSessionId.NotFound", "The specified session ID does not exist.", 404)  # [GUESS]


def _session_id(region: str) -> str:
    """``s-hz023od0x9****``: ``s-``, the region's code, random characters (not a snapshot: not in the id prefixes)."""
    return "s-" + resources.REGION_CODE.get(region, "mck") + ids.source().text(ids.ALNUM, 17)


@operation("StartTerminalSession", Repeat("InstanceId", required=True), L("PortNumber"), S("CommandLine"),
           S("TargetServer"), S("Username"), S("ConnectionType"), S("PasswordName"), idempotent=True, mapping=True)
def start_terminal_session(ctx: Context, a: dict) -> dict:
    """A session to each instance (at most 10, documented), connecting until a client opens the WebSocket URL
    (none does): ``Connecting``, or ``Failed`` where the agent cannot be reached [GUESS: the statuses' names]."""
    ids = list(dict.fromkeys(a["instance_id"]))
    if len(ids) > 10:
        raise TOO_MANY_INSTANCES
    port, command_line, server = a["port_number"], a["command_line"], a["target_server"]
    if port is not None and not 0 < port <= 65535:
        raise BAD_PORT
    if command_line is not None:
        if len(command_line) > 512:
            raise COMMAND_LINE_TOO_LONG
        if port is not None or server:
            raise CONFLICT
    if server and port is None:
        raise MISSING_PORT
    if (server or command_line) and len(ids) > 1:
        raise ONE_INSTANCE
    if a["username"] is not None and len(a["username"]) > 255:
        raise USERNAME_TOO_LONG
    if not cloud_assistant.session_manager_enabled(ctx):
        raise DISABLED
    targets = [target(ctx, i, FILE_INSTANCE_NOT_FOUND) for i in ids]
    if open_sessions(ctx, None, MOST_PER_REGION) >= MOST_PER_REGION or \
            any(open_sessions(ctx, i, MOST_PER_INSTANCE) >= MOST_PER_INSTANCE for i in ids):
        raise TOO_MANY_SESSIONS
    session_id, now = _session_id(ctx.region), resources.iso(ctx.now)
    connections = []
    for instance in targets:
        # (documented: sessions need an agent newer than 2.2.3.256 / 2.1.3.256)
        reason = commands.unreachable(instance) or \
            ("AgentNeedUpgrade" if commands.agent_older(instance, "2.2.3.256", "2.1.3.256") else "")
        connections.append({"InstanceId": instance["InstanceId"], "Status": "Failed" if reason else "Connecting",
                            "StartTime": now, "EndTime": now if reason else "", "ClosedReason": reason,
                            "FailedDetail": commands.ERROR_INFO.get(reason, reason and "the agent needs upgrade")})
    token = resources.random_uuid()
    resources.put(ctx.txn, SESSION, {
        "SessionId": session_id, "CreationTime": now, "PortNumber": port if port is not None else 0,
        "TargetServer": server or "", "Username": a["username"] or "", "ClientIP": "127.0.0.1",
        "IdentityType": "Account", "PrincipalId": ctx.account, "Connections": {"Connection": connections},
        "_instances": ids, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    ticket = base64.urlsafe_b64encode(f"{session_id}:{token}".encode()).decode().rstrip("=")
    return {"SessionId": session_id, "SecurityToken": token,
            "WebSocketUrl": f"wss://{ctx.region}.axt.aliyuncs.com/session?token={ticket}"}


@operation("DescribeTerminalSessions", S("InstanceId"), S("SessionId"),
           L("MaxResults", default=10, error=("InvalidParameter.MaxResults", 400)), S("NextToken"))
def describe_terminal_sessions(ctx: Context, instance_id: Optional[str], session_id: Optional[str],
                               max_results: int, next_token: Optional[str]) -> dict:
    """Newest first, at most 100 a page (documented)."""
    if not 1 <= max_results <= 100:
        raise EcsError("InvalidParameter.MaxResults", "The specified parameter MaxResults is not valid.", 400)
    if session_id:
        one = resources.get(ctx, SESSION, session_id)
        found = [one] if resources.is_mine(ctx, one) and (not instance_id or instance_id in one["_instances"]) else []
    else:
        term = ("session_instance", commands.scoped(ctx, instance_id)) if instance_id else \
            resources.owner_region(ctx.account, ctx.region)
        try:
            start = paging.offset(next_token)
        except paging.BAD_TOKEN:
            raise EcsError("InvalidParameter.NextToken", "The specified parameter NextToken is not valid.", 400) \
                from None
        ids = [id for _, id in ctx.txn.page(SESSION, term, start, max_results + 1)]
        found = [r for r in resources.get_many(ctx, SESSION, ids[:max_results]) if r is not None]
        token = paging.token(start + max_results) if len(ids) > max_results else ""
        return {"NextToken": token, "Sessions": {"Session": [session_view(r, ctx.now) for r in found]}}
    return {"NextToken": "", "Sessions": {"Session": [session_view(r, ctx.now) for r in found]}}


@operation("EndTerminalSession", S("SessionId", required=True))
def end_terminal_session(ctx: Context, session_id: str) -> dict:
    """Its connections still open are closed [GUESS: ``Disconnected``, closed by the user; the metadata does not
    document the operation]."""
    record = resources.owned(ctx, SESSION, session_id, SESSION_NOT_FOUND)
    now = resources.iso(ctx.now)
    closed = [{**c, "Status": "Disconnected", "EndTime": now, "ClosedReason": "UserClosed"}
              if c["Status"] in ("Connecting", "Connected") else c
              for c in session_view(record, ctx.now)["Connections"]["Connection"]]
    resources.put(ctx.txn, SESSION, {**record, "Connections": {"Connection": closed}})
    return {}

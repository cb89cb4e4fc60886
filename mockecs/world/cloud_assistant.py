"""Cloud Assistant's service settings, its plugins on instances, and Session Manager's sessions.

Records (kinds):

- ``assistant_setting`` (id ``<account>|<region>``): what ModifyCloudAssistantSettings changed from the defaults
  (:data:`DEFAULTS`), per account and region: ``SessionManagerDelivery`` and ``InvocationDelivery`` (each an OSS and
  an SLS delivery), ``AgentUpgradeConfig``, ``ResourceUsageConfig``. Session Manager itself is on or off per account
  in every region (``SessionManagerConfig``): the account setting ``sessionManagerStatus`` (:data:`BEHAVIOR`).
- ``assistant_plugin`` (id ``<InstanceId>/<PluginName>``): a plugin the instance runs; the outside world installs
  it (:func:`add_plugin`: ``acs-plugin-manager`` on the instance).
- ``terminal_session`` (id ``SessionId`` ``s-...``): one StartTerminalSession, its connection per instance:
  ``Connecting`` until EndTerminalSession, or until its WebSocketUrl lapses (10 minutes, documented) unopened (no
  client opens it here): then ``Disconnected`` [GUESS: ClosedReason ``Timeout``]. Those connecting count against the
  documented quotas (:func:`open_sessions`).
"""
from __future__ import annotations

import copy
from typing import Any, Mapping, Optional

from mockecs.world import commands, resources
from mockecs.world.commands import scoped
from mockecs.world.context import Context

SETTING, PLUGIN, SESSION = "assistant_setting", "assistant_plugin", "terminal_session"
resources.ORDER[SESSION] = lambda r: resources.time_key(r["_created"], descending=True)
resources.ORDER[PLUGIN] = lambda r: r["PluginName"]
resources.TERMS[PLUGIN] = lambda r: [("plugin_instance", scoped(r, r["_instance"]))]


def _session_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Per instance; and while a connection is still connecting, the quotas' terms (its instance's, the region's)."""
    terms = [("session_instance", scoped(record, i)) for i in record["_instances"]]
    connecting = [c["InstanceId"] for c in record["Connections"]["Connection"] if c["Status"] == "Connecting"]
    if connecting:
        terms += [("session_open", scoped(record, i)) for i in connecting] + [("session_open", scoped(record, "*"))]
    return terms


resources.TERMS[SESSION] = _session_terms

_DELIVERY = {"Oss": {"Enabled": False, "BucketName": "", "Prefix": "", "EncryptionType": "Inherit",
                     "EncryptionAlgorithm": "", "EncryptionKeyId": ""},
             "Sls": {"Enabled": False, "ProjectName": "", "LogstoreName": ""}}
# [GUESS] the defaults: delivery off, the agent's documented defaults for upgrades and resource usage.
DEFAULTS = {
    "SessionManagerDelivery": _DELIVERY, "InvocationDelivery": _DELIVERY,
    "AgentUpgradeConfig": {"Enabled": False, "AllowedUpgradeWindows": {"AllowedUpgradeWindow": []},
                           "TimeZone": "UTC", "BootstrapUpgrade": True, "DisableUpgrade": False},
    "ResourceUsageConfig": {"CpuLimit": 20, "KeepScriptFile": False, "LogFileCountLimit": 30,
                            "LogSizeLimit": "100MB", "MemoryLimit": "50MB", "OverloadLimit": 3},
}
SESSION_MANAGER = "SessionManagerConfig"
SETTING_TYPES = (*DEFAULTS, SESSION_MANAGER)


def _settings_id(account: str, region: str) -> str:
    return f"{account}|{region}"


def settings(ctx: Context) -> dict:
    """The caller's settings here: every type, the defaults where nothing was changed."""
    record = ctx.txn.get(SETTING, _settings_id(ctx.account, ctx.region)) or {}
    return {name: copy.deepcopy(record.get(name, default)) for name, default in DEFAULTS.items()}


def save(ctx: Context, changed: Mapping[str, Any]) -> None:
    """Store the caller's settings here (``changed``: every type, as :func:`settings` gives them)."""
    resources.put(ctx.txn, SETTING, {"_id": _settings_id(ctx.account, ctx.region), **changed,
                                     "_owner": ctx.account, "_region": ctx.region})


# Session Manager's switch is the account setting ``sessionManagerStatus`` (``enabled`` / ``disabled``) that
# ModifyUserBusinessBehavior keeps (records of kind ``business_behavior``, id ``<account>|<key>``:
# :mod:`mockecs.ops.legacy_network`); SessionManagerConfig of ModifyCloudAssistantSettings writes the same record.
BEHAVIOR, SESSION_MANAGER_KEY = "business_behavior", "sessionManagerStatus"


def session_manager_enabled(ctx: Context) -> bool:
    """Whether the account has Session Manager on, in every region ([GUESS] on unless turned off: a fake that
    refused StartTerminalSession by default would break every client that never turns it on)."""
    record = ctx.txn.get(BEHAVIOR, f"{ctx.account}|{SESSION_MANAGER_KEY}")
    return record is None or record.get("StatusValue") != "disabled"


def set_session_manager(ctx: Context, enabled: bool) -> None:
    resources.put(ctx.txn, BEHAVIOR, {"_id": f"{ctx.account}|{SESSION_MANAGER_KEY}", "StatusKey": SESSION_MANAGER_KEY,
                                      "StatusValue": "enabled" if enabled else "disabled", "_owner": ctx.account,
                                      "_region": ""})


# -- plugins --------------------------------------------------------------------------------------------------
PLUGIN_STATUSES = ("NotInstalled", "Installed", "Running", "Stopped", "Crashed", "Removed", "UnKnown")  # (sic)


def add_plugin(engine: Any, instance_id: str, name: str, version: str = "1.0", status: str = "Running") -> None:
    """A Cloud Assistant plugin on an instance (ECS or managed), as ``acs-plugin-manager`` installs it; ListPluginStatus
    shows it (its first heartbeat now; each read is a heartbeat)."""
    if status not in PLUGIN_STATUSES:
        raise ValueError(f"status must be one of {', '.join(PLUGIN_STATUSES)}")
    kind = "managed_instance" if instance_id.startswith("mi-") else "instance"
    with engine.store.transaction() as txn:
        instance = txn.get(kind, instance_id)
        if instance is None:
            raise KeyError(f"no instance {instance_id}")
        now = resources.iso(engine.clock.now())
        resources.put(txn, PLUGIN, {"_id": f"{instance_id}/{name}", "PluginName": name, "PluginVersion": version,
                                    "PluginStatus": status, "FirstHeartbeatTime": now, "_instance": instance_id,
                                    "_owner": instance["_owner"], "_region": instance["_region"]})


def plugins_of(ctx: Context, instance: Mapping[str, Any], name: Optional[str]) -> list[dict]:
    """The plugins on an instance (a target: :func:`mockecs.ops.commands.target`), by name (``name``: that one,
    NotInstalled when absent [GUESS]); none shown for an agent older than 2.2.3.344 / 2.1.3.344 (documented: it does
    not report them) [GUESS: an empty list]."""
    instance_id = instance["InstanceId"]
    if commands.agent_older(instance, "2.2.3.344", "2.1.3.344"):
        return []
    if name:
        found = resources.get(ctx, PLUGIN, f"{instance_id}/{name}")
        if found is None:
            return [{"PluginName": name, "PluginVersion": "", "PluginStatus": "NotInstalled",
                     "FirstHeartbeatTime": "", "LastHeartbeatTime": ""}]
        records = [found]
    else:
        ids = [id for _, id in ctx.txn.page(PLUGIN, ("plugin_instance", scoped(ctx, instance_id)), 0, 1000)]
        records = [r for r in resources.get_many(ctx, PLUGIN, ids) if r is not None]
    now = resources.iso(ctx.now)
    return [{**resources.wire(r), "LastHeartbeatTime": now if r["PluginStatus"] == "Running" else
             r["FirstHeartbeatTime"]} for r in records]


# -- sessions ------------------------------------------------------------------------------------------------
URL_LIFETIME = 600.0  # s: a WebSocketUrl is valid for 10 minutes (documented)
MOST_PER_INSTANCE, MOST_PER_REGION = 20, 1000  # sessions connecting to one instance, available in a region


def session_view(record: Mapping[str, Any], now: float) -> dict:
    """A session as DescribeTerminalSessions shows it ``now``: a connection still connecting when its URL lapsed is
    Disconnected since then."""
    view = resources.wire(record)
    lapsed = record["_created"] + URL_LIFETIME
    if now >= lapsed:
        ended = resources.iso(lapsed)
        view["Connections"] = {"Connection": [
            {**c, "Status": "Disconnected", "EndTime": ended, "ClosedReason": "Timeout"} if c["Status"] == "Connecting"
            else dict(c) for c in record["Connections"]["Connection"]]}
    return view


def open_sessions(ctx: Context, instance_id: Optional[str], limit: int) -> int:
    """How many sessions are connecting to ``instance_id`` (None: in the region): a count of an index term; only at
    the ``limit`` are its sessions read, those whose URL lapsed written as they are now (out of the term)."""
    term = ("session_open", scoped(ctx, instance_id or "*"))
    count = ctx.txn.count(SESSION, term)
    if count < limit:
        return count
    for record in resources.get_many(ctx, SESSION, sorted(ctx.txn.ids(SESSION, term))):
        if record is not None and ctx.now >= record["_created"] + URL_LIFETIME:
            resources.put(ctx.txn, SESSION, {**record, **session_view(record, ctx.now)})
    return ctx.txn.count(SESSION, term)

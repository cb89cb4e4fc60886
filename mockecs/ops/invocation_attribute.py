"""ModifyInvocationAttribute: change a scheduled Cloud Assistant task (RepeatMode Period, NextRebootOnly,
EveryReboot) that has not finished: its command content, its parameters, its Frequency, and more instances (ECS or
managed) to run on.

A new CommandContent makes a new command (a new CommandId, answered): kept and counted against ``command_quota``
when the task's command was kept (documented), carried by the task alone otherwise [GUESS]. The task's results
follow its CommandId; a new instance gets a Scheduled result like the others.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

from mockecs.ops.commands import SCHEDULED, result_base, target
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, Repeat, S, json_array
from mockecs.world import commands, resources
from mockecs.world.commands import COMMAND, INVOCATION, RESULT

NOT_FOUND = error_kind("InvalidInvokeId.NotFound", "The specified parameter InvokeId does not exist.", 404)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified parameter InstanceId does not exist.",
                                404)
REPEAT_MODE = error_kind("InvalidOperation.RepeatModeUnsupported",
                         "The operation is not supported for current repeat mode of invocation.", 403)
FINISHED = error_kind("InvalidOperation.InvokeAlreadyFinished",
                      "The operation is not supported for finished invocation.", 403)
OS_TYPE = error_kind("InvalidInstanceId.OSTypeUnsupported", "The OS type of the instance corresponding to the "
                     "parameter InstanceId does not support the specified command type.", 403)
BAD_FREQUENCY = error_kind("InvalidParameter.Frequency", "The specified parameter Frequency is not valid.", 400)
DECODE_ERROR = error_kind("InvalidCommandContent.DecodeError",
                          "The specified parameter CommandContent can not be Base64 decoded.", 400)
KEY_DUPLICATE = error_kind("InvalidParameters.KeyDuplicate",
                           "The key in the parameter Parameters cannot be duplicated.", 400)
KEY_NOT_MATCH = error_kind("InvalidParameters.KeyNotMatch", "The key in the parameter Parameters do not match "
                           "those defined when creating the command.", 400)
KEY_MALFORMED = error_kind("InvalidParameters.KeyMalformed", "The key in the parameter Parameters is not valid.", 400)
KEY_EMPTY = error_kind("InvalidParameters.KeyEmpty", "The key in the parameter Parameters cannot be empty.", 400)
TOO_MANY_PARAMETERS = error_kind("InvalidParameters.CountLimitExceeded",
                                 "The count of the parameter Parameters exceeds the limit of 10.", 403)
KEY_TOO_LONG = error_kind("InvalidParameters.KeyLengthLimitExceeded",
                          "The length of the key in the parameter Parameters exceeds the limit of 64 characters.", 403)
VALUE_TYPE = error_kind("InvalidParameters.ValueTypeUnsupported",
                        "The type of the value in the parameter Parameters is not supported.", 403)
# (documented with the message "%s": filled in as the service's other messages read [GUESS])
CONTENT_TOO_LONG = error_kind("InvalidCommandContent.LengthLimitExceeded",
                              "The length of the parameter CommandContent exceeds the limit.", 403)
TOO_MANY_INSTANCES = error_kind("InvalidInstanceId.CountLimitExceeded",
                                "The count of the parameter InstanceId exceeds the limit of 100.", 403)
COMMAND_QUOTA = error_kind("CommandLimitExceeded", "The count of commands exceeds the limit.", 403)
OLD_AGENT = error_kind("InvalidOperation.CloudAssistantVersionUnsupported",
                       "The operation is not supported for current CloudAssistant version of instance.", 403)
MODIFIABLE = ("Pending", "Running", "Scheduled", "Stopping")  # the task's InvocationStatus (documented)
MOST_INSTANCES = 100
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _content(text: Optional[str], encoding: Optional[str], kept: bool) -> Optional[str]:
    if text is None:
        return None
    try:
        decoded = commands.decode_content(text, encoding)
    except commands.DECODE_ERROR:
        raise DECODE_ERROR from None
    if len(commands.b64(decoded)) > (18 if kept else 24) * 1024:
        raise CONTENT_TOO_LONG
    return decoded


# The content's own placeholder errors (CreateCommand's codes) as this operation documents them.
_PLACEHOLDER_ERRORS = ((commands.EMPTY_KEY, KEY_EMPTY), (commands.BAD_PARAMETER_NAME, KEY_MALFORMED),
                       (commands.TOO_MANY_PARAMETERS, TOO_MANY_PARAMETERS),
                       (commands.PARAMETER_NAME_TOO_LONG, KEY_TOO_LONG))


def _names(text: str, enabled: bool) -> list[str]:
    """The parameter names of a new content (``{{name}}``), refused with this operation's codes."""
    try:
        return commands.parameter_names(text, enabled)
    except tuple(kind for kind, _ in _PLACEHOLDER_ERRORS) as err:
        raise next(ours for kind, ours in _PLACEHOLDER_ERRORS if isinstance(err, kind)) from None


def _parameters(raw: Optional[str], names: list[str], old: dict[str, str]) -> Optional[dict[str, str]]:
    """``Parameters`` (a JSON object of strings) against the command's parameter names (case-insensitive); those
    left out keep their value, or are empty [GUESS]."""
    if raw is None or not raw.strip():
        return None
    try:
        values = json_array(raw)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise KEY_MALFORMED
    if len(values) > 10:
        raise TOO_MANY_PARAMETERS
    lowered: dict[str, str] = {}
    for key, value in values.items():
        if key == "":
            raise KEY_EMPTY
        if len(key) > 64:
            raise KEY_TOO_LONG
        if not _KEY.match(key):
            raise KEY_MALFORMED
        if not isinstance(value, str):
            raise VALUE_TYPE
        if key.lower() in lowered:
            raise KEY_DUPLICATE
        lowered[key.lower()] = value
    if set(lowered) - {n.lower() for n in names}:
        raise KEY_NOT_MATCH
    before = {k.lower(): v for k, v in old.items()}
    return {n: lowered.get(n.lower(), before.get(n.lower(), "")) for n in names}


@operation("ModifyInvocationAttribute", S("InvokeId", required=True), Repeat("InstanceId"), S("CommandContent"),
           S("ContentEncoding"), B("EnableParameter"), S("Parameters"), S("Frequency"), idempotent=True,
           mapping=True)
def modify_invocation_attribute(ctx: Context, a: dict) -> dict:
    invocation = resources.owned(ctx, INVOCATION, a["invoke_id"], NOT_FOUND)
    if invocation["RepeatMode"] == "Once":
        raise REPEAT_MODE
    results = commands.results_of(ctx, invocation)
    if commands.overall(r["InvocationStatus"] for r in results) not in MODIFIABLE:
        raise FINISHED
    if any(a[name] is not None for name in ("command_content", "parameters", "frequency")):
        # (documented: the task's instances need an agent newer than 2.2.3.541 / 2.1.3.541 for these)
        if any(commands.agent_older(t, "2.2.3.541", "2.1.3.541") for t in _present(ctx, invocation["_instances"])):
            raise OLD_AGENT
    command = resources.get(ctx, COMMAND, invocation["CommandId"])
    kept = resources.is_mine(ctx, command)
    text = _content(a["command_content"], a["content_encoding"], kept)
    changes: dict[str, Any] = {}
    enabled = bool(a["enable_parameter"])
    old = json.loads(invocation["Parameters"] or "{}")
    names = _names(text, enabled or bool(old)) if text is not None else list(old)
    values = _parameters(a["parameters"], names, old) if enabled else None
    if a["frequency"] is not None and invocation["RepeatMode"] == "Period":
        if not commands.valid_frequency(a["frequency"]):
            raise BAD_FREQUENCY
        changes["Frequency"] = a["frequency"]
    added = _new_targets(ctx, invocation, a["instance_id"] or [])
    if text is not None:
        new_id = resources.new_id(COMMAND, ctx.region)
        changes.update(CommandId=new_id, CommandContent=commands.b64(text))
        if kept:  # a new command, kept (documented)
            limit = ctx.config.options.get("command_quota")
            if limit is not None and ctx.txn.count(COMMAND, resources.owner_region(ctx.account, ctx.region)) >= limit:
                raise COMMAND_QUOTA
            resources.put(ctx.txn, COMMAND, {
                **command, "CommandId": new_id, "CommandContent": commands.b64(text), "InvokeTimes": 1,
                "EnableParameter": bool(names), "ParameterNames": {"ParameterName": names},
                "CreationTime": resources.iso_minute(ctx.now), "_created": ctx.now})
    if values is not None or (text is not None and names):
        changes["Parameters"] = json.dumps(values if values is not None else _parameters("{}", names, old),
                                           ensure_ascii=False)
    invocation = {**invocation, **changes,
                  "_instances": invocation["_instances"] + [t["InstanceId"] for t in added]}
    resources.put(ctx.txn, INVOCATION, invocation)
    if "CommandId" in changes:  # its results follow it (their index terms too)
        for result in results:
            resources.put(ctx.txn, RESULT, {**result, "CommandId": changes["CommandId"]})
    for index, instance in enumerate(added, start=len(results)):
        base = result_base(ctx, invocation, instance["InstanceId"], index)
        resources.put(ctx.txn, RESULT, {**base, **SCHEDULED})
    return {"CommandId": invocation["CommandId"]}


def _present(ctx: Context, instance_ids: list[str]) -> list[dict]:
    """The task's instances still there (one released or deregistered since is left out)."""
    found = []
    for instance_id in instance_ids:
        try:
            found.append(target(ctx, instance_id, INSTANCE_NOT_FOUND))
        except INSTANCE_NOT_FOUND:
            continue
    return found


def _new_targets(ctx: Context, invocation: dict, instance_ids: list[str]) -> list[dict]:
    """The instances (ECS or managed) InstanceId.N adds to the task: each must exist and run the task's kind of
    command; those already in it are left as they are; at most 100 in all."""
    present = set(invocation["_instances"])
    wanted = [i for i in dict.fromkeys(instance_ids) if i not in present]
    if len(present) + len(wanted) > MOST_INSTANCES:
        raise TOO_MANY_INSTANCES
    found = [target(ctx, i, INSTANCE_NOT_FOUND) for i in wanted]
    kind = commands.TYPES[invocation["CommandType"]]
    if any((r.get("OSType") or "linux").lower() != kind for r in found):
        raise OS_TYPE
    return found

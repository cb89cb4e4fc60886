"""Cloud Assistant: commands, their invocations on instances and each instance's result.

A fake runs nothing. What a command prints and returns on an instance comes from the
``mockecs_command_result`` hook (:mod:`mockecs.state.hookspecs`); the built-in answer, registered
``trylast``, is success: exit code 0 and no output.

Records (kinds):

- ``command``: a kept command (CreateCommand, RunCommand with ``KeepCommand=true``) in the wire shape of
  ``DescribeCommandsResponseBodyCommandsCommand`` (``CommandContent`` Base64) plus ``_owner``, ``_region``,
  ``_created``. A command RunCommand does not keep is stored nowhere: its invocation carries its fields.
- ``invocation``: one RunCommand / InvokeCommand: the command's fields as DescribeInvocations names them,
  ``_instances`` (the instance ids in the order asked), ``_resource_group``.
- ``invocation_result``: one instance of an invocation (id ``<InvokeId>/<InstanceId>``, field ``_id``),
  in the shape of ``DescribeInvocationResults``' ``InvocationResult`` plus the text ``_output``. Its status
  goes through :mod:`mockecs.world.lifecycle` (kind ``invocation``, id the InvokeId): Pending -> Running ->
  the outcome the hook decided when the invocation was made. An invocation's own status is computed from
  its results when read.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterable, Mapping, Optional

from mockecs.state.hookspecs import hookimpl
from mockecs.wire.errors import error_kind
from mockecs.wire.params import whole_number
from mockecs.world import lifecycle, resources
from mockecs.world.context import Context

COMMAND, INVOCATION, RESULT = "command", "invocation", "invocation_result"
TYPES = {"RunShellScript": "linux", "RunBatScript": "windows", "RunPowerShellScript": "windows"}
REPEAT_MODES = ("Once", "Period", "NextRebootOnly", "EveryReboot")
TERMINATION_MODES = ("Process", "ProcessTree")
OUTPUT_MAX = 24 * 1024  # characters of Output kept; the rest is counted in Dropped
# Built-in parameters Cloud Assistant fills in itself (``{{ACS::InstanceId}}`` ...).
BUILTIN_PARAMETERS = ("ACS::RegionId", "ACS::AccountId", "ACS::InstanceId", "ACS::InstanceName",
                      "ACS::InvokeId", "ACS::CommandId")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_RATE = re.compile(r"^rate\((\d{1,9})([smhd])\)$")  # (a bounded count: int() refuses 4,300 digits)
_AT = re.compile(r"^at\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: \S+)?\)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

resources.PREFIX[COMMAND] = "c-"
resources.KIND_OF_PREFIX["c-"] = COMMAND
resources.ID_FIELD.update({COMMAND: "CommandId", INVOCATION: "InvokeId", RESULT: "_id"})
# Newest first, ties by id (the mock clock is frozen in-process); results also by the instances' order.
resources.ORDER[COMMAND] = lambda r: resources.time_key(r["_created"], descending=True)
resources.ORDER[INVOCATION] = resources.ORDER[COMMAND]
resources.ORDER[RESULT] = lambda r: f"{resources.time_key(r['_created'], descending=True)}{r['_index']:05d}"


def scoped(record_or_ctx: Any, value: str) -> str:
    """An index term value among an account's records in a region (no other account's ids leak in)."""
    if isinstance(record_or_ctx, Context):
        return f"{record_or_ctx.account}|{record_or_ctx.region}|{value}"
    return f"{record_or_ctx['_owner']}|{record_or_ctx['_region']}|{value}"


def _invocation_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    terms = [("command", scoped(record, record["CommandId"]))]
    terms += [("instance", scoped(record, i)) for i in record.get("_instances") or ()]
    if record.get("_resource_group"):
        terms.append(("resource_group", record["_resource_group"]))
    return terms


def _result_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    terms = [("invoke", scoped(record, record["InvokeId"])), ("command", scoped(record, record["CommandId"])),
             ("instance", scoped(record, record["InstanceId"]))]
    if record.get("_resource_group"):
        terms.append(("resource_group", record["_resource_group"]))
    if "_pending" in record:  # in flight: DeleteCommand's InvalidStatus.CmdIdInUse reads only these
        terms.append(("running_command", scoped(record, record["CommandId"])))
    return terms


resources.TERMS[INVOCATION] = _invocation_terms
resources.TERMS[RESULT] = _result_terms

# SendFile: one record per call (kind ``file_invocation``, InvokeId ``f-...``) and one result per instance (kind
# ``file_result``, id ``<InvokeId>/<InstanceId>``) on the same lifecycle as commands' (kind ``invocation``).
FILE_INVOCATION, FILE_RESULT = "file_invocation", "file_result"
resources.PREFIX[FILE_INVOCATION] = "f-"
resources.KIND_OF_PREFIX["f-"] = FILE_INVOCATION
resources.ID_FIELD.update({FILE_INVOCATION: "InvokeId", FILE_RESULT: "_id"})
resources.ORDER[FILE_INVOCATION] = resources.ORDER[COMMAND]
resources.ORDER[FILE_RESULT] = resources.ORDER[RESULT]
resources.TERMS[FILE_INVOCATION] = lambda record: [("instance", scoped(record, i)) for i in record["_instances"]] + (
    [("file_name", scoped(record, record["Name"]))] +
    ([("resource_group", record["_resource_group"])] if record.get("_resource_group") else []))

# -- errors shared by the operations ---------------------------------------------------------------------
BAD_TYPE = error_kind("InvalidCmdType.NotFound", "The specified command type does not exist.", 404)
DECODE_ERROR = error_kind("CmdContent.DecodeError", "The CommandContent can not be base64 decoded.", 400)
CONTENT_TOO_LONG = error_kind("CmdContent.ExceedLimit",
                              "The length of the command content exceeds the upper limit.", 403)
NAME_TOO_LONG = error_kind("CmdName.ExceedLimit", "The length of the command name exceeds the upper limit.", 403)
DESCRIPTION_TOO_LONG = error_kind("CmdDesc.ExceedLimit",
                                  "The length of the command description exceeds the upper limit.", 403)
# (ModifyCommand documents the message without its last space)
MODIFY_DESCRIPTION_TOO_LONG = error_kind("CmdDesc.ExceedLimit",
                                         "The length of the command description exceeds the upperlimit.", 403)
BAD_WORKING_DIR = error_kind("InvalidParameter.WorkingDir", "The specified parameter WorkingDir is not valid.", 400)
EMPTY_KEY = error_kind("CmdParam.EmptyKey", "Command parameters can not be empty.", 400)
BAD_PARAMETER_NAME = error_kind("CmdParam.InvalidParamName", "A command parameter name is invalid.", 400)
TOO_MANY_PARAMETERS = error_kind("CmdParamCount.ExceedLimit",
                                 "You've reached the limit on the count of command parameters.", 403)
PARAMETER_NAME_TOO_LONG = error_kind("CmdParamName.ExceedLimit",
                                     "The length of the command parameter name exceeds the limit.", 403)
COMMAND_NOT_FOUND = error_kind("InvalidCmdId.NotFound", "The specified command ID does not exist.", 404)
QUOTA = error_kind("CmdCount.ExceedQuota", "The total number of commands in the current region exceeds the quota.",
                   403)


def decode_content(content: str, encoding: Optional[str]) -> str:
    """CommandContent as text: Base64 when ``ContentEncoding`` says so (case-insensitive); any other value
    is PlainText, as documented."""
    if (encoding or "").lower() != "base64":
        return content
    try:
        return base64.b64decode(content.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise DECODE_ERROR from None


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def encoded(text: str, encoding: Optional[str]) -> str:
    """Content or output as a Describe call asks: Base64 by default, the text for ``PlainText``."""
    return text if (encoding or "").lower() == "plaintext" else b64(text)


def check_content(text: str, keep: bool) -> None:
    """The Base64 form of a command is at most 18 KB when kept, 24 KB when not (RunCommand)."""
    if len(b64(text)) > (18 if keep else 24) * 1024:
        raise CONTENT_TOO_LONG


def check_texts(name: Optional[str], description: Optional[str], working_dir: Optional[str],
                description_too_long: type = DESCRIPTION_TOO_LONG) -> None:
    if name is not None and len(name) > 128:
        raise NAME_TOO_LONG
    if description is not None and len(description) > 512:
        raise description_too_long
    if working_dir is not None and len(working_dir) > 200:
        raise BAD_WORKING_DIR


def valid_frequency(frequency: str) -> bool:
    """A RepeatMode=Period schedule: ``rate(5m)`` (60 s to 7 days), ``at(2022-06-06 13:15:30 Asia/Shanghai)``,
    or a cron expression of 6 or 7 fields and an optional time zone (the fields are not checked further)."""
    text = frequency.strip()
    rate = _RATE.match(text)
    if rate:
        return 60 <= int(rate.group(1)) * _SECONDS[rate.group(2)] <= 7 * 86400
    if text.startswith("at("):
        return bool(_AT.match(text))
    return 6 <= len(text.split()) <= 8


def parameter_names(text: str, enabled: bool) -> list[str]:
    """The ``{{name}}`` placeholders of a command with parameters enabled (spaces around a name ignored;
    ``ACS::`` built-ins are filled in by Cloud Assistant and not listed), in order of first use."""
    if not enabled:
        return []
    names: list[str] = []
    seen: set[str] = set()
    for raw in _PLACEHOLDER.findall(text):
        name = raw.strip()
        if not name:
            raise EMPTY_KEY
        if name in BUILTIN_PARAMETERS:
            continue
        if not _PARAMETER_NAME.match(name):
            raise BAD_PARAMETER_NAME
        if len(name.encode("utf-8")) > 64:
            raise PARAMETER_NAME_TOO_LONG
        if name.lower() not in seen:  # names are case-insensitive
            seen.add(name.lower())
            names.append(name)
    if len(names) > 20:
        raise TOO_MANY_PARAMETERS
    return names


def fill(text: str, values: Mapping[str, str], builtins: Mapping[str, str]) -> str:
    """The command as it runs: placeholders replaced by their values (names case-insensitive)."""
    lowered = {k.lower(): v for k, v in values.items()}

    def value(match: re.Match) -> str:
        name = match.group(1).strip()
        if name in builtins:
            return builtins[name]
        return lowered.get(name.lower(), match.group(0))

    return _PLACEHOLDER.sub(value, text)


def command_record(ctx: Context, name: str, description: str, command_type: str, text: str, working_dir: str,
                   timeout: int, enable_parameter: bool, names: list[str], group: str,
                   tags: list[dict], launcher: str = "") -> dict:
    """A new command (not yet stored); ``launcher``: what starts its script (the SDK's Launcher, "" for the
    agent's default)."""
    return {
        "CommandId": resources.new_id(COMMAND, ctx.region), "Name": name, "Description": description,
        "Type": command_type, "CommandContent": b64(text), "WorkingDir": working_dir, "Timeout": timeout,
        "EnableParameter": enable_parameter, "ParameterNames": {"ParameterName": list(names)},
        # Provider / Category / ParameterDefinitions describe public commands: empty for one's own; Version and
        # Latest are documented as not answered for them.
        "Provider": "", "Category": "", "ParameterDefinitions": {"ParameterDefinition": []},
        "Launcher": launcher,
        "InvokeTimes": 0, "CreationTime": resources.iso_minute(ctx.now), "ResourceGroupId": group,
        "Tags": {"Tag": tags}, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }


def check_quota(ctx: Context) -> None:
    """``CmdCount.ExceedQuota``: the caller's kept commands in the region (a count of an index term)."""
    limit = ctx.config.options.get("command_quota")
    if limit is not None and ctx.txn.count(COMMAND, resources.owner_region(ctx.account, ctx.region)) >= int(limit):
        raise QUOTA


# -- results: what the hook says, and the statuses it leads to -----------------------------------------
# ErrorCode -> the instance's InvocationStatus (the documented pairs of DescribeInvocationResults)
_STATUS_OF_ERROR = {"ExitCodeNonzero": "Failed", "ExecutionTimeout": "Timeout", "ExecutionException": "Error",
                    "ExecutionInterrupted": "Error", "CommandNotApplicable": "Invalid", "AccountNotExists": "Invalid",
                    "DirectoryNotExists": "Invalid", "BadCronExpression": "Invalid"}
ERROR_INFO = {
    "InstanceNotExists": "the specified instance does not exists",
    "InstanceReleased": "the instance has released when create task",
    "InstanceNotRunning": "the instance is not running when create task",
    "CommandNotApplicable": "the command is not applicable",
    "AccountNotExists": "the specified account does not exists",
    "DirectoryNotExists": "the specified directory does not exists",
    "BadCronExpression": "the cron job expression is invalid",
    "ClientNotRunning": "the aliyun service is not running on the instance",
    "ClientNotResponse": "the aliyun service in the instance does not response",
    "ClientIsUpgrading": "the aliyun service in the instance is upgrading now",
    "ClientNeedUpgrade": "the aliyun service in the instance need upgrade",
    "DeliveryTimeout": "the command delivery has been timeout",
    "ExecutionTimeout": "the command execution has been timeout",
    "ExecutionException": "the command execution got an exception",
    "ExecutionInterrupted": "the command execution has been interrupted",
    "ExitCodeNonzero": "the command execution exit code is not zero",
}
# The instance's InvokeRecordStatus (and DescribeInvocations' InstanceInvokeStatus) per InvocationStatus.
RECORD_STATUS = {"Pending": "Pending", "Running": "Running", "Success": "Finished", "Failed": "Failed",
                 "Invalid": "Failed", "Aborted": "Failed", "Timeout": "Failed", "Error": "Failed",
                 "Cancelled": "Stopped", "Terminated": "Stopped", "Stopping": "Stopping", "Scheduled": "Running"}
FAILED = ("Failed", "Invalid", "Aborted", "Timeout", "Error")
STOPPED = ("Cancelled", "Terminated", "Stopped")


def run_result(ctx: Context, instance_id: str, command_type: str, text: str, parameters: Mapping[str, str]) -> dict:
    """Ask the plugins what the command does on the instance: ``{"exit_code", "output", "error_code"?,
    "error_info"?}`` (the built-in plugin: success, no output)."""
    answer = ctx.hook().mockecs_command_result(
        account=ctx.account, region=ctx.region, instance_id=instance_id, command_type=command_type,
        command_content=text, parameters=dict(parameters), engine=ctx.engine)
    return dict(answer) if answer is not None else {"exit_code": 0, "output": ""}


def outcome_of(result: Mapping[str, Any]) -> dict:
    """The fields of a finished instance result from the hook's answer."""
    try:
        exit_code = int(result.get("exit_code") or 0)
    except (TypeError, ValueError):
        exit_code = 1
    error_code = str(result.get("error_code") or ("ExitCodeNonzero" if exit_code else ""))
    status = _STATUS_OF_ERROR.get(error_code, "Aborted") if error_code else "Success"
    output = str(result.get("output") or "")
    return {"InvocationStatus": status, "InvokeRecordStatus": RECORD_STATUS[status], "ExitCode": exit_code,
            "ErrorCode": error_code, "ErrorInfo": str(result.get("error_info") or ERROR_INFO.get(error_code, "")),
            "Dropped": max(0, len(output) - OUTPUT_MAX), "_output": output[:OUTPUT_MAX]}


def aborted(error_code: str) -> dict:
    return {"InvocationStatus": "Aborted", "InvokeRecordStatus": "Failed", "ExitCode": 0, "ErrorCode": error_code,
            "ErrorInfo": ERROR_INFO[error_code], "Dropped": 0, "_output": ""}


# An injected failure (engine.lifecycle.fail / fail_next of kind "invocation"): the command broke down.
INJECTED_FAILURE = {"InvocationStatus": "Error", "InvokeRecordStatus": "Failed", "ExitCode": 0,
                    "ErrorCode": "ExecutionException", "ErrorInfo": ERROR_INFO["ExecutionException"], "Dropped": 0,
                    "_output": ""}


def start_result(ctx: Context, base: dict, outcome: dict, runs: bool) -> dict:
    """An instance result, Pending until the lifecycle (kind ``invocation``, id the InvokeId) ends in
    ``outcome``: through Running when the command runs (``runs``), straight to it when it cannot start."""
    invoke_id = base["InvokeId"]
    delay = ctx.engine.lifecycle.delay_for(INVOCATION, invoke_id).seconds or 0.0
    started, finished = resources.iso(ctx.now + delay), resources.iso(ctx.now + 2 * delay)
    failed = {**INJECTED_FAILURE, "StartTime": started, "FinishedTime": finished, "UpdateTime": finished,
              "Repeats": 1}
    if not runs:
        return lifecycle.start(ctx, INVOCATION, invoke_id, base, done={**outcome, "UpdateTime": started})
    done = {**outcome, "FinishedTime": finished, "UpdateTime": finished}
    step = lifecycle.start(ctx, INVOCATION, invoke_id, {}, done=done, failed=failed)
    running = {"InvocationStatus": "Running", "InvokeRecordStatus": "Running", "StartTime": started,
               "UpdateTime": started, "Repeats": 1}
    then = {**running, **({"_pending": step["_pending"]} if "_pending" in step else step)}
    return lifecycle.start(ctx, INVOCATION, invoke_id, base, done=then, failed=failed)


def overall(statuses: Iterable[str]) -> str:
    """An invocation's InvocationStatus from its instances' (as DescribeInvocations documents it)."""
    found = set(statuses)
    for waiting in ("Pending", "Scheduled", "Running", "Stopping"):
        if waiting in found:
            return waiting
    if not found or found <= set(STOPPED):
        return "Stopped"
    if found <= {"Success", *STOPPED}:
        return "Success"
    if found <= {*FAILED, *STOPPED}:
        return "Failed"
    return "PartialFailed"


# The older InvokeStatus per InvocationStatus of the whole invocation.
INVOKE_STATUS = {"Pending": "Pending", "Scheduled": "Running", "Running": "Running", "Stopping": "Stopping",
                 "Stopped": "Stopped", "Success": "Finished", "Failed": "Failed", "PartialFailed": "PartialFailed"}


def results_of(ctx: Context, invocation: Mapping[str, Any], kind: str = RESULT) -> list[dict]:
    """An invocation's instance results (settled to the mock clock), in the order the instances were asked
    (``kind``: ``file_result`` for a SendFile's)."""
    ids = [f"{invocation['InvokeId']}/{i}" for i in invocation.get("_instances") or ()]
    return [r for r in resources.get_many(ctx, kind, ids) if r is not None]


AGENT_VERSIONS = {"Linux": "2.2.3.857", "Windows": "2.1.3.857", "FreeBSD": "2.4.3.857"}


def agent_version(instance: Mapping[str, Any]) -> str:
    """The Cloud Assistant agent's version on a target instance ("" without an agent): a managed instance's own
    (registered with it), else the current one of its OS."""
    if instance.get("_no_agent"):
        return ""
    windows = (instance.get("OSType") or "linux").lower() == "windows"
    return instance.get("_agent_version") or AGENT_VERSIONS["Windows" if windows else "Linux"]


def agent_older(instance: Mapping[str, Any], linux: str, windows: str) -> bool:
    """Whether the instance's agent is older than the version a feature needs (``linux`` / ``windows``)."""
    def parts(text: str) -> tuple[int, ...]:
        return tuple(whole_number(p, 0, 10**9) or 0 for p in text.split("."))
    wanted = windows if (instance.get("OSType") or "linux").lower() == "windows" else linux
    return parts(agent_version(instance)) < parts(wanted)


def unreachable(instance: Mapping[str, Any]) -> str:
    """Why a command or file cannot reach a target instance (an ErrorCode of an Aborted result), "" when it can:
    stopped, without the agent (:func:`remove_agent`), a managed instance whose agent does not answer."""
    if instance["Status"] != "Running":
        return "InstanceNotRunning"
    if instance.get("_no_agent"):
        return "ClientNotRunning"
    return instance.get("_unreachable") or ""


def installed(record: Mapping[str, Any]) -> dict:
    """InstallCloudAssistant on an instance without the agent: installed, running from the instance's next boot (the
    metadata: the installation takes effect once RebootInstance restarts it); "false" and ``ClientNotRunning`` until
    then. A start of a stopped instance counts as that boot [GUESS]."""
    return {**record, "_agent_installed": True} if record.get("_no_agent") else dict(record)


def booted(record: dict) -> dict:
    """The instance as it boots (StartInstance(s), RebootInstance(s)): an agent installed since runs from now on."""
    if record.get("_agent_installed"):
        return {k: v for k, v in record.items() if k not in ("_no_agent", "_agent_installed")}
    return record


def remove_agent(engine: Any, instance_id: str) -> None:
    """Take the Cloud Assistant agent off an instance (as an image built without it would leave it): its status is
    "false" and commands sent to it are Aborted (``ClientNotRunning``) until InstallCloudAssistant."""
    with engine.store.transaction() as txn:
        record = txn.get("instance", instance_id)
        if record is None:
            raise KeyError(f"no instance {instance_id}")
        resources.put(txn, "instance", {**{k: v for k, v in record.items() if k != "_agent_installed"},
                                        "_no_agent": True})


def invocations_on(ctx: Context, instance_id: str) -> tuple[int, str]:
    """How many command results an instance has, and when the newest was made ("" for none): a count and one
    entry of its index term (results list newest first)."""
    term = ("instance", scoped(ctx, instance_id))
    count = ctx.txn.count(RESULT, term)
    if not count:
        return 0, ""
    newest = resources.get_many(ctx, RESULT, [id for _, id in ctx.txn.page(RESULT, term, 0, 1)])
    return count, newest[0]["CreationTime"] if newest and newest[0] is not None else ""


class BuiltinCommandPlugin:
    """The default answer of ``mockecs_command_result``: the command succeeds and prints nothing."""

    @hookimpl(trylast=True)
    def mockecs_command_result(self, account: str, region: str, instance_id: str, command_type: str,
                               command_content: str, parameters: dict, engine: Any) -> Optional[dict]:
        return {"exit_code": 0, "output": ""}


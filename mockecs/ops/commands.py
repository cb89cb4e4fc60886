"""Cloud Assistant: RunCommand, InvokeCommand, CreateCommand, DescribeCommands, ModifyCommand, DeleteCommand,
DescribeInvocations, DescribeInvocationResults, StopInvocation, DescribeCloudAssistantStatus.

What an image pipeline does on its build instance before imaging it (OOS ACS-ECS-UpdateImage, Terraform's
alicloud_ecs_command / alicloud_ecs_invocation). The domain model is :mod:`mockecs.world.commands`; what a
command prints and returns comes from the ``mockecs_command_result`` hook.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Callable, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter
from mockecs.wire.params import B, L, Repeat, S, Structs, json_array
from mockecs.world import commands, managed_instances, paging, resource_groups, resources
from mockecs.world.commands import COMMAND, INVOCATION, RESULT
from mockecs.world.validation import check_tags

IDEMPOTENT = ("IdempotentParameterMismatch", "The specified parameter has changed while using an already used "
              "clientToken.", 403)
TAG = Structs("Tag", [S("Key"), S("Value")])
RESOURCE_TAG = Structs("ResourceTag", [S("Key"), S("Value")])
INSTANCE_NOT_FOUND = error_kind("InvalidInstance.NotFound", "The specified instance does not exist.", 404)
NOT_MATCH = error_kind("InvalidInstance.NotMatch", "The specified instance type does not match the command.", 400)
MISSING_INSTANCE = error_kind("MissingParam.InstanceId", "The parameter instanceId is missing or empty.", 400)
TOO_MANY_INSTANCES = error_kind("InstanceIds.ExceedLimit", "The number of instance IDs exceeds the upper limit.", 403)
BAD_REPEAT_MODE = error_kind("InvalidRepeatMode.NotFound", "The specified repeat mode does not exist.", 404)
BAD_FREQUENCY = error_kind("InvalidParam.Frequency", "The specified frequency is invalid.", 400)
MISSING_FREQUENCY = error_kind("MissingParam.Frequency",
                               "The frequency must be specified when you create a timed task.", 400)
BAD_TERMINATION_MODE = error_kind("InvalidTerminationMode.NotFound",
                                  "The specified parameter TerminationMode does not exist.", 404)
BAD_CONTAINER_ID = error_kind("InvalidContainerId.Malformed", "The specified parameter ContainerId is not valid.", 400)
BAD_CONTAINER_NAME = error_kind("InvalidContainerName.Malformed",
                                "The specified parameter ContainerName is not valid.", 400)
RESOURCE_TAG_CONFLICT = error_kind("InvalidResourceTag.ConflictWithInstanceIds",
                                   "The specified param ResourceTag conflicts with InstanceId.", 400)
RESOURCE_TAG_NO_INSTANCE = error_kind("InvalidResourceTag.InstanceNotFound",
                                      "InstanceIds are not found by the specified ResourceTag.", 400)
RESOURCE_TAG_MISSING_KEY = error_kind("MissingParameter.ResourceTagKey", "You must specify ResourceTag.N.Key.", 400)
TOO_MANY_RESOURCE_TAGS = error_kind("NumberExceed.ResourceTags", "The maximum number of ResourceTags is exceeded.", 400)
DUPLICATE_RESOURCE_TAG = error_kind("Duplicate.ResourceTagKey", "The ResourceTag contains duplicate keys.", 400)
TOO_MANY_TAGS = error_kind("NumberExceed.Tags", "Ensure the number of tag parameters is not greater than 20.", 400)
MISSING_TAG_KEY = error_kind("MissingParameter.TagKey", "You must specify Tag.N.Key.", 400)
INVOKE_NOT_FOUND = error_kind("InvalidInvokeId.NotFound", "The specified invoke ID does not exist.", 404)
IN_USE = error_kind("InvalidStatus.CmdIdInUse", "The specified commandId is in use by some runing Invocation.", 403)
BAD_PAGE_NUMBER = error_kind("InvalidParam.PageNumber", "The specified parameter is invalid.", 400)
BAD_PAGE_SIZE = error_kind("InvalidParam.PageSize", "The specified parameter is invalid.", 400)
BAD_NEXT_TOKEN = error_kind("InvalidParameter.NextToken", "The specified parameter NextToken is not valid.", 400)
BAD_MAX_RESULTS = error_kind("InvalidParameter.MaxResults", "The specified parameter MaxResults is not valid.", 400)
_CONTAINER_ID = re.compile(r"^(?:(?:docker|containerd|cri-o)://)?[0-9a-f]{64}$")
_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")
_TYPE = S("Type", required=True)
# Paging of the Cloud Assistant listings: at most 50 a page, their own codes.
PAGING = (L("PageNumber", default=1, error=("InvalidParam.PageNumber", 400)),
           L("PageSize", default=10, error=("InvalidParam.PageSize", 400)),
           L("MaxResults", error=("InvalidParameter.MaxResults", 400)), S("NextToken"))


# -- what RunCommand and CreateCommand share -------------------------------------------------------------
def _command_fields(ctx: Context, a: Mapping[str, Any], keep: bool) -> dict:
    """The checked fields of a new command (RunCommand, CreateCommand), before anything is stored."""
    if a["type"] not in commands.TYPES:
        raise commands.BAD_TYPE
    text = commands.decode_content(a["command_content"], a["content_encoding"])
    commands.check_content(text, keep)
    commands.check_texts(a["name"], a["description"], a["working_dir"])
    names = commands.parameter_names(text, a["enable_parameter"])
    return {"name": a["name"] or "", "description": a["description"] or "", "command_type": a["type"], "text": text,
            "working_dir": a["working_dir"] or "", "timeout": a["timeout"], "enable_parameter": a["enable_parameter"],
            "names": names}


def _tags(tags: Optional[list[dict]]) -> list[dict]:
    """Tag.N of RunCommand / CreateCommand / InvokeCommand, with the codes RunCommand documents."""
    tags = tags or []
    if len(tags) > 20:
        raise TOO_MANY_TAGS
    if any(not t.get("key") and t.get("value") for t in tags):
        raise MISSING_TAG_KEY
    return check_tags(tags)


def _parameters(raw: Optional[str], names: list[str], enabled: bool, invoke: bool) -> dict[str, str]:
    """``Parameters`` (a JSON object of strings) against the command's parameter names. RunCommand fills a
    parameter left out with "" (as its documentation allows); InvokeCommand answers Parameter.MissingValue."""
    status = 403 if invoke else 400
    if raw is None or raw.strip() in ("", "{}"):
        values: dict = {}
    else:
        if not enabled:
            raise EcsError("Parameter.Disabled", "Parameters cannot be passed in when the command customization "
                           "function is disabled." if invoke else
                           "Parameters should not be passed when CreateCommand.EnableParameter is false.", 400)
        try:
            values = json_array(raw)  # (the old SDK sends a dict's str(): single quotes, read as the service does)
        except ValueError:
            values = None
        if not isinstance(values, dict):
            raise EcsError("InvalidParameter.Parameters", "The specified parameter Parameters is not valid.", 400) \
                if invoke else invalid_parameter("Parameters")
    if len(values) > 20:
        raise EcsError("ParameterCount.ExceedLimit", "The maximum number of parameters is exceeded." if invoke else
                       "The number of command parameters exceeds the maximum number that can be set.", 403)
    lowered: dict[str, str] = {}
    for key, value in values.items():
        if key == "":
            raise commands.EMPTY_KEY if not invoke else \
                EcsError("InvalidParameter.Parameters", "The specified parameter Parameters is not valid.", 400)
        if len(key) > 64:
            raise EcsError("ParameterKey.ExceedLimit", "The maximum length of a parameter name is exceeded."
                           if invoke else "The length of the specified parameter key exceeds the maximum length "
                           "that can be set.", 403)
        if not isinstance(value, str):
            raise EcsError("ParameterType.NotSupported", "The type of parameter value is not supported.", 403)
        if key.lower() in lowered:
            raise EcsError("ParameterKey.Duplicate", "Parameter names cannot be duplicated." if invoke else
                           "The parameter may not contain duplicate keys.", status)
        lowered[key.lower()] = value
    known = {n.lower() for n in names}
    if set(lowered) - known:
        raise EcsError("Parameter.NotMatched", "The passed-in parameters do not match the parameters defined when "
                       "you created the command." if invoke else
                       "The parameters of creation do not match those of invocation.", status)
    missing = known - set(lowered)
    if missing and invoke:
        raise EcsError("Parameter.MissingValue", "The parameter value of this command is required.", 400)
    return {n: lowered.get(n.lower(), "") for n in names}


def target(ctx: Context, instance_id: str, not_found: type[EcsError]) -> dict:
    """A command's or a file's target: the caller's ECS instance, or managed instance (``mi-...``) as one."""
    if managed_instances.is_managed(instance_id):
        return managed_instances.as_target(resources.owned(ctx, managed_instances.MANAGED, instance_id, not_found))
    return resources.owned(ctx, "instance", instance_id, not_found)


def _instances(ctx: Context, instance_ids: Optional[list[str]], resource_tags: Optional[list[dict]],
               command_type: str, group: Optional[str] = None) -> list[dict]:
    """The instances to run on: InstanceId.N, or those carrying ResourceTag.N (by the tag index): ECS instances
    and managed instances (``mi-...``) alike, as the service's tag targeting reaches both. With ResourceGroupId
    (``group``, resolved) they must be the group's (documented): an instance named outside it is not found, the
    tagged ones outside it are left out [GUESS: the codes of a group mismatch are not documented]."""
    resource_tags = [t for t in resource_tags or () if t.get("key") or t.get("value")]
    if resource_tags and instance_ids:
        raise RESOURCE_TAG_CONFLICT
    if resource_tags:
        if len(resource_tags) > 10:
            raise TOO_MANY_RESOURCE_TAGS
        if any(not t.get("key") for t in resource_tags):
            raise RESOURCE_TAG_MISSING_KEY
        if len({t["key"] for t in resource_tags}) < len(resource_tags):
            raise DUPLICATE_RESOURCE_TAG
        found = [r for r in resources.mine_among(ctx, "instance", None, tags=resource_tags)
                 if resources.match_tags(r, resource_tags)]
        found += [managed_instances.as_target(r) for r in resources.mine_among(
            ctx, managed_instances.MANAGED, None, tags=resource_tags) if resources.match_tags(r, resource_tags)]
        if group:
            found = [r for r in found if r.get("ResourceGroupId") == group]
        if not found:
            raise RESOURCE_TAG_NO_INSTANCE
        found.sort(key=lambda r: r["InstanceId"])
    else:
        if not instance_ids:
            raise MISSING_INSTANCE
        if len(instance_ids) > 100:
            raise TOO_MANY_INSTANCES
        found = [target(ctx, i, INSTANCE_NOT_FOUND) for i in dict.fromkeys(instance_ids)]
        if group and any(r.get("ResourceGroupId") != group for r in found):
            raise INSTANCE_NOT_FOUND
    if len(found) > 100:
        raise TOO_MANY_INSTANCES
    wanted = commands.TYPES[command_type]
    if any((r.get("OSType") or "linux").lower() != wanted for r in found):
        raise NOT_MATCH
    return found


def _check_run_settings(a: Mapping[str, Any], command_type: str, invoke: bool) -> str:
    """RepeatMode (Frequency makes it Period), container, user and termination settings; the RepeatMode."""
    status = 403 if invoke else 400
    repeat_mode = "Period" if a["frequency"] else (a["repeat_mode"] or "Once")
    if repeat_mode not in commands.REPEAT_MODES:
        raise BAD_REPEAT_MODE
    if repeat_mode == "Period" and not a["frequency"]:
        raise MISSING_FREQUENCY
    if a["frequency"] and not commands.valid_frequency(a["frequency"]):
        raise BAD_FREQUENCY
    if a["termination_mode"] and a["termination_mode"] not in commands.TERMINATION_MODES:
        raise BAD_TERMINATION_MODE
    if a["container_id"] and not _CONTAINER_ID.match(a["container_id"]):
        raise BAD_CONTAINER_ID
    if a["container_name"] and not _CONTAINER_NAME.match(a["container_name"]):
        raise BAD_CONTAINER_NAME
    if a["username"] and len(a["username"]) > 255:
        raise EcsError("Username.ExceedLimit", "The length of the username exceeds the upper limit.", 403)
    if a["windows_password_name"] and len(a["windows_password_name"]) > 255:
        raise EcsError("WindowsPasswordName.ExceedLimit",
                       "The length of the WindowsPasswordName exceeds the upper limit.", 403)
    if (commands.TYPES[command_type] == "windows" and a["username"] and a["username"].lower() != "system"
            and not a["windows_password_name"]):
        raise EcsError("WindowsPasswordName.Missed",
                       "WindowsPasswordName must be specified when you create a Windows task.", status)
    return repeat_mode


def result_base(ctx: Context, invocation: Mapping[str, Any], instance_id: str, index: int) -> dict:
    """A new instance result of ``invocation`` (its ``index``-th instance), Pending."""
    now = resources.iso(ctx.now)
    return {"_id": f"{invocation['InvokeId']}/{instance_id}", "InvokeId": invocation["InvokeId"],
            "CommandId": invocation["CommandId"], "InstanceId": instance_id, "InvocationStatus": "Pending",
            "InvokeRecordStatus": "Pending", "CreationTime": now, "UpdateTime": now, "StartTime": "",
            "FinishedTime": "", "StopTime": "", "ExitCode": 0, "ErrorCode": "", "ErrorInfo": "", "Dropped": 0,
            "Repeats": 0, "Username": invocation["Username"], "ContainerId": invocation["ContainerId"],
            "ContainerName": invocation["ContainerName"], "TerminationMode": invocation["TerminationMode"],
            "Tags": invocation["Tags"], "Launcher": invocation.get("Launcher", ""),
            "OssOutputDelivery": invocation.get("OssOutputDelivery", ""),
            "_output": "", "_resource_group": invocation["_resource_group"],
            "_index": index, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}


SCHEDULED = {"InvocationStatus": "Scheduled", "InvokeRecordStatus": "Running"}


def _invoke(ctx: Context, command: Mapping[str, Any], text: str, a: Mapping[str, Any], invoke: bool,
            tags: list[dict], group: str) -> str:
    """Check the run settings and the targets, then store the invocation and one result per instance (each
    Pending until its lifecycle ends in what the hook says), with wire ``tags`` in resource group ``group``.
    Returns the InvokeId."""
    command_type = command["Type"]
    repeat_mode = _check_run_settings(a, command_type, invoke)
    names = command["ParameterNames"]["ParameterName"]
    values = _parameters(a["parameters"], names, command["EnableParameter"], invoke)
    targets = _instances(ctx, a["instance_id"], a["resource_tag"], command_type,
                         group if a["resource_group_id"] else None)
    invoke_id = resources.new_id("task", ctx.region)  # t-...: the service's invoke ids look like task ids
    now = resources.iso(ctx.now)
    timeout = a["timeout"] if a["timeout"] is not None else command["Timeout"]
    username, working_dir = a["username"] or "", a.get("working_dir") or command["WorkingDir"]
    record = {
        "InvokeId": invoke_id, "CommandId": command["CommandId"], "CommandName": command["Name"],
        "CommandDescription": command["Description"], "CommandType": command_type,
        "CommandContent": command["CommandContent"], "Parameters": json.dumps(values, ensure_ascii=False),
        "RepeatMode": repeat_mode, "Frequency": a["frequency"] or "", "Timed": repeat_mode != "Once",
        "Timeout": timeout, "Username": username, "WorkingDir": working_dir,
        "ContainerId": a["container_id"] or "", "ContainerName": a["container_name"] or "",
        "TerminationMode": a["termination_mode"] or "Process", "CreationTime": now, "Tags": {"Tag": tags},
        # (InvokeCommand's Launcher, else the command's; the OSS prefix the outputs go to, "" for none)
        "Launcher": a.get("launcher") or command.get("Launcher", ""),
        "OssOutputDelivery": a["oss_output_delivery"] or "",
        "_instances": [r["InstanceId"] for r in targets], "_resource_group": group,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    resources.put(ctx.txn, INVOCATION, record)
    for index, instance in enumerate(targets):
        instance_id = instance["InstanceId"]
        base = result_base(ctx, record, instance_id, index)
        if repeat_mode != "Once":  # stored, waiting for its schedule or a reboot; mockecs never runs it
            result = {**base, **SCHEDULED}
        elif commands.unreachable(instance):
            result = commands.start_result(ctx, base, commands.aborted(commands.unreachable(instance)), runs=False)
        else:
            builtins = {"ACS::RegionId": ctx.region, "ACS::AccountId": ctx.account, "ACS::InstanceId": instance_id,
                        "ACS::InstanceName": instance.get("InstanceName") or "", "ACS::InvokeId": invoke_id,
                        "ACS::CommandId": command["CommandId"]}
            script = commands.fill(text, values, builtins)
            answer = commands.run_result(ctx, instance_id, command_type, script, values)
            result = commands.start_result(ctx, base, commands.outcome_of(answer), runs=True)
        resources.put(ctx.txn, RESULT, result)
    return invoke_id


_RUN_SETTINGS = (S("RepeatMode"), B("Timed"), S("Frequency"), S("Parameters"), S("Username"),
                 S("WindowsPasswordName"), Repeat("InstanceId"), S("ContainerId"), S("ContainerName"),
                 RESOURCE_TAG, S("TerminationMode"), S("ResourceGroupId"), TAG, S("OssOutputDelivery"))
_COMMAND_FIELDS = (S("Name"), S("Description"), _TYPE, S("CommandContent", required=True), S("WorkingDir"),
                   L("Timeout", default=60, min=1, max=86400), B("EnableParameter", default=False),
                   S("ContentEncoding"), S("Launcher"))


@operation("RunCommand", *_COMMAND_FIELDS, *_RUN_SETTINGS, B("KeepCommand", default=False),
           idempotent=IDEMPOTENT, mapping=True)
def run_command(ctx: Context, a: dict) -> dict:
    keep = a["keep_command"]
    fields = _command_fields(ctx, a, keep)
    tags, group = _tags(a["tag"]), resource_groups.resolve(ctx, a["resource_group_id"])
    command = commands.command_record(ctx, fields["name"], fields["description"], fields["command_type"],
                                      fields["text"], fields["working_dir"], fields["timeout"],
                                      fields["enable_parameter"], fields["names"], group, tags,
                                      a["launcher"] or "")
    if keep:
        commands.check_quota(ctx)
    invoke_id = _invoke(ctx, command, fields["text"], {**a, "timeout": None}, False, tags, group)
    if keep:
        resources.put(ctx.txn, COMMAND, {**command, "InvokeTimes": 1})
    return {"CommandId": command["CommandId"], "InvokeId": invoke_id}


@operation("InvokeCommand", S("CommandId", required=True), *_RUN_SETTINGS, L("Timeout", min=1, max=86400),
           S("Launcher"), idempotent=IDEMPOTENT, mapping=True)
def invoke_command(ctx: Context, a: dict) -> dict:
    command = resources.owned(ctx, COMMAND, a["command_id"], commands.COMMAND_NOT_FOUND)
    text = commands.decode_content(command["CommandContent"], "Base64")
    invoke_id = _invoke(ctx, command, text, a, True, _tags(a["tag"]),
                        resource_groups.resolve(ctx, a["resource_group_id"]))
    resources.put(ctx.txn, COMMAND, {**command, "InvokeTimes": command["InvokeTimes"] + 1})
    return {"InvokeId": invoke_id}


@operation("CreateCommand", *(p if p.wire != "Name" else S("Name", required=True) for p in _COMMAND_FIELDS),
           S("ResourceGroupId"), TAG, idempotent=IDEMPOTENT, mapping=True)
def create_command(ctx: Context, a: dict) -> dict:
    fields = _command_fields(ctx, a, keep=True)
    tags = _tags(a["tag"])
    group = resource_groups.resolve(ctx, a["resource_group_id"])
    commands.check_quota(ctx)
    record = commands.command_record(ctx, fields["name"], fields["description"], fields["command_type"],
                                     fields["text"], fields["working_dir"], fields["timeout"],
                                     fields["enable_parameter"], fields["names"], group, tags, a["launcher"] or "")
    resources.put(ctx.txn, COMMAND, record)
    return {"CommandId": record["CommandId"]}


@operation("ModifyCommand", S("CommandId", required=True), S("Name"), S("Description"), S("CommandContent"),
           S("WorkingDir"), L("Timeout", min=1, max=86400), S("Launcher"))
def modify_command(ctx: Context, command_id: str, name: Optional[str], description: Optional[str],
                   command_content: Optional[str], working_dir: Optional[str], timeout: Optional[int],
                   launcher: Optional[str]) -> dict:
    commands.check_texts(name, description, working_dir, commands.MODIFY_DESCRIPTION_TOO_LONG)
    record = resources.owned(ctx, COMMAND, command_id, commands.COMMAND_NOT_FOUND)
    changes: dict[str, Any] = {k: v for k, v in (("Name", name), ("Description", description),
                                                 ("WorkingDir", working_dir), ("Timeout", timeout),
                                                 ("Launcher", launcher)) if v is not None}
    if command_content is not None:
        # [GUESS] ModifyCommand takes the content Base64-encoded, as DescribeCommands answers it (it declares
        # no ContentEncoding); text that is not Base64 is taken as it is.
        try:
            text = commands.decode_content(command_content, "Base64")
        except commands.DECODE_ERROR:
            text = command_content
        commands.check_content(text, keep=True)
        changes["CommandContent"] = commands.b64(text)
        changes["ParameterNames"] = {"ParameterName": commands.parameter_names(text, record["EnableParameter"])}
    resources.put(ctx.txn, COMMAND, {**record, **changes})
    return {}


@operation("DeleteCommand", S("CommandId", required=True))
def delete_command(ctx: Context, command_id: str) -> dict:
    record = resources.owned(ctx, COMMAND, command_id, commands.COMMAND_NOT_FOUND)
    # Only the results still in flight are indexed under running_command: settled here, in use if still running.
    for result_id in ctx.txn.ids(RESULT, ("running_command", commands.scoped(ctx, command_id))):
        result = resources.get(ctx, RESULT, result_id)
        if result is not None and result["InvokeRecordStatus"] in ("Pending", "Running", "Stopping"):
            raise IN_USE
    resources.delete(ctx.txn, COMMAND, record["CommandId"])
    return {}


# -- listings -------------------------------------------------------------------------------------------
def page_args(page_number: Optional[int], page_size: Optional[int], max_results: Optional[int]) -> None:
    if page_number is not None and page_number < 1:
        raise BAD_PAGE_NUMBER
    if page_size is not None and not 1 <= page_size <= 50:
        raise BAD_PAGE_SIZE
    if max_results is not None and not 1 <= max_results <= 50:
        raise BAD_MAX_RESULTS


def sliced(items: list, page_number: int, page_size: int, next_token: Optional[str],
            max_results: Optional[int]) -> tuple[list, dict]:
    """One page of ``items`` (already checked by :func:`page_args`) and the answer's paging fields."""
    try:
        start, size, meta = paging.bounds(page_number, page_size, next_token, max_results, len(items))
    except paging.BAD_TOKEN:
        raise BAD_NEXT_TOKEN from None
    return items[start:start + size], meta


def listing(ctx: Context, kind: str, term: tuple[str, str], keep: Optional[Callable[[dict], bool]],
             page_number: int, page_size: int, next_token: Optional[str],
             max_results: Optional[int], by_id: Optional[str] = None) -> tuple[list[dict], dict]:
    """One page of the caller's records of ``kind`` under ``term`` (newest first): from the ordered index when
    nothing else filters (``keep`` None), else those under the term that ``keep`` keeps; only the record
    ``by_id`` when given."""
    page_args(page_number, page_size, max_results)
    if by_id:
        one = resources.get(ctx, kind, by_id)
        found = [one] if resources.is_mine(ctx, one) and (keep is None or keep(one)) else []
    elif keep is None:
        try:
            page, meta = paging.ordered_page(ctx, kind, term, page_number, page_size, next_token, max_results)
        except paging.BAD_TOKEN:
            raise BAD_NEXT_TOKEN from None
        return [dict(r) for r in page], meta
    else:
        order = resources.ORDER[kind]
        found = [r for r in resources.get_many(ctx, kind, sorted(ctx.txn.ids(kind, term)))
                 if resources.is_mine(ctx, r) and keep(r)]
        found.sort(key=lambda r: (order(r), r[resources.ID_FIELD[kind]]))
    return sliced(found, page_number, page_size, next_token, max_results)


def _narrowest(ctx: Context, **by: Optional[str]) -> tuple[str, str]:
    """The index term to list from: the first of ``by`` (term name -> id) given, else all of the caller's."""
    for name, value in by.items():
        if value:
            return (name, commands.scoped(ctx, value))
    return resources.owner_region(ctx.account, ctx.region)


def wanted_tags(tags: Optional[list[dict]]) -> list[dict]:
    tags = [t for t in tags or () if t.get("key") or t.get("value")]
    if len(tags) > 20:
        raise EcsError("NumberExceed.Tags", "The Tags parameter number is exceed.", 400)
    if any(not t.get("key") for t in tags):
        raise MISSING_TAG_KEY
    return tags


def _status_of(ctx: Context, invocation: Mapping[str, Any]) -> tuple[str, list[dict]]:
    results = commands.results_of(ctx, invocation)
    return commands.overall(r["InvocationStatus"] for r in results), results


def _timed(invocation: Mapping[str, Any], status: str) -> bool:
    """Whether the invocation will still run by itself (RepeatMode other than Once, not stopped)."""
    return invocation["RepeatMode"] != "Once" and status not in ("Stopped", "Stopping")


def invocation_view(ctx: Context, invocation: Mapping[str, Any], encoding: Optional[str], with_output: bool) -> dict:
    status, results = _status_of(ctx, invocation)
    view = resources.wire(invocation)
    view["CommandContent"] = commands.encoded(commands.decode_content(invocation["CommandContent"], "Base64"),
                                              encoding)
    view["InvocationStatus"], view["InvokeStatus"] = status, commands.INVOKE_STATUS[status]
    view["Timed"] = timed = _timed(invocation, status)
    items = []
    for r in results:
        item = {"InstanceId": r["InstanceId"], "CreationTime": r["CreationTime"], "UpdateTime": r["UpdateTime"],
                "StartTime": r["StartTime"], "FinishTime": r["FinishedTime"], "StopTime": r["StopTime"],
                "InvocationStatus": r["InvocationStatus"], "InstanceInvokeStatus": r["InvokeRecordStatus"],
                "ExitCode": r["ExitCode"], "ErrorCode": r["ErrorCode"], "ErrorInfo": r["ErrorInfo"],
                "Repeats": r["Repeats"], "Dropped": r["Dropped"],
                "Timed": timed and r["InvocationStatus"] == "Scheduled", **oss_output(r)}
        if with_output:
            item["Output"] = commands.encoded(r["_output"], encoding)
        items.append(item)
    view["InvokeInstances"] = {"InvokeInstance": items}
    return view


@operation("DescribeInvocations", S("InvokeId"), S("CommandId"), S("CommandName"), S("CommandType"), B("Timed"),
           S("InvokeStatus"), S("InstanceId"), S("ContentEncoding"), B("IncludeOutput", default=False),
           S("RepeatMode"), S("ResourceGroupId"), TAG, *PAGING)
def describe_invocations(ctx: Context, invoke_id: Optional[str], command_id: Optional[str],
                         command_name: Optional[str], command_type: Optional[str], timed: Optional[bool],
                         invoke_status: Optional[str], instance_id: Optional[str], content_encoding: Optional[str],
                         include_output: bool, repeat_mode: Optional[str], resource_group_id: Optional[str],
                         tag: Optional[list[dict]], page_number: int, page_size: int, max_results: Optional[int],
                         next_token: Optional[str]) -> dict:
    tags = wanted_tags(tag)

    def keep(r: dict) -> bool:
        if invoke_status or timed is not None:
            status = _status_of(ctx, r)[0]
            if invoke_status and invoke_status not in (status, commands.INVOKE_STATUS[status]):
                return False
            if timed is not None and _timed(r, status) != timed:
                return False
        return ((not invoke_id or r["InvokeId"] == invoke_id) and (not command_id or r["CommandId"] == command_id)
                and (not instance_id or instance_id in r["_instances"])
                and (not command_name or r["CommandName"] == command_name)
                and (not command_type or r["CommandType"] == command_type)
                and (not repeat_mode or r["RepeatMode"] == repeat_mode)
                and (not resource_group_id or r["_resource_group"] == resource_group_id)
                and resources.match_tags(r, tags))

    filtered = any((command_name, command_type, timed is not None, repeat_mode, resource_group_id, tags,
                    invoke_status, command_id and instance_id))
    page, meta = listing(ctx, INVOCATION, _narrowest(ctx, command=command_id, instance=instance_id),
                          keep if filtered or invoke_id else None, page_number, page_size, next_token, max_results,
                          by_id=invoke_id)
    views = [invocation_view(ctx, r, content_encoding, include_output) for r in page]
    return {**meta, "Invocations": {"Invocation": views}}


def oss_output(result: Mapping[str, Any]) -> dict:
    """Where an instance's output went (RunCommand/InvokeCommand OssOutputDelivery): Disabled without a delivery;
    else Pending until the run ends, then Finished, as ``<delivery>/<InvokeId>/<InstanceId>`` [GUESS: the SDK model
    names the fields only; mockecs writes no object]."""
    delivery = result.get("OssOutputDelivery") or ""
    if not delivery:
        status, uri = "Disabled", ""
    elif result["InvokeRecordStatus"] == "Finished":
        status, uri = "Finished", f"{delivery.rstrip('/')}/{result['InvokeId']}/{result['InstanceId']}"
    else:
        status, uri = "Pending", ""
    return {"OssOutputStatus": status, "OssOutputUri": uri, "OssOutputErrorCode": "", "OssOutputErrorInfo": ""}


def result_view(record: Mapping[str, Any], encoding: Optional[str]) -> dict:
    view = resources.wire(record)
    view.update(oss_output(record))
    view["Output"] = commands.encoded(record["_output"], encoding)
    for name in ("CreationTime", "UpdateTime"):  # (DescribeInvocations' fields, not these)
        view.pop(name, None)
    return view


@operation("DescribeInvocationResults", S("InvokeId"), S("InstanceId"), S("CommandId"), S("InvokeRecordStatus"),
           B("IncludeHistory", default=False), S("ContentEncoding"), S("ResourceGroupId"), TAG, *PAGING)
def describe_invocation_results(ctx: Context, invoke_id: Optional[str], instance_id: Optional[str],
                                command_id: Optional[str], invoke_record_status: Optional[str],
                                include_history: bool, content_encoding: Optional[str],
                                resource_group_id: Optional[str], tag: Optional[list[dict]], page_number: int,
                                page_size: int, max_results: Optional[int], next_token: Optional[str]) -> dict:
    tags = wanted_tags(tag)
    term = _narrowest(ctx, invoke=invoke_id, instance=instance_id, command=command_id)
    named = sum(bool(v) for v in (invoke_id, instance_id, command_id))
    filtered = named > 1 or invoke_record_status or resource_group_id or tags
    keep = (lambda r: (not invoke_id or r["InvokeId"] == invoke_id)
            and (not instance_id or r["InstanceId"] == instance_id)
            and (not command_id or r["CommandId"] == command_id)
            and (not invoke_record_status or invoke_record_status in (r["InvokeRecordStatus"], r["InvocationStatus"]))
            and (not resource_group_id or r["_resource_group"] == resource_group_id)
            and resources.match_tags(r, tags)) if filtered else None
    page, meta = listing(ctx, RESULT, term, keep, page_number, page_size, next_token, max_results)
    return {"Invocation": {**meta, "InvocationResults": {
        "InvocationResult": [result_view(r, content_encoding) for r in page]}}}


def command_view(record: Mapping[str, Any], encoding: Optional[str]) -> dict:
    view = resources.wire(record)
    view["CommandContent"] = commands.encoded(commands.decode_content(record["CommandContent"], "Base64"), encoding)
    return view


@operation("DescribeCommands", S("Provider"), S("CommandId"), S("Name"), S("Description"), S("Type"),
           S("ContentEncoding"), B("Latest"), S("ResourceGroupId"), TAG, *PAGING)
def describe_commands(ctx: Context, provider: Optional[str], command_id: Optional[str], name: Optional[str],
                      description: Optional[str], type: Optional[str], content_encoding: Optional[str],
                      latest: Optional[bool], resource_group_id: Optional[str], tag: Optional[list[dict]],
                      page_number: int, page_size: int, max_results: Optional[int],
                      next_token: Optional[str]) -> dict:
    tags = wanted_tags(tag)
    if provider:  # public commands: mockecs has none
        page_args(page_number, page_size, max_results)
        page, meta = sliced([], page_number, page_size, next_token, max_results)
        return {**meta, "Commands": {"Command": page}}

    def named(r: Mapping[str, Any]) -> bool:  # "command*": by prefix, else exactly
        return not name or (r["Name"].startswith(name[:-1]) if name.endswith("*") else r["Name"] == name)

    filtered = command_id or name or description or type or resource_group_id or tags
    keep = (lambda r: (not command_id or r["CommandId"] == command_id) and named(r)
            and (not description or r["Description"] == description) and (not type or r["Type"] == type)
            and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
            and resources.match_tags(r, tags)) if filtered else None
    term = resource_groups.term(resource_group_id) if resource_group_id else \
        resources.owner_region(ctx.account, ctx.region)
    page, meta = listing(ctx, COMMAND, term, keep, page_number, page_size, next_token, max_results, by_id=command_id)
    return {**meta, "Commands": {"Command": [command_view(r, content_encoding) for r in page]}}


@operation("StopInvocation", S("InvokeId", required=True), Repeat("InstanceId"))
def stop_invocation(ctx: Context, invoke_id: str, instance_id: Optional[list[str]]) -> dict:
    if instance_id and len(instance_id) > 100:
        raise TOO_MANY_INSTANCES
    invocation = resources.owned(ctx, INVOCATION, invoke_id, INVOKE_NOT_FOUND)
    wanted = set(instance_id or invocation["_instances"])
    now = resources.iso(ctx.now)
    for result in commands.results_of(ctx, invocation):
        if result["InstanceId"] not in wanted or result["InvocationStatus"] not in ("Pending", "Running", "Scheduled"):
            continue
        status = "Terminated" if result["InvocationStatus"] == "Running" else "Cancelled"
        stopped = {k: v for k, v in result.items() if k != "_pending"}
        stopped.update({"InvocationStatus": status, "InvokeRecordStatus": "Stopped", "StopTime": now,
                        "UpdateTime": now})
        resources.put(ctx.txn, RESULT, stopped)
    return {}


@operation("DescribeCloudAssistantStatus", S("OSType"), Repeat("InstanceId"), *PAGING)
def describe_cloud_assistant_status(ctx: Context, os_type: Optional[str], instance_id: Optional[list[str]],
                                    page_number: int, page_size: int, max_results: Optional[int],
                                    next_token: Optional[str]) -> dict:
    """``CloudAssistantStatus`` is "true" while the agent answers: a running instance with the agent (every instance
    has it, but one :func:`mockecs.world.commands.remove_agent` took it from, until InstallCloudAssistant), a
    connected managed instance (``mi-...``)."""
    if not instance_id:
        raise MISSING_INSTANCE
    if len(instance_id) > 100:
        raise TOO_MANY_INSTANCES
    page_args(page_number, page_size, max_results)
    found = []
    for record in (target(ctx, i, INSTANCE_NOT_FOUND) for i in dict.fromkeys(instance_id)):
        os_name = record.get("_os_name") or \
            ("Windows" if (record.get("OSType") or "linux").lower() == "windows" else "Linux")
        if os_type and os_type.lower() != os_name.lower():
            continue
        answers = not commands.unreachable(record)
        count, last = commands.invocations_on(ctx, record["InstanceId"])
        found.append({"InstanceId": record["InstanceId"], "OSType": os_name,
                      "CloudAssistantStatus": "true" if answers else "false",
                      "CloudAssistantVersion": commands.agent_version(record),
                      "ActiveTaskCount": 0, "InvocationCount": count,
                      "LastHeartbeatTime": resources.iso(ctx.now) if answers else "",
                      "LastInvokedTime": last, "SupportSessionManager": True})
    page, meta = sliced(found, page_number, page_size, next_token, max_results)
    return {**meta, "InstanceCloudAssistantStatusSet": {"InstanceCloudAssistantStatus": page}}


# -- SendFile and DescribeSendFileResults ----------------------------------------------------------------
FILE_NAME_TOO_LONG = error_kind("FileName.ExceedLimit", "The length of file name exceeds limit.", 403)
FILE_DESCRIPTION_TOO_LONG = error_kind("FileDesc.ExceedLimit", "The length of file description exceeds limit.", 403)
FILE_TOO_LARGE = error_kind("FileSize.ExceedLimit", "The length of file content exceeds limit.", 403)
BAD_TARGET_DIR = error_kind("FileTargetDir.Invalid", "The target directory of file is invalid.", 400)
BAD_FILE_MODE = error_kind("FileMode.Invalid", "The mode of file is invalid.", 400)
FILE_DECODE_ERROR = error_kind("FileContent.DecodeError", "The Content can not be base64 decoded.", 400)
BAD_CONTENT_TYPE = error_kind("FileContentType.Invalid", "The ContentType of file is invalid.", 400)
BAD_FILE_OWNER = error_kind("InvalidParameter.FileOwner", "The specified parameter FileOwner is not valid.", 400)
BAD_FILE_GROUP = error_kind("InvalidParameter.FileGroup", "The specified parameter FileGroup is not valid.", 400)
TOO_MANY_FILE_INSTANCES = error_kind("InstanceIds.ExceedLimit", "The number of instance IDs exceeds the upper "
                                     "limit.", 403)
FILE_INSTANCE_NOT_FOUND = error_kind("InvalidInstance.NotFound", "The specified instances not found.", 404)
FILE_CONTENT_MAX = 32 * 1024  # the content, Base64-encoded (documented)
_FILE_MODE = re.compile(r"^[0-7]{3,4}$")
_WINDOWS_DIR = re.compile(r"^[A-Za-z]:\\")


def _file_content(content: str, content_type: Optional[str]) -> str:
    """The content as DescribeSendFileResults shows it (as sent), checked: Base64 when ContentType says so, at most
    32 KB once encoded."""
    kind = (content_type or "PlainText").lower()
    if kind not in ("plaintext", "base64"):
        raise BAD_CONTENT_TYPE
    if kind == "base64":  # (any bytes: a file need not be text)
        try:
            base64.b64decode(content.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeError, ValueError):
            raise FILE_DECODE_ERROR from None
    size = len(content) if kind == "base64" else len(commands.b64(content))
    if size > FILE_CONTENT_MAX:
        raise FILE_TOO_LARGE
    return content


@operation("SendFile", Repeat("InstanceId"), S("Name", required=True), S("Description"), L("Timeout", default=60),
           S("TargetDir", required=True), S("ContentType"), S("Content", required=True), S("FileOwner"),
           S("FileGroup"), S("FileMode"), B("Overwrite", default=False), TAG, S("ResourceGroupId"), mapping=True)
def send_file(ctx: Context, a: dict) -> dict:
    """A file delivered to each instance: Pending -> Running -> Success on the invocation lifecycle (as a command's
    result: ``engine.lifecycle.delay("invocation", ...)``, ``fail_next("invocation")``), Aborted with
    ``InstanceNotRunning`` on an instance that is not running. Nothing is written anywhere: the content is kept and
    shown by DescribeSendFileResults."""
    if len(a["name"]) > 255:
        raise FILE_NAME_TOO_LONG
    if a["description"] and len(a["description"]) > 512:
        raise FILE_DESCRIPTION_TOO_LONG
    target_dir = a["target_dir"]
    if len(target_dir) > 255 or not (target_dir.startswith("/") or _WINDOWS_DIR.match(target_dir)):
        raise BAD_TARGET_DIR
    if a["file_mode"] and not _FILE_MODE.match(a["file_mode"]):
        raise BAD_FILE_MODE
    if a["file_owner"] and len(a["file_owner"]) > 64:
        raise BAD_FILE_OWNER
    if a["file_group"] and len(a["file_group"]) > 64:
        raise BAD_FILE_GROUP
    content = _file_content(a["content"], a["content_type"])
    tags = _tags(a["tag"])
    group = resource_groups.resolve(ctx, a["resource_group_id"]) if a["resource_group_id"] else ""
    ids = a["instance_id"] or []
    if not ids:
        raise MISSING_INSTANCE
    if len(ids) > 50:
        raise TOO_MANY_FILE_INSTANCES
    targets = [target(ctx, i, FILE_INSTANCE_NOT_FOUND) for i in dict.fromkeys(ids)]
    if group and any(t.get("ResourceGroupId") != group for t in targets):  # (documented: the group's instances)
        raise FILE_INSTANCE_NOT_FOUND
    invoke_id = resources.new_id(commands.FILE_INVOCATION, ctx.region)
    now = resources.iso(ctx.now)
    windows = {t["InstanceId"]: (t.get("OSType") or "").lower() == "windows" for t in targets}
    linux_only = all(not w for w in windows.values())
    resources.put(ctx.txn, commands.FILE_INVOCATION, {
        "InvokeId": invoke_id, "Name": a["name"], "Description": a["description"] or "", "Content": content,
        "ContentType": "Base64" if (a["content_type"] or "").lower() == "base64" else "PlainText",
        "TargetDir": target_dir, "FileOwner": (a["file_owner"] or "root") if linux_only else "",
        "FileGroup": (a["file_group"] or "root") if linux_only else "",
        "FileMode": (a["file_mode"] or "0644") if linux_only else "", "Overwrite": str(a["overwrite"]).lower(),
        "CreationTime": now, "Tags": {"Tag": tags}, "_instances": [t["InstanceId"] for t in targets],
        "_resource_group": group, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    done = {"InvocationStatus": "Success", "InvokeRecordStatus": "Finished", "ExitCode": 0, "ErrorCode": "",
            "ErrorInfo": "", "Dropped": 0, "_output": ""}
    for index, instance in enumerate(targets):
        base = {"_id": f"{invoke_id}/{instance['InstanceId']}", "InvokeId": invoke_id,
                "InstanceId": instance["InstanceId"], "InvocationStatus": "Pending", "CreationTime": now,
                "UpdateTime": now, "StartTime": "", "FinishedTime": "", "ErrorCode": "", "ErrorInfo": "",
                "_index": index, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
        reason = commands.unreachable(instance)
        result = commands.start_result(ctx, base, commands.aborted(reason) if reason else done, not reason)
        resources.put(ctx.txn, commands.FILE_RESULT, result)
    return {"InvokeId": invoke_id}


def _file_view(ctx: Context, record: Mapping[str, Any]) -> dict:
    results = commands.results_of(ctx, record, commands.FILE_RESULT)
    return {
        "InvokeId": record["InvokeId"], "Name": record["Name"], "Description": record["Description"],
        "Content": record["Content"], "ContentType": record["ContentType"], "TargetDir": record["TargetDir"],
        "FileOwner": record["FileOwner"], "FileGroup": record["FileGroup"], "FileMode": record["FileMode"],
        "Overwrite": record["Overwrite"], "CreationTime": record["CreationTime"], "VmCount": len(results),
        "InvocationStatus": commands.overall(r["InvocationStatus"] for r in results),
        "InvokeInstances": {"InvokeInstance": [{
            "InstanceId": r["InstanceId"], "InvocationStatus": r["InvocationStatus"],
            "CreationTime": r["CreationTime"], "StartTime": r["StartTime"], "FinishTime": r["FinishedTime"],
            "UpdateTime": r["UpdateTime"], "ErrorCode": r["ErrorCode"], "ErrorInfo": r["ErrorInfo"]}
            for r in results]},
        "Tags": {"Tag": [dict(t) for t in resources.tags_of(record)]},
    }


@operation("DescribeSendFileResults", S("InvokeId"), S("Name"), S("InstanceId"), S("InvocationStatus"),
           S("ResourceGroupId"), TAG, L("PageNumber", default=1, error=("InvalidParam.PageNumber", 400)),
           L("PageSize", default=10, error=("InvalidParam.PageSize", 400)),
           L("MaxResults", error=("InvalidParameter.MaxResults", 400)), S("NextToken"))
def describe_send_file_results(ctx: Context, invoke_id: Optional[str], name: Optional[str],
                               instance_id: Optional[str], invocation_status: Optional[str],
                               resource_group_id: Optional[str], tag: Optional[list[dict]], page_number: int,
                               page_size: int, max_results: Optional[int], next_token: Optional[str]) -> dict:
    """Newest first; the filters narrow through the instance, name and resource-group indexes; the overall
    status is computed from the results (a status filter keeps those whose status matches)."""
    tags = wanted_tags(tag)
    term = _narrowest(ctx, instance=instance_id, file_name=name)
    if resource_group_id and not (instance_id or name):
        term = ("resource_group", resource_group_id)
    named = sum(bool(v) for v in (instance_id, name))
    filtered = named > 1 or invocation_status or resource_group_id or tags or invoke_id
    keep = (lambda r: (not name or r["Name"] == name)
            and (not instance_id or instance_id in r["_instances"])
            and (not resource_group_id or r["_resource_group"] == resource_group_id)
            and (not invocation_status or commands.overall(
                x["InvocationStatus"] for x in commands.results_of(ctx, r, commands.FILE_RESULT)) == invocation_status)
            and resources.match_tags(r, tags)) if filtered else None
    page, meta = listing(ctx, commands.FILE_INVOCATION, term, keep, page_number, page_size, next_token,
                          max_results, by_id=invoke_id)
    return {**meta, "Invocations": {"Invocation": [_file_view(ctx, r) for r in page]}}

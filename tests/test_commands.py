"""Cloud Assistant (RunCommand, InvokeCommand, CreateCommand, DescribeCommands, ModifyCommand, DeleteCommand,
DescribeInvocations, DescribeInvocationResults, StopInvocation, DescribeCloudAssistantStatus): what an image
pipeline runs on its build instance, through the real SDKs."""
from __future__ import annotations

import asyncio
import base64
import json
import re

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateCommandRequest import CreateCommandRequest
from aliyunsdkecs.request.v20140526.DescribeCommandsRequest import DescribeCommandsRequest
from aliyunsdkecs.request.v20140526.DescribeInvocationResultsRequest import DescribeInvocationResultsRequest
from aliyunsdkecs.request.v20140526.DescribeInvocationsRequest import DescribeInvocationsRequest
from aliyunsdkecs.request.v20140526.InvokeCommandRequest import InvokeCommandRequest
from aliyunsdkecs.request.v20140526.RunCommandRequest import RunCommandRequest

from mockecs.state.hookspecs import hookimpl
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, SECOND, WINDOWS, assert_documented, old_error, run

ACCOUNT = "1234567890123456"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def run_command(client, instance_ids, content="echo hello", command_type="RunShellScript", **kw):
    return client.run_command(models.RunCommandRequest(
        region_id=kw.pop("region_id", REGION), type=command_type, command_content=content,
        instance_id=list(instance_ids), **kw)).body


def results(client, **kw) -> dict:
    return client.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, **kw)).body.to_map()["Invocation"]


def invocations(client, **kw) -> dict:
    return client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, **kw)).body.to_map()


def commands_page(client, **kw) -> dict:
    return client.describe_commands(models.DescribeCommandsRequest(region_id=REGION, **kw)).body.to_map()


def stop(client, instance_id):
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))


@pytest.fixture
def instance(client):
    return run(client)[0]


class Script:
    """A mockecs_command_result plugin: ``echo X`` prints X, ``exit N`` returns N."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def mockecs_command_result(self, account, region, instance_id, command_type, command_content, parameters):
        self.calls.append((account, region, instance_id, command_type, command_content, parameters))
        if command_content.startswith("echo "):
            return {"exit_code": 0, "output": command_content[5:] + "\n"}
        if command_content.startswith("exit "):
            return {"exit_code": int(command_content[5:]), "output": "boom\n"}
        return None


@pytest.fixture
def script(engine):
    plugin = Script()
    engine.plugins.register(plugin)
    yield plugin
    engine.plugins.unregister(plugin)


# -- the pipeline's flow ------------------------------------------------------------------------------
def test_pipeline_runs_a_command_polls_until_finished_then_images(client, engine, script):
    instance_id = run(client)[0]
    engine.lifecycle.delay("invocation", observations=2)
    body = run_command(client, [instance_id], b64("echo hello"), content_encoding="Base64", name="update",
                       timeout=600)
    assert re.match(r"^c-[a-z0-9]{20}$", body.command_id) and re.match(r"^t-[a-z0-9]{20}$", body.invoke_id)
    seen = []
    for _ in range(10):
        item = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"][0]
        seen.append((item["InvocationStatus"], item["InvokeRecordStatus"]))
        if item["InvokeRecordStatus"] == "Finished":
            break
    assert seen == [("Pending", "Pending"), ("Running", "Running"), ("Running", "Running"),
                    ("Success", "Finished")]
    assert base64.b64decode(item["Output"]).decode() == "hello\n"
    assert item["ExitCode"] == 0 and item["ErrorCode"] == "" and item["Repeats"] == 1 and item["Dropped"] == 0
    assert item["InstanceId"] == instance_id and item["CommandId"] == body.command_id
    assert SECOND.match(item["StartTime"]) and SECOND.match(item["FinishedTime"])
    assert script.calls == [(ACCOUNT, REGION, instance_id, "RunShellScript", "echo hello", {})]
    # not kept: the command is not listed, and cannot be invoked again
    assert commands_page(client)["TotalCount"] == 0
    err = error_of(lambda: client.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=body.command_id, instance_id=[instance_id])))
    assert_documented("InvokeCommand", err)
    assert err.code == "InvalidCmdId.NotFound"
    stop(client, instance_id)
    image_id = client.create_image(models.CreateImageRequest(region_id=REGION, instance_id=instance_id,
                                                             image_name="built")).body.image_id
    assert image_id.startswith("m-")


def test_invocation_with_seconds_and_describe_invocations(client, engine, instance):
    engine.lifecycle.delay("invocation", seconds=10)
    body = run_command(client, [instance], "yum update -y", name="upd", description="update packages",
                       keep_command=True)
    inv = invocations(client, invoke_id=body.invoke_id)
    assert inv["TotalCount"] == 1
    item = inv["Invocations"]["Invocation"][0]
    assert (item["InvocationStatus"], item["InvokeStatus"]) == ("Pending", "Pending")
    assert item["CommandName"] == "upd" and item["CommandDescription"] == "update packages"
    assert base64.b64decode(item["CommandContent"]).decode() == "yum update -y"
    assert item["RepeatMode"] == "Once" and item["Timed"] is False and item["Timeout"] == 60
    assert item["Parameters"] == "{}" and item["CommandType"] == "RunShellScript"
    one = item["InvokeInstances"]["InvokeInstance"][0]
    assert "Output" not in one and one["InstanceInvokeStatus"] == "Pending" and one["Repeats"] == 0
    engine.clock.advance(10)
    item = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert (item["InvocationStatus"], item["InvokeStatus"]) == ("Running", "Running")
    engine.clock.advance(10)
    item = invocations(client, invoke_id=body.invoke_id, include_output=True,
                       content_encoding="PlainText")["Invocations"]["Invocation"][0]
    assert (item["InvocationStatus"], item["InvokeStatus"]) == ("Success", "Finished")
    one = item["InvokeInstances"]["InvokeInstance"][0]
    assert one["InstanceInvokeStatus"] == "Finished" and one["Output"] == "" and one["ExitCode"] == 0
    assert item["CommandContent"] == "yum update -y"
    # kept: listed, invoked once so far
    command = commands_page(client)["Commands"]["Command"][0]
    assert command["CommandId"] == body.command_id and command["InvokeTimes"] == 1


def test_hook_scripts_a_failure(client, script, instance):
    body = run_command(client, [instance], "exit 3")
    item = results(client, invoke_id=body.invoke_id, content_encoding="PlainText")["InvocationResults"][
        "InvocationResult"][0]
    assert (item["InvocationStatus"], item["InvokeRecordStatus"], item["ExitCode"]) == ("Failed", "Failed", 3)
    assert item["ErrorCode"] == "ExitCodeNonzero"
    assert item["ErrorInfo"] == "the command execution exit code is not zero" and item["Output"] == "boom\n"
    inv = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert (inv["InvocationStatus"], inv["InvokeStatus"]) == ("Failed", "Failed")


def test_partial_failure_and_instance_not_running(client, script):
    first, second, third = run(client, amount=3)
    stop(client, third)
    body = run_command(client, [first, second, third], "echo ok")
    rows = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"]
    assert [r["InstanceId"] for r in rows] == [first, second, third]
    assert [r["InvocationStatus"] for r in rows] == ["Success", "Success", "Aborted"]
    assert rows[2]["ErrorCode"] == "InstanceNotRunning"
    assert rows[2]["ErrorInfo"] == "the instance is not running when create task"
    assert len(script.calls) == 2  # nothing runs on the stopped instance
    inv = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert (inv["InvocationStatus"], inv["InvokeStatus"]) == ("PartialFailed", "PartialFailed")


def test_injected_failure(client, engine, instance):
    engine.lifecycle.fail_next("invocation")
    body = run_command(client, [instance], "true")
    item = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"][0]
    assert (item["InvocationStatus"], item["ErrorCode"]) == ("Error", "ExecutionException")
    assert body.invoke_id in engine.lifecycle.failures


def test_output_is_cut_at_24_kib(client, engine, instance):
    class Long:
        @hookimpl
        def mockecs_command_result(self, command_content):
            return {"exit_code": 0, "output": "x" * (24 * 1024 + 5)}

    plugin = Long()
    engine.plugins.register(plugin)
    try:
        body = run_command(client, [instance], "cat big")
    finally:
        engine.plugins.unregister(plugin)
    item = results(client, invoke_id=body.invoke_id, content_encoding="PlainText")["InvocationResults"][
        "InvocationResult"][0]
    assert item["Dropped"] == 5 and len(item["Output"]) == 24 * 1024


# -- parameters ------------------------------------------------------------------------------------------
def test_parameters_fill_the_placeholders(client, script, instance):
    body = run_command(client, [instance], "echo {{ greeting }} {{name}} on {{ACS::InstanceId}}", enable_parameter=True,
                       parameters={"greeting": "hi", "name": "Jack"}, keep_command=True)
    assert script.calls[-1][4] == f"echo hi Jack on {instance}"
    assert script.calls[-1][5] == {"greeting": "hi", "name": "Jack"}
    item = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert json.loads(item["Parameters"]) == {"greeting": "hi", "name": "Jack"}
    command = commands_page(client, command_id=body.command_id)["Commands"]["Command"][0]
    assert command["EnableParameter"] is True
    assert command["ParameterNames"]["ParameterName"] == ["greeting", "name"]
    # InvokeCommand: every parameter must have a value
    err = error_of(lambda: client.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=body.command_id, instance_id=[instance], parameters={"name": "x"})))
    assert_documented("InvokeCommand", err)
    assert err.code == "Parameter.MissingValue"
    client.invoke_command(models.InvokeCommandRequest(region_id=REGION, command_id=body.command_id,
                                                      instance_id=[instance],
                                                      parameters={"name": "Ann", "greeting": "yo"}))
    assert script.calls[-1][4] == f"echo yo Ann on {instance}"


@pytest.mark.parametrize("kw, code", [
    ({"parameters": {"a": "b"}}, "Parameter.Disabled"),
    ({"enable_parameter": True, "parameters": {"other": "b"}}, "Parameter.NotMatched"),
    ({"enable_parameter": True, "parameters": {"name": 1}}, "ParameterType.NotSupported"),
    ({"enable_parameter": True, "content": "echo {{}}"}, "CmdParam.EmptyKey"),
    ({"enable_parameter": True, "content": "echo {{a b}}"}, "CmdParam.InvalidParamName"),
    ({"enable_parameter": True, "content": "echo {{" + "a" * 65 + "}}"}, "CmdParamName.ExceedLimit"),
    ({"enable_parameter": True, "content": " ".join(f"{{{{p{n}}}}}" for n in range(21))}, "CmdParamCount.ExceedLimit"),
])
def test_parameter_errors(client, instance, kw, code):
    content = kw.pop("content", "echo {{name}}")
    err = error_of(lambda: run_command(client, [instance], content, **kw))
    assert err.code == code
    assert_documented("RunCommand", err)


# -- documented errors -----------------------------------------------------------------------------------
def test_run_command_errors(client, engine, other, instance):
    def bad(code, ids=(instance,), content="ls", **kw):
        err = error_of(lambda: run_command(client, ids, content, **kw))
        assert err.code == code, (err.code, err.message)
        assert_documented("RunCommand", err)

    bad("InvalidCmdType.NotFound", command_type="RunPythonScript")
    bad("InvalidInstance.NotMatch", command_type="RunPowerShellScript")
    bad("CmdContent.DecodeError", content="not base64!", content_encoding="base64")
    bad("CmdContent.ExceedLimit", content="x" * 19 * 1024)
    bad("CmdContent.ExceedLimit", content="x" * 14 * 1024, keep_command=True)
    bad("CmdName.ExceedLimit", name="n" * 129)
    bad("CmdDesc.ExceedLimit", description="d" * 513)
    bad("InvalidParameter.WorkingDir", working_dir="/" * 201)
    bad("MissingParam.InstanceId", ids=())
    bad("InstanceIds.ExceedLimit", ids=[f"i-{n}" for n in range(101)])
    bad("InvalidInstance.NotFound", ids=("i-nothere",))
    other_instance = run(other.client)[0]
    bad("InvalidInstance.NotFound", ids=(other_instance,))
    bad("InvalidRepeatMode.NotFound", repeat_mode="Sometimes")
    bad("MissingParam.Frequency", repeat_mode="Period")
    for frequency in ("rate(30s)", "rate(8d)", "at(tomorrow)", "every day", f"rate({'9' * 5000}s)"):
        bad("InvalidParam.Frequency", frequency=frequency)
    bad("InvalidTerminationMode.NotFound", termination_mode="Kill")
    bad("InvalidContainerId.Malformed", container_id="abc")
    bad("InvalidContainerName.Malformed", container_name="-bad")
    bad("Username.ExceedLimit", username="u" * 256)
    bad("InvalidResourceGroup.NotFound", resource_group_id="rg-nothere")
    bad("NumberExceed.Tags", tag=[models.RunCommandRequestTag(key=f"k{n}", value="v") for n in range(21)])
    bad("Duplicate.TagKey", tag=[models.RunCommandRequestTag(key="k", value="v")] * 2)
    bad("MissingParameter.TagKey", tag=[models.RunCommandRequestTag(value="v")])
    bad("InvalidResourceTag.ConflictWithInstanceIds",
        resource_tag=[models.RunCommandRequestResourceTag(key="k", value="v")])
    bad("InvalidResourceTag.InstanceNotFound", ids=(),
        resource_tag=[models.RunCommandRequestResourceTag(key="k", value="v")])
    engine.config.options["command_quota"] = 0
    bad("CmdCount.ExceedQuota", keep_command=True)
    engine.config.options["command_quota"] = 500
    # nothing was half made
    assert invocations(client)["TotalCount"] == 0 and commands_page(client)["TotalCount"] == 0


def test_windows_commands_need_a_windows_instance(client):
    windows = run(client, image_id=WINDOWS, system_disk=models.RunInstancesRequestSystemDisk(size=40))[0]
    body = run_command(client, [windows], "Get-Date", command_type="RunPowerShellScript")
    assert results(client, invoke_id=body.invoke_id)["TotalCount"] == 1
    err = error_of(lambda: run_command(client, [windows], "ls"))
    assert err.code == "InvalidInstance.NotMatch"
    err = error_of(lambda: run_command(client, [windows], "dir", command_type="RunBatScript", username="builder"))
    assert_documented("RunCommand", err)
    assert err.code == "WindowsPasswordName.Missed"


def test_resource_tag_selects_the_tagged_instances(client, script):
    tagged = run(client, tag=[models.RunInstancesRequestTag(key="role", value="builder")])[0]
    run(client)
    body = run_command(client, [], "echo x", resource_tag=[models.RunCommandRequestResourceTag(key="role",
                                                                                             value="builder")])
    rows = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"]
    assert [r["InstanceId"] for r in rows] == [tagged]


# -- commands ------------------------------------------------------------------------------------------
def test_create_describe_modify_invoke_delete(client, engine, script, instance):
    command_id = client.create_command(models.CreateCommandRequest(
        region_id=REGION, name="hello", type="RunShellScript", command_content=b64("echo created"),
        content_encoding="Base64", working_dir="/tmp", timeout=120,
        tag=[models.CreateCommandRequestTag(key="team", value="img")])).body.command_id
    command = commands_page(client, command_id=command_id)["Commands"]["Command"][0]
    assert command["Name"] == "hello" and command["Timeout"] == 120 and command["WorkingDir"] == "/tmp"
    assert base64.b64decode(command["CommandContent"]).decode() == "echo created"
    assert command["InvokeTimes"] == 0 and command["EnableParameter"] is False
    assert command["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "img"}]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$", command["CreationTime"])
    assert command["ResourceGroupId"].startswith("rg-")
    plain = commands_page(client, content_encoding="PlainText")["Commands"]["Command"][0]
    assert plain["CommandContent"] == "echo created"
    client.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id, name="hello2",
                                                      command_content=b64("echo modified"), timeout=30))
    invoke_id = client.invoke_command(models.InvokeCommandRequest(region_id=REGION, command_id=command_id,
                                                                  instance_id=[instance])).body.invoke_id
    assert script.calls[-1][4] == "echo modified"
    item = invocations(client, invoke_id=invoke_id)["Invocations"]["Invocation"][0]
    assert item["CommandName"] == "hello2" and item["Timeout"] == 30 and item["WorkingDir"] == "/tmp"
    assert commands_page(client, name="hell*")["TotalCount"] == 1
    assert commands_page(client, name="hell")["TotalCount"] == 0
    assert commands_page(client, command_id=command_id)["Commands"]["Command"][0]["InvokeTimes"] == 1
    assert commands_page(client, provider="AlibabaCloud")["TotalCount"] == 0
    assert invocations(client, command_id=command_id)["TotalCount"] == 1
    # in use while an invocation runs
    engine.lifecycle.delay("invocation", seconds=60)
    client.invoke_command(models.InvokeCommandRequest(region_id=REGION, command_id=command_id,
                                                      instance_id=[instance]))
    err = error_of(lambda: client.delete_command(models.DeleteCommandRequest(region_id=REGION,
                                                                            command_id=command_id)))
    assert_documented("DeleteCommand", err)
    assert err.code == "InvalidStatus.CmdIdInUse"
    engine.clock.advance(120)
    client.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id=command_id))
    assert commands_page(client)["TotalCount"] == 0
    err = error_of(lambda: client.delete_command(models.DeleteCommandRequest(region_id=REGION,
                                                                            command_id=command_id)))
    assert_documented("DeleteCommand", err)
    assert err.code == "InvalidCmdId.NotFound"
    assert invocations(client, command_id=command_id)["TotalCount"] == 2  # the history stays


def test_modify_and_create_errors(client, other):
    def created(**kw):
        kw = {"name": "n", "type": "RunShellScript", **kw}
        return client.create_command(models.CreateCommandRequest(region_id=REGION, command_content="ls",
                                                                 **kw)).body.command_id

    command_id = created()
    err = error_of(lambda: created(name="x" * 129))
    assert_documented("CreateCommand", err)
    assert err.code == "CmdName.ExceedLimit"
    err = error_of(lambda: created(type="Bash"))
    assert_documented("CreateCommand", err)
    err = error_of(lambda: client.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id,
                                                                            description="d" * 513)))
    assert_documented("ModifyCommand", err)
    assert err.code == "CmdDesc.ExceedLimit"
    err = error_of(lambda: other.client.modify_command(models.ModifyCommandRequest(
        region_id=REGION, command_id=command_id, name="mine")))
    assert_documented("ModifyCommand", err)
    assert err.code == "InvalidCmdId.NotFound"
    assert commands_page(other.client)["TotalCount"] == 0


def test_stop_invocation(client, engine, instance):
    engine.lifecycle.delay("invocation", seconds=30)
    second = run(client)[0]
    body = run_command(client, [instance, second], "sleep 100")
    engine.clock.advance(30)  # running now
    client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=body.invoke_id,
                                                        instance_id=[instance]))
    rows = {r["InstanceId"]: r for r in results(client, invoke_id=body.invoke_id)["InvocationResults"][
        "InvocationResult"]}
    assert rows[instance]["InvocationStatus"] == "Terminated" and rows[instance]["InvokeRecordStatus"] == "Stopped"
    assert SECOND.match(rows[instance]["StopTime"]) and rows[second]["InvocationStatus"] == "Running"
    engine.clock.advance(100)
    inv = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert [i["InvocationStatus"] for i in inv["InvokeInstances"]["InvokeInstance"]] == ["Terminated", "Success"]
    assert (inv["InvocationStatus"], inv["InvokeStatus"]) == ("Success", "Finished")
    err = error_of(lambda: client.stop_invocation(models.StopInvocationRequest(region_id=REGION,
                                                                              invoke_id="t-nothere")))
    assert_documented("StopInvocation", err)
    assert err.code == "InvalidInvokeId.NotFound"


def test_scheduled_invocations_are_stored_not_run(client, script, instance):
    body = run_command(client, [instance], "echo later", frequency="rate(5m)")
    item = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert (item["RepeatMode"], item["Frequency"], item["Timed"]) == ("Period", "rate(5m)", True)
    assert (item["InvocationStatus"], item["InvokeStatus"]) == ("Scheduled", "Running")
    assert script.calls == []
    boot = run_command(client, [instance], "echo boot", repeat_mode="EveryReboot")
    assert invocations(client, timed=True)["TotalCount"] == 2
    client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=body.invoke_id))
    item = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert (item["InvocationStatus"], item["InvokeStatus"], item["Timed"]) == ("Stopped", "Stopped", False)
    assert invocations(client, timed=True)["TotalCount"] == 1 and invocations(client, timed=False)["TotalCount"] == 1
    row = results(client, invoke_id=boot.invoke_id)["InvocationResults"]["InvocationResult"][0]
    assert (row["InvocationStatus"], row["InvokeRecordStatus"]) == ("Scheduled", "Running")


def test_cloud_assistant_status(client, instance):
    stopped = run(client)[0]
    stop(client, stopped)
    run_command(client, [instance], "ls")
    body = client.describe_cloud_assistant_status(models.DescribeCloudAssistantStatusRequest(
        region_id=REGION, instance_id=[instance, stopped])).body.to_map()
    found = {s["InstanceId"]: s for s in body["InstanceCloudAssistantStatusSet"]["InstanceCloudAssistantStatus"]}
    assert found[instance]["CloudAssistantStatus"] == "true" and found[instance]["OSType"] == "Linux"
    assert found[instance]["InvocationCount"] == 1 and found[stopped]["CloudAssistantStatus"] == "false"
    assert body["TotalCount"] == 2
    err = error_of(lambda: client.describe_cloud_assistant_status(models.DescribeCloudAssistantStatusRequest(
        region_id=REGION)))
    assert_documented("DescribeCloudAssistantStatus", err)
    assert err.code == "MissingParam.InstanceId"


# -- idempotence, paging ---------------------------------------------------------------------------------
def test_client_token_makes_run_command_idempotent(client, instance):
    first = run_command(client, [instance], "ls", client_token="tok-1", keep_command=True)
    again = run_command(client, [instance], "ls", client_token="tok-1", keep_command=True)
    assert (again.command_id, again.invoke_id) == (first.command_id, first.invoke_id)
    assert invocations(client)["TotalCount"] == 1 and commands_page(client)["TotalCount"] == 1
    err = error_of(lambda: run_command(client, [instance], "pwd", client_token="tok-1"))
    assert_documented("RunCommand", err)
    assert err.code == "IdempotentParameterMismatch" and err.status_code == 403


def test_paging_by_number_and_token(client, engine, instance):
    made = []
    for n in range(5):
        made.append(run_command(client, [instance], f"echo {n}", keep_command=True))
        engine.clock.advance(1)
    newest_first = [b.invoke_id for b in reversed(made)]
    page = invocations(client, page_size=2, page_number=2)
    assert page["TotalCount"] == 5 and page["PageNumber"] == 2 and page["PageSize"] == 2
    assert [i["InvokeId"] for i in page["Invocations"]["Invocation"]] == newest_first[2:4]
    token_pages, token = [], None
    while True:
        page = invocations(client, max_results=2, next_token=token)
        token_pages += [i["InvokeId"] for i in page["Invocations"]["Invocation"]]
        token = page["NextToken"]
        if not token:
            break
    assert token_pages == newest_first
    rows = results(client, instance_id=instance, page_size=3)
    assert rows["TotalCount"] == 5 and [r["InvokeId"] for r in rows["InvocationResults"]["InvocationResult"]] == \
        newest_first[:3]
    assert [c["CommandId"] for c in commands_page(client, max_results=5)["Commands"]["Command"]] == \
        [b.command_id for b in reversed(made)]
    for call, action in ((invocations, "DescribeInvocations"), (results, "DescribeInvocationResults"),
                         (commands_page, "DescribeCommands")):
        for kw, code in (({"page_size": 51}, "InvalidParam.PageSize"), ({"page_number": 0}, "InvalidParam.PageNumber"),
                         ({"max_results": 51}, "InvalidParameter.MaxResults"),
                         ({"next_token": "forged"}, "InvalidParameter.NextToken")):
            err = error_of(call, client, **kw)
            assert err.code == code, (action, kw, err.code)
            assert_documented(action, err)


def test_filters(client, engine, script, instance):
    ok = run_command(client, [instance], "echo ok", name="good")
    bad = run_command(client, [instance], "exit 1", name="bad")
    assert [i["InvokeId"] for i in invocations(client, invoke_status="Failed")["Invocations"]["Invocation"]] == \
        [bad.invoke_id]
    assert [i["InvokeId"] for i in invocations(client, invoke_status="Finished")["Invocations"]["Invocation"]] == \
        [ok.invoke_id]
    assert invocations(client, command_name="good")["TotalCount"] == 1
    rows = results(client, invoke_record_status="Failed")["InvocationResults"]["InvocationResult"]
    assert [r["InvokeId"] for r in rows] == [bad.invoke_id]
    assert results(client, command_id=ok.command_id)["TotalCount"] == 1
    assert invocations(client, instance_id=instance, command_id=ok.command_id)["TotalCount"] == 1


# -- the other SDK flavours ------------------------------------------------------------------------------
def test_old_sdk_flow(legacy, client, script):
    instance_id = run(client)[0]
    request = CreateCommandRequest()
    request.set_Name("legacy")
    request.set_Type("RunShellScript")
    request.set_CommandContent(b64("echo legacy"))
    request.set_ContentEncoding("Base64")
    command_id = legacy_call(legacy, request)["CommandId"]
    request = InvokeCommandRequest()
    request.set_CommandId(command_id)
    request.set_InstanceIds([instance_id])
    invoke_id = legacy_call(legacy, request)["InvokeId"]
    request = DescribeInvocationResultsRequest()
    request.set_InvokeId(invoke_id)
    item = legacy_call(legacy, request)["Invocation"]["InvocationResults"]["InvocationResult"][0]
    assert base64.b64decode(item["Output"]).decode() == "legacy\n"
    request = RunCommandRequest()
    request.set_Type("RunShellScript")
    request.set_CommandContent("echo again")
    request.set_InstanceIds([instance_id])
    request.set_EnableParameter(True)
    request.set_CommandContent("echo {{name}}")
    request.set_Parameters({"name": "old sdk"})  # sent as the dict's str(), in single quotes
    assert legacy_call(legacy, request)["InvokeId"].startswith("t-")
    assert script.calls[-1][4:] == ("echo old sdk", {"name": "old sdk"})
    request = DescribeCommandsRequest()
    assert legacy_call(legacy, request)["TotalCount"] == 1
    request = RunCommandRequest()
    request.set_Type("RunShellScript")
    request.set_CommandContent("ls")
    request.set_InstanceIds(["i-nothere"])
    err = old_error(legacy, request)
    assert_documented("RunCommand", err)


def test_xml_lists(legacy, client, script):
    instance_id = run(client)[0]
    body = run_command(client, [instance_id], "echo xml", keep_command=True)
    request = DescribeInvocationsRequest()
    request.set_InvokeId(body.invoke_id)
    request.set_IncludeOutput(True)
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeInvocationsResponse"
    assert root.find("Invocations/Invocation/InvokeId").text == body.invoke_id
    assert root.find("Invocations/Invocation/InvokeInstances/InvokeInstance/InstanceId").text == instance_id
    request = DescribeInvocationResultsRequest()
    request.set_InvokeId(body.invoke_id)
    root = legacy_xml(legacy, request)
    output = root.find("Invocation/InvocationResults/InvocationResult/Output").text
    assert base64.b64decode(output).decode() == "xml\n"
    request = DescribeCommandsRequest()
    root = legacy_xml(legacy, request)
    assert root.find("Commands/Command/CommandId").text == body.command_id
    assert root.find("Commands/Command/ParameterNames") is not None


def test_async_run_command(client, instance):
    async def go():
        body = (await client.run_command_async(models.RunCommandRequest(
            region_id=REGION, type="RunShellScript", command_content="uptime", instance_id=[instance]))).body
        found = await client.describe_invocation_results_async(models.DescribeInvocationResultsRequest(
            region_id=REGION, invoke_id=body.invoke_id))
        return found.body.invocation.invocation_results.invocation_result[0]

    item = asyncio.run(go())
    assert item.invocation_status == "Success" and item.exit_code == 0


def test_every_documented_field_is_answered(client, engine, script):
    from tests.spec import response_problems

    instance_id = run(client)[0]
    body = run_command(client, [instance_id], "echo x", keep_command=True)
    answers = {
        "DescribeInvocations": invocations(client, invoke_id=body.invoke_id, include_output=True),
        "DescribeInvocationResults": {"RequestId": "R", "Invocation": results(client, invoke_id=body.invoke_id)},
        "DescribeCommands": commands_page(client),
        "DescribeCloudAssistantStatus": client.describe_cloud_assistant_status(
            models.DescribeCloudAssistantStatusRequest(region_id=REGION, instance_id=[instance_id])).body.to_map(),
    }
    problems = {action: response_problems(action, answer) for action, answer in answers.items()}
    # (Version and Latest: "not returned for commands you create", as documented)
    assert problems.pop("DescribeCommands") == [
        "DescribeCommands.Commands.Command[0].Version: documented, not answered",
        "DescribeCommands.Commands.Command[0].Latest: documented, not answered"]
    assert {a: p for a, p in problems.items() if p} == {}


def test_invoke_command_settings_and_errors(client, engine, instance):
    command_id = client.create_command(models.CreateCommandRequest(
        region_id=REGION, name="p", type="RunShellScript", command_content="echo {{who}}", enable_parameter=True,
        timeout=100)).body.command_id

    def invoke(**kw):
        kw = {"instance_id": [instance], **kw}
        return client.invoke_command(models.InvokeCommandRequest(region_id=REGION, command_id=command_id,
                                                                 **kw)).body.invoke_id

    invoke_id = invoke(parameters={"who": "me"}, timeout=5, username="builder", client_token="inv-1")
    assert invoke(parameters={"who": "me"}, timeout=5, username="builder", client_token="inv-1") == invoke_id
    item = invocations(client, invoke_id=invoke_id)["Invocations"]["Invocation"][0]
    assert (item["Timeout"], item["Username"]) == (5, "builder")
    assert results(client, invoke_id=invoke_id)["InvocationResults"]["InvocationResult"][0]["Username"] == "builder"
    for kw, code, status in (({"parameters": {"who": "me", "x": "y"}}, "Parameter.NotMatched", 403),
                             ({"parameters": {"who": "me"}, "username": "u" * 256}, "Username.ExceedLimit", 403),
                             ({"parameters": {"who": "me"}, "client_token": "inv-1"},
                              "IdempotentParameterMismatch", 403),
                             ({"instance_id": [], "parameters": {"who": "me"}}, "MissingParam.InstanceId", 400),
                             ({"command_id": "c-nothere"}, "InvalidCmdId.NotFound", 404)):
        if "command_id" in kw:
            err = error_of(lambda kw=kw: client.invoke_command(models.InvokeCommandRequest(
                region_id=REGION, instance_id=[instance], **kw)))
        else:
            err = error_of(invoke, **kw)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("InvokeCommand", err)
    assert invocations(client)["TotalCount"] == 1


def test_realistic_transitions_take_seconds(client, engine, instance):
    engine.config.transitions = "realistic"
    body = run_command(client, [instance], "ls")
    statuses = []
    for _ in range(3):
        item = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"][0]
        statuses.append(item["InvocationStatus"])
        engine.clock.advance(5)
    assert statuses == ["Pending", "Running", "Success"]
    assert item["StartTime"] < item["FinishedTime"]


def test_launcher_and_oss_output_delivery(client, engine, instance):
    """Launcher (CreateCommand/ModifyCommand, RunCommand, InvokeCommand's own) and OssOutputDelivery are kept and
    answered; an instance's OSS output is Disabled without a delivery, Pending while it runs, Finished after."""
    engine.lifecycle.delay("invocation", seconds=10)
    body = run_command(client, [instance], launcher="python3", oss_output_delivery="oss://logs/runs",
                       keep_command=True)
    item = invocations(client, invoke_id=body.invoke_id)["Invocations"]["Invocation"][0]
    assert (item["Launcher"], item["OssOutputDelivery"]) == ("python3", "oss://logs/runs")
    one = item["InvokeInstances"]["InvokeInstance"][0]
    assert (one["OssOutputStatus"], one["OssOutputUri"], one["OssOutputErrorCode"]) == ("Pending", "", "")
    engine.clock.advance(20)
    [row] = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"]
    assert (row["Launcher"], row["OssOutputDelivery"], row["OssOutputStatus"]) == ("python3", "oss://logs/runs",
                                                                                   "Finished")
    assert row["OssOutputUri"] == f"oss://logs/runs/{body.invoke_id}/{instance}"
    assert commands_page(client, command_id=body.command_id)["Commands"]["Command"][0]["Launcher"] == "python3"
    client.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=body.command_id, launcher="bash"))
    invoked = client.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=body.command_id, instance_id=[instance])).body.invoke_id
    engine.clock.advance(20)
    item = invocations(client, invoke_id=invoked)["Invocations"]["Invocation"][0]
    assert (item["Launcher"], item["OssOutputDelivery"]) == ("bash", "")
    assert item["InvokeInstances"]["InvokeInstance"][0]["OssOutputStatus"] == "Disabled"
    own = client.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=body.command_id, instance_id=[instance], launcher="sh")).body.invoke_id
    assert invocations(client, invoke_id=own)["Invocations"]["Invocation"][0]["Launcher"] == "sh"

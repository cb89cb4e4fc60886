"""Cloud Assistant beyond running commands: ModifyInvocationAttribute, the service settings
(Describe/ModifyCloudAssistantSettings), InstallCloudAssistant with DescribeCloudAssistantStatus, ListPluginStatus,
Session Manager (StartTerminalSession, DescribeTerminalSessions, EndTerminalSession, the sessionManagerStatus switch);
through the real SDKs."""
from __future__ import annotations

import asyncio
import base64
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeCloudAssistantSettingsRequest import DescribeCloudAssistantSettingsRequest
from aliyunsdkecs.request.v20140526.ModifyInvocationAttributeRequest import ModifyInvocationAttributeRequest

from mockecs.world import cloud_assistant, commands, managed_instances
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_commands import commands_page, invocations, results
from tests.test_instances import REGION, WINDOWS, assert_documented, old_error, run

M = models


def periodic(client, instance_ids, content="echo {{name}}", **kw):
    kw.setdefault("repeat_mode", "Period")
    kw.setdefault("frequency", "rate(5m)")
    return client.run_command(M.RunCommandRequest(
        region_id=REGION, type="RunShellScript", command_content=content, enable_parameter=True,
        parameters={"name": "a"}, instance_id=list(instance_ids), **kw)).body


def modify(client, invoke_id, **kw):
    return client.modify_invocation_attribute(M.ModifyInvocationAttributeRequest(region_id=REGION,
                                                                                 invoke_id=invoke_id, **kw)).body


def one_invocation(client, invoke_id) -> dict:
    return invocations(client, invoke_id=invoke_id, content_encoding="PlainText")["Invocations"]["Invocation"][0]


@pytest.fixture
def instance(client):
    return run(client)[0]


# -- ModifyInvocationAttribute ----------------------------------------------------------------------------------
def test_modify_a_scheduled_task(client, engine, instance):
    body = periodic(client, [instance], keep_command=True)
    second = run(client)[0]
    made = managed_instances.register(engine, *_activation(client))
    answer = modify(client, body.invoke_id, command_content=base64.b64encode(b"echo {{name}} {{other}}").decode(),
                    content_encoding="Base64", enable_parameter=True, parameters={"other": "b"},
                    frequency="rate(10m)", instance_id=[second, made, instance])
    assert answer.command_id != body.command_id and answer.command_id.startswith("c-")
    item = one_invocation(client, body.invoke_id)
    assert item["CommandContent"] == "echo {{name}} {{other}}" and item["Frequency"] == "rate(10m)"
    assert json.loads(item["Parameters"]) == {"name": "a", "other": "b"}  # (those left out keep their value)
    assert item["CommandId"] == answer.command_id
    assert [i["InstanceId"] for i in item["InvokeInstances"]["InvokeInstance"]] == [instance, second, made]
    assert {i["InvocationStatus"] for i in item["InvokeInstances"]["InvokeInstance"]} == {"Scheduled"}
    assert results(client, command_id=answer.command_id)["TotalCount"] == 3
    # the command was kept: the new content is a new kept command (documented)
    kept = {c["CommandId"] for c in commands_page(client)["Commands"]["Command"]}
    assert kept == {body.command_id, answer.command_id}
    # only the frequency: the same command
    assert modify(client, body.invoke_id, frequency="rate(1h)").command_id == answer.command_id


def test_a_task_whose_command_was_not_kept_keeps_no_command(client, instance):
    body = periodic(client, [instance], repeat_mode="EveryReboot", frequency=None)
    answer = modify(client, body.invoke_id, command_content="echo {{name}}!")
    assert answer.command_id != body.command_id
    assert commands_page(client)["TotalCount"] == 0
    assert one_invocation(client, body.invoke_id)["CommandContent"] == "echo {{name}}!"


@pytest.mark.parametrize("kw, code", [
    ({"command_content": "!!!", "content_encoding": "Base64"}, "InvalidCommandContent.DecodeError"),
    ({"command_content": "x" * 24 * 1024}, "InvalidCommandContent.LengthLimitExceeded"),
    ({"enable_parameter": True, "parameters": {"nope": "1"}}, "InvalidParameters.KeyNotMatch"),
    ({"enable_parameter": True, "parameters": {"": "1"}}, "InvalidParameters.KeyEmpty"),
    ({"enable_parameter": True, "parameters": {"a b": "1"}}, "InvalidParameters.KeyMalformed"),
    ({"enable_parameter": True, "parameters": {"k" * 65: "1"}}, "InvalidParameters.KeyLengthLimitExceeded"),
    ({"enable_parameter": True, "parameters": {f"k{i}": "1" for i in range(11)}},
     "InvalidParameters.CountLimitExceeded"),
    ({"enable_parameter": True, "parameters": {"name": 1}}, "InvalidParameters.ValueTypeUnsupported"),
    ({"enable_parameter": True, "parameters": {"name": "1", "NAME": "2"}}, "InvalidParameters.KeyDuplicate"),
    ({"frequency": "rate(5s)"}, "InvalidParameter.Frequency"),
    ({"command_content": "echo {{ }}", "enable_parameter": True}, "InvalidParameters.KeyEmpty"),
    ({"command_content": "echo {{a.b}}", "enable_parameter": True}, "InvalidParameters.KeyMalformed"),
    ({"instance_id": ["i-nosuchinstance"]}, "InvalidInstanceId.NotFound"),
])
def test_modify_refusals(client, instance, kw, code):
    body = periodic(client, [instance])
    before = one_invocation(client, body.invoke_id)
    err = error_of(modify, client, body.invoke_id, **kw)
    assert err.code == code
    assert_documented("ModifyInvocationAttribute", err)
    assert one_invocation(client, body.invoke_id) == before  # nothing half-applied


def test_modify_refusals_of_the_task(client, instance):
    once = client.run_command(M.RunCommandRequest(region_id=REGION, type="RunShellScript", command_content="ls",
                                                  instance_id=[instance])).body
    for invoke_id, code in ((once.invoke_id, "InvalidOperation.RepeatModeUnsupported"),
                            ("t-nosuchinvocation", "InvalidInvokeId.NotFound")):
        err = error_of(modify, client, invoke_id, frequency="rate(10m)")
        assert err.code == code
        assert_documented("ModifyInvocationAttribute", err)
    body = periodic(client, [instance])
    client.stop_invocation(M.StopInvocationRequest(region_id=REGION, invoke_id=body.invoke_id))
    err = error_of(modify, client, body.invoke_id, frequency="rate(10m)")
    assert err.code == "InvalidOperation.InvokeAlreadyFinished"
    assert_documented("ModifyInvocationAttribute", err)
    body = periodic(client, [instance])
    windows = run(client, image_id=WINDOWS)[0]
    err = error_of(modify, client, body.invoke_id, instance_id=[windows])
    assert err.code == "InvalidInstanceId.OSTypeUnsupported"
    assert_documented("ModifyInvocationAttribute", err)
    many = run(client, amount=100)
    err = error_of(modify, client, body.invoke_id, instance_id=many)
    assert err.code == "InvalidInstanceId.CountLimitExceeded"
    assert_documented("ModifyInvocationAttribute", err)


def test_an_old_agent_refuses_changes_and_sessions(client, engine, instance):
    activation_id, code = _activation(client)
    old = managed_instances.register(engine, activation_id, code, agent_version="2.2.3.200")
    body = periodic(client, [old])
    err = error_of(modify, client, body.invoke_id, frequency="rate(10m)")
    assert err.code == "InvalidOperation.CloudAssistantVersionUnsupported"
    assert_documented("ModifyInvocationAttribute", err)
    assert modify(client, body.invoke_id, instance_id=[instance]).command_id == body.command_id  # adding is fine
    session_id = client.start_terminal_session(M.StartTerminalSessionRequest(
        region_id=REGION, instance_id=[old])).body.session_id
    connection = sessions(client, session_id=session_id)["Sessions"]["Session"][0]["Connections"]["Connection"][0]
    assert (connection["Status"], connection["ClosedReason"]) == ("Failed", "AgentNeedUpgrade")
    assert status(client, old)["CloudAssistantVersion"] == "2.2.3.200"
    cloud_assistant.add_plugin(engine, old, "tool")
    found = client.list_plugin_status(M.ListPluginStatusRequest(region_id=REGION, instance_id=[old])).body
    assert found.instance_plugin_status_set.instance_plugin_status[0].plugin_status_set.plugin_status == []
    freebsd = managed_instances.register(engine, activation_id, code, os_type="freebsd")
    assert status(client, freebsd)["OSType"] == "FreeBSD"


def test_modify_with_the_old_sdk(legacy, client, instance):
    body = periodic(client, [instance])
    request = ModifyInvocationAttributeRequest()
    request.set_InvokeId(body.invoke_id)
    request.set_EnableParameter(True)
    request.set_Parameters(json.dumps({"name": "z"}))
    assert legacy_call(legacy, request)["CommandId"] == body.command_id
    assert json.loads(one_invocation(client, body.invoke_id)["Parameters"]) == {"name": "z"}
    request = ModifyInvocationAttributeRequest()
    request.set_InvokeId(body.invoke_id)
    request.set_Frequency("every day")
    err = old_error(legacy, request)
    assert err.get_error_code() == "InvalidParameter.Frequency"


def _activation(client) -> tuple[str, str]:
    made = client.create_activation(M.CreateActivationRequest(region_id=REGION)).body
    return made.activation_id, made.activation_code


# -- settings ----------------------------------------------------------------------------------------------------
def settings(client, *types) -> dict:
    body = client.describe_cloud_assistant_settings(M.DescribeCloudAssistantSettingsRequest(
        region_id=REGION, setting_type=list(types))).body.to_map()
    if "AgentUpgradeConfig" in types:  # (the objects of types not asked for are not answered)
        assert response_problems("DescribeCloudAssistantSettings", body) == []
    return body


def test_settings_defaults_changes_and_scope(client, other):
    body = settings(client, "SessionManagerDelivery", "InvocationDelivery", "AgentUpgradeConfig")
    assert [c["DeliveryType"] for c in body["OssDeliveryConfigs"]["OssDeliveryConfig"]] == \
        ["SessionManager", "Invocation"]
    assert body["OssDeliveryConfigs"]["OssDeliveryConfig"][0]["Enabled"] is False
    assert body["AgentUpgradeConfig"]["Enabled"] is False
    client.modify_cloud_assistant_settings(M.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type="SessionManagerDelivery",
        oss_delivery_config=M.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(
            enabled=True, bucket_name="audit-bucket", prefix="sessions/", encryption_type="OssManaged",
            encryption_algorithm="AES256"),
        sls_delivery_config=M.ModifyCloudAssistantSettingsRequestSlsDeliveryConfig(
            enabled=True, project_name="audit", logstore_name="sessions")))
    client.modify_cloud_assistant_settings(M.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type="AgentUpgradeConfig",
        agent_upgrade_config=M.ModifyCloudAssistantSettingsRequestAgentUpgradeConfig(
            enabled=True, allowed_upgrade_window=["02:00-03:00", "23:30-00:30"], time_zone="GMT+8:00")))
    body = settings(client, "SessionManagerDelivery", "AgentUpgradeConfig")
    assert body["OssDeliveryConfigs"]["OssDeliveryConfig"] == [{
        "DeliveryType": "SessionManager", "Enabled": True, "BucketName": "audit-bucket", "Prefix": "sessions/",
        "EncryptionType": "OssManaged", "EncryptionAlgorithm": "AES256", "EncryptionKeyId": ""}]
    assert body["SlsDeliveryConfigs"]["SlsDeliveryConfig"] == [{
        "DeliveryType": "SessionManager", "Enabled": True, "ProjectName": "audit", "LogstoreName": "sessions"}]
    assert body["AgentUpgradeConfig"]["AllowedUpgradeWindows"]["AllowedUpgradeWindow"] == \
        ["02:00-03:00", "23:30-00:30"]
    # per account and region: the other delivery, another region and another account keep the defaults
    assert settings(client, "InvocationDelivery")["OssDeliveryConfigs"]["OssDeliveryConfig"][0]["Enabled"] is False
    elsewhere = client.describe_cloud_assistant_settings(M.DescribeCloudAssistantSettingsRequest(
        region_id="cn-beijing", setting_type=["AgentUpgradeConfig"])).body
    assert elsewhere.agent_upgrade_config.enabled is False
    assert settings(other.client, "AgentUpgradeConfig")["AgentUpgradeConfig"]["Enabled"] is False


@pytest.mark.parametrize("setting_type, field, value, code", [
    ("Nope", None, None, "InvalidParameter.SettingType"),
    ("InvocationDelivery", "oss", {"EncryptionType": "Plain"}, "InvalidParameter.OssEncryptionType"),
    ("InvocationDelivery", "oss", {"EncryptionAlgorithm": "DES"}, "InvalidParameter.OssEncryptionAlgorithm"),
    ("InvocationDelivery", "oss", {"EncryptionType": "KMS"}, "InvalidParameter.OssEncryptionKeyId"),
    ("InvocationDelivery", "oss", {"BucketName": "Bad_Bucket"}, "InvalidParameter.OssBucketName"),
    ("InvocationDelivery", "oss", {"Prefix": "/abs"}, "InvalidParameter.OssPrefix"),
    ("InvocationDelivery", "sls", {"ProjectName": "x"}, "InvalidParameter.SlsProjectName"),
    ("InvocationDelivery", "sls", {"LogstoreName": "A!"}, "InvalidParameter.SlsLogstoreName"),
    ("AgentUpgradeConfig", "upgrade", {"AllowedUpgradeWindow": ["2-3"]}, "InvalidParameter.AllowedUpgradeWindow"),
    ("AgentUpgradeConfig", "upgrade", {"AllowedUpgradeWindow": ["02:00-02:30"]},
     "InvalidAllowedUpgradeWindow.DurationTooShort"),
    ("AgentUpgradeConfig", "upgrade", {"AllowedUpgradeWindow": [f"0{i}:00-0{i + 1}:00" for i in range(6)]},
     "InvalidAllowedUpgradeWindow.CountLimitExceeded"),
    ("AgentUpgradeConfig", "upgrade", {"Enabled": True}, "InvalidAllowedUpgradeWindow.Required"),
    ("AgentUpgradeConfig", "upgrade", {"TimeZone": "Mars/Olympus"}, "InvalidParameter.TimeZone"),
])
def test_settings_refusals(client, setting_type, field, value, code):
    before = settings(client, "InvocationDelivery", "AgentUpgradeConfig")
    names = {"oss": "oss_delivery_config", "sls": "sls_delivery_config", "upgrade": "agent_upgrade_config"}
    classes = {"oss": M.ModifyCloudAssistantSettingsRequestOssDeliveryConfig,
               "sls": M.ModifyCloudAssistantSettingsRequestSlsDeliveryConfig,
               "upgrade": M.ModifyCloudAssistantSettingsRequestAgentUpgradeConfig}
    extra = {names[field]: classes[field]().from_map(value)} if field else {}
    err = error_of(client.modify_cloud_assistant_settings, M.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type=setting_type, **extra))
    assert err.code == code
    assert_documented("ModifyCloudAssistantSettings", err)
    after = settings(client, "InvocationDelivery", "AgentUpgradeConfig")
    assert {k: v for k, v in after.items() if k != "RequestId"} == {k: v for k, v in before.items() if k != "RequestId"}


def test_delivery_to_a_bucket_oss_does_not_have(client, engine):
    engine.oss.strict = True
    engine.oss.create_bucket("cn-beijing", "far-bucket")
    engine.oss.create_bucket(REGION, "near-bucket")
    for bucket, code in (("no-such-bucket", "InvalidOssBucketName.NotFound"),
                         ("far-bucket", "InvalidOssBucketName.InOtherRegion")):
        err = error_of(client.modify_cloud_assistant_settings, M.ModifyCloudAssistantSettingsRequest(
            region_id=REGION, setting_type="InvocationDelivery",
            oss_delivery_config=M.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(enabled=True,
                                                                                       bucket_name=bucket)))
        assert err.code == code
        assert_documented("ModifyCloudAssistantSettings", err)
    client.modify_cloud_assistant_settings(M.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type="InvocationDelivery",
        oss_delivery_config=M.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(enabled=True,
                                                                                   bucket_name="near-bucket")))
    assert settings(client, "InvocationDelivery")["OssDeliveryConfigs"]["OssDeliveryConfig"][0]["BucketName"] == \
        "near-bucket"


def test_settings_bad_type_and_old_sdk_xml(client, legacy):
    err = error_of(settings, client, "AgentUpgradeConfig", "Whatever")
    assert err.code == "InvalidParameter.SettingType"
    assert_documented("DescribeCloudAssistantSettings", err)
    request = DescribeCloudAssistantSettingsRequest()
    request.set_SettingTypes(["AgentUpgradeConfig"])
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeCloudAssistantSettingsResponse"
    assert root.findtext("AgentUpgradeConfig/Enabled") == "false"
    assert root.findtext("AgentUpgradeConfig/TimeZone") == "UTC"


# -- InstallCloudAssistant, DescribeCloudAssistantStatus, ListPluginStatus -----------------------------------------
def status(client, instance_id) -> dict:
    body = client.describe_cloud_assistant_status(M.DescribeCloudAssistantStatusRequest(
        region_id=REGION, instance_id=[instance_id])).body.to_map()
    return body["InstanceCloudAssistantStatusSet"]["InstanceCloudAssistantStatus"][0]


def test_install_agrees_with_status_and_commands(client, engine, instance):
    commands.remove_agent(engine, instance)
    found = status(client, instance)
    assert (found["CloudAssistantStatus"], found["CloudAssistantVersion"]) == ("false", "")
    body = client.run_command(M.RunCommandRequest(region_id=REGION, type="RunShellScript", command_content="ls",
                                                  instance_id=[instance])).body
    item = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"][0]
    assert (item["InvocationStatus"], item["ErrorCode"]) == ("Aborted", "ClientNotRunning")
    client.install_cloud_assistant(M.InstallCloudAssistantRequest(region_id=REGION, instance_id=[instance]))
    # installed, but running only once the instance restarts (the metadata: RebootInstance after it)
    assert (status(client, instance)["CloudAssistantStatus"], status(client, instance)["CloudAssistantVersion"]) == (
        "false", "")
    body = client.run_command(M.RunCommandRequest(region_id=REGION, type="RunShellScript", command_content="ls",
                                                  instance_id=[instance])).body
    item = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"][0]
    assert (item["InvocationStatus"], item["ErrorCode"]) == ("Aborted", "ClientNotRunning")
    client.install_cloud_assistant(M.InstallCloudAssistantRequest(region_id=REGION, instance_id=[instance]))  # (again)
    client.reboot_instance(M.RebootInstanceRequest(instance_id=instance))
    found = status(client, instance)
    assert found["CloudAssistantStatus"] == "true" and found["CloudAssistantVersion"]
    assert found["InvocationCount"] == 2 and found["LastInvokedTime"]
    # a stopped instance's agent runs from its next start [GUESS]
    commands.remove_agent(engine, instance)
    client.stop_instance(M.StopInstanceRequest(instance_id=instance))
    client.install_cloud_assistant(M.InstallCloudAssistantRequest(region_id=REGION, instance_id=[instance]))
    assert status(client, instance)["CloudAssistantStatus"] == "false"
    client.start_instance(M.StartInstanceRequest(instance_id=instance))
    assert status(client, instance)["CloudAssistantStatus"] == "true"
    for ids, code in (([], "MissingParam.InstanceId"), (["i-nosuch"], "InvalidInstance.NotFound"),
                      ([f"i-{n}" for n in range(51)], "InstanceIds.ExceedLimit")):
        err = error_of(client.install_cloud_assistant, M.InstallCloudAssistantRequest(region_id=REGION,
                                                                                      instance_id=ids))
        assert err.code == code
        assert_documented("InstallCloudAssistant", err)


def test_list_plugin_status(client, engine, instance):
    plugins = lambda **kw: client.list_plugin_status(M.ListPluginStatusRequest(  # noqa: E731
        region_id=REGION, **kw)).body.to_map()
    assert plugins(instance_id=[instance])["InstancePluginStatusSet"]["InstancePluginStatus"] == [
        {"InstanceId": instance, "PluginStatusSet": {"PluginStatus": []}}]
    cloud_assistant.add_plugin(engine, instance, "ecs-tool-agent", "1.5")
    other = run(client)[0]
    body = plugins(instance_id=[instance, other], name="ecs-tool-agent")
    assert response_problems("ListPluginStatus", body) == []
    by_id = {i["InstanceId"]: i["PluginStatusSet"]["PluginStatus"][0] for i in
             body["InstancePluginStatusSet"]["InstancePluginStatus"]}
    assert (by_id[instance]["PluginStatus"], by_id[instance]["PluginVersion"]) == ("Running", "1.5")
    assert by_id[other]["PluginStatus"] == "NotInstalled"
    for kw, code in (({"instance_id": [instance, other]}, "PluginName.MissingValue"),
                     ({"instance_id": ["i-nosuch"]}, "InvalidInstance.NotFound"),
                     ({"instance_id": [instance], "page_size": 51}, "InvalidParam.PageSize")):
        err = error_of(plugins, **kw)
        assert err.code == code
        assert_documented("ListPluginStatus", err)


# -- Session Manager ----------------------------------------------------------------------------------------------
def sessions(client, **kw) -> dict:
    body = client.describe_terminal_sessions(M.DescribeTerminalSessionsRequest(region_id=REGION, **kw)).body.to_map()
    return body


def test_sessions(client, engine, instance):
    stopped = run(client)[0]
    client.stop_instance(M.StopInstanceRequest(instance_id=stopped))
    started = client.start_terminal_session(M.StartTerminalSessionRequest(
        region_id=REGION, instance_id=[instance, stopped], port_number=22, username="ecs-user")).body
    assert started.session_id.startswith("s-") and started.security_token
    assert started.web_socket_url.startswith(f"wss://{REGION}.axt.aliyuncs.com/session?token=")
    found = sessions(client)["Sessions"]["Session"]
    assert [s["SessionId"] for s in found] == [started.session_id]
    assert (found[0]["PortNumber"], found[0]["Username"]) == (22, "ecs-user")
    status_of = {c["InstanceId"]: (c["Status"], c["ClosedReason"]) for c in found[0]["Connections"]["Connection"]}
    assert status_of == {instance: ("Connecting", ""), stopped: ("Failed", "InstanceNotRunning")}
    second = client.start_terminal_session(M.StartTerminalSessionRequest(
        region_id=REGION, instance_id=[instance], command_line="top")).body
    assert [s["SessionId"] for s in sessions(client, instance_id=instance)["Sessions"]["Session"]] == \
        [second.session_id, started.session_id]
    page = sessions(client, max_results=1)
    assert len(page["Sessions"]["Session"]) == 1 and page["NextToken"]
    assert sessions(client, max_results=1, next_token=page["NextToken"])["Sessions"]["Session"][0]["SessionId"] == \
        started.session_id
    client.end_terminal_session(M.EndTerminalSessionRequest(region_id=REGION, session_id=second.session_id))
    closed = sessions(client, session_id=second.session_id)["Sessions"]["Session"][0]["Connections"]["Connection"][0]
    assert closed["Status"] == "Disconnected" and closed["EndTime"]
    err = error_of(sessions, client, max_results=101)
    assert err.code == "InvalidParameter.MaxResults"
    assert_documented("DescribeTerminalSessions", err)


@pytest.mark.parametrize("kw, code", [
    ({"port_number": 70000}, "PortNumber.Invalid"),
    ({"command_line": "x" * 513}, "InvalidCommandLine.LengthLimitExceeded"),
    ({"command_line": "top", "port_number": 22}, "InvalidCommandLine.Conflict"),
    ({"target_server": "192.168.0.9"}, "InvalidTargetServer.MissingPortNumber"),
    ({"username": "u" * 256}, "Username.ExceedLimit"),
    ({"instance_id": ["i-nosuchinstance"]}, "InvalidInstance.NotFound"),
    ({"instance_id": [f"i-{n}" for n in range(11)]}, "InstanceIds.ExceedLimit"),
])
def test_session_refusals(client, instance, kw, code):
    kw.setdefault("instance_id", [instance])
    err = error_of(client.start_terminal_session, M.StartTerminalSessionRequest(region_id=REGION, **kw))
    assert err.code == code
    assert_documented("StartTerminalSession", err)
    assert sessions(client)["Sessions"]["Session"] == []


def test_session_to_two_instances_with_a_target_server(client, instance):
    other = run(client)[0]
    err = error_of(client.start_terminal_session, M.StartTerminalSessionRequest(
        region_id=REGION, instance_id=[instance, other], target_server="10.0.0.9", port_number=3306))
    assert err.code == "InvalidInstanceIds.CountLimitExceeded"
    assert_documented("StartTerminalSession", err)


def test_session_urls_lapse_and_quotas(client, engine, instance):
    start = lambda: client.start_terminal_session(M.StartTerminalSessionRequest(  # noqa: E731
        region_id=REGION, instance_id=[instance])).body.session_id
    first = start()
    for _ in range(19):
        start()
    err = error_of(start)  # 20 connecting to one instance (documented)
    assert err.code == "SessionCount.ExceedLimit"
    assert_documented("StartTerminalSession", err)
    assert len(sessions(client, instance_id=instance, max_results=100)["Sessions"]["Session"]) == 20
    engine.clock.advance(600)  # nobody opened the URLs: they lapse after 10 minutes (documented)
    connection = sessions(client, session_id=first)["Sessions"]["Session"][0]["Connections"]["Connection"][0]
    assert (connection["Status"], connection["ClosedReason"]) == ("Disconnected", "Timeout")
    start()
    assert len(sessions(client, instance_id=instance, max_results=100)["Sessions"]["Session"]) == 21


def test_session_manager_switch(client, instance):
    behavior = lambda: client.describe_user_business_behavior(M.DescribeUserBusinessBehaviorRequest(  # noqa: E731
        region_id=REGION, status_key="sessionManagerStatus")).body.status_value
    assert behavior() == ""  # (never set: on)
    client.modify_user_business_behavior(M.ModifyUserBusinessBehaviorRequest(
        region_id=REGION, status_key="sessionManagerStatus", status_value="disabled"))
    assert behavior() == "disabled"
    assert settings(client, "SessionManagerConfig")["SessionManagerConfig"] == {"SessionManagerEnabled": False}
    err = error_of(client.start_terminal_session, M.StartTerminalSessionRequest(region_id=REGION,
                                                                                instance_id=[instance]))
    assert err.code == "UserBehavior.SessionManagerDisabled"
    assert_documented("StartTerminalSession", err)
    client.modify_cloud_assistant_settings(M.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type="SessionManagerConfig",
        session_manager_config=M.ModifyCloudAssistantSettingsRequestSessionManagerConfig(
            session_manager_enabled=True)))
    assert behavior() == "enabled"
    client.start_terminal_session(M.StartTerminalSessionRequest(region_id=REGION, instance_id=[instance]))


def test_async_session(client, instance):
    async def go():
        started = await client.start_terminal_session_async(M.StartTerminalSessionRequest(
            region_id=REGION, instance_id=[instance]))
        found = await client.describe_terminal_sessions_async(M.DescribeTerminalSessionsRequest(
            region_id=REGION, session_id=started.body.session_id))
        return started.body.session_id, found.body.to_map()

    session_id, found = asyncio.run(go())
    assert found["Sessions"]["Session"][0]["SessionId"] == session_id

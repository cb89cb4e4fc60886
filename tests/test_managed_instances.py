"""Cloud Assistant managed instances: activation codes (CreateActivation, DescribeActivations, DisableActivation,
DeleteActivation), servers registered with them (mockecs.world.managed_instances.register, as their agent does),
DescribeManagedInstances, ModifyManagedInstance, DeregisterManagedInstance, and managed instances as targets of
RunCommand / InvokeCommand / SendFile; through the real SDKs."""
from __future__ import annotations

import asyncio
import re

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateActivationRequest import CreateActivationRequest
from aliyunsdkecs.request.v20140526.DescribeActivationsRequest import DescribeActivationsRequest

from mockecs.world import managed_instances, resource_groups
from mockecs.world.managed_instances import RegistrationError, register
from tests import test_commands
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_commands import results
from tests.test_instances import REGION, assert_documented, old_error, run

script = test_commands.script  # fixture: a mockecs_command_result plugin
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")


def create(client, **kw):
    return client.create_activation(models.CreateActivationRequest(region_id=kw.pop("region_id", REGION), **kw)).body


def activations(client, **kw) -> dict:
    body = client.describe_activations(models.DescribeActivationsRequest(region_id=REGION, **kw)).body.to_map()
    if "max_results" not in kw:  # (token paging answers no PageNumber: TotalCount and pages are "invalid" then)
        assert response_problems("DescribeActivations", body) == []
    return body


def managed(client, **kw) -> dict:
    body = client.describe_managed_instances(models.DescribeManagedInstancesRequest(region_id=REGION, **kw))
    body = body.body.to_map()
    if "max_results" not in kw:
        assert response_problems("DescribeManagedInstances", body) == []
    return body


# -- activation codes -----------------------------------------------------------------------------------------
def test_create_describe_disable_delete(client, engine):
    made = create(client, instance_name="web", description="the web tier", instance_count=3, time_to_live_in_hours=8,
                  ip_address_range="10.0.0.0/8", tag=[models.CreateActivationRequestTag(key="env", value="prod")])
    assert UUID.match(made.activation_id)
    assert re.match(r"^a-[A-Za-z0-9+/]{29}$", made.activation_code)
    listed = activations(client)
    assert listed["TotalCount"] == 1 and listed["PageSize"] == 10 and listed["PageNumber"] == 1
    item = listed["ActivationList"][0]
    assert item == {"ActivationId": made.activation_id, "InstanceName": "web", "Description": "the web tier",
                    "InstanceCount": 3, "TimeToLiveInHours": 8, "IpAddressRange": "10.0.0.0/8",
                    "CreationTime": item["CreationTime"], "Disabled": False, "RegisteredCount": 0,
                    "DeregisteredCount": 0, "ResourceGroupId": resource_groups.default_id("1234567890123456"),
                    "Tags": [{"TagKey": "env", "TagValue": "prod"}]}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", item["CreationTime"])
    assert "ActivationCode" not in item  # answered once, never again (documented)
    disabled = client.disable_activation(models.DisableActivationRequest(
        region_id=REGION, activation_id=made.activation_id)).body.to_map()
    assert disabled["Activation"]["Disabled"] is True and disabled["Activation"]["InstanceName"] == "web"
    assert response_problems("DisableActivation", disabled) == []
    assert activations(client, activation_id=made.activation_id)["ActivationList"][0]["Disabled"] is True
    with pytest.raises(RegistrationError, match="disabled"):
        register(engine, made.activation_id, made.activation_code, intranet_ip="10.1.1.1")
    gone = client.delete_activation(models.DeleteActivationRequest(region_id=REGION,
                                                                   activation_id=made.activation_id)).body.to_map()
    assert gone["Activation"]["ActivationId"] == made.activation_id
    assert response_problems("DeleteActivation", gone) == []
    # gone: Terraform's Read finds an empty list for the id
    assert activations(client, activation_id=made.activation_id)["ActivationList"] == []
    for action, call in (("DisableActivation", client.disable_activation),
                         ("DeleteActivation", client.delete_activation)):
        err = error_of(call, getattr(models, f"{action}Request")(region_id=REGION, activation_id=made.activation_id))
        assert err.code == "ActivationId.NotFound"
        assert_documented(action, err)


def test_defaults_and_filters(client, other):
    a = create(client)
    b = create(client, instance_name="db", resource_group_id=None)
    create(other.client, instance_name="db")  # another account's: never listed
    item = activations(client, activation_id=a.activation_id)["ActivationList"][0]
    assert (item["InstanceCount"], item["TimeToLiveInHours"], item["IpAddressRange"], item["InstanceName"]) == \
        (10, 4, "0.0.0.0/0", "")
    assert [i["ActivationId"] for i in activations(client, instance_name="db")["ActivationList"]] == [b.activation_id]
    assert activations(client)["TotalCount"] == 2
    first = activations(client, max_results=1)
    assert len(first["ActivationList"]) == 1 and first["NextToken"]
    second = activations(client, max_results=1, next_token=first["NextToken"])
    assert {first["ActivationList"][0]["ActivationId"], second["ActivationList"][0]["ActivationId"]} == \
        {a.activation_id, b.activation_id}
    assert activations(client, activation_id="4ECEEE12-56F1-4FBC-9AB1-890F12340000")["ActivationList"] == []


@pytest.mark.parametrize("kw, code", [
    ({"instance_name": "9web"}, "InstanceName.InvalidPattern"),
    ({"instance_name": "w"}, "InstanceName.InvalidPattern"),
    ({"instance_name": "w" * 51}, "InstanceName.ExceedLimit"),
    ({"description": "d" * 101}, "ActivationDesc.ExceedLimit"),
    ({"instance_count": 0}, "ActivationLimitation.Invalid"),
    ({"instance_count": 1001}, "ActivationLimitation.Invalid"),
    ({"time_to_live_in_hours": 876577}, "ActivationTTL.ExceedLimit"),
    ({"ip_address_range": "10.0.0.0/33"}, "AddressRange.InvalidPattern"),
    ({"ip_address_range": "anywhere"}, "AddressRange.InvalidPattern"),
    ({"resource_group_id": "rg-nosuchgroup"}, "InvalidResourceGroup.NotFound"),
    ({"tag": [models.CreateActivationRequestTag(key=f"k{i}", value="v") for i in range(21)]}, "NumberExceed.Tags"),
    ({"tag": [models.CreateActivationRequestTag(value="v")]}, "MissingParameter.TagKey"),
    ({"tag": [models.CreateActivationRequestTag(key="aliyun-x", value="v")]}, "InvalidTagKey.Malformed"),
    ({"tag": [models.CreateActivationRequestTag(key="k", value="v")] * 2}, "Duplicate.TagKey"),
    ({"region_id": "cn-nanjing"}, "RegionId.ApiNotSupported"),
])
def test_create_refusals(client, engine, kw, code):
    assert "cn-nanjing" in _regions(client)  # (a region, without managed instances)
    err = error_of(create, client, **kw)
    assert err.code == code
    assert_documented("CreateActivation", err)
    assert activations(client)["TotalCount"] == 0


def _regions(client) -> list[str]:
    return [r.region_id for r in client.describe_regions(models.DescribeRegionsRequest()).body.regions.region]


def test_quota(client, engine):
    engine.config.options["activation_quota"] = 2
    create(client)
    create(client)
    err = error_of(create, client)
    assert err.code == "ActivationCount.ExceedLimit"
    assert_documented("CreateActivation", err)


def test_describe_refusals(client):
    for kw, code in (({"page_size": 51}, "InvalidParam.PageSize"), ({"page_number": 0}, "InvalidParam.PageNumber"),
                     ({"max_results": 51}, "InvalidParameter.MaxResults"), ({"next_token": "x"},
                                                                             "InvalidParameter.NextToken")):
        err = error_of(activations, client, **kw)
        assert err.code == code
        assert_documented("DescribeActivations", err)


# -- registration ---------------------------------------------------------------------------------------------
def test_register_names_counts_and_limits(client, engine):
    made = create(client, instance_name="web", instance_count=2, ip_address_range="10.0.0.0/24")
    first = register(engine, made.activation_id, made.activation_code, hostname="host-a", intranet_ip="10.0.0.5")
    assert re.match(r"^mi-[a-z0-9]{20}$", first)
    second = register(engine, made.activation_id, made.activation_code, hostname="host-b", intranet_ip="10.0.0.6",
                      os_type="windows", instance_name="custom")
    with pytest.raises(RegistrationError, match="used up"):
        register(engine, made.activation_id, made.activation_code, intranet_ip="10.0.0.7")
    listed = managed(client)["Instances"]
    assert sorted(i["InstanceId"] for i in listed) == sorted([first, second])
    by_id = {i["InstanceId"]: i for i in listed}
    assert by_id[first]["InstanceName"] == "web-1" and by_id[second]["InstanceName"] == "custom"
    assert by_id[first]["Hostname"] == "host-a" and by_id[first]["OsType"] == "Linux"
    assert by_id[second]["OsType"] == "Windows" and by_id[second]["AgentVersion"].startswith("2.1.")
    assert by_id[first]["Connected"] is True and by_id[first]["ActivationId"] == made.activation_id
    assert by_id[first]["InvocationCount"] == 0 and by_id[first]["LastInvokedTime"] == ""
    assert activations(client)["ActivationList"][0]["RegisteredCount"] == 2
    # the code is checked: wrong code, an address outside the range, an expired code
    other = create(client, ip_address_range="192.168.1.0/24", time_to_live_in_hours=1)
    with pytest.raises(RegistrationError, match="not valid"):
        register(engine, other.activation_id, made.activation_code)
    with pytest.raises(RegistrationError, match="outside"):
        register(engine, other.activation_id, other.activation_code, intranet_ip="10.0.0.1")
    engine.clock.advance(3600)
    with pytest.raises(RegistrationError, match="expired"):
        register(engine, other.activation_id, other.activation_code, intranet_ip="192.168.1.9")


def test_names_take_the_digits_of_the_count(client, engine):
    made = create(client, instance_name="node", instance_count=100)
    instance_id = register(engine, made.activation_id, made.activation_code)
    assert managed(client, instance_id=[instance_id])["Instances"][0]["InstanceName"] == "node-001"
    bare = create(client)
    instance_id = register(engine, bare.activation_id, bare.activation_code, hostname="my-host")
    assert managed(client, instance_id=[instance_id])["Instances"][0]["InstanceName"] == "my-host"


def test_describe_managed_instances_filters(client, engine):
    a = create(client, instance_name="web")
    b = create(client, instance_name="db")
    web = register(engine, a.activation_id, a.activation_code, intranet_ip="10.0.0.1", internet_ip="47.1.1.1")
    db = register(engine, b.activation_id, b.activation_code, intranet_ip="10.0.0.2", os_type="windows")
    ids = lambda **kw: sorted(i["InstanceId"] for i in managed(client, **kw)["Instances"])  # noqa: E731
    assert ids() == sorted([web, db])
    assert ids(activation_id=a.activation_id) == [web]
    assert ids(instance_name="db-01") == [db]  # (two digits: InstanceCount 10 has two)
    assert ids(instance_ip="47.1.1.1") == [web] and ids(instance_ip="10.0.0.2") == [db]
    assert ids(os_type="windows") == [db] and ids(os_type="linux") == [web]
    assert ids(instance_id=[web, db, "mi-nosuch"]) == sorted([web, db])
    managed_instances.set_connected(engine, db, False)
    assert ids(connected=True) == [web]
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="managedinstance",
                                                    resource_id=[web], tag=[models.TagResourcesRequestTag(
                                                        key="tier", value="front")]))
    assert ids(tag=[models.DescribeManagedInstancesRequestTag(key="tier", value="front")]) == [web]
    assert managed(client, instance_id=[web])["Instances"][0]["Tags"] == [{"TagKey": "tier", "TagValue": "front"}]
    assert managed(client, page_size=1)["TotalCount"] == 2
    err = error_of(managed, client, page_size=51)
    assert err.code == "InvalidParam.PageSize"
    assert_documented("DescribeManagedInstances", err)


def test_modify_and_deregister(client, engine):
    made = create(client, instance_count=1)
    instance_id = register(engine, made.activation_id, made.activation_code, hostname="box")
    body = client.modify_managed_instance(models.ModifyManagedInstanceRequest(
        region_id=REGION, instance_id=instance_id, instance_name="renamed.box")).body.to_map()
    assert body["Instance"] == {"InstanceId": instance_id, "InstanceName": "renamed.box"}
    assert managed(client)["Instances"][0]["InstanceName"] == "renamed.box"
    for name, code in (("1box", "InstanceName.InvalidPattern"), ("b" * 129, "InstanceName.ExceedLimit")):
        err = error_of(client.modify_managed_instance, models.ModifyManagedInstanceRequest(
            region_id=REGION, instance_id=instance_id, instance_name=name))
        assert err.code == code
        assert_documented("ModifyManagedInstance", err)
    err = error_of(client.modify_managed_instance, models.ModifyManagedInstanceRequest(
        region_id=REGION, instance_id="mi-nosuch", instance_name="name"))
    assert err.code == "InvalidInstance.NotFound"
    assert_documented("ModifyManagedInstance", err)
    # in use: the code cannot go while an instance it registered is registered
    err = error_of(client.delete_activation, models.DeleteActivationRequest(region_id=REGION,
                                                                            activation_id=made.activation_id))
    assert err.code == "ActivationId.InUse"
    assert_documented("DeleteActivation", err)
    gone = client.deregister_managed_instance(models.DeregisterManagedInstanceRequest(
        region_id=REGION, instance_id=instance_id)).body.to_map()
    assert gone["Instance"]["InstanceId"] == instance_id and gone["Instance"]["Hostname"] == "box"
    assert response_problems("DeregisterManagedInstance", gone) == []
    assert managed(client)["Instances"] == []
    item = activations(client)["ActivationList"][0]
    assert (item["RegisteredCount"], item["DeregisteredCount"]) == (1, 1)
    err = error_of(client.deregister_managed_instance, models.DeregisterManagedInstanceRequest(
        region_id=REGION, instance_id=instance_id))
    assert err.code == "InvalidInstance.NotFound"
    assert_documented("DeregisterManagedInstance", err)
    client.delete_activation(models.DeleteActivationRequest(region_id=REGION, activation_id=made.activation_id))


# -- managed instances as Cloud Assistant targets ---------------------------------------------------------------
def test_run_and_invoke_commands_on_a_managed_instance(client, engine, script):
    made = create(client)
    instance_id = register(engine, made.activation_id, made.activation_code)
    ecs_instance = run(client)[0]
    body = client.run_command(models.RunCommandRequest(
        region_id=REGION, type="RunShellScript", command_content="echo {{ACS::InstanceId}}", enable_parameter=True,
        instance_id=[instance_id, ecs_instance], keep_command=True)).body
    found = {r["InstanceId"]: r for r in results(client, invoke_id=body.invoke_id)["InvocationResults"][
        "InvocationResult"]}
    assert found[instance_id]["InvocationStatus"] == "Success"
    assert [c[2] for c in script.calls] == [instance_id, ecs_instance]
    assert script.calls[0][4] == f"echo {instance_id}"
    invoked = client.invoke_command(models.InvokeCommandRequest(region_id=REGION, command_id=body.command_id,
                                                                instance_id=[instance_id])).body
    assert results(client, invoke_id=invoked.invoke_id)["InvocationResults"]["InvocationResult"][0][
        "InvocationStatus"] == "Success"
    item = managed(client)["Instances"][0]
    assert item["InvocationCount"] == 2 and item["LastInvokedTime"]
    status = client.describe_cloud_assistant_status(models.DescribeCloudAssistantStatusRequest(
        region_id=REGION, instance_id=[instance_id])).body.to_map()["InstanceCloudAssistantStatusSet"][
        "InstanceCloudAssistantStatus"][0]
    assert status["CloudAssistantStatus"] == "true" and status["InvocationCount"] == 2
    # a Windows command does not match a Linux server; a server that stopped answering aborts the command
    err = error_of(client.run_command, models.RunCommandRequest(region_id=REGION, type="RunPowerShellScript",
                                                               command_content="dir", instance_id=[instance_id]))
    assert err.code == "InvalidInstance.NotMatch"
    managed_instances.set_connected(engine, instance_id, False)
    body = client.run_command(models.RunCommandRequest(region_id=REGION, type="RunShellScript",
                                                       command_content="echo x", instance_id=[instance_id])).body
    item = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"][0]
    assert (item["InvocationStatus"], item["ErrorCode"]) == ("Aborted", "ClientNotResponse")
    # deregistered: no more commands to it
    client.deregister_managed_instance(models.DeregisterManagedInstanceRequest(region_id=REGION,
                                                                               instance_id=instance_id))
    err = error_of(client.run_command, models.RunCommandRequest(region_id=REGION, type="RunShellScript",
                                                               command_content="echo x", instance_id=[instance_id]))
    assert err.code == "InvalidInstance.NotFound"


def test_commands_by_resource_tag_reach_tagged_managed_instances(client, engine, script):
    """RunCommand / InvokeCommand by ResourceTag.N run on the managed instances carrying the tags as on ECS
    instances; with ResourceGroupId, only on the group's."""
    group = resource_groups.add(engine, name="ops")
    def registered(**kw) -> str:
        made = create(client, **kw)
        return register(engine, made.activation_id, made.activation_code)

    managed_id, grouped_id, untagged_id = registered(), registered(resource_group_id=group), registered()
    ecs_instance = run(client, tag=[models.RunInstancesRequestTag(key="fleet", value="blue")])[0]
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="managedinstance",
                                                    resource_id=[managed_id, grouped_id],
                                                    tag=[models.TagResourcesRequestTag(key="fleet", value="blue")]))
    blue = [models.RunCommandRequestResourceTag(key="fleet", value="blue")]
    body = client.run_command(models.RunCommandRequest(region_id=REGION, type="RunShellScript",
                                                       command_content="echo x", resource_tag=blue,
                                                       keep_command=True)).body
    rows = results(client, invoke_id=body.invoke_id)["InvocationResults"]["InvocationResult"]
    assert {r["InstanceId"]: r["InvocationStatus"] for r in rows} == {
        ecs_instance: "Success", managed_id: "Success", grouped_id: "Success"}
    assert untagged_id not in {c[2] for c in script.calls}
    invoked = client.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=body.command_id, resource_group_id=group,
        resource_tag=[models.InvokeCommandRequestResourceTag(key="fleet", value="blue")])).body
    rows = results(client, invoke_id=invoked.invoke_id)["InvocationResults"]["InvocationResult"]
    assert [r["InstanceId"] for r in rows] == [grouped_id]  # (the group's only)
    assert managed(client, instance_id=[grouped_id])["Instances"][0]["InvocationCount"] == 2
    # a group none of the tagged instances is in; an instance named outside the group
    for kw in ({"resource_tag": [models.InvokeCommandRequestResourceTag(key="fleet", value="blue")],
                "resource_group_id": resource_groups.add(engine, name="empty")},
               {"instance_id": [managed_id], "resource_group_id": group}):
        err = error_of(client.invoke_command, models.InvokeCommandRequest(region_id=REGION,
                                                                          command_id=body.command_id, **kw))
        assert (err.code, err.status_code) == (("InvalidResourceTag.InstanceNotFound", 400) if "resource_tag" in kw
                                               else ("InvalidInstance.NotFound", 404))
        assert_documented("InvokeCommand", err)


def test_send_file_to_a_managed_instance(client, engine):
    made = create(client)
    instance_id = register(engine, made.activation_id, made.activation_code)
    invoke_id = client.send_file(models.SendFileRequest(region_id=REGION, instance_id=[instance_id], name="a.conf",
                                                        target_dir="/etc", content="x=1")).body.invoke_id
    found = client.describe_send_file_results(models.DescribeSendFileResultsRequest(
        region_id=REGION, invoke_id=invoke_id)).body.to_map()["Invocations"]["Invocation"][0]
    assert found["InvocationStatus"] == "Success"
    assert found["InvokeInstances"]["InvokeInstance"][0]["InstanceId"] == instance_id


# -- tags and resource groups -----------------------------------------------------------------------------------
def test_tags_and_resource_groups(client, engine):
    group = resource_groups.add(engine, name="ops")
    made = create(client, resource_group_id=group)
    instance_id = register(engine, made.activation_id, made.activation_code)
    assert managed(client, resource_group_id=group)["Instances"][0]["ResourceGroupId"] == group  # the code's group
    assert activations(client, resource_group_id=group)["TotalCount"] == 1
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="activation",
                                                    resource_id=[made.activation_id],
                                                    tag=[models.TagResourcesRequestTag(key="team", value="a")]))
    rows = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type="activation", tag=[models.ListTagResourcesRequestTag(key="team")])).body
    assert [(r.resource_id, r.resource_type, r.tag_key) for r in rows.tag_resources.tag_resource] == \
        [(made.activation_id, "activation", "team")]
    assert activations(client, tag=[models.DescribeActivationsRequestTag(key="team", value="a")])["TotalCount"] == 1
    client.untag_resources(models.UntagResourcesRequest(region_id=REGION, resource_type="activation",
                                                        resource_id=[made.activation_id], all=True))
    assert activations(client)["ActivationList"][0]["Tags"] == []
    # the older DescribeTags (ECS's types) does not count Cloud Assistant's
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="managedinstance",
                                                    resource_id=[instance_id],
                                                    tag=[models.TagResourcesRequestTag(key="only-here", value="1")]))
    assert client.describe_tags(models.DescribeTagsRequest(region_id=REGION)).body.total_count == 0
    other = resource_groups.add(engine, name="other")
    for resource_type, resource_id in (("activation", made.activation_id), ("managedinstance", instance_id)):
        client.join_resource_group(models.JoinResourceGroupRequest(
            region_id=REGION, resource_type=resource_type, resource_id=resource_id, resource_group_id=other))
    assert activations(client, resource_group_id=other)["TotalCount"] == 1
    assert managed(client, resource_group_id=other)["Instances"][0]["InstanceId"] == instance_id


# -- the older SDK, XML, async ------------------------------------------------------------------------------------
def test_old_sdk_and_xml(legacy, engine):
    request = CreateActivationRequest()
    request.set_InstanceName("legacy")
    request.set_InstanceCount(5)
    made = legacy_call(legacy, request)
    assert UUID.match(made["ActivationId"]) and made["ActivationCode"].startswith("a-")
    request = CreateActivationRequest()
    request.set_InstanceCount(0)
    err = old_error(legacy, request)
    assert err.get_error_code() == "ActivationLimitation.Invalid"
    assert_documented("CreateActivation", err)
    request = DescribeActivationsRequest()
    request.set_ActivationId(made["ActivationId"])
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeActivationsResponse"
    assert root.findtext("TotalCount") == "1"
    assert root.findtext(".//ActivationId") == made["ActivationId"]
    assert root.findtext(".//InstanceName") == "legacy" and root.findtext(".//InstanceCount") == "5"


def test_async(client, engine):
    async def go():
        made = (await client.create_activation_async(models.CreateActivationRequest(region_id=REGION))).body
        register(engine, made.activation_id, made.activation_code)
        found = await client.describe_managed_instances_async(models.DescribeManagedInstancesRequest(
            region_id=REGION, activation_id=made.activation_id))
        return found.body.to_map()["Instances"]

    instances = asyncio.run(go())
    assert len(instances) == 1 and instances[0]["InstanceId"].startswith("mi-")


def test_control_registration_refuses_bad_input_naming_it():
    """POST /_mockecs/managed-instances: a one-line 400 naming the field, never a Python error."""
    import requests

    from mockecs.modes.server import ServerThread

    with ServerThread() as srv:
        url = srv.url + "/_mockecs/managed-instances"
        cases = [({}, "missing registration fields: activation_id, activation_code"),
                 ({"activation_id": "act-1"}, "missing registration fields: activation_code"),
                 ({"activation_id": 5, "activation_code": "x"}, "activation_id must be a string"),
                 ({"activation_id": "a", "activation_code": "b", "port": 1}, "unknown registration fields: port"),
                 ({"activation_id": "a", "activation_code": "b"}, "the activation id or code is not valid")]
        for body, error in cases:
            answer = requests.post(url, json=body, timeout=10)
            assert (answer.status_code, answer.json()) == (400, {"error": error}), body

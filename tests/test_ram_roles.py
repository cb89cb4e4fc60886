"""Instance RAM roles: RunInstances' and CreateInstance's RamRoleName, AttachInstanceRamRole,
DetachInstanceRamRole and DescribeInstanceRamRole through the current SDK (sync and async) and the old SDK,
the metadata's codes, and the option ``ram_roles`` both ways."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.AttachInstanceRamRoleRequest import AttachInstanceRamRoleRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceRamRoleRequest import DescribeInstanceRamRoleRequest
from aliyunsdkecs.request.v20140526.DetachInstanceRamRoleRequest import DetachInstanceRamRoleRequest

from mockecs.world import ram
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, X86_TYPE, assert_documented, old_error, run

REGION = "cn-hangzhou"


def vswitch(client) -> str:
    return new_vswitch(client, new_vpc(client))


def roles(client, **kw) -> dict:
    return client.describe_instance_ram_role(models.DescribeInstanceRamRoleRequest(region_id=REGION, **kw)
                                             ).body.to_map()


def attach(client, ids: list[str], role: str, **kw) -> dict:
    return client.attach_instance_ram_role(models.AttachInstanceRamRoleRequest(
        region_id=REGION, instance_ids=json.dumps(ids), ram_role_name=role, **kw)).body.to_map()


def detach(client, ids: list[str], role=None) -> dict:
    return client.detach_instance_ram_role(models.DetachInstanceRamRoleRequest(
        region_id=REGION, instance_ids=json.dumps(ids), ram_role_name=role)).body.to_map()


def rows(answer: dict) -> list[tuple[str, str]]:
    return [(r["InstanceId"], r["RamRoleName"]) for r in answer["InstanceRamRoleSets"]["InstanceRamRoleSet"]]


def test_launch_with_a_role_reads_it_back(client):
    vsw = vswitch(client)
    first, second = run(client, v_switch_id=vsw, amount=2, ram_role_name="EcsRole")
    created = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vsw, ram_role_name="OtherRole")
    ).body.instance_id
    [plain] = run(client, v_switch_id=vsw)
    answer = roles(client, instance_ids=json.dumps([first, plain, created]))
    assert answer["TotalCount"] == 2 and rows(answer) == [(first, "EcsRole"), (created, "OtherRole")]
    by_role = roles(client, ram_role_name="EcsRole")  # every instance holding the role, oldest first
    assert by_role["TotalCount"] == 2 and rows(by_role) == [(first, "EcsRole"), (second, "EcsRole")]
    page = roles(client, ram_role_name="EcsRole", page_size=1, page_number=2)
    assert page["TotalCount"] == 2 and rows(page) == [(second, "EcsRole")]
    both = roles(client, instance_ids=json.dumps([first, created]), ram_role_name="OtherRole")
    assert rows(both) == [(created, "OtherRole")]
    assert roles(client, ram_role_name="NoSuchRole")["TotalCount"] == 0
    # the role is internal: DescribeInstances answers no such field
    found = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([first]))).body.to_map()["Instances"]["Instance"][0]
    assert not [k for k in found if "Ram" in k or k.startswith("_")]


def test_launch_codes(client, engine):
    vsw = vswitch(client)
    for action, launch in (("RunInstances", lambda **kw: run(client, **kw)),
                           ("CreateInstance", lambda **kw: client.create_instance(models.CreateInstanceRequest(
                               region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, **kw)))):
        err = error_of(launch, v_switch_id=vsw, ram_role_name="bad name!")  # not a RAM role name
        assert (err.code, err.status_code) == ("InvalidRamRole.NotFound", 404)
        assert_documented(action, err)
        err = error_of(launch, ram_role_name="EcsRole")  # no vSwitch: the classic network
        assert (err.code, err.status_code) == ("InvalidNetworkType.MismatchRamRole", 403)
        assert_documented(action, err)
        err = error_of(launch, v_switch_id=vsw, ram_role_name="EcsRole", dry_run=True)  # checked, not made
        assert err.code == "DryRunOperation"
    engine.config.options["ram_roles"] = "registered"
    err = error_of(run, client, v_switch_id=vsw, ram_role_name="EcsRole")
    assert err.code == "InvalidRamRole.NotFound"
    assert_documented("RunInstances", err)
    ram.add_role(engine, DEFAULT_ACCOUNT, "EcsRole")
    [instance_id] = run(client, v_switch_id=vsw, ram_role_name="EcsRole")
    assert rows(roles(client, instance_ids=json.dumps([instance_id]))) == [(instance_id, "EcsRole")]
    # nothing was half-made by the refused launches
    everything = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body
    assert everything.total_count == 1


def test_attach_and_detach(client):
    vsw = vswitch(client)
    first, second = run(client, v_switch_id=vsw, amount=2)
    answer = attach(client, [first, second], "EcsRole", policy='{"Statement": []}')
    assert answer == {"RequestId": answer["RequestId"], "RamRoleName": "EcsRole", "TotalCount": 2, "FailCount": 0,
                      "AttachInstanceRamRoleResults": {"AttachInstanceRamRoleResult": [
                          {"InstanceId": first, "Code": "200", "Message": "success", "Success": True},
                          {"InstanceId": second, "Code": "200", "Message": "success", "Success": True}]}}
    assert attach(client, [first], "EcsRole")["FailCount"] == 0  # the role it holds: again, fine
    other = attach(client, [first], "OtherRole")  # one role per instance: that row fails, nothing changes
    [row] = other["AttachInstanceRamRoleResults"]["AttachInstanceRamRoleResult"]
    assert (other["TotalCount"], other["FailCount"], row["Success"]) == (1, 1, False) and row["Code"] != "200"
    assert rows(roles(client, instance_ids=json.dumps([first, second]))) == [(first, "EcsRole"),
                                                                              (second, "EcsRole")]
    wrong = detach(client, [first], "OtherRole")  # not the role it holds: that row fails
    assert wrong["FailCount"] == 1 and rows(roles(client, ram_role_name="EcsRole"))[0] == (first, "EcsRole")
    answer = detach(client, [first], "EcsRole")
    assert answer == {"RequestId": answer["RequestId"], "RamRoleName": "EcsRole", "TotalCount": 1, "FailCount": 0,
                      "DetachInstanceRamRoleResults": {"DetachInstanceRamRoleResult": [
                          {"InstanceId": first, "Code": "200", "Message": "success", "Success": True,
                           "InstanceRamRoleSets": {"InstanceRamRoleSet": [
                               {"InstanceId": first, "RamRoleName": "EcsRole"}]}}]}}
    assert rows(roles(client, ram_role_name="EcsRole")) == [(second, "EcsRole")]
    again = detach(client, [first, second])  # no RamRoleName: whatever role each holds
    results = again["DetachInstanceRamRoleResults"]["DetachInstanceRamRoleResult"]
    assert [r["Success"] for r in results] == [False, True] and again["FailCount"] == 1
    assert roles(client, instance_ids=json.dumps([first, second]))["TotalCount"] == 0
    assert attach(client, [first], "OtherRole")["FailCount"] == 0  # detached: another role may come


def test_attach_detach_codes_refuse_the_whole_call(client, engine):
    vsw = vswitch(client)
    [instance_id] = run(client, v_switch_id=vsw)
    [classic] = run(client)
    for action, call in (("AttachInstanceRamRole", lambda ids: attach(client, ids, "EcsRole")),
                         ("DetachInstanceRamRole", lambda ids: detach(client, ids))):
        for ids, code, status in (([instance_id, "i-bp1nothere"], "InvalidInstanceId.NotFound", 404),
                                  ([instance_id, classic], "InvalidNetworkType.MismatchRamRole", 403),
                                  ([], "InvalidInstanceIds.Malformed", 400)):
            err = error_of(call, ids)
            assert (err.code, err.status_code) == (code, status)
            assert_documented(action, err)
        assert roles(client, instance_ids=json.dumps([instance_id]))["TotalCount"] == 0  # nothing attached
    err = error_of(client.attach_instance_ram_role, models.AttachInstanceRamRoleRequest(
        region_id=REGION, instance_ids="[i-1", ram_role_name="EcsRole"))
    assert err.code == "InvalidInstanceIds.Malformed"
    assert_documented("AttachInstanceRamRole", err)
    engine.config.options["ram_roles"] = "registered"
    err = error_of(attach, client, [instance_id], "EcsRole")
    assert (err.code, err.status_code) == ("InvalidRamRole.NotFound", 404)
    assert_documented("AttachInstanceRamRole", err)
    ram.add_role(engine, DEFAULT_ACCOUNT, "EcsRole")
    assert attach(client, [instance_id], "EcsRole")["FailCount"] == 0


def test_async_and_old_sdk(client, legacy):
    [instance_id] = run(client, v_switch_id=vswitch(client))

    async def flow() -> tuple[dict, dict]:
        attached = await client.attach_instance_ram_role_async(models.AttachInstanceRamRoleRequest(
            region_id=REGION, instance_ids=json.dumps([instance_id]), ram_role_name="EcsRole"))
        read = await client.describe_instance_ram_role_async(models.DescribeInstanceRamRoleRequest(
            region_id=REGION, ram_role_name="EcsRole"))
        return attached.body.to_map(), read.body.to_map()

    attached, read = asyncio.run(flow())
    assert attached["FailCount"] == 0 and rows(read) == [(instance_id, "EcsRole")]
    request = DescribeInstanceRamRoleRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    answer = legacy_call(legacy, request)
    assert answer["TotalCount"] == 1 and answer["InstanceRamRoleSets"]["InstanceRamRoleSet"] == [
        {"InstanceId": instance_id, "RamRoleName": "EcsRole"}]
    request = DescribeInstanceRamRoleRequest()
    request.set_RamRoleName("EcsRole")
    root = legacy_xml(legacy, request)  # Format=XML
    assert root.findtext("TotalCount") == "1"
    assert [(r.findtext("InstanceId"), r.findtext("RamRoleName"))
            for r in root.find("InstanceRamRoleSets")] == [(instance_id, "EcsRole")]
    request = DetachInstanceRamRoleRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    request.set_RamRoleName("EcsRole")
    answer = legacy_call(legacy, request)
    assert (answer["TotalCount"], answer["FailCount"]) == (1, 0)
    request = AttachInstanceRamRoleRequest()
    request.set_InstanceIds(json.dumps(["i-bp1nothere"]))
    request.set_RamRoleName("EcsRole")
    err = old_error(legacy, request)
    assert err.get_error_code() == "InvalidInstanceId.NotFound"
    assert_documented("AttachInstanceRamRole", err)

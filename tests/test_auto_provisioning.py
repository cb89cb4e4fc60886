"""Auto provisioning groups through the current SDK (sync and async), the old SDK and XML: a group launches its
target capacity through RunInstances (LaunchConfiguration.* or a launch template), splits it between pay-as-you-go
and spot instances by weight and price, keeps a history, refills (maintain) after a release, follows a new target,
and releases its instances when deleted so; Terraform's ``alicloud_auto_provisioning_group`` replayed from the
provider's source (``resource_alicloud_auto_provisioning_group.go``, ``EcsService.DescribeAutoProvisioningGroup`` and
``WaitForAutoProvisioningGroup`` in ``service_alicloud_ecs.go``):

- Create: CreateAutoProvisioningGroup with RegionId, LaunchTemplateId, TotalTargetCapacity and what is set (GetOk,
  non-empty: the name, type, strategies, ``TerminateInstances``..., ``LaunchTemplateConfig.N.MaxPrice/VSwitchId/
  WeightedCapacity`` always, ``InstanceType``/``Priority`` when set), then Read.
- Read: DescribeAutoProvisioningGroups with ``AutoProvisioningGroupId.1``; the item of that id, else gone. It sets
  the capacities with ``fmt.Sprintf("%v", float)``, ``launch_template_config`` from the configs' fields the same way.
- Update: ModifyAutoProvisioningGroup with what changed (GetOk), then Read.
- Delete: DeleteAutoProvisioningGroup with ``TerminateInstances`` (``InvalidAutoProvisioningGroupId.NotFound`` ends
  it), then a wait until Read finds no group.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Optional

import alibabacloud_ecs20140526.models as m
import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.CreateAutoProvisioningGroupRequest import CreateAutoProvisioningGroupRequest
from aliyunsdkecs.request.v20140526.DescribeAutoProvisioningGroupsRequest import DescribeAutoProvisioningGroupsRequest

from mockecs.world import spot
from mockecs.world.instance_types import instance_type
from tests import test_build_flow
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented
from tests.test_launch_templates import create as create_template
from tests.test_launch_templates import network_of
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import Provider, network

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
CHEAP, DEAR = "ecs.c7.large", "ecs.r7.large"
Config = m.CreateAutoProvisioningGroupRequestLaunchTemplateConfig
LaunchConfiguration = m.CreateAutoProvisioningGroupRequestLaunchConfiguration


def create(client, vswitch: str, group: str, *, configs: Optional[list] = None, **kw: Any) -> Any:
    kw.setdefault("launch_configuration", LaunchConfiguration(image_id=LINUX, security_group_id=group))
    return client.create_auto_provisioning_group(m.CreateAutoProvisioningGroupRequest(
        region_id=REGION, launch_template_config=configs or [Config(v_switch_id=vswitch, instance_type=X86_TYPE)],
        **kw)).body


def groups(client, **kw: Any) -> dict:
    answer = client.describe_auto_provisioning_groups(m.DescribeAutoProvisioningGroupsRequest(
        region_id=REGION, **kw)).body.to_map()
    assert response_problems("DescribeAutoProvisioningGroups", answer) == []
    return answer


def the_group(client, group_id: str) -> dict:
    (found,) = groups(client, auto_provisioning_group_id=[group_id])["AutoProvisioningGroups"]["AutoProvisioningGroup"]
    return found


def members(client, group_id: str) -> list[dict]:
    answer = client.describe_auto_provisioning_group_instances(m.DescribeAutoProvisioningGroupInstancesRequest(
        region_id=REGION, auto_provisioning_group_id=group_id, page_size=100)).body.to_map()
    assert response_problems("DescribeAutoProvisioningGroupInstances", answer) == []
    return answer["Instances"]["Instance"]


def tasks(client, group_id: str) -> list[dict]:
    answer = client.describe_auto_provisioning_group_history(m.DescribeAutoProvisioningGroupHistoryRequest(
        region_id=REGION, auto_provisioning_group_id=group_id)).body.to_map()
    assert response_problems("DescribeAutoProvisioningGroupHistory", answer) == []
    return answer["AutoProvisioningGroupHistories"]["AutoProvisioningGroupHistory"]


def modify(client, group_id: str, **kw: Any) -> None:
    client.modify_auto_provisioning_group(m.ModifyAutoProvisioningGroupRequest(
        region_id=REGION, auto_provisioning_group_id=group_id, **kw))


def describe(client, instance_ids: Optional[list[str]] = None) -> list[dict]:
    """DescribeInstances (of ``instance_ids``; all when None), oldest first."""
    request = m.DescribeInstancesRequest(region_id=REGION, page_size=100)
    if instance_ids is not None:
        request.instance_ids = json.dumps(instance_ids)
    return client.describe_instances(request).body.to_map()["Instances"]["Instance"]


def release(client, instance_id: str) -> None:
    client.delete_instance(m.DeleteInstanceRequest(instance_id=instance_id, force=True))


@pytest.fixture
def net(client) -> tuple[str, str]:
    return network_of(client)


# -- delivery ------------------------------------------------------------------------------------------------------
def test_instant_group_answers_its_launch_results(client, net):
    vswitch, group = net
    body = create(client, vswitch, group, auto_provisioning_group_type="instant", total_target_capacity="4",
                  pay_as_you_go_target_capacity="1", spot_target_capacity="1", default_target_capacity_type="Spot",
                  configs=[Config(v_switch_id=vswitch, instance_type=DEAR, weighted_capacity=1),
                           Config(v_switch_id=vswitch, instance_type=CHEAP, weighted_capacity=1)])
    assert response_problems("CreateAutoProvisioningGroup", body.to_map()) == []
    results = body.launch_results.launch_result
    by_strategy = {r.spot_strategy: r for r in results}
    assert set(by_strategy) == {"NoSpot", "SpotAsPriceGo"}  # 1 pay-as-you-go, 1 + the 2 left over as spot
    assert by_strategy["NoSpot"].amount == 1 and by_strategy["SpotAsPriceGo"].amount == 3
    assert {r.instance_type for r in results} == {CHEAP}  # lowest-price: the cheaper type
    instances = describe(client, instance_ids=[i for r in results for i in r.instance_ids.instance_id])
    assert sorted(i["SpotStrategy"] for i in instances) == ["NoSpot"] + ["SpotAsPriceGo"] * 3
    assert {i["VpcAttributes"]["VSwitchId"] for i in instances} == {vswitch}
    found = the_group(client, body.auto_provisioning_group_id)
    assert found["State"] == "fulfilled" and found["Status"] == "active"
    assert found["TargetCapacitySpecification"] == {"TotalTargetCapacity": 4.0, "PayAsYouGoTargetCapacity": 1.0,
                                                    "SpotTargetCapacity": 1.0, "DefaultTargetCapacityType": "Spot"}
    listed = members(client, body.auto_provisioning_group_id)
    assert sorted(i["IsSpot"] for i in listed) == [False, True, True, True]
    itype = instance_type(CHEAP)
    assert {(i["CPU"], i["Memory"]) for i in listed} == {(itype["CpuCoreCount"], int(itype["MemorySize"] * 1024))}
    (task,) = tasks(client, body.auto_provisioning_group_id)
    assert task["Status"] == "success" and task["TaskId"].startswith("apg-task-")
    assert task["ActivityDetails"]["ActivityDetail"][0]["Status"] == "Successful"


def test_weights_and_spot_price_limits(client, engine, net):
    vswitch, group = net
    zone = client.describe_vswitches(m.DescribeVSwitchesRequest(
        region_id=REGION, v_switch_id=vswitch)).body.v_switches.v_switch[0].zone_id
    price = spot.spot_price(engine, instance_type(CHEAP), zone, engine.clock.now())
    body = create(client, vswitch, group, auto_provisioning_group_type="instant", total_target_capacity="4",
                  configs=[Config(v_switch_id=vswitch, instance_type=CHEAP, max_price=price / 2, weighted_capacity=2),
                           Config(v_switch_id=vswitch, instance_type=DEAR, max_price=5, weighted_capacity=1)])
    failed, launched = sorted(body.launch_results.launch_result, key=lambda r: r.amount)
    # the cheaper per unit of weight is tried first; its limit is below the zone's spot price
    assert failed.error_code == "InvalidSpotPriceLimit.LowerThanPublicPrice" and failed.instance_type == CHEAP
    assert failed.amount == 0 and failed.instance_ids.instance_id == []
    assert launched.instance_type == DEAR and launched.amount == 4 and launched.error_code == ""
    assert launched.spot_strategy == "SpotWithPriceLimit"
    instances = describe(client, launched.instance_ids.instance_id)
    assert {i["SpotPriceLimit"] for i in instances} == {5.0}
    (task,) = tasks(client, body.auto_provisioning_group_id)
    assert [d["Status"] for d in task["ActivityDetails"]["ActivityDetail"]] == ["Successful", "Failed"]
    # a weight is what one instance counts for: 3 of weight 2 take two instances
    weighted = create(client, vswitch, group, auto_provisioning_group_type="instant", total_target_capacity="3",
                      configs=[Config(v_switch_id=vswitch, instance_type=DEAR, weighted_capacity=2)])
    assert [r.amount for r in weighted.launch_results.launch_result] == [2]


def test_diversified_spreads_over_the_configs(client, net):
    vswitch, group = net
    body = create(client, vswitch, group, auto_provisioning_group_type="instant", total_target_capacity="4",
                  spot_allocation_strategy="diversified",
                  configs=[Config(v_switch_id=vswitch, instance_type=CHEAP), Config(v_switch_id=vswitch,
                                                                                   instance_type=DEAR)])
    assert sorted((r.instance_type, r.amount) for r in body.launch_results.launch_result) == [(CHEAP, 2), (DEAR, 2)]


def test_a_large_target_launches_in_calls_of_a_hundred(client, net):
    vswitch, group = net
    body = create(client, vswitch, group, auto_provisioning_group_type="instant", total_target_capacity="150",
                  pay_as_you_go_target_capacity="150")
    (result,) = body.launch_results.launch_result
    assert result.amount == 150 and len(set(result.instance_ids.instance_id)) == 150
    # (RunInstances takes 100 at most: 150 are two launches)
    assert client.describe_instances(m.DescribeInstancesRequest(region_id=REGION)).body.total_count == 150


def test_maintain_group_refills_after_a_release_and_follows_its_target(client, net):
    vswitch, group = net
    template = create_template(client, "apg", image_id=LINUX, instance_type=X86_TYPE, security_group_id=group,
                               v_switch_id=vswitch)
    body = create(client, vswitch, group, launch_configuration=None, launch_template_id=template,
                  total_target_capacity="2", pay_as_you_go_target_capacity="2",
                  configs=[Config(v_switch_id=vswitch)])  # (the template's instance type)
    group_id = body.auto_provisioning_group_id
    assert body.launch_results is None  # (instant groups only)
    first = [i["InstanceId"] for i in members(client, group_id)]
    assert len(first) == 2 and {i["InstanceType"] for i in members(client, group_id)} == {X86_TYPE}
    assert the_group(client, group_id)["LaunchTemplateVersion"] == "1"
    release(client, first[0])
    now = [i["InstanceId"] for i in members(client, group_id)]
    assert len(now) == 2 and first[0] not in now and first[1] in now
    assert [t["Status"] for t in tasks(client, group_id)] == ["success", "success"]  # (newest first)
    modify(client, group_id, total_target_capacity="3", pay_as_you_go_target_capacity="3")
    assert len(members(client, group_id)) == 3
    # a smaller target: the newest leave the group, released with "termination"
    modify(client, group_id, total_target_capacity="1", pay_as_you_go_target_capacity="1",
           excess_capacity_termination_policy="termination")
    kept = [i["InstanceId"] for i in members(client, group_id)]
    assert now[0] == first[1] and kept == [first[1]]  # (the oldest stays)
    assert [i["InstanceId"] for i in describe(client)] == kept
    found = the_group(client, group_id)
    assert found["ExcessCapacityTerminationPolicy"] == "termination"
    assert found["TargetCapacitySpecification"]["TotalTargetCapacity"] == 1.0


def test_valid_from_and_until_on_the_mock_clock(client, engine, net):
    vswitch, group = net
    now = engine.clock.now()
    iso = "%Y-%m-%dT%H:%M:%SZ"
    body = create(client, vswitch, group, total_target_capacity="2", terminate_instances_with_expiration=True,
                  valid_from=time.strftime(iso, time.gmtime(now + 3600)),
                  valid_until=time.strftime(iso, time.gmtime(now + 7200)))
    group_id = body.auto_provisioning_group_id
    found = the_group(client, group_id)
    assert (found["Status"], found["State"]) == ("submitted", "pending-fulfillment") and describe(client) == []
    engine.clock.advance(3600)
    assert the_group(client, group_id)["Status"] == "active" and len(members(client, group_id)) == 2
    assert len(describe(client)) == 2
    engine.clock.advance(3600)
    assert groups(client, auto_provisioning_group_status=["active"])["TotalCount"] == 0  # (settled, then filtered)
    assert the_group(client, group_id)["Status"] == "deleted"  # expired: its instances released with it
    assert members(client, group_id) == [] and describe(client) == []
    err = error_of(modify, client, group_id, total_target_capacity="3")
    assert err.code == "AutoProvisioningGroup.IncorrectStatus"
    assert_documented("ModifyAutoProvisioningGroup", err)


def test_delete_with_and_without_terminating(client, net):
    vswitch, group = net
    kept = create(client, vswitch, group, total_target_capacity="1").auto_provisioning_group_id
    gone = create(client, vswitch, group, total_target_capacity="2", terminate_instances=True)
    gone = gone.auto_provisioning_group_id
    kept_ids = [i["InstanceId"] for i in members(client, kept)]
    for group_id in (kept, gone):
        client.delete_auto_provisioning_group(m.DeleteAutoProvisioningGroupRequest(
            region_id=REGION, auto_provisioning_group_id=group_id))  # (TerminateInstances: the group's own)
    assert [i["InstanceId"] for i in describe(client)] == kept_ids
    assert groups(client)["TotalCount"] == 0
    err = error_of(members, client, kept)
    assert err.code == "InvalidAutoProvisioningGroupId.NotFound"
    assert_documented("DescribeAutoProvisioningGroupInstances", err)


def test_a_protected_member_only_leaves(client, net):
    vswitch, group = net
    template = create_template(client, "protected", image_id=LINUX, instance_type=X86_TYPE, security_group_id=group,
                               deletion_protection=True)
    group_id = create(client, vswitch, group, launch_configuration=None, launch_template_id=template,
                      total_target_capacity="1", terminate_instances=True).auto_provisioning_group_id
    (member,) = members(client, group_id)
    client.delete_auto_provisioning_group(m.DeleteAutoProvisioningGroupRequest(
        region_id=REGION, auto_provisioning_group_id=group_id))
    (left,) = describe(client)  # (DeleteInstance would refuse it: it stays, out of the group)
    assert left["InstanceId"] == member["InstanceId"] and left["DeletionProtection"] is True


def test_tags_resource_groups_and_filters(client, net):
    vswitch, group = net
    tagged = create(client, vswitch, group, total_target_capacity="1", auto_provisioning_group_name="web-fleet",
                    tag=[m.CreateAutoProvisioningGroupRequestTag(key="team", value="web")]).auto_provisioning_group_id
    create(client, vswitch, group, total_target_capacity="1", auto_provisioning_group_name="batch")
    by_tag = groups(client, tag=[m.DescribeAutoProvisioningGroupsRequestTag(key="team", value="web")])
    assert [g["AutoProvisioningGroupId"] for g in by_tag["AutoProvisioningGroups"]["AutoProvisioningGroup"]] == [tagged]
    assert the_group(client, tagged)["Tags"] == {"Tag": [{"TagKey": "team", "TagValue": "web"}]}
    by_name = groups(client, auto_provisioning_group_name="batch")["AutoProvisioningGroups"]["AutoProvisioningGroup"]
    assert [g["AutoProvisioningGroupName"] for g in by_name] == ["batch"]
    default_group = the_group(client, tagged)["ResourceGroupId"]
    assert groups(client, resource_group_id=default_group)["TotalCount"] == 2
    assert groups(client, auto_provisioning_group_status=["deleted"])["TotalCount"] == 0
    assert groups(client, page_size=1, page_number=2)["AutoProvisioningGroups"]["AutoProvisioningGroup"][0][
        "AutoProvisioningGroupName"] == "batch"


def test_async_create_and_old_sdk_and_xml_describe(client, legacy, net):
    vswitch, group = net

    async def run() -> Any:
        return await client.create_auto_provisioning_group_async(m.CreateAutoProvisioningGroupRequest(
            region_id=REGION, total_target_capacity="1", auto_provisioning_group_name="async-fleet",
            launch_configuration=LaunchConfiguration(image_id=LINUX, security_group_id=group,
                                                     system_disk_size=60, instance_name="fleet"),
            launch_template_config=[Config(v_switch_id=vswitch, instance_type=X86_TYPE)]))

    group_id = asyncio.run(run()).body.auto_provisioning_group_id
    (instance,) = describe(client)
    assert instance["InstanceName"] == "fleet"  # LaunchConfiguration.* under RunInstances' names
    disks = client.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=instance["InstanceId"]))
    assert disks.body.disks.disk[0].size == 60
    request = DescribeAutoProvisioningGroupsRequest()
    request.set_AutoProvisioningGroupIds([group_id])
    answer = legacy_call(legacy, request)
    (item,) = answer["AutoProvisioningGroups"]["AutoProvisioningGroup"]
    assert item["AutoProvisioningGroupName"] == "async-fleet" and item["TerminateInstances"] is False
    root = legacy_xml(legacy, request)
    assert root.findtext("AutoProvisioningGroups/AutoProvisioningGroup/AutoProvisioningGroupId") == group_id
    assert root.findtext("AutoProvisioningGroups/AutoProvisioningGroup/TargetCapacitySpecification/"
                         "TotalTargetCapacity") in ("1.0", "1")


def test_old_sdk_create_with_data_disks(client, legacy, net):
    vswitch, group = net
    request = CreateAutoProvisioningGroupRequest()
    request.set_TotalTargetCapacity("2")
    request.set_AutoProvisioningGroupType("instant")
    request.set_LaunchConfigurationImageId(LINUX)
    request.set_LaunchConfigurationSecurityGroupId(group)
    request.set_LaunchConfigurationDataDisks([{"Size": 50, "Category": "cloud_essd"}])
    request.set_LaunchTemplateConfigs([{"VSwitchId": vswitch, "InstanceType": X86_TYPE, "WeightedCapacity": 1}])
    answer = legacy_call(legacy, request)
    (result,) = answer["LaunchResults"]["LaunchResult"]
    assert result["Amount"] == 2 and result["ErrorCode"] == ""
    for instance_id in result["InstanceIds"]["InstanceId"]:
        found = client.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=instance_id,
                                                             disk_type="data")).body.disks.disk
        assert [(d.size, d.category) for d in found] == [(50, "cloud_essd")]


def test_documented_errors(client, net):
    vswitch, group = net
    cases = [
        ({"total_target_capacity": "2", "pay_as_you_go_target_capacity": "2", "spot_target_capacity": "1"},
         "InvalidParameter.TargetCapacity"),
        ({"total_target_capacity": "two"}, "InvalidCapacity.ValueNotSupported"),
        ({"total_target_capacity": "1", "auto_provisioning_group_type": "sometimes"},
         "InvalidAutoProvisioningGroupType.ValueNotSupported"),
        ({"total_target_capacity": "1", "spot_allocation_strategy": "cheap"},
         "InvalidSpotAllocationStrategy.ValueNotSupported"),
        ({"total_target_capacity": "1", "excess_capacity_termination_policy": "maybe"},
         "InvalidFleetExcessCapacityTerminationPolicy.ValueNotSupported"),
        ({"total_target_capacity": "1", "auto_provisioning_group_name": "-bad"},
         "InvalidAutoProvisioningGroupName.Malformed"),
        ({"total_target_capacity": "1", "valid_until": "soon"}, "InvalidValidTime.MalFormed"),
        ({"total_target_capacity": "1", "configs": [Config(v_switch_id=vswitch, instance_type="ecs.nope.large")]},
         "InvalidInstanceType.ValueNotSupported"),
        ({"total_target_capacity": "1", "configs": [Config(v_switch_id="vsw-nope", instance_type=X86_TYPE)]},
         "InvalidVSwitchId.NotFound"),
        ({"total_target_capacity": "1", "configs": [Config(v_switch_id=vswitch, instance_type=X86_TYPE,
                                                           weighted_capacity=0)]},
         "InvalidParameter.WeightedCapacityBeyondRange"),
        ({"total_target_capacity": "1", "max_spot_price": -1}, "InvalidParameter.MaxPrice"),
        ({"total_target_capacity": "1", "launch_configuration": LaunchConfiguration(image_id="m-nope",
                                                                                    security_group_id=group)},
         "InvalidLaunchTemplate.ValueNotSupported"),
        ({"total_target_capacity": "1", "launch_configuration": LaunchConfiguration(
            image_id=LINUX, image_family="acs:alibaba_cloud_linux_3_2104_lts_x64", security_group_id=group)},
         "InvalidImageFamily.Confict"),
    ]
    for kw, code in cases:
        err = error_of(create, client, vswitch, group, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("CreateAutoProvisioningGroup", err)
    err = error_of(client.create_auto_provisioning_group, m.CreateAutoProvisioningGroupRequest(
        region_id=REGION, total_target_capacity="1"))
    assert err.code == "MissingParameter.LaunchTemplateConfigs"
    assert_documented("CreateAutoProvisioningGroup", err)
    assert groups(client)["TotalCount"] == 0 and describe(client) == []  # (nothing made by a refusal)
    group_id = create(client, vswitch, group, total_target_capacity="1").auto_provisioning_group_id
    err = error_of(modify, client, group_id, pay_as_you_go_target_capacity="5")
    assert (err.code, err.status_code) == ("InvalidParameter.TargetCapacity", 403)
    assert_documented("ModifyAutoProvisioningGroup", err)
    err = error_of(modify, client, "apg-nope")
    assert err.code == "InvalidAutoProvisioningGroupId.NotFound"
    assert_documented("ModifyAutoProvisioningGroup", err)
    err = error_of(client.delete_auto_provisioning_group, m.DeleteAutoProvisioningGroupRequest(
        region_id=REGION, auto_provisioning_group_id="apg-nope"))
    assert_documented("DeleteAutoProvisioningGroup", err)


# -- Terraform's alicloud_auto_provisioning_group --------------------------------------------------------------------
def _go(value: Any) -> str:
    """``fmt.Sprintf("%v", float64)``: ``4`` for 4.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def tf_read(p: Provider, group_id: str) -> Optional[dict]:
    found = p.call("DescribeAutoProvisioningGroups", **{"AutoProvisioningGroupId.1": group_id})
    items = [g for g in found["AutoProvisioningGroups"]["AutoProvisioningGroup"]
             if g["AutoProvisioningGroupId"] == group_id]
    if not items:
        return None
    g = items[0]
    spec = g["TargetCapacitySpecification"]
    state = {"auto_provisioning_group_name": g["AutoProvisioningGroupName"],
             "launch_template_id": g["LaunchTemplateId"],
             "auto_provisioning_group_type": g["AutoProvisioningGroupType"], "status": g["Status"],
             "excess_capacity_termination_policy": g["ExcessCapacityTerminationPolicy"],
             "terminate_instances_with_expiration": g["TerminateInstancesWithExpiration"],
             "max_spot_price": g["MaxSpotPrice"], "terminate_instances": g["TerminateInstances"],
             "valid_from": g["ValidFrom"], "valid_until": g["ValidUntil"], "state": g["State"],
             "pay_as_you_go_target_capacity": _go(spec["PayAsYouGoTargetCapacity"]),
             "spot_target_capacity": _go(spec["SpotTargetCapacity"]),
             "total_target_capacity": _go(spec["TotalTargetCapacity"]),
             "default_target_capacity_type": spec["DefaultTargetCapacityType"],
             "pay_as_you_go_allocation_strategy": g["PayAsYouGoOptions"]["AllocationStrategy"],
             "spot_allocation_strategy": g["SpotOptions"]["AllocationStrategy"],
             "spot_instance_interruption_behavior": g["SpotOptions"]["InstanceInterruptionBehavior"],
             "spot_instance_pools_to_use_count": g["SpotOptions"]["InstancePoolsToUseCount"],
             "launch_template_version": g["LaunchTemplateVersion"]}
    for c in g["LaunchTemplateConfigs"]["LaunchTemplateConfig"]:  # (the provider keeps the last one)
        state["launch_template_config"] = [{"instance_type": c["InstanceType"], "vswitch_id": c["VSwitchId"],
                                            "weighted_capacity": _go(c["WeightedCapacity"]),
                                            "max_price": _go(c["MaxPrice"]), "priority": _go(c["Priority"])}]
    return state


def tf_create(p: Provider, config: dict) -> str:
    query = {"LaunchTemplateId": config["launch_template_id"], "TotalTargetCapacity": config["total_target_capacity"],
             # (schema defaults, sent as set)
             "AutoProvisioningGroupType": "maintain", "SpotAllocationStrategy": "lowest-price",
             "SpotInstanceInterruptionBehavior": "stop", "PayAsYouGoAllocationStrategy": "lowest-price",
             "ExcessCapacityTerminationPolicy": "no-termination", "DefaultTargetCapacityType": "Spot",
             "PayAsYouGoTargetCapacity": config.get("pay_as_you_go_target_capacity"),
             "SpotTargetCapacity": config.get("spot_target_capacity")}
    for n, c in enumerate(config["launch_template_config"], 1):
        query.update({f"LaunchTemplateConfig.{n}.MaxPrice": c["max_price"],
                      f"LaunchTemplateConfig.{n}.VSwitchId": c["vswitch_id"],
                      f"LaunchTemplateConfig.{n}.WeightedCapacity": c["weighted_capacity"],
                      f"LaunchTemplateConfig.{n}.InstanceType": c.get("instance_type")})
    group_id = p.call("CreateAutoProvisioningGroup", **query)["AutoProvisioningGroupId"]
    assert tf_read(p, group_id) is not None
    return group_id


def tf_delete(p: Provider, group_id: str, terminate: bool) -> None:
    try:
        p.call("DeleteAutoProvisioningGroup", AutoProvisioningGroupId=group_id, TerminateInstances=terminate)
    except ServerException as err:
        if err.get_error_code() != "InvalidAutoProvisioningGroupId.NotFound":
            raise
        return
    assert tf_read(p, group_id) is None  # WaitForAutoProvisioningGroup(Deleted): not found ends it


def test_terraform_apply_update_refresh_destroy(proxy):
    p = Provider(REGION)
    net = network(p)
    template = p.call("CreateLaunchTemplate", LaunchTemplateName="tf-testAccautoprovisioninggroup", ImageId=LINUX,
                      InstanceType=X86_TYPE, SecurityGroupId=net["security_group"])["LaunchTemplateId"]
    config = {"launch_template_id": template, "total_target_capacity": "4", "pay_as_you_go_target_capacity": "1",
              "spot_target_capacity": "2",
              "launch_template_config": [{"vswitch_id": net["vswitch"], "weighted_capacity": "1", "max_price": "2",
                                          "instance_type": CHEAP}]}
    group_id = tf_create(p, config)
    state = tf_read(p, group_id)
    # the test's checks (basicMap): what the configuration set reads back as it was written
    assert {k: state[k] for k in ("launch_template_id", "total_target_capacity", "pay_as_you_go_target_capacity",
                                  "spot_target_capacity")} == {k: config[k] for k in (
        "launch_template_id", "total_target_capacity", "pay_as_you_go_target_capacity", "spot_target_capacity")}
    assert state["launch_template_config"] == [{"instance_type": CHEAP, "vswitch_id": net["vswitch"],
                                                "weighted_capacity": "1", "max_price": "2", "priority": "0"}]
    assert state["auto_provisioning_group_type"] == "maintain" and state["state"] == "fulfilled"
    assert len(p.call("DescribeAutoProvisioningGroupInstances", AutoProvisioningGroupId=group_id)[
        "Instances"]["Instance"]) == 4
    # updates, one step at a time as the acceptance test does: each a Modify with the changed field, then a Read
    for field, param, value in (
            ("auto_provisioning_group_name", "AutoProvisioningGroupName", "auto_provisioning_group_test"),
            ("max_spot_price", "MaxSpotPrice", 2.0),
            ("excess_capacity_termination_policy", "ExcessCapacityTerminationPolicy", "termination"),
            ("default_target_capacity_type", "DefaultTargetCapacityType", "PayAsYouGo"),
            ("terminate_instances_with_expiration", "TerminateInstancesWithExpiration", True),
            ("total_target_capacity", "TotalTargetCapacity", "5"),
            ("pay_as_you_go_target_capacity", "PayAsYouGoTargetCapacity", "2")):
        p.call("ModifyAutoProvisioningGroup", AutoProvisioningGroupId=group_id, **{param: value})
        assert tf_read(p, group_id)[field] == value
    assert len(p.call("DescribeAutoProvisioningGroupInstances", AutoProvisioningGroupId=group_id, PageSize=50)[
        "Instances"]["Instance"]) == 5
    tf_delete(p, group_id, terminate=False)
    assert len(p.call("DescribeInstances", PageSize=100)["Instances"]["Instance"]) == 5  # (kept: terminate false)


def test_terraform_refresh_after_deletion_outside(proxy):
    p = Provider(REGION)
    net = network(p)
    template = p.call("CreateLaunchTemplate", LaunchTemplateName="tf-apg", ImageId=LINUX, InstanceType=X86_TYPE,
                      SecurityGroupId=net["security_group"])["LaunchTemplateId"]
    group_id = tf_create(p, {"launch_template_id": template, "total_target_capacity": "1",
                             "launch_template_config": [{"vswitch_id": net["vswitch"], "weighted_capacity": "1",
                                                         "max_price": "2"}]})
    p.call("DeleteAutoProvisioningGroup", AutoProvisioningGroupId=group_id, TerminateInstances=True)
    assert tf_read(p, group_id) is None  # the resource leaves the state
    tf_delete(p, group_id, terminate=True)  # (a destroy after that: NotFound ends it)
    assert p.call("DescribeInstances")["Instances"]["Instance"] == []

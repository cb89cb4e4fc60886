"""Deployment sets (CreateDeploymentSet ... ModifyInstanceDeployment) through both SDKs, JSON and XML, and async:
the wire fields and types, the documented codes, the strategies' limits (checked for a whole batch before anything
is written), instances launched into a set, moved and released (Terraform's replay is in
tests/test_terraform_deployment_sets.py)."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateDeploymentSetRequest import CreateDeploymentSetRequest
from aliyunsdkecs.request.v20140526.DeleteDeploymentSetRequest import DeleteDeploymentSetRequest
from aliyunsdkecs.request.v20140526.DescribeDeploymentSetsRequest import DescribeDeploymentSetsRequest
from aliyunsdkecs.request.v20140526.DescribeDeploymentSetSupportedInstanceTypeFamilyRequest import (
    DescribeDeploymentSetSupportedInstanceTypeFamilyRequest,
)
from aliyunsdkecs.request.v20140526.ModifyInstanceDeploymentRequest import ModifyInstanceDeploymentRequest

from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, assert_documented, describe, old_error, run

ZONE_A, ZONE_B = "cn-hangzhou-i", "cn-hangzhou-j"  # (both sell every family used here)
NEW = "ecs.g8i.large"  # a family the LowLatency strategy takes


def create(client, region: str = REGION, **kw) -> str:
    return client.create_deployment_set(models.CreateDeploymentSetRequest(region_id=region, **kw)).body \
        .deployment_set_id


def sets(client, region: str = REGION, **kw) -> dict:
    body = client.describe_deployment_sets(models.DescribeDeploymentSetsRequest(region_id=region, **kw)).body.to_map()
    assert response_problems("DescribeDeploymentSets", body) == []
    return body


def one(client, set_id: str) -> dict:
    found = sets(client, deployment_set_ids=json.dumps([set_id]))["DeploymentSets"]["DeploymentSet"]
    assert len(found) == 1
    return found[0]


def move(client, instance_id: str, set_id: str, **kw):
    return client.modify_instance_deployment(models.ModifyInstanceDeploymentRequest(
        region_id=REGION, instance_id=instance_id, deployment_set_id=set_id, **kw))


def delete_instances(client, ids: list[str]) -> None:
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=ids, force=True))


# -- the set itself -----------------------------------------------------------------------------------------------
def test_set_life_and_wire_fields(client):
    set_id = create(client, deployment_set_name="web-tier", description="spread the web servers",
                    on_unable_to_redeploy_failed_instance="KeepStopped")
    assert set_id.startswith("ds-bp1") and len(set_id) == 23
    got = one(client, set_id)
    assert got == {"DeploymentSetId": set_id, "DeploymentSetName": "web-tier",
                   "DeploymentSetDescription": "spread the web servers", "DeploymentStrategy": "Availability",
                   "Strategy": "StrictDispersion", "Domain": "default", "Granularity": "host", "GroupCount": 0,
                   "CreationTime": got["CreationTime"], "InstanceAmount": 0, "InstanceIds": {"InstanceId": []},
                   "Capacities": {"Capacity": []}, "AccountId": int(DEFAULT_ACCOUNT), "Affinity": 0,
                   "Type": ""}
    assert len(got["CreationTime"]) == 20 and got["CreationTime"].endswith("Z")
    client.modify_deployment_set_attribute(models.ModifyDeploymentSetAttributeRequest(
        region_id=REGION, deployment_set_id=set_id, deployment_set_name="web:tier_2"))
    got = one(client, set_id)
    assert (got["DeploymentSetName"], got["DeploymentSetDescription"]) == ("web:tier_2", "spread the web servers")
    client.delete_deployment_set(models.DeleteDeploymentSetRequest(region_id=REGION, deployment_set_id=set_id))
    body = sets(client)
    assert (body["TotalCount"], body["DeploymentSets"]["DeploymentSet"], body["RegionId"]) == (0, [], REGION)
    err = error_of(client.delete_deployment_set, models.DeleteDeploymentSetRequest(region_id=REGION,
                                                                                   deployment_set_id=set_id))
    assert (err.code, err.status_code) == ("InvalidDeploymentSetId.NotFound", 404)


def test_group_strategy_keeps_its_group_count(client):
    default = create(client, strategy="AvailabilityGroup")
    five = create(client, strategy="AvailabilityGroup", group_count=5)
    ignored = create(client, strategy="LowLatency", group_count=5)  # (effective only for AvailabilityGroup)
    assert [(one(client, s)["GroupCount"], one(client, s)["DeploymentStrategy"], one(client, s)["Strategy"])
            for s in (default, five, ignored)] == [(3, "AvailabilityGroup", "StrictDispersion"),
                                                   (5, "AvailabilityGroup", "StrictDispersion"),
                                                   (0, "LowLatency", "LooseDispersion")]


@pytest.mark.parametrize("field, value, code", [
    ("deployment_set_name", "1starts-with-a-digit", "InvalidDeploymentSetName.Malformed"),
    ("deployment_set_name", "x", "InvalidDeploymentSetName.Malformed"),
    ("deployment_set_name", "http://web", "InvalidDeploymentSetName.Malformed"),
    ("deployment_set_name", "dots.are.not.allowed", "InvalidDeploymentSetName.Malformed"),
    ("description", "x", "InvalidDescription.Malformed"),
    ("description", "https://example.com", "InvalidDescription.Malformed"),
    ("strategy", "StrictDispersion", "InvalidParameter.Strategy"),
    ("group_count", 8, "InvalidParameter.GroupCount"),
    ("group_count", 0, "InvalidParameter.GroupCount"),
    ("domain", "other", "InvalidParameter.Domain"),
    ("granularity", "rack", "InvalidParameter.granularity"),
])
def test_create_refusals(client, field, value, code):
    err = error_of(client.create_deployment_set, models.CreateDeploymentSetRequest(
        region_id=REGION, **{"strategy": "AvailabilityGroup", field: value}))
    assert err.code == code
    assert_documented("CreateDeploymentSet", err)
    assert sets(client)["TotalCount"] == 0


def test_client_token_makes_one_set(client):
    made = {create(client, deployment_set_name="once", client_token="tf-create-1") for _ in range(2)}
    assert len(made) == 1 and sets(client)["TotalCount"] == 1
    err = error_of(client.create_deployment_set, models.CreateDeploymentSetRequest(
        region_id=REGION, deployment_set_name="other", client_token="tf-create-1"))
    assert err.code == "IdempotenceParamNotMatch"


def test_deprecated_domain_and_granularity_as_terraform_sends_them(client):
    set_id = create(client, domain="Default", granularity="Host")
    assert (one(client, set_id)["Domain"], one(client, set_id)["Granularity"]) == ("default", "host")


def test_quota_and_modify_refusals(client, engine):
    engine.config.options["deployment_set_quota"] = 1
    set_id = create(client)
    err = error_of(client.create_deployment_set, models.CreateDeploymentSetRequest(region_id=REGION))
    assert err.code == "QuotaExceed.DeploymentSet"
    assert_documented("CreateDeploymentSet", err)
    assert create(client, region="cn-beijing")  # (per region)
    for kw, code in (({"deployment_set_id": "ds-bp1nosuchset000000000"}, "InvalidDeploymentSetId.NotFound"),
                     ({"deployment_set_id": set_id, "deployment_set_name": "-bad"},
                      "InvalidDeploymentSetName.Malformed"),
                     ({"deployment_set_id": set_id, "description": "x"}, "InvalidDescription.Malformed")):
        err = error_of(client.modify_deployment_set_attribute,
                       models.ModifyDeploymentSetAttributeRequest(region_id=REGION, **kw))
        assert err.code == code
        assert_documented("ModifyDeploymentSetAttribute", err)


def test_describe_filters_paging_and_async(client):
    made = [create(client, deployment_set_name=f"set-{n}") for n in range(3)]
    group = create(client, deployment_set_name="grouped", strategy="AvailabilityGroup")
    assert sets(client)["TotalCount"] == 4
    page = sets(client, page_size=2, page_number=2)
    assert (page["PageNumber"], page["PageSize"], [s["DeploymentSetId"] for s in page["DeploymentSets"][
        "DeploymentSet"]]) == (2, 2, [made[2], group])  # creation order
    by_strategy = sets(client, strategy="AvailabilityGroup")
    assert [s["DeploymentSetId"] for s in by_strategy["DeploymentSets"]["DeploymentSet"]] == [group]
    assert [s["DeploymentSetId"] for s in sets(client, deployment_set_name="set-1")["DeploymentSets"][
        "DeploymentSet"]] == [made[1]]
    both = sets(client, deployment_set_ids=json.dumps([group, made[0], "ds-bp1nosuchset000000000"]),
                strategy="Availability")
    assert [s["DeploymentSetId"] for s in both["DeploymentSets"]["DeploymentSet"]] == [made[0]]
    assert sets(client, region="cn-beijing")["TotalCount"] == 0
    err = error_of(client.describe_deployment_sets, models.DescribeDeploymentSetsRequest(
        region_id=REGION, deployment_set_ids=json.dumps([f"ds-{n}" for n in range(101)])))
    assert err.code == "InvalidDeploymentSetIds.TooManyInput"
    assert_documented("DescribeDeploymentSets", err)
    assert error_of(client.describe_deployment_sets, models.DescribeDeploymentSetsRequest(
        region_id=REGION, page_size=51)).code == "InvalidParameter"  # (documented maximum: 50)

    async def listed() -> dict:
        answer = await client.describe_deployment_sets_async(models.DescribeDeploymentSetsRequest(
            region_id=REGION, deployment_set_name="grouped"))
        return answer.body.to_map()

    assert asyncio.run(listed())["DeploymentSets"]["DeploymentSet"][0]["GroupCount"] == 3


def test_supported_families(client, legacy):
    def families(strategy=None) -> list[str]:
        text = client.describe_deployment_set_supported_instance_type_family(
            models.DescribeDeploymentSetSupportedInstanceTypeFamilyRequest(region_id=REGION, strategy=strategy)).body \
            .instance_type_families
        return text.split(",")

    assert families() == families("Availability") == families("AvailabilityGroup")
    assert "ecs.g7" in families() and "ecs.t6" not in families()  # (no burstable family)
    assert "ecs.g8i" in families("LowLatency") and "ecs.g7" not in families("LowLatency")
    request = DescribeDeploymentSetSupportedInstanceTypeFamilyRequest()
    request.set_Strategy("LowLatency")
    assert legacy_call(legacy, request)["InstanceTypeFamilies"] == ",".join(families("LowLatency"))
    err = error_of(client.describe_deployment_set_supported_instance_type_family,
                   models.DescribeDeploymentSetSupportedInstanceTypeFamilyRequest(region_id=REGION, strategy="Any"))
    assert (err.code, err.status_code) == ("InvalidParameter.Strategy", 400)


def test_old_sdk_and_xml(legacy, client):
    request = CreateDeploymentSetRequest()
    request.set_DeploymentSetName("legacy-set")
    request.set_Strategy("AvailabilityGroup")
    request.set_GroupCount(2)
    set_id = legacy_call(legacy, request)["DeploymentSetId"]
    instance_id = run(client, deployment_set_id=set_id)[0]
    listed = DescribeDeploymentSetsRequest()
    listed.set_DeploymentSetIds(json.dumps([set_id]))
    root = legacy_xml(legacy, listed)
    item = root.find("DeploymentSets/DeploymentSet")
    assert item.findtext("DeploymentSetId") == set_id and item.findtext("GroupCount") == "2"
    assert [e.text for e in item.findall("InstanceIds/InstanceId")] == [instance_id]
    assert item.findtext("InstanceAmount") == "1"
    assert item.findtext("Capacities/Capacity/UsedAmount") == "1"
    assert item.findtext("Capacities/Capacity/AvailableAmount") == "39"  # (2 groups of 20)
    assert root.findtext("TotalCount") == "1"
    leaving = ModifyInstanceDeploymentRequest()
    leaving.set_InstanceId(instance_id)
    leaving.set_DeploymentSetId(set_id)
    leaving.set_RemoveFromDeploymentSet(True)
    legacy_call(legacy, leaving)
    assert describe(client, instance_id)["DeploymentSetId"] == ""
    delete = DeleteDeploymentSetRequest()
    delete.set_DeploymentSetId(set_id)
    legacy_call(legacy, delete)
    err = old_error(legacy, delete)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidDeploymentSetId.NotFound", 404)


# -- instances in a set -------------------------------------------------------------------------------------------
def test_launch_into_a_set_then_release(client):
    set_id = create(client)
    ids = run(client, amount=2, deployment_set_id=set_id, zone_id=ZONE_A)
    for instance_id in ids:
        item = describe(client, instance_id)
        assert item["DeploymentSetId"] == set_id and "DeploymentSetGroupNo" not in item  # (not a group set)
    got = one(client, set_id)
    assert got["InstanceAmount"] == 2 and got["InstanceIds"]["InstanceId"] == sorted(ids)
    assert got["Capacities"]["Capacity"] == [{"ZoneId": ZONE_A, "UsedAmount": 2, "AvailableAmount": 18}]
    err = error_of(client.delete_deployment_set, models.DeleteDeploymentSetRequest(region_id=REGION,
                                                                                   deployment_set_id=set_id))
    assert err.code == "DependencyViolation.NotEmpty"
    assert_documented("DeleteDeploymentSet", err)
    delete_instances(client, ids[:1])  # releasing an instance takes it out of its set
    assert one(client, set_id)["InstanceIds"]["InstanceId"] == ids[1:]
    delete_instances(client, ids[1:])
    assert one(client, set_id)["Capacities"]["Capacity"] == []
    client.delete_deployment_set(models.DeleteDeploymentSetRequest(region_id=REGION, deployment_set_id=set_id))


def test_availability_limit_is_per_zone_and_checked_for_the_whole_batch(client, engine):
    set_id = create(client)
    err = error_of(run, client, deployment_set_id=set_id, zone_id=ZONE_A, amount=21)  # nothing is written
    assert err.code == "QuotaExceed.DeploymentSetInstanceQuotaFull"
    assert_documented("RunInstances", err)
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 0
    err = error_of(run, client, deployment_set_id=set_id, zone_id=ZONE_A, amount=21, dry_run=True)
    assert err.code == "QuotaExceed.DeploymentSetInstanceQuotaFull"  # (a dry run checks the room too)
    assert error_of(run, client, deployment_set_id=set_id, zone_id=ZONE_A, amount=20, dry_run=True).code == \
        "DryRunOperation"
    assert len(run(client, amount=20, deployment_set_id=set_id, zone_id=ZONE_A)) == 20
    err = error_of(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large",
        zone_id=ZONE_A, deployment_set_id=set_id))
    assert err.code == "QuotaExceed.DeploymentSetInstanceQuotaFull"
    assert_documented("CreateInstance", err)
    assert run(client, deployment_set_id=set_id, zone_id=ZONE_B)  # another zone has its own 20
    got = one(client, set_id)
    assert got["InstanceAmount"] == 21 and got["Capacities"]["Capacity"] == [
        {"ZoneId": ZONE_A, "UsedAmount": 20, "AvailableAmount": 0},
        {"ZoneId": ZONE_B, "UsedAmount": 1, "AvailableAmount": 19}]
    engine.config.options["deployment_set_instances_per_zone"] = 25  # (an option)
    assert len(run(client, amount=5, deployment_set_id=set_id, zone_id=ZONE_A)) == 5


def test_group_strategy_balances_and_takes_a_group_number(client, engine):
    engine.config.options["deployment_set_instances_per_zone"] = 2
    set_id = create(client, strategy="AvailabilityGroup", group_count=2)
    ids = run(client, amount=3, deployment_set_id=set_id, zone_id=ZONE_A)
    assert [describe(client, i)["DeploymentSetGroupNo"] for i in ids] == [1, 2, 1]
    err = error_of(run, client, deployment_set_id=set_id, zone_id=ZONE_A, deployment_set_group_no=1)
    assert err.code == "QuotaExceed.DeploymentSetInstanceQuotaFull"
    for bad in (3, 0):
        err = error_of(run, client, deployment_set_id=set_id, zone_id=ZONE_A, deployment_set_group_no=bad)
        assert err.code == "InvalidParameter.DeploymentSetGroupNo"
        assert_documented("RunInstances", err)
    last = run(client, deployment_set_id=set_id, zone_id=ZONE_A, deployment_set_group_no=2)[0]
    assert describe(client, last)["DeploymentSetGroupNo"] == 2
    assert one(client, set_id)["Capacities"]["Capacity"] == [{"ZoneId": ZONE_A, "UsedAmount": 4,
                                                             "AvailableAmount": 0}]
    created = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large",
        zone_id=ZONE_B, deployment_set_id=set_id, deployment_set_group_no=2)).body.instance_id
    assert describe(client, created)["DeploymentSetGroupNo"] == 2


def test_low_latency_keeps_one_zone_and_its_families(client):
    set_id = create(client, strategy="LowLatency")
    err = error_of(run, client, deployment_set_id=set_id, zone_id=ZONE_A)  # ecs.g7: not for LowLatency
    assert err.code == "InvalidInstanceType.NotSupported"
    assert_documented("RunInstances", err)
    first = run(client, instance_type=NEW, deployment_set_id=set_id, zone_id=ZONE_A)[0]
    err = error_of(run, client, instance_type=NEW, deployment_set_id=set_id, zone_id=ZONE_B)
    assert err.code == "InvalidDestinationZone.DeploymentSetMismatch"
    assert_documented("RunInstances", err)
    assert len(run(client, instance_type=NEW, amount=19, deployment_set_id=set_id, zone_id=ZONE_A)) == 19
    assert error_of(run, client, instance_type=NEW, deployment_set_id=set_id, zone_id=ZONE_A).code == \
        "QuotaExceed.DeploymentSetInstanceQuotaFull"
    delete_instances(client, [first])
    assert run(client, instance_type=NEW, deployment_set_id=set_id, zone_id=ZONE_A)


@pytest.mark.parametrize("set_id, code", [("not-a-set", "InvalidDeploymentSetId.NotFound"),
                                          ("ds-bp1nosuchset000000000", "DeploymentSet.NotFound")])
def test_launch_names_an_unknown_set(client, set_id, code):
    err = error_of(run, client, deployment_set_id=set_id)
    assert err.code == code
    assert_documented("RunInstances", err)
    err = error_of(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large",
        deployment_set_id=set_id))
    assert_documented("CreateInstance", err)


def test_other_accounts_set_is_not_found(client, other):
    set_id = create(other.client)
    assert error_of(run, client, deployment_set_id=set_id).code == "DeploymentSet.NotFound"
    assert sets(client)["TotalCount"] == 0 and sets(other.client)["TotalCount"] == 1


# -- ModifyInstanceDeployment ---------------------------------------------------------------------------------------
def test_modify_instance_deployment_join_move_regroup_leave(client, engine):
    engine.config.options["deployment_set_instances_per_zone"] = 1
    first, second = create(client), create(client, strategy="AvailabilityGroup", group_count=2)
    instance_id, neighbour = run(client, amount=2, zone_id=ZONE_A)
    move(client, instance_id, first)
    assert describe(client, instance_id)["DeploymentSetId"] == first
    move(client, instance_id, first)  # (the set it is in: it stays, its place counted once)
    err = error_of(move, client, neighbour, first)  # one instance per zone here
    assert err.code == "InvalidDeploymentSetId.NoAvailableResources"
    assert_documented("ModifyInstanceDeployment", err)
    move(client, instance_id, second, deployment_set_group_no=2)  # to another set, into group 2
    item = describe(client, instance_id)
    assert (item["DeploymentSetId"], item["DeploymentSetGroupNo"]) == (second, 2)
    assert one(client, first)["InstanceAmount"] == 0
    move(client, instance_id, second)  # the same set again: back to the emptiest group
    assert describe(client, instance_id)["DeploymentSetGroupNo"] == 1
    move(client, neighbour, second)
    assert describe(client, neighbour)["DeploymentSetGroupNo"] == 2
    err = error_of(move, client, neighbour, second, deployment_set_group_no=7)
    assert err.code == "InvalidParameter.DeploymentSetGroupNo"
    assert_documented("ModifyInstanceDeployment", err)
    err = error_of(move, client, neighbour, first, remove_from_deployment_set=True)  # not in that set
    assert err.code == "InvalidParameter.Param"
    assert_documented("ModifyInstanceDeployment", err)
    move(client, neighbour, second, remove_from_deployment_set=True)
    item = describe(client, neighbour)
    assert item["DeploymentSetId"] == "" and "DeploymentSetGroupNo" not in item
    assert one(client, second)["InstanceIds"]["InstanceId"] == [instance_id]


@pytest.mark.parametrize("kw, code", [
    ({"deployment_set_id": "ds-bp1nosuchset000000000"}, "InvalidDeploymentSetId.NotFound"),
    ({"instance_id": "i-bp1nosuchinstance00000"}, "InvalidInstanceId.NotFound"),
    # (onto a dedicated host: not together with a set, documented; more in tests/test_dedicated_hosts.py)
    ({"dedicated_host_id": "dh-bp1nosuchhost0000000"}, "InvalidParameter.Param"),
    ({"dedicated_host_id": "dh-bp1nosuchhost0000000", "deployment_set_id": None}, "InvalidDedicatedHostId.NotFound"),
    ({"dedicated_host_cluster_id": "dc-bp1nosuchcluster000", "deployment_set_id": None},
     "InvalidDedicatedHostClusterId.NotFound"),
    ({"tenancy": "host", "deployment_set_id": None}, "InvalidInstanceNetworkType.NotSupport"),  # (a classic instance)
    ({"tenancy": "shared"}, "InvalidParameter.Tenancy"),
    ({"affinity": "sticky"}, "InvalidParameter.Affinity"),
    ({"instance_type": "ecs.g7.xlarge"}, "InvalidParam.DedicatedHostId"),
    ({"deployment_set_id": None}, "InvalidParameter.Param"),
])
def test_modify_instance_deployment_refusals(client, kw, code):
    set_id = create(client)
    instance_id = run(client)[0]
    args = {"region_id": REGION, "instance_id": instance_id, "deployment_set_id": set_id, **kw}
    err = error_of(client.modify_instance_deployment, models.ModifyInstanceDeploymentRequest(**args))
    assert err.code == code
    assert_documented("ModifyInstanceDeployment", err)
    assert describe(client, instance_id)["DeploymentSetId"] == ""

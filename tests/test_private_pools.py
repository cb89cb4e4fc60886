"""Capacity reservations and elasticity assurances (private pools) through both SDKs, JSON and XML, and async: the
wire fields and types, the documented codes, launches matching a pool (PrivatePoolOptions Open, Target, None), the
pool's used amount and instance list following launches and releases, the mock clock ending a pool (Terraform's
replay is in tests/test_terraform_private_pools.py)."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateCapacityReservationRequest import CreateCapacityReservationRequest
from aliyunsdkecs.request.v20140526.DescribeCapacityReservationsRequest import DescribeCapacityReservationsRequest

from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, WINDOWS, X86_TYPE, assert_documented, describe

ZONE, OTHER_ZONE = "cn-hangzhou-i", "cn-hangzhou-j"
OTHER_TYPE = "ecs.c7.large"


@pytest.fixture
def net(client) -> dict:
    vpc = new_vpc(client, "172.16.0.0/12")
    group = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc)).body \
        .security_group_id
    return {"vpc": vpc, "group": group, "vswitch": new_vswitch(client, vpc, "172.16.0.0/24", ZONE),
            "other": new_vswitch(client, vpc, "172.16.1.0/24", OTHER_ZONE)}


def reserve(client, amount: int = 2, zone: str = ZONE, instance_type: str = X86_TYPE, **kw) -> str:
    options = {k: kw.pop(k) for k in ("name", "match_criteria") if k in kw}
    return client.create_capacity_reservation(models.CreateCapacityReservationRequest(
        region_id=REGION, instance_amount=amount, instance_type=instance_type, zone_id=[zone],
        private_pool_options=models.CreateCapacityReservationRequestPrivatePoolOptions(**options), **kw)).body \
        .private_pool_options_id


def reservations(client, **kw) -> dict:
    body = client.describe_capacity_reservations(models.DescribeCapacityReservationsRequest(region_id=REGION, **kw)) \
        .body.to_map()
    assert response_problems("DescribeCapacityReservations", body) == []
    return body


def reservation(client, pool_id: str, status: str = "All") -> dict:
    items = reservations(client, private_pool_options=models.DescribeCapacityReservationsRequestPrivatePoolOptions(
        ids=json.dumps([pool_id])), status=status)["CapacityReservationSet"]["CapacityReservationItem"]
    assert len(items) == 1
    return items[0]


def members(client, pool_id: str, **kw) -> dict:
    body = client.describe_capacity_reservation_instances(models.DescribeCapacityReservationInstancesRequest(
        region_id=REGION, private_pool_options=models.DescribeCapacityReservationInstancesRequestPrivatePoolOptions(
            id=pool_id), **kw)).body.to_map()
    assert response_problems("DescribeCapacityReservationInstances", body) == []
    return body


def member_ids(client, pool_id: str) -> list[str]:
    return [i["InstanceId"] for i in members(client, pool_id, max_results=100)["CapacityReservationItem"][
        "InstanceIdSet"]]


def launch(client, net: dict, amount: int = 1, criteria: str = "", pool_id: str = "", vswitch: str = "vswitch",
           instance_type: str = X86_TYPE, image_id: str = "aliyun_3_x64_20G_alibase_20240819.vhd", **kw) -> list[str]:
    options = models.RunInstancesRequestPrivatePoolOptions(match_criteria=criteria or None, id=pool_id or None)
    return client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=image_id, instance_type=instance_type, amount=amount,
        v_switch_id=net[vswitch], security_group_id=net["group"], private_pool_options=options, **kw)).body \
        .instance_id_sets.instance_id_set


def allocated(item: dict) -> tuple[int, int, int]:
    resource = item["AllocatedResources"]["AllocatedResource"][0]
    return resource["TotalAmount"], resource["UsedAmount"], resource["AvailableAmount"]


def attachment(client, instance_id: str) -> tuple[str, str]:
    item = client.describe_instance_attachment_attributes(models.DescribeInstanceAttachmentAttributesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.instances.instance[0]
    return item.private_pool_options_match_criteria, item.private_pool_options_id


def release(client, instance_ids: list[str]) -> None:
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=instance_ids, force=True))


# -- the reservation -----------------------------------------------------------------------------------------------
def test_reservation_wire_fields(client, engine):
    pool_id = reserve(client, 3, name="web-capacity", description="for the web tier", match_criteria="Target",
                      tag=[models.CreateCapacityReservationRequestTag(key="team", value="web")])
    assert pool_id.startswith("crp-bp1") and len(pool_id) == 24
    got = reservation(client, pool_id, status="Active")
    now = engine.clock.now()
    assert got == {
        "PrivatePoolOptionsId": pool_id, "PrivatePoolOptionsName": "web-capacity", "Description": "for the web tier",
        "RegionId": REGION, "Status": "Active", "StartTime": got["StartTime"], "StartTimeType": "Now",
        "EndTime": "", "EndTimeType": "Unlimited", "InstanceChargeType": "PostPaid", "Platform": "linux",
        "PrivatePoolOptionsMatchCriteria": "Target", "ResourceGroupId": got["ResourceGroupId"], "TimeSlot": "",
        "ReservedInstanceId": "", "SavingPlanId": "", "CapacityReservationOwnerId": got["CapacityReservationOwnerId"],
        "Tags": {"Tag": [{"TagKey": "team", "TagValue": "web"}]},
        "AllocatedResources": {"AllocatedResource": [{
            "zoneId": ZONE, "InstanceType": X86_TYPE, "TotalAmount": 3, "UsedAmount": 0, "AvailableAmount": 3,
            "FailedAmount": 0, "LockedAmount": 0, "CapacityReservationUsages": {"CapacityReservationUsage": []}}]}}
    assert got["StartTime"] == __import__("time").strftime("%Y-%m-%dT%H:%MZ", __import__("time").gmtime(now))
    assert got["ResourceGroupId"].startswith("rg-acfm")
    body = reservations(client)
    assert (body["TotalCount"], body["MaxResults"], body["NextToken"]) == (1, 10, "")


def test_describe_filters_and_pages(client):
    made = [reserve(client, 1) for _ in range(3)]
    other = reserve(client, 1, zone=OTHER_ZONE, instance_type=OTHER_TYPE, platform="Windows")
    first = reservations(client, max_results=2)
    assert [i["PrivatePoolOptionsId"] for i in first["CapacityReservationSet"]["CapacityReservationItem"]] == made[:2]
    assert first["TotalCount"] == 4 and first["NextToken"]
    rest = reservations(client, max_results=2, next_token=first["NextToken"])
    assert [i["PrivatePoolOptionsId"] for i in rest["CapacityReservationSet"]["CapacityReservationItem"]] == \
        [made[2], other] and rest["NextToken"] == ""
    for kw in ({"zone_id": OTHER_ZONE}, {"instance_type": OTHER_TYPE}, {"platform": "windows"}):
        assert [i["PrivatePoolOptionsId"] for i in reservations(client, **kw)["CapacityReservationSet"][
            "CapacityReservationItem"]] == [other]
    assert reservations(client, status="Released")["TotalCount"] == 0
    err = error_of(client.describe_capacity_reservations, models.DescribeCapacityReservationsRequest(
        region_id=REGION, private_pool_options=models.DescribeCapacityReservationsRequestPrivatePoolOptions(
            ids="[not json")))
    assert_documented("DescribeCapacityReservations", err)


def test_create_codes(client):
    cases = [
        ({"zone": "cn-hangzhou-zz"}, "Invalid.ZoneId"),
        ({"instance_type": "ecs.nope.large"}, "Invalid.InstanceType"),
        ({"name": "1-starts-with-a-digit"}, "Invalid.PrivatePoolOptionsName.MalFormed"),
        ({"end_time_type": "Limited"}, "Invalid.EndTime"),
        ({"start_time": "tomorrow"}, "InvalidStartTime.MalFormed"),
        ({"start_time": "2099-01-01T00:00:00Z"}, "InvalidStartTime.NotSupported"),
        ({"resource_group_id": "rg-nosuchgroup1234"}, "InvalidResourceGroup.NotFound"),
    ]
    for kw, code in cases:
        err = error_of(reserve, client, **kw)
        assert err.code == code, (kw, err)
        assert_documented("CreateCapacityReservation", err)
    err = error_of(client.create_capacity_reservation, models.CreateCapacityReservationRequest(
        region_id=REGION, instance_amount=1, instance_type=X86_TYPE, zone_id=[ZONE, OTHER_ZONE]))
    assert_documented("CreateCapacityReservation", err)
    for request, code in (
            (models.CreateCapacityReservationRequest(instance_amount=1, instance_type=X86_TYPE, zone_id=[ZONE]),
             "MissingParameter.RegionId"),
            (models.CreateCapacityReservationRequest(region_id=REGION, instance_type=X86_TYPE, zone_id=[ZONE]),
             "MissingParameter.InstanceAmount")):
        err = error_of(client.create_capacity_reservation, request)
        assert err.code == code
        assert_documented("CreateCapacityReservation", err)
    assert reservations(client, status="All")["TotalCount"] == 0  # (nothing made by a refused call)
    # the same ClientToken: the same reservation
    first, again = (client.create_capacity_reservation(models.CreateCapacityReservationRequest(
        region_id=REGION, instance_amount=1, instance_type=X86_TYPE, zone_id=[ZONE], client_token="crp-once")).body
        .private_pool_options_id for _ in range(2))
    assert first == again
    assert reservations(client, status="All")["TotalCount"] == 1


def test_modify_and_release(client, engine):
    pool_id = reserve(client, 2)
    client.modify_capacity_reservation(models.ModifyCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ModifyCapacityReservationRequestPrivatePoolOptions(
            id=pool_id, name="renamed"), description="more room", instance_amount=5))
    got = reservation(client, pool_id)
    assert (got["PrivatePoolOptionsName"], got["Description"], allocated(got)) == ("renamed", "more room", (5, 0, 5))
    for kw, code in [({"instance_amount": 1001}, "InvalidInstanceAmount.ValueNotSupported"),
                     ({"end_time_type": "Limited", "end_time": "2000-01-01T00:00:00Z"},
                      "InvalidEndTime.ValueNotSupported"),
                     ({"description": "h"}, "InvalidDescription.ValueNotSupported"),
                     ({"platform": "beos"}, "InvalidPlatform.ValueNotSupported")]:
        err = error_of(client.modify_capacity_reservation, models.ModifyCapacityReservationRequest(
            region_id=REGION, private_pool_options=models.ModifyCapacityReservationRequestPrivatePoolOptions(
                id=pool_id), **kw))
        assert err.code == code
        assert_documented("ModifyCapacityReservation", err)
    ends = __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(engine.clock.now() + 7200))
    client.modify_capacity_reservation(models.ModifyCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ModifyCapacityReservationRequestPrivatePoolOptions(id=pool_id),
        end_time_type="Limited", end_time=ends))
    assert (reservation(client, pool_id)["EndTimeType"], reservation(client, pool_id)["EndTime"]) == \
        ("Limited", ends[:16] + "Z")
    release_request = models.ReleaseCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ReleaseCapacityReservationRequestPrivatePoolOptions(id=pool_id))
    err = error_of(client.release_capacity_reservation, release_request)
    assert err.code == "Invalid.Action.ReleaseCapacityReservation"
    assert_documented("ReleaseCapacityReservation", err)
    client.modify_capacity_reservation(models.ModifyCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ModifyCapacityReservationRequestPrivatePoolOptions(id=pool_id),
        end_time_type="Unlimited"))
    err = error_of(client.release_capacity_reservation, models.ReleaseCapacityReservationRequest(
        region_id=REGION, dry_run=True,
        private_pool_options=models.ReleaseCapacityReservationRequestPrivatePoolOptions(id=pool_id)))
    assert err.code == "DryRunOperation"
    client.release_capacity_reservation(release_request)
    assert reservations(client)["TotalCount"] == 0  # (Status defaults to Active)
    assert reservation(client, pool_id, status="Released")["Status"] == "Released"
    err = error_of(client.release_capacity_reservation, release_request)
    assert err.code == "Invalid.PrivatePoolOptions.Ids"
    assert_documented("ReleaseCapacityReservation", err)
    err = error_of(client.modify_capacity_reservation, models.ModifyCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ModifyCapacityReservationRequestPrivatePoolOptions(
            id=pool_id), description="too late"))
    assert err.code == "IncorrectPrivatePoolStatus"
    assert_documented("ModifyCapacityReservation", err)
    err = error_of(client.modify_capacity_reservation, models.ModifyCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ModifyCapacityReservationRequestPrivatePoolOptions(
            id="crp-bp1nosuchreservation")))
    assert (err.code, err.status_code) == ("InvalidPrivatePoolId.NotFound", 404)


def test_limited_reservation_ends_on_the_mock_clock(client, engine, net):
    ends = __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(engine.clock.now() + 3600))
    pool_id = reserve(client, 2, end_time=ends)
    assert reservation(client, pool_id)["EndTimeType"] == "Limited"
    instance_id = launch(client, net, criteria="Target", pool_id=pool_id)[0]
    engine.clock.advance(3600)
    # the instance reads show it out of the pool before anything reads the pool
    assert describe(client, instance_id)["EcsCapacityReservationAttr"]["CapacityReservationId"] == ""
    got = reservation(client, pool_id)
    assert (got["Status"], allocated(got)) == ("Released", (2, 0, 2))
    assert attachment(client, instance_id) == ("Target", "")  # it keeps running, outside the pool
    assert describe(client, instance_id)["Status"] == "Running"
    err = error_of(launch, client, net, criteria="Target", pool_id=pool_id)
    assert err.code == "Invalid.PrivatePoolOptions.status"
    assert_documented("RunInstances", err)


# -- launches matching a pool --------------------------------------------------------------------------------------
def test_target_launch_takes_room_and_release_gives_it_back(client, net):
    pool_id = reserve(client, 3, match_criteria="Target")
    ids = launch(client, net, 2, criteria="Target", pool_id=pool_id)
    assert allocated(reservation(client, pool_id)) == (3, 2, 1)
    usage = reservation(client, pool_id)["AllocatedResources"]["AllocatedResource"][0]["CapacityReservationUsages"]
    assert [u["UsedAmount"] for u in usage["CapacityReservationUsage"]] == [2]
    assert member_ids(client, pool_id) == ids
    assert attachment(client, ids[0]) == ("Target", pool_id)
    assert describe(client, ids[0])["EcsCapacityReservationAttr"] == {
        "CapacityReservationId": pool_id, "CapacityReservationPreference": "Target"}
    # more than the room left: the whole batch is refused, nothing launched
    err = error_of(launch, client, net, 2, criteria="Target", pool_id=pool_id)
    assert err.code == "Invalid.PrivatePoolOptions.NoStock"
    assert_documented("RunInstances", err)
    assert allocated(reservation(client, pool_id)) == (3, 2, 1)
    release(client, ids[:1])
    assert allocated(reservation(client, pool_id)) == (3, 1, 2)
    assert member_ids(client, pool_id) == ids[1:]
    page = members(client, pool_id, max_results=1)
    assert (page["TotalCount"], page["MaxResults"], page["NextToken"] == "") == (1, 1, True)
    # not below what is used
    err = error_of(client.modify_capacity_reservation, models.ModifyCapacityReservationRequest(
        region_id=REGION, instance_amount=0, private_pool_options=models
        .ModifyCapacityReservationRequestPrivatePoolOptions(id=pool_id)))
    assert err.code == "InvalidInstanceAmount.ValueNotSupported"
    # released: its instance runs on, outside it
    client.release_capacity_reservation(models.ReleaseCapacityReservationRequest(
        region_id=REGION, private_pool_options=models.ReleaseCapacityReservationRequestPrivatePoolOptions(id=pool_id)))
    assert attachment(client, ids[1]) == ("Target", "") and member_ids(client, pool_id) == []
    assert describe(client, ids[1])["EcsCapacityReservationAttr"]["CapacityReservationId"] == ""


def test_create_instance_takes_room_too(client, net):
    pool_id = reserve(client, 1, match_criteria="Target")
    instance_id = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type=X86_TYPE,
        v_switch_id=net["vswitch"], security_group_id=net["group"],
        private_pool_options=models.CreateInstanceRequestPrivatePoolOptions(match_criteria="Target",
                                                                            id=pool_id))).body.instance_id
    assert member_ids(client, pool_id) == [instance_id]
    err = error_of(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type=X86_TYPE,
        v_switch_id=net["vswitch"], security_group_id=net["group"],
        private_pool_options=models.CreateInstanceRequestPrivatePoolOptions(match_criteria="Target", id=pool_id)))
    assert err.code == "Invalid.PrivatePoolOptions.NoStock"
    assert_documented("CreateInstance", err)


def test_target_mismatches(client, net):
    pool_id = reserve(client, 5, match_criteria="Target")
    cases = [({"vswitch": "other"}, "Invalid.ZoneId"), ({"instance_type": OTHER_TYPE}, "Invalid.InstanceType"),
             ({"image_id": WINDOWS}, "InvalidPlatform.ValueNotSupported"),
             ({"instance_charge_type": "PrePaid", "period": 1}, "Invalid.InstanceChargeType"),
             ({"spot_strategy": "SpotAsPriceGo"}, "SpotNotSupported"),
             ({"pool_id": "crp-bp1nosuchreservation"}, "Invalid.PrivatePoolOptions.Id")]
    for kw, code in cases:
        err = error_of(launch, client, net, **{"criteria": "Target", "pool_id": pool_id, **kw})
        assert err.code == code, (kw, err)
        assert_documented("RunInstances", err)
    err = error_of(launch, client, net, criteria="Target")
    assert err.code == "MissingParameter.PrivatePoolOptions.Id"
    assert allocated(reservation(client, pool_id)) == (5, 0, 5)


def test_open_launch_fills_open_pools_then_the_public_pool(client, net):
    target = reserve(client, 5, match_criteria="Target")
    first, second = reserve(client, 1), reserve(client, 1)
    reserve(client, 5, zone=OTHER_ZONE)
    ids = launch(client, net, 3, criteria="Open")
    assert [attachment(client, i) for i in ids] == [("Open", first), ("Open", second), ("Open", "")]
    assert [allocated(reservation(client, p))[1] for p in (target, first, second)] == [0, 1, 1]
    assert describe(client, ids[2])["EcsCapacityReservationAttr"] == {
        "CapacityReservationId": "", "CapacityReservationPreference": "Open"}
    # None (the default) takes no pool
    plain = launch(client, net)[0]
    assert attachment(client, plain) == ("None", "")
    assert describe(client, plain)["EcsCapacityReservationAttr"] == {
        "CapacityReservationId": "", "CapacityReservationPreference": ""}
    release(client, ids[:1])
    assert member_ids(client, first) == []


def test_modify_instance_attachment_moves_an_instance(client, net):
    pool_id = reserve(client, 1, match_criteria="Target")
    instance_id = launch(client, net)[0]

    def attach(criteria: str, pool: str = "") -> None:
        client.modify_instance_attachment_attributes(models.ModifyInstanceAttachmentAttributesRequest(
            region_id=REGION, instance_id=instance_id, private_pool_options=models
            .ModifyInstanceAttachmentAttributesRequestPrivatePoolOptions(match_criteria=criteria, id=pool or None)))

    attach("Target", pool_id)
    assert attachment(client, instance_id) == ("Target", pool_id)
    attach("Target", pool_id)  # (again: its own place is free)
    assert allocated(reservation(client, pool_id)) == (1, 1, 0)
    other = launch(client, net)[0]
    err = error_of(client.modify_instance_attachment_attributes, models.ModifyInstanceAttachmentAttributesRequest(
        region_id=REGION, instance_id=other, private_pool_options=models
        .ModifyInstanceAttachmentAttributesRequestPrivatePoolOptions(match_criteria="Target", id=pool_id)))
    assert err.code == "Invalid.PrivatePoolOptions.NoStock"
    assert_documented("ModifyInstanceAttachmentAttributes", err)
    attach("None")
    assert attachment(client, instance_id) == ("None", "") and member_ids(client, pool_id) == []


def test_an_instance_of_another_type_leaves_its_pool(client, net):
    pool_id = reserve(client, 1, match_criteria="Target")
    [instance_id] = launch(client, net, criteria="Target", pool_id=pool_id)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    client.modify_instance_spec(models.ModifyInstanceSpecRequest(instance_id=instance_id,
                                                                 instance_type="ecs.g7.xlarge"))
    assert attachment(client, instance_id) == ("Target", "")
    assert allocated(reservation(client, pool_id)) == (1, 0, 1)


def test_old_sdk_xml_and_async(client, legacy, net):
    create = CreateCapacityReservationRequest()
    create.set_InstanceType(X86_TYPE)
    create.set_InstanceAmount(2)
    create.set_ZoneIds([ZONE])
    create.set_Tags([{"Key": "made-by", "Value": "aliyunsdkecs"}])
    pool_id = legacy_call(legacy, create)["PrivatePoolOptionsId"]
    launch(client, net, criteria="Open")
    request = DescribeCapacityReservationsRequest()
    request.set_PrivatePoolOptionsIds(json.dumps([pool_id]))
    body = legacy_call(legacy, request)
    item = body["CapacityReservationSet"]["CapacityReservationItem"][0]
    assert (item["PrivatePoolOptionsId"], item["AllocatedResources"]["AllocatedResource"][0]["UsedAmount"]) == \
        (pool_id, 1)
    root = legacy_xml(legacy, DescribeCapacityReservationsRequest())
    assert root.findtext("TotalCount") == "1"
    assert root.findtext("CapacityReservationSet/CapacityReservationItem/PrivatePoolOptionsId") == pool_id
    assert root.findtext("CapacityReservationSet/CapacityReservationItem/AllocatedResources/AllocatedResource/"
                         "zoneId") == ZONE

    async def go() -> list:
        resp = await client.describe_capacity_reservation_instances_async(
            models.DescribeCapacityReservationInstancesRequest(
                region_id=REGION, private_pool_options=models
                .DescribeCapacityReservationInstancesRequestPrivatePoolOptions(id=pool_id)))
        return resp.body.capacity_reservation_item.instance_id_set

    assert len(asyncio.run(go())) == 1


def test_other_accounts_pools_are_not_found(client, other, net):
    pool_id = reserve(client, 2, match_criteria="Target")
    assert other.client.describe_capacity_reservations(models.DescribeCapacityReservationsRequest(
        region_id=REGION, status="All")).body.total_count == 0
    err = error_of(other.client.describe_capacity_reservation_instances,
                   models.DescribeCapacityReservationInstancesRequest(
                       region_id=REGION, private_pool_options=models
                       .DescribeCapacityReservationInstancesRequestPrivatePoolOptions(id=pool_id)))
    assert err.code == "Invalid.PrivatePoolOptions.Id"
    assert_documented("DescribeCapacityReservationInstances", err)


def test_tags_and_resource_groups(client, engine):
    from mockecs.world import resource_groups

    group = resource_groups.add(engine, name="capacity")
    pool_id = reserve(client, 1, resource_group_id=group)
    reserve(client, 1)
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="capacityreservation",
                                                    resource_id=[pool_id],
                                                    tag=[models.TagResourcesRequestTag(key="env", value="prod")]))
    tagged = reservations(client, tag=[models.DescribeCapacityReservationsRequestTag(key="env", value="prod")])
    assert [i["PrivatePoolOptionsId"] for i in tagged["CapacityReservationSet"]["CapacityReservationItem"]] == \
        [pool_id]
    listed = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type="capacityreservation", resource_id=[pool_id])).body.to_map()
    assert [(r["ResourceId"], r["TagKey"]) for r in listed["TagResources"]["TagResource"]] == [(pool_id, "env")]
    grouped = reservations(client, resource_group_id=group)
    assert [i["PrivatePoolOptionsId"] for i in grouped["CapacityReservationSet"]["CapacityReservationItem"]] == \
        [pool_id]


# -- elasticity assurances -----------------------------------------------------------------------------------------
def assure(client, amount: int = 2, zone: str = ZONE, instance_type: str = X86_TYPE, **kw) -> str:
    options = {k: kw.pop(k) for k in ("name", "match_criteria") if k in kw}
    body = client.create_elasticity_assurance(models.CreateElasticityAssuranceRequest(
        region_id=REGION, instance_amount=amount, instance_type=[instance_type], zone_id=[zone],
        private_pool_options=models.CreateElasticityAssuranceRequestPrivatePoolOptions(**options), **kw)).body
    assert body.order_id
    return body.private_pool_options_id


def assurance(client, pool_id: str, status: str = "All") -> dict:
    body = client.describe_elasticity_assurances(models.DescribeElasticityAssurancesRequest(
        region_id=REGION, status=status, private_pool_options=models
        .DescribeElasticityAssurancesRequestPrivatePoolOptions(ids=json.dumps([pool_id])))).body.to_map()
    assert response_problems("DescribeElasticityAssurances", body) == []
    items = body["ElasticityAssuranceSet"]["ElasticityAssuranceItem"]
    assert len(items) == 1
    return items[0]


def test_assurance_wire_fields_and_term(client, engine, net):
    pool_id = assure(client, 2, name="burst", period=1, period_unit="Month")
    assert pool_id.startswith("eap-bp1")
    got = assurance(client, pool_id, status="Active")
    assert got == {
        "PrivatePoolOptionsId": pool_id, "PrivatePoolOptionsName": "burst", "Description": "", "RegionId": REGION,
        "Status": "Active", "StartTime": got["StartTime"], "StartTimeType": "Now", "EndTime": got["EndTime"],
        "InstanceChargeType": "PostPaid", "PrivatePoolOptionsMatchCriteria": "Open",
        "ResourceGroupId": got["ResourceGroupId"], "TotalAssuranceTimes": "Unlimited", "UsedAssuranceTimes": 0,
        "LatestStartTime": "", "ElasticityAssuranceOwnerId": got["ElasticityAssuranceOwnerId"], "Tags": {"Tag": []},
        "AllocatedResources": {"AllocatedResource": [{
            "zoneId": ZONE, "InstanceType": X86_TYPE, "TotalAmount": 2, "UsedAmount": 0, "AvailableAmount": 2,
            "FailedAmount": 0, "LockedAmount": 0, "ElasticityAssuranceUsages": {"ElasticityAssuranceUsage": []}}]}}
    assert got["EndTime"].endswith("T16:00Z")
    # a Windows instance takes it too (an assurance has no platform)
    [instance_id] = launch(client, net, criteria="Open", image_id=WINDOWS)
    assert attachment(client, instance_id) == ("Open", pool_id)
    body = client.describe_elasticity_assurance_instances(models.DescribeElasticityAssuranceInstancesRequest(
        region_id=REGION, private_pool_options=models.DescribeElasticityAssuranceInstancesRequestPrivatePoolOptions(
            id=pool_id))).body.to_map()
    assert response_problems("DescribeElasticityAssuranceInstances", body) == []
    assert body["ElasticityAssuranceItem"]["InstanceIdSet"] == [{"InstanceId": instance_id}]
    engine.clock.advance(40 * 86400)  # past its month: released, its instance outside it
    got = assurance(client, pool_id)
    assert (got["Status"], allocated(got)[1]) == ("Released", 0)
    assert attachment(client, instance_id) == ("Open", "")


def test_assurance_auto_renewal_and_start_later(client, engine):
    renewing = assure(client, 1, period=1, period_unit="Month", auto_renew=True, auto_renew_period=1)
    first_end = assurance(client, renewing)["EndTime"]
    row = client.describe_elasticity_assurance_auto_renew_attribute(
        models.DescribeElasticityAssuranceAutoRenewAttributeRequest(
            region_id=REGION, private_pool_options=models
            .DescribeElasticityAssuranceAutoRenewAttributeRequestPrivatePoolOptions(id=[renewing]))).body.to_map()
    assert row["ElasticityAssuranceRenewAttributes"]["ElasticityAssuranceRenewAttribute"] == [
        {"PrivatePoolOptionsId": renewing, "RenewalStatus": "AutoRenewal", "Period": 1, "PeriodUnit": "Month"}]
    starts = __import__("time").strftime("%Y-%m-%dT%H:00:00Z", __import__("time").gmtime(engine.clock.now() + 7200))
    later = assure(client, 1, start_time=starts)
    got = assurance(client, later)
    assert (got["Status"], got["StartTimeType"], got["StartTime"]) == ("Prepared", "Later", starts[:16] + "Z")
    engine.clock.advance(7200)
    assert assurance(client, later)["Status"] == "Active"
    engine.clock.advance(40 * 86400)
    got = assurance(client, renewing)
    assert got["Status"] == "Active" and got["EndTime"] > first_end
    before = assurance(client, later)["EndTime"]
    renewed = client.renew_elasticity_assurances(models.RenewElasticityAssurancesRequest(
        region_id=REGION, period=1, period_unit="Year", private_pool_options=models
        .RenewElasticityAssurancesRequestPrivatePoolOptions(id=[later]))).body
    assert renewed.private_pool_options_id_set.private_pool_options_id == [later] and renewed.order_id
    assert int(assurance(client, later)["EndTime"][:4]) == int(before[:4]) + 1
    client.modify_elasticity_assurance_auto_renew_attribute(models.ModifyElasticityAssuranceAutoRenewAttributeRequest(
        region_id=REGION, renewal_status="Normal", private_pool_options=models
        .ModifyElasticityAssuranceAutoRenewAttributeRequestPrivatePoolOptions(id=[renewing])))
    engine.clock.advance(40 * 86400)
    assert assurance(client, renewing)["Status"] == "Released"


def test_assurance_codes_and_modify(client):
    cases = [({"period_unit": "Week"}, "Invalid.PeriodUnit"),
             ({"assurance_times": "3"}, "Invalid.AssuranceTimes.NotSupported"),
             ({"instance_cpu_core_count": 8}, "Invalid.InstanceCpuCoreCountOrInstanceAmount"),
             ({"zone": "cn-hangzhou-zz"}, "Invalid.ZoneId"),
             ({"name": "-x"}, "Invalid.PrivatePoolOptionsName.MalFormed"),
             ({"start_time": "soon"}, "InvalidStartTime.MalFormed")]
    for kw, code in cases:
        err = error_of(assure, client, **kw)
        assert err.code == code, (kw, err)
        assert_documented("CreateElasticityAssurance", err)
    cpu_only = client.create_elasticity_assurance(models.CreateElasticityAssuranceRequest(
        region_id=REGION, instance_cpu_core_count=5, instance_type=[X86_TYPE], zone_id=[ZONE])).body \
        .private_pool_options_id
    assert allocated(assurance(client, cpu_only))[0] == 3  # 5 vCPUs of 2-vCPU instances: 3 instances
    client.modify_elasticity_assurance(models.ModifyElasticityAssuranceRequest(
        region_id=REGION, private_pool_options=models.ModifyElasticityAssuranceRequestPrivatePoolOptions(
            id=cpu_only, name="renamed"), description="a description", instance_amount=4))
    got = assurance(client, cpu_only)
    assert (got["PrivatePoolOptionsName"], got["Description"], allocated(got)[0]) == ("renamed", "a description", 4)
    for kw, code in (({"instance_amount": 0}, "InvalidInstanceAmount.ValueNotSupported"),
                     ({"description": "x"}, "InvalidDescription.ValueNotSupported")):
        err = error_of(client.modify_elasticity_assurance, models.ModifyElasticityAssuranceRequest(
            region_id=REGION, private_pool_options=models.ModifyElasticityAssuranceRequestPrivatePoolOptions(
                id=cpu_only), **kw))
        assert err.code == code
        assert_documented("ModifyElasticityAssurance", err)
    err = error_of(client.modify_elasticity_assurance, models.ModifyElasticityAssuranceRequest(
        region_id=REGION, private_pool_options=models.ModifyElasticityAssuranceRequestPrivatePoolOptions(
            id="eap-bp1nosuchassurance")))
    assert (err.code, err.status_code) == ("InvalidPrivatePoolId.NotFound", 404)

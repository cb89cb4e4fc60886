"""Reserved instances through both SDKs, JSON and XML, and async: purchase, describe (filters, pages), split, merge
and modify, name and description, auto-renewal, renewal, and their time on the mock clock (expiry, auto-renewal);
the documented codes with their statuses and messages (Terraform's replay: tests/test_terraform_private_pools.py)."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.DescribeReservedInstancesRequest import DescribeReservedInstancesRequest
from aliyunsdkecs.request.v20140526.PurchaseReservedInstancesOfferingRequest import (
    PurchaseReservedInstancesOfferingRequest,
)

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, assert_documented

LARGE, XLARGE, OTHER_FAMILY = "ecs.g7.large", "ecs.g7.xlarge", "ecs.c7.large"
ZONE = "cn-hangzhou-i"
DAY = 86400


def buy(client, instance_type: str = LARGE, **kw) -> str:
    ids = client.purchase_reserved_instances_offering(models.PurchaseReservedInstancesOfferingRequest(
        region_id=REGION, instance_type=instance_type, **kw)).body.reserved_instance_id_sets.reserved_instance_id
    assert len(ids) == 1
    return ids[0]


def listed(client, **kw) -> dict:
    body = client.describe_reserved_instances(models.DescribeReservedInstancesRequest(region_id=REGION, **kw)) \
        .body.to_map()
    assert response_problems("DescribeReservedInstances", body) == []
    return body


def one(client, ri_id: str) -> dict:
    items = listed(client, reserved_instance_id=[ri_id])["ReservedInstances"]["ReservedInstance"]
    assert len(items) == 1
    return items[0]


def renew_attribute(client, ri_id: str) -> dict:
    body = client.describe_reserved_instance_auto_renew_attribute(
        models.DescribeReservedInstanceAutoRenewAttributeRequest(region_id=REGION, reserved_instance_id=[ri_id])) \
        .body.to_map()
    assert response_problems("DescribeReservedInstanceAutoRenewAttribute", body) == []
    return body["ReservedInstanceRenewAttributes"]["ReservedInstanceRenewAttribute"][0]


def modify(client, ids: list[str], *configs: dict):
    return client.modify_reserved_instances(models.ModifyReservedInstancesRequest(
        region_id=REGION, reserved_instance_id=ids,
        configuration=[models.ModifyReservedInstancesRequestConfiguration(**c) for c in configs])).body \
        .reserved_instance_id_sets.reserved_instance_id


def test_purchase_and_wire_fields(client, engine):
    ri_id = buy(client, instance_amount=3, reserved_instance_name="web-ri", description="for the web tier",
                scope="Zone", zone_id=ZONE, offering_type="No Upfront", platform="Windows", period=1,
                period_unit="Year", tag=[models.PurchaseReservedInstancesOfferingRequestTag(key="team", value="web")])
    assert ri_id.startswith("ecsri-bp1")
    got = one(client, ri_id)
    assert got == {
        "ReservedInstanceId": ri_id, "ReservedInstanceName": "web-ri", "Description": "for the web tier",
        "RegionId": REGION, "ZoneId": ZONE, "Scope": "Zone", "InstanceType": LARGE, "InstanceAmount": 3,
        "Platform": "Windows", "OfferingType": "No Upfront", "Status": "Active", "CreationTime": got["CreationTime"],
        "StartTime": got["StartTime"], "ExpiredTime": got["ExpiredTime"], "AllocationStatus": "",
        "ResourceGroupId": got["ResourceGroupId"], "OperationLocks": {"OperationLock": []},
        "Tags": {"Tag": [{"TagKey": "team", "TagValue": "web"}]}}
    assert got["StartTime"].endswith(":00Z") and int(got["ExpiredTime"][:4]) == int(got["StartTime"][:4]) + 1
    assert renew_attribute(client, ri_id) == {"ReservedInstanceId": ri_id, "RenewalStatus": "Normal", "Duration": 0,
                                              "PeriodUnit": "Year"}
    default = one(client, buy(client))
    assert (default["Scope"], default["ZoneId"], default["Platform"], default["OfferingType"],
            default["InstanceAmount"]) == ("Region", "", "Linux", "All Upfront", 1)


def test_purchase_codes(client):
    cases = [({"instance_type": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported"),
             ({"scope": "Planet"}, "InvalidParameter.Scope"), ({"scope": "Zone"}, "MissingParameter.ZoneId"),
             ({"scope": "Zone", "zone_id": "cn-hangzhou-zz"}, "InvalidReservedInstanceZone.ValueNotSupported"),
             ({"offering_type": "Some Upfront"}, "InvalidReservedInstanceOfferingType.ValueNotSupported"),
             ({"platform": "BeOS"}, "InvalidReservedInstancePlatform.ValueNotSupported"),
             ({"reserved_instance_name": "1abc"}, "InvalidParameter.ReservedInstanceName"),
             ({"description": "x"}, "InvalidDescription.Malformed"),
             ({"period_unit": "Week"}, "InvalidPeriodUnit.ValueNotSupported"),
             ({"scope": "Zone", "zone_id": ZONE, "start_time": "2099-01-01T00:00:00Z"},
              "InvalidStartTime.ScopeNotMatch")]
    for kw, code in cases:
        err = error_of(buy, client, **{"instance_type": LARGE, **kw})
        assert err.code == code, (kw, err)
        assert_documented("PurchaseReservedInstancesOffering", err)
    assert listed(client)["TotalCount"] == 0


def test_describe_filters_pages_and_codes(client):
    made = [buy(client), buy(client, XLARGE), buy(client, OTHER_FAMILY, scope="Zone", zone_id=ZONE)]
    body = listed(client, page_size=2)
    assert body["TotalCount"] == 3 and [r["ReservedInstanceId"] for r in body["ReservedInstances"][
        "ReservedInstance"]] == made[:2]
    assert [r["ReservedInstanceId"] for r in listed(client, page_size=2, page_number=2)["ReservedInstances"][
        "ReservedInstance"]] == made[2:]
    for kw, expected in (({"instance_type_family": "ecs.g7"}, made[:2]), ({"scope": "Zone"}, made[2:]),
                         ({"zone_id": ZONE}, made[2:]), ({"instance_type": XLARGE}, made[1:2]),
                         ({"status": ["Expired"]}, []), ({"allocation_type": "Shared"}, [])):
        assert [r["ReservedInstanceId"] for r in listed(client, **kw)["ReservedInstances"]["ReservedInstance"]] == \
            expected, kw
    err = error_of(client.describe_reserved_instances, models.DescribeReservedInstancesRequest())
    assert err.code == "MissingParamter.RegionId"  # (sic: as documented)
    assert_documented("DescribeReservedInstances", err)
    for kw, code in (({"status": ["Gone"]}, "InvalidReservedInstanceStatus.ValueNotSupported"),
                     ({"lock_reason": "boredom"}, "InvalidReservedInstanceLockReason.ValueNotSupported"),
                     ({"allocation_type": "Mine"}, "InvalidAllocationType.ValueNotSupported")):
        err = error_of(listed, client, **kw)
        assert err.code == code
        assert_documented("DescribeReservedInstances", err)


def test_split_merge_and_modify(client):
    whole = buy(client, XLARGE, instance_amount=2)  # 2 x 4 vCPUs
    halves = modify(client, [whole], {"instance_type": LARGE, "instance_amount": 2},
                    {"instance_type": LARGE, "instance_amount": 2, "scope": "Zone", "zone_id": ZONE})
    assert len(halves) == 2
    assert one(client, whole)["Status"] == "Expired"
    got = [one(client, i) for i in halves]
    assert [(r["InstanceType"], r["InstanceAmount"], r["Scope"], r["Status"]) for r in got] == \
        [(LARGE, 2, "Region", "Active"), (LARGE, 2, "Zone", "Active")]
    assert got[0]["ExpiredTime"] == one(client, whole)["ExpiredTime"]
    other = buy(client, LARGE, instance_amount=2)
    err = error_of(modify, client, [halves[1], other], {"instance_type": XLARGE, "instance_amount": 2})
    assert err.code == "InvalidZoneId.ValueNotSupported"
    [merged] = modify(client, [halves[0], other], {"instance_type": XLARGE, "instance_amount": 2})
    assert (one(client, merged)["InstanceAmount"], one(client, other)["Status"]) == (2, "Expired")
    cases = [([merged], [{"instance_type": XLARGE, "instance_amount": 3}], "InvalidInstanceAmount.ValueNotSupported"),
             ([merged], [{"instance_type": OTHER_FAMILY, "instance_amount": 4}], "InvalidParameter.ValueNotSupported"),
             ([merged], [{"instance_type": XLARGE, "instance_amount": 2, "reserved_instance_name": "renamed"}],
              "OperationDenied.OnlyModifyName"),
             ([merged, halves[1]], [{"instance_type": LARGE}, {"instance_type": LARGE}],
              "InvalidParameter.SplitOrMerge"),
             ([whole], [{"instance_type": LARGE, "instance_amount": 4}], "IncorrectInstanceStatus"),
             (["ecsri-bp1nosuchthing"], [{"instance_type": LARGE}], "InvalidReservedInstanceId.NotFound"),
             ([merged], [{"instance_type": LARGE, "instance_amount": 4, "scope": "Zone"}], "MissingParameter.ZoneId"),
             ([merged], [{"instance_amount": 4}], "MissingParameter.InstanceType")]
    for ids, configs, code in cases:
        err = error_of(modify, client, ids, *configs)
        assert err.code == code, (configs, err)
        assert_documented("ModifyReservedInstances", err)
    assert one(client, merged)["Status"] == "Active"


def test_attribute_renewal_and_the_mock_clock(client, engine):
    ri_id = buy(client, period=1, period_unit="Month")
    body = client.modify_reserved_instance_attribute(models.ModifyReservedInstanceAttributeRequest(
        region_id=REGION, reserved_instance_id=ri_id, reserved_instance_name="renamed", description="a new text")) \
        .body.to_map()
    assert (body["Code"], body["HttpStatusCode"]) == ("200", 200)
    assert (one(client, ri_id)["ReservedInstanceName"], one(client, ri_id)["Description"]) == ("renamed", "a new text")
    err = error_of(client.modify_reserved_instance_attribute, models.ModifyReservedInstanceAttributeRequest(
        region_id=REGION, reserved_instance_id=ri_id, reserved_instance_name="-bad"))
    assert_documented("ModifyReservedInstanceAttribute", err)
    client.modify_reserved_instance_auto_renew_attribute(models.ModifyReservedInstanceAutoRenewAttributeRequest(
        region_id=REGION, reserved_instance_id=[ri_id], renewal_status="AutoRenewal", period=1, period_unit="Month"))
    assert renew_attribute(client, ri_id)["RenewalStatus"] == "AutoRenewal"
    first_end = one(client, ri_id)["ExpiredTime"]
    engine.clock.advance(40 * DAY)  # renewed by itself for a month
    got = one(client, ri_id)
    assert got["Status"] == "Active" and got["ExpiredTime"] > first_end
    for kw, code in (({"renewal_status": "Sometimes"}, "InvalidParameter.RenewalStatus"),
                     ({"renewal_status": "AutoRenewal", "period": 2, "period_unit": "Year"}, "InvalidParameter.Period"),
                     ({"renewal_status": "AutoRenewal", "period_unit": "Week"}, "InvalidParameter.PeriodUnit")):
        err = error_of(client.modify_reserved_instance_auto_renew_attribute,
                       models.ModifyReservedInstanceAutoRenewAttributeRequest(region_id=REGION,
                                                                              reserved_instance_id=[ri_id], **kw))
        assert err.code == code
        assert_documented("ModifyReservedInstanceAutoRenewAttribute", err)
    client.modify_reserved_instance_auto_renew_attribute(models.ModifyReservedInstanceAutoRenewAttributeRequest(
        region_id=REGION, reserved_instance_id=[ri_id], renewal_status="Normal"))
    engine.clock.advance(40 * DAY)
    assert one(client, ri_id)["Status"] == "Expired"
    assert [r["ReservedInstanceId"] for r in listed(client, status=["Expired"])["ReservedInstances"][
        "ReservedInstance"]] == [ri_id]
    # renewed after it expired: from now, Active again
    answer = client.renew_reserved_instances(models.RenewReservedInstancesRequest(
        region_id=REGION, reserved_instance_id=[ri_id], period=1, period_unit="Year")).body.to_map()
    assert answer["ReservedInstanceIdSets"]["ReservedInstanceId"] == [ri_id] and answer["OrderId"]
    assert one(client, ri_id)["Status"] == "Active"
    for kw, code in (({"period": 5, "period_unit": "Year"}, "InvalidPeriod.ExceededMaximumExpiration"),
                     ({"period": 2, "period_unit": "Year"}, "InvalidParameter.Period"),
                     ({"period_unit": "Week"}, "InvalidParameter.PeriodUnit"),
                     ({"reserved_instance_id": ["ecsri-bp1nosuchthing"]}, "InvalidParameter.ReservedInstanceIds")):
        err = error_of(client.renew_reserved_instances, models.RenewReservedInstancesRequest(
            **{"region_id": REGION, "reserved_instance_id": [ri_id], **kw}))
        assert err.code == code, (kw, err)
        assert_documented("RenewReservedInstances", err)


def test_old_sdk_xml_async_and_tags(client, legacy):
    request = PurchaseReservedInstancesOfferingRequest()
    request.set_InstanceType(LARGE)
    request.set_InstanceAmount(2)
    ri_id = legacy_call(legacy, request)["ReservedInstanceIdSets"]["ReservedInstanceId"][0]
    root = legacy_xml(legacy, DescribeReservedInstancesRequest())
    assert root.findtext("ReservedInstances/ReservedInstance/ReservedInstanceId") == ri_id
    assert root.findtext("ReservedInstances/ReservedInstance/InstanceAmount") == "2"
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="reservedinstance",
                                                    resource_id=[ri_id],
                                                    tag=[models.TagResourcesRequestTag(key="env", value="prod")]))
    tagged = listed(client, tag=[models.DescribeReservedInstancesRequestTag(key="env", value="prod")])
    assert [r["ReservedInstanceId"] for r in tagged["ReservedInstances"]["ReservedInstance"]] == [ri_id]

    async def go() -> int:
        resp = await client.describe_reserved_instances_async(models.DescribeReservedInstancesRequest(
            region_id=REGION, reserved_instance_id=[ri_id]))
        return resp.body.reserved_instances.reserved_instance[0].instance_amount

    assert asyncio.run(go()) == 2


def test_every_answer_has_the_documented_fields(client):
    """Each operation's answer carries every field its metadata documents (the SDK models check the rest)."""
    ri_id = buy(client, instance_amount=2)
    answers = {
        "PurchaseReservedInstancesOffering": client.purchase_reserved_instances_offering(
            models.PurchaseReservedInstancesOfferingRequest(region_id=REGION, instance_type=LARGE)),
        "ModifyReservedInstances": client.modify_reserved_instances(models.ModifyReservedInstancesRequest(
            region_id=REGION, reserved_instance_id=[ri_id], configuration=[
                models.ModifyReservedInstancesRequestConfiguration(instance_type=LARGE, instance_amount=1)] * 2)),
        "ModifyReservedInstanceAttribute": client.modify_reserved_instance_attribute(
            models.ModifyReservedInstanceAttributeRequest(region_id=REGION, reserved_instance_id=ri_id,
                                                          description="described")),
        "RenewReservedInstances": client.renew_reserved_instances(models.RenewReservedInstancesRequest(
            region_id=REGION, reserved_instance_id=[buy(client)])),
        "ModifyReservedInstanceAutoRenewAttribute": client.modify_reserved_instance_auto_renew_attribute(
            models.ModifyReservedInstanceAutoRenewAttributeRequest(region_id=REGION, reserved_instance_id=[ri_id],
                                                                   renewal_status="Normal")),
        "CreateCapacityReservation": client.create_capacity_reservation(models.CreateCapacityReservationRequest(
            region_id=REGION, instance_amount=1, instance_type=LARGE, zone_id=[ZONE])),
        "CreateElasticityAssurance": client.create_elasticity_assurance(models.CreateElasticityAssuranceRequest(
            region_id=REGION, instance_amount=1, instance_type=[LARGE], zone_id=[ZONE])),
    }
    for action, answer in answers.items():
        assert response_problems(action, answer.body.to_map()) == [], action

"""ModifyDiskChargeType: a subscription instance's data disks to subscription and back, through the current SDK
(sync and async), the old one (JSON and XML) and Terraform's ``alicloud_ecs_disk`` update of ``payment_type``
(RpcPost: DiskIds as a JSON list, InstanceId, AutoPay true, DiskChargeType); the metadata's codes."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.ModifyDiskChargeTypeRequest import ModifyDiskChargeTypeRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, disks, run
from tests.test_prepaid import prepaid

NEVER = "2999-09-08T16:00Z"  # a pay-as-you-go disk's ExpiredTime (docs/choices.md)


def modify(client, instance_id: str, disk_ids: list[str], **kw) -> models.ModifyDiskChargeTypeResponseBody:
    return client.modify_disk_charge_type(models.ModifyDiskChargeTypeRequest(
        region_id=REGION, instance_id=instance_id, disk_ids=json.dumps(disk_ids), **kw)).body


def charge(client, instance_id: str) -> dict[str, tuple[str, str, str]]:
    return {d["DiskId"]: (d["Type"], d["DiskChargeType"], d["ExpiredTime"]) for d in disks(client, instance_id)}


def data_disk(client, instance_id: str, **kw) -> str:
    disk_id = client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id="cn-hangzhou-i", size=40,
                                                          disk_category="cloud_essd", **kw)).body.disk_id
    client.attach_disk(models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))
    return disk_id


def subscription_with_a_pay_as_you_go_disk(client) -> tuple[str, str, str]:
    instance_id = prepaid(client, zone_id="cn-hangzhou-i")
    disk_id = data_disk(client, instance_id)
    expired = [d for d in disks(client, instance_id) if d["Type"] == "system"][0]["ExpiredTime"]
    return instance_id, disk_id, expired


def test_to_subscription_and_back(client):
    instance_id, disk_id, expired = subscription_with_a_pay_as_you_go_disk(client)
    assert charge(client, instance_id)[disk_id] == ("data", "PostPaid", NEVER)
    assert modify(client, instance_id, [disk_id]).order_id  # (DiskChargeType: PrePaid by default, documented)
    assert charge(client, instance_id)[disk_id] == ("data", "PrePaid", expired)  # expiring with the instance
    modify(client, instance_id, [disk_id], disk_charge_type="PostPaid")
    assert charge(client, instance_id)[disk_id] == ("data", "PostPaid", NEVER)
    # AutoPay false: an order only
    assert modify(client, instance_id, [disk_id], auto_pay=False).order_id
    assert charge(client, instance_id)[disk_id][1] == "PostPaid"


def test_refused(client):
    instance_id, disk_id, _ = subscription_with_a_pay_as_you_go_disk(client)
    system = [d for d in disks(client, instance_id) if d["Type"] == "system"][0]["DiskId"]
    [pay_as_you_go] = run(client, zone_id="cn-hangzhou-i")
    elsewhere = data_disk(client, pay_as_you_go)
    before = charge(client, instance_id)
    for args, code, status in [
        ((instance_id, [system]), "InvalidDiskIds.NotFound", 404),
        ((instance_id, [elsewhere]), "InvalidDiskIds.NotFound", 404),
        ((instance_id, [disk_id, "d-bp1nothere0000000000"]), "InvalidDiskIds.NotFound", 404),
        (("i-bp1nothere0000000000", [disk_id]), "InvalidInstanceId.NotFound", 400),
        ((pay_as_you_go, [elsewhere]), "ChargeTypeViolation", 400),
    ]:
        err = error_of(modify, client, *args)
        assert (err.code, err.status_code) == (code, status), args
        assert_documented("ModifyDiskChargeType", err)
    assert charge(client, instance_id) == before


@pytest.mark.parametrize("disk_ids", ["not json", json.dumps([f"d-{n}" for n in range(17)])])
def test_malformed_lists(client, disk_ids):
    instance_id, _, _ = subscription_with_a_pay_as_you_go_disk(client)
    err = error_of(client.modify_disk_charge_type, models.ModifyDiskChargeTypeRequest(
        region_id=REGION, instance_id=instance_id, disk_ids=disk_ids))
    assert (err.code, err.status_code) == ("InvalidDiskIds.NotFound", 404)


def test_async_old_sdk_and_terraform(client, legacy):
    instance_id, disk_id, expired = subscription_with_a_pay_as_you_go_disk(client)

    async def go() -> None:
        await client.modify_disk_charge_type_async(models.ModifyDiskChargeTypeRequest(
            region_id=REGION, instance_id=instance_id, disk_ids=json.dumps([disk_id])))

    asyncio.run(go())
    assert charge(client, instance_id)[disk_id][1] == "PrePaid"
    request = ModifyDiskChargeTypeRequest()
    request.set_InstanceId(instance_id)
    request.set_DiskIds(json.dumps([disk_id]))
    request.set_DiskChargeType("PostPaid")
    assert set(legacy_call(legacy, request)) == {"RequestId", "OrderId"}
    assert charge(client, instance_id)[disk_id][1] == "PostPaid"
    request.set_DiskChargeType("PrePaid")
    root = legacy_xml(legacy, request)
    assert root.tag == "ModifyDiskChargeTypeResponse" and root.find("OrderId").text
    # Terraform (resourceAliCloudEcsDiskUpdate): RpcPost, form body, AutoPay true, a ClientToken
    from tests.test_terraform_flow import Provider

    p = Provider(REGION)
    p.rpc_post("ModifyDiskChargeType", {}, {"DiskIds": json.dumps([disk_id]), "RegionId": REGION,
                                            "ClientToken": "ModifyDiskChargeType-tf", "AutoPay": True,
                                            "InstanceId": instance_id, "DiskChargeType": "PostPaid"})
    found = p.rpc_post("DescribeDisks", {}, {"RegionId": REGION, "DiskIds": json.dumps([disk_id])})
    assert found["Disks"]["Disk"][0]["DiskChargeType"] == "PostPaid"

"""ModifyInstanceChargeType through the current SDK (sync and async), the old SDK and footmark's callers: the
instance and its disks change billing together, all named instances or none, the metadata's codes."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.ModifyInstanceChargeTypeRequest import ModifyInstanceChargeTypeRequest

from mockecs.world.subscriptions import subscription_end
from tests.sdk import error_of, legacy_call
from tests.test_instances import assert_documented, describe, disks, old_error, run

REGION = "cn-hangzhou"


def modify(client, instance_ids: list[str], **kw):
    return client.modify_instance_charge_type(models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps(instance_ids), **kw))


def charges(client, instance_id: str) -> tuple[str, str, dict]:
    instance = describe(client, instance_id)
    by_type = {(d["Type"], d["Size"]): (d["DiskChargeType"], d["ExpiredTime"]) for d in disks(client, instance_id)}
    return instance["InstanceChargeType"], instance["ExpiredTime"], by_type


def test_subscription_end():
    # 2024-01-31 10:00 UTC: a month on is the last day of February; a week on, 7 days on
    now = 1706695200.0
    assert subscription_end(now, 1, "Month") == "2024-02-29T16:00Z"
    assert subscription_end(now, 12, "Month") == "2025-01-31T16:00Z"
    assert subscription_end(now, 1, "Week") == "2024-02-07T16:00Z"


def test_to_subscription_and_back_new_sdk(client):
    [instance_id] = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])
    assert charges(client, instance_id)[0] == "PostPaid"
    body = modify(client, [instance_id], instance_charge_type="PrePaid", period=1, period_unit="Month",
                  include_data_disks=False).body
    assert body.order_id.isdigit() and body.fee_of_instances.fee_of_instance == []
    charge, expired, by_type = charges(client, instance_id)
    assert charge == "PrePaid" and expired.endswith("T16:00Z")
    # the system disk follows the instance; the data disk stays pay-as-you-go without IncludeDataDisks
    assert by_type[("system", 40)] == ("PrePaid", expired)
    assert by_type[("data", 50)] == ("PostPaid", "2999-09-08T16:00Z")

    body = asyncio.run(client.modify_instance_charge_type_async(models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), instance_charge_type="PostPaid",
        is_detail_fee=True))).body
    [fee] = body.fee_of_instances.fee_of_instance
    assert (fee.instance_id, fee.currency) == (instance_id, "CNY")
    charge, expired, by_type = charges(client, instance_id)
    assert (charge, expired) == ("PostPaid", "2099-12-31T15:59Z")
    assert set(by_type.values()) == {("PostPaid", "2999-09-08T16:00Z")}

    modify(client, [instance_id], period=2, period_unit="Week", include_data_disks=True)  # (PrePaid: the default)
    charge, expired, by_type = charges(client, instance_id)
    assert charge == "PrePaid" and set(by_type.values()) == {("PrePaid", expired)}


def test_old_sdk_auto_pay_off_and_dry_run(client, legacy):
    ids = run(client, amount=2)
    request = ModifyInstanceChargeTypeRequest()
    request.set_InstanceIds(str(ids))  # (footmark's form: a Python list's str, single quotes)
    request.set_Period(1)
    request.set_AutoPay(False)
    body = legacy_call(legacy, request)
    # (without automatic payment the service only makes the order: nothing changes until it is paid)
    assert body["OrderId"].isdigit() and body["FeeOfInstances"] == {"FeeOfInstance": []}
    assert {charges(client, i)[0] for i in ids} == {"PostPaid"}
    request.set_AutoPay(True)
    request.set_DryRun(True)
    err = old_error(legacy, request)
    assert err.get_error_code() == "DryRunOperation"
    request.set_DryRun(False)
    legacy_call(legacy, request)
    assert {charges(client, i)[0] for i in ids} == {"PrePaid"}


BAD = [
    ({"instance_ids": "[\"i-bp1unclosed\"", "period": 1}, "InvalidParameter.InstanceIds"),
    ({"instance_ids": json.dumps([f"i-bp1missing{n:09d}" for n in range(21)])}, "InstancesIdQuotaExceed"),
    ({"instance_charge_type": "Spot", "period": 1}, "InvalidInstanceChargeType.ValueNotSupported"),
    ({"period": 0}, "InvalidPeriod"),
    ({"period": 5, "period_unit": "Week"}, "InvalidPeriod.UnitMismatch"),
    ({"period": 1, "period_unit": "Year"}, "InvalidPeriod.UnitMismatch"),
    ({"instance_charge_type": "PostPaid"}, "InvalidInstanceChargeType.ValueNotSupported"),  # (already)
    ({"instance_ids": json.dumps(["i-bp1missing000000000"]), "period": 1}, "InvalidInstanceId.NotFound"),
]


@pytest.mark.parametrize("kw,code", BAD)
def test_documented_errors_and_nothing_half_done(client, kw, code):
    [instance_id] = run(client)
    ids = kw.pop("instance_ids", None) or json.dumps([instance_id])
    err = error_of(client.modify_instance_charge_type, models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=ids, **kw))
    assert err.code == code
    assert_documented("ModifyInstanceChargeType", err)
    assert charges(client, instance_id)[0] == "PostPaid"


def test_all_or_none(client):
    [good] = run(client)
    [spot] = run(client, spot_strategy="SpotAsPriceGo")
    err = error_of(modify, client, [good, spot], period=1)
    assert err.code == "InvalidSpotStrategy"
    assert_documented("ModifyInstanceChargeType", err)
    assert charges(client, good)[0] == "PostPaid"

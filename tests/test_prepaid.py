"""Subscription (PrePaid) instances: their launch terms, DescribeInstanceAutoRenewAttribute,
ModifyInstanceAutoRenewAttribute, RenewInstance and ModifyPrepayInstanceSpec, through the current SDK (sync, async
once), the old SDK and XML once; every refusal with its documented code, HTTP status and message, nothing half done."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DeleteInstanceRequest import DeleteInstanceRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceAutoRenewAttributeRequest import (
    DescribeInstanceAutoRenewAttributeRequest,
)
from aliyunsdkecs.request.v20140526.ModifyPrepayInstanceSpecRequest import ModifyPrepayInstanceSpecRequest

from mockecs.world.resources import parse_iso
from mockecs.world.subscriptions import subscription_end
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import ARM, ARM_TYPE, LINUX, assert_documented, describe, disks, run

REGION = "cn-hangzhou"
DAY = 86400


def prepaid(client: Any, **kw: Any) -> str:
    terms = {"period": 1, "period_unit": "Month", **kw}
    [instance_id] = run(client, kw.pop("image_id", LINUX), kw.pop("instance_type", "ecs.g7.large"),
                        instance_charge_type="PrePaid", **{k: v for k, v in terms.items()
                                                          if k not in ("image_id", "instance_type")})
    return instance_id


def renewal(client: Any, **kw: Any) -> list[dict]:
    body = client.describe_instance_auto_renew_attribute(models.DescribeInstanceAutoRenewAttributeRequest(
        region_id=REGION, **kw)).body.to_map()
    return body["InstanceRenewAttributes"]["InstanceRenewAttribute"]


def modify_renewal(client: Any, instance_ids: list[str], **kw: Any) -> None:
    client.modify_instance_auto_renew_attribute(models.ModifyInstanceAutoRenewAttributeRequest(
        region_id=REGION, instance_id=",".join(instance_ids), **kw))


def row(instance_id: str, status: str, duration: int, unit: str) -> dict:
    return {"PeriodUnit": unit, "Duration": duration, "RenewalStatus": status, "InstanceId": instance_id,
            "AutoRenewEnabled": status == "AutoRenewal", "EnableExpectedRenewDay": False}


# -- launch terms, the auto-renew attribute ---------------------------------------------------------------------
def test_launch_terms_and_auto_renew_read_and_change(client, engine):
    instance_id = prepaid(client, auto_renew=True, auto_renew_period=3,
                          data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])
    instance = describe(client, instance_id)
    expired = subscription_end(engine.clock.now(), 1, "Month")
    assert (instance["InstanceChargeType"], instance["ExpiredTime"]) == ("PrePaid", expired)
    assert not {k for k in instance if "Renew" in k or k.startswith("_")}  # (internal: never shown here)
    assert {(d["DiskChargeType"], d["ExpiredTime"]) for d in disks(client, instance_id)} == {("PrePaid", expired)}
    assert renewal(client, instance_id=instance_id) == [row(instance_id, "AutoRenewal", 3, "Month")]

    modify_renewal(client, [instance_id], renewal_status="Normal", duration=6)  # (a duration only with AutoRenewal)
    assert renewal(client, instance_id=instance_id) == [row(instance_id, "Normal", 3, "Month")]
    modify_renewal(client, [instance_id], auto_renew=True, duration=2, period_unit="Year")
    assert renewal(client, instance_id=instance_id) == [row(instance_id, "AutoRenewal", 2, "Year")]
    # RenewalStatus wins over AutoRenew (documented)
    modify_renewal(client, [instance_id], auto_renew=True, renewal_status="NotRenewal")
    assert renewal(client, instance_id=instance_id)[0]["RenewalStatus"] == "NotRenewal"
    modify_renewal(client, [instance_id])  # AutoRenew's default: false, Normal
    assert renewal(client, instance_id=instance_id)[0]["RenewalStatus"] == "Normal"
    assert describe(client, instance_id) == {**instance, "Status": describe(client, instance_id)["Status"]}


def test_renewal_status_filter_paging_and_id_lists(client):
    first, second, third = (prepaid(client) for _ in range(3))
    [converted] = run(client)
    client.modify_instance_charge_type(models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([converted]), period=1))
    modify_renewal(client, [first, third], auto_renew=True, duration=1, period_unit="Week")
    assert renewal(client, renewal_status="AutoRenewal") == [row(first, "AutoRenewal", 1, "Week"),
                                                             row(third, "AutoRenewal", 1, "Week")]
    # (an instance made a subscription later, never set: Normal)
    assert [r["InstanceId"] for r in renewal(client, renewal_status="Normal")] == [second, converted]
    body = client.describe_instance_auto_renew_attribute(models.DescribeInstanceAutoRenewAttributeRequest(
        region_id=REGION, renewal_status="AutoRenewal", page_size="1", page_number="2")).body
    assert (body.total_count, body.page_number, body.page_size) == (2, 2, 1)
    assert [r.instance_id for r in body.instance_renew_attributes.instance_renew_attribute] == [third]
    far = client.describe_instance_auto_renew_attribute(models.DescribeInstanceAutoRenewAttributeRequest(
        region_id=REGION, renewal_status="AutoRenewal", page_size="100", page_number=str(2 ** 31 - 1))).body
    assert (far.total_count, far.instance_renew_attributes.instance_renew_attribute) == (2, [])
    # ids in the order asked, a repeated one once; with a status, only those renewed so
    assert [r["InstanceId"] for r in renewal(client, instance_id=f"{third},{first},{third}")] == [third, first]
    assert [r["InstanceId"] for r in renewal(client, instance_id=f"{third},{second}",
                                             renewal_status="Normal")] == [second]


def test_old_sdk_and_xml(client, legacy):
    instance_id = prepaid(client, auto_renew=True, auto_renew_period=1)
    request = DescribeInstanceAutoRenewAttributeRequest()
    request.set_InstanceId(instance_id)
    body = legacy_call(legacy, request)
    assert body["InstanceRenewAttributes"]["InstanceRenewAttribute"] == [row(instance_id, "AutoRenewal", 1, "Month")]
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (1, 1, 10)
    root = legacy_xml(legacy, request)
    item = root.find("InstanceRenewAttributes/InstanceRenewAttribute")
    assert (item.findtext("InstanceId"), item.findtext("AutoRenewEnabled"), item.findtext("Duration")) == (
        instance_id, "true", "1")
    spec = ModifyPrepayInstanceSpecRequest()
    spec.set_InstanceId(instance_id)
    spec.set_InstanceType("ecs.g7.xlarge")
    spec.set_OperatorType("upgrade")
    assert legacy_call(legacy, spec)["OrderId"].isdigit()
    assert describe(client, instance_id)["InstanceType"] == "ecs.g7.xlarge"


DESCRIBE_BAD = [
    ({}, "InvalidParameter.RenewalStatusInstanceId"),
    ({"renewal_status": "Auto"}, "InvalidParameter.RenewalStatus"),
    ({"renewal_status": "Normal", "page_size": "101"}, "InvalidParameter.PageSize"),
    ({"renewal_status": "Normal", "page_size": "ten"}, "InvalidParameter.PageSize"),
    ({"renewal_status": "Normal", "page_number": "0"}, "InvalidParameter.PageNumber"),
    ({"instance_id": ",".join(f"i-bp1missing{n:08d}" for n in range(101))}, "InvalidParameter.ToManyInstanceIds"),
    ({"instance_id": "i-bp1missing00000000"}, "InvalidParameter.InvalidInstanceId"),
    ({"instance_id": "POSTPAID"}, "ChargeTypeViolation"),  # (documented: pay-as-you-go instances fail)
]


@pytest.mark.parametrize("kw,code", DESCRIBE_BAD)
def test_describe_documented_errors(client, kw, code):
    if kw.get("instance_id") == "POSTPAID":
        kw = {"instance_id": f"{prepaid(client)},{run(client)[0]}"}
    err = error_of(client.describe_instance_auto_renew_attribute,
                   models.DescribeInstanceAutoRenewAttributeRequest(region_id=REGION, **kw))
    assert err.code == code
    assert_documented("DescribeInstanceAutoRenewAttribute", err)


MODIFY_BAD = [
    ({"instance_id": " , "}, "MissingParameter.InstanceId"),
    ({"instance_id": ",".join(f"i-bp1missing{n:08d}" for n in range(101))}, "InvalidParameter.ToManyInstanceIds"),
    ({"renewal_status": "Renewing"}, "InvalidParameter.RenewalStatus"),
    ({"auto_renew": True, "period_unit": "Day"}, "InvalidPeriodUnit.ValueNotSupported"),
    ({"auto_renew": True, "duration": 4}, "InvalidParameter.Duration"),  # (Month: 1, 2, 3, 6 ...)
    ({"auto_renew": True, "duration": 5, "period_unit": "Week"}, "InvalidParameter.Duration"),
    ({"instance_id": "MISSING"}, "InvalidParameter.InvalidInstanceId"),
    ({"instance_id": "POSTPAID"}, "ChargeTypeViolation"),
]


@pytest.mark.parametrize("kw,code", MODIFY_BAD)
def test_modify_documented_errors_and_all_or_none(client, kw, code):
    instance_id = prepaid(client)
    extra = {"MISSING": "i-bp1missing00000000", "POSTPAID": run(client)[0]}.get(kw.get("instance_id", ""))
    if extra:  # the good instance first: it must not change either
        kw = {**kw, "instance_id": f"{instance_id},{extra}", "auto_renew": True}
    kw.setdefault("instance_id", instance_id)
    err = error_of(client.modify_instance_auto_renew_attribute,
                   models.ModifyInstanceAutoRenewAttributeRequest(region_id=REGION, **kw))
    assert err.code == code
    assert_documented("ModifyInstanceAutoRenewAttribute", err)
    assert renewal(client, instance_id=instance_id) == [row(instance_id, "Normal", 0, "Month")]


LAUNCH_BAD = [
    ("RunInstances", {"period": None}, "MissingParamter"),  # (required for a subscription: the option says so here)
    ("RunInstances", {"period": 10}, "InvalidPeriod"),
    ("RunInstances", {"period": 5, "period_unit": "Week"}, "InvalidPeriod"),
    ("RunInstances", {"period": 1, "auto_renew": True, "auto_renew_period": 4},
     "InvalidAutoRenewPeriod.ValueNotSupported"),
    ("RunInstances", {"period": 1, "deletion_protection": True}, "InvalidChargeType.ValueNotSupported"),
    ("CreateInstance", {"period": 1, "period_unit": "Year"}, "InvalidPeriodUnit.ValueNotSupported"),
    ("CreateInstance", {"period": 1, "auto_renew": True, "auto_renew_period": 4, "period_unit": "Week"},
     "InvalidAutoRenewPeriod.ValueNotSupported"),
]


@pytest.mark.parametrize("action,kw,code", LAUNCH_BAD)
def test_launch_documented_errors(client, engine, action, kw, code):
    engine.config.options["subscription_period"] = "required"  # (the service's rule; mockecs's default: one)
    name = "run_instances" if action == "RunInstances" else "create_instance"
    request = getattr(models, f"{action}Request")(region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large",
                                                   instance_charge_type="PrePaid", **kw)
    err = error_of(getattr(client, name), request)
    assert err.code == code
    assert_documented(action, err)
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 0


def test_launch_without_period_takes_one_unit_unless_required(client, engine):
    [instance_id] = run(client, instance_charge_type="PrePaid", period_unit="Week")
    assert describe(client, instance_id)["ExpiredTime"] == subscription_end(engine.clock.now(), 1, "Week")


# -- RenewInstance ----------------------------------------------------------------------------------------------
def renew(client: Any, instance_id: str, **kw: Any) -> str:
    return client.renew_instance(models.RenewInstanceRequest(instance_id=instance_id, **kw)).body.order_id


def test_renew_moves_the_end_and_the_subscription_disks_follow(client, engine):
    instance_id = prepaid(client, period=1, data_disk=[models.RunInstancesRequestDataDisk(size=50)])
    expired = describe(client, instance_id)["ExpiredTime"]
    assert renew(client, instance_id, period=2).isdigit()
    moved = subscription_end(engine.clock.now(), 3, "Month")
    assert describe(client, instance_id)["ExpiredTime"] == moved != expired
    assert {(d["DiskChargeType"], d["ExpiredTime"]) for d in disks(client, instance_id)} == {("PrePaid", moved)}
    body = asyncio.run(client.renew_instance_async(models.RenewInstanceRequest(
        instance_id=instance_id, period=1, period_unit="Week"))).body
    assert body.order_id.isdigit()
    assert describe(client, instance_id)["ExpiredTime"] == subscription_end(parse_iso(moved), 1, "Week")
    # an expired subscription renews from now (within the 15 days before the expired instance is released)
    engine.clock.advance(parse_iso(describe(client, instance_id)["ExpiredTime"]) - engine.clock.now() + 5 * DAY)
    renew(client, instance_id, period=1)
    assert describe(client, instance_id)["ExpiredTime"] == subscription_end(engine.clock.now(), 1, "Month")


def test_renew_client_token(client):
    instance_id = prepaid(client)
    renew(client, instance_id, period=1, client_token="renew-1")
    expired = describe(client, instance_id)["ExpiredTime"]
    renew(client, instance_id, period=1, client_token="renew-1")  # the same request again: renewed once
    assert describe(client, instance_id)["ExpiredTime"] == expired
    err = error_of(renew, client, instance_id, period=2, client_token="renew-1")
    assert err.code == "IdempotenceParamNotMatch"
    assert_documented("RenewInstance", err)


RENEW_BAD = [
    ({}, "InvalidPeriod.NotFound"),
    ({"period": 1, "expected_renew_day": 5}, "InvalidExpectedRenewDay.Conflict"),
    ({"expected_renew_day": 5}, "InvalidParam.ExpectedRenewDay"),  # (no unified expiry day is set)
    ({"expected_renew_day": 30}, "InvalidExpectedRenewDay.ValueNotSupported"),
    ({"period": 1, "period_unit": "Year"}, "InvalidPeriodUnit.ValueNotSupported"),
    ({"period": 10}, "InvalidPeriod"),
    ({"period": 5, "period_unit": "Week"}, "InvalidPeriod"),
    ({"period": 60}, "InvalidPeriod.ExceededMaximumExpirationDate"),  # (already a month bought)
    ({"period": 1, "instance_id": "i-bp1missing00000000"}, "InvalidInstanceId.NotFound"),
    ({"period": 1, "instance_id": "POSTPAID"}, "ChargeTypeViolation"),
]


@pytest.mark.parametrize("kw,code", RENEW_BAD)
def test_renew_documented_errors(client, kw, code):
    instance_id = prepaid(client)
    expired = describe(client, instance_id)["ExpiredTime"]
    if kw.get("instance_id") == "POSTPAID":
        kw["instance_id"] = run(client)[0]
    kw.setdefault("instance_id", instance_id)
    err = error_of(client.renew_instance, models.RenewInstanceRequest(**kw))
    assert err.code == code
    assert_documented("RenewInstance", err)
    assert describe(client, instance_id)["ExpiredTime"] == expired


# -- ModifyPrepayInstanceSpec -----------------------------------------------------------------------------------
def spec(client: Any, instance_id: str, instance_type: str, **kw: Any) -> str:
    return client.modify_prepay_instance_spec(models.ModifyPrepayInstanceSpecRequest(
        region_id=REGION, instance_id=instance_id, instance_type=instance_type, **kw)).body.order_id


def test_upgrade_running_downgrade_stopped(client, engine):
    instance_id = prepaid(client)
    assert spec(client, instance_id, "ecs.g7.2xlarge").isdigit()  # upgrade while Running (OperatorType: found)
    instance = describe(client, instance_id)
    assert (instance["Status"], instance["InstanceType"], instance["Cpu"], instance["Memory"],
            instance["CpuOptions"]["CoreCount"], instance["InstanceTypeFamily"]) == (
        "Running", "ecs.g7.2xlarge", 8, 32768, 4, "ecs.g7")
    err = error_of(spec, client, instance_id, "ecs.g7.xlarge")
    assert err.code == "InvalidStatus.NotStopped"  # a downgrade only while Stopped (documented)
    assert_documented("ModifyPrepayInstanceSpec", err)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    spec(client, instance_id, "ecs.g7.xlarge", operator_type="downgrade", auto_pay=False)  # (ignored: documented)
    assert describe(client, instance_id)["Memory"] == 16384
    # an upgrade without automatic payment only places the order
    spec(client, instance_id, "ecs.g7.2xlarge", auto_pay=False)
    assert describe(client, instance_id)["InstanceType"] == "ecs.g7.xlarge"
    # fewer vCPUs is a downgrade even with more memory per vCPU: OperatorType must say so
    err = error_of(spec, client, instance_id, "ecs.r7.large", operator_type="upgrade")
    assert err.code == "InvalidParameter"
    assert_documented("ModifyPrepayInstanceSpec", err)
    # an expired subscription changes nothing until it is renewed (documented)
    engine.clock.advance(40 * DAY)
    err = error_of(spec, client, instance_id, "ecs.g7.2xlarge")
    assert err.code == "InvalidInstanceStatus"
    assert_documented("ModifyPrepayInstanceSpec", err)
    client.renew_instance(models.RenewInstanceRequest(instance_id=instance_id, period=1))
    spec(client, instance_id, "ecs.g7.2xlarge", client_token="spec-1")
    assert describe(client, instance_id)["InstanceType"] == "ecs.g7.2xlarge"


SPEC_BAD = [
    ({"instance_type": "ecs.g7.xlarge", "operator_type": "sideways"}, "InvalidParameter"),
    ({"instance_type": "ecs.g7.xlarge", "reboot_time": "tomorrow"}, "InvalidRebootTime.MalFormed"),
    ({"instance_type": "ecs.g7.xlarge", "instance_id": "i-bp1missing00000000"}, "InvalidInstanceId.NotFound"),
    ({"instance_type": "ecs.g7.xlarge", "instance_id": "POSTPAID"}, "InvalidInstanceChargeType.ValueNotSupported"),
    ({"instance_type": "ecs.g7.huge"}, "InvalidInstanceType.ValueNotSupported"),
    ({"instance_type": "ecs.g7.large"}, "InvalidParameter"),  # (its type already)
    ({"instance_type": "ecs.g8i.xlarge"}, "InvalidInstanceType.ValueNotSupported"),  # (its zone does not sell it)
    ({"instance_type": "ecs.g7.xlarge", "operator_type": "downgrade"}, "InvalidParameter"),
]


@pytest.mark.parametrize("kw,code", SPEC_BAD)
def test_spec_documented_errors(client, kw, code):
    instance_id = prepaid(client)
    if kw.get("instance_id") == "POSTPAID":
        kw["instance_id"] = run(client)[0]
    kw.setdefault("instance_id", instance_id)
    err = error_of(client.modify_prepay_instance_spec, models.ModifyPrepayInstanceSpecRequest(region_id=REGION, **kw))
    assert err.code == code
    assert_documented("ModifyPrepayInstanceSpec", err)
    assert describe(client, instance_id)["InstanceType"] == "ecs.g7.large"


def test_spec_image_must_run_on_the_type(client):
    instance_id = prepaid(client, image_id=ARM, instance_type=ARM_TYPE)
    zone = describe(client, instance_id)["ZoneId"]
    err = error_of(spec, client, instance_id, "ecs.g7.xlarge")
    assert (err.code, zone) == ("ImageNotSupportInstanceType", zone)
    assert_documented("ModifyPrepayInstanceSpec", err)
    assert describe(client, instance_id)["InstanceType"] == ARM_TYPE


def test_subscription_launches_answer_an_order(client):
    """OrderId is documented as answered for PrePaid launches only (RunInstances, CreateInstance)."""
    body = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", instance_charge_type="PrePaid", period=1,
        period_unit="Month")).body
    assert body.order_id.isdigit() and len(body.instance_id_sets.instance_id_set) == 1
    created = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", instance_charge_type="PrePaid", period=1,
        period_unit="Month")).body
    assert created.order_id.isdigit() and created.order_id != body.order_id
    assert client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large")).body.order_id is None


def test_a_subscription_is_released_only_once_expired_and_when_asked(client, engine, legacy):
    """DeleteInstance(s) release pay-as-you-go instances and expired subscriptions with TerminateSubscription
    (documented): before its end a subscription is refused with ChargeTypeViolation, nothing deleted."""
    instance_id = prepaid(client)
    err = error_of(client.delete_instance, models.DeleteInstanceRequest(instance_id=instance_id, force=True,
                                                                        terminate_subscription=True))
    assert (err.code, err.status_code) == ("ChargeTypeViolation", 403)
    assert_documented("DeleteInstance", err)
    [payg] = run(client, LINUX, "ecs.g7.large")
    err = error_of(client.delete_instances, models.DeleteInstancesRequest(
        region_id=REGION, instance_id=[payg, instance_id], force=True))
    assert (err.code, err.status_code) == ("ChargeTypeViolation", 403)
    assert describe(client, payg)["Status"] == "Running"  # (all or none)
    engine.clock.advance(parse_iso(describe(client, instance_id)["ExpiredTime"]) - engine.clock.now() + DAY)
    request = DeleteInstanceRequest()
    request.set_InstanceId(instance_id)
    request.set_Force(True)
    with pytest.raises(ServerException) as refused:  # (expired, but TerminateSubscription not asked)
        legacy_call(legacy, request)
    assert (refused.value.error_code, refused.value.http_status) == ("ChargeTypeViolation", 403)
    request.set_TerminateSubscription(True)
    legacy_call(legacy, request)
    ids = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.instances.instance
    assert [i.instance_id for i in ids] == [payg]

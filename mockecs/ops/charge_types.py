"""ModifyInstanceChargeType: pay-as-you-go instances to subscription and back (what ``ali_instance`` calls
when a playbook's ``instance_charge_type`` differs from the instance's).

Every instance named or none (the checks run before anything is written). The instance's
``InstanceChargeType`` and ``ExpiredTime`` change, and its disks' ``DiskChargeType`` and ``ExpiredTime``
follow: the system disk always, the pay-as-you-go data disks with ``IncludeDataDisks`` (to subscription);
back to pay-as-you-go, every subscription disk of the instance. With ``AutoPay=false`` the service only
makes an order (to be paid in the console): the answer carries its id and nothing changes.
"""
from __future__ import annotations

from typing import Optional

from mockecs.ops.instances import CHARGE_TYPES, NEVER_EXPIRES, POSTPAID_EXPIRY, instance_id_list
from mockecs.ops.registry import BAD_CLIENT_TOKEN, Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, I, S
from mockecs.world import account_states, dedicated_hosts, disks, instance_clock, pricing, quotes, resources
from mockecs.world.subscriptions import PERIODS, new_order_id, subscription_end

MAX_INSTANCES = 20  # documented: up to 20 instance ids

BAD_IDS = error_kind("InvalidParameter.InstanceIds", "The specified InstanceIds are invalid.", 400)
TOO_MANY = error_kind("InstancesIdQuotaExceed", "The maximum number of Instances is exceeded.", 400)
BAD_PERIOD = error_kind("InvalidPeriod", "The specified period is not valid.", 400)
UNIT_MISMATCH = error_kind("InvalidPeriod.UnitMismatch", "The specified Period must be correlated with the PeriodUnit.",
                           400)
SPOT = error_kind("InvalidSpotStrategy", "The specified spotStrategy is not valid.", 400)
NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified instanceId does not exist.", 404)
EXPIRED_INSTANCE = error_kind("ExpiredInstance", "The specified instance has expired.", 400)
ON_HOST = error_kind("InvalidOperation.NotSupport", "Instance on dedicated host not support modify charge type.", 403)
RELEASE_TIME_SET = error_kind("ReleaseTimeHaveBeenSet", "The specified instance has been set released time.", 400)


def _charge_type_error(detail: str) -> EcsError:
    return EcsError("InvalidInstanceChargeType.ValueNotSupported", detail, 400)


def _check(ctx: Context, instance_id: str, target: str) -> dict:
    instance = resources.owned(ctx, "instance", instance_id, NOT_FOUND)
    if instance["Status"] not in ("Running", "Stopped"):
        raise EcsError("InvalidStatus.ValueNotSupported",
                       f"The current status of instance {instance_id} does not support this operation.", 400)
    if instance_clock.expired(instance):  # (stopped at its expiry: renew it first)
        raise EXPIRED_INSTANCE
    if instance.get("SpotStrategy", "NoSpot") != "NoSpot":
        raise SPOT
    if dedicated_hosts.host_id_of(instance):
        raise ON_HOST
    if instance.get("InstanceChargeType", "PostPaid") == target:
        raise _charge_type_error(f"The instance {instance_id} is already {target}.")
    if target == "PrePaid" and instance.get("AutoReleaseTime"):
        raise RELEASE_TIME_SET
    return instance


def _convert(ctx: Context, instance: dict, target: str, expired: str, include_data_disks: bool) -> None:
    converted = resources.put(ctx.txn, "instance", {**instance, "InstanceChargeType": target, "ExpiredTime": expired})
    instance_clock.schedule(ctx, converted)  # (a subscription expires now; a pay-as-you-go one has no end)
    for disk in resources.get_many(ctx, "disk", sorted(ctx.txn.ids("disk", ("instance", instance["InstanceId"])))):
        if disk is None or disk.get("DiskChargeType") == target or disks.multi_attach(disk):  # (pay-as-you-go only)
            continue
        if target == "PrePaid" and disk["Type"] == "data" and not include_data_disks:
            continue
        resources.put(ctx.txn, "disk", {**disk, "DiskChargeType": target,
                                         "ExpiredTime": expired if target == "PrePaid" else NEVER_EXPIRES})


@operation("ModifyInstanceChargeType", S("InstanceIds", required=True),
           I("Period"), S("PeriodUnit", default="Month"), B("IncludeDataDisks", default=False),
           B("AutoPay", default=True), S("InstanceChargeType", default="PrePaid"), B("IsDetailFee", default=False),
           dry_run=True, idempotent=True, token_error=BAD_CLIENT_TOKEN)
def modify_instance_charge_type(ctx: Context, instance_ids: str, period: Optional[int], period_unit: str,
                                include_data_disks: bool, auto_pay: bool, instance_charge_type: str,
                                is_detail_fee: bool) -> dict:
    ids = instance_id_list(instance_ids, BAD_IDS, TOO_MANY, MAX_INSTANCES)
    if not ids:
        raise BAD_IDS
    if instance_charge_type not in CHARGE_TYPES:
        raise _charge_type_error(f"The specified InstanceChargeType {instance_charge_type} is not supported.")
    expired = POSTPAID_EXPIRY
    if instance_charge_type == "PrePaid":
        if period_unit not in PERIODS:
            raise UNIT_MISMATCH
        if period is None or period < 1:
            raise BAD_PERIOD
        if period not in PERIODS[period_unit]:
            raise UNIT_MISMATCH
        expired = subscription_end(ctx.now, period, period_unit)
    instance_clock.settle_due(ctx)  # (released or expired by the mock clock by now)
    instances = [_check(ctx, instance_id, instance_charge_type) for instance_id in ids]
    account_states.check_arrears(ctx, "ModifyInstanceChargeType")
    # (what the subscriptions give back, priced before they change)
    fees = [quotes.fee_of(pricing.table(ctx.engine), i["InstanceId"], quotes.refund(ctx, i)) for i in instances] \
        if is_detail_fee and instance_charge_type == "PostPaid" else []
    if auto_pay:
        for instance in instances:
            _convert(ctx, instance, instance_charge_type, expired, include_data_disks)
    return {"OrderId": new_order_id(), "FeeOfInstances": {"FeeOfInstance": fees}}


# -- ModifyDiskChargeType ------------------------------------------------------------------------------------------
MAX_DISKS = 16  # documented: DiskIds holds up to 16 ids
DISK_INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 400)
DISKS_NOT_FOUND = error_kind("InvalidDiskIds.NotFound", "Some of the specified data disks do not exist.", 404)
DISK_INSTANCE_STATUS = error_kind("InvalidInstanceStatus.NotSupported", "The status of the specified instance is "
                                  "invalid.", 404)
DISK_CHARGE_VIOLATION = error_kind("ChargeTypeViolation",
                                   "The operation is not permitted due to charge type of the instance.", 400)
DISK_CHARGE_TYPE = error_kind("InvalidInstanceChargeType.NotFound",
                              "The chargeType of the instance does not support this operation.", 403)


@operation("ModifyDiskChargeType", S("InstanceId", required=True), S("DiskIds", required=True),
           B("AutoPay", default=True), S("DiskChargeType", default="PrePaid"), idempotent=True,
           token_error=BAD_CLIENT_TOKEN)
def modify_disk_charge_type(ctx: Context, instance_id: str, disk_ids: str, auto_pay: bool,
                            disk_charge_type: str) -> dict:
    """Data disks of a subscription instance, to subscription (expiring with the instance) or back to pay-as-you-go
    (Terraform's alicloud_ecs_disk ``payment_type``). The disks must be attached to the instance; one that already
    has the charge type asked for stays as it is [GUESS: no code documented for it]. AutoPay=false: the order only."""
    if disk_charge_type not in CHARGE_TYPES:
        raise DISK_CHARGE_TYPE
    ids = instance_id_list(disk_ids, DISKS_NOT_FOUND, DISKS_NOT_FOUND, MAX_DISKS)
    if not ids:
        raise DISKS_NOT_FOUND
    instance = resources.owned(ctx, "instance", instance_id, DISK_INSTANCE_NOT_FOUND)
    if instance["Status"] not in ("Running", "Stopped"):
        raise DISK_INSTANCE_STATUS
    if instance.get("InstanceChargeType") != "PrePaid":  # (a pay-as-you-go instance's disks are pay-as-you-go)
        raise DISK_CHARGE_VIOLATION
    found = resources.get_many(ctx, "disk", ids)
    if any(d is None or not resources.is_mine(ctx, d) or not disks.on_instance(d, instance_id) or d["Type"] != "data"
           for d in found):
        raise DISKS_NOT_FOUND
    if any(disks.multi_attach(d) for d in found):  # (pay-as-you-go only: documented)
        raise disks.MULTI_ATTACH_DISK
    if auto_pay:
        expired = instance["ExpiredTime"] if disk_charge_type == "PrePaid" else NEVER_EXPIRES
        for disk in found:
            if disk.get("DiskChargeType") != disk_charge_type:
                resources.put(ctx.txn, "disk", {**disk, "DiskChargeType": disk_charge_type, "ExpiredTime": expired})
    return {"OrderId": new_order_id()}

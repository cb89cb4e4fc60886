"""A subscription (``PrePaid``) instance's renewal and type: DescribeInstanceAutoRenewAttribute and
ModifyInstanceAutoRenewAttribute (what Terraform's ``alicloud_instance`` reads on every refresh of a subscription
instance and changes on an update), RenewInstance and ModifyPrepayInstanceSpec.

The renewal settings live on the instance record (``_renewal``, see :mod:`mockecs.world.subscriptions`): RunInstances'
and CreateInstance's ``AutoRenew``/``AutoRenewPeriod`` set them, ModifyInstanceAutoRenewAttribute changes them (the
status always; ``Duration`` and ``PeriodUnit`` with ``AutoRenewal``: other statuses keep them [GUESS]). mockecs
renews an instance with ``AutoRenewal`` when the mock clock passes its ``ExpiredTime``, and stops and later releases
one without (:mod:`mockecs.world.instance_clock`). RenewInstance moves ``ExpiredTime`` on by the period (from the
current end, or from now once it has passed [GUESS]) and the instance's subscription disks follow; an instance stopped
at its expiry is unlocked and started again.
ModifyPrepayInstanceSpec changes the type at once (the service finishes in 5 to 10 seconds and asks for a restart:
DescribeInstances shows the new type when the call answers, as ModifyInstanceSpec does [GUESS]); an upgrade with
``AutoPay=false`` only places an order (nothing changes). Each answers a new ``OrderId``.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instance_settings import CHARGE_TYPE_VIOLATION, SPEC_UNKNOWN_TYPE
from mockecs.ops.instances import BASIC_SYSTEM_DISK_TARGETS, INCORRECT_STATUS, convert_basic_system_disk, type_change
from mockecs.ops.registry import BAD_CLIENT_TOKEN, Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, I, S, Struct, Structs, whole_number
from mockecs.world import dedicated_hosts, instance_clock, instance_types, paging, resources, subscriptions

MAX_IDS = 100  # both auto-renew operations document up to 100 instance ids
# Duration per PeriodUnit (ModifyInstanceAutoRenewAttribute's china-site ranges)
DURATIONS = {"Week": (1, 2, 3, 4), "Month": (1, 2, 3, 6, 12, 24, 36, 48, 60), "Year": (1, 2, 3, 4, 5)}

MISSING_ID = ("MissingParameter.InstanceId", "InstanceId should not be null.", 403)
TOO_MANY = error_kind("InvalidParameter.ToManyInstanceIds", "InstanceId should be less than 100.", 403)
# documented message "%s": written out [GUESS]
UNKNOWN_ID = error_kind("InvalidParameter.InvalidInstanceId", "The specified InstanceId does not exist.", 403)
PAY_AS_YOU_GO = error_kind("ChargeTypeViolation", "Pay-As-You-Go instances do not support this operation.", 403)
BAD_RENEWAL_STATUS = error_kind("InvalidParameter.RenewalStatus", "The specified parameter RenewalStatus is not valid.",
                                403)
NOTHING_NAMED = error_kind("InvalidParameter.RenewalStatusInstanceId",
                           "The parameter RenewalStatus and InstanceId can not be both empty.", 403)
BAD_PAGE_SIZE = error_kind("InvalidParameter.PageSize", "The specified parameter PageSize is not valid.", 403)
BAD_PAGE_NUMBER = error_kind("InvalidParameter.PageNumber", "The specified parameter PageNumber is not valid.", 403)
BAD_DURATION = error_kind("InvalidParameter.Duration", "The specified parameter Duration is not valid for the "
                          "PeriodUnit.", 403)  # documented message "%s": written out [GUESS]
BAD_RENEW_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.",
                            403)


def _id_list(text: Optional[str]) -> list[str]:
    """``InstanceId``: ids separated by commas (a repeated id counts once); at most 100."""
    ids = list(dict.fromkeys(i.strip() for i in (text or "").split(",") if i.strip()))
    if len(ids) > MAX_IDS:
        raise TOO_MANY
    return ids


def _subscription(ctx: Context, instance_id: str) -> dict:
    record = resources.owned(ctx, "instance", instance_id, UNKNOWN_ID)
    if record.get("InstanceChargeType") != "PrePaid":
        raise PAY_AS_YOU_GO
    return record


def _row(record: Mapping[str, Any]) -> dict:
    kept = subscriptions.renewal(record)
    return {"PeriodUnit": kept["PeriodUnit"], "Duration": kept["Duration"], "RenewalStatus": kept["RenewalStatus"],
            "InstanceId": record["InstanceId"], "AutoRenewEnabled": kept["RenewalStatus"] == "AutoRenewal",
            # (renewal to a unified expiry day: mockecs knows no account's day, RenewInstance refuses one)
            "EnableExpectedRenewDay": False}


# (PageNumber and PageSize are strings in the metadata: a bad one answers its own documented code)
@operation("DescribeInstanceAutoRenewAttribute", S("InstanceId"), S("RenewalStatus"), S("PageNumber"),
           S("PageSize"))
def describe_instance_auto_renew_attribute(ctx: Context, instance_id: Optional[str], renewal_status: Optional[str],
                                           page_number: Optional[str], page_size: Optional[str]) -> dict:
    """The instances named (each the caller's subscription instance here), or every subscription instance of the
    caller here renewed as ``RenewalStatus`` says (by index), in creation order."""
    number = whole_number(page_number, 1, 2 ** 31 - 1) if page_number else 1
    if number is None:
        raise BAD_PAGE_NUMBER
    size = whole_number(page_size, 1, 100) if page_size else 10
    if size is None:
        raise BAD_PAGE_SIZE
    if renewal_status and renewal_status not in subscriptions.RENEWAL_STATUSES:
        raise BAD_RENEWAL_STATUS
    ids = _id_list(instance_id)
    if not ids and not renewal_status:
        raise NOTHING_NAMED
    instance_clock.settle_due(ctx)  # (renewed, expired or released by the mock clock by now)
    if ids:
        named = [r for r in (_subscription(ctx, i) for i in ids)
                 if renewal_status in (None, "", subscriptions.renewal(r)["RenewalStatus"])]
        page, total = paging.by_number(named, number, size), len(named)
    else:
        page, meta = paging.ordered_page(ctx, "instance", subscriptions.renewal_term(ctx.account, ctx.region,
                                                                                     renewal_status),
                                         number, size, None, None)
        total = meta["TotalCount"]
    return {"PageNumber": number, "PageSize": size, "TotalCount": total,
            "InstanceRenewAttributes": {"InstanceRenewAttribute": [_row(r) for r in page]}}


@operation("ModifyInstanceAutoRenewAttribute", S("InstanceId", required=True, missing=MISSING_ID),
           B("AutoRenew", default=False), I("Duration", error=("InvalidParameter.Duration", 403)),
           S("PeriodUnit", default="Month"), S("RenewalStatus"))
def modify_instance_auto_renew_attribute(ctx: Context, instance_id: str, auto_renew: bool, duration: Optional[int],
                                         period_unit: str, renewal_status: Optional[str]) -> dict:
    """RenewalStatus wins over AutoRenew (documented; AutoRenew true is AutoRenewal, false Normal). AutoRenewal
    renews by Duration PeriodUnits (no Duration: the instance's, else 1 [GUESS]). Every instance or none."""
    ids = _id_list(instance_id)
    if not ids:
        raise EcsError(*MISSING_ID)
    if renewal_status and renewal_status not in subscriptions.RENEWAL_STATUSES:
        raise BAD_RENEWAL_STATUS
    if period_unit not in DURATIONS:
        raise BAD_RENEW_UNIT
    status = renewal_status or ("AutoRenewal" if auto_renew else "Normal")
    instance_clock.settle_due(ctx)  # (renewed, expired or released by the mock clock by now)
    records = [_subscription(ctx, i) for i in ids]
    for record in records:
        if record["Status"] == "Pending":  # [GUESS: while it is made]
            raise INCORRECT_STATUS
        if status == "AutoRenewal" and instance_clock.expired(record):  # (documented: not once expired; the
            raise INCORRECT_STATUS  # code [GUESS]: the documented status refusal)
        kept = subscriptions.renewal(record)
        change = {"RenewalStatus": status}
        if status == "AutoRenewal":
            change["Duration"] = duration or kept["Duration"] or 1
            change["PeriodUnit"] = period_unit
            if change["Duration"] not in DURATIONS[period_unit]:
                raise BAD_DURATION
        resources.put(ctx.txn, "instance", {**record, "_renewal": {**kept, **change}})
    return {}


# -- RenewInstance -------------------------------------------------------------------------------------------------
_BY_INSTANCE = {"region": "optional", "region_of": resources.region_from("instance_id")}
RENEW_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
NO_TERM = error_kind("InvalidPeriod.NotFound", "The specified period and expectedRenewDay cannot both be empty.")
BOTH_TERMS = error_kind("InvalidExpectedRenewDay.Conflict",
                        "The specified expectedRenewDay is in conflict with period.")
BAD_RENEW_DAY = error_kind("InvalidExpectedRenewDay.ValueNotSupported",
                           "The specified parameter ExpectedRenewDay is not valid.")
NO_RENEW_DAY = error_kind("InvalidParam.ExpectedRenewDay", "The specified param ExpectedRenewDay is not valid.")
RENEW_BAD_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.")
RENEW_BAD_PERIOD = error_kind("InvalidPeriod", "The specified period is not valid.")
TOO_LONG = error_kind("InvalidPeriod.ExceededMaximumExpirationDate", "The specified renewal period cannot exceed the "
                      "maximum expiration date. We recommend you try shortening the renewal period at next attempt.")


@operation("RenewInstance", S("InstanceId", required=True), I("Period"), S("PeriodUnit", default="Month"),
           I("ExpectedRenewDay"), idempotent=True, token_error=BAD_CLIENT_TOKEN, **_BY_INSTANCE)
def renew_instance(ctx: Context, instance_id: str, period: Optional[int], period_unit: str,
                   expected_renew_day: Optional[int]) -> dict:
    """Period PeriodUnits more. ExpectedRenewDay must be the account's unified expiry day, which mockecs has no way
    to set: a day 1 to 28 is refused as not the account's, another as out of range [GUESS]."""
    if period is not None and expected_renew_day is not None:
        raise BOTH_TERMS
    if expected_renew_day is not None:
        raise NO_RENEW_DAY if 1 <= expected_renew_day <= 28 else BAD_RENEW_DAY
    if period is None:
        raise NO_TERM
    if period_unit not in subscriptions.PERIODS:
        raise RENEW_BAD_UNIT
    if period not in subscriptions.PERIODS[period_unit]:
        raise RENEW_BAD_PERIOD
    instance_clock.settle_due(ctx)  # (renewed, expired or released by the mock clock by now)
    record = resources.owned(ctx, "instance", instance_id, RENEW_NOT_FOUND)
    if record.get("InstanceChargeType") != "PrePaid":
        raise CHARGE_TYPE_VIOLATION
    if record["Status"] == "Pending":  # [GUESS: while it is made]
        raise INCORRECT_STATUS
    ends = resources.parse_iso(record["ExpiredTime"]) or ctx.now
    expired = subscriptions.subscription_end(max(ends, ctx.now), period, period_unit)
    if expired > subscriptions.subscription_end(ctx.now, subscriptions.LONGEST_TERM_MONTHS, "Month"):
        raise TOO_LONG
    dedicated_hosts.check_renewal(ctx, "RenewInstance", record, expired)
    instance_clock.renewed(ctx, subscriptions.extend(ctx, record, expired))
    return {"OrderId": subscriptions.new_order_id()}


# -- ModifyPrepayInstanceSpec --------------------------------------------------------------------------------------
PREPAY_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
NOT_SUBSCRIPTION = error_kind("InvalidInstanceChargeType.ValueNotSupported", "The specified instance is not a "
                              "subscription instance: ModifyInstanceSpec changes a pay-as-you-go instance's type.")
BAD_OPERATOR = error_kind("InvalidParameter", "The specified parameter OperatorType is not valid.")
SAME_TYPE = error_kind("InvalidParameter", "The specified InstanceType is the instance's type already.")
WRONG_OPERATOR = error_kind("InvalidParameter", "The specified OperatorType does not match the change of the "
                            "instance type (upgrade: no fewer vCPUs and no less memory; else downgrade).")
EXPIRED = error_kind("InvalidInstanceStatus", "The current status of the instance does not support this operation.",
                     403)
NOT_STOPPED = error_kind("InvalidStatus.NotStopped", "Instance status must be stopped.")
PREPAY_ZONE = error_kind("InvalidInstanceType.ValueNotSupported",
                         "The specified InstanceType does not exist or beyond the permitted range.", 403)
PREPAY_NO_STOCK = error_kind("OperationDenied.NoStock", "The specified instance is out of usage.", 403)
PREPAY_IMAGE = error_kind("ImageNotSupportInstanceType", "The specified image does not support the specified "
                          "InstanceType.", 403)
# The instance's system disk, or a data disk, of a category the new type does not sell (its documented codes)
PREPAY_SYSTEM_CATEGORY = error_kind("InvalidSystemDiskCategory.NotMatchInstanceType",
                                    "The system disk category does not match the instance type.", 400)
PREPAY_DISK_CATEGORY = error_kind("InvalidInstanceType.NotSupportDiskCategory", "The instanceType of the specified "
                                  "instance does not support this disk category.", 403)
BAD_REBOOT_TIME = error_kind("InvalidRebootTime.MalFormed", "The specified rebootTime is not valid.")


@operation("ModifyPrepayInstanceSpec", S("InstanceId", required=True), S("InstanceType", required=True),
           S("OperatorType"), B("AutoPay", default=True), B("MigrateAcrossZone", default=False),
           Struct("SystemDisk", [S("Category")]), S("RebootTime"), S("EndTime"), B("RebootWhenFinished", default=False),
           S("ModifyMode", choices=("Online", "Offline")),
           Structs("Disk", [S("DiskId"), S("Category"), S("PerformanceLevel")]), idempotent=True)
def modify_prepay_instance_spec(ctx: Context, instance_id: str, instance_type: str, operator_type: Optional[str],
                                auto_pay: bool, reboot_time: Optional[str], system_disk: dict, **_: Any) -> dict:
    """An upgrade (no fewer vCPUs and no less memory [GUESS: the service compares prices]) of a Running or Stopped
    instance, or a downgrade of a Stopped one (documented); OperatorType, when sent, must say which. An expired
    subscription changes nothing (documented: renew it first). SystemDisk.Category turns a basic system disk into
    that category (documented for a retired non-I/O optimized type; elsewhere it has no effect); disks, temporary
    change and migration across zones are taken and ignored."""
    if operator_type and operator_type not in ("upgrade", "downgrade"):
        raise BAD_OPERATOR
    system_category = system_disk.get("category")
    if system_category and system_category not in BASIC_SYSTEM_DISK_TARGETS:
        raise PREPAY_SYSTEM_CATEGORY  # [GUESS: the documented code naming the system disk category]
    if reboot_time and resources.parse_iso(reboot_time) is None:
        raise BAD_REBOOT_TIME
    instance_clock.settle_due(ctx)  # (renewed, expired or released by the mock clock by now)
    record = resources.owned(ctx, "instance", instance_id, PREPAY_NOT_FOUND)
    if record.get("InstanceChargeType") != "PrePaid":
        raise NOT_SUBSCRIPTION
    if (resources.parse_iso(record["ExpiredTime"]) or ctx.now) < ctx.now:
        raise EXPIRED
    itype = instance_types.instance_type(instance_type)
    if itype is None:
        raise SPEC_UNKNOWN_TYPE
    if itype["InstanceTypeId"] == record["InstanceType"]:
        raise SAME_TYPE
    changes = type_change(ctx, record, itype, PREPAY_ZONE, PREPAY_IMAGE, PREPAY_NO_STOCK,
                          disk_refusals=(PREPAY_SYSTEM_CATEGORY, PREPAY_DISK_CATEGORY), system_category=system_category)
    direction = "upgrade" if changes["Cpu"] >= record["Cpu"] and changes["Memory"] >= record["Memory"] \
        else "downgrade"
    if operator_type and operator_type != direction:
        raise WRONG_OPERATOR
    if direction == "downgrade" and record["Status"] != "Stopped":
        raise NOT_STOPPED
    if record["Status"] not in ("Running", "Stopped"):
        raise INCORRECT_STATUS
    if direction == "downgrade" or auto_pay:  # (a downgrade ignores AutoPay: documented)
        convert_basic_system_disk(ctx, instance_id, system_category)
        resources.put(ctx.txn, "instance", {**record, **changes})
    return {"OrderId": subscriptions.new_order_id()}


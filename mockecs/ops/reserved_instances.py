"""Reserved instances: PurchaseReservedInstancesOffering, DescribeReservedInstances, ModifyReservedInstances (split
one into several, merge several into one, or change one: scope, zone, type within its family),
ModifyReservedInstanceAttribute,
DescribeReservedInstanceAutoRenewAttribute, ModifyReservedInstanceAutoRenewAttribute, RenewReservedInstances; what
Terraform's ``alicloud_reserved_instance`` calls.

Records and their time on the mock clock: :mod:`mockecs.world.reserved_instances`. A split, merge or modification
keeps the reserved computing power: the sum of InstanceAmount times each type's vCPUs (the normalization Alibaba
documents by vCPUs within a family [GUESS: its factors follow the vCPU count]); the originals expire and new reserved
instances take their place until the originals' expiry [GUESS: the documentation says they are replaced].
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.private_pools import check_name
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind, invalid_parameter
from mockecs.wire.params import TAGS, B, I, Repeat, S, Structs
from mockecs.world import (
    instance_types,
    paging,
    private_pools,
    regions,
    resource_groups,
    resources,
    stock,
    subscriptions,
)
from mockecs.world import reserved_instances as ris
from mockecs.world.reserved_instances import KIND
from mockecs.world.validation import check_description

OFFERING_TYPES = ("All Upfront", "Partial Upfront", "No Upfront")
PLATFORMS = {"linux": "Linux", "windows": "Windows"}
SCOPES = ("Region", "Zone")
PERIODS = {"Year": (1, 3, 5), "Month": (1,)}  # documented (china site)
MOST_AMOUNT = 50  # documented: 1-50
MOST_RENEW = 10  # RenewReservedInstances: at most 10 at once (documented)
MOST_IDS = 100
LONGEST_MONTHS = 60  # [GUESS] a term ends at most five years ahead (the longest Period)

# PurchaseReservedInstancesOffering
BAD_TYPE = error_kind("InvalidInstanceType.ValueNotSupported", "The specified InstanceType beyond the permitted range.")
BAD_SCOPE = error_kind("InvalidParameter.Scope", "The specified parameter 'Scope' is invalid.")
ZONE_MISSING = error_kind("MissingParameter.ZoneId", "The specified zoneId should be not empty.")
BAD_ZONE = error_kind("InvalidReservedInstanceZone.ValueNotSupported", "The zoneId is not exist.")
# (documented; a zonal reserved instance reserves capacity: a type sold out there is refused, mockecs.world.stock)
NO_STOCK = error_kind("OperationDenied.NoStock", "The requested resource is sold out in the specified zone; try other "
                                                 "types of resources or other regions and zones.", 403)
BAD_OFFERING = error_kind("InvalidReservedInstanceOfferingType.ValueNotSupported", "The OfferingType is not supported.")
BAD_PLATFORM = error_kind("InvalidReservedInstancePlatform.ValueNotSupported", "The Platform is not supported.")
BAD_NAME = error_kind("InvalidParameter.ReservedInstanceName", "ReservedInstanceName is invalid.")
BAD_PERIOD_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.")
START_SCOPE = error_kind("InvalidStartTime.ScopeNotMatch",
                         "Zonal reservedInstance not supported for scheduled creating.")
_DESCRIPTION = ("InvalidDescription.Malformed", 'The specified parameter "Description" is not valid.')
# DescribeReservedInstances
BAD_LOCK = error_kind("InvalidReservedInstanceLockReason.ValueNotSupported",
                      "The specified LockReason is not supported.")
BAD_STATUS = error_kind("InvalidReservedInstanceStatus.ValueNotSupported", "The specified Status is not supported.")
BAD_ALLOCATION = error_kind("InvalidAllocationType.ValueNotSupported", "The specified AllocationType is not supported.")
DESCRIBE_OFFERING = error_kind("InvalidReservedInstanceOfferingType.ValueNotSupported",
                               "the OfferingType is not supported")
# ModifyReservedInstances (403 each, documented)
M_IDS_MISSING = error_kind("MissingParameter.ReservedInstanceId", "The ids of reservedInstance can not be empty.", 403)
M_CONFIG_MISSING = error_kind("MissingParameter.ReservedInstanceConfiguration",
                              "The configurations of reservedInstance can not be empty.", 403)
M_MANY_TO_MANY = error_kind("InvalidParameter.SplitOrMerge", "The Many-to-many of modification is not supported.", 403)
M_NOT_FOUND = error_kind("InvalidReservedInstanceId.NotFound", "The specified parameter ReservedInstanceId is invalid.",
                         403)
M_STATUS = error_kind("IncorrectInstanceStatus", "The status of specified reservedInstance must be active.", 403)
M_TYPE_MISSING = error_kind("MissingParameter.InstanceType", "The instanceType should be not empty.", 403)
M_TYPE = error_kind("InvalidInstanceType.ValueUnauthorized", "The specified InstanceType is not authorized.")
M_FAMILY = error_kind("InvalidParameter.ValueNotSupported",
                      "The instanceTypeFamily of the instance to be changed must be consistent.", 403)
M_AMOUNT = error_kind("InvalidInstanceAmount.ValueNotSupported", "The instanceAmount is invalid.", 403)
M_SCOPE = error_kind("InvalidScope.ValueNotSupported",
                     "The scope of reservedInstance is invalid. The valid value is Zone or Region.", 403)
M_ZONE_MISSING = error_kind("MissingParameter.ZoneId", "The specified zoneId should be not empty.", 403)
M_ZONE = error_kind("InvalidReservedInstanceZone.ValueNotSupported", "The zoneId is not exist.", 403)
M_SAME_ZONE = error_kind("InvalidZoneId.ValueNotSupported", "The specified zoneId should be same.", 403)
M_PLATFORM = error_kind("InvalidPlatform.ValueNotSupported", "The platform of reservedInstance is invalid.", 403)
M_NAME = error_kind("InvalidReservedInstanceName.Malformed",
                    "The specified parameter ReservedInstanceName is invalid.", 403)
M_ONLY_NAME = error_kind("OperationDenied.OnlyModifyName", "It is not allowed to modify the ReservedInstanceName only.",
                         403)
# ModifyReservedInstanceAttribute
A_NAME = error_kind("InvalidParameter.ReservedInstanceName", "The reservedInstanceName is invalid.", 403)
# the auto-renewal operations
R_MISSING = error_kind("MissingParamter.InstanceId", "ReservedInstanceId should not be null.", 403)
R_TOO_MANY = error_kind("InvalidParameter.ToManyInstanceIds", "ReservedInstanceId should be less than 100.", 403)
R_SET_MISSING = error_kind("Abs.MissingParamter.InstanceId", "ReservedInstanceId should not be null.", 403)
R_BAD_STATUS = error_kind("InvalidParameter.RenewalStatus", "The specified parameter RenewalStatus is not valid.", 403)
R_BAD_UNIT = error_kind("InvalidParameter.PeriodUnit", "The specified parameter PeriodUnit is not valid.", 403)
R_BAD_PERIOD = error_kind("InvalidParameter.Period", "The specified parameter Period is not valid.", 403)
# RenewReservedInstances
N_MISSING = error_kind("MissingParameter.ReservedInstanceIds", "The specified ReservedInstanceIds does not exist.")
N_IDS = error_kind("InvalidParameter.ReservedInstanceIds", "The specified ReservedInstanceIds is invalid.")
N_UNIT = error_kind("InvalidParameter.PeriodUnit", "The specified PeriodUnit is invalid.")
N_PERIOD = error_kind("InvalidParameter.Period", "The specified Period is invalid.")
N_TOO_LONG = error_kind("InvalidPeriod.ExceededMaximumExpiration", "The specified renewal period cannot exceed the "
                        "maximum expiration date. We recommend you try shortening the renewal period at next attempt.")


def _hour(moment: float) -> float:
    return moment - moment % 3600


def _renewal(auto_renew: bool, months: Optional[int], unit: str) -> dict:
    """``_renewal`` of AutoRenew / AutoRenewPeriod (months; default 1 for Month, 12 for Year, documented)."""
    if not auto_renew:
        return {"RenewalStatus": "Normal", "Duration": 0, "PeriodUnit": unit}
    months = months or (1 if unit == "Month" else 12)
    if months not in ris.RENEW_MONTHS:
        raise invalid_parameter("AutoRenewPeriod")
    duration, renew_unit = ris.RENEW_MONTHS[months]
    return {"RenewalStatus": "AutoRenewal", "Duration": duration, "PeriodUnit": renew_unit}


def _cpus(type_id: str) -> int:
    return int((instance_types.instance_type(type_id) or {}).get("CpuCoreCount") or 1)


@operation("PurchaseReservedInstancesOffering", TAGS, S("ResourceGroupId"), S("ZoneId"), S("ReservedInstanceName"),
           S("InstanceType", required=True), S("Scope", default="Region"), I("InstanceAmount", default=1, min=1,
                                                                               max=MOST_AMOUNT),
           S("OfferingType", default="All Upfront"), S("Description"), S("Platform", default="Linux"),
           I("Period", default=1), S("PeriodUnit", default="Year"), S("StartTime"), B("AutoRenew", default=False),
           I("AutoRenewPeriod"), idempotent=True, mapping=True)
def purchase_reserved_instances_offering(ctx: Context, a: dict) -> dict:
    """One reserved instance for InstanceAmount instances of a type, over the region or in one zone, for Period
    PeriodUnits (Year by default, as on the international site [GUESS]); Active from the hour it is bought (or from a
    StartTime ahead: Creating until then)."""
    itype = instance_types.instance_type(a["instance_type"])
    if itype is None:
        raise BAD_TYPE
    if a["scope"] not in SCOPES:
        raise BAD_SCOPE
    zone_id = ""
    if a["scope"] == "Zone":
        if not a["zone_id"]:
            raise ZONE_MISSING
        if a["zone_id"] not in regions.zone_ids(ctx.region):
            raise BAD_ZONE
        zone_id = a["zone_id"]
        if stock.sold_out(ctx, zone_id, itype["InstanceTypeId"]):
            raise NO_STOCK
    if a["offering_type"] not in OFFERING_TYPES:
        raise BAD_OFFERING
    platform = PLATFORMS.get(a["platform"].lower())
    if platform is None:
        raise BAD_PLATFORM
    check_name(a["reserved_instance_name"], BAD_NAME)
    check_description(a["description"], *_DESCRIPTION)
    if a["period_unit"] not in PERIODS:
        raise BAD_PERIOD_UNIT
    if a["period"] not in PERIODS[a["period_unit"]]:
        raise invalid_parameter("Period")
    starts = _hour(ctx.now)
    if a["start_time"]:
        if zone_id:
            raise START_SCOPE
        starts = max(resources.parse_iso(a["start_time"]) or ctx.now, starts)
    renewal = _renewal(a["auto_renew"], a["auto_renew_period"], a["period_unit"])
    tags = resources.tags_from_args(a["tag"])
    expires = ris.ends(starts, a["period"], a["period_unit"])
    ri_id = resources.new_id(KIND, ctx.region)
    ris.store(ctx, ris.with_expiry({
        "ReservedInstanceId": ri_id, "ReservedInstanceName": a["reserved_instance_name"] or "",
        "Description": a["description"] or "", "RegionId": ctx.region, "ZoneId": zone_id, "Scope": a["scope"],
        "InstanceType": itype["InstanceTypeId"], "InstanceAmount": a["instance_amount"],
        "Platform": platform, "OfferingType": a["offering_type"],
        "Status": "Active" if starts <= ctx.now else "Creating", "CreationTime": resources.iso_minute(ctx.now),
        "StartTime": resources.iso_minute(starts), "AllocationStatus": "",
        "ResourceGroupId": resource_groups.resolve(ctx, a["resource_group_id"]),
        "OperationLocks": {"OperationLock": []}, "Tags": {"Tag": [dict(t) for t in tags]},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_starts": starts, "_renewal": renewal,
    }, expires), placed=False)
    return {"ReservedInstanceIdSets": {"ReservedInstanceId": [ri_id]}}


@operation("DescribeReservedInstances", paging.PAGE_NUMBER, paging.PAGE_SIZE, TAGS, S("ZoneId"),
           S("ReservedInstanceName"), S("LockReason"), S("InstanceType"), S("InstanceTypeFamily"), S("Scope"),
           S("OfferingType"), S("AllocationType", default="Normal"), Repeat("ReservedInstanceId"), Repeat("Status"),
           region_missing=("MissingParamter.RegionId", "The regionId should not be null.", 400), mapping=True)
def describe_reserved_instances(ctx: Context, a: dict) -> dict:
    """Every status unless Status.N is sent [GUESS]; AllocationType Shared lists none (mockecs shares none)."""
    private_pools.settle_due(ctx)
    if a["lock_reason"] and a["lock_reason"] not in ("financial", "security"):
        raise BAD_LOCK
    statuses = a["status"] or []
    if any(s not in ris.STATUSES for s in statuses):
        raise BAD_STATUS
    if a["allocation_type"] not in ("Normal", "Shared"):
        raise BAD_ALLOCATION
    if a["offering_type"] and a["offering_type"] not in OFFERING_TYPES:
        raise DESCRIBE_OFFERING
    if a["allocation_type"] == "Shared" or a["lock_reason"]:  # (none is shared; none is locked)
        found: list[dict] = []
    elif paging.unfiltered({k: v for k, v in a.items() if k != "allocation_type"}):  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                         a["page_number"], a["page_size"], None, None)
        return {"TotalCount": meta["TotalCount"], "PageNumber": a["page_number"], "PageSize": a["page_size"],
                "ReservedInstances": {"ReservedInstance": [resources.wire(r) for r in page]}}
    else:
        status_term = ris.status_term(ctx.account, ctx.region, statuses[0]) if len(set(statuses)) == 1 else None
        found = [r for r in resources.mine_among(ctx, KIND, a["reserved_instance_id"], status_term, tags=a["tag"])
                 if resources.match_tags(r, a["tag"]) and (not statuses or r["Status"] in statuses)
                 and all(not a[arg] or r[field] == a[arg] for arg, field in (
                     ("zone_id", "ZoneId"), ("reserved_instance_name", "ReservedInstanceName"),
                     ("instance_type", "InstanceType"), ("scope", "Scope"), ("offering_type", "OfferingType")))
                 and (not a["instance_type_family"] or (instance_types.instance_type(r["InstanceType"]) or {})
                      .get("InstanceTypeFamily") == a["instance_type_family"])]
        found.sort(key=lambda r: (r["_created"], r["ReservedInstanceId"]))
    page = paging.by_number(found, a["page_number"], a["page_size"])
    return {"TotalCount": len(found), "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "ReservedInstances": {"ReservedInstance": [resources.wire(r) for r in page]}}


# -- ModifyReservedInstances ---------------------------------------------------------------------------------------
def _config(ctx: Context, config: Mapping[str, Any], family: str) -> dict:
    """One Configuration.N checked: its type (of ``family``), scope and zone, name and amount."""
    if not config.get("instance_type"):
        raise M_TYPE_MISSING
    itype = instance_types.instance_type(config["instance_type"])
    if itype is None:
        raise M_TYPE
    if itype["InstanceTypeFamily"] != family:
        raise M_FAMILY
    scope = config.get("scope") or "Region"
    if scope not in SCOPES:
        raise M_SCOPE
    zone_id = ""
    if scope == "Zone":
        if not config.get("zone_id"):
            raise M_ZONE_MISSING
        if config["zone_id"] not in regions.zone_ids(ctx.region):
            raise M_ZONE
        zone_id = config["zone_id"]
    check_name(config.get("reserved_instance_name"), M_NAME)
    amount = config.get("instance_amount") or 1
    if not 1 <= amount <= MOST_AMOUNT:
        raise M_AMOUNT
    return {"InstanceType": itype["InstanceTypeId"], "Scope": scope, "ZoneId": zone_id, "InstanceAmount": amount,
            "ReservedInstanceName": config.get("reserved_instance_name") or ""}


@operation("ModifyReservedInstances", Repeat("ReservedInstanceId", max_items=20),
           Structs("Configuration", [S("ReservedInstanceName"), S("ZoneId"), S("Scope"), S("InstanceType"),
                                     I("InstanceAmount")], max_items=100))
def modify_reserved_instances(ctx: Context, reserved_instance_id: Optional[list[str]],
                              configuration: Optional[list[dict]]) -> dict:
    """Split (one into several configurations), merge (several into one) or modify (one into one), all checked
    before anything changes."""
    ids, configs = list(dict.fromkeys(reserved_instance_id or ())), configuration or []
    if not ids:
        raise M_IDS_MISSING
    if not configs:
        raise M_CONFIG_MISSING
    if len(ids) > 1 and len(configs) > 1:
        raise M_MANY_TO_MANY
    private_pools.settle_due(ctx)
    sources = [resources.owned(ctx, KIND, i, M_NOT_FOUND) for i in ids]
    if any(r["Status"] != "Active" for r in sources):
        raise M_STATUS
    if len({r["Platform"] for r in sources}) > 1:
        raise M_PLATFORM
    if len({r["ZoneId"] for r in sources}) > 1:  # (zonal ones of one zone, or regional ones)
        raise M_SAME_ZONE
    families = {(instance_types.instance_type(r["InstanceType"]) or {}).get("InstanceTypeFamily") for r in sources}
    if len(families) > 1:
        raise M_FAMILY
    family = families.pop()
    targets = [_config(ctx, c, family) for c in configs]
    if sum(r["InstanceAmount"] * _cpus(r["InstanceType"]) for r in sources) != \
            sum(t["InstanceAmount"] * _cpus(t["InstanceType"]) for t in targets):
        raise M_AMOUNT
    if len(sources) == len(targets) == 1 and all(
            targets[0][k] == sources[0][k] for k in ("InstanceType", "Scope", "ZoneId", "InstanceAmount")):
        raise M_ONLY_NAME
    first, expires = sources[0], min(r["_expires"] for r in sources)
    made = []
    for target in targets:
        ri_id = resources.new_id(KIND, ctx.region)
        ris.store(ctx, ris.with_expiry({
            **first, **target, "ReservedInstanceId": ri_id, "Status": "Active", "Description": "",
            "CreationTime": resources.iso_minute(ctx.now), "StartTime": resources.iso_minute(_hour(ctx.now)),
            "Tags": {"Tag": []}, "_created": ctx.now + len(made) * 1e-6, "_starts": _hour(ctx.now)}, expires),
            placed=False)
        made.append(ri_id)
    for record in sources:
        ris.store(ctx, {**record, "Status": "Expired"})
    return {"ReservedInstanceIdSets": {"ReservedInstanceId": made}}


@operation("ModifyReservedInstanceAttribute", S("ReservedInstanceId", required=True), S("ReservedInstanceName"),
           S("Description"))
def modify_reserved_instance_attribute(ctx: Context, reserved_instance_id: str, reserved_instance_name: Optional[str],
                                       description: Optional[str]) -> dict:
    """A name or description sent (not empty) replaces the reserved instance's [GUESS: one left out keeps its
    value]; an unknown id answers ModifyReservedInstances' code [GUESS: none documented here]."""
    check_name(reserved_instance_name, A_NAME)
    check_description(description, *_DESCRIPTION)
    record = resources.owned(ctx, KIND, reserved_instance_id, M_NOT_FOUND)
    changes = {k: v for k, v in (("ReservedInstanceName", reserved_instance_name), ("Description", description))
               if v}
    if changes:
        resources.put(ctx.txn, KIND, {**record, **changes})
    return {"Code": "200", "Message": "Success", "HttpStatusCode": 200}


# -- renewal -------------------------------------------------------------------------------------------------------
def _ids(ids: Optional[list[str]], missing: type, too_many: type, most: int) -> list[str]:
    named = list(dict.fromkeys(ids or ()))
    if not named:
        raise missing
    if len(named) > most:
        raise too_many
    return named


@operation("DescribeReservedInstanceAutoRenewAttribute", Repeat("ReservedInstanceId"))
def describe_reserved_instance_auto_renew_attribute(ctx: Context, reserved_instance_id: Optional[list[str]]) -> dict:
    """The caller's reserved instances named (others are left out [GUESS]) and their renewal."""
    ids = _ids(reserved_instance_id, R_MISSING, R_TOO_MANY, MOST_IDS)
    private_pools.settle_due(ctx)
    rows = []
    for record in resources.get_many(ctx, KIND, ids):
        if resources.is_mine(ctx, record):
            kept = subscriptions.renewal(record)
            rows.append({"ReservedInstanceId": record["ReservedInstanceId"], "RenewalStatus": kept["RenewalStatus"],
                         "Duration": int(kept["Duration"]), "PeriodUnit": kept["PeriodUnit"]})
    return {"ReservedInstanceRenewAttributes": {"ReservedInstanceRenewAttribute": rows}}


@operation("ModifyReservedInstanceAutoRenewAttribute", Repeat("ReservedInstanceId"), I("Period"), S("PeriodUnit"),
           S("RenewalStatus"))
def modify_reserved_instance_auto_renew_attribute(ctx: Context, reserved_instance_id: Optional[list[str]],
                                                  period: Optional[int], period_unit: Optional[str],
                                                  renewal_status: Optional[str]) -> dict:
    """AutoRenewal by Period PeriodUnits (Month unless sent, documented china default), or Normal; every id must be
    the caller's (all found first) [GUESS: ModifyReservedInstances' not-found code]."""
    ids = _ids(reserved_instance_id, R_SET_MISSING, R_TOO_MANY, MOST_IDS)
    status = renewal_status or "Normal"
    if status not in ("AutoRenewal", "Normal"):
        raise R_BAD_STATUS
    unit = period_unit or "Month"
    if unit not in PERIODS:
        raise R_BAD_UNIT
    renewal = {"RenewalStatus": status, "Duration": 0, "PeriodUnit": unit}
    if status == "AutoRenewal":
        if (period or 1) not in PERIODS[unit]:
            raise R_BAD_PERIOD
        renewal["Duration"] = period or 1
    private_pools.settle_due(ctx)
    for record in [resources.owned(ctx, KIND, i, M_NOT_FOUND) for i in ids]:
        resources.put(ctx.txn, KIND, {**record, "_renewal": renewal})
    return {}


@operation("RenewReservedInstances", Repeat("ReservedInstanceId"), I("Period", default=1),
           S("PeriodUnit", default="Year"), B("AutoRenew", default=False), I("AutoRenewPeriod"), idempotent=True)
def renew_reserved_instances(ctx: Context, reserved_instance_id: Optional[list[str]], period: int, period_unit: str,
                             auto_renew: bool, auto_renew_period: Optional[int]) -> dict:
    """Each named reserved instance's term extended by Period PeriodUnits from its ExpiredTime (an expired one's from
    now, Active again [GUESS]), at most five years ahead; AutoRenew sets its renewal as at purchase."""
    ids = _ids(reserved_instance_id, N_MISSING, N_IDS, MOST_RENEW)
    if period_unit not in PERIODS:
        raise N_UNIT
    if period not in PERIODS[period_unit]:
        raise N_PERIOD
    renewal = _renewal(True, auto_renew_period, period_unit) if auto_renew else None
    private_pools.settle_due(ctx)
    records = [resources.owned(ctx, KIND, i, N_IDS) for i in ids]
    latest = resources.parse_iso(subscriptions.subscription_end(ctx.now, LONGEST_MONTHS, "Month")) or ctx.now
    renewed = []
    for record in records:
        start = record["_expires"] if record["Status"] != "Expired" else ctx.now
        expires = ris.ends(start, period, period_unit)
        if expires > latest:
            raise N_TOO_LONG
        status = "Active" if record["Status"] == "Expired" else record["Status"]
        renewed.append({**ris.with_expiry(record, expires), "Status": status,
                        **({"_renewal": renewal} if renewal else {})})
    for record in renewed:
        ris.store(ctx, record)
    return {"ReservedInstanceIdSets": {"ReservedInstanceId": ids}, "OrderId": subscriptions.new_order_id()}


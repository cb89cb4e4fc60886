"""Capacity reservations and elasticity assurances (private pools): CreateCapacityReservation,
DescribeCapacityReservations, DescribeCapacityReservationInstances, ModifyCapacityReservation,
ReleaseCapacityReservation; CreateElasticityAssurance, DescribeElasticityAssurances,
DescribeElasticityAssuranceInstances, ModifyElasticityAssurance, and the auto-renewal pair Terraform's
``alicloud_ecs_elasticity_assurance`` reads and sets (DescribeElasticityAssuranceAutoRenewAttribute,
ModifyElasticityAssuranceAutoRenewAttribute: in the SDK, not in the metadata), and RenewElasticityAssurances (SDK
only too).

What a pool holds, how launches match it and what the mock clock does to it: :mod:`mockecs.world.private_pools`.
Both kinds are tagged (``capacityreservation``, ``elasticityassurance``) and join resource groups as other kinds do.
"""
from __future__ import annotations

import math
import re
from typing import Any, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter, missing_parameter
from mockecs.wire.params import TAGS, B, I, JsonList, Repeat, S, Struct
from mockecs.world import instance_types, paging, regions, resource_groups, resources, stock, subscriptions
from mockecs.world import private_pools as pools
from mockecs.world.deployment_sets import valid_name
from mockecs.world.private_pools import ACTIVE, CR, EA, PREPARED, RELEASED
from mockecs.world.validation import check_description

_NAME = re.compile(r"^[^\W\d_][\w:\-]{1,127}$")  # documented: 2-128, a letter first, letters digits : _ -
MOST_AMOUNT = 1000  # InstanceAmount: 1-1000 (documented for elasticity assurances and ModifyCapacityReservation)
LATEST_START_DAYS = 180  # documented: a StartTime within 180 days
STATUSES = ("All", "Pending", "Preparing", "Prepared", ACTIVE, RELEASED)
EA_PERIODS = {"Month": range(1, 10), "Year": range(1, 6)}  # documented
EA_RENEW_PERIODS = {"Month": (1, 2, 3, 6), "Year": (1, 2, 3, 4, 5)}  # [GUESS: the documentation gives none]
MOST_IDS = 100

# Create (both kinds document these)
BAD_NAME = error_kind("Invalid.PrivatePoolOptionsName.MalFormed", "The specified PrivatePoolOptions.Name is not valid.")
BAD_ZONE = error_kind("Invalid.ZoneId", "The specified ZoneId is not valid.")
TOO_MANY_ZONES = error_kind("Invalid.TooManyZoneIds", "Too many ZoneIds in the request.")
BAD_TYPE = error_kind("Invalid.InstanceType", "The specified InstanceType is not valid.")
TOO_MANY_TYPES = error_kind("Invalid.TooManyInstanceTypes", "Too many InstanceTypes in the request.")
NOT_SOLD = error_kind("OperationDenied", "The specified InstanceType or Zone is not available or not authorized.")
# (both kinds' documented code for a type sold out in the zone: mockecs.world.stock)
NO_STOCK = error_kind("OperationDenied.NoStock", "The resource is out of stock in the specified zone. Please try other "
                                                 "types, or choose other regions and zones.", 403)
START_MALFORMED = error_kind("InvalidStartTime.MalFormed", "The specified StartTime is out of the permitted range.")
START_NOT_SUPPORTED = error_kind("InvalidStartTime.NotSupported", "The specified StartTime should be within 180 "
                                 "calendar days from the current date, and you must specify a precision to hour.")
BAD_END = error_kind("Invalid.EndTime", 'The specified parameter "EndTime" is not valid.')
BAD_PERIOD_UNIT = error_kind("Invalid.PeriodUnit", "Only Month or Year is supported for PeriodUnit.")
BAD_TIMES = error_kind("Invalid.AssuranceTimes.NotSupported", "The value of AssuranceTimes is not supported.")
BOTH_AMOUNTS = error_kind("Invalid.InstanceCpuCoreCountOrInstanceAmount",
                          "Both InstanceCpuCoreCount and InstanceAmount are provided.")
NO_AMOUNT = error_kind("MissingParameter.InstanceCpuCoreCountOrInstanceAmount", 'The specified parameter '
                       '"InstanceCpuCoreCount" and "InstanceAmount" must not be empty at the same time.')
_MISSING_AMOUNT = ("MissingParameter.InstanceAmount", 'The specified parameter "InstanceAmount" can not be empty.',
                   400)
_MISSING_REGION = ("MissingParameter.RegionId", "The specified RegionId should not be null.", 400)
# Describe* and Release
BAD_IDS = error_kind("InvalidParameter.PrivatePoolOptions.Ids", "The specified PrivatePoolOptions.Ids is invalid.")
TOO_MANY_IDS = error_kind("Invalid.TooManyPrivatePoolOptions.Ids", "Too many PrivatePoolOptions.Ids in this request.")
ID_MISSING = error_kind("MissingParameter.PrivatePoolOptions.Id",
                        "The specified PrivatePoolOptions.Id should not be null.")
# (what Terraform's alicloud_ecs_capacity_reservation takes as "already gone" on a destroy)
RELEASE_NOT_FOUND = error_kind("Invalid.PrivatePoolOptions.Ids",
                               'The specified parameter "PrivatePoolOptions.Ids" exist invalid element Id.')
RELEASE_LIMITED = error_kind("Invalid.Action.ReleaseCapacityReservation", "Release action is not supported when using "
                             "Limited endTimeType, please change it to Unlimited first.")
# Modify* (both document the same codes)
MODIFY_NOT_FOUND = error_kind("InvalidPrivatePoolId.NotFound", "The specified private pool does not exist.", 404)
MODIFY_STATUS = error_kind("IncorrectPrivatePoolStatus",
                           "The current status of the private pool does not support this operation.", 403)
MODIFY_NAME = error_kind("InvalidPrivatePoolOptionsName.ValueNotSupported",
                         "The specified PrivatePoolOptions.Name is invalid.", 403)
MODIFY_DESCRIPTION = ("InvalidDescription.ValueNotSupported", "The specified Description is invalid.")
MODIFY_AMOUNT = error_kind("InvalidInstanceAmount.ValueNotSupported", "The specified InstanceAmount is invalid.", 403)
MODIFY_END = error_kind("InvalidEndTime.ValueNotSupported", "The specified EndTime is invalid.")
MODIFY_START = error_kind("InvalidStartTime.ValueNotSupported", "The specified StartTime is invalid.")
MODIFY_PLATFORM = error_kind("InvalidPlatform.ValueNotSupported", "The specified Platform is invalid.", 403)
PLATFORM_IN_USE = error_kind("OperationDenied.PlatformNotSupported",
                             "The specified private pool does not support this operation.", 403)
BAD_RENEWAL = error_kind("InvalidParameter.RenewalStatus", "The specified parameter RenewalStatus is not valid.",
                         403)  # [GUESS: ModifyReservedInstanceAutoRenewAttribute's code]
BAD_RENEW_PERIOD = error_kind("InvalidParameter.Period", "The specified parameter Period is not valid.", 403)


# -- shared pieces -------------------------------------------------------------------------------------------------
def check_name(name: Optional[str], bad: type[EcsError]) -> None:
    """A pool's or a reserved instance's name (documented alike): 2-128, a letter first, letters digits : _ -."""
    if name and not valid_name(name, _NAME):
        raise bad


def _moment(text: str, malformed: type[EcsError]) -> float:
    moment = resources.parse_iso(text) if "T" in text else None
    if moment is None:
        raise malformed
    return moment


def _start(ctx: Context, text: Optional[str]) -> float:
    """When a pool starts: now (no StartTime, or one passed [GUESS]), or a StartTime within 180 days."""
    if not text:
        return ctx.now
    moment = _moment(text, START_MALFORMED)
    if moment > ctx.now + LATEST_START_DAYS * 86400:
        raise START_NOT_SUPPORTED
    return max(moment, ctx.now)


def _zone_and_type(ctx: Context, zone_ids: Optional[list[str]], instance_types_asked: list[str]) -> tuple[str, str]:
    """The one zone and the one type a pool holds (documented: one of each), the zone selling the type."""
    if not zone_ids:
        raise missing_parameter("ZoneId")
    if len(zone_ids) > 1:
        raise TOO_MANY_ZONES
    if len(instance_types_asked) > 1:
        raise TOO_MANY_TYPES
    zone_id, type_id = zone_ids[0], instance_types_asked[0]
    if zone_id not in regions.zone_ids(ctx.region):
        raise BAD_ZONE
    itype = instance_types.instance_type(type_id)
    if itype is None:
        raise BAD_TYPE
    if not instance_types.sells(itype, zone_id):
        raise NOT_SOLD
    if stock.sold_out(ctx, zone_id, type_id):  # (a reservation takes from the zone's stock)
        raise NO_STOCK
    return zone_id, type_id


def _new_pool(ctx: Context, kind: str, options: Mapping[str, Any], description: Optional[str],
              resource_group_id: Optional[str], tag: Optional[list[dict]], zone_id: str, type_id: str, amount: int,
              starts: float, fields: Mapping[str, Any]) -> dict:
    """A new pool of ``kind`` stored (scheduled on the mock clock), with the fields both kinds answer."""
    tags = resources.tags_from_args(tag)
    pool_id = resources.new_id(kind, ctx.region)
    record = {
        "PrivatePoolOptionsId": pool_id, "PrivatePoolOptionsName": options.get("name") or "",
        "Description": description or "", "RegionId": ctx.region, "Status": ACTIVE if starts <= ctx.now else PREPARED,
        "StartTime": resources.iso_minute(starts), "StartTimeType": "Now" if starts <= ctx.now else "Later",
        "PrivatePoolOptionsMatchCriteria": options.get("match_criteria") or "Open",
        "ResourceGroupId": resource_groups.resolve(ctx, resource_group_id), **fields,
        "Tags": {"Tag": [dict(t) for t in tags]},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_type": type_id, "_zone": zone_id,
        "_amount": amount, "_starts": starts,
    }
    resources.put(ctx.txn, kind, record)
    pools.schedule_pool(ctx, kind, record, placed=False)
    return record


def _ids(text: Optional[str]) -> Optional[list[str]]:
    if not text:
        return None
    try:
        ids = JsonList("PrivatePoolOptions.Ids").decode_scalar(text)
    except EcsError:
        raise BAD_IDS from None
    if len(ids) > MOST_IDS:
        raise TOO_MANY_IDS
    return ids


def _token_page(items: list, max_results: int, next_token: Optional[str], total: Optional[int] = None) -> \
        tuple[int, dict]:
    """Where a NextToken page starts, and the answer's paging fields."""
    count = len(items) if total is None else total
    start = paging.offset(next_token, count)
    return start, {"TotalCount": count, "MaxResults": max_results,
                   "NextToken": paging.token(start + max_results) if start + max_results < count else ""}


def _describe(ctx: Context, kind: str, args: Mapping[str, Any], usages: str) -> tuple[list[dict], dict]:
    """The caller's pools of ``kind`` here, filtered (Status Active unless asked; All: every status), a page of
    them in creation order, each as answered."""
    pools.settle_due(ctx)
    status = args["status"] or ACTIVE
    if status not in STATUSES:
        raise invalid_parameter("Status")
    platform = (args.get("platform") or "all").lower()
    status_term = pools.status_term(ctx.account, ctx.region, kind, status) if status != "All" else None
    if not any(args[name] for name in _FILTERS) and platform == "all" and not args["private_pool_options"]["ids"]:
        # a page of the status's (or every) pool from the ordered index: only the page's records are read
        term = status_term or resources.owner_region(ctx.account, ctx.region)
        start, meta = _token_page([], args["max_results"], args["next_token"], ctx.txn.count(kind, term))
        page = resources.get_many(ctx, kind, [i for _, i in ctx.txn.page(kind, term, start, args["max_results"])])
        return [_view(ctx, r, usages) for r in page if r is not None], meta
    group = resource_groups.term(args["resource_group_id"]) if args["resource_group_id"] else None
    found = [r for r in resources.mine_among(ctx, kind, _ids(args["private_pool_options"]["ids"]), status_term, group,
                                             tags=args["tag"])
             if (status == "All" or r["Status"] == status) and resources.match_tags(r, args["tag"])
             and (not args["instance_type"] or r["_type"] == args["instance_type"])
             and (not args["zone_id"] or r["_zone"] == args["zone_id"])
             and (not args["instance_charge_type"] or r["InstanceChargeType"] == args["instance_charge_type"])
             and (platform == "all" or r.get("Platform", platform) == platform)
             and (not args["resource_group_id"] or r["ResourceGroupId"] == args["resource_group_id"])]
    found.sort(key=lambda r: (r["_created"], r["PrivatePoolOptionsId"]))
    start, meta = _token_page(found, args["max_results"], args["next_token"])
    return [_view(ctx, r, usages) for r in found[start:start + args["max_results"]]], meta


_FILTERS = ("instance_type", "zone_id", "instance_charge_type", "tag", "resource_group_id")


def _view(ctx: Context, record: Mapping[str, Any], usages: str) -> dict:
    return {**resources.wire(record), "AllocatedResources": pools.allocated(ctx, record, usages)}


def _instances(ctx: Context, kind: str, pool_id: Optional[str], max_results: int, next_token: Optional[str]) -> \
        tuple[list[dict], dict]:
    """A page of the instances in the caller's pool (its index term, in launch order)."""
    if not pool_id:
        raise ID_MISSING
    pools.settle_due(ctx)
    if pools.find(ctx, pool_id, kind) is None:
        raise pools.POOL_NOT_FOUND
    term = (pools.TERM, pool_id)
    start, meta = _token_page([], max_results, next_token, ctx.txn.count("instance", term))
    return [{"InstanceId": i} for _, i in ctx.txn.page("instance", term, start, max_results)], meta


def _modifiable(ctx: Context, kind: str, pool_id: Optional[str]) -> dict:
    if not pool_id:
        raise ID_MISSING
    pools.settle_due(ctx)
    record = pools.find(ctx, pool_id, kind)
    if record is None:
        raise MODIFY_NOT_FOUND
    if record["Status"] not in (ACTIVE, PREPARED):
        raise MODIFY_STATUS
    return record


def _modified_amount(ctx: Context, record: Mapping[str, Any], amount: Optional[int]) -> dict:
    """InstanceAmount: from the pool's used amount to 1,000 (documented)."""
    if amount is None:
        return {}
    if not max(pools.used(ctx, record), 1) <= amount <= MOST_AMOUNT:
        raise MODIFY_AMOUNT
    return {"_amount": amount}


def _modified_names(name: Optional[str], description: Optional[str]) -> dict:
    """A name or description sent (not empty) replaces the pool's [GUESS: one left out keeps its value]."""
    check_name(name, MODIFY_NAME)
    check_description(description, *MODIFY_DESCRIPTION)
    return {k: v for k, v in (("PrivatePoolOptionsName", name), ("Description", description)) if v}


def _store(ctx: Context, kind: str, record: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    if changes:
        new = resources.put(ctx.txn, kind, {**record, **changes})
        pools.schedule_pool(ctx, kind, new)


_POOL_FILTERS = (Struct("PrivatePoolOptions", [S("Ids")]), S("InstanceType"), S("ZoneId"), S("Platform"),
                 S("InstanceChargeType"), S("Status"), TAGS, S("ResourceGroupId"),
                 I("MaxResults", default=10, min=1, max=100), S("NextToken"))
_INSTANCE_PAGE = (I("MaxResults", default=10, min=1, max=100), S("NextToken"),
                  Struct("PrivatePoolOptions", [S("Id")]))


# -- capacity reservations -----------------------------------------------------------------------------------------
@operation("CreateCapacityReservation", S("ResourceGroupId"), TAGS,
           Struct("PrivatePoolOptions", [S("Name"), S("MatchCriteria", choices=("Open", "Target"))]),
           S("Description"), I("InstanceAmount", required=True, missing=_MISSING_AMOUNT, min=1, max=MOST_AMOUNT),
           S("InstanceType", required=True), S("StartTime"), S("EndTime"),
           S("EndTimeType", choices=("Limited", "Unlimited")), S("Platform"),
           S("InstanceChargeType", default="PostPaid", choices=("PostPaid", "PrePaid")), Repeat("ZoneId"),
           idempotent=True, region_missing=_MISSING_REGION, mapping=True)
def create_capacity_reservation(ctx: Context, a: dict) -> dict:
    """Active at once (or Prepared until a StartTime ahead); Unlimited unless an EndTime is sent [GUESS: the
    documented EndTimeType has no default]; Limited ends at its EndTime (released then)."""
    options = a["private_pool_options"]
    check_name(options.get("name"), BAD_NAME)
    check_description(a["description"])
    platform = (a["platform"] or "linux").lower()
    if platform not in pools.PLATFORMS:
        raise pools.PLATFORM_MISMATCH
    zone_id, type_id = _zone_and_type(ctx, a["zone_id"], [a["instance_type"]])
    starts = _start(ctx, a["start_time"])
    end_type = a["end_time_type"] or ("Limited" if a["end_time"] else "Unlimited")
    ends = None
    if end_type == "Limited":
        ends = _moment(a["end_time"] or "", BAD_END)
        if ends <= starts:
            raise BAD_END
    record = _new_pool(ctx, CR, options, a["description"], a["resource_group_id"], a["tag"], zone_id, type_id,
                       a["instance_amount"], starts, {
                           "EndTime": resources.iso_minute(ends) if ends else "", "EndTimeType": end_type,
                           "InstanceChargeType": a["instance_charge_type"], "Platform": platform, "TimeSlot": "",
                           "ReservedInstanceId": "", "SavingPlanId": "", "CapacityReservationOwnerId": ctx.account,
                           "_ends": ends})
    return {"PrivatePoolOptionsId": record["PrivatePoolOptionsId"]}


@operation("DescribeCapacityReservations", *_POOL_FILTERS, region_missing=_MISSING_REGION, mapping=True)
def describe_capacity_reservations(ctx: Context, a: dict) -> dict:
    page, meta = _describe(ctx, CR, a, "CapacityReservationUsage")
    return {**meta, "CapacityReservationSet": {"CapacityReservationItem": page}}


@operation("DescribeCapacityReservationInstances", *_INSTANCE_PAGE, region_missing=_MISSING_REGION)
def describe_capacity_reservation_instances(ctx: Context, max_results: int, next_token: Optional[str],
                                            private_pool_options: dict) -> dict:
    page, meta = _instances(ctx, CR, private_pool_options["id"], max_results, next_token)
    return {**meta, "CapacityReservationItem": {"InstanceIdSet": page}}


@operation("ModifyCapacityReservation", Struct("PrivatePoolOptions", [S("Id"), S("Name")]), S("Description"),
           S("StartTime"), S("EndTime"), S("EndTimeType"), S("Platform"), I("InstanceAmount"), mapping=True)
def modify_capacity_reservation(ctx: Context, a: dict) -> dict:
    """What is sent changes (EndTimeType Limited with an EndTime ahead, Unlimited; InstanceAmount down to the used
    amount; the platform of a pool nobody uses); StartTime only as "Now" (documented: immediate only)."""
    options = a["private_pool_options"]
    record = _modifiable(ctx, CR, options["id"])
    changes = _modified_names(options["name"], a["description"])
    if a["start_time"] not in (None, "", "Now"):
        raise MODIFY_START
    if a["platform"]:
        if a["platform"].lower() not in pools.PLATFORMS:
            raise MODIFY_PLATFORM
        if a["platform"].lower() != record["Platform"] and pools.used(ctx, record):
            raise PLATFORM_IN_USE
        changes["Platform"] = a["platform"].lower()
    end_type = a["end_time_type"] or ("Limited" if a["end_time"] else None)
    if end_type not in (None, "Limited", "Unlimited"):
        raise MODIFY_END
    if end_type == "Unlimited":
        changes.update(EndTimeType="Unlimited", EndTime="", _ends=None)
    elif end_type == "Limited":
        ends = _moment(a["end_time"] or record["EndTime"] or "", MODIFY_END)
        if ends <= ctx.now:
            raise MODIFY_END
        changes.update(EndTimeType="Limited", EndTime=resources.iso_minute(ends), _ends=ends)
    changes.update(_modified_amount(ctx, record, a["instance_amount"]))
    _store(ctx, CR, record, changes)
    return {}


@operation("ReleaseCapacityReservation", Struct("PrivatePoolOptions", [S("Id")]), dry_run=True,
           region_missing=_MISSING_REGION)
def release_capacity_reservation(ctx: Context, private_pool_options: dict) -> dict:
    """Released at once (its instances keep running, outside it); a Limited one ends at its EndTime (documented)."""
    pool_id = private_pool_options["id"]
    if not pool_id:
        raise ID_MISSING
    pools.settle_due(ctx)
    record = pools.find(ctx, pool_id, CR)
    if record is None or record["Status"] == RELEASED:
        raise RELEASE_NOT_FOUND
    if record["EndTimeType"] == "Limited":
        raise RELEASE_LIMITED
    pools.release(ctx, CR, record)
    return {}


# -- elasticity assurances -----------------------------------------------------------------------------------------
def _renewal(unit: str, renew: bool, period: Optional[int]) -> dict:
    if not renew:
        return {}
    duration = period or 1
    if duration not in EA_RENEW_PERIODS[unit]:
        raise BAD_RENEW_PERIOD
    return {"_renewal": {"RenewalStatus": "AutoRenewal", "Duration": duration, "PeriodUnit": unit}}


@operation("CreateElasticityAssurance", S("ResourceGroupId"), TAGS,
           Struct("PrivatePoolOptions", [S("Name"), S("MatchCriteria", choices=("Open", "Target"))]),
           S("Description"), S("AssuranceTimes"), I("InstanceAmount", min=1, max=MOST_AMOUNT),
           I("InstanceCpuCoreCount", min=1), S("StartTime"), Repeat("ZoneId"), Repeat("InstanceType"),
           I("Period", default=1), S("PeriodUnit", default="Year"), B("AutoRenew", default=False),
           I("AutoRenewPeriod"), idempotent=True, region_missing=_MISSING_REGION, mapping=True)
def create_elasticity_assurance(ctx: Context, a: dict) -> dict:
    """For Period PeriodUnits from its start (ending at midnight China time, as subscriptions do [GUESS]), Unlimited
    assurance times (the one documented value), pay-as-you-go; released at its end unless AutoRenew renews it by
    AutoRenewPeriod PeriodUnits. InstanceCpuCoreCount (deprecated) reserves as many instances as its vCPUs fill."""
    options = a["private_pool_options"]
    check_name(options.get("name"), BAD_NAME)
    check_description(a["description"])
    if (a["assurance_times"] or "Unlimited") != "Unlimited":
        raise BAD_TIMES
    unit = a["period_unit"]
    if unit not in EA_PERIODS:
        raise BAD_PERIOD_UNIT
    if a["period"] not in EA_PERIODS[unit]:
        raise invalid_parameter("Period")
    if not a["instance_type"]:
        raise missing_parameter("InstanceType")
    zone_id, type_id = _zone_and_type(ctx, a["zone_id"], a["instance_type"])
    if a["instance_amount"] and a["instance_cpu_core_count"]:
        raise BOTH_AMOUNTS
    if not (a["instance_amount"] or a["instance_cpu_core_count"]):
        raise NO_AMOUNT
    cpus = int((instance_types.instance_type(type_id) or {}).get("CpuCoreCount") or 1)
    amount = a["instance_amount"] or math.ceil(a["instance_cpu_core_count"] / cpus)
    starts = _start(ctx, a["start_time"])
    ends = resources.parse_iso(subscriptions.subscription_end(starts, a["period"], unit))
    record = _new_pool(ctx, EA, options, a["description"], a["resource_group_id"], a["tag"], zone_id, type_id,
                       amount, starts, {
                           "EndTime": resources.iso_minute(ends or starts), "InstanceChargeType": "PostPaid",
                           "TotalAssuranceTimes": "Unlimited", "UsedAssuranceTimes": 0, "LatestStartTime": "",
                           "ElasticityAssuranceOwnerId": ctx.account, "_ends": ends,
                           **_renewal(unit, a["auto_renew"], a["auto_renew_period"])})
    return {"PrivatePoolOptionsId": record["PrivatePoolOptionsId"], "OrderId": subscriptions.new_order_id()}


@operation("DescribeElasticityAssurances", *_POOL_FILTERS, region_missing=_MISSING_REGION, mapping=True)
def describe_elasticity_assurances(ctx: Context, a: dict) -> dict:
    """(Platform is deprecated: an elasticity assurance has none, and every platform matches it.)"""
    page, meta = _describe(ctx, EA, {**a, "platform": None}, "ElasticityAssuranceUsage")
    return {**meta, "ElasticityAssuranceSet": {"ElasticityAssuranceItem": page}}


@operation("DescribeElasticityAssuranceInstances", *_INSTANCE_PAGE, region_missing=_MISSING_REGION)
def describe_elasticity_assurance_instances(ctx: Context, max_results: int, next_token: Optional[str],
                                            private_pool_options: dict) -> dict:
    page, meta = _instances(ctx, EA, private_pool_options["id"], max_results, next_token)
    return {**meta, "ElasticityAssuranceItem": {"InstanceIdSet": page}}


@operation("ModifyElasticityAssurance", Struct("PrivatePoolOptions", [S("Id"), S("Name")]), S("Description"),
           I("InstanceAmount"), idempotent=True)
def modify_elasticity_assurance(ctx: Context, private_pool_options: dict, description: Optional[str],
                                instance_amount: Optional[int]) -> dict:
    record = _modifiable(ctx, EA, private_pool_options["id"])
    changes = {**_modified_names(private_pool_options["name"], description),
               **_modified_amount(ctx, record, instance_amount)}
    _store(ctx, EA, record, changes)
    return {}


def _renew_attribute(record: Mapping[str, Any]) -> dict:
    kept = subscriptions.renewal(record)
    return {"PrivatePoolOptionsId": record["PrivatePoolOptionsId"], "RenewalStatus": kept["RenewalStatus"],
            "Period": int(kept["Duration"]), "PeriodUnit": kept["PeriodUnit"]}


@operation("DescribeElasticityAssuranceAutoRenewAttribute", Struct("PrivatePoolOptions", [Repeat("Id")]))
def describe_elasticity_assurance_auto_renew_attribute(ctx: Context, private_pool_options: dict) -> dict:
    """The caller's assurances named (others are left out [GUESS]), each with its renewal (Normal unless set)."""
    pools.settle_due(ctx)
    found = [pools.find(ctx, i, EA) for i in dict.fromkeys(private_pool_options["id"] or ())]
    return {"ElasticityAssuranceRenewAttributes": {"ElasticityAssuranceRenewAttribute": [
        _renew_attribute(r) for r in found if r is not None]}}


@operation("ModifyElasticityAssuranceAutoRenewAttribute", Struct("PrivatePoolOptions", [Repeat("Id")]),
           S("RenewalStatus"), I("Period"), S("PeriodUnit"))
def modify_elasticity_assurance_auto_renew_attribute(ctx: Context, private_pool_options: dict,
                                                      renewal_status: Optional[str], period: Optional[int],
                                                      period_unit: Optional[str]) -> dict:
    """AutoRenewal (by Period PeriodUnits: Month unless sent), Normal or NotRenewal, for every assurance named (all
    found first) [GUESS: the codes of ModifyReservedInstanceAutoRenewAttribute]."""
    ids = list(dict.fromkeys(private_pool_options["id"] or ()))
    if not ids:
        raise ID_MISSING
    if renewal_status not in subscriptions.RENEWAL_STATUSES:
        raise BAD_RENEWAL
    unit = period_unit or "Month"
    if unit not in EA_RENEW_PERIODS:
        raise BAD_PERIOD_UNIT
    renewal = {"RenewalStatus": renewal_status, "Duration": 0, "PeriodUnit": unit}
    if renewal_status == "AutoRenewal":
        renewal = _renewal(unit, True, period)["_renewal"]
    pools.settle_due(ctx)
    found = [pools.find(ctx, i, EA) for i in ids]
    if any(r is None for r in found):
        raise MODIFY_NOT_FOUND
    for record in found:
        resources.put(ctx.txn, EA, {**record, "_renewal": renewal})
    return {}


@operation("RenewElasticityAssurances", Struct("PrivatePoolOptions", [Repeat("Id")]), I("Period", default=1),
           S("PeriodUnit", default="Year"), B("AutoRenew", default=False), I("AutoRenewPeriod"), B("AutoPay"),
           idempotent=True)
def renew_elasticity_assurances(ctx: Context, private_pool_options: dict, period: int, period_unit: str,
                                auto_renew: bool, auto_renew_period: Optional[int], auto_pay: Optional[bool]) -> dict:
    """(In the SDK, not in the metadata.) Each assurance named (all the caller's, Active or Prepared) runs Period
    PeriodUnits longer from its EndTime; AutoRenew sets its renewal as at creation [GUESS: CreateElasticityAssurance's
    rules and codes]."""
    ids = list(dict.fromkeys(private_pool_options["id"] or ()))
    if not ids:
        raise ID_MISSING
    if period_unit not in EA_PERIODS:
        raise BAD_PERIOD_UNIT
    if period not in EA_PERIODS[period_unit]:
        raise invalid_parameter("Period")
    renewal = _renewal(period_unit, auto_renew, auto_renew_period)
    records = [_modifiable(ctx, EA, i) for i in ids]
    for record in records:
        ends = resources.parse_iso(subscriptions.subscription_end(record["_ends"], period, period_unit))
        _store(ctx, EA, record, {"EndTime": resources.iso_minute(ends or record["_ends"]), "_ends": ends, **renewal})
    return {"PrivatePoolOptionsIdSet": {"PrivatePoolOptionsId": ids}, "OrderId": subscriptions.new_order_id()}

"""Storage capacity units (SCUs, kind ``storage_capacity_unit``, ids ``scu-``): PurchaseStorageCapacityUnit,
DescribeStorageCapacityUnits, ModifyStorageCapacityUnitAttribute; Terraform's ``alicloud_ecs_storage_capacity_unit``
and the ``alicloud_ecs_storage_capacity_units`` data source.

An SCU is a prepaid capacity that offsets the region's pay-as-you-go disk bills; mockecs bills nothing, so it only
keeps them. Its Status follows the mock clock, read when answered: ``Pending`` before its StartTime, ``Active``
until its ExpiredTime (the end of its Period, at midnight China time as subscriptions end), then ``Expired`` [GUESS:
``Creating`` is never seen: a purchase is done when it answers]. Tags and ResourceGroupId are kept as other kinds'
(the tag operations document no SCU type: they do not tag SCUs [GUESS]); DescribeStorageCapacityUnits answers no
ResourceGroupId (the SDK's model has none).
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from mockecs.ops.instances import tag_filter
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS, I, Repeat, S
from mockecs.world import paging, resource_groups, resources, subscriptions
from mockecs.world.validation import valid_description

KIND = "storage_capacity_unit"  # (its id prefix, id field, terms and order are in world.resources)

# GiB (DescribeStorageCapacityUnits' list and Terraform's; PurchaseStorageCapacityUnit's page misspells two)
CAPACITIES = (20, 40, 100, 200, 500, 1024, 2048, 5120, 10240, 20480, 51200)
PERIODS = {"Month": (1, 2, 3, 6), "Year": (1, 3, 5)}
STATUSES = ("Creating", "Active", "Expired", "Pending")
START_WITHIN = 180 * 86400  # (documented: at most 180 days from now, to the hour)
_START = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_NAME = re.compile(r"^[^\W\d_][\w:\-]{1,127}$")  # 2-128, a letter first; digits, ":", "_", "-" (documented)

BAD_NAME = error_kind("InvalidParameter.Name", "The specified Name is invalid.", 400)
BAD_CAPACITY = error_kind("InvalidParameter.Capacity", "The specified Capacity is invalid.", 400)
BAD_PERIOD = error_kind("InvalidParameter.Period", "The specified Period is not valid.", 400)
BAD_PERIOD_UNIT = error_kind("InvalidParameter.PeriodUnit", "The specified PeriodUnit is not supported.", 400)
START_MALFORMED = error_kind("InvalidStartTime.MalFormed", "The specified StartTime is out of the permitted range.",
                            400)
START_NOT_SUPPORTED = error_kind("InvalidStartTime.NotSupported", "The specified StartTime should be within 180 "
                                 "calendar days from the current date, and you must specify a precision to hour.",
                                 400)
CAPACITY_EXCEED = error_kind("InvalidParameter.CapacityExceed",
                             "The specified Capacity exceeds the limitation of quota.", 400)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specified Description is wrongly formed.", 400)
BAD_ALLOCATION = error_kind("InvalidAllocationType.ValueNotSupported", "The specified AllocationType is not supported.",
                            400)
# ModifyStorageCapacityUnitAttribute documents no not-found code: its MissingParameter code for the id [GUESS]
NOT_FOUND = error_kind("MissingParameter.StorageCapacityUnitId", "The specified StorageCapacityUnitId is not "
                       "supported.", 400)
REGION_MISSING = ("MissingParameter.RegionId", "The specified RegionId should not be null.", 400)
CAPACITY_MISSING = ("MissingParameter.Capacity", "The specified Capacity should be not null.", 400)


def _valid_name(name: Optional[str]) -> bool:
    return not name or bool(_NAME.match(name) and not name.lower().startswith(("http://", "https://")))


def _start(ctx: Context, start_time: Optional[str]) -> float:
    """When the units start: now, or StartTime (``yyyy-MM-ddTHH:mm:ssZ``, on the hour, within 180 days)."""
    if not start_time:
        return ctx.now
    moment = resources.parse_iso(start_time) if _START.match(start_time) else None
    if moment is None:
        raise START_MALFORMED
    if moment % 3600 or not ctx.now - 3600 < moment <= ctx.now + START_WITHIN:
        raise START_NOT_SUPPORTED
    return moment


@operation("PurchaseStorageCapacityUnit", S("Name"), I("Capacity", required=True, missing=CAPACITY_MISSING),
           S("Description"), S("StartTime"), I("Period", default=1), S("PeriodUnit", default="Month"), S("FromApp"),
           I("Amount", default=1, min=1, max=20), S("ResourceGroupId"), TAGS, idempotent=True,
           region_missing=REGION_MISSING)
def purchase_storage_capacity_unit(ctx: Context, name: Optional[str], capacity: int, description: Optional[str],
                                   start_time: Optional[str], period: int, period_unit: str, from_app: Optional[str],
                                   amount: int, resource_group_id: Optional[str], tag: Optional[list[dict]]) -> dict:
    """``Amount`` units alike, in one order. The total capacity of a region's units is at most option
    ``storage_capacity_unit_quota`` GiB (InvalidParameter.CapacityExceed beyond; unset: no limit [GUESS])."""
    if not _valid_name(name):
        raise BAD_NAME
    if description and not valid_description(description):
        raise BAD_DESCRIPTION
    if capacity not in CAPACITIES:
        raise BAD_CAPACITY
    if period_unit not in PERIODS:
        raise BAD_PERIOD_UNIT
    if period not in PERIODS[period_unit]:
        raise BAD_PERIOD
    starts = _start(ctx, start_time)
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    quota = ctx.config.options["storage_capacity_unit_quota"]
    if quota is not None and _capacity_held(ctx) + capacity * amount > quota:
        raise CAPACITY_EXCEED
    ids = []
    for index in range(amount):
        unit_id = resources.new_id(KIND, ctx.region)
        resources.put(ctx.txn, KIND, {
            "StorageCapacityUnitId": unit_id, "Name": name or "", "Description": description or "",
            "Capacity": capacity, "RegionId": ctx.region, "CreationTime": resources.iso_minute(ctx.now),
            "StartTime": resources.iso_minute(starts),
            "ExpiredTime": subscriptions.subscription_end(starts, period, period_unit), "AllocationStatus": "",
            "ResourceGroupId": group, "Tags": {"Tag": tags},
            "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now + index * 1e-6,
            "_from_app": from_app or "OpenAPI",
        })
        ids.append(unit_id)
    return {"OrderId": subscriptions.new_order_id(), "StorageCapacityUnitIds": {"StorageCapacityUnitId": ids}}


def _capacity_held(ctx: Context) -> int:
    """GiB of the caller's units here: one count per documented capacity (index terms, no record read)."""
    where = f"{ctx.account}|{ctx.region}"
    return sum(size * n for size, n in zip(CAPACITIES, ctx.txn.counts(
        KIND, [("scu_capacity", f"{where}|{size}") for size in CAPACITIES])))


def unit_status(ctx: Context, record: Mapping[str, Any]) -> str:
    if ctx.now < (resources.parse_iso(record["StartTime"]) or 0.0):
        return "Pending"
    return "Expired" if ctx.now >= (resources.parse_iso(record["ExpiredTime"]) or 0.0) else "Active"


def _view(ctx: Context, record: Mapping[str, Any]) -> dict:
    out = {k: v for k, v in resources.wire(record).items() if k != "ResourceGroupId"}
    return {**out, "Status": unit_status(ctx, record)}


@operation("DescribeStorageCapacityUnits", paging.PAGE_NUMBER, I("PageSize", default=10, min=1, max=100), S("Name"),
           I("Capacity"), S("AllocationType", default="Normal"), Repeat("StorageCapacityUnitId", max_items=100),
           Repeat("Status", max_items=4), TAGS, region_missing=REGION_MISSING)
def describe_storage_capacity_units(ctx: Context, page_number: int, page_size: int, name: Optional[str],
                                    capacity: Optional[int], allocation_type: str,
                                    storage_capacity_unit_id: Optional[list[str]], status: Optional[list[str]],
                                    tag: Optional[list[dict]]) -> dict:
    """The caller's units (Normal); units shared with it (Shared): none, mockecs shares none. A bare
    ``StorageCapacityUnitId`` (no ``.N``, as Terraform sends it) is one id [GUESS]; an unknown Status value matches
    nothing [GUESS]; the filters narrow one another, purchase order."""
    if name and not _valid_name(name):
        raise BAD_NAME
    if allocation_type not in ("Normal", "Shared"):
        raise BAD_ALLOCATION
    storage_capacity_unit_id = storage_capacity_unit_id or \
        ([ctx.params["StorageCapacityUnitId"]] if ctx.params.get("StorageCapacityUnitId") else None)
    wanted_tags = tag_filter(tag)
    where = f"{ctx.account}|{ctx.region}"
    page, total = paging.by_creation(ctx, KIND, not (name or capacity is not None or storage_capacity_unit_id or status
                                                     or wanted_tags or allocation_type == "Shared"), lambda: [
        r for r in resources.mine_among(
            ctx, KIND, storage_capacity_unit_id,
            ("scu_capacity", f"{where}|{capacity}") if capacity is not None else None,
            *resources.tag_narrowing(wanted_tags))
        if allocation_type == "Normal" and (not name or r["Name"] == name)
        and (capacity is None or r["Capacity"] == capacity) and (not status or unit_status(ctx, r) in status)
        and resources.match_tags(r, wanted_tags)], page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "StorageCapacityUnits": {"StorageCapacityUnit": [_view(ctx, r) for r in page]}}


@operation("ModifyStorageCapacityUnitAttribute", S("StorageCapacityUnitId", required=True), S("Name"),
           S("Description"), region_missing=REGION_MISSING)
def modify_storage_capacity_unit_attribute(ctx: Context, storage_capacity_unit_id: str, name: Optional[str],
                                           description: Optional[str]) -> dict:
    """What is not sent (or sent empty) keeps its value [GUESS]."""
    if not _valid_name(name):
        raise BAD_NAME
    if description and not valid_description(description):
        raise BAD_DESCRIPTION
    record = resources.owned(ctx, KIND, storage_capacity_unit_id, NOT_FOUND)
    changed = {field: value for field, value in (("Name", name), ("Description", description)) if value}
    if changed:
        resources.put(ctx.txn, KIND, {**record, **changed})
    return {}

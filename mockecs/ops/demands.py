"""Resource demands: CreateDemand, DescribeDemands, ModifyDemand, DeleteDemand.

The API metadata marks the four ``deprecated`` and neither SDK has them any more: clients reach them through a
generic request (aliyunsdkcore's ``CommonRequest``, aliyun-cli). A demand (kind ``demand``, ids ``ed-...``) is kept as
DescribeDemands shows it: a self-made demand (``DemandType`` Custom) goes ``Creating`` -> ``Active`` on the mock clock
(``engine.lifecycle.delay("demand", ...)``; at once by default), nothing is ever delivered (``DeliveringAmount`` its
total, ``SupplyInfos`` empty). Deleted demands are gone.
"""
from __future__ import annotations

import calendar
import dataclasses
import time
from typing import Any, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import TAGS, I, Repeat, S
from mockecs.world import lifecycle, paging, regions, resources, validation
from mockecs.world.instance_types import instance_type, zones_selling

KIND = "demand"  # (its id prefix, id field and order are in world.resources)

_REGION = {"region_missing": ("MissingParamter.RegionId", "The regionId should not be null.", 400),
           "region_error": ("InvalidRegion.NotFound", 400, "The RegionId provided does not exist in our records.")}
ZONE_NOT_FOUND = error_kind("InvalidZone.NotFound", "The ZoneId provided does not exist in our records.", 404)
TYPE_NOT_FOUND = error_kind("InvalidInstanceType.NotFound", "The InstanceType provided does not exist in our records.",
                            404)
NOT_FOR_DEMAND = error_kind("InvalidInstanceType.NotSupportDemand",
                            "The InstanceType of the specified instance does not support demand.")
BAD_CHARGE_TYPE = error_kind("InvalidInstanceChargeType.NotFound",
                             "The InstanceChargeType does not exist in our records", 404)
BAD_STATUS = error_kind("InvalidStatus.ValueNotSupported", "The DemandStatus does not exist in our records.", 404)
BAD_START = error_kind("InvalidTemporary.StartTime", "The specifed Temporary.StartTime is not valid.")
BAD_END = error_kind("InvalidTemporary.EndTime", "The specifed Temporary.EndTime is not valid.")
BAD_NAME = error_kind("InvalidDemandName.Malformed", 'The specified parameter "DemandName" is not valid.')
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", 'The specified parameter "DemandDescription" is not '
                                                             "valid.")
# (documented with "%s": the words are ours)
BAD_AMOUNT = error_kind("InvalidParameter", 'The specified parameter "Amount" is not valid.', 403)
BAD_PERIOD = error_kind("InvalidParameter", 'The specified parameter "Period" is not valid.', 403)
DESCRIBE_NOT_FOUND = error_kind("InvalidDemandId.NotFound", "The specified DemandId is not found.", 404)
# (ModifyDemand and DeleteDemand document the code "404")
NOT_FOUND = error_kind("404", "The specified DemandId is not found", 404)
NOT_MODIFIABLE = error_kind("InvalidDemandStatus.NotSupported",
                            "The status of the specified demand is not support modify.", 403)
STATUSES = ("Creating", "Active", "Expired", "Finished", "Refused", "Cancelled")
CHARGE_TYPES = ("PrePaid", "PostPaid")
PERIODS = {"Day": range(1, 7), "Week": range(1, 5), "Month": (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60)}
MAX_SPAN = 10 * 86400  # documented: "generally no more than 10 days" between StartTime and EndTime [GUESS: enforced]


def _time(text: Optional[str], error: type[EcsError]) -> Optional[float]:
    """``yyyy-MM-dd HH:mm:ss`` (documented; ISO 8601's ``T...Z`` too), seconds dropped (documented)."""
    if text is None:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%MZ"):
        try:
            moment = float(calendar.timegm(time.strptime(text.strip(), fmt)))
        except ValueError:
            continue
        return moment - moment % 60
    raise error


def _check(ctx: Context, a: dict, current: Optional[dict] = None) -> dict:
    """The demand's fields from the request (over ``current`` for ModifyDemand), checked as documented."""
    fields: dict[str, Any] = {}
    if a.get("zone_id"):
        if a["zone_id"] not in regions.zone_ids(ctx.region):
            raise ZONE_NOT_FOUND
        fields["ZoneId"] = a["zone_id"]
    if a.get("instance_type"):
        itype = instance_type(a["instance_type"])
        if itype is None:
            raise TYPE_NOT_FOUND
        fields.update(InstanceType=itype["InstanceTypeId"], InstanceTypeFamily=itype["InstanceTypeFamily"])
    zone = fields.get("ZoneId") or (current or {}).get("ZoneId")
    type_id = fields.get("InstanceType") or (current or {}).get("InstanceType")
    if zone and type_id and zone not in zones_selling(type_id, ctx.region):
        raise NOT_FOR_DEMAND
    if a.get("instance_charge_type") is not None:
        if a["instance_charge_type"] not in CHARGE_TYPES:
            raise BAD_CHARGE_TYPE
        fields["InstanceChargeType"] = a["instance_charge_type"]
    if a.get("amount") is not None:
        if not 1 <= a["amount"] <= 100000:
            raise BAD_AMOUNT
        fields.update(TotalAmount=a["amount"], DeliveringAmount=a["amount"])
    unit = a.get("period_unit") or (current or {}).get("PeriodUnit") or "Month"
    period = a["period"] if a.get("period") is not None else (current or {}).get("Period")
    if unit not in PERIODS or period not in PERIODS[unit]:
        raise BAD_PERIOD
    fields.update(Period=period, PeriodUnit=unit)
    if a.get("demand_name"):
        if not validation.valid_instance_name(a["demand_name"]):
            raise BAD_NAME
        fields["DemandName"] = a["demand_name"]
    if a.get("demand_description"):
        if not validation.valid_description(a["demand_description"]):
            raise BAD_DESCRIPTION
        fields["DemandDescription"] = a["demand_description"]
    start = _time(a.get("start_time"), BAD_START)
    end = _time(a.get("end_time"), BAD_END)
    start = start if start is not None else resources.parse_iso((current or {}).get("StartTime") or "")
    end = end if end is not None else resources.parse_iso((current or {}).get("EndTime") or "")
    if start is None:
        raise BAD_START
    if end is None or end <= start or end - start > MAX_SPAN:
        raise BAD_END
    fields.update(StartTime=resources.iso(start), EndTime=resources.iso(end))
    return fields


_FIELDS = (S("ZoneId"), S("DemandName"), S("DemandDescription"), S("InstanceType"), I("Amount"),
           S("InstanceChargeType"), I("Period"), S("PeriodUnit"), S("StartTime"), S("EndTime"))


_REQUIRED_ON_CREATE = ("ZoneId", "InstanceType", "Amount", "Period", "PeriodUnit", "StartTime", "EndTime")


@operation("CreateDemand", *(dataclasses.replace(p, required=True) if p.wire in _REQUIRED_ON_CREATE else p
                             for p in _FIELDS),
           idempotent=True, mapping=True, **_REGION)
def create_demand(ctx: Context, a: dict) -> dict:
    fields = _check(ctx, a)
    demand_id = resources.new_id(KIND, ctx.region)
    record = {
        "DemandId": demand_id, "DemandName": fields["InstanceType"], "DemandDescription": "",
        "InstanceChargeType": "PostPaid", "DemandTime": resources.iso(ctx.now), "DemandStatus": "Creating",
        "AvailableAmount": 0, "UsedAmount": 0, "Comment": "", "SupplyInfos": {"SupplyInfo": []}, **fields,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    record = lifecycle.start(ctx, KIND, demand_id, record, done={"DemandStatus": "Active"})
    resources.put(ctx.txn, KIND, record)
    return {"DemandId": demand_id}


@operation("DescribeDemands", paging.PAGE_NUMBER, paging.PAGE_SIZE, TAGS, S("ZoneId"), S("DemandId"),
           S("InstanceTypeFamily"), S("InstanceType"), S("InstanceChargeType"), S("DemandType"),
           Repeat("DemandStatus", max_items=100), dry_run=True, mapping=True, **_REGION)
def describe_demands(ctx: Context, a: dict) -> dict:
    if a["instance_charge_type"] and a["instance_charge_type"] not in CHARGE_TYPES:
        raise BAD_CHARGE_TYPE
    if any(s not in STATUSES for s in a["demand_status"] or ()):
        raise BAD_STATUS
    if a["zone_id"] and a["zone_id"] not in regions.zone_ids(ctx.region):
        raise ZONE_NOT_FOUND
    if a["instance_type"] and instance_type(a["instance_type"]) is None:
        raise TYPE_NOT_FOUND
    statuses = set(a["demand_status"] or ())
    if a["demand_id"]:  # documented: the other filters are then ignored
        found = [resources.owned(ctx, KIND, a["demand_id"], DESCRIBE_NOT_FOUND)]
    elif not any(a[name] for name in _FILTERS):  # a page from the ordered index
        scope = resources.owner_region(ctx.account, ctx.region)
        page, meta = paging.ordered_page(ctx, KIND, scope, a["page_number"], a["page_size"], None, None)
        return _listing(ctx, a, page, meta["TotalCount"])
    else:
        found = [r for r in resources.mine_among(ctx, KIND, None)
                 if (not a["zone_id"] or r["ZoneId"] == a["zone_id"])
                 and (not a["instance_type_family"] or r["InstanceTypeFamily"] == a["instance_type_family"])
                 and (not a["instance_type"] or r["InstanceType"] == a["instance_type"])
                 and (not a["instance_charge_type"] or r["InstanceChargeType"] == a["instance_charge_type"])
                 and (a["demand_type"] in (None, "", "Custom"))  # (every demand made here is the caller's own)
                 and (not statuses or r["DemandStatus"] in statuses)]
        found.sort(key=lambda r: (r["_created"], r["DemandId"]))
    return _listing(ctx, a, paging.by_number(found, a["page_number"], a["page_size"]), len(found))


_FILTERS = ("zone_id", "instance_type_family", "instance_type", "instance_charge_type", "demand_type",
            "demand_status")


def _listing(ctx: Context, a: dict, page: Any, total: int) -> dict:
    return {"RegionId": ctx.region, "TotalCount": total, "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "Demands": {"Demand": [resources.wire(r) for r in page]}}


@operation("ModifyDemand", S("DemandId", required=True), *_FIELDS, idempotent=True, mapping=True, **_REGION)
def modify_demand(ctx: Context, a: dict) -> dict:
    record = resources.owned(ctx, KIND, a["demand_id"], NOT_FOUND)
    if record["DemandStatus"] not in ("Creating", "Active"):
        raise NOT_MODIFIABLE
    resources.put(ctx.txn, KIND, {**record, **_check(ctx, a, record)})
    return {}


@operation("DeleteDemand", S("DemandId", required=True), S("Reason"), idempotent=True, **_REGION)
def delete_demand(ctx: Context, demand_id: str, reason: Optional[str]) -> dict:
    resources.owned(ctx, KIND, demand_id, NOT_FOUND)
    resources.delete(ctx.txn, KIND, demand_id)
    return {}

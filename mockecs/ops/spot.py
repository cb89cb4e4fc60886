"""Spot prices and instance-type advice: DescribeSpotPriceHistory, DescribeSpotAdvice, DescribeRecommendInstanceType.

Prices come from :mod:`mockecs.world.spot` (made from the pay-as-you-go price table: deterministic, below the
pay-as-you-go price); the types, their zones and their stock from the instance-type catalogue
(:mod:`mockecs.world.instance_types`: every type a zone sells is in stock, as DescribeAvailableResource says, unless
a test ran it out: :mod:`mockecs.world.stock`). DescribeSpotPriceHistory reads the prices a test set (one record per
zone listed, by id), DescribeRecommendInstanceType the zones' shortages (one read).
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import F, I, Repeat, S
from mockecs.world import pricing, regions, resources, spot, stock
from mockecs.world.instance_types import instance_type, instance_types, zones_selling

# -- DescribeSpotPriceHistory ------------------------------------------------------------------------------------
# Codes documented with "%s": the words are ours [GUESS].
BAD_START = error_kind("InvalidParams.StartTime", "The specified StartTime is not valid.")
BAD_END = error_kind("InvalidParams.EndTime", "The specified EndTime is not valid.")
BAD_OFFSET = error_kind("InvalidParams.Offset", "The specified Offset is not valid.")
UNKNOWN_TYPE = error_kind("InvalidInstanceType.ValueNotSupported",
                          "The specified InstanceType does not exist or beyond the permitted range.")
ZONE_NOT_FOUND = error_kind("InvalidZoneId.NotFound", "The specified zone does not exist.")
MUST_BE_OPTIMIZED = error_kind("DependencyViolation.IoOptimized", "The specified instancetype must be IoOptimized "
                                                                  "instance.")
BAD_DURATION = error_kind("InvalidSpotDuration", "The specified SpotDuration is not valid.")
HISTORY_PAGE = 1000  # [GUESS] the documented example's NextOffset after one page
DEFAULT_WINDOW = 3 * spot.HOUR  # documented: StartTime defaults to three hours before EndTime
MAX_WINDOW = 30 * spot.DAY  # documented: at most 30 days
SPOT_DURATIONS = range(0, 7)  # [GUESS] 0 and 1 documented here; RunInstances takes 0-6


def _time(text: Optional[str], error: type[EcsError]) -> Optional[float]:
    if text is None:
        return None
    found = resources.parse_iso(text.strip())
    if found is None:
        raise error
    return found


@operation("DescribeSpotPriceHistory", S("ZoneId"),
           S("NetworkType", required=True, choices=("vpc", "classic"), error=("InvalidParams.NetworkType", 400)),
           S("InstanceType", required=True), I("SpotDuration"),
           S("IoOptimized", choices=("optimized", "none"), error=("InvalidParams.IoOptimized", 400)),
           S("StartTime"), S("EndTime"),
           S("OSType", choices=("linux", "windows"), error=("InvalidParams.OSType", 400)),
           I("Offset", default=0, error=("InvalidParams.Offset", 400)),
           region_error=("InvalidParams.RegionId", 400, "The specified RegionId is not valid."), mapping=True)
def describe_spot_price_history(ctx: Context, a: dict) -> dict:
    itype = instance_type(a["instance_type"])
    if itype is None:
        raise UNKNOWN_TYPE
    if a["io_optimized"] == "none":  # (every type of the catalogue is I/O optimized)
        raise MUST_BE_OPTIMIZED
    if a["spot_duration"] is not None and a["spot_duration"] not in SPOT_DURATIONS:
        raise BAD_DURATION
    if a["offset"] < 0:
        raise BAD_OFFSET
    zone = a["zone_id"]
    if zone and zone not in regions.zone_ids(ctx.region):
        raise ZONE_NOT_FOUND
    end = _time(a["end_time"], BAD_END)
    end = ctx.now if end is None else min(end, ctx.now)  # (no prices of the future)
    start = _time(a["start_time"], BAD_START)
    start = end - DEFAULT_WINDOW if start is None else start
    if start > end or end - start > MAX_WINDOW:
        raise BAD_START
    zones = [z for z in zones_selling(itype["InstanceTypeId"], ctx.region) if not zone or z == zone]
    first = int(start // spot.HOUR) * spot.HOUR  # (the price in force at StartTime, then each hour's)
    hours = int((end - first) // spot.HOUR) + 1
    total, offset = len(zones) * hours, a["offset"]
    os_type, network = a["os_type"] or "linux", a["network_type"]
    points, markets = [], {}
    for index in range(offset, min(total, offset + HISTORY_PAGE)):  # (one page computed, never the whole history)
        zone_id, at = zones[index // hours], first + (index % hours) * spot.HOUR
        if zone_id not in markets:  # (the prices a test set: one read per zone)
            markets[zone_id] = spot.market_of(ctx.txn, zone_id, itype["InstanceTypeId"])
        price, origin = spot.prices(ctx.engine, itype, zone_id, at, os_type, markets[zone_id]) or (0.0, 0.0)
        points.append({"ZoneId": zone_id, "InstanceType": itype["InstanceTypeId"], "IoOptimized": "optimized",
                       "NetworkType": network, "Timestamp": resources.iso(at), "SpotPrice": price,
                       "OriginPrice": origin})
    # [GUESS] NextOffset: where the next page starts, 0 after the last one
    more = offset + HISTORY_PAGE < total
    return {"Currency": _currency(ctx), "NextOffset": offset + HISTORY_PAGE if more else 0,
            "SpotPrices": {"SpotPriceType": points}}


def _currency(ctx: Context) -> str:
    return pricing.currency(pricing.table(ctx.engine))


# -- DescribeSpotAdvice --------------------------------------------------------------------------------------------
TYPES_AND_SIZE = error_kind("InvalidParam.TypeAndCpuMem.Conflict",
                            "The specified 'InstanceType' and 'Cores','Memory' are not blank at the same time.", 403)
NEED_CORES = error_kind("InvalidParam.Cores", "The specified parameter 'Cores' should not be empty", 403)
NEED_MEMORY = error_kind("InvalidParam.Memory", "The specified parameter 'Memory' should not be empty", 403)
FAMILY_LEVELS = ("EntryLevel", "EnterpriseLevel", "CreditEntryLevel")


def _fits(itype: Mapping[str, Any], a: Mapping[str, Any]) -> bool:
    """The size and family filters DescribeSpotAdvice and DescribeRecommendInstanceType share."""
    cores, memory = int(itype["CpuCoreCount"]), float(itype["MemorySize"])
    return ((a.get("cores") is None or cores == a["cores"])
            and (a.get("memory") is None or memory == a["memory"])
            and (a.get("min_cores") is None or cores >= a["min_cores"])
            and (a.get("min_memory") is None or memory >= a["min_memory"])
            and (not a.get("instance_family_level") or itype["InstanceFamilyLevel"] == a["instance_family_level"]))


@operation("DescribeSpotAdvice", I("Cores"), F("Memory"), I("MinCores"), F("MinMemory"), S("ZoneId"),
           S("InstanceTypeFamily"), S("InstanceFamilyLevel"), S("GpuSpec"), I("GpuAmount"),
           Repeat("InstanceTypes", max_items=10),
           region_error=("Invalid.RegionId", 404, "The specified RegionId does not exist."),
           stateless=True, mapping=True)
def describe_spot_advice(ctx: Context, a: dict) -> dict:
    if a["instance_types"] and (a["cores"] is not None or a["memory"] is not None):
        raise TYPES_AND_SIZE
    if a["memory"] is not None and a["cores"] is None:
        raise NEED_CORES
    if a["cores"] is not None and a["memory"] is None:
        raise NEED_MEMORY
    wanted = set(a["instance_types"] or ())
    chosen = [t for t in instance_types() if _fits(t, a)
              and (not wanted or t["InstanceTypeId"] in wanted)
              and (not a["instance_type_family"] or t["InstanceTypeFamily"] == a["instance_type_family"])
              and (not a["gpu_spec"] or t["GPUSpec"] == a["gpu_spec"])
              and (a["gpu_amount"] is None or t["GPUAmount"] == a["gpu_amount"])
              and spot.pay_as_you_go(ctx.engine, t["InstanceTypeId"]) is not None]
    zones = []
    for zone_id in regions.zone_ids(ctx.region):
        if a["zone_id"] and zone_id != a["zone_id"]:
            continue
        offered = []
        for itype in chosen:
            type_id = itype["InstanceTypeId"]
            if zone_id not in zones_selling(type_id, ctx.region):
                continue
            rate = spot.interruption_rate(type_id, zone_id)
            offered.append({"InstanceType": type_id, "AverageSpotDiscount": spot.average_discount(type_id, zone_id,
                                                                                                   ctx.now),
                            "InterruptionRate": rate, "InterruptRateDesc": spot.interruption_band(rate)})
        if offered:
            # documented: in the order of the types' average discount [GUESS: lowest first, within each zone]
            offered.sort(key=lambda r: (r["AverageSpotDiscount"], r["InstanceType"]))
            zones.append({"ZoneId": zone_id, "AvailableSpotResources": {"AvailableSpotResource": offered}})
    return {"RegionId": ctx.region, "AvailableSpotZones": {"AvailableSpotZone": zones}}


# -- DescribeRecommendInstanceType ---------------------------------------------------------------------------------
_CHECKS = {  # argument -> (allowed values, its documented code and message)
    "network_type": (("vpc", "classic"), "InvalidNetworkType.ValueNotSupported",
                     "The specified parameter NetworkType is not valid."),
    "instance_charge_type": (("PrePaid", "PostPaid"), "InvalidInstanceChargeType.NotFound",
                             "The specified parameter InstanceChargeType is not valid."),
    "spot_strategy": (("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"), "InvalidSpotStrategy.ValueNotSupported",
                      "The specified parameter SpotStrategy is not valid."),
    "priority_strategy": (("InventoryFirst", "PriceFirst", "NewProductFirst"),
                          "InvalidPriorityStrategy.ValueNotSupported",
                          "The specified parameter PriorityStrategy is not supported."),
    "io_optimized": (("optimized", "none"), "InvalidIoOptimized.NotFound",
                     "The specified parameter IoOptimized is not valid."),
    "system_disk_category": (("cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud"), "InvalidDiskCategory.NotFound",
                             "The specified parameter SystemDiskCategory is not supported."),
    "scene": (("UPGRADE", "CREATE"), "InvalidScene.ValueNotSupported", "The specified Scene is invalid."),
    "instance_family_level": (FAMILY_LEVELS, "InvalidInstanceFamilyLevel.NotSupported",
                              "The specified InstanceFamilyLevel is not valid."),
    # (no code documented for ZoneMatchMode [GUESS])
    "zone_match_mode": (("Strict", "Include"), "InvalidParameter", 'The specified parameter "ZoneMatchMode" is not '
                                                                  "valid."),
}
TYPE_OR_SIZE = error_kind("InvalidParam.TypeAndCpuMem.Conflict", "The specified parameters InstanceType and "
                          "Cores,Memory should not be blank at the same time.")
TYPE_NOT_SUPPORTED = error_kind("InvalidInstanceType.NotSupported", "The specified InstanceType is not valid.")
FAMILY_NOT_FOUND = error_kind("InvalidInstanceTypeFamily.NotFound", "The specified InstanceTypeFamily is not valid.")
ZONE_NOT_SUPPORTED = error_kind("InvalidZoneId.ValueNotSupported", "The specified ZoneId is not valid.")
BAD_MAX_PRICE = error_kind("InvalidMaxPrice.NotSupported", "The specified MaxPrice is not valid.")
NOT_MATCHED = error_kind("RecommendEmpty.InstanceTypeNotMatched", "The recommend instanceTypes are not match.")
FAMILY_NOT_MATCHED = error_kind("RecommendEmpty.InstanceTypeFamilyNotMatched",
                                "The recommend instanceTypeFamily are not match.")
ZONE_NOT_MATCHED = error_kind("RecommendEmpty.IzNotMatched", "The iz of recommend instanceTypes are not match.")
PRICE_NOT_MATCHED = error_kind("RecommendEmpty.PriceNotSatisfied",
                               "The current price of recommend instanceTypes above user max price.")
NETWORK_NOT_MATCHED = error_kind("RecommendEmpty.NetworkTypeNotSupported",
                                 "The recommend instanceType networkType are not match.")
SOLD_OUT = error_kind("RecommendEmpty.InstanceTypeSoldOut", "The recommend instanceTypes are out of usage.")
MAX_RECOMMENDED = 10  # [GUESS] how many (type, zone) pairs one answer recommends at most


def _generation(itype: Mapping[str, Any]) -> int:
    digits = "".join(c for c in str(itype.get("Generation") or "") if c.isdigit())
    return int(digits or 0)


def _candidates(ctx: Context, a: dict, zones: list[str]) -> Iterator[tuple[dict, str, float]]:
    """(type, zone, hourly price) of every type sold in ``zones`` that the request's size and family allow."""
    spot_asked = a["spot_strategy"] != "NoSpot"
    families = set(a["instance_type_family"] or ())
    for itype in instance_types():
        if families and itype["InstanceTypeFamily"] not in families:
            continue
        if not _fits(itype, a):
            continue
        for zone_id in zones:
            if zone_id not in zones_selling(itype["InstanceTypeId"], ctx.region):
                continue
            found = spot.prices(ctx.engine, itype, zone_id, ctx.now)
            if found is None:
                continue
            yield itype, zone_id, found[0] if spot_asked else found[1]


@operation("DescribeRecommendInstanceType", I("Cores"), F("Memory"), S("InstanceFamilyLevel"), S("InstanceType"),
           S("NetworkType", required=True), S("InstanceChargeType", default="PostPaid"),
           S("SpotStrategy", default="NoSpot"), S("IoOptimized"), S("PriorityStrategy", default="InventoryFirst"),
           F("MaxPrice"), S("ZoneId"), S("SystemDiskCategory"), S("ZoneMatchMode"), S("Scene", default="CREATE"),
           Repeat("InstanceTypeFamily", max_items=20),
           region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."),
           mapping=True)
def describe_recommend_instance_type(ctx: Context, a: dict) -> dict:
    for name, (allowed, code, message) in _CHECKS.items():
        if a[name] is not None and a[name] not in allowed:
            raise EcsError(code, message, 400)
    if a["spot_strategy"] != "NoSpot" and a["instance_charge_type"] != "PostPaid":
        raise EcsError(*_CHECKS["spot_strategy"][1:], 400)  # documented: spot instances are pay-as-you-go
    if bool(a["instance_type"]) == (a["cores"] is not None or a["memory"] is not None):
        raise TYPE_OR_SIZE  # (one of the two, documented)
    if a["max_price"] is not None and a["max_price"] <= 0:
        raise BAD_MAX_PRICE
    known = {t["InstanceTypeFamily"] for t in instance_types()}
    if any(f not in known for f in a["instance_type_family"] or ()):
        raise FAMILY_NOT_FOUND
    if a["zone_id"] and a["zone_id"] not in regions.zone_ids(ctx.region):
        raise ZONE_NOT_SUPPORTED
    asked = None
    if a["instance_type"]:
        asked = instance_type(a["instance_type"])
        if asked is None:
            raise TYPE_NOT_SUPPORTED
        # the asked type's alternatives: the types of its size (itself first) [GUESS]
        a = {**a, "cores": int(asked["CpuCoreCount"]), "memory": float(asked["MemorySize"])}
    if a["network_type"] == "classic":  # (no type of the catalogue is sold for the classic network)
        raise NETWORK_NOT_MATCHED
    strict = a["zone_id"] and (a["zone_match_mode"] or "Strict") == "Strict"
    zones = [a["zone_id"]] if strict else regions.zone_ids(ctx.region)
    found = list(_candidates(ctx, a, zones))
    if not found:
        raise FAMILY_NOT_MATCHED if a["instance_type_family"] else ZONE_NOT_MATCHED if strict else NOT_MATCHED
    if a["max_price"] is not None:
        found = [f for f in found if f[2] <= a["max_price"]]
        if not found:
            raise PRICE_NOT_MATCHED
    shortages = stock.shortages(ctx, zones)  # (sold-out types are not recommended: documented code)
    if shortages:
        found = [f for f in found if not stock.type_stock(shortages.get(f[1], {}), f[0]["InstanceTypeId"])]
        if not found:
            raise SOLD_OUT
    found.sort(key=_order(a["priority_strategy"], asked, a["zone_id"]))
    items = []
    for priority, (itype, zone_id, _) in enumerate(found[:MAX_RECOMMENDED], start=1):
        items.append({
            "CommodityCode": "ecs", "RegionId": ctx.region, "ZoneId": zone_id, "Priority": priority,
            "NetworkType": a["network_type"], "Scene": a["scene"], "SpotStrategy": a["spot_strategy"],
            "InstanceChargeType": a["instance_charge_type"],
            "Zones": {"zone": [{"ZoneNo": zone_id, "NetworkTypes": {"NetworkType": ["vpc"]}}]},
            "InstanceType": {"InstanceType": itype["InstanceTypeId"], "InstanceTypeFamily": itype["InstanceTypeFamily"],
                             "Generation": itype["Generation"], "Cores": int(itype["CpuCoreCount"]),
                             "Memory": int(float(itype["MemorySize"]) * 1024), "SupportIoOptimized": "optimized"}})
    return {"Data": {"RecommendInstanceType": items}}


def _order(strategy: str, asked: Optional[Mapping[str, Any]], zone_id: Optional[str]) -> Any:
    """The sort key of each PriorityStrategy [GUESS where the documentation says no more than its name]:
    InventoryFirst (what is sold out is left out before): the asked type, then the asked zone, newest generation,
    cheapest;
    PriceFirst: price per vCPU (documented); NewProductFirst: newest generation, then price."""
    asked_id = asked["InstanceTypeId"] if asked else None

    def key(found: tuple[dict, str, float]) -> tuple:
        itype, zone, price = found
        per_vcpu = price / max(int(itype["CpuCoreCount"]), 1)
        if strategy == "PriceFirst":
            return per_vcpu, itype["InstanceTypeId"], zone
        if strategy == "NewProductFirst":
            return -_generation(itype), per_vcpu, itype["InstanceTypeId"], zone
        return (itype["InstanceTypeId"] != asked_id, zone != zone_id, -_generation(itype), per_vcpu,
                itype["InstanceTypeId"], zone)

    return key

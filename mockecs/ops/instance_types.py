"""Instance types and where they are sold: DescribeInstanceTypes, DescribeInstanceTypeFamilies,
DescribeAvailableResource, all answered from the catalogue of :mod:`mockecs.world.instance_types`."""
from __future__ import annotations

from typing import Any, Callable, Optional

from mockecs.ops.regions import DISK_CATEGORIES
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import F, I, L, Repeat, S, snake
from mockecs.world import launch, paging, regions, stock
from mockecs.world.disks import data_disk_range
from mockecs.world.instance_types import instance_type, instance_types, types_in_zone, wire

CATEGORIES = ("General-purpose", "Compute-optimized", "Memory-optimized", "Big data", "Local SSDs",
              "High Clock Speed", "Enhanced", "Shared", "Compute-optimized with GPU", "Visual Compute-optimized",
              "Heterogeneous Service", "Compute-optimized with FPGA", "Compute-optimized with NPU",
              "ECS Bare Metal", "Super Computing Cluster", "High Performance Compute")
ARCHITECTURES = ("X86", "ARM")
LOCAL_STORAGE = ("local_hdd_pro", "local_ssd_pro")
# DescribeInstanceTypes: each Minimum*/Maximum* parameter bounds the field named after it (no error codes are
# documented: a malformed number is InvalidParameter).
_FIELDS_AT_LEAST = (
    "CpuCoreCount", "MemorySize", "GPUAmount", "CpuSpeedFrequency", "CpuTurboFrequency", "InstancePpsRx",
    "InstancePpsTx", "InstanceBandwidthRx", "InstanceBandwidthTx", "PrimaryEniQueueNumber", "SecondaryEniQueueNumber",
    "EniQuantity", "QueuePairNumber", "EriQuantity", "EniPrivateIpAddressQuantity", "EniIpv6AddressQuantity",
    "LocalStorageAmount", "LocalStorageCapacity", "DiskQuantity", "BaselineCredit", "InitialCredit")
_FIELDS_AT_MOST = ("CpuCoreCount", "MemorySize", "GPUAmount", "CpuSpeedFrequency", "CpuTurboFrequency")
_KIND = {"MemorySize": F, "CpuSpeedFrequency": F, "CpuTurboFrequency": F, "InstancePpsRx": L, "InstancePpsTx": L,
         "LocalStorageCapacity": L}
_BOUNDS = [(snake(f"Minimum{f}"), f, 1) for f in _FIELDS_AT_LEAST] + [(snake(f"Maximum{f}"), f, -1)
                                                                    for f in _FIELDS_AT_MOST]
_BOUND_PARAMS = [_KIND.get(f, I)(f"Minimum{f}", min=0) for f in _FIELDS_AT_LEAST] + [
    _KIND.get(f, I)(f"Maximum{f}", min=0) for f in _FIELDS_AT_MOST]
# Field -> (single parameter, repeated parameter): the two spellings of one filter.
_ONE_OF = {"InstanceCategory": ("instance_category", "instance_categories"),
           "CpuArchitecture": ("cpu_architecture", "cpu_architectures"),
           "LocalStorageCategory": ("local_storage_category", "local_storage_categories"),
           "InstanceTypeFamily": ("instance_type_family", "instance_type_families"),
           "InstanceFamilyLevel": ("instance_family_level", None), "NvmeSupport": ("nvme_support", None),
           "InstanceTypeId": (None, "instance_types")}
# Matched by substring, as documented ("NVIDIA" finds "NVIDIA V100").
_FUZZY = {"GPUSpec": ("gpu_spec", "gpu_specs"),
          "PhysicalProcessorModel": ("physical_processor_model", "physical_processor_models")}


def _wanted(a: dict, one: Optional[str], many: Optional[str]) -> list[str]:
    return ([a[one]] if one and a[one] else []) + ((a[many] or []) if many else [])


@operation("DescribeInstanceTypes",
           S("InstanceTypeFamily"), Repeat("InstanceTypes", max_items=10), Repeat("InstanceTypeFamilies", max_items=10),
           S("GPUSpec"), Repeat("GpuSpecs", max_items=10), S("InstanceCategory", choices=CATEGORIES),
           Repeat("InstanceCategories", item=S("InstanceCategories", choices=CATEGORIES), max_items=10),
           S("CpuArchitecture", choices=ARCHITECTURES),
           Repeat("CpuArchitectures", item=S("CpuArchitectures", choices=ARCHITECTURES), max_items=10),
           S("PhysicalProcessorModel"), Repeat("PhysicalProcessorModels", max_items=10),
           S("InstanceFamilyLevel", choices=("EntryLevel", "EnterpriseLevel", "CreditEntryLevel")),
           S("LocalStorageCategory", choices=LOCAL_STORAGE),
           Repeat("LocalStorageCategories", item=S("LocalStorageCategories", choices=LOCAL_STORAGE), max_items=2),
           S("NvmeSupport", choices=("required", "unsupported")), Repeat("AdditionalAttributes"),
           *_BOUND_PARAMS,
           L("MaxResults", default=1600, min=1, max=1600), S("NextToken", max=None, check=lambda v: len(v) <= 50),
           region="none", stateless=True, mapping=True, memo=True)
def describe_instance_types(ctx: Context, a: dict) -> dict:
    checks: list[Callable[[dict], bool]] = []
    for name, field, sign in _BOUNDS:
        if a[name] is not None:
            checks.append(lambda t, f=field, v=a[name], s=sign: (t[f] - v) * s >= 0)
    for field, (one, many) in _ONE_OF.items():
        allowed = frozenset(_wanted(a, one, many))
        if allowed:
            checks.append(lambda t, f=field, s=allowed: t[f] in s)
    for field, (one, many) in _FUZZY.items():
        parts = tuple(w.lower() for w in _wanted(a, one, many))
        if parts:
            checks.append(lambda t, f=field, w=parts: any(x in t[f].lower() for x in w))
    found = [t for t in instance_types() if all(check(t) for check in checks)]
    page, token = paging.by_token(found, a["max_results"], a["next_token"])
    return {"InstanceTypes": {"InstanceType": [wire(t) for t in page]}, "NextToken": token}


@operation("DescribeInstanceTypeFamilies", S("Generation"),
           region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."),
           stateless=True, memo=True)
def describe_instance_type_families(ctx: Context, generation: Optional[str]) -> dict:
    seen: dict[str, str] = {}
    for itype in instance_types():
        seen.setdefault(itype["InstanceTypeFamily"], itype["Generation"])
    return {"InstanceTypeFamilies": {"InstanceTypeFamily": [
        {"InstanceTypeFamilyId": family, "Generation": gen} for family, gen in seen.items()
        if not generation or gen == generation]}}


# -- DescribeAvailableResource -------------------------------------------------------------------------------
DESTINATIONS = ("Zone", "IoOptimized", "InstanceType", "Network", "ddh", "SystemDisk", "DataDisk")
_INVALID = {  # parameter -> (allowed values, documented error)
    "instance_charge_type": (("PrePaid", "PostPaid"),
                             ("Invalid.InstanceChargeType", "The specified InstanceChargeType is not valid.", 400)),
    "spot_strategy": (("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"),
                      ("Invalid.SpotStrategy", "The specified SpotStrategy is not valid.", 404)),
    "io_optimized": (("none", "optimized"), ("Invalid.IoOptimized", "The specified IoOptimized is not valid.", 404)),
    "network_category": (("vpc", "classic"),
                         ("Invalid.NetworkCategory", "The specified NetworkCategory is not valid.", 404)),
    "resource_type": (("instance", "disk", "reservedinstance", "ddh"),
                      ("Invalid.ResourceType", "The ResourceType provided does not exist in our records.", 404)),
    "scope": (("Region", "Zone"), ("InvalidParameter.Scope", "The specified parameter Scope is invalid.", 403)),
    "destination_resource": (DESTINATIONS,
                             ("Invalid.DestinationResource", "The specified DestinationResource is not valid.", 404)),
}
TYPE_AND_SIZE = error_kind("InvalidParam.TypeAndCpuMem.Conflict",
                           "The specified 'InstanceType' and 'Cores','Memory' are not blank at the same time.", 403)
NO_DEDICATED_HOST = error_kind("InvalidDedicatedHostId.NotFound", "The specified DedicatedHostId does not exist.", 403)


def supported(value: str, low: Optional[int] = None, high: Optional[int] = None,
              sold_out: Optional[str] = None) -> dict:
    """A SupportedResource; ``sold_out``: its StatusCategory when it is sold out (:mod:`mockecs.world.stock`)."""
    item: dict[str, Any] = {"Value": value, "Status": stock.SOLD_OUT if sold_out else "Available",
                            "StatusCategory": sold_out or "WithStock"}
    if low is not None:
        item.update(Min=low, Max=high, Unit="GiB")
    return item


def zone_status(offered: list[dict]) -> dict:
    """A zone's Status and StatusCategory: SoldOut when all it offers of the resource is (the stock of those)."""
    short = [item["StatusCategory"] for item in offered if item["Status"] == stock.SOLD_OUT]
    if not offered or len(short) < len(offered):
        return {"Status": "Available", "StatusCategory": "WithStock"}
    return {"Status": stock.SOLD_OUT, "StatusCategory": min(short, key=stock.CATEGORIES.index)}


def _categories(ctx: Context, sold: list[dict], kind: str) -> list[str]:
    """The disk categories of ``kind`` the types ``sold`` take (the launch's rule: :func:`launch.sells_disk`), in
    DescribeZones' order."""
    return [c for c in DISK_CATEGORIES if any(launch.sells_disk(ctx, t, c, kind) for t in sold)]


def _zone_resources(ctx: Context, a: dict, zone_id: str, short: Any) -> list[dict]:
    """What ``zone_id`` offers of the DestinationResource, narrowed by the parameters above it (``short``: the
    zone's stock shortages); SystemDiskCategory and DataDiskCategory keep the types that take such disks."""
    sold = [instance_type(t) for t in types_in_zone(zone_id)]
    if a["instance_type"]:
        sold = [t for t in sold if t["InstanceTypeId"] == a["instance_type"]]
    if a["cores"] is not None:
        sold = [t for t in sold if t["CpuCoreCount"] == a["cores"]]
    if a["memory"] is not None:
        sold = [t for t in sold if float(t["MemorySize"]) == float(a["memory"])]
    if a["io_optimized"] == "none":
        sold = []  # every type mockecs knows is I/O optimized
    for kind in ("system", "data"):
        wanted = a[kind + "_disk_category"]
        if wanted:  # (a category no zone offers, such as basic disks or local SSDs, keeps no type: DescribeZones)
            sold = [t for t in sold if wanted in DISK_CATEGORIES and launch.sells_disk(ctx, t, wanted, kind)]
    if not sold:
        return []
    destination = a["destination_resource"]
    # (a zone, network or I/O optimization is out of stock when every type asked for is)
    types_short = [stock.type_stock(short, t["InstanceTypeId"]) for t in sold]
    whole = None if not all(types_short) else min(types_short, key=stock.CATEGORIES.index)
    if destination == "Zone":
        return [supported(zone_id, sold_out=whole)]
    if destination == "IoOptimized":
        return [supported("optimized", sold_out=whole)]
    if destination == "InstanceType":
        return [supported(t["InstanceTypeId"], sold_out=s) for t, s in zip(sold, types_short)]
    if destination == "Network":
        return [supported("vpc", sold_out=whole)]
    if destination == "SystemDisk":
        wanted = a["system_disk_category"]
        return [supported(c, launch.MIN_SYSTEM_DISK, launch.MAX_SYSTEM_DISK, stock.disk_stock(short, c))
                for c in _categories(ctx, sold, "system") if not wanted or c == wanted]
    if destination == "DataDisk":
        wanted = a["data_disk_category"]
        return [supported(c, *data_disk_range(c), sold_out=stock.disk_stock(short, c))
                for c in _categories(ctx, sold, "data") if not wanted or c == wanted]
    return []  # ddh: no dedicated hosts in mockecs


@operation("DescribeAvailableResource",
           S("DestinationResource", required=True,
             missing=("Invalid.Param", "The input parameter DestinationResource that is mandatory for processing "
                                       "this request is not supplied.", 400)),
           S("ZoneId"), S("InstanceChargeType"), S("SpotStrategy"), I("SpotDuration", min=0, max=6),
           S("IoOptimized"), S("DedicatedHostId"), S("InstanceType"), S("SystemDiskCategory"), S("DataDiskCategory"),
           S("NetworkCategory"), I("Cores"), F("Memory"), S("ResourceType"), S("Scope"),
           region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."),
           mapping=True)
def describe_available_resource(ctx: Context, a: dict) -> dict:
    for name, (allowed, error) in _INVALID.items():
        if a[name] and a[name] not in allowed:
            raise EcsError(*error)
    if a["instance_type"] and (a["cores"] is not None or a["memory"] is not None):
        raise TYPE_AND_SIZE
    if a["destination_resource"] != "InstanceType":
        if a["cores"] is not None:
            raise EcsError("InvalidParam.Cores", "The specified parameter 'Cores' should be empty", 403)
        if a["memory"] is not None:
            raise EcsError("InvalidParam.Memory", "The specified parameter 'Memory' should be empty", 403)
    if a["dedicated_host_id"]:
        raise NO_DEDICATED_HOST
    zones = [z for z in regions.zone_ids(ctx.region) if not a["zone_id"] or z == a["zone_id"]]
    shortages = stock.shortages(ctx, zones)
    out = []
    for zone_id in zones:
        offered = _zone_resources(ctx, a, zone_id, shortages.get(zone_id, {}))
        if offered:
            resource = {"Type": a["destination_resource"], "SupportedResources": {"SupportedResource": offered}}
            out.append({"ZoneId": zone_id, "RegionId": ctx.region, **zone_status(offered),
                        "AvailableResources": {"AvailableResource": [resource]}})
    return {"AvailableZones": {"AvailableZone": out}}


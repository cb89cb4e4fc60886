"""DescribeRegions and DescribeZones (spec §4.1-4.2)."""
from __future__ import annotations

import re
from functools import cache
from typing import Any, Mapping

from mockecs.ops.registry import Context, operation
from mockecs.wire.encoding import Frozen
from mockecs.wire.errors import EcsError
from mockecs.wire.params import B, S
from mockecs.world import dedicated_hosts, regions, stock
from mockecs.world.instance_types import instance_type, types_in_zone, zone_disk_categories

LANGUAGES = ("zh-CN", "en-US", "ja")
_LANGUAGE = S("AcceptLanguage", default="zh-CN")


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise EcsError("InvalidAcceptLanguage.NotFound",
                       "Only Chinese (zh-CN), English (en-US), and Japanese (ja) are allowed.", 404)
    return "LocalNameZh" if value == "zh-CN" else "LocalNameEn"


@cache
def _regions_answer(name: str) -> Frozen:
    return Frozen({"Regions": {"Region": [
        {"RegionId": r["RegionId"], "LocalName": r[name], "RegionEndpoint": r["RegionEndpoint"], "Status": "available"}
        for r in regions.regions().values()
    ]}})


@operation("DescribeRegions", _LANGUAGE, S("InstanceChargeType"), S("ResourceType"), region="optional",
           stateless=True, memo=True)
def describe_regions(ctx: Context, accept_language: str, instance_charge_type: str, resource_type: str) -> dict:
    return _regions_answer(_language(accept_language))


DISK_CATEGORIES = ["cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"]


@operation("DescribeZones", _LANGUAGE, S("InstanceChargeType"), S("SpotStrategy"), B("Verbose", default=True),
           memo=True)
def describe_zones(ctx: Context, accept_language: str, instance_charge_type: str, spot_strategy: str,
                   verbose: bool) -> Mapping[str, Any]:
    if instance_charge_type and instance_charge_type not in ("PrePaid", "PostPaid"):
        raise EcsError("InvalidInstanceChargeType.NotFound", "The InstanceChargeType does not exist in our records",
                       404)
    if spot_strategy and spot_strategy not in ("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"):
        raise EcsError("InvalidSpotStrategy", "The specified SpotStrategy is not valid.", 400)
    answer = _zones_answer(ctx.region, _language(accept_language), verbose,
                           ctx.config.options["instance_type_disk_categories"])
    shortages = stock.shortages(ctx, regions.zone_ids(ctx.region))  # (one read; none: the answer kept whole)
    if not shortages:
        return answer
    return {"Zones": {"Zone": [_in_stock(z, shortages[z["ZoneId"]]) if z["ZoneId"] in shortages else z
                               for z in answer["Zones"]["Zone"]]}}


def _in_stock(zone: Mapping[str, Any], short: Mapping[str, Any]) -> dict:
    """A zone as DescribeZones lists it with its sold-out types and disk categories left out of what it can
    create (documented: "允许创建的实例规格", the disk categories "可供创建"); ``Instance`` (and ``Disk``) left out
    of its AvailableResourceCreation when none is left [GUESS: the console's sold-out zone]."""
    types = [t for t in zone["AvailableInstanceTypes"]["InstanceTypes"] if not stock.type_stock(short, t)]
    disks = [c for c in zone["AvailableDiskCategories"]["DiskCategories"] if not stock.disk_stock(short, c)]
    left = any(not stock.type_stock(short, t) for t in types_in_zone(zone["ZoneId"]))
    creates = [r for r in zone["AvailableResourceCreation"]["ResourceTypes"]
               if not (r == "Instance" and not left) and not (r == "Disk" and not disks)]
    out = {**zone, "AvailableResourceCreation": {"ResourceTypes": creates},
           "AvailableDiskCategories": {"DiskCategories": disks},
           "AvailableInstanceTypes": {"InstanceTypes": types}}
    if "AvailableResources" in zone:
        [info] = zone["AvailableResources"]["ResourcesInfo"]
        in_stock = [t for t in info["InstanceTypes"]["supportedInstanceType"] if not stock.type_stock(short, t)]
        kept = [instance_type(t) for t in in_stock]
        out["AvailableResources"] = {"ResourcesInfo": [{
            **info,
            "InstanceGenerations": {"supportedInstanceGeneration": sorted({t["Generation"] for t in kept})},
            "InstanceTypeFamilies": {"supportedInstanceTypeFamily": sorted({t["InstanceTypeFamily"] for t in kept})},
            "InstanceTypes": {"supportedInstanceType": in_stock},
            "SystemDiskCategories": {"supportedSystemDiskCategory": [
                c for c in info["SystemDiskCategories"]["supportedSystemDiskCategory"] if c in disks]},
            "DataDiskCategories": {"supportedDataDiskCategory": [
                c for c in info["DataDiskCategories"]["supportedDataDiskCategory"] if c in disks]}}]}
    return out


# What the service lists a zone as able to create (VSwitch and Instance are what image-build tools look
# for); DedicatedHost where the zone sells a dedicated host type (AvailableDedicatedHostTypes).
RESOURCE_TYPES = ["VSwitch", "IoOptimized", "Instance", "Disk"]
_DIGITS = re.compile(r"\d+")


def _host_generation(htype: dict) -> str:
    """A dedicated host type's generation, "ddh-" and its family's number (the metadata's example: ddh.g6, ddh-6)
    [GUESS]."""
    found = _DIGITS.search(htype["DedicatedHostType"])
    return f"ddh-{found.group(0)}" if found else ""


def _zone_disks(zone_id: str, kind: str, by_type: bool) -> list[str]:
    """The disk categories a zone offers as ``kind`` disks, in DISK_CATEGORIES' order: those the types it sells
    take (option ``instance_type_disk_categories``; off: every type takes every category)."""
    if not by_type:
        return list(DISK_CATEGORIES)
    offered = zone_disk_categories(zone_id, kind)
    return [c for c in DISK_CATEGORIES if c in offered]


@cache
def _zones_answer(region: str, name: str, verbose: bool, by_type: bool) -> Frozen:
    """One region's DescribeZones answer (static catalogue data: built once per region, language, Verbose and
    option ``instance_type_disk_categories``)."""
    zones = []
    for zone in regions.regions()[region]["Zones"]:
        type_ids = list(types_in_zone(zone["ZoneId"]))
        system, data = _zone_disks(zone["ZoneId"], "system", by_type), _zone_disks(zone["ZoneId"], "data", by_type)
        hosts = [t for t in dedicated_hosts.host_types() if dedicated_hosts.sold_in(t, zone["ZoneId"])]
        record = {"ZoneId": zone["ZoneId"], "LocalName": zone[name], "ZoneType": "AvailabilityZone",
                  "AvailableResourceCreation": {"ResourceTypes": RESOURCE_TYPES + (["DedicatedHost"] if hosts
                                                                                   else [])},
                  "AvailableDiskCategories": {"DiskCategories": [c for c in DISK_CATEGORIES
                                                                  if c in system or c in data]},
                  "AvailableInstanceTypes": {"InstanceTypes": type_ids if verbose else []},
                  "AvailableVolumeCategories": {"VolumeCategories": []},
                  "AvailableDedicatedHostTypes": {"DedicatedHostType": [t["DedicatedHostType"] for t in hosts]},
                  "DedicatedHostGenerations": {"DedicatedHostGeneration": sorted(
                      {g for g in map(_host_generation, hosts) if g})}}
        if verbose:
            sold = [instance_type(t) for t in type_ids]
            record["AvailableResources"] = {"ResourcesInfo": [{
                "IoOptimized": True,
                "InstanceGenerations": {"supportedInstanceGeneration": sorted({t["Generation"] for t in sold})},
                "InstanceTypeFamilies": {"supportedInstanceTypeFamily": sorted({t["InstanceTypeFamily"]
                                                                               for t in sold})},
                "InstanceTypes": {"supportedInstanceType": type_ids},
                "SystemDiskCategories": {"supportedSystemDiskCategory": system},
                "DataDiskCategories": {"supportedDataDiskCategory": data},
                "NetworkTypes": {"supportedNetworkCategory": ["vpc"]},
            }]}
        zones.append(record)
    return Frozen({"Zones": {"Zone": zones}})

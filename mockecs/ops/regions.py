"""DescribeRegions and DescribeZones (spec §4.1-4.2)."""
from __future__ import annotations

from functools import cache

from mockecs.ops.registry import Context, operation
from mockecs.wire.encoding import Frozen
from mockecs.wire.errors import EcsError
from mockecs.wire.params import B, S
from mockecs.world import regions
from mockecs.world.instance_types import instance_types

LANGUAGES = ("zh-CN", "en-US", "ja")
_LANGUAGE = S("AcceptLanguage", default="zh-CN")


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise EcsError("InvalidAcceptLanguage.NotFound", "The specified AcceptLanguage is not found.", 404)
    return "LocalNameZh" if value == "zh-CN" else "LocalNameEn"


@cache
def _regions_answer(name: str) -> Frozen:
    return Frozen({"Regions": {"Region": [
        {"RegionId": r["RegionId"], "LocalName": r[name], "RegionEndpoint": r["RegionEndpoint"], "Status": "available"}
        for r in regions.regions().values()
    ]}})


@operation("DescribeRegions", _LANGUAGE, S("InstanceChargeType"), S("ResourceType"), region="optional",
           stateless=True)
def describe_regions(ctx: Context, accept_language: str, instance_charge_type: str, resource_type: str) -> dict:
    return _regions_answer(_language(accept_language))


DISK_CATEGORIES = ["cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"]


@operation("DescribeZones", _LANGUAGE, S("InstanceChargeType"), S("SpotStrategy"), B("Verbose", default=True),
           stateless=True)
def describe_zones(ctx: Context, accept_language: str, instance_charge_type: str, spot_strategy: str,
                   verbose: bool) -> dict:
    return _zones_answer(ctx.region, _language(accept_language), verbose)


@cache
def _zones_answer(region: str, name: str, verbose: bool) -> Frozen:
    type_ids = [t["InstanceTypeId"] for t in instance_types()] if verbose else []
    families = sorted({t.rsplit(".", 1)[0] for t in type_ids})
    zones = []
    for zone in regions.regions()[region]["Zones"]:
        record = {"ZoneId": zone["ZoneId"], "LocalName": zone[name], "ZoneType": "AvailabilityZone",
                  "AvailableResourceCreation": {"ResourceTypes": ["Instance", "Disk", "IoOptimized"]},
                  "AvailableDiskCategories": {"DiskCategories": list(DISK_CATEGORIES)},
                  "AvailableInstanceTypes": {"InstanceTypes": type_ids},
                  "AvailableVolumeCategories": {"VolumeCategories": []},
                  "AvailableDedicatedHostTypes": {"DedicatedHostType": []},
                  "DedicatedHostGenerations": {"DedicatedHostGeneration": []}}
        if verbose:
            record["AvailableResources"] = {"ResourcesInfo": [{
                "IoOptimized": True,
                "InstanceGenerations": {"supportedInstanceGeneration": ["ecs-3", "ecs-4"]},
                "InstanceTypeFamilies": {"supportedInstanceTypeFamily": families},
                "InstanceTypes": {"supportedInstanceType": type_ids},
                "SystemDiskCategories": {"supportedSystemDiskCategory": list(DISK_CATEGORIES)},
                "DataDiskCategories": {"supportedDataDiskCategory": list(DISK_CATEGORIES)},
                "NetworkTypes": {"supportedNetworkCategory": ["vpc"]},
            }]}
        zones.append(record)
    return Frozen({"Zones": {"Zone": zones}})

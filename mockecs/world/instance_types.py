"""The instance-type catalogue (``data/instance_types.json``): families, their sizes, and the zones that sell them.

The file lists families (shared fields, a ``columns`` header, one row per size, ``zones``). Each type is
expanded once into the wire shape of ``DescribeInstanceTypesResponseBodyInstanceTypesInstanceType`` plus
``Architecture`` (``x86_64``/``arm64``, as images name it), ``Generation`` and ``_zones`` (a rule, read by
:func:`sells`), which :func:`wire` leaves out. A family's ``_``-prefixed keys are features the nested answers read
(``_ptp_support``, ``_nested_virtualization``: "supported"; ``_bandwidth_weighting``: true), also left out.
A family's ``disks`` names a group of ``disk_categories``: the system and data disk categories its types sell
(``_disks``, read by :func:`disk_categories`).
"""
from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Mapping, Optional

from mockecs.world import regions

ARCHITECTURE = {"X86": "x86_64", "ARM": "arm64"}
# Fields every type answers; a family or a row sets the ones that differ.
_DEFAULTS: dict[str, Any] = {
    "GPUAmount": 0, "GPUSpec": "", "GPUMemorySize": 0.0, "LocalStorageAmount": 0, "LocalStorageCapacity": 0,
    "LocalStorageCategory": "", "BaselineCredit": 0, "InitialCredit": 0, "EriQuantity": 0, "QueuePairNumber": 0,
    "EniTrunkSupported": True, "NetworkCardQuantity": 1, "JumboFrameSupport": False,
}
_INTERNAL = ("Architecture", "Generation")
TOPOLOGY_TYPES = ("ContinuousCoreToHTMapping", "DiscreteCoreToHTMapping")
# Bandwidth weightings (Name -> VPC share of the type's network plus EBS bandwidth) [GUESS: the figures are the
# catalogue's own; the names are RunInstances' NetworkOptions.BandwidthWeighting values]
_WEIGHTINGS = (("Default", 2 / 3), ("Vpc-L1", 3 / 4), ("Ebs-L1", 1 / 2))


def threads_per_core(vcpus: int, architecture: str = "X86") -> int:
    """Two threads per physical core (hyper-threading, as the captured ecs.g7.large shows: 2 vCPUs, 1 core),
    one where the vCPU count is odd (1-vCPU burstable types) and on ARM (Yitian cores: one vCPU each)."""
    return 2 if architecture == "X86" and vcpus >= 2 and vcpus % 2 == 0 else 1


def topology_types(itype: Mapping[str, Any]) -> tuple[str, ...]:
    """The CPU topologies a type offers: both on hyper-threaded x86 types of the 7th generation on (ecs-6, ecs-7),
    none elsewhere [GUESS: the user guide names these families]."""
    return TOPOLOGY_TYPES if (itype["CpuArchitecture"] == "X86" and itype["Generation"] in ("ecs-6", "ecs-7")
                              and threads_per_core(itype["CpuCoreCount"]) == 2) else ()


def _weighting(record: Mapping[str, Any]) -> list[dict]:
    if not record.get("_bandwidth_weighting"):
        return []
    total = record["InstanceBandwidthRx"] // 1000 * 3 // 2  # (Mbit/s: the VPC bandwidth and half as much EBS)
    out = []
    for name, share in _WEIGHTINGS:
        vpc = int(total * share)
        out.append({"Name": name, "VpcBandwidth": vpc, "VpcBurstBandwidth": vpc, "EbsBandwidth": total - vpc,
                    "EbsBurstBandwidth": total - vpc})
    return out


def _features(record: Mapping[str, Any]) -> dict:
    """The nested answers of a type (the SDK model's CpuOptions, Clock, EnhancedNetwork, NetworkInfo, SecurityOptions,
    Attributes), from the catalogue's figures and the family's features [GUESS: the metadata does not document them;
    values in the API's words of the matching RunInstances parameters]."""
    vcpus = record["CpuCoreCount"]
    threads = threads_per_core(vcpus, record["CpuArchitecture"])
    return {
        "CpuOptions": {"Core": vcpus // threads, "ThreadsPerCore": threads, "CoreFactor": 1,
                       "HyperThreadingAdjustable": threads == 2 and record["InstanceFamilyLevel"] == "EnterpriseLevel",
                       "NestedVirtualizationSupport": record.get("_nested_virtualization", "unsupported"),
                       "SupportedTopologyTypes": {"SupportedTopologyType": list(topology_types(record))}},
        "Clock": {"PtpSupport": record.get("_ptp_support", "unsupported")},
        "EnhancedNetwork": {"SriovSupport": False, "VfQueueNumberPerEni": 0, "ExpressSupport": False,
                            "RssSupport": record["PrimaryEniQueueNumber"] > 1},
        "NetworkInfo": {"BandwidthWeighting": {"WeightingInfos": {"WeightingInfo": _weighting(record)}}},
        "SecurityOptions": {"SecureBootSupport": "supported" if "UEFI" in record["SupportedBootModes"]
                            else "unsupported"},
        "Attributes": {"Attribute": []},
    }


def _expand(family: Mapping[str, Any], row: list, disks: Mapping[str, tuple[str, ...]]) -> dict:
    shared = {k: v for k, v in family.items() if k not in ("columns", "sizes", "zones", "disks")}
    record: dict[str, Any] = {**_DEFAULTS, **shared, **dict(zip(family["columns"], row))}
    record["Architecture"] = ARCHITECTURE[record["CpuArchitecture"]]
    record["InstanceBandwidthTx"] = record["InstanceBandwidthRx"]
    record["InstancePpsTx"] = record["InstancePpsRx"]
    record.setdefault("SecondaryEniQueueNumber", record["PrimaryEniQueueNumber"])
    record["MaximumQueueNumberPerEni"] = record["PrimaryEniQueueNumber"]
    record["TotalEniQueueQuantity"] = record["PrimaryEniQueueNumber"] * record["EniQuantity"]
    record["EniTotalQuantity"] = record["EniQuantity"]
    record["NetworkCards"] = {"NetworkCardInfo": [{"NetworkCardIndex": 0}]}
    record.update(_features(record))
    record["SupportedBootModes"] = {"SupportedBootMode": list(record["SupportedBootModes"])}
    record["_zones"] = family["zones"]
    record["_disks"] = disks
    return record


@lru_cache(maxsize=1)
def _types() -> tuple[list[dict], dict[str, dict]]:
    data = json.loads(resources.files("mockecs").joinpath("data/instance_types.json").read_text("utf-8"))
    groups = {name: {kind: tuple(categories) for kind, categories in group.items()}
              for name, group in data["disk_categories"].items()}
    items = [_expand(family, row, groups[family["disks"]]) for family in data["families"] for row in family["sizes"]]
    return items, {t["InstanceTypeId"]: t for t in items}


def instance_types() -> list[dict]:
    return _types()[0]


def instance_type(type_id: Optional[str]) -> Optional[dict]:
    return _types()[1].get(type_id or "")


@cache
def judged_disk_categories() -> frozenset[str]:
    """The categories the catalogue's families sell or not (the others, such as basic disks, are not judged)."""
    return frozenset(c for t in instance_types() for kind in t["_disks"].values() for c in kind)


def disk_categories(itype: Mapping[str, Any], kind: str) -> tuple[str, ...]:
    """The cloud disk categories a type sells as ``kind`` ("system" or "data") disks, in the catalogue's order."""
    return itype["_disks"][kind]


def sells(itype: Mapping[str, Any], zone_id: str) -> bool:
    rule = itype["_zones"]
    if rule == "*":
        return True
    if "only" in rule:
        return zone_id in rule["only"]
    return zone_id not in rule.get("except", ())


@cache
def types_in_zone(zone_id: str) -> tuple[str, ...]:
    """The ids of the types a zone sells, in catalogue order."""
    return tuple(t["InstanceTypeId"] for t in instance_types() if sells(t, zone_id))


@cache
def zone_disk_categories(zone_id: str, kind: str) -> frozenset[str]:
    """The cloud disk categories of ``kind`` ("system"/"data") the types a zone sells take: the union of their
    families' groups (static: computed once per zone)."""
    return frozenset(c for t in types_in_zone(zone_id) for c in disk_categories(instance_type(t), kind))


@lru_cache(maxsize=4096)
def zones_selling(type_id: str, region_id: str) -> tuple[str, ...]:
    """The zones of a region that sell a type (none for an unknown type or region)."""
    itype = instance_type(type_id)
    if itype is None or not regions.exists(region_id):
        return ()
    return tuple(z for z in regions.zone_ids(region_id) if sells(itype, z))


def wire(itype: Mapping[str, Any]) -> dict:
    """A type as DescribeInstanceTypes answers it."""
    return {k: v for k, v in itype.items() if not k.startswith("_") and k not in _INTERNAL}

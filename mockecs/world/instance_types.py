"""The instance-type catalogue (``data/instance_types.json``): families, their sizes, and the zones that sell them.

The file lists families (shared fields, a ``columns`` header, one row per size, ``zones``). Each type is
expanded once into the wire shape of ``DescribeInstanceTypesResponseBodyInstanceTypesInstanceType`` plus
``Architecture`` (``x86_64``/``arm64``, as images name it), ``Generation`` and ``_zones`` (a rule, read by
:func:`sells`), which :func:`wire` leaves out.
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
    "EniTrunkSupported": True, "NetworkCardQuantity": 1,
}
_INTERNAL = ("Architecture", "Generation")


def _expand(family: Mapping[str, Any], row: list) -> dict:
    shared = {k: v for k, v in family.items() if k not in ("columns", "sizes", "zones")}
    record: dict[str, Any] = {**_DEFAULTS, **shared, **dict(zip(family["columns"], row))}
    record["Architecture"] = ARCHITECTURE[record["CpuArchitecture"]]
    record["InstanceBandwidthTx"] = record["InstanceBandwidthRx"]
    record["InstancePpsTx"] = record["InstancePpsRx"]
    record.setdefault("SecondaryEniQueueNumber", record["PrimaryEniQueueNumber"])
    record["MaximumQueueNumberPerEni"] = record["PrimaryEniQueueNumber"]
    record["TotalEniQueueQuantity"] = record["PrimaryEniQueueNumber"] * record["EniQuantity"]
    record["EniTotalQuantity"] = record["EniQuantity"]
    record["NetworkCards"] = {"NetworkCardInfo": [{"NetworkCardIndex": 0}]}
    record["SupportedBootModes"] = {"SupportedBootMode": list(record["SupportedBootModes"])}
    record["_zones"] = family["zones"]
    return record


@lru_cache(maxsize=1)
def _types() -> tuple[list[dict], dict[str, dict]]:
    data = json.loads(resources.files("mockecs").joinpath("data/instance_types.json").read_text("utf-8"))
    items = [_expand(family, row) for family in data["families"] for row in family["sizes"]]
    return items, {t["InstanceTypeId"]: t for t in items}


def instance_types() -> list[dict]:
    return _types()[0]


def instance_type(type_id: Optional[str]) -> Optional[dict]:
    return _types()[1].get(type_id or "")


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

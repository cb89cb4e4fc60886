"""Storage sets: disks of one zone spread over a set's partitions (kind ``storage_set``, ids ``ss-``).

A set has ``StorageSetPartitionNumber`` partitions (CreateStorageSet's MaxPartitionNumber, 2 by default). A disk in
a set (CreateDisk's StorageSetId, or RunInstances' data disks: :func:`placements`) carries ``StorageSetId`` and
``StorageSetPartitionNumber`` (its partition, from 1) and the index terms :data:`IN_SET` and :data:`IN_PARTITION`
(:func:`disk_terms`): a set's disks, a partition's count, a set's emptiness are index lookups. A disk asked into no
particular partition goes to the one holding the fewest of the set's disks (the lowest number on a tie) [GUESS:
the service spreads them; how is not documented].
"""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Optional

from mockecs.wire.errors import EcsError
from mockecs.world import resources
from mockecs.world.context import Context

KIND = "storage_set"
IN_SET = "storage_set"  # (the disk term of a set's disks)
IN_PARTITION = "ss_partition"  # (the disk term of a set's partition: "<set id>|<n>")
# Disk categories a set takes [GUESS: the documentation names cloud disks of these kinds; basic and local disks
# are refused with the documented InvalidStorageSetId.DiskCategoryUnsupported]
CATEGORIES = ("cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry")
DEFAULT_PARTITIONS = 2  # (documented)

resources.ORDER[KIND] = lambda record: resources.time_key(record.get("_created", 0.0))  # creation order [GUESS]


def set_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    where = f"{record['_owner']}|{record['_region']}"
    return [("ss_zone", f"{where}|{record['ZoneId']}"), ("ss_name", f"{where}|{record['StorageSetName']}")]


resources.TERMS[KIND] = set_terms


def disk_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A disk's terms as a member of its set (none outside one)."""
    set_id = record.get("StorageSetId")
    if not set_id:
        return []
    return [(IN_SET, set_id), (IN_PARTITION, f"{set_id}|{record.get('StorageSetPartitionNumber') or 0}")]


def find(ctx: Context, set_id: Optional[str]) -> Optional[dict]:
    """The caller's storage set here, or None."""
    record = resources.get(ctx, KIND, set_id)
    return record if resources.is_mine(ctx, record) else None


def view(record: Mapping[str, Any]) -> dict:
    return {**resources.wire(record), "Tags": resources.key_value_tags(record)}


class Refusals(NamedTuple):
    """What a launch or CreateDisk answers for a set it cannot place disks in (each action documents its own)."""

    not_found: type[EcsError]
    partition: type[EcsError]
    zone: type[EcsError]
    category: Optional[type[EcsError]] = None


def placements(ctx: Context, set_id: Optional[str], partition: Optional[int], zone_id: str, categories: list[str],
               refusals: Refusals) -> list[dict]:
    """The set fields of each of the disks (of ``categories``) a call makes in zone ``zone_id``: every check made
    before anything is written. No set: empty fields; a partition asked for: every disk in it; else each disk to
    the emptiest partition at that point (one batch of counts over the set's partitions)."""
    if not set_id:
        return [{} for _ in categories]
    record = find(ctx, set_id)
    if record is None:
        raise refusals.not_found
    most = int(record["StorageSetPartitionNumber"])
    if partition is not None and not 1 <= partition <= most:
        raise refusals.partition
    if record["ZoneId"] != zone_id:
        raise refusals.zone
    if refusals.category is not None and any(c not in CATEGORIES for c in categories):
        raise refusals.category
    if partition is not None:
        return [{"StorageSetId": set_id, "StorageSetPartitionNumber": partition} for _ in categories]
    counts = ctx.txn.counts("disk", [(IN_PARTITION, f"{set_id}|{n}") for n in range(1, most + 1)])
    out = []
    for _ in categories:
        chosen = counts.index(min(counts))
        counts[chosen] += 1
        out.append({"StorageSetId": set_id, "StorageSetPartitionNumber": chosen + 1})
    return out

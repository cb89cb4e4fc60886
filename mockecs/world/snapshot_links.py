"""Snapshot links (the chain of a disk's snapshots, ``sl-`` + the disk's id) and how much the snapshots hold, kept for
DescribeSnapshotLinks and DescribeSnapshotsUsage without reading the snapshots.

- A link has a record of its own (kind ``snapshot_link``, the engine's: not a resource kind of
  :data:`resources.ID_FIELD`, so neither the dashboard nor a reindex lists it) from its disk's first snapshot until
  its last is deleted: :func:`written` and :func:`deleted` run on every snapshot written or deleted
  (:data:`resources.WRITTEN`, :data:`resources.DELETED`), so a region's links are listed as a page of an ordered
  index (first snapshot first). A reindex writes every snapshot again, which writes the links they lack.
- Each snapshot carries the index terms :func:`terms`: its link's (a count is the link's TotalCount), and, for each
  bit set in its size in GiB (``SourceDiskSize``), a term of its link and one of its owner's region. A size total is
  then the sum of ``2**bit x count`` over at most 17 bits (65,536 GiB, the largest disk): one batch of counts,
  whatever the number of snapshots. A snapshot's size is its source disk's [GUESS: mockecs keeps no disk content to
  make snapshots incremental; FullSnapshotSizeInBytes is the same].
"""
from __future__ import annotations

from typing import Any, Mapping

from mockecs.state.store import Term, Transaction
from mockecs.wire.params import whole_number
from mockecs.world import resources

KIND = "snapshot_link"
IN_LINK = "link"  # (the snapshot term of its link's snapshots)
BITS = 17  # (sizes up to 2**17 - 1 GiB; disks end at 65,536)
GIB = 1024 ** 3



def _bits(size: int) -> list[int]:
    return [bit for bit in range(BITS) if size >> bit & 1]


def _size(record: Mapping[str, Any]) -> int:
    return whole_number(str(record.get("SourceDiskSize") or "0"), 0, 10**9) or 0


def key(account: str, region: str, link_id: str) -> str:
    """The id of a link's record: its owner's, in its region (a snapshot copied to another region keeps its source
    disk's link id; there it is a chain of its own [GUESS])."""
    return f"{account}|{region}|{link_id}"


def _key(record: Mapping[str, Any]) -> str:
    return key(record["_owner"], record["_region"], record.get("SnapshotLinkId") or "")


def terms(record: Mapping[str, Any]) -> list[Term]:
    """A snapshot's terms: its link, and its size's bits (per link, per owner and region)."""
    where = f"{record['_owner']}|{record['_region']}"
    bits = _bits(_size(record))
    out: list[Term] = [("size_gib", f"{where}|{bit}") for bit in bits]
    if record.get("SnapshotLinkId"):
        link = _key(record)
        out.append((IN_LINK, link))
        out.extend(("link_gib", f"{link}|{bit}") for bit in bits)
    return out


def total_bytes(txn: Transaction, kind_terms: list[Term]) -> int:
    """Bytes of the snapshots under the bit terms ``kind_terms`` (in bit order)."""
    return sum(n << bit for bit, n in enumerate(txn.counts("snapshot", kind_terms))) * GIB


def usage_terms(account: str, region: str) -> list[Term]:
    return [("size_gib", f"{account}|{region}|{bit}") for bit in range(BITS)]


def link_terms(link_key: str) -> list[Term]:
    """The bit terms of a link's snapshots (``link_key``: its record's id, :func:`key`)."""
    return [("link_gib", f"{link_key}|{bit}") for bit in range(BITS)]


def written(txn: Transaction, record: Mapping[str, Any]) -> None:
    """A snapshot was written: its link gets its record, if it has none (what the first snapshot tells of its disk:
    the instance it was on, its type and size at the time)."""
    link_id = record.get("SnapshotLinkId")
    if not link_id or txn.get(KIND, _key(record)) is not None:
        return
    created = resources.parse_iso(record.get("CreationTime") or "") or 0.0
    instance_id = record.get("_instance_id") or ""
    terms = [resources.owner_region(record["_owner"], record["_region"])] + \
        ([("link_instance", instance_id)] if instance_id else [])
    txn.put(KIND, _key(record), {
        "_id": _key(record), "SnapshotLinkId": link_id, "SourceDiskId": record.get("SourceDiskId") or "",
        "SourceDiskSize": str(_size(record)),  # (text, as in snapshots; answered as a number)
        "SourceDiskType": record.get("SourceDiskType") or "",
        "InstanceId": instance_id, "RegionId": record["_region"],
        "Category": record.get("Category") or "standard", "InstantAccess": bool(record.get("InstantAccess")),
        "_owner": record["_owner"], "_region": record["_region"], "_created": created,
    }, terms, resources.time_key(created))


def deleted(txn: Transaction, record: Mapping[str, Any]) -> None:
    """A snapshot was deleted: its link goes with its last snapshot."""
    if record.get("SnapshotLinkId") and not txn.count("snapshot", (IN_LINK, _key(record))):
        txn.delete(KIND, _key(record))


resources.WRITTEN["snapshot"] = written
resources.DELETED["snapshot"] = deleted

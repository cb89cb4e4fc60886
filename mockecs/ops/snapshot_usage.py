"""What the snapshots of a region add up to: DescribeSnapshotLinks (each disk's chain of snapshots),
DescribeSnapshotsUsage (how many, how large), DescribeSnapshotPackage (the OSS storage packages bought for them);
all counted through index terms (:mod:`mockecs.world.snapshot_links`), never by reading the snapshots.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.ops.snapshot_policies import json_ids
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, S
from mockecs.world import auto_snapshots, paging, resources, snapshot_links, snapshot_packages

# -- DescribeSnapshotLinks -----------------------------------------------------------------------------------------
BAD_DISK_IDS = error_kind("InvalidDiskIds", "The specified diskIds is invalid.", 400)
BAD_LINK_IDS = error_kind("InvalidSnapshotLinkIds", "The specified snapshotLinkIds is invalid.", 400)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified instanceId is not exists.\t", 400)
_REGION_ERROR = ("InvalidRegionId", 400, "The specified regionId is invalid.")


def _view(ctx: Context, record: Mapping[str, Any], disk: Optional[Mapping[str, Any]],
          instance: Optional[Mapping[str, Any]], counts: list[int]) -> dict:
    """A link as answered: its snapshots' number and bytes (counts of its terms), its disk's and instance's names
    as they are now (empty once gone)."""
    total, bits = counts[0], counts[1:]
    return {**resources.wire(record), "SourceDiskSize": int(record["SourceDiskSize"]),
            "SourceDiskName": (disk or {}).get("DiskName", ""),
            "InstanceName": (instance or {}).get("InstanceName", ""), "TotalCount": total,
            "TotalSize": sum(n << bit for bit, n in enumerate(bits)) * snapshot_links.GIB}


def _ids(text: Optional[str], malformed: type[EcsError]) -> Optional[list[str]]:
    """A JSON array of at most 100 ids (also a bare comma list); malformed: the documented code."""
    if not text:
        return None
    ids = json_ids(text, malformed)
    if len(ids) > 100:
        raise malformed
    return ids


@operation("DescribeSnapshotLinks", S("InstanceId"), S("DiskIds"), S("SnapshotLinkIds"), paging.PAGE_NUMBER,
           I("PageSize", default=10, min=1, max=100), region_error=_REGION_ERROR)
def describe_snapshot_links(ctx: Context, instance_id: Optional[str], disk_ids: Optional[str],
                            snapshot_link_ids: Optional[str], page_number: int, page_size: int) -> dict:
    """The caller's links here; DiskIds name them by their disk (a link is ``sl-`` + its disk's id), InstanceId by
    the instance its disk was on at its first snapshot [GUESS]; the filters narrow one another; oldest first."""
    disk_ids = _ids(disk_ids, BAD_DISK_IDS)
    snapshot_link_ids = _ids(snapshot_link_ids, BAD_LINK_IDS)
    if instance_id and not resources.is_mine(ctx, resources.get(ctx, "instance", instance_id)):
        raise INSTANCE_NOT_FOUND
    auto_snapshots.settle_due(ctx)  # (the automatic snapshots due by now are in the chains)
    named: Optional[set[str]] = None
    for wanted in (snapshot_link_ids, ["sl-" + d[2:] for d in disk_ids] if disk_ids else None):
        if wanted is not None:
            keys = {snapshot_links.key(ctx.account, ctx.region, link_id) for link_id in wanted}
            named = keys if named is None else named & keys

    def found() -> list[dict]:
        if named is not None and not named:  # (ids and disks naming no common link)
            return []
        return [r for r in resources.mine_among(ctx, snapshot_links.KIND, named,
                                                ("link_instance", instance_id) if instance_id else None)
                if not instance_id or r["InstanceId"] == instance_id]

    page, total = paging.by_creation(ctx, snapshot_links.KIND, not (instance_id or disk_ids or snapshot_link_ids),
                                     found, page_number, page_size)
    disks = resources.get_many(ctx, "disk", [r["SourceDiskId"] for r in page])
    instances = resources.get_many(ctx, "instance", [r["InstanceId"] for r in page])
    links = []
    for record, disk, instance in zip(page, disks, instances):
        terms = [(snapshot_links.IN_LINK, record["_id"])] + snapshot_links.link_terms(record["_id"])
        links.append(_view(ctx, record, disk, instance, ctx.txn.counts("snapshot", terms)))
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "SnapshotLinks": {"SnapshotLink": links}}


# -- DescribeSnapshotsUsage ---------------------------------------------------------------------------------------
@operation("DescribeSnapshotsUsage", region_error=("InvalidParam.RegionId", 403, "The specified region is not exist."))
def describe_snapshots_usage(ctx: Context) -> dict:
    """The caller's snapshots here, of every status, and their bytes (each its source disk's size [GUESS])."""
    auto_snapshots.settle_due(ctx)
    count = ctx.txn.count("snapshot", resources.owner_region(ctx.account, ctx.region))
    size = snapshot_links.total_bytes(ctx.txn, snapshot_links.usage_terms(ctx.account, ctx.region))
    return {"SnapshotCount": count, "SnapshotSize": size}


# -- DescribeSnapshotPackage --------------------------------------------------------------------------------------
_PACKAGE_FIELDS = ("DisplayName", "InitCapacity", "StartTime", "EndTime")


@operation("DescribeSnapshotPackage", paging.PAGE_NUMBER, I("PageSize", default=10, min=1, max=100))
def describe_snapshot_package(ctx: Context, page_number: int, page_size: int) -> dict:
    """The packages :func:`mockecs.world.snapshot_packages.add` gave the caller here, bought first first."""
    page, meta = paging.ordered_page(ctx, snapshot_packages.KIND, resources.owner_region(ctx.account, ctx.region),
                                     page_number, page_size, None, None)
    return {"TotalCount": meta["TotalCount"], "PageNumber": page_number, "PageSize": page_size,
            "SnapshotPackages": {"SnapshotPackage": [{f: r[f] for f in _PACKAGE_FIELDS} for r in page]}}

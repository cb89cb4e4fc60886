"""Snapshot records (kind ``snapshot``): the fields every new snapshot starts with, whoever takes it (CreateSnapshot,
CreateImage, ImportImage, CopySnapshot in :mod:`mockecs.ops.snapshots`; an automatic snapshot policy in
:mod:`mockecs.world.auto_snapshots`)."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.world import resource_groups, resources
from mockecs.world.context import Context

GROUP = "snapshot_group"  # (mockecs.ops.snapshot_groups')
resources.ORDER[GROUP] = lambda record: f"{resources.time_key(record['_created'])} {record['SnapshotGroupId']}"
resources.TERMS[GROUP] = lambda record: [("snapshot_group_instance", record["InstanceId"])] if record["InstanceId"] \
    else []


def over_quota(ctx: Context, region: str, needed: int = 1) -> bool:
    """Whether ``needed`` more snapshots of the caller in ``region`` pass the ``snapshot_quota`` option (snapshots
    per account and region; none: no limit, and no count is read)."""
    limit = ctx.config.options["snapshot_quota"]
    return limit is not None and ctx.txn.count("snapshot", resources.owner_region(ctx.account, region)) + needed > limit


def new_record(disk: Mapping[str, Any], snapshot_id: str, at: float, name: Optional[str] = None,
               description: Optional[str] = None, tags: Optional[list[dict]] = None,
               retention_days: Optional[int] = None, resource_group_id: Optional[str] = None,
               category: Optional[str] = None) -> dict:
    """A ``progressing`` user snapshot of ``disk`` (a disk record) taken at ``at`` (mock-clock seconds), in the
    wire shape of ``DescribeSnapshotsResponseBodySnapshotsSnapshot`` plus ``_owner``, ``_region``, ``_image_id``,
    ``_instance_id``; not stored."""
    region = disk["_region"]
    when = resources.iso(at)
    return {
        "SnapshotId": snapshot_id,
        "SnapshotName": name or "",
        "Description": description or "",
        "Status": "progressing",
        "Progress": "0%",
        "RemainTime": 0,
        "Available": False,
        "CreationTime": when,
        "LastModifiedTime": when,
        "SourceDiskId": disk.get("DiskId") or "",
        "SourceDiskSize": str(disk["Size"]),
        "SourceDiskType": disk["Type"],
        "SourceStorageType": "disk",
        "Usage": "none",
        "SnapshotType": "user",
        "Category": category or "standard",
        "InstantAccess": False,
        "InstantAccessRetentionDays": 0,
        "RetentionDays": retention_days or 0,
        "Encrypted": bool(disk.get("Encrypted")),
        "KMSKeyId": disk.get("KMSKeyId", ""),
        "ProductCode": disk.get("ProductCode", ""),
        "RegionId": region,
        "ResourceGroupId": resource_group_id or resource_groups.default_id(disk["_owner"]),
        "SnapshotSN": "64" + snapshot_id[2:].upper().ljust(20, "0")[:18],
        "SnapshotLinkId": "sl-" + disk["DiskId"][2:] if disk.get("DiskId") else "",
        "SourceRegionId": "",
        "SourceSnapshotId": "",
        "FullSnapshotSizeInBytes": int(disk["Size"]) * 1024 ** 3,
        "Tags": {"Tag": [dict(t) for t in tags or ()]},
        "_owner": disk["_owner"],
        "_region": region,
        "_image_id": disk.get("_image_id") or disk.get("ImageId") or "",
        "_instance_id": disk.get("InstanceId") or "",
        # (an encrypted disk's EncryptAlgorithm, when it is not the default AES-256: no answer shows it)
        **({"_encrypt_algorithm": disk["_encrypt_algorithm"]} if disk.get("_encrypt_algorithm") else {}),
    }


DONE = {"Status": "accomplished", "Progress": "100%", "Available": True}
FAILED = {"Status": "failed", "Progress": "0%", "Available": False}

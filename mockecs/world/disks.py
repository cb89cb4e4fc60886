"""Cloud disk facts shared by launching, pricing and imaging: the documented size ranges (GiB), and whether a
snapshot of a disk is still being taken (which many disk and instance operations refuse)."""
from __future__ import annotations

from functools import cache
from typing import Any, Mapping, Optional, Sequence

from mockecs.wire.errors import error_kind
from mockecs.world import instance_types, resources
from mockecs.world.context import Context

# ESSD minimum size by performance level; PL1 is the default level.
_ESSD_MIN = {"PL0": 1, "PL1": 20, "PL2": 461, "PL3": 1261}
_SYSTEM = {"cloud": (20, 500), "cloud_auto": (1, 2048)}
_DATA = {"cloud": (5, 2000), "cloud_auto": (1, 32768), "cloud_essd_entry": (10, 32768), "ephemeral_ssd": (5, 800)}


def system_disk_range(category: str, performance_level: Optional[str] = None) -> tuple[int, int]:
    if category == "cloud_essd":
        return _ESSD_MIN.get(performance_level or "PL1", 20), 2048
    return _SYSTEM.get(category, (20, 2048))


def data_disk_range(category: str, performance_level: Optional[str] = None) -> tuple[int, int]:
    if category == "cloud_essd":
        return _ESSD_MIN.get(performance_level or "PL1", 20), 32768
    return _DATA.get(category, (20, 32768))


# Baseline performance by category (and ESSD level), as Alibaba's block-storage performance tables give it:
# IOPS = min(base + per GiB x size, most), throughput (MB/s) = min(base + per GiB x size, most). Checked against
# the service's answers for 40 GiB disks: ESSD PL1 3,800 IOPS and 140 MB/s, ultra 2,120 IOPS and 106 MB/s.
_PERFORMANCE = {
    ("cloud_essd", "PL0"): ((1800, 12, 10000), (100, 0.25, 180)),
    ("cloud_essd", "PL1"): ((1800, 50, 50000), (120, 0.5, 350)),
    ("cloud_essd", "PL2"): ((1800, 50, 100000), (120, 0.5, 750)),
    ("cloud_essd", "PL3"): ((1800, 50, 1000000), (120, 0.5, 4000)),
    ("cloud_auto", ""): ((1800, 50, 50000), (120, 0.5, 350)),
    ("cloud_essd_entry", ""): ((1800, 8, 6000), (100, 0.15, 150)),
    ("cloud_ssd", ""): ((1800, 30, 25000), (120, 0.5, 300)),
    ("cloud_efficiency", ""): ((1800, 8, 5000), (100, 0.15, 140)),
}


# ESSD AutoPL (cloud_auto): provisioned IOPS come on top of the baseline, each adding 16 KiB/s of throughput, up
# to these totals; ProvisionedIops itself is at most min(50,000, 1,000 x size - baseline IOPS) (ModifyDiskSpec).
AUTO_MOST_IOPS, AUTO_MOST_THROUGHPUT, AUTO_MOST_PROVISIONED = 1000000, 4096, 50000


def performance(category: str, size: int, performance_level: str = "", provisioned_iops: int = 0) -> dict:
    """A disk's IOPS and Throughput (0 for basic and local disks, whose figures the tables do not give)."""
    found = _PERFORMANCE.get((category, performance_level if category == "cloud_essd" else ""))
    if found is None:
        return {"IOPS": 0, "Throughput": 0}
    (iops, per_gib, most), (mbps, mbps_per_gib, most_mbps) = found
    out = {"IOPS": min(most, iops + per_gib * int(size)),
           "Throughput": int(min(most_mbps, mbps + mbps_per_gib * int(size)))}
    if category == "cloud_auto" and provisioned_iops:
        out = {"IOPS": min(AUTO_MOST_IOPS, out["IOPS"] + provisioned_iops),
               "Throughput": min(AUTO_MOST_THROUGHPUT, out["Throughput"] + provisioned_iops * 16 // 1024)}
    return out


def most_provisioned_iops(size: int) -> int:
    """The largest ProvisionedIops a cloud_auto disk of ``size`` GiB takes (documented)."""
    return max(0, min(AUTO_MOST_PROVISIONED, 1000 * int(size) - performance("cloud_auto", size)["IOPS"]))


DISK_STATUSES = ("In_use", "Available", "Attaching", "Detaching", "Creating", "ReIniting")
PERFORMANCE_LEVELS = tuple(_ESSD_MIN)


def detached(now_iso: str) -> dict:
    """The fields of a disk that no longer hangs on an instance (DetachDisk, DeleteInstance's survivors)."""
    return {"InstanceId": "", "Device": "", "Status": "Available", "DetachedTime": now_iso,
            "Attachments": {"Attachment": []}, "MountInstances": {"MountInstance": []}, "MountInstanceNum": 0}


def attached(instance_id: str, device: str, now_iso: str, multi_attach: bool = False,
             attachments: Sequence[Mapping[str, Any]] = ()) -> dict:
    """The fields of a disk attached to ``instance_id`` at ``device`` (AttachDisk, launches). A multi-attach disk
    keeps its other ``attachments`` and names no InstanceId nor Device (documented: always empty for such a disk;
    its Attachment list tells them), and lists the same in MountInstances [GUESS: the shared storage's list]."""
    attachment = [*attachments, {"AttachedTime": now_iso, "InstanceId": instance_id, "Device": device}]
    if multi_attach:
        return {**_multi(attachment), "Status": "In_use", "AttachedTime": now_iso, "_attached_once": True}
    return {"InstanceId": instance_id, "Device": device, "Status": "In_use", "AttachedTime": now_iso,
            "Attachments": {"Attachment": attachment}, "_attached_once": True}


def _multi(attachment: list) -> dict:
    return {"InstanceId": "", "Device": "", "Attachments": {"Attachment": attachment},
            "MountInstances": {"MountInstance": [dict(a) for a in attachment]}, "MountInstanceNum": len(attachment)}


def in_arrears(disk: Mapping[str, Any]) -> bool:
    """Whether the disk carries a financial lock (a subscription disk of an instance that expired unrenewed:
    :mod:`mockecs.world.instance_clock`); CreateSnapshot, ResizeDisk and AttachDisk answer DiskInArrears."""
    return any(str(lock.get("LockReason", "")).lower() == "financial"
               for lock in (disk.get("OperationLocks") or {}).get("OperationLock") or ())


# Dedicated block storage clusters are not modelled: an account owns none, so a StorageClusterId (CreateDisk, a
# launch's SystemDisk / DataDisk.N) names none, answered once the parameters the operation checks are in order.
STORAGE_CLUSTER_NOT_FOUND = error_kind("InvalidStorageClusterId.NotExist",
                                       "The specified StorageClusterId does not exist in current region.", 404)
# What the operations a multi-attach disk does not take answer (ModifyDiskSpec, ReInitDisk, ResetDisks,
# ModifyDiskChargeType, CreateSnapshotGroup: documented).
MULTI_ATTACH_DISK = error_kind("InvalidOperation.MultiAttachDisk", "Multi attach disk does not support this operation.",
                               403)
# A multi-attach disk is attached to at most this many instances at once (documented: 16, in the disk's zone).
MULTI_ATTACH_MOST = 16


# The categories a disk takes MultiAttach=Enabled in (the multi-attach guide: ESSD at every level and ESSD AutoPL; not
# ESSD Entry; CreateDisk's BurstingEnabledForMultiAttachDiskUnsupported speaks of AutoPL ones).
MULTI_ATTACH_CATEGORIES = ("cloud_essd", "cloud_auto")


@cache
def multi_attach_zone(zone_id: str) -> bool:
    """Whether a zone sells multi-attach disks: where it sells a type whose disks attach over NVMe (documented: the
    zones of the families that take them)."""
    return any(instance_types.instance_type(t)["NvmeSupport"] == "required"
               for t in instance_types.types_in_zone(zone_id))


def multi_attach(disk: Mapping[str, Any]) -> bool:
    return disk.get("MultiAttach") == "Enabled"


def attachments(disk: Mapping[str, Any]) -> list:
    """A disk's attachments (a multi-attach disk's, one per instance it is on)."""
    found = (disk.get("Attachments") or {}).get("Attachment")
    return found if isinstance(found, list) else []


def on_instance(disk: Mapping[str, Any], instance_id: str) -> bool:
    """Whether the disk hangs on ``instance_id`` (a multi-attach disk: one of its attachments)."""
    return disk.get("InstanceId") == instance_id or (
        multi_attach(disk) and any(a.get("InstanceId") == instance_id for a in attachments(disk)))


def device_on(disk: Mapping[str, Any], instance_id: str) -> str:
    """The disk's device on ``instance_id`` (a multi-attach disk's: that attachment's)."""
    if not multi_attach(disk):
        return disk.get("Device") or ""
    return next((a.get("Device") or "" for a in attachments(disk) if a.get("InstanceId") == instance_id), "")


def attached_instance_ids(disk: Mapping[str, Any]) -> list[str]:
    """The instances a disk is attached to (several for a multi-attach disk)."""
    if multi_attach(disk):
        return [a["InstanceId"] for a in attachments(disk) if a.get("InstanceId")]
    return [disk["InstanceId"]] if disk.get("InstanceId") else []


def detached_from(disk: Mapping[str, Any], instance_id: str, now_iso: str) -> dict:
    """The fields of a disk once it left ``instance_id``: detached, or a multi-attach disk still In_use on the
    instances left (DetachDisk, DeleteInstance)."""
    left = [dict(a) for a in attachments(disk) if a.get("InstanceId") != instance_id] if multi_attach(disk) else []
    if not left:
        return detached(now_iso)
    return {**_multi(left), "Status": "In_use", "DetachedTime": now_iso}


def instance_disks(ctx: Context, instance_id: str) -> list[dict]:
    """The disks attached to an instance, system disk first, then data disks by device."""
    disks = [d for d in (resources.get(ctx, "disk", i) for i in ctx.txn.ids("disk", ("instance", instance_id)))
             if d is not None and on_instance(d, instance_id)]
    return sorted(disks, key=lambda d: (d["Type"] != "system", device_on(d, instance_id), d["DiskId"]))


def snapshot_in_progress(ctx: Context, disk_id: str) -> bool:
    """Whether a snapshot of the disk is still ``progressing`` (each operation answers its own documented code)."""
    for snapshot_id in ctx.txn.ids("snapshot", ("disk", disk_id)):
        snapshot = resources.get(ctx, "snapshot", snapshot_id)
        if snapshot is not None and snapshot["Status"] == "progressing":
            return True
    return False

"""Releasing an instance: what DeleteInstance does once its checks passed, and what the mock clock does when an
instance's AutoReleaseTime comes or an expired subscription's retention ends (:mod:`mockecs.world.instance_clock`).

Disks with ``DeleteWithInstance`` go (their automatic snapshots with them when ``DeleteAutoSnapshot``), the others
stay as detached, portable disks; EIPs are unassociated and kept; the primary ENI goes, secondary ENIs go or are
detached as their ``DeleteOnRelease`` says; the private address returns to the vSwitch; the image's usage follows.
"""
from __future__ import annotations

from typing import Any, Mapping

from mockecs.world import auto_snapshots, classic_links, eips, havips, interfaces, launch, networks, resources
from mockecs.world.context import Context
from mockecs.world.disks import detached_from, instance_disks, multi_attach

DUE = "instance_due"  # (the index of mockecs.world.instance_clock: a released instance leaves it)


def _left(disk: Mapping[str, Any], instance_id: str, now_iso: str) -> dict:
    """A disk that outlives ``instance_id``. A multi-attach disk attaching to or detaching from another instance
    keeps that status, and the attachments it ends with leave this instance too."""
    record = {**disk, **detached_from(disk, instance_id, now_iso), "Portable": True}
    pending = disk.get("_pending")
    if pending is None or not multi_attach(disk):
        return record
    outcome = pending["outcome"]
    if "Attachments" in outcome:  # (DetachDisk's: the attachments left once it ends)
        outcome = {**outcome, **detached_from({**disk, **outcome}, instance_id, now_iso)}
    return {**record, "Status": disk["Status"], "_pending": {**pending, "outcome": outcome}}


def release_instance(ctx: Context, record: Mapping[str, Any]) -> None:
    """Release ``record`` (an instance) and what goes with it, as of ``ctx.now``."""
    instance_id = record["InstanceId"]
    for disk in instance_disks(ctx, instance_id):
        if disk.get("DeleteWithInstance", True) and not multi_attach(disk):  # (never: documented)
            auto_snapshots.released(ctx, disk)
            resources.delete(ctx.txn, "disk", disk["DiskId"])
        else:  # survives as a detached, portable disk (a multi-attach disk: still on the other instances)
            resources.put(ctx.txn, "disk", _left(disk, instance_id, resources.iso(ctx.now)))
    eips.released_with(ctx, [instance_id])
    havips.released_with(ctx, [instance_id])
    classic_links.released_with(ctx, instance_id)
    interfaces.release_instance(ctx, record)
    resources.delete(ctx.txn, "instance", instance_id)
    ctx.txn.delete(DUE, instance_id)
    networks.release(ctx, record)
    launch.release(ctx, record.get("ImageId"))

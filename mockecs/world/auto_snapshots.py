"""Automatic snapshots: what an automatic snapshot policy takes on the mock clock, lazily.

A disk with a policy (``AutoSnapshotPolicyId``) and ``EnableAutoSnapshot`` gets a snapshot at each of the
policy's time points (``TimePoints``: hours in UTC+8; ``RepeatWeekdays``: 1-7, Monday = 1, in UTC+8 too, both
documented) after the policy was applied. Nothing runs by itself: a read that can show snapshots
(DescribeSnapshots) first calls :func:`settle_due`, which takes the snapshots due since the disk got its policy
(or since the last read that settled it) up to now, each as it would have been taken at its time point
(``SnapshotType`` auto, ``accomplished``, ``CreationTime`` the time point, ``RetentionDays`` the policy's), and
deletes the snapshots whose retention has ended: automatic ones, and user snapshots made with ``RetentionDays``
(CreateSnapshot, CopySnapshot; ModifySnapshotAttribute lengthens it), counted from their creation (:func:`retain`).
A snapshot an image was made from is kept past its retention [GUESS: as DeleteSnapshot refuses to delete it].

The :data:`DUE` index holds one entry per disk with a policy, keyed by its next time point, and one per
snapshot with a retention, keyed by its end; :func:`settle_due` reads it from its head up to now, so a
read touches only the disks and snapshots with something due (none: one empty index page).

Catch-up is bounded: per disk and settling, only time points whose snapshot would still be kept now (within the
policy's ``RetentionDays``), and at most the newest ``auto_snapshot_catch_up`` of them (option, default 100):
a clock advanced by a year takes at most that many per disk, the older time points are skipped. Beyond
``auto_snapshots_per_disk`` (option, default 1000, the documented quota) a disk's oldest automatic snapshots are
deleted as new ones are taken.
"""
from __future__ import annotations

import json
import time
from typing import Any, Mapping, Optional

from mockecs.world import resources, snapshots
from mockecs.world.context import Context

POLICY = "snapshot_policy"  # (the policy kind of mockecs.ops.snapshot_policies)
resources.ORDER[POLICY] = lambda record: resources.time_key(record.get("_created", 0.0))  # creation order [GUESS]
# When each disk's policy next takes a snapshot (ids d-...) and when each automatic snapshot's retention ends
# (ids s-...), soonest first, per owner and region: an index of the engine's own, not a resource kind.
DUE = "auto_snapshot_due"
OF_DISK = "auto_disk"  # the index term of a disk's automatic snapshots (ordered by creation time, oldest first)
LOCAL = 8 * 3600  # time points and weekdays are in UTC+8 (documented)
DAY = 86400
_CHUNK = 50


def _schedule(policy: Mapping[str, Any]) -> tuple[list[int], set[int]]:
    """(hours ascending, weekdays) of a policy; empty when its stored form is unreadable."""
    try:
        hours = sorted({int(h) for h in json.loads(policy.get("TimePoints") or "[]")})
        days = {int(d) for d in json.loads(policy.get("RepeatWeekdays") or "[]")}
    except (TypeError, ValueError):
        return [], set()
    return hours, days


def _weekday(day: int) -> int:
    """ISO weekday (Monday = 1) of local day number ``day`` (days since 1970-01-01, a Thursday)."""
    return (day + 3) % 7 + 1


def _day(ts: float) -> int:
    return int((ts + LOCAL) // DAY)


def next_point(policy: Mapping[str, Any], after: float) -> Optional[float]:
    """The policy's first time point strictly after ``after`` (None: the policy has none)."""
    hours, days = _schedule(policy)
    if not hours or not days:
        return None
    first = _day(after)
    for day in range(first, first + 8):
        if _weekday(day) in days:
            for hour in hours:
                point = day * DAY - LOCAL + hour * 3600.0
                if point > after:
                    return point
    return None


def points_between(policy: Mapping[str, Any], low: float, high: float, most: int) -> list[float]:
    """The policy's time points ``t`` with ``low < t <= high``: the newest ``most`` of them, ascending (the days
    walked back are bounded by ``most``, not by how far apart ``low`` and ``high`` are)."""
    hours, days = _schedule(policy)
    found: list[float] = []
    if not hours or not days or most <= 0:
        return found
    day, last = _day(high), _day(low)
    while day >= last and len(found) < most:
        if _weekday(day) in days:
            for hour in reversed(hours):
                point = day * DAY - LOCAL + hour * 3600.0
                if low < point <= high:
                    found.append(point)
                    if len(found) == most:
                        break
        day -= 1
    return found[::-1]


def _scope(record: Mapping[str, Any]) -> list:
    return [resources.owner_region(record["_owner"], record["_region"])]


def schedule(ctx: Context, disk: Mapping[str, Any], after: float) -> None:
    """Place ``disk`` in the :data:`DUE` order at its policy's first time point after ``after`` (no policy, or
    none to come: out of the order)."""
    policy = ctx.txn.get(POLICY, disk.get("AutoSnapshotPolicyId") or "") if disk.get("AutoSnapshotPolicyId") else None
    point = next_point(policy, after) if policy is not None else None
    if point is None:
        ctx.txn.delete(DUE, disk["DiskId"])
    else:
        ctx.txn.put(DUE, disk["DiskId"], {"_after": after}, _scope(disk), resources.time_key(point))


def set_policy(ctx: Context, disk: Mapping[str, Any], policy_id: str) -> dict:
    """``disk`` with automatic snapshot policy ``policy_id`` (empty: none), stored, its schedule starting now.
    (Callers settle the due automatic snapshots first.)"""
    disk = resources.put(ctx.txn, "disk", {**disk, "AutoSnapshotPolicyId": policy_id,
                                           "EnableAutomatedSnapshotPolicy": bool(policy_id)})
    schedule(ctx, disk, ctx.now)
    return disk


def _name(policy: Mapping[str, Any], point: float) -> str:
    """``auto2.0_<yyyyMMdd>_<policy id>``, the date in UTC+8 (the console documentation's form for ECS)."""
    return f"auto2.0_{time.strftime('%Y%m%d', time.gmtime(point + LOCAL))}_{policy['AutoSnapshotPolicyId']}"


def _take(ctx: Context, disk: Mapping[str, Any], policy: Mapping[str, Any], point: float) -> None:
    retention = int(policy.get("RetentionDays") or -1)
    record = snapshots.new_record(disk, resources.new_id("snapshot", disk["_region"]), point,
                                  name=_name(policy, point), retention_days=retention,
                                  resource_group_id=disk.get("ResourceGroupId") or None)
    record.update(snapshots.DONE, SnapshotType="auto")
    retain(ctx.txn, resources.put(ctx.txn, "snapshot", record), False)


def retain(txn: Any, record: Mapping[str, Any], placed: bool = True) -> None:
    """Place a snapshot in the :data:`DUE` order at the end of its ``RetentionDays`` counted from its creation
    (documented for ModifySnapshotAttribute), automatic or not: it is deleted then. None (0, -1): out of the order
    (``placed`` False: it was in none, a new snapshot)."""
    days = int(record.get("RetentionDays") or 0)
    if days > 0:
        created = resources.parse_iso(record["CreationTime"]) or 0.0
        txn.put(DUE, record["SnapshotId"], {}, _scope(record), resources.time_key(created + days * DAY))
    elif placed:
        txn.delete(DUE, record["SnapshotId"])


def _takes(disk: Mapping[str, Any]) -> bool:
    """Whether a time point snapshots the disk: automatic snapshots enabled, a disk that can be snapshotted (not
    local, attached once: CreateSnapshot's own conditions) [GUESS: a point the disk cannot take is skipped]."""
    return (disk.get("EnableAutoSnapshot", True) is not False and disk.get("_attached_once", True)
            and not str(disk.get("Category", "")).startswith(("local", "ephemeral")))


def settle_disk(ctx: Context, disk: Optional[Mapping[str, Any]], entry: Optional[Mapping[str, Any]],
                disk_id: str) -> None:
    """Take ``disk``'s snapshots due from its :data:`DUE` entry up to now, then place it at its next point."""
    if disk is None or entry is None:
        ctx.txn.delete(DUE, disk_id)
        return
    policy = ctx.txn.get(POLICY, disk.get("AutoSnapshotPolicyId") or "") if disk.get("AutoSnapshotPolicyId") else None
    if policy is None:
        ctx.txn.delete(DUE, disk_id)
        return
    low = float(entry["_after"])
    retention = int(policy.get("RetentionDays") or -1)
    if retention > 0:  # (a point whose snapshot would be gone by now is not taken)
        low = max(low, ctx.now - retention * DAY)
    if _takes(disk):
        options = ctx.config.options
        most = min(int(options["auto_snapshot_catch_up"]), int(options["auto_snapshots_per_disk"]))
        points = points_between(policy, low, ctx.now, most)
        for point in points:
            _take(ctx, disk, policy, point)
        if points:
            _keep_quota(ctx, disk_id, int(options["auto_snapshots_per_disk"]))
    schedule(ctx, disk, ctx.now)


def _keep_quota(ctx: Context, disk_id: str, quota: int) -> None:
    """Beyond the disk's quota of automatic snapshots the oldest are deleted (documented), those an image was made
    from excepted [GUESS]: an ordered page of the disk's automatic snapshots, oldest first."""
    excess = ctx.txn.count("snapshot", (OF_DISK, disk_id)) - quota
    if excess > 0:
        for _, snapshot_id in ctx.txn.page("snapshot", (OF_DISK, disk_id), 0, excess):
            _delete(ctx, snapshot_id)


def _delete(ctx: Context, snapshot_id: str) -> None:
    ctx.txn.delete(DUE, snapshot_id)
    if ctx.txn.get("snapshot", snapshot_id) is not None and not ctx.txn.ids("image", ("snapshot", snapshot_id)):
        resources.delete(ctx.txn, "snapshot", snapshot_id)


def settle_due(ctx: Context) -> None:
    """Take the caller's automatic snapshots due here and delete those past their retention: from the head of the
    :data:`DUE` order up to the first entry still waiting (nothing else is read)."""
    scope = resources.owner_region(ctx.account, ctx.region)
    entries = ctx.txn.page(DUE, scope, 0, _CHUNK)
    if not entries:  # (no policy here: the whole cost of a read)
        return
    now = resources.time_key(ctx.now)
    while True:
        head = [id for key, id in entries if key <= now]
        if not head:
            return
        disk_ids = [id for id in head if id.startswith("d-")]
        if disk_ids:
            placed = ctx.txn.get_many(DUE, disk_ids)
            for disk_id, disk, entry in zip(disk_ids, ctx.txn.get_many("disk", disk_ids), placed):
                settle_disk(ctx, disk, entry, disk_id)
        for snapshot_id in head:  # (past its retention; one an image was made from is kept [GUESS: as
            if not snapshot_id.startswith("d-"):  # DeleteSnapshot refuses to delete it])
                _delete(ctx, snapshot_id)
        if len(head) < _CHUNK:
            return
        entries = ctx.txn.page(DUE, scope, 0, _CHUNK)


def released(ctx: Context, disk: Mapping[str, Any]) -> None:
    """``disk`` is being deleted: the snapshots due until now are taken, then its automatic snapshots are deleted
    with it when ``DeleteAutoSnapshot`` is true (documented; its other snapshots stay)."""
    if disk.get("AutoSnapshotPolicyId"):
        settle_disk(ctx, disk, ctx.txn.get(DUE, disk["DiskId"]), disk["DiskId"])
    ctx.txn.delete(DUE, disk["DiskId"])
    if disk.get("DeleteAutoSnapshot"):  # (those an image was made from excepted [GUESS])
        for snapshot_id in sorted(ctx.txn.ids("snapshot", (OF_DISK, disk["DiskId"]))):
            _delete(ctx, snapshot_id)

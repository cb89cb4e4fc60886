"""What happens to instances by themselves on the mock clock, lazily: a pay-as-you-go instance's
``AutoReleaseTime``, and a subscription's ``ExpiredTime``.

- A pay-as-you-go (``PostPaid``) instance with an ``AutoReleaseTime`` (RunInstances, ModifyInstanceAutoReleaseTime)
  is released at that time as DeleteInstance with ``Force`` releases it (:func:`mockecs.world.releases.
  release_instance`), deletion protection or not (documented: DeletionProtection "只能限制手动释放操作，对系统释放
  操作不生效").
- A pay-as-you-go instance stopped for an overdue account (:func:`stop_for_overdue`) and not reactivated is released
  ``expired_instance_retention_days`` later (documented for ReActivateInstances: 15 days).
- A subscription (``PrePaid``) instance at its ``ExpiredTime``: renewed by its auto-renewal's ``Duration``
  ``PeriodUnit``s from that time when ``RenewalStatus`` is ``AutoRenewal``; else stopped (``Status`` Stopped,
  ``OperationLocks`` ``LockReason`` financial, its subscription disks' too; an Executed ``InstanceExpiration.Stop``
  system event in its history), until RenewInstance renews it (the lock
  goes; it starts again unless option ``renewed_instance_starts`` is false) or, ``expired_instance_retention_days``
  (option, default 15, documented) after the expiry, it is released.

- A spot instance given an interruption notice (:mod:`mockecs.world.spot_interruptions`) is reclaimed at its
  ``_spot_reclaim`` time: the step ``reclaim``, which that module registers in :data:`STEPS`.

Each step happens as of its own time (a ``Context`` whose ``now`` is that time: a disk left behind is detached then,
an auto-renewal runs from the old end). Nothing runs by itself: the reads that show instances (and the operations
that act on one) first call :func:`settle_due`, which reads the :data:`DUE` index, one entry per instance with
something to come keyed by when, from its head up to now: a read touches only the instances with something due (none:
one empty index page). An entry that is early (the instance changed since: renewed, converted, its release time moved
later) is put back where it belongs; one whose instance is gone is dropped. Catch-up is bounded: at most
:data:`MOST_STEPS` steps per instance and read, and an auto-renewal step takes the terms the clock passed in one
write (at most :data:`MOST_RENEWALS`), the rest at the next read.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping, Optional

from mockecs.wire.errors import error_kind
from mockecs.wire.records import record
from mockecs.world import lifecycle, monitoring, resources, subscriptions, system_events
from mockecs.world.context import Context
from mockecs.world.disks import instance_disks
from mockecs.world.releases import DUE, release_instance

DAY = 86400.0
MOST_STEPS = 10  # steps per instance and read: expire, release (a renewal may start the cycle again)
MOST_RENEWALS = 10000  # auto-renewal terms one step takes (a week each: two centuries)
_CHUNK = 50
# The metadata's example LockMsg of DescribeInstances' OperationLocks
FINANCIAL = {"LockMsg": "The specified instance is locked due to financial reason.", "LockReason": "financial"}

# StopInstance and RebootInstance document this; StartInstance documents InstanceExpired with a pay-as-you-go
# message, so it answers the code with the message another action documents for a subscription [GUESS].
STOP_EXPIRED = error_kind("InstanceExpiredOrInArrears", "The specified operation is denied as your prepay instance "
                          "is expired (prepay mode) or in arrears (afterpay mode).", 403)
START_EXPIRED = error_kind("InstanceExpired", "The PrePaid instance has been expired.", 403)


@record(frozen=True)
class Clocked:
    """A kind whose records the clock acts on: its due index, id field and charge type field (instances; dedicated
    hosts, :mod:`mockecs.world.dedicated_hosts`, in the same index: :data:`OTHERS`)."""

    kind: str
    due: str
    id_field: str
    charge_field: str


INSTANCES = Clocked("instance", DUE, "InstanceId", "InstanceChargeType")
# Other kinds kept in the same due order (one index, read once per settling), by kind: their settle function
# (``mockecs.world.dedicated_hosts`` registers its hosts')
OTHERS: dict[str, Callable[[Context, str, Optional[Mapping[str, Any]]], None]] = {}
# Steps other modules take on an instance, by name: the record after it (None: released)
# (``mockecs.world.spot_interruptions`` registers ``reclaim`` and ``spot_check``)
STEPS: dict[str, Callable[[Context, dict], Optional[dict]]] = {}


def next_step(record: Mapping[str, Any], options: Mapping[str, Any],
              charge_field: str = "InstanceChargeType") -> Optional[tuple[float, str]]:
    """(when, "release", "expire" or "reclaim"): what comes next to ``record`` by itself (None: nothing)."""
    step = _billing_step(record, options, charge_field)
    # (a spot instance's interruption to come, or the market's check at the end of its protection: unless released
    # before)
    for field, name in (("_spot_reclaim", "reclaim"), ("_spot_check", "spot_check")):
        spot = record.get(field)
        if spot is not None and (step is None or spot["at"] <= step[0]):
            step = spot["at"], name
    return step


def _billing_step(record: Mapping[str, Any], options: Mapping[str, Any],
                  charge_field: str) -> Optional[tuple[float, str]]:
    if record.get(charge_field) == "PrePaid":
        ends = resources.parse_iso(record.get("ExpiredTime") or "")
        if ends is None:
            return None
        if record.get("_expired"):
            return ends + int(options["expired_instance_retention_days"]) * DAY, "release"
        return ends, "expire"
    release = resources.parse_iso(record.get("AutoReleaseTime") or "")
    overdue = record.get("_overdue_since")
    if overdue is not None:  # stopped for an overdue account: released when the retention ends (documented: 15 days)
        ends = overdue + int(options["expired_instance_retention_days"]) * DAY
        release = ends if release is None else min(release, ends)
    return (release, "release") if release is not None else None


def schedule(ctx: Context, record: Mapping[str, Any], placed: bool = True, clocked: Clocked = INSTANCES) -> None:
    """Place ``record`` in the :data:`DUE` order (``clocked.due``) at its next step (none: out of it; ``placed``
    False: it was in none, a new instance)."""
    step = next_step(record, ctx.config.options, clocked.charge_field)
    if step is not None:
        ctx.txn.put(clocked.due, record[clocked.id_field], {"_due": step[0]},
                    [resources.owner_region(record["_owner"], record["_region"])], resources.time_key(step[0]))
    elif placed:
        ctx.txn.delete(clocked.due, record[clocked.id_field])


def expired(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is a subscription instance stopped at its expiry (and not renewed since)."""
    return bool(record.get("_expired"))


def check_usable(record: Mapping[str, Any], starting: bool = False) -> None:
    """Refuse a start, stop or reboot of an expired subscription instance (documented codes)."""
    if record.get("_expired"):
        raise START_EXPIRED if starting else STOP_EXPIRED


def relocked(record: Mapping[str, Any], field: str, add: Optional[Mapping[str, Any]],
             reason: str = "financial") -> dict:
    """``record``'s OperationLocks (items under ``field``) without the lock for ``reason`` (any case: disks write
    it in lower case), then with ``add``."""
    locks = [dict(lock) for lock in (record.get("OperationLocks") or {}).get(field) or ()
             if str(lock.get("LockReason", "")).lower() != reason.lower()]
    return {field: locks + ([dict(add)] if add else [])}



def _lock_disks(ctx: Context, instance_id: str, locked: bool) -> None:
    """The instance's subscription disks locked (financial) or unlocked with it."""
    for disk in instance_disks(ctx, instance_id):
        if disk.get("DiskChargeType") == "PrePaid":
            lock = {"LockReason": "financial"} if locked else None
            resources.put(ctx.txn, "disk", {**disk, "OperationLocks": relocked(disk, "OperationLock", lock)})


def renewed_until(record: Mapping[str, Any], ends: float, now: float) -> str:
    """The ExpiredTime the auto-renewals from ``ends`` on reach by ``now``: one term after another, each from the
    last one's end (at most :data:`MOST_RENEWALS`; the rest at a later read)."""
    kept = subscriptions.renewal(record)
    expired = subscriptions.subscription_end(ends, int(kept["Duration"]), kept["PeriodUnit"])
    for _ in range(MOST_RENEWALS):
        moment = resources.parse_iso(expired) or now
        if moment > now:
            break
        expired = subscriptions.subscription_end(moment, int(kept["Duration"]), kept["PeriodUnit"])
    return expired


def _expire(ctx: Context, record: dict, now: float) -> dict:
    """``record`` at its ExpiredTime (``ctx.now``): auto-renewed (as many terms as ``now`` has passed), or stopped
    and locked."""
    kept = subscriptions.renewal(record)
    if kept["RenewalStatus"] == "AutoRenewal" and kept["Duration"]:
        return subscriptions.extend(ctx, record, renewed_until(record, ctx.now, now))
    stopped = {k: v for k, v in record.items() if k != "_pending"}  # (a start or stop in flight ends here)
    stopped.update(monitoring.run_ended(record, ctx.now))
    stopped.update(Status="Stopped", OperationLocks=relocked(record, "LockReason", FINANCIAL), _expired=True)
    _lock_disks(ctx, record["InstanceId"], True)
    # its history shows why [GUESS: published and executed at the stop, with no reason]
    system_events.store(ctx.txn, system_events.new_event(ctx, record["InstanceId"], "InstanceExpiration.Stop", ctx.now,
                                                         "Executed", "", False), False)
    return resources.put(ctx.txn, "instance", stopped)


def renewed(ctx: Context, record: dict) -> dict:
    """``record`` (just renewed by RenewInstance): an expired one is unlocked, and started again unless option
    ``renewed_instance_starts`` is false; placed at its new expiry."""
    if record.get("_expired"):
        record = {k: v for k, v in record.items() if k != "_expired"}
        record["OperationLocks"] = relocked(record, "LockReason", None)
        _lock_disks(ctx, record["InstanceId"], False)
        if ctx.config.options["renewed_instance_starts"] and record["Status"] == "Stopped":
            record = lifecycle.start(ctx, "instance", record["InstanceId"], {**record, "Status": "Starting"},
                                     done={"Status": "Running", "StartTime": resources.iso_minute(ctx.now),
                                           "StoppedMode": "Not-applicable"})
        record = resources.put(ctx.txn, "instance", record)
    schedule(ctx, record)
    return record


def settle(ctx: Context, instance_id: str, record: Optional[Mapping[str, Any]]) -> None:
    """Take ``record``'s steps due by now, each as of its own time, then place it at its next one."""
    if record is None:  # (gone: an import without it)
        ctx.txn.delete(DUE, instance_id)
        return
    current = dict(record)
    for _ in range(MOST_STEPS):
        step = next_step(current, ctx.config.options)
        if step is None or step[0] > ctx.now:
            break
        then = dataclasses.replace(ctx, now=step[0])
        if "_pending" in current:  # (a transition in flight settles as of then)
            current = resources.put(ctx.txn, "instance", lifecycle.settle(then, "instance", current))
        if step[1] == "release":
            release_instance(then, current)
            return
        if step[1] in STEPS:
            after = STEPS[step[1]](then, current)
            if after is None:
                return
            current = after
            continue
        current = _expire(then, current, ctx.now)
    schedule(ctx, current)


def settle_due(ctx: Context) -> None:
    """Take the steps due by now of the caller's instances here (and of the other kinds of :data:`OTHERS` in the
    same order: dedicated hosts): from the head of the :data:`DUE` order up to the first entry still waiting (nothing
    else is read)."""
    scope = resources.owner_region(ctx.account, ctx.region)
    entries = ctx.txn.page(DUE, scope, 0, _CHUNK)
    if not entries:  # (nothing to come here: the whole cost of a read)
        return
    now, seen = resources.time_key(ctx.now), set()
    while True:
        head = [id for key, id in entries if key <= now]
        fresh = [id for id in head if id not in seen]  # (an entry left due, steps to come, waits for the next read)
        if not fresh:
            return
        seen.update(fresh)
        kinds = [resources.kind_of(id) or "instance" for id in fresh]
        records: dict[str, Optional[Mapping[str, Any]]] = {}
        for kind in set(kinds):  # (one read per kind)
            ids = [id for id, k in zip(fresh, kinds) if k == kind]
            records.update(zip(ids, ctx.txn.get_many(kind, ids)))
        for resource_id, kind in zip(fresh, kinds):  # (in due order, whatever the kind)
            (OTHERS.get(kind) or settle)(ctx, resource_id, records[resource_id])
        if len(head) < _CHUNK:
            return
        entries = ctx.txn.page(DUE, scope, 0, _CHUNK)


def stop_for_overdue(engine: Any, instance_id: str) -> None:
    """The account fell into arrears: a pay-as-you-go instance is stopped and locked (``OperationLocks`` financial;
    start, stop and reboot refused with the codes of an expired one) until ReActivateInstances, as the billing
    system does (an Executed ``AccountUnbalanced.Stop`` event in its history [GUESS: as an expiry's])."""
    with engine.store.transaction() as txn:
        record = txn.get("instance", instance_id)
        if record is None:
            raise KeyError(f"no instance {instance_id}")
        if record.get("InstanceChargeType") == "PrePaid":
            raise ValueError(f"{instance_id} is a subscription instance: it expires (ExpiredTime), it is not overdue")
        ctx = Context(engine, txn, "StopForOverdue", record["_owner"], record["_region"], "", "", engine.clock.now(),
                      {})
        stopped = {k: v for k, v in lifecycle.settle(ctx, "instance", dict(record)).items() if k != "_pending"}
        stopped.update(monitoring.run_ended(stopped, ctx.now))
        stopped.update(Status="Stopped", OperationLocks=relocked(record, "LockReason", FINANCIAL), _expired=True,
                       _overdue_since=ctx.now)
        system_events.store(txn, system_events.new_event(ctx, instance_id, "AccountUnbalanced.Stop", ctx.now,
                                                         "Executed", "", False), False)
        schedule(ctx, resources.put(txn, "instance", stopped))


def reactivated(ctx: Context, record: dict) -> dict:
    """An overdue pay-as-you-go instance reopened (ReActivateInstances): unlocked, Starting until it runs; no longer
    due for release."""
    reopened = {k: v for k, v in record.items() if k not in ("_expired", "_overdue_since")}
    reopened.update(Status="Starting", OperationLocks=relocked(record, "LockReason", None))
    reopened = resources.put(ctx.txn, "instance", lifecycle.start(
        ctx, "instance", record["InstanceId"], reopened,
        done={"Status": "Running", "StartTime": resources.iso_minute(ctx.now), "StoppedMode": "Not-applicable"}))
    schedule(ctx, reopened)
    return reopened

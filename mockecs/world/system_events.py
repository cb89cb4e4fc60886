"""ECS system events of instances: the simulated ones CreateSimulatedSystemEvents schedules, and events a
test plants (:func:`plant`) as if the cloud had published them.

Records (kind ``system_event``, id ``EventId`` ``e-...``) keep the fields DescribeInstanceHistoryEvents answers
(:func:`view` puts them in the service's order) plus ``_owner``, ``_region``, ``_instance``, ``_published`` and
``_not_before`` (mock-clock seconds; None for an Inquiring event, which has no NotBefore) and ``_simulated``.

The cycle (the metadata's CreateSimulatedSystemEvents and the summary of ECS system events):

- maintenance events are ``Scheduled`` until NotBefore, then ``Executing`` for the lifecycle delay of kind
  ``system_event`` (none by default, a minute with ``transitions="realistic"``), then
  ``Executed``; failure events (``SystemFailure.*``, ``InstanceFailure.*``) are ``Executing`` from the start and
  ``Executed`` at NotBefore, as the metadata documents NotBefore for them;
- ``Canceled`` by CancelSimulatedSystemEvents while Scheduled or Executing;
- ``Avoided``: a Scheduled ``SystemMaintenance.Reboot`` event whose instance is restarted through the API
  before NotBefore (:func:`rebooted`, called by RebootInstance(s));
- ``Failed``: ``engine.lifecycle.fail(event_id)`` or ``fail_next("system_event")`` (the execution fails);
- ``Inquiring``: only planted events; AcceptInquiredSystemEvent moves them to Executing, then Executed.

ExtendedAttribute (:func:`extended_attribute`): DescribeInstancesFullStatus documents it empty but for the local-disk,
security and upgrade event types of :data:`EXTENDED_TYPES`, which :func:`plant` publishes with the fields the
metadata lists for them; DescribeInstanceHistoryEvents' carries besides the host of an instance on a dedicated host
(HostType, HostId), whether an Inquiring event can be accepted (CanAccept) and the answer of an accepted one
(ResponseResult).

A simulated event changes nothing on its instance (the metadata: "模拟系统事件相当于事件演习，不会真正执行事件，
也不会对ECS实例产生影响"); a planted event does not either (the fake does not reboot or stop instances by itself).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from mockecs.wire.errors import error_kind
from mockecs.world import disks, lifecycle, resources
from mockecs.world.context import Context

KIND = "system_event"
resources.PREFIX[KIND] = "e-"
resources.KIND_OF_PREFIX["e-"] = KIND
resources.ID_FIELD[KIND] = "EventId"
# Newest published first, ties by id (the real answers list newer events first).
resources.ORDER[KIND] = lambda r: resources.time_key(r["_published"], descending=True)
# When each event in flight is next due (its NotBefore, the end of its execution), soonest first: a listing settles
# the events that are due from the head of this order, reading none of those still waiting (most wait for hours).
# (An index of the engine's own, not a resource kind: written straight to the store, never shown as a resource.)
DUE = "system_event_due"

# EventCycleStatus codes: Executed 0, Avoided 8, Scheduled 24, Inquiring 28 are in the metadata's examples and
# real answers; Executing, Canceled and Failed are [GUESS]es (distinct values the same multiples of 8 follow).
CYCLE_CODES = {"Executed": 0, "Avoided": 8, "Executing": 16, "Scheduled": 24, "Inquiring": 28, "Canceled": 32,
               "Failed": 40}
FINISHED = ("Executed", "Avoided", "Canceled", "Failed")  # what DescribeInstanceHistoryEvents lists by default
ACTIVE = ("Scheduled", "Executing", "Inquiring")
SHOWN_AS_SCHEDULED = ("Scheduled", "Inquiring")  # DescribeInstancesFullStatus' ScheduledSystemEventSet
# EventType codes: SystemMaintenance.Reboot 1, SystemMaintenance.Redeploy 9, InstanceExpiration.Stop 34,
# SystemFailure.Reboot 65, SystemFailure.Delete 66 are in the metadata's examples and real answers; the others
# are [GUESS]es in the same blocks (maintenance 1.., expiration 34.., arrears 50.., system 65.., instance 81..).
TYPE_CODES = {
    "SystemMaintenance.Reboot": 1, "SystemMaintenance.Stop": 2, "SystemMaintenance.Redeploy": 9,
    "InstanceExpiration.Stop": 34, "InstanceExpiration.Delete": 35,
    "AccountUnbalanced.Stop": 50, "AccountUnbalanced.Delete": 51,
    "SystemFailure.Reboot": 65, "SystemFailure.Delete": 66, "SystemFailure.Redeploy": 67, "SystemFailure.Stop": 68,
    "InstanceFailure.Reboot": 81,
    # the types whose ExtendedAttribute DescribeInstancesFullStatus documents (codes [GUESS]es)
    "SystemMaintenance.StopAndRepair": 3, "SystemMaintenance.IsolateErrorDisk": 4,
    "SystemMaintenance.ReInitErrorDisk": 5, "SystemMaintenance.RebootAndIsolateErrorDisk": 6,
    "SystemMaintenance.RebootAndReInitErrorDisk": 7, "SystemMaintenance.CleanInactiveDisks": 8,
    "SystemUpgrade.Migrate": 10, "SecurityPunish.Locked": 96, "SecurityPunish.WebsiteBanned": 97,
}
# DescribeInstancesFullStatus' ExtendedAttribute: "当事件类型不在以下列表中时，该数据为空" (empty for other types).
DISK_TYPES = ("SystemMaintenance.StopAndRepair", "SystemMaintenance.IsolateErrorDisk",
              "SystemMaintenance.ReInitErrorDisk", "SystemMaintenance.RebootAndIsolateErrorDisk",
              "SystemMaintenance.RebootAndReInitErrorDisk")
EXTENDED_TYPES = (*DISK_TYPES, "SystemMaintenance.CleanInactiveDisks", "SystemUpgrade.Migrate",
                  "SecurityPunish.Locked", "SecurityPunish.WebsiteBanned")
# The fields each answer's SDK model reads (DescribeInstancesFullStatus' model has only the disk ones).
HISTORY_FIELDS = ("CanAccept", "Code", "Device", "DiskId", "HostId", "HostType", "InactiveDisks", "InitialNotBefore",
                  "MetricName", "MetricValue", "MigrationOptions", "OnlineRepairPolicy", "PunishDomain", "PunishType",
                  "PunishUrl", "Rack", "ResponseResult")
FULL_STATUS_FIELDS = ("Device", "DiskId", "InactiveDisks")
# The types CreateSimulatedSystemEvents takes (its metadata's list).
SIMULATED_TYPES = ("SystemMaintenance.Reboot", "SystemFailure.Reboot", "InstanceFailure.Reboot",
                   "SystemMaintenance.Stop", "SystemMaintenance.Redeploy", "SystemFailure.Redeploy",
                   "SystemFailure.Stop")
SIMULATED_REASON = "A simulated event."  # (the metadata's example Reason)

NOT_BEFORE_PASSED = error_kind("InvalidNotBefore.Passed", "The NotBefore of system event has passed.", 403)
QUOTA = error_kind("SimulatedEventLimitExceeded", "The amount of active simulated system event exceeds limit.", 403)


def failure(event_type: str) -> bool:
    """Events of a failure that already happened: Executing from the start (the metadata's NotBefore)."""
    return event_type.startswith(("SystemFailure.", "InstanceFailure."))


def scoped(record_or_ctx: Any, *values: str) -> str:
    if isinstance(record_or_ctx, Context):
        head = f"{record_or_ctx.account}|{record_or_ctx.region}"
    else:
        head = f"{record_or_ctx['_owner']}|{record_or_ctx['_region']}"
    return "|".join((head, *values))


def status_of(record: Mapping[str, Any]) -> str:
    return record["EventCycleStatus"]["Name"]


def type_of(record: Mapping[str, Any]) -> str:
    return record["EventType"]["Name"]


# Index terms: by status, by (instance, status) and by (type, status), each among the owner's events in a region:
# a listing is the union of disjoint terms (one per asked status, instance and type), counted and paged in order.
def status_term(ctx: Context, status: str) -> tuple[str, str]:
    return ("se_status", scoped(ctx, status))


def instance_term(ctx: Context, instance_id: str, status: str) -> tuple[str, str]:
    return ("se_instance", scoped(ctx, instance_id, status))


def type_term(ctx: Context, event_type: str, status: str) -> tuple[str, str]:
    return ("se_type", scoped(ctx, event_type, status))


def _terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    status = status_of(record)
    terms = [("se_status", scoped(record, status)), ("se_instance", scoped(record, record["_instance"], status)),
             ("se_type", scoped(record, type_of(record), status))]
    if record.get("_simulated"):  # (the simulated events' quota counts these)
        terms.append(("se_simulated", scoped(record, status)))
    return terms


resources.TERMS[KIND] = _terms


def cycle(status: str) -> dict:
    return {"Code": CYCLE_CODES[status], "Name": status}


def _finished(status: str, at: float) -> dict:
    return {"EventCycleStatus": cycle(status), "EventFinishTime": resources.iso(at)}


def _execution(ctx: Context, event_id: str, start: float, seconds: float, then_at: float) -> dict:
    """A ``_pending`` that ends the event ``seconds`` after ``start``: Executed, or Failed when a failure was
    injected for it (``engine.lifecycle.fail(id)`` / ``fail_next("system_event")``)."""
    return {"outcome": _finished("Executed", then_at), "failed": _finished("Failed", then_at), "id": event_id,
            "start": start, "seconds": seconds, "observations": None, "progress_field": None}


def _executing_delay(ctx: Context, event_id: str) -> float:
    return float(ctx.engine.lifecycle.delay_for(KIND, event_id).seconds or 0.0)


def extended_attribute(ctx: Context, instance_id: str, event_type: str) -> dict:
    """What an event of ``event_type`` on the instance carries in ExtendedAttribute, from the instance's state:
    the host of an instance on a dedicated host (every type [GUESS]); for the local-disk types the disk named
    (mockecs has no local disks: the instance's first data disk, else its system disk [GUESS]); for
    CleanInactiveDisks no disk (a test names them: :func:`plant`); for SystemUpgrade.Migrate the one migration
    option documented (MigrationPlan) [GUESS]."""
    out: dict = {}
    instance = ctx.txn.get("instance", instance_id)
    host = ((instance or {}).get("DedicatedHostAttribute") or {}).get("DedicatedHostId")
    if host:
        out.update(HostType="ddh", HostId=host)
    if event_type in DISK_TYPES:
        held = disks.instance_disks(ctx, instance_id)
        disk = next((d for d in held if d["Type"] == "data"), held[0] if held else None)
        if disk is not None:
            out.update(Device=disks.device_on(disk, instance_id), DiskId=disk["DiskId"])
    elif event_type == "SystemMaintenance.CleanInactiveDisks":
        out["InactiveDisks"] = {"InactiveDisk": []}
    elif event_type == "SystemUpgrade.Migrate":
        out["MigrationOptions"] = {"MigrationOption": ["MigrationPlan"]}
    return out


def new_event(ctx: Context, instance_id: str, event_type: str, not_before: Optional[float], status: str,
              reason: str, simulated: bool) -> dict:
    """A new event record (not yet stored), its cycle started on the mock clock from ``status``."""
    event_id = resources.new_id(KIND, ctx.region)
    record: dict = {
        "EventCycleStatus": cycle(status), "EventPublishTime": resources.iso(ctx.now), "InstanceId": instance_id,
        "EventType": {"Code": TYPE_CODES.get(event_type, 0), "Name": event_type},
        "ExtendedAttribute": extended_attribute(ctx, instance_id, event_type),
        "EventId": event_id, "Reason": reason, "ResourceType": "instance",
        "_owner": ctx.account, "_region": ctx.region, "_instance": instance_id, "_published": ctx.now,
        "_not_before": not_before, "_simulated": simulated, "_created": ctx.now,
    }
    if not_before is not None:
        record["NotBefore"] = resources.iso(not_before)
    ctx.engine.lifecycle.claim_failure(KIND, event_id)  # (a queued fail_next claims this event's id)
    if status == "Scheduled" and not_before is not None:
        delay = _executing_delay(ctx, event_id)
        executing = {"EventCycleStatus": cycle("Executing"),
                     "_pending": _execution(ctx, event_id, not_before, delay, not_before + delay)}
        record["_pending"] = {"outcome": executing, "start": ctx.now, "seconds": not_before - ctx.now,
                              "observations": None, "progress_field": None}
    elif status == "Executing" and not_before is not None:
        record["_pending"] = _execution(ctx, event_id, ctx.now, max(0.0, not_before - ctx.now), not_before)
    elif status in FINISHED:
        record.update(_finished(status, not_before if not_before is not None else ctx.now))
    return record


def due_at(record: Mapping[str, Any]) -> Optional[float]:
    """When the step in flight ends by the mock clock (None: nothing in flight)."""
    pending = record.get("_pending")
    if pending is None:
        return None
    return pending["start"] + pending["seconds"] if pending.get("seconds") is not None else pending["start"]


def store(txn: Any, record: dict, was_pending: bool = True) -> dict:
    """Write an event and its place in the :data:`DUE` order (kept while a step is in flight)."""
    resources.put(txn, KIND, record)
    due = due_at(record)
    if due is not None:
        txn.put(DUE, record["EventId"], {"_due": due}, [resources.owner_region(record["_owner"], record["_region"])],
                resources.time_key(due))
    elif was_pending:
        txn.delete(DUE, record["EventId"])
    return record


def end(ctx: Context, record: Mapping[str, Any], status: str) -> dict:
    """``record`` Canceled or Avoided now (its transition in flight dropped), stored."""
    ended = {k: v for k, v in record.items() if k != "_pending"}
    ended.update(_finished(status, ctx.now))
    return store(ctx.txn, ended, "_pending" in record)


def acceptable(record: Mapping[str, Any]) -> bool:
    """Whether AcceptInquiredSystemEvent takes the event: maintenance events, whose default action the owner
    authorises [GUESS: not failures, expirations or arrears, which are not the owner's to authorise]."""
    return type_of(record).startswith("SystemMaintenance.")


def accept(ctx: Context, record: Mapping[str, Any]) -> dict:
    """An Inquiring event accepted: Executing for the lifecycle delay, then Executed (or Failed), stored."""
    delay = _executing_delay(ctx, record["EventId"])
    accepted = {**record, "EventCycleStatus": cycle("Executing"), "_accepted": True,
                "_pending": _execution(ctx, record["EventId"], ctx.now, delay, ctx.now + delay)}
    if delay <= 0:
        accepted = lifecycle.settle(ctx, KIND, accepted)
    return store(ctx.txn, accepted, False)


def _due(ctx: Context, record: Mapping[str, Any]) -> bool:
    """Whether the step in flight has ended by the mock clock (an event waits hours for its NotBefore: reading it
    before then changes nothing, so it is not written again as every read of a transition would)."""
    due = due_at(record)
    return due is not None and ctx.now >= due


def _settled(ctx: Context, record: Mapping[str, Any]) -> dict:
    return store(ctx.txn, lifecycle.settle(ctx, KIND, dict(record)))


def read_many(ctx: Context, kind: str, event_ids: Iterable[str]) -> list[Optional[dict]]:
    """Events by id (None where missing), each settled only if its step in flight is due."""
    event_ids = list(event_ids)
    out: list[Optional[dict]] = []
    for record in ctx.txn.get_many(kind, event_ids):
        if record is not None and _due(ctx, record):
            record = _settled(ctx, record)
        out.append(dict(record) if record is not None else None)
    return out


def get(ctx: Context, event_id: Optional[str]) -> Optional[dict]:
    return read_many(ctx, KIND, [event_id])[0] if event_id else None


def ids_under(ctx: Context, terms: Iterable[tuple[str, str]]) -> list[str]:
    """The ids of the events under any of ``terms`` (index lookups), in id order."""
    return sorted(set().union(*(ctx.txn.ids(KIND, term) for term in terms)))


def newest_first(records: Iterable[Optional[dict]]) -> list[dict]:
    """``records`` (None left out) in the listings' order."""
    order = resources.ORDER[KIND]
    return sorted((r for r in records if r is not None), key=lambda r: (order(r), r["EventId"]))


def settle_due(ctx: Context) -> None:
    """Settle the caller's events here whose step in flight is due (before their status terms are counted): from
    the head of the :data:`DUE` order, up to the first still waiting (nothing else is read)."""
    scope, now = resources.owner_region(ctx.account, ctx.region), resources.time_key(ctx.now)
    seen: set[str] = set()
    while True:
        head = [id for key, id in ctx.txn.page(DUE, scope, 0, _CHUNK) if key <= now]
        fresh = [id for id in head if id not in seen]  # (an entry that stays due is not read again)
        seen.update(fresh)
        for event_id, record in zip(fresh, ctx.txn.get_many(KIND, fresh)):
            if record is None:  # (its event is gone: an import without it)
                ctx.txn.delete(DUE, event_id)
            elif _due(ctx, record):
                _settled(ctx, record)
            else:  # (a stale place in the order, the event written elsewhere: put back where it belongs)
                store(ctx.txn, dict(record))
        if len(head) < _CHUNK or not fresh:
            return


_CHUNK = 50


def rebooted(ctx: Context, instance: Mapping[str, Any]) -> None:
    """The instance was restarted through the API: its Scheduled SystemMaintenance.Reboot events are Avoided
    (an index lookup of that instance's Scheduled events)."""
    term = ("se_instance", scoped(instance, instance["InstanceId"], "Scheduled"))
    for event_id in sorted(ctx.txn.ids(KIND, term)):
        record = get(ctx, event_id)  # (settled: one past its NotBefore has executed)
        if record is not None and status_of(record) == "Scheduled" and type_of(record) == "SystemMaintenance.Reboot":
            end(ctx, record, "Avoided")


def active_simulated(ctx: Context) -> int:
    """The caller's active (Scheduled or Executing) simulated events here: counts of index terms, nothing read."""
    return sum(ctx.txn.counts(KIND, [("se_simulated", scoped(ctx, s)) for s in ("Scheduled", "Executing")]))


def check_quota(ctx: Context, adding: int) -> None:
    limit = ctx.config.options.get("simulated_event_quota")
    if limit is not None and active_simulated(ctx) + adding > int(limit):
        raise QUOTA


def view(record: Mapping[str, Any], history: bool = True) -> dict:
    """The event as DescribeInstanceHistoryEvents answers it (``history``), else as an item of
    DescribeInstancesFullStatus' ScheduledSystemEventSet; fields in the service's order, empty ones left out
    (a real answer shows no NotBefore for an Inquiring event and no EventFinishTime before the end)."""
    out: dict = {}
    if history and record.get("EventFinishTime"):
        out["EventFinishTime"] = record["EventFinishTime"]
    out["EventCycleStatus"] = dict(record["EventCycleStatus"])
    out["EventPublishTime"] = record["EventPublishTime"]
    if history:
        out["InstanceId"] = record["InstanceId"]
    out["EventType"] = dict(record["EventType"])
    out["ExtendedAttribute"] = _extended_view(record, history)
    out["EventId"] = record["EventId"]
    if record.get("NotBefore"):
        out["NotBefore"] = record["NotBefore"]
    if record.get("Reason"):
        out["Reason"] = record["Reason"]
    if history:
        out["ResourceType"] = record.get("ResourceType") or "instance"
    return out


def _extended_view(record: Mapping[str, Any], history: bool) -> dict:
    """ExtendedAttribute as each answer's model reads it: DescribeInstancesFullStatus' only for the documented
    types, and only their disk fields; the history's with CanAccept while Inquiring and ResponseResult "true" once
    accepted [GUESS: the documentation says neither when they are filled]."""
    held = record.get("ExtendedAttribute") or {}
    if not history:
        return {k: held[k] for k in FULL_STATUS_FIELDS if k in held} if type_of(record) in EXTENDED_TYPES else {}
    out = {k: held[k] for k in HISTORY_FIELDS if k in held}
    if status_of(record) == "Inquiring":
        out["CanAccept"] = "true" if acceptable(record) else "false"
    if record.get("_accepted"):
        out["ResponseResult"] = "true"
    return {k: out[k] for k in HISTORY_FIELDS if k in out}


def matching(record: Mapping[str, Any], event_ids: Optional[set], types: Optional[Iterable[str]],
             windows: Mapping[str, tuple[Optional[float], Optional[float]]]) -> bool:
    """Whether an event passes the filters the index terms did not apply: ids, types, time windows
    (``{"_not_before": (low, high), "_published": (low, high)}``, inclusive)."""
    if event_ids is not None and record["EventId"] not in event_ids:
        return False
    if types is not None and type_of(record) not in types:
        return False
    for field, (low, high) in windows.items():
        value = record.get(field)
        if value is None:
            if low is not None or high is not None:
                return False
            continue
        value = int(value)  # (times are compared to the second, as the API writes them)
        if (low is not None and value < low) or (high is not None and value > high):
            return False
    return True


# -- planting events from Python (tests) -----------------------------------------------------------------------
def plant(engine: Any, instance_id: str, event_type: str = "SystemMaintenance.Reboot", status: str = "Scheduled",
          not_before: Optional[float] = None, reason: str = "", simulated: bool = False,
          account: Optional[str] = None, region: Optional[str] = None,
          extended_attribute: Optional[Mapping[str, Any]] = None) -> str:
    """Publish an event on ``instance_id`` as the cloud would (not simulated: CancelSimulatedSystemEvents refuses
    it), without the API; returns its EventId. ``status``: Scheduled or Executing (its cycle runs on the mock
    clock from ``not_before``, mock-clock seconds, default an hour from now), Inquiring (no NotBefore; for
    AcceptInquiredSystemEvent), or a finished status (Executed, Avoided, Canceled, Failed: ended at
    ``not_before``, default now) for history.
    The instance's account and region are used unless given. ``extended_attribute`` (the answers' field names:
    ``PunishType``, ``InactiveDisks`` ...) is laid over what the instance's state gives (:func:`extended_attribute`).
    """
    if event_type not in TYPE_CODES:
        raise ValueError(f"event_type must be one of {', '.join(TYPE_CODES)}, not {event_type!r}")
    if status not in CYCLE_CODES:
        raise ValueError(f"status must be one of {', '.join(CYCLE_CODES)}, not {status!r}")
    unknown = sorted(set(extended_attribute or ()) - set(HISTORY_FIELDS))
    if unknown:
        raise ValueError(f"extended_attribute names {', '.join(unknown)}; expected some of {', '.join(HISTORY_FIELDS)}")
    with engine.store.transaction() as txn:
        instance = txn.get("instance", instance_id)
        if instance is None and (account is None or region is None):
            raise ValueError(f"no instance {instance_id!r}: name its account and region")
        now = engine.clock.now()
        ctx = Context(engine, txn, "PlantSystemEvent", account or instance["_owner"], region or instance["_region"],
                      "", "", now, {})
        default = now if status in FINISHED else now + 3600.0  # (a finished event ended now)
        when = None if status == "Inquiring" else (not_before if not_before is not None else default)
        record = new_event(ctx, instance_id, event_type, when, status, reason, simulated)
        record["ExtendedAttribute"] = {**record["ExtendedAttribute"], **(extended_attribute or {})}
        return store(txn, record, False)["EventId"]

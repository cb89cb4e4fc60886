"""Events of block storage (DescribeDisksFullStatus' DiskEventSet): what the cloud publishes when a disk's
performance degrades or stalls, or a local disk is damaged.

mockecs degrades no disk by itself: a test plants an event as if the cloud had published it
(:func:`plant`), optionally with its end. Records (kind ``disk_event``) keep the fields the answer shows plus
``_owner``, ``_region`` and ``_at`` / ``_end`` (mock-clock seconds; ``_end`` None while the event lasts). The
documentation: an event's publishing, planned and actual times are one (``EventTime``); the last seven days are
kept.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from mockecs.world import resources
from mockecs.world.context import Context

KIND = "disk_event"
resources.ID_FIELD[KIND] = "EventId"
resources.TERMS[KIND] = lambda record: [("disk", record["DiskId"])]
resources.ORDER[KIND] = lambda record: resources.time_key(record["_at"])
KEPT = 7 * 86400  # documented: the last week's events can be queried
# EventType codes: Stalled 7 is the metadata's example; the others are [GUESS]es next to it
TYPE_CODES = {"Degraded": 5, "SeverelyDegraded": 6, "Stalled": 7, "ErrorDetected": 8}
# The health an event leaves its disk in while it lasts [GUESS: the documented meanings of both lists]
HEALTH = {"Degraded": "Warning", "SeverelyDegraded": "Warning", "Stalled": "Impaired", "ErrorDetected": "Impaired"}


def plant(engine: Any, disk_id: str, event_type: str = "Stalled", at: Optional[float] = None,
          end: Optional[float] = None, impact_level: str = "100") -> str:
    """Publish a disk event on ``disk_id`` as the cloud would (at ``at``, mock-clock seconds, default now; ending at
    ``end``, default: it lasts); returns its EventId."""
    if event_type not in TYPE_CODES:
        raise ValueError(f"event_type must be one of {', '.join(TYPE_CODES)}")
    with engine.store.transaction() as txn:
        disk = txn.get("disk", disk_id)
        if disk is None:
            raise KeyError(f"no disk {disk_id}")
        at = engine.clock.now() if at is None else at
        event_id = "e-" + resources.new_id("disk", disk["_region"])[2:]
        resources.put(txn, KIND, {
            "EventId": event_id, "DiskId": disk_id, "ImpactLevel": impact_level,
            "EventType": {"Code": TYPE_CODES[event_type], "Name": event_type},
            "_owner": disk["_owner"], "_region": disk["_region"], "_at": at, "_end": end})
    return event_id


def of_disk(ctx: Context, disk_id: str) -> list[dict]:
    """The disk's events of the last week, oldest first."""
    found = resources.get_many(ctx, KIND, sorted(ctx.txn.ids(KIND, ("disk", disk_id))))
    return sorted((r for r in found if r is not None and r["_at"] >= ctx.now - KEPT),
                  key=lambda r: (r["_at"], r["EventId"]))


def lasting(record: Mapping[str, Any], now: float) -> bool:
    return record["_end"] is None or record["_end"] > now


def health(records: Iterable[Mapping[str, Any]], now: float, disk_status: str) -> str:
    """A disk's health: the worst its lasting events leave it in; Initializing while it is made or re-initialised;
    else Ok (the instance's word for it: the documented list has none for a healthy disk) [GUESS]."""
    worst = {HEALTH[r["EventType"]["Name"]] for r in records if lasting(r, now)}
    for name in ("Impaired", "Warning"):
        if name in worst:
            return name
    return "Initializing" if disk_status in ("Creating", "ReIniting") else "Ok"


def view(record: Mapping[str, Any]) -> dict:
    return {"EventId": record["EventId"], "EventType": dict(record["EventType"]),
            "EventTime": resources.iso(record["_at"]),
            "EventEndTime": resources.iso(record["_end"]) if record["_end"] is not None else "",
            "ImpactLevel": record["ImpactLevel"]}

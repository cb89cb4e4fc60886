"""ECS system events: CreateSimulatedSystemEvents, CancelSimulatedSystemEvents, AcceptInquiredSystemEvent,
DescribeInstanceHistoryEvents, DescribeInstancesFullStatus, and DescribeDisksFullStatus (disks' status and events:
:mod:`mockecs.world.disk_events`).

What inventory and security scanners and instance-maintenance tooling read, and the testing feature the API has
for it (simulated events). The domain model is :mod:`mockecs.world.system_events`.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, Repeat, S, Struct, Structs
from mockecs.world import disk_events, instance_clock, paging, resource_groups, resources
from mockecs.world import system_events as events
from mockecs.world.system_events import KIND

# The codes these operations document carry "%s" messages: written out here.
_403 = ("InvalidParameter", 403)
_MISSING = "The input parameter that is mandatory for processing this request is not supplied."
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "Cannot find InstanceId.", 404)
TOO_MANY_INSTANCES = error_kind("InstanceIdLimitExceeded", "The amount of InstanceId specified exceeds limit 100.", 403)
TOO_MANY_EVENTS = error_kind("EventIdLimitExceeded", "The amount of EventId specified exceeds limit 100.", 403)
TOO_MANY_EVENTS_400 = error_kind("EventIdLimitExceeded", "The amount of EventId specified exceeds limit 100.", 400)
EVENT_NOT_FOUND = error_kind("InvalidEventId.NotFound", "The specified EventId does not exist.", 403)
NOT_SIMULATED = error_kind("CannotCancelSystemEvent.NotSimulated",
                           "The specified system event is not a simulated event and cannot be canceled.", 403)
NO_INQUIRING = error_kind("InvalidEventId.NoInquiringEventFound",
                          "The specified EventId does not name an event in the Inquiring state.", 404)
ACCEPT_NOT_SUPPORTED = error_kind("OperationDenied.AcceptNotSupported",
                                  "The system event of this type cannot be accepted.", 403)
INCORRECT_INSTANCE_STATUS = error_kind("IncorrectInstanceStatus",
                                       "The current status of the instance does not support this operation.", 403)
END_BEFORE_START = error_kind("InvalidParameter.TimeEndBeforeStart",
                              "The event time end should be after event time start.", 403)
NOT_IN_WHITELIST = error_kind("OperationDenied.NotInWhiteList",
                              "The parameter ImpactLevel is not open: the account is not in its whitelist.", 403)
NOT_BEFORE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_RANGE = [S("Start"), S("End")]
_PAGING = (I("PageNumber", default=1, error=_403), I("PageSize", default=10, error=_403))
_REGION_MISSING = ("MissingParameter", 'The input parameter "RegionId" that is mandatory for processing this request '
                   "is not supplied.", 404)


def _missing(name: str) -> tuple[str, str, int]:
    return ("MissingParameter", _MISSING.replace("parameter", f'parameter "{name}"', 1), 404)


def _bad(name: str) -> EcsError:
    return EcsError("InvalidParameter", f'The specified parameter "{name}" is not valid.', 403)


def _time(text: Optional[str], name: str) -> Optional[float]:
    """An ISO 8601 UTC time parameter (yyyy-MM-ddTHH:mm:ssZ, or with minutes only); InvalidParameter else."""
    if not text:
        return None
    value = resources.parse_iso(text)
    if value is None or not text.endswith("Z"):
        raise _bad(name)
    return value


def _window(span: Optional[Mapping[str, Optional[str]]], name: str) -> tuple[Optional[float], Optional[float]]:
    low, high = _time((span or {}).get("start"), f"{name}.Start"), _time((span or {}).get("end"), f"{name}.End")
    if low is not None and high is not None and high < low:
        raise END_BEFORE_START
    return low, high


def _windows(not_before: Optional[Mapping], published: Optional[Mapping]) -> dict:
    """The NotBefore and EventPublishTime ranges as :func:`events.matching` takes them."""
    return {"_not_before": _window(not_before, "NotBefore"), "_published": _window(published, "EventPublishTime")}


def _timed(windows: Mapping[str, tuple]) -> bool:
    return any(v is not None for span in windows.values() for v in span)


def _types(instance_event_type: Optional[list[str]], event_type: Optional[str]) -> Optional[list[str]]:
    """InstanceEventType.N, else EventType (which counts only without it, as documented)."""
    types = _choices(instance_event_type or ([event_type] if event_type else None), events.TYPE_CODES,
                     "InstanceEventType")
    if types is not None and len(types) > 30:
        raise _bad("InstanceEventType")
    return types


def _choices(values: Optional[Iterable[str]], allowed: Iterable[str], name: str) -> Optional[list[str]]:
    """Repeated or single filter values, each one of ``allowed`` (InvalidParameter 403 otherwise)."""
    if values is None:
        return None
    allowed = set(allowed)
    for value in values:
        if value not in allowed:
            raise _bad(name)
    return list(dict.fromkeys(values))


def _page_args(page_number: int, page_size: int) -> None:
    if page_number < 1:
        raise _bad("PageNumber")
    if not 1 <= page_size <= 100:
        raise _bad("PageSize")


# -- simulated events --------------------------------------------------------------------------------------
@operation("CreateSimulatedSystemEvents", S("EventType", required=True, missing=_missing("EventType")),
           S("NotBefore", required=True, missing=_missing("NotBefore")),
           Repeat("InstanceId", required=True, missing=_missing("InstanceId")), region_missing=_REGION_MISSING)
def create_simulated_system_events(ctx: Context, event_type: str, not_before: str, instance_id: list[str]) -> dict:
    instance_ids = list(dict.fromkeys(i for i in instance_id if i))
    if not instance_ids:
        raise EcsError(*_missing("InstanceId"))
    if len(instance_ids) > 100:
        raise TOO_MANY_INSTANCES
    if event_type not in events.SIMULATED_TYPES:
        raise _bad("EventType")
    when = _time(not_before, "NotBefore")
    if when is None:
        raise _bad("NotBefore")
    if when <= ctx.now:
        raise events.NOT_BEFORE_PASSED
    for record in resources.get_many(ctx, "instance", instance_ids):
        if not resources.is_mine(ctx, record):
            raise INSTANCE_NOT_FOUND
    events.check_quota(ctx, len(instance_ids))
    status = "Executing" if events.failure(event_type) else "Scheduled"
    made = [events.store(ctx.txn, events.new_event(ctx, i, event_type, when, status, events.SIMULATED_REASON,
                                                   simulated=True), False) for i in instance_ids]
    return {"EventIdSet": {"EventId": [r["EventId"] for r in made]}}


@operation("CancelSimulatedSystemEvents", Repeat("EventId", required=True, missing=_missing("EventId")),
           region_missing=_REGION_MISSING)
def cancel_simulated_system_events(ctx: Context, event_id: list[str]) -> dict:
    event_ids = list(dict.fromkeys(e for e in event_id if e))
    if not event_ids:
        raise EcsError(*_missing("EventId"))
    if len(event_ids) > 100:
        raise TOO_MANY_EVENTS_400
    if any(not e.startswith("e-") for e in event_ids):  # (not an event id at all [GUESS])
        raise _bad("EventId")
    records = events.read_many(ctx, KIND, event_ids)
    for record in records:  # (every one checked before any changes)
        if not resources.is_mine(ctx, record):
            raise EVENT_NOT_FOUND
        if not record["_simulated"]:
            raise NOT_SIMULATED
    for record in records:
        # Only Scheduled and Executing events are canceled; a finished one stays as it ended [GUESS: no error].
        if events.status_of(record) in ("Scheduled", "Executing"):
            events.end(ctx, record, "Canceled")
    return {}


@operation("AcceptInquiredSystemEvent", S("EventId", required=True, missing=("MissingParameter", _MISSING, 400)),
           S("Choice"), region_missing=("MissingParameter", _MISSING, 400))
def accept_inquired_system_event(ctx: Context, event_id: str, choice: Optional[str]) -> dict:
    if choice:  # (documented as in invitational preview, not usable yet [GUESS: refused])
        raise EcsError("InvalidParameter", 'The specified parameter "Choice" is not valid.', 400)
    record = events.get(ctx, event_id)
    if not resources.is_mine(ctx, record) or events.status_of(record) != "Inquiring":
        raise NO_INQUIRING
    if not events.acceptable(record):
        raise ACCEPT_NOT_SUPPORTED
    instance = resources.get(ctx, "instance", record["_instance"])
    if instance is None or instance["Status"] not in ("Running", "Stopped"):  # (gone, or changing state)
        raise INCORRECT_INSTANCE_STATUS
    events.accept(ctx, record)
    return {}


# -- DescribeInstanceHistoryEvents -------------------------------------------------------------------------
def _instances_of(ctx: Context, named: Optional[list[str]], tags: list[dict],
                  group_id: Optional[str]) -> Optional[list[str]]:
    """The instances the events are asked of (ResourceId.N / InstanceId), narrowed to those carrying the Tag.N
    and in the resource group (their index terms); None: every instance."""
    if not tags and not group_id:
        return list(dict.fromkeys(named)) if named is not None else None
    found = resources.mine_among(ctx, "instance", named,
                                 resource_groups.term(group_id) if group_id else None, tags=tags)
    return sorted(r["InstanceId"] for r in found
                  if (not group_id or r.get("ResourceGroupId") == group_id) and resources.match_tags(r, tags))


def _listing_terms(ctx: Context, statuses: list[str], types: Optional[list[str]],
                   instances: Optional[list[str]]) -> tuple[list, bool]:
    """Disjoint index terms whose union holds the events asked for, and whether their types are still to be
    checked on the records (there are no terms by instance and type together)."""
    if instances is not None:
        return [events.instance_term(ctx, i, s) for i in instances for s in statuses], types is not None
    if types is not None:
        return [events.type_term(ctx, t, s) for t in types for s in statuses], False
    return [events.status_term(ctx, s) for s in statuses], False


def _events(ctx: Context, terms: list, named: Optional[list[str]], keep: Optional[Any], page_number: int,
            page_size: int, next_token: Optional[str], max_results: Optional[int]) -> tuple[list[dict], dict]:
    """One page of the events ``named`` or under ``terms`` (newest first): from the ordered index when nothing
    else filters (``keep`` None), else those ``keep`` keeps."""
    instance_clock.settle_due(ctx)  # (an expiry by the mock clock publishes an event)
    events.settle_due(ctx)  # (before the status terms are counted)
    if keep is None:
        listing = paging.Ordered(ctx, KIND, terms, read=events.read_many)
        start, size, meta = paging.bounds(page_number, page_size, next_token, max_results, listing.total)
        return [dict(r) for r in listing.page(start, size)], meta
    ids = named if named is not None else events.ids_under(ctx, terms)
    found = events.newest_first(r for r in events.read_many(ctx, KIND, ids) if r is not None and keep(r))
    start, size, meta = paging.bounds(page_number, page_size, next_token, max_results, len(found))
    return found[start:start + size], meta


@operation("DescribeInstanceHistoryEvents", S("InstanceId"), Repeat("ResourceId"), Repeat("EventId"),
           S("EventType"), Repeat("InstanceEventType"), S("EventCycleStatus"), Repeat("InstanceEventCycleStatus"),
           Struct("NotBefore", _RANGE), Struct("EventPublishTime", _RANGE), S("ImpactLevel"),
           S("ResourceType"), Structs("Tag", [S("Key"), S("Value")]), S("ResourceGroupId"), *_PAGING,
           S("NextToken"), I("MaxResults", error=_403), region_missing=_REGION_MISSING)
def describe_instance_history_events(ctx: Context, instance_id: Optional[str], resource_id: Optional[list[str]],
                                     event_id: Optional[list[str]], event_type: Optional[str],
                                     instance_event_type: Optional[list[str]], event_cycle_status: Optional[str],
                                     instance_event_cycle_status: Optional[list[str]], not_before: dict,
                                     event_publish_time: dict, impact_level: Optional[str],
                                     resource_type: Optional[str], tag: Optional[list[dict]],
                                     resource_group_id: Optional[str], page_number: int, page_size: int,
                                     next_token: Optional[str], max_results: Optional[int]) -> dict:
    _page_args(page_number, page_size)
    if max_results is not None and not 1 <= max_results <= 100:
        raise _bad("MaxResults")
    if event_id and len(event_id) > 100:
        raise TOO_MANY_EVENTS
    if resource_id and len(resource_id) > 100:
        raise _bad("ResourceId")
    # (EventCycleStatus counts only without InstanceEventCycleStatus.N, as documented)
    statuses = _choices(instance_event_cycle_status or ([event_cycle_status] if event_cycle_status else None),
                        events.CYCLE_CODES, "InstanceEventCycleStatus")
    if statuses is not None and len(statuses) > 10:
        raise _bad("InstanceEventCycleStatus")
    types = _types(instance_event_type, event_type)
    windows = _windows(not_before, event_publish_time)
    if impact_level:  # (documented as not open yet)
        raise NOT_IN_WHITELIST
    if resource_type not in (None, "", "instance", "ddh", "managedhost"):
        raise _bad("ResourceType")
    tags = [t for t in tag or () if t.get("key") or t.get("value")]
    if len(tags) > 20 or any(not t.get("key") for t in tags):
        raise _bad("Tag")
    if resource_type in ("ddh", "managedhost"):  # (no dedicated hosts in the fake: none of their events)
        return _history([], paging.bounds(page_number, page_size, next_token, max_results, 0)[2])
    # ResourceId.N wins over InstanceId (documented).
    instances = _instances_of(ctx, resource_id or ([instance_id] if instance_id else None), tags, resource_group_id)
    statuses = statuses or list(events.FINISHED)  # finished events by default (documented)
    wanted_ids = set(event_id) if event_id else None
    timed = _timed(windows)
    terms, check_types = _listing_terms(ctx, statuses, types, instances) if wanted_ids is None else ([], True)
    keep = None
    if wanted_ids is not None or check_types or timed:
        among = set(instances) if instances is not None else None

        def keep(r: dict) -> bool:
            return (resources.is_mine(ctx, r) and events.status_of(r) in statuses
                    and (among is None or r["_instance"] in among) and events.matching(r, wanted_ids, types, windows))
    try:
        page, meta = _events(ctx, terms, sorted(wanted_ids) if wanted_ids else None, keep, page_number, page_size,
                             next_token, max_results)
    except paging.BAD_TOKEN:
        raise _bad("NextToken") from None
    return _history(page, meta)


def _history(page: list[dict], meta: dict) -> dict:
    out: dict = {"TotalCount": meta["TotalCount"], "PageSize": meta["PageSize"]}
    if "PageNumber" in meta:
        out["PageNumber"] = meta["PageNumber"]
    if meta.get("NextToken") or "PageNumber" not in meta:
        out["NextToken"] = meta.get("NextToken", "")
    out["InstanceSystemEventSet"] = {"InstanceSystemEventType": [events.view(r) for r in page]}
    return out


# -- DescribeInstancesFullStatus ---------------------------------------------------------------------------
# Instance status and health codes: Running 1, Stopped 2; Ok 0, InsufficientData 1, Warning 64, Impaired 128 are
# in real answers and the metadata's examples; the rest are [GUESS]es.
STATUS_CODES = {"Pending": 0, "Running": 1, "Stopped": 2, "Starting": 3, "Stopping": 4}
HEALTH_CODES = {"Ok": 0, "InsufficientData": 1, "Initializing": 2, "NotApplicable": 3, "Warning": 64,
                "Impaired": 128}


def health_of(status: str) -> str:
    """Running instances are Ok, stopped ones give no data, the others are between states [GUESS]."""
    return {"Running": "Ok", "Stopped": "InsufficientData"}.get(status, "Initializing")


def _scheduled(ctx: Context, instance: Mapping[str, Any]) -> list[dict]:
    """The instance's Scheduled and Inquiring events (index terms), newest first."""
    return events.newest_first(events.read_many(ctx, KIND, events.ids_under(
        ctx, [events.instance_term(ctx, instance["InstanceId"], s) for s in events.SHOWN_AS_SCHEDULED])))


def _having_events(ctx: Context, wanted_ids: Optional[set], types: Optional[list[str]], shown: Any) -> set[str]:
    """The instances with Scheduled or Inquiring events that ``shown`` keeps (read from the events' index terms:
    those named, or of the types asked, or all active ones) [GUESS: event filters narrow the instances listed]."""
    if wanted_ids is not None:
        ids = sorted(wanted_ids)
    elif types:
        ids = events.ids_under(ctx, [events.type_term(ctx, t, s) for t in types for s in events.SHOWN_AS_SCHEDULED])
    else:
        ids = events.ids_under(ctx, [events.status_term(ctx, s) for s in events.SHOWN_AS_SCHEDULED])
    return {r["_instance"] for r in events.read_many(ctx, KIND, ids)
            if resources.is_mine(ctx, r) and events.status_of(r) in events.SHOWN_AS_SCHEDULED and shown(r)}


@operation("DescribeInstancesFullStatus", Repeat("InstanceId"), Repeat("EventId"), S("Status"), S("HealthStatus"),
           S("EventType"), Repeat("InstanceEventType"), Struct("NotBefore", _RANGE),
           Struct("EventPublishTime", _RANGE), *_PAGING, region_missing=_REGION_MISSING)
def describe_instances_full_status(ctx: Context, instance_id: Optional[list[str]], event_id: Optional[list[str]],
                                   status: Optional[str], health_status: Optional[str], event_type: Optional[str],
                                   instance_event_type: Optional[list[str]], not_before: dict,
                                   event_publish_time: dict, page_number: int, page_size: int) -> dict:
    _page_args(page_number, page_size)
    if instance_id and len(instance_id) > 100:
        raise TOO_MANY_INSTANCES
    if event_id and len(event_id) > 100:
        raise TOO_MANY_EVENTS
    if status and status not in ("Starting", "Running", "Stopped"):
        raise _bad("Status")
    if health_status and health_status not in ("Ok", "Impaired", "Initializing", "InsufficientData", "NotApplicable"):
        raise _bad("HealthStatus")
    types = _types(instance_event_type, event_type)
    windows = _windows(not_before, event_publish_time)
    wanted_ids = set(event_id) if event_id else None
    instance_clock.settle_due(ctx)  # (released or expired by the mock clock by now)
    events.settle_due(ctx)

    def shown(r: Mapping[str, Any]) -> bool:
        return events.matching(r, wanted_ids, types, windows)

    named = list(dict.fromkeys(instance_id)) if instance_id else None
    if wanted_ids is not None or types is not None or _timed(windows):
        having = _having_events(ctx, wanted_ids, types, shown)
        named = [i for i in named if i in having] if named is not None else sorted(having)
    if named is None and not status and not health_status:  # every instance here: the ordered index
        page, meta = paging.ordered_page(ctx, "instance", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
    else:
        found = [r for r in (resources.mine_among(ctx, "instance", named) if named is None or named else [])
                 if (not status or r["Status"] == status) and (not health_status
                                                                or health_of(r["Status"]) == health_status)]
        found.sort(key=lambda r: (r.get("_created", 0), r["InstanceId"]))
        start, size, meta = paging.bounds(page_number, page_size, None, None, len(found))
        page = found[start:start + size]
    items = []
    for record in page:
        health = health_of(record["Status"])
        scheduled = [events.view(r, history=False) for r in _scheduled(ctx, record) if shown(r)]
        items.append({"Status": {"Code": STATUS_CODES.get(record["Status"], 0), "Name": record["Status"]},
                      "InstanceId": record["InstanceId"],
                      "HealthStatus": {"Code": HEALTH_CODES[health], "Name": health},
                      "ScheduledSystemEventSet": {"ScheduledSystemEventType": scheduled}})
    return {"TotalCount": meta["TotalCount"], "PageSize": page_size, "PageNumber": page_number,
            "InstanceFullStatusSet": {"InstanceFullStatusType": items}}


# -- DescribeDisksFullStatus -------------------------------------------------------------------------------
# Disk status codes: Available 129 is the metadata's example; the others are [GUESS]es around it. Health codes are
# the instances' (HEALTH_CODES: Impaired 128 is this action's example too).
DISK_STATUS_CODES = {"In_use": 128, "Available": 129, "Attaching": 130, "Detaching": 131, "Creating": 132,
                     "ReIniting": 133}
TOO_MANY_DISKS = error_kind("DiskIdLimitExceeded", "The amount of DiskId specified exceeds limit 100.", 403)


@operation("DescribeDisksFullStatus", Repeat("DiskId"), Repeat("EventId"), S("Status"), S("HealthStatus"),
           S("EventType"), Struct("EventTime", _RANGE), S("ResourceGroupId"), Structs("Tag", [S("Key"), S("Value")]),
           *_PAGING, region_missing=_REGION_MISSING)
def describe_disks_full_status(ctx: Context, disk_id: Optional[list[str]], event_id: Optional[list[str]],
                               status: Optional[str], health_status: Optional[str], event_type: Optional[str],
                               event_time: dict, resource_group_id: Optional[str], tag: Optional[list[dict]],
                               page_number: int, page_size: int) -> dict:
    """The caller's disks here with their lifecycle status, health and events (:mod:`mockecs.world.disk_events`).
    Event filters (EventId, EventType, EventTime) keep the disks that have such events, showing only those
    [GUESS: as DescribeInstancesFullStatus]; without EventTime, the last week's events are shown (documented)."""
    _page_args(page_number, page_size)
    if disk_id and len(disk_id) > 100:
        raise TOO_MANY_DISKS
    if event_id and len(event_id) > 100:
        raise TOO_MANY_EVENTS
    _choices([status] if status else None, DISK_STATUS_CODES, "Status")
    _choices([health_status] if health_status else None, HEALTH_CODES, "HealthStatus")
    _choices([event_type] if event_type else None, disk_events.TYPE_CODES, "EventType")
    low, high = _window(event_time, "EventTime")
    wanted_events = set(event_id) if event_id else None
    by_events = wanted_events is not None or event_type or low is not None or high is not None

    def shown(r: Mapping[str, Any]) -> bool:
        return ((wanted_events is None or r["EventId"] in wanted_events)
                and (not event_type or r["EventType"]["Name"] == event_type)
                and (low is None or r["_at"] >= low) and (high is None or r["_at"] <= high))

    named = list(dict.fromkeys(disk_id)) if disk_id else None
    group = resource_groups.term(resource_group_id) if resource_group_id else None
    wanted_tags = [t for t in tag or () if t.get("key")]
    if named is None and not (status or health_status or by_events or group or wanted_tags):
        page, meta = paging.ordered_page(ctx, "disk", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        listed = [(r, disk_events.of_disk(ctx, r["DiskId"])) for r in page]
    else:
        found = []
        for record in resources.mine_among(ctx, "disk", named, group, tags=wanted_tags):
            held = disk_events.of_disk(ctx, record["DiskId"])
            if ((status and record["Status"] != status)
                    or (resource_group_id and record.get("ResourceGroupId") != resource_group_id)
                    or not resources.match_tags(record, wanted_tags)
                    or (health_status and disk_events.health(held, ctx.now, record["Status"]) != health_status)
                    or (by_events and not any(shown(r) for r in held))):
                continue
            found.append((record, held))
        found.sort(key=lambda pair: resources.ORDER["disk"](pair[0]) + "\0" + pair[0]["DiskId"])
        start, size, meta = paging.bounds(page_number, page_size, None, None, len(found))
        listed = found[start:start + size]
    items = []
    for record, held in listed:
        health = disk_events.health(held, ctx.now, record["Status"])
        items.append({"DiskId": record["DiskId"], "InstanceId": record.get("InstanceId") or "",
                      "Device": (record.get("Device") or "") if record["Status"] == "In_use" else "",
                      "Status": {"Code": DISK_STATUS_CODES.get(record["Status"], 0), "Name": record["Status"]},
                      "HealthStatus": {"Code": HEALTH_CODES[health], "Name": health},
                      "DiskEventSet": {"DiskEventType": [disk_events.view(r) for r in held if shown(r)]}})
    return {"TotalCount": meta["TotalCount"], "PageSize": page_size, "PageNumber": page_number,
            "DiskFullStatusSet": {"DiskFullStatusType": items}}

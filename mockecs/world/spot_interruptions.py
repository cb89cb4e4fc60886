"""Spot instances reclaimed by the cloud, when a test says so: the interruption code of a spot workload has
something to drive (:func:`interrupt`; ``POST /_mockecs/spot-interruptions``; ``MockECS.interrupt_spot``).

What the service does (Alibaba's docs, "Detect and respond to spot instance interruption events", and RunInstances'
metadata; the sources and the guesses are in ``docs/choices.md``):

- **The notice, five minutes before** (documented: "实例回收前5分钟阿里云会通过ECS系统事件向您发送通知"): the
  instance is locked, ``OperationLocks`` ``LockReason`` ``Recycling`` (DescribeInstances' documented value:
  "抢占式实例的待释放锁定状态"), its disks ``recycling`` (DescribeDisks' documented value); the metadata item
  ``instance/spot/termination-time`` answers the reclaim time (``2015-01-05T18:02:00Z``, documented; 404 otherwise);
  CloudMonitor publishes an ``Instance:PreemptibleInstanceInterruption`` event (``content``: ``instanceId``,
  ``action`` ``delete``), kept here (:func:`events`) in the documented JSON form for a handler under test. The
  instance keeps running meanwhile [GUESS: the point of the notice].
- **Five minutes later**, on the mock clock: ``SpotInterruptionBehavior`` ``Terminate`` (the default) releases it as
  DeleteInstance with ``Force`` does (DescribeInstances no longer lists it; by id: not found); ``Stop`` stops it in
  economical mode (``Stopped``, ``StoppedMode`` ``StopCharging``: "实例进入节省停机模式"), unlocked; it can be started
  again.
- **Who is reclaimed**: only spot instances (``SpotStrategy`` SpotWithPriceLimit or SpotAsPriceGo), never during the
  protection their ``SpotDuration`` gives (documented: 1 hour "不会被自动释放"; 0: none): the cloud reclaims for the
  price ("出价与市场价格") or for its stock, so a test names an instance, or a type and zone (every spot instance of
  them, of every account: the stock is the zone's). With ``spot_price`` the interruption is the market's: the type's
  spot price in that zone is that price from the current hour on (DescribeSpotPriceHistory shows it, RunInstances
  refuses a lower SpotPriceLimit), and only SpotWithPriceLimit instances whose SpotPriceLimit is below it are
  reclaimed (SpotAsPriceGo ones follow the price); one still within its protection gets its notice when the
  protection ends if the price then is still above its limit (the step ``spot_check``).

Nothing runs by itself: the reclaim is a step of :mod:`mockecs.world.instance_clock`, taken by the reads that show
instances once the mock clock passes it.
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping, Optional

from mockecs.wire.errors import error_kind
from mockecs.wire.records import record
from mockecs.world import instance_clock, monitoring, regions, resources, spot
from mockecs.world.context import Context
from mockecs.world.disks import instance_disks, multi_attach
from mockecs.world.instance_types import instance_type
from mockecs.world.releases import release_instance

NOTICE = 300.0  # documented: the notice comes 5 minutes before the reclaim
HOUR = 3600.0
SPOT_STRATEGIES = ("SpotWithPriceLimit", "SpotAsPriceGo")
RECYCLING = {"LockReason": "Recycling"}  # (DescribeInstances' value; no LockMsg is documented for it)
DISK_RECYCLING = {"LockReason": "recycling"}  # (DescribeDisks' value, lower case as documented)
EVENT_NAME = "Instance:PreemptibleInstanceInterruption"
ACTIONS = {"Terminate": "delete", "Stop": "stop"}  # content.action: "delete" documented; "stop" [GUESS]
KIND = "spot_interruption"  # (the events kept: the engine's own kind, not a resource)
# StartInstance(s)' documented code for a spot instance the market price outbids
OUTBID = error_kind("OperationDenied.SpotPriceLowerThanPublicPrice",
                    "The spot instance price is lower than public price.", 403)
_ALL = ("spot_interruption", "*")


class InterruptionError(ValueError):
    """What the cloud would not do (a one-line reason naming the input)."""


def is_spot(record: Mapping[str, Any]) -> bool:
    return record.get("SpotStrategy") in SPOT_STRATEGIES


def protected_until(record: Mapping[str, Any]) -> float:
    """The end of the protection ``SpotDuration`` gives (hours from creation; 0: none)."""
    return float(record.get("_created") or 0.0) + HOUR * int(record.get("SpotDuration") or 0)


def termination_time(record: Mapping[str, Any], now: float) -> Optional[str]:
    """The metadata item ``instance/spot/termination-time``: the reclaim time while it is to come (else None: 404)."""
    reclaim = record.get("_spot_reclaim")
    if reclaim is None or reclaim["at"] <= now:
        return None
    return resources.iso(reclaim["at"])


def instance_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A spot instance's place in its stock (zone and type, zone, region and type): who a reclaim of a type or a
    zone takes, found by index terms (any account's)."""
    if not is_spot(record):
        return []
    zone, itype = record.get("ZoneId") or "", record.get("InstanceType") or ""
    return [("spot_pool", f"{zone}|{itype}"), ("spot_zone", zone), ("spot_type", f"{record['_region']}|{itype}")]


def _locks(record: Mapping[str, Any], field: str, add: Optional[Mapping[str, Any]]) -> dict:
    return instance_clock.relocked(record, field, add, "Recycling")


def _lock_disks(ctx: Context, instance_id: str, locked: bool) -> None:
    """The reclaimed instance's disks locked for recycling during the notice; not a multi-attach disk, which the
    reclaim does not take (it stays on its other instances: only this attachment goes)."""
    for disk in instance_disks(ctx, instance_id):
        if multi_attach(disk):
            continue
        resources.put(ctx.txn, "disk", {**disk, "OperationLocks": _locks(disk, "OperationLock",
                                                                         DISK_RECYCLING if locked else None)})


def _event_time(at: float) -> str:
    """CloudMonitor's ``eventTime``: ``20190409T121826.922+0800`` (UTC+8, as documented)."""
    moment = datetime.datetime.fromtimestamp(at, datetime.timezone(datetime.timedelta(hours=8)))
    return moment.strftime("%Y%m%dT%H%M%S.") + f"{moment.microsecond // 1000:03d}+0800"


def cms_event(record: Mapping[str, Any], at: float) -> dict:
    """The CloudMonitor event of an interruption, in the documented JSON form ("level": the event table's Warn)."""
    account, region, instance_id = record["_owner"], record["_region"], record["InstanceId"]
    return {"ver": "1.0", "id": resources.random_uuid().upper(), "product": "ECS",
            "resourceId": f"acs:ecs:{region}:{account}:instance/{instance_id}", "level": "WARN",
            "name": EVENT_NAME, "userId": account, "eventTime": _event_time(at), "regionId": region,
            "content": {"instanceId": instance_id, "action": ACTIONS.get(record.get("SpotInterruptionBehavior") or "",
                                                                          "delete")}}


def _notice(ctx: Context, record: Mapping[str, Any], reason: str) -> tuple[dict, dict]:
    """``record`` locked for recycling now, reclaimed :data:`NOTICE` seconds later; (its event, kept; the record)."""
    at = ctx.now + NOTICE
    locked = {k: v for k, v in record.items() if k != "_spot_check"}
    locked.update(OperationLocks=_locks(record, "LockReason", RECYCLING),
                  _spot_reclaim={"at": at, "notice": ctx.now, "reason": reason})
    _lock_disks(ctx, record["InstanceId"], True)
    locked = resources.put(ctx.txn, "instance", locked)
    instance_clock.schedule(ctx, locked)
    event = cms_event(record, ctx.now)
    terms = [_ALL, ("spot_interruption", record["_owner"]), ("spot_interruption", record["InstanceId"])]
    ctx.txn.put(KIND, event["id"], {**event, "_at": ctx.now, "_reclaim_at": at}, terms,
                resources.time_key(ctx.now) + event["id"])
    return event, locked


def _outbid(record: Mapping[str, Any], price: float) -> bool:
    return record.get("SpotStrategy") == "SpotWithPriceLimit" and float(record.get("SpotPriceLimit") or 0.0) < price


def check_start(ctx: Context, record: Mapping[str, Any]) -> None:
    """Starting a stopped SpotWithPriceLimit instance after its protection is refused while the market price is
    above its limit (documented for a stopped spot instance: "If the market price exceeds your bid price ... cannot
    be started"), with StartInstance's documented code. Only a price a test set counts [GUESS: the made-up daily
    prices never refuse a start]."""
    if record.get("SpotStrategy") != "SpotWithPriceLimit" or ctx.now < protected_until(record):
        return
    market = spot.market_of(ctx.txn, record.get("ZoneId") or "", record.get("InstanceType") or "")
    itype = instance_type(record.get("InstanceType") or "") if market else None
    found = spot.prices(ctx.engine, itype, record["ZoneId"], ctx.now, market=market) if itype else None
    if found is not None and _outbid(record, found[0]):
        raise OUTBID


def market_check(ctx: Context, record: dict) -> Optional[dict]:
    """The end of the protection of an instance the market outbid meanwhile: the notice now if the price (now) is
    still above its SpotPriceLimit (documented: after the protection "系统会自动比较出价与市场价格"), else nothing."""
    checked = {k: v for k, v in record.items() if k != "_spot_check"}
    itype = instance_type(record.get("InstanceType") or "")
    price = spot.spot_price(ctx.engine, itype, record.get("ZoneId") or "", ctx.now, ctx.txn) if itype else None
    if record.get("_spot_reclaim") is None and price is not None and _outbid(record, price):
        return _notice(ctx, checked, "price")[1]
    return resources.put(ctx.txn, "instance", checked)


def reclaim(ctx: Context, record: dict) -> Optional[dict]:
    """The reclaim (``ctx.now``: its time): released (None), or stopped in economical mode and unlocked."""
    _lock_disks(ctx, record["InstanceId"], False)
    unlocked = {k: v for k, v in record.items() if k not in ("_spot_reclaim", "_pending")}
    unlocked["OperationLocks"] = _locks(record, "LockReason", None)
    if record.get("SpotInterruptionBehavior") != "Stop":
        release_instance(ctx, unlocked)
        return None
    if unlocked.get("Status") != "Stopped":
        unlocked.update(monitoring.run_ended(record, ctx.now))
    unlocked.update(Status="Stopped", StoppedMode="StopCharging")
    return resources.put(ctx.txn, "instance", unlocked)


instance_clock.STEPS["reclaim"] = reclaim
instance_clock.STEPS["spot_check"] = market_check


@record(frozen=True)
class _Ask:
    instance_id: Optional[str]
    instance_type: Optional[str]
    zone_id: Optional[str]
    account: Optional[str]
    spot_price: Optional[float]


def _check(ask: _Ask) -> None:
    for name in ("instance_id", "instance_type", "zone_id", "account"):
        value = getattr(ask, name)
        if value is not None and (not isinstance(value, str) or not value):
            raise InterruptionError(f"{name} must be a non-empty string, not {value!r}")
    if ask.instance_id is None and ask.instance_type is None and ask.zone_id is None:
        raise InterruptionError("name an instance_id, or an instance_type and/or a zone_id")
    if ask.instance_id is not None and (ask.instance_type is not None or ask.zone_id is not None):
        raise InterruptionError("give instance_id alone, or instance_type and/or zone_id (not both)")
    if ask.spot_price is not None:
        if isinstance(ask.spot_price, bool) or not isinstance(ask.spot_price, (int, float)) \
                or not 0 < ask.spot_price < 1e6:
            raise InterruptionError(f"spot_price must be a number above 0 (per hour), not {ask.spot_price!r}")
        if ask.instance_id is None and (ask.instance_type is None or ask.zone_id is None):
            raise InterruptionError("spot_price moves one market: give instance_type and zone_id (or instance_id)")
    if ask.instance_type is not None and instance_type(ask.instance_type) is None:
        raise InterruptionError(f"instance_type {ask.instance_type!r} is not an instance type of the catalogue")
    if ask.zone_id is not None and not any(ask.zone_id in regions.zone_ids(r) for r in regions.regions()):
        raise InterruptionError(f"zone_id {ask.zone_id!r} is not a zone of any region")


def _candidates(txn: Any, ask: _Ask, region: Optional[str]) -> list[str]:
    """The ids of the spot instances a type/zone reclaim names (index lookups, id order)."""
    if ask.zone_id is not None and ask.instance_type is not None:
        term = ("spot_pool", f"{ask.zone_id}|{ask.instance_type}")
    elif ask.zone_id is not None:
        term = ("spot_zone", ask.zone_id)
    else:
        term = ("spot_type", f"{region}|{ask.instance_type}")
    return sorted(txn.ids("instance", term))


def _refusal(record: Mapping[str, Any], ask: _Ask, now: float) -> Optional[str]:
    """Why the cloud would not reclaim ``record`` now (None: it would)."""
    instance_id = record["InstanceId"]
    if not is_spot(record):
        return f"{instance_id} is not a spot instance (SpotStrategy {record.get('SpotStrategy') or 'NoSpot'})"
    if record.get("_spot_reclaim") is not None:
        return f"{instance_id} already has an interruption notice (reclaimed at " \
               f"{resources.iso(record['_spot_reclaim']['at'])})"
    protected = protected_until(record)
    if now < protected:
        return f"{instance_id} is protected by its SpotDuration ({record.get('SpotDuration')} h) until " \
               f"{resources.iso(protected)}"
    if ask.spot_price is not None:
        if record.get("SpotStrategy") != "SpotWithPriceLimit":
            return f"{instance_id} is SpotAsPriceGo: it follows the market price, which never outbids it"
        if not _outbid(record, ask.spot_price):
            return f"{instance_id}'s SpotPriceLimit {record.get('SpotPriceLimit')} is not below spot_price " \
                   f"{ask.spot_price}"
    return None


def interrupt(engine: Any, instance_id: Optional[str] = None, *, instance_type: Optional[str] = None,
              zone_id: Optional[str] = None, account: Optional[str] = None, spot_price: Optional[float] = None,
              region: Optional[str] = None) -> list[dict]:
    """Give spot instances their interruption notice now, as the cloud does before reclaiming them; they are
    released (``SpotInterruptionBehavior`` Terminate) or stopped (Stop) :data:`NOTICE` seconds later on the mock
    clock. Returns the CloudMonitor events published (:func:`cms_event`), one per instance.

    ``instance_id``: that instance; refused (:class:`InterruptionError`) when it does not exist, is not a spot
    instance, already has a notice, is within its SpotDuration protection, or (with ``spot_price``) is not outbid.
    ``instance_type`` and/or ``zone_id`` (``instance_type`` alone: in ``region``, default the engine's): every spot
    instance of them the cloud would reclaim (of ``account`` only, if given); the others are left alone.
    ``spot_price``: the interruption is the market's (the type's spot price in the zone becomes ``spot_price`` from
    the current hour on; only SpotWithPriceLimit instances below it are reclaimed; with a type and zone, those
    within their protection get the notice when it ends, if the price then is still above their limit).
    """
    ask = _Ask(instance_id, instance_type, zone_id, account, spot_price)
    _check(ask)
    if region is not None and not regions.exists(region):
        raise InterruptionError(f"region {region!r} is not a region")
    with engine.store.transaction() as txn:
        now = engine.clock.now()
        region = region or engine.config.region
        if instance_id is not None:
            record = txn.get("instance", instance_id)
            if record is None or (account is not None and record["_owner"] != account):
                raise InterruptionError(f"no instance {instance_id!r}" + (f" of account {account}" if account else ""))
            _settled(engine, txn, record, now)
            record = txn.get("instance", instance_id)
            if record is None:
                raise InterruptionError(f"no instance {instance_id!r} (released by the mock clock by now)")
            refused = _refusal(record, ask, now)
            if refused:
                raise InterruptionError(refused)
            chosen = [record]
        else:
            ids = _candidates(txn, ask, region)
            chosen = [r for r in txn.get_many("instance", ids) if r is not None
                      and (account is None or r["_owner"] == account)]
            for record in chosen:
                _settled(engine, txn, record, now)
            found = [r for r in txn.get_many("instance", [r["InstanceId"] for r in chosen]) if r is not None]
            chosen = [r for r in found if _refusal(r, ask, now) is None]
            if spot_price is not None:  # (outbid within their protection: checked again when it ends)
                for record in found:
                    if _protected_outbid(record, spot_price, now):
                        later = {**record, "_spot_check": {"at": protected_until(record)}}
                        instance_clock.schedule(_context(engine, txn, record, now),
                                                resources.put(txn, "instance", later))
        if spot_price is not None:
            first = chosen[0] if instance_id is not None else None
            spot.set_market_price(txn, first["ZoneId"] if first else zone_id,
                                  first["InstanceType"] if first else instance_type,
                                  now // HOUR * HOUR, float(spot_price))
        reason = "price" if spot_price is not None else "stock"
        return [_notice(_context(engine, txn, r, now), r, reason)[0] for r in chosen]


def _protected_outbid(record: Mapping[str, Any], price: float, now: float) -> bool:
    return is_spot(record) and record.get("_spot_reclaim") is None and now < protected_until(record) \
        and _outbid(record, price)


def _context(engine: Any, txn: Any, record: Mapping[str, Any], now: float) -> Context:
    return Context(engine, txn, "SpotInterruption", record["_owner"], record["_region"], "", "", now, {})


def _settled(engine: Any, txn: Any, record: Mapping[str, Any], now: float) -> None:
    """``record`` as of now (its steps due on the mock clock taken: released, stopped, renewed ...)."""
    ctx = _context(engine, txn, record, now)
    step = instance_clock.next_step(record, engine.config.options)
    if step is not None and step[0] <= now:
        instance_clock.settle(ctx, record["InstanceId"], record)


def events(engine: Any, account: Optional[str] = None, instance_id: Optional[str] = None) -> list[dict]:
    """The CloudMonitor interruption events published so far, oldest first (of ``account`` or ``instance_id``
    only, if given): each as :func:`cms_event` made it."""
    term = ("spot_interruption", instance_id) if instance_id else ("spot_interruption", account) if account else _ALL
    with engine.store.transaction() as txn:
        count = txn.count(KIND, term)
        found = [record for _, record in _page(txn, term, count)]
    return [{k: v for k, v in record.items() if not k.startswith("_")} for record in found]


def _page(txn: Any, term: tuple[str, str], count: int) -> Iterable[tuple[str, Mapping[str, Any]]]:
    ids = [id for _, id in txn.page(KIND, term, 0, count)] if count else []
    return zip(ids, txn.get_many(KIND, ids))

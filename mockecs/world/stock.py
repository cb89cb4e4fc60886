"""Stock shortages, when a test says so: an instance type, a whole zone or a disk category sold out in a zone
(:func:`sell_out`, :func:`restock`; ``POST /_mockecs/stock``; ``MockECS.sell_out``; the ``ecs_stock`` fixture),
so the code that meets ``OperationDenied.NoStock`` and falls back to another zone or type has something to drive.

Without one, every type a zone sells is in stock (the catalogue, :mod:`mockecs.world.instance_types`). With one,
as the service documents it (the sources and the guesses are in ``docs/choices.md``, "Stock shortages (stop 20)"):

- DescribeAvailableResource and DescribeResourcesModification answer the resource ``Status`` ``SoldOut`` with the
  ``StatusCategory`` the test chose (``WithoutStock``: "库存售罄，将会补充资源", the default; ``ClosedWithoutStock``:
  "且不补充资源"), the zone ``SoldOut`` when all it offers of the asked resource is; DescribeZones leaves sold-out
  types and disk categories out of what the zone can create (and ``Instance`` when none of its types is in stock);
- RunInstances, CreateInstance, StartInstance(s) of an instance stopped in economical mode (``StopCharging``: its
  resources went back), ModifyInstanceSpec and ModifyPrepayInstanceSpec to a sold-out type refuse with each
  action's documented ``OperationDenied.NoStock`` (403); CreateDisk of a sold-out category with its ``Zone.NotOnSale``;
  instances a private pool (capacity reservation, elasticity assurance) holds room for still launch and start;
- spot instances of the type (or zone) can be reclaimed for it (``reclaim_spot``: the notice of
  :mod:`mockecs.world.spot_interruptions`, reason "stock").

The state is one record per zone in the store (kind :data:`KIND`, id the zone): shared by ``--workers`` engines,
exported and imported with the state, cleared by reset; a check is one read by id.
"""
from __future__ import annotations

from functools import cache
from typing import Any, Mapping, Optional

from mockecs.state.store import generation
from mockecs.world import dedicated_hosts, regions, spot_interruptions
from mockecs.world.context import Context
from mockecs.world.instance_types import instance_type, types_in_zone

KIND = "stock_shortage"  # (the engine's own kind, not a resource: one record per zone with a shortage)
_ALL = (KIND, "*")
SOLD_OUT = "SoldOut"
CATEGORIES = ("WithoutStock", "ClosedWithoutStock")  # DescribeAvailableResource's StatusCategory of a sold-out one
# (the categories mockecs makes disks of: DescribeZones' AvailableDiskCategories, and the old "cloud")
MAX_SECONDS = 10 * 365 * 86400  # (of mock time: a shortage for a while)
DISK_CATEGORIES = ("cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry")


class StockError(ValueError):
    """A shortage the cloud could not have (a one-line reason naming the input)."""


@cache
def _zone_regions() -> dict[str, str]:
    return {zone: region for region in regions.regions() for zone in regions.zone_ids(region)}


def zone_region(zone_id: str) -> Optional[str]:
    return _zone_regions().get(zone_id)


def _live(record: Any, now: float) -> Mapping[str, Any]:
    """A stored shortage as of ``now``: what a test sold out for a while (``Until``) is back once that time passed."""
    if record is None or not isinstance(record, dict):  # (none, or an imported record holding anything; dict:
        return {}                                          # typing.Mapping's isinstance costs µs per zone read)
    until = record.get("Until") or {}
    if not until or all(at > now for at in until.values()):
        return record
    gone = {key for key, at in until.items() if at <= now}
    return {**record, "Zone": None if "zone" in gone else record.get("Zone"),
            "InstanceTypes": {k: v for k, v in (record.get("InstanceTypes") or {}).items() if f"type:{k}" not in gone},
            "DiskCategories": {k: v for k, v in (record.get("DiskCategories") or {}).items()
                               if f"disk:{k}" not in gone},
            "Until": {k: v for k, v in until.items() if k not in gone}}


def shortage(ctx: Context, zone_id: Optional[str]) -> Mapping[str, Any]:
    """The zone's shortages now (empty: all in stock; one read by id)."""
    return _live(ctx.txn.get(KIND, zone_id), ctx.now) if ctx.txn is not None and zone_id else {}


# The kind's generation (see state.store.generation) when it was last seen holding no record: DescribeZones, on
# every call, then reads nothing more while no test ever sold anything out (the last one only: nothing grows).
_EMPTY_AT: list[Any] = [None]


def shortages(ctx: Context, zone_ids: list[str]) -> dict[str, Mapping[str, Any]]:
    """The shortages now of ``zone_ids`` that have one (one read)."""
    txn = ctx.txn
    written = generation(txn, KIND)
    if written is not None and written == _EMPTY_AT[0]:
        return {}
    if written is not None and not txn.count(KIND):
        _EMPTY_AT[0] = written
        return {}
    found = {zone: _live(record, ctx.now) for zone, record in zip(zone_ids, txn.get_many(KIND, zone_ids))
             if record is not None}
    return {zone: short for zone, short in found.items() if _short(short)}


def type_stock(short: Mapping[str, Any], type_id: str) -> Optional[str]:
    """The StatusCategory of a sold-out type in the zone of ``short`` (None: in stock)."""
    return (short.get("InstanceTypes") or {}).get(type_id) or short.get("Zone") or None


def disk_stock(short: Mapping[str, Any], category: str) -> Optional[str]:
    """The StatusCategory of a sold-out disk category in the zone of ``short`` (None: in stock)."""
    return (short.get("DiskCategories") or {}).get(category) or None


def sold_out(ctx: Context, zone_id: Optional[str], type_id: str) -> bool:
    return type_stock(shortage(ctx, zone_id), type_id) is not None


def reserved(fields: Mapping[str, Any]) -> bool:
    """Whether an instance's private pool fields name a pool (its capacity is reserved: no stock is needed)."""
    return bool((fields.get("_private_pool") or {}).get("Id"))


def check_launch(ctx: Context, zone_id: str, type_id: str, unreserved: int, disk_categories: list[str],
                 refusal: Any) -> None:
    """Refuse a launch (``refusal``, the action's NoStock) of ``type_id`` in ``zone_id`` when the type is sold out
    there and ``unreserved`` instances of it (those no private pool or dedicated host holds room for) need the
    stock, or a disk category it makes is sold out there."""
    short = shortage(ctx, zone_id)
    if short and ((unreserved and type_stock(short, type_id)) or any(disk_stock(short, c) for c in disk_categories)):
        raise refusal


def check_start(ctx: Context, record: Mapping[str, Any], refusal: Any) -> None:
    """A stopped instance that gave its resources back (``StoppedMode`` ``StopCharging``) needs them again from
    the stock to start; one kept (``KeepCharging``) or held by its private pool does not."""
    if record.get("StoppedMode") != "StopCharging" or reserved(record) or dedicated_hosts.host_id_of(record):
        return
    if sold_out(ctx, record.get("ZoneId"), record.get("InstanceType") or ""):
        raise refusal


# -- what a test does -----------------------------------------------------------------------------------
def _check(zone_id: Any, instance_type_id: Any, disk_category: Any) -> str:
    for name, value in (("zone_id", zone_id), ("instance_type", instance_type_id), ("disk_category", disk_category)):
        if value is not None and (not isinstance(value, str) or not value):
            raise StockError(f"{name} must be a non-empty string, not {value!r}")
    if zone_id is None:
        raise StockError("zone_id is required (the zone whose stock runs out)")
    region = zone_region(zone_id)
    if region is None:
        raise StockError(f"zone_id {zone_id!r} is not a zone of any region")
    if instance_type_id is not None and disk_category is not None:
        raise StockError("give instance_type or disk_category, not both (or neither: the whole zone)")
    if instance_type_id is not None:
        itype = instance_type(instance_type_id)
        if itype is None:
            raise StockError(f"instance_type {instance_type_id!r} is not an instance type of the catalogue")
        if instance_type_id not in types_in_zone(zone_id):
            raise StockError(f"zone {zone_id} does not sell {instance_type_id} (nothing to run out of)")
    if disk_category is not None and disk_category not in DISK_CATEGORIES:
        raise StockError(f"disk_category {disk_category!r} is not a disk category ({', '.join(DISK_CATEGORIES)})")
    return region


def _short(record: Mapping[str, Any]) -> bool:
    return bool(record.get("Zone") or record.get("InstanceTypes") or record.get("DiskCategories"))


def _stored(txn: Any, zone_id: str, now: float) -> dict:
    return dict(_live(txn.get(KIND, zone_id), now))


def _put(txn: Any, zone_id: str, record: Mapping[str, Any]) -> None:
    if _short(record):
        txn.put(KIND, zone_id, dict(record), [_ALL], zone_id)
    elif txn.get(KIND, zone_id) is not None:
        txn.delete(KIND, zone_id)


def sell_out(engine: Any, zone_id: Optional[str] = None, instance_type: Optional[str] = None, *,
             disk_category: Optional[str] = None, closed: bool = False, reclaim_spot: bool = False,
             seconds: Optional[float] = None) -> dict:
    """``instance_type`` sold out in ``zone_id`` (neither it nor ``disk_category``: every instance type of the zone;
    ``disk_category``: that disk category), until :func:`restock`. ``closed``: ``ClosedWithoutStock`` (not to be
    restocked) rather than ``WithoutStock``. ``reclaim_spot``: the spot instances of that type (or zone) get their
    interruption notice now, as :func:`mockecs.world.spot_interruptions.interrupt` gives it. ``seconds``: back in
    stock that long after now on the mock clock (else until :func:`restock`). Returns the zone's shortage
    (:func:`view`) and the interruption events (``"events"``)."""
    region = _check(zone_id, instance_type, disk_category)
    if not isinstance(closed, bool) or not isinstance(reclaim_spot, bool):
        raise StockError("closed and reclaim_spot must be true or false")
    if reclaim_spot and disk_category is not None:
        raise StockError("reclaim_spot takes instances: give an instance_type or the whole zone, not a disk_category")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                or not 0 < seconds <= MAX_SECONDS):
        raise StockError(f"seconds must be a number above 0 (at most {MAX_SECONDS}), not {seconds!r}")
    category = CATEGORIES[closed]
    with engine.store.transaction() as txn:
        now = engine.clock.now()
        record = {"ZoneId": zone_id, "RegionId": region, "Zone": None, "InstanceTypes": {}, "DiskCategories": {},
                  **_stored(txn, zone_id, now)}
        if disk_category is not None:
            record["DiskCategories"] = {**record["DiskCategories"], disk_category: category}
            key = f"disk:{disk_category}"
        elif instance_type is not None:
            record["InstanceTypes"] = {**record["InstanceTypes"], instance_type: category}
            key = f"type:{instance_type}"
        else:
            record["Zone"] = category
            key = "zone"
        until = {k: v for k, v in (record.get("Until") or {}).items() if k != key}
        if seconds is not None:
            until[key] = now + float(seconds)
        record["Until"] = until
        _put(txn, zone_id, record)
    events = spot_interruptions.interrupt(engine, instance_type=instance_type, zone_id=zone_id) \
        if reclaim_spot else []
    return {**view(record), "events": events}


def restock(engine: Any, zone_id: Optional[str] = None, instance_type: Optional[str] = None, *,
            disk_category: Optional[str] = None) -> None:
    """Back in stock: ``instance_type`` (or ``disk_category``) in ``zone_id``; the whole zone (every shortage of it)
    with neither; every zone with no ``zone_id``. Restocking one type of a zone sold out as a whole is refused
    (restock the zone, then sell out what stays short)."""
    if zone_id is None:
        if instance_type is not None or disk_category is not None:
            raise StockError("zone_id is required to restock one instance_type or disk_category")
        with engine.store.transaction() as txn:
            for id, _ in _entries(txn):
                txn.delete(KIND, id)
        return
    _check(zone_id, instance_type, disk_category)
    with engine.store.transaction() as txn:
        record = _stored(txn, zone_id, engine.clock.now())
        if not _short(record):
            return
        if instance_type is None and disk_category is None:
            txn.delete(KIND, zone_id)
            return
        if instance_type is not None and record.get("Zone"):
            raise StockError(f"zone {zone_id} is sold out as a whole: restock the zone (then sell out the types "
                             f"that stay short)")
        field, key = ("DiskCategories", disk_category) if disk_category is not None else ("InstanceTypes",
                                                                                          instance_type)
        record[field] = {k: v for k, v in (record.get(field) or {}).items() if k != key}
        prefix = "disk:" if disk_category is not None else "type:"
        record["Until"] = {k: v for k, v in (record.get("Until") or {}).items() if k != prefix + key}
        _put(txn, zone_id, record)


def _entries(txn: Any) -> list[tuple[str, Mapping[str, Any]]]:
    count = txn.count(KIND, _ALL)
    ids = [id for _, id in txn.page(KIND, _ALL, 0, count)] if count else []
    return [(id, r) for id, r in zip(ids, txn.get_many(KIND, ids)) if isinstance(r, Mapping)]


def view(record: Mapping[str, Any]) -> dict:
    """A zone's shortage as the control API and ``MockECS.stock_shortages`` answer it (``until``: when what was sold
    out for a while is back, ``"type:<id>"``, ``"disk:<category>"`` or ``"zone"`` -> mock-clock time)."""
    return {"zone_id": record.get("ZoneId"), "region": record.get("RegionId"), "zone": record.get("Zone"),
            "instance_types": dict(record.get("InstanceTypes") or {}),
            "disk_categories": dict(record.get("DiskCategories") or {}), "until": dict(record.get("Until") or {})}


def listing(engine: Any, zone_id: Optional[str] = None) -> list[dict]:
    """Every zone's shortage (of ``zone_id`` only, if given), by zone."""
    with engine.store.transaction() as txn:
        now = engine.clock.now()
        if zone_id is not None:
            found = _stored(txn, zone_id, now)
            return [view(found)] if _short(found) else []
        return [view(record) for record in (_live(r, now) for _, r in _entries(txn)) if _short(record)]

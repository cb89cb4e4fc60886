"""Private pools: capacity reservations (kind ``capacity_reservation``, ``crp-...``) and elasticity assurances (kind
``elasticity_assurance``, ``eap-...``), the capacity an account holds for one instance type in one zone, and the
instances that use it.

A pool record keeps the wire fields DescribeCapacityReservations / DescribeElasticityAssurances answer (their items'
PascalCase names) but ``AllocatedResources``, which a read makes (:func:`view`), and internal ``_type`` (the instance
type), ``_zone``, ``_amount`` (TotalAmount), ``_starts`` and ``_ends`` (mock-clock times; ``_ends`` None: unlimited).

An instance in a pool keeps ``_private_pool`` ``{"MatchCriteria", "Id"}`` (RunInstances / CreateInstance
``PrivatePoolOptions``, ModifyInstanceAttachmentAttributes) and is indexed under ``("private_pool", Id)``
(:func:`instance_terms`): a pool's used amount is that term's count, its instance list a page of it, and releasing
an instance (a deleted record loses its terms) gives its place back. Nothing is scanned: an ``Open`` launch finds the
Active open pools of its zone and type through the term ``pool_open`` (:func:`pool_terms`).

Matching (documented for RunInstances' ``PrivatePoolOptions.MatchCriteria``): ``Open`` takes room in the caller's
Active open pools of the instance's type, zone, platform and charge type, oldest first (capacity reservations before
elasticity assurances [GUESS: the documentation does not order them]); an instance finding none runs on the public
pool (no pool id). ``Target`` takes room in the pool named by ``PrivatePoolOptions.Id`` or fails with the documented
codes. ``None`` (the default) uses none. A batch is checked whole before anything is written.

Time (:data:`DUE`, one entry per pool or reserved instance with a step to come, keyed by when; read lazily by
:func:`settle_due` from its head as instance_clock's index is): a pool whose StartTime is ahead is ``Prepared`` until
then [GUESS: the documented status of a pool waiting to start], then ``Active``; at its EndTime (a ``Limited``
capacity reservation, an elasticity assurance's term) it is ``Released`` and its instances leave it (they keep
running, on the public pool), unless it renews itself (an elasticity assurance's auto-renewal). A reserved instance
expires at its ExpiredTime (``Expired``), or renews itself (:mod:`mockecs.world.reserved_instances`).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Mapping, Optional

from mockecs.state.store import Term
from mockecs.wire.errors import error_kind
from mockecs.wire.records import record
from mockecs.world import resources, subscriptions
from mockecs.world.context import Context

CR, EA = "capacity_reservation", "elasticity_assurance"
KINDS = (CR, EA)
DUE = "private_pool_due"
TERM = "private_pool"  # an instance's term under its pool
ACTIVE, PREPARED, RELEASED = "Active", "Prepared", "Released"
PLATFORMS = ("linux", "windows")
MOST_STEPS = 10  # steps per record and read (auto-renewals past the first wait for the next read)
_CHUNK = 50

# The launches' codes (RunInstances and CreateInstance document the same; ModifyInstanceAttachmentAttributes too)
POOL_NOT_FOUND = error_kind("Invalid.PrivatePoolOptions.Id", "The PrivatePool does not exist.", 400)
POOL_INACTIVE = error_kind("Invalid.PrivatePoolOptions.status", "The PrivatePool is expired or inactive.", 400)
TYPE_MISMATCH = error_kind("Invalid.InstanceType", "The InstanceType does not match the PrivatePool.", 400)
ZONE_MISMATCH = error_kind("Invalid.ZoneId", "The ZoneId does not match the PrivatePool.", 400)
CHARGE_MISMATCH = error_kind("Invalid.InstanceChargeType", "The InstanceChargeType does not match the PrivatePool.",
                             400)
PLATFORM_MISMATCH = error_kind("InvalidPlatform.ValueNotSupported", "The Platform does not match the PrivatePool.",
                               400)
# (documented by the launches and ModifyInstanceAttachmentAttributes: a Target pool that exists, someone else's)
NOT_OWNED = error_kind("InvalidAliUid", "The PrivatePool does not belong to the user of the Instance.", 400)
NO_STOCK = error_kind("Invalid.PrivatePoolOptions.NoStock", "The PrivatePool has been used up.", 400)
POOL_SPOT = error_kind("SpotNotSupported", "Spot is not supported for PrivatePool.", 400)
POOL_CLASSIC = error_kind("ClassicNetworkNotSupported", "Classic network is not supported for PrivatePool.", 400)


# -- index terms ---------------------------------------------------------------------------------------------------
def status_term(account: str, region: str, kind: str, status: str) -> Term:
    return (f"{kind}_status", f"{account}|{region}|{status}")


def open_term(account: str, region: str, zone_id: str, instance_type: str) -> Term:
    return ("pool_open", f"{account}|{region}|{zone_id}|{instance_type}")


def pool_terms(kind: str) -> Callable[[Mapping[str, Any]], list[Term]]:
    def terms(record: Mapping[str, Any]) -> list[Term]:
        owner, region = record["_owner"], record["_region"]
        out = [status_term(owner, region, kind, record["Status"])]
        if record["Status"] == ACTIVE and record["PrivatePoolOptionsMatchCriteria"] == "Open":
            out.append(open_term(owner, region, record["_zone"], record["_type"]))
        return out
    return terms


def instance_terms(record: Mapping[str, Any]) -> list[Term]:
    """An instance's term under the pool it uses (its pool's used amount and instance list)."""
    pool_id = (record.get("_private_pool") or {}).get("Id")
    return [(TERM, pool_id)] if pool_id else []


for _kind in KINDS:
    resources.TERMS[_kind] = pool_terms(_kind)
    resources.ORDER[_kind] = lambda record: resources.time_key(record.get("_created", 0.0))  # creation order [GUESS]


def kind_of(pool_id: Optional[str]) -> Optional[str]:
    kind = resources.kind_of(pool_id or "")
    return kind if kind in KINDS else None


def find(ctx: Context, pool_id: Optional[str], kind: Optional[str] = None) -> Optional[dict]:
    """The caller's pool here (of ``kind``, or either), or None."""
    found = kind_of(pool_id)
    if found is None or (kind is not None and found != kind):
        return None
    record = resources.get(ctx, found, pool_id)
    return record if resources.is_mine(ctx, record) else None


# -- reading a pool ------------------------------------------------------------------------------------------------
def used(ctx: Context, record: Mapping[str, Any]) -> int:
    return ctx.txn.count("instance", (TERM, record["PrivatePoolOptionsId"]))


def allocated(ctx: Context, record: Mapping[str, Any], usages: str) -> dict:
    """``AllocatedResources`` of a pool: its one type and zone, how many it holds, uses and has left; the caller's
    account as the one user (``usages``: the list's name, CapacityReservationUsage or ElasticityAssuranceUsage)."""
    total, now_used = int(record["_amount"]), used(ctx, record)
    users = [{"AccountId": record["_owner"], "ServiceName": "", "UsedAmount": now_used}] if now_used else []
    return {"AllocatedResource": [{
        "zoneId": record["_zone"], "InstanceType": record["_type"], "TotalAmount": total, "UsedAmount": now_used,
        "AvailableAmount": max(total - now_used, 0), "FailedAmount": 0, "LockedAmount": 0,
        usages + "s": {usages: users}}]}


# -- the mock clock ------------------------------------------------------------------------------------------------
def schedule(ctx: Context, kind: str, resource_id: str, record: Mapping[str, Any], when: Optional[float],
             placed: bool = True) -> None:
    """Place a record in the :data:`DUE` order at ``when`` (None: out of it)."""
    if when is not None:
        ctx.txn.put(DUE, resource_id, {"_due": when, "_kind": kind},
                    [resources.owner_region(record["_owner"], record["_region"])], resources.time_key(when))
    elif placed:
        ctx.txn.delete(DUE, resource_id)


def next_time(record: Mapping[str, Any]) -> Optional[float]:
    """When a pool's next step comes: its start (Prepared), its end (Active, limited), or never."""
    if record["Status"] == PREPARED:
        return record["_starts"]
    if record["Status"] == ACTIVE:
        return record.get("_ends")
    return None


def schedule_pool(ctx: Context, kind: str, record: Mapping[str, Any], placed: bool = True) -> None:
    schedule(ctx, kind, record["PrivatePoolOptionsId"], record, next_time(record), placed)


# Each kind on the :data:`DUE` index: (when its next step comes, the step as of ``ctx.now``: the record after it).
# Reserved instances register theirs (mockecs.world.reserved_instances).
CLOCKS: dict[str, tuple[Callable[[Mapping[str, Any]], Optional[float]], Callable[[Context, dict], dict]]] = {}


def detach_all(ctx: Context, pool_id: str) -> None:
    """The pool's instances leave it (its release): an index lookup of its members, each written once."""
    for instance_id in list(ctx.txn.ids("instance", (TERM, pool_id))):
        instance = ctx.txn.get("instance", instance_id)
        if instance is not None:
            resources.put(ctx.txn, "instance", {**instance, **pool_fields(
                (instance.get("_private_pool") or {}).get("MatchCriteria") or "None", "")})


def release(ctx: Context, kind: str, record: Mapping[str, Any]) -> dict:
    """``record`` released now: its instances leave it, its EndTime is now."""
    detach_all(ctx, record["PrivatePoolOptionsId"])
    out = resources.put(ctx.txn, kind, {**record, "Status": RELEASED, "EndTime": resources.iso_minute(ctx.now),
                                        "_ends": ctx.now})
    schedule_pool(ctx, kind, out)
    return out


def _step_pool(kind: str, ctx: Context, record: dict) -> dict:
    if record["Status"] == PREPARED:
        return resources.put(ctx.txn, kind, {**record, "Status": ACTIVE})
    kept = subscriptions.renewal(record)
    if kind == EA and kept["RenewalStatus"] == "AutoRenewal" and kept["Duration"]:
        ends = resources.parse_iso(subscriptions.subscription_end(ctx.now, int(kept["Duration"]),
                                                                  kept["PeriodUnit"])) or ctx.now
        return resources.put(ctx.txn, kind, {**record, "EndTime": resources.iso_minute(ends), "_ends": ends})
    detach_all(ctx, record["PrivatePoolOptionsId"])
    return resources.put(ctx.txn, kind, {**record, "Status": RELEASED})


for _kind in KINDS:
    CLOCKS[_kind] = (next_time, functools.partial(_step_pool, _kind))


def settle(ctx: Context, kind: str, resource_id: str) -> None:
    """Take a record's steps due by now, each as of its own time, then place it at its next one."""
    record = ctx.txn.get(kind, resource_id)
    if record is None:
        ctx.txn.delete(DUE, resource_id)
        return
    when_of, step = CLOCKS[kind]
    current, when = dict(record), when_of(record)
    for _ in range(MOST_STEPS):
        if when is None or when > ctx.now:
            break
        current = step(dataclasses.replace(ctx, now=when), current)
        when = when_of(current)
    schedule(ctx, kind, resource_id, current, when)


def settle_due(ctx: Context) -> None:
    """Take the steps due by now of the caller's pools and reserved instances here: from the head of the
    :data:`DUE` order up to the first entry still waiting (nothing else is read)."""
    scope = resources.owner_region(ctx.account, ctx.region)
    now, seen = resources.time_key(ctx.now), set()
    while True:
        head = [id for key, id in ctx.txn.page(DUE, scope, 0, _CHUNK) if key <= now and id not in seen]
        if not head:
            return
        seen.update(head)
        for resource_id in head:
            entry = ctx.txn.get(DUE, resource_id)
            if entry is not None:
                settle(ctx, entry["_kind"], resource_id)


# -- launching into a pool -----------------------------------------------------------------------------------------
def pool_fields(criteria: str, pool_id: str) -> dict:
    """An instance's fields for its pool: ``_private_pool`` (DescribeInstanceAttachmentAttributes), and
    ``EcsCapacityReservationAttr`` (DescribeInstances: the pool's id, and the match criteria as the preference
    [GUESS: the SDK model's only fields for it])."""
    return {"_private_pool": {"MatchCriteria": criteria, "Id": pool_id},
            "EcsCapacityReservationAttr": {"CapacityReservationPreference": "" if criteria == "None" else criteria,
                                           "CapacityReservationId": pool_id}}


def type_changed(record: Mapping[str, Any], type_id: str) -> dict:
    """An instance's pool fields once its type is ``type_id``: out of its pool when that holds another type
    [GUESS: it keeps its match criteria; an Open instance is not matched again until ModifyInstanceAttachmentAttributes
    or a new launch]."""
    kept = record.get("_private_pool") or {}
    if not kept.get("Id") or record.get("InstanceType") == type_id:
        return {}
    return pool_fields(kept.get("MatchCriteria") or "None", "")


@record(frozen=True)
class Wanted:
    """What an instance asks of a pool."""
    instance_type: str
    zone_id: str
    platform: str  # linux / windows
    charge_type: str  # PostPaid / PrePaid
    spot: bool = False
    classic: bool = False


def platform_of(os_type: Optional[str]) -> str:
    return "windows" if (os_type or "").lower() == "windows" else "linux"


def _fits(record: Mapping[str, Any], wanted: Wanted) -> bool:
    return (record["Status"] == ACTIVE and record["_type"] == wanted.instance_type
            and record["_zone"] == wanted.zone_id and record.get("Platform", wanted.platform) == wanted.platform
            and record["InstanceChargeType"] == wanted.charge_type)


def _someone_elses(ctx: Context, pool_id: str) -> bool:
    """Whether ``pool_id`` names another account's pool in this region (a refusal's path only)."""
    kind = kind_of(pool_id)
    record = resources.get(ctx, kind, pool_id) if kind else None
    return record is not None and record["_region"] == ctx.region and record["_owner"] != ctx.account


def _check_target(record: Optional[Mapping[str, Any]], wanted: Wanted) -> Mapping[str, Any]:
    if record is None:
        raise POOL_NOT_FOUND
    if record["Status"] != ACTIVE:
        raise POOL_INACTIVE
    if record["_type"] != wanted.instance_type:
        raise TYPE_MISMATCH
    if record["_zone"] != wanted.zone_id:
        raise ZONE_MISMATCH
    if record["InstanceChargeType"] != wanted.charge_type:
        raise CHARGE_MISMATCH
    if record.get("Platform", wanted.platform) != wanted.platform:  # (an elasticity assurance has none: any)
        raise PLATFORM_MISMATCH
    return record


def place(ctx: Context, criteria: str, pool_id: str, wanted: Wanted, count: int,
          leaving: Optional[Mapping[str, Any]] = None) -> list[dict]:
    """The pool fields of ``count`` instances launched (or one moved: ``leaving``, the instance, whose own place is
    free) with ``criteria`` (and ``pool_id``, Target), every check done for the whole batch first."""
    if criteria == "None":
        return [pool_fields("None", "") for _ in range(count)]
    settle_due(ctx)
    target = find(ctx, pool_id) if criteria == "Target" else None
    if criteria == "Target" and target is None:
        raise NOT_OWNED if _someone_elses(ctx, pool_id) else POOL_NOT_FOUND
    if wanted.spot or wanted.classic:  # (documented: only None; an Open match just finds no pool [GUESS])
        if criteria == "Target":
            raise POOL_SPOT if wanted.spot else POOL_CLASSIC
        return [pool_fields("Open", "") for _ in range(count)]
    own = (leaving.get("_private_pool") or {}).get("Id") if leaving is not None else None
    if criteria == "Target":
        record = _check_target(target, wanted)
        if used(ctx, record) - int(own == pool_id) + count > int(record["_amount"]):
            raise NO_STOCK
        return [pool_fields("Target", pool_id) for _ in range(count)]
    # Open: the open pools of this zone and type, oldest first, as long as they have room
    term = open_term(ctx.account, ctx.region, wanted.zone_id, wanted.instance_type)
    pools = sorted((r for k in KINDS for r in resources.get_many(ctx, k, sorted(ctx.txn.ids(k, term)))
                    if r is not None and _fits(r, wanted)),
                   key=lambda r: (KINDS.index(kind_of(r["PrivatePoolOptionsId"]) or CR), r["_created"]))
    room = [[r["PrivatePoolOptionsId"], int(r["_amount"]) - used(ctx, r)
             + int(own == r["PrivatePoolOptionsId"])] for r in pools]
    out = []
    for _ in range(count):
        slot = next((s for s in room if s[1] > 0), None)
        if slot is not None:
            slot[1] -= 1
        out.append(pool_fields("Open", slot[0] if slot else ""))
    return out

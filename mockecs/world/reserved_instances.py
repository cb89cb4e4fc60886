"""Reserved instances (kind ``reserved_instance``, ``ecsri-...``): bought, described, renewed, split, merged and
modified; they discount the bills of matching pay-as-you-go instances, and mockecs bills nothing, so they are kept and
answered, not applied.

A record keeps the wire fields of DescribeReservedInstances' items plus ``_starts`` and ``_expires`` (mock-clock
times) and ``_renewal`` (``RenewalStatus``, ``Duration``, ``PeriodUnit``: DescribeReservedInstanceAutoRenewAttribute).
On the mock clock (the :data:`mockecs.world.private_pools.DUE` index, settled lazily by the reads): ``Creating`` until
its StartTime, ``Active`` until its ExpiredTime, then renewed by its auto-renewal, or ``Expired``.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.state.store import Term
from mockecs.world import private_pools, resources, subscriptions
from mockecs.world.context import Context

KIND = "reserved_instance"
STATUSES = ("Creating", "Active", "Expired", "Updating")
# AutoRenewPeriod (months, documented 1, 12, 36, 60) as a renewal's Duration and PeriodUnit
RENEW_MONTHS = {1: (1, "Month"), 12: (1, "Year"), 36: (3, "Year"), 60: (5, "Year")}


def status_term(account: str, region: str, status: str) -> Term:
    return ("ri_status", f"{account}|{region}|{status}")


resources.TERMS[KIND] = lambda r: [status_term(r["_owner"], r["_region"], r["Status"])]
resources.ORDER[KIND] = lambda r: resources.time_key(r.get("_created", 0.0))  # creation order [GUESS]


def ends(start: float, period: int, unit: str) -> float:
    """When a term of ``period`` ``unit``s from ``start`` ends (as subscriptions end: midnight China time [GUESS])."""
    return resources.parse_iso(subscriptions.subscription_end(start, period, unit)) or start


def next_time(record: Mapping[str, Any]) -> Optional[float]:
    if record["Status"] == "Creating":
        return record["_starts"]
    if record["Status"] == "Active":
        return record["_expires"]
    return None


def with_expiry(record: Mapping[str, Any], expires: float) -> dict:
    return {**record, "ExpiredTime": resources.iso_minute(expires), "_expires": expires}


def step(ctx: Context, record: dict) -> dict:
    """At its StartTime a reserved instance becomes Active; at its ExpiredTime it renews itself or expires."""
    if record["Status"] == "Creating":
        return resources.put(ctx.txn, KIND, {**record, "Status": "Active"})
    kept = subscriptions.renewal(record)
    if kept["RenewalStatus"] == "AutoRenewal" and kept["Duration"]:
        return resources.put(ctx.txn, KIND, with_expiry(record, ends(ctx.now, int(kept["Duration"]),
                                                                     kept["PeriodUnit"])))
    return resources.put(ctx.txn, KIND, {**record, "Status": "Expired"})


private_pools.CLOCKS[KIND] = (next_time, step)


def store(ctx: Context, record: Mapping[str, Any], placed: bool = True) -> dict:
    """Write ``record`` and place it on the mock clock."""
    out = resources.put(ctx.txn, KIND, dict(record))
    private_pools.schedule(ctx, KIND, out["ReservedInstanceId"], out, next_time(out), placed)
    return out

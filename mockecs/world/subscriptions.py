"""A subscription (``PrePaid``) instance's term and its renewal settings: when a subscription bought (or renewed)
for a period ends, the orders the billing operations answer, and the auto-renewal an instance keeps.

An instance keeps its renewal settings in ``_renewal`` (``RenewalStatus``, ``Duration``, ``PeriodUnit``: the one
copy; set at launch by ``AutoRenew``/``AutoRenewPeriod``, changed by ModifyInstanceAutoRenewAttribute, answered by
DescribeInstanceAutoRenewAttribute; DescribeInstances does not show them). Without it an instance is not renewed
automatically (``Normal``).
"""
from __future__ import annotations

import calendar
import time
from typing import Any, Mapping

from mockecs.state.store import Term
from mockecs.world import ids, resources
from mockecs.world.context import Context
from mockecs.world.disks import instance_disks

# Period values per PeriodUnit (the metadata's china-site ranges: RunInstances, ModifyInstanceChargeType,
# RenewInstance)
PERIODS = {"Week": (1, 2, 3, 4), "Month": (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60)}
RENEWAL_STATUSES = ("AutoRenewal", "Normal", "NotRenewal")
# What an instance nobody set to renew answers [GUESS: no duration, the default unit]
NOT_RENEWING = {"RenewalStatus": "Normal", "Duration": 0, "PeriodUnit": "Month"}
LONGEST_TERM_MONTHS = 60  # [GUESS] a subscription ends at most five years from now (the longest Period)


def subscription_end(moment: float, period: int, unit: str) -> str:
    """When a subscription running from ``moment`` for ``period`` ``unit``s (Week, Month, Year) ends: that day, at
    midnight China time (16:00 UTC), as the service writes subscription expiry times (``2024-07-01T16:00Z``); a
    month's day past the end of the target month falls on its last day."""
    day = time.gmtime(moment)
    if unit == "Week":
        end = time.gmtime(calendar.timegm(day) + period * 7 * 86400)
        return time.strftime("%Y-%m-%dT16:00Z", end)
    months = day.tm_year * 12 + day.tm_mon - 1 + period * (12 if unit == "Year" else 1)
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return f"{year:04d}-{month + 1:02d}-{min(day.tm_mday, last):02d}T16:00Z"


def new_order_id() -> str:
    """The id of an order a billing operation places (15 digits, like the documented examples' length)."""
    return str(200000000000000 + ids.source().randrange(10 ** 14))


def renewal(record: Mapping[str, Any]) -> dict:
    """An instance's renewal settings (``_renewal``, else not renewing)."""
    return {**NOT_RENEWING, **(record.get("_renewal") or {})}


def renewal_term(account: str, region: str, status: str) -> Term:
    """DescribeInstanceAutoRenewAttribute's RenewalStatus filter: the subscription instances renewed so."""
    return ("renewal", f"{account}|{region}|{status}")


def terms(record: Mapping[str, Any]) -> list[Term]:
    if record.get("InstanceChargeType") != "PrePaid":
        return []
    return [renewal_term(record["_owner"], record["_region"], renewal(record)["RenewalStatus"])]


def extend(ctx: Context, record: Mapping[str, Any], expired: str) -> dict:
    """``record`` (an instance) renewed until ``expired``: its ``ExpiredTime`` and its subscription disks' move on
    (RenewInstance, and the auto-renewal at expiry), stored."""
    record = resources.put(ctx.txn, "instance", {**record, "ExpiredTime": expired})
    for disk in instance_disks(ctx, record["InstanceId"]):
        if disk.get("DiskChargeType") == "PrePaid":
            resources.put(ctx.txn, "disk", {**disk, "ExpiredTime": expired})
    return record

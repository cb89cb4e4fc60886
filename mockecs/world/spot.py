"""Spot prices, made from the pay-as-you-go price table (:mod:`mockecs.world.pricing`): deterministic, so a test
sees the same figures in every run, and always below the pay-as-you-go price.

**Plausible, not Alibaba Cloud's market.** The spot price of an instance type in a zone is fixed for a UTC day and
is ``LOW``..``HIGH`` of the pay-as-you-go price (``instance_types`` of the price table, so a ``prices_file``
moves both), the share drawn from a CRC-32 of ``type|zone|day`` (stable across processes and runs, unlike
``hash()``); Windows adds its licence fee (``image_fees_per_hour.windows``, not discounted) to both prices.
DescribeSpotPriceHistory lists it hourly, like the documented examples (``...T06:00:00Z``, ``...T07:00:00Z``).
DescribeSpotAdvice's average discount is the mean share over the 30 days before the call, its interruption rate a
figure drawn the same way (0-12 %).

A test may move the market (:func:`set_market_price`, used by :mod:`mockecs.world.spot_interruptions` for an
interruption driven by the price): from that mock-clock time on, the type's spot price in that zone is the one set
(kept in the store, kind :data:`MARKET`, one record per zone and type: read by id, never scanned).
"""
from __future__ import annotations

import zlib
from typing import Any, Optional

from mockecs.world import pricing

HOUR, DAY = 3600, 86400
MARKET = "spot_market"  # (an index of the engine's own, not a resource kind: prices a test set, by zone and type)
# [GUESS] the spot share of the pay-as-you-go price: 10-30 %, around DescribePrice's flat SPOT_FACTOR (0.2).
LOW, HIGH = 0.10, 0.30
MAX_INTERRUPTION = 12.0  # % [GUESS]: the documented bands are 0-3, 3-5, 5-10 and 10-100 %
ADVICE_DAYS = 30


def _fraction(*parts: str) -> float:
    """A number in [0, 1) fixed by ``parts`` (CRC-32: the same in every process and run)."""
    return zlib.crc32("|".join(parts).encode()) / 2 ** 32


def pay_as_you_go(engine: Any, type_id: str) -> Optional[float]:
    """The hourly pay-as-you-go price of an instance type (None: the table has none)."""
    return pricing.type_hourly(pricing.table(engine), type_id)


def share(type_id: str, zone_id: str, day: int) -> float:
    """The spot price's share of the pay-as-you-go price on UTC day ``day`` (days since the epoch)."""
    return LOW + (HIGH - LOW) * _fraction(type_id, zone_id, str(day))


def _licence(engine: Any, os_type: str, vcpus: int) -> float:
    return pricing.licence_fee(pricing.table(engine), "windows", vcpus) if os_type == "windows" else 0.0


def market_of(txn: Any, zone_id: str, type_id: str) -> Optional[dict]:
    """The prices a test set for ``type_id`` in ``zone_id`` (None: none; one read by id)."""
    return txn.get(MARKET, f"{zone_id}|{type_id}") if txn is not None and zone_id else None


def set_market_price(txn: Any, zone_id: str, type_id: str, since: float, price: float) -> None:
    """From mock-clock time ``since`` on, the spot price of ``type_id`` in ``zone_id`` is ``price`` (a later
    change set before replaces it)."""
    kept = market_of(txn, zone_id, type_id) or {"changes": []}
    changes = [change for change in kept["changes"] if change[0] < since] + [[since, round(float(price), 3)]]
    txn.put(MARKET, f"{zone_id}|{type_id}", {"changes": changes})


def _set_price(market: Optional[dict], when: float) -> Optional[float]:
    found = None
    for since, price in (market or {}).get("changes", ()):
        if since <= when:
            found = price
    return found


def prices(engine: Any, itype: dict, zone_id: str, when: float, os_type: str = "linux",
           market: Optional[dict] = None) -> Optional[tuple[float, float]]:
    """(spot price, pay-as-you-go price) per hour of ``itype`` in ``zone_id`` at mock-clock time ``when``
    (``market``: the zone's record of :func:`market_of`, whose price wins from its time on)."""
    origin = pay_as_you_go(engine, itype["InstanceTypeId"])
    if origin is None:
        return None
    licence = _licence(engine, os_type, int(itype.get("CpuCoreCount") or 0))
    spot = _set_price(market, when)
    if spot is None:
        spot = max(round(origin * share(itype["InstanceTypeId"], zone_id, int(when // DAY)), 3), 0.001)
    return round(spot + licence, 3), round(origin + licence, 3)


def spot_price(engine: Any, itype: dict, zone_id: str, when: float, txn: Any = None) -> Optional[float]:
    """The spot price now (``txn``: with the prices a test set, :func:`set_market_price`)."""
    found = prices(engine, itype, zone_id, when, market=market_of(txn, zone_id, itype["InstanceTypeId"]))
    return found[0] if found else None


def average_discount(type_id: str, zone_id: str, now: float) -> int:
    """DescribeSpotAdvice's AverageSpotDiscount: the mean share over the last 30 days, in % (1-100)."""
    today = int(now // DAY)
    mean = sum(share(type_id, zone_id, day) for day in range(today - ADVICE_DAYS + 1, today + 1)) / ADVICE_DAYS
    return max(1, min(100, round(mean * 100)))


def interruption_rate(type_id: str, zone_id: str) -> float:
    """DescribeSpotAdvice's InterruptionRate (%), with its documented band."""
    return round(MAX_INTERRUPTION * _fraction("interruption", type_id, zone_id), 1)


def interruption_band(rate: float) -> str:
    for high, band in ((3, "0-3%"), (5, "3-5%"), (10, "5-10%")):
        if rate < high:
            return band
    return "10-100%"

"""What a configuration costs: the figures of DescribePrice, DescribeRenewalPrice, DescribeInstanceModificationPrice
and a launch's ``TradePrice`` (RunInstances, CreateInstance), computed once here from the price table
(:mod:`mockecs.world.pricing`) and the spot market (:mod:`mockecs.world.spot`).

The callers check their own parameters (each answers its own codes) and hand over a resolved configuration: the
instance type and image records, disks as ``(category, size, performance level)``. Nothing here reads the store
beyond one spot-market record by id (no scan).

An answer's lines: each DetailInfo has an hourly figure; ``OriginalPrice`` = hourly x billed hours x Amount, the
unit's rule (``rules`` in the table: yearly subscriptions 15% off) discounts the instance and disk lines, never the
licence, Marketplace or bandwidth lines.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from mockecs.wire.errors import error_kind
from mockecs.world import dedicated_hosts, images, pricing, resources, spot
from mockecs.world.context import Context
from mockecs.world.instance_types import instance_type as lookup_instance_type
from mockecs.world.instance_types import zones_selling

# (category, size in GiB, ESSD performance level or None)
Disk = tuple[str, int, Optional[str]]

PRICE_NOT_FOUND = error_kind("PriceNotFound",
                             "The price of your queried resource is not available now, please try other resources.",
                             400)
HOURS = {"Hour": 1, "Week": 168, "Month": 730, "Year": 8760}
# [GUESS] a spot instance costs this share of the pay-as-you-go price where no zone sells its type (elsewhere: the
# zone's spot price, mockecs.world.spot).
SPOT_FACTOR = 0.2


class Line:
    """One DetailInfo: an hourly figure, whether Amount multiplies it, whether discounts apply."""

    __slots__ = ("resource", "hourly", "per_instance", "discountable")

    def __init__(self, resource: str, hourly: float, per_instance: bool = True, discountable: bool = True) -> None:
        self.resource, self.hourly, self.per_instance, self.discountable = resource, hourly, per_instance, discountable


def type_hourly(prices: Mapping[str, Any], type_id: str) -> float:
    """The pay-as-you-go hourly price of an instance type; PriceNotFound where the table has none."""
    hourly = pricing.type_hourly(prices, type_id)
    if hourly is None:
        raise PRICE_NOT_FOUND
    return hourly


def disk_hourly(prices: Mapping[str, Any], which: str, disk: Disk) -> float:
    """A ``system`` or ``data`` disk's hourly price; PriceNotFound where the table has no figure."""
    fee = pricing.disk_fee(prices, which, *disk)
    if fee is None:
        raise PRICE_NOT_FOUND
    return fee


def data_disks_hourly(prices: Mapping[str, Any], disks: Sequence[Disk]) -> float:
    return sum((disk_hourly(prices, "data", disk) for disk in disks), 0.0)


def spot_hourly(ctx: Context, itype: Mapping[str, Any], zone_id: Optional[str], hourly: float) -> float:
    """A spot instance's hourly price: the zone's spot price now (DescribeSpotPriceHistory's, with a price a test
    set), without a zone the lowest of the region's zones that sell the type [GUESS] (a SpotAsPriceGo launch would
    go there)."""
    zones = [zone_id] if zone_id else zones_selling(itype["InstanceTypeId"], ctx.region)
    found = [p for p in (spot.spot_price(ctx.engine, itype, z, ctx.now, ctx.txn) for z in zones) if p is not None]
    return min(found) if found else hourly * SPOT_FACTOR


def instance_lines(ctx: Context, prices: Mapping[str, Any], itype: Mapping[str, Any],
                   image: Optional[Mapping[str, Any]], system: Optional[Disk], data: Sequence[Disk], bandwidth: int,
                   paid_bandwidth: bool, spot_zone: Optional[tuple[Optional[str]]] = None,
                   platform: Optional[str] = None, on_host: bool = False,
                   ) -> tuple[list[Line], Optional[Mapping[str, Any]], float]:
    """An instance's lines (instanceType, systemDisk, dataDisk when it has data disks, bandwidth when it has
    public bandwidth, image always), its Marketplace product (or None) and hourly image fee. ``spot_zone``: a spot
    instance's zone, as a 1-tuple (its zone may be None). PayByTraffic bandwidth is free (traffic is billed per GB
    afterwards); no system disk (one detached), a 0 line. ``on_host``: on a dedicated host, whose price covers the
    vCPUs and memory: the instanceType line is 0 (the dedicated host's billing overview: images, disks, bandwidth and
    snapshots are still charged)."""
    if on_host:
        hourly = 0.0
    else:
        hourly = type_hourly(prices, itype["InstanceTypeId"])
        hourly = spot_hourly(ctx, itype, spot_zone[0], hourly) if spot_zone else hourly
    lines = [Line("instanceType", hourly),
             Line("systemDisk", disk_hourly(prices, "system", system) if system else 0.0)]
    if data:
        lines.append(Line("dataDisk", data_disks_hourly(prices, data)))
    if bandwidth:
        lines.append(Line("bandwidth", pricing.bandwidth_fee(prices, bandwidth) if paid_bandwidth else 0.0,
                          discountable=False))
    fee, product = pricing.image_fee(ctx.engine, image, int(itype.get("CpuCoreCount") or 1), platform)
    if image is not None and images.community_to(ctx, image):
        fee, product = 0.0, None  # "Community images are free of charge" (Image overview)
    lines.append(Line("image", fee, discountable=False))
    return lines, product, fee


def held_lines(ctx: Context, prices: Mapping[str, Any], instance: Mapping[str, Any],
               ) -> tuple[list[Line], Optional[Mapping[str, Any]], float]:
    """:func:`instance_lines` of what an instance is now: its type (on its dedicated host or not), its image (while
    the caller can still see it), its system disk, its subscription data disks, its public bandwidth (disks read
    through the store's instance term: no scan)."""
    itype = lookup_instance_type(instance["InstanceType"])
    if itype is None:
        raise PRICE_NOT_FOUND
    ids = sorted(ctx.txn.ids("disk", ("instance", instance["InstanceId"])))
    disks = [d for d in resources.get_many(ctx, "disk", ids) if d is not None]
    held = {d["DiskId"]: (d["Category"], int(d["Size"]), d.get("PerformanceLevel") or None) for d in disks}
    system = next((held[d["DiskId"]] for d in disks if d["Type"] == "system"), None)
    data = [held[d["DiskId"]] for d in disks if d["Type"] == "data" and d.get("DiskChargeType") == "PrePaid"]
    return instance_lines(ctx, prices, itype, images.visible(ctx, instance.get("ImageId")), system, data,
                          int(instance.get("InternetMaxBandwidthOut") or 0),
                          instance.get("InternetChargeType") == "PayByBandwidth",
                          on_host=bool(dedicated_hosts.host_id_of(instance)))


def hours_left(ctx: Context, instance: Mapping[str, Any]) -> float:
    """Hours from now to a subscription instance's ExpiredTime (negative once past it)."""
    return ((resources.parse_iso(instance.get("ExpiredTime") or "") or 0.0) - ctx.now) / 3600


def refund(ctx: Context, instance: Mapping[str, Any]) -> float:
    """What turning a subscription instance pay-as-you-go gives back: its unused hours (to its ExpiredTime) at the
    hourly rates it is priced at (:func:`held_lines`), no rule [GUESS: the refund rules (vouchers, quotas) are not
    modelled]; 0 where the table has no figure."""
    prices = pricing.table(ctx.engine)
    hours = max(hours_left(ctx, instance), 0.0)
    try:
        lines, product, fee = held_lines(ctx, prices, instance)
    except PRICE_NOT_FOUND:
        return 0.0
    return float(answer(prices, lines, hours, 1, None, product, fee)["PriceInfo"]["Price"]["TradePrice"])


def fee_of(prices: Mapping[str, Any], resource_id: str, amount: float) -> dict:
    """A ``FeeOfInstances.FeeOfInstance`` item (ModifyInstanceChargeType, ModifyDedicatedHostsChargeType): the fee as
    text, in the table's currency (the documented example: "0", "CNY")."""
    return {"InstanceId": resource_id, "Currency": pricing.currency(prices), "Fee": f"{amount:.2f}".rstrip("0")
            .rstrip(".")}


def unit_hours(prices: Mapping[str, Any], unit: str, period: int) -> float:
    """Billed hours of ``period`` ``unit``s (the table's ``hours_per_unit`` over the built-in ones)."""
    return float({**HOURS, **(prices.get("hours_per_unit") or {})}[unit]) * period


def unit_rule(prices: Mapping[str, Any], unit: str) -> Optional[Mapping[str, Any]]:
    """The discount rule of a price unit (None: none)."""
    return (prices.get("rules") or {}).get(unit)


def _r(value: float) -> float:
    return float(round(value + 0.0, 4))


def answer(prices: Mapping[str, Any], lines: list[Line], hours: float, amount: int,
           rule: Optional[Mapping[str, Any]], product: Optional[Mapping[str, Any]], image_fee: float) -> dict:
    """The ``PriceInfo`` of DescribePrice's answer (SDK model ``DescribePriceResponseBody``)."""
    currency = pricing.currency(prices)
    rule_wire = {"RuleId": int(rule["RuleId"]), "Description": str(rule.get("Description", ""))} if rule else None
    details = []
    totals = [0.0, 0.0, 0.0]
    applied = False
    for line in lines:
        original = _r(line.hourly * hours * (amount if line.per_instance else 1))
        discount = _r(original * float(rule.get("discount", 0.0))) if (rule and line.discountable) else 0.0
        trade = _r(original - discount)
        sub = [dict(rule_wire)] if (rule_wire and line.discountable and discount) else []
        applied = applied or bool(sub)
        details.append({"Resource": line.resource, "OriginalPrice": original, "DiscountPrice": discount,
                        "TradePrice": trade, "SubRules": {"Rule": sub}})
        totals = [totals[0] + original, totals[1] + discount, totals[2] + trade]
    if product is not None:
        fee = _r(image_fee * hours * amount)
        market = {"Currency": currency, "OriginalPrice": fee, "DiscountPrice": 0.0, "TradePrice": fee}
    else:
        market = {"Currency": "", "OriginalPrice": 0.0, "DiscountPrice": 0.0, "TradePrice": 0.0}
    return {"PriceInfo": {
        "Price": {"Currency": currency, "OriginalPrice": _r(totals[0]), "DiscountPrice": _r(totals[1]),
                  "TradePrice": _r(totals[2]), "ReservedInstanceHourPrice": 0.0,
                  "DetailInfos": {"DetailInfo": details}},
        "Rules": {"Rule": [rule_wire] if (rule_wire and applied) else []},
        "RelatedPrice": {"MarketplaceImagePrice": market},
    }}


def price_unit(charge_type: str, period: Optional[int], period_unit: Optional[str]) -> tuple[str, int]:
    """DescribePrice's (PriceUnit, Period) for a launch's charge: pay-as-you-go and spot one Hour; a subscription
    its Period PeriodUnits, whole years of months as Years (12-60 months: the yearly price and rule, as DescribePrice
    answers PriceUnit=Year) [GUESS]."""
    if charge_type != "PrePaid":
        return "Hour", 1
    period = period or 1
    if period_unit == "Week":
        return "Week", period
    return ("Year", period // 12) if period % 12 == 0 else ("Month", period)


def launch_trade_price(ctx: Context, itype: Mapping[str, Any], image: Mapping[str, Any], system: Disk,
                       data: Sequence[Disk], bandwidth: int, paid_bandwidth: bool, charge_type: str,
                       period: Optional[int], period_unit: Optional[str], spot_zone: Optional[tuple[Optional[str]]],
                       amount: int, on_host: bool) -> Optional[float]:
    """A launch order's ``TradePrice``: what DescribePrice answers as ``Price.TradePrice`` for the same instances
    and Amount (:func:`price_unit`); None where the price table has no figure (the launch still succeeds)."""
    prices = pricing.table(ctx.engine)
    unit, count = price_unit(charge_type, period, period_unit)
    try:
        lines, product, fee = instance_lines(ctx, prices, itype, image, system, data, bandwidth, paid_bandwidth,
                                             spot_zone if unit == "Hour" else None, on_host=on_host)
    except PRICE_NOT_FOUND:
        return None
    priced = answer(prices, lines, unit_hours(prices, unit, count), amount, unit_rule(prices, unit), product, fee)
    return float(priced["PriceInfo"]["Price"]["TradePrice"])

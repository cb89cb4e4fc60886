"""DescribePrice: the price of an instance (with its image's fee), a disk or bandwidth; DescribeRenewalPrice: what
renewing a subscription instance costs, and DescribeInstanceModificationPrice, what upgrading one costs until it
expires, priced the same way.

Figures come from :mod:`mockecs.world.quotes` (which RunInstances/CreateInstance's ``TradePrice`` uses too) over
the table of :mod:`mockecs.world.pricing` (plausible, not Alibaba's price list; users override them with
``Config(options={"prices_file": ...})``); this module checks each action's parameters and answers its codes.
Response shape: SDK model ``DescribePriceResponseBody`` (``PriceInfo.Price`` with ``DetailInfos.DetailInfo[]``,
``PriceInfo.Rules.Rule[]``, ``PriceInfo.RelatedPrice.MarketplaceImagePrice``).
DetailInfo ``Resource`` values: ``instanceType``, ``systemDisk``, ``dataDisk``,
``bandwidth`` and ``image`` (always present for instances, 0 when the image is free): the SDK's
and the metadata's shape, no other line. The snapshot storage a custom image keeps is not part of
an instance's price (the API has no such line and no snapshot resource type);
:func:`mockecs.world.pricing.snapshot_fee_per_hour` gives it to tests in Python. The metadata's
``Coupons``/``Promotions``/``RuleIdSet``/``Attributes`` (schemas without fields) are not in the
SDK's model, which wins: they are not answered.
"""
from __future__ import annotations

import calendar
import time
from typing import Any, Callable, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, L, Repeat, S, Struct, Structs
from mockecs.world import dedicated_hosts, images, launch, marketplace, pricing, quotes, regions, resources
from mockecs.world.disks import data_disk_range, system_disk_range
from mockecs.world.instance_types import instance_type as lookup_instance_type

RESOURCE_TYPES = ("instance", "disk", "bandwidth", "ddh", "ElasticityAssurance", "CapacityReservation")
PERIODS = {"Hour": (1, 1), "Week": (1, 4), "Month": (1, 9), "Year": (1, 5)}
CATEGORIES = ("cloud", "cloud_efficiency", "cloud_ssd", "ephemeral_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry")
PERFORMANCE_LEVELS = ("PL0", "PL1", "PL2", "PL3")
MAX_DATA_DISKS = 4  # "ResourceType=instance only prices up to four data disks" (API doc)


def _err(code: str, message: str, status: int = 400) -> EcsError:
    return EcsError(code, message, status)


DISK_CATEGORY_MISSING = ("InvalidDiskCategory.Missing",
                         "The DataDisk.1.Category parameter that is mandatory for processing the request is not "
                         "provided.", 404)
PRICE_NOT_FOUND = quotes.PRICE_NOT_FOUND
HOST_NOT_FOUND = error_kind("InvalidDedicatedHostId.NotFound",
                            "The specified SchedulerOptions.DedicatedHostId does not exist.", 404)


def _image(ctx: Context, image_id: str, itype: Mapping[str, Any], charge_type: str) -> Mapping[str, Any]:
    image = images.visible(ctx, image_id)
    if image is None:
        raise images.NOT_FOUND
    if image.get("Status") not in ("Available", "Deprecated"):
        raise _err("OperationDenied", "The specified Image is disabled or is deleted.", 403)
    marketplace.check_sale(ctx, image, for_price=True)
    product = marketplace.product(ctx.engine, image.get("ProductCode"))
    if product is not None and charge_type not in (product.get("_charge_types") or (charge_type,)):
        raise EcsError(*marketplace.BAD_CHARGE_TYPE)
    if not launch.arch_supports(image, itype):
        raise _err("InvalidParameter.Conflict", "The specified image does not support the specified instance type.")
    return image


def _category_and_level(disk: Mapping[str, Any], category: str, code: str, label: str) -> tuple[str, Optional[str]]:
    """A disk's category and ESSD performance level, checked; ``code``/``label`` name the disk kind."""
    if category not in CATEGORIES:
        raise _err(code, f'The specified parameter "{label}.Category" is not valid.')
    level = disk.get("performance_level")
    if level and level not in PERFORMANCE_LEVELS:
        raise _err("InvalidPerformanceLevel.Malformed",
                   f"The specified parameter {label}.PerformanceLevel is not valid.")
    return category, level


def _data_disks(disks: list[dict], default_category: Optional[str],
                sold: Callable[[str], bool] = lambda category: True) -> list[quotes.Disk]:
    """The data disks asked for, checked (DescribePrice's codes); ``sold``: whether the instance type takes a data
    disk of a category (the launch's rule, :func:`mockecs.world.launch.sells_disk`)."""
    out = []
    for disk in disks:
        category = disk.get("category") or default_category
        if not category:
            raise EcsError(*DISK_CATEGORY_MISSING)
        category, level = _category_and_level(disk, category, "InvalidDataDiskCategory.ValueNotSupported",
                                              "DataDisk.n")
        if not sold(category):  # (the code of a launch of the same disks)
            raise _err("InvalidDataDiskCategory.ValueNotSupported",
                       'The specified parameter "DataDisk.n.Category" is not valid.')
        low, high = data_disk_range(category, level)
        size = disk.get("size")
        if size is None:
            size = low
        if not low <= size <= high:
            raise _err("InvalidDataDiskSize.ValueNotSupported",
                       "The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot "
                       "exceeds the size limit of the specified disk category.")
        out.append((category, size, level))
    return out


def _instance_lines(ctx: Context, prices: Mapping[str, Any], a: dict, charge_type: str, on_host: bool = False,
                    ) -> tuple[list[quotes.Line], Optional[Mapping[str, Any]], float]:
    """DescribePrice's instance parameters checked, then priced by :func:`mockecs.world.quotes.instance_lines`
    (``on_host``: on a dedicated host)."""
    if not a["instance_type"]:
        raise _err("InvalidInstanceType.Missing",
                   "The InstanceType parameter that is mandatory for processing the request is not provided.", 404)
    itype = lookup_instance_type(a["instance_type"])
    if itype is None:
        raise _err("InvalidInstanceType.ValueNotSupported",
                   "The specified InstanceType does not exist or beyond the permitted range.")
    if not on_host:
        quotes.type_hourly(prices, itype["InstanceTypeId"])  # (PriceNotFound before the other parameters' codes)
    if a["io_optimized"] not in (None, "", "none", "optimized"):
        raise _err("InvalidIoOptimizedValue.ValueNotSupported", "IoOptimized value not supported.")
    if a["instance_network_type"] not in (None, "", "vpc", "classic"):
        raise _err("InvalidNetworkType.ValueNotSupported", "The specified parameter NetworkType is not valid.", 404)
    if a["internet_charge_type"] not in (None, "", "PayByBandwidth", "PayByTraffic"):
        raise _err("InvalidInternetChargeType.ValueNotSupported", "The specified InternetChargeType is not valid.")
    bandwidth = a["internet_max_bandwidth_out"] or 0
    if not 0 <= bandwidth <= 100:
        raise _err("InvalidInternetMaxBandwidthOut.ValueNotSupported",
                   'The specified parameter "InternetMaxBandwidthOut" is not valid.')
    if a["platform"] not in (None, "", "Windows", "Linux"):
        raise _err("InvalidParameter.Platform", "The specified parameter Platform is invalid.")
    if a["spot_strategy"] not in (None, "", "NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"):
        raise _err("InvalidParameter", 'The specified parameter "SpotStrategy" is not valid.')

    image = _image(ctx, a["image_id"], itype, charge_type) if a["image_id"] else None

    disk = a["system_disk"] or {}
    category, level = _category_and_level(disk, disk.get("category") or launch.default_disk_category(ctx, itype),
                                          "InvalidSystemDiskCategory.ValueNotSupported", "SystemDisk")
    if not launch.sells_disk(ctx, itype, category, "system"):  # (as a launch: cb-spider #1566 saw this code)
        raise _err("InvalidSystemDiskCategory.ValueNotSupported",
                   'The specified parameter "SystemDisk.Category" is not valid.')
    image_size = int(image.get("Size") or 0) if image is not None else 0
    size = disk.get("size")
    if size is None:
        size = max(20, image_size)
    if size < image_size:
        raise _err("InvalidSystemDiskSize.LessThanImageSize",
                   'The specified parameter "SystemDisk.Size" is less than the image size.')
    low, high = system_disk_range(category, level)
    if not low <= size <= high:
        raise _err("InvalidSystemDiskSize.ValueNotSupported",
                   f"The specified parameter SystemDisk.Size must be between {low} and {high} GiB for {category}.")
    quotes.disk_hourly(prices, "system", (category, size, level))  # (PriceNotFound before the data disks' codes)

    data_disks = a["data_disk"] or []
    if len(data_disks) > MAX_DATA_DISKS:
        raise _err("InstanceDiskNumber.LimitExceed", "The total number of specified disk in an instance exceeds.")
    data = _data_disks(data_disks, launch.default_disk_category(ctx, itype, "data"),
                       lambda category: launch.sells_disk(ctx, itype, category, "data"))
    spot_asked = a["spot_strategy"] not in (None, "", "NoSpot") and a["price_unit"] == "Hour"
    return quotes.instance_lines(ctx, prices, itype, image, (category, size, level), data, bandwidth,
                                 a["internet_charge_type"] == "PayByBandwidth",
                                 (a["zone_id"],) if spot_asked else None, a["platform"], on_host)


@operation(
    "DescribePrice",
    S("ResourceType"), S("ImageId"), S("InstanceType"), S("DedicatedHostType"), S("IoOptimized"),
    S("InstanceNetworkType"), S("InternetChargeType"), I("InternetMaxBandwidthOut"),
    Struct("SystemDisk", [S("Category"), I("Size"), S("PerformanceLevel")]),
    Structs("DataDisk", [S("Category"), L("Size"), S("PerformanceLevel")], max_items=16),
    I("Period"), S("PriceUnit"), I("Amount"), S("OfferingType"), I("InstanceAmount"), S("Scope"),
    S("Platform"), I("Capacity"), S("AssuranceTimes"), I("InstanceCpuCoreCount"), S("Isp"),
    Repeat("InstanceTypeList"), S("SpotStrategy"), I("SpotDuration"), S("ZoneId"),
    Struct("SchedulerOptions", [S("DedicatedHostId")]),
)
def describe_price(ctx: Context, **a: Any) -> dict:
    resource_type = a["resource_type"] or "instance"
    if resource_type not in RESOURCE_TYPES:
        raise _err("InvalidResourceType.ValueNotSupported", "The specified parameter ResourceType is not valid.")
    unit = a["price_unit"] = a["price_unit"] or "Hour"
    if unit not in PERIODS:
        raise _err("InvalidPriceUnit.ValueNotSupported", "The specified parameter PriceUnit is not valid.")
    period = 1 if a["period"] is None else a["period"]
    low, high = PERIODS[unit]
    if not low <= period <= high:
        raise _err("InvalidPeriod", "The specified period is not valid.")
    amount = 1 if a["amount"] is None else a["amount"]
    if not 1 <= amount <= 1000:
        raise _err("InvalidAmount.Malformed", "The specified parameter Amount is not valid.", 403)
    if a["zone_id"] and a["zone_id"] not in {z["ZoneId"] for z in regions.regions()[ctx.region]["Zones"]}:
        raise _err("Invalid.ZoneId", "The specified ZoneId is not valid.")
    prices = pricing.table(ctx.engine)
    charge_type = "PostPaid" if unit == "Hour" else "PrePaid"
    product: Optional[Mapping[str, Any]] = None
    image_fee = 0.0

    if resource_type == "instance":
        host_id = (a["scheduler_options"] or {}).get("dedicated_host_id")
        if host_id and dedicated_hosts.find(ctx, dedicated_hosts.KIND, host_id) is None:
            raise HOST_NOT_FOUND
        lines, product, image_fee = _instance_lines(ctx, prices, a, charge_type, bool(host_id))
    elif resource_type == "disk":
        disks = a["data_disk"] or []
        if not disks or not disks[0].get("category"):
            raise EcsError(*DISK_CATEGORY_MISSING)
        if disks[0].get("size") is None:
            raise _err("InvalidDataDiskSize.ValueNotSupported", 'The specified parameter "DataDisk.Size" is not valid.')
        if unit != "Hour":  # disks are priced pay-as-you-go only (API doc)
            raise _err("InvalidPriceUnit.ValueNotSupported", "The specified parameter PriceUnit is not valid.")
        lines = [quotes.Line("dataDisk", quotes.data_disks_hourly(prices, _data_disks(disks, None)))]
    elif resource_type == "bandwidth":
        # Only the PayByTraffic price is answered (API doc): the price of one GB of outbound traffic.
        per_gb = (prices.get("bandwidth") or {}).get("traffic_per_gb")
        if per_gb is None:
            raise PRICE_NOT_FOUND
        lines = [quotes.Line("bandwidth", float(per_gb), discountable=False)]
    elif resource_type == "ddh":
        if not a["dedicated_host_type"]:
            raise _err("InvalidDedicatedHostType.Missing",
                       "The dedicatedHostType parameter that is mandatory for processing the request is not provided.",
                       404)
        raise PRICE_NOT_FOUND  # [GUESS] mockecs has no dedicated-host price list
    else:  # ElasticityAssurance / CapacityReservation
        if not a["instance_type"]:
            raise _err("InvalidInstanceType.Missing",
                       "The InstanceType parameter that is mandatory for processing the request is not provided.", 404)
        raise PRICE_NOT_FOUND  # [GUESS] not priced by mockecs

    # A traffic price is per GB whatever the unit; everything else scales with the billed hours.
    hours = 1.0 if resource_type == "bandwidth" else quotes.unit_hours(prices, unit, period)
    return quotes.answer(prices, lines, hours, amount, quotes.unit_rule(prices, unit), product, image_fee)


# -- DescribeRenewalPrice -----------------------------------------------------------------------------
RENEWAL_PERIODS = {"Month": (1, 9), "Year": (1, 3)}  # documented
RENEW_DAYS = (1, 28)  # ExpectedRenewDay, documented
INSTANCE_NOT_FOUND = ("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)


def _hours_to_day(expired: str, day: int) -> float:
    """Hours from a subscription's end to the next ``day`` of a month (China time midnight, as ends are written)."""
    end = resources.parse_iso(expired) or 0.0
    moment = time.gmtime(end + 8 * 3600)  # (China time: the end's calendar day)
    year, month = moment.tm_year, moment.tm_mon + (1 if moment.tm_mday >= day else 0)
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    target = calendar.timegm((year, month, day, 0, 0, 0)) - 8 * 3600
    return (target - end) / 3600


@operation("DescribeRenewalPrice", S("ResourceId", required=True), S("ResourceType"), I("Period"), S("PriceUnit"),
           I("ExpectedRenewDay"))
def describe_renewal_price(ctx: Context, resource_id: str, resource_type: Optional[str], period: Optional[int],
                           price_unit: Optional[str], expected_renew_day: Optional[int]) -> dict:
    """What renewing a subscription instance costs: for Period PriceUnits (one month by default), or up to the
    ExpectedRenewDay after its end; the instance as it is now, priced as DescribePrice prices a launch (the yearly
    rule applies to yearly renewals) [GUESS: mockecs' own price table]."""
    if (resource_type or "instance") != "instance":
        raise _err("InvalidResourceType.ValueNotSupported", "The specified parameter ResourceType is not valid.")
    if expected_renew_day is not None and (period is not None or price_unit):
        raise _err("InvalidExpectedRenewDay.Conflict", "The specified expectedRenewDay is in conflict with period.")
    if expected_renew_day is not None and not RENEW_DAYS[0] <= expected_renew_day <= RENEW_DAYS[1]:
        raise _err("InvalidExpectedRenewDay.ValueNotSupported",
                   "The specified parameter ExpectedRenewDay is not valid.")
    unit = price_unit or "Month"
    if unit not in RENEWAL_PERIODS:
        raise _err("InvalidPriceUnit.ValueNotSupported", "The specified parameter PriceUnit is not valid.")
    period = 1 if period is None else period
    if not RENEWAL_PERIODS[unit][0] <= period <= RENEWAL_PERIODS[unit][1]:
        raise _err("InvalidPeriod", "The specified period is not valid.")
    instance = resources.get(ctx, "instance", resource_id)
    if not resources.is_mine(ctx, instance):
        raise EcsError(*INSTANCE_NOT_FOUND)
    if instance.get("InstanceChargeType") != "PrePaid":
        raise _err("ChargeTypeViolation", "The operation is not permitted due to charge type of the instance.", 403)
    prices = pricing.table(ctx.engine)
    lines, product, image_fee = quotes.held_lines(ctx, prices, instance)
    if expected_renew_day is not None:
        hours, rule = _hours_to_day(instance["ExpiredTime"], expected_renew_day), None
    else:
        hours, rule = quotes.unit_hours(prices, unit, period), quotes.unit_rule(prices, unit)
    answer = quotes.answer(prices, lines, hours, 1, rule, product, image_fee)
    del answer["PriceInfo"]["Price"]["ReservedInstanceHourPrice"]  # (not in this answer's model)
    return answer


# -- DescribeInstanceModificationPrice ----------------------------------------------------------------------
# DescribePrice's disk codes answered with this action's status and words (its metadata)
MODIFICATION_DISK_ERRORS = {
    "InvalidDiskCategory.Missing": ("The DataDisk.1.Category parameter that is mandatory for processing the request is "
                                    "not provided.", 400),
    "InvalidDataDiskSize.ValueNotSupported": ("The specified DataDisk.n.Size beyond the permitted range.", 400),
    "InvalidPerformanceLevel.Malformed": ("The specified parameter DataDisk.n.PerformanceLevel is not valid.", 400),
    "InvalidDataDiskCategory.ValueNotSupported": ('The specified parameter "DataDisk.n.Category" is not valid.', 400),
}


@operation("DescribeInstanceModificationPrice", S("InstanceId", required=True), S("InstanceType"),
           Struct("SystemDisk", [S("Category")]), Structs("DataDisk", [S("Category"), L("Size"),
                                                                      S("PerformanceLevel")], max_items=16))
def describe_instance_modification_price(ctx: Context, instance_id: str, instance_type: Optional[str],
                                         system_disk: dict, data_disk: Optional[list[dict]]) -> dict:
    """What upgrading a subscription instance costs until it expires: the new type's hourly price less its
    current one, and each new subscription data disk's, for the hours left (no discount rule) [GUESS: mockecs'
    price table; a type priced no higher is a downgrade, refused as documented]."""
    if not instance_type and not data_disk:
        raise _err("MissingParameter.InstanceTypeOrDataDisk",
                   "You must specify the parameter InstanceType or DataDisk.")
    if system_disk.get("category") and system_disk["category"] not in CATEGORIES:
        raise _err("InvalidSystemDiskCategory.ValueNotSupported",
                   'The specified parameter "SystemDisk.Category" is not valid.')
    instance = resources.get(ctx, "instance", instance_id)
    if not resources.is_mine(ctx, instance):
        raise EcsError(*INSTANCE_NOT_FOUND)
    if instance.get("InstanceChargeType") != "PrePaid":
        raise _err("ChargeTypeViolation", "PostPaid instance do not support this operation.", 403)
    hours = quotes.hours_left(ctx, instance)
    if hours <= 0:
        raise _err("InstanceExpired", "The PrePaid instance has been expired.", 403)
    prices = pricing.table(ctx.engine)
    lines = []
    if instance_type:
        if lookup_instance_type(instance_type) is None:
            raise _err("InvalidInstanceType.ValueNotSupported",
                       "The specified InstanceType does not exist or beyond the permitted range.")
        more = quotes.type_hourly(prices, instance_type) - quotes.type_hourly(prices, instance["InstanceType"])
        if more <= 0:
            raise _err("InvalidInstanceType.NotSupportUpgrade", "The specified InstanceType can only be downgraded. "
                       "This API supports querying prices only of InstanceType that can be upgraded.", 403)
        lines.append(quotes.Line("instanceType", more))
    if data_disk:
        try:
            # (disks of a category the instance's type, or the type asked for, takes)
            itype = lookup_instance_type(instance_type or instance["InstanceType"])
            disks = _data_disks(data_disk, None, lambda category: launch.sells_disk(ctx, itype, category, "data"))
            lines.append(quotes.Line("dataDisk", quotes.data_disks_hourly(prices, disks)))
        except EcsError as err:
            if err.code not in MODIFICATION_DISK_ERRORS:
                raise
            raise _err(err.code, *MODIFICATION_DISK_ERRORS[err.code]) from None
    answer = quotes.answer(prices, lines, hours, 1, None, None, 0.0)
    del answer["PriceInfo"]["Price"]["ReservedInstanceHourPrice"]  # (not in this answer's model)
    return answer

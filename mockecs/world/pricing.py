"""The price table and its figures per resource (what an order costs: :mod:`mockecs.world.quotes`), the image fee
by image type (the seed's billing table, spec §2.7).

**The figures are plausible, not Alibaba Cloud's price list.** They live in
``data/prices.json``; a user overrides any of them with
``Config(options={"prices_file": "my_prices.json"})``: that JSON file is merged over the
built-in one key by key (nested objects merge, other values replace), so a test can
change one instance type's price without restating the rest.

The image fee (DetailInfo ``Resource="image"``), per hour, for an instance of a given size:

=====================================  ============================================
image                                  fee
=====================================  ============================================
public Windows Server / RHEL / SLES    licence fee (``image_fees_per_hour``)
other public images                    0
custom image                           0, or the licence fee of the paid image it
                                       derives from (``_billing`` inherited)
shared image                           same rule as custom (the owner's ``_billing``)
Marketplace image (and images made     the product's ``_price_per_hour`` (the
from one: they carry its ProductCode)  product price includes any OS licence)
community image (to anyone but its     0: "community images are free of charge" (the
publisher)                             Image overview), whatever they derive from
=====================================  ============================================

``LicenseType=BYOL`` images pay no licence fee. The storage of a custom image's snapshots
(sum of its DiskDeviceMapping sizes × ``snapshot_storage_per_gib_month``) is not part of an
instance's DescribePrice (the API has no such line): :func:`snapshot_fee_per_hour` gives it
to tests in Python.

Price units [GUESS]: ``OriginalPrice`` = hourly figure × ``hours_per_unit[PriceUnit]`` ×
``Period`` × ``Amount``; yearly subscriptions get the rule ``rules.Year`` (15% off) on the
instance and disk lines; licence, Marketplace, bandwidth and snapshot lines are not
discounted.
"""
from __future__ import annotations

import json
import os
import threading
from importlib import resources
from typing import Any, Mapping, Optional

from mockecs.world import marketplace

_lock = threading.Lock()
_cache: dict[tuple, dict] = {}


def _builtin() -> dict:
    return json.loads(resources.files("mockecs").joinpath("data/prices.json").read_text("utf-8"))


def _merge(base: dict, over: Mapping[str, Any]) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load(prices_file: Optional[str] = None) -> dict:
    """The price table: built-in figures, with ``prices_file`` merged over them. Cached per file version."""
    key: tuple = (None,)
    if prices_file:
        st = os.stat(prices_file)
        key = (str(prices_file), st.st_mtime_ns, st.st_size)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _builtin()
            if prices_file:
                with open(prices_file, encoding="utf-8") as fh:
                    found = _merge(found, json.load(fh))
            _cache[key] = found
        return found


def table(engine: Any) -> dict:
    """The price table an engine uses (``Config.options["prices_file"]`` or the built-in one)."""
    return load(engine.config.options.get("prices_file"))


def currency(prices: Mapping[str, Any]) -> str:
    """The table's currency (CNY unless a prices file says otherwise)."""
    return str(prices.get("currency") or "CNY")


def type_hourly(prices: Mapping[str, Any], type_id: str) -> Optional[float]:
    """The hourly pay-as-you-go price of an instance type (None: the table has none)."""
    hourly = (prices.get("instance_types") or {}).get(type_id)
    return float(hourly) if hourly is not None else None


# -- the image fee ---------------------------------------------------------------------
_PLATFORM_BILLING = (("windows", "windows"), ("redhat", "rhel"), ("red hat", "rhel"), ("suse", "sles"))


def billing_class(image: Mapping[str, Any]) -> Optional[str]:
    """``windows`` | ``rhel`` | ``sles`` | None: which OS licence the image's instances pay."""
    if image.get("LicenseType") == "BYOL":
        return None
    billing = image.get("_billing")
    if billing:
        return str(billing)
    if image.get("_paid"):
        # Paid but no class recorded: infer it from the platform.
        platform = str(image.get("Platform") or "").lower()
        for needle, cls in _PLATFORM_BILLING:
            if platform.startswith(needle):
                return cls
        if image.get("OSType") == "windows":
            return "windows"
    return None


def licence_fee(prices: Mapping[str, Any], billing: Optional[str], vcpus: int) -> float:
    """Hourly OS licence fee of ``billing`` for an instance with ``vcpus`` vCPUs."""
    if not billing:
        return 0.0
    fee = (prices.get("image_fees_per_hour") or {}).get(billing)
    if fee is None:
        return 0.0
    if not isinstance(fee, Mapping):
        return float(fee)
    total = float(fee.get("per_instance", 0.0)) + float(fee.get("per_vcpu", 0.0)) * vcpus
    if "small" in fee or "large" in fee:
        threshold = int(fee.get("vcpu_threshold", 4))
        total += float(fee.get("small" if vcpus <= threshold else "large", 0.0))
    return total


def image_fee(engine: Any, image: Optional[Mapping[str, Any]], vcpus: int,
              platform: Optional[str] = None) -> tuple[float, Optional[Mapping[str, Any]]]:
    """(hourly image fee, Marketplace product or None) for one instance with ``vcpus`` vCPUs.

    Without an image, ``platform`` (DescribePrice's ``Platform``: ``Windows``/``Linux``) decides.
    """
    prices = table(engine)
    if image is None:
        return (licence_fee(prices, "windows", vcpus) if (platform or "").lower() == "windows" else 0.0), None
    product = marketplace.product(engine, image.get("ProductCode"))
    if product is not None:
        return float(product.get("_price_per_hour") or 0.0), product
    return licence_fee(prices, billing_class(image), vcpus), None


def snapshot_gib(image: Mapping[str, Any]) -> int:
    """GiB of snapshot storage an image keeps (its system and data disk mappings)."""
    total = 0
    for mapping in (image.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ():
        try:
            total += int(mapping.get("Size") or 0)
        except (TypeError, ValueError):
            continue
    return total


def snapshot_fee_per_hour(engine: Any, image: Mapping[str, Any]) -> float:
    """Hourly storage cost of the snapshots a custom image keeps (not answered by DescribePrice)."""
    prices = table(engine)
    per_month = float(prices.get("snapshot_storage_per_gib_month", 0.0))
    hours = float((prices.get("hours_per_unit") or {}).get("Month", 730))
    return snapshot_gib(image) * per_month / hours


def disk_fee(prices: Mapping[str, Any], which: str, category: str, size: int,
             performance_level: Optional[str]) -> Optional[float]:
    """Hourly price of a disk; None if the table has no figure for the category."""
    rate = (prices.get(f"{which}_disk_per_gib_hour") or prices.get("system_disk_per_gib_hour") or {}).get(category)
    if rate is None:
        return None
    if category == "cloud_essd":
        factors = prices.get("essd_performance_level_factor") or {}
        rate = float(rate) * float(factors.get(performance_level or "PL1", 1.0))
    return float(rate) * size


def bandwidth_fee(prices: Mapping[str, Any], mbps: int) -> float:
    """Hourly price of a fixed bandwidth (PayByBandwidth) of ``mbps`` Mbit/s (tiered at 5)."""
    bw = prices.get("bandwidth") or {}
    low, high = min(mbps, 5), max(mbps - 5, 0)
    return low * float(bw.get("per_mbps_hour_up_to_5", 0.0)) + high * float(bw.get("per_mbps_hour_above_5", 0.0))

"""Each zone offers the disk categories of the types it sells (the union of their families' groups,
data/instance_types.json): DescribeZones' AvailableDiskCategories and AvailableResources' SystemDiskCategories /
DataDiskCategories agree with DescribeAvailableResource, whose SystemDiskCategory / DataDiskCategory keep only
the zones and types that take such disks. Through the current SDK."""
from __future__ import annotations

from typing import Any, Iterator

import alibabacloud_ecs20140526.models as models
import pytest

from mockecs.ops import regions as regions_ops
from mockecs.world import disks, instance_types

REGION = "cn-hangzhou"
ESSD_ZONE = "cn-hangzhou-k"  # (made to sell the ESSD-only families alone below)
ESSD_ONLY = ["cloud_essd", "cloud_auto"]
ESSD_ENTRY = ["cloud_essd", "cloud_auto", "cloud_essd_entry"]
ALL = ["cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"]


def _clear() -> None:
    for cached in (instance_types.types_in_zone, instance_types.zone_disk_categories, instance_types.zones_selling,
                   regions_ops._zones_answer, disks.multi_attach_zone):
        cached.cache_clear()


@pytest.fixture
def essd_zone() -> Iterator[str]:
    """ESSD_ZONE sells only the families of the 7th generation on (and u1): a newer zone without ultra disks."""
    changed = []
    for itype in instance_types.instance_types():
        if "cloud_efficiency" in itype["_disks"]["system"] or "cloud_essd_entry" in itype["_disks"]["system"]:
            changed.append((itype, itype["_zones"]))
            itype["_zones"] = {"except": [ESSD_ZONE]} if itype["_zones"] == "*" else {"only": []}
    _clear()
    try:
        yield ESSD_ZONE
    finally:
        for itype, zones in changed:
            itype["_zones"] = zones
        _clear()


def zones(client, **kw: Any) -> dict[str, dict]:
    body = client.describe_zones(models.DescribeZonesRequest(region_id=REGION, **kw)).body.to_map()
    return {z["ZoneId"]: z for z in body["Zones"]["Zone"]}


def available(client, destination: str, zone_id: str = "", **kw: Any) -> dict[str, list[str]]:
    """Zone -> the values DescribeAvailableResource offers there."""
    body = client.describe_available_resource(models.DescribeAvailableResourceRequest(
        region_id=REGION, zone_id=zone_id or None, destination_resource=destination, **kw)).body.to_map()
    out = {}
    for zone in body["AvailableZones"]["AvailableZone"]:
        [resource] = zone["AvailableResources"]["AvailableResource"]
        assert resource["Type"] == destination
        out[zone["ZoneId"]] = [r["Value"] for r in resource["SupportedResources"]["SupportedResource"]]
    return out


def _agree(client, zone: dict) -> None:
    """A DescribeZones zone says what DescribeAvailableResource says of it."""
    zone_id = zone["ZoneId"]
    [info] = zone["AvailableResources"]["ResourcesInfo"]
    system, data = available(client, "SystemDisk", zone_id)[zone_id], available(client, "DataDisk", zone_id)[zone_id]
    assert info["SystemDiskCategories"]["supportedSystemDiskCategory"] == system
    assert info["DataDiskCategories"]["supportedDataDiskCategory"] == data
    assert zone["AvailableDiskCategories"]["DiskCategories"] == [c for c in ALL if c in system or c in data]
    types = available(client, "InstanceType", zone_id)[zone_id]
    assert zone["AvailableInstanceTypes"]["InstanceTypes"] == info["InstanceTypes"]["supportedInstanceType"] == types
    assert {"Instance", "Disk"} <= set(zone["AvailableResourceCreation"]["ResourceTypes"])


def test_every_zone_agrees_with_describe_available_resource(client):
    found = zones(client, verbose=True)
    assert list(found) == ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"]
    for zone in found.values():
        _agree(client, zone)
        assert zone["AvailableDiskCategories"]["DiskCategories"] == ALL  # (every family is sold there)


def test_a_zone_of_essd_only_types_offers_essds_only(client, essd_zone):
    found = zones(client, verbose=True)
    zone = found[essd_zone]
    _agree(client, zone)
    [info] = zone["AvailableResources"]["ResourcesInfo"]
    assert zone["AvailableDiskCategories"]["DiskCategories"] == ESSD_ONLY
    assert info["SystemDiskCategories"]["supportedSystemDiskCategory"] == ESSD_ONLY
    assert "ecs.g7.large" in info["InstanceTypes"]["supportedInstanceType"]
    sold = info["InstanceTypes"]["supportedInstanceType"]
    assert not any(t.startswith(("ecs.g6.", "ecs.t5-", "ecs.u1-")) for t in sold)
    assert not {"ecs.g6", "ecs.t5", "ecs.u1"} & set(info["InstanceTypeFamilies"]["supportedInstanceTypeFamily"])
    assert found["cn-hangzhou-h"]["AvailableDiskCategories"]["DiskCategories"] == ALL
    # (Verbose=false keeps the categories, not the types)
    brief = zones(client, verbose=False)[essd_zone]
    assert brief["AvailableDiskCategories"]["DiskCategories"] == ESSD_ONLY
    assert brief["AvailableInstanceTypes"]["InstanceTypes"] == [] and "AvailableResources" not in brief
    # DescribeAvailableResource keeps the zone only for a category it offers
    assert essd_zone not in available(client, "Zone", system_disk_category="cloud_efficiency")
    assert essd_zone not in available(client, "Zone", data_disk_category="cloud_ssd")
    assert available(client, "Zone", system_disk_category="cloud_essd")[essd_zone] == [essd_zone]
    assert "cn-hangzhou-h" in available(client, "Zone", system_disk_category="cloud_efficiency")
    assert available(client, "InstanceType", essd_zone, system_disk_category="cloud_efficiency") == {}


def test_option_off_every_zone_offers_every_category(client, engine, essd_zone):
    engine.config.options["instance_type_disk_categories"] = False
    zone = zones(client, verbose=True)[essd_zone]
    assert zone["AvailableDiskCategories"]["DiskCategories"] == ALL
    [info] = zone["AvailableResources"]["ResourcesInfo"]
    assert info["SystemDiskCategories"]["supportedSystemDiskCategory"] == ALL
    assert info["DataDiskCategories"]["supportedDataDiskCategory"] == ALL
    assert available(client, "SystemDisk", essd_zone)[essd_zone] == ALL


@pytest.mark.parametrize("category", ["cloud", "ephemeral_ssd", "cloud_nothing"])
@pytest.mark.parametrize("destination", ["Zone", "InstanceType", "SystemDisk", "DataDisk"])
def test_a_category_no_zone_offers_keeps_nothing(client, category, destination):
    """Basic disks (sold with retired types only), local SSD system disks and unknown names: no zone lists them in
    DescribeZones, so no zone or type takes them."""
    assert available(client, destination, system_disk_category=category) == {}
    assert available(client, destination, data_disk_category=category) == {}
    assert available(client, destination, system_disk_category="cloud_essd")  # (the zones' own categories do)


def test_the_entry_category_only_where_u1_is_sold(client):
    offered = available(client, "InstanceType", "cn-hangzhou-i", system_disk_category="cloud_essd_entry")
    assert offered["cn-hangzhou-i"] and all(t.startswith("ecs.u1-") for t in offered["cn-hangzhou-i"])
    assert available(client, "SystemDisk", "cn-hangzhou-i", instance_type="ecs.u1-c1m2.large")["cn-hangzhou-i"] == \
        ESSD_ENTRY

"""A disk whose Category a launch or a DescribePrice leaves unset: cloud_efficiency, as RunInstances, CreateInstance
and DescribePrice document for I/O optimized types (option ``default_disk_category``), so a launch and the price of
the same configuration agree (on types that sell cloud_efficiency)."""
from __future__ import annotations

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.CreateInstanceRequest import CreateInstanceRequest

from tests.sdk import legacy_call
from tests.test_instances import LINUX, REGION, disks

# (a type that sells cloud_efficiency: on the ESSD-only families the default follows the type, or is refused with
# option default_disk_category cloud_efficiency: tests/test_disk_categories.py)
TYPE, ZONE = "ecs.g6.large", "cn-hangzhou-i"


def price(client, **kw) -> float:
    body = client.describe_price(models.DescribePriceRequest(region_id=REGION, instance_type=TYPE, **kw)).body
    return body.price_info.price.trade_price


def launched(client, **kw):
    return client.run_instances(models.RunInstancesRequest(region_id=REGION, image_id=LINUX, instance_type=TYPE,
                                                           zone_id=ZONE, **kw)).body


def categories(client, instance_id: str) -> list[tuple[str, str, str]]:
    return [(d["Type"], d["Category"], d["PerformanceLevel"]) for d in disks(client, instance_id)]


def launch_and_prices(client, named: str) -> tuple[list, float, float, float]:
    """A launch leaving both disk categories unset -> (its disks' categories, its TradePrice, DescribePrice of the
    same configuration unset, and with ``named`` given)."""
    body = launched(client, system_disk=models.RunInstancesRequestSystemDisk(size=40),
                    data_disk=[models.RunInstancesRequestDataDisk(size=100)])
    [instance_id] = body.instance_id_sets.instance_id_set

    def priced(category=None) -> float:
        return price(client, image_id=LINUX, price_unit="Hour",
                     system_disk=models.DescribePriceRequestSystemDisk(size=40, category=category),
                     data_disk=[models.DescribePriceRequestDataDisk(size=100, category=category)])

    return categories(client, instance_id), body.trade_price, priced(), priced(named)


def test_unset_categories_are_cloud_efficiency_and_the_launch_costs_its_price(client):
    found, trade_price, unset, named = launch_and_prices(client, "cloud_efficiency")
    assert found == [("system", "cloud_efficiency", ""), ("data", "cloud_efficiency", "")]
    assert trade_price == unset == named > 0
    essd = price(client, image_id=LINUX, price_unit="Hour",
                 system_disk=models.DescribePriceRequestSystemDisk(size=40, category="cloud_essd"),
                 data_disk=[models.DescribePriceRequestDataDisk(size=100, category="cloud_essd")])
    assert essd != unset


def test_create_instance_through_the_old_sdk(client, legacy):
    request = CreateInstanceRequest()
    request.set_ImageId(LINUX)
    request.set_InstanceType(TYPE)
    request.set_ZoneId(ZONE)
    instance_id = legacy_call(legacy, request)["InstanceId"]
    assert categories(client, instance_id) == [("system", "cloud_efficiency", "")]


def test_option_cloud_essd_moves_launch_and_price_together(client, engine):
    engine.config.options["default_disk_category"] = "cloud_essd"
    found, trade_price, unset, named = launch_and_prices(client, "cloud_essd")
    assert found == [("system", "cloud_essd", "PL1"), ("data", "cloud_essd", "PL1")]
    assert trade_price == unset == named > 0

"""Basic disks (category ``cloud``): CreateDisk's documented default, sold by the service today with retired
non-I/O optimized types only (RunInstances: "已停售的实例规格且非I/O优化实例默认值为cloud"), which mockecs'
catalogue lacks. Option ``basic_disk_checks`` (off by default: fog, libcloud, aliyungo and footmark create disks
without a category and attach them) refuses them as the service does. Through the current SDK, and the old one."""
from __future__ import annotations

from typing import Any

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateInstanceRequest import CreateInstanceRequest

from tests.sdk import error_of
from tests.test_disk_categories import ESSD_TYPE, OLD_TYPE, ZONE, assert_error, categories, launch, old_launch
from tests.test_instances import REGION, disks, old_error
from tests.test_zone_disk_categories import essd_zone  # noqa: F401 (a fixture)


def create_disk(client, category: Any = None, **kw: Any) -> str:
    kw.setdefault("zone_id", ZONE)
    return client.create_disk(models.CreateDiskRequest(region_id=REGION, disk_category=category, size=40,
                                                       **kw)).body.disk_id


def category_of(client, disk_id: str) -> str:
    body = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, disk_ids=f'["{disk_id}"]')).body
    [disk] = body.disks.disk
    return disk.category


@pytest.fixture
def checks(engine):
    engine.config.options["basic_disk_checks"] = True
    return engine


def test_by_default_a_disk_without_category_is_basic_and_attaches(client):
    """CreateDisk's documented default (cloud); attached to any type as the SDK flows of fog, libcloud and
    aliyungo expect, while DescribeZones lists no basic disks."""
    disk_id = create_disk(client)
    assert category_of(client, disk_id) == "cloud"
    instance_id = launch(client, ESSD_TYPE)
    client.attach_disk(models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))
    assert categories(client, instance_id) == [("system", "cloud_essd"), ("data", "cloud")]
    zones = client.describe_zones(models.DescribeZonesRequest(region_id=REGION)).body.to_map()["Zones"]["Zone"]
    assert all("cloud" not in z["AvailableDiskCategories"]["DiskCategories"] for z in zones)


def test_create_disk_of_a_basic_disk_is_refused(client, checks):
    """As the service answers in a zone without basic disks (alicloud-storage-provisioner#3: 403
    InvalidDataDiskCategory.NotSupported for cloud)."""
    for category in (None, "cloud"):
        err = error_of(create_disk, client, category)
        assert_error("CreateDisk", err, "InvalidDataDiskCategory.NotSupported", 403)
    assert category_of(client, create_disk(client, "cloud_essd")) == "cloud_essd"
    listed = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, category="cloud")).body
    assert listed.total_count == 0  # (nothing half made)


def test_launches_refuse_basic_disks(client, legacy, checks):
    err = error_of(launch, client, ESSD_TYPE, system="cloud")
    assert_error("RunInstances", err, "InvalidSystemDiskCategory.ValueNotSupported", 400)
    err = error_of(launch, client, OLD_TYPE, system="cloud_efficiency", data=("cloud",))
    assert_error("RunInstances", err, "InvalidDataDiskCategory.ValueNotSupported", 400)
    request = old_launch(CreateInstanceRequest, OLD_TYPE, "cloud")
    assert_error("CreateInstance", old_error(legacy, request), "InvalidSystemDiskCategory.ValueNotSupported", 400)
    err = error_of(client.describe_price, models.DescribePriceRequest(
        region_id=REGION, instance_type=OLD_TYPE,
        system_disk=models.DescribePriceRequestSystemDisk(category="cloud", size=40)))
    assert_error("DescribePrice", err, "InvalidSystemDiskCategory.ValueNotSupported", 400)


def test_attach_disk_of_a_basic_disk_to_an_io_optimized_type(client, engine):
    """A basic disk made with the option off is refused by every type of the catalogue (all I/O optimized) once
    it is on: AttachDisk's documented code, as the CSI driver met it (#274)."""
    disk_id = create_disk(client)
    instance_id = launch(client, OLD_TYPE)
    engine.config.options["basic_disk_checks"] = True
    err = error_of(client.attach_disk, models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))
    assert_error("AttachDisk", err, "InvalidInstanceType.NotSupportDiskCategory", 403)
    assert categories(client, instance_id) == [("system", "cloud_efficiency")]
    assert [d["Status"] for d in disks(client, None, disk_ids=f'["{disk_id}"]')] == ["Available"]


def test_create_disk_for_a_subscription_instance(client, checks):
    instance_id = launch(client, OLD_TYPE, instance_charge_type="PrePaid", period=1, period_unit="Month")
    err = error_of(create_disk, client, "cloud", zone_id=None, instance_id=instance_id)
    assert_error("CreateDisk", err, "InvalidDataDiskCategory.NotSupported", 403)


def test_instance_type_disk_categories_off_takes_basic_disks(client, engine):
    engine.config.options.update(basic_disk_checks=True, instance_type_disk_categories=False)
    disk_id = create_disk(client)
    instance_id = launch(client, ESSD_TYPE, system="cloud")
    client.attach_disk(models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))
    assert categories(client, instance_id) == [("system", "cloud"), ("data", "cloud")]


def test_create_disk_of_a_category_the_zone_does_not_offer(client, essd_zone):  # noqa: F811
    """A zone selling only ESSD types offers no ultra disk (DescribeZones): CreateDisk there refuses one."""
    err = error_of(create_disk, client, "cloud_efficiency", zone_id=essd_zone)
    assert_error("CreateDisk", err, "InvalidDataDiskCategory.NotSupported", 403)
    assert category_of(client, create_disk(client, "cloud_auto", zone_id=essd_zone)) == "cloud_auto"
    assert category_of(client, create_disk(client, "cloud_efficiency", zone_id="cn-hangzhou-h")) == \
        "cloud_efficiency"


# -- SystemDisk.Category of ModifyInstanceSpec / ModifyPrepayInstanceSpec: a basic system disk changes category ---
def _system(client, instance_id: str) -> dict:
    [system] = [d for d in disks(client, instance_id) if d["Type"] == "system"]
    return system


def _stopped(client, instance_id: str) -> str:
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    return instance_id


def _spec(client, instance_id: str, instance_type: str, category: Any = None) -> Any:
    return client.modify_instance_spec(models.ModifyInstanceSpecRequest(
        instance_id=instance_id, instance_type=instance_type,
        system_disk=models.ModifyInstanceSpecRequestSystemDisk(category=category)))


def test_modify_instance_spec_turns_a_basic_system_disk_into_the_category(client):
    basic = _stopped(client, launch(client, OLD_TYPE, system="cloud"))
    assert _system(client, basic)["Category"] == "cloud" and _system(client, basic)["IOPS"] == 0
    _spec(client, basic, "ecs.g6.xlarge", "cloud_ssd")
    system = _system(client, basic)
    assert (system["Category"], system["Size"]) == ("cloud_ssd", 40) and system["IOPS"] > 0
    # (elsewhere the parameter has no effect, as documented)
    efficient = _stopped(client, launch(client, OLD_TYPE))
    _spec(client, efficient, "ecs.g6.xlarge", "cloud_ssd")
    assert _system(client, efficient)["Category"] == "cloud_efficiency"


def test_modify_instance_spec_system_disk_category_refusals(client):
    basic = _stopped(client, launch(client, OLD_TYPE, system="cloud"))
    for category, code, status in (("cloud_essd", "InvalidParam.SystemDiskCategory", 400),
                                   ("cloud_efficiency", "InvalidSystemDiskCategory.ValueNotSupported", 403)):
        # (the documented values are cloud_efficiency and cloud_ssd; an ESSD-only type sells neither)
        err = error_of(_spec, client, basic, ESSD_TYPE, category)
        assert_error("ModifyInstanceSpec", err, code, status)
    assert _system(client, basic)["Category"] == "cloud"
    assert categories(client, basic) == [("system", "cloud")]


def test_modify_instance_spec_of_a_basic_system_disk_with_the_checks(client, engine):
    basic = _stopped(client, launch(client, OLD_TYPE, system="cloud"))
    engine.config.options["basic_disk_checks"] = True
    err = error_of(_spec, client, basic, "ecs.g6.xlarge")
    assert_error("ModifyInstanceSpec", err, "InvalidInstanceType.NotSupportDiskCategory", 403)
    _spec(client, basic, "ecs.g6.xlarge", "cloud_efficiency")
    assert _system(client, basic)["Category"] == "cloud_efficiency"


def test_modify_prepay_instance_spec_system_disk_category(client):
    prepaid = {"instance_charge_type": "PrePaid", "period": 1, "period_unit": "Month"}
    basic = launch(client, OLD_TYPE, system="cloud", **prepaid)

    def change(instance_type: str, category: str) -> Any:
        return client.modify_prepay_instance_spec(models.ModifyPrepayInstanceSpecRequest(
            region_id=REGION, instance_id=basic, instance_type=instance_type,
            system_disk=models.ModifyPrepayInstanceSpecRequestSystemDisk(category=category)))

    for instance_type, category in ((ESSD_TYPE, "cloud_ssd"), ("ecs.g6.xlarge", "cloud_essd")):
        err = error_of(change, instance_type, category)
        assert_error("ModifyPrepayInstanceSpec", err, "InvalidSystemDiskCategory.NotMatchInstanceType", 400)
    assert _system(client, basic)["Category"] == "cloud"
    assert change("ecs.g6.xlarge", "cloud_efficiency").body.order_id
    assert _system(client, basic)["Category"] == "cloud_efficiency"

"""The disk categories each instance type sells (data/instance_types.json: the 7th generation on sells ESSDs only,
older families ultra disks and standard SSDs too), refused with each operation's documented code where a disk of
another category would land on the type (option ``instance_type_disk_categories``), and answered alike by
DescribeAvailableResource and DescribeResourcesModification. Through the current SDK, and the old one."""
from __future__ import annotations

import json
from typing import Any, Optional

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.AttachDiskRequest import AttachDiskRequest
from aliyunsdkecs.request.v20140526.CreateInstanceRequest import CreateInstanceRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

from tests.sdk import error_of, legacy_call
from tests.test_instances import LINUX, REGION, _all_documented, disks, old_error, run

ZONE = "cn-hangzhou-i"
ESSD_TYPE, ESSD_BIGGER = "ecs.g7.large", "ecs.g7.xlarge"  # sells cloud_essd, cloud_auto
OLD_TYPE = "ecs.g6.large"  # sells cloud_efficiency, cloud_ssd, cloud_essd
ESSD_ONLY = ["cloud_essd", "cloud_auto"]
ESSD_ENTRY = ["cloud_essd", "cloud_auto", "cloud_essd_entry"]  # u1 (and e): the metadata names them alone
OLDER = ["cloud_efficiency", "cloud_ssd", "cloud_essd"]
ALL = ["cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"]


def assert_error(action: str, err: Any, code: str, status: int) -> None:
    """The error is ``code`` with ``status``, and the metadata documents that pair for ``action`` with this
    message."""
    if hasattr(err, "get_error_code"):  # (the old SDK's ServerException)
        got = (err.get_error_code(), err.get_http_status(), err.get_error_msg())
    else:
        got = (err.code, err.status_code, err.data.get("Message"))
    documented = {m for s, m in _all_documented(action, code) if s == status}
    assert got[:2] == (code, status) and documented, (action, got, _all_documented(action, code))
    assert got[2] in documented, (got[2], documented)


def launch(client, instance_type: str = ESSD_TYPE, system: str = "", data: tuple[str, ...] = (), **kw: Any) -> str:
    return run(client, instance_type=instance_type, zone_id=ZONE,
               system_disk=models.RunInstancesRequestSystemDisk(category=system or None, size=40),
               data_disk=[models.RunInstancesRequestDataDisk(category=c, size=40) for c in data], **kw)[0]


def categories(client, instance_id: str) -> list[tuple[str, str]]:
    return [(d["Type"], d["Category"]) for d in disks(client, instance_id)]


def available(client, destination: str, **kw: Any) -> list[str]:
    body = client.describe_available_resource(models.DescribeAvailableResourceRequest(
        region_id=REGION, zone_id=ZONE, destination_resource=destination, **kw)).body.to_map()
    [zone] = body["AvailableZones"]["AvailableZone"] or [None]
    if zone is None:
        return []
    [resource] = zone["AvailableResources"]["AvailableResource"]
    return [r["Value"] for r in resource["SupportedResources"]["SupportedResource"]]


# -- the catalogue, as DescribeAvailableResource answers it, is what launches take ------------------------------
@pytest.mark.parametrize("instance_type, sold", [(ESSD_TYPE, ESSD_ONLY), (OLD_TYPE, OLDER),
                                                 ("ecs.u1-c1m2.large", ESSD_ENTRY),
                                                 ("ecs.t5-lc1m1.small", ["cloud_efficiency", "cloud_ssd"])])
def test_describe_available_resource_answers_what_a_launch_takes(client, instance_type, sold):
    assert available(client, "SystemDisk", instance_type=instance_type) == sold
    assert available(client, "DataDisk", instance_type=instance_type) == sold
    for category in ALL:
        if category in sold:
            instance_id = launch(client, instance_type, system=category, data=(category,))
            assert categories(client, instance_id) == [("system", category), ("data", category)]
        else:
            err = error_of(launch, client, instance_type, system=category)
            assert_error("RunInstances", err, "InvalidSystemDiskCategory.ValueNotSupported", 400)
            other = sold[0]
            err = error_of(launch, client, instance_type, system=other, data=(other, category))
            assert_error("RunInstances", err, "InvalidDataDiskCategory.ValueNotSupported", 400)


def test_a_category_narrows_the_instance_types_and_zones(client):
    efficient = available(client, "InstanceType", system_disk_category="cloud_efficiency")
    assert OLD_TYPE in efficient and not any(t.startswith(("ecs.g7.", "ecs.g8i.", "ecs.c7.")) for t in efficient)
    auto = available(client, "InstanceType", data_disk_category="cloud_auto")
    assert ESSD_TYPE in auto and OLD_TYPE not in auto
    assert available(client, "Zone", instance_type=ESSD_TYPE, system_disk_category="cloud_ssd") == []
    assert available(client, "Zone", instance_type=ESSD_TYPE, system_disk_category="cloud_essd") == [ZONE]
    assert available(client, "SystemDisk", instance_type=ESSD_TYPE, system_disk_category="cloud_ssd") == []


# -- an unset category -----------------------------------------------------------------------------------------
def test_an_unset_category_follows_the_type_by_default(client):
    """cloud_efficiency, the documented default, where the type sells it; the first category it sells elsewhere
    (default_disk_category by_type), and DescribePrice prices the same disks."""
    essd = launch(client, ESSD_TYPE, data=("",))
    assert categories(client, essd) == [("system", "cloud_essd"), ("data", "cloud_essd")]
    older = launch(client, OLD_TYPE, data=("",))
    assert categories(client, older) == [("system", "cloud_efficiency"), ("data", "cloud_efficiency")]

    def price(instance_type: str, category: Any = None) -> float:
        body = client.describe_price(models.DescribePriceRequest(
            region_id=REGION, instance_type=instance_type, zone_id=ZONE, price_unit="Hour",
            system_disk=models.DescribePriceRequestSystemDisk(size=40, category=category),
            data_disk=[models.DescribePriceRequestDataDisk(size=40, category=category)])).body
        return body.price_info.price.trade_price

    assert price(ESSD_TYPE) == price(ESSD_TYPE, "cloud_essd") != price(ESSD_TYPE, "cloud_auto")
    assert price(OLD_TYPE) == price(OLD_TYPE, "cloud_efficiency") != price(OLD_TYPE, "cloud_essd")


def old_launch(request_class: Any, instance_type: str, system: Optional[str] = None) -> Any:
    """An old-SDK (aliyunsdkecs) CreateInstance or RunInstances request of the Linux image in ZONE."""
    request = request_class()
    request.set_ImageId(LINUX)
    request.set_InstanceType(instance_type)
    request.set_ZoneId(ZONE)
    if system is not None:
        request.set_SystemDiskCategory(system)
    return request


def test_option_cloud_efficiency_is_refused_where_the_type_does_not_sell_it(client, legacy, engine):
    """As the service answers a client that names no category on such a type (the Fedora CoreOS docs)."""
    engine.config.options["default_disk_category"] = "cloud_efficiency"
    err = error_of(launch, client, ESSD_TYPE)
    assert_error("RunInstances", err, "InvalidSystemDiskCategory.ValueNotSupported", 400)
    request = old_launch(CreateInstanceRequest, ESSD_TYPE)
    assert_error("CreateInstance", old_error(legacy, request), "InvalidSystemDiskCategory.ValueNotSupported", 400)
    assert categories(client, launch(client, OLD_TYPE)) == [("system", "cloud_efficiency")]


def test_the_refusal_can_be_turned_off(client, engine):
    engine.config.options["instance_type_disk_categories"] = False
    instance_id = launch(client, ESSD_TYPE, system="cloud_efficiency", data=("cloud_ssd",))
    assert categories(client, instance_id) == [("system", "cloud_efficiency"), ("data", "cloud_ssd")]
    assert available(client, "SystemDisk", instance_type=ESSD_TYPE) == ALL


# -- every way a disk lands on a type --------------------------------------------------------------------------
def test_create_instance_and_run_instances_through_the_old_sdk(client, legacy):
    request = old_launch(CreateInstanceRequest, ESSD_TYPE, "cloud_ssd")
    assert_error("CreateInstance", old_error(legacy, request), "InvalidSystemDiskCategory.ValueNotSupported", 400)
    request.set_SystemDiskCategory("cloud_essd")
    request.set_DataDisks([{"Category": "cloud_efficiency", "Size": 40}])
    assert_error("CreateInstance", old_error(legacy, request), "InvalidDataDiskCategory.ValueNotSupported", 400)
    request.set_DataDisks([{"Category": "cloud_auto", "Size": 40}])
    created = legacy_call(legacy, request)["InstanceId"]
    assert categories(client, created) == [("system", "cloud_essd"), ("data", "cloud_auto")]

    run_request = old_launch(RunInstancesRequest, OLD_TYPE, "cloud_essd_entry")
    assert_error("RunInstances", old_error(legacy, run_request), "InvalidSystemDiskCategory.ValueNotSupported", 400)


def test_a_launch_template_is_held_to_its_type(client):
    template_id = client.create_launch_template(models.CreateLaunchTemplateRequest(
        region_id=REGION, launch_template_name="efficient", image_id=LINUX, instance_type=ESSD_TYPE, zone_id=ZONE,
        system_disk=models.CreateLaunchTemplateRequestSystemDisk(category="cloud_efficiency", size=40),
    )).body.launch_template_id
    err = error_of(client.run_instances, models.RunInstancesRequest(region_id=REGION,
                                                                    launch_template_id=template_id))
    assert_error("RunInstances", err, "InvalidSystemDiskCategory.ValueNotSupported", 400)
    # (the request's own InstanceType wins over the template's, and that type sells cloud_efficiency)
    ids = client.run_instances(models.RunInstancesRequest(region_id=REGION, launch_template_id=template_id,
                                                          instance_type=OLD_TYPE)).body.instance_id_sets
    assert categories(client, ids.instance_id_set[0]) == [("system", "cloud_efficiency")]


def _disk(client, category: str, **kw: Any) -> str:
    kw.setdefault("zone_id", ZONE)
    return client.create_disk(models.CreateDiskRequest(region_id=REGION, disk_category=category, size=40,
                                                       **kw)).body.disk_id


def test_attach_disk_of_a_category_the_type_does_not_sell(client, legacy):
    essd_instance, old_instance = launch(client, ESSD_TYPE), launch(client, OLD_TYPE)
    efficient = _disk(client, "cloud_efficiency")
    err = error_of(client.attach_disk, models.AttachDiskRequest(instance_id=essd_instance, disk_id=efficient))
    assert_error("AttachDisk", err, "InvalidInstanceType.NotSupportDiskCategory", 403)
    request = AttachDiskRequest()
    request.set_InstanceId(essd_instance)
    request.set_DiskId(efficient)
    assert_error("AttachDisk", old_error(legacy, request), "InvalidInstanceType.NotSupportDiskCategory", 403)
    client.attach_disk(models.AttachDiskRequest(instance_id=old_instance, disk_id=efficient))
    auto = _disk(client, "cloud_auto")
    client.attach_disk(models.AttachDiskRequest(instance_id=essd_instance, disk_id=auto))
    assert categories(client, essd_instance) == [("system", "cloud_essd"), ("data", "cloud_auto")]
    err = error_of(client.attach_disk, models.AttachDiskRequest(instance_id=old_instance,
                                                                disk_id=_disk(client, "cloud_auto")))
    assert_error("AttachDisk", err, "InvalidInstanceType.NotSupportDiskCategory", 403)


def test_create_disk_for_a_subscription_instance(client):
    instance_id = launch(client, ESSD_TYPE, instance_charge_type="PrePaid", period=1, period_unit="Month")
    err = error_of(_disk, client, "cloud_ssd", zone_id=None, instance_id=instance_id)
    assert_error("CreateDisk", err, "InvalidDataDiskCategory.NotSupported", 403)
    _disk(client, "cloud_essd", zone_id=None, instance_id=instance_id)
    assert categories(client, instance_id) == [("system", "cloud_essd"), ("data", "cloud_essd")]


def test_modify_disk_spec_of_an_attached_disk(client):
    instance_id = launch(client, OLD_TYPE, data=("cloud_essd",))
    [_, data] = disks(client, instance_id)
    err = error_of(client.modify_disk_spec, models.ModifyDiskSpecRequest(disk_id=data["DiskId"],
                                                                         disk_category="cloud_auto"))
    assert_error("ModifyDiskSpec", err, "InvalidInstanceType.NotSupportDiskCategory", 403)
    client.modify_disk_spec(models.ModifyDiskSpecRequest(disk_id=data["DiskId"], disk_category="cloud_ssd"))
    assert categories(client, instance_id) == [("system", "cloud_efficiency"), ("data", "cloud_ssd")]


def _stopped(client, instance_id: str) -> str:
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    return instance_id


def _types_to(client, instance_id: str, **kw: Any) -> list[str]:
    body = client.describe_resources_modification(models.DescribeResourcesModificationRequest(
        region_id=REGION, resource_id=instance_id, destination_resource="InstanceType", **kw)).body.to_map()
    return [r["Value"] for zone in body["AvailableZones"]["AvailableZone"]
            for resource in zone["AvailableResources"]["AvailableResource"]
            for r in resource["SupportedResources"]["SupportedResource"]]


def test_modify_instance_spec_to_a_type_that_does_not_sell_the_disks(client):
    efficient = _stopped(client, launch(client, OLD_TYPE))
    err = error_of(client.modify_instance_spec, models.ModifyInstanceSpecRequest(instance_id=efficient,
                                                                                 instance_type=ESSD_TYPE))
    assert_error("ModifyInstanceSpec", err, "InvalidInstanceType.NotSupportDiskCategory", 403)
    offered = _types_to(client, efficient)
    assert "ecs.g6.xlarge" in offered and ESSD_TYPE not in offered
    assert ESSD_TYPE in _types_to(client, efficient, conditions=["DiskCategory"])

    with_ssd = _stopped(client, launch(client, OLD_TYPE, system="cloud_essd", data=("cloud_ssd",)))
    err = error_of(client.modify_instance_spec, models.ModifyInstanceSpecRequest(instance_id=with_ssd,
                                                                                 instance_type=ESSD_TYPE))
    assert_error("ModifyInstanceSpec", err, "InvalidInstanceType.NotSupportDiskCategory", 403)

    essd = _stopped(client, launch(client, OLD_TYPE, system="cloud_essd", data=("cloud_essd",)))
    assert ESSD_TYPE in _types_to(client, essd)
    client.modify_instance_spec(models.ModifyInstanceSpecRequest(instance_id=essd, instance_type=ESSD_TYPE))
    described = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([essd]))).body.instances.instance[0]
    assert described.instance_type == ESSD_TYPE


def test_describe_resources_modification_system_disk(client):
    instance_id = launch(client, OLD_TYPE)
    body = client.describe_resources_modification(models.DescribeResourcesModificationRequest(
        region_id=REGION, resource_id=instance_id, destination_resource="SystemDisk",
        instance_type=ESSD_TYPE)).body.to_map()
    [zone] = body["AvailableZones"]["AvailableZone"]
    [resource] = zone["AvailableResources"]["AvailableResource"]
    assert [r["Value"] for r in resource["SupportedResources"]["SupportedResource"]] == ESSD_ONLY


def test_modify_prepay_instance_spec_names_the_disk(client):
    def refused(instance_id: str) -> Any:
        return error_of(client.modify_prepay_instance_spec, models.ModifyPrepayInstanceSpecRequest(
            region_id=REGION, instance_id=instance_id, instance_type=ESSD_BIGGER))

    prepaid = {"instance_charge_type": "PrePaid", "period": 1, "period_unit": "Month"}
    system = launch(client, OLD_TYPE, **prepaid)
    assert_error("ModifyPrepayInstanceSpec", refused(system), "InvalidSystemDiskCategory.NotMatchInstanceType", 400)
    data = launch(client, OLD_TYPE, system="cloud_essd", data=("cloud_ssd",), **prepaid)
    assert_error("ModifyPrepayInstanceSpec", refused(data), "InvalidInstanceType.NotSupportDiskCategory", 403)


def test_describe_price_of_a_category_the_type_does_not_sell(client):
    def refused(system: str, data: str) -> Any:
        return error_of(client.describe_price, models.DescribePriceRequest(
            region_id=REGION, instance_type=ESSD_TYPE,
            system_disk=models.DescribePriceRequestSystemDisk(category=system, size=40),
            data_disk=[models.DescribePriceRequestDataDisk(category=data, size=40)]))

    assert_error("DescribePrice", refused("cloud_efficiency", "cloud_essd"),
                 "InvalidSystemDiskCategory.ValueNotSupported", 400)
    assert_error("DescribePrice", refused("cloud_essd", "cloud_ssd"), "InvalidDataDiskCategory.ValueNotSupported", 400)


def test_replace_system_disk_keeps_a_category_the_type_must_sell(client, engine):
    """An instance made while the option was off keeps its cloud_efficiency disk; a new system disk of that
    category is refused once it is on again."""
    engine.config.options["instance_type_disk_categories"] = False
    instance_id = _stopped(client, launch(client, ESSD_TYPE, system="cloud_efficiency"))
    engine.config.options["instance_type_disk_categories"] = True
    err = error_of(client.replace_system_disk, models.ReplaceSystemDiskRequest(instance_id=instance_id,
                                                                               image_id=LINUX))
    assert_error("ReplaceSystemDisk", err, "InvalidDiskCategory.ValueNotSupported", 400)
    assert categories(client, instance_id) == [("system", "cloud_efficiency")]


def test_describe_instance_modification_price_of_new_data_disks(client):
    """New data disks of a subscription instance: of a category its type (or the type asked for) sells."""
    instance_id = launch(client, OLD_TYPE, instance_charge_type="PrePaid", period=1, period_unit="Month")

    def priced(category: str, **kw: Any) -> Any:
        return client.describe_instance_modification_price(models.DescribeInstanceModificationPriceRequest(
            region_id=REGION, instance_id=instance_id,
            data_disk=[models.DescribeInstanceModificationPriceRequestDataDisk(category=category, size=40)], **kw))

    err = error_of(priced, "cloud_auto")
    assert_error("DescribeInstanceModificationPrice", err, "InvalidDataDiskCategory.ValueNotSupported", 400)
    assert priced("cloud_ssd").body.price_info.price.trade_price > 0
    assert priced("cloud_auto", instance_type=ESSD_BIGGER).body.price_info.price.trade_price > 0

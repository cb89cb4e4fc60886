"""ModifyDiskSpec through the current SDK (sync and async) and the old one (JSON and XML): an ESSD's performance
level, a category change, an AutoPL disk's provisioned IOPS; DescribeDisks' PerformanceLevel, IOPS and Throughput
afterwards, the answer's task, and the metadata's codes."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.ModifyDiskSpecRequest import ModifyDiskSpecRequest

from mockecs.world import disks as disk_facts
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_disks import create, disk, instance_in
from tests.test_instances import REGION, assert_documented, disks, run


def spec(client, disk_id: str, **kw) -> models.ModifyDiskSpecResponseBody:
    return client.modify_disk_spec(models.ModifyDiskSpecRequest(disk_id=disk_id, **kw)).body


def performance(item: dict) -> tuple:
    return item["Category"], item["PerformanceLevel"], item["IOPS"], item["Throughput"], item["ProvisionedIops"]


def test_performance_level_and_category(client):
    disk_id = create(client, disk_category="cloud_essd", size=500)
    assert performance(disk(client, disk_id)) == ("cloud_essd", "PL1", 26800, 350, 0)
    body = spec(client, disk_id, performance_level="PL2")
    assert body.task_id.startswith("t-") and body.order_id == ""
    # DescribeDisks answers the new level and its figures (the PL2 table: 120 + 0.5/GiB MB/s up to 750)
    assert performance(disk(client, disk_id)) == ("cloud_essd", "PL2", 26800, 370, 0)
    tasks = client.describe_tasks(models.DescribeTasksRequest(region_id=REGION, task_action="ModifyDiskSpec")).body
    [task] = tasks.task_set.task
    assert (task.task_id, task.task_status, task.resource_id) == (body.task_id, "Finished", disk_id)
    # pay-as-you-go: down a level is allowed, to PL0 is not (documented)
    spec(client, disk_id, performance_level="PL1")
    assert disk(client, disk_id)["PerformanceLevel"] == "PL1"
    err = error_of(spec, client, disk_id, performance_level="PL0")
    assert (err.code, err.status_code) == ("InvalidPerformanceLevel.TooLow", 403)
    assert_documented("ModifyDiskSpec", err)

    # to ESSD AutoPL with provisioned IOPS (16 KiB/s of throughput each), then back to an ESSD at PL0
    spec(client, disk_id, disk_category="cloud_auto", provisioned_iops=1024)
    assert performance(disk(client, disk_id)) == ("cloud_auto", "", 26800 + 1024, 350 + 16, 1024)
    client.modify_disk_attribute(models.ModifyDiskAttributeRequest(disk_id=disk_id, bursting_enabled=True))
    spec(client, disk_id, provisioned_iops=50000)  # min(50,000, 1,000 x 500 - 26,800)
    assert performance(disk(client, disk_id))[2:] == (76800, 350 + 781, 50000)
    err = error_of(spec, client, disk_id, provisioned_iops=50001)
    assert (err.code, err.status_code) == ("InvalidProvisionedIops.LimitExceed", 400)
    assert_documented("ModifyDiskSpec", err)
    spec(client, disk_id, disk_category="cloud_essd", performance_level="PL0")
    item = disk(client, disk_id)
    assert performance(item) == ("cloud_essd", "PL0", 7800, 180, 0) and item["BurstingEnabled"] is False
    spec(client, disk_id, disk_category="cloud_efficiency")
    assert performance(disk(client, disk_id)) == ("cloud_efficiency", "", 5000, 140, 0)
    # a resize keeps an AutoPL disk's provisioned IOPS in its figures
    spec(client, disk_id, disk_category="cloud_auto", provisioned_iops=2048)
    client.resize_disk(models.ResizeDiskRequest(disk_id=disk_id, new_size=600))
    assert disk(client, disk_id)["IOPS"] == disk_facts.performance("cloud_auto", 600)["IOPS"] + 2048


def test_system_disk_of_a_running_instance_async(client):
    [instance_id] = run(client, system_disk=models.RunInstancesRequestSystemDisk(category="cloud_essd", size=40))

    async def change() -> models.ModifyDiskSpecResponse:
        return await client.modify_disk_spec_async(models.ModifyDiskSpecRequest(
            disk_id=system["DiskId"], disk_category="cloud_auto"))

    [system] = disks(client, instance_id, disk_type="system")
    assert asyncio.run(change()).body.task_id
    [system] = disks(client, instance_id, disk_type="system")
    assert performance(system) == ("cloud_auto", "", 3800, 140, 0) and system["Status"] == "In_use"


@pytest.mark.parametrize("kw, code, status", [
    (dict(disk_category="cloud"), "InvalidDiskCategory.ValueNotSupported", 400),
    (dict(performance_level="PL9"), "InvalidPerformanceLevel.Malformed", 400),
    (dict(disk_category="cloud_ssd", performance_level="PL2"), "InvalidPerformanceLevelParam.Mismatch", 400),
    (dict(disk_category="cloud_ssd", provisioned_iops=100), "ProvisionedIopsForDiskCategoryUnsupported", 400),
    (dict(provisioned_iops=100), "ProvisionedIopsForDiskCategoryUnsupported", 400),  # (an ESSD)
    (dict(disk_category="cloud_auto", provisioned_iops=-1), "InvalidProvisionedIops.LimitExceed", 400),
    (dict(disk_category="cloud_auto", provisioned_iops=36201), "InvalidProvisionedIops.LimitExceed", 400),
    (dict(performance_level="PL2"), "OperationDenied.PerformanceLevelNotMatch", 403),  # (40 GiB; PL2 from 461)
    (dict(performance_level="PL1"), "NoChangeInDiskCategoryAndPerformanceLevel", 403),
    (dict(disk_category="cloud_essd"), "NoChangeInDiskCategoryAndPerformanceLevel", 403),
    ({}, "NoChangeInDiskCategoryAndPerformanceLevel", 403),
    (dict(performance_control_options=models.ModifyDiskSpecRequestPerformanceControlOptions(iops=2000)),
     "InvalidPerformanceParameter.DiskNotInDedicatedStorageCluster", 403),
])
def test_documented_errors(client, kw, code, status):
    disk_id = create(client, disk_category="cloud_essd", size=40)
    err = error_of(spec, client, disk_id, **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("ModifyDiskSpec", err)
    assert performance(disk(client, disk_id)) == ("cloud_essd", "PL1", 3800, 140, 0)  # unchanged


def test_refusals_by_disk(client, engine):
    err = error_of(spec, client, "d-bp1missing000000000", performance_level="PL2")
    assert (err.code, err.status_code) == ("InvalidDiskId.NotFound", 404)
    assert_documented("ModifyDiskSpec", err)
    basic = create(client, disk_category="cloud", size=40)
    err = error_of(spec, client, basic, disk_category="cloud_essd")
    assert (err.code, err.status_code) == ("InvalidDiskCategory.ValueNotSupported", 403)
    assert_documented("ModifyDiskSpec", err)
    entry = create(client, disk_category="cloud_essd_entry", size=40)
    err = error_of(spec, client, entry, disk_category="cloud_ssd")  # an entry disk only goes to ESSD / AutoPL
    assert err.code == "InvalidDiskCategory.ValueNotSupported"
    spec(client, entry, disk_category="cloud_auto")
    # a subscription disk only goes up
    instance_id = instance_in(client, instance_charge_type="PrePaid")
    paid = client.create_disk(models.CreateDiskRequest(region_id=REGION, instance_id=instance_id, size=500,
                                                       disk_category="cloud_essd")).body.disk_id
    for kw, code in [(dict(disk_category="cloud_ssd"), "Downgrade.NotSupported"),
                     (dict(performance_level="PL0"), "InvalidPerformanceLevel.TooLow")]:
        err = error_of(spec, client, paid, **kw)
        assert (err.code, err.status_code) == (code, 403)
        assert_documented("ModifyDiskSpec", err)
    # DryRun: checked, not made
    err = error_of(spec, client, paid, performance_level="PL2", dry_run=True)
    assert err.code == "DryRunOperation" and disk(client, paid)["PerformanceLevel"] == "PL1"
    spec(client, paid, performance_level="PL2")
    err = error_of(spec, client, paid, performance_level="PL3", dry_run=True)  # (500 GiB; PL3 from 1,261)
    assert err.code == "OperationDenied.PerformanceLevelNotMatch"
    assert disk(client, paid)["PerformanceLevel"] == "PL2"
    # a disk still being created, and one on an instance that is neither Running nor Stopped
    engine.lifecycle.delay("disk", seconds=30)
    creating = create(client, disk_category="cloud_essd", size=40)
    err = error_of(spec, client, creating, disk_category="cloud_auto")
    assert (err.code, err.status_code) == ("InvalidStatus.DiskNotReady", 403)
    assert_documented("ModifyDiskSpec", err)
    engine.lifecycle.delay("instance", seconds=30)
    [pending] = run(client)
    [system] = disks(client, pending, disk_type="system")
    err = error_of(spec, client, system["DiskId"], disk_category="cloud_auto")
    assert (err.code, err.status_code) == ("IncorrectDiskStatus", 403)
    assert_documented("ModifyDiskSpec", err)
    # a snapshot in progress
    engine.lifecycle.delay("snapshot", seconds=30)
    client.create_snapshot(models.CreateSnapshotRequest(disk_id=paid))
    err = error_of(spec, client, paid, disk_category="cloud_essd", performance_level="PL1")  # (checked first)
    assert (err.code, err.status_code) == ("DiskCreatingSnapshot", 403)
    assert_documented("ModifyDiskSpec", err)


def test_old_sdk_json_and_xml(client, legacy):
    disk_id = create(client, disk_category="cloud_ssd", size=100)
    request = ModifyDiskSpecRequest()
    request.set_DiskId(disk_id)
    request.set_DiskCategory("cloud_essd")
    request.set_PerformanceLevel("PL1")
    answer = legacy_call(legacy, request)
    assert answer["TaskId"].startswith("t-") and answer["OrderId"] == ""
    assert performance(disk(client, disk_id)) == ("cloud_essd", "PL1", 6800, 170, 0)
    request = ModifyDiskSpecRequest()
    request.set_DiskId(disk_id)
    request.set_PerformanceLevel("PL0")
    root = legacy_xml(legacy, request)
    assert (root.tag, root.findtext("Code")) == ("Error", "InvalidPerformanceLevel.TooLow")
    request = ModifyDiskSpecRequest()
    request.set_DiskId(disk_id)
    request.set_DiskCategory("cloud_auto")
    request.set_ProvisionedIops(500)
    root = legacy_xml(legacy, request)
    assert root.tag == "ModifyDiskSpecResponse" and root.findtext("TaskId").startswith("t-")
    assert performance(disk(client, disk_id)) == ("cloud_auto", "", 6800 + 500, 170 + 7, 500)

"""CreateDisk, AttachDisk, DetachDisk, DeleteDisk through the real SDKs: statuses on the lifecycle clock,
documented errors with their statuses and messages, region-less lookups."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.AttachDiskRequest import AttachDiskRequest
from aliyunsdkecs.request.v20140526.CreateDiskRequest import CreateDiskRequest
from aliyunsdkecs.request.v20140526.DeleteDiskRequest import DeleteDiskRequest
from aliyunsdkecs.request.v20140526.DetachDiskRequest import DetachDiskRequest

from mockecs.world import resource_groups
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, assert_wire, disks, old_error, run

ZONE, OTHER_ZONE = "cn-hangzhou-h", "cn-hangzhou-i"


def create(client, **kw) -> str:
    kw.setdefault("zone_id", ZONE)
    if "size" not in kw and "snapshot_id" not in kw:
        kw["size"] = 40
    return client.create_disk(models.CreateDiskRequest(region_id=kw.pop("region_id", REGION), **kw)).body.disk_id


def disk(client, disk_id: str, region: str = REGION) -> dict:
    found = client.describe_disks(models.DescribeDisksRequest(region_id=region, disk_ids=json.dumps([disk_id])))
    items = found.body.to_map()["Disks"]["Disk"]
    assert len(items) == 1
    return items[0]


def attach(client, instance_id: str, disk_id: str, **kw):
    return client.attach_disk(models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id, **kw))


def detach(client, instance_id: str, disk_id: str, **kw):
    return client.detach_disk(models.DetachDiskRequest(instance_id=instance_id, disk_id=disk_id, **kw))


def delete(client, disk_id: str):
    return client.delete_disk(models.DeleteDiskRequest(disk_id=disk_id))


def instance_in(client, zone: str = ZONE, **kw) -> str:
    return run(client, zone_id=zone, **kw)[0]


# -- the whole life of a data disk -----------------------------------------------------------
def test_create_attach_detach_delete_new_sdk(client):
    disk_id = create(client, disk_name="scratch", description="build scratch space", disk_category="cloud_essd",
                     size=100, tag=[models.CreateDiskRequestTag(key="build", value="b-1")])
    item = disk(client, disk_id)
    assert_wire(item, "DescribeDisksResponseBodyDisksDisk")
    assert (item["Status"], item["Type"], item["Category"], item["Size"], item["ZoneId"]) == (
        "Available", "data", "cloud_essd", 100, ZONE)
    assert item["InstanceId"] == "" and item["Portable"] is True and item["PerformanceLevel"] == "PL1"
    assert item["DiskName"] == "scratch" and item["Tags"]["Tag"] == [{"TagKey": "build", "TagValue": "b-1"}]
    # (a zone-redundant disk's zones; empty for others, as the metadata's example shows)
    assert item["Placement"] == {"ZoneIds": ""}
    assert item["ResourceGroupId"].startswith("rg-acfm")  # the account's default group

    instance_id = instance_in(client)
    attach(client, instance_id, disk_id)
    item = disk(client, disk_id)
    assert (item["Status"], item["InstanceId"], item["Device"]) == ("In_use", instance_id, "/dev/xvdb")
    assert item["Attachments"]["Attachment"][0]["InstanceId"] == instance_id
    assert item["DeleteWithInstance"] is False  # AttachDisk's documented default
    assert [d["DiskId"] for d in disks(client, instance_id) if d["Type"] == "data"] == [disk_id]

    detach(client, instance_id, disk_id)
    item = disk(client, disk_id)
    assert (item["Status"], item["InstanceId"], item["Device"]) == ("Available", "", "")
    assert item["DetachedTime"] and item["Attachments"]["Attachment"] == []
    delete(client, disk_id)
    assert client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, disk_ids=json.dumps([disk_id]))).body.total_count == 0


def test_statuses_follow_the_lifecycle_clock(client, engine):
    engine.lifecycle.delay("disk", seconds=10)
    disk_id = create(client)
    assert disk(client, disk_id)["Status"] == "Creating"
    err = error_of(delete, client, disk_id)
    assert (err.code, err.status_code) == ("IncorrectDiskStatus.Initializing", 403)
    assert_documented("DeleteDisk", err)
    engine.clock.advance(10)
    assert disk(client, disk_id)["Status"] == "Available"
    instance_id = instance_in(client)
    attach(client, instance_id, disk_id)
    assert disk(client, disk_id)["Status"] == "Attaching"
    err = error_of(detach, client, instance_id, disk_id)
    assert (err.code, err.status_code) == ("IncorrectDiskStatus", 403)
    assert_documented("DetachDisk", err)
    engine.clock.advance(10)
    assert disk(client, disk_id)["Status"] == "In_use"
    detach(client, instance_id, disk_id)
    assert disk(client, disk_id)["Status"] == "Detaching"
    engine.clock.advance(10)
    assert disk(client, disk_id)["Status"] == "Available"


def test_old_sdk_region_less_in_another_region_and_xml(client, legacy, engine):
    req = CreateDiskRequest()
    req.set_ZoneId("cn-beijing-g")
    req.set_Size(20)
    req.set_DiskCategory("cloud_essd")  # (one the instance's ecs.g7 sells)
    req.add_query_param("RegionId", "cn-beijing")
    disk_id = legacy_call(legacy, req)["DiskId"]
    assert disk_id.startswith("d-2ze")
    instance_id = run(client, region_id="cn-beijing", zone_id="cn-beijing-g")[0]
    # AttachDisk, DetachDisk, DeleteDisk declare no RegionId; the old SDK sends cn-hangzhou anyway
    req = AttachDiskRequest()
    req.set_InstanceId(instance_id)
    req.set_DiskId(disk_id)
    req.set_DeleteWithInstance(True)
    legacy_call(legacy, req)
    assert engine.calls[-1].region == "cn-beijing"
    assert disk(client, disk_id, "cn-beijing")["DeleteWithInstance"] is True
    req = DetachDiskRequest()
    req.set_InstanceId(instance_id)
    req.set_DiskId(disk_id)
    assert legacy_xml(legacy, req).tag == "DetachDiskResponse"
    req = DeleteDiskRequest()
    req.set_DiskId(disk_id)
    legacy_call(legacy, req)
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidDiskId.NotFound", 404)
    assert_documented("DeleteDisk", err)


def test_async_flow(client):
    instance_id = instance_in(client)

    async def flow():
        made = await client.create_disk_async(models.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=30))
        disk_id = made.body.disk_id
        await client.attach_disk_async(models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))
        await client.detach_disk_async(models.DetachDiskRequest(instance_id=instance_id, disk_id=disk_id))
        await client.delete_disk_async(models.DeleteDiskRequest(disk_id=disk_id))
        return disk_id

    disk_id = asyncio.run(flow())
    assert client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, disk_ids=json.dumps([disk_id]))).body.total_count == 0


# -- CreateDisk ------------------------------------------------------------------------------------
def test_create_disk_from_snapshot(client):
    instance_id = instance_in(client, data_disk=[models.RunInstancesRequestDataDisk(size=60, category="cloud_essd")])
    source = disks(client, instance_id)[1]["DiskId"]
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=source)).body.snapshot_id
    disk_id = create(client, snapshot_id=snapshot_id)
    item = disk(client, disk_id)
    assert (item["Size"], item["SourceSnapshotId"]) == (60, snapshot_id)  # the snapshot's size
    assert item["DataSource"] == {"Type": "snapshot", "Id": snapshot_id}
    assert disk(client, source)["DataSource"] == {"Type": "", "Id": ""}
    assert create(client, snapshot_id=snapshot_id, size=80) and disk(client, create(
        client, snapshot_id=snapshot_id, size=80))["Size"] == 80
    # the snapshot now has disks made from it
    err = error_of(client.delete_snapshot, models.DeleteSnapshotRequest(snapshot_id=snapshot_id))
    assert err.code == "SnapshotCreatedDisk"


CREATE_ERRORS = [
    ({"disk_category": "floppy"}, "InvalidDiskCategory.ValueNotSupported", 400),
    ({"disk_name": "1bad"}, "InvalidDiskName.Malformed", 400),
    ({"description": "http://x"}, "InvalidDescription.Malformed", 400),
    ({"size": 70000}, "InvalidSize.ValueNotSupported", 400),
    ({"size": 2}, "InvalidDiskSize.NotSupported", 400),  # cloud: 5..2000
    ({"disk_category": "cloud_essd", "performance_level": "PL9"}, "InvalidPerformanceLevel.Malformed", 400),
    ({"multi_attach": "Maybe"}, "InvalidParameter.MultiAttach", 403),
    ({"multi_attach": "Enabled"}, "InvalidParameter.DiskCategoryAndMultiAttachNotMatch", 403),
    ({"provisioned_iops": 100}, "ProvisionedIopsForDiskCategoryUnsupported", 400),
    ({"bursting_enabled": True}, "BurstingEnabledForDiskCategoryUnsupported", 400),
    ({"kmskey_id": "key-1"}, "InvalidEncrypted.NotMatchKmsKeyId", 400),
    ({"encrypt_algorithm": "AES-256"}, "InvalidEncrypted.NotMatchEncryptAlgorithm", 400),
    ({"encrypted": True, "encrypt_algorithm": "ROT13"}, "InvalidEncryptAlgorithm", 400),
    ({"zone_id": "cn-hangzhou-zz"}, "InvalidZoneId.NotFound", 404),
    ({"instance_id": "i-bp1doesnotexist00000"}, "InvalidParam.ZoneIdAndInstanceId.Conflict", 403),
    ({"snapshot_id": "s-bp1doesnotexist00000"}, "InvalidSnapshotId.NotFound", 404),
    ({"resource_group_id": "rg-aek2neverregistered"}, "InvalidResourceGroup.NotFound", 404),
    ({"tag": [models.CreateDiskRequestTag(key="acs:x", value="v")]}, "InvalidTagKey.Malformed", 400),
    ({"tag": [models.CreateDiskRequestTag(key="k", value="1"), models.CreateDiskRequestTag(key="k", value="2")]},
     "Duplicate.TagKey", 400),
]


@pytest.mark.parametrize("kw,code,status", CREATE_ERRORS)
def test_create_disk_documented_errors(client, kw, code, status):
    err = error_of(create, client, **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("CreateDisk", err)
    assert client.describe_disks(models.DescribeDisksRequest(region_id=REGION)).body.total_count == 0


def test_create_disk_more_documented_errors(client, engine):
    for kw, code, status in [({"zone_id": None}, "MissingParameter", 400)]:
        err = error_of(client.create_disk, models.CreateDiskRequest(region_id=REGION, size=20, **kw))
        assert (err.code, err.status_code) == (code, status)
    err = error_of(client.create_disk, models.CreateDiskRequest(region_id=REGION, zone_id=ZONE))
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    assert_documented("CreateDisk", err)
    postpaid = instance_in(client)
    err = error_of(client.create_disk, models.CreateDiskRequest(region_id=REGION, instance_id=postpaid, size=20))
    assert (err.code, err.status_code) == ("InvalidInstanceChargeType.ValueNotSupported", 403)
    assert_documented("CreateDisk", err)
    err = error_of(client.create_disk, models.CreateDiskRequest(region_id=REGION, instance_id="i-bp1nothere00000000",
                                                                size=20))
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("CreateDisk", err)
    engine.lifecycle.delay("snapshot", seconds=30)
    source = disks(client, postpaid)[0]["DiskId"]
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=source)).body.snapshot_id
    err = error_of(create, client, snapshot_id=snapshot_id)
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotReady", 403)
    assert_documented("CreateDisk", err)


def test_create_disk_on_a_subscription_instance_is_attached(client):
    instance_id = instance_in(client, instance_charge_type="PrePaid")
    disk_id = client.create_disk(models.CreateDiskRequest(
        region_id=REGION, instance_id=instance_id, size=50, disk_category="cloud_essd",
        resource_group_id="rg-aek2neverregistered", kmskey_id="ignored",
        tag=[models.CreateDiskRequestTag(key="ignored", value="too")])).body.disk_id  # documented: ignored
    item = disk(client, disk_id)
    assert item["Tags"]["Tag"] == [] and item["KMSKeyId"] == ""
    assert (item["Status"], item["InstanceId"], item["Device"], item["DiskChargeType"]) == (
        "In_use", instance_id, "/dev/xvdb", "PrePaid")
    assert item["Portable"] is False and item["DeleteWithInstance"] is True
    detach(client, instance_id, disk_id)
    assert disk(client, disk_id)["Portable"] is True


def test_create_disk_encrypted_and_resource_group(client, engine):
    group = resource_groups.add(engine, name="builds")
    disk_id = create(client, encrypted=True, kmskey_id="key-123", resource_group_id=group)
    item = disk(client, disk_id)
    assert (item["Encrypted"], item["KMSKeyId"], item["ResourceGroupId"]) == (True, "key-123", group)
    found = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, resource_group_id=group)).body
    assert [d.disk_id for d in found.disks.disk] == [disk_id]


# -- AttachDisk ------------------------------------------------------------------------------------
def test_attach_disk_documented_errors(client, engine, other):
    instance_id = instance_in(client)
    disk_id = create(client)
    cases = [
        (dict(instance_id=instance_id, disk_id="d-bp1doesnotexist00000"), "InvalidDiskId.NotFound", 404),
        (dict(instance_id="i-bp1doesnotexist00000", disk_id=disk_id), "InvalidInstanceId.NotFound", 404),
        (dict(instance_id=instance_in(client, OTHER_ZONE), disk_id=disk_id), "ResourcesNotInSameZone", 403),
        (dict(instance_id=instance_id, disk_id=disk_id, device="/dev/sdb"), "InvalidDevice.Malformed", 400),
        (dict(instance_id=instance_id, disk_id=disk_id, device="/dev/xvda"), "InvalidDevice.Malformed", 400),
        (dict(instance_id=instance_id, disk_id=disk_id, bootable=True), "InvalidDisk.DiskNotBootable", 400),
    ]
    for kw, code, status in cases:
        err = error_of(client.attach_disk, models.AttachDiskRequest(**kw))
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("AttachDisk", err)
    err = error_of(attach, other.client, instance_id, disk_id)
    assert (err.code, err.status_code) == ("InvalidDiskId.NotFound", 404)
    # a device already taken, a disk already attached
    second = create(client)
    attach(client, instance_id, disk_id, device="/dev/xvdc")
    err = error_of(attach, client, instance_id, second, device="/dev/xvdc")
    assert (err.code, err.status_code) == ("InvalidDevice.InUse", 403)
    assert_documented("AttachDisk", err)
    err = error_of(attach, client, instance_id, disk_id)
    assert (err.code, err.status_code) == ("InvalidDisk.InUse", 404)
    assert_documented("AttachDisk", err)
    # a pending instance
    engine.lifecycle.delay("instance", seconds=30)
    pending = instance_in(client)
    err = error_of(attach, client, pending, second)
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 400)
    assert_documented("AttachDisk", err)


def test_attach_disk_limit(client, engine):
    engine.config.options["data_disks_per_instance"] = 2
    instance_id = instance_in(client, data_disk=[models.RunInstancesRequestDataDisk(size=20, category="cloud_essd")])
    attach(client, instance_id, create(client))
    err = error_of(attach, client, instance_id, create(client))
    assert (err.code, err.status_code) == ("InstanceDiskLimitExceeded", 403)
    assert_documented("AttachDisk", err)


def test_system_disk_detach_and_reattach(client):
    instance_id = instance_in(client)
    system = disks(client, instance_id)[0]["DiskId"]
    err = error_of(detach, client, instance_id, system)  # the system disk: only from a stopped instance
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("DetachDisk", err)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    detach(client, instance_id, system)
    item = disk(client, system)
    assert (item["Status"], item["Type"], item["DeleteWithInstance"]) == ("Available", "system", True)
    err = error_of(client.start_instance, models.StartInstanceRequest(instance_id=instance_id))
    assert (err.code, err.status_code) == ("InvalidInstance.NotFoundSystemDisk", 400)
    assert_documented("StartInstance", err)
    other = instance_in(client)
    client.stop_instance(models.StopInstanceRequest(instance_id=other))
    err = error_of(attach, client, other, system, bootable=True, password="Passw0rd!")
    assert (err.code, err.status_code) == ("InvalidInstance.NotOriginInstance", 400)
    assert_documented("AttachDisk", err)
    err = error_of(attach, client, instance_id, system, bootable=True)
    assert (err.code, err.status_code) == ("InvalidParameter.AllEmpty", 400)
    assert_documented("AttachDisk", err)
    attach(client, instance_id, system, bootable=True, password="Passw0rd!")
    item = disk(client, system)
    assert (item["Status"], item["Device"], item["Type"]) == ("In_use", "/dev/xvda", "system")


# -- DetachDisk / DeleteDisk ---------------------------------------------------------------------
def test_detach_disk_documented_errors(client):
    instance_id = instance_in(client)
    disk_id = create(client)
    for kw, code, status in [
            (dict(instance_id=instance_id, disk_id="d-bp1doesnotexist00000"), "InvalidDiskId.NotFound", 404),
            (dict(instance_id="i-bp1doesnotexist00000", disk_id=disk_id), "InvalidInstanceId.NotFound", 404),
            (dict(instance_id=instance_id, disk_id=disk_id), "InvalidDisk.AlreadyDetached", 404)]:
        err = error_of(client.detach_disk, models.DetachDiskRequest(**kw))
        assert (err.code, err.status_code) == (code, status)
        assert_documented("DetachDisk", err)
    attach(client, instance_id, disk_id)
    err = error_of(detach, client, instance_in(client), disk_id)
    assert (err.code, err.status_code) == ("DependencyViolation", 403)
    assert_documented("DetachDisk", err)


def test_delete_disk_documented_errors(client, engine):
    instance_id = instance_in(client)
    disk_id = create(client)
    attach(client, instance_id, disk_id)
    err = error_of(delete, client, disk_id)
    assert (err.code, err.status_code) == ("IncorrectDiskStatus", 403)
    assert_documented("DeleteDisk", err)
    detach(client, instance_id, disk_id)
    engine.lifecycle.delay("snapshot", seconds=30)
    attach(client, instance_id, disk_id)
    client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id))
    err = error_of(detach, client, instance_id, disk_id)  # not while a snapshot is made
    assert err.code == "IncorrectDiskStatus"
    engine.clock.advance(30)
    detach(client, instance_id, disk_id)
    delete(client, disk_id)
    # the disk's snapshots stay
    assert client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=REGION)).body.total_count == 1


def test_delete_disk_of_a_subscription_instance_is_not_portable(client):
    instance_id = instance_in(client, instance_charge_type="PrePaid")
    disk_id = client.create_disk(models.CreateDiskRequest(region_id=REGION, instance_id=instance_id, size=50,
                                                          disk_category="cloud_essd")).body.disk_id
    err = error_of(delete, client, disk_id)
    assert (err.code, err.status_code) == ("IncorrectDiskStatus", 403)


def test_delete_missing_disk_option(client, engine):
    engine.config.options["delete_missing_disk"] = "ignore"
    delete(client, "d-bp1doesnotexist00000")


def test_delete_instance_keeps_disks_that_outlive_it(client):
    instance_id = instance_in(client)
    kept = create(client)
    attach(client, instance_id, kept)  # DeleteWithInstance false by default
    gone = create(client)
    attach(client, instance_id, gone, delete_with_instance=True)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    assert disk(client, kept)["Status"] == "Available"
    assert client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, disk_ids=json.dumps([gone]))).body.total_count == 0


# -- ModifyDiskAttribute ----------------------------------------------------------------------------
def test_modify_disk_attribute(client, legacy):
    """Name, description and release flags through the current SDK (sync and async) and the old SDK: one disk
    or several, all or none; a system disk kept from release outlives its instance; the documented codes."""
    from aliyunsdkecs.request.v20140526.ModifyDiskAttributeRequest import ModifyDiskAttributeRequest

    from tests.test_instances import new_error

    instance = instance_in(client)
    system = disks(client, instance)[0]["DiskId"]
    data, other = create(client, disk_name="data-one"), create(client)
    client.modify_disk_attribute(models.ModifyDiskAttributeRequest(
        disk_id=data, disk_name="renamed-data", description="kept for the build", enable_auto_snapshot=False))
    changed = disk(client, data)
    assert (changed["DiskName"], changed["Description"], changed["EnableAutoSnapshot"]) == \
        ("renamed-data", "kept for the build", False)
    asyncio.run(client.modify_disk_attribute_async(models.ModifyDiskAttributeRequest(
        region_id=REGION, disk_ids=[data, other], delete_auto_snapshot=True)))
    assert disk(client, data)["DeleteAutoSnapshot"] is True and disk(client, other)["DeleteAutoSnapshot"] is True
    req = ModifyDiskAttributeRequest()
    req.set_DiskId(system)
    req.set_DeleteWithInstance(False)
    legacy_call(legacy, req)
    assert disk(client, system)["DeleteWithInstance"] is False
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance, force=True))
    kept = disk(client, system)
    assert (kept["Status"], kept["InstanceId"], kept["Portable"]) == ("Available", "", True)

    def refused(**kw):
        return new_error(lambda: client.modify_disk_attribute(models.ModifyDiskAttributeRequest(**kw)))

    for kw, code, status in [
        ({"disk_id": data, "disk_ids": [other], "disk_name": "both-ways"}, "ParameterConflict.DiskIdAndDiskIds", 400),
        ({"disk_name": "nothing-named"}, "MissingParameter.DiskIdOrDiskIds", 400),
        ({"disk_id": data}, "NoAttributeToModify", 400),
        ({"disk_id": data, "disk_name": "x"}, "InvalidDiskName.Malformed", 400),
        ({"disk_id": data, "description": "http://example.com"}, "InvalidDescription.Malformed", 404),
        ({"disk_id": "d-bp1nosuchdisk0000000", "disk_name": "ghost-disk"}, "InvalidDiskId.NotFound", 404),
        ({"disk_id": data, "bursting_enabled": True}, "BurstingEnabledForDiskCategoryUnsupported", 400),
    ]:
        err = refused(**kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("ModifyDiskAttribute", err)
    # All or none: an unknown id among DiskIds leaves the known one as it was.
    err = refused(region_id=REGION, disk_ids=[other, "d-bp1nosuchdisk0000000"], disk_name="half-renamed")
    assert err.code == "InvalidDiskId.NotFound" and disk(client, other)["DiskName"] == ""


# -- ResizeDisk ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("category, level, size, iops, throughput", [
    ("cloud_essd", "PL1", 40, 3800, 140),  # as the service answered for a 40 GiB ESSD PL1 system disk
    ("cloud_efficiency", None, 40, 2120, 106),  # and for a 40 GiB ultra disk
    ("cloud_essd", "PL0", 120, 3240, 130),  # and for a 120 GiB ESSD PL0 one
    ("cloud_essd", "PL2", 500, 26800, 370),
    ("cloud_ssd", None, 40, 3000, 140), ("cloud_essd", "PL1", 32768, 50000, 350), ("cloud", None, 40, 0, 0),
])
def test_disk_performance_follows_category_and_size(client, category, level, size, iops, throughput):
    disk_id = create(client, disk_category=category, performance_level=level, size=size)
    found = disk(client, disk_id)
    assert (found["IOPS"], found["Throughput"]) == (iops, throughput)
    assert found["ExpiredTime"] == "2999-09-08T16:00Z"  # (pay-as-you-go: what the service answers)
    assert found["DeleteAutoSnapshot"] is True  # (documented: CreateDisk's default)


def test_resize_disk(client, legacy, engine):
    """A disk grows (never shrinks) within its category's range, through the current SDK (sync and async) and
    the old SDK; the attached instance must be Running or Stopped; a ClientToken replays; the documented codes."""
    from aliyunsdkecs.request.v20140526.ResizeDiskRequest import ResizeDiskRequest

    from tests.test_instances import new_error

    instance = instance_in(client)
    system = disks(client, instance)[0]
    data = create(client, disk_category="cloud_essd", size=40)
    basic = create(client, disk_category="cloud", size=40)

    def resize(**kw):
        return client.resize_disk(models.ResizeDiskRequest(**kw))

    assert (disk(client, data)["IOPS"], disk(client, data)["Throughput"]) == (3800, 140)
    resize(disk_id=data, new_size=100, client_token="grow-once")
    resize(disk_id=data, new_size=100, client_token="grow-once")  # (a replay: the same answer)
    assert disk(client, data)["Size"] == 100
    assert (disk(client, data)["IOPS"], disk(client, data)["Throughput"]) == (6800, 170)  # (grows with the size)
    asyncio.run(client.resize_disk_async(models.ResizeDiskRequest(disk_id=system["DiskId"], new_size=60,
                                                                  type="online")))
    assert disk(client, system["DiskId"])["Size"] == 60
    req = ResizeDiskRequest()
    req.set_DiskId(basic)
    req.set_NewSize(50)
    legacy_call(legacy, req)
    assert disk(client, basic)["Size"] == 50

    for kw, code, status in [
        ({"disk_id": data, "new_size": 50}, "InvalidDiskSize.TooSmall", 403),
        ({"disk_id": data, "new_size": 40000}, "InvalidDiskSize.TooLarge", 403),
        ({"disk_id": system["DiskId"], "new_size": 4000}, "InvalidDiskSize.TooLarge", 403),
        ({"disk_id": basic, "new_size": 60, "type": "online"}, "OperationDenied", 403),
        ({"disk_id": data, "new_size": 200, "type": "sideways"}, "InvalidParam.Type", 400),
    ]:
        err = new_error(lambda kw=kw: resize(**kw))
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("ResizeDisk", err)
    err = new_error(lambda: resize(disk_id="d-bp1nosuchdisk0000000", new_size=100))
    assert (err.code, err.status_code) == ("InvalidDiskId.NotFound", 404)

    engine.lifecycle.delay("instance", seconds=5)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance))  # Stopping for 5 s
    err = new_error(lambda: resize(disk_id=system["DiskId"], new_size=80))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("ResizeDisk", err)
    engine.clock.advance(5)
    resize(disk_id=system["DiskId"], new_size=80)  # Stopped: allowed
    assert disk(client, system["DiskId"])["Size"] == 80


# A disk as the service answers it (Alibaba's own capture: aliyun/alibabacloud-ecs-tool-troubleshooter,
# ecs-devops-dashboard/src/app/static/data/DescribeDisks.ts): its fields in this order, the fields the capture lacks
# after them, whatever happened to the disk since.
CAPTURED_DISK_ORDER = [
    "DetachedTime", "Category", "Description", "KMSKeyId", "ResourceGroupId", "Encrypted", "Size", "DeleteAutoSnapshot",
    "DiskChargeType", "Throughput", "IOPS", "MultiAttach", "Attachments", "Placement", "ExpiredTime", "ImageId",
    "StorageSetId", "Tags", "Status", "AttachedTime", "StorageClusterId", "ZoneId", "InstanceId", "SourceSnapshotId",
    "ProductCode", "PerformanceLevel", "Device", "DeleteWithInstance", "EnableAutomatedSnapshotPolicy",
    "EnableAutoSnapshot", "AutoSnapshotPolicyId", "DiskName", "OperationLocks", "BdfId", "Portable", "Type",
    "SerialNumber", "CreationTime", "RegionId", "DiskId"]


def test_disks_keep_the_service_field_order(client, legacy):
    from aliyunsdkecs.request.v20140526.DescribeDisksRequest import DescribeDisksRequest

    instance_id = instance_in(client)
    made = create(client, size=60, disk_name="later", disk_category="cloud_essd")
    attach(client, instance_id, made)
    client.resize_disk(models.ResizeDiskRequest(disk_id=made, new_size=80, type="online"))
    detach(client, instance_id, made)
    attach(client, instance_id, made)
    answer = legacy_call(legacy, DescribeDisksRequest())["Disks"]["Disk"]
    assert {d["Type"] for d in answer} == {"system", "data"} and made in {d["DiskId"] for d in answer}
    for one in answer:
        assert list(one)[:len(CAPTURED_DISK_ORDER)] == CAPTURED_DISK_ORDER, list(one)
        assert list(one["Attachments"]["Attachment"][0]) == ["AttachedTime", "InstanceId", "Device"]


# -- ReInitDisk -------------------------------------------------------------------------------------
def reinit(client, disk_id: str, **kw):
    return client.re_init_disk(models.ReInitDiskRequest(disk_id=disk_id, **kw))


def test_re_init_system_disk_with_a_key_pair_and_auto_start(client, engine, legacy):
    from aliyunsdkecs.request.v20140526.ReInitDiskRequest import ReInitDiskRequest

    from tests.test_instances import describe

    instance_id = instance_in(client)
    system = disks(client, instance_id)[0]
    err = error_of(lambda: reinit(client, system["DiskId"]))  # still running
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("ReInitDisk", err)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    engine.clock.advance(60)
    client.create_key_pair(models.CreateKeyPairRequest(region_id=REGION, key_pair_name="rebuild-key"))
    engine.lifecycle.delay("disk", seconds=30)
    engine.lifecycle.delay("instance", seconds=30)
    assert reinit(client, system["DiskId"], key_pair_name="rebuild-key", auto_start_instance=True).status_code == 200
    assert disk(client, system["DiskId"])["Status"] == "ReIniting"
    got = describe(client, instance_id)
    assert got["KeyPairName"] == "rebuild-key" and got["Status"] == "Starting"
    engine.clock.advance(30)
    assert disk(client, system["DiskId"])["Status"] == "In_use" and describe(client, instance_id)["Status"] == "Running"
    engine.lifecycle.delay("disk", seconds=0)
    engine.lifecycle.delay("instance", seconds=0)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    request = ReInitDiskRequest()  # the old SDK, a new password; the instance stays stopped
    request.set_DiskId(system["DiskId"])
    request.set_Password("Rebuilt#2024")
    assert "RequestId" in legacy_call(legacy, request)
    assert describe(client, instance_id)["Status"] == "Stopped"


def test_re_init_disk_documented_errors(client, engine):
    instance_id = instance_in(client)
    system = disks(client, instance_id)[0]
    loose = create(client, size=40)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    engine.clock.advance(60)
    for call, code, status in (
            (lambda: reinit(client, "d-bp1nothere000000000"), "InvalidDiskId.NotFound", 404),
            (lambda: reinit(client, system["DiskId"], password="short"), "InvalidPassword.Malformed", 400),
            (lambda: reinit(client, system["DiskId"], key_pair_name="no-such-key"), "InvalidKeyPairName.NotFound",
             400),
            (lambda: reinit(client, loose), "IncorrectDiskStatus", 403)):  # not attached
        err = error_of(call)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("ReInitDisk", err)
    assert disk(client, system["DiskId"])["Status"] == "In_use"  # nothing half applied


def test_multi_attach_disk_lists_its_mount_instance(client, engine):
    """A multi-attach disk names the instance it is mounted on in MountInstances (and MountInstanceNum); detached,
    none; a disk without multi-attach keeps the list empty. (In an NVMe type's zone, on one: documented for such a
    disk; tests/test_multi_attach.py has the rest.)"""
    instance_id = instance_in(client, OTHER_ZONE, instance_type="ecs.g8i.large")
    shared = create(client, disk_category="cloud_essd", multi_attach="Enabled", zone_id=OTHER_ZONE)
    plain = create(client, disk_category="cloud_essd", zone_id=OTHER_ZONE)
    engine.clock.advance(60)
    attach(client, instance_id, shared)
    attach(client, instance_id, plain)
    engine.clock.advance(60)
    item = disk(client, shared)
    assert item["MountInstanceNum"] == 1
    [mount] = item["MountInstances"]["MountInstance"]
    assert mount == item["Attachments"]["Attachment"][0] and mount["InstanceId"] == instance_id
    assert disk(client, plain)["MountInstances"] == {"MountInstance": []}
    detach(client, instance_id, shared)
    engine.clock.advance(60)
    item = disk(client, shared)
    assert (item["MountInstances"], item["MountInstanceNum"]) == ({"MountInstance": []}, 0)


def test_launch_tags_reach_its_disks_and_primary_eni(client, engine):
    """RunInstances' Tag.N is documented as the instance's, its disks' and its primary ENI's tags."""
    from tests.networks_helpers import new_vpc, new_vswitch

    vpc_id = new_vpc(client)
    engine.clock.advance(10)
    tag = models.RunInstancesRequestTag(key="team", value="images")
    vswitch_id = new_vswitch(client, vpc_id, zone_id=ZONE)
    engine.clock.advance(10)
    instance_id = instance_in(client, tag=[tag], data_disk=[models.RunInstancesRequestDataDisk(size=40)],
                              v_switch_id=vswitch_id)
    assert [d["Tags"]["Tag"] for d in disks(client, instance_id)] == [[{"TagKey": "team", "TagValue": "images"}]] * 2
    enis = client.describe_network_interfaces(models.DescribeNetworkInterfacesRequest(
        region_id=REGION, instance_id=instance_id)).body.to_map()["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    assert [e["Tags"]["Tag"] for e in enis] == [[{"TagKey": "team", "TagValue": "images"}]]
    found = client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, tag=[models.DescribeDisksRequestTag(key="team", value="images")])).body
    assert found.total_count == 2  # (through the tag index)

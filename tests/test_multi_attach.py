"""Multi-attach (shared NVMe) disks through the real SDKs: one ESSD on up to 16 NVMe instances of its zone, found by
each of them, detached one instance at a time, and the documented refusals (codes, statuses, messages)."""
from __future__ import annotations

import json
from functools import partial

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.AttachDiskRequest import AttachDiskRequest
from aliyunsdkecs.request.v20140526.DescribeDisksRequest import DescribeDisksRequest
from aliyunsdkecs.request.v20140526.DetachDiskRequest import DetachDiskRequest

from mockecs.world import spot_interruptions
from tests.sdk import error_of, legacy_call
from tests.spec import documented_error, response_problems
from tests.test_disks import attach, create, detach, disk
from tests.test_instances import REGION, assert_documented, assert_wire, disks, old_error, run

# g8i is an NVMe family (DescribeInstanceTypes' NvmeSupport "required", one the multi-attach guide names) sold in
# cn-hangzhou-i; cn-hangzhou-h sells no NVMe family, g7 is not one.
ZONE, NVME_TYPE, NO_NVME_TYPE, NO_NVME_ZONE = "cn-hangzhou-i", "ecs.g8i.large", "ecs.g7.large", "cn-hangzhou-h"


def shared_disk(client, **kw) -> str:
    kw.setdefault("disk_category", "cloud_essd")
    return create(client, zone_id=ZONE, multi_attach="Enabled", **kw)


def nvme_instances(client, amount: int = 1) -> list[str]:
    return run(client, instance_type=NVME_TYPE, zone_id=ZONE, amount=amount)


def refused(action: str, call, code: str, status: int) -> None:
    err = error_of(call)
    assert (err.code, err.status_code) == (code, status), (err.code, err.status_code)
    assert_documented(action, err)


def test_one_disk_on_three_instances_each_finds_it(client, engine):
    """Attached to three instances: In_use, InstanceId and Device empty (documented for a multi-attach disk), one
    Attachment per instance; DescribeDisks' InstanceId finds it from each; DetachDisk's InstanceId takes one
    attachment; releasing an instance takes its own; the last detach leaves it Available."""
    first, second, third = nvme_instances(client, 3)
    disk_id = shared_disk(client)
    for instance_id in (first, second, third):
        engine.clock.advance(10)
        attach(client, instance_id, disk_id, delete_with_instance=False)  # (Terraform's attachment sends false)
    engine.clock.advance(60)
    item = disk(client, disk_id)
    assert_wire(item, "DescribeDisksResponseBodyDisksDisk")
    assert (item["Status"], item["InstanceId"], item["Device"], item["MultiAttach"]) == ("In_use", "", "", "Enabled")
    attachments = item["Attachments"]["Attachment"]
    assert [a["InstanceId"] for a in attachments] == [first, second, third]
    assert {a["Device"] for a in attachments} == {"/dev/xvdb"}  # (each instance's first data device)
    assert len({a["AttachedTime"] for a in attachments}) == 3
    assert (item["MountInstanceNum"], item["MountInstances"]["MountInstance"]) == (3, attachments)
    assert item["DeleteWithInstance"] is False
    for instance_id in (first, second, third):
        found = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id))
        body = found.body.to_map()
        assert not response_problems("DescribeDisks", body)
        assert [d["Type"] for d in body["Disks"]["Disk"]] == ["system", "data"]
        assert body["Disks"]["Disk"][1]["DiskId"] == disk_id and body["TotalCount"] == 2
    # A plain disk attached next takes the next device on that instance.
    plain = create(client, zone_id=ZONE, disk_category="cloud_essd")
    attach(client, second, plain)
    engine.clock.advance(60)
    assert disk(client, plain)["Device"] == "/dev/xvdc"

    detach(client, second, disk_id)
    engine.clock.advance(60)
    item = disk(client, disk_id)
    assert (item["Status"], item["InstanceId"], item["MountInstanceNum"]) == ("In_use", "", 2)
    assert [a["InstanceId"] for a in item["Attachments"]["Attachment"]] == [first, third]
    assert [d["DiskId"] for d in disks(client, second)] != [] and disk_id not in {
        d["DiskId"] for d in disks(client, second)}
    refused("DetachDisk", lambda: detach(client, second, disk_id), "DependencyViolation", 403)

    client.delete_instance(models.DeleteInstanceRequest(instance_id=first, force=True))
    engine.clock.advance(60)
    item = disk(client, disk_id)
    assert (item["Status"], [a["InstanceId"] for a in item["Attachments"]["Attachment"]]) == ("In_use", [third])
    assert disk_id in {d["DiskId"] for d in disks(client, third)}

    detach(client, third, disk_id)
    engine.clock.advance(60)
    item = disk(client, disk_id)
    assert (item["Status"], item["Attachments"], item["MountInstanceNum"]) == ("Available", {"Attachment": []}, 0)
    refused("DetachDisk", lambda: detach(client, third, disk_id), "InvalidDisk.AlreadyDetached", 404)
    client.delete_disk(models.DeleteDiskRequest(disk_id=disk_id))


def test_attach_refusals(client, engine):
    """AttachDisk's documented refusals of a multi-attach disk, each before anything changes."""
    [nvme] = nvme_instances(client)
    [plain_type] = run(client, instance_type=NO_NVME_TYPE, zone_id=ZONE)
    [elsewhere] = run(client, instance_type=NVME_TYPE, zone_id="cn-hangzhou-j")
    disk_id = shared_disk(client)
    engine.clock.advance(60)
    for kw, code, status in (
            ({"instance_id": nvme, "force": True}, "InvalidParameterForce.MultiAttachDiskNotSupported", 400),
            ({"instance_id": nvme, "bootable": True, "password": "Passw0rd!x"},
             "InvalidOperation.CanNotAttachMultiAttachDiskAsSystemDisk", 403),
            ({"instance_id": nvme, "delete_with_instance": True}, "DeleteWithInstance.Conflict", 403),
            ({"instance_id": plain_type}, "InvalidInstanceType.NotSupportMultiAttachDisk", 403),
            ({"instance_id": elsewhere}, "ResourcesNotInSameZone", 403)):
        instance_id = kw.pop("instance_id")
        refused("AttachDisk", partial(attach, client, instance_id, disk_id, **kw), code, status)
    assert disk(client, disk_id)["Status"] == "Available"
    attach(client, nvme, disk_id)
    engine.clock.advance(60)
    refused("AttachDisk", lambda: attach(client, nvme, disk_id), "InvalidDisk.InUse", 404)  # (already on it)
    refused("DetachDisk", lambda: detach(client, nvme, disk_id, delete_with_instance=True),
            "DeleteWithInstance.Conflict", 403)
    # A disk without multi-attach in use on one instance is still refused on a second.
    plain = create(client, zone_id=ZONE, disk_category="cloud_essd")
    attach(client, nvme, plain)
    [other] = nvme_instances(client)
    engine.clock.advance(60)
    refused("AttachDisk", lambda: attach(client, other, plain), "InvalidDisk.InUse", 404)


def test_sixteen_instances_at_most(client, engine):
    """Sixteen attachments (documented); a seventeenth: DiskAttachedNumberExceeded."""
    instance_ids = nvme_instances(client, 17)
    disk_id = shared_disk(client, disk_category="cloud_auto")  # (ESSD AutoPL takes multi-attach too)
    for instance_id in instance_ids[:16]:
        attach(client, instance_id, disk_id)
        engine.clock.advance(60)
    refused("AttachDisk", lambda: attach(client, instance_ids[16], disk_id), "DiskAttachedNumberExceeded", 403)
    assert disk(client, disk_id)["MountInstanceNum"] == 16


def test_create_disk_refusals(client):
    for kw, code, status in (
            ({"disk_category": "cloud_efficiency"}, "InvalidParameter.DiskCategoryAndMultiAttachNotMatch", 403),
            ({"disk_category": "cloud_essd_entry"}, "InvalidParameter.DiskCategoryAndMultiAttachNotMatch", 403),
            ({"disk_category": "cloud_auto", "bursting_enabled": True},
             "BurstingEnabledForMultiAttachDiskUnsupported", 400)):
        refused("CreateDisk", partial(shared_disk, client, **kw), code, status)
    refused("CreateDisk", lambda: create(client, zone_id=NO_NVME_ZONE, disk_category="cloud_essd",
                                         multi_attach="Enabled"), "OperationDenied.ZoneNotSupportMultiAttachDisk", 403)
    for level in ("PL0", "PL2"):  # (every ESSD level takes it)
        assert disk(client, shared_disk(client, performance_level=level, size=500))["MultiAttach"] == "Enabled"


def test_operations_refused_on_a_multi_attach_disk(client, engine):
    """ModifyDiskSpec, ReInitDisk, ResetDisk(s), ModifyDiskChargeType, CreateSnapshotGroup refuse a multi-attach disk
    (InvalidOperation.MultiAttachDisk); ModifyDiskAttribute its bursting and release with an instance; an offline
    ResizeDisk waits for every instance to stop, an online one does not; a snapshot of it is taken."""
    first, second = run(client, instance_type=NVME_TYPE, zone_id=ZONE, amount=2, instance_charge_type="PrePaid",
                        period=1)
    disk_id = shared_disk(client)
    engine.clock.advance(60)
    attach(client, first, disk_id)
    attach(client, second, disk_id)
    engine.clock.advance(60)
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
    engine.clock.advance(3600)
    for action, call in (
            ("ModifyDiskSpec", lambda: client.modify_disk_spec(models.ModifyDiskSpecRequest(
                disk_id=disk_id, performance_level="PL2"))),
            ("ReInitDisk", lambda: client.re_init_disk(models.ReInitDiskRequest(disk_id=disk_id))),
            ("ResetDisks", lambda: client.reset_disks(models.ResetDisksRequest(region_id=REGION, disk=[
                models.ResetDisksRequestDisk(disk_id=disk_id, snapshot_id=snapshot_id)]))),
            ("ModifyDiskChargeType", lambda: client.modify_disk_charge_type(models.ModifyDiskChargeTypeRequest(
                region_id=REGION, instance_id=first, disk_ids=json.dumps([disk_id])))),
            ("CreateSnapshotGroup", lambda: client.create_snapshot_group(models.CreateSnapshotGroupRequest(
                region_id=REGION, instance_id=first)))):
        refused(action, call, "InvalidOperation.MultiAttachDisk", 403)
    auto = shared_disk(client, disk_category="cloud_auto")
    refused("ModifyDiskAttribute", lambda: client.modify_disk_attribute(models.ModifyDiskAttributeRequest(
        disk_id=auto, bursting_enabled=True)), "BurstingEnabledForMultiAttachDiskUnsupported", 400)
    err = error_of(lambda: client.modify_disk_attribute(models.ModifyDiskAttributeRequest(
        disk_id=disk_id, delete_with_instance=True)))
    # (ModifyDiskAttribute documents the code; the words are AttachDisk's and DetachDisk's for this disk)
    assert (err.code, err.status_code) == ("DeleteWithInstance.Conflict", 403)
    assert (err.status_code, err.data["Message"]) == documented_error("AttachDisk", "DeleteWithInstance.Conflict")
    # An instance's group leaves it out; its subscription change leaves it pay-as-you-go.
    client.create_snapshot_group(models.CreateSnapshotGroupRequest(region_id=REGION, instance_id=first,
                                                                   exclude_disk_id=[disk_id]))
    assert disk(client, disk_id)["DiskChargeType"] == "PostPaid"

    refused("ResizeDisk", lambda: client.resize_disk(models.ResizeDiskRequest(disk_id=disk_id, new_size=60)),
            "IncorrectInstanceStatus", 403)
    client.resize_disk(models.ResizeDiskRequest(disk_id=disk_id, new_size=60, type="online"))
    for instance_id in (first, second):
        client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    engine.clock.advance(60)
    client.resize_disk(models.ResizeDiskRequest(disk_id=disk_id, new_size=80))
    assert disk(client, disk_id)["Size"] == 80


def test_old_sdk_attaches_a_second_instance(client, legacy, engine):
    """aliyunsdkecs: AttachDisk to a second instance, DescribeDisks by either InstanceId, DetachDisk's InstanceId."""
    first, second = nvme_instances(client, 2)
    disk_id = shared_disk(client)
    engine.clock.advance(60)
    for instance_id in (first, second):
        req = AttachDiskRequest()
        req.set_InstanceId(instance_id)
        req.set_DiskId(disk_id)
        legacy_call(legacy, req)
    engine.clock.advance(60)
    for instance_id in (first, second):
        req = DescribeDisksRequest()
        req.set_InstanceId(instance_id)
        req.set_DiskType("data")
        [found] = legacy_call(legacy, req)["Disks"]["Disk"]
        assert (found["DiskId"], found["InstanceId"], found["Status"]) == (disk_id, "", "In_use")
        assert [a["InstanceId"] for a in found["Attachments"]["Attachment"]] == [first, second]
    req = DetachDiskRequest()
    req.set_InstanceId(first)
    req.set_DiskId(disk_id)
    legacy_call(legacy, req)
    err = old_error(legacy, req)  # (no longer on the first)
    assert (err.get_error_code(), err.get_http_status()) == ("DependencyViolation", 403)
    assert_documented("DetachDisk", err)


def test_describe_disks_multi_attach_filter(client):
    """DescribeDisks' MultiAttach: Enabled, Disabled, LegacyShared (shared block storage: mockecs has none), else
    InvalidParameter.MultiAttach; with EnableShared it must agree."""
    shared, plain = shared_disk(client), create(client, zone_id=ZONE, disk_category="cloud_essd")

    def listed(**kw) -> list[str]:
        found = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, zone_id=ZONE, **kw))
        return [d["DiskId"] for d in found.body.to_map()["Disks"]["Disk"]]

    assert (listed(multi_attach="Enabled"), listed(multi_attach="Disabled")) == ([shared], [plain])
    assert listed(multi_attach="LegacyShared") == listed(enable_shared=True) == []
    assert sorted(listed(enable_shared=False)) == sorted([shared, plain])
    refused("DescribeDisks", partial(listed, multi_attach="Maybe"), "InvalidParameter.MultiAttach", 403)
    refused("DescribeDisks", partial(listed, multi_attach="Enabled", enable_shared=True),
            "InvalidParameter.MultiAttachAndEnableSharedNotMatch", 403)


def test_release_while_another_attachment_moves(client, engine):
    """With delays: an instance released while the disk detaches from (or attaches to) another one; each ends with
    only the attachments still there."""
    first, second, third = nvme_instances(client, 3)
    disk_id = shared_disk(client)
    engine.clock.advance(60)
    for instance_id in (first, second):
        attach(client, instance_id, disk_id)
        engine.clock.advance(60)
    engine.lifecycle.delay("disk", seconds=30)
    detach(client, second, disk_id)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=first, force=True))
    assert disk(client, disk_id)["Status"] == "Detaching"
    engine.clock.advance(60)
    item = disk(client, disk_id)
    assert (item["Status"], item["Attachments"], item["MountInstanceNum"]) == ("Available", {"Attachment": []}, 0)
    attach(client, second, disk_id)
    engine.clock.advance(60)
    attach(client, third, disk_id)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=second, force=True))
    assert disk(client, disk_id)["Status"] == "Attaching"
    engine.clock.advance(60)
    item = disk(client, disk_id)
    assert (item["Status"], [a["InstanceId"] for a in item["Attachments"]["Attachment"]]) == ("In_use", [third])


def test_a_reclaimed_spot_instance_takes_only_its_own_attachment(client, engine):
    """A spot instance reclaimed (released at the end of its notice) while a multi-attach disk is on it and on two
    others: the disk stays In_use on the others, never locked for recycling (it is not reclaimed), and loses only that
    attachment; the spot instance's own disks go with it."""
    first, second = nvme_instances(client, 2)
    [spot] = run(client, instance_type=NVME_TYPE, zone_id=ZONE, spot_strategy="SpotAsPriceGo", spot_duration=0)
    disk_id = shared_disk(client)
    for instance_id in (first, spot, second):
        engine.clock.advance(10)
        attach(client, instance_id, disk_id)
    engine.clock.advance(60)
    [spot_system] = [d["DiskId"] for d in disks(client, spot) if d["Type"] == "system"]
    spot_interruptions.interrupt(engine, spot)
    item = disk(client, disk_id)
    assert (item["Status"], item["OperationLocks"]) == ("In_use", {"OperationLock": []})
    assert disk(client, spot_system)["OperationLocks"] == {"OperationLock": [{"LockReason": "recycling"}]}
    detach(client, second, disk_id)  # (the others still use it freely during the notice)
    engine.clock.advance(60)
    attach(client, second, disk_id)
    engine.clock.advance(spot_interruptions.NOTICE)
    item = disk(client, disk_id)
    assert (item["Status"], item["InstanceId"], item["MountInstanceNum"]) == ("In_use", "", 2)
    assert [a["InstanceId"] for a in item["Attachments"]["Attachment"]] == [first, second]
    assert item["MountInstances"]["MountInstance"] == item["Attachments"]["Attachment"]
    for instance_id in (first, second):
        assert disk_id in {d["DiskId"] for d in disks(client, instance_id)}
    found = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, disk_ids=json.dumps(
        [disk_id, spot_system]))).body.to_map()["Disks"]["Disk"]
    assert [d["DiskId"] for d in found] == [disk_id]  # (the spot instance's system disk went with it)


def test_describe_disks_by_instance_lists_them_as_the_instance_holds_them(client, engine):
    """DescribeDisks' InstanceId: the system disk first, then the data disks by that instance's device, whatever
    their age (a multi-attach disk made before the instance too); each page in that order; Attachments in the order
    the instances took the disk, the same from each instance."""
    disk_id = shared_disk(client)  # (made before the instances)
    engine.clock.advance(60)
    first, second = nvme_instances(client, 2)
    plain = create(client, zone_id=ZONE, disk_category="cloud_essd")
    engine.clock.advance(60)
    attach(client, second, plain)  # second: plain on /dev/xvdb, the shared disk on /dev/xvdc
    engine.clock.advance(10)
    for instance_id in (second, first):
        attach(client, instance_id, disk_id)
        engine.clock.advance(10)
    engine.clock.advance(60)
    [second_system] = [d["DiskId"] for d in disks(client, second) if d["Type"] == "system"]
    listed = disks(client, second)
    assert [(d["DiskId"], d["Type"]) for d in listed] == [(second_system, "system"), (plain, "data"),
                                                          (disk_id, "data")]
    pages = [disks(client, second, page_size=1, page_number=n) for n in (1, 2, 3)]
    assert [p[0]["DiskId"] for p in pages] == [second_system, plain, disk_id]
    assert [d["Type"] for d in disks(client, first)] == ["system", "data"]
    orders = {tuple(a["InstanceId"] for a in d["Attachments"]["Attachment"])
              for i in (first, second) for d in disks(client, i) if d["DiskId"] == disk_id}
    assert orders == {(second, first)}
    by_device = {a["InstanceId"]: a["Device"] for a in disk(client, disk_id)["Attachments"]["Attachment"]}
    assert by_device == {second: "/dev/xvdc", first: "/dev/xvdb"}

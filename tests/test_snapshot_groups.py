"""Snapshot-consistent groups: CreateSnapshotGroup, DescribeSnapshotGroups, ModifySnapshotGroup, DeleteSnapshotGroup
through the current SDK (sync and async) and the old one (JSON and XML); the group's snapshots in DescribeSnapshots,
its status on the snapshot lifecycle, an image made from its snapshots, Terraform's alicloud_ecs_snapshot_group
(create, wait for accomplished, read through NextToken pages, update, delete) and the metadata's codes."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateSnapshotGroupRequest import CreateSnapshotGroupRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotGroupsRequest import DescribeSnapshotGroupsRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, disks, run
from tests.test_snapshots import one

DATA = models.RunInstancesRequestDataDisk


def machine(client, data: int = 2) -> tuple[str, list[str]]:
    """An instance with ``data`` data disks: (its id, its disk ids, the system disk's first)."""
    [instance_id] = run(client, data_disk=[DATA(size=20 + n, category="cloud_essd") for n in range(data)])
    found = disks(client, instance_id)
    return instance_id, [d["DiskId"] for d in sorted(found, key=lambda d: (d["Type"] != "system", d["DiskId"]))]


def create(client, **kw) -> str:
    return client.create_snapshot_group(models.CreateSnapshotGroupRequest(region_id=REGION, **kw)).body \
        .snapshot_group_id


def groups(client, **kw) -> models.DescribeSnapshotGroupsResponseBody:
    return client.describe_snapshot_groups(models.DescribeSnapshotGroupsRequest(region_id=REGION, **kw)).body


def group(client, group_id: str) -> dict:
    [found] = groups(client, snapshot_group_id=[group_id]).to_map()["SnapshotGroups"]["SnapshotGroup"]
    return found


def test_a_group_of_an_instance_and_its_snapshots(client):
    instance_id, disk_ids = machine(client)
    group_id = create(client, instance_id=instance_id, name="consistent", description="before the upgrade",
                      tag=[models.CreateSnapshotGroupRequestTag(key="team", value="build")])
    assert group_id.startswith("ssg-")
    found = group(client, group_id)
    assert (found["Name"], found["Description"], found["InstanceId"], found["Status"]) == (
        "consistent", "before the upgrade", instance_id, "accomplished")
    assert found["Tags"]["Tag"] == [{"Key": "team", "Value": "build"}]
    held = found["Snapshots"]["Snapshot"]
    assert [s["SourceDiskId"] for s in held] == disk_ids  # one per disk, the system disk's first
    assert [s["SourceDiskType"] for s in held] == ["system", "data", "data"]
    for snapshot in held:
        assert (snapshot["Progress"], snapshot["Available"]) == ("100%", True)
        assert {"Key": "acs:ecs:snapshotGroupId", "Value": group_id} in snapshot["Tags"]["Tag"]
        # an ordinary snapshot for DescribeSnapshots
        assert one(client, snapshot["SnapshotId"])["SourceDiskId"] == snapshot["SourceDiskId"]
    # an image of the whole machine from the group's snapshots
    system, *data = held
    image_id = client.create_image(models.CreateImageRequest(region_id=REGION, disk_device_mapping=[
        models.CreateImageRequestDiskDeviceMapping(snapshot_id=system["SnapshotId"]),
        *(models.CreateImageRequestDiskDeviceMapping(snapshot_id=s["SnapshotId"], disk_type="data") for s in data)])
    ).body.image_id
    # DeleteSnapshotGroup keeps what the image uses, deletes the rest, answers each
    body = client.delete_snapshot_group(models.DeleteSnapshotGroupRequest(region_id=REGION,
                                                                          snapshot_group_id=group_id)).body
    rows = {r.related_item_set.related_item[0].value: (r.operation_status, r.error_code)
            for r in body.operation_progress_set.operation_progress}
    assert rows == {s["SnapshotId"]: ("Failed", "SnapshotCreatedImage") for s in held}
    assert group(client, group_id)["SnapshotGroupId"] == group_id  # kept with them
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id))
    body = client.delete_snapshot_group(models.DeleteSnapshotGroupRequest(region_id=REGION,
                                                                          snapshot_group_id=group_id)).body
    assert {r.operation_status for r in body.operation_progress_set.operation_progress} == {"Success"}
    assert groups(client, snapshot_group_id=[group_id]).snapshot_groups.snapshot_group == []
    assert client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=REGION, snapshot_ids=str([s["SnapshotId"] for s in held]).replace("'", '"'))).body.total_count == 0


def test_excluded_disks_and_disks_by_id(client):
    instance_id, (system, first, second) = machine(client)
    excluded = create(client, instance_id=instance_id, exclude_disk_id=[second])
    assert [s["SourceDiskId"] for s in group(client, excluded)["Snapshots"]["Snapshot"]] == [system, first]
    other_instance, other_disks = machine(client, data=1)
    by_id = create(client, disk_id=[first, other_disks[1]])  # (across instances of one zone: documented)
    found = group(client, by_id)
    assert found["InstanceId"] == "" and {s["SourceDiskId"] for s in found["Snapshots"]["Snapshot"]} == {
        first, other_disks[1]}
    only = create(client, instance_id=instance_id, disk_id=[second])
    assert [s["SourceDiskId"] for s in group(client, only)["Snapshots"]["Snapshot"]] == [second]


def test_status_follows_the_snapshots(client, engine):
    instance_id, _ = machine(client, data=1)
    engine.lifecycle.delay("snapshot", seconds=10)
    group_id = create(client, instance_id=instance_id)
    assert group(client, group_id)["Status"] == "progressing"
    assert [g["SnapshotGroupId"] for g in groups(client, status=["progressing"]).to_map()["SnapshotGroups"][
        "SnapshotGroup"]] == [group_id]
    assert groups(client, status=["accomplished"]).snapshot_groups.snapshot_group == []
    engine.clock.advance(10)
    assert group(client, group_id)["Status"] == "accomplished"


def test_describe_filters_and_next_token_pages(client):
    instance_id, _ = machine(client, data=0)
    made = [create(client, instance_id=instance_id, name=f"g-{n}") for n in range(3)]
    first = groups(client, max_results=2)
    assert [g.snapshot_group_id for g in first.snapshot_groups.snapshot_group] == made[:2] and first.next_token
    rest = groups(client, max_results=2, next_token=first.next_token)
    assert [g.snapshot_group_id for g in rest.snapshot_groups.snapshot_group] == made[2:] and rest.next_token == ""
    assert [g.snapshot_group_id for g in groups(client, name="g-1").snapshot_groups.snapshot_group] == [made[1]]
    assert len(groups(client, instance_id=instance_id).snapshot_groups.snapshot_group) == 3
    assert groups(client, instance_id="i-bp1nothere0000000000").snapshot_groups.snapshot_group == []
    client.modify_snapshot_group(models.ModifySnapshotGroupRequest(region_id=REGION, snapshot_group_id=made[0],
                                                                  name="renamed", description="new words"))
    assert (group(client, made[0])["Name"], group(client, made[0])["Description"]) == ("renamed", "new words")


@pytest.mark.parametrize("kw, code, status", [
    ({}, "MissingParamter.InstanceId", 400),
    ({"instance_id": "i-bp1nothere0000000000"}, "InvalidInstanceId.NotFound", 404),
    ({"disk_id": ["d-bp1nothere0000000000"]}, "InvalidDiskId.NotFound", 404),
    ({"instance": True, "disk_id": ["own"], "exclude_disk_id": ["own"]},
     "InvalidParam.ExcludeDiskIdsAndDiskIds.Conflict", 400),
    ({"instance": True, "name": "http://x"}, "InvalidParameter.Name", 400),
    ({"instance": True, "description": "x"}, "InvalidParameter.Description", 400),
    ({"instance": True, "disk_id": ["foreign"]}, "DiskId.ValueNotSupported", 403),
])
def test_create_refused(client, kw, code, status):
    instance_id, disk_ids = machine(client, data=1)
    _, foreign = machine(client, data=0)
    kw = dict(kw)
    if kw.pop("instance", False):
        kw["instance_id"] = instance_id
    for field in ("disk_id", "exclude_disk_id"):
        if field in kw:
            kw[field] = [disk_ids[1] if d == "own" else foreign[0] if d == "foreign" else d for d in kw[field]]
    err = error_of(create, client, **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("CreateSnapshotGroup", err)
    assert groups(client).snapshot_groups.snapshot_group == []


def test_other_refusals(client, engine):
    instance_id, disk_ids = machine(client, data=0)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    engine.lifecycle.delay("instance", seconds=30)
    client.start_instance(models.StartInstanceRequest(instance_id=instance_id))  # Starting for 30 s
    err = error_of(create, client, instance_id=instance_id)
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("CreateSnapshotGroup", err)
    engine.clock.advance(30)
    engine.lifecycle.delay("snapshot", seconds=10)
    create(client, instance_id=instance_id)
    err = error_of(create, client, disk_id=disk_ids)
    assert (err.code, err.status_code) == ("IncorrectDiskStatus.CreatingSnapshot", 403)
    assert_documented("CreateSnapshotGroup", err)
    for call in (client.modify_snapshot_group, client.delete_snapshot_group):
        request = (models.ModifySnapshotGroupRequest if call == client.modify_snapshot_group
                   else models.DeleteSnapshotGroupRequest)(region_id=REGION, snapshot_group_id="ssg-nothere")
        err = error_of(call, request)
        assert (err.code, err.status_code) == ("InvalidSnapshotGroup.NotFound", 404)
    err = error_of(groups, client, status=["done"])
    assert (err.code, err.status_code) == ("InvalidStatus.ValueNotSupported", 403)
    assert_documented("DescribeSnapshotGroups", err)


def test_other_account_sees_nothing(client, other):
    instance_id, _ = machine(client, data=0)
    group_id = create(client, instance_id=instance_id)
    assert groups(other.client, snapshot_group_id=[group_id]).snapshot_groups.snapshot_group == []
    err = error_of(other.client.delete_snapshot_group, models.DeleteSnapshotGroupRequest(
        region_id=REGION, snapshot_group_id=group_id))
    assert (err.code, err.status_code) == ("InvalidSnapshotGroup.NotFound", 404)


def test_async_and_old_sdk(client, legacy):
    instance_id, _ = machine(client, data=1)

    async def go() -> str:
        resp = await client.create_snapshot_group_async(models.CreateSnapshotGroupRequest(
            region_id=REGION, instance_id=instance_id, name="async-group"))
        return resp.body.snapshot_group_id

    group_id = asyncio.run(go())
    request = CreateSnapshotGroupRequest()
    request.set_InstanceId(instance_id)
    request.set_Name("legacy-group")
    legacy_id = legacy_call(legacy, request)["SnapshotGroupId"]
    request = DescribeSnapshotGroupsRequest()
    request.set_SnapshotGroupIds([group_id, legacy_id])
    answered = legacy_call(legacy, request)["SnapshotGroups"]["SnapshotGroup"]
    assert [(g["SnapshotGroupId"], g["Name"]) for g in answered] == [(group_id, "async-group"),
                                                                    (legacy_id, "legacy-group")]
    assert {len(g["Snapshots"]["Snapshot"]) for g in answered} == {2}
    root = legacy_xml(legacy, request)
    assert [e.text for e in root.iter("SnapshotGroupId")] == [group_id, legacy_id]


def test_terraform_snapshot_group(client):
    """resourceAlicloudEcsSnapshotGroupCreate (RpcPost, form body: InstanceId, Name, Tag.N), the wait for
    ``accomplished`` and the Read (DescribeSnapshotGroups with MaxResults 50, walking NextToken until the id),
    the update (ModifySnapshotGroup) and the delete; a read after deletion finds nothing (gone)."""
    from tests.test_terraform_flow import Provider

    instance_id, _ = machine(client, data=1)
    p = Provider(REGION)
    group_id = p.rpc_post("CreateSnapshotGroup", {}, {"RegionId": REGION, "InstanceId": instance_id,
                                                      "Name": "tf-group", "Tag.1.Key": "Created",
                                                      "Tag.1.Value": "tf"})["SnapshotGroupId"]

    def read() -> dict:
        request = {"RegionId": REGION, "MaxResults": 50}
        while True:
            answer = p.rpc_post("DescribeSnapshotGroups", {}, dict(request))
            for item in answer["SnapshotGroups"]["SnapshotGroup"]:
                if item["SnapshotGroupId"] == group_id:
                    return item
            if not answer.get("NextToken"):
                return {}
            request["NextToken"] = answer["NextToken"]

    assert read()["Status"] == "accomplished"
    state = read()
    assert (state["InstanceId"], state["Name"], state["Tags"]["Tag"]) == (
        instance_id, "tf-group", [{"Key": "Created", "Value": "tf"}])
    p.rpc_post("ModifySnapshotGroup", {}, {"RegionId": REGION, "SnapshotGroupId": group_id, "Name": "tf-renamed"})
    assert read()["Name"] == "tf-renamed"
    p.rpc_post("DeleteSnapshotGroup", {}, {"RegionId": REGION, "SnapshotGroupId": group_id})
    assert read() == {}

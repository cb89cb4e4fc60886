"""CreateSnapshot, DescribeSnapshots, DeleteSnapshot (spec §4.3) and the helpers image operations
build on (``make_snapshot``, ``instance_disks``) — through the real SDKs."""
from __future__ import annotations

import asyncio
import json
import re

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest

from mockecs.ops.instances import instance_disks
from mockecs.ops.registry import Context
from mockecs.ops.snapshots import make_snapshot
from mockecs.world import resources
from tests.sdk import legacy_call
from tests.test_instances import (
    LINUX,
    REGION,
    SECOND,
    assert_documented,
    assert_wire,
    disks,
    new_error,
    old_error,
    put_image,
    run,
    stored,
)


def snapshot_of(client, disk_id: str, **kw) -> str:
    return client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id, **kw)).body.snapshot_id


def describe(client, region: str = REGION, **kw) -> dict:
    return client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=region, **kw)).body.to_map()


def one(client, snapshot_id: str, region: str = REGION) -> dict:
    items = describe(client, region, snapshot_ids=json.dumps([snapshot_id]))["Snapshots"]["Snapshot"]
    assert len(items) == 1
    return items[0]


def context(engine, txn, account: str, region: str = REGION) -> Context:
    return Context(engine, txn, "Test", account, region, "REQ", "ecs.aliyuncs.com", engine.clock.now(), {})


# -- the instance -> snapshot flow image operations continue from --------------------------------
def test_instance_to_snapshot_flow_new_sdk_without_region(client, engine):
    iid = run(client, region_id="cn-beijing")[0]  # the client itself is configured for cn-hangzhou
    disk = disks(client, iid, "cn-beijing")[0]
    req = models.CreateSnapshotRequest(disk_id=disk["DiskId"], snapshot_name="before-image",
                                       description="system disk of the builder",
                                       tag=[models.CreateSnapshotRequestTag(key="stage", value="build")])
    assert not hasattr(req, "region_id")  # the new SDK has no RegionId to send
    snapshot_id = client.create_snapshot(req).body.snapshot_id
    assert "RegionId" not in engine.calls[-1].params and engine.calls[-1].region == "cn-beijing"
    assert re.match(r"^s-2ze[a-z0-9]{17}$", snapshot_id)

    item = one(client, snapshot_id, "cn-beijing")
    assert_wire(item, "DescribeSnapshotsResponseBodySnapshotsSnapshot")
    assert item["Status"] == "accomplished" and item["Progress"] == "100%" and item["Available"] is True
    assert item["SourceDiskId"] == disk["DiskId"] and item["SourceDiskType"] == "system"
    assert item["SourceDiskSize"] == "40" and item["SnapshotType"] == "user" and item["Usage"] == "none"
    assert item["RegionId"] == "cn-beijing" and item["SnapshotName"] == "before-image"
    assert item["Tags"]["Tag"] == [{"TagKey": "stage", "TagValue": "build"}]
    assert SECOND.match(item["CreationTime"]) and not any(k.startswith("_") for k in item)
    # what CreateImage from this snapshot needs, kept internal
    record = stored(engine, "snapshot", snapshot_id)
    assert record["_image_id"] == LINUX and record["_owner"] == engine.accounts.default_account_id
    assert record["_region"] == "cn-beijing"
    assert describe(client)["TotalCount"] == 0  # not in the client's own region


def test_snapshot_old_sdk(legacy, client):
    iid = run(client)[0]
    disk_id = disks(client, iid)[0]["DiskId"]
    req = CreateSnapshotRequest()
    req.set_DiskId(disk_id)
    req.set_SnapshotName("legacy-snap")
    snapshot_id = legacy_call(legacy, req)["SnapshotId"]

    req = DescribeSnapshotsRequest()
    req.set_DiskId(disk_id)
    body = legacy_call(legacy, req)
    assert body["TotalCount"] == 1 and body["PageNumber"] == 1 and body["PageSize"] == 10
    item = body["Snapshots"]["Snapshot"][0]
    assert_wire(item, "DescribeSnapshotsResponseBodySnapshotsSnapshot")
    assert item["SnapshotId"] == snapshot_id and item["SnapshotName"] == "legacy-snap"

    req = DeleteSnapshotRequest()
    req.set_SnapshotId(snapshot_id)
    legacy_call(legacy, req)
    assert describe(client, disk_id=disk_id)["TotalCount"] == 0
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidSnapshotId.NotFound", 404)
    assert_documented("DeleteSnapshot", err)


def test_snapshot_async(client):
    iid = run(client)[0]
    disk_id = disks(client, iid)[0]["DiskId"]

    async def flow():
        created = await client.create_snapshot_async(models.CreateSnapshotRequest(disk_id=disk_id))
        sid = created.body.snapshot_id
        found = await client.describe_snapshots_async(models.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=json.dumps([sid])))
        await client.delete_snapshot_async(models.DeleteSnapshotRequest(snapshot_id=sid))
        after = await client.describe_snapshots_async(models.DescribeSnapshotsRequest(region_id=REGION))
        return sid, found.body.to_map(), after.body.total_count

    sid, found, left = asyncio.run(flow())
    assert found["Snapshots"]["Snapshot"][0]["SnapshotId"] == sid and left == 0


# -- CreateSnapshot errors ------------------------------------------------------------------------
def test_create_snapshot_errors(client, engine, other):
    err = new_error(lambda: snapshot_of(client, "d-bp1doesnotexist00000"))
    assert (err.code, err.status_code) == ("InvalidDiskId.NotFound", 404)
    assert_documented("CreateSnapshot", err)
    err = new_error(lambda: snapshot_of(client, ""))
    assert (err.code, err.status_code) == ("MissingParameter", 400)

    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    for bad in ("auto-nightly", "Automatic", "1abc", "x"):
        err = new_error(lambda bad=bad: snapshot_of(client, disk_id, snapshot_name=bad))
        assert (err.code, err.status_code) == ("InvalidSnapshotName.Malformed", 400), bad
    assert_documented("CreateSnapshot", err)
    err = new_error(lambda: snapshot_of(client, disk_id, category="gold"))
    assert (err.code, err.status_code) == ("InvalidSnapshotCategory.Malformed", 403)
    assert_documented("CreateSnapshot", err)
    err = new_error(lambda: snapshot_of(other.client, disk_id))  # someone else's disk
    assert err.code == "InvalidDiskId.NotFound"

    # a disk that was never attached to an instance
    never = {**stored(engine, "disk", disk_id), "DiskId": "d-bp1neverattached0001", "InstanceId": "",
             "Status": "Available", "_attached_once": False}
    with engine.store.transaction() as txn:
        resources.put(txn, "disk", never)
    err = new_error(lambda: snapshot_of(client, never["DiskId"]))
    assert (err.code, err.status_code) == ("IncorrectDiskStatus.NeverAttached", 403)
    assert_documented("CreateSnapshot", err)


def test_snapshot_progress_and_one_at_a_time(client, engine):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    engine.lifecycle.delay("snapshot", seconds=10)
    sid = snapshot_of(client, disk_id)
    item = one(client, sid)
    assert item["Status"] == "progressing" and item["Available"] is False
    err = new_error(lambda: snapshot_of(client, disk_id))
    assert (err.code, err.status_code) == ("IncorrectDiskStatus.CreatingSnapshot", 403)
    assert_documented("CreateSnapshot", err)
    engine.clock.advance(5)
    assert 50 <= int(one(client, sid)["Progress"].rstrip("%")) < 60  # wall time moves on a little too
    assert describe(client, status="progressing")["TotalCount"] == 1
    engine.clock.advance(5)
    assert one(client, sid)["Status"] == "accomplished" and one(client, sid)["Progress"] == "100%"
    assert one(client, sid)["Available"] is True


def test_client_token_returns_the_same_snapshot(client):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    first = snapshot_of(client, disk_id, client_token="snap-1")
    assert snapshot_of(client, disk_id, client_token="snap-1") == first
    assert describe(client)["TotalCount"] == 1


# -- DescribeSnapshots filters and paging -------------------------------------------------------------
def test_describe_snapshots_filters(client):
    first, second = run(client, amount=2, data_disk=[models.RunInstancesRequestDataDisk(size=80)])
    sys1, data1 = disks(client, first)
    sys2 = disks(client, second)[0]
    a = snapshot_of(client, sys1["DiskId"], snapshot_name="alpha",
                    tag=[models.CreateSnapshotRequestTag(key="k", value="v")])
    b = snapshot_of(client, data1["DiskId"], snapshot_name="beta")
    c = snapshot_of(client, sys2["DiskId"], snapshot_name="gamma")

    def ids(**kw):
        return sorted(s["SnapshotId"] for s in describe(client, **kw)["Snapshots"]["Snapshot"])

    assert ids() == sorted([a, b, c])
    assert ids(instance_id=first) == sorted([a, b])
    assert ids(disk_id=data1["DiskId"]) == [b]
    assert ids(source_disk_type="Data") == [b]  # case-insensitive
    assert ids(snapshot_name="gamma") == [c]
    assert ids(snapshot_ids=json.dumps([a, c])) == sorted([a, c])
    assert ids(tag=[models.DescribeSnapshotsRequestTag(key="k", value="v")]) == [a]
    assert ids(snapshot_type="auto") == [] and ids(snapshot_type="all") == sorted([a, b, c])
    assert ids(status="all") == sorted([a, b, c]) and ids(status="failed") == []
    assert ids(usage="none") == sorted([a, b, c]) and ids(usage="image") == []

    body = describe(client, max_results=2)
    assert len(body["Snapshots"]["Snapshot"]) == 2 and body["NextToken"]
    rest = describe(client, max_results=2, next_token=body["NextToken"])
    assert len(rest["Snapshots"]["Snapshot"]) == 1 and rest["NextToken"] == ""
    assert describe(client, page_size=2, page_number=2)["Snapshots"]["Snapshot"] == rest["Snapshots"]["Snapshot"]


@pytest.mark.parametrize("field,value,code,status", [
    ("status", "done", "InvalidStatus.NotFound", 404),
    ("snapshot_type", "manual", "InvalidSnapshotType.NotFound", 404),
    ("source_disk_type", "root", "InvalidSourceDiskType", 404),
    ("usage", "everything", "InvalidUsage", 404),
    ("category", "gold", "InvalidSnapshotCategory.Malformed", 403),
    ("snapshot_ids", json.dumps([f"s-{i}" for i in range(101)]), "InvalidSnapshotIds.Malformed", 403),
])
def test_describe_snapshots_documented_errors(client, field, value, code, status):
    err = new_error(lambda: describe(client, **{field: value}))
    assert (err.code, err.status_code) == (code, status)
    assert_documented("DescribeSnapshots", err)


def test_describe_snapshots_bad_token_and_other_accounts(client, other):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id)
    err = new_error(lambda: describe(client, next_token="zzz"))
    assert (err.code, err.status_code) == ("Invalid.NextToken", 403)
    assert describe(other.client, snapshot_ids=json.dumps([sid]))["TotalCount"] == 0


# -- DeleteSnapshot ---------------------------------------------------------------------------------------
def test_delete_snapshot_used_by_an_image_even_with_force(client, engine):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id)
    put_image(engine, engine.accounts.default_account_id, DiskDeviceMappings={"DiskDeviceMapping": [
        {"Device": "/dev/xvda", "Type": "system", "Size": "40", "SnapshotId": sid}]})
    assert one(client, sid)["Usage"] == "image"
    for force in (False, True):
        err = new_error(lambda force=force: client.delete_snapshot(
            models.DeleteSnapshotRequest(snapshot_id=sid, force=force)))
        assert (err.code, err.status_code) == ("SnapshotCreatedImage", 403)
        assert_documented("DeleteSnapshot", err)
    assert one(client, sid)["SnapshotId"] == sid


def test_delete_snapshot_used_by_a_disk_needs_force(client, engine):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id)
    iid = run(client, data_disk=[models.RunInstancesRequestDataDisk(snapshot_id=sid)])[0]
    data = disks(client, iid, disk_type="data")[0]
    assert data["SourceSnapshotId"] == sid and data["Size"] == 40
    assert one(client, sid)["Usage"] == "disk"
    err = new_error(lambda: client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=sid)))
    assert (err.code, err.status_code) == ("SnapshotCreatedDisk", 403)
    assert_documented("DeleteSnapshot", err)
    client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=sid, force=True))
    assert "RegionId" not in engine.calls[-1].params
    assert describe(client)["TotalCount"] == 0


def test_delete_snapshot_other_account_and_missing(client, other):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id)
    err = new_error(lambda: other.client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=sid)))
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotFound", 404)
    err = new_error(lambda: client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id="")))
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    assert one(client, sid)["SnapshotId"] == sid


# -- the helpers other operations call ---------------------------------------------------------------------
def test_instance_disks_and_make_snapshot_helpers(client, engine):
    iid = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=30)])[0]
    account = engine.accounts.default_account_id
    with engine.store.transaction() as txn:
        ctx = context(engine, txn, account)
        found = instance_disks(ctx, iid)
        assert [d["Type"] for d in found] == ["system", "data"]
        assert all(d["_owner"] == account and d["_attached_once"] for d in found)
        assert found[0]["_image_id"] == LINUX
        snap = make_snapshot(ctx, found[0], name="for-image", tags=[{"TagKey": "a", "TagValue": "b"}])
        assert snap["SourceDiskType"] == "system" and snap["_image_id"] == LINUX
        assert snap["Status"] == "accomplished" and snap["SourceDiskSize"] == "40"
        assert txn.ids("snapshot", ("disk", found[0]["DiskId"])) == {snap["SnapshotId"]}
        assert txn.ids("snapshot", ("instance", iid)) == {snap["SnapshotId"]}
        assert txn.ids("instance", ("image", LINUX)) == {iid}
    item = one(client, snap["SnapshotId"])
    assert item["SnapshotName"] == "for-image" and item["Tags"]["Tag"] == [{"TagKey": "a", "TagValue": "b"}]


def test_describe_snapshots_creation_time_filter(client, engine):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    early = snapshot_of(client, disk_id)
    engine.clock.advance(3600)
    late = snapshot_of(client, disk_id)
    # half-way between the two, in the documented yyyy-MM-ddTHH:mmZ form
    cut = resources.iso_minute(resources.parse_iso(one(client, early)["CreationTime"]) + 1800)

    def ids(key, value):
        found = describe(client, filter=[models.DescribeSnapshotsRequestFilter(key=key, value=value)])
        return [s["SnapshotId"] for s in found["Snapshots"]["Snapshot"]]

    assert ids("CreationStartTime", cut) == [late]
    assert ids("CreationEndTime", cut) == [early]
    err = new_error(lambda: ids("Colour", "red"))
    assert (err.code, err.status_code) == ("InvalidFilterKey.NotFound", 404)
    assert_documented("DescribeSnapshots", err)
    err = new_error(lambda: ids("CreationStartTime", "yesterday"))
    assert (err.code, err.status_code) == ("InvalidFilterValue", 404)
    assert_documented("DescribeSnapshots", err)


def test_end_to_end_instance_snapshot_image_instance(client):
    """The whole flow through the neighbours: the image made from the snapshot launches, pins the snapshot."""
    source = run(client, "ubuntu_22_04_x64_20G_alibase_20240130.vhd")[0]
    sid = snapshot_of(client, disks(client, source)[0]["DiskId"])
    image_id = client.create_image(models.CreateImageRequest(region_id=REGION, snapshot_id=sid,
                                                             image_name="from-snapshot")).body.image_id
    iid = run(client, image_id)[0]
    disk = disks(client, iid)[0]
    assert disk["SourceSnapshotId"] == sid and disk["ImageId"] == image_id
    image = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id)).body
    assert image.images.image[0].usage == "instance"
    assert one(client, sid)["Usage"] == "image_disk"
    err = new_error(lambda: client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=sid, force=True)))
    assert err.code == "SnapshotCreatedImage"


# -- documented details found in the audit ----------------------------------------------------------------
def test_create_snapshot_client_token_mismatch_is_documented_code(client):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    snapshot_of(client, disk_id, client_token="snap-2", snapshot_name="first")
    err = new_error(lambda: snapshot_of(client, disk_id, client_token="snap-2", snapshot_name="second"))
    assert (err.code, err.status_code) == ("IdempotentParameterMismatch", 403)
    assert_documented("CreateSnapshot", err)


def test_create_snapshot_bad_description_is_documented(client):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    for bad in ("x", "http://example.com/snapshot"):
        err = new_error(lambda bad=bad: snapshot_of(client, disk_id, description=bad))
        assert (err.code, err.status_code) == ("InvalidDescription.Malformed", 404)
        assert_documented("CreateSnapshot", err)


def test_snapshot_category_as_documented_standard_flash(client):
    # The API reference documents Category values "Standard" and "Flash"; answers are lower-case.
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id, category="Standard")
    assert one(client, sid)["Category"] == "standard"
    found = describe(client, category="Standard")["Snapshots"]["Snapshot"]
    assert [s["SnapshotId"] for s in found] == [sid]
    assert describe(client, category="flash")["TotalCount"] == 0


def test_describe_snapshots_too_many_tags(client):
    tags = [models.DescribeSnapshotsRequestTag(key=f"k{i}", value="v") for i in range(21)]
    err = new_error(lambda: describe(client, tag=tags))
    assert (err.code, err.status_code) == ("InvalidTagCount", 400)
    assert_documented("DescribeSnapshots", err)


def test_create_snapshot_needs_a_running_or_stopped_instance(client, engine):
    engine.lifecycle.delay("instance", seconds=5)
    iid = run(client)[0]
    disk_id = disks(client, iid)[0]["DiskId"]
    err = new_error(lambda: snapshot_of(client, disk_id))  # the instance is still Pending
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("CreateSnapshot", err)
    engine.clock.advance(5)
    assert snapshot_of(client, disk_id)


# -- CopySnapshot ------------------------------------------------------------------------------
def copy(client, snapshot_id: str, destination: str = "cn-beijing", region: str = REGION, **kw) -> str:
    kw.setdefault("destination_snapshot_name", "copied-1")
    kw.setdefault("destination_snapshot_description", "a copy")
    return client.copy_snapshot(models.CopySnapshotRequest(region_id=region, snapshot_id=snapshot_id,
                                                           destination_region_id=destination, **kw)).body.snapshot_id


def test_copy_snapshot_to_another_region(client, engine):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    source = snapshot_of(client, disk_id)
    engine.lifecycle.delay("snapshot", seconds=20)
    copy_id = copy(client, source, retention_days=7, tag=[models.CopySnapshotRequestTag(key="copy", value="yes")])
    assert re.match(r"^s-2ze[a-z0-9]{17}$", copy_id)
    item = one(client, copy_id, "cn-beijing")
    assert_wire(item, "DescribeSnapshotsResponseBodySnapshotsSnapshot")
    assert (item["Status"], item["SourceRegionId"], item["SourceSnapshotId"]) == ("progressing", REGION, source)
    assert (item["SnapshotName"], item["Description"], item["RetentionDays"]) == ("copied-1", "a copy", 7)
    assert item["SourceDiskId"] == disk_id and item["Tags"]["Tag"] == [{"TagKey": "copy", "TagValue": "yes"}]
    assert item["RegionId"] == "cn-beijing" and item["Encrypted"] is False
    # one unfinished cross-region copy of a disk per target region
    err = new_error(copy, client, source)
    assert (err.code, err.status_code) == ("InvalidOperation.UnfinishedCrossRegionCopy", 403)
    assert_documented("CopySnapshot", err)
    engine.clock.advance(20)
    assert one(client, copy_id, "cn-beijing")["Status"] == "accomplished"
    # the copy lives in its region: DeleteSnapshot finds it there, whatever the client's region
    client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=copy_id))
    assert describe(client, "cn-beijing")["TotalCount"] == 0


def test_copy_snapshot_encrypted_old_sdk_and_xml(client, legacy):
    from aliyunsdkecs.request.v20140526.CopySnapshotRequest import CopySnapshotRequest

    from tests.sdk import legacy_xml

    source = snapshot_of(client, disks(client, run(client)[0])[0]["DiskId"])
    req = CopySnapshotRequest()
    req.set_SnapshotId(source)
    req.set_DestinationRegionId("ap-southeast-1")
    req.set_DestinationSnapshotName("encrypted-copy")
    req.set_DestinationSnapshotDescription("encrypted in Singapore")
    req.set_Encrypted(True)
    req.set_KMSKeyId("key-sg-1")
    copy_id = legacy_call(legacy, req)["SnapshotId"]
    item = one(client, copy_id, "ap-southeast-1")
    assert (item["Encrypted"], item["KMSKeyId"]) == (True, "key-sg-1")
    # an encrypted snapshot is not copied back to a decrypted one
    err = new_error(copy, client, copy_id, destination=REGION, region="ap-southeast-1", encrypted=False)
    assert (err.code, err.status_code) == ("InvalidEncrypted.NotSupportDecrypt", 403)
    assert_documented("CopySnapshot", err)
    again = copy(client, copy_id, destination=REGION, region="ap-southeast-1")
    assert one(client, again)["Encrypted"] is True
    req = CopySnapshotRequest()
    req.set_SnapshotId(source)
    req.set_DestinationRegionId("eu-central-1")
    req.set_DestinationSnapshotName("xml-copy")
    req.set_DestinationSnapshotDescription("asked for in XML")
    root = legacy_xml(legacy, req)
    assert root.tag == "CopySnapshotResponse" and root.findtext("SnapshotId").startswith("s-gw8")


def test_copy_snapshot_async(client):
    source = snapshot_of(client, disks(client, run(client)[0])[0]["DiskId"])

    async def flow():
        return await client.copy_snapshot_async(models.CopySnapshotRequest(
            region_id=REGION, snapshot_id=source, destination_region_id="cn-shanghai",
            destination_snapshot_name="async-copy", destination_snapshot_description="copied asynchronously"))

    assert one(client, asyncio.run(flow()).body.snapshot_id, "cn-shanghai")["SourceSnapshotId"] == source


@pytest.mark.parametrize("kw,code,status", [
    ({"destination_region_id": REGION}, "InvalidOperation.NotSupportCopyInSameRegion", 403),
    ({"destination_region_id": "xx-nowhere-1"}, "InvalidRegionId.NotExists", 403),
    ({"snapshot_id": "s-bp1doesnotexist00000"}, "InvalidSnapshotId.NotFound", 403),
    ({"destination_snapshot_name": "1-bad"}, "InvalidSnapshotName.Malformed", 403),
    ({"destination_snapshot_description": "http://x"}, "InvalidDescription.Malformed", 403),
    ({"retention_days": 0}, "InvalidRetentionDays.Malformed", 403),
    ({"kmskey_id": "key-1"}, "InvalidEncrypted.NotMatchKmsKeyId", 403),
    ({"region_id": "xx-nowhere-1"}, "InvalidRegionId.MalFormed", 400),
    ({"tag": [models.CopySnapshotRequestTag(key="aliyun-x", value="v")]}, "InvalidTagKey.Malformed", 400),
])
def test_copy_snapshot_documented_errors(client, kw, code, status):
    source = snapshot_of(client, disks(client, run(client)[0])[0]["DiskId"])
    args = {"region_id": REGION, "snapshot_id": source, "destination_region_id": "cn-beijing",
            "destination_snapshot_name": "copied-1", "destination_snapshot_description": "a copy", **kw}
    err = new_error(client.copy_snapshot, models.CopySnapshotRequest(**args))
    assert (err.code, err.status_code) == (code, status)
    assert_documented("CopySnapshot", err)
    assert describe(client, "cn-beijing")["TotalCount"] == 0


def test_copy_snapshot_not_ready_and_other_account(client, engine, other):
    source = snapshot_of(client, disks(client, run(client)[0])[0]["DiskId"])
    err = new_error(copy, other.client, source)
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotFound", 403)
    engine.lifecycle.delay("snapshot", seconds=20)
    busy = snapshot_of(client, disks(client, run(client)[0])[0]["DiskId"])
    err = new_error(copy, client, busy)
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotReady", 403)
    assert_documented("CopySnapshot", err)
    err = new_error(client.copy_snapshot, models.CopySnapshotRequest(region_id=REGION, snapshot_id=source,
                                                                     destination_region_id="cn-beijing"))
    assert (err.code, err.status_code) == ("MissingParameter", 400)


# -- ModifySnapshotAttribute -------------------------------------------------------------------------
def modify(client, snapshot_id: str, **kw):
    return client.modify_snapshot_attribute(models.ModifySnapshotAttributeRequest(snapshot_id=snapshot_id, **kw))


def test_modify_snapshot_attribute(client, legacy, engine):
    from aliyunsdkecs.request.v20140526.ModifySnapshotAttributeRequest import ModifySnapshotAttributeRequest

    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id, snapshot_name="before", retention_days=7)
    created = one(client, sid)
    engine.clock.advance(60)
    assert modify(client, sid, snapshot_name="after-build", description="kept for the release",
                  retention_days=30).status_code == 200
    item = one(client, sid)
    assert (item["SnapshotName"], item["Description"], item["RetentionDays"]) == \
        ("after-build", "kept for the release", 30)
    assert item["LastModifiedTime"] > created["LastModifiedTime"] and item["CreationTime"] == created["CreationTime"]
    request = ModifySnapshotAttributeRequest()  # the old SDK: the description alone
    request.set_SnapshotId(sid)
    request.set_Description("old sdk")
    legacy_call(legacy, request)
    assert one(client, sid)["Description"] == "old sdk" and one(client, sid)["SnapshotName"] == "after-build"
    asyncio.run(client.modify_snapshot_attribute_async(models.ModifySnapshotAttributeRequest(
        snapshot_id=sid, snapshot_name="from-async")))
    assert one(client, sid)["SnapshotName"] == "from-async"


@pytest.mark.parametrize("kw, code", [
    ({"snapshot_name": "auto-mine"}, "InvalidSnapshotName.Malformed"),
    ({"description": "http://x"}, "InvalidDescription.Malformed"),
    ({"retention_days": 0}, "InvalidRetentionDays.Malformed"),
    ({}, "NoAttributeToModify"),
    ({"retention_days": 3}, "InvalidOperation.DecreaseRetentionDaysUnsupported"),
])
def test_modify_snapshot_attribute_documented_errors(client, kw, code):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    sid = snapshot_of(client, disk_id, retention_days=7)
    err = new_error(lambda: modify(client, sid, **kw))
    assert err.code == code
    assert_documented("ModifySnapshotAttribute", err)
    assert one(client, sid)["RetentionDays"] == 7  # nothing half applied


def test_modify_snapshot_attribute_not_ready_missing_and_other_account(client, engine, other):
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    engine.lifecycle.delay("snapshot", seconds=10)
    sid = snapshot_of(client, disk_id)
    err = new_error(lambda: modify(client, sid, snapshot_name="too-early"))
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotReady", 400)
    assert_documented("ModifySnapshotAttribute", err)
    engine.clock.advance(10)
    for who, snapshot_id in ((client, "s-bp1nothere000000000"), (other.client, sid)):
        err = new_error(lambda who=who, snapshot_id=snapshot_id: modify(who, snapshot_id, snapshot_name="theirs"))
        assert (err.code, err.status_code) == ("InvalidSnapshotId.NotFound", 404)
        assert_documented("ModifySnapshotAttribute", err)
    # a snapshot kept for good may be given a retention
    assert modify(client, sid, retention_days=5).status_code == 200 and one(client, sid)["RetentionDays"] == 5


# -- ResetDisk ---------------------------------------------------------------------------------------
def reset(client, disk_id: str, snapshot_id: str, **kw):
    return client.reset_disk(models.ResetDiskRequest(disk_id=disk_id, snapshot_id=snapshot_id, **kw))


def test_reset_disk_to_its_snapshot(client, legacy, engine):
    from aliyunsdkecs.request.v20140526.ResetDiskRequest import ResetDiskRequest

    iid = run(client)[0]
    disk_id = disks(client, iid)[0]["DiskId"]
    sid = snapshot_of(client, disk_id)
    err = new_error(lambda: reset(client, disk_id, sid))  # its instance still runs
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("ResetDisk", err)
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    engine.clock.advance(60)
    err = new_error(lambda: reset(client, disk_id, sid, dry_run=True))
    assert err.code == "DryRunOperation"
    engine.lifecycle.delay("disk", seconds=20)
    assert reset(client, disk_id, sid).status_code == 200
    assert disks(client, iid)[0]["Status"] == "ReIniting"
    engine.clock.advance(20)
    assert disks(client, iid)[0]["Status"] == "In_use"
    engine.lifecycle.delay("disk", seconds=0)
    request = ResetDiskRequest()
    request.set_DiskId(disk_id)
    request.set_SnapshotId(sid)
    assert "RequestId" in legacy_call(legacy, request)


def test_reset_disk_documented_errors(client, engine, other):
    first, second = run(client, amount=2)
    disk_id, other_disk = disks(client, first)[0]["DiskId"], disks(client, second)[0]["DiskId"]
    mine = snapshot_of(client, disk_id)
    theirs = snapshot_of(client, other_disk)
    for iid in (first, second):
        client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    engine.clock.advance(60)
    for args, code, status in (((disk_id, theirs), "InvalidParameter.Mismatch", 403),
                               (("d-bp1nothere000000000", mine), "InvalidDiskId.NotFound", 404),
                               ((disk_id, "s-bp1nothere000000000"), "InvalidSnapshotId.NotFound", 404)):
        err = new_error(lambda args=args: reset(client, *args))
        assert (err.code, err.status_code) == (code, status)
        assert_documented("ResetDisk", err)
    err = new_error(lambda: reset(other.client, disk_id, mine))
    assert err.code == "InvalidDiskId.NotFound"
    engine.lifecycle.delay("snapshot", seconds=10)
    snapshot_of(client, disk_id)
    err = new_error(lambda: reset(client, disk_id, mine))
    assert (err.code, err.status_code) == ("IncorrectDiskStatus.HasUnfinishedSnapshot", 403)
    assert_documented("ResetDisk", err)

"""Resource groups: the default group of each account, groups a test adds, InvalidResourceGroup.NotFound on
every operation that takes a ResourceGroupId, JoinResourceGroup, and ResourceGroupId filters by index."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.JoinResourceGroupRequest import JoinResourceGroupRequest

from mockecs.world import resource_groups
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_builder import BASE, component, pipeline
from tests.test_instances import LINUX, REGION, assert_documented, disks, old_error, run

UNKNOWN = "rg-aek2neverregistered"


def image_from(client, instance_id: str, **kw) -> str:
    return client.create_image(models.CreateImageRequest(region_id=REGION, instance_id=instance_id,
                                                         **kw)).body.image_id


def image_record(client, image_id: str, region: str = REGION) -> dict:
    return client.describe_images(models.DescribeImagesRequest(region_id=region, image_id=image_id)) \
        .body.to_map()["Images"]["Image"][0]


def join(client, resource_type: str, resource_id: str, group: str, region: str = REGION):
    return client.join_resource_group(models.JoinResourceGroupRequest(
        region_id=region, resource_type=resource_type, resource_id=resource_id, resource_group_id=group))


def test_new_resources_join_the_default_group(client, engine, other):
    instance_id = run(client)[0]
    image_id = image_from(client, instance_id)
    default = resource_groups.default_id(engine.accounts.default_account_id)
    assert default.startswith("rg-acfm") and len(default) == 18
    assert default != resource_groups.default_id(other.account_id)
    assert image_record(client, image_id)["ResourceGroupId"] == default
    instance = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, resource_group_id=default)).body.to_map()["Instances"]["Instance"]
    assert [i["InstanceId"] for i in instance] == [instance_id]
    assert {d["ResourceGroupId"] for d in disks(client, instance_id)} == {default}
    snapshot_id = image_record(client, image_id)["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"]
    snaps = client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=REGION, resource_group_id=default))
    assert [s.snapshot_id for s in snaps.body.snapshots.snapshot] == [snapshot_id]


def test_an_added_group_is_used_and_filtered(client, engine):
    group = resource_groups.add(engine, name="image-builds")
    instance_id = run(client, resource_group_id=group)[0]
    image_id = image_from(client, instance_id, resource_group_id=group)
    plain = image_from(client, run(client)[0])
    found = client.describe_images(models.DescribeImagesRequest(region_id=REGION, resource_group_id=group,
                                                                image_owner_alias="self")).body
    assert [i.image_id for i in found.images.image] == [image_id]
    assert plain != image_id
    listed = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, resource_group_id=group))
    assert [i.instance_id for i in listed.body.instances.instance] == [instance_id]
    assert client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, resource_group_id=UNKNOWN)).body.total_count == 0  # a filter, not an error


def test_filters_use_the_index_not_scans(client, engine, monkeypatch):
    from mockecs.state.store import _MemoryTransaction

    group = resource_groups.add(engine)
    instance_id = run(client, resource_group_id=group)[0]
    image_id = image_from(client, instance_id, resource_group_id=group)

    def no_scan(self, kind):
        raise AssertionError(f"scanned {kind}")

    monkeypatch.setattr(_MemoryTransaction, "scan", no_scan)
    assert client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, resource_group_id=group)).body.images.image[0].image_id == image_id
    assert client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, resource_group_id=group)).body.total_count == 1
    assert client.describe_disks(models.DescribeDisksRequest(region_id=REGION, resource_group_id=group)) \
        .body.total_count == 1  # the instance's system disk is in the instance's group
    assert client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=REGION, resource_group_id=group)).body.total_count == 0


def _calls(client, engine) -> dict:
    instance_id = run(client)[0]
    disk_id = disks(client, instance_id)[0]["DiskId"]
    image_id = image_from(client, instance_id)
    return {
        "RunInstances": lambda g: client.run_instances(models.RunInstancesRequest(
            region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", resource_group_id=g)),
        "CreateInstance": lambda g: client.create_instance(models.CreateInstanceRequest(
            region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", resource_group_id=g)),
        "CreateImage": lambda g: client.create_image(models.CreateImageRequest(
            region_id=REGION, instance_id=instance_id, resource_group_id=g)),
        "CopyImage": lambda g: client.copy_image(models.CopyImageRequest(
            region_id=REGION, image_id=image_id, destination_region_id="cn-beijing", resource_group_id=g)),
        "CreateSnapshot": lambda g: client.create_snapshot(models.CreateSnapshotRequest(
            disk_id=disk_id, resource_group_id=g)),
        "ImportImage": lambda g: client.import_image(models.ImportImageRequest(
            region_id=REGION, resource_group_id=g, disk_device_mapping=[
                models.ImportImageRequestDiskDeviceMapping(ossbucket="images", ossobject="x.raw")])),
        "CreateDisk": lambda g: client.create_disk(models.CreateDiskRequest(
            region_id=REGION, zone_id="cn-hangzhou-h", size=20, resource_group_id=g)),
        "CreateImageComponent": lambda g: component(client, resource_group_id=g),
        "CreateImagePipeline": lambda g: pipeline(client, base_image=BASE, resource_group_id=g),
    }


def test_unknown_groups_answer_the_documented_error_everywhere(client, engine, other):
    others = resource_groups.add(engine, account=other.account_id)
    for action, call in _calls(client, engine).items():
        for group in (UNKNOWN, others):
            err = error_of(call, group)
            assert (err.code, err.status_code) == ("InvalidResourceGroup.NotFound", 404), action
            assert_documented(action, err)


def test_option_any_accepts_made_up_groups(client, engine):
    engine.config.options["resource_groups"] = "any"
    calls = _calls(client, engine)
    calls["RunInstances"](UNKNOWN)
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, resource_group_id=UNKNOWN))
    assert found.body.total_count == 1
    err = error_of(calls["CreateDisk"], "not-a-group-id")  # still a well-formed rg-... id only
    assert err.code == "InvalidResourceGroup.NotFound"


# -- JoinResourceGroup ----------------------------------------------------------------------------
def test_join_resource_group_moves_a_resource(client, legacy, engine):
    group = resource_groups.add(engine, name="release")
    image_id = image_from(client, run(client)[0])
    assert set(join(client, "image", image_id, group).body.to_map()) == {"RequestId"}
    assert image_record(client, image_id)["ResourceGroupId"] == group
    default = resource_groups.default_id(engine.accounts.default_account_id)
    found = client.describe_images(models.DescribeImagesRequest(region_id=REGION, resource_group_id=default,
                                                                image_owner_alias="self")).body
    assert image_id not in [i.image_id for i in found.images.image]
    # back through the old SDK, and XML
    req = JoinResourceGroupRequest()
    req.set_ResourceType("image")
    req.set_ResourceId(image_id)
    req.set_ResourceGroupId(default)
    legacy_call(legacy, req)
    assert image_record(client, image_id)["ResourceGroupId"] == default
    assert legacy_xml(legacy, req).tag == "JoinResourceGroupResponse"

    instance_id = run(client)[0]

    async def flow():
        await client.join_resource_group_async(models.JoinResourceGroupRequest(
            region_id=REGION, resource_type="instance", resource_id=instance_id, resource_group_id=group))

    asyncio.run(flow())
    listed = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, resource_group_id=group))
    assert [i.instance_id for i in listed.body.instances.instance] == [instance_id]


def test_join_resource_group_documented_errors(client, legacy, engine, other):
    group = resource_groups.add(engine)
    instance_id = run(client)[0]
    for args, code, status in [(("bogus", instance_id, group), "InvalidResourceType.NotFound", 404),
                               (("instance", instance_id, UNKNOWN), "InvalidResourceGroup.NotFound", 404),
                               (("instance", "i-bp1doesnotexist00000", group), "InvalidResourceId.NotFound", 404),
                               (("keypair", "no-such-pair", group), "InvalidResourceId.NotFound", 404)]:
        err = error_of(join, client, *args)
        assert (err.code, err.status_code) == (code, status), args
        assert_documented("JoinResourceGroup", err)
    err = error_of(join, other.client, "instance", instance_id, resource_groups.default_id(other.account_id))
    assert (err.code, err.status_code) == ("InvalidResourceId.NotFound", 404)
    req = JoinResourceGroupRequest()
    req.set_ResourceType("instance")
    req.set_ResourceGroupId(group)
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("MissingParameter", 403)
    assert_documented("JoinResourceGroup", err)


@pytest.mark.parametrize("kind", ["disk", "snapshot"])
def test_join_then_filter_disks_and_snapshots(client, engine, kind):
    group = resource_groups.add(engine)
    instance_id = run(client)[0]
    disk_id = disks(client, instance_id)[0]["DiskId"]
    target = disk_id
    if kind == "snapshot":
        target = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
    join(client, kind, target, group)
    if kind == "disk":
        found = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, resource_group_id=group)).body
        assert [d.disk_id for d in found.disks.disk] == [disk_id]
    else:
        found = client.describe_snapshots(models.DescribeSnapshotsRequest(
            region_id=REGION, resource_group_id=group, snapshot_ids=json.dumps([target]))).body
        assert [s.snapshot_id for s in found.snapshots.snapshot] == [target]

"""Image status over (mock) time, and end-to-end image flows through the real SDKs."""
from __future__ import annotations

from alibabacloud_ecs20140526 import models

from tests.sdk import new_client
from tests.test_images import ARM, REGION, UBUNTU, create_image, create_snapshot, describe, error, image, run_instance

BEIJING = "cn-beijing"


def test_creating_until_the_delay_passes(client, engine):
    engine.lifecycle.delay("image", seconds=60)
    image_id = create_image(client, image_name="slow-1")
    assert describe(client, image_id=image_id)["TotalCount"] == 0  # default Status=Available hides it
    got = image(client, image_id, status="Creating")
    assert got["Status"] == "Creating" and got["Progress"] == "0%" and got["Usable"] is False
    engine.clock.advance(30)
    assert image(client, image_id)["Progress"] == "50%"
    engine.clock.advance(30)
    got = image(client, image_id, status=None)
    assert got["Status"] == "Available" and got["Progress"] == "100%" and got["Usable"] is True


def test_observations(client, engine):
    engine.lifecycle.delay("image", observations=2)
    image_id = create_image(client, image_name="obs-1")
    assert image(client, image_id)["Status"] == "Creating"
    assert image(client, image_id)["Status"] == "Available"


def test_injected_failure_by_id_and_next(client, engine):
    engine.lifecycle.fail_next("image")
    failed = create_image(client, image_name="fail-1")
    assert engine.lifecycle.failures.get(failed)  # the claimed id is reported
    assert image(client, failed)["Status"] == "CreateFailed"
    assert image(client, create_image(client, image_name="ok-1"))["Status"] == "Available"  # only the next one
    engine.lifecycle.delay("image", seconds=10)
    later = create_image(client, image_name="fail-2")
    engine.lifecycle.fail(later)  # by id, before it settles
    engine.clock.advance(10)
    assert image(client, later)["Status"] == "CreateFailed"
    # A failed image can be deleted.
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=later))


def test_copy_waits_behind_another_copy(client, engine):
    source = create_image(client, image_name="queue-src")
    second_source = create_image(client, image_name="queue-src-2")
    engine.lifecycle.delay("copy", seconds=60)
    copy = lambda image_id: client.copy_image(models.CopyImageRequest(  # noqa: E731
        region_id=REGION, image_id=image_id, destination_region_id=BEIJING)).body.image_id
    first = copy(source)
    exc = error(lambda: copy(source))  # the same source is already on its way
    assert exc.code == "OperationDenied.ImageCopyConflict"
    queued = copy(second_source)
    bj = new_client(region=BEIJING)
    assert image(bj, first, BEIJING)["Status"] == "Creating"
    assert image(bj, queued, BEIJING)["Status"] == "Waiting"
    engine.clock.advance(60)
    assert image(bj, first, BEIJING)["Status"] == "Available"
    assert image(bj, queued, BEIJING)["Status"] == "Creating"
    engine.clock.advance(60)
    assert image(bj, queued, BEIJING)["Status"] == "Available"


def test_end_to_end_instance_snapshot_image_copy_deprecate_family_delete(client, engine):
    bj = new_client(region=BEIJING)
    instance_id = run_instance(client, UBUNTU)
    snapshot_id = create_snapshot(client, instance_id)
    v1 = create_image(client, snapshot_id=snapshot_id, image_name="app-v1", image_family="app")
    engine.clock.advance(60)
    v2 = create_image(client, instance_id=instance_id, image_name="app-v2", image_family="app")
    copied = client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=v2, destination_region_id=BEIJING,
                                                       destination_image_name="app-v2")).body.image_id
    assert image(bj, copied, BEIJING)["IsCopied"] is True

    def family() -> str:
        return client.describe_image_from_family(models.DescribeImageFromFamilyRequest(
            region_id=REGION, image_family="app")).body.to_map()["Image"].get("ImageId", "")

    assert family() == v2
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=v2,
                                                                     status="Deprecated"))
    assert family() == v1
    # Instances may still start from a deprecated image; its snapshot stays behind the image.
    run_instance(client, v2)
    exc = error(lambda: client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=v2)))
    assert exc.code == "ImageUsingByInstance"
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=v2, force=True))
    assert describe(client, image_id=v2, status="ALL")["TotalCount"] == 0
    assert image(bj, copied, BEIJING)["Status"] == "Available"  # the copy lives on
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=v1))
    assert family() == ""
    snaps = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=REGION, snapshot_ids=f'["{snapshot_id}"]')).body
    assert snaps.total_count == 1  # deleting an image keeps its snapshots


def test_shared_image_refused_for_deletion_then_deleted(client, other):
    image_id = create_image(client, image_name="shared-del-1")
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, add_account=[other.account_id]))
    for force in (False, True):  # Force does not override a share
        exc = error(lambda f=force: client.delete_image(models.DeleteImageRequest(region_id=REGION,
                                                                                  image_id=image_id, force=f)))
        assert (exc.code, exc.status_code) == ("ImageUseShared", 403)
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, remove_account=[other.account_id]))
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id))
    assert describe(other.client, image_id=image_id, status="ALL")["TotalCount"] == 0


def test_refused_create_leaves_no_snapshots(client):
    # The instance path snapshots every disk before it learns that BIOS cannot boot an arm64 image:
    # the whole call rolls back, so no snapshot is left behind.
    instance_id = run_instance(client, ARM, data_disks=1, instance_type="ecs.g8y.large")
    count = lambda: client.describe_snapshots(models.DescribeSnapshotsRequest(  # noqa: E731
        region_id=REGION)).body.total_count
    before = count()
    exc = error(lambda: create_image(client, instance_id=instance_id, image_name="arm-1", boot_mode="BIOS"))
    assert exc.code == "InvalidBootMode.NotSupport"
    assert count() == before
    assert describe(client, image_owner_alias="self", status="ALL")["TotalCount"] == 0
    create_image(client, instance_id=instance_id, image_name="arm-1")
    assert count() == before + 2


def test_failure_injected_after_the_transition_was_due_does_not_change_it(mock, client):
    """The image was done at t+60 by the mock clock; failing it at t+120, before anyone looked, is too late."""
    from alibabacloud_ecs20140526 import models

    engine = mock.engine
    engine.lifecycle.delay("image", seconds=60)
    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    early = client.create_image(models.CreateImageRequest(region_id="cn-hangzhou", instance_id=instance_id,
                                                          image_name="done-before")).body.image_id
    late = client.create_image(models.CreateImageRequest(region_id="cn-hangzhou", instance_id=instance_id,
                                                         image_name="still-running")).body.image_id
    engine.clock.advance(30)
    engine.lifecycle.fail(late)  # injected while it runs: it fails
    engine.clock.advance(90)
    engine.lifecycle.fail(early)  # injected after it was due: too late
    status = {i.image_id: i.status for i in client.describe_images(models.DescribeImagesRequest(
        region_id="cn-hangzhou", image_owner_alias="self", status="ALL")).body.images.image}
    assert status == {early: "Available", late: "CreateFailed"}

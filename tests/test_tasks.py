"""ImportImage, ExportImage, DescribeTasks, DescribeTaskAttribute, CancelTask and the OSS stand-in, via the SDKs."""
from __future__ import annotations

import asyncio
import json

import pytest
from alibabacloud_ecs20140526 import models
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DescribeTaskAttributeRequest import DescribeTaskAttributeRequest
from aliyunsdkecs.request.v20140526.DescribeTasksRequest import DescribeTasksRequest
from aliyunsdkecs.request.v20140526.ImportImageRequest import ImportImageRequest

from mockecs.state.hookspecs import hookimpl
from mockecs.world import resources
from tests.sdk import error_of, legacy_call
from tests.sdk_shapes import wire_schema
from tests.spec import documented_error

REGION = "cn-hangzhou"
GIB = 1024 ** 3
ALL_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"


def disk(bucket="images", obj="disk.qcow2", size=None, fmt=None, legacy_size=None):
    return models.ImportImageRequestDiskDeviceMapping(ossbucket=bucket, ossobject=obj, disk_image_size=size,
                                                      format=fmt, disk_im_size=legacy_size)


def import_image(client, name="imported-1", mappings=None, **kw):
    req = models.ImportImageRequest(region_id=kw.pop("region_id", REGION), image_name=name,
                                    disk_device_mapping=mappings or [disk(size=20)], **kw)
    return client.import_image(req).body


def assert_documented(action, err, code, status=None):
    """The error matches the metadata's (status, message) for that code when documented."""
    assert err.code == code
    documented = documented_error(action, code)
    if documented is not None:
        status_, message = documented
        assert err.status_code == status_
        if "%s" not in message:  # a templated message: only the status is documented exactly
            assert err.data["Message"] == message
    if status is not None:
        assert err.status_code == status


def image(client, image_id):
    body = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id,
                                                               status=ALL_STATUSES)).body
    assert body.total_count == 1
    return body.images.image[0]


def task(client, task_id):
    return client.describe_task_attribute(models.DescribeTaskAttributeRequest(region_id=REGION, task_id=task_id)).body


# -- ImportImage ---------------------------------------------------------------------------
def test_import_creates_available_image_task_and_snapshot(client):
    body = import_image(client, tag=[models.ImportImageRequestTag(key="env", value="prod")],
                        platform="ubuntu", features=models.ImportImageRequestFeatures(nvme_support="supported"))
    assert body.image_id.startswith("m-bp1") and body.task_id.startswith("t-bp1") and body.region_id == REGION
    img = image(client, body.image_id)
    assert (img.status, img.progress, img.image_owner_alias, img.platform, img.ostype) == (
        "Available", "100%", "self", "Ubuntu", "linux")
    assert img.features.nvme_support == "supported"
    assert img.tags.tag[0].tag_key == "env" and img.tags.tag[0].tag_value == "prod"
    mapping = img.disk_device_mappings.disk_device_mapping[0]
    assert (mapping.import_ossbucket, mapping.import_ossobject, mapping.format, mapping.size, mapping.type) == (
        "images", "disk.qcow2", "QCOW2", "20", "system")
    assert mapping.snapshot_id.startswith("s-")
    snaps = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=REGION, snapshot_ids=json.dumps([mapping.snapshot_id]))).body.snapshots.snapshot
    assert [s.status for s in snaps] == ["accomplished"]

    attr = task(client, body.task_id)
    assert (attr.task_action, attr.task_status, attr.task_process, attr.support_cancel) == (
        "ImportImage", "Finished", "100%", "false")
    assert (attr.total_count, attr.success_count, attr.failed_count) == (1, 1, 0)
    assert len(attr.creation_time) == len("2020-11-24T12:50Z") and attr.creation_time.endswith("Z")
    wire = attr.to_map()
    assert set(wire) <= set(wire_schema(models.DescribeTaskAttributeResponseBody))
    assert isinstance(wire["TotalCount"], int) and isinstance(wire["SupportCancel"], str)


def test_import_is_delayed_by_the_task_lifecycle(client, engine):
    engine.lifecycle.delay("task", seconds=60)
    body = import_image(client)
    img = image(client, body.image_id)
    assert img.status == "Creating" and img.disk_device_mappings.disk_device_mapping[0].snapshot_id == ""
    # DescribeImages' default Status=Available hides it (spec §2.4).
    listed = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=body.image_id)).body
    assert listed.total_count == 0
    attr = task(client, body.task_id)
    assert (attr.task_status, attr.support_cancel, attr.finished_time) == ("Processing", "true", "")
    engine.clock.advance(30)
    assert task(client, body.task_id).task_process == "50%"
    engine.clock.advance(31)
    attr = task(client, body.task_id)
    assert (attr.task_status, attr.task_process, attr.support_cancel) == ("Finished", "100%", "false")
    assert attr.finished_time >= attr.creation_time
    img = image(client, body.image_id)
    assert img.status == "Available" and img.disk_device_mappings.disk_device_mapping[0].snapshot_id.startswith("s-")


def test_injected_failure_fails_task_and_image(client, engine):
    engine.lifecycle.fail_next("task")
    body = import_image(client)
    attr = task(client, body.task_id)
    assert attr.task_status == "Failed" and attr.failed_count == 1
    progress = attr.operation_progress_set.operation_progress[0]
    assert (progress.operation_status, progress.error_code) == ("Failed", "ImportImageFailed")
    assert image(client, body.image_id).status == "CreateFailed"


def test_import_dry_run_answers_its_documented_code_and_creates_nothing(client):
    err = error_of(lambda: import_image(client, dry_run=True))
    assert_documented("ImportImage", err, "DRYRUN.SUCCESS", 400)
    assert err.data["Message"] == "This request is a dryrun request with successful result."
    tasks = client.describe_tasks(models.DescribeTasksRequest(region_id=REGION)).body
    assert tasks.total_count == 0


@pytest.mark.parametrize("kwargs,code,status", [
    ({"ostype": "solaris"}, "InvalidOSType.Malformed", 400),
    ({"architecture": "sparc"}, "InvalidArchitecture.Malformed", 400),
    ({"platform": "Plan9"}, "InvalidPlatform.Malformed", 400),
    ({"mappings": [disk(fmt="ISO")]}, "InvalidImageFormat.Malformed", 400),
    ({"architecture": "arm64", "boot_mode": "BIOS"}, "InvalidBootMode.NotSupport", 400),
    ({"boot_mode": "Legacy"}, "InvalidBootMode.Malformed", 400),
    ({"license_type": "Aliyun", "platform": "Others Linux"}, "InvalidLicenseType.BYOLOnly", 400),
    ({"license_type": "Free"}, "InvalidLicenseType.NotSupported", 400),
    ({"name": "1-starts-with-digit"}, "InvalidImageName.Malformed", 400),
    ({"description": "http://nope"}, "InvalidDescription.Malformed", 400),
    ({"mappings": [disk(size=501)]}, "InvalidImageSize", 400),
    # 0 is a value out of the documented 5-500 / 5-2000 GiB ranges, not "size not given"
    ({"mappings": [disk(size=0)]}, "InvalidImageSize", 400),
    ({"mappings": [disk(size=4)]}, "InvalidImageSize", 400),
    ({"mappings": [disk(legacy_size=0)]}, "InvalidImageSize", 400),
    ({"mappings": [disk(size=20), disk(size=0)]}, "InvalidDataDiskSize", 400),
    ({"mappings": [disk(size=20), disk(size=2001)]}, "InvalidDataDiskSize", 400),
    ({"mappings": [disk(bucket="Bad_Bucket")]}, "InvalidOSSBucket.Malformed", 400),
    ({"architecture": "arm64", "ostype": "windows", "platform": "Windows Server 2022"},
     "InvalidArchitecture.PlatformUnsupported", 403),
    ({"detection_strategy": "Deep"}, "InvalidParameter.DetectionStrategy", 400),
])
def test_import_validation(client, kwargs, code, status):
    name = kwargs.pop("name", "imported-1")
    mappings = kwargs.pop("mappings", None)
    err = error_of(lambda: import_image(client, name=name, mappings=mappings, **kwargs))
    assert_documented("ImportImage", err, code, status)


def test_import_requires_disk_mappings(client, legacy):
    err = error_of(lambda: client.import_image(models.ImportImageRequest(region_id=REGION, image_name="x1")))
    assert_documented("ImportImage", err, "MissingParameter.DiskDeviceMapping", 403)
    req = ImportImageRequest()
    req.set_DiskDeviceMappings([{"OSSObject": "a.raw"}])
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, req)
    assert info.value.get_error_code() == "MissingParameter"
    assert '"DiskDeviceMapping.1.OSSBucket"' in info.value.get_error_msg()


def test_import_duplicate_name_and_quota(client, engine):
    import_image(client, name="same-name")
    err = error_of(lambda: import_image(client, name="same-name"))
    assert_documented("ImportImage", err, "InvalidImageName.Duplicated", 400)
    engine.config.options["image_quota"] = 1
    err = error_of(lambda: import_image(client, name="another-name"))
    assert_documented("ImportImage", err, "QuotaExceed.Image", 403)


def test_import_region_error_is_400(client):
    err = error_of(lambda: import_image(client, region_id="xx-nowhere-1"))
    assert (err.code, err.status_code) == ("InvalidRegionId.NotFound", 400)


def test_import_client_token_is_idempotent(client):
    first = import_image(client, client_token="tok-1")
    again = import_image(client, client_token="tok-1")
    assert (again.image_id, again.task_id) == (first.image_id, first.task_id)


def test_legacy_import_with_deprecated_size_and_windows_platform(legacy):
    req = ImportImageRequest()
    req.set_ImageName("win-import")
    req.set_Platform("Windows Server 2019")
    req.set_LicenseType("BYOL")
    req.set_DiskDeviceMappings([{"OSSBucket": "images", "OSSObject": "win.vhd", "DiskImSize": 60},
                                {"OSSBucket": "images", "OSSObject": "data.raw"}])
    body = legacy_call(legacy, req)
    assert set(body) == {"RequestId", "ImageId", "TaskId", "RegionId"}
    attr = DescribeTaskAttributeRequest()
    attr.set_TaskId(body["TaskId"])
    raw = legacy_call(legacy, attr)
    assert raw["TaskStatus"] == "Finished" and raw["TotalCount"] == 1
    assert raw["OperationProgressSet"]["OperationProgress"][0]["RelatedItemSet"]["RelatedItem"] == [
        {"Name": "ImageId", "Value": body["ImageId"]}]


def test_imported_windows_image_fields(client):
    body = import_image(client, platform="Windows Server 2019", mappings=[disk(obj="w.vhd", size=60),
                                                                         disk(obj="d.raw")])
    img = image(client, body.image_id)
    assert (img.ostype, img.platform, img.boot_mode, img.license_type, img.size) == (
        "windows", "Windows Server 2019", "BIOS", "Auto", 60)
    devices = [(m.device, m.type, m.format) for m in img.disk_device_mappings.disk_device_mapping]
    assert devices == [("/dev/xvda", "system", "VHD"), ("/dev/xvdb", "data", "RAW")]


# -- the OSS stand-in ------------------------------------------------------------------------
def test_strict_oss_checks_buckets_objects_and_sizes(client, engine):
    engine.oss.strict = True
    err = error_of(lambda: import_image(client))
    assert_documented("ImportImage", err, "InvalidOSSBucket.NotFound", 400)
    engine.oss.create_bucket(REGION, "images")
    err = error_of(lambda: import_image(client))
    assert_documented("ImportImage", err, "InvalidOSSObject.NotFound", 400)
    assert err.data["Message"] == "The specified OSS object does not exist in this region."
    engine.oss.put_object(REGION, "images", "disk.qcow2", size=0)
    err = error_of(lambda: import_image(client))
    assert_documented("ImportImage", err, "InvalidOSSObject.Size", 400)
    engine.oss.put_object(REGION, "images", "disk.qcow2", size=30 * GIB)
    err = error_of(lambda: import_image(client, mappings=[disk(size=20)]))
    assert err.code == "InvalidImageSize"
    body = import_image(client, mappings=[disk()])
    assert image(client, body.image_id).size == 30
    # Buckets are per region: one registered in another region is the wrong bucket (issue 13: was NotFound).
    err = error_of(lambda: import_image(client, name="elsewhere", region_id="cn-beijing"))
    assert_documented("ImportImage", err, "InvalidOSSBucket.NotMatched", 400)
    err = error_of(lambda: import_image(client, name="nowhere", mappings=[disk(bucket="no-such-bucket")]))
    assert err.code == "InvalidOSSBucket.NotFound"


def test_reset_forgets_the_oss_registry(engine):
    engine.oss.strict = True
    engine.oss.put_object(REGION, "images", "a.raw", size=GIB)
    assert engine.oss.get_object(REGION, "images", "a.raw")["size"] == GIB
    assert "oss_object" in engine.export_state()["store"]
    engine.reset()
    assert engine.oss.strict is False
    assert engine.oss.objects(REGION, "images") == []


def test_a_users_oss_plugin_replaces_the_builtin_one(client, engine):
    class NoBuckets:
        @hookimpl
        def mockecs_oss_object(self, region, bucket, object_name, account):
            return {"bucket_missing": True} if bucket == "forbidden" else None

    plugin = NoBuckets()
    engine.plugins.register(plugin)
    try:
        err = error_of(lambda: import_image(client, mappings=[disk(bucket="forbidden")]))
        assert err.code == "InvalidOSSBucket.NotFound"
        import_image(client, mappings=[disk(bucket="allowed")])  # no opinion: the built-in answer
    finally:
        engine.plugins.unregister(plugin)


# -- ExportImage -----------------------------------------------------------------------------
def export(client, image_id, bucket="exports", prefix="MYPRE", fmt=None, **kw):
    return client.export_image(models.ExportImageRequest(region_id=REGION, image_id=image_id, ossbucket=bucket,
                                                         ossprefix=prefix, image_format=fmt, **kw)).body


def test_export_writes_the_object_and_reports_it(client, engine):
    image_id = import_image(client).image_id
    body = export(client, image_id, fmt="vhd")
    assert set(body.to_map()) == {"RequestId", "RegionId", "TaskId"}
    attr = task(client, body.task_id)
    assert (attr.task_action, attr.task_status) == ("ExportImage", "Finished")
    items = {i.name: i.value for i in attr.operation_progress_set.operation_progress[0].related_item_set.related_item}
    expected = f"MYPRE_{image_id}_{body.task_id}.vhd"
    assert items == {"OSSBucket": "exports", "OSSObject": expected, "ImageFormat": "vhd"}
    assert [o["name"] for o in engine.oss.objects(REGION, "exports")] == [expected]
    # The exported object can be imported again.
    engine.oss.strict = True
    again = import_image(client, name="reimported", mappings=[disk(bucket="exports", obj=expected)])
    assert image(client, again.image_id).status == "Available"


def test_export_in_progress_blocks_delete_and_second_export(client, engine):
    image_id = import_image(client).image_id
    engine.lifecycle.delay("task", seconds=60)
    body = export(client, image_id)
    assert engine.oss.objects(REGION, "exports") == []  # not written until the task finishes
    err = error_of(lambda: export(client, image_id))
    assert_documented("ExportImage", err, "ImageIsExporting", 403)
    err = error_of(lambda: client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id)))
    assert err.code == "ImageIsExporting"
    engine.clock.advance(61)
    assert task(client, body.task_id).task_status == "Finished"
    assert len(engine.oss.objects(REGION, "exports")) == 1
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id))


def assert_market_refusal(err):
    # ImageNotSupported is documented twice: 400 (encrypted snapshots) and 403 (Marketplace).
    assert (err.code, err.status_code) == ("ImageNotSupported", 403)
    assert err.data["Message"] == "The specified image from the image market, do not support export image."


def test_export_refusals(client, engine):
    err = error_of(lambda: export(client, "m-bp1doesnotexist00000"))
    assert_documented("ExportImage", err, "InvalidImageId.NotFound", 404)
    system_id = engine.catalog.ids("system")[0]
    err = error_of(lambda: export(client, system_id))
    assert_documented("ExportImage", err, "InvalidImageCategory.NotSupported", 403)
    market_id = engine.catalog.ids("marketplace")[0]
    err = error_of(lambda: export(client, market_id))
    assert_market_refusal(err)
    community_id = engine.catalog.ids("community")[0]
    assert error_of(lambda: export(client, community_id)).status_code == 403

    image_id = import_image(client).image_id
    err = error_of(lambda: export(client, image_id, prefix="bad-prefix!"))
    assert_documented("ExportImage", err, "InvalidOSSPrefix.Malformed", 400)
    err = error_of(lambda: export(client, image_id, fmt="iso"))
    assert_documented("ExportImage", err, "InvalidImageFormat.Malformed", 400)
    engine.oss.strict = True
    err = error_of(lambda: export(client, image_id, bucket="missing"))
    assert_documented("ExportImage", err, "InvalidOSSBucket.NotFound", 400)
    err = error_of(lambda: export(client, image_id, dry_run=True))
    assert err.code == "InvalidOSSBucket.NotFound"  # DryRun runs every check first
    engine.oss.create_bucket(REGION, "exports")
    err = error_of(lambda: export(client, image_id, dry_run=True))
    assert err.code == "DryRunOperation"


def test_export_of_marketplace_derived_or_creating_image(client, engine):
    engine.lifecycle.delay("task", seconds=60)
    creating = import_image(client, name="still-creating").image_id
    err = error_of(lambda: export(client, creating))
    assert_documented("ExportImage", err, "IncorrectImageStatus", 400)
    engine.lifecycle.delay("task", seconds=0)
    image_id = import_image(client, name="derived").image_id
    with engine.store.transaction() as txn:
        record = dict(txn.get("image", image_id), ProductCode="cmjj000001")
        resources.put(txn, "image", record)
    err = error_of(lambda: export(client, image_id))
    assert_market_refusal(err)


def test_other_accounts_cannot_export_or_see_tasks(client, other):
    body = import_image(client)
    err = error_of(lambda: export(other.client, body.image_id))
    assert err.code == "InvalidImageId.NotFound"
    err = error_of(lambda: task(other.client, body.task_id))
    assert_documented("DescribeTaskAttribute", err, "InvalidTaskId.NotFound", 400)
    assert other.client.describe_tasks(models.DescribeTasksRequest(region_id=REGION)).body.total_count == 0


# -- DescribeTasks / DescribeTaskAttribute -------------------------------------------------------
def test_describe_tasks_filters_and_pages(client, engine):
    first = import_image(client, name="one")
    engine.clock.advance(120)
    engine.lifecycle.delay("task", seconds=600)
    second = import_image(client, name="two")
    exported = export(client, first.image_id)

    def ids(**kw):
        body = client.describe_tasks(models.DescribeTasksRequest(region_id=REGION, **kw)).body
        return body, [t.task_id for t in body.task_set.task]

    body, all_ids = ids()
    assert body.total_count == 3 and (body.page_number, body.page_size) == (1, 10)
    assert all_ids[-1] == first.task_id  # newest first
    assert ids(task_ids=f"{first.task_id},{second.task_id}")[1] == [second.task_id, first.task_id]
    assert set(ids(resource_ids=[first.image_id])[1]) == {first.task_id, exported.task_id}
    assert ids(task_action="ExportImage")[1] == [exported.task_id]
    assert ids(task_status="Finished")[1] == [first.task_id]
    assert set(ids(task_status="Processing")[1]) == {second.task_id, exported.task_id}
    assert len(ids(task_status="Paused")[1]) == 3  # undocumented filter values are ignored
    created = resources.iso(engine.clock.now() - 60)
    assert set(ids(start_time=created)[1]) == {second.task_id, exported.task_id}
    assert ids(end_time=created)[1] == [first.task_id]
    body, page = ids(page_size=2, page_number=2)
    assert (body.total_count, len(page)) == (3, 1)
    row = client.describe_tasks(models.DescribeTasksRequest(region_id=REGION, task_ids=first.task_id)).body.to_map()
    task_row = row["TaskSet"]["Task"][0]
    assert set(task_row) == set(wire_schema(models.DescribeTasksResponseBodyTaskSetTask))
    assert task_row["SupportCancel"] == "false" and task_row["ResourceId"] == first.image_id
    err = error_of(lambda: ids(page_size=101))
    assert err.code == "InvalidParameter"
    err = error_of(lambda: ids(task_ids=",".join(f"t-{i}" for i in range(101))))
    assert err.code == "InvalidParameter"


def test_describe_tasks_async_and_legacy(client, legacy):
    body = import_image(client)

    async def run():
        return await client.describe_tasks_async(models.DescribeTasksRequest(region_id=REGION))

    assert asyncio.run(run()).body.task_set.task[0].task_id == body.task_id
    req = DescribeTasksRequest()
    req.set_TaskAction("ImportImage")
    raw = legacy_call(legacy, req)
    assert raw["TotalCount"] == 1 and raw["TaskSet"]["Task"][0]["SupportCancel"] == "false"


def test_describe_task_attribute_unknown_or_other_region(client):
    err = error_of(lambda: task(client, "t-bp1nonexistent000000"))
    assert_documented("DescribeTaskAttribute", err, "InvalidTaskId.NotFound", 400)
    assert err.data["Message"] == 'The specified "TaskId" is not found.'
    body = import_image(client)
    err = error_of(lambda: client.describe_task_attribute(
        models.DescribeTaskAttributeRequest(region_id="cn-beijing", task_id=body.task_id)))
    assert err.code == "InvalidTaskId.NotFound"


# -- CancelTask --------------------------------------------------------------------------------
def cancel(client, task_id):
    return client.cancel_task(models.CancelTaskRequest(region_id=REGION, task_id=task_id)).body


def test_cancel_running_import(client, engine):
    engine.lifecycle.delay("task", seconds=60)
    body = import_image(client)
    assert set(cancel(client, body.task_id).to_map()) == {"RequestId"}
    attr = task(client, body.task_id)
    assert (attr.task_status, attr.support_cancel) == ("Deleted", "false")
    assert attr.finished_time != ""
    img = image(client, body.image_id)
    assert img.status == "CreateFailed"
    engine.clock.advance(120)  # the cancelled transition never completes
    assert task(client, body.task_id).task_status == "Deleted"
    assert image(client, body.image_id).status == "CreateFailed"
    err = error_of(lambda: cancel(client, body.task_id))
    assert_documented("CancelTask", err, "InvalidTaskId.IncorrectTaskStatus", 403)
    # A failed import can then be deleted (what an image-import tool does).
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=body.image_id))


def test_cancelled_status_is_an_option(client, engine):
    engine.config.options["cancelled_task_status"] = "Failed"
    engine.lifecycle.delay("task", seconds=60)
    body = import_image(client)
    cancel(client, body.task_id)
    assert task(client, body.task_id).task_status == "Failed"


def test_cancel_running_export_writes_nothing(client, engine):
    image_id = import_image(client).image_id
    engine.lifecycle.delay("task", seconds=60)
    body = export(client, image_id)
    cancel(client, body.task_id)
    engine.clock.advance(120)
    assert engine.oss.objects(REGION, "exports") == []
    assert image(client, image_id).status == "Available"
    export(client, image_id)  # no longer exporting


def test_cancel_errors(client):
    err = error_of(lambda: cancel(client, "t-bp1nonexistent000000"))
    assert_documented("CancelTask", err, "InvalidTaskId.NotFound", 400)
    body = import_image(client)
    err = error_of(lambda: cancel(client, body.task_id))
    assert_documented("CancelTask", err, "InvalidTaskId.IncorrectTaskStatus", 403)


# -- end to end ------------------------------------------------------------------------------
def test_import_export_tasks_cancel_end_to_end(client, engine):
    engine.lifecycle.delay("task", seconds=60)
    imported = import_image(client, name="e2e-image")
    assert image(client, imported.image_id).status == "Creating"
    engine.clock.advance(60)
    assert image(client, imported.image_id).status == "Available"

    exported = export(client, imported.image_id, fmt="qcow2")
    engine.clock.advance(60)
    tasks = client.describe_tasks(models.DescribeTasksRequest(region_id=REGION)).body.task_set.task
    assert {(t.task_id, t.task_action, t.task_status) for t in tasks} == {
        (imported.task_id, "ImportImage", "Finished"), (exported.task_id, "ExportImage", "Finished")}
    items = task(client, exported.task_id).operation_progress_set.operation_progress[0].related_item_set.related_item
    name = {i.name: i.value for i in items}["OSSObject"]
    assert name.endswith(".qcow2") and engine.oss.get_object(REGION, "exports", name) is not None

    running = export(client, imported.image_id, prefix="SECOND")
    assert task(client, running.task_id).support_cancel == "true"
    cancel(client, running.task_id)
    statuses = {t.task_id: t.task_status for t in client.describe_tasks(
        models.DescribeTasksRequest(region_id=REGION)).body.task_set.task}
    assert statuses[running.task_id] == "Deleted"
    assert len(engine.oss.objects(REGION, "exports")) == 1

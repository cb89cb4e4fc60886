"""The image operations (spec §3.1-3.6, §3.10-3.11) driven through the real SDKs."""
from __future__ import annotations

import asyncio
import json

import pytest
import requests
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.CopyImageRequest import CopyImageRequest
from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest

from tests.sdk import error_of, legacy_call, new_client
from tests.spec import documented_error

REGION = "cn-hangzhou"
UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
ARM = "aliyun_3_arm64_20G_alibase_20240528.vhd"
WINDOWS = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"
I386 = "ubuntu_16_04_x86_20G_alibase_20200417.vhd"
SHARED = "m-bp1dc58gqpyb3oso36hl"  # catalog image shared with the default account
COMMUNITY = "m-bp1ujaahknmt2rpdhte1"
MARKETPLACE = "m-bp1o6a6zp7fkruscjqn0"


# -- helpers (also used by the lifecycle and sharing tests) -----------------------------------
def run_instance(client, image_id: str = UBUNTU, region: str = REGION, data_disks: int = 0,
                 instance_type: str = "ecs.g7.large") -> str:
    req = models.RunInstancesRequest(region_id=region, image_id=image_id, instance_type=instance_type, amount=1,
                                     data_disk=[models.RunInstancesRequestDataDisk(size=50)] * data_disks)
    return client.run_instances(req).body.instance_id_sets.instance_id_set[0]


def system_disk(client, instance_id: str, region: str = REGION) -> str:
    disks = client.describe_disks(models.DescribeDisksRequest(region_id=region, instance_id=instance_id)).body
    return next(d.disk_id for d in disks.disks.disk if d.type == "system")


def create_snapshot(client, instance_id: str, region: str = REGION) -> str:
    disk = system_disk(client, instance_id, region)
    return client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk)).body.snapshot_id


def create_image(client, region: str = REGION, **kw) -> str:
    if not {"instance_id", "snapshot_id", "disk_device_mapping"} & set(kw):
        kw["instance_id"] = run_instance(client, region=region)
    return client.create_image(models.CreateImageRequest(region_id=region, **kw)).body.image_id


def describe(client, region: str = REGION, **kw) -> dict:
    return client.describe_images(models.DescribeImagesRequest(region_id=region, **kw)).body.to_map()


def image(client, image_id: str, region: str = REGION, status: str = "ALL") -> dict:
    found = describe(client, region, image_id=image_id, status=status)["Images"]["Image"]
    assert len(found) == 1, found
    return found[0]


error = error_of


def assert_documented(exc: ClientException, action: str) -> None:
    documented = documented_error(action, exc.code)
    assert documented is not None, exc.code
    assert exc.status_code == documented[0]


# -- DescribeImages ---------------------------------------------------------------------------
IMAGE_FIELDS = {"ImageId", "ImageName", "Description", "ImageVersion", "ImageFamily", "ImageOwnerAlias",
                "ImageOwnerId", "IsPublic", "IsSelfShared", "IsCopied", "IsSubscribed", "ProductCode", "OSType",
                "Platform", "OSName", "OSNameEn", "Architecture", "BootMode", "Size", "Status", "Progress", "Usage",
                "CreationTime", "IsSupportIoOptimized", "IsSupportCloudinit", "DiskDeviceMappings", "Tags",
                "Features", "Usable", "ResourceGroupId", "LicenseType", "LoginAsNonRootSupported"}


def test_created_image_has_the_wire_shape_of_the_sdk_model(client):
    image_id = create_image(client, image_name="web-1", tag=[models.CreateImageRequestTag(key="env", value="prod")])
    got = image(client, image_id, status=None)  # default status Available: created instantly
    assert IMAGE_FIELDS <= set(got)
    assert got["ImageOwnerAlias"] == "self" and got["ImageOwnerId"] == 1234567890123456
    assert got["IsSelfShared"] == "False" and got["IsPublic"] is False and got["IsCopied"] is False
    assert got["Platform"] == "Ubuntu" and got["OSName"] == "Ubuntu  22.04 64位"  # inherited from the source image
    mapping = got["DiskDeviceMappings"]["DiskDeviceMapping"][0]
    assert mapping["Device"] == "/dev/xvda" and isinstance(mapping["Size"], str) and mapping["SnapshotId"][:2] == "s-"
    assert isinstance(got["Size"], int) and got["Size"] == int(mapping["Size"])
    assert got["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "prod"}]
    assert got["Status"] == "Available" and got["Progress"] == "100%"


# A custom image as the service answers it (Alibaba's own capture: aliyun/alibabacloud-ecs-tool-troubleshooter,
# ecs-devops-dashboard/src/app/static/data/DescribeImages.ts): its fields in this order, the fields the capture
# lacks after them; an empty DetectionOptions when no check was asked for; a mapping's Progress empty (a copy's).
CAPTURED_IMAGE_ORDER = [
    "ImageOwnerAlias", "IsSelfShared", "Description", "Platform", "ResourceGroupId", "Size", "IsSubscribed", "BootMode",
    "OSName", "IsPublic", "ImageId", "DetectionOptions", "Features", "OSNameEn", "Tags", "LoginAsNonRootSupported",
    "Status", "Progress", "Usage", "Architecture", "ProductCode", "IsCopied", "ImageFamily", "IsSupportIoOptimized",
    "IsSupportCloudinit", "ImageName", "DiskDeviceMappings", "ImageVersion", "OSType", "CreationTime"]
CAPTURED_MAPPING_ORDER = ["SnapshotId", "Type", "Progress", "Format", "Device", "Size", "ImportOSSBucket",
                          "ImportOSSObject"]


def test_custom_image_fields_in_the_service_order(client, legacy, engine):
    image_id = create_image(client, image_name="ordered-1")
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=image_id,
                                                                    description="changed later"))
    checked = create_image(client, image_name="checked-1", detection_strategy="Standard")
    engine.clock.advance(3600)
    request = DescribeImagesRequest()
    request.set_ImageOwnerAlias("self")
    answer = legacy_call(legacy, request)["Images"]["Image"]  # (json.loads keeps the order sent)
    got = {i["ImageId"]: i for i in answer}
    for one in got.values():
        keys = list(one)
        assert keys[:len(CAPTURED_IMAGE_ORDER)] == CAPTURED_IMAGE_ORDER, keys
        mapping = one["DiskDeviceMappings"]["DiskDeviceMapping"][0]
        assert list(mapping)[:len(CAPTURED_MAPPING_ORDER)] == CAPTURED_MAPPING_ORDER
        assert mapping["Progress"] == ""
    assert got[image_id]["DetectionOptions"] == {} and got[image_id]["Description"] == "changed later"
    assert got[checked]["DetectionOptions"]["Status"] == "Finished"


def test_image_id_comma_list_and_missing_ids_are_skipped(client):
    first = create_image(client, image_name="a-1")
    body = describe(client, image_id=f"{first},m-doesnotexist1234567,{UBUNTU}")
    assert {i["ImageId"] for i in body["Images"]["Image"]} == {first, UBUNTU}
    assert body["TotalCount"] == 2


def test_owner_aliases(client, other):
    mine = create_image(client, image_name="mine-1")
    ids = lambda **kw: {i["ImageId"] for i in describe(client, page_size=100, **kw)["Images"]["Image"]}  # noqa: E731
    assert ids(image_owner_alias="self") == {mine}
    system = ids(image_owner_alias="system")
    assert UBUNTU in system and mine not in system and MARKETPLACE not in system
    assert MARKETPLACE in ids(image_owner_alias="marketplace")
    shared = ids(image_owner_alias="others")
    assert SHARED in shared and COMMUNITY not in shared and mine not in shared
    community = ids(image_owner_alias="others", is_public=True)
    assert COMMUNITY in community and SHARED not in community
    default = ids()
    assert {mine, UBUNTU, SHARED} <= default and MARKETPLACE not in default
    # Another account sees neither my image nor the share made to me.
    assert mine not in {i["ImageId"] for i in other.client.describe_images(
        models.DescribeImagesRequest(region_id=REGION, page_size=100)).body.to_map()["Images"]["Image"]}


@pytest.mark.parametrize("kw, code", [
    ({"image_owner_alias": "nobody"}, "InvalidImageOwnerAlias.ValueNotSupported"),
    ({"ostype": "beos"}, "InvalidOSType"),
    ({"architecture": "sparc"}, "InvalidArchitecture"),
    ({"usage": "sometimes"}, "InvalidUsage"),
    ({"instance_type": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported"),
    ({"tag": [models.DescribeImagesRequestTag(value="x")]}, "InvalidTag.Mismatch"),
    ({"tag": [models.DescribeImagesRequestTag(key=f"k{i}", value="v") for i in range(21)]}, "InvalidTagCount"),
    ({"filter": [models.DescribeImagesRequestFilter(key="Colour", value="red")]}, "InvalidFilterKey.NotFound"),
    ({"filter": [models.DescribeImagesRequestFilter(key="CreationStartTime", value="yesterday")]},
     "InvalidFilterValue"),
])
def test_documented_parameter_errors(client, kw, code):
    exc = error(lambda: describe(client, **kw))
    assert exc.code == code
    assert_documented(exc, "DescribeImages")
    assert exc.data["Message"] == documented_error("DescribeImages", code)[1]


def test_alias_rules_for_is_public_and_owner_id(client):
    assert error(lambda: describe(client, is_public=True)).code == "InvalidImageOwnerAlias.PublicImageUnsupported"
    assert error(lambda: describe(client, image_owner_alias="self", image_owner_id=5555666677778888)).code == \
        "InvalidOperation.ImageOwnerIdUnsupported"
    found = describe(client, image_owner_alias="others", is_public=True, image_owner_id=5555666677778888)
    assert found["TotalCount"] >= 1
    assert all(i["ImageOwnerId"] == 5555666677778888 for i in found["Images"]["Image"])


def test_status_list_default_and_all(client, engine):
    engine.lifecycle.delay("image", seconds=60)
    creating = create_image(client, image_name="slow-1")
    assert describe(client, image_id=creating)["TotalCount"] == 0  # default: Available only
    assert describe(client, image_id=creating, status="Creating,Available")["TotalCount"] == 1
    assert describe(client, image_id=creating, status="ALL")["TotalCount"] == 1
    assert describe(client, image_id=creating, usable=False)["TotalCount"] == 1  # Usable: no default status
    assert error(lambda: describe(client, status="ALL,Available")).code == "InvalidParameter"
    assert error(lambda: describe(client, status="Sleeping")).code == "InvalidParameter"


def test_name_is_fuzzy_with_exact_matches_first(client, engine):
    exact = create_image(client, image_name="web")
    engine.clock.advance(10)
    newer = create_image(client, image_name="web-newer")
    create_image(client, image_name="db-1")
    got = [i["ImageId"] for i in describe(client, image_owner_alias="self", image_name="web")["Images"]["Image"]]
    assert got == [exact, newer]


def test_newest_first_and_pagination(client, engine):
    made = []
    for n in range(5):
        made.append(create_image(client, image_name=f"img-{n}"))
        engine.clock.advance(5)
    first = describe(client, image_owner_alias="self", page_size=2)
    second = describe(client, image_owner_alias="self", page_size=2, page_number=2)
    assert first["TotalCount"] == 5 and first["PageSize"] == 2 and second["PageNumber"] == 2
    assert [i["ImageId"] for i in first["Images"]["Image"] + second["Images"]["Image"]] == made[::-1][:4]
    assert describe(client, image_owner_alias="self", page_number=9)["Images"]["Image"] == []
    assert error(lambda: describe(client, page_size=101)).code == "InvalidParameter"


def test_filters_family_tag_snapshot_os_and_features(client, engine):
    start = engine.clock.now()
    tagged = create_image(client, image_name="tagged-1", image_family="fam-a",
                          tag=[models.CreateImageRequestTag(key="env", value="prod"),
                               models.CreateImageRequestTag(key="team", value="core")])
    other = create_image(client, image_name="plain-1", tag=[models.CreateImageRequestTag(key="env", value="dev")])
    ids = lambda **kw: {i["ImageId"] for i in describe(client, page_size=100, **kw)["Images"]["Image"]}  # noqa: E731
    T = models.DescribeImagesRequestTag
    assert ids(tag=[T(key="env", value="prod")]) == {tagged}
    assert ids(tag=[T(key="env")]) == {tagged, other}
    assert ids(tag=[T(key="env", value="prod"), T(key="team", value="other")]) == set()  # AND
    assert ids(image_family="fam-a") == {tagged}
    snap = image(client, tagged)["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"]
    assert ids(snapshot_id=snap) == {tagged}
    assert tagged in ids(image_owner_alias="self", ostype="linux", architecture="x86_64")
    assert ids(image_owner_alias="self", ostype="windows") == set()
    F = models.DescribeImagesRequestFilter
    from time import gmtime, strftime
    minute = lambda t: strftime("%Y-%m-%dT%H:%MZ", gmtime(t))  # noqa: E731
    assert ids(image_owner_alias="self", filter=[F(key="CreationStartTime", value=minute(start - 60))]) == \
        {tagged, other}
    assert ids(image_owner_alias="self", filter=[F(key="CreationEndTime", value=minute(start - 60))]) == set()
    assert ids(image_owner_alias="self", filter=[F(key="NetworkType", value="vpc")]) == {tagged, other}
    assert error(lambda: describe(client, filter=[F(key="NetworkType", value="wifi")])).code == \
        "InvalidFilterValue.NetworkType"
    assert ids(image_owner_alias="self", filter=[F(key="CpuOnlineUpgrade", value="supported")]) == set()
    assert ids(image_owner_alias="self", is_support_io_optimized=True, is_support_cloudinit=True) == {tagged, other}


def test_instance_type_rules(client):
    ids = lambda **kw: {i["ImageId"] for i in describe(client, image_owner_alias="system", page_size=100,  # noqa: E731
                                                        status="ALL", **kw)["Images"]["Image"]}
    on_arm = ids(instance_type="ecs.g8y.large")
    assert ARM in on_arm and UBUNTU not in on_arm
    on_x86 = ids(instance_type="ecs.g7.large")  # 8 GiB: no 32-bit images
    assert UBUNTU in on_x86 and WINDOWS in on_x86 and ARM not in on_x86 and I386 not in on_x86
    assert I386 in ids(instance_type="ecs.t6-c1m1.large")  # 2 GiB


def test_catalog_images_appear_in_every_region(client):
    assert describe(client, "eu-central-1", image_id=UBUNTU)["TotalCount"] == 1


def test_usage_follows_instances(client):
    image_id = create_image(client, image_name="used-1")
    assert image(client, image_id)["Usage"] == "none"
    run_instance(client, image_id)
    assert image(client, image_id)["Usage"] == "instance"
    assert describe(client, image_owner_alias="self", usage="instance")["TotalCount"] == 1


def test_dry_run_and_legacy_sdk_json(client, legacy):
    assert error(lambda: describe(client, dry_run=True)).code == "DryRunOperation"
    req = DescribeImagesRequest()
    req.set_ImageOwnerAlias("system")
    req.set_PageSize(3)
    body = legacy_call(legacy, req)
    assert body["PageSize"] == 3 and len(body["Images"]["Image"]) == 3
    assert isinstance(body["TotalCount"], int) and body["RegionId"] == REGION


def test_async_sdk(client):
    resp = asyncio.run(client.describe_images_async(models.DescribeImagesRequest(region_id=REGION, image_id=UBUNTU)))
    assert resp.body.images.image[0].image_owner_alias == "system"


def test_missing_region_id(client):
    exc = error(lambda: client.describe_images(models.DescribeImagesRequest()))
    assert exc.code == "MissingParameter"


# -- CreateImage ------------------------------------------------------------------------------
def test_create_from_instance_snapshots_every_disk(client):
    instance_id = run_instance(client, data_disks=2)
    image_id = create_image(client, instance_id=instance_id, image_name="full-1")
    mappings = image(client, image_id)["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert [(m["Type"], m["Device"]) for m in mappings] == \
        [("system", "/dev/xvda"), ("data", "/dev/xvdb"), ("data", "/dev/xvdc")]
    snaps = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=REGION, snapshot_ids=json.dumps([m["SnapshotId"] for m in mappings]))).body.to_map()
    assert snaps["TotalCount"] == 3


def test_create_from_snapshot_inherits_os_fields(client):
    instance_id = run_instance(client, WINDOWS)
    snapshot_id = create_snapshot(client, instance_id)
    got = image(client, create_image(client, snapshot_id=snapshot_id, image_name="win-1"))
    assert got["OSType"] == "windows" and got["Platform"] == "Windows Server 2022"
    assert got["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"] == snapshot_id


def test_create_from_disk_device_mappings(client):
    snapshot_id = create_snapshot(client, run_instance(client))
    M = models.CreateImageRequestDiskDeviceMapping
    image_id = create_image(client, image_name="mapped-1", disk_device_mapping=[
        M(snapshot_id=snapshot_id, disk_type="system", size=60), M(disk_type="data", size=100)])
    mappings = image(client, image_id)["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert [(m["Type"], m["Device"], m["Size"]) for m in mappings] == \
        [("system", "/dev/xvda", "60"), ("data", "/dev/xvdb", "100")]
    # DiskDeviceMapping wins over SnapshotId (precedence InstanceId > DiskDeviceMapping > SnapshotId).
    assert error(lambda: create_image(client, snapshot_id=snapshot_id, disk_device_mapping=[
        M(disk_type="data", size=100)])).code == "OperationDenied"
    assert error(lambda: create_image(client, disk_device_mapping=[
        M(snapshot_id=snapshot_id, disk_type="system", size=5)])).code == "InvalidSize.ValueNotSupported"
    exc = error(lambda: create_image(client, disk_device_mapping=[
        M(snapshot_id=snapshot_id, disk_type="system"), M(disk_type="data", size=30, device="/dev/xvdb"),
        M(disk_type="data", size=30, device="/dev/xvdb")]))
    assert exc.code == "InvalidDevice.InUse"


def test_create_from_parameters_when_source_is_unknown(client):
    instance_id = run_instance(client, data_disks=1)
    disks = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body
    data_disk = next(d.disk_id for d in disks.disks.disk if d.type == "data")
    data_snap = client.create_snapshot(models.CreateSnapshotRequest(disk_id=data_disk)).body.snapshot_id
    exc = error(lambda: create_image(client, snapshot_id=data_snap))
    assert exc.code == "OperationDenied" and exc.status_code == 403
    got = image(client, create_image(client, snapshot_id=data_snap, platform="Debian", architecture="arm64"))
    assert got["Platform"] == "Debian" and got["Architecture"] == "arm64" and got["BootMode"] == "UEFI"


@pytest.mark.parametrize("kw, code", [
    ({"image_name": "1-starts-with-digit"}, "InvalidImageName.Malformed"),
    ({"image_name": "aliyun-reserved"}, "InvalidImageName.Malformed"),
    ({"image_family": "acs:mine"}, "InvalidImageFamily.Malformed"),
    ({"architecture": "sparc"}, "InvalidArchitecture.Malformed"),
    ({"platform": "Plan9"}, "InvalidPlatform.Malformed"),
    ({"snapshot_id": "s-bp1doesnotexist12345"}, "InvalidSnapshotId.NotFound"),
    ({"instance_id": "i-bp1doesnotexist12345"}, "InvalidInstanceId.NotFound"),
    ({"tag": [models.CreateImageRequestTag(key="a"), models.CreateImageRequestTag(key="a")]}, "Duplicate.TagKey"),
])
def test_create_errors(client, kw, code):
    exc = error(lambda: create_image(client, **kw))
    assert exc.code == code
    assert_documented(exc, "CreateImage")


def test_create_requires_a_source(client):
    exc = error(lambda: client.create_image(models.CreateImageRequest(region_id=REGION, image_name="x-1")))
    assert exc.code == "MissingParameter"
    assert exc.data["Message"] == documented_error("CreateImage", "MissingParameter")[1]


def test_create_name_unique_per_account_and_region(client, other):
    create_image(client, image_name="dup-1")
    exc = error(lambda: create_image(client, image_name="dup-1"))
    assert (exc.code, exc.data["Message"]) == ("InvalidImageName.Duplicated",
                                                "The specified Image name has already bean used.")
    create_image(client, region="cn-beijing", image_name="dup-1")  # another region
    create_image(other.client, image_name="dup-1")  # another account


def test_create_quota(client, engine):
    engine.config.options["image_quota"] = 2
    instance_id = run_instance(client)
    create_image(client, instance_id=instance_id, image_name="q-1")
    create_image(client, instance_id=instance_id, image_name="q-2")
    exc = error(lambda: create_image(client, instance_id=instance_id, image_name="q-3"))
    assert (exc.code, exc.status_code) == ("QuotaExceed.Image", 403)
    assert describe(client, image_owner_alias="self")["TotalCount"] == 2


def test_create_client_token_and_dry_run(client):
    instance_id = run_instance(client)
    first = create_image(client, instance_id=instance_id, image_name="tok-1", client_token="abc")
    assert create_image(client, instance_id=instance_id, image_name="tok-1", client_token="abc") == first
    exc = error(lambda: create_image(client, instance_id=instance_id, image_name="tok-2", client_token="abc"))
    assert (exc.code, exc.status_code) == ("InvalidParamter.Conflict", 403)
    assert error(lambda: create_image(client, instance_id=instance_id, image_name="dry-1",
                                      dry_run=True)).code == "DryRunOperation"
    assert describe(client, image_owner_alias="self", image_name="dry-1")["TotalCount"] == 0


def test_create_from_stopped_and_wrong_status_instance(client):
    instance_id = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=UBUNTU, instance_type="ecs.g7.large")).body.instance_id
    assert create_image(client, instance_id=instance_id, image_name="stopped-1")  # Stopped is fine


def test_marketplace_source_passes_on_product_code(client, engine):
    from mockecs.world import marketplace

    marketplace.subscribe(engine, "1234567890123456", "cmjj028279")
    instance_id = run_instance(client, MARKETPLACE)
    got = image(client, create_image(client, instance_id=instance_id, image_name="mkt-1"))
    assert got["ProductCode"] == "cmjj028279" and got["ImageVersion"] == "V1.0"
    exc = error(lambda: create_image(client, instance_id=instance_id, image_name="mkt-2", image_version="V9"))
    assert exc.code == "InvalidImageVersion.Malformed"


# -- CopyImage / CancelCopyImage --------------------------------------------------------------
def test_copy_to_another_region(client):
    source = create_image(client, image_name="src-1", description="the source")
    copied = client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=source, destination_region_id="cn-beijing", destination_image_name="dst-1",
        tag=[models.CopyImageRequestTag(key="copy", value="yes")])).body.image_id
    assert copied != source and copied.startswith("m-2ze")  # a Beijing id
    got = image(new_client(region="cn-beijing"), copied, region="cn-beijing")
    assert got["IsCopied"] is True and got["ImageName"] == "dst-1" and got["Description"] == "the source"
    assert got["Tags"]["Tag"] == [{"TagKey": "copy", "TagValue": "yes"}]
    assert got["Platform"] == "Ubuntu" and got["Status"] == "Available"
    src_snap = image(client, source)["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"]
    assert got["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"] not in ("", src_snap)
    assert describe(client, image_id=copied)["TotalCount"] == 0  # not in the source region


def test_copy_errors(client, other):
    source = create_image(client, image_name="src-2")
    copy = lambda **kw: client.copy_image(models.CopyImageRequest(region_id=REGION, **kw))  # noqa: E731
    cases = [
        ({"image_id": source, "destination_region_id": "mars-1"}, "DestinationRegion.NotFound"),
        ({"image_id": COMMUNITY, "destination_region_id": "cn-beijing"}, "OperationDenied.CommunityImage"),
        ({"image_id": SHARED, "destination_region_id": "cn-beijing"}, "OperationDenied.SameRegionOnly"),
        ({"image_id": UBUNTU, "destination_region_id": "cn-beijing"}, "InvalidImageId.NotFound"),
        ({"image_id": source, "destination_region_id": "cn-beijing", "kmskey_id": "key-1"},
         "InvalidParameter.EncryptedIllegal"),
        ({"image_id": source, "destination_region_id": "cn-beijing", "destination_image_name": "-bad"},
         "InvalidImageName.Malformed"),
    ]
    for kw, code in cases:
        exc = error(lambda kw=kw: copy(**kw))
        assert exc.code == code, kw
        assert_documented(exc, "CopyImage")
    # Shared images copy within their region.
    assert copy(image_id=SHARED, destination_region_id=REGION, destination_image_name="my-copy").body.image_id
    # Another account cannot see my image at all.
    exc = error(lambda: other.client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=source, destination_region_id="cn-beijing")))
    assert exc.code == "InvalidImageId.NotFound"
    # Name clash in the destination.
    create_image(client, region="cn-beijing", image_name="taken-1")
    exc = error(lambda: copy(image_id=source, destination_region_id="cn-beijing", destination_image_name="taken-1"))
    assert (exc.code, exc.data["Message"]) == ("InvalidImageName.Duplicated", "The destination image is exist.")
    exc = error(lambda: client.copy_image(models.CopyImageRequest(region_id="mars-1", image_id=source)))
    assert exc.code == "SourceRegion.NotFound"


def test_deprecated_image_is_not_copied(client):
    source = create_image(client, image_name="old-1")
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=source,
                                                                     status="Deprecated"))
    exc = error(lambda: client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source,
                                                                  destination_region_id="cn-beijing")))
    assert exc.code == "IncorrectImageStatus"


def test_encrypted_copy(client):
    source = create_image(client, image_name="enc-src")
    copied = client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source, encrypted=True,
                                                       destination_region_id="cn-beijing")).body.image_id
    got = image(new_client(region="cn-beijing"), copied, region="cn-beijing")
    assert all(m["Encrypted"] for m in got["DiskDeviceMappings"]["DiskDeviceMapping"])
    # An encrypted image is not copied into an unencrypted one.
    bj = new_client(region="cn-beijing")
    exc = error(lambda: bj.copy_image(models.CopyImageRequest(region_id="cn-beijing", image_id=copied,
                                                              destination_region_id=REGION)))
    assert (exc.code, exc.status_code) == ("OperationDeined.EncryptedSnapshot", 403)


def test_legacy_copy_image(legacy, client):
    source = create_image(client, image_name="leg-1")
    req = CopyImageRequest()
    req.set_ImageId(source)
    req.set_DestinationRegionId("cn-shanghai")
    body = legacy_call(legacy, req)
    assert body["ImageId"].startswith("m-uf6")


def test_cancel_copy(client, engine):
    source = create_image(client, image_name="cc-1")
    engine.lifecycle.delay("copy", seconds=120)
    copied = client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source,
                                                       destination_region_id="cn-beijing")).body.image_id
    bj = new_client(region="cn-beijing")
    cancel = lambda image_id, region="cn-beijing": bj.cancel_copy_image(  # noqa: E731
        models.CancelCopyImageRequest(region_id=region, image_id=image_id))
    exc = error(lambda: cancel(copied, REGION))  # RegionId is the destination
    assert exc.code == "InvalidImageId.NotFound"
    exc = error(lambda: cancel(source, REGION))
    assert exc.code == "ImageCreatedNotFromCopy"
    cancel(copied)
    assert describe(bj, "cn-beijing", image_id=copied, status="ALL")["TotalCount"] == 0
    assert image(client, source)["Status"] == "Available"  # the source is untouched
    engine.lifecycle.delay("copy", seconds=0)
    done = client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source,
                                                     destination_region_id="cn-beijing")).body.image_id
    exc = error(lambda: cancel(done))
    assert (exc.code, exc.data["Message"]) == ("IncorrectImageStatus", "The image is copied finished.")


# -- DeleteImage ------------------------------------------------------------------------------
def test_delete_rules(client, engine):
    delete = lambda image_id, **kw: client.delete_image(  # noqa: E731
        models.DeleteImageRequest(region_id=REGION, image_id=image_id, **kw))
    delete("m-bp1doesnotexist12345")  # the default: a missing id is ignored (see test_defaults.py)
    engine.config.options["delete_missing_image"] = "error"
    for missing in ("m-bp1doesnotexist12345", UBUNTU, SHARED):
        exc = error(lambda m=missing: delete(m))
        assert (exc.code, exc.status_code) == ("InvalidImageId.NotFound", 404)
    used = create_image(client, image_name="del-1")
    run_instance(client, used)
    exc = error(lambda: delete(used))
    assert (exc.code, exc.status_code) == ("ImageUsingByInstance", 403)
    assert error(lambda: delete(used, dry_run=True)).code == "ImageUsingByInstance"
    assert error(lambda: delete(used, force=True, dry_run=True)).code == "DryRunOperation"
    delete(used, force=True)
    assert describe(client, image_id=used, status="ALL")["TotalCount"] == 0
    engine.lifecycle.delay("image", seconds=60)
    creating = create_image(client, image_name="del-2")
    exc = error(lambda: delete(creating))
    assert (exc.code, exc.status_code) == ("ImageIsCreating", 403)
    engine.lifecycle.delay("copy", seconds=60)
    engine.clock.advance(60)
    copying = client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=creating,
                                                        destination_region_id=REGION,
                                                        destination_image_name="del-3")).body.image_id
    exc = error(lambda: delete(copying))
    assert (exc.code, exc.status_code) == ("OperationDenied.ImageCopying", 403)
    assert_documented(exc, "DeleteImage")


# -- ModifyImageAttribute ---------------------------------------------------------------------
def test_modify_attribute(client):
    image_id = create_image(client, image_name="mod-1")
    modify = lambda **kw: client.modify_image_attribute(  # noqa: E731
        models.ModifyImageAttributeRequest(region_id=REGION, image_id=image_id, **kw))
    modify(image_name="mod-2", description="new description", image_family="fam-mod", boot_mode="UEFI",
           license_type="BYOL", features=models.ModifyImageAttributeRequestFeatures(nvme_support="supported",
                                                                                   imds_support="v2"))
    got = image(client, image_id)
    assert (got["ImageName"], got["Description"], got["ImageFamily"], got["BootMode"], got["LicenseType"]) == \
        ("mod-2", "new description", "fam-mod", "UEFI", "BYOL")
    assert got["Features"]["NvmeSupport"] == "supported" and got["Features"]["ImdsSupport"] == "v2"
    exc = error(lambda: modify(features=models.ModifyImageAttributeRequestFeatures(imds_support="v1")))
    assert (exc.code, exc.status_code) == ("InvalidOperation.FeaturesImdsSupportNotMatch", 403)
    exc = error(lambda: modify(status="Available"))
    assert (exc.code, exc.status_code) == ("ImageStatus.NotDeprecated", 403)
    modify(status="Deprecated")
    assert image(client, image_id)["Status"] == "Deprecated"
    assert describe(client, image_id=image_id)["TotalCount"] == 0  # not Available any more
    exc = error(lambda: modify(status="Deprecated"))
    assert (exc.code, exc.status_code) == ("ImageStatus.NotAvailable", 403)
    modify(status="Available")
    assert image(client, image_id)["Status"] == "Available"
    for kw, code in [({"image_name": "1bad"}, "InvalidImageName.Malformed"),
                     ({"boot_mode": "Legacy"}, "InvalidBootMode.NotSupport"),
                     ({"license_type": "Free"}, "InvalidLicenseType.NotSupported")]:
        exc = error(lambda kw=kw: modify(**kw))
        assert exc.code == code
        assert_documented(exc, "ModifyImageAttribute")
    create_image(client, image_name="mod-taken")
    assert error(lambda: modify(image_name="mod-taken")).code == "InvalidImageName.Duplicated"
    modify(image_name="mod-2")  # its own name is not a clash


def test_modify_other_images_is_404(client, other):
    mine = create_image(client, image_name="mine-2")
    for image_id, caller in ((UBUNTU, client), (SHARED, client), (mine, other.client)):
        exc = error(lambda c=caller, i=image_id: c.modify_image_attribute(models.ModifyImageAttributeRequest(
            region_id=REGION, image_id=i, description="nope")))
        assert exc.code == "InvalidImageId.NotFound"


def test_boot_mode_locked_by_instances(client):
    image_id = create_image(client, image_name="boot-1")
    run_instance(client, image_id)
    exc = error(lambda: client.modify_image_attribute(models.ModifyImageAttributeRequest(
        region_id=REGION, image_id=image_id, boot_mode="UEFI")))
    assert (exc.code, exc.status_code) == ("OperationDeined.ImageUsingByInstance", 403)


# -- DescribeImageFromFamily ------------------------------------------------------------------
def test_image_from_family(client, engine):
    family = lambda name: client.describe_image_from_family(  # noqa: E731
        models.DescribeImageFromFamilyRequest(region_id=REGION, image_family=name)).body.to_map()
    assert family("none-such")["Image"] == {}
    old = create_image(client, image_name="fam-1", image_family="web")
    engine.clock.advance(60)
    new = create_image(client, image_name="fam-2", image_family="web")
    got = family("web")["Image"]
    assert got["ImageId"] == new and isinstance(got["Size"], int)
    assert set(got) <= {"Architecture", "CreationTime", "Description", "DiskDeviceMappings", "ImageFamily",
                        "ImageId", "ImageName", "ImageOwnerAlias", "ImageVersion", "IsCopied", "IsSelfShared",
                        "IsSubscribed", "IsSupportCloudinit", "IsSupportIoOptimized", "OSName", "OSType",
                        "Platform", "ProductCode", "Progress", "Size", "Status", "Tags", "Usage"}
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=new,
                                                                     status="Deprecated"))
    assert family("web")["Image"]["ImageId"] == old  # roll back by deprecating the newest
    assert family("acs:ubuntu_22_04_x64")["Image"]["ImageId"] == UBUNTU
    assert family("k8s-node-ubuntu2204")["Image"]["ImageOwnerAlias"] == "others"  # community
    exc = error(lambda: client.describe_image_from_family(models.DescribeImageFromFamilyRequest(region_id=REGION)))
    assert exc.code == "MissingParameter"


# -- DescribeImageSupportInstanceTypes --------------------------------------------------------
def test_support_instance_types(client):
    def types(image_id):
        body = client.describe_image_support_instance_types(models.DescribeImageSupportInstanceTypesRequest(
            region_id=REGION, image_id=image_id)).body.to_map()
        assert body["ImageId"] == image_id and body["RegionId"] == REGION
        return {t["InstanceTypeId"]: t for t in body["InstanceTypes"]["InstanceType"]}

    arm = types(ARM)
    assert arm and all(t["InstanceTypeFamily"] in ("ecs.g8y", "ecs.c8y", "ecs.r8y", "ecs.g6r", "ecs.c6r")
                       for t in arm.values())
    x86 = types(UBUNTU)
    assert "ecs.g7.large" in x86 and not set(arm) & set(x86)
    sample = x86["ecs.g7.large"]
    assert isinstance(sample["CpuCoreCount"], int) and isinstance(sample["MemorySize"], float)
    assert all(t["MemorySize"] < 4 for t in types(I386).values())
    assert all(t["MemorySize"] >= 1 for t in types(WINDOWS).values())
    exc = error(lambda: types("m-bp1doesnotexist12345"))
    assert exc.code == "InvalidImageId.NotFound"
    exc = error(lambda: client.describe_image_support_instance_types(
        models.DescribeImageSupportInstanceTypesRequest(region_id=REGION)))
    assert exc.code == "InvalidParamter"


def test_legacy_errors_are_json(legacy):
    req = DescribeImagesRequest()
    req.set_OSType("beos")
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, req)
    assert info.value.get_error_code() == "InvalidOSType" and info.value.get_http_status() == 404


# -- audit against the documentation ------------------------------------------------------------
def _raw(params: dict) -> requests.Response:
    base = {"Version": "2014-05-26", "RegionId": REGION, "AccessKeyId": "testid"}
    return requests.get("https://ecs.aliyuncs.com/", params={**base, **params}, timeout=5)


def _same_content(value, element, path="") -> None:
    """``element`` (XML) carries exactly ``value`` (the JSON answer): wrapper lists become repeated elements."""
    if isinstance(value, dict):
        children = [c.tag for c in element]
        present = {k for k, v in value.items() if v != []}  # an empty list is no element at all
        assert set(children) == present, (path, sorted(children), sorted(present))
        for key, item in value.items():
            if isinstance(item, list):
                found = element.findall(key)
                assert len(found) == len(item), (path, key)
                for n, (sub, el) in enumerate(zip(item, found)):
                    _same_content(sub, el, f"{path}/{key}[{n}]")
            else:
                found = element.findall(key)
                assert len(found) == 1, (path, key)
                _same_content(item, found[0], f"{path}/{key}")
    else:
        text = element.text or ""
        expected = {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else str(value)
        assert text == expected, (path, text, value)
        assert len(element) == 0, path


def test_describe_images_xml_has_the_same_content_as_json(mock, client, other):
    import xml.etree.ElementTree as ET

    mine = create_image(client, image_name="xml-1", description="a <b> & c",
                        tag=[models.CreateImageRequestTag(key="env", value="prod")])
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=mine, add_account=[other.account_id]))
    query = {"Action": "DescribeImages", "ImageId": f"{mine},{UBUNTU},{SHARED},{MARKETPLACE}", "PageSize": "3"}
    as_json = _raw({**query, "Format": "JSON"})
    as_xml = _raw({**query, "Format": "XML"})
    assert as_xml.status_code == as_json.status_code == 200
    assert as_xml.headers["Content-Type"] == "text/xml;charset=utf-8"
    body = as_json.json()
    root = ET.fromstring(as_xml.content)
    assert root.tag == "DescribeImagesResponse"
    assert body["TotalCount"] == 4 and len(body["Images"]["Image"]) == 3
    assert {i["ImageId"] for i in body["Images"]["Image"]} >= {mine}
    body.pop("RequestId")
    root.remove(root.find("RequestId"))
    _same_content(body, root)
    # An empty page keeps its wrapper; an empty tag list too.
    empty = ET.fromstring(_raw({**query, "Format": "XML", "PageNumber": "9"}).content)
    assert empty.find("Images") is not None and empty.find("Images/Image") is None
    system = ET.fromstring(_raw({"Action": "DescribeImages", "ImageId": UBUNTU, "Format": "XML"}).content)
    assert system.find("Images/Image/Tags") is not None and system.find("Images/Image/Tags/Tag") is None
    # No Format at all is XML too (the documented default).
    assert _raw({"Action": "DescribeImages", "ImageId": UBUNTU}).headers["Content-Type"].startswith("text/xml")


def _message(exc: ClientException) -> str:
    return exc.data["Message"]


def test_malformed_description_and_family_answer_the_documented_messages(client):
    source = create_image(client, image_name="msg-1")
    cases = [
        ("CreateImage", lambda: create_image(client, description="x"), "InvalidDescription.Malformed"),
        ("CreateImage", lambda: create_image(client, description="http://x"), "InvalidDescription.Malformed"),
        ("CreateImage", lambda: create_image(client, image_family="aliyun-x"), "InvalidImageFamily.Malformed"),
        ("CopyImage", lambda: client.copy_image(models.CopyImageRequest(
            region_id=REGION, image_id=source, destination_region_id="cn-beijing", destination_description="x")),
         "InvalidDescription.Malformed"),
        ("ModifyImageAttribute", lambda: client.modify_image_attribute(models.ModifyImageAttributeRequest(
            region_id=REGION, image_id=source, description="https://x")), "InvalidDescription.Malformed"),
        ("ModifyImageAttribute", lambda: client.modify_image_attribute(models.ModifyImageAttributeRequest(
            region_id=REGION, image_id=source, image_family="acs:x")), "InvalidImageFamily.Malformed"),
    ]
    for action, call, code in cases:
        exc = error(call)
        assert exc.code == code, action
        assert (exc.status_code, _message(exc)) == documented_error(action, code), action


def test_create_accepts_every_documented_platform(client):
    from tests.spec import metadata

    text = next(p for p in metadata()["apis"]["CreateImage"]["parameters"] if p["name"] == "Platform")
    documented = [line[2:].strip() for line in text["schema"]["description"].splitlines()
                  if line.startswith("- ")]
    assert "Gentoo" in documented and "CoreOS" in documented
    instance_id = run_instance(client, data_disks=1)
    disks = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body
    data = next(d.disk_id for d in disks.disks.disk if d.type == "data")
    snapshot = client.create_snapshot(models.CreateSnapshotRequest(disk_id=data)).body.snapshot_id
    for n, platform in enumerate(documented):
        made = create_image(client, snapshot_id=snapshot, platform=platform, image_name=f"plat-{n}")
        assert image(client, made)["Platform"] == platform


def test_support_instance_types_unknown_image_message(client, other):
    mine = create_image(client, image_name="types-1")
    for caller, image_id in ((client, "m-bp1doesnotexist12345"), (other.client, mine)):
        exc = error(lambda c=caller, i=image_id: c.describe_image_support_instance_types(
            models.DescribeImageSupportInstanceTypesRequest(region_id=REGION, image_id=i)))
        assert (exc.code, exc.status_code, _message(exc)) == \
            ("InvalidImageId.NotFound", *documented_error("DescribeImageSupportInstanceTypes",
                                                          "InvalidImageId.NotFound"))


def test_cancelled_copy_leaves_no_snapshots_in_the_destination(client, engine):
    source = create_image(client, instance_id=run_instance(client, data_disks=1), image_name="cc-snap")
    bj = new_client(region="cn-beijing")
    count = lambda: bj.describe_snapshots(  # noqa: E731
        models.DescribeSnapshotsRequest(region_id="cn-beijing")).body.total_count
    engine.lifecycle.delay("copy", seconds=120)
    copied = client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source,
                                                       destination_region_id="cn-beijing")).body.image_id
    assert count() == 2
    bj.cancel_copy_image(models.CancelCopyImageRequest(region_id="cn-beijing", image_id=copied))
    assert count() == 0
    assert len(image(client, source)["DiskDeviceMappings"]["DiskDeviceMapping"]) == 2  # source untouched


def test_image_from_an_instance_whose_image_was_deleted_keeps_its_os(client):
    base = create_image(client, instance_id=run_instance(client, ARM, instance_type="ecs.g8y.large"),
                        image_name="arm-base")
    instance_id = run_instance(client, base, instance_type="ecs.g8y.large")
    windows = create_image(client, instance_id=run_instance(client, WINDOWS), image_name="win-base")
    win_instance = run_instance(client, windows)
    for image_id in (base, windows):
        client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id, force=True))
    got = image(client, create_image(client, instance_id=instance_id, image_name="arm-again"))
    assert (got["OSType"], got["Architecture"], got["BootMode"]) == ("linux", "arm64", "UEFI")
    got = image(client, create_image(client, instance_id=win_instance, image_name="win-again"))
    instance = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([win_instance]))).body.instances.instance[0]
    assert got["OSType"] == "windows" and got["OSName"] == instance.osname
    assert got["Architecture"] == "x86_64" and got["IsSupportCloudinit"] is False


def test_page_number_is_an_int32(client):
    assert describe(client, page_number=2 ** 31 - 1)["Images"]["Image"] == []
    for kw in ({"page_number": 2 ** 31}, {"page_number": 0}, {"page_size": 0}):
        exc = error(lambda kw=kw: describe(client, **kw))
        assert (exc.code, exc.status_code) == ("InvalidParameter", 400), kw
    image_id = create_image(client, image_name="pg-1")
    exc = error(lambda: client.describe_image_share_permission(models.DescribeImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, page_number=2 ** 31)))
    assert exc.code == "InvalidParameter"


def test_secure_boot_support_is_checked(client):
    exc = error(lambda: create_image(client, image_name="sb-1", secure_boot_options=(
        models.CreateImageRequestSecureBootOptions(secure_boot_support="maybe"))))
    assert (exc.code, exc.status_code) == ("InvalidParameter", 400)
    made = create_image(client, image_name="sb-2", boot_mode="UEFI", secure_boot_options=(
        models.CreateImageRequestSecureBootOptions(secure_boot_support="supported")))
    assert image(client, made)["SecureBootOptions"] == {"SecureBootSupport": "supported"}


def test_unknown_regions_answer_each_operations_documented_message(client):
    source = create_image(client, image_name="rg-1")
    exc = error(lambda: client.copy_image(models.CopyImageRequest(region_id="mars-1", image_id=source,
                                                                  destination_region_id="cn-beijing")))
    assert (exc.code, exc.status_code, _message(exc)) == \
        ("SourceRegion.NotFound", *documented_error("CopyImage", "SourceRegion.NotFound"))
    exc = error(lambda: client.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source,
                                                                  destination_region_id="mars-1")))
    assert (exc.code, exc.status_code, _message(exc)) == \
        ("DestinationRegion.NotFound", *documented_error("CopyImage", "DestinationRegion.NotFound"))
    exc = error(lambda: client.describe_image_from_family(models.DescribeImageFromFamilyRequest(
        region_id="mars-1", image_family="web")))
    assert (exc.code, exc.status_code, _message(exc)) == \
        ("InvalidRegionId.NotFound", *documented_error("DescribeImageFromFamily", "InvalidRegionId.NotFound"))
    exc = error(lambda: client.cancel_copy_image(models.CancelCopyImageRequest(region_id="mars-1",
                                                                               image_id=source)))
    assert (exc.code, exc.status_code, _message(exc)) == \
        ("InvalidRegionId.NotFound", *documented_error("CancelCopyImage", "InvalidRegionId.NotFound"))


def test_delete_refusals_take_sharing_before_use(client, other):
    """Force only overrides the instances check: a shared or published image is refused either way,
    and named for the sharing (the step the caller must take first) [GUESS order]."""
    image_id = create_image(client, image_name="order-1")
    run_instance(client, image_id)
    delete = lambda **kw: client.delete_image(  # noqa: E731
        models.DeleteImageRequest(region_id=REGION, image_id=image_id, **kw))
    share = lambda **kw: client.modify_image_share_permission(  # noqa: E731
        models.ModifyImageSharePermissionRequest(region_id=REGION, image_id=image_id, **kw))
    share(add_account=[other.account_id])
    for force in (False, True):
        exc = error(lambda f=force: delete(force=f))
        assert (exc.code, exc.status_code) == ("ImageUseShared", 403)
        assert _message(exc) == documented_error("DeleteImage", "ImageUseShared")[1]
    share(remove_account=[other.account_id])
    share(is_public=True)
    exc = error(lambda: delete(force=True))
    assert (exc.code, exc.status_code) == ("ImageIsPublic", 403)
    assert _message(exc) == "You can not delete public image, please modify it to private."
    share(is_public=False)
    assert error(lambda: delete()).code == "ImageUsingByInstance"
    delete(force=True)
    assert describe(client, image_id=image_id, status="ALL")["TotalCount"] == 0

"""Documented error codes made reachable by modelled behaviour (issue 13), each through a real SDK with the
metadata's HTTP status and message (where the metadata gives a message rather than a ``%s`` template)."""
from __future__ import annotations

import pytest
from alibabacloud_ecs20140526 import models as m
from alibabacloud_tea_openapi.exceptions import ClientException

from mockecs.world import kms, marketplace, ram
from mockecs.world.oss import GIB
from tests.sdk import DEFAULT_ACCOUNT, error_of, new_client
from tests.spec import documented_error
from tests.test_builder import component, pipeline
from tests.test_images import SHARED, UBUNTU, create_image, image, run_instance
from tests.test_tasks import disk, import_image

REGION = "cn-hangzhou"
WINDOWS = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"
LAMP = "m-bp1o6a6zp7fkruscjqn0"  # Marketplace: LAMP on CentOS 7.9, published in four mainland regions


def assert_documented(err: ClientException, action: str, code: str) -> None:
    documented = documented_error(action, code)
    assert documented is not None, f"{code} is not documented for {action}"
    status, message = documented
    assert (err.code, err.status_code) == (code, status), err
    if "%s" not in message:
        assert err.data["Message"] == message


# -- Image Builder: the template language's commands ---------------------------------------------
BAD_CONTENT = {
    "RUN": 'RUN ["unclosed"',
    "CMD": "CMD [1, 2]",
    "ENTRYPOINT": "ENTRYPOINT []",
    "ENV": "ENV 1BAD",
    "WORKDIR": "WORKDIR relative/dir",
    "COPY": "COPY only-source",
    "USER": "USER two words",
}


@pytest.mark.parametrize("command", sorted(BAD_CONTENT))
def test_invalid_command_content_in_components_and_pipelines(client, command):
    content = BAD_CONTENT[command]
    assert_documented(error_of(component, client, content), "CreateImageComponent",
                      f"InvalidCommandContent.{command}")
    assert_documented(error_of(pipeline, client, build_content=content), "CreateImagePipeline",
                      f"InvalidCommandContent.{command}")


def test_valid_command_content_is_accepted(client):
    content = "\n".join(['RUN ["/bin/sh", "-c", "yum -y update"]', "RUN echo plain form", "ENV A=1",
                         "ENV B two words", "WORKDIR /opt/app", r"WORKDIR C:\app", "COPY a.txt /opt/a.txt",
                         "USER admin", "USER 1000", 'CMD ["nginx"]', "ENTRYPOINT /start.sh", "LABEL a=b", "RESTART"])
    assert component(client, content).startswith("ic-")
    assert pipeline(client, build_content="FROM IMAGE_FAMILY:acs:alibaba_cloud_linux_3_2104_lts_x64\n"
                                          + content).startswith("ip-")


def test_unsupported_commands_and_from(client):
    assert_documented(error_of(component, client, "ADD a /b"), "CreateImageComponent",
                      "InvalidImageTemplateCommand.NotSupported")
    assert_documented(error_of(pipeline, client, build_content="EXPOSE 80"), "CreateImagePipeline",
                      "InvalidImageTemplateCommand.NotSupported")
    assert_documented(error_of(pipeline, client, build_content="FROM ubuntu:22.04\nRUN x"), "CreateImagePipeline",
                      "InvalidCommandContent.FROM")
    assert pipeline(client, build_content="FROM IMAGE:m-bp1abc\nRUN x").startswith("ip-")


def test_pipelines_refuse_windows_base_images(client):
    err = error_of(pipeline, client, base_image=WINDOWS)
    assert_documented(err, "CreateImagePipeline", "ImagePipeline.NotSupportWindowsInstance")
    assert client.describe_image_pipelines(m.DescribeImagePipelinesRequest(region_id=REGION)).body.total_count == 0


# -- tags: images the caller sees but does not own ------------------------------------------------
def test_public_and_shared_images_do_not_support_tagging(client):
    tag = [m.TagResourcesRequestTag(key="k", value="v")]
    for image_id in (UBUNTU, SHARED):
        err = error_of(client.tag_resources, m.TagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id], tag=tag))
        assert_documented(err, "TagResources", "InvalidResourceId.NotSupported")
        err = error_of(client.untag_resources, m.UntagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id], tag_key=["k"]))
        assert_documented(err, "UntagResources", "InvalidResourceId.NotSupported")
        err = error_of(client.list_tag_resources, m.ListTagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id]))
        assert_documented(err, "ListTagResources", "InvalidResourceId.NotSupported")


# -- KMS keys (mockecs.world.kms) -------------------------------------------------------------------
def copy(client, image_id: str, key: str, **kw):
    return client.copy_image(m.CopyImageRequest(region_id=REGION, image_id=image_id, destination_region_id=REGION,
                                                encrypted=True, kmskey_id=key, **kw)).body.image_id


def test_kms_key_registry_in_copy_image(client, engine):
    image_id = create_image(client, image_name="to-encrypt")
    assert copy(client, image_id, "key-anything").startswith("m-")  # unknown keys exist by default
    engine.config.options["kms_keys"] = "registered"
    assert_documented(error_of(copy, client, image_id, "key-unknown"), "CopyImage",
                      "InvalidParameter.KMSKeyId.NotFound")
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-off", state="Disabled")
    assert_documented(error_of(copy, client, image_id, "key-off"), "CopyImage",
                      "InvalidParameter.KMSKeyId.CMKNotEnabled")
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-ok")
    assert copy(client, image_id, "key-ok").startswith("m-")
    kms.set_service(engine, DEFAULT_ACCOUNT, authorized=False)
    assert_documented(error_of(copy, client, image_id, "key-ok"), "CopyImage",
                      "InvalidParameter.KMSKeyId.KMSUnauthorized")
    kms.set_service(engine, DEFAULT_ACCOUNT, enabled=False)
    assert_documented(error_of(copy, client, image_id, "key-ok"), "CopyImage", "InvalidParameter.KmsNotEnabled")


def test_create_image_from_snapshots_of_a_cmk_that_changed(client, engine):
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-1")
    copied = copy(client, create_image(client, image_name="cmk-source"), "key-1")
    snapshot_id = image(client, copied)["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"]

    def from_snapshot():
        return client.create_image(m.CreateImageRequest(region_id=REGION, snapshot_id=snapshot_id)).body.image_id

    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-1", ecs_tagged=False)
    assert_documented(error_of(from_snapshot), "CreateImage", "InvalidParameter.KMSKeyId.CMKUnauthorized")
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-1", state="PendingDeletion")
    assert_documented(error_of(from_snapshot), "CreateImage", "InvalidParameter.KMSKeyId.CMKNotEnabled")
    kms.set_service(engine, DEFAULT_ACCOUNT, authorized=False)
    assert_documented(error_of(from_snapshot), "CreateImage", "InvalidParameter.KMSKeyId.KMSUnauthorized")
    kms.set_service(engine, DEFAULT_ACCOUNT)
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-1")
    assert from_snapshot().startswith("m-")


# -- RAM roles and OSS access for import and export (mockecs.world.ram, engine.oss) -----------------
def test_import_and_export_roles(client, engine):
    assert import_image(client, name="default-role").image_id.startswith("m-")
    assert_documented(error_of(import_image, client, name="custom-role", role_name="MyImportRole"), "ImportImage",
                      "NoSetRoletoECSServiceAcount")
    ram.add_role(engine, DEFAULT_ACCOUNT, "MyImportRole")
    assert import_image(client, name="custom-role", role_name="MyImportRole").image_id.startswith("m-")
    image_id = create_image(client, image_name="to-export")

    def export(**kw):
        return client.export_image(m.ExportImageRequest(region_id=REGION, image_id=image_id, ossbucket="exports",
                                                        **kw)).body.task_id

    assert_documented(error_of(export, role_name="NoSuchRole"), "ExportImage", "NoSetRoletoECSServiceAcount")
    ram.revoke_default(engine, DEFAULT_ACCOUNT)
    assert_documented(error_of(export), "ExportImage", "NoSetRoletoECSServiceAcount")
    assert_documented(error_of(import_image, client, name="revoked"), "ImportImage", "NoSetRoletoECSServiceAcount")


def test_oss_buckets_of_other_accounts_and_archived_objects(client, engine):
    engine.oss.create_bucket(REGION, "theirs", account="2222333344445555")
    engine.oss.put_object(REGION, "cold", "disk.qcow2", size=GIB, storage_class="Archive")
    err = error_of(import_image, client, mappings=[disk(bucket="theirs")])
    assert_documented(err, "ImportImage", "InvalidOSS.NotAuthorized")
    assert_documented(error_of(import_image, client, mappings=[disk(bucket="cold")]), "ImportImage",
                      "InvalidOSSObject.NeedRestore")
    assert_documented(error_of(import_image, client, mappings=[disk(obj="disk.zip")]), "ImportImage",
                      "UnsupportedSuffix.OSSObject")
    assert import_image(client, mappings=[disk(obj="exports/disk")]).image_id.startswith("m-")  # no suffix
    image_id = create_image(client, image_name="to-their-bucket")
    err = error_of(client.export_image, m.ExportImageRequest(region_id=REGION, image_id=image_id, ossbucket="theirs"))
    assert_documented(err, "ExportImage", "InvalidOSS.NotAuthorized")


def test_a_cmk_encrypted_image_with_data_disks_is_not_shared(client):
    with_data = create_image(client, instance_id=run_instance(client, data_disks=1), image_name="full-image")
    encrypted = copy(client, with_data, "key-1")
    err = error_of(client.modify_image_share_permission, m.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=encrypted, add_account=["2222333344445555"]))
    assert_documented(err, "ModifyImageSharePermission", "OperationDeined.FullImage")
    system_only = copy(client, create_image(client, image_name="system-only"), "key-1")
    client.modify_image_share_permission(m.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=system_only, add_account=["2222333344445555"]))


# -- ReplaceSystemDisk: no Linux <-> Windows switch outside the Chinese mainland -------------------------
@pytest.mark.parametrize("region, allowed", [("ap-southeast-1", False), ("cn-hongkong", False),
                                             ("cn-hangzhou", True)])
def test_replace_system_disk_between_linux_and_windows(mock, region, allowed):
    ecs = new_client(region=region)
    instance_id = run_instance(ecs, region=region)
    ecs.stop_instance(m.StopInstanceRequest(instance_id=instance_id))

    def replace(image_id: str) -> str:
        return ecs.replace_system_disk(m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=image_id)).body

    if allowed:
        assert replace(WINDOWS).disk_id.startswith("d-")
        return
    err = error_of(replace, WINDOWS)
    assert_documented(err, "ReplaceSystemDisk", "InvalidParameter.NotMatch")
    assert replace(UBUNTU).disk_id.startswith("d-")  # Linux to Linux stays possible


# -- export: the only role, licences, encrypted buckets, quotas ---------------------------------------
def export(client, image_id: str, bucket: str = "exports", **kw) -> str:
    return client.export_image(m.ExportImageRequest(region_id=REGION, image_id=image_id, ossbucket=bucket,
                                                    **kw)).body.task_id


def test_export_takes_only_its_default_role(client, engine):
    image_id = create_image(client, image_name="export-role")
    ram.add_role(engine, DEFAULT_ACCOUNT, "MyExportRole")  # registered, still not valid for exports
    assert_documented(error_of(export, client, image_id, role_name="MyExportRole"), "ExportImage",
                      "NoSetRoletoECSServiceAcount")
    assert export(client, image_id, role_name="AliyunECSImageExportDefaultRole").startswith("t-")


def test_licensed_images_and_encrypted_buckets_are_not_exported(client, engine):
    windows = create_image(client, instance_id=run_instance(client, WINDOWS), image_name="win-export")
    assert_documented(error_of(export, client, windows), "ExportImage", "InvalidImageLicense.NotSupported")
    engine.oss.create_bucket(REGION, "sealed", encryption="KMS")
    linux = create_image(client, image_name="linux-export")
    assert_documented(error_of(export, client, linux, "sealed"), "ExportImage", "InvalidOSSBucket.EncryptUnsupported")
    assert_documented(error_of(import_image, client, mappings=[disk(bucket="sealed")]), "ImportImage",
                      "InvalidOSSBucket.EncryptUnsupported")


def test_export_quotas(client, engine):
    engine.config.options.update(export_concurrency=1, exports_per_week=2)
    week = 7 * 24 * 3600
    engine.clock.advance(week - engine.clock.now() % week + 60)  # early in a calendar week: no boundary below
    engine.lifecycle.delay("task", seconds=600)
    first, second = (create_image(client, image_name=f"exp-{n}") for n in (1, 2))
    export(client, first)
    assert_documented(error_of(export, client, second), "ExportImage", "ConcurrentQuotaExceed.ExportImage")
    engine.clock.advance(600)  # the first export finished
    export(client, second)
    engine.clock.advance(600)
    assert_documented(error_of(export, client, first), "ExportImage", "WeeklyQuotaExceed.ExportImage")
    engine.clock.advance(week)  # a new week
    assert export(client, first).startswith("t-")


def test_image_check_of_old_windows_imports(client):
    kw = {"platform": "Windows Server 2008", "ostype": "windows", "license_type": "BYOL"}
    err = error_of(import_image, client, detection_strategy="Standard", **kw)
    assert_documented(err, "ImportImage", "ImageCheckUnsupported.WindowsImage")
    assert import_image(client, **kw).image_id.startswith("m-")  # without the check


# -- CreateImage / CopyImage / CancelCopyImage -------------------------------------------------------
def test_create_image_with_all_empty_disk_mappings(client):
    err = error_of(client.create_image, m.CreateImageRequest(
        region_id=REGION, disk_device_mapping=[m.CreateImageRequestDiskDeviceMapping(device="", snapshot_id="")]))
    assert_documented(err, "CreateImage", "InvalidParameter.AllEmpty")


def test_a_kms_encrypted_data_disk_snapshot_is_not_a_system_disk(client):
    with_data = create_image(client, instance_id=run_instance(client, data_disks=1), image_name="kms-data")
    mappings = image(client, copy(client, with_data, "key-1"))["DiskDeviceMappings"]["DiskDeviceMapping"]
    data_snapshot = next(d["SnapshotId"] for d in mappings if d["Type"] == "data")
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, disk_device_mapping=[
        m.CreateImageRequestDiskDeviceMapping(snapshot_id=data_snapshot, disk_type="system")]))
    assert_documented(err, "CreateImage", "InvalidParameter.DiskType")


def test_snapshot_quota_for_new_images(client, engine):
    instance_id = run_instance(client, data_disks=1)
    source = create_image(client, image_name="quota-source")
    engine.config.options["snapshot_quota"] = 2  # the source's system snapshot and one more
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, instance_id=instance_id))
    assert_documented(err, "CreateImage", "QuotaExceed.Snapshot")
    engine.config.options["snapshot_quota"] = 1
    err = error_of(copy, client, source, "key-1")
    assert_documented(err, "CopyImage", "QuotaExceed.Snapshot")
    engine.config.options["snapshot_quota"] = None
    assert copy(client, source, "key-1").startswith("m-")


def test_copy_size_limit_sm4_outside_the_mainland_and_unpublished_products(client, engine):
    big = create_image(client, instance_id=run_instance(client, data_disks=1), image_name="big")  # 40 + 50 GiB
    engine.config.options["copy_image_max_size"] = 80
    assert_documented(error_of(copy, client, big, "key-1"), "CopyImage", "SizeExceed.Image")
    engine.config.options["copy_image_max_size"] = 90
    assert copy(client, big, "key-1").startswith("m-")
    small = create_image(client, image_name="small")
    err = error_of(client.copy_image, m.CopyImageRequest(
        region_id=REGION, image_id=small, destination_region_id="ap-southeast-1", encrypted=True,
        encrypt_algorithm="SM4-128"))
    assert_documented(err, "CopyImage", "InvalidRegionId.NotSupportEncryptAlgorithm")
    marketplace.subscribe(engine, DEFAULT_ACCOUNT, "cmjj028279")
    gitlab = create_image(client, instance_id=run_instance(client, LAMP), image_name="lamp-custom")
    err = error_of(client.copy_image, m.CopyImageRequest(region_id=REGION, image_id=gitlab,
                                                          destination_region_id="eu-central-1"))
    assert_documented(err, "CopyImage", "OperationDenied.NotPublished")
    assert client.copy_image(m.CopyImageRequest(region_id=REGION, image_id=gitlab,
                                                destination_region_id="cn-beijing")).body.image_id


def test_a_copy_within_one_region_cannot_be_cancelled(client, engine):
    source = create_image(client, image_name="local-copy")
    engine.lifecycle.delay("copy", seconds=60)
    copied = client.copy_image(m.CopyImageRequest(region_id=REGION, image_id=source,
                                                  destination_region_id=REGION)).body.image_id
    err = error_of(client.cancel_copy_image, m.CancelCopyImageRequest(region_id=REGION, image_id=copied))
    assert_documented(err, "CancelCopyImage", "CancelNotSupported")


# -- sharing and publishing ------------------------------------------------------------------------
def share(client, image_id: str, **kw) -> None:
    client.modify_image_share_permission(m.ModifyImageSharePermissionRequest(region_id=REGION, image_id=image_id,
                                                                             **kw))


def test_sharing_an_encrypted_image_needs_its_role(client, engine):
    encrypted = copy(client, create_image(client, image_name="enc-share"), "key-1")
    ram.revoke_default(engine, DEFAULT_ACCOUNT)
    assert_documented(error_of(share, client, encrypted, add_account=["2222333344445555"]),
                      "ModifyImageSharePermission", "AssumeRoleError")


def test_shared_image_quota(client, engine):
    engine.config.options["shared_image_quota"] = 1
    first, second = (create_image(client, image_name=f"share-{n}") for n in (1, 2))
    share(client, first, add_account=["2222333344445555"])
    share(client, first, add_account=["3333444455556666"])  # the same image again: still one
    assert_documented(error_of(share, client, second, add_account=["2222333344445555"]),
                      "ModifyImageSharePermission", "QuotaExceed.ShareImage")
    share(client, first, remove_account=["2222333344445555", "3333444455556666"])
    share(client, second, add_account=["2222333344445555"])


def test_publishing_checks_terms_and_sensitive_words(client, engine):
    named = create_image(client, image_name="free-casino-bot")
    described = create_image(client, image_name="plain", description="contains CASINO links")
    engine.config.options["sensitive_words"] = "casino, gambling"
    assert_documented(error_of(share, client, named, is_public=True), "ModifyImageSharePermission",
                      "ImageName.ContainsSensitiveWords")
    assert_documented(error_of(share, client, described, is_public=True), "ModifyImageSharePermission",
                      "ImageDescription.ContainsSensitiveWords")
    share(client, named, add_account=["2222333344445555"])  # sharing with an account is not publishing
    clean = create_image(client, image_name="clean")
    engine.config.options["community_terms_signed"] = False
    assert_documented(error_of(share, client, clean, is_public=True), "ModifyImageSharePermission",
                      "PublicImageAgreement.NotSigned")
    engine.config.options["community_terms_signed"] = True
    share(client, clean, is_public=True)


def test_create_image_waits_for_disks_and_unfinished_snapshots(client, engine):
    instance_id = run_instance(client)
    client.stop_instance(m.StopInstanceRequest(instance_id=instance_id))
    engine.lifecycle.delay("disk", seconds=30)
    client.replace_system_disk(m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=UBUNTU))
    disks = client.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body.disks.disk
    assert [d.status for d in disks] == ["ReIniting"]
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, instance_id=instance_id))
    assert_documented(err, "CreateImage", "IncorrectDiskStatus")
    engine.clock.advance(30)
    assert create_image(client, instance_id=instance_id, image_name="after-reinit").startswith("m-")
    engine.config.options["unfinished_snapshot_limit"] = 1
    engine.lifecycle.delay("snapshot", seconds=60)
    client.create_snapshot(m.CreateSnapshotRequest(disk_id=disks[0].disk_id))
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, instance_id=instance_id))
    assert_documented(err, "CreateImage", "TooManySnapshot.Unfinished")
    engine.clock.advance(60)
    engine.lifecycle.delay("snapshot", seconds=0)
    assert create_image(client, instance_id=instance_id, image_name="after-snapshots").startswith("m-")


# -- families, tags, regions and buckets ----------------------------------------------------------
def test_image_family_count_per_region(client, engine):
    engine.config.options["image_families_per_region"] = 1
    first = create_image(client, image_name="fam-1", image_family="web")
    assert create_image(client, image_name="fam-2", image_family="web").startswith("m-")  # the same family
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, instance_id=run_instance(client),
                                                             image_family="db"))
    assert_documented(err, "CreateImage", "ImageFamilyQuotaExceed")
    err = error_of(client.modify_image_attribute, m.ModifyImageAttributeRequest(
        region_id=REGION, image_id=first, image_family="db"))
    assert_documented(err, "ModifyImageAttribute", "ImageFamilyQuotaFull")


def test_create_image_with_more_than_twenty_tags(client):
    tags = [m.CreateImageRequestTag(key=f"k{n}", value="v") for n in range(21)]
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, instance_id=run_instance(client),
                                                             tag=tags))
    assert_documented(err, "CreateImage", "QuotaExceed.Tags")


def test_regions_without_image_transfer(client, engine):
    engine.config.options["regions_without_image_transfer"] = "cn-hangzhou, ap-south-1"
    image_id = create_image(client, image_name="stay-home")
    assert_documented(error_of(import_image, client), "ImportImage", "InvalidRegion.NotSupport")
    assert_documented(error_of(export, client, image_id), "ExportImage", "InvalidRegion.NotSupport")
    err = error_of(client.copy_image, m.CopyImageRequest(region_id=REGION, image_id=image_id,
                                                          destination_region_id="cn-beijing"))
    assert_documented(err, "CopyImage", "RegionNotSupportCopy")


def test_buckets_of_another_region_and_vhd_sizes(client, engine):
    engine.oss.create_bucket("cn-beijing", "north")
    assert_documented(error_of(import_image, client, mappings=[disk(bucket="north")]), "ImportImage",
                      "InvalidOSSBucket.NotMatched")
    image_id = create_image(client, image_name="to-north")
    assert_documented(error_of(export, client, image_id, "north"), "ExportImage", "InvalidOSSBucket.NotMatched")
    engine.oss.put_object(REGION, "vhds", "odd.vhd", size=GIB + 100)
    assert_documented(error_of(import_image, client, mappings=[disk(bucket="vhds", obj="odd.vhd")]), "ImportImage",
                      "InvalidVHDImage.IncorrectSize")
    engine.oss.put_object(REGION, "vhds", "whole.vhd", size=GIB + 512)
    assert import_image(client, mappings=[disk(bucket="vhds", obj="whole.vhd")]).image_id.startswith("m-")


def test_a_marketplace_derived_image_shared_without_the_product(client, engine, other):
    marketplace.subscribe(engine, DEFAULT_ACCOUNT, "cmjj028279")
    lamp = create_image(client, instance_id=run_instance(client, LAMP), image_name="lamp-shared")
    share(client, lamp, add_account=[other.account_id])
    err = error_of(other.client.copy_image, m.CopyImageRequest(region_id=REGION, image_id=lamp,
                                                               destination_region_id=REGION))
    assert_documented(err, "CopyImage", "OperationDenied.NotAuthorized")
    marketplace.subscribe(engine, other.account_id, "cmjj028279")
    assert other.client.copy_image(m.CopyImageRequest(region_id=REGION, image_id=lamp,
                                                      destination_region_id=REGION)).body.image_id


# -- old snapshots, formats per region, CloudBox, account states -----------------------------------
def test_snapshots_from_before_july_2013_make_no_images(client, engine):
    engine.clock.advance(-(engine.clock.now() - 1341100800))  # 2012-07-01 on the mock clock
    instance_id = run_instance(client)
    disk_id = client.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body \
        .disks.disk[0].disk_id
    old_snapshot = client.create_snapshot(m.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
    old_image = create_image(client, image_name="from-2012")  # its snapshot is taken now, in 2012
    engine.clock.advance(20 * 365 * 86400)  # back in the present
    err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, snapshot_id=old_snapshot))
    assert_documented(err, "CreateImage", "InvalidSnapshot.TooOld")
    err = error_of(client.copy_image, m.CopyImageRequest(region_id=REGION, image_id=old_image,
                                                          destination_region_id="cn-beijing"))
    assert_documented(err, "CopyImage", "InvalidSnapshot.TooOld")


def test_image_formats_in_the_documented_regions_only(client, engine):
    engine.config.options["image_format_regions"] = "documented"
    image_id = create_image(client, image_name="fmt")
    assert_documented(error_of(export, client, image_id, image_format="vhd"), "ExportImage",
                      "InvalidImageFormat.RegionNotSupported")
    assert export(client, image_id, image_format="raw").startswith("t-")
    assert_documented(error_of(import_image, client, mappings=[disk(obj="disk.qcow2")]), "ImportImage",
                      "InvalidImageFormat.RegionNotSupported")
    singapore = new_client(region="ap-southeast-1")
    assert import_image(singapore, region_id="ap-southeast-1", mappings=[disk(obj="disk.qcow2")]).image_id


def test_cloudbox_storage_locations(client, engine):
    arn = "acs:cloudbox::1234567890123456:cloudbox/cb-1/storage-location/sl-1"
    assert_documented(error_of(import_image, client, storage_location_arn=arn), "ImportImage",
                      "InvalidStorageLocation.NotFound")
    engine.config.options["cloudbox_storage_locations"] = arn
    assert import_image(client, storage_location_arn=arn).image_id.startswith("m-")


def test_account_states(client, engine):
    instance_id = run_instance(client)
    for option, action, code in (("accounts_in_arrears", "CreateImage", "InvalidAccountStatus.NotEnoughBalance"),
                                 ("accounts_without_snapshot_service", "CreateImage",
                                  "InvalidAccountStatus.SnapshotServiceUnavailable"),
                                 ("accounts_without_oss", "ImportImage", "InvalidAccountStatus.OSSDisabled")):
        engine.config.options[option] = f"9999999999999999, {DEFAULT_ACCOUNT}"
        if action == "CreateImage":
            err = error_of(client.create_image, m.CreateImageRequest(region_id=REGION, instance_id=instance_id))
        else:
            err = error_of(import_image, client)
        assert_documented(err, action, code)
        engine.config.options[option] = ""


def test_regions_without_community_images(client, engine):
    engine.config.options["regions_without_community_images"] = REGION
    image_id = create_image(client, image_name="no-community-here")
    assert_documented(error_of(share, client, image_id, is_public=True), "ModifyImageSharePermission",
                      "CurrentRegion.NotSupportPublicImage")


def test_kms_account_authorization_and_encrypted_false(client, engine):
    image_id = create_image(client, image_name="kms-account")
    kms.set_service(engine, DEFAULT_ACCOUNT, account_authorized=False)
    assert_documented(error_of(copy, client, image_id, "key-1"), "CopyImage", "OperationDenied.KmsServiceUnauthorized")
    err = error_of(client.copy_image, m.CopyImageRequest(region_id=REGION, image_id=image_id, encrypted=False,
                                                          kmskey_id="key-1"))
    assert_documented(err, "CopyImage", "InvalidEncrypted.NotMatchKmsKeyId")


def test_a_cancel_the_service_fails(client, engine):
    engine.lifecycle.delay("task", seconds=60)
    body = import_image(client)
    engine.lifecycle.fail_next("cancel")
    err = error_of(client.cancel_task, m.CancelTaskRequest(region_id=REGION, task_id=body.task_id))
    assert_documented(err, "CancelTask", "CancelTaskFailed")
    client.cancel_task(m.CancelTaskRequest(region_id=REGION, task_id=body.task_id))  # a second try succeeds

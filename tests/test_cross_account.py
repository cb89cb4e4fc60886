"""Two accounts (two SDK clients with different AccessKeyIds) in one fake: sharing, community
publication, deletion rules, system-disk replacement with every image type, seed-level search."""
from __future__ import annotations

from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest as LegacyDescribeImages

from mockecs.world import marketplace
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, make_account
from tests.spec import documented_error

REGION = "cn-hangzhou"
UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
WIN = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"
LAMP, LAMP_CODE = "m-bp1o6a6zp7fkruscjqn0", "cmjj028279"
COMMUNITY = "m-bp1ujaahknmt2rpdhte1"
TYPE = "ecs.g7.large"


# -- helpers ----------------------------------------------------------------------------------------
def describe(client, **kw) -> list[dict]:
    kw.setdefault("region_id", REGION)
    kw.setdefault("page_size", 100)
    return client.describe_images(models.DescribeImagesRequest(**kw)).body.to_map()["Images"]["Image"]


def ids(client, **kw) -> set[str]:
    return {i["ImageId"] for i in describe(client, **kw)}


def assert_documented(err: ClientException, action: str, code: str) -> None:
    assert err.code == code, err.message
    documented = documented_error(action, code)
    assert documented is not None and err.status_code == documented[0]


def create_instance(client, image_id: str, region: str = REGION) -> str:
    return client.create_instance(models.CreateInstanceRequest(
        region_id=region, image_id=image_id, instance_type=TYPE)).body.instance_id


def run(client, image_id: str) -> str:
    return client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=image_id, instance_type=TYPE)).body.instance_id_sets.instance_id_set[0]


def make_image(client, name: str, source: str = UBUNTU, family: str | None = None, region: str = REGION) -> str:
    instance_id = create_instance(client, source, region)
    return client.create_image(models.CreateImageRequest(
        region_id=region, instance_id=instance_id, image_name=name, image_family=family)).body.image_id


def share(client, image_id: str, add=(), remove=(), region: str = REGION, **kw) -> None:
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=region, image_id=image_id, add_account=list(add) or None, remove_account=list(remove) or None, **kw))


def replace_disk(client, instance_id: str, image_id: str) -> str:
    return client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=instance_id, image_id=image_id)).body.disk_id


def instance_image(client, instance_id: str) -> str:
    return client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=f'["{instance_id}"]')).body.instances.instance[0].image_id


# -- share -> see -> launch -> unshare -> gone ----------------------------------------------------------
def test_share_use_unshare(client, other):
    image_id = make_image(client, "team-base", family="team-base")
    assert image_id not in ids(other.client, image_owner_alias="others")
    assert image_id not in ids(other.client, image_id=image_id)

    share(client, image_id, add=[other.account_id])
    seen = describe(other.client, image_owner_alias="others")
    assert [i["ImageId"] for i in seen] == [image_id]
    record = seen[0]
    assert record["ImageOwnerAlias"] == "others" and record["ImageOwnerId"] == int(DEFAULT_ACCOUNT)
    assert record["IsPublic"] is False and record["IsSelfShared"] == ""
    assert ids(other.client, image_id=image_id) == {image_id}  # default alias includes shared images
    assert ids(other.client, image_owner_alias="others", image_owner_id=int(DEFAULT_ACCOUNT)) == {image_id}
    # the owner's view
    mine = describe(client, image_id=image_id)[0]
    assert mine["ImageOwnerAlias"] == "self" and mine["IsSelfShared"] == "True"
    accounts = client.describe_image_share_permission(models.DescribeImageSharePermissionRequest(
        region_id=REGION, image_id=image_id)).body.accounts.account
    assert [a.aliyun_id for a in accounts] == [other.account_id]

    # the recipient launches it every way the service allows
    run_id = run(other.client, image_id)
    assert instance_image(other.client, run_id) == image_id
    created = create_instance(other.client, image_id)
    replace_disk(other.client, created, image_id)
    assert instance_image(other.client, created) == image_id
    family = other.client.describe_image_from_family(models.DescribeImageFromFamilyRequest(
        region_id=REGION, image_family="team-base")).body.to_map()["Image"]
    assert family["ImageId"] == image_id and family["ImageOwnerAlias"] == "others"
    copy_id = other.client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=image_id, destination_region_id=REGION,
        destination_image_name="my-copy")).body.image_id
    assert describe(other.client, image_id=copy_id)[0]["ImageOwnerAlias"] == "self"
    err = error_of(lambda: other.client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=image_id, destination_region_id="cn-beijing")))
    assert_documented(err, "CopyImage", "OperationDenied.SameRegionOnly")

    # the recipient cannot manage it
    err = error_of(lambda: other.client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id)))
    assert err.code == "InvalidImageId.NotFound"
    err = error_of(lambda: share(other.client, image_id, add=["9999000011112222"]))
    assert err.code == "InvalidImageId.NotFound"

    # unshare: gone for them, their copy stays
    share(client, image_id, remove=[other.account_id])
    assert image_id not in ids(other.client, image_owner_alias="others")
    assert image_id not in ids(other.client, image_id=image_id, status="ALL")
    assert_documented(error_of(lambda: run(other.client, image_id)), "RunInstances", "InvalidImageId.NotFound")
    err = error_of(lambda: replace_disk(other.client, created, image_id))
    assert err.code == "InvalidImageId.NotFound"
    family = other.client.describe_image_from_family(models.DescribeImageFromFamilyRequest(
        region_id=REGION, image_family="team-base")).body.to_map()["Image"]
    assert family == {}
    assert ids(other.client, image_id=copy_id) == {copy_id}
    assert describe(client, image_id=image_id)[0]["IsSelfShared"] == "False"


def test_sharing_is_per_region(client, mock):
    image_id = make_image(client, "hz-only")
    them = make_account(mock.engine, "2222333344445555", region="cn-beijing")
    share(client, image_id, add=[them.account_id])
    assert image_id not in ids(them.client, region_id="cn-beijing", image_owner_alias="others")
    assert image_id in ids(them.client, region_id=REGION, image_owner_alias="others")


def test_old_sdk_recipient_sees_the_shared_image(client, other):
    image_id = make_image(client, "legacy-visible")
    share(client, image_id, add=[other.account_id])
    req = LegacyDescribeImages()
    req.set_ImageOwnerAlias("others")
    body = legacy_call(other.legacy, req)
    assert [i["ImageId"] for i in body["Images"]["Image"]] == [image_id]
    assert body["Images"]["Image"][0]["ImageOwnerId"] == int(DEFAULT_ACCOUNT)


def test_deleting_the_shared_image_removes_it_for_recipients(client, other):
    image_id = make_image(client, "to-delete")
    share(client, image_id, add=[other.account_id])
    err = error_of(lambda: client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id)))
    assert_documented(err, "DeleteImage", "ImageUseShared")
    err = error_of(lambda: client.delete_image(models.DeleteImageRequest(
        region_id=REGION, image_id=image_id, force=True)))
    assert err.code == "ImageUseShared"  # Force does not override sharing
    assert image_id in ids(other.client, image_owner_alias="others")
    share(client, image_id, remove=[other.account_id])
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id))
    assert ids(client, image_id=image_id, status="ALL") == set()
    assert ids(other.client, image_id=image_id, status="ALL") == set()


def test_share_errors(client, other, engine):
    engine.config.options["share_any_account"] = False  # strict: only registered accounts exist
    image_id = make_image(client, "share-errors")
    err = error_of(lambda: share(client, image_id, add=["1000200030004000"]))
    assert_documented(err, "ModifyImageSharePermission", "InvalidAccount.NotFound")
    assert err.data["Message"] == 'The specified parameter "AddAccount.n" or "RemoveAccount.n"  does not exist.'
    err = error_of(lambda: share(client, image_id, add=[DEFAULT_ACCOUNT]))
    assert err.code == "InvalidAccount.Forbbiden" and err.status_code == 404
    # nothing was half-applied
    assert describe(client, image_id=image_id)[0]["IsSelfShared"] == "False"
    err = error_of(lambda: share(client, UBUNTU, add=[other.account_id]))
    assert err.status_code in (403, 404)
    client.modify_image_attribute(models.ModifyImageAttributeRequest(
        region_id=REGION, image_id=image_id, status="Deprecated"))
    err = error_of(lambda: share(client, image_id, add=[other.account_id]))
    assert_documented(err, "ModifyImageSharePermission", "OperationDenied.InvalidImageStatus")


def test_share_quota(client, mock):
    mock.engine.config.options["share_quota"] = 2
    image_id = make_image(client, "quota")
    accounts = [make_account(mock.engine, f"77776666555544{i:02d}").account_id for i in range(3)]
    share(client, image_id, add=accounts[:2])
    err = error_of(lambda: share(client, image_id, add=accounts[2:]))
    assert_documented(err, "ModifyImageSharePermission", "QuotaExceed.ShareImageUser")


# -- community images ------------------------------------------------------------------------------------
def test_community_publish_and_unpublish(client, other, mock):
    third = make_account(mock.engine, "3333444455556666")
    image_id = make_image(client, "community-base")
    share(client, image_id, is_public=True)
    for who in (other, third):
        seen = describe(who.client, image_owner_alias="others", is_public=True)
        assert image_id in {i["ImageId"] for i in seen}
        record = next(i for i in seen if i["ImageId"] == image_id)
        assert record["IsPublic"] is True and record["ImageOwnerId"] == int(DEFAULT_ACCOUNT)
        # community images are not "shared with" them
        assert image_id not in ids(who.client, image_owner_alias="others")
    assert run(other.client, image_id)
    # community images are not copied (spec §3.3)
    err = error_of(lambda: other.client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=image_id, destination_region_id=REGION)))
    assert err.code == "OperationDenied.CommunityImage"
    err = error_of(lambda: client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id)))
    assert_documented(err, "DeleteImage", "ImageIsPublic")

    share(client, image_id, is_public=False)
    assert image_id not in ids(other.client, image_owner_alias="others", is_public=True)
    assert_documented(error_of(lambda: run(other.client, image_id)), "RunInstances", "InvalidImageId.NotFound")
    err = error_of(lambda: share(client, image_id, is_public=False))
    assert err.code == "Image.NotPublic"
    # their instance still runs it: Force is needed now, and suffices
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id, force=True))


def test_catalog_community_images_visible_to_anyone(client, other):
    for c in (client, other.client):
        assert COMMUNITY in ids(c, image_owner_alias="others", is_public=True)
        assert run(c, COMMUNITY)
    err = error_of(lambda: describe(client, image_owner_alias="self", is_public=True))
    # documented by the 2025 API reference (spec §2.3), not in the metadata's table
    assert (err.code, err.status_code) == ("InvalidImageOwnerAlias.PublicImageUnsupported", 400)


# -- ReplaceSystemDisk with each image type ------------------------------------------------------------
def test_replace_system_disk_with_public_custom_shared_and_marketplace_images(engine, client, other):
    custom = make_image(other.client, "their-own")
    shared = make_image(client, "from-the-owner")
    share(client, shared, add=[other.account_id])
    marketplace.subscribe(engine, other.account_id, LAMP_CODE)
    instance_id = create_instance(other.client, UBUNTU)  # CreateInstance leaves it Stopped
    disks = set()
    for image_id in (WIN, custom, shared, LAMP, UBUNTU):
        disks.add(replace_disk(other.client, instance_id, image_id))
        assert instance_image(other.client, instance_id) == image_id
    assert len(disks) == 5  # a new system disk each time


# -- seed-level selection and search ---------------------------------------------------------------------
def test_search_by_region_type_os_name_id_snapshot_and_product(engine, client, other):
    hz = make_image(client, "search-hz-web")
    bj = make_image(client, "search-bj-web", region="cn-beijing")
    # region
    assert hz in ids(client, image_owner_alias="self") and bj not in ids(client, image_owner_alias="self")
    assert ids(client, region_id="cn-beijing", image_owner_alias="self") == {bj}
    # type (alias)
    system = ids(client, image_owner_alias="system")
    assert UBUNTU in system and hz not in system and LAMP not in system
    assert LAMP in ids(client, image_owner_alias="marketplace")
    assert LAMP not in ids(client)  # the default listing leaves the Marketplace out
    # OS / architecture
    windows = describe(client, image_owner_alias="system", ostype="windows")
    assert windows and all(i["OSType"] == "windows" for i in windows)
    arm = describe(client, image_owner_alias="system", architecture="arm64")
    assert arm and all(i["Architecture"] == "arm64" for i in arm)
    # name (fuzzy) and ID (one or several)
    assert ids(client, image_name="search-hz") == {hz}
    assert ids(client, image_id=f"{hz},{UBUNTU}") == {hz, UBUNTU}
    # family
    assert ids(client, image_family="acs:ubuntu_22_04_x64") >= {UBUNTU}
    # snapshot ID
    snapshot_id = describe(client, image_id=hz)[0]["DiskDeviceMappings"]["DiskDeviceMapping"][0]["SnapshotId"]
    assert snapshot_id.startswith("s-")
    assert ids(client, snapshot_id=snapshot_id) == {hz}
    # Marketplace product / built-in software
    wordpress = describe(client, image_owner_alias="marketplace", image_name="WordPress")
    assert [i["ProductCode"] for i in wordpress] == ["cmjj031544"]
    # price: DescribePrice tells a paid image from a free one
    fee = {i: next(d for d in client.describe_price(models.DescribePriceRequest(
        region_id=REGION, instance_type=TYPE, image_id=i)).body.to_map()["PriceInfo"]["Price"]["DetailInfos"][
        "DetailInfo"] if d["Resource"] == "image")["OriginalPrice"] for i in (UBUNTU, WIN)}
    assert fee[UBUNTU] == 0 and fee[WIN] > 0
    # none of it leaks to another account
    assert ids(other.client, image_owner_alias="self") == set()
    assert ids(other.client, snapshot_id=snapshot_id) == set()

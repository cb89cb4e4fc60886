"""Image sharing (spec §3.7-3.9) through the real SDKs."""
from __future__ import annotations

import pytest
from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.DescribeImageSharePermissionRequest import DescribeImageSharePermissionRequest
from aliyunsdkecs.request.v20140526.ModifyImageShareGroupPermissionRequest import (
    ModifyImageShareGroupPermissionRequest,
)
from aliyunsdkecs.request.v20140526.ModifyImageSharePermissionRequest import ModifyImageSharePermissionRequest

from tests.sdk import legacy_call, make_account, new_client
from tests.spec import documented_error
from tests.test_images import REGION, UBUNTU, create_image, describe, error, image

THIRD = "3333444455556666"


def share(client, image_id, add=None, remove=None, **kw):
    return client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, add_account=add, remove_account=remove, **kw))


def permissions(client, image_id, **kw) -> dict:
    return client.describe_image_share_permission(models.DescribeImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, **kw)).body.to_map()



def test_a_copy_in_progress_takes_accounts(client, engine, other):
    """Packer's alicloud-ecs builder shares its copies right after CopyImage (option ``share_copying_image``, on by
    default): the accounts are added while the copy runs and the recipient sees the image once it is Available.
    Publishing it stays refused, and so does sharing it with the option off, or an image still being created."""
    engine.lifecycle.delay("copy", seconds=60)
    source = create_image(client, image_name="copied-then-shared")
    beijing = new_client(region="cn-beijing")
    copying = client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=source, destination_region_id="cn-beijing")).body.image_id
    in_beijing = lambda **kw: beijing.modify_image_share_permission(  # noqa: E731
        models.ModifyImageSharePermissionRequest(region_id="cn-beijing", image_id=copying, **kw))
    assert image(beijing, copying, region="cn-beijing")["Status"] == "Creating"
    exc = error(lambda: in_beijing(is_public=True))
    assert (exc.code, exc.status_code, exc.data["Message"]) == ("IncorrectImageStatus", 400,
                                                                "The specified image is not available.")
    engine.config.options["share_copying_image"] = False
    assert error(lambda: in_beijing(add_account=[other.account_id])).code == "IncorrectImageStatus"
    engine.config.options["share_copying_image"] = True
    in_beijing(add_account=[other.account_id])
    seen = lambda: other.client.describe_images(models.DescribeImagesRequest(  # noqa: E731
        region_id="cn-beijing", image_owner_alias="others")).body.images.image
    assert seen() == []  # (Available images only, by default)
    engine.clock.advance(60)
    assert [(i.image_id, i.status) for i in seen()] == [(copying, "Available")]
    listed = beijing.describe_image_share_permission(models.DescribeImageSharePermissionRequest(
        region_id="cn-beijing", image_id=copying)).body.accounts.account
    assert [a.aliyun_id for a in listed] == [other.account_id]
    engine.lifecycle.delay("image", seconds=60)  # (an image being made, not a copy: refused as before)
    creating = create_image(client, image_name="still-creating")
    assert error(lambda: share(client, creating, add=[other.account_id])).code == "IncorrectImageStatus"

def test_share_and_recipient_view(client, other):
    image_id = create_image(client, image_name="shared-1")
    share(client, image_id, add=[other.account_id])
    got = permissions(client, image_id)
    assert got["TotalCount"] == 1 and got["ImageId"] == image_id and got["RegionId"] == REGION
    account = got["Accounts"]["Account"][0]
    assert account["AliyunId"] == other.account_id and isinstance(account["AliyunId"], str)
    assert account["SharedTime"].endswith("Z")
    assert got["ShareGroups"]["ShareGroup"] == []
    assert image(client, image_id)["IsSelfShared"] == "True"
    seen = other.client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="others")).body.to_map()["Images"]["Image"]
    mine = [i for i in seen if i["ImageId"] == image_id]
    assert mine and mine[0]["ImageOwnerAlias"] == "others" and mine[0]["ImageOwnerId"] == 1234567890123456
    assert mine[0]["IsSelfShared"] == "" and mine[0]["IsPublic"] is False
    # Only in the owner's region.
    assert other.client.describe_images(models.DescribeImagesRequest(
        region_id="cn-beijing", image_id=image_id, status="ALL")).body.total_count == 0
    # The recipient cannot manage the share.
    assert error(lambda: share(other.client, image_id, add=[THIRD])).code == "InvalidImageId.NotFound"
    share(client, image_id, remove=[other.account_id])
    assert permissions(client, image_id)["TotalCount"] == 0
    assert image(client, image_id)["IsSelfShared"] == "False"
    assert other.client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_id=image_id)).body.total_count == 0


def test_account_errors(client, engine):
    engine.config.options["share_any_account"] = False  # strict: only registered accounts exist
    image_id = create_image(client, image_name="shared-2")
    exc = error(lambda: share(client, image_id, add=["1234567890123456"]))
    assert (exc.code, exc.status_code) == ("InvalidAccount.Forbbiden", 404)
    exc = error(lambda: share(client, image_id, add=["9876543210987654"]))
    assert (exc.code, exc.status_code) == ("InvalidAccount.NotFound", 404)
    assert (exc.status_code, exc.data["Message"]) == \
        documented_error("ModifyImageSharePermission", "InvalidAccount.NotFound")
    engine.config.options["share_any_account"] = True  # the default
    share(client, image_id, add=["9876543210987654"])
    assert permissions(client, image_id)["TotalCount"] == 1
    assert error(lambda: share(client, image_id, add=["12345"])).code == "InvalidAccount.NotFound"


def test_failed_share_applies_nothing(client, engine):
    engine.config.options["share_any_account"] = False
    image_id = create_image(client, image_name="atomic-1")
    for account in ("2222333344445555", THIRD):
        make_account(engine, account)
    exc = error(lambda: share(client, image_id, add=["2222333344445555", THIRD, "9999999999999999"]))
    assert exc.code == "InvalidAccount.NotFound"
    assert permissions(client, image_id)["TotalCount"] == 0


def test_only_first_ten_processed_and_quota(client, engine):
    image_id = create_image(client, image_name="many-1")
    accounts = [f"70000000000000{n:02d}" for n in range(12)]
    share(client, image_id, add=accounts)
    got = {a["AliyunId"] for a in permissions(client, image_id, page_size=100)["Accounts"]["Account"]}
    assert got == set(accounts[:10])
    page = permissions(client, image_id, page_size=4, page_number=3)
    assert page["TotalCount"] == 10 and len(page["Accounts"]["Account"]) == 2
    engine.config.options["share_quota"] = 12
    share(client, image_id, add=accounts[10:])
    exc = error(lambda: share(client, image_id, add=["8000000000000000"]))
    assert (exc.code, exc.status_code) == ("QuotaExceed.ShareImageUser", 403)
    assert permissions(client, image_id)["TotalCount"] == 12


def test_publish_as_community_image(client, other):
    image_id = create_image(client, image_name="community-1")
    share(client, image_id, is_public=True)
    assert permissions(client, image_id)["ShareGroups"]["ShareGroup"] == [{"Group": "all"}]
    assert image(client, image_id)["IsPublic"] is True
    found = other.client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="others", is_public=True, page_size=100)).body.to_map()
    assert image_id in {i["ImageId"] for i in found["Images"]["Image"]}
    exc = error(lambda: share(client, image_id, add=[other.account_id], is_public=False))
    assert (exc.code, exc.status_code) == ("InvalidParameter.IsPublic", 403)
    exc = error(lambda: client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=image_id)))
    assert (exc.code, exc.status_code) == ("ImageIsPublic", 403)
    share(client, image_id, is_public=False)
    assert image(client, image_id)["IsPublic"] is False
    exc = error(lambda: share(client, image_id, is_public=False))
    assert (exc.code, exc.status_code) == ("Image.NotPublic", 403)


def test_status_rules(client, engine):
    image_id = create_image(client, image_name="status-1")
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=image_id,
                                                                     status="Deprecated"))
    exc = error(lambda: share(client, image_id, add=["2222333344445555"]))
    assert (exc.code, exc.status_code) == ("OperationDenied.InvalidImageStatus", 403)
    engine.lifecycle.delay("image", seconds=60)
    creating = create_image(client, image_name="status-2")
    assert error(lambda: share(client, creating, add=["2222333344445555"])).code == "IncorrectImageStatus"
    # A shared image cannot be deprecated.
    engine.clock.advance(60)
    make_account(engine, "2222333344445555")
    share(client, creating, add=["2222333344445555"])
    exc = error(lambda: client.modify_image_attribute(models.ModifyImageAttributeRequest(
        region_id=REGION, image_id=creating, status="Deprecated")))
    assert (exc.code, exc.status_code) == ("ImageUseShared", 403)


def test_system_image_and_launch_permission(client, other):
    exc = error(lambda: share(client, UBUNTU, add=[other.account_id]))
    assert (exc.code, exc.status_code) == ("Image.Public", 403)
    image_id = create_image(client, image_name="lp-1")
    exc = error(lambda: share(client, image_id, add=[other.account_id], launch_permission="publish"))
    assert exc.code == "UnnecessaryParameter.LaunchPermission"
    # LaunchPermission is "in invitation-only testing" (metadata): forbidden (issue 13: was accepted).
    exc = error(lambda: share(client, image_id, launch_permission="publish"))
    assert (exc.status_code, exc.data["Message"]) == \
        documented_error("ModifyImageSharePermission", "ForbiddenParameter.LaunchPermission")
    assert error(lambda: share(client, image_id, add=[other.account_id], dry_run=True)).code == "DryRunOperation"
    assert permissions(client, image_id)["TotalCount"] == 0


def test_share_group_permission_legacy(client, legacy, other):
    image_id = create_image(client, image_name="group-1")
    req = ModifyImageShareGroupPermissionRequest()
    req.set_ImageId(image_id)
    req.set_AddGroup1("all")
    legacy_call(legacy, req)
    req = DescribeImageSharePermissionRequest()
    req.set_ImageId(image_id)
    body = legacy_call(legacy, req)
    assert body["ShareGroups"]["ShareGroup"] == [{"Group": "all"}]
    assert body["PageNumber"] == 1 and body["PageSize"] == 10
    assert describe(other.client, image_owner_alias="others", is_public=True, image_id=image_id)["TotalCount"] == 1
    bad = ModifyImageShareGroupPermissionRequest()
    bad.set_ImageId(image_id)
    bad.set_RemoveGroup1("friends")
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    with pytest.raises(ServerException) as info:
        legacy_call(legacy, bad)
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("InvalidGroup.Malformed", 404)
    client.modify_image_share_group_permission(models.ModifyImageShareGroupPermissionRequest(
        region_id=REGION, image_id=image_id, remove_group=["all"]))
    assert permissions(client, image_id)["ShareGroups"]["ShareGroup"] == []


def test_legacy_share_permission(legacy, client, other):
    image_id = create_image(client, image_name="legacy-share-1")
    req = ModifyImageSharePermissionRequest()
    req.set_ImageId(image_id)
    req.set_AddAccounts([other.account_id])
    legacy_call(legacy, req)
    assert permissions(client, image_id)["Accounts"]["Account"][0]["AliyunId"] == other.account_id


def test_an_image_shared_and_public_is_a_shared_image_to_its_sharee(client, other, engine):
    """To an account it is shared with, a community image is a shared image (``community_to``): listed once
    under ImageOwnerAlias=others, not among community images, and once with no alias even when community
    images are listed too; the listings (ordered index) and the filtered queries (by name, tag) agree."""
    image_id = create_image(client, image_name="both-ways-1")
    share(client, image_id, add=[other.account_id])
    share(client, image_id, is_public=True)
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="image", resource_id=[image_id],
                                                    tag=[models.TagResourcesRequestTag(key="k", value="v")]))
    tag = [models.DescribeImagesRequestTag(key="k", value="v")]
    engine.config.options["describe_default_includes_community"] = True
    for alias, is_public, listed in (("others", None, 1), ("others", True, 0), ("", None, 1)):
        for narrowed in ({}, {"image_name": "both-ways"}, {"tag": tag}):
            body = other.client.describe_images(models.DescribeImagesRequest(
                region_id=REGION, image_owner_alias=alias, is_public=is_public, page_size=100, **narrowed)).body
            ids = [i.image_id for i in body.images.image]
            assert ids.count(image_id) == listed, (alias, is_public, narrowed)
            assert body.total_count == len(ids), (alias, is_public, narrowed)  # (each listed once)
    # A third account, which it is not shared with, sees a community image.
    third = make_account(engine, THIRD)
    body = third.client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="others", is_public=True, image_name="both-ways")).body
    assert [i.image_id for i in body.images.image] == [image_id]

"""Defaults a real client working against the cloud relies on (issue 13), each with its old behaviour
one option away: sharing with an account the fake has never seen, deleting a missing image id,
DescribeImages with no ImageOwnerAlias."""
from __future__ import annotations

from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.DeleteImageRequest import DeleteImageRequest

from tests.sdk import error_of, legacy_call
from tests.spec import documented_error
from tests.test_images import COMMUNITY, REGION, SHARED, UBUNTU, create_image, describe

UNSEEN = "1357924680135792"  # an account id nobody registered


def share(client, image_id: str, add: list[str]) -> None:
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, add_account=add))


def shared_with(client, image_id: str) -> list[str]:
    body = client.describe_image_share_permission(models.DescribeImageSharePermissionRequest(
        region_id=REGION, image_id=image_id)).body
    return [a.aliyun_id for a in body.accounts.account]


def test_share_with_an_unseen_account_then_read_the_permission_back(client, engine):
    image_id = create_image(client, image_name="to-a-partner")
    share(client, image_id, [UNSEEN])
    assert shared_with(client, image_id) == [UNSEEN]
    # Malformed ids and the caller's own id keep their documented errors.
    for bad, code in (("12345", "InvalidAccount.NotFound"), ("1234567890123456", "InvalidAccount.Forbbiden")):
        err = error_of(lambda b=bad: share(client, image_id, [b]))
        assert (err.status_code, err.data["Message"]) == documented_error("ModifyImageSharePermission", code)
        assert err.code == code
    # The old behaviour: only accounts the fake knows exist.
    engine.config.options["share_any_account"] = False
    err = error_of(lambda: share(client, image_id, ["2468013579246801"]))
    assert err.code == "InvalidAccount.NotFound"
    assert (err.status_code, err.data["Message"]) == \
        documented_error("ModifyImageSharePermission", "InvalidAccount.NotFound")
    assert shared_with(client, image_id) == [UNSEEN]


def test_delete_a_missing_image_id_succeeds_with_nothing_changed(client, legacy, engine):
    mine = create_image(client, image_name="keep-me")
    before = describe(client, status="ALL", image_owner_alias="self")
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id="m-bp1doesnotexist00001"))
    request = DeleteImageRequest()
    request.set_ImageId("m-bp1doesnotexist00002")
    assert "RequestId" in legacy_call(legacy, request)
    assert describe(client, status="ALL", image_owner_alias="self")["Images"] == before["Images"]
    assert [i["ImageId"] for i in before["Images"]["Image"]] == [mine]
    # An image the caller sees but cannot delete (public, shared with them) is still a 404.
    for seen in (UBUNTU, SHARED):
        err = error_of(lambda s=seen: client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=s)))
        assert err.code == "InvalidImageId.NotFound"
        assert (err.status_code, err.data["Message"]) == documented_error("DeleteImage", "InvalidImageId.NotFound")
    # The old behaviour, one option away.
    engine.config.options["delete_missing_image"] = "error"
    err = error_of(lambda: client.delete_image(models.DeleteImageRequest(
        region_id=REGION, image_id="m-bp1doesnotexist00001")))
    assert (err.code, err.status_code) == ("InvalidImageId.NotFound", 404)


def test_describe_with_no_alias_leaves_community_images_out(client, engine):
    listed = {i["ImageId"] for i in describe(client, page_size=100)["Images"]["Image"]}
    assert COMMUNITY not in listed
    assert SHARED in listed and UBUNTU in describe(client, image_id=UBUNTU)["Images"]["Image"][0]["ImageId"]
    # Looked up by id (as tools check an image before launching it), a community image is found.
    assert describe(client, image_id=COMMUNITY)["TotalCount"] == 1
    # Asked for, they are there.
    community = describe(client, image_owner_alias="others", is_public=True, page_size=100)["Images"]["Image"]
    assert COMMUNITY in {i["ImageId"] for i in community}
    # The old behaviour, one option away.
    engine.config.options["describe_default_includes_community"] = True
    assert COMMUNITY in {i["ImageId"] for i in describe(client, page_size=100)["Images"]["Image"]}

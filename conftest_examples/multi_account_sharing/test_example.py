import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException

REGION = "cn-hangzhou"


def visible_to(client, image_id):
    resp = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id))
    return [i.image_id for i in resp.body.images.image]


def shared_with(client, image_id):
    resp = client.describe_image_share_permission(
        models.DescribeImageSharePermissionRequest(region_id=REGION, image_id=image_id))
    return [a.aliyun_id for a in resp.body.accounts.account]


def share(client, image_id, add=(), remove=()):
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, add_account=list(add) or None, remove_account=list(remove) or None))


def test_share_and_unshare(alice, bob, golden_image):
    assert visible_to(bob.client, golden_image) == []
    share(alice["client"], golden_image, add=[bob.account_id])
    assert shared_with(alice["client"], golden_image) == [bob.account_id]
    assert visible_to(bob.client, golden_image) == [golden_image]
    others = bob.client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_owner_alias="others"))
    assert golden_image in [i.image_id for i in others.body.images.image]

    share(alice["client"], golden_image, remove=[bob.account_id])
    assert visible_to(bob.client, golden_image) == []


def test_only_the_owner_can_share(alice, bob, golden_image):
    with pytest.raises(ClientException) as info:
        share(bob.client, golden_image, add=[alice["account_id"]])
    assert info.value.code == "InvalidImageId.NotFound"


def test_sharing_with_yourself_is_refused(alice, golden_image):
    with pytest.raises(ClientException) as info:
        share(alice["client"], golden_image, add=[alice["account_id"]])
    assert info.value.code == "InvalidAccount.Forbbiden"  # sic, as the service spells it


def test_calls_name_the_account(ecs_mock, bob, golden_image):
    visible_to(bob.client, golden_image)
    assert ecs_mock.calls[-1].account == bob.account_id

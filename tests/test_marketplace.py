"""Marketplace images: per-account subscriptions, launch checks, delisting, derived images."""
from __future__ import annotations

import json

import aliyunsdkecs.request.v20140526.DescribeImagesRequest as legacy_describe
import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException

from mockecs.world import marketplace
from tests.sdk import error_of
from tests.spec import documented_error

LAMP, LAMP_CODE = "m-bp1o6a6zp7fkruscjqn0", "cmjj028279"
GITLAB, GITLAB_CODE = "m-bp1embhmgxmz3c6y06uy", "cmjj036688"  # PrePaid only
TOMCAT, TOMCAT_CODE = "m-bp1ixztfqvl15w968d7y", "cmjj019876"  # delisted
REGION = "cn-hangzhou"


def market_images(client) -> dict[str, dict]:
    body = client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="marketplace", page_size=100)).body.to_map()
    return {i["ImageId"]: i for i in body["Images"]["Image"]}


def run(client, image_id: str, **kw):
    kw.setdefault("instance_type", "ecs.g7.large")
    return client.run_instances(models.RunInstancesRequest(region_id=REGION, image_id=image_id, **kw))


def assert_documented(err: ClientException, action: str, code: str) -> None:
    assert err.code == code
    documented = documented_error(action, code)
    assert documented is not None, f"{code} is not documented for {action}"
    assert err.status_code == documented[0]


# -- subscription state -------------------------------------------------------------------------
def test_marketplace_images_listed_with_wire_fields(client):
    found = market_images(client)
    assert len(found) == 8
    lamp = found[LAMP]
    assert lamp["ImageOwnerAlias"] == "marketplace" and lamp["ProductCode"] == LAMP_CODE
    assert lamp["IsSubscribed"] is False and lamp["SupplierName"]
    assert not any(k.startswith("_") for k in lamp)


def test_products_come_from_alibaba_cloud_and_several_isvs(client, legacy):
    found = market_images(client)
    suppliers = {i["SupplierName"] for i in found.values()}
    assert "Alibaba Cloud Computing Co., Ltd." in suppliers and len(suppliers) >= 4
    by_alibaba = [i for i in found.values() if i["SupplierName"] == "Alibaba Cloud Computing Co., Ltd."]
    assert {i["Platform"] for i in by_alibaba} >= {"Aliyun", "Windows Server 2022"}
    assert found[LAMP]["SupplierName"] == "Hangzhou Cloudstack Software Co., Ltd."
    # The same supplier data through the old SDK.
    request = legacy_describe.DescribeImagesRequest()
    request.set_ImageOwnerAlias("marketplace")
    request.set_ImageId(LAMP)
    image = json.loads(legacy.do_action_with_exception(request))["Images"]["Image"][0]
    assert image["SupplierName"] == "Hangzhou Cloudstack Software Co., Ltd." and image["ProductCode"] == LAMP_CODE


def test_is_subscribed_follows_subscription_per_account(engine, client, other):
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    assert market_images(client)[LAMP]["IsSubscribed"] is True
    assert market_images(client)[GITLAB]["IsSubscribed"] is False
    assert market_images(other.client)[LAMP]["IsSubscribed"] is False  # another account's state
    assert marketplace.subscriptions(engine, "1234567890123456") == [LAMP_CODE]
    marketplace.unsubscribe(engine, "1234567890123456", LAMP_CODE)
    assert market_images(client)[LAMP]["IsSubscribed"] is False
    marketplace.unsubscribe(engine, "1234567890123456", LAMP_CODE)  # no-op


def test_is_subscribed_is_a_json_boolean_on_the_old_sdk(engine, legacy):
    from tests.sdk import legacy_call

    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    req = legacy_describe.DescribeImagesRequest()
    req.set_ImageOwnerAlias("marketplace")
    req.set_ImageId(LAMP)
    image = legacy_call(legacy, req)["Images"]["Image"][0]
    assert image["IsSubscribed"] is True


def test_reset_forgets_subscriptions(engine):
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    assert marketplace.is_subscribed(engine, "1234567890123456", LAMP_CODE)
    engine.reset()
    assert not marketplace.is_subscribed(engine, "1234567890123456", LAMP_CODE)


def test_subscribing_to_an_unknown_product_is_a_python_error(engine):
    with pytest.raises(ValueError, match="cmjj000000"):
        marketplace.subscribe(engine, "1234567890123456", "cmjj000000")


# -- launching ---------------------------------------------------------------------------------
def test_unsubscribed_launch_fails_then_works_once_subscribed(engine, client):
    err = error_of(lambda: run(client, LAMP))
    assert_documented(err, "RunInstances", "ImageNotSubscribed")
    err = error_of(lambda: client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LAMP, instance_type="ecs.g7.large")))
    assert_documented(err, "CreateInstance", "ImageNotSubscribed")
    assert not engine.store.export().get("instance")  # nothing half-created

    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    instance_id = run(client, LAMP).body.instance_id_sets.instance_id_set[0]
    described = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=f'["{instance_id}"]')).body.instances.instance[0]
    assert described.image_id == LAMP

    marketplace.unsubscribe(engine, "1234567890123456", LAMP_CODE)
    assert error_of(lambda: run(client, LAMP)).code == "ImageNotSubscribed"


def test_another_accounts_subscription_does_not_count(engine, other):
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    assert error_of(lambda: run(other.client, LAMP)).code == "ImageNotSubscribed"


def test_delisted_image_cannot_be_launched(engine, client):
    marketplace.subscribe(engine, "1234567890123456", TOMCAT_CODE)
    err = error_of(lambda: run(client, TOMCAT))
    assert_documented(err, "RunInstances", "ImageRemovedInMarket")


def test_wrong_charge_type_for_a_prepaid_only_product(engine, client):
    marketplace.subscribe(engine, "1234567890123456", GITLAB_CODE)
    err = error_of(lambda: run(client, GITLAB, instance_charge_type="PostPaid"))
    assert_documented(err, "RunInstances", "InvalidMarketImageChargeType.NotSupport")
    assert run(client, GITLAB, instance_charge_type="PrePaid").body.instance_id_sets.instance_id_set


def test_replace_system_disk_needs_a_subscription(engine, client):
    instance_id = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="ubuntu_22_04_x64_20G_alibase_20240130.vhd",
        instance_type="ecs.g7.large")).body.instance_id
    err = error_of(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=instance_id, image_id=LAMP)))
    assert_documented(err, "ReplaceSystemDisk", "ImageNotSubscribed")
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    assert client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=instance_id, image_id=LAMP)).body.disk_id.startswith("d-")


# -- images made from a Marketplace image ---------------------------------------------------------
def custom_from_marketplace(engine, client, name: str = "from-lamp") -> str:
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    instance_id = run(client, LAMP).body.instance_id_sets.instance_id_set[0]
    return client.create_image(models.CreateImageRequest(
        region_id=REGION, instance_id=instance_id, image_name=name)).body.image_id


def test_custom_image_inherits_the_product_code(engine, client):
    image_id = custom_from_marketplace(engine, client)
    image = client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_id=image_id, status="ALL")).body.images.image[0]
    assert image.product_code == LAMP_CODE and image.image_owner_alias == "self"
    assert image.is_subscribed is True
    # findable by product code through the SDK's own listing: every self image carrying it
    mine = client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="self", status="ALL")).body.images.image
    assert [i.image_id for i in mine if i.product_code == LAMP_CODE] == [image_id]


def test_custom_image_from_marketplace_cannot_be_exported(engine, client):
    image_id = custom_from_marketplace(engine, client)
    err = error_of(lambda: client.export_image(models.ExportImageRequest(
        region_id=REGION, image_id=image_id, ossbucket="exports")))
    # documented twice: 400 for encrypted images, 403 "...from the image market, do not support export image."
    assert (err.code, err.status_code) == ("ImageNotSupported", 403)
    assert "market" in err.message


def test_custom_image_from_marketplace_still_needs_the_subscription(engine, client):
    image_id = custom_from_marketplace(engine, client)
    marketplace.unsubscribe(engine, "1234567890123456", LAMP_CODE)
    assert error_of(lambda: run(client, image_id)).code == "ImageNotSubscribed"
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    assert run(client, image_id).body.instance_id_sets.instance_id_set


def test_custom_image_create_image_version_must_match(engine, client):
    marketplace.subscribe(engine, "1234567890123456", LAMP_CODE)
    instance_id = run(client, LAMP).body.instance_id_sets.instance_id_set[0]
    err = error_of(lambda: client.create_image(models.CreateImageRequest(
        region_id=REGION, instance_id=instance_id, image_name="wrong-version", image_version="9.9")))
    assert_documented(err, "CreateImage", "InvalidImageVersion.Malformed")

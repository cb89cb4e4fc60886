"""DescribePrice: every row of the seed's billing table, price units, overrides, documented errors."""
from __future__ import annotations

import asyncio
import json

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DescribePriceRequest import DescribePriceRequest as LegacyDescribePrice
from aliyunsdkecs.request.v20140526.DescribeRenewalPriceRequest import DescribeRenewalPriceRequest

from mockecs.engine.core import Config
from mockecs.modes.mock import MockECS
from mockecs.world import marketplace, pricing, resources
from tests.sdk import error_of, legacy_call, new_client
from tests.spec import documented_error

REGION = "cn-hangzhou"
LINUX = "aliyun_3_x64_20G_alibase_20240819.vhd"
UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
UBUNTU_ARM = "ubuntu_24_04_arm64_20G_alibase_20240812.vhd"
WIN = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"
RHEL = "rhel_9_4_x64_20G_alibase_20240625.vhd"
SLES = "sles_15_sp5_x64_20G_alibase_20240315.vhd"
WORDPRESS, WORDPRESS_CODE = "m-bp17ucdnjiis2i9w4ia0", "cmjj031544"
GITLAB = "m-bp1embhmgxmz3c6y06uy"  # PrePaid only
TOMCAT = "m-bp1ixztfqvl15w968d7y"  # delisted
SHARED_FREE, SHARED_WIN = "m-bp1dc58gqpyb3oso36hl", "m-bp1ba0odx2jivstpdqcq"
COMMUNITY = "m-bp1ujaahknmt2rpdhte1"
TYPE, VCPUS = "ecs.g7.large", 2  # instance_types.json
OLDER_TYPE = "ecs.g6.large"  # sells cloud_efficiency and cloud_ssd (ecs.g7: ESSDs only)
PRICES = pricing.load()
FEES = PRICES["image_fees_per_hour"]


def price(client, **kw) -> dict:
    kw.setdefault("region_id", REGION)
    kw.setdefault("instance_type", TYPE)
    return client.describe_price(models.DescribePriceRequest(**kw)).body.to_map()["PriceInfo"]


def lines(info: dict) -> dict[str, dict]:
    return {d["Resource"]: d for d in info["Price"]["DetailInfos"]["DetailInfo"]}


def image_fee(client, image_id: str, **kw) -> float:
    return lines(price(client, image_id=image_id, **kw))["image"]["OriginalPrice"]


def assert_documented(err: ClientException, code: str, message: bool = True) -> None:
    assert err.code == code
    status, text = documented_error("DescribePrice", code)
    assert err.status_code == status
    if message and text != "%s":
        assert err.data["Message"] == text


def new_instance(client, image_id: str, itype: str = TYPE) -> str:
    return client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=image_id, instance_type=itype)).body.instance_id


def custom_image(client, source_image: str, name: str) -> str:
    instance_id = new_instance(client, source_image)
    return client.create_image(models.CreateImageRequest(
        region_id=REGION, instance_id=instance_id, image_name=name)).body.image_id


# -- the response shape ----------------------------------------------------------------------------
def test_response_follows_the_sdk_model(client):
    body = client.describe_price(models.DescribePriceRequest(
        region_id=REGION, instance_type=TYPE, image_id=UBUNTU)).body
    info = body.price_info
    assert info.price.currency == "CNY"
    assert isinstance(info.price.original_price, float) and info.price.original_price > 0
    assert info.price.trade_price == pytest.approx(info.price.original_price - info.price.discount_price)
    resources = [d.resource for d in info.price.detail_infos.detail_info]
    assert resources[:2] == ["instanceType", "systemDisk"] and "image" in resources
    assert info.related_price.marketplace_image_price.original_price == 0
    assert info.rules.rule == []
    assert body.request_id


def test_totals_are_the_sum_of_the_lines(client):
    info = price(client, image_id=WIN, internet_charge_type="PayByBandwidth", internet_max_bandwidth_out=10,
                 data_disk=[models.DescribePriceRequestDataDisk(category="cloud_essd", size=100)])
    detail = info["Price"]["DetailInfos"]["DetailInfo"]
    assert {d["Resource"] for d in detail} == {"instanceType", "systemDisk", "dataDisk", "bandwidth", "image"}
    for key in ("OriginalPrice", "DiscountPrice", "TradePrice"):
        assert info["Price"][key] == pytest.approx(sum(d[key] for d in detail))
    assert lines(info)["instanceType"]["OriginalPrice"] == PRICES["instance_types"][TYPE]
    # 5 Mbit/s at the first rate, 5 at the second
    bw = PRICES["bandwidth"]
    assert lines(info)["bandwidth"]["OriginalPrice"] == pytest.approx(
        5 * bw["per_mbps_hour_up_to_5"] + 5 * bw["per_mbps_hour_above_5"], abs=1e-4)


def test_system_disk_defaults_to_the_image_size(client):
    # (cloud_efficiency, the documented default, on a type that sells it)
    rate = PRICES["system_disk_per_gib_hour"]["cloud_efficiency"]
    assert lines(price(client, image_id=UBUNTU, instance_type=OLDER_TYPE))["systemDisk"]["OriginalPrice"] == \
        pytest.approx(20 * rate)
    assert lines(price(client, image_id=WIN, instance_type=OLDER_TYPE))["systemDisk"]["OriginalPrice"] == \
        pytest.approx(40 * rate)
    essd = lines(price(client, image_id=UBUNTU, system_disk=models.DescribePriceRequestSystemDisk(
        category="cloud_essd", size=500, performance_level="PL2")))
    factor = PRICES["essd_performance_level_factor"]["PL2"]
    assert essd["systemDisk"]["OriginalPrice"] == pytest.approx(
        500 * PRICES["system_disk_per_gib_hour"]["cloud_essd"] * factor, abs=1e-4)


# -- the billing table, row by row -----------------------------------------------------------------
def test_public_free_images_cost_nothing(client):
    for image_id in (UBUNTU, "aliyun_3_x64_20G_alibase_20240819.vhd", "debian_12_5_x64_20G_alibase_20240325.vhd"):
        assert image_fee(client, image_id) == 0.0


def test_public_windows_is_paid_per_vcpu(client):
    assert image_fee(client, WIN) == pytest.approx(FEES["windows"]["per_vcpu"] * VCPUS)
    assert image_fee(client, WIN, instance_type="ecs.g7.2xlarge") == pytest.approx(FEES["windows"]["per_vcpu"] * 8)
    assert image_fee(client, WIN) > 0


def test_public_red_hat_is_paid_by_size(client):
    assert image_fee(client, RHEL) == pytest.approx(FEES["rhel"]["small"])
    assert image_fee(client, RHEL, instance_type="ecs.g7.2xlarge") == pytest.approx(FEES["rhel"]["large"])


def test_public_suse_is_paid(client):
    assert image_fee(client, SLES) == pytest.approx(FEES["sles"]["per_instance"]) and image_fee(client, SLES) > 0


def test_no_image_prices_linux_unless_platform_windows(client):
    assert lines(price(client))["image"]["OriginalPrice"] == 0.0
    assert lines(price(client, platform="Windows"))["image"]["OriginalPrice"] == pytest.approx(
        FEES["windows"]["per_vcpu"] * VCPUS)


def test_custom_image_of_a_free_image_is_free_and_its_snapshot_storage_is_no_price_line(client, engine):
    image_id = custom_image(client, UBUNTU, "web-base")
    got = lines(price(client, image_id=image_id))
    assert got["image"]["OriginalPrice"] == 0.0
    # Only the documented lines (issue 13: an invented "imageSnapshot" line is gone) ...
    assert set(got) == {"instanceType", "systemDisk", "image"}
    # ... the snapshot storage cost stays available to tests in Python.
    gib = 40  # the instance's default system disk: max(40, image size)
    with engine.store.transaction() as txn:
        stored = txn.get("image", image_id)
    assert pricing.snapshot_fee_per_hour(engine, stored) == pytest.approx(
        gib * PRICES["snapshot_storage_per_gib_month"] / PRICES["hours_per_unit"]["Month"], abs=1e-4)


def test_custom_image_of_a_paid_image_keeps_the_source_fee(client):
    image_id = custom_image(client, WIN, "win-base")
    assert image_fee(client, image_id) == pytest.approx(FEES["windows"]["per_vcpu"] * VCPUS)
    rhel = custom_image(client, RHEL, "rhel-base")
    assert image_fee(client, rhel) == pytest.approx(FEES["rhel"]["small"])


def test_copied_paid_image_keeps_the_fee(client):
    image_id = custom_image(client, WIN, "win-source")
    copy_id = client.copy_image(models.CopyImageRequest(
        region_id=REGION, image_id=image_id, destination_region_id=REGION,
        destination_image_name="win-copy")).body.image_id
    assert image_fee(client, copy_id) == pytest.approx(FEES["windows"]["per_vcpu"] * VCPUS)


def test_shared_images_free_unless_derived_from_a_paid_image(client):
    assert image_fee(client, SHARED_FREE) == 0.0
    assert image_fee(client, SHARED_WIN) == pytest.approx(FEES["windows"]["per_vcpu"] * VCPUS)
    assert "imageSnapshot" not in lines(price(client, image_id=SHARED_WIN))


def test_image_shared_by_another_account_bills_its_licence_to_the_recipient(client, other):
    image_id = custom_image(client, WIN, "win-to-share")
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, add_account=[other.account_id]))
    theirs = lines(price(other.client, image_id=image_id))
    assert theirs["image"]["OriginalPrice"] == pytest.approx(FEES["windows"]["per_vcpu"] * VCPUS)
    assert "imageSnapshot" not in theirs and "imageSnapshot" not in lines(price(client, image_id=image_id))


def test_marketplace_image_costs_the_product_price(engine, client):
    product = engine.catalog.get(WORDPRESS)
    info = price(client, image_id=WORDPRESS)
    assert product["_price_per_hour"] > 0
    assert lines(info)["image"]["OriginalPrice"] == pytest.approx(product["_price_per_hour"])
    market = info["RelatedPrice"]["MarketplaceImagePrice"]
    assert market["OriginalPrice"] == pytest.approx(product["_price_per_hour"]) and market["Currency"] == "CNY"
    # no subscription is needed to ask the price
    assert not marketplace.is_subscribed(engine, "1234567890123456", WORDPRESS_CODE)


def test_image_made_from_a_marketplace_image_costs_the_product_price(engine, client):
    marketplace.subscribe(engine, "1234567890123456", WORDPRESS_CODE)
    image_id = custom_image(client, WORDPRESS, "wp-custom")
    assert image_fee(client, image_id) == pytest.approx(engine.catalog.get(WORDPRESS)["_price_per_hour"])


def test_community_images_are_free(client, other):
    assert image_fee(client, COMMUNITY) == 0.0
    assert image_fee(other.client, COMMUNITY) == 0.0
    # A Windows-derived custom image published as a community image: free to its users (the Image overview:
    # "community images are free of charge"), while its publisher still pays the licence.
    image_id = custom_image(client, WIN, "win-community")
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, is_public=True))
    assert image_fee(other.client, image_id) == 0.0
    assert price(other.client, image_id=image_id)["RelatedPrice"]["MarketplaceImagePrice"]["OriginalPrice"] == 0.0
    assert image_fee(client, image_id) == pytest.approx(FEES["windows"]["per_vcpu"] * VCPUS)


# -- price units, periods, amounts -------------------------------------------------------------------
def test_month_and_period_scale_the_hourly_price(client):
    hourly = price(client, image_id=WIN)
    monthly = price(client, image_id=WIN, price_unit="Month", period=3)
    hours = PRICES["hours_per_unit"]["Month"] * 3
    assert monthly["Price"]["OriginalPrice"] == pytest.approx(hourly["Price"]["OriginalPrice"] * hours, rel=1e-3)
    assert monthly["Rules"]["Rule"] == []


def test_a_year_gets_the_yearly_rule_on_instance_and_disks_only(client):
    info = price(client, image_id=WIN, price_unit="Year")
    rule = PRICES["rules"]["Year"]
    assert info["Rules"]["Rule"] == [{"RuleId": rule["RuleId"], "Description": rule["Description"]}]
    got = lines(info)
    for name in ("instanceType", "systemDisk"):
        assert got[name]["DiscountPrice"] == pytest.approx(got[name]["OriginalPrice"] * rule["discount"], abs=1e-3)
        assert got[name]["SubRules"]["Rule"][0]["RuleId"] == rule["RuleId"]
    assert got["image"]["DiscountPrice"] == 0.0 and got["image"]["SubRules"]["Rule"] == []
    assert info["Price"]["TradePrice"] == pytest.approx(info["Price"]["OriginalPrice"] - info["Price"]["DiscountPrice"])


def test_amount_multiplies_every_line(client):
    image_id = custom_image(client, WIN, "win-amount")
    one, three = lines(price(client, image_id=image_id)), lines(price(client, image_id=image_id, amount=3))
    assert set(one) == set(three) == {"instanceType", "systemDisk", "image"}
    for name in ("instanceType", "systemDisk", "image"):
        assert three[name]["OriginalPrice"] == pytest.approx(one[name]["OriginalPrice"] * 3, abs=1e-4)


def test_disk_and_bandwidth_resource_types(client):
    disk = price(client, resource_type="disk", instance_type=None,
                 data_disk=[models.DescribePriceRequestDataDisk(category="cloud_ssd", size=200)])
    assert [d["Resource"] for d in disk["Price"]["DetailInfos"]["DetailInfo"]] == ["dataDisk"]
    assert disk["Price"]["OriginalPrice"] == pytest.approx(200 * PRICES["data_disk_per_gib_hour"]["cloud_ssd"])
    bw = price(client, resource_type="bandwidth", instance_type=None)
    assert bw["Price"]["OriginalPrice"] == PRICES["bandwidth"]["traffic_per_gb"]


# -- the other clients --------------------------------------------------------------------------------
def test_old_sdk_with_flat_data_disk_names(legacy):
    req = LegacyDescribePrice()
    req.set_InstanceType(OLDER_TYPE)  # (which sells these categories)
    req.set_ImageId(WIN)
    req.set_SystemDiskCategory("cloud_ssd")
    req.set_DataDisk1Category("cloud_efficiency")
    req.set_DataDisk1Size(100)
    info = legacy_call(legacy, req)["PriceInfo"]
    got = {d["Resource"]: d for d in info["Price"]["DetailInfos"]["DetailInfo"]}
    assert got["dataDisk"]["OriginalPrice"] == pytest.approx(100 * PRICES["data_disk_per_gib_hour"]["cloud_efficiency"])
    assert got["systemDisk"]["OriginalPrice"] == pytest.approx(40 * PRICES["system_disk_per_gib_hour"]["cloud_ssd"])
    assert isinstance(got["image"]["OriginalPrice"], float)


def test_old_sdk_error(legacy):
    req = LegacyDescribePrice()
    req.set_InstanceType("ecs.nope.large")
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, req)
    assert info.value.get_error_code() == "InvalidInstanceType.ValueNotSupported"
    assert info.value.get_http_status() == 400


def test_async_client(client):
    async def go():
        resp = await client.describe_price_async(models.DescribePriceRequest(
            region_id=REGION, instance_type=TYPE, image_id=RHEL))
        return resp.body.to_map()["PriceInfo"]

    assert lines(asyncio.run(go()))["image"]["OriginalPrice"] == pytest.approx(FEES["rhel"]["small"])


# -- user price file ------------------------------------------------------------------------------
def test_prices_file_overrides_figures(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"currency": "USD", "instance_types": {TYPE: 9.5},
                                "image_fees_per_hour": {"windows": {"per_vcpu": 1.0}}}))
    with MockECS(config=Config(options={"prices_file": str(path)})):
        c = new_client()
        info = price(c, image_id=WIN)
        assert info["Price"]["Currency"] == "USD"
        assert lines(info)["instanceType"]["OriginalPrice"] == 9.5
        assert lines(info)["image"]["OriginalPrice"] == pytest.approx(1.0 * VCPUS)
        # untouched figures keep their built-in value
        assert lines(price(c, image_id=RHEL))["image"]["OriginalPrice"] == pytest.approx(FEES["rhel"]["small"])
        assert lines(price(c, instance_type="ecs.c7.large"))["instanceType"]["OriginalPrice"] == \
            PRICES["instance_types"]["ecs.c7.large"]


# -- documented errors -------------------------------------------------------------------------------
def test_instance_type_missing_or_unknown(client):
    assert_documented(error_of(lambda: price(client, instance_type=None)), "InvalidInstanceType.Missing")
    assert_documented(error_of(lambda: price(client, instance_type="ecs.nope.large")),
                      "InvalidInstanceType.ValueNotSupported")


def test_region_is_required_and_must_exist(client):
    err = error_of(lambda: price(client, region_id="xx-nowhere-1"))
    assert (err.code, err.status_code) == ("InvalidRegionId.NotFound", 404)


def test_unknown_or_invisible_image(client, other):
    assert_documented(error_of(lambda: price(client, image_id="m-bp1doesnotexist0000")), "InvalidImageId.NotFound")
    # a catalog image shared with the default account only
    assert_documented(error_of(lambda: price(other.client, image_id=SHARED_WIN)), "InvalidImageId.NotFound")


def test_image_and_instance_type_must_match(client):
    assert_documented(error_of(lambda: price(client, image_id=UBUNTU_ARM)), "InvalidParameter.Conflict")
    assert lines(price(client, image_id=UBUNTU_ARM, instance_type="ecs.g8y.large"))["image"]["OriginalPrice"] == 0


def test_marketplace_errors(client):
    assert_documented(error_of(lambda: price(client, image_id=TOMCAT)), "IncorrectImageStatus")
    assert_documented(error_of(lambda: price(client, image_id=GITLAB)), "InvalidChargeType.MarketImage")
    assert lines(price(client, image_id=GITLAB, price_unit="Month"))["image"]["OriginalPrice"] > 0


def test_unit_period_amount_and_type_errors(client):
    assert_documented(error_of(lambda: price(client, price_unit="Decade")), "InvalidPriceUnit.ValueNotSupported")
    assert_documented(error_of(lambda: price(client, price_unit="Hour", period=2)), "InvalidPeriod")
    assert_documented(error_of(lambda: price(client, price_unit="Year", period=6)), "InvalidPeriod")
    assert_documented(error_of(lambda: price(client, amount=0)), "InvalidAmount.Malformed")
    assert_documented(error_of(lambda: price(client, resource_type="spaceship")),
                      "InvalidResourceType.ValueNotSupported")
    assert_documented(error_of(lambda: price(client, zone_id="cn-beijing-a")), "Invalid.ZoneId")
    assert_documented(error_of(lambda: price(client, internet_max_bandwidth_out=101)),
                      "InvalidInternetMaxBandwidthOut.ValueNotSupported")
    assert_documented(error_of(lambda: price(client, internet_charge_type="PayByMood")),
                      "InvalidInternetChargeType.ValueNotSupported")


def test_disk_errors(client):
    assert_documented(error_of(lambda: price(client, system_disk=models.DescribePriceRequestSystemDisk(
        category="floppy"))), "InvalidSystemDiskCategory.ValueNotSupported")
    assert_documented(error_of(lambda: price(client, image_id=WIN, system_disk=models.DescribePriceRequestSystemDisk(
        size=30))), "InvalidSystemDiskSize.LessThanImageSize")
    err = error_of(lambda: price(client, system_disk=models.DescribePriceRequestSystemDisk(
        category="cloud_essd", size=100, performance_level="PL2")))
    assert_documented(err, "InvalidSystemDiskSize.ValueNotSupported")
    assert_documented(error_of(lambda: price(client, data_disk=[models.DescribePriceRequestDataDisk(
        category="cloud_essd", size=5)])), "InvalidDataDiskSize.ValueNotSupported")
    assert_documented(error_of(lambda: price(client, data_disk=[models.DescribePriceRequestDataDisk(
        category="tape", size=50)])), "InvalidDataDiskCategory.ValueNotSupported", message=False)
    assert_documented(error_of(lambda: price(client, data_disk=[
        models.DescribePriceRequestDataDisk(category="cloud_essd", size=50)] * 5)), "InstanceDiskNumber.LimitExceed")
    assert_documented(error_of(lambda: price(client, resource_type="disk", instance_type=None)),
                      "InvalidDiskCategory.Missing")


def test_image_not_available_is_denied(engine, client):
    engine.lifecycle.delay("image", seconds=30)  # the new image stays Creating for 30 s of mock time
    image_id = custom_image(client, UBUNTU, "still-creating")
    err = error_of(lambda: price(client, image_id=image_id))
    # documented under 403 (and, with other messages, 400/404)
    assert (err.code, err.status_code) == ("OperationDenied", 403)
    assert err.data["Message"] == "The specified Image is disabled or is deleted."
    engine.clock.advance(31)
    assert lines(price(client, image_id=image_id))["image"]["OriginalPrice"] == 0.0


# -- DescribeRenewalPrice ------------------------------------------------------------------------------
def renewal_price(client, instance_id: str, **kw) -> dict:
    return client.describe_renewal_price(models.DescribeRenewalPriceRequest(
        region_id=REGION, resource_id=instance_id, **kw)).body.to_map()["PriceInfo"]


def subscription(client, **kw) -> str:
    return client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", instance_charge_type="PrePaid", period=1,
        period_unit="Month", system_disk=models.RunInstancesRequestSystemDisk(category="cloud_essd", size=40),
        **kw)).body.instance_id_sets.instance_id_set[0]


def test_renewal_price_is_the_launch_price_of_what_the_instance_is(client, legacy):
    instance_id = subscription(client, data_disk=[models.RunInstancesRequestDataDisk(size=100, category="cloud_essd")])
    launch = client.describe_price(models.DescribePriceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", price_unit="Month", period=1,
        system_disk=models.DescribePriceRequestSystemDisk(category="cloud_essd", size=40),
        data_disk=[models.DescribePriceRequestDataDisk(category="cloud_essd", size=100)])).body.to_map()["PriceInfo"]
    month = renewal_price(client, instance_id)  # (one month by default)
    assert month["Price"]["TradePrice"] == launch["Price"]["TradePrice"] > 0
    assert [d["Resource"] for d in month["Price"]["DetailInfos"]["DetailInfo"]] == [
        "instanceType", "systemDisk", "dataDisk", "image"]
    assert renewal_price(client, instance_id, period=3, price_unit="Month")["Price"]["OriginalPrice"] == \
        pytest.approx(3 * month["Price"]["OriginalPrice"])
    year = renewal_price(client, instance_id, period=1, price_unit="Year")
    assert year["Price"]["DiscountPrice"] > 0 and year["Rules"]["Rule"]  # the yearly rule, as DescribePrice's
    # up to the next 1st of a month after its end: less than a month's price
    to_day = renewal_price(client, instance_id, expected_renew_day=1)["Price"]
    assert 0 < to_day["OriginalPrice"] <= month["Price"]["OriginalPrice"] * 31 / 30
    request = DescribeRenewalPriceRequest()
    request.set_ResourceId(instance_id)
    body = legacy_call(legacy, request)
    assert body["PriceInfo"]["Price"]["TradePrice"] == month["Price"]["TradePrice"]
    assert isinstance(body["PriceInfo"]["Price"]["OriginalPrice"], float)


def test_renewal_price_documented_errors(client):
    prepaid = subscription(client)
    [postpaid] = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set
    cases = [({"instance_id": postpaid}, "ChargeTypeViolation", 403),
             ({"instance_id": "i-bp1nosuchinstance000"}, "InvalidInstanceId.NotFound", 404),
             ({"resource_type": "disk"}, "InvalidResourceType.ValueNotSupported", 400),
             ({"price_unit": "Week"}, "InvalidPriceUnit.ValueNotSupported", 400),
             ({"period": 10}, "InvalidPeriod", 400), ({"period": 4, "price_unit": "Year"}, "InvalidPeriod", 400),
             ({"expected_renew_day": 29}, "InvalidExpectedRenewDay.ValueNotSupported", 400),
             ({"expected_renew_day": 5, "period": 1}, "InvalidExpectedRenewDay.Conflict", 400)]
    for kw, code, status in cases:
        target = kw.pop("instance_id", prepaid)
        err = error_of(renewal_price, client, target, **kw)
        assert (err.code, err.status_code) == (code, status), (kw, err)
        assert documented_error("DescribeRenewalPrice", code) == (status, err.data["Message"])


# -- DescribeInstanceModificationPrice --------------------------------------------------------------------
def modification_price(client, instance_id: str, **kw) -> dict:
    return client.describe_instance_modification_price(models.DescribeInstanceModificationPriceRequest(
        region_id=REGION, instance_id=instance_id, **kw)).body.to_map()["PriceInfo"]


def test_modification_price_is_the_difference_for_the_time_left(mock, client):
    instance_id = subscription(client)
    hourly = pricing.table(mock.engine)["instance_types"]
    expired = resources.parse_iso(client.describe_instance_attribute(models.DescribeInstanceAttributeRequest(
        instance_id=instance_id)).body.expired_time)
    hours_left = (expired - mock.engine.clock.now()) / 3600
    upgrade = modification_price(client, instance_id, instance_type="ecs.g7.xlarge")
    [line] = upgrade["Price"]["DetailInfos"]["DetailInfo"]
    assert line["Resource"] == "instanceType"
    assert upgrade["Price"]["OriginalPrice"] == pytest.approx(
        (hourly["ecs.g7.xlarge"] - hourly["ecs.g7.large"]) * hours_left, rel=1e-3)
    disk = [models.DescribeInstanceModificationPriceRequestDataDisk(category="cloud_essd", size=100)]
    both = modification_price(client, instance_id, instance_type="ecs.g7.xlarge", data_disk=disk)
    assert [d["Resource"] for d in both["Price"]["DetailInfos"]["DetailInfo"]] == ["instanceType", "dataDisk"]
    assert both["Price"]["TradePrice"] > upgrade["Price"]["TradePrice"]
    mock.engine.clock.advance(10 * 86400)  # less time left, a smaller price
    assert modification_price(client, instance_id, instance_type="ecs.g7.xlarge")["Price"]["OriginalPrice"] < \
        upgrade["Price"]["OriginalPrice"]


def test_modification_price_documented_errors(mock, client):
    prepaid = subscription(client)
    [postpaid] = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set
    disk = models.DescribeInstanceModificationPriceRequestDataDisk
    floppy = models.DescribeInstanceModificationPriceRequestSystemDisk(category="floppy")
    cases = [({}, "MissingParameter.InstanceTypeOrDataDisk"),
             ({"instance_type": "ecs.g7.xlarge", "instance_id": postpaid}, "ChargeTypeViolation"),
             ({"instance_type": "ecs.g7.xlarge", "instance_id": "i-bp1nosuchinstance000"},
              "InvalidInstanceId.NotFound"),
             ({"instance_type": "ecs.nosuch.large"}, "InvalidInstanceType.ValueNotSupported"),
             ({"instance_type": "ecs.g7.large"}, "InvalidInstanceType.NotSupportUpgrade"),
             ({"instance_type": "ecs.g7.xlarge", "system_disk": floppy}, "InvalidSystemDiskCategory.ValueNotSupported"),
             ({"data_disk": [disk(size=100)]}, "InvalidDiskCategory.Missing"),
             ({"data_disk": [disk(category="tape", size=100)]}, "InvalidDataDiskCategory.ValueNotSupported"),
             ({"data_disk": [disk(category="cloud_essd", size=1)]}, "InvalidDataDiskSize.ValueNotSupported"),
             ({"data_disk": [disk(category="cloud_essd", size=100, performance_level="PL9")]},
              "InvalidPerformanceLevel.Malformed")]
    for kw, code in cases:
        target = kw.pop("instance_id", prepaid)
        err = error_of(modification_price, client, target, **kw)
        assert err.code == code, (kw, err)
        assert documented_error("DescribeInstanceModificationPrice", code) == (err.status_code, err.data["Message"])
    mock.engine.clock.advance(40 * 86400)  # past its end
    err = error_of(modification_price, client, prepaid, instance_type="ecs.g7.xlarge")
    assert documented_error("DescribeInstanceModificationPrice", err.code) == (err.status_code, err.data["Message"])
    assert err.code == "InstanceExpired"

"""RunInstances/CreateInstance answer ``TradePrice`` ("the order's trade price", a float in the SDK model): what
DescribePrice answers as ``Price.TradePrice`` for the same instances and Amount, checked through the SDKs (the price
is computed once, :mod:`mockecs.world.quotes`); pay-as-you-go and spot launches one hour, subscriptions their
Period (whole years of months as years, with the yearly rule)."""
from __future__ import annotations

import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

from mockecs.world import spot
from mockecs.world.resources import parse_iso
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import documented_error
from tests.test_dedicated_hosts import allocate
from tests.test_instances import LINUX, REGION

RHEL = "rhel_9_4_x64_20G_alibase_20240625.vhd"  # (a licence fee: the image line counts)
TYPE = "ecs.g7.large"
ZONE = "cn-hangzhou-i"


def quoted(client, **kw) -> float:
    """DescribePrice's Price.TradePrice for a configuration."""
    body = client.describe_price(models.DescribePriceRequest(region_id=REGION, instance_type=TYPE, **kw)).body
    return body.price_info.price.trade_price


def launch(client, action: str = "RunInstances", **kw):
    """The answer body (SDK model) of a launch."""
    if action == "CreateInstance":
        return client.create_instance(models.CreateInstanceRequest(region_id=REGION, instance_type=TYPE, **kw)).body
    return client.run_instances(models.RunInstancesRequest(region_id=REGION, instance_type=TYPE, **kw)).body


def test_pay_as_you_go_launch_costs_what_describe_price_answers_for_an_hour(client):
    body = launch(client, image_id=RHEL, amount=3, zone_id=ZONE, internet_charge_type="PayByBandwidth",
                  internet_max_bandwidth_out=8,
                  system_disk=models.RunInstancesRequestSystemDisk(category="cloud_essd", size=60,
                                                                   performance_level="PL0"),
                  data_disk=[models.RunInstancesRequestDataDisk(category="cloud_auto", size=100),
                             models.RunInstancesRequestDataDisk(category="cloud_essd", size=200)])
    assert len(body.instance_id_sets.instance_id_set) == 3 and body.order_id is None
    expected = quoted(client, image_id=RHEL, amount=3, price_unit="Hour", internet_charge_type="PayByBandwidth",
                      internet_max_bandwidth_out=8,
                      system_disk=models.DescribePriceRequestSystemDisk(category="cloud_essd", size=60,
                                                                        performance_level="PL0"),
                      data_disk=[models.DescribePriceRequestDataDisk(category="cloud_auto", size=100),
                                 models.DescribePriceRequestDataDisk(category="cloud_essd", size=200)])
    assert isinstance(body.trade_price, float) and body.trade_price == expected > 0
    # one instance less, a third less (every line is per instance)
    two = launch(client, image_id=RHEL, amount=2, internet_charge_type="PayByBandwidth", internet_max_bandwidth_out=8,
                 system_disk=models.RunInstancesRequestSystemDisk(category="cloud_essd", size=60,
                                                                  performance_level="PL0"),
                 data_disk=[models.RunInstancesRequestDataDisk(category="cloud_auto", size=100),
                            models.RunInstancesRequestDataDisk(category="cloud_essd", size=200)])
    assert two.trade_price == pytest.approx(expected * 2 / 3, abs=1e-3)


def test_subscription_launches_cost_their_period(client):
    disk = dict(category="cloud_essd", size=40)
    month = launch(client, "CreateInstance", image_id=LINUX, instance_charge_type="PrePaid", period=1,
                   period_unit="Month", system_disk=models.CreateInstanceRequestSystemDisk(**disk))
    assert month.order_id.isdigit() and month.instance_id
    assert month.trade_price == quoted(client, image_id=LINUX, price_unit="Month", period=1,
                                       system_disk=models.DescribePriceRequestSystemDisk(**disk)) > 0
    year = launch(client, image_id=LINUX, instance_charge_type="PrePaid", period=12, period_unit="Month",
                  system_disk=models.RunInstancesRequestSystemDisk(**disk))
    as_year = client.describe_price(models.DescribePriceRequest(
        region_id=REGION, instance_type=TYPE, image_id=LINUX, price_unit="Year", period=1,
        system_disk=models.DescribePriceRequestSystemDisk(**disk))).body.price_info.price
    assert year.trade_price == as_year.trade_price and as_year.discount_price > 0  # (the yearly rule)
    week = launch(client, image_id=LINUX, instance_charge_type="PrePaid", period=2, period_unit="Week",
                  system_disk=models.RunInstancesRequestSystemDisk(**disk))
    assert week.trade_price == quoted(client, image_id=LINUX, price_unit="Week", period=2,
                                      system_disk=models.DescribePriceRequestSystemDisk(**disk))


def test_spot_launch_costs_the_zone_spot_price_a_test_set(client, engine):
    """The zone's spot price, the one a test set too (DescribePrice reads it now as the launch does)."""
    with engine.store.transaction() as txn:
        spot.set_market_price(txn, ZONE, TYPE, 0.0, 0.123)
    disk = dict(category="cloud_essd", size=40)
    body = launch(client, image_id=LINUX, zone_id=ZONE, spot_strategy="SpotAsPriceGo",
                  system_disk=models.RunInstancesRequestSystemDisk(**disk))
    expected = quoted(client, image_id=LINUX, zone_id=ZONE, spot_strategy="SpotAsPriceGo",
                      system_disk=models.DescribePriceRequestSystemDisk(**disk))
    assert body.trade_price == expected
    lines = {d["Resource"]: d for d in client.describe_price(models.DescribePriceRequest(
        region_id=REGION, instance_type=TYPE, image_id=LINUX, zone_id=ZONE, spot_strategy="SpotAsPriceGo")).body
        .to_map()["PriceInfo"]["Price"]["DetailInfos"]["DetailInfo"]}
    assert lines["instanceType"]["TradePrice"] == 0.123


def test_old_sdk_reads_the_trade_price(client, legacy):
    request = RunInstancesRequest()
    request.set_ImageId(LINUX)
    request.set_InstanceType(TYPE)
    request.set_Amount(2)
    request.set_SystemDiskCategory("cloud_essd")
    request.set_SystemDiskSize(40)
    body = legacy_call(legacy, request)
    assert isinstance(body["TradePrice"], float)
    assert body["TradePrice"] == quoted(client, image_id=LINUX, amount=2,
                                        system_disk=models.DescribePriceRequestSystemDisk(category="cloud_essd",
                                                                                          size=40))
    root = legacy_xml(legacy, request)  # (XML: the same figure as text)
    assert root.tag == "RunInstancesResponse" and float(root.find("TradePrice").text) == body["TradePrice"]


def test_option_names_the_launches_that_answer_it(client, engine):
    engine.config.options["launch_trade_price"] = "subscription"
    assert launch(client, image_id=LINUX).trade_price is None
    assert launch(client, image_id=LINUX, instance_charge_type="PrePaid", period=1).trade_price > 0
    engine.config.options["launch_trade_price"] = "never"
    body = launch(client, image_id=LINUX, instance_charge_type="PrePaid", period=1)
    assert body.trade_price is None and body.order_id.isdigit()


def test_no_figure_no_trade_price_and_the_launch_still_succeeds(client, engine, tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"instance_types": {TYPE: None}}))
    engine.config.options["prices_file"] = str(path)
    body = launch(client, image_id=LINUX)
    assert body.trade_price is None and len(body.instance_id_sets.instance_id_set) == 1


def test_on_a_dedicated_host_the_host_pays_for_vcpus_and_memory(client):
    """The instanceType line is 0 on a dedicated host (the host's billing overview), for the launch and for
    DescribePrice's SchedulerOptions.DedicatedHostId; disks and the image are still charged."""
    [host_id] = allocate(client)
    vswitch = new_vswitch(client, new_vpc(client, "172.16.0.0/12"), zone_id=ZONE)
    disk = dict(category="cloud_essd", size=40)
    body = launch(client, image_id=RHEL, v_switch_id=vswitch, dedicated_host_id=host_id,
                  system_disk=models.RunInstancesRequestSystemDisk(**disk))
    info = client.describe_price(models.DescribePriceRequest(
        region_id=REGION, instance_type=TYPE, image_id=RHEL,
        scheduler_options=models.DescribePriceRequestSchedulerOptions(dedicated_host_id=host_id),
        system_disk=models.DescribePriceRequestSystemDisk(**disk))).body.to_map()["PriceInfo"]["Price"]
    lines = {d["Resource"]: d["TradePrice"] for d in info["DetailInfos"]["DetailInfo"]}
    assert lines["instanceType"] == 0 and lines["systemDisk"] > 0 and lines["image"] > 0
    assert body.trade_price == info["TradePrice"] < quoted(client, image_id=RHEL,
                                                           system_disk=models.DescribePriceRequestSystemDisk(**disk))
    err = error_of(client.describe_price, models.DescribePriceRequest(
        region_id=REGION, instance_type=TYPE,
        scheduler_options=models.DescribePriceRequestSchedulerOptions(dedicated_host_id="dh-bp1nosuchhost0000")))
    assert (err.code, (err.status_code, err.data["Message"])) == (
        "InvalidDedicatedHostId.NotFound", documented_error("DescribePrice", "InvalidDedicatedHostId.NotFound"))


def test_subscription_to_pay_as_you_go_fee_is_the_unused_time(client, engine):
    """ModifyInstanceChargeType IsDetailFee: each instance's Fee is its unused subscription hours at the hourly rates
    DescribePrice answers (text, the table's currency); DescribeRenewalPrice prices the same lines."""
    disk = dict(category="cloud_essd", size=40)
    [instance_id] = launch(client, image_id=RHEL, instance_charge_type="PrePaid", period=1,
                           system_disk=models.RunInstancesRequestSystemDisk(**disk)).instance_id_sets.instance_id_set
    engine.clock.advance(5 * 86400)
    expired = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.instances.instance[0].expired_time
    hours = (parse_iso(expired) - engine.clock.now()) / 3600
    hourly = quoted(client, image_id=RHEL, system_disk=models.DescribePriceRequestSystemDisk(**disk))
    body = client.modify_instance_charge_type(models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), instance_charge_type="PostPaid",
        is_detail_fee=True)).body
    [fee] = body.fee_of_instances.fee_of_instance
    assert (fee.instance_id, fee.currency) == (instance_id, "CNY")
    assert float(fee.fee) == pytest.approx(hourly * hours, abs=0.01) and float(fee.fee) > 0

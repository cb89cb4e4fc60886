"""Spot prices and instance-type advice: DescribeSpotPriceHistory, DescribeSpotAdvice, DescribeRecommendInstanceType
through the current SDK (sync and async), the old SDK and XML; prices made from the pay-as-you-go table, below it,
the same in every run; the documented errors."""
from __future__ import annotations

import asyncio
from typing import Any

import alibabacloud_ecs20140526.models as m
from aliyunsdkecs.request.v20140526.DescribeSpotAdviceRequest import DescribeSpotAdviceRequest
from aliyunsdkecs.request.v20140526.DescribeSpotPriceHistoryRequest import DescribeSpotPriceHistoryRequest

from mockecs.world import pricing, regions, spot
from mockecs.world.instance_types import instance_type, zones_selling
from tests import test_build_flow
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented
from tests.test_launch_templates import network_of
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import Provider, describe_instance, instance_create, instance_delete, network

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset

# A window of the past: its prices do not depend on when the test runs.
START, END = "2026-01-05T00:00:00Z", "2026-01-05T03:00:00Z"


def history(client, **kw: Any) -> dict:
    kw.setdefault("network_type", "vpc")
    kw.setdefault("instance_type", X86_TYPE)
    return client.describe_spot_price_history(m.DescribeSpotPriceHistoryRequest(region_id=REGION, **kw)).body.to_map()


def advice(client, **kw: Any) -> dict:
    return client.describe_spot_advice(m.DescribeSpotAdviceRequest(region_id=REGION, **kw)).body.to_map()


def recommend(client, **kw: Any) -> list[dict]:
    kw.setdefault("network_type", "vpc")
    body = client.describe_recommend_instance_type(m.DescribeRecommendInstanceTypeRequest(region_id=REGION, **kw))
    answer = body.body.to_map()
    assert response_problems("DescribeRecommendInstanceType", answer) == []
    return answer["Data"]["RecommendInstanceType"]


# -- DescribeSpotPriceHistory ------------------------------------------------------------------------------------
def test_price_history_is_hourly_below_pay_as_you_go_and_the_same_every_run(client, engine):
    answer = history(client, start_time=START, end_time=END)
    assert response_problems("DescribeSpotPriceHistory", answer) == []
    points = answer["SpotPrices"]["SpotPriceType"]
    zones = zones_selling(X86_TYPE, REGION)
    assert [p["ZoneId"] for p in points] == [z for z in zones for _ in range(4)]  # 00:00 to 03:00, each zone
    assert [p["Timestamp"] for p in points[:4]] == [f"2026-01-05T0{h}:00:00Z" for h in range(4)]
    payg = pricing.table(engine)["instance_types"][X86_TYPE]
    assert {p["OriginPrice"] for p in points} == {payg}
    assert all(0 < p["SpotPrice"] < p["OriginPrice"] for p in points)
    assert {(p["IoOptimized"], p["NetworkType"], p["InstanceType"]) for p in points} == {
        ("optimized", "vpc", X86_TYPE)}
    assert answer["Currency"] == "CNY" and answer["NextOffset"] == 0
    # made from a CRC of type, zone and day: these figures in every run and process
    assert [p["SpotPrice"] for p in points[::4]] == [0.143, 0.101, 0.094, 0.163]
    again = history(client, start_time=START, end_time=END)["SpotPrices"]["SpotPriceType"]
    assert again == points


def test_price_history_defaults_to_the_last_three_hours_of_one_zone(client, engine):
    zone = zones_selling(X86_TYPE, REGION)[0]
    points = history(client, zone_id=zone)["SpotPrices"]["SpotPriceType"]
    assert {p["ZoneId"] for p in points} == {zone}
    assert len(points) == 4  # (the hour StartTime falls in, then each hour up to now)
    # a Windows instance pays its licence on top of both prices
    windows = history(client, zone_id=zone, ostype="windows")["SpotPrices"]["SpotPriceType"]
    licence = pricing.licence_fee(pricing.table(engine), "windows", 2)
    assert round(windows[0]["OriginPrice"] - points[0]["OriginPrice"], 3) == round(licence, 3)
    assert round(windows[0]["SpotPrice"] - points[0]["SpotPrice"], 3) == round(licence, 3)


def test_price_history_pages_of_a_thousand(client):
    kw = {"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-31T00:00:00Z"}
    total = len(zones_selling(X86_TYPE, REGION)) * (30 * 24 + 1)
    seen, offset = [], 0
    while True:
        answer = history(client, offset=offset, **kw)
        seen += answer["SpotPrices"]["SpotPriceType"]
        if not answer["NextOffset"]:
            break
        assert answer["NextOffset"] == offset + 1000
        offset = answer["NextOffset"]
    assert len(seen) == total and len({(p["ZoneId"], p["Timestamp"]) for p in seen}) == total


def test_price_history_async(client):
    async def run() -> Any:
        return await client.describe_spot_price_history_async(m.DescribeSpotPriceHistoryRequest(
            region_id=REGION, network_type="vpc", instance_type="ecs.c7.large", start_time=START, end_time=END))

    answer = asyncio.run(run()).body
    assert answer.spot_prices.spot_price_type[0].instance_type == "ecs.c7.large"
    assert all(p.spot_price < p.origin_price for p in answer.spot_prices.spot_price_type)


def test_price_history_old_sdk(legacy):
    request = DescribeSpotPriceHistoryRequest()
    request.set_NetworkType("vpc")
    request.set_InstanceType(X86_TYPE)
    request.set_StartTime(START)
    request.set_EndTime(END)
    answer = legacy_call(legacy, request)
    assert len(answer["SpotPrices"]["SpotPriceType"]) == 4 * len(zones_selling(X86_TYPE, REGION))


def test_price_history_errors(client):
    cases = [
        ({"end_time": "2026-02-10T00:00:00Z", "start_time": "2026-01-01T00:00:00Z"}, "InvalidParams.StartTime"),
        ({"start_time": END, "end_time": START}, "InvalidParams.StartTime"),
        ({"end_time": "yesterday"}, "InvalidParams.EndTime"),
        ({"instance_type": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported"),
        ({"zone_id": "cn-hangzhou-z"}, "InvalidZoneId.NotFound"),
        ({"network_type": "ether"}, "InvalidParams.NetworkType"),
        ({"io_optimized": "none"}, "DependencyViolation.IoOptimized"),
        ({"ostype": "plan9"}, "InvalidParams.OSType"),
        ({"spot_duration": 9}, "InvalidSpotDuration"),
        ({"offset": -1}, "InvalidParams.Offset"),
    ]
    for kw, code in cases:
        err = error_of(history, client, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("DescribeSpotPriceHistory", err)
    err = error_of(client.describe_spot_price_history, m.DescribeSpotPriceHistoryRequest(
        region_id="xx-nowhere-1", network_type="vpc", instance_type=X86_TYPE))
    assert err.code == "InvalidParams.RegionId"
    assert_documented("DescribeSpotPriceHistory", err)


# -- DescribeSpotAdvice --------------------------------------------------------------------------------------------
def test_spot_advice_by_size_per_zone(client):
    answer = advice(client, cores=2, memory=8.0)
    assert response_problems("DescribeSpotAdvice", answer) == []
    zones = answer["AvailableSpotZones"]["AvailableSpotZone"]
    assert [z["ZoneId"] for z in zones] == regions.zone_ids(REGION)
    for zone in zones:
        offered = zone["AvailableSpotResources"]["AvailableSpotResource"]
        assert X86_TYPE in {r["InstanceType"] for r in offered}
        discounts = [r["AverageSpotDiscount"] for r in offered]
        assert discounts == sorted(discounts) and all(10 <= d <= 30 for d in discounts)
        for r in offered:
            band = r["InterruptRateDesc"]
            low, high = (float(x) for x in band.rstrip("%").split("-"))
            assert low <= r["InterruptionRate"] < high
    assert advice(client, cores=2, memory=8.0)["AvailableSpotZones"] == answer["AvailableSpotZones"]


def test_spot_advice_filters(client):
    zone = regions.zone_ids(REGION)[1]
    answer = advice(client, zone_id=zone, instance_types=[X86_TYPE, "ecs.c7.large"])
    (only,) = answer["AvailableSpotZones"]["AvailableSpotZone"]
    assert only["ZoneId"] == zone
    assert {r["InstanceType"] for r in only["AvailableSpotResources"]["AvailableSpotResource"]} == {
        X86_TYPE, "ecs.c7.large"}
    family = advice(client, instance_type_family="ecs.r7", min_cores=8)["AvailableSpotZones"]["AvailableSpotZone"]
    types = {r["InstanceType"] for z in family for r in z["AvailableSpotResources"]["AvailableSpotResource"]}
    assert types and all(t.startswith("ecs.r7.") for t in types) and "ecs.r7.large" not in types


def test_spot_advice_errors_and_xml(client, legacy):
    for kw, code in (({"cores": 2, "memory": 8.0, "instance_types": [X86_TYPE]}, "InvalidParam.TypeAndCpuMem.Conflict"),
                     ({"memory": 8.0}, "InvalidParam.Cores"), ({"cores": 2}, "InvalidParam.Memory")):
        err = error_of(advice, client, **kw)
        assert err.code == code
        assert_documented("DescribeSpotAdvice", err)
    request = DescribeSpotAdviceRequest()
    request.set_Cores(2)
    request.set_Memory(8)
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeSpotAdviceResponse" and root.findtext("RegionId") == REGION
    zones = root.findall("AvailableSpotZones/AvailableSpotZone")
    assert [z.findtext("ZoneId") for z in zones] == regions.zone_ids(REGION)
    resource = zones[0].find("AvailableSpotResources/AvailableSpotResource")
    assert int(resource.findtext("AverageSpotDiscount")) >= 10


# -- DescribeRecommendInstanceType ----------------------------------------------------------------------------------
def test_recommend_alternatives_of_a_type(client):
    found = recommend(client, instance_type=X86_TYPE)
    assert found[0]["InstanceType"]["InstanceType"] == X86_TYPE and found[0]["Priority"] == 1
    assert [f["Priority"] for f in found] == list(range(1, len(found) + 1))
    assert {(f["InstanceType"]["Cores"], f["InstanceType"]["Memory"]) for f in found} == {(2, 8192)}
    assert len({f["InstanceType"]["InstanceType"] for f in found}) > 1
    first = found[0]
    assert first["Zones"]["zone"][0]["ZoneNo"] == first["ZoneId"] and first["CommodityCode"] == "ecs"


def test_recommend_by_price_in_one_zone(client, engine):
    zone = regions.zone_ids(REGION)[1]
    found = recommend(client, cores=2, memory=8.0, priority_strategy="PriceFirst", zone_id=zone)
    assert {f["ZoneId"] for f in found} == {zone}
    table = pricing.table(engine)["instance_types"]
    prices = [table[f["InstanceType"]["InstanceType"]] for f in found]
    assert prices == sorted(prices)
    spot = recommend(client, cores=2, memory=8.0, spot_strategy="SpotAsPriceGo", max_price=0.2, zone_id=zone)
    assert spot and all(f["SpotStrategy"] == "SpotAsPriceGo" for f in spot)
    err = error_of(recommend, client, cores=2, memory=8.0, max_price=0.01)
    assert err.code == "RecommendEmpty.PriceNotSatisfied"
    assert_documented("DescribeRecommendInstanceType", err)


def test_recommend_errors(client):
    cases = [({}, "InvalidParam.TypeAndCpuMem.Conflict"),
             ({"instance_type": X86_TYPE, "cores": 2}, "InvalidParam.TypeAndCpuMem.Conflict"),
             ({"instance_type": "ecs.nope.large"}, "InvalidInstanceType.NotSupported"),
             ({"cores": 2, "memory": 8.0, "network_type": "ether"}, "InvalidNetworkType.ValueNotSupported"),
             ({"cores": 2, "memory": 8.0, "priority_strategy": "Cheap"}, "InvalidPriorityStrategy.ValueNotSupported"),
             ({"cores": 2, "memory": 8.0, "scene": "MOVE"}, "InvalidScene.ValueNotSupported"),
             ({"cores": 2, "memory": 8.0, "instance_type_family": ["ecs.zz9"]}, "InvalidInstanceTypeFamily.NotFound"),
             ({"cores": 2, "memory": 8.0, "zone_id": "cn-hangzhou-z"}, "InvalidZoneId.ValueNotSupported"),
             ({"cores": 3, "memory": 8.0}, "RecommendEmpty.InstanceTypeNotMatched"),
             ({"cores": 2, "memory": 8.0, "spot_strategy": "SpotAsPriceGo", "instance_charge_type": "PrePaid"},
              "InvalidSpotStrategy.ValueNotSupported")]
    for kw, code in cases:
        err = error_of(recommend, client, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("DescribeRecommendInstanceType", err)


# -- spot launches ---------------------------------------------------------------------------------------------------
def _run(client, vswitch: str, group: str, **kw: Any) -> dict:
    instance_id = client.run_instances(m.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch, security_group_id=group,
        **kw)).body.instance_id_sets.instance_id_set[0]
    return client.describe_instances(m.DescribeInstancesRequest(
        region_id=REGION, instance_ids=f'["{instance_id}"]')).body.to_map()["Instances"]["Instance"][0]


def test_run_instances_spot_settings_and_price_limit(client, engine):
    vswitch, group = network_of(client)
    zone = client.describe_vswitches(m.DescribeVSwitchesRequest(
        region_id=REGION, v_switch_id=vswitch)).body.v_switches.v_switch[0].zone_id
    price = spot.spot_price(engine, instance_type(X86_TYPE), zone, engine.clock.now())
    found = _run(client, vswitch, group, spot_strategy="SpotWithPriceLimit", spot_price_limit=price + 0.01,
                 spot_interruption_behavior="Stop")
    assert (found["SpotStrategy"], found["SpotPriceLimit"], found["SpotDuration"], found["SpotInterruptionBehavior"]) \
        == ("SpotWithPriceLimit", round(price + 0.01, 3), 1, "Stop")
    plain = _run(client, vswitch, group)
    assert (plain["SpotStrategy"], plain["SpotPriceLimit"], plain["SpotDuration"]) == ("NoSpot", 0.0, 0)
    for kw, code in (({"spot_strategy": "SpotWithPriceLimit", "spot_price_limit": price / 2},
                      "InvalidSpotPriceLimit.LowerThanPublicPrice"),
                     ({"spot_strategy": "Cheap"}, "InvalidSpotStrategy"),
                     ({"spot_strategy": "SpotAsPriceGo", "spot_duration": 9}, "InvalidSpotDuration"),
                     ({"spot_strategy": "SpotAsPriceGo", "instance_charge_type": "PrePaid", "period": 1},
                      "InvalidSpotPrepaid"),
                     ({"spot_strategy": "SpotAsPriceGo", "spot_interruption_behavior": "Hibernate"},
                      "InvalidSpotInterruptionBehavior")):
        err = error_of(_run, client, vswitch, group, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("RunInstances", err)
    err = error_of(client.create_instance, m.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch, security_group_id=group,
        spot_strategy="SpotWithPriceLimit", spot_price_limit=price / 2))
    assert_documented("CreateInstance", err)
    assert "soptPriceLimit" in err.data["Message"]  # (as documented)


def test_terraform_instance_types_and_a_spot_instance(proxy):
    """``data.alicloud_instance_types`` with ``spot_strategy``: DescribeAvailableResource (the Go SDK request:
    DestinationResource=InstanceType, Cores, Memory, IoOptimized=optimized, InstanceChargeType, SpotStrategy), then
    DescribeInstanceTypes (RpcPost) and the provider's own filter of types sold in the zones found; then
    ``alicloud_instance`` with ``spot_strategy = "SpotWithPriceLimit"`` and ``spot_price_limit`` (RunInstances takes
    both; Read sets spot_strategy, spot_price_limit and spot_duration from DescribeInstances)."""
    p = Provider(REGION)
    zones = p.call("DescribeAvailableResource", DestinationResource="InstanceType", Cores=2, Memory=8.0,
                   IoOptimized="optimized", InstanceChargeType="PostPaid", SpotStrategy="SpotAsPriceGo")
    sold = {t["Value"]: z["ZoneId"] for z in zones["AvailableZones"]["AvailableZone"]
            for r in z["AvailableResources"]["AvailableResource"]
            for t in r["SupportedResources"]["SupportedResource"] if t["Status"] != "SoldOut"}
    types = p.rpc_post("DescribeInstanceTypes", {}, {})["InstanceTypes"]["InstanceType"]
    chosen = [t["InstanceTypeId"] for t in types if t["InstanceTypeId"] in sold
              and t["CpuCoreCount"] == 2 and t["MemorySize"] == 8.0]
    assert X86_TYPE in chosen
    # what a user reads before setting a price limit: the zone's spot price now
    net = network(p)
    zone = p.call("DescribeVSwitches", VSwitchId=net["vswitch"])["VSwitches"]["VSwitch"][0]["ZoneId"]
    prices = p.call("DescribeSpotPriceHistory", NetworkType="vpc", InstanceType=X86_TYPE, ZoneId=zone)
    limit = round(prices["SpotPrices"]["SpotPriceType"][-1]["SpotPrice"] * 1.5, 3)
    instance_id = instance_create(p, net, LINUX, {}, settings={"SpotStrategy": "SpotWithPriceLimit",
                                                               "SpotPriceLimit": limit})
    found = describe_instance(p, instance_id)
    assert (found["SpotStrategy"], found["SpotPriceLimit"], found["SpotDuration"]) == ("SpotWithPriceLimit", limit, 1)
    instance_delete(p, instance_id)


def test_describe_price_of_a_spot_instance_is_the_zones_spot_price(client):
    zones = zones_selling(X86_TYPE, REGION)
    latest = {p["ZoneId"]: p["SpotPrice"] for p in history(client)["SpotPrices"]["SpotPriceType"]}

    def hourly(**kw: Any) -> float:
        price = client.describe_price(m.DescribePriceRequest(
            region_id=REGION, instance_type=X86_TYPE, price_unit="Hour", **kw)).body.price_info.price
        return next(d.original_price for d in price.detail_infos.detail_info if d.resource == "instanceType")

    assert hourly(spot_strategy="SpotAsPriceGo", zone_id=zones[1]) == latest[zones[1]]
    assert hourly(spot_strategy="SpotAsPriceGo") == min(latest.values())  # (no zone: the cheapest)
    assert hourly() > max(latest.values())

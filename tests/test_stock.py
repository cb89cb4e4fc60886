"""Stock shortages driven by the test (mockecs.world.stock): a type, a whole zone or a disk category sold out in a
zone, as DescribeAvailableResource, DescribeZones, DescribeResourcesModification and DescribeRecommendInstanceType
show it and as RunInstances, CreateInstance, StartInstance, ModifyInstanceSpec, CreateDisk and ModifyDiskSpec
refuse (each action's documented code); private pools still launch; a spot reclaim for stock; the fallback a user
writes (zone h sold out: zone i); the state shared, exported and reset; the control endpoint and the pytest fixture.
Through the current SDK (sync and async), the old SDK (JSON and XML) and the server."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DescribeAvailableResourceRequest import DescribeAvailableResourceRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest
from Tea.exceptions import TeaException

from mockecs.world import stock
from mockecs.world.spot_interruptions import NOTICE
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented, describe, run
from tests.test_private_pools import launch as pool_launch
from tests.test_private_pools import reserve

ZONE, OTHER_ZONE = "cn-hangzhou-h", "cn-hangzhou-i"
OTHER_TYPE = "ecs.c7.large"


def available(client, destination: str = "InstanceType", **kw) -> dict:
    answer = client.describe_available_resource(models.DescribeAvailableResourceRequest(
        region_id=REGION, destination_resource=destination, **kw)).body.to_map()
    return {z["ZoneId"]: z for z in answer["AvailableZones"]["AvailableZone"]}


def statuses(zone: dict) -> dict:
    [resource] = zone["AvailableResources"]["AvailableResource"]
    return {r["Value"]: (r["Status"], r["StatusCategory"]) for r in resource["SupportedResources"]["SupportedResource"]}


def zones(client, **kw) -> dict:
    answer = client.describe_zones(models.DescribeZonesRequest(region_id=REGION, **kw)).body.to_map()
    return {z["ZoneId"]: z for z in answer["Zones"]["Zone"]}


def refused(action: str, call, *args, code: str = "OperationDenied.NoStock", status: int = 403, **kw):
    err = error_of(call, *args, **kw)
    assert (err.code, err.status_code) == (code, status), err
    assert_documented(action, err)
    return err


# -- what the describes show ---------------------------------------------------------------------------------------
def test_describe_available_resource_answers_sold_out(client, mock):
    assert statuses(available(client, instance_type=X86_TYPE)[ZONE]) == {X86_TYPE: ("Available", "WithStock")}
    mock.sell_out(ZONE, X86_TYPE)
    found = available(client, instance_type=X86_TYPE)
    assert statuses(found[ZONE]) == {X86_TYPE: ("SoldOut", "WithoutStock")}
    assert (found[ZONE]["Status"], found[ZONE]["StatusCategory"]) == ("SoldOut", "WithoutStock")
    assert statuses(found[OTHER_ZONE]) == {X86_TYPE: ("Available", "WithStock")}
    assert found[OTHER_ZONE]["Status"] == "Available"
    # The zone with its other types still in stock is Available; the sold-out one is SoldOut among them.
    every = available(client, zone_id=ZONE)[ZONE]
    assert every["Status"] == "Available" and statuses(every)[X86_TYPE] == ("SoldOut", "WithoutStock")
    assert statuses(every)[OTHER_TYPE] == ("Available", "WithStock")
    # Not to be restocked: ClosedWithoutStock; a whole zone: every type and the zone itself.
    mock.sell_out(ZONE, OTHER_TYPE, closed=True)
    assert statuses(available(client, zone_id=ZONE)[ZONE])[OTHER_TYPE] == ("SoldOut", "ClosedWithoutStock")
    mock.sell_out(OTHER_ZONE)
    other = available(client, zone_id=OTHER_ZONE)[OTHER_ZONE]
    assert other["Status"] == "SoldOut" and {s for s in statuses(other).values()} == {("SoldOut", "WithoutStock")}
    assert statuses(available(client, "Zone", instance_type=X86_TYPE)[OTHER_ZONE]) == \
        {OTHER_ZONE: ("SoldOut", "WithoutStock")}
    mock.restock(OTHER_ZONE)
    assert available(client, zone_id=OTHER_ZONE)[OTHER_ZONE]["Status"] == "Available"
    # A disk category: the SystemDisk and DataDisk answers.
    mock.sell_out(ZONE, disk_category="cloud_essd")
    assert statuses(available(client, "SystemDisk", zone_id=ZONE)[ZONE])["cloud_essd"] == ("SoldOut", "WithoutStock")
    assert statuses(available(client, "DataDisk", zone_id=ZONE)[ZONE])["cloud_auto"] == ("Available", "WithStock")


def test_describe_zones_leaves_sold_out_types_and_categories_out(client, mock):
    before = zones(client)
    assert X86_TYPE in before[ZONE]["AvailableInstanceTypes"]["InstanceTypes"]
    mock.sell_out(ZONE, X86_TYPE)
    mock.sell_out(ZONE, disk_category="cloud_essd")
    after = zones(client)
    assert X86_TYPE not in after[ZONE]["AvailableInstanceTypes"]["InstanceTypes"]
    info = after[ZONE]["AvailableResources"]["ResourcesInfo"][0]
    assert X86_TYPE not in info["InstanceTypes"]["supportedInstanceType"]
    assert "cloud_essd" not in after[ZONE]["AvailableDiskCategories"]["DiskCategories"]
    assert "cloud_essd" not in info["SystemDiskCategories"]["supportedSystemDiskCategory"]
    assert "Instance" in after[ZONE]["AvailableResourceCreation"]["ResourceTypes"]
    assert after[OTHER_ZONE] == before[OTHER_ZONE]
    mock.sell_out(ZONE)  # (the whole zone: it creates no instance)
    whole = zones(client, verbose=False)[ZONE]
    assert "Instance" not in whole["AvailableResourceCreation"]["ResourceTypes"]
    assert "VSwitch" in whole["AvailableResourceCreation"]["ResourceTypes"]
    mock.restock()
    assert zones(client) == before


def test_resources_modification_and_recommendation(client, mock):
    (instance_id,) = run(client, zone_id=ZONE)
    mock.sell_out(ZONE, OTHER_TYPE)
    answer = client.describe_resources_modification(models.DescribeResourcesModificationRequest(
        region_id=REGION, resource_id=instance_id, destination_resource="InstanceType")).body.to_map()
    (zone,) = answer["AvailableZones"]["AvailableZone"]
    assert statuses(zone)[OTHER_TYPE] == ("SoldOut", "WithoutStock") and zone["Status"] == "Available"
    # DescribeRecommendInstanceType leaves sold-out pairs out; all of them sold out: its documented code.
    recommend = models.DescribeRecommendInstanceTypeRequest(region_id=REGION, network_type="vpc",
                                                            instance_type=X86_TYPE, zone_id=ZONE)

    def recommended() -> list:
        items = client.describe_recommend_instance_type(recommend).body.data.recommend_instance_type
        return [i.instance_type.instance_type for i in items]

    assert recommended()[0] == X86_TYPE
    mock.sell_out(ZONE, X86_TYPE)
    assert recommended() and X86_TYPE not in recommended()
    mock.sell_out(ZONE)
    refused("DescribeRecommendInstanceType", client.describe_recommend_instance_type, recommend,
            code="RecommendEmpty.InstanceTypeSoldOut", status=400)


# -- what refuses --------------------------------------------------------------------------------------------------
def test_run_and_create_refuse_with_nothing_half_applied(client, mock, engine):
    mock.sell_out(ZONE, X86_TYPE)
    before = engine.export_state()["store"]
    err = refused("RunInstances", client.run_instances, models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, zone_id=ZONE, amount=3))
    assert err.data["Message"] == "The resource is out of usage."
    refused("CreateInstance", client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, zone_id=ZONE))
    assert engine.export_state()["store"] == before  # (nothing written: no instance, disk, address)
    assert run(client, zone_id=OTHER_ZONE) and run(client, instance_type=OTHER_TYPE, zone_id=ZONE)
    mock.sell_out(OTHER_ZONE, disk_category="cloud_essd")  # (a disk category the launch makes: refused too)
    refused("RunInstances", client.run_instances, models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type=OTHER_TYPE, zone_id=OTHER_ZONE,
        system_disk=models.RunInstancesRequestSystemDisk(category="cloud_essd")))
    mock.restock(ZONE, X86_TYPE)
    assert run(client, zone_id=ZONE)


def test_start_refused_only_after_economical_stop(client, mock):
    kept, given_back = run(client, zone_id=ZONE, amount=2)
    client.stop_instance(models.StopInstanceRequest(instance_id=kept))
    client.stop_instance(models.StopInstanceRequest(instance_id=given_back, stopped_mode="StopCharging"))
    mock.sell_out(ZONE, X86_TYPE)
    client.start_instance(models.StartInstanceRequest(instance_id=kept))  # (KeepCharging kept its resources)
    assert describe(client, kept)["Status"] == "Running"
    refused("StartInstance", client.start_instance, models.StartInstanceRequest(instance_id=given_back))
    refused("StartInstances", client.start_instances, models.StartInstancesRequest(
        region_id=REGION, instance_id=[given_back]))
    assert describe(client, given_back)["Status"] == "Stopped"
    mock.restock(ZONE)
    client.start_instance(models.StartInstanceRequest(instance_id=given_back))
    assert describe(client, given_back)["Status"] == "Running"


def test_modify_spec_to_a_sold_out_type(client, mock):
    (instance_id,) = run(client, zone_id=ZONE)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    mock.sell_out(ZONE, OTHER_TYPE)
    refused("ModifyInstanceSpec", client.modify_instance_spec, models.ModifyInstanceSpecRequest(
        instance_id=instance_id, instance_type=OTHER_TYPE))
    assert describe(client, instance_id)["InstanceType"] == X86_TYPE
    (prepaid,) = run(client, zone_id=ZONE, instance_charge_type="PrePaid", period=1, period_unit="Month")
    err = refused("ModifyPrepayInstanceSpec", client.modify_prepay_instance_spec,
                  models.ModifyPrepayInstanceSpecRequest(region_id=REGION, instance_id=prepaid,
                                                         instance_type=OTHER_TYPE))
    assert err.data["Message"] == "The specified instance is out of usage."
    mock.restock(ZONE, OTHER_TYPE)
    client.modify_instance_spec(models.ModifyInstanceSpecRequest(instance_id=instance_id, instance_type=OTHER_TYPE))
    assert describe(client, instance_id)["InstanceType"] == OTHER_TYPE


def test_disks_of_a_sold_out_category(client, mock):
    mock.sell_out(ZONE, disk_category="cloud_essd")
    refused("CreateDisk", client.create_disk, models.CreateDiskRequest(
        region_id=REGION, zone_id=ZONE, disk_category="cloud_essd", size=40), code="Zone.NotOnSale", status=400)
    disk_id = client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id=ZONE, disk_category="cloud_auto",
                                                          size=40)).body.disk_id
    refused("ModifyDiskSpec", client.modify_disk_spec, models.ModifyDiskSpecRequest(
        disk_id=disk_id, disk_category="cloud_essd"))
    assert client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id=OTHER_ZONE,
                                                       disk_category="cloud_essd", size=40)).body.disk_id


def test_private_pool_capacity_still_launches(client, mock):
    vpc = new_vpc(client, "172.16.0.0/12")
    group = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc)).body \
        .security_group_id
    net = {"group": group, "vswitch": new_vswitch(client, vpc, "172.16.0.0/24", ZONE)}
    pool_id = reserve(client, amount=2, zone=ZONE)
    mock.sell_out(ZONE, X86_TYPE)
    held = pool_launch(client, net, amount=2, criteria="Target", pool_id=pool_id)  # (its capacity is reserved)
    assert len(held) == 2
    # No new reservation of what is sold out (both kinds' documented code).
    refused("CreateCapacityReservation", reserve, client, zone=ZONE)
    refused("CreateElasticityAssurance", client.create_elasticity_assurance, models.CreateElasticityAssuranceRequest(
        region_id=REGION, instance_amount=1, instance_type=[X86_TYPE], zone_id=[ZONE],
        private_pool_options=models.CreateElasticityAssuranceRequestPrivatePoolOptions()))
    # A zonal reserved instance reserves capacity too (a regional one does not: it is bought).
    purchase = models.PurchaseReservedInstancesOfferingRequest(region_id=REGION, instance_type=X86_TYPE, scope="Zone",
                                                               zone_id=ZONE, instance_amount=1)
    refused("PurchaseReservedInstancesOffering", client.purchase_reserved_instances_offering, purchase)
    purchase.scope, purchase.zone_id = "Region", None
    assert client.purchase_reserved_instances_offering(purchase).body.reserved_instance_id_sets
    # Beyond the pool (Open finds it full): the zone's stock, sold out.
    refused("RunInstances", pool_launch, client, net)
    client.stop_instance(models.StopInstanceRequest(instance_id=held[0], stopped_mode="StopCharging"))
    client.start_instance(models.StartInstanceRequest(instance_id=held[0]))  # (the pool holds its room)
    assert describe(client, held[0])["Status"] == "Running"


def test_spot_reclaimed_for_stock_then_cannot_start(client, mock, engine):
    (stopping,) = run(client, zone_id=ZONE, spot_strategy="SpotAsPriceGo", spot_duration=0,
                      spot_interruption_behavior="Stop")
    (terminated,) = run(client, zone_id=ZONE, spot_strategy="SpotAsPriceGo", spot_duration=0)
    (elsewhere,) = run(client, zone_id=OTHER_ZONE, spot_strategy="SpotAsPriceGo", spot_duration=0)
    answer = mock.sell_out(ZONE, X86_TYPE, reclaim_spot=True)
    assert sorted(e["content"]["instanceId"] for e in answer["events"]) == sorted([stopping, terminated])
    assert answer["instance_types"] == {X86_TYPE: "WithoutStock"}
    engine.clock.advance(NOTICE)
    assert describe(client, stopping)["StoppedMode"] == "StopCharging"
    assert describe(client, elsewhere)["Status"] == "Running"
    refused("StartInstance", client.start_instance, models.StartInstanceRequest(instance_id=stopping))


def test_auto_provisioning_falls_back_past_a_sold_out_config(client, mock):
    vpc = new_vpc(client, "172.16.0.0/12")
    group = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc)).body \
        .security_group_id
    in_h, in_i = new_vswitch(client, vpc, "172.16.0.0/24", ZONE), new_vswitch(client, vpc, "172.16.1.0/24", OTHER_ZONE)
    mock.sell_out(ZONE, X86_TYPE)
    Config = models.CreateAutoProvisioningGroupRequestLaunchTemplateConfig
    body = client.create_auto_provisioning_group(models.CreateAutoProvisioningGroupRequest(
        region_id=REGION, auto_provisioning_group_type="instant", total_target_capacity="2",
        pay_as_you_go_target_capacity="2", default_target_capacity_type="PayAsYouGo",
        pay_as_you_go_allocation_strategy="prioritized",
        launch_configuration=models.CreateAutoProvisioningGroupRequestLaunchConfiguration(
            image_id=LINUX, security_group_id=group),
        launch_template_config=[Config(v_switch_id=in_h, instance_type=X86_TYPE, priority=0),
                                Config(v_switch_id=in_i, instance_type=X86_TYPE, priority=1)])).body
    results = {(r.zone_id, r.error_code): r for r in body.launch_results.launch_result}
    assert results[(ZONE, "OperationDenied.NoStock")].amount == 0
    assert results[(OTHER_ZONE, "")].amount == 2


# -- the fallback a user writes ------------------------------------------------------------------------------------
def launch_with_fallback(client, zones_to_try: list[str]) -> tuple[str, str]:
    """What a provisioning tool does: the first zone in stock (OperationDenied.NoStock: the next one)."""
    for zone in zones_to_try:
        try:
            (instance_id,) = run(client, zone_id=zone)
            return zone, instance_id
        except TeaException as err:
            if err.code != "OperationDenied.NoStock":
                raise
    raise LookupError("sold out everywhere")


def test_fallback_to_the_next_zone(client, mock):
    mock.sell_out(ZONE, X86_TYPE)
    zone, instance_id = launch_with_fallback(client, [ZONE, OTHER_ZONE])
    assert zone == OTHER_ZONE and describe(client, instance_id)["ZoneId"] == OTHER_ZONE
    mock.sell_out(OTHER_ZONE)
    with pytest.raises(LookupError):
        launch_with_fallback(client, [ZONE, OTHER_ZONE])


def test_async_sdk_sees_the_refusal_and_the_status(client, mock):
    mock.sell_out(ZONE, X86_TYPE)

    async def go():
        answer = await client.describe_available_resource_async(models.DescribeAvailableResourceRequest(
            region_id=REGION, destination_resource="InstanceType", zone_id=ZONE, instance_type=X86_TYPE))
        try:
            await client.run_instances_async(models.RunInstancesRequest(
                region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, zone_id=ZONE))
        except TeaException as err:
            return answer.body.to_map(), err
        return answer.body.to_map(), None

    answer, err = asyncio.run(go())
    assert statuses(answer["AvailableZones"]["AvailableZone"][0]) == {X86_TYPE: ("SoldOut", "WithoutStock")}
    assert err is not None and (err.code, err.data["Message"]) == ("OperationDenied.NoStock",
                                                                   "The resource is out of usage.")


def test_old_sdk_json_and_xml(legacy, mock):
    mock.sell_out(ZONE, X86_TYPE)
    request = RunInstancesRequest()
    request.set_ImageId(LINUX)
    request.set_InstanceType(X86_TYPE)
    request.set_ZoneId(ZONE)
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, request)
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("OperationDenied.NoStock", 403)
    assert_documented("RunInstances", info.value)
    listing = DescribeAvailableResourceRequest()
    listing.set_DestinationResource("InstanceType")
    listing.set_ZoneId(ZONE)
    listing.set_InstanceType(X86_TYPE)
    root = legacy_xml(legacy, listing)
    assert [e.text for e in root.iter("Status")] == ["SoldOut", "SoldOut"]  # (the zone's, the type's)
    assert [e.text for e in root.iter("StatusCategory")] == ["WithoutStock", "WithoutStock"]


# -- the state: shared, exported, reset; the API's refusals ----------------------------------------------------
def test_state_exported_imported_and_reset(mock, engine):
    mock.sell_out(ZONE, X86_TYPE)
    mock.sell_out(OTHER_ZONE, disk_category="cloud_essd", closed=True)
    dump = engine.export_state()
    engine.reset()
    assert mock.stock_shortages() == []
    engine.import_state(dump)
    assert mock.stock_shortages() == [
        {"zone_id": ZONE, "region": REGION, "zone": None, "instance_types": {X86_TYPE: "WithoutStock"},
         "disk_categories": {}, "until": {}},
        {"zone_id": OTHER_ZONE, "region": REGION, "zone": None, "instance_types": {},
         "disk_categories": {"cloud_essd": "ClosedWithoutStock"}, "until": {}}]
    assert mock.stock_shortages(OTHER_ZONE)[0]["zone_id"] == OTHER_ZONE
    mock.restock(OTHER_ZONE, disk_category="cloud_essd")
    assert [s["zone_id"] for s in mock.stock_shortages()] == [ZONE]


def test_describe_zones_sees_shortages_an_import_or_a_restore_brings(client, mock, engine):
    # DescribeZones reads no shortage while the store holds none (stock._EMPTY_AT): every way records come back
    # must still show.
    mock.sell_out(ZONE, X86_TYPE)
    dump, kept = engine.export_state(), engine.store.snapshot()
    engine.reset()
    assert X86_TYPE in zones(client)[ZONE]["AvailableInstanceTypes"]["InstanceTypes"]  # (none: nothing read)
    engine.import_state(dump)
    assert X86_TYPE not in zones(client)[ZONE]["AvailableInstanceTypes"]["InstanceTypes"]
    mock.restock()
    assert X86_TYPE in zones(client)[ZONE]["AvailableInstanceTypes"]["InstanceTypes"]
    engine.store.restore(kept)
    assert X86_TYPE not in zones(client)[ZONE]["AvailableInstanceTypes"]["InstanceTypes"]

@pytest.mark.parametrize(("call", "error"), [
    (lambda m: m.sell_out("cn-nowhere-z"), "zone_id 'cn-nowhere-z' is not a zone of any region"),
    (lambda m: m.sell_out(ZONE, "ecs.none.large"), "instance_type 'ecs.none.large' is not an instance type of the "
                                                   "catalogue"),
    (lambda m: m.sell_out(ZONE, X86_TYPE, disk_category="cloud_essd"),
     "give instance_type or disk_category, not both (or neither: the whole zone)"),
    (lambda m: m.sell_out(ZONE, disk_category="floppy"), "disk_category 'floppy' is not a disk category "
                                                         f"({', '.join(stock.DISK_CATEGORIES)})"),
    (lambda m: m.sell_out(ZONE, closed="yes"), "closed and reclaim_spot must be true or false"),
    (lambda m: m.sell_out(ZONE, seconds=0), "seconds must be a number above 0 (at most 315360000), not 0"),
    (lambda m: m.restock(instance_type=X86_TYPE), "zone_id is required to restock one instance_type or "
                                                  "disk_category"),
])
def test_refusals(mock, call, error):
    with pytest.raises(stock.StockError) as info:
        call(mock)
    assert str(info.value) == error


def test_sold_out_for_a_while_on_the_mock_clock(client, mock, engine):
    mock.sell_out(ZONE, X86_TYPE, seconds=600)
    mock.sell_out(ZONE, disk_category="cloud_auto")  # (until restocked)
    now = engine.clock.now()
    assert mock.stock_shortages()[0]["until"] == {"type:" + X86_TYPE: pytest.approx(now + 600, abs=1)}
    refused("RunInstances", run, client, zone_id=ZONE)
    engine.clock.advance(590)
    assert statuses(available(client, instance_type=X86_TYPE)[ZONE]) == {X86_TYPE: ("SoldOut", "WithoutStock")}
    engine.clock.advance(10)
    assert statuses(available(client, instance_type=X86_TYPE)[ZONE]) == {X86_TYPE: ("Available", "WithStock")}
    assert run(client, zone_id=ZONE)
    assert mock.stock_shortages() == [{"zone_id": ZONE, "region": REGION, "zone": None, "instance_types": {},
                                       "disk_categories": {"cloud_auto": "WithoutStock"}, "until": {}}]
    mock.sell_out(ZONE, seconds=60)  # (the whole zone, then sold out again without an end: the end goes)
    mock.sell_out(ZONE)
    engine.clock.advance(60)
    refused("RunInstances", run, client, zone_id=ZONE)


def test_restocking_a_type_of_a_zone_sold_out_whole_is_refused(mock):
    mock.sell_out(ZONE)
    with pytest.raises(stock.StockError, match="sold out as a whole"):
        mock.restock(ZONE, X86_TYPE)


# -- the control endpoint; the pytest fixture -------------------------------------------------------------------
def test_control_endpoint():
    from mockecs.modes.clients import server_client
    from mockecs.modes.server import ServerThread

    with ServerThread() as srv:
        url = srv.url + "/_mockecs/stock"
        ecs = server_client(srv.url)
        answer = requests.post(url, json={"zone_id": ZONE, "instance_type": X86_TYPE}, timeout=10)
        assert (answer.status_code, answer.json()) == (200, {
            "zone_id": ZONE, "region": REGION, "zone": None, "instance_types": {X86_TYPE: "WithoutStock"},
            "disk_categories": {}, "until": {}, "events": []})
        refused("RunInstances", run, ecs, zone_id=ZONE)
        assert requests.get(url, timeout=10).json()[0]["zone_id"] == ZONE
        assert requests.get(url, params={"zone_id": OTHER_ZONE}, timeout=10).json() == []
        for body, error in (({}, "zone_id is required (the zone whose stock runs out)"),
                            ({"zone_id": ZONE, "type": "x"}, "unknown stock fields: type (known: zone_id, "
                                                             "instance_type, disk_category, closed, reclaim_spot, "
                                                             "seconds)"),
                            ({"zone_id": 7}, "zone_id must be a non-empty string, not 7")):
            answer = requests.post(url, json=body, timeout=10)
            assert (answer.status_code, answer.json()) == (400, {"error": error}), body
        answer = requests.delete(url, json={"zone_id": ZONE, "closed": True}, timeout=10)
        assert (answer.status_code, answer.json()) == (400, {"error": "unknown restock fields: closed (known: "
                                                                      "zone_id, instance_type, disk_category)"})
        assert requests.delete(url, json={"zone_id": ZONE}, timeout=10).json() == {"shortages": []}
        assert run(ecs, zone_id=ZONE)
        requests.post(url, json={"zone_id": ZONE}, timeout=10)
        requests.post(srv.url + "/_mockecs/reset", timeout=10)
        assert requests.get(url, timeout=10).json() == []


def test_pytest_fixture(ecs_client, ecs_stock):
    ecs_stock.sell_out(ZONE, X86_TYPE)
    err = error_of(run, ecs_client, zone_id=ZONE)
    assert err.code == "OperationDenied.NoStock"
    assert [s["zone_id"] for s in ecs_stock.shortages()] == [ZONE]
    ecs_stock.restock()
    assert run(ecs_client, zone_id=ZONE)


def test_shared_by_engines_on_one_store(tmp_path):
    from mockecs.engine.core import Config, Engine

    pytest.importorskip("mockecs_sqlite")
    store = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Engine(Config(store=store)), Engine(Config(store=store))
    stock.sell_out(first, ZONE, X86_TYPE)
    assert stock.listing(second)[0]["instance_types"] == {X86_TYPE: "WithoutStock"}
    json.dumps(second.export_state())  # (the record is plain JSON)


def test_server_workers_share_the_shortage(tmp_path):
    from tests.sdk import new_client
    from tests.test_server import ServerProcess
    from tests.test_workers import _race

    pytest.importorskip("mockecs_sqlite")
    srv = ServerProcess("--workers", "2", "--store", f"sqlite:///{tmp_path / 'state.db'}",
                        log_path=str(tmp_path / "server.log"))
    try:
        answer = requests.post(srv.url + "/_mockecs/stock", json={"zone_id": ZONE, "instance_type": X86_TYPE,
                                                                  "reclaim_spot": True}, timeout=10)
        assert answer.status_code == 200 and answer.json()["events"] == []
        # (at once, each its own connection: both workers answer)
        errors = _race(lambda n: error_of(run, new_client(endpoint=srv.netloc, protocol="HTTP"), zone_id=ZONE))
        assert {e.code for e in errors} == {"OperationDenied.NoStock"}, errors
        assert len({e.data["RequestId"][:8] for e in errors}) == 2, "both workers answered"
        assert requests.get(srv.url + "/_mockecs/state", timeout=10).json()["store"]["stock_shortage"]
    finally:
        assert srv.stop() == 0

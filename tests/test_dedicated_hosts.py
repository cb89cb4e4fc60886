"""Dedicated hosts and host clusters through both SDKs, JSON and XML, and async: allocation, the wire fields and types
the SDK models name, capacity as instances are placed (DedicatedHostId, Tenancy host, SchedulerOptions), releases,
the clock (AutoReleaseTime, subscription expiry and renewal), the documented codes (Terraform's replay is in
tests/test_terraform_dedicated_hosts.py)."""
from __future__ import annotations

import asyncio
import json
import time

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeDedicatedHostsRequest import DescribeDedicatedHostsRequest
from aliyunsdkecs.request.v20140526.ReleaseDedicatedHostRequest import ReleaseDedicatedHostRequest

from mockecs.world import resources
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, assert_documented, describe, old_error, run

ZONE = "cn-hangzhou-i"
HOUR = 3600.0


def allocate(client, host_type: str = "ddh.g7", **kw) -> list[str]:
    kw.setdefault("zone_id", ZONE)
    return client.allocate_dedicated_hosts(models.AllocateDedicatedHostsRequest(
        region_id=kw.pop("region_id", REGION), dedicated_host_type=host_type, **kw)).body.dedicated_host_id_sets \
        .dedicated_host_id


def hosts(client, **kw) -> dict:
    body = client.describe_dedicated_hosts(models.DescribeDedicatedHostsRequest(region_id=REGION, **kw)).body.to_map()
    # (the metadata names a flat "SchedulerOptions.ManagedPrivateSpaceId"; the SDK model, which wins, an object)
    assert [p for p in response_problems("DescribeDedicatedHosts", body) if ".SchedulerOptions." not in p] == []
    return body


def host(client, host_id: str, **kw) -> dict:
    found = hosts(client, dedicated_host_ids=json.dumps([host_id]), **kw)["DedicatedHosts"]["DedicatedHost"]
    assert len(found) == 1
    return found[0]


def release(client, host_id: str):
    return client.release_dedicated_host(models.ReleaseDedicatedHostRequest(region_id=REGION,
                                                                             dedicated_host_id=host_id))


@pytest.fixture
def vswitch(client) -> str:
    return new_vswitch(client, new_vpc(client, "172.16.0.0/12"), zone_id=ZONE)


def on_host(client, vswitch: str, host_id: str = None, instance_type: str = "ecs.g7.xlarge", **kw) -> list[str]:
    if host_id:
        kw["dedicated_host_id"] = host_id
    return run(client, instance_type=instance_type, v_switch_id=vswitch, **kw)


# -- allocate, describe, release --------------------------------------------------------------------------------
def test_allocate_describe_and_release(client):
    ids = allocate(client, dedicated_host_name="ddh-web", description="for the web tier", quantity=2,
                   tag=[models.AllocateDedicatedHostsRequestTag(key="team", value="web")])
    assert len(ids) == 2 and all(i.startswith("dh-bp1") and len(i) == 23 for i in ids)
    got = host(client, ids[0])
    assert {k: got[k] for k in ("DedicatedHostName", "Description", "DedicatedHostType", "ZoneId", "RegionId",
                                "Status", "ChargeType", "AutoPlacement", "ActionOnMaintenance", "CpuOverCommitRatio",
                                "Sockets", "Cores", "AutoReleaseTime", "SaleCycle", "DedicatedHostClusterId")} == {
        "DedicatedHostName": "ddh-web", "Description": "for the web tier", "DedicatedHostType": "ddh.g7",
        "ZoneId": ZONE, "RegionId": REGION, "Status": "Available", "ChargeType": "PostPaid", "AutoPlacement": "on",
        "ActionOnMaintenance": "Migrate", "CpuOverCommitRatio": 1.0, "Sockets": 2, "Cores": 32,
        "AutoReleaseTime": "", "SaleCycle": "", "DedicatedHostClusterId": ""}
    assert got["Capacity"]["TotalVcpus"] == got["Capacity"]["AvailableVcpus"] == 128
    assert got["Capacity"]["TotalMemory"] == got["Capacity"]["AvailableMemory"] == 512.0
    assert got["Instances"] == {"Instance": []}
    assert got["NetworkAttributes"] == {"UdpTimeout": 60, "SlbUdpTimeout": 60}
    assert got["SupportedInstanceTypeFamilies"] == {"SupportedInstanceTypeFamily": ["ecs.g7"]}
    assert "ecs.g7.large" in got["SupportedInstanceTypesList"]["SupportedInstanceTypesList"]
    assert got["Tags"] == {"Tag": [{"TagKey": "team", "TagValue": "web"}]}
    assert got["DedicatedHostOwnerId"] == 1234567890123456  # (the default account)
    everything = hosts(client)
    assert everything["TotalCount"] == 2 and [h["DedicatedHostId"] for h in everything["DedicatedHosts"][
        "DedicatedHost"]] == ids
    assert [h["DedicatedHostId"] for h in hosts(client, dedicated_host_name="ddh-web", zone_id=ZONE,
                                                status="Available")["DedicatedHosts"]["DedicatedHost"]] == ids
    tagged = hosts(client, tag=[models.DescribeDedicatedHostsRequestTag(key="team", value="web")])
    assert tagged["TotalCount"] == 2
    release(client, ids[0])
    assert hosts(client, dedicated_host_ids=json.dumps(ids))["TotalCount"] == 1
    assert_documented("ReleaseDedicatedHost", error_of(release, client, ids[0]))


def test_allocate_codes(client):
    def fails(**kw):
        return error_of(allocate, client, **kw)

    for kw, code in ((dict(host_type="ddh.nope"), "InvalidDedicatedHostType.ValueNotSupported"),
                     (dict(zone_id="cn-hangzhou-zz"), "InvalidZoneId.NotFound"),
                     (dict(host_type="ddh.g8i", zone_id="cn-hangzhou-h"), "InvalidDedicatedHostType.ZoneNotSupported"),
                     (dict(dedicated_host_name="-bad"), "InvalidDedicatedHostName.Malformed"),
                     (dict(description="http://x"), "InvalidDescription.Malformed"),
                     (dict(action_on_maintenance="Reboot"), "InvalidParameter.ActionOnMaintenance"),
                     (dict(network_attributes=models.AllocateDedicatedHostsRequestNetworkAttributes(udp_timeout=5)),
                      "InvalidParameter.UdpTimeout"),
                     (dict(charge_type="Spot"), "InvalidChargeType.ValueNotSupported"),
                     (dict(quantity=101), "InvalidParameter.Quantity"),
                     (dict(charge_type="PrePaid", period=1, period_unit="Day"), "InvalidPeriodUnit.ValueNotSupported"),
                     (dict(charge_type="PrePaid", period=1, auto_renew=True, auto_renew_period=5),
                      "InvalidAutoRenewPeriod.ValueNotSupported"),
                     (dict(dedicated_host_cluster_id="dc-bp1nothere"), "InvalidDedicatedHostClusterId.NotFound"),
                     (dict(tag=[models.AllocateDedicatedHostsRequestTag(key="aliyun:x", value="v")]),
                      "InvalidTagKey.Malformed"),
                     (dict(cpu_over_commit_ratio=2.0), "InvalidDedicatedHostType.CpuOverCommitRatioNotSupported"),
                     (dict(host_type="ddh.g6s", cpu_over_commit_ratio=6.0),
                      "InvalidCpuOverCommitRatio.ValueNotSupported")):
        err = fails(**kw)
        assert err.code == code, (kw, err.code)
        assert_documented("AllocateDedicatedHosts", err)
    assert hosts(client)["TotalCount"] == 0  # nothing half-made


def test_client_token_makes_allocate_idempotent(client):
    first = allocate(client, client_token="ddh-once")
    assert allocate(client, client_token="ddh-once") == first
    assert hosts(client)["TotalCount"] == 1
    err = error_of(allocate, client, client_token="ddh-once", quantity=2)
    assert err.code == "IdempotenceParamNotMatch"


def test_pay_as_you_go_quota(client, engine):
    engine.config.options["dedicated_host_quota"] = 2
    allocate(client)
    err = error_of(allocate, client, quantity=2)
    assert (err.code, err.data["Message"]) == ("QuotaExceed.AfterpayDedicatedHost",
                                               "The maximum number of Pay-As-You-Go DedicatedHosts is exceeded: 2")
    assert_documented("AllocateDedicatedHosts", err)
    allocate(client)
    (prepaid,) = allocate(client, charge_type="PrePaid", period=1)  # (a subscription is not counted)
    err = error_of(client.modify_dedicated_hosts_charge_type, models.ModifyDedicatedHostsChargeTypeRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([prepaid]), dedicated_host_charge_type="PostPaid"))
    assert err.code == "QuotaExceed.AfterpayInstance"
    assert_documented("ModifyDedicatedHostsChargeType", err)


def test_over_commit_ratio_multiplies_vcpus(client):
    (host_id,) = allocate(client, "ddh.g6s", cpu_over_commit_ratio=4.0)
    assert host(client, host_id)["Capacity"]["TotalVcpus"] == 26 * 2 * 2 * 4


def test_describe_codes_and_socket_details(client):
    for kw, code in ((dict(status="Broken"), "InvalidStatus.ValueNotSupported"),
                     (dict(lock_reason="whim"), "InvalidLockReason.NotFound"),
                     (dict(zone_id="cn-hangzhou-zz"), "InvalidZone.NotFound"),
                     (dict(dedicated_host_ids="[nope"), "InvalidParameter.DedicatedHostIds"),
                     (dict(dedicated_host_ids=json.dumps([f"dh-{n}" for n in range(101)])),
                      "InvalidDedicatedHostIds.Malformed")):
        err = error_of(hosts, client, **kw)
        assert err.code == code
        assert_documented("DescribeDedicatedHosts", err)
    (host_id,) = allocate(client)
    sockets = host(client, host_id, socket_details="true")["Capacity"]["SocketCapacities"]["SocketCapacity"]
    assert [(s["SocketId"], s["TotalVcpu"], s["TotalMemory"]) for s in sockets] == [(0, 64, 256.0), (1, 64, 256.0)]
    assert host(client, host_id)["Capacity"]["SocketCapacities"] == {"SocketCapacity": []}


def test_next_token_pages(client):
    ids = allocate(client, quantity=3)
    first = hosts(client, max_results=2)
    assert [h["DedicatedHostId"] for h in first["DedicatedHosts"]["DedicatedHost"]] == ids[:2] and first["NextToken"]
    second = hosts(client, max_results=2, next_token=first["NextToken"])
    assert [h["DedicatedHostId"] for h in second["DedicatedHosts"]["DedicatedHost"]] == ids[2:]
    assert second["NextToken"] == ""


def test_host_types(client):
    body = client.describe_dedicated_host_types(models.DescribeDedicatedHostTypesRequest(region_id=REGION)).body
    types = {t["DedicatedHostType"]: t for t in body.to_map()["DedicatedHostTypes"]["DedicatedHostType"]}
    assert response_problems("DescribeDedicatedHostTypes", body.to_map()) == []
    assert types["ddh.g7"]["TotalVcpus"] == 128 and types["ddh.g7"]["MemorySize"] == 512.0
    assert (types["ddh.g6s"]["SupportCpuOverCommitRatio"], types["ddh.g6s"]["CpuOverCommitRatioRange"]) == (True, "1-5")
    assert types["ddh.g7"]["SupportCpuOverCommitRatio"] is False
    only = client.describe_dedicated_host_types(models.DescribeDedicatedHostTypesRequest(
        region_id=REGION, supported_instance_type_family="ecs.g6")).body.to_map()["DedicatedHostTypes"]
    assert [t["DedicatedHostType"] for t in only["DedicatedHostType"]] == ["ddh.g6", "ddh.g6s"]


# -- placement --------------------------------------------------------------------------------------------------
def test_instances_on_a_host_use_its_capacity(client, vswitch):
    (host_id,) = allocate(client, dedicated_host_name="ddh-a")
    ids = on_host(client, vswitch, host_id, amount=2, affinity="host", spot_strategy="SpotAsPriceGo")
    instance = describe(client, ids[0])
    assert instance["DedicatedHostAttribute"] == {"DedicatedHostId": host_id, "DedicatedHostName": "ddh-a",
                                                  "DedicatedHostClusterId": ""}
    assert instance["DedicatedInstanceAttribute"] == {"Tenancy": "host", "Affinity": "host"}
    assert instance["SpotStrategy"] == "NoSpot"  # (a host ignores it: documented)
    attribute = client.describe_instance_attribute(models.DescribeInstanceAttributeRequest(instance_id=ids[0])).body
    assert attribute.dedicated_host_attribute.dedicated_host_id == host_id
    got = host(client, host_id)
    assert [(i["InstanceId"], i["InstanceType"]) for i in got["Instances"]["Instance"]] == \
        [(i, "ecs.g7.xlarge") for i in ids]
    assert got["Capacity"]["AvailableVcpus"] == 128 - 8 and got["Capacity"]["AvailableMemory"] == 512.0 - 32
    # the rest of the room: 120 vCPUs = 7 x 16 + 8; an eighth 16-vCPU instance does not fit
    on_host(client, vswitch, host_id, "ecs.g7.4xlarge", amount=7)
    err = error_of(on_host, client, vswitch, host_id, "ecs.g7.4xlarge")
    assert err.code == "NoAvaliableDedicatedHost"
    assert_documented("RunInstances", err)
    # a host with instances is not released; renamed, its instances follow
    assert_documented("ReleaseDedicatedHost", error_of(release, client, host_id))
    client.modify_dedicated_host_attribute(models.ModifyDedicatedHostAttributeRequest(
        region_id=REGION, dedicated_host_id=host_id, dedicated_host_name="ddh-renamed"))
    assert describe(client, ids[0])["DedicatedHostAttribute"]["DedicatedHostName"] == "ddh-renamed"
    every = [i["InstanceId"] for i in host(client, host_id)["Instances"]["Instance"]]
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=every, force=True))
    assert host(client, host_id)["Capacity"]["AvailableVcpus"] == 128
    release(client, host_id)


def test_placement_codes(client, vswitch):
    (host_id,) = allocate(client)
    (other_zone,) = allocate(client, zone_id="cn-hangzhou-j")
    cases = (
        (dict(host_id="dh-bp1nothere"), "InvalidDedicatedHostId.NotFound"),
        (dict(host_id=other_zone), "ResourcesNotInSameZone"),
        (dict(host_id=host_id, instance_type="ecs.c7.large"), "DedicatedHostType.Unmatched"),
        (dict(host_id=host_id, instance_charge_type="PrePaid", period=1), "ChargeTypeViolation.PostPaidDedicatedHost"),
        (dict(host_id=host_id, tenancy="shared"), "InvalidParam.Tenancy"),
        (dict(host_id=host_id, affinity="any"), "InvalidParameter.Affinity"),
        (dict(tenancy="host", instance_type="ecs.g7.16xlarge", amount=3), "NoAvaliableDedicatedHost"),
        (dict(tenancy="host", scheduler_options=models.RunInstancesRequestSchedulerOptions(
            dedicated_host_cluster_id="dc-bp1nothere")), "InvalidDedicatedHostClusterId.NotFound"),
    )
    for kw, code in cases:
        err = error_of(on_host, client, vswitch, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("RunInstances", err)
    deployment_set = client.create_deployment_set(models.CreateDeploymentSetRequest(region_id=REGION)).body \
        .deployment_set_id
    err = error_of(on_host, client, vswitch, host_id, deployment_set_id=deployment_set)
    assert err.code == "InvalidDeploymentOnHost"
    assert_documented("CreateInstance", err)
    err = error_of(run, client, dedicated_host_id=host_id, instance_type="ecs.g7.large")  # (classic: no vSwitch)
    assert err.code == "InvalidNetworkType.NotSupported"
    assert_documented("RunInstances", err)
    # nothing was launched by the refusals
    assert host(client, host_id)["Instances"]["Instance"] == []


def test_automatic_placement_fills_the_oldest_host_with_room(client, vswitch):
    first, second = allocate(client, quantity=2)
    (off,) = allocate(client, auto_placement="off")
    ids = on_host(client, vswitch, instance_type="ecs.g7.16xlarge", tenancy="host", amount=3)
    placed = [describe(client, i)["DedicatedHostAttribute"]["DedicatedHostId"] for i in ids]
    assert placed == [first, first, second]
    assert describe(client, ids[0])["DedicatedInstanceAttribute"] == {"Tenancy": "host", "Affinity": "default"}
    assert host(client, off)["Instances"]["Instance"] == []


def test_create_instance_on_a_host(client, vswitch):
    (host_id,) = allocate(client)
    instance_id = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.16xlarge",
        v_switch_id=vswitch, dedicated_host_id=host_id)).body.instance_id
    assert describe(client, instance_id)["DedicatedHostAttribute"]["DedicatedHostId"] == host_id
    client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.16xlarge",
        v_switch_id=vswitch, dedicated_host_id=host_id))
    err = error_of(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large",
        v_switch_id=vswitch, dedicated_host_id=host_id))
    assert (err.code, err.data["Message"]) == ("NoAvaliableDedicatedHost",
                                               "There's no enough resource on the specified dedicated host.")
    assert_documented("CreateInstance", err)


# -- clusters ---------------------------------------------------------------------------------------------------
def test_cluster_life(client, vswitch):
    cluster_id = client.create_dedicated_host_cluster(models.CreateDedicatedHostClusterRequest(
        region_id=REGION, zone_id=ZONE, dedicated_host_cluster_name="web-cluster", description="web hosts")).body \
        .dedicated_host_cluster_id
    assert cluster_id.startswith("dc-")
    (host_id,) = allocate(client, dedicated_host_cluster_id=cluster_id)
    (loose,) = allocate(client)
    in_cluster = models.RunInstancesRequestSchedulerOptions(dedicated_host_cluster_id=cluster_id)
    (instance_id,) = on_host(client, vswitch, tenancy="host", scheduler_options=in_cluster)
    assert describe(client, instance_id)["DedicatedHostAttribute"] == {
        "DedicatedHostId": host_id, "DedicatedHostName": "", "DedicatedHostClusterId": cluster_id}
    err = error_of(on_host, client, vswitch, loose, scheduler_options=models.RunInstancesRequestSchedulerOptions(
        dedicated_host_cluster_id=cluster_id))
    assert err.code == "InvalidDedicatedHostClusterId.InValid"
    body = client.describe_dedicated_host_clusters(models.DescribeDedicatedHostClustersRequest(
        region_id=REGION, dedicated_host_cluster_ids=json.dumps([cluster_id]))).body.to_map()
    assert response_problems("DescribeDedicatedHostClusters", body) == []
    (cluster,) = body["DedicatedHostClusters"]["DedicatedHostCluster"]
    assert cluster["DedicatedHostIds"] == {"DedicatedHostId": [host_id]}
    capacity = cluster["DedicatedHostClusterCapacity"]
    assert (capacity["TotalVcpus"], capacity["AvailableVcpus"], capacity["TotalMemory"]) == (128, 124, 512)
    available = {t["InstanceType"]: t["AvailableInstanceCapacity"] for t in
                 capacity["AvailableInstanceTypes"]["AvailableInstanceType"]}
    assert available["ecs.g7.16xlarge"] == 1 and available["ecs.g7.large"] == 62
    err = error_of(client.delete_dedicated_host_cluster, models.DeleteDedicatedHostClusterRequest(
        region_id=REGION, dedicated_host_cluster_id=cluster_id))
    assert err.code == "DedicatedHostExists"
    assert_documented("DeleteDedicatedHostCluster", err)
    # a host joins the cluster: its instances follow
    client.modify_dedicated_host_attribute(models.ModifyDedicatedHostAttributeRequest(
        region_id=REGION, dedicated_host_id=loose, dedicated_host_cluster_id=cluster_id))
    assert host(client, loose)["DedicatedHostClusterId"] == cluster_id
    client.modify_dedicated_host_cluster_attribute(models.ModifyDedicatedHostClusterAttributeRequest(
        region_id=REGION, dedicated_host_cluster_id=cluster_id, dedicated_host_cluster_name="renamed"))
    named = client.describe_dedicated_host_clusters(models.DescribeDedicatedHostClustersRequest(
        region_id=REGION, dedicated_host_cluster_name="renamed")).body.to_map()
    assert named["TotalCount"] == 1
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    release(client, host_id)
    release(client, loose)
    client.delete_dedicated_host_cluster(models.DeleteDedicatedHostClusterRequest(
        region_id=REGION, dedicated_host_cluster_id=cluster_id))
    err = error_of(client.modify_dedicated_host_cluster_attribute, models.ModifyDedicatedHostClusterAttributeRequest(
        region_id=REGION, dedicated_host_cluster_id=cluster_id, description="gone"))
    assert_documented("ModifyDedicatedHostClusterAttribute", err)


# -- the clock, subscriptions -----------------------------------------------------------------------------------
def test_auto_release_time_releases_the_host_and_its_instances(client, engine, vswitch):
    (host_id,) = allocate(client)
    (instance_id,) = on_host(client, vswitch, host_id)
    text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(engine.clock.now() + 2 * HOUR))
    client.modify_dedicated_host_auto_release_time(models.ModifyDedicatedHostAutoReleaseTimeRequest(
        region_id=REGION, dedicated_host_id=host_id, auto_release_time=text))
    assert host(client, host_id)["AutoReleaseTime"] == text[:16] + "Z"
    engine.clock.advance(3 * HOUR)
    # the instances' reads settle the hosts' clock too (one due order)
    found = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.to_map()["Instances"]["Instance"]
    assert found == []
    assert hosts(client)["TotalCount"] == 0
    err = error_of(client.describe_instance_attribute, models.DescribeInstanceAttributeRequest(
        instance_id=instance_id))
    assert err.code == "InvalidInstanceId.NotFound"
    err = error_of(client.modify_dedicated_host_auto_release_time, models.ModifyDedicatedHostAutoReleaseTimeRequest(
        region_id=REGION, dedicated_host_id=host_id, auto_release_time=text))
    assert err.code in ("InvalidAutoReleaseTime.Malformed", "NoSuchResource")
    assert_documented("ModifyDedicatedHostAutoReleaseTime", err)


def test_subscription_host_renewal_and_expiry(client, engine):
    (host_id,) = allocate(client, charge_type="PrePaid", period=1, period_unit="Week")
    got = host(client, host_id)
    assert (got["ChargeType"], got["SaleCycle"]) == ("PrePaid", "Week") and got["ExpiredTime"].endswith("T16:00Z")
    assert_documented("ReleaseDedicatedHost", error_of(release, client, host_id))
    auto = client.describe_dedicated_host_auto_renew(models.DescribeDedicatedHostAutoRenewRequest(
        region_id=REGION, dedicated_host_ids=host_id)).body.to_map()
    assert response_problems("DescribeDedicatedHostAutoRenew", auto) == []
    assert auto["DedicatedHostRenewAttributes"]["DedicatedHostRenewAttribute"] == [{
        "DedicatedHostId": host_id, "RenewalStatus": "Normal", "AutoRenewEnabled": False, "Duration": 0,
        "PeriodUnit": "Month", "AutoRenewWithEcs": "StopRenewWithEcs"}]
    client.renew_dedicated_hosts(models.RenewDedicatedHostsRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([host_id]), period=1, period_unit="Month"))
    renewed = host(client, host_id)["ExpiredTime"]
    assert renewed > got["ExpiredTime"]
    engine.clock.advance(40 * 86400)  # past its end (not its 15 days' retention): locked (financial)
    locked = host(client, host_id, lock_reason="financial")
    assert locked["OperationLocks"] == {"OperationLock": [{"LockReason": "financial"}]}
    client.renew_dedicated_hosts(models.RenewDedicatedHostsRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([host_id]), period=1))
    assert host(client, host_id)["OperationLocks"] == {"OperationLock": []}
    client.modify_dedicated_host_auto_renew_attribute(models.ModifyDedicatedHostAutoRenewAttributeRequest(
        region_id=REGION, dedicated_host_ids=host_id, auto_renew=True, duration=1, period_unit="Month",
        auto_renew_with_ecs="AutoRenewWithEcs"))
    before = host(client, host_id)["ExpiredTime"]
    engine.clock.advance(70 * 86400)  # auto-renewed, not locked
    # (and one more: at its retention's end an expired host goes with its instances)
    after = host(client, host_id)
    assert after["ExpiredTime"] > before and after["OperationLocks"] == {"OperationLock": []}
    (postpaid,) = allocate(client)
    err = error_of(client.describe_dedicated_host_auto_renew, models.DescribeDedicatedHostAutoRenewRequest(
        region_id=REGION, dedicated_host_ids=postpaid))
    assert_documented("DescribeDedicatedHostAutoRenew", err)
    err = error_of(client.renew_dedicated_hosts, models.RenewDedicatedHostsRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([postpaid]), period=1))
    assert_documented("RenewDedicatedHosts", err)


def test_charge_type_both_ways(client):
    (host_id,) = allocate(client)
    answer = client.modify_dedicated_hosts_charge_type(models.ModifyDedicatedHostsChargeTypeRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([host_id]), period=1, period_unit="Month")).body.to_map()
    assert answer["OrderId"].isdigit()
    got = host(client, host_id)
    assert (got["ChargeType"], got["SaleCycle"]) == ("PrePaid", "Month")
    err = error_of(client.modify_dedicated_hosts_charge_type, models.ModifyDedicatedHostsChargeTypeRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([host_id]), period=1))
    assert_documented("ModifyDedicatedHostsChargeType", err)
    client.modify_dedicated_hosts_charge_type(models.ModifyDedicatedHostsChargeTypeRequest(
        region_id=REGION, dedicated_host_ids=json.dumps([host_id]), dedicated_host_charge_type="PostPaid"))
    assert host(client, host_id)["ChargeType"] == "PostPaid"
    err = error_of(client.modify_dedicated_hosts_charge_type, models.ModifyDedicatedHostsChargeTypeRequest(
        region_id=REGION, dedicated_host_ids=json.dumps(["dh-bp1nothere"]), dedicated_host_charge_type="PostPaid"))
    assert_documented("ModifyDedicatedHostsChargeType", err)


def _mark(engine, host_id: str, **fields) -> None:
    """What the service does to a host by itself (a host at risk)."""
    with engine.store.transaction() as txn:
        resources.put(txn, "dedicated_host", {**txn.get("dedicated_host", host_id), **fields})


def test_redeploy(client, engine, vswitch):
    (host_id,) = allocate(client)
    (instance_id,) = on_host(client, vswitch, host_id)
    err = error_of(client.redeploy_dedicated_host, models.RedeployDedicatedHostRequest(
        region_id=REGION, dedicated_host_id=host_id))
    assert err.code == "InvalidDedicatedHostStatus.Malformed"
    assert_documented("RedeployDedicatedHost", err)
    _mark(engine, host_id, Status="UnderAssessment")
    err = error_of(on_host, client, vswitch, host_id)  # (no launch on a host at risk)
    assert err.code == "InvalidDedicatedHostStatus.NotSupport"
    err = error_of(client.redeploy_dedicated_host, models.RedeployDedicatedHostRequest(
        region_id=REGION, dedicated_host_id=host_id))
    assert err.code == "InvalidInstanceStatus.Unstopped"
    assert_documented("RedeployDedicatedHost", err)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    machine = host(client, host_id)["MachineId"]
    client.redeploy_dedicated_host(models.RedeployDedicatedHostRequest(region_id=REGION, dedicated_host_id=host_id))
    got = host(client, host_id)
    assert got["Status"] == "Available" and got["MachineId"] != machine


# -- tags and resource groups -----------------------------------------------------------------------------------
def test_tags_and_resource_group(client):
    (host_id,) = allocate(client)
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="ddh", resource_id=[host_id],
                                                    tag=[models.TagResourcesRequestTag(key="env", value="prod")]))
    assert host(client, host_id)["Tags"] == {"Tag": [{"TagKey": "env", "TagValue": "prod"}]}
    listed = client.list_tag_resources(models.ListTagResourcesRequest(region_id=REGION, resource_type="ddh",
                                                                      resource_id=[host_id])).body.to_map()
    assert [(r["ResourceId"], r["ResourceType"]) for r in listed["TagResources"]["TagResource"]] == \
        [(host_id, "ddh")]
    err = error_of(client.join_resource_group, models.JoinResourceGroupRequest(
        region_id=REGION, resource_type="ddh", resource_id=host_id, resource_group_id="rg-nothere000"))
    assert err.code == "InvalidResourceGroup.NotFound"


# -- other clients ----------------------------------------------------------------------------------------------
def test_old_sdk_json_and_xml(client, legacy):
    (host_id,) = allocate(client, dedicated_host_name="old-sdk")
    request = DescribeDedicatedHostsRequest()
    request.set_DedicatedHostIds(json.dumps([host_id]))
    got = legacy_call(legacy, request)["DedicatedHosts"]["DedicatedHost"]
    assert [(h["DedicatedHostId"], h["DedicatedHostName"]) for h in got] == [(host_id, "old-sdk")]
    request = DescribeDedicatedHostsRequest()
    request.set_DedicatedHostIds(json.dumps([host_id]))
    root = legacy_xml(legacy, request)
    assert root.findtext("DedicatedHosts/DedicatedHost/DedicatedHostId") == host_id
    assert root.findtext("DedicatedHosts/DedicatedHost/Capacity/TotalVcpus") == "128"
    request = ReleaseDedicatedHostRequest()
    request.set_DedicatedHostId("dh-bp1nothere")
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidDedicatedHostId.NotFound", 404)


def test_async(client):
    async def main() -> tuple[list[str], dict]:
        made = await client.allocate_dedicated_hosts_async(models.AllocateDedicatedHostsRequest(
            region_id=REGION, dedicated_host_type="ddh.c7", zone_id=ZONE))
        ids = made.body.dedicated_host_id_sets.dedicated_host_id
        found = await client.describe_dedicated_hosts_async(models.DescribeDedicatedHostsRequest(
            region_id=REGION, dedicated_host_ids=json.dumps(ids)))
        return ids, found.body.to_map()

    ids, found = asyncio.run(main())
    assert [h["DedicatedHostType"] for h in found["DedicatedHosts"]["DedicatedHost"]] == ["ddh.c7"]
    assert found["DedicatedHosts"]["DedicatedHost"][0]["DedicatedHostId"] == ids[0]


# -- instances already on a host --------------------------------------------------------------------------------
def deploy(client, instance_id: str, **kw):
    return client.modify_instance_deployment(models.ModifyInstanceDeploymentRequest(
        region_id=REGION, instance_id=instance_id, **kw))


def test_modify_instance_deployment_moves_an_instance_onto_hosts(client, vswitch):
    first, second = allocate(client, quantity=2)
    (instance_id,) = on_host(client, vswitch)  # (on a shared host)
    err = error_of(deploy, client, instance_id, dedicated_host_id=first)  # a reboot migration: stopped first
    assert err.code == "OperationDenied.UnstoppedInstance"
    assert_documented("ModifyInstanceDeployment", err)
    deploy(client, instance_id, dedicated_host_id=first, migration_type="live")
    assert describe(client, instance_id)["DedicatedHostAttribute"]["DedicatedHostId"] == first
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    err = error_of(deploy, client, instance_id, dedicated_host_id=first)
    assert err.code == "InvalidDedicatedHostId.NotSupport"
    assert_documented("ModifyInstanceDeployment", err)
    err = error_of(deploy, client, instance_id, dedicated_host_id=second, instance_type="ecs.c7.large")
    assert err.code == "InvalidInstanceType.NotSupport"
    assert_documented("ModifyInstanceDeployment", err)
    deploy(client, instance_id, dedicated_host_id=second, instance_type="ecs.g7.2xlarge", affinity="host")
    moved = describe(client, instance_id)
    assert (moved["DedicatedHostAttribute"]["DedicatedHostId"], moved["InstanceType"], moved["Cpu"]) == \
        (second, "ecs.g7.2xlarge", 8)
    assert moved["DedicatedInstanceAttribute"] == {"Tenancy": "host", "Affinity": "host"}
    assert host(client, second)["Capacity"]["AvailableVcpus"] == 120
    assert host(client, first)["Instances"]["Instance"] == []
    deploy(client, instance_id, tenancy="host")  # automatic: another host with room
    assert describe(client, instance_id)["DedicatedHostAttribute"]["DedicatedHostId"] == first
    deploy(client, instance_id, affinity="default")  # the affinity alone
    assert describe(client, instance_id)["DedicatedInstanceAttribute"]["Affinity"] == "default"
    release(client, second)  # (empty now)
    err = error_of(deploy, client, instance_id, tenancy="host")  # no other host left
    assert err.code == "InvalidDedicatedHost.NotEnoughResource"
    assert_documented("ModifyInstanceDeployment", err)
    (elsewhere,) = allocate(client, zone_id="cn-hangzhou-j")
    err = error_of(deploy, client, instance_id, dedicated_host_id=elsewhere)
    assert err.code == "InvalidDedicatedHost.ZoneNotMatch"
    assert_documented("ModifyInstanceDeployment", err)
    (off_host,) = on_host(client, vswitch)
    err = error_of(deploy, client, off_host, affinity="host")
    assert err.code == "InvalidParam.InstanceId"
    assert_documented("ModifyInstanceDeployment", err)


def test_an_instance_on_a_host_keeps_its_type_and_charge_type(client, vswitch):
    (host_id,) = allocate(client, charge_type="PrePaid", period=3)
    (instance_id,) = on_host(client, vswitch, host_id, instance_charge_type="PrePaid", period=1)
    err = error_of(client.modify_instance_charge_type, models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), instance_charge_type="PostPaid"))
    assert err.code == "InvalidOperation.NotSupport"
    assert_documented("ModifyInstanceChargeType", err)
    err = error_of(client.renew_instance, models.RenewInstanceRequest(instance_id=instance_id, period=6))
    assert err.code == "InvalidPeriod.ExceededDedicatedHost"
    assert_documented("RenewInstance", err)
    client.renew_instance(models.RenewInstanceRequest(instance_id=instance_id, period=1))
    err = error_of(on_host, client, vswitch, host_id, instance_charge_type="PrePaid", period=4)
    assert err.code == "InvalidPeriod.ExceededDedicatedHost"
    assert_documented("RunInstances", err)
    (postpaid,) = allocate(client)
    (instance_id,) = on_host(client, vswitch, postpaid)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    err = error_of(client.modify_instance_spec, models.ModifyInstanceSpecRequest(
        instance_id=instance_id, instance_type="ecs.g7.2xlarge"))
    assert err.code == "InvalidAction.NotSupport"
    assert_documented("ModifyInstanceSpec", err)


def test_modify_and_cluster_codes(client):
    (host_id,) = allocate(client)
    (prepaid,) = allocate(client, charge_type="PrePaid", period=1)

    def modify(**kw):
        return client.modify_dedicated_host_attribute(models.ModifyDedicatedHostAttributeRequest(
            region_id=REGION, dedicated_host_id=kw.pop("dedicated_host_id", host_id), **kw))

    other_zone = client.create_dedicated_host_cluster(models.CreateDedicatedHostClusterRequest(
        region_id=REGION, zone_id="cn-hangzhou-j")).body.dedicated_host_cluster_id
    for kw, code in ((dict(dedicated_host_id="dh-bp1nothere"), "InvalidDedicatedHostId.NotFound"),
                     (dict(dedicated_host_name="1starts-with-a-digit"), "InvalidDedicatedHostName.Malformed"),
                     (dict(description="x"), "InvalidDescription.Malformed"),
                     (dict(action_on_maintenance="Pray"), "InvalidParameter.ActionOnMaintenance"),
                     (dict(network_attributes=models.ModifyDedicatedHostAttributeRequestNetworkAttributes(
                         slb_udp_timeout=400)), "InvalidParameter.SlbUdpTimeout"),
                     (dict(dedicated_host_cluster_id="dc-bp1nothere"), "InvalidDedicatedHostClusterId.NotFound"),
                     (dict(dedicated_host_cluster_id=other_zone), "InvalidDedicatedHostClusterId.NotMatch"),
                     (dict(cpu_over_commit_ratio=3.0), "InvalidDedicatedHostType.CpuOverCommitRatioNotSupported")):
        err = error_of(modify, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("ModifyDedicatedHostAttribute", err)
    modify(auto_placement="off", network_attributes=models.ModifyDedicatedHostAttributeRequestNetworkAttributes(
        udp_timeout=90))
    got = host(client, host_id)
    assert (got["AutoPlacement"], got["NetworkAttributes"]) == ("off", {"UdpTimeout": 90, "SlbUdpTimeout": 60})

    def release_at(host_id: str, text: str):
        return client.modify_dedicated_host_auto_release_time(models.ModifyDedicatedHostAutoReleaseTimeRequest(
            region_id=REGION, dedicated_host_id=host_id, auto_release_time=text))

    for args, code in (((host_id, "tomorrow"), "InvalidAutoReleaseTime.Malformed"),
                       ((prepaid, ""), "ChargeTypeViolation"), (("dh-bp1nothere", ""), "NoSuchResource")):
        err = error_of(release_at, *args)
        assert err.code == code
        assert_documented("ModifyDedicatedHostAutoReleaseTime", err)

    def auto_renew(ids: str, **kw):
        return client.modify_dedicated_host_auto_renew_attribute(
            models.ModifyDedicatedHostAutoRenewAttributeRequest(region_id=REGION, dedicated_host_ids=ids, **kw))

    for args, kw, code in (((host_id,), {}, "ChargeTypeViolation"),
                           (("dh-bp1nothere",), {}, "InvalidParameter.InvalidDedicatedHostId"),
                           ((prepaid,), dict(period_unit="Day"), "InvalidPeriodUnit.ValueNotSupported"),
                           ((prepaid,), dict(duration=7), "InvalidParameter.Duration"),
                           ((prepaid,), dict(renewal_status="Maybe"), "InvalidParameter.RenewalStatus"),
                           ((prepaid,), dict(auto_renew_with_ecs="Sometimes"), "InvalidParameter.AutoRenewWithEcs"),
                           ((",".join(f"dh-{n}" for n in range(101)),), {}, "InvalidParameter.ToManyDedicatedHostIds")):
        err = error_of(auto_renew, *args, **kw)
        assert err.code == code, (kw, err.code)
        assert_documented("ModifyDedicatedHostAutoRenewAttribute", err)
    auto_renew(prepaid, renewal_status="NotRenewal")
    row = client.describe_dedicated_host_auto_renew(models.DescribeDedicatedHostAutoRenewRequest(
        region_id=REGION, dedicated_host_ids=prepaid)).body.to_map()["DedicatedHostRenewAttributes"][
        "DedicatedHostRenewAttribute"][0]
    assert (row["RenewalStatus"], row["AutoRenewEnabled"]) == ("NotRenewal", False)
    err = error_of(client.create_dedicated_host_cluster, models.CreateDedicatedHostClusterRequest(
        region_id=REGION, zone_id="cn-hangzhou-zz"))
    assert err.code == "InvalidZone.NotFound"
    assert_documented("CreateDedicatedHostCluster", err)
    err = error_of(client.create_dedicated_host_cluster, models.CreateDedicatedHostClusterRequest(
        region_id=REGION, zone_id=ZONE, dry_run=True))
    assert err.code == "DryRunOperation"
    for kw, code in ((dict(zone_id="cn-hangzhou-zz"), "InvalidZone.NotFound"),
                     (dict(dedicated_host_cluster_ids="[oops"), "InvalidParameter.DedicatedHostClusterIds")):
        err = error_of(client.describe_dedicated_host_clusters, models.DescribeDedicatedHostClustersRequest(
            region_id=REGION, **kw))
        assert err.code == code
        assert_documented("DescribeDedicatedHostClusters", err)
    listed = client.describe_dedicated_host_clusters(models.DescribeDedicatedHostClustersRequest(
        region_id=REGION, zone_id="cn-hangzhou-j")).body.to_map()["DedicatedHostClusters"]["DedicatedHostCluster"]
    assert [c["DedicatedHostClusterId"] for c in listed] == [other_zone]


"""Instance types and availability: the catalogue, DescribeInstanceTypes, DescribeInstanceTypeFamilies,
DescribeAvailableResource, DescribeZones' view of it, and the launch rules that read it."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeAvailableResourceRequest import DescribeAvailableResourceRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceTypesRequest import DescribeInstanceTypesRequest
from aliyunsdkecs.request.v20140526.DescribeZonesRequest import DescribeZonesRequest

from mockecs.world import dedicated_hosts as ddh
from mockecs.world import regions
from mockecs.world.instance_types import instance_type, instance_types, sells, types_in_zone, zones_selling
from tests.networks_helpers import documented, xml_call
from tests.sdk import legacy_call
from tests.test_instances import ARM, LINUX, REGION, assert_wire, describe, new_error, run

NEW_FAMILIES = {
    "ecs.g7": ["large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge", "8xlarge", "16xlarge", "32xlarge"],
    "ecs.g8i": ["large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge", "8xlarge", "12xlarge", "16xlarge",
                "24xlarge", "48xlarge"],
    "ecs.g8y": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "32xlarge"],
}
MEMORY_PER_VCPU = {"g": 4, "c": 2, "r": 8}


def types(client, **kw) -> dict:
    return client.describe_instance_types(models.DescribeInstanceTypesRequest(**kw)).body.to_map()


def type_ids(client, **kw) -> list[str]:
    return [t["InstanceTypeId"] for t in types(client, **kw)["InstanceTypes"]["InstanceType"]]


def available(client, destination: str, region: str = REGION, **kw) -> dict:
    """{zone: [values]} of DescribeAvailableResource."""
    body = client.describe_available_resource(models.DescribeAvailableResourceRequest(
        region_id=region, destination_resource=destination, **kw)).body.to_map()
    out = {}
    for zone in body["AvailableZones"]["AvailableZone"]:
        assert zone["Status"] == "Available" and zone["RegionId"] == region
        (resource,) = zone["AvailableResources"]["AvailableResource"]
        assert resource["Type"] == destination
        out[zone["ZoneId"]] = [r["Value"] for r in resource["SupportedResources"]["SupportedResource"]]
    return out


# -- the catalogue ----------------------------------------------------------------------------------------
def test_catalogue_has_the_families_with_their_sizes():
    by_family: dict[str, list[dict]] = {}
    for itype in instance_types():
        by_family.setdefault(itype["InstanceTypeFamily"], []).append(itype)
    for letter in "gcr":
        for generation, arch, sizes in (("7", "x86_64", NEW_FAMILIES["ecs.g7"]), ("8i", "x86_64",
                                        NEW_FAMILIES["ecs.g8i"]), ("8y", "arm64", NEW_FAMILIES["ecs.g8y"])):
            family = f"ecs.{letter}{generation}"
            found = by_family[family]
            assert [t["InstanceTypeId"] for t in found] == [f"{family}.{s}" for s in sizes]
            for t in found:
                assert t["Architecture"] == arch and t["CpuArchitecture"] == ("ARM" if arch == "arm64" else "X86")
                assert t["MemorySize"] == t["CpuCoreCount"] * MEMORY_PER_VCPU[letter] and t["GPUAmount"] == 0
                assert t["EniQuantity"] >= 2 and t["InstanceBandwidthRx"] > 0 and t["GPUSpec"] == ""
    burstable = by_family["ecs.t6"]
    assert {t["InstanceFamilyLevel"] for t in burstable} == {"CreditEntryLevel"}
    assert all(t["BaselineCredit"] > 0 and t["InitialCredit"] > 0 for t in burstable)
    assert instance_type("ecs.g7.8xlarge")["CpuCoreCount"] == 32
    assert instance_type("ecs.t6-c4m1.large")["MemorySize"] == 0.5
    assert len(instance_types()) == 97


def test_zones_selling_follow_the_catalogue():
    assert zones_selling("ecs.g7.large", REGION) == tuple(regions.zone_ids(REGION))
    assert zones_selling("ecs.g8y.large", REGION) == ("cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k")
    assert zones_selling("ecs.g8i.large", REGION)[0] == "cn-hangzhou-i"
    assert zones_selling("ecs.g8y.large", "me-east-1") == () and zones_selling("ecs.nope", REGION) == ()
    assert "ecs.g8y.large" not in types_in_zone("cn-hangzhou-h") and "ecs.g7.large" in types_in_zone("cn-hangzhou-h")
    assert all(sells(instance_type(t), "cn-hangzhou-k") for t in types_in_zone("cn-hangzhou-k"))


# -- DescribeInstanceTypes ----------------------------------------------------------------------------------
def test_describe_instance_types_new_sdk(client):
    body = types(client)
    items = body["InstanceTypes"]["InstanceType"]
    assert len(items) == 97 and body["NextToken"] == ""
    g7 = next(t for t in items if t["InstanceTypeId"] == "ecs.g7.8xlarge")
    assert_wire(g7, "DescribeInstanceTypesResponseBodyInstanceTypesInstanceType")
    assert (g7["CpuCoreCount"], g7["MemorySize"], g7["InstanceTypeFamily"], g7["CpuArchitecture"]) == (
        32, 128.0, "ecs.g7", "X86")
    assert g7["InstanceCategory"] == "General-purpose" and g7["PhysicalProcessorModel"].startswith("Intel")
    assert g7["SupportedBootModes"]["SupportedBootMode"] == ["BIOS", "UEFI"] and "Architecture" not in g7
    assert isinstance(g7["MemorySize"], float) and isinstance(g7["CpuSpeedFrequency"], float)


def test_instance_types_answer_their_cpu_network_and_security_features(client):
    """The nested answers follow the type's figures and its family's features (not one constant for all)."""
    found = {t["InstanceTypeId"]: t for t in types(client, instance_types=[
        "ecs.g8i.large", "ecs.g7.4xlarge", "ecs.g8y.large", "ecs.t5-lc1m1.small", "ecs.g6.large"])[
        "InstanceTypes"]["InstanceType"]}
    g8i, g7, g8y, t5, g6 = (found[t] for t in ("ecs.g8i.large", "ecs.g7.4xlarge", "ecs.g8y.large",
                                                "ecs.t5-lc1m1.small", "ecs.g6.large"))
    assert g7["CpuOptions"]["Core"] == 8 and g7["CpuOptions"]["ThreadsPerCore"] == 2
    assert g7["CpuOptions"]["SupportedTopologyTypes"]["SupportedTopologyType"] == [
        "ContinuousCoreToHTMapping", "DiscreteCoreToHTMapping"]
    assert (t5["CpuOptions"]["Core"], t5["CpuOptions"]["ThreadsPerCore"]) == (1, 1)
    assert t5["CpuOptions"]["HyperThreadingAdjustable"] is False and g7["CpuOptions"]["HyperThreadingAdjustable"]
    assert g8y["CpuOptions"]["SupportedTopologyTypes"] == {
        "SupportedTopologyType": []}  # (ARM: one thread per core)
    assert (g8y["CpuOptions"]["Core"], g8y["CpuOptions"]["ThreadsPerCore"]) == (2, 1)
    assert [t["JumboFrameSupport"] for t in (g8i, g7, g8y, t5, g6)] == [True, True, True, False, False]
    assert (g8i["Clock"]["PtpSupport"], g7["Clock"]["PtpSupport"]) == ("supported", "unsupported")
    assert g8i["CpuOptions"]["NestedVirtualizationSupport"] == "supported"
    weights = g8i["NetworkInfo"]["BandwidthWeighting"]["WeightingInfos"]["WeightingInfo"]
    assert [w["Name"] for w in weights] == ["Default", "Vpc-L1", "Ebs-L1"]
    assert weights[1]["VpcBandwidth"] > weights[0]["VpcBandwidth"] > weights[2]["VpcBandwidth"]
    assert g7["NetworkInfo"]["BandwidthWeighting"]["WeightingInfos"]["WeightingInfo"] == []
    assert (g8y["SecurityOptions"]["SecureBootSupport"], g6["SecurityOptions"]["SecureBootSupport"]) == (
        "supported", "unsupported")  # (UEFI boot or not)
    assert (g7["EnhancedNetwork"]["RssSupport"], t5["EnhancedNetwork"]["RssSupport"]) == (True, False)


@pytest.mark.parametrize("kw, expected", [
    ({"instance_type_family": "ecs.c8y"}, [f"ecs.c8y.{s}" for s in NEW_FAMILIES["ecs.g8y"]]),
    ({"instance_types": ["ecs.r7.large", "ecs.g8i.48xlarge", "ecs.nope"]}, ["ecs.r7.large", "ecs.g8i.48xlarge"]),
    ({"instance_type_families": ["ecs.r8y"], "minimum_cpu_core_count": 16, "maximum_cpu_core_count": 32},
     ["ecs.r8y.4xlarge", "ecs.r8y.8xlarge"]),
    ({"cpu_architecture": "ARM", "minimum_memory_size": 512}, ["ecs.g8y.32xlarge", "ecs.r8y.16xlarge",
                                                                "ecs.r8y.32xlarge"]),
    ({"maximum_memory_size": 1}, ["ecs.t6-c4m1.large", "ecs.t6-c2m1.large", "ecs.t5-lc1m1.small"]),
    ({"gpuspec": "a10"}, ["ecs.gn7i-c8g1.2xlarge"]),
    ({"gpu_specs": ["T4", "A10"], "minimum_gpuamount": 1}, ["ecs.gn6i-c4g1.xlarge", "ecs.gn7i-c8g1.2xlarge"]),
    ({"instance_family_level": "CreditEntryLevel", "minimum_cpu_core_count": 4},
     ["ecs.t6-c1m4.xlarge", "ecs.t6-c1m4.2xlarge"]),
    ({"physical_processor_model": "yitian", "instance_category": "Compute-optimized", "maximum_cpu_core_count": 4},
     ["ecs.c8y.large", "ecs.c8y.xlarge"]),
    ({"instance_categories": ["Memory-optimized"], "cpu_architectures": ["X86"], "minimum_cpu_core_count": 128},
     ["ecs.r7.32xlarge", "ecs.r8i.48xlarge"]),
    ({"nvme_support": "required", "instance_type_family": "ecs.g7"}, []),
    ({"minimum_eni_quantity": 15, "instance_type_family": "ecs.g8i"}, ["ecs.g8i.24xlarge", "ecs.g8i.48xlarge"]),
])
def test_describe_instance_types_filters(client, kw, expected):
    assert type_ids(client, **kw) == expected


def test_describe_instance_types_pages_by_token(client):
    seen, token, pages = [], None, 0
    while True:
        body = types(client, max_results=40, next_token=token)
        seen += [t["InstanceTypeId"] for t in body["InstanceTypes"]["InstanceType"]]
        pages += 1
        token = body["NextToken"]
        if not token:
            break
    assert pages == 3 and seen == [t["InstanceTypeId"] for t in instance_types()]
    err = new_error(types, client, next_token="e71d8a535bd9cc11")
    assert (err.code, err.status_code) == ("Invalid.NextToken", 403)
    for bad in ({"max_results": 1601}, {"cpu_architecture": "RISCV"}, {"instance_category": "Cheap"},
                {"instance_types": [f"ecs.g7.{n}" for n in range(11)]}):
        err = new_error(types, client, **bad)
        assert (err.code, err.status_code) == ("InvalidParameter", 400), bad


def test_describe_instance_types_old_sdk_and_xml(legacy):
    req = DescribeInstanceTypesRequest()
    req.set_InstanceTypeFamily("ecs.g8y")
    req.set_MinimumMemorySize(256)
    body = legacy_call(legacy, req)
    assert [t["InstanceTypeId"] for t in body["InstanceTypes"]["InstanceType"]] == ["ecs.g8y.16xlarge",
                                                                                   "ecs.g8y.32xlarge"]
    req = DescribeInstanceTypesRequest()
    req.set_InstanceTypess(["ecs.t6-c1m1.large"])
    status, root = xml_call(legacy, req)
    assert status == 200 and root.tag == "DescribeInstanceTypesResponse"
    item = root.find("InstanceTypes/InstanceType")
    assert item.findtext("InstanceTypeId") == "ecs.t6-c1m1.large" and item.findtext("MemorySize") == "2.0"
    assert item.findtext("InstanceFamilyLevel") == "CreditEntryLevel"


def test_describe_instance_type_families(client):
    body = client.describe_instance_type_families(models.DescribeInstanceTypeFamiliesRequest(
        region_id=REGION, generation="ecs-7")).body.to_map()
    assert {f["InstanceTypeFamilyId"] for f in body["InstanceTypeFamilies"]["InstanceTypeFamily"]} == {
        "ecs.g8i", "ecs.c8i", "ecs.r8i", "ecs.g8y", "ecs.c8y", "ecs.r8y"}
    everything = client.describe_instance_type_families(models.DescribeInstanceTypeFamiliesRequest(
        region_id=REGION)).body.instance_type_families.instance_type_family
    assert {"ecs.g7", "ecs.t6", "ecs.gn6i"} <= {f.instance_type_family_id for f in everything}
    err = new_error(client.describe_instance_type_families,
                    models.DescribeInstanceTypeFamiliesRequest(region_id="mars-1"))
    documented("DescribeInstanceTypeFamilies", err, "InvalidRegionId.NotFound")


# -- DescribeAvailableResource ---------------------------------------------------------------------------------
def test_available_resource_by_destination(client):
    assert list(available(client, "Zone")) == regions.zone_ids(REGION)
    assert available(client, "Zone", instance_type="ecs.g8y.large") == {
        z: [z] for z in ("cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k")}
    assert set(available(client, "IoOptimized", zone_id="cn-hangzhou-i")["cn-hangzhou-i"]) == {"optimized"}
    assert available(client, "IoOptimized", io_optimized="none") == {}
    by_zone = available(client, "InstanceType")
    assert by_zone == {z: list(types_in_zone(z)) for z in regions.zone_ids(REGION)}
    assert available(client, "InstanceType", cores=32, memory=128, zone_id="cn-hangzhou-h") == {
        "cn-hangzhou-h": ["ecs.g7.8xlarge"]}
    assert available(client, "Network", zone_id="cn-hangzhou-j") == {"cn-hangzhou-j": ["vpc"]}
    assert available(client, "ddh") == {}
    body = client.describe_available_resource(models.DescribeAvailableResourceRequest(
        region_id=REGION, destination_resource="DataDisk", instance_type="ecs.g7.large", zone_id="cn-hangzhou-h",
        data_disk_category="cloud_essd")).body.to_map()
    (disk,) = body["AvailableZones"]["AvailableZone"][0]["AvailableResources"]["AvailableResource"][0][
        "SupportedResources"]["SupportedResource"]
    assert (disk["Value"], disk["Min"], disk["Max"], disk["Unit"]) == ("cloud_essd", 20, 32768, "GiB")
    system = available(client, "SystemDisk", instance_type="ecs.g8y.large")
    assert list(system) == ["cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"] and "cloud_essd" in system[
        "cn-hangzhou-i"]


def test_available_resource_errors(client):
    def call(**kw):
        return client.describe_available_resource(models.DescribeAvailableResourceRequest(**{
            "region_id": REGION, "destination_resource": "InstanceType", **kw}))

    for kw, code in [({"destination_resource": "Moon"}, "Invalid.DestinationResource"),
                     ({"instance_charge_type": "Free"}, "Invalid.InstanceChargeType"),
                     ({"spot_strategy": "Cheap"}, "Invalid.SpotStrategy"),
                     ({"io_optimized": "maybe"}, "Invalid.IoOptimized"),
                     ({"network_category": "mesh"}, "Invalid.NetworkCategory"),
                     ({"resource_type": "car"}, "Invalid.ResourceType"),
                     ({"scope": "Planet"}, "InvalidParameter.Scope"),
                     ({"instance_type": "ecs.g7.large", "cores": 2}, "InvalidParam.TypeAndCpuMem.Conflict"),
                     ({"destination_resource": "Zone", "cores": 2}, "InvalidParam.Cores"),
                     ({"destination_resource": "Zone", "memory": 8.0}, "InvalidParam.Memory"),
                     ({"dedicated_host_id": "dh-bp1none"}, "InvalidDedicatedHostId.NotFound"),
                     ({"region_id": "mars-1"}, "InvalidRegionId.NotFound")]:
        documented("DescribeAvailableResource", new_error(call, **kw), code)
    documented("DescribeAvailableResource", new_error(call, destination_resource=None), "Invalid.Param")


def test_available_resource_old_sdk_and_async(legacy, client):
    req = DescribeAvailableResourceRequest()
    req.set_DestinationResource("InstanceType")
    req.set_ZoneId("cn-hangzhou-h")
    req.set_Cores(2)
    req.set_Memory(8)
    zones = legacy_call(legacy, req)["AvailableZones"]["AvailableZone"]
    values = [r["Value"] for r in zones[0]["AvailableResources"]["AvailableResource"][0]["SupportedResources"][
        "SupportedResource"]]
    assert values == ["ecs.g7.large", "ecs.t6-c1m4.large", "ecs.g6.large", "ecs.g6r.large"]

    async def flow():
        return await client.describe_available_resource_async(models.DescribeAvailableResourceRequest(
            region_id="cn-beijing", destination_resource="Zone", instance_type="ecs.c8y.large"))

    body = asyncio.run(flow()).body.to_map()
    assert [z["ZoneId"] for z in body["AvailableZones"]["AvailableZone"]] == [
        "cn-beijing-i", "cn-beijing-j", "cn-beijing-k", "cn-beijing-l"]


# -- DescribeZones agrees ---------------------------------------------------------------------------------------
def test_describe_zones_agrees_with_the_catalogue(client, legacy):
    zones = client.describe_zones(models.DescribeZonesRequest(region_id=REGION)).body.to_map()["Zones"]["Zone"]
    for zone in zones:
        # (dedicated hosts where the zone sells a host type, with those types and their generations)
        hosts = [t["DedicatedHostType"] for t in ddh.host_types() if ddh.sold_in(t, zone["ZoneId"])]
        assert zone["AvailableResourceCreation"]["ResourceTypes"] == ["VSwitch", "IoOptimized", "Instance", "Disk"] + (
            ["DedicatedHost"] if hosts else [])
        assert zone["AvailableDedicatedHostTypes"]["DedicatedHostType"] == hosts
        assert "ddh.g7" in hosts and "ddh-7" in zone["DedicatedHostGenerations"]["DedicatedHostGeneration"]
        assert zone["AvailableInstanceTypes"]["InstanceTypes"] == list(types_in_zone(zone["ZoneId"]))
        info = zone["AvailableResources"]["ResourcesInfo"][0]
        assert info["InstanceTypes"]["supportedInstanceType"] == list(types_in_zone(zone["ZoneId"]))
        assert set(info["InstanceTypeFamilies"]["supportedInstanceTypeFamily"]) == {
            instance_type(t)["InstanceTypeFamily"] for t in types_in_zone(zone["ZoneId"])}
    first = zones[0]["AvailableInstanceTypes"]["InstanceTypes"]
    assert zones[0]["ZoneId"] == "cn-hangzhou-h" and "ecs.g8y.large" not in first and "ecs.g7.8xlarge" in first
    brief = client.describe_zones(models.DescribeZonesRequest(region_id=REGION, verbose=False)).body.to_map()
    assert brief["Zones"]["Zone"][0]["AvailableInstanceTypes"]["InstanceTypes"] == []
    assert "VSwitch" in brief["Zones"]["Zone"][0]["AvailableResourceCreation"]["ResourceTypes"]
    status, root = xml_call(legacy, DescribeZonesRequest())
    types_xml = root.findall("Zones/Zone/AvailableResourceCreation/ResourceTypes")
    assert status == 200 and [e.text for e in types_xml[:4]] == ["VSwitch", "IoOptimized", "Instance", "Disk"]


# -- launches read the same catalogue ------------------------------------------------------------------------------
def test_launch_places_the_type_where_it_is_sold(client):
    (iid,) = run(client, ARM, instance_type="ecs.g8y.32xlarge")
    assert describe(client, iid)["ZoneId"] == "cn-hangzhou-i"  # cn-hangzhou-h does not sell it
    (iid,) = run(client, LINUX, instance_type="ecs.g7.8xlarge", zone_id="cn-hangzhou-h")
    item = describe(client, iid)
    assert (item["ZoneId"], item["Cpu"], item["Memory"], item["InstanceTypeFamily"]) == (
        "cn-hangzhou-h", 32, 131072, "ecs.g7")
    err = new_error(run, client, ARM, instance_type="ecs.g8y.large", zone_id="cn-hangzhou-h")
    documented("RunInstances", err, "InvalidInstanceType.ZoneNotSupported")
    err = new_error(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id=ARM, instance_type="ecs.r8y.large", zone_id="cn-hangzhou-h"))
    documented("CreateInstance", err, "InvalidInstanceType.ZoneNotSupported")
    err = new_error(run, client, ARM, instance_type="ecs.g8y.large", region_id="me-east-1")
    documented("RunInstances", err, "InvalidInstanceType.ZoneNotSupported")


def test_image_compatibility_uses_the_catalogue(client):
    def supported(image_id):
        body = client.describe_image_support_instance_types(models.DescribeImageSupportInstanceTypesRequest(
            region_id=REGION, image_id=image_id)).body.to_map()
        return {t["InstanceTypeId"] for t in body["InstanceTypes"]["InstanceType"]}

    arm, x86 = supported(ARM), supported(LINUX)
    assert {"ecs.g8y.32xlarge", "ecs.c8y.large", "ecs.r8y.16xlarge"} <= arm and "ecs.g7.8xlarge" not in arm
    assert {"ecs.g7.8xlarge", "ecs.c8i.48xlarge", "ecs.t6-c4m1.large"} <= x86 and not arm & x86
    assert arm | x86 == {t["InstanceTypeId"] for t in instance_types()}
    err = new_error(run, client, ARM, instance_type="ecs.g7.8xlarge")
    documented("RunInstances", err, "ImageNotSupportInstanceType")
    err = new_error(run, client, LINUX, instance_type="ecs.c8y.xlarge")
    documented("RunInstances", err, "ImageNotSupportInstanceType")


def test_describe_zones_documented_errors(client):
    def zones(**kw):
        return client.describe_zones(models.DescribeZonesRequest(region_id=REGION, **kw))

    for kw, code in [({"instance_charge_type": "Free"}, "InvalidInstanceChargeType.NotFound"),
                     ({"spot_strategy": "Cheap"}, "InvalidSpotStrategy"),
                     ({"accept_language": "fr"}, "InvalidAcceptLanguage.NotFound")]:
        documented("DescribeZones", new_error(zones, **kw), code)
    assert zones(instance_charge_type="PrePaid", spot_strategy="NoSpot").body.zones.zone

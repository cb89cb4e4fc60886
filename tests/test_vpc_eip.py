"""The VPC product's API for EIPs and tags (vpc.aliyuncs.com, 2016-04-28) through its current SDK (sync and
async), the old SDK ``aliyunsdkvpc`` (JSON and XML), on the same EIPs as ECS's own EIP operations.

Error codes, statuses and messages: the VPC API's documentation was not reachable, so the EIP operations answer
ECS's documented ones for the same operations (the same service behind both); the tests hold them to ECS's
metadata (tests/spec.py).
"""
from __future__ import annotations

import asyncio
import json
import random
from urllib.parse import urlencode

import alibabacloud_ecs20140526.models as ecs_models
import alibabacloud_vpc20160428.models as vm
import pytest
from aliyunsdkvpc.request.v20160428.AllocateEipAddressRequest import AllocateEipAddressRequest
from aliyunsdkvpc.request.v20160428.AssociateEipAddressRequest import AssociateEipAddressRequest
from aliyunsdkvpc.request.v20160428.DescribeEipAddressesRequest import DescribeEipAddressesRequest
from aliyunsdkvpc.request.v20160428.ListTagResourcesRequest import ListTagResourcesRequest
from aliyunsdkvpc.request.v20160428.ReleaseEipAddressRequest import ReleaseEipAddressRequest
from aliyunsdkvpc.request.v20160428.TagResourcesRequest import TagResourcesRequest
from aliyunsdkvpc.request.v20160428.UnassociateEipAddressRequest import UnassociateEipAddressRequest

from mockecs.modes.clients import vpc_client
from mockecs.modes.mock import MockECS
from mockecs.ops.registry import REGISTRIES
from mockecs.wire.apis import VPC
from mockecs.wire.protocol import HttpRequest
from mockecs.world import resource_groups
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.sdk_shapes import wire_schema
from tests.spec import documented_error
from tests.test_addresses import REGION, allocate, associate, eips, in_vpc, running, stopped_instance
from tests.test_fuzz import assert_parses, flat, fuzz_engine  # noqa: F401  (fuzz_engine: a fixture)
from tests.test_instances import describe, old_error
from tests.test_params_vs_sdk import check

EIP_FIELDS = {"AllocationId", "AllocationTime", "Bandwidth", "BandwidthPackageBandwidth", "BandwidthPackageId",
              "BandwidthPackageType", "BizType", "BusinessStatus", "ChargeType", "DeletionProtection", "Description",
              "EipBandwidth", "ExpiredTime", "HDMonitorStatus", "HasReservationData", "ISP", "InstanceId",
              "InstanceRegionId", "InstanceType", "InternetChargeType", "IpAddress", "Mode", "Name", "Netmode",
              "OperationLocks", "PrivateIpAddress", "PublicIpAddressPoolId", "RegionId", "ReservationActiveTime",
              "ReservationBandwidth", "ReservationInternetChargeType", "ReservationOrderType", "ResourceGroupId",
              "SecondLimited", "SecurityProtectionTypes", "SegmentInstanceId", "ServiceManaged", "Status", "Tags",
              "VpcId", "Zone"}


@pytest.fixture
def vpc(mock):
    return vpc_client()


def v_allocate(vpc, **kw) -> vm.AllocateEipAddressResponseBody:
    return vpc.allocate_eip_address(vm.AllocateEipAddressRequest(region_id=kw.pop("region_id", REGION), **kw)).body


def v_eips(vpc, **kw) -> dict:
    return vpc.describe_eip_addresses(vm.DescribeEipAddressesRequest(region_id=REGION, **kw)).body.to_map()


def v_one(vpc, allocation_id: str) -> dict:
    (item,) = v_eips(vpc, allocation_id=allocation_id)["EipAddresses"]["EipAddress"]
    return item


def v_associate(vpc, allocation_id: str, instance_id: str, **kw) -> None:
    vpc.associate_eip_address(vm.AssociateEipAddressRequest(region_id=REGION, allocation_id=allocation_id,
                                                            instance_id=instance_id, **kw))


def v_unassociate(vpc, allocation_id: str, instance_id: str, **kw) -> None:
    vpc.unassociate_eip_address(vm.UnassociateEipAddressRequest(region_id=REGION, allocation_id=allocation_id,
                                                                instance_id=instance_id, **kw))


def v_release(vpc, allocation_id: str) -> None:
    vpc.release_eip_address(vm.ReleaseEipAddressRequest(region_id=REGION, allocation_id=allocation_id))


def assert_ecs_documented(action: str, err, code: str) -> None:
    """The code, status and message ECS's metadata documents for ``action`` (the VPC API answers the same)."""
    assert err.code == code
    documented = documented_error(action, code)
    if documented is None:
        pytest.skip("the ECS API metadata is not available")
    assert (err.status_code, err.data["Message"]) == documented


# -- the VPC API's own answers ----------------------------------------------------------------------------------
def test_allocate_answers_every_field_the_sdk_declares(vpc, engine):
    body = v_allocate(vpc, bandwidth="10", internet_charge_type="PayByTraffic", name="web", description="front",
                      tag=[vm.AllocateEipAddressRequestTag(key="env", value="test")])
    default_group = resource_groups.default_id(engine.accounts.default_account_id)
    assert body.allocation_id.startswith("eip-bp1") and body.resource_group_id == default_group
    item = v_one(vpc, body.allocation_id)
    assert set(item) == EIP_FIELDS
    assert item["IpAddress"] == body.eip_address and item["Status"] == "Available"
    assert (item["Name"], item["Description"], item["Bandwidth"], item["EipBandwidth"]) == ("web", "front", "10", "10")
    assert (item["InternetChargeType"], item["ChargeType"], item["ISP"], item["Netmode"]) == (
        "PayByTraffic", "PostPaid", "BGP", "public")
    assert item["Tags"] == {"Tag": [{"Key": "env", "Value": "test"}]}
    assert item["ResourceGroupId"] == default_group and item["Mode"] == "NAT" and item["HDMonitorStatus"] == "OFF"
    # the JSON types the SDK declares (also checked for every answer by the autouse fixture)
    assert item["DeletionProtection"] is False and item["ServiceManaged"] == 0 and item["SecondLimited"] is False
    assert item["SecurityProtectionTypes"] == {"SecurityProtectionType": []}


def test_allocate_defaults_and_errors(vpc):
    item = v_one(vpc, v_allocate(vpc).allocation_id)
    assert (item["Bandwidth"], item["InternetChargeType"], item["Name"]) == ("5", "PayByBandwidth", "")
    for kw, code in (({"bandwidth": "501"}, "InvalidBandwidth.Malformed"),
                     ({"internet_charge_type": "PayByHour"}, "InvalidParameter")):
        assert_ecs_documented("AllocateEipAddress", error_of(v_allocate, vpc, **kw), code)
    assert error_of(v_allocate, vpc, name="http://x").code == "InvalidName.Malformed"
    assert error_of(v_allocate, vpc, resource_group_id="rg-nosuchgroup00").code == "InvalidResourceGroup.NotFound"
    assert error_of(v_allocate, vpc, isp="ChinaNowhere").code == "InvalidParameter"
    assert error_of(v_allocate, vpc, ip_address=item["IpAddress"]).code == "IpInUse"  # [GUESS] as ECS's
    assert v_eips(vpc)["TotalCount"] == 1  # nothing half-made
    chosen = v_allocate(vpc, ip_address="47.96.1.2", isp="BGP_PRO")
    assert chosen.eip_address == "47.96.1.2" and v_one(vpc, chosen.allocation_id)["ISP"] == "BGP_PRO"


def test_client_token_and_regions(vpc):
    first = v_allocate(vpc, client_token="tf-token-1", name="once")
    assert v_allocate(vpc, client_token="tf-token-1", name="once").allocation_id == first.allocation_id
    assert v_eips(vpc)["TotalCount"] == 1
    beijing = vpc_client(region_id="cn-beijing")  # (its endpoint: vpc.cn-beijing.aliyuncs.com)
    there = v_allocate(beijing, region_id="cn-beijing")
    assert there.allocation_id.startswith("eip-2ze")
    assert [e["AllocationId"] for e in v_eips(vpc)["EipAddresses"]["EipAddress"]] == [first.allocation_id]
    assert_ecs_documented("ReleaseEipAddress", error_of(v_release, vpc, there.allocation_id),
                          "InvalidAllocationId.NotFound")  # (another region's)


def test_subscription_eip_is_not_released(vpc, client):
    body = v_allocate(vpc, instance_charge_type="PrePaid", period=2, pricing_cycle="Month", auto_pay=True)
    item = v_one(vpc, body.allocation_id)
    assert item["ChargeType"] == "PrePaid" and item["ExpiredTime"].endswith("Z") and item["ExpiredTime"] > \
        item["AllocationTime"][:16]
    assert eips(client)["EipAddresses"]["EipAddress"][0]["ChargeType"] == "PrePaid"
    err = error_of(v_release, vpc, body.allocation_id)  # (the VPC documentation's code and message)
    assert (err.code, err.status_code, err.data["Message"]) == (
        "Forbidden.ChargeTypeIsPrepaid", 400, "It's forbidden to release a prepaid EIP")
    assert v_eips(vpc)["TotalCount"] == 1


def test_deletion_protection(vpc, client):
    allocation_id = v_allocate(vpc).allocation_id

    def protect(enable: bool, type_: str = "EIP") -> None:
        vpc.deletion_protection(vm.DeletionProtectionRequest(region_id=REGION, instance_id=allocation_id,
                                                             protection_enable=enable, type=type_))

    protect(True)
    assert v_one(vpc, allocation_id)["DeletionProtection"] is True
    err = error_of(v_release, vpc, allocation_id)  # (the documented code; both APIs refuse)
    assert (err.code, err.status_code) == ("InvalidOperation.DeletionProtection", 400)
    err = error_of(client.release_eip_address, ecs_models.ReleaseEipAddressRequest(region_id=REGION,
                                                                                   allocation_id=allocation_id))
    assert err.code == "InvalidOperation.DeletionProtection"
    assert error_of(protect, True, "NATGW").code == "InvalidNatGatewayId.NotFound"  # (no gateway of that id)
    assert error_of(protect, True, "CBWP").code == "InvalidAllocationId.NotFound"
    assert error_of(protect, True, "ECS").code == "InvalidParameter"
    protect(False)
    assert v_one(vpc, allocation_id)["DeletionProtection"] is False
    v_release(vpc, allocation_id)
    assert v_eips(vpc)["TotalCount"] == 0


def test_modify_eip_forward_mode(vpc, client):
    allocation_id = v_allocate(vpc).allocation_id

    def mode(value: str, eip: str = allocation_id) -> None:
        vpc.modify_eip_forward_mode(vm.ModifyEipForwardModeRequest(region_id=REGION, instance_id=eip, mode=value))

    mode("BINDED")
    assert v_one(vpc, allocation_id)["Mode"] == "BINDED"
    eni = _secondary_eni(client)
    v_associate(vpc, allocation_id, eni["id"], instance_type="NetworkInterface")
    assert v_one(vpc, allocation_id)["Mode"] == "BINDED"  # (kept: no Mode asked at association)
    mode("NAT")
    assert v_one(vpc, allocation_id)["Mode"] == "NAT"
    assert error_of(mode, "BRIDGE").code == "InvalidParameter"
    assert error_of(mode, "NAT", "eip-bp1nosuchaddress000").code == "InvalidAllocationId.NotFound"


def test_move_resource_group(vpc, engine):
    allocation_id = v_allocate(vpc).allocation_id
    group = resource_groups.add(engine, name="moved")

    def move(resource_type: str = "EIP", group_id: str = group, resource_id: str = allocation_id) -> None:
        vpc.move_resource_group(vm.MoveResourceGroupRequest(
            region_id=REGION, resource_id=resource_id, resource_type=resource_type, new_resource_group_id=group_id))

    move()
    assert v_one(vpc, allocation_id)["ResourceGroupId"] == group
    assert [e["AllocationId"] for e in v_eips(vpc, resource_group_id=group)["EipAddresses"]["EipAddress"]] == [
        allocation_id]
    assert (error_of(move, group_id="rg-nosuchgroup00").code, error_of(move, resource_id="eip-x").code) == (
        "InvalidResourceGroup.NotFound", "InvalidAllocationId.NotFound")
    assert error_of(move, "Bucket").code == "InvalidResourceType.NotFound"
    err = error_of(move, "TrafficMirrorFilter", resource_id="tmf-x")  # (a documented type mockecs keeps none of)
    assert err.code == "InvalidAction.NotImplemented" and "TrafficMirrorFilter" in err.data["Message"]
    assert error_of(move, "HaVip", resource_id="havip-x").code == "InvalidHaVipId.NotFound"  # (tests/test_legacy_...)
    assert error_of(move, "Vpc", resource_id="vpc-x").code == "InvalidVpcId.NotFound"  # (VPCs move: tests/test_vpc_api)


def test_modify_name_description_bandwidth(vpc, client):
    allocation_id = v_allocate(vpc).allocation_id
    vpc.modify_eip_address_attribute(vm.ModifyEipAddressAttributeRequest(
        region_id=REGION, allocation_id=allocation_id, name="n2", description="d2"))
    item = v_one(vpc, allocation_id)
    assert (item["Name"], item["Description"], item["Bandwidth"]) == ("n2", "d2", "5")
    vpc.modify_eip_address_attribute(vm.ModifyEipAddressAttributeRequest(
        region_id=REGION, allocation_id=allocation_id, bandwidth="50"))
    assert (v_one(vpc, allocation_id)["Bandwidth"], v_one(vpc, allocation_id)["Name"]) == ("50", "n2")
    assert eips(client, allocation_id=allocation_id)["EipAddresses"]["EipAddress"][0]["Bandwidth"] == "50"
    err = error_of(vpc.modify_eip_address_attribute, vm.ModifyEipAddressAttributeRequest(
        region_id=REGION, allocation_id="eip-bp1nosuchaddress000", name="x"))
    assert_ecs_documented("ModifyEipAddressAttribute", err, "InvalidAllocationId.NotFound")


def test_region_optional_where_the_sdk_says(vpc):
    """Associate, Unassociate, Release and Modify take RegionId as optional (the SDK's models): the endpoint's
    region then; Allocate and Describe require it."""
    allocation_id = v_allocate(vpc).allocation_id
    vpc.modify_eip_address_attribute(vm.ModifyEipAddressAttributeRequest(allocation_id=allocation_id, name="x"))
    assert v_one(vpc, allocation_id)["Name"] == "x"
    vpc.release_eip_address(vm.ReleaseEipAddressRequest(allocation_id=allocation_id))
    assert v_eips(vpc)["TotalCount"] == 0
    err = error_of(vpc.describe_eip_addresses, vm.DescribeEipAddressesRequest())
    assert (err.code, err.status_code) == ("MissingParameter", 400) and '"RegionId"' in err.data["Message"]


# -- one world with ECS's EIP operations --------------------------------------------------------------------------
def test_vpc_allocates_ecs_sees_and_shows_the_association(vpc, client):
    body = v_allocate(vpc, name="tf")
    seen = eips(client)["EipAddresses"]["EipAddress"]
    assert [e["AllocationId"] for e in seen] == [body.allocation_id]
    assert "Name" not in seen[0] and "Tags" not in seen[0]  # ECS answers its own fields only
    instance_id = running(client)
    v_associate(vpc, body.allocation_id, instance_id, instance_type="EcsInstance")
    shown = describe(client, instance_id)["EipAddress"]
    assert (shown["AllocationId"], shown["IpAddress"], shown["Bandwidth"]) == (body.allocation_id, body.eip_address, 5)
    item = v_one(vpc, body.allocation_id)
    instance = describe(client, instance_id)
    assert (item["Status"], item["InstanceId"], item["InstanceType"]) == ("InUse", instance_id, "EcsInstance")
    assert item["PrivateIpAddress"] == instance["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    assert item["VpcId"] == instance["VpcAttributes"]["VpcId"] and item["InstanceRegionId"] == REGION
    ecs_item = eips(client, allocation_id=body.allocation_id)["EipAddresses"]["EipAddress"][0]
    assert (ecs_item["Status"], ecs_item["InstanceId"]) == ("InUse", instance_id)
    # ECS unassociates and releases what the VPC API made
    client.unassociate_eip_address(ecs_models.UnassociateEipAddressRequest(
        region_id=REGION, allocation_id=body.allocation_id, instance_id=instance_id))
    assert describe(client, instance_id)["EipAddress"]["AllocationId"] == ""
    item = v_one(vpc, body.allocation_id)
    assert (item["Status"], item["InstanceId"], item["PrivateIpAddress"], item["VpcId"]) == ("Available", "", "", "")
    client.release_eip_address(ecs_models.ReleaseEipAddressRequest(region_id=REGION, allocation_id=body.allocation_id))
    assert v_eips(vpc)["TotalCount"] == 0


def test_ecs_allocates_vpc_associates_and_releases(vpc, client):
    body = allocate(client, bandwidth="8")
    item = v_one(vpc, body.allocation_id)
    assert (item["Bandwidth"], item["Name"], item["ISP"]) == ("8", "", "BGP")
    instance_id = stopped_instance(client, bandwidth=0)
    v_associate(vpc, body.allocation_id, instance_id)  # InstanceType defaults to EcsInstance
    assert describe(client, instance_id)["EipAddress"]["IpAddress"] == body.eip_address
    instances = client.describe_instances(ecs_models.DescribeInstancesRequest(
        region_id=REGION, eip_addresses=json.dumps([body.eip_address]))).body.to_map()["Instances"]["Instance"]
    assert [i["InstanceId"] for i in instances] == [instance_id]
    vpc.modify_eip_address_attribute(vm.ModifyEipAddressAttributeRequest(
        region_id=REGION, allocation_id=body.allocation_id, bandwidth="20"))
    assert describe(client, instance_id)["EipAddress"]["Bandwidth"] == 20  # the instance's view follows
    v_unassociate(vpc, body.allocation_id, instance_id)
    assert describe(client, instance_id)["EipAddress"]["AllocationId"] == ""
    v_release(vpc, body.allocation_id)
    assert eips(client)["TotalCount"] == 0


def test_associating_takes_its_time_on_the_mock_clock(vpc, client, engine):
    """With a delay, the VPC API shows Associating / Unassociating until the clock moves (what footmark's and
    Terraform's waits poll for); nothing else is allowed meanwhile."""
    engine.lifecycle.delay("eip", seconds=5)
    allocation_id, instance_id = v_allocate(vpc).allocation_id, running(client)
    v_associate(vpc, allocation_id, instance_id)
    assert (v_one(vpc, allocation_id)["Status"], v_one(vpc, allocation_id)["InstanceId"]) == ("Associating",
                                                                                               instance_id)
    assert_ecs_documented("ReleaseEipAddress", error_of(v_release, vpc, allocation_id), "IncorrectEipStatus")
    engine.clock.advance(5)
    assert v_one(vpc, allocation_id)["Status"] == "InUse"
    v_unassociate(vpc, allocation_id, instance_id)
    assert v_one(vpc, allocation_id)["Status"] == "Unassociating"
    engine.clock.advance(5)
    item = v_one(vpc, allocation_id)
    assert (item["Status"], item["InstanceId"], item["PrivateIpAddress"]) == ("Available", "", "")


def test_deleting_the_instance_leaves_the_eip_available(vpc, client):
    allocation_id = v_allocate(vpc).allocation_id
    instance_id = stopped_instance(client, bandwidth=0)
    v_associate(vpc, allocation_id, instance_id)
    client.delete_instance(ecs_models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    item = v_one(vpc, allocation_id)
    assert (item["Status"], item["InstanceId"], item["PrivateIpAddress"]) == ("Available", "", "")


def _secondary_eni(client) -> dict:
    vswitch = in_vpc(client)["v_switch_id"]
    vpc_id = client.describe_vswitches(ecs_models.DescribeVSwitchesRequest(
        region_id=REGION, v_switch_id=vswitch)).body.v_switches.v_switch[0].vpc_id
    group = client.create_security_group(ecs_models.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc_id)).body.security_group_id
    eni = client.create_network_interface(ecs_models.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_id=group)).body
    return {"id": eni.network_interface_id, "ip": eni.private_ip_address, "vpc": vpc_id}


def _eni(client, eni_id: str) -> dict:
    return client.describe_network_interfaces(ecs_models.DescribeNetworkInterfacesRequest(
        region_id=REGION, network_interface_id=[eni_id])).body.to_map()["NetworkInterfaceSets"][
        "NetworkInterfaceSet"][0]


def test_associate_with_a_secondary_network_interface(vpc, client):
    eni = _secondary_eni(client)
    body = v_allocate(vpc)
    v_associate(vpc, body.allocation_id, eni["id"], instance_type="NetworkInterface", mode="NAT")
    item = v_one(vpc, body.allocation_id)
    assert (item["Status"], item["InstanceType"], item["InstanceId"]) == ("InUse", "NetworkInterface", eni["id"])
    assert (item["PrivateIpAddress"], item["VpcId"], item["Mode"]) == (eni["ip"], eni["vpc"], "NAT")
    assert _eni(client, eni["id"])["AssociatedPublicIp"] == {"PublicIpAddress": body.eip_address,
                                                             "AllocationId": body.allocation_id}
    found = v_eips(vpc, associated_instance_type="NetworkInterface", associated_instance_id=eni["id"])
    assert [e["AllocationId"] for e in found["EipAddresses"]["EipAddress"]] == [body.allocation_id]
    second = v_allocate(vpc).allocation_id
    err = error_of(v_associate, vpc, second, eni["id"], instance_type="NetworkInterface")
    assert_ecs_documented("AssociateEipAddress", err, "InvalidAssociation.Duplicated")
    v_unassociate(vpc, body.allocation_id, eni["id"], instance_type="NetworkInterface")
    assert _eni(client, eni["id"])["AssociatedPublicIp"]["PublicIpAddress"] == ""
    # an ENI deleted while it holds an EIP leaves it Available
    v_associate(vpc, second, eni["id"], instance_type="NetworkInterface")
    client.delete_network_interface(ecs_models.DeleteNetworkInterfaceRequest(region_id=REGION,
                                                                             network_interface_id=eni["id"]))
    assert (v_one(vpc, second)["Status"], v_one(vpc, second)["InstanceId"]) == ("Available", "")


def test_state_with_eips_exports_and_imports(vpc, client, engine):
    """An export holding EIPs (ECS's, the VPC API's, associated) and network interfaces imports again (it was
    refused: an EIP's IpAddress, an ENI's MacAddress were taken for objects, as an instance's PublicIpAddress is)."""
    allocate(client)
    tag = [vm.AllocateEipAddressRequestTag(key="k", value="v")]
    allocation_id = v_allocate(vpc, name="kept", tag=tag).allocation_id
    v_associate(vpc, allocation_id, running(client))
    before = v_eips(vpc)["EipAddresses"]["EipAddress"]
    engine.import_state(engine.export_state())
    assert v_eips(vpc)["EipAddresses"]["EipAddress"] == before
    broken = engine.export_state()
    broken["store"]["eip"][allocation_id]["record"]["IpAddress"] = {"x": 1}
    with pytest.raises(ValueError, match="IpAddress must be a string"):
        engine.import_state(broken)


# -- errors -------------------------------------------------------------------------------------------------------
def test_not_found_associate_twice_release_while_associated(vpc, client):
    missing = "eip-bp1nosuchaddress000"
    assert_ecs_documented("AssociateEipAddress", error_of(v_associate, vpc, missing, "i-x"),
                          "InvalidAllocationId.NotFound")
    assert_ecs_documented("ReleaseEipAddress", error_of(v_release, vpc, missing), "InvalidAllocationId.NotFound")
    assert_ecs_documented("UnassociateEipAddress", error_of(v_unassociate, vpc, missing, "i-x"),
                          "InvalidAllocationId.NotFound")
    first, second = v_allocate(vpc).allocation_id, v_allocate(vpc).allocation_id
    assert_ecs_documented("AssociateEipAddress", error_of(v_associate, vpc, first, "i-bp1nosuchinstance0000"),
                          "InvalidInstanId.NotFound")
    instance_id, other = running(client), running(client)
    v_associate(vpc, first, instance_id)
    # the same instance again (through either API), and the same EIP to another instance
    assert_ecs_documented("AssociateEipAddress", error_of(v_associate, vpc, second, instance_id),
                          "InvalidAssociation.Duplicated")
    assert_ecs_documented("AssociateEipAddress", error_of(associate, client, second, instance_id),
                          "InvalidAssociation.Duplicated")
    assert_ecs_documented("AssociateEipAddress", error_of(v_associate, vpc, first, other), "IncorrectEipStatus")
    assert_ecs_documented("ReleaseEipAddress", error_of(v_release, vpc, first), "IncorrectEipStatus")
    assert_ecs_documented("UnassociateEipAddress", error_of(v_unassociate, vpc, first, other),
                          "InvalidInstanceId.NotFound")
    assert v_one(vpc, first)["Status"] == "InUse" and v_one(vpc, second)["Status"] == "Available"
    err = error_of(v_associate, vpc, second, other, instance_type="Nat")
    assert_ecs_documented("AssociateEipAddress", err, "InvalidInstanId.NotFound")
    err = error_of(vpc.describe_eip_addresses, vm.DescribeEipAddressesRequest(region_id=REGION, dry_run=True))
    assert (err.code, err.status_code) == ("DryRunOperation", 400)


# -- DescribeEipAddresses filters (those Terraform and footmark use) ----------------------------------------------
def test_describe_filters(vpc, client, engine):
    group = resource_groups.add(engine, name="web")
    a = v_allocate(vpc, name="a", tag=[vm.AllocateEipAddressRequestTag(key="team", value="red")])
    engine.clock.advance(1)
    b = v_allocate(vpc, name="b", resource_group_id=group)
    engine.clock.advance(1)
    c = v_allocate(vpc, name="c", tag=[vm.AllocateEipAddressRequestTag(key="team", value="blue")])
    instance_id = running(client)
    v_associate(vpc, b.allocation_id, instance_id)

    def ids(**kw) -> list[str]:
        body = v_eips(vpc, **kw)
        assert body["TotalCount"] == len(body["EipAddresses"]["EipAddress"])
        return [e["AllocationId"] for e in body["EipAddresses"]["EipAddress"]]

    assert ids() == [c.allocation_id, b.allocation_id, a.allocation_id]  # newest first
    assert ids(allocation_id=f"{a.allocation_id},{c.allocation_id}") == [c.allocation_id, a.allocation_id]
    assert ids(eip_address=b.eip_address) == [b.allocation_id]
    assert ids(status="InUse") == [b.allocation_id]
    assert ids(associated_instance_type="EcsInstance", associated_instance_id=instance_id) == [b.allocation_id]
    assert ids(resource_group_id=group) == [b.allocation_id]
    assert ids(eip_name="c") == [c.allocation_id]
    assert ids(tag=[vm.DescribeEipAddressesRequestTag(key="team")]) == [c.allocation_id, a.allocation_id]
    assert ids(tag=[vm.DescribeEipAddressesRequestTag(key="team", value="red")]) == [a.allocation_id]
    assert ids(isp="BGP_PRO") == [] and ids(service_managed=True) == [] and len(ids(service_managed=False)) == 3
    assert ids(allocation_id="eip-bp1nosuchaddress000") == []  # (Terraform: no EIP answered = gone)
    assert v_eips(vpc, page_size=2, page_number=2)["EipAddresses"]["EipAddress"][0]["AllocationId"] == \
        a.allocation_id
    err = error_of(v_eips, vpc, associated_instance_id=instance_id)
    assert_ecs_documented("DescribeEipAddresses", err, "InstanceType.Invalid")


# -- tags ---------------------------------------------------------------------------------------------------------
def _tag(vpc, resource_type: str, ids: list[str], **tags: str) -> None:
    vpc.tag_resources(vm.TagResourcesRequest(region_id=REGION, resource_type=resource_type, resource_id=ids, tag=[
        vm.TagResourcesRequestTag(key=k, value=v) for k, v in tags.items()]))


def _listed(vpc, resource_type: str, **kw) -> list[tuple[str, str, str, str]]:
    body = vpc.list_tag_resources(vm.ListTagResourcesRequest(region_id=REGION, resource_type=resource_type,
                                                             **kw)).body.to_map()
    rows = body["TagResources"]["TagResource"]
    return [(r["ResourceId"], r["ResourceType"], r["TagKey"], r["TagValue"]) for r in rows]


def test_tags_of_eips_vpcs_and_vswitches(vpc, client):
    allocation_id = v_allocate(vpc).allocation_id
    vswitch_id = in_vpc(client)["v_switch_id"]
    vpc_id = client.describe_vswitches(ecs_models.DescribeVSwitchesRequest(
        region_id=REGION, v_switch_id=vswitch_id)).body.v_switches.v_switch[0].vpc_id
    _tag(vpc, "EIP", [allocation_id], env="prod", owner="me")
    _tag(vpc, "vpc", [vpc_id], env="prod")  # (the type is case-insensitive)
    _tag(vpc, "VSwitch", [vswitch_id], env="dev")
    assert _listed(vpc, "EIP", resource_id=[allocation_id]) == [
        (allocation_id, "EIP", "env", "prod"), (allocation_id, "EIP", "owner", "me")]
    assert _listed(vpc, "VPC", tag=[vm.ListTagResourcesRequestTag(key="env", value="prod")]) == [
        (vpc_id, "VPC", "env", "prod")]
    assert _listed(vpc, "VSWITCH", tag=[vm.ListTagResourcesRequestTag(key="env")]) == [
        (vswitch_id, "VSWITCH", "env", "dev")]
    assert v_one(vpc, allocation_id)["Tags"]["Tag"] == [{"Key": "env", "Value": "prod"},
                                                        {"Key": "owner", "Value": "me"}]
    # ECS's answers for these resources carry no tags (its models have none; the autouse fixture checks them), and
    # ECS's tag listings hold ECS's own types only
    assert "Tags" not in client.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION)).body.to_map()[
        "Vpcs"]["Vpc"][0]
    assert client.describe_tags(ecs_models.DescribeTagsRequest(region_id=REGION)).body.tags.tag == []
    vpc.un_tag_resources(vm.UnTagResourcesRequest(region_id=REGION, resource_type="EIP", resource_id=[allocation_id],
                                                  tag_key=["owner"]))
    assert _listed(vpc, "EIP", resource_id=[allocation_id]) == [(allocation_id, "EIP", "env", "prod")]
    vpc.un_tag_resources(vm.UnTagResourcesRequest(region_id=REGION, resource_type="VPC", resource_id=[vpc_id],
                                                  all=True))
    assert _listed(vpc, "VPC", resource_id=[vpc_id]) == []
    assert _listed(vpc, "ROUTETABLE", tag=[vm.ListTagResourcesRequestTag(key="env")]) == []


def test_tag_errors(vpc):
    allocation_id = v_allocate(vpc).allocation_id
    err = error_of(_tag, vpc, "EIP", ["eip-bp1nosuchaddress000"], env="x")
    assert (err.code, err.status_code) == ("InvalidResourceId.NotFound", 404)
    err = error_of(_tag, vpc, "BUCKET", [allocation_id], env="x")
    assert (err.code, err.status_code) == ("InvalidResourceType.NotFound", 404)
    err = error_of(_tag, vpc, "EIP", [allocation_id], **{"acs:x": "y"})
    assert (err.code, err.status_code) == ("InvalidTagKey.Malformed", 400)
    err = error_of(_listed, vpc, "EIP")
    assert (err.code, err.status_code) == ("BothEmpty.TagsAndResources", 403)
    assert v_one(vpc, allocation_id)["Tags"] == {"Tag": []}


def test_list_tag_resources_pages_with_max_results(vpc):
    made = sorted(v_allocate(vpc).allocation_id for _ in range(5))
    _tag(vpc, "EIP", made, env="x")
    rows, token = [], None
    while True:
        body = vpc.list_tag_resources(vm.ListTagResourcesRequest(
            region_id=REGION, resource_type="EIP", tag=[vm.ListTagResourcesRequestTag(key="env", value="x")],
            max_results=2, next_token=token)).body
        rows += [r.resource_id for r in body.tag_resources.tag_resource]
        token = body.next_token
        if not token:
            break
    assert rows == made


# -- other clients ------------------------------------------------------------------------------------------------
def test_async_client(vpc):
    async def flow() -> tuple[str, dict]:
        body = (await vpc.allocate_eip_address_async(vm.AllocateEipAddressRequest(region_id=REGION, name="a"))).body
        found = await vpc.describe_eip_addresses_async(vm.DescribeEipAddressesRequest(
            region_id=REGION, allocation_id=body.allocation_id))
        await vpc.release_eip_address_async(vm.ReleaseEipAddressRequest(region_id=REGION,
                                                                        allocation_id=body.allocation_id))
        return body.allocation_id, found.body.to_map()

    allocation_id, found = asyncio.run(flow())
    assert found["EipAddresses"]["EipAddress"][0]["AllocationId"] == allocation_id
    assert found["EipAddresses"]["EipAddress"][0]["Name"] == "a"
    assert v_eips(vpc)["TotalCount"] == 0


def test_old_sdk_aliyunsdkvpc(legacy, client):
    request = AllocateEipAddressRequest()
    request.set_Bandwidth("3")
    request.set_Name("legacy")
    body = legacy_call(legacy, request)
    allocation_id = body["AllocationId"]
    instance_id = running(client)
    request = AssociateEipAddressRequest()
    request.set_AllocationId(allocation_id)
    request.set_InstanceId(instance_id)
    legacy_call(legacy, request)
    assert describe(client, instance_id)["EipAddress"]["AllocationId"] == allocation_id
    request = DescribeEipAddressesRequest()
    request.set_AllocationId(allocation_id)
    (item,) = legacy_call(legacy, request)["EipAddresses"]["EipAddress"]
    assert (item["Name"], item["Status"], item["Bandwidth"]) == ("legacy", "InUse", "3")
    request = ReleaseEipAddressRequest()
    request.set_AllocationId(allocation_id)
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("IncorrectEipStatus", 400)
    request = UnassociateEipAddressRequest()
    request.set_AllocationId(allocation_id)
    request.set_InstanceId(instance_id)
    legacy_call(legacy, request)
    request = TagResourcesRequest()
    request.set_ResourceType("EIP")
    request.set_ResourceIds([allocation_id])
    request.set_Tags([{"Key": "k", "Value": "v"}])
    legacy_call(legacy, request)
    request = ListTagResourcesRequest()
    request.set_ResourceType("EIP")
    request.set_ResourceIds([allocation_id])
    assert legacy_call(legacy, request)["TagResources"]["TagResource"] == [
        {"ResourceId": allocation_id, "ResourceType": "EIP", "TagKey": "k", "TagValue": "v"}]
    request = ReleaseEipAddressRequest()
    request.set_AllocationId(allocation_id)
    legacy_call(legacy, request)


def test_xml_answer_through_the_old_sdk(legacy, vpc):
    v_allocate(vpc, name="x", tag=[vm.AllocateEipAddressRequestTag(key="env", value="a")])
    root = legacy_xml(legacy, DescribeEipAddressesRequest())
    assert root.tag == "DescribeEipAddressesResponse" and root.findtext("TotalCount") == "1"
    eip = root.find("EipAddresses/EipAddress")
    assert eip.findtext("Name") == "x" and eip.findtext("DeletionProtection") == "false"
    assert eip.findtext("Tags/Tag/Key") == "env" and eip.findtext("Tags/Tag/Value") == "a"
    err_root = legacy_xml(legacy, _release_request("eip-bp1nosuchaddress000"))
    assert err_root.findtext("Code") == "InvalidAllocationId.NotFound"
    assert "product=Vpc" in err_root.findtext("Recommend")


def _release_request(allocation_id: str) -> ReleaseEipAddressRequest:
    request = ReleaseEipAddressRequest()
    request.set_AllocationId(allocation_id)
    return request


# -- declarations -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", sorted(REGISTRIES[VPC.version]))
def test_declared_parameters_exist_in_the_vpc_sdk_model(action):
    model = getattr(vm, f"{action}Request", None)
    assert model is not None, f"the VPC SDK has no {action}Request"
    op = REGISTRIES[VPC.version][action]
    schema = wire_schema(model)
    if op.region == "optional":
        schema.setdefault("RegionId", None)
    assert check(op.params, schema, "") == []


@pytest.mark.parametrize("action", sorted(REGISTRIES[VPC.version]))
def test_no_input_answers_500(fuzz_engine, action):  # noqa: F811
    """The VPC API's operations, fuzzed as ECS's are (tests/test_fuzz.py), on vpc.aliyuncs.com."""
    engine, known = fuzz_engine
    # (one engine for every action: the fuzzed AllocateEipAddress calls would use up the quota for those after it)
    engine.config.options["eip_quota"] = 10_000
    with MockECS(engine):
        eip = v_allocate(vpc_client(), tag=[vm.AllocateEipAddressRequestTag(key="env", value="fuzz")])
    known = {**known, "AllocationId": [eip.allocation_id, "eip-nothere"], "ResourceId": [eip.allocation_id],
             "ResourceType": ["EIP", "eip", "VPC", "VSWITCH", "ROUTETABLE"], "EipAddress": [eip.eip_address],
             "InstanceType": ["EcsInstance", "NetworkInterface", "Nat"]}
    fuzz_vpc_action(engine, action, known, f"mockecs-fuzz-vpc-{action}")


def fuzz_vpc_action(engine, action: str, known: dict, seed: str) -> None:
    """80 requests of random parameters (tests/test_fuzz.py's, ``known`` values for some) to vpc.aliyuncs.com:
    no 500, every answer a document with a RequestId."""
    rng = random.Random(seed)
    for _ in range(80):
        params = {"Action": action, "Version": VPC.version, "Format": rng.choice(["JSON", "XML"]),
                  **flat(rng, REGISTRIES[VPC.version][action].params, known)}
        resp = engine.handle(HttpRequest("POST", "https://vpc.aliyuncs.com/",
                                         {"content-type": "application/x-www-form-urlencoded"},
                                         urlencode(params).encode()))
        assert resp.status < 500, (action, params, resp.body[:300])
        assert_parses(resp, params)

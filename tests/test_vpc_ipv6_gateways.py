"""IPv6 gateways of the VPC product's API (2016-04-28) and what hangs off them, through its current SDK (sync and
async), its old SDK (``aliyunsdkvpc``) and in XML: one gateway per VPC with IPv6, the addresses ENIs and instances
hold (DescribeIpv6Addresses), Internet bandwidth for an address, egress-only rules, a gateway that cannot go while
they hang off it, tags and groups, and the refusals."""
from __future__ import annotations

import asyncio
import ipaddress

import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkvpc.request.v20160428 import DescribeIpv6GatewayAttributeRequest, DescribeIpv6GatewaysRequest

from mockecs.modes.clients import vpc_client
from mockecs.world import ipv6_gateways, resource_groups
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, run
from tests.test_ipv6 import ipv6_network
from tests.test_network_interfaces import create as create_eni
from tests.test_vpc_api import REGION, assert_error, make_vpc


@pytest.fixture
def vpc(mock):
    return vpc_client()


def vpc_of(vpc, vswitch: str) -> str:
    return vpc.describe_vswitch_attributes(vm.DescribeVSwitchAttributesRequest(
        region_id=REGION, v_switch_id=vswitch)).body.vpc_id


def make_gateway(vpc, vpc_id: str, **kw) -> str:
    return vpc.create_ipv_6gateway(vm.CreateIpv6GatewayRequest(region_id=REGION, vpc_id=vpc_id, **kw)
                                   ).body.ipv_6gateway_id


def gateway(vpc, gateway_id: str) -> dict:
    return vpc.describe_ipv_6gateway_attribute(vm.DescribeIpv6GatewayAttributeRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id)).body.to_map()


def addresses(vpc, **kw) -> dict:
    return vpc.describe_ipv_6addresses(vm.DescribeIpv6AddressesRequest(region_id=REGION, **kw)).body.to_map()


def delete_gateway(vpc, gateway_id: str) -> None:
    vpc.delete_ipv_6gateway(vm.DeleteIpv6GatewayRequest(region_id=REGION, ipv_6gateway_id=gateway_id))


def test_gateway_addresses_bandwidth_rules(client, vpc, engine):
    vswitch, group, block = ipv6_network(client, vpc)
    vpc_id = vpc_of(vpc, vswitch)
    engine.lifecycle.delay("ipv6_gateway", observations=1)
    made = vpc.create_ipv_6gateway(vm.CreateIpv6GatewayRequest(
        region_id=REGION, vpc_id=vpc_id, name="gw6", description="the v6 way out",
        tag=[vm.CreateIpv6GatewayRequestTag(key="env", value="test")])).body
    gateway_id = made.ipv_6gateway_id
    assert gateway_id.startswith("ipv6gw-bp1") and made.resource_group_id == resource_groups.default_id(
        DEFAULT_ACCOUNT)
    view = gateway(vpc, gateway_id)
    assert {k: view[k] for k in ("Ipv6GatewayId", "VpcId", "Name", "Description", "Status", "BusinessStatus",
                                 "InstanceChargeType", "RegionId", "OwnerId", "Tags", "GatewayRouteTableId")} == {
        "Ipv6GatewayId": gateway_id, "VpcId": vpc_id, "Name": "gw6", "Description": "the v6 way out",
        "Status": "Available", "BusinessStatus": "Normal", "InstanceChargeType": "PostPaid", "RegionId": REGION,
        "OwnerId": int(DEFAULT_ACCOUNT), "Tags": {"Tag": [{"Key": "env", "Value": "test"}]}, "GatewayRouteTableId": ""}
    err = error_of(make_gateway, vpc, vpc_id)
    assert_error(err, "OperationFailed.Ipv6GatewayExist", 400, "The VPC already has an IPv6 gateway.")
    listed = vpc.describe_ipv_6gateways(vm.DescribeIpv6GatewaysRequest(region_id=REGION, vpc_id=vpc_id)).body
    assert listed.total_count == 1 and listed.ipv_6gateways.ipv_6gateway[0].name == "gw6"
    vpc.modify_ipv_6gateway_attribute(vm.ModifyIpv6GatewayAttributeRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id, name="gw6-b"))
    assert gateway(vpc, gateway_id)["Name"] == "gw6-b"

    # an ENI's IPv6 address: listed with the gateway, private until it gets Internet bandwidth
    eni = create_eni(client, vswitch, group, ipv_6address_count=1).network_interface_id
    [row] = addresses(vpc, vpc_id=vpc_id)["Ipv6Addresses"]["Ipv6Address"]
    address_id, address = row["Ipv6AddressId"], row["Ipv6Address"]
    assert address_id.startswith("ipv6-bp1") and ipv6_gateways.address_of(address_id) == address
    assert {k: row[k] for k in ("VSwitchId", "VpcId", "Ipv6GatewayId", "AssociatedInstanceId",
                                "AssociatedInstanceType", "NetworkType", "Status", "AddressType")} == {
        "VSwitchId": vswitch, "VpcId": vpc_id, "Ipv6GatewayId": gateway_id, "AssociatedInstanceId": eni,
        "AssociatedInstanceType": "NetworkInterface", "NetworkType": "Private", "Status": "Available",
        "AddressType": "IPv6Address"}
    assert ipaddress.IPv6Address(address) in block
    allocated = vpc.allocate_ipv_6internet_bandwidth(vm.AllocateIpv6InternetBandwidthRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id, ipv_6address_id=address_id, bandwidth=10,
        internet_charge_type="PayByTraffic")).body
    bandwidth_id = allocated.internet_bandwidth_id
    assert bandwidth_id.startswith("ipv6bw-") and allocated.ipv_6address_id == address_id
    [row] = addresses(vpc, ipv_6internet_bandwidth_id=bandwidth_id)["Ipv6Addresses"]["Ipv6Address"]
    assert (row["NetworkType"], row["RealBandwidth"], row["Ipv6InternetBandwidth"]["Bandwidth"],
            row["Ipv6InternetBandwidth"]["InternetChargeType"], row["Ipv6InternetBandwidth"]["BusinessStatus"]) == (
        "Public", 10, 10, "PayByTraffic", "Normal")
    err = error_of(vpc.allocate_ipv_6internet_bandwidth, vm.AllocateIpv6InternetBandwidthRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id, ipv_6address_id=address_id, bandwidth=5))
    assert_error(err, "OperationFailed.Ipv6InternetBandwidthExist", 400,
                 "The IPv6 address already has Internet bandwidth.")
    vpc.modify_ipv_6internet_bandwidth(vm.ModifyIpv6InternetBandwidthRequest(
        region_id=REGION, ipv_6internet_bandwidth_id=bandwidth_id, bandwidth=20))
    assert addresses(vpc, ipv_6address_id=address_id)["Ipv6Addresses"]["Ipv6Address"][0]["RealBandwidth"] == 20
    assert addresses(vpc, network_type="Private")["TotalCount"] == 0
    assert addresses(vpc, ipv_6address=address, ipv_6address_id="ipv6-bp1nosuch")["TotalCount"] == 0

    # an egress-only rule for the address
    rule_id = vpc.create_ipv_6egress_only_rule(vm.CreateIpv6EgressOnlyRuleRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id, instance_id=address_id, name="out-only")).body.ipv_6egress_rule_id
    assert rule_id.startswith("ipv6py-")
    rules = vpc.describe_ipv_6egress_only_rules(vm.DescribeIpv6EgressOnlyRulesRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id)).body.to_map()
    assert rules["TotalCount"] == 1 and rules["Ipv6EgressOnlyRules"]["Ipv6EgressOnlyRule"] == [
        {"Ipv6EgressOnlyRuleId": rule_id, "InstanceId": address_id, "InstanceType": "Ipv6Address", "Name": "out-only",
         "Description": "", "Status": "Available"}]

    # the gateway cannot go while they hang off it
    err = error_of(delete_gateway, vpc, gateway_id)
    assert_error(err, "DependencyViolation.Ipv6InternetBandwidth", 400,
                 "The IPv6 gateway has Internet bandwidth of IPv6 addresses.")
    vpc.delete_ipv_6internet_bandwidth(vm.DeleteIpv6InternetBandwidthRequest(
        region_id=REGION, ipv_6address_id=address_id))
    err = error_of(delete_gateway, vpc, gateway_id)
    assert_error(err, "DependencyViolation.Ipv6EgressOnlyRule", 400, "The IPv6 gateway has egress-only rules.")
    vpc.delete_ipv_6egress_only_rule(vm.DeleteIpv6EgressOnlyRuleRequest(region_id=REGION,
                                                                        ipv_6egress_only_rule_id=rule_id))
    delete_gateway(vpc, gateway_id)
    err = error_of(gateway, vpc, gateway_id)
    assert_error(err, "InvalidIpv6Gateway.NotFound", 404, "Specified Ipv6Gateway does not exist.")


def test_refusals_tags_groups(vpc, engine):
    plain = make_vpc(vpc)
    err = error_of(make_gateway, vpc, plain)
    assert_error(err, "OperationFailed.VpcNotEnabledIpv6", 400, "The VPC has not enabled IPv6.")
    err = error_of(make_gateway, vpc, "vpc-bp1nosuch00000000000")
    assert (err.code, err.status_code) == ("InvalidVpcId.NotFound", 404)
    v6 = make_vpc(vpc, cidr_block="10.0.0.0/16", enable_ipv_6=True)
    engine.lifecycle.delay("ipv6_gateway", observations=2)
    gateway_id = make_gateway(vpc, v6)
    err = error_of(vpc.modify_vpc_attribute, vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=v6,
                                                                          enable_ipv_6=False))
    assert err.code == "DependencyViolation.Ipv6Gateway"
    err = error_of(delete_gateway, vpc, gateway_id)  # (still Creating: the refused call's read is rolled back)
    assert_error(err, "IncorrectStatus", 400, "The status of the IPv6 gateway does not support this operation.")
    assert [gateway(vpc, gateway_id)["Status"] for _ in range(2)] == ["Creating", "Available"]
    err = error_of(vpc.allocate_ipv_6internet_bandwidth, vm.AllocateIpv6InternetBandwidthRequest(
        region_id=REGION, ipv_6gateway_id=gateway_id, ipv_6address_id="ipv6-bp1nosuch", bandwidth=5))
    assert_error(err, "InvalidIpv6AddressId.NotFound", 404, "The specified Ipv6AddressId does not exist.")

    vpc.tag_resources(vm.TagResourcesRequest(region_id=REGION, resource_type="IPV6GATEWAY", resource_id=[gateway_id],
                                             tag=[vm.TagResourcesRequestTag(key="team", value="net")]))
    tagged = vpc.describe_ipv_6gateways(vm.DescribeIpv6GatewaysRequest(
        region_id=REGION, tags=[vm.DescribeIpv6GatewaysRequestTags(key="team", value="net")])).body.to_map()
    assert [g["Ipv6GatewayId"] for g in tagged["Ipv6Gateways"]["Ipv6Gateway"]] == [gateway_id]
    group = resource_groups.add(engine, name="v6")
    vpc.move_resource_group(vm.MoveResourceGroupRequest(region_id=REGION, resource_id=gateway_id,
                                                        resource_type="IPV6GATEWAY", new_resource_group_id=group))
    assert gateway(vpc, gateway_id)["ResourceGroupId"] == group
    # DeleteVpc refuses while the gateway is there; with ForceDelete it takes the gateway along
    err = error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=v6))
    assert_error(err, "DependencyViolation.Ipv6Gateway", 400, "Specified object has dependent resources Ipv6Gateway.")
    vpc.delete_vpc(vm.DeleteVpcRequest(region_id=REGION, vpc_id=v6, force_delete=True))
    assert error_of(gateway, vpc, gateway_id).code == "InvalidIpv6Gateway.NotFound"


def test_instance_addresses_async_old_sdk_and_xml(client, vpc, legacy):
    vswitch, group, _ = ipv6_network(client, vpc, bits=3)
    vpc_id = vpc_of(vpc, vswitch)
    [instance] = run(client, LINUX, v_switch_id=vswitch, security_group_id=group, ipv_6address_count=2)

    async def flow() -> tuple[str, dict]:
        other = vpc_client()
        made = await other.create_ipv_6gateway_async(vm.CreateIpv6GatewayRequest(region_id=REGION, vpc_id=vpc_id))
        rows = await other.describe_ipv_6addresses_async(vm.DescribeIpv6AddressesRequest(
            region_id=REGION, associated_instance_id=instance))
        return made.body.ipv_6gateway_id, rows.body.to_map()

    gateway_id, rows = asyncio.run(flow())
    assert rows["TotalCount"] == 2 and {(r["AssociatedInstanceType"], r["Ipv6GatewayId"], r["VSwitchId"]) for r in
                                        rows["Ipv6Addresses"]["Ipv6Address"]} == {("EcsInstance", gateway_id, vswitch)}
    assert addresses(vpc, v_switch_id=vswitch, page_size=1)["TotalCount"] == 2

    req = DescribeIpv6GatewaysRequest.DescribeIpv6GatewaysRequest()
    req.set_VpcId(vpc_id)
    [item] = legacy_call(legacy, req)["Ipv6Gateways"]["Ipv6Gateway"]
    assert item["Ipv6GatewayId"] == gateway_id
    req = DescribeIpv6GatewayAttributeRequest.DescribeIpv6GatewayAttributeRequest()
    req.set_Ipv6GatewayId(gateway_id)
    root = legacy_xml(legacy, req)
    assert root.tag == "DescribeIpv6GatewayAttributeResponse" and root.findtext("VpcId") == vpc_id
    assert root.findtext("Status") == "Available"

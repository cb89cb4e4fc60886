"""VPCs and vSwitches on the VPC product's API (2016-04-28), through its current SDK (sync and async), its old SDK
(``aliyunsdkvpc``) and in XML; on the same records as ECS's own CreateVpc/CreateVSwitch (each API sees, changes
and deletes what the other made); the documented errors, with their codes, statuses and words."""
from __future__ import annotations

import asyncio
import ipaddress
import json

import alibabacloud_ecs20140526.models as ecs_models
import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkvpc.request.v20160428 import (
    CreateVpcRequest,
    CreateVSwitchRequest,
    DeleteVpcRequest,
    DeleteVSwitchRequest,
    DescribeRouteTableListRequest,
    DescribeVpcAttributeRequest,
    DescribeVpcsRequest,
    DescribeVRoutersRequest,
    DescribeVSwitchAttributesRequest,
    DescribeVSwitchesRequest,
    ModifyVpcAttributeRequest,
    ModifyVSwitchAttributeRequest,
)

from mockecs.engine.core import Config, Engine
from mockecs.modes.clients import server_client, vpc_client
from mockecs.modes.mock import MockECS
from mockecs.modes.server import ServerThread
from mockecs.world import resource_groups, resources
from tests.networks_helpers import new_vpc, new_vswitch, put_security_group
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, legacy_xml, new_client
from tests.test_instances import LINUX

REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-i"


@pytest.fixture
def vpc(mock):
    return vpc_client()


def make_vpc(vpc, cidr_block: str = "192.168.0.0/16", **kw) -> str:
    return vpc.create_vpc(vm.CreateVpcRequest(region_id=REGION, cidr_block=cidr_block, **kw)).body.vpc_id


def make_vswitch(vpc, vpc_id: str, cidr_block: str = "192.168.1.0/24", zone_id: str = ZONE, **kw) -> str:
    return vpc.create_vswitch(vm.CreateVSwitchRequest(region_id=REGION, vpc_id=vpc_id, cidr_block=cidr_block,
                                                      zone_id=zone_id, **kw)).body.v_switch_id


def attribute(vpc, vpc_id: str) -> dict:
    return vpc.describe_vpc_attribute(vm.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id)).body.to_map()


def vswitch_attributes(vpc, vswitch_id: str) -> dict:
    return vpc.describe_vswitch_attributes(vm.DescribeVSwitchAttributesRequest(
        region_id=REGION, v_switch_id=vswitch_id)).body.to_map()


def assert_error(err, code: str, status: int, message: str) -> None:
    assert (err.code, err.status_code, err.data["Message"]) == (code, status, message), err.data
    assert err.data["Recommend"].endswith(f"&product=Vpc&requestId={err.data['RequestId']}")


# -- the whole life of a network, current SDK ---------------------------------------------------------------
def test_vpc_and_vswitch_create_read_update_delete(vpc, engine):
    created = vpc.create_vpc(vm.CreateVpcRequest(region_id=REGION, cidr_block="192.168.0.0/16", vpc_name="web",
                                                 description="the web tier", user_cidr="10.8.0.0/16")).body
    vpc_id = created.vpc_id
    assert vpc_id.startswith("vpc-bp1") and created.vrouter_id.startswith("vrt-")
    assert created.route_table_id.startswith("vtb-")
    assert created.resource_group_id == resource_groups.default_id(DEFAULT_ACCOUNT)

    view = attribute(vpc, vpc_id)
    assert {k: view[k] for k in ("VpcId", "VpcName", "Description", "CidrBlock", "Status", "IsDefault", "RegionId",
                                 "VRouterId", "OwnerId", "EnabledIpv6", "Ipv6CidrBlock", "DnsHostnameStatus",
                                 "ClassicLinkEnabled")} == {
        "VpcId": vpc_id, "VpcName": "web", "Description": "the web tier", "CidrBlock": "192.168.0.0/16",
        "Status": "Available", "IsDefault": False, "RegionId": REGION, "VRouterId": created.vrouter_id,
        "OwnerId": int(DEFAULT_ACCOUNT), "EnabledIpv6": False, "Ipv6CidrBlock": "", "DnsHostnameStatus": "DISABLED",
        "ClassicLinkEnabled": False}
    assert isinstance(view["OwnerId"], int) and view["UserCidrs"] == {"UserCidr": ["10.8.0.0/16"]}
    assert view["VSwitchIds"] == {"VSwitchId": []} and view["Tags"] == {"Tag": []}
    assert view["ResourceGroupId"] == created.resource_group_id

    vsw = make_vswitch(vpc, vpc_id, v_switch_name="web-a", description="zone i")
    listed = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, vpc_name="web")).body.to_map()
    assert listed["TotalCount"] == 1 and listed["PageSize"] == 10
    [item] = listed["Vpcs"]["Vpc"]
    assert item["VSwitchIds"] == {"VSwitchId": [vsw]}
    assert item["RouterTableIds"] == {"RouterTableIds": [created.route_table_id]}
    assert item["NatGatewayIds"] == {"NatGatewayIds": []} and item["OwnerId"] == int(DEFAULT_ACCOUNT)
    assert vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, vpc_name="other")).body.total_count == 0

    sw = vswitch_attributes(vpc, vsw)
    assert {k: sw[k] for k in ("VSwitchId", "VpcId", "ZoneId", "CidrBlock", "VSwitchName", "Description", "Status",
                               "IsDefault", "AvailableIpAddressCount", "EnabledIpv6", "Ipv6CidrBlock")} == {
        "VSwitchId": vsw, "VpcId": vpc_id, "ZoneId": ZONE, "CidrBlock": "192.168.1.0/24", "VSwitchName": "web-a",
        "Description": "zone i", "Status": "Available", "IsDefault": False, "AvailableIpAddressCount": 252,
        "EnabledIpv6": False, "Ipv6CidrBlock": ""}
    assert sw["RouteTable"] == {"RouteTableId": created.route_table_id, "RouteTableType": "System"}
    assert sw["OwnerId"] == int(DEFAULT_ACCOUNT) and sw["ResourceGroupId"] == created.resource_group_id

    vpc.modify_vpc_attribute(vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id, vpc_name="web-2",
                                                          description="renamed", cidr_block="192.168.0.0/20"))
    assert [attribute(vpc, vpc_id)[k] for k in ("VpcName", "Description", "CidrBlock")] == [
        "web-2", "renamed", "192.168.0.0/20"]
    vpc.modify_vswitch_attribute(vm.ModifyVSwitchAttributeRequest(region_id=REGION, v_switch_id=vsw,
                                                                   v_switch_name="web-b"))
    assert vswitch_attributes(vpc, vsw)["VSwitchName"] == "web-b"
    found = vpc.describe_vswitches(vm.DescribeVSwitchesRequest(region_id=REGION, vpc_id=vpc_id)).body.to_map()
    assert found["TotalCount"] == 1 and found["VSwitches"]["VSwitch"][0]["VSwitchName"] == "web-b"
    assert vpc.describe_vswitches(vm.DescribeVSwitchesRequest(
        region_id=REGION, v_switch_name="web-a")).body.total_count == 0

    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
    vpc.delete_vpc(vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert_error(error_of(attribute, vpc, vpc_id), "InvalidVpcId.NotFound", 404, "Specified VPC does not exist.")
    assert [c.action for c in engine.calls][:2] == ["CreateVpc", "DescribeVpcAttribute"]


def test_pending_then_available_on_the_mock_clock(vpc, engine, client):
    """Terraform and footmark wait for Status "Available"; the VPC API says Pending while ECS says Creating."""
    engine.lifecycle.delay("vpc", seconds=3)
    engine.lifecycle.delay("vswitch", seconds=3)
    vpc_id = make_vpc(vpc)
    assert attribute(vpc, vpc_id)["Status"] == "Pending"
    assert client.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION, vpc_id=vpc_id)).body.vpcs.vpc[
        0].status == "Creating"
    err = error_of(make_vswitch, vpc, vpc_id)
    assert_error(err, "IncorrectVpcStatus", 400, "Current VPC status does not support this operation.")
    err = error_of(vpc.modify_vpc_attribute, vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id,
                                                                          vpc_name="early"))
    assert_error(err, "IncorrectVpcStatus", 400, "Current VPC status does not support this operation.")
    engine.clock.advance(3)
    assert attribute(vpc, vpc_id)["Status"] == "Available"
    vsw = make_vswitch(vpc, vpc_id)
    assert vswitch_attributes(vpc, vsw)["Status"] == "Pending"
    assert_error(error_of(vpc.delete_vswitch, vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw)),
                 "IncorrectVSwitchStatus", 400, "The current virtual switch status does not support this operation.")
    engine.clock.advance(3)
    assert vswitch_attributes(vpc, vsw)["Status"] == "Available"


def test_ipv6_dns_hostname_and_resource_group(vpc, engine):
    group = resource_groups.add(engine, name="network")
    created = vpc.create_vpc(vm.CreateVpcRequest(region_id=REGION, enable_ipv_6=True, ipv_6isp="BGP",
                                                 resource_group_id=group, enable_dns_hostname=True)).body
    view = attribute(vpc, created.vpc_id)
    assert created.resource_group_id == group == view["ResourceGroupId"]
    assert view["CidrBlock"] == "172.16.0.0/12"  # the documented default
    assert view["EnabledIpv6"] is True and ipaddress.IPv6Network(view["Ipv6CidrBlock"]).prefixlen == 56
    assert view["Ipv6CidrBlocks"] == {"Ipv6CidrBlock": [{"Ipv6CidrBlock": view["Ipv6CidrBlock"], "Ipv6Isp": "BGP"}]}
    assert view["DnsHostnameStatus"] == "ENABLED"
    listed = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, resource_group_id=group)).body
    assert [v.vpc_id for v in listed.vpcs.vpc] == [created.vpc_id]
    err = error_of(vpc.modify_vpc_attribute, vm.ModifyVpcAttributeRequest(
        region_id=REGION, vpc_id=created.vpc_id, enable_ipv_6=True, cidr_block="172.16.0.0/16"))
    assert_error(err, "ParamExclusive.EnableIpv6AndCidrBlock", 400, "EnableIpv6 and CidrBlock is mutually exclusive.")
    vpc.modify_vpc_attribute(vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=created.vpc_id,
                                                          enable_ipv_6=False, enable_dns_hostname=False))
    view = attribute(vpc, created.vpc_id)
    assert (view["EnabledIpv6"], view["Ipv6CidrBlock"], view["DnsHostnameStatus"]) == (False, "", "DISABLED")
    err = error_of(vpc.create_vpc, vm.CreateVpcRequest(region_id=REGION, resource_group_id="rg-nosuchgroup1"))
    assert (err.code, err.status_code) == ("InvalidResourceGroup.NotFound", 404)


def test_vswitch_ipv6_blocks(vpc):
    """A vSwitch's /64 is its VPC's /56 with the last 8 bits asked (CreateVSwitch or ModifyVSwitchAttribute)."""
    plain = make_vpc(vpc, "10.0.0.0/8")
    err = error_of(make_vswitch, vpc, plain, "10.0.0.0/24", ipv_6cidr_block=1)
    assert (err.code, err.status_code) == ("OperationFailed.VpcNotEnabledIpv6", 400)
    vpc_id = make_vpc(vpc, "172.16.0.0/12", enable_ipv_6=True)
    network = ipaddress.IPv6Network(attribute(vpc, vpc_id)["Ipv6CidrBlock"])
    assert network.prefixlen == 56 and network.subnet_of(ipaddress.IPv6Network("2408:4000::/20"))

    def block(bits: int) -> str:
        return str(ipaddress.IPv6Network((int(network.network_address) + (bits << 64), 64)))
    first = make_vswitch(vpc, vpc_id, "172.16.1.0/24", ipv_6cidr_block=10)
    sw = vswitch_attributes(vpc, first)
    assert (sw["EnabledIpv6"], sw["Ipv6CidrBlock"]) == (True, block(10))
    err = error_of(make_vswitch, vpc, vpc_id, "172.16.2.0/24", ipv_6cidr_block=10)
    assert (err.code, err.status_code) == ("InvalidCidrBlock.Overlapped", 400)
    err = error_of(make_vswitch, vpc, vpc_id, "172.16.2.0/24", ipv_6cidr_block=256)
    assert err.code.startswith("InvalidParameter") and err.status_code == 400
    second = make_vswitch(vpc, vpc_id, "172.16.2.0/24")
    assert vswitch_attributes(vpc, second)["EnabledIpv6"] is False
    # Terraform's alicloud_vswitch: enable_ipv6 with ipv6_cidr_block_mask; disabling sends EnableIPv6=false alone
    err = error_of(vpc.modify_vswitch_attribute, vm.ModifyVSwitchAttributeRequest(
        region_id=REGION, v_switch_id=second, enable_ipv_6=True))
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    vpc.modify_vswitch_attribute(vm.ModifyVSwitchAttributeRequest(region_id=REGION, v_switch_id=second,
                                                                  enable_ipv_6=True, ipv_6cidr_block=255))
    assert vswitch_attributes(vpc, second)["Ipv6CidrBlock"] == block(255)
    err = error_of(vpc.modify_vpc_attribute, vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id,
                                                                          enable_ipv_6=False))
    assert (err.code, err.status_code) == ("DependencyViolation.VSwitch", 400)
    for vsw in (first, second):
        vpc.modify_vswitch_attribute(vm.ModifyVSwitchAttributeRequest(region_id=REGION, v_switch_id=vsw,
                                                                      enable_ipv_6=False))
        assert (vswitch_attributes(vpc, vsw)["Ipv6CidrBlock"], vswitch_attributes(vpc, vsw)["EnabledIpv6"]) == (
            "", False)
    vpc.modify_vpc_attribute(vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id, enable_ipv_6=False))
    assert attribute(vpc, vpc_id)["EnabledIpv6"] is False
    # every vSwitch is on its VPC's system route table
    table = vswitch_attributes(vpc, first)["RouteTable"]["RouteTableId"]
    listed = vpc.describe_vswitches(vm.DescribeVSwitchesRequest(region_id=REGION, route_table_id=table)).body
    assert [s.v_switch_id for s in listed.v_switches.v_switch] == [first, second]
    assert vpc.describe_vswitches(vm.DescribeVSwitchesRequest(region_id=REGION, route_table_id="vtb-x")).body \
        .total_count == 0


def test_dry_run_and_client_token(vpc, engine):
    err = error_of(vpc.create_vpc, vm.CreateVpcRequest(region_id=REGION, dry_run=True))
    assert (err.code, err.status_code) == ("DryRunOperation", 400)
    assert vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION)).body.total_count == 0
    first = make_vpc(vpc, client_token="tf-vpc-1")
    assert make_vpc(vpc, client_token="tf-vpc-1") == first  # a retried create answers the same VPC
    assert vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION)).body.total_count == 1


def test_async_client(mock):
    async def flow() -> tuple[str, dict, int]:
        vpc = vpc_client()
        created = await vpc.create_vpc_async(vm.CreateVpcRequest(region_id=REGION, cidr_block="10.0.0.0/8"))
        vpc_id = created.body.vpc_id
        vsw = (await vpc.create_vswitch_async(vm.CreateVSwitchRequest(
            region_id=REGION, vpc_id=vpc_id, zone_id=ZONE, cidr_block="10.1.0.0/16"))).body.v_switch_id
        listed = (await vpc.describe_vswitches_async(vm.DescribeVSwitchesRequest(region_id=REGION))).body.to_map()
        await vpc.delete_vswitch_async(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
        left = (await vpc.describe_vpc_attribute_async(vm.DescribeVpcAttributeRequest(
            region_id=REGION, vpc_id=vpc_id))).body.v_switch_ids.v_switch_id
        return vsw, listed, len(left)

    vsw, listed, left = asyncio.run(flow())
    assert listed["TotalCount"] == 1 and listed["VSwitches"]["VSwitch"][0]["VSwitchId"] == vsw
    assert listed["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"] == 65532
    assert left == 0


# -- the old SDK (aliyunsdkvpc), and XML ---------------------------------------------------------------------------
def test_old_sdk(legacy, engine):
    req = CreateVpcRequest.CreateVpcRequest()
    req.set_CidrBlock("172.16.0.0/16")
    req.set_VpcName("legacy")
    vpc_id = legacy_call(legacy, req)["VpcId"]
    req = CreateVSwitchRequest.CreateVSwitchRequest()
    req.set_VpcId(vpc_id)
    req.set_CidrBlock("172.16.8.0/24")
    req.set_ZoneId(ZONE)
    vsw = legacy_call(legacy, req)["VSwitchId"]
    assert engine.calls[-1].params["Version"] == "2016-04-28"

    req = DescribeVpcsRequest.DescribeVpcsRequest()
    req.set_VpcId(vpc_id)
    [item] = legacy_call(legacy, req)["Vpcs"]["Vpc"]
    assert item["VpcName"] == "legacy" and item["VSwitchIds"]["VSwitchId"] == [vsw]
    req = DescribeVpcAttributeRequest.DescribeVpcAttributeRequest()
    req.set_VpcId(vpc_id)
    assert legacy_call(legacy, req)["CloudResources"]["CloudResourceSetType"][0] == {"ResourceType": "VSwitch",
                                                                                     "ResourceCount": 1}
    req = ModifyVpcAttributeRequest.ModifyVpcAttributeRequest()
    req.set_VpcId(vpc_id)
    req.set_Description("made by the old SDK")
    legacy_call(legacy, req)
    req = ModifyVSwitchAttributeRequest.ModifyVSwitchAttributeRequest()
    req.set_VSwitchId(vsw)
    req.set_VSwitchName("legacy-a")
    legacy_call(legacy, req)
    req = DescribeVSwitchesRequest.DescribeVSwitchesRequest()
    req.set_VpcId(vpc_id)
    assert [s["VSwitchName"] for s in legacy_call(legacy, req)["VSwitches"]["VSwitch"]] == ["legacy-a"]
    req = DescribeVSwitchAttributesRequest.DescribeVSwitchAttributesRequest()
    req.set_VSwitchId(vsw)
    assert legacy_call(legacy, req)["CidrBlock"] == "172.16.8.0/24"
    req = DescribeRouteTableListRequest.DescribeRouteTableListRequest()
    req.set_VpcId(vpc_id)
    [table] = legacy_call(legacy, req)["RouterTableList"]["RouterTableListType"]
    assert table["RouteTableType"] == "System" and table["VSwitchIds"]["VSwitchId"] == [vsw]
    req = DescribeVRoutersRequest.DescribeVRoutersRequest()
    [router] = legacy_call(legacy, req)["VRouters"]["VRouter"]
    assert router["VpcId"] == vpc_id and router["RouteTableIds"]["RouteTableId"] == [table["RouteTableId"]]

    req = DeleteVpcRequest.DeleteVpcRequest()
    req.set_VpcId(vpc_id)
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, req)
    assert (info.value.error_code, info.value.http_status) == ("DependencyViolation.VSwitch", 400)
    req = DeleteVSwitchRequest.DeleteVSwitchRequest()
    req.set_VSwitchId(vsw)
    legacy_call(legacy, req)
    req = DeleteVpcRequest.DeleteVpcRequest()
    req.set_VpcId(vpc_id)
    legacy_call(legacy, req)
    assert [c.error_code for c in engine.calls if c.status != 200] == ["DependencyViolation.VSwitch"]


def test_xml_answers(legacy, vpc):
    vpc_id = make_vpc(vpc, vpc_name="xml")
    vsw = make_vswitch(vpc, vpc_id)
    req = DescribeVpcsRequest.DescribeVpcsRequest()
    root = legacy_xml(legacy, req)
    assert root.tag == "DescribeVpcsResponse" and root.findtext("TotalCount") == "1"
    assert root.findtext("Vpcs/Vpc/VpcName") == "xml" and root.findtext("Vpcs/Vpc/VSwitchIds/VSwitchId") == vsw
    assert root.findtext("Vpcs/Vpc/RouterTableIds/RouterTableIds").startswith("vtb-")
    req = DescribeVpcAttributeRequest.DescribeVpcAttributeRequest()
    req.set_VpcId("vpc-bp1nosuchvpc000000000")
    root = legacy_xml(legacy, req)
    assert root.tag == "Error" and root.findtext("Code") == "InvalidVpcId.NotFound"


# -- one world: each API sees, changes and deletes what the other made ------------------------------------------
def test_vpc_api_networks_are_ecs_networks(vpc, client, engine):
    vpc_id = make_vpc(vpc, vpc_name="shared")
    vsw = make_vswitch(vpc, vpc_id, cidr_block="192.168.3.0/24")
    [seen] = client.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION)).body.vpcs.vpc
    assert (seen.vpc_id, seen.vpc_name, seen.status, seen.v_switch_ids.v_switch_id) == (
        vpc_id, "shared", "Available", [vsw])
    [sw] = client.describe_vswitches(ecs_models.DescribeVSwitchesRequest(region_id=REGION,
                                                                         vpc_id=vpc_id)).body.v_switches.v_switch
    assert (sw.v_switch_id, sw.cidr_block, sw.zone_id) == (vsw, "192.168.3.0/24", ZONE)

    # ECS launches into the VPC API's vSwitch; the vSwitch counts its address, and cannot go while it is used
    group = put_security_group(engine, DEFAULT_ACCOUNT, vpc_id)
    run = client.run_instances(ecs_models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", v_switch_id=vsw, security_group_id=group))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    assert vswitch_attributes(vpc, vsw)["AvailableIpAddressCount"] == 251
    err = error_of(vpc.delete_vswitch, vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
    assert_error(err, "DependencyViolation", 400, "Specified object has dependent resources.")
    client.delete_instance(ecs_models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
    err = error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert_error(err, "DependencyViolation.SecurityGroup", 400,
                 "Specified object has dependent resources SecurityGroup.")
    client.delete_security_group(ecs_models.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=group))
    # ECS renames and deletes what the VPC API made
    client.modify_vpc_attribute(ecs_models.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id,
                                                                     vpc_name="renamed-by-ecs"))
    assert attribute(vpc, vpc_id)["VpcName"] == "renamed-by-ecs"
    client.delete_vpc(ecs_models.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION)).body.total_count == 0


def test_ecs_networks_are_vpc_api_networks(vpc, client):
    vpc_id = new_vpc(client, "10.0.0.0/16", vpc_name="from-ecs")
    vsw = new_vswitch(client, vpc_id, "10.0.1.0/24", v_switch_name="ecs-a")
    view = attribute(vpc, vpc_id)
    assert (view["VpcName"], view["VSwitchIds"]["VSwitchId"], view["Status"]) == ("from-ecs", [vsw], "Available")
    assert view["ResourceGroupId"] == resource_groups.default_id(DEFAULT_ACCOUNT)  # (ECS's VPC joins it too)
    [table] = vpc.describe_route_table_list(vm.DescribeRouteTableListRequest(
        region_id=REGION, vpc_id=vpc_id)).body.router_table_list.router_table_list_type
    assert table.router_id == view["VRouterId"] and table.route_table_type == "System"
    assert vswitch_attributes(vpc, vsw)["RouteTable"]["RouteTableId"] == table.route_table_id
    vpc.modify_vswitch_attribute(vm.ModifyVSwitchAttributeRequest(region_id=REGION, v_switch_id=vsw,
                                                                   description="changed by the VPC API"))
    [sw] = client.describe_vswitches(ecs_models.DescribeVSwitchesRequest(region_id=REGION)).body.v_switches.v_switch
    assert sw.description == "changed by the VPC API"
    # the same CIDR rules whichever API asks: ECS's vSwitch blocks an overlapping one here
    err = error_of(make_vswitch, vpc, vpc_id, "10.0.1.128/25")
    assert_error(err, "InvalidCidrBlock.Overlapped", 400, "Specified CIDR block overlapped with other subnets.")
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
    vpc.delete_vpc(vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert client.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION)).body.total_count == 0


def test_other_regions_and_accounts(vpc, other):
    """An id-named operation finds its resource where it lives when no RegionId is sent; another account's
    VPC is not found."""
    beijing = vpc_client(region_id="cn-beijing")
    vpc_id = beijing.create_vpc(vm.CreateVpcRequest(region_id="cn-beijing")).body.vpc_id
    assert vpc.describe_vpc_attribute(vm.DescribeVpcAttributeRequest(vpc_id=vpc_id)).body.region_id == "cn-beijing"
    assert vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION)).body.total_count == 0
    theirs = vpc_client(other.access_key_id, other.secret)
    assert_error(error_of(theirs.delete_vpc, vm.DeleteVpcRequest(vpc_id=vpc_id)), "InvalidVpcId.NotFound", 404,
                 "Specified VPC does not exist.")


# -- errors: codes, statuses and words as the VPC API documents them ------------------------------------------------
@pytest.mark.parametrize("cidr", ["8.8.0.0/16", "192.168.1.1/24", "10.0.0.0/30", "banana"])
def test_bad_vpc_cidr(vpc, cidr):
    assert_error(error_of(make_vpc, vpc, cidr), "InvalidParameter", 400, "Specified CIDR block is not valid")


@pytest.mark.parametrize("cidr, code, message", [
    ("192.168.1.5/24", "InvalidCidrBlock.Malformed", "Specified CIDR block is not valid."),
    ("192.168.1.0/30", "InvalidCirdrBlock.MaskLength", "Specified CIDR block is not valid ."),
    ("10.0.0.0/24", "InvalidParameter", "Specified CIDR block is not valid in VPC."),
    ("192.168.0.0/23", "InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other subnets."),
])
def test_bad_vswitch_cidr(vpc, cidr, code, message):
    vpc_id = make_vpc(vpc)
    make_vswitch(vpc, vpc_id, "192.168.1.0/24")
    assert_error(error_of(make_vswitch, vpc, vpc_id, cidr), code, 400, message)


def test_documented_errors(vpc):
    vpc_id = make_vpc(vpc)
    missing_vpc, missing_vsw = "vpc-bp1nosuchvpc000000000", "vsw-bp1nosuchvsw000000000"
    for call, request in ((vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=missing_vpc)),
                          (vpc.modify_vpc_attribute, vm.ModifyVpcAttributeRequest(region_id=REGION,
                                                                                  vpc_id=missing_vpc)),
                          (vpc.describe_vpc_attribute, vm.DescribeVpcAttributeRequest(region_id=REGION,
                                                                                      vpc_id=missing_vpc))):
        assert_error(error_of(call, request), "InvalidVpcId.NotFound", 404, "Specified VPC does not exist.")
    assert_error(error_of(make_vswitch, vpc, missing_vpc), "InvalidVpcId.NotFound", 404,
                 "Specified VPC does not exist.")
    for call, request in ((vpc.delete_vswitch, vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=missing_vsw)),
                          (vpc.describe_vswitch_attributes, vm.DescribeVSwitchAttributesRequest(
                              region_id=REGION, v_switch_id=missing_vsw))):
        assert_error(error_of(call, request), "InvalidVSwitchId.NotFound", 404, "VSwitch not exist.")
    assert_error(error_of(make_vswitch, vpc, vpc_id, zone_id="cn-beijing-g"), "ResourceNotAvailable", 400,
                 "Resource you requested is not available in this region or zone.")
    assert_error(error_of(make_vswitch, vpc, vpc_id, zone_id="cn-hangzhou-z"), "InvalidZoneId.NotFound", 404,
                 "Specified zone does not exist.")
    assert_error(error_of(make_vpc, vpc, vpc_name="1st"), "InvalidVpcName.Malformed", 400,
                 "Specified VPC name is not valid.")
    assert_error(error_of(make_vpc, vpc, description="http://x"), "InvalidVpcDiscription.Malformed", 400,
                 "Specified VPC description is not valid.")
    assert_error(error_of(make_vswitch, vpc, vpc_id, v_switch_name="-a"), "InvalidVSwitchName.Malformed", 400,
                 "Specified virtual switch name is not valid.")
    assert_error(error_of(make_vswitch, vpc, vpc_id, description="x"), "InvalidVSwitchDiscription.Malformed", 400,
                 "Specified virtual switch description is not valid.")
    # UserCidr: the VPC API's own words (ECS answers IllegalParam.UserCidr and a double-spaced quota message)
    assert_error(error_of(make_vpc, vpc, user_cidr="10.0.0.0/8,nope"), "InvalidParameter", 400,
                 "Specified UserCidr invalid format.")
    assert_error(error_of(make_vpc, vpc, user_cidr="10.0.0.0/8,10.1.0.0/16,10.2.0.0/16,10.3.0.0/16"),
                 "InvalidUserCidr.Quota", 400, "Specified UserCidr number is greater than 3.")
    vsw = make_vswitch(vpc, vpc_id, "192.168.200.0/24")
    err = error_of(vpc.modify_vpc_attribute, vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id,
                                                                          cidr_block="192.168.0.0/24"))
    assert_error(err, "IllegalCidrBlock", 400, "Some subnet cidrBlock is not in the cidrBlock.")  # [ECS's words]
    for force in (None, True):  # (ForceDelete takes gateways along, not vSwitches)
        assert_error(error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id,
                                                                  force_delete=force)),
                     "DependencyViolation.VSwitch", 400, "Specified object has dependent resources")
    err = error_of(vpc.create_vswitch,
                   vm.CreateVSwitchRequest(region_id=REGION, vpc_id=vpc_id, zone_id=ZONE))
    assert_error(err, "MissingParameter", 400, "Miss mandatory parameter.")
    assert vswitch_attributes(vpc, vsw)["VSwitchId"] == vsw


def test_quotas(vpc, engine):
    engine.config.options["vpc_quota"] = 1
    engine.config.options["vswitch_quota"] = 1
    vpc_id = make_vpc(vpc)
    assert_error(error_of(make_vpc, vpc), "QuotaExceeded.Vpc", 400, "VPC quota exceeded.")
    make_vswitch(vpc, vpc_id)
    assert_error(error_of(make_vswitch, vpc, vpc_id, "192.168.2.0/24"), "QuotaExceeded.VSwitch", 400,
                 "Virtual switch quota exceeded.")


def test_listing_pages_and_limits(vpc):
    ids = [make_vpc(vpc, f"10.{i}.0.0/16") for i in range(3)]
    page = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, page_number=2, page_size=2)).body
    assert (page.total_count, page.page_number, page.page_size, [v.vpc_id for v in page.vpcs.vpc]) == (
        3, 2, 2, ids[2:])
    named = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, vpc_id=f"{ids[2]},{ids[0]}")).body
    assert [v.vpc_id for v in named.vpcs.vpc] == [ids[0], ids[2]]  # in creation order
    err = error_of(vpc.describe_vpcs, vm.DescribeVpcsRequest(region_id=REGION, vpc_id=",".join(ids * 7)))
    assert (err.code, err.status_code) == ("InvalidVpcIdNumber.NotSupported", 400)
    err = error_of(vpc.describe_vpcs, vm.DescribeVpcsRequest(region_id=REGION, page_size=51))
    assert err.code.startswith("InvalidParameter") and err.status_code == 400


def test_answers_carry_the_sdk_types(vpc):
    """What the SDK declares as int (OwnerId) and bool arrives as such in the parsed models."""
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id)
    body = vpc.describe_vswitches(vm.DescribeVSwitchesRequest(region_id=REGION, v_switch_id=vsw)).body
    [item] = body.v_switches.v_switch
    assert isinstance(item.owner_id, int) and item.enabled_ipv_6 is False
    assert item.route_table.route_table_type == "System"
    raw = json.dumps(body.to_map())
    assert '"OwnerId": 1234567890123456' in raw


def test_system_route_table_attributes(vpc):
    created = vpc.create_vpc(vm.CreateVpcRequest(region_id=REGION)).body
    vpc.modify_route_table_attributes(vm.ModifyRouteTableAttributesRequest(
        region_id=REGION, route_table_id=created.route_table_id, route_table_name="main", description="main routes",
        route_propagation_enable=False))
    [table] = vpc.describe_route_table_list(vm.DescribeRouteTableListRequest(
        region_id=REGION, route_table_id=created.route_table_id)).body.router_table_list.router_table_list_type
    assert (table.route_table_name, table.description, table.route_propagation_enable, table.vpc_id) == (
        "main", "main routes", False, created.vpc_id)
    assert vpc.describe_route_table_list(vm.DescribeRouteTableListRequest(
        region_id=REGION, route_table_name="other")).body.total_count == 0
    err = error_of(vpc.modify_route_table_attributes, vm.ModifyRouteTableAttributesRequest(
        region_id=REGION, route_table_id="vtb-bp1nosuchtable00000000"))
    assert (err.code, err.status_code) == ("InvalidRouteTableId.NotFound", 404)
    err = error_of(vpc.modify_route_table_attributes, vm.ModifyRouteTableAttributesRequest(
        region_id=REGION, route_table_id=created.route_table_id, route_table_name="_bad"))
    assert (err.code, err.status_code) == ("InvalidRouteTableName.Malformed", 400)


def test_tags_kept_on_the_records_show_on_this_api_only(vpc, client, engine):
    """Tags on VPCs and vSwitches belong to the VPC API's tag operations (another module): whatever stores them
    in a record's Tags, this API answers them as Key/Value, and ECS's views (which declare none) leave them out."""
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id)
    with engine.store.transaction() as txn:
        for kind, resource_id in (("vpc", vpc_id), ("vswitch", vsw)):
            record = txn.get(kind, resource_id)
            resources.put(txn, kind, resources.with_tags(dict(record), [{"TagKey": "team", "TagValue": "build"}]))
    assert attribute(vpc, vpc_id)["Tags"] == {"Tag": [{"Key": "team", "Value": "build"}]}
    assert vswitch_attributes(vpc, vsw)["Tags"] == {"Tag": [{"Key": "team", "Value": "build"}]}
    ecs_vpc = client.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION)).body.to_map()["Vpcs"]["Vpc"][0]
    ecs_vsw = client.describe_vswitches(ecs_models.DescribeVSwitchesRequest(region_id=REGION)).body.to_map()
    assert "Tags" not in ecs_vpc and "Tags" not in ecs_vsw["VSwitches"]["VSwitch"][0]


def test_client_tokens_are_per_api(vpc, client):
    """The same ClientToken on ECS's CreateVpc and the VPC API's makes two VPCs (two services' tokens)."""
    ours = make_vpc(vpc, client_token="shared-token")
    theirs = new_vpc(client, "10.0.0.0/8", client_token="shared-token")
    assert ours != theirs and new_vpc(client, "10.0.0.0/8", client_token="shared-token") == theirs


def test_listing_filters_terraform_data_sources_send(vpc, engine):
    """alicloud_vpcs / alicloud_vswitches send Tag.N, VpcOwnerId / VSwitchOwnerId, DhcpOptionsSetId,
    ResourceGroupId, EnableIpv6: each narrows the answer (none is ignored)."""
    tagged, plain = make_vpc(vpc, "10.0.0.0/8", enable_ipv_6=True), make_vpc(vpc)
    tagged_vsw, plain_vsw = make_vswitch(vpc, tagged, "10.0.0.0/24"), make_vswitch(vpc, plain)
    with engine.store.transaction() as txn:
        for kind, resource_id in (("vpc", tagged), ("vswitch", tagged_vsw)):
            resources.put(txn, kind, resources.with_tags(dict(txn.get(kind, resource_id)),
                                                         [{"TagKey": "env", "TagValue": "ci"}]))

    def vpc_ids(**kw) -> list[str]:
        return [v.vpc_id for v in vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, **kw)).body.vpcs.vpc]

    def vswitch_ids(**kw) -> list[str]:
        return [s.v_switch_id for s in vpc.describe_vswitches(vm.DescribeVSwitchesRequest(
            region_id=REGION, **kw)).body.v_switches.v_switch]

    env_ci = [vm.DescribeVpcsRequestTag(key="env", value="ci")]
    assert vpc_ids(tag=env_ci) == [tagged] and vpc_ids(tag=[vm.DescribeVpcsRequestTag(key="env")]) == [tagged]
    assert vpc_ids(tag=[vm.DescribeVpcsRequestTag(key="env", value="prod")]) == []
    assert vpc_ids(enable_ipv_6=True) == [tagged] and vpc_ids(enable_ipv_6=False) == [plain]
    assert vpc_ids(vpc_owner_id=int(DEFAULT_ACCOUNT)) == [tagged, plain] and vpc_ids(vpc_owner_id=1) == []
    assert vpc_ids(dhcp_options_set_id="dopt-x") == []
    assert vpc_ids(resource_group_id=resource_groups.default_id(DEFAULT_ACCOUNT), is_default=False) == [tagged, plain]
    assert vswitch_ids(tag=[vm.DescribeVSwitchesRequestTag(key="env", value="ci")]) == [tagged_vsw]
    assert vswitch_ids(v_switch_owner_id=int(DEFAULT_ACCOUNT)) == [tagged_vsw, plain_vsw]
    assert vswitch_ids(v_switch_owner_id=2) == [] and vswitch_ids(resource_group_id="rg-other") == []
    assert vswitch_ids(enable_ipv_6=False) == [tagged_vsw, plain_vsw]  # (neither has a /64)


def test_through_the_server_as_an_endpoint():
    """Pointed at ``mockecs server`` (a host that names no product), the VPC SDK is told apart by its Version:
    the networks it makes are the ECS SDK's too."""
    with ServerThread() as server:
        scheme, netloc = server.url.split("://")
        vpc = vpc_client(endpoint=netloc, protocol=scheme)
        vpc_id = make_vpc(vpc, vpc_name="served")
        ecs = server_client(server.url)
        [seen] = ecs.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION)).body.vpcs.vpc
        assert (seen.vpc_id, seen.vpc_name) == (vpc_id, "served")
        assert attribute(vpc, vpc_id)["Status"] == "Available"


@pytest.mark.parametrize("store", ["memory://", "sqlite://"])
def test_vswitch_ids_in_creation_order_from_the_index(store):
    """VSwitchIds (DescribeVpcs, DescribeVpcAttribute, DescribeRouteTableList, ECS's DescribeVpcs) come from the
    VPC's ordered index term, oldest first, without reading the vSwitches: on every store."""
    if store.startswith("sqlite"):
        pytest.importorskip("mockecs_sqlite")
    with MockECS(Engine(Config(store=store))) as mock:
        vpc = vpc_client()
        vpc_id = make_vpc(vpc, "10.0.0.0/8")
        made = []
        for third in (9, 3, 7, 1):  # ids are random: creation order is not id order
            made.append(make_vswitch(vpc, vpc_id, f"10.{third}.0.0/16"))
            mock.engine.clock.advance(1)
        vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=made.pop(1)))
        assert attribute(vpc, vpc_id)["VSwitchIds"]["VSwitchId"] == made
        [item] = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION)).body.vpcs.vpc
        assert item.v_switch_ids.v_switch_id == made
        [table] = vpc.describe_route_table_list(vm.DescribeRouteTableListRequest(
            region_id=REGION)).body.router_table_list.router_table_list_type
        assert table.v_switch_ids.v_switch_id == made
        ecs = new_client()
        assert ecs.describe_vpcs(ecs_models.DescribeVpcsRequest(region_id=REGION)).body.vpcs.vpc[
            0].v_switch_ids.v_switch_id == made


def test_default_vpc_and_vswitches(vpc, client):
    """CreateDefaultVpc / CreateDefaultVSwitch (Terraform's is_default = true): one default VPC per region, on
    the documented default block; one default vSwitch per zone, each the next free /20."""
    err = error_of(vpc.create_default_vswitch, vm.CreateDefaultVSwitchRequest(region_id=REGION, zone_id=ZONE))
    assert (err.code, err.status_code) == ("OperationFailed.DefaultVpcNotExist", 400)
    own = make_vpc(vpc)
    created = vpc.create_default_vpc(vm.CreateDefaultVpcRequest(region_id=REGION)).body
    view = attribute(vpc, created.vpc_id)
    assert (view["IsDefault"], view["CidrBlock"], view["Status"]) == (True, "172.16.0.0/12", "Available")
    assert created.route_table_id.startswith("vtb-") and created.vrouter_id == view["VRouterId"]
    err = error_of(vpc.create_default_vpc, vm.CreateDefaultVpcRequest(region_id=REGION))
    assert (err.code, err.status_code) == ("OperationFailed.DefaultVpcExist", 400)
    defaults = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, is_default=True)).body.vpcs.vpc
    assert [v.vpc_id for v in defaults] == [created.vpc_id]
    assert [v.vpc_id for v in client.describe_vpcs(ecs_models.DescribeVpcsRequest(
        region_id=REGION, is_default=False)).body.vpcs.vpc] == [own]

    first = vpc.create_default_vswitch(vm.CreateDefaultVSwitchRequest(region_id=REGION, zone_id=ZONE)).body
    sw = vswitch_attributes(vpc, first.v_switch_id)
    assert (sw["IsDefault"], sw["CidrBlock"], sw["ZoneId"], sw["VpcId"]) == (True, "172.16.0.0/20", ZONE,
                                                                               created.vpc_id)
    err = error_of(vpc.create_default_vswitch, vm.CreateDefaultVSwitchRequest(region_id=REGION, zone_id=ZONE))
    assert (err.code, err.status_code) == ("OperationFailed.DefaultVSwitchExist", 400)
    make_vswitch(vpc, created.vpc_id, "172.16.16.0/24", zone_id="cn-hangzhou-j")  # (a plain one takes a block)
    second = vpc.create_default_vswitch(vm.CreateDefaultVSwitchRequest(region_id=REGION,
                                                                       zone_id="cn-hangzhou-j")).body
    assert vswitch_attributes(vpc, second.v_switch_id)["CidrBlock"] == "172.16.32.0/20"
    defaults = vpc.describe_vswitches(vm.DescribeVSwitchesRequest(region_id=REGION, is_default=True)).body
    assert [s.v_switch_id for s in defaults.v_switches.v_switch] == [first.v_switch_id, second.v_switch_id]

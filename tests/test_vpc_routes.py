"""Custom route tables, route entries and secondary IPv4 blocks on the VPC product's API (2016-04-28), through its
current SDK (sync and async), its old SDK (``aliyunsdkvpc``, one answer in XML), and as Terraform's
``alicloud_route_table``, ``alicloud_route_table_attachment`` and ``alicloud_route_entry`` call it (replayed from the
provider's source through ``mockecs server`` as an HTTP proxy); what depends on them (vSwitches, VPCs, instances) is
refused its deletion, with the documented codes, statuses and words."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Optional

import alibabacloud_ecs20140526.models as ecs_models
import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkvpc.request.v20160428 import (
    AssociateRouteTableRequest,
    CreateRouteEntryRequest,
    CreateRouteTableRequest,
    DeleteRouteEntryRequest,
    DescribeRouteTablesRequest,
)

from mockecs.engine.core import Config
from mockecs.modes.clients import vpc_client
from mockecs.modes.mock import MockECS
from mockecs.world import routes
from tests import test_build_flow
from tests.networks_helpers import put_security_group
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, legacy_xml, new_client
from tests.spec import documented_error
from tests.test_instances import LINUX
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _go_sprint, _transitions, instance_create
from tests.test_terraform_vpc import (
    IMAGE,
    VpcProvider,
    delete,
    vpc_create,
    vpc_delete,
    vswitch_create,
    vswitch_delete,
)
from tests.test_vpc_api import assert_error, make_vpc, make_vswitch, vswitch_attributes

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


@pytest.fixture
def vpc(mock):
    return vpc_client()


def make_table(vpc, vpc_id: str, **kw) -> str:
    return vpc.create_route_table(vm.CreateRouteTableRequest(region_id=REGION, vpc_id=vpc_id, **kw)).body.route_table_id


def tables(vpc, **kw) -> list[dict]:
    body = vpc.describe_route_table_list(vm.DescribeRouteTableListRequest(region_id=REGION, **kw)).body.to_map()
    return body["RouterTableList"]["RouterTableListType"]


def entries(vpc, route_table_id: str, **kw) -> list[dict]:
    body = vpc.describe_route_entry_list(vm.DescribeRouteEntryListRequest(
        region_id=REGION, route_table_id=route_table_id, **kw)).body.to_map()
    assert body["TotalCount"] == len(body["RouteEntrys"]["RouteEntry"]) or body["NextToken"]
    return body["RouteEntrys"]["RouteEntry"]


def add_entry(vpc, route_table_id: str, cidr: str, hop_id: str, hop_type: str = "Instance", **kw) -> str:
    return vpc.create_route_entry(vm.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=route_table_id, destination_cidr_block=cidr, next_hop_type=hop_type,
        next_hop_id=hop_id, **kw)).body.route_entry_id


def launch(client, engine, vsw: str, vpc_id: str) -> str:
    group = put_security_group(engine, DEFAULT_ACCOUNT, vpc_id)
    return client.run_instances(ecs_models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", v_switch_id=vsw,
        security_group_id=group)).body.instance_id_sets.instance_id_set[0]


# -- route tables and their vSwitches ----------------------------------------------------------------------------
def test_custom_route_table_life(vpc, engine):
    vpc_id = make_vpc(vpc)
    web, db = make_vswitch(vpc, vpc_id, "192.168.1.0/24"), make_vswitch(vpc, vpc_id, "192.168.2.0/24")
    engine.lifecycle.delay("route_table", observations=2)
    table_id = make_table(vpc, vpc_id, route_table_name="web-routes", description="for the web tier",
                          tag=[vm.CreateRouteTableRequestTag(key="team", value="web")])
    assert table_id.startswith("vtb-bp1")
    system, custom = tables(vpc, vpc_id=vpc_id)
    assert custom["Status"] == "Pending" and tables(vpc, route_table_id=table_id)[0]["Status"] == "Available"
    assert (system["RouteTableType"], system["VSwitchIds"]["VSwitchId"]) == ("System", [web, db])
    assert {k: custom[k] for k in ("RouteTableId", "RouteTableName", "Description", "RouteTableType", "VpcId",
                                   "RouterId", "RouterType", "AssociateType", "RoutePropagationEnable", "Tags",
                                   "OwnerId", "VSwitchIds")} == {
        "RouteTableId": table_id, "RouteTableName": "web-routes", "Description": "for the web tier",
        "RouteTableType": "Custom", "VpcId": vpc_id, "RouterId": system["RouterId"], "RouterType": "VRouter",
        "AssociateType": "VSwitch", "RoutePropagationEnable": True, "Tags": {"Tag": [{"Key": "team", "Value": "web"}]},
        "OwnerId": int(DEFAULT_ACCOUNT), "VSwitchIds": {"VSwitchId": []}}

    vpc.associate_route_table(vm.AssociateRouteTableRequest(region_id=REGION, route_table_id=table_id,
                                                            v_switch_id=web))
    vpc.associate_route_table(vm.AssociateRouteTableRequest(region_id=REGION, route_table_id=table_id,
                                                            v_switch_id=web))  # (bound already: nothing changes)
    system, custom = tables(vpc, vpc_id=vpc_id)
    assert (system["VSwitchIds"]["VSwitchId"], custom["VSwitchIds"]["VSwitchId"]) == ([db], [web])
    assert vswitch_attributes(vpc, web)["RouteTable"] == {"RouteTableId": table_id, "RouteTableType": "Custom"}
    assert vswitch_attributes(vpc, db)["RouteTable"] == {"RouteTableId": system["RouteTableId"],
                                                         "RouteTableType": "System"}
    bound = vpc.describe_vswitches(vm.DescribeVSwitchesRequest(region_id=REGION, route_table_id=table_id)).body
    assert [s.v_switch_id for s in bound.v_switches.v_switch] == [web]
    [listed] = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION)).body.vpcs.vpc
    assert listed.router_table_ids.router_table_ids == [system["RouteTableId"], table_id]
    [router] = vpc.describe_vrouters(vm.DescribeVRoutersRequest(region_id=REGION)).body.vrouters.vrouter
    assert router.route_table_ids.route_table_id == [system["RouteTableId"], table_id]
    attribute = vpc.describe_vpc_attribute(vm.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id)).body
    assert {r.resource_type: r.resource_count for r in attribute.cloud_resources.cloud_resource_set_type}[
        "RouteTable"] == 2

    # filters
    assert [t["RouteTableId"] for t in tables(vpc, route_table_type="Custom")] == [table_id]
    assert [t["RouteTableId"] for t in tables(vpc, route_table_name="web-routes")] == [table_id]
    assert [t["RouteTableId"] for t in tables(vpc, tag=[vm.DescribeRouteTableListRequestTag(key="team")])] == [
        table_id]
    assert tables(vpc, router_type="VBR") == [] and tables(vpc, route_table_id="vtb-bp1nosuchtable000000") == []
    assert len(tables(vpc, vpc_id=vpc_id, page_size=1, page_number=2)) == 1

    vpc.modify_route_table_attributes(vm.ModifyRouteTableAttributesRequest(
        region_id=REGION, route_table_id=table_id, route_table_name="renamed", route_propagation_enable=False))
    [custom] = tables(vpc, route_table_id=table_id)
    assert (custom["RouteTableName"], custom["Description"], custom["RoutePropagationEnable"]) == (
        "renamed", "for the web tier", False)

    # what is bound cannot go: the table, the vSwitch, the VPC
    err = error_of(vpc.delete_route_table, vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=table_id))
    assert_error(err, "DependencyViolation.VSwitch", 400, "Specified object has dependent resources")
    err = error_of(vpc.delete_vswitch, vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=web))
    assert_error(err, "DependencyViolation.RouteTable", 400, "VSwitch cannot be deleted when associated with route "
                                                             "table")
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=db))
    err = error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert_error(err, "DependencyViolation.VSwitch", 400, "Specified object has dependent resources")

    vpc.unassociate_route_table(vm.UnassociateRouteTableRequest(region_id=REGION, route_table_id=table_id,
                                                                v_switch_id=web))
    assert vswitch_attributes(vpc, web)["RouteTable"]["RouteTableType"] == "System"
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=web))
    err = error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert_error(err, "DependencyViolation.RouteTable", 400, "VPC cannot be deleted when custom route table exists.")
    vpc.delete_route_table(vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=table_id))
    assert tables(vpc, route_table_id=table_id) == []
    vpc.delete_vpc(vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))


def test_binding_rules(vpc, engine):
    vpc_id, other_vpc = make_vpc(vpc), make_vpc(vpc, "10.0.0.0/8")
    vsw, elsewhere = make_vswitch(vpc, vpc_id), make_vswitch(vpc, other_vpc, "10.0.0.0/24")
    first, second = make_table(vpc, vpc_id), make_table(vpc, vpc_id)
    system = tables(vpc, vpc_id=vpc_id, route_table_type="System")[0]["RouteTableId"]
    gateway = make_table(vpc, vpc_id, associate_type="Gateway")

    def associate(table_id: str, vswitch_id: str):
        return error_of(vpc.associate_route_table, vm.AssociateRouteTableRequest(
            region_id=REGION, route_table_id=table_id, v_switch_id=vswitch_id))

    assert_error(associate("vtb-bp1nosuchtable000000", vsw), "InvalidRouteTableId.NotFound", 404,
                 "Specified route table does not exist.")
    assert_error(associate(first, "vsw-bp1nosuchvswitch0000"), "InvalidVSwitchId.NotFound", 404, "VSwitch not exist.")
    assert associate(first, elsewhere).code == "OperationFailed.NotSameVpc"
    assert associate(system, vsw).code == "OperationDenied.SystemRouteTable"
    assert associate(gateway, vsw).code == "OperationUnsupported.AssociateType"
    vpc.associate_route_table(vm.AssociateRouteTableRequest(region_id=REGION, route_table_id=first, v_switch_id=vsw))
    assert associate(second, vsw).code == "OperationFailed.VSwitchAssociated"
    # not bound to this table: nothing to undo
    vpc.unassociate_route_table(vm.UnassociateRouteTableRequest(region_id=REGION, route_table_id=second,
                                                                v_switch_id=vsw))
    assert vswitch_attributes(vpc, vsw)["RouteTable"]["RouteTableId"] == first

    # while a table or a vSwitch is being made, or rebound
    engine.lifecycle.delay("route_table", observations=2)
    pending = make_table(vpc, vpc_id)
    assert associate(pending, make_vswitch(vpc, vpc_id, "192.168.7.0/24")).code == "IncorrectStatus.RouteTable"
    err = error_of(vpc.delete_route_table, vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=pending))
    assert err.code == "IncorrectRouteTableStatus"
    engine.lifecycle.delay("vswitch", observations=1)
    vpc.unassociate_route_table(vm.UnassociateRouteTableRequest(region_id=REGION, route_table_id=first,
                                                                v_switch_id=vsw))
    with engine.store.transaction() as txn:
        assert txn.get("vswitch", vsw)["Status"] == "Pending"  # (AssociateRouteTable's doc: Pending, then Available)
    assert vswitch_attributes(vpc, vsw)["Status"] == "Available"

    err = error_of(vpc.delete_route_table, vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=system))
    assert err.code == "OperationDenied.SystemRouteTable"
    err = error_of(vpc.create_route_table, vm.CreateRouteTableRequest(region_id=REGION,
                                                                      vpc_id="vpc-bp1nosuchvpc000000000"))
    assert_error(err, "InvalidVpcId.NotFound", 404, "Specified VPC does not exist.")
    err = error_of(vpc.create_route_table, vm.CreateRouteTableRequest(region_id=REGION, vpc_id=vpc_id,
                                                                      route_table_name="_bad"))
    assert err.code == "InvalidRouteTableName.Malformed"
    engine.config.options["route_table_quota"] = 4
    err = error_of(vpc.create_route_table, vm.CreateRouteTableRequest(region_id=REGION, vpc_id=vpc_id))
    assert (err.code, err.status_code) == ("QuotaExceeded.RouteTable", 400)


# -- route entries -----------------------------------------------------------------------------------------------
def test_route_entries_of_a_custom_and_the_system_table(vpc, client, engine):
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id, "192.168.1.0/24")
    instance = launch(client, engine, vsw, vpc_id)
    table_id = make_table(vpc, vpc_id)
    system = tables(vpc, vpc_id=vpc_id, route_table_type="System")[0]["RouteTableId"]
    engine.lifecycle.delay("route_entry", observations=2)
    entry_id = add_entry(vpc, table_id, "10.0.0.0/8", instance, route_entry_name="to-office",
                         description="via the gateway instance")
    assert entry_id.startswith("rte-bp1")
    found = entries(vpc, table_id)
    assert [(e["DestinationCidrBlock"], e["Type"], e["NextHops"]["NextHop"][0]["NextHopType"]) for e in found] == [
        ("192.168.1.0/24", "System", "local"), ("100.64.0.0/10", "System", "service"),
        ("10.0.0.0/8", "Custom", "Instance")]
    custom = found[2]
    assert {k: custom[k] for k in ("RouteEntryId", "RouteTableId", "RouteEntryName", "Description", "Status",
                                   "IpVersion")} == {
        "RouteEntryId": entry_id, "RouteTableId": table_id, "RouteEntryName": "to-office",
        "Description": "via the gateway instance", "Status": "Pending", "IpVersion": "IPv4"}
    assert custom["NextHops"]["NextHop"][0]["NextHopId"] == instance
    assert custom["NextHops"]["NextHop"][0]["Enabled"] == 1
    assert entries(vpc, table_id, route_entry_type="Custom")[0]["Status"] == "Available"
    # system entries: the same ids on every read, one per table and destination
    assert [e["RouteEntryId"] for e in entries(vpc, table_id)][:2] == [e["RouteEntryId"] for e in found[:2]]
    assert {e["RouteEntryId"] for e in entries(vpc, system)}.isdisjoint(e["RouteEntryId"] for e in found)
    assert [e["RouteEntryId"] for e in entries(vpc, table_id, next_hop_id=instance)] == [entry_id]
    assert entries(vpc, table_id, destination_cidr_block="10.1.0.0/16") == []

    # a route in the system table, by address (a /32), named; renamed
    host = add_entry(vpc, system, "172.16.0.10", instance)
    [row] = entries(vpc, system, route_entry_id=host)
    assert row["DestinationCidrBlock"] == "172.16.0.10/32"
    vpc.modify_route_entry(vm.ModifyRouteEntryRequest(region_id=REGION, route_entry_id=host,
                                                      route_entry_name="host-route"))
    assert entries(vpc, system, route_entry_id=host)[0]["RouteEntryName"] == "host-route"

    # the instance, the table and the VPC cannot go while routes lead through them
    err = error_of(client.delete_instance, ecs_models.DeleteInstanceRequest(instance_id=instance, force=True))
    assert (err.code, err.status_code, err.data["Message"]) == (
        "DependencyViolation.RouteEntry", 400, "Specified instance is used by route entry.")
    err = error_of(vpc.delete_route_table, vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=table_id))
    assert_error(err, "DependencyViolation.RouteEntry", 400, "Specified object has dependent resources")
    vpc.delete_route_entry(vm.DeleteRouteEntryRequest(region_id=REGION, route_entry_id=entry_id))
    vpc.delete_route_table(vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=table_id))
    vpc.delete_route_entry(vm.DeleteRouteEntryRequest(region_id=REGION, route_table_id=system,
                                                      destination_cidr_block="172.16.0.10/32", next_hop_id=instance))
    client.delete_instance(ecs_models.DeleteInstanceRequest(instance_id=instance, force=True))
    assert [e["Type"] for e in entries(vpc, system)] == ["System", "System"]


def test_next_hops(vpc, client, engine):
    vpc_id, other = make_vpc(vpc), make_vpc(vpc, "10.0.0.0/8")
    vsw, other_vsw = make_vswitch(vpc, vpc_id), make_vswitch(vpc, other, "10.0.0.0/24")
    table_id = make_table(vpc, vpc_id)
    instance, stranger = launch(client, engine, vsw, vpc_id), launch(client, engine, other_vsw, other)
    eni = client.create_network_interface(ecs_models.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vsw, security_group_id=put_security_group(engine, DEFAULT_ACCOUNT, vpc_id))
    ).body.network_interface_id
    other_eni = client.create_network_interface(ecs_models.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=other_vsw, security_group_id=put_security_group(engine, DEFAULT_ACCOUNT, other))
    ).body.network_interface_id
    add_entry(vpc, table_id, "10.8.0.0/16", eni, "NetworkInterface")
    add_entry(vpc, table_id, "10.9.0.0/16", instance)
    assert [e["NextHops"]["NextHop"][0]["NextHopType"] for e in entries(vpc, table_id, route_entry_type="Custom")] == [
        "NetworkInterface", "Instance"]

    def refused(hop_id: str, hop_type: str = "Instance", cidr: str = "10.20.0.0/16", table: str = table_id):
        return error_of(add_entry, vpc, table, cidr, hop_id, hop_type)

    assert_error(refused("i-bp1nosuchinstance000"), "InvalidInstanId.NotFound", 404,
                 "Specified instance does not exist.")
    assert_error(refused(stranger), "OperationFailed.InstanceDismatchCurrentVpc", 404,
                 "The specified instance does not exist in current vpc.")
    assert_error(refused("eni-bp1nosuch0000000000", "NetworkInterface"), "InvalidNetworkInterface.NotFound", 404,
                 "The specified networkInterface does not exist.")
    assert_error(refused(other_eni, "NetworkInterface"), "InvalidNexthop", 400, "The Specified nexthop illegal.")
    assert_error(refused("havip-bp1nosuch00000000", "HaVip"), "InvalidHaVipId.NotFound", 404,
                 "The specified HaVip does not exist in the specified VPC.")
    assert_error(refused("ngw-bp1nosuchgateway0000", "NatGateway"), "InvalidNatGatewayId.NotFound", 404,
                 "Specified value of NatGatewayId is not found in our record.")
    assert_error(refused("vpn-bp1nosuch", "VpnGateway"), "InvalidNextHop.NotFound", 400,
                 "Specified next hop does not exist.")
    assert_error(refused(instance, "Teleport"), "InvalidNextHopType", 400,
                 'Specified parameter "NextHopType" is not valid')
    # the next hop of an entry can change (ModifyRouteEntry's NewNextHopType/NewNextHopId)
    [first] = entries(vpc, table_id, destination_cidr_block="10.8.0.0/16")
    vpc.modify_route_entry(vm.ModifyRouteEntryRequest(region_id=REGION, route_entry_id=first["RouteEntryId"],
                                                      new_next_hop_type="Instance", new_next_hop_id=instance))
    hop = entries(vpc, table_id, destination_cidr_block="10.8.0.0/16")[0]["NextHops"]["NextHop"][0]
    assert (hop["NextHopType"], hop["NextHopId"]) == ("Instance", instance)
    err = error_of(vpc.modify_route_entry, vm.ModifyRouteEntryRequest(
        region_id=REGION, route_entry_id=first["RouteEntryId"], new_next_hop_id=stranger))
    assert err.code == "OperationFailed.InstanceDismatchCurrentVpc"


def test_nat_gateway_next_hops(vpc):
    """A NAT gateway of the table's VPC is a next hop (0.0.0.0/0 through it, the usual SNAT setup); one of
    another VPC, or none, is refused."""
    vpc_id, other = make_vpc(vpc), make_vpc(vpc, "10.0.0.0/8")
    vsw, other_vsw = make_vswitch(vpc, vpc_id), make_vswitch(vpc, other, "10.0.0.0/24")
    table_id = make_table(vpc, vpc_id)
    err = error_of(add_entry, vpc, table_id, "0.0.0.0/0", "ngw-bp1nosuchgateway0000", "NatGateway")
    assert (err.code, err.status_code) == ("InvalidNatGatewayId.NotFound", 404)
    gateway = vpc.create_nat_gateway(vm.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc_id, v_switch_id=vsw,
                                                                nat_type="Enhanced")).body.nat_gateway_id
    stranger = vpc.create_nat_gateway(vm.CreateNatGatewayRequest(
        region_id=REGION, vpc_id=other, v_switch_id=other_vsw, nat_type="Enhanced")).body.nat_gateway_id
    assert error_of(add_entry, vpc, table_id, "0.0.0.0/0", stranger, "NatGateway").code == "InvalidNexthop"
    add_entry(vpc, table_id, "0.0.0.0/0", gateway, "NatGateway")
    assert entries(vpc, table_id, next_hop_type="NatGateway")[0]["DestinationCidrBlock"] == "0.0.0.0/0"
    system = tables(vpc, vpc_id=vpc_id, route_table_type="System")[0]["RouteTableId"]
    add_entry(vpc, system, "0.0.0.0/0", gateway, "NatGateway")
    # the custom routes of a VPC's tables keep it (the custom tables first, then the system table's own)
    vpc.delete_route_entry(vm.DeleteRouteEntryRequest(region_id=REGION, route_table_id=table_id,
                                                      destination_cidr_block="0.0.0.0/0"))
    vpc.delete_route_table(vm.DeleteRouteTableRequest(region_id=REGION, route_table_id=table_id))
    vpc.delete_nat_gateway(vm.DeleteNatGatewayRequest(region_id=REGION, nat_gateway_id=gateway))
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
    err = error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert_error(err, "DependencyViolation.RouteEntry", 400, "Specified object has dependent resources")
    vpc.delete_route_entry(vm.DeleteRouteEntryRequest(region_id=REGION, route_table_id=system,
                                                      destination_cidr_block="0.0.0.0/0"))
    vpc.delete_vpc(vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))


def test_destination_and_table_rules(vpc, client, engine):
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id, "192.168.1.0/24")
    instance = launch(client, engine, vsw, vpc_id)
    table_id = make_table(vpc, vpc_id)
    add_entry(vpc, table_id, "10.0.0.0/8", instance)

    def refused(cidr: str, table: str = table_id):
        return error_of(add_entry, vpc, table, cidr, instance)

    assert_error(refused("10.0.0.1/8"), "InvalidCidrBlock.Malformed", 400, "Specified CIDR block is not valid.")
    assert_error(refused("not-a-cidr"), "InvalidCidrBlock.Malformed", 400, "Specified CIDR block is not valid.")
    assert_error(refused("192.168.1.128/25"), "InvalidCidrBlock", 400, "Specified CIDR block is not valid.")
    assert_error(refused("100.64.0.0/10"), "InvalidCidrBlock", 400, "Specified CIDR block is not valid.")
    assert_error(refused("10.0.0.0/8"), "InvalidCIDRBlock.Duplicate", 400, "Specified CIDR block is already exists.")
    assert_error(refused("10.0.0.0/8", "vtb-bp1nosuchtable000000"), "InvalidRouteTableId.NotFound", 404,
                 "Specified route table does not exist.")
    add_entry(vpc, table_id, "192.168.0.0/16", instance)  # (holding a vSwitch's block is allowed)
    err = error_of(vpc.create_route_entry, vm.CreateRouteEntryRequest(region_id=REGION, route_table_id=table_id,
                                                                      next_hop_id=instance))
    assert_error(err, "MissingParameter", 400, "Miss mandatory parameter.")

    # one change of a table's entries at a time
    engine.lifecycle.delay("route_entry", seconds=5)
    pending = add_entry(vpc, table_id, "172.16.0.0/12", instance)
    assert_error(refused("11.0.0.0/8"), "IncorrectRouteEntryStatus", 400,
                 "Some route entry status blocked this operation.")
    err = error_of(vpc.delete_route_entry, vm.DeleteRouteEntryRequest(region_id=REGION, route_entry_id=pending))
    assert err.code == "IncorrectRouteEntryStatus"
    engine.clock.advance(5)
    assert entries(vpc, table_id, route_entry_id=pending)[0]["Status"] == "Available"

    engine.config.options["route_entry_quota"] = 3
    assert_error(refused("11.0.0.0/8"), "QuotaExceeded", 400, "Route entry quota exceeded in this route table.")

    # DeleteRouteEntry: system entries are the service's; unknown ones are not found
    system_entry = entries(vpc, table_id, route_entry_type="System")[0]
    err = error_of(vpc.delete_route_entry, vm.DeleteRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, route_entry_id=system_entry["RouteEntryId"]))
    assert_error(err, "OperationDenied", 400, "Specified operation is denied as route entry type is system.")
    err = error_of(vpc.delete_route_entry, vm.DeleteRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, destination_cidr_block="192.168.1.0/24"))
    assert err.code == "OperationDenied"
    err = error_of(vpc.delete_route_entry, vm.DeleteRouteEntryRequest(region_id=REGION,
                                                                      route_entry_id="rte-bp1nosuchentry0000000"))
    assert_error(err, "InvalidRouteEntry.NotFound", 400, "Route entry not exists.")
    # DryRun checks and changes nothing
    err = error_of(vpc.delete_route_entry, vm.DeleteRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, destination_cidr_block="10.0.0.0/8", dry_run=True))
    assert err.code == "DryRunOperation"
    assert len(entries(vpc, table_id, route_entry_type="Custom")) == 3


def test_async_calls(vpc, client, engine):
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id)
    instance = launch(client, engine, vsw, vpc_id)

    async def run() -> tuple[str, list]:
        table = (await vpc.create_route_table_async(vm.CreateRouteTableRequest(
            region_id=REGION, vpc_id=vpc_id))).body.route_table_id
        await vpc.associate_route_table_async(vm.AssociateRouteTableRequest(
            region_id=REGION, route_table_id=table, v_switch_id=vsw))
        await vpc.create_route_entry_async(vm.CreateRouteEntryRequest(
            region_id=REGION, route_table_id=table, destination_cidr_block="0.0.0.0/0", next_hop_type="Instance",
            next_hop_id=instance))
        listed = await vpc.describe_route_entry_list_async(vm.DescribeRouteEntryListRequest(
            region_id=REGION, route_table_id=table, route_entry_type="Custom"))
        return table, listed.body.route_entrys.route_entry

    table, [entry] = asyncio.run(run())
    assert (entry.destination_cidr_block, entry.next_hops.next_hop[0].next_hop_id) == ("0.0.0.0/0", instance)
    assert vswitch_attributes(vpc, vsw)["RouteTable"]["RouteTableId"] == table


def test_old_sdk_and_xml(legacy, vpc, client, engine):
    """aliyunsdkvpc's requests (footmark's, the Go SDK's DescribeRouteTables that Terraform's route entry reads):
    the entries of a table under RouteEntrys, the next hop's id as InstanceId; in XML too."""
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id, "192.168.5.0/24")
    instance = launch(client, engine, vsw, vpc_id)
    req = CreateRouteTableRequest.CreateRouteTableRequest()
    req.set_VpcId(vpc_id)
    req.set_RouteTableName("legacy")
    table_id = legacy_call(legacy, req)["RouteTableId"]
    req = AssociateRouteTableRequest.AssociateRouteTableRequest()
    req.set_RouteTableId(table_id)
    req.set_VSwitchId(vsw)
    legacy_call(legacy, req)
    req = CreateRouteEntryRequest.CreateRouteEntryRequest()
    req.set_RouteTableId(table_id)
    req.set_DestinationCidrBlock("10.0.0.0/8")
    req.set_NextHopType("Instance")
    req.set_NextHopId(instance)
    entry_id = legacy_call(legacy, req)["RouteEntryId"]
    req = DescribeRouteTablesRequest.DescribeRouteTablesRequest()
    req.set_RouteTableId(table_id)
    answer = legacy_call(legacy, req)
    [table] = answer["RouteTables"]["RouteTable"]
    assert (answer["TotalCount"], table["RouteTableId"], table["RouteTableType"], table["VSwitchIds"]["VSwitchId"]) == (
        1, table_id, "Custom", [vsw])
    assert [(e["DestinationCidrBlock"], e["Type"], e["NextHopType"], e["InstanceId"], e["Status"])
            for e in table["RouteEntrys"]["RouteEntry"]] == [
        ("192.168.5.0/24", "System", "local", "", "Available"), ("100.64.0.0/10", "System", "service", "", "Available"),
        ("10.0.0.0/8", "Custom", "Instance", instance, "Available")]
    assert table["RouteEntrys"]["RouteEntry"][2]["RouteEntryId"] == entry_id
    root = legacy_xml(legacy, req)
    assert root.tag == "DescribeRouteTablesResponse" and root.findtext("TotalCount") == "1"
    assert root.findtext("RouteTables/RouteTable/VSwitchIds/VSwitchId") == vsw
    assert [e.findtext("InstanceId") for e in root.findall("RouteTables/RouteTable/RouteEntrys/RouteEntry")] == [
        "", "", instance]
    req = DeleteRouteEntryRequest.DeleteRouteEntryRequest()
    req.set_RouteTableId(table_id)
    req.set_DestinationCidrBlock("10.0.0.0/8")
    req.set_NextHopId(instance)
    legacy_call(legacy, req)
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, req)
    assert (info.value.error_code, info.value.http_status) == ("InvalidRouteEntry.NotFound", 400)


def test_wire_types(vpc, engine):
    """JSON types as the SDK's models declare them: numbers, booleans, lists, never strings for them."""
    vpc_id = make_vpc(vpc)
    make_vswitch(vpc, vpc_id)
    table_id = make_table(vpc, vpc_id)
    raw = json.dumps(vpc.describe_route_table_list(vm.DescribeRouteTableListRequest(
        region_id=REGION, route_table_id=table_id)).body.to_map())
    assert '"OwnerId": 1234567890123456' in raw and '"RoutePropagationEnable": true' in raw
    assert '"VSwitchIds": {"VSwitchId": []}' in raw and '"GatewayIds": {"GatewayIds": []}' in raw
    body = vpc.describe_route_entry_list(vm.DescribeRouteEntryListRequest(region_id=REGION, route_table_id=table_id,
                                                                          max_result=20)).body.to_map()
    assert body["TotalCount"] == 2 and body["NextToken"] == ""
    hop = body["RouteEntrys"]["RouteEntry"][0]["NextHops"]["NextHop"][0]
    assert (hop["Enabled"], hop["Weight"], hop["NextHopRegionId"]) == (1, 100, REGION)


def test_errors_are_the_documented_ones():
    """The codes the VPC API shares with ECS's route entry and delete operations answer ECS's documented statuses and
    words (the same service behind both: ECS's metadata documents them; the VPC documentation's tables agree)."""
    documented = {
        "CreateRouteEntry": [routes.TABLE_NOT_FOUND, routes.CIDR_MALFORMED, routes.CIDR_INVALID, routes.CIDR_DUPLICATE,
                             routes.ENTRY_QUOTA, routes.ENTRY_STATUS, routes.BAD_NEXT_HOP_TYPE,
                             routes.NEXT_HOP_NOT_FOUND, routes.INSTANCE_NOT_FOUND, routes.INSTANCE_OTHER_VPC,
                             routes.INSTANCE_NOT_VPC, routes.ENI_NOT_FOUND, routes.HAVIP_NOT_FOUND,
                             routes.NAT_NOT_FOUND, routes.NEXT_HOP_ILLEGAL],
        "DeleteRouteEntry": [routes.ENTRY_NOT_FOUND, routes.SYSTEM_ENTRY, routes.ENTRY_STATUS, routes.TABLE_NOT_FOUND]}
    for action, kind in [(a, k) for a, kinds in documented.items() for k in kinds]:
        error = kind()
        assert documented_error(action, error.code) == (error.status, error.message), (action, error.code)
    errors = routes.VSWITCH_ERRORS
    for action, kind in [("DeleteVpc", errors.vpc_has_route_tables), ("DeleteVpc", errors.vpc_has_route_entries),
                         ("DeleteVSwitch", errors.vswitch_has_route_table),
                         ("CreateVSwitch", errors.vswitch_route_conflict)]:
        error = kind()
        assert documented_error(action, error.code) == (error.status, error.message), (action, error.code)


# -- secondary IPv4 blocks --------------------------------------------------------------------------------------
def test_secondary_cidr_blocks(vpc):
    vpc_id = make_vpc(vpc, "192.168.0.0/16")
    answer = vpc.associate_vpc_cidr_block(vm.AssociateVpcCidrBlockRequest(
        region_id=REGION, vpc_id=vpc_id, secondary_cidr_block="10.0.0.0/16")).body
    assert (answer.cidr_block, answer.ip_version) == ("10.0.0.0/16", "IPV4")
    [listed] = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, vpc_id=vpc_id)).body.vpcs.vpc
    assert listed.secondary_cidr_blocks.secondary_cidr_block == ["10.0.0.0/16"]
    assert vpc.describe_vpc_attribute(vm.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id)).body.to_map()[
        "SecondaryCidrBlocks"] == {"SecondaryCidrBlock": ["10.0.0.0/16"]}
    vsw = make_vswitch(vpc, vpc_id, "10.0.3.0/24")  # a vSwitch in the secondary block
    vpc.modify_vpc_attribute(vm.ModifyVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id,
                                                          cidr_block="192.168.0.0/20"))  # (its vSwitch is not there)
    err = error_of(make_vswitch, vpc, vpc_id, "10.1.0.0/24")
    assert_error(err, "InvalidParameter", 400, "Specified CIDR block is not valid in VPC.")

    def associate(block: str):
        return error_of(vpc.associate_vpc_cidr_block, vm.AssociateVpcCidrBlockRequest(
            region_id=REGION, vpc_id=vpc_id, secondary_cidr_block=block))

    assert associate("10.0.128.0/17").code == "InvalidCidrBlock.Overlapped"
    assert associate("192.168.0.0/24").code == "InvalidCidrBlock.Overlapped"
    assert associate("10.0.0.1/16").code == "InvalidCidrBlock.Malformed"
    for n in range(1, 5):
        vpc.associate_vpc_cidr_block(vm.AssociateVpcCidrBlockRequest(region_id=REGION, vpc_id=vpc_id,
                                                                     secondary_cidr_block=f"10.{n}.0.0/16"))
    assert associate("10.9.0.0/16").code == "QuotaExceeded.SecondaryCidrBlock"

    def unassociate(block: str):
        return error_of(vpc.unassociate_vpc_cidr_block, vm.UnassociateVpcCidrBlockRequest(
            region_id=REGION, vpc_id=vpc_id, secondary_cidr_block=block))

    assert unassociate("10.0.0.0/16").code == "OperationFailed.CidrInUse"
    assert (unassociate("172.16.0.0/16").code, unassociate("172.16.0.0/16").status_code) == (
        "InvalidSecondaryCidrBlock.NotFound", 404)
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
    for n in range(5):
        vpc.unassociate_vpc_cidr_block(vm.UnassociateVpcCidrBlockRequest(region_id=REGION, vpc_id=vpc_id,
                                                                          secondary_cidr_block=f"10.{n}.0.0/16"))
    assert vpc.describe_vpc_attribute(vm.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=vpc_id)).body.to_map()[
        "SecondaryCidrBlocks"] == {"SecondaryCidrBlock": []}


def test_quotas_are_options():
    with MockECS(config=Config(options={"route_table_quota": 0, "route_entry_quota": 0})):
        vpc = vpc_client()
        vpc_id = make_vpc(vpc)
        assert error_of(make_table, vpc, vpc_id).code == "QuotaExceeded.RouteTable"
        system = tables(vpc, vpc_id=vpc_id)[0]["RouteTableId"]
        assert error_of(add_entry, vpc, system, "10.0.0.0/8", "i-x").code == "QuotaExceeded"


@pytest.mark.mockecs(region="cn-beijing", options={"route_table_quota": 1})
def test_through_the_pytest_plugin(ecs_vpc_client, ecs_region: str) -> None:
    """The plugin's VPC client fixture, its marker's options and region."""
    vpc_id = ecs_vpc_client.create_vpc(vm.CreateVpcRequest(region_id=ecs_region)).body.vpc_id
    table = ecs_vpc_client.create_route_table(vm.CreateRouteTableRequest(region_id=ecs_region, vpc_id=vpc_id)).body
    assert table.route_table_id.startswith("vtb-2ze")
    err = error_of(ecs_vpc_client.create_route_table, vm.CreateRouteTableRequest(region_id=ecs_region, vpc_id=vpc_id))
    assert (err.code, err.status_code) == ("QuotaExceeded.RouteTable", 400)


# -- Terraform: alicloud_vpc_ipv4_cidr_block ------------------------------------------------------------------------
CIDR_BLOCK_RETRIES = ("IncorrectStatus.Vpc", "OperationConflict", "IncorrectStatus", "ServiceUnavailable",
                      "SystemBusy", "LastTokenProcessing")


def ipv4_cidr_block_read(p: VpcProvider, block_id: str) -> Optional[dict]:
    """DescribeVpcIpv4CidrBlock: DescribeVpcs by VpcId, the VPC whose SecondaryCidrBlocks hold the block."""
    vpc_id, block = block_id.split(":")
    for item in p.post("DescribeVpcs", {"VpcId": vpc_id})["Vpcs"]["Vpc"]:
        if block in item["SecondaryCidrBlocks"]["SecondaryCidrBlock"]:
            return {"vpc_id": item["VpcId"], "secondary_cidr_block": block}
    return None


def test_terraform_ipv4_cidr_block(proxy):
    """A secondary block and a vSwitch in it: apply, refresh, and a destroy where the block's removal meets the
    vSwitch still being deleted (OperationFailed.CidrInUse, which the provider retries)."""
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id = vpc_create(p, {"vpc_name": "tf-cidr", "cidr_block": "192.168.0.0/16"})
    answer = _retried(lambda: p.post("AssociateVpcCidrBlock", {"VpcId": vpc_id, "SecondaryCidrBlock": "10.8.0.0/16",
                                                                 "IpVersion": "IPV4"}), CIDR_BLOCK_RETRIES)
    block_id = f"{vpc_id}:{answer['CidrBlock']}"
    assert ipv4_cidr_block_read(p, block_id) == {"vpc_id": vpc_id, "secondary_cidr_block": "10.8.0.0/16"}
    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch_id = vswitch_create(p, {"vpc_id": vpc_id, "cidr_block": "10.8.1.0/24", "zone_id": zone,
                                    "vswitch_name": "tf-secondary"})
    p.pending_deletes = [lambda: vswitch_delete(p, vswitch_id)]
    assert delete(p, "UnassociateVpcCidrBlock", {"VpcId": vpc_id, "SecondaryCidrBlock": "10.8.0.0/16"},
                  (*CIDR_BLOCK_RETRIES, "OperationFailed.CidrInUse"), (), token=False) == ["OperationFailed.CidrInUse"]
    assert ipv4_cidr_block_read(p, block_id) is None
    assert vpc_delete(p, vpc_id) == []


# -- Terraform: alicloud_route_table, alicloud_route_table_attachment, alicloud_route_entry -----------------------
# Replayed from the provider's source (resource_alicloud_route_table.go, resource_alicloud_route_table_attachment.go,
# resource_alicloud_route_entry.go; service_alicloud_vpc_v2.go's DescribeVpcRouteTable and
# DescribeVpcRouteTableAttachment; service_alicloud_vpc.go's QueryRouteTableById, WaitForAllRouteEntriesAvailable,
# DescribeRouteEntry, WaitForRouteEntry): the tables through RpcPost (a form body), the entries through the Go SDK's
# vpc.Client (every parameter in the query).
TABLE_CREATE_RETRIES = ("OperationConflict", "LastTokenProcessing", "IncorrectStatus", "SystemBusy",
                        "ServiceUnavailable")
TABLE_DELETE_RETRIES = ("OperationConflict", "DependencyViolation.RouteEntry", "IncorrectRouteTableStatus",
                        "IncorrectStatus.cbnStatus", "OperationDenied.GatewayAssociated")
ATTACHMENT_RETRIES = ("IncorrectStatus.RouteTable", "IncorrectVSwitchStatus", "OperationConflict", "IncorrectStatus",
                      "ServiceUnavailable", "SystemBusy", "OperationDenied.Ipv4GatewayNotActive",
                      "LastTokenProcessing", "IncorrectStatus.Ipv4Gateway", "OperationFailed.LastTokenProcessing")
ENTRY_CREATE_RETRIES = ("TaskConflict", "OperationConflict", "IncorrectRouteEntryStatus", "IncorrectVpcStatus",
                        "IncorrectVSwitchStatus", "IncorrectHaVipStatus", "IncorrectInstanceStatus",
                        "InvalidVBRStatus", "LastTokenProcessing", "IncorrectStatus.RouteTableStatus")
ENTRY_DELETE_RETRIES = ("IncorrectVpcStatus", "TaskConflict", "OperationConflict", "SystemBusy",
                        "IncorrectRouteEntryStatus", "IncorrectInstanceStatus", "Forbbiden", "UnknownError",
                        "InvalidVBRStatus", "LastTokenProcessing", "IncorrectStatus.RouteTableStatus")


def _retried(call: Any, retries: tuple[str, ...], refused: Optional[list] = None) -> dict:
    """resource.Retry around a call: retried on the codes listed, else the error stands."""
    for _ in range(20):
        try:
            return call()
        except ServerException as err:
            if err.get_error_code() not in retries:
                raise
            if refused is not None:
                refused.append(err.get_error_code())
    pytest.fail("never succeeded")


def describe_vpc_route_table(p: VpcProvider, table_id: str, query: bool = False) -> dict:
    """DescribeVpcRouteTable: DescribeRouteTableList by RouteTableId; no row, or a row without Status, is gone
    (DescribeVpcRouteTableAttachment sends the id in the query)."""
    body, where = {"RouteTableId": table_id}, {}
    if query:
        body, where = {}, {"RouteTableId": table_id}
    rows = p.post("DescribeRouteTableList", body, where)["RouterTableList"]["RouterTableListType"]
    if not rows or rows[0].get("Status") is None:
        raise Gone(table_id)
    return rows[0]


def route_table_read(p: VpcProvider, table_id: str) -> Optional[dict]:
    try:
        raw = describe_vpc_route_table(p, table_id)
    except Gone:
        return None
    return {"associate_type": raw["AssociateType"], "create_time": raw["CreationTime"],
            "description": raw["Description"], "resource_group_id": raw["ResourceGroupId"],
            "route_propagation_enable": raw["RoutePropagationEnable"], "route_table_name": raw["RouteTableName"],
            "status": raw["Status"], "vpc_id": raw["VpcId"], "tags": {t["Key"]: t["Value"] for t in raw["Tags"]["Tag"]}}


def route_table_state(p: VpcProvider, table_id: str) -> Optional[str]:
    try:
        return _go_sprint(describe_vpc_route_table(p, table_id)["Status"])
    except Gone:
        return None


def route_table_create(p: VpcProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    body: dict[str, Any] = {"ClientToken": f"CreateRouteTable-{config['route_table_name']}",
                            "RouteTableName": config["route_table_name"], "Description": config.get("description"),
                            "VpcId": config["vpc_id"], "AssociateType": config.get("associate_type")}
    table_id = _retried(lambda: p.post("CreateRouteTable", body), TABLE_CREATE_RETRIES)["RouteTableId"]
    for _ in range(50):  # BuildStateConf([], ["Available"])
        state = route_table_state(p, table_id)
        if seen is not None:
            seen.append(state)
        if state == "Available":
            break
    else:
        pytest.fail(f"{table_id} never became Available")
    route_table_update(p, table_id, {}, config, new_resource=True)
    return table_id


def route_table_update(p: VpcProvider, table_id: str, old: dict, new: dict, new_resource: bool = False) -> None:
    body: dict[str, Any] = {"RouteTableId": table_id}
    if not new_resource:
        for field, param in (("route_table_name", "RouteTableName"), ("description", "Description")):
            if new.get(field) != old.get(field):
                body[param] = new.get(field)
    current = describe_vpc_route_table(p, table_id)
    wanted = new.get("route_propagation_enable")
    if wanted is not None and wanted != current["RoutePropagationEnable"] and (
            new_resource or wanted != old.get("route_propagation_enable")):
        body["RoutePropagationEnable"] = wanted
    if len(body) > 1:
        _retried(lambda: p.post("ModifyRouteTableAttributes", body), TABLE_CREATE_RETRIES)
    tags, before = new.get("tags") or {}, old.get("tags") or {}
    if tags != before:  # SetResourceTags(d, "ROUTETABLE"): the keys gone, then the pairs added or changed
        gone = [k for k in before if k not in tags]
        if gone:
            p.post("UnTagResources", {"ResourceType": "ROUTETABLE", "ResourceId.1": table_id,
                                      **{f"TagKey.{n}": k for n, k in enumerate(gone, 1)}})
        added = {k: v for k, v in tags.items() if before.get(k) != v}
        if added:
            p.post("TagResources", {"ResourceType": "ROUTETABLE", "ResourceId.1": table_id,
                                    **{f"Tag.{n}.{part}": value for n, (k, v) in enumerate(added.items(), 1)
                                       for part, value in (("Key", k), ("Value", v))}})


def route_table_delete(p: VpcProvider, table_id: str) -> list[str]:
    refused = delete(p, "DeleteRouteTable", {"RouteTableId": table_id}, TABLE_DELETE_RETRIES,
                     ("InvalidRouteTableId.NotFound",), token=False)
    assert route_table_state(p, table_id) is None  # BuildStateConf([], []): done once gone
    return refused


def attachment_state(p: VpcProvider, attachment_id: str) -> str:
    """VpcRouteTableAttachmentStateRefreshFunc: the table's Status when the vSwitch is among its VSwitchIds."""
    table_id, vswitch_id = attachment_id.split(":")
    rows = p.post("DescribeRouteTableList", {}, {"RouteTableId": table_id})["RouterTableList"]["RouterTableListType"]
    for row in rows:
        if row["RouteTableId"] == table_id and vswitch_id in row["VSwitchIds"]["VSwitchId"]:
            return _go_sprint(row["Status"])
    return ""


def attachment_create(p: VpcProvider, table_id: str, vswitch_id: str) -> str:
    body = {"RouteTableId": table_id, "VSwitchId": vswitch_id}
    _retried(lambda: p.post("AssociateRouteTable", {**body, "ClientToken": f"Associate-{vswitch_id}"}),
             ATTACHMENT_RETRIES)
    attachment_id = f"{table_id}:{vswitch_id}"
    assert attachment_state(p, attachment_id) == "Available"
    return attachment_id


def attachment_delete(p: VpcProvider, attachment_id: str) -> None:
    table_id, vswitch_id = attachment_id.split(":")
    try:
        _retried(lambda: p.post("UnassociateRouteTable", {"RouteTableId": table_id, "VSwitchId": vswitch_id,
                                                          "ClientToken": f"Unassociate-{vswitch_id}"}),
                 ATTACHMENT_RETRIES)
    except ServerException as err:
        assert err.get_http_status() == 404 or "NotFound" in err.get_error_msg()  # NotFoundError: done
    assert attachment_state(p, attachment_id) == ""  # BuildStateConf([], [""])


def query_route_table(p: VpcProvider, table_id: str) -> dict:
    """QueryRouteTableById: DescribeRouteTables by RouteTableId; the first table must be that one, else gone."""
    rows = p.call("DescribeRouteTables", RouteTableId=table_id)["RouteTables"]["RouteTable"]
    if not rows or rows[0]["RouteTableId"] != table_id:
        raise Gone(table_id)
    return rows[0]


def wait_all_entries_available(p: VpcProvider, table_id: str) -> None:
    for _ in range(50):
        if all(e["Status"] == "Available" for e in query_route_table(p, table_id)["RouteEntrys"]["RouteEntry"]):
            return
    pytest.fail(f"the entries of {table_id} never became Available")


def describe_route_entry(p: VpcProvider, entry_id: str) -> dict:
    """DescribeRouteEntry: the entry of DescribeRouteTables (by RouteTableId) with the id's destination, next hop
    type and InstanceId."""
    table_id, _, cidr, hop_type, hop_id = entry_id.split(":")
    for table in p.call("DescribeRouteTables", RouteTableId=table_id)["RouteTables"]["RouteTable"]:
        for entry in table["RouteEntrys"]["RouteEntry"]:
            if (entry["DestinationCidrBlock"], entry["NextHopType"], entry["InstanceId"]) == (cidr, hop_type, hop_id):
                return entry
    raise Gone(entry_id)


def wait_route_entry(p: VpcProvider, entry_id: str, status: str) -> None:
    for _ in range(50):
        try:
            if describe_route_entry(p, entry_id)["Status"] == status:
                return
        except Gone:
            if status == "Deleted":
                return
    pytest.fail(f"{entry_id} never reached {status}")


def route_entry_create(p: VpcProvider, config: dict[str, Any], refused: Optional[list] = None) -> str:
    table = query_route_table(p, config["route_table_id"])
    params = {"RouteTableId": config["route_table_id"], "DestinationCidrBlock": config["destination_cidrblock"],
              "NextHopType": config["nexthop_type"], "NextHopId": config["nexthop_id"],
              "ClientToken": f"CreateRouteEntry-{config['destination_cidrblock']}",
              "RouteEntryName": config.get("name"), "Description": config.get("description")}

    def create() -> dict:
        wait_all_entries_available(p, config["route_table_id"])
        return p.call("CreateRouteEntry", **params)

    _retried(create, ENTRY_CREATE_RETRIES, refused)
    entry_id = ":".join((config["route_table_id"], table["VRouterId"], config["destination_cidrblock"],
                         config["nexthop_type"], config["nexthop_id"]))
    wait_route_entry(p, entry_id, "Available")
    return entry_id


def route_entry_read(p: VpcProvider, entry_id: str) -> Optional[dict]:
    try:
        entry = describe_route_entry(p, entry_id)
    except Gone:
        return None
    return {"route_table_id": entry["RouteTableId"], "destination_cidrblock": entry["DestinationCidrBlock"],
            "nexthop_type": entry["NextHopType"], "nexthop_id": entry["InstanceId"], "name": entry["RouteEntryName"],
            "description": entry["Description"], "router_id": entry_id.split(":")[1]}


def route_entry_delete(p: VpcProvider, entry_id: str) -> None:
    table_id, _, cidr, _, hop_id = entry_id.split(":")
    wait_all_entries_available(p, table_id)
    try:
        _retried(lambda: p.call("DeleteRouteEntry", RouteTableId=table_id, DestinationCidrBlock=cidr,
                                NextHopId=hop_id), ENTRY_DELETE_RETRIES)
    except ServerException as err:
        assert err.get_error_code() == "InvalidRouteEntry.NotFound"
    wait_route_entry(p, entry_id, "Deleted")


def network(p: VpcProvider, ecs: Provider, name: str) -> tuple[str, str, str, str]:
    """alicloud_vpc, alicloud_vswitch, alicloud_security_group and alicloud_instance of the configurations."""
    vpc_id = vpc_create(p, {"vpc_name": name, "cidr_block": "10.6.0.0/16"})
    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch_id = vswitch_create(p, {"vpc_id": vpc_id, "cidr_block": "10.6.1.0/24", "zone_id": zone,
                                    "vswitch_name": name})
    group = ecs.call("CreateSecurityGroup", VpcId=vpc_id)["SecurityGroupId"]
    instance_id = instance_create(ecs, {"vswitch": vswitch_id, "security_group": group}, IMAGE, {})
    return vpc_id, vswitch_id, group, instance_id


def test_terraform_route_table_attachment_and_entry(proxy):
    """A custom route table bound to a vSwitch, with a route through an instance: apply, an update in place, a
    refresh, then destroy in Terraform's order (the entry and the attachment, then the table and the instance,
    then the vSwitch and the VPC)."""
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id, group, instance_id = network(p, ecs, "tf-routes")
    table_config = {"vpc_id": vpc_id, "route_table_name": "tf-table", "description": "made by terraform",
                    "route_propagation_enable": False, "tags": {"env": "ci"}}
    table_id = route_table_create(p, table_config)
    state = route_table_read(p, table_id)
    assert {k: v for k, v in state.items() if k not in ("create_time", "resource_group_id")} == {
        "associate_type": "VSwitch", "description": "made by terraform", "route_propagation_enable": False,
        "route_table_name": "tf-table", "status": "Available", "vpc_id": vpc_id, "tags": {"env": "ci"}}
    attachment = attachment_create(p, table_id, vswitch_id)
    entry_config = {"route_table_id": table_id, "destination_cidrblock": "172.16.0.0/12", "nexthop_type": "Instance",
                    "nexthop_id": instance_id, "name": "tf-entry"}
    entry_id = route_entry_create(p, entry_config)
    assert route_entry_read(p, entry_id) == {
        "route_table_id": table_id, "destination_cidrblock": "172.16.0.0/12", "nexthop_type": "Instance",
        "nexthop_id": instance_id, "name": "tf-entry", "description": "",
        "router_id": query_route_table(p, table_id)["VRouterId"]}

    # terraform apply after editing the table's name, description, propagation and tags
    new_config = {**table_config, "route_table_name": "tf-table-2", "description": "edited",
                  "route_propagation_enable": True, "tags": {"env": "prod", "team": "net"}}
    route_table_update(p, table_id, table_config, new_config)
    state = route_table_read(p, table_id)
    assert (state["route_table_name"], state["description"], state["route_propagation_enable"], state["tags"]) == (
        "tf-table-2", "edited", True, {"env": "prod", "team": "net"})
    assert route_table_read(p, table_id) == state and attachment_state(p, attachment) == "Available"
    # data "alicloud_route_tables" (its filters sent, PageSize 50, pages until a short one)
    rows = p.post("DescribeRouteTableList", {"VpcId": vpc_id, "RouteTableType": "Custom", "Tag.1.Key": "team",
                                             "Tag.1.Value": "net", "PageNumber": 1, "PageSize": 50})
    assert [r["RouteTableId"] for r in rows["RouterTableList"]["RouterTableListType"]] == [table_id]
    assert rows["RouterTableList"]["RouterTableListType"][0]["VSwitchIds"]["VSwitchId"] == [vswitch_id]

    # terraform destroy
    route_entry_delete(p, entry_id)
    attachment_delete(p, attachment)
    assert route_table_delete(p, table_id) == []
    ecs.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert route_entry_read(p, entry_id) is None and route_table_read(p, table_id) is None
    assert vswitch_delete(p, vswitch_id) == []
    p.pending_deletes = [lambda: ecs.call("DeleteSecurityGroup", SecurityGroupId=group)]
    assert vpc_delete(p, vpc_id) == ["DependencyViolation.SecurityGroup"]


def test_terraform_waits_and_parallel_entries(proxy):
    """With tables and entries taking a few reads, the table's create polls Pending until Available, and a second
    entry created while the first is Pending is refused IncorrectRouteEntryStatus (the provider retries it; its
    WaitForAllRouteEntriesAvailable waits first)."""
    _transitions(proxy, delays={"route_table": {"observations": 2}, "route_entry": {"observations": 2}})
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id, group, instance_id = network(p, ecs, "tf-slow")
    seen: list = []
    table_id = route_table_create(p, {"vpc_id": vpc_id, "route_table_name": "tf-slow"}, seen)
    assert seen == ["Pending", "Available"]
    first = route_entry_create(p, {"route_table_id": table_id, "destination_cidrblock": "172.16.0.0/12",
                                   "nexthop_type": "Instance", "nexthop_id": instance_id})
    refused: list = []
    second = route_entry_create(p, {"route_table_id": table_id, "destination_cidrblock": "0.0.0.0/0",
                                    "nexthop_type": "Instance", "nexthop_id": instance_id}, refused)
    assert refused == []  # (the provider's wait for every entry to be Available comes first)
    for entry_id in (first, second):
        route_entry_delete(p, entry_id)
    # an apply that ignores the wait (a second Terraform run, the console) meets the pending entry
    p.call("CreateRouteEntry", RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", NextHopType="Instance",
           NextHopId=instance_id)
    with pytest.raises(ServerException) as info:
        p.call("CreateRouteEntry", RouteTableId=table_id, DestinationCidrBlock="192.0.2.0/24", NextHopType="Instance",
               NextHopId=instance_id)
    assert info.value.get_error_code() == "IncorrectRouteEntryStatus" and "IncorrectRouteEntryStatus" in (
        ENTRY_CREATE_RETRIES)


def test_terraform_refresh_after_deletion_outside_terraform(proxy):
    """Deleted with other calls: a refresh drops the entry, the attachment and the table."""
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id, _, instance_id = network(p, ecs, "tf-gone")
    table_id = route_table_create(p, {"vpc_id": vpc_id, "route_table_name": "tf-gone"})
    attachment = attachment_create(p, table_id, vswitch_id)
    entry_id = route_entry_create(p, {"route_table_id": table_id, "destination_cidrblock": "172.16.0.0/12",
                                      "nexthop_type": "Instance", "nexthop_id": instance_id})
    p.call("DeleteRouteEntry", RouteTableId=table_id, DestinationCidrBlock="172.16.0.0/12")
    p.post("UnassociateRouteTable", {"RouteTableId": table_id, "VSwitchId": vswitch_id})
    p.post("DeleteRouteTable", {"RouteTableId": table_id})
    assert route_entry_read(p, entry_id) is None and attachment_state(p, attachment) == ""
    assert route_table_read(p, table_id) is None
    # (the refresh before a destroy dropped them from the state; a delete still sent finds them gone)
    attachment_delete(p, attachment)
    assert route_table_delete(p, table_id) == []


# -- Ansible: ali_route_entry (footmark) ---------------------------------------------------------------------------
def test_ali_route_entry_through_footmark(monkeypatch):
    """footmark's VPC connection, unchanged, as ali_route_entry's main() uses it: the entry looked up by table and
    destination (DescribeRouteTables), created and waited for (Available), renamed, a second run changing nothing,
    then removed."""
    footmark_vpc = pytest.importorskip("footmark.vpc", reason="footmark is not installed")
    import footmark.vpc.connection as vpc_connection

    monkeypatch.setattr(vpc_connection.time, "sleep", lambda seconds: None)
    with MockECS() as mock:
        vpc = vpc_client()
        vpc_id = make_vpc(vpc)
        vsw = make_vswitch(vpc, vpc_id)
        instance = launch(new_client(), mock.engine, vsw, vpc_id)
        table_id = tables(vpc, vpc_id=vpc_id)[0]["RouteTableId"]
        conn = footmark_vpc.connect_to_region(REGION, acs_access_key_id="ak", acs_secret_access_key="sk")

        def ali_route_entry(cidr: str, name: Optional[str] = None, state: str = "present"):
            entry = conn.get_route_entry_attribute(route_table_id=table_id, destination_cidrblock=cidr)
            if state == "absent":
                if not entry:
                    return False, {}
                return conn.delete_route_entry(route_table_id=table_id, destination_cidrblock=cidr,
                                               nexthop_id=entry.next_hop_id), {}
            if entry is None:
                entry = conn.create_route_entry(route_table_id=table_id, destination_cidrblock=cidr,
                                                nexthop_type="Instance", nexthop_id=instance, name=name)
                return True, entry.read()
            return bool(name and entry.modify(name=name)), entry.get().read()

        changed, entry = ali_route_entry("10.0.0.0/8")
        assert changed is True and entry["status"] == "Available" and entry["instance_id"] == instance
        assert (entry["destination_cidr_block"], entry["next_hop_type"], entry["type"]) == (
            "10.0.0.0/8", "Instance", "Custom")
        assert ali_route_entry("10.0.0.0/8") == (False, entry)  # a second run
        changed, entry = ali_route_entry("10.0.0.0/8", name="office")
        assert changed is True and entry["route_entry_name"] == "office"
        assert ali_route_entry("10.0.0.0/8", state="absent") == (True, {})
        assert ali_route_entry("10.0.0.0/8", state="absent") == (False, {})
        actions = [c.action for c in mock.engine.calls if c.params.get("Version") == "2016-04-28"]
    assert {"DescribeRouteTables", "CreateRouteEntry", "ModifyRouteEntry", "DeleteRouteEntry"} <= set(actions)


def test_vswitch_blocks_and_route_destinations(vpc, client, engine):
    """A custom route may hold a vSwitch's block, never lie within one: nor may a later vSwitch's block hold a
    route's destination (CreateVSwitch's documented RouteConflict.AlreadyExist)."""
    vpc_id = make_vpc(vpc, "10.0.0.0/8")
    vsw = make_vswitch(vpc, vpc_id, "10.0.0.0/24")
    instance = launch(client, engine, vsw, vpc_id)
    system = tables(vpc, vpc_id=vpc_id)[0]["RouteTableId"]
    add_entry(vpc, system, "10.1.2.0/24", instance)
    err = error_of(make_vswitch, vpc, vpc_id, "10.1.0.0/16")
    assert_error(err, "RouteConflict.AlreadyExist", 400, "Route conflict exists in routing table.")
    make_vswitch(vpc, vpc_id, "10.2.0.0/16")


# -- ECS's own (deprecated) route operations ----------------------------------------------------------------------
def test_ecs_route_operations_on_the_same_tables(vpc, client, engine):
    """ECS's CreateRouteEntry, DescribeRouteTables and DeleteRouteEntry (deprecated there, still answered) see and
    change the VPC API's tables and entries, with the words ECS's metadata documents."""
    vpc_id = make_vpc(vpc)
    vsw = make_vswitch(vpc, vpc_id, "192.168.1.0/24")
    instance = launch(client, engine, vsw, vpc_id)
    table_id = make_table(vpc, vpc_id)
    client.create_route_entry(ecs_models.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, destination_cidr_block="10.0.0.0/8", next_hop_id=instance))
    body = client.describe_route_tables(ecs_models.DescribeRouteTablesRequest(
        region_id=REGION, route_table_id=table_id)).body.to_map()
    [table] = body["RouteTables"]["RouteTable"]
    assert (body["TotalCount"], table["RouteTableType"], table["VRouterId"].startswith("vrt-")) == (1, "Custom", True)
    assert [(e["DestinationCidrBlock"], e["NextHopType"], e["InstanceId"]) for e in table["RouteEntrys"][
        "RouteEntry"]] == [("192.168.1.0/24", "local", ""), ("100.64.0.0/10", "service", ""),
                           ("10.0.0.0/8", "Instance", instance)]
    assert [e["NextHops"]["NextHop"][0]["NextHopId"] for e in entries(vpc, table_id, route_entry_type="Custom")] == [
        instance]
    # RegionId is optional there (the metadata; aliyungo sends none): the table's region decides
    beijing = new_client(region="cn-beijing")  # (its endpoint names another region)
    assert beijing.describe_route_tables(ecs_models.DescribeRouteTablesRequest(
        route_table_id=table_id)).body.to_map()["RouteTables"]["RouteTable"] == [table]
    err = error_of(client.create_route_entry, ecs_models.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, destination_cidr_block="10.0.0.0/8", next_hop_id=instance))
    assert (err.code, err.status_code, err.data["Message"]) == (
        "InvalidCIDRBlock.Duplicate", 400, "Specified CIDR block is already exists.")
    err = error_of(client.create_route_entry, ecs_models.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=table_id, next_hop_id=instance))
    assert (err.code, err.status_code, err.data["Message"]) == ("MissingParameter", 400, "Miss mandatory parameter.")
    client.delete_route_entry(ecs_models.DeleteRouteEntryRequest(region_id=REGION, route_table_id=table_id,
                                                                 destination_cidr_block="10.0.0.0/8"))
    assert entries(vpc, table_id, route_entry_type="Custom") == []
    err = error_of(client.delete_route_entry, ecs_models.DeleteRouteEntryRequest(
        region_id=REGION, route_table_id="vtb-bp1nosuchtable000000", destination_cidr_block="10.0.0.0/8"))
    assert (err.code, err.status_code, err.data["Message"]) == (
        "InvalidRouteTableId.NotFound", 404, "Specified route table does not exist.")


# -- Terraform: alicloud_vpc_route_entry (the newer resource: DescribeRouteEntryList, ListVpcPublishedRouteEntries) --
VPC_ROUTE_ENTRY_RETRIES = ("IncorrectInstanceStatus", "IncorrectRouteEntryStatus", "SystemBusy", "InvalidVBRStatus",
                           "LastTokenProcessing", "IncorrectStatus.Ipv6Address", "IncorrectStatus",
                           "OperationFailed.DistibuteLock", "ServiceUnavailable", "IncorrectStatus.RouteTableStatus",
                           "IncorrectStatus.MultiScopeRiRouteEntry", "IncorrectVpcStatus", "IncorrectHaVipStatus",
                           "OperationConflict", "TaskConflict", "IncorrectStatus.Ipv4Gateway",
                           "IncorrectStatus.VpcPeer", "IncorrectVSwitchStatus", "IncorrectStatus.RouterInterface",
                           "IncorrectStatus.PrefixList")


def describe_vpc_route_entry(p: VpcProvider, entry_id: str) -> dict:
    """DescribeVpcRouteEntry: DescribeRouteEntryList by table and destination; InvalidRouteTable.NotFound or no
    row is gone."""
    table_id, cidr = entry_id.split(":")
    try:
        rows = p.post("DescribeRouteEntryList", {"DestinationCidrBlock": cidr, "RouteTableId": table_id})
    except ServerException as err:
        if err.get_error_code() == "InvalidRouteTable.NotFound":
            raise Gone(entry_id) from err
        raise
    if not rows["RouteEntrys"]["RouteEntry"]:
        raise Gone(entry_id)
    return rows["RouteEntrys"]["RouteEntry"][0]


def vpc_route_entry_read(p: VpcProvider, entry_id: str) -> Optional[dict]:
    try:
        raw = describe_vpc_route_entry(p, entry_id)
    except Gone:
        return None
    hop = raw["NextHops"]["NextHop"][0]
    table_id, cidr = entry_id.split(":")
    try:
        published = p.post("ListVpcPublishedRouteEntries", {"DestinationCidrBlock": cidr, "RouteTableId": table_id,
                                                             "TargetType": "ECR"})["RouteEntries"]
    except ServerException as err:
        assert err.get_http_status() == 404 or err.get_error_code() == "ResourceNotAssociated.TargetInstance", err
        published = []
    targets = [t for t in (published[0]["RoutePublishTargets"] if published else [])
               if t["PublishStatus"] != "NonPublished"]
    return {"description": raw["Description"], "route_entry_name": raw["RouteEntryName"], "status": raw["Status"],
            "destination_cidr_block": raw["DestinationCidrBlock"], "route_table_id": raw["RouteTableId"],
            "nexthop_id": hop["NextHopId"], "nexthop_type": hop["NextHopType"], "route_publish_targets": targets,
            "next_hops": [{"enabled": h["Enabled"], "nexthop_id": h["NextHopId"], "weight": h["Weight"],
                           "next_hop_region_id": h["NextHopRegionId"], "nexthop_type": h["NextHopType"]}
                          for h in raw["NextHops"]["NextHop"]]}


def test_terraform_vpc_route_entry(proxy):
    """alicloud_vpc_route_entry: create (no wait), read, rename and move to another next hop in place, destroy
    (waited until DescribeRouteEntryList answers no row)."""
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id, group, instance_id = network(p, ecs, "tf-vpc-entry")
    table_id = route_table_create(p, {"vpc_id": vpc_id, "route_table_name": "tf-vpc-entry"})
    body = {"RouteTableId": table_id, "DestinationCidrBlock": "172.16.0.0/12", "RouteEntryName": "tf-entry",
            "Description": "made by terraform", "NextHopId": instance_id, "NextHopType": "Instance",
            "ClientToken": "CreateRouteEntry-tf"}
    _retried(lambda: p.post("CreateRouteEntry", body), VPC_ROUTE_ENTRY_RETRIES)
    entry_id = f"{table_id}:172.16.0.0/12"
    state = vpc_route_entry_read(p, entry_id)
    assert state == {
        "description": "made by terraform", "route_entry_name": "tf-entry", "status": "Available",
        "destination_cidr_block": "172.16.0.0/12", "route_table_id": table_id, "nexthop_id": instance_id,
        "nexthop_type": "Instance", "route_publish_targets": [],
        "next_hops": [{"enabled": 1, "nexthop_id": instance_id, "weight": 100, "next_hop_region_id": REGION,
                       "nexthop_type": "Instance"}]}

    # terraform apply after renaming it and pointing it at a network interface of the VPC
    eni = ecs.call("CreateNetworkInterface", VSwitchId=vswitch_id, SecurityGroupId=group)["NetworkInterfaceId"]
    _retried(lambda: p.post("ModifyRouteEntry", {"DestinationCidrBlock": "172.16.0.0/12", "RouteTableId": table_id,
                                                 "RouteEntryName": "tf-entry-2", "NewNextHopId": eni,
                                                 "NewNextHopType": "NetworkInterface"}), VPC_ROUTE_ENTRY_RETRIES)
    state = vpc_route_entry_read(p, entry_id)
    assert (state["route_entry_name"], state["nexthop_id"], state["nexthop_type"]) == (
        "tf-entry-2", eni, "NetworkInterface")
    assert vpc_route_entry_read(p, entry_id) == state  # a refresh reads the same
    ecs.call("DeleteInstance", InstanceId=instance_id, Force=True)  # (no longer the next hop)

    # terraform destroy
    _retried(lambda: p.post("DeleteRouteEntry", {"RouteTableId": table_id, "DestinationCidrBlock": "172.16.0.0/12",
                                                 "NextHopId": eni}), VPC_ROUTE_ENTRY_RETRIES)
    assert vpc_route_entry_read(p, entry_id) is None
    assert route_table_delete(p, table_id) == []
    assert vpc_route_entry_read(p, entry_id) is None  # (its table gone: InvalidRouteTable.NotFound, gone)


def test_published_entries_and_missing_tables(vpc):
    """ListVpcPublishedRouteEntries: every entry of the table, published nowhere (mockecs keeps no ECR); a
    DescribeRouteEntryList of a table that does not exist names it InvalidRouteTable.NotFound."""
    vpc_id = make_vpc(vpc)
    make_vswitch(vpc, vpc_id, "192.168.1.0/24")
    table_id = make_table(vpc, vpc_id)
    body = vpc.list_vpc_published_route_entries(vm.ListVpcPublishedRouteEntriesRequest(
        region_id=REGION, route_table_id=table_id, target_type="ECR")).body.to_map()
    assert [(e["DestinationCidrBlock"], e["RoutePublishTargets"]) for e in body["RouteEntries"]] == [
        ("192.168.1.0/24", []), ("100.64.0.0/10", [])] and body["NextToken"] == ""
    err = error_of(vpc.list_vpc_published_route_entries, vm.ListVpcPublishedRouteEntriesRequest(
        region_id=REGION, route_table_id=table_id, target_type="ECR", target_instance_id="ecr-bp1nosuch"))
    assert (err.code, err.status_code) == ("ResourceNotAssociated.TargetInstance", 400)
    err = error_of(vpc.list_vpc_published_route_entries, vm.ListVpcPublishedRouteEntriesRequest(
        region_id=REGION, route_table_id=table_id, target_type="CEN"))
    assert err.code == "IllegalParam.TargetType"
    err = error_of(vpc.describe_route_entry_list, vm.DescribeRouteEntryListRequest(
        region_id=REGION, route_table_id="vtb-bp1nosuchtable000000"))
    assert (err.code, err.status_code) == ("InvalidRouteTable.NotFound", 404)

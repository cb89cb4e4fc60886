"""ECS's classic-era network operations (2014-05-26) on the records the VPC API shares: HaVips, the ECS forms of NAT
gateways and DNAT entries with their NAT bandwidth packages, network interface permissions, the VPC's router,
ClassicLink, DescribeClusters, user business behaviour. Through the current SDK (sync and async), the old SDK and XML;
each operation's documented codes, statuses and words (tests/spec.py)."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_util import models as util_models
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526.AssociateHaVipRequest import AssociateHaVipRequest
from aliyunsdkecs.request.v20140526.DescribeBandwidthPackagesRequest import DescribeBandwidthPackagesRequest

import mockecs.engine.core  # noqa: F401  (registers every operation)
from mockecs.modes.clients import vpc_client
from mockecs.ops.registry import REGISTRY
from mockecs.world import havips, resource_groups
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import documented_error, response_problems
from tests.test_instances import REGION, assert_documented, describe, run
from tests.test_network_interfaces import create as create_eni
from tests.test_network_interfaces import group

ZONE = "cn-hangzhou-h"


def network(client) -> tuple[str, str, str]:
    vpc = new_vpc(client, cidr_block="192.168.0.0/16")
    return vpc, new_vswitch(client, vpc, cidr_block="192.168.1.0/24", zone_id=ZONE), group(client, vpc)


# -- HaVips --------------------------------------------------------------------------------------------------------
def ha_vips(client, *filters: tuple[str, list[str]], **kw) -> dict:
    body = client.describe_ha_vips(models.DescribeHaVipsRequest(region_id=REGION, filter=[
        models.DescribeHaVipsRequestFilter(key=k, value=v) for k, v in filters], **kw)).body.to_map()
    assert response_problems("DescribeHaVips", body) == []
    return body


def one_ha_vip(client, ha_vip_id: str) -> dict:
    [item] = ha_vips(client, ("HaVipId", [ha_vip_id]))["HaVips"]["HaVip"]
    return item


def test_ha_vip_takes_an_address_of_its_vswitch_and_shares_it_with_two_instances(client, engine):
    vpc, vswitch, sg = network(client)
    [first, second, third] = run(client, v_switch_id=vswitch, security_group_id=sg, amount=3)
    addresses = {describe(client, i)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for i in (first, second)}
    ha_vip_id = client.create_ha_vip(models.CreateHaVipRequest(
        region_id=REGION, v_switch_id=vswitch, description="keepalived pair", client_token="havip-1")).body.ha_vip_id
    assert ha_vip_id.startswith("havip-bp1") and len(ha_vip_id) == 26
    assert client.create_ha_vip(models.CreateHaVipRequest(  # (idempotent)
        region_id=REGION, v_switch_id=vswitch, description="keepalived pair", client_token="havip-1")).body \
        .ha_vip_id == ha_vip_id
    item = one_ha_vip(client, ha_vip_id)
    assert item["IpAddress"].startswith("192.168.1.") and item["IpAddress"] not in addresses
    assert {k: item[k] for k in ("Status", "VpcId", "VSwitchId", "Description", "MasterInstanceId", "RegionId",
                                 "AssociatedInstances", "AssociatedEipAddresses")} == {
        "Status": "Available", "VpcId": vpc, "VSwitchId": vswitch, "Description": "keepalived pair",
        "MasterInstanceId": "", "RegionId": REGION, "AssociatedInstances": {"associatedInstance": []},
        "AssociatedEipAddresses": {"associatedEipAddresse": []}}
    # an address asked for is taken as an instance's would be
    err = error_of(client.create_ha_vip, models.CreateHaVipRequest(region_id=REGION, v_switch_id=vswitch,
                                                                    ip_address=item["IpAddress"]))
    assert err.code == "InvalidIPAddress.AlreadyUsed"
    assert_documented("CreateHaVip", err)
    for instance_id in (first, second):
        client.associate_ha_vip(models.AssociateHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id,
                                                             instance_id=instance_id))
    item = one_ha_vip(client, ha_vip_id)
    assert (item["Status"], item["AssociatedInstances"]["associatedInstance"]) == ("InUse", [first, second])
    err = error_of(client.associate_ha_vip, models.AssociateHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id,
                                                                         instance_id=third))
    assert err.code == "CountLimitExceeded.HaVipOnECSInstance"  # (two instances at most, documented)
    assert_documented("AssociateHaVip", err)
    err = error_of(client.delete_ha_vip, models.DeleteHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id))
    assert err.code == "IncorrectStatus"
    assert_documented("DeleteHaVip", err)
    # keepalived made the first the master: it leaves only with Force
    havips.announce(engine, ha_vip_id, first)
    assert one_ha_vip(client, ha_vip_id)["MasterInstanceId"] == first
    err = error_of(client.unassociate_ha_vip, models.UnassociateHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id,
                                                                             instance_id=first))
    assert err.code == "Forbidden.UnassociateMaster"
    assert_documented("UnassociateHaVip", err)
    client.unassociate_ha_vip(models.UnassociateHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id, instance_id=first,
                                                             force="true"))
    item = one_ha_vip(client, ha_vip_id)
    assert (item["Status"], item["AssociatedInstances"]["associatedInstance"], item["MasterInstanceId"]) == \
        ("InUse", [second], "")
    # a released instance leaves its HaVips
    client.delete_instance(models.DeleteInstanceRequest(instance_id=second, force=True))
    assert one_ha_vip(client, ha_vip_id)["Status"] == "Available"
    err = error_of(client.delete_vswitch, models.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vswitch))
    assert err.code == "DependencyViolation"  # (the HaVip holds one of its addresses)
    client.modify_ha_vip_attribute(models.ModifyHaVipAttributeRequest(region_id=REGION, ha_vip_id=ha_vip_id,
                                                                      description="standby"))
    assert one_ha_vip(client, ha_vip_id)["Description"] == "standby"
    client.delete_ha_vip(models.DeleteHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id))
    assert ha_vips(client, ("VpcId", [vpc]))["HaVips"]["HaVip"] == []
    err = error_of(client.delete_ha_vip, models.DeleteHaVipRequest(region_id=REGION, ha_vip_id=ha_vip_id))
    assert err.code == "InvalidHaVipId.NotFound"
    assert_documented("DeleteHaVip", err)


def test_ha_vip_errors_and_filters(client):
    vpc, vswitch, sg = network(client)
    other = new_vswitch(client, vpc, cidr_block="192.168.2.0/24", zone_id=ZONE)
    [elsewhere] = run(client, v_switch_id=other, security_group_id=sg)
    cases = [
        (dict(v_switch_id=vswitch, ip_address="10.0.0.5"), "InvalidIPAddress.OutOfRange"),
        (dict(v_switch_id=vswitch, ip_address="192.168.1.255"), "InvalidIPAddress.NotAvailable"),
        (dict(v_switch_id=vswitch, ip_address="192.168.1.x"), "InvalidIPAddress.Malformed"),
        (dict(v_switch_id="vsw-nothere"), "InvalidVSwitchId.NotFound"),
        (dict(v_switch_id=vswitch, description="http://x"), "InvalidDescription.Malformed"),
    ]
    for kw, code in cases:
        err = error_of(client.create_ha_vip, models.CreateHaVipRequest(region_id=REGION, **kw))
        assert err.code == code, kw
        assert_documented("CreateHaVip", err)
    made = [client.create_ha_vip(models.CreateHaVipRequest(region_id=REGION, v_switch_id=v)).body.ha_vip_id
            for v in (vswitch, vswitch, other)]
    assert client.create_ha_vip(models.CreateHaVipRequest(region_id=REGION, v_switch_id=vswitch,
                                                          ip_address="192.168.1.200")).body.ha_vip_id
    err = error_of(client.associate_ha_vip, models.AssociateHaVipRequest(region_id=REGION, ha_vip_id=made[0],
                                                                         instance_id=elsewhere))
    assert err.code == "InvalidVSwitchId.Mismatch"  # [GUESS] (another vSwitch's instance)
    err = error_of(client.associate_ha_vip, models.AssociateHaVipRequest(region_id=REGION, ha_vip_id=made[0],
                                                                         instance_id="i-nothere"))
    assert err.code == "InvalidInstanceId.NotFound"
    assert_documented("AssociateHaVip", err)
    err = error_of(client.unassociate_ha_vip, models.UnassociateHaVipRequest(region_id=REGION, ha_vip_id=made[2],
                                                                             instance_id=elsewhere))
    assert err.code == "IncorrectHaVipStatus"  # (not InUse)
    assert_documented("UnassociateHaVip", err)
    assert [h["HaVipId"] for h in ha_vips(client, ("VSwitchId", [other]))["HaVips"]["HaVip"]] == [made[2]]
    assert ha_vips(client, ("VpcId", [vpc]), ("Status", ["Available"]), page_size=2)["TotalCount"] == 4
    by_address = ha_vips(client, ("HaVipAddress", ["192.168.1.200"]))["HaVips"]["HaVip"]
    assert [h["IpAddress"] for h in by_address] == ["192.168.1.200"]
    err = error_of(client.describe_ha_vips, models.DescribeHaVipsRequest(region_id=REGION, filter=[
        models.DescribeHaVipsRequestFilter(key="Name", value=["x"])]))
    assert err.code == "InvalidFilterKey.ValueNotSupported"
    assert_documented("DescribeHaVips", err)
    err = error_of(client.describe_ha_vips, models.DescribeHaVipsRequest(region_id=REGION))
    assert err.code == "MissingParameter"  # (Filter is required by ECS's metadata)


def test_ha_vip_through_the_old_sdk_in_xml_and_async(client, legacy):
    vpc, vswitch, sg = network(client)
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)
    ha_vip_id = client.create_ha_vip(models.CreateHaVipRequest(region_id=REGION, v_switch_id=vswitch)).body.ha_vip_id
    request = AssociateHaVipRequest()
    request.set_HaVipId(ha_vip_id)
    request.set_InstanceId(instance_id)
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    root = legacy_xml(legacy, request)  # again: already associated
    assert (root.tag, root.findtext("Code")) == ("Error", "InvalidHaVip.Exist")

    async def listing() -> dict:
        return (await client.describe_ha_vips_async(models.DescribeHaVipsRequest(region_id=REGION, filter=[
            models.DescribeHaVipsRequestFilter(key="HaVipId", value=[ha_vip_id])]))).body.to_map()

    [item] = asyncio.run(listing())["HaVips"]["HaVip"]
    assert item["AssociatedInstances"] == {"associatedInstance": [instance_id]}


def test_ha_vip_is_one_record_for_both_apis_with_eips_and_routes(client, mock):
    vpc_api = vpc_client()
    vpc, vswitch, sg = network(client)
    created = vpc_api.create_ha_vip(vm.CreateHaVipRequest(region_id=REGION, v_switch_id=vswitch, name="ha-web",
                                                          description="web pair")).body
    item = one_ha_vip(client, created.ha_vip_id)  # ECS sees what the VPC API made (its own fields only)
    assert item["IpAddress"] == created.ip_address and "Name" not in item
    eni = create_eni(client, vswitch, sg).network_interface_id
    vpc_api.associate_ha_vip(vm.AssociateHaVipRequest(region_id=REGION, ha_vip_id=created.ha_vip_id,
                                                      instance_id=eni, instance_type="NetworkInterface"))
    allocation = vpc_api.allocate_eip_address(vm.AllocateEipAddressRequest(region_id=REGION)).body
    vpc_api.associate_eip_address(vm.AssociateEipAddressRequest(
        region_id=REGION, allocation_id=allocation.allocation_id, instance_id=created.ha_vip_id, instance_type="HaVip"))
    table = vpc_api.describe_route_table_list(vm.DescribeRouteTableListRequest(region_id=REGION, vpc_id=vpc)).body \
        .router_table_list.router_table_list_type[0].route_table_id
    vpc_api.create_route_entry(vm.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=table, destination_cidr_block="10.10.0.0/16", next_hop_type="HaVip",
        next_hop_id=created.ha_vip_id))
    [seen] = vpc_api.describe_ha_vips(vm.DescribeHaVipsRequest(region_id=REGION, filter=[
        vm.DescribeHaVipsRequestFilter(key="HaVipId", value=[created.ha_vip_id])])).body.to_map()["HaVips"]["HaVip"]
    assert (seen["Name"], seen["AssociatedInstanceType"], seen["AssociatedInstances"], seen["Status"],
            seen["AssociatedEipAddresses"]) == ("ha-web", "NetworkInterface", {"associatedInstance": [eni]}, "InUse",
                                                {"associatedEipAddresse": [allocation.eip_address]})
    client.unassociate_ha_vip(models.UnassociateHaVipRequest(region_id=REGION, ha_vip_id=created.ha_vip_id,
                                                             instance_id=eni))
    err = error_of(client.delete_ha_vip, models.DeleteHaVipRequest(region_id=REGION, ha_vip_id=created.ha_vip_id))
    assert err.code == "DependencyViolation.HaVipAssociatedWithEIP"
    assert_documented("DeleteHaVip", err)
    vpc_api.unassociate_eip_address(vm.UnassociateEipAddressRequest(region_id=REGION,
                                                                    allocation_id=allocation.allocation_id))
    err = error_of(client.delete_ha_vip, models.DeleteHaVipRequest(region_id=REGION, ha_vip_id=created.ha_vip_id))
    assert err.code == "DependencyViolation.HaVipReferedByRouteEntry"
    assert_documented("DeleteHaVip", err)


# -- NAT gateways, DNAT entries, bandwidth packages ----------------------------------------------------------------
def nat(client, vpc: str, **package) -> models.CreateNatGatewayResponseBody:
    return client.create_nat_gateway(models.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc, bandwidth_package=[
        models.CreateNatGatewayRequestBandwidthPackage(**{"ip_count": 2, "bandwidth": 10, **package})])).body


def packages(client, **kw) -> list[dict]:
    body = client.describe_bandwidth_packages(models.DescribeBandwidthPackagesRequest(region_id=REGION, **kw)).body
    assert response_problems("DescribeBandwidthPackages", body.to_map()) == []
    return body.to_map()["BandwidthPackages"]["BandwidthPackage"]


def test_ecs_nat_gateway_with_its_bandwidth_package_and_dnat_entries(client):
    vpc, vswitch, sg = network(client)
    made = nat(client, vpc, zone=ZONE)
    [package_id] = made.bandwidth_package_ids.bandwidth_package_id
    [table] = made.forward_table_ids.forward_table_id
    body = client.describe_nat_gateways(models.DescribeNatGatewaysRequest(region_id=REGION, vpc_id=vpc)).body.to_map()
    assert response_problems("DescribeNatGateways", body) == []
    [gateway] = body["NatGateways"]["NatGateway"]
    assert (gateway["NatGatewayId"], gateway["Status"], gateway["BandwidthPackageIds"], gateway["ForwardTableIds"]) \
        == (made.nat_gateway_id, "Available", {"BandwidthPackageId": [package_id]}, {"ForwardTableId": [table]})
    [package] = packages(client, nat_gateway_id=made.nat_gateway_id)
    assert (package["IpCount"], package["Bandwidth"], package["ZoneId"], package["BandwidthPackageId"]) == \
        ("2", "10", ZONE, package_id)
    ips = [a["IpAddress"] for a in package["PublicIpAddresses"]["PublicIpAddresse"]]
    assert len(set(ips)) == 2
    entry_id = client.create_forward_entry(models.CreateForwardEntryRequest(
        region_id=REGION, forward_table_id=table, external_ip=ips[0], external_port="80", internal_ip="192.168.1.10",
        internal_port="8080", ip_protocol="TCP")).body.forward_entry_id
    entries = client.describe_forward_table_entries(models.DescribeForwardTableEntriesRequest(
        region_id=REGION, forward_table_id=table)).body.to_map()
    assert response_problems("DescribeForwardTableEntries", entries) == []
    assert entries["ForwardTableEntries"]["ForwardTableEntry"] == [{
        "ForwardEntryId": entry_id, "ForwardTableId": table, "ExternalIp": ips[0], "ExternalPort": "80",
        "InternalIp": "192.168.1.10", "InternalPort": "8080", "IpProtocol": "TCP", "Status": "Available"}]
    client.modify_forward_entry(models.ModifyForwardEntryRequest(region_id=REGION, forward_table_id=table,
                                                                 forward_entry_id=entry_id, internal_port="8081"))
    # one gateway record for both APIs: the VPC API shows the standard gateway with its package's addresses
    [seen] = vpc_client().describe_nat_gateways(vm.DescribeNatGatewaysRequest(
        region_id=REGION, nat_gateway_id=made.nat_gateway_id)).body.to_map()["NatGateways"]["NatGateway"]
    assert seen["NatType"] == "Normal" and [i["IpAddress"] for i in seen["IpLists"]["IpList"]] == ips
    # dependencies, each in ECS's words
    for call, request, code, action in (
            (client.delete_nat_gateway, models.DeleteNatGatewayRequest(region_id=REGION,
                                                                       nat_gateway_id=made.nat_gateway_id),
             "DependencyViolation.BandwidthPackages", "DeleteNatGateway"),
            (client.delete_bandwidth_package, models.DeleteBandwidthPackageRequest(
                region_id=REGION, bandwidth_package_id=package_id), "DependencyViolation.ForwardEntry",
             "DeleteBandwidthPackage"),
            (client.remove_bandwidth_package_ips, models.RemoveBandwidthPackageIpsRequest(
                region_id=REGION, bandwidth_package_id=package_id, removed_ip_addresses=[ips[0]]),
             "DependencyViolation.ForwardEntry", "RemoveBandwidthPackageIps"),
            (client.remove_bandwidth_package_ips, models.RemoveBandwidthPackageIpsRequest(
                region_id=REGION, bandwidth_package_id=package_id, removed_ip_addresses=ips),
             "DependencyViolation.ForwardEntry", "RemoveBandwidthPackageIps"),
            (client.create_nat_gateway, models.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc, bandwidth_package=[
                models.CreateNatGatewayRequestBandwidthPackage(ip_count=1, bandwidth=5)]),
             "OperationUnsupported.MultiNatGateway", "CreateNatGateway")):
        err = error_of(call, request)
        assert err.code == code, action
        assert_documented(action, err)
    client.delete_forward_entry(models.DeleteForwardEntryRequest(region_id=REGION, forward_table_id=table,
                                                                 forward_entry_id=entry_id))
    client.add_bandwidth_package_ips(models.AddBandwidthPackageIpsRequest(
        region_id=REGION, bandwidth_package_id=package_id, ip_count="3"))
    err = error_of(client.add_bandwidth_package_ips, models.AddBandwidthPackageIpsRequest(
        region_id=REGION, bandwidth_package_id=package_id, ip_count="1"))
    assert err.code == "QuotaExceeded.BandwidthPackageIps"  # [GUESS] five addresses per package
    assert_documented("AddBandwidthPackageIps", err)
    client.remove_bandwidth_package_ips(models.RemoveBandwidthPackageIpsRequest(
        region_id=REGION, bandwidth_package_id=package_id, removed_ip_addresses=ips))
    client.modify_bandwidth_package_spec(models.ModifyBandwidthPackageSpecRequest(
        region_id=REGION, bandwidth_package_id=package_id, bandwidth="50"))
    [package] = packages(client, bandwidth_package_id=package_id)
    assert (package["IpCount"], package["Bandwidth"]) == ("3", "50")
    assert not {a["IpAddress"] for a in package["PublicIpAddresses"]["PublicIpAddresse"]} & set(ips)
    err = error_of(client.remove_bandwidth_package_ips, models.RemoveBandwidthPackageIpsRequest(
        region_id=REGION, bandwidth_package_id=package_id,
        removed_ip_addresses=[a["IpAddress"] for a in package["PublicIpAddresses"]["PublicIpAddresse"]]))
    assert err.code == "InvalidIpCount.ValueNotSupported"
    assert_documented("RemoveBandwidthPackageIps", err)
    client.delete_bandwidth_package(models.DeleteBandwidthPackageRequest(region_id=REGION,
                                                                         bandwidth_package_id=package_id))
    client.delete_nat_gateway(models.DeleteNatGatewayRequest(region_id=REGION, nat_gateway_id=made.nat_gateway_id))
    assert client.describe_nat_gateways(models.DescribeNatGatewaysRequest(region_id=REGION)).body.total_count == 0


def test_ecs_nat_errors_and_the_old_sdk(client, legacy):
    vpc, vswitch, sg = network(client)
    for request, code in (
            (models.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc), "MissingParameter.BandwidthPackage"),
            (models.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc, bandwidth_package=[
                models.CreateNatGatewayRequestBandwidthPackage(ip_count=0, bandwidth=5)]), "ParameterIllegal"),
            (models.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc, bandwidth_package=[
                models.CreateNatGatewayRequestBandwidthPackage(ip_count=1, bandwidth=5, zone="cn-nowhere-z")]),
             "InvalidZoneId.NotFound"),
            (models.CreateNatGatewayRequest(region_id=REGION, vpc_id="vpc-nothere", bandwidth_package=[
                models.CreateNatGatewayRequestBandwidthPackage(ip_count=1, bandwidth=5)]), "InvalidVpcId.NotFound")):
        err = error_of(client.create_nat_gateway, request)
        assert err.code == code
        assert_documented("CreateNatGateway", err)
    made = nat(client, vpc)
    [table] = made.forward_table_ids.forward_table_id
    for request, code in (
            (dict(external_ip="1.2.3.4"), "InvalidExternalIp.NotFound"),
            (dict(ip_protocol="ICMP"), "InvalidProtocal.ValueNotSupported"),
            (dict(internal_ip="10.9.9.9"), "Forbidden.InternalIpOutOfVpcCIDR"),
            (dict(external_port="0"), "InvalidExternalPort.Malformed")):
        [ip] = [a["IpAddress"] for a in packages(client)[0]["PublicIpAddresses"]["PublicIpAddresse"]][:1]
        args = {"external_ip": ip, "external_port": "22", "internal_ip": "192.168.1.9", "internal_port": "22",
                "ip_protocol": "TCP", **request}
        err = error_of(client.create_forward_entry, models.CreateForwardEntryRequest(
            region_id=REGION, forward_table_id=table, **args))
        assert err.code == code
        assert_documented("CreateForwardEntry", err)
    err = error_of(client.describe_forward_table_entries, models.DescribeForwardTableEntriesRequest(
        region_id=REGION, forward_table_id="ftb-nothere"))
    assert err.code == "InvalidForwardTableId.NotFound"
    assert_documented("DescribeForwardTableEntries", err)
    err = error_of(client.modify_bandwidth_package_spec, models.ModifyBandwidthPackageSpecRequest(
        region_id=REGION, bandwidth_package_id=made.bandwidth_package_ids.bandwidth_package_id[0], bandwidth="x"))
    assert err.code == "IllegalParam.Bandwidth"
    assert_documented("ModifyBandwidthPackageSpec", err)
    request = DescribeBandwidthPackagesRequest()
    request.set_NatGatewayId(made.nat_gateway_id)
    body = legacy_call(legacy, request)
    assert [p["BandwidthPackageId"] for p in body["BandwidthPackages"]["BandwidthPackage"]] == \
        made.bandwidth_package_ids.bandwidth_package_id
    assert body["BandwidthPackages"]["BandwidthPackage"][0]["IpCount"] == "2"  # (a string, as documented)


# -- network interface permissions -------------------------------------------------------------------------------
def test_network_interface_permissions(client):
    vpc, vswitch, sg = network(client)
    eni = create_eni(client, vswitch, sg).network_interface_id
    made = client.create_network_interface_permission(models.CreateNetworkInterfacePermissionRequest(
        region_id=REGION, account_id=1234567890123, network_interface_id=eni, permission="InstanceAttach")).body
    assert response_problems("CreateNetworkInterfacePermission", made.to_map()) == []
    permission = made.network_interface_permission
    assert permission.network_interface_permission_id.startswith("eni-perm-bp1")
    assert (permission.account_id, permission.permission_state) == (1234567890123, "Granted")
    permission_id = permission.network_interface_permission_id
    for request in (models.DescribeNetworkInterfacePermissionsRequest(region_id=REGION, network_interface_id=eni),
                    models.DescribeNetworkInterfacePermissionsRequest(
                        region_id=REGION, network_interface_permission_id=[permission_id])):
        body = client.describe_network_interface_permissions(request).body.to_map()
        assert response_problems("DescribeNetworkInterfacePermissions", body) == []
        assert body["NetworkInterfacePermissions"]["NetworkInterfacePermission"] == [made.to_map()[
            "NetworkInterfacePermission"]]
    for request, code in (
            (dict(account_id=1234567890123, network_interface_id=eni, permission="InstanceAttach"),
             "InvalidOperation.PermissionExisted"),
            (dict(account_id=1234567890123, network_interface_id="eni-nothere", permission="InstanceAttach"),
             "InvalidEniId.NotFound"),
            (dict(account_id=42, network_interface_id=eni, permission="Detach"), "InvalidParameter")):
        err = error_of(client.create_network_interface_permission,
                       models.CreateNetworkInterfacePermissionRequest(region_id=REGION, **request))
        assert err.code == code
        assert_documented("CreateNetworkInterfacePermission", err)
    err = error_of(client.describe_network_interface_permissions,
                   models.DescribeNetworkInterfacePermissionsRequest(region_id=REGION))
    assert err.code == "MissingParameter"
    err = error_of(client.describe_network_interface_permissions, models.DescribeNetworkInterfacePermissionsRequest(
        region_id=REGION, network_interface_id="eni-nothere"))
    assert err.code == "InvalidEniId.NotFound"
    assert_documented("DescribeNetworkInterfacePermissions", err)
    client.delete_network_interface_permission(models.DeleteNetworkInterfacePermissionRequest(
        region_id=REGION, network_interface_permission_id=permission.network_interface_permission_id, force=True))
    err = error_of(client.delete_network_interface_permission, models.DeleteNetworkInterfacePermissionRequest(
        region_id=REGION, network_interface_permission_id=permission.network_interface_permission_id))
    assert err.code == "InvalidEniPermissionId.NotFound"
    assert_documented("DeleteNetworkInterfacePermission", err)
    again = client.create_network_interface_permission(models.CreateNetworkInterfacePermissionRequest(
        region_id=REGION, account_id=7, network_interface_id=eni, permission="InstanceAttach")).body
    client.delete_network_interface(models.DeleteNetworkInterfaceRequest(region_id=REGION, network_interface_id=eni))
    assert client.describe_network_interface_permissions(models.DescribeNetworkInterfacePermissionsRequest(
        region_id=REGION, network_interface_permission_id=[
            again.network_interface_permission.network_interface_permission_id])).body.total_count == 0


# -- the VPC's router, ClassicLink, the rest ---------------------------------------------------------------------
def test_vrouters_on_both_apis(client, mock):
    vpc = new_vpc(client, cidr_block="192.168.0.0/16")
    body = client.describe_vrouters(models.DescribeVRoutersRequest(region_id=REGION)).body.to_map()
    assert response_problems("DescribeVRouters", body) == []
    [router] = body["VRouters"]["VRouter"]
    assert router["VpcId"] == vpc and router["VRouterName"] == "" and len(router["RouteTableIds"]["RouteTableId"]) == 1
    client.modify_vrouter_attribute(models.ModifyVRouterAttributeRequest(
        region_id=REGION, vrouter_id=router["VRouterId"], vrouter_name="core-router", description="the VPC's"))
    [seen] = vpc_client().describe_vrouters(vm.DescribeVRoutersRequest(
        region_id=REGION, vrouter_id=router["VRouterId"])).body.to_map()["VRouters"]["VRouter"]
    assert (seen["VRouterName"], seen["Description"]) == ("core-router", "the VPC's")
    for kw, code in ((dict(vrouter_id="vrt-nothere"), "InvalidVRouterId.NotFound"),
                     (dict(vrouter_id=router["VRouterId"], vrouter_name="1bad"), "InvalidVRouterName.Malformed"),
                     (dict(vrouter_id=router["VRouterId"], description="http://x"),
                      "InvalidVRouterDiscription.Malformed")):
        err = error_of(client.modify_vrouter_attribute, models.ModifyVRouterAttributeRequest(region_id=REGION, **kw))
        assert err.code == code
        assert_documented("ModifyVRouterAttribute", err)


def test_classic_link(client, mock):
    vpc = new_vpc(client, cidr_block="192.168.0.0/16")
    [classic] = run(client)
    assert describe(client, classic)["InstanceNetworkType"] == "classic"
    attach = models.AttachClassicLinkVpcRequest(region_id=REGION, instance_id=classic, vpc_id=vpc)
    err = error_of(client.attach_classic_link_vpc, attach)
    assert err.code == "OperationDenied"  # (the VPC's ClassicLink is off)
    assert_documented("AttachClassicLinkVpc", err)
    vpc_api = vpc_client()
    vpc_api.enable_vpc_classic_link(vm.EnableVpcClassicLinkRequest(region_id=REGION, vpc_id=vpc))
    assert vpc_api.describe_vpc_attribute(vm.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=vpc)).body \
        .classic_link_enabled is True
    client.attach_classic_link_vpc(attach)
    body = client.describe_classic_link_instances(models.DescribeClassicLinkInstancesRequest(
        region_id=REGION, vpc_id=vpc)).body.to_map()
    assert response_problems("DescribeClassicLinkInstances", body) == []
    assert (body["Links"]["Link"], body["TotalCount"], body["PageSize"]) == (
        [{"InstanceId": classic, "VpcId": vpc}], 1, 10)
    err = error_of(client.describe_classic_link_instances, models.DescribeClassicLinkInstancesRequest(
        region_id=REGION))
    assert err.code == "InvalidParameter.InvalidInstanceIdAndVpcId"
    assert_documented("DescribeClassicLinkInstances", err)
    _, vswitch, sg = network(client)
    [in_vpc] = run(client, v_switch_id=vswitch, security_group_id=sg)
    err = error_of(client.attach_classic_link_vpc, models.AttachClassicLinkVpcRequest(
        region_id=REGION, instance_id=in_vpc, vpc_id=vpc))
    assert err.code == "InvalidInstanceId.MalFormed"
    assert_documented("AttachClassicLinkVpc", err)
    client.detach_classic_link_vpc(models.DetachClassicLinkVpcRequest(region_id=REGION, instance_id=classic,
                                                                      vpc_id=vpc))
    err = error_of(client.detach_classic_link_vpc, models.DetachClassicLinkVpcRequest(
        region_id=REGION, instance_id=classic, vpc_id=vpc))
    assert err.code == "InvalidOperation.InvalidVpc"
    assert_documented("DetachClassicLinkVpc", err)
    client.attach_classic_link_vpc(attach)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=classic, force=True))  # (its link goes with it)
    assert client.describe_classic_link_instances(models.DescribeClassicLinkInstancesRequest(
        region_id=REGION, vpc_id=vpc)).body.total_count == 0


def test_clusters_and_user_business_behavior(client):
    assert client.describe_clusters(models.DescribeClustersRequest(region_id=REGION)).body.to_map()["Clusters"] == \
        {"Cluster": []}
    ask = models.DescribeUserBusinessBehaviorRequest(region_id=REGION, status_key="renewal-notice")
    assert client.describe_user_business_behavior(ask).body.status_value == ""
    client.modify_user_business_behavior(models.ModifyUserBusinessBehaviorRequest(
        region_id=REGION, status_key="renewal-notice", status_value="off"))
    assert client.describe_user_business_behavior(ask).body.status_value == "off"
    err = error_of(client.describe_user_business_behavior, models.DescribeUserBusinessBehaviorRequest(
        region_id=REGION))
    assert err.code == "InvalidParams"
    assert_documented("DescribeUserBusinessBehavior", err)


def test_ha_vip_tags_and_resource_group_on_the_vpc_api(client, engine):
    vpc_api = vpc_client()
    _, vswitch, _ = network(client)
    tagged = vpc_api.create_ha_vip(vm.CreateHaVipRequest(region_id=REGION, v_switch_id=vswitch, tag=[
        vm.CreateHaVipRequestTag(key="team", value="web")])).body.ha_vip_id
    plain = vpc_api.create_ha_vip(vm.CreateHaVipRequest(region_id=REGION, v_switch_id=vswitch)).body.ha_vip_id
    vpc_api.tag_resources(vm.TagResourcesRequest(region_id=REGION, resource_type="HAVIP", resource_id=[plain],
                                                 tag=[vm.TagResourcesRequestTag(key="team", value="db")]))
    rows = vpc_api.list_tag_resources(vm.ListTagResourcesRequest(
        region_id=REGION, resource_type="HAVIP", resource_id=[tagged, plain])).body.to_map()["TagResources"]
    assert sorted((r["ResourceId"], r["TagValue"], r["ResourceType"]) for r in rows["TagResource"]) == sorted(
        [(tagged, "web", "HAVIP"), (plain, "db", "HAVIP")])

    def listed(**kw) -> list[str]:
        body = vpc_api.describe_ha_vips(vm.DescribeHaVipsRequest(region_id=REGION, **kw)).body.to_map()
        return [h["HaVipId"] for h in body["HaVips"]["HaVip"]]

    assert listed(tags=[vm.DescribeHaVipsRequestTags(key="team", value="db")]) == [plain]
    group = resource_groups.add(engine, name="ha")
    vpc_api.move_resource_group(vm.MoveResourceGroupRequest(region_id=REGION, resource_id=tagged,
                                                            resource_type="HaVip", new_resource_group_id=group))
    assert listed(resource_group_id=group) == [tagged]
    assert listed() == [tagged, plain]  # (no filter: a page of the ordered index)


@pytest.mark.parametrize("action", ["EipFillParams", "EipFillProduct", "EipNotifyPaid"])
def test_eip_order_callbacks(client, legacy, action):
    """In neither SDK: a common request of each, answered in the metadata's own lower-case fields."""
    params = open_api_models.Params(action=action, version="2014-05-26", protocol="HTTPS", pathname="/",
                                    method="POST", auth_type="AK", style="RPC", req_body_type="formData",
                                    body_type="json")
    body = client.call_api(params, open_api_models.OpenApiRequest(query={"data": '{"orderId": 1}'}),
                           util_models.RuntimeOptions())["body"]
    assert response_problems(action, body) == []
    assert (body["code"], body["success"], body["data"], body["requestId"]) == (
        "200", True, '{"orderId": 1}', body["RequestId"])
    request = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26", action_name=action)
    request.add_query_param("RegionId", "xx-nowhere-1")
    request.add_query_param("data", "{}")
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, request)
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("InvalidRegionId.NotFound", 404)
    assert_documented(action, info.value)
    request = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26", action_name=action)
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, request)
    assert info.value.get_error_code() == "MissingParameter"


LEGACY_MODULES = ("havips", "legacy_nat", "legacy_network", "network_interface_permissions", "express_connect")


def _documenting_region(action: str) -> bool:
    return documented_error(action, "InvalidRegionId.NotFound") not in (None, (404, " "))


@pytest.mark.parametrize("action", sorted(a for a, op in REGISTRY.items()
                                           if op.handler.__module__.rsplit(".", 1)[-1] in LEGACY_MODULES))
def test_unknown_region_in_each_operations_words(legacy, action):
    if not _documenting_region(action):
        pytest.skip("the metadata documents no words for an unknown region")
    request = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26", action_name=action)
    request.add_query_param("RegionId", "xx-nowhere-1")
    for param in REGISTRY[action].required:  # (present, so the region is what is refused)
        key = param.wire + (".1" if param.kind == "list" else ".1.IpCount" if param.kind == "structs" else "")
        request.add_query_param(key, "1" if param.kind in ("int", "long", "structs") else "x")
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, request)
    assert info.value.get_error_code() == "InvalidRegionId.NotFound"
    assert_documented(action, info.value)


@pytest.mark.parametrize("page", ["²", "٣", "9" * 4400, "0", "-1"])
def test_classic_link_pages_refuse_odd_digits_with_the_documented_code(client, page):
    """PageNumber and PageSize are strings here: '²' and '٣' pass str.isdigit() and a 4,400-digit number passes it
    too, but int() refuses all three (the fuzz benchmark found the 500 this gave)."""
    for field in ("page_number", "page_size"):
        err = error_of(client.describe_classic_link_instances, models.DescribeClassicLinkInstancesRequest(
            region_id=REGION, vpc_id="vpc-bp1nothere0000000000", **{field: page}))
        codes = {"page_number": "InvalidParameter.PageNumber", "page_size": "InvalidParameter.PageSize"}
        assert err.code == codes[field]
        assert_documented("DescribeClassicLinkInstances", err)

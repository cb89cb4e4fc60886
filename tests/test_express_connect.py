"""Express Connect on ECS's API: physical connections, virtual border routers and router interfaces, records and
state machines (mockecs.world.express_connect), through the current SDK, the old SDK and XML; each operation's
documented codes, statuses and words."""
from __future__ import annotations

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.DescribeRouterInterfacesRequest import DescribeRouterInterfacesRequest
from aliyunsdkecs.request.v20140526.EnablePhysicalConnectionRequest import EnablePhysicalConnectionRequest

from tests.networks_helpers import new_vpc
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, assert_documented

ACCESS_POINT = "ap-cn-hangzhou-yh-B"


def line(client, **kw) -> str:
    args = {"access_point_id": ACCESS_POINT, "line_operator": "CT", "peer_location": "Hangzhou IDC", **kw}
    return client.create_physical_connection(models.CreatePhysicalConnectionRequest(region_id=REGION, **args)).body \
        .physical_connection_id


def lines(client, *filters: tuple[str, list[str]]) -> list[dict]:
    body = client.describe_physical_connections(models.DescribePhysicalConnectionsRequest(region_id=REGION, filter=[
        models.DescribePhysicalConnectionsRequestFilter(key=k, value=v) for k, v in filters])).body.to_map()
    assert response_problems("DescribePhysicalConnections", body) == []
    return body["PhysicalConnectionSet"]["PhysicalConnectionType"]


def vbrs(client, *filters: tuple[str, list[str]]) -> list[dict]:
    body = client.describe_virtual_border_routers(models.DescribeVirtualBorderRoutersRequest(region_id=REGION, filter=[
        models.DescribeVirtualBorderRoutersRequestFilter(key=k, value=v) for k, v in filters])).body.to_map()
    assert response_problems("DescribeVirtualBorderRouters", body) == []
    return body["VirtualBorderRouterSet"]["VirtualBorderRouterType"]


def interfaces(client, *filters: tuple[str, list[str]]) -> list[dict]:
    body = client.describe_router_interfaces(models.DescribeRouterInterfacesRequest(region_id=REGION, filter=[
        models.DescribeRouterInterfacesRequestFilter(key=k, value=v) for k, v in filters])).body.to_map()
    assert response_problems("DescribeRouterInterfaces", body) == []
    return body["RouterInterfaceSet"]["RouterInterfaceType"]


def enabled_line(client) -> str:
    line_id = line(client)
    client.enable_physical_connection(models.EnablePhysicalConnectionRequest(
        region_id=REGION, physical_connection_id=line_id, client_token=f"enable-{line_id}"))
    return line_id


def vbr(client, line_id: str, vlan_id: int = 10, **kw) -> str:
    return client.create_virtual_border_router(models.CreateVirtualBorderRouterRequest(
        region_id=REGION, physical_connection_id=line_id, vlan_id=vlan_id, **kw)).body.vbr_id


def interface(client, **kw) -> str:
    return client.create_router_interface(models.CreateRouterInterfaceRequest(region_id=REGION, **kw)).body \
        .router_interface_id


def test_physical_connection_life(client):
    line_id = line(client, name="line-1", port_type="10GBase-LR", bandwidth=1000)
    assert line_id.startswith("pc-bp1")
    [item] = lines(client, ("PhysicalConnectionId", [line_id]))
    assert {k: item[k] for k in ("Status", "AccessPointId", "LineOperator", "PortType", "Spec", "Bandwidth", "Name",
                                 "Type", "EnabledTime")} == {
        "Status": "Allocated", "AccessPointId": ACCESS_POINT, "LineOperator": "CT", "PortType": "10GBase-LR",
        "Spec": "10G", "Bandwidth": 1000, "Name": "line-1", "Type": "VPC", "EnabledTime": ""}
    client.modify_physical_connection_attribute(models.ModifyPhysicalConnectionAttributeRequest(
        region_id=REGION, physical_connection_id=line_id, bandwidth=2000, description="main line"))
    client.enable_physical_connection(models.EnablePhysicalConnectionRequest(
        region_id=REGION, physical_connection_id=line_id, client_token="e1"))
    [item] = lines(client, ("Status", ["Enabled"]))
    assert (item["Bandwidth"], item["Description"], item["EnabledTime"] != "") == (2000, "main line", True)
    for call, request, code, action in (
            (client.cancel_physical_connection, models.CancelPhysicalConnectionRequest(
                region_id=REGION, physical_connection_id=line_id), "Forbidden.NotAllowedInState",
             "CancelPhysicalConnection"),
            (client.delete_physical_connection, models.DeletePhysicalConnectionRequest(
                region_id=REGION, physical_connection_id=line_id), "Forbidden.NotAllowedInState",
             "DeletePhysicalConnection"),
            (client.modify_physical_connection_attribute, models.ModifyPhysicalConnectionAttributeRequest(
                region_id=REGION, physical_connection_id=line_id, line_operator="CU"), "InvalidStatus",
             "ModifyPhysicalConnectionAttribute")):
        err = error_of(call, request)
        assert err.code == code, action
        assert_documented(action, err)
    vbr_id = vbr(client, line_id)
    err = error_of(client.terminate_physical_connection, models.TerminatePhysicalConnectionRequest(
        region_id=REGION, physical_connection_id=line_id))
    assert err.code == "Forbidden.VbrAttached"
    assert_documented("TerminatePhysicalConnection", err)
    client.terminate_virtual_border_router(models.TerminateVirtualBorderRouterRequest(region_id=REGION, vbr_id=vbr_id))
    client.terminate_physical_connection(models.TerminatePhysicalConnectionRequest(region_id=REGION,
                                                                                   physical_connection_id=line_id))
    assert lines(client)[0]["Status"] == "Terminated"
    err = error_of(client.delete_physical_connection, models.DeletePhysicalConnectionRequest(
        region_id=REGION, physical_connection_id=line_id))
    assert err.code == "Forbidden.VBRExists"
    assert_documented("DeletePhysicalConnection", err)
    client.delete_virtual_border_router(models.DeleteVirtualBorderRouterRequest(region_id=REGION, vbr_id=vbr_id))
    client.delete_physical_connection(models.DeletePhysicalConnectionRequest(region_id=REGION,
                                                                             physical_connection_id=line_id))
    assert lines(client) == []
    # a line not yet enabled is canceled, then deleted
    other = line(client)
    client.cancel_physical_connection(models.CancelPhysicalConnectionRequest(region_id=REGION,
                                                                             physical_connection_id=other))
    assert lines(client)[0]["Status"] == "Canceled"
    client.delete_physical_connection(models.DeletePhysicalConnectionRequest(region_id=REGION,
                                                                             physical_connection_id=other))


def test_physical_connection_errors(client):
    for kw, code in ((dict(access_point_id="ap-nowhere"), "InvalidAccessPointId.NotFound"),
                     (dict(line_operator="XX"), "InvalidLineOperator.Malformd"),
                     (dict(port_type="1Base-T"), "InvalidPortType.Malformd"),
                     (dict(type="INTERNET"), "InvalidType.Malformd"),
                     (dict(bandwidth=0), "InvalidBandwidth"),
                     (dict(redundant_physical_connection_id="pc-nothere"),
                      "InvalidRedundantPhysicalConnectionId.NotFound"),
                     (dict(name="http://x"), "InvalidName.Malformed")):
        err = error_of(line, client, **kw)
        assert err.code == code, kw
        assert_documented("CreatePhysicalConnection", err)
    err = error_of(client.enable_physical_connection, models.EnablePhysicalConnectionRequest(
        region_id=REGION, physical_connection_id="pc-nothere", client_token="x"))
    assert err.code == "InvalidPhysicalConnectionId.NotFound"
    assert_documented("EnablePhysicalConnection", err)
    err = error_of(client.describe_physical_connections, models.DescribePhysicalConnectionsRequest(
        region_id=REGION, filter=[models.DescribePhysicalConnectionsRequestFilter(key="Colour", value=["red"])]))
    assert err.code == "InvalidFilterKey.ValueNotSupported"
    assert_documented("DescribePhysicalConnections", err)


def test_virtual_border_routers(client):
    line_id = enabled_line(client)
    vbr_id = vbr(client, line_id, 100, local_gateway_ip="10.0.0.1", peer_gateway_ip="10.0.0.2",
                 peering_subnet_mask="255.255.255.252", name="vbr-a", client_token="v1")
    [item] = vbrs(client, ("VbrId", [vbr_id]))
    assert {k: item[k] for k in ("Status", "VlanId", "PhysicalConnectionId", "PhysicalConnectionStatus",
                                 "LocalGatewayIp", "PeerGatewayIp", "PeeringSubnetMask", "Name", "AccessPointId")} == {
        "Status": "active", "VlanId": 100, "PhysicalConnectionId": line_id, "PhysicalConnectionStatus": "Enabled",
        "LocalGatewayIp": "10.0.0.1", "PeerGatewayIp": "10.0.0.2", "PeeringSubnetMask": "255.255.255.252",
        "Name": "vbr-a", "AccessPointId": ACCESS_POINT}
    for kw, code in ((dict(vlan_id=100), "InvalidVlanId.Used"), (dict(vlan_id=5000), "InvalidVlanId.Malformed"),
                     (dict(vlan_id=7, local_gateway_ip="10.0.0.1", peer_gateway_ip="10.0.1.2",
                           peering_subnet_mask="255.255.255.252"), "InvalidIp.NotSameSubnet"),
                     (dict(vlan_id=7, local_gateway_ip="10.0.0", peer_gateway_ip="10.0.0.2",
                           peering_subnet_mask="255.255.255.252"), "InvalidLocalGatewayIp.Malformed")):
        err = error_of(vbr, client, line_id, **kw)
        assert err.code == code, kw
        assert_documented("CreateVirtualBorderRouter", err)
    waiting = line(client)
    err = error_of(vbr, client, waiting)
    assert err.code == "InvalidPhysicalConnectionId.NotEnabled"
    assert_documented("CreateVirtualBorderRouter", err)
    err = error_of(client.modify_virtual_border_router_attribute, models.ModifyVirtualBorderRouterAttributeRequest(
        region_id=REGION, vbr_id=vbr(client, line_id, 11), local_gateway_ip="10.1.0.1"))
    assert err.code == "MissingParameter"  # (the other two are not set)
    assert_documented("ModifyVirtualBorderRouterAttribute", err)
    client.modify_virtual_border_router_attribute(models.ModifyVirtualBorderRouterAttributeRequest(
        region_id=REGION, vbr_id=vbr_id, vlan_id=101, peer_gateway_ip="10.0.0.3", description="edited"))
    [item] = vbrs(client, ("VlanId", ["101"]))
    assert (item["VbrId"], item["PeerGatewayIp"], item["Description"]) == (vbr_id, "10.0.0.3", "edited")
    client.terminate_virtual_border_router(models.TerminateVirtualBorderRouterRequest(region_id=REGION, vbr_id=vbr_id))
    err = error_of(client.terminate_virtual_border_router, models.TerminateVirtualBorderRouterRequest(
        region_id=REGION, vbr_id=vbr_id))
    assert err.code == "InvalidOperation.OperationNotAllowedInState"
    assert_documented("TerminateVirtualBorderRouter", err)
    client.recover_virtual_border_router(models.RecoverVirtualBorderRouterRequest(region_id=REGION, vbr_id=vbr_id))
    [item] = vbrs(client, ("VbrId", [vbr_id]))
    assert (item["Status"], item["TerminationTime"] != "", item["RecoveryTime"] != "") == ("active", True, True)
    body = client.describe_virtual_border_routers_for_physical_connection(
        models.DescribeVirtualBorderRoutersForPhysicalConnectionRequest(region_id=REGION,
                                                                        physical_connection_id=line_id)).body.to_map()
    assert response_problems("DescribeVirtualBorderRoutersForPhysicalConnection", body) == []
    listed = body["VirtualBorderRouterForPhysicalConnectionSet"]["VirtualBorderRouterForPhysicalConnectionType"]
    assert [(v["VlanId"], v["VbrOwnerUid"]) for v in listed] == [(101, 1234567890123456), (11, 1234567890123456)]
    err = error_of(client.delete_virtual_border_router, models.DeleteVirtualBorderRouterRequest(
        region_id=REGION, vbr_id="vbr-nothere"))
    assert err.code == "InvalidVbrId.NotFound"
    assert_documented("DeleteVirtualBorderRouter", err)


def test_router_interfaces_connect_a_vpc_to_a_vbr(client, legacy):
    vpc = client.create_vpc(models.CreateVpcRequest(region_id=REGION, cidr_block="192.168.0.0/16")).body
    vbr_id = vbr(client, enabled_line(client))
    initiating = interface(client, role="InitiatingSide", spec="Small.1", router_type="VRouter",
                           router_id=vpc.vrouter_id, opposite_region_id=REGION, opposite_router_type="VBR",
                           opposite_router_id=vbr_id, name="to-idc")
    accepting = interface(client, role="AcceptingSide", spec="Negative", router_type="VBR", router_id=vbr_id,
                          opposite_region_id=REGION, opposite_router_type="VRouter",
                          opposite_router_id=vpc.vrouter_id, opposite_interface_id=initiating)
    err = error_of(client.connect_router_interface, models.ConnectRouterInterfaceRequest(
        region_id=REGION, router_interface_id=initiating))
    assert err.code == "IncorrectOppositeInterfaceInfo.NotSet"
    assert_documented("ConnectRouterInterface", err)
    client.modify_router_interface_attribute(models.ModifyRouterInterfaceAttributeRequest(
        region_id=REGION, router_interface_id=initiating, opposite_interface_id=accepting))
    client.connect_router_interface(models.ConnectRouterInterfaceRequest(region_id=REGION,
                                                                         router_interface_id=initiating))
    [mine] = interfaces(client, ("RouterInterfaceId", [initiating]))
    assert {k: mine[k] for k in ("Status", "Role", "Spec", "RouterId", "OppositeInterfaceId", "OppositeInterfaceStatus",
                                 "OppositeInterfaceSpec", "ChargeType", "Name")} == {
        "Status": "Active", "Role": "InitiatingSide", "Spec": "Small.1", "RouterId": vpc.vrouter_id,
        "OppositeInterfaceId": accepting, "OppositeInterfaceStatus": "Active", "OppositeInterfaceSpec": "Negative",
        "ChargeType": "AfterPay", "Name": "to-idc"}
    assert [i["RouterInterfaceId"] for i in interfaces(client, ("RouterType", ["VBR"]))] == [accepting]
    # a route entry of the VPC through its interface; the interface then cannot go
    table = client.describe_vrouters(models.DescribeVRoutersRequest(region_id=REGION, vrouter_id=vpc.vrouter_id)) \
        .body.vrouters.vrouter[0].route_table_ids.route_table_id[0]
    client.create_route_entry(models.CreateRouteEntryRequest(
        region_id=REGION, route_table_id=table, destination_cidr_block="10.20.0.0/16",
        next_hop_type="RouterInterface", next_hop_id=initiating))
    client.modify_router_interface_spec(models.ModifyRouterInterfaceSpecRequest(
        region_id=REGION, router_interface_id=initiating, spec="Large.2"))
    err = error_of(client.delete_router_interface, models.DeleteRouterInterfaceRequest(
        region_id=REGION, router_interface_id=initiating))
    assert err.code == "IncorrectStatus"  # (Active)
    assert_documented("DeleteRouterInterface", err)
    client.deactivate_router_interface(models.DeactivateRouterInterfaceRequest(region_id=REGION,
                                                                               router_interface_id=initiating))
    err = error_of(client.delete_router_interface, models.DeleteRouterInterfaceRequest(
        region_id=REGION, router_interface_id=initiating))
    assert err.code == "DependencyViolation.RouterInterfaceReferedByRouteEntry"
    assert_documented("DeleteRouterInterface", err)
    err = error_of(client.delete_virtual_border_router, models.DeleteVirtualBorderRouterRequest(
        region_id=REGION, vbr_id=vbr_id))
    assert err.code == "InvalidOperation.RouterInterfaceNotDeleted"
    assert_documented("DeleteVirtualBorderRouter", err)
    # the old SDK, in JSON and XML
    request = DescribeRouterInterfacesRequest()
    request.set_Filters([{"Key": "Status", "Value": ["Inactive"]}])
    found = legacy_call(legacy, request)["RouterInterfaceSet"]["RouterInterfaceType"]
    assert [(i["RouterInterfaceId"], i["Spec"]) for i in found] == [(initiating, "Large.2")]
    root = legacy_xml(legacy, request)
    assert root.findtext("RouterInterfaceSet/RouterInterfaceType/RouterInterfaceId") == initiating
    client.activate_router_interface(models.ActivateRouterInterfaceRequest(region_id=REGION,
                                                                           router_interface_id=initiating))
    assert interfaces(client, ("RouterInterfaceId", [initiating]))[0]["Status"] == "Active"


def test_router_interface_errors(client, legacy):
    new_vpc(client, cidr_block="192.168.0.0/16")
    router = client.describe_vrouters(models.DescribeVRoutersRequest(region_id=REGION)).body.vrouters.vrouter[0] \
        .vrouter_id
    base = {"role": "InitiatingSide", "spec": "Small.1", "router_type": "VRouter", "router_id": router,
            "opposite_region_id": REGION}
    for kw, code in ((dict(role="Both"), "InvalidRole.ValueNotSupported"),
                     (dict(spec="Huge.9"), "InvalidSpec.ValudNotSupported"),
                     (dict(spec="Negative"), "ParameterMismatch.Role-Spec"),
                     (dict(router_type="Router"), "InvalidRouterType.ValueNotSupported"),
                     (dict(router_id="vrt-nothere"), "InvalidRouterId.NotFound"),
                     (dict(opposite_region_id="xx-nowhere-1"), "InvalidOppositeRegionId.NotFound"),
                     (dict(role="AcceptingSide", spec="Negative", instance_charge_type="PrePaid"),
                      "Forbidden.AcceptRoleNotSupportPrePay"),
                     (dict(health_check_source_ip="10.0.0.9"), "OperationFailed.HcForInvalidRiType")):
        err = error_of(interface, client, **{**base, **kw})
        assert err.code == code, kw
        assert_documented("CreateRouterInterface", err)
    ri = interface(client, **base)
    for call, request, code, action in (
            (client.activate_router_interface, models.ActivateRouterInterfaceRequest(
                region_id=REGION, router_interface_id=ri), "IncorrectStatus", "ActivateRouterInterface"),
            (client.deactivate_router_interface, models.DeactivateRouterInterfaceRequest(
                region_id=REGION, router_interface_id=ri), "IncorrectStatus", "DeactivateRouterInterface"),
            (client.modify_router_interface_spec, models.ModifyRouterInterfaceSpecRequest(
                region_id=REGION, router_interface_id=ri, spec="Tiny"), "InvalidSpec.ValudNotSupported",
             "ModifyRouterInterfaceSpec"),
            (client.connect_router_interface, models.ConnectRouterInterfaceRequest(
                region_id=REGION, router_interface_id="ri-nothere"), "InvalidRouterInterfaceId.NotFound",
             "ConnectRouterInterface")):
        err = error_of(call, request)
        assert err.code == code, action
        assert_documented(action, err)
    client.delete_router_interface(models.DeleteRouterInterfaceRequest(region_id=REGION, router_interface_id=ri))
    assert interfaces(client) == []
    request = EnablePhysicalConnectionRequest()
    request.set_PhysicalConnectionId("pc-nothere")
    request.set_ClientToken("old-sdk")
    root = legacy_xml(legacy, request)
    assert (root.tag, root.findtext("Code")) == ("Error", "InvalidPhysicalConnectionId.NotFound")


def test_access_points(client):
    body = client.describe_access_points(models.DescribeAccessPointsRequest(region_id=REGION)).body.to_map()
    assert response_problems("DescribeAccessPoints", body) == []
    points = body["AccessPointSet"]["AccessPointType"]
    assert ACCESS_POINT in [p["AccessPointId"] for p in points] and {p["AttachedRegionNo"] for p in points} == {REGION}
    [closed] = client.describe_access_points(models.DescribeAccessPointsRequest(region_id=REGION, filter=[
        models.DescribeAccessPointsRequestFilter(key="Status", value=["disabled"])])).body.to_map()[
        "AccessPointSet"]["AccessPointType"]
    err = error_of(line, client, access_point_id=closed["AccessPointId"])
    assert err.code == "InvalidAccessPointId.NotEnabled"
    assert_documented("CreatePhysicalConnection", err)
    err = error_of(client.describe_access_points, models.DescribeAccessPointsRequest(region_id=REGION, type="VBR"))
    assert err.code == "InvalidAccessPointType.NotSupport"
    assert_documented("DescribeAccessPoints", err)

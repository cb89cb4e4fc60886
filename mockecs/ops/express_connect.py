"""Express Connect on ECS's API (2014-05-26; deprecated there in favour of the VPC API's): access points
(DescribeAccessPoints), physical connections
(CreatePhysicalConnection, ModifyPhysicalConnectionAttribute, EnablePhysicalConnection, CancelPhysicalConnection,
TerminatePhysicalConnection, DeletePhysicalConnection, DescribePhysicalConnections), virtual border routers
(CreateVirtualBorderRouter, ModifyVirtualBorderRouterAttribute, TerminateVirtualBorderRouter,
RecoverVirtualBorderRouter, DeleteVirtualBorderRouter, DescribeVirtualBorderRouters,
DescribeVirtualBorderRoutersForPhysicalConnection) and router interfaces (CreateRouterInterface,
ConnectRouterInterface, ActivateRouterInterface, DeactivateRouterInterface, ModifyRouterInterfaceAttribute,
ModifyRouterInterfaceSpec, DeleteRouterInterface, DescribeRouterInterfaces). Records and state machines only:
:mod:`mockecs.world.express_connect`."""
from __future__ import annotations

from typing import Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.params import B, I, L, Repeat, S, Structs
from mockecs.world import express_connect as ec
from mockecs.world import paging

PAGE = (paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))
FILTER = Structs("Filter", [S("Key"), Repeat("Value", max_items=5)], max_items=5, name="filters")
LINE_FIELDS = ("AdLocation", "CreationTime", "Status", "Type", "PortNumber", "CircuitCode", "Spec", "Bandwidth",
               "Description", "PortType", "EnabledTime", "BusinessStatus", "LineOperator", "Name",
               "RedundantPhysicalConnectionId", "PeerLocation", "AccessPointId", "PhysicalConnectionId")
LINE_ATTRIBUTES = (S("LineOperator"), I("bandwidth"), S("PeerLocation"), S("PortType"),
                   S("RedundantPhysicalConnectionId"), S("Description"), S("Name"), S("CircuitCode"), S("UserCidr"))
VBR_MISSING_LINE = ("MissingParameter", "The input parameter 'PhysicalConnectionId' that is mandatory for processing "
                    "this request is not supplied.", 400)
# InvalidRegionId.NotFound in each operation's documented words
REGION = ("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records.")
SPECIFIED_REGION = ("InvalidRegionId.NotFound", 404, "The specified RegionId does not exist in our records.")
VBR_REGION = ("InvalidRegionId.NotFound", 404, "The specified RegionId is not found.")
RI_REGION = ("InvalidRegionId.NotFound", 404, "The regionId provided does not exist in our records.")


def _page(ctx: Context, kind: str, filters: Optional[list[dict]], page_number: int, page_size: int, set_name: str,
          type_name: str, view: Callable[[dict], dict], among: Optional[list[dict]] = None) -> dict:
    """A listing's answer: from the ordered index when nothing narrows it."""
    page, total = paging.by_creation(ctx, kind, not filters and among is None,
                                     lambda: ec.listing(ctx, kind, filters, among), page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            set_name: {type_name: [view(r) for r in page]}}


# -- access points and physical connections ---------------------------------------------------------------------
AP_FIELDS = ("Status", "Type", "HostOperator", "Description", "AttachedRegionNo", "Name", "AccessPointId", "Location")


@operation("DescribeAccessPoints", S("Type"), FILTER, *PAGE, region_error=REGION)
def describe_access_points(ctx: Context, type: Optional[str], filters: Optional[list[dict]], page_number: int,
                           page_size: int) -> dict:
    found = ec.access_point_listing(ctx, type, filters)
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "AccessPointSet": {"AccessPointType": [{k: p[k] for k in AP_FIELDS}
                                                   for p in paging.by_number(found, page_number, page_size)]}}


@operation("CreatePhysicalConnection", S("AccessPointId", required=True), S("Type"),
           S("LineOperator", required=True), I("bandwidth"), S("PeerLocation", required=True), S("PortType"),
           S("RedundantPhysicalConnectionId"), S("Description"), S("Name"), S("CircuitCode"), S("UserCidr"),
           idempotent=True, mapping=True, region_error=REGION)
def create_physical_connection(ctx: Context, a: dict) -> dict:
    return {"PhysicalConnectionId": ec.create_line(ctx, a)["PhysicalConnectionId"]}


@operation("ModifyPhysicalConnectionAttribute", S("PhysicalConnectionId", required=True), *LINE_ATTRIBUTES,
           idempotent=True, mapping=True, region_error=REGION)
def modify_physical_connection_attribute(ctx: Context, a: dict) -> dict:
    ec.modify_line(ctx, a["physical_connection_id"], a)
    return {}


def _line_action(action: str, change: Callable[[Context, str], None]) -> None:
    @operation(action, S("PhysicalConnectionId", required=True), S("UserCidr"), idempotent=True, region_error=REGION)
    def handler(ctx: Context, physical_connection_id: str, user_cidr: Optional[str]) -> dict:
        change(ctx, physical_connection_id)
        return {}


for _action, _change in (("EnablePhysicalConnection", ec.enable_line), ("CancelPhysicalConnection", ec.cancel_line),
                         ("TerminatePhysicalConnection", ec.terminate_line)):
    _line_action(_action, _change)


@operation("DeletePhysicalConnection", S("PhysicalConnectionId", required=True), idempotent=True, region_error=REGION)
def delete_physical_connection(ctx: Context, physical_connection_id: str) -> dict:
    ec.delete_line(ctx, physical_connection_id)
    return {}


@operation("DescribePhysicalConnections", FILTER, S("UserCidr"), *PAGE, region_error=REGION)  # (ClientToken ignored)
def describe_physical_connections(ctx: Context, filters: Optional[list[dict]], user_cidr: Optional[str],
                                  page_number: int, page_size: int) -> dict:
    return _page(ctx, ec.LINE, filters, page_number, page_size, "PhysicalConnectionSet", "PhysicalConnectionType",
                 lambda r: {k: r[k] for k in LINE_FIELDS})


# -- virtual border routers ------------------------------------------------------------------------------------
@operation("CreateVirtualBorderRouter", S("PhysicalConnectionId", required=True, missing=VBR_MISSING_LINE),
           L("VbrOwnerId"), I("VlanId", required=True), S("CircuitCode"), S("LocalGatewayIp"), S("PeerGatewayIp"),
           S("PeeringSubnetMask"), S("Description"), S("Name"), S("UserCidr"), idempotent=True, mapping=True,
           region_error=VBR_REGION)
def create_virtual_border_router(ctx: Context, a: dict) -> dict:
    return {"VbrId": ec.create_vbr(ctx, a)["VbrId"]}


@operation("ModifyVirtualBorderRouterAttribute", S("VbrId", required=True), I("VlanId"), S("CircuitCode"),
           S("LocalGatewayIp"), S("PeerGatewayIp"), S("PeeringSubnetMask"), S("Description"), S("Name"),
           S("UserCidr"), idempotent=True, mapping=True, region_error=VBR_REGION)
def modify_virtual_border_router_attribute(ctx: Context, a: dict) -> dict:
    ec.modify_vbr(ctx, a["vbr_id"], a)
    return {}


def _vbr_action(action: str, change: Callable[[Context, str], None]) -> None:
    @operation(action, S("VbrId", required=True), S("UserCidr"), idempotent=True, region_error=REGION)
    def handler(ctx: Context, vbr_id: str, user_cidr: Optional[str]) -> dict:
        change(ctx, vbr_id)
        return {}


for _action, _change in (("TerminateVirtualBorderRouter", ec.terminate_vbr),
                         ("RecoverVirtualBorderRouter", ec.recover_vbr), ("DeleteVirtualBorderRouter", ec.delete_vbr)):
    _vbr_action(_action, _change)


@operation("DescribeVirtualBorderRouters", FILTER, *PAGE, region_error=REGION)
def describe_virtual_border_routers(ctx: Context, filters: Optional[list[dict]], page_number: int,
                                    page_size: int) -> dict:
    return _page(ctx, ec.VBR, filters, page_number, page_size, "VirtualBorderRouterSet", "VirtualBorderRouterType",
                 lambda r: ec.vbr_view(ctx, r))


FOR_LINE_FIELDS = ("CreationTime", "CircuitCode", "RecoveryTime", "TerminationTime", "ActivationTime", "VbrId",
                   "VlanId")


@operation("DescribeVirtualBorderRoutersForPhysicalConnection", S("PhysicalConnectionId", required=True), FILTER,
           *PAGE, region_error=REGION)
def describe_virtual_border_routers_for_physical_connection(ctx: Context, physical_connection_id: str,
                                                            filters: Optional[list[dict]], page_number: int,
                                                            page_size: int) -> dict:
    return _page(ctx, ec.VBR, filters, page_number, page_size, "VirtualBorderRouterForPhysicalConnectionSet",
                 "VirtualBorderRouterForPhysicalConnectionType",
                 lambda r: {**{k: r[k] for k in FOR_LINE_FIELDS}, "VbrOwnerUid": int(r["_owner"])},
                 ec.vbrs_of_line(ctx, physical_connection_id))


# -- router interfaces -------------------------------------------------------------------------------------------
@operation("CreateRouterInterface", S("Role", required=True), S("OppositeRegionId", required=True),
           S("Spec", required=True), S("RouterType", required=True), S("RouterId", required=True),
           S("OppositeInterfaceId"), S("OppositeRouterId"), S("OppositeRouterType"), S("OppositeInterfaceOwnerId"),
           S("HealthCheckSourceIp"), S("HealthCheckTargetIp"), S("AccessPointId"), S("OppositeAccessPointId"),
           S("Description"), S("Name"), I("Period", min=1), S("InstanceChargeType"), B("AutoPay"),
           S("PricingCycle"), S("UserCidr"), idempotent=True, mapping=True, region_error=RI_REGION)
def create_router_interface(ctx: Context, a: dict) -> dict:
    return {"RouterInterfaceId": ec.create_ri(ctx, a)["RouterInterfaceId"], "OrderId": ec.order_id()}


def _ri_action(action: str, change: Callable[[Context, str], None], region_error: tuple = REGION) -> None:
    @operation(action, S("RouterInterfaceId", required=True), region_error=region_error)
    def handler(ctx: Context, router_interface_id: str) -> dict:
        change(ctx, router_interface_id)
        return {}


for _action, _change in (("ConnectRouterInterface", ec.connect), ("DeactivateRouterInterface", ec.deactivate)):
    _ri_action(_action, _change)
_ri_action("ActivateRouterInterface", ec.activate, SPECIFIED_REGION)


@operation("DeleteRouterInterface", S("RouterInterfaceId", required=True), S("UserCidr"), idempotent=True,
           region_error=REGION)
def delete_router_interface(ctx: Context, router_interface_id: str, user_cidr: Optional[str]) -> dict:
    ec.delete_ri(ctx, router_interface_id)
    return {}


@operation("ModifyRouterInterfaceAttribute", S("RouterInterfaceId", required=True), S("Name"), S("Description"),
           S("OppositeInterfaceId"), S("OppositeRouterId"), S("OppositeRouterType"), L("OppositeInterfaceOwnerId"),
           S("HealthCheckSourceIp"), S("HealthCheckTargetIp"), mapping=True, region_error=SPECIFIED_REGION)
def modify_router_interface_attribute(ctx: Context, a: dict) -> dict:
    ec.modify_ri(ctx, a["router_interface_id"], a)
    return {}


@operation("ModifyRouterInterfaceSpec", S("RouterInterfaceId", required=True), S("Spec", required=True),
           S("UserCidr"), idempotent=True)
def modify_router_interface_spec(ctx: Context, router_interface_id: str, spec: str, user_cidr: Optional[str]) -> dict:
    return {"Spec": ec.modify_spec(ctx, router_interface_id, spec)}


@operation("DescribeRouterInterfaces", FILTER, *PAGE, region_error=REGION)
def describe_router_interfaces(ctx: Context, filters: Optional[list[dict]], page_number: int, page_size: int) -> dict:
    return _page(ctx, ec.RI, filters, page_number, page_size, "RouterInterfaceSet", "RouterInterfaceType",
                 lambda r: ec.ri_view(ctx, r))

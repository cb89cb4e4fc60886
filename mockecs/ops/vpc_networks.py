"""VPCs and vSwitches on the VPC product's API (2016-04-28), as Terraform (``alicloud_vpc``, ``alicloud_vswitch``)
and Ansible (footmark's ``ali_vpc``, ``ali_vswitch``) make them: CreateVpc, CreateDefaultVpc, DescribeVpcs,
DescribeVpcAttribute, ModifyVpcAttribute, DeleteVpc, CreateVSwitch, CreateDefaultVSwitch, DescribeVSwitches,
DescribeVSwitchAttributes, ModifyVSwitchAttribute, DeleteVSwitch, and the VPC's router (DescribeVRouters; its route
tables: :mod:`mockecs.ops.vpc_routes`).

The records and rules are ECS's own (:mod:`mockecs.world.vpcs`): a VPC made here is ECS's VPC too. This API
answers more of each record (OwnerId, ResourceGroupId, the IPv6 block, the route table ...), from the record or
as a VPC without those features has them.
"""
from __future__ import annotations

import hashlib
import ipaddress
from typing import Any, Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS, B, Comma, I, L, S
from mockecs.world import (
    classic_links,
    dhcp_options,
    ipv6,
    ipv6_gateways,
    nat_gateways,
    networks,
    resource_groups,
    resources,
    routes,
    vpcs,
)
from mockecs.world.ipv6 import in_use as ipv6_in_use

ERRORS = vpcs.Errors()  # the VPC API documents the shared rules' words (see the notes on each)
MISSING = ("MissingParameter", "Miss mandatory parameter.", 400)
PAGE = (I("PageNumber", default=1, min=1, max=2**31 - 1), I("PageSize", default=10, min=1, max=50))
# What the ECS records say while a VPC is made ("Creating") is "Pending" on this API (its documented values).
STATUS = {"Creating": "Pending"}
IPV6_ISP = ("BGP", "ChinaMobile", "ChinaUnicom", "ChinaTelecom")
BAD_IPV6_ISP = error_kind("InvalidParameter", "Specified Ipv6Isp is not valid.", 400)  # [GUESS] the wording
DNS_HOSTNAME = {True: "ENABLED", False: "DISABLED"}
# A vSwitch's IPv6 /64 is its VPC's /56 with the last 8 bits given (Ipv6CidrBlock, 0-255; the docs). The VPC API
# documents no code for a VPC without IPv6 (mockecs.world.ipv6), nor for two vSwitches on one /64: [GUESS] these.
IPV6_NOT_ENABLED = ipv6.VPC_NOT_ENABLED
IPV6_OVERLAP = error_kind("InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other subnets.", 400)
IPV6_AND_CIDR = error_kind("ParamExclusive.EnableIpv6AndCidrBlock", "EnableIpv6 and CidrBlock is mutually exclusive.",
                           400)  # (ECS's ModifyVpcAttribute documents it; the same VPC behind both)
IPV6_MISSING = error_kind("MissingParameter", "Ipv6CidrBlock is mandatory when EnableIPv6 is true.", 400)
SYSTEM = routes.SYSTEM
# CreateDefaultVpc / CreateDefaultVSwitch: one default VPC per region, one default vSwitch per zone in it, a /20 of
# 172.16.0.0/12 each (the console's layout). The docs name no codes for these refusals: [GUESS] these.
DEFAULT_VPC_EXISTS = error_kind("OperationFailed.DefaultVpcExist", "The default VPC already exists in this region.",
                                400)
NO_DEFAULT_VPC = error_kind("OperationFailed.DefaultVpcNotExist", "The default VPC does not exist in this region.",
                            400)
DEFAULT_VSWITCH_EXISTS = error_kind("OperationFailed.DefaultVSwitchExist",
                                    "The default vSwitch already exists in this zone.", 400)
DEFAULT_VSWITCH_MASK = 20


def _by_id(id_name: str) -> dict:
    """An operation on one resource named by ``id_name``: found in its own region when RegionId is absent."""
    return {"api": VPC, "region": "optional", "region_of": resources.region_from(id_name)}



def _group(record: dict, field: str) -> str:
    """A resource's group: the one it joined, else its owner's default group (as every resource has one)."""
    return record.get(field) or resource_groups.default_id(record["_owner"])


def _vswitch_ipv6(ctx: Context, vpc: dict, bits: int, v_switch_id: Optional[str] = None) -> str:
    """The /64 numbered ``bits`` in the VPC's IPv6 /56, not another vSwitch's."""
    if "_ipv6" not in vpc:
        raise IPV6_NOT_ENABLED
    network = ipaddress.IPv6Network(vpc["_ipv6"]["Ipv6CidrBlock"])
    block = str(ipaddress.IPv6Network((int(network.network_address) + (bits << 64), 64)))
    if any(s is not None and s["VSwitchId"] != v_switch_id and s.get("_ipv6") == block
           for s in vpcs.vswitches_of(ctx, vpc["VpcId"])):
        raise IPV6_OVERLAP
    return block


def _ipv6_block(vpc_id: str, isp: str) -> dict:
    """A VPC's IPv6 /56, stable per VPC, from the 2408:4000::/20 range the service hands out ([GUESS])."""
    digest = int.from_bytes(hashlib.sha256(vpc_id.encode()).digest()[:5], "big")  # 36 bits below the /20
    network = ipaddress.IPv6Network((int(ipaddress.IPv6Address("2408:4000::")) + ((digest >> 4) << 72), 56))
    return {"Ipv6CidrBlock": str(network), "Ipv6Isp": isp}


# -- views ----------------------------------------------------------------------------------------------
def vpc_view(ctx: Context, record: dict) -> dict:
    """The fields DescribeVpcs and DescribeVpcAttribute both answer."""
    ipv6 = record.get("_ipv6")
    dhcp_id, dhcp_status = dhcp_options.of_vpc(record)
    return {
        "VpcId": record["VpcId"], "RegionId": record["RegionId"], "Status": STATUS.get(record["Status"],
                                                                                        record["Status"]),
        "VpcName": record["VpcName"], "Description": record["Description"], "CidrBlock": record["CidrBlock"],
        "CreationTime": record["CreationTime"], "IsDefault": record["IsDefault"], "VRouterId": record["VRouterId"],
        "OwnerId": int(record["_owner"]), "ResourceGroupId": _group(record, "_resource_group_id"),
        "EnabledIpv6": ipv6 is not None, "Ipv6CidrBlock": ipv6["Ipv6CidrBlock"] if ipv6 else "",
        "Ipv6CidrBlocks": {"Ipv6CidrBlock": [ipv6] if ipv6 else []},
        "UserCidrs": record.get("UserCidrs") or {"UserCidr": []},
        "SecondaryCidrBlocks": {"SecondaryCidrBlock": list(record.get("_secondary_cidrs", ()))},
        "VSwitchIds": {"VSwitchId": vpcs.vswitch_ids(ctx, record["VpcId"])},
        "DhcpOptionsSetId": dhcp_id, "DhcpOptionsSetStatus": dhcp_status,
        "DnsHostnameStatus": record.get("_dns_hostname_status", "DISABLED"),
        "Tags": resources.key_value_tags(record),
    }


def vswitch_view(ctx: Context, record: dict) -> dict:
    custom = record.get("_custom_route_table")
    route_table = custom or record.get("_route_table") or (resources.get(ctx, "vpc", record["VpcId"]) or {}).get(
        "_route_table", "")
    return {
        "VSwitchId": record["VSwitchId"], "VpcId": record["VpcId"], "Status": record["Status"],
        "CidrBlock": record["CidrBlock"], "ZoneId": record["ZoneId"], "VSwitchName": record["VSwitchName"],
        "Description": record["Description"], "CreationTime": record["CreationTime"],
        "IsDefault": record["IsDefault"], "AvailableIpAddressCount": record["AvailableIpAddressCount"],
        "OwnerId": int(record["_owner"]), "ResourceGroupId": _group(record, "ResourceGroupId"),
        "Ipv6CidrBlock": record.get("_ipv6", ""), "EnabledIpv6": "_ipv6" in record, "NetworkAclId": "",
        "ShareType": "",  # (the SDK model: empty for a vSwitch not shared, which mockecs does not share)
        "RouteTable": {"RouteTableId": route_table, "RouteTableType": routes.CUSTOM if custom else SYSTEM},
        "Tags": resources.key_value_tags(record),
    }


# -- VPCs -------------------------------------------------------------------------------------------------
def _tags_sent(tag: Optional[list[dict]]) -> dict:
    """Tag.N sent at creation (Terraform's ``tags``), kept as TagResources keeps them."""
    tags = resources.tags_from_args(tag)
    return {"Tags": {"Tag": tags}} if tags else {}


@operation("CreateVpc", S("CidrBlock", default=networks.DEFAULT_VPC_CIDR), S("VpcName"), S("Description"),
           S("UserCidr"), S("ResourceGroupId"), B("EnableIpv6", default=False), S("Ipv6Isp"),
           B("EnableDnsHostname", default=False), TAGS, idempotent=True, dry_run=True, api=VPC)
def create_vpc(ctx: Context, cidr_block: str, vpc_name: Optional[str], description: Optional[str],
               user_cidr: Optional[str], resource_group_id: Optional[str], enable_ipv6: bool,
               ipv6_isp: Optional[str], enable_dns_hostname: bool, tag: Optional[list[dict]]) -> dict:
    if ipv6_isp and ipv6_isp not in IPV6_ISP:
        raise BAD_IPV6_ISP
    group = resource_groups.resolve(ctx, resource_group_id)
    vpc_id = resources.new_id("vpc", ctx.region)
    extra: dict[str, Any] = {"_resource_group_id": group, "_dns_hostname_status": DNS_HOSTNAME[enable_dns_hostname],
                             **_tags_sent(tag)}
    if enable_ipv6:
        extra["_ipv6"] = _ipv6_block(vpc_id, ipv6_isp or "BGP")
    record = vpcs.create_vpc(ctx, ERRORS, cidr_block, vpc_name, description, user_cidr, vpc_id=vpc_id, **extra)
    return {"VpcId": record["VpcId"], "VRouterId": record["VRouterId"], "RouteTableId": record["_route_table"],
            "ResourceGroupId": group}


def _all(*tests: Any) -> Optional[Callable[[dict], bool]]:
    """The filters asked for (the others are None or False) as one test, or None when none was asked."""
    asked = [t for t in tests if t]
    return (lambda r: all(t(r) for t in asked)) if asked else None


def _common_filters(owner_id: Optional[int], enable_ipv6: Optional[bool], tag: Optional[list[dict]]) -> tuple:
    """The filters DescribeVpcs and DescribeVSwitches share: owner (no VPC is shared here: only the caller's
    match), IPv6, tags (Tag.N: any value when a Value is empty)."""
    return (owner_id is not None and (lambda r: int(r["_owner"]) == owner_id),
            enable_ipv6 is not None and (lambda r: ("_ipv6" in r) == enable_ipv6),
            tag and (lambda r: resources.match_tags(r, tag)))


@operation("CreateDefaultVpc", S("ResourceGroupId"), B("EnableIpv6", default=False), idempotent=True, api=VPC)
def create_default_vpc(ctx: Context, resource_group_id: Optional[str], enable_ipv6: bool) -> dict:
    if _default_vpc(ctx) is not None:
        raise DEFAULT_VPC_EXISTS
    group = resource_groups.resolve(ctx, resource_group_id)
    vpc_id = resources.new_id("vpc", ctx.region)
    extra: dict[str, Any] = {"IsDefault": True, "_resource_group_id": group}
    if enable_ipv6:
        extra["_ipv6"] = _ipv6_block(vpc_id, "BGP")
    record = vpcs.create_vpc(ctx, ERRORS, networks.DEFAULT_VPC_CIDR, None, None, None, vpc_id=vpc_id, **extra)
    return {"VpcId": vpc_id, "VRouterId": record["VRouterId"], "RouteTableId": record["_route_table"]}


def _default_vpc(ctx: Context) -> Optional[dict]:
    return next((r for r in _own_vpcs(ctx, None) if r["IsDefault"]), None)


@operation("CreateDefaultVSwitch", S("ZoneId", required=True), I("Ipv6CidrBlock", min=0, max=255), idempotent=True,
           api=VPC)
def create_default_vswitch(ctx: Context, zone_id: str, ipv6_cidr_block: Optional[int]) -> dict:
    vpc = _default_vpc(ctx)
    if vpc is None:
        raise NO_DEFAULT_VPC
    siblings = [s for s in vpcs.vswitches_of(ctx, vpc["VpcId"]) if s is not None]
    if any(s["IsDefault"] and s["ZoneId"] == zone_id for s in siblings):
        raise DEFAULT_VSWITCH_EXISTS
    taken = [networks.parse_cidr(s["CidrBlock"]) for s in siblings]
    free = next((str(n) for n in networks.parse_cidr(vpc["CidrBlock"]).subnets(new_prefix=DEFAULT_VSWITCH_MASK)
                 if not any(n.overlaps(t) for t in taken)), vpc["CidrBlock"])  # (none free: overlap refused)
    extra: dict[str, Any] = {"IsDefault": True}
    if ipv6_cidr_block is not None:
        extra["_ipv6"] = _vswitch_ipv6(ctx, vpc, ipv6_cidr_block)
    return {"VSwitchId": vpcs.create_vswitch(ctx, ERRORS, zone_id, free, vpc["VpcId"], None, None,
                                             **extra)["VSwitchId"]}


@operation("DescribeVpcs", Comma("VpcId"), S("VpcName"), B("IsDefault"), S("ResourceGroupId"), S("DhcpOptionsSetId"),
           L("VpcOwnerId"), B("EnableIpv6"), TAGS, *PAGE, dry_run=True, api=VPC)
def describe_vpcs(ctx: Context, vpc_id: Optional[list[str]], vpc_name: Optional[str], is_default: Optional[bool],
                  resource_group_id: Optional[str], dhcp_options_set_id: Optional[str], vpc_owner_id: Optional[int],
                  enable_ipv6: Optional[bool], tag: Optional[list[dict]], page_number: int, page_size: int) -> dict:
    keep = _all(vpc_name and (lambda r: r["VpcName"] == vpc_name),
                is_default is not None and (lambda r: r["IsDefault"] == is_default),
                resource_group_id and (lambda r: _group(r, "_resource_group_id") == resource_group_id),
                dhcp_options_set_id and (lambda r: dhcp_options.of_vpc(r)[0] == dhcp_options_set_id),
                *_common_filters(vpc_owner_id, enable_ipv6, tag))
    narrower = ("dhcp_options_set", dhcp_options_set_id) if dhcp_options_set_id else None
    total, page = vpcs.listing(ctx, "vpc", vpc_id, ERRORS.too_many_vpc_ids, narrower, keep, page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "Vpcs": {"Vpc": [{**vpc_view(ctx, r), "RouterTableIds": {"RouterTableIds": routes.table_ids(ctx, r)},
                              "NatGatewayIds": {"NatGatewayIds": nat_gateways.ids_in_vpc(ctx, r["VpcId"])},
                              # (no CEN in mockecs: empty [GUESS: the SDK model names the field only])
                              "CenStatus": ""}
                             for r in page]}}


@operation("DescribeVpcAttribute", S("VpcId", required=True), B("IsDefault"), dry_run=True, **_by_id("vpc_id"))
def describe_vpc_attribute(ctx: Context, vpc_id: str, is_default: Optional[bool]) -> dict:
    record = resources.owned(ctx, "vpc", vpc_id, ERRORS.vpc_not_found)
    view = vpc_view(ctx, record)
    return {**view, "ClassicLinkEnabled": classic_links.enabled(record), "SupportIpv4Gateway": False,
            "Ipv4GatewayId": "",
            "AssociatedCens": {"AssociatedCen": []},
            "AssociatedPropagationSources": {"AssociatedPropagationSources": []},
            "CloudResources": {"CloudResourceSetType": [
                {"ResourceType": "VSwitch", "ResourceCount": len(view["VSwitchIds"]["VSwitchId"])},
                {"ResourceType": "VRouter", "ResourceCount": 1},
                {"ResourceType": "RouteTable", "ResourceCount": len(routes.table_ids(ctx, record))}]}}


@operation("ModifyVpcAttribute", S("VpcId", required=True), S("VpcName"), S("Description"), S("CidrBlock"),
           B("EnableIPv6"), S("Ipv6Isp"), B("EnableDnsHostname"), **_by_id("vpc_id"))
def modify_vpc_attribute(ctx: Context, vpc_id: str, vpc_name: Optional[str], description: Optional[str],
                         cidr_block: Optional[str], enable_i_pv6: Optional[bool], ipv6_isp: Optional[str],
                         enable_dns_hostname: Optional[bool]) -> dict:
    if ipv6_isp and ipv6_isp not in IPV6_ISP:
        raise BAD_IPV6_ISP
    current = resources.owned(ctx, "vpc", vpc_id, ERRORS.vpc_not_found)
    if current["Status"] != "Available":
        raise ERRORS.vpc_status  # (documented here; Terraform retries it)
    if enable_i_pv6 and cidr_block:
        raise IPV6_AND_CIDR
    changes: dict[str, Any] = {}
    if enable_i_pv6 is not None and enable_i_pv6 != ("_ipv6" in current):
        if not enable_i_pv6 and any(s is not None and "_ipv6" in s for s in vpcs.vswitches_of(ctx, vpc_id)):
            raise ERRORS.vpc_has_vswitches  # [GUESS] vSwitches still on its IPv6 block
        if not enable_i_pv6 and ipv6_gateways.of_vpc(ctx, vpc_id) is not None:
            raise ERRORS.vpc_has_ipv6_gateway  # [GUESS] its IPv6 gateway first
        changes["_ipv6"] = _ipv6_block(vpc_id, ipv6_isp or "BGP") if enable_i_pv6 else None
    if enable_dns_hostname is not None:
        changes["_dns_hostname_status"] = DNS_HOSTNAME[enable_dns_hostname]
    record = vpcs.modify_vpc(ctx, ERRORS, vpc_id, vpc_name, description, cidr_block, None)
    if changes:
        updated = {**record, **changes}
        if updated.get("_ipv6") is None:
            updated.pop("_ipv6", None)
        resources.put(ctx.txn, "vpc", updated)
    return {}


@operation("DeleteVpc", S("VpcId", required=True), B("ForceDelete", default=False), idempotent=True, dry_run=True,
           **_by_id("vpc_id"))
def delete_vpc(ctx: Context, vpc_id: str, force_delete: bool) -> dict:
    # ForceDelete takes IPv4/IPv6 gateways and their routes along (the SDK's words): the IPv6 gateway (with its
    # bandwidths and rules) goes; otherwise a forced delete meets the same dependencies as any other.
    if force_delete:
        ipv6_gateways.delete_with_vpc(ctx, vpc_id)
    vpcs.delete_vpc(ctx, ERRORS, vpc_id)
    return {}


# -- vSwitches -----------------------------------------------------------------------------------------------
@operation("CreateVSwitch", S("ZoneId", required=True, missing=MISSING), S("CidrBlock", required=True, missing=MISSING),
           S("VpcId", required=True, missing=MISSING), S("VSwitchName"), S("Description"),
           I("Ipv6CidrBlock", min=0, max=255), TAGS, idempotent=True, **_by_id("vpc_id"))
def create_vswitch(ctx: Context, zone_id: str, cidr_block: str, vpc_id: str, v_switch_name: Optional[str],
                   description: Optional[str], ipv6_cidr_block: Optional[int], tag: Optional[list[dict]]) -> dict:
    extra = _tags_sent(tag)
    if ipv6_cidr_block is not None:
        vpc = resources.owned(ctx, "vpc", vpc_id, ERRORS.vpc_not_found)
        extra["_ipv6"] = _vswitch_ipv6(ctx, vpc, ipv6_cidr_block)
    return {"VSwitchId": vpcs.create_vswitch(ctx, ERRORS, zone_id, cidr_block, vpc_id, v_switch_name,
                                             description, **extra)["VSwitchId"]}


@operation("DescribeVSwitches", S("VpcId"), Comma("VSwitchId"), S("ZoneId"), S("VSwitchName"), B("IsDefault"),
           S("RouteTableId"), S("ResourceGroupId"), L("VSwitchOwnerId"), B("EnableIpv6"), TAGS, *PAGE, dry_run=True,
           region="optional", api=VPC)
def describe_vswitches(ctx: Context, vpc_id: Optional[str], v_switch_id: Optional[list[str]], zone_id: Optional[str],
                       v_switch_name: Optional[str], is_default: Optional[bool], route_table_id: Optional[str],
                       resource_group_id: Optional[str], v_switch_owner_id: Optional[int],
                       enable_ipv6: Optional[bool], tag: Optional[list[dict]], page_number: int,
                       page_size: int) -> dict:
    narrower, keep = vpcs.vswitch_filter(vpc_id, zone_id, is_default, v_switch_name)
    keep = _all(keep, route_table_id and (lambda r: vswitch_view(ctx, r)["RouteTable"]["RouteTableId"] ==
                                          route_table_id),
                resource_group_id and (lambda r: _group(r, "ResourceGroupId") == resource_group_id),
                *_common_filters(v_switch_owner_id, enable_ipv6, tag))
    total, page = vpcs.listing(ctx, "vswitch", v_switch_id, ERRORS.too_many_vswitch_ids, narrower, keep,
                               page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "VSwitches": {"VSwitch": [vswitch_view(ctx, r) for r in page]}}


@operation("DescribeVSwitchAttributes", S("VSwitchId", required=True), dry_run=True, **_by_id("v_switch_id"))
def describe_vswitch_attributes(ctx: Context, v_switch_id: str) -> dict:
    return vswitch_view(ctx, resources.owned(ctx, "vswitch", v_switch_id, ERRORS.vswitch_not_found))


@operation("ModifyVSwitchAttribute", S("VSwitchId", required=True), S("VSwitchName"), S("Description"),
           B("EnableIPv6"), I("Ipv6CidrBlock", min=0, max=255), **_by_id("v_switch_id"))
def modify_vswitch_attribute(ctx: Context, v_switch_id: str, v_switch_name: Optional[str],
                             description: Optional[str], enable_i_pv6: Optional[bool],
                             ipv6_cidr_block: Optional[int]) -> dict:
    record = resources.owned(ctx, "vswitch", v_switch_id, ERRORS.modify_vswitch_not_found)
    ipv6 = record.get("_ipv6")
    if enable_i_pv6 is False:
        ipv6 = None
    elif enable_i_pv6 or ipv6_cidr_block is not None:
        if ipv6_cidr_block is None:
            raise IPV6_MISSING  # (Terraform: "the API rejects EnableIPv6=true without Ipv6CidrBlock")
        ipv6 = _vswitch_ipv6(ctx, resources.get(ctx, "vpc", record["VpcId"]) or {}, ipv6_cidr_block, v_switch_id)
    if ipv6 != record.get("_ipv6") and record.get("_ipv6") and ipv6_in_use(ctx, v_switch_id):
        raise ERRORS.vswitch_in_use  # [GUESS] ENIs still hold addresses of its /64 (mockecs.world.ipv6)
    record = vpcs.modify_vswitch(ctx, ERRORS, v_switch_id, v_switch_name, description)
    if ipv6 != record.get("_ipv6"):
        updated = {k: v for k, v in record.items() if k != "_ipv6"}
        resources.put(ctx.txn, "vswitch", {**updated, "_ipv6": ipv6} if ipv6 else updated)
    return {}


@operation("DeleteVSwitch", S("VSwitchId", required=True, missing=MISSING), dry_run=True, **_by_id("v_switch_id"))
def delete_vswitch(ctx: Context, v_switch_id: str) -> dict:
    vpcs.delete_vswitch(ctx, ERRORS, v_switch_id)
    return {}


# -- the VPC's router (its route tables: mockecs.ops.vpc_routes) ---------------------------------------------------
def _own_vpcs(ctx: Context, vpc_id: Optional[str]) -> list[dict]:
    """The caller's VPCs here (at most the VPC quota of them), or the one named."""
    found = resources.mine_among(ctx, "vpc", [vpc_id] if vpc_id else None)
    return sorted(found, key=lambda r: (r["_created"], r["VpcId"]))


@operation("DescribeVRouters", S("VRouterId"), *PAGE, api=VPC)
def describe_vrouters(ctx: Context, v_router_id: Optional[str], page_number: int, page_size: int) -> dict:
    found = routes.vrouters(ctx, v_router_id)
    start = (page_number - 1) * page_size
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "VRouters": {"VRouter": [routes.vrouter_view(ctx, r) for r in found[start:start + page_size]]}}


@operation("ModifyVRouterAttribute", S("VRouterId", required=True, missing=MISSING), S("VRouterName"),
           S("Description"), api=VPC)
def modify_vrouter_attribute(ctx: Context, v_router_id: str, v_router_name: Optional[str],
                             description: Optional[str]) -> dict:
    routes.modify_vrouter(ctx, v_router_id, v_router_name, description)
    return {}

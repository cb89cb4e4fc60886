"""IPv6 gateways of the VPC product's API (2016-04-28) and what hangs off them, as Terraform
(``alicloud_vpc_ipv6_gateway``, ``alicloud_vpc_ipv6_internet_bandwidth``, ``alicloud_vpc_ipv6_egress_rule`` and their
data sources, ``alicloud_vpc_ipv6_addresses``) makes them: CreateIpv6Gateway, DescribeIpv6Gateways,
DescribeIpv6GatewayAttribute, ModifyIpv6GatewayAttribute, DeleteIpv6Gateway; DescribeIpv6Addresses (the addresses
ENIs and instances hold); AllocateIpv6InternetBandwidth, ModifyIpv6InternetBandwidth, DeleteIpv6InternetBandwidth;
CreateIpv6EgressOnlyRule, DescribeIpv6EgressOnlyRules, DeleteIpv6EgressOnlyRule. Tags through the VPC API's tag
operations (ResourceType ``IPV6GATEWAY``), groups through MoveResourceGroup. The rules and records:
:mod:`mockecs.world.ipv6_gateways`.

Not modelled: ModifyIpv6GatewaySpec (IPv6 gateways have no editions any more: neither SDK has the action), IPv6
address names and descriptions (ModifyIpv6AddressAttribute), the gateway's route table (GatewayRouteTableId "").
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.params import TAGS, B, I, S, Structs
from mockecs.world import ipv6, paging, resource_groups, resources
from mockecs.world import ipv6_gateways as gw

# DescribeIpv6Addresses' filters on a row's field (argument, field)
ADDRESS_FILTERS = (("vpc_id", "VpcId"), ("v_switch_id", "VSwitchId"),
                   ("associated_instance_id", "AssociatedInstanceId"),
                   ("associated_instance_type", "AssociatedInstanceType"), ("network_type", "NetworkType"),
                   ("address_type", "AddressType"), ("resource_group_id", "ResourceGroupId"))
PAGE = (paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))  # [GUESS] the VPC API's usual 1-50


def _page(found: list, a: dict) -> dict:
    return {"TotalCount": len(found), "PageNumber": a["page_number"], "PageSize": a["page_size"]}


def _all(*tests: Any) -> Callable[[Any], bool]:
    asked = [t for t in tests if t]
    return lambda r: all(t(r) for t in asked)


# -- gateways ------------------------------------------------------------------------------------------------------
@operation("CreateIpv6Gateway", S("VpcId", required=True), S("Name"), S("Description"), S("ResourceGroupId"), TAGS,
           dry_run=True, idempotent=True, mapping=True, api=VPC)
def create_ipv6_gateway(ctx: Context, a: dict) -> dict:
    record = gw.create(ctx, a)
    return {"Ipv6GatewayId": record["Ipv6GatewayId"], "ResourceGroupId": record["ResourceGroupId"]}


@operation("DescribeIpv6Gateways", S("Ipv6GatewayId"), S("VpcId"), S("Name"), S("ResourceGroupId"),
           Structs("Tags", [S("Key"), S("Value")], max_items=20), *PAGE, mapping=True, api=VPC)
def describe_ipv6_gateways(ctx: Context, a: dict) -> dict:
    keep = _all(a["name"] and (lambda r: r["Name"] == a["name"]),
                a["vpc_id"] and (lambda r: r["VpcId"] == a["vpc_id"]),
                a["resource_group_id"] and (lambda r: r["ResourceGroupId"] == a["resource_group_id"]),
                a["tags"] and (lambda r: resources.match_tags(r, a["tags"])))
    found = sorted((r for r in resources.mine_among(
        ctx, gw.KIND, [a["ipv6_gateway_id"]] if a["ipv6_gateway_id"] else None,
        ("vpc", a["vpc_id"]) if a["vpc_id"] else None,
        resource_groups.term(a["resource_group_id"]) if a["resource_group_id"] else None, tags=a["tags"])
        if keep(r)), key=resources.ORDER[gw.KIND])
    page = paging.by_number(found, a["page_number"], a["page_size"])
    return {**_page(found, a), "Ipv6Gateways": {"Ipv6Gateway": [gw.view(r) for r in page]}}


@operation("DescribeIpv6GatewayAttribute", S("Ipv6GatewayId", required=True), api=VPC)
def describe_ipv6_gateway_attribute(ctx: Context, ipv6_gateway_id: str) -> dict:
    return gw.view(gw.owned(ctx, ipv6_gateway_id)) | {"GatewayRouteTableId": ""}


@operation("ModifyIpv6GatewayAttribute", S("Ipv6GatewayId", required=True), S("Name"), S("Description"),
           dry_run=True, idempotent=True, api=VPC)
def modify_ipv6_gateway_attribute(ctx: Context, ipv6_gateway_id: str, name: Optional[str],
                                  description: Optional[str]) -> dict:
    gw.modify(ctx, ipv6_gateway_id, name, description)
    return {}


@operation("DeleteIpv6Gateway", S("Ipv6GatewayId", required=True), dry_run=True, idempotent=True, api=VPC)
def delete_ipv6_gateway(ctx: Context, ipv6_gateway_id: str) -> dict:
    gw.delete(ctx, ipv6_gateway_id)
    return {}


# -- IPv6 addresses ---------------------------------------------------------------------------------------------------
@operation("DescribeIpv6Addresses", S("Ipv6AddressId"), S("Ipv6Address"), S("VSwitchId"), S("VpcId"),
           S("AssociatedInstanceId"), S("AssociatedInstanceType"), S("Ipv6InternetBandwidthId"), S("NetworkType"),
           S("Name"), S("ResourceGroupId"), S("AddressType"), B("ServiceManaged"), B("IncludeReservationData"), TAGS,
           *PAGE, mapping=True, api=VPC)
def describe_ipv6_addresses(ctx: Context, a: dict) -> dict:
    named = _named_address(ctx, a)
    if named is not None:
        eni = gw.holder(ctx, named) if named else None
        enis = [eni] if eni is not None else []
    else:
        enis = list(gw.address_holders(ctx, a["vpc_id"], a["v_switch_id"]))
    gateways: dict[str, str] = {}
    rows = [row for eni in enis for row in gw.address_rows(ctx, eni, gateways) if named is None or
            row["Ipv6Address"] == named]
    keep = _all(*(a[arg] not in (None, "") and (lambda r, arg=arg, field=field: r[field] == a[arg])
                  for arg, field in ADDRESS_FILTERS),
                a["name"] and (lambda r: r["Ipv6AddressName"] == a["name"]),
                a["tag"] and (lambda r: False))  # (addresses carry no tags here)
    found = sorted((r for r in rows if keep(r)), key=lambda r: (r["AllocationTime"], r["Ipv6Address"]))
    return {**_page(found, a), "Ipv6Addresses": {"Ipv6Address": list(paging.by_number(found, a["page_number"],
                                                                                       a["page_size"]))}}


def _named_address(ctx: Context, a: dict) -> Optional[str]:
    """The one address the request names (by bandwidth, id or value), "" when they name none of the caller's or
    disagree, None when it names none."""
    asked = []
    if a["ipv6_internet_bandwidth_id"]:
        bandwidth = resources.get(ctx, gw.BANDWIDTH, a["ipv6_internet_bandwidth_id"])
        asked.append(bandwidth["_address"] if resources.is_mine(ctx, bandwidth) else "")
    if a["ipv6_address_id"]:
        asked.append(gw.address_of(a["ipv6_address_id"]) or "")
    if a["ipv6_address"]:
        asked.append(ipv6.canonical(a["ipv6_address"]) or "")
    if not asked:
        return None
    return asked[0] if len(set(asked)) == 1 else ""


# -- Internet bandwidth -----------------------------------------------------------------------------------------------
@operation("AllocateIpv6InternetBandwidth", S("Ipv6GatewayId", required=True), S("Ipv6AddressId", required=True),
           I("Bandwidth", required=True, min=1, max=5000), S("InternetChargeType"), dry_run=True, idempotent=True,
           api=VPC)
def allocate_ipv6_internet_bandwidth(ctx: Context, ipv6_gateway_id: str, ipv6_address_id: str, bandwidth: int,
                                     internet_charge_type: Optional[str]) -> dict:
    record = gw.allocate(ctx, ipv6_gateway_id, ipv6_address_id, bandwidth, internet_charge_type)
    return {"InternetBandwidthId": record["Ipv6InternetBandwidthId"], "Ipv6AddressId": ipv6_address_id}


@operation("ModifyIpv6InternetBandwidth", S("Ipv6InternetBandwidthId"), S("Ipv6AddressId"),
           I("Bandwidth", required=True, min=1, max=5000), dry_run=True, idempotent=True, api=VPC)
def modify_ipv6_internet_bandwidth(ctx: Context, ipv6_internet_bandwidth_id: Optional[str],
                                   ipv6_address_id: Optional[str], bandwidth: int) -> dict:
    record = gw.bandwidth_named(ctx, ipv6_internet_bandwidth_id, ipv6_address_id)
    resources.put(ctx.txn, gw.BANDWIDTH, {**record, "Bandwidth": bandwidth})
    return {}


@operation("DeleteIpv6InternetBandwidth", S("Ipv6InternetBandwidthId"), S("Ipv6AddressId"), dry_run=True,
           idempotent=True, api=VPC)
def delete_ipv6_internet_bandwidth(ctx: Context, ipv6_internet_bandwidth_id: Optional[str],
                                   ipv6_address_id: Optional[str]) -> dict:
    record = gw.bandwidth_named(ctx, ipv6_internet_bandwidth_id, ipv6_address_id)
    resources.delete(ctx.txn, gw.BANDWIDTH, record["Ipv6InternetBandwidthId"])
    return {}


# -- egress-only rules --------------------------------------------------------------------------------------------
@operation("CreateIpv6EgressOnlyRule", S("Ipv6GatewayId", required=True), S("InstanceId", required=True),
           S("InstanceType"), S("Name"), S("Description"), dry_run=True, idempotent=True, api=VPC)
def create_ipv6_egress_only_rule(ctx: Context, ipv6_gateway_id: str, instance_id: str, instance_type: Optional[str],
                                 name: Optional[str], description: Optional[str]) -> dict:
    record = gw.create_rule(ctx, ipv6_gateway_id, instance_id, instance_type, name, description)
    return {"Ipv6EgressRuleId": record["Ipv6EgressOnlyRuleId"]}


@operation("DescribeIpv6EgressOnlyRules", S("Ipv6GatewayId", required=True), S("Ipv6EgressOnlyRuleId"),
           S("InstanceId"), S("InstanceType"), S("Name"), *PAGE, mapping=True, api=VPC)
def describe_ipv6_egress_only_rules(ctx: Context, a: dict) -> dict:
    gw.owned(ctx, a["ipv6_gateway_id"])
    rule_id = a["ipv6_egress_only_rule_id"]
    keep = _all(rule_id and (lambda r: r["Ipv6EgressOnlyRuleId"] == rule_id),
                a["instance_id"] and (lambda r: r["InstanceId"] == a["instance_id"]),
                a["instance_type"] and (lambda r: r["InstanceType"] == a["instance_type"]),
                a["name"] and (lambda r: r["Name"] == a["name"]))
    found = sorted((r for r in resources.mine_among(ctx, gw.RULE, None, ("ipv6_gateway", a["ipv6_gateway_id"]))
                    if keep(r)), key=resources.ORDER[gw.RULE])
    page = paging.by_number(found, a["page_number"], a["page_size"])
    return {**_page(found, a), "Ipv6EgressOnlyRules": {"Ipv6EgressOnlyRule": [resources.wire(r) for r in page]}}


@operation("DeleteIpv6EgressOnlyRule", S("Ipv6EgressOnlyRuleId", required=True), dry_run=True, idempotent=True,
           api=VPC)
def delete_ipv6_egress_only_rule(ctx: Context, ipv6_egress_only_rule_id: str) -> dict:
    gw.delete_rule(ctx, ipv6_egress_only_rule_id)
    return {}

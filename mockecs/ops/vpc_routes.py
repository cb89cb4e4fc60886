"""Route tables, route entries and secondary IPv4 blocks on the VPC product's API (2016-04-28), as Terraform
(``alicloud_route_table``, ``alicloud_route_table_attachment``, ``alicloud_route_entry``, ``alicloud_vpc_route_entry``,
``alicloud_vpc_ipv4_cidr_block``) and Ansible (footmark's ``ali_route_entry``) use them: CreateRouteTable,
DeleteRouteTable, AssociateRouteTable, UnassociateRouteTable, DescribeRouteTableList, ModifyRouteTableAttributes,
DescribeRouteTables (the older listing, with the entries, that Terraform's route entry and footmark read),
CreateRouteEntry, DeleteRouteEntry, ModifyRouteEntry, DescribeRouteEntryList, ListVpcPublishedRouteEntries (where
entries are published: nowhere, no ECR is kept), AssociateVpcCidrBlock,
UnassociateVpcCidrBlock; and ECS's own deprecated CreateRouteEntry, DeleteRouteEntry, DescribeRouteTables on the same
records. The records and rules: :mod:`mockecs.world.routes`.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.ops.vpc_networks import ERRORS, MISSING, PAGE, _group, _own_vpcs, _tags_sent
from mockecs.wire.apis import VPC
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import TAGS, B, I, S
from mockecs.world import networks, paging, resources, routes, vpcs
from mockecs.world.validation import check_description

# ModifyRouteTableAttributes documents only Forbbiden: [GUESS] these, worded like the VPC's own.
ROUTE_TABLE_NAME = error_kind("InvalidRouteTableName.Malformed", "Specified route table name is not valid.", 400)
ROUTE_TABLE_DESCRIPTION = ("InvalidDescription.Malformed", "Specified description is not valid.")
MISSING_ERROR = error_kind(*MISSING)
# AssociateVpcCidrBlock / UnassociateVpcCidrBlock: [GUESS] the codes (none documented where reachable).
MAX_SECONDARY_CIDRS = 5  # (the VPC documentation's: up to 5 secondary IPv4 blocks)
SECONDARY_QUOTA = error_kind("QuotaExceeded.SecondaryCidrBlock", "The number of secondary CIDR blocks exceeds the "
                             "quota.", 400)
SECONDARY_OVERLAP = error_kind("InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other CIDR "
                               "blocks of the VPC.", 400)
SECONDARY_NOT_FOUND = error_kind("InvalidSecondaryCidrBlock.NotFound", "Specified secondary CIDR block does not "
                                 "exist.", 404)
# (codes Terraform's alicloud_vpc_ipv4_cidr_block retries: a VPC being made or changed, a block still in use)
SECONDARY_IN_USE = error_kind("OperationFailed.CidrInUse", "The specified CIDR block is in use by vSwitches.", 400)
VPC_STATUS = error_kind("IncorrectStatus.Vpc", "The status of the VPC does not support this operation.", 400)
IPV4 = "IPV4"
# DescribeRouteEntryList names a missing table so (Terraform's DescribeVpcRouteEntry maps this code to "gone"):
# [GUESS] the words and status.
LIST_TABLE_NOT_FOUND = error_kind("InvalidRouteTable.NotFound", "The specified route table does not exist.", 404)
# ListVpcPublishedRouteEntries: routes published to an ECR (Express Connect Router); mockecs keeps no ECRs, so no
# route is published and a named target is not associated ([GUESS] the words; the code Terraform tolerates).
TARGET_NOT_ASSOCIATED = error_kind("ResourceNotAssociated.TargetInstance",
                                   "The specified target instance is not associated with the VPC.", 400)
BAD_TARGET_TYPE = error_kind("IllegalParam.TargetType", "The specified TargetType is not supported.", 400)


def _by_table(id_name: str = "route_table_id") -> dict:
    return {"api": VPC, "region": "optional", "region_of": resources.region_from(id_name)}


# -- route tables --------------------------------------------------------------------------------------------------

def system_table_view(ctx: Context, vpc: dict) -> dict:
    return {"RouteTableId": vpc["_route_table"], "RouteTableName": vpc.get("_route_table_name", ""),
            "Description": vpc.get("_route_table_description", ""), "RouteTableType": routes.SYSTEM,
            "RouterId": vpc["VRouterId"], "RouterType": "VRouter", "VpcId": vpc["VpcId"],
            "VSwitchIds": {"VSwitchId": routes.system_vswitch_ids(ctx, vpc["VpcId"])},
            "CreationTime": vpc["CreationTime"], "Status": "Available", "OwnerId": int(vpc["_owner"]),
            "ResourceGroupId": _group(vpc, "_resource_group_id"),
            "RoutePropagationEnable": vpc.get("_route_propagation", True),
            "AssociateType": "VSwitch", "GatewayIds": {"GatewayIds": []}, "Tags": {"Tag": []},
            "_created": vpc["_created"]}


def custom_table_view(ctx: Context, vpc: dict, table: dict) -> dict:
    return {"RouteTableId": table["RouteTableId"], "RouteTableName": table["RouteTableName"],
            "Description": table["Description"], "RouteTableType": routes.CUSTOM, "RouterId": vpc["VRouterId"],
            "RouterType": "VRouter", "VpcId": table["VpcId"],
            "VSwitchIds": {"VSwitchId": routes.bound_vswitch_ids(ctx, table["RouteTableId"])},
            "CreationTime": table["CreationTime"], "Status": table["Status"], "OwnerId": int(table["_owner"]),
            "ResourceGroupId": _group(table, "_resource_group_id"),
            "RoutePropagationEnable": table["RoutePropagationEnable"], "AssociateType": table["AssociateType"],
            "GatewayIds": {"GatewayIds": []}, "Tags": resources.key_value_tags(table), "_created": table["_created"]}


def _tables(ctx: Context, vpc_id: Optional[str], route_table_id: Optional[str]) -> list[dict]:
    """The views of the caller's route tables here (of a VPC; the one named), oldest first, system tables before
    the custom ones of the same moment."""
    if route_table_id:
        try:
            vpc, table = routes.find_table(ctx, route_table_id)
        except EcsError:
            return []  # (a listing: nothing matches)
        if vpc_id and vpc["VpcId"] != vpc_id:
            return []
        return [custom_table_view(ctx, vpc, table) if table else system_table_view(ctx, vpc)]
    found = []
    for vpc in _own_vpcs(ctx, vpc_id):
        found.append(system_table_view(ctx, vpc))
        found.extend(custom_table_view(ctx, vpc, t) for t in routes.tables_of(ctx, vpc["VpcId"]))
    found.sort(key=lambda v: (v["_created"], v["RouteTableType"] != routes.SYSTEM, v["RouteTableId"]))
    return found


def _keep(tests: list[Any]) -> Callable[[dict], bool]:
    asked = [t for t in tests if t]
    return lambda view: all(t(view) for t in asked)


def _page(found: list[dict], page_number: int, page_size: int) -> list[dict]:
    start = (page_number - 1) * page_size
    return [resources.wire(v) for v in found[start:start + page_size]]


@operation("CreateRouteTable", S("VpcId", required=True, missing=MISSING), S("RouteTableName"), S("Description"),
           S("AssociateType"), TAGS, idempotent=True, **_by_table("vpc_id"))
def create_route_table(ctx: Context, vpc_id: str, route_table_name: Optional[str], description: Optional[str],
                       associate_type: Optional[str], tag: Optional[list[dict]]) -> dict:
    if not networks.valid_name(route_table_name):
        raise ROUTE_TABLE_NAME
    check_description(description, *ROUTE_TABLE_DESCRIPTION)
    table = routes.create_table(ctx, vpc_id, route_table_name, description, associate_type, **_tags_sent(tag))
    return {"RouteTableId": table["RouteTableId"]}


@operation("DeleteRouteTable", S("RouteTableId", required=True, missing=MISSING), **_by_table())
def delete_route_table(ctx: Context, route_table_id: str) -> dict:
    routes.delete_table(ctx, route_table_id)
    return {}


@operation("AssociateRouteTable", S("RouteTableId", required=True, missing=MISSING),
           S("VSwitchId", required=True, missing=MISSING), idempotent=True, **_by_table())
def associate_route_table(ctx: Context, route_table_id: str, v_switch_id: str) -> dict:
    routes.associate(ctx, route_table_id, v_switch_id)
    return {}


@operation("UnassociateRouteTable", S("RouteTableId", required=True, missing=MISSING),
           S("VSwitchId", required=True, missing=MISSING), idempotent=True, **_by_table())
def unassociate_route_table(ctx: Context, route_table_id: str, v_switch_id: str) -> dict:
    routes.unassociate(ctx, route_table_id, v_switch_id)
    return {}


@operation("DescribeRouteTableList", S("VpcId"), S("RouteTableId"), S("RouterId"), S("RouterType"),
           S("RouteTableName"), S("RouteTableType"), S("ResourceGroupId"), TAGS, *PAGE, api=VPC)
def describe_route_table_list(ctx: Context, vpc_id: Optional[str], route_table_id: Optional[str],
                              router_id: Optional[str], router_type: Optional[str], route_table_name: Optional[str],
                              route_table_type: Optional[str], resource_group_id: Optional[str],
                              tag: Optional[list[dict]], page_number: int, page_size: int) -> dict:
    # (no border routers' tables: RouterType VBR matches nothing)
    keep = _keep([router_id and (lambda v: v["RouterId"] == router_id),
                  router_type and (lambda v: v["RouterType"] == router_type),
                  route_table_name and (lambda v: v["RouteTableName"] == route_table_name),
                  route_table_type and (lambda v: v["RouteTableType"] == route_table_type),
                  resource_group_id and (lambda v: v["ResourceGroupId"] == resource_group_id),
                  tag and (lambda v: _has_tags(v, tag))])
    found = [v for v in _tables(ctx, vpc_id, route_table_id) if keep(v)]
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "RouterTableList": {"RouterTableListType": _page(found, page_number, page_size)}}


def _has_tags(view: dict, wanted: list[dict]) -> bool:
    return resources.match_tags({"Tags": {"Tag": [{"TagKey": t["Key"], "TagValue": t["Value"]}
                                                  for t in view["Tags"]["Tag"]]}}, wanted)


@operation("ModifyRouteTableAttributes", S("RouteTableId", required=True), S("RouteTableName"), S("Description"),
           B("RoutePropagationEnable"), **_by_table())
def modify_route_table_attributes(ctx: Context, route_table_id: str, route_table_name: Optional[str],
                                  description: Optional[str], route_propagation_enable: Optional[bool]) -> dict:
    """Names, describes or stops route propagation of a route table: a VPC's system one (Terraform's alicloud_vpc
    system_route_table_* arguments) or a custom one (alicloud_route_table)."""
    vpc, table = routes.find_table(ctx, route_table_id)
    if not networks.valid_name(route_table_name):
        raise ROUTE_TABLE_NAME
    check_description(description, *ROUTE_TABLE_DESCRIPTION)
    if table is None:
        changes = {k: v for k, v in (("_route_table_name", route_table_name),
                                     ("_route_table_description", description),
                                     ("_route_propagation", route_propagation_enable)) if v is not None}
        resources.put(ctx.txn, "vpc", {**vpc, **changes})
        return {}
    changes = {k: v for k, v in (("RouteTableName", route_table_name), ("Description", description),
                                 ("RoutePropagationEnable", route_propagation_enable)) if v is not None}
    resources.put(ctx.txn, routes.KIND, {**table, **changes})
    return {}


OLD_PAGE = (I("PageNumber", default=1, min=1, max=2**31 - 1), I("PageSize", default=10, min=1, max=50))


@operation("DescribeRouteTables", S("RouteTableId"), S("VRouterId"), S("RouterId"), S("RouterType"),
           S("RouteTableName"), S("Type"), S("ResourceGroupId"), *OLD_PAGE, api=VPC)
def describe_route_tables(ctx: Context, route_table_id: Optional[str], v_router_id: Optional[str],
                          router_id: Optional[str], router_type: Optional[str], route_table_name: Optional[str],
                          type: Optional[str], resource_group_id: Optional[str], page_number: int,
                          page_size: int) -> dict:
    """The older listing: each table with its entries (RouteEntrys), which Terraform's alicloud_route_entry and
    footmark read."""
    total, rows = _old_tables(ctx, route_table_id, v_router_id or router_id, router_type, route_table_name, type,
                              resource_group_id, page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size, "RouteTables": {"RouteTable": rows}}


def _old_tables(ctx: Context, route_table_id: Optional[str], router: Optional[str], router_type: Optional[str],
                route_table_name: Optional[str], type: Optional[str], resource_group_id: Optional[str],
                page_number: int, page_size: int) -> tuple[int, list[dict]]:
    """DescribeRouteTables of either API: the total and a page of tables with their entries."""
    keep = _keep([router and (lambda v: v["RouterId"] == router),
                  router_type and (lambda v: v["RouterType"] == router_type),
                  route_table_name and (lambda v: v["RouteTableName"] == route_table_name),
                  type and (lambda v: v["RouteTableType"] == type),
                  resource_group_id and (lambda v: v["ResourceGroupId"] == resource_group_id)])
    found = [v for v in _tables(ctx, None, route_table_id) if keep(v)]
    start = (page_number - 1) * page_size
    rows = []
    for view in found[start:start + page_size]:
        vpc = resources.get(ctx, "vpc", view["VpcId"]) or {}
        rows.append({"RouteTableId": view["RouteTableId"], "RouteTableType": view["RouteTableType"],
                     "VRouterId": view["RouterId"], "CreationTime": view["CreationTime"], "Status": view["Status"],
                     "ResourceGroupId": view["ResourceGroupId"], "VSwitchIds": view["VSwitchIds"],
                     "RouteEntrys": {"RouteEntry": [_old_entry_view(e) for e in routes.entries(
                         ctx, vpc, view["RouteTableId"])]}})
    return len(found), rows


# -- route entries ---------------------------------------------------------------------------------------------------
def _old_entry_view(entry: dict) -> dict:
    """An entry as DescribeRouteTables answers it: the next hop's id is InstanceId."""
    return {"RouteEntryId": entry["RouteEntryId"], "RouteTableId": entry["RouteTableId"],
            "DestinationCidrBlock": entry["DestinationCidrBlock"], "Type": entry["Type"],
            "NextHopType": entry["NextHopType"], "InstanceId": entry["NextHopId"], "Status": entry["Status"],
            "RouteEntryName": entry["RouteEntryName"], "Description": entry["Description"],
            "NextHops": {"NextHop": []}}


def _entry_view(ctx: Context, entry: dict) -> dict:
    hop = {"NextHopType": entry["NextHopType"], "NextHopId": entry["NextHopId"], "Enabled": 1, "Weight": 100,
           "NextHopRegionId": ctx.region,
           "NextHopRelatedInfo": {"InstanceId": "", "InstanceType": "", "RegionId": ""}}
    return {"RouteEntryId": entry["RouteEntryId"], "RouteTableId": entry["RouteTableId"],
            "DestinationCidrBlock": entry["DestinationCidrBlock"], "Type": entry["Type"], "Status": entry["Status"],
            "RouteEntryName": entry["RouteEntryName"], "Description": entry["Description"],
            "IpVersion": entry["IpVersion"], "Origin": "",
            "GmtModified": entry.get("GmtModified") or resources.iso(entry["_created"]), "ServiceType": "",
            "NextHops": {"NextHop": [hop]}}


@operation("CreateRouteEntry", S("RouteTableId", required=True, missing=MISSING), S("DestinationCidrBlock"),
           S("NextHopType", default="Instance"), S("NextHopId"), S("RouteEntryName"), S("Description"),
           dry_run=True, idempotent=True, **_by_table())
def create_route_entry(ctx: Context, route_table_id: str, destination_cidr_block: Optional[str], next_hop_type: str,
                       next_hop_id: Optional[str], route_entry_name: Optional[str],
                       description: Optional[str]) -> dict:
    if not destination_cidr_block or not next_hop_id:
        raise MISSING_ERROR  # [GUESS] (NextHopList, ECMP routes, is not modelled)
    entry = routes.create_entry(ctx, route_table_id, destination_cidr_block, next_hop_type, next_hop_id,
                                route_entry_name, description)
    return {"RouteEntryId": entry["RouteEntryId"]}


@operation("DeleteRouteEntry", S("RouteEntryId"), S("RouteTableId"), S("DestinationCidrBlock"), S("NextHopId"),
           dry_run=True, **_by_table())
def delete_route_entry(ctx: Context, route_entry_id: Optional[str], route_table_id: Optional[str],
                       destination_cidr_block: Optional[str], next_hop_id: Optional[str]) -> dict:
    if not route_entry_id and not (route_table_id and destination_cidr_block):
        raise MISSING_ERROR
    routes.delete_entry(ctx, routes.find_entry(ctx, route_table_id, route_entry_id, destination_cidr_block,
                                               next_hop_id))
    return {}


@operation("ModifyRouteEntry", S("RouteEntryId"), S("RouteTableId"), S("DestinationCidrBlock"), S("RouteEntryName"),
           S("Description"), S("NewNextHopType"), S("NewNextHopId"), dry_run=True, **_by_table())
def modify_route_entry(ctx: Context, route_entry_id: Optional[str], route_table_id: Optional[str],
                       destination_cidr_block: Optional[str], route_entry_name: Optional[str],
                       description: Optional[str], new_next_hop_type: Optional[str],
                       new_next_hop_id: Optional[str]) -> dict:
    if not route_entry_id and not (route_table_id and destination_cidr_block):
        raise MISSING_ERROR
    entry = routes.find_entry(ctx, route_table_id, route_entry_id, destination_cidr_block, None)
    routes.modify_entry(ctx, entry, route_entry_name, description, new_next_hop_type, new_next_hop_id)
    return {}


@operation("DescribeRouteEntryList", S("RouteTableId", required=True, missing=MISSING), S("RouteEntryId"),
           S("RouteEntryName"), S("RouteEntryType"), S("DestinationCidrBlock"), S("IpVersion"), S("NextHopId"),
           S("NextHopType"), I("MaxResult", default=50, min=20, max=100), S("NextToken"), **_by_table())
def describe_route_entry_list(ctx: Context, route_table_id: str, route_entry_id: Optional[str],
                              route_entry_name: Optional[str], route_entry_type: Optional[str],
                              destination_cidr_block: Optional[str], ip_version: Optional[str],
                              next_hop_id: Optional[str], next_hop_type: Optional[str], max_result: int,
                              next_token: Optional[str]) -> dict:
    vpc, _ = routes.find_table(ctx, route_table_id, LIST_TABLE_NOT_FOUND)
    keep = _keep([route_entry_id and (lambda e: e["RouteEntryId"] == route_entry_id),
                  route_entry_name and (lambda e: e["RouteEntryName"] == route_entry_name),
                  route_entry_type and (lambda e: e["Type"] == route_entry_type),
                  destination_cidr_block and (lambda e: e["DestinationCidrBlock"] == destination_cidr_block),
                  ip_version and (lambda e: e["IpVersion"].lower() == ip_version.lower()),
                  next_hop_id and (lambda e: e["NextHopId"] == next_hop_id),
                  next_hop_type and (lambda e: e["NextHopType"] == next_hop_type)])
    found = [e for e in routes.entries(ctx, vpc, route_table_id) if keep(e)]
    page, token = paging.by_token(found, max_result, next_token)
    return {"TotalCount": len(found), "NextToken": token,
            "RouteEntrys": {"RouteEntry": [_entry_view(ctx, e) for e in page]}}


@operation("ListVpcPublishedRouteEntries", S("RouteTableId", required=True, missing=MISSING),
           S("TargetType", required=True, missing=MISSING), S("TargetInstanceId"), S("DestinationCidrBlock"),
           I("MaxResults", default=20, min=1, max=100), S("NextToken"), **_by_table())
def list_vpc_published_route_entries(ctx: Context, route_table_id: str, target_type: str,
                                     target_instance_id: Optional[str], destination_cidr_block: Optional[str],
                                     max_results: int, next_token: Optional[str]) -> dict:
    """A table's entries and where each is published (Terraform's alicloud_vpc_route_entry reads it): nowhere."""
    if target_type != "ECR":
        raise BAD_TARGET_TYPE
    vpc, _ = routes.find_table(ctx, route_table_id)
    if target_instance_id:
        raise TARGET_NOT_ASSOCIATED
    found = [e for e in routes.entries(ctx, vpc, route_table_id)
             if not destination_cidr_block or e["DestinationCidrBlock"] == destination_cidr_block]
    page, token = paging.by_token(found, max_results, next_token)
    return {"NextToken": token, "RouteEntries": [
        {"RouteEntryId": e["RouteEntryId"], "RouteTableId": e["RouteTableId"],
         "DestinationCidrBlock": e["DestinationCidrBlock"], "RoutePublishTargets": []} for e in page]}


# -- secondary IPv4 blocks of a VPC --------------------------------------------------------------------------------
@operation("AssociateVpcCidrBlock", S("VpcId", required=True, missing=MISSING), S("SecondaryCidrBlock"),
           S("IpVersion"), **_by_table("vpc_id"))
def associate_vpc_cidr_block(ctx: Context, vpc_id: str, secondary_cidr_block: Optional[str],
                             ip_version: Optional[str]) -> dict:
    """An IPv4 block more for a VPC's vSwitches (IPv6 blocks, masks from IPAM pools: not modelled)."""
    vpc = resources.owned(ctx, "vpc", vpc_id, ERRORS.vpc_not_found)
    if not secondary_cidr_block:
        raise MISSING_ERROR
    network = networks.parse_cidr(secondary_cidr_block)
    if network is None or not networks.vpc_cidr_allowed(network) or (ip_version or IPV4).upper() != IPV4:
        raise ERRORS.modify_cidr_malformed
    if vpc["Status"] != "Available":
        raise VPC_STATUS
    blocks = vpcs.cidr_blocks(vpc)
    if any(network.overlaps(networks.parse_cidr(b)) for b in blocks):
        raise SECONDARY_OVERLAP
    if len(blocks) - 1 >= MAX_SECONDARY_CIDRS:
        raise SECONDARY_QUOTA
    resources.put(ctx.txn, "vpc", {**vpc, "_secondary_cidrs": [*blocks[1:], str(network)]})
    return {"CidrBlock": str(network), "IpVersion": IPV4}


@operation("UnassociateVpcCidrBlock", S("VpcId", required=True, missing=MISSING), S("SecondaryCidrBlock"),
           **_by_table("vpc_id"))
def unassociate_vpc_cidr_block(ctx: Context, vpc_id: str, secondary_cidr_block: Optional[str]) -> dict:
    vpc = resources.owned(ctx, "vpc", vpc_id, ERRORS.vpc_not_found)
    network = networks.parse_cidr(secondary_cidr_block)
    secondary = vpcs.cidr_blocks(vpc)[1:]
    if network is None or str(network) not in secondary:
        raise SECONDARY_NOT_FOUND
    if any(s is not None and networks.parse_cidr(s["CidrBlock"]).subnet_of(network)
           for s in vpcs.vswitches_of(ctx, vpc_id)):
        raise SECONDARY_IN_USE
    rest = [b for b in secondary if b != str(network)]
    updated = {k: v for k, v in vpc.items() if k != "_secondary_cidrs"}
    resources.put(ctx.txn, "vpc", {**updated, "_secondary_cidrs": rest} if rest else updated)
    return {}


# -- ECS's own (deprecated) route operations, on the same records --------------------------------------------------
# ECS 2014-05-26 still answers CreateRouteEntry, DeleteRouteEntry and DescribeRouteTables (its metadata marks them
# deprecated in favour of the VPC API's): the same rules and the words its metadata documents (the same ones).
ECS_TABLE_FIELDS = ("RouteTableId", "RouteTableType", "VRouterId", "CreationTime", "ResourceGroupId")
ECS_ENTRY_FIELDS = ("RouteTableId", "DestinationCidrBlock", "Type", "NextHopType", "InstanceId", "Status",
                    "NextHops")


def _by_table_ecs() -> dict:
    return {"region": "optional", "region_of": resources.region_from("route_table_id")}


@operation("CreateRouteEntry", S("RouteTableId", required=True, missing=MISSING),
           S("DestinationCidrBlock", required=True, missing=MISSING), S("NextHopType", default="Instance"),
           S("NextHopId"), idempotent=True, **_by_table_ecs())
def ecs_create_route_entry(ctx: Context, route_table_id: str, destination_cidr_block: str, next_hop_type: str,
                           next_hop_id: Optional[str]) -> dict:
    if not next_hop_id:
        raise MISSING_ERROR
    routes.create_entry(ctx, route_table_id, destination_cidr_block, next_hop_type, next_hop_id, None, None)
    return {}


@operation("DeleteRouteEntry", S("RouteTableId", required=True, missing=MISSING),
           S("DestinationCidrBlock", required=True, missing=MISSING), S("NextHopId"), **_by_table_ecs())
def ecs_delete_route_entry(ctx: Context, route_table_id: str, destination_cidr_block: str,
                           next_hop_id: Optional[str]) -> dict:
    routes.delete_entry(ctx, routes.find_entry(ctx, route_table_id, None, destination_cidr_block, next_hop_id))
    return {}


# RegionId is optional (the metadata): aliyungo's DescribeRouteTablesArgs has none, so a client made without a
# region (ecs.NewClient) sends none; the table's region, else the endpoint's, decides.
@operation("DescribeRouteTables", S("RouteTableId"), S("VRouterId"), S("RouterId"), S("RouterType"),
           S("RouteTableName"), *OLD_PAGE, **_by_table_ecs())
def ecs_describe_route_tables(ctx: Context, route_table_id: Optional[str], v_router_id: Optional[str],
                              router_id: Optional[str], router_type: Optional[str], route_table_name: Optional[str],
                              page_number: int, page_size: int) -> dict:
    total, rows = _old_tables(ctx, route_table_id, v_router_id or router_id, router_type, route_table_name, None,
                              None, page_number, page_size)
    tables = [{**{k: row[k] for k in ECS_TABLE_FIELDS}, "RouteEntrys": {"RouteEntry": [
        {k: e[k] for k in ECS_ENTRY_FIELDS} for e in row["RouteEntrys"]["RouteEntry"]]}} for row in rows]
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "RouteTables": {"RouteTable": tables}}

"""DHCP options sets of the VPC product's API (2016-04-28), as Terraform (``alicloud_vpc_dhcp_options_set``,
``alicloud_vpc_dhcp_options_set_attachment``, the ``alicloud_vpc_dhcp_options_sets`` data source) makes them:
CreateDhcpOptionsSet, GetDhcpOptionsSet, ListDhcpOptionsSets, UpdateDhcpOptionsSetAttribute, DeleteDhcpOptionsSet,
AttachDhcpOptionsSetToVpc, DetachDhcpOptionsSetFromVpc, ReplaceVpcDhcpOptionsSet. Tags through the VPC API's tag
operations (ResourceType ``DhcpOptionsSet``), groups through MoveResourceGroup. The rules and records:
:mod:`mockecs.world.dhcp_options`; a VPC's set shows in DescribeVpcs / DescribeVpcAttribute
(:mod:`mockecs.ops.vpc_networks`).
"""
from __future__ import annotations

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS, I, Repeat, S, Structs
from mockecs.world import dhcp_options as dhcp
from mockecs.world import paging, resource_groups, resources

OPTIONS = (S("DomainNameServers"), S("DomainName"), S("DhcpOptionsSetName"), S("DhcpOptionsSetDescription"),
           S("LeaseTime"), S("Ipv6LeaseTime"))
MAX_IDS = 20  # ListDhcpOptionsSets.DhcpOptionsSetId: up to 20 (documented)
TOO_MANY_IDS = error_kind("InvalidParameter", "The number of DhcpOptionsSetId exceeds the limit.", 400)  # [GUESS]


@operation("CreateDhcpOptionsSet", *OPTIONS, S("ResourceGroupId"), TAGS, dry_run=True, idempotent=True,
           mapping=True, api=VPC)
def create_dhcp_options_set(ctx: Context, a: dict) -> dict:
    record = dhcp.create(ctx, a)
    return {"DhcpOptionsSetId": record["DhcpOptionsSetId"], "ResourceGroupId": record["ResourceGroupId"]}


@operation("GetDhcpOptionsSet", S("DhcpOptionsSetId", required=True), api=VPC)
def get_dhcp_options_set(ctx: Context, dhcp_options_set_id: str) -> dict:
    # [GUESS] a set not found (or another's) answers an empty body, not an error: both of Terraform's reads
    # (VpcService.DescribeVpcDhcpOptionsSet, VpcServiceV2's) take an answer without DhcpOptionsSetId / Status as
    # "gone", and read no not-found code of this action.
    record = resources.get(ctx, dhcp.KIND, dhcp_options_set_id)
    return dhcp.view(ctx, record) if resources.is_mine(ctx, record) else {}


@operation("ListDhcpOptionsSets", Repeat("DhcpOptionsSetId"), S("DhcpOptionsSetName"), S("DomainName"),
           S("ResourceGroupId"), Structs("Tags", [S("Key"), S("Value")], max_items=20),
           I("MaxResults", default=10, min=1, max=100), S("NextToken"), mapping=True, api=VPC)
def list_dhcp_options_sets(ctx: Context, a: dict) -> dict:
    ids = [i for i in a["dhcp_options_set_id"] or () if i]
    if len(ids) > MAX_IDS:
        raise TOO_MANY_IDS
    if not (ids or a["dhcp_options_set_name"] or a["domain_name"] or a["resource_group_id"] or a["tags"]):
        page, meta = paging.ordered_page(ctx, dhcp.KIND, resources.owner_region(ctx.account, ctx.region), 1,
                                         a["max_results"], a["next_token"], a["max_results"])
        total, token = meta["TotalCount"], meta["NextToken"]
    else:
        group = resource_groups.term(a["resource_group_id"]) if a["resource_group_id"] else None
        found = dhcp.filtered(resources.mine_among(ctx, dhcp.KIND, ids, group, tags=a["tags"]), a)
        found.sort(key=resources.ORDER[dhcp.KIND])
        total = len(found)
        page, token = paging.by_token(found, a["max_results"], a["next_token"])
    return {"DhcpOptionsSets": [dhcp.summary(ctx, r) for r in page], "NextToken": token, "TotalCount": str(total)}


@operation("UpdateDhcpOptionsSetAttribute", S("DhcpOptionsSetId", required=True), *OPTIONS, dry_run=True,
           idempotent=True, mapping=True, api=VPC)
def update_dhcp_options_set_attribute(ctx: Context, a: dict) -> dict:
    dhcp.update(ctx, a["dhcp_options_set_id"], a)
    return {}


@operation("DeleteDhcpOptionsSet", S("DhcpOptionsSetId", required=True), dry_run=True, idempotent=True, api=VPC)
def delete_dhcp_options_set(ctx: Context, dhcp_options_set_id: str) -> dict:
    dhcp.delete(ctx, dhcp_options_set_id)
    return {}


@operation("AttachDhcpOptionsSetToVpc", S("DhcpOptionsSetId", required=True), S("VpcId", required=True),
           dry_run=True, idempotent=True, api=VPC)
def attach_dhcp_options_set_to_vpc(ctx: Context, dhcp_options_set_id: str, vpc_id: str) -> dict:
    dhcp.attach(ctx, dhcp_options_set_id, vpc_id)
    return {}


@operation("DetachDhcpOptionsSetFromVpc", S("DhcpOptionsSetId", required=True), S("VpcId", required=True),
           dry_run=True, idempotent=True, api=VPC)
def detach_dhcp_options_set_from_vpc(ctx: Context, dhcp_options_set_id: str, vpc_id: str) -> dict:
    dhcp.detach(ctx, dhcp_options_set_id, vpc_id)
    return {}


@operation("ReplaceVpcDhcpOptionsSet", S("DhcpOptionsSetId", required=True), S("VpcId", required=True),
           dry_run=True, idempotent=True, api=VPC)
def replace_vpc_dhcp_options_set(ctx: Context, dhcp_options_set_id: str, vpc_id: str) -> dict:
    dhcp.replace(ctx, dhcp_options_set_id, vpc_id)
    return {}

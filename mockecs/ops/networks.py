"""VPCs and vSwitches on the ECS API: CreateVpc, DescribeVpcs, ModifyVpcAttribute, DeleteVpc, CreateVSwitch,
DescribeVSwitches, ModifyVSwitchAttribute, DeleteVSwitch. The records and their rules are shared with the VPC
product's API (:mod:`mockecs.world.vpcs`); the CIDR and address rules are in :mod:`mockecs.world.networks`."""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, Comma, I, S
from mockecs.world import networks, resources, vpcs

# ECS's metadata words a few of the shared rules' errors its own way.
ERRORS = replace(
    vpcs.Errors(),
    user_cidr_quota=error_kind("InvalidUserCidr.Quota", "Specified  UserCidr number is greater than 3.", 400),
    user_cidr_malformed=error_kind("IllegalParam.UserCidr", "UserCidr is not a valid or strict address.", 400),
    modify_user_cidr_malformed=error_kind("InvalidParameter", "Specified  UserCidr  invalid  format.", 400),
    vswitch_status=error_kind("IncorrectVSwitchStatus", "vpc subnet status not working.", 400),
    vswitch_description=("InvalidVSwitchDiscription.Malformed", "Specified  virtual switch description is not valid."),
)
# CreateVSwitch and DeleteVSwitch document their own wording of a missing parameter.
MISSING = ("MissingParameter", "Miss mandatory parameter.", 400)
# DescribeVpcs / DescribeVSwitches: PageSize 1..50, default 10 (metadata).
PAGE = (I("PageNumber", default=1, min=1, max=2**31 - 1), I("PageSize", default=10, min=1, max=50))


def _ecs_view(record: dict) -> dict:
    """A record as ECS answers it: without the tags the VPC API may keep on VPCs and vSwitches (ECS's
    DescribeVpcs / DescribeVSwitches declare none)."""
    return {k: v for k, v in record.items() if not k.startswith("_") and k != "Tags"}  # (one pass, not two)


def _vpc_view(ctx: Context, record: dict) -> dict:
    return {**_ecs_view(record), "VSwitchIds": {"VSwitchId": vpcs.vswitch_ids(ctx, record["VpcId"])}}


# -- VPCs -------------------------------------------------------------------------------------------------
@operation("CreateVpc", S("CidrBlock", default=networks.DEFAULT_VPC_CIDR), S("VpcName"), S("Description"),
           S("UserCidr"), idempotent=True)
def create_vpc(ctx: Context, cidr_block: Optional[str], vpc_name: Optional[str], description: Optional[str],
               user_cidr: Optional[str]) -> dict:
    record = vpcs.create_vpc(ctx, ERRORS, cidr_block, vpc_name, description, user_cidr)
    return {"VpcId": record["VpcId"], "VRouterId": record["VRouterId"], "RouteTableId": record["_route_table"]}


@operation("DescribeVpcs", Comma("VpcId"), B("IsDefault"), *PAGE)
def describe_vpcs(ctx: Context, vpc_id: Optional[list[str]], is_default: Optional[bool], page_number: int,
                  page_size: int) -> dict:
    keep = None if is_default is None else (lambda r: r["IsDefault"] == is_default)
    total, page = vpcs.listing(ctx, "vpc", vpc_id, ERRORS.too_many_vpc_ids, None, keep, page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "Vpcs": {"Vpc": [_vpc_view(ctx, r) for r in page]}}


@operation("DeleteVpc", S("VpcId", required=True), region="optional", region_of=resources.region_from("vpc_id"))
def delete_vpc(ctx: Context, vpc_id: str) -> dict:
    vpcs.delete_vpc(ctx, ERRORS, vpc_id)
    return {}


# -- vSwitches -----------------------------------------------------------------------------------------------
@operation("CreateVSwitch", S("ZoneId", required=True, missing=MISSING), S("CidrBlock", required=True, missing=MISSING),
           S("VpcId", required=True, missing=MISSING), S("VSwitchName"), S("Description"), idempotent=True,
           region="optional", region_of=resources.region_from("vpc_id"))
def create_vswitch(ctx: Context, zone_id: str, cidr_block: str, vpc_id: str, v_switch_name: Optional[str],
                   description: Optional[str]) -> dict:
    return {"VSwitchId": vpcs.create_vswitch(ctx, ERRORS, zone_id, cidr_block, vpc_id, v_switch_name,
                                             description)["VSwitchId"]}


@operation("DescribeVSwitches", S("VpcId"), Comma("VSwitchId"), S("ZoneId"), B("IsDefault"), *PAGE,
           region="optional")
def describe_vswitches(ctx: Context, vpc_id: Optional[str], v_switch_id: Optional[list[str]],
                       zone_id: Optional[str], is_default: Optional[bool], page_number: int, page_size: int) -> dict:
    total, page = vpcs.listing(ctx, "vswitch", v_switch_id, ERRORS.too_many_vswitch_ids,
                               *vpcs.vswitch_filter(vpc_id, zone_id, is_default), page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "VSwitches": {"VSwitch": [_ecs_view(r) for r in page]}}


@operation("DeleteVSwitch", S("VSwitchId", required=True, missing=MISSING), region="optional",
           region_of=resources.region_from("v_switch_id"))
def delete_vswitch(ctx: Context, v_switch_id: str) -> dict:
    vpcs.delete_vswitch(ctx, ERRORS, v_switch_id)
    return {}


# -- attributes ---------------------------------------------------------------------------------------------------
@operation("ModifyVpcAttribute", S("VpcId", required=True), S("VpcName"), S("Description"), S("CidrBlock"),
           S("UserCidr"), region="optional", region_of=resources.region_from("vpc_id"))
def modify_vpc_attribute(ctx: Context, vpc_id: str, vpc_name: Optional[str], description: Optional[str],
                         cidr_block: Optional[str], user_cidr: Optional[str]) -> dict:
    vpcs.modify_vpc(ctx, ERRORS, vpc_id, vpc_name, description, cidr_block, user_cidr)
    return {}


@operation("ModifyVSwitchAttribute", S("VSwitchId", required=True), S("VSwitchName"), S("Description"),
           region="optional", region_of=resources.region_from("v_switch_id"))
def modify_vswitch_attribute(ctx: Context, v_switch_id: str, v_switch_name: Optional[str],
                             description: Optional[str]) -> dict:
    vpcs.modify_vswitch(ctx, ERRORS, v_switch_id, v_switch_name, description)
    return {}

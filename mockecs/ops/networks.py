"""VPCs and vSwitches on the ECS API: CreateVpc, DescribeVpcs, ModifyVpcAttribute, DeleteVpc, CreateVSwitch,
DescribeVSwitches, ModifyVSwitchAttribute, DeleteVSwitch. The records and the CIDR and address rules are in
:mod:`mockecs.world.networks`."""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, Comma, I, S
from mockecs.world import lifecycle, networks, paging, regions, resources
from mockecs.world.validation import check_description

resources.TERMS["vswitch"] = networks.vswitch_terms

VPC_NOT_FOUND = error_kind("InvalidVpcId.NotFound", "Specified VPC does not exist.", 404)
VPC_STATUS = error_kind("IncorrectVpcStatus", "Current VPC status does not support this operation.", 400)
VPC_CIDR = error_kind("InvalidParameter", "Specified CIDR block is not valid", 400)
VPC_NAME = error_kind("InvalidVpcName.Malformed", "Specified VPC name is not valid.", 400)
VPC_QUOTA = error_kind("QuotaExceeded.Vpc", "VPC quota exceeded.", 400)
VPC_HAS_VSWITCHES = error_kind("DependencyViolation.VSwitch", "Specified object has dependent resources", 400)
VPC_HAS_GROUPS = error_kind("DependencyViolation.SecurityGroup",
                            "Specified object has dependent resources SecurityGroup.", 400)
TOO_MANY_VPC_IDS = error_kind("InvalidVpcIdNumber.NotSupported", "The number of vpcIds exceeds the limit.", 400)

VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "VSwitch not exist.", 404)
MODIFY_VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "The specified virtual switch does not exists.", 404)
VSWITCH_STATUS = error_kind("IncorrectVSwitchStatus", "vpc subnet status not working.", 400)
VSWITCH_IN_USE = error_kind("DependencyViolation", "Specified object has dependent resources.", 400)
VSWITCH_ZONE_NOT_FOUND = error_kind("InvalidZoneId.NotFound", "Specified zone does not exist.", 404)
VSWITCH_ZONE_ELSEWHERE = error_kind("ResourceNotAvailable",
                                    "Resource you requested is not available in this region or zone.", 400)
VSWITCH_CIDR_MALFORMED = error_kind("InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.", 400)
VSWITCH_CIDR_MASK = error_kind("InvalidCirdrBlock.MaskLength", "Specified CIDR block is not valid .", 400)
VSWITCH_CIDR_OUTSIDE = error_kind("InvalidParameter", "Specified CIDR block is not valid in VPC.", 400)
VSWITCH_CIDR_OVERLAP = error_kind("InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other subnets.",
                                  400)
VSWITCH_NAME = error_kind("InvalidVSwitchName.Malformed", "Specified virtual switch name is not valid.", 400)
VSWITCH_VPC_STATUS = error_kind("IncorrectVpcStatus", "Current VPC status does not support this operation.", 400)
VSWITCH_QUOTA = error_kind("QuotaExceeded.VSwitch", "Virtual switch quota exceeded.", 400)
TOO_MANY_VSWITCH_IDS = error_kind("InvalidVSwitchIdNumber.NotSupported",
                                  "The number of vSwitchIds exceeds the limit.", 404)
# CreateVSwitch and DeleteVSwitch document their own wording of a missing parameter.
MISSING = ("MissingParameter", "Miss mandatory parameter.", 400)
MAX_IDS = 20  # DescribeVpcs.VpcId / DescribeVSwitches.VSwitchId: up to 20 ids, comma-separated
# DescribeVpcs / DescribeVSwitches list in creation order (ties by id).
resources.ORDER["vpc"] = resources.ORDER["vswitch"] = lambda record: resources.time_key(record.get("_created", 0.0))
# Fields of VPC and vSwitch records that only the VPC API answers (its TagResources tags them); ECS's models lack them.
VPC_API_ONLY = frozenset({"Tags"})
# DescribeVpcs / DescribeVSwitches: PageSize 1..50, default 10 (metadata).
_PAGE = (I("PageNumber", default=1, min=1, max=2**31 - 1), I("PageSize", default=10, min=1, max=50))


def _vpc_view(ctx: Context, record: dict) -> dict:
    vswitch_ids = sorted(ctx.txn.ids("vswitch", ("vpc", record["VpcId"])),
                         key=lambda i: (resources.get(ctx, "vswitch", i) or {}).get("_created", 0))
    return {**resources.wire(record, VPC_API_ONLY), "VSwitchIds": {"VSwitchId": vswitch_ids}}


def _user_cidrs(user_cidr: Optional[str], malformed: tuple[str, str, int]) -> list[str]:
    cidrs = [c.strip() for c in (user_cidr or "").split(",") if c.strip()]
    if len(cidrs) > 3:
        raise EcsError("InvalidUserCidr.Quota", "Specified  UserCidr number is greater than 3.", 400)
    if any(networks.parse_cidr(c) is None for c in cidrs):
        raise EcsError(*malformed)
    return cidrs


# -- VPCs -------------------------------------------------------------------------------------------------
@operation("CreateVpc", S("CidrBlock", default=networks.DEFAULT_VPC_CIDR), S("VpcName"), S("Description"),
           S("UserCidr"), idempotent=True)
def create_vpc(ctx: Context, cidr_block: str, vpc_name: Optional[str], description: Optional[str],
               user_cidr: Optional[str]) -> dict:
    network = networks.parse_cidr(cidr_block or networks.DEFAULT_VPC_CIDR)
    if network is None or not networks.vpc_cidr_allowed(network):
        raise VPC_CIDR
    if not networks.valid_name(vpc_name):
        raise VPC_NAME
    check_description(description, "InvalidVpcDiscription.Malformed", "Specified VPC description is not valid.")
    user_cidrs = _user_cidrs(user_cidr, ("IllegalParam.UserCidr", "UserCidr is not a valid or strict address.", 400))
    if ctx.txn.count("vpc", resources.owner_region(ctx.account, ctx.region)) >= ctx.config.options["vpc_quota"]:
        raise VPC_QUOTA
    vpc_id = resources.new_id("vpc", ctx.region)
    record = {
        "VpcId": vpc_id, "VpcName": vpc_name or "", "Description": description or "",
        "CidrBlock": str(network), "Status": "Creating", "IsDefault": False, "RegionId": ctx.region,
        "VRouterId": resources.new_id("vrouter", ctx.region), "CreationTime": resources.iso(ctx.now),
        "UserCidrs": {"UserCidr": user_cidrs},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
        "_route_table": resources.new_id("route_table", ctx.region),
    }
    resources.put(ctx.txn, "vpc", lifecycle.start(ctx, "vpc", vpc_id, record, done={"Status": "Available"}))
    return {"VpcId": vpc_id, "VRouterId": record["VRouterId"], "RouteTableId": record["_route_table"]}


def _ids(value: Optional[list[str]], limit_error: type[EcsError]) -> Optional[list[str]]:
    if value and len(value) > MAX_IDS:
        raise limit_error
    return value


@operation("DescribeVpcs", Comma("VpcId"), B("IsDefault"), *_PAGE)
def describe_vpcs(ctx: Context, vpc_id: Optional[list[str]], is_default: Optional[bool], page_number: int,
                  page_size: int) -> dict:
    named = _ids(vpc_id, TOO_MANY_VPC_IDS)
    if paging.unfiltered(locals()):  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, "vpc", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        return {"TotalCount": meta["TotalCount"], "PageNumber": page_number, "PageSize": page_size,
                "Vpcs": {"Vpc": [_vpc_view(ctx, r) for r in page]}}
    found = [r for r in resources.mine_among(ctx, "vpc", named)
             if is_default is None or r["IsDefault"] == is_default]
    found.sort(key=lambda r: (r["_created"], r["VpcId"]))
    start = (page_number - 1) * page_size
    page = found[start:start + page_size]
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "Vpcs": {"Vpc": [_vpc_view(ctx, r) for r in page]}}


@operation("DeleteVpc", S("VpcId", required=True), region="optional", region_of=resources.region_from("vpc_id"))
def delete_vpc(ctx: Context, vpc_id: str) -> dict:
    record = resources.owned(ctx, "vpc", vpc_id, VPC_NOT_FOUND)
    if record["Status"] != "Available":
        raise VPC_STATUS
    if ctx.txn.count("vswitch", ("vpc", vpc_id)):
        raise VPC_HAS_VSWITCHES
    if ctx.txn.count("security_group", ("vpc", vpc_id)):
        raise VPC_HAS_GROUPS
    resources.delete(ctx.txn, "vpc", vpc_id)
    return {}


# -- vSwitches -----------------------------------------------------------------------------------------------
def _check_zone(ctx: Context, zone_id: str) -> None:
    if zone_id in regions.zone_ids(ctx.region):
        return
    if any(zone_id in regions.zone_ids(r) for r in regions.regions()):
        raise VSWITCH_ZONE_ELSEWHERE  # a real zone, of another region
    raise VSWITCH_ZONE_NOT_FOUND


@operation("CreateVSwitch", S("ZoneId", required=True, missing=MISSING), S("CidrBlock", required=True, missing=MISSING),
           S("VpcId", required=True, missing=MISSING), S("VSwitchName"), S("Description"), idempotent=True,
           region="optional", region_of=resources.region_from("vpc_id"))
def create_vswitch(ctx: Context, zone_id: str, cidr_block: str, vpc_id: str, v_switch_name: Optional[str],
                   description: Optional[str]) -> dict:
    vpc = resources.owned(ctx, "vpc", vpc_id, VPC_NOT_FOUND)
    if vpc["Status"] != "Available":
        raise VSWITCH_VPC_STATUS
    _check_zone(ctx, zone_id)
    if not networks.valid_name(v_switch_name):
        raise VSWITCH_NAME
    check_description(description, "InvalidVSwitchDiscription.Malformed",
                      "Specified  virtual switch description is not valid.")
    network = networks.parse_cidr(cidr_block)
    if network is None:
        raise VSWITCH_CIDR_MALFORMED
    if network.prefixlen not in networks.VSWITCH_MASKS:
        raise VSWITCH_CIDR_MASK
    if not network.subnet_of(networks.parse_cidr(vpc["CidrBlock"])):
        raise VSWITCH_CIDR_OUTSIDE
    siblings = [resources.get(ctx, "vswitch", i) for i in ctx.txn.ids("vswitch", ("vpc", vpc_id))]
    if any(s is not None and network.overlaps(networks.parse_cidr(s["CidrBlock"])) for s in siblings):
        raise VSWITCH_CIDR_OVERLAP
    if len(siblings) >= ctx.config.options["vswitch_quota"]:
        raise VSWITCH_QUOTA
    vswitch_id = resources.new_id("vswitch", ctx.region)
    record = {
        "VSwitchId": vswitch_id, "VpcId": vpc_id, "ZoneId": zone_id, "CidrBlock": str(network),
        "VSwitchName": v_switch_name or "", "Description": description or "", "Status": "Pending",
        "IsDefault": False, "AvailableIpAddressCount": networks.capacity(network),
        "CreationTime": resources.iso(ctx.now), "ResourceGroupId": "",
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
        "_next": networks.RESERVED_HEAD, "_released": [],
    }
    resources.put(ctx.txn, "vswitch", lifecycle.start(ctx, "vswitch", vswitch_id, record,
                                                      done={"Status": "Available"}))
    return {"VSwitchId": vswitch_id}


@operation("DescribeVSwitches", S("VpcId"), Comma("VSwitchId"), S("ZoneId"), B("IsDefault"), *_PAGE,
           region="optional")
def describe_vswitches(ctx: Context, vpc_id: Optional[str], v_switch_id: Optional[list[str]],
                       zone_id: Optional[str], is_default: Optional[bool], page_number: int, page_size: int) -> dict:
    named = _ids(v_switch_id, TOO_MANY_VSWITCH_IDS)
    if paging.unfiltered(locals()):  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, "vswitch", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        return {"TotalCount": meta["TotalCount"], "PageNumber": page_number, "PageSize": page_size,
                "VSwitches": {"VSwitch": [resources.wire(r, VPC_API_ONLY) for r in page]}}
    found = [r for r in resources.mine_among(ctx, "vswitch", named, ("vpc", vpc_id) if vpc_id else None)
             if (not vpc_id or r["VpcId"] == vpc_id) and (not zone_id or r["ZoneId"] == zone_id)
             and (is_default is None or r["IsDefault"] == is_default)]
    found.sort(key=lambda r: (r["_created"], r["VSwitchId"]))
    start = (page_number - 1) * page_size
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "VSwitches": {"VSwitch": [resources.wire(r, VPC_API_ONLY) for r in found[start:start + page_size]]}}


@operation("DeleteVSwitch", S("VSwitchId", required=True, missing=MISSING), region="optional",
           region_of=resources.region_from("v_switch_id"))
def delete_vswitch(ctx: Context, v_switch_id: str) -> dict:
    record = resources.owned(ctx, "vswitch", v_switch_id, VSWITCH_NOT_FOUND)
    if record["Status"] != "Available":
        raise VSWITCH_STATUS
    # (instances, and network interfaces: primary ones go with their instance)
    if ctx.txn.count("instance", ("vswitch", v_switch_id)) or ctx.txn.count("network_interface",
                                                                          ("vswitch", v_switch_id)):
        raise VSWITCH_IN_USE
    resources.delete(ctx.txn, "vswitch", v_switch_id)
    return {}


# -- attributes ---------------------------------------------------------------------------------------------------
@operation("ModifyVpcAttribute", S("VpcId", required=True), S("VpcName"), S("Description"), S("CidrBlock"),
           S("UserCidr"), region="optional", region_of=resources.region_from("vpc_id"))
def modify_vpc_attribute(ctx: Context, vpc_id: str, vpc_name: Optional[str], description: Optional[str],
                         cidr_block: Optional[str], user_cidr: Optional[str]) -> dict:
    record = resources.owned(ctx, "vpc", vpc_id, VPC_NOT_FOUND)
    if not networks.valid_name(vpc_name):
        raise VPC_NAME
    check_description(description, "InvalidVpcDiscription.Malformed", "Specified VPC description is not valid.")
    changes: dict = {}
    if cidr_block:
        network = networks.parse_cidr(cidr_block)
        if network is None or not networks.vpc_cidr_allowed(network):
            raise EcsError("InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.", 400)
        children = [resources.get(ctx, "vswitch", i) for i in ctx.txn.ids("vswitch", ("vpc", vpc_id))]
        if any(c is not None and not networks.parse_cidr(c["CidrBlock"]).subnet_of(network) for c in children):
            raise EcsError("IllegalCidrBlock", "Some subnet cidrBlock is not in the cidrBlock.", 400)
        changes["CidrBlock"] = str(network)
    if user_cidr is not None:
        changes["UserCidrs"] = {"UserCidr": _user_cidrs(
            user_cidr, ("InvalidParameter", "Specified  UserCidr  invalid  format.", 400))}
    if vpc_name is not None:
        changes["VpcName"] = vpc_name
    if description is not None:
        changes["Description"] = description
    resources.put(ctx.txn, "vpc", {**record, **changes})
    return {}


@operation("ModifyVSwitchAttribute", S("VSwitchId", required=True), S("VSwitchName"), S("Description"),
           region="optional", region_of=resources.region_from("v_switch_id"))
def modify_vswitch_attribute(ctx: Context, v_switch_id: str, v_switch_name: Optional[str],
                             description: Optional[str]) -> dict:
    record = resources.owned(ctx, "vswitch", v_switch_id, MODIFY_VSWITCH_NOT_FOUND)
    if not networks.valid_name(v_switch_name):
        raise VSWITCH_NAME
    check_description(description, "InvalidVSwitchDiscription.Malformed",
                      "Specified virtual switch description is not valid.")
    changes = {k: v for k, v in (("VSwitchName", v_switch_name), ("Description", description)) if v is not None}
    resources.put(ctx.txn, "vswitch", {**record, **changes})
    return {}

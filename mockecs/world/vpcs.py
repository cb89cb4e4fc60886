"""VPCs and vSwitches as the two APIs that make them share them: ECS's (2014-05-26, :mod:`mockecs.ops.networks`)
and the VPC product's (2016-04-28, :mod:`mockecs.ops.vpc_networks`), which Terraform and Ansible use.

One record per VPC (kind ``vpc``) and per vSwitch (kind ``vswitch``), in the shape of :mod:`mockecs.world.networks`,
and one set of rules (CIDR blocks, names, quotas, dependencies), so a VPC made through either API is seen, changed
and deleted through the other. Where the two APIs' documents word an error differently, each passes its own
:class:`Errors`; each answers its own view of the records.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.world import lifecycle, networks, paging, regions, resources
from mockecs.world.context import Context
from mockecs.world.validation import check_description

# (the kinds' index terms and order, listed in creation order: mockecs.world.vpc_kinds)
MAX_IDS = 20  # DescribeVpcs.VpcId / DescribeVSwitches.VSwitchId: up to 20 ids, comma-separated
MAX_USER_CIDRS = 3


@dataclass(frozen=True)
class Errors:
    """The error kinds one API answers for the shared rules (defaults: the words both APIs document alike)."""

    vpc_not_found: type[EcsError] = error_kind("InvalidVpcId.NotFound", "Specified VPC does not exist.", 404)
    vpc_status: type[EcsError] = error_kind("IncorrectVpcStatus", "Current VPC status does not support this operation.",
                                            400)
    vpc_cidr: type[EcsError] = error_kind("InvalidParameter", "Specified CIDR block is not valid", 400)
    vpc_name: type[EcsError] = error_kind("InvalidVpcName.Malformed", "Specified VPC name is not valid.", 400)
    vpc_description: tuple[str, str] = ("InvalidVpcDiscription.Malformed", "Specified VPC description is not valid.")
    vpc_quota: type[EcsError] = error_kind("QuotaExceeded.Vpc", "VPC quota exceeded.", 400)
    user_cidr_quota: type[EcsError] = error_kind("InvalidUserCidr.Quota",
                                                 "Specified UserCidr number is greater than 3.", 400)
    user_cidr_malformed: type[EcsError] = error_kind("InvalidParameter", "Specified UserCidr invalid format.", 400)
    modify_user_cidr_malformed: type[EcsError] = error_kind("InvalidParameter", "Specified UserCidr invalid format.",
                                                            400)
    modify_cidr_malformed: type[EcsError] = error_kind("InvalidCidrBlock.Malformed",
                                                       "Specified CIDR block is not valid.", 400)
    cidr_excludes_vswitch: type[EcsError] = error_kind("IllegalCidrBlock",
                                                       "Some subnet cidrBlock is not in the cidrBlock.", 400)
    vpc_has_vswitches: type[EcsError] = error_kind("DependencyViolation.VSwitch",
                                                   "Specified object has dependent resources", 400)
    vpc_has_groups: type[EcsError] = error_kind("DependencyViolation.SecurityGroup",
                                                "Specified object has dependent resources SecurityGroup.", 400)
    # (the route table refusals: ECS's DeleteVpc / DeleteVSwitch documents, the same VPC behind both APIs)
    vpc_has_route_tables: type[EcsError] = error_kind("DependencyViolation.RouteTable",
                                                      "VPC cannot be deleted when custom route table exists.", 400)
    vpc_has_route_entries: type[EcsError] = error_kind("DependencyViolation.RouteEntry",
                                                       "Specified object has dependent resources", 400)
    vswitch_has_route_table: type[EcsError] = error_kind(
        "DependencyViolation.RouteTable", "VSwitch cannot be deleted when associated with route table", 400)
    vswitch_route_conflict: type[EcsError] = error_kind("RouteConflict.AlreadyExist",
                                                        "Route conflict exists in routing table.", 400)
    vpc_has_acls: type[EcsError] = error_kind("DependencyViolation.NetworkAcl",  # [GUESS] worded like the others
                                              "Specified object has dependent resources NetworkAcl.", 400)
    vpc_has_nat_gateways: type[EcsError] = error_kind("DependencyViolation.NatGateway",
                                                      "Specified object has dependent resources NatGateway.", 400)
    vpc_has_ipv6_gateway: type[EcsError] = error_kind("DependencyViolation.Ipv6Gateway",  # [GUESS] as the others
                                                      "Specified object has dependent resources Ipv6Gateway.", 400)
    too_many_vpc_ids: type[EcsError] = error_kind("InvalidVpcIdNumber.NotSupported",
                                                  "The number of vpcIds exceeds the limit.", 400)
    vswitch_not_found: type[EcsError] = error_kind("InvalidVSwitchId.NotFound", "VSwitch not exist.", 404)
    modify_vswitch_not_found: type[EcsError] = error_kind("InvalidVSwitchId.NotFound",
                                                          "The specified virtual switch does not exists.", 404)
    vswitch_status: type[EcsError] = error_kind(
        "IncorrectVSwitchStatus", "The current virtual switch status does not support this operation.", 400)
    vswitch_in_use: type[EcsError] = error_kind("DependencyViolation", "Specified object has dependent resources.",
                                                400)
    vswitch_has_nat_gateway: type[EcsError] = error_kind(
        "DependencyViolation.EnhancedNatgw", "VSwitch cannot be deleted when enhanced NAT gateway exists.", 400)
    vswitch_has_snat_entries: type[EcsError] = error_kind(
        "DependencyViolation.SnatEntry", "VSwitch cannot be deleted when snat entry exist.", 400)
    zone_not_found: type[EcsError] = error_kind("InvalidZoneId.NotFound", "Specified zone does not exist.", 404)
    zone_elsewhere: type[EcsError] = error_kind("ResourceNotAvailable",
                                                "Resource you requested is not available in this region or zone.", 400)
    vswitch_cidr_malformed: type[EcsError] = error_kind("InvalidCidrBlock.Malformed",
                                                        "Specified CIDR block is not valid.", 400)
    vswitch_cidr_mask: type[EcsError] = error_kind("InvalidCirdrBlock.MaskLength",
                                                   "Specified CIDR block is not valid .", 400)
    vswitch_cidr_outside: type[EcsError] = error_kind("InvalidParameter", "Specified CIDR block is not valid in VPC.",
                                                      400)
    vswitch_cidr_overlap: type[EcsError] = error_kind("InvalidCidrBlock.Overlapped",
                                                      "Specified CIDR block overlapped with other subnets.", 400)
    vswitch_name: type[EcsError] = error_kind("InvalidVSwitchName.Malformed",
                                              "Specified virtual switch name is not valid.", 400)
    vswitch_description: tuple[str, str] = ("InvalidVSwitchDiscription.Malformed",
                                            "Specified virtual switch description is not valid.")
    modify_vswitch_description: tuple[str, str] = ("InvalidVSwitchDiscription.Malformed",
                                                   "Specified virtual switch description is not valid.")
    vswitch_quota: type[EcsError] = error_kind("QuotaExceeded.VSwitch", "Virtual switch quota exceeded.", 400)
    too_many_vswitch_ids: type[EcsError] = error_kind("InvalidVSwitchIdNumber.NotSupported",
                                                      "The number of vSwitchIds exceeds the limit.", 404)


# -- VPCs -------------------------------------------------------------------------------------------------
def user_cidrs(text: Optional[str], errors: Errors, malformed: type[EcsError]) -> list[str]:
    """``UserCidr`` (comma-separated, at most three strict IPv4 blocks) as a list."""
    cidrs = [c.strip() for c in (text or "").split(",") if c.strip()]
    if len(cidrs) > MAX_USER_CIDRS:
        raise errors.user_cidr_quota
    if any(networks.parse_cidr(c) is None for c in cidrs):
        raise malformed
    return cidrs


def create_vpc(ctx: Context, errors: Errors, cidr_block: Optional[str], vpc_name: Optional[str],
               description: Optional[str], user_cidr: Optional[str], vpc_id: Optional[str] = None,
               **extra: Any) -> dict:
    """Check and store a new VPC (``Creating``, then ``Available`` on the mock clock); ``extra``: internal
    fields one API keeps (``_resource_group_id``). Raises before any write."""
    network = networks.parse_cidr(cidr_block or networks.DEFAULT_VPC_CIDR)
    if network is None or not networks.vpc_cidr_allowed(network):
        raise errors.vpc_cidr
    if not networks.valid_name(vpc_name):
        raise errors.vpc_name
    check_description(description, *errors.vpc_description)
    cidrs = user_cidrs(user_cidr, errors, errors.user_cidr_malformed)
    if ctx.txn.count("vpc", resources.owner_region(ctx.account, ctx.region)) >= ctx.config.options["vpc_quota"]:
        raise errors.vpc_quota
    vpc_id = vpc_id or resources.new_id("vpc", ctx.region)
    record = {
        "VpcId": vpc_id, "VpcName": vpc_name or "", "Description": description or "",
        "CidrBlock": str(network), "Status": "Creating", "IsDefault": False, "RegionId": ctx.region,
        "VRouterId": resources.new_id("vrouter", ctx.region), "CreationTime": resources.iso(ctx.now),
        "UserCidrs": {"UserCidr": cidrs},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
        "_route_table": resources.new_id("route_table", ctx.region), **extra,
    }
    return resources.put(ctx.txn, "vpc", lifecycle.start(ctx, "vpc", vpc_id, record, done={"Status": "Available"}))


def delete_vpc(ctx: Context, errors: Errors, vpc_id: str) -> None:
    record = resources.owned(ctx, "vpc", vpc_id, errors.vpc_not_found)
    if record["Status"] != "Available":
        raise errors.vpc_status
    if ctx.txn.count("nat_gateway", ("vpc", vpc_id)):  # (before its vSwitches: a gateway sits in one of them)
        raise errors.vpc_has_nat_gateways
    if ctx.txn.count("vswitch", ("vpc", vpc_id)):
        raise errors.vpc_has_vswitches
    if ctx.txn.count("security_group", ("vpc", vpc_id)):
        raise errors.vpc_has_groups
    if ctx.txn.count("route_table", ("vpc", vpc_id)):
        raise errors.vpc_has_route_tables
    if ctx.txn.count("route_entry", ("vpc", vpc_id)):  # (custom entries of its system table)
        raise errors.vpc_has_route_entries
    if ctx.txn.count("network_acl", ("vpc", vpc_id)):  # (the VPC API's network ACLs: mockecs.ops.vpc_acls)
        raise errors.vpc_has_acls
    if ctx.txn.count("ipv6_gateway", ("vpc", vpc_id)):  # (the VPC API's IPv6 gateway: mockecs.world.ipv6_gateways)
        raise errors.vpc_has_ipv6_gateway
    resources.delete(ctx.txn, "vpc", vpc_id)


def modify_vpc(ctx: Context, errors: Errors, vpc_id: str, vpc_name: Optional[str], description: Optional[str],
               cidr_block: Optional[str], user_cidr: Optional[str]) -> dict:
    """Rename, describe, widen or narrow (never below its vSwitches) a VPC, or set its user CIDRs."""
    record = resources.owned(ctx, "vpc", vpc_id, errors.vpc_not_found)
    if not networks.valid_name(vpc_name):
        raise errors.vpc_name
    check_description(description, *errors.vpc_description)
    changes: dict = {}
    if cidr_block:
        network = networks.parse_cidr(cidr_block)
        if network is None or not networks.vpc_cidr_allowed(network):
            raise errors.modify_cidr_malformed
        blocks = [network, *(networks.parse_cidr(b) for b in cidr_blocks(record)[1:])]  # (its secondary ones stay)
        if any(c is not None and not any(networks.parse_cidr(c["CidrBlock"]).subnet_of(b) for b in blocks)
               for c in vswitches_of(ctx, vpc_id)):
            raise errors.cidr_excludes_vswitch
        changes["CidrBlock"] = str(network)
    if user_cidr is not None:
        changes["UserCidrs"] = {"UserCidr": user_cidrs(user_cidr, errors, errors.modify_user_cidr_malformed)}
    if vpc_name is not None:
        changes["VpcName"] = vpc_name
    if description is not None:
        changes["Description"] = description
    return resources.put(ctx.txn, "vpc", {**record, **changes})


def cidr_blocks(vpc: Mapping[str, Any]) -> list[str]:
    """A VPC's IPv4 blocks its vSwitches may take addresses from: its primary block, then its secondary ones
    (AssociateVpcCidrBlock)."""
    return [vpc["CidrBlock"], *vpc.get("_secondary_cidrs", ())]


def vswitches_of(ctx: Context, vpc_id: str) -> list[Optional[dict]]:
    """The records of a VPC's vSwitches (by the index of their VPC)."""
    return resources.get_many(ctx, "vswitch", ctx.txn.ids("vswitch", ("vpc", vpc_id)))


def vswitch_ids(ctx: Context, vpc_id: str) -> list[str]:
    """A VPC's vSwitch ids, oldest first (its VSwitchIds): a page of the VPC's term in the ordered index (the
    kind's order is by creation), no record read."""
    term = ("vpc", vpc_id)
    return [id for _, id in ctx.txn.page("vswitch", term, 0, ctx.txn.count("vswitch", term))]


# -- vSwitches -----------------------------------------------------------------------------------------------
def check_zone(ctx: Context, errors: Errors, zone_id: str) -> None:
    if zone_id in regions.zone_ids(ctx.region):
        return
    if any(zone_id in regions.zone_ids(r) for r in regions.regions()):
        raise errors.zone_elsewhere  # a real zone, of another region
    raise errors.zone_not_found


def create_vswitch(ctx: Context, errors: Errors, zone_id: str, cidr_block: str, vpc_id: str,
                   v_switch_name: Optional[str], description: Optional[str], **extra: Any) -> dict:
    """Check and store a new vSwitch (``Pending``, then ``Available``); ``extra``: internal fields one API
    keeps (``_ipv6``). Raises before any write."""
    vpc = resources.owned(ctx, "vpc", vpc_id, errors.vpc_not_found)
    if vpc["Status"] != "Available":
        raise errors.vpc_status
    check_zone(ctx, errors, zone_id)
    if not networks.valid_name(v_switch_name):
        raise errors.vswitch_name
    check_description(description, *errors.vswitch_description)
    network = networks.parse_cidr(cidr_block)
    if network is None:
        raise errors.vswitch_cidr_malformed
    if network.prefixlen not in networks.VSWITCH_MASKS:
        raise errors.vswitch_cidr_mask
    if not any(network.subnet_of(networks.parse_cidr(block)) for block in cidr_blocks(vpc)):
        raise errors.vswitch_cidr_outside
    siblings = vswitches_of(ctx, vpc_id)
    if any(s is not None and network.overlaps(networks.parse_cidr(s["CidrBlock"])) for s in siblings):
        raise errors.vswitch_cidr_overlap
    if len(siblings) >= ctx.config.options["vswitch_quota"]:
        raise errors.vswitch_quota
    # a custom route's destination may hold a vSwitch's block, never lie within one (CreateRouteEntry's rule)
    routes = resources.get_many(ctx, "route_entry", ctx.txn.ids("route_entry", ("vpc", vpc_id)))
    if any(r is not None and networks.parse_cidr(r["DestinationCidrBlock"]).subnet_of(network) for r in routes):
        raise errors.vswitch_route_conflict
    vswitch_id = resources.new_id("vswitch", ctx.region)
    record = {
        "VSwitchId": vswitch_id, "VpcId": vpc_id, "ZoneId": zone_id, "CidrBlock": str(network),
        "VSwitchName": v_switch_name or "", "Description": description or "", "Status": "Pending",
        "IsDefault": False, "AvailableIpAddressCount": networks.capacity(network),
        "CreationTime": resources.iso(ctx.now), "ResourceGroupId": "",
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
        "_next": networks.RESERVED_HEAD, "_released": [], "_route_table": vpc.get("_route_table") or "", **extra,
    }
    return resources.put(ctx.txn, "vswitch", lifecycle.start(ctx, "vswitch", vswitch_id, record,
                                                             done={"Status": "Available"}))


def delete_vswitch(ctx: Context, errors: Errors, v_switch_id: str) -> None:
    record = resources.owned(ctx, "vswitch", v_switch_id, errors.vswitch_not_found)
    if record["Status"] != "Available":
        raise errors.vswitch_status
    if ctx.txn.count("nat_gateway", ("vswitch", v_switch_id)):  # (mockecs.world.nat_gateways)
        raise errors.vswitch_has_nat_gateway
    if ctx.txn.count("snat_entry", ("vswitch", v_switch_id)):
        raise errors.vswitch_has_snat_entries
    # (instances, and network interfaces: primary ones go with their instance)
    if ctx.txn.count("instance", ("vswitch", v_switch_id)) or ctx.txn.count("network_interface",
                                                                          ("vswitch", v_switch_id)):
        raise errors.vswitch_in_use
    if record.get("_custom_route_table"):
        raise errors.vswitch_has_route_table
    if ctx.txn.count("network_acl", ("acl_vswitch", v_switch_id)):  # (a network ACL still bound to it)
        raise errors.vswitch_in_use
    if ctx.txn.count("havip", ("vswitch", v_switch_id)):  # (a HaVip holds one of its addresses)
        raise errors.vswitch_in_use
    resources.delete(ctx.txn, "vswitch", v_switch_id)


def modify_vswitch(ctx: Context, errors: Errors, v_switch_id: str, v_switch_name: Optional[str],
                   description: Optional[str]) -> dict:
    record = resources.owned(ctx, "vswitch", v_switch_id, errors.modify_vswitch_not_found)
    if not networks.valid_name(v_switch_name):
        raise errors.vswitch_name
    check_description(description, *errors.modify_vswitch_description)
    changes = {k: v for k, v in (("VSwitchName", v_switch_name), ("Description", description)) if v is not None}
    return resources.put(ctx.txn, "vswitch", {**record, **changes})


# -- listings ---------------------------------------------------------------------------------------------
def _ids(value: Optional[list[str]], limit_error: type[EcsError]) -> Optional[list[str]]:
    if value and len(value) > MAX_IDS:
        raise limit_error
    return value


def vswitch_filter(vpc_id: Optional[str], zone_id: Optional[str], is_default: Optional[bool],
                   name: Optional[str] = None) -> tuple[Optional[tuple[str, str]], Optional[Callable[..., bool]]]:
    """DescribeVSwitches' filters as :func:`listing` takes them: the index term that narrows, and the test."""
    if not (vpc_id or zone_id or name) and is_default is None:
        return None, None
    return (("vpc", vpc_id) if vpc_id else None,
            lambda r: ((not vpc_id or r["VpcId"] == vpc_id) and (not zone_id or r["ZoneId"] == zone_id)
                       and (is_default is None or r["IsDefault"] == is_default)
                       and (not name or r["VSwitchName"] == name)))


def listing(ctx: Context, kind: str, named: Optional[list[str]], too_many: type[EcsError],
            narrower: Optional[tuple[str, str]], keep: Optional[Callable[[Mapping[str, Any]], bool]],
            page_number: int, page_size: int) -> tuple[int, list[dict]]:
    """DescribeVpcs / DescribeVSwitches of either API: the total and one page of the caller's records here,
    in creation order; with no filter (``keep`` None, nothing ``named``) a page of the ordered index."""
    named = _ids(named, too_many)
    if not named and narrower is None and keep is None:
        page, meta = paging.ordered_page(ctx, kind, resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        return meta["TotalCount"], list(page)
    found = [r for r in resources.mine_among(ctx, kind, named, narrower) if keep is None or keep(r)]
    found.sort(key=lambda r: (r["_created"], r[resources.ID_FIELD[kind]]))
    start = (page_number - 1) * page_size
    return len(found), found[start:start + page_size]

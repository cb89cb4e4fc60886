"""Route tables and route entries of a VPC, as the VPC product's API (2016-04-28) keeps them
(:mod:`mockecs.ops.vpc_routes`: Terraform's ``alicloud_route_table``, ``alicloud_route_table_attachment``,
``alicloud_route_entry``, Ansible's ``ali_route_entry``).

- A VPC's **system** route table stays part of its VPC record (``_route_table`` and its name, description and
  propagation: :mod:`mockecs.world.vpcs`); every vSwitch not bound to a custom table is on it.
- **Custom** route tables are records of kind ``route_table`` (terms: their VPC); a vSwitch bound to one carries
  ``_custom_route_table`` (term ``custom_route_table``: a table's vSwitches without a scan). A vSwitch is on one
  custom table at most.
- **Route entries** of kind ``route_entry`` are the custom ones (terms: their table, their VPC, their next hop,
  so DeleteInstance and DeleteVpc see what depends on them). The system entries (one per vSwitch CIDR block of
  the VPC, next hop ``local``, and 100.64.0.0/10 for cloud services, next hop ``service``) are derived when read,
  in every table of the VPC, with ids stable per table and destination.

Tables and entries are ``Pending`` on creation and ``Available`` on the mock clock (kinds ``route_table`` and
``route_entry`` of :mod:`mockecs.world.lifecycle`).
"""
from __future__ import annotations

import hashlib
import ipaddress
from typing import Any, Iterable, Mapping, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.world import lifecycle, networks, resources, vpc_kinds, vpcs
from mockecs.world.context import Context

KIND, ENTRY = vpc_kinds.ROUTE_TABLE, vpc_kinds.ROUTE_ENTRY  # (their terms and order: mockecs.world.vpc_kinds)
CUSTOM, SYSTEM = "Custom", "System"
SERVICE_CIDR = "100.64.0.0/10"  # the system route to the cloud services of a region (next hop "service")
ASSOCIATE_TYPES = ("VSwitch", "Gateway")
# Next hop types CreateRouteEntry takes (the VPC SDK's docs); of these mockecs keeps instances, network interfaces and
# (once that kind exists) NAT gateways: the others are valid types whose ids are never found.
NEXT_HOP_TYPES = ("Instance", "HaVip", "RouterInterface", "NetworkInterface", "VpnGateway", "IPv6Gateway",
                  "NatGateway", "Attachment", "VpcPeer", "Ipv4Gateway", "GatewayEndpoint", "CenBasic", "Ecr")

# Documented (CreateRouteEntry / DeleteRouteEntry / AssociateRouteTable / UnassociateRouteTable of the VPC API,
# and the same words in ECS's metadata of its CreateRouteEntry / DeleteRouteEntry):
TABLE_NOT_FOUND = error_kind("InvalidRouteTableId.NotFound", "Specified route table does not exist.", 404)
CIDR_MALFORMED = error_kind("InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.", 400)
CIDR_INVALID = error_kind("InvalidCidrBlock", "Specified CIDR block is not valid.", 400)  # in a vSwitch, 100.64/10
CIDR_DUPLICATE = error_kind("InvalidCIDRBlock.Duplicate", "Specified CIDR block is already exists.", 400)
ENTRY_QUOTA = error_kind("QuotaExceeded", "Route entry quota exceeded in this route table.", 400)
ENTRY_STATUS = error_kind("IncorrectRouteEntryStatus", "Some route entry status blocked this operation.", 400)
BAD_NEXT_HOP_TYPE = error_kind("InvalidNextHopType", 'Specified parameter "NextHopType" is not valid', 400)
NEXT_HOP_NOT_FOUND = error_kind("InvalidNextHop.NotFound", "Specified next hop does not exist.", 400)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanId.NotFound", "Specified instance does not exist.", 404)
INSTANCE_OTHER_VPC = error_kind("OperationFailed.InstanceDismatchCurrentVpc",
                                "The specified instance does not exist in current vpc.", 404)
INSTANCE_NOT_VPC = error_kind("IllegalParam.NextHopId", "Instance not exists or not vpc vm.", 400)
ENI_NOT_FOUND = error_kind("InvalidNetworkInterface.NotFound", "The specified networkInterface does not exist.", 404)
HAVIP_NOT_FOUND = error_kind("InvalidHaVipId.NotFound", "The specified HaVip does not exist in the specified VPC.",
                             404)
NAT_NOT_FOUND = error_kind("InvalidNatGatewayId.NotFound",
                           "Specified value of NatGatewayId is not found in our record.", 404)
NEXT_HOP_ILLEGAL = error_kind("InvalidNexthop", "The Specified nexthop illegal.", 400)  # (in another VPC)
ENTRY_NOT_FOUND = error_kind("InvalidRouteEntry.NotFound", "Route entry not exists.", 400)
SYSTEM_ENTRY = error_kind("OperationDenied", "Specified operation is denied as route entry type is system.", 400)
# [GUESS] the VPC documentation reachable here names no code for these: worded like the documented ones.
TABLE_QUOTA = error_kind("QuotaExceeded.RouteTable", "Route table quota exceeded in this VPC.", 400)
TABLE_STATUS = error_kind("IncorrectStatus.RouteTable", "The status of the route table does not support this "
                          "operation.", 400)  # (Terraform retries it on AssociateRouteTable)
DELETE_TABLE_STATUS = error_kind("IncorrectRouteTableStatus", "The status of the route table does not support this "
                                 "operation.", 400)  # (Terraform retries it on DeleteRouteTable)
TABLE_HAS_ENTRIES = error_kind("DependencyViolation.RouteEntry", "Specified object has dependent resources", 400)
TABLE_HAS_VSWITCHES = error_kind("DependencyViolation.VSwitch", "Specified object has dependent resources", 400)
SYSTEM_TABLE = error_kind("OperationDenied.SystemRouteTable",
                          "The operation is not allowed on the system route table.", 400)
OTHER_VPC = error_kind("OperationFailed.NotSameVpc", "The vSwitch and the route table are not in the same VPC.", 400)
GATEWAY_TABLE = error_kind("OperationUnsupported.AssociateType",
                           "A route table of associate type Gateway cannot be associated with a vSwitch.", 400)
VSWITCH_BOUND = error_kind("OperationFailed.VSwitchAssociated",
                           "The vSwitch is already associated with another custom route table.", 400)
BAD_ASSOCIATE_TYPE = error_kind("InvalidParameter.AssociateType", "Specified AssociateType is not valid.", 400)
VSWITCH_ERRORS = vpcs.Errors()


def _hash_id(prefix: str, region: str, *parts: str) -> str:
    """A stable id of something derived (a system route entry): the kind's prefix, the region's code, 17 characters
    of a digest."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    code = resources.REGION_CODE.get(region) or digest[:3]
    return prefix + code + "".join("abcdefghijklmnopqrstuvwxyz0123456789"[int(digest[i:i + 2], 16) % 36]
                                   for i in range(4, 38, 2))


# -- tables -----------------------------------------------------------------------------------------------------
def system_vpc(ctx: Context, route_table_id: str) -> Optional[dict]:
    """The caller's VPC here whose system route table this is (among at most the VPC quota of VPCs)."""
    return next((v for v in resources.mine_among(ctx, "vpc", None) if v.get("_route_table") == route_table_id), None)


def find_table(ctx: Context, route_table_id: Optional[str],
               not_found: type[EcsError] = TABLE_NOT_FOUND) -> tuple[dict, Optional[dict]]:
    """``(vpc, custom table)``: the custom table's VPC and record, or a system table's VPC and None."""
    table = resources.get(ctx, KIND, route_table_id) if route_table_id else None
    if table is not None:
        if not resources.is_mine(ctx, table):
            raise not_found
        vpc = resources.get(ctx, "vpc", table["VpcId"])
        if vpc is None:
            raise not_found
        return vpc, table
    vpc = system_vpc(ctx, route_table_id) if route_table_id and route_table_id.startswith("vtb-") else None
    if vpc is None:
        raise not_found
    return vpc, None


def custom_table(ctx: Context, route_table_id: str) -> dict:
    """A custom table of the caller's (the system one answers :data:`SYSTEM_TABLE`)."""
    _, table = find_table(ctx, route_table_id)
    if table is None:
        raise SYSTEM_TABLE
    return table


def create_table(ctx: Context, vpc_id: str, name: Optional[str], description: Optional[str],
                 associate_type: Optional[str], **extra: Any) -> dict:
    vpc = resources.owned(ctx, "vpc", vpc_id, VSWITCH_ERRORS.vpc_not_found)
    if vpc["Status"] != "Available":
        raise VSWITCH_ERRORS.vpc_status
    if associate_type and associate_type not in ASSOCIATE_TYPES:
        raise BAD_ASSOCIATE_TYPE
    if ctx.txn.count(KIND, ("vpc", vpc_id)) >= ctx.config.options["route_table_quota"]:
        raise TABLE_QUOTA
    table_id = resources.new_id(KIND, ctx.region)
    record = {
        "RouteTableId": table_id, "VpcId": vpc_id, "RouteTableName": name or "", "Description": description or "",
        "RouteTableType": CUSTOM, "AssociateType": associate_type or "VSwitch", "Status": "Pending",
        "CreationTime": resources.iso(ctx.now), "RoutePropagationEnable": True,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, **extra,
    }
    return resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, table_id, record, done={"Status": "Available"}))


def delete_table(ctx: Context, route_table_id: str) -> None:
    table = custom_table(ctx, route_table_id)
    if table["Status"] != "Available":
        raise DELETE_TABLE_STATUS
    if ctx.txn.count("vswitch", ("custom_route_table", route_table_id)):
        raise TABLE_HAS_VSWITCHES
    if ctx.txn.count(ENTRY, ("route_table", route_table_id)):
        raise TABLE_HAS_ENTRIES
    resources.delete(ctx.txn, KIND, route_table_id)


def _in_order(ctx: Context, kind: str, term: tuple[str, str]) -> list[str]:
    """The ids under an index term, in the kind's order (a page of the whole term: no record read)."""
    return [id for _, id in ctx.txn.page(kind, term, 0, ctx.txn.count(kind, term))]


def tables_of(ctx: Context, vpc_id: str) -> list[dict]:
    """A VPC's custom tables, oldest first (at most the route table quota of them)."""
    return [r for r in resources.get_many(ctx, KIND, _in_order(ctx, KIND, ("vpc", vpc_id))) if r is not None]


def bound_vswitch_ids(ctx: Context, route_table_id: str) -> list[str]:
    """The vSwitches bound to a custom table, oldest first (the vSwitch kind's order)."""
    return _in_order(ctx, "vswitch", ("custom_route_table", route_table_id))


def system_vswitch_ids(ctx: Context, vpc_id: str) -> list[str]:
    """The vSwitches on a VPC's system table: every one of the VPC's not bound to one of its custom tables."""
    bound = {i for t in ctx.txn.ids(KIND, ("vpc", vpc_id)) for i in bound_vswitch_ids(ctx, t)}
    return [i for i in vpcs.vswitch_ids(ctx, vpc_id) if i not in bound]


def table_ids(ctx: Context, vpc: Mapping[str, Any]) -> list[str]:
    """A VPC's route tables: its system one, then its custom ones."""
    return [vpc["_route_table"], *_in_order(ctx, KIND, ("vpc", vpc["VpcId"]))]


# -- the VPC's router (DescribeVRouters, ModifyVRouterAttribute of either API) --------------------------------------
# Its name and description live on the VPC record (``_vrouter``): one router per VPC, made and deleted with it.
VROUTER_NOT_FOUND = error_kind("InvalidVRouterId.NotFound", "Specified virtual router does not exist.", 404)
VROUTER_NAME = error_kind("InvalidVRouterName.Malformed", "Specified virtual router name is not valid.", 400)
VROUTER_DESCRIPTION = error_kind("InvalidVRouterDiscription.Malformed",
                                 "Specified virtual router description is not valid.", 400)  # (sic, documented)


def vrouters(ctx: Context, v_router_id: Optional[str]) -> list[dict]:
    """The caller's VPCs here whose routers are asked for (all, or the one of ``v_router_id``), oldest first: at
    most the VPC quota of them (VPC records carry no router index term)."""
    found = [r for r in resources.mine_among(ctx, "vpc", None) if not v_router_id or r["VRouterId"] == v_router_id]
    return sorted(found, key=lambda r: (r["_created"], r["VpcId"]))


def vrouter_view(ctx: Context, vpc: Mapping[str, Any]) -> dict:
    router = vpc.get("_vrouter") or {}
    return {"VRouterId": vpc["VRouterId"], "VRouterName": router.get("VRouterName", ""),
            "Description": router.get("Description", ""), "VpcId": vpc["VpcId"], "RegionId": vpc["RegionId"],
            "CreationTime": vpc["CreationTime"], "RouteTableIds": {"RouteTableId": table_ids(ctx, vpc)}}


def modify_vrouter(ctx: Context, v_router_id: str, name: Optional[str], description: Optional[str]) -> None:
    if not networks.valid_name(name):
        raise VROUTER_NAME
    if description and not (2 <= len(description) <= 256
                            and not description.lower().startswith(("http://", "https://"))):
        raise VROUTER_DESCRIPTION
    found = vrouters(ctx, v_router_id)
    if not found:
        raise VROUTER_NOT_FOUND
    vpc = found[0]
    router = {**(vpc.get("_vrouter") or {}), **{k: v for k, v in (("VRouterName", name), ("Description", description))
                                                if v is not None}}
    resources.put(ctx.txn, "vpc", {**vpc, "_vrouter": router})


# -- vSwitch bindings --------------------------------------------------------------------------------------------
def _vswitch(ctx: Context, table: dict, v_switch_id: str) -> dict:
    vswitch = resources.owned(ctx, "vswitch", v_switch_id, VSWITCH_ERRORS.vswitch_not_found)
    if vswitch["VpcId"] != table["VpcId"]:
        raise OTHER_VPC
    return vswitch


def associate(ctx: Context, route_table_id: str, v_switch_id: str) -> None:
    """Bind a vSwitch to a custom table (from the system table): the vSwitch is Pending, then Available. Bound to
    this table already: nothing changes."""
    table = custom_table(ctx, route_table_id)
    vswitch = _vswitch(ctx, table, v_switch_id)
    if vswitch.get("_custom_route_table") == route_table_id:
        return
    if table["AssociateType"] != "VSwitch":
        raise GATEWAY_TABLE
    if table["Status"] != "Available":
        raise TABLE_STATUS
    if vswitch["Status"] != "Available":
        raise VSWITCH_ERRORS.vswitch_status
    if vswitch.get("_custom_route_table"):
        raise VSWITCH_BOUND
    _rebind(ctx, vswitch, route_table_id)


def unassociate(ctx: Context, route_table_id: str, v_switch_id: str) -> None:
    """Give a vSwitch back to the system table. Not bound to this table: nothing changes."""
    table = custom_table(ctx, route_table_id)
    vswitch = _vswitch(ctx, table, v_switch_id)
    if vswitch.get("_custom_route_table") != route_table_id:
        return
    if vswitch["Status"] != "Available":
        raise VSWITCH_ERRORS.vswitch_status
    _rebind(ctx, vswitch, None)


def _rebind(ctx: Context, vswitch: dict, route_table_id: Optional[str]) -> None:
    record = {k: v for k, v in vswitch.items() if k != "_custom_route_table"}
    if route_table_id:
        record["_custom_route_table"] = route_table_id
    record["Status"] = "Pending"
    resources.put(ctx.txn, "vswitch", lifecycle.start(ctx, "vswitch", vswitch["VSwitchId"], record,
                                                      done={"Status": "Available"}))


# -- entries ----------------------------------------------------------------------------------------------------
def destination(text: Optional[str]) -> ipaddress.IPv4Network:
    """DestinationCidrBlock: an IPv4 block, or an address (a /32)."""
    text = (text or "").strip()
    if text and "/" not in text and networks.valid_address(text):
        text += "/32"
    network = networks.parse_cidr(text)
    if network is None:
        raise CIDR_MALFORMED
    return network


def custom_entries(ctx: Context, route_table_id: str) -> list[dict]:
    """A table's custom entries, oldest first (at most the entry quota of them)."""
    ids = _in_order(ctx, ENTRY, ("route_table", route_table_id))
    return [r for r in resources.get_many(ctx, ENTRY, ids) if r is not None]


def system_entries(ctx: Context, vpc: Mapping[str, Any], route_table_id: str) -> list[dict]:
    """The system entries of a table of ``vpc``: its vSwitches' blocks (oldest first), then the services' block."""
    blocks = [(s["CidrBlock"], "local", s["_created"]) for s in vpcs.vswitches_of(ctx, vpc["VpcId"]) if s is not None]
    blocks.sort(key=lambda b: b[2])
    blocks.append((SERVICE_CIDR, "service", vpc["_created"]))
    return [{"RouteEntryId": _hash_id(resources.PREFIX[ENTRY], vpc["_region"], route_table_id, cidr),
             "RouteTableId": route_table_id, "DestinationCidrBlock": cidr, "NextHopType": hop, "NextHopId": "",
             "RouteEntryName": "", "Description": "", "Status": "Available", "Type": SYSTEM, "IpVersion": "IPv4",
             "_created": created} for cidr, hop, created in blocks]


def entries(ctx: Context, vpc: Mapping[str, Any], route_table_id: str) -> list[dict]:
    """Every entry of a table: the system ones, then the custom ones."""
    return system_entries(ctx, vpc, route_table_id) + custom_entries(ctx, route_table_id)


def _check_stable(found: Iterable[Mapping[str, Any]]) -> None:
    """The service takes one change of a table's entries at a time: refused while one is Pending."""
    if any(e["Status"] != "Available" for e in found):
        raise ENTRY_STATUS


def next_hop(ctx: Context, vpc: Mapping[str, Any], hop_type: str, hop_id: str) -> None:
    """Check a next hop: a valid type, a resource of the caller's in the table's VPC."""
    if hop_type not in NEXT_HOP_TYPES:
        raise BAD_NEXT_HOP_TYPE
    if hop_type == "Instance":
        instance = resources.get(ctx, "instance", hop_id)
        if not resources.is_mine(ctx, instance):
            raise INSTANCE_NOT_FOUND
        vpc_id = (instance.get("VpcAttributes") or {}).get("VpcId")
        if not vpc_id:
            raise INSTANCE_NOT_VPC  # (a classic instance)
        if vpc_id != vpc["VpcId"]:
            raise INSTANCE_OTHER_VPC
    elif hop_type == "NetworkInterface":
        eni = resources.get(ctx, "network_interface", hop_id)
        if not resources.is_mine(ctx, eni):
            raise ENI_NOT_FOUND
        if eni["VpcId"] != vpc["VpcId"]:
            raise NEXT_HOP_ILLEGAL
    elif hop_type == "NatGateway":
        # NAT gateways are a kind of their own once mockecs keeps them (kind "nat_gateway"): until then none exists.
        gateway = resources.get(ctx, "nat_gateway", hop_id) if "nat_gateway" in resources.ID_FIELD else None
        if not resources.is_mine(ctx, gateway):
            raise NAT_NOT_FOUND
        if gateway.get("VpcId") != vpc["VpcId"]:
            raise NEXT_HOP_ILLEGAL
    elif hop_type == "RouterInterface":  # (mockecs.world.express_connect: an interface of this VPC's router)
        interface = resources.get(ctx, "router_interface", hop_id)
        if not resources.is_mine(ctx, interface):
            raise NEXT_HOP_NOT_FOUND
        if interface["RouterId"] != vpc.get("VRouterId"):
            raise NEXT_HOP_ILLEGAL
    elif hop_type == "HaVip":  # (mockecs.world.havips)
        havip = resources.get(ctx, "havip", hop_id)
        if not resources.is_mine(ctx, havip):
            raise HAVIP_NOT_FOUND
        if havip["VpcId"] != vpc["VpcId"]:
            raise NEXT_HOP_ILLEGAL
    else:
        raise NEXT_HOP_NOT_FOUND  # (gateways, router interfaces, peers ...: none is kept)


def create_entry(ctx: Context, route_table_id: str, destination_cidr_block: Optional[str], hop_type: str,
                 hop_id: str, name: Optional[str], description: Optional[str]) -> dict:
    """Check and store a custom entry (Pending, then Available). Raises before any write."""
    vpc, table = find_table(ctx, route_table_id)
    if vpc["Status"] != "Available":
        raise VSWITCH_ERRORS.vpc_status
    network = destination(destination_cidr_block)
    if str(network) == SERVICE_CIDR or any(
            network.subnet_of(networks.parse_cidr(s["CidrBlock"]))
            for s in vpcs.vswitches_of(ctx, vpc["VpcId"]) if s is not None):
        raise CIDR_INVALID
    found = custom_entries(ctx, route_table_id)
    if any(e["DestinationCidrBlock"] == str(network) for e in found):
        raise CIDR_DUPLICATE
    _check_stable(found)
    if len(found) >= ctx.config.options["route_entry_quota"]:
        raise ENTRY_QUOTA
    next_hop(ctx, vpc, hop_type, hop_id)
    entry_id = resources.new_id(ENTRY, ctx.region)
    record = {
        "RouteEntryId": entry_id, "RouteTableId": route_table_id, "DestinationCidrBlock": str(network),
        "NextHopType": hop_type, "NextHopId": hop_id, "RouteEntryName": name or "", "Description": description or "",
        "Status": "Pending", "Type": CUSTOM, "IpVersion": "IPv4", "GmtModified": resources.iso(ctx.now),
        "_vpc": vpc["VpcId"], "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    return resources.put(ctx.txn, ENTRY, lifecycle.start(ctx, ENTRY, entry_id, record, done={"Status": "Available"}))


def find_entry(ctx: Context, route_table_id: Optional[str], route_entry_id: Optional[str],
               destination_cidr_block: Optional[str], hop_id: Optional[str]) -> dict:
    """A custom entry by its id, or by its table and destination (and next hop); a system entry answers
    :data:`SYSTEM_ENTRY`."""
    if route_entry_id:
        entry = resources.get(ctx, ENTRY, route_entry_id)
        if resources.is_mine(ctx, entry) and route_table_id in (None, "", entry["RouteTableId"]):
            return entry
        if route_table_id:
            vpc, _ = find_table(ctx, route_table_id)
            if any(e["RouteEntryId"] == route_entry_id for e in system_entries(ctx, vpc, route_table_id)):
                raise SYSTEM_ENTRY
        raise ENTRY_NOT_FOUND
    vpc, _ = find_table(ctx, route_table_id)
    network = destination(destination_cidr_block)
    for entry in entries(ctx, vpc, route_table_id):
        if entry["DestinationCidrBlock"] == str(network) and (not hop_id or entry["NextHopId"] == hop_id):
            if entry["Type"] == SYSTEM:
                raise SYSTEM_ENTRY
            return entry
    raise ENTRY_NOT_FOUND


def delete_entry(ctx: Context, entry: dict) -> None:
    _check_stable(custom_entries(ctx, entry["RouteTableId"]))
    resources.delete(ctx.txn, ENTRY, entry["RouteEntryId"])


def modify_entry(ctx: Context, entry: dict, name: Optional[str], description: Optional[str],
                 new_hop_type: Optional[str], new_hop_id: Optional[str]) -> dict:
    """Rename, describe, or point an entry at another next hop (of the same VPC)."""
    changes: dict[str, Any] = {k: v for k, v in (("RouteEntryName", name), ("Description", description))
                               if v is not None}
    if new_hop_id or new_hop_type:
        if entry["Status"] != "Available":
            raise ENTRY_STATUS
        hop_type, hop_id = new_hop_type or entry["NextHopType"], new_hop_id or entry["NextHopId"]
        next_hop(ctx, resources.get(ctx, "vpc", entry["_vpc"]) or {"VpcId": entry["_vpc"]}, hop_type, hop_id)
        changes.update(NextHopType=hop_type, NextHopId=hop_id)
    if not changes:
        return entry
    return resources.put(ctx.txn, ENTRY, {**entry, **changes, "GmtModified": resources.iso(ctx.now)})

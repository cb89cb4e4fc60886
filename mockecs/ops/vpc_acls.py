"""Network ACLs on the VPC product's API (2016-04-28): CreateNetworkAcl, DescribeNetworkAcls,
DescribeNetworkAclAttributes, ModifyNetworkAclAttributes, UpdateNetworkAclEntries, CopyNetworkAclEntries,
AssociateNetworkAcl, UnassociateNetworkAcl, DeleteNetworkAcl (Terraform's ``alicloud_network_acl`` and its
attachment; inventory and security scanners' network ACL tables).

A network ACL belongs to a VPC and filters its vSwitches' traffic; a vSwitch has one at most. mockecs filters no
traffic: it keeps the rules and the bindings. A new ACL holds the rules the service adds itself [GUESS: from the
documented behaviour, "deny all unless a rule allows; the DNS servers 100.100.2.128/28, 100.100.2.112/28 and the
metadata server 100.100.100.200/32 are always allowed"]: ``service`` entries allowing those addresses and a
``system`` entry denying the rest, in each direction; UpdateNetworkAclEntries replaces the ``custom`` ones, in
priority order. Changes are done when the call answers (Status ``Available``; bound resources ``BINDED``).
No VPC metadata is at hand: names and types from the VPC SDK's models, codes worded like the VPC API's own [GUESS].
"""
from __future__ import annotations

import ipaddress
from typing import Any, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import error_kind, invalid_parameter
from mockecs.wire.params import TAGS, B, I, S, Structs, whole_number
from mockecs.world import networks, resources

KIND = "network_acl"  # (its id prefix, id field, terms and order are in world.resources)
QUOTA_PER_VPC = 20  # network ACLs in one VPC [GUESS: the console's default quota]
MAX_ENTRIES = 20  # custom rules per direction and IP version (documented: "at most 20 IPv4 rules and 20 IPv6 rules")
MAX_RESOURCES = 30  # Resource.N, N 0-29 (documented)
PROTOCOLS = ("icmp", "gre", "tcp", "udp", "all", "icmpv6")
POLICIES = ("accept", "drop")
ALWAYS_ALLOWED = ("100.100.2.128/28", "100.100.2.112/28", "100.100.100.200/32")
_SNAKE = {"SourceCidrIp": "source_cidr_ip", "DestinationCidrIp": "destination_cidr_ip"}

ACL_NOT_FOUND = error_kind("InvalidNetworkAcl.NotFound", "The specified network acl is not found.", 404)
VPC_NOT_FOUND = error_kind("InvalidVpcId.NotFound", "Specified VPC does not exist.", 404)
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "The specified vSwitch does not exist.", 404)
BAD_NAME = error_kind("InvalidNetworkAclName.Malformed", "The specified network acl name is not valid.", 400)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specified description is not valid.", 400)
QUOTA = error_kind("QuotaExceeded.NetworkAcl", "The number of network acls in the VPC exceeds the quota.", 400)
TOO_MANY_ENTRIES = error_kind("QuotaExceeded.NetworkAclEntry", "The number of network acl entries exceeds the quota.",
                              400)
OTHER_VPC = error_kind("IncorrectVpcStatus.NotMatch", "The vSwitch and the network acl are not in the same VPC.",
                       400)
ALREADY_BOUND = error_kind("IncorrectStatus.VSwitch", "The vSwitch is already associated with a network acl.", 400)
NOT_BOUND = error_kind("IncorrectStatus.NetworkAcl", "The network acl is not associated with the resource.", 400)
IN_USE = error_kind("DependencyViolation.NetworkAclBinding",
                    "The network acl is associated with resources and cannot be deleted.", 400)
BAD_RESOURCE_TYPE = error_kind("InvalidResourceType.NotSupport", "The specified resource type is not supported.", 400)


def _entry_id(ctx: Context) -> str:
    """``nae-...``: an entry's id (entries live inside their ACL's record)."""
    return "nae-" + resources.new_id(KIND, ctx.region)[len("nacl-"):]



def _check_text(name: Optional[str], description: Optional[str]) -> None:
    if name and not networks.valid_name(name):
        raise BAD_NAME
    if description and (not 2 <= len(description) <= 256 or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION


def _entry(ctx: Context, side: str, given: Mapping[str, Any]) -> dict:
    """One custom entry of UpdateNetworkAclEntries, checked (each malformed field named [GUESS: InvalidParameter])."""
    cidr_field = "SourceCidrIp" if side == "Ingress" else "DestinationCidrIp"
    label = f"{side}AclEntries"
    policy, protocol = given.get("policy"), (given.get("protocol") or "").lower()
    if policy not in POLICIES:
        raise invalid_parameter(f"{label}.Policy")
    if protocol not in PROTOCOLS:
        raise invalid_parameter(f"{label}.Protocol")
    version = given.get("ip_version") or "IPv4"
    try:
        network = ipaddress.ip_network(given.get(_SNAKE[cidr_field]) or "", strict=False)
    except ValueError:
        raise invalid_parameter(f"{label}.{cidr_field}") from None
    if version not in ("IPv4", "IPv6") or (network.version == 6) != (version == "IPv6"):
        raise invalid_parameter(f"{label}.IpVersion")
    port = given.get("port") or "-1/-1"
    low, _, high = port.partition("/")
    ranged = protocol in ("tcp", "udp")
    first, last = whole_number(low, 1, 65535), whole_number(high, 1, 65535)
    if (ranged and (first is None or last is None or first > last)) or (not ranged and port != "-1/-1"):
        raise invalid_parameter(f"{label}.Port")
    name, description = given.get("network_acl_entry_name"), given.get("description")
    if name and not networks.valid_name(name):
        raise invalid_parameter(f"{label}.NetworkAclEntryName")
    _check_text(None, description)
    return {"NetworkAclEntryId": given.get("network_acl_entry_id") or _entry_id(ctx),
            "NetworkAclEntryName": name or "", "Description": description or "", "Policy": policy,
            "Protocol": protocol, "Port": port, cidr_field: str(network), "EntryType": "custom", "IpVersion": version}


def _builtin(ctx: Context, side: str) -> list[dict]:
    """The entries the service adds to a new ACL on one side [GUESS: see the module's notes]."""
    cidr_field = "SourceCidrIp" if side == "Ingress" else "DestinationCidrIp"
    made = [{"NetworkAclEntryId": _entry_id(ctx), "NetworkAclEntryName": "",
             "Description": "", "Policy": "accept", "Protocol": "all", "Port": "-1/-1", cidr_field: cidr,
             "EntryType": "service", "IpVersion": "IPv4"} for cidr in ALWAYS_ALLOWED]
    made.append({"NetworkAclEntryId": _entry_id(ctx), "NetworkAclEntryName": "",
                 "Description": "", "Policy": "drop", "Protocol": "all", "Port": "-1/-1", cidr_field: "0.0.0.0/0",
                 "EntryType": "system", "IpVersion": "IPv4"})
    return made


def _with_custom(record: Mapping[str, Any], side: str, custom: list[dict]) -> dict:
    """``record`` with ``custom`` as its custom entries on ``side``: first, in priority order; the others after."""
    key, item = f"{side}AclEntries", f"{side}AclEntry"
    kept = [e for e in record[key][item] if e["EntryType"] != "custom"]
    return {**record, key: {item: custom + kept}}


def _view(record: Mapping[str, Any]) -> dict:
    return {
        "NetworkAclId": record["NetworkAclId"], "NetworkAclName": record["NetworkAclName"],
        "Description": record["Description"], "VpcId": record["VpcId"], "RegionId": record["_region"],
        "Status": record["Status"], "CreationTime": record["CreationTime"], "OwnerId": int(record["_owner"]),
        "IngressAclEntries": {"IngressAclEntry": [dict(e) for e in record["IngressAclEntries"]["IngressAclEntry"]]},
        "EgressAclEntries": {"EgressAclEntry": [dict(e) for e in record["EgressAclEntries"]["EgressAclEntry"]]},
        "Resources": {"Resource": [dict(r) for r in record["Resources"]["Resource"]]},
        "Tags": resources.key_value_tags(record),
    }


def _acl(ctx: Context, network_acl_id: Optional[str]) -> dict:
    return resources.owned(ctx, KIND, network_acl_id, ACL_NOT_FOUND)


_REGION = {"api": VPC}


@operation("CreateNetworkAcl", S("VpcId", required=True), S("NetworkAclName"), S("Description"), TAGS,
           idempotent=True, dry_run=True, **_REGION)
def create_network_acl(ctx: Context, vpc_id: str, network_acl_name: Optional[str], description: Optional[str],
                       tag: Optional[list[dict]]) -> dict:
    _check_text(network_acl_name, description)
    tags = resources.tags_from_args(tag)
    vpc = resources.owned(ctx, "vpc", vpc_id, VPC_NOT_FOUND)
    if ctx.txn.count(KIND, ("vpc", vpc["VpcId"])) >= QUOTA_PER_VPC:
        raise QUOTA
    acl_id = resources.new_id(KIND, ctx.region)
    record = resources.put(ctx.txn, KIND, {
        "NetworkAclId": acl_id, "NetworkAclName": network_acl_name or "", "Description": description or "",
        "VpcId": vpc_id, "Status": "Available", "CreationTime": resources.iso(ctx.now),
        "IngressAclEntries": {"IngressAclEntry": _builtin(ctx, "Ingress")},
        "EgressAclEntries": {"EgressAclEntry": _builtin(ctx, "Egress")},
        "Resources": {"Resource": []}, "Tags": {"Tag": tags},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    view = {k: v for k, v in _view(record).items() if k not in ("OwnerId", "Tags")}  # (the response model's)
    for side in ("Ingress", "Egress"):
        entries = view[f"{side}AclEntries"][f"{side}AclEntry"]
        view[f"{side}AclEntries"] = {f"{side}AclEntry": [
            {k: v for k, v in e.items() if k not in ("EntryType", "IpVersion")} for e in entries]}
    return {"NetworkAclId": acl_id, "NetworkAclAttribute": view}


@operation("DescribeNetworkAcls", S("NetworkAclId"), S("NetworkAclName"), S("VpcId"), S("ResourceId"),
           S("ResourceType"), Structs("Tags", [S("Key"), S("Value")], max_items=20),
           I("PageNumber", default=1, min=1), I("PageSize", default=10, min=1, max=100), **_REGION)
def describe_network_acls(ctx: Context, network_acl_id: Optional[str], network_acl_name: Optional[str],
                          vpc_id: Optional[str], resource_id: Optional[str], resource_type: Optional[str],
                          tags: Optional[list[dict]], page_number: int, page_size: int) -> dict:
    wanted = [t for t in tags or () if t.get("key")]
    narrower = [("acl_vswitch", resource_id) if resource_id else None, ("vpc", vpc_id) if vpc_id else None]
    found = [r for r in resources.mine_among(ctx, KIND, [network_acl_id] if network_acl_id else None, *narrower)
             if r["_region"] == ctx.region and (not network_acl_name or r["NetworkAclName"] == network_acl_name)
             and (not vpc_id or r["VpcId"] == vpc_id)
             and (not resource_id or any(x["ResourceId"] == resource_id for x in r["Resources"]["Resource"]))
             and resources.match_tags(r, wanted)]
    found.sort(key=resources.ORDER[KIND])
    start = (page_number - 1) * page_size
    return {"TotalCount": str(len(found)), "PageNumber": str(page_number), "PageSize": str(page_size),
            "NetworkAcls": {"NetworkAcl": [_view(r) for r in found[start:start + page_size]]}}


@operation("DescribeNetworkAclAttributes", S("NetworkAclId", required=True), **_REGION)
def describe_network_acl_attributes(ctx: Context, network_acl_id: str) -> dict:
    return {"NetworkAclAttribute": _view(_acl(ctx, network_acl_id))}


@operation("ModifyNetworkAclAttributes", S("NetworkAclId", required=True), S("NetworkAclName"), S("Description"),
           idempotent=True, dry_run=True, **_REGION)
def modify_network_acl_attributes(ctx: Context, network_acl_id: str, network_acl_name: Optional[str],
                                  description: Optional[str]) -> dict:
    _check_text(network_acl_name, description)
    record = _acl(ctx, network_acl_id)
    changed = {k: v for k, v in (("NetworkAclName", network_acl_name), ("Description", description)) if v is not None}
    resources.put(ctx.txn, KIND, {**record, **changed})
    return {}


_ENTRY = [S("NetworkAclEntryId"), S("NetworkAclEntryName"), S("Description"), S("Policy"), S("Protocol"), S("Port"),
          S("EntryType"), S("IpVersion")]


@operation("UpdateNetworkAclEntries", S("NetworkAclId", required=True),
           B("UpdateIngressAclEntries", default=False), B("UpdateEgressAclEntries", default=False),
           Structs("IngressAclEntries", [*_ENTRY, S("SourceCidrIp")]),
           Structs("EgressAclEntries", [*_ENTRY, S("DestinationCidrIp")]), idempotent=True, dry_run=True, **_REGION)
def update_network_acl_entries(ctx: Context, network_acl_id: str, update_ingress_acl_entries: bool,
                               update_egress_acl_entries: bool, ingress_acl_entries: Optional[list[dict]],
                               egress_acl_entries: Optional[list[dict]]) -> dict:
    """The custom entries of each side asked for (``Update...AclEntries=true``) replaced by the list sent, in
    priority order (an empty list removes them all)."""
    record = _acl(ctx, network_acl_id)
    for side, update, entries in (("Ingress", update_ingress_acl_entries, ingress_acl_entries),
                                  ("Egress", update_egress_acl_entries, egress_acl_entries)):
        if not update:
            continue
        custom = [_entry(ctx, side, e) for e in entries or () if any(v not in (None, "") for v in e.values())]
        for version in ("IPv4", "IPv6"):
            if sum(e["IpVersion"] == version for e in custom) > MAX_ENTRIES:
                raise TOO_MANY_ENTRIES
        record = _with_custom(record, side, custom)
    resources.put(ctx.txn, KIND, record)
    return {}


@operation("CopyNetworkAclEntries", S("NetworkAclId", required=True), S("SourceNetworkAclId", required=True),
           idempotent=True, dry_run=True, **_REGION)
def copy_network_acl_entries(ctx: Context, network_acl_id: str, source_network_acl_id: str) -> dict:
    """The source ACL's custom entries (new ids) in place of the target's."""
    record, source = _acl(ctx, network_acl_id), _acl(ctx, source_network_acl_id)
    for side in ("Ingress", "Egress"):
        copied = [{**e, "NetworkAclEntryId": _entry_id(ctx)}
                  for e in source[f"{side}AclEntries"][f"{side}AclEntry"] if e["EntryType"] == "custom"]
        record = _with_custom(record, side, copied)
    resources.put(ctx.txn, KIND, record)
    return {}


def _vswitch_ids(ctx: Context, given: Optional[list[dict]]) -> list[str]:
    ids = []
    for item in given or ():
        if (item.get("resource_type") or "VSwitch") != "VSwitch":
            raise BAD_RESOURCE_TYPE
        if not item.get("resource_id"):
            raise invalid_parameter("Resource.N.ResourceId")
        ids.append(item["resource_id"])
    if not ids:
        raise invalid_parameter("Resource.N.ResourceId")
    if len(ids) > MAX_RESOURCES:
        raise invalid_parameter("Resource")
    return list(dict.fromkeys(ids))


_RESOURCE = Structs("Resource", [S("ResourceType"), S("ResourceId")])


@operation("AssociateNetworkAcl", S("NetworkAclId", required=True), _RESOURCE, idempotent=True, dry_run=True,
           **_REGION)
def associate_network_acl(ctx: Context, network_acl_id: str, resource: Optional[list[dict]]) -> dict:
    record = _acl(ctx, network_acl_id)
    bound = [dict(r) for r in record["Resources"]["Resource"]]
    for vswitch_id in _vswitch_ids(ctx, resource):
        vswitch = resources.owned(ctx, "vswitch", vswitch_id, VSWITCH_NOT_FOUND)
        if vswitch["VpcId"] != record["VpcId"]:
            raise OTHER_VPC
        holder = ctx.txn.ids(KIND, ("acl_vswitch", vswitch_id))
        if holder and set(holder) != {network_acl_id}:
            raise ALREADY_BOUND
        if not holder:
            bound.append({"ResourceId": vswitch_id, "ResourceType": "VSwitch", "Status": "BINDED"})
    resources.put(ctx.txn, KIND, {**record, "Resources": {"Resource": bound}})
    return {}


@operation("UnassociateNetworkAcl", S("NetworkAclId", required=True), _RESOURCE, idempotent=True, dry_run=True,
           **_REGION)
def unassociate_network_acl(ctx: Context, network_acl_id: str, resource: Optional[list[dict]]) -> dict:
    record = _acl(ctx, network_acl_id)
    leaving = set(_vswitch_ids(ctx, resource))
    bound = record["Resources"]["Resource"]
    if not leaving <= {r["ResourceId"] for r in bound}:
        raise NOT_BOUND
    resources.put(ctx.txn, KIND, {**record, "Resources": {"Resource": [
        dict(r) for r in bound if r["ResourceId"] not in leaving]}})
    return {}


@operation("DeleteNetworkAcl", S("NetworkAclId", required=True), idempotent=True, dry_run=True, **_REGION)
def delete_network_acl(ctx: Context, network_acl_id: str) -> dict:
    record = _acl(ctx, network_acl_id)
    if record["Resources"]["Resource"]:
        raise IN_USE
    resources.delete(ctx.txn, KIND, network_acl_id)
    return {}

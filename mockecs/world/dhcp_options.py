"""DHCP options sets of the VPC product's API (2016-04-28): a DNS server list, a domain name and lease times that
VPCs take for their instances, one set per VPC at most.

Records: kind ``dhcp_options_set`` (id ``dopt-``, the documented examples' prefix), in the wire shape
GetDhcpOptionsSet answers (``DhcpOptions`` holds the options) plus ``_owner``, ``_region``, ``_created``. A set is
``Pending`` while it is made (a transition of kind ``dhcp_options_set``), then ``Available``; ``InUse`` is not kept
but answered while a VPC holds the set.

The association is the VPC's: its record carries ``_dhcp`` = ``{"id", "status"}`` (``Pending`` while being
attached, replaced or detached, a transition of kind ``vpc_dhcp_options_set`` on the VPC record; then ``InUse``, or
no ``_dhcp`` once detached) and an index term ``("dhcp_options_set", id)`` (:mod:`mockecs.world.vpcs`), so a set's
VPCs are found and counted without a scan. A VPC deleted takes its association along ([GUESS]: no code for a VPC
that still holds a set is documented for DeleteVpc).
"""
from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import Any, Iterable, Mapping, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.world import lifecycle, resource_groups, resources, vpc_kinds
from mockecs.world.context import Context

KIND = vpc_kinds.DHCP_OPTIONS_SET  # (its terms and order, and a VPC's term of its set: mockecs.world.vpc_kinds)
ASSOCIATION = "vpc_dhcp_options_set"  # the transition kind of an attach, replace or detach (on the VPC record)
PENDING, AVAILABLE, IN_USE = "Pending", "Available", "InUse"
# What the VPC API answers of a VPC without a set (DescribeVpcAttribute's DhcpOptionsSetStatus): [GUESS] "UnUsed",
# the state DetachDhcpOptionsSetFromVpc's documentation says a detached VPC reaches.
UNUSED = "UnUsed"
MAX_SERVERS = 4  # DomainNameServers: at most four (documented)
MAX_PER_REGION = 10  # [GUESS] the console's quota of sets per region (QuotaExceeded.RegionDhcpOptionsSet)
MAX_VPCS = 1000  # [GUESS] VPCs one set may serve (QuotaExceeded.AttachVpcNumber)
DEFAULT_LEASE = "87600h"  # the documented default of both lease times (3650d written in hours)

# -- errors: the VPC documentation's (CreateDhcpOptionsSet, UpdateDhcpOptionsSetAttribute, DeleteDhcpOptionsSet,
# AttachDhcpOptionsSetToVpc, DetachDhcpOptionsSetFromVpc); [GUESS] where marked.
NOT_FOUND = error_kind("InvalidDhcpOptionsSetId.NotFound", "The specified dhcpOptionsSetId does not exist.", 400)
DETACH_NOT_FOUND = error_kind("InvalidDhcpOptionsSetId.NotFound",
                              "The specified resource dhcpOptionsSetId is not found.", 400)  # (Detach's words)
VPC_NOT_FOUND = error_kind("InvalidVpcId.NotFound", "Specified value of VpcId is not found in our record.", 400)
STATUS = error_kind("IncorrectStatus.DhcpOptionsSet", "The DhcpOptionsSet status does not support this operation.",
                    400)
VPC_STATUS = error_kind("IncorrectStatus.VpcDhcpOptionsSet",
                        "The dhcpOptionsSet status of VPC does not support this operation.", 400)
# [GUESS] a VPC still being made: the code Terraform retries CreateDhcpOptionsSet on.
VPC_NOT_READY = error_kind("IncorrectStatus.Vpc", "The status of the VPC does not support this operation.", 400)
ATTACHED = error_kind("OperationFailed.AttachmentExist", "The current VPC is already attached to a DHCP options set.",
                      400)
NOT_ATTACHED = error_kind("OperationFailed.AttachmentNotExist",
                          "The current VPC is not attahced to a DHCP options set.", 400)  # (sic, documented)
MISMATCH = error_kind("AttrMismatching.VpcDhcpOptionsSetId", "The dhcpOptionsSetId does not match the VPC.", 400)
VPCS_QUOTA = error_kind("QuotaExceeded.AttachVpcNumber",
                        "The maximum number of VPCs that can be attached to a DHCP options set is exceeded.", 400)
IN_USE_BY_VPC = error_kind("DependencyViolation.VpcAttachment",
                           "DhcpOptionsSet cannot be deleted when it is attached to VPC.", 400)
QUOTA = error_kind("QuotaExceeded.RegionDhcpOptionsSet", "The quota of dhcpOptionsSet in the region is exceeded.", 400)
SERVERS_MALFORMED = error_kind("InvalidDomainNameServers.Malformed",
                               "The specified format of DomainNameServers is invalid.", 400)
SERVERS_QUOTA = error_kind("QuotaExceeded.DomainNameServers",
                           "The maximum number of domain name servers cannot exceed 4.", 400)
BAD_SERVERS = error_kind("IllegalParam.DomainNameServers", "The specified DomainNameServers is invalid.", 400)
BAD_DOMAIN = error_kind("IllegalParam.DomainName", "The specified DomainName is invalid.", 400)
BAD_NAME = error_kind("IllegalParam.DhcpOptionsSetName", "The specified DhcpOptionsSetName is invalid.", 400)
BAD_DESCRIPTION = error_kind("IllegalParam.DhcpOptionsSetDescription",
                             "The specified DhcpOptionsSetDescription is invalid.", 400)


@cache
def _name() -> re.Pattern:
    """Names: 1-128 characters starting with a letter or a Chinese character; letters, digits, "_" and "-"
    (documented). Compiled on first use: the CJK range took 3-4 ms of every ``mock_ecs`` import."""
    return re.compile(r"[A-Za-z\u4e00-\u9fa5][\u4e00-\u9fa5A-Za-z0-9_-]{0,127}")


# A domain name: dot-separated labels of letters, digits and "-" (not at either end), 253 characters at most [GUESS].
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_LEASE = re.compile(r"([0-9]{1,6})([hd])")
# Lease times (documented): hours 24-1176 or 87600-175200; days 1-49 or 3650-7300.
_LEASE_RANGES = {"h": ((24, 1176), (87600, 175200)), "d": ((1, 49), (3650, 7300))}


# -- checks ---------------------------------------------------------------------------------------------------
def bad_lease(name: str, value: str) -> EcsError:
    """``IllegalParam.LeaseTime`` (documented with the value in its words; [GUESS] Ipv6LeaseTime's alike)."""
    return EcsError("IllegalParam.LeaseTime", f"{name} [{value}] is illegal.", 400)


def check_lease(name: str, value: Optional[str]) -> None:
    if value is None:
        return
    match = _LEASE.fullmatch(value)
    if not match or not any(low <= int(match.group(1)) <= high for low, high in _LEASE_RANGES[match.group(2)]):
        raise bad_lease(name, value)


def check_servers(text: Optional[str]) -> Optional[str]:
    """DomainNameServers: up to four addresses, comma-separated, kept as sent ("" clears them)."""
    if text is None:
        return None
    servers = [s.strip() for s in text.split(",")]
    if text and len(servers) > MAX_SERVERS:
        raise SERVERS_QUOTA
    if text and any(not s for s in servers):
        raise SERVERS_MALFORMED
    for server in servers if text else ():
        try:
            ipaddress.ip_address(server)
        except ValueError:
            raise SERVERS_MALFORMED from None
    if len(set(servers)) != len(servers):
        raise BAD_SERVERS  # [GUESS] one address twice
    return ",".join(servers)


def check_text(name: Optional[str], description: Optional[str], domain_name: Optional[str]) -> None:
    if name and not _name().fullmatch(name):
        raise BAD_NAME
    if description and (len(description) > 256 or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION
    if domain_name and (len(domain_name) > 253
                        or not all(_LABEL.fullmatch(label) for label in domain_name.rstrip(".").split("."))):
        raise BAD_DOMAIN


# -- records ----------------------------------------------------------------------------------------------------
def owned(ctx: Context, set_id: Optional[str], not_found: type[EcsError] = NOT_FOUND) -> dict:
    return resources.owned(ctx, KIND, set_id, not_found)


def ready(ctx: Context, set_id: str, not_found: type[EcsError] = NOT_FOUND) -> dict:
    """The caller's set here, made (not ``Pending``)."""
    record = owned(ctx, set_id, not_found)
    if record["Status"] != AVAILABLE:
        raise STATUS
    return record


def create(ctx: Context, a: Mapping[str, Any]) -> dict:
    servers = check_servers(a["domain_name_servers"])
    check_text(a["dhcp_options_set_name"], a["dhcp_options_set_description"], a["domain_name"])
    check_lease("LeaseTime", a["lease_time"])
    check_lease("Ipv6LeaseTime", a["ipv6_lease_time"])
    tags = resources.tags_from_args(a["tag"])
    group = resource_groups.resolve(ctx, a["resource_group_id"])
    if ctx.txn.count(KIND, resources.owner_region(ctx.account, ctx.region)) >= MAX_PER_REGION:
        raise QUOTA
    set_id = resources.new_id(KIND, ctx.region)
    record = {
        "DhcpOptionsSetId": set_id, "DhcpOptionsSetName": a["dhcp_options_set_name"] or "",
        "DhcpOptionsSetDescription": a["dhcp_options_set_description"] or "",
        "DhcpOptions": {"DomainNameServers": servers or "", "DomainName": a["domain_name"] or "",
                        "LeaseTime": a["lease_time"] or DEFAULT_LEASE,
                        "Ipv6LeaseTime": a["ipv6_lease_time"] or DEFAULT_LEASE},
        "CreationTime": resources.iso(ctx.now), "ResourceGroupId": group, "Status": PENDING,
        **({"Tags": {"Tag": tags}} if tags else {}),
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    return resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, set_id, record, done={"Status": AVAILABLE}))


def update(ctx: Context, set_id: str, a: Mapping[str, Any]) -> None:
    record = ready(ctx, set_id)
    servers = check_servers(a["domain_name_servers"])
    check_text(a["dhcp_options_set_name"], a["dhcp_options_set_description"], a["domain_name"])
    check_lease("LeaseTime", a["lease_time"])
    check_lease("Ipv6LeaseTime", a["ipv6_lease_time"])
    options = dict(record["DhcpOptions"])
    for field, value in (("DomainNameServers", servers), ("DomainName", a["domain_name"]),
                         ("LeaseTime", a["lease_time"]), ("Ipv6LeaseTime", a["ipv6_lease_time"])):
        if value is not None:
            options[field] = value
    changes = {field: value for field, value in (("DhcpOptionsSetName", a["dhcp_options_set_name"]),
                                                 ("DhcpOptionsSetDescription", a["dhcp_options_set_description"]))
               if value is not None}
    resources.put(ctx.txn, KIND, {**record, **changes, "DhcpOptions": options})


def vpcs_of(ctx: Context, set_id: str) -> list[dict]:
    """The VPCs holding (or taking, or leaving) the set, by their index term, oldest first."""
    found = [r for r in resources.get_many(ctx, "vpc", ctx.txn.ids("vpc", ("dhcp_options_set", set_id)))
             if r is not None and r.get("_dhcp")]
    return sorted(found, key=lambda r: (r["_created"], r["VpcId"]))


def vpc_count(ctx: Context, set_id: str) -> int:
    return ctx.txn.count("vpc", ("dhcp_options_set", set_id))


def delete(ctx: Context, set_id: str) -> None:
    ready(ctx, set_id)
    held = vpcs_of(ctx, set_id)
    if any(v["_dhcp"]["status"] == PENDING for v in held):
        raise STATUS  # (being attached or detached: Terraform retries it)
    if held:
        raise IN_USE_BY_VPC
    resources.delete(ctx.txn, KIND, set_id)


# -- associations ---------------------------------------------------------------------------------------------
def _vpc(ctx: Context, vpc_id: str) -> dict:
    vpc = resources.owned(ctx, "vpc", vpc_id, VPC_NOT_FOUND)
    if vpc["Status"] != "Available":
        raise VPC_NOT_READY
    return vpc


def _associate(ctx: Context, vpc: dict, done: Optional[dict], during: dict) -> None:
    """Write the VPC with its association ``during`` the transition, and ``done`` (None: detached) after it."""
    record = {**vpc, "_dhcp": during}
    resources.put(ctx.txn, "vpc", lifecycle.start(ctx, ASSOCIATION, vpc["VpcId"], record, done={"_dhcp": done}))


def attach(ctx: Context, set_id: str, vpc_id: str) -> None:
    ready(ctx, set_id)
    vpc = _vpc(ctx, vpc_id)
    held = vpc.get("_dhcp")
    if held:
        raise VPC_STATUS if held["status"] == PENDING else ATTACHED
    if vpc_count(ctx, set_id) >= MAX_VPCS:
        raise VPCS_QUOTA
    _associate(ctx, vpc, {"id": set_id, "status": IN_USE}, {"id": set_id, "status": PENDING})


def replace(ctx: Context, set_id: str, vpc_id: str) -> None:
    """ReplaceVpcDhcpOptionsSet: the VPC leaves its set for ``set_id`` ([GUESS] its refusals: Detach's)."""
    ready(ctx, set_id)
    vpc = _vpc(ctx, vpc_id)
    held = vpc.get("_dhcp")
    if not held:
        raise NOT_ATTACHED
    if held["status"] == PENDING:
        raise VPC_STATUS
    if held["id"] == set_id:
        return
    if vpc_count(ctx, set_id) >= MAX_VPCS:
        raise VPCS_QUOTA
    _associate(ctx, vpc, {"id": set_id, "status": IN_USE}, {"id": set_id, "status": PENDING})


def detach(ctx: Context, set_id: str, vpc_id: str) -> None:
    owned(ctx, set_id, DETACH_NOT_FOUND)
    vpc = _vpc(ctx, vpc_id)
    held = vpc.get("_dhcp")
    if not held:
        raise NOT_ATTACHED
    if held["id"] != set_id:
        raise MISMATCH
    if held["status"] == PENDING:
        raise VPC_STATUS
    _associate(ctx, vpc, None, {"id": set_id, "status": PENDING})


# -- views --------------------------------------------------------------------------------------------------------
def status(ctx: Context, record: Mapping[str, Any]) -> str:
    if record["Status"] == AVAILABLE and vpc_count(ctx, record["DhcpOptionsSetId"]):
        return IN_USE
    return record["Status"]


def tags(record: Mapping[str, Any]) -> list[dict]:
    """The set's tags as its answers list them (a plain list of Key/Value)."""
    return resources.key_value_tags(record)["Tag"]


def summary(ctx: Context, record: Mapping[str, Any]) -> dict:
    """ListDhcpOptionsSets' item."""
    return {"DhcpOptionsSetId": record["DhcpOptionsSetId"], "DhcpOptionsSetName": record["DhcpOptionsSetName"],
            "DhcpOptionsSetDescription": record["DhcpOptionsSetDescription"],
            "DhcpOptions": dict(record["DhcpOptions"]), "Status": status(ctx, record),
            "AssociateVpcCount": vpc_count(ctx, record["DhcpOptionsSetId"]), "OwnerId": int(record["_owner"]),
            "CreationTime": record["CreationTime"], "ResourceGroupId": record["ResourceGroupId"],
            "Tags": tags(record)}


def view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """GetDhcpOptionsSet's answer."""
    held = vpcs_of(ctx, record["DhcpOptionsSetId"])
    out = {k: v for k, v in summary(ctx, record).items() if k != "AssociateVpcCount"}
    out["Status"] = IN_USE if record["Status"] == AVAILABLE and held else record["Status"]
    out["AssociateVpcs"] = [{"VpcId": v["VpcId"], "AssociateStatus": v["_dhcp"]["status"]} for v in held]
    return out


def of_vpc(vpc: Mapping[str, Any]) -> tuple[str, str]:
    """A VPC's (DhcpOptionsSetId, DhcpOptionsSetStatus) as DescribeVpcs and DescribeVpcAttribute answer them."""
    held = vpc.get("_dhcp")
    return (held["id"], held["status"]) if held else ("", UNUSED)


def filtered(records: Iterable[dict], a: Mapping[str, Any]) -> list[dict]:
    """ListDhcpOptionsSets' filters (exact name and domain name [GUESS]; tags: any value when one is empty)."""
    wanted = a["tags"]
    return [r for r in records
            if (not a["dhcp_options_set_name"] or r["DhcpOptionsSetName"] == a["dhcp_options_set_name"])
            and (not a["domain_name"] or r["DhcpOptions"]["DomainName"] == a["domain_name"])
            and (not a["resource_group_id"] or r["ResourceGroupId"] == a["resource_group_id"])
            and resources.match_tags(r, wanted)]

"""NAT gateways of the VPC product's API (2016-04-28), as Terraform (``alicloud_nat_gateway``, ``alicloud_snat_entry``,
``alicloud_forward_entry``, ``alicloud_eip_association`` with a gateway) and Ansible make them: CreateNatGateway,
DescribeNatGateways, ModifyNatGatewayAttribute, DeleteNatGateway; SNAT entries (CreateSnatEntry,
DescribeSnatTableEntries, ModifySnatEntry, DeleteSnatEntry) and DNAT entries (CreateForwardEntry,
DescribeForwardTableEntries, ModifyForwardEntry, DeleteForwardEntry). EIPs join a gateway through
AssociateEipAddress with InstanceType ``Nat`` (:mod:`mockecs.ops.vpc_addresses`), tags through the VPC API's tag
operations (ResourceType ``NATGATEWAY``), deletion protection through DeletionProtection (Type ``NATGW``).

Only enhanced gateways are made (standard ones are no longer sold: the documented refusal). The rules and records:
:mod:`mockecs.world.nat_gateways`. Not modelled: the 0.0.0.0/0 route entry the service adds to the VPC's system
route table for a new enhanced gateway (and removes with it), VPC NAT gateways' NAT IPs and prefixes (NatIp,
Ipv4Prefix are taken and ignored), full NAT entries, bandwidth plans, session logs.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS, B, I, Repeat, S
from mockecs.world import nat_gateways as ngw
from mockecs.world import paging, resource_groups, resources

MISSING = ("MissingParameter", "Miss mandatory parameter.", 400)  # (CreateNatGateway's words)
MISSING_DNAT = ("MissingParameter", "Missing mandatory parameter", 400)  # (the DNAT operations' words)
# [GUESS] a listing of entries naming neither its table nor its gateway.
NO_TABLE = error_kind("MissingParameter", "Miss mandatory parameter.", 400)
PAGE = (paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))


def _all(*tests: Any) -> Callable[[dict], bool]:
    """The filters asked for (the others are None or False) as one test."""
    asked = [t for t in tests if t]
    return lambda r: all(t(r) for t in asked)


def _equal(value: Any, field: str) -> Any:
    return value not in (None, "") and (lambda r: r.get(field) == value)


def _page(found: list[dict], page_number: int, page_size: int) -> tuple[int, list[dict]]:
    return len(found), list(paging.by_number(found, page_number, page_size))


# -- NAT gateways ------------------------------------------------------------------------------------------------
@operation("CreateNatGateway", S("VpcId", required=True, missing=MISSING), S("VSwitchId"), S("NatType"),
           S("NetworkType"), S("InstanceChargeType"), S("InternetChargeType"), S("Name"), S("Description"), S("Spec"),
           S("Duration"), S("PricingCycle"), B("AutoPay"), S("EipBindMode"), B("IcmpReplyEnabled"),
           B("PrivateLinkEnabled"), B("SecurityProtectionEnabled"), S("AvailabilityMode"), S("AccessMode"),
           S("NatIp"), S("Ipv4Prefix"), TAGS, idempotent=True, mapping=True, api=VPC)
def create_nat_gateway(ctx: Context, a: dict) -> dict:
    record = ngw.create(ctx, a)
    return {"NatGatewayId": record["NatGatewayId"], "SnatTableIds": record["SnatTableIds"],
            "ForwardTableIds": record["ForwardTableIds"], "FullNatTableIds": record["FullNatTableIds"]}


@operation("DescribeNatGateways", S("NatGatewayId"), S("VpcId"), S("Name"), S("InstanceChargeType"), S("Spec"),
           S("NatType"), S("NetworkType"), S("ResourceGroupId"), S("Status"), S("ZoneId"), S("AvailabilityMode"), TAGS,
           *PAGE, dry_run=True, mapping=True, api=VPC)
def describe_nat_gateways(ctx: Context, a: dict) -> dict:
    if paging.unfiltered(a):
        page, meta = paging.ordered_page(ctx, ngw.KIND, resources.owner_region(ctx.account, ctx.region),
                                         a["page_number"], a["page_size"], None, None)
        total, page = meta["TotalCount"], list(page)
    else:
        keep = _all(*(_equal(a[arg], field) for arg, field in (
            ("name", "Name"), ("instance_charge_type", "InstanceChargeType"), ("spec", "Spec"),
            ("nat_type", "NatType"), ("network_type", "NetworkType"), ("resource_group_id", "ResourceGroupId"),
            ("status", "Status"), ("availability_mode", "AvailabilityMode"), ("vpc_id", "VpcId"))),
            a["zone_id"] and (lambda r: r["NatGatewayPrivateInfo"]["IzNo"] == a["zone_id"]),
            a["tag"] and (lambda r: resources.match_tags(r, a["tag"])))
        found = resources.mine_among(ctx, ngw.KIND, [a["nat_gateway_id"]] if a["nat_gateway_id"] else None,
                                     ("vpc", a["vpc_id"]) if a["vpc_id"] else None,
                                     resource_groups.term(a["resource_group_id"]) if a["resource_group_id"] else None,
                                     tags=a["tag"])
        total, page = _page(sorted((r for r in found if keep(r)), key=resources.ORDER[ngw.KIND]),
                            a["page_number"], a["page_size"])
    return {"TotalCount": total, "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "NatGateways": {"NatGateway": [ngw.view(ctx, r) for r in page]}}


@operation("ModifyNatGatewayAttribute", S("NatGatewayId", required=True), S("Name"), S("Description"),
           S("EipBindMode"), B("IcmpReplyEnabled"), B("EnableSessionLog"), S("LogDelivery"), api=VPC)
def modify_nat_gateway_attribute(ctx: Context, nat_gateway_id: str, name: Optional[str], description: Optional[str],
                                 eip_bind_mode: Optional[str], icmp_reply_enabled: Optional[bool],
                                 enable_session_log: Optional[bool], log_delivery: Optional[str]) -> dict:
    session_log = None if enable_session_log is None else str(enable_session_log).lower()
    ngw.modify(ctx, nat_gateway_id, Name=name, Description=description, EipBindMode=eip_bind_mode,
               IcmpReplyEnabled=icmp_reply_enabled, EnableSessionLog=session_log)
    return {}


@operation("DeleteNatGateway", S("NatGatewayId", required=True), B("Force", default=False), api=VPC)
def delete_nat_gateway(ctx: Context, nat_gateway_id: str, force: bool) -> dict:
    ngw.delete(ctx, nat_gateway_id, force)
    return {}


# -- SNAT entries --------------------------------------------------------------------------------------------
@operation("CreateSnatEntry", S("SnatTableId", required=True), S("SnatIp", required=True), S("SourceVSwitchId"),
           S("SourceCIDR"), S("SnatEntryName"), I("EipAffinity", min=0, max=1), S("NetworkInterfaceId"),
           dry_run=True, idempotent=True, api=VPC)
def create_snat_entry(ctx: Context, snat_table_id: str, snat_ip: str, source_v_switch_id: Optional[str],
                      source_cidr: Optional[str], snat_entry_name: Optional[str], eip_affinity: Optional[int],
                      network_interface_id: Optional[str]) -> dict:
    record = ngw.create_snat(ctx, snat_table_id, snat_ip, source_v_switch_id, source_cidr, snat_entry_name,
                             eip_affinity)
    return {"SnatEntryId": record["SnatEntryId"]}


def _table(ctx: Context, table_id: Optional[str], nat_gateway_id: Optional[str], field: str, term: str,
           not_found: type) -> str:
    """The table a listing reads: the one named (the caller's), else the gateway's."""
    if table_id:
        ngw.gateway_of_table(ctx, term, table_id, not_found)
        return table_id
    if not nat_gateway_id:
        raise NO_TABLE
    gateway = resources.get(ctx, ngw.KIND, nat_gateway_id)
    if not resources.is_mine(ctx, gateway):
        raise not_found
    return gateway[field][field[:-1]][0]


@operation("DescribeSnatTableEntries", S("SnatTableId"), S("SnatEntryId"), S("SourceVSwitchId"), S("SourceCIDR"),
           S("SnatIp"), S("SnatEntryName"), S("NatGatewayId"), Repeat("NetworkInterfaceIds"), *PAGE, mapping=True,
           api=VPC)
def describe_snat_table_entries(ctx: Context, a: dict) -> dict:
    table = _table(ctx, a["snat_table_id"], a["nat_gateway_id"], "SnatTableIds", "snat_table",
                   ngw.SNAT_TABLE_NOT_FOUND)
    keep = _all(*(_equal(a[arg], field) for arg, field in (
        ("source_v_switch_id", "SourceVSwitchId"), ("source_cidr", "SourceCIDR"), ("snat_entry_name", "SnatEntryName"),
        ("nat_gateway_id", "NatGatewayId"))),
        a["snat_ip"] and (lambda r: a["snat_ip"] in ngw.snat_ips(r)),
        a["network_interface_ids"] and (lambda r: r["NetworkInterfaceId"] in a["network_interface_ids"]))
    total, page = _page(ngw.entries(ctx, ngw.SNAT, table, a["snat_entry_id"], keep), a["page_number"],
                        a["page_size"])
    return {"TotalCount": total, "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "SnatTableEntries": {"SnatTableEntry": [resources.wire(r) for r in page]}}


@operation("ModifySnatEntry", S("SnatTableId", required=True), S("SnatEntryId", required=True), S("SnatIp"),
           S("SnatEntryName"), I("EipAffinity", min=0, max=1), S("NetworkInterfaceId"), dry_run=True,
           idempotent=True, api=VPC)
def modify_snat_entry(ctx: Context, snat_table_id: str, snat_entry_id: str, snat_ip: Optional[str],
                      snat_entry_name: Optional[str], eip_affinity: Optional[int],
                      network_interface_id: Optional[str]) -> dict:
    ngw.modify_snat(ctx, snat_table_id, snat_entry_id, snat_ip, snat_entry_name, eip_affinity)
    return {}


@operation("DeleteSnatEntry", S("SnatTableId", required=True), S("SnatEntryId", required=True), idempotent=True,
           api=VPC)
def delete_snat_entry(ctx: Context, snat_table_id: str, snat_entry_id: str) -> dict:
    ngw.delete_entry(ctx, ngw.SNAT, snat_table_id, snat_entry_id)
    return {}


# -- DNAT (forward) entries -------------------------------------------------------------------------------------
DNAT_FIELDS = ("ExternalIp", "ExternalPort", "InternalIp", "InternalPort", "IpProtocol")


def _dnat_args(a: dict) -> dict:
    return {field: a[snake] for field, snake in zip(DNAT_FIELDS, ("external_ip", "external_port", "internal_ip",
                                                                  "internal_port", "ip_protocol"))}


@operation("CreateForwardEntry", S("ForwardTableId", required=True, missing=MISSING_DNAT),
           *(S(field, required=True, missing=MISSING_DNAT) for field in DNAT_FIELDS), S("ForwardEntryName"),
           B("PortBreak"), dry_run=True, idempotent=True, mapping=True, api=VPC)
def create_forward_entry(ctx: Context, a: dict) -> dict:
    record = ngw.create_dnat(ctx, a["forward_table_id"], _dnat_args(a), a["forward_entry_name"])
    return {"ForwardEntryId": record["ForwardEntryId"]}


@operation("DescribeForwardTableEntries", S("ForwardTableId"), S("ForwardEntryId"), S("ForwardEntryName"),
           S("NatGatewayId"), *(S(field) for field in DNAT_FIELDS), *PAGE, mapping=True, api=VPC)
def describe_forward_table_entries(ctx: Context, a: dict) -> dict:
    table = _table(ctx, a["forward_table_id"], a["nat_gateway_id"], "ForwardTableIds", "forward_table",
                   ngw.DNAT_TABLE_NOT_FOUND)
    wanted = {**_dnat_args(a), "ForwardEntryName": a["forward_entry_name"], "NatGatewayId": a["nat_gateway_id"]}
    keep = _all(*(_equal(value, field) for field, value in wanted.items()))
    total, page = _page(ngw.entries(ctx, ngw.DNAT, table, a["forward_entry_id"], keep), a["page_number"],
                        a["page_size"])
    return {"TotalCount": total, "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "ForwardTableEntries": {"ForwardTableEntry": [resources.wire(r) for r in page]}}


@operation("ModifyForwardEntry", S("ForwardTableId", required=True), S("ForwardEntryId", required=True),
           *(S(field) for field in DNAT_FIELDS), S("ForwardEntryName"), B("PortBreak"), dry_run=True,
           idempotent=True, mapping=True, api=VPC)
def modify_forward_entry(ctx: Context, a: dict) -> dict:
    ngw.modify_dnat(ctx, a["forward_table_id"], a["forward_entry_id"], _dnat_args(a), a["forward_entry_name"])
    return {}


@operation("DeleteForwardEntry", S("ForwardTableId", required=True, missing=MISSING_DNAT),
           S("ForwardEntryId", required=True, missing=MISSING_DNAT), idempotent=True, api=VPC)
def delete_forward_entry(ctx: Context, forward_table_id: str, forward_entry_id: str) -> dict:
    ngw.delete_entry(ctx, ngw.DNAT, forward_table_id, forward_entry_id)
    return {}

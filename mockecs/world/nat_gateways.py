"""NAT gateways of the VPC product's API (2016-04-28) and their SNAT and DNAT (forward) entries: how a build in a
private vSwitch reaches the internet (an enhanced NAT gateway, an EIP associated with it, an SNAT entry for the
vSwitch) and how a port of an instance is published (a DNAT entry).

Records (kinds ``nat_gateway``, ``snat_entry``, ``forward_entry``) carry the fields DescribeNatGateways,
DescribeSnatTableEntries and DescribeForwardTableEntries answer plus ``_owner``, ``_region``, ``_created``. A
gateway holds one SNAT table and one forward table (ids only: a table is found through its gateway's index term)
and a private address taken in its vSwitch as an instance's is (``vsw_ip``, :mod:`mockecs.world.networks`), given
back when it goes. The EIPs associated with a gateway (AssociateEipAddress, InstanceType ``Nat``) are the EIP
records themselves, found by their ``instance`` term (:mod:`mockecs.world.eips`, :data:`eips.HOLDERS`): the
gateway's ``IpLists`` is read from them, never kept twice. Entries name addresses by index terms, so an EIP in use
by an entry is found without a scan.

The service also adds a 0.0.0.0/0 route entry to the VPC's system route table pointing at a new enhanced NAT
gateway (and removes it with the gateway); mockecs keeps no route entries here (route tables are another
module's), see the notes of :mod:`mockecs.ops.vpc_nat`.
"""
from __future__ import annotations

import ipaddress
import json
from typing import Any, Mapping, Optional

from mockecs.state.store import Term
from mockecs.wire.errors import error_kind
from mockecs.wire.params import whole_number
from mockecs.world import eips, lifecycle, networks, resource_groups, resources
from mockecs.world.context import Context

KIND, SNAT, DNAT = "nat_gateway", "snat_entry", "forward_entry"
PACKAGE = "bandwidth_package"  # (a standard gateway's public addresses: mockecs.world.bandwidth_packages)
ENHANCED, AVAILABLE = "Enhanced", "Available"
NETWORK_TYPES = ("internet", "intranet")
CHARGE_TYPES = ("PostPaid", "PrePaid")
INTERNET_CHARGE_TYPES = ("PayByLcu", "PayBySpec")
SPECS = ("Small", "Middle", "Large", "XLarge.1")
EIP_BIND_MODES = ("MULTI_BINDED", "NAT")
AVAILABILITY_MODES = ("SingleAZ", "CrossAZ")
PROTOCOLS = ("TCP", "UDP", "Any")
# Limits: 100 DNAT entries per table (the documentation); SNAT entries per table and addresses per SNAT entry
# [GUESS] (the quota pages of the console: 40, and 20 EIPs per gateway's SNAT pool).
MAX_DNAT, MAX_SNAT, MAX_SNAT_IPS = 100, 40, 20
# What an enhanced gateway's private side says (the SDK's fields; [GUESS] values of a default gateway).
MAX_BANDWIDTH, MAX_SESSION_RATE, MAX_SESSIONS = 5120, 100000, 2000000

# -- errors: the VPC documentation's (CreateNatGateway, DeleteNatGateway, ModifyNatGatewayAttribute, CreateSnatEntry,
# ModifySnatEntry, DeleteSnatEntry, CreateForwardEntry, ModifyForwardEntry, DeleteForwardEntry, their Describe*);
# [GUESS] where marked.
NOT_FOUND = error_kind("InvalidNatGatewayId.NotFound", "The specified NatGatewayId does not exist in our records.",
                       404)
VPC_NOT_FOUND = error_kind("InvalidVpcId.NotFound", "Specified value of VpcId is not found in our record.", 404)
VPC_CREATING = error_kind("VpcStatusError", "The Vpc is creating .", 400)
VSWITCH_CREATING = error_kind("VswitchStatusError", "The VSwitch is creating .", 400)
VSWITCH_NOT_IN_VPC = error_kind("OperationFailed.VswNotBelongToVpc", "Operation failed because the specified VSwitch "
                                "is not bound to the same VPC with NAT gateway.", 400)
# [GUESS] a missing or unknown vSwitch: the words of CreateSnatEntry's documented InvalidVSwitchId.NotFound.
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "The specified virtual switch does not exists.", 404)
MISSING = error_kind("MissingParameter", "Miss mandatory parameter.", 400)  # (VSwitchId of an enhanced gateway)
# ECS's CreateNatGateway (its metadata)
ECS_VPC_STATUS = error_kind("InvalidVPCStatus", "vpc incorrect status.", 400)
ONE_PER_VPC = error_kind("OperationUnsupported.MultiNatGateway", "More than one natGateway per vpc is unsupported.",
                         400)
NO_IP = error_kind("ZONE_NO_AVAILABLE_IP", "The Zone have no available ip.", 400)
NORMAL_SOLD_OUT = error_kind("OperationFailed.NormalInventoryNotEnough",
                             "Operation failed because the inventory of standard NAT gateway is insufficient.", 400)
PREPAID_LCU = error_kind("OperationUnsupported.PrePaidPyByLcu", "The operation failed because the subscription NAT "
                         "gateway does not support the pay-by-LCU billing method.", 400)
BAD_SPEC = error_kind("InvalidParameter.Spec.ValueNotSupported", "The specified Spec is not valid.", 400)
BAD_NAME = error_kind("InvalidParameter.Name.Malformed", "The specified Name is not valid.", 400)
BAD_DESCRIPTION = error_kind("InvalidParameter.Description.Malformed", "The specified Description is not valid.", 400)
# [GUESS] values outside the documented ones (NatType, NetworkType, charge types, EipBindMode, AvailabilityMode).
BAD_VALUE = {name: error_kind("InvalidParameter", f'Specified value of "{name}" is not valid.', 400)
             for name in ("NatType", "NetworkType", "InstanceChargeType", "InternetChargeType", "EipBindMode",
                          "AvailabilityMode", "AccessMode")}
# AccessMode (the SDK sends it as JSON): its values (the SDK model's docstring); empty when not sent [GUESS]
ACCESS_MODES, TUNNEL_TYPES = ("route", "tunnel"), ("geneve",)
# DeleteNatGateway (documented; "%s" of the messages filled in [GUESS]).
PROTECTED = error_kind("InvalidOperation.DeletionProtection",
                       "The instance cannnot delete because of deletion protecion.", 400)
PREPAID = error_kind("Forbidden.PrePaidNatGateway", "The specified NatGateway is PrePaid.", 400)
HAS_EIPS = error_kind("DependencyViolation.EIPS", "There are Eips on specified NatGateway, please unbind it first.",
                      400)
HAS_SNAT = error_kind("DependencyViolation.SnatEntry", "The specified resource of NatGateway depends on SnatEntry, "
                      "so the operation cannot be completed.", 400)
HAS_PACKAGES = error_kind("DependencyViolation.BandwidthPackages",
                          "There are BandwidthPackages on specified NatGateway not deleted.", 400)  # (ECS's)
HAS_DNAT = error_kind("DependencyViolation.ForwardEntry", "The specified resource of NatGateway depends on "
                      "ForwardEntry, so the operation cannot be completed.", 400)
DELETE_STATUS = error_kind("IncorrectStatus.NatGateway", "The status of NatGateway is incorrect.", 404)
# [GUESS] a gateway not Available (being made) for the other operations: the code Terraform retries on.
STATUS = error_kind("IncorrectStatus.NATGW", "The status of NatGateway is incorrect.", 400)
# AssociateEipAddress of the EIP API with InstanceType Nat ([GUESS] the code Terraform retries on).
ASSOCIATE_STATUS = error_kind("IncorrectStatus.NatGateway", "The status of NatGateway is incorrect.", 400)
# UnassociateEipAddress of an address an entry uses (the EIP documentation).
USED_BY_SNAT = error_kind("InvalidIpStatus.HasBeenUsedBySnatTable",
                          "The removed ip address has been used by snat table.", 400)
USED_BY_DNAT = error_kind("InvalidIpStatus.HasBeenUsedByForwardEntry",
                          "The specified address has been used by forwardTable.", 400)
# SNAT entries
SNAT_TABLE_NOT_FOUND = error_kind("InvalidSnatTableId.NotFound", "Specified SNAT table does not exist.", 404)
SNAT_NOT_FOUND = error_kind("InvalidSnatEntryId.NotFound", "Specified SNAT entry does not exist.", 404)
SNAT_STATUS = error_kind("IncorretSnatEntryStatus", "Some Snat entry status blocked this operation..", 400)
BAD_SNAT_IP = error_kind("InvalidSnatIp.Malformed", "The specified SnatIp is not a valid IP address.", 400)
SNAT_IP_NOT_HERE = error_kind("InvalidSnatIp.NotFound", "Specified SnatIp does not found on the NAT Gateway", 404)
SNAT_IP_IN_DNAT = error_kind("Forbidden.IpUsedInForwardTable", "The specified SnatIp already used in forward table",
                             400)
SNAT_IPS_TOO_MANY = error_kind("SNAT_IP_POOL_COUNT_TOO_MANY", "The Snat pool ip too many.", 400)
SNAT_QUOTA = error_kind("Forbidden.SnatEntryCountLimited", "SNAT entry in the specified SNAT table reach it's limit.",
                        400)  # (the documented message has a stray "?" for the apostrophe)
SNAT_VSWITCH_TAKEN = error_kind("Forbidden.SourceVSwitchId.Duplicated", "The specified SourceCIDRis duplicated.", 400)
SNAT_CIDR_TAKEN = error_kind("OperationUnsupported.CidrConflict",
                             "The specified CIDR block conflicts with an existing SNAT entry.", 400)
# [GUESS] both or neither of SourceVSwitchId and SourceCIDR, or a malformed SourceCIDR: the documented generic code.
SNAT_SOURCE = error_kind("INVALID_PARAMETER", "The parameter invalid.", 400)
# DNAT entries
DNAT_TABLE_NOT_FOUND = error_kind("InvalidForwardTableId.NotFound", "Specified forward table does not exist.", 404)
DNAT_NOT_FOUND = error_kind("InvalidForwardEntryId.NotFound", "Specified forward entry ID does not exist", 404)
DNAT_STATUS = error_kind("IncorretForwardEntryStatus", "Some Forward entry status blocked this operation..", 400)
BAD_EXTERNAL_IP = error_kind("InvalidExternalIp.Malformed", "The specified ExternalIp is not a valid IP address.", 400)
BAD_INTERNAL_IP = error_kind("InvalidInternalIp.Malformed", "The specified InternalIp is not a valid IP address.", 400)
BAD_EXTERNAL_PORT = error_kind("InvalidExternalPort.Malformed", "The specified ExternalPort is not a valid port.", 400)
BAD_INTERNAL_PORT = error_kind("InvalidInternalPort.Malformed", "The specified InternalPort is not a valid port.", 400)
BAD_PROTOCOL = error_kind("InvalidProtocal.ValueNotSupported", "The specified IpProtocol does not support.", 400)
OUTSIDE_VPC = error_kind("Forbidden.InternalIpOutOfVpcCIDR", "The specified Internal Ip is Out of VPC CIDR.", 400)
NO_SUCH_EXTERNAL_IP = error_kind("InvalidExternalIp.NotFound",
                                 "Specified External Ip address does not found on the VRouter", 404)
EXTERNAL_IP_ELSEWHERE = error_kind("InvalidIp.NotInNatgw", "The specified Ip not belong to natgateway.", 400)
EXTERNAL_IP_IN_SNAT = error_kind("Forbidden.ExternalIp.UsedInSnatTable",
                                 "The specified ExternalIp is already used in SnatTable", 400)
INSTANCE_HAS_EIP = error_kind("Forbindden", "The specified Instance already bind eip", 400)
DNAT_DUPLICATED = error_kind("OperationUnsupported.ForwardEntry", "Duplicated destination ip port is unsupported.",
                             400)  # ([GUESS] for a duplicated ExternalIp/ExternalPort/IpProtocol too)
DNAT_QUOTA = error_kind("QuotaExceeded", "Forward entry quota exceeded in this route table.", 400)


# -- index terms and order ----------------------------------------------------------------------------------
def _gateway_terms(record: Mapping[str, Any]) -> list[Term]:
    private = record["NatGatewayPrivateInfo"]
    terms: list[Term] = [("vpc", record["VpcId"]),
                         *(("snat_table", t) for t in record["SnatTableIds"]["SnatTableId"]),
                         *(("forward_table", t) for t in record["ForwardTableIds"]["ForwardTableId"])]
    if private["VswitchId"]:  # (a standard gateway made by ECS's CreateNatGateway sits in no vSwitch)
        vswitch = private["VswitchId"]
        terms += [("vswitch", vswitch), ("vsw_ip", f"{vswitch}|{private['PrivateIpAddress']}")]
    return terms


def snat_ips(record: Mapping[str, Any]) -> list[str]:
    return [ip for ip in record["SnatIp"].split(",") if ip]


def _snat_terms(record: Mapping[str, Any]) -> list[Term]:
    table = record["SnatTableId"]
    terms: list[Term] = [("snat_table", table), ("snat_cidr", f"{table}|{record['SourceCIDR']}")]
    if record["SourceVSwitchId"]:
        terms += [("vswitch", record["SourceVSwitchId"]), ("snat_vswitch", f"{table}|{record['SourceVSwitchId']}")]
    return terms + [("snat_ip", ip) for ip in snat_ips(record)]


def _external(table: str, ip: str, port: str, protocol: str) -> Term:
    return ("dnat_external", f"{table}|{ip}|{port}|{protocol}")


def _internal(table: str, ip: str, port: str, protocol: str) -> Term:
    return ("dnat_internal", f"{table}|{ip}|{port}|{protocol}")


def _dnat_terms(record: Mapping[str, Any]) -> list[Term]:
    table, protocol = record["ForwardTableId"], record["IpProtocol"]
    return [("forward_table", table), ("dnat_ip", record["ExternalIp"]),
            _external(table, record["ExternalIp"], record["ExternalPort"], protocol),
            _internal(table, record["InternalIp"], record["InternalPort"], protocol)]


resources.TERMS.update({KIND: _gateway_terms, SNAT: _snat_terms, DNAT: _dnat_terms})
for _kind in (KIND, SNAT, DNAT):  # listed in creation order (then by id)
    resources.by_creation(_kind)


# -- gateways ---------------------------------------------------------------------------------------------------
def check_text(name: Optional[str], description: Optional[str]) -> None:
    """Name: 2-128 characters starting with a letter (digits, ``.``, ``_``, ``-``); Description: 2-256; neither
    starting with http(s)://."""
    if not networks.valid_name(name):
        raise BAD_NAME
    if description and (not 2 <= len(description) <= 256
                        or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION


def _choice(value: Optional[str], allowed: tuple[str, ...], default: str, name: str) -> str:
    if value in (None, ""):
        return default
    if value not in allowed:
        raise BAD_VALUE[name]
    return value


def _access_mode(text: Optional[str], private_link: bool) -> dict:
    """AccessMode as sent (JSON: ModeValue route/tunnel, TunnelType geneve in tunnel mode only), documented as taken
    only with PrivateLinkEnabled; anything else is refused [GUESS: no code is documented]."""
    if not text:
        return {"ModeValue": "", "TunnelType": ""}
    try:
        sent = json.loads(text)
    except ValueError:
        raise BAD_VALUE["AccessMode"] from None
    if not isinstance(sent, dict) or not private_link:
        raise BAD_VALUE["AccessMode"]
    mode, tunnel = sent.get("ModeValue") or "route", sent.get("TunnelType") or ""
    if mode not in ACCESS_MODES or (tunnel and (mode != "tunnel" or tunnel not in TUNNEL_TYPES)):
        raise BAD_VALUE["AccessMode"]
    return {"ModeValue": mode, "TunnelType": tunnel}


def owned(ctx: Context, nat_gateway_id: Optional[str], not_found: type = NOT_FOUND) -> dict:
    return resources.owned(ctx, KIND, nat_gateway_id, not_found)


def available(ctx: Context, nat_gateway_id: str, not_found: type = NOT_FOUND) -> dict:
    """The caller's gateway here, ready for changes (not being made)."""
    record = owned(ctx, nat_gateway_id, not_found)
    if record["Status"] != AVAILABLE:
        raise STATUS
    return record


def _vswitch(ctx: Context, vpc: Mapping[str, Any], v_switch_id: Optional[str]) -> dict:
    if not v_switch_id:
        raise MISSING
    vswitch = resources.get(ctx, "vswitch", v_switch_id)
    if not resources.is_mine(ctx, vswitch):
        raise VSWITCH_NOT_FOUND
    if vswitch["VpcId"] != vpc["VpcId"]:
        raise VSWITCH_NOT_IN_VPC
    if vswitch["Status"] != AVAILABLE:
        raise VSWITCH_CREATING
    if vswitch["AvailableIpAddressCount"] < 1:
        raise NO_IP
    return vswitch


def _expiry(ctx: Context, duration: Optional[str], pricing_cycle: Optional[str]) -> str:
    """A subscription's end: Duration months (or years), from now [GUESS: 30-day months, as EIPs]."""
    count = whole_number(duration or "", 1, 100) or 1
    return resources.iso_minute(ctx.now + count * (365 if pricing_cycle == "Year" else 30) * 86400)


def create(ctx: Context, a: Mapping[str, Any]) -> dict:
    """CreateNatGateway: check everything, take the private address in the vSwitch, store the gateway
    (``Creating``, then ``Available`` on the mock clock). ``a``: the operation's arguments by snake name."""
    nat_type = a["nat_type"] or ENHANCED
    if nat_type == "Normal":
        raise NORMAL_SOLD_OUT  # (standard gateways are no longer sold)
    _choice(nat_type, (ENHANCED,), ENHANCED, "NatType")
    charge = _choice(a["instance_charge_type"], CHARGE_TYPES, "PostPaid", "InstanceChargeType")
    internet_charge = _choice(a["internet_charge_type"], INTERNET_CHARGE_TYPES, "PayByLcu", "InternetChargeType")
    if charge == "PrePaid" and internet_charge == "PayByLcu":
        raise PREPAID_LCU
    if a["spec"] and a["spec"] not in SPECS:
        raise BAD_SPEC
    check_text(a["name"], a["description"])
    fields = {"NetworkType": _choice(a["network_type"], NETWORK_TYPES, "internet", "NetworkType"),
              "EipBindMode": _choice(a["eip_bind_mode"], EIP_BIND_MODES, "MULTI_BINDED", "EipBindMode"),
              "AvailabilityMode": _choice(a["availability_mode"], AVAILABILITY_MODES, "SingleAZ", "AvailabilityMode"),
              "AccessMode": _access_mode(a["access_mode"], bool(a["private_link_enabled"]))}
    tags = resources.tags_from_args(a["tag"])
    vpc = resources.owned(ctx, "vpc", a["vpc_id"], VPC_NOT_FOUND)
    if vpc["Status"] != AVAILABLE:
        raise VPC_CREATING
    # (NatIp: the private address asked for, else the next free one; refused with CreateInstance's words for an
    # address that is malformed or taken [GUESS: no code is documented for the VPC API])
    vswitch, (address,) = networks.allocate(ctx, networks.CREATE, _vswitch(ctx, vpc, a["v_switch_id"]), 1,
                                            a["nat_ip"])
    resources.put(ctx.txn, "vswitch", vswitch)
    gateway_id = resources.new_id(KIND, ctx.region)
    record = {
        **_base(ctx, gateway_id, vpc, a["name"], a["description"]), "NatType": nat_type,
        "InstanceChargeType": charge, "InternetChargeType": internet_charge,
        "Spec": (a["spec"] or "Small") if internet_charge == "PayBySpec" else "",
        "ExpiredTime": _expiry(ctx, a["duration"], a["pricing_cycle"]) if charge == "PrePaid" else "",
        "IcmpReplyEnabled": True if a["icmp_reply_enabled"] is None else a["icmp_reply_enabled"],
        "PrivateLinkEnabled": bool(a["private_link_enabled"]),
        "SecurityProtectionEnabled": bool(a["security_protection_enabled"]), "AutoPay": bool(a["auto_pay"]),
        "NatGatewayPrivateInfo": {
            "EniInstanceId": resources.new_id("network_interface", ctx.region), "EniType": "indirect",
            "IzNo": vswitch["ZoneId"], "MaxBandwidth": MAX_BANDWIDTH, "MaxSessionEstablishRate": MAX_SESSION_RATE,
            "MaxSessionQuota": MAX_SESSIONS, "PrivateIpAddress": address, "VswitchId": vswitch["VSwitchId"]},
        **fields,
    }
    if tags:
        record["Tags"] = {"Tag": tags}
    return store_new(ctx, record)


def _base(ctx: Context, gateway_id: str, vpc: Mapping[str, Any], name: Optional[str],
          description: Optional[str]) -> dict:
    """The fields every new gateway starts with."""
    return {
        "NatGatewayId": gateway_id, "Name": name or gateway_id, "Description": description or "",
        "VpcId": vpc["VpcId"], "RegionId": ctx.region, "Status": "Creating", "NatType": ENHANCED,
        "InstanceChargeType": "PostPaid", "InternetChargeType": "PayByLcu", "Spec": "",
        "CreationTime": resources.iso(ctx.now), "ExpiredTime": "",
        "BusinessStatus": "Normal", "DeletionProtection": False, "EcsMetricEnabled": False,
        "IcmpReplyEnabled": True, "EnableSessionLog": "false", "PrivateLinkEnabled": False, "PrivateLinkMode": "",
        "SecurityProtectionEnabled": False, "AutoPay": False,
        "ResourceGroupId": resource_groups.default_id(ctx.account),
        "SnatTableIds": {"SnatTableId": [resources.new_id("snat_table", ctx.region)]},
        "ForwardTableIds": {"ForwardTableId": [resources.new_id("forward_table", ctx.region)]},
        "FullNatTableIds": {"FullNatTableId": []}, "IpPrefixList": {"IpPrefixList": []},
        "NetworkType": "internet", "EipBindMode": "MULTI_BINDED", "AvailabilityMode": "SingleAZ",
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }


def create_standard(ctx: Context, vpc_id: Optional[str], name: Optional[str], description: Optional[str],
                    vpc_not_found: type = VPC_NOT_FOUND) -> dict:
    """ECS's CreateNatGateway: a standard (``Normal``) gateway of the VPC, in no vSwitch, translating with the
    addresses of its bandwidth packages (:mod:`mockecs.world.bandwidth_packages`, made by the caller in the same
    transaction). The record, not stored: the caller stores it with its packages' ids."""
    vpc = resources.owned(ctx, "vpc", vpc_id, vpc_not_found)
    if vpc["Status"] != AVAILABLE:
        raise ECS_VPC_STATUS
    if ctx.txn.count(KIND, ("vpc", vpc["VpcId"])):
        raise ONE_PER_VPC  # (ECS's rule for its standard gateways; the VPC API's enhanced ones are many)
    gateway_id = resources.new_id(KIND, ctx.region)
    return {**_base(ctx, gateway_id, vpc, name, description), "NatType": "Normal", "Spec": "Small",
            "InternetChargeType": "PayBySpec",
            "NatGatewayPrivateInfo": {"EniInstanceId": "", "EniType": "", "IzNo": "", "MaxBandwidth": 0,
                                      "MaxSessionEstablishRate": 0, "MaxSessionQuota": 0, "PrivateIpAddress": "",
                                      "VswitchId": ""}}


def store_new(ctx: Context, record: dict) -> dict:
    """Store a new gateway: ``Creating``, then ``Available`` on the mock clock."""
    return resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, record["NatGatewayId"], record,
                                                        done={"Status": AVAILABLE}))


def modify(ctx: Context, nat_gateway_id: str, **changes: Any) -> None:
    """ModifyNatGatewayAttribute: the fields given (not None)."""
    record = available(ctx, nat_gateway_id)
    changes = {k: v for k, v in changes.items() if v is not None}
    check_text(changes.get("Name"), changes.get("Description"))
    if "EipBindMode" in changes:
        _choice(changes["EipBindMode"], EIP_BIND_MODES, "", "EipBindMode")
    if changes:
        resources.put(ctx.txn, KIND, {**record, **changes})


def bound_eips(ctx: Context, nat_gateway_id: str) -> list[dict]:
    """The EIPs associated with a gateway (by their index term), oldest allocation first."""
    found = [r for r in resources.get_many(ctx, eips.KIND, sorted(ctx.txn.ids(eips.KIND, ("instance", nat_gateway_id))))
             if r is not None]
    return sorted(found, key=lambda r: (r["AllocationTime"], r["AllocationId"]))


def package_addresses(ctx: Context, nat_gateway_id: str) -> list[dict]:
    """The public addresses of a standard gateway's bandwidth packages ({AllocationId, IpAddress}), by index."""
    packages = resources.get_many(ctx, PACKAGE, sorted(ctx.txn.ids(PACKAGE, ("nat_gateway", nat_gateway_id))))
    return [ip for p in packages if p is not None for ip in p["PublicIpAddresses"]["PublicIpAddresse"]]


def public_addresses(ctx: Context, nat_gateway_id: str) -> list[dict]:
    """Every public address a gateway translates with: its EIPs, then its bandwidth packages' addresses."""
    return bound_eips(ctx, nat_gateway_id) + package_addresses(ctx, nat_gateway_id)


def _entry_ids(ctx: Context, kind: str, term: Term) -> list[str]:
    return sorted(ctx.txn.ids(kind, term))


def ids_in_vpc(ctx: Context, vpc_id: str) -> list[str]:
    """A VPC's NAT gateways (DescribeVpcs' NatGatewayIds), by index, no record read."""
    return _entry_ids(ctx, KIND, ("vpc", vpc_id))


def delete(ctx: Context, nat_gateway_id: str, force: bool) -> None:
    """DeleteNatGateway: refused while entries or EIPs depend on it, unless ``force`` (they go with it: entries
    deleted, EIPs unassociated and kept); its address returns to its vSwitch."""
    record = owned(ctx, nat_gateway_id)
    if record["Status"] != AVAILABLE:
        raise DELETE_STATUS
    if record.get("DeletionProtection"):
        raise PROTECTED
    if record["InstanceChargeType"] == "PrePaid":
        raise PREPAID
    snat = [i for t in record["SnatTableIds"]["SnatTableId"] for i in _entry_ids(ctx, SNAT, ("snat_table", t))]
    dnat = [i for t in record["ForwardTableIds"]["ForwardTableId"] for i in _entry_ids(ctx, DNAT, ("forward_table", t))]
    if not force:
        if snat:
            raise HAS_SNAT
        if dnat:
            raise HAS_DNAT
        if ctx.txn.count(eips.KIND, ("instance", nat_gateway_id)):
            raise HAS_EIPS
        if ctx.txn.count(PACKAGE, ("nat_gateway", nat_gateway_id)):
            raise HAS_PACKAGES
    for kind, ids in ((SNAT, snat), (DNAT, dnat), (PACKAGE, _entry_ids(ctx, PACKAGE, ("nat_gateway", nat_gateway_id)))):
        for entry_id in ids:
            resources.delete(ctx.txn, kind, entry_id)
    eips.released_with(ctx, [nat_gateway_id])
    private = record["NatGatewayPrivateInfo"]
    networks.give_back(ctx, private["VswitchId"], [private["PrivateIpAddress"]])
    resources.delete(ctx.txn, KIND, nat_gateway_id)


def using_status(ctx: Context, ip: str) -> str:
    """An EIP of a gateway as its IpLists says it is used ([GUESS] the values)."""
    snat, dnat = ctx.txn.count(SNAT, ("snat_ip", ip)), ctx.txn.count(DNAT, ("dnat_ip", ip))
    if snat and dnat:
        return "UsedBySnatTableAndForwardTable"
    return "UsedBySnatTable" if snat else "UsedByForwardTable" if dnat else "Idle"


def view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """A gateway as DescribeNatGateways answers it."""
    private = record["NatGatewayPrivateInfo"]
    ips = [{"AllocationId": e["AllocationId"], "IpAddress": e["IpAddress"],
            "PrivateIpAddress": private["PrivateIpAddress"],
            "SnatEntryEnabled": not ctx.txn.count(DNAT, ("dnat_ip", e["IpAddress"])),
            "UsingStatus": using_status(ctx, e["IpAddress"])} for e in public_addresses(ctx, record["NatGatewayId"])]
    return {**resources.wire(record), "IpLists": {"IpList": ips},
            "Tags": {"Tag": [{"TagKey": t["TagKey"], "TagValue": t["TagValue"]} for t in resources.tags_of(record)]}}


# -- the gateway's EIPs (AssociateEipAddress / UnassociateEipAddress with InstanceType Nat) ----------------------------
def _take_eip(ctx: Context, eip: Mapping[str, Any], nat_gateway_id: str) -> dict:
    gateway = resources.get(ctx, KIND, nat_gateway_id)
    if gateway is None or gateway["_owner"] != ctx.account:
        raise eips.INSTANCE_NOT_FOUND
    if gateway["_region"] != eip["_region"]:
        raise eips.WRONG_REGION
    if gateway["Status"] != AVAILABLE:
        raise ASSOCIATE_STATUS
    # ([GUESS] the address is shown on no private one: the gateway translates for the vSwitches)
    return {"PrivateIpAddress": "", "VpcId": gateway["VpcId"], "InstanceRegionId": gateway["_region"]}


def _let_go(ctx: Context, eip: Mapping[str, Any], force: bool) -> None:
    """An EIP leaving its gateway: refused while an entry uses its address, unless ``force`` ([GUESS] the entries
    using it then go: an SNAT entry keeps its other addresses, if any)."""
    ip = eip["IpAddress"]
    snat, dnat = _entry_ids(ctx, SNAT, ("snat_ip", ip)), _entry_ids(ctx, DNAT, ("dnat_ip", ip))
    if not force:
        if snat:
            raise USED_BY_SNAT
        if dnat:
            raise USED_BY_DNAT
    for entry in filter(None, resources.get_many(ctx, SNAT, snat)):
        rest = [a for a in snat_ips(entry) if a != ip]
        if rest:
            resources.put(ctx.txn, SNAT, {**entry, "SnatIp": ",".join(rest)})
        else:
            resources.delete(ctx.txn, SNAT, entry["SnatEntryId"])
    for entry_id in dnat:
        resources.delete(ctx.txn, DNAT, entry_id)


eips.HOLDERS["Nat"] = eips.Holder(_take_eip, _let_go)


# -- SNAT entries -----------------------------------------------------------------------------------------------
def gateway_of_table(ctx: Context, term_name: str, table_id: Optional[str], not_found: type) -> dict:
    """The caller's gateway holding the SNAT (``snat_table``) or forward (``forward_table``) table, by index."""
    for gateway_id in ctx.txn.ids(KIND, (term_name, table_id or "")):
        return owned(ctx, gateway_id, not_found)
    raise not_found


def _entry(ctx: Context, kind: str, entry_id: Optional[str], table_id: str, not_found: type) -> dict:
    record = resources.get(ctx, kind, entry_id)
    table_field = "SnatTableId" if kind == SNAT else "ForwardTableId"
    if not resources.is_mine(ctx, record) or record[table_field] != table_id:
        raise not_found
    return record


def _addresses(text: str, bad: type) -> list[str]:
    """Comma-separated IPv4 addresses, each once."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        try:
            out.append(str(ipaddress.IPv4Address(part)))
        except ValueError:
            raise bad from None
    return list(dict.fromkeys(out))


def _snat_ips(ctx: Context, gateway: Mapping[str, Any], text: str) -> str:
    ips = _addresses(text, BAD_SNAT_IP)
    if len(ips) > MAX_SNAT_IPS:
        raise SNAT_IPS_TOO_MANY
    mine = {e["IpAddress"] for e in public_addresses(ctx, gateway["NatGatewayId"])}
    for ip in ips:
        if ip not in mine:
            raise SNAT_IP_NOT_HERE
        if ctx.txn.count(DNAT, ("dnat_ip", ip)):
            raise SNAT_IP_IN_DNAT
    return ",".join(ips)


def _snat_source(ctx: Context, gateway: Mapping[str, Any], table: str, v_switch_id: Optional[str],
                 source_cidr: Optional[str]) -> tuple[str, str]:
    """(SourceVSwitchId, SourceCIDR) of a new entry: a vSwitch of the gateway's VPC (its CIDR block), or a block."""
    if bool(v_switch_id) == bool(source_cidr):
        raise SNAT_SOURCE
    if v_switch_id:
        vswitch = resources.get(ctx, "vswitch", v_switch_id)
        if not resources.is_mine(ctx, vswitch) or vswitch["VpcId"] != gateway["VpcId"]:
            raise VSWITCH_NOT_FOUND
        if ctx.txn.count(SNAT, ("snat_vswitch", f"{table}|{v_switch_id}")):
            raise SNAT_VSWITCH_TAKEN
        cidr = vswitch["CidrBlock"]
    else:
        try:
            cidr = str(ipaddress.IPv4Network(source_cidr.strip(), strict=False))
        except ValueError:
            raise SNAT_SOURCE from None
    if ctx.txn.count(SNAT, ("snat_cidr", f"{table}|{cidr}")):
        raise SNAT_CIDR_TAKEN
    return v_switch_id or "", cidr


def _settling(ctx: Context, kind: str, entry_id: str, record: dict) -> dict:
    """An entry ``Pending`` until the change is done on the mock clock (kind ``snat_entry`` / ``forward_entry``)."""
    return resources.put(ctx.txn, kind, lifecycle.start(ctx, kind, entry_id, {**record, "Status": "Pending"},
                                                        done={"Status": AVAILABLE}))


def create_snat(ctx: Context, snat_table_id: str, snat_ip: str, source_v_switch_id: Optional[str],
                source_cidr: Optional[str], name: Optional[str], eip_affinity: Optional[int]) -> dict:
    gateway = gateway_of_table(ctx, "snat_table", snat_table_id, SNAT_TABLE_NOT_FOUND)
    if gateway["Status"] != AVAILABLE:
        raise STATUS
    if not networks.valid_name(name):
        raise BAD_NAME
    if ctx.txn.count(SNAT, ("snat_table", snat_table_id)) >= MAX_SNAT:
        raise SNAT_QUOTA
    vswitch_id, cidr = _snat_source(ctx, gateway, snat_table_id, source_v_switch_id, source_cidr)
    ips = _snat_ips(ctx, gateway, snat_ip)
    entry_id = resources.new_id(SNAT, ctx.region)
    record = {"SnatEntryId": entry_id, "SnatTableId": snat_table_id, "NatGatewayId": gateway["NatGatewayId"],
              "SnatIp": ips, "SourceVSwitchId": vswitch_id, "SourceCIDR": cidr, "SnatEntryName": name or "",
              "EipAffinity": str(eip_affinity or 0), "NetworkInterfaceId": "",
              "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return _settling(ctx, SNAT, entry_id, record)


def _changeable(ctx: Context, kind: str, entry_id: str, table_id: str) -> tuple[dict, dict]:
    """(gateway, entry) for a change: the table's, found, and neither being made nor changed."""
    snat = kind == SNAT
    gateway = gateway_of_table(ctx, "snat_table" if snat else "forward_table", table_id,
                               SNAT_TABLE_NOT_FOUND if snat else DNAT_TABLE_NOT_FOUND)
    entry = _entry(ctx, kind, entry_id, table_id, SNAT_NOT_FOUND if snat else DNAT_NOT_FOUND)
    if entry["Status"] != AVAILABLE:
        raise SNAT_STATUS if snat else DNAT_STATUS
    return gateway, entry


def modify_snat(ctx: Context, snat_table_id: str, snat_entry_id: str, snat_ip: Optional[str], name: Optional[str],
                eip_affinity: Optional[int]) -> None:
    gateway, entry = _changeable(ctx, SNAT, snat_entry_id, snat_table_id)
    if not networks.valid_name(name):
        raise BAD_NAME
    changes: dict[str, Any] = {}
    if snat_ip:
        changes["SnatIp"] = _snat_ips(ctx, gateway, snat_ip)
    if name is not None:
        changes["SnatEntryName"] = name
    if eip_affinity is not None:
        changes["EipAffinity"] = str(eip_affinity)
    if changes:
        _settling(ctx, SNAT, snat_entry_id, {**entry, **changes})


def delete_entry(ctx: Context, kind: str, table_id: str, entry_id: str) -> None:
    """DeleteSnatEntry / DeleteForwardEntry (gone at once: the service shows Deleting a moment)."""
    _changeable(ctx, kind, entry_id, table_id)
    resources.delete(ctx.txn, kind, entry_id)


def entries(ctx: Context, kind: str, table_id: str, named: Optional[str], keep: Any) -> list[dict]:
    """The entries of a table (at most its quota of them; ``named``: the one of that id) that ``keep`` accepts,
    in creation order."""
    table_field, term_name = ("SnatTableId", "snat_table") if kind == SNAT else ("ForwardTableId", "forward_table")
    found = [r for r in resources.mine_among(ctx, kind, [named] if named else None, (term_name, table_id))
             if r[table_field] == table_id and keep(r)]
    return sorted(found, key=resources.ORDER[kind])


# -- DNAT entries -----------------------------------------------------------------------------------------------
def _port(text: str, bad: type, protocol: str) -> str:
    """A port (1-65535), a range ``first/last``, or ``Any`` (only with IpProtocol Any: IP mapping) [GUESS the
    forms beyond a single port: the console's]."""
    text = text.strip()
    if text == "Any":
        if protocol != "Any":
            raise bad
        return text
    ports = [whole_number(p, 1, 65535) for p in text.split("/")]
    if len(ports) > 2 or None in ports or (len(ports) == 2 and ports[0] >= ports[1]):
        raise bad
    return "/".join(map(str, ports))


def _dnat_fields(ctx: Context, gateway: Mapping[str, Any], table: str, f: dict, entry_id: str = "") -> dict:
    """Check a DNAT entry's fields (``f``: ExternalIp, ExternalPort, InternalIp, InternalPort, IpProtocol) and
    return them normalised; ``entry_id``: the entry changed (not a duplicate of itself)."""
    protocol = f["IpProtocol"]
    if protocol not in PROTOCOLS:
        raise BAD_PROTOCOL
    try:
        external = str(ipaddress.IPv4Address(f["ExternalIp"].strip()))
    except ValueError:
        raise BAD_EXTERNAL_IP from None
    try:
        internal = ipaddress.IPv4Address(f["InternalIp"].strip())
    except ValueError:
        raise BAD_INTERNAL_IP from None
    out = {"IpProtocol": protocol, "ExternalIp": external, "InternalIp": str(internal),
           "ExternalPort": _port(f["ExternalPort"], BAD_EXTERNAL_PORT, protocol),
           "InternalPort": _port(f["InternalPort"], BAD_INTERNAL_PORT, protocol)}
    eip = resources.get(ctx, eips.KIND, next(iter(ctx.txn.ids(eips.KIND, ("public_ip", external))), None))
    package = resources.get(ctx, PACKAGE, next(iter(ctx.txn.ids(PACKAGE, ("bwp_ip", external))), None))
    holder = eip or package  # (an EIP of the gateway, or an address of its bandwidth packages)
    if holder is None or holder["_owner"] != ctx.account:
        raise NO_SUCH_EXTERNAL_IP
    if (eip["InstanceId"] if eip else package["NatGatewayId"]) != gateway["NatGatewayId"]:
        raise EXTERNAL_IP_ELSEWHERE
    if ctx.txn.count(SNAT, ("snat_ip", external)):
        raise EXTERNAL_IP_IN_SNAT
    vpc = resources.get(ctx, "vpc", gateway["VpcId"]) or {"CidrBlock": "0.0.0.0/32"}
    if internal not in ipaddress.IPv4Network(vpc["CidrBlock"]):
        raise OUTSIDE_VPC
    for instance_id in ctx.txn.ids("instance", networks.private_ip_term(ctx, str(internal))):
        if ((resources.get(ctx, "instance", instance_id) or {}).get("EipAddress") or {}).get("AllocationId"):
            raise INSTANCE_HAS_EIP
    for term in (_external(table, external, out["ExternalPort"], protocol),
                 _internal(table, out["InternalIp"], out["InternalPort"], protocol)):
        if set(ctx.txn.ids(DNAT, term)) - {entry_id}:
            raise DNAT_DUPLICATED
    return out


def create_dnat(ctx: Context, forward_table_id: str, fields: dict, name: Optional[str]) -> dict:
    gateway = gateway_of_table(ctx, "forward_table", forward_table_id, DNAT_TABLE_NOT_FOUND)
    if gateway["Status"] != AVAILABLE:
        raise STATUS
    if not networks.valid_name(name):
        raise BAD_NAME
    if ctx.txn.count(DNAT, ("forward_table", forward_table_id)) >= MAX_DNAT:
        raise DNAT_QUOTA
    checked = _dnat_fields(ctx, gateway, forward_table_id, fields)
    entry_id = resources.new_id(DNAT, ctx.region)
    record = {"ForwardEntryId": entry_id, "ForwardTableId": forward_table_id, "NatGatewayId": gateway["NatGatewayId"],
              "ForwardEntryName": name or "", **checked,
              "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return _settling(ctx, DNAT, entry_id, record)


def modify_dnat(ctx: Context, forward_table_id: str, forward_entry_id: str, changes: dict,
                name: Optional[str]) -> None:
    gateway, entry = _changeable(ctx, DNAT, forward_entry_id, forward_table_id)
    if not networks.valid_name(name):
        raise BAD_NAME
    wanted = {**{k: entry[k] for k in ("ExternalIp", "ExternalPort", "InternalIp", "InternalPort", "IpProtocol")},
              **{k: v for k, v in changes.items() if v}}
    record = {**entry, **_dnat_fields(ctx, gateway, forward_table_id, wanted, forward_entry_id)}
    if name is not None:
        record["ForwardEntryName"] = name
    _settling(ctx, DNAT, forward_entry_id, record)


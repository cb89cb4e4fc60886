"""IPv6 gateways of the VPC product's API (2016-04-28) and what hangs off them: the Internet bandwidth bought for an
IPv6 address (its public side) and egress-only rules (outbound only for an address).

Records:

- ``ipv6_gateway`` (id ``ipv6gw-``, the documented examples'): one per VPC, in a VPC with IPv6 enabled
  (:mod:`mockecs.ops.vpc_networks` keeps a VPC's /56 as ``_ipv6``); ``Creating`` then ``Available`` (a transition
  of kind ``ipv6_gateway``); index term ``("vpc", id)``.
- ``ipv6_internet_bandwidth`` (``ipv6bw-``): one per address, terms ``("ipv6_gateway", id)`` and
  ``("ipv6_public", address)``.
- ``ipv6_egress_rule`` (``ipv6py-``): terms ``("ipv6_gateway", id)`` and ``("ipv6_egress", address id)``; made
  ``Creating`` then ``Available`` (kind ``ipv6_egress_rule``).

A gateway with bandwidths or rules cannot be deleted. IPv6 addresses are those ENIs and instances hold
(:mod:`mockecs.world.ipv6`, on the ENI records): an address's id (``ipv6-`` + region code + the address in base 36,
[GUESS] the real ids are random) names it without a record of its own, so an id is read back into the address and
the ENI holding it is found by its address term. An address listing walks the caller's VPCs (at most the VPC quota)
and their vSwitches with IPv6 addresses in use (their term), never the store.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterator, Mapping, Optional

from mockecs.wire.errors import error_kind
from mockecs.world import interfaces, ipv6, lifecycle, networks, resource_groups, resources, vpc_kinds, vpcs
from mockecs.world.context import Context
from mockecs.world.validation import check_description

# (their terms and order, listed in creation order: mockecs.world.vpc_kinds)
KIND, BANDWIDTH, RULE = vpc_kinds.IPV6_GATEWAY, vpc_kinds.IPV6_BANDWIDTH, vpc_kinds.IPV6_RULE
AVAILABLE = "Available"
CHARGE_TYPES = ("PayByBandwidth", "PayByTraffic")  # AllocateIpv6InternetBandwidth.InternetChargeType (documented)
RULE_INSTANCE_TYPES = ("Ipv6Address",)  # CreateIpv6EgressOnlyRule.InstanceType (documented: the only value)
_ALNUM36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_ID_DIGITS = 25  # base 36 digits of a 128-bit address

# -- errors. The VPC documentation lists few codes for these actions: [GUESS] unless marked.
# (CreateRouteEntry's documentation names this one, with HTTP 404.)
NOT_FOUND = error_kind("InvalidIpv6Gateway.NotFound", "Specified Ipv6Gateway does not exist.", 404)
VPC_NOT_FOUND = vpcs.Errors().vpc_not_found
VPC_NOT_READY = error_kind("IncorrectStatus.Vpc", "The status of the VPC does not support this operation.", 400)
EXISTS = error_kind("OperationFailed.Ipv6GatewayExist", "The VPC already has an IPv6 gateway.", 400)
STATUS = error_kind("IncorrectStatus", "The status of the IPv6 gateway does not support this operation.", 400)
HAS_BANDWIDTH = error_kind("DependencyViolation.Ipv6InternetBandwidth",  # (the code Terraform's delete retries)
                           "The IPv6 gateway has Internet bandwidth of IPv6 addresses.", 400)
HAS_RULES = error_kind("DependencyViolation.Ipv6EgressOnlyRule", "The IPv6 gateway has egress-only rules.", 400)
BAD_NAME = error_kind("InvalidName", "The specified name is not valid.", 400)
BAD_DESCRIPTION = ("InvalidDescription", "The specified description is not valid.")
ADDRESS_NOT_FOUND = error_kind("InvalidIpv6AddressId.NotFound", "The specified Ipv6AddressId does not exist.", 404)
ADDRESS_ELSEWHERE = error_kind("OperationFailed.Ipv6AddressNotInVpc",
                               "The IPv6 address is not in the VPC of the IPv6 gateway.", 400)
BANDWIDTH_EXISTS = error_kind("OperationFailed.Ipv6InternetBandwidthExist",
                              "The IPv6 address already has Internet bandwidth.", 400)
BANDWIDTH_NOT_FOUND = error_kind("InvalidIpv6InternetBandwidthId.NotFound",
                                 "The specified Ipv6InternetBandwidthId does not exist.", 404)
BAD_CHARGE_TYPE = error_kind("InvalidInternetChargeType", "The specified InternetChargeType is not valid.", 400)
RULE_EXISTS = error_kind("OperationFailed.Ipv6EgressOnlyRuleExist",
                         "An egress-only rule already exists for the IPv6 address.", 400)
RULE_NOT_FOUND = error_kind("InvalidIpv6EgressOnlyRuleId.NotFound",
                            "The specified Ipv6EgressOnlyRuleId does not exist.", 404)
BAD_INSTANCE_TYPE = error_kind("InvalidInstanceType", "The specified InstanceType is not valid.", 400)


# -- IPv6 address ids ----------------------------------------------------------------------------------------------
def address_id(region: str, address: str) -> str:
    """The id of an IPv6 address: read back by :func:`address_of`."""
    value, digits = int(ipaddress.IPv6Address(address)), []
    for _ in range(_ID_DIGITS):
        value, digit = divmod(value, 36)
        digits.append(_ALNUM36[digit])
    return "ipv6-" + (resources.REGION_CODE.get(region) or "xxx") + "".join(reversed(digits))


def address_of(ipv6_address_id: Optional[str]) -> Optional[str]:
    """The address an id names, or None when it is no id :func:`address_id` made."""
    body = (ipv6_address_id or "")[len("ipv6-") + 3:]
    if not (ipv6_address_id or "").startswith("ipv6-") or len(body) != _ID_DIGITS or body.strip(_ALNUM36):
        return None
    value = int(body, 36)
    return str(ipaddress.IPv6Address(value)) if value < 2 ** 128 else None


def holder(ctx: Context, address: Optional[str]) -> Optional[dict]:
    """The caller's ENI here holding the IPv6 ``address``."""
    if not address:
        return None
    ids = ctx.txn.ids(interfaces.KIND, interfaces.ip_term(ctx, address))
    found = [r for r in resources.get_many(ctx, interfaces.KIND, ids)
             if r is not None and address in ipv6.addresses(r)]
    return found[0] if found else None


def address_in_vpc(ctx: Context, ipv6_address_id: str, vpc_id: str) -> tuple[str, dict]:
    """(address, ENI) of an address id of the caller's, in ``vpc_id``."""
    address = address_of(ipv6_address_id)
    eni = holder(ctx, address)
    if eni is None:
        raise ADDRESS_NOT_FOUND
    if eni["VpcId"] != vpc_id:
        raise ADDRESS_ELSEWHERE
    return address, eni  # type: ignore[return-value]


# -- gateways ----------------------------------------------------------------------------------------------------
def check_text(name: Optional[str], description: Optional[str]) -> None:
    if not networks.valid_name(name):
        raise BAD_NAME
    check_description(description, *BAD_DESCRIPTION)


def owned(ctx: Context, gateway_id: Optional[str]) -> dict:
    return resources.owned(ctx, KIND, gateway_id, NOT_FOUND)


def available(ctx: Context, gateway_id: str) -> dict:
    record = owned(ctx, gateway_id)
    if record["Status"] != AVAILABLE:
        raise STATUS
    return record


def of_vpc(ctx: Context, vpc_id: str) -> Optional[dict]:
    found = resources.get_many(ctx, KIND, ctx.txn.ids(KIND, ("vpc", vpc_id)))
    return next((r for r in found if r is not None), None)


def create(ctx: Context, a: Mapping[str, Any]) -> dict:
    check_text(a["name"], a["description"])
    vpc = resources.owned(ctx, "vpc", a["vpc_id"], VPC_NOT_FOUND)
    if vpc["Status"] != AVAILABLE:
        raise VPC_NOT_READY
    if "_ipv6" not in vpc:
        raise ipv6.VPC_NOT_ENABLED
    if ctx.txn.count(KIND, ("vpc", vpc["VpcId"])):
        raise EXISTS
    tags = resources.tags_from_args(a["tag"])
    group = resource_groups.resolve(ctx, a["resource_group_id"])
    gateway_id = resources.new_id(KIND, ctx.region)
    record = {
        "Ipv6GatewayId": gateway_id, "VpcId": vpc["VpcId"], "Name": a["name"] or "",
        "Description": a["description"] or "", "Status": "Creating", "BusinessStatus": "Normal",
        "InstanceChargeType": "PostPaid", "ExpiredTime": "", "CreationTime": resources.iso(ctx.now),
        "RegionId": ctx.region, "ResourceGroupId": group, **({"Tags": {"Tag": tags}} if tags else {}),
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    return resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, gateway_id, record, done={"Status": AVAILABLE}))


def modify(ctx: Context, gateway_id: str, name: Optional[str], description: Optional[str]) -> None:
    record = available(ctx, gateway_id)
    check_text(name, description)
    changes = {k: v for k, v in (("Name", name), ("Description", description)) if v is not None}
    if changes:
        resources.put(ctx.txn, KIND, {**record, **changes})


def delete(ctx: Context, gateway_id: str) -> None:
    available(ctx, gateway_id)
    if ctx.txn.count(BANDWIDTH, ("ipv6_gateway", gateway_id)):
        raise HAS_BANDWIDTH
    if ctx.txn.count(RULE, ("ipv6_gateway", gateway_id)):
        raise HAS_RULES
    resources.delete(ctx.txn, KIND, gateway_id)


def delete_with_vpc(ctx: Context, vpc_id: str) -> None:
    """DeleteVpc with ForceDelete: the VPC's gateway goes, with its bandwidths and rules."""
    gateway = of_vpc(ctx, vpc_id)
    if gateway is None:
        return
    for kind in (BANDWIDTH, RULE):
        for resource_id in list(ctx.txn.ids(kind, ("ipv6_gateway", gateway["Ipv6GatewayId"]))):
            resources.delete(ctx.txn, kind, resource_id)
    resources.delete(ctx.txn, KIND, gateway["Ipv6GatewayId"])


def view(record: Mapping[str, Any]) -> dict:
    out = {k: v for k, v in resources.wire(record).items() if k != "Tags"}
    out["OwnerId"] = int(record["_owner"])
    out["Tags"] = resources.key_value_tags(record)
    return out


# -- Internet bandwidth ----------------------------------------------------------------------------------------------
def allocate(ctx: Context, gateway_id: str, ipv6_address_id: str, bandwidth: int,
             internet_charge_type: Optional[str]) -> dict:
    gateway = available(ctx, gateway_id)
    if internet_charge_type and internet_charge_type not in CHARGE_TYPES:
        raise BAD_CHARGE_TYPE
    address, _ = address_in_vpc(ctx, ipv6_address_id, gateway["VpcId"])
    if ctx.txn.count(BANDWIDTH, ("ipv6_public", address)):
        raise BANDWIDTH_EXISTS
    bandwidth_id = resources.new_id(BANDWIDTH, ctx.region)
    record = {"Ipv6InternetBandwidthId": bandwidth_id, "Ipv6GatewayId": gateway_id, "Ipv6AddressId": ipv6_address_id,
              "Bandwidth": bandwidth, "InternetChargeType": internet_charge_type or "PayByBandwidth",
              "InstanceChargeType": "PostPaid", "BusinessStatus": "Normal", "_address": address,
              "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return resources.put(ctx.txn, BANDWIDTH, record)


def bandwidth_named(ctx: Context, bandwidth_id: Optional[str], ipv6_address_id: Optional[str]) -> dict:
    """The bandwidth named by its id, or by its address's id."""
    if bandwidth_id:
        return resources.owned(ctx, BANDWIDTH, bandwidth_id, BANDWIDTH_NOT_FOUND)
    address = address_of(ipv6_address_id)
    found = resources.get_many(ctx, BANDWIDTH, ctx.txn.ids(BANDWIDTH, ("ipv6_public", address or "")))
    record = next((r for r in found if resources.is_mine(ctx, r)), None)
    if record is None:
        raise BANDWIDTH_NOT_FOUND
    return record


def bandwidth_of(ctx: Context, address: str) -> Optional[dict]:
    found = resources.get_many(ctx, BANDWIDTH, ctx.txn.ids(BANDWIDTH, ("ipv6_public", address)))
    return next((r for r in found if resources.is_mine(ctx, r)), None)


# -- egress-only rules -----------------------------------------------------------------------------------------------
def create_rule(ctx: Context, gateway_id: str, instance_id: str, instance_type: Optional[str], name: Optional[str],
                description: Optional[str]) -> dict:
    gateway = available(ctx, gateway_id)
    if instance_type and instance_type not in RULE_INSTANCE_TYPES:
        raise BAD_INSTANCE_TYPE
    check_text(name, description)
    address_in_vpc(ctx, instance_id, gateway["VpcId"])
    if any(resources.is_mine(ctx, r) for r in resources.get_many(ctx, RULE, ctx.txn.ids(RULE, ("ipv6_egress",
                                                                                                 instance_id)))):
        raise RULE_EXISTS
    rule_id = resources.new_id(RULE, ctx.region)
    record = {"Ipv6EgressOnlyRuleId": rule_id, "InstanceId": instance_id, "InstanceType": instance_type or
              RULE_INSTANCE_TYPES[0], "Name": name or "", "Description": description or "", "Status": "Creating",
              "_gateway": gateway_id, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return resources.put(ctx.txn, RULE, lifecycle.start(ctx, RULE, rule_id, record, done={"Status": AVAILABLE}))


def delete_rule(ctx: Context, rule_id: str) -> None:
    record = resources.owned(ctx, RULE, rule_id, RULE_NOT_FOUND)
    if record["Status"] != AVAILABLE:
        raise STATUS
    resources.delete(ctx.txn, RULE, rule_id)


# -- IPv6 addresses ----------------------------------------------------------------------------------------------
def _enis_in_vswitch(ctx: Context, vswitch_id: str) -> list[dict]:
    return [r for r in resources.get_many(ctx, interfaces.KIND, ctx.txn.ids(interfaces.KIND,
                                                                            ("ipv6_vswitch", vswitch_id)))
            if r is not None]


def address_holders(ctx: Context, vpc_id: Optional[str], vswitch_id: Optional[str]) -> Iterator[dict]:
    """The caller's ENIs here holding IPv6 addresses: in a vSwitch, a VPC, or all (by the caller's VPCs)."""
    if vswitch_id:
        yield from _enis_in_vswitch(ctx, vswitch_id)
        return
    vpc_ids = [vpc_id] if vpc_id else [r["VpcId"] for r in resources.mine_among(ctx, "vpc", None)]
    for one in vpc_ids:
        for vswitch in vpcs.vswitches_of(ctx, one):
            if vswitch is not None and vswitch.get("_ipv6"):
                yield from _enis_in_vswitch(ctx, vswitch["VSwitchId"])


def address_rows(ctx: Context, eni: Mapping[str, Any], gateways: dict[str, str]) -> list[dict]:
    """DescribeIpv6Addresses' rows of an ENI's addresses (``gateways``: the VPCs' gateway ids, filled as read)."""
    if eni["VpcId"] not in gateways:
        gateway = of_vpc(ctx, eni["VpcId"])
        gateways[eni["VpcId"]] = gateway["Ipv6GatewayId"] if gateway else ""
    on_instance = bool(eni["InstanceId"])
    rows = []
    for address in ipv6.addresses(eni):
        bandwidth = bandwidth_of(ctx, address)
        rows.append({
            "Ipv6AddressId": address_id(eni["_region"], address), "Ipv6Address": address, "Ipv6AddressName": "",
            "Ipv6AddressDescription": "", "VSwitchId": eni["VSwitchId"], "VpcId": eni["VpcId"],
            "Ipv6GatewayId": gateways[eni["VpcId"]],
            "AssociatedInstanceId": eni["InstanceId"] if on_instance else eni["NetworkInterfaceId"],
            "AssociatedInstanceType": "EcsInstance" if on_instance else "NetworkInterface",
            "Status": AVAILABLE, "AddressType": "IPv6Address", "Ipv6Isp": "BGP",
            "NetworkType": "Public" if bandwidth else "Private", "AllocationTime": eni["CreationTime"],
            "RealBandwidth": bandwidth["Bandwidth"] if bandwidth else 0, "ServiceManaged": 0,
            "ResourceGroupId": resource_groups.default_id(eni["_owner"]), "Tags": {"Tag": []},
            "Ipv6InternetBandwidth": {  # (an object on every row: Terraform's data source asserts its type)
                "Ipv6InternetBandwidthId": bandwidth["Ipv6InternetBandwidthId"] if bandwidth else "",
                "Bandwidth": bandwidth["Bandwidth"] if bandwidth else 0,
                "InternetChargeType": bandwidth["InternetChargeType"] if bandwidth else "",
                "InstanceChargeType": bandwidth["InstanceChargeType"] if bandwidth else "",
                "BusinessStatus": bandwidth["BusinessStatus"] if bandwidth else "", "HasReservationData": False}})
    return rows

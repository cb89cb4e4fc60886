"""VPCs and vSwitches as the ECS API (2014-05-26) sees them, and where an instance lands in them.

Records: kind ``vpc`` in the wire shape of ``DescribeVpcsResponseBodyVpcsVpc`` (``VSwitchIds`` is
derived when answering) and kind ``vswitch`` in that of ``DescribeVSwitchesResponseBodyVSwitchesVSwitch``,
each plus ``_owner``, ``_region``, ``_created``; a vSwitch also keeps the allocator of its private
addresses (``_next``: the next never-used host offset, ``_released``: offsets given back).

Instances are indexed by network (:func:`instance_terms`): ``("vpc", id)``, ``("vswitch", id)``,
``("security_group", id)`` for each group, ``("private_ip", "owner|region|ip")`` for the
DescribeInstances address filters, ``("vsw_ip", "vsw|ip")`` / ``("classic_ip", "region|ip")`` so an
address is never handed out twice. DeleteSecurityGroup finds the instances of a group with
``txn.count("instance", ("security_group", id))``.
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import field
from typing import Any, Collection, Mapping, Optional, Sequence

from mockecs.wire.errors import error_kind, missing_parameter
from mockecs.wire.records import record
from mockecs.world import ipv6, regions, resources, security_groups
from mockecs.world.context import Context
from mockecs.world.instance_types import instance_type, zones_selling
from mockecs.world.validation import starts_with_letter

# CreateVpc: the documented default, and the private ranges (and their subnets) a VPC may use.
DEFAULT_VPC_CIDR = "172.16.0.0/12"
VPC_RANGES = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
VPC_MASKS = range(8, 29)  # a VPC's mask is 8 to 28 bits
VSWITCH_MASKS = range(16, 30)  # a vSwitch's mask is 16 to 29 bits
# The first and the last three addresses of a vSwitch are the system's (192.168.1.0, .253, .254, .255 of a /24).
RESERVED_HEAD, RESERVED_TAIL = 1, 3
_NAME = re.compile(r"^[^\W\d_][\w.\-]{1,127}$")  # and starts_with_letter()

RUN, CREATE = "RunInstances", "CreateInstance"
# Documented per launch action: the two actions word some messages (and statuses) differently.
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.", 404)
# A ZoneId other than the vSwitch's: the service answers InvalidVSwitchId.NotFound (seen in the wild:
# alibaba/terraform-provider#349 for CreateInstance with 403, cloud-barista/cb-spider#1299 for RunInstances).
ZONE_MISMATCH = {
    CREATE: error_kind("InvalidVSwitchId.NotFound", "The VSwitchId provided does not exist in our records.", 403),
    RUN: VSWITCH_NOT_FOUND,
}
SECURITY_GROUP_NOT_FOUND = {
    CREATE: error_kind("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.", 404),
    RUN: error_kind("InvalidSecurityGroupId.NotFound", "The SecurityGroupId provided does not exist in our records.",
                    404),
}
# Basic and advanced (enterprise) security groups are not mixed on one instance; each action its own message
MIXED_GROUP_TYPES = {action: error_kind("EnterpriseGroupLimited.MutliGroupType",  # (sic)
                                        f"The specified instance {verb} join multi SecurityGroup types.", 403)
                     for action, verb in (("RunInstances", "can't"), ("CreateInstance", "can not"),
                                          ("ModifyInstanceAttribute", "can not"), ("CreateNetworkInterface", "can't"))}


def check_group_types(groups: list[Mapping[str, Any]], action: str) -> None:
    """Security groups of one instance (or ENI) are all basic (``normal``) or all advanced (``enterprise``)."""
    if len(groups) > 1 and len({g.get("SecurityGroupType") or "normal" for g in groups}) > 1:
        raise MIXED_GROUP_TYPES[action]


GROUP_FULL = {action: error_kind("SecurityGroupInstanceLimitExceed", message, 403) for action, message in (
    ("RunInstances", "Exceeding the allowed amount of instances of a security group."),
    ("CreateInstance", "The maximum number of instances in a security group is exceeded."),
    ("ModifyInstanceAttribute", "The maximum number of instances in a security group is exceeded."))}  # (its "%s")


# An advanced (enterprise) group's capacity counts network interfaces: each operation's documented code (the message
# of ModifyInstanceAttribute's starts with "=", sic).
ENI_COUNT_EXCEEDED = {action: error_kind("InvalidOperation.EniCountExceeded", message, 400) for action, message in (
    ("RunInstances", "The maximum number of eni in a enterprise security group is exceeded."),
    ("CreateInstance", "The maximum number of eni in a enterprise security group is exceeded."),
    ("ModifyInstanceAttribute", "=The maximum number of eni in a enterprise security group is exceeded."),
    ("CreateNetworkInterface", "The maximum number of eni in a enterprise security group is exceeded."))}
ENI_COUNT_EXCEEDED["ModifyNetworkInterfaceAttribute"] = error_kind(
    "InvalidOperation.EniCountExceeded", "The maximum number of eni in a enterprise level security group is exceeded.",
    403)


def check_group_room(ctx: Context, groups: list[Mapping[str, Any]], count: int, action: str) -> None:
    """Each group holds ``count`` more members within its capacity (index counts per group): a basic group's
    instances, an advanced group's network interfaces (its instances' primary ones and the secondary ones in it).
    ``action`` CreateNetworkInterface or ModifyNetworkInterfaceAttribute: advanced groups only [GUESS: a basic
    group's 2,000 are counted in instances]."""
    for group in groups:
        group_id = group["SecurityGroupId"]
        basic = (group.get("SecurityGroupType") or "normal") == "normal"
        if basic and action not in GROUP_FULL:
            continue
        held = ctx.txn.count("instance", ("security_group", group_id))
        if not basic:
            held += ctx.txn.count("network_interface", ("security_group", group_id))  # (interfaces.KIND)
        if held + count > security_groups.capacity(group):
            raise GROUP_FULL[action] if basic else ENI_COUNT_EXCEEDED[action]


GROUP_NETWORK_TYPES = error_kind("InvalidSecurityGroupId.MultiGroupIdNetworkTypeConflict",  # (documented "%s")
                                 "The specified security groups are of different network types (classic and VPC).")
GROUP_NOT_IN_VPC = error_kind("InvalidParameter.Mismatch",
                              "Specified security group and virtual switch are not in the same VPC.", 400)
VSWITCH_NECESSARY = error_kind("InvalidVSwitchId.Necessary", "The VSwitchId is necessary.", 400)
VSWITCH_STATUS = error_kind("IncorrectVSwitchStatus",
                            "The current status of virtual switch does not support this operation.", 400)
VPC_STATUS = {
    CREATE: error_kind("IncorrectVpcStatus", "Current VPC status does not support this operation.", 403),
    RUN: error_kind("IncorrectVpcStatus", "Current VPC status does not support this operation.", 400),
}
VPC_OF_VSWITCH_MISSING = error_kind(
    "VpcNotFound", "Vpc is not found according to the specified VSwitch or the vpc does not belong to you.", 400)
NO_ADDRESSES = error_kind("QuotaExceeded.PrivateIpAddress", "Don't have enough private IPs in this switch.", 400)
ADDRESS_OUTSIDE = error_kind("InvalidPrivateIpAddress",
                             "Specified private IP address is not in the CIDR block of virtual switch.", 400)
ADDRESS_MALFORMED = {
    CREATE: error_kind("InvalidPrivateIpAddress.Malformed", "Specified private IP address is invalid.", 400),
    RUN: error_kind("InvalidPrivateIpAddress.Malformed", "Specified private IP address is malformed.", 400),
}
ADDRESS_TAKEN = {
    CREATE: error_kind("InvalidPrivateIpAddress.Duplicated", "Specified private IP address is duplicated.", 400),
    RUN: error_kind("InvalidPrivateIpAddress.Duplicated", "The specified private IP address is already in use.", 400),
}
# RunInstances' IPv6 codes (documented with a "%s" message: the words are mockecs's)
RUN_IPV6 = ipv6.Errors(
    malformed=error_kind("InvalidIp.Address", "The specified IPv6 address is not valid.", 403),
    repeated=error_kind("InvalidIp.IpRepeated", "The specified IPv6 addresses are repeated.", 403),
    conflict=error_kind("InvalidParam.IpAssign", "Ipv6Address.N and Ipv6AddressCount cannot be specified at the same "
                        "time.", 403),
    too_many=error_kind("InvalidOperation.Ipv6CountExceeded", "A network interface is given at most 10 IPv6 "
                        "addresses at a time.", 403),
    disabled=error_kind("InvalidVSwitch.Ipv6NotTurnOn", "The specified VSwitch does not support IPv6.", 403),
    not_supported=error_kind("InvalidOperation.Ipv6NotSupport", "The specified instance type does not support IPv6 "
                             "addresses.", 403),
    quota=error_kind("MaxEniIpv6IpsCountExceeded", "The IPv6 address count exceeds what the instance type allows per "
                     "network interface (EniIpv6AddressQuantity).", 403),
    outside=error_kind("InvalidVSwitchId.IpInvalid", "The specified IPv6 address is not in the IPv6 CIDR block of the "
                       "vSwitch.", 403),
    taken=error_kind("InvalidIp.IpAssigned", "The specified IPv6 address is already in use.", 403))
ZONE_NOT_FOUND = error_kind("InvalidZoneId.NotFound", "The ZoneId provided does not exist in our records.", 404)
ZONE_DOES_NOT_SELL = error_kind("InvalidInstanceType.ZoneNotSupported",
                                "The specified zone does not support this instancetype.", 403)


# -- CIDR rules -----------------------------------------------------------------------------
def parse_cidr(text: Optional[str]) -> Optional[ipaddress.IPv4Network]:
    """A strict IPv4 CIDR block (``172.16.0.0/24``; not ``172.16.0.1/24``), else None."""
    if not text or "/" not in text:
        return None
    try:
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        return None
    return network if isinstance(network, ipaddress.IPv4Network) else None


def valid_address(text: str) -> bool:
    """A dotted IPv4 address (``172.16.0.5``)."""
    try:
        ipaddress.IPv4Address(text.strip())
    except ValueError:
        return False
    return True


def vpc_cidr_allowed(network: ipaddress.IPv4Network) -> bool:
    return network.prefixlen in VPC_MASKS and any(network.subnet_of(r) for r in VPC_RANGES)


def capacity(network: ipaddress.IPv4Network) -> int:
    """Addresses a vSwitch can hand out (AvailableIpAddressCount of an empty vSwitch)."""
    return max(0, network.num_addresses - RESERVED_HEAD - RESERVED_TAIL)


def valid_name(name: Optional[str]) -> bool:
    """VPC and vSwitch names: 2-128 characters, starting with a letter, no ``http(s)://``."""
    return not name or (starts_with_letter(name) and bool(_NAME.match(name))
                        and not name.lower().startswith(("http://", "https://")))


# -- index terms ------------------------------------------------------------------------------
def vswitch_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("vpc", record["VpcId"])]


def instance_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    vpc = record.get("VpcAttributes") or {}
    terms = []
    if vpc.get("VpcId"):
        terms.append(("vpc", vpc["VpcId"]))
    if vpc.get("VSwitchId"):
        terms.append(("vswitch", vpc["VSwitchId"]))
        terms += [("vsw_ip", f"{vpc['VSwitchId']}|{ip}") for ip in (vpc.get("PrivateIpAddress") or {}).get(
            "IpAddress") or ()]
    inner = (record.get("InnerIpAddress") or {}).get("IpAddress") or ()
    terms += [("classic_ip", f"{record['_region']}|{ip}") for ip in inner]
    for ip in addresses_of(record):
        terms.append(("private_ip", f"{record['_owner']}|{record['_region']}|{ip}"))
    terms += [("security_group", g) for g in (record.get("SecurityGroupIds") or {}).get("SecurityGroupId") or ()]
    return terms


def addresses_of(record: Mapping[str, Any]) -> list[str]:
    """An instance's private (VPC) or inner (classic) addresses."""
    vpc = (record.get("VpcAttributes") or {}).get("PrivateIpAddress") or {}
    return list(vpc.get("IpAddress") or ()) + list((record.get("InnerIpAddress") or {}).get("IpAddress") or ())


def private_ip_term(ctx: Context, ip: str) -> tuple[str, str]:
    return ("private_ip", f"{ctx.account}|{ctx.region}|{ip}")


# -- address allocation ----------------------------------------------------------------------------
def taken(ctx: Context, vswitch_id: str, ip: str) -> bool:
    # (an instance's address, one of an elastic network interface: mockecs.world.interfaces, a NAT gateway's:
    # mockecs.world.nat_gateways, or a HaVip's: mockecs.world.havips)
    term = ("vsw_ip", f"{vswitch_id}|{ip}")
    return any(ctx.txn.count(kind, term) for kind in ("instance", "network_interface", "nat_gateway", "havip"))


def allocate(ctx: Context, action: str, vswitch: dict, count: int, wanted: Optional[str],
             skip: Collection[str] = ()) -> tuple[dict, list[str]]:
    """``count`` free private addresses of ``vswitch`` (``wanted`` for the first, if given; never one of ``skip``,
    taken by the same request and not stored yet) and the vSwitch record with its allocator and
    AvailableIpAddressCount moved on (not stored)."""
    network = ipaddress.ip_network(vswitch["CidrBlock"])
    if vswitch["AvailableIpAddressCount"] < count:
        raise NO_ADDRESSES
    released = list(vswitch.get("_released") or ())
    next_offset = int(vswitch.get("_next") or RESERVED_HEAD)
    last = network.num_addresses - RESERVED_TAIL  # first offset past the usable ones
    out = []
    if wanted:
        try:
            address = ipaddress.IPv4Address(wanted.strip())
        except ValueError:
            raise ADDRESS_MALFORMED[action] from None
        offset = int(address) - int(network.network_address)
        if address not in network or not RESERVED_HEAD <= offset < last:
            raise ADDRESS_OUTSIDE
        if taken(ctx, vswitch["VSwitchId"], str(address)):
            raise ADDRESS_TAKEN[action]
        if offset in released:
            released.remove(offset)
        out.append(str(address))
    while len(out) < count:
        if released:
            offset = released.pop(0)
        elif next_offset < last:
            offset, next_offset = next_offset, next_offset + 1
        else:  # pragma: no cover - AvailableIpAddressCount said there was room
            raise NO_ADDRESSES
        ip = str(network.network_address + offset)
        if ip in out or ip in skip or taken(ctx, vswitch["VSwitchId"], ip):
            continue  # given by an explicit PrivateIpAddress earlier
        out.append(ip)
    updated = {**vswitch, "_next": next_offset, "_released": released,
               "AvailableIpAddressCount": vswitch["AvailableIpAddressCount"] - count}
    return updated, out


def release(ctx: Context, instance: Mapping[str, Any]) -> None:
    """A deleted instance gives its private address back to its vSwitch."""
    vpc = instance.get("VpcAttributes") or {}
    give_back(ctx, vpc.get("VSwitchId"), (vpc.get("PrivateIpAddress") or {}).get("IpAddress") or ())


def give_back(ctx: Context, vswitch_id: Optional[str], ips: Sequence[str]) -> None:
    """Addresses of a deleted instance or network interface (or unassigned from one) return to their vSwitch."""
    vswitch = resources.get(ctx, "vswitch", vswitch_id) if ips else None
    if vswitch is None:
        return
    network = ipaddress.ip_network(vswitch["CidrBlock"])
    offsets = [int(ipaddress.IPv4Address(ip)) - int(network.network_address) for ip in ips]
    resources.put(ctx.txn, "vswitch", {**vswitch, "_released": list(vswitch.get("_released") or ()) + offsets,
                                       "AvailableIpAddressCount": vswitch["AvailableIpAddressCount"] + len(offsets)})


def _classic_ip(ctx: Context, seed: str) -> str:
    """A classic-network inner address (10.x.x.x), unique in the region."""
    for attempt in range(64):
        digest = hashlib.md5(f"{seed}/{attempt}".encode()).digest()
        ip = f"10.{digest[0]}.{digest[1]}.{digest[2] % 253 + 1}"
        if not ctx.txn.count("instance", ("classic_ip", f"{ctx.region}|{ip}")):
            return ip
    raise NO_ADDRESSES  # pragma: no cover - 64 collisions in 16 million addresses


def mac_address(seed: str) -> str:
    """Alibaba Cloud's ENIs carry the 00:16:3e prefix."""
    digest = hashlib.md5(seed.encode()).digest()
    return "00:16:3e:" + ":".join(f"{b:02x}" for b in digest[:3])


def primary_interface(ctx: Context, ip: str, seed: str, ipv6_addresses: Sequence[str] = ()) -> dict:
    return {"NetworkInterfaceId": resources.new_id("network_interface", ctx.region), "Type": "Primary",
            "MacAddress": mac_address(seed), "PrimaryIpAddress": ip,
            "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": ip, "Primary": True, "PrivateDnsName": ""}]},
            "Ipv6Sets": ipv6.sets(ipv6_addresses) if ipv6_addresses else {"Ipv6Set": []},
            "Ipv4PrefixSets": {"Ipv4PrefixSet": []},
            "Ipv6PrefixSets": {"Ipv6PrefixSet": []}}


# -- placement of new instances -------------------------------------------------------------------
@record
class Ipv6Launch:
    """RunInstances' Ipv6Address.N / Ipv6AddressCount: checked against the vSwitch's /64 and the instance type;
    each new instance's primary ENI takes its own (``taken``: those of the instances before it, not stored yet)."""

    network: Any
    vswitch_id: str
    wanted: list[str]
    count: int
    taken: set[str] = field(default_factory=set)

    def take(self, ctx: Context, seed: str) -> list[str]:
        got = ipv6.take(ctx, RUN_IPV6, self.network, self.vswitch_id, seed, self.wanted, self.count, self.taken)
        self.taken.update(got)
        return got


@record
class Placement:
    """Where ``count`` new instances go, and the network fields of each (``fields(index)``)."""

    zone_id: str
    vswitch: Optional[dict] = None
    group_ids: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    ipv6: Optional[Ipv6Launch] = None  # the IPv6 addresses each primary ENI gets

    def fields(self, ctx: Context, index: int, instance_id: str) -> dict:
        if self.vswitch is None:  # classic network
            inner = _classic_ip(ctx, instance_id)
            return {"InstanceNetworkType": "classic", "InnerIpAddress": {"IpAddress": [inner]},
                    "VpcAttributes": {"VpcId": "", "VSwitchId": "", "NatIpAddress": "",
                                      "PrivateIpAddress": {"IpAddress": []}},
                    "NetworkInterfaces": {"NetworkInterface": []},
                    "SecurityGroupIds": {"SecurityGroupId": list(self.group_ids)}}
        ip = self.addresses[index]
        v6 = self.ipv6.take(ctx, instance_id) if self.ipv6 is not None else ()
        return {"InstanceNetworkType": "vpc", "InnerIpAddress": {"IpAddress": []},
                "VpcAttributes": {"VpcId": self.vswitch["VpcId"], "VSwitchId": self.vswitch["VSwitchId"],
                                  "NatIpAddress": "", "PrivateIpAddress": {"IpAddress": [ip]}},
                "NetworkInterfaces": {"NetworkInterface": [primary_interface(ctx, ip, instance_id, v6)]},
                "SecurityGroupIds": {"SecurityGroupId": list(self.group_ids)}}


def _zone_for(ctx: Context, type_id: str, zone_id: Optional[str]) -> str:
    """The zone asked for (it must exist here and sell the type), else the first one that sells it."""
    selling = zones_selling(type_id, ctx.region)
    if zone_id:
        if zone_id not in regions.zone_ids(ctx.region):
            raise ZONE_NOT_FOUND
        if zone_id not in selling:
            raise ZONE_DOES_NOT_SELL
        return zone_id
    if not selling:
        raise ZONE_DOES_NOT_SELL
    return selling[0]


def place(ctx: Context, action: str, type_id: str, zone_id: Optional[str], vswitch_id: Optional[str],
          group_ids: list[str], private_ip: Optional[str], count: int,
          ipv6_asked: Optional[tuple[list[str], int]] = None) -> Placement:
    """Check the network of a launch (vSwitch, security groups, zone, address; ``ipv6_asked``: the IPv6 addresses
    and count each primary ENI gets, see :func:`ipv6.asked`) and reserve the private addresses: the vSwitch record
    is stored with its allocator moved on. Raises before any write."""
    action = CREATE if action == CREATE else RUN
    groups = []
    for group_id in group_ids:
        group = resources.get(ctx, "security_group", group_id)
        if not resources.is_mine(ctx, group):
            raise SECURITY_GROUP_NOT_FOUND[action]
        groups.append(group)
    check_group_types(groups, action)
    if len({bool(g.get("VpcId")) for g in groups}) > 1:  # (SecurityGroupIds.N: classic and VPC groups together)
        raise GROUP_NETWORK_TYPES
    check_group_room(ctx, groups, count, action)
    if not vswitch_id:
        if private_ip or ipv6_asked:
            raise missing_parameter("VSwitchId")
        if any(g.get("VpcId") for g in groups):
            raise VSWITCH_NECESSARY
        return Placement(_zone_for(ctx, type_id, zone_id), None, list(group_ids))
    vswitch = resources.get(ctx, "vswitch", vswitch_id)
    if vswitch is None or not resources.is_mine(ctx, vswitch):
        raise VSWITCH_NOT_FOUND
    if zone_id and zone_id != vswitch["ZoneId"]:
        raise ZONE_MISMATCH[action]
    vpc = resources.get(ctx, "vpc", vswitch["VpcId"])
    if vpc is None:
        raise VPC_OF_VSWITCH_MISSING
    if vpc["Status"] != "Available":
        raise VPC_STATUS[action]
    if vswitch["Status"] != "Available":
        raise VSWITCH_STATUS
    if any(g.get("VpcId") != vswitch["VpcId"] for g in groups):
        raise GROUP_NOT_IN_VPC
    zone = _zone_for(ctx, type_id, vswitch["ZoneId"])
    v6 = _ipv6_launch(ctx, type_id, vswitch, *ipv6_asked) if ipv6_asked else None
    updated, addresses = allocate(ctx, action, vswitch, count, private_ip)
    resources.put(ctx.txn, "vswitch", updated)
    return Placement(zone, updated, list(group_ids), addresses, v6)


def _ipv6_launch(ctx: Context, type_id: str, vswitch: Mapping[str, Any], wanted: list[str], count: int) -> Ipv6Launch:
    network = ipv6.check(RUN_IPV6, vswitch, ipv6.quota(instance_type(type_id) or {}), 0,
                         len(wanted) + count)
    if wanted:  # (the addresses named: checked now, before any write)
        ipv6.take(ctx, RUN_IPV6, network, vswitch["VSwitchId"], "", wanted, 0)
    return Ipv6Launch(network, vswitch["VSwitchId"], wanted, count)



"""IPv6 addresses of elastic network interfaces in vSwitches that have an IPv6 /64.

A vSwitch's /64 is the VPC API's (CreateVSwitch ``Ipv6CidrBlock``, kept as ``_ipv6`` on the shared vSwitch record:
:mod:`mockecs.ops.vpc_networks`). An ENI record lists its addresses in ``Ipv6Sets`` (only when it holds some: the
records of everything else stay as they were) and carries an index term per address, ``("vsw_ip", "vsw|address")``
as for its private IPv4 addresses (an IPv6 text never equals an IPv4 one), so whether an address is taken is a
count, never a scan; the addresses go back with the record (Unassign rewrites it, a deletion drops it).

Addresses are kept in their canonical compressed form (``2408:4000::1``, lower case). New ones are spread over the
/64 as the service's look (``2408:4321:180:1701:94c7:bc38:3bfa:xxxx``): the host part is a hash of a seed (the ENI or
instance id) and an attempt number, stable for a given seed, skipping the /64's own address and any taken one.
"""
from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from typing import Any, Collection, Mapping, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.records import record
from mockecs.world.context import Context

MAX_PER_REQUEST = 10  # Ipv6AddressCount / Ipv6Address.N: 1 to 10 (documented for every action taking them)
MAX_AVAILABLE = 10  # IPv6 addresses of an ENI not attached to an instance (documented)
QUOTA_FIELD = "EniIpv6AddressQuantity"  # per ENI, of an instance type (DescribeInstanceTypes)
# A VPC without an IPv6 block where one is needed (a vSwitch's /64, an IPv6 gateway): the VPC API documents no code
# for it, [GUESS] this one.
VPC_NOT_ENABLED = error_kind("OperationFailed.VpcNotEnabledIpv6", "The VPC has not enabled IPv6.", 400)


@record(frozen=True)
class Errors:
    """The codes one action answers (each documents its own)."""

    malformed: type[EcsError]  # not an IPv6 address
    repeated: type[EcsError]  # one address twice in the request
    conflict: type[EcsError]  # both Ipv6Address.N and Ipv6AddressCount
    too_many: type[EcsError]  # more than MAX_PER_REQUEST in one request
    disabled: type[EcsError]  # the vSwitch has no IPv6 block
    not_supported: type[EcsError]  # the instance type holds none
    quota: type[EcsError]  # more than the ENI may hold
    outside: type[EcsError]  # an address not in the vSwitch's /64
    taken: type[EcsError]  # an address another ENI (or this one) holds


def canonical(text: str) -> Optional[str]:
    """An IPv6 address in its compressed form, or None when ``text`` is not one."""
    try:
        return str(ipaddress.IPv6Address(text.strip()))
    except ValueError:
        return None


def asked(errors: Errors, addresses: Optional[list[str]], count: Optional[int]) -> list[str]:
    """The addresses a request names (canonical), refused as documented: both ways at once, malformed, repeated."""
    if addresses and count:
        raise errors.conflict
    wanted = [canonical(a) for a in addresses or ()]
    if None in wanted:
        raise errors.malformed
    if len(set(wanted)) != len(wanted):
        raise errors.repeated
    return wanted  # type: ignore[return-value]


def block(vswitch: Mapping[str, Any]) -> Optional[ipaddress.IPv6Network]:
    text = vswitch.get("_ipv6")
    return _network(text) if text else None


@lru_cache(maxsize=256)
def _network(text: str) -> ipaddress.IPv6Network:  # (parsing one costs more than the rest of a take)
    return ipaddress.IPv6Network(text)


def addresses(record: Mapping[str, Any]) -> list[str]:
    """The IPv6 addresses an ENI record (or an instance's ``NetworkInterfaces`` entry) holds."""
    held = record.get("Ipv6Sets")
    return [s["Ipv6Address"] for s in held["Ipv6Set"]] if held else []


def sets(ips: Collection[str]) -> dict:
    """``Ipv6Sets`` as DescribeNetworkInterfaces and DescribeInstances show them: the metadata's one field and the
    SDK model's ``Primary`` (no address is made primary: mockecs does not model primary IPv6 addresses [GUESS])."""
    return {"Ipv6Set": [{"Ipv6Address": ip, "Primary": False} for ip in ips]}


def quota(itype: Optional[Mapping[str, Any]]) -> int:
    """How many IPv6 addresses an ENI holds at most: its instance type's, or the documented 10 when Available."""
    return int(itype.get(QUOTA_FIELD) or 0) if itype is not None else MAX_AVAILABLE


def check_held(most: int, held: int, not_supported: type[EcsError], exceeded: type[EcsError]) -> None:
    """An ENI holding ``held`` addresses may belong to an instance type allowing ``most`` per ENI
    (AttachNetworkInterface, ModifyInstanceSpec)."""
    if held and not most:
        raise not_supported
    if held > most:
        raise exceeded


def check(errors: Errors, vswitch: Mapping[str, Any], most: int, held: int, asking: int) -> ipaddress.IPv6Network:
    """An ENI holding ``held`` addresses of at most ``most`` may take ``asking`` more from ``vswitch``: its /64."""
    if not most:
        raise errors.not_supported
    if held + asking > most:
        raise errors.quota
    if asking > MAX_PER_REQUEST:
        raise errors.too_many
    network = block(vswitch)
    if network is None:
        raise errors.disabled
    return network


def _taken(ctx: Context, vswitch_id: str, ip: str) -> bool:
    return bool(ctx.txn.count("network_interface", ("vsw_ip", f"{vswitch_id}|{ip}")))


def take(ctx: Context, errors: Errors, network: ipaddress.IPv6Network, vswitch_id: str, seed: str,
         wanted: list[str], count: int, skip: Collection[str] = ()) -> list[str]:
    """``wanted`` (checked: in the /64, free) then ``count`` free addresses of the vSwitch's ``network``; never one
    of ``skip`` (taken earlier in the same request, not stored yet). Nothing is written: the addresses are taken
    when the ENI record holding them is stored."""
    out = []
    for ip in wanted:
        address = ipaddress.IPv6Address(ip)
        if address not in network or address == network.network_address:
            raise errors.outside
        if ip in skip or _taken(ctx, vswitch_id, ip):
            raise errors.taken
        out.append(ip)
    attempt = 0
    while len(out) < len(wanted) + count:
        digest = hashlib.md5(f"{seed}/{attempt}".encode()).digest()
        attempt += 1
        host = int.from_bytes(digest[:8], "big")
        ip = str(network.network_address + host)
        if host and ip not in out and ip not in skip and not _taken(ctx, vswitch_id, ip):
            out.append(ip)
    return out


def in_use(ctx: Context, vswitch_id: str) -> bool:
    """Whether an ENI holds an address of the vSwitch's /64."""
    return bool(ctx.txn.count("network_interface", ("ipv6_vswitch", vswitch_id)))

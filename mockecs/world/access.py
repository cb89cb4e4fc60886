"""What reaches an instance from outside: its SSH key pair, its security groups, its public addresses.

Shared by the key pair, security group and address operations and by the instance operations that
launch and release instances. Instances carry ``KeyPairName``, ``SecurityGroupIds.SecurityGroupId``,
``PublicIpAddress.IpAddress`` and ``EipAddress``; :func:`instance_terms` indexes the key pair and public
addresses (the groups are indexed as ``("security_group", id)`` by :mod:`mockecs.world.networks`), so "is this
key pair / security group still used" and "is this address taken" never scan.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.state.store import Term
from mockecs.world import ids, resources
from mockecs.world.context import Context

KEY_PAIR, SECURITY_GROUP, EIP = "key_pair", "security_group", "eip"

# First two octets of address blocks Alibaba Cloud announces for ECS public IPs and EIPs (plausible, not a list).
_PUBLIC_BLOCKS = ((47, 96), (47, 98), (47, 99), (47, 110), (47, 114), (47, 118), (120, 26), (120, 55),
                  (121, 40), (121, 41), (114, 55), (118, 31), (39, 96), (39, 98), (8, 130), (8, 136))


def quota_reached(ctx: Context, kind: str, option: str) -> bool:
    """Whether the caller already has as many ``kind`` records in this region as option ``option`` allows."""
    return ctx.txn.count(kind, resources.owner_region(ctx.account, ctx.region)) >= ctx.config.options[option]


# -- key pairs: named per account and region --------------------------------------------------
def key_pair_term(account: str, region: str, name: str) -> Term:
    return ("key_pair_name", f"{account}|{region}|{name}")


def key_pair_terms(record: Mapping[str, Any]) -> list[Term]:
    # (the text term serves DescribeKeyPairs' wildcards: the index finds the names holding a piece)
    return [key_pair_term(record["_owner"], record["_region"], record["KeyPairName"]),
            resources.own_text(record, "name", "KeyPairName")]


resources.TERMS[KEY_PAIR] = key_pair_terms
# DescribeKeyPairs lists by (CreationTime, KeyPairName); CreationTime is fixed width, names are unique per
# account and region, so the joined string orders exactly like that pair.
resources.ORDER[KEY_PAIR] = lambda record: f"{record['CreationTime']} {record['KeyPairName']}"


def key_pair(ctx: Context, name: Optional[str]) -> Optional[dict]:
    """The caller's key pair ``name`` in the request's region, or None."""
    if not name:
        return None
    for key_pair_id in ctx.txn.ids(KEY_PAIR, key_pair_term(ctx.account, ctx.region, name)):
        return resources.get(ctx, KEY_PAIR, key_pair_id)
    return None


def instances_with_key_pair(ctx: Context, name: str) -> set[str]:
    return ctx.txn.ids("instance", key_pair_term(ctx.account, ctx.region, name))


# -- public addresses ---------------------------------------------------------------------------
def ip_term(address: str) -> Term:
    return ("public_ip", address)


def eip_terms(record: Mapping[str, Any]) -> list[Term]:
    terms = [ip_term(record["IpAddress"])]
    if record.get("InstanceId"):
        terms.append(("instance", record["InstanceId"]))
    return terms


resources.TERMS[EIP] = eip_terms


def address_taken(ctx: Context, address: str) -> bool:
    return bool(ctx.txn.ids(EIP, ip_term(address)) or ctx.txn.ids("instance", ip_term(address)))


def new_public_ip(ctx: Context) -> str:
    """A plausible public IPv4 address no EIP or instance of any account holds."""
    while True:
        draw = ids.source()
        first, second = draw.choice(_PUBLIC_BLOCKS)
        address = f"{first}.{second}.{draw.randrange(256)}.{draw.randrange(254) + 1}"
        if not address_taken(ctx, address):
            return address


def instances_at(ctx: Context, public_ips: Optional[list[str]], eip_ips: Optional[list[str]]) -> Optional[set[str]]:
    """DescribeInstances' PublicIpAddresses / EipAddresses filters (both given: both apply): the ids of the
    instances holding those addresses, through the index; None when neither filter is given."""
    sets: list[set[str]] = []
    if public_ips is not None:
        sets.append(set().union(*(ctx.txn.ids("instance", ip_term(a)) for a in public_ips)))
    if eip_ips is not None:
        eips = (resources.get(ctx, EIP, i) for a in eip_ips for i in ctx.txn.ids(EIP, ip_term(a)))
        sets.append({e["InstanceId"] for e in eips if e is not None and e.get("InstanceId")})
    return set.intersection(*sets) if sets else None


# -- instances ------------------------------------------------------------------------------------
def instance_terms(record: Mapping[str, Any]) -> list[Term]:
    """Index terms of an instance for what this module tracks: key pair, public IP (its security groups are
    indexed with its network, :func:`mockecs.world.networks.instance_terms`)."""
    terms: list[Term] = []
    if record.get("KeyPairName"):
        terms.append(key_pair_term(record["_owner"], record["_region"], record["KeyPairName"]))
    for address in (record.get("PublicIpAddress") or {}).get("IpAddress") or ():
        terms.append(ip_term(address))
    return terms


NO_EIP = {"AllocationId": "", "IpAddress": "", "Bandwidth": 0, "InternetChargeType": "", "IsSupportUnassociate": False}

"""ECS prefix lists: named sets of CIDR blocks of one address family that security group rules name instead of an
address range (``SourcePrefixListId`` / ``DestPrefixListId``).

Records (kind ``prefix_list``, ids ``pl-...``) carry the fields of DescribePrefixLists' and
DescribePrefixListAttributes' answers (``Entries`` in the second's shape) plus ``_owner``, ``_region`` and
``_created``. A list is indexed by its name and its address family among its owner's lists in its region, so the
filters of DescribePrefixLists are index lookups; the security groups whose rules name a list carry the term
:func:`used_by` (kept by :mod:`mockecs.ops.security_groups`), so a list's associations are counted and paged from
the index, never by reading groups.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Mapping, Optional

from mockecs.state.store import Term, Transaction
from mockecs.world import resources

KIND = "prefix_list"
GROUP_KIND = "security_group"  # (the kind whose rules use prefix lists: the only associated resource type)
FAMILIES = {"IPv4": 4, "IPv6": 6}


def name_term(account: str, region: str, name: str) -> Term:
    return ("prefix_list_name", f"{account}|{region}|{name}")


def family_term(account: str, region: str, family: str) -> Term:
    return ("prefix_list_family", f"{account}|{region}|{family}")


def _terms(record: Mapping[str, Any]) -> list[Term]:
    owner, region = record["_owner"], record["_region"]
    return [name_term(owner, region, record["PrefixListName"]), family_term(owner, region, record["AddressFamily"])]


resources.TERMS[KIND] = _terms
# Listed in creation order, oldest first [GUESS: the documentation does not say].
resources.ORDER[KIND] = lambda record: resources.time_key(record.get("_created", 0.0))


def used_by(prefix_list_id: str) -> Term:
    """The index term of the security groups with a rule naming the prefix list."""
    return ("prefix_list", prefix_list_id)


def association_count(txn: Transaction, prefix_list_id: str) -> int:
    return txn.count(GROUP_KIND, used_by(prefix_list_id))


def cidr(value: str, family: str) -> Optional[str]:
    """An entry's CIDR block in the service's form, None when it is not one of ``family``: a bare address is its /32
    (/128), IPv6 is written compressed in lower case (documented); host bits set are refused (documented: the
    standard form)."""
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None
    if network.version != FAMILIES[family]:
        return None
    return network.with_prefixlen


def entries(record: Mapping[str, Any]) -> list[dict]:
    return list(record["Entries"]["Entry"])


def family_of(record: Mapping[str, Any]) -> int:
    """4 or 6: the IP version of a list's entries."""
    return FAMILIES[record["AddressFamily"]]

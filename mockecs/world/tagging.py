"""The tags of an account's resources as ordered index terms, so that the tag listings (DescribeTags,
DescribeResourceByTags, ListTagResources) answer a page and its TotalCount from the store's ordered
index and counts, whatever the number of resources (see :mod:`mockecs.ops.tags`).

- A tagged resource's record carries terms of its own account and region, named with
  :data:`mockecs.state.store.BY_ID` so that they list resources in id order (the order of the tag
  listings) whatever the kind's sort key: every tagged resource (``@tagged``), per tag ``key=value``
  (``@tag``), per key (``@tagkey``). :func:`mockecs.world.resources.terms_for` adds them.
- ``tag_pair``: one record per distinct (TagKey, TagValue) of an account in a region, naming the types
  of the resources that carry it (how many: the count of the ``@tag`` term of that pair in that kind).
  Its id starts with the key and the value, so its terms list pairs in (TagKey, TagValue) order: every
  pair, per type present, per key (each also per type). It is written when a type starts or stops
  carrying the pair, not for every resource tagged.

Term values and ids join their parts with ``\\x01`` (a character no id, name, key or value of the API
holds, and one that sorts before any that they do: ``("ab", ...)`` comes before ``("abc", ...)``, as in
Python).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from mockecs.state.store import BY_ID, Term, Transaction

PAIR = "tag_pair"
# Kinds only the VPC API's tag operations tag (TagResources of vpc.aliyuncs.com): their pairs are listed under
# their own type, never among an account's pairs of every type (ECS's DescribeTags, which lists ECS's types).
VPC_TYPES = {"eip": "eip", "vpc": "vpc", "vswitch": "vswitch", "nat_gateway": "natgateway", "route_table": "routetable",
             "dhcp_options_set": "dhcpoptionsset", "ipv6_gateway": "ipv6gateway", "havip": "havip"}
# store kind -> ResourceType (as the tag operations name it), for the kinds that can be tagged
TYPES = {"disk": "disk", "image": "image", "instance": "instance", "key_pair": "keypair",
         "network_interface": "eni", "security_group": "securitygroup", "snapshot": "snapshot",
         "snapshot_policy": "snapshotpolicy", "launch_template": "launchtemplate", "dedicated_host": "ddh",
         "dedicated_host_cluster": "ddhcluster", "capacity_reservation": "capacityreservation",
         "elasticity_assurance": "elasticityassurance", "reserved_instance": "reservedinstance",
         "activation": "activation", "managed_instance": "managedinstance", **VPC_TYPES}
# Types whose pairs are listed only under their own type: the VPC API's, and Cloud Assistant's, which the older
# ECS tag listings (DescribeTags: every type) do not count.
APART = {*VPC_TYPES, "activation", "managedinstance"}  # (type names: the kinds' own names there)
KIND_OF = {type_name: kind for kind, type_name in TYPES.items()}
SEP = "\x01"


def _join(*parts: str) -> str:
    return SEP.join(parts)


def scope(account: str, region: str) -> str:
    return _join(account, region)


def _tags(record: Optional[Mapping[str, Any]]) -> list[dict]:
    return list(((record or {}).get("Tags") or {}).get("Tag") or ())


# -- terms ---------------------------------------------------------------------------------
def tagged_term(where: str) -> Term:
    """Every tagged resource (of a kind) of an account in a region, in id order."""
    return BY_ID + "tagged", where


def tag_term(where: str, key: str, value: Optional[str]) -> Term:
    """Tagged resources (of a kind) carrying ``key`` (with ``value``; None: any value), in id order."""
    if value is None:
        return BY_ID + "tagkey", _join(where, key)
    return BY_ID + "tag", _join(where, key, value)


def terms(record: Mapping[str, Any]) -> list[Term]:
    """The tag index terms of a record of a taggable kind (none when it carries no tag)."""
    tags = _tags(record)
    if not tags:
        return []
    where = scope(record["_owner"], record["_region"])
    out = [tagged_term(where)]
    for tag in tags:
        out += [tag_term(where, tag["TagKey"], tag["TagValue"]), tag_term(where, tag["TagKey"], None)]
    return out


def pairs_term(where: str, type_name: Optional[str] = None, key: Optional[str] = None) -> Term:
    """Distinct tag pairs of an account in a region (on resources of one type; under one key)."""
    name = "pairs" + ("key" if key is not None else "") + ("_type" if type_name is not None else "")
    parts = ((type_name,) if type_name is not None else ()) + (where,) + ((key,) if key is not None else ())
    return name, _join(*parts)


def pair_id(where: str, key: str, value: str) -> str:
    return _join(key, value, where)


def _pair_terms(where: str, key: str, types: Iterable[str]) -> list[Term]:
    types = list(types)
    ecs = any(type_name not in APART for type_name in types)
    out = [pairs_term(where), pairs_term(where, key=key)] if ecs else []
    for type_name in types:
        out += [pairs_term(where, type_name), pairs_term(where, type_name, key)]
    return out


# -- upkeep of the pairs -----------------------------------------------------------------------
def carried(txn: Transaction, kind: str, record: Mapping[str, Any]) -> None:
    """After ``record`` (of a taggable kind) is written: each of its pairs is known to be on its type."""
    tags = _tags(record)
    if not tags or "_owner" not in record or "_region" not in record:
        return
    where, type_name = scope(record["_owner"], record["_region"]), TYPES[kind]
    pairs = list(dict.fromkeys((t["TagKey"], t["TagValue"]) for t in tags))
    found = txn.get_many(PAIR, [pair_id(where, *pair) for pair in pairs])
    for pair, stored in zip(pairs, found):
        if stored is None or type_name not in stored["Types"]:
            _set_types(txn, where, pair, set((stored or {}).get("Types") or ()) | {type_name})


def leaving(txn: Transaction, kind: str, old: Optional[Mapping[str, Any]],
            new: Optional[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Before ``old`` is replaced by ``new`` (None: deleted): its pairs that no other resource of its kind
    carries (counted before the write: a networked store then counts what it holds)."""
    if old is None or "_owner" not in old or "_region" not in old:
        return []
    where = scope(old["_owner"], old["_region"])
    kept = {(t["TagKey"], t["TagValue"]) for t in _tags(new)}
    going = [pair for pair in dict.fromkeys((t["TagKey"], t["TagValue"]) for t in _tags(old)) if pair not in kept]
    counts = txn.counts(kind, [tag_term(where, *pair) for pair in going]) if going else []
    return [pair for pair, count in zip(going, counts) if count <= 1]


def gone(txn: Transaction, kind: str, old: Mapping[str, Any], pairs: list[tuple[str, str]]) -> None:
    """After the write :func:`leaving` was asked about: those pairs are no longer on ``old``'s type."""
    if not pairs:
        return
    where, type_name = scope(old["_owner"], old["_region"]), TYPES[kind]
    for pair, stored in zip(pairs, txn.get_many(PAIR, [pair_id(where, *pair) for pair in pairs])):
        if stored is not None and type_name in stored["Types"]:
            _set_types(txn, where, pair, set(stored["Types"]) - {type_name})


def _set_types(txn: Transaction, where: str, pair: tuple[str, str], types: set[str]) -> None:
    key, value = pair
    id = pair_id(where, key, value)
    if not types:
        txn.delete(PAIR, id)
    else:
        names = sorted(types)  # (one order for the record and its terms, whatever the set's)
        txn.put(PAIR, id, {"TagKey": key, "TagValue": value, "Types": names}, _pair_terms(where, key, names))


def clear(txn: Transaction) -> None:
    """Drop every pair record (a reindex writes them again from the records)."""
    for id, _ in txn.scan(PAIR):
        txn.delete(PAIR, id)

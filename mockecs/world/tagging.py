"""The tags of an account's resources as ordered index records, so that the tag listings (DescribeTags,
DescribeResourceByTags, ListTagResources) answer a page and its TotalCount from the store's ordered
index and counts, whatever the number of resources (see :mod:`mockecs.ops.tags`).

Two kinds, kept in step with the resources by :func:`mockecs.world.resources.put` / ``delete``:

- ``tagged``: one record per resource that carries a tag (``ResourceType``, ``ResourceId``, its store
  id, its tags in their order, its ResourceGroupId). Its id starts with the ResourceType and the
  ResourceId, and it has no sort key, so every term lists resources in (ResourceType, ResourceId)
  order. Terms (all within one account and region): every tagged resource, per type, per tag
  ``key=value``, per tag key, each also per type.
- ``tag_pair``: one record per distinct (TagKey, TagValue) of an account in a region, with the number
  of resources of each type that carry it. Its id starts with the key and the value, so its terms
  list pairs in (TagKey, TagValue) order: every pair, per type present, per key (each also per type).

Term values join their parts with ``\\x01`` (a character no id, name, key or value of the API holds, and
one that sorts before any that they do: ``("ab", ...)`` comes before ``("abc", ...)``, as in Python).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from mockecs.state.store import Term, Transaction

TAGGED, PAIR = "tagged", "tag_pair"
# store kind -> ResourceType (as the tag operations name it), for the kinds that can be tagged
TYPES = {"disk": "disk", "image": "image", "instance": "instance", "key_pair": "keypair",
         "security_group": "securitygroup", "snapshot": "snapshot"}
TYPE_NAMES = tuple(sorted(TYPES.values()))
SEP = "\x01"


def _join(*parts: str) -> str:
    return SEP.join(parts)


def scope(account: str, region: str) -> str:
    return _join(account, region)


def resource_id_of(kind: str, record: Mapping[str, Any], store_id: str) -> str:
    """The ResourceId the tag operations answer (a key pair's is its name)."""
    return record["KeyPairName"] if kind == "key_pair" else store_id


# -- terms ---------------------------------------------------------------------------------
def tagged_term(where: str, type_name: Optional[str] = None) -> Term:
    """Every tagged resource of an account in a region (of one type)."""
    return ("tagged", where) if type_name is None else ("tagged_type", _join(type_name, where))


def tag_term(where: str, key: str, value: Optional[str], type_name: Optional[str] = None) -> Term:
    """Tagged resources carrying ``key`` (with ``value``; None: any value)."""
    name = "tag" if value is not None else "tagkey"
    parts = (key, value) if value is not None else (key,)
    if type_name is None:
        return name, _join(where, *parts)
    return name + "_type", _join(type_name, where, *parts)


def pairs_term(where: str, type_name: Optional[str] = None, key: Optional[str] = None) -> Term:
    """Distinct tag pairs of an account in a region (on resources of one type; under one key)."""
    name = "pairs" + ("key" if key is not None else "") + ("_type" if type_name is not None else "")
    parts = ((type_name,) if type_name is not None else ()) + (where,) + ((key,) if key is not None else ())
    return name, _join(*parts)


def pair_id(where: str, key: str, value: str) -> str:
    return _join(key, value, where)


def _entry_terms(where: str, type_name: str, tags: list[dict]) -> list[Term]:
    terms = [tagged_term(where), tagged_term(where, type_name)]
    for tag in tags:
        key, value = tag["TagKey"], tag["TagValue"]
        terms += [tag_term(where, key, value), tag_term(where, key, value, type_name),
                  tag_term(where, key, None), tag_term(where, key, None, type_name)]
    return terms


def _pair_terms(where: str, key: str, counts: Mapping[str, int]) -> list[Term]:
    terms = [pairs_term(where), pairs_term(where, key=key)]
    for type_name in counts:
        terms += [pairs_term(where, type_name), pairs_term(where, type_name, key)]
    return terms


# -- upkeep ----------------------------------------------------------------------------------
def update(txn: Transaction, kind: str, record: Optional[Mapping[str, Any]], store_id: str,
           old: Optional[Mapping[str, Any]] = None) -> None:
    """Bring the index in step with ``record`` (None: deleted; ``old``: the record it replaces, when
    the caller does not know whether it was tagged)."""
    type_name = TYPES.get(kind)
    base = record if record is not None else old
    if type_name is None or base is None or "_owner" not in base or "_region" not in base:
        return
    tags = list((record.get("Tags") or {}).get("Tag") or ()) if record is not None else []
    if not tags and old is None and record is not None:
        return  # (never tagged: nothing indexed; tag operations pass ``old``)
    where = scope(base["_owner"], base["_region"])
    entry_id = _join(type_name, resource_id_of(kind, base, store_id), where)
    before = txn.get(TAGGED, entry_id)
    after = {"ResourceType": type_name, "ResourceId": resource_id_of(kind, base, store_id), "Id": store_id,
             "Tags": [{"TagKey": t["TagKey"], "TagValue": t["TagValue"]} for t in tags],
             "ResourceGroupId": base.get("ResourceGroupId")} if tags else None
    if before == after:
        return
    if after is None:
        txn.delete(TAGGED, entry_id)
    else:
        txn.put(TAGGED, entry_id, after, _entry_terms(where, type_name, tags))
    old_pairs = {(t["TagKey"], t["TagValue"]) for t in (before or {}).get("Tags") or ()}
    new_pairs = {(t["TagKey"], t["TagValue"]) for t in tags}
    for pair in old_pairs - new_pairs:
        _count(txn, where, pair, type_name, -1)
    for pair in new_pairs - old_pairs:
        _count(txn, where, pair, type_name, 1)


def _count(txn: Transaction, where: str, pair: tuple[str, str], type_name: str, step: int) -> None:
    key, value = pair
    id = pair_id(where, key, value)
    record = txn.get(PAIR, id)
    counts = dict((record or {}).get("Counts") or {})
    counts[type_name] = counts.get(type_name, 0) + step
    counts = {t: n for t, n in sorted(counts.items()) if n > 0}
    if not counts:
        txn.delete(PAIR, id)
    else:
        txn.put(PAIR, id, {"TagKey": key, "TagValue": value, "Counts": counts}, _pair_terms(where, key, counts))


def rebuild(txn: Transaction, records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
    """Index ``(kind, store id, record)`` from scratch (a migration, an import), dropping what was."""
    for kind in (TAGGED, PAIR):
        for id, _ in txn.scan(kind):
            txn.delete(kind, id)
    for kind, store_id, record in records:
        update(txn, kind, record, store_id)

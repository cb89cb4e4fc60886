"""TagResources, UntagResources, ListTagResources (spec §3.17); the older AddTags, RemoveTags, DescribeTags,
DescribeResourceByTags; JoinResourceGroup (the same ResourceType -> kind mapping).

Tags live in the tagged record itself (wire ``Tags.Tag[] {TagKey, TagValue}``, so
DescribeImages/DescribeSnapshots/... show them) and in its index terms (``tag`` = "key=value",
``tagkey`` = key, kept in sync by :func:`mockecs.world.resources.put`): lookups by tag never scan.
Only the caller's own records in the request's region can be tagged or listed; catalog
(system, marketplace, community) images are not records of the caller and are "not found".
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.state.store import Term
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, I, Repeat, S, Structs
from mockecs.world import access, images, managed_instances, paging, resource_groups, resources, tagging

# ResourceType -> store kind, for the resources mockecs keeps.
KINDS = {"image": "image", "snapshot": "snapshot", "instance": "instance", "disk": "disk",
         "securitygroup": access.SECURITY_GROUP, "keypair": access.KEY_PAIR, "eni": "network_interface",
         "snapshotpolicy": "snapshot_policy", "launchtemplate": "launch_template", "ddh": "dedicated_host",
         "ddhcluster": "dedicated_host_cluster", "capacityreservation": "capacity_reservation",
         "elasticityassurance": "elasticity_assurance", "reservedinstance": "reserved_instance",
         "activation": managed_instances.ACTIVATION, "managedinstance": managed_instances.MANAGED}
# Documented types mockecs keeps no records of: valid types whose ids are simply never found.
OTHER_TYPES = ("volume", "command", "invocation")
RESOURCE_GROUP_KEY = "acs:rm:rgId"

NOT_FOUND = error_kind("InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.", 404)
# An image the caller sees but does not own (public, Marketplace, community, shared with them) exists
# and is not theirs to tag: the service's answer for such a resource.
NOT_SUPPORTED = error_kind("InvalidResourceId.NotSupported", "The specified ResourceId does not support tagging.", 403)
DEFAULT_GROUP = error_kind("InvalidDefaultResourceGroup.NotSupported",
                           "The specified parameter Tag is not support for default resource group.", 400)
_MISSING_TYPE = ("MissingParameter.ResourceType", "The parameter - ResourceType should not be null.", 404)
_MISSING_IDS = ("MissingParameter.ResourceIds", "The parameter - ResourceIds.N should not be null.", 404)
_MISSING_TAGS = ("MissingParameter.Tags", "The parameter - Tags should not be null.", 404)
_TAG = Structs("Tag", [S("Key"), S("Value")])
# The tag operations document their own region errors (Appendix A): both 404, with these messages.
# RegionId is declared optional so that its absence reaches the handler (see _require_region).
_REGION_ERROR = ("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records.")


def _without_period(error: tuple[str, str, int]) -> tuple[str, str, int]:
    """UntagResources documents its MissingParameter.* messages without the final period."""
    return error[0], error[1].rstrip("."), error[2]


def _require_region(ctx: Context) -> None:
    if not ctx.params.get("RegionId"):
        # UntagResources documents its MissingParameter.* messages without the final period.
        period = "" if ctx.action == "UntagResources" else "."
        raise EcsError("MissingParameter.RegionId", f"The parameter - RegionId should not be null{period}", 404)


def number_exceeded(what: str, limit: int, period: bool = True) -> EcsError:
    # The documented messages differ by one trailing period between operations.
    return EcsError(f"NumberExceed.{what}", f"The {what} parameter's number is exceed , Valid : {limit}"
                    + ("." if period else ""), 400)


def _kind(resource_type: str) -> Optional[str]:
    """The store kind for a ResourceType (None: a documented type mockecs keeps nothing of)."""
    name = resource_type.strip().lower()
    if name in KINDS:
        return KINDS[name]
    if name in OTHER_TYPES:
        return None
    raise EcsError("InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.", 404)


# -- tag rules (spec §2.5, metadata) -----------------------------------------------------
def check_case_duplicates(tags: list[dict], existing: Iterable[str] = ()) -> list[dict]:
    """Refuse keys equal except for case (among ``tags`` and with ``existing`` keys): 403 TagKey.Duplication."""
    seen = {key.lower(): key for key in existing}
    for tag in tags:
        key = tag["TagKey"]
        other = seen.get(key.lower())
        if other is not None and other != key:
            raise EcsError("TagKey.Duplication", "The TagKey has duplication with others, case-insensitive.", 403)
        seen[key.lower()] = key
    return tags


def _bad_url(text: str) -> bool:
    lowered = text.lower()
    return "http://" in lowered or "https://" in lowered


def check_tags(tags: list[dict]) -> list[dict]:
    """``[{'key','value'}]`` of a TagResources call -> wire tags; keys required, values may be ""."""
    out: list[dict] = []
    seen: set[str] = set()
    for tag in tags:
        key, value = tag.get("key") or "", tag.get("value") or ""
        if not key or len(key) > 128 or key.lower().startswith(("aliyun", "acs:")) or _bad_url(key):
            raise EcsError("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.", 400)
        if len(value) > 128 or value.lower().startswith("acs:") or _bad_url(value):
            raise EcsError("InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.", 400)
        if key in seen:
            raise EcsError("Duplicate.TagKey", "The Tag.N.Key contain duplicate key.", 400)
        seen.add(key)
        out.append({"TagKey": key, "TagValue": value})
    return check_case_duplicates(out)


def _not_ours(ctx: Context, kind: Optional[str], resource_id: str) -> None:
    if kind == "image" and images.visible(ctx, resource_id) is not None:
        raise NOT_SUPPORTED
    raise NOT_FOUND


def _record(ctx: Context, kind: str, resource_id: str) -> Optional[dict]:
    """The record a ResourceId names (any owner, any region); a key pair's ResourceId is its name (it has no
    other id on the wire), found among the caller's in the request's region."""
    if kind == access.KEY_PAIR:
        return access.key_pair(ctx, resource_id)
    return resources.get(ctx, kind, resource_id)


def _resource_id(kind: str, record: Mapping[str, Any]) -> str:
    """The ResourceId tag operations answer for ``record``."""
    return record["KeyPairName"] if kind == access.KEY_PAIR else record[resources.ID_FIELD[kind]]


def owned_records(ctx: Context, kind: Optional[str], resource_ids: list[str]) -> list[dict]:
    """The caller's records for every id (duplicates once), else 404 InvalidResourceId.NotFound."""
    found = []
    for resource_id in dict.fromkeys(resource_ids):
        record = _record(ctx, kind, resource_id) if kind else None
        if record is None or record.get("_owner") != ctx.account or record.get("_region") != ctx.region:
            _not_ours(ctx, kind, resource_id)
        found.append(record)
    return found


# -- TagResources / UntagResources -------------------------------------------------------
@operation(
    "TagResources", S("ResourceType", required=True, missing=_MISSING_TYPE),
    Repeat("ResourceId", required=True, missing=_MISSING_IDS), Structs("Tag", [S("Key"), S("Value")],
                                                                      required=True, missing=_MISSING_TAGS),
    region="optional", region_error=_REGION_ERROR,
)
def tag_resources(ctx: Context, resource_type: str, resource_id: list[str], tag: list[dict]) -> dict:
    _require_region(ctx)
    kind = _kind(resource_type)
    if len(resource_id) > 50:
        raise number_exceeded("ResourceIds", 50)
    if len(tag) > 20:
        raise number_exceeded("Tags", 20)
    wanted = check_tags(tag)
    for record in owned_records(ctx, kind, resource_id):
        put_tags(ctx, kind, record, wanted)
    return {}


def put_tags(ctx: Context, kind: str, record: dict, wanted: list[dict]) -> None:
    """Put ``wanted`` wire tags on ``record``: an existing key gets the new value; quota and case rules."""
    current = resources.tags_of(record)
    check_case_duplicates(wanted, (t["TagKey"] for t in current))
    merged = {t["TagKey"]: t["TagValue"] for t in current}
    merged.update({t["TagKey"]: t["TagValue"] for t in wanted})
    if len(merged) > int(ctx.config.options.get("tags_per_resource", 20)):
        raise EcsError("OperationDenied.QuotaExceed", "The quota of tags on resource is beyond permitted range.", 400)
    new_tags = [{"TagKey": k, "TagValue": v} for k, v in merged.items()]
    resources.retag(ctx.txn, kind, record, new_tags)


@operation(
    "UntagResources", S("ResourceType", required=True, missing=_without_period(_MISSING_TYPE)),
    Repeat("ResourceId", required=True, missing=_without_period(_MISSING_IDS)), Repeat("TagKey"),
    B("All", default=False, name="remove_all"), region="optional", region_error=_REGION_ERROR,
)
def untag_resources(ctx: Context, resource_type: str, resource_id: list[str], tag_key: Optional[list[str]],
                    remove_all: bool) -> dict:
    _require_region(ctx)
    kind = _kind(resource_type)
    if len(resource_id) > 50:
        raise number_exceeded("ResourceIds", 50, period=False)
    keys = [k for k in tag_key or () if k]
    if len(keys) > 20:
        raise number_exceeded("Tags", 20, period=False)
    if remove_all and keys:
        raise EcsError("Param.Conflict", "The specified all is true, but the specified TagKey.N is not empty.", 403)
    drop_tags(ctx, kind, owned_records(ctx, kind, resource_id), keys, remove_all)
    return {}


def drop_tags(ctx: Context, kind: str, records: list[dict], keys: list[str], remove_all: bool) -> None:
    """Take the tags ``keys`` (or every tag: ``remove_all``) off ``records``."""
    for record in records:
        current = resources.tags_of(record)
        # [GUESS] keys the resource does not carry are ignored; neither TagKey nor All removes nothing.
        kept = [] if remove_all else [t for t in current if t["TagKey"] not in keys]
        if len(kept) != len(current):
            resources.retag(ctx.txn, kind, record, kept)


# -- ListTagResources ----------------------------------------------------------------------
def _wildcard(pattern: str) -> re.Pattern:
    """``env*`` / ``*env*`` / ``env``: ``*`` is the only wildcard the API documents."""
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def exact_filters(tags: list[dict]) -> list[tuple[str, Optional[str]]]:
    out = []
    for tag in tags:
        key, value = tag.get("key"), tag.get("value")
        if not key:
            if value:
                # [GUESS] message: the metadata documents the code only.
                raise EcsError("InvalidParameter.TagValue", "The specified Tag.N.Value requires Tag.N.Key.", 400)
            continue
        out.append((key, value if value not in (None, "") else None))
    resource_group = [f for f in out if f[0] == RESOURCE_GROUP_KEY]
    if resource_group and len(out) > 1:
        raise EcsError("InvalidTag.NotSupported", "You can only specify Tag for either resource tag or resource group.",
                       400)
    return out


def fuzzy_filters(filters: list[dict]) -> list[tuple[str, list[str]]]:
    if len(filters) > 5:
        raise EcsError("InvalidTagFilter.Malformed", "The specified TagFilter is not valid.", 403)
    out = []
    for item in filters:
        key, values = item.get("tag_key") or "", [v for v in item.get("tag_values") or () if v]
        if not key or ("*" in key and values):
            # A fuzzy key takes no values; values are matched under an exact key only (documented).
            raise EcsError("InvalidTagFilter.Malformed", "The specified TagFilter is not valid.", 403)
        if len(values) > 5:
            raise EcsError("NumberExceed.TagValues",
                           "The number of the specified TagValues is beyond permitted range, the max is 5.", 403)
        out.append((key, values))
    return out


def _narrowest(ctx: Context, kind: str, exact: list[tuple[str, Optional[str]]],
               fuzzy: list[tuple[str, list[str]]]) -> tuple[Term, int]:
    """The tag index term (:mod:`mockecs.world.tagging`) of the caller's tagged resources of ``kind``
    holding the fewest that may match (every match is under each filter's term), and its size."""
    where = tagging.scope(ctx.account, ctx.region)
    terms = [tagging.tag_term(where, key, value) for key, value in exact if key != RESOURCE_GROUP_KEY]
    terms += [tagging.tag_term(where, key, None) for key, _ in fuzzy if "*" not in key]
    terms = terms or [tagging.tagged_term(where)]  # only wildcards or a resource group
    counts = ctx.txn.counts(kind, terms)
    at = counts.index(min(counts))
    return terms[at], counts[at]


_SPAN = 1024  # a NextToken of ListTagResources is (resource's place in its term) * _SPAN + tag's place


def tag_rows(ctx: Context, kind: str, exact: list[tuple[str, Optional[str]]], fuzzy: list[tuple[str, list[str]]],
              next_token: Optional[str], size: int, type_name: str) -> tuple[list[dict], str]:
    """One page of ListTagResources rows (one per tag of each matching resource, resources in id order)
    from the tag index: resources are read from the token's place on, only until the page is full and
    the next row is known; the token keeps the resource's place and the tag's, so pages are the
    ones the whole list would give."""
    term, total = _narrowest(ctx, kind, exact, fuzzy)
    place = paging.offset(next_token)
    at, skip = divmod(place, _SPAN)
    if at > total:
        raise paging.BAD_TOKEN
    rows: list[dict] = []
    chunk = size // 2 + 1  # (resources usually carry more than one tag)
    while at < total:
        ids = [id for _, id in ctx.txn.page(kind, term, at, chunk)]
        if not ids:
            break
        for record in resources.get_many(ctx, kind, ids):
            tags = resources.tags_of(record) if record is not None else ()
            if tags and _matches(record, exact, fuzzy):
                if len(rows) == size:  # a row after the page: there is a next page
                    return rows, paging.token(at * _SPAN + skip)
                for index in range(skip, len(tags)):
                    if len(rows) == size:
                        return rows, paging.token(at * _SPAN + index)
                    rows.append({"ResourceId": _resource_id(kind, record), "ResourceType": type_name,
                                 "TagKey": tags[index]["TagKey"], "TagValue": tags[index]["TagValue"]})
            at, skip = at + 1, 0
        chunk = min(chunk * 2, 1000)
    return rows, ""


def _matches(record: Mapping[str, Any], exact: list[tuple[str, Optional[str]]],
             fuzzy: list[tuple[str, list[str]]]) -> bool:
    have = {t["TagKey"]: t["TagValue"] for t in resources.tags_of(record)}
    for key, value in exact:
        if key == RESOURCE_GROUP_KEY:
            if record.get("ResourceGroupId") != value:
                return False
        elif key not in have or (value is not None and have[key] != value):
            return False
    for key, values in fuzzy:
        if "*" in key:
            if not any(_wildcard(key).match(k) for k in have):
                return False
        elif key not in have or (values and not any(_wildcard(v).match(have[key]) for v in values)):
            return False
    return True


@operation(
    "ListTagResources", S("ResourceType", required=True, missing=_MISSING_TYPE), Repeat("ResourceId"), _TAG,
    Structs("TagFilter", [S("TagKey"), Repeat("TagValues")]), S("NextToken"),
    region="optional", region_error=_REGION_ERROR,
)
def list_tag_resources(ctx: Context, resource_type: str, resource_id: Optional[list[str]],
                       tag: Optional[list[dict]], tag_filter: Optional[list[dict]], next_token: Optional[str]) -> dict:
    _require_region(ctx)
    kind = _kind(resource_type)
    ids, tags, filters = resource_id or [], tag or [], tag_filter or []
    if len(ids) > 50:
        raise number_exceeded("ResourceIds", 50)
    if len(tags) > 20:
        raise number_exceeded("Tags", 20)
    if tags and filters:
        raise EcsError("InvalidTags.MalFormed", "The tags must be empty, when the tagFilters is not empty.", 400)
    exact, fuzzy = exact_filters(tags), fuzzy_filters(filters)
    group = next((value for key, value in exact if key == RESOURCE_GROUP_KEY), None)
    if group and group == resource_groups.default_id(ctx.account):  # (documented: not the default group)
        raise DEFAULT_GROUP
    if not ids and not exact and not fuzzy:
        raise EcsError("BothEmpty.TagsAndResources",
                       "The specified Tags and ResourcesIds are not allow to both empty.", 403)
    paging.offset(next_token)  # a token we did not issue is refused before any work
    named = {i: _record(ctx, kind, i) for i in dict.fromkeys(ids)} if kind else {}  # (each read once)
    for resource_id, record in named.items() if kind == "image" else ():
        # A named image the caller sees but does not own (public, Marketplace, shared) is not theirs to list.
        if not resources.is_mine(ctx, record) and images.visible(ctx, resource_id):
            raise NOT_SUPPORTED
    size = int(ctx.config.options.get("list_tag_resources_page_size", 50))  # [GUESS] undocumented page size
    rows, token = tag_listing(ctx, kind, named if ids else None, exact, fuzzy, next_token, size,
                              resource_type.strip().lower())
    return {"NextToken": token, "TagResources": {"TagResource": rows}}


def tag_listing(ctx: Context, kind: Optional[str], named: Optional[Mapping[str, Optional[dict]]],
                exact: list[tuple[str, Optional[str]]], fuzzy: list[tuple[str, list[str]]], next_token: Optional[str],
                size: int, type_name: str) -> tuple[list[dict], str]:
    """A page of ListTagResources rows (each API's): of the ``named`` records (by id; None: every resource of
    ``kind`` matching the filters, from the tag index) and the next page's token."""
    if named is None and kind is not None:
        return tag_rows(ctx, kind, exact, fuzzy, next_token, size, type_name)
    rows: list[dict] = []
    for record in (named or {}).values():
        # Ids that are not the caller's (or do not exist) are left out, not an error [GUESS].
        if record is None or record.get("_owner") != ctx.account or record.get("_region") != ctx.region:
            continue
        if not _matches(record, exact, fuzzy):
            continue
        # [GUESS] one row per tag the matched resource carries (not only the tags asked about).
        rows.extend({"ResourceId": _resource_id(kind, record), "ResourceType": type_name, "TagKey": t["TagKey"],
                     "TagValue": t["TagValue"]} for t in resources.tags_of(record))
    page, token = paging.by_token(rows, size, next_token)
    return list(page), token


# -- the older tag operations: AddTags, RemoveTags, DescribeTags, DescribeResourceByTags ----------
# One resource per call, documented codes and messages of their own, on the same tag store.
LEGACY_TYPES = ("instance", "disk", "snapshot", "image", "securitygroup", "volume", "eni", "ddh", "keypair",
                "launchtemplate", "reservedinstance", "snapshotpolicy")
BY_TAGS_TYPES = LEGACY_TYPES[:10]  # DescribeResourceByTags documents the first ten
# DescribeTags' ResourceTypeCount member of each ResourceType.
COUNT_FIELDS = {"instance": "Instance", "disk": "Disk", "snapshot": "Snapshot", "image": "Image",
                "securitygroup": "Securitygroup", "volume": "Volume", "eni": "Eni", "ddh": "Ddh",
                "keypair": "KeyPair", "launchtemplate": "LaunchTemplate", "reservedinstance": "ReservedInstance",
                "snapshotpolicy": "SnapshotPolicy"}
LEGACY_NOT_FOUND = error_kind("InvalidResourceId.NotFound", "The specified ResourceId is not found in our records.",
                              404)
NOT_TAGGABLE = error_kind("InvalidResourceId.NotSupported", "The specified ResourceId does not support tagging.", 403)
TYPE_NOT_FOUND = error_kind("InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.",
                            404)
TOO_MANY_TAGS = error_kind("InvalidTagCount", "The specified tags are beyond the permitted range.", 400)
MISMATCH = error_kind("InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
BAD_KEY = error_kind("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.", 400)
ILLEGAL_KEY = error_kind("InvalidTagKey.Malformed", "The parameter Tag.n.Key is illegal.", 400)
ILLEGAL_VALUE = error_kind("InvalidTagValue.Malformed", "The parameter Tag.n.Value is illegal.", 400)
BAD_CATEGORY = error_kind("Invalid.TagCategory", "The parameter Category is illegal.", 400)
_PAGE_SIZE_50 = I("PageSize", default=50, min=1, max=100)


def _legacy_kind(resource_type: Optional[str], allowed: tuple[str, ...]) -> tuple[str, Optional[str]]:
    """(ResourceType as documented, store kind or None when mockecs keeps no such records)."""
    name = (resource_type or "").strip().lower()
    if name not in allowed:
        raise TYPE_NOT_FOUND
    return name, KINDS.get(name)


def _legacy_target(ctx: Context, kind: Optional[str], resource_id: str) -> dict:
    record = _record(ctx, kind, resource_id) if kind else None
    if record is None or record.get("_owner") != ctx.account or record.get("_region") != ctx.region:
        # A public, Marketplace, community or shared image is there, but not the caller's to tag.
        if kind == "image" and images.visible(ctx, resource_id) is not None:
            raise NOT_TAGGABLE
        raise LEGACY_NOT_FOUND
    return record


def _few(tags: Optional[list[dict]]) -> list[dict]:
    """Tag.N items that name something (a blank Tag.N is ignored); more than 20: InvalidTagCount."""
    if tags and len(tags) > 20:
        raise TOO_MANY_TAGS
    return [t for t in tags or () if t.get("key") or t.get("value")]


@operation("AddTags", S("ResourceType", required=True), S("ResourceId", required=True), Structs(
    "Tag", [S("Key"), S("Value")], required=True))
def add_tags(ctx: Context, resource_type: str, resource_id: str, tag: list[dict]) -> dict:
    _, kind = _legacy_kind(resource_type, LEGACY_TYPES)
    given = _few(tag)
    if any(not t.get("key") for t in given):
        raise MISMATCH  # a value without its key
    wanted = check_tags(given)
    record = _legacy_target(ctx, kind, resource_id)
    put_tags(ctx, kind, record, wanted)
    return {}


@operation("RemoveTags", S("ResourceType", required=True), S("ResourceId", required=True), _TAG)
def remove_tags(ctx: Context, resource_type: str, resource_id: str, tag: Optional[list[dict]]) -> dict:
    _, kind = _legacy_kind(resource_type, LEGACY_TYPES)
    given = _few(tag)
    for item in given:
        key = item.get("key") or ""
        if not key or len(key) > 128 or key.lower().startswith(("aliyun", "acs:")) or _bad_url(key):
            raise BAD_KEY
    record = _legacy_target(ctx, kind, resource_id)
    current = resources.tags_of(record)
    if tag is None:
        kept: list[dict] = []  # [GUESS] no Tag.N: every tag of the resource goes
    else:
        # [GUESS] Tag.N.Value, when given, must match for the tag to go; unknown keys are ignored.
        doomed = [(t["key"], t.get("value")) for t in given]
        kept = [t for t in current
                if not any(t["TagKey"] == k and v in (None, "", t["TagValue"]) for k, v in doomed)]
    if len(kept) != len(current):
        resources.retag(ctx.txn, kind, record, kept)
    return {}


def _filters(tags: Optional[list[dict]]) -> list[tuple[str, Optional[str]]]:
    """DescribeTags / DescribeResourceByTags Tag.N -> (key, value or None for any value)."""
    out = []
    for item in _few(tags):
        key, value = item.get("key") or "", item.get("value")
        if not key or len(key) > 128 or key.lower().startswith(("aliyun", "acs:")) or _bad_url(key):
            raise ILLEGAL_KEY
        if value and (len(value) > 128 or value.lower().startswith(("aliyun", "acs:")) or _bad_url(value)):
            raise ILLEGAL_VALUE
        out.append((key, value if value not in (None, "") else None))
    return out


def _named_here(ctx: Context, kind: str, resource_id: str) -> Optional[dict]:
    """The caller's record here that ``resource_id`` names (a key pair: by its name), or None."""
    record = _record(ctx, kind, resource_id)
    return record if resources.is_mine(ctx, record) else None


def _wanted(tag: Mapping[str, str], filters: list[tuple[str, Optional[str]]]) -> bool:
    return not filters or any(tag["TagKey"] == k and v in (None, tag["TagValue"]) for k, v in filters)


@operation("DescribeTags", S("ResourceType"), S("ResourceId"), S("Category"), _TAG, paging.PAGE_NUMBER_INT32,
           _PAGE_SIZE_50)
def describe_tags(ctx: Context, resource_type: Optional[str], resource_id: Optional[str], category: Optional[str],
                  tag: Optional[list[dict]], page_number: int, page_size: int) -> dict:
    types = [_legacy_kind(resource_type, LEGACY_TYPES)] if resource_type else \
        [(name, kind) for name, kind in KINDS.items() if name not in tagging.APART]  # (ECS's types)
    if category and category.lower() not in ("custom", "system"):
        raise BAD_CATEGORY
    filters = _filters(tag)
    if (category or "custom").lower() != "custom":  # mockecs keeps no system tags
        total, rows = 0, []
    elif resource_id:  # one resource (under each type it may be): its tags, read
        total, rows = _tags_of_named(ctx, types, resource_id, filters, page_number, page_size)
    else:  # from the tag index: pairs in (key, value) order, their counts kept with them
        listing = _pairs(ctx, types, filters)
        total, rows = listing.total, _tag_counts(ctx, types, listing.page((page_number - 1) * page_size, page_size))
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size, "Tags": {"Tag": rows}}


def _tag_counts(ctx: Context, types: list[tuple[str, Optional[str]]], pairs: list[Mapping[str, Any]]) -> list[dict]:
    """DescribeTags rows of a page of ``tag_pair`` records: the resources of each type carrying each pair,
    from the tag index's counts (one batch per type)."""
    where = tagging.scope(ctx.account, ctx.region)
    wanted = {name for name, kind in types if kind}
    per_pair: list[dict[str, int]] = [{} for _ in pairs]
    for name in sorted(wanted):
        asked = [n for n, pair in enumerate(pairs) if name in pair["Types"]]
        terms = [tagging.tag_term(where, pairs[n]["TagKey"], pairs[n]["TagValue"]) for n in asked]
        for n, count in zip(asked, ctx.txn.counts(tagging.KIND_OF[name], terms) if terms else ()):
            per_pair[n][name] = count
    return [{"TagKey": pair["TagKey"], "TagValue": pair["TagValue"], "ResourceTypeCount": {
             field: per_pair[n].get(name, 0) for name, field in COUNT_FIELDS.items()}} for n, pair in enumerate(pairs)]


def _tags_of_named(ctx: Context, types: list[tuple[str, Optional[str]]], resource_id: str,
                   filters: list[tuple[str, Optional[str]]], page_number: int, page_size: int) -> tuple[int, list]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for type_name, kind in types:
        for item in resources.tags_of((_named_here(ctx, kind, resource_id) if kind else None) or {}):
            if _wanted(item, filters):
                per_type = counts.setdefault((item["TagKey"], item["TagValue"]), {})
                per_type[type_name] = per_type.get(type_name, 0) + 1
    rows = [{"TagKey": key, "TagValue": value,
             "ResourceTypeCount": {field: per_type.get(name, 0) for name, field in COUNT_FIELDS.items()}}
            for (key, value), per_type in sorted(counts.items())]
    return len(rows), list(paging.by_number(rows, page_number, page_size))


def _pairs(ctx: Context, types: list[tuple[str, Optional[str]]], filters: list[tuple[str, Optional[str]]]
           ) -> paging.Ordered:
    """The caller's distinct tag pairs here (on resources of the one type asked for), those matching any
    filter: a key's pairs from its term, a key=value pair by its id (when not already under its key)."""
    where = tagging.scope(ctx.account, ctx.region)
    type_name = types[0][0] if len(types) == 1 else None
    if any(kind is None for _, kind in types):  # a type mockecs keeps no records of
        return paging.Ordered(ctx, tagging.PAIR, [])
    if not filters:
        return paging.Ordered(ctx, tagging.PAIR, [tagging.pairs_term(where, type_name)])
    keys = sorted({key for key, value in filters if value is None})
    singles = []
    for key, value in sorted({(k, v) for k, v in filters if v is not None and k not in keys}):
        id = tagging.pair_id(where, key, value)
        pair = ctx.txn.get(tagging.PAIR, id)
        if pair is not None and (type_name is None or type_name in pair["Types"]):
            singles.append([("", id, pair)])
    return paging.Ordered(ctx, tagging.PAIR, [tagging.pairs_term(where, type_name, key) for key in keys],
                          extra=singles)


@operation("DescribeResourceByTags", S("ResourceType"), _TAG, paging.PAGE_NUMBER_INT32, _PAGE_SIZE_50)
def describe_resource_by_tags(ctx: Context, resource_type: Optional[str], tag: Optional[list[dict]],
                              page_number: int, page_size: int) -> dict:
    types = [_legacy_kind(resource_type, BY_TAGS_TYPES)] if resource_type else \
        [(name, kind) for name, kind in KINDS.items() if name in BY_TAGS_TYPES]
    filters = [(k, v) for k, v in ((t.get("key") or "", t.get("value")) for t in _few(tag))]
    filters = [(k, v if v not in (None, "") else None) for k, v in filters if k]
    # Every tag asked for; with none, every resource that carries a tag [GUESS]. From the tag index:
    # each type's resources in id order, the types one after the other (in type order).
    where = tagging.scope(ctx.account, ctx.region)
    names = sorted(name for name, kind in types if kind) if all(kind for _, kind in types) else []
    terms = list(dict.fromkeys(tagging.tag_term(where, k, v) for k, v in filters)) or [tagging.tagged_term(where)]
    start, total, rows = (page_number - 1) * page_size, 0, []
    for name in names:
        listing = _ByResourceId(ctx, tagging.KIND_OF[name], terms)
        count = listing.total
        if start < count and len(rows) < page_size:
            rows += [{"ResourceType": name, "ResourceId": resource_id, "RegionId": ctx.region}
                     for resource_id in listing.page(start, page_size - len(rows))]
        start, total = max(0, start - count), total + count
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size, "Resources": {"Resource": rows}}


class _ByResourceId:
    """The caller's resources of ``kind`` under every term (ResourceIds in order): the total, and a page."""

    def __init__(self, ctx: Context, kind: str, terms: list[Term]) -> None:
        self.ctx, self.kind = ctx, kind
        counts = ctx.txn.counts(kind, terms)
        self.term = terms[counts.index(min(counts))]
        self.ids: Optional[list[str]] = None
        if len(terms) > 1:  # those under the narrowest term that are under all the others
            self.ids = sorted(ctx.txn.ids(kind, self.term).intersection(*(ctx.txn.ids(kind, t) for t in terms)))
        if kind == access.KEY_PAIR:  # a key pair's ResourceId is its name (key pairs: at most a quota)
            pairs = resources.get_many(ctx, kind, self.ids if self.ids is not None else ctx.txn.ids(kind, self.term))
            self.ids = sorted(r["KeyPairName"] for r in pairs if r is not None)
        self.total = len(self.ids) if self.ids is not None else min(counts)

    def page(self, start: int, size: int) -> list[str]:
        if self.ids is not None:
            return self.ids[start:start + size]
        return [id for _, id in self.ctx.txn.page(self.kind, self.term, start, size)]


# -- JoinResourceGroup -------------------------------------------------------------------------------
# (snapshotpolicy: not in the documented list, but Terraform's alicloud_ecs_auto_snapshot_policy moves policies so)
JOIN_TYPES = ("instance", "disk", "snapshot", "image", "securitygroup", "ddh", "ddhcluster", "eni", "keypair",
              "snapshotpolicy", "activation", "managedinstance")
JOIN_RESOURCE_NOT_FOUND = error_kind("InvalidResourceId.NotFound",
                                     "The ResourceId provided does not exist in our records.", 404)
_MISSING_RESOURCE_ID = ("MissingParameter", 'The input parameter "ResourceId" that is mandatory for processing '
                        "this request is not supplied.", 403)


# The metadata marks none of the parameters required; ResourceId documents its own 403 MissingParameter.
@operation("JoinResourceGroup", S("ResourceType"), S("ResourceId", required=True, missing=_MISSING_RESOURCE_ID),
           S("ResourceGroupId"), region="optional")  # (the metadata's RegionId is optional)
def join_resource_group(ctx: Context, resource_type: Optional[str], resource_id: str,
                        resource_group_id: Optional[str]) -> dict:
    """Move a resource into another resource group (see :mod:`mockecs.world.resource_groups`)."""
    _, kind = _legacy_kind(resource_type, JOIN_TYPES)
    if not resource_group_id or not resource_groups.exists(ctx, resource_group_id):
        raise resource_groups.NOT_FOUND
    record = _record(ctx, kind, resource_id) if kind else None
    if record is None or record.get("_owner") != ctx.account or record.get("_region") != ctx.region:
        raise JOIN_RESOURCE_NOT_FOUND
    if record.get("ResourceGroupId") != resource_group_id:  # joining the group it is in changes nothing
        resources.put(ctx.txn, kind, {**record, "ResourceGroupId": resource_group_id})
    return {}

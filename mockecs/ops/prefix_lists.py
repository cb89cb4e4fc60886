"""Prefix lists: CreatePrefixList, DescribePrefixLists, DescribePrefixListAttributes, DescribePrefixListAssociations,
ModifyPrefixList, DeletePrefixList (Terraform's ``alicloud_ecs_prefix_list``; the model is
:mod:`mockecs.world.prefix_lists`).

Entries are validated against the list's address family and written in the service's form (a bare address is its
/32 or /128, IPv6 compressed in lower case); duplicates, more entries than ``MaxEntries`` and more than 200 added or
removed in one call are the documented refusals. Security group rules name lists (:mod:`mockecs.ops.security_groups`);
a list in use cannot be deleted, and its ``AssociationCount`` counts the groups using it.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import tag_filter
from mockecs.ops.registry import BAD_CLIENT_TOKEN, Context, operation
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter, missing_parameter
from mockecs.wire.params import TAGS, I, Repeat, S, Structs
from mockecs.world import access, paging, prefix_lists, resource_groups, resources
from mockecs.world.validation import starts_with_letter, valid_instance_name

KIND = prefix_lists.KIND
NOT_FOUND = error_kind("InvalidPrefixListId.NotFound", "The specified prefix list was not found.", 404)
BAD_FAMILY = error_kind("InvalidParameter.AddressFamily", "The parameter AddressFamily should be IPv4 or IPv6.", 400)
BAD_NAME = error_kind("InvalidParameter.PrefixListName", "The parameter PrefixListName is not valid.", 400)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specified Description is wrongly formed.", 400)
TOO_MANY_CHANGES = error_kind("LimitExceed.Entry", "The number of entries added or removed exceeds the limit.", 400)
OVER_MAX_ENTRIES = error_kind("LimitExceed.MaxEntries",
                              "The number of entries exceeds the MaxEntries of the specified prefix list.", 400)
QUOTA = error_kind("LimitExceed.PrefixListPerRegion", "The number of prefix lists in the region exceeds the limit.",
                   404)
TOO_MANY_IDS = error_kind("LimitExceed.PrefixListId", "The specified number of PrefixListId exceeds the limit.", 400)
IN_USE = error_kind("NotAllowed.AssociationExist", "The specified prefix list has associated resources.", 400)
_REGION = {"region_error": ("InvalidRegionId.NotFound", 404, "The specified RegionId does not exist.")}
MAX_CHANGES = 200  # entries one call may add, or remove (documented: N is 0-200)
MAX_IDS = 100  # PrefixListId.N of DescribePrefixLists (documented: N is 0-100)
_ENTRY = Structs("Entry", [S("Cidr"), S("Description")])


def _check_name_and_description(name: Optional[str], description: Optional[str]) -> None:
    # 2-128 characters from a letter: letters, digits, ":", "_", ".", "-"; not http(s)://, com.aliyun, com.alibabacloud.
    if name is not None and not (starts_with_letter(name) and valid_instance_name(name)
                                 and not name.lower().startswith(("com.aliyun", "com.alibabacloud"))):
        raise BAD_NAME
    if description is not None and description != "" and (
            not 2 <= len(description) <= 256 or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION


def _cidr(given: Mapping[str, Any], label: str, family: str) -> str:
    """One entry's CIDR block in the service's form; a block of the other family is malformed too."""
    if not given.get("cidr"):
        raise missing_parameter(f"{label}.Cidr")
    value = prefix_lists.cidr(given["cidr"], family)
    if value is None:
        raise EcsError("InvalidParameter.CidrMalformed",
                       f"The specified {label}.Cidr {given['cidr']!r} is not a valid {family} CIDR block.", 400)
    return value


def _entries(items: Optional[list[dict]], name: str, family: str, seen: dict[str, str]) -> list[dict]:
    """``Entry.N`` / ``AddEntry.N`` / ``RemoveEntry.N`` as ``[{"Cidr", "Description"}]``; each block once among
    all the ``seen`` ones (block -> the parameter that named it, shared across a call's lists)."""
    items = items or []
    if len(items) > MAX_CHANGES:
        raise TOO_MANY_CHANGES
    out = []
    for n, given in enumerate(items, 1):
        label = f"{name}.{n}"
        block = _cidr(given, label, family)
        if block in seen:
            raise EcsError("InvalidParameter.CidrDuplicated",
                           f"The CIDR block {block} of {label}.Cidr is also given in {seen[block]}.Cidr.", 400)
        seen[block] = label
        text = given.get("description")
        if text and (not 2 <= len(text) <= 32 or text.lower().startswith(("http://", "https://"))):
            raise invalid_parameter(f"{label}.Description")  # [GUESS] no code of its own documented
        out.append({"Cidr": block, "Description": text or ""})
    return out


def _list(ctx: Context, prefix_list_id: Optional[str]) -> dict:
    return resources.owned(ctx, KIND, prefix_list_id, NOT_FOUND)


@operation("CreatePrefixList", S("PrefixListName", required=True), S("AddressFamily", required=True),
           I("MaxEntries", required=True, min=1, max=200), S("Description"), _ENTRY, S("ResourceGroupId"), TAGS,
           idempotent=True, token_error=BAD_CLIENT_TOKEN, **_REGION)
def create_prefix_list(ctx: Context, prefix_list_name: str, address_family: str, max_entries: int,
                       description: Optional[str], entry: Optional[list[dict]], resource_group_id: Optional[str],
                       tag: Optional[list[dict]]) -> dict:
    if address_family not in prefix_lists.FAMILIES:
        raise BAD_FAMILY
    _check_name_and_description(prefix_list_name, description)
    entries = _entries(entry, "Entry", address_family, {})
    if len(entries) > max_entries:
        raise OVER_MAX_ENTRIES
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    if access.quota_reached(ctx, KIND, "prefix_list_quota"):
        raise QUOTA
    prefix_list_id = resources.new_id(KIND, ctx.region)
    resources.put(ctx.txn, KIND, {
        "PrefixListId": prefix_list_id, "PrefixListName": prefix_list_name, "Description": description or "",
        "AddressFamily": address_family, "MaxEntries": max_entries, "CreationTime": resources.iso_minute(ctx.now),
        "ResourceGroupId": group, "Tags": {"Tag": tags}, "Entries": {"Entry": entries},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    })
    return {"PrefixListId": prefix_list_id}


def _list_view(ctx: Context, record: Mapping[str, Any]) -> dict:
    view = {k: v for k, v in resources.wire(record).items() if k != "Entries"}
    view["AssociationCount"] = prefix_lists.association_count(ctx.txn, record["PrefixListId"])
    return view


@operation("DescribePrefixLists", Repeat("PrefixListId"), S("PrefixListName"), S("AddressFamily"),
           S("ResourceGroupId"), TAGS, S("NextToken"), I("MaxResults", default=10, min=1, max=100), **_REGION)
def describe_prefix_lists(ctx: Context, prefix_list_id: Optional[list[str]], prefix_list_name: Optional[str],
                          address_family: Optional[str], resource_group_id: Optional[str],
                          tag: Optional[list[dict]], next_token: Optional[str], max_results: int) -> dict:
    """The filters are ANDed (documented). One of name or family alone pages straight from its index term."""
    ids = [i for i in prefix_list_id or () if i]
    if len(ids) > MAX_IDS:
        raise TOO_MANY_IDS
    if address_family and address_family not in prefix_lists.FAMILIES:
        raise invalid_parameter("AddressFamily")  # [GUESS] the generic code the metadata lists
    wanted_tags = tag_filter(tag)
    account, region = ctx.account, ctx.region
    name_term = prefix_lists.name_term(account, region, prefix_list_name) if prefix_list_name else None
    family_term = prefix_lists.family_term(account, region, address_family) if address_family else None
    try:
        if not (ids or resource_group_id or wanted_tags) and not (name_term and family_term):
            term = name_term or family_term or resources.owner_region(account, region)
            page, meta = paging.ordered_page(ctx, KIND, term, 1, max_results, next_token, max_results)
            token = meta["NextToken"]
        else:
            group = resource_groups.term(resource_group_id) if resource_group_id else None
            found = [r for r in resources.mine_among(ctx, KIND, ids, name_term, family_term, group)
                     if (not prefix_list_name or r["PrefixListName"] == prefix_list_name)
                     and (not address_family or r["AddressFamily"] == address_family)
                     and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
                     and resources.match_tags(r, wanted_tags)]
            found.sort(key=lambda r: (resources.ORDER[KIND](r), r["PrefixListId"]))
            page, token = paging.by_token(found, max_results, next_token)
    except paging.BAD_TOKEN:
        raise invalid_parameter("NextToken") from None
    return {"NextToken": token, "PrefixLists": {"PrefixList": [_list_view(ctx, r) for r in page]}}


@operation("DescribePrefixListAttributes", S("PrefixListId", required=True), **_REGION)
def describe_prefix_list_attributes(ctx: Context, prefix_list_id: str) -> dict:
    record = _list(ctx, prefix_list_id)
    return {k: v for k, v in resources.wire(record).items() if k not in ("ResourceGroupId", "Tags")}


@operation("DescribePrefixListAssociations", S("PrefixListId", required=True), S("NextToken"),
           I("MaxResults", default=10, min=1, max=100), **_REGION)
def describe_prefix_list_associations(ctx: Context, prefix_list_id: str, next_token: Optional[str],
                                      max_results: int) -> dict:
    """The security groups whose rules name the list (in id order), a page from the index."""
    _list(ctx, prefix_list_id)
    try:
        page, meta = paging.ordered_page(ctx, prefix_lists.GROUP_KIND, prefix_lists.used_by(prefix_list_id), 1,
                                         max_results, next_token, max_results)
    except paging.BAD_TOKEN:
        raise invalid_parameter("NextToken") from None
    return {"NextToken": meta["NextToken"], "PrefixListAssociations": {"PrefixListAssociation": [
        {"ResourceId": group["SecurityGroupId"], "ResourceType": "securitygroup"} for group in page]}}


@operation("ModifyPrefixList", S("PrefixListId", required=True), S("PrefixListName"), S("Description"),
           Structs("AddEntry", [S("Cidr"), S("Description")]), Structs("RemoveEntry", [S("Cidr")]), **_REGION)
def modify_prefix_list(ctx: Context, prefix_list_id: str, prefix_list_name: Optional[str],
                       description: Optional[str], add_entry: Optional[list[dict]],
                       remove_entry: Optional[list[dict]]) -> dict:
    """Removes, then adds; adding a block the list has changes its description (documented). A block removed
    that the list lacks is ignored [GUESS]. The same block in AddEntry and RemoveEntry is refused (documented)."""
    _check_name_and_description(prefix_list_name or None, description)
    record = _list(ctx, prefix_list_id)
    family = record["AddressFamily"]
    seen: dict[str, str] = {}
    removed = {e["Cidr"] for e in _entries(remove_entry, "RemoveEntry", family, seen)}
    added = {e["Cidr"]: e for e in _entries(add_entry, "AddEntry", family, seen)}
    kept = [e for e in prefix_lists.entries(record) if e["Cidr"] not in removed]
    have = {e["Cidr"] for e in kept}
    entries = [added.get(e["Cidr"], e) for e in kept] + [e for block, e in added.items() if block not in have]
    if len(entries) > record["MaxEntries"]:
        raise OVER_MAX_ENTRIES
    changes: dict[str, Any] = {"Entries": {"Entry": entries}}
    if prefix_list_name:
        changes["PrefixListName"] = prefix_list_name
    if description is not None:
        changes["Description"] = description
    resources.put(ctx.txn, KIND, {**record, **changes})
    return {}


@operation("DeletePrefixList", S("PrefixListId", required=True), **_REGION)
def delete_prefix_list(ctx: Context, prefix_list_id: str) -> dict:
    record = _list(ctx, prefix_list_id)
    if prefix_lists.association_count(ctx.txn, record["PrefixListId"]):
        raise IN_USE
    resources.delete(ctx.txn, KIND, record["PrefixListId"])
    return {}

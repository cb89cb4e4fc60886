"""Storage sets: CreateStorageSet, DescribeStorageSets, DescribeStorageSetDetails, ModifyStorageSetAttribute,
DeleteStorageSet; disks join them through CreateDisk's and RunInstances' StorageSetId / StorageSetPartitionNumber
(:mod:`mockecs.world.storage_sets`).

Every code these five document answers the message ``%s`` in the metadata: mockecs words each one [GUESS]. Tags
(Tag.N) and ResourceGroupId, which the SDK's models carry, are kept and answered as other kinds' (the tag operations
document no storage set type: they do not tag sets [GUESS]).
"""
from __future__ import annotations

import re
from typing import Optional

from mockecs.ops.instances import tag_filter
from mockecs.ops.registry import BAD_CLIENT_TOKEN, Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS, I, JsonList, S
from mockecs.world import paging, regions, resource_groups, resources
from mockecs.world.deployment_sets import valid_name
from mockecs.world.storage_sets import DEFAULT_PARTITIONS, IN_PARTITION, IN_SET, KIND, find, view
from mockecs.world.validation import valid_description

# 2-128 characters, a letter (or a CJK ideograph) first, then letters, digits, ":", "_", "-" (documented)
_NAME = re.compile(r"^[^\W\d_][\w:\-]{1,127}$")
BAD_NAME = error_kind("InvalidStorageSetName.Malformed", "The specified StorageSetName is not valid.", 403)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specified Description is not valid.", 403)
BAD_PARTITIONS = error_kind("InvalidMaxPartitionNumber.Malformed", "The specified MaxPartitionNumber is not valid.",
                            403)
ZONE_NOT_FOUND = error_kind("InvalidZoneId.NotFound", "The specified ZoneId does not exist.", 403)
NOT_FOUND = error_kind("InvalidStorageSetId.NotFound", "The specified StorageSetId does not exist.", 403)
QUOTA = error_kind("InvalidParameter", "The maximum number of storage sets in the region has been reached.", 403)
NOT_EMPTY = error_kind("InvalidStorageSet.NotSupport", "The specified storage set still contains disks.", 403)
TOO_MANY_IDS = error_kind("InvalidParameter", "The specified StorageSetIds holds more than 100 ids.", 403)
TOO_MANY_DISKS = error_kind("InvalidParameter", "The specified DiskIds holds more than 100 ids.", 403)
_REGION_ERROR = ("InvalidRegionId.NotFound", 403, "The specified RegionId does not exist.")  # (documented: "%s")
_PAGE_SIZE = I("PageSize", default=10, min=1, max=100)  # (documented minimum 10; smaller pages are taken [GUESS])


def _check(name: Optional[str], description: Optional[str]) -> None:
    if name and not valid_name(name, _NAME):
        raise BAD_NAME
    if description and not valid_description(description):
        raise BAD_DESCRIPTION


@operation("CreateStorageSet", S("ZoneId", required=True), S("StorageSetName"), S("Description"),
           I("MaxPartitionNumber"), S("ResourceGroupId"), TAGS, idempotent=True, region_error=_REGION_ERROR)
def create_storage_set(ctx: Context, zone_id: str, storage_set_name: Optional[str], description: Optional[str],
                       max_partition_number: Optional[int], resource_group_id: Optional[str],
                       tag: Optional[list[dict]]) -> dict:
    """MaxPartitionNumber: from 2 up to option ``storage_set_partition_quota`` (the account's quota, documented as
    DescribeAccountAttributes' [GUESS: 10])."""
    _check(storage_set_name, description)
    partitions = DEFAULT_PARTITIONS if max_partition_number is None else max_partition_number
    if not 2 <= partitions <= ctx.config.options["storage_set_partition_quota"]:
        raise BAD_PARTITIONS
    if zone_id not in regions.zone_ids(ctx.region):
        raise ZONE_NOT_FOUND
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    if ctx.txn.count(KIND, resources.owner_region(ctx.account, ctx.region)) >= ctx.config.options["storage_set_quota"]:
        raise QUOTA
    set_id = resources.new_id(KIND, ctx.region)
    resources.put(ctx.txn, KIND, {
        "StorageSetId": set_id, "StorageSetName": storage_set_name or "", "Description": description or "",
        "ZoneId": zone_id, "RegionId": ctx.region, "StorageSetPartitionNumber": partitions,
        "CreationTime": resources.iso(ctx.now), "ResourceGroupId": group, "Tags": {"Tag": tags},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    })
    return {"StorageSetId": set_id}


@operation("DescribeStorageSets", JsonList("StorageSetIds"), S("ZoneId"), S("StorageSetName"), paging.PAGE_NUMBER,
           _PAGE_SIZE, TAGS, idempotent=True, region_error=_REGION_ERROR)
def describe_storage_sets(ctx: Context, storage_set_ids: Optional[list[str]], zone_id: Optional[str],
                          storage_set_name: Optional[str], page_number: int, page_size: int,
                          tag: Optional[list[dict]]) -> dict:
    """Ids that are not the caller's are left out; the filters narrow one another; creation order [GUESS]."""
    if storage_set_ids and len(storage_set_ids) > 100:
        raise TOO_MANY_IDS
    wanted_tags = tag_filter(tag)
    where = f"{ctx.account}|{ctx.region}"
    page, total = paging.by_creation(ctx, KIND, paging.unfiltered(locals()), lambda: [
        r for r in resources.mine_among(
            ctx, KIND, storage_set_ids, ("ss_zone", f"{where}|{zone_id}") if zone_id else None,
            ("ss_name", f"{where}|{storage_set_name}") if storage_set_name else None,
            *resources.tag_narrowing(wanted_tags))
        if (not zone_id or r["ZoneId"] == zone_id) and (not storage_set_name or r["StorageSetName"] == storage_set_name)
        and resources.match_tags(r, wanted_tags)], page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "StorageSets": {"StorageSet": [view(r) for r in page]}}


_DETAIL_FIELDS = ("DiskId", "DiskName", "Category", "ZoneId", "RegionId", "CreationTime", "StorageSetId",
                  "StorageSetPartitionNumber")


@operation("DescribeStorageSetDetails", S("StorageSetId", required=True), I("StorageSetPartitionNumber"),
           JsonList("DiskIds"), paging.PAGE_NUMBER, _PAGE_SIZE, idempotent=True, region_error=_REGION_ERROR)
def describe_storage_set_details(ctx: Context, storage_set_id: str, storage_set_partition_number: Optional[int],
                                 disk_ids: Optional[list[str]], page_number: int, page_size: int) -> dict:
    """The set's disks (a page of its index term; in a partition: that partition's term), in DescribeDisks'
    order; DiskIds narrows them."""
    if disk_ids and len(disk_ids) > 100:
        raise TOO_MANY_DISKS
    if find(ctx, storage_set_id) is None:
        raise NOT_FOUND
    term = (IN_SET, storage_set_id) if storage_set_partition_number is None else \
        (IN_PARTITION, f"{storage_set_id}|{storage_set_partition_number}")
    if not disk_ids:
        page, meta = paging.ordered_page(ctx, "disk", term, page_number, page_size, None, None)
        total = meta["TotalCount"]
    else:
        found = [d for d in resources.mine_among(ctx, "disk", disk_ids)
                 if d.get("StorageSetId") == storage_set_id and (storage_set_partition_number is None or
                                                                 d["StorageSetPartitionNumber"] ==
                                                                 storage_set_partition_number)]
        found.sort(key=resources.ORDER["disk"])
        page, total = paging.by_number(found, page_number, page_size), len(found)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "Disks": {"Disk": [{field: d.get(field) for field in _DETAIL_FIELDS} for d in page]}}


@operation("ModifyStorageSetAttribute", S("StorageSetId", required=True), S("StorageSetName"), S("Description"),
           idempotent=True, region_error=_REGION_ERROR)
def modify_storage_set_attribute(ctx: Context, storage_set_id: str, storage_set_name: Optional[str],
                                 description: Optional[str]) -> dict:
    """What is not sent (or sent empty) keeps its value [GUESS]."""
    _check(storage_set_name, description)
    record = find(ctx, storage_set_id)
    if record is None:
        raise NOT_FOUND
    changed = {field: value for field, value in (("StorageSetName", storage_set_name),
                                                 ("Description", description)) if value}
    if changed:
        resources.put(ctx.txn, KIND, {**record, **changed})
    return {}


@operation("DeleteStorageSet", S("StorageSetId", required=True), idempotent=True, region_error=_REGION_ERROR,
           token_error=BAD_CLIENT_TOKEN)
def delete_storage_set(ctx: Context, storage_set_id: str) -> dict:
    """Refused while a disk is in the set [GUESS: no code documented for it]."""
    record = find(ctx, storage_set_id)
    if record is None:
        raise NOT_FOUND
    if ctx.txn.count("disk", (IN_SET, storage_set_id)):
        raise NOT_EMPTY
    resources.delete(ctx.txn, KIND, record["StorageSetId"])
    return {}

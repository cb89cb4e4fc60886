"""CreateSnapshot, DescribeSnapshots, DeleteSnapshot, ModifySnapshotAttribute, CopySnapshot (spec §4.3); a disk rolled
back to one of them (ResetDisk) is in :mod:`mockecs.ops.disks`.

Snapshot records (kind ``snapshot``) are in the wire shape of
``DescribeSnapshotsResponseBodySnapshotsSnapshot`` plus ``_owner``, ``_region``,
``_image_id`` (the image the source disk was made from, so CreateImage from a
snapshot can inherit the OS fields) and ``_instance_id`` (the instance the disk
belonged to when the snapshot was taken, for ``DescribeSnapshots.InstanceId``).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import INCORRECT_STATUS, SOURCE_DISK_TYPES, TAGS, paginate, tag_filter
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import TAGS as TAGS_MAX_20
from mockecs.wire.params import B, I, JsonList, L, S, Structs
from mockecs.world import (
    auto_snapshots,
    disks,
    instance_clock,
    kms,
    lifecycle,
    paging,
    regions,
    resource_groups,
    resources,
    snapshot_links,
    snapshots,
)
from mockecs.world.validation import valid_description, valid_name

NOT_FOUND = error_kind("InvalidSnapshotId.NotFound", "The specified snapshot is not found.", 404)
DISK_NOT_FOUND = error_kind("InvalidDiskId.NotFound", "The specified DiskId does not exist.", 404)
# ModifySnapshotAttribute and ResetDisk document their own wording
SNAPSHOT_ID_NOT_FOUND = error_kind("InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)
# Category: the API reference documents "Standard" / "Flash"; answers carry "standard" / "flash".
CATEGORIES = ("standard", "flash")
BAD_CATEGORY = error_kind("InvalidSnapshotCategory.Malformed", "The specified Category is not valid.", 403)


def snapshot_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    terms = [("disk", record["SourceDiskId"])] if record.get("SourceDiskId") else []
    if record.get("Status") == "progressing":  # for CreateImage's TooManySnapshot.Unfinished
        terms.append(("progressing", f"{record['_owner']}|{record['_region']}"))
    if record.get("_instance_id"):
        terms.append(("instance", record["_instance_id"]))
    if record.get("SnapshotType") == "auto" and record.get("SourceDiskId"):  # (a disk's quota, DeleteAutoSnapshot)
        terms.append((auto_snapshots.OF_DISK, record["SourceDiskId"]))
    terms.extend(snapshot_links.terms(record))  # (its link, the sizes DescribeSnapshotsUsage and the links add up)
    return terms


resources.TERMS["snapshot"] = snapshot_terms
resources.ORDER["snapshot"] = lambda record: record["CreationTime"]  # listed newest first


def make_snapshot(ctx: Context, disk: dict, name: Optional[str] = None, description: Optional[str] = None,
                  tags: Optional[list[dict]] = None, retention_days: Optional[int] = None,
                  resource_group_id: Optional[str] = None, category: Optional[str] = None) -> dict:
    """Snapshot ``disk`` (a disk record): store and return the new snapshot record.

    ``tags`` are wire tags (``{"TagKey", "TagValue"}``). The snapshot is ``progressing``
    until the lifecycle of kind ``snapshot`` ends (instant by default), then ``accomplished``.
    """
    snapshot_id = resources.new_id("snapshot", disk["_region"])
    record = snapshots.new_record(disk, snapshot_id, ctx.now, name, description, tags, retention_days,
                                  resource_group_id, category)
    record = lifecycle.start(ctx, "snapshot", snapshot_id, record, done=snapshots.DONE, failed=snapshots.FAILED,
                             progress_field="Progress")
    record = resources.put(ctx.txn, "snapshot", record)
    auto_snapshots.retain(ctx.txn, record, False)  # (deleted when its RetentionDays end)
    return record


def usage_of(ctx: Context, record: Mapping[str, Any]) -> str:
    """``Usage`` computed from what references the snapshot now: images and/or disks."""
    by_image = bool(ctx.txn.ids("image", ("snapshot", record["SnapshotId"])))
    by_disk = bool(ctx.txn.ids("disk", ("snapshot", record["SnapshotId"])))
    return {(True, True): "image_disk", (True, False): "image", (False, True): "disk"}.get((by_image, by_disk), "none")


def _check_name(name: Optional[str]) -> None:
    # Snapshot names follow the image-name rules and must not start with "auto" (reserved for
    # automatic snapshots).
    if name is None or name == "":
        return
    if not valid_name(name) or name.lower().startswith("auto"):
        raise EcsError("InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.", 400)


def _check_description(description: Optional[str]) -> None:
    if description and (not 2 <= len(description) <= 256 or description.lower().startswith(("http://", "https://"))):
        raise EcsError("InvalidDescription.Malformed", "The specified description is wrongly formed.", 404)


def _check_retention(retention_days: Optional[int]) -> None:
    if retention_days is not None and not 1 <= retention_days <= 65536:
        raise EcsError("InvalidRetentionDays.Malformed", "The specified RetentionDays is not valid.", 400)


CATEGORY_AND_INSTANT_ACCESS = error_kind("InvalidCategoryAndInstantAccess.Malformed",
                                         "The snapshot Category and InstantAccess can't be used together.", 403)
BAD_INSTANT_ACCESS_DAYS = error_kind("InvalidInstantAccessRetentionDays.Malformed",
                                     "The specified InstantAccessRetentionDays is not valid.", 403)
SNAPSHOT_QUOTA = error_kind("QuotaExceed.Snapshot", "The snapshot quota exceeds.", 403)  # (option snapshot_quota)
EXPIRED_DISK = error_kind("DiskInArrears", "The specified operation is denied as your disk has expired.", 403)
LOCAL_DISK = error_kind("IncorrectDiskType.NotSupport", "The specified device type is not supported.", 403)


@operation("CreateSnapshot",
           S("DiskId", required=True), S("SnapshotName"), S("Description"), I("RetentionDays"),
           S("Category"), B("InstantAccess"), I("InstantAccessRetentionDays"), S("ResourceGroupId"),
           S("StorageLocationArn"), TAGS_MAX_20,
           region="optional", region_of=resources.region_from("disk_id"),
           idempotent=("IdempotentParameterMismatch", "The specified clientToken is used.", 403))
def create_snapshot(ctx: Context, disk_id: str, snapshot_name: Optional[str], description: Optional[str],
                    retention_days: Optional[int], category: Optional[str], instant_access: Optional[bool],
                    instant_access_retention_days: Optional[int], resource_group_id: Optional[str],
                    storage_location_arn: Optional[str], tag: Optional[list[dict]]) -> dict:
    # Malformed parameters are refused before the disk is looked up.
    _check_name(snapshot_name)
    _check_description(description)
    _check_retention(retention_days)
    if category and category.lower() not in CATEGORIES:
        raise BAD_CATEGORY
    if category and instant_access:
        raise CATEGORY_AND_INSTANT_ACCESS
    if instant_access_retention_days is not None and not 1 <= instant_access_retention_days <= 65535:
        raise BAD_INSTANT_ACCESS_DAYS
    tags = resources.tags_from_args(tag)
    disk = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    if disk["Category"].startswith("ephemeral"):  # (local disks have no snapshots)
        raise LOCAL_DISK
    if disks.in_arrears(disk):
        raise EXPIRED_DISK
    if not disk.get("_attached_once"):
        raise EcsError("IncorrectDiskStatus.NeverAttached",
                       "The specified disk has never been attached to any instance.", 403)
    # The disk's instance must be Running or Stopped (not Pending/Starting/Stopping).
    instance = resources.get(ctx, "instance", disk.get("InstanceId"))
    if instance is not None and instance["Status"] not in ("Running", "Stopped"):
        raise INCORRECT_STATUS
    if disks.snapshot_in_progress(ctx, disk["DiskId"]):
        raise EcsError("IncorrectDiskStatus.CreatingSnapshot", "A previous snapshot creation is in process.", 403)
    if snapshots.over_quota(ctx, disk["_region"]):
        raise SNAPSHOT_QUOTA
    group = resource_groups.resolve(ctx, resource_group_id)
    record = make_snapshot(ctx, disk, snapshot_name, description, tags, retention_days, group,
                           category.lower() if category else None)
    return {"SnapshotId": record["SnapshotId"]}


_STATUS = ("progressing", "accomplished", "failed", "all")
_TYPES = ("auto", "user", "all")
_USAGES = ("image", "disk", "image_disk", "none")


BAD_FILTER_KEY = error_kind("InvalidFilterKey.NotFound", "The specified FilterKey is not found.", 404)
BAD_FILTER_VALUE = error_kind("InvalidFilterValue", "The specified FilterValue  exceeds the limit.", 404)


def creation_window(filters: list[dict], bad_key: type[EcsError] = BAD_FILTER_KEY,
                    bad_value: type[EcsError] = BAD_FILTER_VALUE) -> tuple[Optional[float], Optional[float]]:
    """``Filter.N.Key`` CreationStartTime / CreationEndTime (``yyyy-MM-ddTHH:mmZ``) -> epoch bounds."""
    bounds: dict[str, Optional[float]] = {"CreationStartTime": None, "CreationEndTime": None}
    for item in filters:
        key, value = item.get("key"), item.get("value")
        if not key and not value:
            continue
        if key not in bounds:
            raise bad_key
        parsed = resources.parse_iso(value or "")
        if parsed is None:
            raise bad_value
        bounds[key] = parsed
    return bounds["CreationStartTime"], bounds["CreationEndTime"]


@operation("DescribeSnapshots",
           JsonList("SnapshotIds"), S("DiskId"), S("InstanceId"), S("SnapshotName"), S("Status"),
           S("SnapshotType"), S("SourceDiskType"), S("Usage"), B("Encrypted"), S("KMSKeyId"), S("Category"),
           S("SnapshotLinkId"), S("ResourceGroupId"), TAGS, Structs("Filter", [S("Key"), S("Value")], name="filters"),
           L("PageNumber", min=1, default=1), L("PageSize", min=1, max=100, default=10),
           S("NextToken"), L("MaxResults", min=1, max=100),
           dry_run=True, memo=True)
def describe_snapshots(ctx: Context, snapshot_ids: Optional[list[str]], disk_id: Optional[str],
                       instance_id: Optional[str], snapshot_name: Optional[str], status: Optional[str],
                       snapshot_type: Optional[str], source_disk_type: Optional[str], usage: Optional[str],
                       encrypted: Optional[bool], kms_key_id: Optional[str], category: Optional[str],
                       snapshot_link_id: Optional[str], resource_group_id: Optional[str],
                       tag: Optional[list[dict]], filters: Optional[list[dict]], page_number: int, page_size: int,
                       next_token: Optional[str], max_results: Optional[int]) -> dict:
    unfiltered = paging.unfiltered(locals())
    start, end = creation_window(filters or [])
    if snapshot_ids is not None and len(snapshot_ids) > 100:
        raise EcsError("InvalidSnapshotIds.Malformed",
                       "The amount of specified specified snapshot Ids exceeds the limit.", 403)
    if status and status not in _STATUS:
        raise EcsError("InvalidStatus.NotFound", "The specified Status is not found.", 404)
    if snapshot_type and snapshot_type not in _TYPES:
        raise EcsError("InvalidSnapshotType.NotFound", "The specfied SnapshotType is not found.", 404)
    if source_disk_type and source_disk_type.lower() not in SOURCE_DISK_TYPES:
        raise EcsError("InvalidSourceDiskType", "The specifed SourceDiskType is not valid.", 404)
    if usage and usage not in _USAGES:
        raise EcsError("InvalidUsage", "The specifed Usage is not valid.", 404)
    if category and category.lower() not in CATEGORIES:
        raise BAD_CATEGORY
    wanted_tags = tag_filter(tag)
    instance_clock.settle_due(ctx)  # (an instance released by then took its disks: they take no more)
    auto_snapshots.settle_due(ctx)  # (the automatic snapshots due by the mock clock, before listing)
    if unfiltered:
        page, meta = paging.ordered_page(ctx, "snapshot", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, next_token, max_results, newest_first=True)
        return {**meta, "Snapshots": {"Snapshot": [resources.wire({**r, "Usage": usage_of(ctx, r)}) for r in page]}}

    matches = []
    narrower = (("disk", disk_id) if disk_id else None, ("instance", instance_id) if instance_id else None,
                resource_groups.term(resource_group_id) if resource_group_id else None)
    for record in resources.mine_among(ctx, "snapshot", snapshot_ids, *narrower, tags=wanted_tags):
        record = {**record, "Usage": usage_of(ctx, record)}
        if ((disk_id and record["SourceDiskId"] != disk_id)
                or (instance_id and record.get("_instance_id") != instance_id)
                or (snapshot_name and record["SnapshotName"] != snapshot_name)
                or (status and status != "all" and record["Status"] != status)
                or (snapshot_type and snapshot_type != "all" and record["SnapshotType"] != snapshot_type)
                or (source_disk_type and record["SourceDiskType"] != source_disk_type.lower())
                or (usage and record["Usage"] != usage)
                or (encrypted is not None and record["Encrypted"] != encrypted)
                or (kms_key_id and record["KMSKeyId"] != kms_key_id)
                or (category and record["Category"] != category.lower())
                or (snapshot_link_id and record["SnapshotLinkId"] != snapshot_link_id)
                or (resource_group_id and record["ResourceGroupId"] != resource_group_id)
                or not resources.match_tags(record, wanted_tags)):
            continue
        created = resources.parse_iso(record["CreationTime"]) or 0.0
        if (start is not None and created < start) or (end is not None and created > end):
            continue
        matches.append(record)
    # Newest first, as the service lists them.
    matches.sort(key=lambda r: (r["CreationTime"], r["SnapshotId"]), reverse=True)
    page, meta = paginate(matches, page_number, page_size, next_token, max_results)
    return {**meta, "Snapshots": {"Snapshot": [resources.wire(r) for r in page]}}


@operation("DeleteSnapshot", S("SnapshotId", required=True), B("Force", default=False),
           region="optional", region_of=resources.region_from("snapshot_id"))
def delete_snapshot(ctx: Context, snapshot_id: str, force: bool) -> dict:
    auto_snapshots.settle_due(ctx)  # (an automatic snapshot past its retention is gone by now)
    record = resources.owned(ctx, "snapshot", snapshot_id, NOT_FOUND)
    # An image made from the snapshot pins it whatever Force says (spec §2.5, §4.3).
    if ctx.txn.ids("image", ("snapshot", snapshot_id)):
        raise EcsError("SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).", 403)
    if not force and ctx.txn.ids("disk", ("snapshot", snapshot_id)):
        raise EcsError("SnapshotCreatedDisk", "The snapshot has been used to create disk(s).", 403)
    resources.delete(ctx.txn, "snapshot", record["SnapshotId"])
    return {}


@operation("ModifySnapshotAttribute", S("SnapshotId", required=True), S("SnapshotName"), S("Description"),
           B("DisableInstantAccess"), I("RetentionDays"),
           region="optional", region_of=resources.region_from("snapshot_id"))
def modify_snapshot_attribute(ctx: Context, snapshot_id: str, snapshot_name: Optional[str],
                              description: Optional[str], disable_instant_access: Optional[bool],
                              retention_days: Optional[int]) -> dict:
    _check_name(snapshot_name)
    _check_description(description)
    _check_retention(retention_days)
    auto_snapshots.settle_due(ctx)  # (an automatic snapshot past its retention is gone by now)
    record = resources.owned(ctx, "snapshot", snapshot_id, SNAPSHOT_ID_NOT_FOUND)
    if snapshot_name is None and description is None and retention_days is None and not disable_instant_access:
        raise EcsError("NoAttributeToModify", "No attribute to be modified in this request.", 400)
    if record["Status"] != "accomplished":
        raise EcsError("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 400)
    # Retention is only lengthened (documented); a snapshot kept for good (0) may be given one [GUESS].
    if retention_days is not None and 0 < record["RetentionDays"] and retention_days < record["RetentionDays"]:
        raise EcsError("InvalidOperation.DecreaseRetentionDaysUnsupported",
                       "The requested operation to decrease retention days for the snapshot is not supported.", 400)
    changed: dict[str, Any] = {"LastModifiedTime": resources.iso(ctx.now)}
    if snapshot_name is not None:
        changed["SnapshotName"] = snapshot_name
    if description is not None:
        changed["Description"] = description
    if retention_days is not None:
        changed["RetentionDays"] = retention_days
    if disable_instant_access:  # (deprecated: ESSD snapshots are instantly usable anyway)
        changed.update(InstantAccess=False, InstantAccessRetentionDays=0)
    record = resources.put(ctx.txn, "snapshot", {**record, **changed})
    if retention_days is not None:  # (its deletion moves with its retention)
        auto_snapshots.retain(ctx.txn, record)
    return {}


# -- CopySnapshot ---------------------------------------------------------------------------------
def copy_into(ctx: Context, original: Mapping[str, Any], region: str, source_region: str, source_snapshot_id: str,
              size: int, disk_type: str, encrypted: bool, kms_key_id: Optional[str], **make: Any) -> dict:
    """A new snapshot in ``region`` copied from ``original`` (a snapshot record, or ``{}`` when it is gone):
    CopySnapshot, and CopyImage for each snapshot of the image. ``make`` goes to :func:`make_snapshot`."""
    disk = {"DiskId": original.get("SourceDiskId", ""), "Size": size, "Type": disk_type, "_owner": ctx.account,
            "_region": region, "_image_id": original.get("_image_id", ""), "Encrypted": encrypted,
            "KMSKeyId": kms_key_id or "", "ProductCode": original.get("ProductCode", "")}
    snap = make_snapshot(ctx, disk, **make)
    snap = {**snap, "SourceRegionId": source_region, "SourceSnapshotId": source_snapshot_id, "_instance_id": ""}
    return resources.put(ctx.txn, "snapshot", snap)


_COPY_REGION_ERROR = ("InvalidRegionId.MalFormed", 400, "The specified RegionId is not valid.")


def _copy_error(code: str, message: str) -> EcsError:
    return EcsError(code, message, 403)  # CopySnapshot documents its refusals as 403


@operation("CopySnapshot",
           S("SnapshotId", required=True), S("DestinationRegionId", required=True),
           S("DestinationSnapshotName", required=True), S("DestinationSnapshotDescription", required=True),
           I("RetentionDays"), B("Encrypted"), S("KMSKeyId"), S("ResourceGroupId"),
           S("DestinationStorageLocationArn"), TAGS_MAX_20,
           region_error=_COPY_REGION_ERROR, idempotent=True)
def copy_snapshot(ctx: Context, snapshot_id: str, destination_region_id: str, destination_snapshot_name: str,
                  destination_snapshot_description: str, retention_days: Optional[int], encrypted: Optional[bool],
                  kms_key_id: Optional[str], resource_group_id: Optional[str],
                  destination_storage_location_arn: Optional[str], tag: Optional[list[dict]]) -> dict:
    if not valid_name(destination_snapshot_name) or destination_snapshot_name.lower().startswith("auto"):
        raise _copy_error("InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.")
    if not valid_description(destination_snapshot_description):
        raise _copy_error("InvalidDescription.Malformed", "The specified description is wrongly formed.")
    if retention_days is not None and not 1 <= retention_days <= 65536:
        raise _copy_error("InvalidRetentionDays.Malformed", "The specified RetentionDays is not valid.")
    if kms_key_id and not encrypted:
        raise _copy_error("InvalidEncrypted.NotMatchKmsKeyId",
                          "The specified parameter Encrypted must be true when KmsKeyId is not empty.")
    tags = resources.tags_from_args(tag)
    if not regions.exists(destination_region_id):
        raise _copy_error("InvalidRegionId.NotExists", "Region not exists.")
    if destination_region_id == ctx.region:
        raise _copy_error("InvalidOperation.NotSupportCopyInSameRegion",
                          "Copying snapshot in the same region is not supported.")
    kms.check(ctx, destination_region_id, kms_key_id, errors=kms.COPY_KEY_ERRORS)  # (a key of the copy's region)
    auto_snapshots.settle_due(ctx)  # (an automatic snapshot past its retention is gone by now)
    source = resources.get(ctx, "snapshot", snapshot_id)
    if not resources.is_mine(ctx, source):
        raise _copy_error("InvalidSnapshotId.NotFound", "The specified snapshot is not exists.")
    if source["Status"] != "accomplished":
        raise _copy_error("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
    if source.get("Category") == "flash":  # (documented: local snapshots are not copied)
        raise _copy_error("InvalidSnapshotCategory.NotSupportCopy",
                          "The specified snapshot's category does not support copy.")
    # [GUESS] an encrypted snapshot copies encrypted unless Encrypted=false is asked for, which is refused.
    if source.get("Encrypted") and encrypted is False:
        raise _copy_error("InvalidEncrypted.NotSupportDecrypt", "Encrypted snapshot not support copy to decrypt "
                          "snapshot.")
    copy_encrypted = bool(encrypted or source.get("Encrypted"))
    for other_id in ctx.txn.ids("snapshot", ("disk", source["SourceDiskId"])) if source["SourceDiskId"] else ():
        other = resources.get(ctx, "snapshot", other_id)
        if (other is not None and other["_region"] == destination_region_id and other["SourceRegionId"]
                and other["Status"] == "progressing"):
            if copy_encrypted or other.get("Encrypted"):  # (an encrypted copy: its own documented code)
                raise _copy_error("InvalidOperation.UnfinishedEncryptedSnapshotCopy",
                                  "This disk has unfinished encrypted copy snapshots in the target region.")
            raise _copy_error("InvalidOperation.UnfinishedCrossRegionCopy",
                              "This disk has unfinished cross-region copy snapshots in the target region.")
    if snapshots.over_quota(ctx, destination_region_id):
        raise _copy_error("QuotaExceed.SnapshotQuota",
                          "The quota is insufficient, please contact your channel partner to increase the quota.")
    record = copy_into(ctx, source, destination_region_id, ctx.region, snapshot_id, int(source["SourceDiskSize"]),
                       source["SourceDiskType"], copy_encrypted,
                       kms_key_id or (source.get("KMSKeyId") if source.get("Encrypted") else ""),
                       name=destination_snapshot_name, description=destination_snapshot_description, tags=tags,
                       retention_days=retention_days, category=source.get("Category"))
    return {"SnapshotId": record["SnapshotId"]}

"""Snapshot-consistent groups: CreateSnapshotGroup, DescribeSnapshotGroups, ModifySnapshotGroup, DeleteSnapshotGroup
(Terraform's ``alicloud_ecs_snapshot_group``; a build that images a whole machine at one point in time).

A group holds one snapshot per disk (an instance's disks, less ``ExcludeDiskId.N``, or ``DiskId.N`` of one zone),
made as CreateSnapshot makes them: each on the snapshot lifecycle (instant by default), listed by DescribeSnapshots
like any other, with two system tags naming the group and where it came from (``acs:ecs:snapshotGroupId``,
``acs:ecs:createFrom`` [GUESS: the metadata's example shows the second]). The group's ``Status`` follows its
snapshots: ``progressing`` while one is, ``failed`` if one failed, else ``accomplished``. DeleteSnapshotGroup deletes
its snapshots as DeleteSnapshot would, each answered in ``OperationProgressSet``: one an image or disk was made from
stays (``SnapshotCreatedImage`` / ``SnapshotCreatedDisk``), and the group stays while it holds one.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import TAGS, tag_filter
from mockecs.ops.registry import Context, operation
from mockecs.ops.snapshots import make_snapshot
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS as TAGS_MAX_20
from mockecs.wire.params import B, I, Repeat, S
from mockecs.world import disks, paging, resource_groups, resources, snapshots
from mockecs.world.validation import valid_name

KIND = snapshots.GROUP  # (its id prefix and id field are in world.resources)
MAX_DISKS = 16  # documented: DiskId.N, N 1-16
MAX_CAPACITY = 32 * 1024  # GiB: at most 32 TiB in one group (documented)
STATUSES = ("progressing", "accomplished", "failed")

GROUP_NOT_FOUND = error_kind("InvalidSnapshotGroup.NotFound",
                             "The SnapshotGroupId provided does not exist in our records.", 404)
INSTANCE_MISSING = error_kind("MissingParamter.InstanceId",  # (sic: the documented code)
                              "The specified InstanceId should not be null.", 400)
BOTH_DISK_LISTS = error_kind("InvalidParam.ExcludeDiskIdsAndDiskIds.Conflict",
                             "The use of parameter 'ExcludeDiskIds' and 'DiskIds' at the same time is not supported.",
                             400)
BAD_NAME = error_kind("InvalidParameter.Name", "The specified Name is invalid.", 400)
BAD_DESCRIPTION = error_kind("InvalidParameter.Description", "The specified Description is invalid.", 400)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
INSTANCE_STATUS = error_kind("IncorrectInstanceStatus",
                             "The current status of the resource does not support this operation.", 403)
DISK_NOT_FOUND = error_kind("InvalidDiskId.NotFound", "The specified DiskId does not exist.", 404)
NOT_ITS_DISK = error_kind("DiskId.ValueNotSupported", "The specified parameter diskid is not supported.", 403)
OTHER_ZONE = error_kind("InvalidDiskIds.NotInSameZone", "The specified disks are not in the same availability zone.",
                        400)
NO_DISK = error_kind("InvalidInstance.NoDisk", "There is no disk mounted on the instance.", 403)
TOO_MANY = error_kind("NumberExceed.TooManyDisks", "The number of all disks in the request exceeds.", 403)
TOO_LARGE = error_kind("CapacityExceed.TooManyDisks", "The capacity of all disks in the request exceeds.", 403)
NEVER_ATTACHED = error_kind("IncorrectDiskStatus.NeverAttached",
                            "The specified disk has never been attached to any instance.", 403)
CREATING = error_kind("IncorrectDiskStatus.CreatingSnapshot", "A previous snapshot creation is in process.", 403)
BAD_STATUS = error_kind("InvalidStatus.ValueNotSupported", "The specified Status is not supported.", 403)  # ("%s")
# DeleteSnapshotGroup's rows for a snapshot it keeps (DeleteSnapshot's codes)
KEPT = {"image": ("SnapshotCreatedImage", "The snapshot has been used to create user defined image(s)."),
        "disk": ("SnapshotCreatedDisk", "The snapshot that you are trying to delete is in use by one or more Disks.")}


def _check_text(name: Optional[str], description: Optional[str]) -> None:
    if name is not None and (not valid_name(name) or name.lower().startswith(("http://", "https://"))):
        raise BAD_NAME
    if description is not None and (not 2 <= len(description) <= 256
                                    or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION


def _disks(ctx: Context, instance_id: Optional[str], disk_ids: list[str], excluded: list[str]) -> list[dict]:
    """The disks a new group snapshots, checked as CreateSnapshot checks one."""
    if instance_id:
        instance = resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)
        if instance["Status"] not in ("Running", "Stopped"):
            raise INSTANCE_STATUS
        attached = [d for d in resources.get_many(ctx, "disk", sorted(ctx.txn.ids("disk", ("instance", instance_id))))
                    if d is not None]
        if any(d not in {a["DiskId"] for a in attached} for d in disk_ids):
            raise NOT_ITS_DISK
        chosen = [d for d in attached if (d["DiskId"] in disk_ids if disk_ids else d["DiskId"] not in excluded)]
    else:
        chosen = [resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND) for disk_id in dict.fromkeys(disk_ids)]
        if len({d["ZoneId"] for d in chosen}) > 1:
            raise OTHER_ZONE
    if not chosen:
        raise NO_DISK
    if len(chosen) > MAX_DISKS:
        raise TOO_MANY
    if sum(int(d.get("Size") or 0) for d in chosen) > MAX_CAPACITY:
        raise TOO_LARGE
    for disk in chosen:
        if disks.multi_attach(disk):  # (documented; an instance's group leaves it out with ExcludeDiskId)
            raise disks.MULTI_ATTACH_DISK
        if not disk.get("_attached_once"):
            raise NEVER_ATTACHED
        if disks.snapshot_in_progress(ctx, disk["DiskId"]):
            raise CREATING
    chosen.sort(key=lambda d: (d["Type"] != "system", d["DiskId"]))  # (the system disk's first)
    return chosen


@operation("CreateSnapshotGroup", S("InstanceId"), B("InstantAccess"), I("InstantAccessRetentionDays"), S("Name"),
           S("Description"), Repeat("ExcludeDiskId", max_items=MAX_DISKS), Repeat("DiskId"), TAGS_MAX_20,
           S("ResourceGroupId"), S("StorageLocationArn"),
           idempotent=("IdempotentParameterMismatch", "The specified clientToken is used.", 403))
def create_snapshot_group(ctx: Context, instance_id: Optional[str], instant_access: Optional[bool],
                          instant_access_retention_days: Optional[int], name: Optional[str],
                          description: Optional[str], exclude_disk_id: Optional[list[str]],
                          disk_id: Optional[list[str]], tag: Optional[list[dict]], resource_group_id: Optional[str],
                          storage_location_arn: Optional[str]) -> dict:
    if exclude_disk_id and disk_id:
        raise BOTH_DISK_LISTS
    if not instance_id and not disk_id:
        raise INSTANCE_MISSING
    _check_text(name, description)
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    chosen = _disks(ctx, instance_id, disk_id or [], exclude_disk_id or [])
    group_id = resources.new_id(KIND, ctx.region)
    owners = {d.get("InstanceId") or "" for d in chosen}
    source = instance_id or (owners.pop() if len(owners) == 1 else "")
    snapshot_ids = []
    for disk in chosen:
        system_tags = [{"TagKey": "acs:ecs:snapshotGroupId", "TagValue": group_id},
                       {"TagKey": "acs:ecs:createFrom", "TagValue": disk.get("InstanceId") or disk["DiskId"]}]
        snapshot_ids.append(make_snapshot(ctx, disk, None, None, system_tags, None, group)["SnapshotId"])
    resources.put(ctx.txn, KIND, {
        "SnapshotGroupId": group_id, "Name": name or "", "Description": description or "", "InstanceId": source,
        "ResourceGroupId": group, "CreationTime": resources.iso(ctx.now), "Tags": {"Tag": tags},
        "_snapshots": snapshot_ids, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    return {"SnapshotGroupId": group_id}


def _snapshots(ctx: Context, record: Mapping[str, Any]) -> list[dict]:
    """The group's snapshots still stored, their lifecycle settled."""
    return [s for s in resources.get_many(ctx, "snapshot", record["_snapshots"]) if s is not None]


def _status(held: list[dict]) -> str:
    statuses = {s["Status"] for s in held}
    return "progressing" if "progressing" in statuses else "failed" if "failed" in statuses else "accomplished"


def _view(record: Mapping[str, Any], held: list[dict]) -> dict:
    return {
        "SnapshotGroupId": record["SnapshotGroupId"], "Name": record["Name"], "Description": record["Description"],
        "InstanceId": record["InstanceId"], "Status": _status(held), "CreationTime": record["CreationTime"],
        "ProgressStatus": "", "ResourceGroupId": record["ResourceGroupId"],
        "Tags": resources.key_value_tags(record),
        "Snapshots": {"Snapshot": [{
            "SnapshotId": s["SnapshotId"], "SourceDiskId": s["SourceDiskId"], "SourceDiskType": s["SourceDiskType"],
            "Progress": s["Progress"], "Available": s["Available"], "InstantAccess": s.get("InstantAccess", False),
            "InstantAccessRetentionDays": s.get("InstantAccessRetentionDays", 0),
            "Tags": resources.key_value_tags(s)}
            for s in held]},
    }


@operation("DescribeSnapshotGroups", S("InstanceId"), S("Name"), S("NextToken"), I("MaxResults", min=1, max=100),
           Repeat("SnapshotGroupId", max_items=10), Repeat("Status", max_items=10),
           Repeat("AdditionalAttributes", max_items=5), TAGS, S("ResourceGroupId"))
def describe_snapshot_groups(ctx: Context, instance_id: Optional[str], name: Optional[str], next_token: Optional[str],
                             max_results: Optional[int], snapshot_group_id: Optional[list[str]],
                             status: Optional[list[str]], additional_attributes: Optional[list[str]],
                             tag: Optional[list[dict]], resource_group_id: Optional[str]) -> dict:
    """Creation order, NextToken pages (MaxResults: 10 by default, documented). The caller's groups in the region
    are read through the narrowest index the filters allow; Status is each group's snapshots'."""
    if status and any(s not in STATUSES for s in status):
        raise BAD_STATUS
    wanted_tags = tag_filter(tag)
    narrower = [("snapshot_group_instance", instance_id) if instance_id else None,
                resource_groups.term(resource_group_id) if resource_group_id else None]
    found = []
    for record in resources.mine_among(ctx, KIND, snapshot_group_id, *narrower, tags=wanted_tags):
        if record["_region"] != ctx.region or (instance_id and record["InstanceId"] != instance_id) \
                or (name and record["Name"] != name) or not resources.match_tags(record, wanted_tags) \
                or (resource_group_id and record["ResourceGroupId"] != resource_group_id):
            continue
        held = _snapshots(ctx, record)
        if not status or _status(held) in status:
            found.append((record, held))
    found.sort(key=lambda pair: (pair[0]["_created"], pair[0]["SnapshotGroupId"]))
    page, token = paging.by_token(found, max_results or 10, next_token)
    return {"NextToken": token, "SnapshotGroups": {"SnapshotGroup": [_view(r, held) for r, held in page]}}


@operation("ModifySnapshotGroup", S("SnapshotGroupId", required=True), S("Name"), S("Description"))
def modify_snapshot_group(ctx: Context, snapshot_group_id: str, name: Optional[str],
                          description: Optional[str]) -> dict:
    _check_text(name, description)
    record = resources.owned(ctx, KIND, snapshot_group_id, GROUP_NOT_FOUND)
    changed = {k: v for k, v in (("Name", name), ("Description", description)) if v is not None}
    resources.put(ctx.txn, KIND, {**record, **changed})
    return {}


@operation("DeleteSnapshotGroup", S("SnapshotGroupId", required=True))
def delete_snapshot_group(ctx: Context, snapshot_group_id: str) -> dict:
    record = resources.owned(ctx, KIND, snapshot_group_id, GROUP_NOT_FOUND)
    rows, kept = [], []
    for snapshot in _snapshots(ctx, record):
        snapshot_id = snapshot["SnapshotId"]
        used = "image" if ctx.txn.ids("image", ("snapshot", snapshot_id)) else \
            "disk" if ctx.txn.ids("disk", ("snapshot", snapshot_id)) else None
        if used:
            kept.append(snapshot_id)
            code, message = KEPT[used]
        else:
            resources.delete(ctx.txn, "snapshot", snapshot_id)
            code = message = ""
        rows.append({"OperationStatus": "Failed" if used else "Success", "ErrorCode": code, "ErrorMsg": message,
                     "RelatedItemSet": {"RelatedItem": [{"Name": "SnapshotId", "Value": snapshot_id}]}})
    if kept:  # (the group stays while it holds a snapshot [GUESS])
        resources.put(ctx.txn, KIND, {**record, "_snapshots": kept})
    else:
        resources.delete(ctx.txn, KIND, snapshot_group_id)
    return {"OperationProgressSet": {"OperationProgress": rows}}

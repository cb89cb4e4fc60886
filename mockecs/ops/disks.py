"""CreateDisk, AttachDisk, DetachDisk, DeleteDisk, ModifyDiskAttribute, ResizeDisk, ModifyDiskSpec, and a disk
re-initialised: ResetDisk (to one of its snapshots), ResetDisks (several at once), ReInitDisk (to what it was
made from).

Disk records (kind ``disk``) are those RunInstances makes (:func:`mockecs.ops.instances.make_disk`),
in the wire shape of DescribeDisks. Statuses follow the lifecycle clock of kind ``disk``:
Creating -> Available, Attaching -> In_use, Detaching -> Available (instant by default).
AttachDisk, DetachDisk and DeleteDisk declare no RegionId: they find the disk wherever it lives.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import (
    DATA_DEVICES,
    DISK_CATEGORIES,
    INCORRECT_STATUS,
    TAGS,
    check_encrypt_algorithm,
    instance_disks,
    make_disk,
    start_stopped,
)
from mockecs.ops.registry import Context, operation
from mockecs.ops.snapshots import SNAPSHOT_ID_NOT_FOUND
from mockecs.ops.tasks import start_task
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter, missing_parameter
from mockecs.wire.params import B, I, L, Repeat, S, Struct, Structs
from mockecs.world import (
    access,
    account_states,
    auto_snapshots,
    disks,
    images,
    instance_clock,
    kms,
    launch,
    lifecycle,
    regions,
    resource_groups,
    resources,
    stock,
    storage_sets,
)
from mockecs.world.instance_types import instance_type
from mockecs.world.validation import BAD_PASSWORD, valid_description, valid_instance_name, valid_password

# A disk category sold out in the zone (mockecs.world.stock): CreateDisk's documented code (its message is "%s":
# the words of RunInstances' Zone.NotOnSale [GUESS]), ModifyDiskSpec's NoStock
CATEGORY_SOLD_OUT = error_kind("Zone.NotOnSale", "The resource in the specified zone is no longer available for "
                                                 "sale. Please try other regions and zones.", 400)
SPEC_NO_STOCK = error_kind("OperationDenied.NoStock", "The requested resource is sold out in the specified zone; try "
                                                      "other types of resources or other regions and zones.", 403)
DISK_NOT_FOUND = error_kind("InvalidDiskId.NotFound", "The specified disk does not exist.", 404)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
DISK_STATUS = error_kind("IncorrectDiskStatus", "The current disk status does not support this operation.", 403)
NOT_PORTABLE = error_kind("DiskNotPortable", "The specified disk is not a portable disk.", 403)
CREATING_SNAPSHOT = error_kind("DiskCreatingSnapshot",
                               "The operation is denied due to a snapshot of the specified disk is not completed yet.",
                               403)
# CreateDisk documents its own message for an unknown InstanceId.
NO_SUCH_INSTANCE = error_kind("InvalidInstanceId.NotFound", "The InstanceId provided does not exist in our records.",
                              404)
STORAGE_SET_REFUSALS = storage_sets.Refusals(
    error_kind("InvalidStorageSetId.NotFound", "The specified storage set does not exist.", 400),
    error_kind("InvalidParameter.StorageSetPartitionNumber", "Specified parameter StorageSetPartitionNumber is not "
               "valid.", 403),
    error_kind("InvalidParameter.StorageSetZoneId", "Specified parameter StorageSetZoneId is not valid.", 403),
    error_kind("InvalidStorageSetId.DiskCategoryUnsupported",
               "The specified disk category does not support setting the StorageSetId.", 400))
_BY_DISK = {"region": "optional", "region_of": resources.region_from("disk_id")}
MULTI_ATTACH_BURSTING = error_kind("BurstingEnabledForMultiAttachDiskUnsupported",
                                   "The multi attach disk does not support bursting enabled.", 400)
DEFAULT_CATEGORY = "cloud"  # CreateDisk's documented default (refused with option basic_disk_checks)


def _check_disk_name(disk_name: str) -> None:
    if not valid_instance_name(disk_name):  # the same rule as instance names
        raise EcsError("InvalidDiskName.Malformed", "The specified disk name is wrongly formed.", 400)


# -- CreateDisk ---------------------------------------------------------------------------------
def _create_errors(category: str, size: Optional[int], performance_level: Optional[str], multi_attach: Optional[str],
                   provisioned_iops: Optional[int], bursting_enabled: Optional[bool], disk_name: Optional[str],
                   description: Optional[str], encrypted: Optional[bool], kms_key_id: Optional[str],
                   encrypt_algorithm: Optional[str]) -> None:
    """The documented refusals of CreateDisk's own parameters, checked before anything is looked up."""
    if category not in DISK_CATEGORIES:
        raise EcsError("InvalidDiskCategory.ValueNotSupported", 'The specified parameter "DiskCategory" is not valid.',
                       400)
    if disk_name:
        _check_disk_name(disk_name)
    if description and not valid_description(description):
        raise EcsError("InvalidDescription.Malformed", "The specified description is wrongly formed.", 400)
    if size is not None and not 1 <= size <= 65536:
        raise EcsError("InvalidSize.ValueNotSupported", "The specified parameter Size is not valid.", 400)
    if performance_level and (category != "cloud_essd" or performance_level not in disks.PERFORMANCE_LEVELS):
        raise EcsError("InvalidPerformanceLevel.Malformed", "The specified parameter PerformanceLevel is not valid.",
                       400)
    if multi_attach is not None:
        if multi_attach not in ("Enabled", "Disabled"):
            raise EcsError("InvalidParameter.MultiAttach", "The specified param MultiAttach is not valid.", 403)
        if multi_attach == "Enabled" and category not in disks.MULTI_ATTACH_CATEGORIES:
            raise EcsError("InvalidParameter.DiskCategoryAndMultiAttachNotMatch",
                           "The specified disk category does not support multi attach enabled.", 403)
        if multi_attach == "Enabled" and bursting_enabled:
            raise MULTI_ATTACH_BURSTING
    if provisioned_iops is not None and category != "cloud_auto":
        raise EcsError("ProvisionedIopsForDiskCategoryUnsupported",
                       "The specified disk category does not support provisioned iops.", 400)
    if bursting_enabled is not None and category != "cloud_auto":
        raise EcsError("BurstingEnabledForDiskCategoryUnsupported",
                       "The specified disk category does not support bursting enabled.", 400)
    if kms_key_id and not encrypted:
        raise EcsError("InvalidEncrypted.NotMatchKmsKeyId",
                       "The specified parameter Encrypted must be true when KmsKeyId is not empty.", 400)
    if encrypt_algorithm:
        if not encrypted:
            raise EcsError("InvalidEncrypted.NotMatchEncryptAlgorithm",
                           "The specified parameter Encrypted must be true when EncryptAlgorithm is not empty.", 400)
        if encrypt_algorithm not in ("AES-256", "SM4-128"):
            raise EcsError("InvalidEncryptAlgorithm", "The specified parameter EncryptAlgorithm is not valid.", 400)


def _from_snapshot(ctx: Context, snapshot_id: str, encrypted: Optional[bool],
                   kms_key_id: Optional[str]) -> Mapping[str, Any]:
    auto_snapshots.settle_due(ctx)  # (an automatic snapshot past its retention is gone by now)
    snapshot = resources.get(ctx, "snapshot", snapshot_id)
    if snapshot is None or snapshot["_owner"] != ctx.account or snapshot["_region"] != ctx.region:
        raise EcsError("InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)
    if snapshot["Status"] != "accomplished":
        raise EcsError("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
    if snapshot.get("Encrypted") and encrypted is False:
        raise EcsError("InvalidEncrypted.NotMatchSnapshot",
                       "The specified parameter Encrypted is different from the Encrypted of the snapshot.", 400)
    if snapshot.get("Encrypted") and kms_key_id and kms_key_id != snapshot.get("KMSKeyId"):
        raise EcsError("InvalidKmsKeyId.NotMatchSnapshot",
                       "The specified parameter KmsKeyId is different from the KmsKeyId of the snapshot.", 400)
    return snapshot


CLUSTER_AND_INSTANCE = error_kind("InvalidStorageClusterId.ConflictWithInstanceId",
                                  "The specified StorageClusterId is in conflict with instanceId.")
CLUSTER_AND_STORAGE_SET = error_kind("InvalidStorageClusterId.ConflictWithStorageSetId",
                                     "The specified StorageClusterId is in conflict with storageSetId.")
SNAPSHOT_TOO_LARGE = error_kind("InvalidSnapshot.TooLarge", "The capacity of snapshot exceeds 2000GB.", 403)


# A disk for an instance (InstanceId) of a category its type does not sell [GUESS: of CreateDisk's documented
# codes, the one naming a data disk category], or in a zone that does not offer it (the service's answer to a
# basic disk in a zone without them, alicloud-storage-provisioner#3)
CREATE_NOT_FOR_TYPE = error_kind("InvalidDataDiskCategory.NotSupported", "Specified disk category is not supported.",
                                 403)


@operation("CreateDisk",
           S("ZoneId"), S("InstanceId"), S("SnapshotId"), S("DiskName"), I("Size"), S("DiskCategory"),
           S("Description"), B("Encrypted"), S("KMSKeyId"), S("EncryptAlgorithm"), S("PerformanceLevel"),
           S("MultiAttach"), I("ProvisionedIops", min=0), B("BurstingEnabled"), S("ResourceGroupId"),
           S("StorageSetId"), I("StorageSetPartitionNumber"), S("StorageClusterId"), S("AdvancedFeatures"),
           TAGS, idempotent=True)
def create_disk(ctx: Context, zone_id: Optional[str], instance_id: Optional[str], snapshot_id: Optional[str],
                disk_name: Optional[str], size: Optional[int], disk_category: Optional[str],
                description: Optional[str], encrypted: Optional[bool], kms_key_id: Optional[str],
                encrypt_algorithm: Optional[str], performance_level: Optional[str], multi_attach: Optional[str],
                provisioned_iops: Optional[int], bursting_enabled: Optional[bool], resource_group_id: Optional[str],
                storage_set_id: Optional[str], storage_set_partition_number: Optional[int],
                storage_cluster_id: Optional[str], tag: Optional[list[dict]], **_: Any) -> dict:
    category = disk_category or DEFAULT_CATEGORY
    if instance_id:  # documented: with InstanceId, ResourceGroupId, Tag.N and KMSKeyId are ignored
        tag, resource_group_id, kms_key_id = None, None, None
    _create_errors(category, size, performance_level, multi_attach, provisioned_iops, bursting_enabled, disk_name,
                   description, encrypted, kms_key_id, encrypt_algorithm)
    if zone_id and instance_id:
        raise EcsError("InvalidParam.ZoneIdAndInstanceId.Conflict",
                       "The specified parameter 'ZoneId' and 'InstanceId' are not blank at the same time.", 403)
    if not zone_id and not instance_id:
        raise missing_parameter("ZoneId")
    if size is None and not snapshot_id:
        raise EcsError("MissingParameter", 'The input parameter either "SnapshotId" or "Size" should be specified.',
                       400)
    if instance_id and multi_attach == "Enabled":
        raise EcsError("InvalidParameter.MultiAttachAndInstanceIdConflict",
                       "The parameter MultiAttach and InstanceId are conflict.", 403)
    if storage_cluster_id:  # (documented: not with InstanceId, nor with a storage set; then looked up)
        if instance_id:
            raise CLUSTER_AND_INSTANCE
        if storage_set_id or storage_set_partition_number is not None:
            raise CLUSTER_AND_STORAGE_SET
        raise disks.STORAGE_CLUSTER_NOT_FOUND
    kms.check_opt_out(ctx, encrypted)
    kms.check(ctx, ctx.region, kms_key_id, errors=kms.CREATE_DISK_KEY_ERRORS)
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    snapshot = _from_snapshot(ctx, snapshot_id, encrypted, kms_key_id) if snapshot_id else None
    if snapshot is not None:
        check_encrypt_algorithm(snapshot, encrypt_algorithm)
    low, high = disks.data_disk_range(category, performance_level)
    if snapshot is not None:
        if int(snapshot["SourceDiskSize"]) > high:  # (a basic disk's 2,000 GiB: the documented words)
            raise SNAPSHOT_TOO_LARGE
        # A snapshot larger than Size makes a disk of the snapshot's size (documented).
        size = max(size or 0, int(snapshot["SourceDiskSize"]))
    if not low <= (size or 0) <= high:
        raise EcsError("InvalidDiskSize.NotSupported", "The specified parameter size is not valid.", 400)
    instance = None
    if instance_id:  # a subscription disk attached to a subscription instance at once
        instance = resources.owned(ctx, "instance", instance_id, NO_SUCH_INSTANCE)
        if instance.get("InstanceChargeType") != "PrePaid":
            raise EcsError("InvalidInstanceChargeType.ValueNotSupported",
                           "The InstanceChargeType does not support this action.", 403)
        _check_room(ctx, instance)
        if not launch.sells_disk(ctx, instance_type(instance.get("InstanceType")), category, "data"):
            raise CREATE_NOT_FOR_TYPE
        zone_id = instance["ZoneId"]
        group = instance.get("ResourceGroupId") or group  # [GUESS] the disk follows its instance's group
    elif zone_id not in regions.zone_ids(ctx.region):
        raise EcsError("InvalidZoneId.NotFound", "The specified zone does not exist.", 404)
    elif multi_attach == "Enabled" and not disks.multi_attach_zone(zone_id):
        raise EcsError("OperationDenied.ZoneNotSupportMultiAttachDisk",
                       "The specified zone does support multi attach disk.", 403)
    elif not launch.zone_offers_disk(ctx, zone_id, category):
        raise CREATE_NOT_FOR_TYPE
    if stock.disk_stock(stock.shortage(ctx, zone_id), category):
        raise CATEGORY_SOLD_OUT
    [in_set] = storage_sets.placements(ctx, storage_set_id, storage_set_partition_number, zone_id, [category],
                                       STORAGE_SET_REFUSALS)
    account_states.check_arrears(ctx, "CreateDisk")
    placement = {"InstanceId": "", "ZoneId": zone_id, "_region": ctx.region, "_owner": ctx.account,
                 "InstanceChargeType": "PrePaid" if instance else "PostPaid", "ResourceGroupId": group}
    record = make_disk(ctx, placement, "data", size, category, "", snapshot_id=snapshot_id or "",
                       name=disk_name or "", description=description or "",
                       encrypted=bool(encrypted or (snapshot or {}).get("Encrypted")),
                       delete_with_instance=bool(instance), performance_level=performance_level or "",
                       encrypt_algorithm=encrypt_algorithm or (snapshot or {}).get("_encrypt_algorithm", ""))
    record = {**record, **disks.detached(""), "Status": "Creating", "AttachedTime": "", "Portable": not instance,
              "KMSKeyId": kms_key_id or (snapshot or {}).get("KMSKeyId") or record["KMSKeyId"] if record["Encrypted"]
              else "",
              "MultiAttach": multi_attach or "Disabled", "BurstingEnabled": bool(bursting_enabled),
              "ProvisionedIops": provisioned_iops or 0, "Tags": {"Tag": tags}, "_attached_once": False,
              "DeleteAutoSnapshot": True,  # (documented: CreateDisk's disks lose their automatic snapshots with them)
              **disks.performance(category, record["Size"], record["PerformanceLevel"], provisioned_iops or 0),
              "_image_id": (snapshot or {}).get("_image_id", ""), **in_set}
    done: dict = {"Status": "Available"}
    if instance is not None:
        done = {**disks.attached(instance["InstanceId"], _free_device(ctx, instance), resources.iso(ctx.now))}
    record = lifecycle.start(ctx, "disk", record["DiskId"], record, done=done)
    resources.put(ctx.txn, "disk", record)
    return {"DiskId": record["DiskId"], "OrderId": ""}


# -- AttachDisk / DetachDisk ------------------------------------------------------------------
def _check_room(ctx: Context, instance: Mapping[str, Any]) -> None:
    itype = instance_type(instance.get("InstanceType")) or {}
    limit = min(int(itype.get("DiskQuantity") or 64), ctx.config.options["data_disks_per_instance"])
    if sum(d["Type"] == "data" for d in instance_disks(ctx, instance["InstanceId"])) >= limit:
        raise EcsError("InstanceDiskLimitExceeded",
                       "The amount of the disk on instance in question reach its limits.", 403)


def _free_device(ctx: Context, instance: Mapping[str, Any]) -> str:
    taken = {disks.device_on(d, instance["InstanceId"]) for d in instance_disks(ctx, instance["InstanceId"])}
    return next(d for d in DATA_DEVICES if d not in taken)


def _disk_and_instance(ctx: Context, disk_id: str, instance_id: str) -> tuple[dict, dict]:
    instance_clock.settle_due(ctx)  # (an instance released by the mock clock took or left its disks)
    disk = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    instance = resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)
    return disk, instance


# Multi-attach disks (documented: AttachDisk's and DetachDisk's codes; the NVMe protocol and multi-attach guides)
FORCE_MULTI_ATTACH = error_kind("InvalidParameterForce.MultiAttachDiskNotSupported",
                                "The multi attach disk does not support force attach operation.", 400)
MULTI_ATTACH_SYSTEM = error_kind("InvalidOperation.CanNotAttachMultiAttachDiskAsSystemDisk",
                                 "Multi attach disk can not be attached as system disk.", 403)
MULTI_ATTACH_DELETE = error_kind("DeleteWithInstance.Conflict",
                                 "Multi attach disk cannot be set to DeleteWithInstance attribute.", 403)
NO_MULTI_ATTACH_TYPE = error_kind("InvalidInstanceType.NotSupportMultiAttachDisk",
                                  "The instanceType of the specified instance does not support multi attach disk.", 403)
ATTACHED_TOO_OFTEN = error_kind("DiskAttachedNumberExceeded", "The attaching times of the specified disk exceeded.",
                                403)
DISK_IN_USE = error_kind("InvalidDisk.InUse", "The specified disk has been occupied.", 404)


def _check_multi_attach(disk: Mapping[str, Any], instance: Mapping[str, Any], bootable: bool,
                        delete_with_instance: Optional[bool], force: Optional[bool]) -> None:
    """What AttachDisk asks of a multi-attach disk: a data disk, never released with an instance, not forced, on an
    instance whose type speaks NVMe (the catalogue's NvmeSupport: the families the guide names), up to 16."""
    if force:
        raise FORCE_MULTI_ATTACH
    if bootable:
        raise MULTI_ATTACH_SYSTEM
    if delete_with_instance:  # (false is what it is anyway: Terraform's attachment sends it)
        raise MULTI_ATTACH_DELETE
    if (instance_type(instance.get("InstanceType")) or {}).get("NvmeSupport") != "required":
        raise NO_MULTI_ATTACH_TYPE
    if disk["Status"] == "In_use" and disks.on_instance(disk, instance["InstanceId"]):
        raise DISK_IN_USE
    if len(disks.attachments(disk)) >= disks.MULTI_ATTACH_MOST:
        raise ATTACHED_TOO_OFTEN


# (AttachDisk, ModifyDiskSpec, ModifyInstanceSpec, ModifyPrepayInstanceSpec document it; the CSI driver met it
# attaching an ESSD: kubernetes-sigs/alibaba-cloud-csi-driver#274)
TYPE_NOT_FOR_CATEGORY = error_kind("InvalidInstanceType.NotSupportDiskCategory",
                                   "The instanceType of the specified instance does not support this disk category.",
                                   403)

OWING_FEE = error_kind("DiskInArrears", "The specified operation is denied as your disk owing fee.", 403)
FORCE_PREPAID = error_kind("InvalidParameterForce.PrepaidDiskNotSupported",
                           "The prepaid disk does not support force attach operation.")
FORCE_CATEGORY = error_kind("InvalidParameterForce.DiskCategoryNotSupported",
                            "The specified disk category does not support force attach operation.")


@operation("AttachDisk",
           S("InstanceId", required=True), S("DiskId", required=True), S("Device"), B("DeleteWithInstance"),
           B("Bootable", default=False), S("Password"), S("KeyPairName"), B("Force"), **_BY_DISK)
def attach_disk(ctx: Context, instance_id: str, disk_id: str, device: Optional[str],
                delete_with_instance: Optional[bool], bootable: bool, password: Optional[str],
                key_pair_name: Optional[str], force: Optional[bool]) -> dict:
    """A disk attached to an instance; a multi-attach disk to one more instance (it stays In_use on the others)."""
    if device and device not in DATA_DEVICES and device != "/dev/xvda":
        raise EcsError("InvalidDevice.Malformed", "The specified device is not valid.", 400)
    disk, instance = _disk_and_instance(ctx, disk_id, instance_id)
    instance_clock.check_usable(instance)  # (an expired subscription: documented)
    if disks.in_arrears(disk):
        raise OWING_FEE
    shared = disks.multi_attach(disk)
    if shared:
        _check_multi_attach(disk, instance, bootable, delete_with_instance, force)
    elif force:  # (a forced attach moves a regional disk across zones: mockecs has no regional categories)
        raise FORCE_PREPAID if disk.get("DiskChargeType") == "PrePaid" else FORCE_CATEGORY
    if disk["Status"] == "In_use" and not shared:
        raise DISK_IN_USE
    if disk["Status"] not in ("Available", "In_use"):
        raise DISK_STATUS
    if disk["ZoneId"] != instance["ZoneId"]:
        raise EcsError("ResourcesNotInSameZone", "The specified instance and disk are not in the same zone.", 403)
    if not disk.get("Portable", True) and disk["Type"] == "data":
        raise NOT_PORTABLE
    if bootable:
        # Only the system disk an instance lost, back onto that stopped instance, with a login.
        if disk["Type"] != "system":
            raise EcsError("InvalidDisk.DiskNotBootable",
                           "The specified disk is not a bootable disk, can not be attached as system disk.", 400)
        if disk.get("_detached_from") != instance_id:
            raise EcsError("InvalidInstance.NotOriginInstance",
                           "The specified disk can not attached to other instance as system disk.", 400)
        if instance["Status"] != "Stopped":
            raise EcsError(INCORRECT_STATUS.code, INCORRECT_STATUS.message, 400)
        if any(d["Type"] == "system" for d in instance_disks(ctx, instance_id)):
            raise EcsError("InvalidDevice.InUse", "The specified device has been occupied.", 403)
        if not password and not key_pair_name:
            raise EcsError("InvalidParameter.AllEmpty", "Password and KeyPairName must not both be empty.", 400)
        device, disk_type = "/dev/xvda", "system"
    else:
        if instance["Status"] not in ("Running", "Stopped"):
            raise EcsError(INCORRECT_STATUS.code, INCORRECT_STATUS.message, 400)  # AttachDisk documents 400
        if device == "/dev/xvda":
            raise EcsError("InvalidDevice.Malformed", "The specified device is not valid.", 400)
        _check_room(ctx, instance)
        taken = {disks.device_on(d, instance_id) for d in instance_disks(ctx, instance_id)}
        if device and device in taken:
            raise EcsError("InvalidDevice.InUse", "The specified device has been occupied.", 403)
        device, disk_type = device or _free_device(ctx, instance), "data"
    if not launch.sells_disk(ctx, instance_type(instance.get("InstanceType")), disk["Category"], disk_type):
        raise TYPE_NOT_FOR_CATEGORY
    now = resources.iso(ctx.now)
    wiring = disks.attached(instance_id, device, now, shared, disks.attachments(disk) if shared else ())
    # During Attaching the disk already names its instance (DescribeDisks InstanceId), as the service shows.
    record = {**disk, **wiring, "Status": "Attaching", "Type": disk_type,
              "DeleteWithInstance": bool(delete_with_instance)}
    record = lifecycle.start(ctx, "disk", disk_id, record, done={"Status": "In_use"})
    resources.put(ctx.txn, "disk", record)
    if disk_type == "data" and instance["Status"] == "Stopped" and not instance.get("_restart_needed"):
        # (the instance sees the disk once started: CreateImage refuses it until then, documented)
        resources.put(ctx.txn, "instance", {**instance, "_restart_needed": True})
    return {}


@operation("DetachDisk", S("InstanceId", required=True), S("DiskId", required=True), B("DeleteWithInstance"),
           **_BY_DISK)
def detach_disk(ctx: Context, instance_id: str, disk_id: str, delete_with_instance: Optional[bool]) -> dict:
    """A disk detached from an instance; a multi-attach disk from that one (InstanceId), In_use while on others."""
    disk, instance = _disk_and_instance(ctx, disk_id, instance_id)
    shared = disks.multi_attach(disk)
    if shared and delete_with_instance:
        raise MULTI_ATTACH_DELETE
    if not disks.attached_instance_ids(disk) and disk["Status"] == "Available":
        raise EcsError("InvalidDisk.AlreadyDetached", "The specified disk has been detached.", 404)
    if not disks.on_instance(disk, instance_id):
        raise EcsError("DependencyViolation", "The specified disk has not been attached on the specified instance.",
                       403)
    if disk["Status"] != "In_use":
        raise DISK_STATUS
    # Data disks: the instance Running or Stopped; the system disk: Stopped (documented).
    allowed = ("Stopped",) if disk["Type"] == "system" else ("Running", "Stopped")
    if instance["Status"] not in allowed:
        raise INCORRECT_STATUS
    if disks.snapshot_in_progress(ctx, disk_id):
        raise DISK_STATUS
    # A detached disk is billed by use from now on (documented), so it becomes portable.
    keep = disk["Type"] == "system" and delete_with_instance is not False
    record = {**disk, "Status": "Detaching", "DeleteWithInstance": keep, "Portable": True,
              "_detached_from": instance_id}
    record = lifecycle.start(ctx, "disk", disk_id, record,
                             done=disks.detached_from(disk, instance_id, resources.iso(ctx.now)))
    resources.put(ctx.txn, "disk", record)
    return {}


# -- DeleteDisk ------------------------------------------------------------------------------------
@operation("DeleteDisk", S("DiskId", required=True), **_BY_DISK)
def delete_disk(ctx: Context, disk_id: str) -> dict:
    disk = resources.get(ctx, "disk", disk_id)
    if disk is None or disk["_owner"] != ctx.account or disk["_region"] != ctx.region:
        if ctx.config.options.get("delete_missing_disk", "error") == "ignore":
            return {}  # the API reference: "if the disk does not exist, the request is ignored"
        raise DISK_NOT_FOUND
    if disk["Status"] == "Creating":
        raise EcsError("IncorrectDiskStatus.Initializing", "The current disk status does not support this operation.",
                       403)
    if disk["Status"] != "Available":
        raise DISK_STATUS
    if not disk.get("Portable", True):
        raise NOT_PORTABLE
    if disks.snapshot_in_progress(ctx, disk_id):
        raise CREATING_SNAPSHOT
    auto_snapshots.released(ctx, disk)  # (its automatic snapshots go with it if DeleteAutoSnapshot)
    resources.delete(ctx.txn, "disk", disk_id)  # its other snapshots stay (documented)
    return {}


# -- ModifyDiskAttribute ------------------------------------------------------------------------------
@operation("ModifyDiskAttribute", S("DiskId"), Repeat("DiskIds"), S("DiskName"), S("Description"),
           B("DeleteWithInstance"), B("DeleteAutoSnapshot"), B("EnableAutoSnapshot"), B("BurstingEnabled"), **_BY_DISK)
def modify_disk_attribute(ctx: Context, disk_id: Optional[str], disk_ids: Optional[list[str]],
                          disk_name: Optional[str], description: Optional[str],
                          delete_with_instance: Optional[bool], delete_auto_snapshot: Optional[bool],
                          enable_auto_snapshot: Optional[bool], bursting_enabled: Optional[bool]) -> dict:
    """Name, description and release flags of one disk (DiskId) or several (DiskIds.N), all or none."""
    if disk_id and disk_ids:
        raise EcsError("ParameterConflict.DiskIdAndDiskIds",
                       "Specified parameter DiskId and DiskIds conflict, only one can be chosen.", 400)
    if not disk_id and not disk_ids:
        raise EcsError("MissingParameter.DiskIdOrDiskIds", "Specified parameter DiskId or DiskIds is missing.", 400)
    if disk_ids and len(disk_ids) > 100:
        raise EcsError("InvalidParameter", 'The specified parameter "DiskIds" is not valid.', 400)  # [GUESS]
    changes = {field: value for field, value in (
        ("DiskName", disk_name), ("Description", description), ("DeleteWithInstance", delete_with_instance),
        ("DeleteAutoSnapshot", delete_auto_snapshot), ("EnableAutoSnapshot", enable_auto_snapshot),
        ("BurstingEnabled", bursting_enabled)) if value is not None}
    if not changes:
        raise EcsError("NoAttributeToModify", "No attribute to be modified in this request.", 400)
    if disk_name is not None:
        _check_disk_name(disk_name)
    if description and not valid_description(description):
        raise EcsError("InvalidDescription.Malformed", "The specified description is wrongly formed.", 404)
    found = [resources.owned(ctx, "disk", i, DISK_NOT_FOUND) for i in dict.fromkeys(disk_ids or [disk_id])]
    if enable_auto_snapshot is not None:  # (the points passed so far follow the setting they passed under)
        auto_snapshots.settle_due(ctx)
    for record in found:
        if bursting_enabled is not None and record["Category"] != "cloud_auto":
            raise EcsError("BurstingEnabledForDiskCategoryUnsupported",
                           "The specified disk category does not support bursting enabled.", 400)
        if disks.multi_attach(record) and (bursting_enabled or delete_with_instance):  # (documented refusals)
            raise MULTI_ATTACH_BURSTING if bursting_enabled else MULTI_ATTACH_DELETE
        if delete_with_instance is False:
            # (the metadata: a local disk, or a basic cloud disk that cannot be detached, goes with its instance)
            if record["Category"].startswith("ephemeral") or (record["Category"] == "cloud" and not record["Portable"]):
                raise NOT_PORTABLE
            if record["Type"] == "system" and record.get("ProductCode"):
                raise EcsError("DeleteWithInstance.Conflict", "The specified image is from the image market, you "
                               "cannot set DeleteWithInstance attribute to false.", 403)
        resources.put(ctx.txn, "disk", {**record, **changes})
    return {}


# -- ResizeDisk ---------------------------------------------------------------------------------------
DISK_ERROR = error_kind("DiskError", "Incorrect disk status.", 403)


def _check_changeable(ctx: Context, record: Mapping[str, Any], not_ready: type[EcsError],
                      instance_busy: type[EcsError], statuses: tuple[str, ...] = ("Running", "Stopped")) -> None:
    """A disk resized or respecified: In_use or Available, on instances in ``statuses`` (if any), with no snapshot
    of it in progress (each operation answers its own codes for the first two)."""
    if record["Status"] not in ("In_use", "Available"):
        raise not_ready
    for instance_id in disks.attached_instance_ids(record):  # (a multi-attach disk: each of its instances)
        instance = resources.get(ctx, "instance", instance_id)
        if instance is None or instance["Status"] not in statuses:
            raise instance_busy
    if disks.snapshot_in_progress(ctx, record["DiskId"]):
        raise CREATING_SNAPSHOT

# Disk categories that grow online, without a restart (the metadata); offline growth takes effect at a restart.
_ONLINE = ("cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_essd_entry", "cloud_auto",
           "elastic_ephemeral_disk_standard", "elastic_ephemeral_disk_premium")


RESIZE_DETACHED_SYSTEM = error_kind("InvalidDisk.DetachedSystemDisk",
                                    "The specified disk is a detached system disk, does not support this operation.")
RESIZE_ONLINE_NOT_RUNNING = error_kind("InvalidInstanceStatus.NotRunning", "The status of instance to which the disk "
                                       "attachs must be running when resizing online.", 403)
RESIZE_SAME_SIZE = error_kind("InvalidDiskSize",
                              "Specified new disk size is less than or equal the original disk size.", 403)


@operation("ResizeDisk", S("DiskId", required=True), I("NewSize", required=True),
           S("Type", default="offline", name="resize_type"), idempotent=True, **_BY_DISK)
def resize_disk(ctx: Context, disk_id: str, new_size: int, resize_type: str) -> dict:
    """A disk grows to ``new_size`` GiB (never shrinks) within its category's range; the instance it is attached
    to must be Running or Stopped, and no snapshot of it may be in progress."""
    if resize_type not in ("offline", "online"):
        raise EcsError("InvalidParam.Type", "The specified type is not supported.", 400)
    record = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    category = record["Category"]
    if category.startswith("ephemeral") or (resize_type == "online" and category not in _ONLINE):
        raise EcsError("OperationDenied", "The type of the disk does not support the operation.", 403)
    if disks.in_arrears(record):
        raise OWING_FEE
    if record["Type"] == "system" and not record.get("InstanceId"):
        raise RESIZE_DETACHED_SYSTEM
    # A multi-attach disk grows offline only while every instance it is on is Stopped (documented).
    offline_shared = disks.multi_attach(record) and resize_type == "offline"
    _check_changeable(ctx, record, DISK_ERROR, INCORRECT_STATUS, ("Stopped",) if offline_shared else
                      ("Running", "Stopped"))
    if resize_type == "online" and any(resources.get(ctx, "instance", instance_id)["Status"] != "Running"
                                       for instance_id in disks.attached_instance_ids(record)):
        raise RESIZE_ONLINE_NOT_RUNNING
    if new_size < record["Size"]:
        raise EcsError("InvalidDiskSize.TooSmall", "Specified new disk size is less than the original disk size.", 403)
    if new_size == record["Size"]:
        raise RESIZE_SAME_SIZE
    ranges = disks.system_disk_range if record["Type"] == "system" else disks.data_disk_range
    if new_size > ranges(category, record.get("PerformanceLevel") or None)[1]:
        raise EcsError("InvalidDiskSize.TooLarge", "Specified new disk size is beyond the permitted range.", 403)
    resources.put(ctx.txn, "disk", {**record, "Size": new_size, **disks.performance(
        category, new_size, record.get("PerformanceLevel") or "", record.get("ProvisionedIops") or 0)})
    return {}


# -- ModifyDiskSpec -----------------------------------------------------------------------------------
# The categories a disk changes between, by performance, best first (documented: a subscription disk only moves up).
SPEC_CATEGORIES = ("cloud_essd", "cloud_auto", "cloud_ssd", "cloud_essd_entry", "cloud_efficiency")
_LEVEL_RANK = {level: n for n, level in enumerate(disks.PERFORMANCE_LEVELS)}
BAD_LEVEL = error_kind("InvalidPerformanceLevel.Malformed", "The specified parameter PerformanceLevel is not valid.")
BAD_CATEGORY = error_kind("InvalidDiskCategory.ValueNotSupported",
                          'The specified parameter "DiskCategory" is not valid.')
CATEGORY_UNSUPPORTED = error_kind("InvalidDiskCategory.ValueNotSupported",
                                  "The current disk category of the resource does not support this operation.", 403)
LEVEL_NOT_ESSD = error_kind("InvalidPerformanceLevelParam.Mismatch", "The specified parameter PerformanceLevel "
                            "should be null when DiskCategory is not cloud_essd.")
IOPS_NOT_AUTO = error_kind("ProvisionedIopsForDiskCategoryUnsupported",
                           "The specified disk category does not support provisioned iops.")
IOPS_LIMIT = error_kind("InvalidProvisionedIops.LimitExceed", "The provisioned iops exceeds the limit.")
LEVEL_TOO_LOW = error_kind("InvalidPerformanceLevel.TooLow",
                           "Specified new performance level is lower than the original performance level.", 403)
LEVEL_SIZE = error_kind("OperationDenied.PerformanceLevelNotMatch",
                        "The specified PerformanceLevel and disk size do not match.", 403)
CATEGORY_SIZE = error_kind("InvalidDiskCategory.NotSupported", "The specified disk category is not supported.", 403)
NO_DOWNGRADE = error_kind("Downgrade.NotSupported", "Downgrade operation for prepay resource is not supported.", 403)
NO_CHANGE = error_kind("NoChangeInDiskCategoryAndPerformanceLevel",
                       "There is no change between the parameters transmitted and the current.", 403)
NOT_READY = error_kind("InvalidStatus.DiskNotReady",
                       "This specified disk is not ready, status needs to be either In_use or Available.", 403)
NO_CLUSTER = error_kind("InvalidPerformanceParameter.DiskNotInDedicatedStorageCluster", "The specified disk not in "
                        "dedicated storage cluster, can not modify performance control options.", 403)


def _spec_target(record: Mapping[str, Any], category: Optional[str], level: Optional[str],
                 provisioned_iops: Optional[int]) -> tuple[str, str, int]:
    """The (category, performance level, provisioned IOPS) the disk moves to, checked against what it is now."""
    current = record["Category"]
    if current not in SPEC_CATEGORIES:  # basic and local disks keep their category
        raise CATEGORY_UNSUPPORTED
    target = category or current
    if level and target != "cloud_essd":
        raise LEVEL_NOT_ESSD
    if provisioned_iops is not None and target != "cloud_auto":
        raise IOPS_NOT_AUTO
    if current == "cloud_essd_entry" and target not in ("cloud_essd_entry", "cloud_essd", "cloud_auto"):
        raise CATEGORY_UNSUPPORTED
    now_level = record.get("PerformanceLevel") or ""
    new_level = (level or (now_level if current == "cloud_essd" else "PL1")) if target == "cloud_essd" else ""
    prepaid = record.get("DiskChargeType") == "PrePaid"
    if prepaid and SPEC_CATEGORIES.index(target) > SPEC_CATEGORIES.index(current):
        raise NO_DOWNGRADE
    if current == target == "cloud_essd" and _LEVEL_RANK[new_level] < _LEVEL_RANK[now_level] and (
            prepaid or new_level == "PL0"):  # (pay-as-you-go ESSDs go down a level, but not to PL0: documented)
        raise LEVEL_TOO_LOW
    ranges = disks.system_disk_range if record["Type"] == "system" else disks.data_disk_range
    low, high = ranges(target, new_level or None)
    if not low <= record["Size"] <= high:
        raise LEVEL_SIZE if target == "cloud_essd" else CATEGORY_SIZE
    iops = 0
    if target == "cloud_auto":
        iops = provisioned_iops if provisioned_iops is not None else (
            record.get("ProvisionedIops") or 0 if current == "cloud_auto" else 0)
        if not 0 <= iops <= disks.most_provisioned_iops(record["Size"]):
            raise IOPS_LIMIT
    if (target, new_level, iops) == (current, now_level, record.get("ProvisionedIops") or 0):
        raise NO_CHANGE
    return target, new_level, iops


@operation("ModifyDiskSpec", S("DiskId", required=True), S("DiskCategory"), S("PerformanceLevel"),
           L("ProvisionedIops"), Struct("PerformanceControlOptions", [I("IOPS"), I("Throughput"), S("Recover")]),
           dry_run=True, **_BY_DISK)
def modify_disk_spec(ctx: Context, disk_id: str, disk_category: Optional[str], performance_level: Optional[str],
                     provisioned_iops: Optional[int], performance_control_options: dict) -> dict:
    """A disk's category, ESSD performance level or AutoPL provisioned IOPS change at once (documented); the
    answer's task (TaskAction ModifyDiskSpec, DescribeTasks) finishes on the task lifecycle."""
    if disk_category and disk_category not in SPEC_CATEGORIES:
        raise BAD_CATEGORY
    if performance_level and performance_level not in disks.PERFORMANCE_LEVELS:
        raise BAD_LEVEL
    if performance_level and disk_category and disk_category != "cloud_essd":
        raise LEVEL_NOT_ESSD
    record = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    if any(v is not None for v in performance_control_options.values()):
        raise NO_CLUSTER
    if disks.multi_attach(record):
        raise disks.MULTI_ATTACH_DISK
    _check_changeable(ctx, record, NOT_READY, DISK_STATUS)
    category, level, iops = _spec_target(record, disk_category, performance_level or None, provisioned_iops)
    if category != record["Category"] and stock.disk_stock(stock.shortage(ctx, record["ZoneId"]), category):
        raise SPEC_NO_STOCK
    holder = resources.get(ctx, "instance", record.get("InstanceId")) if record.get("InstanceId") else None
    if holder is not None and category != record["Category"] and not launch.sells_disk(
            ctx, instance_type(holder.get("InstanceType")), category, record["Type"]):
        raise TYPE_NOT_FOR_CATEGORY  # (an attached disk: the category its instance's type sells)
    resources.put(ctx.txn, "disk", {
        **record, "Category": category, "PerformanceLevel": level, "ProvisionedIops": iops,
        "BurstingEnabled": bool(record.get("BurstingEnabled")) and category == "cloud_auto",
        **disks.performance(category, record["Size"], level, iops)})
    task_id = resources.new_id("task", ctx.region)
    start_task(ctx, task_id, "ModifyDiskSpec", disk_id, [{"Name": "DiskId", "Value": disk_id}],
               ("ModifyDiskSpecFailed", "Modifying the disk spec is failed."), SupportCancel="false")
    return {"TaskId": task_id, "OrderId": ""}


# -- ResetDisk / ReInitDisk -----------------------------------------------------------------------------
UNFINISHED_SNAPSHOT = error_kind("IncorrectDiskStatus.HasUnfinishedSnapshot",
                                 "The current disk has unfinished snapshot.", 403)
IMAGE_GONE = error_kind("InvalidDiskId.OperationNotSupported",
                        "The operation is not supported due to image not exist.", 404)
SOURCE_SNAPSHOT_GONE = error_kind("InvalidSourceSnapshot",
                                  "The snapshot which is used to create the specified disk has been deleted.", 403)
WINDOWS_KEY_PAIR = error_kind("DependencyViolation.WindowsInstance",
                              "The instance creating is windows, cannot use ssh key pair to login.", 403)
NO_SUCH_KEY_PAIR = error_kind("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist.", 400)
LOCAL_DISK = error_kind("DiskCategory.OperationNotSupported",
                        "The operation is not supported to the specified disk due to its disk category.", 400)


def _check_reinit(ctx: Context, disk: Mapping[str, Any], statuses: tuple[str, ...],
                  snapshot_running: type[EcsError]) -> Optional[dict]:
    """What ResetDisk and ReInitDisk both ask of a disk: a cloud disk, not shared, in one of ``statuses``, no
    snapshot of it in progress, its instance (if any) Stopped. Returns that instance."""
    if str(disk.get("Category", "")).startswith(("local", "ephemeral")):
        raise LOCAL_DISK
    if disks.multi_attach(disk):
        raise disks.MULTI_ATTACH_DISK
    if disk["Status"] not in statuses:
        raise DISK_STATUS
    instance = resources.get(ctx, "instance", disk.get("InstanceId"))
    if instance is not None and instance["Status"] != "Stopped":
        raise INCORRECT_STATUS
    if disks.snapshot_in_progress(ctx, disk["DiskId"]):
        raise snapshot_running
    return instance


def _reinit(ctx: Context, disk: Mapping[str, Any], **changed: Any) -> None:
    """The disk ReIniting on the disk lifecycle, then back in the status it had."""
    resources.put(ctx.txn, "disk", lifecycle.start(ctx, "disk", disk["DiskId"],
                                                   {**disk, **changed, "Status": "ReIniting"},
                                                   done={"Status": disk["Status"]}))


def _resettable(ctx: Context, disk_id: Optional[str], snapshot_id: Optional[str]) -> tuple[dict, dict]:
    """ResetDisk's checks of one disk and one of its own snapshots (ResetDisks: of each pair): the disk and the
    snapshot, nothing changed yet."""
    disk = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    snapshot = resources.owned(ctx, "snapshot", snapshot_id, SNAPSHOT_ID_NOT_FOUND)
    if snapshot["SourceDiskId"] != disk["DiskId"]:
        raise EcsError("InvalidParameter.Mismatch", "The specified snapshot is not created from the specified disk.",
                       403)
    if snapshot["Status"] != "accomplished":
        raise EcsError("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
    _check_reinit(ctx, disk, ("In_use", "Available"), UNFINISHED_SNAPSHOT)
    return disk, snapshot


def _reset(ctx: Context, disk: Mapping[str, Any], snapshot: Mapping[str, Any]) -> None:
    _reinit(ctx, disk, _image_id=snapshot.get("_image_id", disk.get("_image_id", "")))


@operation("ResetDisk", S("DiskId", required=True), S("SnapshotId", required=True), dry_run=True,
           region="optional", region_of=resources.region_from("disk_id"))
def reset_disk(ctx: Context, disk_id: str, snapshot_id: str) -> dict:
    """The disk rolled back to one of its own snapshots: ReIniting, then back in its status. mockecs keeps no
    disk content; what the disk was made from (its image) goes back to what it was when the snapshot was taken."""
    resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)  # (an unknown disk first, before any settling)
    auto_snapshots.settle_due(ctx)  # (an automatic snapshot past its retention is gone by now)
    _reset(ctx, *_resettable(ctx, disk_id, snapshot_id))
    return {}


RESET_DISKS_MOST = 10  # Disk.N: N from 1 to 10 (documented)


@operation("ResetDisks", Structs("Disk", [S("DiskId"), S("SnapshotId")], required=True), dry_run=True,
           region_error=("InvalidRegionId.MalFormed", 400, "The specified RegionId is not valid."))
def reset_disks(ctx: Context, disk: list[dict]) -> dict:
    """Several disks rolled back at once, each to one of its own snapshots (snapshot-consistent groups' use):
    every pair passes ResetDisk's checks before any disk changes, else the call fails with the first pair's
    refusal and nothing is reset (all or nothing [GUESS: the answer's per-disk statuses are then all Success]).
    A pair without DiskId or SnapshotId: MissingParameter naming it; a disk named twice: InvalidParameter
    [GUESS]."""
    if len(disk) > RESET_DISKS_MOST:
        raise invalid_parameter("Disk")
    for n, pair in enumerate(disk, 1):
        for field in ("disk_id", "snapshot_id"):
            if not pair[field]:
                raise missing_parameter(f"Disk.{n}.{'DiskId' if field == 'disk_id' else 'SnapshotId'}")
    if len({pair["disk_id"] for pair in disk}) != len(disk):
        raise invalid_parameter("Disk")
    auto_snapshots.settle_due(ctx)
    checked = [_resettable(ctx, pair["disk_id"], pair["snapshot_id"]) for pair in disk]
    for found, snapshot in checked:
        _reset(ctx, found, snapshot)
    return {"OperationProgressSet": {"OperationProgress": [
        {"OperationStatus": "Success", "ErrorCode": "", "ErrorMsg": "",
         "RelatedItemSet": {"RelatedItem": [{"Name": "SnapshotId", "Value": snapshot["SnapshotId"]},
                                            {"Name": "DiskId", "Value": found["DiskId"]}]}}
        for found, snapshot in checked]}}


@operation("ReInitDisk", S("DiskId", required=True), S("Password"), S("KeyPairName"), B("AutoStartInstance"),
           S("SecurityEnhancementStrategy"), **_BY_DISK)
def re_init_disk(ctx: Context, disk_id: str, password: Optional[str], key_pair_name: Optional[str],
                 auto_start_instance: Optional[bool], security_enhancement_strategy: Optional[str]) -> dict:
    """An attached disk back to what it was made from: a system disk to its image, a data disk to its source
    snapshot (or empty). A system disk's instance may get a new password or key pair; ``AutoStartInstance``
    starts it afterwards. mockecs keeps no disk content, so only states change."""
    disk = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    instance = _check_reinit(ctx, disk, ("In_use",), CREATING_SNAPSHOT)
    windows = (instance or {}).get("OSType") == "windows"
    if password and not valid_password(password, windows):
        raise BAD_PASSWORD
    if key_pair_name and disk["Type"] == "system":
        if windows:
            raise WINDOWS_KEY_PAIR
        if access.key_pair(ctx, key_pair_name) is None:
            raise NO_SUCH_KEY_PAIR
    image_id = disk.get("ImageId") or (instance or {}).get("ImageId")
    if disk["Type"] == "system" and images.visible(ctx, image_id) is None:
        raise IMAGE_GONE
    if disk["Type"] == "data" and disk.get("SourceSnapshotId") and \
            resources.get(ctx, "snapshot", disk["SourceSnapshotId"]) is None:
        raise SOURCE_SNAPSHOT_GONE
    _reinit(ctx, disk)
    if instance is not None and disk["Type"] == "system" and key_pair_name:
        instance = resources.put(ctx.txn, "instance", {**instance, "KeyPairName": key_pair_name})
    if instance is not None and auto_start_instance:
        start_stopped(ctx, instance)
    return {}

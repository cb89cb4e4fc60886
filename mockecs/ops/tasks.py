"""ImportImage, ExportImage, DescribeTasks, DescribeTaskAttribute, CancelTask (spec §3.12-3.16).

Task records (kind ``task``) hold the wire fields of ``DescribeTasksResponseBodyTaskSetTask``
plus ``TaskProcess`` and internal keys: ``_owner``, ``_region``, ``_created`` (mock-clock
seconds, for StartTime/EndTime), ``_related`` (RelatedItem list of DescribeTaskAttribute),
``_error`` ({"code", "message"} once failed or cancelled), ``_snapshots`` (an import's
snapshots) and ``_object`` (an export's OSS object).

An import starts three kinds of records on **one** lifecycle, keyed by the task id under
kind ``task`` (``engine.lifecycle.delay("task", seconds=60)``, ``fail_next("task")``): the task,
the image (Creating -> Available) and its snapshots (progressing -> accomplished), so they
always agree. An export likewise clears the image's ``_exporting`` marker when its task ends.
"""
from __future__ import annotations

import math
import re
from typing import Any, Mapping, Optional

from mockecs.ops.images import _checked, _quota
from mockecs.ops.registry import Context, operation
from mockecs.ops.snapshots import make_snapshot
from mockecs.ops.tags import check_case_duplicates
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter
from mockecs.wire.params import TAGS, Comma, I, Repeat, S, Struct, Structs
from mockecs.world import (
    account_states,
    images,
    lifecycle,
    oss,
    paging,
    pricing,
    ram,
    regions,
    resource_groups,
    resources,
    tasks,
)
from mockecs.world.validation import check_description, check_name

TASK_NOT_FOUND = error_kind("InvalidTaskId.NotFound", 'The specified "TaskId" is not found.', 400)
RUNNING = ("Waiting", "Processing")
CANCELLABLE = ("ImportImage", "ExportImage", "ExportSnapshot")
# Only these are honoured by DescribeTasks' TaskStatus filter; other values are ignored (documented).
FILTERABLE_STATUSES = ("Finished", "Processing", "Failed")
DRYRUN_SUCCESS = ("DRYRUN.SUCCESS", "This request is a dryrun request with successful result.", 400)
_REGION_ERROR = ("InvalidRegionId.NotFound", 400)  # these four operations document 400, not 404

PLATFORMS = (
    "Aliyun", "Anolis", "CentOS", "Ubuntu", "CoreOS", "SUSE", "Debian", "OpenSUSE", "FreeBSD", "RedHat", "Kylin",
    "UOS", "Fedora", "Fedora CoreOS", "CentOS Stream", "AlmaLinux", "Rocky Linux", "Gentoo", "Customized Linux",
    "Others Linux", "Windows Server 2022", "Windows Server 2019", "Windows Server 2016", "Windows Server 2012",
    "Windows Server 2008", "Windows Server 2003",
)
_PLATFORM_BY_LOWER = {p.lower(): p for p in PLATFORMS}
# [GUESS] platforms with no Alibaba Cloud licence channel: LicenseType=Aliyun is refused (BYOLOnly).
BYOL_ONLY = ("Customized Linux", "Others Linux", "Kylin", "UOS", "Windows Server 2003", "Windows Server 2008")
ARCHITECTURES = ("i386", "x86_64", "arm64")
IMPORT_FORMATS = ("RAW", "VHD", "QCOW2", "VMDK")
EXPORT_FORMATS = ("raw", "vhd", "qcow2", "vmdk", "vdi")
OLD_WINDOWS = ("Windows Server 2003", "Windows Server 2008")
ARCHIVE_CLASSES = ("Archive", "ColdArchive", "DeepColdArchive")
_SUFFIX_FORMAT = {"raw": "RAW", "img": "RAW", "vhd": "VHD", "qcow2": "QCOW2", "qcow": "QCOW2", "vmdk": "VMDK"}
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9]{1,30}$")
_DEVICE = re.compile(r"^/dev/(xv|v)d[a-z]$")
GIB = oss.GIB

WEEK = tasks.WEEK


# -- tasks ------------------------------------------------------------------------------
def start_task(ctx: Context, task_id: str, action: str, resource_id: str, related: list[dict],
               failure: tuple[str, str], **extra: Any) -> dict:
    """Store a new running task (claims an injected failure for it before its resources start)."""
    delay = ctx.engine.lifecycle.delay_for("task", task_id)
    # FinishedTime is known up front for clock delays; an observation-counted one ends "now".
    finished = resources.iso_minute(ctx.now + (delay.seconds or 0.0))
    record = {
        "TaskId": task_id, "TaskAction": action, "TaskStatus": "Processing", "TaskProcess": "0%",
        "SupportCancel": "true", "CreationTime": resources.iso_minute(ctx.now), "FinishedTime": "",
        "ResourceId": resource_id,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_related": related, "_error": None,
        **extra,
    }
    done = {"TaskStatus": "Finished", "TaskProcess": "100%", "SupportCancel": "false", "FinishedTime": finished}
    failed = {"TaskStatus": "Failed", "SupportCancel": "false", "FinishedTime": finished,
              "_error": {"code": failure[0], "message": failure[1]}}
    record = lifecycle.start(ctx, "task", task_id, record, done=done, failed=failed, progress_field="TaskProcess")
    return resources.put(ctx.txn, "task", record)


def own_task(ctx: Context, task_id: Optional[str]) -> dict:
    return resources.owned(ctx, "task", task_id, TASK_NOT_FOUND)


def summary(task: Mapping[str, Any]) -> dict:
    keys = ("TaskId", "TaskAction", "TaskStatus", "SupportCancel", "CreationTime", "FinishedTime", "ResourceId")
    return {k: task.get(k, "") for k in keys}


def _operation_progress(task: Mapping[str, Any]) -> dict:
    status = task["TaskStatus"]
    error = task.get("_error") or {}
    if status == "Finished":
        state = "Success"
    elif status in RUNNING:
        state = "Processing"  # [GUESS] the documented values only show Success/Failed
    else:
        state = "Failed"
    return {"OperationStatus": state, "ErrorCode": error.get("code", ""), "ErrorMsg": error.get("message", ""),
            "RelatedItemSet": {"RelatedItem": [dict(item) for item in task.get("_related") or ()]}}


def attribute(task: Mapping[str, Any]) -> dict:
    status = task["TaskStatus"]
    done = status == "Finished"
    failed = status not in RUNNING and not done
    # The task summary minus ResourceId: DescribeTaskAttribute's model has no such field (the
    # resource is named in OperationProgressSet's RelatedItems instead).
    fields = {k: v for k, v in summary(task).items() if k != "ResourceId"}
    return {
        **fields,
        "TaskProcess": task.get("TaskProcess", ""),
        "RegionId": task["_region"],
        "TotalCount": 1, "SuccessCount": int(done), "FailedCount": int(failed),
        "OperationProgressSet": {"OperationProgress": [_operation_progress(task)]},
    }


# -- ImportImage --------------------------------------------------------------------------
def _canonical(value: Optional[str], allowed: tuple[str, ...], error: EcsError) -> Optional[str]:
    """``value`` in its documented spelling (matched case-insensitively), else ``error``."""
    if value is None or value == "":
        return None
    for candidate in allowed:
        if candidate.lower() == value.strip().lower():
            return candidate
    raise error


def _os_fields(os_type: Optional[str], platform: Optional[str], architecture: Optional[str],
               boot_mode: Optional[str], license_type: Optional[str]) -> dict:
    os_type = _canonical(os_type, ("linux", "windows"), EcsError(
        "InvalidOSType.Malformed", "The specified OSType is wrongly formed.", 400))
    arch = _canonical(architecture, ARCHITECTURES, EcsError(
        "InvalidArchitecture.Malformed", "The specified Architecture is wrongly formed.", 400)) or "x86_64"
    bad_platform = EcsError("InvalidPlatform.Malformed", "The specified Platform is wrongly formed.", 400)
    platform = _PLATFORM_BY_LOWER.get(platform.strip().lower(), "") if platform else None
    if platform == "":
        raise bad_platform
    windows = bool(platform and platform.startswith("Windows"))
    if os_type is None:
        os_type = "windows" if windows else "linux"
    elif platform and windows != (os_type == "windows"):
        raise bad_platform  # [GUESS] a Windows platform with OSType=linux (or the reverse) is malformed
    # [GUESS] no documented default for Windows: the catch-all platform DescribeImages uses.
    platform = platform or ("Other Windows" if os_type == "windows" else "Others Linux")
    if arch == "arm64" and os_type == "windows":
        raise EcsError("InvalidArchitecture.PlatformUnsupported",
                       "The OS platform you selected does not support the specified architecture.", 403)
    mode = _canonical(boot_mode, ("BIOS", "UEFI"), EcsError(
        "InvalidBootMode.Malformed", 'The specified parameter "BootMode" is malformed.', 400))
    if arch == "arm64" and mode == "BIOS":
        raise EcsError("InvalidBootMode.NotSupport",
                       "The specified parameter BootMode is not supported for current image architecture.", 400)
    mode = mode or ("UEFI" if arch == "arm64" else "BIOS")
    licence = license_type or "Auto"
    if licence not in ("Auto", "Aliyun", "BYOL"):
        raise EcsError("InvalidLicenseType.NotSupported", "The specified LicenseType is not supported.", 400)
    if licence == "Aliyun" and platform in BYOL_ONLY:
        raise EcsError("InvalidLicenseType.BYOLOnly",
                       "Only BYOL LicenseType is supported for the current platform provided.", 400)
    bits = "32" if arch == "i386" else "64"
    return {"OSType": os_type, "Platform": platform, "Architecture": arch, "BootMode": mode, "LicenseType": licence,
            "OSName": f"{platform}  {bits}位", "OSNameEn": f"{platform}  {bits} bit",
            "IsSupportCloudinit": os_type == "linux"}


def _features(features: Mapping[str, Optional[str]]) -> dict:
    nvme = features.get("nvme_support") or "unsupported"
    imds = features.get("imds_support") or "v1"
    if nvme not in ("supported", "unsupported"):
        raise invalid_parameter("Features.NvmeSupport")
    if imds not in ("v1", "v2"):
        raise EcsError("InvalidParameter.FeaturesImdsSupport",
                       "The specified parameter Features.ImdsSupport is invalid.", 400)
    return {"NvmeSupport": nvme, "ImdsSupport": imds}


def _disk_requests(mappings: Optional[list[dict]]) -> list[dict]:
    """Validate the DiskDeviceMapping.N entries (N > 17 ignored, as documented)."""
    mappings = (mappings or [])[:17]
    if not mappings:
        raise EcsError("MissingParameter.DiskDeviceMapping",
                       "The specified parameter DiskDeviceMapping is not supplied.", 403)
    disks = []
    for n, m in enumerate(mappings, 1):
        for wire, name in (("OSSBucket", "oss_bucket"), ("OSSObject", "oss_object")):
            if not m.get(name):
                raise EcsError("MissingParameter", f'An input parameter "DiskDeviceMapping.{n}.{wire}" that is '
                               "mandatory for processing the request is not supplied.", 400)
        bucket, name = m["oss_bucket"], m["oss_object"]
        if not _BUCKET.match(bucket):
            raise EcsError("InvalidOSSBucket.Malformed", "The specified OSS bucket is wrongly formed.", 400)
        if len(name) > 1023 or name.startswith(("/", "\\")):
            raise EcsError("InvalidOSSObject.Malformed", "The specified OSS object is wrongly formed.", 400)
        fmt = _canonical(m.get("format"), IMPORT_FORMATS, EcsError(
            "InvalidImageFormat.Malformed", "The specified Image Format is wrongly formed.", 400))
        # Empty Format = detected by the service; the fake "detects" from the object's suffix.
        suffix = name.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in name.rsplit("/", 1)[-1] else ""
        if suffix and suffix not in _SUFFIX_FORMAT:
            # [GUESS] an image file's suffix must name a disk format (no suffix: detected from the content).
            raise EcsError("UnsupportedSuffix.OSSObject", "The specified OSS object suffix is not supported.", 400)
        fmt = fmt or _SUFFIX_FORMAT.get(suffix, "RAW")
        # DiskImSize is the deprecated name of DiskImageSize; 0 is a (bad) value, not "absent".
        size = m.get("disk_image_size") if m.get("disk_image_size") is not None else m.get("disk_im_size")
        high = 500 if n == 1 else 2000
        if size is not None and not 5 <= size <= high:
            raise _size_error(n, f"should be in the range of 5 to {high} GiB")
        device = m.get("device") or ("/dev/xvda" if n == 1 else f"/dev/xvd{chr(ord('a') + n - 1)}")
        if not _DEVICE.match(device):
            raise EcsError("InvalidParameter.Malformed",
                           'The specified parameter "DiskDeviceMapping.n.Device " is not valid.', 403)
        disks.append({"n": n, "bucket": bucket, "object": name, "format": fmt, "size": size, "device": device,
                      "type": "system" if n == 1 else "data"})
    return disks


def _size_error(n: int, why: str) -> EcsError:
    if n == 1:
        return EcsError("InvalidImageSize", f"The specified DiskDeviceMapping.1.DiskImageSize {why}.", 400)
    return EcsError("InvalidDataDiskSize",
                    "The specified DiskDeviceMapping.N.DiskImSize should be in the specified range.", 400)


# The export doc: choosing ImageFormat works in these regions only (option image_format_regions=documented).
FORMAT_REGIONS = ("ap-south-1", "ap-northeast-1", "ap-southeast-2", "ap-southeast-5", "eu-central-1", "me-east-1",
                  "us-east-1", "eu-west-1", "ap-southeast-1", "ap-southeast-3", "us-west-1")


def _format_region(ctx: Context) -> bool:
    return ctx.config.options["image_format_regions"] == "any" or ctx.region in FORMAT_REGIONS


def _transfer_region(ctx: Context) -> None:
    if regions.without_image_transfer(ctx, ctx.region):
        raise EcsError("InvalidRegion.NotSupport", "The specified region does not support image import or export.",
                       400)


def _bucket_elsewhere(ctx: Context, bucket: str) -> None:
    """A bucket registered in another region (only; not here) is the wrong bucket for this region."""
    elsewhere = oss.registry(ctx.engine).bucket_regions(bucket, txn=ctx.txn)
    if elsewhere and ctx.region not in elsewhere:
        raise EcsError("InvalidOSSBucket.NotMatched",
                       f"The specified OSS bucket is incorrect, it is in {elsewhere[0]}, not {ctx.region}.", 400)


def _authorized(ctx: Context, info: Mapping[str, Any]) -> None:
    # A bucket registered to another account is not the caller's role's to read or write.
    if info.get("owner") and str(info["owner"]) != ctx.account:
        raise EcsError("InvalidOSS.NotAuthorized", "The specified OSS bucket or object is not allowed to access.", 403)
    if info.get("encryption"):
        raise EcsError("InvalidOSSBucket.EncryptUnsupported",
                       "Accessing objects from encrypted OSS bucket is not supported.", 403)


def _check_objects(ctx: Context, disks: list[dict]) -> None:
    """Ask the OSS stand-in about every object; fills in each disk's size (GiB)."""
    for disk in disks:
        info = oss.oss_object(ctx, ctx.region, disk["bucket"], disk["object"])
        if not info.get("registered"):
            _bucket_elsewhere(ctx, disk["bucket"])
        if info.get("bucket_missing"):
            raise EcsError("InvalidOSSBucket.NotFound", "The specified OSS bucket does not exist in this region.", 400)
        _authorized(ctx, info)
        if disk["format"] == "VHD" and int(info.get("size") or 0) % 512:
            # A VHD is whole 512-byte sectors (its blocks and its footer).
            raise EcsError("InvalidVHDImage.IncorrectSize", "The specified size of the VHD image does not meet the "
                           "'header.MaxTableEntries * header.BlockSize' specification.", 403)
        if info.get("storage_class") in ARCHIVE_CLASSES:
            raise EcsError("InvalidOSSObject.NeedRestore",
                           "The specified OSS object is a archive object, need restore first.", 400)
        if "size" not in info:
            raise EcsError("InvalidOSSObject.NotFound", "The specified OSS object does not exist in this region.", 400)
        size = int(info.get("size") or 0)
        if size <= 0:
            raise EcsError("InvalidOSSObject.Size", "The specified OSS object size is zero.", 400)
        needed = math.ceil(size / GIB)
        if disk["size"] is not None and disk["size"] < needed:
            raise _size_error(disk["n"], f"is smaller than the size of the OSS object ({needed} GiB)")
        # [GUESS] without DiskImageSize the disk is as large as the object (at least the 5 GiB minimum).
        disk["size"] = disk["size"] or max(5, needed)


def _import_snapshot(ctx: Context, task_id: str, image_id: str, disk: dict) -> str:
    """The snapshot behind one imported disk, progressing until the import task ends."""
    source = {"DiskId": "", "Size": disk["size"], "Type": disk["type"], "_owner": ctx.account, "_region": ctx.region}
    made = make_snapshot(ctx, source, description=f"Created for importing image {image_id}")
    record = {k: v for k, v in made.items() if k != "_pending"}
    record.update({"Status": "progressing", "Progress": "0%", "Available": False, "SnapshotLinkId": ""})
    record = lifecycle.start(ctx, "task", task_id, record,
                             done={"Status": "accomplished", "Progress": "100%", "Available": True},
                             failed={"Status": "failed", "Available": False}, progress_field="Progress")
    resources.put(ctx.txn, "snapshot", record)
    return record["SnapshotId"]


@operation(
    "ImportImage",
    Structs("DiskDeviceMapping", [S("OSSBucket"), S("OSSObject"), I("DiskImageSize"), I("DiskImSize"), S("Format"),
                                  S("Device")]),
    S("ImageName"), S("Description"), S("Architecture"), S("OSType"), S("Platform"), S("BootMode"),
    S("LicenseType"), Struct("Features", [S("NvmeSupport"), S("ImdsSupport")]), S("RoleName"),
    S("DetectionStrategy"), S("StorageLocationArn"), S("ResourceGroupId"), TAGS,
    region_error=_REGION_ERROR, dry_run=DRYRUN_SUCCESS, idempotent=True,
)
def import_image(ctx: Context, disk_device_mapping: Optional[list[dict]], image_name: Optional[str],
                 description: Optional[str], architecture: Optional[str], os_type: Optional[str],
                 platform: Optional[str], boot_mode: Optional[str], license_type: Optional[str],
                 features: dict, role_name: Optional[str], detection_strategy: Optional[str],
                 storage_location_arn: Optional[str], resource_group_id: Optional[str],
                 tag: Optional[list[dict]]) -> dict:
    disks = _disk_requests(disk_device_mapping)
    check_name(image_name or None, "InvalidImageName.Malformed", "The specified Image name is wrongly formed.")
    _checked(check_description, description, "The specified Image description is wrongly formed.")
    fields = _os_fields(os_type, platform, architecture, boot_mode, license_type)
    wire_features = _features(features or {})
    if detection_strategy not in (None, "", "Standard"):
        raise EcsError("InvalidParameter.DetectionStrategy", "The specified parameter DetectionStrategy is invalid.",
                       400)
    if detection_strategy == "Standard" and fields.get("Platform") in OLD_WINDOWS:
        # [GUESS] which Windows: image check covers "most Linux/Windows versions" (docs), not these.
        raise EcsError("ImageCheckUnsupported.WindowsImage", "Image check is unsupported for windows image.", 403)
    tags = check_case_duplicates(resources.tags_from_args(tag))
    if images.name_taken(ctx, image_name):
        raise EcsError("InvalidImageName.Duplicated", "The destination image is exist.", 400)
    _transfer_region(ctx)
    _quota(ctx, ctx.region)
    if account_states.in_state(ctx, "accounts_without_oss"):
        raise EcsError("InvalidAccountStatus.OSSDisabled", "OSS is disabled due to invalid account status.", 403)
    if storage_location_arn and storage_location_arn not in ctx.listed("cloudbox_storage_locations"):
        raise EcsError("InvalidStorageLocation.NotFound",
                       f"The specified cloud box storage location {storage_location_arn} could not be found.", 403)
    if any(d["format"] != "RAW" for d in disks) and not _format_region(ctx):
        raise EcsError("InvalidImageFormat.RegionNotSupported",
                       "The specified image format is not supported in current region.", 400)
    role = ram.check(ctx, role_name, "AliyunECSImageImportDefaultRole")
    _check_objects(ctx, disks)

    image_id = resources.new_id("image", ctx.region)
    task_id = resources.new_id("task", ctx.region)
    # The task first: it claims an injected failure that the image and snapshots then share.
    start_task(ctx, task_id, "ImportImage", image_id, [{"Name": "ImageId", "Value": image_id}],
               ("ImportImageFailed", "Importing image is failed, Please contact the administrator."))
    snapshot_ids = [_import_snapshot(ctx, task_id, image_id, disk) for disk in disks]
    resources.put(ctx.txn, "task", {**ctx.txn.get("task", task_id), "_snapshots": snapshot_ids})

    def mappings(done: bool) -> list[dict]:
        return [images.mapping(d["device"], d["type"], d["size"], snapshot_id=sid if done else "",
                               Format=d["format"], ImportOSSBucket=d["bucket"], ImportOSSObject=d["object"],
                               Progress="100%" if done else "0%")
                for d, sid in zip(disks, snapshot_ids)]

    extra: dict = {}
    done: dict = {"Status": "Available", "Progress": "100%", "Usable": True,
                  "DiskDeviceMappings": {"DiskDeviceMapping": mappings(True)}}
    if detection_strategy == "Standard":
        extra["DetectionOptions"] = {"Status": "Processing", "Items": {"Item": []}}
        done["DetectionOptions"] = {"Status": "Finished", "Items": {"Item": []}}
    record = images.new_record(
        ctx, ctx.region, mappings(False), ImageId=image_id, ImageName=image_name or "",
        Description=description or "", Status="Creating", Progress="0%", Usable=False,
        ResourceGroupId=resource_groups.resolve(ctx, resource_group_id), Tags={"Tag": tags}, Features=wire_features,
        **fields, **extra,
        _source={"kind": "import", "task_id": task_id, "role_name": role},
    )
    record = lifecycle.start(ctx, "task", task_id, record, done=done,
                             failed={"Status": "CreateFailed", "Usable": False}, progress_field="Progress")
    images.put(ctx, record)
    return {"ImageId": image_id, "TaskId": task_id, "RegionId": ctx.region}


# -- ExportImage ---------------------------------------------------------------------------
def _export_quotas(ctx: Context) -> None:
    """Undocumented numbers, off unless set: ``export_concurrency`` (exports running at once per account
    and region) and ``exports_per_week`` (started per calendar week)."""
    where = f"{ctx.account}|{ctx.region}"
    running = ctx.config.options["export_concurrency"]
    if running is not None:
        # Settling a task rewrites its terms: one that finished leaves the "exporting" term.
        live = [t for t in (resources.get(ctx, "task", i) for i in ctx.txn.ids("task", ("exporting", where)))
                if t is not None and t["TaskStatus"] in ("Waiting", "Processing")]
        if len(live) >= running:
            raise EcsError("ConcurrentQuotaExceed.ExportImage",
                           f"The number of image exports running at once exceeds the quota ({running}).", 403)
    weekly = ctx.config.options["exports_per_week"]
    if weekly is not None and ctx.txn.count("task", ("export_week", f"{where}|{int(ctx.now // WEEK)}")) >= weekly:
        raise EcsError("WeeklyQuotaExceed.ExportImage",
                       f"The number of image exports this week exceeds the quota ({weekly}).", 403)


def _exportable(ctx: Context, image_id: str) -> dict:
    record = resources.get(ctx, "image", image_id)
    if not resources.is_mine(ctx, record):
        found = images.visible(ctx, image_id)
        if found is None:
            raise images.NOT_FOUND
        if images.alias_for(ctx, found) == "marketplace":
            raise EcsError("ImageNotSupported", "The specified image from the image market, do not support export "
                           "image.", 403)
        # System, shared and community images belong to someone else: only own images export.
        raise EcsError("InvalidImageCategory.NotSupported", "The specified image category is not supported.", 403)
    if record.get("ProductCode"):
        raise EcsError("ImageNotSupported", "The specified image from the image market, do not support export image.",
                       403)
    # [GUESS] Deprecated images are still the owner's to export; in-flight/failed ones are not.
    if record.get("Status") not in ("Available", "Deprecated"):
        raise EcsError("IncorrectImageStatus", "The specified Image is not available.", 400)
    if record.get("_exporting"):
        raise EcsError("ImageIsExporting", "The specified Image is exporting.", 403)
    licence = pricing.billing_class(record)
    if licence:
        # [GUESS] an image whose instances pay an OS licence (Windows, RHEL, SLES; not BYOL) stays in the cloud.
        raise EcsError("InvalidImageLicense.NotSupported",
                       f"The specified image carries a {licence} licence, which does not support export.", 403)
    disks = (record.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or []
    if any(d.get("Encrypted") for d in disks):
        raise EcsError("ImageNotSupported", "The specified Image contains encrypted snapshots, do not support export.",
                       400)
    data = [d for d in disks if d.get("Type") == "data"]
    if len(data) > 4 or any(int(d.get("Size") or 0) > 500 for d in data):
        raise EcsError("InvalidImage.DiskAmountOrSize",
                       "The image may have at most 4 data disks of at most 500 GiB each to be exported.", 400)
    return record


@operation(
    "ExportImage", S("ImageId", required=True), S("OSSBucket", required=True), S("OSSPrefix"),
    S("ImageFormat"), S("RoleName"),
    region_error=_REGION_ERROR, dry_run=True,
)
def export_image(ctx: Context, image_id: str, oss_bucket: str, oss_prefix: Optional[str],
                 image_format: Optional[str], role_name: Optional[str]) -> dict:
    if oss_prefix and not _PREFIX.match(oss_prefix):
        raise EcsError("InvalidOSSPrefix.Malformed", "The specified OSSPrefix format is wrongly formed.", 400)
    fmt = _canonical(image_format, EXPORT_FORMATS, EcsError(
        "InvalidImageFormat.Malformed", "The specified Image Format is wrongly formed.", 400)) or "raw"
    if fmt != "raw" and not _format_region(ctx):
        raise EcsError("InvalidImageFormat.RegionNotSupported",
                       "The specified image format is not supported in current region.", 400)
    _transfer_region(ctx)
    record = _exportable(ctx, image_id)
    # The docs: the role must be AliyunECSImageExportDefaultRole, "any other role name is invalid".
    ram.check(ctx, role_name, "AliyunECSImageExportDefaultRole", custom=False)
    _export_quotas(ctx)
    task_id = resources.new_id("task", ctx.region)
    # Object name as in the documented example: <OSSPrefix>_<ImageId>_<TaskId>.<format>.
    name = "_".join(p for p in (oss_prefix, image_id, task_id) if p) + f".{fmt}"
    info = oss.oss_object(ctx, ctx.region, oss_bucket, name)
    if not info.get("registered"):
        _bucket_elsewhere(ctx, oss_bucket)
    if info.get("bucket_missing"):
        raise EcsError("InvalidOSSBucket.NotFound", "The specified OSS bucket does not exist in this region.", 400)
    _authorized(ctx, info)
    size = sum(int(d.get("Size") or 0) for d in (record.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ())
    marked = _start_export(ctx, task_id, "ExportImage", record, image_id, oss_bucket, name, size,
                           [{"Name": "ImageFormat", "Value": fmt}],
                           ("ExportImageFailed", "Exporting image is failed, Please contact the administrator."))
    images.put(ctx, marked)
    return {"TaskId": task_id, "RegionId": ctx.region}


def _start_export(ctx: Context, task_id: str, action: str, record: Mapping[str, Any], resource_id: str, bucket: str,
                  name: str, size_gib: int, related: list[dict], failure: tuple[str, str]) -> dict:
    """An export's task (ExportImage, ExportSnapshot), its OSS object (listed once the task is Finished), and
    ``record`` (the image or snapshot) marked ``_exporting`` until the task ends, on the same lifecycle: returned,
    for the caller to store."""
    related = [{"Name": "OSSBucket", "Value": bucket}, {"Name": "OSSObject", "Value": name}, *related]
    start_task(ctx, task_id, action, resource_id, related, failure, _object={"bucket": bucket, "name": name})
    oss.registry(ctx.engine).put_object(ctx.region, bucket, name, size=max(size_gib, 1) * GIB, txn=ctx.txn,
                                        task_id=task_id, account=ctx.account)
    return lifecycle.start(ctx, "task", task_id, {**record, "_exporting": task_id},
                           done={"_exporting": None}, failed={"_exporting": None})


# -- ExportSnapshot --------------------------------------------------------------------------------------------------
SNAPSHOT_NOT_FOUND = error_kind("InvalidSnapshotId.NotFound", "The specified snapshot is not exists.", 403)
SNAPSHOT_NOT_DONE = error_kind("SNAPSHOT_CREATE_NOT_FINISHED", "The specified snapshot is not finished yet.", 403)
SNAPSHOT_EXPORTING = error_kind("SNAPSHOT_IS_EXPORTING", "The specified snapshot is already exporting.", 403)
SNAPSHOT_BUCKET = error_kind("InvalidOSSBucket.NotFound", "The specified OSS bucket does not exist in this region.",
                             403)
SNAPSHOT_OSS_DENIED = error_kind("OSS_AUTHORIZED_FAILED", "ECS service account Have no right to access your OSS. "
                                 "please attach a role of access your oss to ECS service account.", 403)


@operation("ExportSnapshot", S("SnapshotId", required=True), S("OssBucket", required=True), S("RoleName"))
def export_snapshot(ctx: Context, snapshot_id: str, oss_bucket: str, role_name: Optional[str]) -> dict:
    """A snapshot to OSS as ExportImage exports an image: a task (``ExportSnapshot`` in DescribeTasks, cancelled by
    CancelTask), its object ``<SnapshotId>_<TaskId>.raw`` [GUESS: the object's name is not documented] of the
    source disk's size. The role: AliyunECSImageExportDefaultRole, or another the account has (RAM) [GUESS]; a
    bucket elsewhere is not in this region; every OSS refusal is the documented OSS_AUTHORIZED_FAILED."""
    record = resources.get(ctx, "snapshot", snapshot_id)
    if not resources.is_mine(ctx, record):
        raise SNAPSHOT_NOT_FOUND
    if record["Status"] != "accomplished":
        raise SNAPSHOT_NOT_DONE
    if record.get("_exporting"):
        raise SNAPSHOT_EXPORTING
    ram.check(ctx, role_name, "AliyunECSImageExportDefaultRole", refused=SNAPSHOT_OSS_DENIED)
    task_id = resources.new_id("task", ctx.region)
    name = f"{record['SnapshotId']}_{task_id}.raw"
    info = oss.oss_object(ctx, ctx.region, oss_bucket, name)
    elsewhere = not info.get("registered") and oss.registry(ctx.engine).bucket_regions(oss_bucket, txn=ctx.txn)
    if info.get("bucket_missing") or (elsewhere and ctx.region not in elsewhere):
        raise SNAPSHOT_BUCKET
    if (info.get("owner") and str(info["owner"]) != ctx.account) or info.get("encryption"):
        raise SNAPSHOT_OSS_DENIED
    marked = _start_export(ctx, task_id, "ExportSnapshot", record, record["SnapshotId"], oss_bucket, name,
                           int(record.get("SourceDiskSize") or 0), [],
                           ("ExportSnapshotFailed", "Exporting snapshot is failed, Please contact the administrator."))
    resources.put(ctx.txn, "snapshot", marked)
    return {"TaskId": task_id}


# -- DescribeTasks / DescribeTaskAttribute / CancelTask --------------------------------------
def _time(value: Optional[str], name: str) -> Optional[float]:
    if not value:
        return None
    parsed = resources.parse_iso(value)
    if parsed is None:
        raise invalid_parameter(name)
    return parsed


@operation(
    "DescribeTasks", Comma("TaskIds", max_items=100), Repeat("ResourceIds", max_items=100), S("TaskAction"),
    S("TaskStatus"), S("StartTime"), S("EndTime"), S("TaskGroupId"), paging.PAGE_NUMBER,
    paging.PAGE_SIZE, region_error=_REGION_ERROR,
)
def describe_tasks(ctx: Context, task_ids: Optional[list[str]], resource_ids: Optional[list[str]],
                   task_action: Optional[str], task_status: Optional[str], start_time: Optional[str],
                   end_time: Optional[str], task_group_id: Optional[str], page_number: int, page_size: int) -> dict:
    start, end = _time(start_time, "StartTime"), _time(end_time, "EndTime")
    txn = ctx.txn
    status = task_status if task_status in FILTERABLE_STATUSES else None
    if not (task_ids or resource_ids or task_action or status or start is not None or end is not None):
        page, meta = paging.ordered_page(ctx, "task", resources.owner_region(ctx.account, ctx.region), page_number,
                                      page_size, None, None)
        return {"RegionId": ctx.region, "TotalCount": meta["TotalCount"], "PageNumber": page_number,
                "PageSize": page_size, "TaskSet": {"Task": [summary(t) for t in page]}}
    if task_ids:
        ids = set(task_ids)
    elif resource_ids:
        ids = set().union(*(txn.ids("task", ("resource", rid)) for rid in resource_ids))
    elif task_action:
        ids = txn.ids("task", ("action", task_action))
    else:
        ids = txn.ids("task", resources.owner_region(ctx.account, ctx.region))
    found = []
    for task_id in ids:
        task = resources.get(ctx, "task", task_id)
        if task is None or task["_owner"] != ctx.account or task["_region"] != ctx.region:
            continue
        if task_action and task["TaskAction"] != task_action:
            continue
        if resource_ids and task.get("ResourceId") not in resource_ids:
            continue
        if status and task["TaskStatus"] != status:
            continue
        if (start is not None and task["_created"] < start) or (end is not None and task["_created"] > end):
            continue
        found.append(task)
    # [GUESS] newest first; TaskGroupId is accepted and ignored (import/export tasks have no group).
    found.sort(key=lambda t: (-t["_created"], t["TaskId"]))
    page = paging.by_number(found, page_number, page_size)
    return {"RegionId": ctx.region, "TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "TaskSet": {"Task": [summary(t) for t in page]}}


@operation("DescribeTaskAttribute", S("TaskId", required=True), region_error=_REGION_ERROR)
def describe_task_attribute(ctx: Context, task_id: str) -> dict:
    return attribute(own_task(ctx, task_id))


@operation("CancelTask", S("TaskId", required=True), region_error=_REGION_ERROR)
def cancel_task(ctx: Context, task_id: str) -> dict:
    task = own_task(ctx, task_id)
    if task["TaskAction"] not in CANCELLABLE:
        raise EcsError("InvalidTaskId.TaskActionNotSupport", "The specified task action  not support.", 403)
    if task["TaskStatus"] not in RUNNING:
        raise EcsError("InvalidTaskId.IncorrectTaskStatus", "The specified task status is invalid.", 403)
    if ctx.engine.lifecycle.claim_failure("cancel", f"cancel:{task_id}:{ctx.request_id}"):
        # engine.lifecycle.fail_next("cancel"): the service fails to cancel; the task runs on.
        raise EcsError("CancelTaskFailed", "The task is failed to cancel, Please contact the administrator.", 403)
    # [GUESS] undocumented in current docs; older docs list "Deleted" as the cancelled status.
    status = ctx.config.options.get("cancelled_task_status", "Deleted")
    cancelled = {k: v for k, v in task.items() if k != "_pending"}
    cancelled.update({"TaskStatus": status, "SupportCancel": "false", "FinishedTime": resources.iso_minute(ctx.now),
                      "_error": {"code": "Canceled", "message": "The task is canceled."}})
    resources.put(ctx.txn, "task", cancelled)
    kind = "snapshot" if task["TaskAction"] == "ExportSnapshot" else "image"
    subject = resources.get(ctx, kind, task.get("ResourceId"))  # (the image imported or exported, or the snapshot)
    if task["TaskAction"] == "ImportImage":
        if subject is not None:
            images.put(ctx, _stopped(subject, {"Status": "CreateFailed", "Usable": False}))
        for snapshot_id in task.get("_snapshots") or ():
            snapshot = resources.get(ctx, "snapshot", snapshot_id)
            if snapshot is not None:
                resources.put(ctx.txn, "snapshot", _stopped(snapshot, {"Status": "failed", "Available": False}))
    else:
        if subject is not None and subject.get("_exporting") == task_id:
            unmarked = _stopped(subject, {"_exporting": None})
            if kind == "image":
                images.put(ctx, unmarked)
            else:
                resources.put(ctx.txn, kind, unmarked)
        written = task.get("_object") or {}
        if written:
            oss.registry(ctx.engine).delete_object(ctx.region, written["bucket"], written["name"], txn=ctx.txn)
    return {}


def _stopped(record: Mapping[str, Any], fields: dict) -> dict:
    """``record`` with its transition dropped and ``fields`` applied."""
    out = {k: v for k, v in record.items() if k != "_pending"}
    out.update(fields)
    return out

"""Instances and their disks, as far as image flows need them (spec §4.4-4.7).

RunInstances, CreateInstance, DescribeInstances, StartInstance, StopInstance,
DeleteInstance, ReplaceSystemDisk, DescribeDisks.

Instance records (kind ``instance``) have the wire shape of
``DescribeInstancesResponseBodyInstancesInstance`` plus ``_owner``, ``_region``,
``_created`` (creation order). Disk records (kind ``disk``) have the wire shape of
``DescribeDisksResponseBodyDisksDisk`` plus ``_owner``, ``_region``, ``_image_id`` (the
image the disk was made from) and ``_attached_once``.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from mockecs.ops.registry import BAD_CLIENT_TOKEN, REGISTRY, Context, operation
from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.params import B, F, I, JsonList, L, Repeat, S, Struct, Structs, whole_number
from mockecs.world import (
    access,
    account_states,
    auto_snapshots,
    commands,
    dedicated_hosts,
    deployment_sets,
    images,
    instance_clock,
    instance_types,
    interfaces,
    ipv6,
    kms,
    launch,
    launch_interfaces,
    launch_templates,
    lifecycle,
    monitoring,
    networks,
    paging,
    private_pools,
    quotes,
    ram,
    regions,
    releases,
    resource_groups,
    resources,
    spot,
    spot_interruptions,
    stock,
    storage_sets,
    subscriptions,
    system_events,
    validation,
)
from mockecs.world.disks import (
    STORAGE_CLUSTER_NOT_FOUND,
    attached_instance_ids,
    data_disk_range,
    device_on,
    instance_disks,
    on_instance,
    snapshot_in_progress,
)
from mockecs.world.disks import performance as disk_performance

INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
INCORRECT_STATUS = error_kind("IncorrectInstanceStatus",
                            "The current status of the resource does not support this operation.", 403)
INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
STOPPED_MODES = ("StopCharging", "KeepCharging")
TOO_MANY_INSTANCE_IDS = error_kind("InvalidParameter.TooManyInstanceIds", "Instance ids cannot be more than 100.", 403)
SOURCE_DISK_TYPES = ("system", "data")
DISK_CATEGORIES = ("cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry")
CHARGE_TYPES = ("PostPaid", "PrePaid")
# /dev/xvdb../dev/xvdz for the first 25 data disks, then /dev/xvdaa../dev/xvdzz (documented).
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
DATA_DEVICES = [f"/dev/xvd{c}" for c in _LETTERS[1:]] + [f"/dev/xvd{a}{b}" for a in _LETTERS for b in _LETTERS]
MAX_TAGS = 20
# Tag.N.Key/Value without the generic 20-item limit of params.TAGS: these operations document
# their own code for too many tags (InvalidTagCount), checked by tag_filter / _launch.
TAGS = Structs("Tag", [S("Key"), S("Value")])
TOO_MANY_TAGS = error_kind("InvalidTagCount", "The specified tags are beyond the permitted range.", 400)
KEY_PAIR_NOT_FOUND = error_kind("InvalidKeyPairName.NotFound",
                                "The specified parameter KeyPairName does not exist in our records.", 404)


def instance_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    # DeleteImage finds the instances that use an image with ("image", ImageId); the network terms
    # serve DescribeInstances' filters, DeleteVSwitch and DeleteSecurityGroup; the access terms
    # DeleteKeyPairs and the public address filters.
    terms = [("image", record["ImageId"])] if record.get("ImageId") else []
    terms.append(resources.own_text(record, "name", "InstanceName"))  # DescribeInstances' InstanceName
    if record.get("_ram_role"):  # DescribeInstanceRamRole's RamRoleName
        terms.append(ram_role_term(record["_owner"], record["_region"], record["_ram_role"]))
    return (terms + networks.instance_terms(record) + access.instance_terms(record)
            + subscriptions.terms(record)  # (DescribeInstanceAutoRenewAttribute's RenewalStatus)
            + deployment_sets.instance_terms(record)  # (a set's members and room, an HPC cluster's)
            + dedicated_hosts.instance_terms(record)  # (a dedicated host's instances and room)
            + private_pools.instance_terms(record)  # (a private pool's members and used amount)
            + spot_interruptions.instance_terms(record)  # (a zone's spot stock, reclaimed by a test)
            + lock_terms(record))  # (DescribeInstances' LockReason)


# DescribeInstances' and DescribeDisks' LockReason values (documented; a spot instance's disks: lower case)
LOCK_REASONS = ("financial", "security", "Recycling", "dedicatedhostfinancial", "refunded")
DISK_LOCK_REASONS = ("financial", "security", "recycling", "dedicatedhostfinancial")
BAD_LOCK_REASON = error_kind("InvalidLockReason.NotFound", "The specified LockReason is not found.", 404)


def lock_term(account: str, region: str, reason: str, kind: str = "instance") -> tuple[str, str]:
    return (f"{kind}_lock", f"{account}|{region}|{reason}")


def lock_terms(record: Mapping[str, Any], kind: str = "instance") -> list[tuple[str, str]]:
    """An index term per lock of an instance (``OperationLocks.LockReason``) or a disk (``.OperationLock``)."""
    locks = record.get("OperationLocks")
    field = "LockReason" if kind == "instance" else "OperationLock"
    items = locks.get(field) if isinstance(locks, dict) else None  # (an imported record may hold anything)
    return [lock_term(record["_owner"], record["_region"], str(lock.get("LockReason")), kind)
            for lock in (items if isinstance(items, list) else ()) if isinstance(lock, dict)]


def ram_role_term(account: str, region: str, role_name: str) -> tuple[str, str]:
    return ("ram_role", f"{account}|{region}|{role_name}")


def disk_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    terms = []
    if record.get("InstanceId"):
        terms.append(("instance", record["InstanceId"]))
    elif record.get("MultiAttach") == "Enabled":  # (on each instance it is attached to: no InstanceId of its own)
        terms.extend(("instance", i) for i in attached_instance_ids(record))
    if record.get("SourceSnapshotId"):
        terms.append(("snapshot", record["SourceSnapshotId"]))  # DeleteSnapshot's SnapshotCreatedDisk
    if record.get("AutoSnapshotPolicyId"):
        terms.append(("snapshot_policy", record["AutoSnapshotPolicyId"]))  # a policy's DiskNums, its deletion
    if record.get("StorageSetId"):
        terms.extend(storage_sets.disk_terms(record))  # (a storage set's disks, per partition)
    return terms + (lock_terms(record, "disk") if "_owner" in record else [])  # (DescribeDisks' LockReason)


resources.TERMS["instance"] = instance_terms
resources.TERMS["disk"] = disk_terms
resources.ORDER["instance"] = lambda record: resources.time_key(record.get("_created", 0))  # creation order
# DescribeDisks' order: (CreationTime, system disk first, Device), then DiskId (Device last: a shorter
# device name sorts first, as in a tuple).
resources.ORDER["disk"] = lambda record: \
    f"{record.get('CreationTime') or ''}\0{int(record.get('Type') != 'system')}\0{record.get('Device') or ''}"


# -- shared helpers (also used by mockecs.ops.snapshots) ------------------------------
def paginate(items: list, page_number: int, page_size: int, next_token: Optional[str],
             max_results: Optional[int]) -> tuple[list, dict]:
    """One page of ``items`` and the paging fields of the answer (spec §1.8).

    ``NextToken``/``MaxResults`` mode when either is sent (``TotalCount`` still given), else
    ``PageNumber``/``PageSize``; a page past the end is empty.
    """
    start, size, meta = paging.bounds(page_number, page_size, next_token, max_results, len(items))
    return list(items[start:start + size]), meta


def clamp_max_results(max_results: Optional[int], highest: int) -> Optional[int]:
    """DescribeInstances / DescribeDisks document no error for MaxResults: unset or below 10 reads
    as 10, above the maximum as the maximum."""
    if max_results is None:
        return None
    return min(max(max_results, 10), highest)


def tag_filter(tags: Optional[list[dict]]) -> list[dict]:
    """``Tag.N.Key/Value`` filters; a value without a key is documented as ``InvalidTag.Mismatch``,
    more than 20 tags as ``InvalidTagCount``."""
    if tags and len(tags) > MAX_TAGS:
        raise TOO_MANY_TAGS
    out = []
    for tag in tags or ():
        if not tag.get("key"):
            if tag.get("value"):
                raise EcsError("InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
            continue
        out.append(tag)
    return out


def system_disk_of(ctx: Context, instance_id: str) -> Optional[dict]:
    return next((d for d in instance_disks(ctx, instance_id) if d["Type"] == "system"), None)


def get_instance(ctx: Context, instance_id: Optional[str]) -> dict:
    instance_clock.settle_due(ctx)  # (released or expired by the mock clock by now)
    return resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)


NEVER_EXPIRES = "2999-09-08T16:00Z"  # a pay-as-you-go disk's ExpiredTime, as the service answers it
POSTPAID_EXPIRY = "2099-12-31T15:59Z"  # a pay-as-you-go instance's
_INSTANCE_IDS = JsonList("InstanceIds")


def instance_id_list(raw: Optional[str], malformed: type[EcsError], too_many: type[EcsError], most: int) -> list[str]:
    """An ``InstanceIds`` JSON list decoded with the operation's own codes (operations that document their own
    for a malformed or too long list); a repeated id counts once."""
    try:
        ids = _INSTANCE_IDS.decode_scalar(raw) if raw else []
    except EcsError:
        raise malformed from None
    if len(ids) > most:
        raise too_many
    return list(dict.fromkeys(ids))


def make_disk(ctx: Context, instance: Mapping[str, Any], disk_type: str, size: int, category: str,
              device: str, image_id: str = "", snapshot_id: str = "", name: str = "", description: str = "",
              encrypted: bool = False, delete_with_instance: bool = True, performance_level: str = "",
              auto_snapshot_policy_id: str = "", kms_key_id: str = "", encrypt_algorithm: str = "") -> dict:
    """A new disk attached to ``instance`` (not stored: callers ``resources.put`` it); ``encrypt_algorithm`` kept
    (``_encrypt_algorithm``, no answer shows it) when encrypted with another than the default AES-256."""
    now = resources.iso(ctx.now)
    disk_id = resources.new_id("disk", instance["_region"])
    level = performance_level or ("PL1" if category == "cloud_essd" else "")
    charge = instance.get("InstanceChargeType", "PostPaid")
    performance = disk_performance(category, size, level)
    # (the account's default encryption, or the disk's own key)
    encrypted, key = kms.new_disk_encryption(ctx, instance["_region"], bool(encrypted), kms_key_id)
    # In the order the service answers a disk (a captured DescribeDisks answer: Alibaba's
    # aliyun/alibabacloud-ecs-tool-troubleshooter, ecs-devops-dashboard/src/app/static/data/DescribeDisks.ts), then the
    # fields that answer lacks; later writes keep each field's place.
    return {
        "DetachedTime": "", "Category": category, "Description": description, "KMSKeyId": key,
        "ResourceGroupId": instance.get("ResourceGroupId", ""), "Encrypted": encrypted, "Size": int(size),
        "DeleteAutoSnapshot": False, "DiskChargeType": charge, "Throughput": performance["Throughput"],
        "IOPS": performance["IOPS"], "MultiAttach": "Disabled",
        "Attachments": {"Attachment": [{"AttachedTime": now, "InstanceId": instance["InstanceId"], "Device": device}]},
        # (the zones of a zone-redundant disk, which mockecs does not make: empty, as the metadata's example shows;
        # the captured answer leaves ZoneIds out)
        "Placement": {"ZoneIds": ""},
        # (a pay-as-you-go disk never expires: the service answers this date; a subscription one, the instance's)
        "ExpiredTime": NEVER_EXPIRES if charge == "PostPaid" else instance.get("ExpiredTime", ""),
        "ImageId": image_id, "StorageSetId": "", "Tags": {"Tag": []}, "Status": "In_use", "AttachedTime": now,
        "StorageClusterId": "", "ZoneId": instance["ZoneId"], "InstanceId": instance["InstanceId"],
        "SourceSnapshotId": snapshot_id, "ProductCode": "", "PerformanceLevel": level, "Device": device,
        "DeleteWithInstance": delete_with_instance, "EnableAutomatedSnapshotPolicy": bool(auto_snapshot_policy_id),
        "EnableAutoSnapshot": True, "AutoSnapshotPolicyId": auto_snapshot_policy_id, "DiskName": name,
        "OperationLocks": {"OperationLock": []}, "BdfId": "", "Portable": disk_type == "data", "Type": disk_type,
        "SerialNumber": disk_id[2:], "CreationTime": now, "RegionId": instance["_region"], "DiskId": disk_id,
        "IOPSRead": 0, "IOPSWrite": 0, "ThroughputRead": 0, "ThroughputWrite": 0, "ProvisionedIops": 0,
        "BurstingEnabled": False, "MountInstanceNum": 0, "StorageSetPartitionNumber": 0, "SourceDiskId": "",
        "MountInstances": {"MountInstance": []},
        # (where its data came from: the snapshot it was made from, none else [GUESS: the SDK model's names only])
        "DataSource": {"Type": "snapshot", "Id": snapshot_id} if snapshot_id else {"Type": "", "Id": ""},
        "_owner": instance["_owner"], "_region": instance["_region"], "_image_id": image_id,
        "_attached_once": True,
        **({"_encrypt_algorithm": encrypt_algorithm} if encrypted and encrypt_algorithm not in ("", "AES-256")
           else {}),
    }


def _mappings(image: Mapping[str, Any], kind: str) -> list[dict]:
    return [m for m in (image.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ()
            if m.get("Type") == kind]


def new_system_disk(ctx: Context, instance: Mapping[str, Any], image: Mapping[str, Any], size: int,
                    category: str, name: str = "", description: str = "", performance_level: str = "",
                    encrypted: bool = False, kms_key_id: str = "") -> dict:
    system = _mappings(image, "system")
    snapshot_id = (system[0].get("SnapshotId") or "") if system else ""
    disk = make_disk(ctx, instance, "system", size, category, "/dev/xvda", image_id=image["ImageId"],
                     snapshot_id=snapshot_id, name=name, description=description,
                     performance_level=performance_level, encrypted=encrypted, kms_key_id=kms_key_id)
    # A disk of a Marketplace image carries its product code, and so do its snapshots and the
    # images made from them (spec §2.7).
    return {**disk, "ProductCode": image.get("ProductCode") or ""}


def _os_fields(image: Mapping[str, Any], login_as_non_root: bool = False) -> dict:
    features = image.get("Features") or {}
    return {"ImageId": image["ImageId"], "OSName": image.get("OSName", ""), "OSNameEn": image.get("OSNameEn", ""),
            "OSType": image.get("OSType", "linux"),
            "ImageOptions": {"LoginAsNonRoot": bool(login_as_non_root),
                             "CurrentOSNVMeSupported": features.get("NvmeSupport") == "supported"}}


# -- settings a launch takes and a Modify operation of mockecs.ops.instance_settings changes later -------------------
# An instance's MetadataOptions unless its launch or ModifyInstanceMetadataOptions set them (as the capture answers
# them; the record is their one copy: DescribeInstances answers it as stored).
DEFAULT_METADATA_OPTIONS = {"HttpEndpoint": "enabled", "HttpTokens": "optional", "HttpPutResponseHopLimit": 1}
HTTP_ENDPOINTS = ("enabled", "disabled")
HTTP_TOKENS = ("optional", "required")
METADATA_TAGS = ("enabled", "disabled")
HOP_LIMITS = (1, 64)  # RunInstances' documented range (Terraform checks the same)
# The launches and ModifyInstanceMetadataOptions document the same codes and messages.
BAD_HTTP_ENDPOINT = error_kind("InvalidHttpEndpoint.NotSupported",
                               "The specified HttpEndpoint not supported, you can use enabled(default) or disabled.")
BAD_HTTP_TOKENS = error_kind("InvalidHttpTokens.NotSupported",
                             "The specified HttpTokens not supported, you can use optional(default) or required.")
BAD_HOP_LIMIT = error_kind("InvalidHttpPutResponseHopLimit.NotSupported",
                           "The specified HttpPutResponseHopLimit not supported, more than 1 and less than 64 is "
                           "reasonable.")
BAD_METADATA_TAGS = error_kind("InvalidInstanceMetadataTags.NotSupported",
                               "The specified InstanceMetadataTags not supported.")
# PrivatePoolOptions: the documented values (default None) and the codes of the three operations that take them
MATCH_CRITERIA = ("Open", "Target", "None")
NO_PRIVATE_POOL = {"MatchCriteria": "None", "Id": ""}
POOL_ID_MISSING = error_kind("MissingParameter.PrivatePoolOptions.Id",
                             "The specified PrivatePoolOptions.Id should not be null.", 400)
RELEASE_SOONEST = 30 * 60  # documented: at least half an hour from now
RELEASE_LATEST = (3 * 365 + 1) * 86400  # documented: at most three years from now (with one leap day)


def metadata_options(current: Mapping[str, Any], endpoint: Optional[str], tokens: Optional[str],
                     hops: Optional[str], tags: Optional[str] = None) -> dict:
    """``current`` MetadataOptions with those sent (an option not sent keeps its value [GUESS]); the hop limit is
    taken as text, so that a value that is no number answers the documented code, not a generic one."""
    changed = dict(current)
    for name, value, allowed, bad in (("HttpEndpoint", endpoint, HTTP_ENDPOINTS, BAD_HTTP_ENDPOINT),
                                      ("HttpTokens", tokens, HTTP_TOKENS, BAD_HTTP_TOKENS),
                                      ("InstanceMetadataTags", tags, METADATA_TAGS, BAD_METADATA_TAGS)):
        if value:
            if value not in allowed:
                raise bad
            changed[name] = value
    if hops:
        changed["HttpPutResponseHopLimit"] = whole_number(hops, *HOP_LIMITS)
        if changed["HttpPutResponseHopLimit"] is None:
            raise BAD_HOP_LIMIT
    return changed


def private_pool(options: Mapping[str, Any]) -> tuple[str, str]:
    """``PrivatePoolOptions`` as sent: (MatchCriteria, the pool id of a ``Target`` match); ``Target`` needs an id, and
    a pool id sent with ``Open`` or ``None`` is ignored [GUESS: Terraform sends none then]. Matching:
    :func:`mockecs.world.private_pools.place`."""
    criteria = options.get("match_criteria") or NO_PRIVATE_POOL["MatchCriteria"]
    if criteria == "Target" and not options.get("id"):
        raise POOL_ID_MISSING
    return criteria, (options.get("id") or "") if criteria == "Target" else ""


def release_time(ctx: Context, text: Optional[str], malformed: type[EcsError]) -> str:
    """An ``AutoReleaseTime`` as DescribeInstances answers it (minutes: ``2024-07-01T08:30Z``), "" for none. Sent as
    UTC ``yyyy-MM-ddTHH:mm:ssZ`` (also without seconds [GUESS: the form DescribeInstances answers]); seconds are
    dropped (documented); less than half an hour or more than three years ahead is ``malformed`` [GUESS: the one
    documented code]."""
    if not text:
        return ""
    moment = resources.parse_iso(text) if "T" in text else None
    if moment is None or not ctx.now + RELEASE_SOONEST <= moment <= ctx.now + RELEASE_LATEST:
        raise malformed
    return resources.iso_minute(moment)


# -- launching ------------------------------------------------------------------------
_INSTANCE_TYPE = S("InstanceType", required=True)
# Each launch's documented code for a bandwidth out of range (RunInstances' messages spell the names in lower camel
# case). Inbound: 1-200, the range the service took before the current 1-max(10, outbound) [GUESS: clients such as
# Ansible's ali_instance still send 200]
_BANDWIDTHS = {action: (I("InternetMaxBandwidthIn", min=1, max=200, error=(
    "InvalidInternetMaxBandwidthIn.Malformed", f"The specified parameter {name}In is not valid.", 400)),
    I("InternetMaxBandwidthOut", min=0, max=100, error=(
        "InvalidInternetMaxBandwidthOut.Malformed", f"The specified parameter {name}Out is not valid.", 400)))
    for action, name in (("RunInstances", "internetMaxBandwidth"), ("CreateInstance", "InternetMaxBandwidth"))}
_SYSTEM_DISK = Struct("SystemDisk", [S("Category"), I("Size"), S("DiskName"), S("Description"),
                                     S("PerformanceLevel"), S("StorageClusterId")])
_DATA_DISK_FIELDS = [I("Size"), S("Category"), S("SnapshotId"), S("Device"), S("DiskName"), S("Description"),
                     B("DeleteWithInstance"), S("Encrypted"), S("PerformanceLevel"), S("KMSKeyId"),
                     S("StorageClusterId"), S("EncryptAlgorithm")]
_DATA_DISKS = Structs("DataDisk", _DATA_DISK_FIELDS, max_items=16)
# RunInstances alone takes SystemDisk.AutoSnapshotPolicyId and DataDisk.N.AutoSnapshotPolicyId (CreateInstance's SDK
# model lacks them).
_RUN_DISKS = {_SYSTEM_DISK: Struct("SystemDisk", [S("Category"), I("Size"), S("DiskName"), S("Description"),
                                                  S("PerformanceLevel"), S("AutoSnapshotPolicyId"), S("Encrypted"),
                                                  S("KMSKeyId"), S("StorageClusterId")]),
              _DATA_DISKS: Structs("DataDisk", [*_DATA_DISK_FIELDS, S("AutoSnapshotPolicyId")], max_items=16),
              _INSTANCE_TYPE: S("InstanceType"),  # (a launch template may give it: checked once it is applied)
              **dict(zip(_BANDWIDTHS["CreateInstance"], _BANDWIDTHS["RunInstances"]))}
_CHARGE = S("InstanceChargeType", default="PostPaid", choices=CHARGE_TYPES,
            error=("InvalidInstanceChargeType.NotFound", 404))
_COMMON_LAUNCH = (
    S("ImageId"), S("ImageFamily"), _INSTANCE_TYPE, S("ZoneId"), S("InstanceName"),
    S("Description"), S("HostName"), S("Password"), B("PasswordInherit"), S("KeyPairName"), S("UserData"),
    S("SecurityGroupId"), S("VSwitchId"), S("PrivateIpAddress"), S("SecurityEnhancementStrategy"),
    S("InternetChargeType"), *_BANDWIDTHS["CreateInstance"], S("ResourceGroupId"), S("SpotStrategy"),
    F("SpotPriceLimit", min=0, error=("InvalidSpotPriceLimit", "The specified SpotPriceLimitis not valid.", 400)),
    I("SpotDuration"), S("SpotInterruptionBehavior"),
    B("DeletionProtection"), S("RamRoleName"), _CHARGE, _SYSTEM_DISK, _DATA_DISKS, TAGS,
    S("HttpEndpoint"), S("HttpTokens"), S("HttpPutResponseHopLimit"),  # (the hop limit as text: metadata_options)
    Struct("PrivatePoolOptions", [S("MatchCriteria", choices=MATCH_CRITERIA), S("Id")]),
    I("Period"), S("PeriodUnit", default="Month"), B("AutoRenew", default=False), I("AutoRenewPeriod", default=1),
    S("DeploymentSetId"), I("DeploymentSetGroupNo"), S("HpcClusterId"),
    S("StorageSetId"), I("StorageSetPartitionNumber"),
    S("DedicatedHostId"), S("Affinity"), S("Tenancy"), S("IoOptimized"),
)
STORAGE_SET_REFUSALS = storage_sets.Refusals(
    error_kind("InvalidParameter.StorageSetId", "Specified parameter StorageSetId is not valid.", 403),
    error_kind("InvalidParameter.StorageSetPartitionNumber", "Specified parameter StorageSetPartitionNumber is not "
               "valid.", 403),
    error_kind("InvalidParameter.StorageSetZoneId", "Specified parameter StorageSetZoneId is not valid.", 403))
SNAPSHOT_POLICY_NOT_FOUND = error_kind("InvalidAutoSnapshotPolicyId.NotFound",
                                       "Specified parameter AutoSnapshotPolicyId not found.", 404)
RUN_RELEASE_MALFORMED = error_kind("InvalidAutoReleaseTime.Malformed",
                                   "The specified parameter AutoReleaseTime is not valid.")


# The order of an instance's fields in the service's answers (DescribeInstances as the service answered it,
# aliyun/alibabacloud-ecs-tool-troubleshooter's captured data): a fixed order, not the metadata's. Clients
# depend on it: footmark (Ansible's alicloud modules) sets attributes in answer order, and its Instance
# looks ``eip_address`` up while ``PublicIpAddress`` is set, which recurses unless EipAddress came first.
# Fields the capture does not show follow, in the order the record gives them.
INSTANCE_FIELD_ORDER = {name: at for at, name in enumerate((
    "ResourceGroupId", "Memory", "InstanceChargeType", "Cpu", "OSName", "InstanceNetworkType", "InnerIpAddress",
    "ExpiredTime", "ImageId", "EipAddress", "ImageOptions", "HostName", "VlanId", "Status", "HibernationOptions",
    "MetadataOptions", "InstanceId", "StoppedMode", "CpuOptions", "StartTime", "PrivateDnsNameOptions",
    "DeletionProtection", "SecurityGroupIds", "VpcAttributes", "InternetChargeType", "InstanceName",
    "DeploymentSetId", "InternetMaxBandwidthOut", "SerialNumber", "OSType", "CreationTime", "AutoReleaseTime",
    "Description", "InstanceTypeFamily", "DedicatedInstanceAttribute", "PublicIpAddress", "GPUSpec",
    "NetworkInterfaces", "SpotPriceLimit", "DeviceAvailable", "SaleCycle", "InstanceType", "SpotStrategy",
    "OSNameEn", "IoOptimized", "ZoneId", "ClusterId", "EcsCapacityReservationAttr", "DedicatedHostAttribute",
    "GPUAmount", "OperationLocks", "InternetMaxBandwidthIn", "Recyclable", "RegionId", "CreditSpecification"))}


def in_service_order(record: Mapping[str, Any]) -> dict:
    """An instance record with its fields in the service's order (written so: updates keep a dict's order)."""
    last = len(INSTANCE_FIELD_ORDER)
    return {name: record[name] for name in sorted(record, key=lambda name: INSTANCE_FIELD_ORDER.get(name, last))}


def _cpu_options(itype: Mapping[str, Any]) -> dict:
    """The type's cores and threads (:func:`instance_types.threads_per_core`); the continuous topology where the
    type offers one (the user guide's default), the optional CPU features off [GUESS: the SDK model's
    TurboMode, EnableVISST, EnableVRDT and NestedVirtualization are undocumented: off / empty]."""
    vcpus = int(itype.get("CpuCoreCount") or 0)
    threads = instance_types.threads_per_core(vcpus, itype.get("CpuArchitecture", "X86"))
    return {"ThreadsPerCore": threads, "Numa": "ON", "CoreCount": vcpus // threads,
            "TopologyType": (instance_types.topology_types(itype) or ("",))[0], "TurboMode": "",
            "EnableVISST": False, "EnableVRDT": False, "NestedVirtualization": "disabled"}


def type_fields(itype: Mapping[str, Any]) -> dict:
    """The fields of an instance record its instance type decides (RunInstances, ModifyInstanceSpec)."""
    return {"InstanceType": itype["InstanceTypeId"], "InstanceTypeFamily": itype.get("InstanceTypeFamily", ""),
            "Cpu": int(itype.get("CpuCoreCount") or 0), "Memory": int(float(itype.get("MemorySize") or 0) * 1024),
            "GPUAmount": int(itype.get("GPUAmount") or 0), "CpuOptions": _cpu_options(itype)}


ON_HOST_SPEC = error_kind("InvalidAction.NotSupport", "The ecs on dedicatedHost not support modify instanceType.")


def type_change(ctx: Context, record: Mapping[str, Any], itype: Mapping[str, Any], not_sold: type[EcsError],
                image_mismatch: type[EcsError], no_stock: type[EcsError], not_match: bool = False,
                disk_refusals: Optional[tuple[type[EcsError], type[EcsError]]] = None,
                system_category: Optional[str] = None, category_refusal: Optional[type[EcsError]] = None) -> dict:
    """The fields an instance's new type ``itype`` decides (ModifyInstanceSpec, ModifyPrepayInstanceSpec), checked
    with the operation's codes: its zone must sell the type and have it in stock, its image run on it; not on a
    dedicated host
    (ModifyInstanceSpec's documented code); an instance of another type leaves its private pool (a pool holds one
    type). An image lacking the type's NVMe or boot mode is ``image_mismatch`` too, or with ``not_match`` the
    operation's InvalidParameter.NotMatch (:func:`mockecs.world.launch.platform_refusal`). The instance's disks must
    be of categories the new type sells (``disk_refusals``: the operation's codes for its system disk and for a
    data disk); a basic system disk is judged as ``system_category`` when one is named (SystemDisk.Category: the
    category it becomes, :func:`convert_basic_system_disk`), refused with ``category_refusal``."""
    if dedicated_hosts.host_id_of(record):
        raise ON_HOST_SPEC
    if not instance_types.sells(itype, record["ZoneId"]):
        raise not_sold
    if stock.sold_out(ctx, record["ZoneId"], itype["InstanceTypeId"]):
        raise no_stock
    image = images.get_any(ctx, record.get("ImageId"))
    if image is not None and not launch.arch_supports(image, itype):
        raise image_mismatch
    refusal = launch.platform_refusal(image, itype) if image is not None else None
    if refusal is not None:
        raise refusal if not_match else image_mismatch
    if disk_refusals is not None and ctx.config.options["instance_type_disk_categories"]:
        for disk in instance_disks(ctx, record["InstanceId"]):
            if system_category and disk["Type"] == "system" and disk["Category"] == "cloud":
                if not launch.sells_disk(ctx, itype, system_category, "system"):
                    raise category_refusal or disk_refusals[0]
            elif not launch.sells_disk(ctx, itype, disk["Category"], disk["Type"]):
                raise disk_refusals[disk["Type"] != "system"]
    return {**type_fields(itype), **private_pools.type_changed(record, itype["InstanceTypeId"])}


# SystemDisk.Category of ModifyInstanceSpec and ModifyPrepayInstanceSpec: documented values, and effect ("only when
# a retired non-I/O optimized type changes to an I/O optimized one": a basic system disk becomes that category)
BASIC_SYSTEM_DISK_TARGETS = ("cloud_efficiency", "cloud_ssd")


def convert_basic_system_disk(ctx: Context, instance_id: str, category: Optional[str]) -> None:
    """The instance's basic (``cloud``) system disk becomes ``category``; any other system disk is kept (the
    parameter has no effect there, as documented)."""
    if not category:
        return
    for disk in instance_disks(ctx, instance_id):
        if disk["Type"] == "system" and disk["Category"] == "cloud":
            resources.put(ctx.txn, "disk", {**disk, "Category": category, "PerformanceLevel": "",
                                            **disk_performance(category, disk["Size"])})


# Subscription launches: the codes of the two actions (RunInstances documents no PeriodUnit code of its own: a bad
# unit is its InvalidPeriod [GUESS])
BAD_PERIOD = error_kind("InvalidPeriod", "The specified period is not valid.", 400)
BAD_PERIOD_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.",
                             400)
BAD_AUTO_RENEW_PERIOD = {
    "RunInstances": error_kind("InvalidAutoRenewPeriod.ValueNotSupported", "The specified autoRenewPeriod is invalid.",
                               400),
    "CreateInstance": error_kind("InvalidAutoRenewPeriod.ValueNotSupported",
                                 "The specified autoRenewPeriod is not valid.", 400)}
# Each action's documented code for a type (or a disk category) sold out in the zone
NO_STOCK = {"RunInstances": error_kind("OperationDenied.NoStock", "The resource is out of usage.", 403),
            "CreateInstance": error_kind("OperationDenied.NoStock", "The requested resource is sold out in the "
                                         "specified zone; try other types of resources or other regions and zones.",
                                         403)}
PERIOD_MISSING = error_kind("MissingParamter", 'The specified parameter "Period" is not null.')  # (sic)
START_NO_STOCK = NO_STOCK["CreateInstance"]  # (StartInstance(s)' message: CreateInstance's)
PREPAID_PROTECTED = error_kind("InvalidChargeType.ValueNotSupported", "Deletion protection is only valid for postPaid "
                               "instance, not for prePaid or spot instance.", 403)
# AutoRenewPeriod per PeriodUnit (RunInstances' china-site ranges; CreateInstance documents fewer months [GUESS: the
# same taken])
AUTO_RENEW_PERIODS = {"Week": (1, 2, 3), "Month": (1, 2, 3, 6, 12, 24, 36, 48, 60)}


def subscription_terms(ctx: Context, action: str, args: Mapping[str, Any]) -> dict:
    """A launch's ``ExpiredTime`` and ``_renewal`` (a subscription: Period PeriodUnits, required as the service
    requires it with the ``subscription_period`` option, else one; its end at midnight China time; AutoRenew renews
    it by AutoRenewPeriod PeriodUnits); a pay-as-you-go instance's far-off ExpiredTime."""
    if args["instance_charge_type"] != "PrePaid":
        return {"ExpiredTime": POSTPAID_EXPIRY}
    unit, period = args["period_unit"], args["period"]
    if unit not in subscriptions.PERIODS:
        raise BAD_PERIOD_UNIT if action == "CreateInstance" else BAD_PERIOD
    if period is None:
        if ctx.config.options["subscription_period"] != "one":
            raise PERIOD_MISSING
        period = 1
    if period not in subscriptions.PERIODS[unit]:
        raise BAD_PERIOD
    if args["deletion_protection"]:
        raise PREPAID_PROTECTED
    terms = {"ExpiredTime": subscriptions.subscription_end(ctx.now, period, unit)}
    if args["auto_renew"]:
        if args["auto_renew_period"] not in AUTO_RENEW_PERIODS[unit]:
            raise BAD_AUTO_RENEW_PERIOD[action]
        terms["_renewal"] = {"RenewalStatus": "AutoRenewal", "Duration": args["auto_renew_period"],
                             "PeriodUnit": unit}
    return terms


POOL_ID_INVALID = error_kind("Invalid.PrivatePoolOptionsId", "The specified PrivatePoolOptions.Id is invalid.")
CLUSTER_ZONE_EMPTY = error_kind("InvalidStorageClusterId.ZoneIdEmpty",
                                "The specified param ZoneId cannot be empty when StorageClusterId given.")
CLUSTER_SIZE_EMPTY = error_kind("InvalidStorageClusterId.DiskSizeEmpty",
                                "The specified param DiskSize cannot be empty when StorageClusterId given.")


def _check_storage_clusters(args: Mapping[str, Any]) -> None:
    """A disk placed in a dedicated block storage cluster names its zone (ZoneId) and its size, as documented; then
    the cluster is looked up, and mockecs keeps none (:data:`STORAGE_CLUSTER_NOT_FOUND`)."""
    system = args["system_disk"] or {}
    if not system.get("storage_cluster_id") and not any(d.get("storage_cluster_id") for d in args["data_disk"] or ()):
        return
    if not args["zone_id"]:
        raise CLUSTER_ZONE_EMPTY
    if any(d.get("storage_cluster_id") and d.get("size") is None for d in (system, *(args["data_disk"] or ()))):
        raise CLUSTER_SIZE_EMPTY
    raise STORAGE_CLUSTER_NOT_FOUND


def _launch(ctx: Context, action: str, count: int, args: dict, login_as_non_root: bool, status: str,
            group_ids: list[str], ipv6_asked: Optional[tuple[list[str], int]] = None) -> tuple[list[str], dict]:
    """Validate everything, then create ``count`` instances with their disks; returns their ids and the order's
    fields of the answer (:func:`_order`). ``ipv6_asked``: the IPv6 addresses and count each primary ENI gets
    (RunInstances)."""
    itype = launch.instance_type_or_error(action, args["instance_type"])
    system = args["system_disk"] or {}
    category = system.get("category") or launch.default_disk_category(ctx, itype)
    # (a category the type does not sell too: the service answers so, not with another category, even for the
    # default one: cb-spider #391, #1149, the Fedora CoreOS docs)
    if category not in DISK_CATEGORIES or not launch.sells_disk(ctx, itype, category, "system"):
        raise BAD_SYSTEM_CATEGORY[action]
    _check_storage_clusters(args)
    image = launch.image_for_launch(ctx, args["image_id"], args["image_family"], args["instance_type"],
                                    system.get("size"), action, args["instance_charge_type"])
    if login_as_non_root and not image.get("LoginAsNonRootSupported"):
        raise EcsError("LoginAsNonRoot.ImageNotSupport", "The specified image does not support login as non-root.",
                       400)
    names = _batch_names(action, image, args, count)
    windows = image.get("OSType") == "windows"
    _check_settings(action, image, args, names[0][-1] if names[0] else args["instance_name"],  # (the longest)
                    launch.host_name((names[1][-1] if names[1] else args["host_name"]) or "", launch.SAMPLE_ID,
                                     windows))
    _check_combinations(ctx, action, image, args, count)
    size = system.get("size") or launch.default_system_disk_size(image)
    launch.check_system_disk_level(action, category, system.get("performance_level") or "", size)
    data_specs = _data_disk_specs(ctx, image, args["data_disk"] or [], itype)
    if len(data_specs) > min(int(itype.get("DiskQuantity") or 64), ctx.config.options["data_disks_per_instance"]):
        raise TOO_MANY_DISKS  # (the limit AttachDisk applies: the type's disks, or the option's when lower)
    # Windows instances ignore KeyPairName (documented); others must name an existing key pair.
    key_pair_name = args["key_pair_name"] if image.get("OSType") != "windows" else None
    if key_pair_name and access.key_pair(ctx, key_pair_name) is None:
        raise KEY_PAIR_NOT_FOUND
    if args["tag"] and len(args["tag"]) > MAX_TAGS:
        raise TOO_MANY_TAGS
    tags = resources.tags_from_args(args["tag"])
    _check_ram_role(ctx, action, args["ram_role_name"], args["v_switch_id"])
    metadata = metadata_options(DEFAULT_METADATA_OPTIONS, args["http_endpoint"], args["http_tokens"],
                                args["http_put_response_hop_limit"])
    pool = private_pool(args["private_pool_options"])
    if pool[0] == "Target" and private_pools.kind_of(pool[1]) is None:  # (no pool's id has that form)
        raise POOL_ID_INVALID
    subscription = subscription_terms(ctx, action, args)
    # (a dedicated host ignores SpotStrategy and SpotPriceLimit: documented)
    on_host = bool(args.get("dedicated_host_id") or args.get("tenancy") == "host")
    spot_fields = _spot_fields(ctx, action, {**args, "spot_strategy": None} if on_host else args, itype)
    # (RunInstances only; a subscription instance is not released: the time is ignored [GUESS])
    release = release_time(ctx, args.get("auto_release_time"), RUN_RELEASE_MALFORMED) \
        if args["instance_charge_type"] == "PostPaid" else ""
    bandwidth_out = args["internet_max_bandwidth_out"] or 0
    account_states.check_arrears(ctx, action)
    # last of the checks: it reserves the private addresses
    where = networks.place(ctx, action, itype["InstanceTypeId"], args["zone_id"], args["v_switch_id"], group_ids,
                           args["private_ip_address"], count, ipv6_asked)
    # the deployment set's room in that zone, for the whole batch (a refusal rolls the reservation back)
    placed = deployment_sets.launch_fields(ctx, action, args, itype["InstanceTypeFamily"], where.zone_id, count)
    # on a dedicated host (DedicatedHostId, Tenancy host): its room for the whole batch
    hosts = dedicated_hosts.launch_fields(ctx, action, args, itype, where.zone_id, where.vswitch is None, count,
                                          subscription.get("ExpiredTime"))
    pools = private_pools.place(ctx, *pool, private_pools.Wanted(
        itype["InstanceTypeId"], where.zone_id, private_pools.platform_of(image.get("OSType")),
        args["instance_charge_type"], (args["spot_strategy"] or "NoSpot") != "NoSpot", where.vswitch is None), count)
    # the zone's stock, for what no pool or host holds room for (mockecs.world.stock: a test ran it out)
    stock.check_launch(ctx, where.zone_id, itype["InstanceTypeId"],
                       0 if hosts else sum(not stock.reserved(p) for p in pools),
                       [category] + [spec["category"] for spec in data_specs], NO_STOCK[action])
    # the storage set of the data disks made with them (each partition's count for the whole batch) [GUESS: the
    # system disks stay outside, as CreateDisk alone names a set for one disk]
    in_sets = storage_sets.placements(ctx, args.get("storage_set_id"), args.get("storage_set_partition_number"),
                                      where.zone_id, [spec["category"] for spec in data_specs] * count,
                                      STORAGE_SET_REFUSALS)

    ids = []
    for index in range(count):
        instance_id = resources.new_id("instance", ctx.region)
        # (RunInstances' names: sequences, UniqueSuffix's 001, 002 ... after the InstanceName and HostName given
        # (Ansible's ali_instance reads the host name's last three characters back as its suffix), HostNames.N)
        name = (names[0][index] if names[0] else args["instance_name"]) or instance_id
        record = {
            "InstanceId": instance_id, "InstanceName": name, "Description": args["description"] or "",
            "HostName": launch.host_name((names[1][index] if names[1] else args["host_name"]) or "", instance_id,
                                         image.get("OSType") == "windows") or f"iZ{instance_id[2:]}Z",
            **_os_fields(image, login_as_non_root),
            "Status": "Pending", **type_fields(itype), "GPUSpec": "",
            "RegionId": ctx.region, "ZoneId": where.zone_id,
            "CreationTime": resources.iso_minute(ctx.now), "StartTime": "", **subscription,
            "AutoReleaseTime": release, "InstanceChargeType": args["instance_charge_type"],
            "InternetChargeType": args["internet_charge_type"] or "PayByTraffic",
            # documented default: 10 Mbit/s, or the outbound maximum when that is above 10
            "InternetMaxBandwidthIn": args["internet_max_bandwidth_in"] or max(10, bandwidth_out),
            "InternetMaxBandwidthOut": bandwidth_out,
            "IoOptimized": True, "DeletionProtection": bool(args["deletion_protection"]),
            "DeviceAvailable": True, "Recyclable": False, "SerialNumber": resources.random_uuid(),
            "StoppedMode": "Not-applicable", **spot_fields,
            "CreditSpecification": "", "KeyPairName": key_pair_name or "", "VlanId": "",
            "ResourceGroupId": resource_groups.resolve(ctx, args["resource_group_id"]),
            "SaleCycle": "", "ClusterId": "",
            "HpcClusterId": "", "DeploymentSetId": "", "ISP": "", "LocalStorageAmount": 0, "LocalStorageCapacity": 0,
            # RunInstances with outbound bandwidth assigns a public IP; CreateInstance leaves that to
            # AllocatePublicIpAddress (documented).
            "PublicIpAddress": {"IpAddress": [access.new_public_ip(ctx)] if bandwidth_out and action == "RunInstances"
                                else []},
            "RdmaIpAddress": {"IpAddress": []},
            **where.fields(ctx, index, instance_id),
            **placed[index],  # (DeploymentSetId, DeploymentSetGroupNo, HpcClusterId)
            "EipAddress": {"AllocationId": "", "IpAddress": "", "Bandwidth": 0, "InternetChargeType": "",
                           "IsSupportUnassociate": False},
            "OperationLocks": {"LockReason": []},
            "MetadataOptions": dict(metadata),
            # (as the service answers an instance that uses none of them: the same capture as the field order)
            "HibernationOptions": {"Configured": False},
            "PrivateDnsNameOptions": {},
            # (the SDK model's newer fields, as an instance that uses none of those features: off [GUESS])
            "ClockOptions": {"PtpStatus": "disabled"}, "SecurityOptions": {"EnableSecureBoot": False},
            "EnableNVS": False, "AdditionalInfo": {"EnableHighDensityMode": False},
            "EcsCapacityReservationAttr": pools[index]["EcsCapacityReservationAttr"],
            **(hosts[index] if hosts else dedicated_hosts.host_attribute(None)),
            "Tags": {"Tag": [dict(t) for t in tags]},
            "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now + index * 1e-6,
            "_user_data": args["user_data"] or "",  # DescribeUserData answers it as given
            "_ram_role": args["ram_role_name"] or "",  # DescribeInstanceRamRole answers it
            # (kept only when set: records stay small)
            **({"_private_pool": pools[index]["_private_pool"]} if pool[0] != "None" else {}),
        }
        done = {"Status": status}
        if status == "Running":
            done["StartTime"] = resources.iso_minute(ctx.now)
        record = lifecycle.start(ctx, "instance", instance_id, in_service_order(record), done=done)
        resources.put(ctx.txn, "instance", record)
        instance_clock.schedule(ctx, record, placed=False)  # (its AutoReleaseTime or ExpiredTime)
        interfaces.add_primary(ctx, record)
        tagged = {"Tags": {"Tag": [dict(t) for t in tags]}}  # (Tag.N: the instance's, its disks', its primary ENI's)
        resources.put(ctx.txn, "disk", {**new_system_disk(ctx, record, image, size, category,
                                                          system.get("disk_name") or "",
                                                          system.get("description") or "",
                                                          system.get("performance_level") or "",
                                                          str(system.get("encrypted")).lower() == "true",
                                                          system.get("kms_key_id") or ""), **tagged})
        for n, spec in enumerate(data_specs):
            resources.put(ctx.txn, "disk", {**make_disk(ctx, record, "data", **spec),
                                            **in_sets[index * len(data_specs) + n], **tagged})
        ids.append(instance_id)
    launch.mark_used(ctx, image)
    return ids, _order(ctx, args, lambda: quotes.launch_trade_price(
        ctx, itype, image, (category, size, system.get("performance_level") or None),
        [(spec["category"], spec["size"], spec.get("performance_level") or None) for spec in data_specs],
        bandwidth_out, args["internet_charge_type"] == "PayByBandwidth", args["instance_charge_type"], args["period"],
        args["period_unit"], (where.zone_id,) if spot_fields["SpotStrategy"] != "NoSpot" else None, count, on_host))


# Documented refusals of launch parameters that do not go together (each action's own message where they differ)
USER_DATA_CLASSIC = {  # (RunInstances' message begins "TThe": sic)
    action: error_kind("InvalidUserData.NotSupported",
                       f'{prefix} specified parameter "UserData" only support the vpc and IoOptimized Instance.')
    for action, prefix in (("RunInstances", "TThe"), ("CreateInstance", "The"))}
BAD_DISK_DESCRIPTION = {  # (RunInstances' message misspells SystemDisk)
    action: error_kind("InvalidDiskDescription.Malformed",
                       f'The specified parameter "{system}.DiskDescription" or "DataDisk.n.Description" is not valid.')
    for action, system in (("RunInstances", "SyatemDisk"), ("CreateInstance", "SystemDisk"))}
BAD_IO_OPTIMIZED = {
    "RunInstances": error_kind("InvalidIoOptimize.ValueNotSupported", "The specified IoOptimize is not valid."),
    "CreateInstance": error_kind("InvalidIoOptimizedValue.ValueNotSupported", "IoOptimized value not supported.")}
MUST_BE_IO_OPTIMIZED = error_kind("DependencyViolation.IoOptimized",
                                  "The specified instancetype must be IoOptimized instance.", 404)
KEY_NOT_IO_OPTIMIZED = error_kind("IoOptimized.NotSupported",
                                  "The specified instance must be IoOptimized instance when kmsKeyId is not empty.")
KEY_UNENCRYPTED = error_kind("InvalidEncrypted.NotMatchKmsKeyId",  # (both launches)
                             "The specified parameter Encrypted must be true when KmsKeyId is not empty.")
TOO_MANY_DISKS = error_kind("InstanceDiskNumLimitExceed", "The number of specified disk in an instance exceeds.", 403)
# (both documented with the message "%s": the wording is mockecs's)
HOST_NAMES_CONFLICT = error_kind("InvalidHostname.SingleAndMultiConflict",
                                 "HostName and HostNames.N cannot be specified at the same time.", 403)
HOST_NAMES_COUNT = error_kind("InvalidHostname.SizeInvalid", "The number of HostNames.N must equal Amount.", 403)
VTPM_AND_ENCLAVE = error_kind("InvalidSecurityOptions.NotSupported",
                              "SecurityOptions for vTPM and Enclave can not both be set.", 403)
VTPM_NEEDS_UEFI = error_kind("InvalidImage.NotSupported", "The specified vTPM instance need UEFI image.", 403)
POSTPAID_AUTO_PAY = error_kind("InvalidAutoPay.PostPaidUnsupported",
                               "The specified parameter AutoPay must be set as true for postpaid instance.")


def _batch_names(action: str, image: Mapping[str, Any], args: dict,
                 count: int) -> tuple[Optional[list[str]], Optional[list[str]]]:
    """RunInstances' instance and host name of each instance of the batch (None: all take the one sent): sequences,
    UniqueSuffix, HostNames.N (:func:`mockecs.world.launch.batch_names`)."""
    if action != "RunInstances":
        return None, None
    unique = bool(args["unique_suffix"])
    hosts = args["host_names"] or launch.batch_names(args["host_name"], count, unique, "HostName",
                                                     15 if image.get("OSType") == "windows" else 64)
    return launch.batch_names(args["instance_name"], count, unique, "InstanceName", 128), hosts


def _check_combinations(ctx: Context, action: str, image: Mapping[str, Any], args: dict, count: int) -> None:
    """The documented refusals of launch parameters that do not go together: dict lookups only (the store is read
    for a data disk sent with Encrypted=false alone)."""
    io_optimized = args["io_optimized"]
    if io_optimized is not None:
        if io_optimized not in ("none", "optimized"):
            raise BAD_IO_OPTIMIZED[action]
        if io_optimized == "none":  # (every type of the catalog is I/O optimized)
            raise KEY_NOT_IO_OPTIMIZED if any(d.get("kms_key_id") for d in [args["system_disk"] or {},
                                                                             *(args["data_disk"] or ())]) \
                else MUST_BE_IO_OPTIMIZED
    if args["user_data"]:
        if not args["v_switch_id"] and ctx.config.options["classic_network_checks"]:
            raise USER_DATA_CLASSIC[action]  # (no vSwitch: a classic-network instance)
        launch.check_cloud_init(image, args["user_data"])
    for disk in (args["system_disk"] or {}, *(args["data_disk"] or ())):  # (RunInstances' system disk may say)
        text, encrypted = disk.get("description"), disk.get("encrypted")
        if text and not validation.valid_description(text):
            raise BAD_DISK_DESCRIPTION[action]
        if encrypted is not None:
            kms.check_opt_out(ctx, encrypted)
        if disk.get("kms_key_id"):
            if str(encrypted).lower() != "true":
                raise KEY_UNENCRYPTED
            kms.check(ctx, ctx.region, disk["kms_key_id"], errors=kms.LAUNCH_KEY_ERRORS)
    if action != "RunInstances":
        return
    host_names = args["host_names"]
    if host_names:
        if args["host_name"]:
            raise HOST_NAMES_CONFLICT
        if len(host_names) != count:
            raise HOST_NAMES_COUNT
        windows = image.get("OSType") == "windows"
        if not all(validation.valid_host_name(launch.host_name(name, launch.SAMPLE_ID, windows), windows)
                   for name in host_names):
            raise validation.BAD_HOST_NAME
    security = args["security_options"]
    if security.get("trusted_system_mode") == "vTPM":
        if security.get("confidential_computing_mode") == "Enclave":
            raise VTPM_AND_ENCLAVE
        if (image.get("BootMode") or "BIOS") == "BIOS":
            raise VTPM_NEEDS_UEFI
    if args["auto_pay"] is False and args["instance_charge_type"] == "PostPaid":
        raise POSTPAID_AUTO_PAY


SPOT_STRATEGIES = ("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo")
SPOT_DURATIONS = range(0, 7)  # [GUESS] 0 and 1 documented (default 1); the service took 1-6 before
BAD_SPOT_STRATEGY = error_kind("InvalidSpotStrategy", "The specified SpotStrategy is not valid.")
SPOT_PREPAID = error_kind("InvalidSpotPrepaid", "The specified Spot type is not support PrePay Instance.")
BAD_SPOT_DURATION = error_kind("InvalidSpotDuration", "The specified SpotDuration is not valid.")
BAD_SPOT_BEHAVIOR = error_kind("InvalidSpotInterruptionBehavior",
                               "The specified SpotInterruptionBehavior is not valid.")  # (documented "%s")
SPOT_ZONE_EMPTY = {action: error_kind("InvalidSpotParam.EmptyZoneID",
                                      f"The specified {zone} is empty when SpotStrategy is set.")
                   for action, zone in (("RunInstances", "zoneid"), ("CreateInstance", "ZoneId"))}
SPOT_STOP_CLASSIC = error_kind("InvalidSpotInterruptionBehavior.ClassicNetworkNotSupport",
                               "The specified SpotInterruptionBehavior does not support Classic network Instance.", 403)
# (CreateInstance documents the parameter's name misspelt)
BELOW_SPOT_PRICE = {action: error_kind("InvalidSpotPriceLimit.LowerThanPublicPrice",
                                       f"The specified parameter \"{name}\" can't be lower than current public price.")
                    for action, name in (("RunInstances", "spotPriceLimit"), ("CreateInstance", "soptPriceLimit"))}


def _spot_fields(ctx: Context, action: str, args: dict, itype: Mapping[str, Any]) -> dict:
    """A launch's spot settings, checked as documented; a SpotPriceLimit below the zone's spot price
    (:mod:`mockecs.world.spot`) is refused. Raises before any write."""
    strategy = args["spot_strategy"] or "NoSpot"
    if strategy not in SPOT_STRATEGIES:
        raise BAD_SPOT_STRATEGY
    if strategy == "NoSpot":
        return {"SpotStrategy": strategy, "SpotPriceLimit": 0.0, "SpotDuration": 0,
                "SpotInterruptionBehavior": "Terminate"}
    if args["instance_charge_type"] == "PrePaid":
        raise SPOT_PREPAID
    classic = not args["v_switch_id"] and ctx.config.options["classic_network_checks"]
    if classic and not args["zone_id"]:
        raise SPOT_ZONE_EMPTY[action]
    duration = 1 if args["spot_duration"] is None else args["spot_duration"]  # documented default 1
    if duration not in SPOT_DURATIONS:
        raise BAD_SPOT_DURATION
    behavior = args["spot_interruption_behavior"] or "Terminate"
    if behavior not in ("Terminate", "Stop"):
        raise BAD_SPOT_BEHAVIOR
    if behavior == "Stop" and classic:
        raise SPOT_STOP_CLASSIC
    limit = float(args["spot_price_limit"] or 0.0) if strategy == "SpotWithPriceLimit" else 0.0
    vswitch = resources.get(ctx, "vswitch", args["v_switch_id"]) if args["v_switch_id"] else None
    zone = args["zone_id"] or (vswitch or {}).get("ZoneId")
    price = spot.spot_price(ctx.engine, itype, zone, ctx.now, ctx.txn) if limit and zone else None
    if price is not None and limit < price:
        raise BELOW_SPOT_PRICE[action]
    return {"SpotStrategy": strategy, "SpotPriceLimit": limit, "SpotDuration": duration,
            "SpotInterruptionBehavior": behavior}


# The two launches document the same codes with different messages.
RAM_ROLE_NOT_FOUND = {
    "RunInstances": error_kind("InvalidRamRole.NotFound", 'The specified parameter "RAMRoleName" does not exist.', 404),
    "CreateInstance": error_kind("InvalidRamRole.NotFound", "The specified RAMRoleName does not exist.", 404)}
RAM_ROLE_NOT_ECS = error_kind("InvalidRamRole.NotEcsRole", "The specified ram role is not authorized for ecs, please "
                              "check your role policy.", 401)  # (both launches)
RAM_ROLE_CLASSIC = {
    "RunInstances": error_kind("InvalidNetworkType.MismatchRamRole", "A RAM role can?t be used for classic instance.",
                               403),
    "CreateInstance": error_kind("InvalidNetworkType.MismatchRamRole",
                                 "Ram role cannot be applied to instances of Classic network type.", 403)}


def _check_ram_role(ctx: Context, action: str, role_name: Optional[str], v_switch_id: Optional[str]) -> None:
    if not role_name:
        return
    if not ram.instance_role_exists(ctx, role_name):
        raise RAM_ROLE_NOT_FOUND[action]
    if not ram.trusts_ecs(ctx, role_name):
        raise RAM_ROLE_NOT_ECS
    if not v_switch_id:  # no vSwitch: a classic-network instance (networks.place)
        raise RAM_ROLE_CLASSIC[action]


def _check_settings(action: str, image: Mapping[str, Any], args: dict, instance_name: Optional[str],
                    host_name: Optional[str]) -> None:
    """InstanceName, Description, HostName, Password (and PasswordInherit), UserData: documented rules (the names
    as a batch's instance takes them)."""
    validation.check_instance_settings(action, image.get("OSType") == "windows", instance_name,
                                       args["description"], host_name, args["password"], args["user_data"])
    if args["password"] and args["password_inherit"]:
        raise validation.PASSWORD_MISMATCH


OLDEST_SNAPSHOT = "2013-07-15"  # disks are not made from snapshots taken before it (documented)
SNAPSHOT_TOO_OLD = error_kind("InvalidSnapshotId.BasedSnapshotTooOld",
                              "The specified snapshot is created before 2013-07-15.")
BAD_SYSTEM_CATEGORY = {  # (each action's words)
    "RunInstances": error_kind("InvalidSystemDiskCategory.ValueNotSupported",
                               'The specified parameter "SystemDisk.Category" is not valid.', 400),
    "CreateInstance": error_kind("InvalidSystemDiskCategory.ValueNotSupported",
                                 'The specified parameter " SystemDisk.Category " is not valid.', 400),
}
BAD_DATA_CATEGORY = error_kind("InvalidDataDiskCategory.ValueNotSupported",
                               'The specified parameter "DataDisk.n.Category" is not valid.', 400)
BAD_DATA_DISK_SIZE = error_kind("InvalidDataDiskSize.ValueNotSupported",
                              "The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot "
                              "exceeds the size limit of the specified disk category.", 400)
# Both codes are documented with this message: InstanceDiskCategoryLimitExceed for a disk sized by its snapshot
# alone, InvalidDataDiskSize.ValueNotSupported for a Size out of range [GUESS: the split].
SNAPSHOT_OVER_CATEGORY = error_kind("InstanceDiskCategoryLimitExceed", BAD_DATA_DISK_SIZE.message, 400)
BAD_DATA_DEVICE = error_kind("InvalidDataDevice.Malformed", 'The specified parameter "DataDisk.n.Device" is not valid.',
                           400)


# An encrypted snapshot's disk keeps its algorithm (CreateDisk and the launches document this code).
ALGORITHM_NOT_SNAPSHOTS = error_kind("InvalidEncryptAlgorithm.NotMatchSnapshot", "The specified parameter "
                                     "EncryptAlgorithm is different from the encrypt algorithm of the snapshot.")


def check_encrypt_algorithm(snapshot: Mapping[str, Any], algorithm: Optional[str]) -> None:
    """A disk made from ``snapshot`` asks for its encryption algorithm, if it asks for one (AES-256: the default)."""
    if algorithm and snapshot.get("Encrypted") and algorithm != (snapshot.get("_encrypt_algorithm") or "AES-256"):
        raise ALGORITHM_NOT_SNAPSHOTS


def _data_disk_size_ok(size: Optional[int], category: str, performance_level: str) -> bool:
    """The documented DataDisk.N.Size range of each category (ESSD: by performance level)."""
    low, high = data_disk_range(category, performance_level)
    return size is not None and low <= size <= high


def _data_disk_specs(ctx: Context, image: Mapping[str, Any], requested: list[dict],
                     itype: Mapping[str, Any]) -> list[dict]:
    """Data disks: the image's data mappings first (disks from its snapshots), then ``DataDisk.N``; each of a
    category the type ``itype`` sells (an image's disk left at the default too: terraform-provider-alicloud#9202).

    A ``DataDisk.N.Device`` naming a data mapping of the image changes that disk's size and
    category instead of adding one (the documented use of Device, for whole-machine images).
    """
    specs = []
    by_device: dict[str, dict] = {}
    default = launch.default_disk_category(ctx, itype, "data")
    for mapping in _mappings(image, "data"):
        spec = {"size": int(mapping.get("Size") or 0), "category": default,
                "device": mapping.get("Device") or "", "snapshot_id": mapping.get("SnapshotId") or ""}
        specs.append(spec)
        if spec["device"]:
            by_device[spec["device"]] = spec
    used: set[str] = set()
    for disk in requested:
        if not (disk.get("size") or disk.get("snapshot_id") or disk.get("category") or disk.get("device")):
            # An entry naming no disk (Packer 1.4 sent DataDisk.1 with DeleteWithInstance alone before its real
            # ones) is ignored, as the service did (alibaba/packer-provider#47: one disk made, no error).
            continue
        category = disk.get("category") or default
        if category not in DISK_CATEGORIES:
            raise BAD_DATA_CATEGORY
        device = disk.get("device") or ""
        if device and (device not in DATA_DEVICES or device in used):
            raise BAD_DATA_DEVICE
        used.add(device)
        level = disk.get("performance_level") or ""
        if device in by_device:  # resize / re-categorise a disk of the image
            spec = by_device[device]
            size = disk.get("size") or spec["size"]
            if size < spec["size"] or not _data_disk_size_ok(size, category, level):
                raise BAD_DATA_DISK_SIZE
            spec.update(size=size, category=category, performance_level=level,
                        auto_snapshot_policy_id=disk.get("auto_snapshot_policy_id") or "")
            continue
        snapshot_id = disk.get("snapshot_id") or ""
        size = disk.get("size")
        if snapshot_id:
            snapshot = resources.get(ctx, "snapshot", snapshot_id)
            if snapshot is None or snapshot["_owner"] != ctx.account or snapshot["_region"] != ctx.region:
                raise EcsError("InvalidDataDiskSnapshotId.NotFound",
                               'The specified parameter "DataDisk.n.SnapshotId" is not valid.', 404)
            if snapshot["Status"] != "accomplished":
                raise EcsError("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
            if (snapshot.get("CreationTime") or "9") < OLDEST_SNAPSHOT:
                raise SNAPSHOT_TOO_OLD
            # The disk is at least as large as the snapshot's source disk.
            snapshot_size = int(snapshot["SourceDiskSize"])
            if size is not None and size < snapshot_size:
                raise BAD_DATA_DISK_SIZE
            if size is None and snapshot_size > data_disk_range(category, level or None)[1]:
                raise SNAPSHOT_OVER_CATEGORY  # (no Size: the snapshot's capacity is beyond what the category holds)
            check_encrypt_algorithm(snapshot, disk.get("encrypt_algorithm"))
            size = size or snapshot_size
        if not _data_disk_size_ok(size, category, level):
            raise BAD_DATA_DISK_SIZE
        specs.append({"size": size, "category": category, "device": device,
                      "auto_snapshot_policy_id": disk.get("auto_snapshot_policy_id") or "",
                      "snapshot_id": snapshot_id, "name": disk.get("disk_name") or "",
                      "description": disk.get("description") or "",
                      "encrypted": str(disk.get("encrypted") or "").lower() == "true",
                      "kms_key_id": disk.get("kms_key_id") or "",
                      "encrypt_algorithm": disk.get("encrypt_algorithm") or (
                          snapshot.get("_encrypt_algorithm", "") if snapshot_id else ""),
                      "delete_with_instance": disk.get("delete_with_instance") is not False,
                      "performance_level": level})
    if any(not launch.sells_disk(ctx, itype, spec["category"], "data") for spec in specs):
        raise BAD_DATA_CATEGORY
    taken = {spec["device"] for spec in specs if spec["device"]}
    free = [d for d in DATA_DEVICES if d not in taken]
    for spec in specs:
        if not spec["device"]:
            spec["device"] = free.pop(0)
    return specs


IPV6_AMOUNT = error_kind("InvalidParam.Amount", "Amount must be 1 when Ipv6Address.N is specified.", 403)


def _ipv6_asked(amount: int, addresses: Optional[list[str]], count: Optional[int]) -> Optional[tuple[list[str], int]]:
    """RunInstances' Ipv6Address.N / Ipv6AddressCount for the primary ENI of each instance (None: neither)."""
    if not addresses and not count:
        return None
    wanted = ipv6.asked(networks.RUN_IPV6, addresses, count)
    if wanted and amount > 1:  # (documented: Ipv6Address.N only with Amount 1)
        raise IPV6_AMOUNT
    return wanted, count or 0


_NETWORK_INTERFACES = Structs("NetworkInterface", [
    S("InstanceType"), S("VSwitchId"), S("SecurityGroupId"), Repeat("SecurityGroupIds"), S("PrimaryIpAddress"),
    S("NetworkInterfaceName"), S("Description"), S("NetworkInterfaceId"), S("NetworkInterfaceTrafficMode"),
    I("NetworkCardIndex"), I("QueueNumber", min=1, error=interfaces.BAD_QUEUE_NUMBER), I("QueuePairNumber"),
    B("DeleteOnRelease"),
    I("Ipv6AddressCount", min=1), Repeat("Ipv6Address"), B("SourceDestCheck"), I("TxQueueSize"), I("RxQueueSize"),
    I("SecondaryPrivateIpAddressCount", min=1, error=launch_interfaces.BAD_IP_COUNT)])


@operation("RunInstances", *(_RUN_DISKS.get(p, p) for p in _COMMON_LAUNCH),
           I("Amount", default=1, min=1, max=100), I("MinAmount", min=1, max=100), S("AutoReleaseTime"),
           Struct("ImageOptions", [B("LoginAsNonRoot")]), Repeat("SecurityGroupIds"),
           Repeat("Ipv6Address"), I("Ipv6AddressCount", min=1), _NETWORK_INTERFACES,
           I("NetworkInterfaceQueueNumber", min=1, error=interfaces.BAD_QUEUE_NUMBER),
           S("LaunchTemplateId"), S("LaunchTemplateName"), L("LaunchTemplateVersion"),
           Struct("SchedulerOptions", [S("DedicatedHostClusterId")]), Repeat("HostNames"), B("AutoPay"),
           B("UniqueSuffix"), Struct("SecurityOptions", [S("TrustedSystemMode"), S("ConfidentialComputingMode")]),
           dry_run=True, idempotent=True, mapping=True,
           token_error=BAD_CLIENT_TOKEN)
def run_instances(ctx: Context, args: dict) -> dict:
    # (the arguments as one mapping: a handler taking ~45 keywords matches each against its named parameters)
    launch_templates.apply(ctx, args, REGISTRY["RunInstances"].by_name)  # (its parameters where none are sent)
    if not args["instance_type"]:
        raise missing_parameter("InstanceType")
    amount, min_amount = args["amount"], args["min_amount"]
    args, secondary, primary_fields = launch_interfaces.fold(args, amount)
    if min_amount is not None and min_amount > amount:
        raise EcsError("InvalidMinAmount.Malformed", "The specified parameter MinAmount is not valid.", 400)
    groups = args["security_group_ids"] or []
    if groups and args["security_group_id"]:
        raise EcsError("InvalidSecurityGroupId.SingleIdAndMultiIdConflict",
                       "SecurityGroupId and SecurityGroupIds.N cannot be specified at the same time.", 400)
    if len(set(groups)) != len(groups):
        raise EcsError("InvalidParameter.SecurityGroupIdRepeated",
                       "The specified SecurityGroupIds.N contain the same security group more than once.", 400)
    if args["private_ip_address"] and amount > 1:
        raise EcsError("InvalidParameter.PrivateIpAddressRepeated",
                       "The specified PrivateIpAddress can be assigned to one instance only.", 403)
    groups = groups or ([args["security_group_id"]] if args["security_group_id"] else [])
    policy_id = (args["system_disk"] or {}).get("auto_snapshot_policy_id")
    for wanted in {policy_id, *(d.get("auto_snapshot_policy_id") for d in args["data_disk"] or ())} - {None, ""}:
        if not resources.is_mine(ctx, ctx.txn.get(auto_snapshots.POLICY, wanted)):
            raise SNAPSHOT_POLICY_NOT_FOUND
    v6, v6_count = args["ipv6_address"], args["ipv6_address_count"]
    ids, order = _launch(ctx, "RunInstances", amount, args, bool(args["image_options"].get("login_as_non_root")),
                         "Running", groups, _ipv6_asked(amount, v6, v6_count) if v6 or v6_count else None)
    for instance_id in ids:  # (the disks take their policies from the start)
        if policy_id:
            auto_snapshots.set_policy(ctx, system_disk_of(ctx, instance_id), policy_id)
        for disk in instance_disks(ctx, instance_id):
            if disk["Type"] == "data" and disk["AutoSnapshotPolicyId"]:
                auto_snapshots.schedule(ctx, disk, ctx.now)
        if primary_fields or secondary:
            instance = resources.get(ctx, "instance", instance_id)
            if primary_fields:
                launch_interfaces.set_primary(ctx, instance, primary_fields)
            if secondary:  # (as set_primary left it: its primary ENI's addresses)
                launch_interfaces.add_secondary(ctx, resources.get(ctx, "instance", instance_id), secondary)
    return {"InstanceIdSets": {"InstanceIdSet": ids}, **order}


BAD_INNER_IP = error_kind("InvalidInnerIpAddress.Malformed", 'The specified parameter "InnerIpAddress" is not valid.')


@operation("CreateInstance", *_COMMON_LAUNCH, S("InnerIpAddress"), dry_run=True, idempotent=True, mapping=True,
           token_error=BAD_CLIENT_TOKEN)
def create_instance(ctx: Context, args: dict) -> dict:
    # InnerIpAddress (a classic instance's private address) is checked for its form only; the address a classic
    # instance gets is mockecs's [GUESS: classic address ranges are not modelled].
    if args["inner_ip_address"] and not networks.valid_address(args["inner_ip_address"]):
        raise BAD_INNER_IP
    # CreateInstance leaves the new instance Stopped (spec §4.4).
    groups = [args["security_group_id"]] if args["security_group_id"] else []
    ids, order = _launch(ctx, "CreateInstance", 1, args, False, "Stopped", groups)
    return {"InstanceId": ids[0], **order}


def _order(ctx: Context, args: dict, trade_price: Callable[[], Optional[float]]) -> dict:
    """A launch's OrderId, documented as answered for subscription (PrePaid) launches only, and its TradePrice ("the
    order's trade price", a float: DescribePrice's Price.TradePrice for the same instances and Amount,
    :func:`mockecs.world.quotes.launch_trade_price`), on the launches the ``launch_trade_price`` option names (every
    launch by default); none where the price table has no figure."""
    prepaid = args["instance_charge_type"] == "PrePaid"
    order = {"OrderId": subscriptions.new_order_id()} if prepaid else {}
    wanted = ctx.config.options["launch_trade_price"]
    price = trade_price() if wanted == "every" or (wanted == "subscription" and prepaid) else None
    return order if price is None else {**order, "TradePrice": price}


# -- reading ----------------------------------------------------------------------------
# DescribeInstances Filter.N.Key -> (record field, bound); values are yyyy-MM-ddTHH:mmZ.
_TIME_FILTERS = {"CreationStartTime": ("CreationTime", 0), "CreationEndTime": ("CreationTime", 1),
                 "ExpiredStartTime": ("ExpiredTime", 0), "ExpiredEndTime": ("ExpiredTime", 1)}


def _time_filters(filters: list[dict]) -> dict[str, list[Optional[float]]]:
    """``Filter.N.Key/Value`` -> {field: [start, end]} (epoch seconds, None when open)."""
    windows: dict[str, list[Optional[float]]] = {}
    for item in filters:
        key, value = item.get("key"), item.get("value")
        if not key and not value:
            continue
        if key not in _TIME_FILTERS:
            raise EcsError("InvalidFilterKey.NotFound", f"Invalid filter.{key}.", 404)
        parsed = resources.parse_iso(value or "")
        if parsed is None:
            raise EcsError("InvalidFilterValue", f"Invalid filter.{key}.", 404)
        field, bound = _TIME_FILTERS[key]
        windows.setdefault(field, [None, None])[bound] = parsed
    return windows


def _within(text: str, low: Optional[float], high: Optional[float]) -> bool:
    moment = resources.parse_iso(text)
    if moment is None:
        return False
    return (low is None or moment >= low) and (high is None or moment <= high)


@operation("DescribeInstances",
           JsonList("InstanceIds"), S("ImageId"), S("Status"), S("InstanceType"), S("InstanceTypeFamily"),
           S("InstanceName"), S("ZoneId"), S("InstanceChargeType"), S("VSwitchId"), S("VpcId"),
           S("SecurityGroupId"), S("ResourceGroupId"), S("KeyPairName"), TAGS,
           JsonList("PrivateIpAddresses"), JsonList("InnerIpAddresses"),
           S("InstanceNetworkType"),
           Structs("Filter", [S("Key"), S("Value")], name="filters"),
           L("PageNumber", min=1, default=1), L("PageSize", min=1, max=100, default=10),
           S("NextToken"), L("MaxResults"), JsonList("PublicIpAddresses"), JsonList("EipAddresses"),
           Repeat("Ipv6Address", max_items=100), S("HpcClusterId"), S("LockReason"), dry_run=True, memo=True)
def describe_instances(ctx: Context, instance_ids: Optional[list[str]], image_id: Optional[str],
                       status: Optional[str], instance_type: Optional[str], instance_type_family: Optional[str],
                       instance_name: Optional[str], zone_id: Optional[str], instance_charge_type: Optional[str],
                       v_switch_id: Optional[str], vpc_id: Optional[str], security_group_id: Optional[str],
                       resource_group_id: Optional[str], key_pair_name: Optional[str], tag: Optional[list[dict]],
                       private_ip_addresses: Optional[list[str]], inner_ip_addresses: Optional[list[str]],
                       instance_network_type: Optional[str],
                       filters: Optional[list[dict]], page_number: int, page_size: int, next_token: Optional[str],
                       max_results: Optional[int], public_ip_addresses: Optional[list[str]],
                       eip_addresses: Optional[list[str]], ipv6_address: Optional[list[str]],
                       hpc_cluster_id: Optional[str], lock_reason: Optional[str]) -> dict:
    unfiltered = paging.unfiltered(locals())
    windows = _time_filters(filters or [])
    if instance_ids is not None and len(instance_ids) > 100:
        raise EcsError("InvalidParameter", 'The specified parameter "InstanceIds" is not valid.', 400)
    if status and status not in INSTANCE_STATUSES:
        raise EcsError("InvalidStatus.NotFound", "The specified Status is not found.", 404)
    if instance_network_type and instance_network_type not in ("vpc", "classic"):
        raise EcsError("InvalidNetworkType.NotFound", "The specified InstanceNetworkType is not found.", 404)
    if instance_charge_type and instance_charge_type not in CHARGE_TYPES:
        raise EcsError("InvalidInstanceChargeType.NotFound", "The InstanceChargeType does not exist in our records.",
                       404)
    if lock_reason and lock_reason not in LOCK_REASONS:
        raise BAD_LOCK_REASON
    wanted_tags = tag_filter(tag)
    # InstanceName supports the wildcard * (fuzzy search), as documented.
    name_pattern = resources.wildcard(instance_name) if instance_name else None
    exact = {"ImageId": image_id, "Status": status, "InstanceType": instance_type,
             "InstanceTypeFamily": instance_type_family, "ZoneId": zone_id,
             "InstanceChargeType": instance_charge_type, "ResourceGroupId": resource_group_id,
             "KeyPairName": key_pair_name, "InstanceNetworkType": instance_network_type,
             "HpcClusterId": deployment_sets.hpc_filter(ctx, hpc_cluster_id)}
    instance_clock.settle_due(ctx)  # (released or expired by the mock clock by now)
    private_pools.settle_due(ctx)  # (out of a private pool that ended by now)
    if unfiltered:
        page, meta = paging.ordered_page(ctx, "instance", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, next_token, clamp_max_results(max_results, 100))
        return {**meta, "Instances": {"Instance": [resources.wire(r) for r in page]}}
    addresses = set(private_ip_addresses or ()) | set(inner_ip_addresses or ())
    named = instance_ids
    if addresses:  # instances by address, through the index; intersected with InstanceIds
        by_address = set().union(*(ctx.txn.ids("instance", networks.private_ip_term(ctx, a)) for a in addresses))
        named = [i for i in instance_ids if i in by_address] if instance_ids else sorted(by_address)
        if not named:
            named = [""]  # nothing matches (an empty list would mean "every instance")
    holding = access.instances_at(ctx, public_ip_addresses, eip_addresses)
    if holding is not None:  # only instances that hold one of the public addresses, also through the index
        named = sorted(holding.intersection(named) if named else holding) or [""]
    if ipv6_address:  # only instances whose ENIs hold one of the IPv6 addresses (the ENIs' address term)
        found = interfaces.holding(ctx, [ipv6.canonical(a) or a for a in ipv6_address])
        named = sorted(found.intersection(named) if named else found) or [""]
    called = resources.matching(ctx, "instance", "name", instance_name) if instance_name else None
    if called is not None:  # only instances whose name holds the pattern's longest piece (the substring index)
        named = (sorted(set(called).intersection(named)) if named else called) or [""]
    narrower = (("vswitch", v_switch_id) if v_switch_id else None, ("vpc", vpc_id) if vpc_id else None,
                ("security_group", security_group_id) if security_group_id else None,
                ("image", image_id) if image_id else None,
                (deployment_sets.HPC, hpc_cluster_id) if hpc_cluster_id else None,
                lock_term(ctx.account, ctx.region, lock_reason) if lock_reason else None)
    matches = []
    for record in resources.mine_among(ctx, "instance", named, *narrower,
                                       resource_groups.term(resource_group_id) if resource_group_id else None,
                                       access.key_pair_term(ctx.account, ctx.region, key_pair_name)
                                       if key_pair_name else None, tags=wanted_tags):
        if any(value and record.get(field) != value for field, value in exact.items()):
            continue
        if name_pattern is not None and not name_pattern.fullmatch(record["InstanceName"]):
            continue
        if private_ip_addresses and not set(private_ip_addresses) & set(
                record["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]):
            continue
        if inner_ip_addresses and not set(inner_ip_addresses) & set(record["InnerIpAddress"]["IpAddress"]):
            continue
        if v_switch_id and record["VpcAttributes"]["VSwitchId"] != v_switch_id:
            continue
        if vpc_id and record["VpcAttributes"]["VpcId"] != vpc_id:
            continue
        if security_group_id and security_group_id not in record["SecurityGroupIds"]["SecurityGroupId"]:
            continue
        if not resources.match_tags(record, wanted_tags):
            continue
        if lock_reason and lock_term(ctx.account, ctx.region, lock_reason) not in lock_terms(record):
            continue
        if not all(_within(record.get(field) or "", low, high) for field, (low, high) in windows.items()):
            continue
        matches.append(record)
    matches.sort(key=lambda r: (r.get("_created", 0), r["InstanceId"]))
    page, meta = paginate(matches, page_number, page_size, next_token, clamp_max_results(max_results, 100))
    return {**meta, "Instances": {"Instance": [resources.wire(r) for r in page]}}


@operation("DescribeInstanceStatus", S("ZoneId"), S("ClusterId"), Repeat("InstanceId"),
           L("PageNumber", min=1, default=1), L("PageSize", min=1, max=50, default=10), memo=True)
def describe_instance_status(ctx: Context, zone_id: Optional[str], cluster_id: Optional[str],
                             instance_id: Optional[list[str]], page_number: int, page_size: int) -> dict:
    """What tools poll while an instance changes state: each instance's id and Status (spec: the metadata)."""
    if instance_id is not None and len(instance_id) > 100:
        raise TOO_MANY_INSTANCE_IDS
    if zone_id and zone_id not in regions.zone_ids(ctx.region):
        raise networks.ZONE_NOT_FOUND
    instance_clock.settle_due(ctx)  # (released or expired by the mock clock by now)
    if not instance_id and not zone_id and not cluster_id:  # every instance of the caller here: the ordered index
        page, meta = paging.ordered_page(ctx, "instance", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
    else:  # (no instance is in a classic cluster [GUESS]: a ClusterId matches none)
        matches = [r for r in resources.mine_among(ctx, "instance", instance_id)
                   if (not zone_id or r["ZoneId"] == zone_id) and (not cluster_id or r.get("ClusterId") == cluster_id)]
        matches.sort(key=lambda r: (r.get("_created", 0), r["InstanceId"]))
        page, meta = paginate(matches, page_number, page_size, None, None)
    return {"TotalCount": meta["TotalCount"], "PageNumber": page_number, "PageSize": page_size,
            "InstanceStatuses": {"InstanceStatus": [{"InstanceId": r["InstanceId"], "Status": r["Status"]}
                                                    for r in page]}}


@operation("DescribeDisks",
           JsonList("DiskIds"), S("InstanceId"), S("DiskType", default="all"), S("Status"), S("Category"),
           S("ZoneId"), S("SnapshotId"), S("DiskName"), B("Portable"), B("Encrypted"), S("ResourceGroupId"), TAGS,
           S("AutoSnapshotPolicyId"), B("EnableAutomatedSnapshotPolicy"),
           L("PageNumber", min=1, default=1), L("PageSize", min=1, max=100, default=10),
           S("NextToken"), L("MaxResults"), S("LockReason"), S("MultiAttach"), B("EnableShared"),
           dry_run=True, memo=True)
def describe_disks(ctx: Context, disk_ids: Optional[list[str]], instance_id: Optional[str], disk_type: str,
                   status: Optional[str], category: Optional[str], zone_id: Optional[str],
                   snapshot_id: Optional[str], disk_name: Optional[str], portable: Optional[bool],
                   encrypted: Optional[bool], resource_group_id: Optional[str], tag: Optional[list[dict]],
                   auto_snapshot_policy_id: Optional[str], enable_automated_snapshot_policy: Optional[bool],
                   page_number: int, page_size: int, next_token: Optional[str], max_results: Optional[int],
                   lock_reason: Optional[str], multi_attach: Optional[str], enable_shared: Optional[bool]) -> dict:
    unfiltered = paging.unfiltered({**locals(), "disk_type": None if disk_type == "all" else disk_type})
    if disk_ids is not None and len(disk_ids) > 100:
        raise EcsError("InvalidDiskIds.Malformed", "The amount of specified disk Ids exceeds the limit.", 403)
    if disk_type not in ("all", "system", "data"):
        raise EcsError("InvalidDiskType.ValueNotSupported", "The specified disk type is not supported.", 400)
    if category and category not in DISK_CATEGORIES + ("all",):
        raise EcsError("InvalidCategory.ValueNotSupported", "The specified disk category is not supported.", 400)
    if status and status not in ("In_use", "Available", "Attaching", "Detaching", "Creating", "ReIniting", "All"):
        raise EcsError("InvalidStatus.ValueNotSupported", "The specified disk status is not supported.", 400)
    if lock_reason and lock_reason not in DISK_LOCK_REASONS:
        raise BAD_LOCK_REASON
    if multi_attach and multi_attach not in ("Disabled", "Enabled", "LegacyShared"):
        raise EcsError("InvalidParameter.MultiAttach", "The specified param MultiAttach is not valid.", 403)
    if enable_shared is not None and multi_attach and enable_shared != (multi_attach == "LegacyShared"):
        # (EnableShared asks for shared block storage, which MultiAttach=LegacyShared names [GUESS])
        raise EcsError("InvalidParameter.MultiAttachAndEnableSharedNotMatch",
                       "The parameter MultiAttach and EnableShared are not match.", 403)
    locked = lock_term(ctx.account, ctx.region, lock_reason, "disk") if lock_reason else None
    wanted_tags = tag_filter(tag)
    instance_clock.settle_due(ctx)  # (an instance released by the mock clock took or left its disks)
    if unfiltered:
        page, meta = paging.ordered_page(ctx, "disk", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, next_token, clamp_max_results(max_results, 500))
        return {**meta, "Disks": {"Disk": [resources.wire(r) for r in page]}}
    matches = []
    policy = ("snapshot_policy", auto_snapshot_policy_id) if auto_snapshot_policy_id else None
    for record in resources.mine_among(ctx, "disk", disk_ids, ("instance", instance_id) if instance_id else None,
                                       resource_groups.term(resource_group_id) if resource_group_id else None,
                                       policy, locked, tags=wanted_tags):
        if ((instance_id and not on_instance(record, instance_id))
                or (locked is not None and locked not in lock_terms(record, "disk"))
                or (multi_attach and record.get("MultiAttach", "Disabled") != multi_attach)  # (no shared storage)
                or (enable_shared and multi_attach != "LegacyShared")
                or (disk_type != "all" and record["Type"] != disk_type)
                or (status and status != "All" and record["Status"] != status)
                or (category and category != "all" and record["Category"] != category)
                or (zone_id and record["ZoneId"] != zone_id)
                or (snapshot_id and record["SourceSnapshotId"] != snapshot_id)
                or (disk_name and record["DiskName"] != disk_name)
                or (portable is not None and record["Portable"] != portable)
                or (encrypted is not None and record["Encrypted"] != encrypted)
                or (resource_group_id and record["ResourceGroupId"] != resource_group_id)
                or (auto_snapshot_policy_id and record["AutoSnapshotPolicyId"] != auto_snapshot_policy_id)
                or (enable_automated_snapshot_policy is not None
                    and record["EnableAutomatedSnapshotPolicy"] != enable_automated_snapshot_policy)
                or not resources.match_tags(record, wanted_tags)):
            continue
        matches.append(record)
    if instance_id:  # an instance's disks in the order it holds them: system disk, then data disks by its device
        # [GUESS: a multi-attach disk made before the instance is not listed before its system disk]
        matches.sort(key=lambda r: (r["Type"] != "system", device_on(r, instance_id), r["CreationTime"], r["DiskId"]))
    else:
        matches.sort(key=lambda r: (r["CreationTime"], r["Type"] != "system", r["Device"], r["DiskId"]))
    page, meta = paginate(matches, page_number, page_size, next_token, clamp_max_results(max_results, 500))
    return {**meta, "Disks": {"Disk": [resources.wire(r) for r in page]}}


# -- state changes ------------------------------------------------------------------------
_BY_INSTANCE = {"region": "optional", "region_of": resources.region_from("instance_id")}


def _transition(ctx: Context, record: dict, now_status: str, then: dict) -> None:
    record = lifecycle.start(ctx, "instance", record["InstanceId"], {**record, "Status": now_status}, done=then)
    resources.put(ctx.txn, "instance", record)


# The steps StartInstance(s), StopInstance(s) and RebootInstance(s) take on one instance (refusing it as documented).
def start_stopped(ctx: Context, record: dict) -> str:
    """A stopped instance set Starting (StartInstance(s), ReInitDisk's AutoStartInstance)."""
    instance_clock.check_usable(record, starting=True)
    if record["Status"] != "Stopped":
        raise INCORRECT_STATUS
    if system_disk_of(ctx, record["InstanceId"]) is None:  # DetachDisk took it
        raise EcsError("InvalidInstance.NotFoundSystemDisk", "The specified instance does not have system disk.", 400)
    spot_interruptions.check_start(ctx, record)  # (a spot instance the market outbids stays stopped)
    stock.check_start(ctx, record, START_NO_STOCK)  # (one that gave its resources back needs them in stock)
    if "_vpc_changed" in record or "_restart_needed" in record:
        # (started again: ModifyInstanceVpcAttribute may move it again; CreateImage takes the disks attached while
        # it was stopped)
        record = {k: v for k, v in record.items() if k not in ("_vpc_changed", "_restart_needed")}
    record = commands.booted(record)  # (an agent InstallCloudAssistant put on it runs from this boot)
    _transition(ctx, record, "Starting", {"Status": "Running", "StartTime": resources.iso_minute(ctx.now),
                                          "StoppedMode": "Not-applicable"})
    return "Starting"


def _stop(ctx: Context, record: dict, stopped_mode: Optional[str]) -> str:
    instance_clock.check_usable(record)
    if record["Status"] != "Running":
        raise INCORRECT_STATUS
    # DescribeInstances shows how a stopped instance is billed; KeepCharging unless asked otherwise
    # (economical mode is an account setting the fake does not model).
    record = {**record, **monitoring.run_ended(record, ctx.now)}  # (its monitoring data ends here)
    _transition(ctx, record, "Stopping", {"Status": "Stopped", "StoppedMode": stopped_mode or "KeepCharging"})
    return "Stopping"


def _reboot(ctx: Context, record: dict) -> str:
    instance_clock.check_usable(record)
    if record["Status"] != "Running":  # (the metadata: only a Running instance reboots)
        raise INCORRECT_STATUS
    # Starting until it runs again (the metadata); StartTime is its last start [GUESS: a reboot counts as one].
    record = commands.booted({**record, **monitoring.run_ended(record, ctx.now)})
    _transition(ctx, record, "Starting", {"Status": "Running", "StartTime": resources.iso_minute(ctx.now)})
    system_events.rebooted(ctx, record)  # a SystemMaintenance.Reboot event scheduled on it is Avoided
    return "Starting"


@operation("StartInstance", S("InstanceId", required=True), B("InitLocalDisk"), dry_run=True, **_BY_INSTANCE)
def start_instance(ctx: Context, instance_id: str, init_local_disk: Optional[bool]) -> dict:
    start_stopped(ctx, get_instance(ctx, instance_id))
    return {}


@operation("StopInstance", S("InstanceId", required=True), B("ForceStop"), B("ConfirmStop"),
           S("StoppedMode", choices=STOPPED_MODES), B("Hibernate"), dry_run=True, **_BY_INSTANCE)
def stop_instance(ctx: Context, instance_id: str, force_stop: Optional[bool], confirm_stop: Optional[bool],
                  stopped_mode: Optional[str], hibernate: Optional[bool]) -> dict:
    _stop(ctx, get_instance(ctx, instance_id), stopped_mode)
    return {}


@operation("RebootInstance", S("InstanceId", required=True), B("ForceStop"), dry_run=True, **_BY_INSTANCE)
def reboot_instance(ctx: Context, instance_id: str, force_stop: Optional[bool]) -> dict:
    _reboot(ctx, get_instance(ctx, instance_id))
    return {}


# -- the batch forms: StartInstances, StopInstances, RebootInstances ------------------------------------
BATCH = (Repeat("InstanceId"), S("BatchOptimization", choices=("AllTogether", "SuccessFirst"), default="AllTogether"))
# DryRun: every step is taken (and rolled back) and the answer is this code (SuccessFirst: always, as documented).
DRYRUN_SUCCESS = ("DRYRUN.SUCCESS", "This request is a dryrun request with successful result.", 400)


def _batch(ctx: Context, instance_ids: Optional[list[str]], optimization: str, step: Any) -> dict:
    """``step`` on each instance. AllTogether (the default): every one or none, the first refusal is the answer
    (the transaction rolls the others back). SuccessFirst: each on its own, each one's Code and Message in the
    answer; CurrentStatus is the one the step leaves it in (Starting, Stopping), as the service answers."""
    if not instance_ids:
        raise EcsError("InvalidInstanceId.NotFound", "InstanceId should not be null.", 403)
    if len(instance_ids) > 100:
        raise TOO_MANY_INSTANCE_IDS
    together = optimization == "AllTogether"
    out = []
    for instance_id in instance_ids:
        record = None
        try:
            record = get_instance(ctx, instance_id)
            current = step(ctx, record)
        except EcsError as err:
            if together:
                raise
            status = record["Status"] if record is not None else ""
            out.append({"InstanceId": instance_id, "Code": err.code, "Message": err.message,
                        "PreviousStatus": status, "CurrentStatus": status})
            continue
        out.append({"InstanceId": instance_id, "Code": "200", "Message": "success", "PreviousStatus": record["Status"],
                    "CurrentStatus": current})
    return {"InstanceResponses": {"InstanceResponse": out}}


@operation("StartInstances", *BATCH, dry_run=DRYRUN_SUCCESS)
def start_instances(ctx: Context, instance_id: Optional[list[str]], batch_optimization: str) -> dict:
    return _batch(ctx, instance_id, batch_optimization, start_stopped)


@operation("StopInstances", *BATCH, B("ForceStop"), S("StoppedMode", choices=STOPPED_MODES), dry_run=DRYRUN_SUCCESS)
def stop_instances(ctx: Context, instance_id: Optional[list[str]], batch_optimization: str,
                   force_stop: Optional[bool], stopped_mode: Optional[str]) -> dict:
    return _batch(ctx, instance_id, batch_optimization, lambda c, r: _stop(c, r, stopped_mode))


@operation("RebootInstances", *BATCH, B("ForceReboot"), dry_run=DRYRUN_SUCCESS)
def reboot_instances(ctx: Context, instance_id: Optional[list[str]], batch_optimization: str,
                     force_reboot: Optional[bool]) -> dict:
    return _batch(ctx, instance_id, batch_optimization, _reboot)


@operation("DeleteInstance", S("InstanceId", required=True), B("Force", default=False),
           B("ForceStop", default=True), B("TerminateSubscription"), dry_run=True, **_BY_INSTANCE)
def delete_instance(ctx: Context, instance_id: str, force: bool, force_stop: bool,
                    terminate_subscription: Optional[bool]) -> dict:
    _delete(ctx, get_instance(ctx, instance_id), force, terminate_subscription,
            "The instance has deletion protection enabled; disable it before releasing the instance.")
    return {}


ROUTE_ENTRY_DEPENDS = error_kind("DependencyViolation.RouteEntry", "Specified instance is used by route entry.", 400)
CHARGE_TYPE_VIOLATION = error_kind("ChargeTypeViolation",
                                   "The operation is not permitted due to charge type of the instance.", 403)
INSTANCE_IDS_NOT_FOUND = error_kind("InvalidInstanceIds.NotFound", "The specified InstanceIds does not exist.", 404)


@operation("DeleteInstances", Repeat("InstanceId", required=True), B("Force", default=False),
           B("TerminateSubscription"), dry_run=DRYRUN_SUCCESS, idempotent=True)
def delete_instances(ctx: Context, instance_id: list[str], force: bool, terminate_subscription: Optional[bool]) -> dict:
    """Every instance or none (the transaction rolls back at the first refusal). DryRun runs every check, the
    instances' too [GUESS: the metadata says it checks only the request]."""
    if len(instance_id) > 100:
        raise TOO_MANY_INSTANCE_IDS
    instance_clock.settle_due(ctx)  # (released by the mock clock by now)
    records = [resources.owned(ctx, "instance", i, INSTANCE_IDS_NOT_FOUND) for i in dict.fromkeys(instance_id)]
    for record in records:
        _delete(ctx, record, force, terminate_subscription, "The operation is not allowed due to deletion protection.")
    return {}


def _delete(ctx: Context, record: dict, force: bool, terminate_subscription: Optional[bool], protected: str) -> None:
    """Release one instance (refused as documented; ``protected``: the action's deletion-protection message)."""
    if record["Status"] == "Pending":
        raise EcsError("IncorrectInstanceStatus.Initializing",
                       "The specified instance status does not support this operation.", 403)
    if record["Status"] != "Stopped" and not force:
        raise INCORRECT_STATUS
    # pay-as-you-go instances, and subscription ones once expired when TerminateSubscription asks (documented)
    if record["InstanceChargeType"] == "PrePaid" and not (terminate_subscription and instance_clock.expired(record)):
        raise CHARGE_TYPE_VIOLATION
    if record.get("DeletionProtection"):
        raise EcsError("InvalidOperation.DeletionProtection", protected, 403)
    if ctx.txn.count("route_entry", ("next_hop", record["InstanceId"])):  # (the next hop of a custom route entry)
        raise ROUTE_ENTRY_DEPENDS
    releases.release_instance(ctx, record)


CHANGE_OS_KEY_UNENCRYPTED = error_kind("InvalidEncrypted.NotMatchKmsKeyId", "The specified parameter Encrypted must "
                                       "be true when KmsKeyId is not empty.", 403)
CHANGE_OS_CREATING = error_kind("OperationDenied.InstanceCreating", "The specified instance is creating.", 403)
HOST_NAME_NOT_FOR_IMAGE = error_kind("InvalidHostname.MismatchImage",
                                     "The hostname of the current instance can not be applied to the image you choose.",
                                     403)


# The new system disk keeps the old one's category: refused when the type does not sell it (an instance launched
# with option instance_type_disk_categories off) [GUESS: ReplaceSystemDisk's documented category code]
REPLACE_CATEGORY = error_kind("InvalidDiskCategory.ValueNotSupported",
                              'The specified parameter "DiskCategory" is not valid.', 400)


@operation("ReplaceSystemDisk",
           S("InstanceId", required=True), S("ImageId", required=True), Struct("SystemDisk", [I("Size")]),
           S("Password"), B("PasswordInherit"), S("KeyPairName"), S("SecurityEnhancementStrategy"),
           B("Encrypted"), S("KMSKeyId"), S("EncryptAlgorithm"), S("DiskId"), S("Architecture"), S("Platform"),
           B("UseAdditionalService"), idempotent=True, **_BY_INSTANCE)
def replace_system_disk(ctx: Context, instance_id: str, image_id: str, system_disk: dict,
                        key_pair_name: Optional[str], encrypted: Optional[bool], kms_key_id: Optional[str],
                        **_: Any) -> dict:
    record = get_instance(ctx, instance_id)
    instance_clock.check_usable(record)  # (an expired subscription: documented)
    if record["Status"] != "Stopped":
        raise CHANGE_OS_CREATING if record["Status"] == "Pending" else INCORRECT_STATUS
    kms.check_opt_out(ctx, encrypted)
    if kms_key_id and not encrypted:
        raise CHANGE_OS_KEY_UNENCRYPTED
    kms.check(ctx, ctx.region, kms_key_id, errors=kms.COPY_KEY_ERRORS)
    if key_pair_name and access.key_pair(ctx, key_pair_name) is None:
        raise EcsError("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist.", 400)
    size = system_disk.get("size")
    image = launch.image_for_launch(ctx, image_id, None, record["InstanceType"], size, launch.CHANGE_OS,
                                    record.get("InstanceChargeType"))
    if not regions.mainland(ctx.region) and image.get("OSType", "linux") != record.get("OSType", "linux"):
        # The docs: outside the Chinese mainland an instance's OS cannot switch between Linux and Windows
        # (licensing). The metadata lists no dedicated code: its "%s" InvalidParameter.NotMatch is used.
        raise EcsError("InvalidParameter.NotMatch", "Replacing the system disk between Linux and Windows is not "
                       "supported in regions outside the Chinese mainland.", 403)
    host_name = record.get("HostName") or ""
    if image.get("OSType") == "windows" and host_name != f"iZ{instance_id[2:]}Z" \
            and not validation.valid_host_name(host_name, True):
        raise HOST_NAME_NOT_FOR_IMAGE  # (a host name mockecs made is made anew [GUESS])
    login = bool((record.get("ImageOptions") or {}).get("LoginAsNonRoot"))
    if login and not image.get("LoginAsNonRootSupported"):
        raise EcsError("LoginAsNonRoot.ImageNotSupport", "The specified image does not support login as non-root.",
                       400)
    if _mappings(image, "data"):
        raise EcsError("OperationDenied",
                       "The specified image contains the snapshot of the data disk,does not support this operation.",
                       400)
    old = system_disk_of(ctx, instance_id)
    if old is None:
        raise EcsError("InvalidInstance.NotFoundSystemDisk", "The specified instance has no system disk.", 400)
    if snapshot_in_progress(ctx, old["DiskId"]):
        raise EcsError("DiskCreatingSnapshot",
                       "The operation is denied due to a snapshot of the specified disk is not completed yet.", 403)
    if not launch.sells_disk(ctx, instance_types.instance_type(record["InstanceType"]), old["Category"], "system"):
        raise REPLACE_CATEGORY  # (the new disk keeps the old one's category)
    size = size or launch.default_system_disk_size(image)
    new = new_system_disk(ctx, record, image, size, old["Category"], old.get("DiskName", ""),
                          old.get("Description", ""), old.get("PerformanceLevel", ""), bool(encrypted),
                          kms_key_id or "")
    auto_snapshots.released(ctx, old)
    resources.delete(ctx.txn, "disk", old["DiskId"])
    # The new system disk re-initialises from the image (ReIniting, then In_use) on the disk lifecycle.
    new = lifecycle.start(ctx, "disk", new["DiskId"], {**new, "Status": "ReIniting"}, done={"Status": "In_use"})
    resources.put(ctx.txn, "disk", new)
    previous = record.get("ImageId")
    key_pair = {"KeyPairName": key_pair_name} if key_pair_name else {}
    resources.put(ctx.txn, "instance", {**record, **_os_fields(image, login), **key_pair})
    launch.mark_used(ctx, image)
    if previous != image["ImageId"]:
        launch.release(ctx, previous)
    return {"DiskId": new["DiskId"]}

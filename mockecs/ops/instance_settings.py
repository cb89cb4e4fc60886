"""Settings of an instance that Terraform's ``alicloud_instance`` reads on every refresh and changes on an update:
DescribeInstanceMaintenanceAttributes and ModifyInstanceMaintenanceAttributes, DescribeInstanceAttachmentAttributes
and ModifyInstanceAttachmentAttributes, DescribeInstanceRamRole, AttachInstanceRamRole and DetachInstanceRamRole,
ModifyInstanceMetadataOptions, ModifyInstanceAutoReleaseTime, ModifyInstanceSpec and ModifyInstanceNetworkSpec.

An instance starts with the service's defaults: no maintenance window, ``AutoRecover``, no notification (the
documented default of ModifyInstanceMaintenanceAttributes' ``NotifyOnMaintenance``); private pool match ``None``
(RunInstances' documented default of ``PrivatePoolOptions.MatchCriteria``) with no pool id. The Modify operations
keep what they set on the instance record (``_maintenance``, ``_private_pool``), and change only what a request
sends [GUESS: a parameter left out keeps its value]. ModifyInstanceAttachmentAttributes moves the instance into a
private pool (capacity reservation, elasticity assurance) at once, as a launch matches one
(:mod:`mockecs.world.private_pools`).

ModifyInstanceMetadataOptions changes the record's ``MetadataOptions`` (what DescribeInstances answers);
``InstanceMetadataTags`` shows there once set. ModifyInstanceAutoReleaseTime sets ``AutoReleaseTime`` (answered in
minutes, ``2024-07-01T08:30Z``, as DescribeInstances writes it); the instance is released when the mock clock passes
that time (:mod:`mockecs.world.instance_clock`). ModifyInstanceSpec changes a stopped pay-as-you-go instance's type
(its Cpu, Memory, CpuOptions, family and GPUs follow the catalogue) or its public bandwidth, one of the two per call
as documented.

An instance holds at most one RAM role (``_ram_role``: RunInstances' and CreateInstance's ``RamRoleName``, or
AttachInstanceRamRole). Attach and Detach refuse the whole call for what their metadata documents as an error
(a malformed id list, an id that is not the caller's instance here, an unknown role, a classic-network
instance): nothing changes. An instance that already holds another role (Attach), or holds no role or not the
one named (Detach), fails only its row (``Success`` false, counted in ``FailCount``) [GUESS: the codes of those
rows are not documented].
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Sequence

from mockecs.ops.instances import (
    BAD_HTTP_ENDPOINT,
    BASIC_SYSTEM_DISK_TARGETS,
    DEFAULT_METADATA_OPTIONS,
    DISK_CATEGORIES,
    MATCH_CRITERIA,
    NO_PRIVATE_POOL,
    TOO_MANY_INSTANCE_IDS,
    convert_basic_system_disk,
    instance_id_list,
    metadata_options,
    private_pool,
    ram_role_term,
    release_time,
    type_change,
)
from mockecs.ops.registry import BAD_CLIENT_TOKEN, Context, operation
from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.params import B, I, L, Repeat, S, Struct, Structs
from mockecs.world import (
    access,
    account_states,
    disks,
    instance_clock,
    instance_types,
    interfaces,
    ipv6,
    paging,
    private_pools,
    ram,
    resources,
    subscriptions,
)

MAINTENANCE_ACTIONS = ("Stop", "AutoRecover", "AutoRedeploy")  # documented values of ActionOnMaintenance
DEFAULT_MAINTENANCE_ACTION = "AutoRecover"  # the metadata's example of DefaultValue [GUESS: for every type]
MAX_IDS = 100  # each of the three operations documents up to 100 instance ids

MAINTENANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
MAINTENANCE_TOO_MANY = error_kind("InstanceIdLimitExceeded", "The number of InstanceId exceeds the limit of 100.",
                                  403)  # documented message "%s": written out [GUESS]
ATTACHMENT_NOT_FOUND = error_kind("Invalid.InstanceId", "Instance does not exist.", 400)
RAM_ROLE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified instanceId does not exist", 404)
RAM_ROLE_MALFORMED = error_kind("InvalidInstanceIds.Malformed", "The specified instanceIds are not valid.", 400)
RAM_ROLE_ALL_EMPTY = error_kind("InvalidParameter.AllEmpty",
                                "The parameters InstanceIds and RamRoleName cannot be both empty.",
                                403)  # documented message "%s": written out [GUESS]
RAM_ROLE_CLASSIC = error_kind("InvalidNetworkType.MismatchRamRole",
                              "Ram role cannot be applied to instances of Classic network type.", 403)
ATTACH_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified instanceId does not exist.", 404)
UNKNOWN_ROLE = error_kind("InvalidRamRole.NotFound", "The specified RAMRoleName does not exist.", 404)
# Row codes (undocumented) [GUESS]
ROW_OK = {"Code": "200", "Message": "success", "Success": True}
ROW_ROLE_ATTACHED = {"Code": "InvalidInstance.RamRoleAttached", "Success": False,
                     "Message": "The specified instance already has a RAM role attached."}
ROW_ROLE_NOT_ATTACHED = {"Code": "InvalidRamRole.NotAttached", "Success": False,
                         "Message": "The specified instance does not have the specified RAM role attached."}


def _ids(raw: Optional[str], malformed: type[EcsError], too_many: type[EcsError]) -> list[str]:
    return instance_id_list(raw, malformed, too_many, MAX_IDS)  # (a repeated id answers once)


def _named(ctx: Context, ids: list[str], not_found: type[EcsError]) -> list[dict]:
    """The caller's instances in this region, in the order asked; any other id is ``not_found``."""
    return [resources.owned(ctx, "instance", i, not_found) for i in ids]


def _page(ctx: Context, named: Optional[list[dict]], page_number: int, page_size: int
          ) -> tuple[list[Mapping[str, Any]], dict]:
    """A page of the instances named, or of all the caller's instances in the region (by index)."""
    if named is None:
        page, meta = paging.ordered_page(ctx, "instance", resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        return page, {"TotalCount": meta["TotalCount"], "PageNumber": page_number, "PageSize": page_size}
    return list(paging.by_number(named, page_number, page_size)), {
        "TotalCount": len(named), "PageNumber": page_number, "PageSize": page_size}


def maintenance_attribute(record: Mapping[str, Any]) -> dict:
    kept = record.get("_maintenance") or {}
    return {"InstanceId": record["InstanceId"], "NotifyOnMaintenance": bool(kept.get("NotifyOnMaintenance", False)),
            "MaintenanceWindows": {"MaintenanceWindow": [dict(w) for w in kept.get("MaintenanceWindow") or ()]},
            "ActionOnMaintenance": {"Value": kept.get("ActionOnMaintenance") or DEFAULT_MAINTENANCE_ACTION,
                                    "DefaultValue": DEFAULT_MAINTENANCE_ACTION,
                                    "SupportedValues": {"SupportedValue": list(MAINTENANCE_ACTIONS)}}}


def attachment_attribute(record: Mapping[str, Any]) -> dict:
    kept = record.get("_private_pool") or NO_PRIVATE_POOL
    return {"InstanceId": record["InstanceId"], "PrivatePoolOptionsMatchCriteria": kept.get("MatchCriteria"),
            "PrivatePoolOptionsId": kept.get("Id") or ""}


@operation("DescribeInstanceMaintenanceAttributes", Repeat("InstanceId"),  # a bad page: the documented 403
           L("PageNumber", min=1, default=1, error=("InvalidParameter", 403)),
           L("PageSize", min=1, max=100, default=10, error=("InvalidParameter", 403)))
def describe_instance_maintenance_attributes(ctx: Context, instance_id: Optional[list[str]], page_number: int,
                                             page_size: int) -> dict:
    if instance_id and len(instance_id) > MAX_IDS:
        raise MAINTENANCE_TOO_MANY
    named = _named(ctx, list(dict.fromkeys(instance_id)), MAINTENANCE_NOT_FOUND) if instance_id else None
    page, meta = _page(ctx, named, page_number, page_size)
    return {**meta, "MaintenanceAttributes": {"MaintenanceAttribute": [maintenance_attribute(r) for r in page]}}


@operation("DescribeInstanceAttachmentAttributes",
           S("InstanceIds", required=True), I("PageNumber", min=1, default=1),
           I("PageSize", min=1, max=100, default=10),
           region_missing=("MissingParameter.RegionId", "The specified RegionId should not be null.", 400))
def describe_instance_attachment_attributes(ctx: Context, instance_ids: str, page_number: int,
                                            page_size: int) -> dict:
    private_pools.settle_due(ctx)  # (out of a private pool that ended by now)
    named = _named(ctx, _ids(instance_ids, ATTACHMENT_NOT_FOUND, TOO_MANY_INSTANCE_IDS), ATTACHMENT_NOT_FOUND)
    page, meta = _page(ctx, named, page_number, page_size)
    return {**meta, "Instances": {"Instance": [attachment_attribute(r) for r in page]}}


@operation("DescribeInstanceRamRole", S("InstanceIds"), S("RamRoleName"),
           I("PageNumber", min=1, default=1), I("PageSize", min=1, max=50, default=10))
def describe_instance_ram_role(ctx: Context, instance_ids: Optional[str], ram_role_name: Optional[str],
                               page_number: int, page_size: int) -> dict:
    ids = _ids(instance_ids, RAM_ROLE_MALFORMED, RAM_ROLE_MALFORMED)
    if not ids and not ram_role_name:
        raise RAM_ROLE_ALL_EMPTY
    if ids:
        holding = [r for r in _role_holders(ctx, ids, RAM_ROLE_NOT_FOUND)
                   if r["_ram_role"] and ram_role_name in (None, "", r["_ram_role"])]
        page, _ = _page(ctx, holding, page_number, page_size)
        total = len(holding)
    else:  # every instance of the caller here holding the role (by index)
        page, meta = paging.ordered_page(ctx, "instance", ram_role_term(ctx.account, ctx.region, ram_role_name),
                                         page_number, page_size, None, None)
        total = meta["TotalCount"]
    # Only instances holding a role answer a row (TotalCount counts the roles answered).
    return {"RegionId": ctx.region, "TotalCount": total, "InstanceRamRoleSets": {"InstanceRamRoleSet": [
        _role_row(r) for r in page]}}


def _role_row(record: Mapping[str, Any]) -> dict:
    return {"InstanceId": record["InstanceId"], "RamRoleName": record["_ram_role"]}


def _role_holders(ctx: Context, ids: list[str], not_found: type[EcsError]) -> list[dict]:
    """The instances named (each the caller's here, else ``not_found``); none may be in the classic network."""
    named = _named(ctx, ids, not_found)
    if any(r.get("InstanceNetworkType") == "classic" for r in named):
        raise RAM_ROLE_CLASSIC
    return [{**r, "_ram_role": r.get("_ram_role") or ""} for r in named]


ROLE_NOT_ECS = error_kind("InvalidRamRole.NotEcsRole", "The specified ram role is not authorized for ecs, please "
                          "check your role policy.", 404)


@operation("AttachInstanceRamRole", S("InstanceIds", required=True), S("RamRoleName", required=True),
           S("Policy"))  # (kept by no record: mockecs applies no policy)
def attach_instance_ram_role(ctx: Context, instance_ids: str, ram_role_name: str, policy: Optional[str]) -> dict:
    ids = _ids(instance_ids, RAM_ROLE_MALFORMED, RAM_ROLE_MALFORMED)
    if not ids:
        raise RAM_ROLE_MALFORMED
    if not ram.instance_role_exists(ctx, ram_role_name):
        raise UNKNOWN_ROLE
    if not ram.trusts_ecs(ctx, ram_role_name):
        raise ROLE_NOT_ECS
    rows = []
    for record in _role_holders(ctx, ids, ATTACH_NOT_FOUND):
        if record["_ram_role"] in ("", ram_role_name):  # attaching the role it holds again: success
            resources.put(ctx.txn, "instance", {**record, "_ram_role": ram_role_name})
            rows.append({"InstanceId": record["InstanceId"], **ROW_OK})
        else:
            rows.append({"InstanceId": record["InstanceId"], **ROW_ROLE_ATTACHED})
    return {"RamRoleName": ram_role_name, **_counts(rows),
            "AttachInstanceRamRoleResults": {"AttachInstanceRamRoleResult": rows}}


@operation("DetachInstanceRamRole", S("InstanceIds", required=True), S("RamRoleName"))
def detach_instance_ram_role(ctx: Context, instance_ids: str, ram_role_name: Optional[str]) -> dict:
    ids = _ids(instance_ids, RAM_ROLE_MALFORMED, RAM_ROLE_MALFORMED)
    if not ids:
        raise RAM_ROLE_MALFORMED
    rows = []
    for record in _role_holders(ctx, ids, ATTACH_NOT_FOUND):
        role = record["_ram_role"]
        if role and ram_role_name in (None, "", role):
            resources.put(ctx.txn, "instance", {**record, "_ram_role": ""})
            rows.append({"InstanceId": record["InstanceId"], **ROW_OK,
                         "InstanceRamRoleSets": {"InstanceRamRoleSet": [_role_row(record)]}})
        else:
            rows.append({"InstanceId": record["InstanceId"], **ROW_ROLE_NOT_ATTACHED,
                         "InstanceRamRoleSets": {"InstanceRamRoleSet": []}})
    return {"RamRoleName": ram_role_name or "", **_counts(rows),
            "DetachInstanceRamRoleResults": {"DetachInstanceRamRoleResult": rows}}


def _counts(rows: list[dict]) -> dict:
    return {"TotalCount": len(rows), "FailCount": sum(not row["Success"] for row in rows)}


# -- ModifyInstanceMaintenanceAttributes, ModifyInstanceAttachmentAttributes --------------------------------------
# ModifyInstanceMaintenanceAttributes documents its InvalidParameter as a 403 with the message "%s" [GUESS: said here]
_WINDOW_HOUR = re.compile(r"([01][0-9]|2[0-3]):00:00")  # HH:mm:ss on the hour (documented: whole hours, UTC+8)
NO_INSTANCE_ID = error_kind("InvalidParameter", "The specified parameter InstanceId should not be null.", 403)
TOO_MANY_MAINTAINED = error_kind("InvalidParameter", "The number of InstanceId exceeds the limit of 100.", 403)
BAD_WINDOW = error_kind("InvalidParameter",
                        "The specified MaintenanceWindow is not valid: one window, its StartTime and EndTime both set, "
                        "on the hour (HH:00:00), and 1 to 23 hours apart.", 403)
BAD_MAINTENANCE_ACTION = error_kind("InvalidParameter", "The specified parameter ActionOnMaintenance is not valid.",
                                    403)


# (the list lengths are checked by the handler: a malformed list index stays the generic 400 of every action)
@operation("ModifyInstanceMaintenanceAttributes", Repeat("InstanceId"),
           Structs("MaintenanceWindow", [S("StartTime"), S("EndTime")]),
           S("ActionOnMaintenance"), B("NotifyOnMaintenance", error=("InvalidParameter", 403)))
def modify_instance_maintenance_attributes(ctx: Context, instance_id: Optional[list[str]],
                                           maintenance_window: Optional[list[dict]],
                                           action_on_maintenance: Optional[str],
                                           notify_on_maintenance: Optional[bool]) -> dict:
    if not instance_id:
        raise NO_INSTANCE_ID
    if len(instance_id) > MAX_IDS:
        raise TOO_MANY_MAINTAINED
    changes: dict[str, Any] = {}
    if maintenance_window is not None:  # (MaintenanceWindow.1 with neither time: no window)
        windows = [w for w in maintenance_window if w.get("start_time") or w.get("end_time")]
        if len(windows) > 1 or any(not _window_ok(w.get("start_time") or "", w.get("end_time") or "")
                                   for w in windows):
            raise BAD_WINDOW
        changes["MaintenanceWindow"] = [{"StartTime": w["start_time"], "EndTime": w["end_time"]} for w in windows]
    if action_on_maintenance is not None:
        if action_on_maintenance not in MAINTENANCE_ACTIONS:
            raise BAD_MAINTENANCE_ACTION
        changes["ActionOnMaintenance"] = action_on_maintenance
    if notify_on_maintenance is not None:
        changes["NotifyOnMaintenance"] = notify_on_maintenance
    for record in _named(ctx, list(dict.fromkeys(instance_id)), MAINTENANCE_NOT_FOUND):  # all found, then written
        resources.put(ctx.txn, "instance", {**record, "_maintenance": {**(record.get("_maintenance") or {}),
                                                                       **changes}})
    return {}


def _window_ok(start: str, end: str) -> bool:
    """Both times on the hour, 1 to 23 hours apart (a window may run past midnight: 22:00:00 to 02:00:00)."""
    return bool(_WINDOW_HOUR.fullmatch(start) and _WINDOW_HOUR.fullmatch(end)) and start != end


ATTACH_INSTANCE_MALFORMED = error_kind("InvalidInstanceId.MalFormed", "The specified InstanceId is not valid.", 400)


@operation("ModifyInstanceAttachmentAttributes",
           S("InstanceId", required=True,
             missing=("MissingParameter.InstanceId", "The specified InstanceId should not be null.", 400)),
           Struct("PrivatePoolOptions", [S("MatchCriteria", choices=MATCH_CRITERIA), S("Id")]),
           region_missing=("MissingParameter.RegionId", "The specified RegionId should not be null.", 400))
def modify_instance_attachment_attributes(ctx: Context, instance_id: str, private_pool_options: dict) -> dict:
    if not private_pool_options.get("match_criteria"):  # (documented as required; no code of its own)
        raise missing_parameter("PrivatePoolOptions.MatchCriteria")
    if resources.kind_of(instance_id) != "instance":
        raise ATTACH_INSTANCE_MALFORMED
    record = resources.owned(ctx, "instance", instance_id, ATTACHMENT_NOT_FOUND)
    if record.get("InstanceNetworkType") == "classic":
        raise private_pools.POOL_CLASSIC
    if record.get("SpotStrategy", "NoSpot") != "NoSpot":
        raise private_pools.POOL_SPOT
    wanted = private_pools.Wanted(record["InstanceType"], record["ZoneId"], private_pools.platform_of(
        record.get("OSType")), record.get("InstanceChargeType") or "PostPaid")
    fields = private_pools.place(ctx, *private_pool(private_pool_options), wanted, 1, leaving=record)[0]
    resources.put(ctx.txn, "instance", {**record, **fields})  # (in its pool from now on [GUESS: not at next start])
    return {}


# -- ModifyInstanceMetadataOptions ---------------------------------------------------------------------------------
METADATA_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId is not found.", 404)


@operation("ModifyInstanceMetadataOptions", S("InstanceId"), S("HttpEndpoint", required=True), S("HttpTokens"),
           S("HttpPutResponseHopLimit"), S("InstanceMetadataTags"))  # (the hop limit as text: metadata_options)
def modify_instance_metadata_options(ctx: Context, instance_id: Optional[str], http_endpoint: str,
                                     http_tokens: Optional[str], http_put_response_hop_limit: Optional[str],
                                     instance_metadata_tags: Optional[str]) -> dict:
    if not http_endpoint:  # (sent empty: not one of the two values)
        raise BAD_HTTP_ENDPOINT
    options = metadata_options({}, http_endpoint, http_tokens, http_put_response_hop_limit, instance_metadata_tags)
    record = resources.owned(ctx, "instance", instance_id, METADATA_NOT_FOUND)  # (none named: not found)
    resources.put(ctx.txn, "instance", {**record, "MetadataOptions": {
        **(record.get("MetadataOptions") or DEFAULT_METADATA_OPTIONS), **options}})
    return {}


# -- ModifyInstanceAutoReleaseTime ---------------------------------------------------------------------------------
_BY_INSTANCE = {"region": "optional", "region_of": resources.region_from("instance_id")}
RELEASE_NOT_FOUND = error_kind("NoSuchResource", "The specified resource is not found.", 404)
BAD_RELEASE_TIME = error_kind("InvalidAutoReleaseTime.Malformed",
                              "The specified paramter autoReleaseTime is not valid.")  # (sic)
# (ModifyInstanceSpec documents the same: a subscription instance changes through ModifyPrepayInstanceSpec)
CHARGE_TYPE_VIOLATION = error_kind("ChargeTypeViolation",
                                   "The operation is not permitted due to charge type of the instance.", 403)


@operation("ModifyInstanceAutoReleaseTime",
           S("InstanceId", required=True, missing=("MissingParameter", "InstanceId should not be null.", 400)),
           S("AutoReleaseTime"), **_BY_INSTANCE)
def modify_instance_auto_release_time(ctx: Context, instance_id: str, auto_release_time: Optional[str]) -> dict:
    """No AutoReleaseTime (or an empty one) cancels the release; a time is read as RunInstances reads it."""
    release = release_time(ctx, auto_release_time, BAD_RELEASE_TIME)
    instance_clock.settle_due(ctx)  # (released by the mock clock by now)
    record = resources.owned(ctx, "instance", instance_id, RELEASE_NOT_FOUND)
    if record.get("InstanceChargeType") == "PrePaid":
        raise CHARGE_TYPE_VIOLATION
    # (the instance's place in the due order moves with the time, or leaves it)
    instance_clock.schedule(ctx, resources.put(ctx.txn, "instance", {**record, "AutoReleaseTime": release}))
    return {}


# -- ModifyInstanceSpec -------------------------------------------------------------------------------------------
SPEC_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
SPEC_TOO_MANY = error_kind("InvalidParameter.Mismatch", "Too many parameters in one request.")
SPEC_UNKNOWN_TYPE = error_kind("InvalidInstanceType.ValueNotSupported",
                               "The specified InstanceType does not exist or beyond the permitted range.")
SPEC_NOT_STOPPED = error_kind("InvalidInstanceStatus.NotStopped", "The specified Instance status is not stopped.")
SPEC_ZONE = error_kind("InvalidInstanceType.ValueNotSupported",
                       "The specified zone does not offer the specified instancetype.", 403)
SPEC_NO_STOCK = error_kind("OperationDenied.NoStock", "The resource is out of usage.", 403)
SPEC_IMAGE = error_kind("ImageNotSupportInstanceType",
                        "The specified image do not support the InstanceType instance.", 403)
SPEC_STATUS = error_kind("InvalidStatus.ValueNotSupported",
                         "The current status of the resource does not support this operation.", 403)
SPEC_IPV6_TYPE = error_kind("InvalidOperation.Ipv6NotSupport", "The specified instance type does not support IPv6 "
                            "addresses and a network interface of the instance holds some.", 403)
SPEC_IPV6_COUNT = error_kind("InvalidOperation.Ipv6CountExceeded", "A network interface of the instance holds more "
                             "IPv6 addresses than the specified instance type allows (EniIpv6AddressQuantity).", 403)
# What the new type holds less of than the instance has (each documented with the message "%s": the words are
# mockecs's): network interfaces, private IPv4 addresses per interface (EniPrivateIpAddressQuantity, the primary
# one included), an interface's queues set explicitly (MaximumQueueNumberPerEni) [GUESS: this code of the two the
# operation documents for queues; the other, the type's total, cannot be passed once the count fits], data disks.
SPEC_ENI_COUNT = error_kind("InvalidOperation.EniCountExceeded", "The instance has more network interfaces than the "
                            "specified instance type allows (EniQuantity).", 403)
SPEC_IPV4_COUNT = error_kind("InvalidOperation.Ipv4CountExceeded", "A network interface of the instance holds more "
                             "private IPv4 addresses than the specified instance type allows "
                             "(EniPrivateIpAddressQuantity).", 403)
SPEC_QUEUES = error_kind("InvalidParameter.InvalidEniQueueNumber", "The queue number of a network interface of the "
                         "instance exceeds what the specified instance type allows (MaximumQueueNumberPerEni).", 403)
SPEC_DISKS = error_kind("InstanceTypeNotSupported.TooManyDisksAttached", "The instance has more data disks attached "
                        "than the specified instance type allows (DiskQuantity).", 400)


def _check_room(ctx: Context, record: Mapping[str, Any], entries: Sequence[Mapping[str, Any]],
                itype: Mapping[str, Any]) -> None:
    """The new type ``itype`` holds the instance's network interfaces (``entries``) and data disks."""
    if len(entries) > int(itype.get("EniQuantity") or 1):
        raise SPEC_ENI_COUNT
    enis = [eni for eni in resources.get_many(ctx, interfaces.KIND, [e["NetworkInterfaceId"] for e in entries])
            if eni is not None]
    if any(len(eni["PrivateIpSets"]["PrivateIpSet"]) > int(itype.get("EniPrivateIpAddressQuantity") or 1)
           for eni in enis):
        raise SPEC_IPV4_COUNT
    most = int(itype.get("MaximumQueueNumberPerEni") or 0)
    if most and any((eni.get("QueueNumber") or 0) > most for eni in enis):
        raise SPEC_QUEUES
    data_disks = sum(d["Type"] == "data" for d in disks.instance_disks(ctx, record["InstanceId"]))
    if data_disks > int(itype.get("DiskQuantity") or 64):
        raise SPEC_DISKS


SPEC_IDEMPOTENCE = ("IdempotenceParamNotMatch",
                    "There is a idempotence signature mismatch between this and last request.", 400)


SPEC_BAD_BANDWIDTH = ("InvalidParameter.InternetMaxBandwidthOut",
                      "The specified parameter InternetMaxBandwidthOut is invalid.", 403)
SPEC_BAD_SYSTEM_CATEGORY = error_kind("InvalidParam.SystemDiskCategory",
                                      "The specified param SystemDisk.Category is not valid.")
# A basic system disk to become a category the new type does not sell
SPEC_SYSTEM_CATEGORY = error_kind("InvalidSystemDiskCategory.ValueNotSupported",
                                  "The specified parameter  SystemDisk.Category is not valid.", 403)
SPEC_DISK_CATEGORY_MISSING = error_kind("MissingParameter.DiskCategory", "The specified parameter Disk.Category can "
                                        "not be null when Disk.DiskId is specified.")
SPEC_BAD_DISK_CATEGORY = error_kind("InvalidParameter.DiskCategory", "The specified parameter Disk.Category is not "
                                    "valid.")
# A disk of the instance of a category the new type does not sell (its system disk too [GUESS: the documented code
# names a disk category, the SystemDisk.Category ones its parameter])
SPEC_DISK_CATEGORY = error_kind("InvalidInstanceType.NotSupportDiskCategory",
                                "The instanceType of the specified instance does not support this disk category.", 403)
SPEC_TEMPORARY_START = error_kind("MissingTemporary.StartTime", "Temporary.StartTime is not specified.", 404)
SPEC_TEMPORARY_END = error_kind("MissingTemporary.EndTime", "Temporary.EndTime is not specified.", 404)
SPEC_TEMPORARY_EIP = error_kind("BandwidthUpgradeDenied.EipBoundInstance",
                                "The specified VPC instance has bound EIP, temporary bandwidth upgrade is denied.")
SPEC_EIP = error_kind("InvalidOperation.EipNotSupport",
                      "The special instance with eip not support operate, please unassociate eip first.", 403)


@operation("ModifyInstanceSpec", S("InstanceId", required=True), S("InstanceType"),
           I("InternetMaxBandwidthOut", min=0, max=100, error=SPEC_BAD_BANDWIDTH),
           I("InternetMaxBandwidthIn", min=1, max=200),
           Struct("Temporary", [S("StartTime"), S("EndTime"), I("InternetMaxBandwidthOut")]),
           B("Async", default=False), B("AllowMigrateAcrossZone", default=False, error=(
               "InvalidParameter.AllowMigrateAcrossZone", "The specified parameter CanMigrateAcrossZone is not valid.",
               400)), Struct("SystemDisk", [S("Category")]),
           S("ModifyMode", choices=("Online", "Offline")),
           Structs("Disk", [S("DiskId"), S("Category"), S("PerformanceLevel")], max_items=128),
           dry_run=True, idempotent=SPEC_IDEMPOTENCE, token_error=BAD_CLIENT_TOKEN, **_BY_INSTANCE)
def modify_instance_spec(ctx: Context, instance_id: str, instance_type: Optional[str],
                         internet_max_bandwidth_out: Optional[int], internet_max_bandwidth_in: Optional[int],
                         temporary: dict, system_disk: dict, disk: Optional[list[dict]], **_: Any) -> dict:
    """One change per call (documented): the instance type of a stopped instance, or the public bandwidth of a
    running or stopped one. With a type, SystemDisk.Category turns a basic system disk into that category
    (documented for a retired non-I/O optimized type; elsewhere it has no effect). The temporary bandwidth upgrade,
    Disk.N and ``Async`` (an invitation-only preview) are taken and ignored; the change is done when the call
    answers."""
    if system_disk.get("category") and system_disk["category"] not in BASIC_SYSTEM_DISK_TARGETS:
        raise SPEC_BAD_SYSTEM_CATEGORY  # (the documented values: what a basic system disk may become)
    for entry in disk or ():
        if entry.get("disk_id") and not entry.get("category"):
            raise SPEC_DISK_CATEGORY_MISSING
        if entry.get("category") and entry["category"] not in DISK_CATEGORIES:
            raise SPEC_BAD_DISK_CATEGORY
    temporary_upgrade = any(value is not None for value in temporary.values())
    if temporary_upgrade and not temporary["start_time"]:  # (a temporary upgrade names its window)
        raise SPEC_TEMPORARY_START
    if temporary_upgrade and not temporary["end_time"]:
        raise SPEC_TEMPORARY_END
    record = resources.owned(ctx, "instance", instance_id, SPEC_NOT_FOUND)
    eip = bool((record.get("EipAddress") or {}).get("AllocationId"))
    if temporary_upgrade and eip:
        raise SPEC_TEMPORARY_EIP
    if record.get("InstanceChargeType") == "PrePaid":
        raise CHARGE_TYPE_VIOLATION
    account_states.check_arrears(ctx, "ModifyInstanceSpec")
    bandwidth = internet_max_bandwidth_out is not None or internet_max_bandwidth_in is not None
    if instance_type and bandwidth:
        raise SPEC_TOO_MANY
    if instance_type:
        itype = instance_types.instance_type(instance_type)
        if itype is None:
            raise SPEC_UNKNOWN_TYPE
        if record["Status"] != "Stopped":
            raise SPEC_NOT_STOPPED
        changes = type_change(ctx, record, itype, SPEC_ZONE, SPEC_IMAGE, SPEC_NO_STOCK, not_match=True,
                              disk_refusals=(SPEC_DISK_CATEGORY, SPEC_DISK_CATEGORY),
                              system_category=system_disk.get("category"), category_refusal=SPEC_SYSTEM_CATEGORY)
        entries = (record.get("NetworkInterfaces") or {}).get("NetworkInterface") or ()
        held = max((len(ipv6.addresses(e)) for e in entries), default=0)
        ipv6.check_held(ipv6.quota(itype), held, SPEC_IPV6_TYPE, SPEC_IPV6_COUNT)
        _check_room(ctx, record, entries, itype)
    elif bandwidth:
        if record["Status"] not in ("Running", "Stopped"):
            raise SPEC_STATUS
        if eip and internet_max_bandwidth_out is not None:  # (an EIP's bandwidth is its own: ModifyEipAddressAttribute)
            raise SPEC_EIP
        out = record.get("InternetMaxBandwidthOut", 0) if internet_max_bandwidth_out is None \
            else internet_max_bandwidth_out
        changes = {"InternetMaxBandwidthOut": out,
                   "InternetMaxBandwidthIn": internet_max_bandwidth_in or record.get("InternetMaxBandwidthIn")}
    else:
        return {}  # nothing to change [GUESS: the metadata documents no code for it]
    if instance_type:
        convert_basic_system_disk(ctx, instance_id, system_disk.get("category"))
    resources.put(ctx.txn, "instance", {**record, **changes})
    return {}


# -- ModifyInstanceNetworkSpec ------------------------------------------------------------------------------------
NETWORK_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
NETWORK_STATUS = error_kind("InvalidOperation.InstanceStatusUnsupported", "The specified instance status is not "
                            "supported for this operation, expect status is Running or Stopped.", 400)
BAD_BANDWIDTH_OUT = error_kind("InvalidInternetMaxBandwidthOut.ValueNotSupported",
                               "The specified InternetMaxBandwidthOut is beyond the permitted range.", 400)
BAD_BANDWIDTH_IN = error_kind("InvalidInternetMaxBandwidthIn.ValueNotSupported",
                              "The specified InternetMaxBandwidthIn is beyond the permitted range.", 400)
BAD_NETWORK_CHARGE = error_kind("InvalidInternetChargeType.ValueNotSupported",
                                "The specified InternetChargeType is invalid.", 400)
NETWORK_EIP = error_kind("InvalidInstance.EipNotSupport",
                         "The specified instance with eip is not supported, please unassociate eip first.", 403)
NETWORK_DECREASE = error_kind("DecreasedBandwidthNotAllowed",  # (documented message "%s") [GUESS: the wording]
                              "The bandwidth of a subscription instance cannot be decreased.", 400)
NETWORK_ALLOCATE = error_kind("InvalidParam.AllocatePublicIp", "The specified param AllocatePublicIp is invalid.", 400)
NETWORK_TEMPORARY = error_kind("InvalidParameter.Bandwidth",  # (documented message "%s")
                               "Temporary bandwidth upgrades (StartTime, EndTime) are not modelled by mockecs.", 400)
NETWORK_CHARGE_TYPES = ("PayByBandwidth", "PayByTraffic")


@operation("ModifyInstanceNetworkSpec", S("InstanceId", required=True),
           I("InternetMaxBandwidthOut"), I("InternetMaxBandwidthIn"), S("NetworkChargeType"),
           B("AllocatePublicIp", default=False), S("StartTime"), S("EndTime"), B("AutoPay", default=True), S("ISP"),
           idempotent=True, token_error=BAD_CLIENT_TOKEN, **_BY_INSTANCE)
def modify_instance_network_spec(ctx: Context, instance_id: str, internet_max_bandwidth_out: Optional[int],
                                 internet_max_bandwidth_in: Optional[int], network_charge_type: Optional[str],
                                 allocate_public_ip: bool, start_time: Optional[str], end_time: Optional[str],
                                 auto_pay: bool, isp: Optional[str]) -> dict:
    """The public bandwidth and its billing method, at once (Terraform's alicloud_instance update of
    internet_max_bandwidth_out/in and internet_charge_type). ``AllocatePublicIp`` gives an instance without one a
    public address; a subscription instance gets one when its bandwidth grows from 0 (Terraform waits for it);
    a pay-as-you-go one asks AllocatePublicIpAddress (documented). ``AutoPay=false`` only places the order [GUESS:
    as ModifyInstanceChargeType and RenewInstance do here]: nothing changes. Answers an OrderId (a new one for a
    subscription instance, "" for pay-as-you-go [GUESS])."""
    # (ranges checked here: the documented codes carry messages of their own)
    if internet_max_bandwidth_out is not None and not 0 <= internet_max_bandwidth_out <= 100:
        raise BAD_BANDWIDTH_OUT
    if internet_max_bandwidth_in is not None and not 1 <= internet_max_bandwidth_in <= 200:
        raise BAD_BANDWIDTH_IN
    if network_charge_type is not None and network_charge_type not in NETWORK_CHARGE_TYPES:
        raise BAD_NETWORK_CHARGE
    record = resources.owned(ctx, "instance", instance_id, NETWORK_NOT_FOUND)
    if record["Status"] not in ("Running", "Stopped"):
        raise NETWORK_STATUS
    if start_time or end_time:
        raise NETWORK_TEMPORARY
    prepaid = record.get("InstanceChargeType") == "PrePaid"
    old_out = record.get("InternetMaxBandwidthOut") or 0
    out = old_out if internet_max_bandwidth_out is None else internet_max_bandwidth_out
    has_eip = bool((record.get("EipAddress") or {}).get("AllocationId"))
    if has_eip and (internet_max_bandwidth_out is not None or allocate_public_ip):
        raise NETWORK_EIP
    if prepaid and out < old_out:
        raise NETWORK_DECREASE
    # InternetMaxBandwidthIn: up to 10, or up to the outbound maximum when that is above 10 (documented range)
    bandwidth_in = internet_max_bandwidth_in or record.get("InternetMaxBandwidthIn") or max(10, out)
    if internet_max_bandwidth_in is not None and internet_max_bandwidth_in > max(10, out):
        raise BAD_BANDWIDTH_IN
    addresses = list(record["PublicIpAddress"]["IpAddress"])
    if allocate_public_ip and not addresses:
        if not out:
            raise NETWORK_ALLOCATE
        addresses = [access.new_public_ip(ctx)]
    elif prepaid and out and not old_out and not addresses:
        addresses = [access.new_public_ip(ctx)]
    order = subscriptions.new_order_id() if prepaid else ""
    if not auto_pay and prepaid:
        return {"OrderId": order}
    resources.put(ctx.txn, "instance", {
        **record, "InternetMaxBandwidthOut": out, "InternetMaxBandwidthIn": bandwidth_in,
        "InternetChargeType": network_charge_type or record.get("InternetChargeType") or "PayByTraffic",
        "PublicIpAddress": {"IpAddress": addresses}})
    return {"OrderId": order}

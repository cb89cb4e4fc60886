"""DescribeInstanceMaintenanceAttributes, DescribeInstanceAttachmentAttributes, DescribeInstanceRamRole: settings
of an instance that Terraform's ``alicloud_instance`` reads on every refresh; AttachInstanceRamRole and
DetachInstanceRamRole.

mockecs launches no instance with a maintenance window or a private pool (RunInstances takes neither and the
Modify operations are not served), so every instance answers the service's defaults: no maintenance window,
``AutoRecover``, no notification (the documented default of ModifyInstanceMaintenanceAttributes'
``NotifyOnMaintenance``); private pool match ``None`` (RunInstances' documented default of
``PrivatePoolOptions.MatchCriteria``) with no pool id.

An instance holds at most one RAM role (``_ram_role``: RunInstances' and CreateInstance's ``RamRoleName``, or
AttachInstanceRamRole). Attach and Detach refuse the whole call for what their metadata documents as an error
(a malformed id list, an id that is not the caller's instance here, an unknown role, a classic-network
instance): nothing changes. An instance that already holds another role (Attach), or holds no role or not the
one named (Detach), fails only its row (``Success`` false, counted in ``FailCount``) [GUESS: the codes of those
rows are not documented].
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import TOO_MANY_INSTANCE_IDS, instance_id_list, ram_role_term
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, L, Repeat, S
from mockecs.world import paging, ram, resources

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
    return {"InstanceId": record["InstanceId"], "NotifyOnMaintenance": False,
            "MaintenanceWindows": {"MaintenanceWindow": []},
            "ActionOnMaintenance": {"Value": DEFAULT_MAINTENANCE_ACTION, "DefaultValue": DEFAULT_MAINTENANCE_ACTION,
                                    "SupportedValues": {"SupportedValue": list(MAINTENANCE_ACTIONS)}}}


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
    named = _named(ctx, _ids(instance_ids, ATTACHMENT_NOT_FOUND, TOO_MANY_INSTANCE_IDS), ATTACHMENT_NOT_FOUND)
    page, meta = _page(ctx, named, page_number, page_size)
    return {**meta, "Instances": {"Instance": [
        {"InstanceId": r["InstanceId"], "PrivatePoolOptionsMatchCriteria": "None", "PrivatePoolOptionsId": ""}
        for r in page]}}


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


@operation("AttachInstanceRamRole", S("InstanceIds", required=True), S("RamRoleName", required=True),
           S("Policy"))  # (kept by no record: mockecs applies no policy)
def attach_instance_ram_role(ctx: Context, instance_ids: str, ram_role_name: str, policy: Optional[str]) -> dict:
    ids = _ids(instance_ids, RAM_ROLE_MALFORMED, RAM_ROLE_MALFORMED)
    if not ids:
        raise RAM_ROLE_MALFORMED
    if not ram.instance_role_exists(ctx, ram_role_name):
        raise UNKNOWN_ROLE
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

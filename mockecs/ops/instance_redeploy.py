"""RedeployInstance, ReActivateInstances, ReportInstancesStatus: what an owner does about an instance the cloud
has trouble with.

- RedeployInstance moves a Running or Stopped instance to another host (a system event's way out): Running ->
  Stopping -> Starting -> Running, Stopped -> Starting -> Running, on the instance lifecycle (``engine.lifecycle``
  delays; an injected failure leaves it as it was, as documented). The system events it answers (the documented
  types in the documented states, never simulated ones) are Executed.
- ReActivateInstances reopens a pay-as-you-go instance stopped for an overdue account
  (:func:`mockecs.world.instance_clock.stop_for_overdue`): Starting, then Running; refused while the account is
  still in arrears (option ``accounts_in_arrears``).
- ReportInstancesStatus takes a report about instances (and their disks), checked; it changes nothing.
"""
from __future__ import annotations

from typing import Any, Mapping

from mockecs.ops.instance_network import locked_for_security
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, Repeat, S
from mockecs.world import account_states, instance_clock, lifecycle, monitoring, resources, system_events

REDEPLOY_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The InstanceId provided does not exist in our records.",
                                404)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
INCORRECT_STATUS = error_kind("IncorrectInstanceStatus",
                              "The current status of the resource does not support this operation.", 403)
LOCKED = error_kind("InstanceLockedForSecurity", "The specified operation is denied as your instance is locked for "
                    "security reasons.", 403)
ON_DEDICATED_HOST = error_kind("InvalidOperation.RedeployInstance",
                               "The instance on a dedicated host can not be redeployed.", 403)  # ("%s" [GUESS])
PREPAID = error_kind("InvalidPayType.NotSupport", "The specified pre pay instance not support.", 404)
NOT_OVERDUE = error_kind("ReopenInstance.InstanceStatusNotValid",
                         "Instance status is not Expired, ImageExpired or EcsAndImageExpired.", 400)
NO_BALANCE = error_kind("ReopenInstance.InstanceNotEnoughBalance", "Reopen instance must have enough account balance.",
                        400)
# The events RedeployInstance answers, in the states it answers them in (documented).
ANSWERED = {"SystemMaintenance.Reboot": ("Inquiring", "Scheduled"),
            "SystemMaintenance.Redeploy": ("Inquiring", "Scheduled"),
            "SystemMaintenance.RebootAndIsolateErrorDisk": ("Inquiring",),
            "SystemMaintenance.RebootAndReInitErrorDisk": ("Inquiring",),
            "SystemFailure.Redeploy": ("Inquiring", "Scheduled"), "SystemFailure.Reboot": ("Executing",),
            "SystemMaintenance.IsolateErrorDisk": ("Inquiring",), "SystemMaintenance.ReInitErrorDisk": ("Inquiring",)}


def _instance(ctx: Context, instance_id: str, not_found: type) -> dict:
    instance_clock.settle_due(ctx)  # (released or expired by the mock clock by now)
    return resources.owned(ctx, "instance", instance_id, not_found)


def _answer_events(ctx: Context, record: Mapping[str, Any]) -> None:
    """The instance's events RedeployInstance responds to are Executed (index lookups of its active events)."""
    terms = [("se_instance", system_events.scoped(record, record["InstanceId"], status))
             for status in ("Inquiring", "Scheduled", "Executing")]
    for event in system_events.read_many(ctx, system_events.KIND, system_events.ids_under(ctx, terms)):
        if event is None or event.get("_simulated"):
            continue
        if system_events.status_of(event) in ANSWERED.get(system_events.type_of(event), ()):
            system_events.end(ctx, event, "Executed")


@operation("RedeployInstance", S("InstanceId", required=True), B("ForceStop", default=False), region="optional",
           region_of=resources.region_from("instance_id"))
def redeploy_instance(ctx: Context, instance_id: str, force_stop: bool) -> dict:
    record = _instance(ctx, instance_id, REDEPLOY_NOT_FOUND)
    if locked_for_security(record):
        raise LOCKED
    instance_clock.check_usable(record)  # (expired or overdue: InstanceExpiredOrInArrears)
    if record["Status"] not in ("Running", "Stopped"):
        raise INCORRECT_STATUS
    if (record.get("DedicatedHostAttribute") or {}).get("DedicatedHostId"):
        raise ON_DEDICATED_HOST
    running = {"Status": "Running", "StartTime": resources.iso_minute(ctx.now), "StoppedMode": "Not-applicable"}
    # a failed redeployment leaves it on its host, as it was (documented): its run goes on
    back = {"Status": record["Status"], "_runs": record.get("_runs") or []}
    if record["Status"] == "Stopped":
        moved = lifecycle.start(ctx, "instance", instance_id, {**record, "Status": "Starting"}, done=running,
                                failed=back)
    else:
        start = lifecycle.start(ctx, "instance", instance_id, {}, done=running)
        then = {"Status": "Starting", **({"_pending": start["_pending"]} if "_pending" in start else start)}
        stopping = {**record, **monitoring.run_ended(record, ctx.now), "Status": "Stopping"}  # (its run ends here)
        moved = lifecycle.start(ctx, "instance", instance_id, stopping, done=then, failed=back)
    resources.put(ctx.txn, "instance", moved)
    _answer_events(ctx, record)
    return {"TaskId": resources.new_id("task", ctx.region)}


@operation("ReActivateInstances", S("InstanceId", required=True), region="optional",
           region_of=resources.region_from("instance_id"))
def re_activate_instances(ctx: Context, instance_id: str) -> dict:
    record = _instance(ctx, instance_id, INSTANCE_NOT_FOUND)
    if locked_for_security(record):
        raise LOCKED
    if record.get("InstanceChargeType") == "PrePaid":
        raise PREPAID
    if not (instance_clock.expired(record) and record["Status"] == "Stopped"):
        raise NOT_OVERDUE
    if account_states.in_state(ctx, "accounts_in_arrears"):
        raise NO_BALANCE
    instance_clock.reactivated(ctx, record)
    return {}


REASONS = ("instance-hang", "instance-stuck-in-status", "abnormal-network", "abnormal-local-disk",
           "abnormal-cloud-disk", "others")
ISSUE_CATEGORIES = ("hardware-cpu-error", "hardware-motherboard-error", "hardware-mem-error", "hardware-power-error",
                    "hardware-disk-error", "hardware-networkcard-error", "hardware-raidcard-error",
                    "hardware-fan-error", "others")


def _report_error(code: str, message: str, status: int = 403) -> EcsError:
    # (documented with the message "%s": the generic texts of those codes [GUESS])
    return EcsError(code, message, status)


@operation("ReportInstancesStatus", S("Description"), Repeat("InstanceId"), S("Reason"), S("IssueCategory"),
           S("StartTime"), S("EndTime"), Repeat("DiskId"), Repeat("Device"), mapping=True)
def report_instances_status(ctx: Context, a: dict) -> dict:
    for name in ("description", "instance_id"):
        if not a[name]:
            wire = "Description" if name == "description" else "InstanceId"
            raise _report_error("MissingParameter", f'The input parameter "{wire}" that is mandatory for processing '
                                "this request is not supplied.", 404)
    if len(a["instance_id"]) > 100:
        raise _report_error("InstanceIdLimitExceeded", "The number of InstanceId exceeds the limit of 100.")
    if len(a["disk_id"] or ()) > 100 or len(a["device"] or ()) > 100:
        raise _report_error("DiskIdLimitExceeded", "The number of DiskId exceeds the limit of 100.")
    for name, wire, allowed in (("reason", "Reason", REASONS), ("issue_category", "IssueCategory", ISSUE_CATEGORIES)):
        if a[name] is not None and a[name] not in allowed:
            raise _report_error("InvalidParameter", f"The specified parameter {wire} is not valid.")
    for name, wire in (("start_time", "StartTime"), ("end_time", "EndTime")):
        if a[name] is not None and resources.parse_iso(a[name]) is None:
            raise _report_error("InvalidParameter", f"The specified parameter {wire} is not valid.")
    disks_needed = a["reason"] in ("abnormal-local-disk", "abnormal-cloud-disk") or \
        a["issue_category"] == "hardware-disk-error"
    if disks_needed and not a["disk_id"]:
        raise _report_error("MissingParameter", 'The input parameter "DiskId" that is mandatory for processing this '
                            "request is not supplied.", 404)
    instance_clock.settle_due(ctx)
    for instance_id in dict.fromkeys(a["instance_id"]):
        if not resources.is_mine(ctx, resources.get(ctx, "instance", instance_id)):
            raise _report_error("InvalidInstanceId.NotFound", f"The specified InstanceId {instance_id} does not exist.")
    return {}

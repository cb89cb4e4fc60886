"""Self-service diagnostics: the built-in catalog of diagnostic metrics, the built-in (Common) metric sets, and the
checks a diagnostic report runs on an instance's real state in the fake.

No list of the service's metric ids is published beyond the documented examples (``Instance.DiskLoadFailure``,
``GuestOS.WinFirewall``): the catalog is a few metrics per resource type in their style [GUESS], each checking what
the fake knows:

- the instance's status and financial locks, its active system events, its system disk;
- its disks' health (the events :mod:`mockecs.world.disk_events` plants, as DescribeDisksFullStatus shows them);
- its security groups: an accepting inbound rule for the remote-access port (22, or 3389 on Windows);
- a public address; its CPU over the report's window (the numbers DescribeInstanceMonitorData answers);
- GuestOS metrics (run inside the instance by Cloud Assistant): Normal on a running instance of a supported OS,
  NotSupport on another OS, Failed when it does not run.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional

from mockecs.world import disk_events, monitoring, resources, system_events
from mockecs.world.context import Context
from mockecs.world.disks import instance_disks

SEVERITIES = ("Unknown", "Normal", "Info", "Warn", "Critical")  # from the lightest (documented order)
WORST = {name: rank for rank, name in enumerate(SEVERITIES)}
DEFAULT_SET = "dms-instancedefault"  # documented: used when CreateDiagnosticReport names none
Issue = dict  # {"IssueId", "Severity", "Additional" (a JSON object in a string, documented), "OccurrenceTime"}


def _metric(metric_id: str, name: str, category: str, description: str, resource_type: str = "instance",
            guest: bool = False, system: str = "All") -> dict:
    return {"MetricId": metric_id, "MetricName": name, "MetricCategory": category, "Description": description,
            "ResourceType": resource_type, "GuestMetric": guest, "SupportedOperatingSystem": system}


CATALOG: dict[str, dict] = {m["MetricId"]: m for m in (
    _metric("Instance.InstanceStatus", "Instance status", "ControlPlane",
            "Checks whether the instance is running."),
    _metric("Instance.OverdueLock", "Instance locks", "ControlPlane",
            "Checks whether the instance is locked for an overdue payment or an expired subscription."),
    _metric("Instance.SystemEvent", "System events", "ControlPlane",
            "Checks whether system events are scheduled or running on the instance."),
    _metric("Instance.DiskLoadFailure", "System disk loading", "Storage",
            "Checks whether the instance has a system disk to boot from."),
    _metric("Instance.DiskFullStatus", "Disk health", "Storage",
            "Checks the health of the instance's disks (performance degradation, stalls, damage)."),
    _metric("Instance.SecurityGroupRemoteAccess", "Remote access port", "Network",
            "Checks whether the instance's security groups accept inbound traffic on port 22 (Linux) or 3389 "
            "(Windows)."),
    _metric("Instance.PublicIpAddress", "Public address", "Network",
            "Checks whether the instance has a public IP address or an EIP."),
    _metric("Instance.CPUHighUtilization", "CPU utilization", "CPU",
            "Checks whether the instance's vCPU utilization stayed high during the diagnosed period."),
    _metric("GuestOS.WinFirewall", "Windows firewall", "GuestOS",
            "Checks whether the Windows firewall blocks remote desktop connections.", guest=True, system="Windows"),
    _metric("GuestOS.SSHDStatus", "SSH service", "GuestOS",
            "Checks whether the SSH service runs and listens in the instance.", guest=True, system="Linux"),
    _metric("GuestOS.DiskUsage", "File system usage", "GuestOS",
            "Checks whether the file systems of the instance are nearly full.", guest=True),
    _metric("Account.Overdue", "Overdue payment", "Billing",
            "Checks whether the account has an overdue payment.", resource_type="account"),
    _metric("Account.InstanceQuota", "Instance quota", "Quota",
            "Checks whether the account can create more pay-as-you-go instances.", resource_type="account"),
)}

# The built-in metric sets (Type Common) every account sees [GUESS: their ids beyond the documented default].
_INSTANCE_METRICS = [m for m, v in CATALOG.items() if v["ResourceType"] == "instance"]
COMMON_SETS: dict[str, dict] = {s["MetricSetId"]: s for s in (
    {"MetricSetId": DEFAULT_SET, "MetricSetName": "Instance health", "Description": "Every instance metric.",
     "Type": "Common", "ResourceType": "instance", "_metric_ids": _INSTANCE_METRICS},
    {"MetricSetId": "dms-instanceremoteconnection", "MetricSetName": "Remote connection",
     "Description": "Why a remote connection to the instance fails.", "Type": "Common", "ResourceType": "instance",
     "_metric_ids": ["Instance.InstanceStatus", "Instance.OverdueLock", "Instance.SecurityGroupRemoteAccess",
                   "Instance.PublicIpAddress", "GuestOS.WinFirewall", "GuestOS.SSHDStatus"]},
)}


def set_view(record: Mapping[str, Any]) -> dict:
    """A metric set as DescribeDiagnosticMetricSets answers it. (Its metrics are kept as ``_metric_ids``: a
    record's fields named ``...Ids`` are objects, as the import checks them.)"""
    return {"MetricSetId": record["MetricSetId"], "MetricSetName": record["MetricSetName"],
            "Description": record["Description"], "Type": record["Type"], "ResourceType": record["ResourceType"],
            "MetricIds": list(record["_metric_ids"])}


def worst(severities: Any) -> str:
    return max(severities, key=WORST.__getitem__, default="Normal")


# -- the checks -----------------------------------------------------------------------------------------
def _issue(issue_id: str, severity: str, at: float, **additional: Any) -> Issue:
    return {"IssueId": issue_id, "Severity": severity, "Additional": json.dumps(additional, separators=(",", ":")),
            "OccurrenceTime": resources.iso(at)}


def _status(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    status = instance.get("Status")
    return [] if status == "Running" else [_issue("Instance.NotRunning", "Critical", ctx.now, Status=status)]


def _locks(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    locks = (instance.get("OperationLocks") or {}).get("LockReason") or []
    return [_issue("Instance.Locked", "Critical", ctx.now, LockReason=lock.get("LockReason", "")) for lock in locks]


def _events(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    ids = system_events.ids_under(ctx, [system_events.instance_term(ctx, instance["InstanceId"], status)
                                        for status in system_events.ACTIVE])
    events = [e for e in system_events.read_many(ctx, system_events.KIND, ids)
              if e is not None and system_events.status_of(e) in system_events.ACTIVE]
    return [_issue("Instance.SystemEvent." + system_events.status_of(e), "Warn", ctx.now, EventId=e["EventId"],
                   EventType=system_events.type_of(e)) for e in events]


def _system_disk(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    disks = instance_disks(ctx, instance["InstanceId"])
    if any(d["Type"] == "system" for d in disks):
        return []
    return [_issue("Instance.SystemDiskMissing", "Critical", ctx.now)]


def _disk_health(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    issues = []
    for disk in instance_disks(ctx, instance["InstanceId"]):
        events = disk_events.of_disk(ctx, disk["DiskId"])
        health = disk_events.health(events, ctx.now, disk["Status"])
        if health in ("Impaired", "Warning"):
            lasting = [e for e in events if disk_events.lasting(e, ctx.now)]
            issues.append(_issue("Disk.Impaired" if health == "Impaired" else "Disk.Degraded",
                                 "Critical" if health == "Impaired" else "Warn",
                                 lasting[-1]["_at"] if lasting else ctx.now, DiskId=disk["DiskId"],
                                 HealthStatus=health, EventType=lasting[-1]["EventType"]["Name"] if lasting else ""))
    return issues


def _opens(rule: Mapping[str, Any], port: int) -> bool:
    if rule.get("Direction") != "ingress" or rule.get("Policy", "Accept") != "Accept" or \
            rule.get("IpProtocol") not in ("TCP", "ALL"):
        return False
    low, _, high = (rule.get("PortRange") or "-1/-1").partition("/")
    try:
        return int(low) == -1 or int(low) <= port <= int(high)
    except ValueError:
        return False


def remote_port(instance: Mapping[str, Any]) -> int:
    return 3389 if instance.get("OSType") == "windows" else 22


def _remote_access(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    port = remote_port(instance)
    group_ids = list((instance.get("SecurityGroupIds") or {}).get("SecurityGroupId") or [])
    groups = [g for g in resources.get_many(ctx, "security_group", group_ids) if g is not None]
    if any(_opens(rule, port) for g in groups for rule in g.get("_rules") or ()):
        return []
    return [_issue(f"SecurityGroup.Port{port}NotOpen", "Warn", ctx.now, Port=port, SecurityGroupIds=group_ids)]


def _public_address(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    if ((instance.get("PublicIpAddress") or {}).get("IpAddress")) or \
            ((instance.get("EipAddress") or {}).get("IpAddress")):
        return []
    return [_issue("Instance.NoPublicIpAddress", "Info", ctx.now)]


HIGH_CPU = 80  # % on average over the window [GUESS]


def _cpu(ctx: Context, instance: Mapping[str, Any], window: tuple[float, float]) -> list[Issue]:
    start, end = window
    period = next((p for p in monitoring.PERIODS if not monitoring.too_many(start, end, p)), 3600)
    runs = monitoring.instance_runs(instance, ctx.now)
    moments = list(monitoring.covered(monitoring.stamps(start, end, period, ctx.now), runs))[-monitoring.MOST_POINTS:]
    if not moments:
        return []
    cpus = [monitoring.instance_point(instance, m, period)["CPU"] for m in moments]
    average = sum(cpus) / len(cpus)
    if average < HIGH_CPU:
        return []
    return [_issue("GuestOS.CPU.HighUtilization", "Warn", moments[cpus.index(max(cpus))],
                   AveragePercent=round(average, 1), MaxPercent=max(cpus))]


CHECKS: dict[str, Callable[[Context, Mapping[str, Any], tuple[float, float]], list[Issue]]] = {
    "Instance.InstanceStatus": _status, "Instance.OverdueLock": _locks, "Instance.SystemEvent": _events,
    "Instance.DiskLoadFailure": _system_disk, "Instance.DiskFullStatus": _disk_health,
    "Instance.SecurityGroupRemoteAccess": _remote_access, "Instance.PublicIpAddress": _public_address,
    "Instance.CPUHighUtilization": _cpu,
}


def metric_result(ctx: Context, metric_id: str, instance: Mapping[str, Any], window: tuple[float, float]) -> dict:
    """One MetricResult of a report on ``instance``: its Status, Severity and Issues."""
    metric = CATALOG[metric_id]
    result = {"MetricId": metric_id, "MetricCategory": metric["MetricCategory"]}
    if metric["GuestMetric"]:
        system = metric["SupportedOperatingSystem"]
        if system != "All" and system.lower() != (instance.get("OSType") or "linux"):
            return {**result, "Status": "Finished", "Severity": "NotSupport", "Issues": {"Issue": []}}
        if instance.get("Status") != "Running":  # (Cloud Assistant cannot run in it)
            return {**result, "Status": "Failed", "Severity": "Unknown", "Issues": {"Issue": []}}
        return {**result, "Status": "Finished", "Severity": "Normal", "Issues": {"Issue": []}}
    issues = CHECKS[metric_id](ctx, instance, window)
    return {**result, "Status": "Finished", "Severity": worst(i["Severity"] for i in issues),
            "Issues": {"Issue": issues}}


def metric_set(ctx: Context, metric_set_id: Optional[str]) -> Optional[Mapping[str, Any]]:
    """A built-in set, or one of the caller's (None if neither)."""
    if metric_set_id in COMMON_SETS:
        return COMMON_SETS[metric_set_id]
    record = resources.get(ctx, "diagnostic_metric_set", metric_set_id)
    return record if resources.is_mine(ctx, record) else None

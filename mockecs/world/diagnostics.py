"""Self-service diagnostics: the built-in catalog of diagnostic metrics, the built-in (Common) metric set, and the
checks a diagnostic report runs on an instance's real state in the fake.

The metric ids, their categories and the default set ``dms-instancedefault`` (its 32 metrics, in order) are those
Alibaba's own ECS troubleshooting dashboard (aliyun/alibabacloud-ecs-tool-troubleshooter, its sample reports) shows;
their names and descriptions, the GuestOS and account metrics beyond the documented ``GuestOS.WinFirewall``, and
the issue ids other than the security group's two are [GUESS]es in their style. The metrics check what the fake
knows, the rest are Normal (nothing the fake models goes wrong there):

- ``Instance.DiagnoseStatus``: the instance is not running; ``Instance.ExpenseException`` /
  ``Instance.SecurityPunishStatus``: a financial / security lock; ``Instance.SystemException``: its active system
  events; ``Instance.DiskLoadFailure``: no system disk; ``Instance.DiskFull``: its disks' health (the events
  :mod:`mockecs.world.disk_events` plants, as DescribeDisksFullStatus shows them);
- ``Instance.SGIngress``: no accepting inbound rule in its security groups for the remote-access port (22, or 3389
  on Windows) or for ping (ICMP): Info, with the Additional fields the service writes;
- ``Instance.RecentUtilHigh``: its CPU over the report's window (the numbers DescribeInstanceMonitorData answers);
- GuestOS metrics (run inside the instance by Cloud Assistant): Normal on a running instance of a supported OS,
  NotSupport on another OS, Failed when it does not run.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional

from mockecs.world import disk_events, monitoring, resources, system_events
from mockecs.world.context import Context
from mockecs.world.disks import instance_disks

SET = "diagnostic_metric_set"  # (the kinds of mockecs.ops.diagnostics)
REPORT = "diagnostic_report"
resources.ORDER[SET] = lambda record: resources.time_key(record.get("_created", 0.0))
resources.ORDER[REPORT] = lambda record: resources.time_key(record.get("_created", 0.0))
resources.TERMS[REPORT] = lambda record: [("dr_resource", f"{record['_owner']}|{record['_region']}|"
                                                         f"{record['ResourceId']}")]
SEVERITIES = ("Unknown", "Normal", "Info", "Warn", "Critical")  # from the lightest (documented order)
WORST = {name: rank for rank, name in enumerate(SEVERITIES)}
DEFAULT_SET = "dms-instancedefault"  # documented: used when CreateDiagnosticReport names none
Issue = dict  # {"IssueId", "Severity", "Additional" (a JSON object in a string, documented), "OccurrenceTime"}


def _metric(metric_id: str, category: str, name: str, resource_type: str = "instance", guest: bool = False,
            system: str = "All") -> dict:
    return {"MetricId": metric_id, "MetricName": name, "MetricCategory": "ECSService." + category,
            "Description": name, "ResourceType": resource_type, "GuestMetric": guest,
            "SupportedOperatingSystem": system}


_DEFAULT = (  # (id, category, name): dms-instancedefault's metrics in its order
    ("Instance.DiagnoseStatus", "ServiceHealth", "Whether the instance can be diagnosed (its status)"),
    ("Instance.ExpenseException", "AccountBalance", "Overdue payments and expired subscriptions"),
    ("Instance.SecurityPunishStatus", "SecurityGroup", "Security locks"),
    ("Instance.RecentUtilHigh", "ServiceHealth", "Recent high vCPU utilization"),
    ("Instance.DiskFull", "InstanceStorage", "Disk health"),
    ("Instance.SecurityRisk", "SecurityGroup", "Security risks"),
    ("Instance.BootScreenshot", "InstanceConfigure", "Boot screen"),
    ("Instance.NetworkPacketDrop", "InstanceNetwork", "Dropped packets"),
    ("Instance.VirtException", "ServiceHealth", "Virtualization exceptions"),
    ("Instance.SystemException", "ServiceHealth", "System events on the instance"),
    ("Instance.ResourceNotEnough", "ServiceHealth", "Insufficient physical resources"),
    ("Instance.PerfRestrict", "ServiceHealth", "Performance restrictions"),
    ("Instance.PerformanceAffected", "ServiceHealth", "Degraded performance"),
    ("Instance.HostDownAlert", "ServiceHealth", "Host failures"),
    ("Instance.GuestOSCrash", "ServiceHealth", "Operating system crashes"),
    ("Instance.CPUSplitLock", "ServiceHealth", "CPU split locks"),
    ("Instance.CPUException", "ServiceHealth", "CPU exceptions"),
    ("Instance.ControllerError", "ServiceHealth", "Controller errors"),
    ("Instance.SGIngress", "SecurityGroup", "Inbound security group rules for remote access and ping"),
    ("Instance.ResizeFsFailure", "InstanceStorage", "File system resizing failures"),
    ("Instance.IOHang", "InstanceStorage", "I/O hangs"),
    ("Instance.DiskLoadFailure", "InstanceStorage", "System disk loading"),
    ("Instance.DiskLimit", "InstanceStorage", "Disk performance limits"),
    ("Instance.NetworkSessionError", "InstanceNetwork", "Network session errors"),
    ("Instance.NetworkLoadFailure", "InstanceNetwork", "Network interface loading"),
    ("Instance.NetworkBurstLimit", "InstanceNetwork", "Network burst limits"),
    ("Instance.NetworkBoundLimit", "InstanceNetwork", "Network bandwidth limits"),
    ("Instance.DDoSStatus", "InstanceNetwork", "DDoS blackholes"),
    ("Instance.ArpPingError", "InstanceNetwork", "ARP ping errors"),
    ("Instance.OperationFailure", "InstanceConfigure", "Failed operations"),
    ("Instance.ImageLoadFailure", "InstanceConfigure", "Image loading"),
    ("Instance.BootFailure", "InstanceConfigure", "Boot failures"),
)
CATALOG: dict[str, dict] = {m["MetricId"]: m for m in (
    *(_metric(*row) for row in _DEFAULT),
    _metric("GuestOS.WinFirewall", "GuestOS", "Windows firewall rules for remote desktop", guest=True,
            system="Windows"),
    _metric("GuestOS.SSHDStatus", "GuestOS", "The SSH service in the instance", guest=True, system="Linux"),
    _metric("GuestOS.DiskUsage", "GuestOS", "File system usage in the instance", guest=True),
    _metric("Account.Overdue", "AccountBalance", "Overdue payments of the account", resource_type="account"),
    _metric("Account.InstanceQuota", "Quota", "Pay-as-you-go instance quota", resource_type="account"),
)}
COMMON_SETS: dict[str, dict] = {DEFAULT_SET: {
    "MetricSetId": DEFAULT_SET, "MetricSetName": "Instance health", "Description": "Instance health diagnostics",
    "Type": "Common", "ResourceType": "instance", "_metric_ids": [row[0] for row in _DEFAULT]}}


def set_view(record: Mapping[str, Any]) -> dict:
    """A metric set as DescribeDiagnosticMetricSets answers it. (Its metrics are kept as ``_metric_ids``: a
    record's fields named ``...Ids`` are objects, as the import checks them.)"""
    return {"MetricSetId": record["MetricSetId"], "MetricSetName": record["MetricSetName"],
            "Description": record["Description"], "Type": record["Type"], "ResourceType": record["ResourceType"],
            "MetricIds": list(record["_metric_ids"])}


def worst(severities: Any) -> str:
    return max(severities, key=WORST.__getitem__, default="Normal")


# -- the checks -----------------------------------------------------------------------------------------
Window = tuple[float, float]


def _issue(issue_id: str, severity: str, at: float, **additional: Any) -> Issue:
    return {"IssueId": issue_id, "Severity": severity, "Additional": json.dumps(additional, separators=(",", ":")),
            "OccurrenceTime": resources.iso_minute(at)}


def _status(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
    status = instance.get("Status")
    return [] if status == "Running" else [_issue("Instance.Status.NotRunning", "Warn", ctx.now, Status=status)]


def _lock(reason: str, issue_id: str) -> Callable[[Context, Mapping[str, Any], Window], list[Issue]]:
    def check(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
        locks = (instance.get("OperationLocks") or {}).get("LockReason") or []
        return [_issue(issue_id, "Critical", ctx.now, LockReason=reason)
                for lock in locks if isinstance(lock, dict) and lock.get("LockReason") == reason][:1]

    return check


def _events(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
    ids = system_events.ids_under(ctx, [system_events.instance_term(ctx, instance["InstanceId"], status)
                                        for status in system_events.ACTIVE])
    events = [e for e in system_events.read_many(ctx, system_events.KIND, ids)
              if e is not None and system_events.status_of(e) in system_events.ACTIVE]
    return [_issue("Instance.SystemEvent." + system_events.type_of(e),
                   "Critical" if system_events.failure(system_events.type_of(e)) else "Warn", ctx.now,
                   EventId=e["EventId"], EventType=system_events.type_of(e), Status=system_events.status_of(e))
            for e in events]


def _system_disk(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
    if any(d["Type"] == "system" for d in instance_disks(ctx, instance["InstanceId"])):
        return []
    return [_issue("Instance.SystemDisk.NotFound", "Critical", ctx.now)]


def _disk_health(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
    issues = []
    for disk in instance_disks(ctx, instance["InstanceId"]):
        events = disk_events.of_disk(ctx, disk["DiskId"])
        health = disk_events.health(events, ctx.now, disk["Status"])
        lasting = [e for e in events if disk_events.lasting(e, ctx.now)]
        if health in ("Impaired", "Warning") and lasting:
            event = lasting[-1]["EventType"]["Name"]
            issues.append(_issue("Instance.Disk." + event, "Critical" if health == "Impaired" else "Warn",
                                 lasting[-1]["_at"], DiskId=disk["DiskId"], HealthStatus=health, EventType=event))
    return issues


def _opens(rule: Mapping[str, Any], protocols: tuple[str, ...], port: int) -> bool:
    if rule.get("Direction") != "ingress" or rule.get("Policy", "Accept") != "Accept" or \
            rule.get("IpProtocol") not in protocols:
        return False
    low, _, high = str(rule.get("PortRange") or "-1/-1").partition("/")
    try:
        return int(low) == -1 or int(low) <= port <= int(high)
    except ValueError:
        return False


def _ingress(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
    """Info for each of remote access and ping no group of the instance accepts, as the service words it."""
    group_ids = (instance.get("SecurityGroupIds") or {}).get("SecurityGroupId") or []
    rules = [rule for group in resources.get_many(ctx, "security_group", list(group_ids)) if group is not None
             for rule in group.get("_rules") or () if isinstance(rule, dict)]
    windows = instance.get("OSType") == "windows"
    service, port = ("RDP", 3389) if windows else ("SSH", 22)
    issues = []
    if not any(_opens(rule, ("TCP", "ALL"), port) for rule in rules):
        issues.append(_issue(f"Instance.Network.{service}PortRuleDeny", "Info", ctx.now, Policy="drop",
                             Port=str(port), Service=service, Effect=f"INSTANCE-SG-{service}-DISABLED",
                             Protocol="TCP", Direction="ingress"))
    if not any(_opens(rule, ("ICMP", "ALL"), -1) for rule in rules):
        issues.append(_issue("Instance.SgRule.PingPortDeny", "Info", ctx.now, Policy="drop", Port="-1",
                             Service="PING", Effect="INSTANCE-SG-PING-DISABLED", Protocol="ICMP",
                             Direction="ingress"))
    return issues


HIGH_CPU = 80  # % on average over the window [GUESS]


def _cpu(ctx: Context, instance: Mapping[str, Any], window: Window) -> list[Issue]:
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


CHECKS: dict[str, Callable[[Context, Mapping[str, Any], Window], list[Issue]]] = {
    "Instance.DiagnoseStatus": _status, "Instance.ExpenseException": _lock("financial", "Instance.Expense.Locked"),
    "Instance.SecurityPunishStatus": _lock("security", "Instance.Security.Locked"),
    "Instance.SystemException": _events, "Instance.DiskLoadFailure": _system_disk, "Instance.DiskFull": _disk_health,
    "Instance.SGIngress": _ingress, "Instance.RecentUtilHigh": _cpu,
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
    check = CHECKS.get(metric_id)
    issues = check(ctx, instance, window) if check is not None else []
    return {**result, "Status": "Finished", "Severity": worst(i["Severity"] for i in issues),
            "Issues": {"Issue": issues}}


def metric_set(ctx: Context, metric_set_id: Optional[str]) -> Optional[Mapping[str, Any]]:
    """A built-in set, or one of the caller's (None if neither)."""
    if metric_set_id in COMMON_SETS:
        return COMMON_SETS[metric_set_id]
    record = resources.get(ctx, "diagnostic_metric_set", metric_set_id)
    return record if resources.is_mine(ctx, record) else None

"""Monitoring data: DescribeInstanceMonitorData, DescribeDiskMonitorData, DescribeEniMonitorData,
DescribeEipMonitorData, DescribeNewProjectEipMonitorData, DescribeSnapshotMonitorData; and DescribeInstanceTopology.

The points and their numbers come from :mod:`mockecs.world.monitoring` (deterministic, only while the resource ran,
up to the mock clock's now). Each operation answers its own documented codes for a malformed StartTime or EndTime,
a Period other than the documented ones, a StartTime after EndTime, one more than 30 days ago, and more than 400
points.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Iterable, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, S
from mockecs.world import monitoring, paging, resources

INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
DISK_NOT_FOUND = error_kind("InvalidDiskId.NotFound", "The DiskId provided does not exist in our records.", 404)
# DescribeEniMonitorData documents this code with the status "4003", which no HTTP answer can carry: 403 [GUESS]
ENI_MISMATCH = error_kind("InvalidParam.Malformed", 'The specified parameter "EniId" and "InstanceId" are not valid',
                          403)
EIP_NOT_FOUND = error_kind("InvalidAllocationId.NotFound", "Specified allocation id is not found.", 400)
TOO_EARLY = "InvalidStartTime.TooEarly", 'The specified parameter "StartTime" is too early.'
TOO_MANY = "InvalidParameter.TooManyDataQueried", "Too many data queried."
EIP_TOO_MANY = "OperationDenied.TooManyDataQueried", "Specified operation is denied as too many data to return."
START_LATER = "InvalidStartTime.ValueNotSupported", "The specified parameter StartTime is later than EndTime."
END_EARLIER = "InvalidParameter.EndTime", "The specified parameter EndTime is earlier than StartTime."


def _window(status: int, periods: tuple[int, ...] = monitoring.PERIODS) -> tuple:
    """StartTime, EndTime and Period as these operations declare them, malformed ones answered with their
    documented codes (at ``status``: DescribeEniMonitorData documents 403, the others 400)."""
    def valid(value: str) -> bool:
        return monitoring.parse_time(value) is not None

    return (S("StartTime", required=True, check=valid, error=("InvalidStartTime.Malformed", status)),
            S("EndTime", required=True, check=valid, error=("InvalidEndTime.Malformed", status)),
            I("Period", default=60, check=lambda v: v in periods, error=("InvalidPeriod.ValueNotSupported", status)))


def _moments(ctx: Context, start_time: str, end_time: str, period: int, status: int,
             later: Optional[tuple[str, str]], too_many: tuple[str, str] = TOO_MANY) -> range:
    """The time stamps asked for, after the documented checks (``later``: the code of a StartTime after EndTime;
    None where none is documented: no points [GUESS])."""
    start, end = monitoring.parse_time(start_time), monitoring.parse_time(end_time)
    assert start is not None and end is not None  # (checked as parameters)
    if start > end:
        if later is None:
            return range(0)
        raise EcsError(*later, status)
    if monitoring.too_early(start, ctx.now):
        raise EcsError(*TOO_EARLY, status)
    if monitoring.too_many(start, end, period):
        raise EcsError(*too_many, status)
    return monitoring.stamps(start, end, period, ctx.now)


def _points(moments: Iterable[int], intervals: list, record: Mapping[str, Any], period: int,
            point: Callable[[Mapping[str, Any], int, int], dict]) -> list[dict]:
    return [point(record, moment, period) for moment in monitoring.covered(moments, intervals)]


@operation("DescribeInstanceMonitorData", S("InstanceId", required=True), *_window(400),
           region="optional", region_of=resources.region_from("instance_id"))
def describe_instance_monitor_data(ctx: Context, instance_id: str, start_time: str, end_time: str,
                                   period: int) -> dict:
    moments = _moments(ctx, start_time, end_time, period, 400, START_LATER)
    instance = resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)
    runs = monitoring.instance_runs(instance, ctx.now)
    return {"MonitorData": {"InstanceMonitorData": _points(moments, runs, instance, period,
                                                           monitoring.instance_point)}}


def _disk_intervals(ctx: Context, disk: Mapping[str, Any]) -> list:
    attached = monitoring.time_of(disk.get("AttachedTime"))
    if attached is None:
        return []
    if disk.get("Status") != "In_use":  # (its instance's runs are no longer known [GUESS]: its whole attachment)
        detached = monitoring.time_of(disk.get("DetachedTime"))
        return [(attached, detached)] if detached is not None and detached >= attached else []
    instance = resources.get(ctx, "instance", disk.get("InstanceId"))
    runs = monitoring.instance_runs(instance, ctx.now) if instance is not None else []
    return monitoring.within(runs, attached, ctx.now)


@operation("DescribeDiskMonitorData", S("DiskId", required=True), *_window(400),
           region="optional", region_of=resources.region_from("disk_id"))
def describe_disk_monitor_data(ctx: Context, disk_id: str, start_time: str, end_time: str, period: int) -> dict:
    moments = _moments(ctx, start_time, end_time, period, 400, END_EARLIER)
    disk = resources.owned(ctx, "disk", disk_id, DISK_NOT_FOUND)
    points = _points(moments, _disk_intervals(ctx, disk), disk, period, monitoring.disk_point)
    return {"TotalCount": len(points), "MonitorData": {"DiskMonitorData": points}}


@operation("DescribeEniMonitorData", S("InstanceId", required=True), S("EniId"), *_window(403))
def describe_eni_monitor_data(ctx: Context, instance_id: str, eni_id: Optional[str], start_time: str,
                              end_time: str, period: int) -> dict:
    moments = _moments(ctx, start_time, end_time, period, 403, END_EARLIER)
    instance = resources.get(ctx, "instance", instance_id)
    if not resources.is_mine(ctx, instance):  # (no not-found code is documented: the pair is not valid [GUESS])
        raise ENI_MISMATCH
    on_it = sorted(ctx.txn.ids("network_interface", ("instance", instance_id)))
    if eni_id is not None and eni_id not in on_it:
        raise ENI_MISMATCH
    points: list[dict] = []
    runs = monitoring.instance_runs(instance, ctx.now)
    for eni in resources.get_many(ctx, "network_interface", [eni_id] if eni_id else on_it):
        if eni is None or eni.get("Type") == "Primary":  # (secondary ENIs only, as documented)
            continue
        created = monitoring.time_of(eni.get("CreationTime")) or 0.0
        points += _points(moments, monitoring.within(runs, created, ctx.now), eni, period, monitoring.eni_point)
    return {"TotalCount": len(points), "MonitorData": {"EniMonitorData": points}}


def _eip_monitor_data(ctx: Context, allocation_id: str, start_time: str, end_time: str, period: int) -> dict:
    moments = _moments(ctx, start_time, end_time, period, 400, None, EIP_TOO_MANY)
    eip = resources.owned(ctx, "eip", allocation_id, EIP_NOT_FOUND)
    allocated = monitoring.time_of(eip.get("AllocationTime")) or 0.0
    points = _points(moments, [(allocated, ctx.now)], eip, period, monitoring.eip_point)
    return {"EipMonitorDatas": {"EipMonitorData": points}}


# The ECS API's two (deprecated) EIP monitor operations take the VPC API's Period values [GUESS].
@operation("DescribeEipMonitorData", S("AllocationId", required=True), *_window(400, monitoring.EIP_PERIODS),
           region="optional", region_of=resources.region_from("allocation_id"))
def describe_eip_monitor_data(ctx: Context, allocation_id: str, start_time: str, end_time: str, period: int) -> dict:
    return _eip_monitor_data(ctx, allocation_id, start_time, end_time, period)


@operation("DescribeNewProjectEipMonitorData", S("AllocationId", required=True),
           *_window(400, monitoring.EIP_PERIODS), region="optional", region_of=resources.region_from("allocation_id"))
def describe_new_project_eip_monitor_data(ctx: Context, allocation_id: str, start_time: str, end_time: str,
                                          period: int) -> dict:
    return _eip_monitor_data(ctx, allocation_id, start_time, end_time, period)


@operation("DescribeSnapshotMonitorData", *_window(400), S("Category", default="Standard",
                                                           choices=("Standard", "Flash")))
def describe_snapshot_monitor_data(ctx: Context, start_time: str, end_time: str, period: int, category: str) -> dict:
    moments = _moments(ctx, start_time, end_time, period, 400, None)
    if not moments:
        return {"MonitorData": {"DataPoint": []}}
    # The caller's snapshots here (a region's total: the one listing that reads them all, by index)
    wanted = "flash" if category == "Flash" else "standard"
    snapshots = [s for s in resources.get_many(ctx, "snapshot", sorted(ctx.txn.ids(
        "snapshot", resources.owner_region(ctx.account, ctx.region))))
        if s is not None and (s.get("Category") or "standard") == wanted and s.get("Status") != "failed"]
    size_at = monitoring.snapshot_sizes(snapshots)
    return {"MonitorData": {"DataPoint": [{"TimeStamp": monitoring.stamp(m), "Size": size_at(m)} for m in moments]}}


# -- DescribeInstanceTopology -----------------------------------------------------------------------------
TOPOLOGY_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 403)
TOPOLOGY_MALFORMED = error_kind("InvalidInstanceIds.MalFormed", "The specified instanceIds is not valid.", 403)
TOPOLOGY_TOO_MANY = error_kind("InvalidParameter.ToManyInstanceIds", "instanceIds should less then 100.", 403)
HOSTS_PER_ZONE = 8  # [GUESS] physical machines an account's instances of one zone spread over


def host_id(instance: Mapping[str, Any]) -> str:
    """An instance's physical machine, hashed as the service answers it: one per dedicated host; an instance of
    a deployment set on a machine of its own (its strategy spreads them); others on one of a few per zone."""
    dedicated = (instance.get("DedicatedHostAttribute") or {}).get("DedicatedHostId")
    if dedicated:
        seat = dedicated
    elif instance.get("DeploymentSetId"):
        seat = instance["InstanceId"]
    else:
        bucket = int(hashlib.blake2b(instance["InstanceId"].encode(), digest_size=4).hexdigest(), 16) % HOSTS_PER_ZONE
        seat = f"{instance.get('ZoneId')}|{bucket}"
    return hashlib.blake2b(f"mockecs-host|{seat}".encode(), digest_size=9).hexdigest()


@operation("DescribeInstanceTopology", S("InstanceIds"),
           region_error=("InvalidRegionId.MalFormed", 403, "The specified regionId is not valid."))
def describe_instance_topology(ctx: Context, instance_ids: Optional[str]) -> dict:
    """The caller's instances named (a JSON array, at most 100), else all of them here, each with its HostId."""
    named: Optional[list[str]] = None
    if instance_ids:
        try:
            named = json.loads(instance_ids)
        except ValueError:
            raise TOPOLOGY_MALFORMED from None
        if not isinstance(named, list) or not all(isinstance(i, str) for i in named):
            raise TOPOLOGY_MALFORMED
        if len(named) > 100:
            raise TOPOLOGY_TOO_MANY
    if named:
        records = resources.get_many(ctx, "instance", named)
        if not all(resources.is_mine(ctx, r) for r in records):
            raise TOPOLOGY_NOT_FOUND
    else:  # the first 100, in DescribeInstances' order [GUESS: the documented most]
        records = paging.ordered_page(ctx, "instance", resources.owner_region(ctx.account, ctx.region), 1, 100,
                                      None, None)[0]
    return {"Topologys": {"Topology": [{"InstanceId": r["InstanceId"], "HostId": host_id(r)}
                                       for r in records if r is not None]}}

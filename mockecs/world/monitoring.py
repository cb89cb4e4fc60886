"""Monitoring data of instances, disks, ENIs, EIPs and a region's snapshots (DescribeInstanceMonitorData & co.).

Nothing is stored per data point: a point's numbers are drawn from a hash of the resource's id, the metric set and
the point's time stamp, so the same query answers the same numbers, within each metric's documented range, at no
cost but the points asked for. A point exists only where the resource existed and ran at its time stamp, up to the
mock clock's now:

- an instance while Running: the runs it ended (``_runs``, written by :func:`run_ended` when it stops, reboots or
  expires; the newest :data:`MOST_RUNS`, none older than the 30 days a query may reach) and the current one, from
  its StartTime while its Status is Running;
- a disk while In_use, from its AttachedTime, within its instance's runs (a detached disk: from its AttachedTime to
  its DetachedTime, its instance's runs no longer known);
- a secondary ENI while on a running instance (from its CreationTime: its attachment time is not kept);
- an EIP from its AllocationTime (traffic while it is associated with an instance, none else);
- a region's snapshots: the total size of the snapshots that exist now, each from its creation (deleted snapshots'
  history is not kept).

Time stamps are the multiples of Period (seconds since the epoch) from StartTime to EndTime, both included (as
the documented examples answer), StartTime and EndTime with seconds rounded up to the next minute (documented).
"""
from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

from mockecs.world import resources

DAY = 86400.0
MOST_DAYS = 30  # StartTime may be at most 30 days before now (documented)
MOST_POINTS = 400  # (EndTime - StartTime) / Period at most (documented)
PERIODS = (60, 600, 3600)  # documented Period values of the ECS monitor operations
EIP_PERIODS = (60, 300, 900, 3600)  # [GUESS] the VPC API's DescribeEipMonitorData values; undocumented here
INT32 = 2**31 - 1  # the EIP answer's fields are int32 (the metadata): a busy hour's bytes stop there
MOST_RUNS = 200  # ended runs an instance keeps (a bound on its record's size)
Interval = tuple[float, float]


# -- the time window ------------------------------------------------------------------------
def parse_time(text: Optional[str]) -> Optional[float]:
    """``yyyy-MM-ddTHH:mm:ssZ`` (also without seconds) as seconds, rounded up to a whole minute (documented:
    seconds other than 00 count as the next minute); None when malformed."""
    if not text or "T" not in text:
        return None
    seconds = resources.parse_iso(text)
    return None if seconds is None else math.ceil(seconds / 60.0) * 60.0


def stamps(start: float, end: float, period: int, now: float) -> range:
    """The time stamps of a query: multiples of ``period`` from ``start`` to ``end`` (both included), none after
    ``now``."""
    last = min(end, now)
    first = int(math.ceil(start / period)) * period
    return range(first, int(last) + 1, period) if last >= first else range(0)


def too_many(start: float, end: float, period: int) -> bool:
    """Whether a query asks for more points than documented: (EndTime - StartTime) / Period over 400."""
    return (end - start) / period > MOST_POINTS


def too_early(start: float, now: float) -> bool:
    return start < now - MOST_DAYS * DAY


# -- when a resource ran ----------------------------------------------------------------------
def run_ended(record: Mapping[str, Any], now: float) -> dict:
    """The fields an instance gets when it stops running (StopInstance, RebootInstance, an expiry): its current
    run joins ``_runs``; runs older than a query can reach are dropped (nothing when it is not running)."""
    if record.get("Status") != "Running":
        return {}
    began = run_start(record)
    runs = [run for run in _ended(record) if run[1] >= now - (MOST_DAYS + 1) * DAY]
    return {"_runs": (runs + [[began, now]])[-MOST_RUNS:]} if began is not None and began <= now else {}


def time_of(text: Any) -> Optional[float]:
    """A record's time field as seconds (None when empty or not a time: an imported record may hold anything)."""
    return resources.parse_iso(text) if isinstance(text, str) and text else None


def run_start(record: Mapping[str, Any]) -> Optional[float]:
    """When its current run began: its StartTime (to the minute), not before it was created."""
    began = time_of(record.get("StartTime")) or time_of(record.get("CreationTime"))
    created = record.get("_created")
    if began is not None and isinstance(created, (int, float)) and not isinstance(created, bool):
        return max(began, float(created))
    return began


def _ended(record: Mapping[str, Any]) -> list[list[float]]:
    runs = record.get("_runs")
    return [list(run) for run in runs if isinstance(run, list) and len(run) == 2
            and all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in run)] \
        if isinstance(runs, list) else []


def instance_runs(record: Mapping[str, Any], now: float) -> list[Interval]:
    """When an instance ran: its ended runs, and the current one while it is Running."""
    runs: list[Interval] = [(float(a), float(b)) for a, b in _ended(record)]
    began = run_start(record)
    if record.get("Status") == "Running" and began is not None:
        runs.append((began, now))
    return runs


def within(intervals: Iterable[Interval], low: float, high: float) -> list[Interval]:
    """``intervals`` cut to [low, high] (those outside dropped)."""
    return [(max(a, low), min(b, high)) for a, b in intervals if b >= low and a <= high]


def covered(moments: Iterable[int], intervals: list[Interval]) -> Iterator[int]:
    """The ``moments`` inside one of ``intervals`` (both ends included)."""
    for at in moments:
        if any(a <= at <= b for a, b in intervals):
            yield at


# -- numbers ----------------------------------------------------------------------------------
class Draw:
    """Numbers in [0, 1) drawn one after another from a hash of (resource, metric set, time stamp)."""

    __slots__ = ("_bytes", "_next")

    def __init__(self, resource_id: str, group: str, at: Any) -> None:
        self._bytes = hashlib.blake2b(f"{resource_id}|{group}|{at}".encode(), digest_size=32).digest()
        self._next = 0

    def __call__(self) -> float:
        value = int.from_bytes(self._bytes[self._next:self._next + 2], "big") / 65536.0
        self._next = (self._next + 2) % 32
        return value


@lru_cache(maxsize=4096)  # (the same few per query, for every point)
def level(resource_id: str, metric: str) -> float:
    """A resource's own steady load for ``metric``, in [0.05, 0.65): busy and idle resources differ."""
    return 0.05 + 0.6 * Draw(resource_id, metric, "level")()


def daily(moment: int) -> float:
    """A day's rhythm (UTC+8 working hours busier), from 0.6 to 1.4."""
    hour = ((moment + 8 * 3600) % DAY) / 3600.0
    return 1.0 + 0.4 * math.sin((hour - 8.0) / 24.0 * 2 * math.pi)


def stamp(moment: int) -> str:
    return resources.iso(moment)


# -- per kind ---------------------------------------------------------------------------------
BURSTABLE = ("ecs.t5", "ecs.t6")  # families with CPU credits (the credit fields are answered for them only)


def instance_point(record: Mapping[str, Any], moment: int, period: int) -> dict:
    """One InstanceMonitorData: CPU in %, bandwidths in kbit/s, traffic in kbit over the period, disk I/O in
    operations and bytes per second. Public traffic only for an instance with a public address, within its
    InternetMaxBandwidthOut/In."""
    instance_id = record["InstanceId"]
    draw, rhythm = Draw(instance_id, "instance", moment), daily(moment)
    cpu = min(100, int(100 * level(instance_id, "cpu") * rhythm * (0.7 + 0.6 * draw())))
    intranet = int(2000 * level(instance_id, "intranet") * rhythm * (0.5 + draw()))  # kbit/s
    out_max, in_max = int(record.get("InternetMaxBandwidthOut") or 0), int(record.get("InternetMaxBandwidthIn") or 0)
    public = bool(((record.get("PublicIpAddress") or {}).get("IpAddress"))
                  or ((record.get("EipAddress") or {}).get("IpAddress")))
    internet = int(out_max * 1024 * level(instance_id, "internet") * (0.3 + 0.7 * draw())) if public else 0
    internet_in = int(in_max * 1024 * 0.3 * draw()) if public else 0
    iops = int(800 * level(instance_id, "iops") * rhythm * (0.5 + draw()))
    write_share = 0.3 + 0.5 * draw()
    point = {
        "InstanceId": instance_id, "TimeStamp": stamp(moment), "CPU": cpu,
        "IntranetBandwidth": intranet, "IntranetRX": int(intranet * period * (0.4 + 0.2 * draw())),
        "IntranetTX": int(intranet * period * (0.4 + 0.2 * draw())),
        "InternetBandwidth": internet, "InternetRX": internet_in * period, "InternetTX": internet * period,
        "IOPSRead": int(iops * (1 - write_share)), "IOPSWrite": int(iops * write_share),
        "BPSRead": int(iops * (1 - write_share) * 16384 * (0.5 + draw())),
        "BPSWrite": int(iops * write_share * 16384 * (0.5 + draw())),
    }
    if str(record.get("InstanceType") or "").startswith(BURSTABLE):
        cpus = int(record.get("Cpu") or 1)
        used = round(cpus * cpu / 100.0 * period / 60.0, 2)  # a credit is one vCPU at 100 % for a minute
        point.update(CPUCreditUsage=used, CPUCreditBalance=round(cpus * 72 * (0.4 + 0.6 * draw()), 2),
                     CPUAdvanceCreditBalance=0.0, CPUNotpaidSurplusCreditUsage=0.0)
    return point


def disk_point(record: Mapping[str, Any], moment: int, period: int) -> dict:
    """One DiskMonitorData within the disk's IOPS and throughput (MB/s); latencies in microseconds."""
    disk_id = record["DiskId"]
    draw, rhythm = Draw(disk_id, "disk", moment), daily(moment)
    most_iops = int(record.get("IOPS") or 0) or 1000
    most_bps = int(record.get("Throughput") or 0) * 1024 * 1024 or 50 * 1024 * 1024
    busy = min(1.0, 0.5 * level(disk_id, "io") * rhythm * (0.5 + draw()))
    iops_read, iops_write = int(most_iops * busy * draw()), int(most_iops * busy * draw())
    bps_read = min(most_bps // 2, iops_read * int(4096 * (1 + 7 * draw())))
    bps_write = min(most_bps // 2, iops_write * int(4096 * (1 + 7 * draw())))
    return {"DiskId": disk_id, "TimeStamp": stamp(moment), "IOPSRead": iops_read, "IOPSWrite": iops_write,
            "IOPSTotal": iops_read + iops_write, "BPSRead": bps_read, "BPSWrite": bps_write,
            "BPSTotal": bps_read + bps_write, "LatencyRead": int(200 + 1800 * draw()) if iops_read else 0,
            "LatencyWrite": int(200 + 2800 * draw()) if iops_write else 0}


def eni_point(record: Mapping[str, Any], moment: int, period: int) -> dict:
    """One EniMonitorData (numbers as strings, as documented): rates in kB/s, packets over the period."""
    eni_id = record["NetworkInterfaceId"]
    draw = Draw(eni_id, "eni", moment)
    rx = int(500 * level(eni_id, "rx") * daily(moment) * (0.5 + draw()))
    tx = int(500 * level(eni_id, "tx") * daily(moment) * (0.5 + draw()))
    # about 1 kB a packet; drops are rare
    return {"EniId": eni_id, "TimeStamp": stamp(moment), "IntranetRx": str(rx), "IntranetTx": str(tx),
            "PacketRx": str(rx * period), "PacketTx": str(tx * period),
            "DropPacketRx": str(int(draw() > 0.97)), "DropPacketTx": str(int(draw() > 0.98))}


def eip_point(record: Mapping[str, Any], moment: int, period: int) -> dict:
    """One EipMonitorData: bandwidth in bit/s within the EIP's Bandwidth (Mbit/s), bytes and packets over the
    period; nothing moves while it is not associated with an instance."""
    allocation_id = record["AllocationId"]
    if not record.get("InstanceId"):
        return {"TimeStamp": stamp(moment), "EipRX": 0, "EipTX": 0, "EipFlow": 0, "EipBandwidth": 0, "EipPackets": 0}
    draw = Draw(allocation_id, "eip", moment)
    most = int(record.get("Bandwidth") or 1) * 1_000_000
    bandwidth = int(most * level(allocation_id, "eip") * daily(moment) * (0.4 + 0.6 * draw()) / 1.4)
    tx = bandwidth * period // 8
    rx = int(tx * 0.3 * draw())
    return {"TimeStamp": stamp(moment), "EipRX": min(rx, INT32), "EipTX": min(tx, INT32),
            "EipFlow": min(rx + tx, INT32), "EipBandwidth": bandwidth, "EipPackets": (rx + tx) // 1024}


def snapshot_sizes(snapshots: Iterable[Mapping[str, Any]]) -> Callable[[int], int]:
    """The total size in bytes, at a moment, of the ``snapshots`` created by then."""
    made = sorted((time_of(s.get("CreationTime")) or 0.0,
                   int(s.get("FullSnapshotSizeInBytes") or int(s.get("SourceDiskSize") or 0) * 1024 ** 3))
                  for s in snapshots)
    times, totals, running = [t for t, _ in made], [], 0
    for _, size in made:
        running += size
        totals.append(running)
    def total(at: int) -> int:
        made_by = bisect_right(times, at)
        return totals[made_by - 1] if made_by else 0

    return total

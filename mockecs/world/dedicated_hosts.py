"""Dedicated hosts (kind ``dedicated_host``, ``dh-...``), dedicated host clusters (kind ``dedicated_host_cluster``,
``dc-...``), the host-type table (``data/dedicated_host_types.json``), and instances placed on a host.

- A host type runs the instance families it names; its vCPUs are ``Sockets * Cores * 2`` (times the host's
  ``CpuOverCommitRatio`` where the type takes one), its memory ``MemorySize`` GiB. It is sold in a zone as its
  ``zones`` rule says (the rules of ``instance_types.json``), else where its first family is sold.
- An instance on a host carries ``DedicatedHostAttribute`` (the host's id, name and cluster) and
  ``DedicatedInstanceAttribute`` (``Tenancy`` host, its ``Affinity``), and is indexed under the host
  (:func:`instance_terms`): a host's instances, its free vCPUs and memory, and whether it may be released are read
  from that term (the instances on one host: bounded by its capacity, never a scan).
- A host's clock is the instances' (:mod:`mockecs.world.instance_clock`, its own due index): a pay-as-you-go host's
  ``AutoReleaseTime`` releases it with the instances on it; a subscription host at its ``ExpiredTime`` is renewed
  (auto-renewal) or locked (``OperationLocks`` financial) until RenewDedicatedHosts, and released with its instances
  ``expired_instance_retention_days`` after the expiry [GUESS: the instances' rules]. Settled lazily by the reads and
  operations that touch hosts.
"""
from __future__ import annotations

import dataclasses
import json
from functools import cache, lru_cache
from importlib import resources as package_files
from typing import Any, Mapping, Optional, Sequence

from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.records import record
from mockecs.world import ids, instance_clock, instance_types, regions, resources, subscriptions
from mockecs.world.context import Context
from mockecs.world.releases import release_instance

KIND, CLUSTER = "dedicated_host", "dedicated_host_cluster"
DUE = instance_clock.DUE  # (the instances' due order: one index read settles both)
CLOCKED = instance_clock.Clocked(KIND, DUE, "DedicatedHostId", "ChargeType")
STATUSES = ("Available", "UnderAssessment", "PermanentFailure", "TempUnavailable", "Redeploying")
FINANCIAL = {"LockReason": "financial"}
POSTPAID_EXPIRY = "2099-12-31T15:59Z"  # (a pay-as-you-go instance's, for a pay-as-you-go host [GUESS])
# What a host shows as its network attributes unless set (documented: "当前仅支持60S")
DEFAULT_UDP_TIMEOUT = 60


# -- host types ------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _types() -> dict[str, dict]:
    data = json.loads(package_files.files("mockecs").joinpath("data/dedicated_host_types.json").read_text("utf-8"))
    out = {}
    for row in data["types"]:
        htype = dict(zip(data["columns"], row))
        htype.update(row[len(data["columns"])] if len(row) > len(data["columns"]) else {})
        out[htype["DedicatedHostType"]] = htype
    return out


def host_types() -> list[dict]:
    return list(_types().values())


def host_type(name: Optional[str]) -> Optional[dict]:
    return _types().get(name or "")


def over_commit(htype: Mapping[str, Any]) -> Optional[tuple[float, float]]:
    """The CpuOverCommitRatio range a type takes (None: it takes none)."""
    text = htype.get("CpuOverCommitRatioRange")
    if not text:
        return None
    low, high = text.split("-")
    return float(low), float(high)


@cache
def family_types(htype_name: str) -> tuple[dict, ...]:
    """The catalogue's instance types of the families a host type runs that fit on one host, in catalogue order."""
    htype = _types()[htype_name]
    most = total_vcpus(htype, float(over_commit(htype)[1]) if over_commit(htype) else 1.0)
    return tuple(t for t in instance_types.instance_types() if t["InstanceTypeFamily"] in htype["families"]
                 and int(t.get("CpuCoreCount") or 0) <= most and float(t.get("MemorySize") or 0) <= htype["MemorySize"])


def sold_in(htype: Mapping[str, Any], zone_id: str) -> bool:
    rule = htype.get("zones")
    if rule is None:
        first = family_types(htype["DedicatedHostType"])
        return instance_types.sells(first[0], zone_id) if first else True
    return instance_types.sells({"_zones": rule}, zone_id)


def zones_selling(htype: Mapping[str, Any], region_id: str) -> list[str]:
    return [z for z in regions.zone_ids(region_id) if sold_in(htype, z)]


def total_vcpus(htype: Mapping[str, Any], ratio: float = 1.0) -> int:
    return int(htype["Sockets"] * htype["Cores"] * 2 * ratio)


def type_view(htype: Mapping[str, Any]) -> dict:
    """A type as DescribeDedicatedHostTypes answers it (vCPUs at a CpuOverCommitRatio of 1)."""
    ratios = htype.get("CpuOverCommitRatioRange") or ""
    return {"DedicatedHostType": htype["DedicatedHostType"], "Sockets": htype["Sockets"], "Cores": htype["Cores"],
            "TotalVcpus": total_vcpus(htype), "MemorySize": float(htype["MemorySize"]),
            "PhysicalGpus": htype.get("PhysicalGpus", 0), "TotalVgpus": htype.get("TotalVgpus", 0),
            "GPUSpec": htype.get("GPUSpec", ""), "LocalStorageCategory": "", "LocalStorageAmount": 0,
            "LocalStorageCapacity": 0, "SupportCpuOverCommitRatio": bool(ratios), "CpuOverCommitRatioRange": ratios,
            "SupportedInstanceTypeFamilies": {"SupportedInstanceTypeFamily": list(htype["families"])},
            "SupportedInstanceTypesList": {"SupportedInstanceTypesList": [
                t["InstanceTypeId"] for t in family_types(htype["DedicatedHostType"])]}}


# -- index terms -----------------------------------------------------------------------------------------------
def _scope(record: Mapping[str, Any]) -> str:
    return f"{record['_owner']}|{record['_region']}"


def charge_term(account: str, region: str, charge_type: str) -> tuple[str, str]:
    """A charge type's hosts (the pay-as-you-go quota)."""
    return ("ddh_charge", f"{account}|{region}|{charge_type}")


def host_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """DescribeDedicatedHosts' filters (zone, type, exact name, status, cluster); a zone's hosts for automatic
    placement; a cluster's hosts; a charge type's."""
    scope = _scope(record)
    terms = [("ddh_zone", f"{scope}|{record['ZoneId']}"), ("ddh_type", f"{scope}|{record['DedicatedHostType']}"),
             ("ddh_name", f"{scope}|{record['DedicatedHostName']}"), ("ddh_status", f"{scope}|{record['Status']}"),
             charge_term(record["_owner"], record["_region"], record["ChargeType"])]
    if record.get("DedicatedHostClusterId"):
        terms.append((CLUSTER, record["DedicatedHostClusterId"]))
    return terms


def cluster_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    scope = _scope(record)
    return [("ddhc_zone", f"{scope}|{record['ZoneId']}"),
            ("ddhc_name", f"{scope}|{record['DedicatedHostClusterName']}")]


def instance_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An instance on a host, under the host."""
    attribute = record.get("DedicatedHostAttribute")
    host_id = attribute.get("DedicatedHostId") if isinstance(attribute, dict) else None
    return [(KIND, host_id)] if host_id and isinstance(host_id, str) else []


resources.TERMS[KIND] = host_terms
resources.TERMS[CLUSTER] = cluster_terms
resources.ORDER[KIND] = lambda record: resources.time_key(record.get("_created", 0.0))  # creation order [GUESS]
resources.ORDER[CLUSTER] = lambda record: resources.time_key(record.get("_created", 0.0))


# -- a host's instances and room -------------------------------------------------------------------------------
def hosted(ctx: Context, host_id: str) -> list[dict]:
    """The instances on a host (by its index term), oldest first."""
    found = [r for r in ctx.txn.get_many("instance", sorted(ctx.txn.ids("instance", (KIND, host_id))))
             if r is not None]
    return sorted(found, key=lambda r: (r.get("_created", 0.0), r["InstanceId"]))


@record
class Room:
    """A host's capacity and what its instances use."""

    vcpus: int
    memory: float  # GiB
    gpus: int
    used_vcpus: int = 0
    used_memory: float = 0.0
    used_gpus: int = 0

    def fits(self, vcpus: int, memory: float, gpus: int, count: int = 1) -> bool:
        return (self.used_vcpus + vcpus * count <= self.vcpus and self.used_memory + memory * count <= self.memory
                and self.used_gpus + gpus * count <= self.gpus)

    def take(self, vcpus: int, memory: float, gpus: int) -> None:
        self.used_vcpus += vcpus
        self.used_memory += memory
        self.used_gpus += gpus


def needs(itype_or_instance: Mapping[str, Any]) -> tuple[int, float, int]:
    """(vCPUs, GiB of memory, GPUs) of an instance record or an instance type."""
    if "InstanceId" in itype_or_instance:
        return (int(itype_or_instance.get("Cpu") or 0), int(itype_or_instance.get("Memory") or 0) / 1024,
                int(itype_or_instance.get("GPUAmount") or 0))
    return (int(itype_or_instance.get("CpuCoreCount") or 0), float(itype_or_instance.get("MemorySize") or 0),
            int(itype_or_instance.get("GPUAmount") or 0))


def room(record: Mapping[str, Any], instances: Sequence[Mapping[str, Any]]) -> Room:
    htype = _types()[record["DedicatedHostType"]]
    out = Room(total_vcpus(htype, float(record.get("CpuOverCommitRatio") or 1.0)), float(htype["MemorySize"]),
               int(htype.get("PhysicalGpus") or 0))
    for instance in instances:
        out.take(*needs(instance))
    return out


def capacity_view(record: Mapping[str, Any], space: Room, sockets: bool) -> dict:
    """A host's ``Capacity`` (``SocketDetails``: per socket, the host's halves [GUESS: instances counted on the
    sockets in turn])."""
    per_socket: list[dict] = []
    if sockets:
        count = int(record.get("Sockets") or 1)
        used_vcpus, used_memory = space.used_vcpus, space.used_memory
        for socket_id in range(count):
            vcpus, memory = space.vcpus // count, space.memory / count
            take_vcpus, take_memory = min(used_vcpus, vcpus), min(used_memory, memory)
            used_vcpus, used_memory = used_vcpus - take_vcpus, used_memory - take_memory
            per_socket.append({"SocketId": socket_id, "TotalVcpu": vcpus, "AvailableVcpu": vcpus - take_vcpus,
                               "TotalMemory": memory, "AvailableMemory": memory - take_memory})
    return {"TotalVcpus": space.vcpus, "AvailableVcpus": space.vcpus - space.used_vcpus,
            "TotalMemory": space.memory, "AvailableMemory": space.memory - space.used_memory,
            "TotalVgpus": space.gpus, "AvailableVgpus": space.gpus - space.used_gpus,
            "TotalLocalStorage": 0, "AvailableLocalStorage": 0, "LocalStorageCategory": "",
            "SocketCapacities": {"SocketCapacity": per_socket}}


def view(ctx: Context, record: Mapping[str, Any], sockets: bool = False) -> dict:
    """A host as DescribeDedicatedHosts answers it: its record, its instances, its capacity and what it runs."""
    instances = hosted(ctx, record["DedicatedHostId"])
    htype = _types()[record["DedicatedHostType"]]
    return {**resources.wire(record),
            "Instances": {"Instance": [{"InstanceId": i["InstanceId"], "InstanceType": i["InstanceType"],
                                        "InstanceOwnerId": int(i["_owner"]), "SocketId": ""} for i in instances]},
            "Capacity": capacity_view(record, room(record, instances), sockets),
            "SupportedInstanceTypeFamilies": {"SupportedInstanceTypeFamily": list(htype["families"])},
            "SupportedCustomInstanceTypeFamilies": {"SupportedCustomInstanceTypeFamily": []},
            "SupportedInstanceTypesList": {"SupportedInstanceTypesList": [
                t["InstanceTypeId"] for t in family_types(htype["DedicatedHostType"])]}}


def new_machine_id() -> str:
    return ids.source().token_hex(16)


def locked(record: Mapping[str, Any]) -> bool:
    return bool((record.get("OperationLocks") or {}).get("OperationLock"))


# -- clusters --------------------------------------------------------------------------------------------------
def cluster_view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """A cluster as DescribeDedicatedHostClusters answers it: its hosts, their capacity summed, and per instance
    type of their families how many more instances of it the hosts take."""
    hosts = [r for r in ctx.txn.get_many(KIND, sorted(ctx.txn.ids(KIND, (CLUSTER, record["DedicatedHostClusterId"]))))
             if r is not None]
    hosts.sort(key=lambda r: (r.get("_created", 0.0), r["DedicatedHostId"]))
    total = Room(0, 0.0, 0)
    takes: dict[str, int] = {}
    for host in hosts:
        space = room(host, hosted(ctx, host["DedicatedHostId"]))
        total.vcpus, total.memory = total.vcpus + space.vcpus, total.memory + space.memory
        total.take(space.used_vcpus, space.used_memory, space.used_gpus)
        for itype in family_types(host["DedicatedHostType"]):
            vcpus, memory, gpus = needs(itype)
            free = [(space.vcpus - space.used_vcpus) // vcpus if vcpus else 0,
                    int((space.memory - space.used_memory) // memory) if memory else 0]
            if gpus:
                free.append((space.gpus - space.used_gpus) // gpus)
            takes[itype["InstanceTypeId"]] = takes.get(itype["InstanceTypeId"], 0) + max(min(free), 0)
    return {**resources.wire(record),
            "DedicatedHostIds": {"DedicatedHostId": [h["DedicatedHostId"] for h in hosts]},
            "DedicatedHostClusterCapacity": {
                "TotalVcpus": total.vcpus, "AvailableVcpus": total.vcpus - total.used_vcpus,
                "TotalMemory": int(total.memory), "AvailableMemory": int(total.memory - total.used_memory),
                "LocalStorageCapacities": {"LocalStorageCapacity": []},
                "AvailableInstanceTypes": {"AvailableInstanceType": [
                    {"InstanceType": name, "AvailableInstanceCapacity": n} for name, n in takes.items()]}}}


# -- placing instances -----------------------------------------------------------------------------------------
# RunInstances and CreateInstance document these (with their own messages where noted)
HOST_NOT_FOUND = error_kind("InvalidDedicatedHostId.NotFound", "The specified DedicatedHostId does not exist.")
CLUSTER_NOT_FOUND = error_kind("InvalidDedicatedHostClusterId.NotFound",
                               "The specified DedicatedHostClusterId does not exist.")
CLUSTER_MISMATCH = error_kind("InvalidDedicatedHostClusterId.InValid",
                              "The specified Dedicated Host Cluster is invalid.")
BAD_TENANCY = error_kind("InvalidParam.Tenancy", "The specified Tenancy is invalid.")
BAD_AFFINITY = error_kind("InvalidParameter.Affinity", "The specified Affinity is invalid.")
HOST_STATUS = error_kind("InvalidDedicatedHostStatus.NotSupport", "Operation denied due to dedicated host status.")
HOST_LOCKED = error_kind("IncorrectDedicatedHostStatus",
                         "The current status of the resource does not support this operation.")
CLASSIC = error_kind("InvalidNetworkType.NotSupported",
                     "The classic networkType not support create ECS on dedicatedHost.")
TYPE_UNMATCHED = error_kind("DedicatedHostType.Unmatched",
                            "The specified DedicatedHostType doesn?t match the instance type.")
PREPAID_ON_POSTPAID = error_kind("ChargeTypeViolation.PostPaidDedicatedHost",
                                 "Prepaid instance onto postpaid dedicated host is not allowed.")
NOT_SAME_ZONE = error_kind("ResourcesNotInSameZone",
                           "The specified instance and dedicated host are not in the same zone.", 403)
# (documented with a "%s" message: written out [GUESS])
DEPLOYMENT_ON_HOST = error_kind("InvalidDeploymentOnHost", "An instance on a dedicated host cannot join a deployment "
                                "set.")
PRIVATE_POOL = error_kind("DedicatedHostNotSupported", "DedicatedHost is not supported for PrivatePool.")
_NO_ROOM = {"RunInstances": "No available dedicated host or not enough resource on dedicated host.",
            "CreateInstance": "There's no enough resource on the specified dedicated host."}
_EXCEEDED = {"RunInstances": "Instance expired date can not exceed dedicated host expired date."}
_EXCEEDED_ELSE = "Instance expired date can't exceed dedicated host expired date."  # (CreateInstance, RenewInstance)


def no_room(action: str) -> EcsError:
    return EcsError("NoAvaliableDedicatedHost", _NO_ROOM.get(action, _NO_ROOM["RunInstances"]), 400)


def exceeds_host(action: str) -> EcsError:
    return EcsError("InvalidPeriod.ExceededDedicatedHost", _EXCEEDED.get(action, _EXCEEDED_ELSE), 400)


def host_id_of(instance: Mapping[str, Any]) -> str:
    """The host an instance is on ("" for none)."""
    terms = instance_terms(instance)
    return terms[0][1] if terms else ""


def check_renewal(ctx: Context, action: str, instance: Mapping[str, Any], expired: str) -> None:
    """A subscription instance on a host ends no later than the host (RenewInstance's documented code)."""
    host = resources.get(ctx, KIND, host_id_of(instance)) if host_id_of(instance) else None
    if host is not None and (resources.parse_iso(expired) or 0) > (resources.parse_iso(host["ExpiredTime"]) or 0):
        raise exceeds_host(action)


def find(ctx: Context, kind: str, resource_id: Optional[str]) -> Optional[dict]:
    """The caller's host or cluster here (the clock settled first), or None."""
    if kind == KIND:
        settle_due(ctx)
    record = resources.get(ctx, kind, resource_id)
    return record if resources.is_mine(ctx, record) else None


def host_attribute(host: Optional[Mapping[str, Any]], affinity: str = "") -> dict:
    """The fields of an instance on ``host`` (None: on none)."""
    if host is None:
        return {"DedicatedHostAttribute": dict.fromkeys(("DedicatedHostId", "DedicatedHostName",
                                                         "DedicatedHostClusterId"), ""),
                "DedicatedInstanceAttribute": {"Tenancy": "", "Affinity": ""}}
    return {"DedicatedHostAttribute": {"DedicatedHostId": host["DedicatedHostId"],
                                       "DedicatedHostName": host["DedicatedHostName"],
                                       "DedicatedHostClusterId": host.get("DedicatedHostClusterId") or ""},
            "DedicatedInstanceAttribute": {"Tenancy": "host", "Affinity": affinity or "default"}}


@record(frozen=True)
class Codes:
    """What a placement answers where launches and ModifyInstanceDeployment document codes of their own."""

    not_found: Any
    cluster_mismatch: Any
    zone: Any
    unmatched: Any
    no_host: Any = None  # (automatic placement finding none; None: the launches' no_room)


LAUNCH = Codes(HOST_NOT_FOUND, CLUSTER_MISMATCH, NOT_SAME_ZONE, TYPE_UNMATCHED)


def _usable(action: str, host: Mapping[str, Any], itype: Mapping[str, Any], charge_type: str,
            expired_time: Optional[str], codes: Codes) -> None:
    """Refuse ``itype`` on ``host`` for what the host is (documented codes)."""
    if host["Status"] != "Available":
        raise HOST_STATUS
    if locked(host):
        raise HOST_LOCKED
    if itype["InstanceTypeFamily"] not in _types()[host["DedicatedHostType"]]["families"]:
        raise codes.unmatched
    if charge_type == "PrePaid":
        if host["ChargeType"] != "PrePaid":
            raise PREPAID_ON_POSTPAID
        if (resources.parse_iso(expired_time or "") or 0) > (resources.parse_iso(host["ExpiredTime"]) or 0):
            raise exceeds_host(action)


def place(ctx: Context, action: str, itype: Mapping[str, Any], zone_id: str, count: int, charge: str,
          expired_time: Optional[str], host_id: Optional[str], cluster_id: Optional[str], affinity: str,
          codes: Codes = LAUNCH, leaving: str = "") -> list[dict]:
    """The host fields of ``count`` instances of ``itype``: on ``host_id``, else on the caller's hosts in the zone
    with automatic placement on (in ``cluster_id`` when given; not ``leaving``, the host an instance moves from),
    each instance on the oldest with room. Checked whole before anything is written."""
    if cluster_id and find(ctx, CLUSTER, cluster_id) is None:
        raise CLUSTER_NOT_FOUND
    need = needs(itype)
    if host_id:
        host = find(ctx, KIND, host_id)
        if host is None:
            raise codes.not_found
        if cluster_id and host.get("DedicatedHostClusterId") != cluster_id:
            raise codes.cluster_mismatch
        if host["ZoneId"] != zone_id:
            raise codes.zone
        _usable(action, host, itype, charge, expired_time, codes)
        if not room(host, hosted(ctx, host_id)).fits(*need, count=count):
            raise no_room(action)
        return [host_attribute(host, affinity) for _ in range(count)]
    settle_due(ctx)
    term = (CLUSTER, cluster_id) if cluster_id else ("ddh_zone", f"{ctx.account}|{ctx.region}|{zone_id}")
    candidates = []
    for host in sorted((h for h in ctx.txn.get_many(KIND, ctx.txn.ids(KIND, term)) if h is not None),
                       key=lambda r: (r.get("_created", 0.0), r["DedicatedHostId"])):
        if host["AutoPlacement"] != "on" or host["ZoneId"] != zone_id or not resources.is_mine(ctx, host) \
                or host["DedicatedHostId"] == leaving:
            continue
        try:
            _usable(action, host, itype, charge, expired_time, codes)
        except EcsError:
            continue
        candidates.append((host, room(host, hosted(ctx, host["DedicatedHostId"]))))
    out = []
    for _ in range(count):
        chosen = next(((h, space) for h, space in candidates if space.fits(*need)), None)
        if chosen is None:
            raise codes.no_host or no_room(action)
        chosen[1].take(*need)
        out.append(host_attribute(chosen[0], affinity))
    return out


def launch_fields(ctx: Context, action: str, args: Mapping[str, Any], itype: Mapping[str, Any], zone_id: str,
                  classic: bool, count: int, expired_time: Optional[str]) -> Optional[list[dict]]:
    """The host fields of each of ``count`` instances a launch makes (None: not on a host): on ``DedicatedHostId``,
    else (``Tenancy`` host) by automatic placement (in ``SchedulerOptions.DedicatedHostClusterId`` when given)."""
    tenancy, affinity = args.get("tenancy") or "", args.get("affinity") or ""
    if tenancy not in ("", "default", "host"):
        raise BAD_TENANCY
    if affinity not in ("", "default", "host"):
        raise BAD_AFFINITY
    host_id = args.get("dedicated_host_id")
    cluster_id = (args.get("scheduler_options") or {}).get("dedicated_host_cluster_id")
    if not host_id and tenancy != "host":
        return None  # (a cluster counts only with Tenancy host: documented)
    if (args.get("private_pool_options") or {}).get("match_criteria") in ("Open", "Target"):
        raise PRIVATE_POOL
    if args.get("deployment_set_id"):
        raise DEPLOYMENT_ON_HOST
    if classic:
        raise CLASSIC
    return place(ctx, action, itype, zone_id, count, args.get("instance_charge_type") or "PostPaid", expired_time,
                 host_id, cluster_id, affinity)


# -- the clock -------------------------------------------------------------------------------------------------
def schedule(ctx: Context, record: Mapping[str, Any], placed: bool = True) -> None:
    instance_clock.schedule(ctx, record, placed, CLOCKED)


def release(ctx: Context, record: Mapping[str, Any]) -> None:
    """Release a host and the instances on it, as of ``ctx.now``."""
    for instance in hosted(ctx, record["DedicatedHostId"]):
        release_instance(ctx, instance)
    resources.delete(ctx.txn, KIND, record["DedicatedHostId"])
    ctx.txn.delete(DUE, record["DedicatedHostId"])


def with_lock(record: Mapping[str, Any], lock: bool) -> dict:
    """``record`` with its financial lock set or lifted (other locks kept)."""
    others = [dict(x) for x in (record.get("OperationLocks") or {}).get("OperationLock") or ()
              if x.get("LockReason") != "financial"]
    return {**record, "OperationLocks": {"OperationLock": others + ([dict(FINANCIAL)] if lock else [])}}


def _expire(ctx: Context, record: dict, now: float) -> dict:
    """A subscription host at its ExpiredTime (``ctx.now``): auto-renewed, or locked."""
    kept = subscriptions.renewal(record)
    if kept["RenewalStatus"] == "AutoRenewal" and kept["Duration"]:
        return resources.put(ctx.txn, KIND, {**record, "ExpiredTime": instance_clock.renewed_until(record, ctx.now,
                                                                                                    now)})
    return resources.put(ctx.txn, KIND, {**with_lock(record, True), "_expired": True})


def settle(ctx: Context, host_id: str, record: Optional[Mapping[str, Any]]) -> None:
    """Take a host's steps due by now, each as of its own time, then place it at its next one."""
    if record is None:
        ctx.txn.delete(DUE, host_id)
        return
    current = dict(record)
    for _ in range(instance_clock.MOST_STEPS):
        step = instance_clock.next_step(current, ctx.config.options, CLOCKED.charge_field)
        if step is None or step[0] > ctx.now:
            break
        then = dataclasses.replace(ctx, now=step[0])
        if step[1] == "release":
            release(then, current)
            return
        current = _expire(then, current, ctx.now)
    schedule(ctx, current)


def settle_due(ctx: Context) -> None:
    """The clock's steps due by now of the caller's hosts (and instances) here."""
    instance_clock.settle_due(ctx)


instance_clock.OTHERS[KIND] = settle


def renewed(ctx: Context, record: dict, expired: str) -> dict:
    """``record`` renewed until ``expired`` (RenewDedicatedHosts): unlocked, placed at its new expiry."""
    record = {k: v for k, v in with_lock(record, False).items() if k != "_expired"} if record.get("_expired") \
        else record
    record = resources.put(ctx.txn, KIND, {**record, "ExpiredTime": expired})
    schedule(ctx, record)
    return record

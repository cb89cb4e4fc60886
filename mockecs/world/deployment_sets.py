"""Deployment sets and HPC clusters: where instances are placed (RunInstances / CreateInstance ``DeploymentSetId``,
``DeploymentSetGroupNo``, ``HpcClusterId``; ModifyInstanceDeployment).

A deployment set (kind ``deployment_set``, ``ds-...``) holds no list of its instances: an instance in one carries
``DeploymentSetId`` (and, in an AvailabilityGroup set, ``DeploymentSetGroupNo``), and is indexed under the set, the
set and its zone, and the set, its zone and its group (:func:`instance_terms`). A set's members, its per-zone counts
and its capacity are read from those index terms (never a scan); releasing an instance deletes its terms, which takes
it out of its set.

Limits (the ECS documentation's "Deployment sets" overview; the number is option ``deployment_set_instances_per_zone``,
default 20):

- ``Availability``: at most 20 instances per zone;
- ``AvailabilityGroup``: ``GroupCount`` groups (1-7, default 3), at most 20 instances per group and zone;
- ``LowLatency``: every instance in one zone, at most 20.

A launch checks the whole batch before anything is written. An HPC cluster (kind ``hpc_cluster``, ``hpc-...``) takes
instances of the families that accept one (:func:`hpc_fields`).
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any, Mapping, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.world import regions, resources
from mockecs.world.context import Context
from mockecs.world.instance_types import instance_types
from mockecs.world.validation import starts_with_letter

KIND, HPC = "deployment_set", "hpc_cluster"
STRATEGIES = ("Availability", "AvailabilityGroup", "LowLatency")
GROUPS_MOST = 7  # GroupCount and DeploymentSetGroupNo: 1-7 (documented)
DEFAULT_GROUPS = 3
# The older field ``Strategy`` beside ``DeploymentStrategy`` [GUESS: the documented example pairs Availability
# with LooseDispersion; the strict strategies are answered as StrictDispersion].
OLD_STRATEGY = {"Availability": "StrictDispersion", "AvailabilityGroup": "StrictDispersion",
                "LowLatency": "LooseDispersion"}
# SCC families need an HPC cluster (documented: "HpcClusterId is required for SCC instances"); the catalogue has none.
SCC_PREFIX = "ecs.scc"

# RunInstances and CreateInstance document the same codes, some with their own messages.
_QUOTA_MESSAGES = {"RunInstances": "The instance quota in one deployment set exceeded.",
                   "CreateInstance": "Instance quota in one deployment set exceeded."}
SET_MALFORMED = error_kind("InvalidDeploymentSetId.NotFound", "The parameter DeploymentSetId is invalid.", 400)
SET_NOT_FOUND = error_kind("DeploymentSet.NotFound", "The specified deployment set does not exist.", 404)
TYPE_NOT_SUPPORTED = error_kind("InvalidInstanceType.NotSupported",
                                "The specified instanceType is not supported by the deployment set.", 400)
BAD_GROUP_NO = error_kind("InvalidParameter.DeploymentSetGroupNo", "Parameter DeploymentSetGroupNo is invalid.", 404)
HPC_NOT_FOUND = error_kind("InvalidHpcClusterId.NotFound", "The specified HpcClusterId is not found.", 400)
HPC_UNNECESSARY = error_kind("InvalidHpcClusterId.Unnecessary", "The specified HpcClusterId is unnecessary.", 400)
HPC_NECESSARY = error_kind("InvalidHpcClusterId.Necessary", "The HpcClusterId is necessary.", 400)
# ModifyInstanceDeployment's answer when the set has no room in the instance's zone (it documents no quota code).
NO_ROOM = error_kind("InvalidDeploymentSetId.NoAvailableResources",
                     "There are no available resources for the specified deployment, you can set the parameter force "
                     "to true to retry, or wait for additional resource to become available.", 403)


def quota_full(action: str) -> EcsError:
    return EcsError("QuotaExceed.DeploymentSetInstanceQuotaFull",
                    _QUOTA_MESSAGES.get(action, _QUOTA_MESSAGES["RunInstances"]), 403)


def zone_mismatch(zone_id: str) -> EcsError:
    """A LowLatency set keeps its instances in one zone (documented); the message fills the documented ``%s``."""
    return EcsError("InvalidDestinationZone.DeploymentSetMismatch",
                    f"Error happened, the instances of a LowLatency deployment set must all be in one zone, "
                    f"not {zone_id}.", 400)


# -- index terms -----------------------------------------------------------------------------------------------
def set_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """DescribeDeploymentSets' Strategy and DeploymentSetName filters."""
    scope = f"{record['_owner']}|{record['_region']}"
    return [("ds_strategy", f"{scope}|{record['DeploymentStrategy']}"),
            ("ds_name", f"{scope}|{record['DeploymentSetName']}")]


def instance_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An instance's terms under its deployment set (the set; the set and zone; the set, zone and group) and its
    HPC cluster (DescribeInstances' HpcClusterId, DeleteHpcCluster)."""
    terms = []
    set_id = record.get("DeploymentSetId")
    if set_id:
        at = f"{set_id}|{record['ZoneId']}"
        terms += [(KIND, set_id), ("ds_zone", at)]
        if record.get("DeploymentSetGroupNo"):
            terms.append(("ds_group", f"{at}|{record['DeploymentSetGroupNo']}"))
    if record.get("HpcClusterId"):
        terms.append((HPC, record["HpcClusterId"]))
    return terms


resources.TERMS[KIND] = set_terms
resources.ORDER[KIND] = lambda record: resources.time_key(record.get("_created", 0.0))  # creation order [GUESS]
resources.ORDER[HPC] = lambda record: resources.time_key(record.get("_created", 0.0))


# -- the catalogue's families per strategy ----------------------------------------------------------------------
@cache
def supported_families(strategy: str) -> tuple[str, ...]:
    """The catalogue's families a strategy takes, in catalogue order [GUESS: the documentation lists enterprise
    families for the two availability strategies (no burstable ones), and the API is to be asked for LowLatency's:
    the newest generation here]."""
    families: dict[str, None] = {}
    for itype in instance_types():
        if itype.get("InstanceFamilyLevel") != "EnterpriseLevel":
            continue
        if strategy == "LowLatency" and itype.get("Generation") != "ecs-7":
            continue
        families[itype["InstanceTypeFamily"]] = None
    return tuple(families)


# -- reading a set ---------------------------------------------------------------------------------------------
def per_zone(ctx: Context) -> int:
    return int(ctx.config.options["deployment_set_instances_per_zone"])


def capacity(ctx: Context, record: Mapping[str, Any]) -> int:
    """How many instances the set takes per zone."""
    groups = (record.get("GroupCount") or 1) if record["DeploymentStrategy"] == "AvailabilityGroup" else 1
    return per_zone(ctx) * groups


def view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """A set as DescribeDeploymentSets answers it: its instances (ids from the index), and per zone holding some,
    how many it holds and how many more it takes (one batch of counts over the region's zones)."""
    from_index = sorted(ctx.txn.ids("instance", (KIND, record["DeploymentSetId"])))
    zones: list[dict] = []
    if from_index:
        zone_ids = regions.zone_ids(record["_region"])
        counts = ctx.txn.counts("instance", [("ds_zone", f"{record['DeploymentSetId']}|{z}") for z in zone_ids])
        most = capacity(ctx, record)
        zones = [{"ZoneId": z, "UsedAmount": n, "AvailableAmount": max(most - n, 0)}
                 for z, n in zip(zone_ids, counts) if n]
    # (AccountId: the owner's; Affinity and Type: CreateDeploymentSet parameters of the SDK only, which mockecs does
    # not take: 0 and empty [GUESS])
    return {**resources.wire(record), "InstanceAmount": len(from_index), "InstanceIds": {"InstanceId": from_index},
            "Capacities": {"Capacity": zones}, "AccountId": int(record["_owner"]), "Affinity": 0, "Type": ""}


def valid_name(name: str, pattern: re.Pattern) -> bool:
    """A set's or a cluster's name: a letter (or a CJK ideograph) first, ``pattern`` whole, no http(s):// start."""
    return bool(starts_with_letter(name) and pattern.match(name)) and \
        not name.lower().startswith(("http://", "https://"))


def delete_empty(ctx: Context, kind: str, resource_id: str, not_found: type[EcsError],
                 not_empty: type[EcsError]) -> None:
    """Delete the caller's set or cluster here, refused while an instance is in it (its index term)."""
    record = resources.owned(ctx, kind, resource_id, not_found)
    if ctx.txn.count("instance", (kind, resource_id)):
        raise not_empty
    resources.delete(ctx.txn, kind, record[resources.ID_FIELD[kind]])


# -- placing instances -----------------------------------------------------------------------------------------
def find(ctx: Context, set_id: str) -> Optional[dict]:
    """The caller's deployment set here, or None."""
    record = resources.get(ctx, KIND, set_id)
    return record if resources.is_mine(ctx, record) else None


def launch_set(ctx: Context, set_id: str) -> dict:
    """The set a launch names: a malformed id and an unknown one answer the launches' two documented codes."""
    if not set_id.startswith(resources.PREFIX[KIND]):
        raise SET_MALFORMED
    record = find(ctx, set_id)
    if record is None:
        raise SET_NOT_FOUND
    return record


def members(ctx: Context, record: Mapping[str, Any], zone_id: str, group: int = 0) -> int:
    at = f"{record['DeploymentSetId']}|{zone_id}"
    return ctx.txn.count("instance", ("ds_group", f"{at}|{group}") if group else ("ds_zone", at))


def place(ctx: Context, record: Mapping[str, Any], family: str, zone_id: str, count: int, group_no: Optional[int],
          full: type[EcsError] | EcsError, leaving: Optional[Mapping[str, Any]] = None) -> list[dict]:
    """The fields of ``count`` instances of ``family`` joining set ``record`` in ``zone_id`` (``DeploymentSetId``,
    and ``DeploymentSetGroupNo`` in an AvailabilityGroup set), checked whole first: the family, the zone (one zone
    in a LowLatency set), the group number, the room (``full`` when there is none). ``leaving``: an instance
    moving within the set (not counted). Without a group number the instances go to the emptiest groups."""
    strategy = record["DeploymentStrategy"]
    if family not in supported_families(strategy):
        raise TYPE_NOT_SUPPORTED
    set_id = record["DeploymentSetId"]
    mine = leaving is not None and leaving.get("DeploymentSetId") == set_id and leaving.get("ZoneId") == zone_id
    if strategy == "LowLatency" and ctx.txn.count("instance", (KIND, set_id)) - int(mine) > \
            members(ctx, record, zone_id) - int(mine):
        raise zone_mismatch(zone_id)
    if strategy != "AvailabilityGroup":
        if members(ctx, record, zone_id) - int(mine) + count > per_zone(ctx):
            raise full
        return [{"DeploymentSetId": set_id} for _ in range(count)]
    groups = int(record.get("GroupCount") or DEFAULT_GROUPS)
    if group_no is not None and not 1 <= group_no <= groups:
        raise BAD_GROUP_NO
    used = {n: members(ctx, record, zone_id, n) for n in range(1, groups + 1)}
    own_group = int(leaving.get("DeploymentSetGroupNo") or 0) if mine and leaving is not None else 0
    if own_group in used:  # (moving within its own set: its place is free)
        used[own_group] -= 1
    out = []
    for _ in range(count):
        chosen = group_no if group_no is not None else min(used, key=lambda n: (used[n], n))
        if used[chosen] >= per_zone(ctx):
            raise full
        used[chosen] += 1
        out.append({"DeploymentSetId": set_id, "DeploymentSetGroupNo": chosen})
    return out


def hpc_fields(ctx: Context, hpc_cluster_id: Optional[str], family: str) -> dict:
    """``HpcClusterId`` of a launch: SCC families need one, the families of option ``hpc_cluster_families`` may have
    one, others refuse it (the documented codes)."""
    scc = family.startswith(SCC_PREFIX)
    if not hpc_cluster_id:
        if scc:
            raise HPC_NECESSARY
        return {}
    if not resources.is_mine(ctx, resources.get(ctx, HPC, hpc_cluster_id)):
        raise HPC_NOT_FOUND
    if not scc and family not in ctx.listed("hpc_cluster_families"):
        raise HPC_UNNECESSARY
    return {"HpcClusterId": hpc_cluster_id}


def hpc_filter(ctx: Context, hpc_cluster_id: Optional[str]) -> Optional[str]:
    """DescribeInstances' HpcClusterId: one of the caller's clusters here (else the documented not-found code)."""
    if hpc_cluster_id and not resources.is_mine(ctx, resources.get(ctx, HPC, hpc_cluster_id)):
        raise HPC_NOT_FOUND
    return hpc_cluster_id


def launch_fields(ctx: Context, action: str, args: Mapping[str, Any], family: str, zone_id: str,
                  count: int) -> list[dict]:
    """The deployment set and HPC cluster fields of each of ``count`` instances a launch makes (RunInstances,
    CreateInstance), every check done for the whole batch before anything is written."""
    hpc = hpc_fields(ctx, args.get("hpc_cluster_id"), family)
    set_id = args.get("deployment_set_id")
    if not set_id:
        return [dict(hpc) for _ in range(count)]
    record = launch_set(ctx, set_id)
    placed = place(ctx, record, family, zone_id, count, args.get("deployment_set_group_no"), quota_full(action))
    return [{**fields, **hpc} for fields in placed]

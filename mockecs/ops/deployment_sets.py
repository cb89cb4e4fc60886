"""Deployment sets: CreateDeploymentSet, DescribeDeploymentSets, ModifyDeploymentSetAttribute, DeleteDeploymentSet,
DescribeDeploymentSetSupportedInstanceTypeFamily, and ModifyInstanceDeployment (an instance into, within or out of a
set); Terraform's ``alicloud_ecs_deployment_set`` and ``alicloud_instance.deployment_set_id``.

What a set holds and how many it takes: :mod:`mockecs.world.deployment_sets`. ModifyInstanceDeployment's
dedicated-host parameters move an instance onto a dedicated host (:mod:`mockecs.world.dedicated_hosts`).
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from mockecs.ops.instances import INSTANCE_NOT_FOUND, in_service_order, type_fields
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, I, JsonList, S
from mockecs.world import dedicated_hosts, deployment_sets, paging, resources
from mockecs.world.deployment_sets import KIND, STRATEGIES
from mockecs.world.instance_types import instance_type
from mockecs.world.validation import check_description

# 2-128 characters, a letter (or a CJK ideograph) first, then letters, digits, ":", "_", "-" (documented)
_NAME = re.compile(r"^[^\W\d_][\w:\-]{1,127}$")
BAD_NAME = error_kind("InvalidDeploymentSetName.Malformed", "Specified deployment set name is not valid.")
BAD_DESCRIPTION = ("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
BAD_STRATEGY = error_kind("InvalidParameter.Strategy", "The specified parameter Strategy is not valid.")
BAD_DOMAIN = error_kind("InvalidParameter.Domain", "The specified parameter Domain is not valid.")
BAD_GRANULARITY = error_kind("InvalidParameter.granularity", "The specified parameter Granularity is not valid.")
BAD_ON_UNABLE = error_kind("InvalidParameter",
                           'The specified parameter "OnUnableToRedeployFailedInstance" is not valid.')  # [GUESS]
QUOTA = error_kind("QuotaExceed.DeploymentSet", "The deploymentSet quota is full.")
MODIFY_NOT_FOUND = error_kind("InvalidDeploymentSetId.NotFound", "The specified DeploymentSetId does not exist.")
# DeleteDeploymentSet documents no code for an unknown set: ModifyInstanceDeployment's [GUESS]
NOT_FOUND = error_kind("InvalidDeploymentSetId.NotFound", "The specified deployment set does not exist.", 404)
NOT_EMPTY = error_kind("DependencyViolation.NotEmpty", "There are still instance(s) in the specified DeploymentSetId.",
                       403)
TOO_MANY_IDS = error_kind("InvalidDeploymentSetIds.TooManyInput",
                          "The parameter DeploymentSets size should less than 100.", 403)
ON_UNABLE = ("CancelMembershipAndStart", "KeepStopped")


def _check_name(name: Optional[str]) -> None:
    if name is not None and not deployment_sets.valid_name(name, _NAME):
        raise BAD_NAME


@operation("CreateDeploymentSet", S("OnUnableToRedeployFailedInstance"), S("Description"), S("DeploymentSetName"),
           S("Domain"), S("Granularity"), S("Strategy"),
           I("GroupCount", min=1, max=deployment_sets.GROUPS_MOST, error=("InvalidParameter.GroupCount", 400)),
           idempotent=True)
def create_deployment_set(ctx: Context, on_unable_to_redeploy_failed_instance: Optional[str],
                          description: Optional[str], deployment_set_name: Optional[str], domain: Optional[str],
                          granularity: Optional[str], strategy: Optional[str], group_count: Optional[int]) -> dict:
    _check_name(deployment_set_name)
    check_description(description, *BAD_DESCRIPTION)
    strategy = strategy or "Availability"
    if strategy not in STRATEGIES:
        raise BAD_STRATEGY
    # Domain and Granularity are deprecated: their one value each, as Terraform sends it or as answered [GUESS]
    if domain and domain.lower() != "default":
        raise BAD_DOMAIN
    if granularity and granularity.lower() != "host":
        raise BAD_GRANULARITY
    on_unable = on_unable_to_redeploy_failed_instance or ON_UNABLE[0]
    if on_unable not in ON_UNABLE:
        raise BAD_ON_UNABLE
    if ctx.txn.count(KIND, resources.owner_region(ctx.account, ctx.region)) >= \
            ctx.config.options["deployment_set_quota"]:
        raise QUOTA
    set_id = resources.new_id(KIND, ctx.region)
    groups = (group_count or deployment_sets.DEFAULT_GROUPS) if strategy == "AvailabilityGroup" else 0
    resources.put(ctx.txn, KIND, {
        "DeploymentSetId": set_id, "DeploymentSetName": deployment_set_name or "",
        "DeploymentSetDescription": description or "", "DeploymentStrategy": strategy,
        "Strategy": deployment_sets.OLD_STRATEGY[strategy], "Domain": "default", "Granularity": "host",
        "GroupCount": groups, "CreationTime": resources.iso(ctx.now),
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_on_unable_to_redeploy": on_unable,
    })
    return {"DeploymentSetId": set_id}


@operation("DescribeDeploymentSets", paging.PAGE_NUMBER, I("PageSize", default=10, min=1, max=50),
           JsonList("DeploymentSetIds"), S("NetworkType"), S("Strategy"), S("DeploymentSetName"), S("Granularity"),
           S("Domain"))
def describe_deployment_sets(ctx: Context, page_number: int, page_size: int, deployment_set_ids: Optional[list[str]],
                             network_type: Optional[str], strategy: Optional[str],
                             deployment_set_name: Optional[str], granularity: Optional[str],
                             domain: Optional[str]) -> dict:
    """NetworkType, Granularity and Domain are deprecated: not filters [GUESS]. DeploymentSetName matches whole."""
    if deployment_set_ids and len(deployment_set_ids) > 100:
        raise TOO_MANY_IDS
    if not deployment_set_ids and not strategy and deployment_set_name is None:  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        total = meta["TotalCount"]
    else:
        scope = f"{ctx.account}|{ctx.region}"
        found = [r for r in resources.mine_among(
            ctx, KIND, deployment_set_ids, ("ds_strategy", f"{scope}|{strategy}") if strategy else None,
            ("ds_name", f"{scope}|{deployment_set_name}") if deployment_set_name is not None else None)
            if (not strategy or r["DeploymentStrategy"] == strategy)
            and (deployment_set_name is None or r["DeploymentSetName"] == deployment_set_name)]
        found.sort(key=lambda r: (r["_created"], r["DeploymentSetId"]))
        page, total = paging.by_number(found, page_number, page_size), len(found)
    return {"RegionId": ctx.region, "TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "DeploymentSets": {"DeploymentSet": [deployment_sets.view(ctx, r) for r in page]}}


@operation("ModifyDeploymentSetAttribute", S("DeploymentSetId", required=True), S("Description"),
           S("DeploymentSetName"))
def modify_deployment_set_attribute(ctx: Context, deployment_set_id: str, description: Optional[str],
                                    deployment_set_name: Optional[str]) -> dict:
    """What is not sent (or sent empty) keeps its value [GUESS]."""
    _check_name(deployment_set_name or None)
    check_description(description, *BAD_DESCRIPTION)
    record = resources.owned(ctx, KIND, deployment_set_id, MODIFY_NOT_FOUND)
    changed = {field: value for field, value in (("DeploymentSetName", deployment_set_name),
                                                 ("DeploymentSetDescription", description)) if value}
    if changed:
        resources.put(ctx.txn, KIND, {**record, **changed})
    return {}


@operation("DeleteDeploymentSet", S("DeploymentSetId", required=True))
def delete_deployment_set(ctx: Context, deployment_set_id: str) -> dict:
    deployment_sets.delete_empty(ctx, KIND, deployment_set_id, NOT_FOUND, NOT_EMPTY)
    return {}


@operation("DescribeDeploymentSetSupportedInstanceTypeFamily", S("Strategy", default="Availability"))
def describe_deployment_set_supported_instance_type_family(ctx: Context, strategy: str) -> dict:
    """The families as one comma-separated text (documented: ``ecs.i2g,ecs.i1,...``). An unknown strategy answers
    CreateDeploymentSet's code [GUESS: none documented here]."""
    if strategy not in STRATEGIES:
        raise BAD_STRATEGY
    return {"InstanceTypeFamilies": ",".join(deployment_sets.supported_families(strategy))}


# -- ModifyInstanceDeployment ------------------------------------------------------------------------------------
BAD_PARAM = error_kind("InvalidParameter.Param", "Requested param is invalid.")
NOT_SET_MEMBER_STATUS = error_kind("IncorrectInstanceStatus",
                                   "The current status of the instance does not support this operation.", 403)
HOST_NOT_FOUND = error_kind("InvalidDedicatedHostId.NotFound", "The specified DedicatedHostId does not exist.", 404)
BAD_TENANCY = error_kind("InvalidParameter.Tenancy", "The specified Tenancy is invalid.")
BAD_AFFINITY = error_kind("InvalidParameter.Affinity", "The specified Affinity is invalid.")
HOST_ID_NEEDED = error_kind("InvalidParam.DedicatedHostId",
                            "Parameter dedicated host id must been provided in such operation.", 404)
NO_HOST = error_kind("InvalidDedicatedHost.NotEnoughResource",
                     "There's no available dedicated host to perform the operation.")
SAME_HOST = error_kind("InvalidDedicatedHostId.NotSupport", "Cannot choose instance present host as destination host.",
                       404)
ZONE_NOT_MATCH = error_kind("InvalidDedicatedHost.ZoneNotMatch",
                            "The specify dedicated host zone location not match the instance zone location.", 404)
CLUSTER_INVALID = error_kind("InvalidDedicatedHostClusterId.Invalid",
                             "The specified Dedicated Host Cluster is invalid.")
TYPE_NOT_ON_HOST = error_kind("InvalidInstanceType.NotSupport",
                              "The Dedicated host not support the specified instance type.", 404)
LIVE_WITH_TYPE = error_kind("InvalidInstanceType.NotSupport", "The parameter EcsMigrationType conflict with "
                            "InstanceType, live migration do not support InstanceType alter on ddh.")
UNKNOWN_TYPE = error_kind("InvalidInstanceType.ValueNotSupported",
                          "The specified InstanceType does not exist or beyond the permitted range.")
UNSTOPPED = error_kind("OperationDenied.UnstoppedInstance", "Operation denied due to unstopped instance.")
NOT_ON_HOST = error_kind("InvalidParam.InstanceId", "The specified InstanceId should be on dedicatedHost.")
CLASSIC = error_kind("InvalidInstanceNetworkType.NotSupport", "The specified Instance network type not support.", 404)
_MIGRATE = dedicated_hosts.Codes(HOST_NOT_FOUND, CLUSTER_INVALID, ZONE_NOT_MATCH, TYPE_NOT_ON_HOST, NO_HOST)
_SET_FIELDS = ("DeploymentSetId", "DeploymentSetGroupNo")
_HOST_PARAMS = ("dedicated_host_id", "dedicated_host_cluster_id", "tenancy", "affinity", "migration_type",
                "instance_type")


def _check_host_values(args: Mapping[str, Any]) -> str:
    """The dedicated-host parameters' own rules (documented codes); the migration type."""
    if args["tenancy"] not in (None, "", "host"):
        raise BAD_TENANCY
    if args["affinity"] not in (None, "", "host", "default"):
        raise BAD_AFFINITY
    migration = args["migration_type"] or "reboot"
    if migration not in ("reboot", "live"):
        raise BAD_PARAM
    if (args["instance_type"] or migration == "live") and not args["dedicated_host_id"]:
        raise HOST_ID_NEEDED
    if args["instance_type"] and migration == "live":
        raise LIVE_WITH_TYPE
    return migration


def _to_host(ctx: Context, instance: dict, args: Mapping[str, Any], migration: str) -> dict:
    """The dedicated-host half of ModifyInstanceDeployment: an instance onto a host (``DedicatedHostId``; else,
    ``Tenancy`` host, one chosen by automatic placement, in ``DedicatedHostClusterId`` when given), with a new
    ``InstanceType`` (to a named host only), or only its ``Affinity`` changed. A reboot migration (the default) takes
    a Stopped instance, a live one a Running or Stopped one (documented). Returns the instance's new fields."""
    host_id, cluster_id = args["dedicated_host_id"], args["dedicated_host_cluster_id"]
    if host_id and dedicated_hosts.find(ctx, dedicated_hosts.KIND, host_id) is None:
        raise HOST_NOT_FOUND
    if cluster_id and dedicated_hosts.find(ctx, dedicated_hosts.CLUSTER, cluster_id) is None:
        raise dedicated_hosts.CLUSTER_NOT_FOUND
    present = dedicated_hosts.host_id_of(instance)
    affinity = args["affinity"] or instance["DedicatedInstanceAttribute"].get("Affinity") or "default"
    if not host_id and args["tenancy"] != "host":  # (Affinity alone)
        if not present:
            raise NOT_ON_HOST
        return {"DedicatedInstanceAttribute": {"Tenancy": "host", "Affinity": affinity}}
    if not (instance.get("VpcAttributes") or {}).get("VSwitchId"):
        raise CLASSIC
    if host_id and host_id == present:
        raise SAME_HOST
    itype = instance_type(args["instance_type"] or instance["InstanceType"])
    if itype is None:
        raise UNKNOWN_TYPE
    if instance["Status"] != "Stopped" and not (migration == "live" and instance["Status"] == "Running"):
        raise UNSTOPPED
    fields = dedicated_hosts.place(ctx, ctx.action, itype, instance["ZoneId"], 1, instance["InstanceChargeType"],
                                   instance.get("ExpiredTime"), host_id, cluster_id, affinity, _MIGRATE,
                                   leaving=present)[0]
    return {**fields, **(type_fields(itype) if args["instance_type"] else {})}


@operation("ModifyInstanceDeployment", S("InstanceId", required=True), S("DedicatedHostId"), S("DeploymentSetId"),
           I("DeploymentSetGroupNo"), B("Force", default=False), S("Affinity"), S("Tenancy"), S("MigrationType"),
           S("InstanceType"), S("DedicatedHostClusterId"), B("RemoveFromDeploymentSet", default=False), mapping=True)
def modify_instance_deployment(ctx: Context, args: dict) -> dict:
    """Into a set, to another set, within an AvailabilityGroup set (to the group asked for, else the emptiest), or out
    of one (RemoveFromDeploymentSet with the set the instance is in); or onto a dedicated host (:func:`_to_host`:
    not together with a set, documented). A Running or Stopped instance; Force changes nothing (mockecs has no
    shared hosts to run out of) [GUESS]."""
    instance = resources.owned(ctx, "instance", args["instance_id"], INSTANCE_NOT_FOUND)
    if any(args[name] for name in _HOST_PARAMS):
        migration = _check_host_values(args)
        if args["deployment_set_id"]:
            raise BAD_PARAM
        hosted = _to_host(ctx, instance, args, migration)
        resources.put(ctx.txn, "instance", in_service_order({**instance, **hosted}))
        return {}
    set_id = args["deployment_set_id"]
    if not set_id:  # (documented as required when joining or changing a set)
        raise BAD_PARAM
    record = deployment_sets.find(ctx, set_id)
    if record is None:
        raise NOT_FOUND
    if instance["Status"] not in ("Running", "Stopped"):
        raise NOT_SET_MEMBER_STATUS
    outside = {k: v for k, v in instance.items() if k not in _SET_FIELDS}
    if args["remove_from_deployment_set"]:
        if instance.get("DeploymentSetId") != set_id:  # (documented: the instance must be in that set)
            raise BAD_PARAM
        joined: dict = {"DeploymentSetId": ""}
    else:
        joined = deployment_sets.place(ctx, record, instance["InstanceTypeFamily"], instance["ZoneId"], 1,
                                       args["deployment_set_group_no"], deployment_sets.NO_ROOM, leaving=instance)[0]
    resources.put(ctx.txn, "instance", in_service_order({**outside, **joined}))
    return {}

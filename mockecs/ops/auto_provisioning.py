"""Auto provisioning groups: CreateAutoProvisioningGroup, DescribeAutoProvisioningGroups,
DescribeAutoProvisioningGroupInstances, DescribeAutoProvisioningGroupHistory, ModifyAutoProvisioningGroup,
DeleteAutoProvisioningGroup (Terraform's ``alicloud_auto_provisioning_group``).

A group launches its target capacity through RunInstances itself (:func:`_run`: the RunInstances operation's own
declarations decode the launch's parameters and its handler launches, launch template and all): from its launch template
(and version), else from its ``LaunchConfiguration.*`` (documented: the template wins when both are sent [GUESS: wholly,
not field by field]), with each ``LaunchTemplateConfig.N``'s vSwitch and instance type. Pay-as-you-go capacity goes to
the cheapest config per unit of weight (``lowest-price``) or by ``Priority`` (``prioritized``); spot capacity to the
cheapest spot price per unit (``lowest-price``: over ``SpotInstancePoolsToUseCount`` configs, one by default;
``capacity-optimized`` alike [GUESS]: a config out of stock fails as below, :mod:`mockecs.world.stock`) or round robin
over every config (``diversified``). A spot config whose price limit (the lower of ``MaxSpotPrice`` and its
``MaxPrice``) is below the zone's spot price (:mod:`mockecs.world.spot`) fails as RunInstances documents it; a failed
config's capacity goes to the next one. Every type delivers at once (``request`` too, documented as asynchronous
[GUESS]); only ``instant`` answers its ``LaunchResults``. A ``maintain`` group launches again, when it is next read or
changed, for the members that were released, and for a larger target; a smaller target removes its newest members
(``termination``: released). Each delivery is a task in its history.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional

from mockecs.ops.instances import _delete, run_instances, tag_filter
from mockecs.ops.registry import REGISTRY, Context, operation
from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.params import TAGS, B, F, I, Repeat, S, Struct, Structs, group
from mockecs.world import auto_provisioning as apg
from mockecs.world import images, paging, resource_groups, resources, spot, validation
from mockecs.world import launch_templates as lt
from mockecs.world.instance_types import instance_type

KIND = apg.KIND
NOT_FOUND = error_kind("InvalidAutoProvisioningGroupId.NotFound",
                       "The specified AutoProvisioningGroupId does not exist.", 404)
BAD_NAME = error_kind("InvalidAutoProvisioningGroupName.Malformed",
                      'The specified parameter "AutoProvisioningGroupName" is not valid.')
BAD_DESCRIPTION = error_kind("InvalidDescription.ValueNotSupported", "The specified description is illegal.")
BAD_CAPACITY = error_kind("InvalidCapacity.ValueNotSupported",
                          "The Capacity is illegal, or the TargetCapacity is large than SpotCapacity + "
                          "PayAsYouGoCapacity.")
_TARGET_MESSAGE = ("The Capacity is illegal, TotalTargetCapacity, PayAsYouGoTargetCapacity, SpotTargetCapacity "
                   "must be specified, meanwhile, the TargetCapacity must be larger than or equal to the sum of "
                   "SpotCapacity and OnDemandCapacity.")
TARGET_CAPACITY = {"CreateAutoProvisioningGroup": error_kind("InvalidParameter.TargetCapacity", _TARGET_MESSAGE, 400),
                   "ModifyAutoProvisioningGroup": error_kind("InvalidParameter.TargetCapacity", _TARGET_MESSAGE, 403)}
BAD_VALID_TIME = error_kind("InvalidValidTime.MalFormed", 'The specified parameter "ValidTime" is not supported.')
BAD_VERSION = error_kind("InvalidLaunchTemplateVersion.ValueNotSupported",
                         'The specified parameter "LaunchTemplateVersion" is not valid.')
BAD_TEMPLATE = error_kind("InvalidLaunchTemplate.ValueNotSupported",
                          "The SecurityGroupId or imageId in LaunchTemplate is not exists.")
NO_CONFIGS = error_kind("MissingParameter.LaunchTemplateConfigs", 'The specified parameter "LaunchTemplateConfigs" is '
                                                                 "empty.")
TOO_MANY_CONFIGS = error_kind("InvalidLaunchTemplateConfigs.SizeExceed",
                              "The size of LaunchTemplateConfigs exceeds limit.")
BAD_TYPE = error_kind("InvalidInstanceType.ValueNotSupported", "The instanceType is illegal.")
BAD_WEIGHT = error_kind("InvalidParameter.WeightedCapacityBeyondRange",
                        "The WeightedCaTpacity of LaunchTemplateConfig beyond permitted range.")
BAD_PRICE = error_kind("InvalidParameter.MaxPrice",
                       'The specified parameter "MaxSpotPrice" or "MaxPrice" of LaunchTemplateConfig is not valid.')
BAD_POOLS = error_kind("InvalidParameter.SpotInstancePoolsToUseCount",
                       'The specified parameter "SpotInstancePoolsToUseCount" is not valid.')
BAD_RESOURCE_GROUP = error_kind("InvalidParameter.ResourceGroupId",
                                'The specified parameter "ResourceGroupId" is not valid.')
IMAGE_CONFLICT = error_kind("InvalidImageFamily.Confict",
                            "The specified parameter ImageFamily should be empty when the parameter ImageId is "
                            "specified.")
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.")
DESCRIBE_BAD_NAME = error_kind("InvalidName.Malformed",
                               'The specified parameter "AutoProvisioningGroupName" is not valid.')
MODIFY_BAD_NAME = error_kind("InvalidName.Malformed", 'The specified parameter "AutoProvisioningGroupName" is not '
                                                      "valid.", 403)
INCORRECT_STATUS = error_kind("AutoProvisioningGroup.IncorrectStatus",
                              "Current status of AutoProvisioningGroup does not support curren action.", 403)
MODIFY_BAD_PRICE = error_kind("InvalidParameter.MaxPrice", 'The specified parameter "MaxSpotPrice" is not valid.', 404)
MAX_CONFIGS = 20  # documented: LaunchTemplateConfig.N, N from 1 to 20
MAX_LAUNCH = 100  # RunInstances' Amount at most: a larger need launches in several calls
NEVER = "2099-12-31T23:59:59Z"  # documented ValidUntil default


def _choice(values: tuple[str, ...], code: str, wire: str) -> dict:
    """A parameter whose documented refusal is its own ``<code>`` (400, 'The specified parameter "X" is not
    supported.'): checked by the handler (:func:`_check_choices`)."""
    return {"values": values, "error": error_kind(code, f'The specified parameter "{wire}" is not supported.')}


_CHOICES = {
    "auto_provisioning_group_type": _choice(apg.TYPES, "InvalidAutoProvisioningGroupType.ValueNotSupported",
                                            "AutoProvisioningGroupType"),
    "spot_allocation_strategy": _choice(("lowest-price", "diversified", "capacity-optimized"),
                                        "InvalidSpotAllocationStrategy.ValueNotSupported", "SpotAllocationStrategy"),
    "spot_instance_interruption_behavior": _choice(("stop", "terminate"),
                                                   "InvalidSpotInstanceInterruptionBehavior.ValueNotSupported",
                                                   "SpotInstanceInterruptionBehavior"),
    "pay_as_you_go_allocation_strategy": _choice(("lowest-price", "prioritized"),
                                                 "InvalidPayAsYouGoAllocationStrategy.ValueNotSupported",
                                                 "PayAsYouGoAllocationStrategy"),
    "excess_capacity_termination_policy": _choice(("termination", "no-termination"),
                                                  "InvalidFleetExcessCapacityTerminationPolicy.ValueNotSupported",
                                                  "ExcessCapacityTerminationPolicy"),
    "default_target_capacity_type": _choice((apg.PAY_AS_YOU_GO, apg.SPOT),
                                            "InvalidDefaultTargetCapacityType.ValueNotSupported",
                                            "DefaultTargetCapacityType"),
}


def _check_choices(a: Mapping[str, Any]) -> None:
    for name, choice in _CHOICES.items():
        if a.get(name) is not None and a[name] not in choice["values"]:
            raise choice["error"]


# -- the launch --------------------------------------------------------------------------------------------------
# LaunchConfiguration.X -> RunInstances' name for it (the others have the same name on both).
_RUN_NAMES = {"InstanceDescription": "Description", "SystemDiskCategory": "SystemDisk.Category",
              "SystemDiskSize": "SystemDisk.Size", "SystemDiskName": "SystemDisk.DiskName",
              "SystemDiskDescription": "SystemDisk.Description",
              "SystemDiskPerformanceLevel": "SystemDisk.PerformanceLevel"}
_LC = "LaunchConfiguration."


def _launch_base(ctx: Context, a: dict) -> dict:
    """The RunInstances parameters every launch of the group starts from (stored as ``_launch``)."""
    if a["launch_template_id"]:
        template = lt.find(ctx, a["launch_template_id"], None, BAD_TEMPLATE_ID)
        version = a["launch_template_version"]
        if version in (None, "", "$Default", "Default"):
            number = template["DefaultVersionNumber"]
        elif version in ("$Latest", "Latest"):
            number = template["LatestVersionNumber"]
        elif version.isascii() and version.isdigit():
            number = int(version)
        else:
            raise BAD_VERSION
        lt.version(ctx, template, number, BAD_VERSION)
        return {"LaunchTemplateId": template["LaunchTemplateId"], "LaunchTemplateVersion": str(number)}
    config = a["launch_configuration"]
    if config["image_id"] and config["image_family"]:
        raise IMAGE_CONFLICT
    if config["image_id"] and images.visible(ctx, config["image_id"]) is None or \
            not config["image_id"] and not config["image_family"]:
        raise BAD_TEMPLATE
    groups = [config["security_group_id"]] if config["security_group_id"] else config["security_group_ids"] or []
    if any(not resources.is_mine(ctx, resources.get(ctx, "security_group", g)) for g in groups):
        raise BAD_TEMPLATE
    base = {}
    for key, value in ctx.params.items():
        if key.startswith(_LC) and value != "" and not key.startswith(_LC + "HostNames."):
            name = key[len(_LC):]
            head, dot, rest = name.partition(".")
            base[_RUN_NAMES.get(head, head) + dot + rest] = value
    return base


BAD_TEMPLATE_ID = error_kind("InvalidParameter", 'The specified parameter "LaunchTemplateId" is not valid.')


_ENGINE_ARGS = ("region_id", "dry_run", "client_token")  # (what the engine takes for itself)


def _run(ctx: Context, flat: dict[str, str]) -> list[str]:
    """RunInstances with the wire parameters ``flat``: decoded by its own declarations, launched by its handler
    (as the engine runs it, in this transaction: a refusal raises before it wrote anything)."""
    op = REGISTRY["RunInstances"]
    grouped = group(flat)
    args: dict[str, Any] = {}
    for param in op.params:
        if param.name in _ENGINE_ARGS:
            continue
        raw = grouped.get(param.wire)
        value = param.decode(raw) if raw is not None or param.kind == "struct" else None
        if param.required and value in (None, "", []):
            raise param.missing_error()
        args[param.name] = param.default if value is None else value
    launch_ctx = dataclasses.replace(ctx, action="RunInstances", params=flat)
    return run_instances(launch_ctx, args)["InstanceIdSets"]["InstanceIdSet"]


def _config_type(ctx: Context, group: Mapping[str, Any], config: Mapping[str, Any]) -> Optional[dict]:
    """The instance type a config launches: its own, else its launch template version's."""
    type_id = config.get("InstanceType")
    if not type_id and group["LaunchTemplateId"]:
        template = resources.get(ctx, lt.KIND, group["LaunchTemplateId"])
        if template is not None:
            found = ctx.txn.get(lt.VERSION, lt.version_id(template["LaunchTemplateId"],
                                                          int(group["LaunchTemplateVersion"])))
            type_id = (found or {}).get("_args", {}).get("InstanceType")
    return instance_type(type_id)


def _zone(ctx: Context, config: Mapping[str, Any]) -> str:
    vswitch = resources.get(ctx, "vswitch", config["VSwitchId"])
    return vswitch["ZoneId"] if vswitch is not None else ""


def _ranked(ctx: Context, group: Mapping[str, Any], method: str) -> list[tuple[dict, Optional[dict], float]]:
    """The group's configs in the order its allocation strategy for ``method`` tries them, with their type and
    hourly price per unit of weight."""
    ranked = []
    for index, config in enumerate(group["LaunchTemplateConfigs"]["LaunchTemplateConfig"]):
        itype = _config_type(ctx, group, config)
        price = None
        if itype is not None:
            found = spot.prices(ctx.engine, itype, _zone(ctx, config), ctx.now)
            price = found[0 if method == apg.SPOT else 1] if found else None
        per_unit = (price if price is not None else float("inf")) / float(config["WeightedCapacity"])
        ranked.append((index, config, itype, price, per_unit))
    if method == apg.PAY_AS_YOU_GO and group["PayAsYouGoOptions"]["AllocationStrategy"] == "prioritized":
        ranked.sort(key=lambda r: (r[1].get("Priority") is None, r[1].get("Priority") or 0, r[0]))
    elif not (method == apg.SPOT and group["SpotOptions"]["AllocationStrategy"] == "diversified"):
        ranked.sort(key=lambda r: (r[4], r[0]))
    return [(config, itype, price or 0.0) for _, config, itype, price, _ in ranked]


def _spread(group: Mapping[str, Any], method: str, configs: int) -> int:
    """Over how many configs (the first, in rank order) a billing method's instances go round robin."""
    if method != apg.SPOT:
        return 1
    if group["SpotOptions"]["AllocationStrategy"] == "diversified":
        return configs
    return max(int(group["SpotOptions"].get("InstancePoolsToUseCount") or 1), 1)


def _spot_terms(group: Mapping[str, Any], config: Mapping[str, Any], method: str) -> tuple[str, Optional[float]]:
    """(SpotStrategy, SpotPriceLimit) of a config's instances: the lower of the two limits, when either is set."""
    if method != apg.SPOT:
        return "NoSpot", None
    limits = [p for p in (group.get("MaxSpotPrice"), config.get("MaxPrice")) if p]
    return ("SpotWithPriceLimit", min(limits)) if limits else ("SpotAsPriceGo", None)


def _launch_config(ctx: Context, group: Mapping[str, Any], method: str, config: Mapping[str, Any],
                   count: int) -> tuple[list[str], Optional[EcsError]]:
    """``count`` instances of a config (RunInstances calls of 100 at most): the ids launched, and the refusal that
    stopped it, if any (what was launched before it stays: each call writes only once it passed its checks)."""
    flat = {**group["_launch"], "VSwitchId": config["VSwitchId"], "InstanceChargeType": "PostPaid"}
    if config.get("InstanceType"):
        flat["InstanceType"] = config["InstanceType"]
    strategy, limit = _spot_terms(group, config, method)  # (RunInstances refuses a limit below the spot price)
    flat["SpotStrategy"] = strategy
    if limit is not None:
        flat["SpotPriceLimit"] = str(limit)
    ids: list[str] = []
    try:
        while len(ids) < count:
            ids += _run(ctx, {**flat, "Amount": str(min(MAX_LAUNCH, count - len(ids)))})
    except EcsError as error:
        return ids, error
    return ids, None


def _result(group: Mapping[str, Any], config: Mapping[str, Any], itype: Optional[dict], zone: str, method: str,
            ids: list[str], error: Optional[EcsError] = None) -> dict:
    """One LaunchResult (CreateAutoProvisioningGroup of an ``instant`` group)."""
    return {"ZoneId": zone, "InstanceType": itype["InstanceTypeId"] if itype else config.get("InstanceType") or "",
            "SpotStrategy": _spot_terms(group, config, method)[0], "Amount": len(ids),
            "InstanceIds": {"InstanceId": ids},
            "ErrorCode": error.code if error is not None else "",
            "ErrorMsg": error.message if error is not None else ""}


def deliver(ctx: Context, group: dict) -> tuple[dict, list[dict]]:
    """Launch what the group lacks of its target capacity (per billing method); the group with its new members,
    State and a history task (when anything was tried), and the LaunchResults (one per config and outcome)."""
    members = apg.live_members(ctx, group)
    wanted, have = apg.capacity_split(group["TargetCapacitySpecification"]), apg.held(members)
    results: dict[tuple, dict] = {}
    details: list[dict] = []
    for method in (apg.PAY_AS_YOU_GO, apg.SPOT):
        need = wanted[method] - have[method]
        ranked = _ranked(ctx, group, method)
        spread = _spread(group, method, len(ranked))
        active, rest = ranked[:spread], ranked[spread:]
        while need > 1e-9 and (active or rest):
            if not active:  # (the pool failed: the next configs in rank order)
                active, rest = rest[:spread], rest[spread:]
            config, itype, _ = active[0]
            weight = float(config["WeightedCapacity"])
            count = apg.instances_for(need, weight) if spread == 1 else 1  # (round robin: one at a time)
            zone = _zone(ctx, config)
            ids, error = _launch_config(ctx, group, method, config, count)
            if ids:
                members += [{"InstanceId": i, "Spot": method == apg.SPOT, "Weight": weight} for i in ids]
                need -= weight * len(ids)
                found = results.setdefault((id(config), method, ""), _result(group, config, itype, zone, method, []))
                found["InstanceIds"]["InstanceId"] += ids
                found["Amount"] += len(ids)
            if error is not None:  # (the config is done with: its capacity goes to the next)
                results[(id(config), method, error.code)] = _result(group, config, itype, zone, method, [], error)
                details.append(apg.failed_detail(error.code, error.message))
                active.pop(0)
            else:
                active.append(active.pop(0))
    launched = [i for r in results.values() if not r["ErrorCode"] for i in r["InstanceIds"]["InstanceId"]]
    if launched:
        details.insert(0, apg.launched_detail(launched))
    complete = all(apg.held(members)[m] + 1e-9 >= wanted[m] for m in wanted)
    group = {**group, "_members": members, "State": "fulfilled" if complete else "error"}
    if details:
        group = apg.with_history(group, apg.task(ctx, details, complete))
    return group, list(results.values())


def _trim(ctx: Context, group: dict) -> dict:
    """A target below what the group holds: its newest members leave it (released with ``termination``)."""
    members = apg.live_members(ctx, group)
    wanted, have = apg.capacity_split(group["TargetCapacitySpecification"]), apg.held(members)
    release = group["ExcessCapacityTerminationPolicy"] == "termination"
    leaving: list[dict] = []
    for method, spot_member in ((apg.PAY_AS_YOU_GO, False), (apg.SPOT, True)):
        excess = have[method] - wanted[method]
        for member in reversed(members):
            if excess < float(member["Weight"]) - 1e-9:
                break
            if member["Spot"] == spot_member and member not in leaving:
                leaving.append(member)
                excess -= float(member["Weight"])
    if not leaving:
        return {**group, "_members": members}
    if release:
        for member in leaving:
            _release(ctx, member["InstanceId"])
    ids = [m["InstanceId"] for m in leaving]
    group = {**group, "_members": [m for m in members if m not in leaving]}
    return apg.with_history(group, apg.task(ctx, [apg.removed_detail(ids, release)], True))


def _release(ctx: Context, instance_id: str) -> None:
    """Release a member as DeleteInstance with Force does; one it refuses (deletion protection, still Pending ...)
    only leaves the group [GUESS] (DeleteInstance's checks raise before it writes anything)."""
    record = resources.get(ctx, "instance", instance_id)
    if record is not None:
        try:
            _delete(ctx, record, True, None, "The operation is not allowed due to deletion protection.")
        except EcsError:
            pass


def settle(ctx: Context, group: dict) -> dict:
    """A group as of now (written when that changed it): a group whose ValidFrom came starts delivering; one whose
    ValidUntil passed expires (``deleted`` [GUESS], its instances released with TerminateInstancesWithExpiration,
    else only leaving it, documented); a ``maintain`` group drops its released members and delivers again what it
    lacks."""
    before = group
    members = apg.live_members(ctx, group)
    if len(members) != len(group["_members"]):  # (released since: they leave it)
        group = {**group, "_members": members}
    if group["Status"] == "submitted" and ctx.now >= _moment(group["ValidFrom"]):
        group, _ = deliver(ctx, {**group, "Status": "active"})
    if group["Status"] == "active" and ctx.now >= _moment(group["ValidUntil"]):
        group = _expire(ctx, group)
    if group["AutoProvisioningGroupType"] == "maintain" and group["Status"] == "active":
        wanted, have = apg.capacity_split(group["TargetCapacitySpecification"]), apg.held(group["_members"])
        if any(have[m] + 1e-9 < wanted[m] for m in wanted):
            group, _ = deliver(ctx, group)
    if group is not before:
        resources.put(ctx.txn, KIND, group)
    return group


def _moment(text: str) -> float:
    return resources.parse_iso(text) or 0.0


def _expire(ctx: Context, group: dict) -> dict:
    members = apg.live_members(ctx, group)
    release = bool(group["TerminateInstancesWithExpiration"])
    if release:
        for member in members:
            _release(ctx, member["InstanceId"])
    group = {**group, "Status": "deleted", "_members": []}
    ids = [m["InstanceId"] for m in members]
    return apg.with_history(group, apg.task(ctx, [apg.removed_detail(ids, release)], True)) if ids else group


def _group(ctx: Context, group_id: Optional[str]) -> dict:
    return settle(ctx, resources.owned(ctx, KIND, group_id, NOT_FOUND))


# -- the operations ------------------------------------------------------------------------------------------------
_CONFIG_FIELDS = (S("VSwitchId"), F("MaxPrice"), I("Priority"), S("InstanceType"), F("WeightedCapacity"))
_LAUNCH_CONFIGURATION = Struct("LaunchConfiguration", [
    S("ImageId"), S("ImageFamily"), S("SecurityGroupId"), Repeat("SecurityGroupIds", max_items=100),
    S("IoOptimized"), S("InternetChargeType"), I("InternetMaxBandwidthIn"), I("InternetMaxBandwidthOut"),
    S("InstanceName"), S("HostName"), Repeat("HostNames", max_items=1000), S("InstanceDescription"),
    S("KeyPairName"), S("RamRoleName"), S("SecurityEnhancementStrategy"), S("UserData"), S("SystemDiskCategory"),
    I("SystemDiskSize"), S("SystemDiskName"), S("SystemDiskDescription"), S("SystemDiskPerformanceLevel"),
    B("PasswordInherit"), S("ResourceGroupId"), S("CreditSpecification"), S("Password"), S("DeploymentSetId"),
    S("AutoReleaseTime"),
    Structs("DataDisk", [S("PerformanceLevel"), S("KmsKeyId"), S("Description"), S("SnapshotId"), I("Size"),
                         S("Device"), S("DiskName"), S("Category"), B("DeleteWithInstance"), B("Encrypted")],
            max_items=16),
    Structs("Tag", [S("Key"), S("Value")], max_items=20)])
_CAPACITIES = (S("TotalTargetCapacity"), S("PayAsYouGoTargetCapacity"), S("SpotTargetCapacity"),
               S("DefaultTargetCapacityType"))


def _capacity_spec(action: str, total: Optional[str], payg: Optional[str], spot_capacity: Optional[str],
                   default_type: Optional[str], current: Optional[Mapping[str, Any]] = None) -> dict:
    """TargetCapacitySpecification from the sent capacities (Modify: over the ``current`` ones)."""
    spec = dict(current or {"PayAsYouGoTargetCapacity": 0.0, "SpotTargetCapacity": 0.0,
                            "DefaultTargetCapacityType": apg.SPOT})
    for field, text in (("TotalTargetCapacity", total), ("PayAsYouGoTargetCapacity", payg),
                        ("SpotTargetCapacity", spot_capacity)):
        if text is None or text == "":
            continue
        value = apg.number(text)
        if value is None or value != int(value) or (field == "TotalTargetCapacity" and value < 1):
            raise BAD_CAPACITY  # (documented: positive whole numbers)
        spec[field] = float(value)
    if default_type:
        spec["DefaultTargetCapacityType"] = default_type
    if spec["PayAsYouGoTargetCapacity"] + spec["SpotTargetCapacity"] > spec["TotalTargetCapacity"]:
        raise TARGET_CAPACITY[action]
    return spec


def _configs(ctx: Context, configs: Optional[list[dict]], from_template: bool) -> list[dict]:
    if not configs:
        raise NO_CONFIGS
    if len(configs) > MAX_CONFIGS:
        raise TOO_MANY_CONFIGS
    out = []
    for config in configs:
        if not config["v_switch_id"]:
            raise missing_parameter("LaunchTemplateConfig.N.VSwitchId")
        if not resources.is_mine(ctx, resources.get(ctx, "vswitch", config["v_switch_id"])):
            raise VSWITCH_NOT_FOUND
        if config["instance_type"] and instance_type(config["instance_type"]) is None or \
                not config["instance_type"] and not from_template:
            raise BAD_TYPE  # (LaunchConfiguration names no type: each config must)
        weight = 1.0 if config["weighted_capacity"] is None else config["weighted_capacity"]  # [GUESS] default 1
        if not weight > 0:
            raise BAD_WEIGHT
        if config["max_price"] is not None and not config["max_price"] > 0:
            raise BAD_PRICE
        out.append({"InstanceType": config["instance_type"] or "", "VSwitchId": config["v_switch_id"],
                    "WeightedCapacity": weight, "MaxPrice": config["max_price"] or 0.0,
                    "Priority": config["priority"] if config["priority"] is not None else 0})
    return out


def _valid_time(text: Optional[str], default: float) -> float:
    if not text:
        return default
    found = resources.parse_iso(text.strip())
    if found is None:
        raise BAD_VALID_TIME
    return found


@operation("CreateAutoProvisioningGroup", S("ResourceGroupId"), S("AutoProvisioningGroupName"),
           S("AutoProvisioningGroupType", default="maintain"), S("SpotAllocationStrategy", default="lowest-price"),
           S("SpotInstanceInterruptionBehavior", default="terminate"), I("SpotInstancePoolsToUseCount"),
           S("PayAsYouGoAllocationStrategy", default="lowest-price"),
           S("ExcessCapacityTerminationPolicy", default="no-termination"), S("ValidFrom"), S("ValidUntil"),
           B("TerminateInstancesWithExpiration", default=False), B("TerminateInstances", default=False),
           F("MaxSpotPrice"), S("TotalTargetCapacity", required=True), *_CAPACITIES[1:], S("LaunchTemplateId"),
           S("LaunchTemplateVersion"), S("Description"), _LAUNCH_CONFIGURATION,
           Structs("LaunchTemplateConfig", _CONFIG_FIELDS, max_items=100), S("MinTargetCapacity"), TAGS,
           idempotent=True, mapping=True)
def create_auto_provisioning_group(ctx: Context, a: dict) -> dict:
    _check_choices(a)
    name = a["auto_provisioning_group_name"]
    if name and not validation.valid_instance_name(name):
        raise BAD_NAME
    if a["description"] and not validation.valid_description(a["description"]):
        raise BAD_DESCRIPTION
    spec = _capacity_spec(ctx.action, a["total_target_capacity"], a["pay_as_you_go_target_capacity"],
                          a["spot_target_capacity"], a["default_target_capacity_type"])
    if a["max_spot_price"] is not None and not a["max_spot_price"] > 0:
        raise BAD_PRICE
    configs = _configs(ctx, a["launch_template_config"], bool(a["launch_template_id"]))
    pools = a["spot_instance_pools_to_use_count"]
    if pools is not None and not 1 <= pools <= len(configs):
        raise BAD_POOLS  # documented: fewer than the configs [GUESS: at most as many]
    valid_from = _valid_time(a["valid_from"], ctx.now)
    valid_until = _valid_time(a["valid_until"], resources.parse_iso(NEVER) or 0.0)
    if valid_until <= valid_from:
        raise BAD_VALID_TIME
    base = _launch_base(ctx, a)
    tags = resources.tags_from_args(a["tag"])
    group_id = resources.new_id(KIND, ctx.region)
    record = {
        "AutoProvisioningGroupId": group_id, "AutoProvisioningGroupName": name or group_id,
        "AutoProvisioningGroupType": a["auto_provisioning_group_type"], "Status": "active", "State": "fulfilled",
        "CreationTime": resources.iso(ctx.now), "RegionId": ctx.region,
        "ValidFrom": resources.iso(valid_from), "ValidUntil": resources.iso(valid_until),
        "TerminateInstances": a["terminate_instances"],
        "TerminateInstancesWithExpiration": a["terminate_instances_with_expiration"],
        "MaxSpotPrice": a["max_spot_price"] or 0.0,
        "LaunchTemplateId": base.get("LaunchTemplateId", ""), "LaunchTemplateVersion": base.get(
            "LaunchTemplateVersion", ""),
        "ExcessCapacityTerminationPolicy": a["excess_capacity_termination_policy"],
        "ResourceGroupId": resource_groups.resolve(ctx, a["resource_group_id"], BAD_RESOURCE_GROUP),
        "LaunchTemplateConfigs": {"LaunchTemplateConfig": configs},
        "SpotOptions": {"AllocationStrategy": a["spot_allocation_strategy"],
                        "InstanceInterruptionBehavior": a["spot_instance_interruption_behavior"],
                        "InstancePoolsToUseCount": pools or 1},
        "PayAsYouGoOptions": {"AllocationStrategy": a["pay_as_you_go_allocation_strategy"]},
        "TargetCapacitySpecification": spec, "Tags": {"Tag": tags},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_description": a["description"] or "",
        "_launch": base, "_members": [], "_history": [],
    }
    results: list[dict] = []
    if valid_from > ctx.now:  # (delivered from ValidFrom on: see settle)
        record = {**record, "Status": "submitted", "State": "pending-fulfillment"}
    else:
        record, results = deliver(ctx, record)
    resources.put(ctx.txn, KIND, record)
    answer: dict = {"AutoProvisioningGroupId": group_id}
    if record["AutoProvisioningGroupType"] == "instant":  # documented: only instant groups answer them
        answer["LaunchResults"] = {"LaunchResult": results}
    return answer


@operation("DescribeAutoProvisioningGroups", paging.PAGE_NUMBER, paging.PAGE_SIZE, S("AutoProvisioningGroupName"),
           S("ResourceGroupId"), Repeat("AutoProvisioningGroupId", max_items=100),
           Repeat("AutoProvisioningGroupStatus", max_items=10), TAGS)
def describe_auto_provisioning_groups(ctx: Context, page_number: int, page_size: int,
                                      auto_provisioning_group_name: Optional[str], resource_group_id: Optional[str],
                                      auto_provisioning_group_id: Optional[list[str]],
                                      auto_provisioning_group_status: Optional[list[str]],
                                      tag: Optional[list[dict]]) -> dict:
    name, statuses = auto_provisioning_group_name, set(auto_provisioning_group_status or ())
    wanted_tags = tag_filter(tag)
    if name and not validation.valid_instance_name(name):
        raise DESCRIBE_BAD_NAME
    if paging.unfiltered(locals()):  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region), page_number,
                                         page_size, None, None)
        total = meta["TotalCount"]
    else:
        narrower = [resources.tag_term(t["key"], t["value"]) if t.get("value") else ("tagkey", t["key"])
                    for t in wanted_tags]
        found = [r for r in resources.mine_among(ctx, KIND, auto_provisioning_group_id,
                                                 resource_groups.term(resource_group_id) if resource_group_id else
                                                 None, *narrower)
                 if (not name or r["AutoProvisioningGroupName"] == name)
                 and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
                 and resources.match_tags(r, wanted_tags)]
        if statuses:  # (as of now: a group whose ValidFrom or ValidUntil passed changes its Status when settled)
            found = [g for g in (settle(ctx, r) for r in found) if g["Status"] in statuses]
        found.sort(key=lambda r: (r["_created"], r["AutoProvisioningGroupId"]))
        page, total = paging.by_number(found, page_number, page_size), len(found)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "AutoProvisioningGroups": {"AutoProvisioningGroup": [apg.view(settle(ctx, dict(r))) for r in page]}}


_BY_GROUP = S("AutoProvisioningGroupId", required=True, missing=(
    "MissingParameter", 'The specified parameter "AutoProvisioningGroupId" should not be null.', 400))


@operation("DescribeAutoProvisioningGroupInstances", paging.PAGE_NUMBER, paging.PAGE_SIZE, _BY_GROUP)
def describe_auto_provisioning_group_instances(ctx: Context, page_number: int, page_size: int,
                                               auto_provisioning_group_id: str) -> dict:
    group = _group(ctx, auto_provisioning_group_id)
    members = group["_members"]
    page = paging.by_number(members, page_number, page_size)
    records = resources.get_many(ctx, "instance", [m["InstanceId"] for m in page])
    items = [_instance_view(member, record) for member, record in zip(page, records) if record is not None]
    return {"TotalCount": len(members), "PageNumber": page_number, "PageSize": page_size,
            "Instances": {"Instance": items}}


def _instance_view(member: Mapping[str, Any], record: Mapping[str, Any]) -> dict:
    return {"InstanceId": record["InstanceId"], "Status": record["Status"], "CreationTime": record["CreationTime"],
            "IsSpot": bool(member["Spot"]), "CPU": int(record["Cpu"]), "Memory": int(record["Memory"]),
            "InstanceType": record["InstanceType"], "RegionId": record["RegionId"], "ZoneId": record["ZoneId"],
            "NetworkType": record.get("InstanceNetworkType") or "vpc", "IoOptimized": bool(record["IoOptimized"]),
            "OsType": record.get("OSType") or "linux"}


BAD_PERIOD = error_kind("InvalidParameter.periodTime", "The format of startTime or endTime is invalid.")


@operation("DescribeAutoProvisioningGroupHistory", paging.PAGE_NUMBER, paging.PAGE_SIZE, _BY_GROUP, S("StartTime"),
           S("EndTime"))
def describe_auto_provisioning_group_history(ctx: Context, page_number: int, page_size: int,
                                             auto_provisioning_group_id: str, start_time: Optional[str],
                                             end_time: Optional[str]) -> dict:
    bounds = []
    for text in (start_time, end_time):
        moment = resources.parse_iso(text.strip()) if text else None
        if text and moment is None:
            raise BAD_PERIOD
        bounds.append(moment)
    group = _group(ctx, auto_provisioning_group_id)
    low, high = bounds
    tasks = [t for t in reversed(group["_history"])  # newest first [GUESS]
             if (low is None or (resources.parse_iso(t["StartTime"]) or 0) >= low)
             and (high is None or (resources.parse_iso(t["StartTime"]) or 0) <= high)]
    return {"TotalCount": len(tasks), "PageNumber": page_number, "PageSize": page_size,
            "AutoProvisioningGroupHistories": {
                "AutoProvisioningGroupHistory": list(paging.by_number(tasks, page_number, page_size))}}


@operation("ModifyAutoProvisioningGroup", S("AutoProvisioningGroupId"), S("ExcessCapacityTerminationPolicy"),
           B("TerminateInstancesWithExpiration"), F("MaxSpotPrice"), *_CAPACITIES,
           S("AutoProvisioningGroupName"), Structs("LaunchTemplateConfig", _CONFIG_FIELDS, max_items=100),
           mapping=True)
def modify_auto_provisioning_group(ctx: Context, a: dict) -> dict:
    if not a["auto_provisioning_group_id"]:  # (not required by the metadata, but documented so)
        raise EcsError("MissingParameter", 'The specified parameter "AutoProvisioningGroupId" should not be null.', 400)
    _check_choices(a)
    name = a["auto_provisioning_group_name"]
    if name and not validation.valid_instance_name(name):
        raise MODIFY_BAD_NAME
    if a["max_spot_price"] is not None and not a["max_spot_price"] > 0:
        raise MODIFY_BAD_PRICE
    group = _group(ctx, a["auto_provisioning_group_id"])
    if group["Status"] not in ("active", "submitted"):
        raise INCORRECT_STATUS
    spec = _capacity_spec(ctx.action, a["total_target_capacity"], a["pay_as_you_go_target_capacity"],
                          a["spot_target_capacity"], a["default_target_capacity_type"],
                          group["TargetCapacitySpecification"])
    changed: dict[str, Any] = {"TargetCapacitySpecification": spec}
    if a["launch_template_config"]:  # [GUESS] the sent list replaces the group's
        changed["LaunchTemplateConfigs"] = {"LaunchTemplateConfig": _configs(ctx, a["launch_template_config"],
                                                                             bool(group["LaunchTemplateId"]))}
    for field, value in (("AutoProvisioningGroupName", name),
                         ("ExcessCapacityTerminationPolicy", a["excess_capacity_termination_policy"]),
                         ("TerminateInstancesWithExpiration", a["terminate_instances_with_expiration"]),
                         ("MaxSpotPrice", a["max_spot_price"])):
        if value is not None and value != "":
            changed[field] = value
    group = _trim(ctx, {**group, **changed})
    if group["AutoProvisioningGroupType"] == "maintain" and group["Status"] == "active":
        group, _ = deliver(ctx, group)
    resources.put(ctx.txn, KIND, group)
    return {}


@operation("DeleteAutoProvisioningGroup", _BY_GROUP, B("TerminateInstances"))
def delete_auto_provisioning_group(ctx: Context, auto_provisioning_group_id: str,
                                   terminate_instances: Optional[bool]) -> dict:
    group = resources.owned(ctx, KIND, auto_provisioning_group_id, NOT_FOUND)
    terminate = group["TerminateInstances"] if terminate_instances is None else terminate_instances
    if terminate:  # (documented default: the group's own TerminateInstances)
        for member in apg.live_members(ctx, group):
            _release(ctx, member["InstanceId"])
    resources.delete(ctx.txn, KIND, auto_provisioning_group_id)
    return {}


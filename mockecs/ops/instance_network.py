"""ModifyInstanceVpcAttribute: a stopped VPC instance moves its primary network interface to another vSwitch (of its
zone), takes another private address, or moves to another VPC with new security groups (what Terraform's
``alicloud_instance`` calls when ``vswitch_id``, ``private_ip`` or ``vpc_id`` change).

The documented rules modelled: the instance is Stopped, in a VPC, not locked for security; it has no secondary ENI
attached, no IPv6 address and one private address on its primary ENI; the vSwitch is Available, in the instance's
zone and in its VPC (or the VpcId asked, which then needs SecurityGroupId.N of that VPC and only then); a new
instance must have started once, and after a change the instance must start again before the next one (both
answered ``InvalidPrivateIp.Changing`` [GUESS: the code says "previous action is not finished yet"]). Load
balancers, HaVips, GA, traffic mirroring and shared VPCs are not modelled.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import INSTANCE_NOT_FOUND
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.params import Repeat, S
from mockecs.world import interfaces, ipv6, networks, resources

NOT_VPC = error_kind("OperationDenied", "Specified operation is denied as your instance is not in VPC.", 400)
LOCKED = error_kind("OperationDenied", "The Specified operation is denied as your instance is locked for security "
                    "reasons.", 403)
NOT_STOPPED = error_kind("IncorrectInstanceStatus", "The current status of instance does not support this operation.",
                         400)
CHANGING = error_kind("InvalidPrivateIp.Changing", "Previous action is not finished yet.", 400)
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.", 404)
VSWITCH_STATUS = error_kind("IncorrectVSwitchStatus",
                            "The current status of virtual switch does not support this operation.", 400)
OTHER_ZONE = error_kind("InvalidVSwitchId.Mismatch", "Specified instance and virtual switch are not in the same zone.",
                        400)
OTHER_ZONE_NEW_VPC = error_kind("InvalidOperation.VswAndEcsAvailabilityZoneMismatch",
                                "Specified instance and virtual switch are not in the same zone.", 403)
NOT_IN_VPC = error_kind("InvalidVSwitch.NotBelongToVpc", "The specified virtual switch does not belong to the VPC.",
                        404)  # (documented message "%s": written out [GUESS])
SAME_VPC = error_kind("InvalidParameter.AlreadyInTargetVpc", "The specified instance is already in the destination "
                      "VPC.", 404)
MUST_BE_EMPTY = error_kind("InvalidParameter.MustBeEmpty",
                           "The specified parameter SecurityGroupId.N and VpcId need be empty.", 404)
GROUP_NOT_FOUND = error_kind("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.", 404)
GROUP_REPEATED = error_kind("InvalidParameter.SecurityGroupIdRepeated", "The specified SecurityGroupId is repeated.",
                            404)
GROUP_CLASSIC = error_kind("InvalidSecurityGroupType.NotSupportClassic",
                           "The specified SecurityGroupIds have classic group type.", 404)
GROUP_OTHER_VPC = error_kind("InvalidSecurityGroupVpc.NotBelongToOneVpc",
                             "The specified SecurityGroupIds are belong to different vpc.", 404)
HAS_ENI = error_kind("InvalidInstance.AttachedEni", "The Specified operation is denied due to elastic network "
                     "interface.", 404)
HAS_IPV6 = error_kind("InvalidIp.Ipv6Assigned", "The specified instance has been assigned IPv6 address.", 403)
MANY_IPS = error_kind("PrimaryEniHasSubIp",
                      "Primary network interface of the specified instance has more than one private ip.", 400)
# The address allocator's codes (mockecs.world.networks.allocate) -> this operation's documented ones
ADDRESS_ERRORS = {
    "InvalidPrivateIpAddress.Malformed": error_kind("InvalidPrivateIpAddress.Malformed",
                                                    "Specified private IP address is malformed.", 400),
    "InvalidPrivateIpAddress": error_kind("InvalidPrivateIpAddress.Mismatch",
                                          "Specified private IP address is not in the CIDR block of virtual switch.",
                                          400),
    "InvalidPrivateIpAddress.Duplicated": error_kind("InvalidPrivateIpAddress.Duplicated",
                                                     "Specified private IP address is duplicated.", 400),
    "QuotaExceeded.PrivateIpAddress": error_kind("InvalidParameter.NotEnoughIpInVSwitch",
                                                 "The specified virtual switch has not enough available ip.", 404),
}
_BY_INSTANCE = {"region": "optional", "region_of": resources.region_from("instance_id")}


def locked_for_security(instance: Mapping[str, Any]) -> bool:
    """Whether the instance carries a ``security`` operation lock (its ``OperationLocks``)."""
    return any(lock.get("LockReason") == "security" for lock in instance["OperationLocks"]["LockReason"])


def _check_instance(ctx: Context, instance: Mapping[str, Any]) -> dict:
    """The instance's primary ENI record, once the instance may move (the documented refusals)."""
    vpc = instance.get("VpcAttributes") or {}
    if not vpc.get("VSwitchId"):
        raise NOT_VPC
    if locked_for_security(instance):
        raise LOCKED
    if instance["Status"] != "Stopped":
        raise NOT_STOPPED
    if not instance.get("StartTime") or instance.get("_vpc_changed"):  # (never started, or not since the last move)
        raise CHANGING
    entries = instance["NetworkInterfaces"]["NetworkInterface"]
    if len(entries) > 1:
        raise HAS_ENI
    primary = resources.get(ctx, interfaces.KIND, entries[0]["NetworkInterfaceId"]) if entries else None
    if primary is None:  # pragma: no cover - instances launched before ENI records existed
        raise NOT_VPC
    if ipv6.addresses(primary):
        raise HAS_IPV6
    if len(primary["PrivateIpSets"]["PrivateIpSet"]) > 1:
        raise MANY_IPS
    return primary


def _groups(ctx: Context, group_ids: list[str], vpc_id: str) -> list[str]:
    if len(set(group_ids)) != len(group_ids):
        raise GROUP_REPEATED
    for group_id in group_ids:
        group = resources.owned(ctx, "security_group", group_id, GROUP_NOT_FOUND)
        if not group.get("VpcId"):
            raise GROUP_CLASSIC
        if group["VpcId"] != vpc_id:
            raise GROUP_OTHER_VPC
    return group_ids


def _new_address(ctx: Context, vswitch: dict, wanted: Optional[str]) -> str:
    """A free address of ``vswitch`` (``wanted`` if given), the vSwitch's allocator moved on and stored."""
    try:
        vswitch, [ip] = networks.allocate(ctx, networks.RUN, vswitch, 1, wanted)
    except EcsError as err:
        mapped = ADDRESS_ERRORS.get(err.code)
        if mapped is None:
            raise
        raise mapped from None
    resources.put(ctx.txn, "vswitch", vswitch)
    return ip


@operation("ModifyInstanceVpcAttribute", S("InstanceId", required=True), S("VSwitchId", required=True),
           S("PrivateIpAddress"), S("VpcId"), Repeat("SecurityGroupId"), **_BY_INSTANCE)
def modify_instance_vpc_attribute(ctx: Context, instance_id: str, v_switch_id: str, private_ip_address: Optional[str],
                                  vpc_id: Optional[str], security_group_id: Optional[list[str]]) -> dict:
    instance = resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)
    primary = _check_instance(ctx, instance)
    current = instance["VpcAttributes"]
    vswitch = resources.owned(ctx, "vswitch", v_switch_id, VSWITCH_NOT_FOUND)
    if vswitch["Status"] != "Available":
        raise VSWITCH_STATUS
    groups = None
    if vpc_id:
        if vpc_id == current["VpcId"]:
            raise SAME_VPC
        if vswitch["VpcId"] != vpc_id:
            raise NOT_IN_VPC
        if vswitch["ZoneId"] != instance["ZoneId"]:
            raise OTHER_ZONE_NEW_VPC
        if not security_group_id:
            raise missing_parameter("SecurityGroupId.N")
        groups = _groups(ctx, list(security_group_id), vpc_id)
    else:
        if security_group_id:
            raise MUST_BE_EMPTY
        if vswitch["VpcId"] != current["VpcId"]:
            raise NOT_IN_VPC
        if vswitch["ZoneId"] != instance["ZoneId"]:
            raise OTHER_ZONE
    old_ip = current["PrivateIpAddress"]["IpAddress"][0]
    wanted = private_ip_address.strip() if private_ip_address else None
    if v_switch_id == current["VSwitchId"] and wanted in (None, old_ip):
        return {}  # (its own vSwitch and address: nothing changes)
    ip = _new_address(ctx, vswitch, wanted)
    networks.give_back(ctx, current["VSwitchId"], [old_ip])
    sets = {"PrivateIpSet": [{**s, "PrivateIpAddress": ip} for s in primary["PrivateIpSets"]["PrivateIpSet"]]}
    resources.put(ctx.txn, interfaces.KIND, {**primary, "VSwitchId": v_switch_id, "VpcId": vswitch["VpcId"],
                                             "PrivateIpAddress": ip, "PrivateIpSets": sets})
    entry = instance["NetworkInterfaces"]["NetworkInterface"][0]
    moved = {**instance, "_vpc_changed": True,
             "VpcAttributes": {**current, "VpcId": vswitch["VpcId"], "VSwitchId": v_switch_id,
                               "PrivateIpAddress": {"IpAddress": [ip]}},
             "NetworkInterfaces": {"NetworkInterface": [{
                 **entry, "PrimaryIpAddress": ip, "PrivateIpSets": {"PrivateIpSet": [
                     {**s, "PrivateIpAddress": ip} for s in entry["PrivateIpSets"]["PrivateIpSet"]]}}]}}
    if groups is not None:
        moved["SecurityGroupIds"] = {"SecurityGroupId": groups}
    resources.put(ctx.txn, "instance", moved)
    return {}

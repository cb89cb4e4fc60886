"""DescribeInstanceAttribute, ModifyInstanceAttribute, DescribeUserData.

DescribeInstanceAttribute and ModifyInstanceAttribute declare no RegionId: they find the
instance by id wherever it lives. UserData is kept on the instance record (``_user_data``)
exactly as RunInstances / CreateInstance / ModifyInstanceAttribute received it (Base64).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.instances import INCORRECT_STATUS, get_instance
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, I, Repeat, S, Struct
from mockecs.world import images, interfaces, launch, networks, resources, validation
from mockecs.world.instance_types import TOPOLOGY_TYPES, instance_type

_BY_INSTANCE = {"region": "optional", "region_of": resources.region_from("instance_id")}
# Fields DescribeInstanceAttribute answers as DescribeInstances keeps them.
_SAME = ("ClusterId", "Cpu", "CreationTime", "CreditSpecification", "Description", "ExpiredTime", "HostName",
         "ImageId", "InstanceChargeType", "InstanceId", "InstanceName", "InstanceNetworkType", "InstanceType",
         "InternetChargeType", "InternetMaxBandwidthIn", "InternetMaxBandwidthOut", "Memory", "RegionId",
         "SerialNumber", "Status", "StoppedMode", "VlanId", "ZoneId")
_VPC_FIELDS = ("NatIpAddress", "PrivateIpAddress", "VSwitchId", "VpcId")
_EIP_FIELDS = ("AllocationId", "Bandwidth", "InternetChargeType", "IpAddress")
CREDIT_SPECIFICATIONS = ("Standard", "Unlimited")
BURSTABLE_FAMILIES = ("ecs.t5", "ecs.t6")

SG_NOT_FOUND = error_kind("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.", 404)
SG_REPEATED = error_kind("InvalidParameter.SecurityGroupIdRepeated", "The specified security group ids has repeated.",
                         404)
SG_OTHER_VPC = error_kind("InvalidSecurityGroupVpc.NotBelongToOneVpc",
                          "The specified SecurityGroupIds are belong to different vpc.", 404)
JUMBO_STATUS = error_kind("InvalidOperation.InstanceStatusNotSupport",
                          "The instance status is not support modify mtu config.")
NO_JUMBO_FRAMES = error_kind("InvalidParam.NotSupportJumboFrame", "Not support jumbo frame.")  # (the type's)
USER_DATA_CLASSIC = error_kind("InvalidUserData.NotSupported",  # (sic: "TThe")
                               'TThe specified parameter "UserData" only support the vpc and IoOptimized Instance.')
NOT_POSTPAID = error_kind("InvalidChargeType.ValueNotSupported",
                          "Deletion protection is only valid for postPaid instance, not for prePaid or spot instance.",
                          403)
RECYCLE_BIN = error_kind("InvalidParameter.RecycleBin", "You do not have permission to set recyclable properties.",
                         400)
TYPE_NOT_SUPPORTED = error_kind("InstanceType.ValueNotSupported", "The instance type not supported.", 400)
INVALID = error_kind("InvalidParameter", "The specified parameter is not valid.", 400)
TOPOLOGY_STATUS = error_kind("InvalidOperation.InstanceStatusUnsupported",
                             "The specified instance status does not support modification of cpu topology type.", 400)


def attribute_view(record: Mapping[str, Any]) -> dict:
    """An instance record in the shape of DescribeInstanceAttribute's answer."""
    vpc = record.get("VpcAttributes") or {}
    eip = record.get("EipAddress") or {}
    jumbo = bool(record.get("_jumbo_frame"))
    host = record.get("DedicatedHostAttribute") if isinstance(record.get("DedicatedHostAttribute"), dict) else {}
    return {
        **{name: record[name] for name in _SAME if name in record},
        "IoOptimized": "optimized" if record.get("IoOptimized", True) else "none",
        "InnerIpAddress": {"IpAddress": list((record.get("InnerIpAddress") or {}).get("IpAddress") or ())},
        "PublicIpAddress": {"IpAddress": list((record.get("PublicIpAddress") or {}).get("IpAddress") or ())},
        "SecurityGroupIds": {"SecurityGroupId": list((record.get("SecurityGroupIds") or {}).get("SecurityGroupId")
                                                     or ())},
        "VpcAttributes": {name: vpc[name] for name in _VPC_FIELDS if name in vpc},
        "EipAddress": {name: eip[name] for name in _EIP_FIELDS if name in eip},
        "OperationLocks": {"LockReason": [{"LockReason": lock.get("LockReason", "")} for lock in
                                          (record.get("OperationLocks") or {}).get("LockReason") or ()]},
        "DedicatedHostAttribute": {name: str(host.get(name) or "")
                                   for name in ("DedicatedHostId", "DedicatedHostName")},
        "EnableJumboFrame": jumbo, "EnableNetworkEncryption": False,
        "NetworkOptions": {"BandwidthWeighting": "", "EnableJumboFrame": jumbo, "EnableNetworkEncryption": False},
        "SecurityOptions": {"EnableSecureBoot": False},
    }


@operation("DescribeInstanceAttribute", S("InstanceId", required=True), **_BY_INSTANCE, memo=True)
def describe_instance_attribute(ctx: Context, instance_id: str) -> dict:
    return attribute_view(get_instance(ctx, instance_id))


@operation("DescribeUserData", S("InstanceId", required=True))
def describe_user_data(ctx: Context, instance_id: str) -> dict:
    record = get_instance(ctx, instance_id)
    return {"InstanceId": record["InstanceId"], "RegionId": record["_region"], "UserData": record.get("_user_data", "")}


def _security_groups(ctx: Context, record: Mapping[str, Any], group_ids: list[str]) -> list[str]:
    """The groups the instance joins instead of its current ones: each the caller's, in one VPC."""
    if len(set(group_ids)) != len(group_ids):
        raise SG_REPEATED
    groups = []
    for group_id in group_ids:
        kind = resources.kind_of(group_id)
        group = resources.owned(ctx, kind, group_id, SG_NOT_FOUND) if kind else None
        if group is None:
            raise SG_NOT_FOUND
        groups.append(group)
    vpcs = {group.get("VpcId") or "" for group in groups}
    instance_vpc = (record.get("VpcAttributes") or {}).get("VpcId") or ""
    if len(vpcs) > 1 or (instance_vpc and vpcs and vpcs != {instance_vpc}):
        raise SG_OTHER_VPC
    networks.check_group_types(groups, "ModifyInstanceAttribute")
    joined = set((record.get("SecurityGroupIds") or {}).get("SecurityGroupId") or ())
    networks.check_group_room(ctx, [g for g in groups if g["SecurityGroupId"] not in joined], 1,
                              "ModifyInstanceAttribute")
    return group_ids


@operation("ModifyInstanceAttribute",
           S("InstanceId", required=True), S("Password"), S("HostName"), S("InstanceName"), S("Description"),
           S("UserData"), B("Recyclable"), S("CreditSpecification"), B("DeletionProtection"),
           I("NetworkInterfaceQueueNumber", min=-1, error=interfaces.BAD_QUEUE_NUMBER),
           Repeat("SecurityGroupIds", max_items=16), B("EnableJumboFrame"),
           Struct("CpuOptions", [S("TopologyType")]), **_BY_INSTANCE)
def modify_instance_attribute(ctx: Context, instance_id: str, password: Optional[str], host_name: Optional[str],
                              instance_name: Optional[str], description: Optional[str], user_data: Optional[str],
                              recyclable: Optional[bool], credit_specification: Optional[str],
                              deletion_protection: Optional[bool], network_interface_queue_number: Optional[int],
                              security_group_ids: Optional[list[str]], enable_jumbo_frame: Optional[bool],
                              cpu_options: dict) -> dict:
    if network_interface_queue_number == 0:  # (-1: back to the type's default [GUESS: the documented minimum])
        raise EcsError(*interfaces.BAD_QUEUE_NUMBER)
    record = get_instance(ctx, instance_id)
    validation.check_instance_settings(ctx.action, record.get("OSType") == "windows", instance_name, description,
                                       host_name, password, user_data)
    changes: dict[str, Any] = {}
    if instance_name:
        changes["InstanceName"] = instance_name
    if description is not None:
        changes["Description"] = description
    if host_name:
        # Documented: not while the instance is being created or started (the new name would not apply).
        if record["Status"] in ("Pending", "Starting"):
            raise INCORRECT_STATUS
        changes["HostName"] = host_name
    if user_data is not None:
        if user_data and record.get("InstanceNetworkType") == "classic" and \
                ctx.config.options["classic_network_checks"]:
            raise USER_DATA_CLASSIC
        launch.check_cloud_init(images.get_any(ctx, record.get("ImageId")) if user_data else None, user_data)
        # [GUESS] per the user guide, user data changes only on a stopped instance.
        if record["Status"] != "Stopped":
            raise INCORRECT_STATUS
        changes["_user_data"] = user_data
    if recyclable:
        raise RECYCLE_BIN
    if credit_specification:
        if credit_specification not in CREDIT_SPECIFICATIONS:
            raise INVALID
        if not record["InstanceType"].startswith(BURSTABLE_FAMILIES):
            raise TYPE_NOT_SUPPORTED
        changes["CreditSpecification"] = credit_specification
    if deletion_protection is not None:
        if record.get("InstanceChargeType") != "PostPaid" or record.get("SpotStrategy", "NoSpot") != "NoSpot":
            raise NOT_POSTPAID
        changes["DeletionProtection"] = deletion_protection
    if security_group_ids:
        changes["SecurityGroupIds"] = {"SecurityGroupId": _security_groups(ctx, record, security_group_ids)}
    topology = cpu_options.get("topology_type")
    if topology:
        if topology not in TOPOLOGY_TYPES:
            raise EcsError("InvalidParameter.CpuOptionsTopologyType",
                           f"The specified parameter CpuOptions.TopologyType: {topology} is not valid.", 400)
        if record["Status"] != "Stopped":
            raise TOPOLOGY_STATUS
        changes["CpuOptions"] = {**record["CpuOptions"], "TopologyType": topology}
    if enable_jumbo_frame is not None:
        if record["Status"] not in ("Running", "Stopped"):
            raise JUMBO_STATUS
        if enable_jumbo_frame and not (instance_type(record["InstanceType"]) or {}).get("JumboFrameSupport"):
            raise NO_JUMBO_FRAMES
        changes["_jumbo_frame"] = enable_jumbo_frame
    primary = _primary_queues(ctx, record, network_interface_queue_number) \
        if network_interface_queue_number is not None else None
    if changes:
        resources.put(ctx.txn, "instance", {**record, **changes})
    if primary is not None:
        resources.put(ctx.txn, interfaces.KIND, primary)
    return {}


QUEUES_TOO_MANY = error_kind("InvalidOperation.ExceedInstanceTypeQueueNumber", "The queue number of the primary "
                             "network interface exceeds what the instance type allows per network interface "
                             "(MaximumQueueNumberPerEni).", 403)  # (documented "%s")


def _primary_queues(ctx: Context, record: Mapping[str, Any], queues: int) -> Optional[dict]:
    """The instance's primary ENI with NetworkInterfaceQueueNumber ``queues`` (-1: the type's default), checked as
    ModifyNetworkInterfaceAttribute checks it: the instance Stopped [GUESS: its rule for an attached ENI], within the
    type's MaximumQueueNumberPerEni; None for a classic instance (no ENI) [GUESS]."""
    entries = (record.get("NetworkInterfaces") or {}).get("NetworkInterface") or ()
    eni_id = next((e["NetworkInterfaceId"] for e in entries if e.get("Type", "Primary") == "Primary"), None)
    eni = resources.get(ctx, interfaces.KIND, eni_id) if eni_id else None
    if eni is None:
        return None
    if queues > int((instance_type(record["InstanceType"]) or {}).get("MaximumQueueNumberPerEni") or queues):
        raise QUEUES_TOO_MANY
    if record["Status"] != "Stopped":
        raise INCORRECT_STATUS
    return {**eni, "QueueNumber": max(queues, 0)}

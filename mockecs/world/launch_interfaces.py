"""RunInstances' ``NetworkInterface.N``: network interfaces described at launch.

At most two entries (documented): one primary, one secondary. The primary stands for the launch's own network
parameters (its VSwitchId for ``VSwitchId``, its SecurityGroupId(s) for ``SecurityGroupId(s)``, PrimaryIpAddress
for ``PrivateIpAddress``, its IPv6 for ``Ipv6Address.N`` / ``Ipv6AddressCount``; naming both is refused) and adds
its traffic mode and queues to the primary ENI. The secondary is created with each instance in the instance's
vSwitch and groups unless it names its own (or is an existing ENI, ``NetworkInterfaceId``, attached with a single
instance) and attached at device index 1; DeleteOnRelease (default true, documented) decides whether it goes with
the instance. Terraform's ``alicloud_instance`` sends them when an instance sets ``network_interface_traffic_mode``,
``network_interface_id`` or ``network_interfaces``.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.wire.errors import error_kind, missing_parameter
from mockecs.world import instance_types, interfaces, networks, resources
from mockecs.world.context import Context

TRAFFIC_MODES = ("Standard", "HighPerformance")
ENI_TYPES = ("Primary", "Secondary")
# The codes RunInstances documents; their messages are "%s" in the metadata [GUESS: the wording].
TOO_MANY = error_kind("InvalidParameter.EniNumExceededWithLaunchEcs",
                      "At most one primary and one secondary network interface can be specified at launch.", 403)
BAD_TYPE = error_kind("InvalidParameter.EniType",
                      "The specified NetworkInterface.N.InstanceType is not valid or repeated.", 403)
CONFLICT = error_kind("InvalidParam.NetworkInterface",
                      "The primary NetworkInterface.N cannot be specified with the same top-level parameter.", 400)
NOT_ON_SECONDARY = error_kind("InvalidParameter.NetworkInterface",
                              "IPv6 addresses can be specified for the primary network interface only.", 403)
EXISTING_PRIMARY = error_kind("InvalidOperation.InvalidNetworkInterfaceId",
                              "An existing network interface can be attached as a secondary one only.", 403)
PRIMARY_IP_SIZE = error_kind("InvalidPrimaryIpAddress.SizeInvalid",
                             "The NetworkInterface PrimaryIpAddress is used to create only one instance.", 400)
SECONDARY_IP = error_kind("InvalidParam.SecondaryNetworkInterface",
                          "When min amount greater than 1 and the PrivateIpAddress or Primary NetworkInterface is "
                          "specified,the Secondary NetworkInterface IP parameter cannot be specified.", 400)
BAD_MODE = error_kind("InvalidParameter.EniTrafficMode",
                      "The ENI traffic mode is set incorrectly, it must be Standard or HighPerformance.", 403)
NO_ERI = error_kind("InvalidOperation.HighPerformanceEniPerInstanceLimitExceeded",
                    "The instance type does not support network interfaces in HighPerformance mode.", 403)
QUEUE_PAIRS = error_kind("InvalidParameter.QueuePairNumberMustEmpty",
                         "QueuePairNumber can be specified for a HighPerformance network interface only.", 403)
BAD_CARD = error_kind("InvalidParameter.NetworkInterface",
                      "The specified NetworkCardIndex is not supported by the instance type.", 403)
NO_SECONDARY = error_kind("InvalidParameter.EniNumExceededWithLaunchEcs",
                          "The instance type does not support a secondary network interface.", 403)
# NetworkInterfaceQueueNumber / NetworkInterface.N.QueueNumber: at least 1 (interfaces.BAD_QUEUE_NUMBER), at most the
# type's MaximumQueueNumberPerEni (documented; the message is "%s" in the metadata [GUESS: the wording]).
# NetworkInterface.N.SecondaryPrivateIpAddressCount: the addresses an ENI holds (its primary one included) within the
# type's EniPrivateIpAddressQuantity (the message is "%s" in the metadata [GUESS: the wording]).
TOO_MANY_IPS = error_kind("InvalidOperation.Ipv4CountExceeded", "The private IPv4 addresses of the network "
                          "interface would exceed what the instance type allows (EniPrivateIpAddressQuantity).", 403)
BAD_IP_COUNT = ("InvalidParam.IpCount", "The parameter of ip count is invalid.", 403)
TOO_MANY_QUEUES = error_kind("InvalidOperation.ExceedInstanceTypeQueueNumber", "The queue number of the network "
                             "interface exceeds what the instance type allows per network interface "
                             "(MaximumQueueNumberPerEni).", 403)
ENI_NOT_FOUND = error_kind("InvalidEniId.NotFound", "The specified NetworkInterfaceId does not exist.", 403)
ENI_UNUSABLE = error_kind("InvalidOperation.InvalidNetworkInterfaceId",
                          "The specified network interface is not an available secondary one, or the launch "
                          "creates more than one instance.", 403)
ELSEWHERE = error_kind("InvalidParameter.VSwitchId", "The vSwitch of the secondary network interface is not in "
                       "the VPC and zone of the instance.", 400)
GROUP_ELSEWHERE = error_kind("OperationDenied.InconsistentNetwork",
                             "The specified security group and vswitch are not in the same vpc.", 403)
# The primary entry's fields -> the launch argument each stands for.
_PRIMARY_ARGS = {"v_switch_id": "v_switch_id", "primary_ip_address": "private_ip_address",
                 "ipv6_address": "ipv6_address", "ipv6_address_count": "ipv6_address_count"}


def _check_entry(entry: Mapping[str, Any], primary: bool) -> None:
    """What an entry may not say, whatever the instance type."""
    mode = entry.get("network_interface_traffic_mode")
    if mode is not None and mode not in TRAFFIC_MODES:
        raise BAD_MODE
    if entry.get("queue_pair_number") and mode != "HighPerformance":
        raise QUEUE_PAIRS
    if entry.get("network_card_index") not in (None, 0):  # (the catalog's types have one network card each)
        raise BAD_CARD
    if not primary and (entry.get("ipv6_address") or entry.get("ipv6_address_count")):
        raise NOT_ON_SECONDARY
    interfaces.check_queue_sizes(entry.get("tx_queue_size"), entry.get("rx_queue_size"))


def fold(args: dict, amount: int) -> tuple[dict, Optional[dict], dict]:
    """(launch arguments with the primary entry folded in, the secondary entry or None, the primary ENI's own
    fields: traffic mode, queues). Raises before any write."""
    entries = args.get("network_interface") or []
    queues = args.get("network_interface_queue_number")  # (the primary ENI's, when no entry says)
    if not entries:
        if not queues:
            return args, None, {}
        _check_type_room(args.get("instance_type"), (queues, None))
        return args, None, {"QueueNumber": queues}
    if len(entries) > 2:
        raise TOO_MANY
    kinds = [entry.get("instance_type") or "Secondary" for entry in entries]
    if any(kind not in ENI_TYPES for kind in kinds) or len(set(kinds)) != len(kinds):
        raise BAD_TYPE
    by_kind = dict(zip(kinds, entries))
    primary, secondary = by_kind.get("Primary"), by_kind.get("Secondary")
    extra: dict = {}
    if primary is not None:
        _check_entry(primary, True)
        if primary.get("network_interface_id"):
            raise EXISTING_PRIMARY
        args = dict(args)
        for field, arg in _PRIMARY_ARGS.items():
            if primary.get(field):
                if args.get(arg):
                    raise CONFLICT
                args[arg] = primary[field]
        groups = primary.get("security_group_ids") or ([primary["security_group_id"]]
                                                        if primary.get("security_group_id") else [])
        if groups:
            if args.get("security_group_id") or args.get("security_group_ids"):
                raise CONFLICT
            args["security_group_ids"] = groups
        if not args.get("v_switch_id"):
            raise missing_parameter("VSwitchId")
        if primary.get("primary_ip_address") and amount > 1:
            raise PRIMARY_IP_SIZE
        if primary.get("queue_number") and queues:  # (documented: one or the other)
            raise CONFLICT
        extra = {k: v for k, v in (("NetworkInterfaceTrafficMode", primary.get("network_interface_traffic_mode")),
                                   ("QueueNumber", primary.get("queue_number") or queues),
                                   ("SourceDestCheck", primary.get("source_dest_check")),
                                   ("_secondary_ips", primary.get("secondary_private_ip_address_count"))) if v}
    elif queues:
        extra = {"QueueNumber": queues}
    if secondary is not None:
        _check_entry(secondary, False)
        if secondary.get("primary_ip_address") and amount > 1:
            raise SECONDARY_IP
        if secondary.get("network_interface_id") and amount > 1:
            raise ENI_UNUSABLE
    other = secondary or {}
    _check_type_room(args.get("instance_type"), (extra.get("QueueNumber"), extra.get("_secondary_ips")),
                     (other.get("queue_number"), other.get("secondary_private_ip_address_count")))
    return args, secondary, extra


def _check_type_room(type_id: Optional[str], *enis: tuple[Optional[int], Optional[int]]) -> None:
    """Each ENI's (queue number, secondary private addresses) within what the type allows per ENI (an unknown type is
    refused later, as such)."""
    itype = instance_types.instance_type(type_id) if type_id else None
    if itype is None:
        return
    most = int(itype.get("MaximumQueueNumberPerEni") or 0)
    if most and max(queues or 0 for queues, _ in enis) > most:
        raise TOO_MANY_QUEUES
    if 1 + max(ips or 0 for _, ips in enis) > int(itype.get("EniPrivateIpAddressQuantity") or 1):
        raise TOO_MANY_IPS


def _check_type(instance: Mapping[str, Any], mode: Optional[str], secondary: bool) -> None:
    itype = instance_types.instance_type(instance["InstanceType"]) or {}
    if secondary and int(itype.get("EniQuantity") or 1) < 2:
        raise NO_SECONDARY
    if mode == "HighPerformance" and not int(itype.get("EriQuantity") or 0):
        raise NO_ERI


def set_primary(ctx: Context, instance: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
    """The primary ENI of a new instance with the traffic mode and queues its NetworkInterface.N asked for."""
    _check_type(instance, fields.get("NetworkInterfaceTrafficMode"), False)
    eni_id = instance["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"]
    record = resources.get(ctx, interfaces.KIND, eni_id)
    if record is not None:
        count = fields.get("_secondary_ips") or 0
        record = resources.put(ctx.txn, interfaces.KIND, {**record, **{k: v for k, v in fields.items()
                                                                      if k != "_secondary_ips"}})
        if count:
            _add_addresses(ctx, record, count)


def _add_addresses(ctx: Context, record: Mapping[str, Any], count: int) -> dict:
    """``count`` secondary private addresses more for the ENI ``record`` (and its instance's entry), from its
    vSwitch."""
    vswitch = resources.get(ctx, "vswitch", record["VSwitchId"])
    if vswitch is None:  # pragma: no cover - a launch's vSwitch exists
        raise networks.VSWITCH_NOT_FOUND
    vswitch, ips = networks.allocate(ctx, networks.RUN, vswitch, count, None, interfaces.addresses(record))
    resources.put(ctx.txn, "vswitch", vswitch)
    return interfaces.readdressed(ctx, record, record["PrivateIpSets"]["PrivateIpSet"] + [
        {"PrivateIpAddress": ip, "Primary": False} for ip in ips])


def add_secondary(ctx: Context, instance: Mapping[str, Any], entry: Mapping[str, Any]) -> dict:
    """The secondary ENI of a new instance: an existing one attached, or one created in its vSwitch (the
    instance's unless named) and groups (the instance's unless named); the instance lists it. Returns it."""
    mode = entry.get("network_interface_traffic_mode")
    _check_type(instance, mode, True)
    vpc = instance["VpcAttributes"]
    if not vpc.get("VSwitchId"):
        raise missing_parameter("VSwitchId")
    if entry.get("network_interface_id"):
        record = resources.get(ctx, interfaces.KIND, entry["network_interface_id"])
        if not resources.is_mine(ctx, record):
            raise ENI_NOT_FOUND
        if record["Type"] != "Secondary" or record["Status"] != "Available":
            raise ENI_UNUSABLE
        if record["VpcId"] != vpc["VpcId"] or record["ZoneId"] != instance["ZoneId"]:
            raise ELSEWHERE
        record = {**record, "Status": "InUse", "InstanceId": instance["InstanceId"], "DeviceIndex": 1}
    else:
        vswitch = resources.get(ctx, "vswitch", entry.get("v_switch_id") or vpc["VSwitchId"])
        if not resources.is_mine(ctx, vswitch):
            raise networks.VSWITCH_NOT_FOUND
        if vswitch["VpcId"] != vpc["VpcId"] or vswitch["ZoneId"] != instance["ZoneId"]:
            raise ELSEWHERE
        groups = entry.get("security_group_ids") or ([entry["security_group_id"]] if entry.get("security_group_id")
                                                     else list(instance["SecurityGroupIds"]["SecurityGroupId"]))
        for group_id in groups:
            group = resources.get(ctx, "security_group", group_id)
            if not resources.is_mine(ctx, group):
                raise networks.SECURITY_GROUP_NOT_FOUND[networks.RUN]
            if group.get("VpcId") != vswitch["VpcId"]:
                raise GROUP_ELSEWHERE
        vswitch, ips = networks.allocate(ctx, networks.RUN, vswitch,
                                         1 + (entry.get("secondary_private_ip_address_count") or 0),
                                         entry.get("primary_ip_address"))
        resources.put(ctx.txn, "vswitch", vswitch)
        eni_id = resources.new_id(interfaces.KIND, ctx.region)
        record = interfaces.new_record(
            ctx, eni_id, "Secondary", vswitch, ips, networks.mac_address(eni_id),
            Status="InUse", InstanceId=instance["InstanceId"], DeviceIndex=1,
            NetworkInterfaceName=entry.get("network_interface_name") or "",
            Description=entry.get("description") or "", SecurityGroupIds={"SecurityGroupId": list(groups)},
            QueueNumber=entry.get("queue_number") or 0,
            DeleteOnRelease=entry.get("delete_on_release") is not False,  # (documented default: true)
            NetworkInterfaceTrafficMode=mode or interfaces.TRAFFIC_MODE,
            **({"SourceDestCheck": True} if entry.get("source_dest_check") else {}),
            ResourceGroupId=instance.get("ResourceGroupId", ""))
    record = resources.put(ctx.txn, interfaces.KIND, record)
    resources.put(ctx.txn, "instance", interfaces.with_entries(instance, lambda e: True, interfaces.entry(record)))
    if entry.get("network_interface_id") and entry.get("secondary_private_ip_address_count"):
        record = _add_addresses(ctx, record, entry["secondary_private_ip_address_count"])  # (an existing ENI's)
    return record


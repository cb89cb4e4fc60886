"""Elastic network interfaces: CreateNetworkInterface, DescribeNetworkInterfaces, DescribeNetworkInterfaceAttribute,
AttachNetworkInterface, DetachNetworkInterface, DeleteNetworkInterface, ModifyNetworkInterfaceAttribute (the
records: :mod:`mockecs.world.interfaces`). What footmark's ``ali_eni`` and ``ali_eni_info`` call.

Changes take effect at once (Available after creation and detaching, InUse after attaching: the service's
Attaching/Detaching are not shown). The codes are the metadata's; where it documents two for one case (an
instance not found: InvalidEcsId.NotFound 404 and InvalidInstanceId.NotFound 403) the first is answered.
IPv6 addresses come from the vSwitch's IPv6 /64 (:mod:`mockecs.world.ipv6`). IPv4/IPv6 prefixes, trunking and the
RDMA traffic mode are not modelled (their parameters are not declared: a call with them is answered as without
them; AssignPrivateIpAddresses and the IPv6 actions refuse prefixes).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional, Sequence

from mockecs.ops.instances import tag_filter
from mockecs.ops.registry import Context, operation
from mockecs.state.store import Term, text_term
from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.params import TAGS, B, I, Repeat, S
from mockecs.world import (
    eips,
    havips,
    instance_clock,
    instance_types,
    interface_permissions,
    interfaces,
    ipv6,
    networks,
    paging,
    resource_groups,
    resources,
    validation,
)

KIND = interfaces.KIND
MAX_GROUPS = 5  # security groups an ENI joins (the documented default quota)
MAX_SECONDARY_IPS = 49
TRAFFIC_MODES = ("Standard", "HighPerformance")


ENI_NOT_FOUND = error_kind("InvalidEniId.NotFound", "The specified NetworkInterfaceId does not exist.", 404)
ECS_NOT_FOUND = error_kind("InvalidEcsId.NotFound", "The specified InstanceId does not exist.", 404)
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.", 404)
GROUP_NOT_FOUND = error_kind("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.", 404)
GROUP_NOT_VPC = error_kind("InvalidSecurityGroupId.NotVpc", "The specified security group is not of the VPC type.",
                           403)
VPC_MISMATCH = error_kind("InvalidOperation.VpcMismatch",
                          "The specified resources do not belong to the same VPC.", 403)
ZONE_MISMATCH = error_kind("InvalidOperation.AvailabilityZoneMismatch",
                           "The network interface and the instance are not in the same zone.", 403)
SINGLE_AND_MULTI = error_kind("InvalidSecurityGroupId.SingleIdAndMultiIdConflict",
                              "SecurityGroupId and SecurityGroupIds.N cannot be specified at the same time.", 400)
GROUP_REPEATED = error_kind("InvalidParameter.SecurityGroupIdRepeated", "The specified security groups are repeated.",
                            400)
TOO_MANY_GROUPS = error_kind("JoinedGroupLimitExceed",
                             f"A network interface can join at most {MAX_GROUPS} security groups.", 400)
BAD_NAME = error_kind("InvalidParams.NetworkInterfaceName", "The specified NetworkInterfaceName is not valid.", 403)
BAD_DESCRIPTION = error_kind("InvalidParameter", 'The specified parameter "Description" is not valid.', 400)
BAD_TRAFFIC_MODE = error_kind("InvalidParameter.EniTrafficMode", "The ENI traffic mode is set incorrectly, it must be "
                              "either Standard or HighPerformance.", 403)
NO_TRUNKING = error_kind("InvalidOperation.TrunkingIsNotAllowed", "Trunk network interfaces are not allowed.", 403)
BAD_ENI_TYPE = error_kind("InvalidOperation.InvalidEniType",
                          "The operation is not allowed on a primary network interface.", 403)
ENI_STATE = error_kind("InvalidOperation.InvalidEniState",
                       "The current status of the network interface does not support this operation.", 400)
ECS_STATE = error_kind("InvalidOperation.InvalidEcsState",
                       "The current status of the instance does not support this operation.", 400)
CLASSIC_INSTANCE = error_kind("InvalidInstance.NetworkType", "The instance is not in a VPC.", 403)
TOO_MANY_ENIS = error_kind("EniPerInstanceLimitExceeded",
                           "The number of network interfaces attached to the instance reached its type's limit.", 403)
NOT_ATTACHED_THERE = error_kind("InvalidParameter.EniNotBelongEcs",
                                "The network interface is not attached to the specified instance.", 400)
PRIMARY_DETACH = error_kind("InvalidOperation.DetachPrimaryEniNotAllowed",
                            "The primary network interface cannot be detached.", 400)
PRIMARY_ONLY_NAME = error_kind("InvalidOperation.PrimaryEniOnlySupportModifyNameAndDesc",
                               "Primary NetworkInterface is only allowed to modify name and description.", 404)
IPS_CONFLICT = error_kind("InvalidParameter.Conflict", "PrivateIpAddress.N and SecondaryPrivateIpAddressCount cannot "
                          "be specified at the same time.", 400)
TOO_MANY_IPS = error_kind("MaxEniPrivateIpsCountExceeded",
                          f"A network interface holds at most {MAX_SECONDARY_IPS + 1} private addresses.", 403)
NO_ADDRESSES = error_kind("QuotaExceeded.PrivateIpAddress", "There is no enough private ip in the specified VSwitch.",
                          400)
TOO_MANY_QUEUES = error_kind("InvalidOperation.ExceedInstanceTypeQueueNumber",
                             "The QueueNumber of the network interface exceeds what the instance type allows per "
                             "network interface (MaximumQueueNumberPerEni).", 403)
BAD_CARD_INDEX = error_kind("InvalidParameter.NetworkCardIndexInvalid",
                            "Invalid network card index, please check instance type.", 400)
ATTACH_IPV4_COUNT = error_kind("InvalidOperation.Ipv4CountExceeded", "The network interface holds more private IPv4 "
                               "addresses than the instance type allows per network interface "
                               "(EniPrivateIpAddressQuantity).", 403)
ATTACH_IPV6_TYPE = error_kind("InvalidOperation.Ipv6NotSupport", "The instance type does not support IPv6 addresses "
                              "and the network interface holds some.", 403)
ATTACH_IPV6_COUNT = error_kind("InvalidOperation.Ipv6CountExceeded", "The number of IPv6 supported by the current "
                               "instance type has reached the upper limit.", 400)
QUEUE_STATE = error_kind("InvalidOperation.InvalidEniState", "Available status or ECS instance attached is Stopped "
                         "is allowed to modify network interface queue number.", 403)
# The launch's address errors (mockecs.world.networks.allocate) -> this operation's documented ones.
ADDRESS_ERRORS = {
    "InvalidPrivateIpAddress.Malformed": error_kind("InvalidIp.Address", "The specified IP address is not valid.", 403),
    "InvalidPrivateIpAddress": error_kind("InvalidVSwitchId.IpInvalid",
                                          "The specified IP address is not in the CIDR block of the vSwitch.", 403),
    "QuotaExceeded.PrivateIpAddress": NO_ADDRESSES,
}


def _eni(ctx: Context, eni_id: str) -> dict:
    return resources.owned(ctx, KIND, eni_id, ENI_NOT_FOUND)


def _check_text(name: Optional[str], description: Optional[str]) -> None:
    if name is not None and not validation.valid_instance_name(name):
        raise BAD_NAME
    if description is not None and not validation.valid_description(description):
        raise BAD_DESCRIPTION


def _groups(ctx: Context, group_ids: list[str], vpc_id: str, action: str = "", joined: Sequence[str] = ()) -> list[str]:
    """The security groups an ENI joins: the caller's, of its VPC, each once, at most MAX_GROUPS (of one type for
    ``action`` CreateNetworkInterface: the one documenting it), each advanced one with room for one more ENI unless
    it is among those the ENI is ``joined`` to."""
    if len(set(group_ids)) != len(group_ids):
        raise GROUP_REPEATED
    if len(group_ids) > MAX_GROUPS:
        raise TOO_MANY_GROUPS
    groups = []
    for group_id in group_ids:
        group = resources.owned(ctx, "security_group", group_id, GROUP_NOT_FOUND)
        if not group["VpcId"]:
            raise GROUP_NOT_VPC
        if group["VpcId"] != vpc_id:
            raise VPC_MISMATCH
        groups.append(group)
    if action:
        networks.check_group_types(groups, action)
    networks.check_group_room(ctx, [g for g in groups if g["SecurityGroupId"] not in joined], 1,
                              action or "ModifyNetworkInterfaceAttribute")
    return group_ids


def _addresses(ctx: Context, vswitch: dict, wanted: list[Optional[str]], count: int,
               errors: Mapping[str, type[EcsError]] = ADDRESS_ERRORS) -> list[str]:
    """Addresses taken from the vSwitch (stored with its allocator moved on): each of ``wanted`` (None: any free
    one) checked and taken on its own, then ``count`` free ones. The allocator's codes are answered as ``errors``
    maps them (the launch's codes otherwise)."""
    ips: list[str] = []
    try:
        for ip in wanted:
            vswitch, got = networks.allocate(ctx, networks.CREATE, vswitch, 1, ip, ips)
            ips += got
        if count:
            vswitch, got = networks.allocate(ctx, networks.CREATE, vswitch, count, None, ips)
            ips += got
    except EcsError as err:
        mapped = errors.get(err.code)
        if mapped is None:
            raise
        raise mapped from None
    if len(set(ips)) != len(ips):
        raise networks.ADDRESS_TAKEN[networks.CREATE]
    resources.put(ctx.txn, "vswitch", vswitch)
    return ips


# -- CreateNetworkInterface ---------------------------------------------------------------------
@operation("CreateNetworkInterface", S("VSwitchId", required=True), S("PrimaryIpAddress"), S("SecurityGroupId"),
           Repeat("SecurityGroupIds"), S("NetworkInterfaceName"), S("Description"), S("InstanceType"),
           I("SecondaryPrivateIpAddressCount"), Repeat("PrivateIpAddress"),
           I("QueueNumber", min=1, max=2048, error=interfaces.BAD_QUEUE_NUMBER), S("NetworkInterfaceTrafficMode"),
           B("DeleteOnRelease"), S("ResourceGroupId"), TAGS,
           Repeat("Ipv6Address"), I("Ipv6AddressCount", min=1), I("TxQueueSize"), I("RxQueueSize"), idempotent=True)
def create_network_interface(ctx: Context, v_switch_id: str, primary_ip_address: Optional[str],
                             security_group_id: Optional[str], security_group_ids: Optional[list[str]],
                             network_interface_name: Optional[str], description: Optional[str],
                             instance_type: Optional[str], secondary_private_ip_address_count: Optional[int],
                             private_ip_address: Optional[list[str]], queue_number: Optional[int],
                             network_interface_traffic_mode: Optional[str], delete_on_release: Optional[bool],
                             resource_group_id: Optional[str], tag: Optional[list[dict]],
                             ipv6_address: Optional[list[str]], ipv6_address_count: Optional[int],
                             tx_queue_size: Optional[int], rx_queue_size: Optional[int]) -> dict:
    if security_group_id and security_group_ids:
        raise SINGLE_AND_MULTI
    if not security_group_id and not security_group_ids:
        raise missing_parameter("SecurityGroupId")
    if instance_type and instance_type != "Secondary":
        raise NO_TRUNKING
    if network_interface_traffic_mode and network_interface_traffic_mode not in TRAFFIC_MODES:
        raise BAD_TRAFFIC_MODE
    _check_text(network_interface_name, description)
    interfaces.check_queue_sizes(tx_queue_size, rx_queue_size)  # [GUESS: checked, not kept: no answer shows them]
    count = secondary_private_ip_address_count or 0
    if private_ip_address and count:
        raise IPS_CONFLICT
    if not 0 <= count <= MAX_SECONDARY_IPS or len(private_ip_address or ()) > MAX_SECONDARY_IPS:
        raise TOO_MANY_IPS
    wanted6 = ipv6.asked(CREATE_IPV6, ipv6_address, ipv6_address_count)
    count6 = ipv6_address_count or 0
    if (wanted6 or count6) and network_interface_traffic_mode == "HighPerformance":
        raise IPV6_TRAFFIC_MODE
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    vswitch = resources.owned(ctx, "vswitch", v_switch_id, VSWITCH_NOT_FOUND)
    if vswitch["Status"] != "Available":
        raise networks.VSWITCH_STATUS
    groups = _groups(ctx, [security_group_id] if security_group_id else list(security_group_ids or ()),
                     vswitch["VpcId"], "CreateNetworkInterface")
    eni_id = resources.new_id(KIND, ctx.region)
    v6 = _new_ipv6(ctx, CREATE_IPV6, {"VSwitchId": v_switch_id, "NetworkInterfaceId": eni_id},
                   ipv6.MAX_AVAILABLE, wanted6, count6) if wanted6 or count6 else []
    ips = _addresses(ctx, vswitch, [primary_ip_address, *(private_ip_address or ())], count)
    record = resources.put(ctx.txn, KIND, interfaces.new_record(
        ctx, eni_id, "Secondary", vswitch, ips, networks.mac_address(eni_id),
        NetworkInterfaceName=network_interface_name or "", Description=description or "",
        SecurityGroupIds={"SecurityGroupId": groups}, QueueNumber=queue_number or 0,
        DeleteOnRelease=bool(delete_on_release), ResourceGroupId=group, Tags={"Tag": tags},
        NetworkInterfaceTrafficMode=network_interface_traffic_mode or interfaces.TRAFFIC_MODE,
        **({"Ipv6Sets": ipv6.sets(v6)} if v6 else {})))
    view = _view(ctx, record)
    # (its address sets carry only PrivateIpAddress and Primary: the response model's)
    return {**{key: view[key] for key in _CREATED},
            "PrivateIpSets": {"PrivateIpSet": [dict(s) for s in record["PrivateIpSets"]["PrivateIpSet"]]}}


# Fields CreateNetworkInterface answers (its response model), in the order DescribeNetworkInterfaces shows them
_CREATED = ("Description", "PrivateIpAddress", "ResourceGroupId", "ServiceManaged", "NetworkInterfaceId", "Ipv6Sets",
            "OwnerId", "Tags", "Status", "ZoneId", "VSwitchId", "NetworkInterfaceName", "MacAddress",
            "SecurityGroupIds", "ServiceID", "SourceDestCheck", "Type", "VpcId", "Ipv6PrefixSets", "Ipv4PrefixSets")


def _view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """An ENI as DescribeNetworkInterfaces answers it (the order of an answer captured from the service); a
    primary ENI shows its instance's security groups and EIP."""
    groups = record["SecurityGroupIds"]["SecurityGroupId"]
    public = {"PublicIpAddress": "", "AllocationId": ""}
    queues = record.get("QueueNumber") or 0
    instance = (resources.get(ctx, "instance", record["InstanceId"]) or {}) if record["InstanceId"] else {}
    if record["Type"] == "Primary":
        groups = (instance.get("SecurityGroupIds") or {}).get("SecurityGroupId") or []
        eip = instance.get("EipAddress") or {}
        if eip.get("IpAddress"):
            public = {"PublicIpAddress": eip["IpAddress"], "AllocationId": eip.get("AllocationId", "")}
    else:  # a secondary ENI's own EIP (the VPC API's InstanceType NetworkInterface)
        held = eips.holder(ctx, record["NetworkInterfaceId"])
        if held is not None and held.get("PrivateIpAddress"):
            public = {"PublicIpAddress": held["IpAddress"], "AllocationId": held["AllocationId"]}
    if instance and not queues:  # (unset: the instance type's default for its primary or secondary ENIs)
        itype = instance_types.instance_type(instance.get("InstanceType")) or {}
        queues = int(itype.get(f"{record['Type']}EniQueueNumber") or 0)
    attached = record["Type"] != "Primary" and record["InstanceId"]
    return {
        "Description": record["Description"], "PrivateIpAddress": record["PrivateIpAddress"],
        "DeleteOnRelease": record["DeleteOnRelease"], "ResourceGroupId": record["ResourceGroupId"],
        "ServiceManaged": False,
        # (the service's answer for a primary ENI leaves the attachment's instance empty)
        "Attachment": {"InstanceId": record["InstanceId"] if attached else "",
                       "DeviceIndex": record.get("DeviceIndex", 0), "NetworkCardIndex": 0,
                       "TrunkNetworkInterfaceId": ""},
        "NetworkInterfaceId": record["NetworkInterfaceId"], "Ipv6Sets": ipv6.sets(ipv6.addresses(record)),
        "OwnerId": record["_owner"], "AssociatedPublicIp": public, "Tags": {"Tag": resources.tags_of(record)},
        "Status": record["Status"], "NetworkInterfaceTrafficMode": record["NetworkInterfaceTrafficMode"],
        "ZoneId": record["ZoneId"], "InstanceId": record["InstanceId"], "VSwitchId": record["VSwitchId"],
        "NetworkInterfaceName": record["NetworkInterfaceName"], "MacAddress": record["MacAddress"],
        "SecurityGroupIds": {"SecurityGroupId": list(groups)}, "ServiceID": 0,
        "SourceDestCheck": record.get("SourceDestCheck", False),
        "Type": record["Type"], "QueueNumber": queues, "QueuePairNumber": 0, "VpcId": record["VpcId"],
        "Ipv6PrefixSets": {"Ipv6PrefixSet": []}, "CreationTime": record["CreationTime"],
        "Ipv4PrefixSets": {"Ipv4PrefixSet": []},
        "PrivateIpSets": {"PrivateIpSet": [
            {"PrivateDnsName": "", "PrivateIpAddress": s["PrivateIpAddress"],
             "AssociatedPublicIp": public if s["Primary"] else {"PublicIpAddress": "", "AllocationId": ""},
             "Primary": s["Primary"]} for s in record["PrivateIpSets"]["PrivateIpSet"]]},
    }


# -- DescribeNetworkInterfaces ------------------------------------------------------------------
def _narrowest(ctx: Context, a: Mapping[str, Any], tags: list[dict]) -> list[Optional[Term]]:
    scope = f"{ctx.account}|{ctx.region}"
    ips = [a["primary_ip_address"]] if a["primary_ip_address"] else list(a["private_ip_address"] or ())[:1]
    ips = ips or [ipv6.canonical(ip) or ip for ip in a["ipv6_address"] or ()][:1]  # (the same term)
    return [("instance", a["instance_id"]) if a["instance_id"] else None,
            ("vswitch", a["v_switch_id"]) if a["v_switch_id"] else None,
            ("vpc", a["vpc_id"]) if a["vpc_id"] else None,
            ("security_group", a["security_group_id"]) if a["security_group_id"] else None,
            interfaces.ip_term(ctx, ips[0]) if ips else None,
            interfaces.type_term(ctx, a["type"]) if a["type"] else None,
            interfaces.status_term(ctx, a["status"]) if a["status"] else None,
            resource_groups.term(a["resource_group_id"]) if a["resource_group_id"] else None,
            text_term("eni_name", scope, a["network_interface_name"])
            if a["network_interface_name"] else None]


def _matches(record: Mapping[str, Any], a: Mapping[str, Any], tags: list[dict]) -> bool:
    ips = set(interfaces.addresses(record))
    return not ((a["instance_id"] and record["InstanceId"] != a["instance_id"])
                or (a["v_switch_id"] and record["VSwitchId"] != a["v_switch_id"])
                or (a["vpc_id"] and record["VpcId"] != a["vpc_id"])
                or (a["security_group_id"] and (record["Type"] == "Primary" or a["security_group_id"] not in
                                                record["SecurityGroupIds"]["SecurityGroupId"]))
                or (a["primary_ip_address"] and record["PrivateIpAddress"] != a["primary_ip_address"])
                or (a["private_ip_address"] and not set(a["private_ip_address"]) <= ips)
                or (a["ipv6_address"] and not {ipv6.canonical(ip) for ip in a["ipv6_address"]} <= set(
                    ipv6.addresses(record)))
                or (a["type"] and record["Type"] != a["type"])
                or (a["status"] and record["Status"] != a["status"])
                or (a["resource_group_id"] and record["ResourceGroupId"] != a["resource_group_id"])
                or (a["network_interface_name"] and record["NetworkInterfaceName"] != a["network_interface_name"])
                or (a["service_managed"] is True)
                or not resources.match_tags(record, tags))


@operation("DescribeNetworkInterfaces", Repeat("NetworkInterfaceId", max_items=100), S("InstanceId"),
           S("VSwitchId"), S("VpcId"), S("PrimaryIpAddress"), Repeat("PrivateIpAddress", max_items=100),
           Repeat("Ipv6Address", max_items=100),
           S("SecurityGroupId"), S("NetworkInterfaceName"), S("Type"), S("Status"), B("ServiceManaged"),
           S("ResourceGroupId"), TAGS, paging.PAGE_NUMBER, I("PageSize", default=10, min=1, max=1000),
           S("NextToken"), I("MaxResults"), mapping=True)
def describe_network_interfaces(ctx: Context, a: dict) -> dict:
    # MaxResults: below 10 reads as 10, above 500 as 500 (documented)
    max_results = None if a["max_results"] is None else min(max(a["max_results"], 10), 500)
    tags = tag_filter(a["tag"])
    instance_clock.settle_due(ctx)  # (an instance released by the mock clock took or left its ENIs)
    if paging.unfiltered(a):
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                         a["page_number"], a["page_size"], a["next_token"], max_results)
    else:
        matches = [r for r in resources.mine_among(ctx, KIND, a["network_interface_id"],
                                                   *_narrowest(ctx, a, tags), tags=tags)
                   if _matches(r, a, tags)]
        matches.sort(key=resources.ORDER[KIND])
        start, size, meta = paging.bounds(a["page_number"], a["page_size"], a["next_token"], max_results,
                                          len(matches))
        page = matches[start:start + size]
    return {**meta, "NetworkInterfaceSets": {"NetworkInterfaceSet": [_view(ctx, r) for r in page]}}


# -- DescribeNetworkInterfaceAttribute ------------------------------------------------------------
ATTRIBUTES = ("attachment",)  # the one documented value (a trunk ENI's members: none here, as trunking is not)
BAD_ATTRIBUTE = error_kind("InvalidParameter", "The specified parameter Attribute is not valid.", 400)
# The documented defaults of an ENI's connection tracking (seconds), which mockecs does not let change
CONNECTION_TRACKING = {"TcpEstablishedTimeout": 910, "TcpClosedAndTimeWaitTimeout": 3, "UdpTimeout": 30}


@operation("DescribeNetworkInterfaceAttribute", S("NetworkInterfaceId", required=True), S("Attribute"))
def describe_network_interface_attribute(ctx: Context, network_interface_id: str, attribute: Optional[str]) -> dict:
    """One ENI as DescribeNetworkInterfaces shows it, with every field of the SDK's response model: those of
    features mockecs does not model (bonding, QoS, enhanced networking, trunking) empty or off."""
    if attribute is not None and attribute not in ATTRIBUTES:
        raise BAD_ATTRIBUTE
    view = _view(ctx, _eni(ctx, network_interface_id))
    return {
        **{k: v for k, v in view.items() if k not in ("PrivateIpSets", "Attachment")},
        "Attachment": {**view["Attachment"], "MemberNetworkInterfaceIds": {"MemberNetworkInterfaceId": []}},
        # (this answer's address sets have no PrivateDnsName: its model's)
        "PrivateIpSets": {"PrivateIpSet": [{k: v for k, v in s.items() if k != "PrivateDnsName"}
                                           for s in view["PrivateIpSets"]["PrivateIpSet"]]},
        "NetworkInterfaceTrafficConfig": {"NetworkInterfaceTrafficMode": view["NetworkInterfaceTrafficMode"],
                                          "QueueNumber": view["QueueNumber"], "QueuePairNumber": 0},
        "ConnectionTrackingConfiguration": dict(CONNECTION_TRACKING),
        "EnhancedNetwork": {"EnableRss": False, "EnableSriov": False, "EnableExpress": False,
                            "VirtualFunctionQuantity": 0, "VirtualFunctionTotalQueueNumber": 0},
        "QoSConfig": {"EnableQoS": False, "QoS": {"BandwidthRx": 0, "BandwidthTx": 0, "ConcurrentConnections": 0,
                                                  "PpsRx": 0, "PpsTx": 0}},
        "BondInterfaceSpecification": {"BondMode": "", "SlaveInterfaceSpecification": {
            "SlaveInterfaceSpecificationSet": []}},
        "SlaveInterfaceSpecification": {"SlaveNetworkInterfaceId": "", "WorkState": "", "BondNetworkInterfaceId": ""},
        "TcpOptionAddressEnabled": "",
    }


# -- Attach / Detach ----------------------------------------------------------------------------
def _instance(ctx: Context, instance_id: str) -> dict:
    instance = resources.owned(ctx, "instance", instance_id, ECS_NOT_FOUND)
    if instance["Status"] not in ("Running", "Stopped"):
        raise ECS_STATE
    return instance


@operation("AttachNetworkInterface", S("NetworkInterfaceId", required=True), S("InstanceId", required=True),
           I("NetworkCardIndex"))
def attach_network_interface(ctx: Context, network_interface_id: str, instance_id: str,
                             network_card_index: Optional[int]) -> dict:
    record = _eni(ctx, network_interface_id)
    instance = _instance(ctx, instance_id)
    if record["Type"] == "Primary":
        raise BAD_ENI_TYPE
    if record["Status"] != "Available":
        raise ENI_STATE
    if network_card_index not in (None, 0):
        raise BAD_CARD_INDEX
    vpc = instance.get("VpcAttributes") or {}
    if not vpc.get("VpcId"):
        raise CLASSIC_INSTANCE
    if vpc["VpcId"] != record["VpcId"]:
        raise VPC_MISMATCH
    if instance["ZoneId"] != record["ZoneId"]:
        raise ZONE_MISMATCH
    attached = instance["NetworkInterfaces"]["NetworkInterface"]
    itype = instance_types.instance_type(instance["InstanceType"]) or {}
    if len(attached) >= int(itype.get("EniQuantity") or 1):
        raise TOO_MANY_ENIS
    if record["QueueNumber"] > int(itype.get("MaximumQueueNumberPerEni") or record["QueueNumber"]):
        raise TOO_MANY_QUEUES
    if len(record["PrivateIpSets"]["PrivateIpSet"]) > int(itype.get("EniPrivateIpAddressQuantity") or 1):
        raise ATTACH_IPV4_COUNT  # (an Available ENI may hold up to 50: AssignPrivateIpAddresses)
    ipv6.check_held(ipv6.quota(itype), len(ipv6.addresses(record)), ATTACH_IPV6_TYPE, ATTACH_IPV6_COUNT)
    used = {r.get("DeviceIndex") for r in resources.get_many(ctx, KIND, [e["NetworkInterfaceId"] for e in attached])
            if r is not None}
    index = next(i for i in range(1, len(attached) + 2) if i not in used)
    record = resources.put(ctx.txn, KIND, {**record, "Status": "InUse", "InstanceId": instance_id,
                                            "DeviceIndex": index})
    resources.put(ctx.txn, "instance", interfaces.with_entries(instance, lambda e: True, interfaces.entry(record)))
    return {}


@operation("DetachNetworkInterface", S("NetworkInterfaceId", required=True), S("InstanceId", required=True))
def detach_network_interface(ctx: Context, network_interface_id: str, instance_id: str) -> dict:
    record = _eni(ctx, network_interface_id)
    instance = _instance(ctx, instance_id)
    if record["Type"] == "Primary":
        raise PRIMARY_DETACH
    if record["InstanceId"] != instance_id:
        raise NOT_ATTACHED_THERE
    resources.put(ctx.txn, KIND, interfaces.detached(record))
    resources.put(ctx.txn, "instance", interfaces.with_entries(
        instance, lambda e: e["NetworkInterfaceId"] != network_interface_id))
    return {}


# -- Delete / Modify ----------------------------------------------------------------------------
@operation("DeleteNetworkInterface", S("NetworkInterfaceId", required=True))
def delete_network_interface(ctx: Context, network_interface_id: str) -> dict:
    record = _eni(ctx, network_interface_id)
    if record["Type"] == "Primary":
        raise BAD_ENI_TYPE
    if record["Status"] != "Available":
        raise ENI_STATE
    resources.delete(ctx.txn, KIND, network_interface_id)
    eips.released_with(ctx, [network_interface_id])  # [GUESS] its EIP is unassociated and kept
    havips.released_with(ctx, [network_interface_id])
    interface_permissions.released_with(ctx, network_interface_id)
    interfaces.give_back(ctx, record)
    return {}


@operation("ModifyNetworkInterfaceAttribute", S("NetworkInterfaceId", required=True), S("NetworkInterfaceName"),
           S("Description"), Repeat("SecurityGroupId", max_items=100), I("QueueNumber", min=1, max=2048),
           B("DeleteOnRelease"))
def modify_network_interface_attribute(ctx: Context, network_interface_id: str, network_interface_name: Optional[str],
                                       description: Optional[str], security_group_id: Optional[list[str]],
                                       queue_number: Optional[int], delete_on_release: Optional[bool]) -> dict:
    record = _eni(ctx, network_interface_id)
    _check_text(network_interface_name, description)
    changes: dict[str, Any] = {k: v for k, v in (("NetworkInterfaceName", network_interface_name),
                                                  ("Description", description)) if v is not None}
    others = security_group_id or queue_number is not None or delete_on_release is not None
    if record["Type"] == "Primary" and others:
        raise PRIMARY_ONLY_NAME
    if security_group_id:
        changes["SecurityGroupIds"] = {"SecurityGroupId": _groups(
            ctx, list(security_group_id), record["VpcId"], joined=record["SecurityGroupIds"]["SecurityGroupId"])}
    if queue_number is not None:
        instance = resources.get(ctx, "instance", record["InstanceId"]) if record["InstanceId"] else None
        if instance is not None and instance["Status"] != "Stopped":
            raise QUEUE_STATE
        changes["QueueNumber"] = queue_number
    if delete_on_release is not None:
        changes["DeleteOnRelease"] = delete_on_release
    resources.put(ctx.txn, KIND, {**record, **changes})
    return {}


# -- Secondary private addresses ----------------------------------------------------------------
# AssignPrivateIpAddresses / UnassignPrivateIpAddresses on a secondary ENI or an instance's primary one. Addresses
# are taken from (and given back to) the ENI's vSwitch like the launch's. An ENI holds at most what its instance
# type allows per ENI (EniPrivateIpAddressQuantity, its primary address included) while attached, and 1 + 49 while
# Available (documented). IP prefixes are not modelled: asking for one answers the documented UnsupportedParameter
# (not RegionNotSupportIpPrefix, a 500 that SDKs retry and mockecs never answers for bad input).
NO_PREFIXES = error_kind("UnsupportedParameter", "IP prefixes are not supported.", 400)
COUNT_MALFORMED = ("InvalidSecondaryPrivateIpAddressCount.Malformed", 400)
IP_REPEATED = error_kind("InvalidIp.IpRepeated", "The specified private IP addresses are repeated.", 403)
IP_ASSIGNED = error_kind("InvalidIp.IpAssigned", "The specified private IP address is already assigned to the "
                         "network interface.", 403)
IP_UNASSIGNED = error_kind("InvalidIp.IpUnassigned", "The specified private IP address is not assigned to the "
                           "network interface.", 403)
PRIMARY_ADDRESS = error_kind("InvalidParameter", "The primary private IP address of a network interface cannot be "
                             "unassigned.", 400)
UNASSIGN_MALFORMED = error_kind("InvalidPrivateIpAddress.Malformed", "Specified private IP address is invalid.", 403)
ADDRESS_QUOTA = error_kind("MaxEniPrivateIpsCountExceeded", "The private IP addresses of the network interface would "
                           "exceed what it may hold (EniPrivateIpAddressQuantity of its instance type).", 403)
ASSIGN_VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.", 404)
# The allocator's codes -> AssignPrivateIpAddresses' (malformed and duplicated ones are documented as they are)
ASSIGN_ERRORS = {"InvalidPrivateIpAddress": ADDRESS_ERRORS["InvalidPrivateIpAddress"],
                 "QuotaExceeded.PrivateIpAddress": NO_ADDRESSES}


def _readdressable(ctx: Context, network_interface_id: str) -> tuple[dict, Optional[dict]]:
    """The ENI and the instance it is attached to; a primary ENI's instance must be Running or Stopped."""
    record = _eni(ctx, network_interface_id)
    instance = resources.get(ctx, "instance", record["InstanceId"]) if record["InstanceId"] else None
    if record["Type"] == "Primary" and (instance is None or instance["Status"] not in ("Running", "Stopped")):
        raise ECS_STATE
    return record, instance


def _asked(addresses: Optional[list[str]], count: Optional[int], prefixes: bool, conflict: type[EcsError],
           repeated: type[EcsError], count_name: str) -> list[str]:
    """The addresses an Assign call names (none: it asks for ``count`` free ones), refused as documented: with IP
    prefixes (not modelled), with both or neither, with one twice."""
    if prefixes:
        raise NO_PREFIXES
    wanted = list(addresses or ())
    if wanted and count:
        raise conflict
    if not wanted and not count:
        raise missing_parameter(count_name)
    if len(set(wanted)) != len(wanted):
        raise repeated
    return wanted


def _address_quota(instance: Optional[Mapping[str, Any]]) -> int:
    """How many private addresses (the primary one included) an ENI holds at most."""
    itype = instance_types.instance_type(instance["InstanceType"]) if instance else None
    return int((itype or {}).get("EniPrivateIpAddressQuantity") or 1 + MAX_SECONDARY_IPS)


@operation("AssignPrivateIpAddresses", S("NetworkInterfaceId", required=True), Repeat("PrivateIpAddress", max_items=32),
           I("SecondaryPrivateIpAddressCount", min=1, error=COUNT_MALFORMED), Repeat("Ipv4Prefix", max_items=10),
           I("Ipv4PrefixCount", min=1, max=10), idempotent=True)
def assign_private_ip_addresses(ctx: Context, network_interface_id: str, private_ip_address: Optional[list[str]],
                                secondary_private_ip_address_count: Optional[int], ipv4_prefix: Optional[list[str]],
                                ipv4_prefix_count: Optional[int]) -> dict:
    count = secondary_private_ip_address_count or 0
    wanted = _asked(private_ip_address, count, bool(ipv4_prefix or ipv4_prefix_count), IPS_CONFLICT, IP_REPEATED,
                    "SecondaryPrivateIpAddressCount")
    record, instance = _readdressable(ctx, network_interface_id)
    held = interfaces.addresses(record)
    if set(wanted) & set(held):
        raise IP_ASSIGNED
    if len(held) + len(wanted) + count > _address_quota(instance):
        raise ADDRESS_QUOTA
    vswitch = resources.get(ctx, "vswitch", record["VSwitchId"])
    if vswitch is None:  # pragma: no cover - a vSwitch with an ENI in it cannot be deleted
        raise ASSIGN_VSWITCH_NOT_FOUND
    ips = _addresses(ctx, vswitch, list(wanted), count, ASSIGN_ERRORS)
    interfaces.readdressed(ctx, record, record["PrivateIpSets"]["PrivateIpSet"] + [
        {"PrivateIpAddress": ip, "Primary": False} for ip in ips])
    return {"AssignedPrivateIpAddressesSet": {"NetworkInterfaceId": network_interface_id,
                                              "PrivateIpSet": {"PrivateIpAddress": ips},
                                              "Ipv4PrefixSet": {"Ipv4Prefixes": []}}}


@operation("UnassignPrivateIpAddresses", S("NetworkInterfaceId", required=True),
           Repeat("PrivateIpAddress", max_items=32), Repeat("Ipv4Prefix", max_items=10))
def unassign_private_ip_addresses(ctx: Context, network_interface_id: str, private_ip_address: Optional[list[str]],
                                  ipv4_prefix: Optional[list[str]]) -> dict:
    if ipv4_prefix:
        raise NO_PREFIXES
    if not private_ip_address:
        raise missing_parameter("PrivateIpAddress.N")
    if not all(networks.valid_address(ip) for ip in private_ip_address):
        raise UNASSIGN_MALFORMED
    record, _ = _readdressable(ctx, network_interface_id)
    sets = record["PrivateIpSets"]["PrivateIpSet"]
    primary = {s["PrivateIpAddress"] for s in sets if s["Primary"]}
    gone = set(private_ip_address)
    if gone & primary:
        raise PRIMARY_ADDRESS
    if not gone <= set(interfaces.addresses(record)):
        raise IP_UNASSIGNED
    interfaces.readdressed(ctx, record, [s for s in sets if s["PrivateIpAddress"] not in gone])
    networks.give_back(ctx, record["VSwitchId"], [ip for ip in interfaces.addresses(record) if ip in gone])
    return {}


# -- IPv6 addresses -----------------------------------------------------------------------------
# An ENI in a vSwitch with an IPv6 /64 (the VPC API's CreateVSwitch Ipv6CidrBlock) takes addresses of it
# (mockecs.world.ipv6): at most its instance type's EniIpv6AddressQuantity while attached, 10 while Available
# (documented). A vSwitch without one answers the documented InvalidOperation.VSwitchIpv6Disabled.
IPV6_MALFORMED = error_kind("InvalidIp.Address", "The specified IPv6 address is not valid.", 403)
IPV6_REPEATED = error_kind("InvalidIp.IpRepeated", "The specified IPv6 addresses are repeated.", 403)
IPV6_CONFLICT = error_kind("InvalidParameter.Conflict", "Ipv6Address.N and Ipv6AddressCount cannot be specified at "
                           "the same time.", 400)
IPV6_TOO_MANY = error_kind("InvalidOperation.Ipv6CountExceeded", "A network interface is given at most 10 IPv6 "
                           "addresses at a time.", 403)
IPV6_DISABLED = error_kind("InvalidOperation.VSwitchIpv6Disabled",
                           "The specified VSwitch does not support Ipv6 feature.", 404)
ASSIGN_IPV6 = ipv6.Errors(
    malformed=IPV6_MALFORMED, repeated=IPV6_REPEATED, conflict=IPV6_CONFLICT, too_many=IPV6_TOO_MANY,
    disabled=IPV6_DISABLED,
    not_supported=error_kind("InvalidOperation.Ipv6NotSupport", "The instance type of the instance the network "
                             "interface is attached to does not support IPv6 addresses.", 403),
    quota=error_kind("MaxEniIpv6IpsCountExceeded", "The ipv6 address count exceed limitation.", 404),
    outside=error_kind("InvalidVSwitchId.IpInvalid", "The specified ipv6 does not match VSwitch cidr scope.", 404),
    taken=error_kind("InvalidIp.IpAssigned", "The specified ipv6 has already been allocated.", 404))
CREATE_IPV6 = dataclasses.replace(
    ASSIGN_IPV6,
    quota=error_kind("InvalidOperation.MaxEniIpv6IpsCountExceeded", "The ipv6 address count exceed limitation.", 404),
    outside=error_kind("InvalidOperation.AddressNotInVSwitchCidr", "The specified ipv6 does not match VSwitch cidr "
                       "scope.", 404),
    taken=error_kind("InvalidOperation.AddressAlreadyAllocated", "The specified ipv6 has been already allocated.", 404))
IPV6_UNASSIGNED = error_kind("InvalidIp.IpUnassigned", "The specified IPv6 address is not assigned to the network "
                             "interface.", 403)
IPV6_TRAFFIC_MODE = error_kind("InvalidOperation.EniTrafficModeNotSupportIpv6",
                               "The High Performance traffic mode does not support Ipv6.", 404)
IPV6_HIGH_PERFORMANCE = error_kind("InvalidOperation.HighPerformanceTrafficModeEniNotSupport",
                                   "A network interface in the HighPerformance traffic mode does not support IPv6 "
                                   "addresses.", 403)


def _new_ipv6(ctx: Context, errors: ipv6.Errors, record: Mapping[str, Any], most: int, wanted: list[str],
              count: int) -> list[str]:
    """The IPv6 addresses an ENI (``record``: its vSwitch, id and addresses) takes, checked as documented."""
    held = ipv6.addresses(record)
    if set(wanted) & set(held):
        raise errors.taken
    vswitch = resources.get(ctx, "vswitch", record["VSwitchId"]) or {}
    network = ipv6.check(errors, vswitch, most, len(held), len(wanted) + count)
    return ipv6.take(ctx, errors, network, record["VSwitchId"], record["NetworkInterfaceId"], wanted, count, held)


@operation("AssignIpv6Addresses", S("NetworkInterfaceId", required=True), Repeat("Ipv6Address", max_items=20),
           I("Ipv6AddressCount", min=1), Repeat("Ipv6Prefix", max_items=10), I("Ipv6PrefixCount", min=1, max=10),
           idempotent=True)
def assign_ipv6_addresses(ctx: Context, network_interface_id: str, ipv6_address: Optional[list[str]],
                          ipv6_address_count: Optional[int], ipv6_prefix: Optional[list[str]],
                          ipv6_prefix_count: Optional[int]) -> dict:
    if ipv6_prefix or ipv6_prefix_count:
        raise NO_PREFIXES
    if not ipv6_address and not ipv6_address_count:
        raise missing_parameter("Ipv6AddressCount")
    wanted = ipv6.asked(ASSIGN_IPV6, ipv6_address, ipv6_address_count)
    record, instance = _readdressable(ctx, network_interface_id)
    if record["NetworkInterfaceTrafficMode"] == "HighPerformance":
        raise IPV6_HIGH_PERFORMANCE
    itype = (instance_types.instance_type(instance["InstanceType"]) or {}) if instance else None
    most = ipv6.quota(itype)  # (None: Available)
    ips = _new_ipv6(ctx, ASSIGN_IPV6, record, most, wanted, ipv6_address_count or 0)
    interfaces.readdressed(ctx, record, ipv6_addresses=ipv6.addresses(record) + ips)
    return {"NetworkInterfaceId": network_interface_id, "Ipv6Sets": {"Ipv6Address": ips},
            "Ipv6PrefixSets": {"Ipv6Prefix": []}}


@operation("UnassignIpv6Addresses", S("NetworkInterfaceId", required=True), Repeat("Ipv6Address", max_items=10),
           Repeat("Ipv6Prefix", max_items=10))
def unassign_ipv6_addresses(ctx: Context, network_interface_id: str, ipv6_address: Optional[list[str]],
                            ipv6_prefix: Optional[list[str]]) -> dict:
    if ipv6_prefix:
        raise NO_PREFIXES
    if not ipv6_address:
        raise missing_parameter("Ipv6Address.N")
    gone = ipv6.asked(ASSIGN_IPV6, ipv6_address, None)
    record, _ = _readdressable(ctx, network_interface_id)
    held = ipv6.addresses(record)
    if not set(gone) <= set(held):
        raise IPV6_UNASSIGNED
    # (the addresses are free again once the record no longer lists them: no allocator to move back)
    interfaces.readdressed(ctx, record, ipv6_addresses=[ip for ip in held if ip not in gone])
    return {}

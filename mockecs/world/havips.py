"""High-availability virtual IP addresses (HaVips), one world for the two APIs that manage them: ECS's deprecated
CreateHaVip & co. (:mod:`mockecs.ops.havips`) and the VPC product's (:mod:`mockecs.ops.vpc_havips`, what
Terraform's ``alicloud_havip`` and ``alicloud_havip_attachment`` call).

A HaVip is a private address of a vSwitch, taken from the vSwitch's CIDR block as an instance's is (the ``vsw_ip``
term of :mod:`mockecs.world.networks`; given back when it goes), that up to two ECS instances (or ENIs) of the same
vSwitch share. Records (kind ``havip``) carry the fields the VPC API's DescribeHaVips answers (ECS answers a subset)
plus ``_owner``, ``_region``, ``_created``. The instances it is associated with are listed in the record and indexed
(``havip_instance``), so releasing an instance lets go of its HaVips without a scan; EIPs associated with it
(AssociateEipAddress, InstanceType ``HaVip``) are the EIP records themselves (their ``instance`` term), never kept
twice.

Status: ``Creating`` -> ``Available`` on the mock clock (kind ``havip``); ``InUse`` while associated (associating
and unassociating settle on the clock too). No keepalived runs in mockecs, so no instance ever announces the
address: ``MasterInstanceId`` stays empty unless a test says which instance holds it (:func:`announce`).
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping, Optional

from mockecs.state.store import Term
from mockecs.wire.errors import error_kind
from mockecs.world import eips, lifecycle, networks, resource_groups, resources
from mockecs.world.context import Context

KIND = "havip"
AVAILABLE, IN_USE = "Available", "InUse"
ECS_INSTANCE, NETWORK_INTERFACE = "EcsInstance", "NetworkInterface"
# Limits: two instances per HaVip (the VPC documentation of AssociateHaVip); [GUESS] HaVips per VPC and per instance
# (the console's quota page: 5 each).
MAX_INSTANCES, MAX_PER_VPC, MAX_PER_INSTANCE = 2, 5, 5

# -- errors: ECS's metadata (CreateHaVip, DescribeHaVips, ModifyHaVipAttribute, AssociateHaVip, UnassociateHaVip,
# DeleteHaVip); the VPC API documents the same codes and words. [GUESS] where marked.
NOT_FOUND = error_kind("InvalidHaVipId.NotFound", "The specified HaVip does not exist in the specified region.", 404)
VSWITCH_NOT_FOUND = error_kind("InvalidVSwitchId.NotFound",
                               "The specified VSwitch does not exist in the specified region.", 404)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specified Description  is wrongly formed.", 400)
# [GUESS] a malformed Name (VPC API only): the Description's words.
BAD_NAME = error_kind("InvalidName.Malformed", "The specified Name is wrongly formed.", 400)
OUT_OF_RANGE = error_kind("InvalidIPAddress.OutOfRange", "The specified IPAddress is out of VSwitch CIDR.", 400)
RESERVED = error_kind("InvalidIPAddress.NotAvailable",
                      "The specified IPAddress is not available because it is a system reserved IPAddress.", 400)
TAKEN = error_kind("InvalidIPAddress.AlreadyUsed", "The specified IPAddress is already used by other resource.", 400)
MALFORMED = error_kind("InvalidIPAddress.Malformed", "The specified IPAddress is not a valid or strict address.", 400)
# [GUESS] a vSwitch without a free address: the documented InvalidPrivateIp.NotFound.
NO_ADDRESS = error_kind("InvalidPrivateIp.NotFound", "The specified private ip is not exist in vswitch.", 400)
VPC_QUOTA = error_kind("CountLimitExceed.HaVipInVpc",
                       "Specified Vpc exceeds the quota of max number of ha-vip count.", 403)
MODIFY_STATUS = error_kind("IncorrectStatus", "HaVip can be deleted only when it's status is Available or InUse.", 400)
ASSOCIATE_STATUS = error_kind("IncorrectHaVipStatus",
                              "HaVip can be operated by this action only when it's status is Available or InUse.", 400)
UNASSOCIATE_STATUS = error_kind("IncorrectHaVipStatus",
                                "HaVip can be operated by this action only when it's status is InUse.", 400)
INSTANCE_STATUS = {  # (AssociateHaVip's documented message has "??" for an apostrophe)
    "AssociateHaVip": error_kind("IncorrectInstanceStatus", "ECS instance can be operated by this action only when "
                                 "it??s status is Running or Stopped.", 400),
    "UnassociateHaVip": error_kind("IncorrectInstanceStatus", "ECS instance can be operated by this action only when "
                                   "it's status is Running or Stopped.", 400),
}
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound",
                                "The specified Instance does not exist in the specified region.", 404)
ALREADY = error_kind("InvalidHaVip.Exist", "haVip already bind exist.", 404)
FULL = error_kind("CountLimitExceeded.HaVipOnECSInstance",
                  "The amount of Instance associated with the specified HaVip reach its limits.", 400)
INSTANCE_FULL = error_kind("CountLimitExceed.HaVipOnInstance",
                           "The amount of HaVip associated with the specified Instance reach its limits.", 400)
MIXED_TYPES = error_kind("OperationUnsupported.BindMultipleType", "You cannot bind HaVip to multiple instance types.",
                         400)
# [GUESS] an instance of another vSwitch (documented as a rule, with no code): the words of the rule.
OTHER_VSWITCH = error_kind("InvalidVSwitchId.Mismatch", "The HaVip and the instance must belong to the same vSwitch.",
                           400)
# [GUESS] an InstanceType other than EcsInstance / NetworkInterface.
BAD_INSTANCE_TYPE = error_kind("InvalidParameter", 'Specified value of "InstanceType" is not valid.', 400)
NOT_ASSOCIATED = error_kind("ResourceNotAssociated", "The HaVip and ECS instance are not associated.", 400)
MASTER = error_kind("Forbidden.UnassociateMaster",
                    "Unassociating a master instance is not allowed unless the parameter Force is True.", 400)
DELETE_STATUS = error_kind("IncorrectStatus", "HaVip can be deleted only when it is status is Available.", 400)
HAS_ROUTES = error_kind("DependencyViolation.HaVipReferedByRouteEntry",
                        "HaVip cannot be deleted when it is refered by a route table entry as next hop.", 400)
HAS_EIP = error_kind("DependencyViolation.HaVipAssociatedWithEIP",
                     "HaVip cannot be deleted when it is associated with  EIP.", 400)
BAD_FILTER = error_kind("InvalidFilterKey.ValueNotSupported", "Specified filter key is not supported: Filter.X.key",
                        404)
# AssociateEipAddress with InstanceType HaVip: [GUESS] the EIP API's own codes for a missing resource and a HaVip
# being made.
EIP_STATUS = error_kind("IncorrectHaVipStatus",
                        "HaVip can be operated by this action only when it's status is Available or InUse.", 400)


def _terms(record: Mapping[str, Any]) -> list[Term]:
    return [("vpc", record["VpcId"]), ("vswitch", record["VSwitchId"]),
            ("vsw_ip", f"{record['VSwitchId']}|{record['IpAddress']}"),
            *(("havip_instance", i) for i in instances_of(record))]


resources.TERMS[KIND] = _terms
resources.ORDER[KIND] = lambda r: f"{resources.time_key(r['_created'])} {r['HaVipId']}"


def instances_of(record: Mapping[str, Any]) -> list[str]:
    return list(record["AssociatedInstances"]["associatedInstance"])


def owned(ctx: Context, ha_vip_id: Optional[str]) -> dict:
    return resources.owned(ctx, KIND, ha_vip_id, NOT_FOUND)


def _check_text(description: Optional[str], name: Optional[str]) -> None:
    """Description and Name: 1-256 characters, not starting with http(s):// ([GUESS] the VPC API's usual rule)."""
    for text, bad in ((description, BAD_DESCRIPTION), (name, BAD_NAME)):
        if text and (len(text) > 256 or text.lower().startswith(("http://", "https://"))):
            raise bad


def _address(ctx: Context, vswitch: Mapping[str, Any], wanted: str) -> str:
    """The address asked for, checked in the HaVip's words before the allocator takes it."""
    try:
        address = ipaddress.IPv4Address(wanted.strip())
    except ValueError:
        raise MALFORMED from None
    network = ipaddress.IPv4Network(vswitch["CidrBlock"])
    if address not in network:
        raise OUT_OF_RANGE
    offset = int(address) - int(network.network_address)
    if not networks.RESERVED_HEAD <= offset < network.num_addresses - networks.RESERVED_TAIL:
        raise RESERVED
    if networks.taken(ctx, vswitch["VSwitchId"], str(address)):
        raise TAKEN
    return str(address)


def create(ctx: Context, v_switch_id: str, ip_address: Optional[str], description: Optional[str],
           name: Optional[str] = None, tags: Optional[list[dict]] = None,
           resource_group_id: Optional[str] = None) -> dict:
    """CreateHaVip of either API: the stored record (``Creating``, then ``Available`` on the mock clock)."""
    _check_text(description, name)
    vswitch = resources.get(ctx, "vswitch", v_switch_id)
    if not resources.is_mine(ctx, vswitch):
        raise VSWITCH_NOT_FOUND
    wanted = _address(ctx, vswitch, ip_address) if ip_address else None
    if ctx.txn.count(KIND, ("vpc", vswitch["VpcId"])) >= MAX_PER_VPC:
        raise VPC_QUOTA
    if vswitch["AvailableIpAddressCount"] < 1:
        raise NO_ADDRESS
    group = resource_groups.resolve(ctx, resource_group_id) if resource_group_id else \
        resource_groups.default_id(ctx.account)
    checked_tags = resources.tags_from_args(tags)
    vswitch, (address,) = networks.allocate(ctx, ctx.action, vswitch, 1, wanted)
    resources.put(ctx.txn, "vswitch", vswitch)
    ha_vip_id = resources.new_id(KIND, ctx.region)
    record = {"HaVipId": ha_vip_id, "VpcId": vswitch["VpcId"], "VSwitchId": vswitch["VSwitchId"],
              "IpAddress": address, "Status": "Creating", "Description": description or "", "Name": name or "",
              "CreateTime": resources.iso(ctx.now), "RegionId": ctx.region, "ChargeType": "PostPaid",
              "ResourceGroupId": group, "MasterInstanceId": "", "AssociatedInstanceType": "",
              "AssociatedInstances": {"associatedInstance": []},
              "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    if checked_tags:
        record["Tags"] = {"Tag": checked_tags}
    return resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, ha_vip_id, record, done={"Status": AVAILABLE}))


def modify(ctx: Context, ha_vip_id: str, description: Optional[str], name: Optional[str] = None) -> None:
    record = owned(ctx, ha_vip_id)
    if record["Status"] not in (AVAILABLE, IN_USE):
        raise MODIFY_STATUS
    _check_text(description, name)
    changes = {k: v for k, v in (("Description", description), ("Name", name)) if v is not None}
    if changes:
        resources.put(ctx.txn, KIND, {**record, **changes})


def _settle(ctx: Context, record: dict, now: str, then: str) -> None:
    resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, record["HaVipId"], {**record, "Status": now},
                                                 done={"Status": then}))


def _target(ctx: Context, instance_id: str, instance_type: str) -> tuple[str, str]:
    """(vSwitch, status) of the instance or ENI a HaVip is (un)associated with; the caller's, here."""
    if instance_type == NETWORK_INTERFACE:
        eni = resources.get(ctx, "network_interface", instance_id)
        if not resources.is_mine(ctx, eni):
            raise INSTANCE_NOT_FOUND
        return eni["VSwitchId"], "Running"  # ([GUESS] an ENI has no status the rule is about)
    instance = resources.get(ctx, "instance", instance_id)
    if not resources.is_mine(ctx, instance):
        raise INSTANCE_NOT_FOUND
    return (instance.get("VpcAttributes") or {}).get("VSwitchId") or "", instance["Status"]


def associate(ctx: Context, ha_vip_id: str, instance_id: str, instance_type: Optional[str]) -> None:
    """AssociateHaVip of either API: an instance (or ENI) of the HaVip's vSwitch shares its address."""
    instance_type = instance_type or ECS_INSTANCE
    if instance_type not in (ECS_INSTANCE, NETWORK_INTERFACE):
        raise BAD_INSTANCE_TYPE
    record = owned(ctx, ha_vip_id)
    if record["Status"] not in (AVAILABLE, IN_USE):
        raise ASSOCIATE_STATUS
    vswitch_id, status = _target(ctx, instance_id, instance_type)
    if status not in ("Running", "Stopped"):
        raise INSTANCE_STATUS["AssociateHaVip"]
    held = instances_of(record)
    if instance_id in held:
        raise ALREADY
    if held and record["AssociatedInstanceType"] != instance_type:
        raise MIXED_TYPES
    if vswitch_id != record["VSwitchId"]:
        raise OTHER_VSWITCH
    if len(held) >= MAX_INSTANCES:
        raise FULL
    if ctx.txn.count(KIND, ("havip_instance", instance_id)) >= MAX_PER_INSTANCE:
        raise INSTANCE_FULL
    _settle(ctx, {**record, "AssociatedInstanceType": instance_type,
                  "AssociatedInstances": {"associatedInstance": held + [instance_id]}}, "Associating", IN_USE)


def unassociate(ctx: Context, ha_vip_id: str, instance_id: str, instance_type: Optional[str],
                force: Optional[bool]) -> None:
    """UnassociateHaVip of either API; the master (the instance holding the address, :func:`announce`) only with
    ``force``."""
    record = owned(ctx, ha_vip_id)
    if record["Status"] != IN_USE:
        raise UNASSOCIATE_STATUS
    _, status = _target(ctx, instance_id, instance_type or record["AssociatedInstanceType"] or ECS_INSTANCE)
    held = instances_of(record)
    if instance_id not in held:
        raise NOT_ASSOCIATED
    if status not in ("Running", "Stopped"):
        raise INSTANCE_STATUS["UnassociateHaVip"]
    if record["MasterInstanceId"] == instance_id and not force:
        raise MASTER
    rest = [i for i in held if i != instance_id]
    _settle(ctx, _without(record, instance_id, rest), "Unassociating", IN_USE if rest else AVAILABLE)


def _without(record: dict, instance_id: str, rest: list[str]) -> dict:
    return {**record, "AssociatedInstances": {"associatedInstance": rest},
            "AssociatedInstanceType": record["AssociatedInstanceType"] if rest else "",
            "MasterInstanceId": "" if record["MasterInstanceId"] == instance_id else record["MasterInstanceId"]}


def delete(ctx: Context, ha_vip_id: str) -> None:
    """DeleteHaVip of either API: only when Available (no instance), with no EIP nor route entry depending on it;
    its address returns to its vSwitch."""
    record = owned(ctx, ha_vip_id)
    if record["Status"] != AVAILABLE:
        raise DELETE_STATUS
    if ctx.txn.count(eips.KIND, ("instance", ha_vip_id)):
        raise HAS_EIP
    if ctx.txn.count("route_entry", ("next_hop", ha_vip_id)):  # (mockecs.world.routes)
        raise HAS_ROUTES
    networks.give_back(ctx, record["VSwitchId"], [record["IpAddress"]])
    resources.delete(ctx.txn, KIND, ha_vip_id)


def released_with(ctx: Context, instance_ids: Iterable[str]) -> None:
    """Instances (or ENIs) released: they leave their HaVips ([GUESS] at once, as the service shows no change)."""
    for instance_id in instance_ids:
        for ha_vip_id in sorted(ctx.txn.ids(KIND, ("havip_instance", instance_id))):
            record = resources.get(ctx, KIND, ha_vip_id)
            if record is None:
                continue
            rest = [i for i in instances_of(record) if i != instance_id]
            resources.put(ctx.txn, KIND, {**_without(record, instance_id, rest),
                                          "Status": IN_USE if rest else AVAILABLE})


def announce(engine: Any, ha_vip_id: str, instance_id: str) -> None:
    """Test helper: ``instance_id`` (associated with the HaVip) now holds its address, as keepalived's gratuitous
    ARP would make it: DescribeHaVips shows it as MasterInstanceId, UnassociateHaVip needs Force for it."""
    with engine.store.transaction() as txn:
        record = txn.get(KIND, ha_vip_id)
        if record is None or instance_id not in instances_of(record):
            raise ValueError(f"{instance_id} is not associated with {ha_vip_id}")
        resources.put(txn, KIND, {**record, "MasterInstanceId": instance_id})


# -- listing ----------------------------------------------------------------------------------------------------
FILTER_FIELDS = {"HaVipId": "HaVipId", "VpcId": "VpcId", "VSwitchId": "VSwitchId", "Status": "Status",
                 "HaVipAddress": "IpAddress"}
_NARROWING = {"VpcId": "vpc", "VSwitchId": "vswitch"}


def listing(ctx: Context, filters: Optional[list[dict]], tags: Optional[list[dict]] = None,
            resource_group_id: Optional[str] = None) -> list[dict]:
    """DescribeHaVips of either API: the caller's HaVips here matching every filter key (any of its values), oldest
    first. Filter keys: HaVipId, VpcId, VSwitchId, Status, HaVipAddress (documented)."""
    wanted: dict[str, set[str]] = {}
    for f in filters or ():
        if f.get("key") not in FILTER_FIELDS:
            raise BAD_FILTER
        wanted.setdefault(f["key"], set()).update(f.get("value") or ())
    named = wanted.get("HaVipId")
    narrower = [(_NARROWING[key], next(iter(values))) for key, values in wanted.items()
                if key in _NARROWING and len(values) == 1]
    if resource_group_id:
        narrower.append(resource_groups.term(resource_group_id))
    found = [r for r in resources.mine_among(ctx, KIND, named, *narrower, tags=tags)
             if all(r[FILTER_FIELDS[key]] in values for key, values in wanted.items())
             and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
             and resources.match_tags(r, tags)]
    return sorted(found, key=resources.ORDER[KIND])


def view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """A HaVip as the VPC API's DescribeHaVips answers it (ECS's answers a subset: :data:`ECS_FIELDS`)."""
    addresses = [e["IpAddress"] for e in filter(None, resources.get_many(
        ctx, eips.KIND, sorted(ctx.txn.ids(eips.KIND, ("instance", record["HaVipId"])))))]
    return {**resources.wire(record), "AssociatedEipAddresses": {"associatedEipAddresse": addresses},
            "Tags": resources.key_value_tags(record)}


ECS_FIELDS = ("Status", "VpcId", "VSwitchId", "IpAddress", "Description", "HaVipId", "CreateTime", "MasterInstanceId",
              "RegionId", "AssociatedEipAddresses", "AssociatedInstances")


# -- EIPs associated with a HaVip (AssociateEipAddress with InstanceType HaVip) -------------------------------------
def _take_eip(ctx: Context, eip: Mapping[str, Any], ha_vip_id: str) -> dict:
    record = resources.get(ctx, KIND, ha_vip_id)
    if record is None or record["_owner"] != ctx.account:
        raise EIP_HA_VIP_NOT_FOUND
    if record["_region"] != eip["_region"]:
        raise eips.WRONG_REGION
    if record["Status"] not in (AVAILABLE, IN_USE):
        raise EIP_STATUS
    return {"PrivateIpAddress": record["IpAddress"], "VpcId": record["VpcId"], "InstanceRegionId": record["_region"]}


EIP_HA_VIP_NOT_FOUND = error_kind("InvalidHaVip.NotFound", "The specified HaVip does not exist.", 404)
eips.HOLDERS["HaVip"] = eips.Holder(_take_eip, lambda ctx, eip, force: None)

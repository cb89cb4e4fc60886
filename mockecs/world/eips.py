"""Elastic IP addresses, one world for the two APIs that manage them: ECS's own EIP operations
(:mod:`mockecs.ops.addresses`) and the VPC product's (:mod:`mockecs.ops.vpc_addresses`). An EIP allocated
through either is seen, associated, changed and released through the other.

Records (kind ``eip``) carry the fields of ECS's ``DescribeEipAddressesResponseBodyEipAddressesEipAddress``
(:data:`ECS_FIELDS`, what ECS answers) plus what the VPC API's answer adds and mockecs keeps (``Name``,
``Description``, ``ResourceGroupId``, ``ISP``, ``Netmode``, ``Tags``, the associated resource's
``PrivateIpAddress`` and ``VpcId`` ...; records written before lack them: readers use defaults), and
``_owner`` / ``_region``. They are indexed by address and by the resource they are associated with
(:mod:`mockecs.world.access`). Associating and unassociating go through ``Associating`` / ``Unassociating``
on the lifecycle clock (kind ``eip``, instant by default); the instance shows the address in ``EipAddress``
at once. Addresses are plausible public IPv4s, unique in the store.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import whole_number
from mockecs.world import access, lifecycle, paging, resource_groups, resources
from mockecs.world.context import Context

KIND = access.EIP
CHARGES = ("PayByBandwidth", "PayByTraffic")
ECS_INSTANCE, NETWORK_INTERFACE = "EcsInstance", "NetworkInterface"
# Associated resource types the EIP API knows; mockecs keeps ECS instances and ENIs.
INSTANCE_TYPES = ("EcsInstance", "SlbInstance", "Nat", "HaVip", "NetworkInterface")


class Holder(NamedTuple):
    """How a resource type another module keeps takes an EIP and lets it go (registered in :data:`HOLDERS`)."""

    take: Callable[[Context, dict, str], dict]  # (ctx, eip, resource id): checks; the EIP's fields naming it
    let_go: Callable[[Context, dict, bool], None]  # (ctx, eip, Force): checks and clean-up before it leaves


# InstanceType -> its Holder, for the types other modules keep: Nat (mockecs.world.nat_gateways).
HOLDERS: dict[str, Holder] = {}
# What ECS's DescribeEipAddresses answers of a record (its SDK model), in the record's order.
ECS_FIELDS = ("AllocationId", "IpAddress", "Bandwidth", "InternetChargeType", "ChargeType", "Status",
              "AllocationTime", "ExpiredTime", "InstanceId", "InstanceType", "RegionId", "EipBandwidth",
              "OperationLocks")
# An EIP's fields about the resource it is associated with, when it is not.
UNASSOCIATED = {"InstanceId": "", "InstanceType": "", "PrivateIpAddress": "", "VpcId": "", "InstanceRegionId": ""}

# Codes and messages: ECS's metadata for its EIP operations (the VPC API's documentation was not reachable;
# ECS's EIP operations are the same service's).
BAD_BANDWIDTH = error_kind("InvalidBandwidth.Malformed", "The specified Bandwidth is invalid.", 400)
BAD_CHARGE = error_kind("InvalidParameter", 'Specified value of "InternetChargeType" is not valid', 400)
BAD_NEW_BANDWIDTH = error_kind("InvalidParameter", 'Specified value of "Bandwidth" is not supported.', 400)
QUOTA = error_kind("QuotaExceeded.Eip", "Elastic IP address quota exceeded", 400)
NOT_FOUND = error_kind("InvalidAllocationId.NotFound", "Specified allocation ID is not found", 404)
ASSOCIATE_NOT_FOUND = error_kind("InvalidAllocationId.NotFound", "Specified allocation ID is not found.", 404)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanId.NotFound", "Specified instance does not exist.", 404)
UNASSOCIATE_INSTANCE = error_kind("InvalidInstanceId.NotFound", "Specified instance does not exist.", 400)
WRONG_REGION = error_kind("InvalidParameter.Mismatch",
                          "Specified elastic IP address and ECS instance are not in the same region.", 400)
ALREADY_ASSOCIATED = error_kind("InvalidAssociation.Duplicated", "Specified instance already is associated.", 400)
HAS_PUBLIC_IP = error_kind("EIP_CAN_NOT_ASSOCIATE_WITH_PUBLIC_IP", "instance already bind natpublicip,cannot bind eip.",
                           400)
NOT_IN_VPC = error_kind("OperationDenied", "Specified instance is not in VPC.", 400)
PENDING = error_kind("InvalidStatus.EcsStatusNotSupport", "The special instance status Pending is not support operate",
                     400)
BAD_INSTANCE_TYPE = error_kind("InvalidInstanceType.ValueNotSupported",
                               "The specified value of InstanceType is not supported.", 400)
BAD_IP = error_kind("InvalidIpAddress.Malformed", 'The specified parameter "IpAddress" is not valid.', 400)
IP_IN_USE = error_kind("IpInUse", "The specified IP is already in use.", 403)
NOT_PUBLIC = error_kind("InvalidIpAddress.NotPublic", "The specified IP is not public address.", 403)
# ReleaseEipAddress of the VPC API (its documentation): a subscription EIP is not released (it expires).
PREPAID = error_kind("Forbidden.ChargeTypeIsPrepaid", "It's forbidden to release a prepaid EIP", 400)
# ReleaseEipAddress of the VPC API: an EIP with deletion protection (its DeletionProtection operation) is not
# released; the documented code, the message [GUESS] past its first words ("The inst...").
PROTECTED = error_kind("InvalidOperation.DeletionProtection", "The instance has deletion protection enabled.", 400)
# [GUESS] a private address the ENI does not hold (the VPC API's PrivateIpAddress of an ENI association).
BAD_PRIVATE_IP = error_kind("InvalidPrivateIpAddress.NotFound", "The specified private IP address is not found.", 404)


def bad_eip_status(period: bool = True) -> EcsError:
    # AssociateEipAddress documents the message without its final period.
    return EcsError("IncorrectEipStatus", "Current elastic IP status does not support this operation"
                    + ("." if period else ""), 400)


def _instance_status_error(action: str) -> EcsError:
    message = {"AssociateEipAddress": "Current instance status does not support this operation."}.get(
        action, "The current status of instance does not support this operation.")
    return EcsError("IncorrectInstanceStatus", message, 400)


def owned(ctx: Context, allocation_id: str, not_found: type[EcsError] = NOT_FOUND) -> dict:
    return resources.owned(ctx, KIND, allocation_id, not_found)


# -- allocating ---------------------------------------------------------------------------------
def bandwidth(text: str, charge: str, bad: type[EcsError]) -> int:
    """Documented ranges: 1-500 Mbit/s when charged by bandwidth, 1-200 by traffic."""
    mbps = whole_number(text, 1, 500 if charge == "PayByBandwidth" else 200)
    if mbps is None:
        raise bad
    return mbps


def requested_ip(ctx: Context, ip_address: Optional[str]) -> str:
    """The public address asked for (checked: well-formed, public, free), or a new one."""
    if not ip_address:
        return access.new_public_ip(ctx)
    try:
        parsed = ipaddress.IPv4Address(ip_address.strip())
    except ValueError:
        raise BAD_IP from None
    if not parsed.is_global:
        raise NOT_PUBLIC
    if access.address_taken(ctx, str(parsed)):
        raise IP_IN_USE
    return str(parsed)


def new_eip(ctx: Context, address: str, mbps: int, charge: str, **more: Any) -> dict:
    """An EIP record (``more``: the VPC API's fields given at allocation, over their defaults)."""
    return {
        "AllocationId": resources.new_id(KIND, ctx.region), "IpAddress": address, "Bandwidth": str(mbps),
        "InternetChargeType": charge, "ChargeType": "PostPaid", "Status": "Available",
        "AllocationTime": resources.iso(ctx.now), "ExpiredTime": "", "InstanceId": "", "InstanceType": "",
        "RegionId": ctx.region, "EipBandwidth": "", "OperationLocks": {"LockReason": []},
        "Name": "", "Description": "", "ResourceGroupId": resource_groups.default_id(ctx.account), "ISP": "BGP",
        "Netmode": "public", **UNASSOCIATED, **more, "_owner": ctx.account, "_region": ctx.region,
    }


def allocate(ctx: Context, bandwidth_text: Optional[str], charge: Optional[str], address: Optional[str] = None,
             **more: Any) -> dict:
    """AllocateEipAddress of either API: the stored record."""
    charge = charge or "PayByBandwidth"
    if charge not in CHARGES:
        raise BAD_CHARGE
    mbps = bandwidth(bandwidth_text or "5", charge, BAD_BANDWIDTH)
    if access.quota_reached(ctx, KIND, "eip_quota"):
        raise QUOTA
    return resources.put(ctx.txn, KIND, new_eip(ctx, requested_ip(ctx, address), mbps, charge, **more))


def shown_on_instance(eip: Mapping[str, Any]) -> dict:
    """An instance's ``EipAddress`` while ``eip`` is associated with it."""
    return {"AllocationId": eip["AllocationId"], "IpAddress": eip["IpAddress"], "Bandwidth": int(eip["Bandwidth"]),
            "InternetChargeType": eip["InternetChargeType"], "IsSupportUnassociate": True}


def ecs_view(record: Mapping[str, Any]) -> dict:
    """An EIP as ECS's DescribeEipAddresses answers it."""
    return {name: record[name] for name in ECS_FIELDS}


# Listings are newest first: by (AllocationTime, AllocationId), descending [GUESS].
resources.ORDER[KIND] = lambda record: record["AllocationTime"]


# -- listing --------------------------------------------------------------------------------------
def page(ctx: Context, a: Mapping[str, Any], start: Optional[float], end: Optional[float],
         allocation_ids: Optional[list[str]] = None, addresses: Optional[list[str]] = None
         ) -> tuple[int, list[dict]]:
    """DescribeEipAddresses of either API: (TotalCount, the page's records), newest first. ``a`` holds the
    filters by their snake names (those an API lacks are absent); ``start``/``end`` bound AllocationTime."""
    if paging.unfiltered(a):  # a page from the ordered index, newest first (see ORDER)
        found, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                          a["page_number"], a["page_size"], None, None, newest_first=True)
        return meta["TotalCount"], found
    named = set(allocation_ids or ())
    ips = set(addresses or ())
    narrower = (access.ip_term(next(iter(ips))) if len(ips) == 1 else None,
                ("instance", a["associated_instance_id"]) if a.get("associated_instance_id") else None,
                resource_groups.term(a["resource_group_id"]) if a.get("resource_group_id") else None)
    matches = [record for record in resources.mine_among(ctx, KIND, named or None, *narrower, tags=a.get("tag"))
               if _matches(record, a, start, end, named, ips)]
    matches.sort(key=lambda r: (r["AllocationTime"], r["AllocationId"]), reverse=True)  # newest first [GUESS]
    return len(matches), list(paging.by_number(matches, a["page_number"], a["page_size"]))


def _matches(record: Mapping[str, Any], a: Mapping[str, Any], start: Optional[float], end: Optional[float],
             named: set[str], ips: set[str]) -> bool:
    if (named and record["AllocationId"] not in named) or (ips and record["IpAddress"] not in ips):
        return False
    for arg, field in (("status", "Status"), ("associated_instance_type", "InstanceType"),
                       ("associated_instance_id", "InstanceId"), ("charge_type", "ChargeType"),
                       ("eip_name", "Name"), ("isp", "ISP"), ("resource_group_id", "ResourceGroupId"),
                       ("public_ip_address_pool_id", "PublicIpAddressPoolId"),
                       ("segment_instance_id", "SegmentInstanceId")):
        if a.get(arg) and record.get(field, "") != a[arg]:
            return False
    if a.get("lock_reason") and a["lock_reason"] not in [
            lock["LockReason"] for lock in record["OperationLocks"]["LockReason"]]:
        return False
    if a.get("service_managed"):
        return False  # (no EIP of mockecs is managed by a service)
    protected = a.get("security_protection_enabled")
    if protected is not None and protected != bool(
            (record.get("SecurityProtectionTypes") or {}).get("SecurityProtectionType")):
        return False
    if start is not None or end is not None:
        allocated = resources.parse_iso(record["AllocationTime"]) or 0.0
        if (start is not None and allocated < start) or (end is not None and allocated > end):
            return False
    return resources.match_tags(record, a.get("tag"))


# -- associating -----------------------------------------------------------------------------------
def _check_instance_status(ctx: Context, instance: Mapping[str, Any]) -> None:
    if instance["Status"] == "Pending":
        raise PENDING
    if instance["Status"] not in ("Running", "Stopped"):
        raise _instance_status_error(ctx.action)


def _settle(ctx: Context, record: dict, now: str, then: dict) -> None:
    record = lifecycle.start(ctx, KIND, record["AllocationId"], {**record, "Status": now}, done=then)
    resources.put(ctx.txn, KIND, record)


def holder(ctx: Context, resource_id: str) -> Optional[dict]:
    """The EIP associated with the resource ``resource_id`` (an instance, an ENI), or None (by index)."""
    for allocation_id in ctx.txn.ids(KIND, ("instance", resource_id)):
        return resources.get(ctx, KIND, allocation_id)
    return None


def associate(ctx: Context, allocation_id: str, instance_id: str, instance_type: Optional[str],
              private_ip: Optional[str] = None, mode: Optional[str] = None) -> None:
    """AssociateEipAddress of either API: with an ECS instance in a VPC, or a secondary ENI."""
    eip = owned(ctx, allocation_id, ASSOCIATE_NOT_FOUND)
    if instance_type and instance_type not in INSTANCE_TYPES:
        raise BAD_INSTANCE_TYPE
    if instance_type == NETWORK_INTERFACE:
        return _associate_interface(ctx, eip, instance_id, private_ip, mode)
    holder = HOLDERS.get(instance_type or "")
    if holder is not None:
        fields = holder.take(ctx, eip, instance_id)
        if eip["Status"] != "Available":
            raise bad_eip_status(period=False)
        _settle(ctx, {**eip, **fields, "InstanceId": instance_id, "InstanceType": instance_type,
                      "Mode": mode or eip.get("Mode") or "NAT"}, "Associating", {"Status": "InUse"})
        return None
    if instance_type and instance_type != ECS_INSTANCE:  # no such resources in mockecs
        raise INSTANCE_NOT_FOUND
    instance = resources.get(ctx, "instance", instance_id)
    if instance is None or instance["_owner"] != ctx.account:
        raise INSTANCE_NOT_FOUND
    if instance["_region"] != eip["_region"]:
        raise WRONG_REGION
    if (instance.get("InstanceNetworkType") or "vpc") != "vpc":
        raise NOT_IN_VPC
    if (instance.get("EipAddress") or {}).get("AllocationId"):
        raise ALREADY_ASSOCIATED
    if eip["Status"] != "Available":
        raise bad_eip_status(period=False)
    if (instance.get("PublicIpAddress") or {}).get("IpAddress"):
        raise HAS_PUBLIC_IP
    _check_instance_status(ctx, instance)
    resources.put(ctx.txn, "instance", {**instance, "EipAddress": shown_on_instance(eip)})
    vpc = instance.get("VpcAttributes") or {}
    private = ((vpc.get("PrivateIpAddress") or {}).get("IpAddress") or [""])[0]
    _settle(ctx, {**eip, "InstanceId": instance_id, "InstanceType": ECS_INSTANCE, "PrivateIpAddress": private,
                  "VpcId": vpc.get("VpcId") or "", "InstanceRegionId": instance["_region"],
                  "Mode": mode or eip.get("Mode") or "NAT"},
            "Associating", {"Status": "InUse"})
    return None


def _associate_interface(ctx: Context, eip: dict, eni_id: str, private_ip: Optional[str], mode: Optional[str]) -> None:
    """A secondary ENI (attached or not [GUESS]) takes the EIP on its primary private address, or the one
    asked for among its own."""
    eni = resources.get(ctx, "network_interface", eni_id)
    if eni is None or eni["_owner"] != ctx.account or eni.get("Type") == "Primary":
        raise INSTANCE_NOT_FOUND  # [GUESS] a primary ENI takes an EIP through its instance
    if eni["_region"] != eip["_region"]:
        raise WRONG_REGION
    if holder(ctx, eni_id) is not None:
        raise ALREADY_ASSOCIATED
    if eip["Status"] != "Available":
        raise bad_eip_status(period=False)
    held = [s["PrivateIpAddress"] for s in eni["PrivateIpSets"]["PrivateIpSet"]]
    if private_ip and private_ip not in held:
        raise BAD_PRIVATE_IP
    _settle(ctx, {**eip, "InstanceId": eni_id, "InstanceType": NETWORK_INTERFACE,
                  "PrivateIpAddress": private_ip or eni["PrivateIpAddress"], "VpcId": eni["VpcId"],
                  "InstanceRegionId": eni["_region"], "Mode": mode or eip.get("Mode") or "NAT"}, "Associating",
            {"Status": "InUse"})


def unassociate(ctx: Context, allocation_id: str, instance_id: Optional[str], instance_type: Optional[str],
                force: bool = False) -> None:
    """UnassociateEipAddress of either API (``instance_id`` None: the one it is associated with [GUESS]; ``force``:
    the VPC API's Force, for a holder of :data:`HOLDERS`)."""
    eip = owned(ctx, allocation_id)
    if instance_type and instance_type not in INSTANCE_TYPES:
        raise BAD_INSTANCE_TYPE
    if instance_id is not None and eip["InstanceId"] != instance_id:
        raise UNASSOCIATE_INSTANCE
    if eip["Status"] != "InUse":
        raise bad_eip_status()
    holder = HOLDERS.get(eip["InstanceType"])
    if holder is not None:
        holder.let_go(ctx, eip, force)
    instance = resources.get(ctx, "instance", eip["InstanceId"]) if eip["InstanceType"] == ECS_INSTANCE else None
    if instance is not None:
        _check_instance_status(ctx, instance)
        resources.put(ctx.txn, "instance", {**instance, "EipAddress": dict(access.NO_EIP)})
    _settle(ctx, eip, "Unassociating", {"Status": "Available", **UNASSOCIATED})


def release(ctx: Context, allocation_id: str) -> None:
    eip = owned(ctx, allocation_id)
    if eip["Status"] != "Available":  # associated (or on its way): unassociate first
        raise bad_eip_status()
    if eip["ChargeType"] == "PrePaid":
        raise PREPAID
    if eip.get("DeletionProtection"):
        raise PROTECTED
    resources.delete(ctx.txn, KIND, eip["AllocationId"])


def modify(ctx: Context, allocation_id: str, bandwidth_text: Optional[str], **changes: str) -> None:
    """ModifyEipAddressAttribute of either API (``changes``: the VPC API's Name, Description)."""
    eip = owned(ctx, allocation_id)
    if bandwidth_text is not None:
        changes["Bandwidth"] = str(bandwidth(bandwidth_text, eip["InternetChargeType"], BAD_NEW_BANDWIDTH))
    if eip["Status"] not in ("Available", "InUse"):
        raise bad_eip_status()
    eip = resources.put(ctx.txn, KIND, {**eip, **changes})
    instance = resources.get(ctx, "instance", eip["InstanceId"] or None) if eip["InstanceType"] == ECS_INSTANCE \
        else None
    if instance is not None:
        resources.put(ctx.txn, "instance", {**instance, "EipAddress": shown_on_instance(eip)})


def released_with(ctx: Context, resource_ids: Iterable[str]) -> None:
    """A resource holding an EIP goes (DeleteInstance, DeleteNetworkInterface): the EIP is unassociated and
    kept (it is billed on its own)."""
    for resource_id in resource_ids:
        for allocation_id in ctx.txn.ids(KIND, ("instance", resource_id)):
            eip = resources.get(ctx, KIND, allocation_id)
            if eip is not None:
                resources.put(ctx.txn, KIND, {**eip, **UNASSOCIATED, "Status": "Available"})

"""Public addresses: AllocateEipAddress, DescribeEipAddresses, AssociateEipAddress, UnassociateEipAddress,
ReleaseEipAddress, ModifyEipAddressAttribute, ConvertNatPublicIpToEip (the ECS API's elastic IP operations)
and AllocatePublicIpAddress (an instance's own public IP).

EIP records (kind ``eip``) carry the fields of ``DescribeEipAddressesResponseBodyEipAddressesEipAddress``
plus ``_owner`` and ``_region``, and are indexed by address and by the instance they are associated with
(:mod:`mockecs.world.access`). Associating and unassociating go through ``Associating`` /
``Unassociating`` on the lifecycle clock (kind ``eip``, instant by default); the instance shows the
address in ``EipAddress`` at once. Addresses are plausible public IPv4s, unique in the store.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Mapping, Optional

from mockecs.ops.instances import CHARGE_TYPES
from mockecs.ops.instances import INSTANCE_NOT_FOUND as NO_SUCH_INSTANCE
from mockecs.ops.registry import Context, operation
from mockecs.ops.snapshots import creation_window
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, S, Structs, whole_number
from mockecs.world import access, lifecycle, paging, resources

KIND = access.EIP
CHARGES = ("PayByBandwidth", "PayByTraffic")
ECS_INSTANCE = "EcsInstance"
# Associated resource types the EIP API knows; mockecs only keeps ECS instances.
INSTANCE_TYPES = ("EcsInstance", "SlbInstance", "Nat", "HaVip", "NetworkInterface")

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


def _bad_eip_status(period: bool = True) -> EcsError:
    # AssociateEipAddress documents the message without its final period.
    return EcsError("IncorrectEipStatus", "Current elastic IP status does not support this operation"
                    + ("." if period else ""), 400)


def _instance_status_error(action: str) -> EcsError:
    message = {"AssociateEipAddress": "Current instance status does not support this operation."}.get(
        action, "The current status of instance does not support this operation.")
    return EcsError("IncorrectInstanceStatus", message, 400)


_REGION_NOT_FOUND = ("Forbidden.RegionNotFound", 404, "Specified region is not found during access authentication.")
# RegionId is optional (declared, not required): without it, the region of the endpoint.
_OPTIONAL_REGION = {"region": "optional", "region_error": _REGION_NOT_FOUND}


def _eip(ctx: Context, allocation_id: str, not_found: type[EcsError] = NOT_FOUND) -> dict:
    return resources.owned(ctx, KIND, allocation_id, not_found)


# -- AllocateEipAddress -------------------------------------------------------------------------
@operation("AllocateEipAddress", S("Bandwidth"), S("InternetChargeType"), S("ISP"), I("ActivityId"),
           idempotent=True, region_error=("InvalidRegionId.NotFound", 404, 'Specified value of "RegionId" is not '
                                                                            "supported."))
def allocate_eip_address(ctx: Context, bandwidth: Optional[str], internet_charge_type: Optional[str],
                         isp: Optional[str], activity_id: Optional[int]) -> dict:
    charge = internet_charge_type or "PayByBandwidth"
    if charge not in CHARGES:
        raise BAD_CHARGE
    mbps = _bandwidth(bandwidth or "5", charge, BAD_BANDWIDTH)
    if access.quota_reached(ctx, KIND, "eip_quota"):
        raise QUOTA
    record = _new_eip(ctx, access.new_public_ip(ctx), mbps, charge)
    resources.put(ctx.txn, KIND, record)
    return {"AllocationId": record["AllocationId"], "EipAddress": record["IpAddress"]}


def _bandwidth(text: str, charge: str, bad: type[EcsError]) -> int:
    """Documented ranges: 1-500 Mbit/s when charged by bandwidth, 1-200 by traffic."""
    mbps = whole_number(text, 1, 500 if charge == "PayByBandwidth" else 200)
    if mbps is None:
        raise bad
    return mbps


def _new_eip(ctx: Context, address: str, mbps: int, charge: str) -> dict:
    return {
        "AllocationId": resources.new_id(KIND, ctx.region), "IpAddress": address, "Bandwidth": str(mbps),
        "InternetChargeType": charge, "ChargeType": "PostPaid", "Status": "Available",
        "AllocationTime": resources.iso(ctx.now), "ExpiredTime": "", "InstanceId": "", "InstanceType": "",
        "RegionId": ctx.region, "EipBandwidth": "", "OperationLocks": {"LockReason": []},
        "_owner": ctx.account, "_region": ctx.region,
    }


def _shown_on_instance(eip: Mapping[str, Any]) -> dict:
    """An instance's ``EipAddress`` while ``eip`` is associated with it."""
    return {"AllocationId": eip["AllocationId"], "IpAddress": eip["IpAddress"], "Bandwidth": int(eip["Bandwidth"]),
            "InternetChargeType": eip["InternetChargeType"], "IsSupportUnassociate": True}


# DescribeEipAddresses lists newest first: by (AllocationTime, AllocationId), descending [GUESS].
resources.ORDER[KIND] = lambda record: record["AllocationTime"]


# -- DescribeEipAddresses -----------------------------------------------------------------------
# DescribeEipAddresses documents these two with an empty message.
BAD_FILTER_KEY = error_kind("InvalidFilterKey.NotFound", " ", 404)
BAD_FILTER_VALUE = error_kind("InvalidFilterValue", " ", 404)


@operation("DescribeEipAddresses", S("Status"), S("EipAddress"), S("AllocationId"), S("ISP"),
           Structs("Filter", [S("Key"), S("Value")], name="filters"), S("LockReason"), S("AssociatedInstanceType"),
           S("AssociatedInstanceId"), S("ChargeType"), paging.PAGE_NUMBER_INT32, paging.PAGE_SIZE, mapping=True,
           region_error=_REGION_NOT_FOUND)
def describe_eip_addresses(ctx: Context, a: dict) -> dict:
    # Filter.N: CreationStartTime / CreationEndTime bound AllocationTime (the keys the EIP API takes).
    start, end = creation_window(a["filters"] or [], BAD_FILTER_KEY, BAD_FILTER_VALUE)
    if a["lock_reason"] and a["lock_reason"] not in ("financial", "security"):
        raise EcsError("InvalidLockReason.NotFound", "The specified LockReason is not found", 404)
    kind = a["associated_instance_type"]
    if kind and kind not in INSTANCE_TYPES:
        raise EcsError("InvalidIAssociatedInstanceType.ValueNotSupported",
                       "The specified value of AssociatedInstanceType is not supported.", 400)
    if a["associated_instance_id"] and not kind:
        raise EcsError("InstanceType.Invalid", "InstanceType is not null", 400)
    if a["charge_type"] and a["charge_type"] not in CHARGE_TYPES:
        raise EcsError("InvalidChargeType.ValueNotSupported", "The specified ChargeType is not supported.", 400)
    if paging.unfiltered(a):  # a page from the ordered index, newest first (see ORDER)
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                         a["page_number"], a["page_size"], None, None, newest_first=True)
        return {"TotalCount": meta["TotalCount"], "PageNumber": a["page_number"], "PageSize": a["page_size"],
                "EipAddresses": {"EipAddress": [resources.wire(r) for r in page]}}
    narrower = (access.ip_term(a["eip_address"]) if a["eip_address"] else None,
                ("instance", a["associated_instance_id"]) if a["associated_instance_id"] else None)
    named = [a["allocation_id"]] if a["allocation_id"] else None
    matches = []
    windowed = start is not None or end is not None
    for record in resources.mine_among(ctx, KIND, named, *narrower):
        allocated = (resources.parse_iso(record["AllocationTime"]) or 0.0) if windowed else 0.0
        if ((a["status"] and record["Status"] != a["status"])
                or (a["eip_address"] and record["IpAddress"] != a["eip_address"])
                or (kind and record["InstanceType"] != kind)
                or (a["associated_instance_id"] and record["InstanceId"] != a["associated_instance_id"])
                or (a["charge_type"] and record["ChargeType"] != a["charge_type"])
                or (a["lock_reason"] and a["lock_reason"] not in [
                    lock["LockReason"] for lock in record["OperationLocks"]["LockReason"]])
                or (start is not None and allocated < start) or (end is not None and allocated > end)):
            continue
        matches.append(record)
    matches.sort(key=lambda r: (r["AllocationTime"], r["AllocationId"]), reverse=True)  # newest first [GUESS]
    page = paging.by_number(matches, a["page_number"], a["page_size"])
    return {"TotalCount": len(matches), "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "EipAddresses": {"EipAddress": [resources.wire(r) for r in page]}}


# -- associating -----------------------------------------------------------------------------------
def _instance_type(instance_type: Optional[str]) -> None:
    if instance_type and instance_type not in INSTANCE_TYPES:
        raise BAD_INSTANCE_TYPE
    if instance_type and instance_type != ECS_INSTANCE:  # no such resources in mockecs
        raise INSTANCE_NOT_FOUND


def _check_instance_status(ctx: Context, instance: Mapping[str, Any]) -> None:
    if instance["Status"] == "Pending":
        raise PENDING
    if instance["Status"] not in ("Running", "Stopped"):
        raise _instance_status_error(ctx.action)


def _settle(ctx: Context, record: dict, now: str, then: dict) -> None:
    record = lifecycle.start(ctx, KIND, record["AllocationId"], {**record, "Status": now}, done=then)
    resources.put(ctx.txn, KIND, record)


@operation("AssociateEipAddress", S("AllocationId", required=True), S("InstanceId", required=True),
           S("InstanceType"), **_OPTIONAL_REGION)
def associate_eip_address(ctx: Context, allocation_id: str, instance_id: str, instance_type: Optional[str]) -> dict:
    eip = _eip(ctx, allocation_id, ASSOCIATE_NOT_FOUND)
    _instance_type(instance_type)
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
        raise _bad_eip_status(period=False)
    if (instance.get("PublicIpAddress") or {}).get("IpAddress"):
        raise HAS_PUBLIC_IP
    _check_instance_status(ctx, instance)
    resources.put(ctx.txn, "instance", {**instance, "EipAddress": _shown_on_instance(eip)})
    _settle(ctx, {**eip, "InstanceId": instance_id, "InstanceType": ECS_INSTANCE}, "Associating", {"Status": "InUse"})
    return {}


@operation("UnassociateEipAddress", S("AllocationId", required=True), S("InstanceId", required=True),
           S("InstanceType"), **_OPTIONAL_REGION)
def unassociate_eip_address(ctx: Context, allocation_id: str, instance_id: str,
                            instance_type: Optional[str]) -> dict:
    eip = _eip(ctx, allocation_id)
    if instance_type and instance_type not in INSTANCE_TYPES:
        raise BAD_INSTANCE_TYPE
    if eip["InstanceId"] != instance_id:
        raise UNASSOCIATE_INSTANCE
    if eip["Status"] != "InUse":
        raise _bad_eip_status()
    instance = resources.get(ctx, "instance", instance_id)
    if instance is not None:
        _check_instance_status(ctx, instance)
        resources.put(ctx.txn, "instance", {**instance, "EipAddress": dict(access.NO_EIP)})
    _settle(ctx, eip, "Unassociating", {"Status": "Available", "InstanceId": "", "InstanceType": ""})
    return {}


@operation("ReleaseEipAddress", S("AllocationId", required=True), **_OPTIONAL_REGION)
def release_eip_address(ctx: Context, allocation_id: str) -> dict:
    eip = _eip(ctx, allocation_id)
    if eip["Status"] != "Available":  # associated (or on its way): unassociate first
        raise _bad_eip_status()
    resources.delete(ctx.txn, KIND, eip["AllocationId"])
    return {}


@operation("ModifyEipAddressAttribute", S("AllocationId", required=True), S("Bandwidth", required=True),
           **_OPTIONAL_REGION)
def modify_eip_address_attribute(ctx: Context, allocation_id: str, bandwidth: str) -> dict:
    eip = _eip(ctx, allocation_id)
    mbps = _bandwidth(bandwidth, eip["InternetChargeType"], BAD_NEW_BANDWIDTH)
    if eip["Status"] not in ("Available", "InUse"):
        raise _bad_eip_status()
    eip = resources.put(ctx.txn, KIND, {**eip, "Bandwidth": str(mbps)})
    instance = resources.get(ctx, "instance", eip["InstanceId"] or None)
    if instance is not None:
        resources.put(ctx.txn, "instance", {**instance, "EipAddress": _shown_on_instance(eip)})
    return {}


@operation("ConvertNatPublicIpToEip", S("InstanceId", required=True))
def convert_nat_public_ip_to_eip(ctx: Context, instance_id: str) -> dict:
    """The instance's public IP becomes an EIP associated with it (same address, the instance's bandwidth)."""
    instance = resources.owned(ctx, "instance", instance_id, NO_SUCH_INSTANCE)
    if instance["Status"] not in ("Running", "Stopped"):
        raise EcsError("IncorrectInstanceStatus", "The current status of the instance does not support this "
                       "operation.", 403)
    if (instance.get("InstanceNetworkType") or "vpc") != "vpc":
        raise EcsError("OperationDenied", "The specified instance is not in VPC.", 403)  # VPC instances only
    addresses = instance["PublicIpAddress"]["IpAddress"]
    if not addresses or (instance.get("EipAddress") or {}).get("AllocationId"):
        raise EcsError("OperationDenied", "The specified instance has no public IP address to convert.", 403)
    if not instance.get("InternetMaxBandwidthOut"):
        raise EcsError("InvalidInstance.ZeroBandwidth", "The InternetMaxBandwidthOut of the instance is 0.", 403)
    charge = instance.get("InternetChargeType") or "PayByTraffic"
    eip = {**_new_eip(ctx, addresses[0], int(instance["InternetMaxBandwidthOut"]), charge),
           "Status": "InUse", "InstanceId": instance_id, "InstanceType": ECS_INSTANCE}
    resources.put(ctx.txn, "instance", {**instance, "PublicIpAddress": {"IpAddress": []},
                                        "EipAddress": _shown_on_instance(eip)})
    resources.put(ctx.txn, KIND, eip)
    return {}


# -- AllocatePublicIpAddress ----------------------------------------------------------------------
ALLOCATED_ALREADY = error_kind("AllocatedAlready",
                               "There is an IpAddress allocated already for the specified instance.", 403)
NO_BANDWIDTH = error_kind(
    "AllocateIpInvalidInstanceBandwidth",
    "OperationDenied The InternetMaxBandwidthOut of the specified instance cannot be less than 0.", 400)
BAD_IP = error_kind("InvalidIpAddress.Malformed", 'The specified parameter "IpAddress" is not valid.', 400)
IP_IN_USE = error_kind("IpInUse", "The specified IP is already in use.", 403)
NOT_PUBLIC = error_kind("InvalidIpAddress.NotPublic", "The specified IP is not public address.", 403)
VLAN_NOT_FOUND = error_kind("InvalidVlanId.NotFound", "The VlanId provided does not exist in our records.", 404)


def _requested_ip(ctx: Context, ip_address: Optional[str]) -> str:
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


@operation("AllocatePublicIpAddress", S("InstanceId", required=True), S("IpAddress"), S("VlanId"),
           region="optional", region_of=resources.region_from("instance_id"))
def allocate_public_ip_address(ctx: Context, instance_id: str, ip_address: Optional[str],
                               vlan_id: Optional[str]) -> dict:
    instance = resources.owned(ctx, "instance", instance_id, NO_SUCH_INSTANCE)
    if vlan_id:
        raise VLAN_NOT_FOUND  # classic VLANs are not modelled
    if instance["Status"] not in ("Running", "Stopped"):
        raise EcsError("IncorrectInstanceStatus", "The current status of the resource does not support this operation.",
                       403)
    # One public address per instance; a VPC instance with an EIP cannot have one either (documented).
    if instance["PublicIpAddress"]["IpAddress"] or (instance.get("EipAddress") or {}).get("AllocationId"):
        raise ALLOCATED_ALREADY
    if not instance.get("InternetMaxBandwidthOut"):
        raise NO_BANDWIDTH
    address = _requested_ip(ctx, ip_address)
    resources.put(ctx.txn, "instance", {**instance, "PublicIpAddress": {"IpAddress": [address]}})
    return {"IpAddress": address}

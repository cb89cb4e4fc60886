"""Public addresses: AllocateEipAddress, DescribeEipAddresses, AssociateEipAddress, UnassociateEipAddress,
ReleaseEipAddress, ModifyEipAddressAttribute, ConvertNatPublicIpToEip (the ECS API's elastic IP operations)
and AllocatePublicIpAddress, ReleasePublicIpAddress (an instance's own public IP).

EIP records and their rules are :mod:`mockecs.world.eips`, shared with the VPC API's EIP operations
(:mod:`mockecs.ops.vpc_addresses`): these handlers check ECS's own parameters and answer ECS's fields.
"""
from __future__ import annotations

from typing import Optional

from mockecs.ops.instance_network import locked_for_security
from mockecs.ops.instances import CHARGE_TYPES
from mockecs.ops.instances import INSTANCE_NOT_FOUND as NO_SUCH_INSTANCE
from mockecs.ops.registry import Context, operation
from mockecs.ops.snapshots import creation_window
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, S, Structs
from mockecs.world import access, eips, instance_clock, paging, resources
from mockecs.world.eips import INSTANCE_TYPES, KIND

REGION_NOT_FOUND = ("Forbidden.RegionNotFound", 404, "Specified region is not found during access authentication.")
# RegionId is optional (declared, not required): without it, the region of the endpoint.
OPTIONAL_REGION = {"region": "optional", "region_error": REGION_NOT_FOUND}


# -- AllocateEipAddress -------------------------------------------------------------------------
@operation("AllocateEipAddress", S("Bandwidth"), S("InternetChargeType"), S("ISP"), I("ActivityId"),
           idempotent=True, region_error=("InvalidRegionId.NotFound", 404, 'Specified value of "RegionId" is not '
                                                                            "supported."))
def allocate_eip_address(ctx: Context, bandwidth: Optional[str], internet_charge_type: Optional[str],
                         isp: Optional[str], activity_id: Optional[int]) -> dict:
    record = eips.allocate(ctx, bandwidth, internet_charge_type)
    return {"AllocationId": record["AllocationId"], "EipAddress": record["IpAddress"]}


# -- DescribeEipAddresses -----------------------------------------------------------------------
# DescribeEipAddresses documents these two with an empty message.
BAD_FILTER_KEY = error_kind("InvalidFilterKey.NotFound", " ", 404)
BAD_FILTER_VALUE = error_kind("InvalidFilterValue", " ", 404)


def check_filters(a: dict) -> tuple[Optional[float], Optional[float]]:
    """DescribeEipAddresses' checks of its filters (both APIs'); Filter.N CreationStartTime / CreationEndTime
    (the keys the EIP API takes) -> the bounds of AllocationTime."""
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
    return start, end


@operation("DescribeEipAddresses", S("Status"), S("EipAddress"), S("AllocationId"), S("ISP"),
           Structs("Filter", [S("Key"), S("Value")], name="filters"), S("LockReason"), S("AssociatedInstanceType"),
           S("AssociatedInstanceId"), S("ChargeType"), paging.PAGE_NUMBER_INT32, paging.PAGE_SIZE, mapping=True,
           region_error=REGION_NOT_FOUND)
def describe_eip_addresses(ctx: Context, a: dict) -> dict:
    start, end = check_filters(a)
    instance_clock.settle_due(ctx)  # (an instance released by the mock clock left its EIP)
    ids, ips = a["allocation_id"], a["eip_address"]
    total, page = eips.page(ctx, {**a, "isp": None}, start, end, [ids] if ids else None, [ips] if ips else None)
    return {"TotalCount": total, "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "EipAddresses": {"EipAddress": [eips.ecs_view(r) for r in page]}}


# -- associating -----------------------------------------------------------------------------------
@operation("AssociateEipAddress", S("AllocationId", required=True), S("InstanceId", required=True),
           S("InstanceType"), **OPTIONAL_REGION)
def associate_eip_address(ctx: Context, allocation_id: str, instance_id: str, instance_type: Optional[str]) -> dict:
    eips.associate(ctx, allocation_id, instance_id, instance_type)
    return {}


@operation("UnassociateEipAddress", S("AllocationId", required=True), S("InstanceId", required=True),
           S("InstanceType"), **OPTIONAL_REGION)
def unassociate_eip_address(ctx: Context, allocation_id: str, instance_id: str,
                            instance_type: Optional[str]) -> dict:
    eips.unassociate(ctx, allocation_id, instance_id, instance_type)
    return {}


@operation("ReleaseEipAddress", S("AllocationId", required=True), **OPTIONAL_REGION)
def release_eip_address(ctx: Context, allocation_id: str) -> dict:
    eips.release(ctx, allocation_id)
    return {}


@operation("ModifyEipAddressAttribute", S("AllocationId", required=True), S("Bandwidth", required=True),
           **OPTIONAL_REGION)
def modify_eip_address_attribute(ctx: Context, allocation_id: str, bandwidth: str) -> dict:
    eips.modify(ctx, allocation_id, bandwidth)
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
    eip = {**eips.new_eip(ctx, addresses[0], int(instance["InternetMaxBandwidthOut"]), charge), "Status": "InUse",
           "InstanceId": instance_id, "InstanceType": eips.ECS_INSTANCE, "InstanceRegionId": ctx.region}
    resources.put(ctx.txn, "instance", {**instance, "PublicIpAddress": {"IpAddress": []},
                                        "EipAddress": eips.shown_on_instance(eip)})
    resources.put(ctx.txn, KIND, eip)
    return {}


# -- AllocatePublicIpAddress ----------------------------------------------------------------------
ALLOCATED_ALREADY = error_kind("AllocatedAlready",
                               "There is an IpAddress allocated already for the specified instance.", 403)
NO_BANDWIDTH = error_kind(
    "AllocateIpInvalidInstanceBandwidth",
    "OperationDenied The InternetMaxBandwidthOut of the specified instance cannot be less than 0.", 400)
VLAN_NOT_FOUND = error_kind("InvalidVlanId.NotFound", "The VlanId provided does not exist in our records.", 404)


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
    address = eips.requested_ip(ctx, ip_address)
    resources.put(ctx.txn, "instance", {**instance, "PublicIpAddress": {"IpAddress": [address]}})
    return {"IpAddress": address}


# -- ReleasePublicIpAddress -----------------------------------------------------------------------
# Its metadata's codes, with what each is taken to mean (the documentation says no more; the operation is
# deprecated, still served):
IP_NOT_FOUND = error_kind("InvalidIpAddress.NotFound", 'The specified parameter "IpAddress" is not found in your '
                          "records.", 400)
# An instance's EIP is released by ReleaseEipAddress, not here [GUESS: the "in VPC" refusal]
IS_EIP = error_kind("OperationDenied", "Specified operation is denied as your instance is in VPC.", 400)
NEED_INSTANCE_ID = error_kind("InvalidIpAddress.NeedInstanceId",
                              "The specified IpAddress need to release with InstanceId.", 403)
LOCKED_FOR_SECURITY = error_kind("InstanceLockedForSecurity", "The specified operation is denied as your instance "
                                 "is locked for security reasons.", 403)
TOO_LATE = error_kind("Forbidden.ExceedDuration",
                      "Instance nat public ip can only be released in 6 hours after ecs created.", 403)
RELEASE_WINDOW = 6 * 3600  # a VPC instance's public IP: released within six hours of its creation (documented)
RELEASE_DRY_RUN = ("DryRunOperation", "This is a dryrun request with successful result.", 400)


def _holder_of(ctx: Context, address: str, instance_id: Optional[str]) -> dict:
    """The caller's instance in the region whose public IP ``address`` is: the one named (a VPC instance must
    be named [GUESS: NeedInstanceId]), else found by the address."""
    if instance_id:
        instance = resources.owned(ctx, "instance", instance_id, NO_SUCH_INSTANCE)
        if address in instance["PublicIpAddress"]["IpAddress"]:
            return instance
        raise IS_EIP if (instance.get("EipAddress") or {}).get("IpAddress") == address else IP_NOT_FOUND
    for found in sorted(ctx.txn.ids("instance", access.ip_term(address))):
        instance = resources.get(ctx, "instance", found)
        if instance is not None and resources.is_mine(ctx, instance):
            if (instance.get("InstanceNetworkType") or "vpc") == "vpc":
                raise NEED_INSTANCE_ID
            return instance
    raise IP_NOT_FOUND


@operation("ReleasePublicIpAddress", S("PublicIpAddress", required=True), S("InstanceId"), dry_run=RELEASE_DRY_RUN,
           region="optional", region_of=resources.region_from("instance_id"))
def release_public_ip_address(ctx: Context, public_ip_address: str, instance_id: Optional[str]) -> dict:
    """The instance's public IP (AllocatePublicIpAddress', or RunInstances') is given back; its bandwidth stays, so
    AllocatePublicIpAddress can take a new one [GUESS]."""
    instance = _holder_of(ctx, public_ip_address.strip(), instance_id)
    if instance["Status"] not in ("Running", "Stopped"):
        raise EcsError("IncorrectInstanceStatus", "The current status of the resource does not support this operation.",
                       403)
    if locked_for_security(instance):
        raise LOCKED_FOR_SECURITY
    vpc = (instance.get("InstanceNetworkType") or "vpc") == "vpc"
    if vpc and ctx.now - float(instance.get("_created") or 0) > RELEASE_WINDOW:
        raise TOO_LATE
    kept = [a for a in instance["PublicIpAddress"]["IpAddress"] if a != public_ip_address.strip()]
    resources.put(ctx.txn, "instance", {**instance, "PublicIpAddress": {"IpAddress": kept}})
    return {"RemainTimes": ""}  # (documented as not yet open: empty [GUESS])

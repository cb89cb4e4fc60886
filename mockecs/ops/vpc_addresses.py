"""The VPC product's API (2016-04-28, ``vpc.aliyuncs.com``) for elastic IP addresses, as Terraform's
``alicloud_eip_address`` / ``alicloud_eip_association`` and Ansible's ``ali_eip`` (footmark) manage them:
AllocateEipAddress, DescribeEipAddresses, AssociateEipAddress, UnassociateEipAddress, ReleaseEipAddress,
ModifyEipAddressAttribute, ModifyEipForwardMode, DeletionProtection (of an EIP); its tag operations TagResources,
UnTagResources, ListTagResources for EIPs, VPCs and vSwitches; MoveResourceGroup for EIPs.

The EIPs are ECS's own (:mod:`mockecs.world.eips`, the records and rules :mod:`mockecs.ops.addresses` uses):
an EIP allocated through either API is seen, associated, changed and released through the other. The VPC
API answers more of each (name, description, resource group, line, tags ...). Tags live in the tagged record
(:mod:`mockecs.world.tagging`), as the ECS API's do; ECS's tag operations do not take these types.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops import tags, vpc_networks
from mockecs.ops.addresses import OPTIONAL_REGION, check_filters
from mockecs.ops.instances import CHARGE_TYPES
from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import EcsError, error_kind, not_implemented
from mockecs.wire.params import TAGS, B, I, Repeat, S, Structs
from mockecs.world import eips, instance_clock, nat_gateways, paging, resource_groups, resources

# ISP (line) values the SDK documents.
LINES = ("BGP", "BGP_PRO", "ChinaTelecom", "ChinaUnicom", "ChinaMobile", "ChinaTelecom_L2", "ChinaUnicom_L2",
         "ChinaMobile_L2", "BGP_FinanceCloud", "BGP_International")
# [GUESS] codes and messages the VPC documentation (not reachable) would give; ECS's wording for the like.
BAD_NAME = error_kind("InvalidName.Malformed", 'The specified parameter "Name" is not valid.', 400)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", 'The specified parameter "Description" is not valid.', 400)
BAD_LINE = error_kind("InvalidParameter", 'Specified value of "ISP" is not valid', 400)
BAD_NETMODE = error_kind("InvalidParameter", 'Specified value of "Netmode" is not valid', 400)
BAD_INSTANCE_CHARGE = error_kind("InvalidParameter", 'Specified value of "InstanceChargeType" is not valid', 400)
NO_POOL = error_kind("ResourceNotFound.PublicIpAddressPool", "The specified public IP address pool is not found.", 404)


def _check_text(name: Optional[str], description: Optional[str]) -> None:
    """Name: 0-128 characters, Description 0-256, neither starting with http:// or https:// (the SDK's words)."""
    for text, limit, bad in ((name, 128, BAD_NAME), (description, 256, BAD_DESCRIPTION)):
        if text is not None and (len(text) > limit or text.lower().startswith(("http://", "https://"))):
            raise bad


# -- AllocateEipAddress -------------------------------------------------------------------------
@operation("AllocateEipAddress", S("Bandwidth"), S("InternetChargeType"), S("ISP"), I("ActivityId"), B("AutoPay"),
           S("Description"), S("InstanceChargeType"), S("InstanceId"), S("IpAddress"), S("Name"), S("Netmode"),
           I("Period", min=1), S("PricingCycle"), S("PublicIpAddressPoolId"), S("ResourceGroupId"),
           Repeat("SecurityProtectionTypes"), TAGS, S("Zone"), idempotent=True, mapping=True, api=VPC)
def allocate_eip_address(ctx: Context, a: dict) -> dict:
    # InstanceId names an EIP released before, to take its address again: mockecs forgets released ones [GUESS].
    _check_text(a["name"], a["description"])
    charge_type = a["instance_charge_type"] or "PostPaid"
    if charge_type not in CHARGE_TYPES:
        raise BAD_INSTANCE_CHARGE
    if a["isp"] and a["isp"] not in LINES:
        raise BAD_LINE
    if a["netmode"] and a["netmode"] != "public":
        raise BAD_NETMODE
    if a["public_ip_address_pool_id"]:
        raise NO_POOL  # (no address pools in mockecs)
    wanted = resources.tags_from_args(a["tag"])
    more: dict[str, Any] = {
        "Name": a["name"] or "", "Description": a["description"] or "", "ISP": a["isp"] or "BGP",
        "ResourceGroupId": resource_groups.resolve(ctx, a["resource_group_id"]), "ChargeType": charge_type,
        "Zone": a["zone"] or "", "SecurityProtectionTypes": {"SecurityProtectionType": list(
            a["security_protection_types"] or ())}}
    if charge_type == "PrePaid":  # one month (or year) per Period, from now [GUESS: 30-day months]
        days = (a["period"] or 1) * (365 if a["pricing_cycle"] == "Year" else 30)
        more["ExpiredTime"] = resources.iso_minute(ctx.now + days * 86400)
    if wanted:
        more["Tags"] = {"Tag": wanted}
    record = eips.allocate(ctx, a["bandwidth"], a["internet_charge_type"], a["ip_address"], **more)
    return {"AllocationId": record["AllocationId"], "EipAddress": record["IpAddress"],
            "ResourceGroupId": record["ResourceGroupId"]}


# -- DescribeEipAddresses -----------------------------------------------------------------------
def _view(record: Mapping[str, Any]) -> dict:
    """An EIP as the VPC API's DescribeEipAddresses answers it (fields mockecs keeps no state of: the values of
    an EIP without bandwidth plan, reservation, monitoring or protection)."""
    return {
        "AllocationId": record["AllocationId"], "AllocationTime": record["AllocationTime"],
        "Bandwidth": record["Bandwidth"], "BandwidthPackageBandwidth": "", "BandwidthPackageId": "",
        "BandwidthPackageType": "", "BizType": "", "BusinessStatus": "Normal", "ChargeType": record["ChargeType"],
        "DeletionProtection": bool(record.get("DeletionProtection")), "Description": record.get("Description", ""),
        # (the EIP's own bandwidth, outside a bandwidth plan; Terraform reads it before Bandwidth)
        "EipBandwidth": record["Bandwidth"], "ExpiredTime": record["ExpiredTime"], "HDMonitorStatus": "OFF",
        "HasReservationData": "false", "ISP": record.get("ISP", "BGP"), "InstanceId": record["InstanceId"],
        "InstanceRegionId": record.get("InstanceRegionId", ""), "InstanceType": record["InstanceType"],
        "InternetChargeType": record["InternetChargeType"], "IpAddress": record["IpAddress"],
        "Mode": record.get("Mode") or "NAT", "Name": record.get("Name", ""), "Netmode": record.get("Netmode", "public"),
        "OperationLocks": record["OperationLocks"], "PrivateIpAddress": record.get("PrivateIpAddress", ""),
        "PublicIpAddressPoolId": record.get("PublicIpAddressPoolId", ""), "RegionId": record["RegionId"],
        "ReservationActiveTime": "", "ReservationBandwidth": "", "ReservationInternetChargeType": "",
        "ReservationOrderType": "",
        "ResourceGroupId": record.get("ResourceGroupId") or resource_groups.default_id(record["_owner"]),
        "SecondLimited": False, "SecurityProtectionTypes": record.get(
            "SecurityProtectionTypes") or {"SecurityProtectionType": []},
        "SegmentInstanceId": "", "ServiceManaged": 0, "Status": record["Status"],
        "Tags": resources.key_value_tags(record),
        "VpcId": record.get("VpcId", ""), "Zone": record.get("Zone", ""),
    }


def _listed(text: Optional[str]) -> Optional[list[str]]:
    """AllocationId / EipAddress: up to 50 values, comma-separated (the VPC documentation)."""
    values = [v.strip() for v in (text or "").split(",") if v.strip()]
    if len(values) > 50:
        raise EcsError("InvalidParameter", "The number of the specified values exceeds 50.", 400)  # [GUESS]
    return values or None


@operation("DescribeEipAddresses", S("Status"), S("EipAddress"), S("AllocationId"), S("ISP"),
           Structs("Filter", [S("Key"), S("Value")], name="filters"), S("LockReason"), S("AssociatedInstanceType"),
           S("AssociatedInstanceId"), S("ChargeType"), S("EipName"), B("IncludeReservationData"),
           S("PublicIpAddressPoolId"), S("ResourceGroupId"), B("SecurityProtectionEnabled"), S("SegmentInstanceId"),
           B("ServiceManaged"), TAGS, paging.PAGE_NUMBER_INT32, paging.PAGE_SIZE, dry_run=True, mapping=True, api=VPC)
def describe_eip_addresses(ctx: Context, a: dict) -> dict:
    start, end = check_filters(a)
    instance_clock.settle_due(ctx)  # (an instance released by the mock clock left its EIP)
    wanted = {**a, "include_reservation_data": None}  # (no reservations: the flag changes nothing)
    if a["service_managed"] is False:
        wanted["service_managed"] = None  # (no managed EIPs: all are unmanaged)
    total, page = eips.page(ctx, wanted, start, end, _listed(a["allocation_id"]), _listed(a["eip_address"]))
    return {"TotalCount": total, "PageNumber": a["page_number"], "PageSize": a["page_size"],
            "EipAddresses": {"EipAddress": [_view(r) for r in page]}}


# -- associating -----------------------------------------------------------------------------------
MODES = ("NAT", "MULTI_BINDED", "BINDED")  # association modes (the SDK's words)
BAD_MODE = error_kind("InvalidParameter", 'Specified value of "Mode" is not valid', 400)  # [GUESS]


@operation("AssociateEipAddress", S("AllocationId", required=True), S("InstanceId", required=True),
           S("InstanceType"), S("PrivateIpAddress"), S("Mode"), S("VpcId"), S("InstanceRegionId"),
           idempotent=True, api=VPC, **OPTIONAL_REGION)
def associate_eip_address(ctx: Context, allocation_id: str, instance_id: str, instance_type: Optional[str],
                          private_ip_address: Optional[str], mode: Optional[str], vpc_id: Optional[str],
                          instance_region_id: Optional[str]) -> dict:
    if mode and mode not in MODES:
        raise BAD_MODE
    eips.associate(ctx, allocation_id, instance_id, instance_type, private_ip_address, mode)
    return {}


@operation("UnassociateEipAddress", S("AllocationId", required=True), S("InstanceId"), S("InstanceType"),
           S("PrivateIpAddress"), B("Force"), idempotent=True, api=VPC, **OPTIONAL_REGION)
def unassociate_eip_address(ctx: Context, allocation_id: str, instance_id: Optional[str],
                            instance_type: Optional[str], private_ip_address: Optional[str],
                            force: Optional[bool]) -> dict:
    eips.unassociate(ctx, allocation_id, instance_id, instance_type, bool(force))
    return {}


# RegionId: optional for these four (the SDK's models); ReleaseEipAddress's codes and messages are the VPC
# documentation's (the same as ECS's).
@operation("ReleaseEipAddress", S("AllocationId", required=True), api=VPC, **OPTIONAL_REGION)
def release_eip_address(ctx: Context, allocation_id: str) -> dict:
    eips.release(ctx, allocation_id)
    return {}


@operation("ModifyEipAddressAttribute", S("AllocationId", required=True), S("Bandwidth"), S("Name"),
           S("Description"), api=VPC, **OPTIONAL_REGION)
def modify_eip_address_attribute(ctx: Context, allocation_id: str, bandwidth: Optional[str], name: Optional[str],
                                 description: Optional[str]) -> dict:
    _check_text(name, description)
    changes = {field: value for field, value in (("Name", name), ("Description", description)) if value is not None}
    eips.modify(ctx, allocation_id, bandwidth, **changes)
    return {}


@operation("ModifyEipForwardMode", S("InstanceId", required=True), S("Mode", required=True), idempotent=True,
           api=VPC)
def modify_eip_forward_mode(ctx: Context, instance_id: str, mode: str) -> dict:
    """The EIP's association mode (Terraform's ``mode`` of alicloud_eip_address and alicloud_eip_association);
    kept and answered as ``Mode`` ([GUESS] any EIP, associated or not)."""
    if mode not in MODES:
        raise BAD_MODE
    eip = eips.owned(ctx, instance_id)
    if eip["Status"] not in ("Available", "InUse"):
        raise eips.bad_eip_status()
    if eip.get("Mode") != mode:
        resources.put(ctx.txn, eips.KIND, {**eip, "Mode": mode})
    return {}


# DeletionProtection: of an EIP (Type EIP) or a NAT gateway (NATGW); bandwidth plans (CBWP) are not kept [GUESS: not
# found].
PROTECTION_TYPES = ("EIP", "CBWP", "NATGW")
BAD_PROTECTION_TYPE = error_kind("InvalidParameter", 'Specified value of "Type" is not valid', 400)  # [GUESS]


@operation("DeletionProtection", S("InstanceId", required=True), B("ProtectionEnable", required=True),
           S("Type", required=True), idempotent=True, api=VPC)
def deletion_protection(ctx: Context, instance_id: str, protection_enable: bool, type: str) -> dict:
    if type not in PROTECTION_TYPES:
        raise BAD_PROTECTION_TYPE
    if type == "CBWP":
        raise eips.NOT_FOUND  # [GUESS] the code of a missing instance of the types mockecs keeps none of
    kind = eips.KIND if type == "EIP" else nat_gateways.KIND
    record = eips.owned(ctx, instance_id) if type == "EIP" else nat_gateways.owned(ctx, instance_id)
    if bool(record.get("DeletionProtection")) != protection_enable:
        resources.put(ctx.txn, kind, {**record, "DeletionProtection": protection_enable})
    return {}


# -- tags -------------------------------------------------------------------------------------------
# ResourceType (case-insensitive, documented) -> store kind, for what mockecs keeps; the name answered.
KINDS = {"vpc": "vpc", "vswitch": "vswitch", "eip": eips.KIND, "natgateway": nat_gateways.KIND,
         "routetable": "route_table", "dhcpoptionsset": "dhcp_options_set", "ipv6gateway": "ipv6_gateway"}
NAMES = {"vpc": "VPC", "vswitch": "VSWITCH", "eip": "EIP", "natgateway": "NATGATEWAY", "routetable": "ROUTETABLE",
         "dhcpoptionsset": "DHCPOPTIONSSET", "ipv6gateway": "IPV6GATEWAY"}
# Documented types mockecs keeps no records of: valid, their ids are never found.
OTHER_TYPES = ("vpngateway", "commonbandwidthpackage", "prefixlist",
               "publicipaddresspool", "ipv4gateway", "networkacl", "trafficmirrorfilter",
               "trafficmirrorsession", "flowlog", "havip", "gatewayendpoint", "ipv6address")
BAD_TYPE = error_kind("InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.", 404)


def _kind(resource_type: str) -> tuple[Optional[str], str]:
    """(store kind or None, the ResourceType as answered)."""
    name = resource_type.strip().lower()
    if name in KINDS:
        return KINDS[name], NAMES[name]
    if name in OTHER_TYPES:
        return None, name.upper()
    raise BAD_TYPE


@operation("TagResources", S("ResourceType", required=True), Repeat("ResourceId", required=True),
           Structs("Tag", [S("Key"), S("Value")], required=True), api=VPC)
def tag_resources(ctx: Context, resource_type: str, resource_id: list[str], tag: list[dict]) -> dict:
    kind, _ = _kind(resource_type)
    if len(resource_id) > 50:
        raise tags.number_exceeded("ResourceIds", 50)
    if len(tag) > 20:
        raise tags.number_exceeded("Tags", 20)
    wanted = tags.check_tags(tag)
    for record in tags.owned_records(ctx, kind, resource_id):
        tags.put_tags(ctx, kind, record, wanted)
    return {}


@operation("UnTagResources", S("ResourceType", required=True), Repeat("ResourceId", required=True),
           Repeat("TagKey"), B("All", default=False, name="remove_all"), api=VPC)
def un_tag_resources(ctx: Context, resource_type: str, resource_id: list[str], tag_key: Optional[list[str]],
                     remove_all: bool) -> dict:
    kind, _ = _kind(resource_type)
    if len(resource_id) > 50:
        raise tags.number_exceeded("ResourceIds", 50, period=False)
    keys = [k for k in tag_key or () if k]
    if len(keys) > 20:
        raise tags.number_exceeded("Tags", 20, period=False)
    tags.drop_tags(ctx, kind, tags.owned_records(ctx, kind, resource_id), keys, remove_all)
    return {}


@operation("ListTagResources", S("ResourceType", required=True), Repeat("ResourceId"),
           Structs("Tag", [S("Key"), S("Value")]), I("MaxResults", default=50, min=1, max=50), S("NextToken"),
           api=VPC)
def list_tag_resources(ctx: Context, resource_type: str, resource_id: Optional[list[str]],
                       tag: Optional[list[dict]], max_results: int, next_token: Optional[str]) -> dict:
    kind, type_name = _kind(resource_type)
    ids, wanted = resource_id or [], tag or []
    if len(ids) > 50:
        raise tags.number_exceeded("ResourceIds", 50)
    if len(wanted) > 20:
        raise tags.number_exceeded("Tags", 20)
    exact = tags.exact_filters(wanted)
    if not ids and not exact:
        raise EcsError("BothEmpty.TagsAndResources",
                       "The specified Tags and ResourcesIds are not allow to both empty.", 403)
    paging.offset(next_token)  # a token we did not issue is refused before any work
    named = {i: resources.get(ctx, kind, i) for i in dict.fromkeys(ids)} if kind else {}
    rows, token = tags.tag_listing(ctx, kind, named if ids else None, exact, [], next_token, max_results, type_name)
    # No NextToken on the last page [GUESS]: the provider's VpcService.ListTagResources (alicloud_nat_gateway's
    # read) asks again until the answer has none, so the service must leave it out there.
    return {**({"NextToken": token} if token else {}), "TagResources": {"TagResource": rows}}


# -- MoveResourceGroup --------------------------------------------------------------------------------
# ResourceType (case-insensitive [GUESS], as the tag operations'): EIPs, VPCs, DHCP options sets and IPv6 gateways
# move; the other documented types answer that mockecs does not implement them.
GROUP_TYPES = ("vpc", "eip", "bandwidthpackage", "prefixlist", "publicipaddresspool", "flowlog", "havip",
               "trafficmirrorfilter", "trafficmirrorsession", "ipv4gateway", "ipv6gateway", "ipv6address",
               "dhcpoptionsset", "gatewayendpoint")


@operation("MoveResourceGroup", S("ResourceId", required=True), S("ResourceType", required=True),
           S("NewResourceGroupId", required=True), api=VPC)
def move_resource_group(ctx: Context, resource_id: str, resource_type: str, new_resource_group_id: str) -> dict:
    """Move an EIP or a VPC into another resource group (Terraform's resource_group_id update of
    alicloud_eip_address and alicloud_vpc)."""
    name = resource_type.strip().lower()
    if name not in GROUP_TYPES:
        raise BAD_TYPE
    if name in ("dhcpoptionsset", "ipv6gateway"):
        return _move(ctx, KINDS[name], resource_id, new_resource_group_id)
    if name not in ("eip", "vpc"):
        raise not_implemented(f"MoveResourceGroup of ResourceType {resource_type}", "vpc")
    if not resource_groups.exists(ctx, new_resource_group_id):
        raise resource_groups.NOT_FOUND
    if name == "vpc":  # (kept apart from ECS's fields: ECS's DescribeVpcs answers no group)
        vpc = resources.owned(ctx, "vpc", resource_id, vpc_networks.ERRORS.vpc_not_found)
        resources.put(ctx.txn, "vpc", {**vpc, "_resource_group_id": new_resource_group_id})
        return {}
    eip = eips.owned(ctx, resource_id)
    if eip.get("ResourceGroupId") != new_resource_group_id:
        resources.put(ctx.txn, eips.KIND, {**eip, "ResourceGroupId": new_resource_group_id})
    return {}


def _move(ctx: Context, kind: str, resource_id: str, group_id: str) -> dict:
    if not resource_groups.exists(ctx, group_id):
        raise resource_groups.NOT_FOUND
    record = resources.owned(ctx, kind, resource_id, tags.NOT_FOUND)  # [GUESS] the tag operations' not-found
    if record["ResourceGroupId"] != group_id:
        resources.put(ctx.txn, kind, {**record, "ResourceGroupId": group_id})
    return {}

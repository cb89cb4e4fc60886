"""NAT gateways on ECS's API (2014-05-26; deprecated there in favour of the VPC API's, :mod:`mockecs.ops.vpc_nat`):
CreateNatGateway (a standard gateway with one NAT bandwidth package), DescribeNatGateways, DeleteNatGateway, the DNAT
entries (CreateForwardEntry, DescribeForwardTableEntries, ModifyForwardEntry, DeleteForwardEntry) and the bandwidth
packages (DescribeBandwidthPackages, AddBandwidthPackageIps, RemoveBandwidthPackageIps, ModifyBandwidthPackageSpec,
DeleteBandwidthPackage).

One world with the VPC API's: the same gateway and entry records and rules (:mod:`mockecs.world.nat_gateways`,
:mod:`mockecs.world.bandwidth_packages`); a gateway or entry made through either API is seen, changed and deleted
through the other. ECS answers the fields of its own response models, and its metadata's codes where they differ.
"""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import I, Repeat, S, Structs
from mockecs.world import bandwidth_packages as bwp
from mockecs.world import nat_gateways as ngw
from mockecs.world import paging, resources

PAGE = (paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))
MISSING = ("MissingParameter", "Miss mandatory parameter.", 400)
MISSING_DNAT = ("MissingParameter", "Missing mandatory parameter.", 400)  # (CreateForwardEntry's words)
MISSING_DELETE = ("MissingParameter", "Missing mandatory parameter", 400)  # (DeleteForwardEntry's)
# ECS's words where they differ from the VPC API's.
NOT_FOUND = error_kind("InvalidNatGatewayId.NotFound", "The specified NatGatewayId does not exist in our records.",
                       404)
DELETE_STATUS = error_kind("IncorrectStatus.natgw", "NatGateway status is invalid.", 404)
LIST_TABLE_NOT_FOUND = error_kind("InvalidForwardTableId.NotFound", "Specified forwardTableId does not exist", 404)
# CreateForwardEntry's words where ECS's metadata words the shared rules' codes differently (a period more or less).
CREATE_DNAT_WORDS = {kind.code: kind for kind in (
    error_kind("InvalidExternalIp.NotFound", "Specified External Ip address does not found on the VRouter.", 404),
    error_kind("InvalidIp.NotInNatgw", "The specified ip not belong to natgateway.", 400),
    error_kind("Forbidden.ExternalIp.UsedInSnatTable", "The specified ExternalIp is already used in SnatTable.", 400))}
GATEWAY_FIELDS = ("Status", "CreationTime", "VpcId", "Spec", "Description", "NatGatewayId", "BusinessStatus", "Name",
                  "InstanceChargeType", "RegionId", "ForwardTableIds")
ENTRY_FIELDS = ("Status", "ForwardEntryId", "InternalIp", "InternalPort", "ForwardTableId", "ExternalPort",
                "IpProtocol", "ExternalIp")
DNAT_FIELDS = ("ExternalIp", "ExternalPort", "InternalIp", "InternalPort", "IpProtocol")
# InvalidRegionId.NotFound in each operation's documented words
REGION = ("InvalidRegionId.NotFound", 404, "The specified RegionId does not exist in our records.")


def _gateway_view(ctx: Context, record: dict) -> dict:
    return {**{k: record[k] for k in GATEWAY_FIELDS},
            "BandwidthPackageIds": {"BandwidthPackageId": bwp.package_ids(ctx, record["NatGatewayId"])}}


# -- gateways ----------------------------------------------------------------------------------------------------
@operation("CreateNatGateway", S("VpcId", required=True, missing=MISSING), S("Name"), S("Description"),
           Structs("BandwidthPackage", [I("IpCount"), I("Bandwidth"), S("Zone")], max_items=10,
                   name="bandwidth_packages", required=True, missing=bwp.ONE_PACKAGE_WORDS), idempotent=True,
           region_error=REGION)
def create_nat_gateway(ctx: Context, vpc_id: str, name: Optional[str], description: Optional[str],
                       bandwidth_packages: Optional[list[dict]]) -> dict:
    gateway, package = bwp.create_with_gateway(ctx, vpc_id, bandwidth_packages, name, description)
    return {"NatGatewayId": gateway["NatGatewayId"], "ForwardTableIds": gateway["ForwardTableIds"],
            "BandwidthPackageIds": {"BandwidthPackageId": [package["BandwidthPackageId"]]}}


@operation("DescribeNatGateways", S("NatGatewayId"), S("VpcId"), *PAGE, region_error=REGION)
def describe_nat_gateways(ctx: Context, nat_gateway_id: Optional[str], vpc_id: Optional[str], page_number: int,
                          page_size: int) -> dict:
    page, total = paging.by_creation(ctx, ngw.KIND, not (nat_gateway_id or vpc_id), lambda: (
        r for r in resources.mine_among(ctx, ngw.KIND, [nat_gateway_id] if nat_gateway_id else None,
                                        ("vpc", vpc_id) if vpc_id else None)
        if not vpc_id or r["VpcId"] == vpc_id), page_number, page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "NatGateways": {"NatGateway": [_gateway_view(ctx, r) for r in page]}}


@operation("DeleteNatGateway", S("NatGatewayId", required=True), region_error=REGION)
def delete_nat_gateway(ctx: Context, nat_gateway_id: str) -> dict:
    record = ngw.owned(ctx, nat_gateway_id, NOT_FOUND)
    if record["Status"] != ngw.AVAILABLE:
        raise DELETE_STATUS
    if bwp.package_ids(ctx, nat_gateway_id):  # (ECS's first dependency: its packages' addresses carry the entries)
        raise ngw.HAS_PACKAGES
    ngw.delete(ctx, nat_gateway_id, False)
    return {}


# -- DNAT (forward) entries: the VPC API's rules (mockecs.world.nat_gateways) -------------------------------------
def _dnat(a: dict) -> dict:
    return {field: a[resources_name] for field, resources_name in zip(DNAT_FIELDS, (
        "external_ip", "external_port", "internal_ip", "internal_port", "ip_protocol"))}


@operation("CreateForwardEntry", S("ForwardTableId", required=True, missing=MISSING_DNAT),
           *(S(field, required=True, missing=MISSING_DNAT) for field in DNAT_FIELDS), mapping=True, region_error=REGION)
def create_forward_entry(ctx: Context, a: dict) -> dict:
    try:
        record = ngw.create_dnat(ctx, a["forward_table_id"], _dnat(a), None)
    except EcsError as error:
        if error.code in CREATE_DNAT_WORDS:
            raise CREATE_DNAT_WORDS[error.code] from None
        raise
    return {"ForwardEntryId": record["ForwardEntryId"]}


@operation("DescribeForwardTableEntries", S("ForwardTableId", required=True), S("ForwardEntryId"), *PAGE,
           region_error=REGION)
def describe_forward_table_entries(ctx: Context, forward_table_id: str, forward_entry_id: Optional[str],
                                   page_number: int, page_size: int) -> dict:
    ngw.gateway_of_table(ctx, "forward_table", forward_table_id, LIST_TABLE_NOT_FOUND)
    found = ngw.entries(ctx, ngw.DNAT, forward_table_id, forward_entry_id, lambda r: True)
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "ForwardTableEntries": {"ForwardTableEntry": [
                {k: r[k] for k in ENTRY_FIELDS} for r in paging.by_number(found, page_number, page_size)]}}


@operation("ModifyForwardEntry", S("ForwardTableId", required=True), S("ForwardEntryId", required=True),
           *(S(field) for field in DNAT_FIELDS), mapping=True, region_error=REGION)
def modify_forward_entry(ctx: Context, a: dict) -> dict:
    ngw.modify_dnat(ctx, a["forward_table_id"], a["forward_entry_id"], _dnat(a), None)
    return {}


@operation("DeleteForwardEntry", S("ForwardTableId", required=True, missing=MISSING_DELETE),
           S("ForwardEntryId", required=True, missing=MISSING_DELETE), region_error=REGION)
def delete_forward_entry(ctx: Context, forward_table_id: str, forward_entry_id: str) -> dict:
    ngw.delete_entry(ctx, ngw.DNAT, forward_table_id, forward_entry_id)
    return {}


# -- NAT bandwidth packages ------------------------------------------------------------------------------------------
PACKAGE_FIELDS = ("Status", "CreationTime", "IpCount", "RegionId", "InstanceChargeType", "BandwidthPackageId",
                  "Description", "Bandwidth", "NatGatewayId", "ZoneId", "InternetChargeType", "BusinessStatus",
                  "Name", "ISP", "PublicIpAddresses")


@operation("DescribeBandwidthPackages", S("BandwidthPackageId"), S("NatGatewayId"), *PAGE, region_error=REGION)
def describe_bandwidth_packages(ctx: Context, bandwidth_package_id: Optional[str], nat_gateway_id: Optional[str],
                                page_number: int, page_size: int) -> dict:
    page, total = paging.by_creation(ctx, bwp.KIND, not (bandwidth_package_id or nat_gateway_id),
                                     lambda: bwp.listing(ctx, bandwidth_package_id, nat_gateway_id), page_number,
                                     page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "BandwidthPackages": {"BandwidthPackage": [{k: r[k] for k in PACKAGE_FIELDS} for r in page]}}


@operation("AddBandwidthPackageIps", S("BandwidthPackageId", required=True), S("IpCount", required=True),
           idempotent=True, region_error=REGION)
def add_bandwidth_package_ips(ctx: Context, bandwidth_package_id: str, ip_count: str) -> dict:
    bwp.add_ips(ctx, bandwidth_package_id, ip_count)
    return {}


@operation("RemoveBandwidthPackageIps", S("BandwidthPackageId", required=True),
           Repeat("RemovedIpAddresses", required=True), idempotent=True, region_error=REGION)
def remove_bandwidth_package_ips(ctx: Context, bandwidth_package_id: str, removed_ip_addresses: list[str]) -> dict:
    bwp.remove_ips(ctx, bandwidth_package_id, removed_ip_addresses)
    return {}


@operation("ModifyBandwidthPackageSpec", S("BandwidthPackageId", required=True),
           S("Bandwidth", required=True, missing=("MissingParam.Bandwidth", "The parameter Bandwidth is mandatory.",
                                                  400)), region_error=REGION)
def modify_bandwidth_package_spec(ctx: Context, bandwidth_package_id: str, bandwidth: str) -> dict:
    bwp.modify_spec(ctx, bandwidth_package_id, bandwidth)
    return {}


@operation("DeleteBandwidthPackage", S("BandwidthPackageId", required=True), region_error=REGION)
def delete_bandwidth_package(ctx: Context, bandwidth_package_id: str) -> dict:
    bwp.delete(ctx, bandwidth_package_id)
    return {}

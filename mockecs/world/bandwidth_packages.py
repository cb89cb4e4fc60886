"""NAT bandwidth packages: the public addresses and bandwidth of a standard NAT gateway as ECS's deprecated
CreateNatGateway made them (``BandwidthPackage.N``), and AddBandwidthPackageIps, RemoveBandwidthPackageIps,
ModifyBandwidthPackageSpec, DeleteBandwidthPackage, DescribeBandwidthPackages (:mod:`mockecs.ops.legacy_nat`).

Records (kind ``bandwidth_package``) carry the fields DescribeBandwidthPackages answers plus ``_owner``,
``_region``, ``_created``; they are indexed by gateway (``nat_gateway``) and by each address (``bwp_ip``), so the
gateway's DNAT and SNAT entries take those addresses as they take its EIPs (:mod:`mockecs.world.nat_gateways`), and
an address in use by an entry is found without a scan. Not modelled: common bandwidth packages (the VPC API's
CBWP), CEN and GA bandwidth packages, billing.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.state.store import Term
from mockecs.wire.errors import error_kind
from mockecs.wire.params import whole_number
from mockecs.world import access, nat_gateways, regions, resources
from mockecs.world.context import Context

KIND = nat_gateways.PACKAGE
# [GUESS] the limits of the retired product's documentation as remembered by its SDK's users: 1-5 addresses per
# package, 5-5000 Mbit/s.
MAX_IPS, MIN_BANDWIDTH, MAX_BANDWIDTH = 5, 5, 5000

# -- errors: ECS's metadata for CreateNatGateway and the bandwidth package operations.
NOT_FOUND = error_kind("InvalidBandwidthPackageId.NotFound",
                       "The specified BandwidthPackageId does not exist in our records.", 404)
ONE_PACKAGE_WORDS = ("MissingParameter.BandwidthPackage",
                     "only support one BandwidthPackage be created with NatGateway.", 400)
ONE_PACKAGE = error_kind(*ONE_PACKAGE_WORDS)
CREATE_ILLEGAL = error_kind("ParameterIllegal", "ipCount,bandwidth parameter invalid", 400)
IPS_QUOTA = error_kind("QuotaExceeded.BandwidthPackageIps", "The specified ipCount exceeded quota.", 400)
ZONE_NOT_FOUND = error_kind("InvalidZoneId.NotFound", "Specified value of ZoneId is not exists.", 404)
BAD_IP_COUNT = error_kind("InvalidIpCount.ValueNotSupported", "The specified value of IpCount not supported.", 400)
REMOVE_ALL = error_kind("InvalidIpCount.ValueNotSupported", "Can not remove all ips of the bandwidthPackage.", 400)
NOT_IN_PACKAGE = error_kind("invalidRemovedIpAddresses.NotFound", "Some of the specified value of RemovedIpAddress "
                            "not found in specified BandwidthPackage.", 404)
IP_IN_DNAT = error_kind("DependencyViolation.ForwardEntry", "The ip has been used by ForwardEntry.", 400)
# [GUESS] an address an SNAT entry (the VPC API's) uses: the DNAT words.
IP_IN_SNAT = error_kind("DependencyViolation.ForwardEntry", "The ip has been used by ForwardEntry.", 400)
HAS_DNAT = error_kind("DependencyViolation.ForwardEntry", "The specified BandwidthPackageId has dependent resource.",
                      400)
HAS_SNAT = error_kind("DependencyViolation.SnatEntry", "The specified BandwidthPackageId has dependent resource.", 400)
BAD_BANDWIDTH = error_kind("IllegalParam.Bandwidth", "Bandwidth is illegal.", 400)
BANDWIDTH_UNSUPPORTED = error_kind("InvalidBandwidth.ValueNotSupported",
                                   "The specified value of Bandwidth not supported.", 404)


def _terms(record: Mapping[str, Any]) -> list[Term]:
    return [("nat_gateway", record["NatGatewayId"]), *(("bwp_ip", ip) for ip in addresses(record))]


resources.TERMS[KIND] = _terms
resources.ORDER[KIND] = lambda r: f"{resources.time_key(r['_created'])} {r['BandwidthPackageId']}"


def addresses(record: Mapping[str, Any]) -> list[str]:
    return [a["IpAddress"] for a in record["PublicIpAddresses"]["PublicIpAddresse"]]


def owned(ctx: Context, package_id: Optional[str]) -> dict:
    return resources.owned(ctx, KIND, package_id, NOT_FOUND)


def _new_addresses(ctx: Context, count: int) -> list[dict]:
    return [{"AllocationId": resources.new_id("eip", ctx.region), "IpAddress": access.new_public_ip(ctx)}
            for _ in range(count)]


def create_with_gateway(ctx: Context, vpc_id: Optional[str], packages: Optional[list[dict]], name: Optional[str],
                        description: Optional[str]) -> tuple[dict, dict]:
    """ECS's CreateNatGateway: the standard gateway and its one bandwidth package (``packages``: the
    ``BandwidthPackage.N`` arguments {ip_count, bandwidth, zone}), both stored."""
    if not packages or len(packages) != 1:
        raise ONE_PACKAGE
    (asked,) = packages
    ip_count, bandwidth = asked.get("ip_count"), asked.get("bandwidth")
    if ip_count is None or bandwidth is None or ip_count < 1 or not MIN_BANDWIDTH <= bandwidth <= MAX_BANDWIDTH:
        raise CREATE_ILLEGAL
    if ip_count > MAX_IPS:
        raise IPS_QUOTA
    zones = regions.zone_ids(ctx.region)
    zone = asked.get("zone") or zones[0]  # [GUESS] the region's first zone when none is named
    if zone not in zones:
        raise ZONE_NOT_FOUND
    gateway = nat_gateways.create_standard(ctx, vpc_id, name, description)
    package_id = resources.new_id(KIND, ctx.region)
    package = {"BandwidthPackageId": package_id, "NatGatewayId": gateway["NatGatewayId"], "RegionId": ctx.region,
               "ZoneId": zone, "IpCount": str(ip_count), "Bandwidth": str(bandwidth), "Status": "Available",
               "BusinessStatus": "Normal", "InstanceChargeType": "PostPaid", "InternetChargeType": "PayByBandwidth",
               "ISP": "BGP", "Name": "", "Description": "", "CreationTime": resources.iso(ctx.now),
               "PublicIpAddresses": {"PublicIpAddresse": _new_addresses(ctx, ip_count)},
               "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    gateway = nat_gateways.store_new(ctx, gateway)
    return gateway, resources.put(ctx.txn, KIND, package)


def package_ids(ctx: Context, nat_gateway_id: str) -> list[str]:
    return sorted(ctx.txn.ids(KIND, ("nat_gateway", nat_gateway_id)))


def add_ips(ctx: Context, package_id: str, ip_count: str) -> None:
    record = owned(ctx, package_id)
    count = whole_number(ip_count, 1, 10**9)
    if count is None:
        raise BAD_IP_COUNT
    held = record["PublicIpAddresses"]["PublicIpAddresse"]
    if len(held) + count > MAX_IPS:
        raise IPS_QUOTA
    held = held + _new_addresses(ctx, count)
    resources.put(ctx.txn, KIND, {**record, "IpCount": str(len(held)), "PublicIpAddresses": {"PublicIpAddresse": held}})


def remove_ips(ctx: Context, package_id: str, removed: list[str]) -> None:
    record = owned(ctx, package_id)
    held = record["PublicIpAddresses"]["PublicIpAddresse"]
    gone = set(removed)
    if not gone <= set(addresses(record)):
        raise NOT_IN_PACKAGE
    for ip in gone:
        if ctx.txn.count(nat_gateways.DNAT, ("dnat_ip", ip)):
            raise IP_IN_DNAT
        if ctx.txn.count(nat_gateways.SNAT, ("snat_ip", ip)):
            raise IP_IN_SNAT
    rest = [a for a in held if a["IpAddress"] not in gone]
    if not rest:
        raise REMOVE_ALL
    resources.put(ctx.txn, KIND, {**record, "IpCount": str(len(rest)), "PublicIpAddresses": {"PublicIpAddresse": rest}})


def modify_spec(ctx: Context, package_id: str, bandwidth: str) -> None:
    record = owned(ctx, package_id)
    mbps = whole_number(bandwidth, 0, 10**9)
    if mbps is None:
        raise BAD_BANDWIDTH
    if not MIN_BANDWIDTH <= mbps <= MAX_BANDWIDTH:
        raise BANDWIDTH_UNSUPPORTED
    resources.put(ctx.txn, KIND, {**record, "Bandwidth": str(mbps)})


def delete(ctx: Context, package_id: str) -> None:
    """DeleteBandwidthPackage: refused while an entry uses one of its addresses."""
    record = owned(ctx, package_id)
    ips = addresses(record)
    if any(ctx.txn.count(nat_gateways.DNAT, ("dnat_ip", ip)) for ip in ips):
        raise HAS_DNAT
    if any(ctx.txn.count(nat_gateways.SNAT, ("snat_ip", ip)) for ip in ips):
        raise HAS_SNAT
    resources.delete(ctx.txn, KIND, package_id)


def listing(ctx: Context, package_id: Optional[str], nat_gateway_id: Optional[str]) -> list[dict]:
    """DescribeBandwidthPackages: the caller's packages here (of one gateway, or the one named), oldest first."""
    found = [r for r in resources.mine_among(ctx, KIND, [package_id] if package_id else None,
                                             ("nat_gateway", nat_gateway_id) if nat_gateway_id else None)
             if not nat_gateway_id or r["NatGatewayId"] == nat_gateway_id]
    return sorted(found, key=resources.ORDER[KIND])

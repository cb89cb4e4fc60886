"""The VPC product's record kinds whose modules load with their operations (on first call): VPCs and vSwitches
(:mod:`mockecs.world.vpcs`), DHCP options sets (:mod:`~mockecs.world.dhcp_options`), route tables and entries
(:mod:`~mockecs.world.routes`), IPv6 gateways (:mod:`~mockecs.world.ipv6_gateways`) and Express Connect
(:mod:`~mockecs.world.express_connect`). Their index terms and sort keys are declared here, imported at once, so a
record is indexed alike whoever writes it (an imported state, a reindex, another kind's operation) while those
modules, their error kinds and rules, are loaded only when used (they were 15% of ``mock_ecs``'s import)."""
from __future__ import annotations

from typing import Any, Mapping

from mockecs.state.store import Term
from mockecs.world import networks, resources

VPC, VSWITCH = "vpc", "vswitch"
DHCP_OPTIONS_SET = "dhcp_options_set"
ROUTE_TABLE, ROUTE_ENTRY = "route_table", "route_entry"
IPV6_GATEWAY, IPV6_BANDWIDTH, IPV6_RULE = "ipv6_gateway", "ipv6_internet_bandwidth", "ipv6_egress_rule"
LINE, VBR, RI = "physical_connection", "virtual_border_router", "router_interface"  # (Express Connect)


def vpc_terms(record: Mapping[str, Any]) -> list:
    """A VPC's term of the DHCP options set it holds."""
    dhcp = record.get("_dhcp")
    return [("dhcp_options_set", dhcp["id"])] if dhcp else []


def vswitch_terms(record: Mapping[str, Any]) -> list:
    """A vSwitch's terms, and the custom route table it is bound to (:mod:`mockecs.world.routes`)."""
    terms = list(networks.vswitch_terms(record))
    if record.get("_custom_route_table"):
        terms.append(("custom_route_table", record["_custom_route_table"]))
    return terms


def scoped(record: Mapping[str, Any], name: str, value: str) -> Term:
    return (name, f"{record['_owner']}|{record['_region']}|{value}")


resources.TERMS[VSWITCH] = vswitch_terms
resources.TERMS[VPC] = vpc_terms
# DescribeVpcs / DescribeVSwitches list in creation order (ties by id).
resources.ORDER[VPC] = resources.ORDER[VSWITCH] = lambda record: resources.time_key(record.get("_created", 0.0))
resources.by_creation(DHCP_OPTIONS_SET)

resources.TERMS[ROUTE_TABLE] = lambda r: [("vpc", r["VpcId"])]
resources.TERMS[ROUTE_ENTRY] = lambda r: [("route_table", r["RouteTableId"]), ("vpc", r["_vpc"]),
                                          ("next_hop", r["NextHopId"])]
resources.ORDER[ROUTE_TABLE] = resources.ORDER[ROUTE_ENTRY] = lambda r: resources.time_key(r.get("_created", 0.0))

resources.TERMS.update({
    IPV6_GATEWAY: lambda r: [("vpc", r["VpcId"])],
    IPV6_BANDWIDTH: lambda r: [("ipv6_gateway", r["Ipv6GatewayId"]), ("ipv6_public", r["_address"])],
    IPV6_RULE: lambda r: [("ipv6_gateway", r["_gateway"]), ("ipv6_egress", r["InstanceId"])],
})
for _kind in (IPV6_GATEWAY, IPV6_BANDWIDTH, IPV6_RULE):  # listed in creation order (then by id)
    resources.by_creation(_kind)

resources.TERMS[LINE] = lambda r: [scoped(r, "line_ap", r["AccessPointId"])]
resources.TERMS[VBR] = lambda r: [("line", r["PhysicalConnectionId"]),
                                  ("vbr_vlan", f"{r['PhysicalConnectionId']}|{r['VlanId']}")]
resources.TERMS[RI] = lambda r: [("ri_router", r["RouterId"]),
                                 *([("ri_link", r["_link"])] if r.get("_link") else [])]
for _kind in (LINE, VBR, RI):
    resources.ORDER[_kind] = (lambda id_field: lambda r: f"{resources.time_key(r['_created'])} {r[id_field]}")(
        resources.ID_FIELD[_kind])

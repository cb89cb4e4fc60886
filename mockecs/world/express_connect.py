"""Express Connect as ECS's deprecated operations (2014-05-26) manage it: physical connections (the leased line to an
access point), virtual border routers (VBRs: a VLAN of a line, with its gateway addresses) and router interfaces
(RIs: the two ends of a link between a VPC's router and a VBR, or two VPCs' routers). Records and state machines
only: nothing is routed, billed or built (:mod:`mockecs.ops.express_connect`).

Records (kinds ``physical_connection``, ``virtual_border_router``, ``router_interface``) carry the fields their
listings answer plus ``_owner``, ``_region``, ``_created``; index terms find a line's VBRs and VLANs, a router's
interfaces and a connected pair without a scan.

State machines ([GUESS] where the documentation names states but no API moves between them):

- physical connection: ``Initial`` -> ``Allocated`` on the mock clock (kind ``physical_connection``: the provider's
  approval and the line's construction happen off the API) -> ``Enabled`` (EnablePhysicalConnection, from
  ``Allocated`` or ``Confirmed``) -> ``Terminated`` (TerminatePhysicalConnection, ``Terminating`` on the clock);
  CancelPhysicalConnection before it is enabled -> ``Canceled``; DeletePhysicalConnection of an ``Initial``,
  ``Canceled``, ``Rejected`` or ``Terminated`` line with no VBR;
- VBR: ``active`` when made on an ``Enabled`` line -> ``terminated`` (TerminateVirtualBorderRouter) -> ``active``
  (RecoverVirtualBorderRouter); DeleteVirtualBorderRouter when ``active`` or ``terminated`` and no RI is on it;
- router interface: ``Idle`` when made -> ``Active`` (ConnectRouterInterface of the initiating side: both ends,
  ``Connecting`` on the clock) <-> ``Inactive`` (Deactivate/ActivateRouterInterface); DeleteRouterInterface when
  ``Idle`` or ``Inactive``.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Callable, Mapping, Optional

from mockecs.wire.errors import error_kind
from mockecs.world import ids, lifecycle, regions, resources, routes, vpc_kinds
from mockecs.world.context import Context

LINE, VBR, RI = vpc_kinds.LINE, vpc_kinds.VBR, vpc_kinds.RI  # (their terms and order: mockecs.world.vpc_kinds)
LINE_OPERATORS = ("CT", "CU", "CM", "CO", "Equinix", "Other")
PORT_SPECS = {"100Base-T": "100M", "1000Base-T": "1G", "1000Base-LX": "1G", "10GBase-T": "10G", "10GBase-LR": "10G",
              "40GBase-LR": "40G", "100GBase-LR": "100G"}  # ([GUESS] the Spec a port gives)
SPECS = ("Mini.2", "Mini.5", "Small.1", "Small.2", "Small.5", "Middle.1", "Middle.2", "Middle.5", "Large.1",
         "Large.2", "Large.5", "Xlarge.1")
NEGATIVE = "Negative"  # (the accepting side's spec)
ROLES, ROUTER_TYPES = ("InitiatingSide", "AcceptingSide"), ("VRouter", "VBR")
# [GUESS] limits: lines per access point, VBRs per line, interfaces per router; a line's bandwidth in Mbit/s.
MAX_LINES_PER_AP, MAX_VBRS_PER_LINE, MAX_RIS_PER_ROUTER = 10, 10, 5
MIN_BANDWIDTH, MAX_BANDWIDTH = 2, 100000

# -- errors: ECS's metadata for each operation; [GUESS] where marked.
LINE_NOT_FOUND = error_kind("InvalidPhysicalConnectionId.NotFound",
                            "The PhysicalConnectionId provided does not exist in our records.", 404)
AP_NOT_ENABLED = error_kind("InvalidAccessPointId.NotEnabled", "Invalid access point status.", 400)
BAD_AP_TYPE = error_kind("InvalidAccessPointType.NotSupport", "Invalid access point type.", 400)
AP_NOT_FOUND = error_kind("InvalidAccessPointId.NotFound", "The AccessPointId provided does not exist in our records.",
                          404)
BAD_TYPE = error_kind("InvalidType.Malformd", "The Type provided was invalid.", 400)
BAD_OPERATOR = error_kind("InvalidLineOperator.Malformd", "The LineOperator provided was invalid.", 400)
BAD_PORT = error_kind("InvalidPortType.Malformd", "The PortType provided was invalid.", 400)
BAD_PEER = error_kind("InvalidPeerLocation.Malformd", "The PeerLocation provided was invalid.", 400)
LINE_BAD_NAME = error_kind("InvalidName.Malformed", "The specified ??Name?? is not valid.", 400)
LINE_BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specifid ??Description?? is not valid.", 400)
BAD_BANDWIDTH = error_kind("InvalidBandwidth", "invalid physical connection banwidth.", 400)
BAD_CIRCUIT = error_kind("InvalidCircuitCode.Malformed", "circuitCode is illegal.", 400)
REDUNDANT_NOT_FOUND = error_kind("InvalidRedundantPhysicalConnectionId.NotFound",
                                 "The RedundantPhysicalConnectionId  does not found.", 400)
REDUNDANT_STATUS = error_kind("InvalidRedundantPhysicalConnectionStatus",
                              "invalid redundant physical connection status.", 400)
LINES_QUOTA = error_kind("QuotaExceeded.pConnPerAP", "Physical connection count per ap quota exceed.", 400)
NOT_IN_STATE = error_kind("Forbidden.NotAllowedInState", "The request does not allow in this state.", 400)
LINE_STATUS = error_kind("InvalidStatus", "invalid physical connection status.", 400)
LINE_LISTING_NOT_FOUND = error_kind("InvalidPhysicalConnectionId.NotFound",
                                    "The specified PhysicalConnectionId does not belong to user.", 404)
LINE_HAS_VBRS = error_kind("Forbidden.VBRExists", "physical connection owner's vbr still exists.", 400)
LINE_VBRS_ATTACHED = error_kind("Forbidden.VbrAttached", "Cannot terminate physical connection when virtual border "
                                "routers are still attached.", 400)
# VBRs
VBR_LINE_NOT_FOUND = error_kind("InvalidPhysicalConnectionId.NotFound",
                                "The specified PhysicalConnectionId is not found.", 400)
VBR_LINE_NOT_ENABLED = error_kind("InvalidPhysicalConnectionId.NotEnabled",
                                  "The specified PhysicalConnectionId is not in Enabled state.", 400)
VLAN_USED = error_kind("InvalidVlanId.Used", "The specified VlanId has been used.", 400)
BAD_VLAN = error_kind("InvalidVlanId.Malformed", "The specified VlanId is not valid.", 400)
VBR_BAD_CIRCUIT = error_kind("InvalidCircuitCode.Malformed", "The specified CircuitCode is not valid.", 400)
BAD_LOCAL_IP = error_kind("InvalidLocalGatewayIp.Malformed", "The specified LocalGatewayIp is not valid.", 400)
BAD_IP = error_kind("InvalidIp.Malformed", "The specified ip address is not valid.", 400)  # (ModifyVBR's)
# [GUESS] a malformed PeerGatewayIp at CreateVirtualBorderRouter (no code documented for it there).
BAD_PEER_IP = error_kind("InvalidPeerGatewayIp.Malformed", "The specified PeerGatewayIp is not valid.", 400)
BAD_MASK = error_kind("InvalidPeeringSubnetMask.Malformed", "The specified PeeringSubnetMask is not valid.", 400)
VBR_BAD_NAME = error_kind("InvalidName.Malformed", "The specified Name is not valid.", 400)
VBR_BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The specifid Description is not valid.", 400)
VBRS_QUOTA = error_kind("QuotaExceeded.vbrPerpConn", "Virtual boarder router per PhysicalConnection quota exceed.",
                        400)
NOT_SAME_SUBNET = error_kind("InvalidIp.NotSameSubnet",
                             "Local gateway ip and peer gateway ip are not in the same subnet.", 400)
GATEWAYS_INCOMPLETE = error_kind("MissingParameter",
                                 "LocalGatewayIp, peerGatewayIp and peeringSubnetMask must not be null.", 400)
BAD_VBR_OWNER = error_kind("InvalidVbrOwnerId.NotFound", "The specified VbrOwnerId is not valid.", 404)
VBR_NOT_FOUND = error_kind("InvalidVbrId.NotFound", "The specified VirutalBorderRouter is not found.", 404)
DELETE_VBR_NOT_FOUND = error_kind("InvalidVbrId.NotFound",
                                  "The specified VirutalBorderRouter does not exist in our records.", 404)
MODIFY_VBR_NOT_FOUND = error_kind("InvalidVbrId.NotFound", "The specified VirutalBorderRouter is not found.", 400)
VBR_STATE = error_kind("InvalidOperation.OperationNotAllowedInState",
                       "The specified VirutalBorderRouter is in invalid state.", 400)
RECOVER_STATE = error_kind("InvalidOperation.OperationNotAllowedInState",
                           "The specified VirutalBorderRouter is in invalid state", 400)
VBR_HAS_RIS = error_kind("InvalidOperation.RouterInterfaceNotDeleted",
                         "The specified VirutalBorderRouter still has routerInterface.", 400)
# router interfaces
BAD_ROLE = error_kind("InvalidRole.ValueNotSupported", "The specified Role is not valid.", 400)
BAD_SPEC = error_kind("InvalidSpec.ValudNotSupported", "The specified Spec is not supported.", 400)
BAD_ROUTER_TYPE = error_kind("InvalidRouterType.ValueNotSupported", "The specified RouterType is not valid.", 400)
BAD_OPPOSITE_TYPE = error_kind("InvalidOppositeRouterType.ValueNotSupported",
                               "The specified OppositeRouterType is not valid.", 400)
ROLE_SPEC = error_kind("ParameterMismatch.Role-Spec", "The specified Spec and Role mismatch.", 400)
RI_BAD_NAME = error_kind("InvalidName.Malformed", 'The specified "Name" is not valid.', 400)
RI_BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", 'The specifid "Description" is not valid.', 400)
RIS_ON_ROUTER = error_kind("LimitationExceed.InterfaceNumberOnRouter",
                           "Total number of RouterInterfaces on a Router exceeded.", 400)
ACCEPTING_PREPAID = error_kind("Forbidden.AcceptRoleNotSupportPrePay",
                               "Acception side ri not support chargetype for prepaid.", 400)
HEALTH_CHECK_TYPE = error_kind("OperationFailed.HcForInvalidRiType", "Healthchecksourceip and healthchecktargetip is "
                               "only valid for vr ri that is connected to vbr.", 400)
BAD_CHARGE = error_kind("InvalidRouterInterfaceChargeType.Malformed",
                        "Specified RouterInterface ChargeType is not valid.", 400)
VBR_NOT_ACTIVE = error_kind("INVAID_VBR_STATUS", "VBR status must be active", 400)
ROUTER_NOT_FOUND = error_kind("InvalidRouterId.NotFound", "The specified RouterId does not exist in our recored.", 404)
OPPOSITE_REGION = error_kind("InvalidOppositeRegionId.NotFound",
                             "The oppositeRegionId provided does not exist in our records.", 404)
ACCESS_POINT_NOT_ALLOWED = error_kind("InvalidAccessPoint.ValueNotAllowed",
                                      "The non-vbr router interface cannot have access point configured.", 500)
RI_NOT_FOUND = error_kind("InvalidRouterInterfaceId.NotFound",
                          "The specified RouterInterfaceId does not exist in our records.", 404)
RI_NOT_FOUND_RECORD = error_kind("InvalidRouterInterfaceId.NotFound",  # (Deactivate, ModifySpec, Connect: "record")
                                 "The specified RouterInterfaceId does not exist in our record.", 404)
DELETE_RI_NOT_FOUND = error_kind("InvalidInstanceId.NotFound",
                                 "The InstanceId provided does not exist in our records.", 404)
DELETE_STATUS = error_kind("IncorrectStatus", "This openeration would be allowed only when status of this "
                           "RouterInterface is Idle/Inactive.", 400)
RI_IN_ROUTES = error_kind("DependencyViolation.RouterInterfaceReferedByRouteEntry", "RouterInterface cannot be "
                          "deleted when it is refered by a route table entry as next hop.", 400)
PREPAID_DELETE = error_kind("InvalidRouterInterfaceChargeType.Malformed", "The prepaid routerinterface can not delete.",
                            500)
ACTIVATE_STATUS = error_kind("IncorrectStatus", "RouterInterface can be operated by this action only when it's status "
                             "is Inactive.", 400)
DEACTIVATE_STATUS = error_kind("IncorrectStatus", "RouterInterface can be operated by this action only when it's "
                               "status is Active.", 400)
MODIFY_STATUS = error_kind("IncorrectStatus", "RouterInterface can be operated by this action only when the status "
                           "is Active,idle or inactive.", 400)
MODIFY_BAD_NAME = error_kind("InvalidName.Malformd", "The attribute name is illeagl.", 400)
MODIFY_BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", "The Description is illeagl.", 400)
MODIFY_VBR_OPPOSITE = error_kind("Forbbiden.ModifyIdAndType", "Opposite is VBR, cannot modify the ID and type", 400)
MODIFY_OPPOSITE = error_kind("InvalidParam.ModifyRouterInterface", "Modify routerinterface param invalid", 400)
SPEC_MALFORMED = error_kind("InvalidRouterInterfaceSpec.Malformed", "Specified RouterInterface spec is not valid.", 400)
NOT_INITIATING = error_kind("IncorrectRole.NotInitiatingSide", "The specified RouterInterface is not InitiatingSide.",
                            400)
CONNECT_STATUS = error_kind("IncorrectStatus",
                            "RouterInterface can be operated by this action only when it??s status is Idle.", 400)
OPPOSITE_NOT_SET = error_kind("IncorrectOppositeInterfaceInfo.NotSet", "OppositeInterfaceId/OppositeRouterId/"
                              "OppositeRouterType/OppositeInterfaceOwnerId must be all set.", 400)
SAME_ROUTER = error_kind("IncorrectOppositeInterfaceInfo", "Cannot connect on the same router", 400)
ONE_CONNECTION = error_kind("Forbidden.OnlyOneConnection", "The Specified routers have a connection already", 400)
# ConnectRouterInterface documents its AttrMismatching codes with "%s": [GUESS] the words.
MISMATCH = {name: error_kind(f"AttrMismatching.AcceptingSide{name}",
                             f"The accepting side's {name} does not match.", 400)
            for name in ("Role", "InstanceId", "RegionNo", "RouterId", "RouterType", "OppositeInterfaceId",
                         "OppositeRouterId", "OppositeRouterType", "OppositeRegionNo")}
BAD_FILTER = error_kind("InvalidFilterKey.ValueNotSupported", "Specified filter key is not supported: Filter.X.key",
                        404)


def _text(name: Optional[str], description: Optional[str], bad_name: type, bad_description: type) -> None:
    """Names 2-128 characters starting with a letter, descriptions 2-256; neither starting with http(s)://
    ([GUESS] the VPC product's usual rule)."""
    for text, bad, longest in ((name, bad_name, 128), (description, bad_description, 256)):
        if text and (not 2 <= len(text) <= longest or text.lower().startswith(("http://", "https://"))
                     or (bad is bad_name and not text[0].isalpha())):
            raise bad


def _now(ctx: Context) -> str:
    return resources.iso(ctx.now)


# -- access points (DescribeAccessPoints): [GUESS] three per region, the last one closed to new lines ----------------
def access_points(region: str) -> list[dict]:
    return [{"AccessPointId": f"ap-{region}-{site}", "Name": f"{region} {site}", "Type": "VPC", "Status": status,
             "AttachedRegionNo": region, "HostOperator": "Alibaba Cloud", "Location": f"{region} data centre {site}",
             "Description": ""}
            for site, status in (("yh-A", "recommended"), ("yh-B", "hot"), ("xx-C", "disabled"))]


def access_point_listing(ctx: Context, type_name: Optional[str], filters: Optional[list[dict]]) -> list[dict]:
    if type_name not in (None, "", "VPC"):
        raise BAD_AP_TYPE
    return listing(ctx, "access_point", filters, access_points(ctx.region))


# -- physical connections --------------------------------------------------------------------------------------
def _line(ctx: Context, line_id: Optional[str], not_found: type = LINE_NOT_FOUND) -> dict:
    return resources.owned(ctx, LINE, line_id, not_found)


def _line_fields(ctx: Context, a: Mapping[str, Any], line_id: str = "") -> dict:
    """The line's attributes given in ``a`` (snake names), checked."""
    out: dict[str, Any] = {}
    if a.get("line_operator") is not None:
        if a["line_operator"] not in LINE_OPERATORS:
            raise BAD_OPERATOR
        out["LineOperator"] = a["line_operator"]
    if a.get("port_type") is not None:
        if a["port_type"] not in PORT_SPECS:
            raise BAD_PORT
        out.update(PortType=a["port_type"], Spec=PORT_SPECS[a["port_type"]])
    if a.get("peer_location") is not None:
        if not a["peer_location"].strip() or len(a["peer_location"]) > 256:
            raise BAD_PEER
        out["PeerLocation"] = a["peer_location"]
    if a.get("bandwidth") is not None:
        if not MIN_BANDWIDTH <= a["bandwidth"] <= MAX_BANDWIDTH:
            raise BAD_BANDWIDTH
        out["Bandwidth"] = a["bandwidth"]
    if a.get("circuit_code") is not None:
        if len(a["circuit_code"]) > 64:
            raise BAD_CIRCUIT
        out["CircuitCode"] = a["circuit_code"]
    if a.get("redundant_physical_connection_id"):
        other = resources.get(ctx, LINE, a["redundant_physical_connection_id"])
        if not resources.is_mine(ctx, other) or other["PhysicalConnectionId"] == line_id:
            raise REDUNDANT_NOT_FOUND
        if other["Status"] in ("Canceled", "Terminated", "Rejected"):
            raise REDUNDANT_STATUS
        out["RedundantPhysicalConnectionId"] = other["PhysicalConnectionId"]
    _text(a.get("name"), a.get("description"), LINE_BAD_NAME, LINE_BAD_DESCRIPTION)
    out.update({k: a[s] for k, s in (("Name", "name"), ("Description", "description")) if a.get(s) is not None})
    return out


def create_line(ctx: Context, a: Mapping[str, Any]) -> dict:
    """CreatePhysicalConnection: ``Initial``, then ``Allocated`` on the mock clock."""
    if (a["type"] or "VPC") != "VPC":
        raise BAD_TYPE
    access_point = a["access_point_id"]
    point = next((p for p in access_points(ctx.region) if p["AccessPointId"] == access_point), None)
    if point is None:
        raise AP_NOT_FOUND
    if point["Status"] == "disabled":
        raise AP_NOT_ENABLED
    fields = _line_fields(ctx, {**a, "port_type": a["port_type"] or "1000Base-T",
                                "bandwidth": 100 if a["bandwidth"] is None else a["bandwidth"]})
    if ctx.txn.count(LINE, ("line_ap", f"{ctx.account}|{ctx.region}|{access_point}")) >= MAX_LINES_PER_AP:
        raise LINES_QUOTA
    line_id = resources.new_id(LINE, ctx.region)
    record = {"PhysicalConnectionId": line_id, "AccessPointId": access_point, "Type": "VPC", "Status": "Initial",
              "BusinessStatus": "Normal", "CreationTime": _now(ctx), "EnabledTime": "", "AdLocation": "",
              "PortNumber": "", "CircuitCode": "", "RedundantPhysicalConnectionId": "", "Name": "", "Description": "",
              **fields, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return resources.put(ctx.txn, LINE, lifecycle.start(ctx, LINE, line_id, record, done={"Status": "Allocated"}))


def modify_line(ctx: Context, line_id: str, a: Mapping[str, Any]) -> None:
    record = _line(ctx, line_id)
    changes = _line_fields(ctx, a, line_id)
    if set(changes) - {"Name", "Description"} and record["Status"] not in ("Initial", "Allocated", "Confirmed"):
        raise LINE_STATUS  # ([GUESS] the line's own attributes change only before it is enabled)
    if changes:
        resources.put(ctx.txn, LINE, {**record, **changes})


def _vbr_ids(ctx: Context, line_id: str) -> list[str]:
    return sorted(ctx.txn.ids(VBR, ("line", line_id)))


def enable_line(ctx: Context, line_id: str) -> None:
    record = _line(ctx, line_id)
    if record["Status"] not in ("Allocated", "Confirmed"):
        raise NOT_IN_STATE
    resources.put(ctx.txn, LINE, {**record, "Status": "Enabled", "EnabledTime": _now(ctx),
                                  "PortNumber": record["PortNumber"] or str(ids.source().randint(1, 48))})


def cancel_line(ctx: Context, line_id: str) -> None:
    record = _line(ctx, line_id)
    if record["Status"] not in ("Initial", "Approved", "Allocating", "Allocated", "Confirmed"):
        raise NOT_IN_STATE
    resources.put(ctx.txn, LINE, {**record, "Status": "Canceled"})


def terminate_line(ctx: Context, line_id: str) -> None:
    record = _line(ctx, line_id)
    if record["Status"] != "Enabled":
        raise NOT_IN_STATE
    if any(v is not None and v["Status"] != "terminated" for v in resources.get_many(ctx, VBR, _vbr_ids(ctx, line_id))):
        raise LINE_VBRS_ATTACHED
    resources.put(ctx.txn, LINE, lifecycle.start(ctx, LINE, line_id, {**record, "Status": "Terminating"},
                                                 done={"Status": "Terminated"}))


def delete_line(ctx: Context, line_id: str) -> None:
    record = _line(ctx, line_id)
    if record["Status"] not in ("Initial", "Canceled", "Rejected", "Terminated"):
        raise NOT_IN_STATE
    if _vbr_ids(ctx, line_id):
        raise LINE_HAS_VBRS
    resources.delete(ctx.txn, LINE, line_id)


# -- virtual border routers ------------------------------------------------------------------------------------
def _vbr(ctx: Context, vbr_id: Optional[str], not_found: type = VBR_NOT_FOUND) -> dict:
    return resources.owned(ctx, VBR, vbr_id, not_found)


def _vlan(ctx: Context, line_id: str, vlan_id: int, vbr_id: str = "") -> int:
    if not 1 <= vlan_id <= 2999:
        raise BAD_VLAN
    if set(ctx.txn.ids(VBR, ("vbr_vlan", f"{line_id}|{vlan_id}"))) - {vbr_id}:
        raise VLAN_USED
    return vlan_id


def _gateways(local: str, peer: str, mask: str, bad_local: type, bad_peer: type) -> None:
    """The VBR's and the customer's addresses must sit in one subnet of the mask."""
    try:
        local_ip = ipaddress.IPv4Address(local)
    except ValueError:
        raise bad_local from None
    try:
        peer_ip = ipaddress.IPv4Address(peer)
    except ValueError:
        raise bad_peer from None
    try:
        network = ipaddress.IPv4Network(f"{local}/{mask}", strict=False)
    except ValueError:
        raise BAD_MASK from None
    if peer_ip not in network or local_ip == peer_ip:
        raise NOT_SAME_SUBNET


def create_vbr(ctx: Context, a: Mapping[str, Any]) -> dict:
    line = _line(ctx, a["physical_connection_id"], VBR_LINE_NOT_FOUND)
    if line["Status"] != "Enabled":
        raise VBR_LINE_NOT_ENABLED
    vlan = _vlan(ctx, line["PhysicalConnectionId"], a["vlan_id"])
    if a["circuit_code"] is not None and len(a["circuit_code"]) > 64:
        raise VBR_BAD_CIRCUIT
    gateways = (a["local_gateway_ip"], a["peer_gateway_ip"], a["peering_subnet_mask"])
    if any(gateways):
        _gateways(*(g or "" for g in gateways), BAD_LOCAL_IP, BAD_PEER_IP)
    _text(a["name"], a["description"], VBR_BAD_NAME, VBR_BAD_DESCRIPTION)
    owner = str(a["vbr_owner_id"]) if a["vbr_owner_id"] is not None else ctx.account
    if not (owner.isdigit() and len(owner) == 16):
        raise BAD_VBR_OWNER
    if len(_vbr_ids(ctx, line["PhysicalConnectionId"])) >= MAX_VBRS_PER_LINE:
        raise VBRS_QUOTA
    vbr_id = resources.new_id(VBR, ctx.region)
    record = {"VbrId": vbr_id, "PhysicalConnectionId": line["PhysicalConnectionId"], "VlanId": vlan,
              "Status": "active", "CreationTime": _now(ctx), "ActivationTime": _now(ctx), "RecoveryTime": "",
              "TerminationTime": "", "CircuitCode": a["circuit_code"] or "",
              "LocalGatewayIp": gateways[0] or "", "PeerGatewayIp": gateways[1] or "",
              "PeeringSubnetMask": gateways[2] or "", "Name": a["name"] or "", "Description": a["description"] or "",
              "AccessPointId": line["AccessPointId"], "PhysicalConnectionOwnerUid": ctx.account,
              "RouteTableId": resources.new_id("route_table", ctx.region),
              "VlanInterfaceId": resources.new_id(RI, ctx.region),
              "_owner": owner, "_region": ctx.region, "_created": ctx.now}
    return resources.put(ctx.txn, VBR, record)


def vbr_view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """A VBR as DescribeVirtualBorderRouters answers it: its line's status read from the line."""
    line = resources.get(ctx, LINE, record["PhysicalConnectionId"]) or {}
    return {**resources.wire(record), "PhysicalConnectionStatus": line.get("Status", ""),
            "PhysicalConnectionBusinessStatus": line.get("BusinessStatus", "")}


def modify_vbr(ctx: Context, vbr_id: str, a: Mapping[str, Any]) -> None:
    record = _vbr(ctx, vbr_id, MODIFY_VBR_NOT_FOUND)
    changes: dict[str, Any] = {}
    if a["vlan_id"] is not None:
        changes["VlanId"] = _vlan(ctx, record["PhysicalConnectionId"], a["vlan_id"], vbr_id)
    if a["circuit_code"] is not None:
        if len(a["circuit_code"]) > 64:
            raise VBR_BAD_CIRCUIT
        changes["CircuitCode"] = a["circuit_code"]
    asked = {"LocalGatewayIp": a["local_gateway_ip"], "PeerGatewayIp": a["peer_gateway_ip"],
             "PeeringSubnetMask": a["peering_subnet_mask"]}
    if any(v is not None for v in asked.values()):
        merged = {k: record[k] if v is None else v for k, v in asked.items()}
        if not all(merged.values()):
            raise GATEWAYS_INCOMPLETE
        _gateways(merged["LocalGatewayIp"], merged["PeerGatewayIp"], merged["PeeringSubnetMask"], BAD_IP, BAD_IP)
        changes.update(merged)
    _text(a["name"], a["description"], VBR_BAD_NAME, VBR_BAD_DESCRIPTION)
    changes.update({k: a[s] for k, s in (("Name", "name"), ("Description", "description")) if a[s] is not None})
    if changes:
        resources.put(ctx.txn, VBR, {**record, **changes})


def terminate_vbr(ctx: Context, vbr_id: str) -> None:
    record = _vbr(ctx, vbr_id)
    if record["Status"] != "active":
        raise VBR_STATE
    resources.put(ctx.txn, VBR, {**record, "Status": "terminated", "TerminationTime": _now(ctx)})


def recover_vbr(ctx: Context, vbr_id: str) -> None:
    record = _vbr(ctx, vbr_id)
    if record["Status"] != "terminated":
        raise RECOVER_STATE
    resources.put(ctx.txn, VBR, {**record, "Status": "active", "RecoveryTime": _now(ctx)})


def delete_vbr(ctx: Context, vbr_id: str) -> None:
    record = _vbr(ctx, vbr_id, DELETE_VBR_NOT_FOUND)
    if record["Status"] not in ("active", "terminated"):
        raise VBR_STATE
    if ctx.txn.count(RI, ("ri_router", vbr_id)):
        raise VBR_HAS_RIS
    resources.delete(ctx.txn, VBR, vbr_id)


def vbrs_of_line(ctx: Context, line_id: str) -> list[dict]:
    """DescribeVirtualBorderRoutersForPhysicalConnection: the line's VBRs, whoever owns them."""
    _line(ctx, line_id, LINE_LISTING_NOT_FOUND)
    found = [v for v in resources.get_many(ctx, VBR, _vbr_ids(ctx, line_id)) if v is not None]
    return sorted(found, key=resources.ORDER[VBR])


# -- router interfaces -------------------------------------------------------------------------------------------
def _router(ctx: Context, router_type: str, router_id: str) -> None:
    """The caller's router of that type here: a VPC's (by its VRouterId) or an active VBR."""
    if router_type == "VRouter":
        if not routes.vrouters(ctx, router_id):
            raise ROUTER_NOT_FOUND
        return
    vbr = resources.get(ctx, VBR, router_id)
    if not resources.is_mine(ctx, vbr):
        raise ROUTER_NOT_FOUND
    if vbr["Status"] != "active":
        raise VBR_NOT_ACTIVE


def create_ri(ctx: Context, a: Mapping[str, Any]) -> dict:
    role, spec, router_type = a["role"], a["spec"], a["router_type"]
    if role not in ROLES:
        raise BAD_ROLE
    if spec not in SPECS + (NEGATIVE,):
        raise BAD_SPEC
    if (spec == NEGATIVE) != (role == "AcceptingSide"):
        raise ROLE_SPEC
    if router_type not in ROUTER_TYPES:
        raise BAD_ROUTER_TYPE
    opposite_type = a["opposite_router_type"] or "VRouter"
    if opposite_type not in ROUTER_TYPES:
        raise BAD_OPPOSITE_TYPE
    charge = a["instance_charge_type"] or "PostPaid"
    if charge not in ("PostPaid", "PrePaid"):
        raise BAD_CHARGE
    if charge == "PrePaid" and role == "AcceptingSide":
        raise ACCEPTING_PREPAID
    if not regions.exists(a["opposite_region_id"]):
        raise OPPOSITE_REGION
    _text(a["name"], a["description"], RI_BAD_NAME, RI_BAD_DESCRIPTION)
    if (a["health_check_source_ip"] or a["health_check_target_ip"]) and not (
            router_type == "VRouter" and opposite_type == "VBR"):
        raise HEALTH_CHECK_TYPE
    if a["access_point_id"] and router_type != "VBR":
        raise ACCESS_POINT_NOT_ALLOWED
    _router(ctx, router_type, a["router_id"])
    if ctx.txn.count(RI, ("ri_router", a["router_id"])) >= MAX_RIS_PER_ROUTER:
        raise RIS_ON_ROUTER
    ri_id = resources.new_id(RI, ctx.region)
    months = (a["period"] or 1) * (12 if a["pricing_cycle"] == "Year" else 1)
    record = {"RouterInterfaceId": ri_id, "Role": role, "Spec": spec, "RouterType": router_type,
              "RouterId": a["router_id"], "OppositeRegionId": a["opposite_region_id"],
              "OppositeRouterType": opposite_type, "OppositeRouterId": a["opposite_router_id"] or "",
              "OppositeInterfaceId": a["opposite_interface_id"] or "",
              "OppositeInterfaceOwnerId": a["opposite_interface_owner_id"] or "",
              "OppositeAccessPointId": a["opposite_access_point_id"] or "",
              "AccessPointId": a["access_point_id"] or "", "HealthCheckSourceIp": a["health_check_source_ip"] or "",
              "HealthCheckTargetIp": a["health_check_target_ip"] or "", "Name": a["name"] or "",
              "Description": a["description"] or "", "Status": "Idle", "BusinessStatus": "Normal",
              "ChargeType": "PrePaid" if charge == "PrePaid" else "AfterPay", "CreationTime": _now(ctx),
              "ConnectedTime": "",
              "EndTime": resources.iso(ctx.now + months * 30 * 86400) if charge == "PrePaid" else "",
              "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return resources.put(ctx.txn, RI, record)


def order_id() -> int:
    """An order number for CreateRouterInterface's answer ([GUESS] the form of the service's)."""
    return 200000000000000 + ids.source().randrange(10**14)


def _ri(ctx: Context, ri_id: Optional[str], not_found: type = RI_NOT_FOUND) -> dict:
    return resources.owned(ctx, RI, ri_id, not_found)


def ri_view(ctx: Context, record: Mapping[str, Any]) -> dict:
    """A router interface as DescribeRouterInterfaces answers it: the opposite end's status and spec read from
    the opposite record (when mockecs holds it)."""
    opposite = resources.get(ctx, RI, record["OppositeInterfaceId"] or None)
    return {**resources.wire(record),
            "OppositeInterfaceSpec": opposite["Spec"] if opposite else "",
            "OppositeInterfaceStatus": opposite["Status"] if opposite else "",
            "OppositeInterfaceBusinessStatus": opposite["BusinessStatus"] if opposite else ""}


def _settle(ctx: Context, record: dict, now: str, then: str, **changes: Any) -> None:
    resources.put(ctx.txn, RI, lifecycle.start(ctx, RI, record["RouterInterfaceId"],
                                               {**record, **changes, "Status": now}, done={"Status": then}))


def connect(ctx: Context, ri_id: str) -> None:
    """ConnectRouterInterface of the initiating side: both ends ``Connecting``, then ``Active``."""
    record = _ri(ctx, ri_id, RI_NOT_FOUND_RECORD)
    if record["Role"] != "InitiatingSide":
        raise NOT_INITIATING
    if record["Status"] != "Idle":
        raise CONNECT_STATUS
    if not (record["OppositeInterfaceId"] and record["OppositeRouterId"]):
        raise OPPOSITE_NOT_SET
    if record["OppositeRouterId"] == record["RouterId"]:
        raise SAME_ROUTER
    other = resources.get(ctx, RI, record["OppositeInterfaceId"])
    owner = record["OppositeInterfaceOwnerId"] or ctx.account
    if other is None or other["_owner"] != owner:
        raise MISMATCH["InstanceId"]
    checks: list[tuple[str, Callable[[], bool]]] = [
        ("Role", lambda: other["Role"] == "AcceptingSide"),
        ("RegionNo", lambda: other["_region"] == record["OppositeRegionId"]),
        ("RouterId", lambda: other["RouterId"] == record["OppositeRouterId"]),
        ("RouterType", lambda: other["RouterType"] == record["OppositeRouterType"]),
        ("OppositeInterfaceId", lambda: other["OppositeInterfaceId"] in ("", ri_id)),
        ("OppositeRouterId", lambda: other["OppositeRouterId"] in ("", record["RouterId"])),
        ("OppositeRouterType", lambda: other["OppositeRouterType"] == record["RouterType"]),
        ("OppositeRegionNo", lambda: other["OppositeRegionId"] == ctx.region)]
    for name, holds in checks:
        if not holds():
            raise MISMATCH[name]
    if other["Status"] != "Idle":
        raise CONNECT_STATUS
    link = "|".join(sorted((record["RouterId"], other["RouterId"])))
    if ctx.txn.count(RI, ("ri_link", link)):
        raise ONE_CONNECTION
    now = _now(ctx)
    _settle(ctx, record, "Connecting", "Active", ConnectedTime=now, _link=link,
            OppositeInterfaceOwnerId=other["_owner"])
    _settle(ctx, other, "AcceptingConnecting", "Active", ConnectedTime=now, _link=link, OppositeInterfaceId=ri_id,
            OppositeRouterId=record["RouterId"], OppositeInterfaceOwnerId=ctx.account)


def activate(ctx: Context, ri_id: str) -> None:
    record = _ri(ctx, ri_id)
    if record["Status"] != "Inactive":
        raise ACTIVATE_STATUS
    _settle(ctx, record, "Activating", "Active")


def deactivate(ctx: Context, ri_id: str) -> None:
    record = _ri(ctx, ri_id, RI_NOT_FOUND_RECORD)
    if record["Status"] != "Active":
        raise DEACTIVATE_STATUS
    _settle(ctx, record, "Deactivating", "Inactive")


def modify_ri(ctx: Context, ri_id: str, a: Mapping[str, Any]) -> None:
    record = _ri(ctx, ri_id)
    if record["Status"] not in ("Active", "Idle", "Inactive"):
        raise MODIFY_STATUS
    _text(a["name"], a["description"], MODIFY_BAD_NAME, MODIFY_BAD_DESCRIPTION)
    opposite = {k: a[s] for k, s in (("OppositeInterfaceId", "opposite_interface_id"),
                                     ("OppositeRouterId", "opposite_router_id"),
                                     ("OppositeRouterType", "opposite_router_type")) if a[s] is not None}
    if a["opposite_interface_owner_id"] is not None:
        opposite["OppositeInterfaceOwnerId"] = str(a["opposite_interface_owner_id"])
    if opposite:
        if record["OppositeRouterType"] == "VBR" and ({"OppositeRouterId", "OppositeRouterType"} & set(opposite)):
            raise MODIFY_VBR_OPPOSITE
        if opposite.get("OppositeRouterType", "VRouter") not in ROUTER_TYPES:
            raise BAD_OPPOSITE_TYPE
        if record["Status"] != "Idle":  # ([GUESS] a connected end keeps its opposite)
            raise MODIFY_OPPOSITE
    changes = {**opposite, **{k: a[s] for k, s in (("Name", "name"), ("Description", "description"),
                                                   ("HealthCheckSourceIp", "health_check_source_ip"),
                                                   ("HealthCheckTargetIp", "health_check_target_ip"))
                              if a[s] is not None}}
    if changes:
        resources.put(ctx.txn, RI, {**record, **changes})


def modify_spec(ctx: Context, ri_id: str, spec: str) -> str:
    record = _ri(ctx, ri_id, RI_NOT_FOUND_RECORD)
    if spec not in SPECS + (NEGATIVE,):
        raise BAD_SPEC
    if record["Role"] != "InitiatingSide" or spec == NEGATIVE:
        raise SPEC_MALFORMED
    resources.put(ctx.txn, RI, {**record, "Spec": spec})
    return spec


def delete_ri(ctx: Context, ri_id: str) -> None:
    record = _ri(ctx, ri_id, DELETE_RI_NOT_FOUND)
    if record["Status"] not in ("Idle", "Inactive"):
        raise DELETE_STATUS
    if record["ChargeType"] == "PrePaid":
        raise PREPAID_DELETE
    if ctx.txn.count("route_entry", ("next_hop", ri_id)):  # (mockecs.world.routes)
        raise RI_IN_ROUTES
    resources.delete(ctx.txn, RI, ri_id)


# -- listings ----------------------------------------------------------------------------------------------------
FILTER_KEYS = {
    "access_point": ("AccessPointId", "Status", "Name", "Type"),
    LINE: ("PhysicalConnectionId", "AccessPointId", "Type", "LineOperator", "Spec", "Status", "Name",
           "PortType", "RedundantPhysicalConnectionId"),
    VBR: ("VbrId", "PhysicalConnectionId", "Status", "VlanId", "AccessPointId", "CircuitCode", "Name"),
    RI: ("RouterInterfaceId", "RouterId", "RouterType", "Role", "Status", "Spec", "OppositeInterfaceId",
         "OppositeRouterId", "OppositeRouterType", "OppositeRegionId", "AccessPointId", "Name"),
}


def listing(ctx: Context, kind: str, filters: Optional[list[dict]],
            among: Optional[list[dict]] = None) -> list[dict]:
    """The caller's records of ``kind`` here (or ``among`` those) matching every filter key (any of its values)."""
    wanted: dict[str, set[str]] = {}
    for f in filters or ():
        if f.get("key") not in FILTER_KEYS[kind]:
            raise BAD_FILTER
        wanted.setdefault(f["key"], set()).update(f.get("value") or ())
    found = among if among is not None else resources.mine_among(ctx, kind, wanted.get(resources.ID_FIELD[kind]))
    kept = [r for r in found if all(str(r.get(k, "")) in v for k, v in wanted.items())]
    return kept if kind not in resources.ORDER else sorted(kept, key=resources.ORDER[kind])

"""Terraform's ``alicloud_vpc`` and ``alicloud_vswitch`` run unchanged: the calls ``aliyun/terraform-provider-alicloud``
makes through the VPC product's API (``client.RpcPost("Vpc", "2016-04-28", ...)``: a form body, the query for
DescribeVSwitchAttributes' id), replayed through ``mockecs server`` as a plain HTTP proxy, with the provider's own
reading of each answer (``alicloud/resource_alicloud_vpc.go``, ``resource_alicloud_vswitch.go``,
``service_alicloud_vpc_v2.go``):

- ``DescribeVpcVpc``: DescribeVpcAttribute; an empty ``VpcId`` or an error ``NotFoundError`` takes (HTTP 404, or
  "NotFound" in the message) is "gone". ``VpcVpcStateRefreshFunc``: ``fmt.Sprint`` of ``Status``; the create waits
  with no pending list for ``Available`` (any other status is polled again), the delete until gone.
- ``DescribeVpcDescribeRouteTableList``: DescribeRouteTableList by VpcId; the row whose RouteTableType is
  ``System`` and VpcId the VPC's, else "gone". Read on every refresh, and by every update.
- ``DescribeVpcVswitch``: DescribeVSwitchAttributes (VSwitchId in the query); an empty ``VSwitchId`` is "gone";
  the delete waits until the state function answers "" (gone).
- DeleteVpc is retried on ``DependencyViolation.VSwitch``, ``DependencyViolation.SecurityGroup`` and
  ``IncorrectVpcStatus``; DeleteVSwitch on ``DependencyViolation`` and ``IncorrectVSwitchStatus`` (among others).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _go_sprint, _transitions, instance_create

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"
VPC_DELETE_RETRIES = ("DependencyViolation.VSwitch", "DependencyViolation.SecurityGroup", "IncorrectVpcStatus")
VSWITCH_DELETE_RETRIES = ("DependencyViolation", "IncorrectVSwitchStatus", "IncorrectRouteEntryStatus", "TaskConflict")


class VpcProvider(Provider):
    """The same provider's calls to the VPC product (its central endpoint for cn-hangzhou)."""

    domain, version = "vpc.aliyuncs.com", "2016-04-28"

    def __init__(self, region: str) -> None:
        super().__init__(region)
        self.pending_deletes: list[Callable[[], Any]] = []  # other resources' deletions under way (a destroy)

    def post(self, action: str, body: dict[str, Any], query: Optional[dict[str, Any]] = None) -> dict:
        return self.rpc_post(action, dict(query or {}), {"RegionId": self.region, **body})

    def read_or_gone(self, action: str, resource_id: str, body: dict[str, Any],
                     query: Optional[dict[str, Any]] = None) -> dict:
        """A read whose error ``NotFoundError`` takes (HTTP 404) means gone."""
        try:
            return self.post(action, body, query)
        except ServerException as err:
            if err.get_http_status() == 404 or "NotFound" in err.get_error_msg():
                raise Gone(resource_id) from err
            raise


# -- alicloud_vpc ----------------------------------------------------------------------------------------------
def describe_vpc(p: VpcProvider, vpc_id: str) -> dict:
    answer = p.read_or_gone("DescribeVpcAttribute", vpc_id, {"VpcId": vpc_id})
    if _go_sprint(answer.get("VpcId")) == "":
        raise Gone(vpc_id)
    return answer


def system_route_table(p: VpcProvider, vpc_id: str) -> dict:
    rows = p.post("DescribeRouteTableList", {"VpcId": vpc_id})["RouterTableList"]["RouterTableListType"]
    for row in rows:
        if row["RouteTableType"] == "System" and row["VpcId"] == vpc_id:
            return row
    raise Gone(vpc_id)


def vpc_state(p: VpcProvider, vpc_id: str, field: str = "Status") -> Optional[str]:
    try:
        return _go_sprint(describe_vpc(p, vpc_id)[field])
    except Gone:
        return None


def wait_vpc(p: VpcProvider, vpc_id: str, seen: Optional[list] = None) -> None:
    """BuildStateConf([], ["Available"]): no pending list, so any other status is polled again."""
    for _ in range(50):
        state = vpc_state(p, vpc_id)
        if seen is not None:
            seen.append(state)
        if state == "Available":
            return
    pytest.fail(f"{vpc_id} never became Available")


def vpc_create(p: VpcProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    body = {"ClientToken": f"CreateVpc-{config['vpc_name']}", "CidrBlock": config.get("cidr_block"),
            "VpcName": config["vpc_name"], "Description": config.get("description")}
    if config.get("user_cidrs"):
        body["UserCidr"] = ",".join(config["user_cidrs"])
    if "enable_ipv6" in config:
        body["EnableIpv6"] = config["enable_ipv6"]
    vpc_id = p.post("CreateVpc", body)["VpcId"]
    wait_vpc(p, vpc_id, seen)
    route_table_update(p, vpc_id, {}, config, new_resource=True)  # Update, for a new resource
    return vpc_id


def route_table_update(p: VpcProvider, vpc_id: str, old: dict, new: dict, new_resource: bool = False) -> None:
    """The part of Update every apply runs: the system route table read, then ModifyRouteTableAttributes for
    what changed (a new resource: its name and description when set, propagation only when false)."""
    body = {"RegionId": p.region, "RouteTableId": system_route_table(p, vpc_id)["RouteTableId"]}
    for field, param in (("system_route_table_description", "Description"),
                         ("system_route_table_name", "RouteTableName")):
        if new.get(field) != old.get(field):
            body[param] = new.get(field)
    propagation, before = (d.get("system_route_table_route_propagation_enable") for d in (new, old))
    if (new_resource and propagation is False) or (not new_resource and propagation not in (None, before)):
        body["RoutePropagationEnable"] = propagation
    if len(body) > 2:
        p.post("ModifyRouteTableAttributes", body)


def vpc_read(p: VpcProvider, vpc_id: str) -> Optional[dict]:
    try:
        raw = describe_vpc(p, vpc_id)
    except Gone:
        return None
    state = {"cidr_block": raw["CidrBlock"], "classic_link_enabled": raw["ClassicLinkEnabled"],
             "create_time": raw["CreationTime"], "description": raw["Description"],
             "dns_hostname_status": raw["DnsHostnameStatus"], "enable_ipv6": raw["EnabledIpv6"],
             "ipv6_cidr_block": raw["Ipv6CidrBlock"], "is_default": raw["IsDefault"],
             "resource_group_id": raw["ResourceGroupId"], "router_id": raw["VRouterId"], "status": raw["Status"],
             "vpc_name": raw["VpcName"], "secondary_cidr_blocks": raw["SecondaryCidrBlocks"]["SecondaryCidrBlock"],
             "user_cidrs": raw["UserCidrs"]["UserCidr"],
             "ipv6_cidr_blocks": [{"ipv6_cidr_block": b["Ipv6CidrBlock"], "ipv6_isp": b["Ipv6Isp"]}
                                  for b in raw["Ipv6CidrBlocks"]["Ipv6CidrBlock"]],
             "tags": {t["Key"]: t["Value"] for t in raw["Tags"]["Tag"]}}
    table = system_route_table(p, vpc_id)
    state.update(route_table_id=table["RouteTableId"], system_route_table_name=table["RouteTableName"],
                 system_route_table_description=table["Description"],
                 system_route_table_route_propagation_enable=table["RoutePropagationEnable"])
    assert table["RouterId"] == state["router_id"] and table["ResourceGroupId"] == state["resource_group_id"]
    return state


def vpc_update(p: VpcProvider, vpc_id: str, old: dict, new: dict) -> None:
    body = {"VpcId": vpc_id}
    for field, param in (("description", "Description"), ("vpc_name", "VpcName"), ("cidr_block", "CidrBlock"),
                         ("enable_ipv6", "EnableIPv6")):
        if new.get(field) != old.get(field):
            body[param] = new[field]
    if len(body) > 1:
        p.post("ModifyVpcAttribute", body)
        wait_vpc(p, vpc_id)
    route_table_update(p, vpc_id, old, new)


def delete(p: VpcProvider, action: str, body: dict[str, Any], retried: tuple[str, ...],
           gone: tuple[str, ...], token: bool = True) -> list[str]:
    """A delete retried on the codes the provider lists (a fresh ClientToken each try when it sends one), done
    on success or on a code meaning gone; answers the codes it was refused with."""
    refused: list[str] = []
    for _ in range(5):
        try:
            p.post(action, {**body, "ClientToken": f"{action}-{len(refused)}"} if token else body)
            break
        except ServerException as err:
            if err.get_error_code() in gone:
                break
            assert err.get_error_code() in retried, err
            refused.append(err.get_error_code())
            yield_to_other_resources(p)
    return refused


def vpc_delete(p: VpcProvider, vpc_id: str) -> list[str]:
    refused = delete(p, "DeleteVpc", {"VpcId": vpc_id}, VPC_DELETE_RETRIES, ("InvalidVpcId.NotFound",))
    assert vpc_state(p, vpc_id) is None  # BuildStateConf([], []): done once gone
    return refused


def yield_to_other_resources(p: VpcProvider) -> None:
    """Terraform destroys in parallel where the graph lets it: here a retry comes after the other deletions."""
    while p.pending_deletes:
        p.pending_deletes.pop(0)()


# -- alicloud_vswitch ------------------------------------------------------------------------------------------
def describe_vswitch(p: VpcProvider, vswitch_id: str) -> dict:
    answer = p.read_or_gone("DescribeVSwitchAttributes", vswitch_id, {}, {"VSwitchId": vswitch_id})
    if _go_sprint(answer.get("VSwitchId")) == "":
        raise Gone(vswitch_id)
    return answer


def vswitch_state(p: VpcProvider, vswitch_id: str) -> str:
    try:
        return _go_sprint(describe_vswitch(p, vswitch_id)["Status"])
    except Gone:
        return ""


def wait_vswitch(p: VpcProvider, vswitch_id: str, target: str = "Available") -> None:
    for _ in range(50):
        if vswitch_state(p, vswitch_id) == target:
            return
    pytest.fail(f"{vswitch_id} never reached {target!r}")


def vswitch_create(p: VpcProvider, config: dict[str, Any]) -> str:
    vswitch_id = p.post("CreateVSwitch", {
        "ClientToken": f"CreateVSwitch-{config['vswitch_name']}", "CidrBlock": config["cidr_block"],
        "VpcId": config["vpc_id"], "VSwitchName": config["vswitch_name"], "Description": config.get("description"),
        "ZoneId": config["zone_id"]})["VSwitchId"]
    wait_vswitch(p, vswitch_id)
    return vswitch_id


def vswitch_read(p: VpcProvider, vswitch_id: str) -> Optional[dict]:
    try:
        raw = describe_vswitch(p, vswitch_id)
    except Gone:
        return None
    return {"cidr_block": raw["CidrBlock"], "create_time": raw["CreationTime"], "description": raw["Description"],
            "ipv6_cidr_block": raw["Ipv6CidrBlock"], "is_default": raw["IsDefault"], "status": raw["Status"],
            "vswitch_name": raw["VSwitchName"], "vpc_id": raw["VpcId"], "zone_id": raw["ZoneId"],
            "tags": {t["Key"]: t["Value"] for t in raw["Tags"]["Tag"]},
            "enable_ipv6": _go_sprint(raw["Ipv6CidrBlock"]) != ""}


def vswitch_update(p: VpcProvider, vswitch_id: str, old: dict, new: dict) -> None:
    body = {"VSwitchId": vswitch_id}
    for field, param in (("vswitch_name", "VSwitchName"), ("description", "Description")):
        if new.get(field) != old.get(field):
            body[param] = new[field]
    if len(body) > 1:
        p.post("ModifyVSwitchAttribute", body)
        wait_vswitch(p, vswitch_id)


def vswitch_delete(p: VpcProvider, vswitch_id: str) -> list[str]:
    refused = delete(p, "DeleteVSwitch", {"VSwitchId": vswitch_id}, VSWITCH_DELETE_RETRIES,
                     ("InvalidVswitchID.NotFound", "InvalidVSwitchId.NotFound"), token=False)
    wait_vswitch(p, vswitch_id, "")
    return refused


# -- plans -----------------------------------------------------------------------------------------------------
def provider() -> tuple[VpcProvider, Provider]:
    return VpcProvider(REGION), Provider(REGION)


def test_vpc_and_vswitch_apply_update_refresh_destroy(proxy):
    """A network and an instance in it: apply, an update in place of both, a refresh, then destroy, where the
    VPC's delete meets the vSwitch still there (retried, as the provider does) and the vSwitch's the instance."""
    p, ecs = provider()
    seen: list = []
    vpc_config = {"vpc_name": "tf-vpc", "cidr_block": "10.4.0.0/16", "description": "made by terraform",
                  "user_cidrs": ["10.99.0.0/16"], "system_route_table_name": "tf-routes"}
    vpc_id = vpc_create(p, vpc_config, seen)
    assert seen == ["Available"]
    state = vpc_read(p, vpc_id)
    assert {k: state[k] for k in ("cidr_block", "vpc_name", "description", "status", "is_default", "enable_ipv6",
                                  "ipv6_cidr_block", "dns_hostname_status", "user_cidrs", "secondary_cidr_blocks",
                                  "tags", "classic_link_enabled")} == {
        "cidr_block": "10.4.0.0/16", "vpc_name": "tf-vpc", "description": "made by terraform", "status": "Available",
        "is_default": False, "enable_ipv6": False, "ipv6_cidr_block": "", "dns_hostname_status": "DISABLED",
        "user_cidrs": ["10.99.0.0/16"], "secondary_cidr_blocks": [], "tags": {}, "classic_link_enabled": False}
    assert state["route_table_id"].startswith("vtb-") and state["resource_group_id"].startswith("rg-")
    assert state["system_route_table_route_propagation_enable"] is True
    assert (state["system_route_table_name"], state["system_route_table_description"]) == ("tf-routes", "")

    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vsw_config = {"vpc_id": vpc_id, "cidr_block": "10.4.1.0/24", "zone_id": zone, "vswitch_name": "tf-vsw"}
    vswitch_id = vswitch_create(p, vsw_config)
    assert vswitch_read(p, vswitch_id) | {"create_time": ""} == {
        "cidr_block": "10.4.1.0/24", "create_time": "", "description": "", "ipv6_cidr_block": "", "is_default": False,
        "status": "Available", "vswitch_name": "tf-vsw", "vpc_id": vpc_id, "zone_id": zone, "tags": {},
        "enable_ipv6": False}
    # alicloud_instance (ECS) in the VPC API's vSwitch
    group = ecs.call("CreateSecurityGroup", VpcId=vpc_id)["SecurityGroupId"]
    instance_id = instance_create(ecs, {"vswitch": vswitch_id, "security_group": group}, IMAGE, {})

    # terraform apply after editing names and descriptions, and widening the VPC
    new_vpc = {**vpc_config, "vpc_name": "tf-vpc-2", "description": "edited", "cidr_block": "10.4.0.0/15",
               "system_route_table_description": "main routes", "system_route_table_route_propagation_enable": False}
    vpc_update(p, vpc_id, vpc_config, new_vpc)
    vswitch_update(p, vswitch_id, vsw_config, {**vsw_config, "vswitch_name": "tf-vsw-2", "description": "edited"})
    state = vpc_read(p, vpc_id)
    assert (state["vpc_name"], state["description"], state["cidr_block"]) == ("tf-vpc-2", "edited", "10.4.0.0/15")
    assert (state["system_route_table_name"], state["system_route_table_description"],
            state["system_route_table_route_propagation_enable"]) == ("tf-routes", "main routes", False)
    assert vswitch_read(p, vswitch_id)["vswitch_name"] == "tf-vsw-2"
    assert vpc_read(p, vpc_id) == state  # a refresh reads the same

    # terraform destroy, in parallel where the graph lets it: each delete meets what is still being deleted and
    # is retried on the codes the provider lists
    p.pending_deletes = [lambda: ecs.call("DeleteInstance", InstanceId=instance_id, Force=True)]
    assert vswitch_delete(p, vswitch_id) == ["DependencyViolation"]
    assert vswitch_read(p, vswitch_id) is None
    p.pending_deletes = [lambda: ecs.call("DeleteSecurityGroup", SecurityGroupId=group)]
    assert vpc_delete(p, vpc_id) == ["DependencyViolation.SecurityGroup"]
    assert vpc_read(p, vpc_id) is None
    assert ecs.call("DescribeVpcs")["TotalCount"] == 0


def test_waits_see_pending_then_available(proxy):
    """With VPCs and vSwitches taking a few reads, the create waits poll Pending (no pending list: polled
    again) until Available; the answers in between are the provider's to read."""
    _transitions(proxy, delays={"vpc": {"observations": 3}, "vswitch": {"observations": 2}})
    p, ecs = provider()
    seen: list = []
    vpc_id = vpc_create(p, {"vpc_name": "tf-slow", "cidr_block": "192.168.0.0/16"}, seen)
    assert seen == ["Pending", "Pending", "Available"]
    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch_id = vswitch_create(p, {"vpc_id": vpc_id, "cidr_block": "192.168.0.0/24", "zone_id": zone,
                                    "vswitch_name": "tf-slow"})
    assert vswitch_read(p, vswitch_id)["status"] == "Available"
    assert vswitch_delete(p, vswitch_id) == [] and vpc_delete(p, vpc_id) == []


def test_refresh_after_deletion_outside_terraform(proxy):
    """Deleted with ECS calls (another tool): a refresh drops both from the state, a destroy is a no-op."""
    p, ecs = provider()
    vpc_id = vpc_create(p, {"vpc_name": "tf-gone", "cidr_block": "172.16.0.0/16", "enable_ipv6": True})
    assert vpc_read(p, vpc_id)["ipv6_cidr_block"].endswith("::/56")
    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch_id = vswitch_create(p, {"vpc_id": vpc_id, "cidr_block": "172.16.9.0/24", "zone_id": zone,
                                    "vswitch_name": "tf-gone"})
    ecs.call("DeleteVSwitch", VSwitchId=vswitch_id)
    ecs.call("DeleteVpc", VpcId=vpc_id)
    assert vswitch_read(p, vswitch_id) is None and vpc_read(p, vpc_id) is None
    assert vswitch_delete(p, vswitch_id) == [] and vpc_delete(p, vpc_id) == []

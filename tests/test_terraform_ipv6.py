"""Terraform's ``alicloud_vpc_ipv6_gateway``, ``alicloud_vpc_ipv6_internet_bandwidth``,
``alicloud_vpc_ipv6_egress_rule`` and the data sources ``alicloud_vpc_ipv6_gateways``, ``alicloud_vpc_ipv6_addresses``,
``alicloud_vpc_ipv6_internet_bandwidths``, ``alicloud_vpc_ipv6_egress_rules`` through the VPC product's API, replayed
call for call from the provider's source (``alicloud/resource_alicloud_vpc_ipv6_gateway.go``,
``resource_alicloud_vpc_ipv6_internet_bandwidth.go``, ``resource_alicloud_vpc_ipv6_egress_rule.go``, the
``data_source_alicloud_vpc_ipv6_*.go`` files, ``service_alicloud_vpc_v2.go``) through ``mockecs server`` as a plain
HTTP proxy, with the provider's own reading of each answer:

- ``DescribeVpcIpv6Gateway``: DescribeIpv6GatewayAttribute (the id in the query); an error ``NotFoundError`` takes
  (HTTP 404) is gone, state "". Create and update wait (no pending list) for ``Available``; the delete for "" (gone),
  retried on ``DependencyViolation.Ipv6InternetBandwidth`` among others.
- ``DescribeVpcIpv6InternetBandwidth``: DescribeIpv6Addresses by Ipv6InternetBandwidthId, the first row; its
  ``Ipv6InternetBandwidth`` object (Bandwidth, InternetChargeType, BusinessStatus). No waits.
- ``DescribeVpcIpv6EgressRule`` (id ``<gateway>:<rule>``): DescribeIpv6EgressOnlyRules by both ids; an empty list is
  gone. The create waits for ``Available``, the delete until gone.
- The data sources page with PageSize 50 until a page holds fewer; the bandwidths one asserts every row's
  ``Ipv6InternetBandwidth`` is an object, the gateways one that ``InstanceChargeType`` is a string.
"""
from __future__ import annotations

import itertools
from typing import Any, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _calls, _go_sprint, _transitions
from tests.test_terraform_nat import list_tags, set_tags
from tests.test_terraform_vpc import VpcProvider, delete, vpc_create, vpc_delete, wait_vswitch

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
ZONE = "cn-hangzhou-h"
TOKENS = itertools.count()  # buildClientToken: a new token for each request
RETRIED = ("IncorrectStatus.Vpc", "OperationConflict", "IncorrectStatus", "ServiceUnavailable", "LastTokenProcessing",
           "SystemBusy")


def token(action: str) -> str:
    return f"{action}-{next(TOKENS)}"


# -- alicloud_vpc_ipv6_gateway --------------------------------------------------------------------------------------
def gateway_state(p: VpcProvider, gateway_id: str) -> str:
    try:
        return _go_sprint(describe_gateway(p, gateway_id)["Status"])
    except Gone:
        return ""


def describe_gateway(p: VpcProvider, gateway_id: str) -> dict:
    try:
        answer = p.rpc_post("DescribeIpv6GatewayAttribute", {"Ipv6GatewayId": gateway_id}, {"RegionId": p.region})
    except ServerException as err:
        if err.get_http_status() == 404:
            raise Gone(gateway_id) from err
        raise
    if answer.get("Status") == "":
        raise Gone(gateway_id)
    return answer


def wait_gateway(p: VpcProvider, gateway_id: str, target: str = "Available", seen: Optional[list] = None) -> None:
    for _ in range(50):
        state = gateway_state(p, gateway_id)
        if seen is not None:
            seen.append(state)
        if state == target:
            return
    pytest.fail(f"{gateway_id} never reached {target!r}")


def gateway_create(p: VpcProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    body = {"ClientToken": token("CreateIpv6Gateway"), "VpcId": config["vpc_id"],
            "Description": config.get("description"), "Name": config.get("ipv6_gateway_name"),
            "ResourceGroupId": config.get("resource_group_id")}
    gateway_id = p.post("CreateIpv6Gateway", body)["Ipv6GatewayId"]
    wait_gateway(p, gateway_id, seen=seen)
    gateway_update(p, gateway_id, {}, config, new_resource=True)
    return gateway_id


def gateway_read(p: VpcProvider, gateway_id: str) -> Optional[dict]:
    try:
        raw = describe_gateway(p, gateway_id)
    except Gone:
        return None
    charge = {"PostPaid": "PayAsYouGo"}.get(raw["InstanceChargeType"], raw["InstanceChargeType"])
    return {"business_status": raw["BusinessStatus"], "create_time": raw["CreationTime"],
            "description": raw["Description"], "expired_time": raw["ExpiredTime"], "instance_charge_type": charge,
            "ipv6_gateway_name": raw["Name"], "resource_group_id": raw["ResourceGroupId"], "status": raw["Status"],
            "vpc_id": raw["VpcId"], "ipv6_gateway_id": raw["Ipv6GatewayId"],
            "tags": {t["Key"]: t["Value"] for t in raw["Tags"]["Tag"]}}


def gateway_update(p: VpcProvider, gateway_id: str, old: dict, new: dict, new_resource: bool = False) -> None:
    body: dict[str, Any] = {"Ipv6GatewayId": gateway_id}
    for field, param in (("description", "Description"), ("ipv6_gateway_name", "Name")):
        if not new_resource and new.get(field) != old.get(field):
            body[param] = new.get(field)
    if len(body) > 1:
        p.post("ModifyIpv6GatewayAttribute", body)
        wait_gateway(p, gateway_id)
    if not new_resource and new.get("resource_group_id") != old.get("resource_group_id"):
        p.post("MoveResourceGroup", {"ResourceId": gateway_id, "NewResourceGroupId": new["resource_group_id"],
                                     "ResourceType": "IPV6GATEWAY"})
    if new.get("tags", {}) != old.get("tags", {}):
        set_tags(p, gateway_id, "IPV6GATEWAY", old.get("tags", {}), new.get("tags", {}))


def gateway_delete(p: VpcProvider, gateway_id: str) -> list[str]:
    refused = delete(p, "DeleteIpv6Gateway", {"Ipv6GatewayId": gateway_id},
                     (*RETRIED, "DependencyViolation.Ipv6InternetBandwidth"), (), token=False)
    wait_gateway(p, gateway_id, target="")  # BuildStateConf([], [""])
    return refused


# -- alicloud_vpc_ipv6_internet_bandwidth ------------------------------------------------------------------------------
def bandwidth_read(p: VpcProvider, bandwidth_id: str) -> Optional[dict]:
    rows = p.rpc_post("DescribeIpv6Addresses", {"Ipv6InternetBandwidthId": bandwidth_id},
                      {"RegionId": p.region})["Ipv6Addresses"]["Ipv6Address"]
    if not rows:
        return None
    bandwidth = rows[0].get("Ipv6InternetBandwidth") or {}
    return {"ipv6_address_id": rows[0]["Ipv6AddressId"], "ipv6_gateway_id": rows[0]["Ipv6GatewayId"],
            "bandwidth": bandwidth.get("Bandwidth"), "internet_charge_type": bandwidth.get("InternetChargeType"),
            "status": bandwidth.get("BusinessStatus")}


def bandwidth_create(p: VpcProvider, config: dict[str, Any]) -> str:
    body = {"ClientToken": token("AllocateIpv6InternetBandwidth"), "Ipv6GatewayId": config["ipv6_gateway_id"],
            "Ipv6AddressId": config["ipv6_address_id"], "Bandwidth": config["bandwidth"],
            "InternetChargeType": config.get("internet_charge_type")}
    return str(p.post("AllocateIpv6InternetBandwidth", body)["InternetBandwidthId"])


def bandwidth_update(p: VpcProvider, bandwidth_id: str, old: dict, new: dict) -> None:
    """Bandwidth and Ipv6AddressId are both always sent, when either changed."""
    if (new["bandwidth"], new["ipv6_address_id"]) != (old["bandwidth"], old["ipv6_address_id"]):
        p.post("ModifyIpv6InternetBandwidth", {"Ipv6InternetBandwidthId": bandwidth_id, "Bandwidth": new["bandwidth"],
                                               "Ipv6AddressId": new["ipv6_address_id"],
                                               "ClientToken": token("ModifyIpv6InternetBandwidth")})


def bandwidth_delete(p: VpcProvider, bandwidth_id: str, address_id: str) -> None:
    p.post("DeleteIpv6InternetBandwidth", {"Ipv6InternetBandwidthId": bandwidth_id, "Ipv6AddressId": address_id})


# -- alicloud_vpc_ipv6_egress_rule -------------------------------------------------------------------------------------
def rule_read(p: VpcProvider, resource_id: str) -> Optional[dict]:
    gateway_id, rule_id = resource_id.split(":")
    rows = p.rpc_post("DescribeIpv6EgressOnlyRules", {"Ipv6EgressOnlyRuleId": rule_id, "Ipv6GatewayId": gateway_id,
                                                      "RegionId": p.region}, {})["Ipv6EgressOnlyRules"][
        "Ipv6EgressOnlyRule"]
    if not rows:
        return None
    raw = rows[0]
    return {"description": raw["Description"], "instance_id": raw["InstanceId"], "instance_type": raw["InstanceType"],
            "ipv6_egress_rule_name": raw["Name"], "status": raw["Status"], "ipv6_gateway_id": gateway_id,
            "ipv6_egress_rule_id": rule_id}


def rule_state(p: VpcProvider, resource_id: str) -> str:
    state = rule_read(p, resource_id)
    return _go_sprint(state["status"]) if state else ""


def rule_create(p: VpcProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    answer = p.rpc_post("CreateIpv6EgressOnlyRule", {"Ipv6GatewayId": config["ipv6_gateway_id"]}, {
        "RegionId": p.region, "ClientToken": token("CreateIpv6EgressOnlyRule"), "InstanceId": config["instance_id"],
        "InstanceType": config.get("instance_type"), "Description": config.get("description"),
        "Name": config.get("ipv6_egress_rule_name")})
    resource_id = f"{config['ipv6_gateway_id']}:{answer['Ipv6EgressRuleId']}"
    for _ in range(50):
        state = rule_state(p, resource_id)
        if seen is not None:
            seen.append(state)
        if state == "Available":
            return resource_id
    pytest.fail(f"{resource_id} never became Available")


def rule_delete(p: VpcProvider, resource_id: str) -> None:
    p.rpc_post("DeleteIpv6EgressOnlyRule", {"Ipv6EgressOnlyRuleId": resource_id.split(":")[1]},
               {"RegionId": p.region, "ClientToken": token("DeleteIpv6EgressOnlyRule")})
    assert rule_state(p, resource_id) == ""  # BuildStateConf([], []): until gone


# -- data sources --------------------------------------------------------------------------------------------------
def pages(p: VpcProvider, action: str, path: tuple[str, str], **body: Any) -> list[dict]:
    """PageSize 50, PageNumber from 1, until a page holds fewer than 50."""
    rows: list[dict] = []
    for number in range(1, 20):
        answer = p.post(action, {**body, "PageSize": 50, "PageNumber": number})
        page = answer[path[0]][path[1]]
        rows += page
        if len(page) < 50:
            return rows
    pytest.fail(f"{action} never ended")


def gateways_data(p: VpcProvider, **filters: str) -> list[dict]:
    return [{"id": g["Ipv6GatewayId"], "ipv6_gateway_name": g["Name"], "vpc_id": g["VpcId"], "status": g["Status"],
             "instance_charge_type": {"PostPaid": "PayAsYouGo"}.get(g["InstanceChargeType"], g["InstanceChargeType"]),
             "business_status": g["BusinessStatus"], "spec": g.get("Spec")}
            for g in pages(p, "DescribeIpv6Gateways", ("Ipv6Gateways", "Ipv6Gateway"), **filters)]


def addresses_data(p: VpcProvider, **filters: str) -> list[dict]:
    return [{"id": a["Ipv6AddressId"], "ipv6_address": a["Ipv6Address"], "vswitch_id": a["VSwitchId"],
             "vpc_id": a["VpcId"], "ipv6_gateway_id": a["Ipv6GatewayId"], "status": a["Status"],
             "associated_instance_id": a["AssociatedInstanceId"],
             "associated_instance_type": a["AssociatedInstanceType"], "network_type": a["NetworkType"]}
            for a in pages(p, "DescribeIpv6Addresses", ("Ipv6Addresses", "Ipv6Address"), **filters)]


def bandwidths_data(p: VpcProvider, ids: tuple[str, ...] = (), **filters: str) -> list[dict]:
    rows = pages(p, "DescribeIpv6Addresses", ("Ipv6Addresses", "Ipv6Address"), **filters)
    assert all(isinstance(r["Ipv6InternetBandwidth"], dict) for r in rows)  # item[...].(map[string]interface{})
    return [{"id": r["Ipv6InternetBandwidth"]["Ipv6InternetBandwidthId"], "ipv6_address_id": r["Ipv6AddressId"],
             "bandwidth": r["Ipv6InternetBandwidth"]["Bandwidth"], "status": r["Ipv6InternetBandwidth"][
                 "BusinessStatus"]} for r in rows if not ids or r["Ipv6InternetBandwidth"][
                "Ipv6InternetBandwidthId"] in ids]


def rules_data(p: VpcProvider, gateway_id: str, **filters: str) -> list[str]:
    return [f"{gateway_id}:{r['Ipv6EgressOnlyRuleId']}" for r in pages(
        p, "DescribeIpv6EgressOnlyRules", ("Ipv6EgressOnlyRules", "Ipv6EgressOnlyRule"), Ipv6GatewayId=gateway_id,
        **filters)]


# -- plans ----------------------------------------------------------------------------------------------------------
def _network(p: VpcProvider, ecs: Provider) -> tuple[str, str, str, str]:
    """A VPC with IPv6, a vSwitch with a /64 (alicloud_vswitch ipv6_cidr_block_mask), and an ENI with one IPv6
    address (alicloud_ecs_network_interface ipv6_address_count)."""
    vpc_id = vpc_create(p, {"vpc_name": "tf-v6gw", "cidr_block": "172.16.0.0/12", "enable_ipv6": True})
    vswitch = p.post("CreateVSwitch", {"ClientToken": token("CreateVSwitch"), "CidrBlock": "172.16.0.0/24",
                                       "VpcId": vpc_id, "ZoneId": ZONE, "Ipv6CidrBlock": 1})["VSwitchId"]
    wait_vswitch(p, vswitch)
    group = ecs.call("CreateSecurityGroup", VpcId=vpc_id)["SecurityGroupId"]
    eni = ecs.call("CreateNetworkInterface", VSwitchId=vswitch, SecurityGroupId=group,
                   Ipv6AddressCount=1)["NetworkInterfaceId"]
    return vpc_id, vswitch, eni, group


def test_ipv6_gateway_bandwidth_egress_rule_apply_update_refresh_destroy(proxy):
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, vswitch, eni, group = _network(p, ecs)
    config = {"vpc_id": vpc_id, "ipv6_gateway_name": "tf-v6gw", "description": "made by terraform",
              "tags": {"env": "test"}}
    seen: list = []
    gateway_id = gateway_create(p, config, seen)
    assert seen == ["Available"]
    state = gateway_read(p, gateway_id)
    assert {k: state[k] for k in config} == config  # no diff on the next plan
    assert (state["status"], state["business_status"], state["instance_charge_type"]) == (
        "Available", "Normal", "PayAsYouGo")
    assert list_tags(p, gateway_id, "IPV6GATEWAY") == {"env": "test"}

    # data "alicloud_vpc_ipv6_addresses" { associated_instance_id = the ENI }
    [address] = addresses_data(p, AssociatedInstanceId=eni)
    assert (address["vswitch_id"], address["ipv6_gateway_id"], address["associated_instance_type"],
            address["network_type"], address["status"]) == (vswitch, gateway_id, "NetworkInterface", "Private",
                                                             "Available")
    bandwidth_config = {"ipv6_gateway_id": gateway_id, "ipv6_address_id": address["id"], "bandwidth": 20,
                        "internet_charge_type": "PayByBandwidth"}
    bandwidth_id = bandwidth_create(p, bandwidth_config)
    assert bandwidth_read(p, bandwidth_id) == {**bandwidth_config, "status": "Normal"}
    rule_config = {"ipv6_gateway_id": gateway_id, "instance_id": address["id"], "instance_type": "Ipv6Address",
                   "ipv6_egress_rule_name": "tf-egress", "description": "egress only"}
    rule_id = rule_create(p, rule_config)
    assert rule_read(p, rule_id) == {**rule_config, "status": "Available", "ipv6_egress_rule_id": rule_id.split(":")[1]}

    # terraform apply after edits, then a refresh
    new_config = {**config, "ipv6_gateway_name": "tf-v6gw-2", "tags": {"env": "prod"}}
    gateway_update(p, gateway_id, config, new_config)
    bandwidth_update(p, bandwidth_id, bandwidth_config, {**bandwidth_config, "bandwidth": 50})
    state = gateway_read(p, gateway_id)
    assert (state["ipv6_gateway_name"], state["tags"]) == ("tf-v6gw-2", {"env": "prod"})
    assert bandwidth_read(p, bandwidth_id)["bandwidth"] == 50 and gateway_read(p, gateway_id) == state

    # the data sources
    assert [(g["id"], g["instance_charge_type"], g["spec"]) for g in gateways_data(p, VpcId=vpc_id)] == [
        (gateway_id, "PayAsYouGo", None)]
    assert gateways_data(p, Name="nothing") == []
    assert [b["id"] for b in bandwidths_data(p, Ipv6InternetBandwidthId=bandwidth_id)] == [bandwidth_id]
    assert [b["bandwidth"] for b in bandwidths_data(p, ids=(bandwidth_id,))] == [50]  # (every address: objects)
    assert [a["network_type"] for a in addresses_data(p, VpcId=vpc_id)] == ["Public"]
    assert rules_data(p, gateway_id) == [rule_id] and rules_data(p, gateway_id, Name="other") == []

    # terraform destroy: the rule, then the bandwidth and the gateway in parallel (the gateway's delete retried)
    rule_delete(p, rule_id)
    p.pending_deletes = [lambda: bandwidth_delete(p, bandwidth_id, address["id"])]
    assert gateway_delete(p, gateway_id) == ["DependencyViolation.Ipv6InternetBandwidth"]
    assert gateway_read(p, gateway_id) is None and bandwidth_read(p, bandwidth_id) is None
    ecs.call("DeleteNetworkInterface", NetworkInterfaceId=eni)
    ecs.call("DeleteSecurityGroup", SecurityGroupId=group)
    assert delete(p, "DeleteVSwitch", {"VSwitchId": vswitch}, ("DependencyViolation",), ("InvalidVSwitchId.NotFound",)
                  ) == []
    assert vpc_delete(p, vpc_id) == []
    made = [c["action"] for c in _calls(proxy) if "Ipv6" in c["action"] and not c["action"].startswith("Describe")]
    assert made == ["CreateIpv6Gateway", "AllocateIpv6InternetBandwidth", "CreateIpv6EgressOnlyRule",
                    "ModifyIpv6GatewayAttribute", "ModifyIpv6InternetBandwidth", "DeleteIpv6EgressOnlyRule",
                    "DeleteIpv6Gateway", "DeleteIpv6InternetBandwidth", "DeleteIpv6Gateway"]


def test_waits_see_creating_then_available(proxy):
    """With the gateway and the rule taking a few reads: the waits poll Creating (no pending list) until Available;
    a gateway deleted outside Terraform reads as gone (404)."""
    _transitions(proxy, delays={"ipv6_gateway": {"observations": 3}, "ipv6_egress_rule": {"observations": 2}})
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, _, eni, _ = _network(p, ecs)
    seen: list = []
    gateway_id = gateway_create(p, {"vpc_id": vpc_id}, seen)
    assert seen == ["Creating", "Creating", "Available"]
    [address] = addresses_data(p, AssociatedInstanceId=eni)
    rule_seen: list = []
    rule_id = rule_create(p, {"ipv6_gateway_id": gateway_id, "instance_id": address["id"]}, rule_seen)
    assert rule_seen == ["Creating", "Available"]
    rule_delete(p, rule_id)
    p.post("DeleteIpv6Gateway", {"Ipv6GatewayId": gateway_id})
    assert gateway_read(p, gateway_id) is None  # (refresh: gone, removed from the state)
    failed = [(c["action"], c["status"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("DescribeIpv6GatewayAttribute", 404)]

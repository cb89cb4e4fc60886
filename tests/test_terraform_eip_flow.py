"""Terraform's ``alicloud_eip_address`` and ``alicloud_eip_association`` through the VPC product's API, replayed
call for call from the provider's source (``alicloud/resource_alicloud_eip_address.go``,
``resource_alicloud_eip_association.go``, ``service_alicloud_eip_v2.go``) through ``mockecs server`` as a plain
HTTP proxy, in the tea client's wire form (``client.RpcPost("Vpc", "2016-04-28", ...)``: ``query`` in the URL,
``request`` as a form body, empty values left out), with the provider's own reading of each answer:

- ``DescribeEipAddress``: DescribeEipAddresses with ``AllocationId``; no EIP in ``EipAddresses.EipAddress`` is
  the NotFound that makes a refresh drop the resource and ends the destroy's wait;
- ``EipAddressStateRefreshFunc``: ``fmt.Sprint`` of ``Status``; create and update wait for Available or InUse;
- ``DescribeEipAssociation``: the same listing, the item whose ``InstanceId`` is the association's; the
  destroy waits (on ``PrivateIpAddress``) until there is none;
- Read: ``EipBandwidth`` when the answer has it, else ``Bandwidth``; ``Tags.Tag`` by ``Key``/``Value``;
  ``HDMonitorStatus`` ``ON`` would read the log attribute (the fake answers ``OFF``).
"""
from __future__ import annotations

from typing import Any, Optional

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import ServerProcess, clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _calls, _go_sprint, _tag_params, instance, network

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


class Vpc(Provider):
    """The provider's calls to the VPC product (``client.RpcPost("Vpc", "2016-04-28", ...)``)."""

    domain, version = "vpc.aliyuncs.com", "2016-04-28"

    def describe_eip_address(self, allocation_id: str) -> dict:
        found = self.rpc_post("DescribeEipAddresses", {"AllocationId": allocation_id, "RegionId": self.region}, {})
        if not found["EipAddresses"]["EipAddress"]:
            raise Gone(allocation_id)
        return found["EipAddresses"]["EipAddress"][0]

    def eip_state(self, allocation_id: str, field: str = "Status") -> Optional[str]:
        try:
            return _go_sprint(self.describe_eip_address(allocation_id)[field])
        except Gone:
            return None

    def wait_eip(self, allocation_id: str) -> None:
        """BuildStateConf([], ["Available", "InUse"]): any other state is an UnexpectedStateError."""
        for _ in range(50):
            state = self.eip_state(allocation_id)
            if state in ("Available", "InUse"):
                return
            assert state is None or state in ("Associating", "Unassociating"), state
        pytest.fail(f"{allocation_id} never settled")

    def describe_eip_association(self, association_id: str) -> dict:
        allocation_id, instance_id = association_id.split(":")
        found = self.rpc_post("DescribeEipAddresses", {"AllocationId": allocation_id, "RegionId": self.region}, {})
        for item in found["EipAddresses"]["EipAddress"]:
            if item["InstanceId"] == instance_id:
                return item
        raise Gone(association_id)


def _set_tags(p: Vpc, allocation_id: str, old: dict[str, str], new: dict[str, str]) -> None:
    """EipServiceV2.SetResourceTags: UnTagResources of removed keys (TagKey.N), then TagResources of the added and
    changed ones, both with ResourceId.1 and ResourceType EIP in the body."""
    removed = [k for k in old if k not in new]
    added = {k: v for k, v in new.items() if old.get(k) != v}
    if removed:
        p.rpc_post("UnTagResources", {}, {"ResourceId.1": allocation_id, "RegionId": p.region, "ResourceType": "EIP",
                                          **{f"TagKey.{n}": k for n, k in enumerate(removed, 1)}})
    if added:
        p.rpc_post("TagResources", {}, {"ResourceId.1": allocation_id, "RegionId": p.region, "ResourceType": "EIP",
                                        **_tag_params(added)})


def eip_create(p: Vpc, config: dict[str, Any]) -> str:
    """resourceAliCloudEipAddressCreate: AllocateEipAddress (query InstanceId = allocation_id, empty: left out),
    the wait, then Update (a new resource: only the tags) and Read."""
    body = {"RegionId": p.region, "ClientToken": "AllocateEipAddress-tf", "Bandwidth": config.get("bandwidth"),
            "Description": config.get("description"), "Name": config.get("address_name"), "ISP": config.get("isp"),
            "InstanceChargeType": {"PayAsYouGo": "PostPaid", "Subscription": "PrePaid"}.get(
                config.get("payment_type", ""), None), "InternetChargeType": config.get("internet_charge_type")}
    allocation_id = p.rpc_post("AllocateEipAddress", {"InstanceId": ""}, body)["AllocationId"]
    p.wait_eip(allocation_id)
    if config.get("tags"):
        _set_tags(p, allocation_id, {}, config["tags"])
    return allocation_id


def eip_read(p: Vpc, allocation_id: str) -> Optional[dict]:
    """resourceAliCloudEipAddressRead: the state it sets (None: gone, on a refresh)."""
    try:
        raw = p.describe_eip_address(allocation_id)
    except Gone:
        return None
    assert raw["HDMonitorStatus"] != "ON"  # (else DescribeHighDefinitionMonitorLogAttribute)
    payment = {"PostPaid": "PayAsYouGo", "PrePaid": "Subscription"}.get(raw["ChargeType"], raw["ChargeType"])
    bandwidth = raw["EipBandwidth"] if "EipBandwidth" in raw else raw["Bandwidth"]  # (present, even empty, wins)
    return {"address_name": raw["Name"], "bandwidth": bandwidth,
            "create_time": raw["AllocationTime"], "deletion_protection": raw["DeletionProtection"],
            "description": raw["Description"], "high_definition_monitor_log_status": raw["HDMonitorStatus"],
            "internet_charge_type": raw["InternetChargeType"], "ip_address": raw["IpAddress"], "isp": raw["ISP"],
            "mode": raw["Mode"], "netmode": raw["Netmode"], "payment_type": payment,
            "public_ip_address_pool_id": raw["PublicIpAddressPoolId"], "resource_group_id": raw["ResourceGroupId"],
            "status": raw["Status"], "zone": raw["Zone"],
            "security_protection_types": raw["SecurityProtectionTypes"]["SecurityProtectionType"],
            "tags": {t["Key"]: t["Value"] for t in raw["Tags"]["Tag"]}}


def eip_update(p: Vpc, allocation_id: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """resourceAliCloudEipAddressUpdate (not new): ModifyEipAddressAttribute with what changed, the wait;
    MoveResourceGroup (NewResourceGroupId, ResourceType EIP) when resource_group_id changed; DeletionProtection
    (ProtectionEnable, Type EIP) when deletion_protection changed; tags."""
    changed = {wire: new[key] for key, wire in (("bandwidth", "Bandwidth"), ("description", "Description"),
                                                ("address_name", "Name")) if new.get(key) != old.get(key)}
    if changed:
        p.rpc_post("ModifyEipAddressAttribute", {"AllocationId": allocation_id}, {"RegionId": p.region, **changed})
        p.wait_eip(allocation_id)
    if new.get("resource_group_id") and new.get("resource_group_id") != old.get("resource_group_id"):
        p.rpc_post("MoveResourceGroup", {"ResourceId": allocation_id}, {
            "RegionId": p.region, "NewResourceGroupId": new["resource_group_id"], "ResourceType": "EIP"})
    if new.get("deletion_protection", False) != old.get("deletion_protection", False):
        enable = new["deletion_protection"]  # (buildClientToken: a new token per call)
        p.rpc_post("DeletionProtection", {"InstanceId": allocation_id}, {
            "RegionId": p.region, "ClientToken": f"DeletionProtection-tf-{enable}", "ProtectionEnable": enable,
            "Type": "EIP"})
    if new.get("tags", {}) != old.get("tags", {}):
        _set_tags(p, allocation_id, old.get("tags", {}), new.get("tags", {}))


def eip_delete(p: Vpc, allocation_id: str) -> None:
    """resourceAliCloudEipAddressDelete: ReleaseEipAddress (IncorrectEipStatus is retried), then the wait with
    target [] until no EIP answers."""
    p.rpc_post("ReleaseEipAddress", {"AllocationId": allocation_id}, {"RegionId": p.region})
    assert p.eip_state(allocation_id) is None


def association_create(p: Vpc, allocation_id: str, instance_id: str) -> str:
    p.rpc_post("AssociateEipAddress", {"InstanceId": instance_id, "AllocationId": allocation_id},
               {"RegionId": p.region, "ClientToken": "AssociateEipAddress-tf", "InstanceType": "EcsInstance"})
    return f"{allocation_id}:{instance_id}"


def association_read(p: Vpc, association_id: str) -> Optional[dict]:
    try:
        raw = p.describe_eip_association(association_id)
    except Gone:
        return None
    return {"instance_type": raw["InstanceType"], "mode": raw["Mode"], "private_ip_address": raw["PrivateIpAddress"],
            "vpc_id": raw["VpcId"], "instance_id": raw["InstanceId"]}


def association_delete(p: Vpc, association_id: str) -> None:
    allocation_id, instance_id = association_id.split(":")
    p.rpc_post("UnassociateEipAddress", {"AllocationId": allocation_id, "InstanceId": instance_id},
               {"RegionId": p.region, "ClientToken": "UnassociateEipAddress-tf", "InstanceType": "EcsInstance"})
    for _ in range(50):  # BuildStateConf([], []) on PrivateIpAddress: until the association is not found
        try:
            p.describe_eip_association(association_id)
        except Gone:
            return
    pytest.fail("the association never went")


def test_eip_address_and_association_apply_update_refresh_destroy(proxy):
    ecs, vpc = Provider(REGION), Vpc(REGION)
    config = {"address_name": "tf-eip", "bandwidth": "5", "internet_charge_type": "PayByTraffic",
              "payment_type": "PayAsYouGo", "description": "made by terraform", "tags": {"env": "test", "team": "a"}}
    allocation_id = eip_create(vpc, config)
    state = eip_read(vpc, allocation_id)
    assert state is not None and state["status"] == "Available"
    # what the configuration sets reads back as set (no diff on the next plan)
    assert {k: state[k] for k in config} == config
    assert (state["isp"], state["netmode"], state["mode"], state["deletion_protection"]) == ("BGP", "public", "NAT",
                                                                                              False)
    assert eip_read(vpc, allocation_id) == state  # terraform refresh: the same

    net = network(ecs)
    instance_id = instance(ecs, net, "aliyun_3_x64_20G_alibase_20240819.vhd")
    association_id = association_create(vpc, allocation_id, instance_id)
    assoc = association_read(vpc, association_id)
    assert assoc is not None and (assoc["instance_type"], assoc["instance_id"], assoc["vpc_id"]) == (
        "EcsInstance", instance_id, net["vpc"])
    assert assoc["private_ip_address"].startswith("172.16.0.")
    shown = ecs.call("DescribeInstances", InstanceIds=f'["{instance_id}"]')["Instances"]["Instance"][0]["EipAddress"]
    assert shown["AllocationId"] == allocation_id and shown["IpAddress"] == state["ip_address"]
    assert eip_read(vpc, allocation_id)["status"] == "InUse"

    # (a resource group id invented by the configuration: the server takes any well-formed one)
    requests.patch(proxy.url + "/_mockecs/config", json={"options": {"resource_groups": "any"}}, timeout=10)
    new = {**config, "bandwidth": "10", "address_name": "tf-eip-2", "tags": {"env": "prod"},
           "resource_group_id": "rg-tfmoved0001"}
    eip_update(vpc, allocation_id, config, new)
    state = eip_read(vpc, allocation_id)
    assert {k: state[k] for k in new} == new and state["status"] == "InUse"

    association_delete(vpc, association_id)
    assert association_read(vpc, association_id) is None
    protected = {**new, "deletion_protection": True}
    eip_update(vpc, allocation_id, new, protected)
    assert eip_read(vpc, allocation_id)["deletion_protection"] is True
    with pytest.raises(ServerException) as info:  # terraform destroy refused while protected
        eip_delete(vpc, allocation_id)
    assert info.value.get_error_code() == "InvalidOperation.DeletionProtection"
    eip_update(vpc, allocation_id, protected, {**protected, "deletion_protection": False})
    eip_delete(vpc, allocation_id)
    assert eip_read(vpc, allocation_id) is None  # a refresh after the destroy: gone
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("ReleaseEipAddress", "InvalidOperation.DeletionProtection")]
    made = [c["action"] for c in _calls(proxy) if c["action"] in (
        "AllocateEipAddress", "TagResources", "UnTagResources", "ModifyEipAddressAttribute", "AssociateEipAddress",
        "UnassociateEipAddress", "DeletionProtection", "ReleaseEipAddress", "MoveResourceGroup")]
    assert made == ["AllocateEipAddress", "TagResources", "AssociateEipAddress", "ModifyEipAddressAttribute",
                    "MoveResourceGroup", "UnTagResources", "TagResources", "UnassociateEipAddress",
                    "DeletionProtection", "ReleaseEipAddress", "DeletionProtection", "ReleaseEipAddress"]


def test_refresh_after_release_outside_terraform(proxy):
    """Released elsewhere (here through ECS's API): the refresh drops both resources, and the destroy of the
    association gets the not-found code."""
    ecs, vpc = Provider(REGION), Vpc(REGION)
    allocation_id = eip_create(vpc, {"bandwidth": "5"})
    net = network(ecs)
    instance_id = instance(ecs, net, "aliyun_3_x64_20G_alibase_20240819.vhd")
    association_id = association_create(vpc, allocation_id, instance_id)
    ecs.call("UnassociateEipAddress", AllocationId=allocation_id, InstanceId=instance_id)
    ecs.call("ReleaseEipAddress", AllocationId=allocation_id)
    assert association_read(vpc, association_id) is None and eip_read(vpc, allocation_id) is None
    with pytest.raises(ServerException) as info:
        vpc.rpc_post("UnassociateEipAddress", {"AllocationId": allocation_id, "InstanceId": instance_id},
                     {"RegionId": vpc.region, "InstanceType": "EcsInstance"})
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("InvalidAllocationId.NotFound", 404)

"""Terraform's ``alicloud_instance`` moving an instance in its network (``vswitch_id``, ``private_ip``, ``vpc_id``
with ``security_groups``), replayed call for call from the provider's source through ``mockecs server`` as a plain
HTTP proxy (the wire form of tests/test_terraform_flow.py).

``resourceAliCloudInstanceUpdate``: ``modifyVpcAttribute`` (run=false) sees the change; the instance is described,
a Running one stopped (``ForceStop=false``) and waited for (pending Pending, Running, Stopping; target Stopped);
``modifyVpcAttribute`` (run=true) sends ``ModifyInstanceVpcAttribute`` (SDK request: InstanceId, VSwitchId, the
PrivateIpAddress when ``private_ip`` changed, VpcId and SecurityGroupId.N when ``vpc_id`` changed;
``OperationConflict`` retried), then ``WaitForVpcAttributesChanged`` polls DescribeInstances until the vSwitch
(and the address asked for) show; with ``status = "Running"`` it is started and waited for. The Read sets
``vpc_id``, ``vswitch_id`` and ``private_ip`` from ``VpcAttributes``.
"""
from __future__ import annotations

from typing import Optional

import pytest

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import (
    REGION,
    Provider,
    _calls,
    describe_instance,
    instance_create,
    instance_delete,
    network,
    wait_instance,
)

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


def vpc_update(p: Provider, instance_id: str, old: dict, new: dict) -> None:
    """The part of resourceAliCloudInstanceUpdate that moves the instance (status = "Running" configured)."""
    request: dict = {"InstanceId": instance_id, "VSwitchId": new["vswitch_id"]}
    if new["private_ip"] != old["private_ip"]:
        request["PrivateIpAddress"] = new["private_ip"]
    if new["vpc_id"] != old["vpc_id"]:
        request["VpcId"] = new["vpc_id"]
        request.update({f"SecurityGroupId.{n}": g for n, g in enumerate(new["security_groups"], 1)})
    if describe_instance(p, instance_id)["Status"] == "Running":
        p.call("StopInstance", InstanceId=instance_id, ForceStop=False)
        wait_instance(p, instance_id, ("Pending", "Running", "Stopping"), "Stopped")
    p.call("ModifyInstanceVpcAttribute", **request)
    for _ in range(50):  # WaitForVpcAttributesChanged
        vpc = describe_instance(p, instance_id)["VpcAttributes"]
        if (not request.get("PrivateIpAddress") or vpc["PrivateIpAddress"]["IpAddress"][0] == request[
                "PrivateIpAddress"]) and vpc["VSwitchId"] == request["VSwitchId"]:
            break
    else:
        pytest.fail("the VPC attributes never changed")
    p.call("StartInstance", InstanceId=instance_id)
    wait_instance(p, instance_id, ("Pending", "Starting", "Stopped"), "Running")


def network_read(p: Provider, instance_id: str) -> Optional[dict]:
    instance = describe_instance(p, instance_id)
    if instance is None:
        return None
    vpc = instance["VpcAttributes"]
    return {"vpc_id": vpc["VpcId"], "vswitch_id": vpc["VSwitchId"], "private_ip": vpc["PrivateIpAddress"][
        "IpAddress"][0], "security_groups": instance["SecurityGroupIds"]["SecurityGroupId"],
            "status": instance["Status"]}


def test_instance_moves_to_another_vswitch_address_and_vpc(proxy):
    hz = Provider(REGION)
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {})
    state = network_read(hz, instance_id)
    assert state["vswitch_id"] == net["vswitch"]
    zone = describe_instance(hz, instance_id)["ZoneId"]
    second = hz.call("CreateVSwitch", VpcId=net["vpc"], ZoneId=zone, CidrBlock="172.16.5.0/24")["VSwitchId"]
    # vswitch_id and private_ip change
    config = {**state, "vswitch_id": second, "private_ip": "172.16.5.20"}
    vpc_update(hz, instance_id, state, config)
    state = network_read(hz, instance_id)
    assert state == config  # no diff on the next plan
    assert network_read(hz, instance_id) == state  # terraform refresh
    # vpc_id changes with security_groups
    target = hz.call("CreateVpc", CidrBlock="192.168.0.0/16")["VpcId"]
    vswitch = hz.call("CreateVSwitch", VpcId=target, ZoneId=zone, CidrBlock="192.168.7.0/24")["VSwitchId"]
    group = hz.call("CreateSecurityGroup", VpcId=target)["SecurityGroupId"]
    config = {**state, "vpc_id": target, "vswitch_id": vswitch, "private_ip": "192.168.7.7",
              "security_groups": [group]}
    vpc_update(hz, instance_id, state, config)
    assert network_read(hz, instance_id) == config
    instance_delete(hz, instance_id)
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    assert [c["action"] for c in _calls(proxy) if c["action"].startswith(("Modify", "Stop", "Start"))] == [
        "StopInstance", "ModifyInstanceVpcAttribute", "StartInstance"] * 2

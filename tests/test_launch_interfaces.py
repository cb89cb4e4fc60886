"""RunInstances' NetworkInterface.N: the primary ENI described at launch (its vSwitch, groups, address, traffic
mode) and a secondary one created or attached with each instance, through the current SDK (sync and async), the
old one (JSON and XML) and Terraform's ``alicloud_instance`` wire (its ``network_interface_traffic_mode`` and
``network_interfaces``), with what DescribeInstances and DescribeNetworkInterfaces show afterwards, what a release
does to the secondary ENI, and the metadata's codes."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

from tests.networks_helpers import new_vpc, new_vswitch, one_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented, describe, run
from tests.test_network_interfaces import create, enis, group, network
from tests.test_server import clean, server  # noqa: F401  (fixtures behind proxy)
from tests.test_terraform_flow import Provider, proxy  # noqa: F401  (fixture)
from tests.test_terraform_flow import network as terraform_network

ENI = models.RunInstancesRequestNetworkInterface


def bare() -> ENI:
    """An entry that says no more than needed to be sent (the SDK leaves out an entry with no field set)."""
    return ENI(description="nic")


def primary(vswitch: str, sg: str, **kw) -> ENI:
    return ENI(instance_type="Primary", v_switch_id=vswitch, security_group_ids=[sg], **kw)


def entries(client, instance_id: str) -> list[dict]:
    return describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"]


def one_eni(client, eni_id: str) -> dict:
    [record] = enis(client, network_interface_id=[eni_id])
    return record


def release(client, instance_id: str) -> None:
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))


def test_primary_and_secondary_at_launch(client):
    vpc, vswitch, sg = network(client)
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    [instance_id] = run(client, network_interface=[
        primary(vswitch, sg, primary_ip_address="172.16.0.10", network_interface_traffic_mode="Standard",
                source_dest_check=True),
        ENI(instance_type="Secondary", network_interface_name="data-nic", description="second NIC")])
    item = describe(client, instance_id)
    # the primary entry stands for VSwitchId, SecurityGroupIds.N and PrivateIpAddress
    assert item["VpcAttributes"]["VpcId"] == vpc and item["VpcAttributes"]["VSwitchId"] == vswitch
    assert item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == ["172.16.0.10"]
    assert item["SecurityGroupIds"]["SecurityGroupId"] == [sg]
    first, second = item["NetworkInterfaces"]["NetworkInterface"]
    assert (first["Type"], first["PrimaryIpAddress"]) == ("Primary", "172.16.0.10")
    assert second["Type"] == "Secondary" and second["PrimaryIpAddress"] not in ("", "172.16.0.10")
    assert one_eni(client, first["NetworkInterfaceId"])["SourceDestCheck"] is True
    eni = one_eni(client, second["NetworkInterfaceId"])
    assert (eni["Status"], eni["InstanceId"], eni["Attachment"]["InstanceId"], eni["Attachment"]["DeviceIndex"]) == (
        "InUse", instance_id, instance_id, 1)
    assert (eni["NetworkInterfaceName"], eni["Description"], eni["DeleteOnRelease"]) == ("data-nic", "second NIC", True)
    # the instance's vSwitch and groups unless named
    assert (eni["VSwitchId"], eni["ZoneId"], eni["SecurityGroupIds"]["SecurityGroupId"]) == (
        vswitch, item["ZoneId"], [sg])
    assert (eni["NetworkInterfaceTrafficMode"], eni["SourceDestCheck"]) == ("Standard", False)
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free - 2
    # DeleteOnRelease (documented default true): released with the instance, its address given back
    release(client, instance_id)
    assert enis(client, network_interface_id=[second["NetworkInterfaceId"]]) == []
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free


def test_secondary_in_its_own_vswitch_and_group_kept_at_release(client):
    vpc, vswitch, sg = network(client)
    other_vswitch = new_vswitch(client, vpc, cidr_block="172.17.0.0/24", zone_id="cn-hangzhou-h")
    other_sg = group(client, vpc)
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg, network_interface=[
        ENI(v_switch_id=other_vswitch, security_group_id=other_sg, primary_ip_address="172.17.0.20",
            delete_on_release=False)])  # (no InstanceType: Secondary, documented)
    [_, second] = entries(client, instance_id)
    assert second["PrimaryIpAddress"] == "172.17.0.20"
    eni = one_eni(client, second["NetworkInterfaceId"])
    assert (eni["VSwitchId"], eni["SecurityGroupIds"]["SecurityGroupId"], eni["DeleteOnRelease"]) == (
        other_vswitch, [other_sg], False)
    release(client, instance_id)
    kept = one_eni(client, second["NetworkInterfaceId"])
    assert (kept["Status"], kept["InstanceId"], kept["PrivateIpAddress"]) == ("Available", "", "172.17.0.20")


def test_an_existing_eni_attached_at_launch(client):
    _, vswitch, sg = network(client)
    eni_id = create(client, vswitch, sg, network_interface_name="kept").network_interface_id
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg,
                        network_interface=[ENI(network_interface_id=eni_id)])
    assert [e["NetworkInterfaceId"] for e in entries(client, instance_id)][1:] == [eni_id]
    eni = one_eni(client, eni_id)
    assert (eni["Status"], eni["InstanceId"], eni["NetworkInterfaceName"]) == ("InUse", instance_id, "kept")
    # in use now: a second launch with it is refused, and so is a launch of two instances with one ENI
    err = error_of(run, client, v_switch_id=vswitch, security_group_id=sg,
                   network_interface=[ENI(network_interface_id=eni_id)])
    assert (err.code, err.status_code) == ("InvalidOperation.InvalidNetworkInterfaceId", 403)
    assert_documented("RunInstances", err)
    free = create(client, vswitch, sg).network_interface_id
    err = error_of(run, client, v_switch_id=vswitch, security_group_id=sg, amount=2,
                   network_interface=[ENI(network_interface_id=free)])
    assert (err.code, err.status_code) == ("InvalidOperation.InvalidNetworkInterfaceId", 403)
    err = error_of(run, client, v_switch_id=vswitch, security_group_id=sg,
                   network_interface=[ENI(network_interface_id="eni-bp1nothere00000000")])
    assert (err.code, err.status_code) == ("InvalidEniId.NotFound", 403)
    assert_documented("RunInstances", err)
    # attached with its instance, kept at release (DeleteOnRelease false unless set on the ENI)
    release(client, instance_id)
    assert one_eni(client, eni_id)["Status"] == "Available"


def test_several_instances_each_get_a_secondary(client):
    _, vswitch, sg = network(client)
    ids = run(client, amount=3, network_interface=[primary(vswitch, sg), ENI(instance_type="Secondary")])
    seconds = [entries(client, i)[1]["NetworkInterfaceId"] for i in ids]
    assert len(set(seconds)) == 3
    assert [one_eni(client, e)["InstanceId"] for e in seconds] == ids


@pytest.mark.parametrize("interfaces, top, code, status", [
    (lambda v, s: [primary(v, s)], {"v_switch_id": True}, "InvalidParam.NetworkInterface", 400),
    (lambda v, s: [primary(v, s)], {"security_group_id": True}, "InvalidParam.NetworkInterface", 400),
    (lambda v, s: [primary(v, s), bare(), bare()], {}, "InvalidParameter.EniNumExceededWithLaunchEcs", 403),
    (lambda v, s: [bare(), ENI(instance_type="Secondary")], {"both": True}, "InvalidParameter.EniType", 403),
    (lambda v, s: [ENI(instance_type="Trunk")], {"both": True}, "InvalidParameter.EniType", 403),
    (lambda v, s: [primary(v, s, network_interface_traffic_mode="Fast")], {}, "InvalidParameter.EniTrafficMode", 403),
    (lambda v, s: [primary(v, s, network_interface_traffic_mode="HighPerformance")], {},
     "InvalidOperation.HighPerformanceEniPerInstanceLimitExceeded", 403),
    (lambda v, s: [primary(v, s, queue_pair_number=4)], {}, "InvalidParameter.QueuePairNumberMustEmpty", 403),
    (lambda v, s: [ENI(ipv_6address_count=1)], {"both": True}, "InvalidParameter.NetworkInterface", 403),
    (lambda v, s: [primary(v, s, primary_ip_address="172.16.0.30")], {"amount": 2},
     "InvalidPrimaryIpAddress.SizeInvalid", 400),
    (lambda v, s: [ENI(primary_ip_address="172.16.0.31")], {"both": True, "amount": 2},
     "InvalidParam.SecondaryNetworkInterface", 400),
    (lambda v, s: [bare()], {"both": True, "instance_type": "ecs.t5-lc1m1.small"},
     "InvalidParameter.EniNumExceededWithLaunchEcs", 403),
])
def test_refused_with_the_documented_code_and_nothing_written(client, interfaces, top, code, status):
    _, vswitch, sg = network(client)
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    kw = {"network_interface": interfaces(vswitch, sg), "amount": top.get("amount", 1)}
    if top.get("v_switch_id") or top.get("both"):
        kw["v_switch_id"] = vswitch
    if top.get("security_group_id") or top.get("both"):
        kw["security_group_id"] = sg
    err = error_of(run, client, instance_type=top.get("instance_type", X86_TYPE), **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("RunInstances", err)
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 0
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free


def test_a_secondary_elsewhere_is_refused_after_nothing_is_kept(client):
    """The secondary is checked after the instance is placed: its refusal still leaves nothing behind."""
    vpc, vswitch, sg = network(client)
    other_vpc = new_vpc(client, cidr_block="192.168.0.0/16")
    foreign_sg = group(client, other_vpc)
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    err = error_of(run, client, v_switch_id=vswitch, security_group_id=sg,
                   network_interface=[ENI(security_group_id=foreign_sg)])
    assert (err.code, err.status_code) == ("OperationDenied.InconsistentNetwork", 403)
    assert_documented("RunInstances", err)
    other_zone = new_vswitch(client, vpc, cidr_block="172.18.0.0/24", zone_id="cn-hangzhou-i")
    err = error_of(run, client, v_switch_id=vswitch, security_group_id=sg,
                   network_interface=[ENI(v_switch_id=other_zone)])
    assert (err.code, err.status_code) == ("InvalidParameter.VSwitchId", 400)
    assert_documented("RunInstances", err)
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 0
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free
    assert enis(client, vpc_id=vpc) == []


def test_async(client):
    _, vswitch, sg = network(client)

    async def go() -> list[str]:
        resp = await client.run_instances_async(models.RunInstancesRequest(
            region_id=REGION, image_id=LINUX, instance_type=X86_TYPE,
            network_interface=[primary(vswitch, sg), ENI(network_interface_name="async-nic")]))
        return resp.body.instance_id_sets.instance_id_set

    [instance_id] = asyncio.run(go())
    [_, second] = entries(client, instance_id)
    assert one_eni(client, second["NetworkInterfaceId"])["NetworkInterfaceName"] == "async-nic"


def legacy_run(vswitch: str, sg: str) -> RunInstancesRequest:
    request = RunInstancesRequest()
    request.set_ImageId(LINUX)
    request.set_InstanceType(X86_TYPE)
    request.set_NetworkInterfaces([
        {"InstanceType": "Primary", "VSwitchId": vswitch, "SecurityGroupIds": [sg]},
        {"InstanceType": "Secondary", "NetworkInterfaceName": "legacy-nic"}])
    return request


def test_old_sdk_json_and_xml(client, legacy):
    _, vswitch, sg = network(client)
    [instance_id] = legacy_call(legacy, legacy_run(vswitch, sg))["InstanceIdSets"]["InstanceIdSet"]
    [_, second] = entries(client, instance_id)
    assert one_eni(client, second["NetworkInterfaceId"])["NetworkInterfaceName"] == "legacy-nic"
    root = legacy_xml(legacy, legacy_run(vswitch, sg))
    [instance_id] = [e.text for e in root.iter("InstanceIdSet")]
    assert describe(client, instance_id)["VpcAttributes"]["VSwitchId"] == vswitch


# -- Terraform's alicloud_instance ----------------------------------------------------------------------------
def test_terraform_network_interfaces(proxy):  # noqa: F811 (the fixture)
    """resourceAliCloudInstanceCreate's NetworkInterface list (network_interface_traffic_mode set: the primary map
    in place of VSwitchId and SecurityGroupIds; network_interfaces: a secondary map with InstanceType Secondary),
    sent as the provider's tea client flattens it (a form body) through the server as HTTP proxy, then its Read of
    each ENI (DescribeEcsNetworkInterface), call for call."""
    p = Provider(REGION)
    net = terraform_network(p)
    vswitch, sg = net["vswitch"], net["security_group"]
    answer = p.rpc_post("RunInstances", {}, {
        "RegionId": REGION, "ClientToken": "RunInstances-tf-eni", "InstanceType": X86_TYPE, "ImageId": LINUX,
        "SystemDisk.Category": "cloud_essd", "InstanceName": "tf-eni",
        "NetworkInterface.1.InstanceType": "Primary", "NetworkInterface.1.SecurityGroupIds.1": sg,
        "NetworkInterface.1.VSwitchId": vswitch, "NetworkInterface.1.NetworkInterfaceTrafficMode": "Standard",
        "NetworkInterface.2.InstanceType": "Secondary", "NetworkInterface.2.VSwitchId": vswitch,
        "NetworkInterface.2.NetworkInterfaceTrafficMode": "Standard", "NetworkInterface.2.SecurityGroupIds.1": sg})
    instance_id = answer["InstanceIdSets"]["InstanceIdSet"][0]
    instance = p.call("DescribeInstances", InstanceIds=json.dumps([instance_id]))["Instances"]["Instance"][0]
    state: dict = {"network_interfaces": []}
    for obj in instance["NetworkInterfaces"]["NetworkInterface"]:
        found = p.rpc_post("DescribeNetworkInterfaces", {}, {"RegionId": REGION,
                                                             "NetworkInterfaceId.1": obj["NetworkInterfaceId"]})
        [eni] = found["NetworkInterfaceSets"]["NetworkInterfaceSet"]
        if obj["Type"] == "Primary":
            state.update(primary_ip_address=obj["PrimaryIpAddress"],
                         network_interface_traffic_mode=eni["NetworkInterfaceTrafficMode"],
                         queue_pair_number=eni["QueuePairNumber"], source_dest_check=eni["SourceDestCheck"],
                         network_card_index=eni["Attachment"]["NetworkCardIndex"])
        else:
            state["network_interfaces"].append({
                "network_interface_id": obj["NetworkInterfaceId"], "vswitch_id": eni["VSwitchId"],
                "network_interface_traffic_mode": eni["NetworkInterfaceTrafficMode"],
                "queue_pair_number": eni["QueuePairNumber"], "source_dest_check": eni["SourceDestCheck"],
                "security_group_ids": eni["SecurityGroupIds"]["SecurityGroupId"],
                "network_card_index": eni["Attachment"]["NetworkCardIndex"]})
    # what the configuration said reads back: no diff on the next plan
    assert (state["network_interface_traffic_mode"], state["network_card_index"]) == ("Standard", 0)
    assert state["primary_ip_address"] == instance["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    [secondary] = state["network_interfaces"]
    assert (secondary["vswitch_id"], secondary["network_interface_traffic_mode"], secondary["security_group_ids"],
            secondary["network_card_index"], secondary["source_dest_check"]) == (vswitch, "Standard", [sg], 0, False)
    # destroy: DeleteInstances (force) takes the secondary ENI with it (DeleteOnRelease, documented default)
    p.call("DeleteInstance", InstanceId=instance_id, Force="true")
    gone = p.rpc_post("DescribeNetworkInterfaces", {}, {"RegionId": REGION, "NetworkInterfaceId.1":
                                                        secondary["network_interface_id"]})
    assert gone["NetworkInterfaceSets"]["NetworkInterfaceSet"] == []


def test_a_request_primary_interface_wins_over_the_templates_network(client):
    """A template's VSwitchId and groups give way to the request's primary NetworkInterface.N (the request's
    parameters win, documented), instead of conflicting with it."""
    vpc, vswitch, sg = network(client)
    other_vswitch = new_vswitch(client, vpc, cidr_block="172.17.0.0/24", zone_id="cn-hangzhou-h")
    other_sg = group(client, vpc)
    template_id = client.create_launch_template(models.CreateLaunchTemplateRequest(
        region_id=REGION, launch_template_name="net", image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch,
        security_group_id=sg)).body.launch_template_id
    [instance_id] = run(client, image_id=None, instance_type=None, launch_template_id=template_id,
                        network_interface=[primary(other_vswitch, other_sg)])
    item = describe(client, instance_id)
    assert (item["VpcAttributes"]["VSwitchId"], item["SecurityGroupIds"]["SecurityGroupId"]) == (
        other_vswitch, [other_sg])
    [plain] = run(client, image_id=None, instance_type=None, launch_template_id=template_id)  # (the template's)
    assert describe(client, plain)["VpcAttributes"]["VSwitchId"] == vswitch

"""IPv6 addresses of network interfaces and instances in a vSwitch with an IPv6 /64 (made through the VPC product's
SDK: CreateVpc EnableIpv6, CreateVSwitch Ipv6CidrBlock): AssignIpv6Addresses / UnassignIpv6Addresses on secondary
and primary ENIs, RunInstances' and CreateNetworkInterface's Ipv6AddressCount / Ipv6Address.N, what
DescribeNetworkInterfaces and DescribeInstances show, the documented refusals; through the current SDK (sync and
async), the old SDK (JSON and XML), and Terraform's ``alicloud_instance`` ``ipv6_address_count`` replayed."""
from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import Any, Optional

import alibabacloud_ecs20140526.models as models
import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkecs.request.v20140526.AssignIpv6AddressesRequest import AssignIpv6AddressesRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest
from aliyunsdkecs.request.v20140526.UnassignIpv6AddressesRequest import UnassignIpv6AddressesRequest

from mockecs.modes.clients import vpc_client
from tests import test_build_flow
from tests.networks_helpers import new_vpc, new_vswitch, one_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, REGION, assert_documented, describe, run
from tests.test_network_interfaces import create, enis, group
from tests.test_private_ips import assign6, unassign6
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import (
    Provider,
    _calls,
    _numbered,
    describe_instance,
    eni_read,
    instance_create,
    instance_delete,
    instance_read,
)
from tests.test_terraform_vpc import VpcProvider, vpc_create, wait_vswitch

ZONE = "cn-hangzhou-h"
proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


@pytest.fixture
def vpc(mock):
    return vpc_client()


def ipv6_network(client, vpc, bits: int = 1) -> tuple[str, str, ipaddress.IPv6Network]:
    """A VPC with IPv6, its vSwitch with the /64 numbered ``bits``, a security group: (vSwitch, group, /64)."""
    vpc_id = vpc.create_vpc(vm.CreateVpcRequest(region_id=REGION, cidr_block="172.16.0.0/12",
                                                enable_ipv_6=True)).body.vpc_id
    vswitch = vpc.create_vswitch(vm.CreateVSwitchRequest(region_id=REGION, vpc_id=vpc_id, zone_id=ZONE,
                                                         cidr_block="172.16.0.0/24", ipv_6cidr_block=bits)).body
    block = vpc.describe_vswitch_attributes(vm.DescribeVSwitchAttributesRequest(
        region_id=REGION, v_switch_id=vswitch.v_switch_id)).body.ipv_6cidr_block
    return vswitch.v_switch_id, group(client, vpc_id), ipaddress.IPv6Network(block)


def held(client, eni: str) -> list[str]:
    [record] = enis(client, network_interface_id=[eni])
    return [s["Ipv6Address"] for s in record["Ipv6Sets"]["Ipv6Set"]]


def instance_ipv6(client, instance_id: str) -> list[list[str]]:
    """DescribeInstances' IPv6 addresses of each ENI of the instance (the primary first)."""
    return [[s["Ipv6Address"] for s in e["Ipv6Sets"]["Ipv6Set"]]
            for e in describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"]]


def host(block: ipaddress.IPv6Network, n: int) -> str:
    return str(block.network_address + n)


def refused(action: str, call: Any, *args: Any, code: str, status: int, **kw: Any) -> None:
    err = error_of(call, *args, **kw)
    assert (err.code, err.status_code) == (code, status), (kw, err.data)
    assert_documented(action, err)


# -- secondary ENIs ------------------------------------------------------------------------------------------
def test_eni_assign_unassign_and_give_back(client, vpc):
    vswitch, sg, block = ipv6_network(client, vpc)
    assert block.prefixlen == 64
    body = create(client, vswitch, sg, ipv_6address_count=2)
    eni = body.network_interface_id
    made = [s.ipv_6address for s in body.ipv_6sets.ipv_6set]
    assert len(set(made)) == 2 and all(ipaddress.IPv6Address(ip) in block for ip in made)
    assert held(client, eni) == made

    answer = assign6(client, eni, ipv_6address_count=3)
    assert answer.network_interface_id == eni and len(answer.ipv_6sets.ipv_6address) == 3
    wanted = host(block, 0xA)
    # an address named in capitals comes back in its canonical form
    assert assign6(client, eni, ipv_6address=[wanted.upper()]).ipv_6sets.ipv_6address == [wanted]
    assert held(client, eni) == made + answer.ipv_6sets.ipv_6address + [wanted]
    # DescribeNetworkInterfaces' Ipv6Address filter
    assert [r["NetworkInterfaceId"] for r in enis(client, ipv_6address=[wanted])] == [eni]
    assert enis(client, ipv_6address=[host(block, 0xB)]) == []

    other = create(client, vswitch, sg).network_interface_id
    refused("AssignIpv6Addresses", assign6, client, other, ipv_6address=[wanted], code="InvalidIp.IpAssigned",
            status=404)
    refused("AssignIpv6Addresses", assign6, client, eni, ipv_6address=[wanted], code="InvalidIp.IpAssigned",
            status=404)
    for outside in ("2001:db8::1", str(block.network_address)):
        refused("AssignIpv6Addresses", assign6, client, other, ipv_6address=[outside],
                code="InvalidVSwitchId.IpInvalid", status=404)
    # an Available ENI holds 10 (documented); it holds 6
    refused("AssignIpv6Addresses", assign6, client, eni, ipv_6address_count=5, code="MaxEniIpv6IpsCountExceeded",
            status=404)
    assert len(held(client, eni)) == 6  # nothing half done

    unassign6(client, eni, ipv_6address=[wanted, made[0]])
    assert held(client, eni) == [made[1]] + answer.ipv_6sets.ipv_6address
    refused("UnassignIpv6Addresses", unassign6, client, eni, ipv_6address=[wanted], code="InvalidIp.IpUnassigned",
            status=403)
    assert assign6(client, other, ipv_6address=[wanted]).ipv_6sets.ipv_6address == [wanted]  # free again
    # a deleted ENI gives its addresses back
    client.delete_network_interface(models.DeleteNetworkInterfaceRequest(region_id=REGION, network_interface_id=other))
    third = create(client, vswitch, sg, ipv_6address=[wanted]).network_interface_id
    assert held(client, third) == [wanted]


def test_create_network_interface_refusals(client, vpc):
    vswitch, sg, block = ipv6_network(client, vpc)
    plain_vswitch = new_vswitch(client, new_vpc(client, cidr_block="172.16.0.0/12"), zone_id=ZONE)
    plain_group = group(client, one_vswitch(client, plain_vswitch)["VpcId"])
    taken = held(client, create(client, vswitch, sg, ipv_6address_count=1).network_interface_id)[0]
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    cases = [
        ((plain_vswitch, plain_group), dict(ipv_6address_count=1), "InvalidOperation.VSwitchIpv6Disabled", 404),
        ((vswitch, sg), dict(ipv_6address_count=1, network_interface_traffic_mode="HighPerformance"),
         "InvalidOperation.EniTrafficModeNotSupportIpv6", 404),
        ((vswitch, sg), dict(ipv_6address_count=11), "InvalidOperation.MaxEniIpv6IpsCountExceeded", 404),
        ((vswitch, sg), dict(ipv_6address=[taken]), "InvalidOperation.AddressAlreadyAllocated", 404),
        ((vswitch, sg), dict(ipv_6address=["2001:db8::5"]), "InvalidOperation.AddressNotInVSwitchCidr", 404),
        ((vswitch, sg), dict(ipv_6address=[host(block, 5)], ipv_6address_count=1), "InvalidParameter.Conflict", 400),
        ((vswitch, sg), dict(ipv_6address=["not-an-address"]), "InvalidIp.Address", 403),
        ((vswitch, sg), dict(ipv_6address=[host(block, 5)] * 2), "InvalidIp.IpRepeated", 403),
    ]
    for (vsw, group_id), kw, code, status in cases:
        refused("CreateNetworkInterface", create, client, vsw, group_id, code=code, status=status, **kw)
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free  # no address taken by a refusal
    assert len(enis(client, v_switch_id=vswitch)) == 1


# -- instances -----------------------------------------------------------------------------------------------
def test_run_instances_with_ipv6_and_the_primary_eni(client, vpc):
    vswitch, sg, block = ipv6_network(client, vpc)
    first, second = run(client, v_switch_id=vswitch, security_group_id=sg, amount=2, ipv_6address_count=2)
    addresses = [instance_ipv6(client, i)[0] for i in (first, second)]
    assert all(len(a) == 2 for a in addresses) and len({ip for a in addresses for ip in a}) == 4
    primary = describe(client, first)["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"]
    assert held(client, primary) == addresses[0]
    # ecs.g7.large: 6 per ENI (EniIpv6AddressQuantity)
    assign6(client, primary, ipv_6address_count=4)
    assert len(instance_ipv6(client, first)[0]) == 6
    refused("AssignIpv6Addresses", assign6, client, primary, ipv_6address_count=1, code="MaxEniIpv6IpsCountExceeded",
            status=404)
    unassign6(client, primary, ipv_6address=addresses[0])
    assert instance_ipv6(client, first)[0] == held(client, primary) and len(held(client, primary)) == 4

    # a secondary ENI attached: the type's quota, and DescribeInstances lists its addresses
    eni = create(client, vswitch, sg).network_interface_id
    client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=first))
    refused("AssignIpv6Addresses", assign6, client, eni, ipv_6address_count=7, code="MaxEniIpv6IpsCountExceeded",
            status=404)
    got = assign6(client, eni, ipv_6address_count=2).ipv_6sets.ipv_6address
    assert instance_ipv6(client, first)[1] == got

    # one named address (Amount 1 only)
    wanted = host(block, 0x77)
    [third] = run(client, v_switch_id=vswitch, security_group_id=sg, ipv_6address=[wanted])
    assert instance_ipv6(client, third) == [[wanted]]
    # deleting the instances gives their addresses back (the secondary ENI is kept, detached, with its own)
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=[first, second, third],
                                                          force=True))
    assert held(client, eni) == got
    assert enis(client, ipv_6address=[wanted]) == []
    [again] = run(client, v_switch_id=vswitch, security_group_id=sg, ipv_6address=[wanted])
    assert instance_ipv6(client, again) == [[wanted]]
    # an instance launched without IPv6 shows none
    [bare] = run(client, v_switch_id=vswitch, security_group_id=sg)
    assert instance_ipv6(client, bare) == [[]]


def test_run_instances_refusals(client, vpc):
    vswitch, sg, block = ipv6_network(client, vpc)
    plain_vswitch = new_vswitch(client, new_vpc(client, cidr_block="172.16.0.0/12"), zone_id=ZONE)
    plain_group = group(client, one_vswitch(client, plain_vswitch)["VpcId"])
    [holder] = run(client, v_switch_id=vswitch, security_group_id=sg, ipv_6address_count=1)
    taken = instance_ipv6(client, holder)[0][0]
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    net = dict(v_switch_id=vswitch, security_group_id=sg)
    cases = [
        (dict(v_switch_id=plain_vswitch, security_group_id=plain_group, ipv_6address_count=1),
         "InvalidVSwitch.Ipv6NotTurnOn", 403),
        (dict(net, instance_type="ecs.t5-lc1m1.small", ipv_6address_count=1), "InvalidOperation.Ipv6NotSupport", 403),
        (dict(net, ipv_6address_count=7), "MaxEniIpv6IpsCountExceeded", 403),
        (dict(net, ipv_6address=[taken]), "InvalidIp.IpAssigned", 403),
        (dict(net, ipv_6address=["2001:db8::1"]), "InvalidVSwitchId.IpInvalid", 403),
        (dict(net, ipv_6address=["2001:db8::zz"]), "InvalidIp.Address", 403),
        (dict(net, ipv_6address=[host(block, 9)] * 2), "InvalidIp.IpRepeated", 403),
        (dict(net, ipv_6address=[host(block, 9)], ipv_6address_count=1), "InvalidParam.IpAssign", 403),
        (dict(net, ipv_6address=[host(block, 9)], amount=2), "InvalidParam.Amount", 403),
        (dict(ipv_6address_count=1), "MissingParameter", 400),  # (no vSwitch: a classic-network launch)
    ]
    for kw, code, status in cases:
        refused("RunInstances", run, client, code=code, status=status, **kw)
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free  # nothing launched, nothing taken
    listed = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count
    assert listed == 1


def test_vswitch_ipv6_kept_while_addresses_are_held(client, vpc):
    vswitch, sg, _ = ipv6_network(client, vpc)
    eni = create(client, vswitch, sg, ipv_6address_count=1).network_interface_id
    request = vm.ModifyVSwitchAttributeRequest(region_id=REGION, v_switch_id=vswitch, enable_ipv_6=False)
    err = error_of(vpc.modify_vswitch_attribute, request)
    assert (err.code, err.status_code) == ("DependencyViolation", 400)
    unassign6(client, eni, ipv_6address=held(client, eni))
    vpc.modify_vswitch_attribute(request)
    refused("AssignIpv6Addresses", assign6, client, eni, ipv_6address_count=1,
            code="InvalidOperation.VSwitchIpv6Disabled", status=404)


def test_async_assign_and_unassign(client, vpc):
    vswitch, sg, block = ipv6_network(client, vpc)
    eni = create(client, vswitch, sg).network_interface_id

    async def flow() -> list[str]:
        answer = await client.assign_ipv_6addresses_async(models.AssignIpv6AddressesRequest(
            region_id=REGION, network_interface_id=eni, ipv_6address=[host(block, 1), host(block, 2)]))
        await client.unassign_ipv_6addresses_async(models.UnassignIpv6AddressesRequest(
            region_id=REGION, network_interface_id=eni, ipv_6address=[host(block, 1)]))
        return answer.body.ipv_6sets.ipv_6address

    assert asyncio.run(flow()) == [host(block, 1), host(block, 2)]
    assert held(client, eni) == [host(block, 2)]


def test_old_sdk_json_and_xml(client, vpc, legacy):
    vswitch, sg, block = ipv6_network(client, vpc)
    run_request = RunInstancesRequest()
    for setter, value in (("ImageId", LINUX), ("InstanceType", "ecs.g7.large"), ("VSwitchId", vswitch),
                          ("SecurityGroupId", sg), ("Ipv6AddressCount", 1)):
        getattr(run_request, f"set_{setter}")(value)
    [instance_id] = legacy_call(legacy, run_request)["InstanceIdSets"]["InstanceIdSet"]
    primary = describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"]
    assert len(held(client, primary)) == 1

    request = AssignIpv6AddressesRequest()
    request.set_NetworkInterfaceId(primary)
    request.set_Ipv6Addresss([host(block, 3)])
    answer = legacy_call(legacy, request)
    assert answer["Ipv6Sets"] == {"Ipv6Address": [host(block, 3)]} and answer["NetworkInterfaceId"] == primary
    request = AssignIpv6AddressesRequest()
    request.set_NetworkInterfaceId(primary)
    request.set_Ipv6AddressCount(1)
    root = legacy_xml(legacy, request)
    assert root.tag == "AssignIpv6AddressesResponse" and root.findtext("NetworkInterfaceId") == primary
    [address] = [e.text for e in root.find("Ipv6Sets")]
    assert ipaddress.IPv6Address(address) in block and len(held(client, primary)) == 3

    request = UnassignIpv6AddressesRequest()
    request.set_NetworkInterfaceId(primary)
    request.set_Ipv6Addresss([address])
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    root = legacy_xml(legacy, request)  # again: no longer there
    assert root.findtext("Code") == "InvalidIp.IpUnassigned"
    assert address not in held(client, primary)


# -- Terraform: alicloud_instance ipv6_address_count ---------------------------------------------------------
def tf_read(p: Provider, instance_id: str, *, new: bool = False) -> Optional[dict]:
    """resourceAliCloudInstanceRead with its IPv6 part: the primary ENI's Ipv6Sets (DescribeEcsNetworkInterface)
    give ``ipv6_addresses`` and ``ipv6_address_count`` (their number)."""
    state = instance_read(p, instance_id, new=new)
    if state is None:
        return None
    found = describe_instance(p, instance_id)["NetworkInterfaces"]["NetworkInterface"]
    primary = next(e["NetworkInterfaceId"] for e in found if e["Type"] == "Primary")
    ips = [s["Ipv6Address"] for s in eni_read(p, primary)["Ipv6Sets"]["Ipv6Set"]]
    return {**state, "ipv6_addresses": set(ips), "ipv6_address_count": len(ips), "_primary": primary}


def test_terraform_instance_ipv6_address_count(proxy):
    net_api, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id = vpc_create(net_api, {"vpc_name": "tf-v6", "cidr_block": "172.16.0.0/12", "enable_ipv6": True})
    # alicloud_vswitch with ipv6_cidr_block_mask = 1
    vswitch = net_api.post("CreateVSwitch", {"ClientToken": "CreateVSwitch-tf-v6", "CidrBlock": "172.16.0.0/24",
                                             "VpcId": vpc_id, "ZoneId": ZONE, "Ipv6CidrBlock": 1})["VSwitchId"]
    wait_vswitch(net_api, vswitch)
    group_id = ecs.call("CreateSecurityGroup", VpcId=vpc_id)["SecurityGroupId"]
    net = {"vpc": vpc_id, "vswitch": vswitch, "security_group": group_id}

    # ipv6_address_count = 2: RunInstances' Ipv6AddressCount (no primary network_interface block set)
    instance_id = instance_create(ecs, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {},
                                  settings={"Ipv6AddressCount": 2})
    state = tf_read(ecs, instance_id, new=True)
    assert state["ipv6_address_count"] == 2  # what the configuration says: no diff on the next plan
    assert tf_read(ecs, instance_id) == state  # terraform refresh

    # ipv6_addresses changed: Unassign the removed, Assign the added (ClientTokens), on the primary ENI
    keep, drop = sorted(state["ipv6_addresses"])
    block = ipaddress.IPv6Network(net_api.post("DescribeVSwitchAttributes", {}, {"VSwitchId": vswitch})[
        "Ipv6CidrBlock"])
    added = host(block, 0x42)
    for action, ips in (("UnassignIpv6Addresses", [drop]), ("AssignIpv6Addresses", [added])):
        ecs.rpc_post(action, {}, {"RegionId": REGION, "ClientToken": f"{action}-tf", "NetworkInterfaceId":
                                  state["_primary"], **_numbered("Ipv6Address", ips)})
    after = tf_read(ecs, instance_id)
    assert after["ipv6_addresses"] == {keep, added} and after["ipv6_address_count"] == 2

    instance_delete(ecs, instance_id)
    assert tf_read(ecs, instance_id) is None
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    # the addresses went back with the instance
    found = ecs.call("DescribeNetworkInterfaces", **{"Ipv6Address.1": added})
    assert json.dumps(found["NetworkInterfaceSets"]["NetworkInterfaceSet"]) == "[]"


def test_attach_and_type_change_keep_within_the_type(client, vpc):
    """An ENI's IPv6 addresses must fit the instance type it joins (AttachNetworkInterface) or changes to
    (ModifyInstanceSpec): EniIpv6AddressQuantity, none for a type without IPv6."""
    vswitch, sg, _ = ipv6_network(client, vpc)
    [small] = run(client, v_switch_id=vswitch, security_group_id=sg, instance_type="ecs.t6-c1m1.large")  # none
    [large] = run(client, v_switch_id=vswitch, security_group_id=sg)  # ecs.g7.large: 6
    eni = create(client, vswitch, sg, ipv_6address_count=7).network_interface_id

    def attach(instance_id: str) -> None:
        client.attach_network_interface(models.AttachNetworkInterfaceRequest(
            region_id=REGION, network_interface_id=eni, instance_id=instance_id))

    refused("AttachNetworkInterface", attach, small, code="InvalidOperation.Ipv6NotSupport", status=403)
    refused("AttachNetworkInterface", attach, large, code="InvalidOperation.Ipv6CountExceeded", status=400)
    unassign6(client, eni, ipv_6address=held(client, eni)[:1])
    attach(large)
    assert len(instance_ipv6(client, large)[1]) == 6

    client.stop_instance(models.StopInstanceRequest(instance_id=large))

    def spec(instance_type: str) -> None:
        client.modify_instance_spec(models.ModifyInstanceSpecRequest(
            instance_id=large, instance_type=instance_type))

    refused("ModifyInstanceSpec", spec, "ecs.t6-c1m1.large", code="InvalidOperation.Ipv6NotSupport", status=403)
    refused("ModifyInstanceSpec", spec, "ecs.g6.large", code="InvalidOperation.Ipv6CountExceeded",
            status=403)
    spec("ecs.g7.xlarge")
    assert describe(client, large)["InstanceType"] == "ecs.g7.xlarge"


def test_describe_instances_by_ipv6_address(client, vpc):
    vswitch, sg, block = ipv6_network(client, vpc)
    [holder] = run(client, v_switch_id=vswitch, security_group_id=sg, ipv_6address=[host(block, 0x51)])
    [other] = run(client, v_switch_id=vswitch, security_group_id=sg)
    eni = create(client, vswitch, sg, ipv_6address=[host(block, 0x52)]).network_interface_id

    def by(*ips: str, **kw: Any) -> list[str]:
        found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, ipv_6address=list(ips),
                                                                          **kw)).body.to_map()
        return [i["InstanceId"] for i in found["Instances"]["Instance"]]

    assert by(host(block, 0x51).upper()) == [holder]
    assert by(host(block, 0x52)) == []  # an Available ENI's: no instance
    client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=other))
    assert by(host(block, 0x51), host(block, 0x52)) == [holder, other]
    assert by(host(block, 0x52), instance_ids=json.dumps([holder])) == []

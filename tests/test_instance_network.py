"""ModifyInstanceVpcAttribute: a stopped VPC instance moves to another vSwitch or address of its VPC, or to another
VPC with its security groups, through the real SDKs, with the documented rules and codes."""
from __future__ import annotations

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.ModifyInstanceVpcAttributeRequest import ModifyInstanceVpcAttributeRequest

from mockecs.world import resources
from tests.networks_helpers import new_vpc, new_vswitch, one_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, describe, run
from tests.test_network_interfaces import create, enis, group

ZONE = "cn-hangzhou-h"


def stop(client, instance_id: str) -> None:
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))


def start(client, instance_id: str) -> None:
    client.start_instance(models.StartInstanceRequest(instance_id=instance_id))


def move(client, instance_id: str, vswitch_id: str, **kw) -> None:
    client.modify_instance_vpc_attribute(models.ModifyInstanceVpcAttributeRequest(
        instance_id=instance_id, v_switch_id=vswitch_id, **kw))


def placed(client, instance_id: str) -> tuple[str, str, str]:
    """(VpcId, VSwitchId, private address) as DescribeInstances shows them; the primary ENI agrees."""
    record = describe(client, instance_id)
    vpc = record["VpcAttributes"]
    [address] = vpc["PrivateIpAddress"]["IpAddress"]
    [entry] = record["NetworkInterfaces"]["NetworkInterface"]
    assert entry["PrimaryIpAddress"] == address
    [eni] = enis(client, network_interface_id=[entry["NetworkInterfaceId"]])
    assert (eni["VpcId"], eni["VSwitchId"], eni["PrivateIpAddress"]) == (vpc["VpcId"], vpc["VSwitchId"], address)
    return vpc["VpcId"], vpc["VSwitchId"], address


def setting(client) -> dict:
    vpc = new_vpc(client, cidr_block="172.16.0.0/12")
    first = new_vswitch(client, vpc, cidr_block="172.16.0.0/24", zone_id=ZONE)
    second = new_vswitch(client, vpc, cidr_block="172.16.1.0/24", zone_id=ZONE)
    sg = group(client, vpc)
    [instance_id] = run(client, v_switch_id=first, security_group_id=sg)
    return {"vpc": vpc, "first": first, "second": second, "group": sg, "instance": instance_id}


def test_a_stopped_instance_moves_to_another_vswitch_and_address(client):
    s = setting(client)
    instance_id = s["instance"]
    _, _, old_ip = placed(client, instance_id)
    stop(client, instance_id)
    before = {v: one_vswitch(client, v)["AvailableIpAddressCount"] for v in (s["first"], s["second"])}
    move(client, instance_id, s["second"], private_ip_address="172.16.1.50")
    assert placed(client, instance_id) == (s["vpc"], s["second"], "172.16.1.50")
    after = {v: one_vswitch(client, v)["AvailableIpAddressCount"] for v in (s["first"], s["second"])}
    assert after == {s["first"]: before[s["first"]] + 1, s["second"]: before[s["second"]] - 1}
    # the old address is free again: another instance can take it
    [other] = run(client, v_switch_id=s["first"], security_group_id=s["group"], private_ip_address=old_ip)
    assert placed(client, other)[2] == old_ip
    # documented: after a change the instance must start before the next one
    err = error_of(move, client, instance_id, s["first"])
    assert err.code == "InvalidPrivateIp.Changing"
    assert_documented("ModifyInstanceVpcAttribute", err)
    start(client, instance_id)
    stop(client, instance_id)
    move(client, instance_id, s["second"])  # its own vSwitch, no address: nothing changes
    assert placed(client, instance_id) == (s["vpc"], s["second"], "172.16.1.50")
    move(client, instance_id, s["first"])  # any free address of the vSwitch
    _, vswitch_id, address = placed(client, instance_id)
    assert vswitch_id == s["first"] and address.startswith("172.16.0.") and address != old_ip


def test_moving_to_another_vpc_takes_its_security_groups(client, legacy):
    s = setting(client)
    target = new_vpc(client, cidr_block="192.168.0.0/16")
    vswitch = new_vswitch(client, target, cidr_block="192.168.3.0/24", zone_id=ZONE)
    groups = [group(client, target), group(client, target)]
    stop(client, s["instance"])
    request = ModifyInstanceVpcAttributeRequest()
    request.set_InstanceId(s["instance"])
    request.set_VSwitchId(vswitch)
    request.set_VpcId(target)
    request.set_SecurityGroupIds(groups)
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    assert placed(client, s["instance"])[:2] == (target, vswitch)
    assert describe(client, s["instance"])["SecurityGroupIds"]["SecurityGroupId"] == groups
    start(client, s["instance"])
    stop(client, s["instance"])
    request.set_accept_format("XML")
    root = legacy_xml(legacy, request)  # (already there: the documented refusal, in XML)
    assert (root.tag, root.findtext("Code")) == ("Error", "InvalidParameter.AlreadyInTargetVpc")


def test_modify_instance_vpc_attribute_documented_errors(client, engine):
    s = setting(client)
    instance_id = s["instance"]
    other_vpc = new_vpc(client, cidr_block="10.0.0.0/8")
    other_vswitch = new_vswitch(client, other_vpc, cidr_block="10.1.0.0/24", zone_id=ZONE)
    other_group = group(client, other_vpc)
    other_zone = new_vswitch(client, s["vpc"], cidr_block="172.16.9.0/24", zone_id="cn-hangzhou-i")
    [classic] = run(client)
    stop(client, classic)
    [never_started] = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large",
        v_switch_id=s["first"], security_group_id=s["group"])).body.instance_id.split()
    running_error = error_of(move, client, instance_id, s["second"])
    stop(client, instance_id)
    err = error_of(move, client, instance_id, other_vswitch, vpc_id=other_vpc)  # (VpcId needs SecurityGroupId.N)
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    cases = [
        (running_error, "IncorrectInstanceStatus"),
        (error_of(move, client, "i-bp1nosuchinstance000", s["second"]), "InvalidInstanceId.NotFound"),
        (error_of(move, client, classic, s["second"]), "OperationDenied"),
        (error_of(move, client, never_started, s["second"]), "InvalidPrivateIp.Changing"),
        (error_of(move, client, instance_id, "vsw-bp1nosuchvswitch0000"), "InvalidVSwitchId.NotFound"),
        (error_of(move, client, instance_id, other_zone), "InvalidVSwitchId.Mismatch"),
        (error_of(move, client, instance_id, other_vswitch), "InvalidVSwitch.NotBelongToVpc"),
        (error_of(move, client, instance_id, s["second"], security_group_id=[s["group"]]),
         "InvalidParameter.MustBeEmpty"),
        (error_of(move, client, instance_id, s["second"], private_ip_address="172.16.0.9"),
         "InvalidPrivateIpAddress.Mismatch"),
        (error_of(move, client, instance_id, s["second"], private_ip_address="172.16.1.999"),
         "InvalidPrivateIpAddress.Malformed"),
        (error_of(move, client, instance_id, other_vswitch, vpc_id=s["vpc"], security_group_id=[s["group"]]),
         "InvalidParameter.AlreadyInTargetVpc"),
        (error_of(move, client, instance_id, s["second"], vpc_id=other_vpc, security_group_id=[other_group]),
         "InvalidVSwitch.NotBelongToVpc"),
        (error_of(move, client, instance_id, other_vswitch, vpc_id=other_vpc, security_group_id=[s["group"]]),
         "InvalidSecurityGroupVpc.NotBelongToOneVpc"),
        (error_of(move, client, instance_id, other_vswitch, vpc_id=other_vpc,
                  security_group_id=[other_group, other_group]), "InvalidParameter.SecurityGroupIdRepeated"),
        (error_of(move, client, instance_id, other_vswitch, vpc_id=other_vpc,
                  security_group_id=["sg-bp1nosuchgroup00000"]), "InvalidSecurityGroupId.NotFound"),
    ]
    [taker] = run(client, v_switch_id=s["second"], security_group_id=s["group"])
    taken = describe(client, taker)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    cases.append((error_of(move, client, instance_id, s["second"], private_ip_address=taken),
                  "InvalidPrivateIpAddress.Duplicated"))
    eni = create(client, s["first"], s["group"]).network_interface_id
    client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id))
    cases.append((error_of(move, client, instance_id, s["second"]), "InvalidInstance.AttachedEni"))
    client.detach_network_interface(models.DetachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id))
    client.assign_private_ip_addresses(models.AssignPrivateIpAddressesRequest(
        region_id=REGION, network_interface_id=placed_eni(client, instance_id), secondary_private_ip_address_count=1))
    cases.append((error_of(move, client, instance_id, s["second"]), "PrimaryEniHasSubIp"))
    with engine.store.transaction() as txn:
        record = dict(txn.get("instance", instance_id))
        resources.put(txn, "instance", {**record, "OperationLocks": {"LockReason": [{"LockReason": "security"}]}})
    cases.append((error_of(move, client, instance_id, s["second"]), "OperationDenied"))
    for err, code in cases:
        assert err.code == code, (code, err)
        assert_documented("ModifyInstanceVpcAttribute", err)


def placed_eni(client, instance_id: str) -> str:
    return describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"]

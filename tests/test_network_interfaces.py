"""Elastic network interfaces through the current SDK (sync and async) and the old SDK: create, describe
(secondary ENIs and the primary ENIs of instances), attach, detach, modify, delete; addresses shared with
instances in a vSwitch; the metadata's codes; a vSwitch, a security group and an instance with ENIs."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateNetworkInterfaceRequest import CreateNetworkInterfaceRequest
from aliyunsdkecs.request.v20140526.DescribeNetworkInterfacesRequest import DescribeNetworkInterfacesRequest

from tests.networks_helpers import new_vpc, new_vswitch, one_vswitch
from tests.sdk import error_of, legacy_call
from tests.test_instances import REGION, assert_documented, assert_wire, describe, run


def group(client, vpc_id: str) -> str:
    return client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc_id)) \
        .body.security_group_id


def network(client) -> tuple[str, str, str]:
    vpc = new_vpc(client, cidr_block="172.16.0.0/12")
    return vpc, new_vswitch(client, vpc, zone_id="cn-hangzhou-h"), group(client, vpc)


def create(client, vswitch: str, group_id: str, **kw) -> models.CreateNetworkInterfaceResponseBody:
    return client.create_network_interface(models.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_id=group_id, **kw)).body


def listed(client, **kw) -> dict:
    body = client.describe_network_interfaces(models.DescribeNetworkInterfacesRequest(region_id=REGION, **kw)).body
    return body.to_map()


def enis(client, **kw) -> list[dict]:
    return listed(client, **kw)["NetworkInterfaceSets"]["NetworkInterfaceSet"]


def test_create_describe_attach_detach_delete_new_sdk(client):
    vpc, vswitch, sg = network(client)
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)
    primary_ip = describe(client, instance_id)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]

    body = create(client, vswitch, sg, network_interface_name="web-eni", description="second NIC",
                  secondary_private_ip_address_count=2,
                  tag=[models.CreateNetworkInterfaceRequestTag(key="team", value="net")])
    assert_wire(body.to_map(), "CreateNetworkInterfaceResponseBody")
    eni = body.network_interface_id
    assert eni.startswith("eni-") and (body.status, body.type) == ("Available", "Secondary")
    assert (body.vpc_id, body.v_switch_id, body.zone_id) == (vpc, vswitch, "cn-hangzhou-h")
    assert body.security_group_ids.security_group_id == [sg] and body.mac_address.startswith("00:16:3e:")
    ips = [s.private_ip_address for s in body.private_ip_sets.private_ip_set]
    assert len(ips) == 3 and primary_ip not in ips and body.private_ip_address == ips[0]
    assert [s.primary for s in body.private_ip_sets.private_ip_set] == [True, False, False]
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free - 3

    # both ENIs: the instance's primary one and the new one (creation order)
    answer = listed(client)
    assert answer["TotalCount"] == 2 and (answer["PageNumber"], answer["PageSize"]) == (1, 10)
    primary, secondary = answer["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    assert (primary["Type"], primary["Status"], primary["InstanceId"]) == ("Primary", "InUse", instance_id)
    assert primary["PrivateIpAddress"] == primary_ip and primary["SecurityGroupIds"]["SecurityGroupId"] == [sg]
    instance_eni = describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]
    assert primary["NetworkInterfaceId"] == instance_eni["NetworkInterfaceId"]
    assert primary["MacAddress"] == instance_eni["MacAddress"] and primary["QueueNumber"] == 2
    assert (secondary["NetworkInterfaceId"], secondary["Status"], secondary["InstanceId"]) == (eni, "Available", "")
    assert secondary["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "net"}]
    assert secondary["NetworkInterfaceName"] == "web-eni" and secondary["Description"] == "second NIC"
    assert secondary["CreationTime"].endswith("Z") and len(secondary["CreationTime"]) == 20

    client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id))
    [attached] = enis(client, network_interface_id=[eni])
    assert (attached["Status"], attached["InstanceId"]) == ("InUse", instance_id)
    # (no QueueNumber given: the instance type's SecondaryEniQueueNumber once attached, as documented)
    assert (secondary["QueueNumber"], attached["QueueNumber"]) == (0, 2)
    assert attached["Attachment"]["InstanceId"] == instance_id and attached["Attachment"]["DeviceIndex"] == 1
    on_instance = describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"]
    assert [(e["NetworkInterfaceId"], e["Type"]) for e in on_instance] == \
        [(primary["NetworkInterfaceId"], "Primary"), (eni, "Secondary")]
    assert {e["NetworkInterfaceId"] for e in enis(client, instance_id=instance_id)} == \
        {primary["NetworkInterfaceId"], eni}
    assert [e["NetworkInterfaceId"] for e in enis(client, instance_id=instance_id, type="Secondary")] == [eni]
    assert [e["NetworkInterfaceId"] for e in enis(client, primary_ip_address=ips[0])] == [eni]
    assert [e["NetworkInterfaceId"] for e in enis(client, private_ip_address=[ips[2]])] == [eni]
    assert [e["NetworkInterfaceId"] for e in enis(client, security_group_id=sg)] == [eni]  # (secondary only)
    assert [e["NetworkInterfaceId"] for e in enis(client, tag=[
        models.DescribeNetworkInterfacesRequestTag(key="team", value="net")])] == [eni]
    assert enis(client, status="Available") == []

    asyncio.run(client.detach_network_interface_async(models.DetachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id)))
    [detached] = enis(client, network_interface_id=[eni])
    assert (detached["Status"], detached["InstanceId"], detached["Attachment"]["InstanceId"]) == ("Available", "", "")
    assert len(describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"]) == 1

    client.delete_network_interface(models.DeleteNetworkInterfaceRequest(region_id=REGION, network_interface_id=eni))
    assert [e["Type"] for e in enis(client)] == ["Primary"]
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free
    err = error_of(client.delete_network_interface, models.DeleteNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni))
    assert err.code == "InvalidEniId.NotFound"
    assert_documented("DeleteNetworkInterface", err)


def test_modify_and_paging_old_sdk(client, legacy):
    vpc, vswitch, sg = network(client)
    other = group(client, vpc)
    made = []
    for n in range(3):
        request = CreateNetworkInterfaceRequest()
        request.set_VSwitchId(vswitch)
        request.set_SecurityGroupId(sg)
        request.set_PrimaryIpAddress(f"172.16.0.{100 + n}")
        request.set_NetworkInterfaceName(f"eni-{n}")
        made.append(legacy_call(legacy, request)["NetworkInterfaceId"])
    request = DescribeNetworkInterfacesRequest()
    request.set_MaxResults(2)
    first = legacy_call(legacy, request)
    # (MaxResults below 10 reads as 10, as documented: one page)
    assert [e["NetworkInterfaceId"] for e in first["NetworkInterfaceSets"]["NetworkInterfaceSet"]] == made
    assert first["TotalCount"] == 3 and first["NextToken"] == "" and first["PageSize"] == 10
    request = DescribeNetworkInterfacesRequest()
    request.set_PageSize(2)
    request.set_PageNumber(2)
    assert [e["NetworkInterfaceId"] for e in legacy_call(legacy, request)["NetworkInterfaceSets"][
        "NetworkInterfaceSet"]] == made[2:]
    request = DescribeNetworkInterfacesRequest()
    request.set_NetworkInterfaceName("eni-1")
    assert [e["PrivateIpAddress"] for e in legacy_call(legacy, request)["NetworkInterfaceSets"][
        "NetworkInterfaceSet"]] == ["172.16.0.101"]

    client.modify_network_interface_attribute(models.ModifyNetworkInterfaceAttributeRequest(
        region_id=REGION, network_interface_id=made[0], network_interface_name="renamed", description="changed",
        security_group_id=[sg, other], delete_on_release=True))
    [changed] = enis(client, network_interface_id=[made[0]])
    assert (changed["NetworkInterfaceName"], changed["Description"]) == ("renamed", "changed")
    assert changed["SecurityGroupIds"]["SecurityGroupId"] == [sg, other] and changed["DeleteOnRelease"] is True
    # a group with a network interface in it is in use (DependencyViolation), as with instances
    err = error_of(client.delete_security_group, models.DeleteSecurityGroupRequest(region_id=REGION,
                                                                                   security_group_id=other))
    assert err.code == "DependencyViolation"
    err = error_of(client.delete_vswitch, models.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vswitch))
    assert err.code == "DependencyViolation"
    # an address a network interface holds is not given to an instance
    err = error_of(run, client, v_switch_id=vswitch, security_group_id=sg, private_ip_address="172.16.0.101")
    assert err.code == "InvalidPrivateIpAddress.Duplicated"


def test_released_instance_takes_its_enis_along_as_asked(client):
    _, vswitch, sg = network(client)
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)
    keep = create(client, vswitch, sg).network_interface_id
    drop = create(client, vswitch, sg, delete_on_release=True).network_interface_id
    for eni in (keep, drop):
        client.attach_network_interface(models.AttachNetworkInterfaceRequest(
            region_id=REGION, network_interface_id=eni, instance_id=instance_id))
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    [left] = enis(client)
    assert (left["NetworkInterfaceId"], left["Status"], left["InstanceId"]) == (keep, "Available", "")


def _attach(client, eni: str, instance_id: str):
    return client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id))


def test_documented_errors(client):
    vpc, vswitch, sg = network(client)
    other_vpc = new_vpc(client, cidr_block="192.168.0.0/16")
    other_vswitch = new_vswitch(client, other_vpc, cidr_block="192.168.0.0/24", zone_id="cn-hangzhou-h")
    far_vswitch = new_vswitch(client, vpc, cidr_block="172.16.1.0/24", zone_id="cn-hangzhou-i")
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)
    classic_group = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION)) \
        .body.security_group_id

    def create_error(**kw):
        err = error_of(client.create_network_interface, models.CreateNetworkInterfaceRequest(
            region_id=REGION, **{"v_switch_id": vswitch, "security_group_id": sg, **kw}))
        assert_documented("CreateNetworkInterface", err)
        return err.code

    assert create_error(v_switch_id="vsw-bp1missing00000000") == "InvalidVSwitchId.NotFound"
    assert create_error(security_group_id=None) == "MissingParameter"
    assert create_error(security_group_ids=[sg]) == "InvalidSecurityGroupId.SingleIdAndMultiIdConflict"
    assert create_error(security_group_id=None, security_group_ids=[sg, sg]) == \
        "InvalidParameter.SecurityGroupIdRepeated"
    assert create_error(security_group_id="sg-bp1missing000000000") == "InvalidSecurityGroupId.NotFound"
    assert create_error(security_group_id=classic_group) == "InvalidSecurityGroupId.NotVpc"
    assert create_error(v_switch_id=other_vswitch) == "InvalidOperation.VpcMismatch"
    assert create_error(network_interface_name="1abc") == "InvalidParams.NetworkInterfaceName"
    assert create_error(primary_ip_address="10.0.0.5") == "InvalidVSwitchId.IpInvalid"
    assert create_error(primary_ip_address="172.16.0.x") == "InvalidIp.Address"
    taken = describe(client, instance_id)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    assert create_error(primary_ip_address=taken) == "InvalidPrivateIpAddress.Duplicated"
    assert create_error(private_ip_address=["172.16.0.50"], secondary_private_ip_address_count=1) == \
        "InvalidParameter.Conflict"
    assert create_error(instance_type="Trunk") == "InvalidOperation.TrunkingIsNotAllowed"
    assert [e["Type"] for e in enis(client)] == ["Primary"]  # (nothing half made)

    eni = create(client, vswitch, sg).network_interface_id
    far = create(client, far_vswitch, sg).network_interface_id
    primary = describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"]
    cases = [
        ("AttachNetworkInterface", lambda: _attach(client, "eni-bp1missing0000000000", instance_id),
         "InvalidEniId.NotFound"),
        ("AttachNetworkInterface", lambda: _attach(client, eni, "i-bp1missing000000000"), "InvalidEcsId.NotFound"),
        ("AttachNetworkInterface", lambda: _attach(client, primary, instance_id), "InvalidOperation.InvalidEniType"),
        ("AttachNetworkInterface", lambda: _attach(client, far, instance_id),
         "InvalidOperation.AvailabilityZoneMismatch"),
        ("DetachNetworkInterface", lambda: client.detach_network_interface(models.DetachNetworkInterfaceRequest(
            region_id=REGION, network_interface_id=primary, instance_id=instance_id)),
         "InvalidOperation.DetachPrimaryEniNotAllowed"),
        ("DetachNetworkInterface", lambda: client.detach_network_interface(models.DetachNetworkInterfaceRequest(
            region_id=REGION, network_interface_id=eni, instance_id=instance_id)),
         "InvalidParameter.EniNotBelongEcs"),
        ("DeleteNetworkInterface", lambda: client.delete_network_interface(models.DeleteNetworkInterfaceRequest(
            region_id=REGION, network_interface_id=primary)), "InvalidOperation.InvalidEniType"),
        ("ModifyNetworkInterfaceAttribute", lambda: client.modify_network_interface_attribute(
            models.ModifyNetworkInterfaceAttributeRequest(region_id=REGION, network_interface_id=primary,
                                                          security_group_id=[sg])),
         "InvalidOperation.PrimaryEniOnlySupportModifyNameAndDesc"),
        ("ModifyNetworkInterfaceAttribute", lambda: client.modify_network_interface_attribute(
            models.ModifyNetworkInterfaceAttributeRequest(region_id=REGION, network_interface_id=eni,
                                                          security_group_id=["sg-bp1missing000000000"])),
         "InvalidSecurityGroupId.NotFound"),
    ]
    for action, call, code in cases:
        with pytest.raises(Exception) as caught:
            call()
        assert caught.value.code == code, (action, code)
        assert_documented(action, caught.value)

    _attach(client, eni, instance_id)
    err = error_of(client.delete_network_interface, models.DeleteNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni))
    assert err.code == "InvalidOperation.InvalidEniState"
    assert_documented("DeleteNetworkInterface", err)
    deep = create(client, vswitch, sg, queue_number=8).network_interface_id  # (ecs.g7.large: at most 2)
    err = error_of(_attach, client, deep, instance_id)
    assert err.code == "InvalidOperation.ExceedInstanceTypeQueueNumber"
    assert_documented("AttachNetworkInterface", err)
    third = create(client, vswitch, sg).network_interface_id
    _attach(client, third, instance_id)  # (ecs.g7.large takes 3 ENIs: the primary and two more)
    fourth = create(client, vswitch, sg).network_interface_id
    err = error_of(_attach, client, fourth, instance_id)
    assert err.code == "EniPerInstanceLimitExceeded"
    assert_documented("AttachNetworkInterface", err)
    # the primary ENI's name and description can change
    client.modify_network_interface_attribute(models.ModifyNetworkInterfaceAttributeRequest(
        region_id=REGION, network_interface_id=primary, network_interface_name="main", description="main NIC"))
    [shown] = enis(client, network_interface_id=[primary])
    assert (shown["NetworkInterfaceName"], shown["Description"], shown["Type"]) == ("main", "main NIC", "Primary")


def test_join_and_leave_security_groups_by_network_interface(client):
    vpc, vswitch, sg = network(client)
    other = group(client, vpc)
    eni = create(client, vswitch, sg).network_interface_id

    def membership(action: str, group_id: str, eni_id: str = eni):
        request = getattr(models, f"{action}SecurityGroupRequest")(region_id=REGION, security_group_id=group_id,
                                                                    network_interface_id=eni_id)
        return getattr(client, f"{action.lower()}_security_group")(request)

    membership("Join", other)
    assert enis(client, network_interface_id=[eni])[0]["SecurityGroupIds"]["SecurityGroupId"] == [sg, other]
    membership("Leave", sg)
    assert enis(client, network_interface_id=[eni])[0]["SecurityGroupIds"]["SecurityGroupId"] == [other]
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)
    primary = describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"]
    elsewhere = group(client, new_vpc(client, cidr_block="192.168.0.0/16"))
    for action, group_id, eni_id, code in (
            ("Join", other, eni, "InvalidInstanceId.AlreadyExists"),
            ("Join", elsewhere, eni, "InvalidOperation.VpcMismatch"),
            ("Join", other, primary, "InvalidOperation.InvalidEniType"),
            ("Leave", sg, eni, "InvalidSecurityGroupAssociation.NotFound"),
            ("Leave", other, eni, "InvalidOperation.AtLeastInOneGroup")):
        err = error_of(membership, action, group_id, eni_id)
        assert err.code == code, (action, code)
        assert_documented(f"{action}SecurityGroup", err)
    assert enis(client, network_interface_id=[eni])[0]["SecurityGroupIds"]["SecurityGroupId"] == [other]

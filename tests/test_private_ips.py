"""Secondary private addresses of elastic network interfaces: AssignPrivateIpAddresses and
UnassignPrivateIpAddresses on an instance's primary ENI and on a secondary one, through the current SDK (sync and
async) and the old one (JSON and XML); what DescribeNetworkInterfaces and DescribeInstances show afterwards, the
vSwitch's addresses, the quota per ENI, and the metadata's codes."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.AssignPrivateIpAddressesRequest import AssignPrivateIpAddressesRequest
from aliyunsdkecs.request.v20140526.UnassignPrivateIpAddressesRequest import UnassignPrivateIpAddressesRequest

from tests.networks_helpers import new_vswitch, one_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, assert_documented, describe, run
from tests.test_network_interfaces import create, enis, network


def assign(client, eni: str, **kw) -> models.AssignPrivateIpAddressesResponseBody:
    return client.assign_private_ip_addresses(models.AssignPrivateIpAddressesRequest(
        region_id=REGION, network_interface_id=eni, **kw)).body


def unassign(client, eni: str, ips: list[str]) -> None:
    client.unassign_private_ip_addresses(models.UnassignPrivateIpAddressesRequest(
        region_id=REGION, network_interface_id=eni, private_ip_address=ips))


def address_sets(client, eni: str) -> list[tuple[str, bool]]:
    [record] = enis(client, network_interface_id=[eni])
    return [(s["PrivateIpAddress"], s["Primary"]) for s in record["PrivateIpSets"]["PrivateIpSet"]]


def primary_eni(client, instance_id: str) -> dict:
    return describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]


def test_assign_and_unassign_on_a_primary_eni(client):
    _, vswitch, sg = network(client)
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)
    eni = primary_eni(client, instance_id)
    primary_ip = eni["PrimaryIpAddress"]

    body = assign(client, eni["NetworkInterfaceId"], secondary_private_ip_address_count=2)
    assert not response_problems("AssignPrivateIpAddresses", body.to_map())
    answered = body.assigned_private_ip_addresses_set
    assert answered.network_interface_id == eni["NetworkInterfaceId"]
    counted = answered.private_ip_set.private_ip_address
    assert len(set(counted)) == 2 and primary_ip not in counted
    body = assign(client, eni["NetworkInterfaceId"], private_ip_address=["172.16.0.200", "172.16.0.201"])
    assert body.assigned_private_ip_addresses_set.private_ip_set.private_ip_address == ["172.16.0.200", "172.16.0.201"]
    held = [(primary_ip, True)] + [(ip, False) for ip in counted + ["172.16.0.200", "172.16.0.201"]]
    assert address_sets(client, eni["NetworkInterfaceId"]) == held
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free - 5
    # DescribeInstances lists them on the primary ENI; the instance's own address stays the primary one
    item = describe(client, instance_id)
    listed = item["NetworkInterfaces"]["NetworkInterface"][0]["PrivateIpSets"]["PrivateIpSet"]
    assert [(s["PrivateIpAddress"], s["Primary"]) for s in listed] == held
    assert item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == [primary_ip]
    # found by any of its addresses
    assert [e["NetworkInterfaceId"] for e in enis(client, private_ip_address=["172.16.0.201"])] == \
        [eni["NetworkInterfaceId"]]

    unassign(client, eni["NetworkInterfaceId"], ["172.16.0.200", counted[0]])
    held = [(primary_ip, True), (counted[1], False), ("172.16.0.201", False)]
    assert address_sets(client, eni["NetworkInterfaceId"]) == held
    listed = primary_eni(client, instance_id)["PrivateIpSets"]["PrivateIpSet"]
    assert [(s["PrivateIpAddress"], s["Primary"]) for s in listed] == held
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free - 3
    # an address given back is free again: another instance gets it
    [other] = run(client, v_switch_id=vswitch, security_group_id=sg, private_ip_address="172.16.0.200")
    assert describe(client, other)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == ["172.16.0.200"]
    # ... and its own addresses are taken
    err = error_of(assign, client, eni["NetworkInterfaceId"], private_ip_address=["172.16.0.200"])
    assert (err.code, err.status_code) == ("InvalidPrivateIpAddress.Duplicated", 400)
    assert_documented("AssignPrivateIpAddresses", err)

    # deleting the instance gives every address of its primary ENI back
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=[instance_id, other],
                                                          force=True))
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free
    [again] = run(client, v_switch_id=vswitch, security_group_id=sg, private_ip_address="172.16.0.201")
    assert describe(client, again)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == ["172.16.0.201"]


def test_secondary_eni_attached_and_detached_async(client):
    _, vswitch, sg = network(client)
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)  # ecs.g7.large: 6 addresses per ENI
    eni = create(client, vswitch, sg, secondary_private_ip_address_count=1).network_interface_id
    client.attach_network_interface(models.AttachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id))

    async def both() -> list[models.AssignPrivateIpAddressesResponse]:
        request = models.AssignPrivateIpAddressesRequest(region_id=REGION, network_interface_id=eni,
                                                         secondary_private_ip_address_count=2)
        return [await client.assign_private_ip_addresses_async(request)]

    [response] = asyncio.run(both())
    added = response.body.assigned_private_ip_addresses_set.private_ip_set.private_ip_address
    sets = address_sets(client, eni)
    assert len(sets) == 4 and [ip for ip, primary in sets[2:]] == added
    on_instance = describe(client, instance_id)["NetworkInterfaces"]["NetworkInterface"][1]
    assert on_instance["NetworkInterfaceId"] == eni
    assert [(s["PrivateIpAddress"], s["Primary"]) for s in on_instance["PrivateIpSets"]["PrivateIpSet"]] == sets

    # attached: the instance type's EniPrivateIpAddressQuantity (6, the primary address included)
    err = error_of(assign, client, eni, secondary_private_ip_address_count=3)
    assert (err.code, err.status_code) == ("MaxEniPrivateIpsCountExceeded", 403)
    assert_documented("AssignPrivateIpAddresses", err)
    assign(client, eni, secondary_private_ip_address_count=2)
    assert len(address_sets(client, eni)) == 6
    client.detach_network_interface(models.DetachNetworkInterfaceRequest(
        region_id=REGION, network_interface_id=eni, instance_id=instance_id))
    # Available: 49 secondary addresses (documented)
    assign(client, eni, secondary_private_ip_address_count=44)
    assert len(address_sets(client, eni)) == 50
    err = error_of(assign, client, eni, secondary_private_ip_address_count=1)
    assert err.code == "MaxEniPrivateIpsCountExceeded"
    # the addresses go back to the vSwitch with the ENI
    free = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    client.delete_network_interface(models.DeleteNetworkInterfaceRequest(region_id=REGION, network_interface_id=eni))
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == free + 50


def test_errors(client, engine):
    _, vswitch, sg = network(client)
    eni = create(client, vswitch, sg, primary_ip_address="172.16.0.10").network_interface_id
    run(client, v_switch_id=vswitch, security_group_id=sg, private_ip_address="172.16.0.20")
    before = one_vswitch(client, vswitch)["AvailableIpAddressCount"]
    cases = [
        (dict(private_ip_address=["172.16.0.30"], secondary_private_ip_address_count=1),
         "InvalidParameter.Conflict", 400),
        ({}, "MissingParameter", 400),
        (dict(secondary_private_ip_address_count=0), "InvalidSecondaryPrivateIpAddressCount.Malformed", 400),
        (dict(private_ip_address=["172.16.0.30", "172.16.0.30"]), "InvalidIp.IpRepeated", 403),
        (dict(private_ip_address=["172.16.0.10"]), "InvalidIp.IpAssigned", 403),
        (dict(private_ip_address=["172.16.0.20"]), "InvalidPrivateIpAddress.Duplicated", 400),
        (dict(private_ip_address=["172.16.0.30", "172.16.0.20"]), "InvalidPrivateIpAddress.Duplicated", 400),
        (dict(private_ip_address=["172.16.1.5"]), "InvalidVSwitchId.IpInvalid", 403),
        (dict(private_ip_address=["172.16.0.255"]), "InvalidVSwitchId.IpInvalid", 403),  # (reserved)
        (dict(private_ip_address=["172.16.0.300"]), "InvalidPrivateIpAddress.Malformed", 400),
        (dict(private_ip_address=[f"172.16.0.{n}" for n in range(100, 133)]), "InvalidParameter", 400),
        (dict(secondary_private_ip_address_count=50), "MaxEniPrivateIpsCountExceeded", 403),
    ]
    for kw, code, status in cases:
        err = error_of(assign, client, eni, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("AssignPrivateIpAddresses", err)
    # IP prefixes are not modelled: a documented refusal, for asking and for giving back
    err = error_of(assign, client, eni, ipv_4prefix_count=1)
    assert (err.code, err.status_code) == ("UnsupportedParameter", 400)
    assert_documented("AssignPrivateIpAddresses", err)
    err = error_of(client.unassign_private_ip_addresses, models.UnassignPrivateIpAddressesRequest(
        region_id=REGION, network_interface_id=eni, ipv_4prefix=["172.16.0.0/28"]))
    assert (err.code, err.status_code) == ("UnsupportedParameter", 400)
    assert_documented("UnassignPrivateIpAddresses", err)
    err = error_of(assign, client, "eni-missing0000000000", secondary_private_ip_address_count=1)
    assert (err.code, err.status_code) == ("InvalidEniId.NotFound", 404)
    assert_documented("AssignPrivateIpAddresses", err)
    # nothing was taken by the refused calls
    assert address_sets(client, eni) == [("172.16.0.10", True)]
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == before

    assign(client, eni, private_ip_address=["172.16.0.30"])
    for ips, code, status in [(["172.16.0.10"], "InvalidParameter", 400),
                              (["172.16.0.31"], "InvalidIp.IpUnassigned", 403),
                              (["172.16.0.30", "172.16.0.31"], "InvalidIp.IpUnassigned", 403),
                              (["172.16.0.x"], "InvalidPrivateIpAddress.Malformed", 403)]:
        err = error_of(unassign, client, eni, ips)
        assert (err.code, err.status_code) == (code, status), ips
        assert_documented("UnassignPrivateIpAddresses", err)
    err = error_of(client.unassign_private_ip_addresses, models.UnassignPrivateIpAddressesRequest(
        region_id=REGION, network_interface_id=eni))
    assert err.code == "MissingParameter"
    assert address_sets(client, eni) == [("172.16.0.10", True), ("172.16.0.30", False)]

    # a primary ENI whose instance is neither Running nor Stopped
    engine.lifecycle.delay("instance", seconds=5)
    [pending] = run(client, v_switch_id=vswitch, security_group_id=sg)
    err = error_of(assign, client, primary_eni(client, pending)["NetworkInterfaceId"],
                   secondary_private_ip_address_count=1)
    assert (err.code, err.status_code) == ("InvalidOperation.InvalidEcsState", 400)
    assert_documented("AssignPrivateIpAddresses", err)


def test_vswitch_runs_out(client):
    vpc, _, sg = network(client)
    vswitch = new_vswitch(client, vpc, cidr_block="172.16.9.0/29", zone_id="cn-hangzhou-h")  # 4 addresses
    eni = create(client, vswitch, sg).network_interface_id
    err = error_of(assign, client, eni, secondary_private_ip_address_count=4)
    assert (err.code, err.status_code) == ("QuotaExceeded.PrivateIpAddress", 400)
    assert_documented("AssignPrivateIpAddresses", err)
    assign(client, eni, secondary_private_ip_address_count=3)
    assert one_vswitch(client, vswitch)["AvailableIpAddressCount"] == 0


def test_client_token_and_other_account(client, other):
    _, vswitch, sg = network(client)
    eni = create(client, vswitch, sg).network_interface_id
    first = assign(client, eni, secondary_private_ip_address_count=1, client_token="tf-assign-1").to_map()
    again = assign(client, eni, secondary_private_ip_address_count=1, client_token="tf-assign-1").to_map()
    assert {k: v for k, v in first.items() if k != "RequestId"} == {k: v for k, v in again.items() if k != "RequestId"}
    assert len(address_sets(client, eni)) == 2
    err = error_of(assign, other.client, eni, secondary_private_ip_address_count=1)
    assert err.code == "InvalidEniId.NotFound"
    [added] = first["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"]
    err = error_of(unassign, other.client, eni, [added])
    assert err.code == "InvalidEniId.NotFound"


def test_old_sdk_json_and_xml(client, legacy):
    _, vswitch, sg = network(client)
    eni = create(client, vswitch, sg, primary_ip_address="172.16.0.10").network_interface_id
    request = AssignPrivateIpAddressesRequest()
    request.set_NetworkInterfaceId(eni)
    request.set_PrivateIpAddresss(["172.16.0.11", "172.16.0.12"])
    answer = legacy_call(legacy, request)
    assert answer["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"] == ["172.16.0.11", "172.16.0.12"]
    request = AssignPrivateIpAddressesRequest()
    request.set_NetworkInterfaceId(eni)
    request.set_SecondaryPrivateIpAddressCount(1)
    root = legacy_xml(legacy, request)
    assert root.tag == "AssignPrivateIpAddressesResponse"
    assert root.findtext("AssignedPrivateIpAddressesSet/NetworkInterfaceId") == eni
    [added] = [e.text for e in root.findall("AssignedPrivateIpAddressesSet/PrivateIpSet/PrivateIpAddress")]
    request = UnassignPrivateIpAddressesRequest()
    request.set_NetworkInterfaceId(eni)
    request.set_PrivateIpAddresss(["172.16.0.11", added])
    root = legacy_xml(legacy, request)
    assert root.tag == "UnassignPrivateIpAddressesResponse" and root.findtext("RequestId")
    assert address_sets(client, eni) == [("172.16.0.10", True), ("172.16.0.12", False)]
    request = UnassignPrivateIpAddressesRequest()
    request.set_NetworkInterfaceId(eni)
    request.set_PrivateIpAddresss(["172.16.0.11"])
    root = legacy_xml(legacy, request)
    assert root.findtext("Code") == "InvalidIp.IpUnassigned"


# -- IPv6 in a vSwitch without an IPv6 block: the documented refusals (with one: tests/test_ipv6.py) -------------
def assign6(client, eni: str, **kw) -> models.AssignIpv6AddressesResponseBody:
    return client.assign_ipv_6addresses(models.AssignIpv6AddressesRequest(
        region_id=REGION, network_interface_id=eni, **kw)).body


def unassign6(client, eni: str, **kw) -> None:
    client.unassign_ipv_6addresses(models.UnassignIpv6AddressesRequest(
        region_id=REGION, network_interface_id=eni, **kw))


def test_ipv6_addresses_without_an_ipv6_vswitch(client, engine):
    _, vswitch, sg = network(client)
    eni = create(client, vswitch, sg).network_interface_id
    [instance_id] = run(client, v_switch_id=vswitch, security_group_id=sg)  # ecs.g7.large: 6 IPv6 per ENI
    primary = primary_eni(client, instance_id)["NetworkInterfaceId"]
    [small] = run(client, v_switch_id=vswitch, security_group_id=sg, instance_type="ecs.t5-lc1m1.small")
    cases = [
        (eni, dict(ipv_6address_count=1), "InvalidOperation.VSwitchIpv6Disabled", 404),
        (primary, dict(ipv_6address=["2408:4321:180:1701::1"]), "InvalidOperation.VSwitchIpv6Disabled", 404),
        (eni, dict(ipv_6address=["2408::1"], ipv_6address_count=1), "InvalidParameter.Conflict", 400),
        (eni, {}, "MissingParameter", 400),
        (eni, dict(ipv_6address=["172.16.0.9"]), "InvalidIp.Address", 403),
        (eni, dict(ipv_6address=["2408::1", "2408::1"]), "InvalidIp.IpRepeated", 403),
        (eni, dict(ipv_6address_count=11), "MaxEniIpv6IpsCountExceeded", 404),  # (Available: 10, documented)
        (primary, dict(ipv_6address_count=7), "MaxEniIpv6IpsCountExceeded", 404),
        (primary_eni(client, small)["NetworkInterfaceId"], dict(ipv_6address_count=1),
         "InvalidOperation.Ipv6NotSupport", 403),
        ("eni-missing0000000000", dict(ipv_6address_count=1), "InvalidEniId.NotFound", 404),
    ]
    for eni_id, kw, code, status in cases:
        err = error_of(assign6, client, eni_id, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("AssignIpv6Addresses", err)
    for call, kw in ((assign6, dict(ipv_6prefix_count=1)), (unassign6, dict(ipv_6prefix=["2408::/80"]))):
        err = error_of(call, client, eni, **kw)
        assert (err.code, err.status_code) == ("UnsupportedParameter", 400)
        assert_documented("AssignIpv6Addresses" if call is assign6 else "UnassignIpv6Addresses", err)
    for kw, code, status in [(dict(ipv_6address=["2408::1"]), "InvalidIp.IpUnassigned", 403),
                             (dict(ipv_6address=["2408::zz"]), "InvalidIp.Address", 403),
                             ({}, "MissingParameter", 400)]:
        err = error_of(unassign6, client, eni, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("UnassignIpv6Addresses", err)
    [record] = enis(client, network_interface_id=[eni])
    assert record["Ipv6Sets"]["Ipv6Set"] == []

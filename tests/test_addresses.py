"""Elastic IPs and public IPs of instances through both SDKs, JSON and XML, with the documented errors."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import weakref
from typing import Any

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.AllocateEipAddressRequest import AllocateEipAddressRequest
from aliyunsdkecs.request.v20140526.AllocatePublicIpAddressRequest import AllocatePublicIpAddressRequest
from aliyunsdkecs.request.v20140526.AssociateEipAddressRequest import AssociateEipAddressRequest
from aliyunsdkecs.request.v20140526.DescribeEipAddressesRequest import DescribeEipAddressesRequest
from aliyunsdkecs.request.v20140526.ReleaseEipAddressRequest import ReleaseEipAddressRequest
from aliyunsdkecs.request.v20140526.ReleasePublicIpAddressRequest import ReleasePublicIpAddressRequest
from aliyunsdkecs.request.v20140526.UnassociateEipAddressRequest import UnassociateEipAddressRequest

from mockecs.world import resources
from mockecs.world.instance_types import zones_selling
from tests.sdk import error_of, legacy_call
from tests.test_instances import LINUX, REGION, describe, old_error, run
from tests.test_keypairs import assert_exact, legacy_xml

TYPE = "ecs.g7.large"


def allocate(client, region: str = REGION, **kw) -> models.AllocateEipAddressResponseBody:
    return client.allocate_eip_address(models.AllocateEipAddressRequest(region_id=region, **kw)).body


def eips(client, region: str = REGION, **kw) -> dict:
    return client.describe_eip_addresses(models.DescribeEipAddressesRequest(region_id=region, **kw)).body.to_map()


def associate(client, allocation_id: str, instance_id: str, **kw) -> None:
    client.associate_eip_address(models.AssociateEipAddressRequest(
        region_id=kw.pop("region_id", REGION), allocation_id=allocation_id, instance_id=instance_id, **kw))


def unassociate(client, allocation_id: str, instance_id: str, **kw) -> None:
    client.unassociate_eip_address(models.UnassociateEipAddressRequest(
        region_id=REGION, allocation_id=allocation_id, instance_id=instance_id, **kw))


def release(client, allocation_id: str) -> None:
    client.release_eip_address(models.ReleaseEipAddressRequest(region_id=REGION, allocation_id=allocation_id))


_VSWITCHES: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def in_vpc(client, region: str = REGION) -> dict:
    """``v_switch_id=`` of a vSwitch of the client's account in ``region`` (made once per client): EIPs bind VPC
    instances only."""
    made = _VSWITCHES.setdefault(client, {})
    if region not in made:
        vpc = client.create_vpc(models.CreateVpcRequest(region_id=region, cidr_block="172.16.0.0/12")).body.vpc_id
        made[region] = client.create_vswitch(models.CreateVSwitchRequest(
            region_id=region, vpc_id=vpc, zone_id=zones_selling(TYPE, region)[0],
            cidr_block="172.16.0.0/24")).body.v_switch_id
    return {"v_switch_id": made[region]}


def stopped_instance(client, bandwidth: int = 5, region: str = REGION, vpc: bool = True) -> str:
    return client.create_instance(models.CreateInstanceRequest(
        region_id=region, image_id=LINUX, instance_type=TYPE, internet_max_bandwidth_out=bandwidth,
        **(in_vpc(client, region) if vpc else {}))).body.instance_id


def running(client, **kw) -> str:
    """A Running instance in a vSwitch (RunInstances)."""
    return run(client, instance_type=TYPE, **in_vpc(client), **kw)[0]


def public(address: str) -> bool:
    return ipaddress.IPv4Address(address).is_global


# -- AllocateEipAddress / DescribeEipAddresses -------------------------------------------------------
def test_allocate_and_describe_eip(client):
    body = allocate(client, bandwidth="10", internet_charge_type="PayByTraffic")
    assert body.allocation_id.startswith("eip-bp1") and public(body.eip_address)
    listed = eips(client)
    assert (listed["TotalCount"], listed["PageNumber"], listed["PageSize"]) == (1, 1, 10)
    (item,) = listed["EipAddresses"]["EipAddress"]
    assert item["AllocationId"] == body.allocation_id and item["IpAddress"] == body.eip_address
    assert (item["Bandwidth"], item["InternetChargeType"], item["Status"]) == ("10", "PayByTraffic", "Available")
    assert (item["InstanceId"], item["ChargeType"], item["RegionId"]) == ("", "PostPaid", REGION)
    defaults = allocate(client)
    found = eips(client, allocation_id=defaults.allocation_id)["EipAddresses"]["EipAddress"][0]
    assert (found["Bandwidth"], found["InternetChargeType"]) == ("5", "PayByBandwidth")  # documented defaults


def test_addresses_are_unique(client, engine):
    addresses = {allocate(client).eip_address for _ in range(20)}
    engine.config.options["eip_quota"] = 100
    addresses |= {allocate(client).eip_address for _ in range(20)}
    assert len(addresses) == 40


@pytest.mark.parametrize("kw, code", [
    ({"bandwidth": "0"}, "InvalidBandwidth.Malformed"), ({"bandwidth": "fast"}, "InvalidBandwidth.Malformed"),
    ({"bandwidth": "501"}, "InvalidBandwidth.Malformed"),
    # (digits int() refuses: 5,000 of them, and a superscript that str.isdigit() takes: the documented code)
    ({"bandwidth": "9" * 5000}, "InvalidBandwidth.Malformed"), ({"bandwidth": "\u00b2"}, "InvalidBandwidth.Malformed"),
    ({"bandwidth": "201", "internet_charge_type": "PayByTraffic"}, "InvalidBandwidth.Malformed"),
    ({"internet_charge_type": "PayByHour"}, "InvalidParameter"),
])
def test_allocate_eip_documented_errors(client, kw, code):
    err = error_of(allocate, client, **kw)
    assert err.code == code
    assert_exact("AllocateEipAddress", err)


def test_allocate_eip_quota_and_old_sdk(client, engine, legacy):
    engine.config.options["eip_quota"] = 1
    request = AllocateEipAddressRequest()
    request.set_Bandwidth("5")
    body = legacy_call(legacy, request)
    assert set(body) == {"RequestId", "AllocationId", "EipAddress"}
    err = old_error(legacy, request)
    assert err.get_error_code() == "QuotaExceeded.Eip"
    assert_exact("AllocateEipAddress", err)


def test_describe_eip_filters_and_paging(client, other):
    ids = [allocate(client).allocation_id for _ in range(3)]
    allocate(other.client)
    iid = stopped_instance(client)
    associate(client, ids[0], iid)
    address = eips(client, allocation_id=ids[1])["EipAddresses"]["EipAddress"][0]["IpAddress"]
    assert [e["AllocationId"] for e in eips(client, eip_address=address)["EipAddresses"]["EipAddress"]] == [ids[1]]
    assert eips(client, status="InUse")["TotalCount"] == 1
    assert eips(client, status="Available")["TotalCount"] == 2
    found = eips(client, associated_instance_type="EcsInstance", associated_instance_id=iid)
    assert [e["AllocationId"] for e in found["EipAddresses"]["EipAddress"]] == [ids[0]]
    assert eips(client, charge_type="PostPaid")["TotalCount"] == 3
    assert eips(client, lock_reason="financial")["TotalCount"] == 0
    page = eips(client, page_number=2, page_size=2)
    assert page["TotalCount"] == 3 and len(page["EipAddresses"]["EipAddress"]) == 1
    assert eips(client, region="cn-beijing")["TotalCount"] == 0
    window = [models.DescribeEipAddressesRequestFilter(key="CreationStartTime", value="2000-01-01T00:00Z")]
    assert eips(client, filter=window)["TotalCount"] == 3


@pytest.mark.parametrize("kw, code", [
    ({"associated_instance_type": "Bucket"}, "InvalidIAssociatedInstanceType.ValueNotSupported"),
    ({"associated_instance_id": "i-1"}, "InstanceType.Invalid"),
    ({"charge_type": "Monthly"}, "InvalidChargeType.ValueNotSupported"),
    ({"lock_reason": "sleepy"}, "InvalidLockReason.NotFound"),
    ({"filter": [models.DescribeEipAddressesRequestFilter(key="Colour", value="x")]}, "InvalidFilterKey.NotFound"),
    ({"filter": [models.DescribeEipAddressesRequestFilter(key="CreationStartTime", value="x")]}, "InvalidFilterValue"),
])
def test_describe_eip_documented_errors(client, kw, code):
    err = error_of(eips, client, **kw)
    assert err.code == code
    assert_exact("DescribeEipAddresses", err)


# -- associating ----------------------------------------------------------------------------------
def test_eip_image_build_flow(client, engine):
    eip = allocate(client, bandwidth="5")
    iid = stopped_instance(client)
    associate(client, eip.allocation_id, iid)
    shown = describe(client, iid)["EipAddress"]
    assert shown == {"AllocationId": eip.allocation_id, "IpAddress": eip.eip_address, "Bandwidth": 5,
                     "InternetChargeType": "PayByBandwidth", "IsSupportUnassociate": True}
    (item,) = eips(client)["EipAddresses"]["EipAddress"]
    assert (item["Status"], item["InstanceId"], item["InstanceType"]) == ("InUse", iid, "EcsInstance")
    err = error_of(release, client, eip.allocation_id)  # refused while associated
    assert err.code == "IncorrectEipStatus"
    assert_exact("ReleaseEipAddress", err)
    unassociate(client, eip.allocation_id, iid)
    assert describe(client, iid)["EipAddress"]["AllocationId"] == ""
    assert eips(client)["EipAddresses"]["EipAddress"][0]["Status"] == "Available"
    release(client, eip.allocation_id)
    assert eips(client)["TotalCount"] == 0


def test_eip_statuses_on_the_lifecycle_clock(client, engine):
    engine.lifecycle.delay("eip", seconds=3)
    eip = allocate(client)
    iid = stopped_instance(client)
    associate(client, eip.allocation_id, iid)
    assert eips(client)["EipAddresses"]["EipAddress"][0]["Status"] == "Associating"
    err = error_of(unassociate, client, eip.allocation_id, iid)
    assert err.code == "IncorrectEipStatus"
    assert_exact("UnassociateEipAddress", err)
    engine.clock.advance(3)
    assert eips(client)["EipAddresses"]["EipAddress"][0]["Status"] == "InUse"
    unassociate(client, eip.allocation_id, iid)
    assert eips(client)["EipAddresses"]["EipAddress"][0]["Status"] == "Unassociating"
    assert error_of(release, client, eip.allocation_id).code == "IncorrectEipStatus"
    engine.clock.advance(3)
    release(client, eip.allocation_id)


def test_associate_documented_errors(client, engine, other):
    eip, second = allocate(client), allocate(client)
    iid = stopped_instance(client)
    cases = [
        (lambda: associate(client, "eip-bp1nosuchallocation0", iid), "InvalidAllocationId.NotFound"),
        (lambda: associate(client, eip.allocation_id, "i-bp1nosuchinstance000"), "InvalidInstanId.NotFound"),
        (lambda: associate(client, eip.allocation_id, stopped_instance(other.client)), "InvalidInstanId.NotFound"),
        (lambda: associate(client, eip.allocation_id, iid, instance_type="Disk"),
         "InvalidInstanceType.ValueNotSupported"),
        (lambda: associate(client, eip.allocation_id, stopped_instance(client, region="cn-beijing")),
         "InvalidParameter.Mismatch"),
    ]
    for call, code in cases:
        err = error_of(call)
        assert err.code == code
        assert_exact("AssociateEipAddress", err)
    associate(client, eip.allocation_id, iid)
    for allocation_id, code in [(second.allocation_id, "InvalidAssociation.Duplicated"),
                                (eip.allocation_id, "InvalidAssociation.Duplicated")]:
        err = error_of(associate, client, allocation_id, iid)
        assert err.code == code
        assert_exact("AssociateEipAddress", err)
    err = error_of(associate, client, eip.allocation_id, stopped_instance(client))
    assert err.code == "IncorrectEipStatus"
    assert_exact("AssociateEipAddress", err)
    # An instance with a public IP takes no EIP.
    with_ip = running(client, internet_max_bandwidth_out=5)
    err = error_of(associate, client, second.allocation_id, with_ip)
    assert err.code == "EIP_CAN_NOT_ASSOCIATE_WITH_PUBLIC_IP"
    assert_exact("AssociateEipAddress", err)
    # Instance status: Pending, then Starting.
    err = error_of(associate, client, second.allocation_id, stopped_instance(client, vpc=False))
    assert err.code == "OperationDenied"  # a classic-network instance
    assert_exact("AssociateEipAddress", err)
    engine.lifecycle.delay("instance", seconds=5)
    pending = running(client)
    err = error_of(associate, client, second.allocation_id, pending)
    assert err.code == "InvalidStatus.EcsStatusNotSupport"
    assert_exact("AssociateEipAddress", err)
    starting = stopped_instance(client)
    engine.clock.advance(5)
    client.start_instance(models.StartInstanceRequest(instance_id=starting))
    err = error_of(associate, client, second.allocation_id, starting)
    assert err.code == "IncorrectInstanceStatus"
    assert_exact("AssociateEipAddress", err)


def test_unassociate_and_release_documented_errors(client):
    eip = allocate(client)
    iid = stopped_instance(client)
    for call, action, code in [
        (lambda: unassociate(client, "eip-bp1nosuchallocation0", iid), "UnassociateEipAddress",
         "InvalidAllocationId.NotFound"),
        (lambda: unassociate(client, eip.allocation_id, iid), "UnassociateEipAddress", "InvalidInstanceId.NotFound"),
        (lambda: unassociate(client, eip.allocation_id, iid, instance_type="Disk"), "UnassociateEipAddress",
         "InvalidInstanceType.ValueNotSupported"),
        (lambda: release(client, "eip-bp1nosuchallocation0"), "ReleaseEipAddress", "InvalidAllocationId.NotFound"),
    ]:
        err = error_of(call)
        assert err.code == code
        assert_exact(action, err)


def test_eip_old_sdk_json_and_xml(client, legacy):
    request = AllocateEipAddressRequest()
    allocation_id = legacy_call(legacy, request)["AllocationId"]
    iid = stopped_instance(client)
    request = AssociateEipAddressRequest()
    request.set_AllocationId(allocation_id)
    request.set_InstanceId(iid)
    legacy_call(legacy, request)
    request = DescribeEipAddressesRequest()
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeEipAddressesResponse"
    assert root.find("EipAddresses/EipAddress/Status").text == "InUse"
    assert root.find("EipAddresses/EipAddress/InstanceId").text == iid
    request = UnassociateEipAddressRequest()
    request.set_AllocationId(allocation_id)
    request.set_InstanceId(iid)
    legacy_call(legacy, request)
    request = ReleaseEipAddressRequest()
    request.set_AllocationId(allocation_id)
    legacy_call(legacy, request)
    err = old_error(legacy, request)
    assert err.get_error_code() == "InvalidAllocationId.NotFound"


def test_eip_async_and_region(client):
    eip = allocate(client, region="cn-beijing")
    iid = stopped_instance(client, region="cn-beijing")

    async def flow(region):
        await client.associate_eip_address_async(models.AssociateEipAddressRequest(
            region_id=region, allocation_id=eip.allocation_id, instance_id=iid))
        return (await client.describe_eip_addresses_async(models.DescribeEipAddressesRequest(
            region_id="cn-beijing"))).body.to_map()

    # RegionId is optional: without it, the endpoint's region (the client's, cn-hangzhou) is searched.
    err = error_of(asyncio.run, flow(None))
    assert err.code == "InvalidAllocationId.NotFound"
    assert asyncio.run(flow("cn-beijing"))["EipAddresses"]["EipAddress"][0]["InstanceId"] == iid


def test_delete_instance_unassociates_its_eip(client):
    eip = allocate(client)
    iid = stopped_instance(client)
    associate(client, eip.allocation_id, iid)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True))
    (item,) = eips(client)["EipAddresses"]["EipAddress"]
    assert (item["Status"], item["InstanceId"]) == ("Available", "")
    release(client, eip.allocation_id)


# -- AllocatePublicIpAddress ----------------------------------------------------------------------
def allocate_ip(client, instance_id: str, **kw) -> str:
    return client.allocate_public_ip_address(models.AllocatePublicIpAddressRequest(
        instance_id=instance_id, **kw)).body.ip_address


def test_allocate_public_ip_address(client, legacy):
    iid = stopped_instance(client)
    address = allocate_ip(client, iid)
    assert public(address)
    assert describe(client, iid)["PublicIpAddress"] == {"IpAddress": [address]}
    err = error_of(allocate_ip, client, iid)
    assert (err.code, err.status_code) == ("AllocatedAlready", 403)
    assert_exact("AllocatePublicIpAddress", err)
    other = stopped_instance(client)
    request = AllocatePublicIpAddressRequest()
    request.set_InstanceId(other)
    request.set_IpAddress("47.96.1.2")
    assert legacy_call(legacy, request)["IpAddress"] == "47.96.1.2"
    err = error_of(allocate_ip, client, stopped_instance(client), ip_address="47.96.1.2")
    assert err.code == "IpInUse"
    assert_exact("AllocatePublicIpAddress", err)


def test_run_instances_with_bandwidth_gets_a_public_ip(client):
    with_ip, without = run(client, internet_max_bandwidth_out=10)[0], running(client)
    (address,) = describe(client, with_ip)["PublicIpAddress"]["IpAddress"]
    assert public(address)
    assert describe(client, without)["PublicIpAddress"]["IpAddress"] == []
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION,
                                                                      instance_ids=json.dumps([with_ip])))
    assert found.body.instances.instance[0].public_ip_address.ip_address == [address]


def test_allocate_public_ip_documented_errors(client, engine):
    eip = allocate(client)
    with_eip = stopped_instance(client)
    associate(client, eip.allocation_id, with_eip)
    no_bandwidth, plain = stopped_instance(client, bandwidth=0), stopped_instance(client)
    engine.lifecycle.delay("instance", seconds=5)
    pending = running(client)
    cases = [
        (lambda: allocate_ip(client, "i-bp1nosuchinstance000"), "InvalidInstanceId.NotFound"),
        (lambda: allocate_ip(client, no_bandwidth), "AllocateIpInvalidInstanceBandwidth"),
        (lambda: allocate_ip(client, pending), "IncorrectInstanceStatus"),
        (lambda: allocate_ip(client, with_eip), "AllocatedAlready"),
        (lambda: allocate_ip(client, with_eip, vlan_id="720"), "InvalidVlanId.NotFound"),
        (lambda: allocate_ip(client, plain, ip_address="300.1.1.1"), "InvalidIpAddress.Malformed"),
        (lambda: allocate_ip(client, plain, ip_address="10.0.0.1"), "InvalidIpAddress.NotPublic"),
    ]
    for call, code in cases:
        err = error_of(call)
        assert err.code == code
        assert_exact("AllocatePublicIpAddress", err)



# -- ReleasePublicIpAddress -----------------------------------------------------------------------
def release_ip(client, address: str, **kw) -> models.ReleasePublicIpAddressResponseBody:
    return client.release_public_ip_address(models.ReleasePublicIpAddressRequest(
        region_id=REGION, public_ip_address=address, **kw)).body


def test_release_public_ip_address_and_allocate_again(client, legacy):
    vpc_instance = running(client, internet_max_bandwidth_out=5)
    [address] = describe(client, vpc_instance)["PublicIpAddress"]["IpAddress"]
    body = release_ip(client, address, instance_id=vpc_instance)
    assert body.to_map().keys() == {"RequestId", "RemainTimes"}
    assert describe(client, vpc_instance)["PublicIpAddress"]["IpAddress"] == []
    assert public(allocate_ip(client, vpc_instance))  # (its bandwidth stays: a new one can be taken)
    # a classic-network instance's address is found by itself; the old SDK, JSON then XML
    for answer in ("JSON", "XML"):
        [classic] = run(client, instance_type=TYPE, internet_max_bandwidth_out=5)
        [address] = describe(client, classic)["PublicIpAddress"]["IpAddress"]
        request = ReleasePublicIpAddressRequest()
        request.set_PublicIpAddress(address)
        if answer == "JSON":
            assert set(legacy_call(legacy, request)) == {"RequestId", "RemainTimes"}
        else:
            root = legacy_xml(legacy, request)
            assert (root.tag, [e.tag for e in root]) == ("ReleasePublicIpAddressResponse",
                                                         ["RequestId", "RemainTimes"])
        assert describe(client, classic)["PublicIpAddress"]["IpAddress"] == []


def test_release_public_ip_documented_errors(client, engine):
    young = running(client, internet_max_bandwidth_out=5)
    [address] = describe(client, young)["PublicIpAddress"]["IpAddress"]
    eip = allocate(client)
    with_eip = running(client)
    associate(client, eip.allocation_id, with_eip)
    eip_address = describe(client, with_eip)["EipAddress"]["IpAddress"]
    engine.lifecycle.delay("instance", seconds=5)
    pending = running(client, internet_max_bandwidth_out=5)
    [pending_address] = describe(client, pending)["PublicIpAddress"]["IpAddress"]
    engine.lifecycle.undelay("instance")
    cases = [
        (lambda: release_ip(client, address, instance_id="i-bp1nosuchinstance000"), "InvalidInstanceId.NotFound"),
        (lambda: release_ip(client, "47.96.200.1", instance_id=young), "InvalidIpAddress.NotFound"),
        (lambda: release_ip(client, "47.96.200.1"), "InvalidIpAddress.NotFound"),
        (lambda: release_ip(client, address), "InvalidIpAddress.NeedInstanceId"),  # a VPC instance: named
        (lambda: release_ip(client, eip_address, instance_id=with_eip), "OperationDenied"),
        (lambda: release_ip(client, pending_address, instance_id=pending), "IncorrectInstanceStatus"),
        (lambda: release_ip(client, address, instance_id=young, dry_run=True), "DryRunOperation"),
    ]
    for call, code in cases:
        err = error_of(call)
        assert err.code == code, (code, err)
        assert_exact("ReleasePublicIpAddress", err)
    assert describe(client, young)["PublicIpAddress"]["IpAddress"] == [address]  # (the dry run changed nothing)
    with engine.store.transaction() as txn:
        record = dict(txn.get("instance", young))
        resources.put(txn, "instance", {**record, "OperationLocks": {"LockReason": [{"LockReason": "security"}]}})
    err = error_of(release_ip, client, address, instance_id=young)
    assert err.code == "InstanceLockedForSecurity"
    assert_exact("ReleasePublicIpAddress", err)
    with engine.store.transaction() as txn:
        resources.put(txn, "instance", record)
    engine.clock.advance(6 * 3600 + 60)  # documented: within six hours of the instance's creation only
    err = error_of(release_ip, client, address, instance_id=young)
    assert (err.code, err.status_code) == ("Forbidden.ExceedDuration", 403)
    assert_exact("ReleasePublicIpAddress", err)

def test_describe_instances_by_address(client):
    eip = allocate(client)
    with_eip, other = stopped_instance(client), stopped_instance(client)
    associate(client, eip.allocation_id, with_eip)
    with_ip = running(client, internet_max_bandwidth_out=5)
    address = describe(client, with_ip)["PublicIpAddress"]["IpAddress"][0]

    def ids(**kw) -> list[str]:
        found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kw))
        return [i.instance_id for i in found.body.instances.instance]

    assert ids(eip_addresses=json.dumps([eip.eip_address])) == [with_eip]
    assert ids(public_ip_addresses=json.dumps([address])) == [with_ip]
    assert ids(public_ip_addresses=json.dumps([address]), eip_addresses=json.dumps([eip.eip_address])) == []
    assert ids(public_ip_addresses=json.dumps(["1.1.1.1"])) == []
    assert ids(public_ip_addresses=json.dumps([address]), instance_ids=json.dumps([other])) == []


def test_modify_eip_bandwidth(client):
    eip = allocate(client, bandwidth="5")
    iid = stopped_instance(client)
    associate(client, eip.allocation_id, iid)
    client.modify_eip_address_attribute(models.ModifyEipAddressAttributeRequest(
        region_id=REGION, allocation_id=eip.allocation_id, bandwidth="20"))
    assert eips(client)["EipAddresses"]["EipAddress"][0]["Bandwidth"] == "20"
    assert describe(client, iid)["EipAddress"]["Bandwidth"] == 20
    for allocation_id, bandwidth, code in [(eip.allocation_id, "501", "InvalidParameter"),
                                           ("eip-bp1nosuchallocation0", "5", "InvalidAllocationId.NotFound")]:
        err = error_of(client.modify_eip_address_attribute, models.ModifyEipAddressAttributeRequest(
            region_id=REGION, allocation_id=allocation_id, bandwidth=bandwidth))
        assert err.code == code
        assert_exact("ModifyEipAddressAttribute", err)


def test_convert_public_ip_to_eip(client):
    iid = running(client, internet_max_bandwidth_out=8)
    (address,) = describe(client, iid)["PublicIpAddress"]["IpAddress"]
    client.convert_nat_public_ip_to_eip(models.ConvertNatPublicIpToEipRequest(region_id=REGION, instance_id=iid))
    shown = describe(client, iid)
    assert shown["PublicIpAddress"]["IpAddress"] == []
    assert (shown["EipAddress"]["IpAddress"], shown["EipAddress"]["Bandwidth"]) == (address, 8)
    (item,) = eips(client)["EipAddresses"]["EipAddress"]
    assert (item["IpAddress"], item["Status"], item["InstanceId"]) == (address, "InUse", iid)
    unassociate(client, item["AllocationId"], iid)
    release(client, item["AllocationId"])
    (classic,) = run(client, internet_max_bandwidth_out=8)
    for instance, code in [(iid, "OperationDenied"), (stopped_instance(client, bandwidth=0), "OperationDenied"),
                           (classic, "OperationDenied")]:
        err = error_of(client.convert_nat_public_ip_to_eip, models.ConvertNatPublicIpToEipRequest(
            region_id=REGION, instance_id=instance))
        assert err.code == code
        assert_exact("ConvertNatPublicIpToEip", err)

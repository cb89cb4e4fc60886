"""ModifyInstanceNetworkSpec: an instance's public bandwidth and its billing method, through the current SDK (sync
and async) and the old one (JSON and XML), as Terraform's ``alicloud_instance`` updates internet_max_bandwidth_out,
internet_max_bandwidth_in and internet_charge_type (``modifyInstanceNetworkSpec``: the call, a wait until
DescribeInstances shows the new values, then AllocatePublicIpAddress for a pay-as-you-go instance whose bandwidth
grew from 0, or a wait for the public address of a subscription one); the metadata's codes."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.ModifyInstanceNetworkSpecRequest import ModifyInstanceNetworkSpecRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instance_updates import vpc_instance
from tests.test_instances import assert_documented, describe
from tests.test_prepaid import prepaid


def modify(client, instance_id: str, **kw) -> models.ModifyInstanceNetworkSpecResponseBody:
    return client.modify_instance_network_spec(models.ModifyInstanceNetworkSpecRequest(
        instance_id=instance_id, **kw)).body


def public(client, instance_id: str) -> tuple[int, int, str, list[str]]:
    item = describe(client, instance_id)
    return (item["InternetMaxBandwidthOut"], item["InternetMaxBandwidthIn"], item["InternetChargeType"],
            item["PublicIpAddress"]["IpAddress"])


def test_bandwidth_and_charge_type_of_a_pay_as_you_go_instance(client):
    instance_id = vpc_instance(client)
    assert public(client, instance_id) == (0, 10, "PayByTraffic", [])
    body = modify(client, instance_id, internet_max_bandwidth_out=20, network_charge_type="PayByBandwidth")
    assert body.order_id == "" and body.request_id
    # the outbound maximum above 10: the inbound one may go up to it; no address until one is asked for
    assert public(client, instance_id) == (20, 10, "PayByBandwidth", [])
    modify(client, instance_id, internet_max_bandwidth_in=20)
    assert public(client, instance_id)[:2] == (20, 20)
    # Terraform then calls AllocatePublicIpAddress (documented: ModifyInstanceNetworkSpec does not for PostPaid)
    address = client.allocate_public_ip_address(models.AllocatePublicIpAddressRequest(
        instance_id=instance_id)).body.ip_address
    assert public(client, instance_id)[3] == [address]
    # lowering it is allowed for pay-as-you-go
    modify(client, instance_id, internet_max_bandwidth_out=5)
    assert public(client, instance_id)[0] == 5


def test_allocate_public_ip_in_the_same_call(client):
    instance_id = vpc_instance(client)
    modify(client, instance_id, internet_max_bandwidth_out=10, allocate_public_ip=True)
    [address] = public(client, instance_id)[3]
    modify(client, instance_id, allocate_public_ip=True)  # (it has one: kept)
    assert public(client, instance_id)[3] == [address]


def test_a_subscription_instance_gets_its_address_and_cannot_decrease(client):
    instance_id = prepaid(client)
    body = modify(client, instance_id, internet_max_bandwidth_out=5)
    assert body.order_id
    out, _, _, addresses = public(client, instance_id)
    assert out == 5 and len(addresses) == 1  # (what Terraform waits for on a PrePaid instance)
    err = error_of(modify, client, instance_id, internet_max_bandwidth_out=2)
    assert (err.code, err.status_code) == ("DecreasedBandwidthNotAllowed", 400)
    assert_documented("ModifyInstanceNetworkSpec", err)
    # AutoPay false: an order only, nothing changes
    assert modify(client, instance_id, internet_max_bandwidth_out=50, auto_pay=False).order_id
    assert public(client, instance_id)[0] == 5


@pytest.mark.parametrize("kw, code, status", [
    ({"internet_max_bandwidth_out": 101}, "InvalidInternetMaxBandwidthOut.ValueNotSupported", 400),
    ({"internet_max_bandwidth_out": -1}, "InvalidInternetMaxBandwidthOut.ValueNotSupported", 400),
    ({"internet_max_bandwidth_in": 201}, "InvalidInternetMaxBandwidthIn.ValueNotSupported", 400),
    ({"internet_max_bandwidth_out": 5, "internet_max_bandwidth_in": 50},
     "InvalidInternetMaxBandwidthIn.ValueNotSupported", 400),
    ({"network_charge_type": "PayByHour"}, "InvalidInternetChargeType.ValueNotSupported", 400),
    ({"allocate_public_ip": True}, "InvalidParam.AllocatePublicIp", 400),
    ({"internet_max_bandwidth_out": 5, "start_time": "2030-01-01T00:00Z", "end_time": "2030-01-01T05Z"},
     "InvalidParameter.Bandwidth", 400),
])
def test_refused_and_nothing_changes(client, kw, code, status):
    instance_id = vpc_instance(client)
    before = public(client, instance_id)
    err = error_of(modify, client, instance_id, **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("ModifyInstanceNetworkSpec", err)
    assert public(client, instance_id) == before


def test_unknown_instance_status_and_eip(client):
    err = error_of(modify, client, "i-bp1nothere0000000000", internet_max_bandwidth_out=5)
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("ModifyInstanceNetworkSpec", err)
    instance_id = vpc_instance(client)
    eip = client.allocate_eip_address(models.AllocateEipAddressRequest(region_id="cn-hangzhou")).body.allocation_id
    client.associate_eip_address(models.AssociateEipAddressRequest(allocation_id=eip, instance_id=instance_id))
    err = error_of(modify, client, instance_id, internet_max_bandwidth_out=5)
    assert (err.code, err.status_code) == ("InvalidInstance.EipNotSupport", 403)
    assert_documented("ModifyInstanceNetworkSpec", err)
    modify(client, instance_id, network_charge_type="PayByBandwidth")  # (the charge type alone is allowed)
    assert public(client, instance_id)[2] == "PayByBandwidth"
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))


def test_async_and_old_sdk(client, legacy):
    instance_id = vpc_instance(client)

    async def go() -> None:
        await client.modify_instance_network_spec_async(models.ModifyInstanceNetworkSpecRequest(
            instance_id=instance_id, internet_max_bandwidth_out=3))

    asyncio.run(go())
    assert public(client, instance_id)[0] == 3
    request = ModifyInstanceNetworkSpecRequest()
    request.set_InstanceId(instance_id)
    request.set_NetworkChargeType("PayByBandwidth")
    assert set(legacy_call(legacy, request)) == {"RequestId", "OrderId"}
    request = ModifyInstanceNetworkSpecRequest()
    request.set_InstanceId(instance_id)
    request.set_InternetMaxBandwidthOut(7)
    root = legacy_xml(legacy, request)
    assert root.tag == "ModifyInstanceNetworkSpecResponse" and root.find("OrderId") is not None
    assert public(client, instance_id)[:3] == (7, 10, "PayByBandwidth")


def test_terraform_update_of_internet_settings(client, legacy):
    """modifyInstanceNetworkSpec as the provider runs it (Go SDK request: InstanceId, ClientToken, the changed
    fields), its wait on DescribeInstances, then AllocatePublicIpAddress (PostPaid, 0 -> n)."""
    instance_id = vpc_instance(client)
    state = {"internet_charge_type": "PayByBandwidth", "internet_max_bandwidth_out": 10}
    request = ModifyInstanceNetworkSpecRequest()
    request.set_InstanceId(instance_id)
    request.set_ClientToken("ModifyInstanceNetworkSpec-tf-1")
    request.set_NetworkChargeType(state["internet_charge_type"])
    request.set_InternetMaxBandwidthOut(state["internet_max_bandwidth_out"])
    legacy_call(legacy, request)
    legacy_call(legacy, request)  # (a retry with its ClientToken: the same answer, applied once)
    found = describe(client, instance_id)  # (the wait: both values shown at once)
    assert (found["InternetMaxBandwidthOut"], found["InternetChargeType"]) == (10, "PayByBandwidth")
    client.allocate_public_ip_address(models.AllocatePublicIpAddressRequest(instance_id=instance_id))
    assert len(public(client, instance_id)[3]) == 1

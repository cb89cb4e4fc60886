"""The key pair, security group and public address calls of an image build, in a build tool's order,
through ``mockecs server`` with the old SDK, and as absolute-form proxied POSTs (the Go SDK's wire form)."""
from __future__ import annotations

import json
import time

import alibabacloud_ecs20140526.models as models
import pytest
import requests
from aliyunsdkecs.request.v20140526.AllocateEipAddressRequest import AllocateEipAddressRequest
from aliyunsdkecs.request.v20140526.AllocatePublicIpAddressRequest import AllocatePublicIpAddressRequest
from aliyunsdkecs.request.v20140526.AssociateEipAddressRequest import AssociateEipAddressRequest
from aliyunsdkecs.request.v20140526.AttachKeyPairRequest import AttachKeyPairRequest
from aliyunsdkecs.request.v20140526.AuthorizeSecurityGroupEgressRequest import AuthorizeSecurityGroupEgressRequest
from aliyunsdkecs.request.v20140526.AuthorizeSecurityGroupRequest import AuthorizeSecurityGroupRequest
from aliyunsdkecs.request.v20140526.CreateInstanceRequest import CreateInstanceRequest
from aliyunsdkecs.request.v20140526.CreateKeyPairRequest import CreateKeyPairRequest
from aliyunsdkecs.request.v20140526.CreateSecurityGroupRequest import CreateSecurityGroupRequest
from aliyunsdkecs.request.v20140526.CreateVpcRequest import CreateVpcRequest
from aliyunsdkecs.request.v20140526.CreateVSwitchRequest import CreateVSwitchRequest
from aliyunsdkecs.request.v20140526.DeleteInstanceRequest import DeleteInstanceRequest
from aliyunsdkecs.request.v20140526.DeleteKeyPairsRequest import DeleteKeyPairsRequest
from aliyunsdkecs.request.v20140526.DeleteSecurityGroupRequest import DeleteSecurityGroupRequest
from aliyunsdkecs.request.v20140526.DeleteVpcRequest import DeleteVpcRequest
from aliyunsdkecs.request.v20140526.DeleteVSwitchRequest import DeleteVSwitchRequest
from aliyunsdkecs.request.v20140526.DescribeEipAddressesRequest import DescribeEipAddressesRequest
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.DescribeKeyPairsRequest import DescribeKeyPairsRequest
from aliyunsdkecs.request.v20140526.DescribeSecurityGroupsRequest import DescribeSecurityGroupsRequest
from aliyunsdkecs.request.v20140526.DetachKeyPairRequest import DetachKeyPairRequest
from aliyunsdkecs.request.v20140526.ReleaseEipAddressRequest import ReleaseEipAddressRequest
from aliyunsdkecs.request.v20140526.StartInstanceRequest import StartInstanceRequest
from aliyunsdkecs.request.v20140526.StopInstanceRequest import StopInstanceRequest
from aliyunsdkecs.request.v20140526.UnassociateEipAddressRequest import UnassociateEipAddressRequest

from mockecs.modes.clients import server_legacy_client
from mockecs.modes.server import ServerThread
from mockecs.wire.params import snake
from mockecs.wire.signing import v1_signature
from mockecs.world.instance_types import zones_selling
from tests.sdk import error_of, legacy_call
from tests.test_instances import LINUX
from tests.test_keypairs import assert_exact

TYPE = "ecs.g7.large"


def call(client, request_class, **params):
    request = request_class()
    for name, value in params.items():
        getattr(request, f"set_{name}")(value)
    return legacy_call(client, request)


@pytest.fixture(scope="module")
def server():
    with ServerThread() as srv:
        yield srv


def wait_status(client, instance_id: str, status: str) -> None:
    for _ in range(50):
        found = call(client, DescribeInstancesRequest, InstanceIds=json.dumps([instance_id]))
        if found["Instances"]["Instance"][0]["Status"] == status:
            return
        time.sleep(0.01)
    raise AssertionError(f"{instance_id} never became {status}")


@pytest.mark.parametrize("with_vpc", [True, False], ids=["vpc-eip", "classic-public-ip"])
def test_build_flow_leaves_nothing_behind(server, with_vpc):
    ecs = server_legacy_client(server.url)
    key = call(ecs, CreateKeyPairRequest, KeyPairName=f"packer_{int(with_vpc)}")
    assert key["PrivateKeyBody"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    network: dict = {}
    if with_vpc:  # CreateVpc (no CidrBlock) and CreateVSwitch, as the build does
        vpc = call(ecs, CreateVpcRequest)["VpcId"]
        network = {"VSwitchId": call(ecs, CreateVSwitchRequest, VpcId=vpc, ZoneId=zones_selling(TYPE, "cn-hangzhou")[0],
                                     CidrBlock="172.16.0.0/24")["VSwitchId"]}
    group = call(ecs, CreateSecurityGroupRequest, SecurityGroupName="packer_sg", Description="Packer build",
                 **({"VpcId": vpc} if with_vpc else {}))["SecurityGroupId"]
    call(ecs, AuthorizeSecurityGroupEgressRequest, SecurityGroupId=group, IpProtocol="all", PortRange="-1/-1",
         DestCidrIp="0.0.0.0/0", NicType="intranet" if with_vpc else "internet")
    call(ecs, AuthorizeSecurityGroupRequest, SecurityGroupId=group, IpProtocol="all", PortRange="-1/-1",
         SourceCidrIp="0.0.0.0/0", NicType="intranet" if with_vpc else "internet")
    instance = call(ecs, CreateInstanceRequest, ImageId=LINUX, InstanceType=TYPE, SecurityGroupId=group,
                    InternetMaxBandwidthOut=5, IoOptimized="optimized", **network)["InstanceId"]
    if with_vpc:
        eip = call(ecs, AllocateEipAddressRequest, Bandwidth="5")
        listed = call(ecs, DescribeEipAddressesRequest, AllocationId=eip["AllocationId"])
        assert listed["EipAddresses"]["EipAddress"][0]["Status"] == "Available"
        call(ecs, AssociateEipAddressRequest, AllocationId=eip["AllocationId"], InstanceId=instance)
        address = eip["EipAddress"]
    else:
        address = call(ecs, AllocatePublicIpAddressRequest, InstanceId=instance)["IpAddress"]
    attached = call(ecs, AttachKeyPairRequest, KeyPairName=key["KeyPairName"], InstanceIds=json.dumps([instance]))
    assert attached["FailCount"] == "0"
    shown = call(ecs, DescribeInstancesRequest, InstanceIds=json.dumps([instance]))["Instances"]["Instance"][0]
    assert shown["KeyPairName"] == key["KeyPairName"]
    assert shown["SecurityGroupIds"]["SecurityGroupId"] == [group]
    assert address in (shown["EipAddress"]["IpAddress"], *shown["PublicIpAddress"]["IpAddress"])
    call(ecs, StartInstanceRequest, InstanceId=instance)
    wait_status(ecs, instance, "Running")
    call(ecs, StopInstanceRequest, InstanceId=instance)
    wait_status(ecs, instance, "Stopped")
    call(ecs, DetachKeyPairRequest, KeyPairName=key["KeyPairName"], InstanceIds=json.dumps([instance]))
    if with_vpc:
        call(ecs, UnassociateEipAddressRequest, AllocationId=eip["AllocationId"], InstanceId=instance)
        call(ecs, ReleaseEipAddressRequest, AllocationId=eip["AllocationId"])
    call(ecs, DeleteInstanceRequest, InstanceId=instance, Force="true")
    call(ecs, DeleteSecurityGroupRequest, SecurityGroupId=group)
    if with_vpc:
        call(ecs, DeleteVSwitchRequest, VSwitchId=network["VSwitchId"])
        call(ecs, DeleteVpcRequest, VpcId=vpc)
    call(ecs, DeleteKeyPairsRequest, KeyPairNames=json.dumps([key["KeyPairName"]]))
    assert call(ecs, DescribeKeyPairsRequest)["TotalCount"] == 0
    assert call(ecs, DescribeSecurityGroupsRequest)["TotalCount"] == 0
    assert call(ecs, DescribeEipAddressesRequest)["TotalCount"] == 0


def test_absolute_form_proxied_post_like_the_go_sdk(server):
    """``POST http://ecs-cn-hangzhou.aliyuncs.com/?...`` through the server as a proxy, whatever the RegionId."""
    params = {"Action": "CreateKeyPair", "Version": "2014-05-26", "Format": "JSON", "RegionId": "cn-beijing",
              "KeyPairName": "go-sdk-key", "AccessKeyId": "LTAIgo", "SignatureMethod": "HMAC-SHA1",
              "SignatureVersion": "1.0", "SignatureNonce": "n-1", "Timestamp": "2024-06-01T00:00:00Z"}
    params["Signature"] = v1_signature("POST", params, "any")
    resp = requests.post("http://ecs-cn-hangzhou.aliyuncs.com/", params=params, proxies={"http": server.url},
                         timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.json()["KeyPairName"] == "go-sdk-key"
    listed = server_legacy_client(server.url, region_id="cn-beijing")
    names = [k["KeyPairName"] for k in call(listed, DescribeKeyPairsRequest)["KeyPairs"]["KeyPair"]]
    assert "go-sdk-key" in names


@pytest.mark.parametrize("action, request_fields, code", [
    ("CreateKeyPair", {"key_pair_name": "kp"}, "InvalidRegionId.NotFound"),
    ("CreateSecurityGroup", {}, "InvalidRegionId.NotFound"),
    ("DescribeSecurityGroupAttribute", {"security_group_id": "sg-1"}, "InvalidRegionId.NotFound"),
    ("AllocateEipAddress", {}, "InvalidRegionId.NotFound"),
    ("DescribeEipAddresses", {}, "Forbidden.RegionNotFound"),
    ("AssociateEipAddress", {"allocation_id": "eip-1", "instance_id": "i-1"}, "Forbidden.RegionNotFound"),
    ("UnassociateEipAddress", {"allocation_id": "eip-1", "instance_id": "i-1"}, "Forbidden.RegionNotFound"),
    ("ReleaseEipAddress", {"allocation_id": "eip-1"}, "Forbidden.RegionNotFound"),
])
def test_unknown_region_documented(client, action, request_fields, code):
    request = getattr(models, f"{action}Request")(region_id="xx-nowhere-1", **request_fields)
    err = error_of(getattr(client, snake(action)), request)
    assert err.code == code
    assert_exact(action, err)


@pytest.mark.parametrize("action, request_fields", [
    ("DescribeSecurityGroups", {}), ("DescribeSecurityGroupAttribute", {"security_group_id": "sg-1"}),
    ("DeleteSecurityGroup", {"security_group_id": "sg-1"}),
])
def test_missing_region_documented(client, action, request_fields):
    err = error_of(getattr(client, snake(action)), getattr(models, f"{action}Request")(**request_fields))
    assert err.code == "MissingParameter.RegionId"
    assert_exact(action, err)

"""An image-build tool runs unchanged: the whole call order of Packer's ``alicloud-ecs`` builder, replayed
through ``mockecs server`` as a plain HTTP proxy (``HTTP_PROXY``), in that client's wire form.

That client sends every request as an absolute-form ``POST http://ecs-cn-hangzhou.aliyuncs.com/?...`` (all
parameters in the query, whatever the RegionId), and before each call tries ``CONNECT
location-readonly.aliyuncs.com:443`` (tunnelled by the server's HTTPS proxy; without the mockecs CA trusted
its TLS handshake fails at once). Here the old Python SDK carries the requests (``CommonRequest`` with
that domain and method, through its vendored ``requests`` and the ``HTTP_PROXY`` variable), and a raw socket
sends the CONNECT. At the end the images, copies, tags and shares exist and every temporary resource is gone.
"""
from __future__ import annotations

import json
import socket
import ssl
from typing import Any

import certifi
import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

from tests.test_server import ServerProcess, clean, server  # noqa: F401  (fixtures: a server process, reset)

AK, SK = "packer-access-key", "packer-secret"
DOMAIN = "ecs-cn-hangzhou.aliyuncs.com"  # the Go SDK's endpoint for every call, whatever the RegionId
REGION, OTHER = "cn-hangzhou", "cn-beijing"
SOURCE = "aliyun_3_x64_20G_alibase_20240819.vhd"
NAME = "packer-flow-image"
STATUSES = "Waiting,Creating,CreateFailed,Available"  # what the builder asks for


@pytest.fixture
def proxy(clean, monkeypatch):  # noqa: F811
    monkeypatch.setenv("HTTP_PROXY", clean.url)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    return clean


class Builder:
    """Calls in the builder's wire form; records what it made so the test can check the cleanup."""

    def __init__(self, srv: ServerProcess) -> None:
        self.server = srv
        self.client = AcsClient(AK, SK, REGION)

    def connect_probe(self) -> None:
        # The Go SDK asks the location service first. The server tunnels Alibaba Cloud hosts (its HTTPS proxy,
        # mockecs.modes.server.proxy) with a certificate of the mockecs CA, which this client does not trust:
        # the handshake fails at once, a clean failure, not a hang or a recorded call.
        host, port = self.server.netloc.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"CONNECT location-readonly.aliyuncs.com:443 HTTP/1.1\r\n"
                         b"Host: location-readonly.aliyuncs.com:443\r\n\r\n")
            status = sock.recv(4096).split(b"\r\n", 1)[0]
            assert status == b"HTTP/1.1 200 Connection established", status
            with pytest.raises(ssl.SSLCertVerificationError):
                ssl.create_default_context(cafile=certifi.where()).wrap_socket(
                    sock, server_hostname="location-readonly.aliyuncs.com")

    def call(self, action: str, **params: Any) -> dict:
        self.connect_probe()
        request = CommonRequest(domain=DOMAIN, version="2014-05-26", action_name=action)
        request.set_method("POST")
        request.set_protocol_type("http")
        request.set_accept_format("json")
        for key, value in params.items():
            if isinstance(value, bool):
                value = str(value).lower()
            request.add_query_param(key, value if isinstance(value, str) else json.dumps(value)
                                    if isinstance(value, list) else str(value))
        return json.loads(self.client.do_action_with_exception(request))


def _calls(srv: ServerProcess) -> list[dict]:
    return requests.get(srv.url + "/_mockecs/calls", timeout=10).json()


def _build(b: Builder, *, vpc: bool = True, name: str = NAME) -> dict:
    """One default build (VPC made by the builder, communicator none), up to the image and its copies."""
    assert REGION in {r["RegionId"] for r in b.call("DescribeRegions")["Regions"]["Region"]}
    found = b.call("DescribeImages", RegionId=REGION, ImageName=name, Status=STATUSES)
    assert found["TotalCount"] == 0
    assert b.call("DescribeImages", RegionId=REGION, ImageId=SOURCE)["TotalCount"] == 1
    assert b.call("DescribeImages", RegionId=REGION, ImageId=SOURCE, ImageOwnerAlias="marketplace")["TotalCount"] == 0
    made: dict[str, Any] = {}
    key = b.call("CreateKeyPair", RegionId=REGION, KeyPairName=f"packer_{name}")
    assert key["PrivateKeyBody"].startswith("-----BEGIN RSA PRIVATE KEY-----") and key["KeyPairFingerPrint"]
    made["key_pair"] = key["KeyPairName"]
    if vpc:
        made["vpc"] = b.call("CreateVpc", RegionId=REGION)["VpcId"]
        assert b.call("DescribeVpcs", RegionId=REGION, VpcId=made["vpc"])["Vpcs"]["Vpc"][0]["Status"] == "Available"
        zones = b.call("DescribeZones", RegionId=REGION)["Zones"]["Zone"]
        zone = next(z for z in zones if {"VSwitch", "Instance"} <= set(
            z["AvailableResourceCreation"]["ResourceTypes"]) and "ecs.g7.large" in z["AvailableInstanceTypes"][
            "InstanceTypes"])
        made["vswitch"] = b.call("CreateVSwitch", RegionId=REGION, VpcId=made["vpc"], ZoneId=zone["ZoneId"],
                                 CidrBlock="172.16.0.0/24")["VSwitchId"]
        switches = b.call("DescribeVSwitches", RegionId=REGION, VSwitchId=made["vswitch"])["VSwitches"]["VSwitch"]
        assert switches[0]["Status"] == "Available" and switches[0]["ZoneId"] == zone["ZoneId"]
        made["security_group"] = b.call("CreateSecurityGroup", RegionId=REGION, VpcId=made["vpc"])["SecurityGroupId"]
    else:
        made["security_group"] = b.call("CreateSecurityGroup", RegionId=REGION)["SecurityGroupId"]
    for action in ("AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroup"):
        cidr = {"DestCidrIp": "0.0.0.0/0"} if action.endswith("Egress") else {"SourceCidrIp": "0.0.0.0/0"}
        b.call(action, RegionId=REGION, SecurityGroupId=made["security_group"], IpProtocol="all", PortRange="-1/-1",
               NicType="intranet" if vpc else "internet", **cidr)
    launch = {"RegionId": REGION, "ImageId": SOURCE, "InstanceType": "ecs.g7.large",
              "SecurityGroupId": made["security_group"], "InstanceName": f"packer_{name}",
              "SystemDisk.Category": "cloud_essd", "SystemDisk.Size": 40, "DataDisk.1.Size": 20,
              "DataDisk.1.Category": "cloud_essd", "DataDisk.1.DeleteWithInstance": True,
              "InternetMaxBandwidthOut": 0 if vpc else 5, "IoOptimized": "optimized"}
    if vpc:
        launch["VSwitchId"] = made["vswitch"]
    else:
        launch["Password"] = "Packer-Passw0rd"
    instance = made["instance"] = b.call("CreateInstance", **launch)["InstanceId"]
    described = b.call("DescribeInstances", RegionId=REGION, InstanceIds=[instance])["Instances"]["Instance"][0]
    if vpc:
        assert described["VpcAttributes"]["VSwitchId"] == made["vswitch"]
        eip = b.call("AllocateEipAddress", RegionId=REGION, Bandwidth="5")
        made["eip"] = eip["AllocationId"]
        assert b.call("DescribeEipAddresses", RegionId=REGION, AllocationId=made["eip"])["TotalCount"] == 1
        b.call("AssociateEipAddress", RegionId=REGION, AllocationId=made["eip"], InstanceId=instance)
    else:
        address = b.call("AllocatePublicIpAddress", InstanceId=instance)["IpAddress"]
        shown = b.call("DescribeInstances", RegionId=REGION, InstanceIds=[instance])["Instances"]["Instance"][0]
        assert shown["PublicIpAddress"]["IpAddress"] == [address]
    b.call("AttachKeyPair", RegionId=REGION, KeyPairName=made["key_pair"], InstanceIds=[instance])
    b.call("StartInstance", InstanceId=instance)
    b.call("StopInstance", InstanceId=instance)
    image = made["image"] = b.call("CreateImage", RegionId=REGION, InstanceId=instance, ImageName=name)["ImageId"]
    status = b.call("DescribeImages", RegionId=REGION, ImageId=image, Status=STATUSES)
    assert status["Images"]["Image"][0]["Status"] == "Available"
    snapshots = [m["SnapshotId"] for m in status["Images"]["Image"][0]["DiskDeviceMappings"]["DiskDeviceMapping"]]
    b.call("AddTags", RegionId=REGION, ResourceType="image", ResourceId=image, **{"Tag.1.Key": "built-by",
                                                                                    "Tag.1.Value": "packer"})
    for snapshot in snapshots:
        b.call("AddTags", RegionId=REGION, ResourceType="snapshot", ResourceId=snapshot,
               **{"Tag.1.Key": "built-by", "Tag.1.Value": "packer"})
    made["copies"] = {
        OTHER: b.call("CopyImage", RegionId=REGION, ImageId=image, DestinationRegionId=OTHER,
                      DestinationImageName=name)["ImageId"],
        REGION: b.call("CopyImage", RegionId=REGION, ImageId=image, DestinationRegionId=REGION,
                       DestinationImageName=f"{name}-encrypted", Encrypted=True)["ImageId"],
    }
    b.call("ModifyImageSharePermission", RegionId=REGION, ImageId=image, **{"AddAccount.1": "1111222233334444"})
    b.call("ModifyImageSharePermission", RegionId=REGION, ImageId=image)  # ImageId only: a no-op
    return made


def _cleanup(b: Builder, made: dict, vpc: bool = True) -> None:
    b.call("DetachKeyPair", RegionId=REGION, KeyPairName=made["key_pair"], InstanceIds=[made["instance"]])
    if vpc:
        b.call("UnassociateEipAddress", RegionId=REGION, AllocationId=made["eip"], InstanceId=made["instance"])
        b.call("ReleaseEipAddress", RegionId=REGION, AllocationId=made["eip"])
    b.call("DeleteInstance", InstanceId=made["instance"], Force=True)
    b.call("DeleteSecurityGroup", RegionId=REGION, SecurityGroupId=made["security_group"])
    if vpc:
        b.call("DeleteVSwitch", RegionId=REGION, VSwitchId=made["vswitch"])
        b.call("DeleteVpc", RegionId=REGION, VpcId=made["vpc"])
    b.call("DeleteKeyPairs", RegionId=REGION, KeyPairNames=[made["key_pair"]])


def _nothing_temporary_left(b: Builder, made: dict) -> None:
    assert b.call("DescribeInstances", RegionId=REGION, InstanceIds=[made["instance"]])["TotalCount"] == 0
    assert b.call("DescribeKeyPairs", RegionId=REGION, KeyPairName=made["key_pair"])["TotalCount"] == 0
    assert b.call("DescribeSecurityGroups", RegionId=REGION, SecurityGroupIds=[made["security_group"]])[
        "TotalCount"] == 0
    if "vpc" in made:
        assert b.call("DescribeVpcs", RegionId=REGION, VpcId=made["vpc"])["TotalCount"] == 0
        assert b.call("DescribeVSwitches", RegionId=REGION, VSwitchId=made["vswitch"])["TotalCount"] == 0
        assert b.call("DescribeEipAddresses", RegionId=REGION, AllocationId=made["eip"])["TotalCount"] == 0


def test_default_build_then_forced_rebuild(proxy):
    b = Builder(proxy)
    made = _build(b)
    _cleanup(b, made)
    _nothing_temporary_left(b, made)
    # What the build leaves: the image (tagged, shared), its snapshots (tagged), the copies.
    image = b.call("DescribeImages", RegionId=REGION, ImageId=made["image"])["Images"]["Image"][0]
    assert {"TagKey": "built-by", "TagValue": "packer"} in image["Tags"]["Tag"]
    shared = b.call("DescribeImageSharePermission", RegionId=REGION, ImageId=made["image"])
    assert [a["AliyunId"] for a in shared["Accounts"]["Account"]] == ["1111222233334444"]
    tagged = b.call("DescribeTags", RegionId=REGION, ResourceType="snapshot", **{"Tag.1.Key": "built-by"})
    assert tagged["TotalCount"] >= 1
    for region, copy_id in made["copies"].items():
        copy = b.call("DescribeImages", RegionId=region, ImageId=copy_id)["Images"]["Image"][0]
        assert copy["Status"] == "Available"
    encrypted = b.call("DescribeImages", RegionId=REGION, ImageId=made["copies"][REGION])["Images"]["Image"][0]
    for mapping in encrypted["DiskDeviceMappings"]["DiskDeviceMapping"]:  # the copy's snapshots are encrypted
        snapshot = b.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=[mapping["SnapshotId"]])
        assert snapshot["Snapshots"]["Snapshot"][0]["Encrypted"] is True
    # A second build with the same name and the force-delete options, as the builder does it: find the old
    # images in every region, DeleteImage (no Force), then DeleteSnapshot of each (region-less: found by id).
    # The service refuses to delete a shared image (documented ImageUseShared), so the share goes first.
    with pytest.raises(ServerException) as refused:
        b.call("DeleteImage", RegionId=REGION, ImageId=made["image"])
    assert (refused.value.get_http_status(), refused.value.get_error_code()) == (403, "ImageUseShared")
    b.call("ModifyImageSharePermission", RegionId=REGION, ImageId=made["image"],
           **{"RemoveAccount.1": "1111222233334444"})
    for region in (REGION, OTHER):
        old = b.call("DescribeImages", RegionId=region, ImageName=NAME, Status=STATUSES)
        assert old["TotalCount"] >= 1
        for img in old["Images"]["Image"]:
            snaps = [m["SnapshotId"] for m in img["DiskDeviceMappings"]["DiskDeviceMapping"] if m.get("SnapshotId")]
            b.call("DeleteImage", RegionId=region, ImageId=img["ImageId"])
            for snapshot in snaps:
                b.call("DeleteSnapshot", SnapshotId=snapshot)
    assert b.call("DescribeImages", RegionId=REGION, ImageName=NAME)["TotalCount"] == 0
    again = _build(b)
    _cleanup(b, again)
    _nothing_temporary_left(b, again)
    calls = _calls(proxy)
    assert not any(c["action"] in (None, "CONNECT") for c in calls)  # the CONNECT probes were not recorded
    failed = [(c["action"], c["error_code"]) for c in calls if c["status"] != 200]
    assert failed == [("DeleteImage", "ImageUseShared")]


def test_password_build_without_vpc(proxy):
    b = Builder(proxy)
    made = _build(b, vpc=False, name="packer-classic")
    _cleanup(b, made, vpc=False)
    _nothing_temporary_left(b, made)


def test_unknown_vswitch_and_security_group_get_the_documented_codes(proxy):
    b = Builder(proxy)
    with pytest.raises(ServerException) as err:
        b.call("CreateInstance", RegionId=REGION, ImageId=SOURCE, InstanceType="ecs.g7.large",
               SecurityGroupId="sg-missing", VSwitchId="vsw-missing")
    assert err.value.get_error_code() in ("InvalidVSwitchId.NotFound", "InvalidSecurityGroupId.NotFound")

"""DescribeInstanceAttribute, ModifyInstanceAttribute, DescribeUserData — and region-less actions finding
their resource in any region — through the real SDKs."""
from __future__ import annotations

import asyncio
import base64
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceAttributeRequest import DescribeInstanceAttributeRequest
from aliyunsdkecs.request.v20140526.DescribeUserDataRequest import DescribeUserDataRequest
from aliyunsdkecs.request.v20140526.ModifyInstanceAttributeRequest import ModifyInstanceAttributeRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import (
    LINUX,
    MINUTE,
    REGION,
    WINDOWS,
    assert_documented,
    assert_wire,
    describe,
    disks,
    old_error,
    run,
)

SCRIPT = base64.b64encode(b"#!/bin/sh\necho hello > /tmp/hello\n").decode()


def attribute(client, instance_id: str) -> dict:
    body = client.describe_instance_attribute(models.DescribeInstanceAttributeRequest(instance_id=instance_id)).body
    return body.to_map()


def modify(client, instance_id: str, **kw):
    return client.modify_instance_attribute(models.ModifyInstanceAttributeRequest(instance_id=instance_id, **kw))


def user_data(client, instance_id: str, region: str = REGION) -> str:
    return client.describe_user_data(models.DescribeUserDataRequest(region_id=region, instance_id=instance_id)).body


def create_stopped(client, **kw) -> str:
    return client.create_instance(models.CreateInstanceRequest(
        region_id=kw.pop("region_id", REGION), image_id=kw.pop("image_id", LINUX), instance_type="ecs.g7.large",
        **kw)).body.instance_id


# -- DescribeInstanceAttribute --------------------------------------------------------------
def test_describe_instance_attribute_new_sdk(client, engine):
    instance_id = run(client, instance_name="builder", description="packer builder", host_name="build-host",
                      internet_max_bandwidth_out=5)[0]
    body = attribute(client, instance_id)
    assert "RegionId" not in engine.calls[-1].params  # region-less in the current SDK
    assert_wire(body, "DescribeInstanceAttributeResponseBody")
    listed = describe(client, instance_id)
    for name in ("InstanceId", "InstanceName", "Description", "HostName", "ImageId", "InstanceType", "ZoneId",
                 "RegionId", "Status", "Cpu", "Memory", "CreationTime", "InternetMaxBandwidthOut", "SerialNumber"):
        assert body[name] == listed[name], name
    assert body["InstanceName"] == "builder" and body["Status"] == "Running" and MINUTE.match(body["CreationTime"])
    assert body["IoOptimized"] == "optimized"  # a string here, a boolean in DescribeInstances
    assert body["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == \
        listed["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
    assert body["SecurityGroupIds"] == {"SecurityGroupId": []}
    assert not any(k.startswith("_") for k in body)


def test_describe_instance_attribute_finds_the_instance_in_any_region(client, legacy, engine):
    instance_id = run(client, region_id="cn-beijing")[0]
    assert attribute(client, instance_id)["RegionId"] == "cn-beijing"  # client of cn-hangzhou
    req = DescribeInstanceAttributeRequest()
    req.set_InstanceId(instance_id)
    body = legacy_call(legacy, req)  # the old SDK adds RegionId=cn-hangzhou: the instance's region wins
    assert engine.calls[-1].params["RegionId"] == REGION and engine.calls[-1].region == "cn-beijing"
    assert body["InstanceId"] == instance_id and body["ZoneId"].startswith("cn-beijing")
    assert legacy_xml(legacy, req).findtext("InstanceId") == instance_id


def test_describe_instance_attribute_not_found(client, legacy, other):
    instance_id = run(client)[0]
    for target, who in (("i-bp1doesnotexist00000", client), (instance_id, other.client)):
        err = error_of(attribute, who, target)
        assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
        assert_documented("DescribeInstanceAttribute", err)
    req = DescribeInstanceAttributeRequest()
    req.set_InstanceId("i-bp1doesnotexist00000")
    assert_documented("DescribeInstanceAttribute", old_error(legacy, req))


def test_region_less_delete_snapshot_in_another_region_old_sdk(client, legacy, engine):
    # An image build's force-delete rerun: DeleteSnapshot of each region's snapshots from one client.
    instance_id = run(client, region_id="ap-southeast-1")[0]
    disk_id = disks(client, instance_id, "ap-southeast-1")[0]["DiskId"]
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
    req = DeleteSnapshotRequest()
    req.set_SnapshotId(snapshot_id)
    legacy_call(legacy, req)
    assert engine.calls[-1].params["RegionId"] == REGION and engine.calls[-1].region == "ap-southeast-1"
    left = client.describe_snapshots(models.DescribeSnapshotsRequest(region_id="ap-southeast-1")).body.total_count
    assert left == 0
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidSnapshotId.NotFound", 404)


def test_region_less_actions_ignore_a_region_id_they_do_not_declare(client, legacy, engine):
    instance_id = run(client, region_id="cn-shenzhen")[0]
    req = DescribeInstanceAttributeRequest()
    req.set_InstanceId(instance_id)
    req.add_query_param("RegionId", "xx-nowhere-1")  # not a parameter of the action: no region error
    assert legacy_call(legacy, req)["RegionId"] == "cn-shenzhen"
    assert engine.calls[-1].region == "cn-shenzhen" and engine.calls[-1].params["RegionId"] == "xx-nowhere-1"


# -- ModifyInstanceAttribute ----------------------------------------------------------------
def test_modify_instance_attribute_new_sdk(client):
    instance_id = create_stopped(client, user_data=SCRIPT)
    new_script = base64.b64encode(b"#cloud-config\nruncmd: [reboot]\n").decode()
    assert set(modify(client, instance_id, instance_name="renamed", description="after build",
                      host_name="web-01.example", password="Passw0rd!", user_data=new_script,
                      deletion_protection=True).body.to_map()) == {"RequestId"}
    body = attribute(client, instance_id)
    assert (body["InstanceName"], body["Description"], body["HostName"]) == ("renamed", "after build",
                                                                            "web-01.example")
    assert describe(client, instance_id)["DeletionProtection"] is True
    assert user_data(client, instance_id).user_data == new_script
    modify(client, instance_id, description="")  # clears it
    assert attribute(client, instance_id)["Description"] == ""


def test_modify_instance_attribute_old_sdk_security_groups_and_region(client, legacy):
    instance_id = run(client, region_id="cn-shanghai")[0]
    req = ModifyInstanceAttributeRequest()
    req.set_InstanceId(instance_id)
    req.set_InstanceName("legacy-name")
    legacy_call(legacy, req)  # RegionId=cn-hangzhou sent; the instance lives in cn-shanghai
    assert attribute(client, instance_id)["InstanceName"] == "legacy-name"
    req = ModifyInstanceAttributeRequest()
    req.set_InstanceId(instance_id)
    req.set_SecurityGroupIdss(["sg-uf6doesnotexist0000", "sg-uf6doesnotexist0000"])
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidParameter.SecurityGroupIdRepeated", 404)
    assert_documented("ModifyInstanceAttribute", err)
    req = ModifyInstanceAttributeRequest()
    req.set_InstanceId(instance_id)
    req.set_SecurityGroupIdss(["sg-uf6doesnotexist0000"])
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidSecurityGroupId.NotFound", 404)
    assert_documented("ModifyInstanceAttribute", err)


BAD = [
    ({"instance_name": "1starts-with-digit"}, "InvalidInstanceName.Malformed", 400),
    ({"instance_name": "x"}, "InvalidInstanceName.Malformed", 400),
    ({"instance_name": "http://name"}, "InvalidInstanceName.Malformed", 400),
    ({"description": "https://x"}, "InvalidDescription.Malformed", 400),
    ({"description": "d" * 257}, "InvalidDescription.Malformed", 400),
    ({"host_name": "-web"}, "InvalidHostName.Malformed", 400),
    ({"host_name": "web..01"}, "InvalidHostName.Malformed", 400),
    ({"host_name": "a--b"}, "InvalidHostName.Malformed", 400),
    ({"host_name": "h" * 65}, "InvalidHostName.Malformed", 400),
    ({"password": "short1!"}, "InvalidPassword.Malformed", 400),
    ({"password": "alllowercase1"}, "InvalidPassword.Malformed", 400),
    ({"password": "Passw0rd\u00e9x"}, "InvalidPassword.Malformed", 400),
    ({"user_data": "not base64!"}, "InvalidUserData.Base64FormatInvalid", 403),
    ({"user_data": base64.b64encode(b"x" * (32 * 1024 + 1)).decode()}, "InvalidUserData.SizeExceeded", 400),
    ({"recyclable": True}, "InvalidParameter.RecycleBin", 400),
    ({"credit_specification": "Unlimited"}, "InstanceType.ValueNotSupported", 400),
    ({"credit_specification": "Fast"}, "InvalidParameter", 400),
]


@pytest.mark.parametrize("kw,code,status", BAD)
def test_modify_instance_attribute_documented_errors(client, kw, code, status):
    instance_id = create_stopped(client, instance_name="before")
    err = error_of(modify, client, instance_id, instance_name=kw.pop("instance_name", "valid-name"), **kw)
    assert (err.code, err.status_code) == (code, status)
    assert_documented("ModifyInstanceAttribute", err)
    assert attribute(client, instance_id)["InstanceName"] == "before"  # nothing half-applied


def test_modify_instance_attribute_status_rules(client, engine):
    running = run(client)[0]
    # user data only on a stopped instance; the host name not while the instance starts
    err = error_of(modify, client, running, user_data=SCRIPT)
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("ModifyInstanceAttribute", err)
    engine.lifecycle.delay("instance", seconds=30)
    starting = create_stopped(client)
    engine.clock.advance(30)
    client.start_instance(models.StartInstanceRequest(instance_id=starting))
    err = error_of(modify, client, starting, host_name="web-01")
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    # CPU topology: a documented value, on a stopped instance
    err = error_of(modify, client, running, cpu_options=models.ModifyInstanceAttributeRequestCpuOptions(
        topology_type="Sideways"))
    assert (err.code, err.status_code) == ("InvalidParameter.CpuOptionsTopologyType", 400)
    assert_documented("ModifyInstanceAttribute", err)
    err = error_of(modify, client, running, cpu_options=models.ModifyInstanceAttributeRequestCpuOptions(
        topology_type="DiscreteCoreToHTMapping"))
    assert (err.code, err.status_code) == ("InvalidOperation.InstanceStatusUnsupported", 400)
    assert_documented("ModifyInstanceAttribute", err)
    stopped = create_stopped(client)  # (ecs.g7: continuous by default; the change is kept)
    engine.clock.advance(30)
    assert describe(client, stopped)["CpuOptions"]["TopologyType"] == "ContinuousCoreToHTMapping"
    modify(client, stopped, cpu_options=models.ModifyInstanceAttributeRequestCpuOptions(
        topology_type="DiscreteCoreToHTMapping"))
    assert describe(client, stopped)["CpuOptions"]["TopologyType"] == "DiscreteCoreToHTMapping"
    # deletion protection: pay-as-you-go only
    prepaid = run(client, instance_charge_type="PrePaid")[0]
    err = error_of(modify, client, prepaid, deletion_protection=True)
    assert (err.code, err.status_code) == ("InvalidChargeType.ValueNotSupported", 403)
    assert_documented("ModifyInstanceAttribute", err)
    err = error_of(modify, client, "i-bp1doesnotexist00000", instance_name="x-name")
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)


def test_windows_host_names_and_passwords(client):
    instance_id = create_stopped(client, image_id=WINDOWS)
    modify(client, instance_id, host_name="WIN-BUILD01", password="Passw0rd!")
    for kw in ({"host_name": "win.build"}, {"host_name": "w" * 16}, {"host_name": "12345"},
               {"password": "/Passw0rd!"}):
        err = error_of(modify, client, instance_id, **kw)
        assert err.code in ("InvalidHostName.Malformed", "InvalidPassword.Malformed")
    linux = create_stopped(client)
    modify(client, linux, password="/Passw0rd!", host_name="12345")  # both fine on Linux


def test_modify_instance_attribute_burstable_credit(client):
    instance_id = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.t6-c1m1.large")).body.instance_id_sets.instance_id_set[0]
    modify(client, instance_id, credit_specification="Unlimited")
    assert attribute(client, instance_id)["CreditSpecification"] == "Unlimited"


# -- UserData from launches, DescribeUserData -------------------------------------------------
def test_user_data_from_run_and_create_instance_as_given(client, legacy):
    run_id = run(client, user_data=SCRIPT)[0]
    created = create_stopped(client, user_data=SCRIPT)
    plain = run(client)[0]
    for instance_id in (run_id, created):
        body = user_data(client, instance_id)
        assert (body.instance_id, body.region_id, body.user_data) == (instance_id, REGION, SCRIPT)
    assert user_data(client, plain).user_data == ""
    req = DescribeUserDataRequest()
    req.set_InstanceId(run_id)
    assert legacy_call(legacy, req)["UserData"] == SCRIPT
    assert legacy_xml(legacy, req).findtext("UserData") == SCRIPT

    async def flow():
        return await client.describe_user_data_async(models.DescribeUserDataRequest(region_id=REGION,
                                                                                   instance_id=created))

    assert asyncio.run(flow()).body.user_data == SCRIPT


def test_describe_user_data_not_found(client, legacy):
    instance_id = run(client, region_id="cn-beijing", user_data=SCRIPT)[0]
    # DescribeUserData declares RegionId: the instance must be in that region
    err = error_of(user_data, client, instance_id)
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("DescribeUserData", err)
    assert user_data(client, instance_id, "cn-beijing").user_data == SCRIPT


@pytest.mark.parametrize("action", ["RunInstances", "CreateInstance"])
def test_launch_validates_settings(client, action):
    def launch(**kw):
        if action == "RunInstances":
            return run(client, **kw)
        return create_stopped(client, **kw)

    not_base64 = 400 if action == "RunInstances" else 403
    for kw, code, status in [({"user_data": "%%%"}, "InvalidUserData.Base64FormatInvalid", not_base64),
                             ({"user_data": base64.b64encode(b"y" * 40000).decode()},
                              "InvalidUserData.SizeExceeded", 400),
                             ({"instance_name": "-bad"}, "InvalidInstanceName.Malformed", 400),
                             ({"host_name": "bad_host"}, "InvalidHostName.Malformed", 400),
                             ({"password": "weak"}, "InvalidPassword.Malformed", 400),
                             ({"password": "Passw0rd!", "password_inherit": True},
                              "InvalidPasswordParam.Mismatch", 400)]:
        err = error_of(launch, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented(action, err)
    listed = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count
    assert listed == 0


def test_user_data_is_not_in_describe_instances(client):
    instance_id = run(client, user_data=SCRIPT)[0]
    assert SCRIPT not in json.dumps(describe(client, instance_id))

"""footmark, unchanged, against mockecs: the library Ansible's Alibaba Cloud modules call (``ali_instance``,
``ali_image``, ``ali_security_group`` ... build a ``footmark.ecs`` connection and call it).

footmark speaks through the old SDK (``aliyunsdkcore``, signature v1, JSON) and reads answers its own way:
``yaml.safe_load`` of the body, then every nested object's fields moved ahead of its scalars and set as
attributes one by one, in the answer's order. Its ``Instance`` looks ``eip_address`` up while it sets
``public_ip_address`` (for an instance without a public address), which recursed without end when
mockecs answered PublicIpAddress before EipAddress: the service answers EipAddress first.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mockecs.modes.mock import MockECS
from mockecs.modes.server import ServerThread
from mockecs.ops.instances import INSTANCE_FIELD_ORDER

footmark_ecs = pytest.importorskip("footmark.ecs", reason="footmark is not installed")
import footmark.ecs.connection as footmark_connection  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402
from aliyunsdkecs.request.v20140526 import (  # noqa: E402
    AllocateEipAddressRequest,
    AssociateEipAddressRequest,
    CreateSnapshotRequest,
    CreateVpcRequest,
    CreateVSwitchRequest,
    DescribeDisksRequest,
    DescribeInstancesRequest,
    ModifyInstanceAttributeRequest,
)

UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    # footmark sleeps 10 s after RunInstances "to wait instance to finish initiated" and between polls;
    # the fake answers at once, so only its sleeps are skipped (every request it makes still goes out).
    monkeypatch.setattr(footmark_connection.time, "sleep", lambda seconds: None)


def network(region: str = "cn-hangzhou") -> tuple[AcsClient, str, str]:
    """A VPC and a vSwitch, made with the old SDK (footmark makes them through the VPC product's API)."""
    acs = AcsClient("ak", "sk", region)
    request = CreateVpcRequest.CreateVpcRequest()
    request.set_CidrBlock("172.16.0.0/12")
    vpc = json.loads(acs.do_action_with_exception(request))["VpcId"]
    request = CreateVSwitchRequest.CreateVSwitchRequest()
    request.set_VpcId(vpc)
    request.set_CidrBlock("172.16.0.0/24")
    request.set_ZoneId(f"{region}-h")
    return acs, vpc, json.loads(acs.do_action_with_exception(request))["VSwitchId"]


def connect(region: str = "cn-hangzhou") -> footmark_connection.ECSConnection:
    return footmark_ecs.connect_to_region(region, acs_access_key_id="ak", acs_secret_access_key="sk")


def test_an_ansible_image_build_through_footmark():
    """What ali_security_group, ali_instance and ali_image do in a playbook that builds an image: group,
    instance from a public image, stop, image from the instance (waiting for it), look-up, and cleanup."""
    with MockECS() as mock:
        _, vpc, vswitch = network()
        ecs = connect()
        assert "cn-hangzhou" in {r.id for r in ecs.get_all_regions()}
        group = ecs.create_security_group(security_group_name="build", description="image build", vpc_id=vpc)
        assert group.id.startswith("sg-") and group.security_group_name == "build" and group.vpc_id == vpc

        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch, instance_name="builder", amount=1,
                                       password="Passw0rd!x1", client_token="ansible-build-1")
        assert instance.id.startswith("i-") and instance.state == "running"
        assert instance.name == "builder" and instance.image_id == UBUNTU
        assert instance.vswitch_id == vswitch and instance.vpc_id == vpc
        assert instance.public_ip_address == ""  # (no bandwidth asked: no address, and no EIP either)
        assert instance.private_ip_address.startswith("172.16.0.")
        assert instance.security_group_ids == {"security_group_id": [group.id]}

        assert ecs.stop_instances(instance_ids=[instance.id], force_stop=True) is True
        assert [i.state for i in ecs.describe_instances(instance_ids=[instance.id])] == ["stopped"]

        changed, image_id, results, request_id = ecs.create_image(
            instance_id=instance.id, image_name="built-by-ansible", description="from the builder",
            wait=True, wait_timeout=30)
        assert (changed, results) == (True, ["Image creation successful"])
        assert image_id.startswith("m-") and len(request_id) == 36
        [image] = ecs.get_all_images(image_id=image_id)
        assert (image.id, image.name, image.status, image.size) == (image_id, "built-by-ansible", "Available", 40)
        assert image.image_owner_alias == "self" and image.description == "from the builder"
        [mapping] = image.disk_device_mappings["disk_device_mapping"]
        assert mapping["type"] == "system" and mapping["snapshot_id"].startswith("s-")
        assert [i.id for i in ecs.get_all_images(filters={"image_owner_alias": "self"})] == [image_id]

        assert ecs.delete_image(image_id) is True
        assert ecs.get_all_images(filters={"image_owner_alias": "self"}) == []
        assert ecs.delete_instances(instance_ids=[instance.id], force=True) is True
        assert ecs.describe_instances(instance_ids=[instance.id]) == []
        assert ecs.delete_security_group(security_group_id=group.id) is True

        calls = mock.calls
    # (footmark confirms a deletion by describing the group: the documented 404 is its "gone")
    assert [(c.action, c.status, c.error_code) for c in calls if c.status != 200] == \
        [("DescribeSecurityGroupAttribute", 404, "InvalidSecurityGroupId.NotFound")]
    assert {"CreateSecurityGroup", "RunInstances", "DescribeInstances", "StopInstance", "CreateImage",
            "DescribeImages", "DeleteImage", "DeleteInstance", "DeleteSecurityGroup"} <= {c.action for c in calls}


def test_footmark_reads_the_service_codes():
    """footmark hands the service's Code, message, RequestId and status back as its ``results``."""
    with MockECS() as mock:
        ecs = connect()
        changed, image_id, results, _ = ecs.create_image(instance_id="i-bp1missing0000000000", image_name="x1",
                                                         description="missing instance")
        [error] = results
        assert (changed, image_id) == (False, "")
        assert (error["Error Code"], error["Http Status"]) == ("InvalidInstanceId.NotFound", 404)
        assert len(error["RequestId"]) == 36
        # (footmark looks a snapshot up first: DescribeSnapshots lists none, and footmark says so its own way)
        changed, _, [error], _ = ecs.create_image(snapshot_id="s-bp1missing0000000000", image_name="x2")
        assert changed is False and error["Error Code"] == "Invalid.SnapshotId"
        assert ecs.delete_image("m-bp1missing0000000000") is False  # (looked up first too: not there)
        answered = [(c.action, c.status, c.error_code) for c in mock.calls]
    assert answered == [("CreateImage", 404, "InvalidInstanceId.NotFound"), ("DescribeSnapshots", 200, None),
                        ("DescribeImages", 200, None)]


def test_an_image_from_a_snapshot_named_in_single_quotes():
    """footmark asks for the snapshot with ``SnapshotIds=['s-...']`` (a Python list's ``str``): the service's
    JSON parser takes single quotes, so the snapshot is found, and the image is made from it."""
    with MockECS() as mock:
        acs, vpc, vswitch = network()
        ecs = connect()
        group = ecs.create_security_group(security_group_name="snap", vpc_id=vpc)
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch, amount=1, client_token="snap-1")
        request = DescribeDisksRequest.DescribeDisksRequest()
        request.set_InstanceId(instance.id)
        [disk] = json.loads(acs.do_action_with_exception(request))["Disks"]["Disk"]
        request = CreateSnapshotRequest.CreateSnapshotRequest()
        request.set_DiskId(disk["DiskId"])
        snapshot = json.loads(acs.do_action_with_exception(request))["SnapshotId"]

        changed, image_id, results, _ = ecs.create_image(snapshot_id=snapshot, image_name="from-snapshot")
        assert (changed, results) == (True, ["Image creation successful"]), results
        [image] = ecs.get_all_images(image_id=image_id)
        assert image.disk_device_mappings["disk_device_mapping"][0]["snapshot_id"] == snapshot
        [asked] = [c.params["SnapshotIds"] for c in mock.calls if c.action == "DescribeSnapshots"]
    assert asked == f"['{snapshot}']"


def _instance_keys(acs: AcsClient, instance_id: str) -> list[str]:
    request = DescribeInstancesRequest.DescribeInstancesRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    [instance] = json.loads(acs.do_action_with_exception(request))["Instances"]["Instance"]
    return list(instance)


def test_instances_keep_the_service_field_order_through_changes():
    """The answer's field order is the service's, from creation on and after the writes that replace
    parts of the record (stop, rename, an EIP associated, the instance started again)."""
    with MockECS():
        acs, vpc, vswitch = network()
        ecs = connect()
        group = ecs.create_security_group(security_group_name="order", vpc_id=vpc)
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch, amount=1, client_token="order-1")
        seen = [_instance_keys(acs, instance.id)]
        ecs.stop_instances(instance_ids=[instance.id], force_stop=True)
        request = ModifyInstanceAttributeRequest.ModifyInstanceAttributeRequest()
        request.set_InstanceId(instance.id)
        request.set_InstanceName("renamed")
        acs.do_action_with_exception(request)
        request = AllocateEipAddressRequest.AllocateEipAddressRequest()
        eip = json.loads(acs.do_action_with_exception(request))["AllocationId"]
        request = AssociateEipAddressRequest.AssociateEipAddressRequest()
        request.set_AllocationId(eip)
        request.set_InstanceId(instance.id)
        acs.do_action_with_exception(request)
        ecs.start_instances(instance_ids=[instance.id])
        seen.append(_instance_keys(acs, instance.id))
        [again] = ecs.describe_instances(instance_ids=[instance.id])
        assert again.name == "renamed" and again.public_ip_address == again.eip_address["ip_address"] != ""
    for keys in seen:
        known = [k for k in keys if k in INSTANCE_FIELD_ORDER]
        assert known == sorted(known, key=INSTANCE_FIELD_ORDER.__getitem__), keys
        assert len(known) >= 45  # (most fields the service shows; the rest follow)
        assert keys.index("EipAddress") < keys.index("InstanceId") < keys.index("PublicIpAddress")


ANSIBLE_STYLE = """
import json, sys
import footmark.ecs
ecs = footmark.ecs.connect_to_region("cn-hangzhou", acs_access_key_id="ak", acs_secret_access_key="sk")
group = ecs.create_security_group(security_group_name="from-ansible", description="a separate process")
[image] = ecs.get_all_images(image_id=sys.argv[1])
deleted = ecs.delete_security_group(security_group_id=group.id)
print(json.dumps({"group": group.id, "image": [image.id, image.status, image.ostype], "deleted": deleted}))
"""


def test_footmark_in_its_own_process_through_the_server_as_a_proxy(tmp_path):
    """Ansible runs each module in a Python process of its own: there ``mock_ecs`` cannot reach, and the old
    SDK under footmark is pointed at ``mockecs server`` with ``HTTP_PROXY`` (it reads the variable itself)."""
    script = tmp_path / "module.py"
    script.write_text(ANSIBLE_STYLE)
    with ServerThread() as server:
        env = {k: v for k, v in os.environ.items() if k.upper() not in ("HTTPS_PROXY", "NO_PROXY")}
        env["HTTP_PROXY"] = server.url
        done = subprocess.run([sys.executable, str(script), UBUNTU], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        calls = [(c.action, c.status, c.account) for c in server.engine.calls]
    assert answer["image"] == [UBUNTU, "Available", "linux"] and answer["deleted"] is True
    assert answer["group"].startswith("sg-")
    # (footmark reads the new group back, then confirms the deletion: the documented 404 is its "gone")
    assert [(action, status) for action, status, _ in calls] == [
        ("CreateSecurityGroup", 200), ("DescribeSecurityGroupAttribute", 200), ("DescribeImages", 200),
        ("DeleteSecurityGroup", 200), ("DescribeSecurityGroupAttribute", 404)]

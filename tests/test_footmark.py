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
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mockecs.modes.mock import MockECS
from mockecs.modes.server import ServerThread
from mockecs.modes.server.tls import authority, combined_bundle
from mockecs.ops.instances import INSTANCE_FIELD_ORDER
from tests.networks_helpers import old_sdk_network

footmark_ecs = pytest.importorskip("footmark.ecs", reason="footmark is not installed")
import footmark.ecs.connection as footmark_connection  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402
from aliyunsdkecs.request.v20140526 import (  # noqa: E402
    AllocateEipAddressRequest,
    AssignPrivateIpAddressesRequest,
    AssociateEipAddressRequest,
    CreateSnapshotRequest,
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
    return (acs, *old_sdk_network(acs, region))


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


def test_footmark_over_https_through_the_server_as_its_https_proxy(tmp_path):
    """The old SDK set to HTTPS (``aliyunsdkcore.request.set_default_protocol_type``; footmark itself never does)
    reads ``HTTPS_PROXY`` and takes its CA bundle from ``ALIBABA_CLOUD_CA_BUNDLE``: the bundle ``mockecs ca
    --bundle`` prints (docs/clients.md, Ansible)."""
    script = tmp_path / "module.py"
    script.write_text("from aliyunsdkcore.request import set_default_protocol_type\n"
                      "set_default_protocol_type('https')\n" + ANSIBLE_STYLE)
    with ServerThread() as server:
        env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
        env.update(HTTPS_PROXY=server.url, ALIBABA_CLOUD_CA_BUNDLE=combined_bundle(authority().cert_path))
        done = subprocess.run([sys.executable, str(script), UBUNTU], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        calls = [(c.action, c.status) for c in server.engine.calls]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["image"] == [UBUNTU, "Available", "linux"] and answer["deleted"] is True
    assert calls[0] == ("CreateSecurityGroup", 200) and len(calls) == 5


def _public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def test_ali_security_group_rules_through_footmark():
    """What ali_security_group does: find the group by VPC and name, create it, authorize the playbook's rules
    (ip_protocol upper-cased, as the module does) only when missing, purge the others by revoking the
    described permission as it is, and read the group back."""
    with MockECS() as mock:
        _, vpc, _ = network()
        ecs = connect()
        assert ecs.describe_security_groups(vpc_id=vpc) == []
        group = ecs.create_security_group(security_group_name="web", description="web servers", vpc_id=vpc,
                                          client_token="Ansible-Alicloud-1")
        assert group.modify(name="web", description="web servers") is False  # (nothing to change)
        ssh = {"ip_protocol": "TCP", "port_range": "22/22", "source_cidr_ip": "10.0.0.0/8", "priority": 1}
        http = {"ip_protocol": "TCP", "port_range": "80/80", "source_cidr_ip": "0.0.0.0/0", "policy": "accept",
                "description": "http"}
        assert group.authorize(dict(ssh), "ingress") is True and group.authorize(dict(http), "ingress") is True
        out = {"ip_protocol": "TCP", "port_range": "443/443", "dest_cidr_ip": "100.64.0.0/10"}
        assert group.authorize(dict(out), "egress") is True

        group = group.get()
        rules = {(p["direction"], p["ip_protocol"], p["port_range"]): p for p in group.permissions}
        assert set(rules) == {("ingress", "TCP", "22/22"), ("ingress", "TCP", "80/80"), ("egress", "TCP", "443/443")}
        # (the service answers Priority as a string and Policy capitalised; a VPC group's rules are intranet)
        assert rules["ingress", "TCP", "22/22"]["priority"] == "1"
        assert rules["ingress", "TCP", "80/80"]["policy"] == "Accept"
        assert {p["nic_type"] for p in group.permissions} == {"intranet"}
        assert rules["egress", "TCP", "443/443"]["dest_cidr_ip"] == "100.64.0.0/10"
        # A second run finds every rule (footmark compares the playbook's values with the answer's): no change
        assert group.authorize({"ip_protocol": "TCP", "port_range": "80/80", "source_cidr_ip": "0.0.0.0/0"},
                               "ingress") is False

        # purge_rules: the playbook no longer names ssh; the module revokes the permission dict as described
        # (every field of the answer, empty ones included, goes back as a parameter)
        assert group.revoke(dict(rules["ingress", "TCP", "22/22"]), "ingress") is True
        assert group.revoke(dict(rules["egress", "TCP", "443/443"]), "egress") is True
        group = group.get()
        assert [(p["direction"], p["port_range"]) for p in group.permissions] == [("ingress", "80/80")]
        assert group.modify(name="web-servers", description="all web servers") is True
        read = group.get().read()
        assert (read["group_name"], read["description"], read["vpc_id"]) == ("web-servers", "all web servers", vpc)
        assert [r["port_range"] for r in read["permissions"]] == ["80/80"] and read["permissions_egress"] == []
        [listed] = ecs.describe_security_groups(vpc_id=vpc)
        assert (listed.id, listed.name, listed.security_group_type) == (group.id, "web-servers", "normal")
        assert group.delete() is True
        assert ecs.describe_security_groups(vpc_id=vpc) == []
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert failed == [("DescribeSecurityGroupAttribute", "InvalidSecurityGroupId.NotFound")]


def test_ali_key_pair_through_footmark():
    """ali_key_pair: create (the private key comes back once), import a public key, tag by name, attach to an
    instance and detach, delete both in one call (footmark sends the names as a Python list's ``str``)."""
    with MockECS() as mock:
        _, vpc, vswitch = network()
        ecs = connect()
        made = ecs.create_key_pair(key_pair_name="deploy", client_token="Ansible-Alicloud-2")
        assert made.id.startswith("ssh-") and made.name == "deploy"
        assert made.private_key_body.startswith("-----BEGIN") and len(made.finger_print.split(":")) == 16
        public = _public_key()
        imported = ecs.import_key_pair(key_pair_name="laptop", public_key_body=public)
        # (ImportKeyPair answers no KeyPairId, as the metadata documents: footmark's repr of it, which reads
        # key_pair_id, raises against the service too; its fields are there)
        assert (imported.key_pair_name, len(imported.key_pair_finger_print)) == ("laptop", 47)
        assert "key_pair_id" not in vars(imported)

        [listed] = ecs.describe_key_pairs(key_pair_name="laptop")
        assert listed.key_pair_finger_print == imported.key_pair_finger_print
        assert listed.add_tags({"team": "infra"}) is True  # (key pairs are tagged by name)
        assert ecs.list_tag_resources(resource_type="keypair", resource_ids=["laptop"]) == {"team": "infra"}
        [tagged] = listed.get()
        assert tagged.tags == {"team": "infra"}
        assert listed.remove_tags({"team": "infra"}) is True
        assert ecs.list_tag_resources(resource_type="keypair", resource_ids=["laptop"]) == {}

        group = ecs.create_security_group(security_group_name="kp", vpc_id=vpc)
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch, amount=1)
        assert instance.key_name == ""
        assert ecs.attach_key_pair(instance_ids=[instance.id], key_pair_name="laptop") is True
        [instance] = ecs.describe_instances(instance_ids=[instance.id])
        assert instance.key_name == "laptop"
        assert ecs.detach_key_pair(instance_ids=[instance.id], key_pair_name="laptop") is True
        assert ecs.describe_instances(instance_ids=[instance.id])[0].key_name == ""

        assert ecs.delete_key_pair(key_pair_names=["deploy", "laptop"]) is True
        assert ecs.describe_key_pairs() == []
        [asked] = [c.params["KeyPairNames"] for c in mock.calls if c.action == "DeleteKeyPairs"]
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert asked == "['deploy', 'laptop']" and failed == []


def test_ali_disk_through_footmark():
    """ali_disk: look the disk up by name in a zone, create it with the module's arguments (its unset ones are
    left out), change its attributes, attach it (footmark waits for In_use), detach, delete."""
    with MockECS() as mock:
        _, vpc, vswitch = network()
        ecs = connect()
        assert ecs.get_all_volumes(zone_id="cn-hangzhou-h", volume_name="data") == []
        disk = ecs.create_disk(zone_id="cn-hangzhou-h", disk_name="data", description="app data",
                               disk_category="cloud_essd", size=40, disk_tags=None, snapshot_id=None,
                               client_token="Ansible-Alicloud-3")
        assert disk.id.startswith("d-") and (disk.name, disk.category, disk.size) == ("data", "cloud_essd", 40)
        assert (disk.status, disk.type, disk.zone_id, disk.delete_with_instance) == \
            ("available", "data", "cn-hangzhou-h", False)
        [found] = ecs.get_all_volumes(zone_id="cn-hangzhou-h", volume_name="data")
        assert found.id == disk.id
        assert [d.id for d in ecs.get_all_volumes(volume_ids=[disk.id])] == [disk.id]
        assert found.modify(disk_name="data-1", description="app data, renamed", delete_with_instance=True) is True
        [found] = ecs.get_all_volumes(volume_ids=[disk.id])
        assert (found.name, found.description, found.delete_with_instance) == \
            ("data-1", "app data, renamed", True)

        group = ecs.create_security_group(security_group_name="disk", vpc_id=vpc)
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch, amount=1)
        assert found.attach(instance_id=instance.id, delete_with_instance=False) is True
        by_instance = {d.id: d for d in ecs.describe_disks(instance_id=instance.id)}
        assert set(by_instance) == {disk.id} | {d.id for d in by_instance.values() if d.type == "system"}
        attached = by_instance[disk.id]
        assert (attached.status, attached.instance_id, attached.device) == ("in_use", instance.id, "/dev/xvdb")
        assert attached.attached_time.endswith("Z") and attached.delete_with_instance is False
        assert [d.id for d in ecs.get_all_volumes(filters={"instance_id": instance.id, "disk_type": "data"})] == \
            [disk.id]
        assert attached.detach(instance.id) is True
        [detached] = ecs.get_all_volumes(volume_ids=[disk.id])
        assert (detached.status, detached.instance_id) == ("available", "")
        assert detached.delete() is True
        assert ecs.get_all_volumes(volume_ids=[disk.id]) == []
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert failed == []


def test_ali_instance_through_footmark():
    """ali_instance's calls on an existing instance: found by tags and by name, security groups joined and
    left, attributes and user data changed while stopped (footmark sends the data base64-encoded), started,
    rebooted, tagged and untagged, listed with its disks and user data (ali_instance_info), then removed."""
    with MockECS() as mock:
        _, vpc, vswitch = network()
        ecs = connect()
        web = ecs.create_security_group(security_group_name="web", vpc_id=vpc)
        admin = ecs.create_security_group(security_group_name="admin", vpc_id=vpc)
        [instance] = ecs.run_instances(
            image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=web.id, zone_id=None,
            instance_name="web-1", description="a web server", internet_charge_type="PayByTraffic",
            internet_max_bandwidth_out=0, internet_max_bandwidth_in=None, host_name="web1", password=None,
            io_optimized="optimized", system_disk_category="cloud_essd", system_disk_size=40, vswitch_id=vswitch,
            amount=1, instance_charge_type="PostPaid", period=1, period_unit="Month", key_pair_name=None,
            user_data="#!/bin/sh\necho first", tags={"app": "web"}, unique_suffix=False)
        assert (instance.name, instance.host_name, instance.description) == ("web-1", "web1", "a web server")
        assert instance.tags == {"app": "web"} and instance.describe_user_data() == b"#!/bin/sh\necho first"
        assert [i.id for i in ecs.describe_instances(tags={"app": "web"})] == [instance.id]
        assert [i.id for i in ecs.describe_instances(zone_id=instance.zone_id, instance_name="web-1")] == \
            [instance.id]

        assert instance.join_security_group(admin.id) is True
        [instance] = ecs.describe_instances(instance_ids=[instance.id])
        assert instance.security_group_ids["security_group_id"] == [web.id, admin.id]
        assert instance.leave_security_group(web.id) is True

        assert instance.stop(force=True) is True
        [instance] = ecs.describe_instances(instance_ids=[instance.id])
        instance.user_data = instance.describe_user_data()  # (what modify_instance of ali_instance does)
        assert instance.modify(name="web-2", description="the second", host_name="web2",
                               user_data=b"#!/bin/sh\necho second") is True
        assert instance.describe_user_data() == b"#!/bin/sh\necho second"
        assert instance.start() is True and instance.reboot(force=False) is True
        [instance] = ecs.describe_instances(instance_ids=[instance.id])
        assert (instance.name, instance.host_name, instance.state) == ("web-2", "web2", "running")
        assert instance.security_group_ids["security_group_id"] == [admin.id]

        # footmark looks the tags up with ListTagResources filtered by every tag it was given, which the
        # service answers for resources carrying all of them (the metadata's Tag.N): it then sends them all
        assert instance.add_tags({"env": "prod", "app": "web"}) is True
        assert ecs.list_tag_resources(resource_type="instance", resource_ids=[instance.id]) == \
            {"app": "web", "env": "prod"}
        # (so it removes nothing when one of the tags is not on the instance: a footmark bug, the service's too)
        assert instance.remove_tags({"app": "web", "gone": "x"}) is False
        assert instance.remove_tags({"app": "web"}) is True
        [info] = [i.read() for i in ecs.describe_instances(instance_ids=[instance.id])]
        assert info["tags"] == {"env": "prod"} and info["id"] == instance.id and info["vpc_id"] == vpc
        assert info["private_ip_address"].startswith("172.16.0.") and info["availability_zone"] == "cn-hangzhou-h"
        [system] = ecs.describe_disks(instance_id=instance.id)
        assert (system.type, system.category, system.size, system.device) == ("system", "cloud_essd", 40, "/dev/xvda")

        assert instance.terminate(force=True) is True
        assert ecs.describe_instances(tags={"env": "prod"}) == []
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
        tagged = [c.params for c in mock.calls if c.action == "TagResources"]
    assert failed == []
    assert [{(p[f"Tag.{n}.Key"], p[f"Tag.{n}.Value"]) for n in (1, 2)} for p in tagged] == \
        [{("env", "prod"), ("app", "web")}]


def test_footmark_catalog_calls():
    """ali_instance_type_facts, ali_zone and friends: instance types of a family, zones, families."""
    with MockECS():
        ecs = connect()
        types = {t.id: t for t in ecs.describe_instance_types(instance_type_family="ecs.g7")}
        assert "ecs.g7.large" in types and all(name.startswith("ecs.g7.") for name in types)
        assert (types["ecs.g7.large"].cpu_core_count, types["ecs.g7.large"].memory_size) == (2, 8.0)
        zones = ecs.describe_zones()
        assert "cn-hangzhou-h" in {z.id for z in zones}
        [zone] = ecs.describe_zones(zone_id="cn-hangzhou-h")
        assert "cloud_essd" in zone.available_disk_categories["disk_categories"]
        assert "ecs.g7.large" in zone.available_instance_types["instance_types"]
        families = ecs.describe_instance_type_families(generation="ecs-6")
        assert "ecs.g7" in {f.id for f in families} and {f.generation for f in families} == {"ecs-6"}


def test_ali_instance_changes_the_charge_type_through_footmark():
    """ali_instance with ``instance_charge_type: PrePaid`` on existing instances: ModifyInstanceChargeType with the
    module's parameters, then footmark's wait until DescribeInstances answers the new charge type."""
    with MockECS() as mock:
        _, vpc, vswitch = network()
        ecs = connect()
        group = ecs.create_security_group(security_group_name="billing", vpc_id=vpc)
        instances = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                      vswitch_id=vswitch, amount=2)
        ids = [i.id for i in instances]
        assert {i.instance_charge_type for i in instances} == {"PostPaid"}
        assert ecs.modify_instance_charge_type(instance_ids=ids, instance_charge_type="PrePaid",
                                               include_data_disks=True, dry_run=False, auto_pay=True, period=1,
                                               period_unit="Month") is True
        changed = ecs.describe_instances(instance_ids=ids)
        assert {i.instance_charge_type for i in changed} == {"PrePaid"}
        assert {i.expired_time[10:] for i in changed} == {"T16:00Z"}
        assert {d.disk_charge_type for d in ecs.describe_disks(instance_id=ids[0])} == {"PrePaid"}
        [asked] = [c.params for c in mock.calls if c.action == "ModifyInstanceChargeType"]
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert json.loads(asked["InstanceIds"]) == ids and failed == []


def test_ali_eni_through_footmark():
    """ali_eni: look the ENI up (footmark sends ``NetworkInterfaceId.1=None`` when the playbook names none:
    nothing matches, on the service too), create it with the module's parameters (footmark waits for
    Available), change its groups, name and description, attach it (waits for InUse), detach, delete;
    ali_eni_info lists the instance's primary ENI as well."""
    with MockECS() as mock:
        _, vpc, vswitch = network()
        ecs = connect()
        web = ecs.create_security_group(security_group_name="web", vpc_id=vpc)
        admin = ecs.create_security_group(security_group_name="admin", vpc_id=vpc)
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=web.id,
                                       vswitch_id=vswitch, amount=1)
        params = {"eni_id": None, "instance_id": None, "private_ip_address": "172.16.0.20", "vswitch_id": vswitch,
                  "description": "a second NIC", "name": "eni-1", "security_groups": [web.id], "state": "present",
                  "attached": False, "tags": {"team": "net"}, "purge_tags": False}
        assert ecs.describe_network_interfaces(network_interface_ids=[params["eni_id"]],
                                               primary_ip_address=params["private_ip_address"],
                                               vswitch_id=vswitch) == []
        eni = ecs.create_network_interface(**params, security_group_id=web.id, primary_ip_address="172.16.0.20",
                                           network_interface_name="eni-1", client_token="Ansible-Alicloud-4")
        read = eni.get().read()
        assert read["id"].startswith("eni-") and (read["name"], read["state"], read["type"]) == \
            ("eni-1", "available", "Secondary")
        assert read["private_ip_addresses"] == [{"private_ip_address": "172.16.0.20", "primary_address": True}]
        assert read["security_groups"] == [web.id] and read["tags"] == {"team": "net"}
        assert (read["vpc_id"], read["vswitch_id"], read["description"]) == (vpc, vswitch, "a second NIC")

        assert eni.modify([web.id, admin.id], "eni-2", "changed") is True
        eni = eni.get()
        assert (eni.name, eni.description, eni.security_group_ids["security_group_id"]) == \
            ("eni-2", "changed", [web.id, admin.id])
        assert eni.attach(instance.id) is True
        eni = eni.get()
        assert (eni.instance_id, eni.state) == (instance.id, "inuse")
        [described] = ecs.describe_instances(instance_ids=[instance.id])
        assert [e["type"] for e in described.network_interfaces["network_interface"]] == ["Primary", "Secondary"]
        listed = {e.id: e for e in ecs.describe_network_interfaces(instance_id=instance.id)}
        assert {e.type for e in listed.values()} == {"Primary", "Secondary"} and eni.id in listed
        assert eni.detach(instance.id) is True
        eni = eni.get()
        assert (eni.instance_id, eni.state) == ("", "available")
        assert eni.delete() is True
        assert ecs.describe_network_interfaces(network_interface_ids=[eni.id]) == []
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert failed == []


def test_ali_eni_info_reads_secondary_addresses():
    """Addresses assigned outside Ansible (AssignPrivateIpAddresses: Terraform, the console) show up in what
    ali_eni_info returns: footmark's ``private_ip_addresses``, the primary one first."""
    with MockECS() as mock:
        acs, vpc, vswitch = network()
        ecs = connect()
        web = ecs.create_security_group(security_group_name="web", vpc_id=vpc)
        eni = ecs.create_network_interface(vswitch_id=vswitch, security_group_id=web.id,
                                           primary_ip_address="172.16.0.20")
        request = AssignPrivateIpAddressesRequest.AssignPrivateIpAddressesRequest()
        request.set_NetworkInterfaceId(eni.id)
        request.set_PrivateIpAddresss(["172.16.0.21", "172.16.0.22"])
        acs.do_action_with_exception(request)
        [listed] = ecs.describe_network_interfaces(vswitch_id=vswitch)
        assert listed.read()["private_ip_addresses"] == [
            {"private_ip_address": "172.16.0.20", "primary_address": True},
            {"private_ip_address": "172.16.0.21", "primary_address": False},
            {"private_ip_address": "172.16.0.22", "primary_address": False}]
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert failed == []


def test_ali_image_info_filters_through_footmark():
    """ali_image_info and footmark's get_all_images/describe_images: ids joined by commas, names, and filters
    footmark turns into DescribeImages parameters (OSType, Architecture, InstanceType, ImageFamily, Status),
    every page followed until a short one."""
    aliyun = "aliyun_3_x64_20G_alibase_20240819.vhd"
    with MockECS() as mock:
        ecs = connect()
        assert {i.id for i in ecs.get_all_images(image_id=f"{UBUNTU},{aliyun}")} == {UBUNTU, aliyun}
        named = ecs.get_all_images(image_name="ubuntu_22_04_x64")
        assert UBUNTU in {i.id for i in named} and all("ubuntu_22_04_x64" in i.name for i in named)
        linux = ecs.get_all_images(filters={"os_type": "linux", "architecture": "x86_64"})
        assert linux and {(i.ostype, i.architecture) for i in linux} == {("linux", "x86_64")}
        arm = ecs.get_all_images(filters={"instance_type": "ecs.g8y.large"})
        assert arm and {i.architecture for i in arm} == {"arm64"}
        family = ecs.get_all_images(filters={"image_family": "acs:ubuntu_22_04_x64"})
        assert UBUNTU in {i.id for i in family} and {i.image_family for i in family} == {"acs:ubuntu_22_04_x64"}
        windows = ecs.get_all_images(filters={"ostype": "windows", "page_size": 5})
        assert len(windows) > 5 and {i.ostype for i in windows} == {"windows"}
        pages = [c.params["PageNumber"] for c in mock.calls if c.params.get("OSType") == "windows"]
        [image] = ecs.get_all_images(image_id=UBUNTU)
        assert (image.status, image.image_owner_alias, image.is_support_io_optimized) == ("Available", "system", True)
        assert image.disk_device_mappings["disk_device_mapping"][0]["type"] == "system"
    assert pages == [str(n) for n in range(1, len(windows) // 5 + 2)]

"""Apache Libcloud's ECS driver (``libcloud.compute.drivers.ecs``), unchanged, against mockecs.

Libcloud is the multi-cloud library the brief names: it speaks the RPC API as GET requests with every
parameter in the query, ``Format=XML`` and signature v1 (HMAC-SHA1), and parses the XML answers with its
own element names. It runs over ``requests``, so ``mock_ecs`` answers it in-process; over HTTP it is
pointed at ``mockecs server`` with ``host``/``port``/``secure=False``.
"""
from __future__ import annotations

import json

import pytest
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526 import AuthorizeSecurityGroupRequest, CreateSecurityGroupRequest

from mockecs.modes.mock import MockECS
from mockecs.modes.server import ServerThread
from tests.networks_helpers import old_sdk_network

ecs = pytest.importorskip("libcloud.compute.drivers.ecs", reason="apache-libcloud is not installed")
from libcloud.common.types import LibcloudError  # noqa: E402
from libcloud.compute.base import NodeAuthPassword  # noqa: E402
from libcloud.compute.types import NodeState, StorageVolumeState, VolumeSnapshotState  # noqa: E402

UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
AK, SECRET, ACCOUNT = "LTAI-libcloud", "libcloud-secret", "2000000000000031"


def driver(region: str = "cn-hangzhou", key: str = "ak", secret: str = "sk", **kwargs) -> ecs.ECSDriver:
    return ecs.ECSDriver(key, secret, region=region, **kwargs)


def error_of(call) -> str:
    """The Code libcloud read from the XML error answer (it raises BaseHTTPError with its parsed dict)."""
    with pytest.raises(Exception) as caught:
        call()
    text = str(caught.value)
    assert "'code': '" in text, text
    return text.split("'code': '", 1)[1].split("'", 1)[0]


def test_an_image_build_from_first_call_to_cleanup():
    """A build tool's whole walk through libcloud: security group, instance from a public image, a data disk,
    a snapshot of the system disk, an image made from it, a copy to another region, and everything removed."""
    with MockECS() as mock:
        d = driver()
        group = d.ex_create_security_group(description="image build")
        assert group.startswith("sg-")
        assert d.get_image(UBUNTU).id == UBUNTU
        size = next(s for s in d.list_sizes() if s.id == "ecs.g7.large")
        assert size.ram == 8.0 and size.extra["cpu_core_count"] == 2

        node = d.create_node("builder", size, d.get_image(UBUNTU), auth=NodeAuthPassword("Passw0rd!x1"),
                             ex_security_group_id=group,
                             ex_internet_charge_type="PayByTraffic", ex_internet_max_bandwidth_out=5)
        public_ip = d.create_public_ip(node.id)  # (wait_until_running waits for a public address by default)
        [(running, ips)] = d.wait_until_running([node], wait_period=0.05, timeout=10)
        assert running.id == node.id and running.state == NodeState.RUNNING and ips == [public_ip]
        assert running.private_ips == node.private_ips
        assert running.extra["image_id"] == UBUNTU and running.extra["instance_type"] == "ecs.g7.large"

        data = d.create_volume(20, "data-disk", ex_zone_id=running.extra["zone_id"])
        assert d.attach_volume(node, data) is True
        disks = d.list_volumes(ex_filters={"InstanceId": node.id})
        assert sorted(v.size for v in disks) == [20, 40]
        assert {v.state for v in disks} == {StorageVolumeState.INUSE}
        system = next(v for v in disks if v.extra["type"] == "system")

        snapshot = d.create_volume_snapshot(system, name="build-snap")
        assert snapshot.id.startswith("s-") and snapshot.state == VolumeSnapshotState.AVAILABLE
        assert [s.id for s in d.list_volume_snapshots(system)] == [snapshot.id]

        assert d.reboot_node(node) is True and d.list_nodes(ex_node_ids=[node.id])[0].state == NodeState.RUNNING
        assert d.stop_node(node) is True
        image = d.create_image(None, "built-by-libcloud", description="from a snapshot", ex_snapshot_id=snapshot.id)
        assert image.id.startswith("m-")
        own = d.get_image(image.id)
        assert own.name == "built-by-libcloud" and own.extra["image_owner_alias"] == "self"
        assert own.extra["description"] == "from a snapshot" and own.extra["progress"] == "100%"
        assert own.extra["size"] == 40 and own.extra["is_copied"] is False and own.extra["os_type"] == "linux"
        # (libcloud looks the copy up in its own region: a driver of the destination region copies)
        copied = driver("cn-beijing").copy_image("cn-hangzhou", own, "built-copy")
        assert copied.id.startswith("m-") and copied.id != own.id
        assert copied.name == "built-copy" and copied.extra["is_copied"] is True

        assert driver("cn-beijing").delete_image(copied) is True
        assert d.delete_image(own) is True
        with pytest.raises(LibcloudError, match="could not find the image"):
            d.get_image(image.id)
        assert d.detach_volume(data) is True
        assert d.destroy_volume(data) is True
        assert d.destroy_node(node) is True
        assert d.ex_delete_security_group_by_id(group) is True
        assert d.list_nodes() == [] and d.ex_list_security_groups() == []

        calls = mock.calls
    assert calls and all(c.status == 200 for c in calls), [(c.action, c.error_code) for c in calls if c.status != 200]
    # The wire form libcloud used: every parameter in a GET query, XML answers, signature v1.
    assert {c.params["Format"] for c in calls} == {"XML"}
    assert {(c.params["SignatureMethod"], c.params["SignatureVersion"]) for c in calls} == {("HMAC-SHA1", "1.0")}
    walked = {c.action for c in calls}
    assert {"CreateSecurityGroup", "CreateInstance", "StartInstance", "AllocatePublicIpAddress", "RebootInstance",
            "CreateDisk", "AttachDisk", "CreateSnapshot", "CreateImage", "CopyImage", "DeleteImage", "DeleteInstance",
            "DeleteSecurityGroup"} <= walked


def test_signatures_are_checked_as_the_service_checks_them():
    """In strict mode libcloud's own HMAC-SHA1 signature is accepted, and a wrong secret or key gets the
    service's codes (and statuses) through libcloud's XML error parsing."""
    with MockECS(strict_signatures=True) as mock:
        mock.engine.accounts.add_key(ACCOUNT, AK, SECRET)
        assert driver(key=AK, secret=SECRET).list_nodes() == []
        assert error_of(lambda: driver(key=AK, secret="wrong").list_nodes()) == "SignatureDoesNotMatch"
        assert error_of(lambda: driver(key="LTAI-unknown", secret="x").list_nodes()) == "InvalidAccessKeyId.NotFound"
        answered = [(c.account, c.status, c.error_code) for c in mock.calls]
    assert answered == [(ACCOUNT, 200, None), (None, 400, "SignatureDoesNotMatch"),
                        (None, 404, "InvalidAccessKeyId.NotFound")]


def test_bad_input_gets_the_documented_codes_in_xml():
    with MockECS() as mock:
        d = driver()
        assert error_of(lambda: d.ex_delete_security_group_by_id("sg-bp1missing000000000")) == \
            "InvalidSecurityGroup.NotFound"
        assert error_of(lambda: d.create_volume(20, "x", ex_zone_id="cn-hangzhou-h")) == "InvalidDiskName.Malformed"
        assert error_of(lambda: d.create_volume(20, "data", ex_zone_id="cn-hangzhou-zz")) == "InvalidZoneId.NotFound"
        answered = [(c.action, c.status, c.error_code) for c in mock.calls]
    assert answered == [("DeleteSecurityGroup", 404, "InvalidSecurityGroup.NotFound"),
                        ("CreateDisk", 400, "InvalidDiskName.Malformed"),
                        ("CreateDisk", 404, "InvalidZoneId.NotFound")]


def test_libcloud_through_the_server():
    with ServerThread() as server:
        host, port = server.netloc.rsplit(":", 1)
        d = driver(host=host, port=int(port), secure=False)
        assert "cn-hangzhou" in {loc.id for loc in d.list_locations()}
        assert UBUNTU in {image.id for image in d.list_images()}
        group = d.ex_create_security_group(description="over HTTP")
        assert [g.id for g in d.ex_list_security_groups()] == [group]
        assert d.ex_delete_security_group_by_id(group) is True
        actions = [(c.action, c.status) for c in server.engine.calls]
    assert ("CreateSecurityGroup", 200) in actions and all(status == 200 for _, status in actions)


def test_security_groups_zones_and_images():
    """The driver's look-ups: a group's rules by NIC type (libcloud asks for ``internet`` by default, which a
    VPC group answers with its intranet rules, as the metadata documents), zones, images by id and filter."""
    with MockECS() as mock:
        d = driver()
        classic = d.ex_create_security_group(description="classic group", client_token="lc-1")
        acs = AcsClient("ak", "sk", "cn-hangzhou")
        for nic, port in (("internet", "80/80"), ("intranet", "22/22")):
            request = AuthorizeSecurityGroupRequest.AuthorizeSecurityGroupRequest()
            request.set_SecurityGroupId(classic)
            request.set_IpProtocol("tcp")
            request.set_PortRange(port)
            request.set_SourceCidrIp("0.0.0.0/0")
            request.set_NicType(nic)
            acs.do_action_with_exception(request)
        [public] = d.ex_list_security_group_attributes(classic)
        assert (public.ip_protocol, public.port_range, public.policy, public.nic_type) == \
            ("TCP", "80/80", "Accept", "internet")
        [private] = d.ex_list_security_group_attributes(classic, nic_type="intranet")
        assert (private.port_range, private.nic_type) == ("22/22", "intranet")
        request = CreateSecurityGroupRequest.CreateSecurityGroupRequest()
        request.set_VpcId(old_sdk_network(acs)[0])
        in_vpc = json.loads(acs.do_action_with_exception(request))["SecurityGroupId"]
        request = AuthorizeSecurityGroupRequest.AuthorizeSecurityGroupRequest()
        request.set_SecurityGroupId(in_vpc)
        request.set_IpProtocol("tcp")
        request.set_PortRange("443/443")
        request.set_SourceCidrIp("10.0.0.0/8")
        acs.do_action_with_exception(request)
        assert [(a.port_range, a.nic_type) for a in d.ex_list_security_group_attributes(in_vpc)] == \
            [("443/443", "intranet")]
        groups = {g.id: g for g in d.ex_list_security_groups()}
        assert groups[in_vpc].vpc_id.startswith("vpc-") and groups[classic].vpc_id in ("", None)
        assert d.ex_modify_security_group_by_id(classic, name="renamed", description="renamed group") is True
        assert {g.id: g.name for g in d.ex_list_security_groups()}[classic] == "renamed"

        zones = {z.id: z for z in d.ex_list_zones()}
        assert zones["cn-hangzhou-h"].name and "Instance" in zones["cn-hangzhou-h"].available_resource_types
        assert "ecs.g7.large" in zones["cn-hangzhou-h"].available_instance_types
        assert "cloud_essd" in zones["cn-hangzhou-h"].available_disk_categories
        assert {z.id for z in d.ex_list_zones(region_id="cn-beijing")} and \
            all(z.startswith("cn-beijing-") for z in (z.id for z in d.ex_list_zones(region_id="cn-beijing")))

        assert [i.id for i in d.list_images(ex_image_ids=[UBUNTU])] == [UBUNTU]
        linux = d.list_images(ex_filters={"OSType": "linux", "ImageOwnerAlias": "system", "Architecture": "arm64"})
        assert linux and {(i.extra["os_type"], i.extra["architecture"]) for i in linux} == {("linux", "arm64")}
        assert d.list_images(ex_filters={"ImageOwnerAlias": "self"}) == []
        calls = mock.calls
    assert all(c.status == 200 for c in calls), [(c.action, c.error_code) for c in calls if c.status != 200]


def test_a_node_in_a_vpc_with_disks_groups_and_volumes():
    """create_node in a vSwitch with a system disk and a data disk, group membership, ex_stop/ex_start,
    list_volumes by ids and filters, create_volume with its options."""
    with MockECS() as mock:
        d = driver()
        acs = AcsClient("ak", "sk", "cn-hangzhou")
        vpc, vswitch = old_sdk_network(acs)
        groups = []
        for _ in range(2):
            request = CreateSecurityGroupRequest.CreateSecurityGroupRequest()
            request.set_VpcId(vpc)
            groups.append(json.loads(acs.do_action_with_exception(request))["SecurityGroupId"])
        size = next(s for s in d.list_sizes() if s.id == "ecs.g7.large")
        node = d.create_node("web", size, d.get_image(UBUNTU), ex_security_group_id=groups[0],
                             ex_vswitch_id=vswitch, ex_zone_id="cn-hangzhou-h", ex_io_optimized=True,
                             ex_system_disk={"category": "cloud_essd", "size": 40},
                             ex_data_disks=[{"size": 20, "category": "cloud_essd", "disk_name": "data-1",
                                             "delete_with_instance": True}],
                             ex_internet_charge_type="PayByTraffic", ex_internet_max_bandwidth_out=1,
                             ex_description="a web node", ex_hostname="web-1")
        # (CreateInstance leaves the instance stopped: libcloud reads it so, then starts it and waits)
        assert node.state == NodeState.STOPPED and node.private_ips[0].startswith("172.16.0.")
        assert node.extra["vpc_attributes"]["vswitch_id"] == vswitch and node.extra["hostname"] == "web-1"
        assert node.extra["description"] == "a web node" and node.extra["instance_network_type"] == "vpc"
        [node] = d.list_nodes(ex_filters={"VpcId": vpc, "ZoneId": "cn-hangzhou-h"})
        assert node.state == NodeState.RUNNING
        assert d.ex_stop_node(node, ex_force_stop=True) is True
        assert d.list_nodes(ex_node_ids=[node.id])[0].state == NodeState.STOPPED
        assert d.ex_start_node(node) is True

        assert d.ex_join_security_group(node, groups[1]) is True
        assert error_of(lambda: d.ex_join_security_group(node, groups[1])) == "InvalidInstanceId.AlreadyExists"
        assert d.ex_leave_security_group(node, groups[0]) is True
        assert error_of(lambda: d.ex_leave_security_group(node, groups[0])) == "InstanceNotInSecurityGroup"

        volumes = d.list_volumes(ex_filters={"InstanceId": node.id})
        assert sorted((v.size, v.extra["type"], v.extra["category"]) for v in volumes) == \
            [(20, "data", "cloud_essd"), (40, "system", "cloud_essd")]
        assert {v.state for v in volumes} == {StorageVolumeState.INUSE}
        [data] = [v for v in volumes if v.extra["type"] == "data"]
        assert data.name == "data-1" and data.extra["delete_with_instance"] is True

        spare = d.create_volume(50, "spare", ex_zone_id="cn-hangzhou-h", ex_description="a spare disk",
                                ex_disk_category="cloud_essd", ex_client_token="lc-volume-1")
        assert (spare.size, spare.name, spare.state) == (50, "spare", StorageVolumeState.AVAILABLE)
        assert (spare.extra["description"], spare.extra["category"]) == ("a spare disk", "cloud_essd")
        # (both, in DescribeDisks' order: by CreationTime first, which may differ by a second between the two)
        assert sorted(v.id for v in d.list_volumes(ex_volume_ids=[spare.id, data.id])) == sorted([spare.id, data.id])
        assert [v.id for v in d.list_volumes(ex_filters={"Status": "Available", "DiskType": "data"})] == [spare.id]

        assert d.destroy_node(node) is True and d.destroy_volume(spare) is True
        assert d.list_volumes() == []  # (the data disk went with the instance, as asked)
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert failed == [("JoinSecurityGroup", "InvalidInstanceId.AlreadyExists"),
                      ("LeaveSecurityGroup", "InstanceNotInSecurityGroup")]


def test_snapshots_by_id_and_filter_and_a_fixed_address():
    """create_node with ex_private_ip_address, reboot_node with ex_force_stop, snapshots listed by id and by
    filter, a volume made from a snapshot, and the service's refusal to delete a snapshot a disk came from."""
    with MockECS() as mock:
        d = driver()
        acs = AcsClient("ak", "sk", "cn-hangzhou")
        vpc, vswitch = old_sdk_network(acs)
        request = CreateSecurityGroupRequest.CreateSecurityGroupRequest()
        request.set_VpcId(vpc)
        group = json.loads(acs.do_action_with_exception(request))["SecurityGroupId"]
        assert [g.id for g in d.ex_list_security_groups(ex_filters={"VpcId": vpc})] == [group]
        size = next(s for s in d.list_sizes() if s.id == "ecs.g7.large")
        node = d.create_node("node-1", size, d.get_image(UBUNTU), ex_security_group_id=group,
                             ex_vswitch_id=vswitch, ex_private_ip_address="172.16.0.77")
        assert d.list_nodes(ex_node_ids=[node.id])[0].private_ips == ["172.16.0.77"]
        assert d.reboot_node(node, ex_force_stop=True) is True
        [system] = d.list_volumes(ex_filters={"InstanceId": node.id})
        snapshot = d.create_volume_snapshot(system, name="snap-1", ex_description="a snapshot",
                                            ex_client_token="lc-snap-1")
        assert [s.id for s in d.list_volume_snapshots(system, ex_snapshot_ids=[snapshot.id])] == [snapshot.id]
        [found] = d.list_volume_snapshots(system, ex_filters={"SnapshotName": "snap-1"})
        assert (found.id, found.extra["description"], found.extra["progress"]) == \
            (snapshot.id, "a snapshot", "100%")
        assert d.list_volume_snapshots(system, ex_filters={"SnapshotName": "other"}) == []
        copy = d.create_volume(40, "from-snap", snapshot=snapshot, ex_zone_id="cn-hangzhou-h")
        assert copy.extra["source_snapshot_id"] == snapshot.id
        assert error_of(lambda: d.destroy_volume_snapshot(snapshot)) == "SnapshotCreatedDisk"
        assert d.destroy_volume(copy) is True and d.destroy_volume_snapshot(snapshot) is True
        assert d.destroy_node(node) is True
        failed = [(c.action, c.error_code) for c in mock.calls if c.status != 200]
    assert failed == [("DeleteSnapshot", "SnapshotCreatedDisk")]

"""Packer 1.6.6 (Debian's ``packer``), its ``alicloud-ecs`` builder unchanged, against ``mockecs server``: each
test runs ``packer build`` on a template of ``tests/packer/`` from its first call to its cleanup, then reads
through the Python SDK what the build left.

Packer is pointed at the server the way a user would without touching it (Packer 1.6.6 has no endpoint setting):
its alibaba-cloud-sdk-go sends ECS calls over plain HTTP to the endpoint of its own table
(``ecs-cn-hangzhou.aliyuncs.com`` for the regions used here), through ``HTTP_PROXY``; before each call it asks the
location service (``https://location-readonly.aliyuncs.com``, through ``HTTPS_PROXY`` with the mockecs CA in
``SSL_CERT_FILE``), which mockecs answers as a product it does not fake, so the SDK keeps its table's endpoint.
Every request is signed with a registered key (strict signatures); ``communicator: none`` (no SSH into a fake
instance); transitions are instant, so each of Packer's waits succeeds on its first poll and a build takes about
a second. Skips without the ``packer`` binary (``scripts/test.sh`` installs Debian's).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.core import Config, Engine
from mockecs.modes.server import ServerThread
from mockecs.modes.server.tls import authority, combined_bundle
from tests.sdk import new_client
from tests.spec import documented_error

PACKER = shutil.which("packer")
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "packer")
ACCOUNT, KEY, SECRET = "5555000066660001", "packer-key", "packer-secret"
SHARE = "5555000066669999"  # the account the images are shared with
REGION, COPIES = "cn-hangzhou", ("cn-beijing", "cn-shanghai")
SOURCE = "aliyun_3_x64_20G_alibase_20240819.vhd"

pytestmark = pytest.mark.skipif(PACKER is None, reason="packer is not installed (Debian: packer)")


@dataclass
class Build:
    """One ``packer build`` run: its exit code, machine-readable output, the calls the server saw, what the
    account held before it (``before``) and an SDK client to read what it left."""
    rc: int
    out: str
    took: float
    calls: list = field(repr=False)
    sdk: Any = field(repr=False)
    before: dict = field(repr=False)

    @property
    def actions(self) -> list[str]:
        return [c.action for c in self.calls]

    def params(self, action: str) -> list[dict]:
        return [c.params for c in self.calls if c.action == action]

    @property
    def artifact(self) -> dict[str, str]:
        """The artifact's id as Packer prints it (``region:image,...``), as ``{region: image}``."""
        for line in self.out.splitlines():
            parts = line.split(",", 5)
            if parts[1:5] == ["alicloud-ecs", "artifact", "0", "id"]:
                return dict(p.split(":") for p in parts[5].replace("%!(PACKER_COMMA)", ",").split(","))
        return {}

    @property
    def errors(self) -> list[str]:
        return [line.split(",", 3)[3] for line in self.out.splitlines() if line.split(",")[1:3] == ["alicloud-ecs",
                                                                                                      "error"]]


def packer_build(template: str, server: ServerThread, tmp_path, **variables: str) -> Build:
    """``packer build`` of ``tests/packer/<template>.json`` through ``server`` as a user runs it: keys from
    ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, the server as HTTP_PROXY and HTTPS_PROXY, the mockecs CA trusted."""
    sdk = new_client(KEY, SECRET, endpoint=server.netloc, protocol="http")
    before = inventory(sdk)
    server.engine.calls.clear()
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "http_proxy", "https_proxy")}
    env.update(HTTP_PROXY=server.url, HTTPS_PROXY=server.url, SSL_CERT_FILE=combined_bundle(authority().cert_path),
               ALICLOUD_ACCESS_KEY=KEY, ALICLOUD_SECRET_KEY=SECRET, CHECKPOINT_DISABLE="1", PACKER_NO_COLOR="1")
    args = [PACKER, "build", "-machine-readable"]
    for name, value in variables.items():
        args += ["-var", f"{name}={value}"]
    started = time.monotonic()
    proc = subprocess.run([*args, os.path.join(TEMPLATES, template + ".json")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    return Build(proc.returncode, proc.stdout + proc.stderr, took, list(server.engine.calls), sdk, before)


def strict_server(**options: Any) -> ServerThread:
    engine = Engine(Config(strict_signatures=True, options=options))
    engine.accounts.add_key(ACCOUNT, KEY, SECRET)
    return ServerThread(engine=engine)


def inventory(sdk: Any) -> dict[str, set]:
    """The ids of what the account holds in the three regions, by kind, read through the Python SDK."""
    reads = {"instance": (sdk.describe_instances, models.DescribeInstancesRequest, "instances.instance",
                          "instance_id"),
             "vpc": (sdk.describe_vpcs, models.DescribeVpcsRequest, "vpcs.vpc", "vpc_id"),
             "vswitch": (sdk.describe_vswitches, models.DescribeVSwitchesRequest, "v_switches.v_switch",
                         "v_switch_id"),
             "security_group": (sdk.describe_security_groups, models.DescribeSecurityGroupsRequest,
                                "security_groups.security_group", "security_group_id"),
             "key_pair": (sdk.describe_key_pairs, models.DescribeKeyPairsRequest, "key_pairs.key_pair",
                          "key_pair_name"),
             "eip": (sdk.describe_eip_addresses, models.DescribeEipAddressesRequest, "eip_addresses.eip_address",
                     "allocation_id"),
             "disk": (sdk.describe_disks, models.DescribeDisksRequest, "disks.disk", "disk_id"),
             "image": (sdk.describe_images, lambda **kw: models.DescribeImagesRequest(image_owner_alias="self", **kw),
                       "images.image", "image_id"),
             "snapshot": (sdk.describe_snapshots, models.DescribeSnapshotsRequest, "snapshots.snapshot",
                          "snapshot_id")}
    held: dict[str, set] = {}
    for kind, (describe, request, path, id_field) in reads.items():
        ids = set()
        for region in (REGION, *COPIES):
            body = describe(request(region_id=region, page_size=50)).body
            items = body
            for name in path.split("."):
                items = getattr(items, name)
            assert len(items) == body.total_count  # (one page holds them all)
            ids |= {getattr(item, id_field) for item in items}
        held[kind] = ids
    return held


def image(sdk: Any, region: str, image_id: str) -> Optional[Any]:
    images = sdk.describe_images(models.DescribeImagesRequest(
        region_id=region, image_id=image_id, status="Creating,Available,CreateFailed,Waiting")).body.images.image
    return images[0] if images else None


def shares(sdk: Any, region: str, image_id: str) -> list[str]:
    body = sdk.describe_image_share_permission(models.DescribeImageSharePermissionRequest(
        region_id=region, image_id=image_id)).body
    return [a.aliyun_id for a in body.accounts.account]


def tags(sdk: Any, resource_type: str, resource_id: str) -> dict[str, str]:
    body = sdk.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type=resource_type, resource_id=[resource_id])).body
    return {t.tag_key: t.tag_value for t in body.tag_resources.tag_resource}


def left(build: Build, *kinds: str) -> dict[str, set]:
    """What the build added of each kind and is still there."""
    after = inventory(build.sdk)
    return {kind: after[kind] - build.before[kind] for kind in kinds}


TEMPORARY = ("instance", "vpc", "vswitch", "security_group", "key_pair", "eip", "disk")

# Packer 1.6.6's steps, call by call, as builder/alicloud/ecs/*.go sends them (each wait polls once here)
PREVALIDATE = ["DescribeRegions"]  # + one per image_copy_regions entry
CHECK_NAME = ["DescribeImages"]  # (skipped with image_force_delete)
SOURCE_IMAGE = ["DescribeImages", "DescribeImages"]  # the image, then as a Marketplace image
NETWORK = ["CreateKeyPair", "CreateVpc", "DescribeVpcs", "DescribeZones", "CreateVSwitch", "DescribeVSwitches",
           "CreateSecurityGroup", "AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroup"]
INSTANCE = ["CreateInstance", "DescribeInstances", "DescribeInstances"]  # wait for Stopped, then read it
EIP = ["AllocateEipAddress", "DescribeEipAddresses", "AssociateEipAddress", "DescribeEipAddresses"]
RUN_AND_STOP = ["AttachKeyPair", "StartInstance", "DescribeInstances", "StopInstance", "DescribeInstances"]
IMAGE = ["CreateImage", "DescribeImages"]
CLEANUP = ["DetachKeyPair", "UnassociateEipAddress", "DescribeEipAddresses", "ReleaseEipAddress", "DeleteInstance",
           "DeleteSecurityGroup", "DeleteVSwitch", "DeleteVpc", "DeleteKeyPairs"]


def test_vpc_build_with_disks_tags_copies_shares_over_an_older_image(tmp_path):
    """What a release pipeline writes: a temporary VPC, vSwitch and security group, a system disk and two data
    disks, tags, copies to two regions under their own names, a share, ``image_force_delete`` (+ snapshots) over
    the previous build's images of the same names, region validation on."""
    with strict_server() as server:
        sdk = new_client(KEY, SECRET, endpoint=server.netloc, protocol="http")
        old = previous_build(sdk)
        server.engine.lifecycle.delay("copy", seconds=600)  # (Packer shares its copies without waiting for them)
        build = packer_build("vpc", server, tmp_path, share_account=SHARE)
        assert build.rc == 0, build.out[-3000:]
        images = build.artifact
        assert set(images) == {REGION, *COPIES}
        assert all(f"{region}: {image_id}" in build.out for region, image_id in images.items())  # (its summary)

        made = image(sdk, REGION, images[REGION])
        assert (made.image_name, made.status, made.image_version, made.description, made.image_owner_alias) == (
            "packer-web", "Available", "1.2.0", "web server, built by packer", "self")
        disks = made.disk_device_mappings.disk_device_mapping
        assert [(d.type, d.size) for d in disks] == [("system", "40"), ("data", "20"), ("data", "30")]
        assert tags(sdk, "image", made.image_id) == {"team": "web", "built-by": "packer"}
        assert all(tags(sdk, "snapshot", d.snapshot_id) == {"team": "web", "built-by": "packer"} for d in disks)
        assert {image(sdk, region, images[region]).status for region in COPIES} == {"Creating"}
        server.engine.clock.advance(600)
        for region, name in zip(COPIES, ("packer-web-beijing", "packer-web-shanghai")):
            copy = image(sdk, region, images[region])
            assert (copy.image_name, copy.status, copy.is_copied) == (name, "Available", True)
            assert len(copy.disk_device_mappings.disk_device_mapping) == 3
        assert all(shares(sdk, region, image_id) == [SHARE] for region, image_id in images.items())

        # the previous build's images and their snapshots are gone; nothing temporary is left
        assert all(image(sdk, region, image_id) is None for region, image_id in old["images"].items())
        assert left(build, *TEMPORARY, "image", "snapshot") == {
            **{kind: set() for kind in TEMPORARY}, "image": set(images.values()),
            "snapshot": {d.snapshot_id for d in disks} | copied_snapshots(sdk, images)}
        assert build.before["snapshot"] - inventory(sdk)["snapshot"] == old["snapshots"]

    force_delete = ["DescribeImages", "DeleteImage", "DeleteSnapshot",  # cn-hangzhou's old image, one snapshot
                    "DescribeImages", "DeleteImage", "DeleteSnapshot",  # cn-beijing's (named as its copy)
                    "DescribeImages"]  # cn-shanghai: none
    assert build.actions == [*PREVALIDATE * 3, *SOURCE_IMAGE, *NETWORK, *INSTANCE, *EIP, *RUN_AND_STOP,
                             *force_delete, *IMAGE, *["AddTags"] * 4, "CopyImage", "CopyImage",
                             *["ModifyImageSharePermission"] * 3, *CLEANUP]
    assert {c.status for c in build.calls} == {200} and {c.account for c in build.calls} == {ACCOUNT}
    [create] = build.params("CreateInstance")
    assert {k: v for k, v in create.items() if k.startswith(("DataDisk", "SystemDisk", "Internet", "Io"))} == {
        "SystemDisk.Category": "cloud_essd", "SystemDisk.Size": "40", "SystemDisk.DiskName": "packer-system",
        "DataDisk.1.DiskName": "data1", "DataDisk.1.Category": "cloud_essd", "DataDisk.1.Size": "20",
        "DataDisk.1.DeleteWithInstance": "true", "DataDisk.2.DiskName": "data2", "DataDisk.2.Category": "cloud_essd",
        "DataDisk.2.Size": "30", "DataDisk.2.Device": "/dev/xvdz", "DataDisk.2.Description": "logs",
        "DataDisk.2.DeleteWithInstance": "true", "InternetChargeType": "PayByTraffic",
        "InternetMaxBandwidthOut": "10", "IoOptimized": "optimized"}
    # the vSwitch in the first zone DescribeZones offers the type in with VSwitch creation; the instance is sent no
    # zone (the vSwitch step keeps the zone it chose to itself): the service places it in its vSwitch's zone
    assert build.params("CreateVSwitch")[0]["ZoneId"] == "cn-hangzhou-k" and "ZoneId" not in create
    assert [p["DestinationImageName"] for p in build.params("CopyImage")] == ["packer-web-beijing",
                                                                              "packer-web-shanghai"]
    assert build.took < 30


def previous_build(sdk: Any) -> dict:
    """An image named as the build's, and its copy in cn-beijing named as the build's copy there."""
    instance = sdk.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=SOURCE, instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set[0]
    source = sdk.create_image(models.CreateImageRequest(region_id=REGION, instance_id=instance,
                                                        image_name="packer-web")).body.image_id
    sdk.delete_instance(models.DeleteInstanceRequest(instance_id=instance, force=True))
    copy = sdk.copy_image(models.CopyImageRequest(region_id=REGION, image_id=source, destination_region_id="cn-beijing",
                                                  destination_image_name="packer-web-beijing")).body.image_id
    images = {REGION: source, "cn-beijing": copy}
    snapshots = {d.snapshot_id for region, image_id in images.items()
                 for d in image(sdk, region, image_id).disk_device_mappings.disk_device_mapping}
    return {"images": images, "snapshots": snapshots}


def copied_snapshots(sdk: Any, images: dict[str, str]) -> set[str]:
    return {d.snapshot_id for region in COPIES
            for d in image(sdk, region, images[region]).disk_device_mappings.disk_device_mapping}


def test_build_into_an_existing_vswitch_and_security_group(tmp_path):
    """``vpc_id``, ``vswitch_id`` and ``security_group_id`` of the team's network, with user data: Packer looks
    them up, launches into them and leaves them as they were. ``associate_public_ip_address: false`` changes
    nothing in 1.6.6 (the field is read by no step): the EIP step still allocates, binds and releases one."""
    with strict_server() as server:
        sdk = new_client(KEY, SECRET, endpoint=server.netloc, protocol="http")
        vpc = sdk.create_vpc(models.CreateVpcRequest(region_id=REGION, cidr_block="192.168.0.0/16")).body.vpc_id
        vswitch = sdk.create_vswitch(models.CreateVSwitchRequest(
            region_id=REGION, vpc_id=vpc, zone_id="cn-hangzhou-h", cidr_block="192.168.1.0/24")).body.v_switch_id
        group = sdk.create_security_group(models.CreateSecurityGroupRequest(
            region_id=REGION, vpc_id=vpc, security_group_name="team-builds")).body.security_group_id
        build = packer_build("existing", server, tmp_path, vpc_id=vpc, vswitch_id=vswitch, security_group_id=group)
        assert build.rc == 0, build.out[-3000:]
        assert image(sdk, REGION, build.artifact[REGION]).image_name == "packer-app"
        assert left(build, *TEMPORARY) == {kind: set() for kind in TEMPORARY}
        assert {vpc, vswitch, group} <= set().union(*inventory(sdk).values())  # (the team's network stays)
        rules = sdk.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
            region_id=REGION, security_group_id=group)).body.permissions.permission
        assert rules == []  # (Packer authorizes nothing on a group it did not make)

    network = ["CreateKeyPair", "DescribeVpcs", "DescribeVSwitches", "DescribeSecurityGroups"]
    cleanup = ["DetachKeyPair", "UnassociateEipAddress", "DescribeEipAddresses", "ReleaseEipAddress", "DeleteInstance",
               "DeleteKeyPairs"]
    assert build.actions == [*PREVALIDATE, *CHECK_NAME, *SOURCE_IMAGE, *network, *INSTANCE, *EIP, *RUN_AND_STOP,
                             *IMAGE, "ModifyImageSharePermission", *cleanup]
    assert [p["VSwitchId"] for p in build.params("DescribeVSwitches")] == [vswitch]
    [create] = build.params("CreateInstance")
    assert (create["VSwitchId"], create["SecurityGroupId"]) == (vswitch, group)
    assert create["UserData"] == "IyEvYmluL3NoCmVjaG8gYnVpbHQgYnkgcGFja2VyID4gL2V0Yy9tb3RkCg=="  # (base64)
    assert build.params("AllocateEipAddress")[0]["InternetChargeType"] == "PayByBandwidth"


def test_private_build_makes_an_encrypted_image(tmp_path):
    """``ssh_private_ip`` (no public address at all, whatever ``associate_public_ip_address`` says), a given
    ``zone_id`` (no DescribeZones), ``image_encrypted``: a temporary image, copied encrypted within its region
    under the image's name, then deleted with its snapshot."""
    with strict_server() as server:
        build = packer_build("private", server, tmp_path)
        assert build.rc == 0, build.out[-3000:]
        [(region, image_id)] = build.artifact.items()
        made = image(build.sdk, region, image_id)
        assert (region, made.image_name, made.status) == (REGION, "packer-private", "Available")
        assert [d.encrypted for d in made.disk_device_mappings.disk_device_mapping] == [True]
        assert left(build, *TEMPORARY, "image") == {**{kind: set() for kind in TEMPORARY}, "image": {image_id}}

    network = [a for a in NETWORK if a != "DescribeZones"]
    [temporary] = build.params("CreateImage")
    assert temporary["ImageName"].startswith("packer_") and build.params("CopyImage") == [{
        **build.params("CopyImage")[0], "ImageId": build.calls[build.actions.index("CopyImage") - 1].params["ImageId"],
        "DestinationRegionId": REGION, "DestinationImageName": "packer-private", "Encrypted": "true"}]
    assert build.actions == [*PREVALIDATE, *CHECK_NAME, *SOURCE_IMAGE, *network, *INSTANCE, *RUN_AND_STOP, *IMAGE,
                             "CopyImage", "DescribeImages", "ModifyImageSharePermission",
                             "DeleteImage", "DeleteSnapshot",  # the temporary image, at the image step's cleanup
                             *[a for a in CLEANUP if "Eip" not in a]]
    assert build.params("CreateVSwitch")[0]["ZoneId"] == "cn-hangzhou-i"


def test_classic_build_with_a_password(tmp_path):
    """``ssh_password`` and no VPC, vSwitch, user data or key pair: a classic-network instance (Packer's
    choice), its internet bandwidth defaulted (5 Mbit/s by traffic), a public IP by AllocatePublicIpAddress."""
    with strict_server() as server:
        build = packer_build("classic", server, tmp_path)
        assert build.rc == 0, build.out[-3000:]
        assert image(build.sdk, REGION, build.artifact[REGION]).image_name == "packer-classic"
        assert left(build, *TEMPORARY) == {kind: set() for kind in TEMPORARY}
    assert build.actions == [*PREVALIDATE, *CHECK_NAME, *SOURCE_IMAGE, *NETWORK[-3:], *INSTANCE,
                             "AllocatePublicIpAddress", *RUN_AND_STOP[1:], *IMAGE, "ModifyImageSharePermission",
                             "DeleteInstance", "DeleteSecurityGroup"]
    [create] = build.params("CreateInstance")
    assert {k: create.get(k) for k in ("VSwitchId", "Password", "InternetChargeType", "InternetMaxBandwidthOut")} == {
        "VSwitchId": None, "Password": "Packer-1234", "InternetChargeType": "PayByTraffic",
        "InternetMaxBandwidthOut": "5"}


def test_image_of_the_system_disk_alone(tmp_path):
    """``image_ignore_data_disks``: a snapshot of the system disk, waited for, and the image made from it. The
    data disk left at Packer's ``disk_delete_with_instance`` default (false) outlives the build, detached, as on
    the cloud; the one deleted with the instance is gone."""
    with strict_server() as server:
        build = packer_build("ignore_data_disks", server, tmp_path)
        assert build.rc == 0, build.out[-3000:]
        made = image(build.sdk, REGION, build.artifact[REGION])
        [system] = made.disk_device_mappings.disk_device_mapping
        [snapshot] = build.params("DescribeSnapshots")
        assert (system.type, system.snapshot_id) == ("system", json.loads(snapshot["SnapshotIds"])[0])
        stayed = left(build, *TEMPORARY)
        [disk] = build.sdk.describe_disks(models.DescribeDisksRequest(
            region_id=REGION, disk_ids=json.dumps(sorted(stayed.pop("disk"))))).body.disks.disk
        assert (disk.disk_name, disk.size, disk.status, disk.instance_id) == ("kept", 20, "Available", "")
        assert stayed == {kind: set() for kind in TEMPORARY if kind != "disk"}
    snapshot = ["DescribeDisks", "CreateSnapshot", "DescribeSnapshots"]
    assert build.actions == [*PREVALIDATE, *CHECK_NAME, *SOURCE_IMAGE, *NETWORK, *INSTANCE, *EIP, *RUN_AND_STOP,
                             *snapshot, *IMAGE, "ModifyImageSharePermission", *CLEANUP]
    assert build.params("DescribeDisks") == [{**build.params("DescribeDisks")[0], "DiskType": "system"}]
    [create] = build.params("CreateImage")
    assert "InstanceId" not in create and create["SnapshotId"] == system.snapshot_id


def control(server: ServerThread, path: str, body: dict) -> Any:
    """A POST to the control API, as a user's CI would make it (the token: strict signatures are on)."""
    request = urllib.request.Request(f"{server.url}/_mockecs/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"X-Mockecs-Token": server.control_token,
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


QUOTA = ("QuotaExceed.Image", 403, "The Image Quota exceeds.")  # (CreateImage's documented code)


def test_failed_create_image_cleans_up(tmp_path):
    """A fault injected through the control API makes CreateImage answer its documented QuotaExceed.Image: Packer
    halts, exits 1 naming the code, and its cleanups run in reverse step order (the instance stopped if running,
    key pair detached, EIP released, instance, group, vSwitch, VPC and key pair deleted); no image is made."""
    code, status, message = QUOTA
    assert documented_error("CreateImage", code) in (None, (status, message))
    with strict_server() as server:
        control(server, "faults", {"action": "CreateImage", "code": code, "status": status, "message": message,
                                   "times": None})
        build = packer_build("shared", server, tmp_path, share_account=SHARE)
        assert build.rc == 1 and build.artifact == {}
        assert len(build.errors) == 1 and f"ErrorCode: {code}" in build.errors[0]
        assert build.errors[0].startswith("Error creating image: SDK.ServerError")
        assert left(build, *TEMPORARY, "image", "snapshot") == {kind: set() for kind in (*TEMPORARY, "image",
                                                                                          "snapshot")}
    assert [(c.action, c.status) for c in build.calls if c.status != 200] == [("CreateImage", status)]
    assert build.actions == [*PREVALIDATE * 3, *CHECK_NAME, *SOURCE_IMAGE, *NETWORK, *INSTANCE, *EIP, *RUN_AND_STOP,
                             "CreateImage", "DescribeInstances", *CLEANUP]


def test_failed_share_cancels_copies_and_deletes_the_image(tmp_path):
    """The share is refused (an account the service does not know: ``share_any_account=false``) while the copies
    still run: Packer's cleanups take the shares back (refused the same way, reported, not fatal), cancel both
    copies, delete the image and its snapshots, then the instance and its network. Nothing is left anywhere."""
    with strict_server(share_any_account=False) as server:
        server.engine.lifecycle.delay("copy", observations=5)
        build = packer_build("shared", server, tmp_path, share_account=SHARE)
        assert build.rc == 1 and build.artifact == {}
        assert len(build.errors) == 1 and "ErrorCode: InvalidAccount.NotFound" in build.errors[0]
        assert build.errors[0].startswith("Failed modifying image share permissions")
        assert left(build, *TEMPORARY, "image", "snapshot") == {kind: set() for kind in (*TEMPORARY, "image",
                                                                                          "snapshot")}
    shared = build.actions.index("ModifyImageSharePermission")
    assert build.actions[:shared] == [*PREVALIDATE * 3, *CHECK_NAME, *SOURCE_IMAGE, *NETWORK, *INSTANCE, *EIP,
                                      *RUN_AND_STOP, *IMAGE, "AddTags", "AddTags", "AddTags", "CopyImage", "CopyImage"]
    # (Packer walks its images as a Go map: the regions come in any order)
    refused, *taken_back = build.calls[shared:shared + 4]
    assert (refused.status, refused.params["AddAccount.1"]) == (404, SHARE)  # the halt, then the cleanups:
    assert sorted((c.action, c.status, c.region, c.params["RemoveAccount.1"]) for c in taken_back) == [
        ("ModifyImageSharePermission", 404, region, SHARE) for region in sorted((REGION, *COPIES))]
    cancels = build.calls[shared + 4:shared + 6]
    assert sorted((c.action, c.status, c.region) for c in cancels) == [("CancelCopyImage", 200, r) for r in COPIES]
    assert build.actions[shared + 6:] == ["DeleteImage", "DeleteSnapshot", "DeleteSnapshot", "DescribeInstances",
                                          *CLEANUP]


def test_vswitch_without_its_vpc_halts(tmp_path):
    """``vswitch_id`` alone (the docs ask for no ``vpc_id``): Packer 1.6.6 makes a VPC of its own, then looks for
    the vSwitch in it (DescribeVSwitches with both ids), finds none and halts; it deletes the VPC it made and
    leaves the user's network alone. Its own bug (docs/clients.md): the service answers the same."""
    with strict_server() as server:
        sdk = new_client(KEY, SECRET, endpoint=server.netloc, protocol="http")
        vpc = sdk.create_vpc(models.CreateVpcRequest(region_id=REGION, cidr_block="192.168.0.0/16")).body.vpc_id
        vswitch = sdk.create_vswitch(models.CreateVSwitchRequest(
            region_id=REGION, vpc_id=vpc, zone_id="cn-hangzhou-h", cidr_block="192.168.1.0/24")).body.v_switch_id
        build = packer_build("existing", server, tmp_path, vswitch_id=vswitch)
        assert build.rc == 1 and build.errors == [f"The specified vswitch {{{vswitch}}} doesn't exist."]
        assert left(build, *TEMPORARY) == {kind: set() for kind in TEMPORARY}
        assert {vpc, vswitch} <= set().union(*inventory(sdk).values())
    made = build.params("CreateVpc")[0]
    assert build.actions == [*PREVALIDATE, *CHECK_NAME, *SOURCE_IMAGE, "CreateKeyPair", "CreateVpc", "DescribeVpcs",
                             "DescribeVSwitches", "DeleteVpc", "DeleteKeyPairs"]
    assert build.params("DescribeVSwitches")[0]["VpcId"] == build.params("DeleteVpc")[0]["VpcId"] != vpc
    assert "VpcId" not in made


def test_force_delete_of_a_shared_image_halts(tmp_path):
    """The same release build run again: the previous build's image was shared (``image_share_account``), and
    ``image_force_delete`` deletes it without taking the shares back first, so DeleteImage answers its documented
    ImageUseShared and Packer halts after stopping the instance; the cleanups leave nothing temporary, the older
    image and its copy stay."""
    with strict_server() as server:
        sdk = new_client(KEY, SECRET, endpoint=server.netloc, protocol="http")
        old = previous_build(sdk)
        sdk.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
            region_id=REGION, image_id=old["images"][REGION], add_account=[SHARE]))
        build = packer_build("vpc", server, tmp_path, share_account=SHARE)
        assert build.rc == 1 and build.artifact == {}
        [error] = build.errors
        assert error.startswith("Failed to delete image: SDK.ServerError") and "ErrorCode: ImageUseShared" in error
        assert left(build, *TEMPORARY, "image", "snapshot") == {kind: set() for kind in (*TEMPORARY, "image",
                                                                                          "snapshot")}
        assert all(image(sdk, region, image_id) for region, image_id in old["images"].items())
    assert [(c.action, c.status, c.error_code) for c in build.calls if c.status != 200] == [
        ("DeleteImage", 403, "ImageUseShared")]
    assert build.actions == [*PREVALIDATE * 3, *SOURCE_IMAGE, *NETWORK, *INSTANCE, *EIP, *RUN_AND_STOP,
                             "DescribeImages", "DeleteImage", "DescribeInstances", *CLEANUP]


def test_waits_poll_until_the_status_changes(tmp_path):
    """Instances, snapshots and images that change status on their second read (Pending, Starting, Stopping,
    progressing, Creating first): each of Packer's waits reads the intermediate status, sleeps its 5 s and finds
    the one it waits for on its next poll (five waits: about 25 s of Packer's own sleeping)."""
    with strict_server() as server:
        for kind in ("instance", "snapshot", "image"):
            server.engine.lifecycle.delay(kind, observations=2)
        build = packer_build("ignore_data_disks", server, tmp_path)
        assert build.rc == 0, build.out[-3000:]
        assert image(build.sdk, REGION, build.artifact[REGION]).status == "Available"
    waits = [*INSTANCE[:1], *INSTANCE[1:2] * 2, *INSTANCE[2:], *EIP, "AttachKeyPair", "StartInstance",
             *["DescribeInstances"] * 2, "StopInstance", *["DescribeInstances"] * 2, "DescribeDisks",
             "CreateSnapshot", *["DescribeSnapshots"] * 2, "CreateImage", *["DescribeImages"] * 2]
    start = build.actions.index("CreateInstance")
    assert build.actions[start:start + len(waits)] == waits
    assert 25 <= build.took < 60

"""Every field the SDK's response model names reaches the client, for the describes of the image pipeline.

The autouse check of tests/conftest.py rejects fields a model does not know; this is its other half: a field the
model knows that the fake never sends is ``None`` in the user's code (``resp.body.instances.instance[0].cpu_options
.turbo_mode``) where the cloud answers a value. One realistic world (a VPC with IPv6, a vSwitch, a security group
with rules, a key pair, an instance with a data disk, a snapshot, a custom image, tags on each) is described once per
action, and each answer must hold every path of the model, but for ``OMITTED``: the fields the service leaves out for
such resources, each with its reason.
"""
from __future__ import annotations

import importlib
import json

import alibabacloud_ecs20140526.models as models
import pytest
from alibabacloud_vpc20160428 import models as vm

from mockecs.engine.core import Engine
from mockecs.modes.clients import vpc_client
from mockecs.wire.apis import api_of
from mockecs.wire.protocol import decode
from mockecs.world import resource_groups
from tests.sdk_shapes import MODELS, schema
from tests.test_instances import LINUX, REGION

ZONE = "cn-hangzhou-i"
TAG = {"TagKey": "team", "TagValue": "images"}

# action -> {path of a field the model names: why the service leaves it out of this world's answers}
OMITTED: dict[str, dict[str, str]] = {
    "DescribeInstances": {
        "Instances.Instance[].PrivateDnsNameOptions.EnableInstanceIdDnsAAAARecord":
            "PrivateDnsNameOptions is {} for an instance that sets none (a captured answer)",
        "Instances.Instance[].PrivateDnsNameOptions.EnableInstanceIdDnsARecord": "(as above)",
        "Instances.Instance[].PrivateDnsNameOptions.EnableIpDnsARecord": "(as above)",
        "Instances.Instance[].PrivateDnsNameOptions.EnableIpDnsPtrRecord": "(as above)",
        "Instances.Instance[].PrivateDnsNameOptions.HostnameType": "(as above)",
        "Instances.Instance[].AdditionalInfo.ManagedHostId": "instances on a managed host only (preview)",
        "Instances.Instance[].AdditionalInfo.NodeSerialNumber": "instances on a managed host only (preview)",
        "Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv4PrefixSets.Ipv4PrefixSet[].Ipv4Prefix":
            "no prefix is assigned (mockecs does not model ENI prefixes): the list is empty",
        "Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv6PrefixSets.Ipv6PrefixSet[].Ipv6Prefix":
            "(as above)",
        "Instances.Instance[].OperationLocks.LockReason[].LockReason": "no lock on a healthy instance: the list is "
                                                                      "empty",
        "Instances.Instance[].RdmaIpAddress.IpAddress[]": "RDMA types only",
        "Instances.Instance[].OperationLocks.LockReason[].LockMsg": "(no lock, as above)",
        "Instances.Instance[].InnerIpAddress.IpAddress[]": "classic-network instances only: empty in a VPC",
        "Instances.Instance[].DeploymentSetGroupNo": "instances in a deployment set of the AvailabilityGroup "
                                                     "strategy only",
        "Instances.Instance[].MetadataOptions.InstanceMetadataTags": "not in the captured answer of an instance "
                                                                     "that never set it",
    },
    "RunInstances": {
        "OrderId": "subscription (PrePaid) launches only (documented): this launch is pay-as-you-go",
    },
    "DescribeInstanceAttribute": {
        "InnerIpAddress.IpAddress[]": "classic-network instances only: empty in a VPC",
        "OperationLocks.LockReason[].LockReason": "no lock on a healthy instance: the list is empty",
    },
    "DescribeSecurityGroupAttribute": {
        "SnapshotPolicyIds": "an SDK-only field the metadata does not document (meaning unknown)",
        "SnapshotPolicyIds.SnapshotPolicyId": "(as above)",
        "SnapshotPolicyIds.SnapshotPolicyId[]": "(as above)",
    },
    "DescribeNetworkInterfaces": {
        "NetworkInterfaceSets.NetworkInterfaceSet[].Ipv4PrefixSets.Ipv4PrefixSet[].Ipv4Prefix":
            "no prefix is assigned (mockecs does not model ENI prefixes): the list is empty",
        "NetworkInterfaceSets.NetworkInterfaceSet[].Ipv6PrefixSets.Ipv6PrefixSet[].Ipv6Prefix": "(as above)",
    },
    "DescribeImages": {
        "Images.Image[].DetectionOptions.Status": "DetectionOptions is {} until a check is asked for (captured)",
        "Images.Image[].DetectionOptions.Items": "(as above)",
        "Images.Image[].DetectionOptions.Items.Item": "(as above)",
        "Images.Image[].DetectionOptions.Items.Item[].Name": "(as above; and a check that found no risk lists none)",
        "Images.Image[].DetectionOptions.Items.Item[].RiskCode": "(as above)",
        "Images.Image[].DetectionOptions.Items.Item[].RiskLevel": "(as above)",
        "Images.Image[].DetectionOptions.Items.Item[].Value": "(as above)",
    },
    "DescribeDisks": {
        "Disks.Disk[].OperationLocks.OperationLock[].LockReason": "no lock on a healthy disk: the list is empty",
        "Disks.Disk[].MountInstances.MountInstance[].AttachedTime": "multi-attach disks only (tests/test_disks.py "
                                                                    "checks theirs)",
        "Disks.Disk[].MountInstances.MountInstance[].Device": "(as above)",
        "Disks.Disk[].MountInstances.MountInstance[].InstanceId": "(as above)",
    },
    "DescribeSecurityGroups": {
        "SecurityGroups.SecurityGroup[].ServiceID": "the reseller's id of a group a cloud service manages "
                                                    "(ServiceManaged true), which mockecs makes none of",
    },
    "DescribeImageSharePermission": {
        "ShareGroups.ShareGroup[].Group": "images shared with everyone (community images) only",
    },
    "DescribeZones": {
        "Zones.Zone[].AvailableVolumeCategories.VolumeCategories[]": "shared block storage, which mockecs does not "
                                                                     "sell: empty",
    },
    "DescribeAvailableResource": {
        f"AvailableZones.AvailableZone[].AvailableResources.AvailableResource[].SupportedResources"
        f".SupportedResource[].{name}": "disk categories' size ranges only (DestinationResource SystemDisk/DataDisk)"
        for name in ("Min", "Max", "Unit")
    },
    "DescribeSnapshotLinks": {
        "NextToken": "the SDK's newer token paging; the metadata documents PageNumber paging only, which mockecs "
                     "answers",
    },
    "DescribeInstanceTypes": {
        "InstanceTypes.InstanceType[].Attributes.Attribute[].Name": "no documented attribute: the list is empty",
        "InstanceTypes.InstanceType[].Attributes.Attribute[].Value": "(as above)",
    },
}


def model_paths(cls: type, prefix: str = "", depth: int = 0) -> set[str]:
    """Every path of a response model: ``A.B[].C`` (``[]`` for a list's items)."""
    out: set[str] = set()
    for wire, kind in schema(cls).items():
        path = f"{prefix}.{wire}" if prefix else wire
        out.add(path)
        suffix = ""
        while isinstance(kind, tuple) and kind[0] == "list":
            kind, suffix = kind[1], suffix + "[]"
        if suffix and not (isinstance(kind, tuple) and kind[0] == "model"):
            out.add(path + suffix)  # (a list of scalars: at least one item)
        if isinstance(kind, tuple) and kind[0] == "model" and depth < 8:
            out |= model_paths(kind[1], path + suffix, depth + 1)
    return out


def answer_paths(value, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= answer_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out.add(prefix + "[]")
            out |= answer_paths(item, prefix + "[]")
    return out


@pytest.fixture
def answers(monkeypatch):
    """The JSON bodies of the successful answers, by (version, action), as the engine sent them."""
    seen: dict[tuple[str, str], dict] = {}
    original = Engine.handle

    def recorded(self, http):
        resp = original(self, http)
        if resp.status == 200 and resp.headers.get("Content-Type", "").startswith("application/json"):
            req = decode(http)
            seen[(api_of(req.host, req.version).version, req.action)] = json.loads(resp.body)
        return resp

    monkeypatch.setattr(Engine, "handle", recorded)
    return seen


def missing(version: str, action: str, body: dict) -> list[str]:
    cls = getattr(importlib.import_module(MODELS[version]), f"{action}ResponseBody")
    allowed = OMITTED.get(action, {})
    return sorted(p for p in model_paths(cls) - answer_paths(body) - {"RequestId"} if p not in allowed)


def test_describes_answer_every_model_field(client, engine, other, answers):
    vpc = vpc_client()
    vpc_id = vpc.create_vpc(vm.CreateVpcRequest(
        region_id=REGION, cidr_block="192.168.0.0/16", enable_ipv_6=True, vpc_name="pipeline",
        user_cidr="10.0.0.0/8", tag=[vm.CreateVpcRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])])).body.vpc_id
    engine.clock.advance(10)
    vpc.associate_vpc_cidr_block(vm.AssociateVpcCidrBlockRequest(
        region_id=REGION, vpc_id=vpc_id, secondary_cidr_block="172.16.0.0/16"))
    vswitch_id = vpc.create_vswitch(vm.CreateVSwitchRequest(
        region_id=REGION, vpc_id=vpc_id, cidr_block="192.168.1.0/24", zone_id=ZONE, ipv_6cidr_block=1,
        v_switch_name="builders", tag=[vm.CreateVSwitchRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])])) \
        .body.v_switch_id
    engine.clock.advance(10)
    vpc.create_nat_gateway(vm.CreateNatGatewayRequest(region_id=REGION, vpc_id=vpc_id, v_switch_id=vswitch_id,
                                                      nat_type="Enhanced"))
    group_id = client.create_security_group(models.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc_id, security_group_name="builders",
        tag=[models.CreateSecurityGroupRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])])).body.security_group_id
    client.authorize_security_group(models.AuthorizeSecurityGroupRequest(
        region_id=REGION, security_group_id=group_id, ip_protocol="tcp", port_range="22/22",
        source_cidr_ip="10.0.0.0/8"))
    client.create_key_pair(models.CreateKeyPairRequest(
        region_id=REGION, key_pair_name="builder",
        tag=[models.CreateKeyPairRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])]))
    instance_id = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", v_switch_id=vswitch_id,
        security_group_id=group_id, key_pair_name="builder", internet_max_bandwidth_out=5, ipv_6address_count=1,
        data_disk=[models.RunInstancesRequestDataDisk(size=40, category="cloud_essd")],
        tag=[models.RunInstancesRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])])).body \
        .instance_id_sets.instance_id_set[0]
    engine.clock.advance(120)
    disks = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body
    data_disk = next(d.disk_id for d in disks.disks.disk if d.type == "data")
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(
        disk_id=data_disk, snapshot_name="data-1",
        tag=[models.CreateSnapshotRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])])).body.snapshot_id
    image_id = client.create_image(models.CreateImageRequest(
        region_id=REGION, instance_id=instance_id, image_name="golden-1", image_family="golden",
        tag=[models.CreateImageRequestTag(key=TAG["TagKey"], value=TAG["TagValue"])])).body.image_id
    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id=REGION, image_id=image_id, add_account=[other.account_id]))
    client.export_image(models.ExportImageRequest(region_id=REGION, image_id=image_id, ossbucket="exports"))
    engine.clock.advance(3600)

    calls = {
        "DescribeImages": lambda: client.describe_images(models.DescribeImagesRequest(
            region_id=REGION, image_id=image_id)),
        "DescribeInstances": lambda: client.describe_instances(models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps([instance_id]))),
        "DescribeDisks": lambda: client.describe_disks(models.DescribeDisksRequest(
            region_id=REGION, instance_id=instance_id)),
        "DescribeSnapshots": lambda: client.describe_snapshots(models.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_ids=json.dumps([snapshot_id]))),
        "DescribeInstanceTypes": lambda: client.describe_instance_types(models.DescribeInstanceTypesRequest(
            instance_types=["ecs.g8i.large"])),
        "DescribeSecurityGroups": lambda: client.describe_security_groups(models.DescribeSecurityGroupsRequest(
            region_id=REGION, security_group_id=group_id)),
        "DescribeSecurityGroupAttribute": lambda: client.describe_security_group_attribute(
            models.DescribeSecurityGroupAttributeRequest(region_id=REGION, security_group_id=group_id)),
        "DescribeKeyPairs": lambda: client.describe_key_pairs(models.DescribeKeyPairsRequest(
            region_id=REGION, key_pair_name="builder", include_public_key=True)),
        "DescribeTags": lambda: client.describe_tags(models.DescribeTagsRequest(
            region_id=REGION, resource_type="instance", resource_id=instance_id)),
        "DescribeNetworkInterfaces": lambda: client.describe_network_interfaces(
            models.DescribeNetworkInterfacesRequest(region_id=REGION, instance_id=instance_id)),
        "DescribeImageFromFamily": lambda: client.describe_image_from_family(models.DescribeImageFromFamilyRequest(
            region_id=REGION, image_family="golden")),
        "DescribeImageSharePermission": lambda: client.describe_image_share_permission(
            models.DescribeImageSharePermissionRequest(region_id=REGION, image_id=image_id)),
        "DescribeRegions": lambda: client.describe_regions(models.DescribeRegionsRequest()),
        "DescribeZones": lambda: client.describe_zones(models.DescribeZonesRequest(region_id=REGION, verbose=True)),
        "DescribeAvailableResource": lambda: client.describe_available_resource(
            models.DescribeAvailableResourceRequest(region_id=REGION, destination_resource="InstanceType")),
        "DescribeSnapshotsUsage": lambda: client.describe_snapshots_usage(
            models.DescribeSnapshotsUsageRequest(region_id=REGION)),
        "DescribeSnapshotLinks": lambda: client.describe_snapshot_links(
            models.DescribeSnapshotLinksRequest(region_id=REGION, disk_ids=json.dumps([data_disk]))),
        "DescribeTasks": lambda: client.describe_tasks(models.DescribeTasksRequest(region_id=REGION)),
        "DescribeInstanceStatus": lambda: client.describe_instance_status(
            models.DescribeInstanceStatusRequest(region_id=REGION)),
        "ListTagResources": lambda: client.list_tag_resources(models.ListTagResourcesRequest(
            region_id=REGION, resource_type="instance", resource_id=[instance_id])),
        "DescribeInstanceAttribute": lambda: client.describe_instance_attribute(
            models.DescribeInstanceAttributeRequest(instance_id=instance_id)),
    }
    vpc_calls = {
        "DescribeVpcs": lambda: vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, vpc_id=vpc_id)),
        "DescribeVSwitches": lambda: vpc.describe_vswitches(vm.DescribeVSwitchesRequest(
            region_id=REGION, v_switch_id=vswitch_id)),
        "DescribeVSwitchAttributes": lambda: vpc.describe_vswitch_attributes(vm.DescribeVSwitchAttributesRequest(
            region_id=REGION, v_switch_id=vswitch_id)),
    }
    gaps = {"RunInstances": missing("2014-05-26", "RunInstances", answers[("2014-05-26", "RunInstances")])}
    for version, table in (("2014-05-26", calls), ("2016-04-28", vpc_calls)):
        for action, call in table.items():
            call()
            gaps[action] = missing(version, action, answers[(version, action)])
    unsent = {action: paths for action, paths in gaps.items() if paths}
    assert not unsent, f"model fields never sent: {json.dumps(unsent, indent=1)}"


def test_launch_template_version_echoes_every_field_set(client, engine, answers):
    """A version answers the fields its template sets (the metadata's example sets them all): set every parameter of
    CreateLaunchTemplate, and DescribeLaunchTemplateVersions must name every field of LaunchTemplateData."""
    disk = dict(category="cloud_essd", size=40, disk_name="data", description="scratch", performance_level="PL1",
                delete_with_instance=True, auto_snapshot_policy_id="sp-bp1doesnotmatter0000", provisioned_iops=0,
                bursting_enabled=False, encrypted="false", kmskey_id="key-1")
    template_id = client.create_launch_template(models.CreateLaunchTemplateRequest(
        region_id=REGION, launch_template_name="everything", image_id=LINUX, image_owner_alias="system",
        password_inherit=False, instance_type="ecs.g7.large", security_group_id="sg-bp1a",
        security_group_ids=["sg-bp1a"], vpc_id="vpc-bp1a", v_switch_id="vsw-bp1a", instance_name="web",
        description="web servers", internet_max_bandwidth_in=10, internet_max_bandwidth_out=5, host_name="web",
        zone_id=ZONE, io_optimized="optimized", instance_charge_type="PostPaid", period=1, period_unit="Month",
        auto_renew=False, auto_renew_period=1, internet_charge_type="PayByTraffic", enable_vm_os_config=False,
        network_type="vpc", user_data="ZWNobyBoaQ==", key_pair_name="builder", ram_role_name="role",
        auto_release_time="2030-01-01T00:00:00Z", spot_strategy="NoSpot", spot_price_limit=0.0, spot_duration=1,
        resource_group_id=resource_groups.default_id(engine.accounts.default_account_id),
        security_enhancement_strategy="Active", private_ip_address="192.168.1.10",
        deployment_set_id="ds-bp1a", ipv_6address_count=1, deletion_protection=False, credit_specification="",
        http_endpoint="enabled", http_tokens="optional", http_put_response_hop_limit=1,
        image_options=models.CreateLaunchTemplateRequestImageOptions(login_as_non_root=False),
        security_options=models.CreateLaunchTemplateRequestSecurityOptions(trusted_system_mode="vTPM"),
        system_disk=models.CreateLaunchTemplateRequestSystemDisk(
            **{k: v for k, v in disk.items() if k not in ("device", "snapshot_id")}, iops=0),
        data_disk=[models.CreateLaunchTemplateRequestDataDisk(**disk, device="/dev/xvdb", snapshot_id="s-bp1a")],
        network_interface=[models.CreateLaunchTemplateRequestNetworkInterface(
            v_switch_id="vsw-bp1a", network_interface_name="eth1", description="second", security_group_id="sg-bp1a",
            primary_ip_address="192.168.1.11", security_group_ids=["sg-bp1a"], instance_type="ecs.g7.large",
            network_interface_traffic_mode="Standard", delete_on_release=True)],
        tag=[models.CreateLaunchTemplateRequestTag(key="team", value="images")])).body.launch_template_id
    client.describe_launch_template_versions(models.DescribeLaunchTemplateVersionsRequest(
        region_id=REGION, launch_template_id=template_id))
    unsent = missing("2014-05-26", "DescribeLaunchTemplateVersions",
                     answers[("2014-05-26", "DescribeLaunchTemplateVersions")])
    assert not unsent, f"fields set and never answered: {unsent}"

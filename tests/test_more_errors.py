"""More documented error codes of the pipeline's operations (stop 22): each raised with the metadata's code, HTTP
status and message (a "%s" message: any words), before anything is written, through the current SDK.

Dedicated block storage clusters (mockecs keeps none), spot price limits, a classic instance's InnerIpAddress, a disk
sized by a snapshot larger than its category, advanced security groups counted in network interfaces, ENI queue
numbers, an ENI's addresses on attach, and ModifyInstanceSpec to a type that holds less than the instance has."""
from __future__ import annotations

import pytest
from alibabacloud_ecs20140526 import models as m

from tests.sdk import error_of
from tests.test_pipeline_errors import (
    REGION,
    ZONE,
    assert_documented,
    disk_count,
    launch,
    network,
    refused,
)

BOTH = ("RunInstances", "CreateInstance")


def eni_count(client) -> int:
    return client.describe_network_interfaces(m.DescribeNetworkInterfacesRequest(region_id=REGION)).body.total_count


def enis(client, **kw) -> list:
    return client.describe_network_interfaces(m.DescribeNetworkInterfacesRequest(
        region_id=REGION, **kw)).body.network_interface_sets.network_interface_set


def primary_eni(client, instance_id: str):
    [eni] = enis(client, instance_id=instance_id, type="Primary")
    return eni


def instance(client, instance_id: str):
    return client.describe_instance_attribute(m.DescribeInstanceAttributeRequest(instance_id=instance_id)).body


# -- dedicated block storage clusters ---------------------------------------------------------------------------------
def test_create_disk_with_a_storage_cluster(client):
    """mockecs keeps no dedicated block storage cluster: an id names none, once the documented conflicts are out of
    the way (parameters first: with InstanceId, with a storage set)."""
    subscribed = launch(client, "CreateInstance", instance_charge_type="PrePaid", period=1).instance_id
    create = client.create_disk
    before = disk_count(client)
    for kw, code in (({"instance_id": subscribed}, "InvalidStorageClusterId.ConflictWithInstanceId"),
                     ({"zone_id": ZONE, "storage_set_id": "ss-anything"},
                      "InvalidStorageClusterId.ConflictWithStorageSetId"),
                     ({"zone_id": ZONE}, "InvalidStorageClusterId.NotExist")):
        err = error_of(create, m.CreateDiskRequest(region_id=REGION, size=40, disk_category="cloud_essd",
                                                   storage_cluster_id="dbsc-notmine", **kw))
        assert_documented(err, "CreateDisk", code)
    assert err.status_code == 404
    assert disk_count(client) == before
    assert create(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=40, disk_category="cloud_essd"))


@pytest.mark.parametrize("action", BOTH)
def test_launch_disks_in_a_storage_cluster(client, action):
    system = getattr(m, f"{action}RequestSystemDisk")
    data = getattr(m, f"{action}RequestDataDisk")
    cluster = "dbsc-notmine"
    refused(client, action, "InvalidStorageClusterId.ZoneIdEmpty",
            system_disk=system(size=40, storage_cluster_id=cluster))
    refused(client, action, "InvalidStorageClusterId.DiskSizeEmpty", zone_id=ZONE,
            system_disk=system(storage_cluster_id=cluster))
    refused(client, action, "InvalidStorageClusterId.DiskSizeEmpty", zone_id=ZONE,
            data_disk=[data(size=20), data(category="cloud_essd", storage_cluster_id=cluster)])
    err = refused(client, action, "InvalidStorageClusterId.NotExist", zone_id=ZONE,
                  data_disk=[data(size=20, category="cloud_essd", storage_cluster_id=cluster)])
    assert err.status_code == 404
    assert launch(client, action, zone_id=ZONE, data_disk=[data(size=20, category="cloud_essd")])


# -- launch parameters ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", BOTH)
def test_a_negative_spot_price_limit(client, action):
    refused(client, action, "InvalidSpotPriceLimit", spot_strategy="SpotWithPriceLimit", spot_price_limit=-0.5,
            zone_id=ZONE)
    assert launch(client, action, spot_strategy="SpotWithPriceLimit", spot_price_limit=5.0, zone_id=ZONE)


def test_a_malformed_inner_ip_address(client):
    refused(client, "CreateInstance", "InvalidInnerIpAddress.Malformed", inner_ip_address="10.0.0.300")
    assert launch(client, "CreateInstance", inner_ip_address="10.0.0.30")


@pytest.mark.parametrize("action", BOTH)
def test_a_data_disk_sized_by_a_snapshot_larger_than_its_category(client, action):
    """A basic disk holds 2,000 GiB: a DataDisk.N naming a 3,000 GiB snapshot and no Size is refused with the code the
    metadata gives it (with a Size, the Size is what is out of range)."""
    data = getattr(m, f"{action}RequestDataDisk")
    older = "ecs.g6.large"  # (a family that sells ultra disks: the 7th generation sells ESSDs only)
    host = launch(client, "RunInstances", zone_id=ZONE, instance_type=older).instance_id_sets.instance_id_set[0]
    disk_id = client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=3000,
                                                     disk_category="cloud_efficiency")).body.disk_id
    client.attach_disk(m.AttachDiskRequest(instance_id=host, disk_id=disk_id))
    snapshot_id = client.create_snapshot(m.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
    refused(client, action, "InstanceDiskCategoryLimitExceed", zone_id=ZONE, instance_type=older,
            data_disk=[data(snapshot_id=snapshot_id, category="cloud")])
    refused(client, action, "InvalidDataDiskSize.ValueNotSupported", zone_id=ZONE, instance_type=older,
            data_disk=[data(snapshot_id=snapshot_id, category="cloud", size=3000)])
    assert launch(client, action, zone_id=ZONE, instance_type=older,
                  data_disk=[data(snapshot_id=snapshot_id, category="cloud_efficiency")])


# -- advanced security groups hold network interfaces ---------------------------------------------------------------
def test_an_advanced_group_counts_network_interfaces(client, monkeypatch):
    from mockecs.world import security_groups

    basic = security_groups.capacity
    monkeypatch.setattr(security_groups, "capacity",  # (65,536 documented: two here)
                        lambda group: 2 if group.get("SecurityGroupType") == "enterprise" else basic(group))
    vpc, vswitch, full = network(client, "enterprise")
    launch(client, v_switch_id=vswitch, security_group_id=full)  # (its primary ENI: one)
    client.create_network_interface(m.CreateNetworkInterfaceRequest(  # (two)
        region_id=REGION, v_switch_id=vswitch, security_group_id=full))
    for action in BOTH:
        refused(client, action, "InvalidOperation.EniCountExceeded", v_switch_id=vswitch, security_group_id=full)
    before = eni_count(client)
    err = error_of(client.create_network_interface, m.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_id=full))
    assert_documented(err, "CreateNetworkInterface", "InvalidOperation.EniCountExceeded")
    assert eni_count(client) == before
    other = client.create_security_group(m.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc, security_group_type="enterprise")).body.security_group_id
    outsider = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=other).instance_id
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(
        instance_id=outsider, security_group_ids=[full]))
    assert_documented(err, "ModifyInstanceAttribute", "InvalidOperation.EniCountExceeded")
    assert instance(client, outsider).security_group_ids.security_group_id == [other]
    eni_id = client.create_network_interface(m.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_id=other)).body.network_interface_id
    err = error_of(client.modify_network_interface_attribute, m.ModifyNetworkInterfaceAttributeRequest(
        region_id=REGION, network_interface_id=eni_id, security_group_id=[full]))
    assert_documented(err, "ModifyNetworkInterfaceAttribute", "InvalidOperation.EniCountExceeded")
    # a basic group still counts instances (2,000), whatever ENIs are in it
    _, vswitch2, plain = network(client)
    for _ in range(3):
        client.create_network_interface(m.CreateNetworkInterfaceRequest(
            region_id=REGION, v_switch_id=vswitch2, security_group_id=plain))
    assert launch(client, v_switch_id=vswitch2, security_group_id=plain)


# -- ENI queues and addresses -----------------------------------------------------------------------------------------
def test_queue_numbers_at_launch(client):
    _, vswitch, group = network(client)
    net = {"v_switch_id": vswitch, "security_group_id": group}
    refused(client, "RunInstances", "InvalidParameter.InvalidEniQueueNumber", network_interface_queue_number=0, **net)
    refused(client, "RunInstances", "InvalidOperation.ExceedInstanceTypeQueueNumber",  # (ecs.g7.large: 2 per ENI)
            network_interface_queue_number=3, **net)
    primary = m.RunInstancesRequestNetworkInterface(instance_type="Primary", v_switch_id=vswitch,
                                                    security_group_id=group, queue_number=2)
    refused(client, "RunInstances", "InvalidParam.NetworkInterface",  # (documented: one or the other)
            network_interface=[primary], network_interface_queue_number=2)
    secondary = m.RunInstancesRequestNetworkInterface(instance_type="Secondary", queue_number=4)
    refused(client, "RunInstances", "InvalidOperation.ExceedInstanceTypeQueueNumber",
            network_interface=[secondary], **net)
    instance_id = launch(client, network_interface_queue_number=1, **net).instance_id_sets.instance_id_set[0]
    assert primary_eni(client, instance_id).queue_number == 1
    before = eni_count(client)
    err = error_of(client.create_network_interface, m.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_id=group, queue_number=0))
    assert_documented(err, "CreateNetworkInterface", "InvalidParameter.InvalidEniQueueNumber")
    assert eni_count(client) == before


def test_modify_instance_attribute_network_interface_queue_number(client):
    _, vswitch, group = network(client)
    instance_id = launch(client, v_switch_id=vswitch, security_group_id=group).instance_id_sets.instance_id_set[0]
    modify = client.modify_instance_attribute

    def queues(number: int):
        return m.ModifyInstanceAttributeRequest(instance_id=instance_id, network_interface_queue_number=number)

    for number, code in ((0, "InvalidParameter.InvalidEniQueueNumber"), (-2, "InvalidParameter.InvalidEniQueueNumber"),
                         (3, "InvalidOperation.ExceedInstanceTypeQueueNumber"), (1, "IncorrectInstanceStatus")):
        assert_documented(error_of(modify, queues(number)), "ModifyInstanceAttribute", code)
    assert primary_eni(client, instance_id).queue_number == 2  # (the type's default)
    client.stop_instance(m.StopInstanceRequest(instance_id=instance_id))
    modify(queues(1))
    assert primary_eni(client, instance_id).queue_number == 1
    modify(queues(-1))
    assert primary_eni(client, instance_id).queue_number == 2


def test_attach_an_eni_holding_more_addresses_than_the_type_takes(client):
    _, vswitch, group = network(client)
    small = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=group).instance_id
    large = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=group,
                   instance_type="ecs.g7.xlarge").instance_id
    eni_id = client.create_network_interface(m.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_id=group,
        secondary_private_ip_address_count=9)).body.network_interface_id  # (10 addresses; ecs.g7.large takes 6)
    attach = client.attach_network_interface
    err = error_of(attach, m.AttachNetworkInterfaceRequest(region_id=REGION, network_interface_id=eni_id,
                                                           instance_id=small))
    assert_documented(err, "AttachNetworkInterface", "InvalidOperation.Ipv4CountExceeded")
    assert enis(client, network_interface_id=[eni_id])[0].status == "Available"
    attach(m.AttachNetworkInterfaceRequest(region_id=REGION, network_interface_id=eni_id, instance_id=large))


# -- ModifyInstanceSpec to a type that holds less -------------------------------------------------------------------
def spec_refused(client, instance_id: str, code: str, instance_type: str = "ecs.g7.large") -> None:
    err = error_of(client.modify_instance_spec, m.ModifyInstanceSpecRequest(instance_id=instance_id,
                                                                           instance_type=instance_type))
    assert_documented(err, "ModifyInstanceSpec", code)
    assert instance(client, instance_id).instance_type != instance_type


def test_modify_instance_spec_to_a_type_with_fewer_enis_addresses_or_queues(client):
    _, vswitch, group = network(client)

    def stopped(instance_type: str) -> str:
        return launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=group,
                      instance_type=instance_type).instance_id

    def attached(instance_id: str, count: int = 0) -> str:
        eni_id = client.create_network_interface(m.CreateNetworkInterfaceRequest(
            region_id=REGION, v_switch_id=vswitch, security_group_id=group,
            secondary_private_ip_address_count=count or None)).body.network_interface_id
        client.attach_network_interface(m.AttachNetworkInterfaceRequest(
            region_id=REGION, network_interface_id=eni_id, instance_id=instance_id))
        return eni_id

    crowded = stopped("ecs.g7.xlarge")  # (4 ENIs; ecs.g7.large takes 3)
    for _ in range(3):
        attached(crowded)
    spec_refused(client, crowded, "InvalidOperation.EniCountExceeded")
    addressed = stopped("ecs.g7.xlarge")  # (15 addresses per ENI; ecs.g7.large takes 6)
    attached(addressed, 9)
    spec_refused(client, addressed, "InvalidOperation.Ipv4CountExceeded")
    queued = stopped("ecs.g7.2xlarge")  # (8 queues per ENI; ecs.g7.large takes 2)
    client.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=queued,
                                                                      network_interface_queue_number=8))
    spec_refused(client, queued, "InvalidParameter.InvalidEniQueueNumber")
    plain = stopped("ecs.g7.2xlarge")  # (its queues the type's default: they follow the new type)
    attached(plain, 4)
    client.modify_instance_spec(m.ModifyInstanceSpecRequest(instance_id=plain, instance_type="ecs.g7.large"))
    assert instance(client, plain).instance_type == "ecs.g7.large"


def test_modify_instance_spec_to_a_type_with_fewer_disks(client):
    data = m.CreateInstanceRequestDataDisk
    instance_id = launch(client, "CreateInstance", zone_id=ZONE, instance_type="ecs.g8i.large",
                         data_disk=[data(size=20)] * 16).instance_id  # (33 disks; ecs.g7.large takes 17)
    for _ in range(2):
        disk_id = client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=20,
                                                         disk_category="cloud_essd")).body.disk_id
        client.attach_disk(m.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))
    spec_refused(client, instance_id, "InstanceTypeNotSupported.TooManyDisksAttached")
    client.detach_disk(m.DetachDiskRequest(instance_id=instance_id, disk_id=disk_id))
    client.modify_instance_spec(m.ModifyInstanceSpecRequest(instance_id=instance_id, instance_type="ecs.g7.large"))
    assert instance(client, instance_id).instance_type == "ecs.g7.large"



# -- private pools: someone else's, a malformed id ------------------------------------------------------------------
def test_a_target_pool_of_another_account_and_a_malformed_pool_id(client, other):
    theirs = other.client.create_capacity_reservation(m.CreateCapacityReservationRequest(
        region_id=REGION, instance_amount=2, instance_type="ecs.g7.large", zone_id=[ZONE],
        private_pool_options=m.CreateCapacityReservationRequestPrivatePoolOptions(match_criteria="Target"))).body \
        .private_pool_options_id
    _, vswitch, group = network(client)
    for action in BOTH:
        options = getattr(m, f"{action}RequestPrivatePoolOptions")
        net = {"v_switch_id": vswitch, "security_group_id": group}
        refused(client, action, "InvalidAliUid", private_pool_options=options(match_criteria="Target", id=theirs),
                **net)
        refused(client, action, "Invalid.PrivatePoolOptions.Id",  # (no such pool: as before)
                private_pool_options=options(match_criteria="Target", id="crp-bp1nosuchpool"), **net)
        refused(client, action, "Invalid.PrivatePoolOptionsId",  # (no pool's id looks like this)
                private_pool_options=options(match_criteria="Target", id="my-pool"), **net)
    instance_id = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=group).instance_id
    err = error_of(client.modify_instance_attachment_attributes, m.ModifyInstanceAttachmentAttributesRequest(
        region_id=REGION, instance_id=instance_id, private_pool_options=m
        .ModifyInstanceAttachmentAttributesRequestPrivatePoolOptions(match_criteria="Target", id=theirs)))
    assert_documented(err, "ModifyInstanceAttachmentAttributes", "InvalidAliUid")


# -- security groups of two network types ---------------------------------------------------------------------------
def test_security_groups_of_two_network_types(client):
    _, vswitch, group = network(client)
    classic = client.create_security_group(m.CreateSecurityGroupRequest(region_id=REGION)).body.security_group_id
    refused(client, "RunInstances", "InvalidSecurityGroupId.MultiGroupIdNetworkTypeConflict", v_switch_id=vswitch,
            security_group_ids=[group, classic])
    refused(client, "RunInstances", "InvalidParameter.Mismatch", v_switch_id=vswitch,  # (one classic group: as before)
            security_group_ids=[classic])


# -- AttachDisk Force ------------------------------------------------------------------------------------------------
def test_a_forced_attach(client):
    """Force moves a regional disk to an instance of another zone; mockecs sells no regional category: a
    subscription disk is refused as such, any other for its category."""
    subscribed = launch(client, "CreateInstance", zone_id=ZONE, instance_charge_type="PrePaid", period=1).instance_id
    prepaid = client.create_disk(m.CreateDiskRequest(region_id=REGION, instance_id=subscribed, size=20,
                                                     disk_category="cloud_essd")).body.disk_id
    client.detach_disk(m.DetachDiskRequest(instance_id=subscribed, disk_id=prepaid))
    target = launch(client, "CreateInstance", zone_id=ZONE).instance_id
    plain = client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=20,
                                                   disk_category="cloud_essd")).body.disk_id
    attach = client.attach_disk
    for disk_id, code in ((prepaid, "InvalidParameterForce.PrepaidDiskNotSupported"),
                          (plain, "InvalidParameterForce.DiskCategoryNotSupported")):
        assert_documented(error_of(attach, m.AttachDiskRequest(instance_id=target, disk_id=disk_id, force=True)),
                          "AttachDisk", code)
    assert client.describe_disks(m.DescribeDisksRequest(region_id=REGION, disk_ids=f'["{plain}"]')).body \
        .disks.disk[0].status == "Available"
    attach(m.AttachDiskRequest(instance_id=target, disk_id=plain, force=False))


# -- CreateImage of a stopped instance that gained a disk -----------------------------------------------------------
def test_create_image_after_a_disk_was_attached_to_the_stopped_instance(client):
    running = launch(client, zone_id=ZONE).instance_id_sets.instance_id_set[0]
    stopped = launch(client, "CreateInstance", zone_id=ZONE).instance_id

    def add_disk(instance_id: str) -> None:
        disk_id = client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=20,
                                                         disk_category="cloud_essd")).body.disk_id
        client.attach_disk(m.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id))

    def image(instance_id: str):
        return client.create_image(m.CreateImageRequest(region_id=REGION, instance_id=instance_id))

    add_disk(running)  # (attached while running: seen at once)
    client.stop_instance(m.StopInstanceRequest(instance_id=running))
    assert image(running).body.image_id
    add_disk(stopped)
    before = client.describe_snapshots(m.DescribeSnapshotsRequest(region_id=REGION)).body.total_count
    assert_documented(error_of(image, stopped), "CreateImage", "IncorrectInstanceStatus.NeedRestart")
    assert client.describe_snapshots(m.DescribeSnapshotsRequest(region_id=REGION)).body.total_count == before
    client.start_instance(m.StartInstanceRequest(instance_id=stopped))
    client.stop_instance(m.StopInstanceRequest(instance_id=stopped))
    assert image(stopped).body.image_id


# -- a subscription disk of an expired instance ---------------------------------------------------------------------
def test_the_disks_of_an_expired_subscription(client, engine):
    from mockecs.world import resources

    instance_id = launch(client, zone_id=ZONE, instance_charge_type="PrePaid", period=1, period_unit="Week",
                         data_disk=[m.RunInstancesRequestDataDisk(size=50, category="cloud_essd")]) \
        .instance_id_sets.instance_id_set[0]
    ends = instance(client, instance_id).expired_time
    engine.clock.advance(resources.parse_iso(ends) - engine.clock.now() + 60)
    disks = client.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body.disks.disk
    data_disk = next(d.disk_id for d in disks if d.type == "data")
    assert [lock.lock_reason for lock in disks[0].operation_locks.operation_lock] == ["financial"]
    system_disk = disks[0].disk_id
    err = error_of(client.create_snapshot, m.CreateSnapshotRequest(disk_id=system_disk))
    assert_documented(err, "CreateSnapshot", "DiskInArrears")
    err = error_of(client.resize_disk, m.ResizeDiskRequest(disk_id=data_disk, new_size=60))
    assert_documented(err, "ResizeDisk", "DiskInArrears")
    client.detach_disk(m.DetachDiskRequest(instance_id=instance_id, disk_id=data_disk))
    other = launch(client, "CreateInstance", zone_id=ZONE).instance_id
    err = error_of(client.attach_disk, m.AttachDiskRequest(instance_id=other, disk_id=data_disk))
    assert_documented(err, "AttachDisk", "DiskInArrears")
    client.renew_instance(m.RenewInstanceRequest(instance_id=instance_id, period=1, period_unit="Month"))
    assert client.create_snapshot(m.CreateSnapshotRequest(disk_id=system_disk)).body.snapshot_id  # (unlocked)


def test_secondary_private_addresses_at_launch(client):
    _, vswitch, group = network(client)
    eni = m.RunInstancesRequestNetworkInterface
    net = {"v_switch_id": vswitch, "security_group_id": group}
    refused(client, "RunInstances", "InvalidOperation.Ipv4CountExceeded",  # (ecs.g7.large: 6 per ENI)
            network_interface=[eni(instance_type="Secondary", secondary_private_ip_address_count=6)], **net)
    refused(client, "RunInstances", "InvalidOperation.Ipv4CountExceeded", network_interface=[
        eni(instance_type="Primary", v_switch_id=vswitch, security_group_id=group,
            secondary_private_ip_address_count=6)])
    refused(client, "RunInstances", "InvalidParam.IpCount",
            network_interface=[eni(instance_type="Secondary", secondary_private_ip_address_count=0)], **net)
    [instance_id] = launch(client, amount=1, network_interface=[
        eni(instance_type="Primary", v_switch_id=vswitch, security_group_id=group,
            secondary_private_ip_address_count=2),
        eni(instance_type="Secondary", secondary_private_ip_address_count=5)]).instance_id_sets.instance_id_set
    held = {e.type: [s.private_ip_address for s in e.private_ip_sets.private_ip_set]
            for e in enis(client, instance_id=instance_id)}
    assert (len(held["Primary"]), len(held["Secondary"])) == (3, 6)
    assert len(set(held["Primary"] + held["Secondary"])) == 9
    [listed] = client.describe_instances(m.DescribeInstancesRequest(
        region_id=REGION, instance_ids=f'["{instance_id}"]')).body.instances.instance
    entries = listed.network_interfaces.network_interface
    assert sorted(len(e.private_ip_sets.private_ip_set) for e in entries) == [3, 6]


# -- encryption algorithms of disks made from snapshots -------------------------------------------------------------
@pytest.mark.parametrize("action", BOTH)
def test_a_disk_keeps_its_snapshots_encryption_algorithm(client, action):
    host = launch(client, zone_id=ZONE).instance_id_sets.instance_id_set[0]

    def encrypted_snapshot(algorithm: str) -> str:
        disk_id = client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=20,
                                                         disk_category="cloud_essd", encrypted=True,
                                                         encrypt_algorithm=algorithm)).body.disk_id
        client.attach_disk(m.AttachDiskRequest(instance_id=host, disk_id=disk_id))
        return client.create_snapshot(m.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id

    sm4, aes = encrypted_snapshot("SM4-128"), encrypted_snapshot("AES-256")
    before = disk_count(client)
    for snapshot_id, algorithm in ((sm4, "AES-256"), (aes, "SM4-128")):
        err = error_of(client.create_disk, m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, snapshot_id=snapshot_id,
                                                               encrypted=True, encrypt_algorithm=algorithm))
        assert_documented(err, "CreateDisk", "InvalidEncryptAlgorithm.NotMatchSnapshot")
    assert disk_count(client) == before
    data = getattr(m, f"{action}RequestDataDisk")
    refused(client, action, "InvalidEncryptAlgorithm.NotMatchSnapshot", zone_id=ZONE,
            data_disk=[data(snapshot_id=sm4, encrypted="true", encrypt_algorithm="AES-256", category="cloud_essd")])
    copy = client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, snapshot_id=sm4)).body.disk_id
    client.attach_disk(m.AttachDiskRequest(instance_id=host, disk_id=copy))
    again = client.create_snapshot(m.CreateSnapshotRequest(disk_id=copy)).body.snapshot_id  # (still SM4-128)
    err = error_of(client.create_disk, m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, snapshot_id=again,
                                                           encrypted=True, encrypt_algorithm="AES-256"))
    assert_documented(err, "CreateDisk", "InvalidEncryptAlgorithm.NotMatchSnapshot")
    assert launch(client, action, zone_id=ZONE, data_disk=[
        data(snapshot_id=again, encrypted="true", encrypt_algorithm="SM4-128", category="cloud_essd")])


# -- ListTagResources by resource group ---------------------------------------------------------------------------
def test_list_tag_resources_by_the_default_resource_group(client, engine):
    """``Tag.N.Key=acs:rm:rgId`` takes a resource group id, not the default group's (documented)."""
    from mockecs.world import resource_groups

    default = resource_groups.default_id(engine.accounts.default_account_id)
    group = resource_groups.add(engine, name="image-builds")
    instance_id = launch(client, zone_id=ZONE, resource_group_id=group).instance_id_sets.instance_id_set[0]
    image_id = client.create_image(m.CreateImageRequest(
        region_id=REGION, instance_id=instance_id, resource_group_id=group,
        tag=[m.CreateImageRequestTag(key="build", value="7")])).body.image_id

    def by_group(group_id: str):
        return client.list_tag_resources(m.ListTagResourcesRequest(
            region_id=REGION, resource_type="image", tag=[m.ListTagResourcesRequestTag(key="acs:rm:rgId",
                                                                                       value=group_id)]))

    err = error_of(by_group, default)
    assert_documented(err, "ListTagResources", "InvalidDefaultResourceGroup.NotSupported")
    assert [(r.resource_id, r.tag_key) for r in by_group(group).body.tag_resources.tag_resource] == \
        [(image_id, "build")]

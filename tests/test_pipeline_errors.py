"""Documented error codes of the operations a provisioning pipeline calls (RunInstances, CreateInstance, CreateDisk,
ResizeDisk, CreateSnapshot, ReplaceSystemDisk, ModifyInstanceSpec, AssociateEipAddress, ...): each raised with the
metadata's code, HTTP status and message, before anything is written."""
from __future__ import annotations

import json

import pytest
from alibabacloud_ecs20140526 import models as m
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526 import RunInstancesRequest

from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of
from tests.spec import documented_error, metadata
from tests.test_images import UBUNTU

REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-i"
WINDOWS = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"


def assert_documented(err: ClientException, action: str, code: str) -> None:
    """``err`` is ``code`` with a status and message ``action`` documents for it (a code may be documented with
    several: IoOptimized.NotSupported)."""
    assert documented_error(action, code) is not None, f"{code} is not documented for {action}"
    assert err.code == code, err
    entries = [(int(status), error["errorMessage"]) for status, errors in
               metadata()["apis"][action]["errorCodes"].items() for error in errors if error["errorCode"] == code]
    assert any(err.status_code == status and (err.data["Message"] == message or "%s" in message)
               for status, message in entries), (err.status_code, err.data["Message"], entries)


def assert_old_sdk_documented(legacy, request, action: str, code: str) -> None:
    """The old SDK's ``request`` is refused with ``code`` and the status and message ``action`` documents."""
    with pytest.raises(ServerException) as info:
        legacy.do_action_with_exception(request)
    status, message = documented_error(action, code)
    assert (info.value.get_error_code(), info.value.get_http_status(), info.value.get_error_msg()) == \
        (code, status, message)


def instance_count(client) -> int:
    return client.describe_instances(m.DescribeInstancesRequest(region_id=REGION)).body.total_count


def disk_count(client) -> int:
    return client.describe_disks(m.DescribeDisksRequest(region_id=REGION)).body.total_count


def network(client, group_type: str = "normal") -> tuple[str, str, str]:
    vpc = new_vpc(client, "172.16.0.0/12")
    vswitch = new_vswitch(client, vpc, zone_id=ZONE)
    group = client.create_security_group(m.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc, security_group_type=group_type)).body.security_group_id
    return vpc, vswitch, group


def launch(client, action: str = "RunInstances", **kw):
    kw = {"region_id": REGION, "image_id": UBUNTU, "instance_type": "ecs.g7.large", **kw}
    if action == "RunInstances":
        return client.run_instances(m.RunInstancesRequest(**kw)).body
    return client.create_instance(m.CreateInstanceRequest(**kw)).body


def refused(client, action: str, code: str, **kw) -> ClientException:
    """A launch refused with ``code`` as documented; nothing was made."""
    before = instance_count(client), disk_count(client)
    err = error_of(launch, client, action, **kw)
    assert_documented(err, action, code)
    assert (instance_count(client), disk_count(client)) == before
    return err


BOTH = ("RunInstances", "CreateInstance")
USER_DATA = "IyEvYmluL3NoCmVjaG8gaGk="  # "#!/bin/sh\necho hi"


# -- launches --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", BOTH)
def test_user_data_needs_a_vpc_instance(client, engine, action):
    assert launch(client, action, user_data=USER_DATA)  # (mockecs's default: a classic instance takes it)
    engine.config.options["classic_network_checks"] = True
    refused(client, action, "InvalidUserData.NotSupported", user_data=USER_DATA)
    _, vswitch, group = network(client)
    assert launch(client, action, user_data=USER_DATA, v_switch_id=vswitch, security_group_id=group)


@pytest.mark.parametrize("action", BOTH)
def test_spot_launches_need_a_zone_and_stop_needs_a_vpc(client, engine, action):
    assert launch(client, action, spot_strategy="SpotAsPriceGo", spot_interruption_behavior="Stop")
    engine.config.options["classic_network_checks"] = True
    refused(client, action, "InvalidSpotParam.EmptyZoneID", spot_strategy="SpotAsPriceGo")
    refused(client, action, "InvalidSpotInterruptionBehavior.ClassicNetworkNotSupport", spot_strategy="SpotAsPriceGo",
            zone_id=ZONE, spot_interruption_behavior="Stop")
    _, vswitch, group = network(client)
    assert launch(client, action, spot_strategy="SpotAsPriceGo", spot_interruption_behavior="Stop",
                  v_switch_id=vswitch, security_group_id=group)
    assert launch(client, action, spot_strategy="SpotAsPriceGo", zone_id=ZONE)


@pytest.mark.parametrize("action", BOTH)
def test_io_optimized_values(client, action):
    code = "InvalidIoOptimize.ValueNotSupported" if action == "RunInstances" else \
        "InvalidIoOptimizedValue.ValueNotSupported"
    refused(client, action, code, io_optimized="fast")
    refused(client, action, "DependencyViolation.IoOptimized", io_optimized="none")
    assert launch(client, action, io_optimized="optimized")


@pytest.mark.parametrize("action", BOTH)
def test_disk_descriptions(client, action):
    system = getattr(m, f"{action}RequestSystemDisk")
    data = getattr(m, f"{action}RequestDataDisk")
    refused(client, action, "InvalidDiskDescription.Malformed", system_disk=system(description="http://x"))
    refused(client, action, "InvalidDiskDescription.Malformed",
            data_disk=[data(size=20), data(size=20, description="x")])
    assert launch(client, action, system_disk=system(description="the root"),
                  data_disk=[data(size=20, description="ok")])


@pytest.mark.parametrize("action", BOTH)
def test_data_disks_beyond_the_instance_limit(client, engine, action):
    data = getattr(m, f"{action}RequestDataDisk")
    engine.config.options["data_disks_per_instance"] = 2
    refused(client, action, "InstanceDiskNumLimitExceed", data_disk=[data(size=20)] * 3)
    assert launch(client, action, data_disk=[data(size=20)] * 2)


@pytest.mark.parametrize("action", BOTH)
def test_an_unencrypted_disk_while_default_encryption_is_on(client, action):
    data = getattr(m, f"{action}RequestDataDisk")
    client.enable_disk_encryption_by_default(m.EnableDiskEncryptionByDefaultRequest(region_id=REGION))
    refused(client, action, "InvalidEncrypted.DefaultEncryptionUnsupported",
            data_disk=[data(size=20, encrypted="false")])
    assert launch(client, action, data_disk=[data(size=20), data(size=20, encrypted="true")])


@pytest.mark.parametrize("action", BOTH)
def test_a_subscription_without_period_when_the_service_requires_it(client, engine, action):
    engine.config.options["subscription_period"] = "required"
    refused(client, action, "MissingParamter", instance_charge_type="PrePaid")
    assert launch(client, action, instance_charge_type="PrePaid", period=1)


def test_mixed_security_group_types(client):
    vpc, vswitch, normal = network(client)
    enterprise = client.create_security_group(m.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc, security_group_type="enterprise")).body.security_group_id
    refused(client, "RunInstances", "EnterpriseGroupLimited.MutliGroupType", v_switch_id=vswitch,
            security_group_ids=[normal, enterprise])
    another = client.create_security_group(m.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc, security_group_type="enterprise")).body.security_group_id
    assert launch(client, v_switch_id=vswitch, security_group_ids=[enterprise, another])


def test_host_names_per_instance(client):
    refused(client, "RunInstances", "InvalidHostname.SingleAndMultiConflict", host_name="web", host_names=["a1", "a2"],
            amount=2)
    refused(client, "RunInstances", "InvalidHostname.SizeInvalid", host_names=["a1"], amount=2)
    refused(client, "RunInstances", "InvalidHostName.Malformed", host_names=["a1", "-bad"], amount=2)
    ids = launch(client, host_names=["web-1", "web-2"], amount=2).instance_id_sets.instance_id_set
    names = client.describe_instances(m.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps(ids))).body
    assert {i.instance_id: i.host_name for i in names.instances.instance} == dict(zip(ids, ["web-1", "web-2"]))


def test_vtpm_needs_uefi_and_not_enclave(client):
    options = m.RunInstancesRequestSecurityOptions
    refused(client, "RunInstances", "InvalidSecurityOptions.NotSupported",
            security_options=options(trusted_system_mode="vTPM", confidential_computing_mode="Enclave"))
    refused(client, "RunInstances", "InvalidImage.NotSupported", security_options=options(trusted_system_mode="vTPM"))


def test_auto_pay_false_for_pay_as_you_go(client):
    refused(client, "RunInstances", "InvalidAutoPay.PostPaidUnsupported", auto_pay=False)
    assert launch(client, auto_pay=True)


@pytest.mark.parametrize("action", BOTH)
def test_a_malformed_client_token(client, action):
    refused(client, action, "InvalidClientToken.ValueNotSupported", client_token="x" * 65)
    refused(client, action, "InvalidClientToken.ValueNotSupported", client_token="tök")
    assert launch(client, action, client_token="x" * 64)


def test_user_data_of_a_classic_launch_through_the_old_sdk_in_xml(legacy, engine):
    engine.config.options["classic_network_checks"] = True
    request = RunInstancesRequest.RunInstancesRequest()
    request.set_ImageId(UBUNTU)
    request.set_InstanceType("ecs.g7.large")
    request.set_UserData(USER_DATA)
    request.set_accept_format("XML")
    assert_old_sdk_documented(legacy, request, "RunInstances", "InvalidUserData.NotSupported")


# -- disks and snapshots ---------------------------------------------------------------------------------------------
def run_one(client, **kw) -> str:
    return launch(client, zone_id=ZONE, **kw).instance_id_sets.instance_id_set[0]


def disks_of(client, instance_id: str) -> dict:
    found = client.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body.disks.disk
    return {d.type: d for d in found}


def new_disk(client, **kw) -> str:
    return client.create_disk(m.CreateDiskRequest(region_id=REGION, zone_id=ZONE, **kw)).body.disk_id


def size_of(client, disk_id: str) -> int:
    return client.describe_disks(m.DescribeDisksRequest(
        region_id=REGION, disk_ids=json.dumps([disk_id]))).body.disks.disk[0].size


def test_resize_disk_to_the_same_size_online_on_a_stopped_instance_and_a_detached_system_disk(client):
    instance_id = run_one(client, data_disk=[m.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])
    data, system = disks_of(client, instance_id)["data"].disk_id, disks_of(client, instance_id)["system"].disk_id
    resize = client.resize_disk
    assert_documented(error_of(resize, m.ResizeDiskRequest(disk_id=data, new_size=50)), "ResizeDisk", "InvalidDiskSize")
    client.stop_instance(m.StopInstanceRequest(instance_id=instance_id))
    assert_documented(error_of(resize, m.ResizeDiskRequest(disk_id=data, new_size=60, type="online")), "ResizeDisk",
                      "InvalidInstanceStatus.NotRunning")
    assert size_of(client, data) == 50
    resize(m.ResizeDiskRequest(disk_id=data, new_size=60))  # (offline: takes effect at the next start)
    client.detach_disk(m.DetachDiskRequest(instance_id=instance_id, disk_id=system))
    assert_documented(error_of(resize, m.ResizeDiskRequest(disk_id=system, new_size=80)), "ResizeDisk",
                      "InvalidDisk.DetachedSystemDisk")
    assert size_of(client, system) == 40


def test_create_disk_refuses_a_basic_disk_from_a_large_snapshot_and_opting_out_of_default_encryption(client):
    instance_id = run_one(client, data_disk=[m.RunInstancesRequestDataDisk(size=3000, category="cloud_essd")])
    data = disks_of(client, instance_id)["data"].disk_id
    snapshot = client.create_snapshot(m.CreateSnapshotRequest(disk_id=data)).body.snapshot_id
    before = disk_count(client)
    err = error_of(new_disk, client, snapshot_id=snapshot, disk_category="cloud")
    assert_documented(err, "CreateDisk", "InvalidSnapshot.TooLarge")
    assert new_disk(client, snapshot_id=snapshot, disk_category="cloud_essd")
    client.enable_disk_encryption_by_default(m.EnableDiskEncryptionByDefaultRequest(region_id=REGION))
    err = error_of(new_disk, client, size=40, disk_category="cloud_essd", encrypted=False)
    assert_documented(err, "CreateDisk", "InvalidEncrypted.DefaultEncryptionUnsupported")
    assert disk_count(client) == before + 1
    assert new_disk(client, size=40, disk_category="cloud_essd")


def test_create_snapshot_category_with_instant_access_and_its_days(client):
    instance_id = run_one(client)
    system = disks_of(client, instance_id)["system"].disk_id
    create = client.create_snapshot
    assert_documented(error_of(create, m.CreateSnapshotRequest(disk_id=system, category="flash", instant_access=True)),
                      "CreateSnapshot", "InvalidCategoryAndInstantAccess.Malformed")
    for days in (0, 65536):
        err = error_of(create, m.CreateSnapshotRequest(disk_id=system, instant_access=True,
                                                       instant_access_retention_days=days))
        assert_documented(err, "CreateSnapshot", "InvalidInstantAccessRetentionDays.Malformed")
    assert client.describe_snapshots(m.DescribeSnapshotsRequest(region_id=REGION)).body.total_count == 0
    assert create(m.CreateSnapshotRequest(disk_id=system, instant_access=True, instant_access_retention_days=1))


def test_no_snapshots_of_local_disks(client, engine):
    from mockecs.world import resources

    instance_id = run_one(client)
    system = disks_of(client, instance_id)["system"].disk_id
    with engine.store.transaction() as txn:  # (no instance type of the catalog has local disks: one made here)
        resources.put(txn, "disk", {**txn.get("disk", system), "Category": "ephemeral_ssd"})
    err = error_of(client.create_snapshot, m.CreateSnapshotRequest(disk_id=system))
    assert_documented(err, "CreateSnapshot", "IncorrectDiskType.NotSupport")


# -- ReplaceSystemDisk -----------------------------------------------------------------------------------------------
def test_replace_system_disk_of_a_creating_instance_a_long_host_name_and_encryption(client, engine):
    engine.lifecycle.delay("instance", seconds=5)
    pending = launch(client, "CreateInstance", zone_id=ZONE).instance_id
    replace = client.replace_system_disk
    assert_documented(error_of(replace, m.ReplaceSystemDiskRequest(instance_id=pending, image_id=UBUNTU)),
                      "ReplaceSystemDisk", "OperationDenied.InstanceCreating")
    engine.lifecycle.undelay("instance")
    named = launch(client, "CreateInstance", zone_id=ZONE, host_name="a-rather-long-linux-host").instance_id
    plain = launch(client, "CreateInstance", zone_id=ZONE).instance_id
    engine.clock.advance(5)
    assert_documented(error_of(replace, m.ReplaceSystemDiskRequest(instance_id=named, image_id=WINDOWS)),
                      "ReplaceSystemDisk", "InvalidHostname.MismatchImage")
    client.enable_disk_encryption_by_default(m.EnableDiskEncryptionByDefaultRequest(region_id=REGION))
    assert_documented(error_of(replace, m.ReplaceSystemDiskRequest(instance_id=plain, image_id=UBUNTU,
                                                                   encrypted=False)),
                      "ReplaceSystemDisk", "InvalidEncrypted.DefaultEncryptionUnsupported")
    assert replace(m.ReplaceSystemDiskRequest(instance_id=plain, image_id=WINDOWS))  # (a host name mockecs made)
    assert replace(m.ReplaceSystemDiskRequest(instance_id=named, image_id=UBUNTU))


# -- instance settings, networks, EIPs -------------------------------------------------------------------------------
def test_modify_instance_spec_temporary_window_and_bandwidth_with_an_eip(client):
    _, vswitch, group = network(client)
    instance_id = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=group).instance_id
    spec = client.modify_instance_spec
    temporary = m.ModifyInstanceSpecRequestTemporary
    for window, code in (({"end_time": "2030-01-01T00:00Z"}, "MissingTemporary.StartTime"),
                         ({"start_time": "2030-01-01T00:00Z"}, "MissingTemporary.EndTime")):
        err = error_of(spec, m.ModifyInstanceSpecRequest(instance_id=instance_id, temporary=temporary(
            internet_max_bandwidth_out=10, **window)))
        assert_documented(err, "ModifyInstanceSpec", code)
    eip = client.allocate_eip_address(m.AllocateEipAddressRequest(region_id=REGION)).body.allocation_id
    client.associate_eip_address(m.AssociateEipAddressRequest(allocation_id=eip, instance_id=instance_id))
    err = error_of(spec, m.ModifyInstanceSpecRequest(instance_id=instance_id, temporary=temporary(
        internet_max_bandwidth_out=10, start_time="2030-01-01T00:00Z", end_time="2030-01-02T00:00Z")))
    assert_documented(err, "ModifyInstanceSpec", "BandwidthUpgradeDenied.EipBoundInstance")
    err = error_of(spec, m.ModifyInstanceSpecRequest(instance_id=instance_id, internet_max_bandwidth_out=10))
    assert_documented(err, "ModifyInstanceSpec", "InvalidOperation.EipNotSupport")
    spec(m.ModifyInstanceSpecRequest(instance_id=instance_id, internet_max_bandwidth_in=50))
    found = client.describe_instances(m.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.instances.instance[0]
    assert (found.internet_max_bandwidth_out, found.internet_max_bandwidth_in) == (0, 50)


def test_an_eip_for_a_missing_ha_vip(client):
    eip = client.allocate_eip_address(m.AllocateEipAddressRequest(region_id=REGION)).body.allocation_id
    err = error_of(client.associate_eip_address, m.AssociateEipAddressRequest(
        allocation_id=eip, instance_id="havip-bp1nosuchhavip00000", instance_type="HaVip"))
    assert_documented(err, "AssociateEipAddress", "InvalidHaVip.NotFound")


def test_mixed_group_types_on_an_instance_and_an_eni(client):
    vpc, vswitch, normal = network(client)
    enterprise = client.create_security_group(m.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=vpc, security_group_type="enterprise")).body.security_group_id
    instance_id = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=normal).instance_id
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(
        instance_id=instance_id, security_group_ids=[normal, enterprise]))
    assert_documented(err, "ModifyInstanceAttribute", "EnterpriseGroupLimited.MutliGroupType")
    err = error_of(client.create_network_interface, m.CreateNetworkInterfaceRequest(
        region_id=REGION, v_switch_id=vswitch, security_group_ids=[normal, enterprise]))
    assert_documented(err, "CreateNetworkInterface", "EnterpriseGroupLimited.MutliGroupType")
    assert client.describe_network_interfaces(m.DescribeNetworkInterfacesRequest(
        region_id=REGION, type="Secondary")).body.total_count == 0
    client.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=instance_id,
                                                                      security_group_ids=[enterprise]))


def test_user_data_of_a_classic_instance(client, engine):
    engine.config.options["classic_network_checks"] = True
    instance_id = launch(client, "CreateInstance").instance_id
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(instance_id=instance_id,
                                                                                      user_data=USER_DATA))
    assert_documented(err, "ModifyInstanceAttribute", "InvalidUserData.NotSupported")


@pytest.mark.parametrize("action", ["RenewInstance", "ModifyInstanceChargeType", "ModifyInstanceSpec"])
def test_a_malformed_client_token_on_changes(client, action):
    instance_id = launch(client, "CreateInstance").instance_id
    request = {"RenewInstance": lambda: m.RenewInstanceRequest(instance_id=instance_id, period=1),
               "ModifyInstanceChargeType": lambda: m.ModifyInstanceChargeTypeRequest(
                   region_id=REGION, instance_ids=json.dumps([instance_id]), period=1),
               "ModifyInstanceSpec": lambda: m.ModifyInstanceSpecRequest(instance_id=instance_id,
                                                                         internet_max_bandwidth_in=20)}[action]()
    request.client_token = "é" * 10
    call = getattr(client, {"RenewInstance": "renew_instance", "ModifyInstanceChargeType":
                            "modify_instance_charge_type", "ModifyInstanceSpec": "modify_instance_spec"}[action])
    assert_documented(error_of(call, request), action, "InvalidClientToken.ValueNotSupported")


# -- batch names, bandwidths -----------------------------------------------------------------------------------------
def names_of(client, ids: list[str]) -> list[tuple[str, str]]:
    found = client.describe_instances(m.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps(ids))).body
    by_id = {i.instance_id: (i.instance_name, i.host_name) for i in found.instances.instance}
    return [by_id[i] for i in ids]


def test_sequences_and_unique_suffixes_in_batch_names(client):
    ids = launch(client, amount=3, instance_name="web-[7,2]-a", host_name="node[,3]").instance_id_sets.instance_id_set
    assert names_of(client, ids) == [("web-07-a", "node000"), ("web-08-a", "node001"), ("web-09-a", "node002")]
    ids = launch(client, amount=2, instance_name="db", host_name="db-host", unique_suffix=True) \
        .instance_id_sets.instance_id_set
    assert names_of(client, ids) == [("db001", "db-host001"), ("db002", "db-host002")]
    [one] = launch(client, instance_name="solo", unique_suffix=True).instance_id_sets.instance_id_set
    assert names_of(client, [one])[0][0] == "solo001"  # (a batch of one too: what Ansible's ali_instance expects)
    for name in ("web-[7]", "web-[a,b]", "web-[1,7]", "web-[1,2", "web-[1,2]-[3,4]"):
        refused(client, "RunInstances", "InvalidInstanceName.CustomMalformed", amount=2, instance_name=name)
    refused(client, "RunInstances", "InvalidParams.InstanceNameExceed", amount=2, instance_name="n" * 126,
            unique_suffix=True)
    refused(client, "RunInstances", "InvalidParams.HostnameExceed", amount=2, host_name="h" * 62, unique_suffix=True)
    refused(client, "RunInstances", "InvalidParams.HostnameExceed", amount=2, host_name="win-host-name",
            unique_suffix=True, image_id=WINDOWS)


@pytest.mark.parametrize("action", BOTH)
def test_bandwidths_out_of_range(client, action):
    refused(client, action, "InvalidInternetMaxBandwidthOut.Malformed", internet_max_bandwidth_out=101)
    refused(client, action, "InvalidInternetMaxBandwidthIn.Malformed", internet_max_bandwidth_in=0)
    refused(client, action, "InvalidInternetMaxBandwidthIn.Malformed", internet_max_bandwidth_in=201)
    assert launch(client, action, internet_max_bandwidth_out=100, internet_max_bandwidth_in=200)


def test_modify_instance_spec_disk_categories_and_bandwidth(client):
    instance_id = launch(client, "CreateInstance").instance_id
    system = disks_of(client, instance_id)["system"].disk_id
    spec = client.modify_instance_spec
    for kw, code in (({"internet_max_bandwidth_out": 101}, "InvalidParameter.InternetMaxBandwidthOut"),
                     ({"system_disk": m.ModifyInstanceSpecRequestSystemDisk(category="floppy")},
                      "InvalidParam.SystemDiskCategory"),
                     ({"disk": [m.ModifyInstanceSpecRequestDisk(disk_id=system)]}, "MissingParameter.DiskCategory"),
                     ({"disk": [m.ModifyInstanceSpecRequestDisk(disk_id=system, category="floppy")]},
                      "InvalidParameter.DiskCategory")):
        err = error_of(spec, m.ModifyInstanceSpecRequest(instance_id=instance_id, instance_type="ecs.g7.xlarge", **kw))
        assert_documented(err, "ModifyInstanceSpec", code)
    found = client.describe_instances(m.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.instances.instance[0]
    assert found.instance_type == "ecs.g7.large"


def test_eni_queue_sizes(client):
    _, vswitch, group = network(client)
    create = client.create_network_interface
    for tx, rx in ((8192, 16384), (4096, 4096), (8192, None), (12288, 12288)):
        err = error_of(create, m.CreateNetworkInterfaceRequest(region_id=REGION, v_switch_id=vswitch,
                                                               security_group_id=group, tx_queue_size=tx,
                                                               rx_queue_size=rx))
        assert_documented(err, "CreateNetworkInterface", "InvalidParameter.EniQueueSize")
    assert create(m.CreateNetworkInterfaceRequest(region_id=REGION, v_switch_id=vswitch, security_group_id=group,
                                                  tx_queue_size=16384, rx_queue_size=16384))
    interface = m.RunInstancesRequestNetworkInterface
    refused(client, "RunInstances", "InvalidParameter.EniQueueSize", network_interface=[
        interface(instance_type="Primary", v_switch_id=vswitch, security_group_id=group, tx_queue_size=8192)])


def test_copy_snapshot_of_a_local_snapshot_and_behind_an_unfinished_encrypted_copy(client, engine):
    system = disks_of(client, run_one(client))["system"].disk_id
    local = client.create_snapshot(m.CreateSnapshotRequest(disk_id=system, category="flash")).body.snapshot_id
    standard = client.create_snapshot(m.CreateSnapshotRequest(disk_id=system)).body.snapshot_id

    def copy(snapshot_id: str, **kw) -> str:
        return client.copy_snapshot(m.CopySnapshotRequest(
            region_id=REGION, snapshot_id=snapshot_id, destination_region_id="cn-beijing",
            destination_snapshot_name="copied", destination_snapshot_description="a copy", **kw)).body.snapshot_id

    assert_documented(error_of(copy, local), "CopySnapshot", "InvalidSnapshotCategory.NotSupportCopy")
    engine.lifecycle.delay("snapshot", seconds=20)
    assert copy(standard, encrypted=True)
    assert_documented(error_of(copy, standard), "CopySnapshot", "InvalidOperation.UnfinishedEncryptedSnapshotCopy")
    engine.clock.advance(20)
    assert copy(standard)
    assert_documented(error_of(copy, standard), "CopySnapshot", "InvalidOperation.UnfinishedCrossRegionCopy")


# -- images on types: NVMe, boot mode ------------------------------------------------------------------------------
CENTOS = "centos_7_9_x64_20G_alibase_20240628.vhd"  # BIOS, no NVMe
UEFI_ONLY = "aliyun_3_9_x64_20G_uefi_alibase_20231219.vhd"  # UEFI, NVMe


@pytest.mark.parametrize("action", BOTH)
def test_images_lacking_the_types_nvme_or_boot_mode(client, action):
    err = refused(client, action, "InvalidParameter.NotMatch", image_id=CENTOS, instance_type="ecs.g8i.large")
    assert err.data["Message"] == "The specified instance type requires NVMe but the image does not support NVMe."
    err = refused(client, action, "InvalidParameter.NotMatch", image_id=UEFI_ONLY, instance_type="ecs.t6-c1m1.large")
    assert "boot mode" in err.data["Message"]
    assert launch(client, action, image_id=UEFI_ONLY, instance_type="ecs.g8i.large", zone_id="cn-hangzhou-i")
    assert launch(client, action, image_id=CENTOS, instance_type="ecs.g7.large")


def test_replace_system_disk_and_modify_instance_spec_with_an_image_the_type_cannot_boot(client):
    instance_id = launch(client, "CreateInstance", instance_type="ecs.g8i.large", zone_id=ZONE).instance_id
    err = error_of(client.replace_system_disk, m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=CENTOS))
    assert_documented(err, "ReplaceSystemDisk", "InvalidParameter.NotMatch")
    uefi = launch(client, "CreateInstance", image_id=UEFI_ONLY, zone_id=ZONE).instance_id
    err = error_of(client.modify_instance_spec, m.ModifyInstanceSpecRequest(instance_id=uefi,
                                                                            instance_type="ecs.t6-c1m1.large"))
    assert_documented(err, "ModifyInstanceSpec", "InvalidParameter.NotMatch")


def custom_image(client, engine, **fields) -> str:
    """A custom image of a new instance, its record then changed by ``fields`` (what no API sets)."""
    from mockecs.world import resources

    image_id = client.create_image(m.CreateImageRequest(region_id=REGION, instance_id=run_one(client))).body.image_id
    with engine.store.transaction() as txn:
        resources.put(txn, "image", {**txn.get("image", image_id), **fields})
    return image_id


@pytest.mark.parametrize("action", BOTH)
def test_an_image_without_io_optimization_or_cloud_init(client, engine, action):
    plain = custom_image(client, engine, IsSupportIoOptimized=False)
    refused(client, action, "IoOptimized.NotSupported", image_id=plain)
    no_init = custom_image(client, engine, IsSupportCloudinit=False)
    refused(client, action, "ImageNotSupportCloudInit", image_id=no_init, user_data=USER_DATA)
    assert launch(client, action, image_id=no_init)


def test_replace_system_disk_and_user_data_changes_with_such_images(client, engine):
    plain = custom_image(client, engine, IsSupportIoOptimized=False)
    no_init = custom_image(client, engine, IsSupportCloudinit=False)
    instance_id = launch(client, "CreateInstance", image_id=no_init).instance_id
    err = error_of(client.replace_system_disk, m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=plain))
    assert_documented(err, "ReplaceSystemDisk", "IoOptimized.NotSupported")
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(instance_id=instance_id,
                                                                                      user_data=USER_DATA))
    assert_documented(err, "ModifyInstanceAttribute", "ImageNotSupportCloudInit")
    client.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=instance_id, user_data=""))


@pytest.mark.parametrize("action", BOTH)
def test_data_disks_from_snapshots_taken_before_july_2013(client, engine, action):
    now = engine.clock.now()
    engine.clock.advance(-(now - 1341100800))  # 2012-07-01 on the mock clock
    disk = disks_of(client, run_one(client))["system"].disk_id
    old = client.create_snapshot(m.CreateSnapshotRequest(disk_id=disk)).body.snapshot_id
    engine.clock.advance(now - engine.clock.now() + 60)  # back in the present
    data = getattr(m, f"{action}RequestDataDisk")
    refused(client, action, "InvalidSnapshotId.BasedSnapshotTooOld", data_disk=[data(snapshot_id=old)])
    fresh = client.create_snapshot(m.CreateSnapshotRequest(disk_id=disk)).body.snapshot_id
    assert launch(client, action, data_disk=[data(snapshot_id=fresh)])


def test_the_snapshot_quota_on_create_and_copy(client, engine):
    system = disks_of(client, run_one(client))["system"].disk_id
    first = client.create_snapshot(m.CreateSnapshotRequest(disk_id=system)).body.snapshot_id
    engine.config.options["snapshot_quota"] = 1
    err = error_of(client.create_snapshot, m.CreateSnapshotRequest(disk_id=system))
    assert_documented(err, "CreateSnapshot", "QuotaExceed.Snapshot")

    def copy(name: str) -> str:
        return client.copy_snapshot(m.CopySnapshotRequest(
            region_id=REGION, snapshot_id=first, destination_region_id="cn-beijing", destination_snapshot_name=name,
            destination_snapshot_description="a copy")).body.snapshot_id

    assert copy("copied")  # (cn-beijing held none: it fits)
    assert_documented(error_of(copy, "again"), "CopySnapshot", "QuotaExceed.SnapshotQuota")


def test_an_account_in_arrears_buys_nothing_more(client, engine):
    instance_id = launch(client, "CreateInstance").instance_id
    engine.config.options["accounts_in_arrears"] = "*"
    for action in BOTH:
        refused(client, action, "Account.Arrearage")
    err = error_of(new_disk, client, size=40)
    assert_documented(err, "CreateDisk", "Account.Arrearage")
    err = error_of(client.modify_instance_spec, m.ModifyInstanceSpecRequest(instance_id=instance_id,
                                                                            internet_max_bandwidth_in=20))
    assert_documented(err, "ModifyInstanceSpec", "Account.Arrearage")
    err = error_of(client.modify_instance_charge_type, m.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), period=1))
    assert_documented(err, "ModifyInstanceChargeType", "Account.Arrearage")
    engine.config.options["accounts_in_arrears"] = "5555555555555555"  # (another account)
    assert launch(client)


def test_jumbo_frames_need_a_type_that_has_them_and_a_settled_instance(client, engine):
    small = launch(client, "CreateInstance", instance_type="ecs.t6-c1m1.large").instance_id  # (no jumbo frames)
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(instance_id=small,
                                                                                      enable_jumbo_frame=True))
    assert_documented(err, "ModifyInstanceAttribute", "InvalidParam.NotSupportJumboFrame")
    client.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=small, enable_jumbo_frame=False))
    engine.lifecycle.delay("instance", seconds=5)
    pending = launch(client, "CreateInstance").instance_id
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(instance_id=pending,
                                                                                      enable_jumbo_frame=True))
    assert_documented(err, "ModifyInstanceAttribute", "InvalidOperation.InstanceStatusNotSupport")
    engine.clock.advance(5)
    client.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=pending, enable_jumbo_frame=True))
    found = client.describe_instance_attribute(m.DescribeInstanceAttributeRequest(instance_id=pending)).body
    assert found.enable_jumbo_frame is True


def test_modify_instance_spec_allow_migrate_across_zone_not_a_boolean(client, legacy):
    from aliyunsdkecs.request.v20140526.ModifyInstanceSpecRequest import ModifyInstanceSpecRequest

    instance_id = launch(client, "CreateInstance").instance_id
    request = ModifyInstanceSpecRequest()
    request.set_InstanceId(instance_id)
    request.set_InstanceType("ecs.g7.xlarge")
    request.set_AllowMigrateAcrossZone("maybe")
    assert_old_sdk_documented(legacy, request, "ModifyInstanceSpec", "InvalidParameter.AllowMigrateAcrossZone")


def test_a_full_security_group_takes_no_more_instances(client):
    vpc, _, group = network(client)
    vswitch = new_vswitch(client, vpc, cidr_block="172.17.0.0/16", zone_id=ZONE)  # (room for 2,000 addresses)
    for _ in range(20):  # (2,000: a basic group's documented capacity)
        launch(client, amount=100, v_switch_id=vswitch, security_group_id=group)
    refused(client, "RunInstances", "SecurityGroupInstanceLimitExceed", v_switch_id=vswitch, security_group_id=group)
    refused(client, "CreateInstance", "SecurityGroupInstanceLimitExceed", v_switch_id=vswitch,
            security_group_id=group)
    other = client.create_security_group(m.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc)).body \
        .security_group_id
    outsider = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=other).instance_id
    err = error_of(client.modify_instance_attribute, m.ModifyInstanceAttributeRequest(
        instance_id=outsider, security_group_ids=[other, group]))
    assert_documented(err, "ModifyInstanceAttribute", "SecurityGroupInstanceLimitExceed")
    client.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=outsider,
                                                                      security_group_ids=[other]))


# -- CMKs of the disk and snapshot operations ------------------------------------------------------------------------
def test_cmks_of_create_disk_copy_snapshot_and_replace_system_disk(client, engine):
    from mockecs.world import kms
    from tests.sdk import DEFAULT_ACCOUNT

    for region in (REGION, "cn-beijing"):
        kms.add_key(engine, DEFAULT_ACCOUNT, region, "key-rsa", spec="RSA_2048")
        kms.add_key(engine, DEFAULT_ACCOUNT, region, "key-off", state="Disabled")
        kms.add_key(engine, DEFAULT_ACCOUNT, region, "key-untagged", ecs_tagged=False)
        kms.add_key(engine, DEFAULT_ACCOUNT, region, "key-ok")
    engine.config.options["kms_keys"] = "registered"
    instance_id = launch(client, "CreateInstance", zone_id=ZONE).instance_id
    snapshot = client.create_snapshot(m.CreateSnapshotRequest(
        disk_id=disks_of(client, instance_id)["system"].disk_id)).body.snapshot_id

    def create_disk(key: str) -> str:
        return new_disk(client, size=40, disk_category="cloud_essd", encrypted=True, kmskey_id=key)

    def copy(key: str) -> str:
        return client.copy_snapshot(m.CopySnapshotRequest(
            region_id=REGION, snapshot_id=snapshot, destination_region_id="cn-beijing",
            destination_snapshot_name="copied", destination_snapshot_description="a copy", encrypted=True,
            kmskey_id=key)).body.snapshot_id

    def replace(key: str, encrypted: bool = True) -> str:
        return client.replace_system_disk(m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=UBUNTU,
                                                                     encrypted=encrypted, kmskey_id=key)).body.disk_id

    for key, code in (("key-rsa", "InvalidKMSKeyId.NotSymmetric"),
                      ("key-off", "InvalidParameter.KMSKeyId.CMKNotEnabled"),
                      ("key-untagged", "InvalidParameter.KMSKeyId.CMKUnauthorized"),
                      ("key-nobody-made", "InvalidParameter.KMSKeyId.NotFound")):
        assert_documented(error_of(create_disk, key), "CreateDisk", code)
        assert_documented(error_of(copy, key), "CopySnapshot", code)
        assert_documented(error_of(replace, key), "ReplaceSystemDisk", code)
    assert_documented(error_of(replace, "key-ok", False), "ReplaceSystemDisk", "InvalidEncrypted.NotMatchKmsKeyId")
    kms.set_service(engine, DEFAULT_ACCOUNT, enabled=False)
    assert_documented(error_of(create_disk, "key-ok"), "CreateDisk", "InvalidParameter.KmsNotEnabled")
    assert_documented(error_of(copy, "key-ok"), "CopySnapshot", "InvalidParameter.KmsNotEnabled")
    kms.set_service(engine, DEFAULT_ACCOUNT, enabled=True)
    assert create_disk("key-ok") and copy("key-ok") and replace("key-ok")


@pytest.mark.parametrize("action", BOTH)
def test_cmks_of_launched_data_disks(client, engine, action):
    from mockecs.world import kms
    from tests.sdk import DEFAULT_ACCOUNT

    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-rsa", spec="RSA_2048")
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-untagged", ecs_tagged=False)
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-ok")
    data = getattr(m, f"{action}RequestDataDisk")
    refused(client, action, "InvalidEncrypted.NotMatchKmsKeyId", data_disk=[data(size=20, kmskey_id="key-ok")])
    refused(client, action, "IoOptimized.NotSupported", io_optimized="none",
            data_disk=[data(size=20, encrypted="true", kmskey_id="key-ok")])
    for key, code in (("key-rsa", "InvalidKMSKeyId.NotSymmetric"),
                      ("key-untagged", "InvalidParameter.KMSKeyId.CMKUnauthorized")):
        refused(client, action, code, data_disk=[data(size=20, encrypted="true", kmskey_id=key)])
    kms.set_service(engine, DEFAULT_ACCOUNT, enabled=False)
    refused(client, action, "InvalidParameter.KmsNotEnabled",
            data_disk=[data(size=20, encrypted="true", kmskey_id="key-ok")])
    kms.set_service(engine, DEFAULT_ACCOUNT, enabled=True)
    body = launch(client, action, data_disk=[data(size=20, encrypted="true", kmskey_id="key-ok")])
    instance_id = body.instance_id_sets.instance_id_set[0] if action == "RunInstances" else body.instance_id
    made = disks_of(client, instance_id)["data"]
    assert (made.encrypted, made.kmskey_id) == (True, "key-ok")


def test_encrypted_system_disks_of_run_instances_and_replace_system_disk(client, engine):
    from mockecs.world import kms
    from tests.sdk import DEFAULT_ACCOUNT

    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-rsa", spec="RSA_2048")
    kms.add_key(engine, DEFAULT_ACCOUNT, REGION, "key-ok")
    system = m.RunInstancesRequestSystemDisk
    refused(client, "RunInstances", "InvalidKMSKeyId.NotSymmetric",
            system_disk=system(encrypted="true", kmskey_id="key-rsa"))
    refused(client, "RunInstances", "InvalidEncrypted.NotMatchKmsKeyId", system_disk=system(kmskey_id="key-ok"))
    instance_id = run_one(client, system_disk=system(encrypted="true", kmskey_id="key-ok"))
    made = disks_of(client, instance_id)["system"]
    assert (made.encrypted, made.kmskey_id) == (True, "key-ok")
    client.stop_instance(m.StopInstanceRequest(instance_id=instance_id))
    assert_documented(error_of(client.replace_system_disk, m.ReplaceSystemDiskRequest(
        instance_id=instance_id, image_id=UBUNTU, encrypted=True, kmskey_id="key-rsa")),
        "ReplaceSystemDisk", "InvalidKMSKeyId.NotSymmetric")
    client.replace_system_disk(m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=UBUNTU))
    assert disks_of(client, instance_id)["system"].encrypted is False
    client.replace_system_disk(m.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=UBUNTU, encrypted=True,
                                                          kmskey_id="key-ok"))
    made = disks_of(client, instance_id)["system"]
    assert (made.encrypted, made.kmskey_id) == (True, "key-ok")


def test_a_role_ecs_may_not_assume(client, engine):
    from mockecs.world import ram
    from tests.sdk import DEFAULT_ACCOUNT

    ram.add_role(engine, DEFAULT_ACCOUNT, "FcRole", trusted=("fc.aliyuncs.com",))
    ram.add_role(engine, DEFAULT_ACCOUNT, "EcsRole")
    _, vswitch, group = network(client)
    for action in BOTH:
        refused(client, action, "InvalidRamRole.NotEcsRole", ram_role_name="FcRole", v_switch_id=vswitch,
                security_group_id=group)
    instance_id = launch(client, "CreateInstance", ram_role_name="EcsRole", v_switch_id=vswitch,
                         security_group_id=group).instance_id
    other = launch(client, "CreateInstance", v_switch_id=vswitch, security_group_id=group).instance_id
    err = error_of(client.attach_instance_ram_role, m.AttachInstanceRamRoleRequest(
        region_id=REGION, instance_ids=json.dumps([other]), ram_role_name="FcRole"))
    assert_documented(err, "AttachInstanceRamRole", "InvalidRamRole.NotEcsRole")
    assert instance_id

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
from tests.spec import documented_error
from tests.test_images import UBUNTU

REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-i"
WINDOWS = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"


def assert_documented(err: ClientException, action: str, code: str) -> None:
    documented = documented_error(action, code)
    assert documented is not None, f"{code} is not documented for {action}"
    status, message = documented
    assert (err.code, err.status_code) == (code, status), err
    if "%s" not in message:
        assert err.data["Message"] == message


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
def test_user_data_needs_a_vpc_instance(client, action):
    refused(client, action, "InvalidUserData.NotSupported", user_data=USER_DATA)
    _, vswitch, group = network(client)
    assert launch(client, action, user_data=USER_DATA, v_switch_id=vswitch, security_group_id=group)


@pytest.mark.parametrize("action", BOTH)
def test_spot_launches_need_a_zone_and_stop_needs_a_vpc(client, action):
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


def test_user_data_of_a_classic_launch_through_the_old_sdk_in_xml(legacy):
    request = RunInstancesRequest.RunInstancesRequest()
    request.set_ImageId(UBUNTU)
    request.set_InstanceType("ecs.g7.large")
    request.set_UserData(USER_DATA)
    request.set_accept_format("XML")
    with pytest.raises(ServerException) as info:
        legacy.do_action_with_exception(request)
    status, message = documented_error("RunInstances", "InvalidUserData.NotSupported")
    assert (info.value.get_error_code(), info.value.get_http_status(), info.value.get_error_msg()) == \
        ("InvalidUserData.NotSupported", status, message)

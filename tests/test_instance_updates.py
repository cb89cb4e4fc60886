"""What Terraform's alicloud_instance calls on an update, and the reads that must answer it afterwards:
ModifyInstanceMetadataOptions (DescribeInstances' MetadataOptions), ModifyInstanceMaintenanceAttributes
(DescribeInstanceMaintenanceAttributes), ModifyInstanceAttachmentAttributes (DescribeInstanceAttachmentAttributes),
ModifyInstanceAutoReleaseTime (DescribeInstances' AutoReleaseTime) and ModifyInstanceSpec (InstanceType, Cpu,
Memory); through the current SDK (sync and async), the old SDK (JSON and XML), with the metadata's codes."""
from __future__ import annotations

import asyncio
import json
import time

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.ModifyInstanceAttachmentAttributesRequest import (
    ModifyInstanceAttachmentAttributesRequest,
)
from aliyunsdkecs.request.v20140526.ModifyInstanceAutoReleaseTimeRequest import ModifyInstanceAutoReleaseTimeRequest
from aliyunsdkecs.request.v20140526.ModifyInstanceMaintenanceAttributesRequest import (
    ModifyInstanceMaintenanceAttributesRequest,
)
from aliyunsdkecs.request.v20140526.ModifyInstanceMetadataOptionsRequest import ModifyInstanceMetadataOptionsRequest
from aliyunsdkecs.request.v20140526.ModifyInstanceSpecRequest import ModifyInstanceSpecRequest

from mockecs.ops.instances import INSTANCE_FIELD_ORDER
from mockecs.world import instance_types
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instance_attribute import attribute
from tests.test_instance_settings import DEFAULT_ACTION, maintenance
from tests.test_instances import ARM_TYPE, assert_documented, describe, old_error, run

REGION = "cn-hangzhou"
METADATA = models.ModifyInstanceMetadataOptionsRequest
WINDOW = models.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow
POOL = models.ModifyInstanceAttachmentAttributesRequestPrivatePoolOptions


def vpc_instance(client, **kw) -> str:
    vswitch = new_vswitch(client, new_vpc(client))
    return run(client, v_switch_id=vswitch, zone_id="cn-hangzhou-i", **kw)[0]


def stop(client, instance_id: str) -> None:
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    assert describe(client, instance_id)["Status"] == "Stopped"


# -- ModifyInstanceMetadataOptions -------------------------------------------------------------------------------
def test_metadata_options_show_in_describe_instances(client):
    [instance_id] = run(client)
    assert describe(client, instance_id)["MetadataOptions"] == {
        "HttpEndpoint": "enabled", "HttpTokens": "optional", "HttpPutResponseHopLimit": 1}
    client.modify_instance_metadata_options(METADATA(region_id=REGION, instance_id=instance_id,
                                                     http_endpoint="enabled", http_tokens="required",
                                                     http_put_response_hop_limit=8, instance_metadata_tags="enabled"))
    assert describe(client, instance_id)["MetadataOptions"] == {
        "HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 8,
        "InstanceMetadataTags": "enabled"}
    # Terraform sends HttpEndpoint (always) and HttpTokens; what is not sent keeps its value
    client.modify_instance_metadata_options(METADATA(region_id=REGION, instance_id=instance_id,
                                                     http_endpoint="disabled"))
    assert describe(client, instance_id)["MetadataOptions"] == {
        "HttpEndpoint": "disabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 8,
        "InstanceMetadataTags": "enabled"}


@pytest.mark.parametrize("kw, code", [
    ({"http_endpoint": "on"}, "InvalidHttpEndpoint.NotSupported"),
    ({"http_endpoint": "enabled", "http_tokens": "always"}, "InvalidHttpTokens.NotSupported"),
    ({"http_endpoint": "enabled", "http_put_response_hop_limit": 65}, "InvalidHttpPutResponseHopLimit.NotSupported"),
    ({"http_endpoint": "enabled", "http_put_response_hop_limit": 0}, "InvalidHttpPutResponseHopLimit.NotSupported"),
    ({"http_endpoint": "enabled", "instance_metadata_tags": "yes"}, "InvalidInstanceMetadataTags.NotSupported"),
])
def test_metadata_options_refused_values_change_nothing(client, kw, code):
    [instance_id] = run(client)
    err = error_of(client.modify_instance_metadata_options, METADATA(region_id=REGION, instance_id=instance_id,
                                                                     **{"http_tokens": "required", **kw}))
    assert (err.code, err.status_code) == (code, 400)
    assert_documented("ModifyInstanceMetadataOptions", err)
    assert describe(client, instance_id)["MetadataOptions"]["HttpTokens"] == "optional"


def test_metadata_options_not_found_and_missing(client, other):
    [instance_id] = run(client)
    for kw in ({"instance_id": "i-bp1nothere"}, {}):
        err = error_of(client.modify_instance_metadata_options, METADATA(region_id=REGION, http_endpoint="enabled",
                                                                         **kw))
        assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
        assert_documented("ModifyInstanceMetadataOptions", err)
    err = error_of(other.client.modify_instance_metadata_options,  # another account's instance
                   METADATA(region_id=REGION, instance_id=instance_id, http_endpoint="enabled"))
    assert err.code == "InvalidInstanceId.NotFound"
    err = error_of(client.modify_instance_metadata_options, METADATA(region_id=REGION, instance_id=instance_id))
    assert (err.code, err.status_code) == ("MissingParameter", 400)  # HttpEndpoint is required


def test_metadata_options_old_sdk_in_xml(client, legacy):
    [instance_id] = run(client)
    request = ModifyInstanceMetadataOptionsRequest()
    request.set_InstanceId(instance_id)
    request.set_HttpEndpoint("enabled")
    request.set_HttpTokens("required")
    root = legacy_xml(legacy, request)
    assert root.tag == "ModifyInstanceMetadataOptionsResponse" and root.findtext("RequestId")
    assert describe(client, instance_id)["MetadataOptions"]["HttpTokens"] == "required"
    request.set_HttpTokens("sometimes")
    root = legacy_xml(legacy, request)
    assert root.findtext("Code") == "InvalidHttpTokens.NotSupported"


# -- ModifyInstanceMaintenanceAttributes -------------------------------------------------------------------------
def modify_maintenance(client, **kw) -> None:
    client.modify_instance_maintenance_attributes(
        models.ModifyInstanceMaintenanceAttributesRequest(region_id=REGION, **kw))


def test_maintenance_attributes_are_kept_and_read_back(client):
    first, second = run(client, amount=2)
    modify_maintenance(client, instance_id=[first, second], action_on_maintenance="Stop", notify_on_maintenance=True,
                       maintenance_window=[WINDOW(start_time="22:00:00", end_time="02:00:00")])
    rows = maintenance(client, instance_id=[first, second])["MaintenanceAttributes"]["MaintenanceAttribute"]
    assert rows[1] == {"InstanceId": second, "NotifyOnMaintenance": True,
                       "MaintenanceWindows": {"MaintenanceWindow": [{"StartTime": "22:00:00", "EndTime": "02:00:00"}]},
                       "ActionOnMaintenance": {**DEFAULT_ACTION, "Value": "Stop"}}
    # only what is sent changes
    modify_maintenance(client, instance_id=[first], action_on_maintenance="AutoRedeploy")
    [row] = maintenance(client, instance_id=[first])["MaintenanceAttributes"]["MaintenanceAttribute"]
    assert (row["ActionOnMaintenance"]["Value"], row["NotifyOnMaintenance"]) == ("AutoRedeploy", True)
    assert row["MaintenanceWindows"]["MaintenanceWindow"] == [{"StartTime": "22:00:00", "EndTime": "02:00:00"}]
    assert maintenance(client, instance_id=[second])["MaintenanceAttributes"]["MaintenanceAttribute"][0][
        "ActionOnMaintenance"]["Value"] == "Stop"


@pytest.mark.parametrize("kw, code, status", [
    ({"instance_id": ["i-bp1nothere"], "action_on_maintenance": "Stop"}, "InvalidInstanceId.NotFound", 404),
    ({"instance_id": None, "action_on_maintenance": "Stop"}, "InvalidParameter", 403),  # no instance named
    ({"action_on_maintenance": "Reboot"}, "InvalidParameter", 403),
    ({"maintenance_window": [WINDOW(start_time="02:30:00", end_time="04:00:00")]}, "InvalidParameter", 403),
    ({"maintenance_window": [WINDOW(start_time="02:00:00")]}, "InvalidParameter", 403),
    ({"maintenance_window": [WINDOW(start_time="02:00:00", end_time="02:00:00")]}, "InvalidParameter", 403),
    ({"maintenance_window": [WINDOW(start_time="01:00:00", end_time="02:00:00"),
                             WINDOW(start_time="03:00:00", end_time="04:00:00")]}, "InvalidParameter", 403),
])
def test_maintenance_attributes_refused(client, kw, code, status):
    [instance_id] = run(client)
    err = error_of(modify_maintenance, client, **{"instance_id": [instance_id], **kw})
    assert (err.code, err.status_code) == (code, status)
    assert_documented("ModifyInstanceMaintenanceAttributes", err)
    assert maintenance(client, instance_id=[instance_id])["MaintenanceAttributes"]["MaintenanceAttribute"][0][
        "ActionOnMaintenance"]["Value"] == "AutoRecover"


def test_maintenance_one_unknown_instance_changes_none(client, legacy):
    [instance_id] = run(client)
    request = ModifyInstanceMaintenanceAttributesRequest()
    request.set_InstanceIds([instance_id, "i-bp1nothere"])
    request.set_ActionOnMaintenance("Stop")
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidInstanceId.NotFound", 404)
    assert maintenance(client, instance_id=[instance_id])["MaintenanceAttributes"]["MaintenanceAttribute"][0][
        "ActionOnMaintenance"]["Value"] == "AutoRecover"
    request = ModifyInstanceMaintenanceAttributesRequest()
    request.set_InstanceIds([instance_id])
    request.set_MaintenanceWindows([{"StartTime": "03:00:00", "EndTime": "05:00:00"}])
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    [row] = maintenance(client, instance_id=[instance_id])["MaintenanceAttributes"]["MaintenanceAttribute"]
    assert row["MaintenanceWindows"]["MaintenanceWindow"] == [{"StartTime": "03:00:00", "EndTime": "05:00:00"}]


# -- ModifyInstanceAttachmentAttributes --------------------------------------------------------------------------
def attachment(client, instance_id: str) -> dict:
    return client.describe_instance_attachment_attributes(models.DescribeInstanceAttachmentAttributesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.to_map()["Instances"]["Instance"][0]


def modify_attachment(client, instance_id: str, criteria: str = None, pool_id: str = None, **kw) -> None:
    client.modify_instance_attachment_attributes(models.ModifyInstanceAttachmentAttributesRequest(
        region_id=REGION, instance_id=instance_id, private_pool_options=POOL(match_criteria=criteria, id=pool_id),
        **kw))


def test_attachment_attributes_open_and_none(client):
    instance_id = vpc_instance(client)
    modify_attachment(client, instance_id, "Open")
    assert attachment(client, instance_id) == {"InstanceId": instance_id, "PrivatePoolOptionsMatchCriteria": "Open",
                                               "PrivatePoolOptionsId": ""}
    modify_attachment(client, instance_id, "None")
    assert attachment(client, instance_id)["PrivatePoolOptionsMatchCriteria"] == "None"


def test_attachment_attributes_refused(client, legacy):
    instance_id = vpc_instance(client)
    [classic] = run(client)  # no vSwitch: classic network
    [spot] = run(client, v_switch_id=describe(client, instance_id)["VpcAttributes"]["VSwitchId"],
                 zone_id="cn-hangzhou-i", spot_strategy="SpotAsPriceGo")
    for target, criteria, pool_id, code in (
            (instance_id, "Target", None, "MissingParameter.PrivatePoolOptions.Id"),
            (instance_id, "Target", "eap-bp1nothere", "Invalid.PrivatePoolOptions.Id"),
            ("i-bp1nothere", "Open", None, "Invalid.InstanceId"),
            ("sg-bp1notaninstance", "Open", None, "InvalidInstanceId.MalFormed"),
            (classic, "Open", None, "ClassicNetworkNotSupported"),
            (spot, "Open", None, "SpotNotSupported")):
        err = error_of(modify_attachment, client, target, criteria, pool_id)
        assert (err.code, err.status_code) == (code, 400)
        assert_documented("ModifyInstanceAttachmentAttributes", err)
    assert attachment(client, instance_id)["PrivatePoolOptionsMatchCriteria"] == "None"
    err = error_of(modify_attachment, client, instance_id, "Sometimes")
    assert (err.code, err.status_code) == ("InvalidParameter", 400)
    err = error_of(modify_attachment, client, instance_id)
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    request = ModifyInstanceAttachmentAttributesRequest()
    request.set_PrivatePoolOptionsMatchCriteria("Open")
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("MissingParameter.InstanceId", 400)
    assert_documented("ModifyInstanceAttachmentAttributes", err)
    request.set_InstanceId(instance_id)
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    assert attachment(client, instance_id)["PrivatePoolOptionsMatchCriteria"] == "Open"


# -- ModifyInstanceAutoReleaseTime -------------------------------------------------------------------------------
def utc(moment: float, layout: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return time.strftime(layout, time.gmtime(moment))


def release_at(client, instance_id: str, when: str = None) -> None:
    client.modify_instance_auto_release_time(models.ModifyInstanceAutoReleaseTimeRequest(
        region_id=REGION, instance_id=instance_id, auto_release_time=when))


def test_auto_release_time_set_and_cleared(client, engine):
    [instance_id] = run(client)
    assert describe(client, instance_id)["AutoReleaseTime"] == ""
    hour = int(engine.clock.now() // 3600 + 2) * 3600
    release_at(client, instance_id, utc(hour + 7 * 60 + 42))  # seconds are dropped (documented)
    assert describe(client, instance_id)["AutoReleaseTime"] == utc(hour + 7 * 60, "%Y-%m-%dT%H:%MZ")
    release_at(client, instance_id, utc(hour + 3600, "%Y-%m-%dT%H:%MZ"))  # the form DescribeInstances answers
    assert describe(client, instance_id)["AutoReleaseTime"] == utc(hour + 3600, "%Y-%m-%dT%H:%MZ")
    release_at(client, instance_id)  # none: no release
    assert describe(client, instance_id)["AutoReleaseTime"] == ""


def test_auto_release_time_refused(client, engine, other):
    [instance_id] = run(client)
    now = engine.clock.now()
    for when in ("tomorrow", "2030-01-01", utc(now + 600), utc(now + 4 * 366 * 86400)):
        err = error_of(release_at, client, instance_id, when)
        assert (err.code, err.status_code) == ("InvalidAutoReleaseTime.Malformed", 400), when
        assert_documented("ModifyInstanceAutoReleaseTime", err)
    later = utc(now + 86400)
    for who, target in ((client, "i-bp1nothere"), (other.client, instance_id)):
        err = error_of(release_at, who, target, later)
        assert (err.code, err.status_code) == ("NoSuchResource", 404)
        assert_documented("ModifyInstanceAutoReleaseTime", err)
    [prepaid] = run(client, instance_charge_type="PrePaid")
    err = error_of(release_at, client, prepaid, later)
    assert (err.code, err.status_code) == ("ChargeTypeViolation", 403)
    assert_documented("ModifyInstanceAutoReleaseTime", err)
    assert describe(client, instance_id)["AutoReleaseTime"] == describe(client, prepaid)["AutoReleaseTime"] == ""


def test_auto_release_time_async_and_old_sdk(client, legacy, engine):
    [instance_id] = run(client)
    later = utc(engine.clock.now() + 86400)

    async def modify():
        await client.modify_instance_auto_release_time_async(models.ModifyInstanceAutoReleaseTimeRequest(
            instance_id=instance_id, auto_release_time=later))  # RegionId is optional: the instance's

    asyncio.run(modify())
    assert describe(client, instance_id)["AutoReleaseTime"] == later[:-4] + "Z"
    request = ModifyInstanceAutoReleaseTimeRequest()
    request.set_InstanceId(instance_id)
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    assert describe(client, instance_id)["AutoReleaseTime"] == ""
    err = old_error(legacy, ModifyInstanceAutoReleaseTimeRequest())
    assert (err.get_error_code(), err.get_http_status()) == ("MissingParameter", 400)
    assert_documented("ModifyInstanceAutoReleaseTime", err)
    # a release time set blocks the change to subscription (ModifyInstanceChargeType's own code)
    request.set_AutoReleaseTime(later)
    legacy_call(legacy, request)
    err = error_of(client.modify_instance_charge_type, models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), period=1))
    assert err.code == "ReleaseTimeHaveBeenSet"


# -- ModifyInstanceSpec ------------------------------------------------------------------------------------------
def modify_spec(client, instance_id: str, **kw) -> None:
    client.modify_instance_spec(models.ModifyInstanceSpecRequest(instance_id=instance_id, **kw))


def test_instance_type_of_a_stopped_instance(client):
    [instance_id] = run(client)
    stop(client, instance_id)
    modify_spec(client, instance_id, instance_type="ecs.g7.2xlarge", client_token="spec-1")
    itype = instance_types.instance_type("ecs.g7.2xlarge")
    found = describe(client, instance_id)
    assert (found["InstanceType"], found["InstanceTypeFamily"], found["Cpu"], found["Memory"]) == (
        "ecs.g7.2xlarge", "ecs.g7", itype["CpuCoreCount"], int(float(itype["MemorySize"]) * 1024)) == (
        "ecs.g7.2xlarge", "ecs.g7", 8, 32768)
    assert found["CpuOptions"]["CoreCount"] == 4 and found["Status"] == "Stopped"
    assert (attribute(client, instance_id)["InstanceType"], attribute(client, instance_id)["Cpu"]) == (
        "ecs.g7.2xlarge", 8)
    modify_spec(client, instance_id, instance_type="ecs.g7.2xlarge", client_token="spec-1")  # the same token again
    err = error_of(modify_spec, client, instance_id, instance_type="ecs.g7.large", client_token="spec-1")
    assert (err.code, err.status_code) == ("IdempotenceParamNotMatch", 400)
    assert_documented("ModifyInstanceSpec", err)
    err = error_of(modify_spec, client, instance_id, instance_type="ecs.g7.large", dry_run=True)
    assert err.code == "DryRunOperation" and describe(client, instance_id)["InstanceType"] == "ecs.g7.2xlarge"


def test_instance_spec_refused(client, legacy):
    [instance_id] = run(client, zone_id="cn-hangzhou-i")  # (a zone that sells ARM_TYPE)
    err = error_of(modify_spec, client, instance_id, instance_type="ecs.g7.xlarge")  # running
    assert (err.code, err.status_code) == ("InvalidInstanceStatus.NotStopped", 400)
    stop(client, instance_id)
    for kw, code, status in (
            ({"instance_type": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported", 400),
            ({"instance_type": ARM_TYPE}, "ImageNotSupportInstanceType", 403),  # an x86 image
            ({"instance_type": "ecs.g7.xlarge", "internet_max_bandwidth_out": 5}, "InvalidParameter.Mismatch", 400),
            ({"internet_max_bandwidth_out": 101}, "InvalidParameter.InternetMaxBandwidthOut", 403)):
        err = error_of(modify_spec, client, instance_id, **kw)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("ModifyInstanceSpec", err)
    err = error_of(modify_spec, client, "i-bp1nothere", instance_type="ecs.g7.xlarge")
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("ModifyInstanceSpec", err)
    [prepaid] = run(client, instance_charge_type="PrePaid")
    stop(client, prepaid)
    request = ModifyInstanceSpecRequest()
    request.set_InstanceId(prepaid)
    request.set_InstanceType("ecs.g7.xlarge")
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("ChargeTypeViolation", 403)
    assert_documented("ModifyInstanceSpec", err)
    assert describe(client, instance_id)["InstanceType"] == describe(client, prepaid)["InstanceType"] == "ecs.g7.large"


def test_instance_type_the_zone_does_not_sell(client):
    [instance_id] = run(client, zone_id="cn-hangzhou-h")
    assert "cn-hangzhou-h" not in instance_types.zones_selling("ecs.g8i.large", REGION)
    stop(client, instance_id)
    err = error_of(modify_spec, client, instance_id, instance_type="ecs.g8i.large")
    assert (err.code, err.status_code) == ("InvalidInstanceType.ValueNotSupported", 403)
    assert_documented("ModifyInstanceSpec", err)


def test_bandwidth_of_a_running_instance_old_sdk(client, legacy):
    [instance_id] = run(client, internet_max_bandwidth_out=5)
    request = ModifyInstanceSpecRequest()
    request.set_InstanceId(instance_id)
    request.set_InternetMaxBandwidthOut(20)
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    found = describe(client, instance_id)
    assert (found["InternetMaxBandwidthOut"], found["InternetMaxBandwidthIn"], found["Status"]) == (20, 10, "Running")


def test_updates_keep_the_service_field_order(client, legacy, engine):
    """The instance record keeps the service's field order (footmark sets attributes in answer order) after each
    update writes it."""
    [instance_id] = run(client)
    client.modify_instance_metadata_options(METADATA(region_id=REGION, instance_id=instance_id,
                                                     http_endpoint="enabled", instance_metadata_tags="enabled"))
    release_at(client, instance_id, utc(engine.clock.now() + 86400))
    modify_maintenance(client, instance_id=[instance_id], action_on_maintenance="Stop")
    stop(client, instance_id)
    modify_spec(client, instance_id, instance_type="ecs.g7.xlarge")
    request = DescribeInstancesRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    [found] = legacy_call(legacy, request)["Instances"]["Instance"]
    known = [k for k in found if k in INSTANCE_FIELD_ORDER]
    assert known == sorted(known, key=INSTANCE_FIELD_ORDER.__getitem__) and len(known) >= 45
    assert found["MetadataOptions"]["InstanceMetadataTags"] == "enabled" and found["InstanceType"] == "ecs.g7.xlarge"


# -- the same settings at launch (what Terraform sends to RunInstances when the configuration sets them) ----------
def test_launch_with_metadata_options_release_time_and_pool(client, engine):
    later = utc(engine.clock.now() + 86400 + 59)
    [instance_id] = run(client, http_tokens="required", http_put_response_hop_limit=2, auto_release_time=later,
                        private_pool_options=models.RunInstancesRequestPrivatePoolOptions(match_criteria="Open"))
    found = describe(client, instance_id)
    assert found["MetadataOptions"] == {"HttpEndpoint": "enabled", "HttpTokens": "required",
                                        "HttpPutResponseHopLimit": 2}
    assert found["AutoReleaseTime"] == later[:-4] + "Z"
    assert attachment(client, instance_id)["PrivatePoolOptionsMatchCriteria"] == "Open"
    [prepaid] = run(client, instance_charge_type="PrePaid", auto_release_time=later)
    assert describe(client, prepaid)["AutoReleaseTime"] == ""  # a subscription is not released
    created = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=describe(client, instance_id)["ImageId"], instance_type="ecs.g7.large",
        http_endpoint="disabled")).body.instance_id
    assert describe(client, created)["MetadataOptions"]["HttpEndpoint"] == "disabled"


@pytest.mark.parametrize("kw, code", [
    ({"http_endpoint": "off"}, "InvalidHttpEndpoint.NotSupported"),
    ({"http_tokens": "v2"}, "InvalidHttpTokens.NotSupported"),
    ({"http_put_response_hop_limit": 65}, "InvalidHttpPutResponseHopLimit.NotSupported"),
    ({"auto_release_time": "2000-01-01T00:00:00Z"}, "InvalidAutoReleaseTime.Malformed"),
    ({"private_pool_options": models.RunInstancesRequestPrivatePoolOptions(match_criteria="Target")},
     "MissingParameter.PrivatePoolOptions.Id"),
    ({"private_pool_options": models.RunInstancesRequestPrivatePoolOptions(match_criteria="Target", id="eap-1")},
     "Invalid.PrivatePoolOptions.Id"),
])
def test_launch_refuses_bad_settings(client, kw, code):
    err = error_of(run, client, **kw)
    assert (err.code, err.status_code) == (code, 400)
    assert_documented("RunInstances", err)
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.to_map()
    assert found["TotalCount"] == 0


def test_maintenance_too_many_instances(client):
    err = error_of(modify_maintenance, client, instance_id=[f"i-bp1{n:017d}" for n in range(101)],
                   action_on_maintenance="Stop")
    assert (err.code, err.status_code) == ("InvalidParameter", 403)
    assert_documented("ModifyInstanceMaintenanceAttributes", err)


def test_imported_settings_of_the_wrong_type_are_refused(client, engine):
    """The settings the Modify operations keep on the record (``_maintenance``, ``_private_pool``) must be objects in
    an imported state: the reads take them as such."""
    instance_id = vpc_instance(client)
    modify_maintenance(client, instance_id=[instance_id], action_on_maintenance="Stop")
    modify_attachment(client, instance_id, "Open")
    state = engine.export_state()
    record = state["store"]["instance"][instance_id]["record"]
    assert record["_maintenance"] == {"ActionOnMaintenance": "Stop"} and record["_private_pool"]["MatchCriteria"] == \
        "Open"
    for field in ("_maintenance", "_private_pool"):
        bad = json.loads(json.dumps(state))
        bad["store"]["instance"][instance_id]["record"][field] = "Stop"
        with pytest.raises(ValueError, match=field):
            engine.import_state(bad)
    assert attachment(client, instance_id)["PrivatePoolOptionsMatchCriteria"] == "Open"

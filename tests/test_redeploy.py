"""RedeployInstance (through the instance lifecycle, answering system events), ReActivateInstances (an instance
stopped for an overdue account) and ReportInstancesStatus, through the real SDKs."""
from __future__ import annotations

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.RedeployInstanceRequest import RedeployInstanceRequest

from mockecs.world import instance_clock, system_events
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, describe, old_error, run


def redeploy(client, instance_id, **kw):
    return client.redeploy_instance(models.RedeployInstanceRequest(instance_id=instance_id, **kw)).body


def status(client, instance_id) -> str:
    return describe(client, instance_id)["Status"]


def events(client, instance_id) -> dict:
    found = client.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        region_id=REGION, instance_id=instance_id)).body.to_map()["InstanceSystemEventSet"]["InstanceSystemEventType"]
    return {e["EventType"]["Name"]: e["EventCycleStatus"]["Name"] for e in found}


@pytest.fixture
def instance(client):
    return run(client)[0]


def test_redeploy_a_running_instance_through_its_states(client, engine, instance):
    engine.lifecycle.delay("instance", observations=2)
    task_id = redeploy(client, instance, force_stop=True).task_id
    assert task_id.startswith("t-")
    seen = [status(client, instance) for _ in range(5)]
    assert seen == ["Stopping", "Starting", "Starting", "Running", "Running"]


def test_redeploy_a_stopped_instance(client, engine, instance):
    client.stop_instance(models.StopInstanceRequest(instance_id=instance))
    engine.lifecycle.delay("instance", observations=2)
    redeploy(client, instance)
    assert [status(client, instance) for _ in range(3)] == ["Starting", "Running", "Running"]
    assert describe(client, instance)["StoppedMode"] == "Not-applicable"


def test_a_failed_redeployment_leaves_it_as_it_was(client, engine, instance):
    engine.lifecycle.fail_next("instance")
    redeploy(client, instance)
    assert status(client, instance) == "Running"


def test_redeploy_answers_the_system_events_it_is_meant_for(client, engine, instance):
    for name, state in (("SystemMaintenance.Redeploy", "Scheduled"), ("SystemFailure.Redeploy", "Inquiring")):
        system_events.plant(engine, instance, name, state)
    simulated = system_events.plant(engine, instance, "SystemMaintenance.Reboot", "Scheduled", simulated=True)
    redeploy(client, instance)
    found = events(client, instance)
    assert found["SystemMaintenance.Redeploy"] == "Executed" and found["SystemFailure.Redeploy"] == "Executed"
    # the simulated one is not answered: still scheduled
    active = client.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        region_id=REGION, instance_id=instance, event_cycle_status="Scheduled")).body.to_map()
    assert [e["EventId"] for e in active["InstanceSystemEventSet"]["InstanceSystemEventType"]] == [simulated]


def test_redeploy_refusals(client, engine, instance):
    engine.lifecycle.delay("instance", observations=5)
    redeploy(client, instance)
    err = error_of(redeploy, client, instance)  # (Stopping: neither Running nor Stopped)
    assert err.code == "IncorrectInstanceStatus"
    assert_documented("RedeployInstance", err)
    err = error_of(redeploy, client, "i-nosuchinstance0000")
    assert err.code == "InvalidInstanceId.NotFound"
    assert_documented("RedeployInstance", err)
    engine.lifecycle.undelay("instance")
    other = run(client)[0]
    instance_clock.stop_for_overdue(engine, other)
    err = error_of(redeploy, client, other)
    assert err.code == "InstanceExpiredOrInArrears"
    assert_documented("RedeployInstance", err)


def test_redeploy_with_the_old_sdk_and_xml(legacy, client, instance):
    request = RedeployInstanceRequest()
    request.set_InstanceId(instance)
    assert legacy_call(legacy, request)["TaskId"].startswith("t-")
    request = RedeployInstanceRequest()
    request.set_InstanceId("i-nosuchinstance0000")
    err = old_error(legacy, request)
    assert err.get_error_code() == "InvalidInstanceId.NotFound"
    assert_documented("RedeployInstance", err)
    request = RedeployInstanceRequest()
    request.set_InstanceId(instance)
    root = legacy_xml(legacy, request)
    assert root.tag == "RedeployInstanceResponse" and root.findtext("TaskId").startswith("t-")


# -- ReActivateInstances -----------------------------------------------------------------------------------------
def reactivate(client, instance_id):
    return client.re_activate_instances(models.ReActivateInstancesRequest(region_id=REGION, instance_id=instance_id))


def test_an_overdue_instance_is_stopped_then_reactivated(client, engine, instance):
    instance_clock.stop_for_overdue(engine, instance)
    found = describe(client, instance)
    assert found["Status"] == "Stopped"
    assert found["OperationLocks"]["LockReason"] == [
        {"LockMsg": "The specified instance is locked due to financial reason.", "LockReason": "financial"}]
    assert events(client, instance) == {"AccountUnbalanced.Stop": "Executed"}
    err = error_of(client.start_instance, models.StartInstanceRequest(instance_id=instance))
    assert err.code == "InstanceExpired"
    engine.config.options["accounts_in_arrears"] = "1234567890123456"  # (not paid yet)
    err = error_of(reactivate, client, instance)
    assert err.code == "ReopenInstance.InstanceNotEnoughBalance"
    assert_documented("ReActivateInstances", err)
    engine.config.options["accounts_in_arrears"] = ""
    engine.lifecycle.delay("instance", observations=2)
    reactivate(client, instance)
    assert [status(client, instance) for _ in range(2)] == ["Starting", "Running"]
    assert describe(client, instance)["OperationLocks"]["LockReason"] == []
    client.stop_instance(models.StopInstanceRequest(instance_id=instance))  # usable again


def test_an_overdue_instance_not_reactivated_is_released_after_15_days(client, engine, instance):
    kept = run(client)[0]
    instance_clock.stop_for_overdue(engine, instance)
    instance_clock.stop_for_overdue(engine, kept)
    engine.clock.advance(14 * 86400)
    reactivate(client, kept)
    engine.clock.advance(86400)
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.instances.instance
    assert [i.instance_id for i in found] == [kept]  # released 15 days after (documented); the reopened one stays


def test_reactivate_refusals(client, engine, instance):
    err = error_of(reactivate, client, instance)  # running, not overdue
    assert err.code == "ReopenInstance.InstanceStatusNotValid"
    assert_documented("ReActivateInstances", err)
    err = error_of(reactivate, client, "i-nosuchinstance0000")
    assert err.code == "InvalidInstanceId.NotFound"
    assert_documented("ReActivateInstances", err)
    prepaid = run(client, instance_charge_type="PrePaid", period=1, period_unit="Month")[0]
    err = error_of(reactivate, client, prepaid)
    assert err.code == "InvalidPayType.NotSupport"
    assert_documented("ReActivateInstances", err)
    with pytest.raises(ValueError):
        instance_clock.stop_for_overdue(engine, prepaid)


# -- ReportInstancesStatus ---------------------------------------------------------------------------------------
def report(client, **kw):
    return client.report_instances_status(models.ReportInstancesStatusRequest(region_id=REGION, **kw))


def test_report(client, instance):
    disk_id = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance)).body.disks \
        .disk[0].disk_id
    report(client, instance_id=[instance], description="it hangs", reason="instance-hang",
           start_time="2024-06-01T08:00:00Z", end_time="2024-06-01T09:00:00Z")
    report(client, instance_id=[instance], description="disk", reason="abnormal-cloud-disk", disk_id=[disk_id],
           device=["/dev/xvda"])


@pytest.mark.parametrize("kw, code", [
    ({"description": None}, "MissingParameter"),
    ({"instance_id": None}, "MissingParameter"),
    ({"reason": "angry"}, "InvalidParameter"),
    ({"issue_category": "hardware-cpu-melted"}, "InvalidParameter"),
    ({"start_time": "yesterday"}, "InvalidParameter"),
    ({"reason": "abnormal-local-disk"}, "MissingParameter"),
    ({"instance_id": ["i-nosuchinstance0000"]}, "InvalidInstanceId.NotFound"),
    ({"instance_id": [f"i-{n}" for n in range(101)]}, "InstanceIdLimitExceeded"),
    ({"disk_id": [f"d-{n}" for n in range(101)]}, "DiskIdLimitExceeded"),
])
def test_report_refusals(client, instance, kw, code):
    args = {"instance_id": [instance], "description": "broken", **kw}
    err = error_of(report, client, **{k: v for k, v in args.items() if v is not None})
    assert err.code == code
    assert_documented("ReportInstancesStatus", err)

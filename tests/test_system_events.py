"""ECS system events (CreateSimulatedSystemEvents, CancelSimulatedSystemEvents, AcceptInquiredSystemEvent,
DescribeInstanceHistoryEvents, DescribeInstancesFullStatus): the simulated events' cycle on the mock clock,
cancel, reboot-avoided, filters and paging, and every documented error, through the real SDKs."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
import pytest
import requests
from aliyunsdkecs.request.v20140526.CreateSimulatedSystemEventsRequest import CreateSimulatedSystemEventsRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceHistoryEventsRequest import DescribeInstanceHistoryEventsRequest

from mockecs.world import resources, system_events
from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_dedicated_hosts import allocate, on_host
from tests.test_instances import REGION, SECOND, assert_documented, run

HOUR = 3600


def at(engine, seconds: float) -> str:
    """The mock-clock time ``seconds`` from now, as the API writes times."""
    return resources.iso(engine.clock.now() + seconds)


def near(engine, text: str, seconds: float = 0) -> bool:
    """Whether ``text`` is the mock-clock time ``seconds`` from now, to the second (a frozen clock still ticks a
    millisecond per reading, so two readings may straddle a second)."""
    return abs(resources.parse_iso(text) - (engine.clock.now() + seconds)) < 1.5


def simulate(client, engine, instance_ids, event_type="SystemMaintenance.Reboot", after=HOUR) -> list[str]:
    body = client.create_simulated_system_events(models.CreateSimulatedSystemEventsRequest(
        region_id=REGION, instance_id=list(instance_ids), event_type=event_type, not_before=at(engine, after))).body
    return body.event_id_set.event_id


def history(client, **kw) -> dict:
    return client.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        region_id=kw.pop("region_id", REGION), **kw)).body.to_map()


def events_of(client, **kw) -> list[dict]:
    return history(client, **kw)["InstanceSystemEventSet"]["InstanceSystemEventType"]


def full_status(client, **kw) -> dict:
    return client.describe_instances_full_status(models.DescribeInstancesFullStatusRequest(
        region_id=kw.pop("region_id", REGION), **kw)).body.to_map()


def raw(action: str, **params: str) -> dict:
    """The answer's JSON as sent (the SDKs' to_map sorts fields): the service's field order."""
    answer = requests.get("https://ecs.aliyuncs.com/", params={
        "Action": action, "Version": "2014-05-26", "Format": "JSON", "RegionId": REGION, **params}, timeout=10)
    return answer.json()


def statuses(client, event_ids) -> dict[str, str]:
    found = events_of(client, event_id=list(event_ids), instance_event_cycle_status=list(system_events.CYCLE_CODES))
    return {e["EventId"]: e["EventCycleStatus"]["Name"] for e in found}


ALL = list(system_events.CYCLE_CODES)


# -- the cycle on the mock clock ------------------------------------------------------------------------
def test_a_maintenance_event_is_scheduled_then_executed_at_not_before(client, engine):
    instance = run(client)[0]
    [event_id] = simulate(client, engine, [instance], after=HOUR)
    assert event_id.startswith("e-bp1") and len(event_id) == 22
    assert events_of(client) == []  # finished events only, by default
    [event] = raw("DescribeInstanceHistoryEvents", **{"InstanceEventCycleStatus.1": "Scheduled"})[
        "InstanceSystemEventSet"]["InstanceSystemEventType"]
    # The service's field order; no EventFinishTime before the end
    assert list(event) == ["EventCycleStatus", "EventPublishTime", "InstanceId", "EventType", "ExtendedAttribute",
                           "EventId", "NotBefore", "Reason", "ResourceType"]
    assert event["EventCycleStatus"] == {"Code": 24, "Name": "Scheduled"}
    assert event["EventType"] == {"Code": 1, "Name": "SystemMaintenance.Reboot"}
    assert near(engine, event["EventPublishTime"]) and near(engine, event["NotBefore"], HOUR)
    assert SECOND.match(event["NotBefore"]) and event["InstanceId"] == instance
    assert event["Reason"] == "A simulated event." and event["ExtendedAttribute"] == {}
    engine.clock.advance(HOUR - 2)  # (NotBefore is to the second: a reading may be a second past it)
    assert statuses(client, [event_id]) == {event_id: "Scheduled"}
    engine.clock.advance(2)
    [done] = raw("DescribeInstanceHistoryEvents")["InstanceSystemEventSet"]["InstanceSystemEventType"]
    assert list(done)[0] == "EventFinishTime" and done["EventFinishTime"] == done["NotBefore"]
    assert done["EventCycleStatus"] == {"Code": 0, "Name": "Executed"}
    # A simulated event changes nothing on its instance
    [item] = full_status(client)["InstanceFullStatusSet"]["InstanceFullStatusType"]
    assert item["Status"] == {"Code": 1, "Name": "Running"}


def test_failure_events_are_executing_from_the_start(client, engine):
    instance = run(client)[0]
    [event_id] = simulate(client, engine, [instance], "SystemFailure.Reboot", after=600)
    [event] = events_of(client, event_cycle_status="Executing")
    assert event["EventId"] == event_id and event["EventType"] == {"Code": 65, "Name": "SystemFailure.Reboot"}
    engine.clock.advance(600)
    assert statuses(client, [event_id]) == {event_id: "Executed"}


def test_an_execution_takes_the_lifecycle_delay_and_can_fail(client, engine):
    instance = run(client)[0]
    engine.lifecycle.delay("system_event", seconds=60)
    [slow, failing] = [simulate(client, engine, [instance], after=HOUR)[0] for _ in range(2)]
    engine.lifecycle.fail(failing)
    engine.clock.advance(HOUR)
    assert statuses(client, [slow, failing]) == {slow: "Executing", failing: "Executing"}
    engine.clock.advance(60)
    assert statuses(client, [slow, failing]) == {slow: "Executed", failing: "Failed"}
    finished = {e["EventId"]: e for e in events_of(client)}
    assert near(engine, finished[slow]["EventFinishTime"])
    assert finished[failing]["EventCycleStatus"] == {"Code": 40, "Name": "Failed"}
    engine.lifecycle.fail_next("system_event")
    [next_one] = simulate(client, engine, [instance], after=10)
    engine.clock.advance(70)
    assert statuses(client, [next_one]) == {next_one: "Failed"}


def test_realistic_transitions_execute_for_a_minute(client, engine):
    engine.config.transitions = "realistic"
    engine.lifecycle.delay("instance", seconds=0)  # (the instance runs at once)
    instance = run(client)[0]
    [event_id] = simulate(client, engine, [instance], after=600)
    engine.clock.advance(600)
    assert statuses(client, [event_id]) == {event_id: "Executing"}
    engine.clock.advance(60)
    [event] = events_of(client)
    assert event["EventCycleStatus"]["Name"] == "Executed"
    assert resources.parse_iso(event["EventFinishTime"]) - resources.parse_iso(event["NotBefore"]) == 60


def test_restarting_the_instance_avoids_a_maintenance_reboot(client, engine):
    instance, bystander = run(client, amount=2)
    [reboot] = simulate(client, engine, [instance])
    [stop] = simulate(client, engine, [instance], "SystemMaintenance.Stop")
    [elsewhere] = simulate(client, engine, [bystander])
    engine.clock.advance(60)
    client.reboot_instance(models.RebootInstanceRequest(instance_id=instance))
    assert statuses(client, [reboot, stop, elsewhere]) == {reboot: "Avoided", stop: "Scheduled", elsewhere: "Scheduled"}
    [avoided] = events_of(client, event_cycle_status="Avoided")
    assert avoided["EventCycleStatus"] == {"Code": 8, "Name": "Avoided"}
    assert near(engine, avoided["EventFinishTime"])
    # Through RebootInstances too; a reboot after NotBefore avoids nothing (the event has executed)
    [batch] = simulate(client, engine, [bystander], after=120)
    [late] = simulate(client, engine, [instance], after=60)
    engine.clock.advance(90)
    client.reboot_instances(models.RebootInstancesRequest(region_id=REGION, instance_id=[bystander, instance]))
    assert statuses(client, [batch, late, elsewhere]) == {batch: "Avoided", late: "Executed", elsewhere: "Avoided"}


def test_cancel(client, engine, other):
    instance = run(client)[0]
    scheduled, executing = simulate(client, engine, [instance])[0], \
        simulate(client, engine, [instance], "InstanceFailure.Reboot")[0]
    engine.clock.advance(30)
    client.cancel_simulated_system_events(models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=[scheduled, executing]))
    assert statuses(client, [scheduled, executing]) == {scheduled: "Canceled", executing: "Canceled"}
    [one, _] = events_of(client, event_cycle_status="Canceled")
    assert one["EventCycleStatus"] == {"Code": 32, "Name": "Canceled"} and near(engine, one["EventFinishTime"])
    engine.clock.advance(HOUR)  # (canceled events stay canceled)
    assert statuses(client, [scheduled, executing]) == {scheduled: "Canceled", executing: "Canceled"}
    # Canceling a finished event again changes nothing
    client.cancel_simulated_system_events(models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=[scheduled]))
    # Another account's event, an unknown id: not found; all or nothing
    [live] = simulate(client, engine, [instance])
    err = error_of(other.client.cancel_simulated_system_events, models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=[live]))
    assert_documented("CancelSimulatedSystemEvents", err)
    assert err.code == "InvalidEventId.NotFound"
    err = error_of(client.cancel_simulated_system_events, models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=[live, "e-bp1nosuchevent00000"]))
    assert_documented("CancelSimulatedSystemEvents", err)
    assert statuses(client, [live]) == {live: "Scheduled"}


def test_cancel_refuses_events_the_cloud_published(client, engine):
    instance = run(client)[0]
    real = system_events.plant(engine, instance, "SystemMaintenance.Redeploy")
    err = error_of(client.cancel_simulated_system_events, models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=[real]))
    assert err.code == "CannotCancelSystemEvent.NotSimulated"
    assert_documented("CancelSimulatedSystemEvents", err)
    assert statuses(client, [real]) == {real: "Scheduled"}


def test_cancel_errors(client):
    err = error_of(client.cancel_simulated_system_events, models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=[f"e-bp1{n:017d}" for n in range(101)]))
    assert (err.code, err.status_code) == ("EventIdLimitExceeded", 400)
    assert_documented("CancelSimulatedSystemEvents", err)
    err = error_of(client.cancel_simulated_system_events, models.CancelSimulatedSystemEventsRequest(
        region_id=REGION))
    assert (err.code, err.status_code) == ("MissingParameter", 404)
    assert_documented("CancelSimulatedSystemEvents", err)
    err = error_of(client.cancel_simulated_system_events, models.CancelSimulatedSystemEventsRequest(
        region_id=REGION, event_id=["i-bp1notanevent000000"]))
    assert (err.code, err.status_code) == ("InvalidParameter", 403)
    assert_documented("CancelSimulatedSystemEvents", err)


# -- CreateSimulatedSystemEvents' documented errors ----------------------------------------------------
def test_create_errors(client, engine, other):
    instance = run(client)[0]

    def create(**kw):
        args = {"region_id": REGION, "instance_id": [instance], "event_type": "SystemMaintenance.Reboot",
                "not_before": at(engine, HOUR), **kw}
        return error_of(client.create_simulated_system_events, models.CreateSimulatedSystemEventsRequest(**args))

    cases = {
        "InvalidParameter": [create(event_type="Reboot"), create(event_type="InstanceExpiration.Stop"),
                             create(not_before="tomorrow"), create(not_before="2030-01-01 00:00:00")],
        "InvalidNotBefore.Passed": [create(not_before=at(engine, 0)), create(not_before="2017-12-01T06:32:31Z")],
        "InvalidInstanceId.NotFound": [create(instance_id=[instance, "i-bp1nosuchinstance000"]),
                                       error_of(other.client.create_simulated_system_events,
                                                models.CreateSimulatedSystemEventsRequest(
                                                    region_id=REGION, instance_id=[instance],
                                                    event_type="SystemMaintenance.Reboot",
                                                    not_before=at(engine, HOUR)))],
        "InstanceIdLimitExceeded": [create(instance_id=[f"i-bp1{n:017d}" for n in range(101)])],
        "MissingParameter": [create(not_before=None), create(event_type=None), create(instance_id=None)],
    }
    for code, errors in cases.items():
        for err in errors:
            assert err.code == code, (code, err)
            assert_documented("CreateSimulatedSystemEvents", err)
    assert events_of(client, instance_event_cycle_status=ALL) == []  # nothing half made


def test_active_simulated_events_have_a_quota(client, engine):
    engine.config.options["simulated_event_quota"] = 2
    instances = run(client, amount=3)
    err = error_of(simulate, client, engine, instances)
    assert err.code == "SimulatedEventLimitExceeded"
    assert_documented("CreateSimulatedSystemEvents", err)
    [first, second] = simulate(client, engine, instances[:2])
    assert error_of(simulate, client, engine, instances[2:]).code == "SimulatedEventLimitExceeded"
    client.cancel_simulated_system_events(models.CancelSimulatedSystemEventsRequest(region_id=REGION,
                                                                                   event_id=[first]))
    assert len(simulate(client, engine, instances[2:])) == 1  # (canceled events are no longer active)
    system_events.plant(engine, instances[0])  # (the cloud's own events do not count)
    client.cancel_simulated_system_events(models.CancelSimulatedSystemEventsRequest(region_id=REGION,
                                                                                   event_id=[second]))
    assert len(simulate(client, engine, instances[:1])) == 1


# -- DescribeInstanceHistoryEvents: filters and paging ------------------------------------------------
@pytest.fixture
def world(client, engine):
    """Two tagged instances and one untagged, each with events of several types, published a minute apart."""
    a, b, c = run(client, amount=3)
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="instance",
                                                    resource_id=[a, b], tag=[models.TagResourcesRequestTag(
                                                        key="team", value="web")]))
    made = {}
    for n, (instance, event_type) in enumerate([(a, "SystemMaintenance.Reboot"), (a, "SystemFailure.Reboot"),
                                                (b, "SystemMaintenance.Reboot"), (b, "SystemMaintenance.Stop"),
                                                (c, "SystemMaintenance.Redeploy"), (c, "SystemMaintenance.Reboot"),
                                                (a, "SystemMaintenance.Stop")]):
        made[n] = simulate(client, engine, [instance], event_type, after=HOUR + n * 60)[0]
        engine.clock.advance(60)
    return {"instances": (a, b, c), "events": made}


def ids(events) -> list[str]:
    return [e["EventId"] for e in events]


def test_history_lists_newest_first_and_pages(client, engine, world):
    made = world["events"]
    newest_first = [made[n] for n in range(6, -1, -1)]
    assert ids(events_of(client, instance_event_cycle_status=ALL, page_size=100)) == newest_first
    pages = [history(client, instance_event_cycle_status=ALL, page_size=3, page_number=n) for n in (1, 2, 3, 4)]
    assert [p["TotalCount"] for p in pages] == [7] * 4 and [p["PageNumber"] for p in pages] == [1, 2, 3, 4]
    assert sum((ids(p["InstanceSystemEventSet"]["InstanceSystemEventType"]) for p in pages), []) == newest_first
    # NextToken / MaxResults (the SDK's)
    first = history(client, instance_event_cycle_status=ALL, max_results=4)
    second = history(client, instance_event_cycle_status=ALL, max_results=4, next_token=first["NextToken"])
    assert second["NextToken"] == "" and ids(first["InstanceSystemEventSet"]["InstanceSystemEventType"]) + ids(
        second["InstanceSystemEventSet"]["InstanceSystemEventType"]) == newest_first
    err = error_of(history, client, max_results=4, next_token="not-a-token")
    assert (err.code, err.status_code) == ("InvalidParameter", 403)


def test_history_filters(client, engine, world):
    a, b, c = world["instances"]
    made = world["events"]

    def found(**kw) -> set[str]:
        if "event_cycle_status" not in kw:
            kw.setdefault("instance_event_cycle_status", ALL)
        return set(ids(events_of(client, page_size=100, **kw)))

    def named(*numbers) -> set[str]:
        return {made[n] for n in numbers}

    assert found(instance_id=a) == named(0, 1, 6)
    assert found(resource_id=[b, c]) == named(2, 3, 4, 5)
    assert found(resource_id=[b], instance_id=a) == named(2, 3)  # ResourceId.N wins (documented)
    assert found(event_id=[made[0], made[4], "e-bp1nosuchevent00000"]) == named(0, 4)
    assert found(event_type="SystemMaintenance.Reboot") == named(0, 2, 5)
    assert found(instance_event_type=["SystemMaintenance.Stop", "SystemFailure.Reboot"]) == named(1, 3, 6)
    assert found(instance_event_type=["SystemMaintenance.Stop"], event_type="SystemMaintenance.Reboot") == \
        named(3, 6)  # (EventType counts only without InstanceEventType.N)
    assert found(instance_id=a, event_type="SystemMaintenance.Stop") == named(6)
    assert found(event_cycle_status="Executing") == named(1)
    assert found(instance_event_cycle_status=["Scheduled"], instance_id=c) == named(4, 5)
    assert found(tag=[models.DescribeInstanceHistoryEventsRequestTag(key="team", value="web")]) == \
        named(0, 1, 2, 3, 6)
    assert found(tag=[models.DescribeInstanceHistoryEventsRequestTag(key="team", value="db")]) == set()
    # (the windows are the events' own times, as the API wrote them)
    written = {e["EventId"]: e for e in events_of(client, instance_event_cycle_status=ALL, page_size=100)}
    window = models.DescribeInstanceHistoryEventsRequestEventPublishTime(
        start=written[made[1]]["EventPublishTime"], end=written[made[3]]["EventPublishTime"])
    assert found(event_publish_time=window) == named(1, 2, 3)
    window = models.DescribeInstanceHistoryEventsRequestNotBefore(start=written[made[2]]["NotBefore"])
    assert found(not_before=window) == named(2, 3, 4, 5, 6)
    window = models.DescribeInstanceHistoryEventsRequestNotBefore(end=written[made[2]]["NotBefore"])
    assert found(not_before=window, instance_id=b) == named(2)
    assert found(resource_type="ddh") == set()
    group = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.instances.instance[0]
    assert found(resource_group_id=group.resource_group_id) == named(*range(7))
    # The default lists finished events only: every one, once executed
    engine.clock.advance(2 * HOUR)
    assert found(instance_event_cycle_status=None) == named(*range(7))
    assert found(instance_event_cycle_status=None, event_cycle_status="Scheduled") == set()


def test_history_errors(client, engine, world):
    window = models.DescribeInstanceHistoryEventsRequestNotBefore(start=at(engine, 60), end=at(engine, 0))
    published = models.DescribeInstanceHistoryEventsRequestEventPublishTime(start=at(engine, 60), end=at(engine, 0))
    bad = [
        ("InvalidParameter.TimeEndBeforeStart", dict(not_before=window)),
        ("InvalidParameter.TimeEndBeforeStart", dict(event_publish_time=published)),
        ("EventIdLimitExceeded", dict(event_id=[f"e-bp1{n:017d}" for n in range(101)])),
        ("InvalidParameter", dict(event_cycle_status="Done")),
        ("InvalidParameter", dict(instance_event_type=["Reboot"])),
        ("InvalidParameter", dict(not_before=models.DescribeInstanceHistoryEventsRequestNotBefore(start="yesterday"))),
        ("InvalidParameter", dict(page_size=101)),
        ("InvalidParameter", dict(resource_type="disk")),
        ("OperationDenied.NotInWhiteList", dict(impact_level="100")),
        ("MissingParameter", dict(region_id=None)),
    ]
    for code, kw in bad:
        err = error_of(history, client, **kw)
        assert err.code == code, (code, kw, err)
        assert_documented("DescribeInstanceHistoryEvents", err)


# -- DescribeInstancesFullStatus ------------------------------------------------------------------------
def test_full_status(client, engine, world):
    a, b, c = world["instances"]
    made = world["events"]
    client.stop_instance(models.StopInstanceRequest(instance_id=c))
    body = full_status(client)
    assert body["TotalCount"] == 3 and body["PageNumber"] == 1 and body["PageSize"] == 10
    items = {i["InstanceId"]: i for i in body["InstanceFullStatusSet"]["InstanceFullStatusType"]}
    assert list(items) == [a, b, c]  # (in the order they were made)
    [first] = raw("DescribeInstancesFullStatus", **{"InstanceId.1": a})["InstanceFullStatusSet"][
        "InstanceFullStatusType"]
    assert list(first) == ["Status", "InstanceId", "HealthStatus", "ScheduledSystemEventSet"]
    assert items[a]["HealthStatus"] == {"Code": 0, "Name": "Ok"}
    assert items[c]["Status"] == {"Code": 2, "Name": "Stopped"}
    assert items[c]["HealthStatus"] == {"Code": 1, "Name": "InsufficientData"}
    # Scheduled (and Inquiring) events only, newest first: a's SystemFailure.Reboot is Executing
    assert ids(items[a]["ScheduledSystemEventSet"]["ScheduledSystemEventType"]) == [made[6], made[0]]
    event = first["ScheduledSystemEventSet"]["ScheduledSystemEventType"][1]
    assert list(event) == ["EventCycleStatus", "EventPublishTime", "EventType", "ExtendedAttribute", "EventId",
                           "NotBefore", "Reason"]

    def listed(**kw) -> list[str]:
        return [i["InstanceId"] for i in full_status(client, **kw)["InstanceFullStatusSet"]["InstanceFullStatusType"]]

    assert listed(status="Stopped") == [c] and listed(health_status="Ok") == [a, b]
    assert listed(instance_id=[c, a, "i-bp1nosuchinstance000"]) == [a, c]
    assert listed(event_type="SystemMaintenance.Redeploy") == [c]
    assert listed(instance_event_type=["SystemMaintenance.Stop"]) == [a, b]
    assert listed(event_id=[made[2]]) == [b]
    body = full_status(client, event_type="SystemMaintenance.Stop")
    assert [ids(i["ScheduledSystemEventSet"]["ScheduledSystemEventType"])
            for i in body["InstanceFullStatusSet"]["InstanceFullStatusType"]] == [[made[6]], [made[3]]]
    pages = [listed(page_size=2, page_number=n) for n in (1, 2)]
    assert pages == [[a, b], [c]]
    engine.clock.advance(2 * HOUR)
    assert listed(event_type="SystemMaintenance.Reboot") == []
    assert all(i["ScheduledSystemEventSet"]["ScheduledSystemEventType"] == []
               for i in full_status(client)["InstanceFullStatusSet"]["InstanceFullStatusType"])


def test_full_status_errors(client, engine):
    window = models.DescribeInstancesFullStatusRequestNotBefore(start=at(engine, 60), end=at(engine, 0))
    bad = [
        ("InvalidParameter.TimeEndBeforeStart", dict(not_before=window)),
        ("InstanceIdLimitExceeded", dict(instance_id=[f"i-bp1{n:017d}" for n in range(101)])),
        ("EventIdLimitExceeded", dict(event_id=[f"e-bp1{n:017d}" for n in range(101)])),
        ("InvalidParameter", dict(status="Pending")),
        ("InvalidParameter", dict(health_status="ok")),
        ("InvalidParameter", dict(page_number=0)),
        ("MissingParameter", dict(region_id=None)),
    ]
    for code, kw in bad:
        err = error_of(full_status, client, **kw)
        assert err.code == code, (code, kw, err)
        assert_documented("DescribeInstancesFullStatus", err)


# -- AcceptInquiredSystemEvent and planted events -------------------------------------------------------
def test_accept_an_inquiring_event(client, engine):
    instance = run(client)[0]
    inquiring = system_events.plant(engine, instance, "SystemMaintenance.Redeploy", status="Inquiring",
                                    reason="System maintenance is scheduled due to a potential risk.")
    [event] = events_of(client, event_cycle_status="Inquiring")
    assert event["EventCycleStatus"] == {"Code": 28, "Name": "Inquiring"} and "NotBefore" not in event
    assert event["EventType"] == {"Code": 9, "Name": "SystemMaintenance.Redeploy"}
    [item] = full_status(client)["InstanceFullStatusSet"]["InstanceFullStatusType"]
    assert ids(item["ScheduledSystemEventSet"]["ScheduledSystemEventType"]) == [inquiring]
    client.accept_inquired_system_event(models.AcceptInquiredSystemEventRequest(region_id=REGION,
                                                                               event_id=inquiring))
    assert statuses(client, [inquiring]) == {inquiring: "Executed"}
    for kw in ({"event_id": inquiring}, {"event_id": "e-bp1nosuchevent00000"}, {"event_id": None},
               {"event_id": inquiring, "choice": "hide"}):
        err = error_of(client.accept_inquired_system_event, models.AcceptInquiredSystemEventRequest(
            region_id=REGION, **kw))
        assert_documented("AcceptInquiredSystemEvent", err)
    assert err.code == "InvalidParameter"
    # Only maintenance events are accepted, on an instance that is not changing state
    failure = system_events.plant(engine, instance, "SystemFailure.Redeploy", status="Inquiring")
    err = error_of(client.accept_inquired_system_event, models.AcceptInquiredSystemEventRequest(
        region_id=REGION, event_id=failure))
    assert err.code == "OperationDenied.AcceptNotSupported"
    assert_documented("AcceptInquiredSystemEvent", err)
    engine.lifecycle.delay("instance", seconds=30)
    client.stop_instance(models.StopInstanceRequest(instance_id=instance))
    maintenance = system_events.plant(engine, instance, "SystemMaintenance.Reboot", status="Inquiring")
    err = error_of(client.accept_inquired_system_event, models.AcceptInquiredSystemEventRequest(
        region_id=REGION, event_id=maintenance))
    assert err.code == "IncorrectInstanceStatus"
    assert_documented("AcceptInquiredSystemEvent", err)
    engine.clock.advance(30)  # (Stopped: accepted)
    client.accept_inquired_system_event(models.AcceptInquiredSystemEventRequest(region_id=REGION,
                                                                               event_id=maintenance))
    assert statuses(client, [maintenance]) == {maintenance: "Executed"}


def test_planted_history(client, engine):
    instance = run(client)[0]
    expired = system_events.plant(engine, instance, "InstanceExpiration.Stop", status="Executed",
                                  not_before=engine.clock.now() - 86400)
    engine.clock.advance(2)
    today = system_events.plant(engine, instance, "SystemFailure.Delete", status="Executed")
    assert ids(events_of(client)) == [today, expired]  # (newest published first)
    [_, event] = events_of(client)
    assert event["EventType"] == {"Code": 34, "Name": "InstanceExpiration.Stop"}
    assert event["EventFinishTime"] == event["NotBefore"] and near(engine, event["NotBefore"], -86400 - 2)
    assert "Reason" not in event


def test_plant_checks_its_arguments(engine):
    with pytest.raises(ValueError, match="event_type"):
        system_events.plant(engine, "i-1", "Reboot")
    with pytest.raises(ValueError, match="no instance"):
        system_events.plant(engine, "i-bp1nosuchinstance000")


# -- the other clients ------------------------------------------------------------------------------------
def test_old_sdk_and_xml(client, engine, legacy):
    instance = run(client)[0]
    request = CreateSimulatedSystemEventsRequest()
    request.set_InstanceIds([instance])
    request.set_EventType("SystemMaintenance.Reboot")
    request.set_NotBefore(at(engine, HOUR))
    [event_id] = legacy_call(legacy, request)["EventIdSet"]["EventId"]
    request = DescribeInstanceHistoryEventsRequest()
    request.set_InstanceEventCycleStatuss(["Scheduled"])
    body = legacy_call(legacy, request)
    assert body["InstanceSystemEventSet"]["InstanceSystemEventType"][0]["EventId"] == event_id
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeInstanceHistoryEventsResponse"
    event = root.find("InstanceSystemEventSet/InstanceSystemEventType")
    assert event.find("EventId").text == event_id
    assert event.find("EventCycleStatus/Code").text == "24" and event.find("EventType/Name").text == \
        "SystemMaintenance.Reboot"


def test_async_full_status(client, engine):
    instance = run(client)[0]
    [event_id] = simulate(client, engine, [instance])

    async def go():
        found = await client.describe_instances_full_status_async(models.DescribeInstancesFullStatusRequest(
            region_id=REGION, instance_id=[instance]))
        return found.body.instance_full_status_set.instance_full_status_type[0]

    item = asyncio.run(go())
    assert item.health_status.name == "Ok"
    assert item.scheduled_system_event_set.scheduled_system_event_type[0].event_id == event_id


def test_every_documented_field_is_answered(client, engine, world):
    answers = {
        "DescribeInstanceHistoryEvents": history(client, instance_event_cycle_status=ALL),
        "DescribeInstancesFullStatus": full_status(client),
        "CreateSimulatedSystemEvents": raw("CreateSimulatedSystemEvents", EventType="SystemMaintenance.Stop",
                                           NotBefore=at(engine, HOUR), **{"InstanceId.1": world["instances"][0]}),
    }
    problems = {action: response_problems(action, body) for action, body in answers.items()}
    # As real answers show: no ImpactLevel (not open) and no EventFinishTime before the end; an empty
    # ExtendedAttribute for these event types.
    allowed = ("ImpactLevel: documented", "EventFinishTime: documented", "ExtendedAttribute.")
    assert {a: [p for p in ps if not any(x in p for x in allowed)] for a, ps in problems.items()} == \
        {a: [] for a in answers}


def test_reads_write_events_only_when_a_step_is_due(client, engine, monkeypatch):
    """A scheduled event waits hours: reading it before its NotBefore must not write it again each time."""
    instances = run(client, amount=5)
    simulate(client, engine, instances, after=HOUR)
    simulate(client, engine, instances, "SystemFailure.Stop", after=HOUR)
    written = []
    put = resources.put

    def counting(txn, kind, record):
        if kind == system_events.KIND:
            written.append(record["EventId"])
        return put(txn, kind, record)

    monkeypatch.setattr(resources, "put", counting)

    def read_all() -> None:
        assert len(events_of(client, instance_event_cycle_status=ALL, page_size=100)) == 10
        assert history(client, instance_event_cycle_status=ALL, instance_id=instances[0])["TotalCount"] == 2
        full_status(client, event_type="SystemMaintenance.Reboot")

    read_all()
    assert written == []
    engine.clock.advance(HOUR)
    read_all()
    assert len(written) == len(set(written)) == 10  # each settled once
    written.clear()
    read_all()
    assert written == []


def test_due_events_are_settled_in_order_of_their_next_step(client, engine, monkeypatch):
    """More events due than one read of the due order holds (50): each settled once, none still waiting read."""
    monkeypatch.setitem(engine.config.options, "simulated_event_quota", 200)
    instances = run(client, amount=60)
    first = simulate(client, engine, instances, after=HOUR)
    later = simulate(client, engine, instances, "SystemFailure.Redeploy", after=2 * HOUR)
    written = []
    put = resources.put
    monkeypatch.setattr(resources, "put", lambda txn, kind, record: (
        written.append(record["EventId"]) if kind == system_events.KIND else None, put(txn, kind, record))[1])
    engine.clock.advance(HOUR)
    assert history(client, instance_event_cycle_status=["Executed"])["TotalCount"] == 60
    assert sorted(written) == sorted(first)
    assert history(client, instance_event_cycle_status=["Executing"])["TotalCount"] == 60
    engine.clock.advance(HOUR)
    assert history(client)["TotalCount"] == 120
    assert sorted(written) == sorted(first + later)


# -- ExtendedAttribute ------------------------------------------------------------------------------------
def sdk_extended(client, event_id: str):
    """The event's ExtendedAttribute as the SDK's model reads it (history)."""
    [event] = client.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        region_id=REGION, event_id=[event_id], instance_event_cycle_status=ALL)).body.instance_system_event_set \
        .instance_system_event_type
    return event.extended_attribute


def test_extended_attribute_per_event_type(client, engine):
    """Empty for the types mockecs raises itself; the local-disk, security and upgrade types carry what the metadata
    lists, DescribeInstancesFullStatus only their disk fields; an Inquiring event says whether it can be accepted."""
    instance = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=40, category="cloud_essd")])[0]
    [data_disk] = [d["DiskId"] for d in client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, instance_id=instance, disk_type="data")).body.to_map()["Disks"]["Disk"]]
    [simulated] = simulate(client, engine, [instance])
    assert history(client, event_id=[simulated], instance_event_cycle_status=ALL)["InstanceSystemEventSet"][
        "InstanceSystemEventType"][0]["ExtendedAttribute"] == {}
    isolate = system_events.plant(engine, instance, "SystemMaintenance.RebootAndIsolateErrorDisk", status="Inquiring")
    attr = sdk_extended(client, isolate)
    assert (attr.disk_id, attr.device, attr.can_accept, attr.response_result) == (data_disk, "/dev/xvdb", "true", None)
    assert attr.host_id is None and attr.punish_type is None
    [item] = full_status(client, instance_id=[instance])["InstanceFullStatusSet"]["InstanceFullStatusType"]
    shown = {e["EventId"]: e["ExtendedAttribute"] for e in item["ScheduledSystemEventSet"]["ScheduledSystemEventType"]}
    assert shown == {isolate: {"Device": "/dev/xvdb", "DiskId": data_disk}, simulated: {}}
    client.accept_inquired_system_event(models.AcceptInquiredSystemEventRequest(region_id=REGION, event_id=isolate))
    attr = sdk_extended(client, isolate)
    assert (attr.can_accept, attr.response_result) == (None, "true")
    failure = system_events.plant(engine, instance, "SystemFailure.Redeploy", status="Inquiring")
    assert sdk_extended(client, failure).to_map() == {"CanAccept": "false"}  # (not the owner's to accept)
    punished = system_events.plant(engine, instance, "SecurityPunish.WebsiteBanned", status="Executed",
                                   extended_attribute={"PunishType": "ecs_message_alert", "Code": "PR111",
                                                       "PunishDomain": "a.example.com",
                                                       "PunishUrl": "http://a.example.com/1"})
    assert sdk_extended(client, punished).to_map() == {"PunishType": "ecs_message_alert", "Code": "PR111",
                                                       "PunishDomain": "a.example.com",
                                                       "PunishUrl": "http://a.example.com/1"}
    migrate = system_events.plant(engine, instance, "SystemUpgrade.Migrate")
    assert sdk_extended(client, migrate).migration_options.migration_option == ["MigrationPlan"]
    inactive = {"CreationTime": "2026-01-01T00:00:00Z", "DeviceSize": "80", "DeviceCategory": "cloud_essd",
                "DeviceType": "data", "ReleaseTime": "2026-02-01T00:00:00Z"}
    clean = system_events.plant(engine, instance, "SystemMaintenance.CleanInactiveDisks",
                                extended_attribute={"InactiveDisks": {"InactiveDisk": [inactive]}})
    [item] = full_status(client, instance_id=[instance])["InstanceFullStatusSet"]["InstanceFullStatusType"]
    [shown] = [e for e in item["ScheduledSystemEventSet"]["ScheduledSystemEventType"] if e["EventId"] == clean]
    assert shown["ExtendedAttribute"] == {"InactiveDisks": {"InactiveDisk": [inactive]}}
    for action, body in (("DescribeInstancesFullStatus", full_status(client)),
                         ("DescribeInstanceHistoryEvents", history(client, instance_event_cycle_status=ALL))):
        assert [p for p in response_problems(action, body)  # (the fields answered have the documented types)
                if "ExtendedAttribute" in p and "documented, not answered" not in p] == []
    with pytest.raises(ValueError, match="extended_attribute"):
        system_events.plant(engine, instance, extended_attribute={"Punish": "x"})


def test_events_of_an_instance_on_a_dedicated_host_name_it(client, engine):
    (host_id,) = allocate(client)
    vswitch = new_vswitch(client, new_vpc(client, "172.16.0.0/12"), zone_id="cn-hangzhou-i")
    [instance] = on_host(client, vswitch, host_id)
    [event_id] = simulate(client, engine, [instance])
    attr = sdk_extended(client, event_id)
    assert (attr.host_type, attr.host_id) == ("ddh", host_id)
    [item] = full_status(client, instance_id=[instance])["InstanceFullStatusSet"]["InstanceFullStatusType"]
    assert item["ScheduledSystemEventSet"]["ScheduledSystemEventType"][0]["ExtendedAttribute"] == {}

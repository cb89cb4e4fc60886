"""Spot interruption, driven by the test (mockecs.world.spot_interruptions): the notice (OperationLocks Recycling,
the disks' recycling lock, the metadata's instance/spot/termination-time, the CloudMonitor event), then, 5 minutes
later on the mock clock, the reclaim (Terminate: released; Stop: stopped in economical mode); refusals (not spot,
SpotDuration protection); a reclaim by type and zone; one driven by the market price; the control endpoint and the
pytest fixture. Through the current SDK (sync and async), the old SDK and the server."""
from __future__ import annotations

import asyncio
import json
import re

import alibabacloud_ecs20140526.models as models
import pytest
import requests
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest
from aliyunsdkecs.request.v20140526.StartInstanceRequest import StartInstanceRequest

from mockecs.world import resources, spot_interruptions
from mockecs.world.spot_interruptions import NOTICE, InterruptionError
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented, run

ZONE, OTHER_ZONE = "cn-hangzhou-h", "cn-hangzhou-i"
TERMINATION = "http://100.100.100.200/latest/meta-data/instance/spot/termination-time"
EVENT_TIME = re.compile(r"^\d{8}T\d{6}\.\d{3}\+0800$")


def spot(client, strategy="SpotAsPriceGo", duration=0, zone=ZONE, **kw) -> str:
    return run(client, spot_strategy=strategy, spot_duration=duration, zone_id=zone, **kw)[0]


def instance(client, instance_id: str) -> dict:
    body = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.to_map()
    found = body["Instances"]["Instance"]
    return found[0] if found else {}


def locks(record: dict) -> list:
    return record["OperationLocks"]["LockReason"]


def disk_locks(client, instance_id: str) -> list:
    disks = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)).body
    return [d.operation_locks.to_map()["OperationLock"] for d in disks.disks.disk]


def termination(mock, instance_id: str) -> requests.Response:
    mock.metadata.instance_id = instance_id
    return requests.get(TERMINATION, timeout=5)


# -- the notice, then the reclaim -----------------------------------------------------------------------------
def test_notice_then_release_on_the_mock_clock(client, mock, engine):
    instance_id = spot(client)
    assert termination(mock, instance_id).status_code == 404  # (no interruption pending: 404, documented)
    assert locks(instance(client, instance_id)) == []
    now = engine.clock.now()
    published = mock.interrupt_spot(instance_id)
    assert len(published) == 1
    event = published[0]
    assert event == {"ver": "1.0", "id": event["id"], "product": "ECS",
                     "resourceId": f"acs:ecs:{REGION}:1234567890123456:instance/{instance_id}", "level": "WARN",
                     "name": "Instance:PreemptibleInstanceInterruption", "userId": "1234567890123456",
                     "eventTime": event["eventTime"], "regionId": REGION,
                     "content": {"instanceId": instance_id, "action": "delete"}}
    assert EVENT_TIME.match(event["eventTime"])
    # During the notice: still running, locked Recycling (its disks recycling), the metadata's termination time.
    record = instance(client, instance_id)
    assert record["Status"] == "Running" and locks(record) == [{"LockReason": "Recycling"}]
    assert record["SpotInterruptionBehavior"] == "Terminate"
    assert disk_locks(client, instance_id) == [[{"LockReason": "recycling"}]]
    answer = termination(mock, instance_id)
    assert (answer.status_code, answer.text) == (200, resources.iso(now + NOTICE))
    engine.clock.advance(NOTICE - 1)
    assert locks(instance(client, instance_id)) == [{"LockReason": "Recycling"}]
    engine.clock.advance(1)
    # Reclaimed: released as DeleteInstance releases (not listed; by id: not found), the metadata item gone.
    assert instance(client, instance_id) == {}
    err = error_of(client.describe_instance_attribute, models.DescribeInstanceAttributeRequest(instance_id=instance_id))
    assert err.code == "InvalidInstanceId.NotFound"
    assert_documented("DescribeInstanceAttribute", err)
    assert client.describe_disks(models.DescribeDisksRequest(region_id=REGION)).body.total_count == 0
    assert termination(mock, instance_id).status_code == 404
    assert mock.spot_interruption_events() == published
    assert mock.spot_interruption_events(instance_id=instance_id) == published
    assert mock.spot_interruption_events(account="2000000000000001") == []


def test_lock_reason_filters_of_instances_and_disks(client, mock):
    noticed, running = spot(client), spot(client)
    mock.interrupt_spot(noticed)

    def ids(**kw) -> list:
        body = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kw)).body
        return [i.instance_id for i in body.instances.instance]

    def owners(**kw) -> list:
        body = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, **kw)).body
        return [d.instance_id for d in body.disks.disk]

    assert ids(lock_reason="Recycling") == [noticed] and owners(lock_reason="recycling") == [noticed]
    assert ids(lock_reason="Recycling", instance_ids=json.dumps([running])) == []
    assert owners(lock_reason="recycling", instance_id=running) == []
    assert ids(lock_reason="financial") == [] and owners(lock_reason="financial") == []
    assert sorted(ids()) == sorted([noticed, running])
    # Each takes its documented values (disks: lower case): another is the documented 404.
    for action, call, request in (
            ("DescribeInstances", client.describe_instances,
             models.DescribeInstancesRequest(region_id=REGION, lock_reason="asleep")),
            ("DescribeDisks", client.describe_disks, models.DescribeDisksRequest(region_id=REGION,
                                                                               lock_reason="Recycling"))):
        err = error_of(call, request)
        assert (err.code, err.status_code) == ("InvalidLockReason.NotFound", 404)
        assert_documented(action, err)


def test_a_stopped_spot_instance_outbid_cannot_start(client, mock, engine):
    price = _history(client)[-1].spot_price
    instance_id = spot(client, strategy="SpotWithPriceLimit", spot_price_limit=round(price + 0.5, 3),
                       spot_interruption_behavior="Stop")
    mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE, spot_price=round(price + 1, 3), reclaim=True)
    assert instance(client, instance_id)["Status"] == "Stopped"
    start = models.StartInstanceRequest(instance_id=instance_id)
    err = error_of(client.start_instance, start)
    assert (err.code, err.status_code) == ("OperationDenied.SpotPriceLowerThanPublicPrice", 403)
    assert_documented("StartInstance", err)
    assert mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE, spot_price=price) == []  # (the price falls)
    client.start_instance(start)
    assert instance(client, instance_id)["Status"] == "Running"


def test_stop_behaviour_through_the_old_sdk(legacy, mock, engine):
    request = RunInstancesRequest()
    for name, value in (("ImageId", LINUX), ("InstanceType", X86_TYPE), ("ZoneId", ZONE), ("SpotDuration", 0),
                        ("SpotStrategy", "SpotWithPriceLimit"), ("SpotPriceLimit", 50),
                        ("SpotInterruptionBehavior", "Stop")):
        request.add_query_param(name, value)
    instance_id = legacy_call(legacy, request)["InstanceIdSets"]["InstanceIdSet"][0]
    (event,) = mock.interrupt_spot(instance_id)
    assert event["content"] == {"instanceId": instance_id, "action": "stop"}

    def described() -> dict:
        listing = DescribeInstancesRequest()
        listing.set_InstanceIds(json.dumps([instance_id]))
        return legacy_call(legacy, listing)["Instances"]["Instance"][0]

    during = described()
    assert during["Status"] == "Running" and during["OperationLocks"]["LockReason"] == [{"LockReason": "Recycling"}]
    listing = DescribeInstancesRequest()
    listing.set_InstanceIds(json.dumps([instance_id]))
    root = legacy_xml(legacy, listing)  # (XML: the lock as the old SDK's XML readers see it)
    assert [e.text for e in root.iter("LockReason") if e.text and e.text.strip()] == ["Recycling"]
    engine.clock.advance(NOTICE)
    after = described()
    assert (after["Status"], after["StoppedMode"], after["OperationLocks"]["LockReason"]) == \
        ("Stopped", "StopCharging", [])
    start = StartInstanceRequest()
    start.set_InstanceId(instance_id)
    legacy_call(legacy, start)  # (economical mode: it can be started again)
    assert described()["Status"] == "Running"
    mock.interrupt_spot(instance_id, reclaim=True)  # (interrupted again: a second event, stopped at once)
    assert described()["Status"] == "Stopped"
    assert len(mock.spot_interruption_events(instance_id=instance_id)) == 2


def test_notice_seen_through_the_async_sdk(client, mock):
    instance_id = spot(client)
    mock.interrupt_spot(instance_id)

    async def go():
        return await client.describe_instances_async(models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps([instance_id])))

    found = asyncio.run(go()).body.instances.instance[0]
    assert [lock.lock_reason for lock in found.operation_locks.lock_reason] == ["Recycling"]


def test_released_by_the_user_during_the_notice(client, mock, engine):
    instance_id = spot(client)
    mock.interrupt_spot(instance_id)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    engine.clock.advance(NOTICE)  # (the reclaim finds nothing left to do)
    assert instance(client, instance_id) == {}
    assert len(mock.spot_interruption_events()) == 1


# -- refusals -----------------------------------------------------------------------------------------------------
def test_refusals_name_the_reason(client, mock, engine):
    protected = spot(client, duration=1)  # (documented default: an hour without interruption)
    regular = run(client, zone_id=ZONE)[0]
    with pytest.raises(InterruptionError, match=rf"^{regular} is not a spot instance \(SpotStrategy NoSpot\)$"):
        mock.interrupt_spot(regular)
    until = resources.iso(engine.clock.now() - 0.5 + 3600)[:16]
    with pytest.raises(InterruptionError, match=rf"^{protected} is protected by its SpotDuration \(1 h\) until "):
        mock.interrupt_spot(protected)
    with pytest.raises(InterruptionError, match=r"^no instance 'i-nothere'$"):
        mock.interrupt_spot("i-nothere")
    engine.clock.advance(3600)  # (protection over)
    assert until <= resources.iso(engine.clock.now())
    mock.interrupt_spot(protected)
    with pytest.raises(InterruptionError, match=rf"^{protected} already has an interruption notice"):
        mock.interrupt_spot(protected)
    assert locks(instance(client, regular)) == [] and [e["content"]["instanceId"]
                                                       for e in mock.spot_interruption_events()] == [protected]
    bad = [({}, "name an instance_id, or an instance_type and/or a zone_id"),
           ({"instance_id": protected, "zone_id": ZONE}, "give instance_id alone"),
           ({"instance_type": "ecs.nope"}, "instance_type 'ecs.nope' is not an instance type of the catalogue"),
           ({"zone_id": "mars-1a"}, "zone_id 'mars-1a' is not a zone of any region"),
           ({"zone_id": ZONE, "spot_price": -1}, "spot_price must be a number above 0"),
           ({"zone_id": ZONE, "spot_price": 1.0}, "spot_price moves one market: give instance_type and zone_id"),
           ({"instance_id": 5}, "instance_id must be a non-empty string, not 5"),
           ({"instance_type": X86_TYPE, "region": "nowhere"}, "region 'nowhere' is not a region")]
    for kwargs, message in bad:
        with pytest.raises(InterruptionError, match="^" + re.escape(message)):
            spot_interruptions.interrupt(engine, **kwargs)


# -- by type and zone; by the market price ---------------------------------------------------------------------------
def test_reclaim_by_type_and_zone_takes_only_what_the_cloud_would(client, other, mock, engine):
    first, second = spot(client), spot(client, strategy="SpotWithPriceLimit", spot_price_limit=50)
    elsewhere, protected = spot(client, zone=OTHER_ZONE), spot(client, duration=1)
    regular = run(client, zone_id=ZONE)[0]
    theirs = spot(other.client)
    published = mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE)
    assert sorted(e["content"]["instanceId"] for e in published) == sorted([first, second, theirs])
    assert {e["userId"] for e in published} == {"1234567890123456", other.account_id}
    for untouched in (elsewhere, protected, regular):
        assert locks(instance(client, untouched)) == []
    assert mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE) == []  # (already noticed: left alone)
    by_zone = mock.interrupt_spot(zone_id=OTHER_ZONE, account="1234567890123456")
    assert [e["content"]["instanceId"] for e in by_zone] == [elsewhere]
    engine.clock.advance(NOTICE)
    remaining = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.instances.instance
    assert sorted(i.instance_id for i in remaining) == sorted([protected, regular])


def _history(client, zone: str = ZONE) -> list:
    body = client.describe_spot_price_history(models.DescribeSpotPriceHistoryRequest(
        region_id=REGION, network_type="vpc", instance_type=X86_TYPE, zone_id=zone)).body
    return body.spot_prices.spot_price_type


def test_market_price_above_the_limit_reclaims_the_outbid(client, mock, engine):
    price = _history(client)[-1].spot_price
    low = spot(client, strategy="SpotWithPriceLimit", spot_price_limit=round(price + 0.01, 3))
    high = spot(client, strategy="SpotWithPriceLimit", spot_price_limit=round(price + 5, 3))
    follows = spot(client)  # (SpotAsPriceGo: follows the price)
    raised = round(price + 1, 3)
    published = mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE, spot_price=raised)
    assert [e["content"]["instanceId"] for e in published] == [low]
    assert [locks(instance(client, i)) for i in (high, follows)] == [[], []]
    # The price history shows the rise (from the current hour on), the other zones' prices do not move.
    assert _history(client)[-1].spot_price == raised
    assert _history(client, OTHER_ZONE)[-1].spot_price < price + 1
    # A launch below the new price is refused as documented.
    err = error_of(run, client, spot_strategy="SpotWithPriceLimit", spot_price_limit=round(raised - 0.01, 3),
                   zone_id=ZONE)
    assert err.code == "InvalidSpotPriceLimit.LowerThanPublicPrice"
    assert_documented("RunInstances", err)
    with pytest.raises(InterruptionError, match=rf"^{high}'s SpotPriceLimit .* is not below spot_price {raised}$"):
        mock.interrupt_spot(high, spot_price=raised)
    with pytest.raises(InterruptionError, match=rf"^{follows} is SpotAsPriceGo"):
        mock.interrupt_spot(follows, spot_price=raised)
    assert [e["content"]["instanceId"] for e in mock.interrupt_spot(high, spot_price=price + 6)] == [high]
    assert _history(client)[-1].spot_price == round(price + 6, 3)


def test_outbid_within_the_protection_gets_the_notice_when_it_ends(client, mock, engine):
    price = _history(client)[-1].spot_price
    below, above = (spot(client, strategy="SpotWithPriceLimit", duration=1, spot_price_limit=round(price + d, 3))
                    for d in (0.5, 0.8))
    protected_until = engine.clock.now() + 3600
    assert mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE, spot_price=round(price + 1, 3)) == []
    # The price falls back between the two limits before the protection ends: only the lower one stays outbid.
    assert mock.interrupt_spot(instance_type=X86_TYPE, zone_id=ZONE, spot_price=round(price + 0.6, 3)) == []
    engine.clock.advance(3600 - 1)
    assert [locks(instance(client, i)) for i in (below, above)] == [[], []]
    engine.clock.advance(1)
    assert locks(instance(client, below)) == [{"LockReason": "Recycling"}]
    assert locks(instance(client, above)) == []
    (event,) = mock.spot_interruption_events()
    assert event["content"]["instanceId"] == below
    mock.metadata.instance_id = below
    assert requests.get(TERMINATION, timeout=5).text == resources.iso(protected_until + NOTICE)
    engine.clock.advance(NOTICE)
    assert instance(client, below) == {} and instance(client, above)["Status"] == "Running"


# -- the control endpoint; the pytest fixture -------------------------------------------------------------------
def test_control_endpoint():
    from mockecs.modes.clients import server_client
    from mockecs.modes.server import ServerThread

    with ServerThread() as srv:
        url = srv.url + "/_mockecs/spot-interruptions"
        ecs = server_client(srv.url)
        instance_id = spot(ecs)
        proxied = {"http": srv.url}  # (the metadata server through the server as proxy, as the instance is told)
        metadata = srv.url + "/_mockecs/metadata"
        assert requests.post(metadata, json={"instance_id": instance_id}, timeout=10).json() == \
            {"instance_id": instance_id, "vendor_data": None}
        assert requests.get(TERMINATION, proxies=proxied, timeout=10).status_code == 404
        answer = requests.post(url, json={"instance_id": instance_id}, timeout=10)
        assert answer.status_code == 200
        (event,) = answer.json()["events"]
        ends = requests.get(TERMINATION, proxies=proxied, timeout=10)
        assert ends.status_code == 200 and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", ends.text)
        assert requests.get(metadata, timeout=10).json() == {"instance_id": instance_id, "vendor_data": None}
        for body, error in (({"instance_id": "i-none"}, "no instance 'i-none'"),
                            ({"instance_id": 3}, "instance_id must be a string or null, not 3"),
                            ({"vendor_data": 5}, "vendor_data must be a string or null, not 5"),
                            ({}, 'the body must be {"instance_id": "i-..." or null, "vendor_data": text or null}')):
            answer = requests.post(metadata, json=body, timeout=10)
            assert (answer.status_code, answer.json()) == (400, {"error": error}), body
        assert event["content"] == {"instanceId": instance_id, "action": "delete"}
        assert locks(instance(ecs, instance_id)) == [{"LockReason": "Recycling"}]
        assert requests.get(url, timeout=10).json() == [event]
        assert requests.get(url, params={"instance_id": "i-other"}, timeout=10).json() == []
        requests.post(srv.url + "/_mockecs/clock/advance", json={"seconds": NOTICE}, timeout=10)
        assert instance(ecs, instance_id) == {}
        assert requests.get(TERMINATION, proxies=proxied, timeout=10).status_code == 404
        requests.post(srv.url + "/_mockecs/reset", timeout=10)
        assert requests.get(metadata, timeout=10).json() == {"instance_id": None, "vendor_data": None}
        cases = [({}, "name an instance_id, or an instance_type and/or a zone_id"),
                 ({"instance_id": instance_id}, f"no instance {instance_id!r}"),
                 ({"instance_id": "i-1", "when": 5}, "unknown spot interruption fields: when (known: instance_id, "
                                                     "instance_type, zone_id, region, account, spot_price)"),
                 ({"instance_type": X86_TYPE, "region": 7}, "region must be a string, not 7"),
                 ({"instance_type": X86_TYPE, "zone_id": ZONE, "spot_price": "high"},
                  "spot_price must be a number above 0 (per hour), not 'high'")]
        for body, error in cases:
            answer = requests.post(url, json=body, timeout=10)
            assert (answer.status_code, answer.json()) == (400, {"error": error}), body


def test_pytest_fixture(ecs_mock, ecs_client, ecs_spot_interrupt):
    instance_id = spot(ecs_client)
    ecs_mock.metadata.instance_id = instance_id
    (event,) = ecs_spot_interrupt(instance_id)
    assert requests.get(TERMINATION, timeout=5).status_code == 200
    assert ecs_spot_interrupt(instance_type=X86_TYPE, zone_id=ZONE, reclaim=True) == []  # (nothing more to take)
    ecs_spot_interrupt(zone_id=OTHER_ZONE, reclaim=True)  # (none there: the clock is not moved)
    assert instance(ecs_client, instance_id)["Status"] == "Running"
    ecs_mock.engine.clock.advance(NOTICE)
    assert instance(ecs_client, instance_id) == {}
    assert ecs_mock.spot_interruption_events() == [event]

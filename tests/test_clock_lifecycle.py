"""What happens by itself on the mock clock: a pay-as-you-go instance's AutoReleaseTime releases it (as DeleteInstance
with Force, deletion protection or not); a subscription at its ExpiredTime is auto-renewed, or stopped and locked
(financial) until RenewInstance restores it or the retention (15 days) ends and it is released; a user snapshot's
RetentionDays deletes it (unless an image was made from it). Settled lazily by the reads, from the head of a due-time
index. Through the current SDK (sync and async), the old SDK (JSON and XML), and Terraform's calls through the
server."""
from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import alibabacloud_ecs20140526.models as models
import pytest
import requests
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.RenewInstanceRequest import RenewInstanceRequest

from mockecs.world import auto_snapshots, instance_clock, resources
from mockecs.world.subscriptions import subscription_end
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_addresses import allocate, associate, eips, in_vpc
from tests.test_auto_snapshots import mock  # noqa: F401  (fixture: the fake on the memory and SQLite stores)
from tests.test_instances import LINUX, REGION, assert_documented, describe, disks, run
from tests.test_prepaid import prepaid
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import (  # noqa: F401  (proxy: the server as HTTP_PROXY, reset)
    Provider,
    _calls,
    describe_instance,
    instance_create,
    instance_read,
    network,
    proxy,
)

HOUR, DAY = 3600, 86400
FINANCIAL = [{"LockMsg": "The specified instance is locked due to financial reason.", "LockReason": "financial"}]


def at(seconds: float) -> str:
    """A mock-clock time as RunInstances and ModifyInstanceAutoReleaseTime take it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def listed(client: Any, **kw: Any) -> list[dict]:
    body = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, page_size=100, **kw)).body
    return body.to_map()["Instances"]["Instance"]


def statuses(client: Any, *instance_ids: str) -> dict[str, str]:
    body = client.describe_instance_status(models.DescribeInstanceStatusRequest(
        region_id=REGION, instance_id=list(instance_ids))).body.to_map()
    return {s["InstanceId"]: s["Status"] for s in body["InstanceStatuses"]["InstanceStatus"]}


def expiry(client: Any, instance_id: str) -> float:
    return resources.parse_iso(describe(client, instance_id)["ExpiredTime"])


def due(engine: Any, resource_id: str) -> Any:
    """The resource's entry in its due-time index (None: nothing to come)."""
    with engine.store.transaction() as txn:
        return txn.get(instance_clock.DUE if resource_id.startswith("i-") else auto_snapshots.DUE, resource_id)


# -- AutoReleaseTime -----------------------------------------------------------------------------------------------
def test_auto_release_time_releases_the_instance_as_a_forced_delete(client, engine):
    """At its AutoReleaseTime the instance goes as DeleteInstance with Force: its disks with DeleteWithInstance go,
    the others stay detached (DetachedTime: the release time), its EIP is unassociated, its primary ENI goes. Deletion
    protection does not hold it (documented: it only limits manual release)."""
    release = engine.clock.now() + HOUR
    [instance_id] = run(client, auto_release_time=at(release), deletion_protection=True, **in_vpc(client), data_disk=[
        models.RunInstancesRequestDataDisk(size=20, category="cloud_essd", delete_with_instance=False),
        models.RunInstancesRequestDataDisk(size=30, category="cloud_essd")])
    [staying] = run(client)
    allocation_id = allocate(client).allocation_id
    associate(client, allocation_id, instance_id)
    instance = describe(client, instance_id)
    assert instance["AutoReleaseTime"] == resources.iso_minute(release)
    kept = next(d["DiskId"] for d in disks(client, instance_id) if d["Size"] == 20)
    enis = [n["NetworkInterfaceId"] for n in instance["NetworkInterfaces"]["NetworkInterface"]]
    engine.clock.advance(HOUR - 60)
    assert statuses(client, instance_id) == {instance_id: "Running"}
    engine.clock.advance(120)
    assert [i["InstanceId"] for i in listed(client)] == [staying]
    assert statuses(client, instance_id) == {}
    err = error_of(client.describe_instance_attribute, models.DescribeInstanceAttributeRequest(instance_id=instance_id))
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    left = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, disk_ids=json.dumps([kept]))).body
    (disk,) = left.to_map()["Disks"]["Disk"]
    assert (disk["Status"], disk["InstanceId"], disk["Portable"]) == ("Available", "", True)
    assert resources.parse_iso(disk["DetachedTime"]) == resources.parse_iso(resources.iso_minute(release))
    assert disks(client, instance_id) == []
    (eip,) = eips(client, allocation_id=allocation_id)["EipAddresses"]["EipAddress"]
    assert (eip["Status"], eip["InstanceId"]) == ("Available", "")
    found = client.describe_network_interfaces(models.DescribeNetworkInterfacesRequest(
        region_id=REGION, network_interface_id=enis)).body.to_map()["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    assert found == []
    assert due(engine, instance_id) is None


def test_modify_auto_release_time_moves_and_clears_the_entry(client, engine):
    [instance_id] = run(client)
    assert due(engine, instance_id) is None  # (nothing to come: not in the index)
    now = engine.clock.now()
    client.modify_instance_auto_release_time(models.ModifyInstanceAutoReleaseTimeRequest(
        instance_id=instance_id, auto_release_time=at(now + 2 * HOUR)))
    first = due(engine, instance_id)["_due"]
    client.modify_instance_auto_release_time(models.ModifyInstanceAutoReleaseTimeRequest(
        instance_id=instance_id, auto_release_time=at(now + 5 * HOUR)))
    assert due(engine, instance_id)["_due"] == first + 3 * HOUR  # (moved later)
    engine.clock.advance(3 * HOUR)
    assert statuses(client, instance_id) == {instance_id: "Running"}
    client.modify_instance_auto_release_time(models.ModifyInstanceAutoReleaseTimeRequest(instance_id=instance_id))
    assert describe(client, instance_id)["AutoReleaseTime"] == ""
    assert due(engine, instance_id) is None  # (cleared: out of the index)
    engine.clock.advance(10 * DAY)
    assert statuses(client, instance_id) == {instance_id: "Running"}
    # moved earlier than its entry, through the old SDK's ModifyInstanceAutoReleaseTime
    client.modify_instance_auto_release_time(models.ModifyInstanceAutoReleaseTimeRequest(
        instance_id=instance_id, auto_release_time=at(engine.clock.now() + 31 * 60)))
    engine.clock.advance(31 * 60)
    assert statuses(client, instance_id) == {}


def test_operations_on_an_instance_see_it_released(client, engine):
    """Not only the listings: an operation naming a released instance answers that it does not exist."""
    [instance_id] = run(client, auto_release_time=at(engine.clock.now() + HOUR))
    engine.clock.advance(2 * HOUR)
    err = error_of(client.stop_instance, models.StopInstanceRequest(instance_id=instance_id))
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    err = error_of(client.modify_instance_auto_release_time, models.ModifyInstanceAutoReleaseTimeRequest(
        instance_id=instance_id, auto_release_time=at(engine.clock.now() + DAY)))
    assert err.code == "NoSuchResource"
    assert_documented("ModifyInstanceAutoReleaseTime", err)


def test_reads_touch_only_what_is_due(client, engine, monkeypatch):
    """A read settles from the head of the due order: an instance not yet due is not read, nor are instances with
    nothing to come (none at all: one empty index page)."""
    for _ in range(3):
        run(client)
    prepaid(client, period=1, period_unit="Week")
    [soon] = run(client, auto_release_time=at(engine.clock.now() + HOUR))
    settled, pages = [], []
    real_settle = instance_clock.settle
    monkeypatch.setattr(instance_clock, "settle", lambda ctx, iid, record: (settled.append(iid),
                                                                           real_settle(ctx, iid, record)))
    listed(client)
    assert settled == []
    engine.clock.advance(2 * HOUR)
    with engine.store.transaction() as txn:
        txn_type = type(txn)
    real_page = txn_type.page

    def counted(txn, kind, *args, **kwargs):  # (the pages read of the due index)
        if kind == instance_clock.DUE:
            pages.append(kind)
        return real_page(txn, kind, *args, **kwargs)
    monkeypatch.setattr(txn_type, "page", counted)
    assert len(listed(client)) == 4
    assert settled == [soon] and pages == [instance_clock.DUE]  # (one page of the index: the head)
    listed(client)
    assert settled == [soon]  # (nothing due any more)


def test_more_due_than_one_chunk(client, engine):
    """Sixty instances due at once (the due order is read in chunks of fifty)."""
    ids = run(client, amount=60, auto_release_time=at(engine.clock.now() + HOUR))
    assert len(ids) == 60
    engine.clock.advance(HOUR)
    assert listed(client) == []


# -- subscriptions -------------------------------------------------------------------------------------------------
def test_an_expired_subscription_is_stopped_and_locked_until_renewed(client, engine):
    instance_id = prepaid(client, period=1, period_unit="Week",
                          data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])
    ends = expiry(client, instance_id)
    engine.clock.advance(ends - engine.clock.now() - 60)
    assert statuses(client, instance_id) == {instance_id: "Running"}
    engine.clock.advance(120)
    (event,) = client.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        region_id=REGION, instance_id=instance_id)).body.to_map()["InstanceSystemEventSet"]["InstanceSystemEventType"]
    assert (event["EventType"], event["EventCycleStatus"]["Name"]) == (
        {"Code": 34, "Name": "InstanceExpiration.Stop"}, "Executed")  # (the first read after the expiry)
    assert resources.parse_iso(event["NotBefore"]) == resources.parse_iso(event["EventFinishTime"]) == ends
    assert statuses(client, instance_id) == {instance_id: "Stopped"}
    instance = describe(client, instance_id)
    assert (instance["Status"], instance["OperationLocks"]["LockReason"]) == ("Stopped", FINANCIAL)
    assert instance["ExpiredTime"] == resources.iso_minute(ends)
    attribute = client.describe_instance_attribute(models.DescribeInstanceAttributeRequest(
        instance_id=instance_id)).body.to_map()
    assert attribute["OperationLocks"]["LockReason"] == [{"LockReason": "financial"}]
    assert attribute["Status"] == "Stopped"
    assert [d["OperationLocks"]["OperationLock"] for d in disks(client, instance_id)] == \
        [[{"LockReason": "financial"}]] * 2
    # what it refuses while expired (the documented codes)
    err = error_of(client.start_instance, models.StartInstanceRequest(instance_id=instance_id))
    assert (err.code, err.status_code) == ("InstanceExpired", 403)
    for call in (lambda: client.stop_instance(models.StopInstanceRequest(instance_id=instance_id)),
                 lambda: client.reboot_instance(models.RebootInstanceRequest(instance_id=instance_id))):
        err = error_of(call)
        assert err.code == "InstanceExpiredOrInArrears"
        assert_documented("StopInstance", err)
    err = error_of(client.replace_system_disk, models.ReplaceSystemDiskRequest(instance_id=instance_id, image_id=LINUX))
    assert err.code == "InstanceExpiredOrInArrears"
    assert_documented("ReplaceSystemDisk", err)
    data_disk = client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id=instance["ZoneId"], size=20,
                                                            disk_category="cloud_essd")).body.disk_id
    err = error_of(client.attach_disk, models.AttachDiskRequest(instance_id=instance_id, disk_id=data_disk))
    assert err.code == "InstanceExpiredOrInArrears"
    assert_documented("AttachDisk", err)
    err = error_of(client.modify_instance_charge_type, models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), instance_charge_type="PostPaid"))
    assert err.code == "ExpiredInstance"
    assert_documented("ModifyInstanceChargeType", err)
    err = error_of(client.modify_instance_auto_renew_attribute, models.ModifyInstanceAutoRenewAttributeRequest(
        region_id=REGION, instance_id=instance_id, renewal_status="AutoRenewal", duration=1))
    assert err.code == "IncorrectInstanceStatus"
    assert_documented("ModifyInstanceAutoRenewAttribute", err)
    # RenewInstance restores it: from now, unlocked, started again
    client.renew_instance(models.RenewInstanceRequest(instance_id=instance_id, period=1, period_unit="Month"))
    instance = describe(client, instance_id)
    assert (instance["Status"], instance["OperationLocks"]["LockReason"]) == ("Running", [])
    assert instance["ExpiredTime"] == subscription_end(engine.clock.now(), 1, "Month")
    assert [d["OperationLocks"]["OperationLock"] for d in disks(client, instance_id)] == [[], []]
    assert {d["ExpiredTime"] for d in disks(client, instance_id)} == {instance["ExpiredTime"]}
    assert due(engine, instance_id)["_due"] == resources.parse_iso(instance["ExpiredTime"])


def test_renewed_instance_stays_stopped_with_the_option(client, engine):
    engine.config.options["renewed_instance_starts"] = False
    instance_id = prepaid(client, period=1, period_unit="Week")
    engine.clock.advance(expiry(client, instance_id) - engine.clock.now() + DAY)
    client.renew_instance(models.RenewInstanceRequest(instance_id=instance_id, period=1, period_unit="Week"))
    instance = describe(client, instance_id)
    assert (instance["Status"], instance["OperationLocks"]["LockReason"]) == ("Stopped", [])
    client.start_instance(models.StartInstanceRequest(instance_id=instance_id))
    assert statuses(client, instance_id) == {instance_id: "Running"}


def test_an_expired_subscription_is_released_after_the_retention(client, engine):
    instance_id = prepaid(client, period=1, period_unit="Week")
    [other] = run(client)
    ends = expiry(client, instance_id)
    engine.clock.advance(ends - engine.clock.now() + 15 * DAY - 60)
    assert statuses(client, instance_id, other) == {instance_id: "Stopped", other: "Running"}
    engine.clock.advance(120)
    assert statuses(client, instance_id, other) == {other: "Running"}
    assert disks(client, instance_id) == []
    assert due(engine, instance_id) is None
    # the retention is an option
    engine.config.options["expired_instance_retention_days"] = 2
    second = prepaid(client, period=1, period_unit="Week")
    engine.clock.advance(expiry(client, second) - engine.clock.now() + 2 * DAY + 1)
    assert statuses(client, second) == {}


def test_auto_renewal_at_expiry_and_its_bounded_catch_up(client, engine):
    instance_id = prepaid(client, period=1, period_unit="Month", auto_renew=True, auto_renew_period=1,
                          data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])
    ends = expiry(client, instance_id)
    engine.clock.advance(ends - engine.clock.now() + 60)
    instance = describe(client, instance_id)
    assert (instance["Status"], instance["OperationLocks"]["LockReason"]) == ("Running", [])
    assert instance["ExpiredTime"] == subscription_end(ends, 1, "Month")  # (from the old end)
    assert {d["ExpiredTime"] for d in disks(client, instance_id)} == {instance["ExpiredTime"]}
    # three years later: one term after another, each from the last end, in one read
    engine.clock.advance(3 * 365 * DAY)
    end = resources.parse_iso(instance["ExpiredTime"])
    while end <= engine.clock.now():
        end = resources.parse_iso(subscription_end(end, 1, "Month"))
    assert describe(client, instance_id)["ExpiredTime"] == resources.iso_minute(end)
    # auto-renewal turned off through ModifyInstanceAutoRenewAttribute: the next expiry stops it
    client.modify_instance_auto_renew_attribute(models.ModifyInstanceAutoRenewAttributeRequest(
        region_id=REGION, instance_id=instance_id, renewal_status="Normal"))
    engine.clock.advance(end - engine.clock.now() + 1)
    assert statuses(client, instance_id) == {instance_id: "Stopped"}


def test_a_conversion_to_subscription_expires(client, engine):
    [instance_id] = run(client)
    client.modify_instance_charge_type(models.ModifyInstanceChargeTypeRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]), period=1, period_unit="Week"))
    engine.clock.advance(expiry(client, instance_id) - engine.clock.now() + 1)
    assert statuses(client, instance_id) == {instance_id: "Stopped"}
    rows = client.describe_instance_auto_renew_attribute(models.DescribeInstanceAutoRenewAttributeRequest(
        region_id=REGION, instance_id=instance_id)).body.to_map()["InstanceRenewAttributes"]["InstanceRenewAttribute"]
    assert rows[0]["RenewalStatus"] == "Normal"


def test_old_sdk_xml_and_async(client, legacy, engine):
    instance_id = prepaid(client, period=1, period_unit="Week")
    engine.clock.advance(expiry(client, instance_id) - engine.clock.now() + 1)
    request = DescribeInstancesRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    (instance,) = legacy_call(legacy, request)["Instances"]["Instance"]
    assert (instance["Status"], instance["OperationLocks"]["LockReason"]) == ("Stopped", FINANCIAL)
    request = DescribeInstancesRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    root = legacy_xml(legacy, request)
    assert [e.text for e in root.iter("Status")] == ["Stopped"]
    assert [e.text for e in root.iter("LockReason") if e.text and e.text.strip()] == ["financial"]
    renew = RenewInstanceRequest()
    renew.set_InstanceId(instance_id)
    renew.set_Period(1)
    assert legacy_call(legacy, renew)["OrderId"].isdigit()
    assert describe(client, instance_id)["Status"] == "Running"
    [released] = run(client, auto_release_time=at(engine.clock.now() + HOUR))
    engine.clock.advance(HOUR)

    async def listing():
        return await client.describe_instances_async(models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps([released, instance_id])))

    body = asyncio.run(listing()).body.to_map()
    assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == [instance_id]


# -- user snapshots' RetentionDays ----------------------------------------------------------------------------------
def snapshots(client: Any, **kw: Any) -> list[dict]:
    return client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=kw.pop("region_id", REGION),
                                                                     page_size=100, **kw)).body.to_map()[
        "Snapshots"]["Snapshot"]


def snapshot(client: Any, disk_id: str, **kw: Any) -> str:
    return client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id, **kw)).body.snapshot_id


def test_user_snapshots_go_when_their_retention_ends(client, engine):
    [instance_id] = run(client)
    disk_id = disks(client, instance_id)[0]["DiskId"]
    short = snapshot(client, disk_id, retention_days=2)
    lengthened = snapshot(client, disk_id, retention_days=1)
    forever = snapshot(client, disk_id)
    imaged = snapshot(client, disk_id, retention_days=1)
    client.create_image(models.CreateImageRequest(region_id=REGION, snapshot_id=imaged, image_name="from-snapshot"))
    copied = client.copy_snapshot(models.CopySnapshotRequest(
        region_id=REGION, snapshot_id=forever, destination_region_id="cn-beijing", destination_snapshot_name="copy",
        destination_snapshot_description="copy", retention_days=1)).body.snapshot_id
    client.modify_snapshot_attribute(models.ModifySnapshotAttributeRequest(snapshot_id=lengthened, retention_days=3))
    assert [(s["SnapshotId"], s["RetentionDays"]) for s in snapshots(client, region_id="cn-beijing")] == [(copied, 1)]
    assert {s["SnapshotId"]: s["RetentionDays"] for s in snapshots(client)} == {
        short: 2, lengthened: 3, forever: 0, imaged: 1}
    engine.clock.advance(DAY + 1)
    assert {s["SnapshotId"] for s in snapshots(client)} == {short, lengthened, forever, imaged}  # (used by an image)
    assert snapshots(client, region_id="cn-beijing") == []
    engine.clock.advance(DAY)
    assert {s["SnapshotId"] for s in snapshots(client)} == {lengthened, forever, imaged}
    err = error_of(client.delete_snapshot, models.DeleteSnapshotRequest(snapshot_id=short))
    assert err.code == "InvalidSnapshotId.NotFound"
    engine.clock.advance(DAY)
    assert {s["SnapshotId"] for s in snapshots(client)} == {forever, imaged}
    # a snapshot kept for good given a retention: counted from its creation, three days ago
    client.modify_snapshot_attribute(models.ModifySnapshotAttributeRequest(snapshot_id=forever, retention_days=1))
    assert {s["SnapshotId"] for s in snapshots(client)} == {imaged}
    assert due(engine, forever) is None and due(engine, short) is None
    # shortening stays refused (documented)
    err = error_of(client.modify_snapshot_attribute, models.ModifySnapshotAttributeRequest(
        snapshot_id=snapshot(client, disk_id, retention_days=5), retention_days=2))
    assert err.code == "InvalidOperation.DecreaseRetentionDaysUnsupported"
    assert_documented("ModifySnapshotAttribute", err)


# -- Terraform: alicloud_instance with auto_release_time ------------------------------------------------------------
def test_terraform_instance_with_auto_release_time_disappears(proxy):  # noqa: F811
    """alicloud_instance with auto_release_time (RunInstances' AutoReleaseTime): read back as set; once the
    server's clock passes it, a refresh finds no instance (the resource leaves the state, a plan creates it again),
    and the provider's DeleteInstance on destroy answers the not-found code it takes as gone. A subscription
    instance with renewal_status AutoRenewal is renewed at its expiry: the refresh reads no diff."""
    hz = Provider(REGION)
    net = network(hz)
    release = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:00Z")
    instance_id = instance_create(hz, net, LINUX, {}, settings={"AutoReleaseTime": release})
    state = instance_read(hz, instance_id, new=True)
    assert state["auto_release_time"] == release
    subscription = instance_create(hz, net, LINUX, {}, settings={
        "ClientToken": "RunInstances-tf-2", "InstanceChargeType": "PrePaid", "Period": 1, "PeriodUnit": "Week",
        "AutoRenew": True, "AutoRenewPeriod": 1})
    renewed = instance_read(hz, subscription, new=True, period_unit="Week")
    ends = describe_instance(hz, subscription)["ExpiredTime"]
    assert instance_read(hz, instance_id) == state  # a refresh before the time: no diff
    advance = requests.post(proxy.url + "/_mockecs/clock/advance", json={"seconds": 8 * DAY}, timeout=10)
    assert advance.status_code == 200
    assert instance_read(hz, instance_id) is None  # released: gone from the state
    assert hz.call("DescribeDisks", InstanceId=instance_id)["Disks"]["Disk"] == []
    assert instance_read(hz, subscription, period_unit="Week") == renewed  # (no diff)
    assert describe_instance(hz, subscription)["ExpiredTime"] == subscription_end(
        resources.parse_iso(ends), 1, "Week")
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    with pytest.raises(Exception) as info:
        hz.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert info.value.get_error_code() == "InvalidInstanceId.NotFound"


def test_a_released_instance_disks_take_no_more_automatic_snapshots(client, engine):
    """DescribeSnapshots settles the instances first: a disk released with its instance at AutoReleaseTime takes no
    automatic snapshot after that time, even when no instance was read in between (its snapshots taken before stay:
    DeleteAutoSnapshot is false)."""
    every_day = json.dumps([str(d) for d in range(1, 8)])
    policy_id = client.create_auto_snapshot_policy(models.CreateAutoSnapshotPolicyRequest(
        region_id=REGION, time_points='["0", "12"]', repeat_weekdays=every_day, retention_days=-1)).body
    [instance_id] = run(client, auto_release_time=at(engine.clock.now() + 2 * DAY))
    disk_id = disks(client, instance_id)[0]["DiskId"]
    client.apply_auto_snapshot_policy(models.ApplyAutoSnapshotPolicyRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id.auto_snapshot_policy_id, disk_ids=json.dumps([disk_id])))
    engine.clock.advance(5 * DAY)
    taken = snapshots(client, disk_id=disk_id, snapshot_type="auto")
    assert len(taken) == 4  # (two a day for the two days it lived)
    assert all(resources.parse_iso(s["CreationTime"]) <= engine.clock.now() - 3 * DAY for s in taken)
    assert statuses(client, instance_id) == {}

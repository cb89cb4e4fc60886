"""Automatic snapshots: what a policy applied to a disk takes at its time points (hours in UTC+8, weekdays Monday=1)
on the mock clock, their retention, the catch-up bound, cancel/delete/modify of the policy, DeleteAutoSnapshot when
the disk is released, and DescribeSnapshots' SnapshotType filter, through both SDKs (JSON and XML) and async, on the
memory and SQLite stores."""
from __future__ import annotations

import asyncio
import json
import time

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest

from mockecs import Config, Engine, MockECS
from mockecs.world import auto_snapshots, resources
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, assert_documented, disks, run
from tests.test_snapshot_policies import apply, cancel, create, policy

HOUR, DAY = 3600, 86400
LOCAL = 8 * HOUR


@pytest.fixture(params=["memory", "sqlite"])
def mock(request, tmp_path):
    """The fake on the memory store and on SQLite (snapshots taken in one request are read by the next)."""
    if request.param == "sqlite":
        pytest.importorskip("mockecs_sqlite")
    store = f"sqlite:///{tmp_path / 'auto.db'}" if request.param == "sqlite" else "memory://"
    with MockECS(Engine(Config(store=store))) as m:
        yield m
        m.engine.store.close()


def go_to(engine, weekday: int, hour: int, minute: int = 30) -> float:
    """Advance the mock clock to the next ``weekday`` (1 = Monday) ``hour``:``minute`` in UTC+8; returns it."""
    now = engine.clock.now()
    local = now + LOCAL
    midnight = local - local % DAY
    for days in range(0, 8):
        day = midnight + days * DAY
        target = day + hour * HOUR + minute * 60
        if time.gmtime(day).tm_wday + 1 == weekday and target > local:
            engine.clock.advance(target - local)
            return target - LOCAL
    raise AssertionError("unreachable")


def local_point(utc: float, days: int, hour: int) -> float:
    """The UTC epoch of ``hour``:00 UTC+8, ``days`` local days after the local day of ``utc``."""
    local = utc + LOCAL
    return local - local % DAY + days * DAY + hour * HOUR - LOCAL


def listed(client, **kw) -> list[dict]:
    kw.setdefault("page_size", 100)
    return client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=REGION, **kw)).body.to_map()[
        "Snapshots"]["Snapshot"]


def auto(client, disk_id: str) -> list[dict]:
    return listed(client, disk_id=disk_id, snapshot_type="auto")


def times(snapshots: list[dict]) -> list[str]:
    return sorted(s["CreationTime"] for s in snapshots)


def system_disk(client) -> str:
    instance = run(client)[0]
    return disks(client, instance)[0]["DiskId"]


def test_snapshots_at_the_time_points_in_utc8_across_weekdays(client, engine):
    disk_id = system_disk(client)
    sunday = go_to(engine, 7, 23)  # Sunday 23:30 UTC+8 (15:30 UTC)
    policy_id = create(client, time_points='["1", "13"]', repeat_weekdays='["1", "5"]', retention_days=-1)
    apply(client, policy_id, [disk_id])
    assert auto(client, disk_id) == []
    engine.clock.advance(2 * HOUR)  # Monday 01:30 UTC+8, still Sunday in UTC
    (first,) = auto(client, disk_id)
    monday_1 = local_point(sunday, 1, 1)
    assert first["CreationTime"] == resources.iso(monday_1) and time.gmtime(monday_1).tm_wday == 6  # (UTC: Sunday)
    monday = time.strftime("%Y%m%d", time.gmtime(monday_1 + LOCAL))
    assert first["SnapshotName"] == f"auto2.0_{monday}_{policy_id}"
    assert (first["SnapshotType"], first["Status"], first["Progress"], first["Available"], first["RetentionDays"],
            first["SourceDiskId"], first["SourceDiskType"], first["LastModifiedTime"]) == \
        ("auto", "accomplished", "100%", True, -1, disk_id, "system", first["CreationTime"])
    assert auto(client, disk_id) == [first]  # a second read takes nothing again

    engine.clock.advance(7 * DAY + HOUR)  # the next Monday 02:30: Monday 13, Friday 1 and 13, Monday 1
    expected = [local_point(sunday, days, hour) for days, hour in ((1, 1), (1, 13), (5, 1), (5, 13), (8, 1))]
    assert times(auto(client, disk_id)) == [resources.iso(t) for t in expected]
    assert [time.gmtime(t + LOCAL).tm_wday + 1 for t in expected] == [1, 1, 5, 5, 1]
    # Newest first, as every snapshot listing
    assert [s["CreationTime"] for s in auto(client, disk_id)] == [resources.iso(t) for t in reversed(expected)]


def test_snapshot_type_filters_and_the_user_snapshots(client, engine):
    disk_id = system_disk(client)
    user_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id, snapshot_name="mine")).body \
        .snapshot_id
    apply(client, create(client, time_points='["6"]', repeat_weekdays=json.dumps([str(d) for d in range(1, 8)]),
                         retention_days=30), [disk_id])
    engine.clock.advance(3 * DAY)
    autos = auto(client, disk_id)
    assert len(autos) == 3 and all(s["RetentionDays"] == 30 for s in autos)
    assert [s["SnapshotId"] for s in listed(client, disk_id=disk_id, snapshot_type="user")] == [user_id]
    assert len(listed(client, disk_id=disk_id, snapshot_type="all")) == 4
    assert len(listed(client)) == 4  # (the unfiltered page lists them too)
    assert len(listed(client, snapshot_type="auto", status="accomplished")) == 3
    assert listed(client, snapshot_ids=json.dumps([s["SnapshotId"] for s in autos]), snapshot_type="user") == []


def test_retention_ends_them_and_catch_up_keeps_only_what_is_still_retained(client, engine):
    disk_id = system_disk(client)
    start = go_to(engine, 3, 12)  # Wednesday 12:30 UTC+8
    every_day = json.dumps([str(d) for d in range(1, 8)])
    apply(client, create(client, time_points='["0"]', repeat_weekdays=every_day, retention_days=2), [disk_id])
    engine.clock.advance(10 * DAY)  # ten midnights passed: only those of the last two days are still retained
    assert times(auto(client, disk_id)) == [resources.iso(local_point(start, d, 0)) for d in (9, 10)]
    engine.clock.advance(DAY)
    kept = auto(client, disk_id)
    assert times(kept) == [resources.iso(local_point(start, d, 0)) for d in (10, 11)]
    # An image made from one keeps it past its retention [GUESS]; deleting one by hand works
    oldest = min(kept, key=lambda s: s["CreationTime"])
    client.create_image(models.CreateImageRequest(region_id=REGION, snapshot_id=oldest["SnapshotId"],
                                                  image_name="from-auto"))
    engine.clock.advance(DAY)
    assert oldest["SnapshotId"] in {s["SnapshotId"] for s in auto(client, disk_id)}
    newest = max(auto(client, disk_id), key=lambda s: s["CreationTime"])
    client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=newest["SnapshotId"]))
    assert newest["SnapshotId"] not in {s["SnapshotId"] for s in auto(client, disk_id)}
    engine.clock.advance(3 * DAY)  # (its retention entry finds it gone)
    assert times(auto(client, disk_id)) == sorted([oldest["CreationTime"]] + [
        resources.iso(local_point(start, d, 0)) for d in (14, 15)])


def test_catch_up_is_bounded_per_disk(client, engine):
    engine.config.options["auto_snapshot_catch_up"] = 5
    disk_id = system_disk(client)
    every_day = json.dumps([str(d) for d in range(1, 8)])
    apply(client, create(client, time_points=json.dumps([str(h) for h in range(24)]), repeat_weekdays=every_day,
                         retention_days=-1), [disk_id])
    engine.clock.advance(365 * DAY)  # 8760 time points passed: the newest five are taken
    now = engine.clock.now()
    got = times(auto(client, disk_id))
    last_hour = now - (now % HOUR)
    assert got == [resources.iso(last_hour - h * HOUR) for h in (4, 3, 2, 1, 0)]


def test_the_oldest_go_beyond_the_quota_per_disk(client, engine):
    engine.config.options["auto_snapshots_per_disk"] = 3
    disk_id = system_disk(client)
    start = go_to(engine, 4, 20)  # Thursday 20:30 UTC+8
    every_day = json.dumps([str(d) for d in range(1, 8)])
    apply(client, create(client, time_points='["21"]', repeat_weekdays=every_day, retention_days=-1), [disk_id])
    for days in range(5):
        engine.clock.advance(DAY)
        assert times(auto(client, disk_id)) == [resources.iso(local_point(start, d, 21))
                                                for d in range(max(0, days - 2), days + 1)]
    engine.clock.advance(10 * DAY)  # (a catch-up beyond the quota takes only what is kept)
    assert times(auto(client, disk_id)) == [resources.iso(local_point(start, d, 21)) for d in (12, 13, 14)]


def test_cancel_delete_modify_and_enable_auto_snapshot(client, engine):
    instance = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])[0]
    system_id, data_id = [d["DiskId"] for d in disks(client, instance)]
    start = go_to(engine, 2, 9)  # Tuesday 09:30 UTC+8
    every_day = json.dumps([str(d) for d in range(1, 8)])
    policy_id = create(client, time_points='["10"]', repeat_weekdays=every_day, retention_days=-1)
    apply(client, policy_id, [system_id, data_id])
    engine.clock.advance(HOUR)  # 10:30: both disks took one, not listed yet
    cancel(client, [data_id])  # (the point passed before the cancel is still taken)
    engine.clock.advance(DAY)
    assert len(auto(client, system_id)) == 2 and len(auto(client, data_id)) == 1
    # A new schedule: the next points are the new ones
    client.modify_auto_snapshot_policy_ex(models.ModifyAutoSnapshotPolicyExRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id, time_points='["12"]'))
    engine.clock.advance(2 * HOUR)  # Wednesday 12:30
    assert times(auto(client, system_id))[-1] == resources.iso(local_point(start, 1, 12))
    # EnableAutoSnapshot=false: the disk keeps its policy, takes nothing
    client.modify_disk_attribute(models.ModifyDiskAttributeRequest(disk_id=system_id, enable_auto_snapshot=False))
    engine.clock.advance(DAY)
    assert len(auto(client, system_id)) == 3
    client.modify_disk_attribute(models.ModifyDiskAttributeRequest(disk_id=system_id, enable_auto_snapshot=True))
    engine.clock.advance(DAY)
    assert len(auto(client, system_id)) == 4
    client.delete_auto_snapshot_policy(models.DeleteAutoSnapshotPolicyRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id))
    engine.clock.advance(7 * DAY)
    assert len(auto(client, system_id)) == 4 and len(auto(client, data_id)) == 1


def _detached_data_disk(client, engine, instance: str, **attrs) -> str:
    disk_id = client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id="cn-hangzhou-i", size=20,
                                                          disk_category="cloud_essd")).body.disk_id
    client.attach_disk(models.AttachDiskRequest(instance_id=instance, disk_id=disk_id))
    if attrs:
        client.modify_disk_attribute(models.ModifyDiskAttributeRequest(disk_id=disk_id, **attrs))
    return disk_id


def test_delete_disk_takes_its_automatic_snapshots_when_delete_auto_snapshot(client, engine):
    instance = run(client, zone_id="cn-hangzhou-i")[0]
    going = _detached_data_disk(client, engine, instance)
    staying = _detached_data_disk(client, engine, instance, delete_auto_snapshot=False)
    found = {d["DiskId"]: d for d in disks(client, instance)}
    assert (found[going]["DeleteAutoSnapshot"], found[staying]["DeleteAutoSnapshot"]) == (True, False)
    assert found[going]["EnableAutoSnapshot"] is True and found[going]["EnableAutomatedSnapshotPolicy"] is False
    every_day = json.dumps([str(d) for d in range(1, 8)])
    policy_id = create(client, time_points='["3", "15"]', repeat_weekdays=every_day, retention_days=-1)
    apply(client, policy_id, [going, staying])
    assert {d["DiskId"]: d["EnableAutomatedSnapshotPolicy"] for d in disks(client, instance)}[going] is True
    engine.clock.advance(DAY)
    user = {d: client.create_snapshot(models.CreateSnapshotRequest(disk_id=d)).body.snapshot_id
            for d in (going, staying)}
    assert len(auto(client, going)) == len(auto(client, staying)) == 2
    engine.clock.advance(DAY)  # two more points each, not read before the disks go
    for disk_id in (going, staying):
        client.detach_disk(models.DetachDiskRequest(instance_id=instance, disk_id=disk_id))
        client.delete_disk(models.DeleteDiskRequest(disk_id=disk_id))
    assert auto(client, going) == [] and len(auto(client, staying)) == 4
    assert {s["SnapshotId"] for s in listed(client, snapshot_type="user")} == set(user.values())  # (always kept)
    engine.clock.advance(2 * DAY)
    assert len(auto(client, staying)) == 4  # (a deleted disk takes no more)


def test_reads_touch_only_what_is_due(client, engine, monkeypatch):
    """A read settles from the head of the due order: a disk not yet due is not read, nor are disks without a
    policy (none at all: one empty index page)."""
    disk_id = system_disk(client)
    for _ in range(3):
        system_disk(client)
    apply(client, create(client, time_points='["4"]', repeat_weekdays='["3"]', retention_days=-1), [disk_id])
    taken = []
    monkeypatch.setattr(auto_snapshots, "settle_disk", lambda ctx, disk, entry, did: taken.append(did))
    listed(client)
    assert taken == []
    engine.clock.advance(8 * DAY)
    listed(client)
    assert taken == [disk_id]


def test_old_sdk_xml_and_async(client, legacy, engine):
    disk_id = system_disk(client)
    every_day = json.dumps([str(d) for d in range(1, 8)])
    apply(client, create(client, time_points='["8"]', repeat_weekdays=every_day, retention_days=-1), [disk_id])
    engine.clock.advance(2 * DAY)
    request = DescribeSnapshotsRequest()
    request.set_SnapshotType("auto")
    request.set_DiskId(disk_id)
    body = legacy_call(legacy, request)
    assert body["TotalCount"] == 2 and {s["SnapshotType"] for s in body["Snapshots"]["Snapshot"]} == {"auto"}
    assert all(s["SnapshotName"].startswith("auto2.0_") for s in body["Snapshots"]["Snapshot"])
    request = DescribeSnapshotsRequest()
    request.set_SnapshotType("auto")
    root = legacy_xml(legacy, request)
    assert [e.text for e in root.iter("SnapshotType")] == ["auto", "auto"]
    assert [e.text for e in root.iter("RetentionDays")] == ["-1", "-1"]

    async def listing():
        return await client.describe_snapshots_async(models.DescribeSnapshotsRequest(
            region_id=REGION, snapshot_type="auto"))

    engine.clock.advance(DAY)
    assert asyncio.run(listing()).body.total_count == 3


def test_an_instance_release_takes_the_automatic_snapshots_of_its_disks(client, engine):
    instance = run(client)[0]
    disk_id = disks(client, instance)[0]["DiskId"]
    assert disks(client, instance)[0]["DeleteAutoSnapshot"] is False
    client.modify_disk_attribute(models.ModifyDiskAttributeRequest(disk_id=disk_id, delete_auto_snapshot=True))
    apply(client, create(client, time_points='["7"]', repeat_weekdays=json.dumps([str(d) for d in range(1, 8)]),
                         retention_days=-1), [disk_id])
    engine.clock.advance(2 * DAY)
    assert len(auto(client, disk_id)) == 2
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance, force=True))
    engine.clock.advance(2 * DAY)
    assert auto(client, disk_id) == []
    with engine.store.transaction() as txn:  # (nothing left due for the disk)
        assert txn.get(auto_snapshots.DUE, disk_id) is None


def test_run_instances_gives_the_disks_their_policies(client, engine):
    policy_id = create(client, time_points='["9"]', repeat_weekdays=json.dumps([str(d) for d in range(1, 8)]),
                       retention_days=-1)
    instances = run(client, amount=2, system_disk=models.RunInstancesRequestSystemDisk(
        category="cloud_essd", auto_snapshot_policy_id=policy_id), data_disk=[
        models.RunInstancesRequestDataDisk(size=20, category="cloud_essd", auto_snapshot_policy_id=policy_id),
        models.RunInstancesRequestDataDisk(size=30, category="cloud_essd")])
    with_policy = []
    for instance in instances:
        found = {d["Size"]: d for d in disks(client, instance)}
        for size, wanted in ((40, policy_id), (20, policy_id), (30, "")):
            assert (found[size]["AutoSnapshotPolicyId"], found[size]["EnableAutomatedSnapshotPolicy"]) == \
                (wanted, bool(wanted))
        with_policy += [found[40]["DiskId"], found[20]["DiskId"]]
        without = found[30]["DiskId"]
    assert policy(client, policy_id)["DiskNums"] == 4
    engine.clock.advance(DAY)
    assert [len(auto(client, d)) for d in with_policy] == [1, 1, 1, 1] and auto(client, without) == []
    err = error_of(run, client, system_disk=models.RunInstancesRequestSystemDisk(auto_snapshot_policy_id="sp-nope"))
    assert (err.code, err.status_code) == ("InvalidAutoSnapshotPolicyId.NotFound", 404)
    assert_documented("RunInstances", err)
    err = error_of(run, client, data_disk=[models.RunInstancesRequestDataDisk(size=20, auto_snapshot_policy_id="sp-x")])
    assert err.code == "InvalidAutoSnapshotPolicyId.NotFound"
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 2


def test_more_due_than_one_chunk(client, engine):
    """Sixty disks due at once (the due order is read in chunks of fifty), then sixty retentions ending at once."""
    instances = run(client, amount=60)
    disk_ids = [d["DiskId"] for d in client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, page_size=100)).body.to_map()["Disks"]["Disk"]]
    assert len(disk_ids) == len(instances) == 60
    every_day = json.dumps([str(d) for d in range(1, 8)])
    apply(client, create(client, time_points='["5"]', repeat_weekdays=every_day, retention_days=1), disk_ids)
    engine.clock.advance(DAY)
    assert sorted(s["SourceDiskId"] for s in listed(client, snapshot_type="auto")) == sorted(disk_ids)
    cancel(client, disk_ids)
    engine.clock.advance(DAY)
    assert listed(client, snapshot_type="auto") == []


def test_an_expired_automatic_snapshot_is_gone_for_calls_by_id(client, engine):
    disk_id = system_disk(client)
    apply(client, create(client, time_points='["2"]', repeat_weekdays=json.dumps([str(d) for d in range(1, 8)]),
                         retention_days=1), [disk_id])
    engine.clock.advance(DAY)
    (snapshot,) = auto(client, disk_id)
    engine.clock.advance(DAY)  # past its retention, no listing since
    for call in (lambda: client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=snapshot["SnapshotId"])),
                 lambda: client.create_disk(models.CreateDiskRequest(
                     region_id=REGION, zone_id="cn-hangzhou-i", snapshot_id=snapshot["SnapshotId"])),
                 lambda: client.create_image(models.CreateImageRequest(
                     region_id=REGION, snapshot_id=snapshot["SnapshotId"], image_name="late"))):
        assert error_of(call).code == "InvalidSnapshotId.NotFound"

"""Snapshot and storage extras through the real SDKs: ResetDisks (several disks to their snapshots, all or nothing),
the old account-level ModifyAutoSnapshotPolicy (a common request: neither SDK has it any more), with the metadata's
codes and statuses."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526.ResetDisksRequest import ResetDisksRequest

from mockecs.ops import snapshot_policies
from tests.sdk import error_of, legacy_call
from tests.test_instances import REGION, assert_documented, disks, old_error, run
from tests.test_snapshots import snapshot_of


def stopped_with_data_disks(client, engine, count: int = 2) -> tuple[str, list[str]]:
    """A stopped instance with ``count`` data disks: (instance id, [system disk, data disks ...])."""
    iid = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=40, category="cloud_essd")] * count)[0]
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    engine.clock.advance(60)
    return iid, [d["DiskId"] for d in disks(client, iid)]


def reset_many(client, pairs: list[tuple[str, str]], **kw) -> models.ResetDisksResponseBody:
    return client.reset_disks(models.ResetDisksRequest(region_id=REGION, disk=[
        models.ResetDisksRequestDisk(disk_id=d, snapshot_id=s) for d, s in pairs], **kw)).body


# -- ResetDisks ----------------------------------------------------------------------------------------------------
def test_reset_disks_all_at_once(client, engine):
    iid, disk_ids = stopped_with_data_disks(client, engine)
    snaps = [snapshot_of(client, d) for d in disk_ids]
    engine.lifecycle.delay("disk", seconds=30)
    body = reset_many(client, list(zip(disk_ids, snaps)))
    progress = body.to_map()["OperationProgressSet"]["OperationProgress"]
    assert [p["OperationStatus"] for p in progress] == ["Success"] * 3
    assert [p["RelatedItemSet"]["RelatedItem"] for p in progress] == [
        [{"Name": "SnapshotId", "Value": s}, {"Name": "DiskId", "Value": d}] for d, s in zip(disk_ids, snaps)]
    assert {d["Status"] for d in disks(client, iid)} == {"ReIniting"}
    engine.clock.advance(30)
    assert {d["Status"] for d in disks(client, iid)} == {"In_use"}


def test_reset_disks_is_all_or_nothing(client, engine, other):
    iid, disk_ids = stopped_with_data_disks(client, engine)
    snaps = [snapshot_of(client, d) for d in disk_ids]
    engine.lifecycle.delay("disk", seconds=30)
    cases = (
        ([(disk_ids[0], snaps[0]), (disk_ids[1], snaps[2])], "InvalidParameter.Mismatch", 403),
        ([(disk_ids[0], snaps[0]), ("d-bp1nothere000000000", snaps[1])], "InvalidDiskId.NotFound", 404),
        ([(disk_ids[0], snaps[0]), (disk_ids[1], "s-bp1nothere000000000")], "InvalidSnapshotId.NotFound", 404),
    )
    for pairs, code, status in cases:
        err = error_of(reset_many, client, pairs)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("ResetDisks", err)
        assert {d["Status"] for d in disks(client, iid)} == {"In_use"}  # the good pair was not reset either
    err = error_of(reset_many, client, list(zip(disk_ids, snaps)), dry_run=True)
    assert err.code == "DryRunOperation"
    assert_documented("ResetDisks", err)
    assert {d["Status"] for d in disks(client, iid)} == {"In_use"}
    err = error_of(reset_many, other.client, [(disk_ids[0], snaps[0])])
    assert err.code == "InvalidDiskId.NotFound"
    # an instance still running refuses, as ResetDisk does
    running = run(client)[0]
    system = disks(client, running)[0]["DiskId"]
    err = error_of(reset_many, client, [(disk_ids[0], snaps[0]), (system, snapshot_of(client, system))])
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("ResetDisks", err)
    assert {d["Status"] for d in disks(client, iid)} == {"In_use"}
    # a pair without its snapshot, a disk named twice, more than ten
    err = error_of(lambda: client.reset_disks(models.ResetDisksRequest(
        region_id=REGION, disk=[models.ResetDisksRequestDisk(disk_id=disk_ids[0])])))
    assert (err.code, err.status_code) == ("MissingParameter", 400) and "Disk.1.SnapshotId" in err.message
    err = error_of(reset_many, client, [(disk_ids[0], snaps[0])] * 2)
    assert (err.code, err.status_code) == ("InvalidParameter", 400)
    err = error_of(reset_many, client, [(disk_ids[0], snaps[0])] * 11)
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


def test_reset_disks_old_sdk_and_async(client, legacy, engine):
    iid, disk_ids = stopped_with_data_disks(client, engine, count=1)
    snaps = [snapshot_of(client, d) for d in disk_ids]
    request = ResetDisksRequest()
    request.set_Disks([{"DiskId": d, "SnapshotId": s} for d, s in zip(disk_ids, snaps)])
    body = legacy_call(legacy, request)
    assert len(body["OperationProgressSet"]["OperationProgress"]) == 2
    request = ResetDisksRequest()
    request.set_Disks([{"DiskId": disk_ids[0], "SnapshotId": snaps[1]}])
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidParameter.Mismatch", 403)

    async def go():
        return await client.reset_disks_async(models.ResetDisksRequest(
            region_id=REGION, disk=[models.ResetDisksRequestDisk(disk_id=disk_ids[1], snapshot_id=snaps[1])]))

    body = asyncio.run(go()).body
    assert body.operation_progress_set.operation_progress[0].operation_status == "Success"


# -- ModifyAutoSnapshotPolicy (the account's old policy) -------------------------------------------------------------
def common(legacy, action: str, **params) -> dict:
    request = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26", action_name=action)
    request.set_accept_format("json")
    for key, value in params.items():
        request.add_query_param(key, str(value).lower() if isinstance(value, bool) else str(value))
    return legacy_call(legacy, request)


def legacy_settings(engine) -> dict:
    from mockecs.world.context import Context

    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "", engine.accounts.default_account_id, REGION, "", "", engine.clock.now(), {})
        return snapshot_policies.legacy_policy(ctx)


def test_modify_auto_snapshot_policy_old_form(legacy, engine):
    assert legacy_settings(engine)["SystemDisk"]["Enabled"] is False
    body = common(legacy, "ModifyAutoSnapshotPolicy", SystemDiskPolicyEnabled=True, SystemDiskPolicyTimePeriod=3,
                  SystemDiskPolicyRetentionDays=2, DataDiskPolicyRetentionLastWeek=True)
    assert set(body) == {"RequestId"}
    got = legacy_settings(engine)
    assert (got["SystemDisk"]["Enabled"], got["SystemDisk"]["TimePeriod"], got["SystemDisk"]["RetentionDays"],
            json.loads(got["SystemDisk"]["TimePoints"]), got["SystemDisk"]["PolicyRetentionDays"]) == \
        (True, 3, 2, ["13"], 2)
    assert (got["DataDisk"]["Enabled"], got["DataDisk"]["RetentionLastWeek"], got["DataDisk"]["PolicyRetentionDays"],
            json.loads(got["DataDisk"]["RepeatWeekdays"])) == (False, True, 8, [str(d) for d in range(1, 8)])
    # what is not sent keeps its value
    common(legacy, "ModifyAutoSnapshotPolicy", DataDiskPolicyEnabled=True)
    got = legacy_settings(engine)
    assert got["SystemDisk"]["TimePeriod"] == 3 and got["DataDisk"]["Enabled"] and got["DataDisk"]["RetentionLastWeek"]
    for name, value in (("SystemDiskPolicyTimePeriod", 5), ("DataDiskPolicyRetentionDays", 4),
                        ("DataDiskPolicyRetentionDays", 0), ("SystemDiskPolicyEnabled", "maybe")):
        request = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26",
                                action_name="ModifyAutoSnapshotPolicy")
        request.set_accept_format("json")
        request.add_query_param(name, str(value))
        err = old_error(legacy, request)
        assert (err.get_error_code(), err.get_http_status()) == ("InvalidParameter", 400)
        assert name in err.get_error_msg()
    assert legacy_settings(engine)["SystemDisk"]["TimePeriod"] == 3  # (refused: nothing changed)

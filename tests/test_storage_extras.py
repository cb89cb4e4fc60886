"""Snapshot and storage extras through the real SDKs: ResetDisks (several disks to their snapshots, all or nothing),
the old account-level ModifyAutoSnapshotPolicy (a common request: neither SDK has it any more), with the metadata's
codes and statuses."""
from __future__ import annotations

import asyncio
import json
import time

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


# -- storage sets ----------------------------------------------------------------------------------------------------
ZONE = "cn-hangzhou-h"


def new_set(client, **kw) -> str:
    return client.create_storage_set(models.CreateStorageSetRequest(
        region_id=REGION, zone_id=kw.pop("zone_id", ZONE), **kw)).body.storage_set_id


def sets(client, **kw) -> dict:
    return client.describe_storage_sets(models.DescribeStorageSetsRequest(region_id=REGION, **kw)).body.to_map()


def details(client, set_id: str, **kw) -> dict:
    return client.describe_storage_set_details(models.DescribeStorageSetDetailsRequest(
        region_id=REGION, storage_set_id=set_id, **kw)).body.to_map()


def set_disk(client, set_id: str, **kw) -> str:
    return client.create_disk(models.CreateDiskRequest(
        region_id=REGION, zone_id=kw.pop("zone_id", ZONE), size=kw.pop("size", 40),
        disk_category=kw.pop("disk_category", "cloud_essd"), storage_set_id=set_id, **kw)).body.disk_id


def test_storage_set_life_and_its_disks(client, engine):
    set_id = new_set(client, storage_set_name="db-volumes", description="spread the replicas", max_partition_number=3,
                     tag=[models.CreateStorageSetRequestTag(key="team", value="db")])
    assert set_id.startswith("ss-")
    [got] = sets(client, storage_set_ids=json.dumps([set_id]))["StorageSets"]["StorageSet"]
    assert (got["StorageSetName"], got["Description"], got["ZoneId"], got["RegionId"],
            got["StorageSetPartitionNumber"]) == ("db-volumes", "spread the replicas", ZONE, REGION, 3)
    assert got["Tags"]["Tag"] == [{"Key": "team", "Value": "db"}] and got["ResourceGroupId"].startswith("rg-")
    assert got["CreationTime"].endswith("Z")
    # four disks without a partition: spread over the three; one asked into partition 3
    spread = [set_disk(client, set_id) for _ in range(4)]
    placed = set_disk(client, set_id, storage_set_partition_number=3)
    listed = details(client, set_id)
    assert listed["TotalCount"] == 5
    by_disk = {d["DiskId"]: d["StorageSetPartitionNumber"] for d in listed["Disks"]["Disk"]}
    assert [by_disk[d] for d in spread] == [1, 2, 3, 1] and by_disk[placed] == 3
    first = listed["Disks"]["Disk"][0]
    assert (first["StorageSetId"], first["ZoneId"], first["Category"], first["RegionId"]) == \
        (set_id, ZONE, "cloud_essd", REGION)
    assert details(client, set_id, storage_set_partition_number=3)["TotalCount"] == 2
    assert details(client, set_id, disk_ids=json.dumps([placed, spread[0]]))["TotalCount"] == 2
    # DescribeDisks shows the set and the partition
    described = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, disk_ids=json.dumps([placed])))
    disk = described.body.disks.disk[0]
    assert (disk.storage_set_id, disk.storage_set_partition_number) == (set_id, 3)
    # the filters
    other = new_set(client, storage_set_name="logs", zone_id="cn-hangzhou-i")
    assert sets(client)["TotalCount"] == 2
    assert [s["StorageSetId"] for s in sets(client, zone_id="cn-hangzhou-i")["StorageSets"]["StorageSet"]] == [other]
    assert [s["StorageSetId"] for s in sets(client, storage_set_name="db-volumes")["StorageSets"]["StorageSet"]] == \
        [set_id]
    assert [s["StorageSetId"] for s in sets(client, tag=[models.DescribeStorageSetsRequestTag(
        key="team", value="db")])["StorageSets"]["StorageSet"]] == [set_id]
    # rename; a set with disks is not deleted; emptied, it is
    client.modify_storage_set_attribute(models.ModifyStorageSetAttributeRequest(
        region_id=REGION, storage_set_id=set_id, storage_set_name="db-volumes-2"))
    [got] = sets(client, storage_set_ids=json.dumps([set_id]))["StorageSets"]["StorageSet"]
    assert (got["StorageSetName"], got["Description"]) == ("db-volumes-2", "spread the replicas")
    delete = models.DeleteStorageSetRequest(region_id=REGION, storage_set_id=set_id)
    err = error_of(client.delete_storage_set, delete)
    assert (err.code, err.status_code) == ("InvalidStorageSet.NotSupport", 403)
    assert_documented("DeleteStorageSet", err)
    for disk_id in spread + [placed]:
        client.delete_disk(models.DeleteDiskRequest(disk_id=disk_id))
    client.delete_storage_set(delete)
    assert sets(client, storage_set_ids=json.dumps([set_id]))["TotalCount"] == 0
    err = error_of(client.delete_storage_set, delete)
    assert (err.code, err.status_code) == ("InvalidStorageSetId.NotFound", 403)


def test_storage_set_documented_refusals(client, engine, other):
    set_id = new_set(client)  # two partitions (the default)
    for kw, code, status in (
            ({"storage_set_name": "1bad"}, "InvalidStorageSetName.Malformed", 403),
            ({"description": "http://x"}, "InvalidDescription.Malformed", 403),
            ({"max_partition_number": 1}, "InvalidMaxPartitionNumber.Malformed", 403),
            ({"max_partition_number": 11}, "InvalidMaxPartitionNumber.Malformed", 403),
            ({"zone_id": "cn-hangzhou-zz"}, "InvalidZoneId.NotFound", 403)):
        err = error_of(new_set, client, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("CreateStorageSet", err)
    for action, call in (("ModifyStorageSetAttribute", lambda c: c.modify_storage_set_attribute(
            models.ModifyStorageSetAttributeRequest(region_id=REGION, storage_set_id=set_id, storage_set_name="x2"))),
                         ("DescribeStorageSetDetails", lambda c: details(c, set_id))):
        err = error_of(call, other.client)
        assert (err.code, err.status_code) == ("InvalidStorageSetId.NotFound", 403)
        assert_documented(action, err)
    # CreateDisk's own codes for a set it cannot join
    for kw, code, status in (({"storage_set_id": "ss-bp1nothere00000000"}, "InvalidStorageSetId.NotFound", 400),
                             ({"storage_set_partition_number": 3}, "InvalidParameter.StorageSetPartitionNumber", 403),
                             ({"zone_id": "cn-hangzhou-i"}, "InvalidParameter.StorageSetZoneId", 403),
                             ({"disk_category": "cloud", "size": 40}, "InvalidStorageSetId.DiskCategoryUnsupported",
                              400)):
        err = error_of(set_disk, client, kw.pop("storage_set_id", set_id), **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("CreateDisk", err)
    assert details(client, set_id)["TotalCount"] == 0


def test_run_instances_places_data_disks_in_a_set(client, engine):
    set_id = new_set(client, max_partition_number=2)
    disk_spec = [models.RunInstancesRequestDataDisk(size=40, category="cloud_essd")] * 2
    ids = run(client, amount=2, zone_id=ZONE, data_disk=disk_spec, storage_set_id=set_id)
    listed = details(client, set_id, page_size=50)
    assert listed["TotalCount"] == 4 and sorted(d["StorageSetPartitionNumber"] for d in listed["Disks"]["Disk"]) == \
        [1, 1, 2, 2]
    system = [d for d in disks(client, ids[0]) if d["Type"] == "system"][0]
    assert system["StorageSetId"] == "" and system["StorageSetPartitionNumber"] == 0
    for kw, code in (({"storage_set_id": "ss-bp1nothere00000000"}, "InvalidParameter.StorageSetId"),
                     ({"storage_set_id": set_id, "storage_set_partition_number": 5},
                      "InvalidParameter.StorageSetPartitionNumber"),
                     ({"storage_set_id": set_id, "zone_id": "cn-hangzhou-i"}, "InvalidParameter.StorageSetZoneId")):
        kw.setdefault("zone_id", ZONE)
        err = error_of(run, client, data_disk=disk_spec, **kw)
        assert (err.code, err.status_code) == (code, 403)
        assert_documented("RunInstances", err)
    assert details(client, set_id)["TotalCount"] == 4  # (nothing made by the refused launches)


# -- DescribeResourcesModification, DescribeBandwidthLimitation, DescribeLimitation ------------------------------
def modification(client, resource_id: str, **kw) -> dict:
    kw.setdefault("destination_resource", "InstanceType")
    return client.describe_resources_modification(models.DescribeResourcesModificationRequest(
        region_id=REGION, resource_id=resource_id, **kw)).body.to_map()


def offered(answer: dict) -> dict[str, list[str]]:
    return {z["ZoneId"]: [s["Value"] for r in z["AvailableResources"]["AvailableResource"]
                          for s in r["SupportedResources"]["SupportedResource"]]
            for z in answer["AvailableZones"]["AvailableZone"]}


def test_resources_modification_lists_what_modify_instance_spec_takes(client, engine, legacy):
    from aliyunsdkecs.request.v20140526.DescribeResourcesModificationRequest import (
        DescribeResourcesModificationRequest,
    )

    from mockecs.world.instance_types import disk_categories, instance_type, types_in_zone
    from tests.sdk import legacy_xml

    iid = run(client, zone_id=ZONE)[0]  # ecs.g7.large, x86_64, pay-as-you-go
    got = offered(modification(client, iid))
    assert list(got) == [ZONE]
    # the zone's other types the image (x86_64) runs on: not its arm64 ones, nor those that do not sell the
    # instance's cloud_essd system disk (ecs.t5)
    assert got[ZONE] == [t for t in types_in_zone(ZONE) if t != "ecs.g7.large"
                         and instance_type(t)["Architecture"] == "x86_64"
                         and "cloud_essd" in disk_categories(instance_type(t), "system")]
    assert "ecs.t5-lc1m1.small" in types_in_zone(ZONE) and "ecs.t5-lc1m1.small" not in got[ZONE]
    assert "ecs.g6r.large" in types_in_zone(ZONE) and "ecs.g6r.large" not in got[ZONE]
    zone = modification(client, iid)["AvailableZones"]["AvailableZone"][0]
    assert (zone["Status"], zone["StatusCategory"], zone["RegionId"]) == ("Available", "WithStock", REGION)
    assert zone["AvailableResources"]["AvailableResource"][0]["Type"] == "InstanceType"
    # across zones: the other zones' x86 types too, never an arm64 one the image cannot run on
    across = offered(modification(client, iid, migrate_across_zone=True))
    assert set(across) == {"cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"}
    assert "ecs.g8i.large" in across["cn-hangzhou-i"] and "ecs.g8y.large" not in across["cn-hangzhou-i"]
    assert offered(modification(client, iid, migrate_across_zone=True, zone_id="cn-hangzhou-i")).keys() == \
        {"cn-hangzhou-i"}
    assert offered(modification(client, iid, cores=4, memory=16.0)) == \
        {ZONE: ["ecs.g7.xlarge", "ecs.t6-c1m4.xlarge", "ecs.g6.xlarge"]}
    # what it lists, ModifyInstanceSpec takes
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    engine.clock.advance(60)
    client.modify_instance_spec(models.ModifyInstanceSpecRequest(instance_id=iid, instance_type="ecs.c7.xlarge"))
    assert "ecs.g7.large" in offered(modification(client, iid))[ZONE]
    # the system disk categories for a type
    disks_for = modification(client, iid, destination_resource="SystemDisk", instance_type="ecs.g7.large")
    [resource] = disks_for["AvailableZones"]["AvailableZone"][0]["AvailableResources"]["AvailableResource"]
    assert resource["Type"] == "SystemDisk" and {"Value": "cloud_essd", "Status": "Available",
                                                  "StatusCategory": "WithStock", "Min": 20, "Max": 2048,
                                                  "Unit": "GiB"} in resource["SupportedResources"]["SupportedResource"]
    # a subscription instance: Upgrade lists no smaller type, Downgrade no larger one
    prepaid = run(client, zone_id=ZONE, instance_charge_type="PrePaid", period=1)[0]
    up = offered(modification(client, prepaid, operation_type="Upgrade"))[ZONE]
    down = offered(modification(client, prepaid, operation_type="Downgrade"))[ZONE]
    assert "ecs.g7.xlarge" in up and "ecs.t6-c1m1.large" not in up
    assert "ecs.t6-c1m1.large" in down and "ecs.g7.xlarge" not in down
    # documented refusals
    for kw, code, status in (({"destination_resource": "Bandwidth"}, "Invalid.DestinationResource", 404),
                             ({"instance_type": "ecs.g7.large", "cores": 2}, "InvalidParam.TypeAndCpuMem.Conflict",
                              403),
                             ({"destination_resource": "SystemDisk", "instance_type": "ecs.g7.large", "cores": 2},
                              "InvalidParam.Cores", 403),
                             ({"conditions": ["Zone"]}, "InvalidCondition.Malformed", 400),
                             ({"operation_type": "Downgrade"}, "Invalid.OperationType", 404)):
        err = error_of(modification, client, iid, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("DescribeResourcesModification", err)
    err = error_of(modification, client, "i-bp1nothere000000000")
    assert (err.code, err.status_code) == ("InvalidResourceId.NotFound", 404)
    assert_documented("DescribeResourcesModification", err)
    # XML, through the old SDK
    request = DescribeResourcesModificationRequest()
    request.set_ResourceId(iid)
    request.set_DestinationResource("InstanceType")
    request.set_Cores(4)
    request.set_Memory(16)
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeResourcesModificationResponse"
    assert [v.text for v in root.iter("Value")] == ["ecs.g7.xlarge", "ecs.t6-c1m4.xlarge", "ecs.g6.xlarge"]


def test_bandwidth_limitation_and_limitation(client, engine):
    def bandwidths(**kw) -> list[dict]:
        return client.describe_bandwidth_limitation(models.DescribeBandwidthLimitationRequest(
            region_id=REGION, instance_type=kw.pop("instance_type", "ecs.g7.large"), **kw)).body.to_map()[
            "Bandwidths"]["Bandwidth"]

    assert bandwidths() == [{"InternetChargeType": "PayByBandwidth", "Min": 0, "Max": 100, "Unit": "Mbps"},
                            {"InternetChargeType": "PayByTraffic", "Min": 0, "Max": 100, "Unit": "Mbps"}]
    iid = run(client, internet_max_bandwidth_out=20)[0]
    assert {(b["Min"], b["Max"]) for b in bandwidths(operation_type="Upgrade", resource_id=iid)} == {(20, 100)}
    assert {(b["Min"], b["Max"]) for b in bandwidths(operation_type="Downgrade", resource_id=iid)} == {(0, 20)}
    for kw, code, status in (({"instance_charge_type": "Monthly"}, "Invalid.InstanceChargeType", 400),
                             ({"spot_strategy": "Cheap"}, "Invalid.SpotStrategy", 404),
                             ({"operation_type": "Resize"}, "Invalid.OperationType", 404),
                             ({"instance_type": "ecs.nope.large"}, "InvalidInstanceType.ValueNotSupported", 400),
                             ({"operation_type": "Upgrade"}, "InvalidParam", 400),
                             ({"operation_type": "Upgrade", "resource_id": "i-bp1nothere000000000"},
                              "InvalidInstanceId.NotFound", 400)):
        err = error_of(bandwidths, **kw)
        assert (err.code, err.status_code) == (code, status), kw
        assert_documented("DescribeBandwidthLimitation", err)
    # DescribeLimitation: an account attribute, its values joined
    engine.config.options["security_group_quota"] = 123
    body = client.describe_limitation(models.DescribeLimitationRequest(limitation="max-security-groups")).body
    assert (body.limitation, body.value) == ("max-security-groups", "123")
    body = client.describe_limitation(models.DescribeLimitationRequest(limitation="instance-network-type")).body
    assert body.value == "vpc,classic"
    err = error_of(client.describe_limitation, models.DescribeLimitationRequest(limitation="max-everything"))
    assert (err.code, err.status_code) == ("InvalidLimitation.NotFound", 404)
    assert_documented("DescribeLimitation", err)


# -- storage capacity units ------------------------------------------------------------------------------------------
def purchase(client, **kw) -> models.PurchaseStorageCapacityUnitResponseBody:
    kw.setdefault("capacity", 20)
    return client.purchase_storage_capacity_unit(models.PurchaseStorageCapacityUnitRequest(region_id=REGION, **kw)).body


def units(client, **kw) -> dict:
    return client.describe_storage_capacity_units(models.DescribeStorageCapacityUnitsRequest(
        region_id=REGION, **kw)).body.to_map()


def test_storage_capacity_units(client, engine):
    start = engine.clock.now()
    body = purchase(client, name="scu-build", description="build disks", capacity=100, amount=2, period=1,
                    period_unit="Month", tag=[models.PurchaseStorageCapacityUnitRequestTag(key="team", value="ci")])
    ids = body.storage_capacity_unit_ids.storage_capacity_unit_id
    assert len(ids) == 2 and all(i.startswith("scu-") for i in ids) and body.order_id.isdigit()
    listed = units(client)
    assert listed["TotalCount"] == 2
    first = listed["StorageCapacityUnits"]["StorageCapacityUnit"][0]
    assert (first["StorageCapacityUnitId"], first["Name"], first["Description"], first["Capacity"], first["Status"],
            first["RegionId"]) == (ids[0], "scu-build", "build disks", 100, "Active", REGION)
    assert first["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "ci"}]
    assert first["StartTime"] == first["CreationTime"] and first["ExpiredTime"].endswith("T16:00Z")
    # one starting later: Pending until its StartTime; all of them Expired after their month
    later = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(start + 3 * 86400))
    pending = purchase(client, capacity=40, start_time=later).storage_capacity_unit_ids.storage_capacity_unit_id[0]
    assert [u["StorageCapacityUnitId"] for u in units(client, status=["Pending"])["StorageCapacityUnits"][
        "StorageCapacityUnit"]] == [pending]
    assert units(client, capacity=100)["TotalCount"] == 2 and units(client, capacity=40)["TotalCount"] == 1
    assert units(client, storage_capacity_unit_id=[pending, ids[1]])["TotalCount"] == 2
    assert units(client, name="scu-build")["TotalCount"] == 2
    assert units(client, tag=[models.DescribeStorageCapacityUnitsRequestTag(key="team")])["TotalCount"] == 2
    assert units(client, allocation_type="Shared")["TotalCount"] == 0
    engine.clock.advance(4 * 86400)
    assert units(client, storage_capacity_unit_id=[pending])["StorageCapacityUnits"]["StorageCapacityUnit"][0][
        "Status"] == "Active"
    engine.clock.advance(40 * 86400)
    assert {u["Status"] for u in units(client)["StorageCapacityUnits"]["StorageCapacityUnit"]} == {"Expired"}
    # rename
    client.modify_storage_capacity_unit_attribute(models.ModifyStorageCapacityUnitAttributeRequest(
        region_id=REGION, storage_capacity_unit_id=ids[0], name="scu-renamed"))
    got = units(client, storage_capacity_unit_id=[ids[0]])["StorageCapacityUnits"]["StorageCapacityUnit"][0]
    assert (got["Name"], got["Description"]) == ("scu-renamed", "build disks")


def test_storage_capacity_unit_refusals(client, engine):
    for kw, code in (({"capacity": 30}, "InvalidParameter.Capacity"),
                     ({"name": "1scu"}, "InvalidParameter.Name"),
                     ({"period_unit": "Week"}, "InvalidParameter.PeriodUnit"),
                     ({"period": 4, "period_unit": "Month"}, "InvalidParameter.Period"),
                     ({"start_time": "2024-13-01"}, "InvalidStartTime.MalFormed"),
                     ({"start_time": time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(engine.clock.now() +
                                                                                     200 * 86400))},
                      "InvalidStartTime.NotSupported"),
                     ({"start_time": time.strftime("%Y-%m-%dT%H:30:00Z", time.gmtime(engine.clock.now() + 86400))},
                      "InvalidStartTime.NotSupported")):
        err = error_of(purchase, client, **kw)
        assert (err.code, err.status_code) == (code, 400), kw
        assert_documented("PurchaseStorageCapacityUnit", err)
    err = error_of(lambda: client.purchase_storage_capacity_unit(models.PurchaseStorageCapacityUnitRequest(
        region_id=REGION)))
    assert (err.code, err.status_code) == ("MissingParameter.Capacity", 400)
    assert_documented("PurchaseStorageCapacityUnit", err)
    engine.config.options["storage_capacity_unit_quota"] = 100
    purchase(client, capacity=40, amount=2)
    err = error_of(purchase, client, capacity=40)
    assert (err.code, err.status_code) == ("InvalidParameter.CapacityExceed", 400)
    assert_documented("PurchaseStorageCapacityUnit", err)
    assert purchase(client, capacity=20).order_id  # (exactly the quota)
    err = error_of(units, client, allocation_type="Everyone")
    assert (err.code, err.status_code) == ("InvalidAllocationType.ValueNotSupported", 400)
    assert_documented("DescribeStorageCapacityUnits", err)
    err = error_of(lambda: client.modify_storage_capacity_unit_attribute(
        models.ModifyStorageCapacityUnitAttributeRequest(region_id=REGION, storage_capacity_unit_id="scu-none",
                                                         description="http://x")))
    assert (err.code, err.status_code) == ("InvalidDescription.Malformed", 400)
    assert_documented("ModifyStorageCapacityUnitAttribute", err)


# -- DescribeSnapshotLinks, DescribeSnapshotsUsage, DescribeSnapshotPackage ------------------------------------------
GIB = 1024 ** 3


def links(client, **kw) -> dict:
    return client.describe_snapshot_links(models.DescribeSnapshotLinksRequest(region_id=REGION, **kw)).body.to_map()


def usage(client) -> tuple[int, int]:
    body = client.describe_snapshots_usage(models.DescribeSnapshotsUsageRequest(region_id=REGION)).body
    return body.snapshot_count, body.snapshot_size


def test_snapshot_links_and_usage_follow_the_snapshots(client, engine):
    assert usage(client) == (0, 0) and links(client)["TotalCount"] == 0
    iid = run(client, instance_name="builder",
              data_disk=[models.RunInstancesRequestDataDisk(size=100, category="cloud_essd", disk_name="data")])[0]
    system, data = [d["DiskId"] for d in disks(client, iid)]
    first = [snapshot_of(client, data) for _ in range(3)]
    snapshot_of(client, system)
    assert usage(client) == (4, (3 * 100 + 40) * GIB)
    listed = links(client)
    assert listed["TotalCount"] == 2
    by_disk = {link["SourceDiskId"]: link for link in listed["SnapshotLinks"]["SnapshotLink"]}
    link = by_disk[data]
    assert (link["SnapshotLinkId"], link["TotalCount"], link["TotalSize"], link["SourceDiskName"],
            link["SourceDiskSize"], link["SourceDiskType"], link["InstanceId"], link["InstanceName"],
            link["RegionId"], link["Category"], link["InstantAccess"]) == \
        ("sl-" + data[2:], 3, 300 * GIB, "data", 100, "data", iid, "builder", REGION, "standard", False)
    assert by_disk[system]["TotalSize"] == 40 * GIB
    # the filters
    assert [x["SourceDiskId"] for x in links(client, disk_ids=json.dumps([data]))["SnapshotLinks"]["SnapshotLink"]] \
        == [data]
    assert links(client, snapshot_link_ids=json.dumps(["sl-" + system[2:]]))["TotalCount"] == 1
    assert links(client, instance_id=iid)["TotalCount"] == 2
    assert links(client, instance_id=iid, disk_ids=json.dumps([data]),
                 snapshot_link_ids=json.dumps(["sl-" + system[2:]]))["TotalCount"] == 0
    assert links(client, page_size=1, page_number=2)["SnapshotLinks"]["SnapshotLink"][0]["SourceDiskId"] in \
        (system, data)
    # deleting snapshots: the link shrinks, and goes with its last one
    client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=first[0]))
    assert links(client, disk_ids=json.dumps([data]))["SnapshotLinks"]["SnapshotLink"][0]["TotalCount"] == 2
    for snapshot_id in first[1:]:
        client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=snapshot_id))
    assert links(client)["TotalCount"] == 1 and usage(client) == (1, 40 * GIB)
    # documented refusals
    for kw, code in (({"disk_ids": "[\"d-bp1\", 5]"}, "InvalidDiskIds"),
                     ({"snapshot_link_ids": json.dumps([f"sl-{n}" for n in range(101)])}, "InvalidSnapshotLinkIds"),
                     ({"instance_id": "i-bp1nothere000000000"}, "InvalidInstanceId.NotFound")):
        err = error_of(links, client, **kw)
        assert (err.code, err.status_code) == (code, 400), kw
        assert_documented("DescribeSnapshotLinks", err)


def test_snapshot_packages(client, engine):
    from mockecs.world import snapshot_packages

    def packages(**kw) -> dict:
        return client.describe_snapshot_package(models.DescribeSnapshotPackageRequest(
            region_id=REGION, **kw)).body.to_map()

    assert packages()["TotalCount"] == 0
    snapshot_packages.add(engine, REGION, 500, display_name="pkg-1")
    snapshot_packages.add(engine, REGION, 1024, display_name="pkg-2", days=30)
    snapshot_packages.add(engine, "cn-beijing", 100)
    got = packages(page_size=1, page_number=2)
    assert got["TotalCount"] == 2 and got["PageSize"] == 1
    [package] = got["SnapshotPackages"]["SnapshotPackage"]
    assert (package["DisplayName"], package["InitCapacity"]) == ("pkg-2", 1024)
    assert package["StartTime"].endswith("Z") and package["EndTime"] > package["StartTime"]


# -- ExportSnapshot ------------------------------------------------------------------------------------------------
def export(client, snapshot_id: str, bucket: str = "exports", **kw) -> str:
    return client.export_snapshot(models.ExportSnapshotRequest(region_id=REGION, snapshot_id=snapshot_id,
                                                               oss_bucket=bucket, **kw)).body.task_id


def test_export_snapshot_is_an_export_task(client, engine, other):
    iid = run(client)[0]
    snapshot_id = snapshot_of(client, disks(client, iid)[0]["DiskId"])
    engine.lifecycle.delay("task", seconds=60)
    task_id = export(client, snapshot_id)
    assert engine.oss.objects(REGION, "exports") == []  # (written when the task finishes)
    err = error_of(export, client, snapshot_id)
    assert (err.code, err.status_code) == ("SNAPSHOT_IS_EXPORTING", 403)
    assert_documented("ExportSnapshot", err)
    engine.clock.advance(61)
    attr = client.describe_task_attribute(models.DescribeTaskAttributeRequest(region_id=REGION, task_id=task_id)).body
    assert (attr.task_action, attr.task_status) == ("ExportSnapshot", "Finished")
    items = {i.name: i.value for i in attr.operation_progress_set.operation_progress[0].related_item_set.related_item}
    assert items == {"OSSBucket": "exports", "OSSObject": f"{snapshot_id}_{task_id}.raw"}
    [written] = engine.oss.objects(REGION, "exports")
    assert written["name"] == f"{snapshot_id}_{task_id}.raw" and written["size"] == 40 * GIB
    tasks = client.describe_tasks(models.DescribeTasksRequest(region_id=REGION, task_action="ExportSnapshot")).body
    assert [(t.task_id, t.resource_id) for t in tasks.task_set.task] == [(task_id, snapshot_id)]
    # a second export once the first is done; cancelled, it frees the snapshot and drops its object
    second = export(client, snapshot_id)
    client.cancel_task(models.CancelTaskRequest(region_id=REGION, task_id=second))
    assert len(engine.oss.objects(REGION, "exports")) == 1
    export(client, snapshot_id)
    # documented refusals
    err = error_of(export, other.client, snapshot_id)
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotFound", 403)
    assert_documented("ExportSnapshot", err)
    engine.lifecycle.delay("snapshot", seconds=60)
    busy = snapshot_of(client, disks(client, iid)[0]["DiskId"])
    err = error_of(export, client, busy)
    assert (err.code, err.status_code) == ("SNAPSHOT_CREATE_NOT_FINISHED", 403)
    assert_documented("ExportSnapshot", err)
    engine.clock.advance(61)
    engine.oss.strict = True
    err = error_of(export, client, busy, bucket="missing")
    assert (err.code, err.status_code) == ("InvalidOSSBucket.NotFound", 403)
    assert_documented("ExportSnapshot", err)
    engine.oss.create_bucket(REGION, "theirs", account=other.account_id)
    err = error_of(export, client, busy, bucket="theirs")
    assert (err.code, err.status_code) == ("OSS_AUTHORIZED_FAILED", 403)
    assert_documented("ExportSnapshot", err)
    err = error_of(export, client, busy, role_name="NoSuchRole")
    assert (err.code, err.status_code) == ("OSS_AUTHORIZED_FAILED", 403)


def test_unknown_regions_answer_each_actions_documented_code(client):
    for action, call, code, status in (
            ("ResetDisks", lambda: client.reset_disks(models.ResetDisksRequest(
                region_id="xx-nowhere-1", disk=[models.ResetDisksRequestDisk(disk_id="d-1", snapshot_id="s-1")])),
             "InvalidRegionId.MalFormed", 400),
            ("DescribeStorageSets", lambda: client.describe_storage_sets(models.DescribeStorageSetsRequest(
                region_id="xx-nowhere-1")), "InvalidRegionId.NotFound", 403),
            ("DescribeResourcesModification", lambda: client.describe_resources_modification(
                models.DescribeResourcesModificationRequest(region_id="xx-nowhere-1", resource_id="i-1",
                                                            destination_resource="InstanceType")),
             "InvalidRegionId.NotFound", 404),
            ("DescribeSnapshotLinks", lambda: client.describe_snapshot_links(models.DescribeSnapshotLinksRequest(
                region_id="xx-nowhere-1")), "InvalidRegionId", 400),
            ("DescribeSnapshotsUsage", lambda: client.describe_snapshots_usage(models.DescribeSnapshotsUsageRequest(
                region_id="xx-nowhere-1")), "InvalidParam.RegionId", 403)):
        err = error_of(call)
        assert (err.code, err.status_code) == (code, status), action
        assert_documented(action, err)

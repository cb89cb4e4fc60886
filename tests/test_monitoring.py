"""Monitoring data (DescribeInstanceMonitorData, DescribeDiskMonitorData, DescribeEniMonitorData, the two EIP
operations, DescribeSnapshotMonitorData) and DescribeInstanceTopology through the current SDK (sync and async), the
old SDK and XML: points only while the resource ran, the same numbers for the same query, the documented limits and
codes. (Neither Terraform's provider nor Steampipe's plugin calls any of them: nothing to replay.)"""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.DescribeDiskMonitorDataRequest import DescribeDiskMonitorDataRequest
from aliyunsdkecs.request.v20140526.DescribeInstanceMonitorDataRequest import DescribeInstanceMonitorDataRequest

from mockecs.world import resources
from tests.networks_helpers import xml_call
from tests.sdk import legacy_call
from tests.spec import response_problems
from tests.test_addresses import allocate, associate
from tests.test_instances import REGION, assert_documented, disks, new_error, run
from tests.test_network_interfaces import _attach, create, network

MINUTE = 60


def at(engine, offset: float) -> str:
    """A time ``offset`` seconds from the mock clock's now, as the API writes it."""
    return resources.iso(engine.clock.now() + offset)


def instance_data(client, instance_id: str, start: str, end: str, period=None) -> list[dict]:
    body = client.describe_instance_monitor_data(models.DescribeInstanceMonitorDataRequest(
        instance_id=instance_id, start_time=start, end_time=end, period=period)).body.to_map()
    # (the CPU credit fields are answered for burstable instances only)
    assert not [p for p in response_problems("DescribeInstanceMonitorData", body) if "Credit" not in p]
    return body["MonitorData"]["InstanceMonitorData"]


def minute_of(engine, period: int = MINUTE) -> float:
    """The mock clock moved to the start of its next minute (time stamps are multiples of the period)."""
    now = engine.clock.now()
    engine.clock.advance(period - now % period)
    return engine.clock.now()


def test_instance_points_while_running_same_numbers_each_time(client, engine):
    minute_of(engine)
    instance_id = run(client, internet_max_bandwidth_out=5)[0]
    began = at(engine, 0)
    engine.clock.advance(30 * MINUTE)
    points = instance_data(client, instance_id, began, at(engine, 10 * MINUTE))  # (the future has none)
    # from the first minute after its launch (launched a moment after the minute began) to now
    assert len(points) == 30 and [p["TimeStamp"] for p in points[:2]] == [at(engine, -29 * MINUTE),
                                                                          at(engine, -28 * MINUTE)]
    assert points == instance_data(client, instance_id, began, at(engine, 0))  # the same query, the same numbers
    for p in points:
        assert p["InstanceId"] == instance_id and 0 <= p["CPU"] <= 100
        assert 0 <= p["InternetBandwidth"] <= 5 * 1024 and p["InternetTX"] == p["InternetBandwidth"] * MINUTE
        assert p["IOPSRead"] >= 0 and p["BPSWrite"] >= 0 and "CPUCreditBalance" not in p  # (not burstable)
    # (the numbers move; an idle instance's whole-percent CPU may take only a few values: its intranet traffic moves)
    assert len({p["CPU"] for p in points}) > 1 and len({p["IntranetBandwidth"] for p in points}) > 10

    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    stopped = engine.clock.now()
    engine.clock.advance(20 * MINUTE)
    client.start_instance(models.StartInstanceRequest(instance_id=instance_id))
    restarted = engine.clock.now()
    engine.clock.advance(10 * MINUTE)
    later = instance_data(client, instance_id, began, at(engine, 0))
    stamps = [resources.parse_iso(p["TimeStamp"]) for p in later]
    assert not [s for s in stamps if stopped < s < restarted - MINUTE]  # nothing while it was stopped
    assert later[:30] == points and len(later) in (40, 41)
    # every 10 minutes, the same run
    coarse = instance_data(client, instance_id, began, at(engine, 0), period=600)
    assert all(resources.parse_iso(p["TimeStamp"]) % 600 == 0 for p in coarse) and 3 <= len(coarse) <= 5


def test_burstable_instances_answer_their_credits_and_seconds_round_up(client, engine):
    minute_of(engine)
    instance_id = run(client, instance_type="ecs.t6-c1m1.large")[0]
    engine.clock.advance(5 * MINUTE)
    points = instance_data(client, instance_id, at(engine, -5 * MINUTE + 1), at(engine, 0))
    # a StartTime with seconds counts from the next minute (documented)
    assert len(points) == 5 and points[0]["TimeStamp"] == at(engine, -4 * MINUTE)
    assert not response_problems("DescribeInstanceMonitorData", {"RequestId": "x", "MonitorData": {
        "InstanceMonitorData": points}})
    assert all(p["CPUCreditBalance"] >= 0 and p["CPUCreditUsage"] >= 0 for p in points)
    assert points[0]["InternetBandwidth"] == 0  # no public address


def test_instance_documented_errors(client, engine, other):
    instance_id = run(client)[0]
    err = new_error(other.client.describe_instance_monitor_data, models.DescribeInstanceMonitorDataRequest(
        instance_id=instance_id, start_time=at(engine, -600), end_time=at(engine, 0)))
    assert err.code == "InvalidInstanceId.NotFound"  # (another account's instance)
    action = "DescribeInstanceMonitorData"

    def error(start=at(engine, -600), end=at(engine, 0), period=None, instance=instance_id):
        return new_error(client.describe_instance_monitor_data, models.DescribeInstanceMonitorDataRequest(
            instance_id=instance, start_time=start, end_time=end, period=period))

    for err, code in ((error(start="yesterday"), "InvalidStartTime.Malformed"),
                      (error(end="2024-13-45T99:00:00Z"), "InvalidEndTime.Malformed"),
                      (error(period=120), "InvalidPeriod.ValueNotSupported"),
                      (error(start=at(engine, 0), end=at(engine, -600)), "InvalidStartTime.ValueNotSupported"),
                      (error(start=at(engine, -31 * 86400), end=at(engine, -31 * 86400 + 600)),
                       "InvalidStartTime.TooEarly"),
                      (error(start=at(engine, -401 * MINUTE)), "InvalidParameter.TooManyDataQueried"),
                      (error(instance="i-bp1doesnotexist000000"), "InvalidInstanceId.NotFound")):
        assert err.code == code
        assert_documented(action, err)
    # 400 points (documented: (EndTime - StartTime) / Period <= 400); 401 at 3600 s are 24000 minutes apart
    assert len(instance_data(client, instance_id, at(engine, -400 * MINUTE), at(engine, 0))) <= 401
    assert error(start=at(engine, -401 * 3600), period=3600).code == "InvalidParameter.TooManyDataQueried"


def test_disk_points_while_in_use_within_its_performance(client, engine):
    minute_of(engine)
    instance_id = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=100, category="cloud_essd")])[0]
    began = at(engine, 0)
    data_disk = [d for d in disks(client, instance_id) if d["Type"] == "data"][0]
    engine.clock.advance(20 * MINUTE)
    client.detach_disk(models.DetachDiskRequest(instance_id=instance_id, disk_id=data_disk["DiskId"]))
    engine.clock.advance(20 * MINUTE)

    def data(disk_id, start=began, period=None):
        body = client.describe_disk_monitor_data(models.DescribeDiskMonitorDataRequest(
            disk_id=disk_id, start_time=start, end_time=at(engine, 0), period=period)).body.to_map()
        assert not response_problems("DescribeDiskMonitorData", body)
        assert body["TotalCount"] == len(body["MonitorData"]["DiskMonitorData"])
        return body["MonitorData"]["DiskMonitorData"]

    system = [d for d in disks(client, instance_id) if d["Type"] == "system"][0]
    points = data(system["DiskId"])
    assert len(points) == 40 and points == data(system["DiskId"])
    for p in points:
        assert p["IOPSRead"] + p["IOPSWrite"] == p["IOPSTotal"] <= system["IOPS"]
        assert p["BPSTotal"] == p["BPSRead"] + p["BPSWrite"] <= system["Throughput"] * 1024 * 1024
    detached = data(data_disk["DiskId"])  # only while it was attached
    assert 19 <= len(detached) <= 21 and detached[-1]["TimeStamp"] <= at(engine, -20 * MINUTE)

    err = new_error(client.describe_disk_monitor_data, models.DescribeDiskMonitorDataRequest(
        disk_id=system["DiskId"], start_time=at(engine, 0), end_time=began))
    assert err.code == "InvalidParameter.EndTime"
    assert_documented("DescribeDiskMonitorData", err)
    err = new_error(client.describe_disk_monitor_data, models.DescribeDiskMonitorDataRequest(
        disk_id="d-bp1doesnotexist0000000", start_time=began, end_time=at(engine, 0)))
    assert err.code == "InvalidDiskId.NotFound"
    assert_documented("DescribeDiskMonitorData", err)


def test_eni_points_of_secondary_interfaces_on_the_instance(client, engine):
    minute_of(engine)
    _, vswitch, group_id = network(client)
    instance_id = run(client, v_switch_id=vswitch, security_group_id=group_id)[0]
    eni = create(client, vswitch, group_id).network_interface_id
    _attach(client, eni, instance_id)
    began = at(engine, 0)
    engine.clock.advance(10 * MINUTE)

    def data(**kw):
        body = client.describe_eni_monitor_data(models.DescribeEniMonitorDataRequest(
            region_id=REGION, instance_id=instance_id, start_time=began, end_time=at(engine, 0), **kw)).body.to_map()
        assert not response_problems("DescribeEniMonitorData", body)
        return body

    body = data()
    points = body["MonitorData"]["EniMonitorData"]
    assert body["TotalCount"] == len(points) == 10 and {p["EniId"] for p in points} == {eni}
    assert all(p["IntranetRx"].isdigit() and p["PacketTx"].isdigit() for p in points)
    assert data(eni_id=eni)["MonitorData"] == body["MonitorData"]

    other = create(client, vswitch, group_id).network_interface_id  # not on the instance
    err = new_error(client.describe_eni_monitor_data, models.DescribeEniMonitorDataRequest(
        region_id=REGION, instance_id=instance_id, eni_id=other, start_time=began, end_time=at(engine, 0)))
    assert (err.code, err.status_code) == ("InvalidParam.Malformed", 403)  # (documented with status "4003")
    err = new_error(client.describe_eni_monitor_data, models.DescribeEniMonitorDataRequest(
        region_id=REGION, instance_id=instance_id, start_time=began, end_time=at(engine, 0), period=61))
    assert err.code == "InvalidPeriod.ValueNotSupported"
    assert_documented("DescribeEniMonitorData", err)  # (403, as documented for this operation)


def test_eip_points_and_traffic_while_associated(client, engine):
    minute_of(engine, 300)
    _, vswitch, group_id = network(client)
    instance_id = run(client, v_switch_id=vswitch, security_group_id=group_id)[0]
    allocated = allocate(client, bandwidth="10")
    began = at(engine, 0)
    engine.clock.advance(5 * MINUTE)
    associate(client, allocated.allocation_id, instance_id)
    engine.clock.advance(5 * MINUTE)
    for call in (client.describe_eip_monitor_data, client.describe_new_project_eip_monitor_data):
        request = getattr(models, call.__name__.title().replace("_", "") + "Request")
        body = call(request(allocation_id=allocated.allocation_id, start_time=began, end_time=at(engine, 0),
                            period=300)).body.to_map()
        points = body["EipMonitorDatas"]["EipMonitorData"]
        assert [p["TimeStamp"] for p in points] == [began, at(engine, -5 * MINUTE), at(engine, 0)]
        assert all(0 < p["EipBandwidth"] <= 10_000_000 and p["EipFlow"] == p["EipRX"] + p["EipTX"]
                   for p in points)  # (associated now: the numbers are the EIP's as it is)
        err = new_error(call, request(allocation_id="eip-bp1doesnotexist00000", start_time=began,
                                      end_time=at(engine, 0)))
        assert err.code == "InvalidAllocationId.NotFound"
        assert_documented(request.__name__[:-7], err)


def test_snapshot_sizes_grow_with_the_snapshots(client, engine):
    minute_of(engine, 600)
    instance_id = run(client)[0]
    system = disks(client, instance_id)[0]
    began = at(engine, 0)
    engine.clock.advance(10 * MINUTE)
    client.create_snapshot(models.CreateSnapshotRequest(disk_id=system["DiskId"]))
    engine.clock.advance(10 * MINUTE)
    body = client.describe_snapshot_monitor_data(models.DescribeSnapshotMonitorDataRequest(
        region_id=REGION, start_time=began, end_time=at(engine, 0), period=600)).body.to_map()
    assert not response_problems("DescribeSnapshotMonitorData", body)
    sizes = [p["Size"] for p in body["MonitorData"]["DataPoint"]]
    assert sizes == [0, system["Size"] * 1024 ** 3, system["Size"] * 1024 ** 3]
    flash = client.describe_snapshot_monitor_data(models.DescribeSnapshotMonitorDataRequest(
        region_id=REGION, start_time=began, end_time=at(engine, 0), period=600, category="Flash")).body
    assert [p.size for p in flash.monitor_data.data_point] == [0, 0, 0]
    err = new_error(client.describe_snapshot_monitor_data, models.DescribeSnapshotMonitorDataRequest(
        region_id=REGION, start_time=at(engine, -401 * 600), end_time=at(engine, 0), period=600))
    assert err.code == "InvalidParameter.TooManyDataQueried"
    assert_documented("DescribeSnapshotMonitorData", err)


def test_old_sdk_xml_and_async(client, legacy, engine):
    minute_of(engine)
    instance_id = run(client)[0]
    began = at(engine, 0)
    engine.clock.advance(3 * MINUTE)
    request = DescribeInstanceMonitorDataRequest()
    request.set_InstanceId(instance_id)
    request.set_StartTime(began)
    request.set_EndTime(at(engine, 0))
    old = legacy_call(legacy, request)["MonitorData"]["InstanceMonitorData"]
    assert [p["CPU"] for p in old] == [p["CPU"] for p in instance_data(client, instance_id, began, at(engine, 0))]

    disk_id = disks(client, instance_id)[0]["DiskId"]
    request = DescribeDiskMonitorDataRequest()
    request.set_DiskId(disk_id)
    request.set_StartTime(began)
    request.set_EndTime(at(engine, 0))
    status, root = xml_call(legacy, request)
    assert status == 200 and root.tag == "DescribeDiskMonitorDataResponse" and root.findtext("TotalCount") == "3"
    assert [e.findtext("DiskId") for e in root.iter("DiskMonitorData")] == [disk_id] * 3

    async def go():
        return await client.describe_instance_monitor_data_async(models.DescribeInstanceMonitorDataRequest(
            instance_id=instance_id, start_time=began, end_time=at(engine, 0), period=60))

    assert [p.cpu for p in asyncio.run(go()).body.monitor_data.instance_monitor_data] == [p["CPU"] for p in old]


def test_instance_topology(client, engine):
    ids = run(client, amount=3)
    spread = client.create_deployment_set(models.CreateDeploymentSetRequest(
        region_id=REGION, strategy="Availability")).body.deployment_set_id
    apart = run(client, amount=2, deployment_set_id=spread)

    def topology(instance_ids=None):
        body = client.describe_instance_topology(models.DescribeInstanceTopologyRequest(
            region_id=REGION, instance_ids=json.dumps(instance_ids) if instance_ids else None)).body.to_map()
        assert not response_problems("DescribeInstanceTopology", body)
        return {t["InstanceId"]: t["HostId"] for t in body["Topologys"]["Topology"]}

    everything = topology()
    assert set(everything) == set(ids + apart) and topology(ids[:2]) == {i: everything[i] for i in ids[:2]}
    assert everything[apart[0]] != everything[apart[1]] and topology() == everything
    for value, code in (("not json", "InvalidInstanceIds.MalFormed"),
                        (json.dumps([f"i-{n}" for n in range(101)]), "InvalidParameter.ToManyInstanceIds"),
                        (json.dumps(["i-bp1doesnotexist000000"]), "InvalidInstanceId.NotFound")):
        err = new_error(client.describe_instance_topology, models.DescribeInstanceTopologyRequest(
            region_id=REGION, instance_ids=value))
        assert err.code == code
        assert_documented("DescribeInstanceTopology", err)


@pytest.mark.parametrize("period", [60, 600, 3600])
def test_documented_periods_are_taken(client, engine, period):
    instance_id = run(client)[0]
    engine.clock.advance(2 * period)
    assert instance_data(client, instance_id, at(engine, -2 * period), at(engine, 0), period=period)


def test_no_point_before_the_instance_existed(client, engine):
    minute_of(engine)
    engine.clock.advance(30)  # half a minute in: its StartTime reads the minute it was launched in
    instance_id = run(client)[0]
    engine.clock.advance(90)
    points = instance_data(client, instance_id, at(engine, -10 * MINUTE), at(engine, 0))
    assert [p["TimeStamp"] for p in points] == [at(engine, -MINUTE), at(engine, 0)]  # (not the minute it began in)

"""Self-service diagnostics (DescribeDiagnosticMetrics, the metric set operations, the report operations) through the
current SDK (sync and async) and the old SDK: the catalog, the caller's sets, reports that run through the lifecycle
and end with issues read from the instance's state, the documented codes."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.CreateDiagnosticMetricSetRequest import CreateDiagnosticMetricSetRequest
from aliyunsdkecs.request.v20140526.DescribeDiagnosticMetricSetsRequest import DescribeDiagnosticMetricSetsRequest

from mockecs.world import disk_events, system_events
from tests.sdk import legacy_call
from tests.spec import documented_error, response_problems
from tests.test_instances import REGION, WINDOWS, assert_documented, disks, new_error, run
from tests.test_network_interfaces import network


def metrics(client, **kw) -> dict:
    body = client.describe_diagnostic_metrics(models.DescribeDiagnosticMetricsRequest(region_id=REGION, **kw)).body
    return body.to_map()


def new_set(client, metric_ids, resource_type="instance", **kw) -> str:
    return client.create_diagnostic_metric_set(models.CreateDiagnosticMetricSetRequest(
        region_id=REGION, resource_type=resource_type, metric_ids=metric_ids, **kw)).body.metric_set_id


def sets(client, **kw) -> list[dict]:
    body = client.describe_diagnostic_metric_sets(models.DescribeDiagnosticMetricSetsRequest(
        region_id=REGION, **kw)).body.to_map()
    assert not response_problems("DescribeDiagnosticMetricSets", body)
    return body["MetricSets"]


def report(client, resource_id: str, **kw) -> str:
    return client.create_diagnostic_report(models.CreateDiagnosticReportRequest(
        region_id=REGION, resource_id=resource_id, **kw)).body.report_id


def attributes(client, report_id: str) -> dict:
    body = client.describe_diagnostic_report_attributes(models.DescribeDiagnosticReportAttributesRequest(
        region_id=REGION, report_id=report_id)).body.to_map()
    assert not response_problems("DescribeDiagnosticReportAttributes", body)
    return body


def issues(body: dict) -> dict[str, list[str]]:
    return {r["MetricId"]: [i["IssueId"] for i in r["Issues"]["Issue"]] for r in body["MetricResults"]["MetricResult"]
            if r["Issues"]["Issue"]}


def reports(client, **kw) -> dict:
    body = client.describe_diagnostic_reports(models.DescribeDiagnosticReportsRequest(region_id=REGION, **kw)).body
    body = body.to_map()
    assert not response_problems("DescribeDiagnosticReports", body)
    return body


def test_catalog_paged_and_filtered(client):
    first = metrics(client, max_results=4)
    assert not response_problems("DescribeDiagnosticMetrics", first)
    assert len(first["Metrics"]) == 4 and first["NextToken"]
    rest = metrics(client, max_results=100, next_token=first["NextToken"])
    everything = first["Metrics"] + rest["Metrics"]
    assert rest["NextToken"] == "" and len({m["MetricId"] for m in everything}) == len(everything) >= 10
    assert {m["ResourceType"] for m in everything} == {"instance", "account"}
    assert {m["GuestMetric"] for m in everything} == {True, False}
    assert metrics(client, max_results=500)["Metrics"] == everything[:100]  # (over 100 counts as 100, documented)
    only = metrics(client, metric_ids=["GuestOS.WinFirewall", "Instance.DiskLoadFailure"])["Metrics"]
    assert {m["MetricId"] for m in only} == {"GuestOS.WinFirewall", "Instance.DiskLoadFailure"}
    assert all(m["ResourceType"] == "instance" for m in metrics(client, resource_type="instance", max_results=100)
               ["Metrics"])


def test_metric_sets_life(client, other):
    common = sets(client, type="Common")
    assert "dms-instancedefault" in {s["MetricSetId"] for s in common} and {s["Type"] for s in common} == {"Common"}
    set_id = new_set(client, ["Instance.DiagnoseStatus", "Instance.SGIngress"],
                     metric_set_name="remote", description="remote access")
    assert set_id.startswith("dms-")
    assert sets(client) == [{"MetricSetId": set_id, "MetricSetName": "remote", "Description": "remote access",
                             "Type": "User", "ResourceType": "instance",
                             "MetricIds": ["Instance.DiagnoseStatus", "Instance.SGIngress"]}]
    assert sets(client, metric_set_ids=[set_id])[0]["MetricSetId"] == set_id
    assert [s["MetricSetId"] for s in sets(client, type="Common", metric_set_ids=["dms-instancedefault"])] == \
        ["dms-instancedefault"]
    assert other.client.describe_diagnostic_metric_sets(models.DescribeDiagnosticMetricSetsRequest(
        region_id=REGION)).body.metric_sets == []  # (another account's are its own)

    client.modify_diagnostic_metric_set(models.ModifyDiagnosticMetricSetRequest(
        region_id=REGION, metric_set_id=set_id, metric_ids=["Instance.DiskFull"], metric_set_name="disks"))
    assert (sets(client)[0]["MetricIds"], sets(client)[0]["MetricSetName"], sets(client)[0]["Description"]) == \
        (["Instance.DiskFull"], "disks", "remote access")

    account_set = new_set(client, ["Account.Overdue"], resource_type="account")
    page = sets(client, max_results=1)
    assert [s["MetricSetId"] for s in page] == [set_id]

    # the documented codes
    err = new_error(new_set, client, ["Instance.NoSuchMetric"])
    assert err.code == "InvalidParameter.MetricId"
    assert_documented("CreateDiagnosticMetricSet", err)
    err = new_error(new_set, client, ["Account.Overdue"])  # (an account metric in an instance set)
    assert err.code == "InvalidParameter.MetricId"
    err = new_error(client.modify_diagnostic_metric_set, models.ModifyDiagnosticMetricSetRequest(
        region_id=REGION, metric_set_id=set_id, metric_ids=["Nope"]))
    assert err.code == "InvalidParameter.MetricIds"
    assert_documented("ModifyDiagnosticMetricSet", err)
    for missing in ("dms-instancedefault", "dms-bp1doesnotexist000000", account_set.replace("dms-", "dms-x")):
        err = new_error(client.modify_diagnostic_metric_set, models.ModifyDiagnosticMetricSetRequest(
            region_id=REGION, metric_set_id=missing, metric_set_name="x"))
        assert err.code == "InvalidParameter.MetricSetId"
        assert_documented("ModifyDiagnosticMetricSet", err)

    client.delete_diagnostic_metric_sets(models.DeleteDiagnosticMetricSetsRequest(
        region_id=REGION, metric_set_ids=[set_id, account_set]))
    assert sets(client) == []
    err = new_error(client.delete_diagnostic_metric_sets, models.DeleteDiagnosticMetricSetsRequest(
        region_id=REGION, metric_set_ids=[set_id]))
    assert err.code == "InvalidParameter.MetricSetId"


def test_report_runs_then_finds_what_is_wrong(client, engine):
    _, vswitch, group_id = network(client)
    instance_id = run(client, v_switch_id=vswitch, security_group_id=group_id)[0]
    engine.lifecycle.delay("diagnostic_report", seconds=30)
    report_id = report(client, instance_id, start_time="2026-01-01T00:00Z")
    assert report_id.startswith("dr-")
    running = attributes(client, report_id)
    assert (running["Status"], running["Severity"], running["MetricSetId"], running["ResourceType"]) == \
        ("InProgress", "Unknown", "dms-instancedefault", "instance")
    assert running["StartTime"] == "2026-01-01T00:00Z"  # (to the minute, as the service writes it)
    err = new_error(client.delete_diagnostic_reports, models.DeleteDiagnosticReportsRequest(
        region_id=REGION, report_ids=[report_id]))  # documented: not while it runs
    assert err.code == "InvalidStatus.InProgress"
    assert_documented("DeleteDiagnosticReports", err)

    engine.clock.advance(30)
    done = attributes(client, report_id)
    assert (done["Status"], done["Severity"]) == ("Finished", "Info") and done["FinishedTime"] >= done["CreationTime"]
    assert [r["MetricId"] for r in done["MetricResults"]["MetricResult"]][:3] == \
        ["Instance.DiagnoseStatus", "Instance.ExpenseException", "Instance.SecurityPunishStatus"]
    assert len(done["MetricResults"]["MetricResult"]) == 32
    # a new group accepts nothing: neither SSH nor ping, as the service words it
    assert issues(done) == {"Instance.SGIngress": ["Instance.Network.SSHPortRuleDeny", "Instance.SgRule.PingPortDeny"]}
    sg = {r["MetricId"]: r for r in done["MetricResults"]["MetricResult"]}["Instance.SGIngress"]
    assert sg["MetricCategory"] == "ECSService.SecurityGroup" and sg["Severity"] == "Info"
    assert json.loads(sg["Issues"]["Issue"][0]["Additional"]) == {
        "Policy": "drop", "Port": "22", "Service": "SSH", "Effect": "INSTANCE-SG-SSH-DISABLED", "Protocol": "TCP",
        "Direction": "ingress"}

    # open SSH, stop the instance, stall its system disk, schedule a reboot: each shows
    client.authorize_security_group(models.AuthorizeSecurityGroupRequest(
        region_id=REGION, security_group_id=group_id, ip_protocol="tcp", port_range="22/22",
        source_cidr_ip="0.0.0.0/0"))
    disk_events.plant(engine, disks(client, instance_id)[0]["DiskId"], "Stalled")
    system_events.plant(engine, instance_id, "SystemMaintenance.Reboot")
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))
    engine.lifecycle.undelay("diagnostic_report")
    second = attributes(client, report(client, instance_id))
    assert second["Severity"] == "Critical"
    assert issues(second) == {"Instance.DiagnoseStatus": ["Instance.Status.NotRunning"],
                              "Instance.SystemException": ["Instance.SystemEvent.SystemMaintenance.Reboot"],
                              "Instance.DiskFull": ["Instance.Disk.Stalled"],
                              "Instance.SGIngress": ["Instance.SgRule.PingPortDeny"]}
    own = new_set(client, ["GuestOS.DiskUsage", "GuestOS.WinFirewall"])
    guest_id = report(client, instance_id, metric_set_id=own)
    guest = attributes(client, guest_id)
    assert [(r["Status"], r["Severity"]) for r in guest["MetricResults"]["MetricResult"]] == \
        [("Failed", "Unknown"), ("Finished", "NotSupport")]  # (nothing runs in a stopped instance; not Windows)
    assert (guest["Status"], guest["Severity"]) == ("Finished", "Unknown")

    listed = reports(client)["Reports"]["Report"]
    assert [r["ReportId"] for r in listed] == [guest_id, second["ReportId"], report_id]  # newest first
    assert {i["IssueId"] for i in listed[1]["Issues"]["Issue"]} >= {"Instance.Status.NotRunning",
                                                                    "Instance.Disk.Stalled"}
    assert [r["ReportId"] for r in reports(client, severity="critical")["Reports"]["Report"]] == [second["ReportId"]]
    assert [r["ReportId"] for r in reports(client, status="Finished", resource_ids=[instance_id])["Reports"]
            ["Report"]] == [guest_id, second["ReportId"], report_id]
    assert [r["ReportId"] for r in reports(client, report_ids=[report_id])["Reports"]["Report"]] == [report_id]
    page = reports(client, max_results=1)
    assert len(page["Reports"]["Report"]) == 1 and page["NextToken"]

    client.delete_diagnostic_reports(models.DeleteDiagnosticReportsRequest(region_id=REGION, report_ids=[report_id]))
    err = new_error(attributes, client, report_id)
    assert err.code == "InvalidParameter.ReportNotExist"
    assert_documented("DescribeDiagnosticReportAttributes", err)


def test_windows_own_set_failed_report_and_codes(client, engine):
    instance_id = run(client, image_id=WINDOWS, password="Abcd1234!")[0]
    own = new_set(client, ["Instance.SGIngress", "GuestOS.WinFirewall", "GuestOS.SSHDStatus"])
    body = attributes(client, report(client, instance_id, metric_set_id=own))
    assert body["MetricSetId"] == own and issues(body) == {
        "Instance.SGIngress": ["Instance.Network.RDPPortRuleDeny", "Instance.SgRule.PingPortDeny"]}
    assert [r["Severity"] for r in body["MetricResults"]["MetricResult"]] == ["Info", "Normal", "NotSupport"]

    engine.lifecycle.fail_next("diagnostic_report")
    failed = attributes(client, report(client, instance_id))
    assert (failed["Status"], failed["Severity"]) == ("Failed", "Unknown")
    assert [r["ReportId"] for r in reports(client, status="failed")["Reports"]["Report"]] == [failed["ReportId"]]

    err = new_error(report, client, "i-bp1doesnotexist000000")
    # (the metadata writes this code with a trailing tab; answered without it)
    assert (err.code, err.status_code) == ("InvalidResource.NotExists", 400)
    assert documented_error("CreateDiagnosticReport", "InvalidResource.NotExists\t")[1] == err.data["Message"]
    for kw in ({"metric_set_id": "dms-bp1doesnotexist000000"}, {"start_time": "noon"},
               {"start_time": "2026-01-02T00:00:00Z", "end_time": "2026-01-01T00:00:00Z"}):
        err = new_error(report, client, instance_id, **kw)
        assert err.code == "InvalidParameter"
        assert_documented("CreateDiagnosticReport", err)


def test_old_sdk_and_async(client, legacy):
    request = CreateDiagnosticMetricSetRequest()
    request.set_ResourceType("instance")
    request.set_MetricIdss(["Instance.DiagnoseStatus", "Instance.DiskLoadFailure"])
    set_id = legacy_call(legacy, request)["MetricSetId"]
    request = DescribeDiagnosticMetricSetsRequest()
    request.set_MetricSetIdss([set_id])
    assert legacy_call(legacy, request)["MetricSets"][0]["MetricIds"] == ["Instance.DiagnoseStatus",
                                                                          "Instance.DiskLoadFailure"]
    instance_id = run(client)[0]

    async def go():
        made = await client.create_diagnostic_report_async(models.CreateDiagnosticReportRequest(
            region_id=REGION, resource_id=instance_id, metric_set_id=set_id))
        return await client.describe_diagnostic_report_attributes_async(
            models.DescribeDiagnosticReportAttributesRequest(region_id=REGION, report_id=made.body.report_id))

    body = asyncio.run(go()).body
    assert body.status == "Finished" and [r.metric_id for r in body.metric_results.metric_result] == \
        ["Instance.DiagnoseStatus", "Instance.DiskLoadFailure"]


def test_sets_reports_and_runs_survive_an_export_and_import(client, engine):
    instance_id = run(client)[0]
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id))  # (it keeps its ended run)
    set_id = new_set(client, ["Instance.DiagnoseStatus"])
    report_id = report(client, instance_id, metric_set_id=set_id)
    before = attributes(client, report_id)
    state = json.loads(json.dumps(engine.export_state()))
    engine.import_state(state)
    assert sets(client)[0]["MetricIds"] == ["Instance.DiagnoseStatus"]
    assert {k: v for k, v in attributes(client, report_id).items() if k != "RequestId"} == \
        {k: v for k, v in before.items() if k != "RequestId"}

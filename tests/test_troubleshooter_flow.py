"""Alibaba's ECS troubleshooting dashboard (aliyun/alibabacloud-ecs-tool-troubleshooter, ``ecs-devops-dashboard``),
its "customer diagnosis" page replayed request for request: the requests its own client (``aliyun-client.service.ts``)
builds in the browser, V3 (ACS3-HMAC-SHA256) signed GET requests with the action in a header and every parameter in
the query, checked by mockecs in strict signature mode.

What the page does (``diagnosis-effect.service.ts``): DescribeInstanceAttribute without RegionId to find the
instance's region; CreateDiagnosticReport with RegionId, ResourceId, StartTime and EndTime written to the minute
(``YYYY-MM-DD[T]HH:mm[Z]``; when the user picks a range it sends its start as both, a bug of the page); then
DescribeDiagnosticReportAttributes every 5 seconds until Status is Finished, Failed or RateLimit. Its history view
sends DescribeDiagnosticReports with ``ResourceId`` and ``MaxResult`` (neither is the API's name: the service
ignores both and lists the region's reports), then DescribeDiagnosticReportAttributes for each report listed."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import time
from urllib.parse import quote

import pytest
import requests

from mockecs.modes.mock import MockECS
from mockecs.world import resources
from tests.sdk import new_client
from tests.test_instances import run

AK, SECRET = "dashboard-ak", "dashboard-secret"
FINISHED = ("Finished", "Failed", "RateLimit")  # the page's finishedStatus


def _encode_uri_component(text: str) -> str:
    return quote(str(text), safe="-_.!~*'()")


def _angular_query(params: dict) -> str:
    """Angular's HttpUrlEncodingCodec: encodeURIComponent, then @ : $ , ; = ? / written as they are."""
    out = []
    for key, value in params.items():
        pair = f"{_encode_uri_component(key)}={_encode_uri_component(value)}"
        for raw, encoded in (("@", "%40"), (":", "%3A"), ("$", "%24"), (",", "%2C"), (";", "%3B"), ("=", "%3D"),
                             ("?", "%3F"), ("/", "%2F")):
            pair = pair.replace(encoded, raw)
        out.append(pair)
    return "&".join(out)


def send(action: str, params: dict, endpoints: dict) -> dict:
    """``AliYunClientService.sendRequest`` in Python, step for step."""
    params = dict(params)
    region_id = params.get("RegionId")
    if not region_id:
        params.pop("RegionId", None)
    endpoint = endpoints.get(region_id) if region_id else "ecs.aliyuncs.com"
    sha_empty = hashlib.sha256(b"").hexdigest()
    headers = {"x-acs-action": action, "x-acs-version": "2014-05-26",
               "x-acs-signature-nonce": "".join(secrets.choice(string.ascii_letters + string.digits)
                                                for _ in range(20)),
               "x-acs-date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),  # moment().utc().format()
               "x-acs-content-sha256": sha_empty}
    signing = {**headers, "host": endpoint}
    canonical_query = "&".join(f"{_encode_uri_component(k)}={_encode_uri_component(params[k])}"
                               for k in sorted(params))
    canonical_headers = "".join(f"{k}:{signing[k]}\n" for k in sorted(signing))
    signed_headers = ";".join(sorted(signing))
    canonical = "\n".join(["GET", "/", canonical_query, canonical_headers, signed_headers, sha_empty])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={signed_headers},Signature={signature}"
    # No Host header, as the browser's code sends it (its HTTP stack adds the URL's; in-process there is none)
    response = requests.get(f"https://{endpoint}/?{_angular_query(params)}", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def strict():
    with MockECS(strict_signatures=True) as m:
        m.engine.accounts.add_key("2000000000000002", AK, SECRET)
        yield m


def test_customer_diagnosis_page(strict):
    engine = strict.engine
    client = new_client(AK, SECRET)
    instance_id = run(client)[0]
    endpoints = {r["RegionId"]: r["RegionEndpoint"] for r in send("DescribeRegions", {}, {})["Regions"]["Region"]}
    engine.lifecycle.delay("diagnostic_report", seconds=12)

    # createDiagnosticReport: the instance's region first, then the report over the last two days
    region_id = send("DescribeInstanceAttribute", {"RegionId": None, "InstanceId": instance_id}, endpoints)["RegionId"]
    now = engine.clock.now()
    created = send("CreateDiagnosticReport", {
        "RegionId": region_id, "ResourceId": instance_id,
        "StartTime": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(now - 2 * 86400)),
        "EndTime": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(now))}, endpoints)
    report_id = created["ReportId"]
    # queryDiagnosticReport: every 5 s until it is done
    polls = [send("DescribeDiagnosticReportAttributes", {"RegionId": region_id, "ReportId": report_id}, endpoints)]
    while polls[-1]["Status"] not in FINISHED:
        assert len(polls) < 10
        engine.clock.advance(5)
        polls.append(send("DescribeDiagnosticReportAttributes", {"RegionId": region_id, "ReportId": report_id},
                          endpoints))
    assert [p["Status"] for p in polls] == ["InProgress", "InProgress", "InProgress", "Finished"]
    report = polls[-1]
    assert report["StartTime"] == resources.iso_minute(now - 2 * 86400) and report["Attributes"] == "{}"
    assert report["MetricSetId"] == "dms-instancedefault" and len(report["MetricResults"]["MetricResult"]) == 32
    assert report["Severity"] == "Info"  # the default group accepts neither SSH nor ping

    # a range picked in the page: its start sent as both ends
    picked = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(now - 3600))
    engine.lifecycle.undelay("diagnostic_report")
    second = send("CreateDiagnosticReport", {"RegionId": region_id, "ResourceId": instance_id, "StartTime": picked,
                                             "EndTime": picked}, endpoints)["ReportId"]

    # queryHistoryDiagnosticReport: the listing, then each report's attributes
    listed = send("DescribeDiagnosticReports", {"RegionId": region_id, "ResourceId": instance_id, "MaxResult": 100},
                  endpoints)["Reports"]["Report"]
    assert [r["ReportId"] for r in listed] == [second, report_id]
    details = [send("DescribeDiagnosticReportAttributes", {"RegionId": region_id, "ReportId": r["ReportId"]},
                    endpoints) for r in listed]
    assert [d["Status"] for d in details] == ["Finished", "Finished"]
    assert details[0]["StartTime"] == details[0]["EndTime"] == picked
    assert {i["IssueId"] for i in listed[1]["Issues"]["Issue"]} == {"Instance.Network.SSHPortRuleDeny",
                                                                     "Instance.SgRule.PingPortDeny"}

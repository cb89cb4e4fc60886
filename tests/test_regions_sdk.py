"""DescribeRegions/DescribeZones and bad input through the real SDKs (current sync+async, old)."""
from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest
from aliyunsdkecs.request.v20140526.DescribeZonesRequest import DescribeZonesRequest

from tests.sdk import legacy_call


def test_describe_regions_current_sdk(client):
    resp = client.describe_regions(models.DescribeRegionsRequest(accept_language="en-US"))
    assert resp.status_code == 200
    assert resp.headers["x-acs-request-id"] == resp.body.request_id
    regions = {r.region_id: r for r in resp.body.regions.region}
    assert regions["cn-hangzhou"].region_endpoint == "ecs.aliyuncs.com"  # (what the service answers for it)
    assert regions["cn-beijing"].region_endpoint == "ecs.cn-beijing.aliyuncs.com"
    assert regions["us-west-1"].local_name == "US (Silicon Valley)"
    assert all(r.status == "available" for r in regions.values())


def test_describe_regions_default_language_is_chinese(client):
    resp = client.describe_regions(models.DescribeRegionsRequest())
    names = {r.region_id: r.local_name for r in resp.body.regions.region}
    assert names["cn-hangzhou"] == "华东1（杭州）"


def test_describe_zones_async(client):
    resp = asyncio.run(client.describe_zones_async(models.DescribeZonesRequest(region_id="cn-beijing",
                                                                               accept_language="en-US")))
    zone = resp.body.zones.zone[0]
    assert zone.zone_id == "cn-beijing-g" and zone.zone_type == "AvailabilityZone"
    assert "cloud_essd" in zone.available_disk_categories.disk_categories
    info = zone.available_resources.resources_info[0]
    assert info.io_optimized is True and "vpc" in info.network_types.supported_network_category


def test_describe_regions_async_matches_sync(client):
    sync = client.describe_regions(models.DescribeRegionsRequest(accept_language="en-US")).body.to_map()
    async_ = asyncio.run(client.describe_regions_async(models.DescribeRegionsRequest(accept_language="en-US")))
    assert async_.body.to_map()["Regions"] == sync["Regions"]


def test_old_sdk_regions_and_zones(legacy):
    body = legacy_call(legacy, DescribeRegionsRequest())
    assert isinstance(body["RequestId"], str)
    region = body["Regions"]["Region"][0]
    assert set(region) == {"RegionId", "LocalName", "RegionEndpoint", "Status"}
    request = DescribeZonesRequest()
    request.set_AcceptLanguage("en-US")
    zones = legacy_call(legacy, request)["Zones"]["Zone"]
    assert zones[0]["ZoneId"] == "cn-hangzhou-h"  # the old SDK adds RegionId = its client region
    assert zones[0]["AvailableResources"]["ResourcesInfo"][0]["IoOptimized"] is True


def test_unknown_region_current_sdk(client):
    with pytest.raises(ClientException) as err:
        client.describe_zones(models.DescribeZonesRequest(region_id="mars-north-1"))
    assert err.value.code == "InvalidRegionId.NotFound" and err.value.status_code == 404


def test_unknown_region_async(client):
    with pytest.raises(ClientException) as err:
        asyncio.run(client.describe_zones_async(models.DescribeZonesRequest(region_id="mars-north-1")))
    assert err.value.code == "InvalidRegionId.NotFound" and err.value.status_code == 404


def test_bad_language_old_sdk(legacy):
    request = DescribeRegionsRequest()
    request.set_AcceptLanguage("klingon")
    with pytest.raises(ServerException) as err:
        legacy_call(legacy, request)
    assert err.value.get_error_code() == "InvalidAcceptLanguage.NotFound"
    assert err.value.get_http_status() == 404
    assert err.value.get_request_id()


def test_missing_region_old_sdk_is_filled_by_client(legacy):
    # The old SDK always sends its own region; an explicit bad one is refused.
    request = DescribeZonesRequest()
    request.add_query_param("RegionId", "nowhere-1")
    with pytest.raises(ServerException) as err:
        legacy_call(legacy, request)
    assert err.value.get_error_code() == "InvalidRegionId.NotFound"


def test_raw_get_xml_and_form_post(mock):
    resp = requests.get("https://ecs.aliyuncs.com/", params={
        "Action": "DescribeZones", "Version": "2014-05-26", "Format": "XML", "RegionId": "ap-southeast-1"})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/xml;charset=utf-8"
    assert ET.fromstring(resp.content).findall("Zones/Zone")[0].findtext("ZoneId") == "ap-southeast-1a"
    resp = requests.post("http://ecs.cn-shanghai.aliyuncs.com/",
                         data={"Action": "DescribeZones", "Version": "2014-05-26", "Format": "JSON"})
    # No RegionId: the region comes from the endpoint host (spec §1.9) -- still required here.
    assert resp.status_code == 400 and resp.json()["Code"] == "MissingParameter"
    resp = requests.get("https://ecs.aliyuncs.com/?Action=DescribeZones&Version=2014-05-26&Format=XML")
    error = ET.fromstring(resp.content)
    assert resp.status_code == 400 and error.tag == "Error" and error.findtext("Code") == "MissingParameter"


def test_every_error_is_readable_by_the_old_sdk(mock, legacy):
    # The old SDK parses JSON errors only; it always asks Format=JSON and we must answer JSON.
    request = DescribeRegionsRequest()
    request.set_AcceptLanguage("xx")
    with pytest.raises(ServerException) as err:
        legacy_call(legacy, request)
    assert err.value.get_error_code() != "SDK.UnknownServerError"
    assert json.loads(json.dumps(mock.calls[-1].error_code)) == "InvalidAcceptLanguage.NotFound"


def test_endpoint_forms_are_intercepted(mock):
    for url in ("https://ecs.aliyuncs.com/", "http://ecs-cn-hangzhou.aliyuncs.com/",
                "https://ecs.eu-central-1.aliyuncs.com/", "https://ecs-vpc.cn-beijing.aliyuncs.com/",
                "https://ecs.cn-beijing.aliyuncs.com:443/"):
        resp = requests.get(url, params={"Action": "DescribeRegions", "Version": "2014-05-26", "Format": "JSON"})
        assert resp.status_code == 200, url


def test_calls_are_recorded(mock, client):
    client.describe_regions(models.DescribeRegionsRequest())
    with pytest.raises(ClientException):
        client.describe_zones(models.DescribeZonesRequest(region_id="nowhere-9"))
    ok, bad = mock.calls[-2:]
    assert (ok.action, ok.status, ok.error_code) == ("DescribeRegions", 200, None)
    assert (bad.action, bad.status, bad.error_code, bad.account) == (
        "DescribeZones", 404, "InvalidRegionId.NotFound", "1234567890123456")

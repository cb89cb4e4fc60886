import asyncio
import json

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest


def test_zones(zone_ids, ecs_mock):
    assert zone_ids and all(z.startswith("cn-hangzhou-") for z in zone_ids)
    call = ecs_mock.calls[0]
    assert (call.action, call.region, call.status) == ("DescribeZones", "cn-hangzhou", 200)


def test_async_client(ecs_client):
    resp = asyncio.run(ecs_client.describe_regions_async(models.DescribeRegionsRequest()))
    assert "cn-hangzhou" in [r.region_id for r in resp.body.regions.region]


def test_old_sdk(ecs_legacy_client):
    req = DescribeRegionsRequest()
    req.set_accept_format("json")
    body = json.loads(ecs_legacy_client.do_action_with_exception(req))
    assert body["Regions"]["Region"]


def test_throttling_is_surfaced(ecs_mock, ecs_client):
    ecs_mock.inject("DescribeRegions", code="Throttling", times=1)
    with pytest.raises(ClientException) as info:
        ecs_client.describe_regions(models.DescribeRegionsRequest())
    assert info.value.code == "Throttling"


@pytest.mark.mockecs(region="ap-southeast-1")
def test_other_region(zone_ids):
    assert all(z.startswith("ap-southeast-1") for z in zone_ids)


def test_catalog(alinux_image, marketplace_images):
    assert alinux_image.startswith("aliyun_")
    assert marketplace_images

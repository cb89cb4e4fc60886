import asyncio
import os
import unittest

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config

from mockecs import mock_ecs
from mockecs.modes.clients import client as fake_client
from mockecs.modes.mock import current_mock


def make_client(region_id="cn-hangzhou"):
    """What the application does: keys from the environment."""
    return Client(Config(access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                         access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], region_id=region_id))


@mock_ecs
@pytest.mark.usefixtures("fake_credentials")
class TestRegions(unittest.TestCase):
    def setUp(self):
        self.client = make_client()
        self.client.describe_regions(models.DescribeRegionsRequest())  # setUp runs inside the mock too

    def test_regions(self):
        resp = self.client.describe_regions(models.DescribeRegionsRequest())
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(len(current_mock().calls), 2)

    def test_fresh_state_and_faults(self):
        self.assertEqual(len(current_mock().calls), 1)  # only this test's setUp
        current_mock().inject("DescribeZones", code="Throttling")
        with self.assertRaises(ClientException) as info:
            self.client.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
        self.assertEqual(info.exception.code, "Throttling")


@mock_ecs
class TestPlainClass:
    def test_each_method_is_fresh(self):
        assert current_mock().calls == []
        fake_client().describe_regions(models.DescribeRegionsRequest())


@mock_ecs(region="cn-beijing")
def test_function_decorator():
    assert current_mock().engine.config.region == "cn-beijing"
    zones = fake_client(region_id="cn-beijing").describe_zones(models.DescribeZonesRequest(region_id="cn-beijing"))
    assert zones.body.zones.zone


def test_context_managers():
    with mock_ecs() as m:
        fake_client().describe_regions(models.DescribeRegionsRequest())
        assert m.calls[0].action == "DescribeRegions"

    async def scenario():
        async with mock_ecs() as m:
            await fake_client().describe_regions_async(models.DescribeRegionsRequest())
            return len(m.calls)

    assert asyncio.run(scenario()) == 1

"""``mock_ecs`` as a decorator and context manager, with both real SDKs, sync and async."""
from __future__ import annotations

import asyncio
import http.server
import re
import threading
import unittest
from typing import Iterator

import pytest
import requests
import responses
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest
from aliyunsdkecs.request.v20140526.DescribeZonesRequest import DescribeZonesRequest

from mockecs import mock_ecs
from mockecs.modes.clients import client, legacy_client
from mockecs.modes.mock import ENGINE_HOST, MockECS, current_mock
from tests.sdk import legacy_call

REGION_FIELDS = {"RegionId", "LocalName", "RegionEndpoint", "Status"}


def _regions(c=None) -> list:
    resp = (c or client()).describe_regions(models.DescribeRegionsRequest(accept_language="en-US"))
    assert resp.status_code == 200
    assert re.fullmatch(r"[0-9A-F-]{36}", resp.body.request_id)
    return resp.body.to_map()["Regions"]["Region"]


def _legacy_regions() -> list:
    req = DescribeRegionsRequest()
    req.set_accept_format("json")
    body = legacy_call(legacy_client(), req)
    assert set(body) == {"RequestId", "Regions"}
    return body["Regions"]["Region"]


def _check_regions(regions: list) -> None:
    assert len(regions) > 10
    assert {r["RegionId"] for r in regions} >= {"cn-hangzhou", "cn-beijing", "ap-southeast-1"}
    for region in regions:
        assert set(region) == REGION_FIELDS
        assert region["Status"] == "available"


# -- function / coroutine function ---------------------------------------------------------
@mock_ecs
def test_decorated_function_both_sdks() -> None:
    _check_regions(_regions())
    _check_regions(_legacy_regions())
    calls = current_mock().calls
    assert [c.action for c in calls] == ["DescribeRegions", "DescribeRegions"]
    assert [c.status for c in calls] == [200, 200]


@mock_ecs(region="cn-beijing")
def test_decorator_with_settings() -> None:
    assert current_mock().engine.config.region == "cn-beijing"


def test_decorated_coroutine_function() -> None:
    @mock_ecs
    async def scenario() -> tuple:
        c = client()
        regions = await c.describe_regions_async(models.DescribeRegionsRequest())
        zones = await c.describe_zones_async(models.DescribeZonesRequest(region_id="cn-hangzhou"))
        return regions, zones, list(current_mock().calls)

    regions, zones, calls = asyncio.run(scenario())
    assert regions.status_code == 200 and zones.status_code == 200
    _check_regions(regions.body.to_map()["Regions"]["Region"])
    zone_ids = [z.zone_id for z in zones.body.zones.zone]
    assert zone_ids and all(z.startswith("cn-hangzhou-") for z in zone_ids)
    assert [(c.action, c.status) for c in calls] == [("DescribeRegions", 200), ("DescribeZones", 200)]


def test_async_error_is_client_exception() -> None:
    async def scenario() -> ClientException:
        async with mock_ecs():
            with pytest.raises(ClientException) as info:
                await client().describe_zones_async(models.DescribeZonesRequest(region_id="no-such-region"))
            return info.value

    err = asyncio.run(scenario())
    assert err.code == "InvalidRegionId.NotFound"
    assert err.status_code == 404


# -- classes --------------------------------------------------------------------------------
@mock_ecs
class TestPlainClass:
    """Every test method gets its own fresh mock."""

    def test_first(self) -> None:
        current_mock().inject("DescribeRegions", code="Throttling", times=None)
        _regions_fail = pytest.raises(ClientException)
        with _regions_fail as info:
            _regions()
        assert info.value.code == "Throttling"
        assert len(current_mock().calls) == 1

    def test_second_sees_fresh_state(self) -> None:
        assert current_mock().calls == [] and current_mock().engine.faults == []
        _check_regions(_regions())


@mock_ecs
class DecoratedTestCase(unittest.TestCase):
    """setUp, the test and tearDown run inside one mock; each test gets a fresh one."""

    seen_mocks: list = []

    def setUp(self) -> None:
        self.mock = current_mock()
        self.seen_mocks.append(self.mock)
        self.regions = _regions()

    def test_a(self) -> None:
        _check_regions(self.regions)
        self.assertEqual(len(self.mock.calls), 1)  # only setUp's call: fresh state
        self.mock.inject("DescribeZones", code="Throttling", times=None)

    def test_b(self) -> None:
        self.assertEqual(len(self.mock.calls), 1)
        self.assertEqual(self.mock.engine.faults, [])
        zones = client().describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
        self.assertEqual(zones.status_code, 200)

    def tearDown(self) -> None:
        self.assertIs(current_mock(), self.mock)  # still inside the mock
        _check_regions(_regions())


def test_testcase_mocks_are_distinct_and_stopped() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTestCase)
    DecoratedTestCase.seen_mocks = []
    result = unittest.TextTestRunner(stream=open("/dev/null", "w"), verbosity=0).run(suite)
    assert result.wasSuccessful(), result.errors + result.failures
    first, second = DecoratedTestCase.seen_mocks
    assert first is not second and first.engine is not second.engine
    with pytest.raises(RuntimeError):
        current_mock()


# -- context managers -------------------------------------------------------------------------
def test_with_block() -> None:
    with mock_ecs() as m:
        assert isinstance(m, MockECS)
        _check_regions(_regions())
        assert m.calls[0].action == "DescribeRegions"
    with mock_ecs() as again:
        assert again.calls == []  # a fresh engine each time


def test_async_with_block() -> None:
    async def scenario() -> list:
        async with mock_ecs() as m:
            resp = await client().describe_regions_async(models.DescribeRegionsRequest())
            assert resp.status_code == 200
            return list(m.calls)

    assert [c.action for c in asyncio.run(scenario())] == ["DescribeRegions"]


def test_legacy_error_wire_facts() -> None:
    with mock_ecs():
        req = DescribeZonesRequest()
        req.set_AcceptLanguage("xx-XX")
        with pytest.raises(ServerException) as info:
            legacy_client().do_action_with_exception(req)
    assert info.value.get_error_code() == "InvalidAcceptLanguage.NotFound"
    assert info.value.get_http_status() == 404
    assert re.fullmatch(r"[0-9A-F-]{36}", info.value.get_request_id())


# -- coexistence with the user's own `responses` mocks ---------------------------------------------
OTHER = "https://api.example.test/status"


@responses.activate
@mock_ecs
def test_responses_outside_mock_ecs() -> None:
    """The user's mock started first: mockecs passes non-ECS hosts through to it."""
    responses.add(responses.GET, OTHER, json={"ok": True})
    assert requests.get(OTHER).json() == {"ok": True}
    _check_regions(_regions())
    _check_regions(_legacy_regions())


def test_responses_outside_with_blocks() -> None:
    with responses.RequestsMock() as rsps, mock_ecs():
        rsps.add(responses.GET, OTHER, json={"ok": 1})
        assert requests.get(OTHER).json() == {"ok": 1}
        _check_regions(_regions())


def test_responses_inside_needs_passthrough_to_mockecs() -> None:
    """The user's mock started last sees ECS calls first: it must pass them to mockecs."""
    with mock_ecs():
        # A plain `responses` mock started inside refuses ECS calls (no silent real network)...
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            rsps.add(responses.GET, OTHER, json={"ok": 2})
            with pytest.raises(Exception, match="Connection refused by Responses"):
                _regions()
            _check_regions(_legacy_regions())  # the old SDK's vendored requests is not affected
        # ...one built inside the mock, passing ECS hosts through, works:
        with responses.RequestsMock(real_adapter_send=requests.adapters.HTTPAdapter.send) as rsps:
            rsps.add_passthru(re.compile(rf"https?://{ENGINE_HOST}"))
            rsps.add(responses.GET, OTHER, json={"ok": 3})
            assert requests.get(OTHER).json() == {"ok": 3}
            _check_regions(_regions())


# -- passthrough of other hosts -------------------------------------------------------------------
class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"hello from localhost")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_other_hosts_pass_through_by_default(local_url: str) -> None:
    with mock_ecs():
        assert requests.get(local_url).text == "hello from localhost"
        _check_regions(_regions())


def test_other_hosts_pass_through_aiohttp(local_url: str) -> None:
    import aiohttp

    async def scenario() -> str:
        async with mock_ecs(), aiohttp.ClientSession() as session:
            async with session.get(local_url) as resp:
                return await resp.text()

    assert asyncio.run(scenario()) == "hello from localhost"


def test_passthrough_off_refuses_other_hosts(local_url: str) -> None:
    with mock_ecs(passthrough=False):
        with pytest.raises(requests.ConnectionError, match="Connection refused"):
            requests.get(local_url)
        _check_regions(_regions())  # ECS itself is still answered


def test_passthrough_off_aiohttp(local_url: str) -> None:
    import aiohttp

    async def scenario() -> None:
        async with mock_ecs(passthrough=False), aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.ClientConnectionError, match="passthrough off"):
                await session.get(local_url)

    asyncio.run(scenario())


def test_extra_hosts_are_answered() -> None:
    with mock_ecs(hosts=["ecs.internal.example"], passthrough=False):
        resp = requests.get("http://ecs.internal.example/?Action=DescribeRegions&Version=2014-05-26&Format=JSON")
        assert resp.status_code == 200
        assert "Regions" in resp.json()


def test_default_responses_mock_inside_passes_ecs_to_mockecs() -> None:
    """``@responses.activate`` inside an active mockecs (the usual pytest fixture order) just works."""
    with mock_ecs():

        @responses.activate
        def user_test() -> None:
            responses.add(responses.GET, OTHER, json={"ok": 4})
            assert requests.get(OTHER).json() == {"ok": 4}
            _check_regions(_regions())  # ECS calls pass through the user's mock to mockecs
            with pytest.raises(requests.ConnectionError):
                requests.get("https://api.example.test/unregistered")  # the user's mock still refuses the rest

        user_test()
        _check_regions(_regions())
    assert responses.mock._real_send is responses._real_send  # restored when mockecs stops
    assert not any(getattr(p, "pattern", "").find("aliyuncs") >= 0 for p in responses.mock.passthru_prefixes)


def test_aiohttp_answers_carry_the_standard_reason_phrase():
    import aiohttp

    async def fetch() -> tuple[int, str]:
        async with aiohttp.ClientSession() as session:
            async with session.get("https://ecs.aliyuncs.com/?Action=DescribeRegions&Version=2014-05-26"
                                   "&Format=JSON") as resp:
                return resp.status, resp.reason

    with mock_ecs() as m:
        m.inject("DescribeRegions", code="Throttling", status=429)
        m.inject("DescribeRegions", code="ServiceUnavailable", status=503)
        assert asyncio.run(fetch()) == (429, "Too Many Requests")
        assert asyncio.run(fetch()) == (503, "Service Unavailable")

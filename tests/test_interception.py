"""How ``mock_ecs`` answers ``requests``: ECS calls straight from the patched ``HTTPAdapter.send`` (no work
per call that mockecs does not use, nothing kept per call), and through ``responses`` where its rules matter
(adapters retrying on statuses, streamed bodies) with the same answers."""
from __future__ import annotations

import io
import json

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mockecs.modes.mock import MockECS

URL = "https://ecs.aliyuncs.com/?Action=DescribeRegions&Version=2014-05-26&Format=JSON"


def _responses_calls(mock: MockECS) -> int:
    return sum(len(p.calls) for p in mock._patchers if hasattr(p, "add_passthru"))


def test_ecs_calls_are_answered_without_responses_call_log():
    with MockECS() as mock:
        for method in ("POST", "GET", "PUT"):
            resp = requests.request(method, URL)
            assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json;charset=utf-8"
            assert resp.headers["x-acs-request-id"] == json.loads(resp.content)["RequestId"]
        assert len(mock.calls) == 3 and _responses_calls(mock) == 0  # nothing grows per call but the record


def test_adapters_retrying_on_statuses_still_retry():
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=2, status_forcelist=[503], allowed_methods=None)))
    with MockECS() as mock:
        mock.inject("DescribeRegions", "ServiceUnavailable", status=503, times=1)
        resp = session.post(URL)
        assert resp.status_code == 200 and [c.status for c in mock.calls] == [503, 200]


def test_streamed_bodies_reach_the_engine():
    with MockECS() as mock:
        body = io.BytesIO(b"Action=DescribeRegions&Version=2014-05-26&Format=JSON")
        resp = requests.post("https://ecs.aliyuncs.com/", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert resp.status_code == 200 and mock.calls[-1].action == "DescribeRegions"

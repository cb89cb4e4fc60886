"""The request path's shortcuts (stop 22, benchmarks/engine_cachegrind.py) answer as the long way did: the intercepted
URL's match kept per "scheme://host/", the shared store's runs again after ``Moved``, the call record's parameters."""
from __future__ import annotations

import json

import requests

from mockecs.engine import core
from mockecs.engine.shared import Moved
from mockecs.modes.mock import MockECS
from tests.sdk import new_client


def _code(resp: requests.Response) -> str:
    return json.loads(resp.content).get("Code", "")


def test_the_match_kept_per_host_answers_as_the_pattern():
    with MockECS(passthrough=False) as mock:
        ecs = "https://ecs.cn-hangzhou.aliyuncs.com/?Action=DescribeRegions&Version=2014-05-26&Format=JSON"
        for _ in range(2):  # (the second time from what was kept)
            assert requests.post(ecs).status_code == 200
            resp = requests.post("https://sts.aliyuncs.com/?Action=AssumeRole&Format=JSON")
            # another product: its own refusal, not the engine's answer
            assert resp.status_code == 400 and _code(resp) == "InvalidAction.NotImplemented" and "sts API" in resp.text
            try:
                requests.post("https://example.com/")  # nobody's: the network, which passthrough=False shuts
                raise AssertionError("example.com answered")
            except requests.exceptions.ConnectionError:
                pass
        assert [c.action for c in mock.calls] == ["DescribeRegions", "DescribeRegions"]
        # A URL with no "/" after its host (the head is the whole URL) and a port: the same answers.
        assert requests.post("https://ECS.aliyuncs.com:443?Action=DescribeRegions&Version=2014-05-26").status_code \
            == 200
        assert mock.calls[-1].action == "DescribeRegions"


def test_hosts_holding_a_slash_are_matched_whole():
    # (cut at its first "/", this URL would be nobody's: the network, which passthrough=False shuts)
    with MockECS(hosts=["localhost:9999/ecs"], passthrough=False) as mock:
        resp = requests.post("http://localhost:9999/ecs?Action=DescribeRegions&Version=2014-05-26&Format=JSON")
        assert resp.status_code == 200 and mock.calls[-1].action == "DescribeRegions"


def test_a_request_the_shared_state_moved_under_runs_again(monkeypatch):
    with MockECS() as mock:
        engine = mock.engine
        real, runs = engine._dispatch, []

        def moved_twice(req, request_id, seen):
            runs.append(dict(seen))
            if len(runs) <= 2:
                raise Moved()
            return real(req, request_id, seen)

        monkeypatch.setattr(engine, "_dispatch", moved_twice)
        client = new_client()
        from alibabacloud_ecs20140526 import models

        assert client.describe_regions(models.DescribeRegionsRequest()).body.regions.region
        assert len(runs) == 3 and "moved" not in runs[0] and runs[1]["moved"] and runs[2]["moved"]
        assert mock.calls[-1].status == 200


def test_a_request_that_always_moves_answers_500_after_every_attempt(monkeypatch):
    with MockECS() as mock:
        runs = []

        def always(req, request_id, seen):
            runs.append(1)
            raise Moved()

        monkeypatch.setattr(mock.engine, "_dispatch", always)
        resp = requests.post("https://ecs.aliyuncs.com/?Action=DescribeRegions&Version=2014-05-26&Format=JSON")
        assert resp.status_code == 500 and _code(resp) == "InternalError" and "(Moved)" in resp.text
        assert len(runs) == core.MOVED_ATTEMPTS and mock.calls[-1].error_code == "InternalError"


def test_the_call_record_keeps_the_parameters_sent():
    with MockECS() as mock:
        url = "https://ecs.aliyuncs.com/?Action=DescribeRegions&Version=2014-05-26&Format=JSON&AcceptLanguage=en-US"
        requests.post(url)
        requests.post(url.replace("en-US", "ja"))
        first, second = mock.calls
        assert first.params["AcceptLanguage"] == "en-US" and second.params["AcceptLanguage"] == "ja"
        assert first.params is not second.params and first.to_dict()["params"] == first.params

import json
import shutil
import subprocess

import pytest

# The "tool under test": a script that uses the current SDK against $ECS_ENDPOINT.
TOOL = r"""
import json, os
from urllib.parse import urlsplit
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.utils_models import Config

url = urlsplit(os.environ["ECS_ENDPOINT"])
client = Client(Config(access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                       access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                       region_id="cn-hangzhou", endpoint=url.netloc, protocol=url.scheme))
zones = client.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
print(json.dumps([z.zone_id for z in zones.body.zones.zone]))
"""


def test_sdk_in_a_subprocess(python, server_env, ecs_server):
    out = subprocess.run([python, "-c", TOOL], env=server_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert all(z.startswith("cn-hangzhou-") for z in json.loads(out.stdout))
    assert [c.action for c in ecs_server.engine.calls] == ["DescribeZones"]


def test_requests_in_a_subprocess(python, server_env, ecs_server):
    script = ("import os, requests; r = requests.get(os.environ['ECS_ENDPOINT'], params={'Action': "
              "'DescribeRegions', 'Version': '2014-05-26', 'Format': 'JSON'}); print(r.status_code, r.text)")
    out = subprocess.run([python, "-c", script], env=server_env, capture_output=True, text=True, timeout=60)
    status, body = out.stdout.split(" ", 1)
    assert status == "200" and json.loads(body)["Regions"]["Region"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_sees_injected_faults(ecs_server):
    ecs_server.engine.inject("DescribeRegions", code="Throttling")
    url = ecs_server.url + "/?Action=DescribeRegions&Version=2014-05-26&Format=JSON"
    out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", url], capture_output=True, text=True, timeout=60)
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "400" and json.loads(body)["Code"] == "Throttling"


def test_state_is_fresh(ecs_server):
    assert ecs_server.engine.calls == [] and ecs_server.engine.faults == []

"""``HTTPS_PROXY=http://127.0.0.1:PORT``: unchanged HTTPS code of both Python SDKs and the Node SDK reaches
``mockecs server`` through ``CONNECT``, trusting the mockecs CA (``mockecs.modes.server.proxy``, ``tls``).

Each client runs in a subprocess of its own with nothing but environment variables telling it about the
fake, exactly as a user's program would.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
from typing import Iterator

import certifi
import pytest
import requests

from mockecs.modes.server import ServerThread
from mockecs.modes.server.tls import authority, ca_cert_path
from tests.test_node_sdk import NODE, NODE_DIR
from tests.test_server import ServerProcess

CLIENT = r'''
import asyncio, json, sys
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.DescribeZonesRequest import DescribeZonesRequest

out = {}
ecs = Client(Config(access_key_id="proxy-key", access_key_secret="proxy-secret", region_id="cn-beijing"))
for what in sys.argv[1:]:
    try:
        if what == "sync":  # the current SDK's default: HTTPS through requests
            body = ecs.run_instances(models.RunInstancesRequest(region_id="cn-beijing", instance_type="ecs.g7.large",
                image_id="aliyun_3_x64_20G_alibase_20240819.vhd")).body
            out[what] = body.instance_id_sets.instance_id_set
        elif what == "async":  # through aiohttp
            resp = asyncio.run(ecs.describe_regions_async(models.DescribeRegionsRequest()))
            out[what] = [r.region_id for r in resp.body.regions.region]
        elif what == "old":  # the old SDK, told to use HTTPS
            request = DescribeZonesRequest()
            request.set_protocol_type("https")
            request.set_accept_format("json")
            answer = AcsClient("old-key", "old-secret", "cn-shanghai").do_action_with_exception(request)
            out[what] = [z["ZoneId"] for z in json.loads(answer)["Zones"]["Zone"]]
    except Exception as err:
        out[what] = "error: " + str(err)[-400:]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    authority()  # the CA exists before a client is told to trust it (the server would make the same one)
    srv = ServerProcess(log_path=str(tmp_path_factory.mktemp("proxy") / "server.log"))
    yield srv
    assert srv.stop() == 0


def run_client(tmp_path, env: dict, *what: str) -> dict:
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    proc = subprocess.run([sys.executable, str(script), *what], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def calls(server) -> list[dict]:
    return requests.get(server.url + "/_mockecs/calls", timeout=10).json()


def test_python_sdks_through_https_proxy(server, tmp_path):
    requests.post(server.url + "/_mockecs/reset", timeout=10).raise_for_status()
    ca = ca_cert_path()
    # The current SDK verifies against certifi's bundle alone (see tls.add_to_bundle): trust the CA there, in a
    # copy of certifi that shadows the installed one for this client only, with the `mockecs ca` command.
    shadow = tmp_path / "site"
    shutil.copytree(os.path.dirname(certifi.__file__), shadow / "certifi")
    bundle = subprocess.run([sys.executable, "-m", "mockecs", "ca", "--bundle"], capture_output=True, text=True,
                            timeout=60).stdout.strip()  # public CAs + ours: SSL_CERT_FILE keeps real hosts working
    with open(bundle) as fh, open(ca) as mine, open(certifi.where()) as public:
        text = fh.read()
        assert mine.read().strip() in text and public.read().split("-----END CERTIFICATE-----")[0] in text
    env = {"HTTPS_PROXY": server.url, "PYTHONPATH": str(shadow), "SSL_CERT_FILE": bundle,
           "ALIBABA_CLOUD_CA_BUNDLE": ca}
    untrusted = run_client(tmp_path, env, "sync")
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted["sync"]  # nothing is trusted by accident
    trust = subprocess.run([sys.executable, "-m", "mockecs", "ca", "--trust-certifi"], env={**os.environ, **env},
                           capture_output=True, text=True, timeout=60)
    assert trust.returncode == 0 and str(shadow) in trust.stderr, trust.stderr

    out = run_client(tmp_path, env, "sync", "async", "old")
    assert out["sync"][0].startswith("i-2z"), out  # launched in cn-beijing, named for the host the SDK chose
    assert {"cn-hangzhou", "eu-central-1"} <= set(out["async"]), out
    assert "cn-shanghai-g" in out["old"], out
    seen = [(c["action"], c["region"], c["status"]) for c in calls(server)]
    assert seen == [("RunInstances", "cn-beijing", 200), ("DescribeRegions", "cn-beijing", 200),
                    ("DescribeZones", "cn-shanghai", 200)]
    assert [c["params"].get("AccessKeyId") for c in calls(server)][-1] == "old-key"


@pytest.mark.skipif(NODE is None or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "global-agent")),
                    reason="node or tests/node/node_modules is missing: run tests/node/install.sh")
def test_node_sdk_through_https_proxy(server):
    """Node's own http module reads no proxy variables (before Node 24): ``global-agent``, preloaded with
    ``NODE_OPTIONS``, is how unchanged Node code gets a proxy; ``NODE_EXTRA_CA_CERTS`` trusts the CA."""
    requests.post(server.url + "/_mockecs/reset", timeout=10).raise_for_status()
    # The flow's deleteMissingImage expects the documented 404: the option that keeps it (issue 13's default
    # ignores a missing id), set on the running server.
    requests.patch(server.url + "/_mockecs/config", json={"options": {"delete_missing_image": "error"}},
                   timeout=10).raise_for_status()
    env = {**os.environ, "HTTPS_PROXY": server.url, "NODE_EXTRA_CA_CERTS": ca_cert_path(),
           "NODE_OPTIONS": "-r global-agent/bootstrap", "GLOBAL_AGENT_ENVIRONMENT_VARIABLE_NAMESPACE": ""}
    proc = subprocess.run([NODE, "flow.js", "https://ecs.cn-hangzhou.aliyuncs.com"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=NODE_DIR)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["createImage"]["imageId"].startswith("m-") and out["describeOwnImage"]["status"] == "Available"
    assert out["deleteMissingImage"] == {**out["deleteMissingImage"], "error": "InvalidImageId.NotFound",
                                         "statusCode": 404}
    requests.patch(server.url + "/_mockecs/config", json={"options": {"delete_missing_image": "ignore"}},
                   timeout=10).raise_for_status()
    actions = [c["action"] for c in calls(server)]
    assert actions[:2] == ["DescribeRegions", "DescribeZones"] and "CreateImage" in actions


def _connect(url: str, target: str) -> bytes:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data


def test_connect_to_other_hosts_refused_and_not_recorded():
    with ServerThread() as srv:
        for target in ("example.com:443", "aliyuncs.com.evil.test:443", "127.0.0.1:22"):
            answer = _connect(srv.url, target)
            assert answer.startswith(b"HTTP/1.1 403 "), answer
        assert _connect(srv.url, "no-port").startswith(b"HTTP/1.1 400 ")
        for port in ("9" * 5000, "\u00b2", "65536"):  # (a port int() refuses, or out of range: 400, not a crash)
            assert _connect(srv.url, f"ecs.aliyuncs.com:{port}").startswith(b"HTTP/1.1 400 "), port
        assert _connect(srv.url, "oss-cn-hangzhou.aliyuncs.com:443").startswith(b"HTTP/1.1 200 ")
        with pytest.raises(requests.exceptions.ProxyError, match="403"):
            requests.get("https://example.com/", proxies={"https": srv.url}, timeout=10)
        # plain requests on the same port are untouched, keep-alive included
        with requests.Session() as session:
            for _ in range(2):
                assert session.get(srv.url + "/_mockecs/health", timeout=10).json()["status"] == "ok"
        assert srv.engine.calls == []


def test_tunnel_serves_keep_alive_and_control_api():
    with ServerThread(threads=2) as srv, requests.Session() as session:
        session.trust_env = False  # a REQUESTS_CA_BUNDLE in the environment would win over session.verify
        session.proxies = {"https": srv.url}
        session.verify = authority().cert_path
        for region in ("cn-hangzhou", "eu-central-1", "cn-hangzhou"):
            resp = session.get(f"https://ecs.{region}.aliyuncs.com/",
                               params={"Action": "DescribeZones", "Version": "2014-05-26", "RegionId": region,
                                       "Format": "JSON"},
                               timeout=10)
            assert resp.status_code == 200 and resp.json()["Zones"]["Zone"][0]["ZoneId"].startswith(region)
        posted = session.post("https://ecs.aliyuncs.com/", timeout=10,
                              data={"Action": "DescribeRegions", "Version": "2014-05-26", "Format": "XML"})
        assert posted.status_code == 200 and posted.text.startswith("<?xml")
        bad = session.get("https://ecs.aliyuncs.com/?Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId=x",
                          timeout=10)
        assert bad.status_code in (400, 404) and bad.json()["HostId"] == "ecs.aliyuncs.com"
        assert session.get("https://ecs.aliyuncs.com/_mockecs/health", timeout=10).json()["status"] == "ok"
        # other products (tunnelled or plain-HTTP proxied) are named, not faked, and are not ECS calls
        sts = session.get("https://sts.aliyuncs.com/?Action=GetCallerIdentity&Format=JSON", timeout=10)
        slb = requests.get("http://slb.cn-shanghai.aliyuncs.com:80/?Action=DescribeLoadBalancers&Format=JSON",
                           proxies={"http": srv.url}, timeout=10)
        for resp, product in ((sts, "sts"), (slb, "slb")):
            assert resp.status_code == 400 and resp.json()["Code"] == "InvalidAction.NotImplemented"
            assert f"the {product} API at" in resp.json()["Message"]
        assert len(srv.engine.calls) == 5
        # the VPC product's API is answered by the engine, like ECS
        vpc = requests.get("http://vpc.cn-shanghai.aliyuncs.com:80/?Action=DescribeVpcs&Version=2016-04-28"
                           "&Format=JSON&RegionId=cn-shanghai", proxies={"http": srv.url}, timeout=10)
        last = srv.engine.calls[-1]
        assert last.action == "DescribeVpcs" and vpc.json()["RequestId"] == last.request_id


@contextlib.contextmanager
def _tunnel(srv: ServerThread, target: str) -> Iterator[ssl.SSLSocket]:
    """A TLS connection to ``target`` through the server's CONNECT, trusting the mockecs CA."""
    host, port = srv.url.split("://", 1)[1].rsplit(":", 1)
    context = ssl.create_default_context(cafile=authority().cert_path)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"CONNECT {target}:443 HTTP/1.1\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        with context.wrap_socket(sock, server_hostname=target) as tls:
            yield tls


def test_certificate_is_for_the_host_and_signed_by_the_ca():
    with ServerThread() as srv:
        with _tunnel(srv, "vpc.cn-shanghai.aliyuncs.com") as tls:
            names = [v for k, v in tls.getpeercert()["subjectAltName"] if k == "DNS"]
        assert names == ["vpc.cn-shanghai.aliyuncs.com"]
        host, port = srv.url.split("://", 1)[1].rsplit(":", 1)
        context = ssl.create_default_context(cafile=authority().cert_path)
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"CONNECT ecs.aliyuncs.com:443 HTTP/1.1\r\n\r\n")
            sock.recv(4096)
            with pytest.raises(ssl.SSLCertVerificationError):  # a certificate for one host only
                context.wrap_socket(sock, server_hostname="other.aliyuncs.com")


def test_ca_made_once_and_shared(tmp_path):
    from mockecs.modes.server.tls import CertificateAuthority

    first = CertificateAuthority.load_or_create(str(tmp_path))
    again = CertificateAuthority.load_or_create(str(tmp_path))
    assert first.cert == again.cert and first.cert_path == str(tmp_path / "mockecs-ca.pem")
    assert oct(os.stat(tmp_path / "mockecs-ca-key.pem").st_mode & 0o777) == "0o600"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary file left behind


def _in_tunnel(srv: ServerThread, request: bytes) -> bytes:
    """``request`` sent as is inside a TLS tunnel to ecs.aliyuncs.com; the first answer's bytes."""
    with _tunnel(srv, "ecs.aliyuncs.com") as tls:
        tls.sendall(request)
        return tls.recv(4096)


def test_bad_body_framing_in_a_tunnel_is_a_400():
    """A Content-Length int() refuses (5,000 digits, a superscript digit) or a chunk size that is not
    hexadecimal: 400, the tunnel's handler does not fail; a good request still answers."""
    with ServerThread() as srv:
        head = b"POST /?Action=DescribeRegions&Version=2014-05-26 HTTP/1.1\r\nHost: ecs.aliyuncs.com\r\n"
        for framing in (b"Content-Length: " + b"9" * 5000, "Content-Length: \u00b2".encode(),
                        b"Transfer-Encoding: chunked\r\n\r\nzz"):
            answer = _in_tunnel(srv, head + framing + b"\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 400 "), (framing[:40], answer[:80])
        good = _in_tunnel(srv, head + b"Content-Length: 0\r\n\r\n")
        assert good.startswith(b"HTTP/1.1 200 ") and [c.action for c in srv.engine.calls] == ["DescribeRegions"]

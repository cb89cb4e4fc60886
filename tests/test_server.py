"""``mockecs server``: both Python SDKs over HTTP, HTTPS, proxy mode, the control API, SQLite persistence."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings

import pytest
import requests

from mockecs.modes.clients import server_client, server_legacy_client
from mockecs.modes.server import ServerThread

QUERY = "?Action=DescribeRegions&Version=2014-05-26&Format=JSON"
AK, SK = "test-access-key-id", "test-access-key-secret"


class ServerProcess:
    """``python -m mockecs server --port 0 ...`` in a subprocess; the URL comes from its first line."""

    def __init__(self, *args: str, log_path: str) -> None:
        self.args = args
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "mockecs", "server", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(60)
        if not line or "serving on" not in line[0]:
            self.proc.kill()
            self.log.close()
            raise AssertionError(f"server did not start: {line!r}, see {log_path}: "
                                 + open(log_path, encoding="utf-8", errors="replace").read()[-2000:])
        self.line = line[0].rstrip("\n")
        self.url = line[0].split("serving on ", 1)[1].split()[0]
        self.netloc = self.url.split("://", 1)[1]
        token_line = self.proc.stdout.readline()  # the second line: the control API's token
        assert token_line.startswith("mockecs control token: "), token_line
        self.token = token_line.split(": ", 1)[1].split()[0]
        self.auth = {"X-Mockecs-Token": self.token}  # needed off loopback and in strict mode

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(15)
        finally:
            self.proc.stdout.close()
            self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(log_path=str(tmp_path_factory.mktemp("server") / "server.log"))
    yield srv
    assert srv.stop() == 0


@pytest.fixture
def clean(server):
    requests.post(server.url + "/_mockecs/reset", timeout=10).raise_for_status()
    return server


def new_client(netloc: str, protocol: str = "HTTP", **config):
    return server_client(f"{protocol.lower()}://{netloc}", config.pop("ak", AK), config.pop("sk", SK), **config)


def regions_new_sdk(netloc: str, protocol: str = "HTTP", runtime=None, **config) -> list[str]:
    from alibabacloud_ecs20140526 import models
    from darabonba.runtime import RuntimeOptions

    client = new_client(netloc, protocol, **config)
    resp = client.describe_regions_with_options(models.DescribeRegionsRequest(), runtime or RuntimeOptions())
    assert resp.status_code == 200
    return [r.region_id for r in resp.body.regions.region]


def regions_old_sdk(netloc: str, ak: str = AK, sk: str = SK) -> list[str]:
    from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest

    from tests.sdk import legacy_call

    request = DescribeRegionsRequest()
    request.set_accept_format("json")
    body = legacy_call(server_legacy_client(f"http://{netloc}", ak, sk), request)
    return [r["RegionId"] for r in body["Regions"]["Region"]]


# -- the SDKs over HTTP -----------------------------------------------------------------
def test_new_sdk_over_http(clean):
    assert "cn-hangzhou" in regions_new_sdk(clean.netloc)
    calls = requests.get(clean.url + "/_mockecs/calls", timeout=10).json()
    assert [c["action"] for c in calls] == ["DescribeRegions"] and calls[0]["status"] == 200


def test_old_sdk_over_http(clean):
    assert "eu-central-1" in regions_old_sdk(clean.netloc)
    calls = requests.get(clean.url + "/_mockecs/calls?action=DescribeRegions", timeout=10).json()
    assert calls[0]["params"]["AccessKeyId"] == AK


def test_keep_alive_and_any_host(clean):
    with requests.Session() as session:
        for host in ("ecs.cn-beijing.aliyuncs.com", "example.test", "localhost:1"):
            resp = session.get(clean.url + "/" + QUERY + "&RegionId=x", headers={"Host": host}, timeout=10)
            assert resp.status_code in (400, 404) and resp.json()["HostId"] == host  # bad RegionId, for that host
        resp = session.post(clean.url + "/", data={"Action": "DescribeRegions", "Version": "2014-05-26",
                                                   "Format": "XML"}, timeout=10)
        assert resp.status_code == 200 and resp.text.startswith("<?xml") and "<RegionId>" in resp.text
        assert resp.headers["Content-Length"] == str(len(resp.content))


def test_proxy_mode_absolute_form(clean):
    """``HTTP_PROXY=http://127.0.0.1:PORT``: the request target is an absolute URL naming the real host."""
    resp = requests.get("http://ecs.cn-hangzhou.aliyuncs.com/" + QUERY,
                        proxies={"http": clean.url, "https": clean.url}, timeout=10)
    assert resp.status_code == 200 and "cn-qingdao" in {r["RegionId"] for r in resp.json()["Regions"]["Region"]}
    zones = "http://ecs.cn-beijing.aliyuncs.com/?Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId="
    resp = requests.get(zones + "cn-beijing", proxies={"http": clean.url}, timeout=10)
    assert resp.status_code == 200 and "cn-beijing-g" in {z["ZoneId"] for z in resp.json()["Zones"]["Zone"]}
    resp = requests.get(zones + "nowhere", proxies={"http": clean.url}, timeout=10)
    assert resp.json()["HostId"] == "ecs.cn-beijing.aliyuncs.com"  # the engine saw the proxied host
    health = requests.get("http://anything.example/_mockecs/health", proxies={"http": clean.url}, timeout=10)
    assert health.json()["status"] == "ok"


# -- the control API ------------------------------------------------------------------------
def test_control_health_and_errors(clean):
    url = clean.url + "/_mockecs/"
    assert requests.get(url + "health", timeout=10).json()["status"] == "ok"
    missing = requests.get(url + "nope", timeout=10)
    assert missing.status_code == 404 and "error" in missing.json()
    assert requests.get(url + "reset", timeout=10).status_code == 405
    bad = requests.post(url + "faults", data="{not json", timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()
    assert requests.post(url + "faults", json={"action": "X", "bogus": 1}, timeout=10).status_code == 400
    assert requests.post(url + "clock/advance", json={}, timeout=10).status_code == 400
    assert requests.post(url + "transitions", json={"transitions": "slow"}, timeout=10).status_code == 400


def test_control_faults_reach_the_sdk(clean):
    from Tea.exceptions import TeaException

    url = clean.url + "/_mockecs/faults"
    fault = requests.post(url, json={"action": "DescribeRegions", "code": "Throttling", "status": 400, "times": 1},
                          timeout=10).json()
    assert fault["code"] == "Throttling" and fault["times"] == 1
    assert len(requests.get(url, timeout=10).json()) == 1
    with pytest.raises(TeaException) as err:
        regions_new_sdk(clean.netloc)
    assert err.value.code == "Throttling"
    assert regions_new_sdk(clean.netloc)  # times=1: used up
    requests.post(url, json={"code": "ServiceUnavailable", "status": 503, "times": None}, timeout=10)
    assert requests.get(clean.url + "/" + QUERY, timeout=10).status_code == 503
    assert requests.delete(url, timeout=10).json() == {"faults": []}
    assert requests.get(clean.url + "/" + QUERY, timeout=10).status_code == 200
    calls = requests.get(clean.url + "/_mockecs/calls", timeout=10).json()
    assert [c["error_code"] for c in calls] == ["Throttling", None, "ServiceUnavailable", None]
    requests.delete(clean.url + "/_mockecs/calls", timeout=10)
    assert requests.get(clean.url + "/_mockecs/calls", timeout=10).json() == []


def test_control_state_export_import(clean):
    url = clean.url + "/_mockecs/state"
    empty = requests.get(url, timeout=10).json()
    assert empty["store"] == {} and empty["clock_offset"] == 0
    state = {"store": {"image": {"m-1": {"record": {"ImageId": "m-1", "ImageName": "imported"},
                                         "terms": [["owner", "1234567890123456"]]}}},
             "accounts": {"accounts": ["2222222222222222"],
                          "keys": [{"account_id": "2222222222222222", "access_key_id": "k2",
                                    "access_key_secret": "s2", "security_token": None}]},
             "clock_offset": 3600}
    assert requests.post(url, json=state, timeout=10).json() == {"imported": 1}
    exported = requests.get(url, timeout=10).json()
    assert exported["store"] == state["store"]
    assert "2222222222222222" in exported["accounts"]["accounts"]
    assert abs(exported["clock_offset"] - 3600) < 1e-6
    # merge keeps what the dump lacks; replace (the default) drops it
    other = {"store": {"image": {"m-2": {"record": {"ImageId": "m-2"}, "terms": []}}}}
    requests.post(url + "?mode=merge", json=other, timeout=10).raise_for_status()
    assert set(requests.get(url, timeout=10).json()["store"]["image"]) == {"m-1", "m-2"}
    requests.post(url, json=other, timeout=10).raise_for_status()
    assert set(requests.get(url, timeout=10).json()["store"]["image"]) == {"m-2"}
    requests.post(clean.url + "/_mockecs/reset", timeout=10)
    assert requests.get(url, timeout=10).json()["store"] == {}


def test_control_accounts_clock_transitions(clean):
    url = clean.url + "/_mockecs/"
    cred = requests.post(url + "accounts", json={"account_id": "3333333333333333", "access_key_id": "k3",
                                                 "access_key_secret": "s3"}, timeout=10).json()
    assert cred["account_id"] == "3333333333333333"
    assert "3333333333333333" in requests.get(url + "accounts", timeout=10).json()["accounts"]
    assert requests.post(url + "accounts", json={"account_id": "12"}, timeout=10).status_code == 400
    before = requests.post(url + "clock/advance", json={"seconds": 0}, timeout=10).json()["now"]
    moved = requests.post(url + "clock/advance", json={"seconds": 86400}, timeout=10).json()
    # `mockecs server`'s clock runs with wall time (clock=auto): it moved by what was asked plus the
    # moments between the two calls.
    assert moved["offset"] == 86400 and 86400 <= moved["now"] - before < 86400 + 10
    got = requests.post(url + "transitions", json={"transitions": "realistic",
                                                   "delays": {"image": {"seconds": 5}},
                                                   "fail_next": {"copy": {"message": "boom", "count": 2}}},
                        timeout=10).json()
    assert got["transitions"] == got["mode"] == "realistic"
    assert got["by_kind"]["image"]["seconds"] == 5 and got["next_failures"] == {"copy": ["boom", "boom"]}
    assert requests.get(url + "transitions", timeout=10).json()["transitions"] == "realistic"
    requests.post(url + "transitions", json={"transitions": "instant"}, timeout=10)



def test_control_transitions_as_the_readme_documents(clean):
    """The README's body (``"mode"``, ``"fail"`` as a list) applies; a misspelt key is refused, not ignored."""
    from alibabacloud_ecs20140526 import models

    url = clean.url + "/_mockecs/"
    client = new_client(clean.netloc)
    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    try:
        got = requests.post(url + "transitions", json={"mode": "realistic", "delays": {"image": {"seconds": 30}},
                                                       "fail": ["m-not-yet-made"]}, timeout=10)
        assert got.status_code == 200, got.text
        assert got.json()["mode"] == got.json()["transitions"] == "realistic"
        assert got.json()["failures"] == {"m-not-yet-made": "Injected failure."}
        image_id = client.create_image(models.CreateImageRequest(
            region_id="cn-hangzhou", instance_id=instance_id, image_name="readme-transitions")).body.image_id

        def status() -> str:
            return client.describe_images(models.DescribeImagesRequest(
                region_id="cn-hangzhou", image_id=image_id, status="Creating,Available")).body.images.image[0].status

        assert status() == "Creating"
        requests.post(url + "clock/advance", json={"seconds": 31}, timeout=10).raise_for_status()
        assert status() == "Available"
        for bad in ({"mdoe": "realistic"}, {"mode": "slow"}, {"mode": "instant", "transitions": "realistic"},
                    {"delays": {"image": 30}}, {"fail": "m-1"}, {"fail_next": {"image": 2}}):
            answer = requests.post(url + "transitions", json=bad, timeout=10)
            assert answer.status_code == 400 and "error" in answer.json(), bad
        assert requests.get(url + "transitions", timeout=10).json()["mode"] == "realistic"
    finally:
        requests.post(url + "transitions", json={"mode": "instant"}, timeout=10).raise_for_status()
    assert requests.get(url + "health", timeout=10).json()["transitions"] == "instant"


# -- HTTPS -------------------------------------------------------------------------------
def test_https_self_signed(tmp_path, monkeypatch):
    pytest.importorskip("cheroot", reason="the server-https extra is not installed")
    from darabonba.runtime import RuntimeOptions

    from mockecs.modes.server.tls import ca_cert_path

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    srv = ServerProcess("--https", log_path=str(tmp_path / "https.log"))
    try:
        assert srv.url.startswith("https://")
        # the certificate is signed by the mockecs CA: trusting it is enough
        assert requests.get(srv.url + "/" + QUERY, verify=ca_cert_path(), timeout=10).status_code == 200
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert "cn-hangzhou" in regions_new_sdk(srv.netloc, "HTTPS", RuntimeOptions(ignore_ssl=True))
            assert requests.get(srv.url + "/" + QUERY, verify=False, timeout=10).status_code == 200
        with pytest.raises(Exception, match="(?i)certificate|ssl"):
            regions_new_sdk(srv.netloc, "HTTPS")  # the SDK does verify by default
        out = subprocess.run(["curl", "-sk", srv.url + "/_mockecs/health"], capture_output=True, text=True,
                             timeout=30) if _has("curl") else None
        if out is not None:
            assert json.loads(out.stdout)["status"] == "ok"
    finally:
        assert srv.stop() == 0
    # no private key left behind in a temporary directory (it was there only while being loaded)
    left = [p for p in temp.rglob("*") if p.is_file() and b"PRIVATE KEY" in p.read_bytes()]
    assert left == [] and list(temp.iterdir()) == []


def test_https_with_given_certificate_verifies(tmp_path):
    pytest.importorskip("cheroot", reason="the server-https extra is not installed")
    from mockecs.modes.server.tls import server_certificate

    cert, key = server_certificate(["127.0.0.1"], directory=str(tmp_path))
    with ServerThread(https=True, certfile=cert, keyfile=key) as srv:
        assert srv.url.startswith("https://127.0.0.1:")
        assert "cn-hangzhou" in regions_new_sdk(srv.netloc, "HTTPS", ca=cert)
        assert requests.get(srv.url + "/" + QUERY, verify=cert, timeout=10).status_code == 200


def _has(program: str) -> bool:
    return any(os.access(os.path.join(d, program), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))


# -- strict signatures with an accounts file ------------------------------------------------------
def test_accounts_file_and_strict_signatures(tmp_path):
    from Tea.exceptions import TeaException

    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [{"account_id": "4444444444444444", "access_key_id": "k4",
                                                  "access_key_secret": "s4", "security_token": None}]}))
    srv = ServerProcess("--strict-signatures", "--accounts-file", str(accounts), "--region", "cn-beijing",
                        log_path=str(tmp_path / "strict.log"))
    try:
        assert regions_new_sdk(srv.netloc, ak="k4", sk="s4")
        assert regions_old_sdk(srv.netloc, "k4", "s4")
        with pytest.raises(TeaException) as err:
            regions_new_sdk(srv.netloc, ak="k4", sk="wrong")
        assert "Signature" in err.value.code
        assert requests.post(srv.url + "/_mockecs/reset", timeout=10).status_code == 401  # strict: token needed
        requests.post(srv.url + "/_mockecs/reset", headers=srv.auth, timeout=10)  # accounts from the file stay
        assert regions_new_sdk(srv.netloc, ak="k4", sk="s4")
        calls = requests.get(srv.url + "/_mockecs/calls", headers=srv.auth, timeout=10).json()
        assert calls[-1]["account"] == "4444444444444444"
    finally:
        assert srv.stop() == 0


# -- ServerThread -----------------------------------------------------------------------------
def test_server_thread_start_stop_frees_the_port():
    from mockecs.engine.core import Engine

    engine = Engine()
    with ServerThread(engine=engine) as srv:
        assert srv.engine is engine and srv.url.startswith("http://127.0.0.1:")
        with requests.Session() as session:  # a keep-alive connection still open at stop()
            assert session.get(srv.url + "/" + QUERY, timeout=10).status_code == 200
            port = srv.port
            srv.stop()
            with pytest.raises(requests.ConnectionError):
                session.get(srv.url if srv.server else f"http://127.0.0.1:{port}/" + QUERY, timeout=5)
    assert len(engine.calls) == 1
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))  # released


# -- SQLite persistence ------------------------------------------------------------------------
STATE = {"store": {"image": {"m-persist": {"record": {"ImageId": "m-persist", "Status": "Available"},
                                           "terms": [["owner", "1234567890123456"], ["name", "persisted"]]}}}}


@pytest.mark.parametrize("how", ["restart", "kill-9"])
def test_sqlite_state_survives(tmp_path, how):
    pytest.importorskip("mockecs_sqlite", reason="plugins/mockecs-sqlite is not installed")
    store = f"sqlite:///{tmp_path / 'state.db'}"
    log = str(tmp_path / "server.log")
    srv = ServerProcess("--store", store, log_path=log)
    resp = requests.post(srv.url + "/_mockecs/state", json=STATE, timeout=10)
    assert resp.status_code == 200  # acknowledged
    if how == "kill-9":
        assert srv.stop(signal.SIGKILL) == -signal.SIGKILL
    else:
        assert srv.stop() == 0
    srv = ServerProcess("--store", store, log_path=log)
    try:
        assert requests.get(srv.url + "/_mockecs/state", timeout=10).json()["store"] == STATE["store"]
        assert regions_new_sdk(srv.netloc)  # and the API answers on the reopened store
        requests.post(srv.url + "/_mockecs/reset", timeout=10)
        assert requests.get(srv.url + "/_mockecs/state", timeout=10).json()["store"] == {}
    finally:
        assert srv.stop() == 0


def test_unknown_store_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mockecs", "server", "--port", "0", "--store", "nosuch://x"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "nosuch://x" in proc.stderr


def test_missing_sqlite_plugin_names_the_plugin(monkeypatch):
    """Without mockecs-sqlite installed, ``--store sqlite://`` says which plugin to install."""
    from click.testing import CliRunner

    import mockecs.engine.core
    from mockecs.modes.cli import main

    def no_plugin(config):
        raise ValueError(f"no installed mockecs store plugin handles {config.store!r}")

    monkeypatch.setattr(mockecs.engine.core, "Engine", no_plugin)
    result = CliRunner().invoke(main, ["server", "--port", "0", "--store", "sqlite:///state.db"])
    assert result.exit_code == 2 and "mockecs-sqlite" in result.output, result.output


def test_sqlite_keeps_api_resources_accounts_and_clock_across_kill_9(tmp_path):
    """What the API created, a key registered at run time and the mock clock all survive kill -9."""
    pytest.importorskip("mockecs_sqlite", reason="plugins/mockecs-sqlite is not installed")
    from alibabacloud_ecs20140526 import models

    store = f"sqlite:///{tmp_path / 'state.db'}"
    log = str(tmp_path / "server.log")
    srv = ServerProcess("--store", store, "--strict-signatures", log_path=log)
    try:
        account = {"account_id": "4444333322221111", "access_key_id": "late-key", "access_key_secret": "late-secret"}
        assert requests.post(srv.url + "/_mockecs/accounts", json=account, headers=srv.auth,
                             timeout=10).status_code == 200
        requests.post(srv.url + "/_mockecs/clock/advance", json={"seconds": 7200}, headers=srv.auth,
                      timeout=10).raise_for_status()
        client = new_client(srv.netloc, ak="late-key", sk="late-secret")
        run = client.run_instances(models.RunInstancesRequest(
            region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
        instance_id = run.body.instance_id_sets.instance_id_set[0]
        image_id = client.create_image(models.CreateImageRequest(
            region_id="cn-hangzhou", instance_id=instance_id, image_name="survivor")).body.image_id
    finally:
        assert srv.stop(signal.SIGKILL) == -signal.SIGKILL  # right after the acknowledged writes
    srv = ServerProcess("--store", store, "--strict-signatures", log_path=log)
    try:
        # The key still verifies in strict mode, the image and its instance are there, the clock kept its lead.
        client = new_client(srv.netloc, ak="late-key", sk="late-secret")
        images = client.describe_images(models.DescribeImagesRequest(
            region_id="cn-hangzhou", image_owner_alias="self")).body.images.image
        assert [(i.image_id, i.image_name, i.image_owner_id) for i in images] == [
            (image_id, "survivor", 4444333322221111)]
        instances = client.describe_instances(models.DescribeInstancesRequest(region_id="cn-hangzhou")).body
        assert [i.instance_id for i in instances.instances.instance] == [instance_id]
        state = requests.get(srv.url + "/_mockecs/state", headers=srv.auth, timeout=10).json()
        assert state["clock_offset"] >= 7200
        assert "late-key" in {k["access_key_id"] for k in state["accounts"]["keys"]}
    finally:
        assert srv.stop() == 0


# -- waitress: requests in the loop thread (default) or in a worker pool ----------------------
def _complete_answers(data: bytes) -> list[bytes]:
    """The whole HTTP answers at the start of ``data`` (each with a Content-Length)."""
    answers = []
    while b"\r\n\r\n" in data:
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
        if len(rest) < length:
            break
        answers.append(head + b"\r\n\r\n" + rest[:length])
        data = rest[length:]
    return answers


def _raw_exchange(netloc: str, data: bytes, expect: int, timeout: float = 20, read_after: float = 0) -> list[bytes]:
    """Send ``data`` at once on one connection; read (from ``read_after`` seconds on) until ``expect``
    whole answers arrived."""
    host, port = netloc.rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        time.sleep(read_after)
        while len(_complete_answers(received)) < expect:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            received += chunk
    return _complete_answers(received)


@pytest.mark.parametrize("threads", [None, 3])
def test_pipelined_requests_answer_in_order(threads):
    """Three requests in one TCP send (HTTP/1.1 pipelining): three answers, in request order."""
    with ServerThread(threads=threads) as srv:
        requests_ = b"".join(
            f"GET /?Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId={r} HTTP/1.1\r\n"
            f"Host: ecs.aliyuncs.com\r\n\r\n".encode() for r in ("cn-beijing", "nowhere-1", "cn-shanghai"))
        answers = _raw_exchange(srv.netloc, requests_, 3)
    assert [a[9:12] for a in answers] == [b"200", b"404", b"200"]
    assert b'"cn-beijing-' in answers[0] and b"InvalidRegionId.NotFound" in answers[1]
    assert b'"cn-shanghai-' in answers[2]


def test_large_answers_on_a_pipelined_connection():
    """Answers far above waitress' 16 MiB output watermark, pipelined, to a client that reads late:
    the loop thread must never wait for itself to drain the buffer."""
    from mockecs.engine.core import Config, Engine

    engine = Engine(Config(options={"image_quota": 10**6}))
    big = {"store": {"image": {f"m-big{i:06d}": {"record": {"ImageId": f"m-big{i:06d}", "Description": "x" * 3000},
                                                 "terms": []} for i in range(10_000)}}}
    engine.import_state(big)
    with ServerThread(engine=engine) as srv:
        head = f"GET /_mockecs/state HTTP/1.1\r\nHost: {srv.netloc}\r\n\r\n".encode()
        answers = _raw_exchange(srv.netloc, head * 2, 2, timeout=30, read_after=1.0)
        assert [a[9:12] for a in answers] == [b"200", b"200"] and min(map(len, answers)) > 30_000_000
        # the server still answers afterwards
        assert requests.get(srv.url + "/" + QUERY, timeout=10).status_code == 200


def test_worker_pool_keeps_other_clients_going_during_injected_latency():
    """With ``threads=N`` a request sleeping on injected latency does not hold up another client."""
    with ServerThread(threads=2) as srv:
        srv.engine.inject("DescribeZones", latency=1.5)
        slow = threading.Thread(target=lambda: requests.get(
            srv.url + "/?Action=DescribeZones&Version=2014-05-26&RegionId=cn-beijing", timeout=10))
        slow.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        assert requests.get(srv.url + "/" + QUERY, timeout=10).status_code == 200
        assert time.monotonic() - t0 < 1.0
        slow.join()


def test_sdks_through_the_loop_thread_server_answers_and_errors():
    """Both SDKs, sync and async, against the default (loop-thread) server: an answer, and a bad
    input answered with the documented code and status, never a 500."""
    import asyncio

    from alibabacloud_ecs20140526 import models
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest
    from Tea.exceptions import TeaException

    image_id = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
    with ServerThread() as srv:
        ecs = server_client(srv.url)
        found = ecs.describe_images(models.DescribeImagesRequest(region_id="cn-hangzhou", image_id=image_id))
        assert [i.image_id for i in found.body.images.image] == [image_id] and found.body.total_count == 1
        found = asyncio.run(ecs.describe_images_async(models.DescribeImagesRequest(region_id="cn-hangzhou",
                                                                                    image_id=image_id)))
        assert found.body.images.image[0].image_owner_alias == "system"
        bad = models.DescribeImagesRequest(region_id="cn-hangzhou", image_owner_alias="nobody")
        for call in (lambda: ecs.describe_images(bad), lambda: asyncio.run(ecs.describe_images_async(bad))):
            with pytest.raises(TeaException) as err:
                call()
            assert (err.value.code, err.value.status_code) == ("InvalidImageOwnerAlias.ValueNotSupported", 400)

        request = DescribeImagesRequest()
        request.set_ImageOwnerAlias("nobody")
        request.set_accept_format("json")
        with pytest.raises(ServerException) as err:
            server_legacy_client(srv.url).do_action_with_exception(request)
        assert (err.value.get_error_code(), err.value.get_http_status()) == \
            ("InvalidImageOwnerAlias.ValueNotSupported", 400)
        assert [c.status for c in srv.engine.calls] == [200, 200, 400, 400, 400]

"""Reliability: error answers leave nothing behind, engines are collected after their mock ends."""
from __future__ import annotations

import gc
import tracemalloc
import weakref

import pytest

from mockecs.engine import Engine
from mockecs.wire.protocol import HttpRequest

ERRORS = [  # each answers an error raised from a named error kind (a module-level constant before)
    "Action=StartInstance&InstanceId=i-missing",
    "Action=DescribeSnapshots&NextToken=bad",
    "Action=DeleteSnapshot&SnapshotId=s-missing",
    "Action=DescribeTaskAttribute&TaskId=t-missing",
    "Action=DeleteImagePipeline&ImagePipelineId=ip-missing",
    "Action=ModifyImageAttribute&ImageId=m-missing",
]


def _request(query: str) -> HttpRequest:
    return HttpRequest("GET", f"http://ecs.aliyuncs.com/?{query}&Version=2014-05-26&Format=JSON&RegionId=cn-hangzhou",
                       {"host": "ecs.aliyuncs.com"})


def _xml_request(query: str) -> HttpRequest:
    return HttpRequest("GET", f"http://ecs.aliyuncs.com/?{query}&Version=2014-05-26&Format=XML&RegionId=cn-hangzhou",
                       {"host": "ecs.aliyuncs.com"})


def _answer_errors(engine: Engine, n: int) -> None:
    requests = [_request(q) for q in ERRORS]
    for i in range(n):
        response = engine.handle(requests[i % len(requests)])
        assert response.status >= 400, response.body


def test_memory_stays_flat_over_many_error_answers():
    engine = Engine()
    engine.config.record_calls = False  # the call record is bounded on its own; this measures the errors
    _answer_errors(engine, 2_000)  # warm caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _answer_errors(engine, 50_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # A shared error instance chained every request's frames: 50,000 answers grew by hundreds of MB.
    assert grown < 1_000_000, f"{grown} bytes kept after 50,000 error answers"


def test_an_engine_is_collected_after_its_mock_ends():
    from mockecs import mock_ecs

    with mock_ecs() as m:
        _answer_errors(m.engine, 20)
        ref = weakref.ref(m.engine)
    del m
    gc.collect()
    assert ref() is None, gc.get_referrers(ref())


def test_no_module_keeps_an_error_instance():
    # Raised again, a shared instance would chain tracebacks; error kinds (classes) are raised fresh.
    import importlib
    import pkgutil

    import mockecs
    from mockecs.wire.errors import EcsError

    shared = []
    for info in pkgutil.walk_packages(mockecs.__path__, "mockecs."):
        if info.name == "mockecs.__main__":
            continue
        module = importlib.import_module(info.name)
        shared += [f"{info.name}.{k}" for k, v in vars(module).items() if isinstance(v, EcsError)]
    assert not shared


# -- no 500s (issue 15.2) -------------------------------------------------------------
def test_unicode_and_huge_list_indexes_answer_invalid_parameter(mock, client):
    import json

    from alibabacloud_ecs20140526 import models

    image_id = _image(client)
    for index in ("%C2%B2", "1" * 5000):
        resp = mock.engine.handle(_request(f"Action=TagResources&ResourceType=image&ResourceId.1={image_id}"
                                           f"&Tag.{index}.Key=k&Tag.{index}.Value=v"))
        body = json.loads(resp.body)
        assert (resp.status, body["Code"]) == (400, "InvalidParameter"), body
        assert body["Message"].startswith('The specified parameter "Tag.')
    tags = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id="cn-hangzhou", resource_type="image", resource_id=[image_id]))
    assert tags.body.tag_resources.tag_resource == []  # nothing half-applied


def _image(client) -> str:
    from alibabacloud_ecs20140526 import models

    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    return client.create_image(models.CreateImageRequest(
        region_id="cn-hangzhou", instance_id=instance_id, image_name="ctl", description="a\x01b\x1fc")).body.image_id


def test_xml_answers_with_control_characters_parse(mock, client):
    import xml.dom.minidom

    import requests

    image_id = _image(client)
    answer = requests.get("https://ecs.aliyuncs.com/", params={
        "Action": "DescribeImages", "Version": "2014-05-26", "RegionId": "cn-hangzhou", "ImageId": image_id,
        "Format": "XML"}, timeout=10)
    doc = xml.dom.minidom.parseString(answer.content)
    [description] = doc.getElementsByTagName("Description")
    assert description.firstChild.data == "abc"  # characters XML cannot carry are left out
    from alibabacloud_ecs20140526 import models

    images = client.describe_images(models.DescribeImagesRequest(region_id="cn-hangzhou", image_id=image_id))
    assert images.body.images.image[0].description == "a\x01b\x1fc"  # JSON carries the value as stored


# -- bounded resources (issue 15.6) ------------------------------------------------------
def test_call_record_is_bounded_in_bytes_and_cuts_large_values():
    from mockecs.engine.core import CALL_VALUE_CHARS, Config

    engine = Engine(Config(max_call_bytes=300_000))
    big = "x" * 65_536
    for n in range(400):  # 26 MB of requests
        response = engine.handle(_request(f"Action=DescribeImages&ImageName={big}&N={n}"))
        assert response.status == 200
    assert engine.calls.bytes <= 300_000
    assert 100 < len(engine.calls) < 400 and engine.calls[-1].params["N"] == "399"  # the newest are kept
    name = engine.calls[-1].params["ImageName"]
    assert name.startswith("x" * CALL_VALUE_CHARS) and name.endswith(f"[{65_536 - CALL_VALUE_CHARS} more characters]")
    small = engine.handle(_request("Action=DescribeRegions"))
    assert small.status == 200 and engine.calls[-1].params["Action"] == "DescribeRegions"
    engine.calls.clear()
    assert engine.calls.bytes == 0 and len(engine.calls) == 0


def test_many_parameters_are_recorded_up_to_a_bound():
    from mockecs.engine.core import CALL_PARAMS, TRUNCATED

    engine = Engine()
    extra = "&".join(f"P{n}=v" for n in range(5_000))
    engine.handle(_request(f"Action=DescribeRegions&{extra}"))
    params = engine.calls[-1].params
    assert len(params) == CALL_PARAMS + 1 and params[TRUNCATED].endswith("more parameters left out")


def _server(**kwargs):
    from mockecs.modes.server.thread import ServerThread

    return ServerThread(**kwargs)


def test_calls_are_read_in_pages():
    import requests

    with _server() as server:
        for n in range(30):
            requests.get(f"{server.url}/?Action=DescribeRegions&Version=2014-05-26&N={n}", timeout=10)
        url = server.url + "/_mockecs/calls"
        page = requests.get(url, params={"limit": 10, "offset": 5}, timeout=10)
        assert [c["params"]["N"] for c in page.json()] == [str(n) for n in range(5, 15)]
        assert page.headers["X-Mockecs-Total-Count"] == "30" and page.headers["X-Mockecs-Next-Offset"] == "15"
        last = requests.get(url, params={"offset": 25}, timeout=10)
        assert len(last.json()) == 5 and "X-Mockecs-Next-Offset" not in last.headers
        assert len(requests.get(url, timeout=10).json()) == 30  # the default page (1,000) holds them all
        for bad in ({"limit": "-1"}, {"offset": "x"}, {"limit": "1" * 50}):
            answer = requests.get(url, params=bad, timeout=10)
            assert answer.status_code == 400 and next(iter(bad)) in answer.json()["error"]


@pytest.mark.parametrize("https", [False, True])
def test_request_bodies_are_capped_with_an_ecs_413(monkeypatch, https):
    import warnings

    import requests

    from mockecs.modes.server import wsgi

    monkeypatch.setattr(wsgi, "MAX_API_BODY", 10_000)
    monkeypatch.setattr(wsgi, "MAX_CONTROL_BODY", 20_000)
    warnings.simplefilter("ignore")  # the self-signed certificate
    with _server(https=https) as server, requests.Session() as http:
        form = {"Action": "DescribeImages", "Version": "2014-05-26", "Format": "JSON", "ImageName": "x" * 2_000_000}
        answer = http.post(server.url + "/", data=form, timeout=10, verify=False)  # refused while still sending
        body = answer.json()
        assert answer.status_code == 413 and body["Code"] == "RequestEntityTooLarge" and body["RequestId"]
        chunked = http.post(server.url + "/", data=iter([b"Action=DescribeRegions&X=", b"y" * 20_000]),
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10, verify=False)
        assert chunked.status_code == 413
        control = http.post(server.url + "/_mockecs/state", data=b"{" + b" " * 30_000 + b"}", timeout=10, verify=False)
        assert control.status_code == 413 and "larger than" in control.json()["error"]
        form = {"Action": "DescribeRegions", "Version": "2014-05-26", "Format": "JSON", "Pad": "x" * 9_000}
        assert http.post(server.url + "/", data=form, timeout=10, verify=False).status_code == 200  # under the limit


def _idle(port: int, n: int) -> list:
    import socket

    return [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]


def _serving(server_obj):
    import threading

    thread = threading.Thread(target=server_obj.serve_forever, daemon=True)
    thread.start()
    return thread


def test_http_idle_connections_are_closed_and_never_lock_out_new_clients():
    import time

    import requests

    from mockecs.modes.server.backends import WaitressServer
    from mockecs.modes.server.wsgi import make_app

    server = WaitressServer(make_app(Engine()), connection_limit=20, idle_timeout=2)
    _serving(server)
    try:
        idle = _idle(server.port, 25)  # more than the limit, all silent
        start = time.monotonic()
        answer = requests.get(f"{server.url}/_mockecs/health", timeout=15)
        assert answer.status_code == 200 and time.monotonic() - start < 6  # was: blocked for channel_timeout
        idle[-1].settimeout(8)
        assert idle[-1].recv(1) == b""  # idle connections are closed after idle_timeout
        for sock in idle:
            sock.close()
    finally:
        server.stop()


def test_https_handshake_is_off_the_accept_loop_and_timed_out(monkeypatch):
    import socket
    import time
    import warnings

    import requests

    from mockecs.modes.server import backends
    from mockecs.modes.server.wsgi import make_app

    monkeypatch.setattr(backends, "HANDSHAKE_TIMEOUT", 1)
    server = backends.make_server(make_app(Engine()), threads=4, https=True)
    _serving(server)
    try:
        idle = _idle(server.port, 10)  # more idle TCP connections than worker threads, no TLS at all
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        slow.sendall(b"\x16\x03\x01")  # a TLS record header, then nothing: a stalled handshake
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.monotonic()
            for _ in range(3):
                answer = requests.get(f"{server.url}/_mockecs/health", verify=False, timeout=15)
                assert answer.status_code == 200
            assert time.monotonic() - start < 5  # was: every client waited for the idle one's 120 s
        slow.settimeout(6)  # the server gives up on the stalled handshake (closes, maybe after an alert)
        start = time.monotonic()
        try:
            while slow.recv(100):
                pass
        except OSError:
            pass
        assert time.monotonic() - start < 6
        for sock in idle + [slow]:
            sock.close()
    finally:
        server.stop()


# -- the control API (issue 15.4, 15.5) ---------------------------------------------------
def _control(engine, method, name, body=None, headers=None, loopback=True, token="t0ken"):
    import json

    from mockecs.modes.server.control import PREFIX, ControlApi

    control = ControlApi(engine, token, loopback)
    data = json.dumps(body).encode() if body is not None else b""
    response = control.handle(HttpRequest(method, f"http://localhost{PREFIX}{name}", headers or {}, data))
    return response.status, json.loads(response.body)


def test_control_token_needed_off_loopback_and_in_strict_mode():
    from mockecs.engine.core import Config

    relaxed, strict = Engine(), Engine(Config(strict_signatures=True))
    assert _control(relaxed, "GET", "calls")[0] == 200  # loopback, not strict: as before
    for engine, loopback in ((relaxed, False), (strict, True)):
        assert _control(engine, "GET", "calls", loopback=loopback)[0] == 401
        assert _control(engine, "GET", "calls", loopback=loopback, headers={"x-mockecs-token": "wrong"})[0] == 401
        assert _control(engine, "GET", "calls", loopback=loopback, headers={"x-mockecs-token": "t0ken"})[0] == 200
        assert _control(engine, "GET", "calls", loopback=loopback,
                        headers={"authorization": "Bearer t0ken"})[0] == 200
        assert _control(engine, "GET", "health", loopback=loopback)[0] == 200  # probes need no token
    relaxed.config.strict_signatures = True  # turned on at run time: the token is needed from then on
    assert _control(relaxed, "POST", "reset")[0] == 401


def test_server_thread_control_token_over_http():
    import requests

    from mockecs.engine.core import Config

    with _server(engine=Engine(Config(strict_signatures=True)), control_token="given") as server:
        url = server.url + "/_mockecs/state"
        assert server.control_token == "given"
        assert requests.get(url, timeout=10).status_code == 401
        assert requests.get(url, headers={"X-Mockecs-Token": "given"}, timeout=10).status_code == 200


def test_accounts_are_listed_without_secrets():
    engine = Engine()
    status, added = _control(engine, "POST", "accounts", {"account_id": "2000000000000009", "access_key_id": "k9",
                                                          "access_key_secret": "s9", "security_token": "tok"})
    assert status == 200 and added == {"account_id": "2000000000000009", "access_key_id": "k9"}
    status, listed = _control(engine, "GET", "accounts")
    assert status == 200 and {k["access_key_id"] for k in listed["keys"]} >= {"k9"}
    assert not any("access_key_secret" in k or "security_token" in k for k in listed["keys"])
    assert "s9" not in str(listed) and "tok" not in str(listed)


@pytest.mark.parametrize(("name", "body", "field"), [
    ("clock/advance", {"seconds": float("nan")}, "seconds"),
    ("clock/advance", {"seconds": float("inf")}, "seconds"),
    ("clock/advance", {"seconds": 1e300}, "seconds"),
    ("faults", {"action": "DescribeRegions", "code": "X", "times": "abc"}, "times"),
    ("faults", {"action": "DescribeRegions", "code": "X", "status": "abc"}, "status"),
    ("faults", {"action": "DescribeRegions", "code": "X", "status": 200}, "status"),
    ("faults", {"action": "DescribeRegions", "latency": float("nan")}, "latency"),
    ("faults", {"action": 5, "code": "X"}, "action"),
    ("accounts", {"account_id": "2000000000000009", "access_key_id": 5, "access_key_secret": "s"},
     "access_key_id"),
    ("transitions", {"mode": "realistic", "delays": {"image": {"seconds": "x"}}}, "delays.image.seconds"),
    ("transitions", {"mode": "realistic", "fail_next": {"image": {"count": 10**12}}}, "fail_next.image.count"),
    ("transitions", {"mode": "realistic", "fail": {"m-1": 5}}, "fail.m-1"),
    ("state", {"store": {"image": {"m-1": {"record": {"ImageId": 5}}}}}, "store.image.m-1"),
    ("state", {"accounts": {"accounts": ["1"]}}, "accounts.accounts[0]"),
    ("state", {"clock_offset": "soon"}, "clock_offset"),
])
def test_control_inputs_are_checked_up_front_and_change_nothing(client, mock, name, body, field):
    from alibabacloud_ecs20140526 import models

    engine = mock.engine
    _image(client)
    before = engine.export_state(), engine.config.transitions, engine.lifecycle.to_dict(), len(engine.faults)
    method = "PATCH" if name == "config" else "POST"
    status, answer = _control(engine, method, name, body)
    assert status == 400 and field in answer["error"], answer
    assert (engine.export_state(), engine.config.transitions, engine.lifecycle.to_dict(), len(engine.faults)) \
        == before  # validated first, then applied all or nothing
    assert client.describe_images(models.DescribeImagesRequest(  # and nothing answers 500 afterwards
        region_id="cn-hangzhou", image_owner_alias="self")).status_code == 200


def test_refused_state_import_keeps_store_and_accounts():
    engine = Engine()
    engine.accounts.add_key("2000000000000008", "k8", "s8")
    good = engine.export_state()
    bad = {**good, "accounts": {"accounts": ["2000000000000008", "not-an-id"]}}
    assert _control(engine, "POST", "state", bad)[0] == 400
    assert engine.export_state() == good and engine.accounts.resolve("k8", None, True).account_id == \
        "2000000000000008"
    assert _control(engine, "POST", "state", {**good, "clock_offset": float("inf")})[0] == 400
    assert engine.export_state() == good


# -- the CLI (issue 15.7) -------------------------------------------------------------------
def _cli(*args):
    from click.testing import CliRunner

    from mockecs.modes.cli import main

    return CliRunner().invoke(main, ["server", *args])


@pytest.mark.parametrize(("args", "named"), [
    (["--port", "-1"], "--port"), (["--port", "70000"], "--port"), (["--host", "999.1.1.1"], "--host"),
    (["--host", "no such host"], "--host"), (["--store", "sqlite:////no/such/dir/state.db"], "--store"),
])
def test_cli_bad_inputs_are_one_line_errors(args, named):
    if "--store" in args:
        pytest.importorskip("mockecs_sqlite", reason="plugins/mockecs-sqlite is not installed")
    result = _cli("--port", "0", *args) if "--port" not in args else _cli(*args)
    assert result.exit_code == 2, result.output
    assert named in result.output and "Traceback" not in result.output


def test_cli_bad_accounts_file_writes_nothing(tmp_path):
    pytest.importorskip("mockecs_sqlite", reason="plugins/mockecs-sqlite is not installed")
    import json

    db = tmp_path / "state.db"
    for content in ("{not json", json.dumps({"accounts": [
            {"account_id": "2000000000000001", "access_key_id": "first", "access_key_secret": "s"},
            {"account_id": "bad", "access_key_id": "second", "access_key_secret": "s"}]})):
        accounts = tmp_path / "accounts.json"
        accounts.write_text(content)
        result = _cli("--port", "0", "--store", f"sqlite:///{db}", "--accounts-file", str(accounts))
        assert result.exit_code == 2 and str(accounts) in result.output and "Traceback" not in result.output
        assert not db.exists()  # checked before the store was even opened


def test_cli_warns_on_a_non_loopback_bind_and_prints_the_token(monkeypatch):
    from mockecs.modes.server import backends

    class Bound:  # stands for a server bound to every interface, without binding one
        url, port = "http://0.0.0.0:1", 1

        def serve_forever(self):
            pass

    monkeypatch.setattr(backends, "make_server", lambda *args, **kwargs: Bound())
    monkeypatch.setattr("signal.signal", lambda *args: None)
    result = _cli("--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "0.0.0.0" in result.output
    assert "control token: " in result.output and "required now" in result.output
    assert _cli("--host", "127.0.0.1", "--port", "0", "--control-token", "mine").output.count("mine") == 0


def test_python_fault_injection_checks_its_arguments(mock, client):
    from alibabacloud_ecs20140526 import models

    for bad in ({"times": "abc"}, {"status": "abc"}, {"status": 200}, {"latency": float("nan")}, {"code": 5}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            mock.engine.inject("DescribeRegions", **{"code": "X", **bad})
    assert mock.engine.faults == []
    assert client.describe_regions(models.DescribeRegionsRequest()).status_code == 200


def test_imported_records_of_the_wrong_type_are_refused_or_harmless():
    """Every field of an image, instance, disk, snapshot and task record, imported with each wrong JSON type:
    refused with a 400 naming it, or else no operation on it answers 500 later."""
    import json

    from tests.test_fuzz import world

    engine = Engine()
    known = world(engine)
    ids = {"image": known["ImageId"][0], "instance": known["InstanceId"][0], "disk": known["DiskId"][0],
           "snapshot": known["SnapshotId"][0], "task": known["TaskId"][0]}
    image, instance, disk, snapshot, task = ids.values()
    calls = {
        "image": [f"Action=DescribeImages&ImageId={image}", f"Action=DeleteImage&ImageId={image}",
                  f"Action=DescribeImageSharePermission&ImageId={image}",
                  f"Action=RunInstances&ImageId={image}&InstanceType=ecs.g7.large"],
        "instance": [f"Action=DescribeInstances&InstanceIds=%5B%22{instance}%22%5D",
                     f"Action=StopInstance&InstanceId={instance}",
                     f"Action=DescribeInstanceMaintenanceAttributes&InstanceId.1={instance}",
                     f"Action=DescribeInstanceAttachmentAttributes&InstanceIds=%5B%22{instance}%22%5D",
                     f"Action=ModifyInstanceMetadataOptions&InstanceId={instance}&HttpEndpoint=enabled",
                     f"Action=DeleteInstance&InstanceId={instance}&Force=true"],
        "disk": ["Action=DescribeDisks", f"Action=CreateImage&InstanceId={instance}"],
        "snapshot": ["Action=DescribeSnapshots", f"Action=CreateImage&SnapshotId={snapshot}"],
        "task": ["Action=DescribeTasks", f"Action=DescribeTaskAttribute&TaskId={task}",
                 f"Action=CancelTask&TaskId={task}"],
    }
    state = engine.export_state()
    engine.import_state(json.loads(json.dumps(state)))  # what the engine writes is accepted as it is
    failures = []
    for kind, resource_id in ids.items():
        for field in state["store"][kind][resource_id]["record"]:
            for wrong in ("abc", 5, True, None, [], {}):
                changed = json.loads(json.dumps(state))
                changed["store"][kind][resource_id]["record"][field] = wrong
                try:
                    engine.import_state(changed)
                except ValueError as err:
                    assert field in str(err) or "_owner" in str(err)
                    continue
                # In XML: JSON answers would carry the wrong types to the SDK-shape check; 500s are the point here.
                failures += [(kind, field, wrong, q) for q in calls[kind]
                             if engine.handle(_xml_request(q)).status >= 500]
    assert not failures, failures[:10]

"""``mockecs server``'s access log (one line per request at info, text or ``--log-format json``) and its
start-up banner."""
from __future__ import annotations

import io
import json
import logging
import re

import requests

from mockecs.modes.server import accesslog
from mockecs.modes.server.tls import ca_cert_path
from tests.test_server import QUERY, ServerProcess


def requests_made(url: str, auth: dict) -> None:
    requests.get(url + "/" + QUERY, timeout=10)
    bad = requests.get(url + "/?Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId=nowhere-1",
                       headers={"x-acs-accesskey-id": "k"}, timeout=10)
    assert bad.status_code in (400, 404)
    assert requests.post(url + "/_mockecs/reset", headers=auth, timeout=10).status_code == 200


def banner_and_log(tmp_path, *args: str) -> tuple[list[str], list[str]]:
    log_path = tmp_path / "server.log"
    srv = ServerProcess(*args, log_path=str(log_path))
    try:
        requests_made(srv.url, srv.auth)
        banner = [srv.line] + [srv.proc.stdout.readline().rstrip("\n") for _ in range(4)]
    finally:
        assert srv.stop() == 0
    return banner, log_path.read_text().splitlines()


def test_json_access_log_and_banner(tmp_path):
    banner, lines = banner_and_log(tmp_path, "--log-format", "json", "--strict-signatures", "--no-catalog")
    entries = [json.loads(line) for line in lines]  # every line is JSON, not only access lines
    access = [e for e in entries if e["logger"] == "mockecs.access"]
    assert [(e["method"], e["action"], e["status"], e["error_code"]) for e in access] == [
        ("GET", "DescribeRegions", 400, "MissingParameter"),  # strict: no AccessKeyId
        ("GET", "DescribeZones", 404, "InvalidAccessKeyId.NotFound"),
        ("POST", "/_mockecs/reset", 200, None)]
    first = access[0]
    assert set(first) >= {"time", "level", "method", "action", "account", "region", "status", "error_code", "ms",
                          "request_id"}
    assert first["level"] == "INFO" and isinstance(first["ms"], float) and 0 <= first["ms"] < 5000
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", first["request_id"])
    # the banner: URL, (the control token: the second line, read by ServerProcess), store, catalog size,
    # strict mode, CA path
    assert banner[0].startswith("mockecs serving on http://127.0.0.1:")
    text = "\n".join(banner)
    assert "store: memory://" in text and "catalog: 0 images" in text and "strict signatures: on" in text
    assert f"CA certificate: {ca_cert_path()}" in text and "control API and dashboard: http://127.0.0.1:" in text
    assert "HTTPS_PROXY=http://127.0.0.1:" in text


def test_text_access_log(tmp_path):
    banner, lines = banner_and_log(tmp_path)
    access = [line for line in lines if " INFO " in line and "status=" in line]
    assert len(access) == 3, lines
    pattern = (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO (GET|POST) (\S+) account=(\S+) region=(\S+) "
               r"status=(\d{3}) error=(\S+) ms=\d+\.\d")
    parsed = [re.fullmatch(pattern, line).groups() for line in access]
    assert parsed == [("GET", "DescribeRegions", "1234567890123456", "cn-hangzhou", "200", "-"),
                      ("GET", "DescribeZones", "1234567890123456", "nowhere-1", "404", "InvalidRegionId.NotFound"),
                      ("POST", "/_mockecs/reset", "-", "-", "200", "-")]
    assert re.search(r"catalog: [1-9]\d+ images", "\n".join(banner))


def test_access_log_off_below_info():
    stream = io.StringIO()
    handler = accesslog.configure("warning", "text", stream)
    try:
        from mockecs.modes.server.wsgi import make_app

        app = make_app()
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": QUERY[1:], "HTTP_HOST": "x",
                   "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http"}
        app(environ, lambda status, headers: None)
        assert stream.getvalue() == ""
        logging.getLogger().setLevel("INFO")
        app(environ, lambda status, headers: None)
        assert "DescribeRegions" in stream.getvalue() and "status=200" in stream.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel("WARNING")


def test_other_products_are_logged_by_host_and_action():
    """A call of a product mockecs does not fake (the Go SDK asks the location service before each call, through
    the HTTPS proxy) is logged with its action and host and the answer's code, not as ``GET /``; it stays out
    of the call record."""
    from mockecs.modes.server.wsgi import make_app

    stream = io.StringIO()
    handler = accesslog.configure("info", "text", stream)
    try:
        app = make_app()
        query = "Action=DescribeEndpoints&Version=2015-06-12&Format=JSON&Id=cn-hangzhou&ServiceCode=ecs&Type=openAPI"
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": query,
                   "HTTP_HOST": "location-readonly.aliyuncs.com", "wsgi.input": io.BytesIO(b""),
                   "wsgi.url_scheme": "https"}
        answered = []
        body = b"".join(app(environ, lambda status, headers: answered.append(status)))
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel("WARNING")
    assert answered == ["400 Bad Request"] and json.loads(body)["Code"] == "InvalidAction.NotImplemented"
    assert re.fullmatch(r"\S+ \S+ INFO GET DescribeEndpoints@location-readonly.aliyuncs.com account=- region=- "
                        r"status=400 error=InvalidAction.NotImplemented ms=\d+\.\d\n", stream.getvalue())
    assert list(app.engine.calls) == []


def test_dashboard_needs_the_control_token_where_the_control_api_does():
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.server import ServerThread

    with ServerThread(Engine(Config(strict_signatures=True)), control_token="dash-token") as srv:
        assert requests.get(srv.dashboard_url, timeout=10).status_code == 401
        assert requests.get(srv.dashboard_url + "dashboard/calls", timeout=10).status_code == 401
        assert requests.get(srv.dashboard_url + "?token=wrong", timeout=10).status_code == 401
        page = requests.get(srv.dashboard_url + "?token=dash-token", timeout=10)
        assert page.status_code == 200 and 'name="token" value="dash-token"' in page.text
        calls = requests.get(srv.dashboard_url + "dashboard/calls", headers={"X-Mockecs-Token": "dash-token"},
                             timeout=10)
        assert calls.status_code == 200 and calls.json() == []
        assert requests.get(srv.dashboard_url + "dashboard/static/dashboard.js", timeout=10).status_code == 200
    with ServerThread() as open_srv:  # loopback, not strict: no token, as for the control API
        assert requests.get(open_srv.dashboard_url, timeout=10).status_code == 200

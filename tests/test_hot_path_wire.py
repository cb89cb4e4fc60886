"""The two ends of every call's path, the short ways (stop 23, benchmarks/engine_cachegrind.py) answer as the long
ways did: decoding (the query, the V3 Authorization header), the JSON writer, the request headers, and an API answer's
``requests.Response`` formed without the cookie pass, the urllib3 read and ``build_response``'s own steps."""
from __future__ import annotations

import json
import random
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlsplit

import pytest
import requests
from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest
from requests.adapters import HTTPAdapter
from urllib3._collections import HTTPHeaderDict

from mockecs.modes import mock as mock_mode
from mockecs.modes.mock import MockECS
from mockecs.wire.encoding import API_HEADERS, Frozen, FrozenList, render
from mockecs.wire.protocol import ApiRequest, HttpRequest, _form, decode
from tests.sdk import error_of, legacy_call, legacy_client, new_client

ECS = "https://ecs.cn-hangzhou.aliyuncs.com/"

# -- the query split --------------------------------------------------------------------------------------------
_PIECES = ["a", "B", "1", "=", "=", "&", "&", "%", "+", "%41", "%2B", "%zz", "%E4%B8%AD", "中", " ", ".", "%4"]


@pytest.mark.parametrize("text", ["a=1&&b=2", "a=1&", "&a=1", "&", "a", "a==", "=", "k=v=w&k=", "a=1&a=2&a=",
                                  "RegionId=cn-hangzhou&PageSize=10", "中=文&x=", "a=%41", "a=b+c", "Tag.1.Key=k"])
def test_the_query_split_answers_as_parse_qsl_on_tricky_text(text):
    assert _form(text) == dict(parse_qsl(text, keep_blank_values=True))
    assert list(_form(text)) == list(dict(parse_qsl(text, keep_blank_values=True)))  # (the same order too)


def test_the_query_split_answers_as_parse_qsl_on_random_text():
    rng = random.Random(23)
    for _ in range(5000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randrange(14)))
        expected = dict(parse_qsl(text, keep_blank_values=True))
        got = _form(text)
        assert got == expected and list(got) == list(expected), text


# -- decoding: the same ApiRequest as the code before stop 23 ---------------------------------------------------
_V3_AUTH = re.compile(r"(ACS3-[A-Z0-9-]+) Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-fA-F]+)")


def _decode_before(req: HttpRequest) -> ApiRequest:
    """``decode`` as it was (stop 22), its form decoding as parse_qsl's."""
    def form_of(text: str) -> dict[str, str]:
        return dict(parse_qsl(text, keep_blank_values=True))

    parts = urlsplit(req.url)
    netloc, path, raw_query = parts.netloc, parts.path, parts.query
    headers = req.headers
    host = headers.get("host") or netloc
    query = form_of(raw_query)
    form: dict[str, str] = {}
    ctype = headers.get("content-type", "")
    if req.body and ("form-urlencoded" in ctype or not ctype):
        try:
            form = form_of(req.body.decode("utf-8"))
        except UnicodeDecodeError:
            form = {}
    params = {**query, **form} if form else query
    action = params.get("Action") or headers.get("x-acs-action")
    version = params.get("Version") or headers.get("x-acs-version")
    fmt = params.get("Format")
    if fmt:
        fmt = "XML" if fmt.strip().upper() == "XML" else "JSON"
    elif "x-acs-action" in headers or "json" in headers.get("accept", ""):
        fmt = "JSON"
    else:
        fmt = "XML"
    auth = headers.get("authorization", "")
    v3 = None
    if auth.startswith("ACS3-"):
        v3 = _V3_AUTH.match(auth)
        style = "v3"
        access_key_id = v3.group(2) if v3 else headers.get("x-acs-accesskey-id")
        token = headers.get("x-acs-security-token")
    elif "Signature" in params or "AccessKeyId" in params:
        style = "v1"
        access_key_id = params.get("AccessKeyId")
        token = params.get("SecurityToken")
    else:
        style = "none"
        access_key_id = headers.get("x-acs-accesskey-id")
        token = headers.get("x-acs-security-token")
    return ApiRequest(req.method.upper(), host, path or "/", action, version, params, query, form, headers,
                      req.body, fmt, style, access_key_id, token, v3.groups() if v3 else None)


def _random_request(rng: random.Random) -> HttpRequest:
    params = ["Action=DescribeRegions", "Version=2014-05-26", "Format=XML", "Format=%20xml", "Format=JSON",
              "AccessKeyId=ak", "Signature=ab%2Bc%2F%3D", "SecurityToken=t", "RegionId=cn-hangzhou", "A=", "B",
              "C=a+b", "Timestamp=2026-11-23T07%3A30%3A00Z", "D=%E4%B8%AD", "E=%zz", "", "中=文", "Tag.1.Key=k%26v"]
    query = "&".join(rng.choice(params) for _ in range(rng.randrange(6)))
    body = rng.choice([b"", b"", "&".join(rng.choice(params) for _ in range(3)).encode(), b"\xff\xfe=1",
                       "Action=DescribeZones&中=文".encode(), b"{}"])
    headers: dict[str, str] = {}
    for name, values in (("host", ["ecs.aliyuncs.com", ""]),
                         ("content-type", ["application/x-www-form-urlencoded", "application/json", "",
                                           "text/plain; form-urlencoded"]),
                         ("x-acs-action", ["DescribeImages"]), ("x-acs-version", ["2014-05-26"]),
                         ("accept", ["application/json", "text/xml", ""]),
                         ("authorization", ["ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=0a1b",
                                            "ACS3-HMAC-SHA256 garbage", "Bearer x"]),
                         ("x-acs-accesskey-id", ["ak2"]), ("x-acs-security-token", ["tok"])):
        if rng.random() < 0.5:
            headers[name] = rng.choice(values)
    url = f"https://ecs-cn-hangzhou.aliyuncs.com{rng.choice(['/', '', '/x'])}{'?' if query else ''}{query}"
    return HttpRequest(rng.choice(["POST", "GET", "post"]), url, headers, body, lowered=True)


def test_decoding_answers_as_before_on_random_requests():
    rng = random.Random(2314)
    for _ in range(3000):
        req = _random_request(rng)
        assert decode(req) == _decode_before(req), req


def test_decoding_a_form_body_and_the_query():
    req = HttpRequest("POST", f"{ECS}?RegionId=cn-hangzhou&Format=XML",
                      {"content-type": "application/x-www-form-urlencoded"},
                      b"Action=DescribeZones&Version=2014-05-26&AccessKeyId=ak&Signature=a%2Bb&Name=a+b")
    got = decode(req)
    assert (got.action, got.version, got.format, got.signature_style, got.access_key_id) == \
        ("DescribeZones", "2014-05-26", "XML", "v1", "ak")
    assert got.params["Signature"] == "a+b" and got.params["Name"] == "a b" and got.query == {"RegionId": "cn-hangzhou",
                                                                                              "Format": "XML"}
    assert unquote_plus("a+b") == got.params["Name"]


# -- the JSON writer --------------------------------------------------------------------------------------------
def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 3 else 6)
    if kind == 0:
        return rng.choice(["", "x", "中文", "\"q\" \\ \n \x00 \u2028", "m-bp1"])
    if kind == 1:
        return rng.choice([0, -3, 2**70, 42])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice([1.5, 1e-7, -0.0])
    if kind in (4, 5):
        return Frozen({"ImageId": f"m-{rng.randrange(9)}", "OSName": "Linux 64位", "Size": rng.randrange(50)})
    if kind == 6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 7:
        return FrozenList(Frozen({"N": n, "T": "\x01"}) for n in range(rng.randrange(1, 4)))
    return {rng.choice(["A", "B", "中", "\x00", "RequestIdX", "Tag"]) + str(n): _random_value(rng, depth + 1)
            for n in range(rng.randrange(5))}


def _plain(value: Any) -> Any:
    if isinstance(value, Frozen):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_json_answers_are_what_json_dumps_writes_on_random_bodies():
    rng = random.Random(1423)
    for _ in range(3000):
        body = {f"K{n}": _random_value(rng) for n in range(rng.randrange(6))}
        expected = json.dumps({"RequestId": "R-1", **_plain(body)}, ensure_ascii=False, separators=(",", ":"))
        assert render(200, body, "JSON", "XResponse", "R-1").body == expected.encode(), body
        if body:  # (nested: the writer's "{" opening)
            nested = json.dumps({"RequestId": "R-1", "Outer": _plain(body)}, ensure_ascii=False,
                                separators=(",", ":"))
            assert render(200, {"Outer": body}, "JSON", "XResponse", "R-1").body == nested.encode()


def test_every_api_answer_has_exactly_the_api_headers():
    for body in ({"A": 1}, Frozen({"A": 1}), Frozen({})):
        for fmt in ("JSON", "XML"):
            assert tuple(render(200, body, fmt, "R", "R-1").headers) == API_HEADERS
    with MockECS() as mock:
        assert tuple(mock.engine.handle(HttpRequest("POST", f"{ECS}?Action=Nope", {})).headers) == API_HEADERS


# -- interception: request headers, the reply ------------------------------------------------------------------
def test_request_headers_reach_the_engine_lowered_in_order():
    seen = []
    with MockECS() as mock:
        real = mock.engine.handle
        mock.engine.handle = lambda http: seen.append(http) or real(http)
        session = requests.Session()
        session.headers.clear()
        session.post(f"{ECS}?Action=DescribeRegions&Version=2014-05-26",
                     headers={"X-Acs-Action": "A", "Accept": "application/json", "x-MiXed": "v", "Content-Length": "0"})
    assert list(seen[0].headers.items()) == [("x-acs-action", "A"), ("accept", "application/json"),
                                             ("x-mixed", "v"), ("content-length", "0")]


def _long_way(adapter: HTTPAdapter, prepared: Any, status: int, headers: dict, body: bytes) -> requests.Response:
    """What the mock formed before stop 23: responses' urllib3 response, the adapter's build_response, the read."""
    raw_response = mock_mode._answers()[1]
    response = adapter.build_response(prepared, raw_response(status, headers, body, prepared.method))
    response.content  # noqa: B018  (read through urllib3)
    return response


def _same_reply(short: requests.Response, long: requests.Response, body: bytes) -> None:
    assert short.__class__ is long.__class__ and short.raw.__class__ is long.raw.__class__
    assert (short.status_code, short.reason, short.url, short.encoding, short.ok) == \
        (long.status_code, long.reason, long.url, long.encoding, long.ok)
    assert list(short.headers.items()) == list(long.headers.items())
    assert dict(short.headers.lower_items()) == dict(long.headers.lower_items())
    assert (short.content, short.text) == (long.content, long.text) and short.content == body
    assert list(short.raw.headers.items()) == list(long.raw.headers.items())
    assert (short.raw.status, short.raw.reason) == (long.raw.status, long.raw.reason)
    assert list(short.cookies) == list(long.cookies) == [] and short.history == long.history == []
    assert b"".join(short.iter_content(7)) == body and list(short.iter_lines()) == list(long.iter_lines())


@pytest.mark.parametrize("query", ["Action=DescribeRegions&Version=2014-05-26&Format=JSON",
                                   "Action=DescribeRegions&Version=2014-05-26&Format=XML",
                                   "Action=DescribeImages&Version=2014-05-26&Format=JSON",  # 400: no RegionId
                                   "Action=NoSuchThing&Version=2014-05-26"])  # (an error, in XML)
def test_an_api_reply_reads_as_the_long_way(query):
    answers = []
    with MockECS() as mock:
        real = mock.engine.handle
        mock.engine.handle = lambda http: answers.append(real(http)) or answers[-1]
        session = requests.Session()
        for stream in (False, True, False):  # (the first answer also checks the short way once)
            resp = session.post(f"{ECS}?{query}", stream=stream)
            answer = answers[-1]
            _same_reply(resp, _long_way(session.get_adapter(ECS), resp.request, answer.status, answer.headers,
                                        answer.body), answer.body)
            assert resp.raw._original_response is None  # (the short way was taken)
            if stream:  # raw still holds the body, for whoever reads it
                assert resp.raw.read() == answer.body
        assert list(session.cookies) == []
    assert answers[-1].status == resp.status_code


def test_a_head_is_formed_as_responses_forms_it():
    with MockECS() as mock:
        resp = requests.head(f"{ECS}?Action=DescribeRegions&Version=2014-05-26&Format=JSON", stream=True)
        assert resp.status_code == 200 and mock.calls[-1].action == "DescribeRegions"
        assert resp.raw._original_response is not None and resp._content is False  # (responses' raw, unread)


class _TaggingAdapter(HTTPAdapter):
    def build_response(self, req: Any, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        response.tag = "mine"
        return response


def test_an_adapters_own_build_response_is_used():
    with MockECS():
        session = requests.Session()
        session.mount("https://", _TaggingAdapter())
        for _ in range(3):
            resp = session.post(f"{ECS}?Action=DescribeRegions&Version=2014-05-26&Format=JSON")
            assert resp.tag == "mine" and resp.json()["Regions"]["Region"]


def test_a_patched_build_response_is_used(monkeypatch):
    real = HTTPAdapter.build_response
    built = []

    def patched(self: HTTPAdapter, req: Any, resp: Any) -> requests.Response:
        built.append(req.url)
        return real(self, req, resp)

    with MockECS():
        requests.post(f"{ECS}?Action=DescribeRegions&Version=2014-05-26&Format=JSON")  # (requests' own: short)
        monkeypatch.setattr(HTTPAdapter, "build_response", patched)
        for _ in range(2):
            assert requests.post(f"{ECS}?Action=DescribeRegions&Version=2014-05-26&Format=JSON").json()["Regions"]
    assert len(built) == 2


def test_the_short_steps_are_checked_against_build_response():
    short_build, short_headers, same = mock_mode._short_steps(HTTPHeaderDict)
    prepared = requests.Request("POST", ECS).prepare()
    headers = {"Content-Type": "application/json;charset=utf-8", "x-acs-request-id": "R-1"}
    raw = mock_mode._answers()[1](200, headers, b"{}", "POST")
    adapter = HTTPAdapter()
    assert same(adapter, prepared, raw, headers, adapter.build_response(prepared, raw)) is True
    built = adapter.build_response(prepared, raw)
    built.extra = 1  # an attribute build_response does not set: not the same
    assert same(adapter, prepared, raw, headers, built) is False
    built = adapter.build_response(prepared, raw)
    built.encoding = "latin-1"
    assert same(adapter, prepared, raw, headers, built) is False
    assert same(_TaggingAdapter(), prepared, raw, headers, _TaggingAdapter().build_response(prepared, raw)) is False
    assert list(short_headers(headers).items()) == list(headers.items())
    assert vars(short_build(adapter, prepared, raw, headers)).keys() == \
        vars(adapter.build_response(prepared, raw)).keys()


# -- the SDKs, signatures checked -------------------------------------------------------------------------------
@pytest.mark.parametrize("strict", [True, False])
def test_both_sdks_through_the_short_ways(strict):
    with MockECS(strict_signatures=strict):
        for _ in range(2):
            regions = new_client().describe_regions(models.DescribeRegionsRequest()).body.to_map()
            assert regions["Regions"]["Region"] and re.fullmatch(r"[0-9A-F-]{36}", regions["RequestId"])
            images = new_client().describe_images(models.DescribeImagesRequest(
                region_id="cn-hangzhou", image_owner_alias="system", page_size=3)).body
            assert len(images.images.image) == 3 and images.page_size == 3
            legacy = legacy_call(legacy_client(), DescribeRegionsRequest())
            assert legacy["Regions"]["Region"]
        wrong = new_client(secret="not-the-secret")
        if strict:
            err = error_of(wrong.describe_regions, models.DescribeRegionsRequest())
            assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)
        else:
            assert wrong.describe_regions(models.DescribeRegionsRequest()).body.regions

"""Strict signature mode: untouched requests from both SDKs pass; any alteration is refused."""
from __future__ import annotations

import json
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ClientException as LegacyClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.DescribeZonesRequest import DescribeZonesRequest

from mockecs.modes.mock import MockECS
from mockecs.wire.protocol import HttpRequest, decode
from mockecs.wire.signing import v1_signature, v1_string_to_sign, v3_string_to_sign
from tests.sdk import legacy_call, legacy_client, new_client

AK, SECRET = "strict-ak", "strict-secret"


@pytest.fixture
def strict():
    with MockECS(strict_signatures=True) as m:
        m.engine.accounts.add_key("2000000000000001", AK, SECRET)
        captured: list[HttpRequest] = []
        handle = m.engine.handle

        def recording(request):
            captured.append(request)
            return handle(request)

        m.engine.handle = recording
        m.captured = captured
        yield m


def body(resp):
    return json.loads(resp.body)


def test_official_v1_test_vector():
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
              "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert v1_string_to_sign("GET", params).startswith("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions")
    assert v1_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_v3_test_vector():
    import hashlib
    import hmac

    headers = {"accept": "application/json", "host": "ecs-cn-hangzhou.aliyuncs.com",
               "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
               "x-acs-action": "DescribeImages",
               "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "x-acs-date": "2025-01-01T00:00:00Z", "x-acs-signature-nonce": "3f1f6a5e0b1f4f6e9a2b1c3d4e5f6a7b",
               "x-acs-version": "2014-05-26"}
    query = urlencode({"RegionId": "cn-hangzhou", "ImageOwnerAlias": "system", "PageSize": "5",
                       "Tag.1.Key": "env", "Tag.1.Value": "a b"})
    req = decode(HttpRequest("POST", f"https://ecs-cn-hangzhou.aliyuncs.com/?{query}", headers, b""))
    sts = v3_string_to_sign(req, ";".join(sorted(headers)))
    assert sts.endswith("998c178864894606e214898ed67f3d51964bd814ba8ff91422c9b55612a7c977")
    assert hmac.new(b"testsecret", sts.encode(), hashlib.sha256).hexdigest() == \
        "fd6e9ee56540c8332ea8890f9b3e9c1c051a2dd191958ffada5415ac77de2cf1"


def test_untouched_requests_from_every_client_pass(strict):
    import asyncio

    c = new_client(AK, SECRET)
    assert c.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou")).status_code == 200
    assert asyncio.run(c.describe_zones_async(models.DescribeZonesRequest(region_id="cn-beijing"))).status_code == 200
    v2 = new_client(AK, SECRET, signature_algorithm="v2")
    tagged = models.DescribeZonesRequest(region_id="cn-hangzhou", accept_language="en-US")
    assert v2.describe_zones(tagged).status_code == 200
    assert legacy_call(legacy_client(AK, SECRET), DescribeZonesRequest())["Zones"]["Zone"]
    assert [c.account for c in strict.calls] == ["2000000000000001"] * 4
    assert [c.status for c in strict.calls] == [200] * 4


def test_sts_token_requests_pass(strict):
    strict.engine.accounts.add_key("2000000000000002", "STS.tmp-ak", "tmp-secret", security_token="token-xyz")
    c = new_client("STS.tmp-ak", "tmp-secret", security_token="token-xyz")
    assert c.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou")).status_code == 200
    assert strict.calls[-1].account == "2000000000000002"


def test_wrong_secret_is_refused_by_both_sdks(strict):
    with pytest.raises(ClientException) as err:
        new_client(AK, "wrong").describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    assert (err.value.code, err.value.status_code) == ("SignatureDoesNotMatch", 400)
    # The old SDK compares our echoed StringToSign with its own and reports the secret as wrong.
    with pytest.raises((ServerException, LegacyClientException)) as err:
        legacy_call(legacy_client(AK, "wrong"), DescribeZonesRequest())
    assert err.value.get_error_code() in ("InvalidAccessKeySecret", "SignatureDoesNotMatch")


def test_unknown_key_is_refused(strict):
    with pytest.raises(ClientException) as err:
        new_client("nobody", "x").describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    assert (err.value.code, err.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def _replay(m, request, url=None, headers=None):
    return m.engine.handle.__wrapped__(HttpRequest(request.method, url or request.url,
                                                   headers or request.headers, request.body)) \
        if hasattr(m.engine.handle, "__wrapped__") else m.engine.handle(
            HttpRequest(request.method, url or request.url, headers or request.headers, request.body))


def _with_query(url, **changes):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


@pytest.mark.parametrize("mode", ["v3", "v1"])
def test_altered_signed_parameter_is_refused(strict, mode):
    c = new_client(AK, SECRET, **({"signature_algorithm": "v2"} if mode == "v1" else {}))
    c.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    original = strict.captured[-1]
    resp = _replay(strict, original, url=_with_query(original.url, RegionId="cn-beijing"))
    assert resp.status == 400 and body(resp)["Code"] == "SignatureDoesNotMatch"


def test_altered_v3_header_and_signature_are_refused(strict):
    new_client(AK, SECRET).describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    original = strict.captured[-1]
    headers = dict(original.headers)
    headers["x-acs-action"] = "DescribeRegions"
    assert body(_replay(strict, original, headers=headers))["Code"] == "SignatureDoesNotMatch"
    headers = dict(original.headers)
    headers["authorization"] = headers["authorization"][:-4] + "0000"
    assert body(_replay(strict, original, headers=headers))["Code"] == "SignatureDoesNotMatch"
    headers = dict(original.headers)
    headers["x-acs-extra"] = "unsigned"
    assert body(_replay(strict, original, headers=headers))["Code"] == "IncompleteSignature"


def test_replayed_nonce_is_refused(strict):
    c = new_client(AK, SECRET, signature_algorithm="v2")
    c.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    resp = _replay(strict, strict.captured[-1])
    assert resp.status == 400 and body(resp)["Code"] == "SignatureNonceUsed"


def test_expired_timestamp_is_refused(strict):
    old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    params = {"Action": "DescribeRegions", "Version": "2014-05-26", "Format": "JSON", "AccessKeyId": AK,
              "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
              "Timestamp": old}
    params["Signature"] = v1_signature("GET", params, SECRET)
    resp = strict.engine.handle(HttpRequest("GET", "https://ecs.aliyuncs.com/?" + urlencode(params), {}, b""))
    assert resp.status == 400 and body(resp)["Code"] == "InvalidTimeStamp.Expired"
    params["Timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    params["SignatureNonce"] = uuid.uuid4().hex
    params["Signature"] = v1_signature("GET", params, SECRET)
    resp = strict.engine.handle(HttpRequest("GET", "https://ecs.aliyuncs.com/?" + urlencode(params), {}, b""))
    assert resp.status == 200


def test_default_mode_accepts_any_key(mock):
    resp = new_client("whatever", "nope").describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    assert resp.status_code == 200 and mock.calls[-1].account == "1234567890123456"


# -- issue 15.3 -----------------------------------------------------------------------------
def _resigned(original, secret=SECRET, drop=(), algorithm="ACS3-HMAC-SHA256", **set_headers):
    """The captured V3 request signed again by hand after dropping/setting headers."""
    import hashlib
    import hmac

    headers = {k: v for k, v in original.headers.items() if k not in drop and k != "authorization"}
    headers.update(set_headers)
    names = ";".join(sorted(h for h in headers if h.startswith("x-acs-") or h in ("host", "content-type")))
    req = decode(HttpRequest(original.method, original.url, headers, original.body))
    sts = v3_string_to_sign(req, names, algorithm=algorithm)
    digest = hashlib.sha256 if algorithm == "ACS3-HMAC-SHA256" else (lambda d=b"": hashlib.new("sm3", d))
    signature = hmac.new(secret.encode(), sts.encode(), digest).hexdigest()
    headers["authorization"] = f"{algorithm} Credential={AK},SignedHeaders={names},Signature={signature}"
    return HttpRequest(original.method, original.url, headers, original.body)


def test_v3_without_a_nonce_is_refused(strict):
    new_client(AK, SECRET).describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    original = strict.captured[-1]
    resp = strict.engine.handle(_resigned(original, drop=("x-acs-signature-nonce",)))
    assert (resp.status, body(resp)["Code"]) == (400, "MissingParameter")
    assert "x-acs-signature-nonce" in body(resp)["Message"]
    # The same hand signing with a fresh nonce passes: only the missing nonce was refused.
    resp = strict.engine.handle(_resigned(original, **{"x-acs-signature-nonce": uuid.uuid4().hex}))
    assert resp.status == 200, resp.body


def test_v3_algorithm_name_is_checked(strict):
    import hashlib

    new_client(AK, SECRET).describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou"))
    original = strict.captured[-1]
    for name in ("ACS3-HMAC-SM3", "ACS3-HMAC-MD5", "ACS3-RSA-SHA256"):  # a SHA-256 signature under another name
        headers = dict(original.headers)
        headers["authorization"] = headers["authorization"].replace("ACS3-HMAC-SHA256", name)
        code = body(_replay(strict, original, headers=headers))["Code"]
        assert code in ("SignatureDoesNotMatch", "IncompleteSignature"), (name, code)
    if "sm3" in hashlib.algorithms_available:  # the SDK's own SM3 signer is understood
        sm3 = new_client(AK, SECRET, signature_algorithm="ACS3-HMAC-SM3")
        assert sm3.describe_zones(models.DescribeZonesRequest(region_id="cn-hangzhou")).status_code == 200
        assert strict.captured[-1].headers["authorization"].startswith("ACS3-HMAC-SM3 ")


def _v1_request(stamp: float, nonce: str) -> HttpRequest:
    params = {"Action": "DescribeRegions", "Version": "2014-05-26", "Format": "JSON", "AccessKeyId": AK,
              "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": nonce,
              "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))}
    params["Signature"] = v1_signature("GET", params, SECRET)
    return HttpRequest("GET", "https://ecs.aliyuncs.com/?" + urlencode(params), {}, b"")


def test_nonces_are_kept_for_the_whole_timestamp_window(strict, monkeypatch):
    now = time.time()
    request = _v1_request(now + 14 * 60, uuid.uuid4().hex)  # stamped 14 minutes ahead: valid until now + 29 min
    assert strict.engine.handle(request).status == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 901)  # past the old 900 s nonce lifetime
    resp = strict.engine.handle(request)
    assert (resp.status, body(resp)["Code"]) == (400, "SignatureNonceUsed")
    monkeypatch.setattr(time, "time", lambda: real_time() + 29 * 60 + 2)  # the stamp itself is now too old
    assert body(strict.engine.handle(request))["Code"] == "InvalidTimeStamp.Expired"


def test_many_live_nonces_cost_no_table_rebuild():
    from mockecs.state.accounts import Accounts

    accounts = Accounts()
    expires = time.time() + 900
    for n in range(20_000):
        assert not accounts.nonce_seen(f"live-{n}", expires)
    start = time.perf_counter()
    for n in range(2_000):  # rebuilding a 20,000-entry table per call took about 3 s here
        assert not accounts.nonce_seen(f"new-{n}", expires)
    assert time.perf_counter() - start < 1.0
    assert accounts.nonce_seen("live-7", expires) and accounts.nonce_seen("new-7", expires)
    assert not accounts.nonce_seen("gone", time.time() - 1) and not accounts.nonce_seen("gone", expires)


def test_sts_token_only_with_its_own_access_key(strict):
    strict.engine.accounts.add_key("2000000000000002", "STS.tmp-ak", "tmp-secret", security_token="token-xyz")
    request = models.DescribeZonesRequest(region_id="cn-hangzhou")
    for client in (new_client(AK, SECRET, security_token="token-xyz"),  # another key with the token
                   new_client(AK, SECRET, security_token="made-up"),
                   new_client("STS.tmp-ak", "tmp-secret")):  # the STS key without its token
        with pytest.raises(ClientException) as err:
            client.describe_zones(request)
        assert (err.value.code, err.value.status_code) == ("InvalidSecurityToken.Mismatch", 400)
    assert new_client("STS.tmp-ak", "tmp-secret", security_token="token-xyz").describe_zones(request).status_code == 200

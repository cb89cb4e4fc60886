"""Tampering with signed requests: strict signature mode must refuse every altered one, with the right code.

    python benchmarks/tamper.py                # 20 rounds of every client's requests
    python benchmarks/tamper.py --quick        # 2 rounds: a smoke test

Each round has the real SDKs sign requests (the current SDK with V3 ACS3-HMAC-SHA256, ACS3-HMAC-SM3 where
OpenSSL has SM3, and an STS token; the current SDK in v2 mode and the old SDK with RPC v1), captured
by a lenient engine, so the strict engine under test has never seen their nonces. Then every signed
part is altered one at a time (each query parameter and signed header changed, removed, one added;
the method, path, body, Authorization's algorithm, key, signed header list and signature), and each
alteration is sent to the strict engine: it must be refused with the code the gateway documents for
it (spec §1.5). Then each untouched request (must be accepted), its replay (SignatureNonceUsed),
re-signed copies stamped 16 minutes off (InvalidTimeStamp.Expired) and requests from unknown keys
(InvalidAccessKeyId.NotFound). In-process, loopback-free; bounded in count.
"""
from __future__ import annotations

import argparse
import hmac
import json
import sys
import time
import uuid
from collections import Counter
from typing import Callable, Iterator, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

from _harness import MACHINE_NOTE, Targets

from mockecs.engine.core import Config, Engine
from mockecs.modes.mock import MockECS
from mockecs.wire.protocol import HttpRequest, decode
from mockecs.wire.signing import V3_HASHES, v1_signature, v3_string_to_sign

ACCOUNT, AK, SECRET = "2000000000000001", "tamper-ak", "tamper-secret"
STS_AK, STS_SECRET, STS_TOKEN = "STS.tamper", "sts-secret", "sts-token-1"
V1_NAMES = {"Signature", "SignatureNonce", "Timestamp", "AccessKeyId", "SignatureMethod", "SignatureVersion"}


def capture(calls: Callable[[], None]) -> list[HttpRequest]:
    """The requests the SDKs send for ``calls``, answered by a lenient engine (their nonces stay fresh)."""
    lenient = Engine()
    seen: list[HttpRequest] = []
    handle = lenient.handle

    def recording(request: HttpRequest) -> object:
        seen.append(request)
        return handle(request)

    lenient.handle = recording  # type: ignore[method-assign]
    with MockECS(lenient):
        calls()
    return seen


def sdk_calls(rounds: int) -> Callable[[], None]:
    from alibabacloud_ecs20140526 import models
    from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest

    from mockecs.modes.clients import client, legacy_client

    def run() -> None:
        clients = [client(AK, SECRET), client(AK, SECRET, signature_algorithm="v2"),
                   client(STS_AK, STS_SECRET, security_token=STS_TOKEN)]
        if "ACS3-HMAC-SM3" in V3_HASHES:
            clients.append(client(AK, SECRET, signature_algorithm="ACS3-HMAC-SM3"))
        legacy = legacy_client(AK, SECRET)
        for n in range(rounds):
            for c in clients:
                c.describe_images(models.DescribeImagesRequest(
                    region_id="cn-hangzhou", image_owner_alias="system", page_size=5, image_name=f"ubuntu {n}",
                    tag=[models.DescribeImagesRequestTag(key="env", value="a b")]))
                c.describe_regions(models.DescribeRegionsRequest(accept_language="en-US"))
            request = DescribeImagesRequest()
            request.set_ImageOwnerAlias("system")
            request.set_PageSize(5)
            request.set_accept_format("JSON")
            legacy.do_action_with_exception(request)

    return run


def _changed(text: str) -> str:
    """``text`` with one character changed (a digit stays a digit, so time stamps keep their format)."""
    if not text:
        return "x"
    i = len(text) - 1
    c = text[i]
    return text[:i] + (str((int(c) + 1) % 10) if c.isdigit() else ("b" if c != "b" else "c"))


def _with_query(request: HttpRequest, query: dict, method: Optional[str] = None, path: Optional[str] = None,
                headers: Optional[dict] = None, body: Optional[bytes] = None) -> HttpRequest:
    parts = urlsplit(request.url)
    url = parts._replace(query=urlencode(query), path=path if path is not None else parts.path).geturl()
    return HttpRequest(method or request.method, url, headers if headers is not None else dict(request.headers),
                       request.body if body is None else body, lowered=True)


def alterations(request: HttpRequest) -> Iterator[tuple[str, HttpRequest, set[str]]]:
    """(what was altered, the altered request, the codes that may answer it)."""
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    mismatch = {"SignatureDoesNotMatch"}
    auth = request.headers.get("authorization", "")
    if auth.startswith("ACS3-"):  # V3: signed headers, the query, the body, the method, Authorization
        special = {"x-acs-action": {"InvalidAction.NotFound"}, "x-acs-version": {"InvalidVersion"},
                   "x-acs-security-token": {"InvalidSecurityToken.Mismatch"}}
        removed = {"x-acs-signature-nonce": {"MissingParameter"}, "x-acs-action": {"MissingParameter"},
                   "x-acs-version": {"MissingParameter"}, "x-acs-security-token": {"InvalidSecurityToken.Mismatch"}}
        algorithm, rest = auth.split(" ", 1)
        fields = dict(part.split("=", 1) for part in rest.split(","))
        for name in fields["SignedHeaders"].split(";"):
            headers = dict(request.headers)
            headers[name] = _changed(headers.get(name, ""))
            yield f"v3 header {name} changed", _with_query(request, query, headers=headers), special.get(name, mismatch)
            headers = {k: v for k, v in request.headers.items() if k != name}
            removal = _with_query(request, query, headers=headers)
            if name == "host":  # without a Host header the URL's authority is the host: one the signer did not sign
                parts = urlsplit(removal.url)
                other = "ecs.aliyuncs.com" if parts.netloc != "ecs.aliyuncs.com" else "ecs-cn-hangzhou.aliyuncs.com"
                removal.url = parts._replace(netloc=other).geturl()
            yield f"v3 header {name} removed", removal, removed.get(name, mismatch)
        for key in query:
            yield f"v3 query {key} changed", _with_query(request, {**query, key: _changed(query[key])}), mismatch
            yield f"v3 query {key} removed", _with_query(request, {k: v for k, v in query.items() if k != key}), \
                mismatch
        yield "v3 query parameter added", _with_query(request, {**query, "Extra": "1"}), mismatch
        yield "v3 body added", _with_query(request, query, body=b"Extra=1"), mismatch
        yield "v3 method changed", _with_query(request, query, method="GET" if request.method == "POST" else "POST"), \
            mismatch
        yield "v3 path changed", _with_query(request, query, path="/x"), mismatch
        variants = {
            "algorithm": (f"ACS3-HMAC-{'SM3' if algorithm.endswith('SHA256') else 'SHA256'}", fields,
                          mismatch | {"IncompleteSignature"}),
            "unknown algorithm": ("ACS3-HMAC-MD5", fields, {"IncompleteSignature"}),
            "key": (algorithm, {**fields, "Credential": "unknown-ak"},  # an STS token names its own key
                    {"InvalidAccessKeyId.NotFound", "InvalidSecurityToken.Mismatch"}),
            "signed header list": (algorithm, {**fields, "SignedHeaders": ";".join(
                h for h in fields["SignedHeaders"].split(";") if h != "x-acs-date")}, {"IncompleteSignature"}),
            "signature": (algorithm, {**fields, "Signature": _changed(fields["Signature"])}, mismatch),
        }
        for what, (algo, parts, codes) in variants.items():
            headers = dict(request.headers)
            headers["authorization"] = f"{algo} " + ",".join(f"{k}={v}" for k, v in parts.items())
            yield f"v3 authorization {what} changed", _with_query(request, query, headers=headers), codes
        headers = {**request.headers, "x-acs-extra": "unsigned"}
        yield "v3 unsigned x-acs header added", _with_query(request, query, headers=headers), {"IncompleteSignature"}
        return
    # RPC v1: every query parameter is signed
    special = {"AccessKeyId": {"InvalidAccessKeyId.NotFound"}, "SignatureMethod": {"InvalidParameter"},
               "Action": {"InvalidAction.NotFound"}, "Version": {"InvalidVersion"},
               "SecurityToken": {"InvalidSecurityToken.Mismatch"},
               "Timestamp": {"IllegalTimestamp"}}  # its last character, "Z", changed: no longer a time stamp
    removed = {name: {"MissingParameter"} for name in ("Signature", "SignatureNonce", "Timestamp", "AccessKeyId")}
    # The current SDK in v2 mode also sends x-acs-action/x-acs-version headers: without the query's
    # Action/Version those name the action, and the signature (over the query) no longer matches.
    removed.update(Action={"MissingParameter", "SignatureDoesNotMatch"}, Version={"MissingParameter",
                                                                                   "SignatureDoesNotMatch"})
    for key in query:
        yield f"v1 {key} changed", _with_query(request, {**query, key: _changed(query[key])}), special.get(
            key, mismatch)
        yield f"v1 {key} removed", _with_query(request, {k: v for k, v in query.items() if k != key}), removed.get(
            key, mismatch)
    yield "v1 parameter added", _with_query(request, {**query, "Extra": "1"}), mismatch
    yield "v1 method changed", _with_query(request, query, method="GET" if request.method == "POST" else "POST"), \
        mismatch


def code_of(engine: Engine, request: HttpRequest) -> tuple[int, Optional[str]]:
    response = engine.handle(request)
    body = json.loads(response.body) if response.body.startswith(b"{") else {}
    return response.status, body.get("Code")


def restamped(request: HttpRequest, offset: float) -> tuple[HttpRequest, str]:
    """``request`` signed again by hand, stamped ``offset`` seconds from now, with a fresh nonce."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))
    auth = request.headers.get("authorization", "")
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    if not auth.startswith("ACS3-"):
        query.update(Timestamp=stamp, SignatureNonce=uuid.uuid4().hex)
        query.pop("Signature", None)
        query["Signature"] = v1_signature(request.method, query, SECRET)
        return _with_query(request, query), "v1"
    algorithm, rest = auth.split(" ", 1)
    fields = dict(part.split("=", 1) for part in rest.split(","))
    headers = {**request.headers, "x-acs-date": stamp, "x-acs-signature-nonce": uuid.uuid4().hex}
    secret = SECRET if fields["Credential"] == AK else STS_SECRET
    sts = v3_string_to_sign(decode(HttpRequest(request.method, request.url, headers, request.body, lowered=True)),
                            fields["SignedHeaders"], algorithm=algorithm)
    fields["Signature"] = hmac.new(secret.encode(), sts.encode(), V3_HASHES[algorithm]).hexdigest()
    headers["authorization"] = f"{algorithm} " + ",".join(f"{k}={v}" for k, v in fields.items())
    return _with_query(request, query, headers=headers), "v3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="2 rounds: a smoke test")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    targets = Targets(f"tamper: {rounds} rounds of signed requests from both SDKs", MACHINE_NOTE)
    strict = Engine(Config(strict_signatures=True))
    strict.accounts.add_key(ACCOUNT, AK, SECRET)
    strict.accounts.add_key("2000000000000002", STS_AK, STS_SECRET, security_token=STS_TOKEN)
    start = time.monotonic()
    captured = capture(sdk_calls(rounds))
    outcomes: Counter = Counter()
    wrong: list[tuple[str, int, Optional[str], set]] = []
    for request in captured:
        for what, altered, codes in alterations(request):
            status, code = code_of(strict, altered)
            outcome = "refused as documented" if status >= 400 and code in codes else \
                "ACCEPTED" if status < 400 else "refused with another code"
            outcomes[outcome] += 1
            if outcome != "refused as documented":
                wrong.append((what, status, code, codes))
    untouched = [code_of(strict, request) for request in captured]
    replays = [code_of(strict, request) for request in captured]
    expired = [code_of(strict, restamped(request, offset)[0]) for request in captured for offset in (-960, 960)]
    fresh = [code_of(strict, restamped(request, 0)[0]) for request in captured]
    unknown = capture(lambda: _unknown_key_calls())
    unknown_codes = [code_of(strict, request) for request in unknown]
    elapsed = time.monotonic() - start

    total = sum(outcomes.values())
    kinds = Counter(r.headers.get("authorization", "RPC-v1").split(" ")[0] for r in captured)
    targets.figure("signed requests captured", f"{len(captured)} ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
    targets.figure("time", f"{elapsed:.1f} s")
    refused = outcomes["refused as documented"]
    targets.check("alterations refused with the documented code", f"{refused}/{total} ({100 * refused / total:.1f}%)",
                  refused == total, "100%")
    for what, status, code, codes in wrong[:10]:
        print(f"    {what}: answered {status} {code}, expected one of {sorted(codes)}")
    accepted = sum(status == 200 for status, _ in untouched) + sum(status == 200 for status, _ in fresh)
    targets.check("untouched requests accepted (as sent, and re-signed now)",
                  f"{accepted}/{2 * len(captured)}", accepted == 2 * len(captured), "100%")
    for name, results, code in (("replays refused", replays, "SignatureNonceUsed"),
                                ("stamped 16 min off refused", expired, "InvalidTimeStamp.Expired"),
                                ("unknown keys refused", unknown_codes, "InvalidAccessKeyId.NotFound")):
        good = sum(c == code for _, c in results)
        targets.check(f"{name} ({code})", f"{good}/{len(results)}", good == len(results) and results != [], "100%")
    return targets.finish()


def _unknown_key_calls() -> None:
    from alibabacloud_ecs20140526 import models
    from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest

    from mockecs.modes.clients import client, legacy_client

    for c in (client("nobody", "x"), client("nobody", "x", signature_algorithm="v2")):
        c.describe_regions(models.DescribeRegionsRequest())
    request = DescribeRegionsRequest()
    request.set_accept_format("JSON")
    legacy_client("nobody", "x").do_action_with_exception(request)


if __name__ == "__main__":
    sys.exit(main())

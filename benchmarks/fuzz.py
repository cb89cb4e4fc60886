"""Fuzzing a running ``mockecs server``: mutated and malformed requests over every action and the control API.

    python benchmarks/fuzz.py                  # 100,000 requests (at most --seconds 900)
    python benchmarks/fuzz.py --quick          # 3,000: a smoke test
    python benchmarks/fuzz.py --requests 20000 --seed 7
    MOCKECS_FUZZ_LOG=/tmp/fuzz-server.log python benchmarks/fuzz.py   # keep the server's log (tracebacks of 5xx)

Requests: random parameter sets for every registered action of both APIs, ECS's and the VPC product's (the
server is their endpoint: the Version picks the API) (plausible values, real ids, garbage:
``tests/test_fuzz.py``'s generator), then mutated (keys dropped, values cut, control characters,
Unicode and 5,000-digit list indexes, broken escapes); raw malformed requests (bad methods' bodies,
random bytes, broken Authorization headers, unknown actions); wrong-typed and deeply nested JSON to
every control endpoint, with and without the token; OSS requests, most of them validly signed, over buckets, keys,
subresources, headers and bodies (``tests/test_fuzz_oss.py``'s generator: an OSS answer must carry its
x-oss-request-id and, for an error, an ``<Error>`` document; 501 is OSS's answer for what the fake does not model);
and, mixed in, valid calls through both SDKs that must succeed.

Prints: answers with status >= 500, API answers without a RequestId, unparseable bodies (each
target 0), failed SDK calls (target 0) and the server's RSS after warm-up and at the end (target:
grows < 50 MB; the warm-up first fills the bounded call record). Loopback only; bounded in count and time.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote, urlencode

from _harness import MACHINE_NOTE, Conn, Server, Targets

from mockecs.ops.registry import REGISTRIES, load_all
from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from tests.test_fuzz import GARBAGE, flat, known_ids  # the generator of the test suite's fuzz test, at full size here
from tests.test_fuzz_oss import check as oss_check
from tests.test_fuzz_oss import oss_request

CONTROL = ["health", "reset", "state", "accounts", "clock/advance", "config", "transitions", "faults", "calls", "nope"]
CONTROL_KEYS = ["store", "accounts", "keys", "clock_offset", "seconds", "account_id", "access_key_id",
                "access_key_secret", "security_token", "mode", "transitions", "delays", "fail", "fail_next",
                "action", "code", "status", "times", "latency", "message", "options", "image_quota", "max_calls",
                "region", "record", "terms", "image", "m-1", "count", "observations"]


load_all()  # (the modules loaded on first use too: their actions are fuzzed like the others)
ACTIONS = sorted((version, action) for version, operations in REGISTRIES.items() for action in operations)


def api_request(rng: random.Random, known: dict) -> tuple[str, str, bytes, dict, str]:
    """(method, path, body, headers, format) of a random, often mutated, API request."""
    version, action = rng.choice(ACTIONS)
    fmt = rng.choice(["JSON", "JSON", "XML"])
    params = {"Action": action, "Version": version, "Format": fmt,
              **flat(rng, REGISTRIES[version][action].params, known)}
    roll = rng.random()
    if roll < 0.05:
        params.pop(rng.choice(["Action", "Version"]))
    elif roll < 0.08:
        params["Action"] = rng.choice(["DescribeVpcs", "Nope", "", "Describe Images", "\x01"])
    elif roll < 0.12 and params:
        key = rng.choice(list(params))
        params[key] = params[key][: rng.randint(0, 3)] + rng.choice(GARBAGE)
    query = urlencode(params)
    if rng.random() < 0.05:  # broken escapes and raw bytes in the query
        query += rng.choice(["&X=%zz", "&%=%", "&Tag.%C2%B2.Key=k", "&a=%FF%FE", "&&&=", "&Description=%01%02",
                                 "&Tag." + "1" * 5000 + ".Key=k", "&AddAccount.%D9%A3=1"])
    headers: dict[str, str] = {}
    if rng.random() < 0.03:
        headers["Authorization"] = rng.choice(["ACS3-HMAC-SHA256 x", "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,"
                                               "Signature=00", "Bearer x", "ACS3-" + "A" * 500])
    if rng.random() < 0.5:
        return "GET", "/?" + query, b"", headers, fmt
    headers["Content-Type"] = rng.choice(["application/x-www-form-urlencoded"] * 4 + ["", "application/json"])
    return "POST", "/", query.encode(), headers, fmt


def malformed(rng: random.Random) -> tuple[str, str, bytes, dict, str]:
    body = bytes(rng.randrange(256) for _ in range(rng.choice([0, 10, 200, 3000])))
    path = rng.choice(["/", "/?" + quote(body[:50].decode("latin-1")), "/x/y?Action=DescribeRegions",
                       "/?Action=DescribeRegions&Version=2014-05-26&Format=XML&" + "A=1&" * 500])
    return rng.choice(["POST", "PUT", "DELETE", "PATCH"]), path, body, {"Content-Type": rng.choice(
        ["application/x-www-form-urlencoded", "", "text/plain"])}, "XML"


def oss_call(rng: random.Random, conn: Conn) -> tuple[str, str, int, dict, bytes]:
    """A random OSS request sent to the server as its endpoint: (method, url, status, headers, body)."""
    method, url, headers, body = oss_request(rng, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
    host, _, rest = url.split("//", 1)[1].partition("/")
    # (http.client sends ASCII headers only, as any client: an IDNA host is what one would send)
    headers["host"] = host.encode("idna").decode() if not host.isascii() else host
    # (on the wire: a header's UTF-8 bytes, as clients send them; a Content-Length the body has, else the server
    # waits for bytes that never come, as any server would; no control characters, which HTTP forbids in a header
    # and the server's HTTP layer refuses before any product sees them)
    headers = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()
               if k != "content-length" and v.isprintable()}
    status, answer_headers, answer = conn.call(method, "/" + rest, body, headers)
    return method, url, status, {k.lower(): v for k, v in answer_headers.items()}, answer


def random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([None, True, 0, -1, 1e300, 2**70, "x", "", "1234567890123456", "m-1", "realistic",
                           "Throttling", "DescribeImages", [], {}, 0.5])
    if roll < 0.6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(CONTROL_KEYS): random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def control_request(rng: random.Random, token: dict) -> tuple[str, str, bytes, dict]:
    name = rng.choice(CONTROL)
    method = rng.choice(["GET", "POST", "PATCH", "DELETE"])
    roll = rng.random()
    if roll < 0.05:
        body = b"[" * 50_000 + b"]" * 50_000
    elif roll < 0.1:
        body = bytes(rng.randrange(256) for _ in range(50))
    else:
        data = random_json(rng)
        if isinstance(data, dict):
            data.pop("strict_signatures", None)
        body = json.dumps(data).encode()
    query = rng.choice(["", "?limit=5", "?offset=x", "?limit=-1", "?mode=merge", "?mode=x", "?action=DescribeImages"])
    return method, f"/_mockecs/{name}{query}", body, dict(token) if rng.random() < 0.5 else {}


def verdict(body: bytes, xml: bool) -> str:
    """"ok", "no RequestId" or "unparseable" for an API answer."""
    try:
        found = ET.fromstring(body).find("RequestId") is not None if xml else bool(json.loads(body).get("RequestId"))
    except (ValueError, ET.ParseError, AttributeError):
        return "unparseable"
    return "ok" if found else "no RequestId"


def sdk_call(server: Server, conn: Conn, n: int) -> bool:
    """A valid call through one of the SDKs; True if it succeeded as it must."""
    from alibabacloud_ecs20140526 import models
    from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest

    from mockecs.modes.clients import server_client, server_legacy_client

    conn.call("DELETE", "/_mockecs/faults", headers=server.auth)  # fuzzed faults must not fail the valid calls
    try:
        if n % 2:
            answer = server_client(server.url).describe_images(models.DescribeImagesRequest(
                region_id="cn-hangzhou", image_owner_alias="system", page_size=5))
            return answer.status_code == 200 and bool(answer.body.images.image)
        request = DescribeImagesRequest()
        request.set_ImageOwnerAlias("system")
        request.set_accept_format("JSON")
        return bool(json.loads(server_legacy_client(server.url).do_action_with_exception(request))["Images"])
    except Exception as err:  # noqa: BLE001 - any failure of a valid call is a finding
        print(f"  SDK call failed: {type(err).__name__}: {str(err)[:200]}", flush=True)
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=900, help="stop early after this long")
    parser.add_argument("--seed", default="mockecs-fuzz")
    parser.add_argument("--quick", action="store_true", help="3,000 requests: a smoke test")
    args = parser.parse_args()
    total = 3_000 if args.quick else args.requests
    rng = random.Random(args.seed)
    targets = Targets(f"fuzz: {total} requests against mockecs server", MACHINE_NOTE)
    server = Server(log=os.environ.get("MOCKECS_FUZZ_LOG"))
    conn = Conn(server.host, server.port)
    try:
        from mockecs.modes.clients import server_client

        known = known_ids(server_client(server.url))
        counts = {"api": 0, "malformed": 0, "control": 0, "oss": 0, "sdk": 0}
        found = {"5xx": [], "no RequestId": [], "unparseable": [], "sdk": 0, "oss": []}
        warmup = min(total // 10, 12_000)  # fills the (bounded) call record before RSS is first read
        rss_before = None
        deadline = time.monotonic() + args.seconds
        start = time.monotonic()
        for n in range(total + warmup):
            if n == warmup:
                rss_before, start = server.rss_mb(), time.monotonic()
            if time.monotonic() > deadline:
                break
            roll = rng.random()
            if roll < 0.01:
                counts["sdk"] += 1
                found["sdk"] += not sdk_call(server, conn, n)
                continue
            if roll < 0.08:
                counts["control"] += 1
                method, path, body, headers = control_request(rng, server.auth)
                status, _, answer = conn.call(method, path, body, headers)
                if status >= 500:
                    found["5xx"].append((method, path, body[:80], answer[:200]))
                try:
                    json.loads(answer)
                except ValueError:
                    found["unparseable"].append((method, path, body[:80], answer[:200]))
                continue
            if roll < 0.16:
                counts["oss"] += 1
                method, url, status, answer_headers, answer = oss_call(rng, conn)
                problem = oss_check(method, status, answer_headers, answer)
                if problem:
                    found["oss"].append((problem, method, url[:200], answer[:200]))
                continue
            kind = "malformed" if roll < 0.23 else "api"
            counts[kind] += 1
            method, path, body, headers, fmt = malformed(rng) if kind == "malformed" else api_request(rng, known)
            status, response_headers, answer = conn.call(method, path, body, headers)
            if status >= 500:
                found["5xx"].append((method, path[:200], body[:80], answer[:200]))
            result = verdict(answer, response_headers.get("Content-Type", "").startswith("text/xml"))
            if result != "ok":
                found[result].append((method, path[:200], body[:80], answer[:200]))
        elapsed = time.monotonic() - start
        rss_after = server.rss_mb()
        targets.figure("requests", f"{sum(counts.values()) - warmup} measured after {warmup} warm-up "
                                   f"({', '.join(f'{k} {v}' for k, v in counts.items())}), {elapsed:.0f} s")
        for name in ("5xx", "no RequestId", "unparseable"):
            targets.check(f"answers {name}", len(found[name]), not found[name], "0")
            for example in found[name][:3]:
                print(f"    e.g. {example!r}"[:600])
        targets.check("OSS answers 5xx, without x-oss-request-id or without their error document", len(found["oss"]),
                      not found["oss"], "0")
        for example in found["oss"][:3]:
            print(f"    e.g. {example!r}"[:600])
        targets.check("failed SDK calls", found["sdk"], found["sdk"] == 0, "0")
        growth = rss_after - (rss_before or rss_after)
        targets.check("server RSS", f"{rss_before:.1f} MB -> {rss_after:.1f} MB (+{growth:.1f} MB)", growth < 50,
                      "growth < 50 MB")
    finally:
        conn.close()
        server.stop()
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())

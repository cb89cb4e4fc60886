"""No request makes the instance metadata service (``http://100.100.100.200``) answer 500 or fail: random paths
(the instance's own tree, walked, cut and garbled), versions, methods, tokens and TTLs, seeded so a failure replays.
Every answer is a 2xx, or the service's 4xx as plain text (404, 400, 401, 403, 405)."""
from __future__ import annotations

import random

import pytest

from mockecs.modes.clients import vpc_client
from mockecs.modes.offline import MetadataServer
from tests.sdk import new_client
from tests.test_cloud_init import launch

GARBAGE = ["", "/", "//", "..", "%00", "%zz", "\x01", "中文", "a" * 3000, "all", "all/", "?x=1", "#", "*", ";", "~"]


def paths(tree: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in tree.items():
        out.append(prefix + key)
        if isinstance(value, dict):
            out.append(prefix + key + "/")
            out += paths(value, prefix + key + "/")
    return out


def random_path(rng: random.Random, known: list[str]) -> str:
    version = rng.choice(["latest", "latest", "2016-01-01", "1.0", "nope", ""])
    area = rng.choice(["meta-data/", "meta-data/", "user-data", "vendor-data", "dynamic/instance-identity/document",
                       "dynamic/", "api/token", "", rng.choice(GARBAGE)])
    path = f"/{version}/{area}"
    if area == "meta-data/" and rng.random() < 0.8:
        path += rng.choice(known)
        if rng.random() < 0.3:
            path = path[: rng.randint(1, len(path))] + rng.choice(GARBAGE)
    return path


@pytest.mark.parametrize("seed", range(2))
def test_metadata_fuzz_never_fails(mock, seed):
    rng = random.Random(f"metadata-fuzz-{seed}")
    facts = launch(new_client(), vpc_client())
    server = MetadataServer(mock.engine, facts["instance_id"])
    known = paths(server._instance()[0])
    assert "instance-id" in known and len(known) > 20
    token = server.answer("PUT", "http://100.100.100.200/latest/api/token",
                          {"X-aliyun-ecs-metadata-token-ttl-seconds": "60"}).body.decode()
    statuses = set()
    for _ in range(600):
        method = rng.choice(["GET", "GET", "GET", "HEAD", "PUT", "POST", "DELETE"])
        headers = {}
        if rng.random() < 0.4:
            headers["X-aliyun-ecs-metadata-token"] = rng.choice([token, token[:-3], "", "x", token + "x", "中文",
                                                                 "1-2.3", "9" * 40 + "-x.y"])
        if rng.random() < 0.3:
            headers["X-aliyun-ecs-metadata-token-ttl-seconds"] = rng.choice(["1", "21600", "21601", "0", "-1", "x",
                                                                             " 60 ", "", "9" * 30])
        if rng.random() < 0.05:
            headers["X-Forwarded-For"] = "10.0.0.1"
        answer = server.answer(method, "http://100.100.100.200" + random_path(rng, known), headers)
        statuses.add(answer.status)
        assert answer.status < 500, (method, headers, answer.status, answer.body[:200])
        assert isinstance(answer.body, bytes)
    assert {200, 404} <= statuses

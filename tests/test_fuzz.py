"""No input makes the fake answer 500: random parameter sets for every registered operation.

Values mix plausible ones (real ids from a small world built first, catalog image ids, regions,
booleans, numbers at and past their limits) with garbage (blank, huge, negative, wrong type,
unicode, JSON-ish). Seeded, so a failure replays; the answer must be 200 or a 4xx ECS error.
"""
from __future__ import annotations

import json
import random
import xml.dom.minidom
from urllib.parse import urlencode

import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.core import Engine
from mockecs.modes.mock import MockECS
from mockecs.ops.registry import REGISTRY
from mockecs.wire.params import Param
from mockecs.wire.protocol import HttpRequest
from tests.sdk import new_client

GARBAGE = ["", " ", "-1", "0", "2147483648", "99999999999999999999", "true", "False", "maybe", "[]", "[\"x\"]",
           "{}", "null", "None", "中文", "a" * 300, "m-", "i-nothere", "s-nothere", ",", "*", "%", "acs:x", "http://x",
           "\x01", "a\x00b", "x\x1fy\ufffe", "\x7f<&>\"",  # control characters: XML answers must still parse
           "1e400", "NaN", "9" * 5000, "\U0001F600"]


def world(engine: Engine) -> dict[str, list[str]]:
    """A few real resources, so that random requests also hit existing ids."""
    with MockECS(engine):
        return known_ids(new_client())


def known_ids(client) -> dict[str, list[str]]:
    """Ids of a few resources made through ``client`` (the current SDK), by parameter name."""
    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    disk_id = client.describe_disks(models.DescribeDisksRequest(
        region_id="cn-hangzhou", instance_id=instance_id)).body.disks.disk[0].disk_id
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
    image_id = client.create_image(models.CreateImageRequest(
        region_id="cn-hangzhou", snapshot_id=snapshot_id, image_name="fuzz-base",
        description="fuzz\x01base\x1f")).body.image_id
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket="fuzz-bucket", ossobject="disk.qcow2")
    task_id = client.import_image(models.ImportImageRequest(
        region_id="cn-hangzhou", image_name="fuzz-import", disk_device_mapping=[mapping])).body.task_id
    return {"ImageId": [image_id, "ubuntu_22_04_x64_20G_alibase_20240130.vhd", "m-nothere0000000000000"],
            "InstanceId": [instance_id], "DiskId": [disk_id], "SnapshotId": [snapshot_id], "TaskId": [task_id],
            "RegionId": ["cn-hangzhou"] * 6 + ["cn-beijing", "nowhere-1"],
            "InstanceType": ["ecs.g7.large", "ecs.g8y.large"]}


def value(rng: random.Random, param: Param, known: dict[str, list[str]]) -> str:
    if rng.random() < 0.2:
        return rng.choice(GARBAGE)
    if param.wire in known:
        return rng.choice(known[param.wire])
    if param.choices:
        return rng.choice(list(param.choices))
    if param.kind == "bool":
        return rng.choice(["true", "false", "True"])
    if param.kind in ("int", "long", "float"):
        return str(rng.choice([1, 2, 10, 20, 40, 100, 101, 500, 5000]))
    if param.kind == "json":
        return json.dumps(rng.sample(sum(known.values(), []), 2))
    return rng.choice(["fuzz-name", "Available", "linux", "x86_64", "system", "self", "others", "env", "a b"])


def flat(rng: random.Random, params: tuple, known: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for param in params:
        if rng.random() < (0.05 if param.required or param.wire in known else 0.6):
            continue  # required and id parameters are nearly always sent, so most requests get past validation
        name = prefix + param.wire
        if param.kind in ("list", "structs"):
            for n in range(1, rng.choice([2, 3, 22])):
                if param.kind == "list":
                    out[f"{name}.{n}"] = value(rng, param.item or param, known)
                else:
                    out.update(flat(rng, param.fields, known, f"{name}.{n}."))
        elif param.kind == "struct":
            out.update(flat(rng, param.fields, known, f"{name}."))
        else:
            out[name] = value(rng, param, known)
    return out


@pytest.fixture(scope="module")
def fuzz_engine():
    engine = Engine()
    return engine, world(engine)


@pytest.mark.parametrize("action", sorted(REGISTRY))
def test_no_input_answers_500(fuzz_engine, action):
    engine, known = fuzz_engine
    rng = random.Random(f"mockecs-fuzz-{action}")
    for _ in range(80):
        params = {"Action": action, "Version": "2014-05-26", "Format": rng.choice(["JSON", "XML"]),
                  **flat(rng, REGISTRY[action].params, known)}
        resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/",
                                         {"content-type": "application/x-www-form-urlencoded"},
                                         urlencode(params).encode()))
        assert resp.status < 500, (action, params, resp.body[:300])
        assert_parses(resp, params)


def assert_parses(resp, params) -> None:
    """Every answer is a well-formed document with a RequestId, in the format asked for."""
    if params.get("Format") == "XML":
        doc = xml.dom.minidom.parseString(resp.body)
        assert doc.getElementsByTagName("RequestId"), (params, resp.body[:300])
    else:
        assert json.loads(resp.body)["RequestId"], (params, resp.body[:300])


def plausible(param: Param, known: dict[str, list[str]], name: str = "") -> dict[str, str]:
    """A valid-looking value of ``param`` as wire parameters."""
    name = name or param.wire
    if param.kind == "list":
        return {f"{name}.1": next(iter(plausible(param.item or Param(param.wire), known).values()))}
    if param.kind in ("structs", "struct"):
        prefix = f"{name}.1." if param.kind == "structs" else f"{name}."
        return {k: v for f in param.fields for k, v in plausible(f, known, prefix + f.wire).items()}
    if param.wire in known:
        return {name: known[param.wire][0]}
    if param.choices:
        return {name: param.choices[0]}
    return {name: {"bool": "true", "int": "1", "long": "1", "float": "1", "json": "[]"}.get(param.kind, "x")}


# Indexes ``str.isdigit()`` takes but ``int()`` refuses: Unicode digits, and more than 4,300 digits.
BAD_INDEXES = ["\u00b2", "\u0663", "1" * 5000]
INDEXED = [(action, param) for action, op in sorted(REGISTRY.items()) for param in op.params
              if param.kind in ("list", "structs")]


@pytest.mark.parametrize(("action", "param"), INDEXED, ids=[f"{a}-{p.wire}" for a, p in INDEXED])
def test_malformed_list_indexes_answer_invalid_parameter(fuzz_engine, action, param):
    engine, known = fuzz_engine
    base = {"Action": action, "Version": "2014-05-26", "Format": "JSON",
            **{k: v for p in REGISTRY[action].params if p.required for k, v in plausible(p, known).items()}}
    for index in BAD_INDEXES:
        name = f"{param.wire}.{index}" + (f".{param.fields[0].wire}" if param.kind == "structs" else "")
        resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/",
                                         {"content-type": "application/x-www-form-urlencoded"},
                                         urlencode({**base, name: "v"}).encode()))
        body = json.loads(resp.body)
        assert resp.status == 400 and body["Code"].startswith("Invalid"), (action, name[:40], body)
        assert body["RequestId"]


# -- the control API ---------------------------------------------------------------------
CONTROL_BODIES = [
    b"", b"{}", b"[]", b"null", b"5", b'"x"', b"{", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b'{"store": "x"}', b'{"store": {"image": 5}}',
    b'{"store": {"image": {"m-1": 5}}}', b'{"store": {"image": {"m-1": {"record": "x"}}}}',
    b'{"store": {"image": {"m-1": {"record": {"ImageId": "m-2"}}}}}',
    b'{"store": {"image": {"m-1": {"record": {"ImageId": "m-1"}, "terms": [1]}}}}',
    b'{"store": {"mockecs_key": {"k": {"record": {}}}}}', b'{"accounts": "x"}', b'{"accounts": {"accounts": 5}}',
    b'{"accounts": {"accounts": ["12"]}}', b'{"accounts": {"keys": [5]}}', b'{"accounts": {"keys": [{}]}}',
    b'{"clock_offset": "x"}', b'{"clock_offset": 1e300}', b'{"clock_offset": NaN}', b'{"seconds": NaN}',
    b'{"seconds": Infinity}', b'{"seconds": 1e300}', b'{"seconds": "60"}', b'{"seconds": true}',
    b'{"account_id": 5}', b'{"account_id": ["x"]}', b'{"account_id": "1234567890123456", "access_key_id": 5}',
    b'{"mode": 5}', b'{"options": 5}', b'{"delays": {"image": 5}}', b'{"delays": {"image": {"seconds": "x"}}}',
    b'{"fail": 5}', b'{"fail_next": {"image": {"count": "x"}}}', b'{"action": 5}', b'{"action": "DescribeImages"}',
    b'{"action": "DescribeImages", "code": "X", "times": "abc"}', b'{"action": "Nope", "code": "X"}',
    b'{"action": "DescribeImages", "code": "X", "status": "abc"}', b'{"seconds": 1e308}',
    b'{"options": {"image_quota": "x"}}', b'{"image_quota": "x"}', b'{"max_calls": -1}',
]


def test_control_api_answers_bad_bodies_with_a_json_400():
    from mockecs.modes.server.control import PREFIX, ControlApi

    engine = Engine()
    control = ControlApi(engine)
    for name, methods in control.routes.items():
        for method in methods:
            if name == "reset":
                continue
            for data in CONTROL_BODIES:
                resp = control.handle(HttpRequest(method, f"http://localhost{PREFIX}{name}", {}, data))
                assert resp.status < 500, (method, name, data[:60], resp.body[:200])
                answer = json.loads(resp.body)
                if resp.status >= 400:
                    assert answer["error"], (method, name, data[:60])
                for action in ("DescribeImages", "CreateImage", "DescribeRegions"):  # nothing accepted breaks them
                    api = engine.handle(HttpRequest("GET", "https://ecs.aliyuncs.com/?Action=" + action +
                                                    "&Version=2014-05-26&RegionId=cn-hangzhou&InstanceId=i-x", {}))
                    assert api.status < 500, (method, name, data[:60], api.body[:200])

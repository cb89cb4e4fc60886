"""No input makes the fake answer 500: random parameter sets for every registered operation.

Values mix plausible ones (real ids from a small world built first, catalog image ids, regions,
booleans, numbers at and past their limits) with garbage (blank, huge, negative, wrong type,
unicode, JSON-ish). Seeded, so a failure replays; the answer must be 200 or a 4xx ECS error.
"""
from __future__ import annotations

import json
import random
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
           "{}", "null", "None", "中文", "a" * 300, "m-", "i-nothere", "s-nothere", ",", "*", "%", "acs:x", "http://x"]


def world(engine: Engine) -> dict[str, list[str]]:
    """A few real resources, so that random requests also hit existing ids."""
    with MockECS(engine):
        client = new_client()
        run = client.run_instances(models.RunInstancesRequest(
            region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
        instance_id = run.body.instance_id_sets.instance_id_set[0]
        disk_id = client.describe_disks(models.DescribeDisksRequest(
            region_id="cn-hangzhou", instance_id=instance_id)).body.disks.disk[0].disk_id
        snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id)).body.snapshot_id
        image_id = client.create_image(models.CreateImageRequest(
            region_id="cn-hangzhou", snapshot_id=snapshot_id, image_name="fuzz-base")).body.image_id
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

"""The official Node.js ECS SDK against ``mockecs server`` (tests/node/flow.js).

Needs ``node`` and ``tests/node/node_modules`` (``bash tests/node/install.sh``); skips without them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from mockecs.modes.server import ServerThread

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@alicloud", "ecs20140526")),
                       reason="tests/node/node_modules is missing: run tests/node/install.sh"),
]


def run_flow(url: str, *args: str) -> dict:
    proc = subprocess.run([NODE, os.path.join(NODE_DIR, "flow.js"), url, *args], capture_output=True, text=True,
                          timeout=120, cwd=NODE_DIR)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_node_sdk_flow():
    with ServerThread() as server:
        # The flow's deleteMissingImage expects the 404: the old behaviour (issue 13 made it a no-op by default).
        server.engine.config.options["delete_missing_image"] = "error"
        out = run_flow(server.url)
        actions = [(c.action, c.status) for c in server.engine.calls]
    assert out["describeRegions"]["statusCode"] == 200
    assert {"cn-hangzhou", "cn-beijing", "eu-central-1"} <= set(out["describeRegions"]["regions"])
    assert "cn-beijing-g" in out["describeZones"]["zones"]
    assert out["badRegion"]["error"].startswith("Invalid") and out["badRegion"]["statusCode"] in (400, 404)
    assert actions[:2] == [("DescribeRegions", 200), ("DescribeZones", 200)]
    # describe / create / delete
    system = out["describeSystemImages"]
    assert system["statusCode"] == 200 and len(system["imageIds"]) == 5 and system["totalCount"] > 5
    assert out["runInstances"]["instanceIds"][0].startswith("i-")
    image_id = out["createImage"]["imageId"]
    assert image_id.startswith("m-")
    own = out["describeOwnImage"]
    assert own == {"statusCode": 200, "totalCount": 1, "imageName": "node-built-image", "status": "Available",
                   "imageFamily": "node-family", "size": 40, "tags": [["made-by", "node sdk"]]}
    assert out["deleteImage"]["statusCode"] == 200
    assert out["describeDeleted"] == {"statusCode": 200, "totalCount": 0}
    assert out["deleteMissingImage"]["error"] == "InvalidImageId.NotFound"
    assert out["deleteMissingImage"]["statusCode"] == 404
    assert ("CreateImage", 200) in actions and ("DeleteImage", 200) in actions


def test_node_sdk_strict_signatures():
    """The Node SDK's ACS3-HMAC-SHA256 signatures verify against a registered key."""
    from mockecs.engine.core import Config, Engine

    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key("5555555555555555", "node-key", "node-secret")
    with ServerThread(engine=engine) as server:
        good = run_flow(server.url, "node-key", "node-secret")
        bad = run_flow(server.url, "node-key", "wrong-secret")
    assert good["describeRegions"]["statusCode"] == 200
    assert "Signature" in bad["describeRegions"]["error"]
    assert engine.calls[0].account == "5555555555555555"

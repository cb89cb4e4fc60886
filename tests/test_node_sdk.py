"""The official Node.js ECS and VPC SDKs (tests/node/flow.js, vpc.js) against ``mockecs server`` (Node's RPC client
@alicloud/pop-core: tests/test_node_popcore.py).

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


def run_flow(url: str, *args: str, script: str = "flow.js") -> dict:
    proc = subprocess.run([NODE, os.path.join(NODE_DIR, script), url, *args], capture_output=True, text=True,
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


VPC_SDK = os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@alicloud", "vpc20160428"))


@pytest.mark.skipif(not VPC_SDK, reason="tests/node/node_modules has no VPC SDK: run tests/node/install.sh")
def test_node_vpc_sdk_network_and_public_address():
    """The Node.js VPC SDK and ECS SDK on one server endpoint (the engine tells the APIs apart by Version): a VPC
    with a tag, a vSwitch ECS sees, an instance in it, an EIP associated, shown by ECS; errors as the service's."""
    with ServerThread() as server:
        out = run_flow(server.url, script="vpc.js")
        calls = [(c.action, c.status) for c in server.engine.calls]
    assert out["createVpc"]["statusCode"] == 200 and out["createVpc"]["vpcId"].startswith("vpc-")
    assert out["createVpc"]["routeTableId"].startswith("vtb-")
    attribute = out["describeVpcAttribute"]
    assert attribute == {"status": attribute["status"], "cidrBlock": "10.0.0.0/8", "vpcName": "node-vpc",
                         "tags": [["made-by", "node vpc sdk"]]} and attribute["status"] in ("Pending", "Available")
    assert out["ecsDescribeVSwitches"]["ids"] == [out["createVSwitch"]["vSwitchId"]]
    assert out["runInstances"]["instanceId"].startswith("i-")
    assert out["associateEipAddress"]["statusCode"] == 200
    eip = out["describeEipAddresses"]
    assert eip["instanceId"] == out["runInstances"]["instanceId"] and eip["name"] == "node-eip"
    assert eip["bandwidth"] == "5" and eip["status"] in ("InUse", "Associating")
    assert out["ecsInstanceEip"]["ipAddress"] == out["allocateEipAddress"]["eipAddress"]
    in_use = out["deleteVpcInUse"]
    assert in_use["statusCode"] == 400 and in_use["error"].startswith("DependencyViolation")
    assert out["unknownVpc"]["statusCode"] == 404 and out["unknownVpc"]["error"] == "InvalidVpcId.NotFound"
    assert ("CreateVpc", 200) in calls and ("AllocateEipAddress", 200) in calls and ("RunInstances", 200) in calls

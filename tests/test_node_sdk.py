"""The official Node.js ECS SDK (tests/node/flow.js) and Node's RPC client @alicloud/pop-core (tests/node/popcore.js)
against ``mockecs server``.

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


POP_CORE = os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@alicloud", "pop-core"))


@pytest.mark.skipif(not POP_CORE, reason="@alicloud/pop-core is missing: run tests/node/install.sh")
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_pop_core_rpc_client(method):
    """Node's RPC client (@alicloud/pop-core: signature v1, JSON), parameters in the query (GET) or in a form
    body (POST): an image made from an instance, found, refused on a bad alias, deleted."""
    with ServerThread() as server:
        out = run_flow(server.url, method, script="popcore.js")
        answered = [(c.action, c.status, c.error_code) for c in server.engine.calls]
        tags = server.engine.calls[2].params
    assert "cn-hangzhou" in out["describeRegions"]["regions"] and len(out["describeRegions"]["requestId"]) == 36
    assert out["describeSystemImages"]["pageSize"] == 5 and len(out["describeSystemImages"]["imageIds"]) == 5
    assert out["describeSystemImages"]["totalCount"] > 5
    assert tags["Tag.1.Key"] == "made-by" and tags["Tag.1.Value"] == "pop-core"  # (its list flattening)
    assert out["describeOwnImage"] == {"totalCount": 1, "imageName": f"pop-core-{method.lower()}-image",
                                       "description": "made by pop-core (100% Node)", "imageOwnerAlias": "self",
                                       "size": 40}
    assert out["badAlias"]["error"] == "InvalidImageOwnerAlias.ValueNotSupported"
    assert answered == [("DescribeRegions", 200, None), ("DescribeImages", 200, None), ("RunInstances", 200, None),
                        ("CreateImage", 200, None), ("DescribeImages", 200, None),
                        ("DescribeImages", 400, "InvalidImageOwnerAlias.ValueNotSupported"),
                        ("DeleteImage", 200, None), ("DeleteInstance", 200, None)]


@pytest.mark.skipif(not POP_CORE, reason="@alicloud/pop-core is missing: run tests/node/install.sh")
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_pop_core_strict_signatures(method):
    from mockecs.engine.core import Config, Engine

    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key("5555555555555556", "pop-key", "pop-secret")
    with ServerThread(engine=engine) as server:
        good = run_flow(server.url, method, "pop-key", "pop-secret", script="popcore.js")
        bad = run_flow(server.url, method, "pop-key", "wrong-secret", script="popcore.js")
    assert good["createImage"]["imageId"].startswith("m-") and "error" not in good["deleteInstance"]
    assert bad["describeRegions"]["error"] == "SignatureDoesNotMatch"
    assert {c.account for c in engine.calls if c.status == 200} == {"5555555555555556"}


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

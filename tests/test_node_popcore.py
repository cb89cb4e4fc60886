"""Node's classic RPC client ``@alicloud/pop-core`` (signature v1, JSON), unchanged, through ``mockecs server``:
an image pipeline from the catalogue to its cleanup (``tests/node/popcore_pipeline.js``), as the server's URL for an
endpoint and through the HTTPS proxy, GET and POST, ``formatParams`` on and off, strict signatures; errors checked
against the API metadata's codes and statuses, answers against its schemas and the SDK models.

Needs ``node`` and ``tests/node/node_modules`` (``bash tests/node/install.sh``); skips without them.
"""
from __future__ import annotations

import json
import os
import subprocess
from typing import Optional

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.modes.server import ServerThread
from mockecs.modes.server.tls import authority, ca_cert_path
from tests.spec import documented_error, response_problems
from tests.test_node_sdk import NODE, NODE_DIR

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@alicloud", "pop-core")),
                       reason="@alicloud/pop-core is missing: run tests/node/install.sh"),
]

# the default account: the catalogue shares images with it
ACCOUNT, KEY, SECRET = "1234567890123456", "pop-pipeline-key", "pop-pipeline-secret"
OTHER = {"otherAccessKeyId": "pop-other-key", "otherAccessKeySecret": "pop-other-secret"}  # the one shared with
SLOW = ("instance", "image", "copy", "snapshot", "vpc", "vswitch")  # each takes two reads: the scripts poll
# step -> (action, code): what the service documents for each refusal the pipeline provokes
REFUSALS = {
    "pagingUndefinedToken": ("DescribeSecurityGroups", "InValidParameter.NextToken"),
    "badAlias": ("DescribeImages", "InvalidImageOwnerAlias.ValueNotSupported"),
    "imageOfMissingInstance": ("CreateImage", "InvalidInstanceId.NotFound"),
    "copyMissingImage": ("CopyImage", "InvalidImageId.NotFound"),
    "shareMissingImage": ("DescribeImageSharePermission", "InvalidImageId.NotFound"),
    "snapshotMissingDisk": ("CreateSnapshot", "InvalidDiskId.NotFound"),
    "runWithMissingKeyPair": ("RunInstances", "InvalidKeyPairName.NotFound"),
    "deleteSnapshotOfImage": ("DeleteSnapshot", "SnapshotCreatedImage"),
    "deleteSharedImage": ("DeleteImage", "ImageUseShared"),
    "deleteGroupInUse": ("DeleteSecurityGroup", "DependencyViolation"),
}


def run_pipeline(config: dict, env: Optional[dict] = None) -> dict:
    proc = subprocess.run([NODE, "popcore_pipeline.js", json.dumps(config)], capture_output=True, text=True,
                          timeout=120, cwd=NODE_DIR, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def strict_engine() -> Engine:
    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key(ACCOUNT, KEY, SECRET)
    engine.accounts.add_key(ACCOUNT, "STS.pop-key", "sts-secret", security_token="pop-sts-token")
    engine.accounts.add_key("5555555555555557", OTHER["otherAccessKeyId"], OTHER["otherAccessKeySecret"])
    for kind in SLOW:
        engine.lifecycle.delay(kind, observations=2)
    engine.oss.create_bucket("cn-hangzhou", "pop-core-bucket")  # ExportImage's (registered: any OSS mode finds it)
    return engine


def check_pipeline(out: dict, method: str, formatted: bool) -> None:
    """Every step's answer, field by field, with the JS types pop-core hands its caller."""
    assert {"cn-hangzhou", "cn-shanghai"} <= set(out["describeRegions"]["regions"])
    assert len(out["describeRegions"]["requestId"]) == 36
    assert out["describeZones"]["zones"][0].startswith("cn-hangzhou-")
    system = out["images_system"]
    assert system["totalCount"] > 5 and system["pageSize"] == 5 and set(system["aliases"]) == {"system"}
    assert system["types"] == {"Size": "number", "IsPublic": "boolean", "Progress": "string",
                               "IsSupportCloudinit": "boolean", "Usable": "boolean", "CreationTime": "string"}
    assert out["images_self"]["totalCount"] == 0 and out["images_self"]["ids"] == []
    assert out["images_others"]["totalCount"] >= 1 and set(out["images_others"]["aliases"]) == {"others"}
    market = out["images_marketplace"]
    assert set(market["aliases"]) == {"marketplace"} and all(market["productCodes"])
    # the network, through the VPC product's API: Pending, then Available (the script polled)
    vpc = out["createVpc"]
    assert vpc["vpcId"].startswith("vpc-") and vpc["statuses"] == ["Pending", "Available"]
    # json-bigint (pop-core's parser) makes a number of more than 15 digits a BigNumber object
    assert vpc["ownerId"] == ACCOUNT and vpc["ownerIdType"] == "BigNumber"
    vsw = out["createVSwitch"]
    assert vsw["statuses"] == ["Pending", "Available"] and vsw["availableIpAddressCount"] == 252
    assert vsw["types"] == {"AvailableIpAddressCount": "number", "IsDefault": "boolean"}
    rules = out["authorizeRules"]
    assert rules["vpcId"] == vpc["vpcId"] and rules["priorityType"] == "string"
    assert sorted(rules["rules"]) == [["egress", "ALL", "-1/-1", "0.0.0.0/0"],
                                      ["ingress", "TCP", "22/22", "0.0.0.0/0"],
                                      ["ingress", "TCP", "443/443", "10.0.0.0/8"]]
    assert out["paging"]["ids"] == [out["createSecurityGroup"]["securityGroupId"]]
    assert out["createKeyPair"]["keyPairName"] == "pop-core-key" and out["createKeyPair"]["pem"] is True
    # the build instance, launched with tags and a data disk (repeat lists), polled until Running
    assert out["runInstances"]["instanceIds"][0].startswith("i-") and out["runInstances"]["tradePriceType"] == "number"
    running = out["waitRunning"]
    assert running["statuses"][-1] == "Running" and len(running["statuses"]) == 2
    assert running["vSwitchId"] == vsw["vSwitchId"] and running["zoneId"] == "cn-hangzhou-h"
    assert running["keyPairName"] == "pop-core-key"
    assert running["securityGroupIds"] == [out["createSecurityGroup"]["securityGroupId"]]
    assert running["tags"] == [["made-by", "pop-core"], ["stage", "build"]]
    assert running["types"] == {"Cpu": "number", "Memory": "number", "DeletionProtection": "boolean",
                                "InternetMaxBandwidthOut": "number", "CreationTime": "string"}
    disks = out["disks"]["disks"]
    assert [d[:3] for d in disks] == [["data", "cloud_essd", 20], ["system", "cloud_essd", 40]]
    # a snapshot, an image of the instance and one of the snapshot, each polled to its end
    snap = out["createSnapshot"]
    assert snap["seen"][0].startswith("progressing ") and snap["seen"][-1] == "accomplished 100%"
    assert snap["sourceDiskId"] == disks[1][3]
    assert snap["types"] == {"SourceDiskSize": "string", "Progress": "string", "RetentionDays": "number",
                             "InstantAccess": "boolean"}
    built = out["imageFromInstance"]
    assert built["seen"][0].startswith("Creating ") and built["seen"][-1] == "Available 100%"
    assert built == {**built, "name": f"pop-core-{method.lower()}-{str(formatted).lower()}", "alias": "self",
                     "description": "built by pop-core (100% Node) *~!'& 镜像", "family": "pop-core-family", "size": 40,
                     "mappings": [["system", "40"], ["data", "20"]], "tags": [["made-by", "pop-core"]]}
    from_snapshot = out["imageFromSnapshot"]
    assert from_snapshot["seen"][-1] == "Available 100%" and from_snapshot["snapshotIds"] == [snap["snapshotId"]]
    # the ignored SnapshotIds.1: every snapshot of the region (the system disk's and the image's two)
    assert out["snapshotIdsAsList"]["totalCount"] == 3
    copy = out["copyImage"]
    assert copy["imageId"].startswith("m-uf6") and copy["seen"][0].startswith("Creating ")
    assert copy == {**copy, "name": "pop-core-copy", "isCopied": True, "tags": [["copied-by", "pop-core"]]}
    assert out["share"] == {"accounts": ["5555555555555557"], "totalCount": 1, "shareGroups": [],
                            "aliyunIdType": "string"}
    assert out["sharedSeenByOther"] == [{"id": built["imageId"], "alias": "others", "owner": ACCOUNT, "usable": True,
                                         "isSelfShared": ""}]
    assert out["unsharedSeenByOther"] == []
    assert out["tags"]["tags"] == [["built", "made-by", "pop-core"], ["built", "release", "2024.06"],
                                   ["fromSnapshot", "release", "2024.06"]]
    assert out["filterByTag"]["ids"] == sorted([built["imageId"], from_snapshot["imageId"]])
    assert out["imageIdList"]["totalCount"] == 2
    assert out["describeTasks"] == {"tasks": [[out["exportImage"]["taskId"], "ExportImage",
                                               from_snapshot["imageId"]]], "totalCount": 1}
    # refusals: pop-core's Error has the answer's Code, its RequestId (data) and the HTTP status (entry.response)
    for step, (action, code) in REFUSALS.items():
        status, message = documented_error(action, code)
        got = out[step]
        assert (got["error"], got["statusCode"]) == (code, status), step
        assert got["message"].split(", URL: ")[0] == message and len(got["requestId"]) == 36, step
    assert out["deleteVpcInUse"]["error"].startswith("DependencyViolation")
    assert out["deleteVpcInUse"]["statusCode"] == 400
    # formatParams false sends the names as written: regionId is not RegionId
    assert out["missingRegion"]["error"] == "MissingParameter" and out["missingRegion"]["statusCode"] == 400
    # Format=XML is sent and answered, but pop-core parses JSON only: json-bigint throws a plain object
    assert out["asXml"] == {"error": "SyntaxError", "message": "Unexpected '<'", "notAnError": True,
                            "body": '<?xml version="1.0" encoding="UTF-8"?><DescribeImagesResponse><RequestId>'}
    assert out["cleanup"]["done"] == ["unshare", "images", "snapshots", "instance", "securityGroup", "network"]
    assert out["leftOver"] == {"images": 0, "copies": 0, "snapshots": 0, "copiedSnapshots": 0, "instances": 0,
                               "keyPairs": 0, "vpcs": 0}
    # each raw ECS answer's JSON types against the metadata's response schema (fields mockecs leaves out are its
    # documented choices, docs/choices.md; the SDK models check the answers too: the autouse fixture). The one
    # difference is pop-core's: ImageOwnerId, a 16-digit integer, reaches the caller as a BigNumber object.
    for name, body in out["bodies"].items():
        problems = [p for p in response_problems(name.split("_")[0], body) if not p.endswith("not answered")]
        big = [p for p in problems if p.endswith(".ImageOwnerId: str where the metadata documents integer")]
        assert problems == big and (not big or name in ("DescribeImages_others", "DescribeImages_built")), name
    assert {i["ImageOwnerId"] for i in out["bodies"]["DescribeImages_built"]["Images"]["Image"]} == {ACCOUNT}


def check_wire(calls: list, method: str) -> None:
    """What pop-core put on the wire, as the server recorded it."""
    assert {c.account for c in calls if c.status == 200} == {ACCOUNT, "5555555555555557"}
    assert [c.action for c in calls if c.account == "5555555555555557"] == ["DescribeImages"] * 2
    assert all(c.error_code != "SignatureDoesNotMatch" for c in calls)
    run = next(c.params for c in calls if c.action == "RunInstances" and c.status == 200)
    assert {k: run[k] for k in ("Tag.1.Key", "Tag.2.Value", "DataDisk.1.Size", "DataDisk.1.DeleteWithInstance",
                                "SystemDisk.Category", "SignatureVersion", "SignatureMethod")} == {
        "Tag.1.Key": "made-by", "Tag.2.Value": "build", "DataDisk.1.Size": "20",
        "DataDisk.1.DeleteWithInstance": "true", "SystemDisk.Category": "cloud_essd", "SignatureVersion": "1.0",
        "SignatureMethod": "HMAC-SHA1"}
    tagged = next(c.params for c in calls if c.action == "TagResources")
    assert tagged["ResourceId.1"].startswith("m-") and tagged["ResourceId.2"].startswith("m-")
    shared = next(c.params for c in calls if c.action == "ModifyImageSharePermission")
    assert shared["AddAccount.1"] == "5555555555555557"
    listed = next(c.params for c in calls if c.action == "DescribeSnapshots" and "SnapshotIds.1" in c.params)
    assert "SnapshotIds" not in listed
    assert [c.params.get("NextToken") for c in calls if c.action == "DescribeSecurityGroups"] == ["undefined", None]
    xml = [c for c in calls if c.params.get("Format") == "XML"]
    assert [(c.action, c.status) for c in xml] == [("DescribeImages", 200)]
    versions = {c.action: c.params["Version"] for c in calls if c.action in ("CreateVpc", "CreateSecurityGroup")}
    assert versions == {"CreateVpc": "2016-04-28", "CreateSecurityGroup": "2014-05-26"}


@pytest.mark.parametrize(("method", "formatted"), [("GET", True), ("POST", False)])
def test_pop_core_pipeline(method, formatted):
    """The whole pipeline with the server's URL as both endpoints, every call's signature verified."""
    engine = strict_engine()
    with ServerThread(engine=engine) as server:
        out = run_pipeline({"ecs": server.url, "vpc": server.url, "method": method, "formatParams": formatted,
                            "accessKeyId": KEY, "accessKeySecret": SECRET, **OTHER})
        calls = list(engine.calls)
    check_pipeline(out, method, formatted)
    check_wire(calls, method)


@pytest.mark.skipif(not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "global-agent")),
                    reason="global-agent is missing: run tests/node/install.sh")
def test_pop_core_pipeline_through_https_proxy():
    """Unchanged code naming ecs.aliyuncs.com and vpc.aliyuncs.com: pop-core (httpx, Node's http) reads no proxy
    variable, global-agent preloaded gives it one (it replaces even pop-core's own keep-alive agent)."""
    authority()  # the CA exists before the client is told to trust it
    engine = strict_engine()
    with ServerThread(engine=engine) as server:
        env = {**os.environ, "HTTPS_PROXY": server.url, "NODE_EXTRA_CA_CERTS": ca_cert_path(),
               "NODE_OPTIONS": "-r global-agent/bootstrap", "GLOBAL_AGENT_ENVIRONMENT_VARIABLE_NAMESPACE": ""}
        out = run_pipeline({"ecs": "https://ecs.aliyuncs.com", "vpc": "https://vpc.aliyuncs.com", "method": "POST",
                            "formatParams": True, "accessKeyId": KEY, "accessKeySecret": SECRET, **OTHER}, env)
        calls = list(engine.calls)
    check_pipeline(out, "POST", True)
    check_wire(calls, "POST")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_pop_core_credentials(method):
    """A wrong secret: SignatureDoesNotMatch, 400, from the first call on; an unknown key: InvalidAccessKeyId; an
    STS key with its token (pop-core's securityToken) is the account's."""
    engine = strict_engine()
    with ServerThread(engine=engine) as server:
        config = {"ecs": server.url, "method": method, "catalogOnly": True}
        bad = run_pipeline({**config, "accessKeyId": KEY, "accessKeySecret": "wrong"})
        unknown = run_pipeline({**config, "accessKeyId": "nobody-key", "accessKeySecret": SECRET})
        sts = run_pipeline({**config, "accessKeyId": "STS.pop-key", "accessKeySecret": "sts-secret",
                            "securityToken": "pop-sts-token"})
        calls = list(engine.calls)
    steps = [step for step in bad if step != "bodies"]
    assert {bad[step]["error"] for step in steps} == {"SignatureDoesNotMatch"}
    assert {bad[step]["statusCode"] for step in steps} == {400} and len(bad["describeRegions"]["requestId"]) == 36
    assert unknown["describeRegions"]["error"] == "InvalidAccessKeyId.NotFound"
    assert unknown["describeRegions"]["statusCode"] == 404
    assert all("error" not in sts[step] for step in steps) and sts["images_others"]["totalCount"] >= 1
    assert [c.params["SecurityToken"] for c in calls if c.status == 200] == ["pop-sts-token"] * len(steps)
    assert {c.account for c in calls if c.status == 200} == {ACCOUNT}


ALY_SDK = os.path.isdir(os.path.join(NODE_DIR, "node_modules", "aliyun-sdk"))


@pytest.mark.skipif(not ALY_SDK, reason="aliyun-sdk is missing: run tests/node/install.sh")
def test_aliyun_sdk_ecs_flow():
    """Older Node code's client (``@alicloud/ecs`` is not on npm): aliyun-sdk's ``ALY.ECS``, its 2014-05-26 API as
    frozen around 2017 (CreateInstance and StartInstance, ECS's own VPC operations, ``Tag.1.Key`` names), POST
    form bodies with millisecond timestamps, strictly verified; a wrong secret refused."""
    engine = strict_engine()
    with ServerThread(engine=engine) as server:
        proc = subprocess.run([NODE, "aly_ecs.js", server.url, KEY, SECRET], capture_output=True, text=True,
                              timeout=120, cwd=NODE_DIR)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        bad = subprocess.run([NODE, "aly_ecs.js", server.url, KEY, "wrong"], capture_output=True, text=True,
                             timeout=120, cwd=NODE_DIR)
        calls = list(engine.calls)
    assert "cn-beijing" in out["describeRegions"]["regions"] and out["describeImages"]["totalCount"] > 3
    assert out["network"]["vpcStatuses"] == ["Creating", "Available"]  # (ECS's word; the VPC API's: Pending)
    assert out["network"]["vSwitchStatuses"] == ["Pending", "Available"]
    assert out["network"]["vSwitchId"].startswith("vsw-") and out["network"]["securityGroupId"].startswith("sg-")
    instance = out["createInstance"]
    assert instance == {**instance, "statuses": ["Pending", "Stopped", "Starting", "Running"],
                        "vSwitchId": out["network"]["vSwitchId"],
                        "tags": [["made-by", "aliyun-sdk"]]}
    assert out["snapshot"]["statuses"] == ["progressing", "accomplished"]
    assert out["image"] == {**out["image"], "statuses": ["Creating", "Available"], "name": "aly-image", "size": 40,
                            "tags": [["made-by", "aliyun-sdk"]]}
    assert out["copyAndShare"] == {**out["copyAndShare"], "accounts": ["5555555555555559"],
                                   "copyStatuses": ["Creating", "Available"],
                                   "tags": [["made-by", "aliyun-sdk"], ["release", "1"]]}
    assert out["copyAndShare"]["copyId"].startswith("m-2ze")
    for step, action, code in (("badAlias", "DescribeImages", "InvalidImageOwnerAlias.ValueNotSupported"),
                               ("missingImage", "CopyImage", "InvalidImageId.NotFound"),
                               ("sharedImage", "DeleteImage", "ImageUseShared"),
                               ("deleteCopying", "DeleteImage", "OperationDenied.ImageCopying")):
        status, message = documented_error(action, code)
        assert out[step] == {"error": code, "statusCode": status, "message": message}, step
    # the package checks parameters against its own API file before sending
    assert out["unexpectedParameter"]["error"] == "UnexpectedParameter"
    assert out["cleanup"] == {"images": 0, "instances": 0}
    assert {c.account for c in calls if c.status == 200} == {ACCOUNT}
    assert all("." in c.params["Timestamp"] for c in calls)  # e.g. 2024-06-01T10:00:00.123Z
    assert bad.returncode == 0 and json.loads(bad.stdout) == {"describeRegions": {
        "error": "SignatureDoesNotMatch", "statusCode": 400,
        "message": json.loads(bad.stdout)["describeRegions"]["message"]}}
    assert calls[-1].error_code == "SignatureDoesNotMatch"

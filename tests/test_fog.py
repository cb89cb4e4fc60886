"""Ruby's fog (Debian's ``ruby-fog-aliyun``, fog-aliyun 0.3.2 on fog-core and Excon) against ``mockecs server``,
unchanged: ``tests/ruby/flow.rb`` runs what a fog user does, from the first call to the cleanup, and prints what
fog's models read; the tests check it, and the calls the server saw.

Once pointed at the server as its ``aliyun_url`` (signed with a registered key, strict signatures), once as
``https://ecs.aliyuncs.com`` through the server as ``HTTPS_PROXY`` with the mockecs CA in ``SSL_CERT_FILE``
(which also carries fog's hard-coded ``https://vpc.aliyuncs.com``). Skips without ``ruby`` or fog-aliyun
(``scripts/test.sh`` installs the Debian package).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.modes.server import ServerThread
from mockecs.modes.server.tls import authority, combined_bundle
from tests.spec import documented_error

RUBY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ruby")
RUBY = shutil.which("ruby")

pytestmark = pytest.mark.skipif(RUBY is None, reason="ruby is not installed (Debian: ruby-fog-aliyun)")


@pytest.fixture(scope="module")
def fog() -> str:
    proc = subprocess.run([RUBY, "-e", 'require "fog/aliyun"'], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.skip("fog-aliyun is not installed (Debian: ruby-fog-aliyun): " + proc.stderr[-200:])
    return RUBY


def run_flow(ruby: str, url: str, *args: str, env: dict | None = None) -> dict:
    proc = subprocess.run([ruby, os.path.join(RUBY_DIR, "flow.rb"), url, *args], capture_output=True, text=True,
                          timeout=180, cwd=RUBY_DIR, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def error(out: dict, step: str) -> dict:
    """A step's failure: the exception's class, the HTTP status it holds, the service's Code (not the Message)."""
    assert "error" in out[step], out[step]
    return {k: v for k, v in out[step]["error"].items() if k != "message"}


def check_flow(out: dict) -> None:
    """What fog's models and requests read, with the types Ruby sees."""
    assert out["zones"][0] == "cn-hangzhou-h" and all(z.startswith("cn-hangzhou-") for z in out["zones"])
    images = out["images"]
    assert images["count"] == 10 and images["class"] == "Fog::Compute::Aliyun::Image"
    first = images["first"]
    assert first["state"] == "Available" and first["owner_alias"] == "system" and first["os_type"] == "linux"
    assert first["architecture"] == "x86_64" and isinstance(first["size"], int) and first["progress"] == "100%"
    assert first["snapshot_id"] == "" and first["is_copied"] is False  # (Image#initialize reads DiskDeviceMappings)
    assert out["image_get"] == {"id": first["id"], "name": first["name"], "state": "Available"}

    vpc = out["vpc"]
    assert vpc["id"].startswith("vpc-") and vpc["v_router_id"].startswith("vrt-")
    assert {k: vpc[k] for k in ("name", "state", "cidr_block", "description", "region_id")} == {
        "name": "fog-vpc", "state": "Available", "cidr_block": "172.16.0.0/12", "description": "made-by-fog",
        "region_id": "cn-hangzhou"}
    assert out["modify_vpc"] == {"name": "fog-vpc-2", "description": "renamed-by-fog",
                                 "v_switch_ids": {"VSwitchId": [out["vswitch"]["id"]]}}
    assert out["vswitch"] == {**out["vswitch"], "vpc_id": vpc["id"], "zone_id": "cn-hangzhou-h", "name": "fog-vsw",
                              "cidr_block": "172.16.1.0/24", "state": "Available", "available_ip_count": 252}
    # fog's Vpc#vrouter asks for DescribeVrouters (sic): the API's action is DescribeVRouters
    assert error(out, "vpc_vrouter") == {"class": "Fog::Compute::Aliyun::NotFound", "status": None,
                                         "code": "InvalidAction.NotFound"}
    router = out["vrouter"]
    assert router["router"] == vpc["v_router_id"] and len(router["tables"]) == 1
    assert router["tables"][0]["id"].startswith("vtb-") and router["tables"][0]["type"] == "System"
    assert {(e["cidr_block"], e["type"], e["state"]) for e in router["entries"]} == {
        ("172.16.1.0/24", "System", "Available"), ("100.64.0.0/10", "System", "Available")}

    group = out["group"]
    assert group == {"id": group["id"], "name": "fog-sg", "description": "fog-group", "vpc_id": vpc["id"]}
    assert error(out, "rule_all_with_port") == {"class": "Excon::Error::BadRequest", "status": 400,
                                                "code": "OperationDenied"}
    assert out["rules_added"] is True
    assert sorted(out["rules"], key=lambda r: r["direction"]) == [
        {"security_group_id": group["id"], "direction": "egress", "ip_protocol": "TCP", "port_range": "443/443",
         "source_cidr_ip": "", "dest_cidr_ip": "0.0.0.0/0", "nic_type": "intranet", "policy": "Accept",
         "priority": "1"},
        {"security_group_id": group["id"], "direction": "ingress", "ip_protocol": "TCP", "port_range": "22/22",
         "source_cidr_ip": "10.0.0.0/8", "dest_cidr_ip": "", "nic_type": "intranet", "policy": "Accept",
         "priority": "1"}]

    server_id = out["server_id"]
    assert error(out, "servers_create")["class"] == "NoMethodError"  # (fog's Server model has no save)
    assert server_id.startswith("i-bp")
    server = out["server"]
    assert server["Status"] == "Stopped" and server["InstanceName"] == "fog-server" and server["ImageId"] == first["id"]
    network = server["VpcAttributes"]
    assert network["VpcId"] == vpc["id"] and network["VSwitchId"] == out["vswitch"]["id"]
    assert network["PrivateIpAddress"]["IpAddress"][0].startswith("172.16.1.")
    assert server["SecurityGroupIds"] == {"SecurityGroupId": [group["id"]]}
    assert out["start"] == 200 and out["running"] == "Running" and out["reboot"] == [200, "Running"]
    assert out["instance_type"] == "ecs.g7.large"  # (fog matches CpuCoreCount == 2 and MemorySize == 8.0)
    assert out["join_leave"] == {"joined": 2, "left": [group["id"]]}

    assert error(out, "volumes_create")["class"] == "NoMethodError"  # (create_disk's Hash#merge on a response)
    assert out["attach"] == 200
    assert out["disk"] == {"id": out["disk_created"], "name": "fog-disk", "size": 20, "category": "cloud",
                           "state": "In_use", "server_id": server_id, "type": "data", "zone_id": "cn-hangzhou-h",
                           "portable": True, "delete_with_instance": True}
    system = out["system_disk"]
    assert system == {**system, "type": "system", "server_id": server_id, "image_id": first["id"]}
    assert isinstance(system["size"], int)
    assert out["snapshot"] == {"id": out["snapshot_created"], "name": "fog-snap", "state": "accomplished",
                               "progress": "100%", "volume_id": system["id"], "volume_size": str(system["size"]),
                               "volume_type": "system", "ready?": True}
    assert error(out, "images_create")["class"] == "NoMethodError"  # (Image#initialize needs DiskDeviceMappings)
    image_id = out["image_created"]
    assert out["own_image"] == {"id": image_id, "name": "fog-image", "description": "fog-made", "state": "Available",
                                "owner_alias": "self", "size": system["size"], "snapshot_id": out["snapshot_created"],
                                "ready?": True, "progress": "100%", "usage": "none"}
    assert out["images_get"] == image_id
    assert out["disk_snapshots"] == [out["snapshot_created"]]
    assert out["disk_from_snapshot"] == {"name": "fog-copy", "snapshot_id": out["snapshot_created"],
                                         "size": system["size"], "type": "data", "state": "Available",
                                         "portable": True}

    eip = out["eip"]
    assert out["associate"] == 200 and eip["id"] == out["eip_created"]["id"] and eip["id"].startswith("eip-")
    assert eip == {**eip, "ip_address": out["eip_created"]["ip_address"], "state": "InUse", "server_id": server_id,
                   "bandwidth": "5", "charge_type": "PayByTraffic"}

    assert error(out, "bad_image") == {"class": "Fog::Compute::Aliyun::NotFound", "status": None,
                                       "code": "InvalidImageId.NotFound"}
    assert error(out, "bad_cidr") == {"class": "Excon::Error::BadRequest", "status": 400, "code": "InvalidParameter"}
    assert error(out, "vpc_in_use") == {"class": "Excon::Error::BadRequest", "status": 400,
                                        "code": "DependencyViolation.VSwitch"}
    assert error(out, "unknown_disk") == {"class": "Fog::Compute::Aliyun::NotFound", "status": None,
                                          "code": "InvalidDiskId.NotFound"}
    assert error(out, "running_server") == {"class": "Excon::Error::Forbidden", "status": 403,
                                            "code": "IncorrectInstanceStatus"}
    assert error(out, "snapshot_of_image") == {"class": "Excon::Error::Forbidden", "status": 403,
                                               "code": "SnapshotCreatedImage"}
    assert out["cleanup"] == {"unassociate": 200, "release": True, "image": True, "snapshot": True, "detach": 200,
                              "disk": True, "stop": 200, "server": 200, "rule": True, "group": True, "vswitch": 200,
                              "vpc": True}
    assert out["left"] == {"vpcs": 0, "groups": 0, "eips": 0, "disks": 0, "servers": 0, "own_images": 0}


@pytest.fixture(scope="module")
def signed(fog) -> tuple[dict, list]:
    """The flow against the server as fog's endpoint, strict signatures, a registered key."""
    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key("5555555555555557", "fog-key", "fog-secret")
    with ServerThread(engine=engine) as server:
        out = run_flow(fog, server.url, "fog-key", "fog-secret")
    return out, list(engine.calls)


def test_fog_flow_signed(signed):
    """fog's own signature v1 (its URI.encode escaping, raw ``["i-..."]`` in the URL) verifies."""
    out, records = signed
    check_flow(out)
    assert "vpn_gateways" not in out  # (its host, vpc.aliyuncs.com, is reached only through the proxy)
    assert {c.account for c in records if c.status == 200} == {"5555555555555557"}
    calls = [(c.action, c.status, c.error_code) for c in records]
    assert calls[0] == ("DescribeZones", 200, None) and ("CreateInstance", 200, None) in calls
    assert [c for c in calls if c[1] != 200] == [
        ("DescribeVrouters", 404, "InvalidAction.NotFound"), ("AuthorizeSecurityGroup", 400, "OperationDenied"),
        ("CreateInstance", 404, "InvalidImageId.NotFound"), ("CreateVpc", 400, "InvalidParameter"),
        ("DeleteVpc", 400, "DependencyViolation.VSwitch"), ("DeleteDisk", 404, "InvalidDiskId.NotFound"),
        ("DeleteInstance", 403, "IncorrectInstanceStatus"), ("DeleteSnapshot", 403, "SnapshotCreatedImage")]


REFUSED = {"bad_image": "CreateInstance", "bad_cidr": "CreateVpc", "vpc_in_use": "DeleteVpc",
           "unknown_disk": "DeleteDisk", "running_server": "DeleteInstance", "snapshot_of_image": "DeleteSnapshot",
           "rule_all_with_port": "AuthorizeSecurityGroup"}


def test_fog_errors_as_documented(signed):
    """Each refusal fog met is its action's documented code, status and message."""
    out, records = signed
    status = {(c.action, c.error_code): c.status for c in records}
    for step, action in REFUSED.items():
        failure = out[step]["error"]
        answered = (status[action, failure["code"]], failure["message"])
        assert documented_error(action, failure["code"]) == answered, (step, answered)


def test_fog_wrong_secret(fog):
    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key("5555555555555557", "fog-key", "fog-secret")
    with ServerThread(engine=engine) as server:
        proc = subprocess.run([fog, os.path.join(RUBY_DIR, "flow.rb"), server.url, "fog-key", "wrong-secret"],
                              capture_output=True, text=True, timeout=60, cwd=RUBY_DIR)
        calls = [(c.action, c.status, c.error_code) for c in server.engine.calls]
    assert proc.returncode != 0 and "SignatureDoesNotMatch" in proc.stderr
    assert calls[:2] == [("DescribeZones", 400, "SignatureDoesNotMatch"),
                         ("DescribeImages", 400, "SignatureDoesNotMatch")]


def test_fog_through_https_proxy(fog):
    """Unchanged: ``aliyun_url: https://ecs.aliyuncs.com``; Excon reads ``HTTPS_PROXY`` and ``SSL_CERT_FILE`` (the
    bundle ``mockecs ca --bundle`` prints, as docs/clients.md says)."""
    ca = combined_bundle(authority().cert_path)
    with ServerThread() as server:
        out = run_flow(fog, "https://ecs.aliyuncs.com", env={"HTTPS_PROXY": server.url, "SSL_CERT_FILE": ca,
                                                           "FOG_VPC_API": "1"})
        calls = [(c.action, c.status, c.error_code) for c in server.engine.calls]
    check_flow(out)
    assert error(out, "vpn_gateways") == {"class": "Excon::Error::BadRequest", "status": 400,
                                          "code": "InvalidAction.NotImplemented"}
    assert ("DescribeVpnGateways", 400, "InvalidAction.NotImplemented") in calls

"""footmark's VPC connection, unchanged, against mockecs: what Ansible's ``ali_vpc`` and ``ali_vswitch`` modules do
(``footmark.vpc.connect_to_region``, the old SDK's ``aliyunsdkvpc`` requests to the VPC product's API), call for
call from the modules' ``main()``: look the network up (``describe_vpcs`` / ``describe_vswitches`` and a match on
CIDR and name), create it with the module's parameters and wait for ``Available`` (DescribeVpcAttribute /
DescribeVSwitchAttributes), change it, run the playbook again (nothing changes), remove it (``state: absent``).
An ``ali_instance`` (footmark's ECS connection) then launches into the vSwitch footmark made.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from mockecs.modes.mock import MockECS
from mockecs.modes.server import ServerThread

footmark_vpc = pytest.importorskip("footmark.vpc", reason="footmark is not installed")
import footmark.ecs  # noqa: E402
import footmark.ecs.connection as ecs_connection  # noqa: E402
import footmark.vpc.connection as vpc_connection  # noqa: E402
from aliyunsdkcore.acs_exception.exceptions import ServerException  # noqa: E402

REGION = "cn-hangzhou"
UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    # footmark sleeps between its status polls; only the sleeps are skipped (every request still goes out)
    monkeypatch.setattr(vpc_connection.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(ecs_connection.time, "sleep", lambda seconds: None)


def connect() -> vpc_connection.VPCConnection:
    return footmark_vpc.connect_to_region(REGION, acs_access_key_id="ak", acs_secret_access_key="sk")


def ali_vpc(conn, name: str, cidr_block: str, description=None, state: str = "present"):
    """ali_vpc's main(): vpc_exists, then create (with every module parameter), modify, or delete."""
    params = {"state": state, "cidr_block": cidr_block, "user_cidrs": None, "name": name, "vpc_id": None,
              "multi_ok": False, "description": description, "recent": False, "tags": None, "purge_tags": False,
              "alicloud_region": REGION}
    matching = [v for v in conn.describe_vpcs() if v.cidr_block == cidr_block and v.vpc_name == name]
    assert len(matching) <= 1
    vpc = matching[0] if matching else None
    if state == "absent":
        return (vpc.delete() if vpc else False), {}
    if vpc is None:
        params["client_token"] = f"Ansible-Alicloud-{hash(str(params))}-{time.time()}"
        params["vpc_name"] = name
        vpc = conn.create_vpc(**params)
        return True, vpc.get().read()
    changed = bool(vpc.modify(name, description or vpc.description))
    return changed, vpc.get().read()


def ali_vswitch(conn, vpc_id: str, cidr_block: str, zone_id: str, name=None, description=None,
                state: str = "present"):
    """ali_vswitch's main(): vswitch_exists (the first on the CIDR in the VPC), then create, modify or delete."""
    params = {"state": state, "cidr_block": cidr_block, "description": description, "zone_id": zone_id,
              "vpc_id": vpc_id, "name": name, "vswitch_id": None, "tags": None, "purge_tags": False,
              "alicloud_region": REGION}
    vswitch = next((s for s in conn.describe_vswitches() if s.cidr_block == cidr_block and s.vpc_id == vpc_id), None)
    if state == "absent":
        return (vswitch.delete() if vswitch else False), {}
    if vswitch is None:
        params["client_token"] = f"Ansible-Alicloud-{hash(str(params))}-{time.time()}"
        params["vswitch_name"] = name
        vswitch = conn.create_vswitch(**params)
        return True, vswitch.get().read()
    changed = bool(vswitch.modify(name=name or vswitch.vswitch_name,
                                  description=description or vswitch.description))
    return changed, vswitch.get().read()


def test_ali_vpc_and_ali_vswitch_through_footmark():
    with MockECS() as mock:
        conn = connect()
        changed, vpc = ali_vpc(conn, "ansible-vpc", "172.16.0.0/16", "made by ansible")
        assert changed is True and vpc["id"].startswith("vpc-") and vpc["state"] == "available"
        assert (vpc["vpc_name"], vpc["cidr_block"], vpc["description"]) == ("ansible-vpc", "172.16.0.0/16",
                                                                            "made by ansible")
        assert vpc["user_cidrs"] == [] and vpc["vswitch_ids"] == [] and vpc["vrouter_id"].startswith("vrt-")
        assert ali_vpc(conn, "ansible-vpc", "172.16.0.0/16", "made by ansible")[0] is False  # a second run
        changed, vpc = ali_vpc(conn, "ansible-vpc", "172.16.0.0/16", "edited by ansible")
        assert changed is True and vpc["description"] == "edited by ansible"

        changed, vswitch = ali_vswitch(conn, vpc["id"], "172.16.1.0/24", "cn-hangzhou-i", name="ansible-vsw")
        assert changed is True and vswitch["id"].startswith("vsw-") and vswitch["state"] == "available"
        assert (vswitch["vpc_id"], vswitch["zone_id"], vswitch["cidr_block"], vswitch["vswitch_name"]) == (
            vpc["id"], "cn-hangzhou-i", "172.16.1.0/24", "ansible-vsw")
        assert vswitch["available_ip_address_count"] == 252
        assert ali_vswitch(conn, vpc["id"], "172.16.1.0/24", "cn-hangzhou-i")[0] is False
        changed, vswitch = ali_vswitch(conn, vpc["id"], "172.16.1.0/24", "cn-hangzhou-i", description="for builds")
        assert changed is True and vswitch["description"] == "for builds"
        assert connect().describe_vpc_attribute(vpc_id=vpc["id"]).read()["vswitch_ids"] == [vswitch["id"]]
        assert conn.get_all_vrouters(vrouter_id=vpc["vrouter_id"]) == (False, True)  # (footmark keeps no answer)
        assert [(c.action, c.status) for c in mock.engine.calls[-1:]] == [("DescribeVRouters", 200)]

        # ali_instance launches into it through footmark's ECS connection
        ecs = footmark.ecs.connect_to_region(REGION, acs_access_key_id="ak", acs_secret_access_key="sk")
        group = ecs.create_security_group(security_group_name="build", vpc_id=vpc["id"])
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch["id"], amount=1, password="Passw0rd!x1")
        assert instance.vswitch_id == vswitch["id"] and instance.private_ip_address.startswith("172.16.1.")
        # footmark retries DependencyViolation ten times, then lets the old SDK's error through
        with pytest.raises(ServerException) as refused:
            ali_vswitch(conn, vpc["id"], "172.16.1.0/24", "cn-hangzhou-i", state="absent")
        assert (refused.value.get_error_code(), refused.value.get_http_status()) == ("DependencyViolation", 400)
        assert ecs.delete_instances(instance_ids=[instance.id], force=True) is True
        assert group.delete() is True

        assert ali_vswitch(conn, vpc["id"], "172.16.1.0/24", "cn-hangzhou-i", state="absent") == (True, {})
        assert ali_vpc(conn, "ansible-vpc", "172.16.0.0/16", state="absent") == (True, {})
        assert ali_vpc(conn, "ansible-vpc", "172.16.0.0/16", state="absent") == (False, {})
        vpc_calls = [c.action for c in mock.engine.calls if c.params.get("Version") == "2016-04-28"]
    assert vpc_calls[:4] == ["DescribeVpcs", "CreateVpc", "DescribeVpcAttribute", "DescribeVpcAttribute"]
    assert {"CreateVSwitch", "DescribeVSwitchAttributes", "ModifyVSwitchAttribute", "ModifyVpcAttribute",
            "DeleteVSwitch", "DeleteVpc"} <= set(vpc_calls)


ANSIBLE_STYLE = """
import json, sys
import footmark.vpc

conn = footmark.vpc.connect_to_region("cn-hangzhou", acs_access_key_id="ak", acs_secret_access_key="sk")
vpc = conn.create_vpc(cidr_block="192.168.0.0/16", vpc_name="proxied", client_token="Ansible-Alicloud-1")
vswitch = conn.create_vswitch(vpc_id=vpc.id, cidr_block="192.168.5.0/24", zone_id="cn-hangzhou-i",
                              vswitch_name="proxied", client_token="Ansible-Alicloud-2")
found = [v.vpc_id for v in conn.describe_vpcs()]
print(json.dumps({"vpc": vpc.id, "vswitch": vswitch.id, "status": vswitch.status, "found": found,
                  "deleted": [vswitch.delete(), vpc.delete()]}))
"""


def test_ali_vpc_in_its_own_process_through_the_server_as_a_proxy(tmp_path):
    """Ansible runs each module in a process of its own: the old SDK under footmark reaches the VPC API's host
    through ``mockecs server`` as ``HTTP_PROXY``, like ECS's."""
    script = tmp_path / "module.py"
    script.write_text(ANSIBLE_STYLE)
    with ServerThread() as server:
        env = {k: v for k, v in os.environ.items() if k.upper() not in ("HTTPS_PROXY", "NO_PROXY")}
        env["HTTP_PROXY"] = server.url
        done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        calls = [(c.action, c.status) for c in server.engine.calls]
    assert answer["found"] == [answer["vpc"]] and answer["status"] == "Available"
    assert answer["deleted"] == [True, True]
    assert calls == [("CreateVpc", 200), ("DescribeVpcAttribute", 200), ("DescribeVpcAttribute", 200),
                     ("CreateVSwitch", 200), ("DescribeVSwitchAttributes", 200), ("DescribeVSwitchAttributes", 200),
                     ("DescribeVpcs", 200), ("DeleteVSwitch", 200), ("DeleteVpc", 200)]

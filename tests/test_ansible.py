"""Ansible itself (Debian's ``ansible`` 7.7: ansible-core 2.14 with community.general 6.x) against ``mockecs server``:
the playbooks in ``tests/ansible/`` run through ``ansible-playbook`` in a process of its own, and each task's module
(``ali_instance``, ``ali_instance_info``) in another, over footmark and the old SDK, unchanged.

The way in, as a user's: footmark's SDK (``aliyunsdkcore``) speaks plain HTTP to ``ecs-cn-hangzhou.aliyuncs.com``
and reads ``HTTP_PROXY`` itself, so the play's ``environment`` names the server as the proxy (its HTTPS proxy and
``ALIBABA_CLOUD_CA_BUNDLE`` would serve an SDK set to HTTPS; footmark never sets it). The modules have no endpoint
option. Inventory ``localhost ansible_connection=local ansible_python_interpreter=<this Python>`` (footmark lives
there). ``ANSIBLE_STDOUT_CALLBACK=ansible.posix.json`` prints every task's result, read here field by field; the
world is read afterwards through the current SDK. Strict signatures: the key is registered, a wrong secret refused.

footmark sleeps 10 s after each RunInstances (and nothing patches a module's process): three launches at once, two
in the background (``async``/``poll: 0``, then ``async_status``), so the file takes about 40 s on a quiet machine.
Skips without ``ansible-playbook`` (``scripts/test.sh`` installs Debian's ``ansible``) or footmark.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.core import Config, Engine
from mockecs.modes.server import ServerThread
from tests.sdk import new_client
from tests.spec import metadata

ANSIBLE_PLAYBOOK = shutil.which("ansible-playbook")
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ansible")
REGION = "cn-hangzhou"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
ACCOUNT, KEY, SECRET = "5555000077778888", "ansible-key", "ansible-secret"

pytestmark = [
    pytest.mark.skipif(ANSIBLE_PLAYBOOK is None, reason="ansible-playbook is not installed (Debian: ansible)"),
    pytest.mark.skipif(importlib.util.find_spec("footmark") is None, reason="footmark is not installed"),
]


def play(playbook: str, extra: dict, tmp_path) -> tuple[dict, float]:
    """Runs a playbook of tests/ansible; returns {task name: its result} and the seconds it took."""
    inventory = tmp_path / "inventory"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    extra_vars = tmp_path / f"{playbook}.vars.json"
    extra_vars.write_text(json.dumps(extra))
    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("ANSIBLE_", "ALICLOUD_"))}
    env.update(ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "local"), ANSIBLE_REMOTE_TEMP=str(tmp_path / "remote"),
               ANSIBLE_ASYNC_DIR=str(tmp_path / "async"),
               ANSIBLE_HOME=str(tmp_path / "home"))
    started = time.monotonic()
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(inventory), os.path.join(PLAYBOOKS, playbook),
                           "-e", f"@{extra_vars}"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    took = time.monotonic() - started
    assert proc.returncode == 0, (proc.stdout[-4000:], proc.stderr[-3000:])
    [run] = json.loads(proc.stdout)["plays"]
    return {t["task"]["name"]: t["hosts"]["localhost"] for t in run["tasks"]}, took


def world(sdk) -> dict:
    """Every instance of the region as the current SDK reads it, with its disks and user data."""
    answer = sdk.describe_instances(models.DescribeInstancesRequest(region_id=REGION, page_size=100)).body.to_map()
    instances = {}
    for item in answer["Instances"]["Instance"]:
        disks = sdk.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=item["InstanceId"]))
        user_data = sdk.describe_user_data(models.DescribeUserDataRequest(region_id=REGION,
                                                                          instance_id=item["InstanceId"]))
        instances[item["InstanceId"]] = {**item, "disks": disks.body.to_map()["Disks"]["Disk"],
                                         "user_data": base64.b64decode(user_data.body.user_data or "").decode()}
    return instances


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> dict:
    """The network and key pair made through the SDK, then tests/ansible/instances.yml, then removal.yml."""
    tmp_path = tmp_path_factory.mktemp("ansible")
    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key(ACCOUNT, KEY, SECRET)
    with ServerThread(engine=engine) as server:
        sdk = new_client(KEY, SECRET, endpoint=server.netloc, protocol="http")
        vpc = sdk.create_vpc(models.CreateVpcRequest(region_id=REGION, cidr_block="172.16.0.0/12")).body.vpc_id
        vswitch = sdk.create_vswitch(models.CreateVSwitchRequest(
            region_id=REGION, vpc_id=vpc, zone_id="cn-hangzhou-h", cidr_block="172.16.1.0/24")).body.v_switch_id
        web, admin = (sdk.create_security_group(models.CreateSecurityGroupRequest(
            region_id=REGION, vpc_id=vpc, security_group_name=name)).body.security_group_id
            for name in ("web", "admin"))
        sdk.create_key_pair(models.CreateKeyPairRequest(region_id=REGION, key_pair_name="deploy"))
        extra = {"mockecs_proxy": server.url, "access_key": KEY, "secret_key": SECRET, "image": IMAGE, "vpc_id": vpc,
                 "vswitch_id": vswitch, "web_group": web, "admin_group": admin, "key_name": "deploy",
                 "password": "Passw0rd!x1", "new_password": "N3wPassw0rd!x2"}
        made, made_took = play("instances.yml", extra, tmp_path)
        after_made = world(sdk)
        [cache_id] = [i for i, item in after_made.items() if item["InstanceName"] == "cache-1"]
        [cache_renewal] = sdk.describe_instance_auto_renew_attribute(models.DescribeInstanceAutoRenewAttributeRequest(
            region_id=REGION, instance_id=cache_id)).body.to_map()["InstanceRenewAttributes"]["InstanceRenewAttribute"]
        removed, removed_took = play("removal.yml", {**extra, "instance_ids": sorted(after_made)}, tmp_path)
        after_removal = world(sdk)
        calls = list(engine.calls)
    print(f"\ninstances.yml: {made_took:.1f} s, removal.yml: {removed_took:.1f} s")
    return {"made": made, "removed": removed, "after_made": after_made, "after_removal": after_removal,
            "cache_renewal": cache_renewal,
            "calls": calls, "vpc": vpc, "vswitch": vswitch, "web": web, "admin": admin}


def calls_of(played: dict, action: str) -> list:
    return [c for c in played["calls"] if c.action == action]


LAUNCH = "Launch two web servers (count and count_tag), in the background"
WAIT = "Wait for the web servers"
DB = "Launch the database server, found again by its unique name"


def by_name(result: dict) -> dict:
    return {i["instance_name"]: i for i in result["instances"]}


def test_the_web_servers_facts(played):
    """What ali_instance answers for the two web servers it launched, field by field."""
    made = played["made"]
    assert made[LAUNCH]["changed"] is True and made[LAUNCH]["started"] == 1  # (the background job)
    waited = made[WAIT]
    assert waited["finished"] == 1 and waited["changed"] is True
    web = [i for i in waited["instances"] if i["tags"].get("Name") == "web"]
    assert [i["host_name"] for i in web] == ["web001", "web002"]  # (unique_suffix, the service's suffixes)
    first = web[0]
    assert first["id"] == first["instance_id"] and first["id"].startswith("i-bp")
    assert {k: first[k] for k in ("image_id", "instance_type", "instance_type_family", "instance_name",
                                  "description", "status", "availability_zone", "vpc_id", "vswitch_id",
                                  "instance_charge_type", "internet_charge_type", "internet_max_bandwidth_in",
                                  "internet_max_bandwidth_out", "key_pair_name", "cpu", "memory", "io_optimized",
                                  "ostype", "osname_en", "tags", "user_data", "expired_time", "gpu")} == {
        "image_id": IMAGE, "instance_type": "ecs.g6.large", "instance_type_family": "ecs.g6",
        "instance_name": "web",  # (the module renames the suffixed "web001" back to its instance_name)
        "description": "a web server", "status": "running", "availability_zone": "cn-hangzhou-h",
        "vpc_id": played["vpc"], "vswitch_id": played["vswitch"], "instance_charge_type": "PostPaid",
        "internet_charge_type": "PayByTraffic", "internet_max_bandwidth_in": 200, "internet_max_bandwidth_out": 10,
        "key_pair_name": "deploy", "cpu": 2, "memory": 8192, "io_optimized": True, "ostype": "linux",
        "osname_en": "Ubuntu  22.04 64 bit", "tags": {"Name": "web", "Version": "0.1"},
        "user_data": "#!/bin/sh\necho web", "expired_time": "2099-12-31T15:59Z",
        "gpu": {"amount": 0, "spec": "", "specification": ""}}
    assert first["public_ip_address"].count(".") == 3 and first["eip"]["ip_address"] == ""  # (allocate_public_ip)
    assert first["private_ip_address"].startswith("172.16.1.") and first["inner_ip_address"] == ""
    [eni] = first["network_interfaces"]
    assert eni["type"] == "Primary" and eni["primary_ip_address"] == first["private_ip_address"]
    assert eni["network_interface_id"].startswith("eni-") and len(eni["mac_address"].split(":")) == 6
    [disk] = first["block_device_mappings"]
    assert disk["volume_id"].startswith("d-") and (disk["device_name"], disk["status"]) == ("/dev/xvda", "in_use")
    assert disk["delete_on_termination"] is True and disk["attach_time"].endswith("Z")
    assert first["creation_time"].endswith("Z") and len(first["creation_time"]) == 17
    # (security_group_ids is left out of the facts by footmark; "security_groups" documented in RETURN never comes)
    assert "security_groups" not in first and "security_group_ids" not in first
    assert "ids" not in waited  # (documented as always returned; the module returns it for state=absent only)


def test_the_launch_as_sent(played):
    """The RunInstances footmark sent for the playbook's arguments, and the SDK's view of the result."""
    launched = {c.params["InstanceName"]: c for c in calls_of(played, "RunInstances") if c.status == 200}
    assert set(launched) == {"web", "cache-1", "db-1"}  # (the background launches' order varies)
    web, db = launched["web"], launched["db-1"]
    sent = web.params
    assert {k: sent[k] for k in ("Amount", "InstanceName", "HostName", "UniqueSuffix", "Password", "KeyPairName",
                                 "SpotStrategy",
                                 "InternetChargeType", "InternetMaxBandwidthOut", "SystemDisk.Category",
                                 "SystemDisk.Size", "SystemDisk.DiskName", "SystemDisk.Description", "VSwitchId",
                                 "SecurityGroupId")} == {
        "Amount": "2", "InstanceName": "web", "HostName": "web", "UniqueSuffix": "True", "Password": "Passw0rd!x1",
        "SpotStrategy": "SpotAsPriceGo",
        "KeyPairName": "deploy", "InternetChargeType": "PayByTraffic", "InternetMaxBandwidthOut": "10",
        "SystemDisk.Category": "cloud_ssd", "SystemDisk.Size": "50", "SystemDisk.DiskName": "web-system",
        "SystemDisk.Description": "the web servers' system disk", "VSwitchId": played["vswitch"],
        "SecurityGroupId": played["web"]}
    assert base64.b64decode(sent["UserData"]) == b"#!/bin/sh\necho web"  # (footmark encodes it)
    assert "Tag.1.Key" not in sent  # (tags come after, through TagResources)
    assert (db.params["Amount"], db.params["InstanceName"], db.params["UniqueSuffix"]) == ("1", "db-1", "False")
    # after the whole playbook: web002 was scaled away, web001 is as launched
    [web_id] = [i for i, item in played["after_made"].items() if item["HostName"] == "web001"]
    item = played["after_made"][web_id]
    assert (item["InstanceName"], item["Status"], item["KeyPairName"]) == ("web", "Running", "deploy")
    assert (item["SpotStrategy"], item["InstanceChargeType"]) == ("SpotAsPriceGo", "PostPaid")
    assert item["SecurityGroupIds"]["SecurityGroupId"] == [played["web"]]
    assert item["InternetMaxBandwidthOut"] == 10 and len(item["PublicIpAddress"]["IpAddress"]) == 1
    assert {t["TagKey"]: t["TagValue"] for t in item["Tags"]["Tag"]} == {"Name": "web", "Version": "0.1"}
    assert item["user_data"] == "#!/bin/sh\necho web"
    [system] = item["disks"]
    assert {k: system[k] for k in ("Type", "Category", "Size", "DiskName", "Description", "Status")} == {
        "Type": "system", "Category": "cloud_ssd", "Size": 50, "DiskName": "web-system",
        "Description": "the web servers' system disk", "Status": "In_use"}


def test_a_second_run_changes_nothing(played):
    """The same task again finds both servers by count_tag: no launch, no change, no write."""
    again = played["made"]["Launch the web servers again (already there)"]
    assert again["changed"] is False
    assert {i["host_name"] for i in again["instances"] if i["tags"].get("Name") == "web"} == {"web001", "web002"}
    assert len(calls_of(played, "RunInstances")) == 6  # (three launches, the three refusals of removal.yml)


def test_the_database_server(played):
    """Launched by unique name (count 1 of instance_name), then stopped with new user data, started, restarted
    with a new password, renamed and moved between security groups."""
    made = played["made"]
    db = by_name(made[DB])["db-1"]
    assert (db["host_name"], db["status"], db["tags"], db["public_ip_address"]) == ("db", "running", {"Name": "db"},
                                                                                    "")
    assert db["internet_max_bandwidth_out"] == 0 and db["user_data"] == "#!/bin/sh\necho db"
    db_id = db["id"]
    assert made["Stop the database server, with new user data"]["changed"] is True
    stopped = {i["id"]: i for i in made["Stop the database server, with new user data"]["instances"]}
    assert stopped[db_id]["status"] == "stopped" and stopped[db_id]["user_data"] == "#!/bin/sh\necho db v2"
    started = made["Start it"]
    assert started["changed"] is True and [(i["id"], i["status"]) for i in started["instances"]] == [
        (db_id, "running")]
    assert made["Restart it with a new password"]["changed"] is True
    renamed = {i["id"]: i for i in made["Rename it, describe it, add it to the web group"]["instances"]}[db_id]
    assert (renamed["instance_name"], renamed["description"]) == ("db-2", "the database server")
    assert made["Take it out of the admin group"]["changed"] is True

    calls = [(c.action, c.params.get("InstanceId"), c.status) for c in played["calls"]
             if c.action in ("StopInstance", "StartInstance", "RebootInstance", "ModifyInstanceAttribute",
                             "JoinSecurityGroup", "LeaveSecurityGroup") and c.params.get("InstanceId") == db_id]
    assert calls == [("StopInstance", db_id, 200), ("ModifyInstanceAttribute", db_id, 200),
                     ("StartInstance", db_id, 200), ("ModifyInstanceAttribute", db_id, 200),
                     ("RebootInstance", db_id, 200), ("JoinSecurityGroup", db_id, 200),
                     ("ModifyInstanceAttribute", db_id, 200), ("LeaveSecurityGroup", db_id, 200),
                     ("LeaveSecurityGroup", db_id, 403)]  # (see the next test)
    modified = [c.params for c in calls_of(played, "ModifyInstanceAttribute") if c.params["InstanceId"] == db_id]
    assert base64.b64decode(modified[0]["UserData"]) == b"#!/bin/sh\necho db v2"
    assert modified[1]["Password"] == "N3wPassw0rd!x2"
    assert (modified[2]["InstanceName"], modified[2]["Description"]) == ("db-2", "the database server")
    join, leave = calls_of(played, "JoinSecurityGroup")[0], calls_of(played, "LeaveSecurityGroup")[0]
    assert (join.params["SecurityGroupId"], leave.params["SecurityGroupId"]) == (played["web"], played["admin"])

    item = played["after_made"][db_id]
    assert (item["InstanceName"], item["Description"], item["HostName"], item["Status"]) == (
        "db-2", "the database server", "db", "Running")
    assert item["SecurityGroupIds"]["SecurityGroupId"] == [played["web"]]
    assert item["user_data"] == "#!/bin/sh\necho db v2" and item["PublicIpAddress"]["IpAddress"] == []
    assert [(d["Type"], d["Category"], d["Size"]) for d in item["disks"]] == [("system", "cloud_efficiency", 40)]


def test_group_replacement_and_tag_purge_as_the_module_does_them(played):
    """Two of the module's own ways, against documented answers: it leaves the instance's groups before joining
    the new ones, so replacing the only group is refused (InstanceLastSecurityGroup, and the module fails with
    its traceback); ``purge_tags`` removes the tags it is given, not the others."""
    made = played["made"]
    replaced = made["Put it in the admin group alone (the module leaves the web group before it joins the other)"]
    assert replaced["failed"] is True and replaced["msg"].startswith("MODULE FAILURE")
    [refused] = [c for c in calls_of(played, "LeaveSecurityGroup") if c.status != 200]
    assert (refused.status, refused.error_code, refused.params["SecurityGroupId"]) == (
        403, "InstanceLastSecurityGroup", played["web"])
    [message] = [m for s, m in _documented("LeaveSecurityGroup", "InstanceLastSecurityGroup") if s == 403]
    assert f"HTTP Status: 403 Error:InstanceLastSecurityGroup {message}" in replaced["module_stderr"]
    assert len(calls_of(played, "JoinSecurityGroup")) == 1  # (never reached)
    assert made["Tag it"]["changed"] is True and made["Purge its tags but Env (documented as deleting the tags "
                                                      "not given)"]["changed"] is True
    [untag] = calls_of(played, "UntagResources")
    assert (untag.params["TagKey.1"], "TagKey.2" in untag.params) == ("Env", False)
    [db_id] = made["Find the database server by name prefix"]["ids"]
    tags = played["after_made"][db_id]["Tags"]["Tag"]
    assert {t["TagKey"]: t["TagValue"] for t in tags} == {"Name": "db", "Team": "data"}


def test_gathering_with_ali_instance_info(played):
    made = played["made"]
    web = sorted(i for i, item in played["after_made"].items() if item["HostName"].startswith("web"))
    by_tags = made["Find the web servers by tags"]
    assert by_tags["changed"] is False and len(by_tags["ids"]) == 2
    assert [i["id"] for i in by_tags["instances"]] == by_tags["ids"] and set(web) <= set(by_tags["ids"])
    assert {i["tags"]["Name"] for i in by_tags["instances"]} == {"web"}
    by_prefix = made["Find the database server by name prefix"]
    assert [i["instance_name"] for i in by_prefix["instances"]] == ["db-1"]
    by_filters = made["Find running instances of a VPC by filters"]
    assert len(by_filters["ids"]) == 4 and {i["vpc_id"] for i in by_filters["instances"]} == {played["vpc"]}
    [asked] = [c.params for c in calls_of(played, "DescribeInstances") if c.params.get("Status") == "Running"]
    assert (asked["VpcId"], asked["InstanceType"]) == (played["vpc"], "ecs.g6.large")
    everything = made["Find every instance of the region"]
    assert set(everything["ids"]) == set(by_filters["ids"])
    # (the documented filter instance_ids: the module nests the list once per id, so nothing is found)
    assert made["Find instances by ids (the filter the documentation gives)"]["ids"] == []
    [nested] = [c.params["InstanceIds"] for c in calls_of(played, "DescribeInstances")
                if c.params.get("InstanceIds", "").startswith("[[")]
    assert json.loads(nested) == [by_tags["ids"], by_tags["ids"]]


def test_a_subscription_server(played):
    """instance_charge_type PrePaid with period and auto_renew: launched on a month's subscription renewed
    automatically; removal.yml then finds it refused (ChargeTypeViolation, documented), turns it into
    pay-as-you-go (ModifyInstanceChargeType) and releases it."""
    cache = by_name(played["made"]["Wait for the cache server"])["cache-1"]
    assert (cache["instance_charge_type"], cache["host_name"], cache["status"]) == ("PrePaid", "cache", "running")
    assert cache["expired_time"] != "2099-12-31T15:59Z" and cache["expired_time"].endswith("Z")
    [launch] = [c.params for c in calls_of(played, "RunInstances") if c.params["InstanceName"] == "cache-1"]
    assert {k: launch[k] for k in ("InstanceChargeType", "Period", "PeriodUnit", "AutoRenew", "AutoRenewPeriod")} == {
        "InstanceChargeType": "PrePaid", "Period": "1", "PeriodUnit": "Month", "AutoRenew": "True",
        "AutoRenewPeriod": "1"}
    item = played["after_made"][cache["id"]]
    assert (item["InstanceChargeType"], item["ExpiredTime"]) == ("PrePaid", cache["expired_time"])
    assert played["cache_renewal"] == {"InstanceId": cache["id"], "AutoRenewEnabled": True, "Duration": 1,
                                       "PeriodUnit": "Month", "RenewalStatus": "AutoRenewal",
                                       "EnableExpectedRenewDay": False}
    assert {d["DiskChargeType"] for d in item["disks"]} == {"PrePaid"}

    removed = played["removed"]
    assert removed["Find the cache server"]["ids"] == [cache["id"]]
    refused = removed["A subscription instance is not released before it expires"]
    [(status, message)] = _documented("DeleteInstance", "ChargeTypeViolation")
    assert refused["msg"].startswith(f"Delete instance got an error: HTTP Status: {status} Error:ChargeTypeViolation "
                                     f"{message} RequestID: ")
    assert removed["Turn it into pay-as-you-go"]["changed"] is True
    [converted] = calls_of(played, "ModifyInstanceChargeType")
    assert (converted.status, json.loads(converted.params["InstanceIds"]), converted.params["InstanceChargeType"],
            converted.params["IncludeDataDisks"]) == (200, [cache["id"]], "PostPaid", "True")
    deletions = [(c.params["InstanceId"], c.status, c.error_code) for c in calls_of(played, "DeleteInstance")]
    assert (cache["id"], 403, "ChargeTypeViolation") in deletions and (cache["id"], 200, None) in deletions


def test_scaling_down_by_count_tag(played):
    """count: 1 with the same count_tag terminates the last server DescribeInstances lists (force: true)."""
    scaled = played["made"]["One web server is enough (count 1 of count_tag)"]
    assert scaled["changed"] is True
    by_tags = played["made"]["Find the web servers by tags"]["ids"]
    [deleted] = calls_of(played, "DeleteInstance")[:1]
    assert (deleted.params["InstanceId"], deleted.params["Force"]) == (by_tags[-1], "True")
    assert by_tags[-1] not in played["after_made"] and by_tags[0] in played["after_made"]
    assert len(played["after_made"]) == 3


def _documented(action: str, code: str) -> set:
    return {(int(status), e["errorMessage"]) for status, errors in
            metadata()["apis"][action]["errorCodes"].items() for e in errors if e["errorCode"] == code}


def test_refusals_carry_the_service_codes(played):
    """A wrong image, instance type or spot price limit: the task fails with the service's code and message
    (documented); a wrong secret: the old SDK turns the service's SignatureDoesNotMatch into its
    InvalidAccessKeySecret (it does so only when the server's string to sign equals its own), and
    ali_instance_info fails with that traceback."""
    removed = played["removed"]
    refusals = {"An image that does not exist": "InvalidImageId.NotFound",
                "An instance type that does not exist": "InvalidInstanceType.ValueNotSupported",
                "A spot price limit below the market": "InvalidSpotPriceLimit.LowerThanPublicPrice"}
    refused = {c.error_code: c for c in calls_of(played, "RunInstances") if c.status != 200}
    assert set(refused) == set(refusals.values())
    for task, code in refusals.items():
        result = removed[task]
        assert result["failed"] is True
        status = refused[code].status
        [message] = [m for s, m in _documented("RunInstances", code) if s == status]
        assert result["msg"].startswith(f"Unable to create instance, error: HTTP Status: {status} Error:{code} "
                                        f"{message} RequestID: "), result["msg"]
    wrong = removed["A wrong secret"]
    assert wrong["failed"] is True and wrong["msg"].startswith("MODULE FAILURE")
    assert "HTTP Status: 400 Error:InvalidAccessKeySecret" in wrong["module_stderr"]
    signatures = [(c.status, c.error_code) for c in played["calls"] if c.error_code == "SignatureDoesNotMatch"]
    assert signatures == [(400, "SignatureDoesNotMatch")]
    assert {c.account for c in played["calls"] if c.status == 200} == {ACCOUNT}


def test_removal(played):
    removed = played["removed"]
    assert removed["Running instances are not removed without force"]["msg"] == \
        "Instance is running, and please stop it or set 'force' as True."
    gone = removed["Remove them, forcibly"]
    assert gone["changed"] is True and sorted(gone["ids"]) == sorted(played["after_made"]) and gone["instances"] == []
    deleted = [c.params["InstanceId"] for c in calls_of(played, "DeleteInstance") if c.status == 200][1:]
    assert sorted(deleted) == sorted(played["after_made"])
    assert {c.params["Force"] for c in calls_of(played, "DeleteInstance")} == {"True"}
    assert removed["Nothing is left"]["ids"] == [] and played["after_removal"] == {}

"""The instance metadata service (``http://100.100.100.200``) against a real client: cloud-init's AliYun datasource
(Debian's ``cloud-init`` 22.4.2, unchanged, run by Debian's python3 through ``tests/cloud_init_driver.py``), as an
instance launched through the SDK sees it (user data, a key pair, tags, a RAM role, two ENIs, IPv6): through the
server as ``HTTP_PROXY`` and in-process under ``mock_ecs``. Then the protocol itself through plain ``requests``:
security hardening mode (tokens, their TTL, ``HttpTokens=required``, a disabled endpoint), directory listings,
``meta-data/all``, user and vendor data, the identity document, the RAM role's credentials.

Skipped when Debian's ``cloudinit`` package is not importable by /usr/bin/python3 (``scripts/test.sh`` installs it).
"""
from __future__ import annotations

import base64
import datetime
import functools
import json
import os
import subprocess
import sys
from typing import Any

import alibabacloud_ecs20140526.models as models
import alibabacloud_vpc20160428.models as vm
import pytest
import requests

from mockecs import mock_ecs
from mockecs.modes.clients import server_client, vpc_client
from mockecs.modes.offline import INSTANCE_ID, ROLE_NAME, MetadataServer
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
from mockecs.world import marketplace, resources
from tests.sdk import new_client

DEBIAN_PYTHON = "/usr/bin/python3"
DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVER = os.path.join(ROOT, "tests", "cloud_init_driver.py")
REGION, ZONE = "cn-hangzhou", "cn-hangzhou-h"
LINUX = "aliyun_3_x64_20G_alibase_20240819.vhd"
USER_DATA = b"#cloud-config\nhostname: web-1\nruncmd:\n  - [touch, /tmp/\xe2\x9c\x93]\n"
IMDS = "http://100.100.100.200"
META = IMDS + "/latest/meta-data/"
ENI = models.RunInstancesRequestNetworkInterface


@functools.lru_cache(maxsize=1)
def cloud_init_importable() -> bool:
    try:
        return subprocess.run([DEBIAN_PYTHON, "-c", "import cloudinit.sources.DataSourceAliYun"],
                              capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_cloud_init = pytest.mark.skipif(not cloud_init_importable(),
                                      reason="Debian's cloud-init (apt-get install cloud-init) is not installed")


# -- the instance: launched through the SDK --------------------------------------------------------------------
def launch(ecs: Any, vpc: Any, http_tokens: str = "optional") -> dict:
    """An instance with user data, a key pair, tags, a RAM role, a public address, two ENIs and IPv6; returns what
    the API says of it (the facts cloud-init must see)."""
    vpc_id = vpc.create_vpc(vm.CreateVpcRequest(region_id=REGION, cidr_block="172.16.0.0/12",
                                                enable_ipv_6=True)).body.vpc_id
    vswitch = vpc.create_vswitch(vm.CreateVSwitchRequest(
        region_id=REGION, vpc_id=vpc_id, zone_id=ZONE, cidr_block="172.16.8.0/24", ipv_6cidr_block=1)).body.v_switch_id
    group = ecs.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc_id)).body
    primary = ENI(instance_type="Primary", v_switch_id=vswitch, security_group_ids=[group.security_group_id],
                  ipv_6address_count=1)
    ecs.create_key_pair(models.CreateKeyPairRequest(region_id=REGION, key_pair_name="cloud-init-key"))
    [instance_id] = ecs.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", host_name="web-1",
        key_pair_name="cloud-init-key", user_data=base64.b64encode(USER_DATA).decode(), ram_role_name="AppRole",
        internet_max_bandwidth_out=5, http_tokens=http_tokens,
        tag=[models.RunInstancesRequestTag(key="env", value="test")],
        network_interface=[primary, ENI(instance_type="Secondary", network_interface_name="data")])
    ).body.instance_id_sets.instance_id_set
    item = ecs.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.to_map()["Instances"]["Instance"][0]
    [key_pair] = ecs.describe_key_pairs(models.DescribeKeyPairsRequest(
        region_id=REGION, key_pair_name="cloud-init-key", include_public_key=True)).body.to_map()["KeyPairs"]["KeyPair"]
    enis = item["NetworkInterfaces"]["NetworkInterface"]
    return {"instance_id": instance_id, "item": item, "public_key": key_pair["PublicKey"], "vpc_cidr": "172.16.0.0/12",
            "nics": {e["MacAddress"]: f"eth{n}" for n, e in enumerate(enis)}}


def check(seen: dict, facts: dict) -> None:
    """What cloud-init read is the instance's, field by field."""
    item, md = facts["item"], seen["metadata"]
    assert seen["ok"] is True and seen["cloud_name"] == "aliyun"
    assert seen["instance_id"] == md["instance-id"] == facts["instance_id"]
    assert (md["region-id"], md["zone-id"]) == (REGION, item["ZoneId"]) == (REGION, ZONE)
    assert seen["hostname"] == md["hostname"] == item["HostName"] == "web-1"
    assert (md["image-id"], md["instance"]["instance-type"]) == (item["ImageId"], item["InstanceType"])
    assert md["instance"]["instance-name"] == item["InstanceName"]
    assert md["owner-account-id"] == DEFAULT_ACCOUNT_ID and md["serial-number"] == item["SerialNumber"]
    primary, secondary = item["NetworkInterfaces"]["NetworkInterface"]
    assert md["mac"] == primary["MacAddress"] and md["private-ipv4"] == primary["PrimaryIpAddress"]
    assert md["private-ipv4"] == item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    assert md["public-ipv4"] == md["eipv4"] == item["PublicIpAddress"]["IpAddress"][0]
    assert (md["vpc-id"], md["vswitch-id"]) == (item["VpcAttributes"]["VpcId"], item["VpcAttributes"]["VSwitchId"])
    assert (md["vpc-cidr-block"], md["vswitch-cidr-block"], md["network-type"]) == (
        facts["vpc_cidr"], "172.16.8.0/24", "vpc")
    # the openssh form, once per documented name (0 and the key pair's id), as cloud-init hands them to sshd
    assert seen["public_keys"] == [facts["public_key"]] * 2 and facts["public_key"].startswith("ssh-rsa AAAA")
    assert base64.b64decode(seen["userdata_b64"]) == USER_DATA  # decoded as the service does
    macs = md["network"]["interfaces"]["macs"]
    assert set(macs) == {primary["MacAddress"], secondary["MacAddress"]}
    for eni in (primary, secondary):
        nic = macs[eni["MacAddress"]]
        assert nic["network-interface-id"] == eni["NetworkInterfaceId"]
        assert (nic["vpc-id"], nic["vswitch-id"]) == (md["vpc-id"], md["vswitch-id"])
        assert json.loads(nic["private-ipv4s"]) == [eni["PrimaryIpAddress"]] == [nic["primary-ip-address"]]
        assert (nic["netmask"], nic["gateway"]) == ("255.255.255.0", "172.16.8.253")
    [ipv6] = [s["Ipv6Address"] for s in primary["Ipv6Sets"]["Ipv6Set"]]
    assert macs[primary["MacAddress"]]["ipv6s"] == f"[{ipv6}]" and "ipv6s" not in macs[secondary["MacAddress"]]
    # the network config cloud-init writes: DHCP on both NICs, matched by MAC; DHCPv6 where IPv6 is
    ethernets = seen["network_config"]["ethernets"]
    for mac, name in facts["nics"].items():
        assert ethernets[name]["match"] == {"macaddress": mac} and ethernets[name]["dhcp4"] is True
    assert ethernets["eth0"]["dhcp6"] is True and ethernets["eth1"]["dhcp6"] is False
    assert "security-credentials" not in md.get("ram", {})  # (cloud-init never reads credentials)
    # cloud-init 22.4.2 reads the dated version, in normal mode (it asks for no token on ECS)
    assert seen["api_version"] == "2016-01-01"
    assert all(url.startswith(IMDS + "/2016-01-01/") and method == "GET" for method, url in seen["urls"])


def run_driver(facts: dict, proxy: str, max_wait: int = 5) -> dict:
    env = {**os.environ, "HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    done = subprocess.run([DEBIAN_PYTHON, DRIVER, json.dumps({"nics": facts["nics"], "max_wait": max_wait})],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def served():
    """A server, and an instance launched through it that the metadata service answers as."""
    from mockecs.modes.server import ServerThread

    with ServerThread() as srv:
        ecs = server_client(srv.url)
        facts = launch(ecs, vpc_client(endpoint=srv.url.split("://", 1)[1], protocol="http"))
        answer = requests.post(srv.url + "/_mockecs/metadata", json={"instance_id": facts["instance_id"]}, timeout=10)
        assert answer.json() == {"instance_id": facts["instance_id"], "vendor_data": None}
        yield srv, ecs, facts


@needs_cloud_init
def test_cloud_init_through_the_server_as_proxy(served):
    srv, _, facts = served
    check(run_driver(facts, srv.url), facts)


@needs_cloud_init
def test_hardened_only_mode_stops_cloud_init_22(served):
    """``HttpTokens=required``: cloud-init 22.4.2 asks without a token and gets 401, so it finds no datasource (the
    docs warn that this mode breaks cloud-init older than 23.2.2); back to optional, it reads again."""
    srv, ecs, facts = served

    def tokens(mode: str) -> None:
        ecs.modify_instance_metadata_options(models.ModifyInstanceMetadataOptionsRequest(
            region_id=REGION, instance_id=facts["instance_id"], http_endpoint="enabled", http_tokens=mode))

    tokens("required")
    try:
        seen = run_driver(facts, srv.url, max_wait=1)
        assert seen["ok"] is False and seen["urls"][0] == ["GET", IMDS + "/2016-01-01/meta-data/instance-id"]
        proxied = {"http": srv.url}
        assert requests.get(META + "instance-id", proxies=proxied, timeout=10).status_code == 401
        token = requests.put(IMDS + "/latest/api/token", proxies=proxied, timeout=10,
                             headers={"X-aliyun-ecs-metadata-token-ttl-seconds": "60"}).text
        answer = requests.get(META + "instance-id", proxies=proxied, timeout=10,
                              headers={"X-aliyun-ecs-metadata-token": token})
        assert (answer.status_code, answer.text) == (200, facts["instance_id"])
    finally:
        tokens("optional")
    assert run_driver(facts, srv.url)["ok"] is True


IN_PROCESS = """
import json, sys
from mockecs import mock_ecs
from mockecs.modes.clients import vpc_client
from tests.cloud_init_driver import run
from tests.sdk import new_client
from tests.test_cloud_init import launch
# (after the venv and after everything of ours is imported: only cloud-init's own modules come from there)
sys.path.append({packages!r})
with mock_ecs() as m:
    facts = launch(new_client(), vpc_client())
    m.metadata.instance_id = facts["instance_id"]
    seen = run({{"nics": facts["nics"], "max_wait": 5}})
json.dump({{"facts": facts, "seen": seen}}, sys.stdout, default=str)
"""


@needs_cloud_init
def test_cloud_init_in_process_under_mock_ecs():
    """cloud-init's modules in the venv's Python, its ``requests`` intercepted by ``mock_ecs`` (in a child process:
    Debian's dist-packages on ``sys.path`` must not leak into the rest of the suite)."""
    done = subprocess.run([sys.executable, "-c", IN_PROCESS.format(packages=DEBIAN_PACKAGES)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    check(out["seen"], out["facts"])


# -- the protocol, through plain requests -----------------------------------------------------------------------
@pytest.fixture
def instance(mock):
    facts = launch(new_client(), vpc_client())
    mock.metadata.instance_id = facts["instance_id"]
    return facts


def get(path: str, token: Any = None, **kw: Any) -> requests.Response:
    headers = {"X-aliyun-ecs-metadata-token": token} if token else {}
    return requests.get(IMDS + path, headers=headers, timeout=5, **kw)


def new_token(ttl: Any = "21600", **headers: str) -> requests.Response:
    return requests.put(IMDS + "/latest/api/token", timeout=5,
                        headers={**({"X-aliyun-ecs-metadata-token-ttl-seconds": str(ttl)} if ttl is not None else {}),
                                 **headers})


def test_token_ttl_rules_and_expiry(mock, instance):
    """Documented: the TTL is 1 to 21600 seconds; the token is sent back in X-aliyun-ecs-metadata-token."""
    for ttl in (None, "0", "21601", "abc", "-5", ""):
        answer = new_token(ttl)
        assert answer.status_code == 400, ttl
    assert new_token("60", **{"X-Forwarded-For": "10.0.0.1"}).status_code == 403  # (a proxied token request)
    assert requests.get(IMDS + "/latest/api/token", timeout=5).status_code == 405
    answer = new_token("60")
    assert answer.status_code == 200 and answer.headers["X-aliyun-ecs-metadata-token-ttl-seconds"] == "60"
    token = answer.text
    assert get("/latest/meta-data/instance-id", token).text == instance["instance_id"]
    # (cloud-init 24.x sends back the bytes it read: requests passes a bytes header value as it is)
    assert get("/latest/meta-data/instance-id", token.encode()).text == instance["instance_id"]
    for forged in ("not-a-token", "99999999999999-0." + token.rsplit(".", 1)[1], token + "x", "t\u00e9."):
        assert get("/latest/meta-data/instance-id", forged.encode()).status_code == 401, forged
    # signed, not kept: another server process (mockecs server --workers N) takes it too
    other = MetadataServer(mock.engine, instance["instance_id"])
    assert other.answer("GET", META + "instance-id", {"X-aliyun-ecs-metadata-token": token}).status == 200
    mock.engine.clock.advance(61)  # the mock clock: the token is past its TTL
    assert get("/latest/meta-data/instance-id", token).status_code == 401
    assert get("/latest/meta-data/instance-id").status_code == 200  # (normal mode still answers)


def test_hardened_only_mode_and_a_disabled_endpoint(client, instance):
    instance_id = instance["instance_id"]

    def options(**kw: str) -> None:
        client.modify_instance_metadata_options(models.ModifyInstanceMetadataOptionsRequest(
            region_id=REGION, instance_id=instance_id, **kw))

    options(http_endpoint="enabled", http_tokens="required")
    assert get("/latest/meta-data/instance-id").status_code == 401
    assert get("/latest/user-data").status_code == 401
    token = new_token().text
    assert get("/latest/meta-data/instance-id", token).text == instance_id
    # the credential chain's ECS RAM role provider uses the token (IMDSv2): it still gets the role's keys
    from alibabacloud_credentials.provider import EcsRamRoleCredentialsProvider

    creds = EcsRamRoleCredentialsProvider(disable_imds_v1=True, async_update_enabled=False).get_credentials()
    assert creds.get_access_key_id().startswith("STS.")
    options(http_endpoint="disabled")
    assert get("/latest/meta-data/instance-id", token).status_code == 403
    assert new_token().status_code == 403


def test_listings_items_and_404s(instance):
    item = instance["item"]
    primary, secondary = (e["MacAddress"] for e in item["NetworkInterfaces"]["NetworkInterface"])
    root = get("/latest/meta-data/")
    assert root.status_code == 200 and root.headers["Content-Type"] == "text/plain"
    names = root.text.split("\n")  # one a line, directories ending in /, no trailing newline
    bare = [name.rstrip("/") for name in names]
    assert bare == sorted(bare) and not root.text.endswith("\n")
    assert {"instance-id", "hostname", "mac", "network/", "public-keys/", "ram/", "instance/", "dns-conf/",
            "ntp-conf/", "disks/", "region-id", "zone-id", "vpc-id", "vswitch-id"} <= set(names)
    assert get("/latest/meta-data").text == root.text  # (without the slash too)
    assert get("/latest/meta-data/network/interfaces/macs/").text == "\n".join(sorted([primary + "/", secondary + "/"]))
    assert get(f"/latest/meta-data/network/interfaces/macs/{primary}/mac").text == primary
    assert get("/latest/meta-data/dns-conf/nameservers").text == "100.100.2.136\r\n100.100.2.138"
    assert get("/latest/meta-data/public-keys/0/openssh-key").text == instance["public_key"]
    assert get("/latest/meta-data/instance/instance-type").text == "ecs.g7.large"
    for missing in ("/latest/meta-data/no-such-item", "/latest/meta-data/instance/spot/termination-time",
                    "/latest/nothing", "/v9/meta-data/", "/latest/meta-data/ram/security-credentials/OtherRole"):
        answer = get(missing)
        assert (answer.status_code, answer.text) == (404, "Not Found"), missing
    assert get("/").text == "latest"
    assert get("/latest/").text == "dynamic/\nmeta-data/\nuser-data"
    assert get("/2016-01-01/meta-data/instance-id").text == instance["instance_id"]  # (the version cloud-init reads)


def test_user_vendor_data_identity_and_all(mock, instance):
    answer = get("/latest/user-data")
    assert answer.status_code == 200 and answer.content == USER_DATA  # the bytes, base64-decoded
    assert get("/latest/vendor-data").status_code == 404  # none unless a test gives some
    mock.metadata.vendor_data = b"#cloud-config\nbootcmd:\n  - echo vendor\n"
    assert get("/latest/vendor-data").content == mock.metadata.vendor_data
    assert "vendor-data" in get("/latest/").text.split("\n")
    document = json.loads(get("/latest/dynamic/instance-identity/document").text)
    item = instance["item"]
    assert document == {"instance-id": instance["instance_id"], "region-id": REGION, "zone-id": ZONE,
                        "owner-account-id": DEFAULT_ACCOUNT_ID, "image-id": LINUX, "instance-type": "ecs.g7.large",
                        "mac": get("/latest/meta-data/mac").text,
                        "private-ipv4": get("/latest/meta-data/private-ipv4").text,
                        "serial-number": item["SerialNumber"]}
    everything = get("/latest/meta-data/all")  # (cloud-init 24.x reads the tree at once)
    assert everything.headers["Content-Type"] == "application/json"
    tree = everything.json()
    assert tree["instance-id"] == instance["instance_id"] and "ram" not in tree
    assert tree["network"]["interfaces"]["macs"].keys() == set(instance["nics"])
    assert tree["public-keys"]["0"]["openssh-key"] == instance["public_key"]


def test_tags_bandwidth_and_changes_seen_at_once(client, instance):
    """Tags under tags/instance/ once InstanceMetadataTags is enabled; the type's bandwidth (DescribeInstanceTypes'
    Kbit/s); a new host name or user data is read from the next request on."""
    instance_id = instance["instance_id"]
    assert get("/latest/meta-data/tags/instance/env").status_code == 404
    client.modify_instance_metadata_options(models.ModifyInstanceMetadataOptionsRequest(
        region_id=REGION, instance_id=instance_id, http_endpoint="enabled", instance_metadata_tags="enabled"))
    assert get("/latest/meta-data/tags/instance/").text == "env"
    assert get("/latest/meta-data/tags/instance/env").text == "test"
    [itype] = client.describe_instance_types(models.DescribeInstanceTypesRequest(
        instance_types=["ecs.g7.large"])).body.to_map()["InstanceTypes"]["InstanceType"]
    assert get("/latest/meta-data/instance/max-netbw-ingress").text == str(itype["InstanceBandwidthRx"])
    assert get("/latest/meta-data/instance/max-netbw-egress").text == str(itype["InstanceBandwidthTx"])
    client.stop_instance(models.StopInstanceRequest(instance_id=instance_id, force_stop=True))
    client.modify_instance_attribute(models.ModifyInstanceAttributeRequest(
        instance_id=instance_id, host_name="web-2", user_data=base64.b64encode(b"#!/bin/sh\necho 2\n").decode()))
    assert get("/latest/meta-data/hostname").text == "web-2"
    assert get("/latest/user-data").content == b"#!/bin/sh\necho 2\n"


def test_the_instance_ram_role_credentials(mock, instance):
    assert get("/latest/meta-data/ram/security-credentials/").text == "AppRole"
    answer = get("/latest/meta-data/ram/security-credentials/AppRole")
    creds = answer.json()
    assert set(creds) == {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "LastUpdated", "Code"}
    assert creds["Code"] == "Success" and creds["AccessKeyId"].startswith("STS.")
    client = new_client(creds["AccessKeyId"], creds["AccessKeySecret"], security_token=creds["SecurityToken"])
    assert client.describe_regions(models.DescribeRegionsRequest()).status_code == 200
    assert mock.calls[-1].account == DEFAULT_ACCOUNT_ID


def test_an_instance_without_role_keys_or_user_data(client, mock):
    [instance_id] = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set
    mock.metadata.instance_id = instance_id
    names = get("/latest/meta-data/").text.split("\n")
    assert "ram/" not in names and "public-keys/" not in names and "public-ipv4" not in names
    assert get("/latest/meta-data/ram/security-credentials/").status_code == 404
    assert get("/latest/user-data").status_code == 404 and "user-data" not in get("/latest/").text
    mock.metadata.instance_id = None  # the made-up instance again, with its role
    assert get("/latest/meta-data/instance-id").text == INSTANCE_ID
    assert get("/latest/meta-data/ram/security-credentials/").text == ROLE_NAME


def test_under_mock_ecs_without_cloud_init_installed():
    """(The protocol tests above need no cloud-init; this one only proves the mock is reachable by plain requests
    with nothing set up.)"""
    with mock_ecs():
        assert get("/latest/meta-data/instance-id").text == INSTANCE_ID


def test_vendor_data_through_the_control_api():
    """``POST /_mockecs/metadata {"vendor_data": ...}``: what a server-mode test gives its instances as vendor data
    (the in-process ``m.metadata.vendor_data``); the instance it answers as stays unless named."""
    from mockecs.modes.server import ServerThread

    with ServerThread() as srv:
        facts = launch(server_client(srv.url), vpc_client(endpoint=srv.url.split("://", 1)[1], protocol="http"))
        control, proxied = srv.url + "/_mockecs/metadata", {"http": srv.url}
        requests.post(control, json={"instance_id": facts["instance_id"]}, timeout=10)
        assert requests.get(IMDS + "/latest/vendor-data", proxies=proxied, timeout=10).status_code == 404
        vendor = "#cloud-config\nbootcmd:\n  - echo vendor ✓\n"
        answer = requests.post(control, json={"vendor_data": vendor}, timeout=10)
        assert answer.json() == {"instance_id": facts["instance_id"], "vendor_data": vendor}
        got = requests.get(IMDS + "/latest/vendor-data", proxies=proxied, timeout=10)
        assert (got.status_code, got.content) == (200, vendor.encode())
        assert requests.get(META + "instance-id", proxies=proxied, timeout=10).text == facts["instance_id"]
        bad = requests.post(control, json={"vendor_data": None, "instance_id": "i-none"}, timeout=10)
        assert (bad.status_code, bad.json()) == (400, {"error": "no instance 'i-none'"})
        assert requests.get(control, timeout=10).json()["vendor_data"] == vendor  # (nothing changed)
        requests.post(control, json={"vendor_data": None}, timeout=10)
        assert requests.get(IMDS + "/latest/vendor-data", proxies=proxied, timeout=10).status_code == 404


# -- more documented items, and the HostName placeholder ----------------------------------------------------------
def item_of(mock, instance_id: str, path: str) -> requests.Response:
    mock.metadata.instance_id = instance_id
    return get("/latest/meta-data/" + path)


def test_virtualization_landing_time_marketplace_and_windows_items(client, mock):
    """instance/virtualization-solution(-version) and last-host-landing-time on every instance;
    image/market-place/* only for an instance of a Marketplace image (404 otherwise); kms-server and wsus-server/*
    only on Windows (404 on Linux)."""
    def landing(at: float) -> str:  # (UTC+8, as a real instance answers it)
        return datetime.datetime.fromtimestamp(at, datetime.timezone(datetime.timedelta(hours=8))).strftime(
            "%Y-%m-%d %H:%M:%S")

    [linux] = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set
    assert item_of(mock, linux, "instance/virtualization-solution").text == "ECS Virt"
    assert item_of(mock, linux, "instance/virtualization-solution-version").text == "2.0"
    listed = item_of(mock, linux, "instance/").text.split("\n")
    assert {"virtualization-solution", "virtualization-solution-version", "last-host-landing-time"} <= set(listed)
    [item] = client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([linux]))).body.to_map()["Instances"]["Instance"]
    started = resources.parse_iso(item["StartTime"])  # (its last start, to the minute)
    assert item_of(mock, linux, "instance/last-host-landing-time").text == landing(started)
    mock.engine.clock.advance(3600)
    client.reboot_instance(models.RebootInstanceRequest(instance_id=linux))
    assert item_of(mock, linux, "instance/last-host-landing-time").text == landing(started + 3600)
    for missing in ("image/market-place/product-code", "image/", "kms-server", "wsus-server/wu-server"):
        answer = item_of(mock, linux, missing)
        assert (answer.status_code, answer.text) == (404, "Not Found"), missing
    marketplace.subscribe(mock.engine, DEFAULT_ACCOUNT_ID, "cmjj028279")
    [market] = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id="m-bp1o6a6zp7fkruscjqn0", instance_type="ecs.g7.large")).body.instance_id_sets \
        .instance_id_set
    assert item_of(mock, market, "image/market-place/").text == "charge-type\nproduct-code"
    assert item_of(mock, market, "image/market-place/product-code").text == "cmjj028279"
    assert item_of(mock, market, "image/market-place/charge-type").text == "PostPaid"
    [windows] = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id="win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd",
        instance_type="ecs.g7.large")).body.instance_id_sets.instance_id_set
    assert item_of(mock, windows, "kms-server").text == "kms.cloud.aliyuncs.com"
    assert item_of(mock, windows, "wsus-server/").text == "wu-server\nwu-status-server"
    assert item_of(mock, windows, "wsus-server/wu-status-server").text == "http://update.cloud.aliyuncs.com"


def test_host_name_placeholder_and_sequences(client, mock):
    """RunInstances' HostName: ${instance_id} becomes each instance's id (documented for Linux and the others); the
    name_prefix[begin,bits]name_suffix sequences number the batch; the metadata's hostname is the result."""
    made = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", amount=2, host_name="k8s-${instance_id}",
        instance_name="node[3,2]-web")).body.instance_id_sets.instance_id_set
    found = {i["InstanceId"]: i for i in client.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps(made))).body.to_map()["Instances"]["Instance"]}
    assert [found[i]["HostName"] for i in made] == [f"k8s-{i}" for i in made]
    assert [found[i]["InstanceName"] for i in made] == ["node03-web", "node04-web"]
    assert item_of(mock, made[1], "hostname").text == f"k8s-{made[1]}"
    assert item_of(mock, made[0], "instance/instance-name").text == "node03-web"
    made = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", amount=2,
        host_name="${instance_id}.node[,3]")).body.instance_id_sets.instance_id_set
    assert [item_of(mock, i, "hostname").text for i in made] == [f"{made[0]}.node000", f"{made[1]}.node001"]

"""SSH key pairs (CreateKeyPair, ImportKeyPair, DescribeKeyPairs, AttachKeyPair, DetachKeyPair, DeleteKeyPairs)
and the key pair of an instance, through both SDKs, JSON and XML."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import alibabacloud_ecs20140526.models as models
import pytest
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkecs.request.v20140526.AttachKeyPairRequest import AttachKeyPairRequest
from aliyunsdkecs.request.v20140526.CreateKeyPairRequest import CreateKeyPairRequest
from aliyunsdkecs.request.v20140526.DeleteKeyPairsRequest import DeleteKeyPairsRequest
from aliyunsdkecs.request.v20140526.DescribeKeyPairsRequest import DescribeKeyPairsRequest
from aliyunsdkecs.request.v20140526.ImportKeyPairRequest import ImportKeyPairRequest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

from mockecs.world import resource_groups
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call
from tests.test_instances import LINUX, REGION, WINDOWS, describe, old_error, run
from tests.test_instances import _all_documented as all_documented


def assert_exact(action: str, err: Any) -> None:
    """Code, HTTP status and message are one (status, message) pair the metadata documents for ``action``;
    a ``%s`` in a documented message matches any text."""
    if isinstance(err, ClientException):
        code, status, message = err.code, err.status_code, err.data.get("Message")
    else:
        code, status, message = err.get_error_code(), err.get_http_status(), err.get_error_msg()
    # Some documented messages carry no-break spaces (the page's typesetting): compared as spaces.
    documented = [(s, m.replace("\xa0", " ")) for s, m in all_documented(action, code)]
    assert documented, f"{code} is not documented for {action}"
    assert any(status == s and re.fullmatch(".*".join(map(re.escape, m.split("%s"))), message, re.S)
               for s, m in documented), (code, status, message, documented)


def legacy_xml(client: Any, request: Any) -> ET.Element:
    """An old-SDK call with ``Format=XML`` (``do_action_with_exception`` forces JSON); the parsed answer."""
    request.set_accept_format("XML")
    status, _, body, _ = client._implementation_of_do_action(request)
    assert status == 200, body
    return ET.fromstring(body)


def create(client, name: str = "packer_key", region: str = REGION, **kw) -> Any:
    return client.create_key_pair(models.CreateKeyPairRequest(region_id=region, key_pair_name=name, **kw)).body


def key_pairs(client, region: str = REGION, **kw) -> dict:
    return client.describe_key_pairs(models.DescribeKeyPairsRequest(region_id=region, **kw)).body.to_map()


def ssh_line(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def md5_fingerprint(line: str) -> str:
    """What ``ssh-keygen -l -E md5`` prints (without its ``MD5:`` prefix)."""
    digest = hashlib.md5(base64.b64decode(line.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


# -- CreateKeyPair ------------------------------------------------------------------------------
def test_create_key_pair_returns_a_real_private_key_and_its_fingerprint(client):
    body = create(client, "packer_64e1")
    assert body.key_pair_name == "packer_64e1"
    assert re.fullmatch(r"ssh-bp1[a-z0-9]{17}", body.key_pair_id)
    assert body.private_key_body.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    private = serialization.load_pem_private_key(body.private_key_body.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    assert body.key_pair_finger_print == md5_fingerprint(ssh_line(private))
    listed = key_pairs(client, include_public_key=True)
    assert listed["TotalCount"] == 1
    (item,) = listed["KeyPairs"]["KeyPair"]
    assert item["PublicKey"] == ssh_line(private)
    assert item["KeyPairFingerPrint"] == body.key_pair_finger_print
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", item["CreationTime"])
    assert "PublicKey" not in key_pairs(client)["KeyPairs"]["KeyPair"][0]


def test_create_key_pair_pkcs8_option(client, engine):
    engine.config.options["key_pair_private_key_format"] = "pkcs8"
    body = create(client)
    assert body.private_key_body.startswith("-----BEGIN PRIVATE KEY-----\n")
    serialization.load_pem_private_key(body.private_key_body.encode(), password=None)


def test_create_key_pair_old_sdk_json_and_xml(legacy):
    request = CreateKeyPairRequest()
    request.set_KeyPairName("legacy-key")
    request.set_Tags([{"Key": "team", "Value": "images"}])
    body = legacy_call(legacy, request)
    assert set(body) == {"RequestId", "KeyPairId", "KeyPairName", "KeyPairFingerPrint", "PrivateKeyBody"}
    request = CreateKeyPairRequest()
    request.set_KeyPairName("xml-key")
    root = legacy_xml(legacy, request)
    assert root.tag == "CreateKeyPairResponse"
    assert root.findtext("KeyPairName") == "xml-key"
    assert root.findtext("PrivateKeyBody").startswith("-----BEGIN RSA PRIVATE KEY-----")
    listing = DescribeKeyPairsRequest()
    listing.set_Tags([{"Key": "team", "Value": "images"}])
    names = [k["KeyPairName"] for k in legacy_call(legacy, listing)["KeyPairs"]["KeyPair"]]
    assert names == ["legacy-key"]


@pytest.mark.parametrize("name", ["a", "1key", "-key", "key.pub", "http://key", "x" * 129, "key pair"])
def test_create_key_pair_malformed_name(client, name):
    err = error_of(create, client, name)
    assert err.code == "InvalidKeyPairName.Malformed"
    assert_exact("CreateKeyPair", err)


def test_create_key_pair_name_unique_per_account_and_region(client, other):
    create(client, "dup")
    err = error_of(create, client, "dup")
    assert err.code == "KeyPair.AlreadyExist"
    assert_exact("CreateKeyPair", err)
    create(client, "dup", region="cn-beijing")  # another region: fine
    create(other.client, "dup")  # another account: fine
    assert key_pairs(other.client)["TotalCount"] == 1


def test_create_key_pair_quota_and_tags(client, engine):
    engine.config.options["key_pair_quota"] = 1
    create(client, "first")
    err = error_of(create, client, "second")
    assert (err.code, err.status_code) == ("QuotaExceed.KeyPair", 403)
    assert_exact("CreateKeyPair", err)
    engine.config.options["key_pair_quota"] = 500
    for tag, code in [(models.CreateKeyPairRequestTag(key="acs:x", value="v"), "InvalidTagKey.Malformed"),
                      (models.CreateKeyPairRequestTag(key="k", value="http://v"), "InvalidTagValue.Malformed")]:
        err = error_of(create, client, "tagged", tag=[tag])
        assert err.code == code
        assert_exact("CreateKeyPair", err)
    err = error_of(create, client, "tagged", tag=[models.CreateKeyPairRequestTag(key="k", value="1"),
                                                  models.CreateKeyPairRequestTag(key="k", value="2")])
    assert err.code == "Duplicate.TagKey"
    assert_exact("CreateKeyPair", err)
    assert key_pairs(client)["TotalCount"] == 1  # nothing half-created


# -- ImportKeyPair ------------------------------------------------------------------------------
def import_key(client, name: str, body: str) -> Any:
    return client.import_key_pair(models.ImportKeyPairRequest(region_id=REGION, key_pair_name=name,
                                                              public_key_body=body)).body


@pytest.mark.filterwarnings("ignore:SSH DSA key")
@pytest.mark.parametrize("key", [RSA_KEY, dsa.generate_private_key(1024), ec.generate_private_key(ec.SECP256R1()),
                                 ec.generate_private_key(ec.SECP384R1())], ids=["rsa", "dsa", "p256", "p384"])
def test_import_key_pair_fingerprint_is_md5_of_the_key_blob(client, key):
    line = ssh_line(key) + " me@laptop"
    body = import_key(client, "imported", line)
    assert body.key_pair_name == "imported"
    assert body.key_pair_finger_print == md5_fingerprint(line)
    item = key_pairs(client, include_public_key=True, key_pair_finger_print=body.key_pair_finger_print)
    assert item["KeyPairs"]["KeyPair"][0]["PublicKey"] == " ".join(line.split()[:2])


def test_import_key_pair_accepts_a_pem_public_key(client):
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert import_key(client, "pem", pem).key_pair_finger_print == md5_fingerprint(ssh_line(RSA_KEY))


def test_import_key_pair_old_sdk(legacy):
    request = ImportKeyPairRequest()
    request.set_KeyPairName("old-import")
    request.set_PublicKeyBody(ssh_line(RSA_KEY))
    assert legacy_call(legacy, request)["KeyPairFingerPrint"] == md5_fingerprint(ssh_line(RSA_KEY))


@pytest.mark.parametrize("body", [
    "not a key", "ssh-rsa", "ssh-rsa !!!notbase64", "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-dss").decode(),
    ssh_line(ed25519.Ed25519PrivateKey.generate()),  # not among the documented types
    "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa\x00\x00").decode(),
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
], ids=["text", "no-blob", "not-base64", "type-mismatch", "ed25519", "truncated", "bad-pem"])
def test_import_key_pair_malformed_public_key(client, body):
    err = error_of(import_key, client, "bad", body)
    assert err.code == "InvalidPublicKeyBody.Malformed"
    assert_exact("ImportKeyPair", err)


def test_import_key_pair_name_errors_and_missing_body(client):
    import_key(client, "taken", ssh_line(RSA_KEY))
    err = error_of(import_key, client, "taken", ssh_line(RSA_KEY))
    assert err.code == "KeyPair.AlreadyExist"
    assert_exact("ImportKeyPair", err)
    err = error_of(import_key, client, "9bad", ssh_line(RSA_KEY))
    assert err.code == "InvalidKeyPairName.Malformed"
    assert_exact("ImportKeyPair", err)
    err = error_of(client.import_key_pair, models.ImportKeyPairRequest(region_id=REGION, key_pair_name="nobody"))
    assert err.code == "MissingParameter"
    assert_exact("ImportKeyPair", err)


# -- DescribeKeyPairs ---------------------------------------------------------------------------
def test_describe_key_pairs_filters_and_paging(client, engine):
    group = resource_groups.add(engine, name="keys")
    for name in ("web-SshKey", "SshKey-db", "mid-SshKey-x", "SshKey", "other"):
        create(client, name, resource_group_id=group if name == "other" else None)
    names = lambda **kw: [k["KeyPairName"] for k in key_pairs(client, **kw)["KeyPairs"]["KeyPair"]]  # noqa: E731
    assert names(key_pair_name="SshKey") == ["SshKey"]
    assert sorted(names(key_pair_name="*SshKey")) == ["SshKey", "web-SshKey"]
    assert sorted(names(key_pair_name="SshKey*")) == ["SshKey", "SshKey-db"]
    assert sorted(names(key_pair_name="*SshKey*")) == ["SshKey", "SshKey-db", "mid-SshKey-x", "web-SshKey"]
    assert names(key_pair_name="nope") == []
    assert names(resource_group_id=group) == ["other"]
    assert len(names(resource_group_id=resource_groups.default_id(DEFAULT_ACCOUNT))) == 4
    page = key_pairs(client, page_number=2, page_size=2)
    assert (page["TotalCount"], page["PageNumber"], page["PageSize"]) == (5, 2, 2)
    assert len(page["KeyPairs"]["KeyPair"]) == 2
    assert key_pairs(client, page_number=4, page_size=2)["KeyPairs"]["KeyPair"] == []
    err = error_of(key_pairs, client, page_size=51)
    assert err.code == "InvalidParameter"


def test_describe_key_pairs_async_and_other_account(client, other):
    create(client, "mine")

    async def listing():
        resp = await client.describe_key_pairs_async(models.DescribeKeyPairsRequest(region_id=REGION))
        return resp.body.to_map()

    assert [k["KeyPairName"] for k in asyncio.run(listing())["KeyPairs"]["KeyPair"]] == ["mine"]
    assert key_pairs(other.client)["TotalCount"] == 0
    assert key_pairs(client, region="cn-beijing")["TotalCount"] == 0


# -- instances and their key pair -----------------------------------------------------------------
def test_launch_with_key_pair(client, legacy):
    create(client, "launch-key")
    (iid,) = run(client, key_pair_name="launch-key")
    assert describe(client, iid)["KeyPairName"] == "launch-key"
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, key_pair_name="launch-key"))
    assert [i.instance_id for i in found.body.instances.instance] == [iid]
    err = error_of(run, client, key_pair_name="missing")
    assert err.code == "InvalidKeyPairName.NotFound"
    assert_exact("RunInstances", err)
    err = error_of(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", key_pair_name="missing"))
    assert_exact("CreateInstance", err)
    # Windows instances ignore KeyPairName (documented).
    (win,) = run(client, image_id=WINDOWS, key_pair_name="missing", system_disk=models.RunInstancesRequestSystemDisk(
        size=40))
    assert describe(client, win)["KeyPairName"] == ""


def test_replace_system_disk_key_pair(client):
    iid = client.create_instance(models.CreateInstanceRequest(region_id=REGION, image_id=LINUX,
                                                              instance_type="ecs.g7.large")).body.instance_id
    err = error_of(client.replace_system_disk, models.ReplaceSystemDiskRequest(instance_id=iid, image_id=LINUX,
                                                                              key_pair_name="missing"))
    assert err.code == "InvalidKeyPairName.NotFound"
    assert_exact("ReplaceSystemDisk", err)
    create(client, "new-key")
    client.replace_system_disk(models.ReplaceSystemDiskRequest(instance_id=iid, image_id=LINUX,
                                                               key_pair_name="new-key"))
    assert describe(client, iid)["KeyPairName"] == "new-key"


def bind(client, attach: bool, name: str, ids: Any) -> dict:
    text = ids if isinstance(ids, str) else json.dumps(ids)
    if attach:
        request = models.AttachKeyPairRequest(region_id=REGION, key_pair_name=name, instance_ids=text)
        return client.attach_key_pair(request).body.to_map()
    request = models.DetachKeyPairRequest(region_id=REGION, key_pair_name=name, instance_ids=text)
    return client.detach_key_pair(request).body.to_map()


def test_attach_and_detach_key_pair_per_instance_results(client, engine):
    create(client, "first")
    create(client, "second")
    a, b = run(client, amount=2, key_pair_name="first")
    body = bind(client, True, "second", [a, b, "i-bp1doesnotexist0000"])
    assert (body["KeyPairName"], body["TotalCount"], body["FailCount"]) == ("second", "3", "1")
    results = {r["InstanceId"]: r for r in body["Results"]["Result"]}
    assert results[a] == {"InstanceId": a, "Code": "200", "Message": "successful", "Success": "true"}
    assert results["i-bp1doesnotexist0000"]["Success"] == "false"
    # Attaching replaces the key pair an instance had (documented).
    assert describe(client, a)["KeyPairName"] == describe(client, b)["KeyPairName"] == "second"
    body = bind(client, False, "second", f"{a}")  # a bare id, as some clients send
    assert body["FailCount"] == "0"
    assert describe(client, a)["KeyPairName"] == ""
    assert describe(client, b)["KeyPairName"] == "second"
    # A busy instance fails alone.
    engine.lifecycle.delay("instance", seconds=60)
    client.stop_instance(models.StopInstanceRequest(instance_id=b))
    body = bind(client, False, "second", [b])
    assert body["Results"]["Result"][0]["Success"] == "false"
    assert body["Results"]["Result"][0]["Code"] == "IncorrectInstanceStatus"


def test_attach_key_pair_old_sdk(legacy, client):
    create(client, "old")
    (iid,) = run(client)
    request = AttachKeyPairRequest()
    request.set_KeyPairName("old")
    request.set_InstanceIds(json.dumps([iid]))
    assert legacy_call(legacy, request)["Results"]["Result"][0]["Success"] == "true"
    root = legacy_xml(legacy, request)
    assert root.find("Results/Result/Code").text == "200"
    assert root.findtext("TotalCount") == "1"


@pytest.mark.parametrize("attach", [True, False])
def test_attach_detach_documented_errors(client, attach):
    action = "AttachKeyPair" if attach else "DetachKeyPair"
    create(client, "kp")
    (win,) = run(client, image_id=WINDOWS, system_disk=models.RunInstancesRequestSystemDisk(size=40))
    cases = [("nope", [win], "InvalidKeyPairName.NotFound"),
             ("kp", "[1, 2", "InvalidInstanceIds.ValueNotSupported"),
             ("kp", '{"a": 1}', "InvalidInstanceIds.ValueNotSupported"),
             ("kp", [f"i-{n}" for n in range(51)], "InstanceKeyPairLimitExceeded"),
             ("kp", [win], "DependencyViolation.WindowsInstance")]
    for name, ids, code in cases:
        err = error_of(bind, client, attach, name, ids)
        assert err.code == code, (name, ids)
        assert_exact(action, err)


# -- DeleteKeyPairs -----------------------------------------------------------------------------
def delete(client, names: Any) -> None:
    text = names if isinstance(names, str) else json.dumps(names)
    client.delete_key_pairs(models.DeleteKeyPairsRequest(region_id=REGION, key_pair_names=text))


def test_delete_key_pairs(client, legacy):
    for name in ("a-key", "b-key", "c-key"):
        create(client, name)
    (iid,) = run(client, key_pair_name="a-key")
    err = error_of(delete, client, ["a-key", "b-key"])
    assert err.code == "InvalidParameter.KeypairAlreadyAttachedInstance"
    assert_exact("DeleteKeyPairs", err)
    assert key_pairs(client)["TotalCount"] == 3  # all or nothing
    delete(client, ["b-key", "never-existed"])
    bind(client, False, "a-key", [iid])
    request = DeleteKeyPairsRequest()
    request.set_KeyPairNames(json.dumps(["a-key", "c-key"]))
    legacy_call(legacy, request)
    assert key_pairs(client)["TotalCount"] == 0
    create(client, "a-key")  # the name is free again


def test_delete_key_pairs_documented_errors(client, legacy):
    bad = "InvalidKeyPairNames.ValueNotSupported"
    for names, code in [("[oops", bad), ("[]", bad), ([f"k{n}" for n in range(101)], "InstanceKeyPairLimitExceeded")]:
        err = error_of(delete, client, names)
        assert err.code == code
        assert_exact("DeleteKeyPairs", err)
    err = old_error(legacy, DeleteKeyPairsRequest())
    assert err.get_error_code() == "MissingParameter"
    assert_exact("DeleteKeyPairs", err)


def test_delete_instance_releases_its_key_pair(client):
    create(client, "temp")
    (iid,) = run(client, key_pair_name="temp")
    client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True))
    delete(client, ["temp"])


# -- tags ---------------------------------------------------------------------------------------
def test_key_pair_tags_by_name(client):
    create(client, "tagged")
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="keypair", resource_id=["tagged"],
                                                    tag=[models.TagResourcesRequestTag(key="env", value="ci")]))
    rows = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type="keypair", tag=[models.ListTagResourcesRequestTag(key="env", value="ci")]))
    assert [(r.resource_id, r.tag_key) for r in rows.body.tag_resources.tag_resource] == [("tagged", "env")]
    rows = client.list_tag_resources(models.ListTagResourcesRequest(region_id=REGION, resource_type="keypair",
                                                                    resource_id=["tagged"]))
    assert [r.tag_value for r in rows.body.tag_resources.tag_resource] == ["ci"]
    assert key_pairs(client, tag=[models.DescribeKeyPairsRequestTag(key="env")])["TotalCount"] == 1
    err = error_of(client.tag_resources, models.TagResourcesRequest(
        region_id=REGION, resource_type="keypair", resource_id=["nope"],
        tag=[models.TagResourcesRequestTag(key="env", value="ci")]))
    assert err.code == "InvalidResourceId.NotFound"


def test_unknown_resource_group(client):
    err = error_of(create, client, "grouped", resource_group_id="rg-nosuchgroup0000")
    assert (err.code, err.status_code) == ("InvalidResourceGroup.NotFound", 404)
    assert_exact("CreateKeyPair", err)
    err = error_of(client.import_key_pair, models.ImportKeyPairRequest(
        region_id=REGION, key_pair_name="grouped", public_key_body=ssh_line(RSA_KEY),
        resource_group_id="rg-nosuchgroup0000"))
    assert_exact("ImportKeyPair", err)
    assert key_pairs(client)["TotalCount"] == 0

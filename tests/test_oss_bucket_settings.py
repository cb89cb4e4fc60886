"""A bucket's settings (CORS, lifecycle, website, logging, referer, encryption, policy, tags, transfer acceleration,
access monitor, resource group) through the real ``oss2``: put, read back, delete, and what a bucket without one
answers (OSS's code and status); malformed documents; and a replay of the calls Terraform's ``alicloud_oss_bucket``
makes (create, refresh, update, destroy) with the Go SDK's own request bodies."""
from __future__ import annotations

import json
import os
import subprocess
import time
import xml.etree.ElementTree as ElementTree

import pytest

from mockecs.modes.mock import MockECS
from mockecs.wire import oss as oss_wire
from mockecs.wire.protocol import HttpRequest
from mockecs.world import resource_groups
from tests.sdk import DEFAULT_ACCOUNT, make_account
from tests.test_oss import GO, GO_OSS, go_build, strict_server

oss2 = pytest.importorskip("oss2", reason="oss2 is not installed")
from oss2 import models  # noqa: E402

ENDPOINT = "https://oss-cn-hangzhou.aliyuncs.com"
AK, SK = "LTAI-oss-settings", "oss-settings-secret"
POLICY = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"],
                                                      "Principal": ["*"], "Resource": ["acs:oss:*:*:tf-site/*"]}]},
                    indent=2)


@pytest.fixture
def strict():
    with MockECS(strict_signatures=True) as m:
        m.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        yield m


def bucket(name: str = "tf-site", auth=None) -> oss2.Bucket:
    return oss2.Bucket(auth or oss2.Auth(AK, SK), ENDPOINT, name)


def failure(call, *args, **kwargs) -> oss2.exceptions.OssError:
    with pytest.raises(oss2.exceptions.OssError) as info:
        call(*args, **kwargs)
    return info.value


def absent(call, code: str, exception: type) -> None:
    err = failure(call)
    assert (type(err), err.status, err.code) == (exception, 404, code), err
    assert err.request_id and err.details["BucketName"] == "tf-site"


def tags_of(tagging) -> dict:
    return dict(tagging.tag_set.tagging_rule)


def test_a_bucket_without_settings_answers_as_osss(strict):
    b = bucket()
    b.create_bucket()
    ex = oss2.exceptions
    absent(b.get_bucket_cors, "NoSuchCORSConfiguration", ex.NoSuchCors)
    absent(b.get_bucket_lifecycle, "NoSuchLifecycle", ex.NoSuchLifecycle)
    absent(b.get_bucket_website, "NoSuchWebsiteConfiguration", ex.NoSuchWebsite)
    absent(b.get_bucket_encryption, "NoSuchServerSideEncryptionRule", ex.NoSuchServerSideEncryptionRule)
    absent(b.get_bucket_policy, "NoSuchBucketPolicy", ex.NoSuchBucketPolicy)
    absent(b.get_bucket_transfer_acceleration, "NoSuchTransferAccelerationConfiguration",
           ex.NoSuchTransferAccelerationConfiguration)
    assert failure(b.get_bucket_lifecycle).message.startswith("No Row found")  # (what Terraform also matches)
    logging = b.get_bucket_logging()
    assert (logging.status, logging.target_bucket, logging.target_prefix) == (200, "", "")
    referer = b.get_bucket_referer()
    assert (referer.allow_empty_referer, referer.referers, referer.allow_truncate_query_string) == (True, [], True)
    assert tags_of(b.get_bucket_tagging()) == {}
    assert b.get_bucket_access_monitor().access_monitor.status == "Disabled"
    assert b.get_bucket_resource_group().resource_group_id == resource_groups.default_id(DEFAULT_ACCOUNT)
    info = b.get_bucket_info()
    assert (info.access_monitor, info.transfer_acceleration, info.data_redundancy_type) == ("Disabled", "Disabled",
                                                                                             "LRS")
    assert info.bucket_encryption_rule.sse_algorithm is None and info.versioning_status is None
    assert info.resource_group_id == resource_groups.default_id(DEFAULT_ACCOUNT)


def test_cors_lifecycle_website(strict):
    b = bucket()
    b.create_bucket()
    rules = [models.CorsRule(allowed_origins=["https://example.com", "*"], allowed_methods=["GET", "PUT"],
                             allowed_headers=["x-oss-meta-a"], expose_headers=["ETag"], max_age_seconds=600),
             models.CorsRule(allowed_origins=["*"], allowed_methods=["HEAD"])]
    assert b.put_bucket_cors(models.BucketCors(rules)).status == 200
    got = b.get_bucket_cors()
    assert [(r.allowed_origins, r.allowed_methods, r.allowed_headers, r.expose_headers, r.max_age_seconds)
            for r in got.rules] == [(["https://example.com", "*"], ["GET", "PUT"], ["x-oss-meta-a"], ["ETag"], 600),
                                    (["*"], ["HEAD"], [], [], None)]
    assert b.delete_bucket_cors().status == 204
    absent(b.get_bucket_cors, "NoSuchCORSConfiguration", oss2.exceptions.NoSuchCors)

    lifecycle = models.BucketLifecycle([
        models.LifecycleRule("expire-logs", "logs/", status=models.LifecycleRule.ENABLED,
                             expiration=models.LifecycleExpiration(days=30),
                             storage_transitions=[models.StorageTransition(days=7,
                                                                           storage_class=oss2.BUCKET_STORAGE_CLASS_IA)]),
        models.LifecycleRule(None, "tmp/", status=models.LifecycleRule.DISABLED,
                             abort_multipart_upload=models.AbortMultipartUpload(days=2))])
    assert b.put_bucket_lifecycle(lifecycle).status == 200
    got = b.get_bucket_lifecycle().rules
    assert [(r.id, r.prefix, r.status) for r in got[:1]] == [("expire-logs", "logs/", "Enabled")]
    assert got[0].expiration.days == 30 and got[0].storage_transitions[0].days == 7
    assert got[0].storage_transitions[0].storage_class == "IA"
    assert got[1].id and got[1].status == "Disabled" and got[1].abort_multipart_upload.days == 2  # (an ID given)
    assert b.delete_bucket_lifecycle().status == 204
    absent(b.get_bucket_lifecycle, "NoSuchLifecycle", oss2.exceptions.NoSuchLifecycle)

    assert b.put_bucket_website(models.BucketWebsite("index.html", "404.html")).status == 200
    website = b.get_bucket_website()
    assert (website.index_file, website.error_file) == ("index.html", "404.html")
    assert b.delete_bucket_website().status == 204
    absent(b.get_bucket_website, "NoSuchWebsiteConfiguration", oss2.exceptions.NoSuchWebsite)


def test_logging_referer_encryption_policy(strict):
    b = bucket()
    b.create_bucket()
    bucket("tf-logs").create_bucket()
    assert b.put_bucket_logging(models.BucketLogging("tf-logs", "access/")).status == 200
    logging = b.get_bucket_logging()
    assert (logging.target_bucket, logging.target_prefix) == ("tf-logs", "access/")
    info = ElementTree.fromstring(_signed(strict, "GET", "tf-site", "bucketInfo", b"").body)
    assert (info.findtext("Bucket/BucketPolicy/LogBucket"), info.findtext("Bucket/BucketPolicy/LogPrefix")) == \
        ("tf-logs", "access/")
    assert b.delete_bucket_logging().status == 204
    assert b.get_bucket_logging().target_bucket == ""
    err = failure(b.put_bucket_logging, models.BucketLogging("nothere-bucket", "x/"))
    assert (err.status, err.code) == (400, "InvalidTargetBucketForLogging")

    assert b.put_bucket_referer(models.BucketReferer(False, ["https://*.example.com", "https://a.com"])).status == 200
    referer = b.get_bucket_referer()
    assert (referer.allow_empty_referer, referer.referers) == (False, ["https://*.example.com", "https://a.com"])
    b.put_bucket_referer(models.BucketReferer(True, []))  # (OSS has no DeleteBucketReferer: this clears it)
    assert (b.get_bucket_referer().allow_empty_referer, b.get_bucket_referer().referers) == (True, [])

    assert b.put_bucket_encryption(models.ServerSideEncryptionRule("KMS", "key-1", "SM4")).status == 200
    rule = b.get_bucket_encryption()
    assert (rule.sse_algorithm, rule.kms_master_keyid, rule.kms_data_encryption) == ("KMS", "key-1", "SM4")
    sse = b.get_bucket_info().bucket_encryption_rule
    assert (sse.sse_algorithm, sse.kms_master_keyid, sse.kms_data_encryption) == ("KMS", "key-1", "SM4")
    assert b.delete_bucket_encryption().status == 204
    absent(b.get_bucket_encryption, "NoSuchServerSideEncryptionRule",
           oss2.exceptions.NoSuchServerSideEncryptionRule)
    assert b.get_bucket_info().bucket_encryption_rule.sse_algorithm is None
    err = failure(b.put_bucket_encryption, models.ServerSideEncryptionRule("DES"))
    assert (err.status, err.code, err.ec) == (400, "InvalidEncryptionAlgorithmError", "0005-00000003")
    err = failure(b.put_bucket_encryption, models.ServerSideEncryptionRule("AES256", "key-1"))
    assert (err.status, err.code) == (400, "InvalidArgument")

    assert b.put_bucket_policy(POLICY).status == 200
    got = b.get_bucket_policy()
    assert got.policy == POLICY and got.headers["Content-Type"] == "application/json"  # (byte for byte)
    assert b.delete_bucket_policy().status == 204
    absent(b.get_bucket_policy, "NoSuchBucketPolicy", oss2.exceptions.NoSuchBucketPolicy)
    for bad in ("not json", "[]", '{"Version": "1"}'):
        err = failure(b.put_bucket_policy, bad)
        assert (err.status, err.code) == (400, "InvalidPolicyDocument")


def test_tags_acceleration_access_monitor_resource_group(strict):
    b = bucket()
    b.create_bucket()
    rule = models.TaggingRule()
    rule.add("env", "prod")
    rule.add("team", "images")
    assert b.put_bucket_tagging(models.Tagging(rule)).status == 200
    assert tags_of(b.get_bucket_tagging()) == {"env": "prod", "team": "images"}
    assert b.delete_bucket_tagging(params={"tagging": "env"}).status == 204  # (only the keys named)
    assert tags_of(b.get_bucket_tagging()) == {"team": "images"}
    assert b.delete_bucket_tagging().status == 204
    assert tags_of(b.get_bucket_tagging()) == {}
    many = models.TaggingRule()
    for i in range(21):
        many.add(f"k{i}", "v")
    err = failure(b.put_bucket_tagging, models.Tagging(many))
    assert (err.status, err.code) == (400, "InvalidTag")

    assert b.put_bucket_transfer_acceleration("true").status == 200
    assert b.get_bucket_transfer_acceleration().enabled == "true"
    assert b.get_bucket_info().transfer_acceleration == "Enabled"
    b.put_bucket_transfer_acceleration("false")
    assert b.get_bucket_transfer_acceleration().enabled == "false"  # (configured: no longer a 404)

    assert b.put_bucket_access_monitor("Enabled").status == 200
    assert b.get_bucket_access_monitor().access_monitor.status == "Enabled"
    assert b.get_bucket_info().access_monitor == "Enabled"
    b.put_bucket_access_monitor("Disabled")
    assert b.get_bucket_access_monitor().access_monitor.status == "Disabled"

    group = "rg-aek2tfbucket01"
    err = failure(b.put_bucket_resource_group, group)
    assert (err.status, err.code) == (400, "InvalidArgument")
    strict.engine.config.options["resource_groups"] = "any"  # (every well-formed rg- id exists)
    assert b.put_bucket_resource_group(group).status == 200
    assert b.get_bucket_resource_group().resource_group_id == group
    assert b.get_bucket_info().resource_group_id == group


def test_malformed_documents_and_who_may_ask(strict):
    b = bucket()
    b.create_bucket()
    for sub in ("cors", "lifecycle", "website", "logging", "referer", "encryption", "tagging",
                "transferAcceleration", "accessmonitor", "resourceGroup"):
        for body in (b"<", b"<Wrong/>"):
            response = _signed(strict, "PUT", "tf-site", sub, body)
            root = ElementTree.fromstring(response.body)
            assert (response.status, root.findtext("Code")) == (400, "MalformedXML"), (sub, body)
    assert bucket().get_bucket_referer().referers == []  # (nothing half-applied)
    deep = b"<a>" * 50000 + b"</a>" * 50000  # (kept documents are written out again: never a RecursionError)
    for sub, body, code in (
            ("lifecycle", b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>1</Days>"
             b"</Expiration>" + deep + b"</Rule></LifecycleConfiguration>", "MalformedXML"),
            ("website", b"<WebsiteConfiguration><RoutingRules>" + deep + b"</RoutingRules></WebsiteConfiguration>",
             "MalformedXML"), ("policy", b"[" * 8000 + b"]" * 8000, "InvalidPolicyDocument")):
        response = _signed(strict, "PUT", "tf-site", sub, body)
        assert (response.status, ElementTree.fromstring(response.body).findtext("Code")) == (400, code), sub
    other = make_account(strict.engine, "2222333344445555")
    theirs = bucket(auth=oss2.Auth(other.access_key_id, other.secret))
    for call in (theirs.get_bucket_cors, theirs.get_bucket_policy, theirs.get_bucket_referer,
                 lambda: theirs.put_bucket_policy(POLICY), theirs.delete_bucket_lifecycle):
        err = failure(call)
        assert (err.status, err.code) == (403, "AccessDenied")
    err = failure(bucket("nothere-bucket").get_bucket_cors)
    assert (err.status, err.code) == (404, "NoSuchBucket")
    response = _signed(strict, "DELETE", "tf-site", "referer", b"")
    assert (response.status, ElementTree.fromstring(response.body).findtext("Code")) == (405, "MethodNotAllowed")
    response = _signed(strict, "DELETE", "tf-site", "replication", b"")  # (not faked: never the bucket's DELETE)
    assert response.status == 501 and b.get_bucket_info().name == "tf-site"


def _signed(mock, method: str, name: str, sub: str, body: bytes, headers: dict | None = None,
            query: str = "") -> object:
    """A V1-signed request as the Go SDK sends it (``?sub``, the body as given)."""
    host = f"{name}.oss-cn-hangzhou.aliyuncs.com" if name else "oss-cn-hangzhou.aliyuncs.com"
    url = f"https://{host}/" + (f"?{sub}" if sub else "") + (("&" if sub else "?") + query if query else "")
    date = oss_wire.http_date(time.time())
    sent = {"host": host, "date": date, "content-length": str(len(body)), **(headers or {})}
    if body:
        sent.setdefault("content-type", "application/xml")
    req = oss_wire.decode(HttpRequest(method, url, sent, body))
    sent["authorization"] = f"OSS {AK}:{oss_wire.v1_signature(oss_wire.v1_string_to_sign(req, date), SK)}"
    return mock.engine.handle(HttpRequest(method, url, sent, body))


# What the Go SDK (aliyun-oss-go-sdk, encoding/xml) sends for Terraform's alicloud_oss_bucket.
GO_CORS = (b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>"
           b"<AllowedMethod>GET</AllowedMethod><AllowedHeader>authorization</AllowedHeader>"
           b"<MaxAgeSeconds>100</MaxAgeSeconds></CORSRule></CORSConfiguration>")
GO_WEBSITE = (b"<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>"
              b"<ErrorDocument><Key></Key></ErrorDocument></WebsiteConfiguration>")
GO_LOGGING = (b"<BucketLoggingStatus><LoggingEnabled><TargetBucket>tf-logs</TargetBucket>"
              b"<TargetPrefix>log/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>")
GO_REFERER = (b"<RefererConfiguration><AllowEmptyReferer>false</AllowEmptyReferer><RefererList>"
              b"<Referer>http://www.aliyun.com</Referer><Referer>https://www.aliyun.com</Referer></RefererList>"
              b"</RefererConfiguration>")
GO_NO_REFERER = (b"<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList><Referer></Referer>"
                 b"</RefererList></RefererConfiguration>")
GO_LIFECYCLE = (b"<LifecycleConfiguration><Rule><ID>rule-days</ID><Prefix>path1/</Prefix><Status>Enabled</Status>"
                b"<Expiration><Days>365</Days></Expiration></Rule><Rule><ID>rule-date</ID><Prefix>path2/</Prefix>"
                b"<Status>Enabled</Status><Expiration><Date>2028-11-11T00:00:00.000Z</Date></Expiration>"
                b"<Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition>"
                b"<AbortMultipartUpload><Days>10</Days></AbortMultipartUpload></Rule></LifecycleConfiguration>")
GO_TAGGING = (b"<Tagging><TagSet><Tag><Key>key1</Key><Value>value1</Value></Tag><Tag><Key>key2</Key>"
              b"<Value>value2</Value></Tag></TagSet></Tagging>")
GO_ACCELERATION = b"<TransferAccelerationConfiguration><Enabled>true</Enabled></TransferAccelerationConfiguration>"
GO_MONITOR = b"<AccessMonitorConfiguration><Status>Enabled</Status></AccessMonitorConfiguration>"
GO_CREATE = (b"<CreateBucketConfiguration><StorageClass>IA</StorageClass><DataRedundancyType>ZRS</DataRedundancyType>"
             b"</CreateBucketConfiguration>")


def _read(mock) -> dict:
    """Terraform's Read: GetBucketInfo, then each setting; the answers it tolerates for one that is absent."""
    out = {}
    info = _signed(mock, "GET", "tf-site", "bucketInfo", b"")
    assert info.status == 200
    out["info"] = ElementTree.fromstring(info.body).find("Bucket")
    for sub, tolerated in (("cors", "NoSuchCORSConfiguration"), ("website", "NoSuchWebsiteConfiguration"),
                           ("logging", None), ("referer", None), ("lifecycle", "NoSuchLifecycle"),
                           ("policy", "NoSuchBucketPolicy"), ("tagging", None),
                           ("transferAcceleration", "NoSuchTransferAccelerationConfiguration"),
                           ("resourceGroup", None)):
        response = _signed(mock, "GET", "tf-site", sub, b"")
        if response.status == 200:
            out[sub] = response.body if sub == "policy" else ElementTree.fromstring(response.body)
        else:
            code = ElementTree.fromstring(response.body).findtext("Code")
            assert (response.status, code) == (404, tolerated), (sub, response.status, code)
            out[sub] = None
    return out


def test_terraforms_alicloud_oss_bucket_create_refresh_update_destroy(strict):
    m = strict
    assert _signed(m, "PUT", "tf-logs", "", b"").status == 200
    listed = _signed(m, "GET", "", "", b"", query="prefix=tf-site&max-keys=1")  # (IsBucketExist)
    assert ElementTree.fromstring(listed.body).find("Buckets/Bucket") is None
    created = _signed(m, "PUT", "tf-site", "", GO_CREATE, {"x-oss-acl": "public-read",
                                                          "x-oss-server-side-encryption": "AES256"})
    assert created.status == 200
    # Update (IsNewResource): every setting the configuration has.
    for method, sub, body, headers in (
            ("PUT", "cors", GO_CORS, {}), ("PUT", "website", GO_WEBSITE, {}), ("PUT", "logging", GO_LOGGING, {}),
            ("PUT", "referer", GO_REFERER, {}), ("PUT", "accessmonitor", GO_MONITOR, {}),
            ("PUT", "lifecycle", GO_LIFECYCLE, {"x-oss-allow-same-action-overlap": "true"}),
            ("PUT", "policy", POLICY.encode(), {"content-type": ""}), ("PUT", "tagging", GO_TAGGING, {}),
            ("PUT", "transferAcceleration", GO_ACCELERATION, {})):
        response = _signed(m, method, "tf-site", sub, body, headers)
        assert response.status == 200, (sub, response.body)
    state = _read(m)
    info = state["info"]
    assert (info.findtext("AccessControlList/Grant"), info.findtext("StorageClass"),
            info.findtext("DataRedundancyType"), info.findtext("ServerSideEncryptionRule/SSEAlgorithm"),
            info.findtext("AccessMonitor"), info.findtext("Versioning")) == ("public-read", "IA", "ZRS", "AES256",
                                                                             "Enabled", None)
    assert [e.text for e in state["cors"].findall("CORSRule/AllowedMethod")] == ["PUT", "GET"]
    assert state["cors"].findtext("CORSRule/MaxAgeSeconds") == "100"
    assert state["website"].findtext("IndexDocument/Suffix") == "index.html"
    assert state["website"].findtext("ErrorDocument/Key") == ""
    assert state["logging"].findtext("LoggingEnabled/TargetBucket") == "tf-logs"
    assert [e.text for e in state["referer"].findall("RefererList/Referer")] == ["http://www.aliyun.com",
                                                                                 "https://www.aliyun.com"]
    assert state["referer"].findtext("AllowEmptyReferer") == "false"
    rules = state["lifecycle"].findall("Rule")
    assert [r.findtext("ID") for r in rules] == ["rule-days", "rule-date"]
    assert rules[1].findtext("Expiration/Date") == "2028-11-11T00:00:00.000Z"  # (the form Terraform parses)
    assert rules[1].findtext("Transition/StorageClass") == "IA"
    assert state["policy"] == POLICY.encode()
    assert {t.findtext("Key"): t.findtext("Value") for t in state["tagging"].findall("TagSet/Tag")} == \
        {"key1": "value1", "key2": "value2"}
    assert state["transferAcceleration"].findtext("Enabled") == "true"
    assert state["resourceGroup"].findtext("ResourceGroupId") == resource_groups.default_id(DEFAULT_ACCOUNT)
    # Update: every setting removed from the configuration (Terraform's removal calls), then refresh.
    for method, sub, body in (("DELETE", "cors", b""), ("DELETE", "website", b""), ("DELETE", "logging", b""),
                              ("PUT", "referer", GO_NO_REFERER), ("DELETE", "lifecycle", b""),
                              ("DELETE", "policy", b""), ("DELETE", "encryption", b""), ("DELETE", "tagging", b"")):
        response = _signed(m, method, "tf-site", sub, body)
        assert response.status == (200 if method == "PUT" else 204), (sub, response.body)
    state = _read(m)
    assert state["cors"] is state["website"] is state["lifecycle"] is state["policy"] is None
    assert state["logging"].find("LoggingEnabled") is None
    assert state["referer"].findall("RefererList/Referer") == []  # (the Go SDK's empty entry is no referer)
    assert state["tagging"].findall("TagSet/Tag") == []
    assert state["info"].findtext("ServerSideEncryptionRule/SSEAlgorithm") == "None"
    # Destroy: IsBucketExist, DeleteBucket, then GetBucketInfo until NoSuchBucket.
    listed = _signed(m, "GET", "", "", b"", query="prefix=tf-site&max-keys=1")
    assert ElementTree.fromstring(listed.body).findtext("Buckets/Bucket/Name") == "tf-site"
    assert _signed(m, "DELETE", "tf-site", "", b"").status == 204
    gone = _signed(m, "GET", "tf-site", "bucketInfo", b"")
    assert (gone.status, ElementTree.fromstring(gone.body).findtext("Code")) == (404, "NoSuchBucket")
    assert _signed(m, "PUT", "tf-site", "", b"").status == 200  # (made again: none of the old settings)
    assert _read(m)["cors"] is None and _read(m)["info"].findtext("AccessMonitor") == "Disabled"
    actions = {c.action for c in m.engine.calls}  # (the call record names OSS's actions)
    assert {"PutBucketCors", "GetBucketLifecycle", "DeleteBucketPolicy", "PutBucketAccessMonitor"} <= actions


def test_force_destroy_lists_versions_and_deletes_them(strict):
    """Terraform's force_destroy: DeleteBucket answers BucketNotEmpty, so ListObjectVersions, DeleteObjectVersions
    (each object's only version, ``null``), and DeleteBucket again."""
    b = bucket()
    b.create_bucket()
    for key in ("a.txt", "logs/1", "logs/2"):
        b.put_object(key, b"x" * 3)
    assert failure(b.delete_bucket).code == "BucketNotEmpty"
    listed = b.list_object_versions(max_keys=2)
    assert [(v.key, v.versionid, v.is_latest, v.size) for v in listed.versions] == [("a.txt", "null", True, 3),
                                                                                   ("logs/1", "null", True, 3)]
    assert listed.is_truncated and listed.next_key_marker == "logs/1" and listed.next_versionid_marker == "null"
    rest = b.list_object_versions(key_marker="logs/1", versionid_marker="null")
    assert [v.key for v in rest.versions] == ["logs/2"] and not rest.is_truncated
    versions = models.BatchDeleteObjectVersionList([models.BatchDeleteObjectVersion(v.key, v.versionid)
                                                    for v in listed.versions + rest.versions])
    versions.append(models.BatchDeleteObjectVersion("a.txt", "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2"))  # (no such one)
    result = b.delete_object_versions(versions)
    assert sorted((d.key, d.versionid) for d in result.delete_versions)[:3] == [
        ("a.txt", "CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2"), ("a.txt", "null"), ("logs/1", "null")]
    assert b.list_object_versions().versions == []
    assert b.delete_bucket().status == 204


def test_default_encryption_keeps_image_import_out(mock):
    """A bucket given default encryption (PutBucketEncryption, or PutBucket's header) is one ImportImage refuses,
    as ECS refuses encrypted buckets; without it again, the import goes ahead."""
    from alibabacloud_ecs20140526 import models as ecs

    from tests.sdk import error_of, new_client

    b = bucket("tf-images")
    b.create_bucket()
    b.put_object("disk.raw", b"\0" * (1 << 20))
    b.put_bucket_encryption(models.ServerSideEncryptionRule("AES256"))
    request = ecs.ImportImageRequest(region_id="cn-hangzhou", disk_device_mapping=[
        ecs.ImportImageRequestDiskDeviceMapping(ossbucket="tf-images", ossobject="disk.raw", format="RAW")])
    assert error_of(new_client().import_image, request).code == "InvalidOSSBucket.EncryptUnsupported"
    b.delete_bucket_encryption()
    assert new_client().import_image(request).body.image_id.startswith("m-")
    sealed = bucket("tf-sealed")
    sealed.create_bucket(headers={"x-oss-server-side-encryption": "KMS"})
    assert sealed.get_bucket_encryption().sse_algorithm == "KMS"
    err = failure(bucket("tf-bad").create_bucket, headers={"x-oss-server-side-encryption": "DES"})
    assert (err.status, err.code) == (400, "InvalidEncryptionAlgorithmError")
    assert failure(bucket("tf-bad").get_bucket_info).code == "NoSuchBucket"  # (nothing made)


def test_a_settings_document_with_a_wrong_content_md5_is_refused(strict):
    b = bucket()
    b.create_bucket()
    for sub, body in (("cors", GO_CORS), ("policy", POLICY.encode())):
        response = _signed(strict, "PUT", "tf-site", sub, body, {"content-md5": "1B2M2Y8AsgTpgAmY7PhCfg=="})
        assert (response.status, ElementTree.fromstring(response.body).findtext("Code")) == (400, "BadDigest")
    absent(b.get_bucket_cors, "NoSuchCORSConfiguration", oss2.exceptions.NoSuchCors)
    rule = models.CorsRule(allowed_origins=["*"], allowed_methods=["GET"])
    assert b.put_bucket_cors(models.BucketCors([rule])).status == 200  # (oss2 sends its right Content-MD5)


@pytest.fixture
def served():
    """``mockecs server`` with strict signatures, for a Go client told only where it is."""
    with strict_server(AK, SK) as srv:
        yield srv


@pytest.mark.skipif(GO is None or not os.path.isdir(GO_OSS),
                    reason="go or Go's OSS SDK is missing (golang-go golang-github-aliyun-aliyun-oss-go-sdk-dev)")
def test_gos_oss_sdk_puts_reads_and_removes_bucket_settings(served, tmp_path):
    """Go's OSS SDK (Debian's 1.5.0: the calls it has of those the provider makes) parses every answer; V1 signed."""
    binary = go_build("ossbucket", tmp_path)
    proc = subprocess.run([binary, served.url, AK, SK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "failed" not in out, out
    assert out["existedBefore"] is False
    assert out["noCors"] == {"code": "NoSuchCORSConfiguration", "status": 404}
    assert out["noWebsite"] == {"code": "NoSuchWebsiteConfiguration", "status": 404}
    assert out["noLifecycle"] == {"code": "NoSuchLifecycle", "status": 404}
    assert out["noPolicy"] == {"code": "NoSuchBucketPolicy", "status": 404}
    assert out["noLogging"] == "" and out["noReferer"] == {"allowEmpty": True, "list": None}
    assert out["cors"] == [{"XMLName": {"Space": "", "Local": "CORSRule"}, "AllowedOrigin": ["*"],
                            "AllowedMethod": ["PUT", "GET"], "AllowedHeader": ["authorization"],
                            "ExposeHeader": None, "MaxAgeSeconds": 100}]
    assert out["website"] == ["index.html", ""] and out["logging"] == ["go-tf-logs", "log/"]
    assert out["referer"] == {"allowEmpty": False, "list": ["http://www.aliyun.com"]}
    assert out["lifecycle"] == ["rule-date path2/ Enabled 2028-11-11"] and out["policy"] is True
    assert out["info"] == {"acl": "public-read", "created": True, "location": "oss-cn-hangzhou",
                           "storageClass": "Standard"}
    assert out["refererCleared"] == 0 and out["corsGone"]["code"] == "NoSuchCORSConfiguration"
    assert out["deleteBucket"] is None and out["gone"] == {"code": "NoSuchBucket", "status": 404}
    assert {"PutBucketCors", "GetBucketPolicy", "DeleteBucketLifecycle", "PutBucketReferer"} <= \
        {c.action for c in served.engine.calls if c.status < 300}

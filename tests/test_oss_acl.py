"""OSS's bucket and object operations a pipeline or tool calls besides uploads and downloads, through the real
``oss2``: bucket and object ACLs (and the anonymous and cross-account reads they let through), GetBucketInfo,
GetBucketLocation, GetBucketVersioning, ListBuckets' paging, object tagging; OSS's error codes, ECs and statuses."""
from __future__ import annotations

import base64
import xml.etree.ElementTree as ElementTree

import pytest
import requests

from mockecs.modes.mock import MockECS
from tests.sdk import DEFAULT_ACCOUNT, make_account

oss2 = pytest.importorskip("oss2", reason="oss2 is not installed")

ENDPOINT = "https://oss-cn-hangzhou.aliyuncs.com"
AK, SK = "LTAI-oss-acl", "oss-acl-secret"


@pytest.fixture
def strict():
    with MockECS(strict_signatures=True) as m:
        m.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        yield m


def bucket(name: str = "acl-test", auth=None) -> oss2.Bucket:
    return oss2.Bucket(auth or oss2.Auth(AK, SK), ENDPOINT, name)


def anonymous(name: str = "acl-test") -> oss2.Bucket:
    return oss2.Bucket(oss2.AnonymousAuth(), ENDPOINT, name)


def failure(call, *args, **kwargs) -> oss2.exceptions.OssError:
    with pytest.raises(oss2.exceptions.OssError) as info:
        call(*args, **kwargs)
    return info.value


def denied(call, *args, **kwargs) -> None:
    err = failure(call, *args, **kwargs)
    assert (type(err), err.status, err.code) == (oss2.exceptions.AccessDenied, 403, "AccessDenied"), err
    assert err.ec == "0003-00000001" and err.headers["x-oss-ec"] == "0003-00000001"
    assert err.message == "You have no right to access this object because of bucket acl."


def test_bucket_acl_lets_anyone_read_or_write(strict):
    other = make_account(strict.engine, "2222333344445555")
    theirs = bucket(auth=oss2.Auth(other.access_key_id, other.secret))
    b = bucket()
    b.create_bucket()
    b.put_object("disk.raw", b"image")
    assert b.get_bucket_acl().acl == "private" and b.get_bucket_info().acl.grant == "private"
    for reader in (anonymous(), theirs):
        denied(reader.get_object, "disk.raw")
        denied(reader.head_object, "disk.raw")  # (a HEAD: the EC rides in x-oss-err and x-oss-ec)
        denied(reader.list_objects)
        denied(reader.get_object, "missing")  # (AccessDenied, not NoSuchKey: nothing is told)
    assert b.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ).status == 200
    assert b.get_bucket_acl().acl == "public-read" and b.get_bucket_info().acl.grant == "public-read"
    for reader in (anonymous(), theirs):
        assert reader.get_object("disk.raw").read() == b"image"
        assert reader.head_object("disk.raw").content_length == 5
        assert reader.get_object_meta("disk.raw").content_length == 5
        assert [o.key for o in oss2.ObjectIterator(reader)] == ["disk.raw"]
        assert failure(reader.get_object, "missing").code == "NoSuchKey"
        denied(reader.put_object, "new", b"x")
        denied(reader.delete_object, "disk.raw")
        denied(reader.get_bucket_acl)
        denied(reader.put_bucket_acl, oss2.BUCKET_ACL_PUBLIC_READ_WRITE)
    listed = ElementTree.fromstring(requests.get("https://acl-test.oss-cn-hangzhou.aliyuncs.com/?max-keys=1",
                                                 timeout=5).content)  # (a plain anonymous GET)
    assert listed.findtext("Contents/Key") == "disk.raw" and listed.findtext("Contents/Owner/ID") == DEFAULT_ACCOUNT
    b.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ_WRITE)
    assert anonymous().put_object("by-anyone", b"y").status == 200
    assert theirs.delete_object("by-anyone").status == 204
    for owners_only in (theirs.get_bucket_acl, theirs.get_bucket_info, theirs.delete_bucket,
                        lambda: theirs.init_multipart_upload("k"),
                        lambda: theirs.put_object_acl("disk.raw", "private"),
                        lambda: theirs.get_object_tagging("disk.raw"),
                        lambda: theirs.batch_delete_objects(["disk.raw"])):
        denied(owners_only)  # (public-read-write opens objects, not the bucket's own settings)
    err = failure(b.put_bucket_acl, "world-writable")
    assert (err.status, err.code, err.message) == (400, "InvalidArgument", "no such bucket access control exists")
    assert b.get_bucket_acl().acl == "public-read-write"  # (a refused change changed nothing)
    made = bucket("made-public")
    made.create_bucket(oss2.BUCKET_ACL_PUBLIC_READ)
    assert made.get_bucket_acl().acl == "public-read"
    assert bucket("made-by-acl").put_bucket_acl(oss2.BUCKET_ACL_PRIVATE).status == 200  # (OSS: makes the bucket)
    assert bucket("made-by-acl").get_bucket_location().location == "oss-cn-hangzhou"


def test_anonymous_calls_that_need_an_account(strict):
    for call in (oss2.Service(oss2.AnonymousAuth(), ENDPOINT).list_buckets, anonymous("anon-made").create_bucket):
        err = failure(call)
        assert (err.status, err.code, err.message, err.ec) == \
            (403, "AccessDenied", "Anonymous access is forbidden for this operation.", "0003-00001201")
    assert [c.account for c in strict.calls] == ["", ""]
    err = failure(bucket("acl-test", auth=oss2.Auth("LTAI-unknown", SK)).get_object, "k")  # (a key: checked)
    assert err.code == "InvalidAccessKeyId"


def test_object_acl_overrides_the_buckets(strict):
    b = bucket()
    b.create_bucket()
    b.put_object("open.txt", b"open", headers={"x-oss-object-acl": "public-read"})
    b.put_object("default.txt", b"d")
    assert b.get_object_acl("open.txt").acl == "public-read" and b.get_object_acl("default.txt").acl == "default"
    assert anonymous().get_object("open.txt").read() == b"open"  # (in a private bucket)
    denied(anonymous().get_object, "default.txt")
    denied(anonymous().list_objects)  # (listing is the bucket's ACL's)
    b.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    assert anonymous().get_object("default.txt").read() == b"d"
    assert b.put_object_acl("default.txt", oss2.OBJECT_ACL_PRIVATE).status == 200
    denied(anonymous().get_object, "default.txt")
    before = b.head_object("default.txt")
    b.put_object_acl("default.txt", oss2.OBJECT_ACL_DEFAULT)
    assert b.get_object_acl("default.txt").acl == "default" and anonymous().get_object("default.txt").read() == b"d"
    after = b.head_object("default.txt")
    assert (after.etag, after.last_modified) == (before.etag, before.last_modified)
    err = failure(b.put_object_acl, "default.txt", "open-to-all")
    assert (err.status, err.code) == (400, "InvalidArgument")
    err = failure(b.put_object_acl, "default.txt", "")
    assert (err.status, err.code, err.ec) == (400, "InvalidArgument", "0017-00000105")
    err = failure(b.put_object, "k", b"x", headers={"x-oss-object-acl": "bogus"})
    assert (err.status, err.code) == (400, "InvalidArgument")
    assert failure(b.get_object, "k").code == "NoSuchKey"  # (the refused PUT wrote nothing)
    err = failure(b.get_object_acl, "missing")
    assert (type(err), err.status, err.code, err.ec) == (oss2.exceptions.NoSuchKey, 404, "NoSuchKey", "0026-00000001")
    assert err.headers["x-oss-ec"] == "0026-00000001"
    denied(anonymous().get_object_acl, "open.txt")
    upload_id = b.init_multipart_upload("parts.raw", headers={"x-oss-object-acl": "public-read"}).upload_id
    part = b.upload_part("parts.raw", upload_id, 1, b"p")
    b.complete_multipart_upload("parts.raw", upload_id, [oss2.models.PartInfo(1, part.etag)])
    assert b.get_object_acl("parts.raw").acl == "public-read"
    b.put_object("shared.txt", b"s", headers={"x-oss-object-acl": "public-read-write"})
    assert anonymous().put_object("shared.txt", b"by anyone").status == 200  # (its own ACL: in a private bucket)
    assert b.get_object_acl("shared.txt").acl == "default"  # (a new object, without the header)
    denied(anonymous().put_object, "shared.txt", b"again")
    denied(anonymous().put_object, "unshared.txt", b"x")
    b.copy_object("acl-test", "open.txt", "copied.txt")
    assert b.get_object_acl("copied.txt").acl == "default"  # (a copy's ACL is its own header's)


def test_object_tagging(strict):
    b = bucket()
    b.create_bucket()
    b.put_object("tagged.raw", b"t", headers={"x-oss-tagging": "build=42&stage=qa%20pass&flag"})
    assert b.get_object_tagging("tagged.raw").tag_set.tagging_rule == {"build": "42", "stage": "qa pass", "flag": ""}
    assert b.head_object("tagged.raw").headers["x-oss-tagging-count"] == "3"
    assert b.get_object("tagged.raw").headers["x-oss-tagging-count"] == "3"
    before = b.head_object("tagged.raw")
    strict.engine.clock.advance(60)
    rule = oss2.models.TaggingRule()
    rule.add("env", "prod")
    rule.add("owner", "images/team")
    assert b.put_object_tagging("tagged.raw", oss2.models.Tagging(rule)).status == 200
    assert b.get_object_tagging("tagged.raw").tag_set.tagging_rule == {"env": "prod", "owner": "images/team"}
    assert b.head_object("tagged.raw").last_modified == before.last_modified  # (tags do not modify the object)
    b.copy_object("acl-test", "tagged.raw", "copy.raw")
    assert b.get_object_tagging("copy.raw").tag_set.tagging_rule == {"env": "prod", "owner": "images/team"}
    b.copy_object("acl-test", "tagged.raw", "replaced.raw",
                  headers={"x-oss-tagging-directive": "Replace", "x-oss-tagging": "k=v"})
    assert b.get_object_tagging("replaced.raw").tag_set.tagging_rule == {"k": "v"}
    assert b.delete_object_tagging("tagged.raw").status == 204
    assert b.get_object_tagging("tagged.raw").tag_set.tagging_rule == {}
    assert "x-oss-tagging-count" not in b.head_object("tagged.raw").headers
    err = failure(b.put_object, "bad", b"x", headers={"x-oss-tagging": "aa=bb=cc"})
    assert (err.status, err.code, err.ec) == (400, "InvalidArgument", "0010-00000219")
    many = oss2.models.TaggingRule()
    for n in range(11):
        many.add(f"k{n}", "v")
    for tagging in (many, {"k" * 129: "v"}, {"k": "v" * 257}):
        if isinstance(tagging, dict):
            rule = oss2.models.TaggingRule()
            rule.tagging_rule.update(tagging)  # (past oss2's own checks of the same limits)
            tagging = rule
        err = failure(b.put_object_tagging, "copy.raw", oss2.models.Tagging(tagging))
        assert (err.status, err.code) == (400, "InvalidTag")
    assert len(b.get_object_tagging("copy.raw").tag_set.tagging_rule) == 2  # (unchanged)
    denied(anonymous().put_object_tagging, "copy.raw", oss2.models.Tagging(rule))  # (only the owner tags)
    err = failure(b.get_object_tagging, "missing")
    assert (err.status, err.code) == (404, "NoSuchKey")
    upload_id = b.init_multipart_upload("parts.raw", headers={"x-oss-tagging": "a=1"}).upload_id
    part = b.upload_part("parts.raw", upload_id, 1, b"p")
    b.complete_multipart_upload("parts.raw", upload_id, [oss2.models.PartInfo(1, part.etag)])
    assert b.get_object_tagging("parts.raw").tag_set.tagging_rule == {"a": "1"}
    denied(anonymous().get_object_tagging, "parts.raw")


def test_malformed_tagging_documents(mock):
    b = bucket()
    b.create_bucket()
    b.put_object("k", b"v")
    for body in (b"<Tags/>", b"<Tagging/>", b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
                 b"<Tagging"):
        answer = requests.put("https://acl-test.oss-cn-hangzhou.aliyuncs.com/k?tagging", data=body, timeout=5)
        root = ElementTree.fromstring(answer.content)
        assert (answer.status_code, root.findtext("Code")) == (400, "MalformedXML"), body
    assert requests.put("https://acl-test.oss-cn-hangzhou.aliyuncs.com/k?tagging", timeout=5,
                        data=b"<Tagging><TagSet/></Tagging>").status_code == 200


def test_versioning_info_and_location(strict):
    b = bucket()
    b.create_bucket()
    assert b.get_bucket_versioning().status is None  # (never enabled: no Status element)
    raw = ElementTree.fromstring(b._Bucket__do_bucket("GET", params={"versioning": ""}).read())
    assert raw.tag == "VersioningConfiguration" and raw.find("Status") is None
    config = oss2.models.BucketVersioningConfig()
    config.status = oss2.BUCKET_VERSIONING_ENABLE
    err = failure(b.put_bucket_versioning, config)
    assert (err.status, err.code) == (501, "NotImplemented")
    assert b.get_bucket_versioning().status is None
    info = b.get_bucket_info()
    assert (info.name, info.location, info.owner.id, info.versioning_status) == \
        ("acl-test", "oss-cn-hangzhou", DEFAULT_ACCOUNT, None)
    assert b.get_bucket_location().location == "oss-cn-hangzhou"
    err = failure(bucket("no-such-bucket").get_bucket_location)
    assert (type(err), err.status, err.code, err.ec) == \
        (oss2.exceptions.NoSuchBucket, 404, "NoSuchBucket", "0015-00000101")


def test_list_buckets_by_prefix_marker_and_max_keys(strict):
    other = make_account(strict.engine, "2222333344445555")
    names = ["img-a", "img-b", "img-c", "logs-a", "img-d"]
    for name in names:
        bucket(name).create_bucket()
    bucket("img-theirs", auth=oss2.Auth(other.access_key_id, other.secret)).create_bucket()
    service = oss2.Service(oss2.Auth(AK, SK), ENDPOINT)
    page = service.list_buckets(prefix="img-", max_keys=2)
    assert [b.name for b in page.buckets] == ["img-a", "img-b"] and page.is_truncated and page.next_marker == "img-b"
    page = service.list_buckets(prefix="img-", marker="img-b", max_keys=2)
    assert [b.name for b in page.buckets] == ["img-c", "img-d"] and not page.is_truncated
    assert [b.name for b in oss2.BucketIterator(service, max_keys=1)] == sorted(names)
    assert page.buckets[0].location == "oss-cn-hangzhou" and page.buckets[0].region == "cn-hangzhou"
    assert page.owner.id == DEFAULT_ACCOUNT
    for bad in ("0", "1001", "x"):
        err = failure(service.list_buckets, max_keys=bad)
        assert (err.status, err.code) == (400, "InvalidArgument")
    plain = ElementTree.fromstring(service._do("GET", "", "").read())  # (no parameters: no paging elements)
    assert plain.find("Prefix") is None and len(plain.findall("Buckets/Bucket")) == 5


def test_an_acl_change_is_atomic_with_the_store(strict):
    """PutBucketAcl and PutObjectAcl write the records in place: the bucket still lists (its ordered index), the
    object keeps its bytes, and a reset forgets both."""
    b = bucket()
    b.create_bucket()
    b.put_object("a", b"1")
    b.put_object_acl("a", oss2.OBJECT_ACL_PUBLIC_READ)
    b.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    assert [o.key for o in oss2.ObjectIterator(b)] == ["a"] and b.get_object("a").read() == b"1"
    header = base64.b64decode(failure(anonymous().head_object, "zz").headers["x-oss-err"])
    assert b"<Code>NoSuchKey</Code>" in header and header.index(b"<HostId>") < header.index(b"<EC>")
    strict.engine.reset()
    strict.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
    assert failure(b.get_bucket_acl).code == "NoSuchBucket"

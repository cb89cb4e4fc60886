"""OSS's object API, driven by the real ``oss2`` client unchanged: the upload and download halves of an image
pipeline (build a disk image, upload it, ImportImage, ..., ExportImage, download it) against the one fake."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from email.utils import formatdate
from typing import Any

import pytest
import requests

from mockecs.modes.mock import MockECS
from mockecs.wire import crc64
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.sdk import DEFAULT_ACCOUNT, error_of, make_account, new_client

oss2 = pytest.importorskip("oss2", reason="oss2 is not installed")
from alibabacloud_ecs20140526 import models  # noqa: E402

ENDPOINT = "https://oss-cn-hangzhou.aliyuncs.com"
AK, SK = "LTAI-oss-test", "oss-test-secret"


@pytest.fixture
def strict():
    with MockECS(strict_signatures=True) as m:
        m.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        yield m


def bucket(name: str = "images-test", auth=None, endpoint: str = ENDPOINT, **kwargs) -> oss2.Bucket:
    return oss2.Bucket(auth or oss2.Auth(AK, SK), endpoint, name, **kwargs)


def failure(call, *args, **kwargs) -> oss2.exceptions.OssError:
    with pytest.raises(oss2.exceptions.OssError) as info:
        call(*args, **kwargs)
    return info.value


def oss_crc(data: bytes) -> int:
    adapter = oss2.utils.Crc64(0)
    adapter.update(data)
    return adapter.crc


def test_crc64_is_oss2s():
    data = os.urandom(5000)
    assert crc64.crc64(data) == oss_crc(data) == crc64._python_crc()(data)
    assert crc64.combine(crc64.crc64(data[:1234]), crc64.crc64(data[1234:]), 5000 - 1234) == oss_crc(data)
    assert crc64.zeros(3 * 2**20 + 7) == oss_crc(bytes(3 * 2**20 + 7))


def test_objects_put_get_head_list_delete(strict):
    b = bucket()
    assert b.create_bucket().status == 200
    put = b.put_object("images/disk.raw", b"a disk image", headers={"x-oss-meta-build": "42",
                                                                    "Content-Type": "application/x-raw"})
    md5 = hashlib.md5(b"a disk image")
    assert put.status == 200 and put.etag == md5.hexdigest().upper()  # (oss2 strips the quotes)
    assert put.crc == oss_crc(b"a disk image") and put.request_id
    assert put.headers["Content-MD5"] == base64.b64encode(md5.digest()).decode()
    got = b.get_object("images/disk.raw")
    assert got.read() == b"a disk image" and got.content_type == "application/x-raw"
    assert got.headers["x-oss-meta-build"] == "42" and got.object_type == "Normal"
    assert got.headers["ETag"] == f'"{md5.hexdigest().upper()}"'
    head = b.head_object("images/disk.raw")
    assert (head.content_length, head.etag, head.server_crc) == (12, put.etag, put.crc)
    assert b.get_object_meta("images/disk.raw").content_length == 12
    assert b.get_object("images/disk.raw", byte_range=(2, 5)).read() == b"disk"
    assert b.get_object("images/disk.raw", byte_range=(7, None)).read() == b"image"
    b.put_object("images/extra/notes.txt", b"x")
    b.put_object("readme", b"y")
    assert [o.key for o in oss2.ObjectIterator(b)] == ["images/disk.raw", "images/extra/notes.txt", "readme"]
    listed = b.list_objects(prefix="images/", delimiter="/")
    assert [o.key for o in listed.object_list] == ["images/disk.raw"] and listed.prefix_list == ["images/extra/"]
    assert [o.key for o in oss2.ObjectIteratorV2(b, max_keys=1)] == \
        ["images/disk.raw", "images/extra/notes.txt", "readme"]  # (paged by continuation tokens)
    page = b.list_objects(max_keys=2)
    assert page.is_truncated and page.next_marker == "images/extra/notes.txt"
    assert [x.name for x in oss2.BucketIterator(oss2.Service(oss2.Auth(AK, SK), ENDPOINT))] == ["images-test"]
    info = b.get_bucket_info()
    assert (info.name, info.location, info.owner.id, info.acl.grant) == \
        ("images-test", "oss-cn-hangzhou", DEFAULT_ACCOUNT, "private")
    assert info.extranet_endpoint == "oss-cn-hangzhou.aliyuncs.com"
    assert b.get_bucket_location().location == "oss-cn-hangzhou"
    assert b.delete_object("readme").status == 204
    result = b.batch_delete_objects(["images/disk.raw", "images/extra/notes.txt"])
    assert sorted(result.deleted_keys) == ["images/disk.raw", "images/extra/notes.txt"]
    assert list(oss2.ObjectIterator(b)) == []
    assert b.delete_bucket().status == 204
    assert [c.action for c in strict.calls][:3] == ["PutBucket", "PutObject", "GetObject"]
    assert all(c.status < 300 for c in strict.calls) and all(c.account == DEFAULT_ACCOUNT for c in strict.calls)


def test_errors_have_osss_codes_and_statuses(strict):
    other = make_account(strict.engine, "2222333344445555")
    b = bucket()
    err = failure(b.get_object, "disk.raw")
    assert (type(err), err.status, err.code) == (oss2.exceptions.NoSuchBucket, 404, "NoSuchBucket")
    assert err.details["BucketName"] == "images-test" and err.details["HostId"] == "images-test." + ENDPOINT[8:]
    assert err.request_id and err.headers["x-oss-request-id"] == err.request_id
    b.create_bucket()
    err = failure(b.get_object, "disk.raw")
    assert (type(err), err.status, err.code, err.details["Key"]) == \
        (oss2.exceptions.NoSuchKey, 404, "NoSuchKey", "disk.raw")
    err = failure(b.head_object, "disk.raw")  # no body: the error's XML rides in x-oss-err
    assert (err.status, err.code) == (404, "NoSuchKey")
    b.put_object("disk.raw", b"x")
    theirs = bucket(auth=oss2.Auth(other.access_key_id, other.secret))
    for call in (lambda: theirs.get_object("disk.raw"), lambda: theirs.put_object("k", b"y"), theirs.delete_bucket):
        err = failure(call)
        assert (type(err), err.status, err.code) == (oss2.exceptions.AccessDenied, 403, "AccessDenied")
    err = failure(theirs.create_bucket)  # bucket names are global
    assert (err.status, err.code) == (409, "BucketAlreadyExists")
    err = failure(bucket(auth=oss2.Auth(AK, "wrong-secret")).get_object, "disk.raw")
    assert (err.status, err.code) == (403, "SignatureDoesNotMatch")
    assert err.details["StringToSign"].startswith("GET\n\n\n") and err.details["OSSAccessKeyId"] == AK
    err = failure(bucket(auth=oss2.Auth("LTAI-unknown", SK)).get_object, "disk.raw")
    assert (err.status, err.code) == (403, "InvalidAccessKeyId")
    err = failure(b.delete_bucket)
    assert (type(err), err.status, err.code) == (oss2.exceptions.BucketNotEmpty, 409, "BucketNotEmpty")
    bad = bucket("valid-name", is_path_style=True)
    bad.bucket_name = "Bad_Name"  # (oss2 refuses it itself: path-style, the name reaches the service)
    err = failure(bad.create_bucket)
    assert (err.status, err.code, err.details["BucketName"]) == (400, "InvalidBucketName", "Bad_Name")
    err = failure(bucket(endpoint="https://oss-cn-beijing.aliyuncs.com").get_object, "disk.raw")
    assert (err.status, err.code, err.details["Endpoint"]) == (403, "AccessDenied", "oss-cn-hangzhou.aliyuncs.com")
    err = failure(b.put_object, "disk.raw", b"new", headers={"Content-MD5": base64.b64encode(b"0" * 16).decode()})
    assert (err.status, err.code) == (400, "BadDigest")
    err = failure(b.put_object, "disk.raw", b"new", headers={"x-oss-forbid-overwrite": "true"})
    assert (err.status, err.code) == (409, "FileAlreadyExists")
    assert b.get_object("disk.raw").read() == b"x"  # (refused writes changed nothing)
    err = failure(b.get_object, "disk.raw", byte_range=(5, 9), headers={"x-oss-range-behavior": "standard"})
    assert (err.status, err.code) == (416, "InvalidRange")
    assert b.get_object("disk.raw", byte_range=(5, 9)).read() == b"x"  # (OSS's legacy: the whole object)


def test_v4_signatures_and_signed_urls(strict):
    v4 = bucket(auth=oss2.AuthV4(AK, SK), region="cn-hangzhou")
    v4.create_bucket()
    v4.put_object("dir/disk image.qcow2", b"qcow2 bytes", headers={"x-oss-meta-a": "b"})
    assert v4.get_object("dir/disk image.qcow2").read() == b"qcow2 bytes"
    assert [o.key for o in oss2.ObjectIterator(v4, prefix="dir/")] == ["dir/disk image.qcow2"]
    err = failure(bucket(auth=oss2.AuthV4(AK, "wrong"), region="cn-hangzhou").get_object, "dir/disk image.qcow2")
    assert (err.status, err.code) == (403, "SignatureDoesNotMatch")
    for signer in (bucket(), v4):
        url = signer.sign_url("GET", "dir/disk image.qcow2", 60)
        assert requests.get(url, timeout=5).content == b"qcow2 bytes"
        put = signer.sign_url("PUT", "uploaded-by-url", 60)
        assert requests.put(put, data=b"through a URL", timeout=5).status_code == 200
        assert v4.get_object("uploaded-by-url").read() == b"through a URL"
    url = bucket().sign_url("GET", "dir/disk image.qcow2", 60)
    tampered = requests.get(url.replace(".qcow2?", ".QCOW2?"), timeout=5)
    assert tampered.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in tampered.content
    expired = bucket().sign_url("GET", "dir/disk image.qcow2", -10)
    answer = requests.get(expired, timeout=5)
    root = ElementTree.fromstring(answer.content)
    assert answer.status_code == 403 and root.findtext("Code") == "AccessDenied"
    assert root.findtext("Message") == "Request has expired." and answer.headers["x-oss-request-id"]


def test_sts_credentials(strict):
    """A temporary key speaks with its token only (x-oss-security-token, signed), as for ECS."""
    strict.engine.accounts.add_key(DEFAULT_ACCOUNT, "STS.oss-key", "sts-secret", "sts-token")
    sts = bucket(auth=oss2.StsAuth("STS.oss-key", "sts-secret", "sts-token"))
    sts.create_bucket()
    sts.put_object("k", b"v")
    assert requests.get(sts.sign_url("GET", "k", 60), timeout=5).content == b"v"  # (security-token in the URL)
    err = failure(bucket(auth=oss2.StsAuth("STS.oss-key", "sts-secret", "other-token")).get_object, "k")
    assert (err.status, err.code) == (403, "InvalidAccessKeyId")
    err = failure(bucket(auth=oss2.Auth("STS.oss-key", "sts-secret")).get_object, "k")
    assert (err.status, err.code) == (403, "InvalidAccessKeyId")


def test_resumable_upload_uses_multipart_and_checks_crcs(strict, tmp_path):
    b = bucket()
    b.create_bucket()
    data = os.urandom(2 * 1024 * 1024 + 12345)
    path = tmp_path / "disk.raw"
    path.write_bytes(data)
    result = oss2.resumable_upload(b, "disk.raw", str(path), multipart_threshold=1024 * 1024,
                                   part_size=512 * 1024, store=oss2.ResumableStore(root=str(tmp_path)))
    parts = [hashlib.md5(data[i:i + 512 * 1024]).digest() for i in range(0, len(data), 512 * 1024)]
    assert result.etag == hashlib.md5(b"".join(parts)).hexdigest().upper() + "-5"  # OSS's multipart ETag
    assert result.crc == oss_crc(data)  # (oss2 compared it with the parts' CRCs itself)
    head = b.head_object("disk.raw")
    assert head.object_type == "Multipart" and head.content_length == len(data)
    out = tmp_path / "back.raw"
    oss2.resumable_download(b, "disk.raw", str(out), multiget_threshold=1024 * 1024, part_size=700 * 1024,
                            store=oss2.ResumableDownloadStore(root=str(tmp_path)))
    assert out.read_bytes() == data and b.get_object("disk.raw").read() == data
    assert {"InitiateMultipartUpload", "UploadPart", "CompleteMultipartUpload"} <= {c.action for c in strict.calls}


def test_multipart_by_hand_list_parts_abort_and_errors(strict):
    b = bucket()
    b.create_bucket()
    upload_id = b.init_multipart_upload("disk.vhd").upload_id
    first = b.upload_part("disk.vhd", upload_id, 1, b"a" * (100 * 1024))
    second = b.upload_part("disk.vhd", upload_id, 2, b"tail")
    listed = b.list_parts("disk.vhd", upload_id)
    assert [(p.part_number, p.size, p.etag) for p in listed.parts] == \
        [(1, 100 * 1024, first.etag), (2, 4, second.etag)]
    assert [u.upload_id for u in oss2.MultipartUploadIterator(b)] == [upload_id]
    err = failure(b.delete_bucket)
    assert err.code == "BucketNotEmpty"  # (an upload in progress)
    err = failure(b.complete_multipart_upload, "disk.vhd", upload_id, [oss2.models.PartInfo(1, "0" * 32)])
    assert (err.status, err.code) == (400, "InvalidPart")
    done = b.complete_multipart_upload("disk.vhd", upload_id, [oss2.models.PartInfo(1, first.etag),
                                                               oss2.models.PartInfo(2, second.etag)])
    assert done.crc == oss_crc(b"a" * (100 * 1024) + b"tail")
    err = failure(b.list_parts, "disk.vhd", upload_id)
    assert (type(err), err.status, err.code) == (oss2.exceptions.NoSuchUpload, 404, "NoSuchUpload")
    aborted = b.init_multipart_upload("other").upload_id
    b.upload_part("other", aborted, 1, b"x")
    assert b.abort_multipart_upload("other", aborted).status == 204
    err = failure(b.upload_part, "other", aborted, 2, b"y")
    assert err.code == "NoSuchUpload"
    small = b.init_multipart_upload("small").upload_id
    parts = [b.upload_part("small", small, n, b"z") for n in (1, 2)]
    err = failure(b.complete_multipart_upload, "small", small,
                  [oss2.models.PartInfo(n, p.etag) for n, p in zip((1, 2), parts)])
    assert (err.status, err.code) == (400, "EntityTooSmall")


def test_faults_on_oss_actions(mock):
    mock.inject("PutObject", code="InternalError", message="We encountered an internal error.", status=500)
    b = bucket()
    b.create_bucket()
    err = failure(b.put_object, "k", b"v")
    assert (err.status, err.code, err.message) == (500, "InternalError", "We encountered an internal error.")
    assert b.put_object("k", b"v").status == 200  # (once)
    with pytest.raises(ValueError, match="no ECS, VPC or OSS action"):
        mock.inject("PutObjekt")
    from mockecs.ops import oss as oss_ops
    from mockecs.ops import oss_bucket  # noqa: F401 - its handlers join oss_ops.OPERATIONS
    from mockecs.wire import oss as oss_wire

    assert set(oss_ops.OPERATIONS) == oss_wire.ACTIONS  # (every handler can be faulted, and only those)


def test_keys_xml_cannot_carry(mock):
    """oss2 lists with encoding-type=url (keys come back whole); a listing without it still parses."""
    b = bucket()
    b.create_bucket()
    b.put_object("odd\x01key ü+", b"z")
    assert [o.key for o in oss2.ObjectIterator(b)] == ["odd\x01key ü+"]
    assert b.get_object("odd\x01key ü+").read() == b"z"
    raw = requests.get("https://images-test.oss-cn-hangzhou.aliyuncs.com/", timeout=5)  # (no encoding-type)
    assert ElementTree.fromstring(raw.content).findtext("Contents/Key") == "oddkey ü+"


def test_copy_object(strict):
    b = bucket()
    b.create_bucket()
    b.put_object("src", b"image bytes", headers={"x-oss-meta-k": "v"})
    etag = b.head_object("src").etag
    assert b.get_object("src", headers={"If-Match": f'"{etag}"'}).read() == b"image bytes"
    err = failure(b.get_object, "src", headers={"If-Match": '"0123"'})
    assert (err.status, err.code) == (412, "PreconditionFailed")
    err = failure(b.get_object, "src", headers={"If-None-Match": f'"{etag}"'})
    assert err.status == 304
    b.copy_object("images-test", "src", "dst")
    got = b.get_object("dst")
    assert got.read() == b"image bytes" and got.headers["x-oss-meta-k"] == "v"


def test_bytes_beyond_the_cap_keep_their_hashes_only():
    with MockECS(options={"oss_keep_bytes": 1024}) as m:
        b = bucket()
        b.create_bucket()
        data = os.urandom(4096)
        put = b.put_object("big", data)
        head = b.head_object("big")
        assert (head.content_length, head.etag, head.server_crc) == (4096, put.etag, oss_crc(data))
        err = failure(b.get_object, "big")
        assert (err.status, err.code) == (501, "NotImplemented") and "oss_keep_bytes" in err.message
        m.engine.config.options["oss_unkept_reads"] = "zeros"
        assert b.get_object("big").read() == bytes(4096)  # (oss2 checks the CRC it is answered)
        assert m.engine.store.transaction().__enter__().get("oss_content", "cn-hangzhou|images-test|big") is None


def test_parts_are_kept_only_while_the_object_could_be():
    with MockECS(options={"oss_keep_bytes": 300 * 1024}) as m:
        b = bucket()
        b.create_bucket()
        upload_id = b.init_multipart_upload("disk.raw").upload_id
        parts = [b.upload_part("disk.raw", upload_id, n, bytes([n]) * 200 * 1024) for n in (1, 2)]
        with m.engine.store.transaction() as txn:
            assert not [p for p in m.engine.oss.parts(upload_id, txn) if p["kept"]]  # (400 KiB > 300 KiB)
            assert txn.get("oss_setting", "usage") == {"kept": 0}
        done = b.complete_multipart_upload("disk.raw", upload_id, [oss2.models.PartInfo(n, p.etag)
                                                                   for n, p in zip((1, 2), parts)])
        assert done.crc == oss_crc(bytes([1]) * 200 * 1024 + bytes([2]) * 200 * 1024)
        assert failure(b.get_object, "disk.raw").status == 501
        small = b.init_multipart_upload("small.raw").upload_id
        part = b.upload_part("small.raw", small, 1, b"s" * 1000)
        b.complete_multipart_upload("small.raw", small, [oss2.models.PartInfo(1, part.etag)])
        assert b.get_object("small.raw").read() == b"s" * 1000  # (its one part kept, then the object)
        with m.engine.store.transaction() as txn:
            assert txn.get("oss_setting", "usage") == {"kept": 1000}


def test_an_object_mockecs_made_up_reads_as_zeros(mock):
    mock.engine.oss.put_object("cn-hangzhou", "registered", "disk.raw", size=3 * 2**20 + 1)
    b = bucket("registered")
    head = b.head_object("disk.raw")
    assert head.content_length == 3 * 2**20 + 1 and head.server_crc == oss_crc(bytes(3 * 2**20 + 1))
    assert b.get_object("disk.raw").read() == bytes(3 * 2**20 + 1)  # (streamed; oss2 checks the CRC)
    assert b.get_object("disk.raw", byte_range=(10, 19)).read() == bytes(10)


def test_the_whole_pipeline_upload_import_export_download(mock, tmp_path):
    """oss2 uploads a disk image, ECS imports it (current SDK), copies it, exports it to OSS; oss2 finds the
    exported object there and downloads it."""
    mock.engine.lifecycle.delay("task", observations=2)  # (the tasks) in progress for their first reads
    b = bucket("pipeline")
    b.create_bucket()
    image = tmp_path / "disk.raw"
    image.write_bytes(os.urandom(1024 * 1024))
    oss2.resumable_upload(b, "builds/disk.raw", str(image), multipart_threshold=512 * 1024, part_size=256 * 1024,
                          store=oss2.ResumableStore(root=str(tmp_path)))
    ecs = new_client()
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket="pipeline", ossobject="builds/disk.raw",
                                                         format="RAW")
    imported = ecs.import_image(models.ImportImageRequest(region_id="cn-hangzhou", image_name="built",
                                                          disk_device_mapping=[mapping]))
    image_id = imported.body.image_id
    for _ in range(10):
        status = ecs.describe_images(models.DescribeImagesRequest(region_id="cn-hangzhou", image_id=image_id,
                                                                  status="Creating,Available"))
        if status.body.images.image[0].status == "Available":
            break
    assert status.body.images.image[0].status == "Available"
    assert status.body.images.image[0].size == 5  # (1 MiB: the 5 GiB minimum)
    err = failure(b.get_object, "builds/missing.raw")
    assert err.code == "NoSuchKey"
    exported = ecs.export_image(models.ExportImageRequest(region_id="cn-hangzhou", image_id=image_id,
                                                          ossbucket="pipeline", ossprefix="exports"))
    task_id = exported.body.task_id
    name = f"exports_{image_id}_{task_id}.raw"
    assert [o.key for o in oss2.ObjectIterator(b, prefix="exports")] == []  # (not written before it finished)
    for _ in range(10):
        task = ecs.describe_tasks(models.DescribeTasksRequest(region_id="cn-hangzhou", task_ids=task_id))
        if task.body.task_set.task[0].task_status == "Finished":
            break
    assert [o.key for o in oss2.ObjectIterator(b, prefix="exports")] == [name]
    head = b.head_object(name)
    assert head.content_length == 5 * 2**30 and head.etag.endswith("-640")  # (8 MiB parts: multipart-style)
    assert head.server_crc == crc64.zeros(5 * 2**30)
    start = b.get_object(name, byte_range=(0, 2**20 - 1))
    assert start.status == 206 and start.read() == bytes(2**20)
    assert start.headers["Content-Range"] == f"bytes 0-{2**20 - 1}/{5 * 2**30}"
    b.delete_object(name)
    assert failure(b.head_object, name).code == "NoSuchKey"


def test_an_imported_object_is_what_was_uploaded(mock):
    """ImportImage sees the uploaded object's own size: a VHD that is not whole sectors is refused."""
    b = bucket("vhds")
    b.create_bucket()
    b.put_object("odd.vhd", b"x" * 1000)
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket="vhds", ossobject="odd.vhd", format="VHD")
    err = error_of(new_client().import_image, models.ImportImageRequest(region_id="cn-hangzhou",
                                                                        disk_device_mapping=[mapping]))
    assert err.code == "InvalidVHDImage.IncorrectSize"
    b.put_object("cold.raw", b"x" * 1024, headers={"x-oss-storage-class": "Archive"})
    assert b.head_object("cold.raw").headers["x-oss-storage-class"] == "Archive"
    err = failure(b.get_object, "cold.raw")
    assert (err.status, err.code) == (403, "InvalidObjectState")
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket="vhds", ossobject="cold.raw", format="RAW")
    err = error_of(new_client().import_image, models.ImportImageRequest(region_id="cn-hangzhou",
                                                                        disk_device_mapping=[mapping]))
    assert err.code == "InvalidOSSObject.NeedRestore"  # (an archived upload must be restored first)


def test_time_skew_is_refused(strict, monkeypatch):
    b = bucket()
    b.create_bucket()
    monkeypatch.setattr(oss2.utils, "http_date", lambda timeval=None: formatdate(time.time() - 3600, usegmt=True))
    err = failure(b.get_object, "x")
    assert (err.status, err.code) == (403, "RequestTimeTooSkewed")


@contextlib.contextmanager
def strict_server(access_key_id: str, secret: str):
    """``mockecs server`` (in a thread) with strict signatures, knowing one key of the default account."""
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.server import ServerThread

    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key(DEFAULT_ACCOUNT, access_key_id, secret)
    with ServerThread(engine=engine) as srv:
        yield srv


@pytest.fixture
def served():
    """The server for the clients below: unchanged, told only where it is."""
    with strict_server(AK, SK) as srv:
        yield srv


def test_path_style_against_the_server(served, tmp_path):
    """oss2 takes an IP endpoint path-style (``http://127.0.0.1:PORT/<bucket>/<key>``); bodies beyond the ECS
    API's 4 MiB limit stream to the engine, long answers stream back."""
    b = bucket("served", endpoint=served.url)
    b.create_bucket()
    data = os.urandom(5 * 2**20 + 3)
    assert b.put_object("disk.raw", data).crc == oss_crc(data)
    assert b.get_object("disk.raw").read() == data
    assert b.head_object("disk.raw").content_length == len(data)
    path = tmp_path / "disk.vhd"
    path.write_bytes(data[:2 * 2**20])
    oss2.resumable_upload(b, "disk.vhd", str(path), multipart_threshold=2**20, part_size=2**19,
                          store=oss2.ResumableStore(root=str(tmp_path)))
    assert [o.key for o in oss2.ObjectIterator(b)] == ["disk.raw", "disk.vhd"]
    assert requests.get(b.sign_url("GET", "disk.vhd", 60), timeout=10).content == data[:2 * 2**20]
    served.engine.oss.put_object("cn-hangzhou", "served", "exported.raw", size=3 * 2**20)
    assert b.get_object("exported.raw").read() == bytes(3 * 2**20)  # (a streamed answer; oss2 checks its CRC)
    err = failure(bucket("served", auth=oss2.Auth(AK, "wrong"), endpoint=served.url).get_object, "disk.raw")
    assert (err.status, err.code) == (403, "SignatureDoesNotMatch")
    assert failure(b.get_object, "missing").code == "NoSuchKey"
    assert [c.action for c in served.engine.calls][:3] == ["PutBucket", "PutObject", "GetObject"]


def test_virtual_hosts_through_the_https_proxy(served, monkeypatch):
    """The bucket in the Host, over HTTPS: unchanged code told only ``HTTPS_PROXY`` and the CA bundle."""
    from mockecs.modes.server.tls import authority, ca_cert_path

    authority()
    monkeypatch.setenv("HTTPS_PROXY", served.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_cert_path())
    b = bucket("proxied")
    b.create_bucket()
    data = os.urandom(5 * 2**20)
    b.put_object("dir/disk.raw", data)
    assert b.get_object("dir/disk.raw").read() == data
    assert b.head_object("dir/disk.raw").content_length == len(data)  # (a HEAD keeps its Content-Length)
    assert b.get_object("dir/disk.raw", byte_range=(1, 3)).read() == data[1:4]
    v4 = bucket("proxied", auth=oss2.AuthV4(AK, SK), region="cn-hangzhou")
    assert [o.key for o in oss2.ObjectIterator(v4)] == ["dir/disk.raw"]
    assert failure(bucket("proxied", endpoint="https://oss-cn-shanghai.aliyuncs.com").head_object,
                   "dir/disk.raw").status == 403
    hosts = {c.params["Bucket"] for c in served.engine.calls}
    assert hosts == {"proxied"} and {c.region for c in served.engine.calls} == {"cn-hangzhou", "cn-shanghai"}


GO = shutil.which("go")
GOPATH = "/usr/share/gocode"  # Debian's golang-*-dev packages put their sources here
GO_OSS = os.path.join(GOPATH, "src", "github.com", "aliyun", "aliyun-oss-go-sdk", "oss")


@pytest.mark.skipif(GO is None or not os.path.isdir(GO_OSS),
                    reason="go or Go's OSS SDK is missing (golang-go golang-github-aliyun-aliyun-oss-go-sdk-dev)")
def go_build(program: str, tmp_path: Any) -> str:
    """``tests/go/<program>`` built offline in GOPATH mode against Debian's Go packages: the binary's path."""
    binary = str(tmp_path / program)
    env = dict(os.environ, GO111MODULE="off", GOPATH=GOPATH, GOFLAGS="",
               GOCACHE=os.path.join(tempfile.gettempdir(), "mockecs-go-cache"))
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go", program)
    built = subprocess.run([GO, "build", "-o", binary, "."], cwd=source, env=env, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    return binary


def test_gos_oss_sdk_through_the_server(served, tmp_path):
    """Go's OSS SDK (Debian's 1.5.0, built offline in GOPATH mode), unchanged, with the server as its endpoint:
    every request signed (V1) and verified; its CRC-64 checks of uploads and downloads pass."""
    binary = go_build("ossflow", tmp_path)
    proc = subprocess.run([binary, served.url, AK, SK, "wrong-secret"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "failed" not in out, out
    data = bytes(i * 7 % 256 for i in range(700 * 1024 + 17))
    assert out["getEqual"] and out["rangeEqual"] and out["downloadEqual"]
    assert out["meta"] == {"length": str(len(data)), "etag": f'"{hashlib.md5(data).hexdigest().upper()}"',
                           "build": "7", "crc": str(oss_crc(data))}
    assert out["listed"] == [f"images/disk.qcow2 {2 * len(data)} Multipart"] and out["buckets"] == 1
    assert out["acls"] == ["public-read", DEFAULT_ACCOUNT, "private", "default", "public-read"]
    assert (out["badACL"]["code"], out["badACL"]["status"]) == ("InvalidArgument", 400)
    assert out["bucketPage"] == {"names": 1, "first": "go-images", "truncated": True, "next": "go-images"}
    assert out["missing"]["code"] == "NoSuchKey" and out["missing"]["status"] == 404
    assert (out["wrongSecret"]["code"], out["wrongSecret"]["status"]) == ("SignatureDoesNotMatch", 403)
    assert (out["notEmpty"]["code"], out["notEmpty"]["status"]) == ("BucketNotEmpty", 409)
    assert out["deleted"] == 2 and out["deleteBucket"] is None
    ranged = [c.params for c in served.engine.calls if c.action == "GetObject"]
    parts = [c for c in served.engine.calls if c.action == "UploadPart"]
    assert len(parts) == 8 and len(ranged) >= 5  # (200 KiB parts up; 300 KiB ranges down, besides the two GETs)
    assert all(c.status == 200 for c in parts) and all(c.account == DEFAULT_ACCOUNT for c in parts)


def test_two_engines_on_one_sqlite_store(tmp_path):
    """``--workers`` / xdist: a key added through one engine signs OSS requests another answers (strict), and an
    object one uploaded the other serves."""
    pytest.importorskip("mockecs_sqlite", reason="the SQLite store plugin is not installed")
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.server import ServerThread

    store = f"sqlite:///{tmp_path / 'oss.db'}"
    first, second = (Engine(Config(store=store, strict_signatures=True)) for _ in range(2))
    with ServerThread(engine=first) as one, ServerThread(engine=second) as two:
        first.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)  # (at run time: kept in the store)
        bucket("shared", endpoint=one.url).create_bucket()
        bucket("shared", endpoint=one.url).put_object("disk.raw", b"from one")
        assert bucket("shared", endpoint=two.url).get_object("disk.raw").read() == b"from one"
    first.store.close()
    second.store.close()


@pytest.mark.parametrize("strict_mode", [False, True])
def test_malformed_requests_get_osss_answers_never_a_500(strict_mode):
    """Bad ranges, digests, XML, sub-resources, tokens, auth headers, hosts and paths: an OSS error, never a 500."""
    import random

    from mockecs.engine.core import Config, Engine
    from mockecs.wire.oss import is_oss
    from mockecs.wire.protocol import HttpRequest

    engine = Engine(Config(strict_signatures=strict_mode))
    engine.oss.create_bucket("cn-hangzhou", "fuzz")
    engine.oss.put_object("cn-hangzhou", "fuzz", "obj", size=100)
    rnd = random.Random(7)
    hosts = ["fuzz.oss-cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou.aliyuncs.com", "x.oss-accelerate.aliyuncs.com",
             "127.0.0.1:8470", "FUZZ.oss-cn-beijing-internal.aliyuncs.com"]
    paths = ["/", "/obj", "/fuzz/obj", "/%ZZ", "//x", "/\\x", "/a" * 600, "/fuzz/", "/fuzz"]
    queries = ["", "uploads", "uploadId=abc", "uploadId=abc&partNumber=x", "uploadId=&partNumber=1", "delete",
               "list-type=2&continuation-token=%%%", "list-type=2&continuation-token=!!", "max-keys=0",
               "max-keys=abc", "bucketInfo", "location", "acl", "delimiter=ab", "part-number-marker=x",
               "OSSAccessKeyId=x&Expires=abc&Signature=y", "OSSAccessKeyId=x&Expires=1&Signature=y",
               "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=a/b&x-oss-date=bad&x-oss-signature=x"]
    headers = [{}, {"range": "bytes=abc"}, {"range": "bytes=5-1"}, {"range": "bytes=-0", "x-oss-range-behavior":
               "standard"}, {"content-md5": "!!!"}, {"content-md5": "AAAA"}, {"authorization": "OSS "},
               {"authorization": "OSS4-HMAC-SHA256"}, {"authorization": "OSS4-HMAC-SHA256 Credential=, Signature="},
               {"authorization": "OSS a:b", "date": "garbage"}, {"x-oss-copy-source": "/nope"},
               {"x-oss-copy-source": "%%%"}, {"x-oss-complete-all": "yes"}, {"content-length": "99999999999999"}]
    bodies = [b"", b"<Delete><Object><Key>a</Key></Object></Delete>", b"<x", b"\xff\xfe",
              b"<CompleteMultipartUpload><Part><PartNumber>a</PartNumber></Part></CompleteMultipartUpload>",
              b"<CreateBucketConfiguration><StorageClass>Bad</StorageClass></CreateBucketConfiguration>"]
    for _ in range(600):
        sent = {**rnd.choice(headers), "host": rnd.choice(hosts)}
        url = f"http://{sent['host']}{rnd.choice(paths)}?{rnd.choice(queries)}"
        request = HttpRequest(rnd.choice(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]), url, sent,
                              rnd.choice(bodies))
        oss = is_oss(request)  # (the server's "/" without an OSS signature is ECS's: its own answer)
        answer = engine.handle(request)
        assert answer.status < 500 or answer.status == 501, (url, sent, answer.body[:300])
        assert bool(answer.headers.get("x-oss-request-id")) == oss
        if answer.status >= 400 and answer.body:
            assert ElementTree.fromstring(answer.body).findtext("Code")


@pytest.mark.parametrize("auth_class", ["Auth", "AuthV4"])
def test_every_signed_part_altered_is_refused(strict, auth_class):
    """A request oss2 signed is answered; the same with any signed part altered (method, key, a sub-resource, a
    signed header, the date) is SignatureDoesNotMatch."""
    from urllib.parse import urlencode

    from mockecs.wire.protocol import HttpRequest

    bucket().create_bucket()
    auth = getattr(oss2, auth_class)(AK, SK)
    host = "images-test.oss-cn-hangzhou.aliyuncs.com"

    def signed(**change) -> HttpRequest:
        headers = {"Content-Type": "text/plain", "Content-MD5": base64.b64encode(hashlib.md5(b"x").digest()).decode(),
                   "x-oss-meta-a": "1", "Host": host}
        req = oss2.http.Request("PUT", f"https://{host}/dir/k%20ey", data=b"x", params={"acl": "", "x": "1"},
                                headers=headers, region="cn-hangzhou", product="oss")
        req.params.pop("acl")  # (PutObject: only an unsigned parameter in the query)
        auth._sign_request(req, "images-test", "dir/k ey")
        method = change.pop("method", req.method)
        path = change.pop("path", "/dir/k%20ey")
        params = {**req.params, **change.pop("params", {})}
        sent = {k.lower(): v for k, v in req.headers.items() if v is not None}
        sent.update(change)
        return HttpRequest(method, f"https://{host}{path}?{urlencode(params)}", sent, b"x")

    engine = strict.engine
    assert engine.handle(signed()).status == 200
    for change in ({"method": "POST"}, {"path": "/dir/k%20eY"}, {"params": {"uploads": ""}},
                   {"content-type": "text/html"}, {"x-oss-meta-a": "2"}, {"x-oss-meta-b": "added"}):
        answer = engine.handle(signed(**change))
        assert (answer.status, ElementTree.fromstring(answer.body).findtext("Code")) == \
            (403, "SignatureDoesNotMatch"), change
    answer = engine.handle(signed(**({"date": "Mon, 01 Jan 2024 00:00:00 GMT"} if auth_class == "Auth" else
                                     {"x-oss-date": "20240101T000000Z"})))
    assert answer.status == 403  # (the date is signed, and out of the window)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def any_store(request, tmp_path):
    """A store URL of each kind (the listing's ordered index is each store's own)."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        pytest.importorskip("mockecs_sqlite", reason="the SQLite store plugin is not installed")
        return f"sqlite:///{tmp_path / 'oss.db'}"
    return request.getfixturevalue("redis_url")


def model_listing(names: list[str], prefix: str, delimiter: str, after: str) -> list[str]:
    """What ListObjects lists, from every name: the rule written plainly (each name read)."""
    out: list[str] = []
    for name in sorted(names):
        if not name.startswith(prefix) or name <= after:
            continue
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        listed = name[:cut + 1] if cut >= 0 else name
        if listed > after and (not out or out[-1] != listed):
            out.append(listed)
    return out


def test_listings_page_from_the_ordered_index_on_every_store(any_store):
    """ListObjects (v1 and v2) with prefixes, delimiters and markers, page by page, equal the plain rule, on every
    store; a page reads its objects only, not the bucket (what a bucket of many objects costs)."""
    names = [f"{top}/{sub}/{n:03d}.raw" for top in ("a", "b", "images") for sub in ("x", "y") for n in range(25)]
    names += ["a", "a/", "a0", "images", "images/readme", "z/ü-ünïcode", "images/x"]
    with MockECS(store=any_store) as m:
        m.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        b = bucket()
        b.create_bucket()
        for name in names:
            b.put_object(name, b"")
        for prefix, delimiter in (("", ""), ("", "/"), ("images/", "/"), ("a", "/"), ("images/x", ""), ("q", "")):
            want = model_listing(names, prefix, delimiter, "")
            for max_keys in (1, 7, 1000):
                v1 = [o.key for o in oss2.ObjectIterator(b, prefix=prefix, delimiter=delimiter, max_keys=max_keys)]
                v2 = [o.key for o in oss2.ObjectIteratorV2(b, prefix=prefix, delimiter=delimiter, max_keys=max_keys)]
                assert v1 == want and v2 == want, (prefix, delimiter, max_keys)
            assert [o.key for o in b.list_objects(prefix, delimiter, marker="images/x/010.raw").object_list] + \
                [p for p in b.list_objects(prefix, delimiter, marker="images/x/010.raw").prefix_list] == \
                sorted(model_listing(names, prefix, delimiter, "images/x/010.raw"))[:100]
        reads = []
        real_transaction = m.engine.store.transaction

        def counted():  # every record read in the request's transaction
            return _Counted(real_transaction(), reads)

        m.engine.store.transaction = counted
        try:
            page = b.list_objects(prefix="images/", max_keys=5)
        finally:
            m.engine.store.transaction = real_transaction
        assert [o.key for o in page.object_list] == model_listing(names, "images/", "", "")[:5]
        assert reads.count("oss_object") <= 6, reads  # (5 and the one telling that more follow, of 157)


class _Counted:
    """A store transaction whose record reads are counted (by kind); everything else is the transaction's."""

    def __init__(self, txn, reads: list) -> None:
        self.txn, self.reads, self.inner = txn, reads, None

    def __enter__(self):
        self.inner = self.txn.__enter__()
        return self

    def __exit__(self, *exc):
        return self.txn.__exit__(*exc)

    def get(self, kind, id):
        self.reads.append(kind)
        return self.inner.get(kind, id)

    def __getattr__(self, name):
        return getattr(self.inner, name)

"""OSS's current Python SDK ``alibabacloud-oss-v2`` (V4 signatures by default), unchanged, against the OSS fake:
the image pipeline's OSS half (a bucket, objects put, read, ranged, copied, listed and paged, a disk image uploaded
in parts, then ImportImage through the current ECS SDK), signed URLs, ACLs, tags, bucket settings and OSS's
refusals as the SDK surfaces them. The SDK speaks through ``requests``: in process through ``mock_ecs``, and through
``mockecs server`` (path-style on its IP endpoint), strict signatures on and off."""
from __future__ import annotations

import hashlib
import io
import os

import pytest
import requests
from alibabacloud_ecs20140526 import models

from mockecs.modes.mock import MockECS
from mockecs.wire import crc64
from tests.sdk import DEFAULT_ACCOUNT, make_account, new_client

oss = pytest.importorskip("alibabacloud_oss_v2", reason="alibabacloud-oss-v2 is not installed")

AK, SK = "LTAI-oss-v2", "oss-v2-secret"
REGION = "cn-hangzhou"


@pytest.fixture(params=[False, True], ids=["lax", "strict"])
def mock(request):
    """MockECS with strict signatures off and on (every V4 signature verified), knowing the SDK's key."""
    with MockECS(strict_signatures=request.param) as m:
        m.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        yield m


def client(access_key_id: str = AK, secret: str = SK, endpoint: str = None, **config) -> oss.Client:
    """The SDK's client as its documentation builds one: the region, a static key (or the credentials provider
    given), optionally an endpoint and other settings of its Config."""
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(access_key_id, secret)
    cfg.region = REGION
    if endpoint:
        cfg.endpoint = endpoint
    for name, value in config.items():
        setattr(cfg, name, value)
    return oss.Client(cfg)


def refusal(call, request) -> oss.exceptions.ServiceError:
    """The service's refusal as the SDK surfaces it: an OperationError wrapping a ServiceError."""
    with pytest.raises(oss.exceptions.OperationError) as info:
        call(request)
    err = info.value.unwrap()
    assert isinstance(err, oss.exceptions.ServiceError), err
    assert err.request_id and err.headers["x-oss-request-id"] == err.request_id
    return err


def keys_of(result) -> list[str]:
    return [o.key for o in result.contents or []]


def image_flow(c: oss.Client, bucket: str, calls) -> None:
    """The objects half, the same in process and through the server."""
    assert c.put_bucket(oss.PutBucketRequest(bucket=bucket)).status_code == 200
    data = b"a small object"
    md5 = hashlib.md5(data).hexdigest().upper()
    put = c.put_object(oss.PutObjectRequest(bucket=bucket, key="builds/notes.txt", body=data,
                                            content_type="text/plain", metadata={"build": "42"}))
    assert (put.status_code, put.etag, put.hash_crc64) == (200, f'"{md5}"', str(crc64.crc64(data)))
    got = c.get_object(oss.GetObjectRequest(bucket=bucket, key="builds/notes.txt"))
    assert got.body.read() == data and (got.content_type, got.metadata) == ("text/plain", {"build": "42"})
    assert (got.content_length, got.etag, got.object_type) == (len(data), f'"{md5}"', "Normal")
    ranged = c.get_object(oss.GetObjectRequest(bucket=bucket, key="builds/notes.txt", range_header="bytes=2-6"))
    assert (ranged.status_code, ranged.body.read(), ranged.content_range) == (206, b"small", "bytes 2-6/14")
    head = c.head_object(oss.HeadObjectRequest(bucket=bucket, key="builds/notes.txt"))
    assert (head.content_length, head.etag, head.hash_crc64, head.metadata) == \
        (len(data), f'"{md5}"', str(crc64.crc64(data)), {"build": "42"})
    copied = c.copy_object(oss.CopyObjectRequest(bucket=bucket, key="builds/copy.txt",
                                                 source_bucket=bucket, source_key="builds/notes.txt"))
    assert copied.status_code == 200 and copied.etag == f'"{md5}"'
    assert c.get_object(oss.GetObjectRequest(bucket=bucket, key="builds/copy.txt")).body.read() == data
    for key in ("builds/extra/log.txt", "readme", "builds/z.raw"):
        c.put_object(oss.PutObjectRequest(bucket=bucket, key=key, body=key.encode()))
    listed = c.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket, prefix="builds/", delimiter="/"))
    assert keys_of(listed) == ["builds/copy.txt", "builds/notes.txt", "builds/z.raw"]
    assert [p.prefix for p in listed.common_prefixes] == ["builds/extra/"] and listed.key_count == 4
    assert listed.contents[0].size == len(data) and listed.contents[0].etag == f'"{md5}"'
    first = c.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket, max_keys=2))
    assert first.is_truncated and keys_of(first) == ["builds/copy.txt", "builds/extra/log.txt"]
    rest = c.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket, continuation_token=first.next_continuation_token))
    assert not rest.is_truncated and keys_of(rest) == ["builds/notes.txt", "builds/z.raw", "readme"]
    pages = list(c.list_objects_v2_paginator(limit=1).iter_page(oss.ListObjectsV2Request(bucket=bucket,
                                                                                          prefix="builds/")))
    assert [keys_of(p) for p in pages] == [["builds/copy.txt"], ["builds/extra/log.txt"], ["builds/notes.txt"],
                                           ["builds/z.raw"]]
    deleted = c.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket=bucket, objects=[oss.DeleteObject(key="builds/copy.txt"), oss.DeleteObject(key="readme")]))
    assert sorted(d.key for d in deleted.deleted_objects) == ["builds/copy.txt", "readme"]
    assert keys_of(c.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket))) == \
        ["builds/extra/log.txt", "builds/notes.txt", "builds/z.raw"]
    actions = [x.action for x in calls]
    assert actions[:4] == ["PutBucket", "PutObject", "GetObject", "GetObject"]
    assert {"HeadObject", "CopyObject", "ListObjectsV2", "DeleteMultipleObjects"} <= set(actions)
    assert all(x.status < 300 and x.account == DEFAULT_ACCOUNT for x in calls)


def test_objects_put_get_copy_list_delete(mock):
    image_flow(client(), "v2-images", mock.engine.calls)


def upload_disk(c: oss.Client, bucket: str, key: str, data: bytes, part_size: int) -> oss.CompleteMultipartUploadResult:
    upload_id = c.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket=bucket, key=key)).upload_id
    parts = []
    for number, start in enumerate(range(0, len(data), part_size), 1):
        part = c.upload_part(oss.UploadPartRequest(bucket=bucket, key=key, upload_id=upload_id, part_number=number,
                                                   body=data[start:start + part_size]))
        assert part.etag == f'"{hashlib.md5(data[start:start + part_size]).hexdigest().upper()}"'
        parts.append(oss.UploadPart(part_number=number, etag=part.etag))
    return c.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket=bucket, key=key, upload_id=upload_id,
        complete_multipart_upload=oss.CompleteMultipartUpload(parts=parts)))


def import_and_wait(bucket: str, key: str) -> models.DescribeImagesResponseBodyImagesImage:
    ecs = new_client()
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket=bucket, ossobject=key, format="RAW")
    image_id = ecs.import_image(models.ImportImageRequest(region_id=REGION, image_name="built-by-v2",
                                                          disk_device_mapping=[mapping])).body.image_id
    for _ in range(10):
        image = ecs.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id,
                                                                 status="Creating,Available")).body.images.image[0]
        if image.status == "Available":
            break
    return image


def test_a_disk_image_uploaded_in_parts_then_imported(mock, tmp_path):
    """initiate, upload_part, complete (OSS's multipart ETag and CRC-64), then ImportImage of the object; the
    SDK's own uploader (parts in threads, CRCs checked) and downloader agree."""
    mock.engine.lifecycle.delay("task", observations=2)
    c = client()
    c.put_bucket(oss.PutBucketRequest(bucket="v2-pipeline"))
    data = os.urandom(601 * 512)  # whole sectors
    done = upload_disk(c, "v2-pipeline", "builds/disk.raw", data, 100 * 1024)
    md5s = b"".join(hashlib.md5(data[i:i + 100 * 1024]).digest() for i in range(0, len(data), 100 * 1024))
    assert done.etag == f'"{hashlib.md5(md5s).hexdigest().upper()}-4"' and done.hash_crc64 == str(crc64.crc64(data))
    assert (done.bucket, done.key) == ("v2-pipeline", "builds/disk.raw")
    head = c.head_object(oss.HeadObjectRequest(bucket="v2-pipeline", key="builds/disk.raw"))
    assert (head.object_type, head.content_length) == ("Multipart", len(data))
    image = import_and_wait("v2-pipeline", "builds/disk.raw")
    assert (image.status, image.size, image.image_name) == ("Available", 5, "built-by-v2")
    path = tmp_path / "disk2.raw"
    path.write_bytes(data[:300 * 1024])
    uploaded = c.uploader(part_size=100 * 1024).upload_file(
        oss.PutObjectRequest(bucket="v2-pipeline", key="builds/disk2.raw"), str(path))
    assert uploaded.etag.endswith('-3"') and uploaded.hash_crc64 == str(crc64.crc64(data[:300 * 1024]))
    out = tmp_path / "back.raw"
    c.downloader(part_size=128 * 1024).download_file(oss.GetObjectRequest(bucket="v2-pipeline", key="builds/disk.raw"),
                                                     str(out))
    assert out.read_bytes() == data
    assert {"InitiateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "ImportImage"} <= \
        {x.action for x in mock.engine.calls}


def test_bodies_the_sdk_streams_arrive_whole(mock):
    """A file or a generator as the body: the SDK hands ``requests`` an iterator (its CRC-counting TeeIterator);
    mock mode reads it in one pass as the service would, also where ``responses`` answers (an adapter that
    retries on statuses)."""
    c = client()
    c.put_bucket(oss.PutBucketRequest(bucket="v2-streams"))
    data = os.urandom(100 * 1024 + 3)
    for key, body in (("file", io.BytesIO(data)), ("chunks", (data[i:i + 7000] for i in range(0, len(data), 7000)))):
        put = c.put_object(oss.PutObjectRequest(bucket="v2-streams", key=key, body=body))
        assert put.hash_crc64 == str(crc64.crc64(data))  # (the SDK compared it with the CRC of what it sent)
        assert c.get_object(oss.GetObjectRequest(bucket="v2-streams", key=key)).body.read() == data
    url = c.presign(oss.PutObjectRequest(bucket="v2-streams", key="by-url")).url
    session = requests.Session()
    retrying = requests.adapters.HTTPAdapter(max_retries=requests.adapters.Retry(total=2, status_forcelist=[503]))
    session.mount("https://", retrying)
    assert session.put(url, data=iter([b"through ", b"a ", b"URL"]), timeout=5).status_code == 200
    assert c.get_object(oss.GetObjectRequest(bucket="v2-streams", key="by-url")).body.read() == b"through a URL"
    for body in (bytearray(b"a bytearray"), memoryview(b"a memoryview")):  # (requests passes them on as they are)
        for sender in (requests, session):
            url = c.presign(oss.PutObjectRequest(bucket="v2-streams", key="by-url")).url
            assert sender.put(url, data=body, timeout=5).status_code == 200
            assert c.get_object(oss.GetObjectRequest(bucket="v2-streams", key="by-url")).body.read() == bytes(body)


def test_presign_acl_tagging_cors_and_bucket_tags(mock):
    c = client()
    other = make_account(mock.engine, "2222333344445555")
    theirs = client(other.access_key_id, other.secret)
    c.put_bucket(oss.PutBucketRequest(bucket="v2-shared"))
    c.put_object(oss.PutObjectRequest(bucket="v2-shared", key="disk image.raw", body=b"bytes"))
    signed = c.presign(oss.GetObjectRequest(bucket="v2-shared", key="disk image.raw"))
    assert signed.method == "GET" and "x-oss-signature-version=OSS4-HMAC-SHA256" in signed.url
    assert requests.get(signed.url, timeout=5).content == b"bytes"
    acl = c.get_bucket_acl(oss.GetBucketAclRequest(bucket="v2-shared"))
    assert (acl.acl, acl.owner.id) == ("private", DEFAULT_ACCOUNT)
    err = refusal(theirs.get_object, oss.GetObjectRequest(bucket="v2-shared", key="disk image.raw"))
    assert (type(err), err.status_code, err.code) == (oss.exceptions.ServiceError, 403, "AccessDenied")
    c.put_bucket_acl(oss.PutBucketAclRequest(bucket="v2-shared", acl="public-read"))
    assert c.get_bucket_acl(oss.GetBucketAclRequest(bucket="v2-shared")).acl == "public-read"
    assert theirs.get_object(oss.GetObjectRequest(bucket="v2-shared", key="disk image.raw")).body.read() == b"bytes"
    err = refusal(theirs.put_object, oss.PutObjectRequest(bucket="v2-shared", key="theirs", body=b"x"))
    assert (err.status_code, err.code) == (403, "AccessDenied")  # (public-read: reads only)
    c.put_object_acl(oss.PutObjectAclRequest(bucket="v2-shared", key="disk image.raw", acl="private"))
    assert c.get_object_acl(oss.GetObjectAclRequest(bucket="v2-shared", key="disk image.raw")).acl == "private"
    assert refusal(theirs.get_object, oss.GetObjectRequest(bucket="v2-shared", key="disk image.raw")).code == \
        "AccessDenied"  # (the object's own ACL over its bucket's)
    tagging = oss.Tagging(tag_set=oss.TagSet(tags=[oss.Tag(key="build", value="42"), oss.Tag(key="os", value="linux")]))
    c.put_object_tagging(oss.PutObjectTaggingRequest(bucket="v2-shared", key="disk image.raw", tagging=tagging))
    tags = c.get_object_tagging(oss.GetObjectTaggingRequest(bucket="v2-shared", key="disk image.raw")).tag_set.tags
    assert [(t.key, t.value) for t in tags] == [("build", "42"), ("os", "linux")]
    c.delete_object_tagging(oss.DeleteObjectTaggingRequest(bucket="v2-shared", key="disk image.raw"))
    assert not c.get_object_tagging(oss.GetObjectTaggingRequest(bucket="v2-shared", key="disk image.raw")).tag_set.tags
    rule = oss.CORSRule(allowed_origins=["https://console.example"], allowed_methods=["GET", "PUT"],
                        allowed_headers=["*"], expose_headers=["ETag"], max_age_seconds=300)
    c.put_bucket_cors(oss.PutBucketCorsRequest(bucket="v2-shared",
                                               cors_configuration=oss.CORSConfiguration(cors_rules=[rule])))
    got = c.get_bucket_cors(oss.GetBucketCorsRequest(bucket="v2-shared")).cors_configuration.cors_rules[0]
    assert (got.allowed_origins, got.allowed_methods, got.expose_headers, got.max_age_seconds) == \
        (["https://console.example"], ["GET", "PUT"], ["ETag"], 300)
    c.delete_bucket_cors(oss.DeleteBucketCorsRequest(bucket="v2-shared"))
    err = refusal(c.get_bucket_cors, oss.GetBucketCorsRequest(bucket="v2-shared"))
    assert (err.status_code, err.code) == (404, "NoSuchCORSConfiguration")
    c.put_bucket_tags(oss.PutBucketTagsRequest(bucket="v2-shared", tagging=oss.Tagging(
        tag_set=oss.TagSet(tags=[oss.Tag(key="team", value="images")]))))
    tags = c.get_bucket_tags(oss.GetBucketTagsRequest(bucket="v2-shared")).tagging.tag_set.tags
    assert [(t.key, t.value) for t in tags] == [("team", "images")]


def test_refusals_as_the_sdk_surfaces_them(mock):
    c = client()
    err = refusal(c.get_object, oss.GetObjectRequest(bucket="v2-missing", key="disk.raw"))
    assert (err.status_code, err.code, err.ec) == (404, "NoSuchBucket", "0015-00000101")
    c.put_bucket(oss.PutBucketRequest(bucket="v2-refusals"))
    err = refusal(c.get_object, oss.GetObjectRequest(bucket="v2-refusals", key="disk.raw"))
    assert (err.status_code, err.code, err.message) == (404, "NoSuchKey", "The specified key does not exist.")
    assert err.ec == "0026-00000001"
    err = refusal(c.head_object, oss.HeadObjectRequest(bucket="v2-refusals", key="disk.raw"))  # (no body)
    assert (err.status_code, err.code) == (404, "NoSuchKey")
    err = refusal(c.delete_bucket, oss.DeleteBucketRequest(bucket="v2-missing"))
    assert (err.status_code, err.code) == (404, "NoSuchBucket")
    c.put_object(oss.PutObjectRequest(bucket="v2-refusals", key="disk.raw", body=b"private"))
    other = make_account(mock.engine, "2222333344445555")
    theirs = client(other.access_key_id, other.secret)
    for call, request in ((theirs.get_object, oss.GetObjectRequest(bucket="v2-refusals", key="disk.raw")),
                          (theirs.head_object, oss.HeadObjectRequest(bucket="v2-refusals", key="disk.raw")),
                          (theirs.delete_bucket, oss.DeleteBucketRequest(bucket="v2-refusals"))):
        err = refusal(call, request)
        assert (err.status_code, err.code) == (403, "AccessDenied")
    err = refusal(theirs.put_bucket, oss.PutBucketRequest(bucket="v2-refusals"))  # (bucket names are global)
    assert (err.status_code, err.code) == (409, "BucketAlreadyExists")
    err = refusal(c.delete_bucket, oss.DeleteBucketRequest(bucket="v2-refusals"))
    assert (err.status_code, err.code) == (409, "BucketNotEmpty")
    refused = [x for x in mock.engine.calls if x.status >= 400]
    assert [x.error_code for x in refused][:3] == ["NoSuchBucket", "NoSuchKey", "NoSuchKey"]
    assert refused[1].request_id  # (the request id the SDK surfaced is the call's)
    if mock.engine.config.strict_signatures:
        err = refusal(client(AK, "wrong-secret").get_object, oss.GetObjectRequest(bucket="v2-refusals", key="disk.raw"))
        assert (err.status_code, err.code) == (403, "SignatureDoesNotMatch")
        err = refusal(client("LTAI-unknown", SK).get_object, oss.GetObjectRequest(bucket="v2-refusals", key="x"))
        assert (err.status_code, err.code) == (403, "InvalidAccessKeyId")
        err = refusal(client(signature_version="v1", **{}).get_object,
                      oss.GetObjectRequest(bucket="v2-refusals", key="missing"))
        assert err.code == "NoSuchKey"  # (a V1 signature verified too)


@pytest.fixture
def served():
    from tests.test_oss import strict_server

    with strict_server(AK, SK) as srv:
        yield srv


def test_through_the_server(served, tmp_path):
    """The SDK told only the server's URL as its endpoint (an IP: path-style), every V4 signature verified; then the
    ECS SDK imports the disk it uploaded, through the same server."""
    from mockecs.modes.clients import server_client

    c = client(endpoint=served.url)
    image_flow(c, "v2-served", served.engine.calls)
    data = os.urandom(5 * 2**20 + 512)  # (beyond the ECS API's 4 MiB body: streamed to the engine)
    done = upload_disk(c, "v2-served", "builds/disk.raw", data, 2**20)
    assert done.etag.endswith('-6"') and done.hash_crc64 == str(crc64.crc64(data))
    assert c.get_object(oss.GetObjectRequest(bucket="v2-served", key="builds/disk.raw")).body.read() == data
    signed = c.presign(oss.GetObjectRequest(bucket="v2-served", key="builds/notes.txt"))
    assert signed.url.startswith(f"{served.url}/v2-served/builds/notes.txt?")
    assert requests.get(signed.url, timeout=10).content == b"a small object"
    err = refusal(client(AK, "wrong", endpoint=served.url).get_object,
                  oss.GetObjectRequest(bucket="v2-served", key="builds/notes.txt"))
    assert (err.status_code, err.code) == (403, "SignatureDoesNotMatch")
    err = refusal(c.get_object, oss.GetObjectRequest(bucket="v2-served", key="missing"))
    assert (err.status_code, err.code) == (404, "NoSuchKey")
    c.put_bucket_cors(oss.PutBucketCorsRequest(bucket="v2-served", cors_configuration=oss.CORSConfiguration(
        cors_rules=[oss.CORSRule(allowed_origins=["*"], allowed_methods=["GET"])])))
    preflight = c.option_object(oss.OptionObjectRequest(bucket="v2-served", key="builds/disk.raw", origin="https://x",
                                                        access_control_request_method="GET"))
    assert (preflight.status_code, preflight.access_control_allow_origin) == (200, "https://x")
    browser = requests.options(f"{served.url}/v2-served/builds/disk.raw", timeout=10,
                               headers={"Origin": "https://x", "Access-Control-Request-Method": "PUT"})
    assert browser.status_code == 403 and b"<Code>AccessForbidden</Code>" in browser.content
    ecs = server_client(served.url)
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket="v2-served", ossobject="builds/disk.raw",
                                                         format="RAW")
    imported = ecs.import_image(models.ImportImageRequest(region_id=REGION, disk_device_mapping=[mapping]))
    assert imported.body.image_id.startswith("m-")


def test_cors_preflight_option_object(mock):
    """OptionObject (OPTIONS): the bucket's CORS rules answer it, whoever sends it (a browser's is unsigned); a request
    they do not allow, or a bucket without them, is 403 AccessForbidden. Mock mode answers OPTIONS too."""
    c = client()
    c.put_bucket(oss.PutBucketRequest(bucket="v2-console"))
    ask = oss.OptionObjectRequest(bucket="v2-console", key="builds/disk.raw", origin="https://a.example",
                                  access_control_request_method="PUT", access_control_request_headers="x-oss-meta-a")
    err = refusal(c.option_object, ask)
    assert (err.status_code, err.code, err.message) == \
        (403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
    rules = [oss.CORSRule(allowed_origins=["https://*.example"], allowed_methods=["GET", "PUT"],
                          allowed_headers=["X-OSS-*", "content-type"], expose_headers=["ETag", "x-oss-request-id"],
                          max_age_seconds=60),
             oss.CORSRule(allowed_origins=["*"], allowed_methods=["GET"])]
    c.put_bucket_cors(oss.PutBucketCorsRequest(bucket="v2-console", cors_configuration=oss.CORSConfiguration(
        cors_rules=rules, response_vary=True)))
    allowed = c.option_object(ask)
    assert (allowed.status_code, allowed.access_control_allow_origin, allowed.access_control_allow_methods,
            allowed.access_control_allow_headers, allowed.access_control_expose_headers,
            allowed.access_control_max_age) == \
        (200, "https://a.example", "GET, PUT", "x-oss-meta-a", "ETag, x-oss-request-id", 60)
    assert allowed.headers["Vary"] == "Origin"
    anyone = c.option_object(oss.OptionObjectRequest(bucket="v2-console", key="k", origin="http://elsewhere",
                                                     access_control_request_method="GET"))
    assert anyone.access_control_allow_origin == "http://elsewhere" and anyone.access_control_max_age is None
    for origin, method, headers in (("http://elsewhere", "PUT", None), ("https://a.example", "DELETE", None),
                                    ("https://a.example", "PUT", "x-oss-meta-a,authorization")):
        err = refusal(c.option_object, oss.OptionObjectRequest(bucket="v2-console", key="k", origin=origin,
                                                               access_control_request_method=method,
                                                               access_control_request_headers=headers))
        assert (err.status_code, err.code) == (403, "AccessForbidden")
        assert err.message.startswith("CORSResponse: This CORS request is not allowed.")
    browser = requests.options("https://v2-console.oss-cn-hangzhou.aliyuncs.com/builds/disk.raw", timeout=5,
                               headers={"Origin": "https://b.example", "Access-Control-Request-Method": "PUT"})
    assert browser.status_code == 200 and browser.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert browser.headers["x-oss-request-id"] and "Access-Control-Allow-Headers" not in browser.headers
    err = refusal(c.option_object, oss.OptionObjectRequest(bucket="v2-missing", key="k", origin="https://a.example",
                                                           access_control_request_method="GET"))
    assert (err.status_code, err.code) == (404, "NoSuchBucket")
    assert [x.action for x in mock.engine.calls].count("OptionObject") == 8


def test_the_async_client_through_mock_mode(mock, tmp_path):
    """``alibabacloud_oss_v2.aio.AsyncClient`` speaks through aiohttp: its uploads are async iterators (read to
    their end as aiohttp would send them), its downloads stream from ``response.content``."""
    import asyncio

    from alibabacloud_oss_v2 import aio

    data = os.urandom(150 * 1024 + 1)
    path = tmp_path / "disk.raw"
    path.write_bytes(data)
    mock.engine.oss.put_object(REGION, "v2-async", "exported.raw", size=3 * 2**20 + 1)  # (an answer streamed)

    async def flow() -> None:
        cfg = oss.config.load_default()
        cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK)
        cfg.region = REGION
        c = aio.AsyncClient(cfg)
        try:
            put = await c.put_object(oss.PutObjectRequest(bucket="v2-async", key="small", body=data))
            assert put.hash_crc64 == str(crc64.crc64(data))
            with open(path, "rb") as f:
                put = await c.put_object(oss.PutObjectRequest(bucket="v2-async", key="file", body=f))
            assert put.hash_crc64 == str(crc64.crc64(data))
            got = await c.get_object(oss.GetObjectRequest(bucket="v2-async", key="file"))
            assert await got.body.read() == data
            got = await c.get_object(oss.GetObjectRequest(bucket="v2-async", key="exported.raw"))
            chunks = [chunk async for chunk in await got.body.iter_bytes(block_size=2**20)]
            assert len(chunks) == 4 and b"".join(chunks) == bytes(3 * 2**20 + 1)
            upload = await c.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket="v2-async",
                                                                                          key="disk.raw"))
            parts = []
            for number, start in ((1, 0), (2, 100 * 1024)):
                part = await c.upload_part(oss.UploadPartRequest(bucket="v2-async", key="disk.raw", part_number=number,
                                                                 upload_id=upload.upload_id,
                                                                 body=data[start:start + 100 * 1024]))
                parts.append(oss.UploadPart(part_number=number, etag=part.etag))
            done = await c.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
                bucket="v2-async", key="disk.raw", upload_id=upload.upload_id,
                complete_multipart_upload=oss.CompleteMultipartUpload(parts=parts)))
            assert done.etag.endswith('-2"') and done.hash_crc64 == str(crc64.crc64(data))
            pages = [[o.key for o in page.contents] async for page in
                     c.list_objects_v2_paginator(limit=2).iter_page(oss.ListObjectsV2Request(bucket="v2-async"))]
            assert pages == [["disk.raw", "exported.raw"], ["file", "small"]]
            with pytest.raises(oss.exceptions.OperationError) as info:
                await c.get_object(oss.GetObjectRequest(bucket="v2-async", key="missing"))
            err = info.value.unwrap()
            assert (err.status_code, err.code, err.ec) == (404, "NoSuchKey", "0026-00000001") and err.request_id
        finally:
            await c.close()

    asyncio.run(flow())


def test_keys_signers_and_presigned_urls(mock):
    """Keys URL-encoding carries (listed with encoding-type=url, deleted in a batch), the SDK's other signers (V1,
    STS tokens, V4 with additional signed headers, anonymous), presigned PUTs with their signed headers."""
    import datetime

    c = client()
    c.put_bucket(oss.PutBucketRequest(bucket="v2-keys", acl="public-read"))
    keys = ["dir/a b+c.raw", "dir/odd&=?#.raw", "dir/tab\tkey", "dir/x%2Fy", "dir/ü-ünï.raw"]
    for key in keys:
        c.put_object(oss.PutObjectRequest(bucket="v2-keys", key=key, body=key.encode(), tagging="a=1&b=2"))
    assert keys_of(c.list_objects_v2(oss.ListObjectsV2Request(bucket="v2-keys", prefix="dir/"))) == keys
    assert keys_of(c.list_objects(oss.ListObjectsRequest(bucket="v2-keys", prefix="dir/"))) == keys
    assert [c.get_object(oss.GetObjectRequest(bucket="v2-keys", key=k)).body.read() for k in keys] == \
        [k.encode() for k in keys]
    tags = c.get_object_tagging(oss.GetObjectTaggingRequest(bucket="v2-keys", key=keys[0])).tag_set.tags
    assert [(t.key, t.value) for t in tags] == [("a", "1"), ("b", "2")]
    deleted = c.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket="v2-keys", objects=[oss.DeleteObject(key=k) for k in keys], encoding_type="url"))
    assert sorted(d.key for d in deleted.deleted_objects) == keys
    c.put_object(oss.PutObjectRequest(bucket="v2-keys", key="pub", body=b"public"))
    anonymous = client(credentials_provider=oss.credentials.AnonymousCredentialsProvider())
    assert anonymous.get_object(oss.GetObjectRequest(bucket="v2-keys", key="pub")).body.read() == b"public"
    if mock.engine.config.strict_signatures:  # (lax, an unsigned request speaks for the default account)
        err = refusal(anonymous.put_object, oss.PutObjectRequest(bucket="v2-keys", key="theirs", body=b"x"))
        assert (err.status_code, err.code) == (403, "AccessDenied")  # (public-read)
    signed_more = client(additional_headers=["host", "content-type"])
    signed_more.put_object(oss.PutObjectRequest(bucket="v2-keys", key="typed", body=b"t", content_type="text/plain"))
    mock.engine.accounts.add_key(DEFAULT_ACCOUNT, "STS.v2-key", "sts-secret", "sts-token")
    sts = client(credentials_provider=oss.credentials.StaticCredentialsProvider("STS.v2-key", "sts-secret",
                                                                                "sts-token"))
    sts.put_object(oss.PutObjectRequest(bucket="v2-keys", key="sts", body=b"by a token"))
    url = sts.presign(oss.GetObjectRequest(bucket="v2-keys", key="sts")).url
    assert "x-oss-security-token=sts-token" in url and requests.get(url, timeout=5).content == b"by a token"
    v1 = client(signature_version="v1")
    v1.put_object(oss.PutObjectRequest(bucket="v2-keys", key="v1", body=b"V1", metadata={"a": "b"}))
    url = v1.presign(oss.GetObjectRequest(bucket="v2-keys", key="v1")).url
    assert "OSSAccessKeyId=" in url and requests.get(url, timeout=5).content == b"V1"
    put = c.presign(oss.PutObjectRequest(bucket="v2-keys", key="by-url", content_type="text/plain"))
    assert put.signed_headers == {"Content-Type": "text/plain"}
    assert requests.put(put.url, data=b"u", headers=put.signed_headers, timeout=5).status_code == 200
    assert c.head_object(oss.HeadObjectRequest(bucket="v2-keys", key="by-url")).content_type == "text/plain"
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
    url = c.presign(oss.GetObjectRequest(bucket="v2-keys", key="pub"), expiration=soon).url
    assert requests.get(url, timeout=5).content == b"public" and "&x-oss-expires=" in url


def test_virtual_hosts_through_the_https_proxy(served, monkeypatch, tmp_path):
    """The SDK's default, virtual-hosted-style over HTTPS (``v2-proxied.oss-cn-hangzhou.aliyuncs.com``), unchanged:
    told only ``HTTPS_PROXY`` and the CA bundle; its uploader's parts in threads, its downloader's ranges."""
    from mockecs.modes.server.tls import authority, ca_cert_path

    authority()
    monkeypatch.setenv("HTTPS_PROXY", served.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_cert_path())
    c = client()
    c.put_bucket(oss.PutBucketRequest(bucket="v2-proxied"))
    data = os.urandom(3 * 2**20 + 5)
    path = tmp_path / "disk.raw"
    path.write_bytes(data)
    done = c.uploader(part_size=2**20, parallel_num=3).upload_file(
        oss.PutObjectRequest(bucket="v2-proxied", key="builds/disk.raw"), str(path))
    assert done.etag.endswith('-4"') and done.hash_crc64 == str(crc64.crc64(data))
    out = tmp_path / "back.raw"
    c.downloader(part_size=2**20, parallel_num=3).download_file(
        oss.GetObjectRequest(bucket="v2-proxied", key="builds/disk.raw"), str(out))
    assert out.read_bytes() == data
    assert keys_of(c.list_objects_v2(oss.ListObjectsV2Request(bucket="v2-proxied"))) == ["builds/disk.raw"]
    err = refusal(client(endpoint="oss-cn-shanghai.aliyuncs.com").head_object,
                  oss.HeadObjectRequest(bucket="v2-proxied", key="builds/disk.raw"))
    assert (err.status_code, err.code) == (403, "AccessDenied")  # (addressed at another region's endpoint)
    calls = served.engine.calls
    assert {x.params["Bucket"] for x in calls} == {"v2-proxied"} and {x.region for x in calls} >= {REGION}
    assert [x.action for x in calls].count("UploadPart") == 4 and all(x.status < 400 for x in calls[:-1])


@pytest.mark.parametrize("strict_mode", [False, True])
def test_preflights_of_any_shape_get_osss_answers_never_a_500(strict_mode):
    """OPTIONS with odd or missing Origin, method and header lists, on buckets with and without CORS rules, on the
    service, a bucket, an object: an OSS answer (200 or an OSS error), never a 500."""
    import itertools
    import xml.etree.ElementTree as ElementTree

    from mockecs.engine.core import Config, Engine
    from mockecs.wire.protocol import HttpRequest

    engine = Engine(Config(strict_signatures=strict_mode))
    engine.oss.create_bucket(REGION, "with-cors")
    engine.oss.create_bucket(REGION, "without")
    cors = (b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
            b"<AllowedHeader>x-*</AllowedHeader></CORSRule></CORSConfiguration>")
    answer = engine.handle(HttpRequest("PUT", "https://with-cors.oss-cn-hangzhou.aliyuncs.com/?cors", {
        "host": "with-cors.oss-cn-hangzhou.aliyuncs.com"}, cors))
    assert answer.status == 200 or strict_mode  # (strict: an unsigned PUT is refused; the rules stay unset)
    hosts = ["with-cors.oss-cn-hangzhou.aliyuncs.com", "without.oss-cn-hangzhou.aliyuncs.com",
             "oss-cn-hangzhou.aliyuncs.com", "missing.oss-cn-hangzhou.aliyuncs.com"]
    origins = [None, "", "*", "https://a", "\u00fc"]
    methods = [None, "", "GET", "get", "PUT", "TRACE"]
    asked = [None, "", ",", "x-a, X-B", "authorization", "x-" * 300]
    seen = set()
    for host, path, origin, method, headers in itertools.product(hosts, ["/", "/k", "/%ZZ"], origins, methods, asked):
        sent = {"host": host, "origin": origin, "access-control-request-method": method,
                "access-control-request-headers": headers}
        answer = engine.handle(HttpRequest("OPTIONS", f"https://{host}{path}",
                                           {k: v for k, v in sent.items() if v is not None}, b""))
        assert answer.status in (200, 400, 403, 404, 405), (host, path, sent, answer.body[:300])
        seen.add(answer.status)
        assert answer.headers["x-oss-request-id"]
        if answer.status != 200:
            assert ElementTree.fromstring(answer.body).findtext("Code")
    assert seen == ({400, 403, 404, 405} if strict_mode else {200, 400, 403, 404, 405})  # (400: path-style "/k")

"""No input makes OSS's fake answer 500: random, often mutated OSS requests, most of them validly signed.

Buckets, keys, subresources, headers (ranges, copy sources, conditions, metadata) and bodies (uploads, the XML of
multipart completion, batch deletes and a bucket's settings, broken and well formed) are drawn from plausible values
and garbage. Seeded, so a failure replays. Every answer must be a 2xx/3xx or an OSS error: a 4xx (or 501 for what
the fake does not model) with its ``x-oss-request-id``, and, but for HEAD, an ``<Error>`` document naming the same
RequestId. ``benchmarks/fuzz.py`` draws its OSS requests from the same generator.
"""
from __future__ import annotations

import base64
import random
import time
import xml.etree.ElementTree as ElementTree
from typing import Optional
from urllib.parse import quote

import pytest

from mockecs.modes.mock import MockECS
from mockecs.wire import oss as oss_wire
from mockecs.wire.protocol import HttpRequest
from tests.sdk import DEFAULT_ACCOUNT

AK, SK = "LTAI-oss-fuzz", "oss-fuzz-secret"
BUCKETS = ["fuzz-images", "fuzz-other", "nothere-bucket"]
BAD_BUCKETS = ["A", "x" * 70, "-a", "a..b", "中文", "ab", "a_b", "%", ""]
KEYS = ["disk.raw", "images/disk.qcow2", "a/b/c/", "part-upload.vhd", "copy-target", "x"]
BAD_KEYS = ["", "../etc/passwd", "\x01\x02", "k" * 1100, "中文/键", "a//b", "%zz", "\ufffe", "/leading", " "]
SUBS = ["acl", "uploads", "location", "bucketInfo", "delete", "tagging", "objectMeta", "list-type", "prefix",
        "marker", "max-keys", "delimiter", "continuation-token", "start-after", "encoding-type", "key-marker",
        "upload-id-marker", "max-uploads", "part-number-marker", "max-parts", "uploadId", "partNumber", "versioning",
        "versionId", "symlink", "append", "position", "x-oss-process", "response-content-type", "fetch-owner",
        "cors", "lifecycle", "policy", "website", "logging", "referer", "encryption", "transferAcceleration",
        "accessmonitor", "resourceGroup", "replication", "nope"]
VALUES = ["", "1", "0", "-1", "2", "1000", "1001", "10001", "99999999999999999999", "abc", "url", "/", "images/",
          "中文", "\x00", "a" * 2000, "%FF"]
HEADERS = {
    "range": ["bytes=0-3", "bytes=5-", "bytes=-4", "bytes=9-2", "bytes=0-99999999999", "bytes=a-b", "items=0-1",
              "bytes=0-1,3-4", "bytes=", "bytes=-0"],
    "content-md5": ["", "xx", base64.b64encode(b"0" * 16).decode(), "=="],
    "x-oss-copy-source": ["/fuzz-images/disk.raw", "/fuzz-images/nothere", "/nothere-bucket/x", "fuzz-images",
                          "/", "", "/fuzz-images/%zz", "/fuzz-images/disk.raw?versionId=1"],
    "x-oss-copy-source-range": ["bytes=0-1", "bytes=9-1", "bytes=x"],
    "x-oss-metadata-directive": ["COPY", "REPLACE", "nope", ""],
    "if-match": ['"0"', "*", ""], "if-none-match": ['"0"', "*"],
    "if-modified-since": ["Mon, 30 Nov 2026 14:07:25 GMT", "yesterday", ""],
    "if-unmodified-since": ["Mon, 30 Nov 1970 14:07:25 GMT", "x"],
    "x-oss-copy-source-if-match": ['"0"', ""], "x-oss-copy-source-if-none-match": ['"0"'],
    "x-oss-meta-build": ["42", "\x01", "中文", "m" * 9000], "x-oss-object-acl": ["private", "public-read", "x"],
    "x-oss-acl": ["private", "public-read-write", "nope"], "x-oss-storage-class": ["Standard", "IA", "Archive", "x"],
    "x-oss-tagging": ["a=b", "a=b&c", "=", "%zz"], "x-oss-forbid-overwrite": ["true", "false", "x"],
    "x-oss-server-side-encryption": ["AES256", "KMS", "nope"], "content-type": ["application/xml", "", "text/plain"],
    "content-length": ["0", "5", "-1", "x", "99999999999999"], "x-oss-security-token": ["", "token"],
}
XML_BODIES = [
    b"", b"<", b"<CompleteMultipartUpload></CompleteMultipartUpload>",
    b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"X\"</ETag></Part></CompleteMultipartUpload>",
    b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>",
    b"<Delete><Quiet>true</Quiet><Object><Key>disk.raw</Key></Object></Delete>",
    b"<Delete><Object><Key></Key></Object>" + b"<Object><Key>k</Key></Object>" * 1001 + b"</Delete>",
    b"<Delete><Object/></Delete>", b"<!DOCTYPE x [<!ENTITY a 'b'>]><Delete>&a;</Delete>",
    b"<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>",
    b"<CreateBucketConfiguration><StorageClass>nope</StorageClass></CreateBucketConfiguration>",
    b"<AccessControlPolicy><AccessControlList><Grant>public-read</Grant></AccessControlList></AccessControlPolicy>",
    b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>", b"\xff\xfe\x00",
    # a bucket's settings (mockecs.ops.oss_bucket), well formed and not
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
    b"<MaxAgeSeconds>x</MaxAgeSeconds></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule>"
    b"</CORSConfiguration>",
    b"<LifecycleConfiguration><Rule><Prefix>a/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days>"
    b"</Expiration></Rule></LifecycleConfiguration>",
    b"<LifecycleConfiguration><Rule><ID>x</ID><Status>On</Status></Rule><Rule><ID>x</ID></Rule>"
    b"</LifecycleConfiguration>",
    b"<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>",
    b"<BucketLoggingStatus><LoggingEnabled><TargetBucket>fuzz-other</TargetBucket></LoggingEnabled>"
    b"</BucketLoggingStatus>", b"<BucketLoggingStatus/>",
    b"<RefererConfiguration><AllowEmptyReferer>maybe</AllowEmptyReferer></RefererConfiguration>",
    b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm>"
    b"<KMSDataEncryption>DES</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
    b'{"Version": "1", "Statement": [{"Effect": "Allow"}]}', b'{"Statement": 1}',
    b"<TransferAccelerationConfiguration><Enabled>yes</Enabled></TransferAccelerationConfiguration>",
    b"<AccessMonitorConfiguration><Status>Enabled</Status></AccessMonitorConfiguration>",
    b"<BucketResourceGroupConfiguration><ResourceGroupId>rg-x</ResourceGroupId></BucketResourceGroupConfiguration>",
]
HOSTS = ["{bucket}.oss-cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou.aliyuncs.com",
         "{bucket}.oss-cn-beijing.aliyuncs.com", "{bucket}.oss-cn-hangzhou-internal.aliyuncs.com",
         "oss.aliyuncs.com", "{bucket}.oss-nope-1.aliyuncs.com"]


def oss_request(rng: random.Random, ak: str = AK, sk: str = SK) -> tuple[str, str, dict, bytes]:
    """(method, url, headers, body) of a random OSS request: signed (v1) most of the time, often mutated."""
    method = rng.choice(["GET", "GET", "PUT", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"])
    bucket = rng.choice(BUCKETS * 4 + BAD_BUCKETS)
    key = rng.choice(KEYS * 3 + BAD_KEYS) if rng.random() < 0.7 else ""
    query = {}
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        query[rng.choice(SUBS)] = rng.choice(VALUES)
    if rng.random() < 0.1:
        query.update({"uploadId": rng.choice(["", "0004B9895DBBB6EC9", "x"]), "partNumber": rng.choice(VALUES)})
    headers = {name: rng.choice(values) for name, values in HEADERS.items() if rng.random() < 0.08}
    roll = rng.random()
    body = rng.choice(XML_BODIES) if roll < 0.4 else bytes(rng.randrange(256) for _ in range(rng.choice([0, 7, 300]))) \
        if roll < 0.9 else b"\x00" * 70_000
    if "content-length" not in headers and body:
        headers["content-length"] = str(len(body))
    host = rng.choice(HOSTS).format(bucket=bucket or "x")
    path_style = "{bucket}" not in host or rng.random() < 0.05
    path = f"/{bucket}/{key}" if path_style else f"/{key}"
    raw_query = "&".join(quote(k, safe="") + (f"={quote(v, safe='')}" if v else "") for k, v in query.items())
    if rng.random() < 0.05:
        raw_query += rng.choice(["&%zz", "&=", "&acl&acl", "&" + "a=1&" * 300])
    url = f"https://{host}{quote(path, safe='/%')}" + (f"?{raw_query}" if raw_query else "")
    headers["host"] = host
    sign = rng.random()
    if sign < 0.85:  # v1, over what the fake decodes (its signing is tested against oss2 in tests/test_oss.py)
        date = oss_wire.http_date(time.time() + (0 if rng.random() < 0.97 else rng.choice([-3600, 3600])))
        headers["date"] = date
        req = oss_wire.decode(HttpRequest(method, url, headers, body))
        signature = oss_wire.v1_signature(oss_wire.v1_string_to_sign(req, date), sk)
        headers["authorization"] = f"OSS {ak}:{signature if rng.random() < 0.97 else signature[:-2] + 'xx'}"
    elif sign < 0.93:
        headers["authorization"] = rng.choice(["OSS ", "OSS x", "OSS4-HMAC-SHA256 Credential=a", "OSS4-HMAC-SHA256 ",
                                               "OSS4-HMAC-SHA256 Credential=LTAI/20261130/cn-hangzhou/oss/aliyun_v4"
                                               "_request,Signature=00", "OSS :", "OSS " + "A" * 500 + ":x"])
        headers["x-oss-date"] = rng.choice(["20261130T000000Z", "x", ""])
    elif sign < 0.97:
        url += ("&" if "?" in url else "?") + rng.choice([
            "OSSAccessKeyId=x&Expires=1&Signature=x", "OSSAccessKeyId=x&Expires=x", "OSSAccessKeyId=" + AK
            + "&Expires=99999999999&Signature=abc", "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=a",
            "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=x&x-oss-expires=x&x-oss-signature=0"])
    return method, url, headers, body


def check(method: str, status: int, headers: dict, body: bytes) -> Optional[str]:
    """What is wrong with an OSS answer (None if nothing)."""
    if status >= 500 and status != 501:
        return f"status {status}"
    request_id = headers.get("x-oss-request-id")
    if not request_id:
        return "no x-oss-request-id"
    if status >= 400 and method != "HEAD":
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return "unparseable error document"
        if root.tag != "Error" or root.findtext("RequestId") != request_id or not root.findtext("Code"):
            return "error document without Code or its RequestId"
    return None


@pytest.mark.parametrize("seed", range(3))
def test_oss_fuzz_never_500(seed):
    rng = random.Random(f"oss-fuzz-{seed}")
    with MockECS(strict_signatures=True) as mock:
        mock.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        setup = [("PUT", "fuzz-images", "", b""), ("PUT", "fuzz-other", "", b""),
                 ("PUT", "fuzz-images", "disk.raw", b"disk"), ("PUT", "fuzz-images", "a/b/c/", b"")]
        for method, bucket, key, body in setup:
            host = f"{bucket}.oss-cn-hangzhou.aliyuncs.com"
            date = oss_wire.http_date(time.time())
            headers = {"host": host, "date": date, "content-length": str(len(body))}
            req = oss_wire.decode(HttpRequest(method, f"https://{host}/{key}", headers, body))
            headers["authorization"] = f"OSS {AK}:{oss_wire.v1_signature(oss_wire.v1_string_to_sign(req, date), SK)}"
            assert mock.engine.handle(HttpRequest(method, f"https://{host}/{key}", headers, body)).status == 200
        found, statuses = [], set()
        for _ in range(700):
            method, url, headers, body = oss_request(rng)
            response = mock.engine.handle(HttpRequest(method, url, headers, body))
            statuses.add(response.status)
            payload = response.body if isinstance(response.body, bytes) else b""
            problem = check(method, response.status, response.headers, payload)
            if problem:
                found.append((problem, method, url[:160], dict(headers), body[:60], payload[:300]))
        assert not found, found[:5]
        assert {200, 403, 404} <= statuses  # (the generator reaches the handlers, not only the signature check)


def test_check_finds_what_it_must():
    assert check("GET", 500, {"x-oss-request-id": "r"}, b"") == "status 500"
    assert check("GET", 200, {}, b"") == "no x-oss-request-id"
    assert check("GET", 404, {"x-oss-request-id": "r"}, b"<Error>") == "unparseable error document"
    assert check("GET", 404, {"x-oss-request-id": "r"},
                 b"<Error><Code>NoSuchKey</Code><RequestId>other</RequestId></Error>") is not None
    assert check("HEAD", 404, {"x-oss-request-id": "r"}, b"") is None


@pytest.mark.parametrize("label", ["a_b", "-a", "x.y"])
def test_a_bucket_label_oss_refuses_is_oss_s_answer(label):
    """A host naming a bucket OSS cannot have is still OSS's: InvalidBucketName, not another product's error."""
    host = f"{label}.oss-cn-hangzhou.aliyuncs.com"
    with MockECS(strict_signatures=True) as mock:
        mock.engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
        date = oss_wire.http_date(time.time())
        headers = {"host": host, "date": date}
        req = oss_wire.decode(HttpRequest("GET", f"https://{host}/disk.raw", headers))
        headers["authorization"] = f"OSS {AK}:{oss_wire.v1_signature(oss_wire.v1_string_to_sign(req, date), SK)}"
        response = mock.engine.handle(HttpRequest("GET", f"https://{host}/disk.raw", headers))
    root = ElementTree.fromstring(response.body)
    assert (response.status, root.findtext("Code")) == (400, "InvalidBucketName")
    assert root.findtext("RequestId") == response.headers["x-oss-request-id"]

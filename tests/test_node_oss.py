"""Node's OSS SDK ``ali-oss``, unchanged, with ``mockecs server`` as its endpoint (``tests/node/oss_flow.js``):
objects put, read, ranged, copied, listed (v1 with a delimiter, v2 paged by its continuation token), a disk image
uploaded in parts, a signed URL fetched through the server as an HTTP proxy, OSS's refusals; V1 and V4 signatures,
every one verified. Then the Python ECS SDK imports the disk ali-oss uploaded, through the same server.

Needs ``node`` and ``tests/node/node_modules`` (``bash tests/node/install.sh``); skips without them.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.core import Config, Engine
from mockecs.modes.clients import server_client
from mockecs.modes.server import ServerThread
from mockecs.wire import crc64
from tests.sdk import DEFAULT_ACCOUNT
from tests.test_node_sdk import NODE, NODE_DIR

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "ali-oss")),
                       reason="ali-oss is missing: run tests/node/install.sh"),
]
AK, SK = "LTAI-node-oss", "node-oss-secret"


@pytest.fixture(scope="module")
def served():
    engine = Engine(Config(strict_signatures=True))
    engine.accounts.add_key(DEFAULT_ACCOUNT, AK, SK)
    with ServerThread(engine=engine) as srv:
        yield srv


def run_flow(srv, bucket: str, disk: str, v4: bool) -> dict:
    config = {"endpoint": srv.url, "accessKeyId": AK, "accessKeySecret": SK, "bucket": bucket, "v4": v4,
              "disk": disk}
    proc = subprocess.run([NODE, "oss_flow.js", json.dumps(config)], capture_output=True, text=True, timeout=120,
                          cwd=NODE_DIR)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("v4", [False, True], ids=["v1", "v4"])
def test_ali_oss_flow_then_import_the_disk(served, tmp_path, v4):
    bucket = f"node-builds-{'v4' if v4 else 'v1'}"
    data = os.urandom(601 * 512)  # whole sectors, in four parts of 100 KiB
    disk = tmp_path / "disk.raw"
    disk.write_bytes(data)
    first = len(served.engine.calls)
    seen = run_flow(served, bucket, str(disk), v4)
    md5 = hashlib.md5(b"a small object").hexdigest().upper()
    assert seen["putBucket"] == 200
    assert seen["putSmall"]["status"] == 200 and seen["putSmall"]["etag"] == f'"{md5}"'
    assert seen["get"] == {"status": 200, "body": "a small object", "type": "text/plain", "meta": "42"}
    assert seen["head"] == {"status": 200, "length": 14, "meta": {"build": "42"}}
    assert seen["range"] == {"status": 206, "body": "small"}
    assert seen["multipart"]["status"] == 200 and seen["multipart"]["etag"].endswith('-4"')
    assert seen["multipartBack"] == {"same": True, "length": len(data), "crc": str(crc64.crc64(data))}
    assert seen["copy"] == 200
    assert seen["list"] == {"keys": ["builds/copy.raw", "builds/disk.raw"], "prefixes": ["builds/extra/"],
                            "sizes": [len(data), len(data)]}
    assert seen["listV2"] == {"first": ["builds/copy.raw"], "truncated": True,
                              "rest": ["builds/disk.raw", "builds/extra/log.txt"]}
    assert seen["presignedUrl"].startswith(f"http://{bucket}.oss-cn-hangzhou.aliyuncs.com/notes/readme.txt?")
    assert seen["presigned"] == {"status": 200, "body": "a small object"}
    for name, status, code in (("noSuchKey", 404, "NoSuchKey"), ("noSuchBucket", 404, "NoSuchBucket"),
                               ("badSecret", 403, "SignatureDoesNotMatch"), ("afterDelete", 404, "NoSuchKey")):
        assert (seen[name]["status"], seen[name]["code"]) == (status, code), name
        assert seen[name]["requestId"], name  # (ali-oss reads it from the answer: x-oss-request-id or the XML)
    assert seen["bucketExists"] is None  # [GUESS, the fake's choice] creating one's own bucket again succeeds
    assert seen["deleteMulti"] == {"status": 200, "deleted": ["builds/copy.raw", "builds/extra/log.txt"]}
    calls = served.engine.calls[first:]
    refused = {c.error_code for c in calls if c.status >= 400}
    assert refused == {"NoSuchKey", "NoSuchBucket", "SignatureDoesNotMatch"}  # every other call verified and served
    assert {"InitiateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "CopyObject", "ListObjectsV2",
            "DeleteMultipleObjects"} <= {c.action for c in calls}

    [stored] = [o for o in served.engine.oss.objects("cn-hangzhou", bucket) if o.get("size") == len(data)]
    parts = [data[n:n + 100 * 1024] for n in range(0, len(data), 100 * 1024)]
    etag = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest().upper() + "-4"
    assert (stored["name"], stored["type"], stored["crc64"], stored["etag"]) == \
        ("builds/disk.raw", "Multipart", str(crc64.crc64(data)), etag)  # (as OSS forms a multipart ETag)
    ecs = server_client(served.url, AK, SK)
    mapping = models.ImportImageRequestDiskDeviceMapping(ossbucket=bucket, ossobject="builds/disk.raw", format="RAW")
    image_id = ecs.import_image(models.ImportImageRequest(region_id="cn-hangzhou", image_name=f"from-node-{int(v4)}",
                                                          disk_device_mapping=[mapping])).body.image_id
    found = ecs.describe_images(models.DescribeImagesRequest(region_id="cn-hangzhou", image_id=image_id,
                                                             status="Creating,Available")).body.images.image
    assert [i.image_name for i in found] == [f"from-node-{int(v4)}"]

"""OSS's object API, the part an image pipeline uses: buckets, objects, listings, multipart uploads.

The world is :mod:`mockecs.world.oss` (``engine.oss``), the registry ImportImage reads and ExportImage writes: an
object uploaded here is what ImportImage finds, an exported one is downloadable here. :func:`route` names a
request's action from its method, bucket, key and sub-resource; :func:`prepare` reads its body once, before the
store transaction; each handler answers a :class:`Reply`. A bucket belongs to the account that made it; its ACL and
its objects' ACLs (canned: ``private``, ``public-read``, ``public-read-write``; an object's ``default``: its bucket's)
let other accounts and anonymous requests read or write objects and list them (no bucket policies or RAM policies
are modelled); names are global, and a bucket is addressed at its own region's endpoint. A bucket's settings (CORS,
lifecycle, website, policy ...) are :mod:`mockecs.ops.oss_bucket`'s handlers, which join :data:`OPERATIONS` when it
is imported (the engine imports both).
"""
from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import field
from typing import Any, Callable, Optional, Union
from urllib.parse import quote, unquote

from mockecs.ops.registry import Context
from mockecs.wire.crc64 import combine
from mockecs.wire.oss import (
    ANONYMOUS_FORBIDDEN,
    OssRequest,
    Payload,
    Stream,
    digest,
    element,
    http_date,
    iso,
    oss_error_kind,
    xml,
)
from mockecs.wire.records import record
from mockecs.world import ids, resource_groups
from mockecs.world import oss as world
from mockecs.world.oss import crc_of, etag_of

# [GUESS] one EC per cause for every operation (OSS's documented examples: NoSuchBucket 0015-00000101,
# NoSuchKey 0026-00000001, the bucket ACL's AccessDenied 0003-00000001).
NO_SUCH_BUCKET = oss_error_kind("NoSuchBucket", "The specified bucket does not exist.", 404, "0015-00000101")
NO_SUCH_KEY = oss_error_kind("NoSuchKey", "The specified key does not exist.", 404, "0026-00000001")
NO_SUCH_UPLOAD = oss_error_kind("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, "
                                "or the upload may have been aborted or completed.", 404)
ACCESS_DENIED = oss_error_kind("AccessDenied", "You have no right to access this object because of bucket acl.", 403,
                               "0003-00000001")
WRONG_ENDPOINT = oss_error_kind("AccessDenied", "The bucket you are attempting to access must be addressed using the "
                                "specified endpoint. Please send all future requests to this endpoint.", 403)
BUCKET_NOT_EMPTY = oss_error_kind("BucketNotEmpty", "The bucket you tried to delete is not empty.", 409)
BUCKET_EXISTS = oss_error_kind("BucketAlreadyExists", "The requested bucket name is not available. The bucket "
                               "namespace is shared by all users of the system. Please select a different name and "
                               "try again.", 409)
INVALID_BUCKET = oss_error_kind("InvalidBucketName", "The specified bucket is not valid.", 400)
INVALID_OBJECT = oss_error_kind("InvalidObjectName", "The specified object is not valid.", 400)
INVALID_DIGEST = oss_error_kind("InvalidDigest", "The Content-MD5 you specified was invalid.", 400)
BAD_DIGEST = oss_error_kind("BadDigest", "The Content-MD5 you specified did not match what we received.", 400)
MALFORMED_XML = oss_error_kind("MalformedXML", "The XML you provided was not well-formed or did not validate "
                               "against our published schema.", 400)
INVALID_PART = oss_error_kind("InvalidPart", "One or more of the specified parts could not be found or the "
                              "specified entity tag might not have matched the part's entity tag.", 400)
INVALID_PART_ORDER = oss_error_kind("InvalidPartOrder", "The list of parts was not in ascending order. The parts "
                                    "list must be specified in order by part number.", 400)
TOO_SMALL = oss_error_kind("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.", 400)
TOO_LARGE = oss_error_kind("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", 400)
INVALID_RANGE = oss_error_kind("InvalidRange", "The requested range cannot be satisfied", 416)
INVALID_ARGUMENT = oss_error_kind("InvalidArgument", "The argument is invalid.", 400)
EXISTS = oss_error_kind("FileAlreadyExists", "The object you specified already exists and can not be overwritten.",
                        409)
PRECONDITION = oss_error_kind("PreconditionFailed", "At least one of the pre-conditions you specified did not hold.",
                              412)
ARCHIVED = oss_error_kind("InvalidObjectState", "The operation is not valid for the object's state", 403)
NOT_ALLOWED = oss_error_kind("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
NOT_FAKED = oss_error_kind("NotImplemented", "mockecs fakes OSS's object API (objects, listings, multipart "
                           "uploads, buckets and their settings), not this request.", 501)
BAD_ALGORITHM = oss_error_kind("InvalidEncryptionAlgorithmError", "The Encryption request you specified is not "
                               "valid. Supported value: AES256/KMS/SM4", 400, "0005-00000003")
KMS_KEY_NOT_APPLICABLE = oss_error_kind("InvalidArgument", "KMSMasterKeyID is not applicable if the default sse "
                                        "algorithm is not KMS.", 400)
BAD_RESOURCE_GROUP = oss_error_kind("InvalidArgument", "The resource group id is invalid.", 400)
INVALID_BUCKET_ACL = oss_error_kind("InvalidArgument", "no such bucket access control exists", 400)
# [GUESS] the object's words as the bucket's (OSS documents the EC of a missing or empty x-oss-object-acl only)
INVALID_OBJECT_ACL = oss_error_kind("InvalidArgument", "no such object access control exists", 400, "0017-00000105")
# [GUESS] x-oss-tagging not "k=v&k2=v2": InvalidArgument (OSS documents the EC, 0010-00000219, not the code)
INVALID_TAGGING = oss_error_kind("InvalidArgument", "The tagging header is not in the key=value&key2=value2 format.",
                                 400, "0010-00000219")
# [GUESS] a tag over OSS's documented limits (10 per object, unique keys of 1-128 bytes, values up to 256): S3's code
INVALID_TAG = oss_error_kind("InvalidTag", "The tag you have provided is invalid.", 400)
NOT_KEPT = oss_error_kind("NotImplemented", "mockecs kept this object's size, ETag and CRC-64 but not its bytes "
                          "(larger than the option oss_keep_bytes, or beyond oss_keep_total): raise them, or set "
                          "oss_unkept_reads=zeros.", 501)

_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
MAX_PUT = 5 * 1024 ** 3  # PutObject and a part: 5 GiB
MIN_PART = 100 * 1024  # every part but the last
MAX_KEYS = 1000
BUCKET_ACLS = ("private", "public-read", "public-read-write")
SSE_ALGORITHMS = ("AES256", "KMS", "SM4")
OBJECT_ACLS = ("default", *BUCKET_ACLS)
MAX_TAGS, MAX_TAG_KEY, MAX_TAG_VALUE = 10, 128, 256
STREAMED = 1 << 20  # zeros longer than this are answered as a stream, not one bytes object


@record
class Reply:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: Union[bytes, Stream] = b""
    content_type: Optional[str] = None


Handler = Callable[[Context, OssRequest, Any], Reply]
# A bucket's settings (mockecs.ops.oss_bucket): sub-resource -> method -> action.
BUCKET_SETTINGS: dict[str, dict[str, str]] = {
    sub: {method: f"{verb}Bucket{name}" for method, verb in (("PUT", "Put"), ("GET", "Get"), ("DELETE", "Delete"))
          if method in methods}
    for sub, name, methods in (
        ("cors", "Cors", "PUT GET DELETE"), ("lifecycle", "Lifecycle", "PUT GET DELETE"),
        ("website", "Website", "PUT GET DELETE"), ("logging", "Logging", "PUT GET DELETE"),
        ("referer", "Referer", "PUT GET"), ("encryption", "Encryption", "PUT GET DELETE"),
        ("policy", "Policy", "PUT GET DELETE"), ("tagging", "Tags", "PUT GET DELETE"),
        ("transferAcceleration", "TransferAcceleration", "PUT GET"), ("accessmonitor", "AccessMonitor", "PUT GET"),
        ("resourceGroup", "ResourceGroup", "PUT GET"))
}
OPERATIONS: dict[str, Handler] = {}
_BODY_ACTIONS = ("PutObject", "UploadPart")


def _op(action: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPERATIONS[action] = handler
        return handler
    return register


# Other sub-resources of a bucket: not the bucket itself (a DELETE of one must not delete the bucket).
_UNFAKED_BUCKET_SUBRESOURCES = (
    "acl", "versioning", "versions", "worm", "inventory", "replication", "replicationProgress", "replicationLocation",
    "cname", "qos", "qosInfo", "stat", "requestPayment", "metaQuery", "rtc", "style", "httpsConfig", "accessPoint",
    "publicAccessBlock", "bucketArchiveDirectRead", "redundancyTransition", "callbackPolicy", "objectInfo",
    "regionList", "live", "comp", "asyncFetch", "wormId", "wormExtend", "resourcePool", "requesterQosInfo")


def route(req: OssRequest) -> str:
    """The action ``req`` asks for (raise for one the fake lacks)."""
    method, q = req.method, req.query
    if not req.bucket:
        if method == "GET":
            return "ListBuckets"
        raise NOT_ALLOWED(Method=method, ResourceType="Service")
    if method == "OPTIONS":  # a browser's CORS preflight, of an object or the bucket (mockecs.ops.oss_bucket)
        return "OptionObject"
    if not req.key:
        actions = {"PUT": "PutBucket", "DELETE": "DeleteBucket", "GET": "ListObjects", "HEAD": "GetBucketInfo"}
        if "acl" in q and method in ("GET", "PUT"):
            return "GetBucketAcl" if method == "GET" else "PutBucketAcl"
        if method == "GET":
            for sub, action in (("bucketInfo", "GetBucketInfo"), ("location", "GetBucketLocation"),
                                ("uploads", "ListMultipartUploads"), ("versioning", "GetBucketVersioning"),
                                ("versions", "ListObjectVersions")):
                if sub in q:
                    return action
            if q.get("list-type") == "2":
                return "ListObjectsV2"
        if method == "POST" and "delete" in q:
            return "DeleteMultipleObjects"
        for sub, methods in BUCKET_SETTINGS.items():
            if sub in q:
                if method in methods:
                    return methods[method]
                # [GUESS] another method on a setting's sub-resource (DELETE ?referer): as on an object's
                raise NOT_ALLOWED(Method=method, ResourceType="Bucket")
        if method in actions and not any(k in q for k in _UNFAKED_BUCKET_SUBRESOURCES):
            return actions[method]
        raise NOT_FAKED()
    if "uploadId" in q:
        actions = {"PUT": "UploadPart", "GET": "ListParts", "DELETE": "AbortMultipartUpload",
                   "POST": "CompleteMultipartUpload"}
        if method in actions and not (method == "PUT" and "x-oss-copy-source" in req.headers):
            return actions[method]
        raise NOT_FAKED()
    if any(k in q for k in ("symlink", "restore", "append", "x-oss-process", "versionId")):
        raise NOT_FAKED()
    for sub, actions in (("acl", {"GET": "GetObjectAcl", "PUT": "PutObjectAcl"}),
                         ("tagging", {"GET": "GetObjectTagging", "PUT": "PutObjectTagging",
                                      "DELETE": "DeleteObjectTagging"})):
        if sub in q:
            if method in actions:
                return actions[method]
            raise NOT_ALLOWED(Method=method, ResourceType="Object")
    if method == "POST" and "uploads" in q:
        return "InitiateMultipartUpload"
    if method == "HEAD":
        return "GetObjectMeta" if "objectMeta" in q else "HeadObject"
    actions = {"PUT": "CopyObject" if "x-oss-copy-source" in req.headers else "PutObject", "GET": "GetObject",
               "DELETE": "DeleteObject"}
    if method in actions:
        return actions[method]
    raise NOT_ALLOWED(Method=method, ResourceType="Object")


def prepare(req: OssRequest, action: str, keep: int) -> Union[Payload, bytes]:
    """The body, read once before the transaction: hashed in chunks (kept up to ``keep`` bytes) for an upload,
    whole for the small XML documents of the other actions."""
    if action in _BODY_ACTIONS:
        length = req.header("content-length")
        if length.isdigit() and int(length) > MAX_PUT:
            raise TOO_LARGE()
        return digest(req.body, keep)
    body = req.body
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    payload = digest(body, 1 << 24)  # (a streamed XML document: small)
    return payload.data or b""


# -- helpers ----------------------------------------------------------------------------------------------------------
def _registry(ctx: Context) -> world.Oss:
    return world.registry(ctx.engine)


def _check_name(req: OssRequest) -> None:
    if not _BUCKET.fullmatch(req.bucket):
        raise INVALID_BUCKET(BucketName=req.bucket)
    if req.key and (len(req.key.encode("utf-8")) > 1023 or req.key[0] in "/\\"):
        raise INVALID_OBJECT()


def _bucket(ctx: Context, req: OssRequest, need: str = "") -> dict:
    """The addressed bucket, at its region's endpoint: the caller's, or (``need`` ``read`` / ``write``) one whose
    ACL grants that to anyone; ``need`` ``object``: the object's ACL decides (:func:`_readable`)."""
    _check_name(req)
    found = _registry(ctx).find_bucket(req.bucket, txn=ctx.txn)
    if found is None:
        raise NO_SUCH_BUCKET(BucketName=req.bucket)
    if req.region and found["region"] != req.region:
        raise WRONG_ENDPOINT(Bucket=req.bucket, Endpoint=f"oss-{found['region']}.aliyuncs.com")
    if str(found["owner"]) != ctx.account and need != "object" and not (need and _grants(found.get("acl"), need)):
        raise ACCESS_DENIED()
    return found


def _grants(acl: Optional[str], need: str) -> bool:
    """Whether a canned ACL lets anyone (another account, an anonymous request) ``read`` or ``write``."""
    return acl == "public-read-write" or (acl == "public-read" and need == "read")


def _object(ctx: Context, req: OssRequest, bucket: dict) -> dict:
    found = _registry(ctx).get_object(bucket["region"], req.bucket, req.key, txn=ctx.txn)
    if found is None:
        raise NO_SUCH_KEY(Key=req.key)
    return found


def _readable(ctx: Context, req: OssRequest) -> dict:
    """The addressed object, read by its bucket's owner or, as its ACL (``default``: its bucket's) lets anyone read
    it, by anyone; another caller learns nothing of an object it may not read (AccessDenied, not NoSuchKey)."""
    bucket = _bucket(ctx, req, "object")
    found = _registry(ctx).get_object(bucket["region"], req.bucket, req.key, txn=ctx.txn)
    if str(bucket["owner"]) != ctx.account:
        acl = (found or {}).get("acl") or "default"
        if not _grants(bucket.get("acl") if acl == "default" else acl, "read"):
            raise ACCESS_DENIED()
    if found is None:
        raise NO_SUCH_KEY(Key=req.key)
    return found


def _writable(ctx: Context, req: OssRequest) -> dict:
    """The bucket of an object to write (PutObject, DeleteObject): its owner's, or one whose ACL lets anyone
    write, or an existing object whose own ACL does."""
    bucket = _bucket(ctx, req, "object")
    if str(bucket["owner"]) != ctx.account and not _grants(bucket.get("acl"), "write"):
        found = _registry(ctx).get_object(bucket["region"], req.bucket, req.key, txn=ctx.txn)
        if found is None or found.get("acl") != "public-read-write":
            raise ACCESS_DENIED()
    return bucket


def _acl_header(req: OssRequest, name: str, allowed: tuple[str, ...]) -> Optional[str]:
    """A canned ACL header's value (None when absent), refused unless one of ``allowed``."""
    if name not in req.headers:
        return None
    value = req.header(name).strip()
    if value not in allowed:
        raise (INVALID_BUCKET_ACL if name == "x-oss-acl" else INVALID_OBJECT_ACL)(
            ArgumentName=name, ArgumentValue=value)
    return value


def _tag_pairs(tagging: ElementTree.Element) -> list[tuple[str, str]]:
    """A ``<Tagging>`` document's (key, value) pairs, in order (an object's or a bucket's): MalformedXML without
    its TagSet or with a Tag without Key."""
    tag_set = tagging.find("TagSet")
    if tag_set is None:
        raise MALFORMED_XML()
    pairs = []
    for tag in tag_set.findall("Tag"):
        if tag.find("Key") is None:
            raise MALFORMED_XML()
        pairs.append((tag.findtext("Key") or "", tag.findtext("Value") or ""))
    return pairs


def _check_tags(tags: list[tuple[str, str]], limits: tuple[int, int, int] = (MAX_TAGS, MAX_TAG_KEY, MAX_TAG_VALUE)
                ) -> dict[str, str]:
    """Tags within ``limits`` (how many, key bytes, value bytes: an object's by default), keys unique."""
    most, key_bytes, value_bytes = limits
    if len(tags) > most:
        raise INVALID_TAG(TagCount=str(len(tags)))
    out: dict[str, str] = {}
    for key, value in tags:
        if not key or len(key.encode("utf-8")) > key_bytes or len(value.encode("utf-8")) > value_bytes \
                or key in out:
            raise INVALID_TAG(TagKey=key)
        out[key] = value
    return out


def _tagging_header(req: OssRequest) -> dict[str, str]:
    """``x-oss-tagging`` (``k1=v1&k2``, URL-encoded): the tags an upload sets."""
    text = req.header("x-oss-tagging")
    if not text:
        return {}
    tags = []
    for pair in text.split("&"):
        parts = pair.split("=")
        if len(parts) > 2 or not parts[0]:
            raise INVALID_TAGGING(**{"x-oss-tagging": text})
        tags.append((unquote(parts[0]), unquote(parts[1]) if len(parts) == 2 else ""))
    return _check_tags(tags)


def _meta(req: OssRequest) -> dict[str, str]:
    return {k: v for k, v in req.headers.items() if k.startswith("x-oss-meta-")}


def _check_md5(req: OssRequest, md5: bytes) -> None:
    sent = req.header("content-md5")
    if not sent:
        return
    try:
        decoded = base64.b64decode(sent, validate=True)
    except ValueError:
        raise INVALID_DIGEST(**{"Content-MD5": sent}) from None
    if len(decoded) != 16:
        raise INVALID_DIGEST(**{"Content-MD5": sent})
    if decoded != md5:
        raise BAD_DIGEST(ExpectedMD5=sent, CalculatedMD5=base64.b64encode(md5).decode())


def _quoted(etag: str) -> str:
    return f'"{etag}"'


def _object_headers(record: dict) -> dict[str, str]:
    headers = {"ETag": _quoted(etag_of(record)), "Last-Modified": http_date(_modified(record)),
               "x-oss-object-type": record.get("type") or "Normal",
               "x-oss-hash-crc64ecma": str(crc_of(record)),
               "x-oss-storage-class": record.get("storage_class") or "Standard", "Accept-Ranges": "bytes"}
    if record.get("tags"):
        headers["x-oss-tagging-count"] = str(len(record["tags"]))
    headers.update(record.get("meta") or {})
    return headers


def _modified(record: dict) -> float:
    return float(record.get("modified") or 0) or 1.7e9


def _encode(text: str, encoded: bool) -> str:
    return quote(text, safe="/") if encoded else text


def _parse_xml(body: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise MALFORMED_XML() from None


def _owner(account: str) -> str:
    return f"<Owner>{element('ID', account)}{element('DisplayName', account)}</Owner>"


# -- service and buckets ----------------------------------------------------------------------------------------------
@_op("ListBuckets")
def list_buckets(ctx: Context, req: OssRequest, body: Any) -> Reply:
    if not ctx.account:
        raise ANONYMOUS_FORBIDDEN()
    q = req.query
    prefix, marker = q.get("prefix", ""), q.get("marker", "")
    limit = _max_keys(q)
    buckets = [b for b in _registry(ctx).buckets_of(ctx.account, txn=ctx.txn)
               if b["bucket"].startswith(prefix) and b["bucket"] > marker]
    page, truncated = buckets[:limit], len(buckets) > limit
    items = "".join(
        "<Bucket>" + element("CreationDate", iso(float(b.get("created") or 0)))
        + element("ExtranetEndpoint", f"oss-{b['region']}.aliyuncs.com")
        + element("IntranetEndpoint", f"oss-{b['region']}-internal.aliyuncs.com")
        + element("Location", f"oss-{b['region']}") + element("Name", b["bucket"]) + element("Region", b["region"])
        + element("StorageClass", b.get("storage_class") or "Standard") + "</Bucket>" for b in page)
    head = element("Prefix", prefix) + element("Marker", marker) + element("MaxKeys", limit) \
        + element("IsTruncated", truncated) + (element("NextMarker", page[-1]["bucket"]) if truncated else "")
    return Reply(body=xml("ListAllMyBucketsResult", (head if q else "") + _owner(ctx.account)
                          + f"<Buckets>{items}</Buckets>"), content_type="application/xml")


@_op("PutBucket")
def put_bucket(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    if not ctx.account:
        raise ANONYMOUS_FORBIDDEN()
    _check_name(req)
    acl = _acl_header(req, "x-oss-acl", BUCKET_ACLS)
    found = _registry(ctx).find_bucket(req.bucket, txn=ctx.txn)
    if found is not None:
        if str(found["owner"]) != ctx.account or (req.region and found["region"] != req.region):
            raise BUCKET_EXISTS(BucketName=req.bucket)
        if acl is not None:  # (OSS: one's own bucket made again takes the ACL asked for)
            _registry(ctx).update_bucket(found, ctx.txn, acl=acl)
        return Reply()  # [GUESS] creating one's own bucket again succeeds and changes nothing else
    storage_class, redundancy = "Standard", "LRS"
    if body.strip():
        root = _parse_xml(body)
        storage_class = (root.findtext("StorageClass") or "Standard").strip()
        if storage_class not in ("Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive"):
            raise INVALID_ARGUMENT(ArgumentName="StorageClass", ArgumentValue=storage_class)
        redundancy = (root.findtext("DataRedundancyType") or "LRS").strip()
        if redundancy not in ("LRS", "ZRS"):
            raise INVALID_ARGUMENT(ArgumentName="DataRedundancyType", ArgumentValue=redundancy)
    settings = _create_settings(ctx, req)
    if acl is not None and acl != "private":
        settings["acl"] = acl
    if redundancy != "LRS":
        settings["redundancy"] = redundancy
    made = _registry(ctx).create_bucket(req.region or ctx.region, req.bucket, ctx.account, txn=ctx.txn,
                                        storage_class=storage_class)
    if settings:
        _registry(ctx).update_bucket(made, ctx.txn, **settings)
    return Reply(headers={"Location": f"/{req.bucket}"})


def sse_settings(algorithm: str, key_id: str, data_encryption: str) -> dict:
    """The bucket fields of a default-encryption rule, checked as OSS checks them (PutBucketEncryption, and
    PutBucket's x-oss-server-side-encryption headers)."""
    if algorithm not in SSE_ALGORITHMS:
        raise BAD_ALGORITHM(SSEAlgorithm=algorithm)
    if key_id and algorithm != "KMS":
        raise KMS_KEY_NOT_APPLICABLE(ArgumentName="KMSMasterKeyID", ArgumentValue=key_id)
    if data_encryption and (algorithm != "KMS" or data_encryption != "SM4"):
        raise INVALID_ARGUMENT(ArgumentName="KMSDataEncryption", ArgumentValue=data_encryption)
    return {"encryption": algorithm, "kms_key_id": key_id or None, "kms_data_encryption": data_encryption or None}


def resource_group(ctx: Context, group_id: str) -> Optional[str]:
    """A resource group a bucket joins, checked (None: the account's default group, kept as no field)."""
    if not group_id or not resource_groups.exists(ctx, group_id):
        raise BAD_RESOURCE_GROUP(ArgumentName="ResourceGroupId", ArgumentValue=group_id)
    return None if group_id == resource_groups.default_id(ctx.account) else group_id


def resource_group_of(bucket: dict) -> str:
    return bucket.get("resource_group_id") or resource_groups.default_id(str(bucket["owner"]))



def _create_settings(ctx: Context, req: OssRequest) -> dict:
    """The settings PutBucket's headers give a new bucket: default encryption, resource group (checked before
    anything is written)."""
    settings: dict = {}
    if req.header("x-oss-server-side-encryption"):
        settings.update(sse_settings(req.header("x-oss-server-side-encryption").strip(),
                                                req.header("x-oss-server-side-encryption-key-id").strip(),
                                                req.header("x-oss-server-side-data-encryption").strip()))
    if "x-oss-resource-group-id" in req.headers:
        settings["resource_group_id"] = resource_group(ctx, req.header("x-oss-resource-group-id").strip())
    return {k: v for k, v in settings.items() if v is not None}


def _grant(owner: str, acl: str) -> str:
    return xml("AccessControlPolicy", _owner(owner) + "<AccessControlList>" + element("Grant", acl)
               + "</AccessControlList>").decode()


@_op("GetBucketAcl")
def get_bucket_acl(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    b = _bucket(ctx, req)
    return Reply(body=_grant(str(b["owner"]), b.get("acl") or "private").encode(), content_type="application/xml")


@_op("PutBucketAcl")
def put_bucket_acl(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """OSS: without x-oss-acl nothing changes; a bucket that does not exist is made (PutBucket)."""
    _check_name(req)
    if _registry(ctx).find_bucket(req.bucket, txn=ctx.txn) is None:
        return put_bucket(ctx, req, b"")
    b = _bucket(ctx, req)
    acl = _acl_header(req, "x-oss-acl", BUCKET_ACLS)
    if acl is not None:
        _registry(ctx).update_bucket(b, ctx.txn, acl=acl)
    return Reply()


@_op("GetBucketVersioning")
def get_bucket_versioning(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """Status as stored: absent for a bucket versioning was never enabled on, which is every bucket here
    (PutBucketVersioning is not faked: listings and reads do not keep versions)."""
    b = _bucket(ctx, req)
    status = b.get("versioning") or ""
    return Reply(body=xml("VersioningConfiguration", element("Status", status) if status else ""),
                 content_type="application/xml")


@_op("DeleteBucket")
def delete_bucket(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    registry = _registry(ctx)
    if registry.listing(bucket["region"], req.bucket, limit=1, txn=ctx.txn, bucket_record=bucket)[0] or \
            registry.uploads(bucket["region"], req.bucket, ctx.txn):
        raise BUCKET_NOT_EMPTY(BucketName=req.bucket)
    registry.delete_bucket(bucket["region"], req.bucket, txn=ctx.txn)
    return Reply(status=204)


@_op("GetBucketInfo")
def get_bucket_info(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """The bucket, with the settings its sub-resources hold (:mod:`mockecs.ops.oss_bucket`)."""
    b = _bucket(ctx, req)
    if req.method == "HEAD":
        return Reply()
    region = b["region"]
    sse = element("SSEAlgorithm", b.get("encryption") or "None")
    if b.get("encryption"):
        sse += element("KMSMasterKeyID", b.get("kms_key_id") or "")
        if b.get("kms_data_encryption"):
            sse += element("KMSDataEncryption", b["kms_data_encryption"])
    logging = b.get("logging") or {}
    inner = (element("AccessMonitor", b.get("access_monitor") or "Disabled")
             + element("CreationDate", iso(float(b.get("created") or 0)))
             + element("ExtranetEndpoint", f"oss-{region}.aliyuncs.com")
             + element("IntranetEndpoint", f"oss-{region}-internal.aliyuncs.com")
             + element("Location", f"oss-{region}") + element("StorageClass", b.get("storage_class") or "Standard")
             + element("TransferAcceleration", "Enabled" if b.get("transfer_acceleration") else "Disabled")
             + element("CrossRegionReplication", "Disabled")
             + element("Name", req.bucket) + element("ResourceGroupId", resource_group_of(b))
             + element("DataRedundancyType", b.get("redundancy") or "LRS") + _owner(str(b["owner"]))
             + "<AccessControlList>" + element("Grant", b.get("acl") or "private") + "</AccessControlList>"
             + f"<ServerSideEncryptionRule>{sse}</ServerSideEncryptionRule>"
             + "<BucketPolicy>" + element("LogBucket", logging.get("TargetBucket", ""))
             + element("LogPrefix", logging.get("TargetPrefix", "")) + "</BucketPolicy>")
    return Reply(body=xml("BucketInfo", f"<Bucket>{inner}</Bucket>"), content_type="application/xml")


@_op("GetBucketLocation")
def get_bucket_location(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    b = _bucket(ctx, req)
    return Reply(body=xml("LocationConstraint", f"oss-{b['region']}"), content_type="application/xml")


def _max_keys(q: dict[str, str], name: str = "max-keys", default: int = 100) -> int:
    text = q.get(name, "")
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_KEYS:
        raise INVALID_ARGUMENT(ArgumentName=name, ArgumentValue=text)
    return int(text)


def _listing(ctx: Context, req: OssRequest, after: str) -> tuple[list[tuple[str, Optional[dict]]], bool, str]:
    """The bucket's keys after ``after`` under the prefix, rolled up by the delimiter: (key or common prefix,
    record or None) up to max-keys, whether more follow (:meth:`mockecs.world.oss.Oss.listing`), and the bucket's
    owner (public-read: anyone lists)."""
    bucket = _bucket(ctx, req, "read")
    q = req.query
    delimiter = q.get("delimiter", "")
    if len(delimiter) > 1:
        raise INVALID_ARGUMENT(ArgumentName="delimiter", ArgumentValue=delimiter)
    entries, truncated = _registry(ctx).listing(bucket["region"], req.bucket, q.get("prefix", ""), delimiter, after,
                                                _max_keys(q), ctx.txn, bucket)
    return entries, truncated, str(bucket["owner"])


def _contents(entries: list[tuple[str, Optional[dict]]], encoded: bool, owner: Optional[str]) -> str:
    parts = []
    for name, obj in entries:
        if obj is None:
            parts.append(f"<CommonPrefixes>{element('Prefix', _encode(name, encoded))}</CommonPrefixes>")
            continue
        parts.append("<Contents>" + element("Key", _encode(name, encoded))
                     + element("LastModified", iso(_modified(obj))) + element("ETag", _quoted(etag_of(obj)))
                     + element("Type", obj.get("type") or "Normal") + element("Size", obj["size"])
                     + element("StorageClass", obj.get("storage_class") or "Standard")
                     + (_owner(owner) if owner else "") + "</Contents>")
    return "".join(parts)


@_op("ListObjects")
def list_objects(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    q = req.query
    encoded = q.get("encoding-type") == "url"
    marker = q.get("marker", "")
    entries, truncated, owner = _listing(ctx, req, marker)
    head = (element("Name", req.bucket) + element("Prefix", _encode(q.get("prefix", ""), encoded))
            + element("Marker", _encode(marker, encoded)) + element("MaxKeys", _max_keys(q))
            + element("Delimiter", _encode(q.get("delimiter", ""), encoded)) + element("IsTruncated", truncated)
            + (element("NextMarker", _encode(entries[-1][0], encoded)) if truncated else "")
            + (element("EncodingType", "url") if encoded else ""))
    return Reply(body=xml("ListBucketResult", head + _contents(entries, encoded, owner)),
                 content_type="application/xml")


@_op("ListObjectVersions")
def list_object_versions(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """A bucket's objects as versions: each its only one, ``null`` (versioning is never enabled here), what an
    unversioned bucket answers; Terraform's force_destroy lists and deletes them so."""
    q = req.query
    encoded = q.get("encoding-type") == "url"
    key_marker = q.get("key-marker", "")
    entries, truncated, owner = _listing(ctx, req, key_marker)
    parts = []
    for name, obj in entries:
        if obj is None:
            parts.append(f"<CommonPrefixes>{element('Prefix', _encode(name, encoded))}</CommonPrefixes>")
            continue
        parts.append("<Version>" + element("Key", _encode(name, encoded)) + element("VersionId", "null")
                     + element("IsLatest", True) + element("LastModified", iso(_modified(obj)))
                     + element("ETag", _quoted(etag_of(obj))) + element("Type", obj.get("type") or "Normal")
                     + element("Size", obj["size"]) + element("StorageClass", obj.get("storage_class") or "Standard")
                     + _owner(owner) + "</Version>")
    head = (element("Name", req.bucket) + element("Prefix", _encode(q.get("prefix", ""), encoded))
            + element("KeyMarker", _encode(key_marker, encoded))
            + element("VersionIdMarker", q.get("version-id-marker", "")) + element("MaxKeys", _max_keys(q))
            + element("Delimiter", _encode(q.get("delimiter", ""), encoded)) + element("IsTruncated", truncated)
            + (element("NextKeyMarker", _encode(entries[-1][0], encoded)) + element("NextVersionIdMarker", "null")
               if truncated else "") + (element("EncodingType", "url") if encoded else ""))
    return Reply(body=xml("ListVersionsResult", head + "".join(parts)), content_type="application/xml")


@_op("ListObjectsV2")
def list_objects_v2(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    q = req.query
    encoded = q.get("encoding-type") == "url"
    token = q.get("continuation-token", "")
    try:
        after = base64.urlsafe_b64decode(token.encode()).decode() if token else q.get("start-after", "")
    except ValueError:
        raise INVALID_ARGUMENT(ArgumentName="continuation-token", ArgumentValue=token) from None
    entries, truncated, bucket_owner = _listing(ctx, req, after)
    head = (element("Name", req.bucket) + element("Prefix", _encode(q.get("prefix", ""), encoded))
            + element("MaxKeys", _max_keys(q)) + element("Delimiter", _encode(q.get("delimiter", ""), encoded))
            + element("IsTruncated", truncated)
            + (element("StartAfter", _encode(q["start-after"], encoded)) if "start-after" in q else "")
            + (element("ContinuationToken", token) if token else "")
            + (element("NextContinuationToken", base64.urlsafe_b64encode(entries[-1][0].encode()).decode())
               if truncated else "")
            + (element("EncodingType", "url") if encoded else "") + element("KeyCount", len(entries)))
    owner = bucket_owner if q.get("fetch-owner") == "true" else None
    return Reply(body=xml("ListBucketResult", head + _contents(entries, encoded, owner)),
                 content_type="application/xml")


@_op("DeleteMultipleObjects")
def delete_multiple_objects(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    if not req.header("content-md5"):
        raise INVALID_ARGUMENT(ArgumentName="Content-MD5", ArgumentValue="")
    _check_md5(req, hashlib.md5(body).digest())
    root = _parse_xml(body)
    objects = [(o.findtext("Key") or "", o.find("VersionId")) for o in root.findall("Object")]
    keys = [key for key, _ in objects]
    if root.tag != "Delete" or not keys or len(keys) > MAX_KEYS or not all(keys):
        raise MALFORMED_XML()
    encoded = req.query.get("encoding-type") == "url"
    quiet = (root.findtext("Quiet") or "false").strip().lower() == "true"
    reported = []
    for key, version in objects:
        # An object's only version is "null" (ListObjectVersions); [GUESS] another id names no version: nothing
        # goes, and it is reported deleted as an absent key is.
        if version is None or (version.text or "").strip() in ("", "null"):
            _registry(ctx).delete_object(bucket["region"], req.bucket, key, txn=ctx.txn)
        if not quiet:
            reported.append("<Deleted>" + element("Key", _encode(key, encoded))
                           + (element("VersionId", (version.text or "").strip()) if version is not None else "")
                           + "</Deleted>")
    return Reply(body=xml("DeleteResult", "".join(reported) + (element("EncodingType", "url") if encoded else "")),
                 content_type="application/xml")


# -- objects ----------------------------------------------------------------------------------------------------------
def _content_type(req: OssRequest) -> str:
    return req.header("content-type") or "application/octet-stream"


def _overwrite_check(ctx: Context, req: OssRequest, bucket: dict) -> None:
    if req.header("x-oss-forbid-overwrite").lower() == "true" and \
            _registry(ctx).get_object(bucket["region"], req.bucket, req.key, txn=ctx.txn) is not None:
        raise EXISTS()


def _storage_class(req: OssRequest) -> str:
    return req.header("x-oss-storage-class") or "Standard"


@_op("PutObject")
def put_object(ctx: Context, req: OssRequest, payload: Payload) -> Reply:
    bucket = _writable(ctx, req)
    _check_md5(req, payload.md5)
    acl, tags = _acl_header(req, "x-oss-object-acl", OBJECT_ACLS) or "default", _tagging_header(req)
    _overwrite_check(ctx, req, bucket)
    written = _registry(ctx).store_object(bucket["region"], req.bucket, req.key, payload.size, payload.md5,
                                          payload.crc, payload.data, ctx.txn, _meta(req), _content_type(req),
                                          storage_class=_storage_class(req), acl=acl, tags=tags)
    return Reply(headers={"ETag": _quoted(written["etag"]), "x-oss-hash-crc64ecma": str(payload.crc),
                          "Content-MD5": base64.b64encode(payload.md5).decode()})


@_op("CopyObject")
def copy_object(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    source = req.header("x-oss-copy-source")
    src_bucket, _, src_key = unquote(source).lstrip("/").partition("/")
    src_req = OssRequest(req.method, req.host, src_bucket, src_key, {}, req.headers, b"", "", False, True)
    src_bucket_record = _bucket(ctx, src_req)
    src = _object(ctx, src_req, src_bucket_record)
    acl = _acl_header(req, "x-oss-object-acl", OBJECT_ACLS) or "default"
    replace_tags = req.header("x-oss-tagging-directive").upper() == "REPLACE"
    tags = _tagging_header(req) if replace_tags else dict(src.get("tags") or {})
    _overwrite_check(ctx, req, bucket)
    match = req.header("x-oss-copy-source-if-match")
    if match and match.strip('"') != etag_of(src):
        raise PRECONDITION()
    data = _registry(ctx).content(src, ctx.txn)
    replace = req.header("x-oss-metadata-directive").upper() == "REPLACE"
    meta = _meta(req) if replace else dict(src.get("meta") or {})
    content_type = _content_type(req) if replace else src.get("content_type") or "application/octet-stream"
    written = _registry(ctx).store_object(
        bucket["region"], req.bucket, req.key, int(src["size"]), b"", crc_of(src),
        data if data is not None and src.get("uploaded") else None, ctx.txn, meta, content_type,
        etag=etag_of(src), object_type=src.get("type") or "Normal", storage_class=_storage_class(req),
        made_up=not src.get("uploaded"), acl=acl, tags=tags)  # (a made-up object's copy reads as zeros too)
    return Reply(body=xml("CopyObjectResult", element("ETag", _quoted(etag_of(written)))
                          + element("LastModified", iso(_modified(written)))), content_type="application/xml",
                 headers={"x-oss-hash-crc64ecma": str(crc_of(written))})


def _range(header: str, size: int, standard: bool) -> Optional[tuple[int, int]]:
    """``bytes=a-b``, ``bytes=a-``, ``bytes=-n`` as (first, last); None: answer the whole object (OSS ignores a
    range it cannot satisfy unless ``x-oss-range-behavior: standard``, then 416)."""
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header)
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:
        n = int(last)
        if n == 0:
            return None if not standard else _unsatisfiable(size)
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    if start >= size:
        return _unsatisfiable(size) if standard else None
    if last and int(last) >= size and not standard:
        return None  # [OSS's legacy behaviour] an end beyond the object: the whole object
    return start, end


def _unsatisfiable(size: int) -> Any:
    raise INVALID_RANGE(RangeRequested="", ActualObjectSize=str(size))


def _read(ctx: Context, req: OssRequest) -> tuple[dict, Optional[Reply]]:
    """The addressed object, and the 304 its preconditions answer instead of it (None: read on)."""
    obj = _readable(ctx, req)
    return obj, _preconditions(req, obj)


def _preconditions(req: OssRequest, obj: dict) -> Optional[Reply]:
    etag = etag_of(obj)
    match, none_match = req.header("if-match"), req.header("if-none-match")
    if match and match.strip('"') != etag:
        raise PRECONDITION()
    if none_match and none_match.strip('"') == etag:
        return Reply(status=304, headers=_object_headers(obj))
    return None


@_op("GetObject")
def get_object(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    obj, early = _read(ctx, req)
    if early is not None:
        return early
    if obj.get("storage_class") in ("Archive", "ColdArchive", "DeepColdArchive"):
        raise ARCHIVED()  # (RestoreObject is not faked: an archived object stays unreadable)
    size = int(obj["size"])
    data = _registry(ctx).content(obj, ctx.txn)
    headers = _object_headers(obj)
    if data is None and obj.get("uploaded"):
        if ctx.config.options["oss_unkept_reads"] != "zeros":
            raise NOT_KEPT()
        headers["x-oss-hash-crc64ecma"] = str(crc_of({"size": size}))  # (what it answers: zeros)
    wanted = _range(req.header("range"), size, req.header("x-oss-range-behavior").lower() == "standard") \
        if req.header("range") else None
    first, last = wanted if wanted else (0, size - 1)
    length = max(0, last - first + 1)
    if data is not None:
        content: Union[bytes, Stream] = data[first:last + 1]
    else:
        content = bytes(length) if length <= STREAMED else Stream(length)
    q = req.query
    for name, header in (("response-content-type", "Content-Type"), ("response-content-disposition",
                          "Content-Disposition"), ("response-cache-control", "Cache-Control"),
                         ("response-content-encoding", "Content-Encoding"), ("response-expires", "Expires"),
                         ("response-content-language", "Content-Language")):
        if q.get(name):
            headers[header] = q[name]
    status = 200
    if wanted:
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    content_type = headers.pop("Content-Type", None) or obj.get("content_type") or "application/octet-stream"
    return Reply(status=status, headers=headers, body=content, content_type=content_type)


@_op("HeadObject")
def head_object(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    obj, early = _read(ctx, req)
    if early is not None:
        return early
    headers = {**_object_headers(obj), "Content-Length": str(obj["size"])}
    return Reply(headers=headers, content_type=obj.get("content_type") or "application/octet-stream")


@_op("GetObjectMeta")
def get_object_meta(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    obj = _readable(ctx, req)
    return Reply(headers={"ETag": _quoted(etag_of(obj)), "Content-Length": str(obj["size"]),
                          "Last-Modified": http_date(_modified(obj)),
                          "x-oss-last-access-time": http_date(_modified(obj))})


@_op("DeleteObject")
def delete_object(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _writable(ctx, req)
    _registry(ctx).delete_object(bucket["region"], req.bucket, req.key, txn=ctx.txn)
    return Reply(status=204)


@_op("GetObjectAcl")
def get_object_acl(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    obj = _object(ctx, req, bucket)
    return Reply(body=_grant(str(bucket["owner"]), obj.get("acl") or "default").encode(),
                 content_type="application/xml")


@_op("PutObjectAcl")
def put_object_acl(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    acl = _acl_header(req, "x-oss-object-acl", OBJECT_ACLS)
    if acl is None:
        raise INVALID_OBJECT_ACL(ArgumentName="x-oss-object-acl", ArgumentValue="")
    obj = _object(ctx, req, bucket)
    _registry(ctx).update_object(obj, ctx.txn, acl=None if acl == "default" else acl)
    return Reply()


@_op("GetObjectTagging")
def get_object_tagging(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    obj = _object(ctx, req, _bucket(ctx, req))
    tags = "".join("<Tag>" + element("Key", k) + element("Value", v) + "</Tag>"
                   for k, v in (obj.get("tags") or {}).items())
    return Reply(body=xml("Tagging", f"<TagSet>{tags}</TagSet>"), content_type="application/xml")


@_op("PutObjectTagging")
def put_object_tagging(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """The object's tags replaced (its Last-Modified stays, as OSS documents)."""
    bucket = _bucket(ctx, req)
    root = _parse_xml(body)
    if root.tag != "Tagging":
        raise MALFORMED_XML()
    tags = _check_tags(_tag_pairs(root))
    obj = _object(ctx, req, bucket)
    _registry(ctx).update_object(obj, ctx.txn, tags=tags or None)
    return Reply()


@_op("DeleteObjectTagging")
def delete_object_tagging(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    obj = _object(ctx, req, _bucket(ctx, req))
    _registry(ctx).update_object(obj, ctx.txn, tags=None)
    return Reply(status=204)


# -- multipart uploads ------------------------------------------------------------------------------------------------
def _upload(ctx: Context, req: OssRequest, bucket: dict) -> dict:
    upload_id = req.query.get("uploadId", "")
    found = _registry(ctx).upload(upload_id, ctx.txn) if upload_id else None
    if found is None or found["bucket"] != req.bucket or found["name"] != req.key:
        raise NO_SUCH_UPLOAD(UploadId=upload_id)
    return found


@_op("InitiateMultipartUpload")
def initiate_multipart_upload(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    acl, tags = _acl_header(req, "x-oss-object-acl", OBJECT_ACLS) or "default", _tagging_header(req)
    _overwrite_check(ctx, req, bucket)
    upload_id = ids.source().token_hex(16).upper()  # (the seed setting makes it the same on every run)
    _registry(ctx).start_upload(upload_id, bucket["region"], req.bucket, req.key, ctx.txn, _meta(req),
                                _content_type(req), _storage_class(req), acl, tags)
    encoded = req.query.get("encoding-type") == "url"
    return Reply(body=xml("InitiateMultipartUploadResult",
                          element("Bucket", req.bucket) + element("Key", _encode(req.key, encoded))
                          + element("UploadId", upload_id) + (element("EncodingType", "url") if encoded else "")),
                 content_type="application/xml")


@_op("UploadPart")
def upload_part(ctx: Context, req: OssRequest, payload: Payload) -> Reply:
    bucket = _bucket(ctx, req)
    upload = _upload(ctx, req, bucket)
    number = req.query.get("partNumber", "")
    if not number.isdigit() or not 1 <= int(number) <= 10000:
        raise INVALID_ARGUMENT(ArgumentName="partNumber", ArgumentValue=number)
    _check_md5(req, payload.md5)
    part = _registry(ctx).put_part(upload["upload_id"], int(number), payload.size, payload.md5, payload.crc,
                                   payload.data, ctx.txn)
    return Reply(headers={"ETag": _quoted(part["etag"]), "x-oss-hash-crc64ecma": str(payload.crc),
                          "Content-MD5": base64.b64encode(payload.md5).decode()})


@_op("ListParts")
def list_parts(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    upload = _upload(ctx, req, bucket)
    q = req.query
    marker = q.get("part-number-marker") or "0"
    if not marker.isdigit():
        raise INVALID_ARGUMENT(ArgumentName="part-number-marker", ArgumentValue=marker)
    limit = _max_keys(q, "max-parts", 1000)
    parts = [p for p in _registry(ctx).parts(upload["upload_id"], ctx.txn) if p["number"] > int(marker)]
    page, truncated = parts[:limit], len(parts) > limit
    items = "".join("<Part>" + element("PartNumber", p["number"]) + element("LastModified", iso(p["modified"]))
                    + element("ETag", _quoted(p["etag"])) + element("HashCrc64ecma", p["crc64"])
                    + element("Size", p["size"]) + "</Part>" for p in page)
    head = (element("Bucket", req.bucket) + element("Key", req.key) + element("UploadId", upload["upload_id"])
            + element("PartNumberMarker", int(marker))
            + element("NextPartNumberMarker", page[-1]["number"] if page else 0) + element("MaxParts", limit)
            + element("IsTruncated", truncated))
    return Reply(body=xml("ListPartsResult", head + items), content_type="application/xml")


@_op("ListMultipartUploads")
def list_multipart_uploads(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    q = req.query
    prefix, limit = q.get("prefix", ""), _max_keys(q, "max-uploads", 1000)
    key_marker = q.get("key-marker", "")
    uploads = [u for u in _registry(ctx).uploads(bucket["region"], req.bucket, ctx.txn)
               if u["name"].startswith(prefix) and u["name"] > key_marker]
    page, truncated = uploads[:limit], len(uploads) > limit
    encoded = q.get("encoding-type") == "url"
    items = "".join("<Upload>" + element("Key", _encode(u["name"], encoded)) + element("UploadId", u["upload_id"])
                    + element("Initiated", iso(u["created"])) + "</Upload>" for u in page)
    head = (element("Bucket", req.bucket) + element("KeyMarker", key_marker) + element("UploadIdMarker", "")
            + element("NextKeyMarker", page[-1]["name"] if truncated else "")
            + element("NextUploadIdMarker", page[-1]["upload_id"] if truncated else "")
            + element("Delimiter", "") + element("Prefix", prefix) + element("MaxUploads", limit)
            + element("IsTruncated", truncated) + (element("EncodingType", "url") if encoded else ""))
    return Reply(body=xml("ListMultipartUploadsResult", head + items), content_type="application/xml")


@_op("AbortMultipartUpload")
def abort_multipart_upload(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    upload = _upload(ctx, req, bucket)
    _registry(ctx).abort_upload(upload["upload_id"], ctx.txn)
    return Reply(status=204)


def _chosen_parts(req: OssRequest, body: bytes, stored: dict[int, dict]) -> list[dict]:
    if req.header("x-oss-complete-all").lower() == "yes":
        if body.strip():
            raise INVALID_ARGUMENT(ArgumentName="x-oss-complete-all", ArgumentValue="yes")
        return [stored[n] for n in sorted(stored)]
    root = _parse_xml(body)
    if root.tag != "CompleteMultipartUpload" or not root.findall("Part"):
        raise MALFORMED_XML()
    chosen, previous = [], 0
    for item in root.findall("Part"):
        number, etag = (item.findtext("PartNumber") or "").strip(), (item.findtext("ETag") or "").strip()
        if not number.isdigit():
            raise MALFORMED_XML()
        if int(number) <= previous:
            raise INVALID_PART_ORDER()
        previous = int(number)
        part = stored.get(int(number))
        if part is None or etag.strip('"').upper() != part["etag"]:
            raise INVALID_PART()
        chosen.append(part)
    return chosen


@_op("CompleteMultipartUpload")
def complete_multipart_upload(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _bucket(ctx, req)
    upload = _upload(ctx, req, bucket)
    registry = _registry(ctx)
    stored = {p["number"]: p for p in registry.parts(upload["upload_id"], ctx.txn)}
    chosen = _chosen_parts(req, body, stored)
    if any(p["size"] < MIN_PART for p in chosen[:-1]):
        raise TOO_SMALL()
    _overwrite_check(ctx, req, bucket)
    size, crc, digests, pieces = 0, 0, b"", []
    for part in chosen:
        crc = combine(crc, int(part["crc64"]), part["size"])
        size += part["size"]
        digests += bytes.fromhex(part["etag"])
        if pieces is not None:
            data = registry.part_content(part, ctx.txn)
            pieces = pieces + [data] if data is not None else None
    etag = f"{hashlib.md5(digests).hexdigest().upper()}-{len(chosen)}"
    registry.abort_upload(upload["upload_id"], ctx.txn)  # (the parts' bytes go back to the budget first)
    data = b"".join(pieces) if pieces is not None else None
    keep = ctx.config.options["oss_keep_bytes"]
    registry.store_object(bucket["region"], req.bucket, req.key, size, b"", crc,
                          data if data is not None and len(data) <= keep else None, ctx.txn, upload["meta"],
                          upload["content_type"], etag=etag, object_type="Multipart",
                          storage_class=upload.get("storage_class") or "Standard",
                          acl=upload.get("acl") or "default", tags=upload.get("tags"))
    encoded = req.query.get("encoding-type") == "url"
    location = f"http://{req.bucket}.oss-{bucket['region']}.aliyuncs.com/{quote(req.key)}"
    return Reply(headers={"ETag": _quoted(etag), "x-oss-hash-crc64ecma": str(crc)},
                 body=xml("CompleteMultipartUploadResult",
                          (element("EncodingType", "url") if encoded else "") + element("Location", location)
                          + element("Bucket", req.bucket) + element("Key", _encode(req.key, encoded))
                          + element("ETag", _quoted(etag))), content_type="application/xml")


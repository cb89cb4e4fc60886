"""OSS's wire: which requests are OSS's, what they address, their signatures, and OSS's error answers.

OSS is REST: the bucket is in the Host (``<bucket>.oss-<region>[-internal].aliyuncs.com``) or, path-style, the
path's first segment (``mockecs server`` as a client's endpoint: ``http://127.0.0.1:8470/<bucket>/<key>``); the
object's key is the rest of the path; sub-resources (``?uploads``, ``?uploadId=``, ``?bucketInfo`` ...) in the query
name the operation. Signatures: V1 (``Authorization: OSS <ak>:<HMAC-SHA1>``, or presigned ``OSSAccessKeyId``,
``Expires``, ``Signature``) and V4 (``OSS4-HMAC-SHA256``, in the header or presigned with ``x-oss-signature``).
Errors are ``<Error><Code/><Message/><RequestId/><HostId/>...</Error>`` with ``x-oss-request-id``; a HEAD's error
has no body, its XML goes base64 in ``x-oss-err`` (what oss2 reads).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import time
from calendar import timegm
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional, Union
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from mockecs.wire import crc64
from mockecs.wire.errors import EcsError
from mockecs.wire.protocol import HttpRequest, HttpResponse
from mockecs.wire.records import record

# An OSS endpoint, with or without a bucket in front: regex text for URL patterns (group-free).
# A bucket label is taken as it comes (``A``, ``a_b``, ``-a``): OSS itself answers InvalidBucketName for it, as for
# any name it refuses in a path, rather than another product's answer.
OSS_HOST = r"(?:[^/?#:@\s]+\.)?oss(?:-[a-z0-9-]+)?\.aliyuncs\.com"
_HOST = re.compile(r"(?:(?P<bucket>[^/?#:@\s]+?)\.)?oss(?:-(?P<region>[a-z0-9-]+?))?(?P<internal>-internal)?"
                   r"\.aliyuncs\.com(?::\d+)?", re.IGNORECASE)
_NO_REGION = {"accelerate", "accelerate-overseas"}
MAX_SKEW = 15 * 60
# The OSS actions the fake answers (mockecs.ops.oss: its handlers; named here for faults and the call record).
ACTIONS = frozenset((
    "ListBuckets", "PutBucket", "DeleteBucket", "GetBucketInfo", "GetBucketLocation", "ListObjects", "ListObjectsV2",
    "DeleteMultipleObjects", "PutObject", "CopyObject", "GetObject", "HeadObject", "GetObjectMeta", "DeleteObject",
    "InitiateMultipartUpload", "UploadPart", "ListParts", "ListMultipartUploads", "AbortMultipartUpload",
    "CompleteMultipartUpload", "GetBucketAcl", "PutBucketAcl", "GetBucketVersioning", "GetObjectAcl",
    "PutObjectAcl", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", "ListObjectVersions", "OptionObject",
    *(f"{verb}Bucket{name}" for verb in ("Put", "Get", "Delete") for name in (
        "Cors", "Lifecycle", "Website", "Logging", "Encryption", "Policy", "Tags")),
    *(f"{verb}Bucket{name}" for verb in ("Put", "Get") for name in (
        "Referer", "TransferAcceleration", "AccessMonitor", "ResourceGroup")),
))
XML_TYPE = "application/xml"
CHUNK = 1 << 20

# The sub-resources a V1 signature covers (OSS's list, as the SDKs carry it).
SUBRESOURCES = frozenset((
    "acl", "uploads", "location", "cors", "logging", "website", "referer", "lifecycle", "delete", "append", "tagging",
    "objectMeta", "uploadId", "partNumber", "security-token", "position", "img", "style", "styleName",
    "replication", "replicationProgress", "replicationLocation", "cname", "bucketInfo", "comp", "qos", "live",
    "status", "vod", "startTime", "endTime", "symlink", "x-oss-process", "response-content-type",
    "response-content-language", "response-expires", "response-cache-control", "response-content-disposition",
    "response-content-encoding", "udf", "udfName", "udfImage", "udfId", "udfImageDesc", "udfApplication",
    "udfApplicationLog", "restore", "callback", "callback-var", "qosInfo", "policy", "stat", "encryption",
    "versions", "versioning", "versionId", "requestPayment", "x-oss-request-payer", "sequential", "inventory",
    "inventoryId", "continuation-token", "asyncFetch", "worm", "wormId", "wormExtend", "withHashContext",
    "x-oss-enable-md5", "x-oss-enable-sha1", "x-oss-enable-sha256", "x-oss-hash-ctx", "x-oss-md5-ctx",
    "transferAcceleration", "regionList", "cloudboxes", "x-oss-ac-source-ip", "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id", "x-oss-ac-forward-allow", "metaQuery", "resourceGroup", "rtc", "x-oss-async-process",
    "responseHeader", "x-oss-traffic-limit", "link", "group", "objectInfo", "rtmp", "accessPoint",
))


class OssError(EcsError):
    """An OSS error answer; ``extra`` are the elements OSS adds after HostId (BucketName, Key, Endpoint ...);
    ``ec`` OSS's fine-grained error code (``0026-00000001``), where OSS sends one (``<EC>``, ``x-oss-ec``)."""

    def __init__(self, code: str, message: str, status: int = 400, ec: str = "", **extra: str) -> None:
        super().__init__(code, message, status)
        self.extra = extra
        self.ec = ec


def oss_error_kind(code: str, message: str, status: int, ec: str = "") -> Callable[..., OssError]:
    """A named OSS error: ``raise NO_SUCH_KEY(Key=name)`` makes a fresh instance each time."""

    def make(**extra: str) -> OssError:
        return OssError(code, message, status, ec, **extra)

    make.code, make.status, make.ec = code, status, ec  # type: ignore[attr-defined]
    return make


SIGNATURE_MISMATCH = oss_error_kind(
    "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method.", 403)
INVALID_ACCESS_KEY = oss_error_kind(
    "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.", 403)
EXPIRED = oss_error_kind("AccessDenied", "Request has expired.", 403)
SKEWED = oss_error_kind("RequestTimeTooSkewed",
                        "The difference between the request time and the current time is too large.", 403)
ANONYMOUS = oss_error_kind("AccessDenied", "AccessDenied", 403)
ANONYMOUS_FORBIDDEN = oss_error_kind("AccessDenied", "Anonymous access is forbidden for this operation.", 403,
                                     "0003-00001201")
INVALID_ARGUMENT = oss_error_kind("InvalidArgument", "Authorization header is invalid.", 400)


@lru_cache(maxsize=1024)
def oss_host(host: str) -> Optional[tuple[str, str, bool]]:
    """``(bucket, region, internal)`` of an OSS endpoint ``host`` (``name[:port]``; ``""`` where it names none),
    None for any other host."""
    m = _HOST.fullmatch(host or "")
    if m is None:
        return None
    region = (m.group("region") or "").lower()
    return (m.group("bucket") or "").lower(), "" if region in _NO_REGION else region, bool(m.group("internal"))


def _netloc(http: HttpRequest) -> str:
    if http.split is not None:
        return http.split[0]
    url = http.url
    start = url.find("//") + 2
    end = url.find("/", start)
    host = url[start:end] if end >= 0 else url[start:]
    return host.split("?", 1)[0] if "?" in host else host


def is_oss(http: HttpRequest) -> bool:
    """Whether ``http`` is an OSS request: OSS's Authorization, an OSS host, or on another host (the server used
    as an endpoint) OSS's presigned query or a path other than ``/`` with no ECS action."""
    auth = http.headers.get("authorization")
    if auth is not None:  # (the current ECS SDK's ACS3-...: decided without looking further)
        return auth[:3] == "OSS"
    host = _netloc(http)
    if oss_host(host) is not None:
        return True
    if host.endswith(".aliyuncs.com") or host.rsplit(":", 1)[0].endswith(".aliyuncs.com"):
        return False
    if http.split is not None:
        path, query = http.split[1], http.split[2]
    else:
        rest = http.url.split("//", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest.split("?", 1)[0] else "/"
        path, _, query = path.partition("?")
        if "?" in rest.split("/", 1)[0]:
            query = rest.split("?", 1)[1]
    if "OSSAccessKeyId=" in query or "x-oss-signature" in query:
        return True
    return path not in ("", "/") and "Action=" not in query and "x-acs-action" not in http.headers


def _query(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in text.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            out[unquote(key)] = unquote(value)
    return out


Body = Union[bytes, Any]  # bytes, or a file-like object read in chunks (an upload streamed by the client)


@record
class OssRequest:
    method: str
    host: str
    bucket: str
    key: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: Body
    region: str  # the endpoint's region ("" where the host names none)
    internal: bool
    path_style: bool
    access_key_id: Optional[str] = None
    security_token: Optional[str] = None

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)


def decode(http: HttpRequest) -> OssRequest:
    if http.split is not None:
        netloc, path, raw_query = http.split
    else:
        rest = http.url.split("//", 1)[-1]
        head, sep, tail = rest.partition("/")
        netloc, _, q1 = head.partition("?")
        path, _, raw_query = (sep + tail).partition("?")
        raw_query = raw_query or q1
    headers = http.headers
    host = headers.get("host") or netloc
    named = oss_host(host) or oss_host(netloc)
    bucket, region, internal = named if named else ("", "", False)
    path = unquote(path or "/")
    if bucket:
        key, path_style = path[1:], False
    else:
        bucket, _, key = path[1:].partition("/")
        path_style = True
    query = _query(raw_query)
    auth = headers.get("authorization", "")
    access_key_id = token = None
    if auth.startswith("OSS4-HMAC-SHA256"):
        fields = _v4_fields(auth[len("OSS4-HMAC-SHA256"):])
        access_key_id = fields.get("Credential", "").split("/", 1)[0] or None
    elif auth.startswith("OSS "):
        access_key_id = auth[4:].rpartition(":")[0] or None
    elif "OSSAccessKeyId" in query:
        access_key_id = query["OSSAccessKeyId"]
    elif "x-oss-credential" in query:
        access_key_id = query["x-oss-credential"].split("/", 1)[0]
    token = headers.get("x-oss-security-token") or query.get("security-token") or query.get("x-oss-security-token")
    return OssRequest(http.method.upper(), host, bucket, key, query, headers, http.body, region, internal,
                      path_style, access_key_id, token)


# -- signatures -----------------------------------------------------------------------------------------------------
def _v4_fields(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(","):
        name, _, value = part.strip().partition("=")
        out[name] = value
    return out


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HTTP_DATE = re.compile(r"(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT")


def _http_time(text: str) -> Optional[float]:
    """An RFC 1123 date (``Mon, 30 Nov 2026 14:07:25 GMT``) in epoch seconds (None if it is not one)."""
    m = _HTTP_DATE.fullmatch(text.strip())
    if m is None or m.group(2).title() not in _MONTHS:
        return None
    day, month, year, hour, minute, second = m.groups()
    try:
        return float(timegm((int(year), _MONTHS.index(month.title()) + 1, int(day), int(hour), int(minute),
                             int(second), 0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def _iso_time(text: str) -> Optional[float]:
    try:
        return float(timegm(time.strptime(text, "%Y%m%dT%H%M%SZ")))
    except ValueError:
        return None


def v1_string_to_sign(req: OssRequest, date: str) -> str:
    canon = sorted((k, v.strip()) for k, v in req.headers.items() if k.startswith("x-oss-"))
    headers = "".join(f"{k}:{v}\n" for k, v in canon)
    sub = sorted((k, v) for k, v in req.query.items() if k in SUBRESOURCES)
    resource = f"/{req.bucket}/{req.key}" if req.bucket else "/"
    if sub:
        resource += "?" + "&".join(f"{k}={v}" if v else k for k, v in sub)
    return "\n".join([req.method, req.header("content-md5"), req.header("content-type"), date, headers + resource])


def v1_signature(string_to_sign: str, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


def _v4_encode(text: str, keep_slash: bool) -> str:
    return quote(text, safe="-_.~/" if keep_slash else "-_.~")


def v4_string_to_sign(req: OssRequest, date_time: str, scope: str, additional: list[str], presigned: bool) -> str:
    uri = _v4_encode(f"/{req.bucket}/{req.key}" if req.bucket else "/", True)
    params = {_v4_encode(k, False): _v4_encode(v, False) for k, v in req.query.items()
              if not (presigned and k == "x-oss-signature")}
    query = "&".join(f"{k}={v}" if v else k for k, v in sorted(params.items()))
    signed = [(k, v.strip()) for k, v in req.headers.items()
              if k.startswith("x-oss-") or k in ("content-type", "content-md5") or k in additional]
    if "host" in additional and "host" not in req.headers:
        signed.append(("host", req.host))
    headers = "".join(f"{k}:{v}\n" for k, v in sorted(signed))
    payload = "UNSIGNED-PAYLOAD" if presigned else req.header("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
    canonical = "\n".join([req.method, uri, query, headers, ";".join(additional), payload])
    return f"OSS4-HMAC-SHA256\n{date_time}\n{scope}\n" + hashlib.sha256(canonical.encode()).hexdigest()


def v4_signature(string_to_sign: str, secret: str, scope: str) -> str:
    date, region, product = (scope.split("/") + ["", "", ""])[:3]
    key = ("aliyun_v4" + secret).encode()
    for part in (date, region, product, "aliyun_v4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(req: OssRequest, secret: str, now: Optional[float] = None) -> None:
    """Raise OSS's error unless ``req`` is signed with ``secret`` (and in time)."""
    now = time.time() if now is None else now
    auth = req.header("authorization")
    q = req.query
    if auth.startswith("OSS "):
        date = req.header("x-oss-date") or req.header("date")
        stamp = _http_time(date)
        if stamp is None:
            raise OssError("AccessDenied", "Invalid date string.", 403)
        if abs(now - stamp) > MAX_SKEW:
            raise SKEWED(RequestTime=date, ServerTime=http_date(now))
        sts = v1_string_to_sign(req, date)
        provided = auth.rpartition(":")[2]
        if not hmac.compare_digest(v1_signature(sts, secret), provided):
            raise SIGNATURE_MISMATCH(StringToSign=sts, OSSAccessKeyId=req.access_key_id or "",
                                     SignatureProvided=provided)
    elif "OSSAccessKeyId" in q:
        expires = q.get("Expires", "")
        if not expires.isdigit():
            raise OssError("AccessDenied", "Invalid expires.", 403)
        if int(expires) < now:
            raise EXPIRED(Expires=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(int(expires))),
                          ServerTime=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now)))
        sts = v1_string_to_sign(req, expires)
        provided = q.get("Signature", "")
        if not hmac.compare_digest(v1_signature(sts, secret), provided):
            raise SIGNATURE_MISMATCH(StringToSign=sts, OSSAccessKeyId=req.access_key_id or "",
                                     SignatureProvided=provided)
    elif auth.startswith("OSS4-HMAC-SHA256") or q.get("x-oss-signature-version") == "OSS4-HMAC-SHA256":
        presigned = not auth
        if presigned:
            credential, provided = q.get("x-oss-credential", ""), q.get("x-oss-signature", "")
            additional = [h for h in q.get("x-oss-additional-headers", "").split(";") if h]
            date_time = q.get("x-oss-date", "")
        else:
            fields = _v4_fields(auth[len("OSS4-HMAC-SHA256"):])
            credential, provided = fields.get("Credential", ""), fields.get("Signature", "")
            additional = [h for h in fields.get("AdditionalHeaders", "").split(";") if h]
            date_time = req.header("x-oss-date")
        stamp = _iso_time(date_time)
        if not credential or not provided or stamp is None:
            raise INVALID_ARGUMENT()
        if presigned:
            expires = q.get("x-oss-expires", "")
            if not expires.isdigit() or stamp + int(expires) < now:
                raise EXPIRED()
        elif abs(now - stamp) > MAX_SKEW:
            raise SKEWED()
        scope = credential.split("/", 1)[1] if "/" in credential else ""
        sts = v4_string_to_sign(req, date_time, scope, additional, presigned)
        if not hmac.compare_digest(v4_signature(sts, secret, scope), provided):
            raise SIGNATURE_MISMATCH(StringToSign=sts, OSSAccessKeyId=req.access_key_id or "",
                                     SignatureProvided=provided)
    else:
        raise ANONYMOUS()


# -- bodies ---------------------------------------------------------------------------------------------------------
@record
class Payload:
    """An uploaded body, read once: its size, MD5, CRC-64, and its bytes when no more than ``keep`` were sent."""

    size: int
    md5: bytes
    crc: int
    data: Optional[bytes]


def digest(body: Body, keep: int) -> Payload:
    """Read ``body`` (bytes or a file-like stream) in chunks: hashed whole, kept only up to ``keep`` bytes."""
    md5 = hashlib.md5()
    if isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
        md5.update(data)
        return Payload(len(data), md5.digest(), crc64.crc64(data), data if len(data) <= keep else None)
    size, crc, kept = 0, 0, []
    read = getattr(body, "read", None)
    chunks = iter(lambda: read(CHUNK), b"") if read is not None else iter(body or ())
    for chunk in chunks:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        if not chunk:
            break
        size += len(chunk)
        md5.update(chunk)
        crc = crc64.crc64(chunk, crc)
        if kept is not None:
            kept.append(chunk)
            if size > keep:
                kept = None
    return Payload(size, md5.digest(), crc, b"".join(kept) if kept is not None else None)


class _Zeros(io.RawIOBase):
    def __init__(self, length: int) -> None:
        self.left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


class Stream(io.BufferedReader):
    """A large answer's body, read as it is sent: ``length`` zero bytes (``responses`` passes a BufferedReader on)."""

    def __init__(self, length: int) -> None:
        super().__init__(_Zeros(length), CHUNK)
        self.length = length

    def __len__(self) -> int:
        return self.length

    def chunks(self) -> Any:
        return iter(lambda: self.read(CHUNK), b"")


# -- answers --------------------------------------------------------------------------------------------------------
def http_date(seconds: float) -> str:
    """RFC 1123, in English whatever the locale (as email.utils.formatdate, without importing the email package)."""
    t = time.gmtime(seconds)
    return f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} " \
           f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def xml(root: str, children: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{children}</{root}>'.encode()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def element(name: str, value: Any) -> str:
    if value is True or value is False:
        value = "true" if value else "false"
    text = escape(str(value))
    # [GUESS] a key with characters XML cannot carry is listed without them (clients ask encoding-type=url for
    # such keys, as oss2 and the Go SDK do): the document always parses.
    return f"<{name}>{_NOT_XML.sub('', text) if _NOT_XML.search(text) else text}</{name}>"


def answer(status: int, request_id: str, now: float, headers: Optional[dict] = None,
           body: Union[bytes, Stream] = b"", content_type: Optional[str] = None) -> HttpResponse:
    out = {"Server": "AliyunOSS", "Date": http_date(now), "x-oss-request-id": request_id}
    if content_type:
        out["Content-Type"] = content_type
    out.update(headers or {})
    out.setdefault("Content-Length", str(len(body)))  # (a HEAD answers the object's length, without its body)
    return HttpResponse(status, out, body)


def error_answer(err: EcsError, request_id: str, host: str, method: str, now: float) -> HttpResponse:
    extra = getattr(err, "extra", {}) or {}
    children = "".join(element(k, v) for k, v in (("Code", err.code), ("Message", err.message),
                                                   ("RequestId", request_id), ("HostId", host)))
    children += "".join(element(k, v) for k, v in extra.items())
    ec = getattr(err, "ec", "")
    headers = {}
    if ec:  # (last, as OSS sends them, and in x-oss-ec, which clients read when there is no body)
        children += element("EC", ec) + element("RecommendDoc", f"https://api.aliyun.com/troubleshoot?q={ec}")
        headers["x-oss-ec"] = ec
    body = xml("Error", children)
    if method == "HEAD":  # no body: the XML rides in x-oss-err (oss2 reads it)
        headers["x-oss-err"] = base64.b64encode(body).decode()
        return answer(err.status, request_id, now, headers, b"", XML_TYPE)
    return answer(err.status, request_id, now, headers, body, XML_TYPE)

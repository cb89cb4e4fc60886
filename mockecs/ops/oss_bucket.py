"""OSS's bucket settings (sub-resources of ``/?<name>``), the ones Terraform's ``alicloud_oss_bucket`` reads on
every refresh and writes on apply: CORS, lifecycle, static website, logging, referer (hotlink protection), default
encryption, policy, bucket tags, transfer acceleration, access monitor, resource group.

Each is kept on the bucket's record (:meth:`mockecs.world.oss.Oss.update_bucket`; gone with the bucket) and answered
as it was put; a bucket without one answers what OSS answers for it: a 404 ``NoSuch...`` for CORS, lifecycle,
website, encryption, policy and transfer acceleration, the defaults for logging (none), referer (empty list, empty
referer allowed), tags (none), access monitor (``Disabled``) and resource group (the account's default group).
None is enforced: a policy, a referer list or a CORS rule lets nothing through nor keeps anything out, a lifecycle
rule expires nothing, default encryption changes no object (image import does refuse an encrypted bucket, as it
always did). Only the bucket's owner reads or writes them. The CORS rules do answer a browser's preflight (OPTIONS,
``OptionObject``), which anyone may send.
"""
from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from typing import Any, Optional

from mockecs.ops.oss import (
    INVALID_ARGUMENT,
    MALFORMED_XML,
    Reply,
    _bucket,
    _check_md5,
    _check_tags,
    _op,
    _parse_xml,
    _registry,
    _tag_pairs,
    resource_group,
    resource_group_of,
    sse_settings,
)
from mockecs.ops.registry import Context
from mockecs.wire.oss import OssRequest, element, oss_error_kind, xml
from mockecs.world import ids

XML_TYPE = "application/xml"
# The answers for a bucket without the setting. [GUESS] the messages (OSS documents the codes and statuses; the
# lifecycle's is the one Terraform's provider matches on, "No Row found", with the code).
NO_CORS = oss_error_kind("NoSuchCORSConfiguration", "The CORS Configuration does not exist.", 404)
NO_LIFECYCLE = oss_error_kind("NoSuchLifecycle", "No Row found in Lifecycle Table.", 404)
NO_WEBSITE = oss_error_kind("NoSuchWebsiteConfiguration", "The specified bucket does not have a website "
                            "configuration.", 404)
NO_POLICY = oss_error_kind("NoSuchBucketPolicy", "The bucket policy does not exist.", 404)
NO_ENCRYPTION = oss_error_kind("NoSuchServerSideEncryptionRule", "The server side encryption configuration was not "
                               "found.", 404)
NO_ACCELERATION = oss_error_kind("NoSuchTransferAccelerationConfiguration", "The bucket you specified does not have "
                                 "transfer acceleration configuration.", 404, "0028-00000004")
# [GUESS] the code of a policy that is not a JSON object with a Statement list (OSS validates the document)
BAD_POLICY = oss_error_kind("InvalidPolicyDocument", "Invalid Policy Document.", 400)
BAD_LOG_TARGET = oss_error_kind("InvalidTargetBucketForLogging", "The target bucket for logging does not exist, is "
                                "not owned by you, or is not in the same region.", 400)
# [GUESS] S3's code, which OSS documents for PutBucketCors too: more than 10 rules
TOO_MANY_CORS = oss_error_kind("InvalidArgument", "The number of CORS rules should not exceed allowed limit.", 400)

CORS_METHODS = ("GET", "PUT", "DELETE", "POST", "HEAD")
MAX_CORS_RULES, MAX_LIFECYCLE_RULES, MAX_POLICY = 10, 1000, 16 * 1024
BUCKET_TAG_LIMITS = (20, 64, 128)  # tags per bucket, key bytes, value bytes (OSS's PutBucketTags)
TRANSITION_CLASSES = ("IA", "Archive", "ColdArchive", "DeepColdArchive")
LIFECYCLE_ACTIONS = ("Expiration", "Transition", "AbortMultipartUpload", "NoncurrentVersionExpiration",
                     "NoncurrentVersionTransition")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T00:00:00\.000Z")


def _owned(ctx: Context, req: OssRequest) -> dict:
    return _bucket(ctx, req)


def _root(req: OssRequest, body: bytes, name: str) -> ElementTree.Element:
    """The document's root, which must be ``name`` (its Content-MD5, when sent, checked first)."""
    _check_md5(req, hashlib.md5(body).digest())
    root = _parse_xml(body)
    if root.tag != name:
        raise MALFORMED_XML()
    return root


def _text(node: ElementTree.Element, path: str) -> str:
    return (node.findtext(path) or "").strip()


def _bool(node: ElementTree.Element, path: str, required: bool = True) -> Optional[bool]:
    text = _text(node, path).lower()
    if text in ("true", "false"):
        return text == "true"
    if text or required:
        raise MALFORMED_XML()
    return None


def _save(ctx: Context, bucket: dict, **changes: Any) -> None:
    _registry(ctx).update_bucket(bucket, ctx.txn, **changes)


def _answer(root: str, children: str) -> Reply:
    return Reply(body=xml(root, children), content_type=XML_TYPE)


def _serialized(node: ElementTree.Element) -> str:
    node.tail = None
    try:
        return ElementTree.tostring(node, encoding="unicode")
    except RecursionError:  # (elements nested thousands deep: no schema of OSS's has them)
        raise MALFORMED_XML() from None


# -- CORS -------------------------------------------------------------------------------------------------------------
@_op("PutBucketCors")
def put_bucket_cors(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    root = _root(req, body, "CORSConfiguration")
    rules = []
    for node in root.findall("CORSRule"):
        rule = {name: [(e.text or "").strip() for e in node.findall(name)]
                for name in ("AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader")}
        if not any(rule["AllowedOrigin"]) or not rule["AllowedMethod"]:
            raise MALFORMED_XML()
        for method in rule["AllowedMethod"]:
            if method not in CORS_METHODS:
                raise INVALID_ARGUMENT(ArgumentName="AllowedMethod", ArgumentValue=method)
        max_age = _text(node, "MaxAgeSeconds")
        if max_age:
            if not max_age.isdigit():
                raise MALFORMED_XML()
            rule["MaxAgeSeconds"] = int(max_age)
        rules.append(rule)
    if not rules:
        raise MALFORMED_XML()
    if len(rules) > MAX_CORS_RULES:
        raise TOO_MANY_CORS(ArgumentName="CORSRule", ArgumentValue=str(len(rules)))
    _save(ctx, bucket, cors={"rules": rules, "vary": bool(_bool(root, "ResponseVary", required=False))})
    return Reply()


@_op("GetBucketCors")
def get_bucket_cors(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    cors = _owned(ctx, req).get("cors")
    if not cors:
        raise NO_CORS(BucketName=req.bucket)
    parts = []
    for rule in cors["rules"]:
        inner = "".join(element(name, value) for name in ("AllowedOrigin", "AllowedMethod", "AllowedHeader",
                                                          "ExposeHeader") for value in rule[name])
        if "MaxAgeSeconds" in rule:
            inner += element("MaxAgeSeconds", rule["MaxAgeSeconds"])
        parts.append(f"<CORSRule>{inner}</CORSRule>")
    return _answer("CORSConfiguration", "".join(parts) + element("ResponseVary", cors["vary"]))


@_op("DeleteBucketCors")
def delete_bucket_cors(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    _save(ctx, _owned(ctx, req), cors=None)
    return Reply(status=204)


# The preflight's refusals. [GUESS] the messages are OSS's as clients report them; the code and status are documented.
CORS_DISABLED = oss_error_kind("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", 403)
CORS_REFUSED = oss_error_kind("AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually "
                              "because the evalution of Origin, request method / Access-Control-Request-Method or "
                              "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", 403)


def _wildcard(pattern: str, value: str, fold: bool) -> bool:
    """A CORS rule's origin or header pattern (at most one ``*``, any run of characters) against ``value``."""
    if fold:
        pattern, value = pattern.lower(), value.lower()
    head, star, tail = pattern.partition("*")
    if not star:
        return pattern == value
    return len(value) >= len(head) + len(tail) and value.startswith(head) and value.endswith(tail)


@_op("OptionObject")
def option_object(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """A browser's preflight: anyone may send it (the bucket's ACL is not read); the first of the bucket's CORS
    rules allowing the Origin, the method and every requested header answers it, else 403 AccessForbidden."""
    bucket = _bucket(ctx, req, "object")
    cors = bucket.get("cors")
    if not cors:
        raise CORS_DISABLED()
    origin, method = req.header("origin"), req.header("access-control-request-method")
    asked = req.header("access-control-request-headers")
    wanted = [h.strip() for h in asked.split(",") if h.strip()]
    for rule in cors["rules"] if origin and method else ():
        if method in rule["AllowedMethod"] and any(_wildcard(o, origin, False) for o in rule["AllowedOrigin"]) and \
                all(any(_wildcard(a, h, True) for a in rule["AllowedHeader"]) for h in wanted):
            headers = {"Access-Control-Allow-Origin": origin,
                       "Access-Control-Allow-Methods": ", ".join(rule["AllowedMethod"])}  # [GUESS] the rule's all
            if asked:
                headers["Access-Control-Allow-Headers"] = asked
            if rule["ExposeHeader"]:
                headers["Access-Control-Expose-Headers"] = ", ".join(rule["ExposeHeader"])
            if "MaxAgeSeconds" in rule:
                headers["Access-Control-Max-Age"] = str(rule["MaxAgeSeconds"])
            if cors["vary"]:
                headers["Vary"] = "Origin"
            return Reply(headers=headers)
    raise CORS_REFUSED()


# -- lifecycle --------------------------------------------------------------------------------------------------------
def _positive_days(node: ElementTree.Element, path: str) -> None:
    for found in node.findall(path):
        text = (found.text or "").strip()
        if not text.isdigit() or int(text) < 1:
            raise INVALID_ARGUMENT(ArgumentName=path, ArgumentValue=text)


def _dates(node: ElementTree.Element, path: str) -> None:
    for found in node.findall(path):
        text = (found.text or "").strip()
        if not _DATE.fullmatch(text):  # (OSS's form: midnight UTC, milliseconds)
            raise INVALID_ARGUMENT(ArgumentName=path, ArgumentValue=text)


def _lifecycle_rule(node: ElementTree.Element, seen: set[str]) -> str:
    if _text(node, "Status") not in ("Enabled", "Disabled"):
        raise MALFORMED_XML()
    if not any(node.find(action) is not None for action in LIFECYCLE_ACTIONS):
        raise MALFORMED_XML()  # [GUESS] a rule without an action: not valid against OSS's schema
    rule_id = _text(node, "ID")
    if not rule_id:  # (OSS names a rule sent without an ID)
        found = node.find("ID")
        if found is None:
            found = ElementTree.Element("ID")
            node.insert(0, found)
        rule_id = found.text = ids.source().token_hex(16)
    if len(rule_id) > 255 or rule_id in seen:
        raise INVALID_ARGUMENT(ArgumentName="ID", ArgumentValue=rule_id)
    seen.add(rule_id)
    for path in ("Expiration/Days", "Transition/Days", "AbortMultipartUpload/Days",
                 "NoncurrentVersionExpiration/NoncurrentDays", "NoncurrentVersionTransition/NoncurrentDays"):
        _positive_days(node, path)
    for path in ("Expiration/Date", "Expiration/CreatedBeforeDate", "Transition/CreatedBeforeDate",
                 "AbortMultipartUpload/CreatedBeforeDate"):
        _dates(node, path)
    for path in ("Transition/StorageClass", "NoncurrentVersionTransition/StorageClass"):
        for found in node.findall(path):
            if (found.text or "").strip() not in TRANSITION_CLASSES:
                raise INVALID_ARGUMENT(ArgumentName="StorageClass", ArgumentValue=found.text or "")
    return _serialized(node)


@_op("PutBucketLifecycle")
def put_bucket_lifecycle(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """The rules replaced, kept as sent (an ID given to a rule without one); none is applied to objects."""
    bucket = _owned(ctx, req)
    nodes = _root(req, body, "LifecycleConfiguration").findall("Rule")
    if not nodes or len(nodes) > MAX_LIFECYCLE_RULES:
        raise MALFORMED_XML()
    seen: set[str] = set()
    _save(ctx, bucket, lifecycle=[_lifecycle_rule(node, seen) for node in nodes])
    return Reply()


@_op("GetBucketLifecycle")
def get_bucket_lifecycle(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    rules = _owned(ctx, req).get("lifecycle")
    if not rules:
        raise NO_LIFECYCLE(BucketName=req.bucket)
    return _answer("LifecycleConfiguration", "".join(rules))


@_op("DeleteBucketLifecycle")
def delete_bucket_lifecycle(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    _save(ctx, _owned(ctx, req), lifecycle=None)
    return Reply(status=204)


# -- static website ---------------------------------------------------------------------------------------------------
@_op("PutBucketWebsite")
def put_bucket_website(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    root = _root(req, body, "WebsiteConfiguration")
    kept = [child for child in root if child.tag in ("IndexDocument", "ErrorDocument", "RoutingRules")]
    if not kept:
        raise MALFORMED_XML()
    _save(ctx, bucket, website="".join(_serialized(child) for child in kept))
    return Reply()


@_op("GetBucketWebsite")
def get_bucket_website(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    website = _owned(ctx, req).get("website")
    if not website:
        raise NO_WEBSITE(BucketName=req.bucket)
    return _answer("WebsiteConfiguration", website)


@_op("DeleteBucketWebsite")
def delete_bucket_website(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    _save(ctx, _owned(ctx, req), website=None)
    return Reply(status=204)


# -- logging ----------------------------------------------------------------------------------------------------------
@_op("PutBucketLogging")
def put_bucket_logging(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """Logging to a bucket of the same owner and region; a document without LoggingEnabled turns it off."""
    bucket = _owned(ctx, req)
    enabled = _root(req, body, "BucketLoggingStatus").find("LoggingEnabled")
    if enabled is None:
        _save(ctx, bucket, logging=None)
        return Reply()
    target, prefix = _text(enabled, "TargetBucket"), _text(enabled, "TargetPrefix")
    if not target:
        raise MALFORMED_XML()
    found = _registry(ctx).find_bucket(target, txn=ctx.txn)
    if found is None or str(found["owner"]) != str(bucket["owner"]) or found["region"] != bucket["region"]:
        raise BAD_LOG_TARGET(TargetBucket=target)
    _save(ctx, bucket, logging={"TargetBucket": target, "TargetPrefix": prefix})
    return Reply()


@_op("GetBucketLogging")
def get_bucket_logging(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    logging = _owned(ctx, req).get("logging")
    inner = ("<LoggingEnabled>" + element("TargetBucket", logging["TargetBucket"])
             + element("TargetPrefix", logging["TargetPrefix"]) + "</LoggingEnabled>") if logging else ""
    return _answer("BucketLoggingStatus", inner)


@_op("DeleteBucketLogging")
def delete_bucket_logging(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    _save(ctx, _owned(ctx, req), logging=None)
    return Reply(status=204)


# -- referer ----------------------------------------------------------------------------------------------------------
def _referers(root: ElementTree.Element, path: str) -> list[str]:
    # [GUESS] an empty <Referer/> is no entry: the Go SDK sends one for "no list" (Terraform's removal of the
    # setting), and Terraform reads any entry back as a setting its configuration lacks.
    return [text for text in ((e.text or "").strip() for e in root.findall(path)) if text]


@_op("PutBucketReferer")
def put_bucket_referer(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    root = _root(req, body, "RefererConfiguration")
    referer = {"AllowEmptyReferer": _bool(root, "AllowEmptyReferer"),
               "AllowTruncateQueryString": _bool(root, "AllowTruncateQueryString", required=False),
               "RefererList": _referers(root, "RefererList/Referer"),
               "RefererBlacklist": _referers(root, "RefererBlacklist/Referer")}
    default = (True, None, [], [])
    _save(ctx, bucket, referer=None if tuple(referer.values()) == default else referer)
    return Reply()


@_op("GetBucketReferer")
def get_bucket_referer(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """As put; a bucket never given one: empty referers allowed, no list (anyone may read, as without)."""
    referer = _owned(ctx, req).get("referer") or {}
    allow = referer.get("AllowEmptyReferer", True)
    truncate = referer.get("AllowTruncateQueryString")
    inner = (element("AllowEmptyReferer", allow)
             + element("AllowTruncateQueryString", True if truncate is None else truncate)
             + "<RefererList>" + "".join(element("Referer", r) for r in referer.get("RefererList") or ())
             + "</RefererList>")
    if referer.get("RefererBlacklist"):
        inner += "<RefererBlacklist>" + "".join(element("Referer", r) for r in referer["RefererBlacklist"]) \
            + "</RefererBlacklist>"
    return _answer("RefererConfiguration", inner)


# -- default encryption -----------------------------------------------------------------------------------------------
@_op("PutBucketEncryption")
def put_bucket_encryption(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    rule = _root(req, body, "ServerSideEncryptionRule").find("ApplyServerSideEncryptionByDefault")
    if rule is None or rule.find("SSEAlgorithm") is None:
        raise MALFORMED_XML()
    _save(ctx, bucket, **sse_settings(_text(rule, "SSEAlgorithm"), _text(rule, "KMSMasterKeyID"),
                                      _text(rule, "KMSDataEncryption")))
    return Reply()


@_op("GetBucketEncryption")
def get_bucket_encryption(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    if not bucket.get("encryption"):
        raise NO_ENCRYPTION(BucketName=req.bucket)
    inner = element("SSEAlgorithm", bucket["encryption"]) + element("KMSMasterKeyID", bucket.get("kms_key_id") or "")
    if bucket.get("kms_data_encryption"):
        inner += element("KMSDataEncryption", bucket["kms_data_encryption"])
    return _answer("ServerSideEncryptionRule",
                   f"<ApplyServerSideEncryptionByDefault>{inner}</ApplyServerSideEncryptionByDefault>")


@_op("DeleteBucketEncryption")
def delete_bucket_encryption(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    _save(ctx, _owned(ctx, req), encryption=None, kms_key_id=None, kms_data_encryption=None)
    return Reply(status=204)


# -- policy -----------------------------------------------------------------------------------------------------------
@_op("PutBucketPolicy")
def put_bucket_policy(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """Kept and answered as sent (its text, byte for byte); not enforced: every request is decided by the ACLs."""
    bucket = _owned(ctx, req)
    _check_md5(req, hashlib.md5(body).digest())
    if len(body) > MAX_POLICY:
        raise BAD_POLICY()
    try:
        text = body.decode("utf-8")
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise BAD_POLICY() from None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list) \
            or not document["Statement"]:
        raise BAD_POLICY()
    _save(ctx, bucket, policy=text)
    return Reply()


@_op("GetBucketPolicy")
def get_bucket_policy(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    policy = _owned(ctx, req).get("policy")
    if not policy:
        raise NO_POLICY(BucketName=req.bucket)
    return Reply(body=policy.encode("utf-8"), content_type="application/json")


@_op("DeleteBucketPolicy")
def delete_bucket_policy(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    _save(ctx, _owned(ctx, req), policy=None)
    return Reply(status=204)


# -- bucket tags ------------------------------------------------------------------------------------------------------
@_op("PutBucketTags")
def put_bucket_tags(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    pairs = _tag_pairs(_root(req, body, "Tagging"))
    _save(ctx, bucket, bucket_tags=_check_tags(pairs, BUCKET_TAG_LIMITS) or None)
    return Reply()


@_op("GetBucketTags")
def get_bucket_tags(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    tags = _owned(ctx, req).get("bucket_tags") or {}
    inner = "".join("<Tag>" + element("Key", k) + element("Value", v) + "</Tag>" for k, v in tags.items())
    return _answer("Tagging", f"<TagSet>{inner}</TagSet>")


@_op("DeleteBucketTags")
def delete_bucket_tags(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    """All of them, or (``?tagging=k1,k2``) the keys named."""
    bucket = _owned(ctx, req)
    named = [k for k in req.query.get("tagging", "").split(",") if k]
    tags = {k: v for k, v in (bucket.get("bucket_tags") or {}).items() if named and k not in named}
    _save(ctx, bucket, bucket_tags=tags or None)
    return Reply(status=204)


# -- transfer acceleration, access monitor, resource group ------------------------------------------------------------
@_op("PutBucketTransferAcceleration")
def put_bucket_transfer_acceleration(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    _save(ctx, bucket, transfer_acceleration=_bool(_root(req, body, "TransferAccelerationConfiguration"), "Enabled"))
    return Reply()


@_op("GetBucketTransferAcceleration")
def get_bucket_transfer_acceleration(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    enabled = _owned(ctx, req).get("transfer_acceleration")
    if enabled is None:
        raise NO_ACCELERATION(BucketName=req.bucket)
    return _answer("TransferAccelerationConfiguration", element("Enabled", enabled))


@_op("PutBucketAccessMonitor")
def put_bucket_access_monitor(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    status = _text(_root(req, body, "AccessMonitorConfiguration"), "Status")
    if status not in ("Enabled", "Disabled"):
        raise INVALID_ARGUMENT(ArgumentName="Status", ArgumentValue=status)
    _save(ctx, bucket, access_monitor=None if status == "Disabled" else status)
    return Reply()


@_op("GetBucketAccessMonitor")
def get_bucket_access_monitor(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    status = _owned(ctx, req).get("access_monitor") or "Disabled"
    return _answer("AccessMonitorConfiguration", element("Status", status))


@_op("PutBucketResourceGroup")
def put_bucket_resource_group(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    bucket = _owned(ctx, req)
    group_id = _text(_root(req, body, "BucketResourceGroupConfiguration"), "ResourceGroupId")
    _save(ctx, bucket, resource_group_id=resource_group(ctx, group_id))
    return Reply()


@_op("GetBucketResourceGroup")
def get_bucket_resource_group(ctx: Context, req: OssRequest, body: bytes) -> Reply:
    return _answer("BucketResourceGroupConfiguration", element("ResourceGroupId", resource_group_of(_owned(ctx, req))))

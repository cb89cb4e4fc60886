"""SSH key pairs: CreateKeyPair, ImportKeyPair, DescribeKeyPairs, AttachKeyPair, DetachKeyPair, DeleteKeyPairs.

Key pair records (kind ``key_pair``, stored under their ``KeyPairId``) carry the fields of
``DescribeKeyPairsResponseBodyKeyPairsKeyPair`` plus ``KeyPairId``, ``_owner`` and ``_region``; a key pair is
named uniquely per account and region and found by name through an index term
(:func:`mockecs.world.access.key_pair`). An instance's key pair is its ``KeyPairName``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import warnings
from typing import Any, Mapping, Optional

from mockecs.ops.instances import tag_filter
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import TAGS, B, I, S, json_array
from mockecs.world import access, keygen, paging, resource_groups, resources
from mockecs.world.validation import starts_with_letter

NAME_MALFORMED = error_kind("InvalidKeyPairName.Malformed", "Specified Key Pair name is not valid.", 400)
ALREADY_EXISTS = error_kind("KeyPair.AlreadyExist", "The key pair already exist.", 400)
QUOTA = error_kind("QuotaExceed.KeyPair", "The key pair quota exceeds.", 403)
NOT_FOUND = error_kind("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist in our records.", 400)
BAD_PUBLIC_KEY = error_kind("InvalidPublicKeyBody.Malformed", "The PublicKeyBody format is not supported.", 400)
BAD_INSTANCE_IDS = error_kind("InvalidInstanceIds.ValueNotSupported",
                              "The specified parameter InstanceIds is not valid.", 400)
TOO_MANY_INSTANCES = error_kind("InstanceKeyPairLimitExceeded",
                                "The specified instances are beyond the permitted range.", 403)
BAD_NAMES = error_kind("InvalidKeyPairNames.ValueNotSupported",
                       'The specified parameter "KeyPairNames" is not valid.', 400)
TOO_MANY_NAMES = error_kind("InstanceKeyPairLimitExceeded",
                            "Exceeding the allowed amount of instance which will be deleted.", 403)
STILL_ATTACHED = error_kind("InvalidParameter.KeypairAlreadyAttachedInstance",
                            'The specified parameter "KeyPairNames" attached to instances can not be deleted.', 400)

# 2-128 characters, starts with a letter (ASCII or CJK); letters, digits, ":", "_", "-" (documented: no ".").
_NAME = re.compile(r"[^\W\d_][\w:\-]{1,127}")  # and starts_with_letter()
# The documented key types (plus the OpenSSH names of the ECDSA curves).
_KEY_TYPES = ("ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")
_CERT_TYPES = ("ssh-rsa-cert-v00@openssh.com", "ssh-dss-cert-v00@openssh.com", "ssh-rsa-cert-v01@openssh.com",
               "ssh-dss-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
               "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com")
MAX_INSTANCES, MAX_NAMES = 50, 100


def _check_name(name: str) -> None:
    if not (starts_with_letter(name) and _NAME.fullmatch(name)) or name.lower().startswith(("http://", "https://")):
        raise NAME_MALFORMED


def fingerprint(blob: bytes) -> str:
    """The RFC 4716 fingerprint the API documents: MD5 of the public key blob, colon-separated hex."""
    return ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())


def _openssh_blob(line: str) -> tuple[str, bytes]:
    """``ssh-rsa AAAA... comment`` -> (type, decoded blob); the blob must name the same type."""
    parts = line.split()
    if len(parts) < 2 or parts[0] not in _KEY_TYPES + _CERT_TYPES:
        raise BAD_PUBLIC_KEY
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise BAD_PUBLIC_KEY from None
    size = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4:4 + size].decode("latin-1") != parts[0]:
        raise BAD_PUBLIC_KEY
    if parts[0] in _KEY_TYPES:
        from cryptography.exceptions import UnsupportedAlgorithm  # (cryptography: ~15 ms to import, key pairs only)
        from cryptography.hazmat.primitives import serialization

        try:
            with warnings.catch_warnings():  # DSA is deprecated in cryptography, still documented here
                warnings.simplefilter("ignore")
                serialization.load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
        except (ValueError, UnsupportedAlgorithm):
            raise BAD_PUBLIC_KEY from None
    return parts[0], blob


def parse_public_key(text: str) -> tuple[str, bytes]:
    """The key in OpenSSH form (a PEM ``PUBLIC KEY`` of an RSA/DSA/ECDSA key is converted) and its blob."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization

        try:
            key = serialization.load_pem_public_key(text.encode())
            text = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise BAD_PUBLIC_KEY from None
    _, blob = _openssh_blob(text)
    return " ".join(text.split()[:2]), blob


def _check_new(ctx: Context, name: str, tag: Optional[list[dict]], resource_group_id: Optional[str]) -> dict:
    """The checks of a new key pair (before any key work); returns its tags and resource group."""
    _check_name(name)
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    if access.key_pair(ctx, name) is not None:
        raise ALREADY_EXISTS
    if access.quota_reached(ctx, access.KEY_PAIR, "key_pair_quota"):
        raise QUOTA
    return {"Tags": {"Tag": tags}, "ResourceGroupId": group}


def _new_key_pair(ctx: Context, name: str, public_key: str, blob: bytes, checked: dict) -> dict:
    record = {
        "KeyPairId": resources.new_id(access.KEY_PAIR, ctx.region), "KeyPairName": name,
        "KeyPairFingerPrint": fingerprint(blob), "PublicKey": public_key,
        "CreationTime": resources.iso_minute(ctx.now), **checked, "_owner": ctx.account, "_region": ctx.region,
    }
    return resources.put(ctx.txn, access.KEY_PAIR, record)


@operation("CreateKeyPair", S("KeyPairName", required=True), S("ResourceGroupId"), TAGS,
           region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."))
def create_key_pair(ctx: Context, key_pair_name: str, resource_group_id: Optional[str],
                    tag: Optional[list[dict]]) -> dict:
    from cryptography.hazmat.primitives import serialization

    checked = _check_new(ctx, key_pair_name, tag, resource_group_id)  # refused before the (slow) key generation
    private = keygen.rsa_key()  # made ahead, off the store transaction
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    blob = base64.b64decode(public.split()[1])
    record = _new_key_pair(ctx, key_pair_name, public.decode(), blob, checked)
    # The example answer is a PKCS#1 key ("MIIEpAIBAAKCAQEA..."), which every SSH client reads; the summary
    # says PKCS#8: options["key_pair_private_key_format"] = "pkcs8" gives that.
    pkcs8 = ctx.config.options["key_pair_private_key_format"] == "pkcs8"
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8 if pkcs8 else
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return {"KeyPairId": record["KeyPairId"], "KeyPairName": key_pair_name,
            "KeyPairFingerPrint": record["KeyPairFingerPrint"], "PrivateKeyBody": pem.decode()}


@operation("ImportKeyPair", S("KeyPairName", required=True), S("PublicKeyBody", required=True),
           S("ResourceGroupId"), TAGS)
def import_key_pair(ctx: Context, key_pair_name: str, public_key_body: str, resource_group_id: Optional[str],
                    tag: Optional[list[dict]]) -> dict:
    _check_name(key_pair_name)
    public_key, blob = parse_public_key(public_key_body)
    record = _new_key_pair(ctx, key_pair_name, public_key, blob,
                           _check_new(ctx, key_pair_name, tag, resource_group_id))
    return {"KeyPairName": key_pair_name, "KeyPairFingerPrint": record["KeyPairFingerPrint"]}


def _view(record: Mapping[str, Any], include_public_key: bool) -> dict:
    out = {k: v for k, v in resources.wire(record).items() if k != "KeyPairId"}
    if not include_public_key:
        del out["PublicKey"]
    return out


@operation("DescribeKeyPairs", S("KeyPairName"), S("KeyPairFingerPrint"), paging.PAGE_NUMBER,
           I("PageSize", default=10, min=1, max=50), B("IncludePublicKey", default=False), S("ResourceGroupId"), TAGS,
           memo=True)
def describe_key_pairs(ctx: Context, key_pair_name: Optional[str], key_pair_finger_print: Optional[str],
                       page_number: int, page_size: int, include_public_key: bool, resource_group_id: Optional[str],
                       tag: Optional[list[dict]]) -> dict:
    wanted_tags = tag_filter(tag)
    if paging.unfiltered({**locals(), "include_public_key": None}):  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, access.KEY_PAIR, resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        return {"TotalCount": meta["TotalCount"], "PageNumber": page_number, "PageSize": page_size,
                "KeyPairs": {"KeyPair": [_view(r, include_public_key) for r in page]}}
    if key_pair_name and "*" not in key_pair_name:
        found = access.key_pair(ctx, key_pair_name)
        candidates: list[dict] = [found] if found is not None else []
    else:  # (with a wildcard: the names holding its longest piece, from the substring index)
        called = resources.matching(ctx, access.KEY_PAIR, "name", key_pair_name) if key_pair_name else None
        group = resource_groups.term(resource_group_id) if resource_group_id else None
        candidates = [] if called == [] else list(
            resources.mine_among(ctx, access.KEY_PAIR, called, group, tags=wanted_tags))
    # ``*`` is the documented wildcard: ``*SshKey``, ``SshKey*``, ``*SshKey*``.
    pattern = resources.wildcard(key_pair_name) if key_pair_name else None
    matches = [r for r in candidates
               if (pattern is None or pattern.fullmatch(r["KeyPairName"]))
               and (not key_pair_finger_print or r["KeyPairFingerPrint"] == key_pair_finger_print)
               and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
               and resources.match_tags(r, wanted_tags)]
    matches.sort(key=lambda r: (r["CreationTime"], r["KeyPairName"]))
    page = paging.by_number(matches, page_number, page_size)
    return {"TotalCount": len(matches), "PageNumber": page_number, "PageSize": page_size,
            "KeyPairs": {"KeyPair": [_view(r, include_public_key) for r in page]}}


def _json_names(text: str, malformed: type[EcsError]) -> list[str]:
    """A JSON array of strings (also a bare comma list, as clients send); anything else is ``malformed``."""
    text = text.strip()
    try:
        if text.startswith("["):
            value = json_array(text)
        elif any(c in text for c in '{}[]"'):
            raise ValueError(text)
        else:
            value = [v.strip() for v in text.split(",")]
    except ValueError:
        raise malformed from None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise malformed
    return list(dict.fromkeys(value))


def _bind(ctx: Context, key_pair_name: str, instance_ids: str, attach: bool) -> dict:
    """AttachKeyPair / DetachKeyPair: one result per instance; unknown or busy instances fail alone."""
    ids = _json_names(instance_ids, BAD_INSTANCE_IDS)
    if len(ids) > MAX_INSTANCES:
        raise TOO_MANY_INSTANCES
    if access.key_pair(ctx, key_pair_name) is None:
        raise NOT_FOUND
    instances = {i: resources.get(ctx, "instance", i) for i in ids}
    if any(r is not None and resources.is_mine(ctx, r) and r.get("OSType") == "windows" for r in instances.values()):
        raise EcsError("DependencyViolation.WindowsInstance",
                       "The instance creating is windows, cannot use ssh key pair to login"
                       + ("" if attach else "."), 403)
    results = []
    for instance_id, record in instances.items():
        if record is None or not resources.is_mine(ctx, record):
            results.append(_result(instance_id, "InvalidInstanceId.NotFound",
                                   "The specified InstanceId does not exist."))
        elif record["Status"] not in ("Running", "Stopped"):
            results.append(_result(instance_id, "IncorrectInstanceStatus",
                                   "The current status of the resource does not support this operation."))
        else:
            # Attaching replaces the instance's key pair; detaching one it does not carry changes nothing.
            if attach:
                resources.put(ctx.txn, "instance", {**record, "KeyPairName": key_pair_name})
            elif record.get("KeyPairName") == key_pair_name:
                resources.put(ctx.txn, "instance", {**record, "KeyPairName": ""})
            results.append(_result(instance_id, "200", "successful"))
    failed = sum(r["Success"] == "false" for r in results)
    return {"KeyPairName": key_pair_name, "TotalCount": str(len(results)), "FailCount": str(failed),
            "Results": {"Result": results}}


def _result(instance_id: str, code: str, message: str) -> dict:
    return {"InstanceId": instance_id, "Code": code, "Message": message, "Success": str(code == "200").lower()}


@operation("AttachKeyPair", S("KeyPairName", required=True), S("InstanceIds", required=True))
def attach_key_pair(ctx: Context, key_pair_name: str, instance_ids: str) -> dict:
    return _bind(ctx, key_pair_name, instance_ids, attach=True)


@operation("DetachKeyPair", S("KeyPairName", required=True), S("InstanceIds", required=True))
def detach_key_pair(ctx: Context, key_pair_name: str, instance_ids: str) -> dict:
    return _bind(ctx, key_pair_name, instance_ids, attach=False)


@operation("DeleteKeyPairs", S("KeyPairNames", required=True))
def delete_key_pairs(ctx: Context, key_pair_names: str) -> dict:
    names = _json_names(key_pair_names, BAD_NAMES)
    if len(names) > MAX_NAMES:
        raise TOO_MANY_NAMES
    found = [r for r in (access.key_pair(ctx, n) for n in names) if r is not None]
    if any(access.instances_with_key_pair(ctx, r["KeyPairName"]) for r in found):
        raise STILL_ATTACHED
    # [GUESS] names that do not exist are skipped: the metadata documents no error for them.
    for record in found:
        resources.delete(ctx.txn, access.KEY_PAIR, record["KeyPairId"])
    return {}

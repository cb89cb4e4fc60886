"""Verifying request signatures: RPC v1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256, ACS3-HMAC-SM3), spec §1.3-1.4.

Only used in strict signature mode; the default mode trusts whatever key a client sends.
Every signed request carries a nonce; a nonce is remembered as long as its request's time stamp
would be accepted (until ``stamp + MAX_SKEW``), so no replay falls between the two windows.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from calendar import timegm
from typing import Callable, Mapping, Optional
from urllib.parse import quote

from mockecs.wire.errors import EcsError, missing_parameter
from mockecs.wire.protocol import ApiRequest

MAX_SKEW = 15 * 60


def _sm3(data: bytes = b"") -> hashlib._Hash:
    return hashlib.new("sm3", data)


def _has_sm3() -> bool:
    try:
        _sm3()
        return True
    except ValueError:  # an OpenSSL without SM3: such requests are refused as unsupported
        return False


# V3 algorithm name -> the hash of its canonical request, payload and HMAC (the SDKs' own list,
# without ACS3-RSA-SHA256: mockecs holds no public keys).
V3_HASHES: dict[str, Callable[..., hashlib._Hash]] = {"ACS3-HMAC-SHA256": hashlib.sha256}
if _has_sm3():
    V3_HASHES["ACS3-HMAC-SM3"] = _sm3


def pct(s: str) -> str:
    """RFC 3986 percent-encoding with upper-case hex (space -> %20, '*' -> %2A)."""
    return quote(str(s), safe="-_.~")


def v1_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canon = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()) if k != "Signature")
    return f"{method.upper()}&{pct('/')}&{pct(canon)}"


def _v1_sign(sts: str, secret: str) -> str:
    return base64.b64encode(hmac.new((secret + "&").encode(), sts.encode(), hashlib.sha1).digest()).decode()


def v1_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    return _v1_sign(v1_string_to_sign(method, params), secret)


def v3_string_to_sign(req: ApiRequest, signed_headers: str, payload: Optional[str] = None,
                      algorithm: str = "ACS3-HMAC-SHA256") -> str:
    """``payload``: the body's hex digest (with ``algorithm``'s hash), when the caller has it already."""
    digest = V3_HASHES[algorithm]
    if payload is None:
        payload = digest(req.body or b"").hexdigest()
    # An in-process request has no Host header yet (the HTTP stack adds the URL's authority when it connects):
    # the signer signed that authority, which is ``req.host``.
    headers = req.headers if "host" in req.headers else {**req.headers, "host": req.host}
    canon_h = "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed_headers.split(";"))
    canon_q = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(req.query.items()))
    creq = "\n".join([req.method, req.path or "/", canon_q, canon_h, signed_headers, payload])
    return f"{algorithm}\n" + digest(creq.encode()).hexdigest()


def _parse_time(text: str, formats: tuple[str, ...]) -> Optional[float]:
    for fmt in formats:
        try:
            return float(timegm(time.strptime(text, fmt)))
        except ValueError:
            continue
    return None


def _illegal_timestamp(name: str) -> EcsError:
    # The gateway's documented wording for a malformed time stamp reuses the missing-parameter text.
    return EcsError("IllegalTimestamp", missing_parameter(name).message)


_INCOMPLETE = ("IncompleteSignature", "The request signature does not conform to Aliyun standards.")


def verify(req: ApiRequest, secret: str, nonce_seen: Callable[[str, float], bool]) -> None:
    """Raise the gateway's EcsError unless ``req`` is correctly signed with ``secret``.

    ``nonce_seen(nonce, expires) -> bool`` records a nonce until ``expires`` (epoch seconds) and
    tells whether it was already used.
    """
    now = time.time()
    if req.signature_style == "v1":
        p = req.params
        for name in ("Signature", "SignatureNonce", "Timestamp"):
            if not p.get(name):
                raise missing_parameter(name)
        if p.get("SignatureMethod", "HMAC-SHA1") != "HMAC-SHA1":
            raise EcsError("InvalidParameter", 'The specified parameter "SignatureMethod" is not valid.')
        stamp = _parse_time(p["Timestamp"], ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"))
        if stamp is None:
            raise _illegal_timestamp("Timestamp")
        sts = v1_string_to_sign(req.method, p)
        expected = _v1_sign(sts, secret)
        if not hmac.compare_digest(expected, p["Signature"]):
            raise EcsError("SignatureDoesNotMatch",
                           f"Specified signature is not matched with our calculation. server string to sign is:{sts}")
        nonce = p["SignatureNonce"]
    elif req.signature_style == "v3":
        if req.v3_auth is None:
            raise EcsError(*_INCOMPLETE)
        algorithm, _ak, signed, signature = req.v3_auth
        digest = V3_HASHES.get(algorithm)
        names = signed.split(";")
        unsigned = [h for h in req.headers if h.startswith("x-acs-") and h not in names]
        if digest is None or "host" not in names or unsigned:
            raise EcsError(*_INCOMPLETE)
        nonce = req.headers.get("x-acs-signature-nonce", "")
        if not nonce:  # without one a request could be replayed for the whole time stamp window
            raise missing_parameter("x-acs-signature-nonce")
        payload = digest(req.body or b"").hexdigest()
        if req.headers.get("x-acs-content-sha256", payload) != payload:
            raise EcsError("SignatureDoesNotMatch", "Specified signature does not match our calculation.")
        sts = v3_string_to_sign(req, signed, payload, algorithm)
        expected = hmac.new(secret.encode(), sts.encode(), digest).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise EcsError("SignatureDoesNotMatch", "Specified signature does not match our calculation.")
        stamp = _parse_time(req.headers.get("x-acs-date", ""), ("%Y-%m-%dT%H:%M:%SZ",))
        if stamp is None:
            raise _illegal_timestamp("x-acs-date")
    else:
        raise missing_parameter("AccessKeyId")
    if abs(now - stamp) > MAX_SKEW:
        raise EcsError("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
    if nonce_seen(nonce, stamp + MAX_SKEW):
        raise EcsError("SignatureNonceUsed", "Specified signature nonce was used already.")

"""Nothing a test runs reaches the network: what ``mock_ecs`` answers besides ECS and VPC.

- Every other Alibaba Cloud product host (``*.aliyuncs.com``: ``slb.aliyuncs.com``, ``sts.cn-beijing.aliyuncs.com``,
  ``oss-cn-hangzhou.aliyuncs.com``, ...) gets an Alibaba-format error naming the product
  (:func:`product_error`), unless the user lets it through (``mock_ecs(passthrough=["sts.aliyuncs.com"])``).
- The instance metadata server ``100.100.100.200`` answers as an ECS instance with a RAM role does
  (:class:`MetadataServer`): the role's name and STS credentials that the engine accepts (strict signatures
  included), so code on the default credential chain works without keys. It answers as one of the fake's
  instances once told which (``metadata.instance_id = "i-..."``): its own fields, and a spot instance's
  ``instance/spot/termination-time`` while an interruption is pending (:mod:`mockecs.world.spot_interruptions`).
- Fake ``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET`` and the old SDK's ``ALIYUN_ACCESS_KEY_ID``/``_SECRET``
  are set while a mock is active, unless the user set their own (:class:`FakeCredentialsEnv`).
"""
from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import time
from typing import Any, Optional, Union
from urllib.parse import parse_qsl, urlsplit

from mockecs.engine.core import Call, Engine, new_request_id
from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from mockecs.wire.apis import HOST, api_of_host
from mockecs.wire.encoding import render
from mockecs.wire.protocol import HttpResponse
from mockecs.world import instance_metadata

METADATA_HOST = "100.100.100.200"
ALIBABA_HOST = r"(?:[a-z0-9-]+\.)*aliyuncs\.com"
ENGINE_HOST = HOST  # the endpoints of ECS and of the VPC product: the engine answers them
ECS_HOST = ENGINE_HOST  # (its name before the VPC product was answered too; users' code imports it)
ROLE_NAME = "mockecs-ecs-role"
INSTANCE_ID = "i-mockecs0metadata0"
_REGION_SUFFIX = re.compile(r"-(?:cn|ap|eu|us|me|na|sa|rus|ru|jp|uk|in|me)-[a-z0-9-]+$|-(?:vpc|internal|share)$")


def product_of(host: str) -> str:
    """``vpc.cn-hangzhou.aliyuncs.com`` -> ``vpc``; ``oss-cn-hangzhou.aliyuncs.com`` -> ``oss``."""
    label = host.split(".", 1)[0].lower()
    while True:
        stripped = _REGION_SUFFIX.sub("", label)
        if stripped == label or not stripped:
            return label
        label = stripped


@functools.lru_cache(maxsize=1024)  # a server sees few hosts; this runs on each of its requests
def other_product(host: str) -> bool:
    """Whether ``host`` (``name[:port]``) is an Alibaba Cloud endpoint of a product the engine does not answer."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.lower().endswith(".aliyuncs.com") and api_of_host(name) is None


def product_error(method: str, url: str, headers: Any = None, body: bytes = b"") -> HttpResponse:
    """The answer to a call of another Alibaba Cloud product: ``InvalidAction.NotImplemented`` (400, like an
    ECS action mockecs lacks), naming the product and how to let the call through."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if isinstance(body, (bytes, bytearray)) and body and b"=" in body[:200]:
        query.update(parse_qsl(bytes(body).decode("utf-8", "replace")))
    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    action = query.get("Action") or lowered.get("x-acs-action") or ""
    product = product_of(host)
    request_id = new_request_id()
    message = (f"mockecs fakes ECS and VPC only: the {product} API at {host}"
               + (f" (action {action})" if action else "")
               + f" is not faked, and the network is not reached from inside mock_ecs. Let it through with "
                 f"mock_ecs(passthrough=[{host!r}]) or mock it yourself.")
    fmt = "XML" if query.get("Format", "").upper() == "XML" else "JSON"
    error = {"HostId": host, "Code": "InvalidAction.NotImplemented", "Message": message,
             "Recommend": f"https://api.alibabacloud.com/troubleshoot?q=InvalidAction.NotImplemented"
                          f"&product={product}&requestId={request_id}"}
    response = render(400, error, fmt, "Error", request_id)
    # (for the server's access log: the product's host and action, not "GET /"; never in the call record)
    response.call = Call(f"{action}@{host}" if action else host, {}, None, None, 400, error["Code"], request_id,
                         time.time())
    return response


def _text(status: int, text: Union[str, bytes], ctype: str = "text/plain") -> HttpResponse:
    return HttpResponse(status, {"Content-Type": ctype}, text.encode("utf-8") if isinstance(text, str) else text)


TOKEN_HEADER = "x-aliyun-ecs-metadata-token"
TTL_HEADER = "x-aliyun-ecs-metadata-token-ttl-seconds"
MAX_TTL = 21600  # documented: the token's TTL, 1 to 21600 seconds
_VERSION = re.compile(r"^(?:latest|\d{4}-\d\d-\d\d)$")  # (cloud-init reads 2016-01-01/; latest is documented)
# Tokens are signed, not kept: made at import, before `mockecs server --workers N` forks, the key is every worker's.
_TOKEN_KEY = secrets.token_bytes(32)


def _signed(body: str) -> str:
    return hmac.new(_TOKEN_KEY, body.encode(), hashlib.sha256).hexdigest()


class MetadataServer:
    """``http://100.100.100.200/`` as seen from an ECS instance: normal mode and security hardening mode (a token
    from ``PUT /latest/api/token``, sent back in ``X-aliyun-ecs-metadata-token``; required when the instance's
    ``HttpTokens`` is ``required``), ``meta-data/`` as a tree (:mod:`mockecs.world.instance_metadata`) and as one
    JSON document (``meta-data/all``), ``user-data`` (RunInstances' UserData, base64-decoded), ``vendor-data``
    (:attr:`vendor_data`, none by default) and ``dynamic/instance-identity/document``, under ``latest/`` or a
    dated version.

    ``instance_id``: the fake's instance it answers as (None: a made-up one, :data:`INSTANCE_ID`, with the RAM role
    :data:`ROLE_NAME`). A role's STS credentials belong to the instance's account (the made-up one's: the engine's
    default account); they are registered with the engine when handed out (again on each fetch, so a ``reset`` in
    between does not orphan them).
    """

    def __init__(self, engine: Engine, instance_id: Optional[str] = None) -> None:
        self.engine = engine
        self.instance_id = instance_id
        self.vendor_data: Optional[bytes] = None
        self.credentials = {"AccessKeyId": "STS.mockecs" + secrets.token_hex(8),
                            "AccessKeySecret": secrets.token_urlsafe(24),
                            "SecurityToken": "mockecs-sts-token-" + secrets.token_urlsafe(32)}

    def _made_up(self) -> dict[str, Any]:
        region = self.engine.config.region
        return {"instance-id": INSTANCE_ID, "region-id": region, "zone-id": f"{region}-a",
                "owner-account-id": self.engine.accounts.default_account_id, "hostname": INSTANCE_ID,
                "private-ipv4": "172.16.0.10", "mac": "00:16:3e:00:00:01", "network-type": "vpc",
                "instance": {"instance-type": "ecs.g7.large", "instance-name": INSTANCE_ID},
                "image-id": "aliyun_3_x64_20G_alibase_20240819.vhd",
                "ram": {"security-credentials": {ROLE_NAME: ""}}}

    def _instance(self) -> tuple[dict[str, Any], dict[str, Any], bytes]:
        """(meta-data tree, metadata options, user data) of the instance answered as (read as stored: a pending
        reclaim whose time has passed is over; an instance gone, released or reset away, leaves the made-up one)."""
        if self.instance_id:
            with self.engine.store.transaction() as txn:
                record = txn.get("instance", self.instance_id)
                if record is not None:
                    tree = instance_metadata.meta_data(txn, record, self.engine.clock.now(), record.get("_ram_role"))
                    user_data = base64.b64decode(record["_user_data"]) if record.get("_user_data") else b""
                    return tree, record.get("MetadataOptions") or {}, user_data
        return self._made_up(), {}, b""

    def _token(self, headers: dict[str, str]) -> HttpResponse:
        if "x-forwarded-for" in headers:  # documented: a token request through a proxy is refused
            return _text(403, "Forbidden")
        ttl = headers.get(TTL_HEADER, "")
        if not ttl.strip().isdigit() or not 1 <= int(ttl) <= MAX_TTL:
            return _text(400, "Missing or Invalid Parameters")
        expires_ms = int((self.engine.clock.now() + int(ttl)) * 1000)  # (on the mock clock)
        body = f"{expires_ms}-{secrets.token_hex(8)}"
        token = f"{body}.{_signed(body)}"
        return HttpResponse(200, {"Content-Type": "text/plain", "X-aliyun-ecs-metadata-token-ttl-seconds": ttl.strip()},
                            token.encode())

    def answer(self, method: str, url: str, headers: Any = None) -> HttpResponse:
        path = urlsplit(url).path
        # (requests sends bytes values as they are: cloud-init's token is the bytes it read)
        headers = {str(k).lower(): v.decode("latin-1") if isinstance(v, bytes) else str(v)
                   for k, v in (headers or {}).items()}
        tree, options, user_data = self._instance()
        if options.get("HttpEndpoint") == "disabled":
            return _text(403, "Forbidden")
        if path == "/latest/api/token":
            return self._token(headers) if method == "PUT" else _text(405, "Method Not Allowed")
        if method not in ("GET", "HEAD"):
            return _text(405, "Method Not Allowed")
        token = headers.get(TOKEN_HEADER)
        if token is not None and not self._valid(token):
            return _text(401, "Unauthorized")  # (unknown or expired)
        if token is None and options.get("HttpTokens") == "required":
            return _text(401, "Unauthorized")  # documented: security hardening mode only
        return self._read(path, tree, user_data)

    def _read(self, path: str, tree: dict[str, Any], user_data: bytes) -> HttpResponse:
        """The answer to a GET of ``path`` (``/<version>/...``) by the instance whose meta-data is ``tree``."""
        version, _, rest = path.lstrip("/").partition("/")
        if not version:
            return _text(200, "latest")
        if not _VERSION.match(version):
            return _text(404, "Not Found")
        top = {"meta-data": {}, "dynamic": {}, **({"user-data": ""} if user_data else {}),
               **({"vendor-data": ""} if self.vendor_data else {})}
        section, _, name = rest.partition("/")
        if not section:
            return _text(200, instance_metadata.listing(top))
        if section in ("user-data", "vendor-data") and section in top and not name:
            return _text(200, user_data if section == "user-data" else self.vendor_data or b"",
                         "application/octet-stream")
        if section == "dynamic":
            dynamic = {"instance-identity": {"document": instance_metadata.identity_document(tree)}}
            return self._node(instance_metadata.lookup(dynamic, name))
        if section != "meta-data":
            return _text(404, "Not Found")
        if name.strip("/") == "all":  # the whole tree as JSON (cloud-init 24.x reads it first; no credentials)
            return _text(200, json.dumps({k: v for k, v in tree.items() if k != "ram"}), "application/json")
        role = name.strip("/").split("/")
        if len(role) == 3 and role[:2] == ["ram", "security-credentials"] and role[2] in \
                (instance_metadata.lookup(tree, "ram/security-credentials") or {}):
            account = tree["owner-account-id"]
            return _text(200, json.dumps(self._role_credentials(account)), "application/json")
        return self._node(instance_metadata.lookup(tree, name))

    def _valid(self, token: str) -> bool:
        body, _, signature = token.rpartition(".")
        if not hmac.compare_digest(_signed(body).encode(), signature.encode("utf-8", "replace")):
            return False
        return int(body.split("-", 1)[0]) > self.engine.clock.now() * 1000  # (signed: a number we wrote)

    @staticmethod
    def _node(node: Any) -> HttpResponse:
        if node is None:
            return _text(404, "Not Found")
        return _text(200, instance_metadata.listing(node) if isinstance(node, dict) else node)

    def _role_credentials(self, account: Optional[str] = None) -> dict[str, str]:
        creds = self.credentials
        self.engine.accounts.add_key(account or self.engine.accounts.default_account_id, creds["AccessKeyId"],
                                     creds["AccessKeySecret"], creds["SecurityToken"])
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        return {"Code": "Success", **creds,
                "Expiration": (now + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ")}

    def urlopen(self, url: Any, *args: Any, **kwargs: Any) -> Any:
        """``urllib.request.urlopen`` for the old SDK's ECS RAM role signer."""
        import io
        import urllib.error

        url = getattr(url, "full_url", url)
        resp = self.answer("GET", url)
        if resp.status >= 400:
            raise urllib.error.HTTPError(url, resp.status, resp.body.decode(), {}, io.BytesIO(resp.body))
        return io.BytesIO(resp.body)


class AttributePatch:
    """``setattr`` until :meth:`stop` (``unittest.mock.patch.object`` without importing unittest.mock and
    asyncio at ``import mockecs`` time)."""

    _MISSING = object()

    def __init__(self, owner: Any, name: str, value: Any) -> None:
        self.owner, self.name, self.value = owner, name, value
        self.saved: Any = self._MISSING

    def start(self) -> AttributePatch:
        self.saved = self.owner.__dict__.get(self.name, self._MISSING) if hasattr(self.owner, "__dict__") \
            else getattr(self.owner, self.name, self._MISSING)
        setattr(self.owner, self.name, self.value)
        return self

    def stop(self) -> None:
        if self.saved is self._MISSING:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self.saved)


_ENV_PAIRS = (("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
              ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET"))  # current SDKs' credential chain; old SDK
_AUTH_UTIL = "alibabacloud_credentials.utils.auth_util"  # reads the variables once, when first imported


class FakeCredentialsEnv:
    """Fake access keys in the environment while a mock is active, for code that reads its keys from there.

    A pair the user set (either half) is left alone; ours are removed on :meth:`stop`.
    """

    def __init__(self) -> None:
        self._set: list[str] = []
        self._patches: list[Any] = []

    def start(self) -> FakeCredentialsEnv:
        for key_var, secret_var in _ENV_PAIRS:
            if os.environ.get(key_var) or os.environ.get(secret_var):
                continue
            os.environ[key_var], os.environ[secret_var] = DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
            self._set += [key_var, secret_var]
        auth_util = sys.modules.get(_AUTH_UTIL)
        if auth_util is not None and "ALIBABA_CLOUD_ACCESS_KEY_ID" in self._set:
            for attr, value in (("environment_access_key_id", DEFAULT_ACCESS_KEY_ID),
                                ("environment_access_key_secret", DEFAULT_ACCESS_KEY_SECRET)):
                if not getattr(auth_util, attr, None):
                    self._patches.append(AttributePatch(auth_util, attr, value).start())
        return self

    def stop(self) -> None:
        while self._patches:
            self._patches.pop().stop()
        for var in self._set:
            os.environ.pop(var, None)
        self._set = []


def intercept_pattern(engine_alternatives: list[str], passthrough_hosts: tuple[str, ...]) -> re.Pattern:
    """One URL pattern for everything a mock answers: the engine's hosts (group ``ecs``: ECS, VPC and the
    user's), then any other Alibaba Cloud host and the metadata server; the hosts let through are none of
    them (a user who lets ``vpc.aliyuncs.com`` through gets the network, not the engine)."""
    others = f"{ALIBABA_HOST}|{re.escape(METADATA_HOST)}"
    let_through = ""
    if passthrough_hosts:
        let_through = r"(?!(?:{})(?::\d+)?(?:[/?]|$))".format("|".join(re.escape(h) for h in passthrough_hosts))
    # (the alternatives are tried in order, the engine's first)
    return re.compile(r"^https?://{}(?:(?P<ecs>{})|{})(?::\d+)?(?:[/?]|$)".format(
        let_through, "|".join(engine_alternatives), others), re.IGNORECASE)


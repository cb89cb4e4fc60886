"""Accounts and their credentials: the AccessKeyId (or STS token) of a request decides the account."""
from __future__ import annotations

import heapq
import threading
import time
from typing import Any, Callable, Optional

from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.records import record

DEFAULT_ACCOUNT_ID = "1234567890123456"
DEFAULT_ACCESS_KEY_ID = "mockecs-access-key-id"
DEFAULT_ACCESS_KEY_SECRET = "mockecs-access-key-secret"
_TOKEN_MISMATCH = error_kind("InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey.")


_ACCOUNT_ID_RULE = "an Alibaba Cloud account id has 16 digits"


def _account_id(value: Any) -> bool:
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 16


def check_key(key: Any, where: str) -> None:
    """Raise ValueError naming the field of a key entry (``{account_id, access_key_id, ...}``) that is wrong."""
    if not isinstance(key, dict):
        raise ValueError(f"{where} must be an object {{account_id, access_key_id, access_key_secret}}")
    if not _account_id(key.get("account_id")):
        raise ValueError(f"{where}.account_id: {_ACCOUNT_ID_RULE}, not {key.get('account_id')!r}")
    if not isinstance(key.get("access_key_id"), str) or not key["access_key_id"]:
        raise ValueError(f"{where}.access_key_id must be a non-empty string")
    if not isinstance(key.get("access_key_secret"), str):
        raise ValueError(f"{where}.access_key_secret must be a string")
    if key.get("security_token") is not None and not isinstance(key["security_token"], str):
        raise ValueError(f"{where}.security_token must be a string")


@record(frozen=True)
class Credential:
    access_key_id: str
    access_key_secret: str
    account_id: str
    security_token: Optional[str] = None


class Accounts:
    """Registered accounts and keys. Unknown keys map to the default account unless strict."""

    def __init__(self, default_account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self._lock = threading.Lock()
        self.default_account_id = default_account_id
        self._base: tuple[dict, dict, set] = ({}, {}, set())
        self._keys: dict[str, Credential] = {}
        self._tokens: dict[str, Credential] = {}
        self._ids: set[str] = set()
        # Called with ("account", id) / ("key", Credential) for what is added after freeze_base():
        # the engine writes those to its store, so a persistent store keeps them across restarts.
        self.on_add: Optional[Callable[[str, Any], None]] = None
        self.add_account(default_account_id)
        self.add_key(default_account_id, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        self._nonces: dict[str, float] = {}  # nonce -> when it may be forgotten
        self._nonce_heap: list[tuple[float, str]] = []

    def add_account(self, account_id: str) -> str:
        account_id = str(account_id)
        if not _account_id(account_id):
            raise ValueError(f"{_ACCOUNT_ID_RULE}, not {account_id!r}")
        with self._lock:
            new = account_id not in self._ids
            self._ids.add(account_id)
        if new and self.on_add is not None:
            self.on_add("account", account_id)
        return account_id

    def add_key(self, account_id: str, access_key_id: str, access_key_secret: str,
                security_token: Optional[str] = None) -> Credential:
        account_id = self.add_account(account_id)
        cred = Credential(access_key_id, access_key_secret, account_id, security_token)
        with self._lock:
            self._keys[access_key_id] = cred
            if security_token:
                self._tokens[security_token] = cred
        if self.on_add is not None:
            self.on_add("key", cred)
        return cred

    def exists(self, account_id: str) -> bool:
        return str(account_id) in self._ids

    def account_ids(self) -> list[str]:
        return sorted(self._ids)

    def credentials(self) -> list[Credential]:
        return list(self._keys.values())

    def resolve(self, access_key_id: Optional[str], security_token: Optional[str],
                strict: bool) -> Optional[Credential]:
        """The credential a request speaks for; None means 'unknown key, default account'."""
        by_token = self._tokens.get(security_token) if security_token else None
        cred = by_token or (self._keys.get(access_key_id) if access_key_id else None)
        if not strict:
            return cred
        if cred is None:
            if not access_key_id:
                raise missing_parameter("AccessKeyId")
            raise EcsError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        # An STS token speaks only with the AccessKeyId it was issued with, and an STS key only with its token.
        if (security_token or cred.security_token) and (
                by_token is None or by_token.access_key_id != access_key_id):
            raise _TOKEN_MISMATCH
        return cred

    def nonce_seen(self, nonce: str, expires: float) -> bool:
        """Record ``nonce`` until ``expires`` (epoch seconds); True if it is already recorded.

        Expired nonces leave from the front of a heap ordered by expiry: each request costs
        O(log n) whatever the number of live nonces (a table rebuilt past 10,000 cost 10x)."""
        now = time.time()
        with self._lock:
            nonces, heap = self._nonces, self._nonce_heap
            while heap and heap[0][0] <= now:
                when, old = heapq.heappop(heap)
                if nonces.get(old) == when:
                    del nonces[old]
            if nonce in nonces:
                return True
            nonces[nonce] = expires
            heapq.heappush(heap, (expires, nonce))
            return False

    # Accounts registered at run time are dropped by a reset; those configured up front stay.
    def freeze_base(self) -> None:
        with self._lock:
            self._base = (dict(self._keys), dict(self._tokens), set(self._ids))

    def reset(self) -> None:
        with self._lock:
            keys, tokens, ids = self._base
            if keys:
                self._keys, self._tokens, self._ids = dict(keys), dict(tokens), set(ids)
            self._nonces.clear()
            self._nonce_heap.clear()

    def export(self) -> dict:
        with self._lock:  # copied under the lock: a worker thread may be adding a key
            return {"accounts": sorted(self._ids), "keys": [dict(vars(c)) for c in self._keys.values()]}

    @staticmethod
    def check_import(data: Any, where: str = "accounts") -> None:
        """Raise ValueError naming the first malformed part of an :meth:`export` dump (nothing is added)."""
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be an object {{accounts: [...], keys: [...]}}")
        ids, keys = data.get("accounts", []), data.get("keys", [])
        if not isinstance(ids, list):
            raise ValueError(f"{where}.accounts must be a list of account ids")
        for n, account_id in enumerate(ids):
            if not _account_id(account_id):
                raise ValueError(f"{where}.accounts[{n}]: {_ACCOUNT_ID_RULE}, not {account_id!r}")
        if not isinstance(keys, list):
            raise ValueError(f"{where}.keys must be a list of keys")
        for n, key in enumerate(keys):
            check_key(key, f"{where}.keys[{n}]")

    def import_(self, data: dict) -> None:
        for account_id in data.get("accounts", ()):
            self.add_account(account_id)
        for key in data.get("keys", ()):
            self.add_key(key["account_id"], key["access_key_id"], key["access_key_secret"], key.get("security_token"))

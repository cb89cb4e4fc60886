"""The one request handler behind the decorator, the fixtures and the server.

``Engine.handle(HttpRequest) -> HttpResponse``: decode the wire shape, run the gateway
checks (action, version, credentials, signature), validate the declared parameters,
resolve the region, run the handler in one store transaction, encode JSON or XML.
"""
from __future__ import annotations

import importlib
import itertools
import json
import logging
import os
import threading
import time
from dataclasses import field
from functools import partial
from typing import Any, Callable, Mapping, Optional

import mockecs.ops  # noqa: F401  (registers the operations; the lazy ones load on first call: registry.load)
from mockecs.engine.actions import known_action
from mockecs.engine.config import Config, SettingError
from mockecs.engine.shared import Moved, Shared
from mockecs.ops.registry import REGISTRIES, REGISTRY, Context, Operation, declared, load, spelled
from mockecs.state.accounts import Accounts
from mockecs.state.builtin_plugins import MemoryStorePlugin
from mockecs.state.plugins import make_store, plugin_manager
from mockecs.state.store import check_exported, expect_reads, flush, may_conflict, put_exported, read_soon, run
from mockecs.wire import oss as oss_wire
from mockecs.wire.apis import ECS, api_of
from mockecs.wire.encoding import Frozen, error_body, plain, render, to_json
from mockecs.wire.errors import ACTION_NOT_FOUND, EcsError, missing_parameter, not_implemented
from mockecs.wire.protocol import ApiRequest, HttpRequest, HttpResponse, decode
from mockecs.wire.records import record
from mockecs.wire.signing import verify
from mockecs.world import catalog, ids, regions, resources
from mockecs.world.cache import RecordCache
from mockecs.world.catalog import BuiltinCatalogPlugin, Catalog
from mockecs.world.clock import Clock, check_offset
from mockecs.world.commands import BuiltinCommandPlugin
from mockecs.world.context import TimedContext
from mockecs.world.lifecycle import Lifecycle
from mockecs.world.oss import BuiltinOssPlugin
from mockecs.world.resources import check_records, reindexed
from mockecs.world.validation import check_number, check_text

log = logging.getLogger("mockecs")


class Replay(Exception):
    """A ClientToken seen before: its stored response (None: the same token with other parameters)."""

    def __init__(self, response: Optional[Mapping[str, Any]]) -> None:
        self.response = response


MOVED_ATTEMPTS = 20  # a request that finds the shared state changed this often under it answers a 500
# The answer memo's bound (Engine._keep): answers kept while nothing is written, emptied when either is reached.
MEMO_ENTRIES, MEMO_BYTES = 512, 4 << 20
# What a v1 signature adds to a request's parameters, new on every call: left out of the memo's key.
_SIGNING = frozenset(("Signature", "SignatureNonce", "Timestamp"))
_HEX = frozenset("0123456789abcdefABCDEF")
_RAW_BYTES = 4096  # a request longer than this (URL and body) is not remembered by its raw form


def _raw_key(http: HttpRequest) -> Optional[tuple]:
    """Everything of a request that :func:`decode` reads, but a V3 signature's value (new on every call): two
    requests with the same key decode alike. None: a request the memo does not know by its raw form (an
    Authorization header without a V3 signature to leave out; its decoding would depend on more)."""
    headers = http.headers
    auth = headers.get("authorization", "")
    if auth:
        at = auth.rfind(",Signature=")
        if at < 0 or auth[at + 11:at + 12] not in _HEX:  # (decode's pattern needs a hex digit there)
            return None
        auth = auth[:at]
    return (http.method, http.url, http.body, headers.get("host"), headers.get("x-acs-action"),
            headers.get("x-acs-version"), headers.get("content-type"), headers.get("accept"), auth,
            headers.get("x-acs-accesskey-id"), headers.get("x-acs-security-token"))
BUILTIN_PLUGINS = (MemoryStorePlugin, BuiltinCatalogPlugin, BuiltinOssPlugin, BuiltinCommandPlugin)


@record
class Call:
    """One answered request, for assertions (``engine.calls``)."""

    action: Optional[str]
    params: dict[str, str]
    account: Optional[str]
    region: Optional[str]
    status: int
    error_code: Optional[str]
    request_id: str
    time: float
    size: int = field(default=0, repr=False, compare=False)  # bytes it counts for in the record's bound
    latency_ms: float = 0.0  # time the engine took to answer

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__, params=dict(self.params))
        del out["size"]
        return out


# The call record's bound, in one place (a long-running server must not grow with its traffic):
# at most ``max_calls`` calls and about ``max_call_bytes`` bytes; a recorded value longer than
# CALL_VALUE_CHARS is cut (with a note of how much), and at most CALL_PARAMS parameters are kept.
CALL_VALUE_CHARS = 1024
CALL_PARAMS = 200
_CALL_OVERHEAD = 300  # bytes a Call and its fixed fields take besides its parameters
TRUNCATED = "_mockecs_truncated"  # the parameter that says what was left out


def recorded_params(params: dict[str, str], raw_size: int) -> tuple[dict[str, str], int]:
    """A request's parameters as the call record keeps them, and their approximate size in bytes.

    ``raw_size`` (the request's URL and body length) bounds the parameters' text, so small requests,
    nearly all of them, are copied without looking at each value (the engine inlines that case)."""
    if raw_size <= CALL_VALUE_CHARS:
        return dict(params), raw_size + _CALL_OVERHEAD
    kept: dict[str, str] = {}
    size = cut = 0
    for n, (key, value) in enumerate(params.items()):
        if n == CALL_PARAMS:
            kept[TRUNCATED] = f"{len(params) - n} more parameters left out"
            break
        key = key[:CALL_VALUE_CHARS]
        if len(value) > CALL_VALUE_CHARS:
            cut += 1
            value = f"{value[:CALL_VALUE_CHARS]}...[{len(value) - CALL_VALUE_CHARS} more characters]"
        kept[key] = value
        size += len(key) + len(value)
    return kept, size + _CALL_OVERHEAD


class CallRecord(list):
    """``engine.calls``: a list of :class:`Call`, oldest first, trimmed (in batches) to the config's
    ``max_calls`` and ``max_call_bytes``; ``bytes`` is the record's approximate size."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0
        self._lock = threading.Lock()

    def add(self, call: Call, config: Config) -> None:
        # Per request: no lock (an append is atomic; ``bytes`` may be a little off under threads).
        # (Engine._answer does the same inline, for ECS calls: keep the two alike.)
        self.append(call)
        self.bytes += call.size
        if self.bytes > config.max_call_bytes or len(self) > config.max_calls + config.max_calls // 4:
            self._trim(config.max_calls, config.max_call_bytes * 3 // 4)

    def _trim(self, max_calls: int, budget: int) -> None:
        with self._lock:
            keep, total, count = 0, 0, len(self)  # the newest calls within both bounds, trimmed in a batch
            for n in range(count - 1, -1, -1):
                size = self[n].size
                if keep >= max_calls or total + size > budget:
                    break
                keep, total = keep + 1, total + size
            del self[:count - keep]
            self.bytes = total

    def clear(self) -> None:
        with self._lock:
            super().clear()
            self.bytes = 0


@record
class Fault:
    """An injected answer: an error ``code`` (or only ``latency``) for ``times`` matching calls."""

    action: str  # "*" for any
    code: Optional[str] = None
    message: str = "Injected by mockecs."
    status: int = 400
    times: Optional[int] = 1  # None: every call
    latency: float = 0.0
    account: Optional[str] = None


_UUID4_CLEAR, _UUID4_SET = 0xFFFFFFFFFFFF0FFF3FFFFFFFFFFFFFFF, 0x00000000000040008000000000000000
_SPREAD = 0x9E3779B97F4B  # odd: multiplying by it permutes the 48-bit numbers


def _fresh_ids() -> None:
    global _id_prefix, _id_count
    h = f"{int.from_bytes(os.urandom(16), 'big') & _UUID4_CLEAR | _UUID4_SET:032X}"
    _id_prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
    _id_count = itertools.count(int.from_bytes(os.urandom(6), "big"))


_fresh_ids()
os.register_at_fork(after_in_child=_fresh_ids)  # forked servers/workers differ


def new_request_id() -> str:
    """An upper-case UUID4 (``473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E``): request ids must be unique,
    not unguessable, so a random prefix per process and a counter spread over the last 48 bits
    (a permutation, hence unique for 2**48 calls) stand in for uuid4()'s system call per request."""
    return f"{_id_prefix}{next(_id_count) * _SPREAD & 0xFFFFFFFFFFFF:012X}"


class Engine:
    def __init__(self, config: Optional[Config] = None, store: Any = None, plugins: Any = None) -> None:
        self.config = config or Config()
        self.plugins = plugins or plugin_manager(BUILTIN_PLUGINS)
        seed = self.config.seed
        if seed is not None and (not self.config.store.startswith("memory:") if store is None else
                                 getattr(store, "shared", False)):  # (checked before a store file is made)
            raise SettingError(f"seed: needs the memory store (memory://), not {self.config.store}: engines sharing "
                               f"a store would make the same ids")
        self.store = store if store is not None else make_store(self.config.store, self.plugins)
        # (a seeded engine makes its ids from its own source: mockecs.world.ids)
        self.ids: Optional[ids.Source] = None if seed is None else ids.Source(seed)
        self._retried = may_conflict(self.store)  # a transaction may be run again: handlers get copies
        self.accounts = Accounts()
        # Frozen unless options["clock"] == "running" (`mockecs server` sets it for "auto"): tests
        # advance it exactly (engine.clock.advance), never with wall time.
        self.clock = Clock(frozen_of=lambda: self.config.options["clock"] != "running")
        self.lifecycle = Lifecycle(mode_of=lambda: self.config.transitions, clock=self.clock.now)
        self.catalog = self._load_catalog()
        for account_id in self.catalog.account_ids():
            self.accounts.add_account(account_id)
        self.calls = CallRecord()
        self.record_cache = RecordCache()  # decoded records and encoded views, by their stored form
        self.faults: list[Fault] = []
        self._fault_lock = threading.Lock()
        self.operations = REGISTRY
        self.plugins.hook.mockecs_configure_engine(engine=self)
        self.accounts.freeze_base()
        self._index_again()
        self._load_persisted()
        # On a store other engines share, the clock, lifecycle settings, faults and run-time accounts
        # live there too (mockecs.engine.shared); in memory they stay in this engine.
        self.shared = Shared(self, Fault) if getattr(self.store, "shared", False) else None
        # Answers of the operations declared ``memo`` (DescribeImages), by request, kept while the store holds
        # still (``store.written``: a store in this process that says when it is written; others keep none).
        self._memo: Optional[dict] = {} if self.shared is None and hasattr(self.store, "written") else None
        self._memo_at: tuple = ()
        self._memo_bytes = 0
        # The requests answered from the memo or kept in it, by their raw form (_raw_key): a V3 or unsigned request
        # sent again is answered without decoding it (_kept_again). v1 requests, signed in their parameters, never
        # come again alike.
        self._raw: dict[tuple, tuple[ApiRequest, tuple, str]] = {}

    def _index_again(self) -> None:
        """A store written by an older mockecs (records without sort keys, terms or the tag index this
        version derives) is indexed again, once, in one transaction (see :data:`resources.INDEX_VERSION`).
        Only persistent stores can hold such records (a memory store starts empty)."""
        if not getattr(self.store, "shared", False):
            return

        def work(txn: Any) -> None:
            if resources.index_version(txn) < resources.INDEX_VERSION:
                count = resources.reindex(txn)
                if count:
                    log.info("mockecs: indexed %d records of an older store again (index version %d)",
                             count, resources.INDEX_VERSION)

        run(self.store, work)

    # Accounts, keys and the clock offset added at run time live in the store too (kinds below),
    # so that a persistent store keeps them across restarts and a reset forgets them.
    def _load_persisted(self) -> None:
        with self.store.transaction() as txn:
            self.accounts.import_({"accounts": [account_id for account_id, _ in txn.scan("mockecs_account")],
                                   "keys": [key for _, key in txn.scan("mockecs_key")]})
            clock = txn.get("mockecs_meta", "clock")
        if clock:
            self.clock.advance(clock["offset"])
        self.accounts.on_add = self._persist_account
        self.clock.on_change = self._persist_clock

    def _persist_account(self, what: str, value: Any) -> None:
        def write(txn: Any) -> None:
            if what == "account":
                txn.put("mockecs_account", value, {"account_id": value})
            else:
                txn.put("mockecs_key", value.access_key_id, dict(vars(value)))
            if self.shared is not None:
                self.shared.changed(txn)

        run(self.store, write)

    def _persist_clock(self, offset: float) -> None:
        with self.store.transaction() as txn:
            txn.put("mockecs_meta", "clock", {"offset": offset})

    def _load_catalog(self) -> Catalog:
        if not self.config.catalog:
            return catalog.EMPTY
        hook = self.plugins.hook
        files = [f for group_ in hook.mockecs_catalog_files() for f in group_]
        files += list(self.config.catalog_files)
        entries = [e for group_ in hook.mockecs_catalog_entries() for e in group_]
        return catalog.load(files, entries)

    # -- control ---------------------------------------------------------------------
    def reset(self) -> None:
        """Forget all state a test created; the read-only catalog stays loaded."""
        self.store.reset()
        self.record_cache.clear()
        if self._memo is not None:
            self._memo.clear()
            self._raw.clear()
        if self.ids is not None:
            self.ids.seed(self.config.seed)  # (the same ids again, from the start)
        if getattr(self.store, "shared", False):
            run(self.store, resources.mark_indexed)  # (an empty store is indexed as this version does)
        self.accounts.reset()
        self.clock.reset()
        self.lifecycle.reset()
        self.calls.clear()
        with self._fault_lock:
            self.faults = []
        if self.shared is not None:
            self.shared.stamp = None  # (the store's stamp went with the reset)

    def inject(self, action: str = "*", code: Optional[str] = None, message: Optional[str] = None,
               status: int = 400, times: Optional[int] = 1, latency: float = 0.0,
               account: Optional[str] = None) -> Fault:
        """Make the next ``times`` calls of ``action`` fail with ``code`` (or only wait ``latency``).

        Every argument is checked first (ValueError naming it): a fault with ``times="abc"`` or
        ``status="abc"`` used to answer every later call with a 500."""
        check_text(action, "action", optional=False)
        for name, text in (("code", code), ("message", message), ("account", account)):
            check_text(text, name)
        if times is not None:
            check_number(times, "times", 1, 1_000_000_000, whole=True)
        check_number(status, "status", 400, 599, whole=True)
        check_number(latency, "latency (seconds)", 0, 600)
        if action != "*" and not declared(action):
            # A misspelt action would never fire and the test would pass for the wrong reason.
            if not known_action(action) and not known_action(action, "vpc") and action not in oss_wire.ACTIONS:
                raise ValueError(f"no ECS, VPC or OSS action is named {action!r}")
        if code == "Throttling" and message is None:
            message = "Request was denied due to user flow control."
        fault = Fault(action, code, message or "Injected by mockecs.", status, times, latency, account)

        def change() -> Fault:
            with self._fault_lock:
                self.faults.append(fault)
            return fault

        return self._change_faults(change)

    def clear_faults(self) -> None:
        def change() -> None:
            with self._fault_lock:
                self.faults = []

        self._change_faults(change)

    def _change_faults(self, change: Callable[[], Any]) -> Any:
        return change() if self.shared is None else self.shared.update("faults", change)

    def export_state(self) -> dict:
        """Everything a test created, as JSON: store records, accounts and keys, the clock offset."""
        # The engine's own kinds (accounts, keys, clock) are given under their own keys, not as records.
        records = {kind: recs for kind, recs in self.store.export().items()
                   if not kind.startswith("mockecs_") and kind not in resources.DERIVED}
        return {"store": records, "accounts": self.accounts.export(), "clock_offset": self.clock.offset}

    def import_state(self, data: dict, replace: bool = True) -> None:
        """Load an :meth:`export_state` dump; ``replace`` drops records absent from it, in the same transaction.

        Everything is checked first (ValueError naming the field): a refused import changes nothing."""
        if not isinstance(data, dict):
            raise ValueError("the state must be an object {store, accounts, clock_offset}")
        records = data.get("store") or {}
        check_exported(records)
        if any(str(kind).startswith("mockecs_") for kind in records):  # given as accounts and clock_offset
            raise ValueError("store: the engine's own kinds (mockecs_...) are not imported as records")
        check_records(records)
        Accounts.check_import(data.get("accounts") or {})
        if "clock_offset" in data:
            check_offset(data["clock_offset"], "clock_offset")
        kinds = set(self.store.export()) | set(records) if replace else set()
        with self.store.transaction() as txn:
            for kind in kinds:
                for id, _ in txn.scan(kind):
                    if id not in records.get(kind, {}):
                        txn.delete(kind, id)
            # (today's terms, whatever version wrote the dump; the tag pairs rebuilt from the records)
            put_exported(txn, reindexed({kind: recs for kind, recs in records.items()
                                         if kind not in resources.DERIVED}))
            resources.index_pairs(txn, mark=getattr(self.store, "shared", False))
        if replace:
            self.accounts.reset()
        self.accounts.import_(data.get("accounts") or {})
        if "clock_offset" in data:
            self.clock.advance(float(data["clock_offset"]) - self.clock.offset)

    @staticmethod
    def _suffer(fault: Optional[Fault], error: type[EcsError]) -> None:
        """What a fault taken for a call does: wait its latency, then answer its error (in the API's own form)."""
        if fault is None:
            return
        if fault.latency:
            time.sleep(fault.latency)
        if fault.code:
            raise error(fault.code, fault.message, fault.status)

    def _take_fault(self, action: str, account: Optional[str]) -> Optional[Fault]:
        def change() -> Optional[Fault]:
            with self._fault_lock:
                for fault in self.faults:
                    if fault.action in ("*", action) and fault.account in (None, account):
                        if fault.times is not None:
                            fault.times -= 1
                            if fault.times <= 0:
                                self.faults.remove(fault)
                        return fault
            return None

        return self._change_faults(change)

    # -- the request path -------------------------------------------------------------
    def handle(self, http: HttpRequest) -> HttpResponse:
        source = self.ids
        if source is None:  # (new_request_id(), inlined: one call less per request)
            return self._answer(http, f"{_id_prefix}{next(_id_count) * _SPREAD & 0xFFFFFFFFFFFF:012X}")
        token = ids.CURRENT.set(source)
        try:
            return self._answer(http, source.uuid4().upper())
        finally:
            ids.CURRENT.reset(token)

    def _answer(self, http: HttpRequest, request_id: str) -> HttpResponse:
        started = time.perf_counter()
        if http.body.__class__ is not bytes:  # a stream (requests' file-like data): an OSS upload, or ECS's whole
            if oss_wire.is_oss(http):
                return self._handle_oss(http, request_id, started)
            http.body = bytes(http.body.read() or b"") if hasattr(http.body, "read") else bytes(http.body or b"")
        req: Optional[ApiRequest] = None
        seen: dict[str, Any] = {}  # account and region, once known, for the call record (and the memo: its keys)
        again = None
        try:
            if self._raw and not self.faults and not self.config.strict_signatures:
                again = self._kept_again(http, seen)
            if again is not None:
                req, body = again
            else:
                req = decode(http)
                # An ECS or VPC call names its action and is signed (v1 or v3): only the others may be OSS's.
                if (req.action is None or req.signature_style == "none") and oss_wire.is_oss(http):
                    return self._handle_oss(http, request_id, started)
                try:
                    body = self._dispatch(req, request_id, seen)
                except Moved:  # another engine changed the shared state meanwhile (reloaded now)
                    body = self._dispatch_again(req, request_id, seen)
                if "memo" in seen and req.signature_style != "v1":
                    self._remember(http, req, seen, body)
            status, code = 200, None
            response = render(200, body, req.format, f"{req.action}Response", request_id)
        except EcsError as err:
            status, code = err.status, err.code
            response = self._error(req, request_id, err)
        except Exception as exc:  # a bug in mockecs: answer like the service, log the traceback
            log.exception("mockecs internal error while answering %s", req.action if req else "?")
            status, code = 500, "InternalError"
            message = f"The request processing has failed due to some unknown error. ({type(exc).__name__})"
            response = self._error(req, request_id, EcsError("InternalError", message, 500))
        config = self.config
        record = config.record_calls
        if record:
            raw = len(http.url) + len(http.body)
            # (a small request's own parameters: decode made them for this request alone, and nothing writes
            # to them, so the record keeps that dict rather than a copy)
            params, size = (req.params, raw + _CALL_OVERHEAD) if req and raw <= CALL_VALUE_CHARS else \
                recorded_params(req.params, raw) if req else ({}, _CALL_OVERHEAD)
            if again is not None:  # (the first request's parameters: each call's record gets its own dict)
                params = dict(params)
        else:
            params, size = {}, 0
        # The Call goes with the response too (the server's access log), recorded or not.
        response.call = call = Call(req.action if req else None, params, seen.get("account"), seen.get("region"),
                                    status, code, request_id, time.time(), size,
                                    (time.perf_counter() - started) * 1000)
        if record:  # (CallRecord.add, inlined on this hot path)
            calls = self.calls
            calls.append(call)
            calls.bytes += size
            if calls.bytes > config.max_call_bytes or len(calls) > config.max_calls + config.max_calls // 4:
                calls._trim(config.max_calls, config.max_call_bytes * 3 // 4)
        return response

    def _kept_again(self, http: HttpRequest, seen: dict) -> Optional[tuple[ApiRequest, Frozen]]:
        """A request sent before, alike to the byte (:func:`_raw_key`), whose answer the memo still holds: the
        first one's decoding and that answer (None: the long way). What decoding and the gateway would check again
        is checked here: no fault waits, signatures are not checked (the caller made sure), the key still speaks
        for the same account; the answer holds as the memo's own hits do (see _dispatch)."""
        key = seen["raw"] = _raw_key(http)  # (kept for _remember, should this request take the long way)
        entry = self._raw.get(key) if key is not None else None
        if entry is None:
            return None
        req, memo_key, account = entry
        hit = self._memo.get(memo_key)
        if hit is None or hit[0] != self.store.written or hit[1] != self.config.options.stamp:
            return None
        cred = self.accounts.resolve(req.access_key_id, req.security_token, False)
        if (cred.account_id if cred else self.accounts.default_account_id) != account:
            return None
        seen["account"], seen["region"] = account, hit[2]
        self.clock.tick()
        return req, hit[3]

    def _remember(self, http: HttpRequest, req: ApiRequest, seen: dict, body: Any) -> None:
        """Remember a request answered from the memo or kept in it by its raw form (see _kept_again)."""
        memo_key = seen["memo"]
        hit = self._memo.get(memo_key)
        if hit is None or hit[3] is not body or len(http.url) + len(http.body) > _RAW_BYTES:
            return
        key = seen["raw"] if "raw" in seen else _raw_key(http)  # (_kept_again's, when it looked)
        if key is None:
            return
        raw = self._raw
        if len(raw) >= MEMO_ENTRIES:
            raw.clear()
        raw[key] = (req, memo_key, seen["account"])

    def _dispatch_again(self, req: ApiRequest, request_id: str, seen: dict) -> dict:
        """:meth:`_dispatch` run again after its first run found the shared state changed under it (``Moved``),
        up to MOVED_ATTEMPTS runs in all; the last one's ``Moved`` goes up (a 500). (Apart from the first run: no
        loop per request.)"""
        for attempt in range(2, MOVED_ATTEMPTS + 1):
            seen["moved"] = True
            try:
                return self._dispatch(req, request_id, seen)
            except Moved:
                if attempt == MOVED_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # (MOVED_ATTEMPTS >= 2)

    def _handle_oss(self, http: HttpRequest, request_id: str, started: float) -> HttpResponse:
        """An OSS request (:mod:`mockecs.wire.oss`, :mod:`mockecs.ops.oss`): the same accounts, store, clock
        and call record as ECS's; OSS's own signatures, XML and errors."""
        now = self.clock.now()
        action: Optional[str] = None
        account = region = None
        req: Optional[oss_wire.OssRequest] = None
        try:
            req = oss_wire.decode(http)
            oss_ops = importlib.import_module("mockecs.ops.oss")  # (loaded on the first OSS request, as lazy ops)
            importlib.import_module("mockecs.ops.oss_bucket")  # (its handlers of bucket settings join OPERATIONS)
            try:
                action, refused = oss_ops.route(req), None
            except EcsError as err:  # (answered once the request is authenticated, as OSS does)
                refused = err
            account = self._oss_account(req)
            if refused is not None:
                raise refused
            region = req.region or self.config.region
            if self.faults:
                self._suffer(self._take_fault(action, account), oss_wire.OssError)
            body = oss_ops.prepare(req, action, self.config.options["oss_keep_bytes"])

            def work(txn: Any) -> Any:
                ctx = Context(self, txn, action, account, region, request_id, req.host, now, req.query)
                return oss_ops.OPERATIONS[action](ctx, req, body)

            reply = run(self.store, work)
            status, code = reply.status, None
            response = oss_wire.answer(reply.status, request_id, now, reply.headers, reply.body, reply.content_type)
        except EcsError as err:
            status, code = err.status, err.code
            response = oss_wire.error_answer(err, request_id, req.host if req else "", http.method.upper(), now)
        except Exception as exc:  # a bug in mockecs: answer like the service, log the traceback
            log.exception("mockecs internal error while answering OSS %s", action or "?")
            status, code = 500, "InternalError"
            err = EcsError("InternalError", f"We encountered an internal error. Please try again. "
                                            f"({type(exc).__name__})", 500)
            response = oss_wire.error_answer(err, request_id, req.host if req else "", http.method.upper(), now)
        params = {"Bucket": req.bucket, "Key": req.key, **req.query} if req else {}
        size = _CALL_OVERHEAD + sum(len(k) + len(v) for k, v in params.items())
        response.call = call = Call(action, params, account, region, status, code, request_id, time.time(), size,
                                    (time.perf_counter() - started) * 1000)
        if self.config.record_calls:
            self.calls.add(call, self.config)
        return response

    def _oss_account(self, req: oss_wire.OssRequest) -> str:
        """The account an OSS request speaks for; with strict signatures, checked as OSS checks it."""
        strict, shared = self.config.strict_signatures, self.shared
        if shared is not None and (strict or self.faults or shared.stamp == "unread"):
            shared.sync()  # (keys and faults other engines on the store added: as for ECS)
        cred = self.accounts.resolve(req.access_key_id, req.security_token, False)
        if strict:
            if cred is None or (req.security_token or cred.security_token) and \
                    cred.security_token != req.security_token:
                if not req.access_key_id and not req.security_token and "authorization" not in req.headers:
                    return ""  # anonymous: what the bucket's and objects' ACLs let anyone do (mockecs.ops.oss)
                if not req.access_key_id:
                    raise oss_wire.ANONYMOUS()
                raise oss_wire.INVALID_ACCESS_KEY(OSSAccessKeyId=req.access_key_id)
            oss_wire.verify(req, cred.access_key_secret)
        return cred.account_id if cred else self.accounts.default_account_id

    def _error(self, req: Optional[ApiRequest], request_id: str, err: EcsError) -> HttpResponse:
        host = req.host if req and req.host else "ecs.aliyuncs.com"
        fmt = req.format if req else "JSON"
        api = api_of(req.host, req.version) if req else ECS
        body = error_body(request_id, host, err.code, err.message, api.name)
        return render(err.status, body, fmt, "Error", request_id)

    def _dispatch(self, req: ApiRequest, request_id: str, seen: dict) -> dict:
        action = req.action
        if not action:
            raise missing_parameter("Action")
        api = api_of(req.host, req.version)
        ops = self.operations if api is ECS else REGISTRIES[api.version]
        op = ops.get(action)
        if op is None:
            op = load(api.version, action)  # (a module loaded on its first call)
        if op is None and (name := spelled(api.version, action)) is not None:  # (another case: DescribeUserdata)
            action, op = name, ops.get(name) or load(api.version, name)
        if op is None:
            if known_action(action, api.product):
                raise not_implemented(action, api.product)
            raise EcsError(*ACTION_NOT_FOUND)
        if not req.version:
            raise missing_parameter("Version")
        if req.version != api.version:
            raise EcsError("InvalidVersion", "Specified parameter Version is not valid.", 400)

        # What other engines on a shared store changed (clock, faults, accounts ...): read before the
        # request where it must be, else checked inside its transaction (``Moved``: run it again).
        shared, strict = self.shared, self.config.strict_signatures
        if shared is not None and (op.stateless or strict or self.faults or shared.stamp == "unread"):
            shared.sync()
        stamp = shared.stamp if shared is not None else None
        cred = self.accounts.resolve(req.access_key_id, req.security_token, strict)
        again = "moved" in seen  # (run again after Moved: its signature nonce and fault are used already)
        if strict and not again:
            verify(req, cred.access_key_secret,
                   self.accounts.nonce_seen if self.shared is None else self.shared.nonce_seen)
        account = seen["account"] = cred.account_id if cred else self.accounts.default_account_id

        if self.faults and not again:
            fault = self._take_fault(action, account)
            stamp = shared.stamp if shared is not None else None  # (that read the latest; it may write)
            self._suffer(fault, EcsError)

        key = None
        memo = self._memo
        if op.memo and memo is not None and self.config.options["answer_memo"]:
            # An answer kept for this very request (the same caller, host and parameters but the signature's) while
            # nothing was written and no setting changed since: answered again (see _keep).
            params = req.params
            key = seen["memo"] = (id(op), account, req.host, tuple(params.items()) if req.signature_style != "v1" else
                                  tuple(item for item in params.items() if item[0] not in _SIGNING))
            hit = memo.get(key)
            if hit is not None and hit[0] == self.store.written and hit[1] == self.config.options.stamp:
                seen["region"] = hit[2]
                self.clock.tick()
                return hit[3]

        args = self._arguments(op, req.params)
        region = args.pop("region_id", None)
        dry_run = args.pop("dry_run", False)
        token = args.pop("client_token", None)
        seen["region"] = region
        if region is not None and not regions.exists(region) and op.region_of is None:
            code, status, *message = op.region_error  # an optional third item: the documented message
            raise EcsError(code, message[0] if message else "The specified RegionId does not exist.", status)

        if op.stateless:
            if key is not None:
                seen["region"] = region = region or self._host_region(req)
                return self._memo_run(None, req, op, action, account, region, args, dry_run, request_id, key)
            ctx = Context(self, None, action, account, region or self._host_region(req), request_id,
                          req.host, self.clock.now(), req.params)
            seen["region"] = ctx.region
            body = op.handler(ctx, args) if op.mapping else op.handler(ctx, **args)
            if dry_run and op.dry_run:
                raise EcsError(*op.dry_run)
            return body
        retried = self._retried
        if not retried:  # a store that never reports a conflict: no retry loop per request
            with self.store.transaction() as txn:
                return self._transact(req, op, api, action, account, args, token, dry_run, stamp, request_id, seen,
                                      False, txn, key)
        # (run again from the start if a shared store reports a conflict)
        return run(self.store, partial(self._transact, req, op, api, action, account, args, token, dry_run, stamp,
                                       request_id, seen, True))

    def _transact(self, req: ApiRequest, op: Operation, api: Any, action: str, account: str, args: dict[str, Any],
                  token: Optional[str], dry_run: bool, stamp: Any, request_id: str, seen: dict, retried: bool,
                  txn: Any, key: Optional[tuple] = None) -> dict:
        """One run of a stateful operation in ``txn``. (A method, not a closure of ``_dispatch``: the cells of
        the variables a closure shares were made on every request, of stateless operations too.)"""
        region = seen["region"]  # (the region the previous run settled on, when a conflict runs it again)
        if op.reads and retried:  # (a store that may conflict: the others have nothing to prepare)
            expect_reads(txn)
        shared = self.shared
        if shared is not None:
            shared.check(txn, stamp)  # the request ran on what other engines changed since: again
        if op.region_of is not None:
            # The action's metadata declares no RegionId: it finds its resource by id wherever it
            # lives. Old SDKs still send RegionId (their client's region): used only when the
            # resource is not found, so a region-less call never defaults to the client's region.
            region = op.region_of(txn, args) or (region if region and regions.exists(region) else None) \
                or self._host_region(req)
        elif region is None and op.region != "none":
            region = self._host_region(req)
        seen["region"] = region
        if key is not None and not (token and op.idempotent):
            return self._memo_run(txn, req, op, action, account, region, args, dry_run, request_id, key)
        ctx = Context(self, txn, action, account, region or self.config.region, request_id,
                      req.host, self.clock.now(), req.params)
        if token and op.idempotent:
            return self._idempotent(txn, ctx, op, api, action, account, region, args, token, dry_run, retried)
        # (a mapping handler completes its dict in place: a copy, when the transaction may run again)
        body = op.handler(ctx, dict(args) if retried else args) if op.mapping else op.handler(ctx, **args)
        if dry_run and op.dry_run:
            raise EcsError(*op.dry_run)  # all checks passed; the transaction rolls back
        return body

    def _memo_run(self, txn: Any, req: ApiRequest, op: Operation, action: str, account: str, region: Optional[str],
                  args: dict[str, Any], dry_run: bool, request_id: str, key: tuple) -> Mapping[str, Any]:
        """The handler run of an operation declared ``memo`` (in ``txn``; None: a stateless one): its answer is kept
        (encoded) when it read nothing but the store, its arguments and the settings: the store was not written
        meanwhile (a transaction holds the store's lock: nobody else writes) and the handler did not read the clock
        (through its context or the engine's clock; a reading by another request meanwhile counts too)."""
        written, stamp, clock = self.store.written, self.config.options.stamp, self.clock
        ctx = TimedContext(self, txn, action, account, region or self.config.region, request_id,
                           req.host, clock.now(), req.params)
        readings = clock.readings
        body = op.handler(ctx, args) if op.mapping else op.handler(ctx, **args)
        if dry_run and op.dry_run:
            raise EcsError(*op.dry_run)  # all checks passed; the transaction rolls back
        if ctx.clock_read or clock.readings != readings or self.store.written != written or "RequestId" in body:
            return body
        # (to_json: the bytes this answer gets unkept, spliced the same way; a handler's fresh dict is kept itself,
        # not copied: nothing else holds it once answered)
        kept = Frozen.owning(body, to_json(body)) if type(body) is dict else Frozen(body, to_json(body))
        memo, size = self._memo, len(kept.utf8)
        if size > MEMO_BYTES >> 4:  # (a few large pages would push out every other answer)
            return kept
        if self._memo_at != (written, stamp) or len(memo) >= MEMO_ENTRIES or self._memo_bytes + size > MEMO_BYTES:
            memo.clear()  # (what it held was for an older store, or it is full)
            self._raw.clear()
            self._memo_at, self._memo_bytes = (written, stamp), 0
        memo[key] = (written, stamp, region, kept)
        self._memo_bytes += size
        return kept

    @staticmethod
    def _idempotent(txn: Any, ctx: Context, op: Operation, api: Any, action: str, account: str, region: Optional[str],
                    args: dict[str, Any], token: str, dry_run: bool, retried: bool) -> dict:
        """:meth:`_transact`'s handler run of a request with a ClientToken: a token seen before answers as then."""
        # (per API: ECS's CreateVpc and the VPC API's keep their tokens apart, as two services do)
        key = f"{account}:{action}:{token}" if api is ECS else f"{account}:{api.product}:{action}:{token}"
        fingerprint = json.dumps([region, args], sort_keys=True, default=str)

        def answered(found: Optional[Mapping[str, Any]]) -> None:
            if found is not None:
                raise Replay(found["response"] if found["fingerprint"] == fingerprint else None)

        try:
            # Read with the handler's first round trip (a networked store): a request seen
            # before stops the handler there, before anything is written.
            read_soon(txn, "client_token", key, answered)
            try:
                body = op.handler(ctx, dict(args) if retried else args) if op.mapping else \
                    op.handler(ctx, **args)
            finally:
                flush(txn)  # (if the handler made no round trip, or refused: seen before wins)
        except Replay as replay:
            if replay.response is None:
                raise EcsError(*op.idempotent) from None
            return dict(replay.response)
        if dry_run and op.dry_run:
            raise EcsError(*op.dry_run)  # all checks passed; the transaction rolls back
        txn.put("client_token", key, {"fingerprint": fingerprint, "response": plain(body)})
        return body

    def _host_region(self, req: ApiRequest) -> str:
        return regions.region_from_host(req.host) or self.config.region

    @staticmethod
    def _arguments(op: Operation, flat: dict[str, str]) -> dict[str, Any]:
        # Most parameters are plain scalars sent under their own name; only dotted keys
        # (``Tag.1.Key``) are grouped by their first segment.
        for param in op.required:  # checked first, in declaration order
            if param.wire not in flat and not (param.nested and any(k.startswith(param.wire + ".") for k in flat)):
                raise param.missing_error()
        args = dict(op.defaults)
        by_wire = op.by_name
        nested: dict[str, dict[str, str]] = {}
        for key, raw in flat.items():
            param = by_wire.get(key)
            if param is None:
                if "." in key:
                    head, _, rest = key.partition(".")
                    if head in by_wire and by_wire[head].nested:
                        nested.setdefault(head, {})[rest] = raw
                continue  # unknown extra parameters are ignored, as the service does
            if param.nested:
                nested.setdefault(key, {})[""] = raw
                continue
            value = raw if param.plain else param.decode_scalar(raw)
            if param.required and value in (None, "", []):
                raise param.missing_error()
            if value is not None:
                args[param.name] = value
        for wire, raw_group in nested.items():
            param = by_wire[wire]
            value = param.decode(raw_group)
            if param.required and value in (None, "", []):
                raise param.missing_error()
            if value is not None:
                args[param.name] = value
        for param in op.structs:  # an absent struct still reaches the handler as {field: None, ...}
            if param.wire not in nested:
                args[param.name] = param.absent()
        return args

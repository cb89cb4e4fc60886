"""The control API of ``mockecs server``: JSON endpoints under ``/_mockecs/``, each a thin call into the engine.

=========================  =====================================================================
``GET  health``            ``{"status": "ok", ...}``
``POST reset``             ``engine.reset()``
``GET  state``             ``engine.export_state()`` (store records, accounts, clock offset)
``POST state``             ``engine.import_state(body)``; ``?mode=merge`` keeps records absent from it
``GET  accounts``          accounts and keys
``POST accounts``          ``{"account_id", "access_key_id"?, "access_key_secret"?, "security_token"?}``
``POST clock/advance``     ``{"seconds": N}``
``GET|PATCH config``       every setting and option (``mockecs/world/settings.py``); PATCH checks all, then applies
``GET|POST transitions``   mode, lifecycle delays and failures (``engine.lifecycle``); unknown keys: 400
``GET|POST|DELETE faults`` ``POST`` takes ``engine.inject``'s arguments
``GET|DELETE calls``       the call record; ``GET calls?action=X&offset=0&limit=1000`` filters and pages
``POST managed-instances`` a server registers with an activation code: ``{"activation_id", "activation_code",
                           "hostname"?, "intranet_ip"?, "internet_ip"?, "os_type"?, ...}`` -> ``{"instance_id"}``
``POST spot-interruptions`` the cloud reclaims spot instances: ``{"instance_id"}`` or ``{"instance_type"?, "zone_id"?,
                           "region"?, "account"?}``, and ``"spot_price"?`` -> ``{"events": [...]}``
``GET  spot-interruptions`` the CloudMonitor interruption events so far (``?account=`` / ``?instance_id=``)
``POST stock``             a zone runs out: ``{"zone_id", "instance_type"? | "disk_category"?, "closed"?,
                           "reclaim_spot"?, "seconds"?}`` (neither: every type of the zone; seconds: back that
                           long after now on the mock clock) -> the zone's shortage and ``events``
``DELETE stock``           back in stock: ``{"zone_id"?, "instance_type"? | "disk_category"?}`` (``{}``: every zone)
``GET  stock``             the zones' shortages (``?zone_id=``)
``GET|POST metadata``      which instance the metadata server (``http://100.100.100.200/`` through the server as
                           proxy) answers as: ``{"instance_id": "i-..."}`` (null: a made-up one)
=========================  =====================================================================

Errors are ``{"error": "..."}`` with status 400 (bad input, naming the field), 401 (no or a wrong control
token where one is required), 404 (no such endpoint), 405 or 413. Every input is checked before anything
changes. ``GET accounts`` never answers with secrets (``GET state``, an export meant to be imported again,
does: it needs the token like every endpoint but ``health`` when the server is not on loopback or strict).
"""
from __future__ import annotations

import dataclasses
import hmac
import json
import secrets
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlsplit

from mockecs.engine.core import Engine
from mockecs.state.accounts import check_key
from mockecs.wire.protocol import HttpRequest, HttpResponse
from mockecs.world import ids, managed_instances, spot_interruptions, stock
from mockecs.world import settings as declared
from mockecs.world.lifecycle import MODES
from mockecs.world.validation import check_number, check_text

PREFIX = "/_mockecs/"
_FAULT_FIELDS = ("action", "code", "message", "status", "times", "latency", "account")
_TRANSITION_FIELDS = ("mode", "transitions", "delays", "fail", "fail_next")
_SPOT_FIELDS = ("instance_id", "instance_type", "zone_id", "region", "account", "spot_price")
_SELL_OUT_FIELDS = ("zone_id", "instance_type", "disk_category", "closed", "reclaim_spot", "seconds")
_RESTOCK_FIELDS = ("zone_id", "instance_type", "disk_category")
_REGISTRATION_FIELDS = ("activation_id", "activation_code", "hostname", "intranet_ip", "internet_ip", "os_type",
                        "os_version", "machine_id", "instance_name", "connected", "agent_version")


CALLS_PAGE, MAX_CALLS_PAGE = 1000, 10_000  # GET calls: default and largest page


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _json(status: int, body: Any) -> HttpResponse:
    data = json.dumps(body, default=str, ensure_ascii=False).encode("utf-8")
    return HttpResponse(status, {"Content-Type": "application/json;charset=utf-8"}, data)


TOKEN_HEADER = "x-mockecs-token"  # or "Authorization: Bearer <token>"
OPEN_ENDPOINTS = ("health",)  # answered without the token (readiness probes; no state, no secrets)
MAX_FAIL_NEXT = 10_000  # queued failures per kind
MAX_DELAY = 10 * 365 * 86400  # s of mock time


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _redacted(key: dict) -> dict:
    """A key without its secret and token: the control API never answers with them."""
    return {k: v for k, v in key.items() if k not in ("access_key_secret", "security_token")}


def _whole(query: dict, name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ControlError(f"{name} must be a whole number >= 0, not {text[:40]!r}")
    return int(text)


def _known(body: dict, fields: tuple[str, ...], what: str) -> None:
    unknown = set(body) - set(fields)
    if unknown:
        raise ControlError(f"unknown {what} fields: {', '.join(sorted(unknown))} (known: {', '.join(fields)})")


class ControlApi:
    """``token``: required (``X-Mockecs-Token: <token>`` or ``Authorization: Bearer <token>``) on every
    endpoint but health whenever ``loopback`` is False or strict signature mode is on."""

    def __init__(self, engine: Engine, token: Optional[str] = None, loopback: bool = True,
                 metadata: Any = None) -> None:
        self.engine = engine
        self.metadata = metadata  # (the server's MetadataServer: POST metadata says which instance it is)
        self.token = token or new_token()
        self.loopback = loopback
        self.routes: dict[str, dict[str, Callable[[dict, dict], Any]]] = {
            "health": {"GET": self.health},
            "reset": {"POST": self.reset},
            "state": {"GET": self.get_state, "POST": self.put_state},
            "accounts": {"GET": self.get_accounts, "POST": self.add_account},
            "clock/advance": {"POST": self.advance_clock},
            "config": {"GET": self.get_config, "PATCH": self.patch_config},
            "transitions": {"GET": self.get_transitions, "POST": self.set_transitions},
            "faults": {"GET": self.get_faults, "POST": self.add_fault, "DELETE": self.clear_faults},
            "calls": {"GET": self.get_calls, "DELETE": self.clear_calls},
            "managed-instances": {"POST": self.register_managed_instance},
            "spot-interruptions": {"GET": self.get_spot_interruptions, "POST": self.interrupt_spot},
            "stock": {"GET": self.get_stock, "POST": self.sell_out, "DELETE": self.restock},
            "metadata": {"GET": self.get_metadata, "POST": self.set_metadata},
        }

    def handle(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        name = parts.path[len(PREFIX):].strip("/")
        methods = self.routes.get(name)
        if methods is None:
            return _json(404, {"error": f"no control endpoint {parts.path!r}", "endpoints": sorted(self.routes)})
        handler = methods.get(request.method.upper())
        if handler is None:
            return _json(405, {"error": f"{request.method} not allowed on {parts.path}", "allowed": sorted(methods)})
        if name not in OPEN_ENDPOINTS and not self._authorised(request):
            return _json(401, {"error": "this control endpoint needs the server's control token: send "
                                        "'X-Mockecs-Token: <token>' or 'Authorization: Bearer <token>'"})
        try:
            body = json.loads(request.body.decode("utf-8")) if request.body.strip() else {}
            if not isinstance(body, dict):
                raise ControlError("the request body must be a JSON object")
            with ids.using(self.engine.ids):  # (what the control API makes follows the seed too)
                answer = handler(body, dict(parse_qsl(parts.query)))
            return answer if isinstance(answer, HttpResponse) else _json(200, answer)
        except ControlError as err:
            return _json(err.status, {"error": str(err)})
        except (ValueError, TypeError, KeyError) as err:  # bad JSON, bad types, missing fields
            return _json(400, {"error": f"{type(err).__name__}: {err}"})
        except RecursionError:  # JSON nested thousands deep
            return _json(400, {"error": "the request body is nested too deeply"})

    def token_required(self) -> bool:
        return not self.loopback or self.engine.config.strict_signatures

    def authorised(self, request: HttpRequest, token: Optional[str] = None) -> bool:
        """Whether ``request`` may use the control API: no token is required, or it carries the token in a
        header, or as ``token`` (the dashboard page's ``?token=``: a browser cannot add headers to a link)."""
        if token and self.token_required():
            return hmac.compare_digest(token.encode(), self.token.encode())
        return self._authorised(request)

    def _authorised(self, request: HttpRequest) -> bool:
        if not self.token_required():
            return True
        given = request.headers.get(TOKEN_HEADER, "")
        auth = request.headers.get("authorization", "")
        if not given and auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        return hmac.compare_digest(given.encode(), self.token.encode())

    # -- endpoints ----------------------------------------------------------------------
    def health(self, body: dict, query: dict) -> dict:
        from mockecs import __version__

        cfg = self.engine.config
        return {"status": "ok", "version": __version__, "store": cfg.store, "region": cfg.region,
                "strict_signatures": cfg.strict_signatures, "transitions": cfg.transitions}

    def reset(self, body: dict, query: dict) -> dict:
        self.engine.reset()
        if self.metadata is not None:  # (the instance it answered as is gone)
            self.metadata.instance_id = None
        return {"reset": True}

    def get_state(self, body: dict, query: dict) -> dict:
        return self.engine.export_state()

    def put_state(self, body: dict, query: dict) -> dict:
        mode = query.get("mode", "replace")
        if mode not in ("replace", "merge"):
            raise ControlError("mode must be 'replace' or 'merge'")
        self.engine.import_state(body, replace=mode == "replace")
        return {"imported": sum(len(recs) for recs in (body.get("store") or {}).values())}

    def get_accounts(self, body: dict, query: dict) -> dict:
        exported = self.engine.accounts.export()
        return {**exported, "keys": [_redacted(key) for key in exported["keys"]]}

    def add_account(self, body: dict, query: dict) -> dict:
        unknown = set(body) - {"account_id", "access_key_id", "access_key_secret", "security_token"}
        if unknown:
            raise ControlError(f"unknown account fields: {', '.join(sorted(unknown))}")
        if "account_id" not in body:
            raise ControlError("account_id is required")
        if "access_key_id" not in body:
            return {"account_id": self.engine.accounts.add_account(body["account_id"])}
        check_key(body, "account")  # every field first: nothing is added when one is wrong
        cred = self.engine.accounts.add_key(body["account_id"], body["access_key_id"], body["access_key_secret"],
                                            body.get("security_token"))
        return _redacted(dataclasses.asdict(cred))

    def advance_clock(self, body: dict, query: dict) -> dict:
        if not isinstance(body.get("seconds"), (int, float)):
            raise ControlError("seconds (a number) is required")
        now = self.engine.clock.advance(body["seconds"])
        return {"now": now, "offset": self.engine.clock.offset}

    def get_config(self, body: dict, query: dict) -> dict:
        return self.engine.config.to_dict()

    def patch_config(self, body: dict, query: dict) -> dict:
        """``{"transitions": "realistic", "options": {"image_quota": 5}, ...}``: every value is checked before
        any is applied; settings a running server cannot change (store, catalog) are refused."""
        fixed = sorted(k for k in body if k in declared.BY_NAME and not declared.BY_NAME[k].runtime)
        if fixed:
            raise ControlError(f"{', '.join(fixed)}: cannot change on a running server (restart it with the flag)")
        try:
            self.engine.config.apply(body)
        except declared.SettingError as err:
            raise ControlError(str(err)) from None
        return self.get_config(body, query)

    def get_transitions(self, body: dict, query: dict) -> dict:
        return {"transitions": self.engine.config.transitions, **self.engine.lifecycle.to_dict()}

    def set_transitions(self, body: dict, query: dict) -> dict:
        """``{"mode" (or "transitions"), "options", "delays": {kind or id: {"seconds", "observations"}},
        "fail": {id: message} or [id, ...], "fail_next": {kind: {"message", "count"}}}``, every key optional."""
        engine = self.engine
        # Unknown keys are refused: silently ignoring a misspelt key made a request look applied when it was not.
        if "options" in body:
            raise ControlError("options are settings now: PATCH /_mockecs/config {\"options\": {...}}")
        unknown = set(body) - set(_TRANSITION_FIELDS)
        if unknown:
            raise ControlError(f"unknown transitions fields: {', '.join(sorted(unknown))} "
                               f"(known: {', '.join(_TRANSITION_FIELDS)})")
        # "mode" is the name GET answers with (and the README documents); "transitions" is the Config field name.
        if "mode" in body and "transitions" in body and body["mode"] != body["transitions"]:
            raise ControlError("mode and transitions disagree; give one of them")
        mode = body.get("mode", body.get("transitions", engine.config.transitions))
        if mode not in MODES:
            raise ControlError(f"mode must be one of {', '.join(MODES)}")
        fail = body.get("fail", {})
        if isinstance(fail, list):  # a list of ids fails each with the default message
            fail = dict.fromkeys(fail, None) if all(isinstance(i, str) for i in fail) else fail
        delays, fail_next = body.get("delays", {}), body.get("fail_next", {})
        for key, value in (("delays", delays), ("fail", fail), ("fail_next", fail_next)):
            if not isinstance(value, dict):
                raise ControlError(f"{key} must be an object" + (" or a list of ids" if key == "fail" else ""))
        # Everything is checked before anything changes: a refused request leaves the mode and lifecycle as they were.
        for target, delay in delays.items():
            if not isinstance(delay, dict) or set(delay) - {"seconds", "observations"}:
                raise ControlError(f"delays.{target} must be an object with seconds and/or observations")
            if delay.get("seconds") is not None:
                check_number(delay["seconds"], f"delays.{target}.seconds", 0, MAX_DELAY)
            if delay.get("observations") is not None:
                check_number(delay["observations"], f"delays.{target}.observations", 0, 1_000_000, whole=True)
        for resource_id, message in fail.items():
            check_text(message, f"fail.{resource_id}")
        for kind, spec in fail_next.items():
            if not isinstance(spec, dict) or set(spec) - {"message", "count"}:
                raise ControlError(f"fail_next.{kind} must be an object with message and/or count")
            check_text(spec.get("message"), f"fail_next.{kind}.message")
            check_number(spec.get("count", 1), f"fail_next.{kind}.count", 1, MAX_FAIL_NEXT, whole=True)
        engine.config.transitions = mode
        for target, delay in delays.items():
            engine.lifecycle.delay(target, delay.get("seconds"), delay.get("observations"))
        for resource_id, message in fail.items():
            engine.lifecycle.fail(resource_id, message or "Injected failure.")
        for kind, spec in fail_next.items():
            engine.lifecycle.fail_next(kind, spec.get("message") or "Injected failure.", spec.get("count", 1))
        return self.get_transitions(body, query)

    def get_faults(self, body: dict, query: dict) -> list:
        with self.engine._fault_lock:  # a request may be using up a fault meanwhile
            faults = list(self.engine.faults)
        return [dataclasses.asdict(f) for f in faults]

    def add_fault(self, body: dict, query: dict) -> dict:
        unknown = set(body) - set(_FAULT_FIELDS)
        if unknown:
            raise ControlError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if not body.get("code") and not body.get("latency"):
            raise ControlError("a fault needs a code or a latency")
        return dataclasses.asdict(self.engine.inject(**body))  # which checks every field first

    def clear_faults(self, body: dict, query: dict) -> dict:
        self.engine.clear_faults()
        return {"faults": []}

    def get_calls(self, body: dict, query: dict) -> HttpResponse:
        """One page of the call record, oldest first: ``?offset=0&limit=1000`` (at most 10,000); the
        ``X-Mockecs-Total-Count`` header counts all matching calls, ``X-Mockecs-Next-Offset`` is there
        when more follow. Paged so one read never serialises the whole record while API clients wait."""
        action = query.get("action")
        offset = _whole(query, "offset", 0)
        limit = min(_whole(query, "limit", CALLS_PAGE), MAX_CALLS_PAGE)
        calls = list(self.engine.calls)
        if action is not None:
            calls = [c for c in calls if c.action == action]
        page = [c.to_dict() for c in calls[offset:offset + limit]]
        response = _json(200, page)
        response.headers["X-Mockecs-Total-Count"] = str(len(calls))
        if offset + limit < len(calls):
            response.headers["X-Mockecs-Next-Offset"] = str(offset + limit)
        return response

    def register_managed_instance(self, body: dict, query: dict) -> dict:
        """What a server's Cloud Assistant agent does with an activation code (``aliyun-service --register``)."""
        unknown = set(body) - set(_REGISTRATION_FIELDS)
        if unknown:
            raise ControlError(f"unknown registration fields: {', '.join(sorted(unknown))}")
        missing = [name for name in ("activation_id", "activation_code") if name not in body]
        if missing:
            raise ControlError(f"missing registration fields: {', '.join(missing)}")
        for name in _REGISTRATION_FIELDS:
            wanted = bool if name == "connected" else str
            if name in body and not isinstance(body[name], wanted):
                raise ControlError(f"{name} must be {'true or false' if wanted is bool else 'a string'}")
        try:
            return {"instance_id": managed_instances.register(self.engine, **body)}
        except managed_instances.RegistrationError as err:
            raise ControlError(str(err)) from None

    def interrupt_spot(self, body: dict, query: dict) -> dict:
        """The cloud reclaims spot instances (``mockecs.world.spot_interruptions.interrupt``): the notice now, the
        reclaim 5 minutes later on the mock clock. What the cloud would not do is a 400 saying why."""
        _known(body, _SPOT_FIELDS, "spot interruption")
        if body.get("region") is not None and not isinstance(body["region"], str):
            raise ControlError(f"region must be a string, not {body['region']!r}")
        try:
            return {"events": spot_interruptions.interrupt(self.engine, **body)}
        except spot_interruptions.InterruptionError as err:
            raise ControlError(str(err)) from None

    def get_spot_interruptions(self, body: dict, query: dict) -> list:
        return spot_interruptions.events(self.engine, query.get("account"), query.get("instance_id"))

    def sell_out(self, body: dict, query: dict) -> dict:
        """A zone runs out of a type, of every type or of a disk category (``mockecs.world.stock.sell_out``)."""
        _known(body, _SELL_OUT_FIELDS, "stock")
        try:
            return stock.sell_out(self.engine, **body)
        except stock.StockError as err:
            raise ControlError(str(err)) from None

    def restock(self, body: dict, query: dict) -> dict:
        _known(body, _RESTOCK_FIELDS, "restock")
        try:
            stock.restock(self.engine, **body)
        except stock.StockError as err:
            raise ControlError(str(err)) from None
        return {"shortages": stock.listing(self.engine)}

    def get_stock(self, body: dict, query: dict) -> list:
        return stock.listing(self.engine, query.get("zone_id"))

    def get_metadata(self, body: dict, query: dict) -> dict:
        if self.metadata is None:
            raise ControlError("this server has no metadata server", 404)
        vendor_data = self.metadata.vendor_data
        return {"instance_id": self.metadata.instance_id,
                "vendor_data": None if vendor_data is None else vendor_data.decode("utf-8", "replace")}

    def set_metadata(self, body: dict, query: dict) -> dict:
        """``{"instance_id": "i-...", "vendor_data": "#cloud-config ..."}`` (each optional, null: none): the metadata
        server answers as that instance of the fake (null: a made-up one), with that vendor data; an id the fake
        does not hold is refused, and nothing changes when a field is wrong."""
        if self.metadata is None:
            raise ControlError("this server has no metadata server", 404)
        unknown = set(body) - {"instance_id", "vendor_data"}
        if unknown or not body:
            raise ControlError("the body must be {\"instance_id\": \"i-...\" or null, \"vendor_data\": text or null}"
                               + (f"; unknown fields: {', '.join(sorted(unknown))}" if unknown else ""))
        vendor_data = body.get("vendor_data")
        if vendor_data is not None and not isinstance(vendor_data, str):
            raise ControlError(f"vendor_data must be a string or null, not {vendor_data!r}")
        instance_id = body.get("instance_id", self.metadata.instance_id)
        if instance_id is not None:
            if not isinstance(instance_id, str):
                raise ControlError(f"instance_id must be a string or null, not {instance_id!r}")
            with self.engine.store.transaction() as txn:
                if txn.get("instance", instance_id) is None:
                    raise ControlError(f"no instance {instance_id!r}")
        self.metadata.instance_id = instance_id
        if "vendor_data" in body:
            self.metadata.vendor_data = None if vendor_data is None else vendor_data.encode("utf-8")
        return self.get_metadata(body, query)

    def clear_calls(self, body: dict, query: dict) -> dict:
        self.engine.calls.clear()
        return {"calls": []}

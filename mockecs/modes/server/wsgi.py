"""The WSGI application of ``mockecs server``: every API request goes to ``Engine.handle``.

Requests whose path starts with ``/_mockecs/`` go to the control API (:mod:`mockecs.modes.server.control`).
Any ``Host`` is answered, and so are absolute-form request targets
(``GET http://ecs.cn-hangzhou.aliyuncs.com/?Action=... HTTP/1.1``), which clients send when the
server is their ``HTTP_PROXY``: waitress and cheroot keep the original target in ``REQUEST_URI``
(``PATH_INFO`` then holds only its path), and its authority wins over the ``Host`` header (RFC 9112 §3.2.2).
"""
from __future__ import annotations

import http
import json
from logging import INFO
from time import perf_counter
from typing import Any, Callable, Iterable, Optional
from urllib.parse import quote, urlsplit

from mockecs.engine.core import Engine, new_request_id
from mockecs.modes.offline import METADATA_HOST, MetadataServer, other_product, product_error
from mockecs.modes.server import accesslog
from mockecs.modes.server.backends import MAX_API_BODY, MAX_CONTROL_BODY
from mockecs.modes.server.control import PREFIX as CONTROL_PREFIX
from mockecs.modes.server.control import ControlApi
from mockecs.modes.server.dashboard import Dashboard
from mockecs.modes.server.proxy import BodyStream
from mockecs.wire.encoding import error_body, render
from mockecs.wire.oss import is_oss
from mockecs.wire.protocol import HttpRequest, HttpResponse

_REASONS = {s.value: f"{s.value} {s.phrase}" for s in http.HTTPStatus}
_SPECIAL_HEADERS = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}


def _wsgi_text(value: str) -> str:
    # WSGI hands bytes over as latin-1 text; undo that for UTF-8 senders.
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def read_body(environ: dict, limit: Optional[int] = None) -> Optional[bytes]:
    """The request body; None when it is longer than ``limit`` (then it is not read)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            size = int(length)
        except ValueError:
            return b""
        if limit is not None and size > limit:
            _drain(stream, size)
            return None
        return stream.read(size)
    if environ.get("wsgi.input_terminated"):  # chunked request body, already de-chunked
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            _drain(stream, None)
            return None
        return body
    return b""


def upload_of(environ: dict) -> BodyStream:
    """An OSS request's body as a stream the engine reads in chunks (an upload may be GiBs): at most its
    ``Content-Length`` bytes of ``wsgi.input``, or all of a de-chunked one."""
    length = environ.get("CONTENT_LENGTH") or ""
    return BodyStream(environ.get("wsgi.input"), int(length) if length.isdigit() else
                      (None if environ.get("wsgi.input_terminated") else 0))


def _drain(stream: Any, size: Optional[int]) -> None:
    # Read and drop a refused body (the servers bound it: max_request_body_size), so the client, still
    # sending, gets the 413 rather than a connection reset.
    while size is None or size > 0:
        chunk = stream.read(65536 if size is None else min(size, 65536))
        if not chunk:
            break
        if size is not None:
            size -= len(chunk)


def too_large(environ: dict, control: bool, limit: int) -> HttpResponse:
    """413 for a body over ``limit``: an ECS error body for the API, ``{"error"}`` for the control API."""
    message = f"The request body is larger than {limit} bytes."
    if control:
        response = HttpResponse(413, {"Content-Type": "application/json;charset=utf-8"},
                                json.dumps({"error": message}).encode())
    else:  # [GUESS] the code: the service documents none for this
        request_id = new_request_id()
        fmt = "XML" if "format=xml" in environ.get("QUERY_STRING", "").lower() else "JSON"
        response = render(413, error_body(request_id, environ.get("HTTP_HOST") or "ecs.aliyuncs.com",
                                          "RequestEntityTooLarge", message), fmt, "Error", request_id)
    return response


def target(environ: dict) -> tuple[str, str, str, str]:
    """``(scheme, host, raw path, raw query)`` of a request, honouring absolute-form targets."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    path = query = None
    if raw and not raw.startswith("/"):
        parts = urlsplit(raw)
        if parts.scheme and parts.netloc:  # absolute form: a client using us as its proxy
            scheme, host = parts.scheme, parts.netloc
            path, query = parts.path or "/", parts.query
    elif raw:
        path, _, query = raw.partition("?")
    if path is None:
        path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/;=,~!$&'()*+:@")
        query = environ.get("QUERY_STRING", "")
    return scheme, _wsgi_text(host), path or "/", _wsgi_text(query or "")


def to_request(environ: dict, body: Optional[bytes] = None) -> HttpRequest:
    """Convert a WSGI environ into the engine's transport-neutral request."""
    return _request(environ, body)[0]


# Environ keys seen so far, and the header name of those that are headers: a request's headers are
# found by set operations done in C, not a Python loop over its whole environ.
_SEEN_KEYS: set[str] = set()
_HEADER_KEYS: dict[str, str] = {}
_MAX_NAMES = 4096  # clients choose header names: keep the memo bounded


def _header_name(key: str) -> Optional[str]:
    if key[:5] == "HTTP_":
        return key[5:].replace("_", "-").lower()
    return _SPECIAL_HEADERS.get(key)


def _headers(environ: dict) -> dict[str, str]:
    keys = environ.keys()
    names = _HEADER_KEYS
    if not _SEEN_KEYS.issuperset(keys):  # a key not seen before
        unseen = keys - _SEEN_KEYS
        if len(_SEEN_KEYS) + len(unseen) <= _MAX_NAMES:
            # Names first: a worker thread that finds a key seen must find its name too.
            names.update({key: name for key in unseen if (name := _header_name(key)) is not None})
            _SEEN_KEYS.update(unseen)
        else:  # memo full: this request's own names
            names = {key: name for key in keys if (name := _header_name(key)) is not None}
    headers = {names[key]: value if (value := environ[key]).isascii() else _wsgi_text(value)
               for key in keys & names.keys()}
    for name in _SPECIAL_HEADERS.values():  # WSGI servers set these blank when absent
        if name in headers and not headers[name]:
            del headers[name]
    return headers


def _request(environ: dict, body: Optional[bytes] = None) -> tuple[HttpRequest, str]:
    """The engine's request and the target's path (what the app routes on)."""
    scheme, host, path, query = target(environ)
    headers = _headers(environ)
    headers["host"] = host
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    request = HttpRequest(environ.get("REQUEST_METHOD", "GET"), url, headers,
                          read_body(environ) if body is None else body, lowered=True, split=(host, path, query))
    return request, path


StartResponse = Callable[..., Any]


def make_app(engine: Optional[Engine] = None, control_token: Optional[str] = None,
             loopback: bool = True) -> Callable[[dict, StartResponse], Iterable[bytes]]:
    """The WSGI callable serving ``engine`` (a new default one if None); ``app.engine`` is it.

    ``control_token`` (generated if None; ``app.control.token``) guards the control API whenever
    ``loopback`` is False (the server listens beyond this machine) or strict signatures are on."""
    engine = engine if engine is not None else Engine()
    metadata = MetadataServer(engine)  # (http://100.100.100.200/ through the proxy; POST /_mockecs/metadata)
    control = ControlApi(engine, control_token, loopback, metadata)
    dashboard = Dashboard(engine, control)
    access_log_on = accesslog.log.isEnabledFor

    def app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        logging_on = access_log_on(INFO)
        started = perf_counter() if logging_on else 0.0
        is_control = environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX)
        limit = MAX_CONTROL_BODY if is_control else MAX_API_BODY
        upload = None
        if not is_control:
            request, path = _request(environ, b"")
            if is_oss(request) and request.split[0].rsplit(":", 1)[0] != METADATA_HOST:
                # OSS: the body goes to the engine as a stream (an upload, beyond the API's limit)
                request.body = upload = upload_of(environ)
        body = b"" if upload is not None else read_body(environ, limit)
        if upload is not None:
            method = request.method
            response = engine.handle(request)
            upload.drain()
        elif body is None:
            response = too_large(environ, is_control, limit)
            method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        else:
            if is_control:
                request, path = _request(environ, body)
            else:
                request.body = body
            method = request.method
            if path.startswith(CONTROL_PREFIX):
                response = dashboard.handle(request) if dashboard.handles(path) else control.handle(request)
            elif other_product(request.split[0]):  # vpc.aliyuncs.com through the proxy: named, not faked
                response = product_error(request.method, request.url, request.headers, request.body)
            elif request.split[0].rsplit(":", 1)[0] == METADATA_HOST:  # the instance metadata server, proxied
                response = metadata.answer(request.method, request.url, request.headers)
            else:
                response = engine.handle(request)
        if logging_on:
            accesslog.record(method, path, response, (perf_counter() - started) * 1000)
        # Answers carry their own Content-Length only when their body is not it (OSS: a HEAD, a stream).
        body = response.body
        headers = list(response.headers.items())
        if "Content-Length" not in response.headers:
            headers.append(("Content-Length", str(len(body))))
        start_response(_REASONS.get(response.status, f"{response.status} Unknown"), headers)
        return [body] if body.__class__ is bytes else body.chunks()

    app.engine = engine  # type: ignore[attr-defined]
    app.control = control  # type: ignore[attr-defined]
    return app

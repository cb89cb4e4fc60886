"""``mock_ecs``: intercept the HTTP calls of unchanged SDK code and answer through the engine.

Three transports are patched while a mock is active:

- ``requests`` (the current SDK, sync) through ``responses``;
- the old SDK's vendored ``requests`` through ``responses`` with ``target=``;
- ``aiohttp`` (the current SDK's ``*_async`` methods) through a small patch (:mod:`mockecs.modes.aio`).

ECS and VPC endpoints (and hosts the user adds) are answered by the engine. Nothing else of Alibaba Cloud reaches
the network either (:mod:`mockecs.modes.offline`): other ``*.aliyuncs.com`` products get an error naming
the product (``passthrough=["sts.aliyuncs.com"]`` lets chosen hosts through), the instance metadata
server answers as an instance with a RAM role, and fake access keys are in the environment. Other hosts
pass through to whatever was there before (the network, or a user's own ``responses`` mock), or become
a clear connection error with ``passthrough=False``.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys
import threading
from collections import OrderedDict
from typing import Any, Callable, Iterable, Optional, TypeVar, Union

from mockecs.engine.core import Config, Engine
from mockecs.modes.offline import (
    ECS_HOST,  # noqa: F401  (ENGINE_HOST's former name, kept for users' code)
    ENGINE_HOST,
    METADATA_HOST,
    AttributePatch,
    FakeCredentialsEnv,
    MetadataServer,
    intercept_pattern,
    product_error,
)
from mockecs.wire.encoding import API_HEADERS
from mockecs.wire.protocol import HttpRequest, HttpResponse, lowered_headers
from mockecs.world import ids, spot_interruptions, stock

F = TypeVar("F", bound=Callable[..., Any])

_VENDORED = "aliyunsdkcore.vendored.requests.adapters.HTTPAdapter.send"
_RAM_ROLE_SIGNER = "aliyunsdkcore.auth.signers.ecs_ram_role_signer"  # the old SDK reads the metadata with urlopen
_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")  # (OPTIONS: OSS's CORS preflight)
_current = threading.local()
_active: list[MockECS] = []  # started mocks, innermost last (see current_mock)


def _alternatives(hosts: Iterable[str]) -> list[str]:
    return [ENGINE_HOST] + [re.escape(h) for h in hosts]


def _url_pattern(hosts: Iterable[str]) -> re.Pattern:
    alternatives = _alternatives(hosts)
    return re.compile(r"^https?://(?:{})(?::\d+)?(?:[/?]|$)".format("|".join(alternatives)), re.IGNORECASE)


def _resolve(target: str) -> Any:
    module, _, attr = target.rpartition(".")
    owner_path, _, cls = module.rpartition(".")
    owner = __import__(owner_path, fromlist=[cls])
    return getattr(getattr(owner, cls), attr)


_ANSWERS: list[Any] = []  # (the class below, raw_response) made on first use: responses is imported by a started mock


def _answers() -> tuple[type, Callable[[int, dict, bytes, str], Any]]:
    """A ``responses`` registration answering every method of a URL pattern through a callback (one
    registration instead of one ``CallbackResponse`` per method: ``responses`` tries every registration on
    every request), and ``raw_response``: a callback's answer as the urllib3 response ``responses`` makes of
    it (the same headers, body and status as ``CallbackResponse`` and a canned ``responses.Response`` give)."""
    if _ANSWERS:
        return _ANSWERS[0], _ANSWERS[1]
    import http.client

    import responses

    form, body_of, header_dict = responses._form_response, responses._handle_body, responses.HTTPHeaderDict
    raw_class, reasons = responses.HTTPResponse, http.client.responses
    if len(inspect.signature(form).parameters) > 3:  # (responses >= 0.24 passes the method: HEAD has no body)
        def raw_response(status: int, headers: dict, body: bytes, method: str) -> Any:
            return form(body_of(body), header_dict(headers), status, method)
    else:
        def raw_response(status: int, headers: dict, body: bytes, method: str) -> Any:
            return form(body_of(body), header_dict(headers), status)

    class Answers(responses.CallbackResponse):
        def __init__(self, pattern: re.Pattern, callback: Callable[[Any], tuple[int, dict, bytes]]) -> None:
            super().__init__("POST", pattern, callback, content_type=None)
            self.pattern = pattern

        def matches(self, request: Any) -> tuple[bool, str]:
            if request.method in _METHODS and self.pattern.match(str(request.url)):
                return True, ""
            return False, "URL does not match"

        def get_response(self, request: Any) -> Any:
            return raw_response(*self.callback(request), request.method)

    api_headers = frozenset(API_HEADERS)
    short_build, short_headers, same = _short_steps(header_dict)
    checked: dict[Any, bool] = {}  # an adapter class's build_response -> whether short_build builds the same

    def engine_response(adapter: Any, request: Any, status: int, headers: dict, body: bytes, method: str) -> Any:
        """The engine's answer as the ``requests.Response`` the adapter builds of ``raw_response``'s. An API
        answer (JSON or XML, headers exactly ``API_HEADERS``) takes fewer steps, none of which changes what
        anyone reads of it:
        - its urllib3 response has no "original response" (``responses`` makes one, its headers only, for
          requests to read cookies from): an API answer sets no cookie, so both cookie extractions (the
          adapter's and the session's) found nothing, at the cost of a urllib3 response and two passes over
          the cookie jar per call;
        - its body is the Response's content already, as after requests read it through urllib3 (no
          Content-Encoding to undo, no Content-Length to check: a stream of BytesIO reads that cost more than
          the rest of the reply); ``raw`` still holds it, unread, for whoever reads it;
        - requests' own ``HTTPAdapter.build_response`` (not a subclass's own, nor a patched one) is done by
          ``short_build``, the same steps each the short way, once its result was found the same as
          build_response's (on the first answer, attribute by attribute).
        Other answers (OSS: streams, encodings, lengths; a HEAD) are formed as ``responses`` forms them."""
        if headers.keys() != api_headers or method == "HEAD" or body.__class__ is not bytes:
            return adapter.build_response(request, raw_response(status, headers, body, method))
        build = adapter.__class__.build_response
        short = checked.get(build)
        raw = raw_class(body=body_of(body), headers=short_headers(headers) if short else header_dict(headers),
                        status=status, reason=reasons.get(status), preload_content=False, request_method=method)
        if short:
            response = short_build(adapter, request, raw, headers)
        else:
            response = build(adapter, request, raw)
            if short is None and len(checked) < 16:
                checked[build] = same(adapter, request, raw, headers, response)
        response._content = body
        response._content_consumed = True
        return response

    _ANSWERS.extend((Answers, raw_response, engine_response))
    return Answers, raw_response


def _short_steps(header_dict: type) -> tuple[Callable[..., Any], Callable[[dict], Any], Callable[..., bool]]:
    """``requests.adapters.HTTPAdapter.build_response``'s steps for an API answer, and ``header_dict(headers)``
    (urllib3's HTTPHeaderDict), each the short way (the header containers filled directly, not through the
    Mapping ABC's update; the encoding kept per Content-Type), and ``same``: whether they give what requests'
    and urllib3's own steps give (the same attributes, equal; False for any other build_response, and for
    versions of requests or urllib3 whose objects differ). ``headers``: an API answer's (plain str names)."""
    from requests.adapters import HTTPAdapter
    from requests.models import Response
    from requests.structures import CaseInsensitiveDict
    from requests.utils import get_encoding_from_headers

    requests_build = HTTPAdapter.build_response
    encodings: dict[str, Optional[str]] = {}
    new_headers = CaseInsensitiveDict.__new__

    def short_headers(headers: dict) -> Any:
        raw_headers = header_dict()
        kept = raw_headers._container
        for name, value in headers.items():
            kept[name.lower()] = [name, value]
        return raw_headers

    def short_build(adapter: Any, request: Any, raw: Any, headers: dict) -> Any:
        response = Response()
        response.status_code = raw.status
        response.headers = found = new_headers(CaseInsensitiveDict)
        found._store = store = OrderedDict()
        for item in headers.items():
            store[item[0].lower()] = item
        ctype = headers["Content-Type"]
        encoding = encodings.get(ctype, encodings)
        if encoding is encodings:
            encoding = get_encoding_from_headers(found)
            if len(encodings) < 16:  # (API answers have two)
                encodings[ctype] = encoding
        response.encoding = encoding
        response.raw = raw
        response.reason = raw.reason
        url = request.url
        response.url = url.decode("utf-8") if isinstance(url, bytes) else url
        # (build_response extracts cookies from raw's original response here: an API answer's raw has none)
        response.request = request
        response.connection = adapter
        return response

    def same(adapter: Any, request: Any, raw: Any, headers: dict, built: Any) -> bool:
        if adapter.__class__.build_response is not requests_build:
            return False
        try:
            return alike(short_build(adapter, request, raw, headers), built, short_headers(headers), headers)
        except Exception:  # (another requests or urllib3: their insides differ)
            return False

    def alike(mine: Any, built: Any, raw_headers: Any, headers: dict) -> bool:
        theirs = header_dict(headers)
        if raw_headers.__class__ is not theirs.__class__ or vars(raw_headers) != vars(theirs) or \
                list(raw_headers.items()) != list(theirs.items()):
            return False
        ours, expected = vars(mine), vars(built)
        if list(ours) != list(expected):
            return False
        for name, value in expected.items():
            kept = ours[name]
            if kept.__class__ is not value.__class__:
                return False
            if name == "headers":
                if vars(kept) != vars(value) or list(kept.items()) != list(value.items()):
                    return False
            elif name == "cookies":
                if list(kept) != list(value) or kept.get_policy().__class__ is not value.get_policy().__class__:
                    return False
            elif kept != value:
                return False
        return True

    return short_build, short_headers, same


class _ChunkReader:
    """An iterable request body (a generator, or alibabacloud-oss-v2's CRC-counting ``TeeIterator``) read as a file:
    ``requests`` sends such a body chunk by chunk (chunked, or with the Content-Length it was told), iterating it
    once, so its chunks reach the engine in one pass as they would the service."""

    def __init__(self, body: Iterable[Any]) -> None:
        self.chunks = iter(body)
        self.left = b""

    def read(self, size: int = -1) -> bytes:
        out = [self.left]
        have = len(self.left)
        while size < 0 or have < size:  # (next(), not a for loop: iter() on the SDK's TeeIterator starts it over)
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            chunk = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
            out.append(chunk)
            have += len(chunk)
        data = b"".join(out)
        if size < 0 or len(data) <= size:
            self.left = b""
            return data
        self.left = data[size:]
        return data[:size]


def _streamed(body: Any) -> Any:
    """A non-bytes request body as the engine reads it: a file as it is, an iterable of chunks through a reader (a
    bytearray or memoryview, which ``requests`` passes on as it is, as its bytes)."""
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    return body if hasattr(body, "read") else _ChunkReader(body)


def _request(method: str, url: str, headers: Any, body: bytes) -> HttpRequest:
    """What the engine is handed for an intercepted ECS call. ``requests``' CaseInsensitiveDict headers
    are read from its ``_store`` (lower-cased name -> (name, value)) when it has one."""
    store = getattr(headers, "_store", None)
    # (read through dict's own items(): an OrderedDict's iterator looks each key up again in its order list, and
    # CaseInsensitiveDict never reorders its store, so the order is the same)
    lowered = {lower: pair[1] for lower, pair in dict.items(store)} if store.__class__ is OrderedDict else \
        lowered_headers(headers)
    return HttpRequest(method, url, lowered, body, lowered=True)


URL_KEPT = 256  # the URL heads whose match _direct_send keeps (per mock)


def _direct_send(mock: MockECS, previous: Callable[..., Any]) -> Callable[..., Any]:
    """``HTTPAdapter.send`` answering the mock's hosts straight away, everything else through ``previous``
    (``responses``' dispatcher, which also answers the mock's hosts): per call it skips what mockecs does not
    use of it (parsing the query string into ``request.params``, trying each registration, logging every
    call in a list that grows with the test). Requests it leaves to ``previous``, which answers them as
    before: streamed (file-like) bodies of other hosts (those of the mock's own go to the engine as streams: OSS
    uploads), and adapters whose ``max_retries`` retries on statuses."""
    _, raw_response = _answers()
    engine_response = _ANSWERS[2]
    pattern, answer, engine = mock._pattern, mock._responses_callback, mock.engine
    # What the pattern says of each URL's "scheme://host[:port]/" (URL_KEPT of them): it reads no further than
    # that first "/" (none of its hosts holds one; a mock whose hosts do matches every URL whole), and matching
    # a few dozen characters case-insensitively, every call, cost more than all the rest of intercepting.
    kept: Optional[dict[str, int]] = None if any("/" in h for h in (*mock.hosts, *mock.passthrough_hosts)) else {}

    def classify(head: str) -> int:
        """0: not the mock's; 1: another Alibaba Cloud product, the metadata server; 2: the engine's."""
        matched = pattern.match(head)
        found = 0 if matched is None else 1 if matched.group("ecs") is None else 2
        if kept is not None and len(kept) < URL_KEPT:
            kept[head] = found
        return found

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        body, url, method = request.body, request.url, request.method
        plain = body is None or body.__class__ is bytes or body.__class__ is str
        if (plain or hasattr(body, "read") or hasattr(body, "__iter__")) and method in _METHODS \
                and not adapter.max_retries.status_forcelist:
            if kept is None:
                matched = classify(url)
            else:
                end = url.find("/", 8)  # (after "https://": the end of the host and port)
                head = url if end < 0 else url[:end + 1]
                matched = kept.get(head)
                if matched is None:
                    matched = classify(head)
            if matched:
                if matched == 1:  # another Alibaba Cloud product, the metadata server
                    if not plain:
                        return previous(adapter, request, *args, **kwargs)
                    return adapter.build_response(request, raw_response(*answer(request), method))
                # An ECS call (the common case) goes straight to the engine: one match, no layers between; a
                # streamed body (an OSS upload) goes as it is, read in chunks, never copied whole.
                resp = engine.handle(_request(method, url, request.headers, _streamed(body) if not plain else
                                              body.encode("utf-8") if body.__class__ is str else body or b""))
                return engine_response(adapter, request, resp.status, resp.headers, resp.body, method)
        return previous(adapter, request, *args, **kwargs)

    return send


class _DefaultResponsesBridge:
    """Lets ``@responses.activate`` started *inside* an active mockecs pass ECS calls on to it.

    The user's default ``responses`` mock would otherwise refuse ECS calls ("Connection refused
    by Responses"): while mockecs is active, its pass-through target becomes mockecs and ECS
    URLs pass through. Left alone when the default mock is already active (it is then *our*
    pass-through target, and pointing it back at us would loop). Uses two attributes of
    ``responses.RequestsMock`` that are not public API; skipped if they are absent.
    """

    def __init__(self, pattern: re.Pattern) -> None:
        import responses

        self.default = default = getattr(responses, "mock", None)
        self.pattern = pattern
        self.saved = None
        if default is None or not hasattr(default, "_real_send") or getattr(default, "_patcher", None) is not None:
            self.default = None
            return
        self.saved = default._real_send
        default._real_send = _resolve("requests.adapters.HTTPAdapter.send")  # mockecs' interceptor
        default.add_passthru(pattern)

    def stop(self) -> None:
        if self.default is not None:
            self.default._real_send = self.saved
            self.default.passthru_prefixes = tuple(p for p in self.default.passthru_prefixes if p is not self.pattern)


class MockECS:
    """An active fake ECS: use as a decorator, a context manager (sync or async), or start()/stop()."""

    def __init__(self, engine: Optional[Engine] = None, *, hosts: Iterable[str] = (),
                 passthrough: Union[bool, Iterable[str]] = True, config: Optional[Config] = None,
                 **settings: Any) -> None:
        if engine is None:
            engine = Engine(config or Config(**settings))
        self.engine = engine
        self.hosts = tuple(hosts)
        # True: hosts outside Alibaba Cloud reach the network; False: nothing does; a list: those hosts (Alibaba
        # Cloud ones included) reach the network too.
        self.passthrough = passthrough if isinstance(passthrough, bool) else True
        self.passthrough_hosts = () if isinstance(passthrough, bool) else tuple(h.lower() for h in passthrough)
        self._ecs = _url_pattern(self.hosts)
        self._pattern = intercept_pattern(_alternatives(self.hosts), self.passthrough_hosts)
        self.metadata = MetadataServer(engine)
        self._patchers: list[Any] = []
        self._depth = 0
        self._lock = threading.Lock()
        self._server: Any = None  # see dashboard_url
        self._ids_before: Any = None

    # -- convenience views on the engine -------------------------------------------------
    @property
    def calls(self) -> list:
        return self.engine.calls

    @property
    def accounts(self) -> Any:
        return self.engine.accounts

    def reset(self) -> None:
        self.engine.reset()

    def inject(self, *args: Any, **kwargs: Any) -> Any:
        return self.engine.inject(*args, **kwargs)

    def interrupt_spot(self, instance_id: Optional[str] = None, *, reclaim: bool = False,
                       **kwargs: Any) -> list[dict]:
        """Reclaim spot instances as the cloud does (:func:`mockecs.world.spot_interruptions.interrupt`: the notice
        now, released or stopped 5 minutes later on the mock clock); ``instance_type``, ``zone_id``, ``account``,
        ``spot_price`` as there. ``reclaim``: move the clock on to the reclaim at once. Returns the CloudMonitor
        events (``Instance:PreemptibleInstanceInterruption``); refusals raise ``InterruptionError`` (a ValueError)."""
        published = spot_interruptions.interrupt(self.engine, instance_id, **kwargs)
        if reclaim and published:
            self.engine.clock.advance(spot_interruptions.NOTICE)
        return published

    def spot_interruption_events(self, account: Optional[str] = None,
                                 instance_id: Optional[str] = None) -> list[dict]:
        """The CloudMonitor interruption events published so far, oldest first."""
        return spot_interruptions.events(self.engine, account, instance_id)

    def sell_out(self, zone_id: str, instance_type: Optional[str] = None, *, disk_category: Optional[str] = None,
                 closed: bool = False, reclaim_spot: bool = False, seconds: Optional[float] = None) -> dict:
        """Run the stock of ``zone_id`` out (:func:`mockecs.world.stock.sell_out`): of ``instance_type``, of
        ``disk_category``, or (neither) of every instance type the zone sells, until :meth:`restock`. Launches
        there then refuse with ``OperationDenied.NoStock``, DescribeAvailableResource answers ``SoldOut``.
        ``closed``: ``ClosedWithoutStock`` (not to be restocked); ``reclaim_spot``: the spot instances of that type
        (or zone) get their interruption notice now (the events are answered under ``"events"``); ``seconds``: back
        in stock that long after now on the mock clock. Refusals raise ``StockError`` (a ValueError)."""
        return stock.sell_out(self.engine, zone_id, instance_type, disk_category=disk_category, closed=closed,
                              reclaim_spot=reclaim_spot, seconds=seconds)

    def restock(self, zone_id: Optional[str] = None, instance_type: Optional[str] = None, *,
                disk_category: Optional[str] = None) -> None:
        """Back in stock: ``instance_type`` (or ``disk_category``) in ``zone_id``, the whole zone with neither, every
        zone with no ``zone_id``."""
        stock.restock(self.engine, zone_id, instance_type, disk_category=disk_category)

    def stock_shortages(self, zone_id: Optional[str] = None) -> list[dict]:
        """The zones' shortages: ``[{"zone_id", "region", "zone", "instance_types", "disk_categories"}]`` (each
        sold-out thing with its StatusCategory)."""
        return stock.listing(self.engine, zone_id)

    def dashboard_url(self) -> str:
        """The dashboard of this mock's engine: a server thread on a free loopback port, started on the first
        call and stopped with the mock (needs the ``dashboard`` extra). Open it while a test is paused."""
        with self._lock:
            if self._server is None:
                from mockecs.modes.server.thread import ServerThread  # only when asked: keeps the mock light

                self._server = ServerThread(engine=self.engine).start()
            return self._server.dashboard_url

    # -- patching ----------------------------------------------------------------------
    def _answer(self, method: str, url: str, headers: Any, body: Any) -> HttpResponse:
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is None:
            body = b""
        elif not isinstance(body, (bytes, bytearray)):  # a file or an iterable of chunks (an OSS upload), whole
            body = _streamed(body) if hasattr(body, "read") or hasattr(body, "__iter__") else b""
            body = body if body.__class__ is bytes else body.read()
        if self._ecs.match(url):
            return self.engine.handle(_request(method, url, headers, bytes(body)))
        if url.split("/", 3)[2].split(":", 1)[0] == METADATA_HOST:
            return self.metadata.answer(method, url, headers)
        return product_error(method, url, headers, bytes(body))

    def _responses_callback(self, request: Any) -> tuple[int, dict, bytes]:
        resp = self._answer(request.method, request.url, request.headers, request.body)
        return resp.status, resp.headers, resp.body

    def _start_responses(self, target: str) -> None:
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False, target=target,
                                      real_adapter_send=_resolve(target))
        pattern = self._pattern
        mock.add(_answers()[0](pattern, self._responses_callback))
        if self.passthrough:
            mock.add_passthru(re.compile(r".*"))
        mock.start()
        self._patchers.append(mock)
        adapter, _, name = target.rpartition(".")
        self._patchers.append(AttributePatch(_resolve(adapter), name, _direct_send(self, _resolve(target))).start())
        if target == "requests.adapters.HTTPAdapter.send":
            self._patchers.append(_DefaultResponsesBridge(pattern))


    def _start_aiohttp(self) -> None:
        try:
            from mockecs.modes.aio import AiohttpPatch
            patch = AiohttpPatch(self._pattern, self._answer, self.passthrough)
            patch.start()
        except ImportError:  # aiohttp is optional for users of the sync SDKs
            return
        self._patchers.append(patch)

    def start(self) -> MockECS:
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return self
            self._start_responses("requests.adapters.HTTPAdapter.send")
            try:
                _resolve(_VENDORED)
            except ImportError:
                pass  # the old SDK is not installed
            else:
                self._start_responses(_VENDORED)
                signer = importlib.import_module(_RAM_ROLE_SIGNER)
                self._patchers.append(AttributePatch(signer, "urlopen", self.metadata.urlopen).start())
            self._start_aiohttp()
            self._patchers.append(FakeCredentialsEnv().start())
            _active.append(self)
            if self.engine.ids is not None:  # ids made outside a call (fixtures, helpers) follow the seed too
                self._ids_before = ids.CURRENT.get()
                ids.CURRENT.set(self.engine.ids)
        return self

    def stop(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth > 0:
                return
            if self in _active:
                _active.remove(self)
            if self.engine.ids is not None:
                ids.CURRENT.set(self._ids_before)
            if self._server is not None:
                self._server.stop()
                self._server = None
            while self._patchers:
                patcher = self._patchers.pop()
                patcher.stop(allow_assert=False) if hasattr(patcher, "add_passthru") else patcher.stop()

    def __enter__(self) -> MockECS:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> MockECS:
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    def __call__(self, func: F) -> F:  # used as @mock_ecs(...) with arguments
        return _decorate(func, lambda: self)


def current_mock() -> MockECS:
    """The innermost active mock: inside ``@mock_ecs`` code, the way to reach ``calls``/``inject``."""
    if not _active:
        raise RuntimeError("no mock_ecs is active")
    return _active[-1]


def _is_test_case(cls: type) -> bool:
    # unittest is not imported for this: a TestCase subclass exists only once unittest is loaded.
    unittest = sys.modules.get("unittest")
    return unittest is not None and issubclass(cls, unittest.TestCase)


def _is_async(func: Any) -> bool:
    """``asyncio.iscoroutinefunction`` without importing asyncio (~14 ms): what it adds to
    :func:`inspect.iscoroutinefunction` (asyncio's own marker, set on ``AsyncMock`` ...) exists only
    once asyncio is loaded."""
    if inspect.iscoroutinefunction(func):
        return True
    asyncio = sys.modules.get("asyncio")
    return asyncio is not None and asyncio.iscoroutinefunction(func)


def _decorate(target: Any, make: Callable[[], MockECS]) -> Any:
    if inspect.isclass(target):
        if _is_test_case(target):
            # run() covers setUp, the test and tearDown: each test gets its own fresh mock.
            target.run = _decorate(target.run, make)
            return target
        return _decorate_plain_class(target, make)
    if _is_async(target):
        @functools.wraps(target)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            async with make():
                return await target(*args, **kwargs)
        return async_wrapper

    @functools.wraps(target)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with make():
            return target(*args, **kwargs)
    return wrapper


_CLASS_MOCK = "_mockecs_class_mock"  # the mock a test class instance's setup_method started


def _decorate_plain_class(target: type, make: Callable[[], MockECS]) -> type:
    """Each test gets a fresh mock that is active from ``setup_method`` to ``teardown_method`` (as moto does)."""
    setup, teardown = getattr(target, "setup_method", None), getattr(target, "teardown_method", None)

    def call(hook: Any, self: Any, method: Any) -> None:
        if hook is not None:  # pytest passes the method only to hooks that take it
            hook(self, method) if hook.__code__.co_argcount > 1 else hook(self)

    def setup_method(self: Any, method: Any = None) -> None:
        mock = make().start()
        setattr(self, _CLASS_MOCK, mock)
        try:
            call(setup, self, method)
        except BaseException:
            delattr(self, _CLASS_MOCK)
            mock.stop()
            raise

    def teardown_method(self: Any, method: Any = None) -> None:
        try:
            call(teardown, self, method)
        finally:
            mock = self.__dict__.pop(_CLASS_MOCK, None)
            if mock is not None:
                mock.stop()

    target.setup_method, target.teardown_method = setup_method, teardown_method
    for name, member in list(vars(target).items()):
        if name.startswith("test") and callable(member):
            setattr(target, name, _in_class_mock(member, make))
    return target


def _in_class_mock(test: Any, make: Callable[[], MockECS]) -> Any:
    """A test method that runs in its instance's mock, or (called outside pytest) in a fresh one."""
    if _is_async(test):
        @functools.wraps(test)
        async def async_method(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _CLASS_MOCK in vars(self):
                return await test(self, *args, **kwargs)
            async with make():
                return await test(self, *args, **kwargs)
        return async_method

    @functools.wraps(test)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _CLASS_MOCK in vars(self):
            return test(self, *args, **kwargs)
        with make():
            return test(self, *args, **kwargs)
    return method


def mock_ecs(func: Any = None, **settings: Any) -> Any:
    """Fake ECS for a function, coroutine function or class, or as a (async) context manager.

    ``@mock_ecs``, ``@mock_ecs(strict_signatures=True)``, ``with mock_ecs() as m:``,
    ``async with mock_ecs() as m:``. Every decorated call gets a fresh, empty state.
    """
    if func is None:
        return _Factory(settings)
    return _decorate(func, lambda: MockECS(**settings))


_MOCK_ARGUMENTS = ("engine", "hosts", "passthrough", "config")  # MockECS' own; the rest are Config settings


class _Factory:
    """What ``mock_ecs(...)`` returns: a decorator and, entered, a fresh :class:`MockECS`."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self._active: list[MockECS] = []
        engine_settings = {k: v for k, v in settings.items() if k not in _MOCK_ARGUMENTS}
        if engine_settings:
            Config(**engine_settings)  # a bad setting fails here, where it is written, not at the first call

    def __call__(self, func: Any) -> Any:
        return _decorate(func, lambda: MockECS(**self.settings))

    def __enter__(self) -> MockECS:
        mock = MockECS(**self.settings)
        self._active.append(mock)
        return mock.start()

    def __exit__(self, *exc: Any) -> None:
        self._active.pop().stop()

    async def __aenter__(self) -> MockECS:
        return self.__enter__()

    async def __aexit__(self, *exc: Any) -> None:
        self.__exit__()

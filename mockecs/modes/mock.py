"""``mock_ecs``: intercept the HTTP calls of unchanged SDK code and answer through the engine.

Three transports are patched while a mock is active:

- ``requests`` (the current SDK, sync) through ``responses``;
- the old SDK's vendored ``requests`` through ``responses`` with ``target=``;
- ``aiohttp`` (the current SDK's ``*_async`` methods) through a small patch (:mod:`mockecs.modes.aio`).

Only ECS endpoints (and hosts the user adds) are answered; other hosts pass through to
whatever was there before (the network, or a user's own ``responses`` mock), or become a
clear connection error with ``passthrough=False``.
"""
from __future__ import annotations

import asyncio
import functools
import inspect
import re
import threading
import unittest
from typing import Any, Callable, Iterable, Optional, TypeVar

from mockecs.engine.core import Config, Engine
from mockecs.wire.protocol import HttpRequest, HttpResponse, lowered_headers

F = TypeVar("F", bound=Callable[..., Any])

# ecs.aliyuncs.com, ecs-cn-hangzhou.aliyuncs.com, ecs.<region>.aliyuncs.com, ecs-vpc.<region>.aliyuncs.com
ECS_HOST = r"ecs(?:-vpc)?(?:[.-][a-z0-9-]+?)?(?:-vpc)?\.aliyuncs\.com"
_VENDORED = "aliyunsdkcore.vendored.requests.adapters.HTTPAdapter.send"
_current = threading.local()
_active: list[MockECS] = []  # started mocks, innermost last (see current_mock)


def _url_pattern(hosts: Iterable[str]) -> re.Pattern:
    alternatives = [ECS_HOST] + [re.escape(h) for h in hosts]
    return re.compile(r"^https?://(?:{})(?::\d+)?(?:[/?]|$)".format("|".join(alternatives)), re.IGNORECASE)


def _resolve(target: str) -> Any:
    module, _, attr = target.rpartition(".")
    owner_path, _, cls = module.rpartition(".")
    owner = __import__(owner_path, fromlist=[cls])
    return getattr(getattr(owner, cls), attr)


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

    def __init__(self, engine: Optional[Engine] = None, *, hosts: Iterable[str] = (), passthrough: bool = True,
                 config: Optional[Config] = None, **settings: Any) -> None:
        if engine is None:
            engine = Engine(config or Config(**settings))
        self.engine = engine
        self.hosts = tuple(hosts)
        self.passthrough = passthrough
        self._patchers: list[Any] = []
        self._depth = 0
        self._lock = threading.Lock()

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

    # -- patching ----------------------------------------------------------------------
    def _answer(self, method: str, url: str, headers: Any, body: Any) -> HttpResponse:
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is None:
            body = b""
        elif not isinstance(body, (bytes, bytearray)):
            body = b""  # a streamed body (file, generator): not what the SDKs send (aio converts its own)
        return self.engine.handle(HttpRequest(method, url, lowered_headers(headers), bytes(body), lowered=True))

    def _responses_callback(self, request: Any) -> tuple[int, dict, bytes]:
        resp = self._answer(request.method, request.url, request.headers, request.body)
        return resp.status, resp.headers, resp.body

    def _start_responses(self, target: str) -> None:
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False, target=target,
                                      real_adapter_send=_resolve(target))
        pattern = _url_pattern(self.hosts)
        for method in ("GET", "POST"):
            mock.add_callback(method, pattern, callback=self._responses_callback)
        if self.passthrough:
            mock.add_passthru(re.compile(r".*"))
        mock.start()
        self._patchers.append(mock)
        if target == "requests.adapters.HTTPAdapter.send":
            self._patchers.append(_DefaultResponsesBridge(pattern))


    def _start_aiohttp(self) -> None:
        try:
            from mockecs.modes.aio import AiohttpPatch
            patch = AiohttpPatch(_url_pattern(self.hosts), self._answer, self.passthrough)
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
            self._start_aiohttp()
            _active.append(self)
        return self

    def stop(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth > 0:
                return
            if self in _active:
                _active.remove(self)
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


def _decorate(target: Any, make: Callable[[], MockECS]) -> Any:
    if inspect.isclass(target):
        if issubclass(target, unittest.TestCase):
            # run() covers setUp, the test and tearDown: each test gets its own fresh mock.
            target.run = _decorate(target.run, make)
            return target
        for name, member in list(vars(target).items()):
            if name.startswith("test") and callable(member):
                setattr(target, name, _decorate(member, make))
        return target
    if asyncio.iscoroutinefunction(target):
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

"""A small patch of ``aiohttp.ClientSession._request`` for the current SDK's ``*_async`` calls.

aioresponses builds real ``ClientResponse`` objects, whose constructor changes between
aiohttp releases (3.14 broke it); answering with a small response object of our own that
offers what clients read (status, reason, headers, read/text/json, release, async with)
keeps mockecs independent of aiohttp's internals. Unmatched URLs go to the original method.
"""
from __future__ import annotations

import http
import json as _json
import re
from typing import Any, Callable, Optional
from urllib.parse import urlencode

from mockecs.modes.offline import AttributePatch


class MockClientResponse:
    def __init__(self, method: str, url: str, status: int, headers: dict[str, str], body: bytes) -> None:
        from multidict import CIMultiDict, CIMultiDictProxy
        from yarl import URL

        self.method = method
        self.url = URL(url)
        self.status = status
        self.reason = _reason(status)
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self._body = body
        self.ok = status < 400
        self.content_type = headers.get("Content-Type", "").split(";")[0]
        self.charset = "utf-8"

    async def read(self) -> bytes:
        return self._body

    async def text(self, encoding: Optional[str] = None, errors: str = "strict") -> str:
        return self._body.decode(encoding or "utf-8", errors)

    async def json(self, *, loads: Callable = _json.loads, **_: Any) -> Any:
        return loads(self._body.decode("utf-8"))

    def release(self) -> None:
        pass

    def close(self) -> None:
        pass

    def raise_for_status(self) -> None:
        if not self.ok:
            from aiohttp import ClientResponseError, RequestInfo

            info = RequestInfo(self.url, self.method, self.headers, self.url)
            raise ClientResponseError(info, (), status=self.status, message=self.reason, headers=self.headers)

    async def __aenter__(self) -> MockClientResponse:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        pass


def _body_bytes(data: Any, json_body: Any) -> bytes:
    if json_body is not None:
        return _json.dumps(json_body).encode()
    if data is None:
        return b""
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, dict):
        return urlencode(data).encode()
    return bytes(getattr(data, "_value", b"") or b"")  # aiohttp payload objects


class AiohttpPatch:
    """Route ``aiohttp`` requests whose URL matches ``pattern`` to ``answer``."""

    def __init__(self, pattern: re.Pattern, answer: Callable[[str, str, dict, bytes], Any], passthrough: bool) -> None:
        self.pattern = pattern
        self.answer = answer
        self.passthrough = passthrough
        self._patcher: Optional[Any] = None

    def start(self) -> None:
        import aiohttp

        original = aiohttp.ClientSession._request
        patch = self

        async def _request(session: Any, method: str, str_or_url: Any, *args: Any, **kwargs: Any) -> Any:
            url = str(session._build_url(str_or_url)) if hasattr(session, "_build_url") else str(str_or_url)
            params = kwargs.get("params")
            if params:
                url += ("&" if "?" in url else "?") + urlencode(params)
            if not patch.pattern.match(url):
                if patch.passthrough:
                    return await original(session, method, str_or_url, *args, **kwargs)
                raise aiohttp.ClientConnectionError(f"mockecs: connection refused (passthrough off): {method} {url}")
            headers = dict(session.headers or {})
            headers.update(dict(kwargs.get("headers") or {}))
            body = _body_bytes(kwargs.get("data"), kwargs.get("json"))
            resp = patch.answer(method.upper(), url, headers, body)
            return MockClientResponse(method.upper(), url, resp.status, resp.headers, resp.body)

        self._patcher = AttributePatch(aiohttp.ClientSession, "_request", _request).start()

    def stop(self) -> None:
        if self._patcher is not None:
            self._patcher.stop()
            self._patcher = None


def _reason(status: int) -> str:
    """The standard reason phrase, as aiohttp reads it off a real status line (``429 Too Many Requests``)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""

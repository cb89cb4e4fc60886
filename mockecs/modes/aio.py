"""A small patch of ``aiohttp.ClientSession._request`` for the current SDK's ``*_async`` calls.

aioresponses builds real ``ClientResponse`` objects, whose constructor changes between
aiohttp releases (3.14 broke it); answering with a small response object of our own that
offers what clients read (status, reason, headers, read/text/json, release, async with)
keeps mockecs independent of aiohttp's internals. Unmatched URLs go to the original method.
"""
from __future__ import annotations

import http
import io
import json as _json
import re
from typing import Any, Callable, Optional
from urllib.parse import urlencode

from mockecs.modes.offline import AttributePatch


class _Content:
    """What aiohttp's ``response.content`` (a StreamReader) offers the clients that stream an answer (OSS downloads):
    the body read on demand, a large one (a streamed answer, mockecs.wire.oss.Stream) never held whole."""

    def __init__(self, source: Any) -> None:
        self.source = source

    async def read(self, n: int = -1) -> bytes:
        return self.source.read(n)

    async def readany(self) -> bytes:
        return self.source.read(65536)

    async def iter_chunked(self, n: int) -> Any:
        while True:
            chunk = self.source.read(n)
            if not chunk:
                return
            yield chunk

    def iter_any(self) -> Any:
        return self.iter_chunked(65536)


class MockClientResponse:
    def __init__(self, method: str, url: str, status: int, headers: dict[str, str], body: Any) -> None:
        from multidict import CIMultiDict, CIMultiDictProxy
        from yarl import URL

        self.method = method
        self.url = URL(url)
        self.status = status
        self.reason = _reason(status)
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self._body = body if body.__class__ is bytes else None  # (else a stream, read when asked)
        self.content = _Content(io.BytesIO(body) if self._body is not None else body)
        self.ok = status < 400
        self.content_type = headers.get("Content-Type", "").split(";")[0]
        self.charset = "utf-8"

    async def read(self) -> bytes:
        if self._body is None:
            self._body = self.content.source.read()
        return self._body

    async def text(self, encoding: Optional[str] = None, errors: str = "strict") -> str:
        return (await self.read()).decode(encoding or "utf-8", errors)

    async def json(self, *, loads: Callable = _json.loads, **_: Any) -> Any:
        return loads((await self.read()).decode("utf-8"))

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
    if hasattr(data, "read"):  # a file, which aiohttp reads and sends
        chunk = data.read()
        return chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk or b"")
    return bytes(getattr(data, "_value", b"") or b"")  # aiohttp payload objects


async def _body_of(data: Any, json_body: Any) -> bytes:
    """The request's body as aiohttp would send it: an async iterable of chunks (alibabacloud-oss-v2's aio uploads,
    a CRC-counting TeeAsyncIterator) read once, to its end, as aiohttp streams it."""
    if json_body is None and hasattr(data, "__aiter__"):
        chunks = []
        async for chunk in data:
            chunks.append(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk))
        return b"".join(chunks)
    return _body_bytes(data, json_body)


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
            body = await _body_of(kwargs.get("data"), kwargs.get("json"))
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

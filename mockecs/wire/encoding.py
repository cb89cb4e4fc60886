"""Encoding answers as JSON or XML, exactly as the SDKs parse them (spec §1.6)."""
from __future__ import annotations

import json
import re
from operator import attrgetter
from typing import Any, Iterator, Mapping, Optional
from xml.sax.saxutils import escape

from mockecs.wire.protocol import HttpResponse

# The new SDK treats an error body as XML only when Content-Type is exactly this string.
JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"
# The headers of every API answer (``render``'s), no more: mock mode forms such an answer's reply in fewer steps.
API_HEADERS = ("Content-Type", "x-acs-request-id")


# Characters XML 1.0 cannot carry at all, not even as character references: control characters
# other than tab, CR and LF, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_value(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    text = escape(str(value))
    # [GUESS] a stored value with such a character (a Description sent as '%01') is answered without
    # it in XML, so the document always parses; JSON answers carry the value unchanged.
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def _xml(name: str, value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is Frozen:
        out.append(f"<{name}>{value.xml_inner()}</{name}>")
    elif isinstance(value, list):
        # A list is rendered as the element repeated: {"Image": [a, b]} -> <Image>a</Image><Image>b</Image>
        for item in value:
            _xml(name, item, out)
    elif isinstance(value, Mapping):
        out.append(f"<{name}>")
        for key, item in value.items():
            _xml(key, item, out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_xml_value(value)}</{name}>")


def to_xml(root: str, body: dict) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _xml(root, body, out)
    return "".join(out).encode("utf-8")


_encode_str = json.encoder.encode_basestring  # C; escapes like json.dumps(ensure_ascii=False)
_SCALARS = {True: "true", False: "false", None: "null"}
_INF = float("inf")


class _Unsupported(Exception):
    pass


def _write(value: Any, out: list[str], done: list[bytes]) -> None:
    # The body shapes handlers return (dicts, lists, str/int/bool/None, Frozen parts) written
    # directly: json.dumps with keyword arguments builds a new encoder on every call, which costs
    # more than encoding a small answer. Strings and Frozen parts, the common items, skip a call.
    # A Frozen part is spliced in as the UTF-8 it was encoded to once: ``out`` (text written since
    # the last splice) is encoded and moved to ``done`` first. Image records hold non-ASCII text,
    # and encoding them again on every answer cost more than all the rest of the writing.
    kind = type(value)
    if kind is dict:
        if value:
            _write_items(value, out, done, "{")
            out.append("}")
        else:
            out.append("{}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        if value[0].__class__ is Frozen:  # a page of views: their bytes joined at once
            parts = [item.utf8 for item in value if item.__class__ is Frozen]
            if len(parts) == len(value):
                out.append("[")
                done.append("".join(out).encode("utf-8"))
                out.clear()
                done.append(b",".join(parts))
                out.append("]")
                return
        sep = "["
        for item in value:
            out.append(sep)
            _write(item, out, done)
            sep = ","
        out.append("]")
    elif kind is str:
        out.append(_encode_str(value))
    elif kind is FrozenList:
        out.append("[")  # (the brackets go with the text around: the page's bytes are copied once, here)
        done.append("".join(out).encode("utf-8"))
        done.append(value.utf8())
        out.clear()
        out.append("]")
    elif kind is Frozen:
        done.append("".join(out).encode("utf-8"))
        done.append(value.utf8)
        out.clear()
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is bool or value is None:
        out.append(_SCALARS[value])
    elif kind is float and -_INF < value < _INF:  # (NaN fails both tests)
        out.append(float.__repr__(value))
    else:  # NaN and infinities, other Mappings and sequences: json's own rules
        raise _Unsupported


# Key -> a comma, its JSON text and colon: answers repeat a few hundred API field names.
_KEY_TEXT: dict[Any, str] = {}
_int_text = int.__repr__


def _key_text(key: Any) -> str:
    if type(key) is not str:
        raise _Unsupported
    text = f",{_encode_str(key)}:"
    if len(_KEY_TEXT) < 4096:  # bounded: some keys are callers' own text
        _KEY_TEXT[key] = text
    return text


def _write_items(value: dict, out: list[str], done: list[bytes], opening: Optional[str]) -> None:
    """``value``'s items, each after a comma; with ``opening`` ("{"), the first one after that instead. (The
    comma is part of the key's text: one step less per item.)"""
    keys = _KEY_TEXT
    for key, item in value.items():
        text = keys.get(key) or _key_text(key)
        if opening:
            text = opening + text[1:]
            opening = None
        out.append(text)
        kind = type(item)
        if kind is str:
            out.append(_encode_str(item))
        elif kind is int:
            out.append(_int_text(item))
        else:
            _write(item, out, done)


def to_json(body: Any, request_id: Optional[str] = None) -> bytes:
    """``body`` as compact JSON; with ``request_id``, a dict body gets ``RequestId`` as its first key."""
    out: list[str] = []
    done: list[bytes] = []
    try:
        if request_id is None:
            _write(body, out, done)
        else:  # {"RequestId": request_id, **body}, without building that dict
            out.append(f'{{"RequestId":{_encode_str(request_id)}')
            _write_items(body, out, done, None)
            out.append("}")
    except _Unsupported:
        if request_id is not None:
            body = {"RequestId": request_id, **body}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_nested).encode("utf-8")
    if done:
        done.append("".join(out).encode("utf-8"))
        return b"".join(done)
    return "".join(out).encode("utf-8")


def plain(value: Any) -> Any:
    """``value`` with every Frozen part turned back into plain dicts (for storing it)."""
    return json.loads(to_json(value))


class Frozen(Mapping):
    """A value that never changes (DescribeRegions' answer, a catalog image as one caller sees it):
    encoded once, spliced into each answer. Read-only."""

    __slots__ = ("_data", "utf8", "json_tail", "_xml")

    def __init__(self, data: Mapping[str, Any], utf8: Optional[bytes] = None) -> None:
        """``utf8``: ``data``'s JSON if already written (by :func:`to_json`)."""
        self._data = dict(data)
        self.utf8 = utf8 if utf8 is not None else \
            json.dumps(self._data, ensure_ascii=False, separators=(",", ":"), default=_nested).encode()
        self.json_tail = self.utf8[1:]  # without the opening brace
        self._xml: Optional[str] = None

    @classmethod
    def owning(cls, data: dict[str, Any], utf8: bytes) -> Frozen:
        """A Frozen of ``data`` (its JSON ``utf8`` written already) that keeps the dict itself, not a copy: for a
        dict nobody else holds or changes afterwards (an answer the engine keeps)."""
        kept = object.__new__(cls)
        kept._data, kept.utf8, kept.json_tail, kept._xml = data, utf8, utf8[1:], None
        return kept

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def xml_inner(self) -> str:
        if self._xml is None:
            out: list[str] = []
            for key, value in self._data.items():
                _xml(key, value, out)
            self._xml = "".join(out)
        return self._xml


_UTF8 = attrgetter("utf8")


class FrozenList(list):
    """A list of Frozen parts that never changes (a page of views kept whole, answered again): its items' JSON
    is joined once, at the first answer that writes it (without the brackets). Read-only."""

    __slots__ = ("_utf8",)

    def utf8(self) -> bytes:
        try:
            return self._utf8
        except AttributeError:
            self._utf8: bytes = b",".join(map(_UTF8, self))  # (a page of 100: C speed, one copy)
            return self._utf8


def _nested(value: Any) -> Any:
    if type(value) is Frozen:
        return value._data
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render(status: int, body: Mapping[str, Any], fmt: str, root: str, request_id: str) -> HttpResponse:
    if type(body) is Frozen:
        return _render_frozen(status, body, fmt, root, request_id)
    if fmt == "XML":
        data, ctype = to_xml(root, {"RequestId": request_id, **body}), XML_TYPE
    else:
        # A body naming its own RequestId keeps it (in first place), as the merge would.
        data = to_json({"RequestId": request_id, **body}) if "RequestId" in body else to_json(body, request_id)
        ctype = JSON_TYPE
    return HttpResponse(status, {"Content-Type": ctype, "x-acs-request-id": request_id}, data)


def _render_frozen(status: int, body: Frozen, fmt: str, root: str, request_id: str) -> HttpResponse:
    if fmt == "XML":
        data = (f'<?xml version="1.0" encoding="UTF-8"?><{root}><RequestId>{request_id}</RequestId>'
                f"{body.xml_inner()}</{root}>").encode()
        ctype = XML_TYPE
    else:
        data = b'{"RequestId":"' + request_id.encode() + b'",' + body.json_tail if body else \
            b'{"RequestId":"' + request_id.encode() + b'"}'
        ctype = JSON_TYPE
    return HttpResponse(status, {"Content-Type": ctype, "x-acs-request-id": request_id}, data)


def error_body(request_id: str, host: str, code: str, message: str, product: str = "Ecs") -> dict:
    """An error answer's body; ``render`` puts the RequestId first."""
    return {
        "HostId": host,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.alibabacloud.com/troubleshoot?q={code}&product={product}&requestId={request_id}",
    }

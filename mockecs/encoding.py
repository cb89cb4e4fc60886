"""Encoding answers as JSON or XML, exactly as the SDKs parse them (spec §1.6)."""
from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from mockecs.protocol import HttpResponse

# The new SDK treats an error body as XML only when Content-Type is exactly this string.
JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"


def _xml_value(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return escape(str(value))


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, list):
        # A list is rendered as the element repeated: {"Image": [a, b]} -> <Image>a</Image><Image>b</Image>
        for item in value:
            _xml(name, item, out)
    elif isinstance(value, dict):
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


def to_json(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Frozen(dict):
    """A response body that never changes (DescribeRegions ...): encoded once, spliced per call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.json_tail = to_json(self)[1:]  # without the opening brace
        self._xml: dict[str, bytes] = {}

    def xml_inner(self) -> bytes:
        if "" not in self._xml:
            out: list[str] = []
            for key, value in self.items():
                _xml(key, value, out)
            self._xml[""] = "".join(out).encode("utf-8")
        return self._xml[""]


def render(status: int, body: dict, fmt: str, root: str, request_id: str) -> HttpResponse:
    if fmt == "XML":
        data, ctype = to_xml(root, {"RequestId": request_id, **body}), XML_TYPE
    else:
        data, ctype = to_json({"RequestId": request_id, **body}), JSON_TYPE
    return HttpResponse(status, {"Content-Type": ctype, "x-acs-request-id": request_id}, data)


def render_frozen(body: Frozen, fmt: str, root: str, request_id: str) -> HttpResponse:
    if fmt == "XML":
        data = (f'<?xml version="1.0" encoding="UTF-8"?><{root}><RequestId>{request_id}</RequestId>'.encode()
                + body.xml_inner() + f"</{root}>".encode())
        ctype = XML_TYPE
    else:
        data = b'{"RequestId":"' + request_id.encode() + b'",' + body.json_tail if body else \
            b'{"RequestId":"' + request_id.encode() + b'"}'
        ctype = JSON_TYPE
    return HttpResponse(200, {"Content-Type": ctype, "x-acs-request-id": request_id}, data)


def error_body(request_id: str, host: str, code: str, message: str) -> dict:
    return {
        "RequestId": request_id,
        "HostId": host,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.alibabacloud.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}",
    }

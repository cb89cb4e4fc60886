"""The server's access log: one line per request on the ``mockecs.access`` logger at ``info``.

Text (the default), one ``key=value`` list a person reads and ``grep`` finds::

    2026-11-29 17:02:11,532 INFO POST DescribeImages account=1234567890123456 region=cn-hangzhou status=200
    error=- ms=1.4      (one line)

or, with ``mockecs server --log-format json``, one JSON object per line for machines::

    {"time": "2026-11-29T17:02:11.532+00:00", "level": "INFO", "logger": "mockecs.access", "method": "POST",
     "action": "DescribeImages", "account": "1234567890123456", "region": "cn-hangzhou", "status": 200,
     "error_code": null, "ms": 1.4, "request_id": "…", "message": "…"}

Control API requests (``/_mockecs/...``) log their path in place of an action. ``ms`` is the server's
whole time for the request, from the WSGI call to the answer's bytes.
"""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any, Optional

log = logging.getLogger("mockecs.access")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(message)s"
_FIELDS = ("method", "action", "account", "region", "status", "error_code", "ms", "request_id")


def record(method: str, path: str, response: Any, ms: float) -> None:
    """Log one answered request (callers check ``log.isEnabledFor(INFO)`` first: a request costs nothing more
    when the access log is off)."""
    call = getattr(response, "call", None)
    fields = {"method": method, "action": call.action if call is not None else path,
              "account": call.account if call is not None else None,
              "region": call.region if call is not None else None, "status": response.status,
              "error_code": call.error_code if call is not None else None, "ms": round(ms, 2),
              "request_id": call.request_id if call is not None else None}
    log.info("%s %s account=%s region=%s status=%s error=%s ms=%.1f", method, fields["action"] or "-",
             fields["account"] or "-", fields["region"] or "-", response.status, fields["error_code"] or "-", ms,
             extra={"access": fields})


class JsonFormatter(logging.Formatter):
    """Every record as one JSON object; access records carry their fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname, "logger": record.name}
        out.update(getattr(record, "access", None) or {})
        out["message"] = record.getMessage()
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(level: str = "info", fmt: str = "text", stream: Optional[Any] = None) -> logging.Handler:
    """Set up the root logger for ``mockecs server``: ``fmt`` is ``text`` or ``json``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler

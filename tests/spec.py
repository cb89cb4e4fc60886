"""Documented facts from Alibaba's API metadata (../shared/spec), read by tests only, never shipped."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest

_NAME = "ecs-api-metadata.json"


def _metadata_path() -> Optional[Path]:
    """``$MOCKECS_SPEC_DIR``, else ``shared/spec`` beside the checkout or beside any folder above it."""
    if os.environ.get("MOCKECS_SPEC_DIR"):
        return Path(os.environ["MOCKECS_SPEC_DIR"]) / _NAME
    for folder in list(Path(__file__).resolve().parents)[1:]:
        if (folder / "shared" / "spec" / _NAME).exists():
            return folder / "shared" / "spec" / _NAME
    return None


@lru_cache(maxsize=1)
def metadata() -> dict:
    path = _metadata_path()
    if path is None or not path.exists():
        pytest.skip("the API metadata (shared/spec, or $MOCKECS_SPEC_DIR) is not beside this checkout")
    return json.loads(path.read_text("utf-8"))


def documented_error(action: str, code: str) -> Optional[tuple[int, str]]:
    """(HTTP status, message) that the metadata documents for ``code`` of ``action``, or None."""
    for status, errors in (metadata()["apis"][action].get("errorCodes") or {}).items():
        for error in errors:
            if error["errorCode"] == code:
                return int(status), error["errorMessage"]
    return None


_JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "object": (dict,),
               "array": (list,)}


def response_problems(action: str, body: dict) -> list[str]:
    """Where a successful answer differs from the metadata's response schema of ``action``: a documented
    field that is absent, or present with another JSON type. (Fields the metadata does not list are the
    SDK models' business: tests/sdk_shapes.py.) Arrays are checked through their items."""
    schema = metadata()["apis"][action]["responses"]["200"]["schema"]
    problems: list[str] = []
    _compare(schema, body, action, problems)
    return problems


def _compare(schema: dict, value: object, path: str, problems: list[str]) -> None:
    kind = schema.get("type")
    expected = _JSON_TYPES.get(kind or "")
    if expected is None:
        return
    if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
        problems.append(f"{path}: {type(value).__name__} where the metadata documents {kind}")
        return
    if kind == "object":
        for name, sub in (schema.get("properties") or {}).items():
            if name not in value:  # type: ignore[operator]
                problems.append(f"{path}.{name}: documented, not answered")
            else:
                _compare(sub, value[name], f"{path}.{name}", problems)  # type: ignore[index]
    elif kind == "array" and "items" in schema:
        for n, item in enumerate(value):  # type: ignore[arg-type]
            _compare(schema["items"], item, f"{path}[{n}]", problems)

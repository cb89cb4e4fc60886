"""Documented facts from Alibaba's API metadata (../shared/spec), read by tests only, never shipped."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest

_PATH = Path(__file__).resolve().parents[2] / "shared" / "spec" / "ecs-api-metadata.json"


@lru_cache(maxsize=1)
def metadata() -> dict:
    if not _PATH.exists():
        pytest.skip("the API metadata (../shared/spec) is not beside this checkout")
    return json.loads(_PATH.read_text("utf-8"))


def documented_error(action: str, code: str) -> Optional[tuple[int, str]]:
    """(HTTP status, message) that the metadata documents for ``code`` of ``action``, or None."""
    for status, errors in (metadata()["apis"][action].get("errorCodes") or {}).items():
        for error in errors:
            if error["errorCode"] == code:
                return int(status), error["errorMessage"]
    return None

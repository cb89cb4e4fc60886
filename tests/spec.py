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

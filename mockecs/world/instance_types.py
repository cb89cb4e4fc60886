"""The instance-type catalogue (``data/instance_types.json``): architecture and size of each type."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Optional


@lru_cache(maxsize=1)
def _types() -> tuple[list[dict], dict[str, dict]]:
    data = json.loads(resources.files("mockecs").joinpath("data/instance_types.json").read_text("utf-8"))
    items = data["instance_types"]
    return items, {t["InstanceTypeId"]: t for t in items}


def instance_types() -> list[dict]:
    return _types()[0]


def instance_type(type_id: Optional[str]) -> Optional[dict]:
    return _types()[1].get(type_id or "")

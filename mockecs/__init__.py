"""mockecs: a faithful in-process fake of Alibaba Cloud's ECS image API (2014-05-26)."""
from __future__ import annotations

from typing import Any

__all__ = ["mock_ecs", "MockECS", "current_mock", "Engine", "Config", "EcsError"]
__version__ = "0.1.0"

_LAZY = {
    "mock_ecs": "mockecs.modes.mock",
    "MockECS": "mockecs.modes.mock",
    "current_mock": "mockecs.modes.mock",
    "Engine": "mockecs.engine.core",
    "Config": "mockecs.engine.core",
    "EcsError": "mockecs.wire.errors",
}


def __getattr__(name: str) -> Any:
    # Lazy: `import mockecs` stays cheap; the engine loads on first use.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mockecs' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

"""The engine: the one ``Engine.handle`` every mode calls (gateway checks, accounts, faults, transactions),
its validated ``Config``, the action list. Imports ops, world, state, wire; never a mode."""
from __future__ import annotations

from typing import Any

__all__ = ["Config", "Engine"]


def __getattr__(name: str) -> Any:
    # Lazy: reading a Config (pytest start-up, the CLI's checks) must not load every operation module.
    if name == "Engine":
        from mockecs.engine.core import Engine

        return Engine
    if name == "Config":
        from mockecs.engine.config import Config

        return Config
    raise AttributeError(f"module 'mockecs.engine' has no attribute {name!r}")

"""The default implementations of mockecs' hooks, registered like any third-party plugin."""
from __future__ import annotations

from typing import Any, Optional

from mockecs.hookspecs import hookimpl


class MemoryStorePlugin:
    """``memory://`` (the default): state lives in this process."""

    @hookimpl(trylast=True)
    def mockecs_make_store(self, url: str) -> Optional[Any]:
        if url in ("", "memory", "memory://"):
            from mockecs.store import MemoryStore

            return MemoryStore()
        return None
__all__ = ["MemoryStorePlugin"]

"""The built-in store plugin, registered like any third-party plugin.

The other built-ins live with what they serve (``mockecs.world.catalog.BuiltinCatalogPlugin``,
``mockecs.world.oss.BuiltinOssPlugin``); the engine registers all of them (``BUILTIN_PLUGINS``).
"""
from __future__ import annotations

from typing import Any, Optional

from mockecs.state.hookspecs import hookimpl
from mockecs.state.store import MemoryStore

__all__ = ["MemoryStorePlugin"]


class MemoryStorePlugin:
    """``memory://`` (the default): state lives in this process."""

    @hookimpl(trylast=True)
    def mockecs_make_store(self, url: str) -> Optional[Any]:
        if url in ("", "memory", "memory://"):
            return MemoryStore()
        return None

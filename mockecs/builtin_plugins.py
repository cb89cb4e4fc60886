"""The default implementations of mockecs' hooks, registered like any third-party plugin."""
from __future__ import annotations

from typing import Any, Optional

from mockecs.hookspecs import hookimpl

__all__ = ["MemoryStorePlugin", "BuiltinCatalogPlugin", "BuiltinOssPlugin"]


class MemoryStorePlugin:
    """``memory://`` (the default): state lives in this process."""

    @hookimpl(trylast=True)
    def mockecs_make_store(self, url: str) -> Optional[Any]:
        if url in ("", "memory", "memory://"):
            from mockecs.store import MemoryStore

            return MemoryStore()
        return None


class BuiltinCatalogPlugin:
    """The packaged catalog: Alibaba Cloud's public images, Marketplace, community and shared examples."""

    @hookimpl(tryfirst=True)
    def mockecs_catalog_files(self) -> list:
        from mockecs.catalog import builtin_files

        return builtin_files()


# The OSS stand-in lives with its registry in mockecs.oss; re-exported so plugins.py registers it.
from mockecs.oss import BuiltinOssPlugin  # noqa: E402

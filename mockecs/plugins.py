"""The pluggy plugin manager: built-in plugins plus those found under the ``mockecs`` entry point."""
from __future__ import annotations

import threading
from typing import Any, Optional

import pluggy

from mockecs import hookspecs

_lock = threading.Lock()
_manager: Optional[pluggy.PluginManager] = None


def plugin_manager() -> pluggy.PluginManager:
    global _manager
    with _lock:
        if _manager is None:
            pm = pluggy.PluginManager("mockecs")
            pm.add_hookspecs(hookspecs)
            from mockecs import builtin_plugins

            for name in builtin_plugins.__all__:
                pm.register(getattr(builtin_plugins, name)(), name=f"mockecs.{name}")
            pm.load_setuptools_entrypoints("mockecs")
            _manager = pm
        return _manager


def make_store(url: str = "memory://") -> Any:
    store = plugin_manager().hook.mockecs_make_store(url=url)
    if store is None:
        raise ValueError(f"no installed mockecs store plugin handles {url!r}")
    return store

"""The pluggy plugin manager: the built-in plugins plus those found under the ``mockecs`` entry point."""
from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Optional

import pluggy

from mockecs.state import hookspecs

_lock = threading.Lock()
_manager: Optional[pluggy.PluginManager] = None


def plugin_manager(builtins: Iterable[Callable[[], Any]] = ()) -> pluggy.PluginManager:
    """The process' plugin manager; ``builtins`` (plugin classes) are registered when it is first made."""
    global _manager
    with _lock:
        if _manager is None:
            pm = pluggy.PluginManager("mockecs")
            pm.add_hookspecs(hookspecs)
            for plugin in builtins:
                pm.register(plugin(), name=f"mockecs.{plugin.__name__}")
            pm.load_setuptools_entrypoints("mockecs")
            _manager = pm
        return _manager


def make_store(url: str, pm: pluggy.PluginManager) -> Any:
    store = pm.hook.mockecs_make_store(url=url)
    if store is None:
        raise ValueError(f"no installed mockecs store plugin handles {url!r}")
    return store

"""Pluggy hook specifications: every extension point of mockecs, in one place.

Built-in behaviour (the in-memory store, the packaged catalog, the OSS stand-in) is
registered as ordinary plugins implementing these hooks, exactly as a third-party
package would through the ``mockecs`` entry-point group.
"""
from __future__ import annotations

from typing import Any, Optional

import pluggy

hookspec = pluggy.HookspecMarker("mockecs")
hookimpl = pluggy.HookimplMarker("mockecs")


@hookspec(firstresult=True)
def mockecs_make_store(url: str) -> Optional[Any]:
    """Return a store for ``url`` (``memory://``, ``sqlite:///path.db``, ...) or None if not yours.

    The store implements :class:`mockecs.state.store.Store`.
    """


@hookspec
def mockecs_catalog_files() -> list:
    """Return paths of catalog data files (JSON) to load into the read-only catalog layer."""


@hookspec
def mockecs_catalog_entries() -> list:
    """Return catalog entries (dicts, same shape as the catalog files' ``images`` items)."""


@hookspec(firstresult=True)
def mockecs_oss_object(region: str, bucket: str, object_name: str, account: str, engine: Any) -> Optional[dict]:
    """Describe an OSS object for ImportImage: ``{"size": bytes}``, ``{}`` if the bucket exists
    but the object does not, or ``{"bucket_missing": True}``. None: no opinion (next plugin).

    ``engine`` is the asking engine (implementations may omit the argument); the built-in
    answer, registered ``trylast``, comes from its ``engine.oss`` registry (:mod:`mockecs.world.oss`)."""


@hookspec
def mockecs_configure_engine(engine: Any) -> None:
    """Called once when an engine is built; plugins may register accounts, operations, data."""


@hookspec(firstresult=True)
def mockecs_command_result(account: str, region: str, instance_id: str, command_type: str, command_content: str,
                           parameters: dict, engine: Any) -> Optional[dict]:
    """What a Cloud Assistant command does on an instance (RunCommand, InvokeCommand): ``{"exit_code": int,
    "output": str}``, optionally ``"error_code"`` (``ExecutionTimeout``, ``InstanceNotRunning`` ... as
    DescribeInvocationResults names them) and ``"error_info"``. None: no opinion (next plugin).

    ``command_content`` is the script as it runs (text, its ``{{parameters}}`` filled in), ``command_type``
    ``RunShellScript`` / ``RunBatScript`` / ``RunPowerShellScript``, ``parameters`` the values given.
    Implementations may omit arguments. The built-in answer, registered ``trylast``
    (:mod:`mockecs.world.commands`), is success with no output. A nonzero exit code makes the instance's
    result ``Failed`` with ErrorCode ``ExitCodeNonzero``."""

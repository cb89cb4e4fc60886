"""Account states the fake cannot know (billing, services opened), given as options of account ids."""
from __future__ import annotations

from mockecs.wire.errors import error_kind
from mockecs.world.context import Context

# An account in arrears (option accounts_in_arrears) buys nothing more: each operation's documented Account.Arrearage
ARREARS = {action: error_kind("Account.Arrearage", message, status) for action, message, status in (
    ("RunInstances", "Your account has been in arrears.", 400),
    ("CreateInstance", "Your account has an outstanding payment.", 400),
    ("CreateDisk", "Your account has an outstanding payment.", 400),
    ("ModifyInstanceSpec", "Your account has an outstanding payment.", 400),
    ("ModifyInstanceChargeType", "Your account has an outstanding payment.", 403))}


def in_state(ctx: Context, option: str) -> bool:
    """Whether the caller is listed in ``option`` (comma-separated account ids: ``accounts_in_arrears``,
    ``accounts_without_snapshot_service``, ``accounts_without_oss``, ``accounts_with_launch_permission``;
    ``*``: every account)."""
    listed = ctx.listed(option)
    return ctx.account in listed or "*" in listed


def check_arrears(ctx: Context, action: str) -> None:
    """Refuse ``action`` (a key of :data:`ARREARS`) for an account in arrears (one option lookup while none is)."""
    if ctx.config.options["accounts_in_arrears"] and in_state(ctx, "accounts_in_arrears"):
        raise ARREARS[action]

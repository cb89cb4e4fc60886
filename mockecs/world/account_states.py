"""Account states the fake cannot know (billing, services opened), given as options of account ids."""
from __future__ import annotations

from mockecs.world.context import Context


def in_state(ctx: Context, option: str) -> bool:
    """Whether the caller is listed in ``option`` (comma-separated account ids: ``accounts_in_arrears``,
    ``accounts_without_snapshot_service``, ``accounts_without_oss``, ``accounts_with_launch_permission``;
    ``*``: every account)."""
    listed = ctx.listed(option)
    return ctx.account in listed or "*" in listed

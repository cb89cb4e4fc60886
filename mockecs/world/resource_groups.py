"""Resource groups: which ``ResourceGroupId`` values exist for an account.

There is no Resource Manager API in mockecs, so groups come from two places: every account has a
**default group** (a stable id derived from the account, never stored), and tests or plugins add
more with :func:`add` (records of kind ``resource_group``, global, per account). Operations that
take a ``ResourceGroupId`` check it with :func:`resolve`; a resource created without one joins the
default group, as in the service. With the option ``resource_groups="any"`` every well-formed
``rg-...`` id is taken as existing (for test code that invents ids).
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Optional

from mockecs.wire.errors import error_kind
from mockecs.world import resources
from mockecs.world.context import Context

KIND = "resource_group"
GLOBAL = "global"  # the _region of group records: a group spans every region
NOT_FOUND = error_kind("InvalidResourceGroup.NotFound", "The ResourceGroup provided does not exist in our records.",
                       404)
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_WELL_FORMED = re.compile(r"^rg-[a-z0-9]{4,40}$")

def default_id(account: str) -> str:
    """The account's default group: ``rg-acfm`` + 11 characters, stable per account (like real ids)."""
    digest = hashlib.sha256(f"mockecs-default-rg:{account}".encode()).digest()
    return "rg-acfm" + "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:11])


def exists(ctx: Context, group_id: str) -> bool:
    if group_id == default_id(ctx.account):
        return True
    record = ctx.txn.get(KIND, group_id)
    if record is not None and record["_owner"] == ctx.account:
        return True
    return ctx.config.options.get("resource_groups", "strict") == "any" and bool(_WELL_FORMED.match(group_id))


def resolve(ctx: Context, group_id: Optional[str], not_found: type = NOT_FOUND) -> str:
    """The group a new resource joins: ``group_id`` if it exists (else ``not_found``), or the default group."""
    if not group_id:
        return default_id(ctx.account)
    if not exists(ctx, group_id):
        raise not_found
    return group_id


def add(engine: Any, account: Optional[str] = None, name: str = "", group_id: Optional[str] = None) -> str:
    """Register a resource group of ``account`` (default: the default account); returns its id."""
    account = account or engine.accounts.default_account_id
    group_id = group_id or "rg-" + "".join(_ALNUM[b % len(_ALNUM)] for b in hashlib.sha256(
        f"{account}:{name}:{engine.clock.now()}:{id(object())}".encode()).digest()[:15])
    record = {"ResourceGroupId": group_id, "Name": name or group_id, "_owner": account, "_region": GLOBAL}
    with engine.store.transaction() as txn:
        resources.put(txn, KIND, record)
    return group_id


def term(group_id: str) -> tuple[str, str]:
    """The index term of the records in a group (every kind; see :func:`resources.terms_for`)."""
    return ("resource_group", group_id)

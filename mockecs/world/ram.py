"""RAM roles that ImportImage and ExportImage assume to reach the caller's OSS (``RoleName``).

The default roles (``AliyunECSImageImportDefaultRole``, ``AliyunECSImageExportDefaultRole``) are
authorized for every account, as after the console's one-click authorization; any other role name
must be registered first (kind ``ram_role`` in the store, so a reset forgets it)::

    ram.add_role(engine, "1234567890123456", "MyImportRole")
    ram.revoke_default(engine, account)   # the default roles not authorized: NoSetRoletoECSServiceAcount
                                          # (and AssumeRoleError when sharing an encrypted image)

Instance RAM roles (RunInstances' and CreateInstance's ``RamRoleName``, AttachInstanceRamRole): any
well-formed role name exists (the fake cannot know an account's roles) unless the option ``ram_roles`` is
``registered``; then only the names added with ``add_role`` do, others answer ``InvalidRamRole.NotFound``.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.world.context import Context

KIND = "ram_role"
DEFAULT_ROLES = ("AliyunECSImageImportDefaultRole", "AliyunECSImageExportDefaultRole",
                 "AliyunECSShareEncryptImageDefaultRole")
SHARE_ENCRYPTED = "AliyunECSShareEncryptImageDefaultRole"
_REVOKED = "|defaults-revoked"
ECS_SERVICE = "ecs.aliyuncs.com"  # the principal of a role's trust policy that lets instances take it
ROLE_NAME = re.compile(r"[A-Za-z0-9.-]{1,64}")  # RAM's CreateRole: 1-64 letters, digits, '.' and '-'

NOT_AUTHORIZED = error_kind(
    "NoSetRoletoECSServiceAcount",
    "ECS service account Have no right to access your OSS.please attach a role of access your oss to ECS service "
    "account.", 403)


def add_role(engine: Any, account: str, role_name: str, trusted: tuple[str, ...] = (ECS_SERVICE,)) -> None:
    """Register ``role_name`` of ``account``; ``trusted``: the services its trust policy lets assume it (a role
    ECS may not assume answers InvalidRamRole.NotEcsRole when an instance takes it)."""
    with engine.store.transaction() as txn:
        txn.put(KIND, f"{account}|{role_name}", {"RoleName": role_name, "_owner": account,
                                                 "_trusted": list(trusted)})


def revoke_default(engine: Any, account: str) -> None:
    with engine.store.transaction() as txn:
        txn.put(KIND, account + _REVOKED, {"_owner": account})


def authorized(ctx: Context, role: str) -> bool:
    """Whether the caller has authorized the default ``role`` (all are, until revoke_default)."""
    return role in DEFAULT_ROLES and ctx.txn.get(KIND, ctx.account + _REVOKED) is None


def check(ctx: Context, role_name: Optional[str], default: str, custom: bool = True,
          refused: type[EcsError] = NOT_AUTHORIZED) -> str:
    """The role the task assumes (``default`` when none is named); ``refused`` unless authorized.
    ``custom=False``: only ``default`` is valid (ExportImage's docs: any other role name is invalid)."""
    role = role_name or default
    if role == default or (custom and role in DEFAULT_ROLES):
        if ctx.txn.get(KIND, ctx.account + _REVOKED) is None:
            return role
    elif custom and ctx.txn.get(KIND, f"{ctx.account}|{role}") is not None:
        return role
    raise refused


def instance_role_exists(ctx: Context, role_name: str) -> bool:
    """Whether the caller has a RAM role ``role_name`` an instance can take (see the module's doc)."""
    if not ROLE_NAME.fullmatch(role_name):
        return False
    return ctx.config.options["ram_roles"] == "any" or ctx.txn.get(KIND, f"{ctx.account}|{role_name}") is not None


def trusts_ecs(ctx: Context, role_name: str) -> bool:
    """Whether ECS may assume the caller's role ``role_name`` (its trust policy; a role not registered: yes)."""
    found = ctx.txn.get(KIND, f"{ctx.account}|{role_name}")
    return found is None or ECS_SERVICE in found.get("_trusted", (ECS_SERVICE,))

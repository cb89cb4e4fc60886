"""A small KMS stand-in: the customer master keys (CMKs) that encrypt copied images and their snapshots.

mockecs talks to no real KMS. Keys and each account's KMS service state live in the store (kinds
``kms_key``, ``kms_account``), so a reset forgets them::

    kms.add_key(engine, "1234567890123456", "cn-beijing", "key-1")            # Enabled, tagged for ECS
    kms.add_key(engine, account, region, "key-2", state="Disabled")            # CMKNotEnabled
    kms.add_key(engine, account, region, "key-3", ecs_tagged=False)            # CMKUnauthorized
    kms.add_key(engine, account, region, "key-4", spec="RSA_2048")             # InvalidKMSKeyId.NotSymmetric
    kms.set_service(engine, account, enabled=False)                            # KmsNotEnabled
    kms.set_service(engine, account, authorized=False)                         # KMSUnauthorized
    kms.set_service(engine, account, account_authorized=False)                 # KmsServiceUnauthorized

A key id nobody registered exists (the fake cannot know a real account's keys) unless the option
``kms_keys`` is ``registered``: then it answers ``InvalidParameter.KMSKeyId.NotFound``.
"""
from __future__ import annotations

from typing import Any, Optional

from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.records import record
from mockecs.world.context import Context

KEY, ACCOUNT = "kms_key", "kms_account"

NOT_FOUND = error_kind("InvalidParameter.KMSKeyId.NotFound", "The specified KMSKeyId does not exist.", 404)
NOT_ENABLED = error_kind("InvalidParameter.KMSKeyId.CMKNotEnabled", "The CMK needs to be enabled.", 403)
UNTAGGED = error_kind("InvalidParameter.KMSKeyId.CMKUnauthorized", "The CMK needs to be added ECS tag.", 403)
UNAUTHORIZED = error_kind("InvalidParameter.KMSKeyId.KMSUnauthorized",
                          "ECS service have no right to access your KMS.", 403)
SERVICE_OFF = error_kind("InvalidParameter.KmsNotEnabled", "The specified operation need enable KMS.", 400)
ACCOUNT_UNAUTHORIZED = error_kind("OperationDenied.KmsServiceUnauthorized",
                                  "The account is not authorized to kms service, please authorize it.", 403)


# Asymmetric key specs (KMS's CreateKey): they sign, they do not encrypt disks
ASYMMETRIC_SPECS = ("RSA_2048", "RSA_3072", "EC_P256", "EC_P256K", "EC_SM2")


@record(frozen=True)
class KeyErrors:
    """The codes an operation documents for an unusable CMK (None: the check is not made)."""

    service_off: type[EcsError] = SERVICE_OFF
    account_unauthorized: Optional[type[EcsError]] = ACCOUNT_UNAUTHORIZED
    unauthorized: type[EcsError] = UNAUTHORIZED
    not_found: type[EcsError] = NOT_FOUND
    not_enabled: type[EcsError] = NOT_ENABLED
    untagged: type[EcsError] = UNTAGGED
    asymmetric: Optional[type[EcsError]] = None


IMAGE_KEY_ERRORS = KeyErrors()
_NOT_SYMMETRIC = {status: error_kind("InvalidKMSKeyId.NotSymmetric", "The specified parameter KmsKeyId must be "
                                     "symmetric.", status) for status in (400, 403)}
# CreateDisk's codes, and the ones ReplaceSystemDisk and CopySnapshot share (all 403); none documents
# KmsServiceUnauthorized
_NOT_ACTIVATED = error_kind("InvalidParameter.KmsNotEnabled", "Failed to perform this operation because KMS is not "
                            "activated.", 400)
CREATE_DISK_KEY_ERRORS = KeyErrors(service_off=_NOT_ACTIVATED, account_unauthorized=None,
                                   asymmetric=_NOT_SYMMETRIC[400])
# RunInstances' and CreateInstance's (DataDisk.N.KMSKeyId)
LAUNCH_KEY_ERRORS = KeyErrors(
    service_off=_NOT_ACTIVATED, account_unauthorized=None, asymmetric=_NOT_SYMMETRIC[400],
    untagged=error_kind("InvalidParameter.KMSKeyId.CMKUnauthorized", "This operation for kmsKeyId is forbidden by "
                        "KMS. If you need further assistance, you can contact the KMS Technical Support.", 400))
COPY_KEY_ERRORS = KeyErrors(
    service_off=error_kind("InvalidParameter.KmsNotEnabled", "The specified operation need enable KMS.", 403),
    account_unauthorized=None,
    not_found=error_kind("InvalidParameter.KMSKeyId.NotFound", "The specified KMSKeyId does not exist.", 403),
    untagged=error_kind("InvalidParameter.KMSKeyId.CMKUnauthorized", "This operation for kmsKeyId is forbidden by "
                        "KMS. If you need further assistance, you can contact the KMS Technical Support.", 403),
    asymmetric=_NOT_SYMMETRIC[403])


def key_id(account: str, region: str, key: str) -> str:
    return f"{account}|{region}|{key}"


def add_key(engine: Any, account: str, region: str, key: str, state: str = "Enabled",
            ecs_tagged: bool = True, spec: str = "Aliyun_AES_256") -> dict:
    """Register (or change) a CMK of ``account`` in ``region`` (``spec``: KMS's KeySpec)."""
    key_record = {"KeyId": key, "KeyState": state, "EcsTagged": bool(ecs_tagged), "KeySpec": spec,
                  "_owner": account, "_region": region}
    with engine.store.transaction() as txn:
        txn.put(KEY, key_id(account, region, key), key_record)
    return key_record


def set_service(engine: Any, account: str, enabled: bool = True, authorized: bool = True,
                account_authorized: bool = True) -> None:
    """The account's KMS service: opened or not, whether ECS' service role may use it (``authorized``),
    and whether the account authorized the KMS service itself (``account_authorized``)."""
    with engine.store.transaction() as txn:
        txn.put(ACCOUNT, account, {"enabled": bool(enabled), "authorized": bool(authorized),
                                   "account_authorized": bool(account_authorized)})


def check(ctx: Context, region: str, key: Optional[str], *, service_error: bool = True,
          unknown_error: bool = True, errors: KeyErrors = IMAGE_KEY_ERRORS) -> None:
    """Raise the documented error if ``key`` cannot encrypt for the caller in ``region``.

    ``service_error`` / ``unknown_error``: whether the operation documents ``KmsNotEnabled`` and
    ``KMSKeyId.NotFound`` (CopyImage does; CreateImage only the CMK and authorization codes); ``errors``: the
    operation's own codes and messages (the disk and snapshot operations document their own)."""
    if not key:
        return
    service = ctx.txn.get(ACCOUNT, ctx.account) or {}
    if service_error and service.get("enabled") is False:
        raise errors.service_off
    if service_error and errors.account_unauthorized and service.get("account_authorized") is False:
        raise errors.account_unauthorized
    if service.get("authorized") is False:
        raise errors.unauthorized
    found = ctx.txn.get(KEY, key_id(ctx.account, region, key))
    if found is None:
        if unknown_error and ctx.config.options["kms_keys"] == "registered":
            raise errors.not_found
        return
    if found["KeyState"] != "Enabled":
        raise errors.not_enabled
    if not found["EcsTagged"]:
        raise errors.untagged
    if errors.asymmetric and found.get("KeySpec") in ASYMMETRIC_SPECS:
        raise errors.asymmetric


# -- account-level default encryption of new disks (per account and region) -----------------------------------------
DISK_DEFAULTS = "disk_encryption_default"  # {"Encrypted": bool, "KMSKeyId": str} of account|region


def disk_defaults(ctx: Context, region: str) -> dict:
    """Whether new disks of the caller in ``region`` are encrypted by default, and with which CMK ("" until one is
    set: the service's own key, which has no id here [GUESS])."""
    return ctx.txn.get(DISK_DEFAULTS, key_id(ctx.account, region, "")) or {"Encrypted": False, "KMSKeyId": ""}


def set_disk_defaults(ctx: Context, region: str, **changes: Any) -> None:
    ctx.txn.put(DISK_DEFAULTS, key_id(ctx.account, region, ""), {**disk_defaults(ctx, region), **changes})


# (RunInstances, CreateInstance, CreateDisk, ReplaceSystemDisk document it alike)
DEFAULT_ENCRYPTION_ON = error_kind("InvalidEncrypted.DefaultEncryptionUnsupported",
                                   "The specified parameter Encrypted must be true when default encryption is enabled.",
                                   403)


def check_opt_out(ctx: Context, encrypted: Any) -> None:
    """A new disk sent with ``Encrypted=false`` while default encryption is on in the caller's region is refused
    (the store is read only for an explicit false)."""
    if (encrypted is False or str(encrypted).lower() == "false") and disk_defaults(ctx, ctx.region)["Encrypted"]:
        raise DEFAULT_ENCRYPTION_ON


def new_disk_encryption(ctx: Context, region: str, encrypted: bool, key: str = "") -> tuple[bool, str]:
    """(Encrypted, KMSKeyId) of a new disk: with default encryption on in its region every new disk is encrypted,
    with the default CMK unless its own key is named (an explicit ``Encrypted=false`` is refused before:
    :func:`check_opt_out`)."""
    defaults = disk_defaults(ctx, region)
    if defaults["Encrypted"]:
        return True, key or defaults["KMSKeyId"]
    return encrypted, key if encrypted else ""

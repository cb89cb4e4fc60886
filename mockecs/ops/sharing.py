"""Image sharing (spec §3.7-3.9): ModifyImageSharePermission, DescribeImageSharePermission,
ModifyImageShareGroupPermission.

A shared image keeps its accounts in ``_shares`` ({account id: SharedTime}); publishing it as a
community image sets ``_public``. Both feed index terms (see :mod:`mockecs.world.images`), so the
recipients' DescribeImages finds them without a scan.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError
from mockecs.wire.params import B, Repeat, S
from mockecs.world import account_states, images, paging, ram, resources

MAX_PER_CALL = 10  # only the first 10 AddAccount.N / RemoveAccount.N are processed [DOC]


def _err(code: str, message: str, status: int = 400) -> EcsError:
    return EcsError(code, message, status)


def _own_image(ctx: Context, image_id: str, public_error: EcsError) -> dict:
    """The caller's own custom image; a public/Marketplace image answers ``public_error``."""
    found = images.visible(ctx, image_id)
    if found is not None and images.is_catalog(found) and images.alias_for(ctx, found) in ("system", "marketplace"):
        raise public_error
    return images.own(ctx, image_id)


def _known(ctx: Context, account: str) -> bool:
    if not (account.isascii() and account.isdigit() and len(account) == 16):
        return False
    # The service shares with any existing account and a fake cannot know which exist (spec §3.7):
    # any well-formed id is one by default; "share_any_account": False admits only registered accounts.
    if ctx.config.options["share_any_account"]:
        return True
    return ctx.engine.accounts.exists(account)


def _check_accounts(ctx: Context, accounts: list[str]) -> None:
    for account in accounts:
        if account == ctx.account:
            raise _err("InvalidAccount.Forbbiden", "The specified Account does not yourself.", 404)
        if not _known(ctx, account):
            raise _err("InvalidAccount.NotFound",
                       'The specified parameter "AddAccount.n" or "RemoveAccount.n"  does not exist.', 404)


def _encrypted(record: Mapping[str, Any]) -> bool:
    return any(m.get("Encrypted") for m in (record.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ())


def _shareable(ctx: Context, record: Mapping[str, Any], with_accounts: bool = False) -> None:
    """Status and encryption rules before an image is shared (``with_accounts``) or published."""
    status = record.get("Status")
    if status == "Deprecated":
        raise _err("OperationDenied.InvalidImageStatus",
                   "The specified image cannot be shared when it is deprecated.", 403)
    if status != "Available" and not (with_accounts and _copying(ctx, record)):
        raise _err("IncorrectImageStatus", "The specified image is not available.")
    if _encrypted(record) and record.get("_kms_key_id") and not ram.authorized(ctx, ram.SHARE_ENCRYPTED):
        raise _err("AssumeRoleError",
                   "Requires a RAM role of AliyunECSShareEncryptImageDefaultRole before sharing encrypted image.", 403)
    if _encrypted(record) and not record.get("_kms_key_id"):
        # Images encrypted with the service key cannot leave the account.
        raise _err("OperationDeined.EncryptedSnapshot",
                   "The image contains encrypted snapshots, which do not support share.", 403)
    mappings = (record.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ()
    if _encrypted(record) and sum(1 for m in mappings if m.get("SnapshotId")) > 1:
        # A CMK-encrypted image shares with its system disk snapshot alone.
        raise _err("OperationDeined.FullImage",
                   "The encrypted image contains multiple snapshots, which do not support share.", 403)


def _copying(ctx: Context, record: Mapping[str, Any]) -> bool:
    """A CopyImage destination still in flight, which option ``share_copying_image`` lets accounts be added to:
    Packer's alicloud-ecs builder shares its copies right after CopyImage, without waiting."""
    return (ctx.config.options["share_copying_image"] and record.get("Status") in ("Waiting", "Creating")
            and (record.get("_source") or {}).get("kind") == "copy")


def _publishable(ctx: Context, record: Mapping[str, Any]) -> None:
    """What publishing a community image checks beyond sharing: the terms of service, sensitive words."""
    if ctx.region in ctx.listed("regions_without_community_images"):
        raise _err("CurrentRegion.NotSupportPublicImage", "Public image is not supported for current region.", 403)
    if not ctx.config.options["community_terms_signed"]:
        raise _err("PublicImageAgreement.NotSigned",
                   'The current account has not signed "Community Image Terms of Service".', 403)
    words = [w.lower() for w in ctx.listed("sensitive_words")]
    if any(w in (record.get("ImageName") or "").lower() for w in words):
        raise _err("ImageName.ContainsSensitiveWords", "The specified image name contains sensitive words.", 403)
    if any(w in (record.get("Description") or "").lower() for w in words):
        raise _err("ImageDescription.ContainsSensitiveWords",
                   "The specified image description contains sensitive words.", 403)


@operation("ModifyImageSharePermission",
           S("ImageId", required=True), Repeat("AddAccount"), Repeat("RemoveAccount"), B("IsPublic"),
           S("LaunchPermission"), dry_run=True)
def modify_image_share_permission(ctx: Context, image_id: str, add_account: Optional[list[str]],
                                  remove_account: Optional[list[str]], is_public: Optional[bool],
                                  launch_permission: Optional[str]) -> dict:
    record = _own_image(ctx, image_id, _err("Image.Public", "The specified image is public image.", 403))
    add = [a.strip() for a in add_account or () if a and a.strip()][:MAX_PER_CALL]
    remove = [a.strip() for a in remove_account or () if a and a.strip()][:MAX_PER_CALL]
    if is_public is not None and (add or remove):
        raise _err("InvalidParameter.IsPublic", "The specified parameter IsPublic is conflicted with other parameters.",
                   403)
    if launch_permission and (add or remove):
        raise _err("UnnecessaryParameter.LaunchPermission", 'The specified parameter "LaunchPermission" is '
                   'unnecessary if paramter "AddAccounts" or "RemoveAccounts" exist.')
    if launch_permission and not account_states.in_state(ctx, "accounts_with_launch_permission"):
        # The metadata: LaunchPermission is "in invitation-only testing, not available yet".
        raise _err("ForbiddenParameter.LaunchPermission",
                   'The specified parameter "LaunchPermission" is forbidden for current account.')
    # Validate everything before changing anything: one bad account leaves the image untouched.
    if add or is_public:
        _shareable(ctx, record, with_accounts=not is_public)
    if is_public:
        _publishable(ctx, record)
    _check_accounts(ctx, add + remove)
    shares = dict(record.get("_shares") or {})
    for account in remove:
        shares.pop(account, None)  # removing an account that has no share is a no-op [GUESS]
    now = resources.iso(ctx.now)
    for account in add:
        shares.setdefault(account, now)  # re-sharing keeps the first SharedTime [GUESS]
    if len(shares) > int(ctx.config.options.get("share_quota", 50)):
        raise _err("QuotaExceed.ShareImageUser", "The shared Image user Quota exceeds.", 403)
    limit = ctx.config.options["shared_image_quota"]
    if limit is not None and shares and not record.get("_shares") and ctx.txn.count(
            "image", ("sharing", f"{ctx.account}|{ctx.region}")) >= limit:
        raise _err("QuotaExceed.ShareImage", "The shared Image Quota exceeds.", 403)
    changes: dict[str, Any] = {"_shares": shares, "IsSelfShared": "True" if shares else "False"}
    if launch_permission:  # (invited: kept; no answer documents where it shows, so none shows it)
        changes["_launch_permission"] = launch_permission
    if is_public is True:
        changes["_public"] = True
        changes["IsPublic"] = True
    elif is_public is False:
        if not record.get("_public"):
            raise _err("Image.NotPublic", "The specified image is not public image.", 403)
        changes["_public"] = False
        changes["IsPublic"] = False
    images.put(ctx, {**record, **changes})
    return {}


@operation("DescribeImageSharePermission", S("ImageId", required=True), paging.PAGE_NUMBER_INT32,
           paging.PAGE_SIZE, memo=True)
def describe_image_share_permission(ctx: Context, image_id: str, page_number: int, page_size: int) -> dict:
    record = images.own(ctx, image_id)
    shares = sorted((record.get("_shares") or {}).items(), key=lambda item: (item[1], item[0]))
    page = paging.by_number(shares, page_number, page_size)
    return {"RegionId": ctx.region, "ImageId": image_id, "PageNumber": page_number, "PageSize": page_size,
            "TotalCount": len(shares),
            "ShareGroups": {"ShareGroup": [{"Group": "all"}] if record.get("_public") else []},
            "Accounts": {"Account": [{"AliyunId": account, "SharedTime": when} for account, when in page]}}


@operation("ModifyImageShareGroupPermission", S("ImageId", required=True), Repeat("AddGroup"), Repeat("RemoveGroup"))
def modify_image_share_group_permission(ctx: Context, image_id: str, add_group: Optional[list[str]],
                                        remove_group: Optional[list[str]]) -> dict:
    record = _own_image(ctx, image_id, _err("Forbbiden", "User not authorized to operate on the specified resource."))
    add = [g for g in add_group or () if g]
    remove = [g for g in remove_group or () if g]
    if any(g != "all" for g in add + remove):
        raise _err("InvalidGroup.Malformed",
                   'The specified parameter "AddGroup.n" or "RemoveGroup.n" does not exist.', 404)
    public = bool(record.get("_public"))
    if add:
        _shareable(ctx, record)
        _publishable(ctx, record)
        public = True  # [GUESS] the group "all" is the community publication
    if remove:
        public = False
    if public != bool(record.get("_public")):
        images.put(ctx, {**record, "_public": public, "IsPublic": public})
    return {}

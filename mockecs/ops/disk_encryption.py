"""Account-level default encryption of new disks, per region: EnableDiskEncryptionByDefault,
DisableDiskEncryptionByDefault, DescribeDiskEncryptionByDefaultStatus, and its CMK: DescribeDiskDefaultKMSKeyId,
ModifyDiskDefaultKMSKeyId, ResetDiskDefaultKMSKeyId (Terraform's ``alicloud_ecs_disk_encryption_by_default`` and
``alicloud_ecs_disk_default_kms_key``; what a security scanner checks, CIS's "disk encryption by default").

While it is on, every disk made in the region (RunInstances' and CreateInstance's system and data disks, CreateDisk)
is encrypted, with the default CMK unless the request names a key (:func:`mockecs.world.kms.new_disk_encryption`).
The metadata has none of these actions: names and types from the SDK's models; a key is checked as CopyImage checks
one (:func:`mockecs.world.kms.check`), with its codes [GUESS].
"""
from __future__ import annotations

from mockecs.ops.registry import Context, operation
from mockecs.wire.params import S
from mockecs.world import kms


@operation("EnableDiskEncryptionByDefault")
def enable_disk_encryption_by_default(ctx: Context) -> dict:
    kms.set_disk_defaults(ctx, ctx.region, Encrypted=True)
    return {}


@operation("DisableDiskEncryptionByDefault")
def disable_disk_encryption_by_default(ctx: Context) -> dict:
    kms.set_disk_defaults(ctx, ctx.region, Encrypted=False)
    return {}


@operation("DescribeDiskEncryptionByDefaultStatus")
def describe_disk_encryption_by_default_status(ctx: Context) -> dict:
    return {"Encrypted": kms.disk_defaults(ctx, ctx.region)["Encrypted"]}


@operation("DescribeDiskDefaultKMSKeyId")
def describe_disk_default_kms_key_id(ctx: Context) -> dict:
    return {"KMSKeyId": kms.disk_defaults(ctx, ctx.region)["KMSKeyId"]}


@operation("ModifyDiskDefaultKMSKeyId", S("KMSKeyId", required=True))
def modify_disk_default_kms_key_id(ctx: Context, kms_key_id: str) -> dict:
    kms.check(ctx, ctx.region, kms_key_id)
    kms.set_disk_defaults(ctx, ctx.region, KMSKeyId=kms_key_id)
    return {}


@operation("ResetDiskDefaultKMSKeyId")
def reset_disk_default_kms_key_id(ctx: Context) -> dict:
    kms.set_disk_defaults(ctx, ctx.region, KMSKeyId="")
    return {}

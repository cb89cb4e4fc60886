"""The image checks of launching an instance (spec §4.4, §4.7): RunInstances, CreateInstance,
ReplaceSystemDisk ("ChangeOS").

:func:`image_for_launch` resolves ``ImageId`` / ``ImageFamily`` to the image record and
raises the documented error of the first rule the image breaks, with the code, status
and message each action documents. :func:`mark_used` records that an instance now runs
the image (``Usage=instance``).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.wire.errors import EcsError, missing_parameter
from mockecs.world import images, marketplace, resources
from mockecs.world.context import Context
from mockecs.world.disks import system_disk_range
from mockecs.world.instance_types import instance_type as lookup_instance_type

RUN, CREATE, CHANGE_OS = "RunInstances", "CreateInstance", "ChangeOS"
MIN_SYSTEM_DISK, MAX_SYSTEM_DISK, DEFAULT_SYSTEM_DISK = 20, 2048, 40
NOT_VALID = "The specified Image is disabled or is deleted."
# [GUESS] spec §2.4: which code a non-Available image gets is undocumented; the default is
# OperationDenied.ImageNotValid, options["launch_bad_status_code"]="IncorrectImageStatus" switches.
BAD_STATUS = {
    "OperationDenied.ImageNotValid": (NOT_VALID, 403),
    "IncorrectImageStatus": ("The specified image is not available.", 400),
}


def _action(action: str) -> str:
    return CHANGE_OS if action in (CHANGE_OS, "ReplaceSystemDisk") else action


def instance_type_or_error(action: str, type_id: Optional[str]) -> dict:
    """The instance type record; unknown types answer ``InvalidInstanceType.ValueNotSupported``."""
    found = lookup_instance_type(type_id)
    if found is None:
        if _action(action) == CREATE:
            raise EcsError("InvalidInstanceType.ValueNotSupported",
                           "The specified InstanceType does not exist or beyond the permitted range.", 403)
        raise EcsError("InvalidInstanceType.ValueNotSupported",
                       "The specified InstanceType beyond the permitted range.", 403)
    return found


def from_family(ctx: Context, family: str) -> Optional[Mapping[str, Any]]:
    """The newest Available image of ``family`` the caller can see here (spec §2.6); None if none."""
    # Marketplace images count here (launches check their subscription later).
    found = [r for r in images.family_images(ctx, family) if images.can_see(ctx, r) and r.get("Status") == "Available"]
    if not found:
        return None
    return max(found, key=lambda r: (r.get("CreationTime", ""), r["ImageId"]))


def default_disk_category(ctx: Context) -> str:
    """What a disk's unset Category means at a launch and in DescribePrice (option ``default_disk_category``)."""
    return ctx.config.options["default_disk_category"]


def system_size(image: Mapping[str, Any]) -> int:
    return int(image.get("Size") or 0)


def default_system_disk_size(image: Mapping[str, Any]) -> int:
    return max(DEFAULT_SYSTEM_DISK, system_size(image))


def arch_supports(image: Mapping[str, Any], itype: Mapping[str, Any]) -> bool:
    """The launch (and DescribePrice) architecture rule: arm64 images only on arm64 types and the other
    way round; 32-bit images below 4 GiB of memory. Looser than :func:`mockecs.world.images.fits_instance_type`."""
    arch = image.get("Architecture") or "x86_64"
    type_arch = itype.get("Architecture") or "x86_64"
    if (arch == "arm64") != (type_arch == "arm64"):
        return False
    return not (arch == "i386" and float(itype.get("MemorySize") or 0) >= 4)


def _arch_error(action: str) -> EcsError:
    if action == CHANGE_OS:
        return EcsError("InvalidInstanceType.NotSupported",
                        "The specified instanceType is not supported by the image architecture.", 400)
    if action == CREATE:
        return EcsError("ImageNotSupportInstanceType",
                        "The specified image don't support the InstanceType instance.", 403)
    return EcsError("ImageNotSupportInstanceType",
                    "The specified image does not support the specified InstanceType.", 403)


def _size_error(action: str, too_big: bool, minimum: int, below_image: bool = True) -> EcsError:
    if action == CHANGE_OS:
        if too_big:
            return EcsError("InvalidSystemDiskSize.MoreThanMaxSize",
                            "The specified SystemDisk.Size parameter exceeds the maximum size.", 404)
        if below_image:
            return EcsError("InvalidSystemDiskSize.LessThanImageSize",
                            "The specified parameter SystemDisk.Size is less than the image size.", 404)
        # at least the image size but below the 20 GiB floor (images smaller than 20 GiB)
        return EcsError("InvalidSystemDiskSize.LessThanMinSize",
                        "The specified parameter SystemDisk.Size is less than the min size.", 404)
    if action == CREATE:
        return EcsError("InvalidDisk.SystemDiskSize", "The specified SystemDiskSize beyond the permitted range.", 403)
    # Documented message is "%s": say what the range is.
    return EcsError("InvalidSystemDiskSize.ValueNotSupported",
                    f"The specified parameter SystemDisk.Size must be between {minimum} and {MAX_SYSTEM_DISK} GiB.",
                    400)


def image_for_launch(ctx: Context, image_id: Optional[str], image_family: Optional[str],
                     instance_type: Optional[str], system_disk_size: Optional[int], action: str,
                     charge_type: Optional[str] = None) -> Mapping[str, Any]:
    """The image an instance of ``instance_type`` may be launched (or re-imaged) from.

    ``action`` is ``RunInstances``, ``CreateInstance`` or ``ChangeOS`` (ReplaceSystemDisk).
    ``charge_type`` (``PostPaid``/``PrePaid``, default ``PostPaid``) is checked against a
    Marketplace image's charge types. Checks run in the order of spec §4.4.
    """
    action = _action(action)
    # 1. which image
    if not image_id and not image_family:
        raise missing_parameter("ImageId")
    if image_id and image_family:
        raise EcsError("UnexpectedImageFamily.ImageIdSupplied",
                       "The input parameter ImageFamily must be null when image id is set.", 400)
    if image_id:
        # 2. visible to the caller in this region
        image = images.visible_or_404(ctx, image_id)
    else:
        # 3. a family with an Available image
        found = from_family(ctx, image_family or "")
        if found is None:
            raise EcsError("InvalidImageFamily.MissingAvailableImage",
                           "There is no available image related to the specified image family.", 403)
        image = found
    # 4. status: Deprecated images still launch (spec §2.4)
    if image.get("Status") not in ("Available", "Deprecated"):
        code = ctx.config.options.get("launch_bad_status_code") or "OperationDenied.ImageNotValid"
        message, status = BAD_STATUS.get(code, (NOT_VALID, 403))
        raise EcsError(code, message, status)
    # 5. architecture vs the instance type; 32-bit images need < 4 GiB of memory
    if instance_type is not None:
        if not arch_supports(image, instance_type_or_error(action, instance_type)):
            raise _arch_error(action)
    # 6. system disk size
    if system_disk_size is not None:
        minimum = max(MIN_SYSTEM_DISK, system_size(image))
        if system_disk_size < minimum or system_disk_size > MAX_SYSTEM_DISK:
            raise _size_error(action, system_disk_size > MAX_SYSTEM_DISK, minimum,
                              system_disk_size < system_size(image))
    # 7. Marketplace: the product must be subscribed, on sale, and sold for this charge type.
    # Custom images made from a Marketplace image carry its ProductCode (spec §2.7).
    product = image.get("ProductCode")
    if product:
        if not images.subscribed(ctx, product):
            raise EcsError(*marketplace.NOT_SUBSCRIBED)
        # Delisted (or vanished) product: the Marketplace module owns that rule.
        marketplace.check_sale(ctx, image)
        # check_sale passed, so the product is a listed Marketplace catalog entry.
        entry = marketplace.product(ctx.engine, product)
        allowed = entry.get("_charge_types") if entry is not None else None
        if allowed and (charge_type or "PostPaid") not in allowed:
            raise EcsError("InvalidMarketImageChargeType.NotSupport",
                           "The specified chargeType of marketImage is unsupported.", 400)
    return image


def check_system_disk_level(action: str, category: str, performance_level: str, size: int) -> None:
    """An ESSD system disk's size within its performance level's range (PL2 from 461 GiB, PL3 from 1,261: the
    documented ranges DescribePrice and the disk operations apply too)."""
    low = system_disk_range(category, performance_level)[0]
    if category == "cloud_essd" and size < low:
        raise _size_error(action, False, low, below_image=False)


def mark_used(ctx: Context, record: Mapping[str, Any]) -> None:
    """An instance now runs ``record``: store images get ``Usage=instance`` (catalog images are read-only)."""
    if images.is_catalog(record):
        return
    current = resources.get(ctx, "image", record["ImageId"])
    if current is not None and current.get("Usage") != "instance":
        images.put(ctx, {**current, "Usage": "instance"})


def release(ctx: Context, image_id: Optional[str]) -> None:
    """[GUESS] spec §2.5: with ``options["usage_resets"]`` an image goes back to ``Usage=none``
    once no live instance references it. Call after the instance's ImageId changed or it was deleted."""
    if not image_id or not ctx.config.options.get("usage_resets"):
        return
    if ctx.txn.ids("instance", ("image", image_id)):
        return
    current = resources.get(ctx, "image", image_id)
    if current is not None and current.get("Usage") == "instance":
        images.put(ctx, {**current, "Usage": "none"})

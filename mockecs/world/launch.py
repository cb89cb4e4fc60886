"""The image checks of launching an instance (spec §4.4, §4.7): RunInstances, CreateInstance,
ReplaceSystemDisk ("ChangeOS").

:func:`image_for_launch` resolves ``ImageId`` / ``ImageFamily`` to the image record and
raises the documented error of the first rule the image breaks, with the code, status
and message each action documents. :func:`mark_used` records that an instance now runs
the image (``Usage=instance``).
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.world import images, marketplace, resources
from mockecs.world.context import Context
from mockecs.world.disks import system_disk_range
from mockecs.world.instance_types import disk_categories, judged_disk_categories, zone_disk_categories
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


def default_disk_category(ctx: Context, itype: Optional[Mapping[str, Any]] = None, kind: str = "system") -> str:
    """What a disk's unset Category means at a launch and in DescribePrice (option ``default_disk_category``);
    ``by_type``: cloud_efficiency where the type ``itype`` sells it as a ``kind`` disk, else the first category it
    sells (a convenience: the service refuses cloud_efficiency there rather than choosing another)."""
    chosen = ctx.config.options["default_disk_category"]
    if chosen != "by_type":
        return chosen
    sold = disk_categories(itype, kind) if itype is not None else ("cloud_efficiency",)
    return "cloud_efficiency" if "cloud_efficiency" in sold else sold[0]


def sells_disk(ctx: Context, itype: Optional[Mapping[str, Any]], category: str, kind: str) -> bool:
    """Whether instance type ``itype`` takes a ``kind`` ("system"/"data") cloud disk of ``category``: one of the
    categories its family sells, unless option ``instance_type_disk_categories`` is off (every type takes every
    category). None (an unknown type) takes every category: its own codes answer it; so do a local disk and a
    basic disk (``cloud``)."""
    if itype is None or not ctx.config.options["instance_type_disk_categories"]:
        return True
    if category == "cloud":  # (documented for retired non-I/O optimized types only; the catalogue has none)
        return not ctx.config.options["basic_disk_checks"]
    if category not in judged_disk_categories():
        return True  # (local disks are the type's own)
    return category in disk_categories(itype, kind)


def zone_offers_disk(ctx: Context, zone_id: str, category: str) -> bool:
    """Whether a zone sells data disks of ``category`` (CreateDisk): those the types it sells take, as DescribeZones
    lists them (option ``instance_type_disk_categories``; basic disks: option ``basic_disk_checks``)."""
    if not ctx.config.options["instance_type_disk_categories"]:
        return True
    if category == "cloud":
        return not ctx.config.options["basic_disk_checks"]
    return category not in judged_disk_categories() or category in zone_disk_categories(zone_id, "data")


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


# An image on a type whose storage protocol or firmware it lacks: the code the launches, ReplaceSystemDisk and
# ModifyInstanceSpec document as "%s" (the NVMe words as the service answered them: bosh-alicloud-cpi-release#204;
# the boot mode's [GUESS])
NVME_REQUIRED = error_kind("InvalidParameter.NotMatch",
                           "The specified instance type requires NVMe but the image does not support NVMe.", 403)
BOOT_MODE_UNSUPPORTED = error_kind("InvalidParameter.NotMatch",
                                   "The specified instance type does not support the boot mode of the image.", 403)


# (RunInstances, CreateInstance and ReplaceSystemDisk document it alike)
NOT_IO_OPTIMIZED = error_kind("IoOptimized.NotSupported", "The specified image is not support IoOptimized Instance.",
                              403)
NO_CLOUD_INIT = error_kind("ImageNotSupportCloudInit", "The specified image does not support cloud-init.")


def check_cloud_init(image: Optional[Mapping[str, Any]], user_data: Optional[str]) -> None:
    """UserData runs through cloud-init on Linux: a Linux image without it refuses user data (Windows images run
    it their own way)."""
    if user_data and image is not None and image.get("IsSupportCloudinit") is False \
            and image.get("OSType") != "windows":
        raise NO_CLOUD_INIT


def platform_refusal(image: Mapping[str, Any], itype: Mapping[str, Any]) -> Optional[type[EcsError]]:
    """Why ``image`` cannot boot on ``itype`` (None: it can): a type that requires NVMe and an image whose
    Features.NvmeSupport is ``unsupported``; an image booting in BIOS or UEFI mode on a type without that mode
    (``UEFI-Preferred`` boots either way; an image saying neither is taken)."""
    if itype.get("NvmeSupport") == "required" and (image.get("Features") or {}).get("NvmeSupport") == "unsupported":
        return NVME_REQUIRED
    mode = image.get("BootMode")
    if mode in ("BIOS", "UEFI") and mode not in ((itype.get("SupportedBootModes") or {}).get("SupportedBootMode")
                                                 or (mode,)):
        return BOOT_MODE_UNSUPPORTED
    return None


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
        itype = instance_type_or_error(action, instance_type)
        if not arch_supports(image, itype):
            raise _arch_error(action)
        refusal = platform_refusal(image, itype)
        if refusal is not None:
            raise refusal
    if image.get("IsSupportIoOptimized") is False:  # (every type of the catalog is I/O optimized)
        raise NOT_IO_OPTIMIZED
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


# RunInstances' names of a batch: ``name_prefix[begin_number,bits]name_suffix`` (begin 0-999999, default 0; bits
# 1-6, default 6), or UniqueSuffix's three digits from 001 (documented)
_SEQUENCE = re.compile(r"(?:(\d{1,6})?,([1-6])?)?")
BAD_SEQUENCE = error_kind("InvalidInstanceName.CustomMalformed", "Customized section of instance or host name is "
                          "invalid, please use valid format: [], [,], [m,], [,n], [m,n].")
SUFFIX_TOO_LONG = {
    "InstanceName": error_kind("InvalidParams.InstanceNameExceed",
                               "The uniqueSuffix takes three naming places, please shorten your InstanceName.", 403),
    "HostName": error_kind("InvalidParams.HostnameExceed",
                           "The uniqueSuffix takes three naming places, please shorten your Hostname.", 403)}


def batch_names(template: Optional[str], count: int, unique_suffix: bool, field: str,
                longest: int) -> Optional[list[str]]:
    """The ``field`` (InstanceName or HostName) of each instance of a batch, or None where all take ``template``
    as it is (no sequence, no UniqueSuffix). A sequence wins over UniqueSuffix [GUESS: the documented case is a
    sequence without name suffix]; UniqueSuffix adds 001 to a batch of one too [GUESS: Ansible's ali_instance reads
    the host name's last three characters back as its suffix]. ``longest``: the most characters the field takes."""
    if not template:
        return None
    if "[" in template or "]" in template:
        head, _, rest = template.partition("[")
        inner, closed, tail = rest.partition("]")
        found = _SEQUENCE.fullmatch(inner)
        if not closed or found is None or "[" in tail or "]" in tail:
            raise BAD_SEQUENCE
        begin, bits = int(found.group(1) or 0), int(found.group(2) or 6)
        return [f"{head}{begin + index:0{bits}d}{tail}" for index in range(count)]
    if not unique_suffix:
        return None
    if len(template) + 3 > longest:
        raise SUFFIX_TOO_LONG[field]
    return [f"{template}{index + 1:03d}" for index in range(count)]


INSTANCE_ID_PLACEHOLDER = "${instance_id}"
SAMPLE_ID = "i-" + "0" * 20  # (an instance id's length: a host name with the placeholder is checked as it will be)


def host_name(name: str, instance_id: str, windows: bool) -> str:
    """A launched instance's HostName: the documented ``${instance_id}`` placeholder (Linux and the others, not
    Windows) replaced by its id (``k8s-${instance_id}`` -> ``k8s-i-bp1...``), in a batch's sequence names and
    HostNames.N too [GUESS: documented for HostName]."""
    return name.replace(INSTANCE_ID_PLACEHOLDER, instance_id) if not windows and INSTANCE_ID_PLACEHOLDER in name \
        else name


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

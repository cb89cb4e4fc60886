"""The image operations (spec §3.1-3.6, §3.10-3.11): DescribeImages, CreateImage, CopyImage,
CancelCopyImage, DeleteImage, ModifyImageAttribute, DescribeImageFromFamily,
DescribeImageSupportInstanceTypes.

Store images are the caller's custom images (see :mod:`mockecs.world.images` for their internal
keys); catalog images (public, Marketplace, community, shared) exist in every region.
Lookups go through index terms (owner+region, name, family, tag, snapshot) so that a query
by id, owner, name, family or tag costs the same with 10 or 100,000 images in the store.
"""
from __future__ import annotations

import heapq
from operator import itemgetter
from typing import Any, Iterable, Mapping, Optional

from mockecs.ops import instances, snapshots
from mockecs.ops.registry import Context, operation
from mockecs.state.store import count_soon, prefetch
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter
from mockecs.wire.params import TAGS, B, I, L, S, Struct, Structs
from mockecs.world import (
    account_states,
    auto_snapshots,
    images,
    kms,
    lifecycle,
    marketplace,
    paging,
    regions,
    resource_groups,
    resources,
)
from mockecs.world.catalog import FEATURES, newest_first_key
from mockecs.world.instance_types import instance_type, instance_types
from mockecs.world.snapshots import over_quota
from mockecs.world.validation import check_description, check_family, check_name

ALIASES = ("system", "self", "others", "marketplace")
ARCHITECTURES = ("i386", "x86_64", "arm64")
BOOT_MODES = ("BIOS", "UEFI", "UEFI-Preferred")
PLATFORMS = ("Aliyun", "Ubuntu", "CentOS", "CentOS Stream", "Debian", "Anolis", "Rocky Linux", "AlmaLinux",
             "RedHat", "SUSE", "OpenSUSE", "Fedora", "Fedora CoreOS", "FreeBSD", "Kylin", "UOS",
             "Customized Linux", "Others Linux", "CoreOS", "Gentoo", "Windows Server 2022", "Windows Server 2019",
             "Windows Server 2016", "Windows Server 2012", "Windows Server 2008", "Windows Server 2003",
             "Other Windows")
ONLINE_FEATURES = ("CpuOnlineUpgrade", "CpuOnlineDowngrade", "MemoryOnlineUpgrade", "MemoryOnlineDowngrade")
QUOTA = error_kind("QuotaExceed.Image", "The Image Quota exceeds.", 403)
IN_FLIGHT = ("Creating", "Waiting")


def _err(code: str, message: str, status: int = 400) -> EcsError:
    return EcsError(code, message, status)


# Documented messages differ per operation (Appendix A) while the shared validators answer one text.
DESCRIPTION_MESSAGE = "The specified description is wrongly formed."
FAMILY_MESSAGES = {"CreateImage": "The format of the specified image family is invalid.",
                   "ModifyImageAttribute": 'The specified parameter "ImageFamily" is malformed.'}


def _checked(check: Any, value: Optional[str], message: str) -> None:
    """Run a shared validator, answering its error with this operation's documented message."""
    try:
        check(value)
    except EcsError as err:
        raise EcsError(err.code, message, err.status) from None


def _quota(ctx: Context, region: str) -> None:
    limit = int(ctx.config.options.get("image_quota", 100))
    if images.own_count(ctx, region) >= limit:
        raise QUOTA


def _snapshot_quota(ctx: Context, region: str, needed: int) -> None:
    """``snapshot_quota`` (snapshots per account and region; off unless set): the image's new snapshots must fit."""
    if over_quota(ctx, region, needed):
        raise _err("QuotaExceed.Snapshot", "The snapshot quota exceeds.", 403)


# -- DescribeImages -------------------------------------------------------------------------
AVAILABLE = frozenset({"Available"})  # the statuses listed by default


def _statuses(raw: Optional[str], usable: Optional[bool]) -> Optional[frozenset[str]]:
    """The statuses to list, or None for all. Default ``Available`` unless ``Usable`` is given."""
    if raw is None or not raw.strip():
        return None if usable is not None else AVAILABLE
    canonical = {s.lower(): s for s in images.STATUSES}
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if any(v.upper() == "ALL" for v in values):
        if len(values) > 1:  # ALL is a pseudo value that cannot be combined [GUESS: InvalidParameter]
            raise invalid_parameter("Status")
        return None
    if any(v.lower() not in canonical for v in values):
        raise invalid_parameter("Status")
    return frozenset(canonical[v.lower()] for v in values)


def _kind(ctx: Context, record: Mapping[str, Any]) -> str:
    """system | self | marketplace | shared (to the caller) | community, relative to the caller."""
    alias = images.alias_for(ctx, record)
    if alias != "others":
        return alias
    shares = record.get("_shared_with") if images.is_catalog(record) else record.get("_shares")
    return "shared" if ctx.account in (shares or ()) else "community"


def _in_scope(ctx: Context, record: Mapping[str, Any], alias: Optional[str], is_public: Optional[bool],
              with_community: bool) -> bool:
    """Whether a visible image belongs to an ``ImageOwnerAlias`` query (spec §2.3)."""
    kind = _kind(ctx, record)
    if alias == "others":
        return kind == ("community" if is_public else "shared")
    if alias:
        return kind == alias
    return kind in ("system", "self", "shared") or (kind == "community" and with_community)


_FILTER_KEYS = {k.lower(): k for k in ("CreationStartTime", "CreationEndTime", "NetworkType") + ONLINE_FEATURES}


def _filters(filters: Optional[list[dict]]) -> dict[str, str]:
    """``Filter.N`` -> {canonical key: value}; unknown keys -> 404 ``InvalidFilterKey.NotFound``."""
    if not filters:
        return {}
    known = _FILTER_KEYS
    out: dict[str, str] = {}
    for item in filters:
        key, value = item.get("key"), item.get("value")
        if not key:
            continue
        canonical = known.get(key.lower())
        if canonical is None:
            raise _err("InvalidFilterKey.NotFound", "The specified Filter Key is not found.", 404)
        value = value or ""
        if canonical in ("CreationStartTime", "CreationEndTime"):
            if resources.parse_iso(value) is None:
                raise _err("InvalidFilterValue", "The specified Filter Value is not valid.", 404)
        elif canonical == "NetworkType":
            if value not in ("vpc", "classic"):
                raise _err("InvalidFilterValue.NetworkType", "The specified Filter Value of NetworkType is not valid.")
        elif value not in ("supported", "unsupported"):
            raise _err("InvalidFilterValue", "The specified Filter Value is not valid.", 404)
        out[canonical] = value
    return out


def _tag_wanted(tags: Optional[list[dict]]) -> list[dict]:
    # Unlike DescribeInstances, empty Key+Value pairs do not count towards the 20 tags.
    return instances.tag_filter([t for t in tags or () if t.get("key") or t.get("value")])


def _predicate(ctx: Context, a: dict) -> Any:
    """One function testing every non-index filter of a DescribeImages request: only the checks the
    request asks for are built, as it runs once per candidate image (a look-up by ImageId filtered by
    statuses alone tests them itself: see describe_images)."""
    statuses, filters, tags, itype = a["statuses"], a["filters"], a["tags"], a["itype"]
    checks: list[Any] = []
    if statuses is not None:
        checks.append(lambda r: r.get("Status") in statuses)
    if a["image_name"]:
        checks.append(lambda r: a["image_name"] in (r.get("ImageName") or ""))
    for arg, field in (("image_family", "ImageFamily"), ("os_type", "OSType"), ("architecture", "Architecture"),
                       ("resource_group_id", "ResourceGroupId")):
        if a[arg]:
            checks.append(lambda r, f=field, v=a[arg]: r.get(f) == v)
    if a["usable"] is not None:
        checks.append(lambda r: bool(r.get("Usable", r.get("Status") == "Available")) == a["usable"])
    for arg, field in (("is_support_io_optimized", "IsSupportIoOptimized"), ("is_support_cloudinit",
                                                                             "IsSupportCloudinit")):
        if a[arg] is not None:
            checks.append(lambda r, f=field, v=a[arg]: bool(r.get(f)) == v)
    if a["image_owner_id"] is not None:
        checks.append(lambda r, v=str(a["image_owner_id"]): str(r.get("_owner") or "") == v)
    if a["snapshot_id"]:
        checks.append(lambda r: any(m.get("SnapshotId") == a["snapshot_id"] for m in _mappings(r)))
    if tags:
        checks.append(lambda r: resources.match_tags(r, tags))
    if itype is not None:
        checks.append(lambda r: images.fits_instance_type(r, itype))
    if filters:
        checks.extend(_filter_checks(filters))
    if a["usage"]:
        checks.append(lambda r: images.usage(ctx, r) == a["usage"])
    if not checks:
        return lambda r: True
    if len(checks) == 1:
        return checks[0]
    return lambda r: all(check(r) for check in checks)


def _filter_checks(filters: dict[str, str]) -> list[Any]:
    checks: list[Any] = []
    start = resources.parse_iso(filters["CreationStartTime"]) if "CreationStartTime" in filters else None
    end = resources.parse_iso(filters["CreationEndTime"]) if "CreationEndTime" in filters else None
    if start is not None or end is not None:
        def created_in(r: Mapping[str, Any]) -> bool:
            created = resources.parse_iso(r.get("CreationTime") or "") or 0.0
            return not ((start is not None and created < start) or (end is not None and created > end))
        checks.append(created_in)
    for feature in ONLINE_FEATURES:
        if feature in filters:
            checks.append(lambda r, f=feature: (r.get("Features") or {}).get(f, "unsupported") == filters[f])
    return checks


def _mappings(record: Mapping[str, Any]) -> list[dict]:
    return list((record.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ())


# Arguments that narrow a DescribeImages listing beyond its alias and statuses (the index cannot answer them).
_NARROWING = ("image_name", "image_family", "os_type", "architecture", "resource_group_id",
              "snapshot_id", "usage", "tags", "filters", "itype")
_NARROWING_FLAGS = ("image_id", "usable", "is_support_io_optimized", "is_support_cloudinit", "image_owner_id")
# (itemgetter: one C call per request instead of a generator over the names)
_NARROWING_VALUES, _FLAG_VALUES = itemgetter(*_NARROWING), itemgetter(*_NARROWING_FLAGS)


def _tagged(ctx: Context, tag: dict, alias: Optional[str], is_public: Optional[bool],
            with_community: bool) -> Iterable[Mapping[str, Any]]:
    """The store's images a query with ``tag`` may list, other accounts' among them: every account's
    images carrying it, or the query's own parts (the caller's images with it, those shared with the
    caller, community images), whichever the index counts fewer of."""
    key, value = tag["key"], tag.get("value")
    everyone = resources.tag_term(key, value) if value else ("tagkey", key)
    shared, community = ("shared", f"{ctx.account}|{ctx.region}"), ("community", ctx.region)
    if alias == "others":
        parts = [community if is_public else shared]
    else:
        parts = [resources.own_tag_term(ctx, key, value), shared] + ([community] if with_community else [])
    counts = ctx.txn.counts("image", [everyone, *parts])
    if sum(counts[1:]) >= counts[0]:
        return images.stored(ctx, everyone)
    # (the caller's own community images are under two of the parts: each read once)
    return images.stored_ids(ctx, set().union(*(ctx.txn.ids("image", part) for part in parts)))


def _source(ctx: Context, a: dict) -> Iterable[Mapping[str, Any]]:
    """The smallest indexed set of images the query can match; never a scan of the store."""
    alias, is_public, with_community = a["image_owner_alias"], a["is_public"], a["with_community"]
    if a["image_id"] is not None:
        return _named(ctx, a)
    if a["snapshot_id"]:
        found: Iterable[Mapping[str, Any]] = images.stored(ctx, ("snapshot", a["snapshot_id"]))
    elif a["image_family"]:
        found = images.family_images(ctx, a["image_family"])
    elif a["tags"] and alias != "system" and alias != "marketplace":
        first = a["tags"][0]
        if alias == "self":  # the caller's own tagged images only (the other term spans every account)
            found = images.stored(ctx, resources.own_tag_term(ctx, first["key"], first.get("value")))
        else:  # catalog images carry no tags
            found = _tagged(ctx, first, alias, is_public, with_community)
    elif a["resource_group_id"] and alias != "system" and alias != "marketplace":
        found = images.stored(ctx, resource_groups.term(a["resource_group_id"]))  # catalog images have none
    elif a["image_name"] and alias == "self" and ctx.config.options.get("image_name_match") == "exact":
        found = images.stored(ctx, images.name_term(ctx.account, ctx.region, a["image_name"]))
    elif a["image_name"] and alias == "self":
        found = images.named_like(ctx, a["image_name"])
    elif a["image_name"]:  # no alias, or others: the store's images through the substring index
        return images.candidates(ctx, alias, is_public, with_community, name=a["image_name"])
    else:
        return images.candidates(ctx, alias, is_public, include_community_in_default=with_community)
    return (r for r in found if images.can_see(ctx, r) and _in_scope(ctx, r, alias, is_public, with_community))


def _named(ctx: Context, a: dict) -> list[Mapping[str, Any]]:
    """Images named in ``ImageId``: answered whenever visible; an alias still narrows them."""
    alias, is_public = a["image_owner_alias"], a["is_public"]
    found: list[Mapping[str, Any]] = []
    named = dict.fromkeys(a["image_id"])  # each once, in the order asked
    if hasattr(ctx.txn, "count_ahead"):  # (images.count_usage_soon's test, inlined: a call less per request)
        images.count_usage_soon(ctx, named)
    for image_id in named:
        record = images.read(ctx, image_id)  # a direct get, whatever the store holds (read-only)
        if record is not None and images.can_see(ctx, record) and (
                not alias or _in_scope(ctx, record, alias, is_public, True)):
            found.append(record)
    return found


@operation("DescribeImages",
           S("ImageId"), S("ImageName"), S("ImageFamily"), S("ImageOwnerAlias"), L("ImageOwnerId"),
           B("IsPublic"), S("Status"), B("Usable"), S("SnapshotId"), S("InstanceType"),
           B("IsSupportIoOptimized"), B("IsSupportCloudinit"), S("OSType"), S("Architecture"), S("Usage"),
           S("ActionType"), B("ShowExpired"), S("ResourceGroupId"),
           Structs("Tag", [S("Key"), S("Value")]), Structs("Filter", [S("Key"), S("Value")]),
           paging.PAGE_NUMBER_INT32, paging.PAGE_SIZE, dry_run=True, mapping=True, memo=True)
def describe_images(ctx: Context, a: dict[str, Any]) -> dict:
    page_number, page_size = a["page_number"], a["page_size"]
    alias = a["image_owner_alias"] or None
    if alias is not None and alias not in ALIASES:
        raise _err("InvalidImageOwnerAlias.ValueNotSupported", "The specified ImageOwnerAlias value is not supported.")
    if a["is_public"] and alias != "others":
        raise _err("InvalidImageOwnerAlias.PublicImageUnsupported",
                   "When querying images, the parameter ImageOwnerAlias should be others while specified "
                   "parameter IsPublic is true.")
    if a["image_owner_id"] is not None and alias != "others":
        # [GUESS] message: the code is documented (2025) without its text.
        raise _err("InvalidOperation.ImageOwnerIdUnsupported",
                   "The parameter ImageOwnerId is only supported when querying shared or community images.")
    if a["os_type"] and a["os_type"] not in ("linux", "windows"):
        raise _err("InvalidOSType", "The specified OSType is not valid.", 404)
    if a["architecture"] and a["architecture"] not in ARCHITECTURES:
        raise _err("InvalidArchitecture", "The specified Architecture is not valid.", 404)
    if a["usage"] and a["usage"] not in ("instance", "none"):
        raise _err("InvalidUsage", "The specified Usage is not valid.", 404)
    if a["action_type"] and a["action_type"] not in ("CreateEcs", "ChangeOS"):
        raise invalid_parameter("ActionType")  # [GUESS] undocumented
    itype = None
    if a["instance_type"]:
        itype = instance_type(a["instance_type"])
        if itype is None:
            raise _err("InvalidInstanceType.ValueNotSupported",
                       "The specified InstanceType does not exist or beyond the permitted range.")
    # ``a`` is this call's own argument dict: completed in place rather than copied.
    a["image_owner_alias"], a["itype"] = alias, itype
    ids = a["image_id"]
    a["image_id"] = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    a["statuses"] = _statuses(a["status"], a["usable"]) if a["status"] or a["usable"] is not None else AVAILABLE
    # The "if ... else" guards skip a call per request on this hot path (the callees handle empty input too).
    a["filters"] = _filters(a["filter"]) if a["filter"] else {}
    a["tags"] = _tag_wanted(a["tag"]) if a["tag"] else []
    # The metadata: IsPublic defaults to false, which leaves community images out of an alias-less query.
    a["with_community"] = ctx.engine.config.options["describe_default_includes_community"]
    narrowed, flags = any(_NARROWING_VALUES(a)), _FLAG_VALUES(a)
    if not narrowed and flags.count(None) == len(flags):  # (ImageId: a flag)
        # Only the alias and statuses narrow the listing: the ordered indexes answer it.
        found = images.listing(ctx, alias, a["is_public"], a["with_community"], a["statuses"],
                               page_number * page_size)
        return {"RegionId": ctx.region, "TotalCount": found.total, "PageNumber": page_number,
                "PageSize": page_size,
                "Images": {"Image": images.page_views(ctx, found, (page_number - 1) * page_size, page_size)}}
    if not narrowed and flags[0] is not None and flags.count(None) == len(flags) - 1:
        # The usual look-up by ImageId: the statuses are the only filter (tested here, without building _predicate's)
        statuses = a["statuses"]
        matched = [r for r in _source(ctx, a) if r.get("Status") in statuses] if statuses is not None else \
            list(_source(ctx, a))
    else:
        test = _predicate(ctx, a)
        matched = [r for r in _source(ctx, a) if test(r)]
    name = a["image_name"]
    if name:
        def order(r: Mapping[str, Any]) -> tuple:
            # Exact name matches first (tools look an image up by name and take the first hit), then newest.
            return (r.get("ImageName") == name, *newest_first_key(r))
    else:
        order = newest_first_key
    # Only the pages up to the requested one need sorting (a heap), not every match.
    wanted = page_number * page_size
    # nlargest sorts fully when wanted >= len(matched); fewer than 2 matches skip it (hot path).
    ranked = matched if len(matched) < 2 else heapq.nlargest(wanted, matched, key=order)
    page = paging.by_number(ranked, page_number, page_size)
    return {"RegionId": ctx.region, "TotalCount": len(matched), "PageNumber": page_number, "PageSize": page_size,
            "Images": {"Image": images.views(ctx, list(page))}}


# -- CreateImage ----------------------------------------------------------------------------
def _name_rules(ctx: Context, name: Optional[str], description: Optional[str], family: Optional[str],
                region: Optional[str] = None, exclude: Optional[str] = None, destination: bool = False) -> None:
    label = "destination image name" if destination else "Image name"
    check_name(name, message=f"The specified {label} is wrongly formed.")
    _checked(check_description, description, DESCRIPTION_MESSAGE)
    if family:
        _checked(check_family, family, FAMILY_MESSAGES.get(ctx.action, FAMILY_MESSAGES["CreateImage"]))
    if images.name_taken(ctx, name, region, exclude):
        raise _err("InvalidImageName.Duplicated", "The destination image is exist." if destination
                   else "The specified Image name has already bean used.")


def _family_quota(ctx: Context, family: Optional[str], code: str, message: str,
                  exclude: Optional[str] = None) -> None:
    if not family:
        return
    limit = int(ctx.config.options.get("family_image_quota", 50))  # [GUESS] undocumented number
    ids = ctx.txn.ids("image", ("family", f"{ctx.region}|{family}")) - {exclude or ""}
    owned = sum(1 for i in ids if (ctx.txn.get("image", i) or {}).get("_owner") == ctx.account)
    if owned >= limit:
        raise _err(code, message)


def _families_quota(ctx: Context, family: Optional[str], code: str, message: str) -> None:
    """``image_families_per_region`` (off unless set): a family new to the caller's images here must fit.
    Reads the caller's own images in the region (by index, at most ``image_quota`` of them)."""
    limit = ctx.config.options["image_families_per_region"]
    if not family or limit is None:
        return
    families = {r.get("ImageFamily") for r in images.stored(ctx, resources.owner_region(ctx.account, ctx.region))}
    families.discard("")
    families.discard(None)
    if family not in families and len(families) >= limit:
        raise _err(code, message)


def _snapshot(ctx: Context, snapshot_id: str) -> dict:
    auto_snapshots.settle_due(ctx)  # (an automatic snapshot past its retention is gone by now)
    record = resources.get(ctx, "snapshot", snapshot_id)
    if not resources.is_mine(ctx, record):
        raise _err("InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)
    if record.get("Status") != "accomplished":
        raise _err("InvalidSnapshotId.NotReady", "The current status of the DiskDeviceMapping.n.SnapshotId or "
                   "SnapshotId does not support this operation.", 403)
    # The image's snapshots are encrypted with the same CMK: it must still be usable by ECS.
    kms.check(ctx, ctx.region, record.get("KMSKeyId"), service_error=False, unknown_error=False)
    _not_too_old(record, "This operation is denied because the specified snapshot by DiskDeviceMapping.n.SnapshotId "
                 "or SnapshotId is created before 2013-07-15.")
    return record


OLDEST_SNAPSHOT = "2013-07-15"  # snapshots taken before it cannot make images (metadata)


def _not_too_old(snapshot: Mapping[str, Any], message: str) -> None:
    if (snapshot.get("CreationTime") or "9") < OLDEST_SNAPSHOT:
        raise _err("InvalidSnapshot.TooOld", message, 403)


def _os_fields(ctx: Context, source_image_id: Optional[str], platform: Optional[str],
               architecture: Optional[str], instance: Optional[Mapping[str, Any]] = None) -> dict:
    """OS fields, licence and billing from the source image, else from the instance (its image may have
    been deleted with Force: the OS lives on in its disks), else from Platform/Architecture [GUESS rule]."""
    source = images.get_any(ctx, source_image_id) if source_image_id else None
    if source is not None:
        fields = images.inherited_fields(source)
        if source.get("ProductCode"):
            fields["ImageVersion"] = source.get("ImageVersion") or ""
        return fields
    if instance is not None:
        return _instance_os_fields(instance)
    platform = platform or "Others Linux"
    arch = architecture or "x86_64"
    bits = "32" if arch == "i386" else "64"
    windows = platform.startswith("Windows") or platform == "Other Windows"
    return {"Platform": platform, "Architecture": arch, "OSType": "windows" if windows else "linux",
            "OSName": f"{platform}  {bits}位", "OSNameEn": f"{platform}  {bits} bit",
            "BootMode": "UEFI" if arch == "arm64" else "BIOS", "IsSupportCloudinit": not windows}


def _instance_os_fields(instance: Mapping[str, Any]) -> dict:
    """What an instance itself tells of its OS: names and type, architecture from its instance type;
    the platform is the longest documented one its English OS name starts with [GUESS]."""
    windows = instance.get("OSType") == "windows"
    itype = instance_type(instance.get("InstanceType") or "")
    arch = (itype or {}).get("Architecture") or "x86_64"
    name_en = " ".join((instance.get("OSNameEn") or "").split())
    known = [p for p in PLATFORMS if name_en.startswith(p)]
    platform = max(known, key=len) if known else ("Other Windows" if windows else "Others Linux")
    fields = {"Platform": platform, "Architecture": arch, "OSType": "windows" if windows else "linux",
              "BootMode": "UEFI" if arch == "arm64" else "BIOS", "IsSupportCloudinit": not windows}
    fields.update({k: instance[k] for k in ("OSName", "OSNameEn") if instance.get(k)})
    return fields


DEVICES = [f"/dev/xvd{c}" for c in "bcdefghijklmnopqrstuvwxyz"]


def _from_mappings(ctx: Context, entries: list[dict]) -> tuple[list[dict], Optional[str]]:
    """``DiskDeviceMapping.N`` -> (wire mappings, source image id of the system snapshot)."""
    systems = [e for e in entries if (e.get("disk_type") or "") == "system"
               or (not e.get("disk_type") and e.get("snapshot_id")
                   and (ctx.txn.get("snapshot", e["snapshot_id"]) or {}).get("SourceDiskType") == "system")]
    if not systems:
        raise _err("OperationDenied",
                   "The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot.")
    if len(systems) > 1:
        raise _err("OperationDenied",
                   "The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots.")
    if len(entries) > 17:
        raise invalid_parameter("DiskDeviceMapping")
    mappings: list[dict] = []
    used: set[str] = set()
    free = iter(DEVICES)
    source_image = None
    for entry in [systems[0]] + [e for e in entries if e is not systems[0]]:
        is_system = entry is systems[0]
        disk_type = entry.get("disk_type") or ("system" if is_system else "data")
        if disk_type not in ("system", "data"):
            raise _err("InvalidDiskType.ValueNotSupported", "The specified disk type is not supported.")
        device = entry.get("device")
        if device:
            if device != "/dev/xvda" and device not in DEVICES or (device == "/dev/xvda") != is_system:
                raise _err("InvalidDevice.Malformed",
                           "The specified parameter DiskDeviceMapping.n.Device is not valid.")
        else:
            device = "/dev/xvda" if is_system else next(d for d in free if d not in used)
        if device in used:
            raise _err("InvalidDevice.InUse", "The specified parameter DiskDeviceMapping.n.Device has been occupied.")
        used.add(device)
        size = entry.get("size")
        snapshot_id = entry.get("snapshot_id") or ""
        encrypted = False
        if snapshot_id:
            snap = _snapshot(ctx, snapshot_id)
            minimum = int(snap.get("SourceDiskSize") or 0)
            size = minimum if size is None else size
            if size < minimum or size > 32768:
                raise _err("InvalidSize.ValueNotSupported",
                           "The specified parameter DiskDeviceMapping.n.Size beyond the permitted range.")
            encrypted = bool(snap.get("Encrypted"))
            if is_system and snap.get("SourceDiskType") == "data" and snap.get("KMSKeyId"):
                raise _err("InvalidParameter.DiskType",
                           "The specified disk type which has kms key can't convert to system disk.")
            if is_system:
                source_image = snap.get("_image_id") or None
        else:
            if is_system:
                raise _err("OperationDenied", "The specified parameter DiskDeviceMapping.n.SnapshotId does not "
                           "contain system disk snapshot.")
            size = 20 if size is None else size  # an empty data disk [DOC default for non-basic disks]
            if not 5 <= size <= 32768:
                raise _err("InvalidSize.ValueNotSupported",
                           "The specified parameter DiskDeviceMapping.n.Size beyond the permitted range.")
        mappings.append(images.mapping(device, disk_type, size, snapshot_id, encrypted))
    return mappings, source_image


def _from_instance(ctx: Context, instance_id: str, name: Optional[str]) -> tuple[list[dict], Optional[str], dict]:
    """Snapshot every disk of the instance (system first) -> (wire mappings, the instance's image id,
    the instance)."""
    instance = instances.get_instance(ctx, instance_id)
    if instance.get("Status") not in ("Running", "Stopped"):
        raise _err("IncorrectInstanceStatus", "The current status of the instance does not support this operation.")
    if instance.get("_restart_needed"):  # (a data disk attached while it was stopped, not started since)
        raise _err("IncorrectInstanceStatus.NeedRestart",
                   "The instance needs to be restarted after adding a disk in a shutdown status.", 403)
    disks = instances.instance_disks(ctx, instance_id)
    if not disks or disks[0].get("Type") != "system":
        raise _err("InvalidInstance.NotFoundSystemDisk", "The specified instance does not have system disk.")
    if any(d.get("Status") not in ("In_use", "Available") for d in disks):
        raise _err("IncorrectDiskStatus", "The current disk status does not support this operation.", 403)
    _snapshot_quota(ctx, ctx.region, len(disks))
    limit = ctx.config.options["unfinished_snapshot_limit"]
    if limit is not None:
        # Settling a snapshot rewrites its terms: one that finished leaves the "progressing" term.
        ids = ctx.txn.ids("snapshot", ("progressing", f"{ctx.account}|{ctx.region}"))
        running = [s for s in (resources.get(ctx, "snapshot", i) for i in ids)
                   if s is not None and s["Status"] == "progressing"]
        if len(running) + len(disks) > limit:
            raise _err("TooManySnapshot.Unfinished",
                       "There are too many snapshots being created, please wait for them to be created done.", 403)
    mappings = []
    free = iter(DEVICES)
    for disk in disks:
        snap = snapshots.make_snapshot(ctx, disk, name=None, description=f"Created for image {name or ''}".strip())
        device = "/dev/xvda" if disk["Type"] == "system" else next(free)
        mappings.append(images.mapping(device, disk["Type"], disk["Size"], snap["SnapshotId"],
                                       bool(snap.get("Encrypted"))))
    return mappings, disks[0].get("_image_id") or instance.get("ImageId"), instance


@operation("CreateImage",
           S("InstanceId"), S("SnapshotId"),
           Structs("DiskDeviceMapping", [S("SnapshotId"), I("Size"), S("DiskType"), S("Device")]),
           S("ImageName"), S("Description"), S("ImageFamily"), S("ImageVersion"), S("Architecture"), S("Platform"),
           S("BootMode"), Struct("Features", [S("ImdsSupport")]),
           Struct("SecureBootOptions", [S("SecureBootSupport")]), S("DetectionStrategy"), S("ResourceGroupId"),
           Structs("Tag", [S("Key"), S("Value")]), dry_run=True,  # more than 20: QuotaExceed.Tags (below)
           idempotent=("InvalidParamter.Conflict",
                       "The specified same token is trying to make requests with different parameters.", 403))
def create_image(ctx: Context, instance_id: Optional[str], snapshot_id: Optional[str],
                 disk_device_mapping: Optional[list[dict]], image_name: Optional[str], description: Optional[str],
                 image_family: Optional[str], image_version: Optional[str], architecture: Optional[str],
                 platform: Optional[str], boot_mode: Optional[str], features: dict, secure_boot_options: dict,
                 detection_strategy: Optional[str], resource_group_id: Optional[str], tag: Optional[list]) -> dict:
    image_name = image_name or None
    # Read with the name check's round trip on a networked store: the quota's count and the snapshot.
    count_soon(ctx.txn, "image", [resources.owner_region(ctx.account, ctx.region)])
    if snapshot_id and not instance_id:
        prefetch(ctx.txn, "snapshot", [snapshot_id])
    _name_rules(ctx, image_name, description, image_family)
    if len(tag or ()) > 20:
        # CreateImage documents QuotaExceed.Tags (not InvalidParameter or InvalidTagCount) for this.
        raise _err("QuotaExceed.Tags", "The number of tags exceeds the limit of 20 per resource.", 403)
    tags = resources.tags_from_args(tag)
    if architecture and architecture not in ARCHITECTURES:
        raise _err("InvalidArchitecture.Malformed", "The specified Architecture is wrongly formed.")
    if platform and platform not in PLATFORMS:
        raise _err("InvalidPlatform.Malformed", "The specified Platform is wrongly formed.")
    if boot_mode and boot_mode not in BOOT_MODES:
        raise _err("InvalidBootMode.NotSupport",
                   "The specified parameter BootMode is not supported for current image architecture.")
    imds = features.get("imds_support")
    if imds and imds not in ("v1", "v2"):
        raise _err("InvalidParameter.FeaturesImdsSupport", "The specified parameter Features.ImdsSupport is not valid.")
    secure_boot = secure_boot_options.get("secure_boot_support")
    if secure_boot and secure_boot not in ("supported", "unsupported"):
        raise invalid_parameter("SecureBootOptions.SecureBootSupport")  # [GUESS] no documented code
    if detection_strategy and detection_strategy != "Standard":
        raise invalid_parameter("DetectionStrategy")
    group = resource_groups.resolve(ctx, resource_group_id)
    _quota(ctx, ctx.region)
    if account_states.in_state(ctx, "accounts_in_arrears"):
        raise _err("InvalidAccountStatus.NotEnoughBalance", "Your account does not have enough balance.", 403)
    if account_states.in_state(ctx, "accounts_without_snapshot_service"):
        raise _err("InvalidAccountStatus.SnapshotServiceUnavailable", "Snapshot service has not been opened yet.",
                   403)
    _families_quota(ctx, image_family, "ImageFamilyQuotaExceed",
                    "The number of image families exceeds the limit in the region.")
    _family_quota(ctx, image_family, "ImageQuotaExceed.ImageFamily",
                  "The specified image family exceeds the maximum number of images for one image family.")
    entries = [e for e in disk_device_mapping or () if any(v not in (None, "") for v in e.values())]
    instance: Optional[dict] = None
    # Source precedence (spec §3.2): InstanceId > DiskDeviceMapping > SnapshotId.
    if instance_id:
        mappings, source_image, instance = _from_instance(ctx, instance_id, image_name)
    elif entries:
        mappings, source_image = _from_mappings(ctx, entries)
    elif snapshot_id:
        snap = _snapshot(ctx, snapshot_id)
        if snap.get("SourceDiskType") != "system" and not (architecture or platform):
            raise _err("OperationDenied", "The specified snapshot is not allowed to create image.", 403)
        mappings = [images.mapping("/dev/xvda", "system", snap.get("SourceDiskSize") or 0, snapshot_id,
                                   bool(snap.get("Encrypted")))]
        source_image = snap.get("_image_id") or None
    elif disk_device_mapping:
        # DiskDeviceMapping.N given, every field of every entry empty.
        raise _err("InvalidParameter.AllEmpty", "The specified parameters DiskDeviceMapping.N are all empty.")
    else:
        raise _err("MissingParameter", "The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is "
                   "mandatory for processing this request is not supplied.")
    fields = _os_fields(ctx, source_image, platform, architecture, instance)
    if fields.get("ProductCode") and image_version and image_version != fields.get("ImageVersion"):
        raise _err("InvalidImageVersion.Malformed", "The specified ImageVersion is wrongly formed.")
    if boot_mode:
        if boot_mode == "BIOS" and fields.get("Architecture") == "arm64":
            raise _err("InvalidBootMode.NotSupport",
                       "The specified parameter BootMode is not supported for current image architecture.")
        fields["BootMode"] = boot_mode
    if imds:
        fields["Features"] = {**(fields.get("Features") or FEATURES), "ImdsSupport": imds}
    if secure_boot_options.get("secure_boot_support"):
        fields["SecureBootOptions"] = {"SecureBootSupport": secure_boot_options["secure_boot_support"]}
    if detection_strategy:
        fields["DetectionOptions"] = {"Status": "Finished", "Items": {"Item": []}}
    inherited_version = fields.pop("ImageVersion", "")
    record = images.new_record(
        ctx, ctx.region, mappings, **fields, ImageName=image_name or "", Description=description or "",
        ImageFamily=image_family or "", ImageVersion=image_version or inherited_version,
        ResourceGroupId=group, Tags={"Tag": tags},
        Status="Creating", Progress="0%", Usable=False,
        _source={"kind": "instance" if instance_id else "snapshot", "image": source_image or ""})
    record = lifecycle.start(ctx, "image", record["ImageId"], record,
                             done={"Status": "Available", "Progress": "100%", "Usable": True},
                             failed={"Status": "CreateFailed", "Progress": "0%", "Usable": False},
                             progress_field="Progress")
    images.put(ctx, record)
    return {"ImageId": record["ImageId"]}


# -- CopyImage / CancelCopyImage ------------------------------------------------------------
def _copying(ctx: Context, region: str) -> list[Mapping[str, Any]]:
    """The caller's copies still in flight into ``region`` (settled to the mock clock)."""
    return [r for r in images.stored(ctx, ("copying", f"{ctx.account}|{region}")) if r.get("Status") in IN_FLIGHT]


def _copy_snapshots(ctx: Context, source: Mapping[str, Any], region: str, encrypted: bool,
                    kms_key_id: Optional[str]) -> list[dict]:
    """New snapshots in the destination for every mapping of the source (spec §3.3)."""
    out = []
    for m in _mappings(source):
        snapshot_id = ""
        if m.get("SnapshotId"):
            original = ctx.txn.get("snapshot", m["SnapshotId"]) or {}
            snap = snapshots.copy_into(ctx, original, region, source.get("_region", ""), m["SnapshotId"],
                                       int(m.get("Size") or 0), m.get("Type", "system"),
                                       encrypted or bool(m.get("Encrypted")), kms_key_id,
                                       description=f"Copied for image {source['ImageId']}")
            snapshot_id = snap["SnapshotId"]
        out.append({**m, "SnapshotId": snapshot_id, "Encrypted": encrypted or bool(m.get("Encrypted")),
                    "Progress": "100%", "RemainTime": 0})
    return out


@operation("CopyImage",
           S("ImageId", required=True), S("DestinationRegionId"), S("DestinationImageName"),
           S("DestinationDescription"), B("Encrypted"), S("KMSKeyId"), S("EncryptAlgorithm"), S("ResourceGroupId"),
           TAGS, dry_run=True, idempotent=True,
           region_error=("SourceRegion.NotFound", 400, "The source region not found."))
def copy_image(ctx: Context, image_id: str, destination_region_id: Optional[str],
               destination_image_name: Optional[str], destination_description: Optional[str],
               encrypted: Optional[bool], kms_key_id: Optional[str], encrypt_algorithm: Optional[str],
               resource_group_id: Optional[str], tag: Optional[list]) -> dict:
    destination = destination_region_id or ctx.region  # [GUESS] absent: copy within the region
    if not regions.exists(destination):
        raise _err("DestinationRegion.NotFound", "The destination region not found.")
    check_name(destination_image_name, "InvalidImageName.Malformed",
               "The specified destination image name is wrongly formed.")
    _checked(check_description, destination_description, "The specified destination description is wrongly formed.")
    tags = resources.tags_from_args(tag)
    if kms_key_id and encrypted is False:
        # Encrypted=false said outright (rather than left out) next to a KMSKeyId.
        raise _err("InvalidEncrypted.NotMatchKmsKeyId",
                   "The specified parameter Encrypted must be true when KmsKeyId is not empty.")
    group = resource_groups.resolve(ctx, resource_group_id)
    if kms_key_id and not encrypted:
        raise _err("InvalidParameter.EncryptedIllegal",
                   "The specified parameter Encrypted must be true when kmsKeyId is not empty.")
    if encrypt_algorithm:
        if not encrypted:
            raise _err("InvalidEncrypted.NotMatchEncryptAlgorithm",
                       "The specified parameter Encrypted must be true when EncryptAlgorithm is not empty.")
        if encrypt_algorithm not in ("AES-256", "SM4-128"):
            raise _err("InvalidEncryptAlgorithm", "The specified parameter EncryptAlgorithm is not valid.")
        if encrypt_algorithm == "SM4-128" and not regions.mainland(destination):
            # [GUESS] SM4 (a Chinese national cipher) is offered in the Chinese mainland only.
            raise _err("InvalidRegionId.NotSupportEncryptAlgorithm",
                       "The current region does not support creating encrypted disks with EncryptAlgorithm.", 403)
    kms.check(ctx, destination, kms_key_id)
    source = images.visible(ctx, image_id)
    if source is None or images.is_catalog(source) and images.alias_for(ctx, source) in ("system", "marketplace"):
        raise images.NOT_FOUND  # [GUESS] public and Marketplace images are not copied
    mine = images.alias_for(ctx, source) == "self"
    if source.get("_public") or (images.is_catalog(source) and source.get("IsPublic")):
        raise _err("OperationDenied.CommunityImage", "Community image does not support copy.")
    if not mine and destination != ctx.region:
        raise _err("OperationDenied.SameRegionOnly",
                   "The image shared from others can not be copied to another region directly.", 403)
    if source.get("Status") != "Available":
        raise _err("IncorrectImageStatus", "The image not available.")
    if any(m.get("Encrypted") for m in _mappings(source)) and not encrypted:
        raise _err("OperationDeined.EncryptedSnapshot",
                   "The image contains encrypted snapshots, which do not support copying.", 403)
    name = destination_image_name
    if name and images.name_taken(ctx, name, destination):
        raise _err("InvalidImageName.Duplicated", "The destination image is exist.")
    if not name:  # [GUESS] the source's name when free in the destination, else none
        name = source.get("ImageName") or ""
        name = "" if images.name_taken(ctx, name, destination) else name
    limit = ctx.config.options["copy_image_max_size"]
    if limit is not None and sum(int(m.get("Size") or 0) for m in _mappings(source)) > limit:
        raise _err("SizeExceed.Image", "The image exceeds the maximum size. Please open a ticket to add the account "
                   "to the white list.", 403)
    if regions.without_image_transfer(ctx, ctx.region) or regions.without_image_transfer(ctx, destination):
        raise _err("RegionNotSupportCopy", "The region not support copy.", 403)
    product = marketplace.product(ctx.engine, source.get("ProductCode"))
    if product is not None and not images.subscribed(ctx, product["ProductCode"]):
        # A shared image made from a Marketplace product: the caller must have the product too.
        raise _err("OperationDenied.NotAuthorized", "The operation is denied because corresponding marketplace "
                   "image is not authorized to current user.", 403)
    if product is not None and destination not in (product.get("_regions") or (destination,)):
        raise _err("OperationDenied.NotPublished", "The operation is denied because corresponding marketplace image "
                   "is not published in destination region.", 403)
    _snapshot_quota(ctx, destination, sum(1 for m in _mappings(source) if m.get("SnapshotId")))
    for m in _mappings(source):
        _not_too_old(ctx.txn.get("snapshot", m.get("SnapshotId") or "") or {},
                     "This operation is denied because the specified snapshot is created before 2013-07-15.")
    in_flight = _copying(ctx, destination)
    if any((r.get("_source") or {}).get("from") == image_id for r in in_flight):
        raise _err("OperationDenied.ImageCopyConflict",  # [GUESS] message; code documented 2025
                   "The image is being copied to the destination region.")
    _quota(ctx, destination)
    mappings = _copy_snapshots(ctx, source, destination, bool(encrypted), kms_key_id)
    inherited = images.inherited_fields(source)
    record = images.new_record(
        ctx, destination, mappings, **inherited, ImageName=name,
        Description=destination_description if destination_description is not None else source.get("Description", ""),
        ImageFamily="", ImageVersion=source.get("ImageVersion", ""), IsCopied=True,
        ResourceGroupId=group, Tags={"Tag": tags}, Size=source.get("Size", 0),
        Status="Creating", Progress="0%", Usable=False,
        _source={"kind": "copy", "from": image_id, "region": ctx.region}, _kms_key_id=kms_key_id or "")
    done = {"Status": "Available", "Progress": "100%", "Usable": True}
    failed = {"Status": "CreateFailed", "Progress": "0%", "Usable": False}
    slots = int(ctx.config.options.get("copy_concurrency", 1))  # [GUESS] zh doc: one running, the rest queue
    if len(in_flight) >= slots:
        # Queued behind other copies: Waiting, then Creating for as long again, then Available.
        step = lifecycle.start(ctx, "copy", record["ImageId"], {}, done=done, failed=failed,
                               progress_field="Progress")
        then = {"Status": "Creating", **({"_pending": step["_pending"]} if "_pending" in step else step)}
        record = lifecycle.start(ctx, "copy", record["ImageId"], {**record, "Status": "Waiting"}, done=then,
                                 failed=failed)
    else:
        record = lifecycle.start(ctx, "copy", record["ImageId"], record, done=done, failed=failed,
                                 progress_field="Progress")
    images.put(ctx, record)
    return {"ImageId": record["ImageId"]}


@operation("CancelCopyImage", S("ImageId", required=True))
def cancel_copy_image(ctx: Context, image_id: str) -> dict:
    record = images.own(ctx, image_id)
    if (record.get("_source") or {}).get("kind") != "copy":
        raise _err("ImageCreatedNotFromCopy", "The specified image is not the target image of a copy action.")
    status = record.get("Status")
    if status == "Available":
        raise _err("IncorrectImageStatus", "The image is copied finished.")
    if record["_source"].get("region") == record["_region"] and status in IN_FLIGHT:
        # [GUESS] a copy within one region is a local snapshot copy, not a cancellable transfer.
        raise _err("CancelNotSupported", "The specified image coping can not be cancelled.")
    if status == "CreateFailed":
        raise _err("IncorrectImageStatus", "The Image copy has been failed.")
    if status not in IN_FLIGHT:
        raise _err("IncorrectImageStatus", "The specified snapshot is not coping.")
    resources.delete(ctx.txn, "image", image_id)
    for m in _mappings(record):
        # The snapshots made in the destination for this copy go with it (the source's stay).
        snapshot = ctx.txn.get("snapshot", m.get("SnapshotId") or "")
        if snapshot is not None and snapshot.get("_owner") == ctx.account and snapshot.get("SourceSnapshotId"):
            resources.delete(ctx.txn, "snapshot", snapshot["SnapshotId"])
    return {}


# -- DeleteImage ----------------------------------------------------------------------------
@operation("DeleteImage", S("ImageId", required=True), B("Force", default=False), dry_run=True)
def delete_image(ctx: Context, image_id: str, force: bool) -> dict:
    try:
        record = images.own(ctx, image_id)
    except EcsError:
        # The metadata's ImageId: "if the custom image does not exist, the request is ignored". An image
        # the caller sees but may not delete (public, Marketplace, shared, community) keeps the 404;
        # "delete_missing_image": "error" answers the 404 for a missing id too.
        if ctx.config.options["delete_missing_image"] == "ignore" and not images.visible(ctx, image_id):
            return {}
        raise
    status, kind = record.get("Status"), (record.get("_source") or {}).get("kind")
    if status in IN_FLIGHT:
        if kind == "copy":
            raise _err("OperationDenied.ImageCopying", "The Image is coping.", 403)
        if kind == "import":
            raise _err("ImageIsImporting", "The specified Image is importing.", 403)
        raise _err("ImageIsCreating", "The specified image is creating.", 403)  # [GUESS] message
    if record.get("_exporting"):  # set by ExportImage while its task runs
        raise _err("ImageIsExporting", "The specified Image is exporting. Please cancel task first.", 403)
    if record.get("_public"):
        raise _err("ImageIsPublic", "You can not delete public image, please modify it to private.", 403)
    if record.get("_shares"):
        raise _err("ImageUseShared", "The specified image has been shared to others.", 403)
    if images.in_use(ctx, image_id) and not force:
        raise _err("ImageUsingByInstance", "The specified image has been used to create instances.", 403)
    resources.delete(ctx.txn, "image", image_id)
    return {}


# -- ModifyImageAttribute -------------------------------------------------------------------
@operation("ModifyImageAttribute",
           S("ImageId", required=True), S("ImageName"), S("Description"), S("ImageFamily"), S("Status"),
           S("BootMode"), S("LicenseType"), Struct("Features", [S("NvmeSupport"), S("ImdsSupport")]), dry_run=True)
def modify_image_attribute(ctx: Context, image_id: str, image_name: Optional[str], description: Optional[str],
                           image_family: Optional[str], status: Optional[str], boot_mode: Optional[str],
                           license_type: Optional[str], features: dict) -> dict:
    record = images.own(ctx, image_id)
    current = record.get("Status")
    if current in IN_FLIGHT:
        raise _err("InvalidStatus.ImageIsCreating", "The specified image is creating.", 403)  # [GUESS] message
    check_name(image_name, message="The specified Image name is wrongly formed.")
    _checked(check_description, description, DESCRIPTION_MESSAGE)
    if image_family:
        _checked(check_family, image_family, FAMILY_MESSAGES["ModifyImageAttribute"])
    if images.name_taken(ctx, image_name, exclude=image_id):
        raise _err("InvalidImageName.Duplicated", "The specified Image name has already bean used.")
    if image_family and image_family != record.get("ImageFamily"):
        _families_quota(ctx, image_family, "ImageFamilyQuotaFull",
                        "The specified region has exceeded max number of image family.")
        _family_quota(ctx, image_family, "ImageQuotaFull.ImageFamily",
                      "The specified image family has exceeded max number of images for one image family.", image_id)
    changes: dict[str, Any] = {}
    if status:
        if status == "Deprecated":
            if current != "Available":
                raise _err("ImageStatus.NotAvailable", "The specified image status is not available.", 403)
            if record.get("_shares"):
                raise _err("ImageUseShared", "The specified image has been shared to others, please remove shared "
                           "accounts first.", 403)
        elif status == "Available":
            if current != "Deprecated":
                raise _err("ImageStatus.NotDeprecated", "The specified image status is not deprecated.", 403)
        else:
            raise invalid_parameter("Status")
        changes["Status"] = status
    if boot_mode:
        if boot_mode not in BOOT_MODES or (boot_mode == "BIOS" and record.get("Architecture") == "arm64"):
            raise _err("InvalidBootMode.NotSupport", "The specified parameter BootMode is not supported.")
        if boot_mode != record.get("BootMode") and images.in_use(ctx, image_id):
            raise _err("OperationDeined.ImageUsingByInstance",
                       "The boot mode of the image cannot be modified because it has associated instances.", 403)
        changes["BootMode"] = boot_mode
    if license_type:
        if license_type not in ("Auto", "Aliyun", "BYOL"):  # [GUESS] the older, wider set
            raise _err("InvalidLicenseType.NotSupported", "The specified parameter LicenseType is not supported.")
        changes["LicenseType"] = license_type
    feats = {**FEATURES, **(record.get("Features") or {})}
    nvme, imds = features.get("nvme_support"), features.get("imds_support")
    if nvme:
        if nvme not in ("supported", "unsupported"):
            raise invalid_parameter("Features.NvmeSupport")
        feats["NvmeSupport"] = nvme
    if imds:
        if imds not in ("v1", "v2"):
            raise _err("InvalidParameter.FeaturesImdsSupport",
                       "The specified parameter Features.ImdsSupport is not valid.")
        if imds == "v1" and feats.get("ImdsSupport") == "v2":
            raise _err("InvalidOperation.FeaturesImdsSupportNotMatch",
                       "The image supports IMDS v2 and cannot be changed back to v1.", 403)  # [GUESS] message
        feats["ImdsSupport"] = imds
    if nvme or imds:
        changes["Features"] = feats
    for key, value in (("ImageName", image_name), ("Description", description), ("ImageFamily", image_family)):
        if value is not None:
            changes[key] = value
    if changes:
        images.put(ctx, {**record, **changes})
    return {}


# -- DescribeImageFromFamily ----------------------------------------------------------------
FAMILY_FIELDS = ("Architecture", "CreationTime", "Description", "ImageFamily", "ImageId", "ImageName",
                 "ImageOwnerAlias", "ImageVersion", "IsCopied", "IsSelfShared", "IsSubscribed", "IsSupportCloudinit",
                 "IsSupportIoOptimized", "OSName", "OSType", "Platform", "ProductCode", "Progress", "Size", "Status",
                 "Tags", "Usage")
FAMILY_MAPPING_FIELDS = ("Device", "Format", "ImportOSSBucket", "ImportOSSObject", "Size", "SnapshotId", "Type")


@operation("DescribeImageFromFamily", S("ImageFamily", required=True),
           region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist."))
def describe_image_from_family(ctx: Context, image_family: str) -> dict:
    usable = [r for r in images.family_images(ctx, image_family) if r.get("Status") == "Available"
              and images.can_see(ctx, r) and images.alias_for(ctx, r) != "marketplace"]
    if not usable:
        return {"Image": {}}
    newest = max(usable, key=lambda r: (r.get("CreationTime") or "", r["ImageId"]))
    view = images.view(ctx, newest)
    out = {k: view[k] for k in FAMILY_FIELDS if k in view}
    out["DiskDeviceMappings"] = {"DiskDeviceMapping": [
        {k: m[k] for k in FAMILY_MAPPING_FIELDS if k in m} for m in _mappings(newest)]}
    return {"Image": out}


# -- DescribeImageSupportInstanceTypes ------------------------------------------------------
@operation("DescribeImageSupportInstanceTypes", S("ImageId"), S("ActionType"),
           Structs("Filter", [S("Key"), S("Value")]))
def describe_image_support_instance_types(ctx: Context, image_id: Optional[str], action_type: Optional[str],
                                          filter: Optional[list[dict]]) -> dict:
    if not image_id:
        # The only Filter key the docs name is imageId.
        image_id = next((f.get("value") for f in filter or () if (f.get("key") or "").lower() == "imageid"), None)
    if not image_id:
        raise _err("InvalidParamter", "Invalid Parameter.")
    if action_type and action_type not in ("CreateEcs", "ChangeOS"):
        raise _err("InvalidParamter", "Invalid Parameter.")
    record = images.visible(ctx, image_id)
    if record is None:  # this operation documents its own wording of the error
        raise _err("InvalidImageId.NotFound", "The specified image does not exist.", 404)
    fitting = [t for t in instance_types() if images.fits_instance_type(record, t)]
    return {"RegionId": ctx.region, "ImageId": image_id, "InstanceTypes": {"InstanceType": [
        {"InstanceTypeId": t["InstanceTypeId"], "InstanceTypeFamily": t["InstanceTypeFamily"],
         "CpuCoreCount": int(t["CpuCoreCount"]), "MemorySize": float(t["MemorySize"])} for t in fitting]}}

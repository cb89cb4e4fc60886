"""The preloaded, read-only catalog: public, Marketplace, community and shared images.

One immutable layer loaded once per set of data files and shared by every engine and
test; it is never copied into a store, so a reset (or a new test) costs the same whether
it holds 50 images or 50,000. Users add or replace entries through the hooks
``mockecs_catalog_files`` / ``mockecs_catalog_entries`` or ``Config(catalog_files=...)``.

Catalog images exist in every region. What changes per account (a Marketplace
subscription, Usage) lives in the store, not here.

Entry shape: the DescribeImages wire record (``ImageId`` is the only required key; the
others default as in :data:`DEFAULTS`) plus internal keys: ``_owner`` (publisher or
sharer account id), ``_shared_with`` (account ids that see a shared image),
``_paid``/``_billing`` (licence fee class: ``windows`` | ``rhel`` | ``sles``),
``_price_per_hour`` (Marketplace product price), ``_charge_types``, ``_delisted``
(Marketplace sale ended), ``_derived_from``. A data file is ``{"images": [...],
"accounts": [{"AccountId": ...}]}`` or a bare list of images. An entry whose ImageId is
already in the catalog replaces it (files load in order, hook entries last).
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional

from mockecs.state.hookspecs import hookimpl

_cache: dict[tuple, Catalog] = {}
_lock = threading.Lock()


# Wire fields every catalog image carries; a user entry may leave any of them out.
DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "ImageName": None,  # None: the ImageId (as for public images)
    "Description": "", "ImageVersion": "", "ImageFamily": "",
    "ImageOwnerAlias": None,  # None: "others" when _owner/_shared_with is set, else "system"
    "IsPublic": None,  # None: true except for shared images
    "IsSelfShared": "", "IsCopied": False, "IsSubscribed": False, "ProductCode": "", "SupplierName": "",
    "OSType": "linux", "Platform": "Others Linux", "OSName": "", "OSNameEn": "", "Architecture": "x86_64",
    "BootMode": "BIOS", "Size": 20, "Status": "Available", "Progress": "100%", "Usage": "none",
    "CreationTime": "2024-01-01T00:00:00Z", "IsSupportIoOptimized": True, "IsSupportCloudinit": True,
    "LoginAsNonRootSupported": False, "LicenseType": "", "ResourceGroupId": "", "Usable": True,
    "DiskDeviceMappings": None,  # None: one system mapping of Size GiB
    "Tags": None, "Features": None, "SecureBootOptions": None,
})
# An image's Features unless its entry, import or ModifyImageAttribute sets one: the SDK model's members, CPU and
# memory hot-plug unsupported [GUESS: the metadata documents NvmeSupport only; "supported"/"unsupported" as it]
FEATURES = MappingProxyType({"NvmeSupport": "unsupported", "ImdsSupport": "v1", "CpuOnlineUpgrade": "unsupported",
                             "CpuOnlineDowngrade": "unsupported", "MemoryOnlineUpgrade": "unsupported",
                             "MemoryOnlineDowngrade": "unsupported"})


def kind_of_entry(entry: Mapping[str, Any]) -> str:
    alias = entry.get("ImageOwnerAlias")
    if alias in ("system", "marketplace"):
        return alias
    if entry.get("_shared_with"):
        return "shared"
    return "community"


def normalize(entry: Mapping[str, Any], fresh: bool = False) -> dict:
    """``entry`` with every missing wire field filled in.

    A deep copy, so the caller's dict is untouched, unless ``fresh`` (just parsed from a file:
    nobody else holds it, and copying 50,000 entries would only slow the one-time load).
    """
    if not isinstance(entry, Mapping) or not entry.get("ImageId"):
        raise ValueError(f"a catalog entry needs an ImageId: {entry!r}")
    out = dict(entry) if fresh else copy.deepcopy(dict(entry))
    for key, default in DEFAULTS.items():
        if key not in out and default is not None:
            out[key] = default
    out.setdefault("ImageName", out["ImageId"])
    alias = out.get("ImageOwnerAlias") or ("others" if out.get("_owner") or out.get("_shared_with") else "system")
    out["ImageOwnerAlias"] = alias if alias in ("system", "marketplace") else "others"
    out.setdefault("IsPublic", not out.get("_shared_with"))
    out.setdefault("DiskDeviceMappings", {"DiskDeviceMapping": [{
        "Device": "/dev/xvda", "Type": "system", "Size": str(out["Size"]), "SnapshotId": "", "Format": "",
        "ImportOSSBucket": "", "ImportOSSObject": "", "Progress": "100%", "RemainTime": 0, "Encrypted": False}]})
    out.setdefault("Tags", {"Tag": []})
    out["Features"] = {**FEATURES, **(out.get("Features") or {})}
    out.setdefault("SecureBootOptions", {"SecureBootSupport": "unsupported"})
    if out.get("_owner") is not None:
        out["_owner"] = str(out["_owner"])
    if out.get("_shared_with"):
        out["_shared_with"] = [str(a) for a in out["_shared_with"]]
    return out


def newest_first_key(record: Mapping[str, Any]) -> tuple:
    """Sort key of DescribeImages' order (newest CreationTime first, then ImageId), for reverse=True."""
    return (record.get("CreationTime") or "", record["ImageId"])


class Catalog:
    """Images by id, with indexes by kind, family, share recipient and product code."""

    def __init__(self, entries: Iterable[Mapping[str, Any]], accounts: Iterable[Mapping[str, Any]] = (),
                 normalized: bool = False) -> None:
        # Each image as one kind of caller sees it, encoded once (filled by mockecs.world.images.view).
        self.views: dict[tuple, Any] = {}
        # DescribeImages' listing parts ((key, id, record) newest first) by (kind, statuses, account), filled
        # by mockecs.world.images.listing: the catalog never changes, so neither do they.
        self.parts: dict[tuple, list] = {}
        images: dict[str, Mapping[str, Any]] = {}
        for entry in entries:
            image = entry if normalized else normalize(entry)
            images[image["ImageId"]] = MappingProxyType(image)  # later entries replace earlier ones
        self.images = images
        self.accounts = [dict(a) for a in accounts]
        self.by_kind: dict[str, list[str]] = {"system": [], "marketplace": [], "community": [], "shared": []}
        self.by_family: dict[str, list[str]] = {}
        self.shared_with: dict[str, list[str]] = {}
        self.by_product: dict[str, str] = {}
        for image_id, image in images.items():
            kind = kind_of_entry(image)
            self.by_kind[kind].append(image_id)
            if image.get("ImageFamily"):
                self.by_family.setdefault(image["ImageFamily"], []).append(image_id)
            for account in image.get("_shared_with") or ():
                self.shared_with.setdefault(str(account), []).append(image_id)
            if image.get("ProductCode"):
                self.by_product.setdefault(image["ProductCode"], image_id)
        # The records of each kind, newest first: the order DescribeImages answers in.
        self.records: dict[str, list[Mapping[str, Any]]] = {
            kind: sorted((images[i] for i in ids), key=newest_first_key, reverse=True)
            for kind, ids in self.by_kind.items()}
        owners = {str(i["_owner"]) for i in images.values() if i.get("_owner")}
        self._account_ids = frozenset(owners | {str(a["AccountId"]) for a in self.accounts})

    def get(self, image_id: str) -> Optional[Mapping[str, Any]]:
        return self.images.get(image_id)

    def ids(self, kind: str) -> list[str]:
        return self.by_kind[kind]

    def account_ids(self) -> frozenset[str]:
        """Accounts the catalog names (publishers, sharers); computed once, as every new engine asks."""
        return self._account_ids

    def __len__(self) -> int:
        return len(self.images)


EMPTY = Catalog(())


class BuiltinCatalogPlugin:
    """The packaged catalog: Alibaba Cloud's public images, Marketplace, community and shared examples."""

    @hookimpl(tryfirst=True)
    def mockecs_catalog_files(self) -> list:
        return builtin_files()


def builtin_files() -> list[Path]:
    folder = resources.files("mockecs").joinpath("data/catalog")
    return [Path(str(folder.joinpath(name))) for name in
            ("public_images.json", "marketplace_images.json", "community_images.json", "shared_images.json",
             "accounts.json")]


def _read(path: Path) -> dict:
    data = json.loads(Path(path).read_text("utf-8"))
    if isinstance(data, list):  # a bare list of images
        return {"images": data}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a catalog file holds {{'images': [...], 'accounts': [...]}} or a list of images")
    return data


def _file_key(path: str) -> tuple:
    # A file rewritten in place (same path, new content) must not hit a stale cache entry.
    try:
        st = os.stat(path)
    except OSError:
        return (path, None, None)
    return (path, st.st_mtime_ns, st.st_size)


def _entries_key(entries: tuple) -> str:
    text = json.dumps(entries, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load(files: Iterable[Any], entries: Iterable[Mapping[str, Any]] = ()) -> Catalog:
    """The catalog made of ``files`` then ``entries``; cached by content, so every engine shares one."""
    files = tuple(str(f) for f in files)
    entries = tuple(dict(e) for e in entries)
    key = (tuple(_file_key(f) for f in files), _entries_key(entries) if entries else "")
    with _lock:
        found = _cache.get(key)
        if found is not None:
            return found
        images: list[Mapping[str, Any]] = []
        accounts: list[Mapping[str, Any]] = []
        for path in files:
            data = _read(Path(path))
            images.extend(normalize(e, fresh=True) for e in data.get("images", ()))
            accounts.extend(data.get("accounts", ()))
        images.extend(normalize(e) for e in entries)
        catalog = Catalog(images, accounts, normalized=True)
        _cache[key] = catalog
        return catalog

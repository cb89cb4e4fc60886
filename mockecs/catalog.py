"""The preloaded, read-only catalog: public, Marketplace, community and shared images.

One immutable layer loaded once per set of data files and shared by every engine and
test; it is never copied into a store, so a reset (or a new test) costs the same whether
it holds 50 images or 50,000. Users add or replace entries through the hooks
``mockecs_catalog_files`` / ``mockecs_catalog_entries`` or ``Config(catalog_files=...)``.

Catalog images exist in every region. What changes per account (a Marketplace
subscription, Usage) lives in the store, not here.
"""
from __future__ import annotations

import json
import threading
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional

_cache: dict[tuple, "Catalog"] = {}
_lock = threading.Lock()


def kind_of_entry(entry: Mapping[str, Any]) -> str:
    alias = entry.get("ImageOwnerAlias")
    if alias in ("system", "marketplace"):
        return alias
    if entry.get("_shared_with"):
        return "shared"
    return "community"


class Catalog:
    """Images by id, with indexes by kind, family, share recipient and product code."""

    def __init__(self, entries: Iterable[Mapping[str, Any]], accounts: Iterable[Mapping[str, Any]] = ()) -> None:
        images: dict[str, Mapping[str, Any]] = {}
        for entry in entries:
            images[entry["ImageId"]] = MappingProxyType(dict(entry))  # later entries replace earlier ones
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

    def get(self, image_id: str) -> Optional[Mapping[str, Any]]:
        return self.images.get(image_id)

    def ids(self, kind: str) -> list[str]:
        return self.by_kind[kind]

    def account_ids(self) -> set[str]:
        ids = {str(a["AccountId"]) for a in self.accounts}
        ids.update(str(i["_owner"]) for i in self.images.values() if i.get("_owner"))
        return ids

    def __len__(self) -> int:
        return len(self.images)


EMPTY = Catalog(())


def builtin_files() -> list[Path]:
    folder = resources.files("mockecs").joinpath("data/catalog")
    return [Path(str(folder.joinpath(name))) for name in
            ("public_images.json", "marketplace_images.json", "community_images.json", "shared_images.json",
             "accounts.json")]


def _read(path: Path) -> dict:
    return json.loads(Path(path).read_text("utf-8"))


def load(files: Iterable[Any], entries: Iterable[Mapping[str, Any]] = ()) -> Catalog:
    """The catalog made of ``files`` then ``entries``; cached, so every engine shares one."""
    files = tuple(str(f) for f in files)
    entries = tuple(entries)
    key = (files, tuple(e["ImageId"] for e in entries), len(entries))
    with _lock:
        found = _cache.get(key)
        if found is not None and not entries:
            return found
        images: list[Mapping[str, Any]] = []
        accounts: list[Mapping[str, Any]] = []
        for path in files:
            data = _read(Path(path))
            images.extend(data.get("images", ()))
            accounts.extend(data.get("accounts", ()))
        images.extend(entries)
        catalog = Catalog(images, accounts)
        if not entries:
            _cache[key] = catalog
        return catalog

"""Images as each account sees them (spec §2.1-2.3): the store's images plus the catalog.

Store images are the accounts' own custom images (created, copied, imported, built).
Their internal keys: ``_owner``, ``_region``, ``_shares`` ({account: shared time}),
``_public`` (published as a community image), ``_paid``/``_billing`` (licence fee
inherited from a paid source), ``_source`` ({"kind": "copy"|"snapshot"|..., ...}).
"""
from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any, Iterable, Mapping, Optional

from mockecs.state.store import count_soon, fresh, generation, generation_soon, text_term, written_since
from mockecs.wire.encoding import Frozen, FrozenList
from mockecs.wire.errors import error_kind
from mockecs.world import marketplace, paging, resources
from mockecs.world.cache import Page, changed_raws
from mockecs.world.catalog import FEATURES, newest_first_key
from mockecs.world.context import Context

NOT_FOUND = error_kind("InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
STATUSES = ("Creating", "Waiting", "Available", "UnAvailable", "CreateFailed", "Deprecated")


def status_terms(name: str, value: str, statuses: Optional[Iterable[str]]) -> list[tuple[str, str]]:
    """The listing term ``(name, value)`` narrowed to ``statuses`` (None: every status): disjoint terms."""
    if statuses is None:
        return [(name, value)]
    return [(f"{name}_status", f"{value}|{status}") for status in sorted(statuses)]


def name_term(account: str, region: str, name: str) -> tuple[str, str]:
    """An image's name: looked up exactly (``ids``) and by substring (``Transaction.search``)."""
    return text_term("name", f"{account}|{region}", name)


def image_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    region, owner, status = record["_region"], record["_owner"], record.get("Status", "")
    terms = [resources.own_text(record, "name", "ImageName"),
             ("owner_region_status", f"{owner}|{region}|{status}")]  # listings by status (ordered)
    if record.get("ImageFamily"):
        terms.append(("family", f"{region}|{record['ImageFamily']}"))
    name = record.get("ImageName") or ""
    for account in record.get("_shares") or ():
        terms.append(("shared", f"{account}|{region}"))
        terms.append(("shared_status", f"{account}|{region}|{status}"))
        terms.append(text_term("shared_name", f"{account}|{region}", name))  # (found by name by each sharee)
    if record.get("_shares"):
        terms.append(("sharing", f"{record['_owner']}|{region}"))  # for the shared-image quota
    if record.get("_public"):
        terms.append(("community", region))
        terms.append(("community_status", f"{region}|{status}"))
        # The owner's own community images, which their community listing leaves out.
        terms.append(("own_community", f"{owner}|{region}"))
        terms.append(("own_community_status", f"{owner}|{region}|{status}"))
        terms.append(text_term("community_name", region, name))
        for account in record.get("_shares") or ():  # to them a shared image, not a community image
            terms.append(("shared_public", f"{account}|{region}"))
            terms.append(("shared_public_status", f"{account}|{region}|{status}"))
    for mapping in (record.get("DiskDeviceMappings") or {}).get("DiskDeviceMapping") or ():
        if mapping.get("SnapshotId"):
            terms.append(("snapshot", mapping["SnapshotId"]))
    if record.get("ProductCode"):
        terms.append(("product", record["ProductCode"]))
    if (record.get("_source") or {}).get("kind") == "copy" and record.get("Status") in ("Creating", "Waiting"):
        # Copies in flight into a region, for CopyImage's queue and conflict checks.
        terms.append(("copying", f"{record['_owner']}|{region}"))
    return terms


resources.TERMS["image"] = image_terms
resources.ORDER["image"] = lambda record: record.get("CreationTime") or ""  # newest_first_key's order


def put(ctx: Context, record: dict) -> dict:
    ctx.engine.record_cache.drop("image", record["ImageId"])  # its decoded record and views go with it
    return resources.put(ctx.txn, "image", record)


def read(ctx: Context, image_id: Optional[str]) -> Optional[Mapping[str, Any]]:
    """:func:`get_any`, read-only: a store image through the engine's record cache (decoded, and its
    views encoded, only when it changed since the last read)."""
    if not image_id:
        return None
    record = ctx.engine.record_cache.read_many(ctx, "image", [image_id])[0]
    return record if record is not None else ctx.engine.catalog.get(image_id)


def read_many(ctx: Context, kind: str, ids: list[str]) -> list[Optional[Mapping[str, Any]]]:
    """Store images by id for a page, read-only, through the engine's record cache."""
    return ctx.engine.record_cache.read_many(ctx, kind, ids)


def get_any(ctx: Context, image_id: Optional[str]) -> Optional[Mapping[str, Any]]:
    """An image by id wherever it lives (store first, then catalog), regardless of who may see it."""
    if not image_id:
        return None
    record = resources.get(ctx, "image", image_id)
    if record is not None:
        return record
    return ctx.engine.catalog.get(image_id)


def is_catalog(record: Mapping[str, Any]) -> bool:
    return "_region" not in record


def can_see(ctx: Context, record: Mapping[str, Any], region: Optional[str] = None) -> bool:
    """Whether the caller may see/use ``record`` in ``region`` (default: the request's)."""
    region = region or ctx.region
    account = ctx.account
    if "_region" not in record:  # is_catalog(), inlined on this hot path
        alias = record.get("ImageOwnerAlias")
        if alias in ("system", "marketplace"):
            return True
        if record.get("IsPublic"):
            return True  # community
        return account in (record.get("_shared_with") or ()) or account == str(record.get("_owner"))
    if record["_region"] != region:
        return False
    return record["_owner"] == account or account in (record.get("_shares") or {}) or bool(record.get("_public"))


def visible(ctx: Context, image_id: Optional[str], region: Optional[str] = None) -> Optional[Mapping[str, Any]]:
    record = get_any(ctx, image_id)
    if record is None or not can_see(ctx, record, region):
        return None
    return record


def visible_or_404(ctx: Context, image_id: Optional[str]) -> Mapping[str, Any]:
    record = visible(ctx, image_id)
    if record is None:
        raise NOT_FOUND
    return record


def own(ctx: Context, image_id: Optional[str]) -> dict:
    """The caller's own custom image in this region, else ``InvalidImageId.NotFound``."""
    return resources.owned(ctx, "image", image_id, NOT_FOUND)


def community_to(ctx: Context, record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is a community image to the caller: published by another account, not shared
    with the caller."""
    if alias_for(ctx, record) != "others":
        return False
    if is_catalog(record):
        return bool(record.get("IsPublic")) and ctx.account not in (record.get("_shared_with") or ())
    return bool(record.get("_public")) and ctx.account not in (record.get("_shares") or ())


def alias_for(ctx: Context, record: Mapping[str, Any]) -> str:
    if "_region" not in record:  # is_catalog(), inlined on this hot path
        alias = record.get("ImageOwnerAlias", "system")
        if alias in ("system", "marketplace"):
            return alias
        return "self" if str(record.get("_owner")) == ctx.account else "others"
    return "self" if record["_owner"] == ctx.account else "others"


def subscribed(ctx: Context, product_code: str) -> bool:
    """Whether the caller subscribed to ``product_code`` (read in the request's transaction)."""
    return ctx.txn.get(marketplace.KIND, marketplace.subscription_id(ctx.account, product_code)) is not None


def count_usage_soon(ctx: Context, image_ids: Iterable[str]) -> None:
    """Hint: :func:`views` is about to count these images' instances (read with the next round trip)."""
    txn = ctx.txn
    if hasattr(txn, "count_ahead"):  # (only a store that reads ahead: the terms are built only for it)
        count_soon(txn, "instance", [("image", image_id) for image_id in image_ids])


def views(ctx: Context, records: list[Mapping[str, Any]], used: Optional[list[int]] = None) -> list[dict]:
    """:func:`view` of a page of records, their usage counted in one store call (``used``: counted)."""
    if not records:
        return []
    if used is None:
        used = ctx.txn.counts("instance", [("image", r["ImageId"]) for r in records])
    # (the views the record cache keeps for the page's records, looked up in one call)
    return [view(ctx, record, "instance" if n else (record.get("Usage") or "none"), kept) for record, n, kept
            in zip(records, used, ctx.engine.record_cache.views_of_many(records))]


_SECOND = itemgetter(1)  # (an index entry's id)


def page_views(ctx: Context, listing: paging.Ordered, start: int, size: int) -> list[dict]:
    """:func:`views` of a page of a :func:`listing`, kept whole and answered again while it holds
    (:func:`stored_views`)."""
    chosen = listing.chosen(start, size)
    ids = list(map(_SECOND, chosen))
    if not listing.extra:
        return stored_views(ctx, ids)
    return stored_views(ctx, ids, {e[1]: e[2] for e in chosen if len(e) > 2})  # (catalog images merged in)


def stored_views(ctx: Context, ids: list[str], catalog: Optional[dict[str, Mapping[str, Any]]] = None) -> list[dict]:
    """:func:`views` of the images ``ids`` (those still there): stored ones, and the catalog's (``catalog``: by
    id, their records). The record cache keeps the page, with the raw forms and usage counts it was made
    from (a catalog image's record stands for itself): while the store holds those very raw forms (compared
    all at once, not record by record) and the counts are the same (not even recounted while no instance
    was written), the kept page is the answer; where some differ, only their views are looked up again."""
    if not ids:
        return []
    txn, cache = ctx.txn, ctx.engine.record_cache
    raw_many = getattr(txn, "raw_many", None)
    if raw_many is None:  # a store without raw forms: nothing to key a page on
        count_usage_soon(ctx, ids)
        read = _merged(ids, catalog, resources.get_many(ctx, "image", _stored_ids(ids, catalog)))
        return views(ctx, [r for r in read if r is not None])
    key = ("image", ctx.account, *ids)  # (the account: a view depends on who asks)
    kept = cache.page(key)
    # The images' generation tells whether any image was written since the page was kept: if none was, its
    # raw forms are the page's, and they are not even read. (Taken before the raw forms: a write in between
    # makes it older than them, never newer. A networked store read it with the listing's first round trip,
    # as :func:`listing` hints, and so saves a round trip.)
    # The instances' generation likewise for the usage counts (read before them: counts kept with a
    # generation are never older than it; on Redis they ride the raw forms' round trip if no page is kept).
    written, counted = generation(txn, "image"), generation(txn, "instance")
    raws = None
    if kept is None:
        count_usage_soon(ctx, ids)
    elif written is not None and written == kept.written and counted is not None and counted == kept.generation:
        return kept.views
    elif written is not None:
        # Images were written since: a store that logs which (Redis) names them, and only the page's among them
        # are read again (the others' raw forms are the kept ones: a raw form changes only with a write).
        since = written_since(txn, "image", kept.written)
        if since is not None:
            at = [n for n, i in enumerate(ids) if i in since and not (catalog and i in catalog)]
            raws = list(kept.raws)
            for n, raw in zip(at, raw_many("image", [ids[n] for n in at]) if at else ()):
                raws[n] = raw
    if raws is None:
        raws = _merged(ids, catalog, raw_many("image", _stored_ids(ids, catalog)))
    if kept is None:
        return _page(ctx, key, ids, raws, txn.counts("instance", [("image", i) for i in ids]), counted, catalog,
                     written)
    changed = changed_raws(kept.raws, raws)
    used = kept.used
    if counted is None or counted != kept.generation:
        used = txn.counts("instance", [("image", i) for i in ids])
        if used != kept.used:
            changed = sorted({*changed, *(at for at, (old, new) in enumerate(zip(kept.used, used)) if old != new)})
    if not changed:
        if counted != kept.generation or written != kept.written:
            cache.keep_page(key, Page(raws, used, counted, kept.views, written))
        return kept.views
    if len(changed) == len(ids):
        return _page(ctx, key, ids, raws, used, counted, catalog, written)
    records = _records(ctx, [ids[at] for at in changed], [raws[at] for at in changed], catalog)
    if not _keepable(cache, records):  # (deleted since the index was read, in flight ...): all again
        return _page(ctx, key, ids, raws, used, counted, catalog, written)
    out = FrozenList(kept.views)
    for at, new in zip(changed, views(ctx, records, [used[at] for at in changed])):  # type: ignore[arg-type]
        out[at] = new
    cache.keep_page(key, Page(raws, used, counted, out, written))
    return out


def _page(ctx: Context, key: tuple, ids: list[str], raws: list, used: list[int], counted: Any,
          catalog: Optional[dict[str, Mapping[str, Any]]], written: Any) -> list[dict]:
    """:func:`stored_views` of a page read whole, kept if it can be."""
    cache = ctx.engine.record_cache
    read = _records(ctx, ids, raws, catalog)
    records = [r for r in read if r is not None]
    if len(records) < len(read):
        used = [n for r, n in zip(read, used) if r is not None]
    out = views(ctx, records, used)
    if len(records) == len(ids) and _keepable(cache, records):
        out = FrozenList(out)
        cache.keep_page(key, Page(raws, used, counted, out, written))
    return out


def _records(ctx: Context, ids: list[str], raws: list, catalog: Optional[dict[str, Mapping[str, Any]]]) -> \
        list[Optional[Mapping[str, Any]]]:
    """The records of ``ids`` (None where gone): the catalog's own, the store's through the record cache."""
    read_many = ctx.engine.record_cache.read_many
    if not catalog:
        return read_many(ctx, "image", ids, raws)
    at = [n for n, i in enumerate(ids) if i not in catalog]
    return _merged(ids, catalog, read_many(ctx, "image", [ids[n] for n in at], [raws[n] for n in at]) if at else [])


def _stored_ids(ids: list[str], catalog: Optional[dict[str, Any]]) -> list[str]:
    """``ids`` but the catalog's."""
    return [i for i in ids if i not in catalog] if catalog else ids


def _merged(ids: list[str], catalog: Optional[dict[str, Any]], stored: list) -> list:
    """What stands for each of ``ids``: the catalog's record, else the next of ``stored`` (in order)."""
    if not catalog:
        return stored
    found = iter(stored)
    return [catalog[i] if i in catalog else next(found) for i in ids]


def _keepable(cache: Any, records: list[Optional[Mapping[str, Any]]]) -> bool:
    """Whether views of these records may be kept in a page: every one is there and is the catalog's or the
    record cache's (none settled on the way: a transition in flight reads differently as the clock moves),
    and no view depends on a subscription."""
    return all(kept is not None or (r is not None and is_catalog(r))
               for r, kept in zip(records, cache.views_of_many(records))) \
        and not any(r.get("ProductCode") for r in records)  # type: ignore[union-attr]


def view(ctx: Context, record: Mapping[str, Any], used: Optional[str] = None, kept: Optional[dict] = None) -> dict:
    """The wire record as the caller sees it: ImageOwnerAlias, IsSelfShared, IsSubscribed, Usage
    relative to them (``used``: already known). Catalog images' views are built once per variant and
    shared (read-only); a store image's are kept in the record cache (``kept``: its views there, if
    looked up already)."""
    used = used or usage(ctx, record)
    product = record.get("ProductCode")
    if "_region" not in record:  # is_catalog(), inlined on this hot path (and alias_for's system/marketplace case)
        alias = record.get("ImageOwnerAlias", "system")
        if alias != "system" and alias != "marketplace":
            alias = alias_for(ctx, record)
        key = (record["ImageId"], alias, subscribed(ctx, product) if product else None, used)
        views = ctx.engine.catalog.views
        found = views.get(key)
        if found is None:
            out = resources.wire(record)
            out["ImageOwnerAlias"] = alias
            out["Usage"] = used
            if record.get("_owner") and alias != "marketplace":
                out["ImageOwnerId"] = int(record["_owner"])
            if product:
                out["IsSubscribed"] = key[2]
            found = views[key] = Frozen(out)
        return found
    alias = "self" if record["_owner"] == ctx.account else "others"  # alias_for(), inlined
    variant = (alias, used, subscribed(ctx, product) if product else None)
    # Kept beside the record in the engine's record cache when it came from there (a page, a read by id):
    # dropped with it when the record is written.
    if kept is None:
        kept = ctx.engine.record_cache.views_of(record)
    if kept is not None:
        found = kept.get(variant)
        if found is not None:
            return found
    out = resources.wire(record)
    out["ImageOwnerAlias"] = alias
    out["Usage"] = used
    out["ImageOwnerId"] = int(record["_owner"])
    out["IsPublic"] = bool(record.get("_public"))
    out["IsSelfShared"] = ("True" if record.get("_shares") else "False") if alias == "self" else ""
    if product:
        out["IsSubscribed"] = variant[2]
    frozen = Frozen(out)
    if kept is not None:
        kept[variant] = frozen
    return frozen  # type: ignore[return-value]


def stored(ctx: Context, term: tuple[str, str]) -> Iterable[Mapping[str, Any]]:
    """The store's images under an index term, read-only (not copied: callers must not mutate them);
    only records with a transition in flight are settled to the mock clock."""
    return stored_ids(ctx, ctx.txn.ids("image", term))


# Whose images :func:`named_like` searches: the text term and its scope for the caller.
_NAMED_PARTS = {
    "own": lambda ctx: ("name", f"{ctx.account}|{ctx.region}"),
    "shared": lambda ctx: ("shared_name", f"{ctx.account}|{ctx.region}"),  # shared with the caller
    "community": lambda ctx: ("community_name", ctx.region),  # every account's (the caller's own included)
}


def named_like(ctx: Context, fragment: str, part: str = "own") -> Iterable[Mapping[str, Any]]:
    """The store's images in this region with ``fragment`` in their name, of ``part`` (the caller's
    own, those shared with the caller, community images): the store's substring index, only those
    images are read."""
    name, scope = _NAMED_PARTS[part](ctx)
    ids = [id for _, id, _ in ctx.txn.search("image", name, scope, fragment)]
    # Read-only: through the record cache, so that a page of matches splices views encoded before.
    return (r for r in read_many(ctx, "image", ids) if r is not None)


def stored_ids(ctx: Context, ids: Iterable[str]) -> Iterable[Mapping[str, Any]]:
    """The store's images of ``ids`` (as :func:`stored`)."""
    txn = ctx.txn
    for image_id in ids:
        record = txn.get("image", image_id)
        if record is not None and "_pending" in record:
            record = resources.get(ctx, "image", image_id)
        if record is not None:
            yield record


def family_images(ctx: Context, family: str) -> list[Mapping[str, Any]]:
    """Every image of ``family`` in this region, the store's then the catalog's, unfiltered (read-only,
    as :func:`stored`): callers apply their own visibility, status and Marketplace rules."""
    catalog = ctx.engine.catalog
    found = list(stored(ctx, ("family", f"{ctx.region}|{family}")))
    found += [catalog.images[i] for i in catalog.by_family.get(family, ())]
    return found


def candidates(ctx: Context, alias: Optional[str], is_public: Optional[bool],
               include_community_in_default: bool = False, name: Optional[str] = None) -> Iterable[Mapping[str, Any]]:
    """Every image the caller may list in this region for an ``ImageOwnerAlias`` query (spec §2.3);
    with ``name``, only the store's images holding it in their name (:func:`named_like`), the catalog's
    parts still whole (callers test the name).

    Catalog parts come as the catalog's own newest-first lists (no copying, no generator layers).
    """
    account, region = ctx.account, ctx.region
    records = ctx.engine.catalog.records

    def community() -> Iterable[Mapping[str, Any]]:
        found = named_like(ctx, name, "community") if name else stored(ctx, ("community", region))
        # (neither the caller's own, nor those shared with the caller: listed as such, see community_to)
        return chain((r for r in found if r["_owner"] != account and account not in (r.get("_shares") or ())),
                     (r for r in records["community"] if str(r.get("_owner")) != account))

    def shared() -> Iterable[Mapping[str, Any]]:
        return chain(named_like(ctx, name, "shared") if name else stored(ctx, ("shared", f"{account}|{region}")),
                     (r for r in records["shared"] if account in (r.get("_shared_with") or ())))

    if alias == "system":
        return records["system"]
    if alias == "marketplace":
        return records["marketplace"]
    if alias == "others":
        return community() if is_public else shared()
    own = named_like(ctx, name) if name else stored(ctx, resources.owner_region(account, region))
    if alias == "self":
        return own
    parts = [records["system"], own, shared()]
    if include_community_in_default:
        parts.append(community())
    return chain(*parts)


def listing(ctx: Context, alias: Optional[str], is_public: Optional[bool], with_community: bool,
            statuses: Optional[frozenset[str]], want: int = 0) -> paging.Ordered:
    """What :func:`candidates` lists, narrowed to ``statuses``, as one ordered listing (newest first):
    the store's parts from ordered status terms, the catalog's parts merged in, nothing else read
    (``want``: the end of the page about to be asked for, see :class:`paging.Ordered`)."""
    if alias == "self":  # (the caller's own images, the usual narrowed listing: without making the closures below)
        return _own_listing(ctx, statuses, want)
    account, region = ctx.account, ctx.region
    terms: list[tuple[str, str]] = []
    exclude: dict[tuple[str, str], list[tuple[str, str]]] = {}
    settle: list[tuple[str, str]] = []
    extra: list[list[tuple]] = []

    def catalog_part(kind: str, keep: Any = None) -> None:
        parts = ctx.engine.catalog.parts
        key = (kind, statuses, account if keep is not None else None)
        found = parts.get(key)
        if found is None:
            found = [(*newest_first_key(r), r) for r in ctx.engine.catalog.records[kind]
                     if (statuses is None or r.get("Status") in statuses) and (keep is None or keep(r))]
            if len(parts) >= 4096:  # (one entry per account asking for shared or community images)
                parts.clear()
            parts[key] = found
        if found:
            extra.append(found)

    def stored_part(name: str, value: str) -> None:
        settle.append((name, value))
        terms.extend(status_terms(name, value, statuses))

    def shared() -> None:
        stored_part("shared", f"{account}|{region}")
        catalog_part("shared", lambda r: account in (r.get("_shared_with") or ()))

    def community() -> None:
        stored_part("community", region)
        # Left out: the caller's own community images (theirs) and those shared with the caller (shared).
        exclude.update((term, lefts) for term, *lefts in zip(
            status_terms("community", region, statuses), status_terms("own_community", f"{account}|{region}", statuses),
            status_terms("shared_public", f"{account}|{region}", statuses)))
        catalog_part("community", lambda r: str(r.get("_owner")) != account)

    if alias in ("system", "marketplace"):
        catalog_part(alias)
    elif alias == "others":
        community() if is_public else shared()
    else:
        catalog_part("system")
        stored_part(*resources.owner_region(account, region))
        shared()
        if with_community:
            community()
    # (:func:`page_views` asks both generations, and which images were written since: a networked store reads
    # them with the listing's first round trip)
    generation_soon(ctx.txn, "image", since=True)
    generation_soon(ctx.txn, "instance")
    return paging.Ordered(ctx, "image", terms, newest_first=True, exclude=exclude, extra=extra, settle=settle,
                          want=want, read=read_many)


def _own_listing(ctx: Context, statuses: Optional[frozenset[str]], want: int) -> paging.Ordered:
    """:func:`listing` of the caller's own images (ImageOwnerAlias=self): one stored part, no catalog part."""
    name, value = resources.owner_region(ctx.account, ctx.region)
    generation_soon(ctx.txn, "image", since=True)  # (as listing's)
    generation_soon(ctx.txn, "instance")
    return paging.Ordered(ctx, "image", status_terms(name, value, statuses), newest_first=True, exclude={}, extra=[],
                          settle=[(name, value)], want=want, read=read_many)


# -- helpers for the image operations (CreateImage, CopyImage, ImportImage, the builder ...) --
# Fields a derived image takes from the image its source disk/snapshot/instance came from.
OS_FIELDS = ("OSType", "Platform", "OSName", "OSNameEn", "Architecture", "BootMode", "IsSupportIoOptimized",
             "IsSupportCloudinit", "LoginAsNonRootSupported", "Features", "SecureBootOptions", "LicenseType",
             "ProductCode")
BILLING_FIELDS = ("_paid", "_billing")


def inherited_fields(source: Mapping[str, Any], present_only: bool = False) -> dict:
    """The OS and billing fields a derived image takes from ``source``. Billing fields the source
    lacks come as None, unless ``present_only`` (the builder), which leaves them out."""
    fields = {k: source[k] for k in OS_FIELDS if k in source}
    if present_only:
        fields.update({k: source[k] for k in BILLING_FIELDS if k in source})
    else:
        fields.update({k: source.get(k) for k in BILLING_FIELDS})
    return fields


def mapping(device: str, type_: str, size: Any, snapshot_id: str = "", encrypted: bool = False, **extra: Any) -> dict:
    """One ``DiskDeviceMappings.DiskDeviceMapping`` element in wire shape (Size is a string), in the service's order
    (the captured answer named in :func:`new_record`). Progress is a copy's: empty on an image not copied."""
    return {"SnapshotId": snapshot_id, "Type": type_, "Progress": "", "Format": "", "Device": device,
            "Size": str(size), "ImportOSSBucket": "", "ImportOSSObject": "", "RemainTime": 0,
            "Encrypted": bool(encrypted), **extra}


def new_record(ctx: Context, region: str, mappings: list[dict], **fields: Any) -> dict:
    """A complete custom-image record owned by the caller in ``region`` (defaults of spec §2.1).

    ``fields`` override the defaults (wire names and ``_`` internal keys alike).
    """
    system = next((m for m in mappings if m["Type"] == "system"), None)
    # In the order the service answers a custom image (a captured DescribeImages answer: Alibaba's
    # aliyun/alibabacloud-ecs-tool-troubleshooter, ecs-devops-dashboard/src/app/static/data/DescribeImages.ts), then
    # the fields that answer lacks; later writes keep each field's place. DetectionOptions is there, empty,
    # when no check was asked for (DetectionStrategy fills it).
    record: dict = {
        "ImageOwnerAlias": "self", "IsSelfShared": "False", "Description": "", "Platform": "Others Linux",
        "ResourceGroupId": "", "Size": int(system["Size"]) if system else 0, "IsSubscribed": False,
        "BootMode": "BIOS", "OSName": "Others Linux  64位", "IsPublic": False,
        "ImageId": resources.new_id("image", region), "DetectionOptions": {},
        "Features": dict(FEATURES), "OSNameEn": "Others Linux  64 bit",
        "Tags": {"Tag": []}, "LoginAsNonRootSupported": False, "Status": "Available", "Progress": "100%",
        "Usage": "none", "Architecture": "x86_64", "ProductCode": "", "IsCopied": False, "ImageFamily": "",
        "IsSupportIoOptimized": True, "IsSupportCloudinit": True, "ImageName": "",
        "DiskDeviceMappings": {"DiskDeviceMapping": mappings}, "ImageVersion": "", "OSType": "linux",
        "CreationTime": resources.iso(ctx.now),
        "SupplierName": "", "LicenseType": "", "Usable": True,
        "SecureBootOptions": {"SecureBootSupport": "unsupported"},
        "_owner": ctx.account, "_region": region, "_shares": {}, "_public": False,
        "_paid": False, "_billing": None,
    }
    if "ImageId" not in fields:  # (an id made here: a networked store need not read it before writing it)
        fresh(ctx.txn, "image", record["ImageId"])
    record.update(fields)
    return record


def name_taken(ctx: Context, name: Optional[str], region: Optional[str] = None,
               exclude: Optional[str] = None) -> bool:
    """Whether the caller already has an image called ``name`` in ``region`` (an index lookup)."""
    if not name:
        return False
    ids = ctx.txn.ids("image", name_term(ctx.account, region or ctx.region, name))
    ids.discard(exclude or "")
    return bool(ids)


def own_count(ctx: Context, region: Optional[str] = None) -> int:
    """How many custom images the caller has in ``region`` (counted for ``QuotaExceed.Image``)."""
    return ctx.txn.count("image", resources.owner_region(ctx.account, region or ctx.region))


def in_use(ctx: Context, image_id: str) -> bool:
    """Whether any instance was created from the image (instances index their ``ImageId``)."""
    return bool(ctx.txn.count("instance", ("image", image_id)))


def usage(ctx: Context, record: Mapping[str, Any]) -> str:
    if in_use(ctx, record["ImageId"]):
        return "instance"
    return record.get("Usage") or "none"


def fits_instance_type(record: Mapping[str, Any], instance_type: Mapping[str, Any]) -> bool:
    """Whether an image can run on an instance type (spec §3.11): same architecture (32-bit images on
    x86 types with less than 4 GiB), Windows on types with at least 1 GiB.

    Stricter than :func:`mockecs.world.launch.arch_supports` (launch/price checks only keep arm64 apart)."""
    arch = record.get("Architecture") or "x86_64"
    memory = float(instance_type.get("MemorySize") or 0)
    if arch == "i386":
        if instance_type.get("Architecture") != "x86_64" or memory >= 4:
            return False
    elif arch != instance_type.get("Architecture"):
        return False
    if record.get("OSType") == "windows" and memory < 1:
        return False
    return True

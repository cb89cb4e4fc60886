"""Decoded records and their encoded views, kept by the stored form they were read from (issue 14).

A page of DescribeImages used to decode every record it listed and encode its view again on every
call. The store hands out each record's raw stored form (:meth:`Transaction.raw_many`: the memory
store's packed tuple, Redis's JSON text, SQLite's record version ...); a record decoded from it, and the
views encoded from that record, are kept beside it and used only while the store still holds that very
form. Any write stores a new form, in this process or in another one sharing the store, so nothing stale
is ever answered; the clock plays no part (records with a transition in flight are settled and never kept).
Entries are bounded (the oldest go first) and records handed out are read-only.
"""
from __future__ import annotations

import threading
from builtins import id as builtins_id  # (``id`` names record ids here)
from itertools import compress, count
from operator import is_, is_not
from typing import Any, Iterable, Mapping, Optional

from mockecs.world import resources
from mockecs.world.context import Context

_VALUES = (str, bytes, int)  # raw forms that stand for one content by equality (others: by identity)


class Entry:
    __slots__ = ("raw", "record", "views")

    def __init__(self, raw: Any, record: Mapping[str, Any]) -> None:
        self.raw, self.record = raw, record
        self.views: dict[tuple, Any] = {}  # variant (what a view depends on besides the record) -> view


def changed_raws(old: list, new: list) -> list[int]:
    """Positions where ``new`` holds another raw form than ``old`` (another object, or, for the value
    kinds, another value: a packed ``(0,)`` and ``(False,)`` are equal in Python, not the same record)."""
    if len(old) == len(new) and all(map(is_, old, new)):  # (the usual case, at C speed)
        return []
    others = compress(count(), map(is_not, old, new))  # (found at C speed too: a page has one or two)
    return [at for at in others if not (new[at].__class__ in _VALUES and old[at] == new[at])]


class Page:
    """The views of a page of records, kept with what they were made from: the records' raw forms and
    usage counts (and the generation of the kind counted, while which the counts need no recount; and
    ``written``, the records' own kind's generation taken before their raw forms were read, while which
    those need no reading)."""
    __slots__ = ("raws", "used", "generation", "views", "written")

    def __init__(self, raws: list, used: list[int], generation: Any, views: list, written: Any = None) -> None:
        self.raws, self.used, self.generation, self.views, self.written = raws, used, generation, views, written


class RecordCache:
    """Per engine: ``(kind, id) -> Entry``, at most ``limit`` entries."""

    def __init__(self, limit: int = 2048, page_limit: int = 256, page_views: int = 4096) -> None:
        # About 5 KB an entry (record and view): ~10 MiB at most. A page refers to its records' raw forms
        # and views (shared with the entries while they are alive: about 1 KB for 100 views); views no
        # entry keeps any more (written since, or pushed out) stay alive through their pages: at most
        # ``page_views`` views in all pages, ~12 MiB more at most.
        self.limit, self.page_limit, self.page_views = limit, page_limit, page_views
        self._pages: dict[tuple, Page] = {}
        self._viewed = 0  # views held by the pages
        self._entries: dict[tuple[str, str], Entry] = {}
        self._by_record: dict[int, Entry] = {}  # id() of each entry's record (alive while its entry is)
        # Changes are made under a lock (a threaded server reads concurrently); hits take none.
        self._lock = threading.Lock()

    def clear(self) -> None:
        self._entries, self._by_record, self._pages, self._viewed = {}, {}, {}, 0

    def page(self, key: tuple) -> Optional[Page]:
        """The page kept under ``key`` (its caller checks that it still holds)."""
        return self._pages.get(key)

    def keep_page(self, key: tuple, page: Page) -> None:
        with self._lock:
            pages = self._pages
            old = pages.pop(key, None)
            if old is not None:
                self._viewed -= len(old.views)
            while pages and (len(pages) >= self.page_limit or self._viewed + len(page.views) > self.page_views):
                self._viewed -= len(pages.pop(next(iter(pages))).views)  # the oldest
            pages[key] = page
            self._viewed += len(page.views)

    def drop(self, kind: str, id: str) -> None:
        """Forget a record written in this process (its entry would never be used again: it frees memory)."""
        with self._lock:
            entry = self._entries.pop((kind, id), None)
            if entry is not None:
                self._by_record.pop(builtins_id(entry.record), None)

    def views_of(self, record: Mapping[str, Any]) -> Optional[dict]:
        """The views kept for ``record`` if it is the very record this cache handed out, else None."""
        entry = self._by_record.get(builtins_id(record))
        return entry.views if entry is not None and entry.record is record else None

    def views_of_many(self, records: list[Mapping[str, Any]]) -> list[Optional[dict]]:
        """:meth:`views_of` of each of ``records`` (a page: one call)."""
        by_record = self._by_record
        out: list[Optional[dict]] = []
        for record in records:
            entry = by_record.get(builtins_id(record))
            out.append(entry.views if entry is not None and entry.record is record else None)
        return out

    def read_many(self, ctx: Context, kind: str, ids: Iterable[str],
                  raws: Optional[list] = None) -> list[Optional[Mapping[str, Any]]]:
        """Records by id (None where missing), settled to the mock clock like :func:`resources.get_many`,
        decoded only when the store's raw form changed since the last read (``raws``: read already).
        Read-only: shared."""
        txn = ctx.txn
        raw_many = getattr(txn, "raw_many", None)
        if raw_many is None:  # a store without raw forms: nothing to key a cache on
            return resources.get_many(ctx, kind, ids)
        ids = ids if isinstance(ids, list) else list(ids)
        entries = self._entries
        out: list[Optional[Mapping[str, Any]]] = []
        missed: list[int] = []  # positions in ``out`` of the records to decode
        if raws is None:
            raws = raw_many(kind, ids)
        for id, raw in zip(ids, raws):
            if raw is not None:
                entry = entries.get((kind, id))
                if entry is not None and (entry.raw is raw or (raw.__class__ in _VALUES and entry.raw == raw)):
                    out.append(entry.record)
                    continue
                missed.append(len(out))
            out.append(None)
        if missed:
            self._decode(ctx, kind, ids, raws, missed, out)
        return out

    def _decode(self, ctx: Context, kind: str, ids: list[str], raws: list[Any], missed: list[int],
                out: list[Optional[Mapping[str, Any]]]) -> None:
        """Decode the records at ``missed`` into ``out`` (at once where the store offers ``decode_many``:
        SQLite reads their text only now) and keep them."""
        txn, entries = ctx.txn, self._entries
        decode_many = getattr(txn, "decode_many", None)
        wanted = [raws[at] for at in missed]
        records = decode_many(wanted) if decode_many is not None else [txn.decode(raw) for raw in wanted]
        for at, raw, record in zip(missed, wanted, records):
            id = ids[at]
            if "_pending" in record:  # in flight: settled (and written) as a read does, never kept
                out[at] = resources.get_many(ctx, kind, [id])[0]
                continue
            with self._lock:
                entry = entries.get((kind, id))
                if entry is not None:  # (changed since: replaced)
                    self._by_record.pop(builtins_id(entry.record), None)
                elif len(entries) >= self.limit:
                    oldest = entries.pop(next(iter(entries)))
                    self._by_record.pop(builtins_id(oldest.record), None)
                entries[(kind, id)] = self._by_record[builtins_id(record)] = Entry(raw, record)
            out[at] = record

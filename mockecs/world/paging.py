"""Pagination (spec §1.8): PageNumber/PageSize, and opaque NextToken/MaxResults tokens."""
from __future__ import annotations

import hashlib
import heapq
import re
from itertools import islice
from operator import itemgetter
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, TypeVar

from mockecs.state.store import Term, count_soon, page_soon
from mockecs.wire.errors import error_kind
from mockecs.wire.params import I
from mockecs.world import resources
from mockecs.world.context import Context

T = TypeVar("T")
BAD_TOKEN = error_kind("Invalid.NextToken", "The specified NextToken is not valid.", 403)
_TOKEN = re.compile(r"[0-9a-f]{32}")
# PageNumber/PageSize as most Describe* operations declare them (default 1/10, at most 100 a page).
PAGE_NUMBER = I("PageNumber", default=1, min=1)
PAGE_SIZE = I("PageSize", default=10, min=1, max=100)
# PageNumber where the API metadata declares an int32: a larger number is refused, not read as an empty page.
PAGE_NUMBER_INT32 = I("PageNumber", default=1, min=1, max=2**31 - 1)


def token(offset: int) -> str:
    """An opaque 32-hex token (like the documented examples); the digest makes forged offsets invalid."""
    head = f"{offset:08x}"
    return head + hashlib.sha256(f"mockecs-page:{head}".encode()).hexdigest()[:24]


def offset(next_token: Optional[str], total: Optional[int] = None) -> int:
    """Where a page starts: 0 without a token; ``Invalid.NextToken`` for a token we did not issue."""
    if not next_token:
        return 0
    if not _TOKEN.fullmatch(next_token) or token(int(next_token[:8], 16)) != next_token:
        raise BAD_TOKEN
    start = int(next_token[:8], 16)
    if total is not None and start > total:
        raise BAD_TOKEN
    return start


def by_token(items: Sequence[T], size: int, next_token: Optional[str]) -> tuple[Sequence[T], str]:
    """One page of ``items`` and the token of the next one (``""`` on the last page)."""
    start = offset(next_token, len(items))
    end = start + size
    return items[start:end], token(end) if end < len(items) else ""


def by_number(items: Sequence[T], page_number: int, page_size: int) -> Sequence[T]:
    """Page ``page_number`` (from 1); a page past the end is empty."""
    start = (page_number - 1) * page_size
    return items[start:start + page_size]


def bounds(page_number: int, page_size: int, next_token: Optional[str], max_results: Optional[int],
           total: int) -> tuple[int, int, dict]:
    """Where a page starts, its size and the paging fields of the answer (spec §1.8):
    ``NextToken``/``MaxResults`` mode when either is sent (``TotalCount`` still given), else
    ``PageNumber``/``PageSize``."""
    if next_token or max_results is not None:
        size = max_results or 10
        start = offset(next_token, total)
        return start, size, {"TotalCount": total, "NextToken": token(start + size) if start + size < total else "",
                             "PageSize": size}
    return (page_number - 1) * page_size, page_size, {
        "TotalCount": total, "PageNumber": page_number, "PageSize": page_size, "NextToken": ""}


_KEY_ID = itemgetter(0, 1)


PAGE_AHEAD = 500  # entries a listing reads ahead at most (deeper pages are read when asked for)


class Ordered:
    """A listing answered from ordered index terms: ``total`` from the terms' counts, :meth:`page`
    from their ordered indexes, records read only for the page (whatever the store's size).

    ``terms`` are disjoint index terms of ``kind`` whose union is the listing; ``exclude`` maps some of
    them to terms of records they leave out (subsets, e.g. the caller's own community images, listed
    as theirs instead); ``extra`` are lists of
    ``(key, id, record)`` from outside the store (the catalog), already in the listing's order and
    counted whole; ``settle`` are listing terms (:data:`resources.SCOPES`) whose transitions in flight
    are settled first, so that status terms are current; ``read`` reads the page's records by id
    (:func:`resources.get_many` by default: copies callers may change).
    """

    def __init__(self, ctx: Context, kind: str, terms: Sequence[Term], newest_first: bool = False,
                 exclude: Optional[Mapping[Term, Sequence[Term]]] = None, extra: Sequence[Sequence[tuple]] = (),
                 settle: Sequence[Term] = (), want: int = 0,
                 read: Callable[[Context, str, list[str]], list] = resources.get_many) -> None:
        txn = ctx.txn
        # Read with settling's first read, on a networked store: the counts, and (``want``: the end of
        # the page about to be asked for) each term's entries up to it.
        count_soon(txn, kind, terms)
        if 0 < want <= PAGE_AHEAD and hasattr(txn, "page_ahead"):  # (a store that reads ahead)
            for term in terms:
                if term not in (exclude or {}):
                    page_soon(txn, kind, term, 0, want, newest_first)
        for scope in settle:
            resources.settle_pending(ctx, kind, scope)
        self.ctx, self.kind, self.terms, self.newest_first, self.extra = ctx, kind, terms, newest_first, extra
        self.read = read
        self.excluded = {term: set().union(*(txn.ids(kind, t) for t in left_out))
                         for term, left_out in (exclude or {}).items()}
        self.total = (sum(txn.counts(kind, terms)) - sum(map(len, self.excluded.values())) + sum(map(len, extra)))

    def page(self, start: int, limit: int, about_to: Optional[Callable[[list[str]], None]] = None) -> \
            list[Mapping[str, Any]]:
        """The records from ``start``; ``about_to(ids)`` is told the page's ids before they are read
        (to hint what else the caller reads about them: :func:`mockecs.state.store.count_soon`)."""
        ctx, kind = self.ctx, self.kind
        chosen = self.chosen(start, limit)
        if not self.extra:  # the store's records only (the usual page): read as they come
            ids = [e[1] for e in chosen]
            if about_to is not None:
                about_to(ids)
            return [r for r in self.read(ctx, kind, ids) if r is not None]
        if about_to is not None:
            about_to([e[1] for e in chosen])
        ids = [e[1] for e in chosen if len(e) == 2]
        if not ids:  # catalog images only
            return [e[2] for e in chosen]
        stored = iter(self.read(ctx, kind, ids))
        # (None: deleted by another process since the page was read, on a store whose reads are
        # not validated: left out, as the next page will be without it)
        return [r for r in (e[2] if len(e) > 2 else next(stored) for e in chosen) if r is not None]

    def chosen(self, start: int, limit: int) -> Sequence[tuple]:
        """The page's index entries from ``start``: ``(key, id)`` of a stored record, ``(key, id, record)``
        of one from ``extra``."""
        ctx, kind = self.ctx, self.kind
        if start >= self.total:  # a page past the end is empty (a PageNumber of any size: no read, no overflow)
            return []
        want = start + limit
        streams: list[Sequence[tuple]] = []
        for term in self.terms:
            excluded = self.excluded.get(term)
            entries = ctx.txn.page(kind, term, 0, want + len(excluded or ()), self.newest_first)
            streams.append([e for e in entries if e[1] not in excluded] if excluded else entries)
        streams.extend(self.extra)
        streams = [s for s in streams if s]
        if len(streams) == 1:
            return streams[0][start:want]
        return list(islice(heapq.merge(*streams, key=_KEY_ID, reverse=self.newest_first), start, want))


PAGING_ARGS = frozenset({"ctx", "page_number", "page_size", "next_token", "max_results"})


def unfiltered(args: Mapping[str, Any]) -> bool:
    """Whether a Describe* handler's arguments (its ``locals()`` on entry) name nothing beyond paging:
    the case :func:`ordered_page` answers from the index (a False flag is a filter; an empty list is not)."""
    return all(value is None or (value.__class__ in (str, list, dict, tuple) and not value)
               for name, value in args.items() if name not in PAGING_ARGS)


def ordered_page(ctx: Context, kind: str, term: Term, page_number: int, page_size: int,
                 next_token: Optional[str], max_results: Optional[int],
                 newest_first: bool = False) -> tuple[list[Mapping[str, Any]], dict]:
    """One page of the records under a listing term (in the kind's order, see
    :data:`resources.ORDER`) and the answer's paging fields, as :func:`bounds`."""
    listing = Ordered(ctx, kind, [term], newest_first, settle=[term],
                      want=page_number * page_size if next_token is None and max_results is None else 0)
    start, size, meta = bounds(page_number, page_size, next_token, max_results, listing.total)
    return listing.page(start, size), meta


def by_creation(ctx: Context, kind: str, unfiltered: bool, found: Callable[[], Iterable[Mapping[str, Any]]],
                page_number: int, page_size: int) -> tuple[list[Mapping[str, Any]], int]:
    """A page of a Describe* answer in creation order (``_created``, then id) and its TotalCount: without a filter
    (``unfiltered``), from the kind's ordered index (its ORDER must be creation order) of the caller's records here;
    else of the records ``found()`` returns (the filtered candidates the caller's index terms gave)."""
    if unfiltered:
        page, meta = ordered_page(ctx, kind, resources.owner_region(ctx.account, ctx.region), page_number, page_size,
                                  None, None)
        return page, meta["TotalCount"]
    id_field = resources.ID_FIELD.get(kind, "_id")  # (a kind of the engine's own: its records' "_id")
    records = sorted(found(), key=lambda r: (r["_created"], r[id_field]))
    return list(by_number(records, page_number, page_size)), len(records)

"""The state store interface and its in-memory implementation.

A store holds JSON-serialisable records by ``kind`` and ``id``, plus index *terms*
(``("owner", "1234567890123456")``, ``("tag", "env=prod")`` ...) computed by the model
layer, so lookups by owner, name, family or tag never scan everything. All access goes
through :meth:`Store.transaction`: the changes of one operation apply all or nothing.

Records handed out are treated as immutable: handlers write new dicts with ``put``.
The read-only preloaded catalog is *not* in the store (see :mod:`mockecs.world.catalog`),
so a reset costs the same whatever the catalog's size.
"""
from __future__ import annotations

import json
import random
import threading
import time
from bisect import bisect_left
from itertools import count as counter
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Protocol, TypeVar, Union

Term = tuple[str, str]
Entry = tuple[str, str]  # (sort key, id): one record's place in every ordered term index
Found = tuple[str, str, str]  # (sort key, id, text): a record found by Transaction.search

# A term named "<name>~" is a *text term*: its value is "<scope>\0<text>" (see text_term). It is a term
# like any other (``ids`` finds the records with exactly that text), and the store also indexes the text's
# trigrams under (kind, name, scope), so ``search`` finds the texts containing a fragment without reading
# the scope's records.
TEXT = "~"


def text_term(name: str, scope: str, text: str) -> Term:
    """The text term ``name`` of a record: ``text`` searchable by substring among the records of ``scope``
    (one per record for a name and scope)."""
    return (name + TEXT, f"{scope}\0{text}")


def split_text(term: Term) -> Optional[tuple[str, str, str]]:
    """(name with its "~", scope, text) of a text term; None for other terms."""
    name, value = term
    if not name.endswith(TEXT):
        return None
    scope, _, text = value.partition("\0")
    return name, scope, text


def grams(text: str) -> set[str]:
    """The postings a text is indexed under: its trigrams, and "" (every text of the scope, searched for
    fragments shorter than 3 characters)."""
    return {text[i:i + 3] for i in range(len(text) - 2)} | {""}


def fragment_grams(fragment: str) -> list[str]:
    """The postings every text containing ``fragment`` is under (each is a superset of the answer)."""
    found = sorted({fragment[i:i + 3] for i in range(len(fragment) - 2)})
    return found or [""]


# A term whose name starts with this is ordered by record id alone, whatever the record's sort key
# (a listing in id order over records that have another order of their own).
BY_ID = "@"


def entry_key(name: str, key: str) -> str:
    """The sort key a record has in term ``name``'s index."""
    return "" if name[:1] == BY_ID else key


class Conflict(Exception):
    """A shared store aborted a transaction because another process changed what it read; nothing of
    it was applied, and running it again is safe (the engine does, a bounded number of times)."""


T = TypeVar("T")
ATTEMPTS = 200  # a transaction conflicting this often means something is wrong, not busy


def may_conflict(store: Any) -> bool:
    """Whether ``store`` may answer :class:`Conflict` (a transaction to run again); a store that never does
    says so with ``conflicts = False``. Unknown stores are taken to."""
    return getattr(store, "conflicts", True)


def run(store: Any, work: Callable[[Any], T], attempts: int = ATTEMPTS) -> T:
    """``work(txn)`` in one transaction of ``store``, run again (after a short random pause) while a
    shared store answers :class:`Conflict`; its writes apply once, all or nothing."""
    for attempt in range(attempts):
        try:
            with store.transaction() as txn:
                return work(txn)
        except Conflict:
            if attempt + 1 >= attempts:
                raise
            time.sleep(random.random() * min(0.02, 0.0005 * (attempt + 1)))
    raise AssertionError("unreachable")


def read_soon(txn: Any, kind: str, id: str, then: Callable[[Optional[Mapping[str, Any]]], None]) -> None:
    """``then(record)``: at once, or, on a store whose transactions offer ``read_ahead`` (Redis), with the
    transaction's next round trip (at the latest before it commits). ``then`` may raise: the read that
    carries it fails, so nothing read after it is written."""
    ahead = getattr(txn, "read_ahead", None)
    if ahead is None:
        then(txn.get(kind, id))
    else:
        ahead(kind, id, then)


def flush(txn: Any) -> None:
    """Make the reads :func:`read_soon` left for the next round trip now (their ``then`` may raise)."""
    ahead = getattr(txn, "flush_ahead", None)
    if ahead is not None:
        ahead()


def prefetch(txn: Any, kind: str, ids: Iterable[str]) -> None:
    """A hint: the transaction is about to read these records (a networked store reads them with its
    next round trip)."""
    ahead = getattr(txn, "prefetch", None)
    if ahead is not None:
        ahead(kind, ids)


def page_soon(txn: Any, kind: str, term: Term, offset: int, limit: int, newest_first: bool = False) -> None:
    """A hint: the transaction is about to read this page (a networked store reads it with its next
    round trip)."""
    ahead = getattr(txn, "page_ahead", None)
    if ahead is not None:
        ahead(kind, term, offset, limit, newest_first)


def fresh(txn: Any, kind: str, id: str) -> None:
    """A hint: ``id`` was just made (random), nothing is stored under it (a networked store writes it
    without reading it first)."""
    hint = getattr(txn, "fresh", None)
    if hint is not None:
        hint(kind, id)


def count_soon(txn: Any, kind: str, terms: Iterable[Term]) -> None:
    """A hint: the transaction is about to count these terms (a networked store reads them with its next
    round trip)."""
    ahead = getattr(txn, "count_ahead", None)
    if ahead is not None:
        ahead(kind, terms)


def generation(txn: Any, kind: str) -> Any:
    """A value that changes whenever a record of ``kind`` is written (None: the store cannot tell), to
    keep what was derived from many of its records (a page's usage counts) as long as it holds."""
    of = getattr(txn, "generation", None)
    return of(kind) if of is not None else None


def written_since(txn: Any, kind: str, generation: Any) -> Optional[set[str]]:
    """The ids of ``kind`` written since its :func:`generation` was ``generation`` (None: the store cannot
    tell, or not that far back). Asked only after :func:`generation` in the same transaction."""
    of = getattr(txn, "written_since", None)
    return of(kind, generation) if of is not None else None


def generation_soon(txn: Any, kind: str, since: bool = False) -> None:
    """A hint: the transaction is about to ask for ``kind``'s :func:`generation` (a networked store reads it
    with its next round trip, before any count hinted), and with ``since`` for :func:`written_since` too."""
    ahead = (getattr(txn, "written_since_ahead", None) if since else None) or getattr(txn, "generation_ahead", None)
    if ahead is not None:
        ahead(kind)


def expect_reads(txn: Any) -> None:
    """A hint, given before the transaction reads anything: it will most likely only read (a describe).
    A networked store may then read without preparing for writes, and prepare if one comes after all
    (the Redis store watches what was read then, and checks that it still holds)."""
    expect = getattr(txn, "expect_reads", None)
    if expect is not None:
        expect()


class Transaction(Protocol):
    def get(self, kind: str, id: str) -> Optional[Mapping[str, Any]]: ...
    def put(self, kind: str, id: str, record: dict, terms: Iterable[Term] = (), key: str = "") -> None: ...
    def delete(self, kind: str, id: str) -> None: ...
    def ids(self, kind: str, term: Term) -> set[str]: ...
    def page(self, kind: str, term: Term, offset: int, limit: int,
             newest_first: bool = False) -> list[Entry]: ...  # (key, id) pairs, ascending or descending
    def scan(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]: ...
    def count(self, kind: str, term: Optional[Term] = None) -> int: ...
    # (key, id, text) of the records whose text term ``name`` in ``scope`` contains ``fragment`` (case-
    # sensitive, as Python's ``in``), ascending by (key, id): found from the fragment's trigram postings
    # (the scope's every text below 3 characters), each text checked; no record is read.
    def search(self, kind: str, name: str, scope: str, fragment: str) -> list[Found]: ...
    # Batches of the above, for a page: one round trip to a networked store instead of one per record.
    def get_many(self, kind: str, ids: Iterable[str]) -> list[Optional[Mapping[str, Any]]]: ...
    def counts(self, kind: str, terms: Iterable[Term]) -> list[int]: ...
    # Optional (see mockecs.world.cache): records in the store's own stored form, and that form decoded.
    # A raw form stands for one content: the very same object (``is``) or, for ``str``/``bytes``/``int``,
    # an equal value means the same record, so what callers derive from a record can be kept by its raw
    # form and is stale as soon as a write (in this process or another) stores a new one. A raw form may
    # be a token rather than the content (SQLite: the record's version, never used again): ``decode`` then
    # reads the content, in the transaction that had the token; ``decode_many`` (optional too) decodes
    # several at once.
    def raw_many(self, kind: str, ids: Iterable[str]) -> list[Any]: ...
    def decode(self, raw: Any) -> dict: ...
    def decode_many(self, raws: list[Any]) -> list[dict]: ...
    # Optional (see :func:`generation`): a value that changes whenever a record of ``kind`` is written.
    def generation(self, kind: str) -> Any: ...
    # Optional (see :func:`written_since`): the ids of ``kind`` written since its generation was ``generation``.
    def written_since(self, kind: str, generation: Any) -> Optional[set[str]]: ...


class Store(Protocol):
    """What an engine needs from a state store (see ``plugins/mockecs-sqlite`` for another)."""

    def transaction(self) -> Any: ...  # context manager yielding a Transaction
    def reset(self) -> None: ...
    def snapshot(self) -> Any: ...
    def restore(self, snapshot: Any) -> None: ...
    def export(self) -> dict: ...
    def import_(self, data: dict) -> None: ...
    def close(self) -> None: ...


def check_exported(data: Any, where: str = "store") -> None:
    """Raise ValueError naming the first malformed part of an :meth:`Store.export` dump, before
    anything is written (a refused import must leave the store as it was)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{where} must be an object {{kind: {{id: {{record, terms}}}}}}")
    for kind, recs in data.items():
        if not isinstance(recs, Mapping):
            raise ValueError(f"{where}.{kind} must be an object {{id: {{record, terms}}}}")
        for id, item in recs.items():
            at = f"{where}.{kind}.{id}"
            if not isinstance(item, Mapping) or not isinstance(item.get("record"), Mapping):
                raise ValueError(f"{at} must be an object with a 'record' object")
            terms = item.get("terms", ())
            if not isinstance(terms, (list, tuple)) or not all(
                    isinstance(t, (list, tuple)) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in terms):
                raise ValueError(f"{at}.terms must be a list of [name, value] string pairs")


def put_exported(txn: Transaction, data: Mapping[str, Mapping[str, Any]]) -> None:
    """Write an :meth:`Store.export` dump (``{kind: {id: {"record", "terms"[, "key"]}}}``) through ``txn``."""
    for kind, recs in data.items():
        for id, item in recs.items():
            txn.put(kind, id, item["record"], [tuple(t) for t in item.get("terms", ())], item.get("key") or "")


class Dumps:
    """``import_``, ``snapshot`` and ``restore`` of a store whose snapshot is its export (SQLite, Redis):
    a restore is a reset and an import, in one transaction where the store can hold both."""

    def import_(self, data: dict) -> None:
        with self.transaction() as txn:  # type: ignore[attr-defined]
            put_exported(txn, data)

    def snapshot(self) -> Any:
        return self.export()  # type: ignore[attr-defined]

    def restore(self, snapshot: Any) -> None:
        with self.transaction():  # type: ignore[attr-defined]
            self.reset()  # type: ignore[attr-defined]
            self.import_(snapshot)


def exported(record: Any, terms: Iterable[Any], key: str) -> dict:
    """One record of an export dump (the sort key only when there is one)."""
    item = {"record": record, "terms": [list(t) for t in terms]}
    if key:
        item["key"] = key
    return item


def window(size: int, offset: int, limit: int, newest_first: bool) -> tuple[int, int]:
    """The slice ``[start, end)`` of an ascending sequence of ``size`` holding one page."""
    if newest_first:
        return max(0, size - offset - limit), max(0, size - offset)
    return min(size, offset), min(size, offset + limit)


Packed = tuple  # (field names, values): a record as the memory store keeps it
TRIM_AFTER = 10_000  # records: a reset of a store at least this large hands freed heap pages back


def trim_heap() -> None:
    """glibc keeps the heap pages freed records held, for reuse; a long-running server that resets a large
    store should give them back to the system (a no-op where there is no ``malloc_trim``)."""
    import ctypes  # (~2 ms to import: only here, when a large store is reset)

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # (no glibc; Windows has no CDLL(None))
        return
    trim(0)


# Generations (see :func:`generation`) of the memory stores in this process: never handed out twice.
_GENERATIONS = counter(1)
_UNPACKED = 2048  # records the memory store keeps unpacked (the last ones read), as long as they are unchanged
_SMALL = 96  # nested values whose JSON is at most this long are shared between records (interned)


class _Dict(tuple):
    """A nested dict, packed like a record: (shape, values)."""

    __slots__ = ()


class _Diff(tuple):
    """A record's values as (position, value, ...) pairs where they differ from its shape's template."""

    __slots__ = ()


_CONTAINERS = frozenset({dict, list, tuple, _Dict})


def _packed_at(values: Iterable[Any]) -> tuple[int, ...]:
    """Positions holding packed values (a nested dict, a list of them): the ones :func:`_unpack` opens."""
    return tuple(at for at, value in enumerate(values) if value.__class__ is _Dict or (
        value.__class__ is list and value and value[0].__class__ is _Dict))


def _unpack(shape: tuple, values: tuple) -> dict:
    names, template, packed_at = shape
    if values.__class__ is _Diff:  # only the fields that differ from the shape's first record
        full = list(template)
        changed = values[::2]
        for at, value in zip(changed, values[1::2]):
            full[at] = value
        look = packed_at + changed  # (the template's packed positions and the record's own values only)
    else:
        full = list(values)
        look = packed_at if values is template else range(len(full))
    for at in look:
        value = full[at]
        cls = value.__class__
        if cls is _Dict:
            full[at] = _unpack(*value)
        elif cls is list and value and value[0].__class__ is _Dict:
            full[at] = [_unpack(*v) if v.__class__ is _Dict else v for v in value]
    return dict(zip(names, full))


class MemoryStore:
    """Dicts behind one re-entrant lock; an undo log makes each transaction atomic.

    Each term's index is a sorted list of ``(key, id)`` entries (of ids alone for a term named
    :data:`BY_ID`); a record's one entry tuple is shared by all its terms (a list slot per term, no
    per-term copies), and its terms are the index's own key tuples. Records are kept packed: one
    shared tuple of field names per shape, a tuple of values per record, small nested values
    (``{"SecureBootSupport": "unsupported"}``, empty tag lists ...) shared by every record that has
    them; :meth:`Transaction.get` unpacks a fresh dict."""

    conflicts = False  # one transaction at a time, behind the lock: none is ever run again

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.reset()

    # -- whole-store operations -----------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            held = sum(map(len, getattr(self, "_records", {}).values()))
            self._records: dict[str, dict[str, Packed]] = {}
            # kind -> id -> (index keys (kind, name, value), entry) (per kind: no (kind, id) tuple per record)
            self._terms: dict[str, dict[str, tuple[tuple[tuple[str, str, str], ...], Entry]]] = {}
            # (a term's entries: a list, or a 1-tuple while it has one record)
            self._index: dict[tuple[str, str, str], Union[list[Entry], tuple[Entry]]] = {}
            self._keys: dict[tuple[str, str, str], tuple[str, str, str]] = {}  # each index key once
            # Text terms: (kind, name, scope, gram) -> sorted (id, the term's value "<scope>\0<text>"), one
            # tuple per record shared by its postings (the value is the index key's own string: no copy).
            self._grams: dict[tuple[str, str, str, str], list[tuple[str, str]]] = {}
            # names -> (names, template, positions of packed values in the template)
            self._shapes: dict[tuple[str, ...], tuple[tuple[str, ...], tuple, tuple[int, ...]]] = {}
            self._small: dict[str, Any] = {}  # JSON text -> the one shared value
            # names -> the one packed nested dict holding its shape's template values (see _nested)
            self._plain: dict[tuple[str, ...], _Dict] = {}
            # id() of a packed record -> (it, it unpacked): used while the record is that very packed object
            # (a write stores a new one), so nothing has to drop it. Shared by get (which hands out copies)
            # and decode (the engine's record cache, read-only): a record is unpacked once for both.
            self._unpacked: dict[int, tuple[Packed, dict]] = {}
            self._new_generations()
        if held >= TRIM_AFTER:  # (the old records are freed by now: nothing else refers to them)
            trim_heap()

    def _new_generations(self) -> None:
        # kind -> its generation; kinds not written since: the store's (new after a reset or a restore)
        self._generations: dict[str, int] = {}
        self._generation = next(_GENERATIONS)
        # Changes with every write of any kind (and a reset or restore): an answer computed while it held still
        # holds (the engine's answer memo). Never the same value twice, in any store of the process.
        self.written = self._generation

    def unpacked(self, packed: Packed) -> dict:
        """A packed record unpacked: shared and read-only (``dict()`` of it for a copy callers may change;
        its nested values are shared either way, as records handed out are never changed)."""
        at = id(packed)
        hit = self._unpacked.get(at)
        if hit is not None and hit[0] is packed:
            return hit[1]
        record = _unpack(*packed)
        if len(self._unpacked) >= _UNPACKED:
            del self._unpacked[next(iter(self._unpacked))]  # the oldest
        self._unpacked[at] = (packed, record)
        return record

    def pack(self, record: Mapping[str, Any]) -> Packed:
        names = tuple(record)
        small = self._small
        values = []
        for value in record.values():
            if value.__class__ is dict or value.__class__ is list:
                text = json.dumps(value, separators=(",", ":"), default=str)
                if len(text) <= _SMALL:
                    value = small.setdefault(text, value) if len(small) < 100_000 else small.get(text, value)
                elif value.__class__ is dict:
                    value = self._nested(value)
                elif value and value[0].__class__ is dict:  # a list of dicts (disk mappings ...)
                    value = [self._nested(v) if v.__class__ is dict else v for v in value]
            values.append(value)
        shape = self._shapes.get(names)
        if shape is None:  # the first record of a shape gives the template its later records are told from
            shape = self._shapes[names] = (names, tuple(values), _packed_at(values))
            return shape, shape[1]
        # Containers count as the template's only when they are its very object (small ones are shared by
        # their JSON text): == would take [{"k": 0}] for [{"k": False}].
        diff = [x for at, (value, usual) in enumerate(zip(values, shape[1])) if value is not usual
                and (value.__class__ is not usual.__class__ or value.__class__ in _CONTAINERS or value != usual)
                for x in (at, value)]
        return shape, (_Diff(diff) if len(diff) < len(values) else tuple(values))

    def _nested(self, value: dict) -> _Dict:
        """A nested dict packed; one shared object for every one equal to its shape's template (a larger
        constant such as an image's ``Features``), so that records holding it store nothing of their own."""
        shape, values = self.pack(value)
        if values is shape[1] or (values.__class__ is _Diff and not values):
            plain = self._plain.get(shape[0])
            if plain is None:
                plain = self._plain[shape[0]] = _Dict((shape, shape[1]))
            return plain
        return _Dict((shape, values))

    def snapshot(self) -> Any:
        with self._lock:
            return (
                {k: dict(v) for k, v in self._records.items() if v},
                {k: dict(v) for k, v in self._terms.items()},
                {k: list(v) for k, v in self._index.items()},
                dict(self._keys),
                {k: list(v) for k, v in self._grams.items()},
            )

    def restore(self, snapshot: Any) -> None:
        records, terms, index, keys, grams = snapshot
        with self._lock:
            self._records = {k: dict(v) for k, v in records.items()}
            self._terms = {k: dict(v) for k, v in terms.items()}
            self._index = {k: list(v) for k, v in index.items()}
            self._keys = dict(keys)
            self._grams = {k: list(v) for k, v in grams.items()}
            self._unpacked = {}
            self._new_generations()

    def export(self) -> dict:
        with self._lock:
            out = {}
            for kind, recs in self._records.items():
                if recs:
                    out[kind] = {}
                    for id, packed in recs.items():
                        keys, (key, _) = self._terms.get(kind, {}).get(id, ((), ("", id)))
                        out[kind][id] = exported(_unpack(*packed), [k[1:] for k in keys], key)
            return out

    def import_(self, data: dict) -> None:
        with self.transaction() as txn:
            put_exported(txn, data)

    def close(self) -> None:
        pass

    def transaction(self) -> _MemoryTransaction:
        """``with store.transaction() as txn:`` holds the lock; an exception rolls every write back."""
        return _MemoryTransaction(self)


class _MemoryTransaction:
    # A plain class, not @contextmanager: this runs on every request, and a generator costs more.
    __slots__ = ("store", "undo")

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.undo: list[tuple[str, str, Optional[Packed], tuple[Term, ...], str]] = []

    def __enter__(self) -> _MemoryTransaction:
        self.store._lock.acquire()
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        try:
            if kind is not None:
                self.rollback()
        finally:
            self.store._lock.release()

    def get(self, kind: str, id: str) -> Optional[Mapping[str, Any]]:
        recs = self.store._records.get(kind)
        packed = recs.get(id) if recs else None
        return dict(self.store.unpacked(packed)) if packed is not None else None

    def put(self, kind: str, id: str, record: dict, terms: Iterable[Term] = (), key: str = "") -> None:
        self._write(kind, id, self.store.pack(record), tuple(terms), key)

    def delete(self, kind: str, id: str) -> None:
        recs = self.store._records.get(kind)
        if recs and id in recs:
            self._write(kind, id, None, (), "")

    def _write(self, kind: str, id: str, packed: Optional[Packed], terms: tuple[Term, ...], key: str,
               log: bool = True) -> None:
        store = self.store
        store._generations[kind] = store.written = next(_GENERATIONS)
        recs = store._records.setdefault(kind, {})
        of_kind = store._terms.setdefault(kind, {})
        old_keys, old_entry = of_kind.get(id) or ((), ("", id))
        if log:
            self.undo.append((kind, id, recs.get(id), tuple(k[1:] for k in old_keys), old_entry[0]))
        index = store._index
        by_key = (key, id)
        # The terms a rewrite keeps, with the record's place in them unchanged (most rewrites: a status, a tag or a
        # name changes, the sort key does not), stay as they are: taking the entry out of a term of 100,000 records
        # and putting it back moves the list twice, which made a write cost more in a larger store.
        kept: set = set()
        if packed is not None and old_keys:
            same_place, had = old_entry == by_key, set(old_keys)
            for name, value in terms:
                index_key = (kind, name, value)
                if (same_place or name[:1] == BY_ID) and index_key in had:
                    kept.add(index_key)
        retexts: dict[tuple[str, str], tuple[str, str, str]] = {}
        for index_key in old_keys:
            if index_key in kept:
                continue
            entries = index.get(index_key)
            if entries is not None:
                wanted = old_entry if index_key[1][:1] != BY_ID else id
                at = bisect_left(entries, wanted)
                if at < len(entries) and entries[at] == wanted:
                    if entries.__class__ is tuple:  # (a term only this record had)
                        entries = ()
                    else:
                        del entries[at]
                if not entries:
                    del index[index_key]
                    store._keys.pop(index_key, None)
            if index_key[1][-1:] == TEXT:
                # (taken out of its postings below: by the new text of the same name and scope where there is one)
                retexts[(index_key[1], index_key[2].partition("\0")[0])] = index_key
        if packed is None:
            for index_key in retexts.values():
                self._text(kind, id, index_key, remove=True)
            recs.pop(id, None)
            of_kind.pop(id, None)
            return
        recs[id] = packed
        canonical = store._keys
        keys = []
        for name, value in terms:
            index_key = (kind, name, value)
            if name[-1:] != TEXT:  # (a text term is most often the record's own: nothing to share)
                index_key = canonical.setdefault(index_key, index_key)
            if index_key in kept:  # (in place already; a term given twice goes on below, and is indexed once)
                kept.discard(index_key)
                keys.append(index_key)
                continue
            keys.append(index_key)
            entry: Any = by_key if name[:1] != BY_ID else id  # (a list of ids: ordered by id alone)
            entries = index.get(index_key)
            if entries is None:
                # A term's first record: a 1-tuple (48 bytes, where a list takes two blocks, 80): most terms of a
                # record are its own (its name, snapshot ...) and never get a second record.
                index[index_key] = (entry,)
            elif entries[-1] == entry:  # (a term given twice indexes the record once)
                keys.pop()
                continue
            else:
                if entries.__class__ is tuple:  # (a second record: a list from now on)
                    entries = index[index_key] = list(entries)
                if entries[-1] < entry:  # the usual case: a new record sorts last
                    entries.append(entry)
                else:
                    at = bisect_left(entries, entry)
                    if entries[at] != entry:
                        entries.insert(at, entry)
                    else:
                        keys.pop()
                        continue
            if name[-1:] == TEXT:
                before = retexts.pop((name, value.partition("\0")[0]), None)
                if before is not None:
                    self._retext(kind, id, before, index_key)
                else:
                    self._text(kind, id, index_key, remove=False)
        for index_key in retexts.values():
            self._text(kind, id, index_key, remove=True)
        of_kind[id] = (tuple(keys), by_key)

    def _text(self, kind: str, id: str, index_key: tuple[str, str, str], remove: bool) -> None:
        """Add a record's text term to the postings of its text's trigrams (and the scope's ""), or take it out."""
        _, name, value = index_key
        scope, _, text = value.partition("\0")
        entry = (id, value)  # one tuple per record, in each of its postings
        postings = self.store._grams
        for gram in grams(text):
            at_key = (kind, name, scope, gram)
            entries = postings.get(at_key)
            if entries is None:
                if not remove:
                    postings[at_key] = [entry]
                continue
            at = bisect_left(entries, entry)
            present = at < len(entries) and entries[at] == entry
            if remove:
                if present:
                    del entries[at]
                    if not entries:
                        del postings[at_key]
            elif not present:
                entries.insert(at, entry)

    def _retext(self, kind: str, id: str, old_key: tuple[str, str, str], new_key: tuple[str, str, str]) -> None:
        """A record's text of one name and scope changed (a rename): its entry changes in place in the postings both
        texts share, "" (every text of the scope) among them, rather than leaving a list of the whole scope and
        joining it again (which moved the list twice: a rename cost more in a larger store)."""
        _, name, old_value = old_key
        new_value = new_key[2]
        scope, _, old_text = old_value.partition("\0")
        new_text = new_value.partition("\0")[2]
        old_entry, new_entry = (id, old_value), (id, new_value)
        postings = self.store._grams
        old_grams, new_grams = grams(old_text), grams(new_text)
        for gram in old_grams - new_grams:
            entries = postings.get((kind, name, scope, gram))
            if entries is not None:
                at = bisect_left(entries, old_entry)
                if at < len(entries) and entries[at] == old_entry:
                    del entries[at]
                    if not entries:
                        del postings[(kind, name, scope, gram)]
        for gram in new_grams:
            at_key = (kind, name, scope, gram)
            entries = postings.get(at_key)
            if entries is None:
                postings[at_key] = [new_entry]
                continue
            if gram in old_grams:
                at = bisect_left(entries, old_entry)
                if at < len(entries) and entries[at] == old_entry:
                    # (entries sort by id first, and a record has one text of a name and scope: the new one takes
                    # the old one's place; checked against its neighbours all the same)
                    if (at == 0 or entries[at - 1] < new_entry) and \
                            (at + 1 == len(entries) or new_entry < entries[at + 1]):
                        entries[at] = new_entry
                        continue
                    del entries[at]
            at = bisect_left(entries, new_entry)
            if not (at < len(entries) and entries[at] == new_entry):
                entries.insert(at, new_entry)

    def rollback(self) -> None:
        for kind, id, record, terms, key in reversed(self.undo):
            self._write(kind, id, record, terms, key, log=False)
        self.undo.clear()

    def ids(self, kind: str, term: Term) -> set[str]:
        entries = self.store._index.get((kind, term[0], term[1]), ())
        return set(entries) if term[0][:1] == BY_ID else {id for _, id in entries}

    def page(self, kind: str, term: Term, offset: int, limit: int, newest_first: bool = False) -> list[Entry]:
        entries = self.store._index.get((kind, term[0], term[1]))
        if not entries:
            return []
        start, end = window(len(entries), offset, limit, newest_first)
        found = list(entries[start:end]) if entries.__class__ is tuple else entries[start:end]
        if newest_first:
            found.reverse()
        return [("", id) for id in found] if term[0][:1] == BY_ID else found

    def scan(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        return iter([(id, _unpack(*packed)) for id, packed in self.store._records.get(kind, {}).items()])

    def count(self, kind: str, term: Optional[Term] = None) -> int:
        if term is None:
            return len(self.store._records.get(kind, ()))
        return len(self.store._index.get((kind, term[0], term[1]), ()))

    def search(self, kind: str, name: str, scope: str, fragment: str) -> list[Found]:
        # Every text containing the fragment is under each of its trigrams: the rarest posting, each
        # text checked, is the intersection with the false positives gone (and costs less than probing).
        store = self.store
        name += TEXT
        postings = store._grams
        rarest: list[tuple[str, str]] = []
        for gram in fragment_grams(fragment):
            entries = postings.get((kind, name, scope, gram))
            if not entries:
                return []
            if not rarest or len(entries) < len(rarest):
                rarest = entries
        start = len(scope) + 1  # the text, after "<scope>\0" (the same scope for every entry here)
        found = [entry for entry in rarest if entry[1].find(fragment, start) >= 0]
        terms = store._terms[kind]
        return sorted([(terms[id][1][0], id, value[start:]) for id, value in found])

    def get_many(self, kind: str, ids: Iterable[str]) -> list[Optional[Mapping[str, Any]]]:
        recs = self.store._records.get(kind) or {}
        unpacked = self.store.unpacked
        return [dict(unpacked(packed)) if packed is not None else None for id, packed in
                ((id, recs.get(id)) for id in ids)]

    def counts(self, kind: str, terms: Iterable[Term]) -> list[int]:
        index = self.store._index
        return [len(index.get((kind, name, value), ())) for name, value in terms]

    def raw_many(self, kind: str, ids: Iterable[str]) -> list[Optional[Packed]]:
        # The packed tuples themselves: a write stores a new one, so identity stands for the content.
        recs = self.store._records.get(kind) or {}
        return list(map(recs.get, ids))

    def generation(self, kind: str) -> int:
        store = self.store
        return store._generations.get(kind, store._generation)

    def decode(self, raw: Packed) -> dict:
        return self.store.unpacked(raw)  # (read-only: the record cache's)

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

import threading
from typing import Any, Iterable, Iterator, Mapping, Optional, Protocol

Term = tuple[str, str]


class Transaction(Protocol):
    def get(self, kind: str, id: str) -> Optional[Mapping[str, Any]]: ...
    def put(self, kind: str, id: str, record: dict, terms: Iterable[Term] = ()) -> None: ...
    def delete(self, kind: str, id: str) -> None: ...
    def ids(self, kind: str, term: Term) -> set[str]: ...
    def scan(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]: ...
    def count(self, kind: str, term: Optional[Term] = None) -> int: ...


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
    """Write an :meth:`Store.export` dump (``{kind: {id: {"record", "terms"}}}``) through ``txn``."""
    for kind, recs in data.items():
        for id, item in recs.items():
            txn.put(kind, id, item["record"], [tuple(t) for t in item.get("terms", ())])


class MemoryStore:
    """Dicts behind one re-entrant lock; an undo log makes each transaction atomic."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.reset()

    # -- whole-store operations -----------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self._records: dict[str, dict[str, dict]] = {}
            self._terms: dict[tuple[str, str], tuple[Term, ...]] = {}
            self._index: dict[tuple[str, str, str], set[str]] = {}

    def snapshot(self) -> Any:
        with self._lock:
            return (
                {k: dict(v) for k, v in self._records.items()},
                dict(self._terms),
                {k: set(v) for k, v in self._index.items()},
            )

    def restore(self, snapshot: Any) -> None:
        records, terms, index = snapshot
        with self._lock:
            self._records = {k: dict(v) for k, v in records.items()}
            self._terms = dict(terms)
            self._index = {k: set(v) for k, v in index.items()}

    def export(self) -> dict:
        with self._lock:
            return {
                kind: {id: {"record": rec, "terms": [list(t) for t in self._terms.get((kind, id), ())]}
                       for id, rec in recs.items()}
                for kind, recs in self._records.items()
            }

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
        self.undo: list[tuple[str, str, Optional[dict], tuple[Term, ...]]] = []

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
        return recs.get(id) if recs else None

    def put(self, kind: str, id: str, record: dict, terms: Iterable[Term] = ()) -> None:
        self._write(kind, id, record, tuple(terms))

    def delete(self, kind: str, id: str) -> None:
        if self.get(kind, id) is not None:
            self._write(kind, id, None, ())

    def _write(self, kind: str, id: str, record: Optional[dict], terms: tuple[Term, ...], log: bool = True) -> None:
        store = self.store
        recs = store._records.setdefault(kind, {})
        old_terms = store._terms.get((kind, id), ())
        if log:
            self.undo.append((kind, id, recs.get(id), old_terms))
        index = store._index
        for name, value in old_terms:
            ids = index.get((kind, name, value))
            if ids is not None:
                ids.discard(id)
                if not ids:
                    del index[(kind, name, value)]
        if record is None:
            recs.pop(id, None)
            store._terms.pop((kind, id), None)
            return
        recs[id] = record
        store._terms[(kind, id)] = terms
        for name, value in terms:
            index.setdefault((kind, name, value), set()).add(id)

    def rollback(self) -> None:
        for kind, id, record, terms in reversed(self.undo):
            self._write(kind, id, record, terms, log=False)
        self.undo.clear()

    def ids(self, kind: str, term: Term) -> set[str]:
        return set(self.store._index.get((kind, term[0], term[1]), ()))

    def scan(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        return iter(list(self.store._records.get(kind, {}).items()))

    def count(self, kind: str, term: Optional[Term] = None) -> int:
        if term is None:
            return len(self.store._records.get(kind, ()))
        return len(self.store._index.get((kind, term[0], term[1]), ()))

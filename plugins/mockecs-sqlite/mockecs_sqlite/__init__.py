"""A mockecs state store in SQLite (``sqlite:///path.db``; ``sqlite://`` is an in-memory database).

Records are JSON text in ``records``, a rowid table: its rowid ``v`` is the record's version, a new one
with every write (``AUTOINCREMENT``: a committed one is never used again), and the unique index
``records_by_id (kind, id)``, whose entries carry the rowid, tells each record's version without reading
the record; the connection also remembers the versions it read or wrote, while ``PRAGMA data_version``
says no other connection committed since (checked once per transaction). Index terms live in
``terms (kind, name, value, id, skey)``, whose primary key is the lookup index; ``terms_ordered (kind, name,
value, skey, id)`` answers ordered pages (``ORDER BY skey, id LIMIT``) without reading a record, and
``term_counts`` keeps each term's size (SQLite's ``COUNT(*)`` would walk the whole range). Text terms
(``mockecs.state.store.text_term``) also have a row per trigram in ``grams`` (with the text, so a search
checks it without reading the record) and their sizes in ``gram_counts``. One connection behind a
re-entrant lock serves all threads; every transaction is ``BEGIN IMMEDIATE ... COMMIT`` (``ROLLBACK`` on
an exception, ``SAVEPOINT`` when nested), in WAL mode with ``synchronous=FULL``: an acknowledged write
survives ``kill -9``.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from itertools import count as counter
from typing import Any, Iterable, Iterator, Mapping, Optional

from mockecs.state.hookspecs import hookimpl
from mockecs.state.store import (
    BY_ID,
    TEXT,
    Dumps,
    Entry,
    Found,
    Term,
    entry_key,
    exported,
    fragment_grams,
    grams,
    split_text,
)

__all__ = ["SqliteStore", "plugin"]
__version__ = "0.1.0"
MMAP_SIZE = 1 << 31  # bytes of the file read through a memory map (SQLite caps it at its build's maximum)
DECODED = 2048  # records kept decoded (the last ones read), used while the record's version is the same
# A rolled-back transaction gives its versions back (SQLite rolls the sequence back too): another write may
# then store other content under a version this process has seen. So the versions this process hands out
# (raw forms) carry an epoch, which every rollback of a transaction that wrote records moves on.
EPOCH = 1 << 40  # (versions stay below it: 10^12 writes; epochs wrap after 2^22 such rollbacks)
# Generations of kinds (``_SqliteTransaction.generation``) in this process: never handed out twice.
_GENERATIONS = counter(1)
VERSIONS = 16384  # records' versions known per kind (the last ones read or written)
PAGES = 256  # index pages kept (see ``_SqliteTransaction.page``)
TERM_GENERATIONS = 65536  # terms whose last change a connection remembers (see ``_SqliteTransaction.page``)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (v INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL,
                                    skey TEXT NOT NULL DEFAULT '', terms TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terms (kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL,
                                  skey TEXT NOT NULL DEFAULT '', PRIMARY KEY (kind, name, value, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS term_counts (kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
                                        n INTEGER NOT NULL, PRIMARY KEY (kind, name, value)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS grams (kind TEXT NOT NULL, name TEXT NOT NULL, scope TEXT NOT NULL, gram TEXT NOT NULL,
                                  skey TEXT NOT NULL, id TEXT NOT NULL, text TEXT NOT NULL,
                                  PRIMARY KEY (kind, name, scope, gram, skey, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gram_counts (kind TEXT NOT NULL, name TEXT NOT NULL, scope TEXT NOT NULL,
                                        gram TEXT NOT NULL, n INTEGER NOT NULL,
                                        PRIMARY KEY (kind, name, scope, gram)) WITHOUT ROWID;
"""
# Files written before sort keys existed gain the column (every record then sorts by id alone).
_MIGRATE = ("ALTER TABLE records ADD COLUMN skey TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE terms ADD COLUMN skey TEXT NOT NULL DEFAULT ''")
# Files of schema 2 or older keep records in a WITHOUT ROWID table, whose every b-tree page (interior ones too)
# holds whole rows: ~1.5 KB records put a handful of keys on a page, a lookup went 8 levels deep (~3 µs a record
# at 100,000 images; 855 MB for them). They are copied into the rowid table, each record given a version.
_REBUILD = ("ALTER TABLE records RENAME TO records_old", _SCHEMA.split(";")[0],
            "INSERT INTO records (kind, id, skey, terms, data) SELECT kind, id, skey, terms, data FROM records_old "
            "ORDER BY kind, id", "DROP TABLE records_old")
# PRAGMA user_version of a file of this schema (files before it: 0; 1: sort keys, 2: the substring index,
# 3: records in a rowid table, versioned).
SCHEMA_VERSION = 3
_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS records_by_id ON records (kind, id);
CREATE INDEX IF NOT EXISTS terms_by_record ON terms (kind, id);
CREATE INDEX IF NOT EXISTS terms_ordered ON terms (kind, name, value, skey, id);
"""


def path_of(url: str) -> Optional[str]:
    """``sqlite:///rel.db`` -> ``rel.db``, ``sqlite:////abs.db`` -> ``/abs.db``, ``sqlite://`` -> ``:memory:``."""
    if url in ("sqlite://", "sqlite::memory:"):  # (sqlite:///:memory: falls under the rule below)
        return ":memory:"
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    return None


class SqliteStore(Dumps):
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.shared = path != ":memory:"  # a file other processes may open: engines keep their state here
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        # A record (JSON ~1.5 KB) does not fit a 4 KB page of a WITHOUT ROWID table: each one is a leaf cell
        # plus an overflow page, scattered over the file. Read through the page cache (2 MB by default) a
        # page of 100 records at 100,000 images cost 1.9x the same page at 1,000 (two pread()s per record);
        # mapped, the file's pages are read in place (1.1x, and faster at every size).
        self._conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
        if self._conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            self._migrate()
        self._txn = _SqliteTransaction(self._conn)  # holds only the connection: one serves every scope

    def _migrate(self) -> None:
        """Bring a file of an older schema (or a new one) to :data:`SCHEMA_VERSION`, in one transaction.
        (Its records' sort keys and newer terms are the model's: the engine writes them again, see
        ``mockecs.world.resources.reindex``.)"""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                conn.execute(statement)
            for table, statement in zip(("records", "terms"), _MIGRATE):
                if "skey" not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
                    conn.execute(statement)
                    conn.execute("DELETE FROM term_counts")
                    conn.execute("INSERT INTO term_counts SELECT kind, name, value, COUNT(*) FROM terms "
                                 "GROUP BY kind, name, value")
            if "v" not in {row[1] for row in conn.execute("PRAGMA table_info(records)")}:
                for statement in _REBUILD:
                    conn.execute(statement)
            for statement in filter(None, (s.strip() for s in _INDEXES.split(";"))):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def transaction(self) -> _Scope:
        """``with store.transaction() as txn:`` holds the lock; an exception rolls every write back."""
        return _Scope(self)

    def _undo(self, depth: int) -> None:
        txn = self._txn
        if txn.wrote:  # (its versions may come again, with other content: none seen so far stands for one)
            txn.epoch = (txn.epoch + EPOCH) % (EPOCH << 22)
            txn.decoded.clear()
            txn.versions.clear()
        if depth == 0:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        else:
            self._conn.execute(f"ROLLBACK TO s{depth}")
            self._conn.execute(f"RELEASE s{depth}")

    def reset(self) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM records")
            self._conn.execute("DELETE FROM terms")
            self._conn.execute("DELETE FROM term_counts")
            self._conn.execute("DELETE FROM grams")
            self._conn.execute("DELETE FROM gram_counts")
            self._txn.decoded.clear()  # (only memory: versions are never used again anyway)
            self._txn.versions.clear()
            self._txn.generations.clear()
            self._txn.term_generations.clear()
            self._txn.generation_base = next(_GENERATIONS)

    def export(self) -> dict:
        out: dict[str, dict] = {}
        with self.transaction():
            rows = self._conn.execute("SELECT kind, id, data, terms, skey FROM records ORDER BY 1, 2")
            for kind, id, data, terms, key in rows:
                out.setdefault(kind, {})[id] = exported(json.loads(data), json.loads(terms), key)
        return out

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _Scope:
    # A plain class, not @contextmanager: this runs on every request, and a generator costs more.
    __slots__ = ("store", "depth")

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.depth = 0

    def __enter__(self) -> _SqliteTransaction:
        store = self.store
        store._lock.acquire()
        try:
            depth = self.depth = store._depth
            store._conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT s{depth}")
            if depth == 0:
                store._txn.wrote = store._txn.checked = False
        except BaseException:
            store._lock.release()
            raise
        store._depth = depth + 1
        return store._txn

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        store, depth = self.store, self.depth
        try:
            if kind is None:
                try:
                    store._conn.execute("COMMIT" if depth == 0 else f"RELEASE s{depth}")
                except BaseException:
                    store._undo(depth)
                    raise
            else:
                store._undo(depth)
        finally:
            store._depth = depth
            store._lock.release()


class _SqliteTransaction:
    __slots__ = ("conn", "decoded", "wrote", "epoch", "versions", "checked", "data_version", "generations",
                 "generation_base", "pages", "term_generations")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.wrote = False  # whether this transaction wrote a record (took a version)
        self.epoch = 0  # a multiple of EPOCH, added to the versions handed out (see EPOCH)
        # kind -> id -> version of the records this connection read or wrote, as the file holds them while
        # no other connection commits (PRAGMA data_version: checked once per transaction, as ``checked``
        # says; none can commit during one, BEGIN IMMEDIATE holds the file's write lock).
        self.versions: dict[str, dict[str, int]] = {}
        self.checked = False
        self.data_version = conn.execute("PRAGMA data_version").fetchone()[0]
        # version -> record: a record read again is decoded again only if it was written since (its version
        # is read with it: right whichever process wrote it).
        self.decoded: dict[int, dict] = {}
        # kind -> a number taken at this connection's last write of the kind (see ``generation``)
        self.generations: dict[str, int] = {}
        self.generation_base = next(_GENERATIONS)
        self.pages: dict[tuple, tuple[Any, list[Entry]]] = {}  # the last pages read (see ``page``)
        # (kind, name, value) -> a number taken at this connection's last change of the term's entries: a page
        # of a term is kept while no entry of it changed (a renamed image leaves its listing's pages alone)
        self.term_generations: dict[tuple[str, str, str], int] = {}

    def _record(self, version: int, data: str) -> dict:
        """The record stored as ``data``, a fresh dict (its nested values shared: records are never changed)."""
        return dict(self._decoded(version, data))

    def _decoded(self, version: int, data: Optional[str]) -> dict:
        """The record of ``version`` (stored as ``data``), decoded once: shared and read-only (get hands out
        copies of it, the engine's record cache the record itself)."""
        hit = self.decoded.get(version)
        if hit is not None:
            return hit
        record = json.loads(data)  # type: ignore[arg-type]
        if len(self.decoded) >= DECODED:
            del self.decoded[next(iter(self.decoded))]  # the oldest
        self.decoded[version] = record
        return record

    def get(self, kind: str, id: str) -> Optional[Mapping[str, Any]]:
        row = self.conn.execute("SELECT v, data FROM records WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return self._record(*row) if row else None

    def put(self, kind: str, id: str, record: dict, terms: Iterable[Term] = (), key: str = "") -> None:
        terms = list(dict.fromkeys((str(name), str(value)) for name, value in terms))
        old_terms, old_key = self._old(kind, id)
        # (REPLACE deletes the old row: the new one has a new version, even for the same record)
        self.wrote = True
        version = self.conn.execute(
            "INSERT OR REPLACE INTO records (kind, id, skey, terms, data) VALUES (?, ?, ?, ?, ?)",
            (kind, id, key, json.dumps(terms), json.dumps(record, separators=(",", ":")))).lastrowid
        self._known(kind)[id] = version
        self.generations[kind] = next(_GENERATIONS)
        kept = set(terms) & old_terms  # rows that stay as they are
        if key != old_key:
            kept = {t for t in kept if t[0][:1] == BY_ID}
        self._unindex(kind, id, old_terms - kept, old_key or "")
        added = [t for t in terms if t not in kept]
        self._changed(kind, (old_terms - kept).union(added))
        self.conn.executemany("INSERT INTO terms VALUES (?, ?, ?, ?, ?)",
                              [(kind, name, value, id, entry_key(name, key)) for name, value in added])
        self.conn.executemany("INSERT INTO term_counts VALUES (?, ?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1",
                              [(kind, name, value) for name, value in added])
        rows = self._gram_rows(kind, id, key, added)
        if rows:
            self.conn.executemany("INSERT INTO grams VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self.conn.executemany("INSERT INTO gram_counts VALUES (?, ?, ?, ?, 1) "
                                  "ON CONFLICT DO UPDATE SET n = n + 1", [row[:4] for row in rows])

    def delete(self, kind: str, id: str) -> None:
        old_terms, old_key = self._old(kind, id)
        self.conn.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, id))
        self._known(kind).pop(id, None)
        self.generations[kind] = next(_GENERATIONS)
        self.wrote = True  # (a rollback moves the epoch on: the generation taken here no longer holds)
        self._changed(kind, old_terms)
        self._unindex(kind, id, old_terms, old_key or "")

    def _changed(self, kind: str, terms: Iterable[Term]) -> None:
        """These terms' entries changed: their pages kept are no longer read."""
        changed = self.term_generations
        if len(changed) >= TERM_GENERATIONS:  # (bounded: all forgotten at once, every page kept with them)
            changed.clear()
            self.generation_base = next(_GENERATIONS)
        number = next(_GENERATIONS)
        changed.update(((kind, name, value), number) for name, value in terms)

    @staticmethod
    def _gram_rows(kind: str, id: str, key: str, terms: Iterable[Term]) -> list[tuple]:
        rows = []
        for term in terms:
            text_term = split_text(term)
            if text_term is not None:
                name, scope, text = text_term
                rows.extend((kind, name, scope, gram, key, id, text) for gram in grams(text))
        return rows

    def _old(self, kind: str, id: str) -> tuple[set[Term], Optional[str]]:
        row = self.conn.execute("SELECT terms, skey FROM records WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return ({tuple(t) for t in json.loads(row[0])}, row[1]) if row else (set(), None)  # type: ignore[misc]

    def _unindex(self, kind: str, id: str, terms: set[Term], key: str) -> None:
        rows = [(kind, name, value, id) for name, value in terms]
        self.conn.executemany("DELETE FROM terms WHERE kind = ? AND name = ? AND value = ? AND id = ?", rows)
        self.conn.executemany("UPDATE term_counts SET n = n - 1 WHERE kind = ? AND name = ? AND value = ?",
                              [row[:3] for row in rows])
        gram_rows = self._gram_rows(kind, id, key, terms)
        if gram_rows:
            self.conn.executemany("DELETE FROM grams WHERE kind = ? AND name = ? AND scope = ? AND gram = ? "
                                  "AND skey = ? AND id = ?", [row[:6] for row in gram_rows])
            self.conn.executemany("UPDATE gram_counts SET n = n - 1 WHERE kind = ? AND name = ? AND scope = ? "
                                  "AND gram = ?", [row[:4] for row in gram_rows])

    def search(self, kind: str, name: str, scope: str, fragment: str) -> list[Found]:
        name += TEXT
        wanted = fragment_grams(fragment)
        gram = wanted[0]
        if len(wanted) > 1:  # the rarest of the fragment's trigrams; none if one is absent
            sizes = self.conn.execute(
                f"SELECT n, gram FROM gram_counts WHERE kind = ? AND name = ? AND scope = ? AND n > 0 "
                f"AND gram IN ({', '.join('?' * len(wanted))})", (kind, name, scope, *wanted)).fetchall()
            if len(sizes) < len(wanted):
                return []
            gram = min(sizes)[1]
        # instr() keeps only the texts holding the fragment (the posting's rows carry their text): SQLite
        # checks them, Python's ``in`` has the last word.
        rows = self.conn.execute("SELECT skey, id, text FROM grams WHERE kind = ? AND name = ? AND scope = ? "
                                 "AND gram = ? AND instr(text, ?) > 0 ORDER BY skey, id",
                                 (kind, name, scope, gram, fragment))
        return [row for row in rows if fragment in row[2]]

    def ids(self, kind: str, term: Term) -> set[str]:
        rows = self.conn.execute("SELECT id FROM terms WHERE kind = ? AND name = ? AND value = ?", (kind, *term))
        return {row[0] for row in rows}

    def page(self, kind: str, term: Term, offset: int, limit: int, newest_first: bool = False) -> list[Entry]:
        # Kept while no entry of the term changed since (by this connection; by any other: data_version, for
        # every term alike; rolled back: the epoch): a page asked again is not read again (about 0.3 us a
        # row). Read-only: the same list is handed out again.
        key = (kind, term, offset, limit, newest_first)
        self._check()
        generation = (self.data_version, self.epoch,
                      self.term_generations.get((kind, *term), self.generation_base))  # type: ignore[arg-type]
        hit = self.pages.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        order = "DESC" if newest_first else "ASC"
        rows = self.conn.execute(f"SELECT skey, id FROM terms WHERE kind = ? AND name = ? AND value = ? "
                                 f"ORDER BY skey {order}, id {order} LIMIT ? OFFSET ?",
                                 (kind, *term, limit, offset)).fetchall()  # (rows are tuples)
        if len(self.pages) >= PAGES:
            del self.pages[next(iter(self.pages))]  # the oldest
        self.pages[key] = (generation, rows)
        return rows

    def get_many(self, kind: str, ids: Iterable[str]) -> list[Optional[Mapping[str, Any]]]:
        ids = list(ids)
        found = {id: row for id, *row in self._chunks(ids, "SELECT id, v, data FROM records WHERE kind = ? AND id IN",
                                                      kind)}
        return [self._record(*found[id]) if id in found else None for id in ids]

    def _chunks(self, keys: list, query: str, *before: Any) -> list[tuple]:
        """The rows of ``query ({keys})``, one statement per 500 keys (SQLite's limit on parameters)."""
        rows: list[tuple] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows += self.conn.execute(f"{query} ({', '.join('?' * len(chunk))})", (*before, *chunk)).fetchall()
        return rows

    def _check(self) -> None:
        """Forget the versions known if another connection committed since (once per transaction)."""
        if not self.checked:
            self.checked = True
            data_version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if data_version != self.data_version:
                self.data_version = data_version
                self.versions.clear()

    def generation(self, kind: str) -> tuple[int, int, int]:
        # Changes with every write of ``kind`` by this connection, with any commit by another connection
        # (data_version: of every kind alike) and with a rollback of this one's writes (the epoch).
        self._check()
        return self.data_version, self.epoch, self.generations.get(kind, self.generation_base)

    def _known(self, kind: str) -> dict[str, int]:
        """The versions this connection knows of ``kind`` (all forgotten if another one committed since)."""
        self._check()
        known = self.versions.get(kind)
        if known is None:
            known = self.versions[kind] = {}
        elif len(known) >= VERSIONS:
            del known[next(iter(known))]  # the oldest
        return known

    def raw_many(self, kind: str, ids: Iterable[str]) -> list[Optional[int]]:
        # Each record's version (plus this process's epoch): an equal one is the same record, whichever
        # process wrote it. Known, or read from the index alone (its entries carry the rowid): no record is
        # read.
        ids = ids if ids.__class__ is list else list(ids)
        known = self._known(kind)
        versions = list(map(known.get, ids))
        if not all(versions):  # (one unknown: versions start at 1; a truth test is cheaper than == None)
            unknown = [id for id, v in zip(ids, versions) if v is None]
            found = dict(self._chunks(unknown, "SELECT id, v FROM records WHERE kind = ? AND id IN", kind))
            versions = [found.get(id) if v is None else v for id, v in zip(ids, versions)]
            if len(known) + len(found) > VERSIONS:
                known.clear()
            known.update(found)
        epoch = self.epoch
        return [v + epoch if v is not None else None for v in versions] if epoch else versions

    def decode(self, raw: int) -> dict:
        return self.decode_many([raw])[0]

    def decode_many(self, raws: list[int]) -> list[dict]:
        """The records of these versions (of this transaction's ``raw_many``), in one statement."""
        versions = [raw % EPOCH for raw in raws]
        missing = [v for v in versions if v not in self.decoded]  # (those get decoded already: not read)
        found = dict(self._chunks(missing, "SELECT v, data FROM records WHERE v IN")) if missing else {}
        return [self._decoded(v, found.get(v)) for v in versions]  # (a version no longer stored: TypeError)

    def counts(self, kind: str, terms: Iterable[Term]) -> list[int]:
        terms = [(str(name), str(value)) for name, value in terms]
        found: dict[Term, int] = {}
        for name in {name for name, _ in terms}:  # (most often one: a page's usage counts)
            rows = self._chunks([value for named, value in terms if named == name],
                                "SELECT value, n FROM term_counts WHERE kind = ? AND name = ? AND value IN", kind, name)
            found.update(((name, value), n) for value, n in rows)
        return [found.get(term, 0) for term in terms] if found else [0] * len(terms)

    def scan(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        rows = self.conn.execute("SELECT id, data FROM records WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return iter([(id, json.loads(data)) for id, data in rows])

    def count(self, kind: str, term: Optional[Term] = None) -> int:
        if term is None:
            return self.conn.execute("SELECT COUNT(*) FROM records WHERE kind = ?", (kind,)).fetchone()[0]
        row = self.conn.execute("SELECT n FROM term_counts WHERE kind = ? AND name = ? AND value = ?",
                                (kind, *term)).fetchone()
        return row[0] if row else 0


class SqliteStorePlugin:
    @hookimpl
    def mockecs_make_store(self, url: str) -> Optional[SqliteStore]:
        path = path_of(url)
        return SqliteStore(path) if path is not None else None


plugin = SqliteStorePlugin()

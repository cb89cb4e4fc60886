"""A mockecs state store on Redis (``redis://host:port/db[?prefix=name]``), shared by processes.

Layout under a prefix (default ``mockecs:``): ``r:<kind>:<id>`` holds one record as JSON
``[sort key, terms, record]``; ``i:<kind>:<name>:<value>`` is a term's sorted set, every member
``<sort key>\\0<id>`` at score 0, so Redis orders it like ``(key, id)`` (``ZRANGE`` by rank gives a
page, ``ZCARD`` a count); ``k:<kind>`` is the set of a kind's ids and ``kinds`` the set of kinds.
A text term (``mockecs.state.store.text_term``) also puts ``<sort key>\0<id>\0<text>`` in one set per
trigram of its text, ``g:<kind>:<name>\0<scope>\0<trigram>`` (and the scope's "" set): a search is one
``SINTER`` of the fragment's trigram sets, on the server.

Every write of a record also stores its *version* ``v:<kind>:<id>`` (64 random bits made by the writer, new
with every write, deleted with the record) and a new *generation* ``gen:<kind>`` of its kind (random too, one
per EXEC that writes the kind), in the same ``MULTI ... EXEC``. A record's raw form
(:meth:`mockecs.state.store.Transaction.raw_many`, what the engine's record cache keeps decoded records and
views by) is its version: a page of 100 records the cache holds reads 100 small values, and ``decode_many``
reads only the records it misses; a kind's generation (:func:`mockecs.state.store.generation`) tells that
no record of the kind was written since (a kept page's usage counts are not read again while no instance
is). The same EXEC pushes the new generation and the ids it wrote on the kind's write log ``log:<kind>`` (the
newest 16): a kept page whose images were not written since is answered after a write elsewhere without
reading its versions, and one whose images were reads only theirs. Stores written by a release without
versions need no migration: a record without a version stands
for itself by its JSON (as that release's raw form was) until its next write gives it one, and a kind
without a generation reads as "" until its next write. Every process sharing a store must run a release
with versions, though: an older one would rewrite a record and leave its version as it was.

Threads of one process take turns; a transaction reads through one connection under ``WATCH`` (sent
with the read: one round trip), keeps its writes in memory (reads see them) and commits them in one
``MULTI ... EXEC``. If another client changed a watched key, ``EXEC`` applies nothing and the
transaction raises :class:`mockecs.state.store.Conflict`; the engine runs the request again. A read-
only transaction reads committed data without a validation round trip (``?reads=serializable``
validates it too); one ending in an error validates (the error is answered only if what it was read
from still holds), so every write and every error comes from one consistent state. Nested transactions
are savepoints of the in-memory write set.

A transaction the engine expects to only read (describes and listings: ``expect_reads``) reads without
``WATCH`` (watching costs redis-server work per key, wasted when nothing is committed) and keeps what
each read answered. If it writes after all (a describe settling a transition in flight), it watches
what it read and reads it again in one round trip: anything changed is a :class:`Conflict` before any
write; from then on it is an ordinary transaction. An error, or ``reads=serializable``, is validated by
reading the same again.

Round trips are what a request costs here (each one wakes redis-server and the worker), so reads travel
together: ``read_ahead`` (a read whose answer a callback checks, such as the engine's shared-state stamp
or a ClientToken), ``count_ahead`` / ``page_ahead`` / ``prefetch`` / ``generation_ahead`` (hints: counts,
pages, records and generations the caller is about to read) ride the transaction's next round trip, and
hints never used are dropped; a record under an id just made (``fresh``) is written without being read
first.
"""
from __future__ import annotations

import json
import os
import threading
from operator import methodcaller
from sys import intern
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional
from urllib.parse import parse_qs, urlencode, urlsplit

try:  # (redis-py packs each argument in Python first: ~0.25 us each, 100 per page of versions)
    from hiredis import pack_command as _pack_command
except ImportError:  # pragma: no cover - hiredis is optional
    _pack_command = None

from mockecs.state.hookspecs import hookimpl
from mockecs.state.store import (
    TEXT,
    Conflict,
    Dumps,
    Entry,
    Found,
    Term,
    entry_key,
    exported,
    fragment_grams,
    grams,
    split_text,
    window,
)

__all__ = ["RedisStore", "plugin"]
__version__ = "0.1.0"
_SEP = "\0"
_LAST_SEP = methodcaller("rsplit", _SEP, 1)  # an index member -> [sort key, id]
# The cards of many sorted sets in one command (one reply to parse, not one per set: a page of 100 images
# counts 100 terms, their usage). Redis keeps the compiled script by its text's SHA1.
_CARDS = "local n = {} for i, key in ipairs(KEYS) do n[i] = redis.call('ZCARD', key) end return n"


def _cards(ikeys: list[str]) -> tuple:
    """The command counting these sorted sets (one: a ZCARD, ~0.4 us in redis-server; a script costs ~5 us
    more); its reply is one count or the list of them."""
    return ("ZCARD", ikeys[0]) if len(ikeys) == 1 else ("EVAL", _CARDS, len(ikeys), *ikeys)


def _counts(reply: Any) -> list[int]:
    """The counts a :func:`_cards` command answered."""
    return [int(reply)] if reply.__class__ is int else list(map(int, reply))
# raw_many reads the records themselves along with their versions for at most this many ids (a record read
# by id through the record cache: one round trip, hit or miss); for more, only the versions (a page: the
# records the record cache misses are read by decode_many).
_WITH_RECORDS = 4
DECODED = 16384  # records whose version this process decoded last (see RedisStore.decoded), at most
# A kind's write log (``log:<kind>``, see _RedisTransaction.written_since): its newest LOG entries, each naming
# at most LOG_IDS ids (a bigger write is logged as "too many": a page kept before it is read again).
LOG, LOG_IDS = 16, 32


def _packed(conn: Any, commands: Iterable[tuple]) -> Any:
    """``commands`` in Redis's protocol, for ``conn.send_packed_command`` (one buffer: one send)."""
    if _pack_command is None:
        return conn.pack_commands(commands)
    return [b"".join(map(_pack_command, commands))]


def token() -> str:
    """A record's version, or a kind's generation: 64 random bits (never the same twice, in any process)."""
    return os.urandom(8).hex()


def parse_url(url: str) -> Optional[tuple[str, str, bool]]:
    """``redis://host:port/db?prefix=p&reads=serializable`` -> (connection url, key prefix, whether
    read-only transactions are validated too); None for other schemes."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    prefix = (query.get("prefix") or ["mockecs"])[0] + ":"
    reads = (query.get("reads") or ["committed"])[0]
    if reads not in ("committed", "serializable"):
        raise ValueError(f"{url}: reads= is committed or serializable, not {reads!r}")
    rest = urlencode([(k, v) for k, vs in query.items() if k not in ("prefix", "reads") for v in vs])  # (db=...)
    if parts.scheme == "unix":  # (geturl() would write unix:/path, which redis-py refuses)
        return f"unix://{parts.path}{'?' + rest if rest else ''}", prefix, reads == "serializable"
    return parts._replace(query=rest).geturl(), prefix, reads == "serializable"


class RedisStore(Dumps):
    shared = True  # engines on it keep their clock, faults, lifecycle settings and accounts here too

    def __init__(self, url: str = "redis://127.0.0.1:6379/0", prefix: str = "mockecs:",
                 serializable_reads: bool = False) -> None:
        # redis-py (~50 ms to import, asyncio included) loads with the first Redis store: pluggy imports this
        # plugin for every engine, memory stores included, once it is installed.
        import redis

        self.url, self.prefix, self.serializable_reads = url, prefix, serializable_reads
        self.response_error = redis.ResponseError
        self.client = redis.Redis.from_url(url, decode_responses=True)
        self.pool = self.client.connection_pool
        self._local = threading.local()  # this thread's open transaction (nested ones join it)
        # Threads of one process take turns (as with the other stores): only other processes conflict,
        # and a busy process does not spend its time on transactions that abort each other.
        self._lock = threading.Lock()
        # Record key -> the version of it this process decoded last (for the engine's record cache): a page
        # reads the records not in here with their versions (the cache cannot hold them: read in the same
        # round trip), the others' versions only. A guess, never an answer: right or wrong, nothing but the
        # round trips change.
        self.decoded: dict[str, str] = {}

    # -- keys ---------------------------------------------------------------------------
    def rkey(self, kind: str, id: str) -> str:
        return f"{self.prefix}r:{kind}:{id}"

    def ikey(self, kind: str, term: Term) -> str:
        return f"{self.prefix}i:{kind}:{term[0]}:{term[1]}"

    def kkey(self, kind: str) -> str:
        return f"{self.prefix}k:{kind}"

    def vkey(self, kind: str, id: str) -> str:
        return f"{self.prefix}v:{kind}:{id}"

    def vkey_of(self, rkey: str) -> str:
        """The version key of a record key."""
        return f"{self.prefix}v:{rkey[len(self.prefix) + 2:]}"

    def genkey(self, kind: str) -> str:
        return f"{self.prefix}gen:{kind}"

    def logkey(self, kind: str) -> str:
        return f"{self.prefix}log:{kind}"

    def gkey(self, kind: str, name: str, scope: str, gram: str) -> str:
        return f"{self.prefix}g:{kind}:{name}{_SEP}{scope}{_SEP}{gram}"

    def gram_members(self, kind: str, id: str, value: Any) -> set[tuple[str, str]]:
        """(trigram set, member) pairs of a stored ``[key, terms, record]`` value's text terms."""
        out: set[tuple[str, str]] = set()
        if value is None:
            return out
        for term in value[1]:
            text_term = split_text(tuple(term))  # type: ignore[arg-type]
            if text_term is not None:
                name, scope, text = text_term
                member = f"{value[0]}{_SEP}{id}{_SEP}{text}"
                out.update((self.gkey(kind, name, scope, gram), member) for gram in grams(text))
        return out

    # -- whole-store operations ---------------------------------------------------------
    def transaction(self) -> _Scope:
        """``with store.transaction() as txn:`` all or nothing; :class:`Conflict` if another client
        changed what it read (nothing applied)."""
        return _Scope(self)

    def reset(self) -> None:
        # Every key under the prefix goes: transactions that read any of them then conflict.
        batch: list[str] = []
        for key in self.client.scan_iter(match=self.prefix + "*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                self.client.unlink(*batch)
                batch = []
        if batch:
            self.client.unlink(*batch)

    def export(self) -> dict:
        out: dict[str, dict] = {}
        for kind in sorted(self.client.smembers(self.prefix + "kinds")):
            ids = sorted(self.client.smembers(self.kkey(kind)))
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for id, raw in zip(chunk, self.client.mget([self.rkey(kind, i) for i in chunk])):
                    if raw is not None:
                        key, terms, record = json.loads(raw)
                        out.setdefault(kind, {})[id] = exported(record, terms, key)
        return out

    def restore(self, snapshot: Any) -> None:
        self.reset()  # (outside a transaction: a reset is not one)
        self.import_(snapshot)

    def close(self) -> None:
        self.pool.disconnect()


class _Scope:
    __slots__ = ("store", "txn", "saved")

    def __init__(self, store: RedisStore) -> None:
        self.store = store

    def __enter__(self) -> _RedisTransaction:
        local = self.store._local
        txn = getattr(local, "txn", None)
        if txn is None:
            self.store._lock.acquire()
            try:
                txn = local.txn = _RedisTransaction(self.store)
            except BaseException:
                self.store._lock.release()
                raise
            self.saved = None
        else:
            self.saved = txn.savepoint()
        self.txn = txn
        return txn

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        txn = self.txn
        if self.saved is not None:  # nested: roll back only its own writes
            if kind is not None:
                txn.rollback_to(self.saved)
            return
        self.store._local.txn = None
        try:
            if kind is None:
                txn.commit()
            elif not txn.abort() and not issubclass(kind, Conflict):
                # The error came from a state another client changed meanwhile (a name taken just now
                # by a request whose ClientToken this one shares ...): run it again on the new state.
                raise Conflict("another client changed what this transaction read") from exc
        finally:
            self.store._lock.release()


class _RedisTransaction:
    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self.conn = store.pool.get_connection()
        self.records: dict[str, Any] = {}  # record key -> [key, terms, record] or None, as read or written
        self.raws: dict[str, str] = {}  # record key -> its stored JSON, as read (decoded into ``records`` on use)
        # record key -> its raw form as stored (its version, or its JSON where it has none), read by raw_many
        self.forms: dict[str, str] = {}
        self.generations: dict[str, str] = {}  # kind -> its generation as read
        self.logs: dict[str, list[str]] = {}  # kind -> its write log as read (with the generation)
        self.written: dict[str, tuple[str, str]] = {}  # record key -> (kind, id) for the commit
        self.before: dict[str, Any] = {}  # record key -> its stored value when first written
        self.watched: set[str] = set()
        # Reads sent with the next round trip: (keys to watch, command, what to do with its reply,
        # whether it must be read before the commit); counts read that way, by index key.
        self.ahead: list[tuple[list[str], tuple, Callable[[Any], None], bool]] = []
        self.cards: dict[str, int] = {}
        self.counting: set[str] = set()  # index keys whose counts are read ahead (not read yet)
        self.ranges: dict[tuple, list[str]] = {}  # (index key, offset, limit, newest first) -> members
        # A transaction expected to only read (``expect_reads``) reads without WATCH (each watched key
        # costs redis-server work, wasted when nothing is committed) and logs (keys, commands, replies):
        # if it writes after all, or must validate, the log is read again (see _upgrade).
        self.lazy = False
        self.log: list[tuple[list[str], tuple, list]] = []

    # -- the wire ----------------------------------------------------------------------
    def _call(self, *commands: tuple) -> list:
        conn = self.conn
        prefix: list[tuple] = []
        if getattr(conn, "mockecs_watching", False):  # a read-only transaction left its WATCHes: dropped
            prefix.append(("UNWATCH",))              # in this same round trip
            conn.mockecs_watching = False
        ahead, self.ahead = self.ahead, []
        # The keys the reads ahead read, watched first in one command (one reply, not one per read).
        watch = [k for keys, _, _, _ in ahead for k in keys if k not in self.watched] if not self.lazy else []
        if watch:
            watch = list(dict.fromkeys(watch))
            self.watched.update(watch)
            prefix.append(("WATCH", *watch))
        at = []
        for _, command, _, _ in ahead:
            at.append(len(prefix))
            prefix.append(command)
        commands = (*prefix, *commands)
        conn.send_packed_command(_packed(conn, commands))
        out = []
        for _ in commands:
            try:
                out.append(conn.read_response())
            except self.store.response_error as err:  # EXEC's own errors and the like: keep reading
                out.append(err)
        if self.lazy:
            self.log.extend((keys, (command,), [out[i]]) for (keys, command, _, _), i in zip(ahead, at))
        for (_, _, then, _), i in zip(ahead, at):
            then(out[i])  # (may raise: the read that carried it fails)
        return out[len(prefix):]

    def expect_reads(self) -> None:
        """Hint (:func:`mockecs.state.store.expect_reads`): read without WATCH until a write comes."""
        if not self.watched and not self.written:
            self.lazy = True

    def _reads(self, keys: Iterable[str], *commands: tuple) -> list:
        """The replies of read ``commands`` of ``keys``, the keys watched first (in the same round trip);
        logged instead in a transaction expected to only read."""
        if self.lazy:
            replies = self._call(*commands)
            self.log.append((list(keys), commands, replies))
            return replies
        new = [k for k in dict.fromkeys(keys) if k not in self.watched]
        if new:
            self.watched.update(new)
            return self._call(("WATCH", *new), *commands)[1:]
        return self._call(*commands)

    def _reread(self, watch: bool) -> bool:
        """Read what the log read again (its keys watched first if ``watch``): whether every reply is
        the same. Ends the lazy reading: from now on reads are watched as they are made."""
        log, self.log, self.lazy = self.log, [], False
        if not log:
            return True
        keys = list(dict.fromkeys(k for keys, _, _ in log for k in keys))
        commands = [command for _, commands, _ in log for command in commands]
        if watch:
            self.watched.update(keys)
            replies = self._call(("WATCH", *keys), *commands)[1:]
        else:
            replies = self._call(*commands)
        return replies == [reply for _, _, replies in log for reply in replies]

    def _upgrade(self) -> None:
        """A transaction expected to only read writes after all: what it read is watched now, and must
        still be what it read (else :class:`Conflict`: the engine runs the request again)."""
        if not self._reread(watch=True):
            raise Conflict("another client changed what this transaction read")

    def read_ahead(self, kind: str, id: str, then: Callable[[Optional[Mapping[str, Any]]], None]) -> None:
        """Read a record with this transaction's next round trip (at the latest before it commits) and
        call ``then(record)``; an exception from ``then`` fails the read that carried it."""
        rkey = self.store.rkey(kind, id)
        if rkey in self.records or rkey in self.raws:
            value = self._stored(rkey)
            then(value[2] if value is not None else None)
            return

        def seen(raw: Optional[str]) -> None:
            value = json.loads(raw) if raw is not None else None
            if rkey not in self.written:
                self.records[rkey] = value
            then(value[2] if value is not None else None)

        self.ahead.append(([rkey], ("GET", rkey), seen, True))

    def prefetch(self, kind: str, ids: Iterable[str]) -> None:
        """Records this transaction is about to read: read with its next round trip, if it makes one."""
        for id in ids:
            rkey = self.store.rkey(kind, id)
            if rkey not in self.records and rkey not in self.raws:
                self.ahead.append(([rkey], ("GET", rkey), lambda raw, rkey=rkey: self._fetched(rkey, raw), False))

    def _fetched(self, rkey: str, raw: Optional[str]) -> None:
        if rkey not in self.records and rkey not in self.raws:  # (not written, nor read, since the hint)
            if raw is None:
                self.records[rkey] = None
            else:
                self.raws[rkey] = raw  # decoded when read (raw_many hands it out as read)

    def page_ahead(self, kind: str, term: Term, offset: int, limit: int, newest_first: bool = False) -> None:
        """A page this transaction is about to read: read with its next round trip, if it makes one."""
        ikey = self.store.ikey(kind, term)
        key = (ikey, offset, limit, newest_first)
        if limit > 0 and key not in self.ranges:
            command = ("ZRANGE", ikey, offset, offset + limit - 1) + (("REV",) if newest_first else ())
            self.ahead.append(([ikey], command, lambda found, key=key: self.ranges.__setitem__(key, found), False))

    def flush_ahead(self) -> None:
        """Send the reads left for the next round trip now, if one must be read (``read_ahead``)."""
        if any(a[3] for a in self.ahead):
            self._call()

    def count_ahead(self, kind: str, terms: Iterable[Term]) -> None:
        """Counts this transaction is about to ask for: read with its next round trip, if it makes one."""
        cards, counting = self.cards, self.counting
        ikeys = list(dict.fromkeys(k for k in (self.store.ikey(kind, term) for term in terms)
                                   if k not in cards and k not in counting))
        if ikeys:
            counting.update(ikeys)

            def found(reply: Any) -> None:
                cards.update(zip(ikeys, _counts(reply)))
                counting.difference_update(ikeys)

            self.ahead.append((ikeys, _cards(ikeys), found, False))

    def _watched_read(self, keys: Iterable[str], command: tuple) -> Any:
        """``command``'s answer, the keys it reads watched first (see :meth:`_reads`)."""
        return self._reads(keys, command)[0]

    # -- records -------------------------------------------------------------------------
    def _stored(self, rkey: str) -> Any:
        if rkey in self.records:
            return self.records[rkey]
        raw = self.raws[rkey] if rkey in self.raws else self._watched_read([rkey], ("GET", rkey))
        value = self.records[rkey] = json.loads(raw) if raw is not None else None
        return value

    def get(self, kind: str, id: str) -> Optional[Mapping[str, Any]]:
        value = self._stored(self.store.rkey(kind, id))
        return value[2] if value is not None else None

    def get_many(self, kind: str, ids: Iterable[str]) -> list[Optional[Mapping[str, Any]]]:
        rkeys = [self.store.rkey(kind, id) for id in ids]
        self._fetch(rkeys)
        return [value[2] if value is not None else None for value in map(self._stored, rkeys)]

    def _fetch(self, rkeys: list[str]) -> None:
        """Read (in one round trip, watched) the records of ``rkeys`` this transaction has not read yet."""
        missing = list(dict.fromkeys(k for k in rkeys if k not in self.records and k not in self.raws))
        if missing:
            for rkey, raw in zip(missing, self._watched_read(missing, ("MGET", *missing))):
                if raw is None:
                    self.records[rkey] = None
                else:
                    self.raws[rkey] = raw

    def raw_many(self, kind: str, ids: Iterable[str]) -> list[Any]:
        # Each record's version (``v:<kind>:<id>``: written with it, a new random one each time), so that a
        # page the record cache holds reads 100 small values, not 100 records; a record stored by a release
        # without versions stands for itself by its JSON. A record this transaction wrote, or read (``get``)
        # before asking, stands for itself (the very object: in this transaction only).
        records, forms, raws, written = self.records, self.forms, self.raws, self.written
        at = f"{self.store.prefix}r:{kind}:"
        rkeys = [at + id for id in ids]  # (= RedisStore.rkey)
        if not rkeys:
            return []
        if forms.keys().isdisjoint(rkeys) and records.keys().isdisjoint(rkeys) and raws.keys().isdisjoint(rkeys):
            self._forms(list(dict.fromkeys(rkeys)) if len(rkeys) > 1 else rkeys)  # (the usual page: none read)
        else:
            missing = [k for k in rkeys if k not in forms and k not in records and k not in raws]
            if missing:
                self._forms(list(dict.fromkeys(missing)))
        if not written or written.keys().isdisjoint(rkeys):
            try:
                return list(map(forms.__getitem__, rkeys))  # (the usual page: every one has a version)
            except KeyError:
                pass
        get = forms.get
        return [form if (form := get(k)) is not None and k not in written else
                records[k] if k in records else raws[k] for k in rkeys]

    def _forms(self, rkeys: list[str]) -> None:
        """Read the raw forms of records not read yet: their versions, in one MGET, with the records the
        record cache cannot hold (not decoded by this process: ``RedisStore.decoded``; all of a few, a
        record read by id: one round trip, hit or miss); the JSON of those without a version (stored by a
        release without versions) after, if not read with them."""
        store = self.store
        n, decoded, cut, at = len(rkeys), store.decoded, len(store.prefix) + 2, store.prefix + "v:"
        vkeys = [at + rkey[cut:] for rkey in rkeys]  # (= RedisStore.vkey_of)
        fetch = rkeys if n <= _WITH_RECORDS else [rkey for rkey in rkeys if rkey not in decoded]
        # Only the versions are watched: a record is never written without a new version (nor deleted
        # without its version); a record stored without one is watched itself (below).
        found = self._watched_read(vkeys, ("MGET", *vkeys, *fetch))
        forms, records, raws = self.forms, self.records, self.raws
        versions, texts = found[:n], dict(zip(fetch, found[n:]))
        if texts:  # (each read with its version: the record that version stands for)
            raws.update((rkey, text) for rkey, text in texts.items() if text is not None)
        if all(versions):  # (every one there: versions are never empty; all() is a truth test, not ==)
            # Interned: a version read again is the very string kept (a page compares its raw forms by
            # identity first, at C speed).
            forms.update(zip(rkeys, map(intern, versions)))
            return
        legacy = []
        for rkey, version in zip(rkeys, versions):
            if version is not None:
                forms[rkey] = version
            elif rkey not in texts:
                legacy.append(rkey)
            elif texts[rkey] is None:
                records[rkey] = None  # (no record: no version either)
            else:
                forms[rkey] = texts[rkey]
        if legacy:
            for rkey, text in zip(legacy, self._watched_read(legacy, ("MGET", *legacy))):
                if text is None:
                    records[rkey] = None
                else:
                    forms[rkey] = raws[rkey] = text

    def decode(self, raw: Any) -> dict:
        return self.decode_many([raw])[0]

    def decode_many(self, raws: list[Any]) -> list[dict]:
        """The records of these raw forms (of this transaction's ``raw_many``): the records of versions read
        in one MGET, those not read yet only.

        A version and its record are read in two round trips here: another client may write the record in
        between, so the record read may be newer than its version says (never older: both are written in one
        EXEC). The record cache then keeps the newer record under the older version, which no read ever
        answers again (a version is never stored twice): it is decoded again, never answered stale. A
        transaction that writes or validates reads both again (watched or logged, like every read)."""
        texts = self.raws
        wanted = {raw for raw in raws if raw.__class__ is str and raw[:1] != "["}  # (versions, not JSON)
        of = {form: rkey for rkey, form in self.forms.items() if form in wanted} if wanted else {}
        unread = [rkey for rkey in of.values() if rkey not in texts]
        if unread:
            # (watched by the versions read already: a record is never written without a new version)
            vkeys = list(map(self.store.vkey_of, unread))
            for rkey, text in zip(unread, self._watched_read(vkeys, ("MGET", *unread))):
                if text is None:  # (deleted since its version was read: the request runs again)
                    raise Conflict("another client deleted a record this transaction read")
                texts[rkey] = text
        if of:
            decoded = self.store.decoded
            if len(decoded) + len(of) > DECODED:
                decoded.clear()
            decoded.update((rkey, version) for version, rkey in of.items())
        out = []
        for raw in raws:
            if raw.__class__ is str:
                raw = json.loads(texts[of[raw]] if raw in of else raw)  # (a fresh record: the cache's own)
            out.append(raw[2])
        return out

    def generation_ahead(self, kind: str) -> None:
        """A hint: :meth:`generation` of ``kind`` is about to be asked (read with the next round trip, before
        any count read ahead: a generation must be read no later than the counts it is kept with)."""
        if kind not in self.generations and not any(a[1] == ("GET", self.store.genkey(kind)) for a in self.ahead):
            gkey = self.store.genkey(kind)
            self.ahead.insert(0, ([gkey], ("GET", gkey),
                                  lambda found: self.generations.setdefault(kind, found or ""), False))

    def written_since_ahead(self, kind: str) -> None:
        """A hint: :meth:`written_since` of ``kind`` is about to be asked: the kind's write log is read with its
        generation, right after it (a write in between then shows in the log, never the other way round)."""
        self.generation_ahead(kind)
        get = ("GET", self.store.genkey(kind))
        at = next((n for n, a in enumerate(self.ahead) if a[1] == get), None)
        if at is not None and kind not in self.logs:
            lkey = self.store.logkey(kind)
            self.ahead.insert(at + 1, ([lkey], ("LRANGE", lkey, 0, -1),
                                       lambda found: self.logs.setdefault(kind, found or []), False))

    def written_since(self, kind: str, generation: Optional[str]) -> Optional[set[str]]:
        """The ids of ``kind`` written since its generation was ``generation`` (None: cannot tell), from the
        write log read with the generation (``log:<kind>``: each EXEC that writes the kind pushes its new
        generation and the ids it wrote, the newest :data:`LOG` kept). The log must begin with the generation
        read (else something wrote the kind without logging, or wrote after the generation was read). Answered
        only when the log was read with the generation (:meth:`written_since_ahead`): reading it later would
        cost the round trip it saves."""
        log, current = self.logs.get(kind), self.generations.get(kind)
        if not generation or not log or current is None:
            return None
        ids: set[str] = set()
        for at, entry in enumerate(log):
            logged, written = json.loads(entry)
            if at == 0 and logged != current:
                return None
            if logged == generation:
                return ids
            if written is None:  # (a write of too many to list)
                return None
            ids.update(written)
        return None  # (older than the log)

    def generation(self, kind: str) -> Optional[str]:
        # ``gen:<kind>``: a new random value with every EXEC that writes the kind ("": none since the store
        # was reset, or it was written by a release without generations). None once this transaction wrote
        # the kind itself (what it counts then is its own).
        if any(k == kind for k, _ in self.written.values()):
            return None
        if kind not in self.generations:
            self.generation_ahead(kind)
            self._call()
        return self.generations[kind]

    def counts(self, kind: str, terms: Iterable[Term]) -> list[int]:
        terms = list(terms)
        plain = [t for t in terms if not any(self._delta(kind, t))]
        cards = self.cards
        if self.counting and any(self.store.ikey(kind, t) in self.counting for t in plain):
            self._call()  # (counts read ahead, not read yet: read now, not twice)
        known = {t: cards[k] for t in plain if (k := self.store.ikey(kind, t)) in cards}  # (read ahead)
        plain = [t for t in plain if t not in known]
        ikeys = [self.store.ikey(kind, t) for t in plain]
        replies = _counts(self._reads(ikeys, _cards(ikeys))[0]) if ikeys else []
        found = {**dict(zip(plain, replies)), **known}
        return [int(found[t]) if t in found else self.count(kind, t) for t in terms]

    def put(self, kind: str, id: str, record: dict, terms: Iterable[Term] = (), key: str = "") -> None:
        terms = list(dict.fromkeys((str(n), str(v)) for n, v in terms))
        self._write(kind, id, [key, terms, record])  # encoded at commit; records are never mutated

    def delete(self, kind: str, id: str) -> None:
        self._write(kind, id, None)

    def _write(self, kind: str, id: str, value: Any) -> None:
        if self.lazy:
            self._upgrade()
        rkey = self.store.rkey(kind, id)
        old = self._stored(rkey)
        if rkey not in self.before:
            self.before[rkey] = old
            self.written[rkey] = (kind, id)
        self.records[rkey] = value

    def fresh(self, kind: str, id: str) -> None:
        """``id`` was just made (random): nothing is stored under it, so writing it reads nothing first."""
        self.records.setdefault(self.store.rkey(kind, id), None)

    # -- index terms (the stored sorted set, plus this transaction's writes) ----------------
    def _delta(self, kind: str, term: Term) -> tuple[set[str], set[str]]:
        """Members this transaction adds to and removes from a term's sorted set."""
        added: set[str] = set()
        removed: set[str] = set()
        for rkey, (k, id) in self.written.items():
            if k != kind:
                continue
            old, new = self.before[rkey], self.records[rkey]
            old_m = (f"{entry_key(term[0], old[0])}{_SEP}{id}"
                     if old is not None and list(term) in [list(t) for t in old[1]] else None)
            new_m = (f"{entry_key(term[0], new[0])}{_SEP}{id}"
                     if new is not None and list(term) in [list(t) for t in new[1]] else None)
            if old_m != new_m:
                if old_m:
                    removed.add(old_m)
                    added.discard(old_m)
                if new_m:
                    added.add(new_m)
                    removed.discard(new_m)
        return added, removed

    def _members(self, kind: str, term: Term) -> Optional[list[str]]:
        """Every member of a term this transaction changed, in order; None if it changed nothing."""
        added, removed = self._delta(kind, term)
        if not added and not removed:
            return None
        ikey = self.store.ikey(kind, term)
        stored = self._watched_read([ikey], ("ZRANGE", ikey, 0, -1))
        return sorted((set(stored) - removed) | added)

    def ids(self, kind: str, term: Term) -> set[str]:
        members = self._members(kind, term)
        if members is None:
            ikey = self.store.ikey(kind, term)
            members = self._watched_read([ikey], ("ZRANGE", ikey, 0, -1))
        return {m.rpartition(_SEP)[2] for m in members}

    def page(self, kind: str, term: Term, offset: int, limit: int, newest_first: bool = False) -> list[Entry]:
        if limit <= 0:
            return []
        members = self._members(kind, term)
        if members is None:
            ikey = self.store.ikey(kind, term)
            found = self.ranges.get((ikey, offset, limit, newest_first))  # (read ahead)
            if found is None:
                command = ("ZRANGE", ikey, offset, offset + limit - 1) + (("REV",) if newest_first else ())
                found = self._watched_read([ikey], command)
        else:
            start, end = window(len(members), offset, limit, newest_first)
            found = members[start:end][::-1] if newest_first else members[start:end]
        return list(map(tuple, map(_LAST_SEP, found)))  # type: ignore[arg-type]

    def search(self, kind: str, name: str, scope: str, fragment: str) -> list[Found]:
        store = self.store
        gkeys = [store.gkey(kind, name + TEXT, scope, gram) for gram in fragment_grams(fragment)]
        members = self._watched_read(gkeys, ("SINTER", *gkeys))  # (SINTER walks the smallest set)
        found: dict[str, Found] = {}
        for member in members:
            key, id, text = member.split(_SEP, 2)
            found[id] = (key, id, text)
        for rkey, (k, id) in self.written.items():  # this transaction's writes, as they now stand
            if k != kind:
                continue
            found.pop(id, None)
            new = self.records[rkey]
            for term in new[1] if new is not None else ():
                text_term = split_text(tuple(term))  # type: ignore[arg-type]
                if text_term is not None and text_term[:2] == (name + TEXT, scope):
                    found[id] = (new[0], id, text_term[2])
        return sorted(entry for entry in found.values() if fragment in entry[2])

    def count(self, kind: str, term: Optional[Term] = None) -> int:
        if term is None:
            kkey = self.store.kkey(kind)
            stored = set(self._watched_read([kkey], ("SMEMBERS", kkey)))
            for rkey, (k, id) in self.written.items():
                if k == kind:
                    (stored.add if self.records[rkey] is not None else stored.discard)(id)
            return len(stored)
        added, removed = self._delta(kind, term)
        ikey = self.store.ikey(kind, term)
        if not added and not removed:
            if ikey in self.cards:
                return self.cards[ikey]
            return int(self._watched_read([ikey], ("ZCARD", ikey)))
        # The stored count, adjusted by this transaction's changes (which of them the set holds: one
        # round trip, not the whole set).
        probe = sorted(added | removed)
        card, scores = self._reads([ikey], ("ZCARD", ikey), ("ZMSCORE", ikey, *probe))
        held = {m for m, score in zip(probe, scores) if score is not None}
        return int(card) + len(added - held) - len(removed & held)

    def scan(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        kkey = self.store.kkey(kind)
        ids = set(self._watched_read([kkey], ("SMEMBERS", kkey)))
        ids |= {id for rkey, (k, id) in self.written.items() if k == kind}
        found = []
        for id in sorted(ids):
            record = self.get(kind, id)
            if record is not None:
                found.append((id, record))
        return iter(found)

    # -- savepoints, commit ----------------------------------------------------------------
    def savepoint(self) -> tuple:
        return dict(self.records), dict(self.written), dict(self.before)

    def rollback_to(self, saved: tuple) -> None:
        records, written, before = saved
        for rkey in self.written:
            if rkey not in written:
                self.records[rkey] = self.before[rkey]  # as stored (still watched)
        for rkey, value in records.items():
            self.records[rkey] = value
        self.written, self.before = written, before

    def commit(self) -> None:
        try:
            self.ahead = [a for a in self.ahead if a[3]]
            if self.ahead:  # read before anything is written (their callers may refuse the commit)
                self._call()
            commands = self._commands()
            if not commands and self.lazy:  # (read only, as expected: validated only if asked to)
                if self.store.serializable_reads and not self._reread(watch=False):
                    raise Conflict("another client changed what this transaction read")
                return
            if not commands and not (self.watched and self.store.serializable_reads):
                # Read-only: each read saw committed data (no validation round trip; the connection's
                # WATCHes go with the next transaction's first command). ``reads=serializable``
                # validates these too. Writes, and errors, are always validated.
                self.conn.mockecs_watching = bool(self.watched)
                self.watched = set()
                return
            replies = self._call(("MULTI",), *commands, ("EXEC",))
            self.watched = set()  # EXEC unwatches every key
            if replies[-1] is None:
                raise Conflict("another client changed what this transaction read")
            if isinstance(replies[-1], Exception):
                raise replies[-1]
        finally:
            self._release()

    def _commands(self) -> list[tuple]:
        store, out = self.store, []
        kinds: set[str] = set()
        changed: dict[str, list[str]] = {}  # kind -> the ids written
        for rkey, (kind, id) in self.written.items():
            old, new = self.before[rkey], self.records[rkey]
            if old is None and new is None:
                continue
            changed.setdefault(kind, []).append(id)
            store.decoded.pop(rkey, None)  # (its next read reads it with its new version)
            old_members = {store.ikey(kind, t): f"{entry_key(t[0], old[0])}{_SEP}{id}" for t in old[1]} if old else {}
            new_members = {store.ikey(kind, t): f"{entry_key(t[0], new[0])}{_SEP}{id}" for t in new[1]} if new else {}
            for ikey, member in old_members.items():
                if new_members.get(ikey) != member:
                    out.append(("ZREM", ikey, member))
            for ikey, member in new_members.items():
                if old_members.get(ikey) != member:
                    out.append(("ZADD", ikey, 0, member))
            old_grams, new_grams = store.gram_members(kind, id, old), store.gram_members(kind, id, new)
            out.extend(("SREM", gkey, member) for gkey, member in old_grams - new_grams)
            out.extend(("SADD", gkey, member) for gkey, member in new_grams - old_grams)
            if new is None:
                out.append(("DEL", rkey, store.vkey(kind, id)))
                out.append(("SREM", store.kkey(kind), id))
            else:
                # (each time a new version: a version stands for one record, whatever writes it when)
                out.append(("MSET", rkey, json.dumps(new, separators=(",", ":"), ensure_ascii=False),
                            store.vkey(kind, id), token()))
                if old is None:
                    out.append(("SADD", store.kkey(kind), id))
                    kinds.add(kind)
        if kinds:
            out.append(("SADD", store.prefix + "kinds", *sorted(kinds)))
        if changed:
            generations = {kind: token() for kind in sorted(changed)}
            out.append(("MSET", *(x for kind, gen in generations.items() for x in (store.genkey(kind), gen))))
            for kind, gen in generations.items():  # (see written_since)
                ids = changed[kind]
                out.append(("LPUSH", store.logkey(kind),
                            json.dumps([gen, ids if len(ids) <= LOG_IDS else None], separators=(",", ":"))))
                out.append(("LTRIM", store.logkey(kind), 0, LOG - 1))
        return out

    def abort(self) -> bool:
        """Drop the writes; whether what was read is still what the store holds (an error answered
        from a state that changed meanwhile must not reach the client)."""
        self.ahead = []
        try:
            if self.lazy and self.conn is not None:
                return self._reread(watch=False)
            if not self.watched or self.conn is None:
                return True
            valid = self._call(("MULTI",), ("EXEC",))[-1] is not None
            self.watched = set()
            return valid
        finally:
            self._release()

    def _release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            if self.watched:
                self._call_on(conn, ("UNWATCH",))
        except Exception:
            conn.disconnect()
        finally:
            self.store.pool.release(conn)

    @staticmethod
    def _call_on(conn: Any, command: tuple) -> None:
        conn.send_packed_command(_packed(conn, [command]))
        conn.read_response()


class RedisStorePlugin:
    @hookimpl
    def mockecs_make_store(self, url: str) -> Optional[RedisStore]:
        parsed = parse_url(url)
        return RedisStore(*parsed) if parsed is not None else None


plugin = RedisStorePlugin()

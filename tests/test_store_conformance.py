"""The store conformance suite (tests/store_conformance.py) against MemoryStore and the SQLite store."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap

import pytest

from mockecs.state.store import MemoryStore
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.store_conformance import *  # noqa: F403 - the suite's test functions

sqlite_store = pytest.importorskip("mockecs_sqlite", reason="plugins/mockecs-sqlite is not installed")


@pytest.fixture(params=["memory", "sqlite-file", "redis"])
def backend(request, tmp_path):
    if request.param == "memory":
        return MemoryStore, None
    if request.param == "redis":
        from mockecs_redis import RedisStore, parse_url

        url = request.getfixturevalue("redis_url")
        return (lambda: RedisStore(*parse_url(url))), url
    path = str(tmp_path / "state.db")
    return (lambda: sqlite_store.SqliteStore(path)), path


@pytest.fixture
def store(backend):
    make, _ = backend
    s = make()
    yield s
    s.close()  # closing twice is a no-op for both stores (some tests close it themselves)


@pytest.fixture
def reopen(backend):
    make, path = backend
    return make if path else None


def test_plugin_makes_sqlite_stores(tmp_path):
    from mockecs.engine.core import BUILTIN_PLUGINS
    from mockecs.state.plugins import make_store, plugin_manager

    pm = plugin_manager(BUILTIN_PLUGINS)
    memory = make_store("sqlite://", pm)
    assert isinstance(memory, sqlite_store.SqliteStore) and memory.path == ":memory:"
    path = tmp_path / "x.db"
    on_disk = make_store(f"sqlite:///{path}", pm)
    assert on_disk.path == str(path)
    assert on_disk._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert on_disk._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    memory.close()
    on_disk.close()
    assert sqlite_store.path_of("sqlite:///rel.db") == "rel.db"
    assert sqlite_store.path_of("memory://") is None


def test_sqlite_kill_9_mid_transaction(tmp_path):
    """A process killed inside a transaction leaves its committed writes and none of the open one."""
    path = str(tmp_path / "state.db")
    script = textwrap.dedent(f"""
        import os, signal, sys
        from mockecs_sqlite import SqliteStore
        store = SqliteStore({path!r})
        with store.transaction() as txn:
            txn.put("image", "committed", {{"v": 1}}, [("owner", "1")])
        print("committed", flush=True)
        with store.transaction() as txn:
            txn.put("image", "half-1", {{}}, [("owner", "1")])
            txn.put("image", "committed", {{"v": 2}}, [("owner", "2")])
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9 and "committed" in proc.stdout, proc.stderr
    assert os.path.exists(path)
    store = sqlite_store.SqliteStore(path)
    try:
        with store.transaction() as txn:
            assert txn.get("image", "committed") == {"v": 1}
            assert txn.get("image", "half-1") is None
            assert txn.ids("image", ("owner", "1")) == {"committed"}
            assert txn.ids("image", ("owner", "2")) == set()
    finally:
        store.close()


def _version(store, id: str = "m-1") -> tuple:
    """(raw form, record) of ``id`` as ``store`` reads it now."""
    with store.transaction() as txn:
        raw = txn.raw_many("image", [id])[0]
        return raw, txn.decode(raw)


def _rolled_back(store) -> int:
    """The raw form a write had in a transaction (or savepoint) of ``store`` that was rolled back."""
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "m-1", {"v": "rolled back"}, [("owner", "1")])
            rolled = txn.raw_many("image", ["m-1"])[0]
            assert txn.decode(rolled) == {"v": "rolled back"}
            raise RuntimeError
    return rolled


def test_sqlite_versions_follow_another_connection(tmp_path):
    """SQLite's raw forms are record versions (mockecs.world.cache keeps decoded records by them): a write by
    another connection to the file is seen at once, also one storing the same record again, and also one
    given a version a rolled-back transaction of this connection had seen (SQLite gives those back)."""
    path = str(tmp_path / "state.db")
    first, second = sqlite_store.SqliteStore(path), sqlite_store.SqliteStore(path)
    try:
        with first.transaction() as txn:
            txn.put("image", "m-1", {"v": 1}, [("owner", "1")])
        seen = _version(first)
        assert seen[1] == {"v": 1} and _version(first) == seen and _version(second) == seen
        for record in ({"v": 2}, {"v": 2}):  # changed, then the same record stored again
            with second.transaction() as txn:
                txn.put("image", "m-1", record, [("owner", "1")])
            now = _version(first)
            assert now[0] != seen[0] and now[1] == record
            seen = now
        rolled = _rolled_back(first)
        with second.transaction() as txn:  # takes the version given back
            txn.put("image", "m-1", {"v": 3}, [("owner", "1")])
        now = _version(first)
        assert now[0] not in (rolled, seen[0]) and now[1] == {"v": 3}
        with first.transaction() as txn:  # the same within one transaction (a savepoint rolled back)
            rolled = _rolled_back(first)
            txn.put("image", "m-1", {"v": 4}, [("owner", "1")])
            raw = txn.raw_many("image", ["m-1"])[0]
            assert raw != rolled and txn.decode(raw) == {"v": 4} and txn.get("image", "m-1") == {"v": 4}
        assert _version(second)[1] == {"v": 4}
    finally:
        first.close()
        second.close()


def test_redis_urls():
    redis_store = pytest.importorskip("mockecs_redis", reason="plugins/mockecs-redis is not installed")
    assert redis_store.parse_url("redis://h:1/2") == ("redis://h:1/2", "mockecs:", False)
    assert redis_store.parse_url("redis://h:1/2?prefix=x&reads=serializable") == ("redis://h:1/2", "x:", True)
    assert redis_store.parse_url("sqlite:///x.db") is None
    with pytest.raises(ValueError, match="reads= is committed or serializable"):
        redis_store.parse_url("redis://h:1/2?reads=sometimes")


def test_memory_reset_of_a_large_store_gives_the_heap_back(monkeypatch):
    # A server resetting 100k images kept ~20 MiB of freed heap pages (glibc keeps them for reuse);
    # a reset of a large memory store trims them, a test-sized reset pays nothing.
    from mockecs.state import store as store_module

    trimmed = []
    monkeypatch.setattr(store_module, "trim_heap", lambda: trimmed.append(True))
    monkeypatch.setattr(store_module, "TRIM_AFTER", 5)
    s = MemoryStore()
    with s.transaction() as txn:
        for n in range(4):
            txn.put("image", f"m-{n}", {"ImageId": f"m-{n}"})
    s.reset()
    assert trimmed == []
    with s.transaction() as txn:
        for n in range(5):
            txn.put("image", f"m-{n}", {"ImageId": f"m-{n}"})
    s.reset()
    assert trimmed == [True]



def test_memory_shares_a_larger_nested_constant():
    # An image's Features (over the interning size) is stored once for every record that holds the usual value:
    # 100,000 custom images went from 1,951 to 2,081 bytes each when it grew, and back with the sharing.
    features = {"NvmeSupport": "unsupported", "ImdsSupport": "v1", "CpuOnlineUpgrade": "unsupported",
                "CpuOnlineDowngrade": "unsupported", "MemoryOnlineUpgrade": "unsupported",
                "MemoryOnlineDowngrade": "unsupported"}
    s = MemoryStore()
    with s.transaction() as txn:
        for n in range(3):
            txn.put("image", f"m-{n}", {"ImageId": f"m-{n}", "Features": dict(features)})
        txn.put("image", "m-v2", {"ImageId": "m-v2", "Features": {**features, "ImdsSupport": "v2"}})
    kept = [s._records["image"][f"m-{n}"][1][1] for n in range(3)] + [s._records["image"]["m-v2"][1][1]]
    assert kept[0] is kept[1] is kept[2] and kept[3] is not kept[0]  # (packed (shape, (ImageId, Features)))
    with s.transaction() as txn:
        got = [txn.get("image", f"m-{n}") for n in range(3)]
        assert all(g["Features"] == features for g in got)
        got[0]["Features"]["NvmeSupport"] = "supported"  # (a copy: the shared value is not touched)
        assert txn.get("image", "m-1")["Features"] == features
        assert txn.get("image", "m-v2")["Features"] == {**features, "ImdsSupport": "v2"}


def _two_redis_stores(url: str, serializable: bool = False) -> tuple:
    from mockecs_redis import RedisStore, parse_url

    conn, prefix, _ = parse_url(url)
    return RedisStore(conn, prefix, serializable), RedisStore(conn, prefix, serializable)


def _seed(store) -> None:
    with store.transaction() as txn:
        txn.put("image", "a", {"n": 1}, [("owner", "x")], key="1")
        txn.put("image", "b", {"n": 1}, [("owner", "x")], key="2")


@pytest.mark.parametrize("change", ["record", "term", "none"])
def test_redis_expected_reads_are_checked_when_a_write_comes(request, change):
    """A transaction expected to only read (a describe) reads without WATCH; when it writes after all,
    what it read (records, counts, pages) must still hold, or nothing is applied (Conflict: the engine
    runs the request again), and a change after that point fails the commit as before."""
    from mockecs.state.store import Conflict, expect_reads

    mine, other = _two_redis_stores(request.getfixturevalue("redis_url"))
    _seed(mine)
    with pytest.raises(Conflict) if change != "none" else contextlib.nullcontext():
        with mine.transaction() as txn:
            expect_reads(txn)
            assert txn.get("image", "a") == {"n": 1}
            assert txn.counts("image", [("owner", "x")]) == [2]
            assert [e[1] for e in txn.page("image", ("owner", "x"), 0, 10)] == ["a", "b"]
            assert txn.lazy and not txn.watched  # (nothing watched yet)
            with other.transaction() as otxn:  # another process
                if change == "record":
                    otxn.put("image", "a", {"n": 2}, [("owner", "x")], key="1")
                elif change == "term":
                    otxn.put("image", "c", {"n": 1}, [("owner", "x")], key="3")
            txn.put("image", "b", {"n": 3}, [("owner", "x")], key="2")  # the write: checked here
    with other.transaction() as otxn:
        assert otxn.get("image", "b") == {"n": 3 if change == "none" else 1}
    # Checked at the write, then watched: a change after it fails the commit.
    with pytest.raises(Conflict):
        with mine.transaction() as txn:
            expect_reads(txn)
            txn.get("image", "a")
            txn.put("image", "b", {"n": 4}, [("owner", "x")], key="2")
            with other.transaction() as otxn:
                otxn.put("image", "a", {"n": 5}, [("owner", "x")], key="1")
    with other.transaction() as otxn:
        assert otxn.get("image", "b")["n"] != 4


def test_redis_expected_reads_validate_errors_and_serializable_reads(request):
    """Without WATCH, an error raised from what a read-only transaction read is still answered only if
    that still holds (else Conflict), and ``reads=serializable`` still validates read-only transactions."""
    from mockecs.state.store import Conflict, expect_reads

    url = request.getfixturevalue("redis_url")
    mine, other = _two_redis_stores(url)
    _seed(mine)

    def read_then(fail: bool, changed: bool) -> None:
        with mine.transaction() as txn:
            expect_reads(txn)
            txn.get("image", "a")
            if changed:
                with other.transaction() as otxn:
                    otxn.put("image", "a", {"n": otxn.get("image", "a")["n"] + 1}, [("owner", "x")], key="1")
            if fail:
                raise KeyError("answered from what was read")

    with pytest.raises(KeyError):
        read_then(fail=True, changed=False)
    with pytest.raises(Conflict):
        read_then(fail=True, changed=True)
    read_then(fail=False, changed=True)  # read committed data: answered
    mine, other = _two_redis_stores(url, serializable=True)
    read_then(fail=False, changed=False)
    with pytest.raises(Conflict):
        read_then(fail=False, changed=True)

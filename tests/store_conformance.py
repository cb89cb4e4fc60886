"""The behaviour every mockecs state store must have, as plain pytest test functions.

Reuse it for a new store: define a ``store`` fixture (a fresh, empty store) and, for persistent
stores, a ``reopen`` fixture (a callable opening a new store instance on the same data, or None),
then ``from store_conformance import *`` in a test module. ``tests/test_store_conformance.py``
runs it against ``MemoryStore`` and the SQLite store.
"""
from __future__ import annotations

import json
import threading

import pytest

from mockecs.state.store import count_soon, flush, fresh, page_soon, prefetch, read_soon, run, text_term

IMAGE = {"ImageId": "m-1", "ImageName": "base", "Tags": {"Tag": [{"TagKey": "env", "TagValue": "测试"}]},
         "Size": 40, "Shared": False, "Nested": {"list": [1, 2, {"a": None}]}}


def put(store, kind, id, record, terms=()):
    with store.transaction() as txn:
        txn.put(kind, id, record, terms)


def get(store, kind, id):
    with store.transaction() as txn:
        return txn.get(kind, id)


def test_put_get_delete(store):
    assert get(store, "image", "m-1") is None
    put(store, "image", "m-1", IMAGE, [("owner", "1")])
    assert dict(get(store, "image", "m-1")) == IMAGE
    put(store, "image", "m-1", {**IMAGE, "ImageName": "renamed"}, [("owner", "1")])
    assert get(store, "image", "m-1")["ImageName"] == "renamed"
    with store.transaction() as txn:
        txn.delete("image", "m-1")
        txn.delete("image", "m-missing")  # deleting nothing is no error
        assert txn.get("image", "m-1") is None
    assert get(store, "image", "m-1") is None


def test_records_keep_their_json_types(store):
    """Records of one shape written one after another (a store may keep them relative to each other)."""
    first = {"a": True, "b": 1, "c": 1.5, "d": {"x": [1, {"y": None}]}, "e": "", "f": [{"k": 0}]}
    second = {"a": 1, "b": True, "c": 1, "d": {"x": [1, {"y": False}]}, "e": "", "f": [{"k": False}]}
    third = {**first, "f": [{"k": False}]}
    put(store, "image", "m-1", first)
    put(store, "image", "m-2", second)
    put(store, "image", "m-3", dict(first))
    put(store, "image", "m-4", third)
    for id, expected in (("m-1", first), ("m-2", second), ("m-3", first), ("m-4", third)):
        found = dict(get(store, "image", id))
        assert json.dumps(found, sort_keys=True) == json.dumps(expected, sort_keys=True), id


def test_kinds_are_separate(store):
    put(store, "image", "x", {"k": "image"}, [("owner", "1")])
    put(store, "snapshot", "x", {"k": "snapshot"}, [("owner", "1")])
    with store.transaction() as txn:
        assert txn.get("image", "x") == {"k": "image"}
        assert txn.get("snapshot", "x") == {"k": "snapshot"}
        assert txn.ids("image", ("owner", "1")) == {"x"}
        assert txn.count("snapshot") == 1


def test_index_terms(store):
    with store.transaction() as txn:
        for i in range(10):
            terms = [("owner", str(i % 2)), ("tag", f"n={i}")] + ([("family", "f")] if i < 3 else [])
            txn.put("image", f"m-{i}", {"i": i}, terms)
    with store.transaction() as txn:
        assert txn.ids("image", ("owner", "0")) == {"m-0", "m-2", "m-4", "m-6", "m-8"}
        assert txn.ids("image", ("family", "f")) == {"m-0", "m-1", "m-2"}
        assert txn.ids("image", ("tag", "n=7")) == {"m-7"}
        assert txn.ids("image", ("tag", "missing")) == set()
        assert txn.count("image") == 10
        assert txn.count("image", ("owner", "1")) == 5
        assert txn.count("image", ("family", "nope")) == 0
        assert txn.count("nothing") == 0
        assert sorted(id for id, _ in txn.scan("image")) == [f"m-{i}" for i in range(10)]
        assert list(txn.scan("nothing")) == []


def test_put_replaces_terms_and_delete_drops_them(store):
    put(store, "image", "m-1", {}, [("owner", "1"), ("tag", "a=b")])
    put(store, "image", "m-1", {}, [("owner", "2")])
    with store.transaction() as txn:
        assert txn.ids("image", ("owner", "1")) == set()
        assert txn.ids("image", ("tag", "a=b")) == set()
        assert txn.ids("image", ("owner", "2")) == {"m-1"}
        txn.delete("image", "m-1")
        assert txn.ids("image", ("owner", "2")) == set()
        assert txn.count("image", ("owner", "2")) == 0


def test_scan_while_writing(store):
    for i in range(5):
        put(store, "image", f"m-{i}", {"i": i}, [("owner", "1")])
    with store.transaction() as txn:
        for id, record in txn.scan("image"):
            txn.put("image", id, {"i": record["i"] + 1}, [("owner", "2")])
        assert txn.count("image", ("owner", "2")) == 5


def test_exception_rolls_back_every_write(store):
    put(store, "image", "keep", {"v": 1}, [("owner", "1")])
    put(store, "image", "gone", {"v": 1}, [("owner", "1")])
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "new", {"v": 2}, [("owner", "1")])
            txn.put("image", "keep", {"v": 2}, [("owner", "2")])
            txn.delete("image", "gone")
            assert txn.count("image", ("owner", "1")) == 1  # the transaction sees its own writes
            raise RuntimeError("handler failed")
    with store.transaction() as txn:
        assert txn.get("image", "new") is None
        assert txn.get("image", "keep") == {"v": 1}
        assert txn.get("image", "gone") == {"v": 1}
        assert txn.ids("image", ("owner", "1")) == {"keep", "gone"}
        assert txn.ids("image", ("owner", "2")) == set()


def test_nested_transaction_rolls_back_only_itself(store):
    with store.transaction() as outer:
        outer.put("image", "outer", {}, [("owner", "1")])
        with pytest.raises(ValueError):
            with store.transaction() as inner:
                inner.put("image", "inner", {}, [("owner", "1")])
                raise ValueError
    with store.transaction() as txn:
        assert txn.get("image", "outer") == {}
        assert txn.get("image", "inner") is None
        assert txn.ids("image", ("owner", "1")) == {"outer"}


def test_reset(store):
    put(store, "image", "m-1", {}, [("owner", "1")])
    put(store, "client_token", "t", {"x": 1})
    store.reset()
    with store.transaction() as txn:
        assert txn.get("image", "m-1") is None
        assert txn.count("image") == 0
        assert txn.ids("image", ("owner", "1")) == set()
    assert store.export() == {}
    put(store, "image", "m-2", {}, [("owner", "1")])
    assert get(store, "image", "m-2") == {}


def test_snapshot_restore(store):
    put(store, "image", "m-1", {"v": 1}, [("owner", "1")])
    snap = store.snapshot()
    put(store, "image", "m-1", {"v": 2}, [("owner", "2")])
    put(store, "image", "m-2", {"v": 1}, [("owner", "1")])
    for _ in range(2):  # a snapshot can be restored more than once
        store.restore(snap)
        with store.transaction() as txn:
            assert txn.get("image", "m-1") == {"v": 1}
            assert txn.get("image", "m-2") is None
            assert txn.ids("image", ("owner", "1")) == {"m-1"}
            assert txn.ids("image", ("owner", "2")) == set()
            txn.put("image", "m-3", {}, [("owner", "1")])


def test_export_import_round_trip(store):
    with store.transaction() as txn:
        txn.put("image", "m-1", IMAGE, [("owner", "1"), ("tag", "env=测试")])
        txn.put("image", "m-2", {"v": 2}, [])
        txn.put("client_token", "1:CreateImage:t", {"response": {"ImageId": "m-1"}})
    exported = store.export()
    assert json.loads(json.dumps(exported)) == exported  # plain JSON
    assert exported["image"]["m-1"]["record"] == IMAGE
    assert sorted(map(tuple, exported["image"]["m-1"]["terms"])) == [("owner", "1"), ("tag", "env=测试")]
    store.reset()
    store.import_(json.loads(json.dumps(exported)))
    assert store.export() == exported
    with store.transaction() as txn:
        assert txn.ids("image", ("tag", "env=测试")) == {"m-1"}


def test_concurrent_increments_are_exact(store):
    put(store, "counter", "c", {"n": 0})
    threads_n, per_thread = 8, 200
    errors = []
    start = threading.Barrier(threads_n)

    def increment(txn):
        n = txn.get("counter", "c")["n"]
        txn.put("counter", "c", {"n": n + 1}, [("n", str(n + 1))])

    def work():
        try:
            start.wait()
            for _ in range(per_thread):
                run(store, increment)  # a shared store may answer Conflict: run() tries again
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    with store.transaction() as txn:
        assert txn.get("counter", "c") == {"n": threads_n * per_thread}
        assert txn.ids("counter", ("n", str(threads_n * per_thread))) == {"c"}
        assert txn.count("counter", ("n", "1")) == 0


def _ordered(store, n=30):
    """``n`` records under ("owner", "1"), keys out of insertion order, some keys shared (ties by id)."""
    with store.transaction() as txn:
        for i in range(n):
            key = f"2024-01-{(i * 7) % n:02d}" if i % 5 else "2024-01-00"
            txn.put("image", f"m-{i:02d}", {"i": i}, [("owner", "1"), ("parity", str(i % 2))], key)
    expected = {}
    for i in range(n):
        key = f"2024-01-{(i * 7) % n:02d}" if i % 5 else "2024-01-00"
        expected[f"m-{i:02d}"] = key
    return sorted((key, id) for id, key in expected.items())


def test_ordered_pages_and_counts(store):
    ascending = _ordered(store)
    with store.transaction() as txn:
        assert [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 100)] == ascending
        assert [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 100, newest_first=True)] == ascending[::-1]
        for offset, limit in ((0, 10), (10, 10), (25, 10), (29, 1), (30, 5), (100, 10), (3, 0)):
            assert [tuple(e) for e in txn.page("image", ("owner", "1"), offset, limit)] == \
                ascending[offset:offset + limit]
            assert [tuple(e) for e in txn.page("image", ("owner", "1"), offset, limit, True)] == \
                ascending[::-1][offset:offset + limit]
        odd = [e for e in ascending if int(e[1][2:]) % 2]
        assert [tuple(e) for e in txn.page("image", ("parity", "1"), 2, 5)] == odd[2:7]
        assert txn.count("image", ("owner", "1")) == 30 and txn.count("image", ("parity", "1")) == 15
        assert txn.page("image", ("owner", "nobody"), 0, 10) == []
        assert txn.page("snapshot", ("owner", "1"), 0, 10) == []


def test_ordered_pages_follow_rewrites_deletes_and_rollback(store):
    _ordered(store, 10)
    with store.transaction() as txn:
        txn.put("image", "m-03", {"i": 3}, [("owner", "1")], "2099")  # moves to the end, leaves "parity"
        txn.delete("image", "m-00")
        txn.put("image", "m-new", {}, [("owner", "1")])  # no key: sorts first
    with store.transaction() as txn:
        page = [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 2, newest_first=True)]
        assert page[0] == ("2099", "m-03")
        assert [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 1)] == [("", "m-new")]
        assert "m-03" not in {id for _, id in txn.page("image", ("parity", "1"), 0, 100)}
        assert txn.count("image", ("owner", "1")) == 10
    before = [tuple(e) for e in _page_all(store)]
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "m-05", {}, [("owner", "1")], "0000")
            txn.delete("image", "m-03")
            txn.put("image", "m-zz", {}, [("owner", "1")], "2100")
            assert txn.count("image", ("owner", "1")) == 10
            raise RuntimeError
    assert [tuple(e) for e in _page_all(store)] == before


def test_rewrites_in_place_keep_terms_exact(store):
    """A rewrite with the same sort key (most rewrites: a status or a tag changes) keeps the terms it still has,
    drops the others, adds new ones (a term named twice once), and rolls back exactly; pages and counts as if the
    record had been written anew."""
    ascending = _ordered(store, 10)
    with store.transaction() as txn:
        key = dict((id, k) for k, id in ascending)["m-03"]
        txn.put("image", "m-03", {"i": 33}, [("owner", "1"), ("color", "red"), ("color", "red")], key)
        txn.put("image", "m-04", {"i": 44}, [("owner", "1"), ("parity", "0")], key)  # (a new place, same terms)
    with store.transaction() as txn:
        moved = sorted([e for e in ascending if e[1] != "m-04"] + [(key, "m-04")])
        assert [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 100)] == moved
        assert txn.count("image", ("owner", "1")) == 10
        assert [tuple(e) for e in txn.page("image", ("color", "red"), 0, 10)] == [(key, "m-03")]
        assert "m-03" not in {id for _, id in txn.page("image", ("parity", "1"), 0, 100)}
        assert txn.count("image", ("parity", "1")) == 4 and txn.count("image", ("parity", "0")) == 5
        assert txn.get("image", "m-03") == {"i": 33}
    before = [tuple(e) for e in _page_all(store)]
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "m-03", {"i": 0}, [("owner", "1")], key)
            txn.put("image", "m-05", {"i": 0}, [("owner", "1"), ("parity", "1"), ("color", "red")],
                    dict((id, k) for k, id in ascending)["m-05"])
            assert txn.count("image", ("color", "red")) == 1
            raise RuntimeError
    with store.transaction() as txn:
        assert [tuple(e) for e in _page_all(store)] == before
        assert [tuple(e) for e in txn.page("image", ("color", "red"), 0, 10)] == [(key, "m-03")]
        assert txn.count("image", ("parity", "1")) == 4


def _page_all(store):
    with store.transaction() as txn:
        return txn.page("image", ("owner", "1"), 0, 1000)


def test_order_survives_snapshot_restore_export_import(store):
    ascending = _ordered(store, 12)
    snap = store.snapshot()
    dump = store.export()
    assert json.loads(json.dumps(dump)) == dump
    assert {item.get("key", "") for item in dump["image"].values()} == {key for key, _ in ascending}
    with store.transaction() as txn:
        txn.put("image", "m-00", {}, [("owner", "1")], "9999")
    store.restore(snap)
    assert [tuple(e) for e in _page_all(store)] == ascending
    store.reset()
    assert _page_all(store) == []
    store.import_(json.loads(json.dumps(dump)))
    assert [tuple(e) for e in _page_all(store)] == ascending
    assert store.export() == dump


def test_batched_reads_see_the_transactions_writes(store):
    _ordered(store, 6)
    with store.transaction() as txn:
        txn.put("image", "m-new", {"v": "new"}, [("owner", "1"), ("parity", "1")], "x")
        txn.delete("image", "m-01")
        found = txn.get_many("image", ["m-00", "m-01", "m-new", "m-missing", "m-00"])
        assert [r and (r.get("i"), r.get("v")) for r in found] == [(0, None), None, (None, "new"), None, (0, None)]
        assert txn.counts("image", [("owner", "1"), ("parity", "1"), ("parity", "0"), ("owner", "9")]) == \
            [6, 3, 3, 0]
        assert txn.get_many("image", []) == [] and txn.counts("image", []) == []


def test_reopened_store_sees_committed_writes_only(store, reopen):
    if reopen is None:
        pytest.skip("not a persistent store")
    put(store, "image", "committed", {"v": 1}, [("owner", "1")])
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "half-1", {}, [("owner", "1")])
            txn.put("image", "half-2", {}, [("owner", "1")])
            raise RuntimeError("crash after two writes")
    store.close()
    again = reopen()
    try:
        with again.transaction() as txn:
            assert txn.get("image", "committed") == {"v": 1}
            assert txn.get("image", "half-1") is None and txn.get("image", "half-2") is None
            assert txn.ids("image", ("owner", "1")) == {"committed"}
    finally:
        again.close()


def test_terms_named_by_id_are_ordered_by_id_alone(store):
    """A term whose name starts with "@" lists its records in id order, whatever their sort keys; a
    rewrite with a new key keeps them there (and moves them in the record's other terms)."""
    _ordered(store, 12)
    with store.transaction() as txn:
        for i in range(12):
            old = txn.get("image", f"m-{i:02d}")
            txn.put("image", f"m-{i:02d}", old, [("owner", "1"), ("@tagged", "x")] + (
                [("@even", "x")] if i % 2 == 0 else []), f"k-{(i * 5) % 12:02d}")
    with store.transaction() as txn:
        ids = [f"m-{i:02d}" for i in range(12)]
        assert [tuple(e) for e in txn.page("image", ("@tagged", "x"), 0, 100)] == [("", i) for i in ids]
        assert [e[1] for e in txn.page("image", ("@tagged", "x"), 3, 4, newest_first=True)] == ids[::-1][3:7]
        assert [e[1] for e in txn.page("image", ("owner", "1"), 0, 100)] == [
            f"m-{i:02d}" for i in sorted(range(12), key=lambda i: (i * 5) % 12)]
        assert txn.count("image", ("@even", "x")) == 6
        txn.put("image", "m-04", {}, [("owner", "1"), ("@tagged", "x")], "a")  # new key, leaves "@even"
        txn.delete("image", "m-06")
        assert [e[1] for e in txn.page("image", ("@even", "x"), 0, 100)] == ["m-00", "m-02", "m-08", "m-10"]
        assert [e[1] for e in txn.page("image", ("@tagged", "x"), 4, 3)] == ["m-04", "m-05", "m-07"]
        assert txn.page("image", ("owner", "1"), 0, 1) == [("a", "m-04")]
        assert txn.count("image", ("@even", "x")) == 4 and txn.count("image", ("@tagged", "x")) == 11
        assert txn.counts("image", [("@even", "x"), ("owner", "1"), ("@none", "x")]) == [4, 11, 0]
        txn.put("image", "m-zz", {}, [("@even", "x")])
        txn.delete("image", "m-zz")
        txn.put("image", "m-06", {}, [("@even", "x")], "z")
        assert txn.count("image", ("@even", "x")) == 5
    with store.transaction() as txn:
        assert [e[1] for e in txn.page("image", ("@tagged", "x"), 4, 3)] == ["m-04", "m-05", "m-07"]
        assert txn.count("image", ("@tagged", "x")) == 11 and txn.count("image", ("@even", "x")) == 5


def test_records_read_again_are_current(store, reopen):
    """A store may keep records it read (decoded, unpacked): a record another writer changed (another
    store on the same data too) is still read as it now is."""
    put(store, "image", "m-1", {"v": 1, "Nested": {"a": [1]}})
    with store.transaction() as txn:
        assert txn.get("image", "m-1") == txn.get("image", "m-1") == {"v": 1, "Nested": {"a": [1]}}
        assert txn.get_many("image", ["m-1"]) == [{"v": 1, "Nested": {"a": [1]}}]
    put(store, "image", "m-1", {"v": 2})
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "m-1", {"v": 3})
            assert txn.get("image", "m-1") == {"v": 3} and txn.get_many("image", ["m-1"]) == [{"v": 3}]
            raise RuntimeError
    assert get(store, "image", "m-1") == {"v": 2}
    if reopen is not None:
        other = reopen()
        try:
            put(other, "image", "m-1", {"v": 4})
            assert get(store, "image", "m-1") == {"v": 4}
            with store.transaction() as txn:
                assert txn.get_many("image", ["m-1", "m-1"]) == [{"v": 4}, {"v": 4}]
        finally:
            other.close()


# -- text terms: substring search ---------------------------------------------------------------------------
TEXTS = ["web-2024-06", "web-2024-07", "api-web", "db-01", "wéb-ünï", "webweb", "x-web-y", "ab", "abc", "Web",
         "测试镜像-web", "a|b\0c", "", "web-2024-06",
         "2024-0x4-06"]  # (the last has every trigram of "2024-06", not the fragment)
FRAGMENTS = ["web", "web-", "-20", "2024-0", "eb", "b", "wéb", "ünï", "webw", "abc", "abcd", "zzz", "d", "WEB", "Web",
             "测试", "镜像-w", "|b", "\0", "a|b\0c", "webweb", "2024-06", "", "-", "ebw"]


def _texts(store, scopes=("1|r1", "1|r2")):
    """Records with a text term each in two scopes (the same texts, distinct keys), and a plain term."""
    expected = {}
    with store.transaction() as txn:
        for s, scope in enumerate(scopes):
            for n, text in enumerate(TEXTS):
                id, key = f"m-{s}-{n:02d}", f"2024-{n % 4}"
                txn.put("image", id, {"n": n}, [text_term("name", scope, text), ("owner", "1")], key)
                expected[id] = (scope, key, text)
    return expected


def _brute(expected, scope, fragment):
    return sorted((key, id, text) for id, (s, key, text) in expected.items() if s == scope and fragment in text)


def _search(txn, scope, fragment, kind="image"):
    return [tuple(found) for found in txn.search(kind, "name", scope, fragment)]


def test_text_search_matches_reading_every_text(store):
    expected = _texts(store)
    with store.transaction() as txn:
        for scope in ("1|r1", "1|r2"):
            for fragment in FRAGMENTS:
                assert _search(txn, scope, fragment) == _brute(expected, scope, fragment), (scope, fragment)
        assert _search(txn, "1|r3", "web") == [] and _search(txn, "1|r3", "") == []
        assert _search(txn, "1|r1", "web", kind="snapshot") == []
        assert txn.search("image", "other", "1|r1", "web") == []
        # A text term is a term too: ids finds the exact text.
        assert txn.ids("image", text_term("name", "1|r1", "web-2024-06")) == {"m-0-00", "m-0-13"}
        assert txn.count("image", text_term("name", "1|r2", "ab")) == 1


def test_text_search_follows_renames_in_place(store):
    """Renames that keep the sort key (a text changes in place in the postings both texts share) and a rolled-back
    rename: searches answer as reading every text would."""
    import random

    rng = random.Random(7)
    expected = _texts(store, scopes=("1|r1",))
    names = TEXTS + ["web-renamed", "2024", "wwweb", "a", "-06"]
    for round_ in range(40):
        id = rng.choice(sorted(expected))
        _, key, _ = expected[id]
        text = rng.choice(names) + ("" if round_ % 3 else f"-{round_}")
        with store.transaction() as txn:
            txn.put("image", id, {}, [text_term("name", "1|r1", text), ("owner", "1")], key)
        expected[id] = ("1|r1", key, text)
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "m-0-05", {}, [text_term("name", "1|r1", "rolled-back")], expected["m-0-05"][1])
            raise RuntimeError
    with store.transaction() as txn:
        for fragment in FRAGMENTS + ["renamed", "-1", "wwe", "rolled"]:
            assert _search(txn, "1|r1", fragment) == _brute(expected, "1|r1", fragment), fragment


def test_text_search_follows_renames_deletes_rekeys_and_rollback(store):
    expected = _texts(store)
    with store.transaction() as txn:
        txn.put("image", "m-0-00", {}, [text_term("name", "1|r1", "renamed-web")], "2099")  # rename + new key
        txn.put("image", "m-0-01", {}, [("owner", "1")], "2024-1")  # its text term dropped
        txn.delete("image", "m-0-02")
        txn.put("image", "m-0-99", {}, [text_term("name", "1|r1", "fresh-web-2024")], "2000")
        txn.put("image", "m-1-03", {}, [text_term("name", "1|r1", "db-01-moved")], "2024-3")  # to another scope
        expected.update({"m-0-00": ("1|r1", "2099", "renamed-web"), "m-0-99": ("1|r1", "2000", "fresh-web-2024"),
                         "m-1-03": ("1|r1", "2024-3", "db-01-moved")})
        del expected["m-0-01"], expected["m-0-02"]
        for fragment in FRAGMENTS + ["renamed", "fresh-web", "moved"]:  # the transaction sees its own writes
            for scope in ("1|r1", "1|r2"):
                assert _search(txn, scope, fragment) == _brute(expected, scope, fragment), (scope, fragment)
    with store.transaction() as txn:
        for fragment in FRAGMENTS + ["renamed", "fresh-web", "moved"]:
            for scope in ("1|r1", "1|r2"):
                assert _search(txn, scope, fragment) == _brute(expected, scope, fragment), (scope, fragment)
        assert txn.ids("image", text_term("name", "1|r1", "web-2024-06")) == {"m-0-13"}
    before = {f: _search_all(store, f) for f in FRAGMENTS}
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.put("image", "m-0-13", {}, [text_term("name", "1|r1", "gone")], "1")
            txn.delete("image", "m-0-03")
            txn.put("image", "m-0-77", {}, [text_term("name", "1|r1", "web-new")], "3")
            assert _search(txn, "1|r1", "web-") == sorted([("3", "m-0-77", "web-new")] + [
                e for e in before["web-"] if e[1] != "m-0-13"])
            raise RuntimeError
    assert {f: _search_all(store, f) for f in FRAGMENTS} == before


def _search_all(store, fragment):
    with store.transaction() as txn:
        return _search(txn, "1|r1", fragment)


def test_text_search_survives_snapshot_restore_export_import(store):
    _texts(store)
    before = {f: _search_all(store, f) for f in FRAGMENTS}
    snap, dump = store.snapshot(), store.export()
    with store.transaction() as txn:
        txn.put("image", "m-0-00", {}, [text_term("name", "1|r1", "changed")], "0")
        txn.delete("image", "m-0-01")
    store.restore(snap)
    assert {f: _search_all(store, f) for f in FRAGMENTS} == before
    store.reset()
    assert _search_all(store, "web") == [] and _search_all(store, "") == []
    store.import_(json.loads(json.dumps(dump)))
    assert {f: _search_all(store, f) for f in FRAGMENTS} == before
    assert store.export() == dump

def test_read_hints_change_no_answer(store):
    """count_soon / page_soon / prefetch / read_soon (a networked store reads ahead) answer as plain reads,
    writes made after the hints included."""
    ordered = _ordered(store, 10)
    with store.transaction() as txn:
        page_soon(txn, "image", ("owner", "1"), 0, 3, True)
        count_soon(txn, "image", [("owner", "1"), ("parity", "0")])
        prefetch(txn, "image", ["m-01", "m-missing"])
        txn.put("image", "m-new", {"i": 99}, [("owner", "1")], "2100")  # after the hints, before any read
        assert [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 3, newest_first=True)] == \
            [("2100", "m-new")] + [tuple(e) for e in ordered[::-1][:2]]
        assert txn.count("image", ("owner", "1")) == 11 and txn.counts("image", [("parity", "0")]) == [5]
        assert txn.get("image", "m-missing") is None and txn.get("image", "m-01") == {"i": 1}
    seen = []
    with store.transaction() as txn:
        page_soon(txn, "image", ("owner", "1"), 0, 2)
        count_soon(txn, "image", [("owner", "1")])
        read_soon(txn, "image", "m-02", seen.append)
        assert txn.get("image", "m-00") == {"i": 0}  # (the round trip that carries them)
        assert seen == [{"i": 2}]
        assert [tuple(e) for e in txn.page("image", ("owner", "1"), 0, 2)] == [tuple(e) for e in ordered[:2]]
        assert txn.count("image", ("owner", "1")) == 11
    with pytest.raises(LookupError):  # a read_soon callback refusing fails the transaction, nothing written
        with store.transaction() as txn:
            read_soon(txn, "image", "m-03", lambda record: (_ for _ in ()).throw(LookupError()))
            txn.put("image", "m-later", {}, [("owner", "1")])
            flush(txn)
    with store.transaction() as txn:
        assert txn.get("image", "m-later") is None
        fresh(txn, "image", "m-fresh")  # (an id just made: written without a read first)
        txn.put("image", "m-fresh", {"i": 100}, [("owner", "1")], "2200")
        assert txn.count("image", ("owner", "1")) == 12
    with store.transaction() as txn:
        assert txn.get("image", "m-fresh") == {"i": 100}
        assert tuple(txn.page("image", ("owner", "1"), 0, 1, newest_first=True)[0]) == ("2200", "m-fresh")


def _same(a, b) -> bool:
    """Raw forms stand for one content: the very same object, or equal text (see Transaction.raw_many)."""
    return a is b or (a.__class__ in (str, bytes) and a == b)


def test_raw_forms_change_with_every_write(store):
    """``raw_many``/``decode`` (optional): what mockecs.world.cache keys decoded records and views on."""
    with store.transaction() as txn:
        if not hasattr(txn, "raw_many"):
            pytest.skip("this store has no raw forms")
        txn.put("image", "m-a", {"v": 0, "n": [1, {"x": "y"}]}, [("owner", "1")])
        txn.put("image", "m-b", {"v": 1})
    with store.transaction() as txn:
        first = txn.raw_many("image", ["m-a", "m-missing", "m-b"])
        assert first[1] is None and [txn.decode(r) for r in (first[0], first[2])] == [
            {"v": 0, "n": [1, {"x": "y"}]}, {"v": 1}]
    with store.transaction() as txn:
        again = txn.raw_many("image", ["m-a", "m-b"])
        assert _same(first[0], again[0]) and _same(first[2], again[1])  # unchanged: the same form
        txn.put("image", "m-a", {"v": False, "n": [1, {"x": "y"}]}, [("owner", "1")])  # equal in Python, not in JSON
        written = txn.raw_many("image", ["m-a"])[0]
        assert not _same(first[0], written) and txn.decode(written)["v"] is False
    with store.transaction() as txn:
        after = txn.raw_many("image", ["m-a", "m-b"])
        assert not _same(first[0], after[0]) and _same(first[2], after[1])
        assert txn.decode(after[0]) == {"v": False, "n": [1, {"x": "y"}]}
        txn.delete("image", "m-b")
        assert txn.raw_many("image", ["m-b"]) == [None]


__all__ = [name for name in dir() if name.startswith("test_")]

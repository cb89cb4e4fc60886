"""A store written before OSS's listings paged from each bucket's index ordered by name (mockecs before stop 21:
objects stored without their name as sort key, buckets without the ``ordered`` mark) lists as a store written
today: each old bucket is indexed on its first listing, once, from its own objects (no scan of the store)."""
from __future__ import annotations

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.modes.mock import MockECS
from mockecs.world import oss as world
from mockecs.world import resources
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.test_index_migration import write_old_sqlite

oss2 = pytest.importorskip("oss2", reason="oss2 is not installed")

ENDPOINT = "https://oss-cn-hangzhou.aliyuncs.com"
NAMES = {"images": [f"builds/{n % 3}/disk-{n:02d}.raw" for n in range(14)] + ["readme", "builds", "z"],
         "other": ["a", "b/c", "b/d"]}


def _bucket(name: str) -> oss2.Bucket:
    return oss2.Bucket(oss2.Auth("LTAI-any", "secret"), ENDPOINT, name)


def _world() -> None:
    for name, keys in NAMES.items():
        b = _bucket(name)
        b.create_bucket()
        for key in reversed(keys):  # (written out of name order)
            b.put_object(key, key.encode())
    _bucket("empty").create_bucket()


def _answers() -> dict:
    out = {}
    for name in NAMES:
        b = _bucket(name)
        out[name] = {
            "all": [o.key for o in oss2.ObjectIterator(b, max_keys=4)],
            "v2": [o.key for o in oss2.ObjectIteratorV2(b, max_keys=3)],
            "rolled": [(o.key, o.is_prefix()) for o in oss2.ObjectIterator(b, prefix="builds/", delimiter="/")],
            "after": [o.key for o in b.list_objects(marker="builds/1/").object_list],
        }
    return out


def _old_dump() -> tuple[dict, dict]:
    """A world made on this version, its listings, and its records as mockecs wrote them before stop 21."""
    with MockECS(Engine()) as mock:
        _world()
        answers = _answers()
        dump = mock.engine.store.export()
    assert all(item.get("key") for item in dump["oss_object"].values())
    for item in dump["oss_object"].values():
        item.pop("key")
    for item in dump["oss_bucket"].values():
        item["record"].pop("ordered")
    return {kind: recs for kind, recs in dump.items() if kind not in resources.DERIVED}, answers


@pytest.fixture
def ordered(monkeypatch) -> list:
    """The buckets indexed again (by name), as they are."""
    done: list = []
    order = world.Oss.order_bucket
    monkeypatch.setattr(world.Oss, "order_bucket", lambda self, record, txn: done.append(record["bucket"])
                        or order(self, record, txn))
    return done


def _check(engine: Engine, answers: dict, ordered: list) -> None:
    with MockECS(engine):
        assert _answers() == answers
        assert sorted(ordered) == sorted(NAMES)  # (once each; the empty bucket was not listed)
        assert _answers() == answers
        assert sorted(ordered) == sorted(NAMES)
        err = pytest.raises(oss2.exceptions.OssError, _bucket("other").delete_bucket).value
        assert (err.status, err.code) == (409, "BucketNotEmpty")  # (not deleted as if empty)
        assert [o.key for o in oss2.ObjectIterator(_bucket("empty"))] == []
        assert _bucket("empty").delete_bucket().status == 204
        b = _bucket("images")
        b.put_object("builds/0/new.raw", b"new")
        assert "builds/0/new.raw" in [o.key for o in oss2.ObjectIterator(b, prefix="builds/0/")]
    assert sorted(ordered) == sorted([*NAMES, "empty"])  # (the empty one on its first listing)


def test_an_old_memory_import_lists_its_objects(ordered):
    old, answers = _old_dump()
    engine = Engine()
    engine.store.import_(old)
    with engine.store.transaction() as txn:  # (what listing found before: nothing)
        assert txn.page("oss_object", ("bucket", "cn-hangzhou|images"), 0, 1)[0][0] == ""
    _check(engine, answers, ordered)


def test_an_old_sqlite_file_lists_its_objects(tmp_path, ordered):
    pytest.importorskip("mockecs_sqlite")
    old, answers = _old_dump()
    path = tmp_path / "old.db"
    write_old_sqlite(path, old)  # (no sort-key column at all)
    engine = Engine(Config(store=f"sqlite:///{path}"))
    try:
        _check(engine, answers, ordered)
    finally:
        engine.store.close()
    again = Engine(Config(store=f"sqlite:///{path}"))  # (the marks were stored: not indexed again)
    try:
        with MockECS(again):
            count = len(ordered)
            assert _answers()["images"]["rolled"] == answers["images"]["rolled"]
            assert len(ordered) == count
    finally:
        again.store.close()


def test_an_old_redis_keyspace_lists_its_objects(redis_url, ordered):  # noqa: F811
    from mockecs_redis import RedisStore, parse_url

    old, answers = _old_dump()
    store = RedisStore(*parse_url(redis_url))
    with store.transaction() as txn:  # (as written then: no sort keys)
        for kind, recs in old.items():
            for id, item in recs.items():
                txn.put(kind, id, item["record"], [tuple(t) for t in item["terms"]])
    store.close()
    engine = Engine(Config(store=redis_url))
    try:
        _check(engine, answers, ordered)
    finally:
        engine.store.close()


def test_a_bucket_made_today_is_never_indexed_again(ordered):
    with MockECS():
        _world()
        _answers()
    assert ordered == []

"""The engine's record cache (mockecs.world.cache): DescribeImages answers from records decoded and views
encoded once, kept by the store's raw form, never stale: after a write through the API, a write straight
to the store, for another caller, a transition in flight (a write by another engine on a shared store:
tests/test_shared_engines.py)."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.ops.registry import Context
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
from mockecs.wire.protocol import HttpRequest
from mockecs.world import images, resources

REGION = "cn-hangzhou"
SOURCE = "aliyun_3_x64_20G_alibase_20240819.vhd"


@pytest.fixture(autouse=True)
def memo_off(request):
    """The answer memo off: a request asked again must reach the record cache, the layer these tests are about
    (tests/test_answer_memo.py has the memo's own)."""
    if "engine" in request.fixturenames:
        request.getfixturevalue("engine").config.options["answer_memo"] = False


def call(engine: Engine, action: str, fmt: str = "JSON", account_key: str = "", **params: str) -> tuple[int, bytes]:
    query = {"Action": action, "Version": "2014-05-26", "Format": fmt, "RegionId": REGION, **params}
    if account_key:
        query["AccessKeyId"] = account_key
    resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/", {
        "content-type": "application/x-www-form-urlencoded"}, urlencode(query).encode()))
    return resp.status, resp.body


def ok(engine: Engine, action: str, **params: str) -> dict:
    status, body = call(engine, action, **params)
    assert status == 200, body
    return json.loads(body)


def new_image(engine: Engine, name: str) -> str:
    run = ok(engine, "RunInstances", ImageId=SOURCE, InstanceType="ecs.g7.large")
    return ok(engine, "CreateImage", InstanceId=run["InstanceIdSets"]["InstanceIdSet"][0], ImageName=name)["ImageId"]


def described(engine: Engine, **params: str) -> list[dict]:
    return ok(engine, "DescribeImages", **params)["Images"]["Image"]


def uncached(engine: Engine, action: str = "DescribeImages", fmt: str = "JSON", **params: str) -> bytes:
    """The answer with the record cache emptied first (RequestId left out)."""
    engine.record_cache.clear()
    return _without_id(call(engine, action, fmt, **params)[1])


def _without_id(body: bytes) -> bytes:
    text = body.decode()
    start = text.index("RequestId") + len("RequestId") + 2
    end = text.index("<", start) if text.startswith("<") else text.index('"', start + 1)
    return (text[:start] + text[end:]).encode()


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
@pytest.mark.parametrize("params", [{"ImageOwnerAlias": "self"}, {"ImageOwnerAlias": "self", "PageSize": "2"},
                                    {}, {"ImageId": "*"}, {"Status": "ALL"},
                                    {"ImageOwnerAlias": "self", "ImageName": "cached-"}, {"ImageName": "ed-1"}])
def test_cached_answers_are_the_uncached_ones(engine, params, fmt):
    made = [new_image(engine, f"cached-{n}") for n in range(3)]
    params = {k: (made[1] if v == "*" else v) for k, v in params.items()}
    first = uncached(engine, fmt=fmt, **params)
    assert b"cached-" in first
    for _ in range(2):  # then from the cache, twice
        assert _without_id(call(engine, "DescribeImages", fmt, **params)[1]) == first
    kept = engine.record_cache._entries.values()
    assert kept and all(entry.views for entry in kept)


def test_a_write_through_the_api_is_seen(engine):
    image_id = new_image(engine, "before")
    assert described(engine, ImageId=image_id)[0]["ImageName"] == "before"
    assert described(engine, ImageOwnerAlias="self")[0]["ImageName"] == "before"
    ok(engine, "ModifyImageAttribute", ImageId=image_id, ImageName="after")
    assert described(engine, ImageId=image_id)[0]["ImageName"] == "after"
    assert described(engine, ImageOwnerAlias="self")[0]["ImageName"] == "after"
    ok(engine, "DeleteImage", ImageId=image_id)
    assert described(engine, ImageId=image_id) == [] and described(engine, ImageOwnerAlias="self") == []


def test_a_write_straight_to_the_store_is_seen(engine):
    """No drop from images.put: the raw form alone tells a changed record, even one equal in Python (0 and
    False), read by id or in a page."""
    image_id = new_image(engine, "raw")
    assert described(engine, ImageId=image_id)[0]["ImageName"] == "raw"
    with engine.store.transaction() as txn:
        resources.put(txn, "image", dict(txn.get("image", image_id), ImageName="changed"))
    assert described(engine, ImageId=image_id)[0]["ImageName"] == "changed"
    assert described(engine, ImageOwnerAlias="self")[0]["ImageName"] == "changed"
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", DEFAULT_ACCOUNT_ID, REGION, "t", "ecs.aliyuncs.com", engine.clock.now(), {})
        for value in (0, False, 0, 0.0):
            txn.put("image", image_id, dict(txn.get("image", image_id), Odd=value))
            for _ in range(2):
                read = engine.record_cache.read_many(ctx, "image", [image_id])[0]["Odd"]
                assert (read, type(read)) == (value, type(value))


def test_views_differ_by_caller_and_usage(engine, other):
    image_id = new_image(engine, "shared")
    ok(engine, "ModifyImageSharePermission", ImageId=image_id, **{"AddAccount.1": other.account_id})
    mine = described(engine, ImageId=image_id)[0]
    theirs = json.loads(call(engine, "DescribeImages", account_key=other.access_key_id, ImageId=image_id)[1])
    theirs = theirs["Images"]["Image"][0]
    assert (mine["ImageOwnerAlias"], mine["IsSelfShared"]) == ("self", "True")
    assert (theirs["ImageOwnerAlias"], theirs["IsSelfShared"]) == ("others", "")
    assert described(engine, ImageId=image_id)[0] == mine
    assert mine["Usage"] == "none"
    ok(engine, "RunInstances", ImageId=image_id, InstanceType="ecs.g7.large")
    assert described(engine, ImageId=image_id)[0]["Usage"] == "instance"


def test_a_transition_in_flight_is_settled_not_kept(engine):
    engine.lifecycle.delay("image", seconds=60)
    image_id = new_image(engine, "slow")
    assert described(engine, ImageId=image_id, Status="ALL")[0]["Status"] == "Creating"
    assert described(engine, ImageOwnerAlias="self", Status="ALL")[0]["Status"] == "Creating"
    assert not engine.record_cache._entries  # records in flight are never kept
    engine.clock.advance(61)
    assert described(engine, ImageId=image_id)[0]["Status"] == "Available"
    assert described(engine, ImageOwnerAlias="self")[0]["Status"] == "Available"


def test_the_cache_is_bounded(engine):
    engine.record_cache.limit = 5
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", DEFAULT_ACCOUNT_ID, REGION, "t", "ecs.aliyuncs.com", engine.clock.now(), {})
        for n in range(12):
            images.put(ctx, images.new_record(ctx, REGION, [images.mapping("/dev/xvda", "system", 40)],
                                              ImageName=f"n-{n}", CreationTime=f"2024-06-01T08:00:{n:02d}Z"))
    listed = described(engine, ImageOwnerAlias="self", PageSize="12")
    assert [i["ImageName"] for i in listed] == [f"n-{n}" for n in range(11, -1, -1)]
    assert len(engine.record_cache._entries) == 5
    engine.reset()
    assert not engine.record_cache._entries



def test_an_entry_another_thread_already_removed_is_no_error(engine):
    # Two threads of a server missing on the same record both replace its entry; the second finds the
    # first's bookkeeping gone. Replacing or dropping such an entry must not raise (it was a KeyError: a 500).
    image_id = new_image(engine, "twice")
    assert described(engine, ImageId=image_id)
    entry = engine.record_cache._entries[("image", image_id)]
    del engine.record_cache._by_record[id(entry.record)]  # what the other thread did
    ok(engine, "ModifyImageAttribute", ImageId=image_id, Description="changed")  # drops the entry
    assert described(engine, ImageId=image_id)[0]["Description"] == "changed"
    entry = engine.record_cache._entries[("image", image_id)]
    del engine.record_cache._by_record[id(entry.record)]
    with engine.store.transaction() as txn:  # a write that bypasses images.put: the entry is replaced on read
        record = dict(txn.get("image", image_id), Description="again")
        resources.put(txn, "image", record)
    assert described(engine, ImageId=image_id)[0]["Description"] == "again"


def test_a_page_on_sqlite_decodes_only_the_records_written_since(tmp_path, monkeypatch):
    """SQLite's raw forms are record versions: a page reads no record the cache holds as stored, and the
    ones written since (straight to the store here) at once, in the page's order."""
    sqlite_store = pytest.importorskip("mockecs_sqlite")
    engine = Engine(Config(store=f"sqlite:///{tmp_path / 'cache.db'}"))
    engine.reset()
    try:
        made = []
        for n in range(4):
            made.append(new_image(engine, f"n-{n}"))
            engine.clock.advance(1)  # (newest first)
        decoded: list[list] = []
        decode_many = sqlite_store._SqliteTransaction.decode_many
        monkeypatch.setattr(sqlite_store._SqliteTransaction, "decode_many",
                            lambda txn, raws: decoded.append(raws) or decode_many(txn, raws))
        names = [image["ImageName"] for image in described(engine, ImageOwnerAlias="self")]
        assert names == ["n-3", "n-2", "n-1", "n-0"] and len(decoded) == 1 and len(decoded[0]) == 4
        with engine.store.transaction() as txn:
            for image_id in made[1:3]:
                resources.put(txn, "image", dict(txn.get("image", image_id), ImageName=image_id))
        for _ in range(2):  # then from the cache alone
            names = [image["ImageName"] for image in described(engine, ImageOwnerAlias="self")]
            assert names == ["n-3", made[2], made[1], "n-0"] and len(decoded) == 2 and len(decoded[1]) == 2
    finally:
        engine.reset()
        engine.store.close()


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_the_store_and_the_record_cache_decode_a_record_once(tmp_path, store):
    """A record read by ``get`` (a copy callers may change) and by a describe (the record cache, read-only)
    is decoded once: the cache keeps the store's own decoded record, and changing a copy from ``get``
    changes neither."""
    if store == "sqlite":
        pytest.importorskip("mockecs_sqlite")
    engine = Engine(Config(store=f"sqlite:///{tmp_path / 'once.db'}" if store == "sqlite" else "memory://"))
    engine.reset()
    try:
        image_id = new_image(engine, "once")
        engine.record_cache.clear()
        with engine.store.transaction() as txn:
            copy = txn.get("image", image_id)
            raw = txn.raw_many("image", [image_id])[0]
            assert txn.decode(raw) is txn.decode(raw) and txn.decode(raw) is not copy and txn.decode(raw) == copy
            kept = txn.decode(raw)
            copy["ImageName"] = "changed by a caller"
        assert described(engine, ImageId=image_id)[0]["ImageName"] == "once"
        assert engine.record_cache._entries[("image", image_id)].record is kept
        with engine.store.transaction() as txn:
            assert txn.get("image", image_id)["ImageName"] == "once"
    finally:
        engine.reset()
        engine.store.close()

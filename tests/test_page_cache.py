"""A page of stored images kept whole (mockecs.world.images.stored_views): answered again while the store
holds the very records it was made from and their usage counts are the same, on every store; never after a
write (through the API, straight to the store, by another engine on a shared store, rolled back), an
instance launched or released, or for another caller."""
from __future__ import annotations

import json

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.ops.registry import Context
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
from mockecs.world import images, resources
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.test_record_cache import SOURCE, call, new_image, ok

PAGE = {"ImageOwnerAlias": "self", "PageSize": "100"}


@pytest.fixture(params=["memory", "sqlite", "redis"])
def url(request, tmp_path):
    if request.param == "redis":
        return request.getfixturevalue("redis_url")
    if request.param == "sqlite":
        pytest.importorskip("mockecs_sqlite")
        return f"sqlite:///{tmp_path / 'pages.db'}"
    return "memory://"


@pytest.fixture
def engine(url):
    # (the answer memo off: the same request again must reach the page cache, the layer these tests are about;
    # tests/test_answer_memo.py has the memo's own)
    engine = Engine(Config(store=url, options={"answer_memo": False}))
    engine.reset()
    yield engine
    engine.reset()
    engine.store.close()


@pytest.fixture
def other_account(engine):
    from tests.sdk import make_account

    return make_account(engine, "2222333344445555")


def page(engine: Engine, **params: str) -> list[dict]:
    return ok(engine, "DescribeImages", **{**PAGE, **params})["Images"]["Image"]


def views_built(monkeypatch) -> list[str]:
    """The ids of the images whose views are looked up or built from now on."""
    built: list[str] = []
    view = images.view
    monkeypatch.setattr(images, "view",
                        lambda ctx, record, *a: built.append(record["ImageId"]) or view(ctx, record, *a))
    return built


def made(engine: Engine, count: int = 3) -> list[str]:
    out = []
    for n in range(count):
        out.append(new_image(engine, f"page-{n}"))
        engine.clock.advance(1)  # (newest first)
    return out


def test_a_kept_page_is_the_answer_until_a_record_changes(engine, monkeypatch):
    image_ids = made(engine)
    first = page(engine)
    built = views_built(monkeypatch)
    assert page(engine) == first and built == []  # the kept page, no view looked up
    assert engine.record_cache._pages
    ok(engine, "ModifyImageAttribute", ImageId=image_ids[1], ImageName="renamed")
    assert [i["ImageName"] for i in page(engine)] == ["page-2", "renamed", "page-0"]
    with engine.store.transaction() as txn:  # straight to the store: no hook tells the cache
        resources.put(txn, "image", dict(txn.get("image", image_ids[0]), ImageName="straight"))
    assert [i["ImageName"] for i in page(engine)] == ["page-2", "renamed", "straight"]
    ok(engine, "DeleteImage", ImageId=image_ids[2])
    assert [i["ImageName"] for i in page(engine)] == ["renamed", "straight"]
    engine.clock.advance(1)
    new_image(engine, "new")
    assert [i["ImageName"] for i in page(engine)] == ["new", "renamed", "straight"]


def test_only_the_records_written_since_are_viewed_again(engine, monkeypatch):
    """A kept page with some of its records written since: the others' views are the kept ones, the written
    ones are built from their new raw form, even one equal in Python to the old (0 and False)."""
    image_ids = made(engine)
    page(engine)
    built = views_built(monkeypatch)
    for value in (0, False, 0, 0.0, 1, True):
        with engine.store.transaction() as txn:
            resources.put(txn, "image", dict(txn.get("image", image_ids[1]), Odd=value))
        with engine.store.transaction() as txn:  # (not through the API: Odd is no field of its answer)
            ctx = Context(engine, txn, "Test", DEFAULT_ACCOUNT_ID, "cn-hangzhou", "t", "ecs.aliyuncs.com",
                          engine.clock.now(), {})
            odd = images.stored_views(ctx, image_ids[::-1])[1]["Odd"]
        assert (odd, type(odd)) == (value, type(value))
        assert set(built) == {image_ids[1]}
    with engine.store.transaction() as txn:
        resources.put(txn, "image", {k: v for k, v in txn.get("image", image_ids[1]).items() if k != "Odd"})
    page(engine)
    ok(engine, "ModifyImageAttribute", ImageId=image_ids[0], ImageName="renamed")
    ok(engine, "ModifyImageAttribute", ImageId=image_ids[2], ImageName="renamed-too")
    del built[:]
    assert [i["ImageName"] for i in page(engine)] == ["renamed-too", "page-1", "renamed"]
    assert sorted(built) == sorted([image_ids[0], image_ids[2]])


def test_usage_is_counted_again_when_instances_change(engine, monkeypatch):
    """Usage comes from the image record (``Usage=instance`` once launched) or from the instances that
    run it: an instance stored straight to the store (the record unchanged) shows in the kept page."""
    image_ids = made(engine)
    assert {i["Usage"] for i in page(engine)} == {"none"}
    with engine.store.transaction() as txn:
        instance_id = next(iter(txn.ids("instance", ("image", SOURCE))))
        clone = dict(txn.get("instance", instance_id), InstanceId="i-clone", ImageId=image_ids[0])
        resources.put(txn, "instance", clone)
    assert [i["Usage"] for i in page(engine)] == ["none", "none", "instance"]
    with engine.store.transaction() as txn:
        txn.delete("instance", "i-clone")
    assert [i["Usage"] for i in page(engine)] == ["none", "none", "none"]
    # An instance of another image: the page's counts are read again, its views kept (the same counts).
    built = views_built(monkeypatch)
    ok(engine, "RunInstances", ImageId=SOURCE, InstanceType="ecs.g7.large")
    assert [i["Usage"] for i in page(engine)] == ["none", "none", "none"] and built == []
    ok(engine, "RunInstances", ImageId=image_ids[1], InstanceType="ecs.g7.large")
    assert [i["Usage"] for i in page(engine)] == ["none", "instance", "none"]


def test_while_no_instance_is_written_usage_is_not_counted_again(engine, monkeypatch):
    made(engine)
    page(engine)
    txns: list[object] = []
    with engine.store.transaction() as txn:
        kind = type(txn)
    original = kind.counts

    def counting(txn, of_kind, terms):
        terms = list(terms)
        txns.append((of_kind, len(terms)))
        return original(txn, of_kind, terms)

    monkeypatch.setattr(kind, "counts", counting)
    page(engine)
    assert ("instance", 3) not in txns  # the listing's TotalCount only


def raw_reads(engine: Engine, monkeypatch) -> list[tuple[str, int]]:
    """(kind, how many) of each ``raw_many`` the store's transactions are asked from now on."""
    with engine.store.transaction() as txn:
        kind = type(txn)
    original, reads = kind.raw_many, []

    def raw_many(txn, of_kind, ids):
        ids = list(ids)
        reads.append((of_kind, len(ids)))
        return original(txn, of_kind, ids)

    monkeypatch.setattr(kind, "raw_many", raw_many)
    return reads


def test_while_no_image_is_written_the_raw_forms_are_not_read_again(engine, url, monkeypatch):
    """Every store tells an image write by the kind's generation: a kept page is answered without reading its
    records' raw forms (Redis: nor a round trip for them); after a write (of any image, by any means) they
    are read and compared (on Redis only if the write was of the page's images)."""
    image_ids = made(engine)
    first = page(engine)
    reads = raw_reads(engine, monkeypatch)
    assert page(engine) == first and reads == []
    reads.clear()
    with engine.store.transaction() as txn:  # another image, not on the page, written straight to the store
        resources.put(txn, "image", dict(txn.get("image", image_ids[0]), ImageId="m-notonthepage0000001",
                                         _region="cn-shanghai"))
    # (Redis logs which images each write wrote: none of the page's, so their raw forms are not read either)
    assert page(engine) == first and reads == ([] if url.startswith("redis") else [("image", 3)])
    reads.clear()
    assert page(engine) == first and reads == []


@pytest.mark.parametrize("url", ["redis"], indirect=True)
def test_redis_reads_again_only_the_page_images_its_write_log_names(engine, url, monkeypatch):
    """On Redis each write logs the ids it wrote: a kept page reads again the raw forms of its own images
    written since (and answers what they hold now), and all of them when the log cannot tell (more writes
    than it keeps, a write of more ids than an entry names, a generation written without logging)."""
    from mockecs_redis import LOG, LOG_IDS

    image_ids = made(engine)
    first = page(engine)
    reads = raw_reads(engine, monkeypatch)

    def rename(image_id: str, name: str) -> None:
        with engine.store.transaction() as txn:
            resources.put(txn, "image", dict(txn.get("image", image_id), ImageName=name))

    rename(image_ids[1], "renamed-once")
    answered = page(engine)
    assert [i["ImageName"] for i in answered] == [("renamed-once" if i["ImageId"] == image_ids[1] else i["ImageName"])
                                                  for i in first]
    assert reads == [("image", 1)]
    reads.clear()
    assert page(engine) == answered and reads == []

    for n in range(LOG + 1):  # more writes than the log keeps, none of the page's images: all read again
        with engine.store.transaction() as txn:
            resources.put(txn, "image", dict(txn.get("image", image_ids[0]), ImageId=f"m-elsewhere{n:011d}",
                                             _region="cn-shanghai"))
    assert page(engine) == answered and reads == [("image", 3)]
    reads.clear()

    with engine.store.transaction() as txn:  # one write of more ids than an entry names: all read again
        for n in range(LOG_IDS + 1):
            resources.put(txn, "image", dict(txn.get("image", image_ids[0]), ImageId=f"m-bulk{n:015d}",
                                             _region="cn-shanghai"))
    assert page(engine) == answered and reads == [("image", 3)]
    reads.clear()

    # A generation written without its log entry (another tool, an older release): all read again, and
    # the renamed image is answered as it is now.
    rename(image_ids[2], "renamed-unlogged")
    store = engine.store
    store.client.lpop(store.logkey("image"))
    answered = page(engine)
    assert reads == [("image", 3)]
    assert [i["ImageName"] for i in answered if i["ImageId"] == image_ids[2]] == ["renamed-unlogged"]


def test_a_page_is_kept_per_caller(engine, other_account):
    image_ids = made(engine, 2)
    for image_id in image_ids:
        ok(engine, "ModifyImageSharePermission", ImageId=image_id, **{"AddAccount.1": other_account.account_id})
    mine = page(engine)
    theirs = json.loads(call(engine, "DescribeImages", account_key=other_account.access_key_id,
                             ImageOwnerAlias="others", PageSize="100")[1])["Images"]["Image"]
    assert [i["ImageId"] for i in mine] == [i["ImageId"] for i in theirs] == image_ids[::-1]
    assert {(i["ImageOwnerAlias"], i["IsSelfShared"]) for i in mine} == {("self", "True")}
    assert {(i["ImageOwnerAlias"], i["IsSelfShared"]) for i in theirs} == {("others", "")}
    assert page(engine) == mine


@pytest.mark.parametrize("rename", [False, True])
def test_a_rolled_back_write_is_not_kept(engine, rename):
    """A page made inside a transaction that is then rolled back (an instance of one of its images, a
    rename) is not the answer afterwards: the memory store's rollback writes again, SQLite's moves its
    versions' epoch on, Redis never wrote."""
    image_ids = made(engine, 2)
    assert [i["Usage"] for i in page(engine)] == ["none", "none"]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", DEFAULT_ACCOUNT_ID, "cn-hangzhou", "t", "ecs.aliyuncs.com",
                      engine.clock.now(), {})
        instance_id = next(iter(txn.ids("instance", ("image", SOURCE))))
        resources.put(txn, "instance", dict(txn.get("instance", instance_id), InstanceId="i-rolled-back",
                                            ImageId=image_ids[0]))
        if rename:
            resources.put(txn, "image", dict(txn.get("image", image_ids[1]), ImageName="rolled-back"))
        inside = [(v["ImageName"], v["Usage"]) for v in images.stored_views(ctx, image_ids[::-1])]
        assert inside == [("rolled-back" if rename else "page-1", "none"), ("page-0", "instance")]
        assert engine.record_cache._pages  # (kept: the transaction's own state)
        raise Boom
    assert [(i["ImageName"], i["Usage"]) for i in page(engine)] == [("page-1", "none"), ("page-0", "none")]


def test_a_transition_in_flight_is_not_kept(engine):
    engine.lifecycle.delay("image", seconds=60)
    made(engine, 2)
    assert {i["Status"] for i in page(engine, Status="Creating,Available")} == {"Creating"}
    assert not engine.record_cache._pages
    engine.clock.advance(61)
    assert {i["Status"] for i in page(engine, Status="Creating,Available")} == {"Available"}


def test_a_restore_and_a_reset_are_seen(engine):
    image_ids = made(engine, 2)
    snapshot = engine.store.snapshot()
    ok(engine, "RunInstances", ImageId=image_ids[0], InstanceType="ecs.g7.large")
    assert [i["Usage"] for i in page(engine)] == ["none", "instance"]
    engine.store.restore(snapshot)
    assert [i["Usage"] for i in page(engine)] == ["none", "none"]
    engine.reset()
    assert not engine.record_cache._pages and page(engine) == []


def test_kept_pages_are_bounded(engine):
    """At most ``page_limit`` pages, holding at most ``page_views`` views in all (the oldest go first)."""
    cache = engine.record_cache
    cache.page_limit = 3
    made(engine, 6)
    for size in range(1, 7):
        assert len(page(engine, PageSize=str(size))) == size
    assert [len(kept.views) for kept in cache._pages.values()] == [4, 5, 6]
    cache.page_limit, cache.page_views = 10, 12
    for size in range(1, 7):
        page(engine, PageSize=str(size))
    assert [len(kept.views) for kept in cache._pages.values()] == [5, 6]
    assert cache._viewed == 11
    for _ in range(3):  # the same page again: replaced, not counted twice
        ok(engine, "ModifyImageAttribute", ImageId=page(engine, PageSize="6")[0]["ImageId"],
           Description="changed-once-more")
    assert cache._viewed == sum(len(kept.views) for kept in cache._pages.values()) <= 12


def test_another_engine_on_the_shared_store_is_seen(url):
    if url == "memory://":
        pytest.skip("a memory store is one process's own")
    first, second = Engine(Config(store=url)), Engine(Config(store=url))
    first.reset()
    try:
        image_ids = made(first, 2)
        assert [i["Usage"] for i in page(first)] == ["none", "none"]
        ok(second, "ModifyImageAttribute", ImageId=image_ids[1], ImageName="by-second")
        ok(second, "RunInstances", ImageId=image_ids[0], InstanceType="ecs.g7.large")
        assert [(i["ImageName"], i["Usage"]) for i in page(first)] == [("by-second", "none"),
                                                                       ("page-0", "instance")]
        second.clock.advance(10)
        new_image(second, "by-second-new")
        assert [i["ImageName"] for i in page(first)] == ["by-second-new", "by-second", "page-0"]
    finally:
        first.reset()
        first.store.close()
        second.store.close()


def test_a_page_with_catalog_images_is_kept_too(engine, monkeypatch):
    """A page merging catalog images (no alias: system and own images; system alone) is kept like one of
    stored images: a catalog image's record stands for itself."""
    image_ids = made(engine, 2)
    for params in ({"ImageOwnerAlias": "system"}, {"ImageOwnerAlias": ""}):
        engine.record_cache.clear()
        first = page(engine, **params)
        assert len(first) > 10 and any(i["ImageOwnerAlias"] == "system" for i in first)
        built = views_built(monkeypatch)
        assert page(engine, **params) == first and built == []
        monkeypatch.undo()
    listed = page(engine, ImageOwnerAlias="")
    assert [i["ImageId"] for i in listed if i["ImageOwnerAlias"] == "self"] == image_ids[::-1]
    built = views_built(monkeypatch)
    ok(engine, "ModifyImageAttribute", ImageId=image_ids[0], ImageName="renamed")
    again = page(engine, ImageOwnerAlias="")
    assert [i["ImageName"] for i in again if i["ImageOwnerAlias"] == "self"] == ["page-1", "renamed"]
    assert built == [image_ids[0]]
    ok(engine, "RunInstances", ImageId=image_ids[1], InstanceType="ecs.g7.large")
    assert [i["Usage"] for i in page(engine, ImageOwnerAlias="") if i["ImageOwnerAlias"] == "self"] == \
        ["instance", "none"]
    engine.record_cache.clear()  # (and the same as read afresh)
    assert page(engine, ImageOwnerAlias="") == page(engine, ImageOwnerAlias="")


def test_a_page_whose_views_depend_on_a_subscription_is_not_kept(engine):
    listed = page(engine, ImageOwnerAlias="marketplace")
    assert listed and all("IsSubscribed" in i for i in listed)
    assert not engine.record_cache._pages


def test_sqlite_reads_a_terms_page_again_only_once_its_entries_changed(tmp_path):
    """SQLite keeps the index pages it read (per term, offset, limit, order) while none of the term's
    entries changed: a rename leaves the listing's page alone, a new image does not."""
    pytest.importorskip("mockecs_sqlite")
    engine = Engine(Config(store=f"sqlite:///{tmp_path / 'memo.db'}"))
    engine.reset()
    txn = engine.store._txn
    conn = txn.conn
    statements: list[str] = []

    class Counting:
        def execute(self, sql, *args):
            statements.append(sql)
            return conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(conn, name)

    try:
        image_ids = made(engine, 2)
        page(engine)
        txn.conn = Counting()
        page(engine)
        ok(engine, "ModifyImageAttribute", ImageId=image_ids[0], ImageName="renamed")
        assert [i["ImageName"] for i in page(engine)] == ["page-1", "renamed"]
        assert not [s for s in statements if "ORDER BY skey" in s]
        new_image(engine, "new")
        assert [i["ImageName"] for i in page(engine)] == ["new", "page-1", "renamed"]
        assert len([s for s in statements if "ORDER BY skey" in s]) == 1
    finally:
        txn.conn = conn
        engine.reset()
        engine.store.close()

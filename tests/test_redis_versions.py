"""The Redis store's record versions and kind generations (plugins/mockecs-redis): a record's raw form is
its version (``v:<kind>:<id>``, new with every write, by any client), so that a page the record cache holds
reads versions only, never the records; a kind's generation (``gen:<kind>``) changes with every write of
the kind, so that a kept page's usage counts are not read again while no instance is written. Records
stored by a release without versions still read, by their JSON."""
from __future__ import annotations

import json

import pytest
import redis

from mockecs.engine.core import Config, Engine
from mockecs.state.store import Conflict, expect_reads
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.test_page_cache import made, page
from tests.test_record_cache import described, new_image, ok

mockecs_redis = pytest.importorskip("mockecs_redis", reason="plugins/mockecs-redis is not installed")
PAGE = 6  # images: more than the store reads whole with their versions (a page reads versions only)


def two_stores(url: str) -> tuple:
    """Two clients of one store (two processes, as far as the store can tell)."""
    return tuple(mockecs_redis.RedisStore(*mockecs_redis.parse_url(url)) for _ in range(2))


def put(store, id: str, n: int) -> None:
    with store.transaction() as txn:
        txn.put("image", id, {"ImageId": id, "n": n}, [("owner", "x")], key=id)


def raw_forms(store, ids: list[str]) -> list:
    with store.transaction() as txn:
        return txn.raw_many("image", ids)


def decoded(store, ids: list[str]) -> list[dict]:
    with store.transaction() as txn:
        return txn.decode_many(txn.raw_many("image", ids))


@pytest.fixture
def stores(request):
    mine, other = two_stores(request.getfixturevalue("redis_url"))
    yield mine, other
    mine.reset()
    mine.close()
    other.close()


@pytest.fixture
def sent(monkeypatch) -> list[bytes]:
    """What every Redis connection sends from now on (one entry a round trip)."""
    out: list[bytes] = []
    send = redis.connection.AbstractConnection.send_packed_command

    def record(conn, command, check_health=True):
        out.append(b"".join(command) if isinstance(command, list) else command)
        return send(conn, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", record)
    return out


@pytest.fixture
def engines(request):
    url = request.getfixturevalue("redis_url")
    first, second = Engine(Config(store=url)), Engine(Config(store=url))
    first.reset()
    yield first, second
    first.reset()
    first.store.close()
    second.store.close()


@pytest.mark.parametrize("count", [1, PAGE])
def test_a_record_rewritten_by_another_client_has_a_new_raw_form(stores, count):
    mine, other = stores
    ids = [f"m-{n}" for n in range(count)]
    for id in ids:
        put(mine, id, 1)
    before = raw_forms(mine, ids)
    assert raw_forms(mine, ids) == before and all(isinstance(raw, str) for raw in before)
    assert raw_forms(mine, []) == [] and decoded(mine, []) == []
    put(other, ids[-1], 2)
    after = raw_forms(mine, ids)
    assert after[:-1] == before[:-1] and after[-1] != before[-1]
    assert [r["n"] for r in decoded(mine, ids)] == [1] * (count - 1) + [2]
    put(other, ids[-1], 2)  # the same record again: a new version all the same (a write is a write)
    assert raw_forms(mine, ids)[-1] not in (before[-1], after[-1])
    before = raw_forms(mine, ids)
    with pytest.raises(KeyError), other.transaction() as txn:  # rolled back: nothing stored, nothing new
        txn.put("image", ids[0], {"ImageId": ids[0], "n": 4}, [("owner", "x")], key=ids[0])
        raise KeyError("rolled back")
    assert raw_forms(mine, ids)[0] == before[0] and decoded(mine, ids)[0]["n"] == (1 if count > 1 else 2)
    with other.transaction() as txn:
        txn.delete("image", ids[0])
    assert raw_forms(mine, ids)[0] is None


def test_a_version_read_before_its_record_changed_never_stands_for_the_new_record(stores):
    """The versions of records this process decoded before are read alone, their records after (if the
    record cache misses them): the record read may be newer than the version (then the version is never
    read again: nothing stale is kept), and a record deleted in between runs the request again."""
    mine, other = stores
    ids = [f"m-{n}" for n in range(PAGE)]
    for id in ids:
        put(mine, id, 1)
    decoded(mine, ids)
    with mine.transaction() as txn:
        expect_reads(txn)
        raws = txn.raw_many("image", ids)
        put(other, ids[0], 2)
        assert txn.decode(raws[0])["n"] == 2
    assert raw_forms(mine, ids)[0] != raws[0]
    decoded(mine, ids)
    with pytest.raises(Conflict), mine.transaction() as txn:
        expect_reads(txn)
        raws = txn.raw_many("image", ids)
        with other.transaction() as otxn:
            otxn.delete("image", ids[1])
        txn.decode_many(raws)


@pytest.mark.parametrize("lazy", [False, True])
def test_versions_read_are_checked_when_the_transaction_writes(stores, lazy):
    mine, other = stores
    ids = [f"m-{n}" for n in range(PAGE)]
    for id in ids:
        put(mine, id, 1)
    with pytest.raises(Conflict), mine.transaction() as txn:
        if lazy:
            expect_reads(txn)
        txn.raw_many("image", ids)
        put(other, ids[3], 2)
        txn.put("image", "m-new", {"n": 1}, [("owner", "x")], key="m-new")
    with other.transaction() as txn:
        assert txn.get("image", "m-new") is None


def test_a_page_read_again_reads_no_record(engines, sent):
    """A kept page reads the records' versions (and the instances' generation), not the records, nor the
    usage counts; a by-id read of a record changed since reads it in the same round trip as its version."""
    first, second = engines
    image_ids = made(first, PAGE)
    page(first)
    del sent[:]
    names = [i["ImageName"] for i in page(first)]
    assert names == [f"page-{n}" for n in reversed(range(PAGE))]
    assert sent and not any(b":r:image:" in command for command in sent)
    assert not any(b":i:instance:image:" in command for command in sent)  # (no usage counted)
    ok(second, "ModifyImageAttribute", ImageId=image_ids[2], ImageName="by-second")
    del sent[:]
    assert [i["ImageName"] for i in page(first)][PAGE - 3] == "by-second"
    # (only the record written since)
    assert [image_id for image_id in image_ids if f":r:image:{image_id}".encode() in b"".join(sent)] == [image_ids[2]]
    # A record this process never decoded (a new image, by another engine) is read with the versions.
    second.clock.advance(10)
    new_id = new_image(second, "new")
    del sent[:]
    assert page(first)[0]["ImageName"] == "new"
    reads = [command for command in sent if f":v:image:{new_id}".encode() in command]
    assert len(reads) == 1 and [command for command in sent if f":r:image:{new_id}".encode() in command] == reads
    ok(second, "ModifyImageAttribute", ImageId=image_ids[3], ImageName="by-second-again")
    del sent[:]
    assert described(first, ImageId=image_ids[3])[0]["ImageName"] == "by-second-again"
    reads = [command for command in sent if f":v:image:{image_ids[3]}".encode() in command]
    assert len(reads) == 1 and f":r:image:{image_ids[3]}".encode() in reads[0]


def test_usage_follows_instances_another_client_writes(engines, sent):
    first, second = engines
    image_ids = made(first, PAGE)
    assert {i["Usage"] for i in page(first)} == {"none"}
    with first.store.transaction() as txn:
        generation = txn.generation("instance")
        assert txn.generation("image") != generation
    ok(second, "RunInstances", ImageId=image_ids[1], InstanceType="ecs.g7.large")
    del sent[:]
    assert [i["Usage"] for i in page(first)] == ["none"] * (PAGE - 2) + ["instance", "none"]
    assert any(b":i:instance:image:" in command for command in sent)  # (counted again: the generation moved)
    with first.store.transaction() as txn:
        assert txn.generation("instance") != generation
        generation = txn.generation("instance")
    ok(second, "ModifyImageAttribute", ImageId=image_ids[1], ImageName="renamed")  # (no instance written)
    with first.store.transaction() as txn:
        assert txn.generation("instance") == generation
        txn.put("instance", "i-mine", {"InstanceId": "i-mine"})
        assert txn.generation("instance") is None  # (counts are this transaction's own now)


def test_records_without_versions_still_read(engines, sent):
    """A store written by a release without versions: its records stand for themselves by their JSON, a
    page and a by-id read answer them, and the next write gives them a version. (A release without versions
    writing *while* this one runs is not supported: it sets no generation, so a page kept since would not see
    its write. The README says every process sharing a keyspace must run this release.)"""
    first, second = engines
    image_ids = made(first, PAGE)
    client, prefix = first.store.client, first.store.prefix
    assert client.delete(*[f"{prefix}v:image:{image_id}" for image_id in image_ids]) == PAGE
    first.record_cache.clear()
    assert [i["ImageName"] for i in page(first)] == [f"page-{n}" for n in reversed(range(PAGE))]
    assert described(first, ImageId=image_ids[0])[0]["ImageName"] == "page-0"
    with first.store.transaction() as txn:
        raws = txn.raw_many("image", image_ids)
        assert [json.loads(raw)[2]["ImageId"] for raw in raws] == image_ids  # (their JSON)
    ok(second, "ModifyImageAttribute", ImageId=image_ids[1], ImageName="versioned")
    assert client.get(f"{prefix}v:image:{image_ids[1]}") is not None
    assert [i["ImageName"] for i in page(first)][PAGE - 2] == "versioned"
    assert described(first, ImageId=image_ids[1])[0]["ImageName"] == "versioned"


def test_a_record_stored_by_hand_the_old_way_reads(stores):
    mine, _ = stores
    ids = [f"old-{n}" for n in range(PAGE)]
    for id in ids:  # what a release without versions stored: the record, its index entry, its kind's ids
        mine.client.set(mine.rkey("image", id), json.dumps([id, [["owner", "x"]], {"ImageId": id}]))
        mine.client.zadd(mine.ikey("image", ("owner", "x")), {f"{id}\0{id}": 0})
        mine.client.sadd(mine.kkey("image"), id)
    mine.client.sadd(mine.prefix + "kinds", "image")
    for count in (1, PAGE):
        assert [r["ImageId"] for r in decoded(mine, ids[:count])] == ids[:count]
    with mine.transaction() as txn:
        assert [e[1] for e in txn.page("image", ("owner", "x"), 0, 10)] == ids
        assert txn.get("image", ids[2]) == {"ImageId": ids[2]}
        assert txn.generation("image") == ""  # (none stored: no write of the kind since)
    assert set(mine.export()["image"]) == set(ids)


def test_versions_and_generations_go_with_a_reset_and_come_with_a_restore(stores):
    mine, other = stores
    for n in range(3):
        put(mine, f"m-{n}", n)
    snapshot = mine.snapshot()
    before = raw_forms(mine, ["m-0"])
    with mine.transaction() as txn:
        generation = txn.generation("image")
    assert generation
    mine.reset()
    assert list(mine.client.scan_iter(match=mine.prefix + "*")) == []
    mine.restore(snapshot)
    assert mine.export() == snapshot
    assert raw_forms(other, ["m-0"]) not in ([None], before)
    with other.transaction() as txn:
        assert txn.generation("image") not in ("", generation)


def test_a_version_is_never_stored_twice(stores):
    mine, _ = stores
    seen = set()
    for n in range(50):
        put(mine, "m-0", n % 2)
        seen.add(raw_forms(mine, ["m-0"])[0])
    assert len(seen) == 50
    assert len({mockecs_redis.token() for _ in range(1000)}) == 1000


def test_a_generation_is_read_before_the_counts_read_with_it(stores, sent):
    """Counts kept with a generation must be no older than it: read ahead together, the generation goes
    first; counts read ahead and asked for before the round trip that carries them are read once."""
    mine, _ = stores
    put(mine, "m-0", 1)
    terms = [("owner", "x"), ("owner", "y")]
    with mine.transaction() as txn:
        expect_reads(txn)
        del sent[:]
        txn.count_ahead("image", terms)
        txn.generation_ahead("image")
        assert txn.counts("image", terms) == [1, 0]
        assert txn.generation("image") != ""
    trip = b"".join(sent)
    assert len(sent) == 1 and trip.count(b"EVAL") == 1 and trip.index(b":gen:image") < trip.index(b"EVAL")

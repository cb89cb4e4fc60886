"""Two engines on one shared store (a SQLite file, one Redis) see one world: records, and also the
clock, lifecycle delays and failures, faults and accounts added at run time (mockecs.engine.shared)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.wire.protocol import HttpRequest
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures

REGION = "cn-hangzhou"


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request, tmp_path):
    if request.param == "redis":
        return request.getfixturevalue("redis_url")
    pytest.importorskip("mockecs_sqlite")
    return f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture
def pair(store_url):
    first = Engine(Config(store=store_url))
    first.reset()
    second = Engine(Config(store=store_url))
    yield first, second
    first.reset()
    first.store.close()
    second.store.close()


def call(engine: Engine, action: str, **params: str) -> tuple[int, dict]:
    query = {"Action": action, "Version": "2014-05-26", "Format": "JSON", "RegionId": REGION, **params}
    resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/", {
        "content-type": "application/x-www-form-urlencoded"}, urlencode(query).encode()))
    return resp.status, json.loads(resp.body)


def _image(engine: Engine, name: str) -> str:
    status, run = call(engine, "RunInstances", ImageId="aliyun_3_x64_20G_alibase_20240819.vhd",
                       InstanceType="ecs.g7.large")
    assert status == 200, run
    status, body = call(engine, "CreateImage", InstanceId=run["InstanceIdSets"]["InstanceIdSet"][0], ImageName=name)
    assert status == 200, body
    return body["ImageId"]


def test_a_second_engine_sees_the_same_world(pair):
    first, second = pair
    # Lifecycle delays set on one engine hold for images the other creates; the clock is shared too.
    first.lifecycle.delay("image", seconds=60)
    image_id = _image(second, "slow")
    status, body = call(first, "DescribeImages", ImageId=image_id, Status="ALL")
    assert body["Images"]["Image"][0]["Status"] == "Creating"
    second.clock.advance(61)
    assert first.clock.offset == 0  # not reloaded until its next request ...
    status, body = call(first, "DescribeImages", ImageId=image_id, Status="ALL")
    assert body["Images"]["Image"][0]["Status"] == "Available" and first.clock.offset == 61
    # A fault injected once fires once, whichever engine answers.
    first.inject("DescribeRegions", "Throttling", times=1)
    assert call(second, "DescribeRegions")[1]["Code"] == "Throttling"
    assert call(first, "DescribeRegions")[0] == 200 and call(second, "DescribeRegions")[0] == 200
    # A queued failure is used by exactly one image.
    first.lifecycle.delay("image", seconds=0)
    second.lifecycle.fail_next("image")
    failed = _image(first, "fails")
    fine = _image(second, "works")
    statuses = {i["ImageId"]: i["Status"] for i in call(first, "DescribeImages", ImageOwnerAlias="self",
                                                        Status="ALL", PageSize="100")[1]["Images"]["Image"]}
    assert statuses[failed] == "CreateFailed" and statuses[fine] == "Available"
    # Accounts and keys added at run time: the other engine resolves the key.
    first.accounts.add_key("2000000000000001", "shared-key", "secret")
    call(second, "DescribeRegions")
    assert second.accounts.resolve("shared-key", None, True).account_id == "2000000000000001"
    # A fresh engine on the store starts from the same world.
    third = Engine(Config(store=first.config.store))
    call(third, "DescribeRegions")
    assert third.clock.offset == 61 and third.accounts.exists("2000000000000001")
    assert third.lifecycle.failures == {failed: "Injected failure."}
    third.store.close()
    # A reset on one engine is a reset for every engine.
    first.reset()
    call(second, "DescribeRegions")
    assert second.clock.offset == 0 and not second.accounts.exists("2000000000000001")
    assert second.lifecycle.failures == {} and second.faults == []
    assert call(second, "DescribeImages", ImageOwnerAlias="self")[1]["TotalCount"] == 0


def test_a_request_sees_changes_made_since_the_engine_last_looked(pair):
    # The stamp is checked inside the request's own transaction (on Redis, riding its first round trip):
    # a request that began on the old state runs again, once, on the new one.
    first, second = pair
    call(second, "DescribeImages", ImageOwnerAlias="self")  # (second has read the stamp once)
    first.accounts.add_key("2000000000000002", "late-key", "secret")
    first.inject("CreateImage", "Throttling", times=1)
    status, run = call(second, "RunInstances", ImageId="aliyun_3_x64_20G_alibase_20240819.vhd",
                       InstanceType="ecs.g7.large", AccessKeyId="late-key")
    instance_id = run["InstanceIdSets"]["InstanceIdSet"][0]
    assert call(second, "CreateImage", InstanceId=instance_id, ImageName="late",
                AccessKeyId="late-key")[1]["Code"] == "Throttling"
    first.clock.advance(3600)
    status, body = call(second, "CreateImage", InstanceId=instance_id, ImageName="late", AccessKeyId="late-key")
    assert status == 200, body
    status, listed = call(first, "DescribeImages", ImageOwnerAlias="self", AccessKeyId="late-key")
    assert [i["ImageId"] for i in listed["Images"]["Image"]] == [body["ImageId"]]  # written once
    created = datetime.strptime(listed["Images"]["Image"][0]["CreationTime"], "%Y-%m-%dT%H:%M:%SZ")
    assert created.replace(tzinfo=timezone.utc).timestamp() > time.time() + 3000 and second.clock.offset == 3600
    assert call(second, "DescribeImages", ImageOwnerAlias="self")[1]["TotalCount"] == 0  # not the default account's


def test_a_signature_nonce_is_used_once_across_engines(pair):
    """Strict mode's replay check (``verify``'s nonce_seen) goes through the shared store."""
    import time

    first, second = pair
    now = time.time()
    assert first.shared.nonce_seen("nonce-1", now + 60) is False
    assert second.shared.nonce_seen("nonce-1", now + 60) is True  # a replay to another worker
    assert second.shared.nonce_seen("nonce-old", now - 1) is False  # (recorded already expired)
    assert first.shared.nonce_seen("nonce-old", now + 60) is False  # an expired nonce may come again
    for n in range(70):  # a purge (every 64th check) drops the expired ones, keeps the live one
        first.shared.nonce_seen(f"gone-{n}", now - 1)
    with first.store.transaction() as txn:
        left = txn.count("mockecs_nonce", ("nonce", ""))
    assert left < 20 and second.shared.nonce_seen("nonce-1", now + 60) is True


def test_a_request_run_again_keeps_its_signature_nonce(store_url):
    """Strict mode: a request whose transaction finds the shared state changed since it began runs
    again without checking its nonce a second time (it would be a replay of itself)."""
    from mockecs.wire.signing import v1_signature

    first = Engine(Config(store=store_url))
    first.reset()
    second = Engine(Config(store=store_url, strict_signatures=True))
    try:
        first.accounts.add_key("2000000000000003", "strict-key", "secret")
        sync, changed = second.shared.sync, []

        def sync_then_another_engine_changes() -> None:
            sync()
            if not changed:
                changed.append(first.clock.advance(5))

        second.shared.sync = sync_then_another_engine_changes
        params = {"Action": "DescribeImages", "Version": "2014-05-26", "Format": "JSON", "RegionId": REGION,
                  "ImageOwnerAlias": "self", "AccessKeyId": "strict-key", "SignatureMethod": "HMAC-SHA1",
                  "SignatureVersion": "1.0", "SignatureNonce": "once-only",
                  "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        params["Signature"] = v1_signature("POST", params, "secret")
        resp = second.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/", {
            "content-type": "application/x-www-form-urlencoded"}, urlencode(params).encode()))
        assert resp.status == 200, resp.body
        assert changed and second.clock.offset == 5  # (it ran again, on the new state)
    finally:
        first.reset()
        first.store.close()
        second.store.close()


def test_a_fault_that_does_not_match_changes_nothing_shared(pair):
    """While faults are set every request checks them in a store transaction; one that takes none writes
    nothing (the others keep their state, and requests under way elsewhere need not run again)."""
    first, second = pair
    first.inject("DeleteImage", "Throttling", times=1)
    call(second, "DescribeRegions")
    with second.store.transaction() as txn:
        stamp = txn.get("mockecs_meta", "stamp")
    for action in ("DescribeRegions", "DescribeImages", "DescribeZones"):
        assert call(second, action)[0] == 200
    with second.store.transaction() as txn:
        assert txn.get("mockecs_meta", "stamp") == stamp
    assert call(second, "DeleteImage", ImageId="m-none")[1]["Code"] == "Throttling"
    with second.store.transaction() as txn:
        assert txn.get("mockecs_meta", "stamp") != stamp  # (taken: the others must see it gone)
    assert first.faults != [] and call(first, "DescribeRegions")[0] == 200 and first.faults == []


def test_what_one_engine_keeps_decoded_follows_the_others_writes(pair):
    """The record cache (mockecs.world.cache) is keyed on the stored form, so another process' write is seen
    by the next read, by ImageId and in a page, whatever this engine decoded and encoded before."""
    first, second = pair
    image_id = _image(first, "one")

    def names() -> list[list[str]]:
        answers = [call(first, "DescribeImages", **query)[1] for query in ({"ImageId": image_id},
                                                                            {"ImageOwnerAlias": "self"})]
        return [[image["ImageName"] for image in answer["Images"]["Image"]] for answer in answers]

    assert names() == names() == [["one"], ["one"]]
    assert call(second, "ModifyImageAttribute", ImageId=image_id, ImageName="two")[0] == 200
    assert names() == [["two"], ["two"]]
    assert call(second, "DeleteImage", ImageId=image_id)[0] == 200
    assert names() == [[], []]

"""DescribeImages' ImageName (a substring of the name) answered from the store's substring index gives
what reading every image gives: the same TotalCount, order (exact name first, then newest) and pages,
on every store, after renames and deletes too."""
from __future__ import annotations

import random
from typing import Optional

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.ops.registry import Context
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
from mockecs.world import images, resources
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.test_shared_engines import call as answer

REGION = "cn-hangzhou"
ME, OTHER = DEFAULT_ACCOUNT_ID, "2234567890123456"
PIECES = ["web", "-", "2024", "06", "ab", "a", "b", "é", "镜像", "x", "web-2024", "|"]
FRAGMENTS = ["web", "web-", "-20", "2024-0", "ab", "a", "b", "é", "镜", "镜像-", "aba", "bab", "x-x", "zzz", "WEB",
             "web-2024-06", "-", "4-0", "|", "a|b", "wé", "06-a"]
STATUS_QUERIES = [{}, {"Status": "Available,Creating"}, {"Status": "Deprecated"}]


@pytest.fixture(params=["memory", "sqlite", "redis"])
def engine(request, tmp_path):
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
    elif request.param == "sqlite":
        pytest.importorskip("mockecs_sqlite")
        url = f"sqlite:///{tmp_path / 'names.db'}"
    else:
        url = "memory://"
    engine = Engine(Config(store=url))
    engine.reset()
    yield engine
    engine.reset()
    engine.store.close()


def call(engine: Engine, action: str, **params: str) -> dict:
    status, body = answer(engine, action, **params)
    assert status == 200, body
    return body


def _seed(engine: Engine, rng: random.Random, count: int = 150) -> None:
    with engine.store.transaction() as txn:
        for _ in range(count):
            owner = ME if rng.random() < 0.75 else OTHER
            ctx = Context(engine, txn, "Test", owner, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})
            name = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 5)))
            # Some of the other account's images are shared with the caller, some are community images
            # (the caller's own community images too): found by name through their own text terms.
            shared = owner == OTHER and rng.random() < 0.5
            public = rng.random() < 0.2
            images.put(ctx, images.new_record(
                ctx, rng.choice([REGION, REGION, "cn-beijing"]), [], ImageName=name,
                CreationTime=resources.iso(1_700_000_000 + rng.randrange(30)),  # ties: broken by id
                Status=rng.choice(["Available", "Available", "Creating", "Deprecated"]),
                _shares={ME: "2024-01-01T00:00:00Z"} if shared else {}, IsSelfShared="True" if shared else "False",
                _public=public, IsPublic=public))


def _everything(engine: Engine) -> list[dict]:
    with engine.store.transaction() as txn:
        return [r for _, r in txn.scan("image") if r["_owner"] == ME and r["_region"] == REGION]


def _expected(every: list[dict], fragment: str, statuses: Optional[set[str]]) -> list[str]:
    """Reading every image: those in the statuses (None: all), names holding the fragment; exact name first."""
    found = [r for r in every if (statuses is None or r["Status"] in statuses)
             and fragment in (r.get("ImageName") or "")]
    found.sort(key=lambda r: (r.get("ImageName") == fragment, r["CreationTime"], r["ImageId"]), reverse=True)
    return [r["ImageId"] for r in found]


def _listing(engine: Engine, **extra: str) -> list[dict]:
    """Every image of a listing without a name (the ordered index), page after page."""
    found: list[dict] = []
    while True:
        body = call(engine, "DescribeImages", PageNumber=str(len(found) // 100 + 1), PageSize="100", **extra)
        found += body["Images"]["Image"]
        if len(found) >= body["TotalCount"]:
            return found


# Listings compared (ImageOwnerAlias, IsPublic): no alias (catalog, own, shared with the caller), images
# shared with the caller, community images.
LISTINGS = [("", None), ("others", None), ("others", "true")]


def _check(engine: Engine) -> int:
    every = _everything(engine)
    # Each listing without a name, read through the ordered index, page after page.
    visible = {(alias, public, str(extra)): _listing(engine, ImageOwnerAlias=alias, **extra,
                                                      **({"IsPublic": public} if public else {}))
               for alias, public in LISTINGS for extra in STATUS_QUERIES}
    assert any(visible[("others", None, "{}")]) and any(visible[("others", "true", "{}")])
    checked = 0
    for fragment in FRAGMENTS + sorted({r["ImageName"] for r in every})[:8]:
        for extra in STATUS_QUERIES:
            statuses = set(extra["Status"].split(",")) if extra else {"Available"}
            for alias, public, expected in [("self", None, _expected(every, fragment, statuses))] + [
                    (alias, public, _expected(visible[(alias, public, str(extra))], fragment, None))
                    for alias, public in LISTINGS]:
                for page_number, page_size in ((1, 10), (2, 7), (1, 100), (50, 10)):
                    body = call(engine, "DescribeImages", ImageOwnerAlias=alias, ImageName=fragment,
                                PageNumber=str(page_number), PageSize=str(page_size), **extra,
                                **({"IsPublic": public} if public else {}))
                    start = (page_number - 1) * page_size
                    assert body["TotalCount"] == len(expected), (alias, fragment, extra)
                    assert [i["ImageId"] for i in body["Images"]["Image"]] == expected[start:start + page_size], \
                        (alias, fragment, extra, page_number, page_size)
                checked += bool(expected)
    return checked


def test_name_substring_matches_reading_every_image(engine):
    rng = random.Random(11)
    _seed(engine, rng)
    assert _check(engine) > 30  # (most fragments match something)
    # Renames (through the API and straight into the store) and deletes keep the index exact.
    mine = [r for r in _everything(engine) if r["Status"] == "Available" and not r["_public"]]
    for record in mine[:5]:
        call(engine, "ModifyImageAttribute", ImageId=record["ImageId"], ImageName=f"renamed-web-{record['ImageId']}")
    for record in mine[5:10]:
        call(engine, "DeleteImage", ImageId=record["ImageId"])
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", ME, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})
        for record in mine[10:15]:
            images.put(ctx, {**record, "ImageName": "ab" + record["ImageName"], "Status": "Deprecated"})
        # The other account's images: renamed, unshared, shared, made community images and taken back.
        theirs = [r for _, r in txn.scan("image") if r["_owner"] == OTHER and r["_region"] == REGION]
        assert len(theirs) >= 12
        for n, record in enumerate(theirs[:12]):
            changes = [{"ImageName": "web-renamed" + record["ImageName"]}, {"_shares": {}},
                       {"_shares": {ME: "2024-01-01T00:00:00Z"}}, {"_public": not record["_public"]}][n % 4]
            images.put(ctx, {**record, **changes})
    names = {r["ImageId"]: r["ImageName"] for r in _everything(engine)}
    assert all(names[r["ImageId"]].startswith("renamed-web-") for r in mine[:5])
    assert not any(r["ImageId"] in names for r in mine[5:10])
    assert _check(engine) > 30


def test_exact_name_option_and_name_uniqueness_use_the_same_term(engine):
    """``image_name_match=exact`` and CreateImage's duplicate-name check find the image by its whole name."""
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", ME, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})
        first = images.put(ctx, images.new_record(ctx, REGION, [], ImageName="web-1", CreationTime=resources.iso(1)))
        images.put(ctx, images.new_record(ctx, REGION, [], ImageName="web-10", CreationTime=resources.iso(2)))
        assert images.name_taken(ctx, "web-1") and not images.name_taken(ctx, "web-1", exclude=first["ImageId"])
        assert not images.name_taken(ctx, "web-") and not images.name_taken(ctx, "web-1", region="cn-beijing")
    assert call(engine, "DescribeImages", ImageOwnerAlias="self", ImageName="web-1")["TotalCount"] == 2
    engine.config.options["image_name_match"] = "exact"
    body = call(engine, "DescribeImages", ImageOwnerAlias="self", ImageName="web-1")
    assert [i["ImageId"] for i in body["Images"]["Image"]] == [first["ImageId"]]


PUBLIC_KEY = ("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHg43LsicursDDKUuERvvPc08Y8b"
              "IsZwbbu3U9U1jHDCGEn7TKYUJ6Xd9ZzHYY16eHOcfFoLkA6EKCbni1mQgi4=")
NAMES = ["web-01", "web-02", "api-web", "db-01", "webweb", "x-web-y", "ab", "ab-web-01", "测试-web", "web:01",
         "Web-03"]
PATTERNS = ["web*", "*web", "*web*", "web-01", "*-01", "*", "**", "w*b", "*b-0*", "ab", "a*b*0*1", "*测试*", "web",
            "*WEB*", "zzz*", "*:0*", "*eb-0", "x*y"]


def test_wildcard_names_of_instances_and_key_pairs_match_reading_every_record(engine):
    """DescribeInstances' InstanceName and DescribeKeyPairs' KeyPairName (``*`` wildcards) find their candidates
    through the substring index: the same answers as the whole listing filtered by the pattern."""
    for name in NAMES:
        call(engine, "RunInstances", ImageId="aliyun_3_x64_20G_alibase_20240819.vhd", InstanceType="ecs.g7.large",
             InstanceName=name)
        call(engine, "ImportKeyPair", KeyPairName=name, PublicKeyBody=PUBLIC_KEY)
    renamed = call(engine, "DescribeInstances", InstanceName="db-01")["Instances"]["Instance"][0]["InstanceId"]
    call(engine, "ModifyInstanceAttribute", InstanceId=renamed, InstanceName="web-db-01")
    instances = call(engine, "DescribeInstances", PageSize="100")["Instances"]["Instance"]
    key_pairs = call(engine, "DescribeKeyPairs", PageSize="50")["KeyPairs"]["KeyPair"]
    assert len(instances) == len(NAMES) and len(key_pairs) == len(NAMES)
    for pattern in PATTERNS + [p.replace("-", "_") for p in PATTERNS]:
        wanted = resources.wildcard(pattern)
        body = call(engine, "DescribeInstances", InstanceName=pattern, PageSize="100")
        expected = [i["InstanceId"] for i in instances if wanted.fullmatch(i["InstanceName"])]
        assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == expected, pattern
        assert body["TotalCount"] == len(expected)
        body = call(engine, "DescribeKeyPairs", KeyPairName=pattern, PageSize="50")
        expected = [k["KeyPairName"] for k in key_pairs if wanted.fullmatch(k["KeyPairName"])]
        assert [k["KeyPairName"] for k in body["KeyPairs"]["KeyPair"]] == expected, pattern
        assert body["TotalCount"] == len(expected)


def test_a_dump_from_before_text_terms_imports_into_todays_indexes(engine):
    """A state file written before text terms (a "name" term, "name3" trigram terms, no sort keys) imports
    with the terms and keys the engine computes today: substrings, exact names and the order all work."""
    rng = random.Random(5)
    _seed(engine, rng, count=40)
    state = engine.export_state()
    for item in state["store"]["image"].values():
        record = item["record"]
        scope, name = f"{record['_owner']}|{record['_region']}", record["ImageName"]
        item["terms"] = [t for t in item["terms"] if not t[0].endswith("~")] + [["name", f"{scope}|{name}"]] + [
            ["name3", f"{scope}|{name[i:i + 3]}"] for i in range(len(name) - 2)]
        item.pop("key", None)
    engine.reset()
    assert call(engine, "DescribeImages", ImageOwnerAlias="self", PageSize="100")["TotalCount"] == 0
    engine.import_state(state)
    assert _check(engine) > 10
    every = _everything(engine)
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", ME, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})
        assert all(images.name_taken(ctx, r["ImageName"]) for r in every)

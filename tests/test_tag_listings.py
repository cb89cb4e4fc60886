"""DescribeTags, DescribeResourceByTags and ListTagResources answer from the tag index
(:mod:`mockecs.world.tagging`) exactly what reading every record answers: rows, order, TotalCount and the
pages NextToken walks, over a random world of tags added, changed, removed and resources deleted; the
index kept record by record equals one built from scratch; a page reads no resource record."""
from __future__ import annotations

import random

import alibabacloud_ecs20140526.models as models
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mockecs.engine.core import Config, Engine
from mockecs.modes.mock import MockECS
from mockecs.ops.tags import COUNT_FIELDS, KINDS
from mockecs.world import resources, tagging
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.sdk import make_account, new_client

REGION, ZONE = "cn-hangzhou", "cn-hangzhou-i"
KEYS = ["env", "team", "a", "ab", "a b", "é", "x=y"]
VALUES = ["prod", "dev", "", "1", "é", "p|q"]


def _public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _tags(rng: random.Random, most: int = 3) -> list[tuple[str, str]]:
    keys = rng.sample(KEYS, rng.randrange(most + 1))
    return [(k, rng.choice(VALUES)) for k in keys]


def _create(client, rng: random.Random, n: int, region: str) -> tuple[str, str]:
    """A resource of a taggable type (ResourceType, ResourceId), with a few tags."""
    tags = _tags(rng)
    choice = n % 3
    if choice == 0:
        made = client.create_security_group(models.CreateSecurityGroupRequest(region_id=region, tag=[
            models.CreateSecurityGroupRequestTag(key=k, value=v) for k, v in tags]))
        return "securitygroup", made.body.security_group_id
    if choice == 1:
        zone = ZONE if region == REGION else "cn-beijing-g"
        made = client.create_disk(models.CreateDiskRequest(region_id=region, zone_id=zone, size=20, tag=[
            models.CreateDiskRequestTag(key=k, value=v) for k, v in tags]))
        return "disk", made.body.disk_id
    name = f"kp-{n:03d}-{rng.randrange(1000)}"
    client.import_key_pair(models.ImportKeyPairRequest(region_id=region, key_pair_name=name,
                                                       public_key_body=_public_key(), tag=[
        models.ImportKeyPairRequestTag(key=k, value=v) for k, v in tags]))
    return "keypair", name


def _world(engine, rng: random.Random, count: int = 36) -> None:
    """Resources of the caller (most here, some in another region) and of another account; then tags
    added, replaced and removed (both API generations), and some resources deleted."""
    me, elsewhere = new_client(), new_client(region="cn-beijing")
    other = make_account(engine, "2222333344445555").client
    made = []
    for n in range(count):
        client, region = rng.choice([(me, REGION)] * 6 + [(elsewhere, "cn-beijing"), (other, REGION)])
        made.append((client, region, *_create(client, rng, n, region)))
        engine.clock.advance(rng.choice([0, 1, 60]))
    for client, region, resource_type, resource_id in rng.sample(made, count // 2):
        step = rng.randrange(4)
        if step == 0:
            client.tag_resources(models.TagResourcesRequest(
                region_id=region, resource_type=resource_type, resource_id=[resource_id],
                tag=[models.TagResourcesRequestTag(key=k, value=v) for k, v in _tags(rng, 2)] or [
                    models.TagResourcesRequestTag(key="env", value="prod")]))
        elif step == 1:
            client.untag_resources(models.UntagResourcesRequest(
                region_id=region, resource_type=resource_type, resource_id=[resource_id],
                tag_key=rng.sample(KEYS, 2)))
        elif step == 2:
            client.remove_tags(models.RemoveTagsRequest(region_id=region, resource_type=resource_type,
                                                        resource_id=resource_id))
        elif resource_type == "securitygroup":
            client.delete_security_group(models.DeleteSecurityGroupRequest(region_id=region,
                                                                           security_group_id=resource_id))
        elif resource_type == "disk":
            client.delete_disk(models.DeleteDiskRequest(disk_id=resource_id))
        else:
            client.delete_key_pairs(models.DeleteKeyPairsRequest(region_id=region,
                                                                 key_pair_names=f'["{resource_id}"]'))


# -- what reading every record answers (the handlers' former path) ----------------------------
def _records(engine) -> dict[str, list[dict]]:
    """The caller's records here, per ResourceType, in store id order."""
    with engine.store.transaction() as txn:
        return {name: [r for _, r in sorted(txn.scan(kind)) if r["_owner"] == DEFAULT and r["_region"] == REGION]
                for name, kind in KINDS.items()}


def _resource_id(name: str, record: dict) -> str:
    return record["KeyPairName"] if name == "keypair" else record[resources.ID_FIELD[KINDS[name]]]


def _expected_tags(engine, types, filters):
    counts: dict = {}
    for name, records in _records(engine).items():
        for record in records if name in types else ():
            for tag in resources.tags_of(record):
                if not filters or any(tag["TagKey"] == k and v in (None, tag["TagValue"]) for k, v in filters):
                    per_type = counts.setdefault((tag["TagKey"], tag["TagValue"]), {})
                    per_type[name] = per_type.get(name, 0) + 1
    return [{"TagKey": k, "TagValue": v, "ResourceTypeCount": {f: per.get(n, 0) for n, f in COUNT_FIELDS.items()}}
            for (k, v), per in sorted(counts.items())]


def _expected_resources(engine, types, filters):
    rows = []
    for name, records in _records(engine).items():
        for record in records if name in types else ():
            have = {t["TagKey"]: t["TagValue"] for t in resources.tags_of(record)}
            if have and all(k in have and v in (None, have[k]) for k, v in filters):
                rows.append({"ResourceType": name, "ResourceId": _resource_id(name, record), "RegionId": REGION})
    return sorted(rows, key=lambda r: (r["ResourceType"], r["ResourceId"]))


def _expected_list(engine, name, filters):
    rows = []
    for record in _records(engine)[name]:  # (store id order)
        have = {t["TagKey"]: t["TagValue"] for t in resources.tags_of(record)}
        if all(k in have and v in (None, have[k]) for k, v in filters):
            rows += [{"ResourceId": _resource_id(name, record), "ResourceType": name, "TagKey": t["TagKey"],
                      "TagValue": t["TagValue"]} for t in resources.tags_of(record)]
    return rows


DEFAULT = "1234567890123456"
TYPES = [None, "disk", "securitygroup", "keypair", "image", "volume"]
FILTERS = [[], [("env", None)], [("env", "prod")], [("env", None), ("team", "dev")], [("env", "prod"), ("env", None)],
           [("a", "")], [("é", "é"), ("ab", None)], [("nothing", None)]]
PAGES = [(1, 3), (2, 3), (1, 100), (4, 5), (50, 10)]


def _same_pages(describe, request, path: tuple[str, str], want: list, **params) -> None:
    for number, size in PAGES:
        body = describe(request(region_id=REGION, page_number=number, page_size=size, **params)).body.to_map()
        assert body["TotalCount"] == len(want), params
        assert body[path[0]][path[1]] == want[(number - 1) * size:number * size], (params, number)


def _compare(engine) -> None:
    client = new_client()
    for resource_type in TYPES:
        types = [resource_type] if resource_type else list(KINDS)
        for given in FILTERS:
            filters = [(k, v or None) for k, v in given]  # (an empty value: any value)
            _same_pages(client.describe_tags, models.DescribeTagsRequest, ("Tags", "Tag"),
                        _expected_tags(engine, types, filters), resource_type=resource_type,
                        tag=[models.DescribeTagsRequestTag(key=k, value=v) for k, v in given] or None)
            if resource_type == "volume":
                continue  # (DescribeResourceByTags documents the same types, and none here)
            _same_pages(client.describe_resource_by_tags, models.DescribeResourceByTagsRequest,
                        ("Resources", "Resource"), _expected_resources(engine, types, filters),
                        resource_type=resource_type,
                        tag=[models.DescribeResourceByTagsRequestTag(key=k, value=v) for k, v in given] or None)


@pytest.mark.parametrize("store", ["memory://", "sqlite://", "redis"])
@pytest.mark.parametrize("seed", [14, 15])
def test_tag_listings_match_reading_every_record(store, seed, request):
    if store.startswith("sqlite"):
        pytest.importorskip("mockecs_sqlite")
    if store == "redis":
        if seed != 14:
            pytest.skip("one world is enough on Redis")
        store = request.getfixturevalue("redis_url")
    with MockECS(Engine(Config(store=store))) as mock:
        engine = mock.engine
        _world(engine, random.Random(seed))
        _compare(engine)
        kept = engine.store.export()  # kept record by record == built from scratch
        with engine.store.transaction() as txn:
            resources.reindex(txn, mark=False)
        assert engine.store.export() == kept
        assert kept[tagging.PAIR]
        engine.store.close()


@pytest.mark.parametrize("page_size", [1, 2, 3, 50])
def test_list_tag_resources_pages_walk_the_whole_list(mock, page_size):
    """Pages end inside a resource's tags and between resources; following NextToken gives the list,
    for exact tags, keys alone, and fuzzy filters (key pairs: listed by KeyPairId, as before)."""
    engine = mock.engine
    _world(engine, random.Random(16))
    engine.config.options["list_tag_resources_page_size"] = page_size
    client = new_client()
    cases = [([("env", "prod")], None), ([("env", None)], None), ([("env", None), ("team", None)], None),
             (None, [("a*", None)]), (None, [("env", ["p*", "d*"])]), ([("missing", None)], None)]
    for name in ("disk", "securitygroup", "keypair"):
        for tags, fuzzy in cases:
            walked, token, pages = [], None, 0
            while True:
                body = client.list_tag_resources(models.ListTagResourcesRequest(
                    region_id=REGION, resource_type=name, next_token=token,
                    tag=[models.ListTagResourcesRequestTag(key=k, value=v) for k, v in tags or ()] or None,
                    tag_filter=[models.ListTagResourcesRequestTagFilter(tag_key=k, tag_values=v)
                                for k, v in fuzzy or ()] or None)).body.to_map()
                rows = body["TagResources"]["TagResource"]
                assert len(rows) <= page_size
                walked += rows
                pages += 1
                token = body.get("NextToken")
                if not token:
                    break
                assert rows, "a token is given only when rows follow"
            if fuzzy:
                want = [r for r in _expected_list(engine, name, [])
                        if _fuzzy_match(engine, name, r["ResourceId"], fuzzy)]
            else:
                want = _expected_list(engine, name, tags)
            assert walked == want, (name, tags, fuzzy)
            assert pages == max(1, -(-len(want) // page_size))


def _fuzzy_match(engine, name, resource_id, fuzzy) -> bool:
    from mockecs.ops.tags import _matches

    record = next(r for r in _records(engine)[name] if _resource_id(name, r) == resource_id)
    return _matches(record, [], [(k, v or []) for k, v in fuzzy])


def test_a_page_reads_no_resource_record(mock, monkeypatch):
    """DescribeTags reads only the page's pair records, DescribeResourceByTags no record (the ids are the
    answer), ListTagResources only the records up to the page's end."""
    from mockecs.state.store import _MemoryTransaction

    engine = mock.engine
    client = new_client()
    for n in range(30):
        client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, tag=[
            models.CreateSecurityGroupRequestTag(key="env", value="prod"),
            models.CreateSecurityGroupRequestTag(key="n", value=f"{n:02d}")]))
    read: list[tuple[str, str]] = []
    get, get_many = _MemoryTransaction.get, _MemoryTransaction.get_many

    def spy_get(self, kind, id):
        read.append((kind, id))
        return get(self, kind, id)

    def spy_get_many(self, kind, ids):
        ids = list(ids)
        read.extend((kind, i) for i in ids)
        return get_many(self, kind, ids)

    monkeypatch.setattr(_MemoryTransaction, "get", spy_get)
    monkeypatch.setattr(_MemoryTransaction, "get_many", spy_get_many)
    body = client.describe_tags(models.DescribeTagsRequest(region_id=REGION, page_size=5)).body
    assert body.total_count == 31 and len(body.tags.tag) == 5
    assert [kind for kind, _ in read if not kind.startswith("mockecs_")] == [tagging.PAIR] * 5
    read.clear()
    body = client.describe_resource_by_tags(models.DescribeResourceByTagsRequest(
        region_id=REGION, tag=[models.DescribeResourceByTagsRequestTag(key="env", value="prod")], page_size=4)).body
    assert body.total_count == 30 and len(body.resources.resource) == 4
    assert [k for k, _ in read if not k.startswith("mockecs_")] == []  # (the page's ids are the answer)
    read.clear()
    engine.config.options["list_tag_resources_page_size"] = 6
    body = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type="securitygroup",
        tag=[models.ListTagResourcesRequestTag(key="env", value="prod")])).body
    assert len(body.tag_resources.tag_resource) == 6 and body.next_token
    read = [k for k, _ in read if not k.startswith("mockecs_")]
    assert set(read) == {"security_group"} and len(read) <= 2 * 6  # a chunk of records from the index, not 30


def test_describes_filtered_by_tag_read_only_the_tagged(mock, monkeypatch):
    """Tag.N of DescribeSecurityGroups, DescribeDisks and DescribeKeyPairs narrows the candidates through
    the tag index: only the caller's resources carrying the tag are read (not every one of theirs)."""
    from mockecs.state.store import _MemoryTransaction

    client = new_client()
    made: dict[str, list[str]] = {"sg": [], "disk": [], "kp": []}
    for n in range(24):
        tags = [("team", "x")] if n % 8 == 0 else [("team", "y")] if n % 3 == 0 else []
        made["sg"].append(client.create_security_group(models.CreateSecurityGroupRequest(
            region_id=REGION, tag=[models.CreateSecurityGroupRequestTag(key=k, value=v) for k, v in tags])
        ).body.security_group_id)
        made["disk"].append(client.create_disk(models.CreateDiskRequest(
            region_id=REGION, zone_id=ZONE, size=20,
            tag=[models.CreateDiskRequestTag(key=k, value=v) for k, v in tags])).body.disk_id)
        client.import_key_pair(models.ImportKeyPairRequest(
            region_id=REGION, key_pair_name=f"kp{n:02d}", public_key_body=_public_key(),
            tag=[models.ImportKeyPairRequestTag(key=k, value=v) for k, v in tags]))
        made["kp"].append(f"kp{n:02d}")
    read: list[str] = []
    get, get_many = _MemoryTransaction.get, _MemoryTransaction.get_many

    def spy_get(self, kind, id):
        read.append(kind)
        return get(self, kind, id)

    def spy_get_many(self, kind, ids):
        ids = list(ids)
        read.extend(kind for _ in ids)
        return get_many(self, kind, ids)

    monkeypatch.setattr(_MemoryTransaction, "get", spy_get)
    monkeypatch.setattr(_MemoryTransaction, "get_many", spy_get_many)
    x = [n for n in range(24) if n % 8 == 0]
    groups = client.describe_security_groups(models.DescribeSecurityGroupsRequest(
        region_id=REGION, tag=[models.DescribeSecurityGroupsRequestTag(key="team", value="x")])).body.to_map()
    assert sorted(g["SecurityGroupId"] for g in groups["SecurityGroups"]["SecurityGroup"]) == sorted(
        made["sg"][n] for n in x)
    disks = client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, tag=[models.DescribeDisksRequestTag(key="team")])).body.to_map()
    assert sorted(d["DiskId"] for d in disks["Disks"]["Disk"]) == sorted(
        made["disk"][n] for n in range(24) if n % 8 == 0 or n % 3 == 0)
    pairs = client.describe_key_pairs(models.DescribeKeyPairsRequest(
        region_id=REGION, tag=[models.DescribeKeyPairsRequestTag(key="team", value="x")])).body.to_map()
    assert [k["KeyPairName"] for k in pairs["KeyPairs"]["KeyPair"]] == [made["kp"][n] for n in x]
    assert read.count("security_group") <= 2 * len(x) and read.count("key_pair") == len(x)
    assert read.count("disk") == len([n for n in range(24) if n % 8 == 0 or n % 3 == 0])


def test_own_images_filtered_by_tag_read_only_the_callers_tagged(mock, monkeypatch):
    """DescribeImages ImageOwnerAlias=self with Tag.N: candidates are the caller's images carrying the tag,
    not every account's (the same tag on another account's 30 images is not read)."""
    from mockecs.ops.registry import Context
    from mockecs.state.store import _MemoryTransaction
    from mockecs.world import images

    engine = mock.engine
    mine = []
    with engine.store.transaction() as txn:
        for n in range(60):
            owner = DEFAULT if n % 2 else "2222333344445555"
            ctx = Context(engine, txn, "Test", owner, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})
            tags = [{"TagKey": "env", "TagValue": "prod"}] if owner != DEFAULT or n % 10 == 1 else []
            record = images.put(ctx, images.new_record(ctx, REGION, [], ImageName=f"img-{n}", Status="Available",
                                                       Tags={"Tag": tags}))
            if owner == DEFAULT and tags:
                mine.append(record["ImageId"])
    read: list[str] = []
    get, get_many = _MemoryTransaction.get, _MemoryTransaction.get_many
    monkeypatch.setattr(_MemoryTransaction, "get", lambda self, kind, id: read.append(kind) or get(self, kind, id))
    monkeypatch.setattr(_MemoryTransaction, "get_many", lambda self, kind, ids: get_many(self, kind, [
        i for i in ids if read.append(kind) or True]))
    for value in ("prod", None):
        body = new_client().describe_images(models.DescribeImagesRequest(
            region_id=REGION, image_owner_alias="self",
            tag=[models.DescribeImagesRequestTag(key="env", value=value)])).body
        assert sorted(i.image_id for i in body.images.image) == sorted(mine) and body.total_count == len(mine)
        assert read.count("image") <= len(mine)
        read.clear()


def test_operations_delete_resources_through_the_model():
    """Handlers delete records with resources.delete, which keeps the tag index in step (a store delete
    would leave a pair listed by DescribeTags after its last resource went)."""
    from pathlib import Path

    import mockecs.ops

    found = [f"{path.name}:{n}" for path in Path(mockecs.ops.__file__).parent.glob("*.py")
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if "txn.delete(" in line]
    assert found == []


@pytest.mark.parametrize("alias, is_public", [("others", None), ("others", True), ("", None)])
def test_others_images_filtered_by_tag_read_the_smaller_part(mock, monkeypatch, alias, is_public):
    """DescribeImages with Tag.N beyond the caller's own images: the answer is the listing's images carrying
    the tag, and the candidates read are those of the listing's parts (shared with the caller, community
    images, the caller's tagged ones) when the index counts fewer of them than of every account's images
    carrying the tag (here: another account's 40 tagged images that nobody shared)."""
    from mockecs.ops.registry import Context
    from mockecs.state.store import _MemoryTransaction
    from mockecs.world import images

    engine = mock.engine
    engine.config.options["describe_default_includes_community"] = True
    other, third = "2222333344445555", "3333444455556666"
    with engine.store.transaction() as txn:
        for n in range(60):
            owner = [DEFAULT, other, third][n % 3] if n < 20 else third  # (40 more of the third's, unshared)
            ctx = Context(engine, txn, "Test", owner, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})
            shared, public = n < 20 and owner != DEFAULT and n % 4 == 1, n < 20 and n % 5 == 2
            images.put(ctx, images.new_record(
                ctx, REGION, [], ImageName=f"img-{n}", Status="Available",
                Tags={"Tag": [{"TagKey": "env", "TagValue": "prod" if n % 2 or n >= 20 else "dev"}]},
                _shares={DEFAULT: "2024-01-01T00:00:00Z"} if shared else {}, _public=public, IsPublic=public))
    client = new_client()

    def ids(**tag_args) -> tuple[list[str], int]:
        found: list[str] = []
        while True:
            body = client.describe_images(models.DescribeImagesRequest(
                region_id=REGION, image_owner_alias=alias, is_public=is_public, page_size=100,
                page_number=len(found) // 100 + 1, **tag_args)).body
            found += [i.image_id for i in body.images.image]
            if len(found) >= body.total_count:
                return found, body.total_count

    # Expected: the listing without a tag, filtered by each image's own tags.
    with engine.store.transaction() as txn:
        tags = {id: {(t["TagKey"], t["TagValue"]) for t in (r.get("Tags") or {}).get("Tag") or ()}
                for id, r in txn.scan("image")}
    listed, _ = ids()
    read: list[tuple[str, str]] = []
    get = _MemoryTransaction.get
    monkeypatch.setattr(_MemoryTransaction, "get",
                        lambda self, kind, id: read.append((kind, id)) or get(self, kind, id))
    for value in ("prod", "dev", None):
        found, total = ids(tag=[models.DescribeImagesRequestTag(key="env", value=value)])
        expected = [i for i in listed if i in tags and any(k == "env" and value in (None, v) for k, v in tags[i])]
        assert sorted(found) == sorted(expected) and total == len(expected), value
        images_read = [id for kind, id in read if kind == "image"]
        assert len(images_read) <= 20, (value, images_read)  # not the 40 nobody shared
        read.clear()

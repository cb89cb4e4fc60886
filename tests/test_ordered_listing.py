"""Ordered listings (index pages and counts) answer exactly what reading every candidate answers."""
from __future__ import annotations

import random

import pytest

from mockecs.engine.core import Config, Engine
from mockecs.ops.registry import Context
from mockecs.world import images, resources
from mockecs.world.catalog import newest_first_key

REGION = "cn-hangzhou"
ME, OTHER = "1234567890123456", "2234567890123456"
STATUSES = [None, frozenset({"Available"}), frozenset({"Creating", "Available"}), frozenset({"Deprecated"})]


def _context(engine, txn, account=ME):
    return Context(engine, txn, "Test", account, REGION, "req", "ecs.aliyuncs.com", engine.clock.now(), {})


def _seed(engine, rng, count=120):
    with engine.store.transaction() as txn:
        for n in range(count):
            owner = ME if rng.random() < 0.6 else OTHER
            ctx = _context(engine, txn, owner)
            record = images.new_record(
                ctx, rng.choice([REGION, "cn-beijing"]), [], ImageName=f"img-{n}",
                CreationTime=resources.iso(1_700_000_000 + rng.randrange(40)),  # many ties: broken by id
                Status=rng.choice(["Available", "Available", "Creating", "Deprecated"]),
                _shares={ME: 1.0} if owner == OTHER and rng.random() < 0.4 else {},
                _public=rng.random() < 0.2)
            images.put(ctx, record)


@pytest.mark.parametrize("store", ["memory://", "sqlite://"])
def test_ordered_listing_matches_reading_every_candidate(store):
    pytest.importorskip("mockecs_sqlite") if store.startswith("sqlite") else None
    engine = Engine(Config(store=store))
    _seed(engine, random.Random(14))
    with engine.store.transaction() as txn:
        ctx = _context(engine, txn)
        for alias, is_public in [(None, None), ("self", None), ("others", None), ("others", True), ("system", None),
                                 ("marketplace", None)]:
            for with_community in (True, False):
                for statuses in STATUSES:
                    expected = sorted((r for r in images.candidates(ctx, alias, is_public, with_community)
                                       if statuses is None or r.get("Status") in statuses),
                                      key=newest_first_key, reverse=True)
                    found = images.listing(ctx, alias, is_public, with_community, statuses)
                    assert found.total == len(expected), (alias, is_public, statuses)
                    last = max(0, len(expected) - 3)
                    for start, size in ((0, 10), (10, 10), (5, 100), (last, 10), (len(expected), 10)):
                        page = found.page(start, size)
                        assert [r["ImageId"] for r in page] == [r["ImageId"] for r in expected[start:start + size]]
    engine.store.close()


def test_listing_settles_transitions_in_flight(engine, client):
    """A page counted from status terms still sees an image whose transition became due on the clock."""
    from alibabacloud_ecs20140526 import models

    engine.lifecycle.delay("image", seconds=60)
    run = client.run_instances(models.RunInstancesRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    image_id = client.create_image(models.CreateImageRequest(region_id=REGION, instance_id=instance_id)).body.image_id

    def mine(**kw):
        body = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_owner_alias="self",
                                                                   **kw)).body
        return body.total_count, [i.image_id for i in body.images.image]

    assert mine() == (0, [])
    assert mine(status="Creating") == (1, [image_id])
    engine.clock.advance(61)
    assert mine() == (1, [image_id])
    assert mine(status="Creating") == (0, [])


def test_name_substring_from_trigrams_matches_every_name(engine, client):
    """ImageName with ImageOwnerAlias=self reads only the images under the fragment's rarest trigrams:
    the same answer (order, TotalCount) as testing every name."""
    from alibabacloud_ecs20140526 import models

    names = ["web-2024-06", "web-2024-07", "api-web", "db-01", "wéb-ünï", "webweb", "x-web-y", "ab", "abc"]
    with engine.store.transaction() as txn:
        ctx = _context(engine, txn)
        for n, name in enumerate(names):
            images.put(ctx, images.new_record(ctx, REGION, [], ImageName=name,
                                              CreationTime=resources.iso(1_700_000_000 + n % 3)))
    every = client.describe_images(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="self", page_size=100)).body.images.image
    for fragment in ["web", "web-", "-20", "2024-0", "eb", "b", "wéb", "ünï", "webw", "abc", "abcd", "zzz", "d"]:
        body = client.describe_images(models.DescribeImagesRequest(
            region_id=REGION, image_owner_alias="self", image_name=fragment, page_size=100)).body
        expected = [i.image_id for i in every if fragment in i.image_name]
        exact = [i for i in expected if next(x for x in every if x.image_id == i).image_name == fragment]
        assert body.total_count == len(expected), fragment
        assert [i.image_id for i in body.images.image] == exact + [i for i in expected if i not in exact], fragment


def test_index_pages_match_the_filtered_path_for_disks_snapshots_instances(engine, client):
    """Without filters DescribeDisks/Snapshots/Instances page from the index; a filter that matches
    everything (Status=All/all) takes the path that reads each record: the same pages, same totals."""
    from alibabacloud_ecs20140526 import models

    for _ in range(3):
        run = client.run_instances(models.RunInstancesRequest(
            region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large",
            amount=2, data_disk=[models.RunInstancesRequestDataDisk(size=20), models.RunInstancesRequestDataDisk(
                size=30)]))
        for instance_id in run.body.instance_id_sets.instance_id_set:
            disks = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id))
            client.create_snapshot(models.CreateSnapshotRequest(disk_id=disks.body.disks.disk[0].disk_id))
    cases = [
        (lambda **kw: client.describe_disks(models.DescribeDisksRequest(region_id=REGION, **kw)).body,
         lambda b: [d.disk_id for d in b.disks.disk], {"status": "All"}),
        (lambda **kw: client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=REGION, **kw)).body,
         lambda b: [s.snapshot_id for s in b.snapshots.snapshot], {"status": "all"}),
        (lambda **kw: client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kw)).body,
         lambda b: [i.instance_id for i in b.instances.instance], {"instance_charge_type": "PostPaid"}),
    ]
    for describe, ids, everything in cases:
        for page in ({"page_size": 4, "page_number": 1}, {"page_size": 4, "page_number": 3}, {"max_results": 10}):
            fast, slow = describe(**page), describe(**page, **everything)
            assert fast.total_count == slow.total_count > 0
            assert ids(fast) == ids(slow), (describe, page)


@pytest.mark.parametrize("action", ["DescribeAutoSnapshotPolicyEx", "DescribeInstancesFullStatus",
                                    "DescribeInstanceHistoryEvents", "DescribeKeyPairs", "DescribeNetworkInterfaces"])
def test_a_page_far_past_the_end_is_empty_not_an_error(action):
    """A PageNumber far past the end (no int32 bound declared: any size) answers an empty page, never a 500
    (fuzz.py found DescribeAutoSnapshotPolicyEx answering one with 1e30 as its page over two index terms)."""
    from urllib.parse import urlencode

    from mockecs.engine.core import Engine
    from mockecs.wire.protocol import HttpRequest

    engine = Engine()
    create = {"Action": "CreateAutoSnapshotPolicy", "Version": "2014-05-26", "regionId": "cn-hangzhou",
              "timePoints": '["1"]', "repeatWeekdays": '["1"]', "retentionDays": "3"}
    for params in (create, {**create, "Action": "CreateKeyPair", "KeyPairName": "far-page"},
                   {"Action": action, "Version": "2014-05-26", "RegionId": "cn-hangzhou", "PageNumber": "9" * 30}):
        resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/",
                                         {"content-type": "application/x-www-form-urlencoded"},
                                         urlencode(params).encode()))
    assert resp.status in (200, 400), resp.body[:300]

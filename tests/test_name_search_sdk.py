"""Name searches through the real clients: DescribeImages ImageName (a substring) and DescribeKeyPairs
KeyPairName (``*`` wildcards), answered from the store's substring index, over the current SDK (sync and
async) and the old SDK (JSON and XML). Every store's answers against reading everything: test_name_search.py."""
from __future__ import annotations

import asyncio

from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest

from mockecs.ops.registry import Context
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
from mockecs.world import images
from tests.sdk import legacy_call, legacy_client, legacy_xml, make_account, new_client

REGION = "cn-hangzhou"
NAMES = ["web-2024-06-01", "web-2024-06-02", "db-2024-06-01", "web-2024-06-01-copy", "batch-web-7"]


def _seed(engine) -> None:
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", DEFAULT_ACCOUNT_ID, REGION, "t", "ecs.aliyuncs.com", engine.clock.now(), {})
        for n, name in enumerate(NAMES):
            images.put(ctx, images.new_record(ctx, REGION, [images.mapping("/dev/xvda", "system", 40)],
                                              ImageName=name, CreationTime=f"2024-06-01T08:00:{n:02d}Z"))


def test_image_name_fragment_current_sdk_sync_and_async(mock, client):
    _seed(mock.engine)
    request = models.DescribeImagesRequest(region_id=REGION, image_owner_alias="self", image_name="web-2024-06-01")
    body = client.describe_images(request).body
    # Exact name first (tools take the first hit), then newest first; TotalCount is an integer.
    assert body.total_count == 2 and isinstance(body.to_map()["TotalCount"], int)
    assert [i.image_name for i in body.images.image] == ["web-2024-06-01", "web-2024-06-01-copy"]
    request = models.DescribeImagesRequest(region_id=REGION, image_name="web", page_size=2)
    body = asyncio.run(client.describe_images_async(request)).body
    assert body.total_count == 4  # no alias: the caller's own images matched, no catalog image named so
    assert [i.image_name for i in body.images.image] == ["batch-web-7", "web-2024-06-01-copy"]
    body = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_owner_alias="self",
                                                               image_name="WEB")).body
    assert body.total_count == 0 and body.images.image == []  # case-sensitive, as before


def test_image_name_fragment_old_sdk_json_and_xml(mock, legacy):
    _seed(mock.engine)
    request = DescribeImagesRequest()
    request.set_ImageOwnerAlias("self")
    request.set_ImageName("-06-0")
    body = legacy_call(legacy, request)
    assert body["TotalCount"] == 4
    assert [i["ImageName"] for i in body["Images"]["Image"]] == [
        "web-2024-06-01-copy", "db-2024-06-01", "web-2024-06-02", "web-2024-06-01"]
    request = DescribeImagesRequest()
    request.set_ImageOwnerAlias("self")
    request.set_ImageName("db-")
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeImagesResponse" and root.findtext("TotalCount") == "1"
    assert [e.text for e in root.iter("ImageName")] == ["db-2024-06-01"]


def test_key_pair_name_wildcards_current_sdk(mock, client):
    for name in ("build-key-1", "build-key-2", "deploy-key", "build"):
        client.create_key_pair(models.CreateKeyPairRequest(region_id=REGION, key_pair_name=name))
    found = client.describe_key_pairs(models.DescribeKeyPairsRequest(region_id=REGION, key_pair_name="build*")).body
    assert sorted(k.key_pair_name for k in found.key_pairs.key_pair) == ["build", "build-key-1", "build-key-2"]
    found = client.describe_key_pairs(models.DescribeKeyPairsRequest(region_id=REGION, key_pair_name="*key*")).body
    assert found.total_count == 3
    found = client.describe_key_pairs(models.DescribeKeyPairsRequest(region_id=REGION, key_pair_name="deploy")).body
    assert found.total_count == 0  # no wildcard: the whole name


def test_shared_and_community_names_and_tags_through_every_client(mock):
    """Another account's images found by name (the shared-name and community-name terms) and by tag,
    asked by the account they are shared with: current SDK async, old SDK in JSON and in XML."""
    owner = make_account(mock.engine, "2234567890123456")
    with mock.engine.store.transaction() as txn:
        ctx = Context(mock.engine, txn, "Test", owner.account_id, REGION, "t", "ecs.aliyuncs.com",
                      mock.engine.clock.now(), {})
        for n, (name, shared, public) in enumerate([("team-web-1", True, False), ("team-web-2", False, True),
                                                     ("team-db-1", True, False), ("team-web-3", False, False)]):
            images.put(ctx, images.new_record(
                ctx, REGION, [images.mapping("/dev/xvda", "system", 40)], ImageName=name,
                CreationTime=f"2024-06-01T08:00:{n:02d}Z", _public=public, IsPublic=public,
                _shares={DEFAULT_ACCOUNT_ID: "2024-06-01T08:00:00Z"} if shared else {},
                Tags={"Tag": [{"TagKey": "team", "TagValue": "web" if "web" in name else "db"}]}))
    client = new_client()
    body = asyncio.run(client.describe_images_async(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="others", image_name="team-"))).body
    assert body.total_count == 2 and [i.image_name for i in body.images.image] == ["team-db-1", "team-web-1"]
    assert all(i.image_owner_alias == "others" for i in body.images.image)
    body = asyncio.run(client.describe_images_async(models.DescribeImagesRequest(
        region_id=REGION, image_owner_alias="others", is_public=True, image_name="web"))).body
    assert [i.image_name for i in body.images.image] == ["team-web-2"]  # (not team-web-3: neither)
    legacy = legacy_client()
    request = DescribeImagesRequest()
    request.set_ImageOwnerAlias("others")
    request.set_Tags([{"Key": "team", "Value": "web"}])
    body = legacy_call(legacy, request)
    assert [i["ImageName"] for i in body["Images"]["Image"]] == ["team-web-1"]
    request = DescribeImagesRequest()
    request.set_ImageOwnerAlias("others")
    request.set_IsPublic(True)
    request.set_ImageName("web-")
    root = legacy_xml(legacy, request)
    assert root.findtext("TotalCount") == "1" and [e.text for e in root.iter("ImageName")] == ["team-web-2"]

"""TagResources, UntagResources, ListTagResources through the real SDKs."""
from __future__ import annotations

import asyncio

import pytest
from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.ListTagResourcesRequest import ListTagResourcesRequest
from aliyunsdkecs.request.v20140526.TagResourcesRequest import TagResourcesRequest
from aliyunsdkecs.request.v20140526.UntagResourcesRequest import UntagResourcesRequest

from tests.sdk import error_of, legacy_call
from tests.spec import documented_error

REGION = "cn-hangzhou"


def new_image(client, name="tagged-1"):
    return client.import_image(models.ImportImageRequest(
        region_id=REGION, image_name=name,
        disk_device_mapping=[models.ImportImageRequestDiskDeviceMapping(ossbucket="images", ossobject=f"{name}.raw")],
    )).body.image_id


def tag(client, ids, pairs, rtype="image", region=REGION):
    return client.tag_resources(models.TagResourcesRequest(
        region_id=region, resource_type=rtype, resource_id=list(ids),
        tag=[models.TagResourcesRequestTag(key=k, value=v) for k, v in pairs])).body


def untag(client, ids, keys=None, all_=None, rtype="image"):
    return client.untag_resources(models.UntagResourcesRequest(
        region_id=REGION, resource_type=rtype, resource_id=list(ids), tag_key=keys, all=all_)).body


def rows(client, rtype="image", **kw):
    body = client.list_tag_resources(models.ListTagResourcesRequest(region_id=REGION, resource_type=rtype, **kw)).body
    return body, [(r.resource_id, r.tag_key, r.tag_value) for r in body.tag_resources.tag_resource]


def image_tags(client, image_id):
    img = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id)).body.images.image[0]
    return [(t.tag_key, t.tag_value) for t in img.tags.tag]


def assert_documented(action, err, code, status):
    assert (err.code, err.status_code) == (code, status)
    documented = documented_error(action, code)
    assert documented is not None and documented[0] == status
    if "%s" not in documented[1]:
        assert err.data["Message"] == documented[1]


# -- TagResources ------------------------------------------------------------------------------
def test_tags_show_in_describe_images_and_list(client):
    image_id = new_image(client)
    assert set(tag(client, [image_id], [("env", "prod"), ("team name", "")]).to_map()) == {"RequestId"}
    assert image_tags(client, image_id) == [("env", "prod"), ("team name", "")]
    tag(client, [image_id], [("env", "staging")])  # an existing key takes the new value
    assert image_tags(client, image_id) == [("env", "staging"), ("team name", "")]
    body, found = rows(client, resource_id=[image_id])
    assert found == [(image_id, "env", "staging"), (image_id, "team name", "")]
    assert body.next_token == ""
    row = body.to_map()["TagResources"]["TagResource"][0]
    assert set(row) == {"ResourceId", "ResourceType", "TagKey", "TagValue"} and row["ResourceType"] == "image"


def test_tag_snapshots_and_instances(client):
    image_id = new_image(client)
    img = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id)).body.images.image[0]
    snapshot_id = img.disk_device_mappings.disk_device_mapping[0].snapshot_id
    tag(client, [snapshot_id], [("k", "v")], rtype="snapshot")
    assert rows(client, rtype="snapshot", resource_id=[snapshot_id])[1] == [(snapshot_id, "k", "v")]
    snap = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=REGION, snapshot_ids=f'["{snapshot_id}"]')).body.snapshots.snapshot[0]
    assert [(t.tag_key, t.tag_value) for t in snap.tags.tag] == [("k", "v")]
    # The image id is not a snapshot: the type decides where to look.
    err = error_of(lambda: tag(client, [image_id], [("k", "v")], rtype="snapshot"))
    assert_documented("TagResources", err, "InvalidResourceId.NotFound", 404)

    run = client.run_instances(models.RunInstancesRequest(region_id=REGION, image_id=image_id,
                                                          instance_type="ecs.g7.large", amount=1)).body
    instance_id = run.instance_id_sets.instance_id_set[0]
    tag(client, [instance_id], [("role", "web")], rtype="instance")
    assert rows(client, rtype="instance", tag=[models.ListTagResourcesRequestTag(key="role")])[1] == [
        (instance_id, "role", "web")]


def test_tag_errors(client, other):
    image_id = new_image(client)
    # A public image exists but is not the caller's to tag (issue 13: was InvalidResourceId.NotFound).
    err = error_of(lambda: tag(client, ["ubuntu_22_04_x64_20G_alibase_20240130.vhd"], [("k", "v")]))
    assert_documented("TagResources", err, "InvalidResourceId.NotSupported", 403)
    err = error_of(lambda: tag(client, ["m-bp1doesnotexist0001"], [("k", "v")]))
    assert_documented("TagResources", err, "InvalidResourceId.NotFound", 404)
    err = error_of(lambda: tag(other.client, [image_id], [("k", "v")]))
    assert err.code == "InvalidResourceId.NotFound"  # an image not shared with them: unseen
    err = error_of(lambda: tag(client, [image_id], [("k", "v")], rtype="bucket"))
    assert_documented("TagResources", err, "InvalidResourceType.NotFound", 404)
    err = error_of(lambda: tag(client, [image_id] * 51, [("k", "v")]))
    assert_documented("TagResources", err, "NumberExceed.ResourceIds", 400)
    err = error_of(lambda: tag(client, [image_id], [(f"k{i}", "v") for i in range(21)]))
    assert_documented("TagResources", err, "NumberExceed.Tags", 400)
    for key in ("aliyun-key", "acs:key", "has http://url", "x" * 129, ""):
        err = error_of(lambda key=key: tag(client, [image_id], [(key, "v")]))
        assert_documented("TagResources", err, "InvalidTagKey.Malformed", 400)
    for value in ("acs:value", "https://x", "y" * 129):
        err = error_of(lambda value=value: tag(client, [image_id], [("k", value)]))
        assert_documented("TagResources", err, "InvalidTagValue.Malformed", 400)
    err = error_of(lambda: tag(client, [image_id], [("k", "1"), ("k", "2")]))
    assert_documented("TagResources", err, "Duplicate.TagKey", 400)
    err = error_of(lambda: tag(client, [image_id], [("Env", "1"), ("env", "2")]))
    assert_documented("TagResources", err, "TagKey.Duplication", 403)
    err = error_of(lambda: client.tag_resources(models.TagResourcesRequest(
        region_id=REGION, resource_id=[image_id], tag=[models.TagResourcesRequestTag(key="k", value="v")])))
    assert_documented("TagResources", err, "MissingParameter.ResourceType", 404)
    err = error_of(lambda: client.tag_resources(models.TagResourcesRequest(
        region_id=REGION, resource_type="image", tag=[models.TagResourcesRequestTag(key="k", value="v")])))
    assert_documented("TagResources", err, "MissingParameter.ResourceIds", 404)
    err = error_of(lambda: client.tag_resources(models.TagResourcesRequest(
        region_id=REGION, resource_type="image", resource_id=[image_id])))
    assert_documented("TagResources", err, "MissingParameter.Tags", 404)
    assert image_tags(client, image_id) == []


@pytest.mark.parametrize("action", ["TagResources", "UntagResources", "ListTagResources"])
def test_region_errors_are_the_documented_ones(client, legacy, action):
    image_id = new_image(client)
    calls = {
        "TagResources": lambda region: client.tag_resources(models.TagResourcesRequest(
            region_id=region, resource_type="image", resource_id=[image_id],
            tag=[models.TagResourcesRequestTag(key="k", value="v")])),
        "UntagResources": lambda region: client.untag_resources(models.UntagResourcesRequest(
            region_id=region, resource_type="image", resource_id=[image_id], tag_key=["k"])),
        "ListTagResources": lambda region: client.list_tag_resources(models.ListTagResourcesRequest(
            region_id=region, resource_type="image", resource_id=[image_id])),
    }
    err = error_of(lambda: calls[action]("xx-nowhere-1"))
    assert_documented(action, err, "InvalidRegionId.NotFound", 404)
    err = error_of(lambda: calls[action](None))  # the new SDK sends no RegionId when none is set
    assert_documented(action, err, "MissingParameter.RegionId", 404)
    calls[action](REGION)  # the same call with a region works
    assert image_tags(client, image_id) == ([("k", "v")] if action == "TagResources" else [])


def test_tag_quota_per_resource_and_atomicity(client):
    first, second = new_image(client, "img-a"), new_image(client, "img-b")
    tag(client, [first], [(f"k{i}", "v") for i in range(20)])
    tag(client, [first], [("k0", "changed")])  # replacing a value adds nothing
    err = error_of(lambda: tag(client, [second, first], [("one-more", "v")]))
    assert_documented("TagResources", err, "OperationDenied.QuotaExceed", 400)
    assert image_tags(client, second) == []  # the whole call rolled back
    err = error_of(lambda: tag(client, [second, "m-bp1doesnotexist00000"], [("k", "v")]))
    assert err.code == "InvalidResourceId.NotFound"
    assert image_tags(client, second) == []


def test_legacy_tag_and_untag(legacy, client):
    image_id = new_image(client)
    req = TagResourcesRequest()
    req.set_ResourceType("image")
    req.set_ResourceIds([image_id])
    req.set_Tags([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert set(legacy_call(legacy, req)) == {"RequestId"}
    req = UntagResourcesRequest()
    req.set_ResourceType("image")
    req.set_ResourceIds([image_id])
    req.set_TagKeys(["a", "not-there"])
    legacy_call(legacy, req)
    req = ListTagResourcesRequest()
    req.set_ResourceType("image")
    req.set_Tags([{"Key": "b"}])
    raw = legacy_call(legacy, req)
    assert raw["TagResources"]["TagResource"] == [
        {"ResourceId": image_id, "ResourceType": "image", "TagKey": "b", "TagValue": "2"}]
    assert raw["NextToken"] == ""


# -- UntagResources -----------------------------------------------------------------------------
def test_untag(client):
    image_id = new_image(client)
    tag(client, [image_id], [("a", "1"), ("b", "2"), ("c", "3")])
    untag(client, [image_id], keys=["b", "missing"])
    assert image_tags(client, image_id) == [("a", "1"), ("c", "3")]
    untag(client, [image_id])  # neither keys nor All: nothing removed
    assert len(image_tags(client, image_id)) == 2
    err = error_of(lambda: untag(client, [image_id], keys=["a"], all_=True))
    assert_documented("UntagResources", err, "Param.Conflict", 403)
    untag(client, [image_id], all_=True)
    assert image_tags(client, image_id) == []
    assert rows(client, tag=[models.ListTagResourcesRequestTag(key="a")])[1] == []  # index terms follow
    err = error_of(lambda: untag(client, [image_id], keys=[f"k{i}" for i in range(21)]))
    assert_documented("UntagResources", err, "NumberExceed.Tags", 400)
    err = error_of(lambda: untag(client, ["m-bp1doesnotexist00000"], keys=["a"]))
    assert_documented("UntagResources", err, "InvalidResourceId.NotFound", 404)
    # UntagResources' own messages (no final period, unlike TagResources')
    err = error_of(lambda: client.untag_resources(models.UntagResourcesRequest(
        region_id=REGION, resource_id=[image_id], all=True)))
    assert_documented("UntagResources", err, "MissingParameter.ResourceType", 404)
    err = error_of(lambda: client.untag_resources(models.UntagResourcesRequest(
        region_id=REGION, resource_type="image", all=True)))
    assert_documented("UntagResources", err, "MissingParameter.ResourceIds", 404)


# -- ListTagResources ---------------------------------------------------------------------------
def test_list_by_exact_and_fuzzy_tags(client, other):
    web, db, cache = new_image(client, "web"), new_image(client, "db"), new_image(client, "cache")
    tag(client, [web], [("env", "prod"), ("role", "web")])
    tag(client, [db], [("env", "prod"), ("role", "database")])
    tag(client, [cache], [("environment", "dev")])
    foreign = new_image(other.client, "foreign")
    tag(other.client, [foreign], [("env", "prod")])

    def ids(**kw):
        return sorted({r[0] for r in rows(client, **kw)[1]})

    T, F = models.ListTagResourcesRequestTag, models.ListTagResourcesRequestTagFilter
    assert ids(tag=[T(key="env", value="prod")]) == sorted([web, db])
    assert ids(tag=[T(key="env", value="prod"), T(key="role", value="web")]) == [web]
    assert ids(tag=[T(key="role")]) == sorted([web, db])
    assert ids(tag=[T(key="env", value="dev")]) == []
    assert ids(tag_filter=[F(tag_key="env*")]) == sorted([web, db, cache])
    assert ids(tag_filter=[F(tag_key="*viron*")]) == [cache]
    assert ids(tag_filter=[F(tag_key="role", tag_values=["data*", "nothing"])]) == [db]
    assert ids(tag_filter=[F(tag_key="role", tag_values=["web"]), F(tag_key="env", tag_values=["pr*"])]) == [web]
    assert ids(resource_id=[web, foreign]) == [web]  # other accounts' resources are not listed
    # One row per (resource, tag) of each matched resource.
    assert rows(client, resource_id=[web])[1] == [(web, "env", "prod"), (web, "role", "web")]


def test_list_errors(client):
    T, F = models.ListTagResourcesRequestTag, models.ListTagResourcesRequestTagFilter
    err = error_of(lambda: rows(client))
    assert_documented("ListTagResources", err, "BothEmpty.TagsAndResources", 403)
    err = error_of(lambda: rows(client, tag=[T(key="a")], tag_filter=[F(tag_key="b")]))
    assert_documented("ListTagResources", err, "InvalidTags.MalFormed", 400)
    err = error_of(lambda: rows(client, tag=[T(value="only-value")]))
    assert (err.code, err.status_code) == ("InvalidParameter.TagValue", 400)
    err = error_of(lambda: rows(client, tag_filter=[F(tag_key="k", tag_values=[f"v{i}" for i in range(6)])]))
    assert_documented("ListTagResources", err, "NumberExceed.TagValues", 403)
    err = error_of(lambda: rows(client, tag_filter=[F(tag_key="k*", tag_values=["v"])]))
    assert_documented("ListTagResources", err, "InvalidTagFilter.Malformed", 403)
    err = error_of(lambda: rows(client, resource_id=["m-x"] * 51))
    assert_documented("ListTagResources", err, "NumberExceed.ResourceIds", 400)
    err = error_of(lambda: rows(client, resource_id=["m-x"], next_token="garbage"))
    assert_documented("ListTagResources", err, "Invalid.NextToken", 403)
    err = error_of(lambda: rows(client, rtype="router", resource_id=["m-x"]))
    assert_documented("ListTagResources", err, "InvalidResourceType.NotFound", 404)
    # A documented type mockecs keeps no records of: nothing found, no error.
    assert rows(client, rtype="securitygroup", resource_id=["sg-x"])[1] == []


def test_list_pages_of_fifty_with_next_token(client):
    images = [new_image(client, f"page-{i}") for i in range(3)]
    tag(client, images, [(f"k{i:02d}", "v") for i in range(20)])
    seen, token, pages = [], None, 0
    while True:
        body, page = rows(client, tag=[models.ListTagResourcesRequestTag(key="k00")], next_token=token)
        seen.extend(page)
        pages += 1
        token = body.next_token
        if not token:
            break
    assert pages == 2 and len(seen) == 60 and len(set(seen)) == 60


def test_list_uses_the_index_not_scans(client, monkeypatch):
    from mockecs.state.store import _MemoryTransaction

    image_id = new_image(client)
    tag(client, [image_id], [("env", "prod")])

    def no_scan(self, kind):
        raise AssertionError(f"scanned {kind}")

    monkeypatch.setattr(_MemoryTransaction, "scan", no_scan)
    T, F = models.ListTagResourcesRequestTag, models.ListTagResourcesRequestTagFilter
    assert rows(client, tag=[T(key="env", value="prod")])[1] == [(image_id, "env", "prod")]
    assert rows(client, tag_filter=[F(tag_key="en*")])[1] == [(image_id, "env", "prod")]


def test_list_async(client):
    image_id = new_image(client)
    tag(client, [image_id], [("env", "prod")])

    async def run():
        return await client.list_tag_resources_async(models.ListTagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id]))

    assert asyncio.run(run()).body.tag_resources.tag_resource[0].tag_key == "env"

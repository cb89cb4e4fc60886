"""AddTags, RemoveTags, DescribeTags, DescribeResourceByTags: the older tag operations, on the same tag
store as TagResources, through the real SDKs (an image build tags its image and each of its snapshots)."""
from __future__ import annotations

import asyncio

import pytest
from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.AddTagsRequest import AddTagsRequest
from aliyunsdkecs.request.v20140526.DescribeResourceByTagsRequest import DescribeResourceByTagsRequest
from aliyunsdkecs.request.v20140526.DescribeTagsRequest import DescribeTagsRequest
from aliyunsdkecs.request.v20140526.RemoveTagsRequest import RemoveTagsRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import LINUX, REGION, assert_documented, old_error, run


def built_image(client) -> tuple[str, list[str]]:
    """An image made from an instance, and the ids of its snapshots."""
    instance_id = run(client)[0]
    image_id = client.create_image(models.CreateImageRequest(region_id=REGION, instance_id=instance_id,
                                                             image_name="built-1")).body.image_id
    image = client.describe_images(models.DescribeImagesRequest(region_id=REGION, image_id=image_id)).body
    mappings = image.images.image[0].disk_device_mappings.disk_device_mapping
    return image_id, [m.snapshot_id for m in mappings]


def add(client, resource_type: str, resource_id: str, pairs, region: str = REGION):
    return client.add_tags(models.AddTagsRequest(
        region_id=region, resource_type=resource_type, resource_id=resource_id,
        tag=[models.AddTagsRequestTag(key=k, value=v) for k, v in pairs]))


def tags_on(client, resource_type: str, resource_id: str) -> list[tuple[str, str]]:
    body = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type=resource_type, resource_id=[resource_id])).body
    return [(r.tag_key, r.tag_value) for r in body.tag_resources.tag_resource]


def test_build_flow_tags_image_and_each_snapshot(client):
    image_id, snapshot_ids = built_image(client)
    assert snapshot_ids
    add(client, "image", image_id, [("build", "b-1"), ("os", "alinux3")])
    for snapshot_id in snapshot_ids:
        add(client, "snapshot", snapshot_id, [("build", "b-1")])
    assert tags_on(client, "image", image_id) == [("build", "b-1"), ("os", "alinux3")]
    snaps = client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=REGION, tag=[
        models.DescribeSnapshotsRequestTag(key="build", value="b-1")])).body.to_map()["Snapshots"]["Snapshot"]
    assert sorted(s["SnapshotId"] for s in snaps) == sorted(snapshot_ids)
    # an existing key gets the new value
    add(client, "image", image_id, [("build", "b-2")])
    assert dict(tags_on(client, "image", image_id))["build"] == "b-2"


def test_add_and_remove_tags_old_sdk(legacy, client):
    image_id, _ = built_image(client)
    req = AddTagsRequest()
    req.set_ResourceType("image")
    req.set_ResourceId(image_id)
    req.set_Tags([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": ""}])
    assert set(legacy_call(legacy, req)) == {"RequestId"}
    assert tags_on(client, "image", image_id) == [("a", "1"), ("b", "2"), ("c", "")]

    req = RemoveTagsRequest()
    req.set_ResourceType("image")
    req.set_ResourceId(image_id)
    req.set_Tags([{"Key": "a"}, {"Key": "b", "Value": "not-2"}, {"Key": "absent"}])
    legacy_call(legacy, req)
    # a tag goes when its key (and the value, when given) match
    assert tags_on(client, "image", image_id) == [("b", "2"), ("c", "")]
    req = RemoveTagsRequest()
    req.set_ResourceType("image")
    req.set_ResourceId(image_id)
    legacy_call(legacy, req)  # no Tag.N: every tag goes
    assert tags_on(client, "image", image_id) == []


def test_add_tags_documented_errors(client, legacy, other):
    image_id, _ = built_image(client)
    cases = [
        ("bogus", image_id, [("k", "v")], "InvalidResourceType.NotFound", 404),
        ("image", "m-bp1doesnotexist00000", [("k", "v")], "InvalidResourceId.NotFound", 404),
        ("image", LINUX, [("k", "v")], "InvalidResourceId.NotSupported", 403),
        ("securitygroup", "sg-bp1doesnotexist0000", [("k", "v")], "InvalidResourceId.NotFound", 404),
        ("image", image_id, [("", "v")], "InvalidTag.Mismatch", 400),
        ("image", image_id, [("acs:k", "v")], "InvalidTagKey.Malformed", 400),
        ("image", image_id, [("k", "http://x")], "InvalidTagValue.Malformed", 400),
        ("image", image_id, [("k", "1"), ("k", "2")], "Duplicate.TagKey", 400),
        ("image", image_id, [("Env", "1"), ("env", "2")], "TagKey.Duplication", 403),
        ("image", image_id, [(f"k{n}", "v") for n in range(21)], "InvalidTagCount", 400),
    ]
    for resource_type, resource_id, pairs, code, status in cases:
        err = error_of(add, client, resource_type, resource_id, pairs)
        assert (err.code, err.status_code) == (code, status), (code, err.code)
        assert_documented("AddTags", err)
    # another account's image is not found; nothing was written by the failed calls
    err = error_of(add, other.client, "image", image_id, [("k", "v")])
    assert (err.code, err.status_code) == ("InvalidResourceId.NotFound", 404)
    assert tags_on(client, "image", image_id) == []
    # the quota of tags per resource
    add(client, "image", image_id, [(f"k{n}", "v") for n in range(20)])
    err = error_of(add, client, "image", image_id, [("one-more", "v")])
    assert (err.code, err.status_code) == ("OperationDenied.QuotaExceed", 400)
    assert_documented("AddTags", err)
    # RegionId: documented 404
    req = AddTagsRequest()
    req.set_ResourceType("image")
    req.set_ResourceId(image_id)
    req.set_Tags([{"Key": "k", "Value": "v"}])
    req.add_query_param("RegionId", "xx-nowhere-1")
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidRegionId.NotFound", 404)
    assert_documented("AddTags", err)


def test_remove_tags_documented_errors(client):
    image_id, _ = built_image(client)

    def remove(resource_type, resource_id, keys):
        return client.remove_tags(models.RemoveTagsRequest(
            region_id=REGION, resource_type=resource_type, resource_id=resource_id,
            tag=[models.RemoveTagsRequestTag(key=k) for k in keys]))

    for args, code, status in [(("image", "m-bp1doesnotexist00000", ["k"]), "InvalidResourceId.NotFound", 404),
                               (("disks", image_id, ["k"]), "InvalidResourceType.NotFound", 404),
                               (("image", image_id, ["aliyun-x"]), "InvalidTagKey.Malformed", 400),
                               (("image", image_id, [f"k{n}" for n in range(21)]), "InvalidTagCount", 400),
                               (("image", LINUX, ["k"]), "InvalidResourceId.NotSupported", 403)]:
        err = error_of(remove, *args)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("RemoveTags", err)


def test_describe_tags_counts_per_resource_type(client, other):
    image_id, snapshot_ids = built_image(client)
    instance_id = run(client)[0]
    add(client, "image", image_id, [("team", "infra"), ("env", "prod")])
    add(client, "snapshot", snapshot_ids[0], [("team", "infra")])
    add(client, "instance", instance_id, [("team", "web")])
    add(client, "instance", run(client, region_id="cn-beijing")[0], [("team", "infra")], region="cn-beijing")
    other_image = built_image(other.client)[0]
    add(other.client, "image", other_image, [("team", "infra")])

    body = client.describe_tags(models.DescribeTagsRequest(region_id=REGION)).body.to_map()
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (3, 1, 50)
    rows = {(t["TagKey"], t["TagValue"]): t["ResourceTypeCount"] for t in body["Tags"]["Tag"]}
    assert list(rows) == [("env", "prod"), ("team", "infra"), ("team", "web")]
    assert (rows[("team", "infra")]["Image"], rows[("team", "infra")]["Snapshot"]) == (1, 1)
    assert rows[("team", "infra")]["Instance"] == 0 and rows[("team", "web")]["Instance"] == 1

    by_key = client.describe_tags(models.DescribeTagsRequest(
        region_id=REGION, tag=[models.DescribeTagsRequestTag(key="team")])).body.to_map()["Tags"]["Tag"]
    assert [(t["TagKey"], t["TagValue"]) for t in by_key] == [("team", "infra"), ("team", "web")]
    exact = client.describe_tags(models.DescribeTagsRequest(
        region_id=REGION, resource_type="image", tag=[models.DescribeTagsRequestTag(key="team", value="infra")]))
    assert [(t.tag_key, t.tag_value) for t in exact.body.tags.tag] == [("team", "infra")]
    one = client.describe_tags(models.DescribeTagsRequest(region_id=REGION, resource_type="snapshot",
                                                          resource_id=snapshot_ids[0])).body
    assert [(t.tag_key, t.resource_type_count.snapshot) for t in one.tags.tag] == [("team", 1)]
    paged = client.describe_tags(models.DescribeTagsRequest(region_id=REGION, page_size=2, page_number=2)).body
    assert paged.total_count == 3 and [t.tag_value for t in paged.tags.tag] == ["web"]


def test_describe_tags_documented_errors(client):
    def describe(**kw):
        return client.describe_tags(models.DescribeTagsRequest(region_id=REGION, **kw))

    for kw, code, status in [({"resource_type": "bogus"}, "InvalidResourceType.NotFound", 404),
                             ({"category": "bogus"}, "Invalid.TagCategory", 400),
                             ({"tag": [models.DescribeTagsRequestTag(key="acs:x")]}, "InvalidTagKey.Malformed", 400),
                             ({"tag": [models.DescribeTagsRequestTag(key="k", value="http://x")]},
                              "InvalidTagValue.Malformed", 400),
                             ({"tag": [models.DescribeTagsRequestTag(key=f"k{n}") for n in range(21)]},
                              "InvalidTagCount", 400)]:
        err = error_of(describe, **kw)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("DescribeTags", err)


def test_describe_resource_by_tags(client, legacy):
    image_id, snapshot_ids = built_image(client)
    instance_id = run(client)[0]
    add(client, "image", image_id, [("team", "infra"), ("env", "prod")])
    add(client, "snapshot", snapshot_ids[0], [("team", "infra")])
    add(client, "instance", instance_id, [("team", "infra"), ("env", "dev")])

    def by_tags(**kw):
        return client.describe_resource_by_tags(models.DescribeResourceByTagsRequest(region_id=REGION, **kw)).body

    body = by_tags(tag=[models.DescribeResourceByTagsRequestTag(key="team", value="infra")]).to_map()
    assert body["TotalCount"] == 3 and body["PageSize"] == 50
    assert [(r["ResourceType"], r["ResourceId"], r["RegionId"]) for r in body["Resources"]["Resource"]] == [
        ("image", image_id, REGION), ("instance", instance_id, REGION), ("snapshot", snapshot_ids[0], REGION)]
    # every tag must match
    both = by_tags(tag=[models.DescribeResourceByTagsRequestTag(key="team", value="infra"),
                        models.DescribeResourceByTagsRequestTag(key="env")])
    assert [r.resource_id for r in both.resources.resource] == [image_id, instance_id]
    assert [r.resource_id for r in by_tags(resource_type="instance").resources.resource] == [instance_id]

    req = DescribeResourceByTagsRequest()
    req.set_Tags([{"Key": "env", "Value": "prod"}])
    assert [r["ResourceId"] for r in legacy_call(legacy, req)["Resources"]["Resource"]] == [image_id]

    for kw, code, status in [({"resource_type": "reservedinstance"}, "InvalidResourceType.NotFound", 404),
                             ({"tag": [models.DescribeResourceByTagsRequestTag(key=f"k{n}") for n in range(21)]},
                              "InvalidTagCount", 400)]:
        err = error_of(by_tags, **kw)
        assert (err.code, err.status_code) == (code, status)
        assert_documented("DescribeResourceByTags", err)


def test_legacy_tags_xml_and_async(client, legacy):
    image_id, _ = built_image(client)
    req = AddTagsRequest()
    req.set_ResourceType("image")
    req.set_ResourceId(image_id)
    req.set_Tags([{"Key": "fmt", "Value": "xml"}])
    assert legacy_xml(legacy, req).tag == "AddTagsResponse"
    req = DescribeTagsRequest()
    root = legacy_xml(legacy, req)
    assert root.tag == "DescribeTagsResponse" and root.findtext("Tags/Tag/TagKey") == "fmt"
    assert root.findtext("Tags/Tag/ResourceTypeCount/Image") == "1"

    async def flow():
        await client.remove_tags_async(models.RemoveTagsRequest(region_id=REGION, resource_type="image",
                                                                resource_id=image_id))
        return await client.describe_tags_async(models.DescribeTagsRequest(region_id=REGION))

    assert asyncio.run(flow()).body.total_count == 0


@pytest.mark.parametrize("resource_type", ["instance", "disk"])
def test_add_tags_on_instances_and_disks_shows_in_describe(client, resource_type):
    instance_id = run(client)[0]
    disk_id = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, instance_id=instance_id)) \
        .body.disks.disk[0].disk_id
    target = instance_id if resource_type == "instance" else disk_id
    add(client, resource_type, target, [("owner", "ci")])
    if resource_type == "instance":
        found = client.describe_instances(models.DescribeInstancesRequest(
            region_id=REGION, tag=[models.DescribeInstancesRequestTag(key="owner", value="ci")])).body
        assert [i.instance_id for i in found.instances.instance] == [instance_id]
    else:
        found = client.describe_disks(models.DescribeDisksRequest(
            region_id=REGION, tag=[models.DescribeDisksRequestTag(key="owner", value="ci")])).body
        assert [d.disk_id for d in found.disks.disk] == [disk_id]


def test_build_tail_through_the_server_as_a_proxy(monkeypatch):
    """The end of an image build and its force-delete rerun, as an old-SDK tool sends them: every request an
    absolute-form POST to the cn-hangzhou endpoint through ``HTTP_PROXY``, whatever region it is about."""
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.CopyImageRequest import CopyImageRequest
    from aliyunsdkecs.request.v20140526.CreateImageRequest import CreateImageRequest
    from aliyunsdkecs.request.v20140526.DeleteImageRequest import DeleteImageRequest
    from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest
    from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest
    from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

    from mockecs.modes.server import ServerThread

    def call(request, region=REGION):
        request.set_method("POST")
        request.add_query_param("RegionId", region)
        return legacy_call(tool, request)

    def images_named(region):
        req = DescribeImagesRequest()
        req.set_ImageName("tool-image")
        req.set_ImageOwnerAlias("self")
        return call(req, region)["Images"]["Image"]

    with ServerThread() as srv:
        monkeypatch.setenv("HTTP_PROXY", srv.url)
        monkeypatch.setenv("NO_PROXY", "")
        tool = AcsClient("tool-key", "tool-secret", REGION)
        req = RunInstancesRequest()
        req.set_ImageId(LINUX)
        req.set_InstanceType("ecs.g7.large")
        instance_id = call(req)["InstanceIdSets"]["InstanceIdSet"][0]
        req = CreateImageRequest()
        req.set_InstanceId(instance_id)
        req.set_ImageName("tool-image")
        image_id = call(req)["ImageId"]
        req = CopyImageRequest()
        req.set_ImageId(image_id)
        req.set_DestinationRegionId("cn-beijing")
        req.set_DestinationImageName("tool-image")
        copy_id = call(req)["ImageId"]
        for region, target in ((REGION, image_id), ("cn-beijing", copy_id)):
            found = images_named(region)
            assert [i["ImageId"] for i in found] == [target]
            req = AddTagsRequest()
            req.set_ResourceType("image")
            req.set_ResourceId(target)
            req.set_Tags([{"Key": "built-by", "Value": "tool"}])
            call(req, region)
            for mapping in found[0]["DiskDeviceMappings"]["DiskDeviceMapping"]:
                req = AddTagsRequest()
                req.set_ResourceType("snapshot")
                req.set_ResourceId(mapping["SnapshotId"])
                req.set_Tags([{"Key": "built-by", "Value": "tool"}])
                call(req, region)
        req = DescribeResourceByTagsRequest()
        req.set_Tags([{"Key": "built-by", "Value": "tool"}])
        tagged = call(req, "cn-beijing")["Resources"]["Resource"]
        assert {r["ResourceType"] for r in tagged} == {"image", "snapshot"}

        # the rerun with force-delete: each region's image, then its snapshots, from the same client
        for region in (REGION, "cn-beijing"):
            found = images_named(region)
            req = DeleteImageRequest()
            req.set_ImageId(found[0]["ImageId"])
            req.set_Force(True)
            call(req, region)
            for mapping in found[0]["DiskDeviceMappings"]["DiskDeviceMapping"]:
                req = DeleteSnapshotRequest()
                req.set_SnapshotId(mapping["SnapshotId"])
                req.set_method("POST")
                legacy_call(tool, req)  # region-less: the cn-hangzhou client's own RegionId goes along
            assert images_named(region) == []
        calls = srv.engine.calls  # the proxy answered everything (no interception is active in this test)
        assert len(calls) > 10 and all(c.status == 200 for c in calls)
        deletes = [c for c in calls if c.action == "DeleteSnapshot"]
        assert {c.region for c in deletes} == {REGION, "cn-beijing"}
        assert all(c.params["RegionId"] == REGION for c in deletes)

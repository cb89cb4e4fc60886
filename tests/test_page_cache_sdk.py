"""Kept pages of DescribeImages (mockecs.world.images.stored_views) through the real clients: the current SDK
(sync and async) and the old SDK (JSON and XML) read a page twice, then after a rename, an instance and a
delete made through the same clients; each answer is the one a freshly read page gives. On the memory store
and on Redis (whose write log names the images written since); every store, and the cases the clients cannot
reach (writes straight to the store, rollbacks, bounds): test_page_cache.py."""
from __future__ import annotations

import asyncio
import json

import pytest
from alibabacloud_ecs20140526 import models
from aliyunsdkecs.request.v20140526.DescribeImagesRequest import DescribeImagesRequest
from aliyunsdkecs.request.v20140526.ModifyImageAttributeRequest import ModifyImageAttributeRequest

from mockecs.modes.mock import MockECS
from mockecs.ops.registry import Context
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
from mockecs.world import images
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.sdk import error_of, legacy_call, legacy_xml

REGION = "cn-hangzhou"


@pytest.fixture(params=["memory", "redis"])
def mock(request):
    """The clients' fake on the memory store, and on a real Redis (its write log names what changed)."""
    store = request.getfixturevalue("redis_url") if request.param == "redis" else "memory://"
    with MockECS(store=store) as m:
        yield m
        m.engine.reset()
        m.engine.store.close()


def _seed(engine, count: int = 12) -> list[str]:
    made = []
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Test", DEFAULT_ACCOUNT_ID, REGION, "t", "ecs.aliyuncs.com", engine.clock.now(), {})
        for n in range(count):
            record = images.new_record(ctx, REGION, [images.mapping("/dev/xvda", "system", 40)],
                                       ImageName=f"kept-{n:02d}", CreationTime=f"2024-06-01T08:00:{n:02d}Z")
            images.put(ctx, record)
            made.append(record["ImageId"])
    return made[::-1]  # newest first, as listed


def _fresh(engine, call):
    """``call()``'s answer with nothing kept (the record cache emptied first)."""
    engine.record_cache.clear()
    return call()


def _page(client, **kw) -> dict:
    request = models.DescribeImagesRequest(region_id=REGION, image_owner_alias="self", page_size=100, **kw)
    body = client.describe_images(request).body.to_map()
    body.pop("RequestId")
    return body


def test_kept_pages_through_the_current_sdk_sync_and_async(mock, client):
    engine = mock.engine
    made = _seed(engine)
    first = _page(client)
    assert first["TotalCount"] == 12 and [i["ImageId"] for i in first["Images"]["Image"]] == made
    assert _page(client) == first and engine.record_cache._pages  # answered from the kept page
    client.modify_image_attribute(models.ModifyImageAttributeRequest(region_id=REGION, image_id=made[3],
                                                                     image_name="renamed-by-sdk"))
    renamed = _page(client)
    assert renamed["Images"]["Image"][3]["ImageName"] == "renamed-by-sdk"
    assert renamed == _fresh(engine, lambda: _page(client))

    async def run() -> dict:
        request = models.DescribeImagesRequest(region_id=REGION, image_owner_alias="self", page_size=100)
        body = (await client.describe_images_async(request)).body.to_map()
        body.pop("RequestId")
        return body

    assert asyncio.run(run()) == renamed
    run_request = models.RunInstancesRequest(region_id=REGION, image_id=made[5], instance_type="ecs.g7.large")
    asyncio.run(client.run_instances_async(run_request))
    used = asyncio.run(run())
    assert [i["Usage"] for i in used["Images"]["Image"]].count("instance") == 1
    assert used["Images"]["Image"][5]["Usage"] == "instance"
    client.delete_image(models.DeleteImageRequest(region_id=REGION, image_id=made[0], force=True))
    after = _page(client)
    assert after["TotalCount"] == 11 and [i["ImageId"] for i in after["Images"]["Image"]] == made[1:]
    assert after == _fresh(engine, lambda: _page(client))
    # A bad input on the same listing still gets the service's documented answer, not the kept page.
    err = error_of(client.describe_images, models.DescribeImagesRequest(region_id=REGION, image_owner_alias="nobody",
                                                                        page_size=100))
    assert (err.code, err.data["statusCode"]) == ("InvalidImageOwnerAlias.ValueNotSupported", 400)


def test_kept_pages_through_the_old_sdk_json_and_xml(mock, legacy):
    engine = mock.engine
    made = _seed(engine)

    def request() -> DescribeImagesRequest:
        out = DescribeImagesRequest()
        out.set_ImageOwnerAlias("self")
        out.set_PageSize(100)
        return out

    def page() -> dict:
        body = legacy_call(legacy, request())
        body.pop("RequestId")
        return body

    first = page()
    assert page() == first and [i["ImageId"] for i in first["Images"]["Image"]] == made
    assert isinstance(first["TotalCount"], int) and first["Images"]["Image"][0]["IsPublic"] is False
    xml = legacy_xml(legacy, request())  # the kept page written as XML
    assert [e.text for e in xml.iter("ImageId")] == made and xml.findtext("TotalCount") == "12"
    modify = ModifyImageAttributeRequest()
    modify.set_ImageId(made[7])
    modify.set_Description("changed-by-old-sdk")
    legacy_call(legacy, modify)
    changed = page()
    assert changed["Images"]["Image"][7]["Description"] == "changed-by-old-sdk"
    assert json.dumps(changed, sort_keys=True) == json.dumps(_fresh(engine, page), sort_keys=True)
    xml = legacy_xml(legacy, request())
    assert [e.findtext("Description") for e in xml.iter("Image")][7] == "changed-by-old-sdk"

"""Reliability: error answers leave nothing behind, engines are collected after their mock ends."""
from __future__ import annotations

import gc
import tracemalloc
import weakref

from mockecs.engine import Engine
from mockecs.wire.protocol import HttpRequest

ERRORS = [  # each answers an error raised from a named error kind (a module-level constant before)
    "Action=StartInstance&InstanceId=i-missing",
    "Action=DescribeSnapshots&NextToken=bad",
    "Action=DeleteSnapshot&SnapshotId=s-missing",
    "Action=DescribeTaskAttribute&TaskId=t-missing",
    "Action=DeleteImagePipeline&ImagePipelineId=ip-missing",
    "Action=ModifyImageAttribute&ImageId=m-missing",
]


def _request(query: str) -> HttpRequest:
    return HttpRequest("GET", f"http://ecs.aliyuncs.com/?{query}&Version=2014-05-26&Format=JSON&RegionId=cn-hangzhou",
                       {"host": "ecs.aliyuncs.com"})


def _answer_errors(engine: Engine, n: int) -> None:
    requests = [_request(q) for q in ERRORS]
    for i in range(n):
        response = engine.handle(requests[i % len(requests)])
        assert response.status >= 400, response.body


def test_memory_stays_flat_over_many_error_answers():
    engine = Engine()
    engine.config.record_calls = False  # the call record is bounded on its own; this measures the errors
    _answer_errors(engine, 2_000)  # warm caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        _answer_errors(engine, 50_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # A shared error instance chained every request's frames: 50,000 answers grew by hundreds of MB.
    assert grown < 1_000_000, f"{grown} bytes kept after 50,000 error answers"


def test_an_engine_is_collected_after_its_mock_ends():
    from mockecs import mock_ecs

    with mock_ecs() as m:
        _answer_errors(m.engine, 20)
        ref = weakref.ref(m.engine)
    del m
    gc.collect()
    assert ref() is None, gc.get_referrers(ref())


def test_no_module_keeps_an_error_instance():
    # Raised again, a shared instance would chain tracebacks; error kinds (classes) are raised fresh.
    import importlib
    import pkgutil

    import mockecs
    from mockecs.wire.errors import EcsError

    shared = []
    for info in pkgutil.walk_packages(mockecs.__path__, "mockecs."):
        if info.name == "mockecs.__main__":
            continue
        module = importlib.import_module(info.name)
        shared += [f"{info.name}.{k}" for k, v in vars(module).items() if isinstance(v, EcsError)]
    assert not shared


# -- no 500s (issue 15.2) -------------------------------------------------------------
def test_unicode_and_huge_list_indexes_answer_invalid_parameter(mock, client):
    import json

    from alibabacloud_ecs20140526 import models

    image_id = _image(client)
    for index in ("%C2%B2", "1" * 5000):
        resp = mock.engine.handle(_request(f"Action=TagResources&ResourceType=image&ResourceId.1={image_id}"
                                           f"&Tag.{index}.Key=k&Tag.{index}.Value=v"))
        body = json.loads(resp.body)
        assert (resp.status, body["Code"]) == (400, "InvalidParameter"), body
        assert body["Message"].startswith('The specified parameter "Tag.')
    tags = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id="cn-hangzhou", resource_type="image", resource_id=[image_id]))
    assert tags.body.tag_resources.tag_resource == []  # nothing half-applied


def _image(client) -> str:
    from alibabacloud_ecs20140526 import models

    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    return client.create_image(models.CreateImageRequest(
        region_id="cn-hangzhou", instance_id=instance_id, image_name="ctl", description="a\x01b\x1fc")).body.image_id


def test_xml_answers_with_control_characters_parse(mock, client):
    import xml.dom.minidom

    import requests

    image_id = _image(client)
    answer = requests.get("https://ecs.aliyuncs.com/", params={
        "Action": "DescribeImages", "Version": "2014-05-26", "RegionId": "cn-hangzhou", "ImageId": image_id,
        "Format": "XML"}, timeout=10)
    doc = xml.dom.minidom.parseString(answer.content)
    [description] = doc.getElementsByTagName("Description")
    assert description.firstChild.data == "abc"  # characters XML cannot carry are left out
    from alibabacloud_ecs20140526 import models

    images = client.describe_images(models.DescribeImagesRequest(region_id="cn-hangzhou", image_id=image_id))
    assert images.body.images.image[0].description == "a\x01b\x1fc"  # JSON carries the value as stored

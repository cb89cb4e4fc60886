"""Image Builder (spec §3.18-3.20): components, pipelines, executions, through the real SDKs."""
from __future__ import annotations

import asyncio
import json

import pytest
from alibabacloud_ecs20140526 import models as m
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.CreateImageComponentRequest import CreateImageComponentRequest
from aliyunsdkecs.request.v20140526.CreateImagePipelineRequest import CreateImagePipelineRequest
from aliyunsdkecs.request.v20140526.DescribeImageComponentsRequest import DescribeImageComponentsRequest
from aliyunsdkecs.request.v20140526.DescribeImagePipelineExecutionsRequest import (
    DescribeImagePipelineExecutionsRequest,
)
from aliyunsdkecs.request.v20140526.DescribeImagePipelinesRequest import DescribeImagePipelinesRequest
from aliyunsdkecs.request.v20140526.StartImagePipelineExecutionRequest import StartImagePipelineExecutionRequest

import mockecs.engine.core  # noqa: F401  (registers every operation)
from mockecs.ops.registry import REGISTRY, Context
from mockecs.wire.params import group
from mockecs.world import images, resources
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call
from tests.spec import documented_error

REGION = "cn-hangzhou"
BASE = "aliyun_3_x64_20G_alibase_20240819.vhd"  # a public image of the built-in catalog
FAMILY = "acs:alibaba_cloud_linux_3_2104_lts_x64"


# -- helpers -------------------------------------------------------------------------------------
def assert_error(err: ClientException, action: str, code: str, status: int) -> None:
    assert (err.code, err.status_code) == (code, status)
    documented = documented_error(action, code)
    if documented is not None:  # when the metadata documents the code, our status must match it
        assert documented[0] == status


def component(client, content: str = "RUN echo hello", **kw) -> str:
    req = m.CreateImageComponentRequest(region_id=kw.pop("region_id", REGION), content=content, **kw)
    return client.create_image_component(req).body.image_component_id


def pipeline(client, **kw) -> str:
    kw.setdefault("base_image_type", "IMAGE")
    if kw["base_image_type"] != "OSS":
        kw.setdefault("base_image", BASE)
    req = m.CreateImagePipelineRequest(region_id=kw.pop("region_id", REGION), **kw)
    return client.create_image_pipeline(req).body.image_pipeline_id


def start(client, pipeline_id: str, region: str = REGION) -> str:
    req = m.StartImagePipelineExecutionRequest(region_id=region, image_pipeline_id=pipeline_id)
    return client.start_image_pipeline_execution(req).body.execution_id


def execution(client, execution_id: str, region: str = REGION) -> dict:
    req = m.DescribeImagePipelineExecutionsRequest(region_id=region, execution_id=execution_id)
    items = client.describe_image_pipeline_executions(req).body.to_map()["ImagePipelineExecution"][
        "ImagePipelineExecutionSet"]
    assert len(items) == 1
    return items[0]


def stored_image(engine, image_id: str, account: str = DEFAULT_ACCOUNT, region: str = REGION):
    """The image as the store holds it (settled to the mock clock), whoever may see it."""
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "test", account, region, "test", "", engine.clock.now(), {})
        record = images.get_any(ctx, image_id)
        return dict(record) if record is not None else None


def described(client, image_id: str, **kw) -> list[dict]:
    req = m.DescribeImagesRequest(region_id=REGION, image_id=image_id, **kw)
    return client.describe_images(req).body.to_map()["Images"]["Image"]


def images_named(engine, name: str, account: str = DEFAULT_ACCOUNT) -> list[dict]:
    with engine.store.transaction() as txn:
        found = [dict(r) for _, r in txn.scan("image") if r["ImageName"] == name and r["_owner"] == account]
    return sorted(found, key=lambda r: r["_region"])


# -- params: nested lists inside structs -----------------------------------------------------------
def test_nested_struct_lists_decode():
    op = REGISTRY["CreateImagePipeline"]
    flat = {"ImageOptions.ImageName": "n", "ImageOptions.ImageTags.2.Key": "b", "ImageOptions.ImageTags.1.Key": "a",
            "ImageOptions.ImageTags.1.Value": "x", "ImageOptions.ImageFeatures.NvmeSupport": "supported",
            "ImportImageOptions.DiskDeviceMappings.1.OSSBucket": "bkt",
            "ImportImageOptions.DiskDeviceMappings.1.DiskImageSize": "40"}
    parts = group(flat)
    image_options = op.by_name["ImageOptions"].decode(parts["ImageOptions"])
    assert image_options["image_name"] == "n"
    assert image_options["image_features"] == {"nvme_support": "supported"}
    assert image_options["image_tags"] == [{"key": "a", "value": "x"}, {"key": "b", "value": None}]
    imported = op.by_name["ImportImageOptions"].decode(parts["ImportImageOptions"])
    assert imported["disk_device_mappings"] == [
        {"oss_bucket": "bkt", "oss_object": None, "format": None, "disk_image_size": 40}]
    assert op.by_name["ImageOptions"].decode(None)["image_tags"] is None


# -- the full flow ----------------------------------------------------------------------------------
def test_full_flow_component_pipeline_execution_image(client, engine, other):
    component_id = component(client, "RUN yum -y update\nENV A=1", name="base-setup", description="setup step")
    pipeline_id = pipeline(
        client, name="web-pipeline", build_content=f"COMPONENT {component_id}\nRUN echo done",
        image_options=m.CreateImagePipelineRequestImageOptions(
            image_name="web", image_family="web-family", description="web image",
            image_features=m.CreateImagePipelineRequestImageOptionsImageFeatures(nvme_support="supported"),
            image_tags=[m.CreateImagePipelineRequestImageOptionsImageTags(key="team", value="web"),
                        m.CreateImagePipelineRequestImageOptionsImageTags(key="env", value="prod")]),
        to_region_id=["cn-beijing"], add_account=[int(other.account_id)], system_disk_size=60)
    execution_id = start(client, pipeline_id)
    assert execution_id.startswith("exec-") and len(execution_id) == 25

    got = execution(client, execution_id)
    assert got["Status"] == "SUCCESS" and got["ImagePipelineId"] == pipeline_id
    assert got["ErrorCode"] == "" and got["ImageId"].startswith("m-")
    image = stored_image(engine, got["ImageId"])
    assert image["ImageName"] == f"web_{execution_id}"
    assert image["Status"] == "Available" and image["Progress"] == "100%" and image["_region"] == REGION
    assert image["ImageFamily"] == "web-family" and image["Description"] == "web image"
    assert image["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "web"}, {"TagKey": "env", "TagValue": "prod"}]
    assert image["_source"]["kind"] == "pipeline" and image["_source"]["execution"] == execution_id
    assert image["Size"] == 60 and image["DiskDeviceMappings"]["DiskDeviceMapping"][0]["Size"] == "60"
    base = engine.catalog.get(BASE)
    for field in ("OSType", "Platform", "OSName", "Architecture", "BootMode"):
        assert image[field] == base[field]
    assert image["Features"]["NvmeSupport"] == "supported"
    assert other.account_id in image["_shares"] and image["IsCopied"] is False

    # the copy in the distribution region is a separate image
    both = images_named(engine, f"web_{execution_id}")
    assert [(r["_region"], r["IsCopied"], r["Status"]) for r in both] == [
        ("cn-beijing", True, "Available"), (REGION, False, "Available")]
    assert both[0]["ImageId"] != got["ImageId"] and other.account_id in both[0]["_shares"]

    # and through DescribeImages, as the owner, in the distribution region, and as the share recipient
    found = client.describe_images(m.DescribeImagesRequest(
        region_id=REGION, image_id=got["ImageId"])).body.to_map()["Images"]["Image"]
    assert [(i["ImageName"], i["ImageFamily"], i["ImageOwnerAlias"]) for i in found] == [
        (f"web_{execution_id}", "web-family", "self")]
    assert {(t["TagKey"], t["TagValue"]) for t in found[0]["Tags"]["Tag"]} == {("team", "web"), ("env", "prod")}
    copies = client.describe_images(m.DescribeImagesRequest(
        region_id="cn-beijing", image_name=f"web_{execution_id}", image_owner_alias="self")).body.to_map()
    assert [i["IsCopied"] for i in copies["Images"]["Image"]] == [True]
    shared = other.client.describe_images(m.DescribeImagesRequest(
        region_id=REGION, image_id=got["ImageId"])).body.to_map()["Images"]["Image"]
    assert [i["ImageOwnerAlias"] for i in shared] == ["others"]


def test_image_name_without_suffix_and_family_base(client, engine):
    pipeline_id = pipeline(client, base_image_type="IMAGE_FAMILY", base_image=FAMILY, image_name="plain-name",
                           advanced_options=m.CreateImagePipelineRequestAdvancedOptions(image_name_suffix="disable"))
    execution_id = start(client, pipeline_id)
    got = execution(client, execution_id)
    assert got["Status"] == "SUCCESS"
    image = stored_image(engine, got["ImageId"])
    assert image["ImageName"] == "plain-name"
    assert image["Platform"] == "Aliyun"  # inherited from the family's newest image
    # a second run would need the same name: the execution fails instead of the call
    second = execution(client, start(client, pipeline_id))
    assert (second["Status"], second["ErrorCode"], second["ImageId"]) == ("FAILED", "InvalidImageName.Duplicated", "")
    # and a new pipeline with that name is refused up front
    err = error_of(pipeline, client, image_name="plain-name",
                   advanced_options=m.CreateImagePipelineRequestAdvancedOptions(image_name_suffix="disable"))
    assert_error(err, "CreateImagePipeline", "InvalidImageName.Duplicated", 400)


def test_default_image_name_is_the_pipeline_name(client, engine):
    pipeline_id = pipeline(client, name="nightly")
    got = execution(client, start(client, pipeline_id))
    assert stored_image(engine, got["ImageId"])["ImageName"] == f"nightly_{got['ExecutionId']}"


# -- executions on the mock clock ------------------------------------------------------------------
def test_execution_walks_through_statuses(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    pipeline_id = pipeline(client, image_name="slow", test_content="RUN test -f /etc/os-release")
    execution_id = start(client, pipeline_id)
    first = execution(client, execution_id)
    assert first["Status"] == "PREPARING"
    image_id = first["ImageId"]
    assert stored_image(engine, image_id)["Status"] == "Creating"
    assert described(client, image_id) == []  # DescribeImages lists Available images by default
    assert [i["Status"] for i in described(client, image_id, status="Creating,Available")] == ["Creating"]
    seen = [first["Status"]]
    for _ in range(5):
        engine.clock.advance(24)  # five stages over 120 s
        seen.append(execution(client, execution_id)["Status"])
    assert seen == ["PREPARING", "BUILDING", "TESTING", "DISTRIBUTING", "RELEASING", "SUCCESS"]
    assert stored_image(engine, image_id)["Status"] == "Available"
    assert [i["Status"] for i in described(client, image_id)] == ["Available"]
    done = execution(client, execution_id)
    assert done["ModifiedTime"] >= done["CreationTime"]


def test_stage_modified_time_is_when_the_stage_began(client, engine):
    # One jump of the clock, one read: ModifiedTime is when the current status began, not the read.
    engine.lifecycle.delay("execution", seconds=120)
    execution_id = start(client, pipeline(client, test_content="RUN true"))  # five stages of 24 s
    created = execution(client, execution_id)["CreationTime"]
    engine.clock.advance(60)  # 60 s in: TESTING, which began at 48 s
    got = execution(client, execution_id)
    assert got["Status"] == "TESTING"
    assert got["ModifiedTime"] == resources.iso(resources.parse_iso(created) + 48)
    engine.clock.advance(3600)
    done = execution(client, execution_id)
    assert (done["Status"], done["ModifiedTime"]) == ("SUCCESS", resources.iso(resources.parse_iso(created) + 120))


def test_cancelled_modified_time_is_when_cancellation_ended(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    execution_id = start(client, pipeline(client))
    engine.clock.advance(30)
    client.cancel_image_pipeline_execution(m.CancelImagePipelineExecutionRequest(region_id=REGION,
                                                                                 execution_id=execution_id))
    cancelling = execution(client, execution_id)
    engine.clock.advance(3600)
    got = execution(client, execution_id)
    assert got["Status"] == "CANCELLED"
    assert got["ModifiedTime"] == resources.iso(resources.parse_iso(cancelling["ModifiedTime"]) + 120)


def test_clock_past_the_end_settles_in_one_read(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    execution_id = start(client, pipeline(client))
    engine.clock.advance(3600)
    got = execution(client, execution_id)
    assert got["Status"] == "SUCCESS"
    assert stored_image(engine, got["ImageId"])["Status"] == "Available"


def test_one_running_execution_per_pipeline_and_delete_guard(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    pipeline_id = pipeline(client)
    start(client, pipeline_id)
    err = error_of(start, client, pipeline_id)
    assert_error(err, "StartImagePipelineExecution", "InvalidImagePipeline.HasRunningExecution", 403)
    err = error_of(client.delete_image_pipeline,
                   m.DeleteImagePipelineRequest(region_id=REGION, image_pipeline_id=pipeline_id))
    assert_error(err, "DeleteImagePipeline", "InvalidImagePipeline.HasRunningExecution", 403)
    engine.clock.advance(121)
    start(client, pipeline_id)  # the first one has finished
    engine.clock.advance(121)
    client.delete_image_pipeline(m.DeleteImagePipelineRequest(region_id=REGION, image_pipeline_id=pipeline_id))
    err = error_of(client.describe_image_pipeline_executions,
                   m.DescribeImagePipelineExecutionsRequest(region_id=REGION, image_pipeline_id=pipeline_id))
    assert_error(err, "DescribeImagePipelineExecutions", "InvalidImagePipeline.NotFound", 404)


def test_cancel_running_execution(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    pipeline_id = pipeline(client, image_name="cancelme", to_region_id=["cn-shanghai"])
    execution_id = start(client, pipeline_id)
    engine.clock.advance(30)
    image_id = execution(client, execution_id)["ImageId"]
    assert stored_image(engine, image_id) is not None
    client.cancel_image_pipeline_execution(m.CancelImagePipelineExecutionRequest(region_id=REGION,
                                                                                 execution_id=execution_id))
    got = execution(client, execution_id)
    assert (got["Status"], got["ImageId"]) == ("CANCELLING", "")
    err = error_of(client.cancel_image_pipeline_execution,
                   m.CancelImagePipelineExecutionRequest(region_id=REGION, execution_id=execution_id))
    assert (err.code, err.status_code) == ("InvalidStatus.ImagePipelineExecution", 403)
    engine.clock.advance(121)
    assert execution(client, execution_id)["Status"] == "CANCELLED"
    assert stored_image(engine, image_id) is None and images_named(engine, f"cancelme_{execution_id}") == []
    err = error_of(client.cancel_image_pipeline_execution,
                   m.CancelImagePipelineExecutionRequest(region_id=REGION, execution_id=execution_id))
    assert_error(err, "CancelImagePipelineExecution", "InvalidStatus.CancelFailed", 400)
    assert err.message.startswith("code: 400, Failed to cancel execution,status is success, failed or cancelled.")
    start(client, pipeline_id)  # no longer running


def test_cancel_finished_and_unknown(client):
    execution_id = start(client, pipeline(client))
    err = error_of(client.cancel_image_pipeline_execution,
                   m.CancelImagePipelineExecutionRequest(region_id=REGION, execution_id=execution_id))
    assert_error(err, "CancelImagePipelineExecution", "InvalidStatus.CancelFailed", 400)
    err = error_of(client.cancel_image_pipeline_execution,
                   m.CancelImagePipelineExecutionRequest(region_id=REGION, execution_id="exec-0000000000000000000a"))
    assert_error(err, "CancelImagePipelineExecution", "InvalidImagePipelineExecution.NotFound", 404)
    assert documented_error("CancelImagePipelineExecution", "InvalidImagePipelineExecution.NotFound")[1] in err.message


def test_injected_failure_of_running_execution(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    pipeline_id = pipeline(client, image_name="doomed")
    execution_id = start(client, pipeline_id)
    image_id = execution(client, execution_id)["ImageId"]
    engine.lifecycle.fail(execution_id, "disk full")
    engine.clock.advance(500)
    got = execution(client, execution_id)
    assert (got["Status"], got["ErrorInfo"], got["ImageId"]) == ("FAILED", "disk full", "")
    assert got["ErrorCode"] != ""
    assert stored_image(engine, image_id) is None


@pytest.mark.parametrize("how", ["option", "lifecycle"])
def test_fail_next_execution(client, engine, how):
    if how == "option":
        engine.config.options["fail_next_execution"] = "boom"
    else:
        engine.lifecycle.fail_next("execution", "boom")
    pipeline_id = pipeline(client, image_name="flaky")
    got = execution(client, start(client, pipeline_id))
    assert (got["Status"], got["ErrorInfo"], got["ImageId"]) == ("FAILED", "boom", "")
    assert images_named(engine, f"flaky_{got['ExecutionId']}") == []
    again = execution(client, start(client, pipeline_id))  # only the next one fails
    assert again["Status"] == "SUCCESS" and stored_image(engine, again["ImageId"]) is not None


# -- components ----------------------------------------------------------------------------------
def test_component_defaults_versions_and_fields(client):
    first = component(client)
    listed = client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id=REGION, image_component_id=[first])).body.to_map()
    item = listed["ImageComponent"]["ImageComponentSet"][0]
    assert item["Name"] == first and item["ComponentVersion"] == "1.0.0"
    assert (item["ComponentType"], item["SystemType"], item["Owner"]) == ("Build", "Linux", "SELF")
    assert item["Parameters"] == {"Parameter": []} and item["Tags"] == {"Tag": []}
    assert isinstance(listed["TotalCount"], int) and isinstance(listed["MaxResults"], int)

    a = component(client, name="setup")
    b = component(client, name="setup", component_version="4.2.1")
    c = component(client, name="setup", tag=[m.CreateImageComponentRequestTag(key="k", value="v")])
    versions = {}
    for cid in (a, b, c):
        got = client.describe_image_components(m.DescribeImageComponentsRequest(
            region_id=REGION, image_component_id=[cid])).body.to_map()["ImageComponent"]["ImageComponentSet"][0]
        versions[cid] = got["ComponentVersion"]
    assert [versions[a], versions[b], versions[c]] == ["1.0.0", "4.2.1", "5.0.0"]
    err = error_of(component, client, name="setup", component_version="4.2.1")
    assert_error(err, "CreateImageComponent", "InvalidComponentVersion.Exist", 403)

    by = client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id=REGION, name="setup", component_version="4.*.1")).body.to_map()["ImageComponent"]
    assert [i["ImageComponentId"] for i in by["ImageComponentSet"]] == [b]
    tagged = client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id=REGION, tag=[m.DescribeImageComponentsRequestTag(key="k", value="v")])).body
    assert [i.image_component_id for i in tagged.image_component.image_component_set] == [c]
    assert tagged.image_component.image_component_set[0].tags.tag[0].tag_key == "k"


def test_component_errors(client):
    assert_error(error_of(component, client, "FROM IMAGE:m-123\nRUN x"),
                 "CreateImageComponent", "NotSupportedCommand.FROM", 404)
    assert_error(error_of(component, client, "RUN " + "x" * (16 * 1024)),
                 "CreateImageComponent", "InvalidContent.LengthExceeded", 400)
    assert_error(error_of(component, client, "COMPONENT ic-abc"),
                 "CreateImageComponent", "InvalidCommand.Component", 400)
    assert_error(error_of(component, client, "RUN"), "CreateImageComponent", "EmptyCommandContent.RUN", 400)
    assert_error(error_of(component, client, "RUN ok", component_type="Deploy"),
                 "CreateImageComponent", "InvalidComponentType.NotSupportedValue", 400)
    assert_error(error_of(component, client, "RUN ok", system_type="Solaris"),
                 "CreateImageComponent", "InvalidSystemType.NotSupportedValue", 400)
    assert_error(error_of(component, client, "RUN ok", name="1bad"), "CreateImageComponent",
                 "InvalidName.Malformed", 400)
    assert_error(error_of(component, client, ""), "CreateImageComponent", "MissingParameter.Content", 400)

    err = error_of(client.describe_image_components, m.DescribeImageComponentsRequest(region_id=REGION, owner="ME"))
    assert_error(err, "DescribeImageComponents", "InvalidParameter.Owner", 400)
    ids = [f"ic-{i:020d}" for i in range(21)]
    err = error_of(client.describe_image_components,
                   m.DescribeImageComponentsRequest(region_id=REGION, image_component_id=ids))
    assert_error(err, "DescribeImageComponents", "InvalidImageComponentIdSize.ExceededMaxNumber", 400)
    err = error_of(client.delete_image_component,
                   m.DeleteImageComponentRequest(region_id=REGION, image_component_id="ic-bp1000000000000000000"))
    assert_error(err, "DeleteImageComponent", "InvalidImageComponent.NotFound", 404)


def test_component_owner_filter_and_scoping(client, other):
    mine = component(client)
    assert [i.image_component_id for i in client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id=REGION, owner="SELF")).body.image_component.image_component_set] == [mine]
    assert client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id=REGION, owner="ALIYUN")).body.total_count == 0
    assert client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id="cn-beijing")).body.total_count == 0
    assert other.client.describe_image_components(m.DescribeImageComponentsRequest(
        region_id=REGION)).body.total_count == 0
    err = error_of(other.client.delete_image_component,
                   m.DeleteImageComponentRequest(region_id=REGION, image_component_id=mine))
    assert_error(err, "DeleteImageComponent", "InvalidImageComponent.NotFound", 404)


def test_delete_component_in_use(client):
    used = component(client)
    pipeline_id = pipeline(client, build_content=f"RUN a\nCOMPONENT {used}")
    err = error_of(client.delete_image_component,
                   m.DeleteImageComponentRequest(region_id=REGION, image_component_id=used))
    assert (err.code, err.status_code) == ("InvalidImageComponent.InUse", 403)
    client.delete_image_pipeline(m.DeleteImagePipelineRequest(region_id=REGION, image_pipeline_id=pipeline_id))
    client.delete_image_component(m.DeleteImageComponentRequest(region_id=REGION, image_component_id=used))
    assert client.describe_image_components(m.DescribeImageComponentsRequest(region_id=REGION)).body.total_count == 0


# -- pipelines -----------------------------------------------------------------------------------
def test_pipeline_errors(client, other, engine):
    def bad(code: str, status: int, **kw) -> None:
        assert_error(error_of(pipeline, client, **kw), "CreateImagePipeline", code, status)

    bad("InvalidBaseImageType.NotSupportedValue", 400, base_image_type="ISO", base_image=BASE)
    bad("InvalidImage.NotFound", 404, base_image="m-bp1doesnotexist000000")
    bad("InvalidImage.NotFound", 404, base_image_type="IMAGE_FAMILY", base_image="no-such-family")
    bad("MissingParameter", 400, base_image="")
    bad("InvalidSystemDiskSize.NotSupportedValue", 400, system_disk_size=19)
    bad("InvalidSystemDiskSize.NotSupportedValue", 400, system_disk_size=501)
    bad("InvalidInternetMaxBandwidthOut.NotSupportedValue", 400, internet_max_bandwidth_out=101)
    bad("InvalidToRegionIdSize.ExceededMaxNumber", 400, to_region_id=["cn-beijing"] * 21)
    bad("InvalidAddAccountSize.ExceededMaxNumber", 400, add_account=list(range(1, 22)))
    bad("InvalidBuildContent.LengthExceeded", 400, build_content="RUN " + "y" * (16 * 1024))
    bad("ImageComponent.NotFound", 404, build_content="COMPONENT ic-bp1nothere00000000000")
    bad("MissingParameter.ImportImageOptions", 404, base_image_type="OSS")
    bad("InvalidName.Malformed", 400, name="http://x")
    bad("InvalidImageName.Malformed", 400, image_name="_bad")
    bad("InvalidInstanceType.NotFound", 404, instance_type="ecs.nope.large")
    bad("DuplicatedCommand.FROM", 400, build_content="FROM IMAGE:a\nFROM IMAGE:b")
    # another account's component is not ours to use
    foreign = component(other.client)
    bad("ImageComponent.NotFound", 404, build_content=f"COMPONENT {foreign}")
    assert client.describe_image_pipelines(m.DescribeImagePipelinesRequest(region_id=REGION)).body.total_count == 0


def test_pipeline_describe_shapes_raw_json(client, legacy):
    # The old SDK hands back the raw JSON: check the wire names and JSON types exactly.
    req = CreateImagePipelineRequest()
    req.set_BaseImageType("OSS")
    req.set_Name("imported")
    req.set_ImportImageOptions({
        "DiskDeviceMappings": [{"OSSBucket": "bkt", "OSSObject": "disk.qcow2", "Format": "qcow2", "DiskImageSize": 40}],
        "OSType": "linux", "Platform": "Ubuntu", "Architecture": "x86_64", "BootMode": "UEFI",
        "ImportImageTags": [{"Key": "src", "Value": "oss"}], "RetentionStrategy": "RetainAlways"})
    req.set_ImageOptions({"ImageName": "from-oss", "ImageTags": [{"Key": "a", "Value": "b"}]})
    req.set_ToRegionIds(["cn-beijing", "cn-shanghai"])
    req.set_AddAccounts([1234567890123456])
    req.set_SystemDiskSize(80)
    pipeline_id = legacy_call(legacy, req)["ImagePipelineId"]
    assert pipeline_id.startswith("ip-")

    d = DescribeImagePipelinesRequest()
    d.set_ImagePipelineIds([pipeline_id])
    body = legacy_call(legacy, d)
    assert set(body) == {"RequestId", "TotalCount", "MaxResults", "NextToken", "ImagePipeline"}
    (item,) = body["ImagePipeline"]["ImagePipelineSet"]
    assert item["ToRegionIds"] == {"ToRegionId": ["cn-beijing", "cn-shanghai"]}
    assert item["AddAccounts"] == {"AddAccount": ["1234567890123456"]}  # strings on the way out
    assert item["SystemDiskSize"] == 80 and item["InternetMaxBandwidthOut"] == 0
    assert item["DeleteInstanceOnFailure"] is True and item["AdvancedOptions"]["RetainCloudAssistant"] is False
    assert item["ImageOptions"]["ImageTags"] == {"ImageTag": [{"TagKey": "a", "TagValue": "b"}]}
    imported = item["ImportImageOptions"]
    assert imported["ImportImageTags"] == {"ImportImageTag": [{"Key": "src", "Value": "oss"}]}
    assert imported["DiskDeviceMappings"]["DiskDeviceMapping"] == [
        {"OSSBucket": "bkt", "OSSObject": "disk.qcow2", "Format": "qcow2", "DiskImageSize": 40}]
    assert imported["RetentionStrategy"] == "RetainAlways" and imported["RetainImportedImage"] is False
    assert item["Name"] == "imported" and item["BaseImageType"] == "OSS"
    assert isinstance(item["CreationTime"], str) and item["CreationTime"].endswith("Z")

    # the new SDK reads the same shape into its models
    parsed = client.describe_image_pipelines(m.DescribeImagePipelinesRequest(
        region_id=REGION, image_pipeline_id=[pipeline_id])).body.image_pipeline.image_pipeline_set[0]
    assert parsed.to_region_ids.to_region_id == ["cn-beijing", "cn-shanghai"]
    assert parsed.import_image_options.import_image_tags.import_image_tag[0].key == "src"
    assert parsed.image_options.image_tags.image_tag[0].tag_key == "a"

    # the OSS pipeline builds from ImportImageOptions
    s = StartImagePipelineExecutionRequest()
    s.set_ImagePipelineId(pipeline_id)
    execution_id = legacy_call(legacy, s)["ExecutionId"]
    e = DescribeImagePipelineExecutionsRequest()
    e.set_ImagePipelineId(pipeline_id)
    body = legacy_call(legacy, e)
    (run,) = body["ImagePipelineExecution"]["ImagePipelineExecutionSet"]
    assert run["ExecutionId"] == execution_id and run["Status"] == "SUCCESS"
    assert {k: type(v).__name__ for k, v in run.items() if k != "Tags"} == {
        k: "str" for k in ("CreationTime", "ErrorCode", "ErrorInfo", "ExecutionId", "ImageId", "ImagePipelineId",
                           "Message", "ModifiedTime", "ResourceGroupId", "Status")}
    assert run["Tags"] == {"Tag": []}


def test_pipeline_filters_and_scoping(client, other):
    a = pipeline(client, name="alpha", tag=[m.CreateImagePipelineRequestTag(key="env", value="dev")])
    b = pipeline(client, name="beta")
    def ids(**kw):
        body = client.describe_image_pipelines(m.DescribeImagePipelinesRequest(region_id=REGION, **kw)).body
        return [p.image_pipeline_id for p in body.image_pipeline.image_pipeline_set]
    assert sorted(ids()) == sorted([a, b])
    assert ids(name="beta") == [b]
    assert ids(image_pipeline_id=[a]) == [a]
    assert ids(tag=[m.DescribeImagePipelinesRequestTag(key="env", value="dev")]) == [a]
    assert other.client.describe_image_pipelines(m.DescribeImagePipelinesRequest(
        region_id=REGION)).body.total_count == 0
    err = error_of(start, other.client, a)
    assert_error(err, "StartImagePipelineExecution", "InvalidImagePipeline.NotFound", 404)
    err = error_of(client.describe_image_pipelines, m.DescribeImagePipelinesRequest(
        region_id=REGION, image_pipeline_id=[f"ip-{i}" for i in range(21)]))
    assert_error(err, "DescribeImagePipelines", "InvalidImagePipelineIdSize.ExceededMaxNumber", 400)
    err = error_of(client.delete_image_pipeline, m.DeleteImagePipelineRequest(
        region_id="cn-beijing", image_pipeline_id=a))
    assert_error(err, "DeleteImagePipeline", "InvalidImagePipeline.NotFound", 404)


def test_start_needs_the_base_image(client, engine, other):
    # the base image is another account's image shared with us; when the share goes, Start fails
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "test", other.account_id, REGION, "test", "", engine.clock.now(), {})
        record = images.new_record(ctx, REGION, [images.mapping("/dev/xvda", "system", 40)], ImageName="shared-base",
                                   _shares={DEFAULT_ACCOUNT: "2024-01-01T00:00:00Z"})
        images.put(ctx, record)
    pipeline_id = pipeline(client, base_image=record["ImageId"])
    with engine.store.transaction() as txn:
        txn.delete("image", record["ImageId"])
    err = error_of(start, client, pipeline_id)
    assert (err.code, err.status_code) == ("InvalidImagePipeline.BaseImageNotFound", 404)


def test_client_token_is_idempotent(client):
    req = m.CreateImageComponentRequest(region_id=REGION, content="RUN x", client_token="tok-1")
    first = client.create_image_component(req).body.image_component_id
    assert client.create_image_component(req).body.image_component_id == first
    assert client.describe_image_components(m.DescribeImageComponentsRequest(region_id=REGION)).body.total_count == 1


# -- executions: describe ------------------------------------------------------------------------
def test_describe_executions_filters_and_errors(client, engine):
    pipeline_id = pipeline(client)
    done = start(client, pipeline_id)
    engine.lifecycle.delay("execution", seconds=60)
    running = start(client, pipeline_id)
    req = m.DescribeImagePipelineExecutionsRequest
    body = client.describe_image_pipeline_executions(req(region_id=REGION, image_pipeline_id=pipeline_id)).body
    assert [e.execution_id for e in body.image_pipeline_execution.image_pipeline_execution_set] == [running, done]
    only = client.describe_image_pipeline_executions(req(region_id=REGION, image_pipeline_id=pipeline_id,
                                                         status="SUCCESS,FAILED")).body
    assert [e.execution_id for e in only.image_pipeline_execution.image_pipeline_execution_set] == [done]
    err = error_of(client.describe_image_pipeline_executions, req(region_id=REGION, image_pipeline_id=pipeline_id,
                                                                 status="DONE"))
    assert_error(err, "DescribeImagePipelineExecutions", "InvalidParameter.Status", 400)
    err = error_of(client.describe_image_pipeline_executions, req(region_id=REGION))
    assert_error(err, "DescribeImagePipelineExecutions", "MissingParameter.ImagePipelineId", 400)
    err = error_of(client.describe_image_pipeline_executions, req(region_id=REGION,
                                                                 image_pipeline_id="ip-bp1unknown0000000000"))
    assert_error(err, "DescribeImagePipelineExecutions", "InvalidImagePipeline.NotFound", 404)


def test_execution_tags_async(client):
    async def scenario() -> dict:
        pipeline_id = (await client.create_image_pipeline_async(m.CreateImagePipelineRequest(
            region_id=REGION, base_image_type="IMAGE", base_image=BASE))).body.image_pipeline_id
        execution_id = (await client.start_image_pipeline_execution_async(m.StartImagePipelineExecutionRequest(
            region_id=REGION, image_pipeline_id=pipeline_id,
            tag=[m.StartImagePipelineExecutionRequestTag(key="run", value="1")]))).body.execution_id
        body = (await client.describe_image_pipeline_executions_async(m.DescribeImagePipelineExecutionsRequest(
            region_id=REGION, execution_id=execution_id,
            tag=[m.DescribeImagePipelineExecutionsRequestTag(key="run", value="1")]))).body
        return body.to_map()

    body = asyncio.run(scenario())
    (item,) = body["ImagePipelineExecution"]["ImagePipelineExecutionSet"]
    assert item["Tags"] == {"Tag": [{"TagKey": "run", "TagValue": "1"}]} and item["Status"] == "SUCCESS"


# -- pagination ----------------------------------------------------------------------------------
def test_next_token_pagination(client, legacy, engine):
    created = []
    for i in range(7):
        created.append(component(client, name=f"comp{i}"))
        engine.clock.advance(1)
    seen, token, sizes = [], None, []
    while True:
        body = client.describe_image_components(m.DescribeImageComponentsRequest(
            region_id=REGION, max_results=3, next_token=token)).body
        assert body.total_count == 7 and body.max_results == 3
        sizes.append(len(body.image_component.image_component_set))
        seen += [c.image_component_id for c in body.image_component.image_component_set]
        token = body.next_token
        if not token:
            break
    assert sizes == [3, 3, 1] and seen == created[::-1]  # newest first, each once

    # the old SDK pages the same way; raw JSON types
    req = DescribeImageComponentsRequest()
    req.set_MaxResults(5)
    body = legacy_call(legacy, req)
    assert isinstance(body["NextToken"], str) and body["NextToken"] and body["MaxResults"] == 5
    assert body["TotalCount"] == 7 and len(body["ImageComponent"]["ImageComponentSet"]) == 5

    default = client.describe_image_components(m.DescribeImageComponentsRequest(region_id=REGION)).body
    assert default.max_results == 50 and default.next_token == ""

    for bad_token in ("garbage", "0" * 32, body["NextToken"][:-1] + ("0" if body["NextToken"][-1] != "0" else "1")):
        err = error_of(client.describe_image_components,
                       m.DescribeImageComponentsRequest(region_id=REGION, next_token=bad_token))
        assert_error(err, "DescribeImageComponents", "Invalid.NextToken", 403)
        assert "The specified NextToken is not valid." in err.message
    for bad_size in (0, 501):
        err = error_of(client.describe_image_components,
                       m.DescribeImageComponentsRequest(region_id=REGION, max_results=bad_size))
        assert err.status_code == 400


def test_pipeline_and_execution_pagination(client):
    pipelines = [pipeline(client, name=f"p{i}") for i in range(3)]
    body = client.describe_image_pipelines(m.DescribeImagePipelinesRequest(region_id=REGION, max_results=2)).body
    rest = client.describe_image_pipelines(m.DescribeImagePipelinesRequest(
        region_id=REGION, max_results=2, next_token=body.next_token)).body
    got = [p.image_pipeline_id for p in body.image_pipeline.image_pipeline_set + rest.image_pipeline.image_pipeline_set]
    assert sorted(got) == sorted(pipelines) and rest.next_token == ""
    runs = [start(client, pipelines[0]) for _ in range(3)]
    req = m.DescribeImagePipelineExecutionsRequest
    first = client.describe_image_pipeline_executions(req(region_id=REGION, image_pipeline_id=pipelines[0],
                                                          max_results=2)).body
    second = client.describe_image_pipeline_executions(req(region_id=REGION, image_pipeline_id=pipelines[0],
                                                           max_results=2, next_token=first.next_token)).body
    got = [e.execution_id for e in first.image_pipeline_execution.image_pipeline_execution_set
           + second.image_pipeline_execution.image_pipeline_execution_set]
    assert sorted(got) == sorted(runs) and first.total_count == 3
    err = error_of(client.describe_image_pipeline_executions, req(region_id=REGION, image_pipeline_id=pipelines[0],
                                                                 next_token="AAAAAdDWBF2"))
    assert_error(err, "DescribeImagePipelineExecutions", "Invalid.NextToken", 403)


def test_legacy_errors_are_json(legacy):
    req = CreateImageComponentRequest()
    req.set_Content("FROM IMAGE:x")
    with pytest.raises(ServerException) as info:
        legacy_call(legacy, req)
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("NotSupportedCommand.FROM", 404)
    assert json.dumps(info.value.get_error_msg())


def test_queued_failure_waits_for_the_clock(client, engine):
    engine.lifecycle.delay("execution", seconds=120)
    engine.lifecycle.fail_next("execution", "late failure")
    execution_id = start(client, pipeline(client))
    assert execution(client, execution_id)["Status"] == "PREPARING"
    engine.clock.advance(121)
    got = execution(client, execution_id)
    assert (got["Status"], got["ErrorInfo"], got["ImageId"]) == ("FAILED", "late failure", "")


def test_xml_answer(engine, legacy):
    # A client asking for XML (Format=XML) gets the odd wrappers as nested elements.
    import xml.etree.ElementTree as ET

    from mockecs.wire.protocol import HttpRequest

    create = CreateImagePipelineRequest()
    create.set_BaseImageType("IMAGE")
    create.set_BaseImage(BASE)
    create.set_ToRegionIds(["cn-beijing"])
    pipeline_id = legacy_call(legacy, create)["ImagePipelineId"]
    query = "Action=DescribeImagePipelines&Version=2014-05-26&Format=XML&RegionId=cn-hangzhou&AccessKeyId=x"
    resp = engine.handle(HttpRequest("GET", f"https://ecs.cn-hangzhou.aliyuncs.com/?{query}", {}, b""))
    root = ET.fromstring(resp.body)
    assert root.tag == "DescribeImagePipelinesResponse"
    assert root.findtext("ImagePipeline/ImagePipelineSet/ImagePipelineId") == pipeline_id
    assert root.findtext("ImagePipeline/ImagePipelineSet/ToRegionIds/ToRegionId") == "cn-beijing"

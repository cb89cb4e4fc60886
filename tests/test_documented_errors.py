"""Documented error codes made reachable by modelled behaviour (issue 13), each through a real SDK with the
metadata's HTTP status and message (where the metadata gives a message rather than a ``%s`` template)."""
from __future__ import annotations

import pytest
from alibabacloud_ecs20140526 import models as m
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.sdk import error_of
from tests.spec import documented_error
from tests.test_builder import component, pipeline
from tests.test_images import SHARED, UBUNTU

REGION = "cn-hangzhou"
WINDOWS = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"


def assert_documented(err: ClientException, action: str, code: str) -> None:
    documented = documented_error(action, code)
    assert documented is not None, f"{code} is not documented for {action}"
    status, message = documented
    assert (err.code, err.status_code) == (code, status), err
    if "%s" not in message:
        assert err.data["Message"] == message


# -- Image Builder: the template language's commands ---------------------------------------------
BAD_CONTENT = {
    "RUN": 'RUN ["unclosed"',
    "CMD": "CMD [1, 2]",
    "ENTRYPOINT": "ENTRYPOINT []",
    "ENV": "ENV 1BAD",
    "WORKDIR": "WORKDIR relative/dir",
    "COPY": "COPY only-source",
    "USER": "USER two words",
}


@pytest.mark.parametrize("command", sorted(BAD_CONTENT))
def test_invalid_command_content_in_components_and_pipelines(client, command):
    content = BAD_CONTENT[command]
    assert_documented(error_of(component, client, content), "CreateImageComponent",
                      f"InvalidCommandContent.{command}")
    assert_documented(error_of(pipeline, client, build_content=content), "CreateImagePipeline",
                      f"InvalidCommandContent.{command}")


def test_valid_command_content_is_accepted(client):
    content = "\n".join(['RUN ["/bin/sh", "-c", "yum -y update"]', "RUN echo plain form", "ENV A=1",
                         "ENV B two words", "WORKDIR /opt/app", r"WORKDIR C:\app", "COPY a.txt /opt/a.txt",
                         "USER admin", "USER 1000", 'CMD ["nginx"]', "ENTRYPOINT /start.sh", "LABEL a=b", "RESTART"])
    assert component(client, content).startswith("ic-")
    assert pipeline(client, build_content="FROM IMAGE_FAMILY:acs:alibaba_cloud_linux_3_2104_lts_x64\n"
                                          + content).startswith("ip-")


def test_unsupported_commands_and_from(client):
    assert_documented(error_of(component, client, "ADD a /b"), "CreateImageComponent",
                      "InvalidImageTemplateCommand.NotSupported")
    assert_documented(error_of(pipeline, client, build_content="EXPOSE 80"), "CreateImagePipeline",
                      "InvalidImageTemplateCommand.NotSupported")
    assert_documented(error_of(pipeline, client, build_content="FROM ubuntu:22.04\nRUN x"), "CreateImagePipeline",
                      "InvalidCommandContent.FROM")
    assert pipeline(client, build_content="FROM IMAGE:m-bp1abc\nRUN x").startswith("ip-")


def test_pipelines_refuse_windows_base_images(client):
    err = error_of(pipeline, client, base_image=WINDOWS)
    assert_documented(err, "CreateImagePipeline", "ImagePipeline.NotSupportWindowsInstance")
    assert client.describe_image_pipelines(m.DescribeImagePipelinesRequest(region_id=REGION)).body.total_count == 0


# -- tags: images the caller sees but does not own ------------------------------------------------
def test_public_and_shared_images_do_not_support_tagging(client):
    tag = [m.TagResourcesRequestTag(key="k", value="v")]
    for image_id in (UBUNTU, SHARED):
        err = error_of(client.tag_resources, m.TagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id], tag=tag))
        assert_documented(err, "TagResources", "InvalidResourceId.NotSupported")
        err = error_of(client.untag_resources, m.UntagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id], tag_key=["k"]))
        assert_documented(err, "UntagResources", "InvalidResourceId.NotSupported")
        err = error_of(client.list_tag_resources, m.ListTagResourcesRequest(
            region_id=REGION, resource_type="image", resource_id=[image_id]))
        assert_documented(err, "ListTagResources", "InvalidResourceId.NotSupported")

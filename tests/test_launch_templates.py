"""Launch templates (CreateLaunchTemplate ... DeleteLaunchTemplate) through both SDKs, RunInstances from a template,
an image pipeline's flow (a new image, a new version with it, made the default, launched), Terraform's
``alicloud_ecs_launch_template`` replayed from the provider's source, and the documented errors."""
from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Optional

import alibabacloud_ecs20140526.models as m
from aliyunsdkecs.request.v20140526.CreateLaunchTemplateRequest import CreateLaunchTemplateRequest
from aliyunsdkecs.request.v20140526.CreateLaunchTemplateVersionRequest import CreateLaunchTemplateVersionRequest
from aliyunsdkecs.request.v20140526.DeleteLaunchTemplateVersionRequest import DeleteLaunchTemplateVersionRequest
from aliyunsdkecs.request.v20140526.DescribeLaunchTemplatesRequest import DescribeLaunchTemplatesRequest
from aliyunsdkecs.request.v20140526.DescribeLaunchTemplateVersionsRequest import DescribeLaunchTemplateVersionsRequest
from aliyunsdkecs.request.v20140526.DescribeResourceByTagsRequest import DescribeResourceByTagsRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

from tests import test_build_flow
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_images import create_image
from tests.test_instances import LINUX, REGION, X86_TYPE, assert_documented, describe, disks, old_error
from tests.test_legacy_tags import add, tags_on
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_tags import rows, tag, untag
from tests.test_terraform_flow import Provider, network

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
OTHER_TYPE = "ecs.c7.large"


def create(client, name: str = "web", **kw: Any) -> str:
    return client.create_launch_template(m.CreateLaunchTemplateRequest(
        region_id=REGION, launch_template_name=name, **kw)).body.launch_template_id


def add_version(client, template_id: str, **kw: Any) -> int:
    return client.create_launch_template_version(m.CreateLaunchTemplateVersionRequest(
        region_id=REGION, launch_template_id=template_id, **kw)).body.launch_template_version_number


def set_default(client, template_id: str, number: int) -> None:
    client.modify_launch_template_default_version(m.ModifyLaunchTemplateDefaultVersionRequest(
        region_id=REGION, launch_template_id=template_id, default_version_number=number))


def templates(client, **kw: Any) -> dict:
    return client.describe_launch_templates(m.DescribeLaunchTemplatesRequest(region_id=REGION, **kw)).body.to_map()


def versions(client, template_id: Optional[str] = None, **kw: Any) -> dict:
    return client.describe_launch_template_versions(m.DescribeLaunchTemplateVersionsRequest(
        region_id=REGION, launch_template_id=template_id, **kw)).body.to_map()


def numbers(client, template_id: str, **kw: Any) -> list[int]:
    return [v["VersionNumber"] for v in
            versions(client, template_id, **kw)["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]]


def launch(client, **kw: Any) -> str:
    return client.run_instances(m.RunInstancesRequest(region_id=REGION, **kw)).body.instance_id_sets.instance_id_set[0]


def network_of(client) -> tuple[str, str]:
    vpc = client.create_vpc(m.CreateVpcRequest(region_id=REGION, cidr_block="10.0.0.0/8")).body.vpc_id
    zone = client.describe_zones(m.DescribeZonesRequest(region_id=REGION)).body.zones.zone[0].zone_id
    vswitch = client.create_vswitch(m.CreateVSwitchRequest(region_id=REGION, vpc_id=vpc, zone_id=zone,
                                                           cidr_block="10.1.0.0/16")).body.v_switch_id
    group = client.create_security_group(m.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc)).body
    return vswitch, group.security_group_id


# -- the template and its versions ------------------------------------------------------------------------------
def test_template_and_version_as_created(client):
    user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    template_id = create(
        client, "web-v1", image_id=LINUX, instance_type=X86_TYPE, version_description="first build",
        host_name="web-host", user_data=user_data, internet_max_bandwidth_out=5, spot_price_limit=0.5,
        instance_charge_type="PostPaid", security_group_ids=["sg-a", "sg-b"], deletion_protection=True,
        system_disk=m.CreateLaunchTemplateRequestSystemDisk(category="cloud_essd", size=60, performance_level="PL1",
                                                            delete_with_instance=True, encrypted="false"),
        data_disk=[m.CreateLaunchTemplateRequestDataDisk(size=100, category="cloud_essd", encrypted="true",
                                                         delete_with_instance=False)],
        network_interface=[m.CreateLaunchTemplateRequestNetworkInterface(
            instance_type="Secondary", security_group_ids=["sg-c"], network_interface_name="eth1")],
        tag=[m.CreateLaunchTemplateRequestTag(key="role", value="web")],
        template_tag=[m.CreateLaunchTemplateRequestTemplateTag(key="team", value="images")],
        image_options=m.CreateLaunchTemplateRequestImageOptions(login_as_non_root=True),
        security_options=m.CreateLaunchTemplateRequestSecurityOptions(trusted_system_mode="vTPM"))
    assert template_id.startswith("lt-bp1")
    listed = templates(client)
    assert listed["TotalCount"] == 1 and (listed["PageNumber"], listed["PageSize"]) == (1, 10)
    assert response_problems("DescribeLaunchTemplates", listed) == []
    [got] = listed["LaunchTemplateSets"]["LaunchTemplateSet"]
    assert (got["LaunchTemplateId"], got["LaunchTemplateName"], got["DefaultVersionNumber"],
            got["LatestVersionNumber"], got["CreatedBy"]) == (template_id, "web-v1", 1, 1, "1234567890123456")
    assert got["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "images"}]
    assert got["ResourceGroupId"].startswith("rg-") and got["CreateTime"].endswith("Z")

    [version] = versions(client, template_id)["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]
    assert (version["VersionNumber"], version["DefaultVersion"], version["VersionDescription"],
            version["LaunchTemplateName"]) == (1, True, "first build", "web-v1")
    data = version["LaunchTemplateData"]
    assert (data["ImageId"], data["InstanceType"], data["HostName"], data["UserData"],
            data["InternetMaxBandwidthOut"], data["SpotPriceLimit"], data["DeletionProtection"]) == \
        (LINUX, X86_TYPE, "web-host", user_data, 5, 0.5, True)
    assert data["SystemDisk"] == {"Category": "cloud_essd", "Size": 60, "PerformanceLevel": "PL1",
                                  "DeleteWithInstance": True, "Encrypted": "false"}
    assert data["DataDisks"]["DataDisk"] == [{"Size": 100, "Category": "cloud_essd", "Encrypted": "true",
                                              "DeleteWithInstance": False}]
    assert data["NetworkInterfaces"]["NetworkInterface"] == [{
        "InstanceType": "Secondary", "NetworkInterfaceName": "eth1", "SecurityGroupIds": {"SecurityGroupId": ["sg-c"]}}]
    assert data["SecurityGroupIds"]["SecurityGroupId"] == ["sg-a", "sg-b"]
    assert data["Tags"]["InstanceTag"] == [{"Key": "role", "Value": "web"}]
    assert data["ImageOptions"] == {"LoginAsNonRoot": True}
    assert data["SecurityOptions"] == {"TrustedSystemMode": "vTPM"}
    assert "VpcId" not in data and "KeyPairName" not in data  # unset: left out


def test_wire_form_old_sdk_json_and_xml(client, legacy):
    """The old SDK's flat parameters; the answer's LaunchTemplateData carries the system disk both as the current
    SDK's object and flat (``SystemDisk.Category``: what the metadata documents and Terraform reads)."""
    request = CreateLaunchTemplateRequest()
    request.set_LaunchTemplateName("legacy")
    request.set_ImageId(LINUX)
    request.set_SystemDiskCategory("cloud_essd")
    request.set_SystemDiskSize(50)
    request.set_DataDisks([{"Size": 80, "Category": "cloud_essd"}])
    request.set_TemplateTags([{"Key": "k", "Value": "v"}])
    request.set_SecurityGroupIdss(["sg-1"])
    made = legacy_call(legacy, request)
    template_id = made["LaunchTemplateId"]
    assert made["LaunchTemplateVersionNumber"] == 1 and response_problems("CreateLaunchTemplate", made) == []

    second = CreateLaunchTemplateVersionRequest()
    second.set_LaunchTemplateName("legacy")
    second.set_InstanceType(OTHER_TYPE)
    assert legacy_call(legacy, second)["LaunchTemplateVersionNumber"] == 2

    listing = DescribeLaunchTemplateVersionsRequest()
    listing.set_LaunchTemplateId(template_id)
    listing.set_LaunchTemplateVersions([1])
    body = legacy_call(legacy, listing)
    data = body["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"][0]["LaunchTemplateData"]
    assert data["SystemDisk"] == {"Category": "cloud_essd", "Size": 50}
    assert (data["SystemDisk.Category"], data["SystemDisk.Size"]) == ("cloud_essd", 50)
    assert data["DataDisks"]["DataDisk"] == [{"Size": 80, "Category": "cloud_essd"}]
    assert data["SecurityGroupIds"]["SecurityGroupId"] == ["sg-1"]

    root = legacy_xml(legacy, listing)
    assert root.findtext("LaunchTemplateVersionSets/LaunchTemplateVersionSet/VersionNumber") == "1"
    assert root.findtext("LaunchTemplateVersionSets/LaunchTemplateVersionSet/LaunchTemplateData/ImageId") == LINUX
    assert root.findtext("LaunchTemplateVersionSets/LaunchTemplateVersionSet/LaunchTemplateData/SystemDisk/Size") \
        == "50"
    named = DescribeLaunchTemplatesRequest()
    named.set_LaunchTemplateNames(["legacy"])
    assert [t["LatestVersionNumber"] for t in legacy_call(legacy, named)["LaunchTemplateSets"]["LaunchTemplateSet"]] \
        == [2]


def test_version_numbers_default_and_deletion(client):
    template_id = create(client, image_id=LINUX)
    assert [add_version(client, template_id, instance_type=X86_TYPE) for _ in range(3)] == [2, 3, 4]
    set_default(client, template_id, 3)
    got = templates(client, launch_template_id=[template_id])["LaunchTemplateSets"]["LaunchTemplateSet"][0]
    assert (got["DefaultVersionNumber"], got["LatestVersionNumber"]) == (3, 4)

    deleted = client.delete_launch_template_version(m.DeleteLaunchTemplateVersionRequest(
        region_id=REGION, launch_template_id=template_id, delete_version=[4, 1])).body.to_map()
    assert deleted["LaunchTemplateVersions"]["LaunchTemplateVersion"] == [
        {"LaunchTemplateId": template_id, "LaunchTemplateVersionNumber": 4},
        {"LaunchTemplateId": template_id, "LaunchTemplateVersionNumber": 1}]
    assert numbers(client, template_id) == [2, 3]
    got = templates(client, launch_template_id=[template_id])["LaunchTemplateSets"]["LaunchTemplateSet"][0]
    assert got["LatestVersionNumber"] == 3  # the highest left ...
    assert add_version(client, template_id) == 5  # ... and numbers are never used twice

    err = error_of(client.delete_launch_template_version, m.DeleteLaunchTemplateVersionRequest(
        region_id=REGION, launch_template_id=template_id, delete_version=[2, 3]))
    assert_documented("DeleteLaunchTemplateVersion", err)
    assert err.code == "InvalidOperation.DeleteDefaultVersion"
    assert numbers(client, template_id) == [2, 3, 5]  # (nothing deleted)

    gone = client.delete_launch_template(m.DeleteLaunchTemplateRequest(region_id=REGION,
                                                                       launch_template_name="web")).body.to_map()
    assert gone["LaunchTemplateId"] == template_id
    assert gone["LaunchTemplateVersionNumbers"] == {"versionNumbers": [2, 3, 5]}
    assert templates(client)["TotalCount"] == 0
    assert templates(client, launch_template_id=[template_id])["LaunchTemplateSets"]["LaunchTemplateSet"] == []
    assert create(client, image_id=LINUX) != template_id  # (the name is free again)


def test_version_filters_and_paging(client):
    template_id = create(client, image_id=LINUX)
    for _ in range(5):
        add_version(client, template_id, instance_type=X86_TYPE)
    set_default(client, template_id, 4)
    assert numbers(client, template_id) == [1, 2, 3, 4, 5, 6]
    assert numbers(client, template_id, page_size=4, page_number=2) == [5, 6]
    assert versions(client, template_id, page_size=4, page_number=2)["TotalCount"] == 6
    assert numbers(client, template_id, launch_template_version=[6, 2, 9]) == [2, 6]
    assert numbers(client, template_id, default_version=True) == [4]
    assert numbers(client, template_id, default_version=False, max_version=3) == [1, 2, 3]
    assert numbers(client, template_id, min_version=3, max_version=5) == [3, 4, 5]
    body = versions(client, template_id, min_version=2, page_size=2)
    assert (body["TotalCount"], [v["VersionNumber"] for v in
                                 body["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]]) == (5, [2, 3])
    brief = versions(client, template_id, detail_flag=False)["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]
    assert all("LaunchTemplateData" not in v for v in brief) and brief[3]["DefaultVersion"] is True
    by_name = versions(client, None, launch_template_name="web", launch_template_version=[1])
    assert by_name["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"][0]["LaunchTemplateData"]["ImageId"] == LINUX


def test_template_filters_and_paging(client, engine):
    from mockecs.world import resource_groups

    group = resource_groups.add(engine, name="builds")
    made = [create(client, f"tpl-{n}") for n in range(4)]
    tagged = create(client, "tagged", template_tag=[m.CreateLaunchTemplateRequestTemplateTag(key="env", value="ci")],
                    template_resource_group_id=group)

    def ids(**kw: Any) -> list[str]:
        return [t["LaunchTemplateId"] for t in templates(client, **kw)["LaunchTemplateSets"]["LaunchTemplateSet"]]

    assert ids() == (made + [tagged])[:10] and ids(page_size=2, page_number=2) == made[2:4]
    assert templates(client, page_size=2)["TotalCount"] == 5
    assert ids(launch_template_id=[made[3], made[0], "lt-bp1nosuchtemplate00"]) == [made[0], made[3]]
    assert ids(launch_template_name=["tpl-2", "tagged", "none"]) == [made[2], tagged]
    assert ids(launch_template_name=["none"]) == []
    assert ids(launch_template_id=[made[1]], launch_template_name=["tpl-2"]) == []
    assert ids(template_tag=[m.DescribeLaunchTemplatesRequestTemplateTag(key="env", value="ci")]) == [tagged]
    assert ids(template_tag=[m.DescribeLaunchTemplatesRequestTemplateTag(key="env")]) == [tagged]
    assert ids(template_resource_group_id=group) == [tagged]


def test_async_create_version_and_describe(client):
    async def flow() -> tuple[int, dict]:
        made = await client.create_launch_template_async(m.CreateLaunchTemplateRequest(
            region_id=REGION, launch_template_name="async", image_id=LINUX))
        template_id = made.body.launch_template_id
        added = await client.create_launch_template_version_async(m.CreateLaunchTemplateVersionRequest(
            region_id=REGION, launch_template_id=template_id, instance_type=OTHER_TYPE,
            version_description="second"))
        await client.modify_launch_template_default_version_async(m.ModifyLaunchTemplateDefaultVersionRequest(
            region_id=REGION, launch_template_name="async", default_version_number=2))
        listed = await client.describe_launch_template_versions_async(m.DescribeLaunchTemplateVersionsRequest(
            region_id=REGION, launch_template_id=template_id, default_version=True))
        return added.body.launch_template_version_number, listed.body.to_map()

    number, listed = asyncio.run(flow())
    [version] = listed["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]
    assert number == 2 and version["VersionNumber"] == 2 and version["VersionDescription"] == "second"
    assert version["LaunchTemplateData"]["InstanceType"] == OTHER_TYPE and "ImageId" not in version[
        "LaunchTemplateData"]  # (a version holds what it was given: nothing is inherited from another)


def test_template_tags_through_the_tag_operations(client):
    template_id = create(client)
    tag(client, [template_id], [("owner", "ci")], rtype="launchtemplate")
    body, found = rows(client, rtype="launchtemplate", resource_id=[template_id])
    assert found == [(template_id, "owner", "ci")]
    assert body.tag_resources.tag_resource[0].resource_type == "launchtemplate"
    tagged = templates(client, template_tag=[m.DescribeLaunchTemplatesRequestTemplateTag(key="owner", value="ci")])
    assert tagged["LaunchTemplateSets"]["LaunchTemplateSet"][0]["Tags"]["Tag"] == [{"TagKey": "owner",
                                                                                    "TagValue": "ci"}]
    untag(client, [template_id], ["owner"], rtype="launchtemplate")
    assert templates(client)["LaunchTemplateSets"]["LaunchTemplateSet"][0]["Tags"]["Tag"] == []


def test_older_tag_operations_and_resource_groups(client, legacy):
    """AddTags / DescribeTags / DescribeResourceByTags (old SDK) see the same tags as TemplateTag.N."""
    template_id = create(client, template_tag=[m.CreateLaunchTemplateRequestTemplateTag(key="team", value="ci")])
    add(client, "launchtemplate", template_id, [("env", "prod")])
    assert tags_on(client, "launchtemplate", template_id) == [("team", "ci"), ("env", "prod")]
    counts = client.describe_tags(m.DescribeTagsRequest(region_id=REGION, resource_type="launchtemplate",
                                                        resource_id=template_id)).body.to_map()["Tags"]["Tag"]
    assert [(t["TagKey"], t["ResourceTypeCount"]["LaunchTemplate"]) for t in counts] == [("env", 1), ("team", 1)]
    request = DescribeResourceByTagsRequest()
    request.set_ResourceType("launchtemplate")
    request.set_Tags([{"Key": "team", "Value": "ci"}])
    found = legacy_call(legacy, request)["Resources"]["Resource"]
    assert [(r["ResourceId"], r["ResourceType"]) for r in found] == [(template_id, "launchtemplate")]


def test_templates_survive_an_export_and_import(client, engine):
    """The store's dump carries templates and versions; after an import they are found by name and id again."""
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE)
    add_version(client, template_id, instance_type=OTHER_TYPE)
    dump = json.loads(json.dumps(engine.export_state()))
    engine.import_state(dump)
    assert numbers(client, None, launch_template_name="web") == [1, 2]
    assert describe(client, launch(client, launch_template_name="web", launch_template_version=1))["InstanceType"] \
        == X86_TYPE


# -- launches ---------------------------------------------------------------------------------------------------
def test_run_instances_takes_the_default_version(client):
    """ImageId and InstanceType from the template alone (RunInstances requires InstanceType without one); the
    default version unless LaunchTemplateVersion names another; the request's own parameters win, member by
    member for SystemDisk, as a whole for lists."""
    vswitch, group = network_of(client)
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch,
                         security_group_id=group, instance_name="from-template", internet_max_bandwidth_out=0,
                         system_disk=m.CreateLaunchTemplateRequestSystemDisk(category="cloud_essd", size=60),
                         data_disk=[m.CreateLaunchTemplateRequestDataDisk(size=100, category="cloud_essd")],
                         tag=[m.CreateLaunchTemplateRequestTag(key="role", value="web")])
    add_version(client, template_id, image_id=LINUX, instance_type=OTHER_TYPE, v_switch_id=vswitch,
                security_group_id=group)

    first = describe(client, launch(client, launch_template_id=template_id))
    assert (first["InstanceType"], first["ImageId"], first["InstanceName"]) == (X86_TYPE, LINUX, "from-template")
    assert first["VpcAttributes"]["VSwitchId"] == vswitch and first["SecurityGroupIds"]["SecurityGroupId"] == [group]
    assert first["Tags"]["Tag"] == [{"TagKey": "role", "TagValue": "web"}]
    assert sorted((d["Type"], d["Size"], d["Category"]) for d in disks(client, first["InstanceId"])) == \
        [("data", 100, "cloud_essd"), ("system", 60, "cloud_essd")]

    second = describe(client, launch(client, launch_template_name="web", launch_template_version=2))
    assert second["InstanceType"] == OTHER_TYPE and second["InstanceName"] == second["InstanceId"]

    own = launch(client, launch_template_id=template_id, instance_type=OTHER_TYPE, instance_name="mine",
                 system_disk=m.RunInstancesRequestSystemDisk(size=80),
                 data_disk=[m.RunInstancesRequestDataDisk(size=20, category="cloud_essd")])
    got = describe(client, own)
    assert (got["InstanceType"], got["InstanceName"]) == (OTHER_TYPE, "mine")
    assert sorted((d["Type"], d["Size"], d["Category"]) for d in disks(client, own)) == \
        [("data", 20, "cloud_essd"), ("system", 80, "cloud_essd")]

    count = client.describe_instances(m.DescribeInstancesRequest(region_id=REGION)).body.total_count
    err = error_of(client.run_instances, m.RunInstancesRequest(region_id=REGION, launch_template_id=template_id,
                                                               dry_run=True))
    assert err.code == "DryRunOperation"  # (every check passed with the template's parameters; nothing made)
    assert client.describe_instances(m.DescribeInstancesRequest(region_id=REGION)).body.total_count == count
    err = error_of(client.run_instances, m.RunInstancesRequest(region_id=REGION, image_id=LINUX))
    assert (err.code, err.data["Message"]) == (
        "MissingParameter", 'The input parameter "InstanceType" that is mandatory for processing this request is '
                            'not supplied.')


def test_run_instances_checks_what_the_template_gives(client):
    """Templates are not checked when made (documented): the launch refuses a value it would refuse if sent."""
    template_id = create(client, image_id="m-bp1nosuchimage000000", instance_type=X86_TYPE)
    assert template_id.startswith("lt-")
    err = error_of(client.run_instances, m.RunInstancesRequest(region_id=REGION, launch_template_id=template_id))
    assert err.code == "InvalidImageId.NotFound"
    add_version(client, template_id, image_id=LINUX, instance_type=X86_TYPE, internet_max_bandwidth_out=500)
    err = error_of(client.run_instances, m.RunInstancesRequest(region_id=REGION, launch_template_id=template_id,
                                                               launch_template_version=2))
    assert (err.code, err.data["Message"]) == ("InvalidInternetMaxBandwidthOut.Malformed",
                                               "The specified parameter internetMaxBandwidthOut is not valid.")


def test_the_templates_network_interfaces_at_launch(client):
    """A template's NetworkInterface.N are the launch's (RunInstances takes them): a secondary ENI with each
    instance; the request's own NetworkInterface.N would replace them as a whole."""
    vswitch, group = network_of(client)
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch, security_group_id=group,
                         network_interface=[m.CreateLaunchTemplateRequestNetworkInterface(
                             instance_type="Secondary", network_interface_name="data-nic", delete_on_release=True)])
    instance = describe(client, launch(client, launch_template_id=template_id))
    first, second = instance["NetworkInterfaces"]["NetworkInterface"]
    assert (first["Type"], second["Type"]) == ("Primary", "Secondary")
    [eni] = client.describe_network_interfaces(m.DescribeNetworkInterfacesRequest(
        region_id=REGION, network_interface_id=[second["NetworkInterfaceId"]])).body.to_map()[
        "NetworkInterfaceSets"]["NetworkInterfaceSet"]
    assert (eni["NetworkInterfaceName"], eni["VSwitchId"], eni["DeleteOnRelease"]) == ("data-nic", vswitch, True)


def test_the_templates_deployment_set_at_launch(client):
    deployment_set = client.create_deployment_set(m.CreateDeploymentSetRequest(
        region_id=REGION, deployment_set_name="spread", strategy="Availability")).body.deployment_set_id
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE, deployment_set_id=deployment_set)
    assert describe(client, launch(client, launch_template_id=template_id))["DeploymentSetId"] == deployment_set


def test_request_security_groups_replace_the_templates(client):
    vswitch, group = network_of(client)
    other = client.create_security_group(m.CreateSecurityGroupRequest(
        region_id=REGION, vpc_id=describe_vswitch_vpc(client, vswitch))).body.security_group_id
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch, security_group_id=group)
    instance = describe(client, launch(client, launch_template_id=template_id, security_group_ids=[other]))
    assert instance["SecurityGroupIds"]["SecurityGroupId"] == [other]


def describe_vswitch_vpc(client, vswitch: str) -> str:
    return client.describe_vswitches(m.DescribeVSwitchesRequest(region_id=REGION, v_switch_id=vswitch)).body \
        .v_switches.v_switch[0].vpc_id


def test_old_sdk_run_instances_from_a_template(client, legacy):
    template_id = create(client, image_id=LINUX, instance_type=X86_TYPE)
    request = RunInstancesRequest()
    request.set_LaunchTemplateId(template_id)
    request.set_LaunchTemplateVersion(1)
    instance_id = legacy_call(legacy, request)["InstanceIdSets"]["InstanceIdSet"][0]
    assert describe(client, instance_id)["InstanceType"] == X86_TYPE
    request = RunInstancesRequest()
    request.set_LaunchTemplateName("web")
    request.set_LaunchTemplateVersion(7)
    err = old_error(legacy, request)
    assert_documented("RunInstances", err)
    assert (err.get_error_code(), err.get_error_msg()) == ("InvalidLaunchTemplateVersion.NotFound",
                                                           "The specified LaunchTemplateVersion is not found.")


def test_image_pipeline_flow(client):
    """Build an image, add a template version with it, make that the default, launch: the new image runs."""
    template_id = create(client, "pipeline", image_id=LINUX, instance_type=X86_TYPE, version_description="base")
    image_id = create_image(client, image_name="web-2026-11")
    number = add_version(client, template_id, image_id=image_id, instance_type=X86_TYPE,
                         version_description="web-2026-11")
    set_default(client, template_id, number)
    instance = describe(client, launch(client, launch_template_name="pipeline"))
    assert instance["ImageId"] == image_id
    [default] = versions(client, template_id, default_version=True)["LaunchTemplateVersionSets"][
        "LaunchTemplateVersionSet"]
    assert (default["VersionNumber"], default["LaunchTemplateData"]["ImageId"]) == (2, image_id)


# -- errors -----------------------------------------------------------------------------------------------------
def test_documented_errors(client, engine):
    template_id = create(client)
    cases = [
        ("CreateLaunchTemplate", "LaunchTemplateName.Duplicated", lambda: create(client)),
        ("CreateLaunchTemplate", "InvalidLaunchTemplateName.Malformed", lambda: create(client, "1bad")),
        ("CreateLaunchTemplate", "InvalidLaunchTemplateName.Malformed", lambda: create(client, "http://x")),
        ("CreateLaunchTemplate", "InvalidDescription.Malformed",
         lambda: create(client, "other", version_description="x")),
        ("CreateLaunchTemplate", "InvalidUserData.Base64FormatInvalid", lambda: create(client, "ok", user_data="@@")),
        ("CreateLaunchTemplate", "InvalidUserData.SizeExceeded",
         lambda: create(client, "ok", user_data=base64.b64encode(b"x" * 40000).decode())),
        ("CreateLaunchTemplate", "InvalidHostName.Malformed", lambda: create(client, "ok", host_name="-bad-")),
        ("CreateLaunchTemplate", "Duplicate.TagKey", lambda: create(client, "ok", tag=[
            m.CreateLaunchTemplateRequestTag(key="a", value="1"), m.CreateLaunchTemplateRequestTag(key="a")])),
        ("CreateLaunchTemplate", "InvalidTagKey.Malformed",
         lambda: create(client, "ok", template_tag=[m.CreateLaunchTemplateRequestTemplateTag(key="acs:x")])),
        ("CreateLaunchTemplate", "InvalidResourceGroup.NotFound",
         lambda: create(client, "ok", template_resource_group_id="rg-nosuchgroup")),
        ("CreateLaunchTemplate", "InvalidParams.CreateEniParams", lambda: create(client, "ok", network_interface=[
            m.CreateLaunchTemplateRequestNetworkInterface(instance_type="Primary")] * 2)),
        ("CreateLaunchTemplateVersion", "InvalidLaunchTemplate.NotFound",
         lambda: add_version(client, "lt-bp1nosuchtemplate00")),
        ("CreateLaunchTemplateVersion", "InvalidDescription.Malformed",
         lambda: add_version(client, template_id, version_description="http://x")),
        ("DescribeLaunchTemplateVersions", "InvalidLaunchTemplate.NotFound",
         lambda: versions(client, None, launch_template_name="none")),
        ("DescribeLaunchTemplateVersions", "MissingParameter", lambda: versions(client, None)),
        ("ModifyLaunchTemplateDefaultVersion", "InvalidLaunchTemplate.NotFound",
         lambda: set_default(client, "lt-bp1nosuchtemplate00", 1)),
        ("ModifyLaunchTemplateDefaultVersion", "InvalidLaunchTemplateVersion.NotFound",
         lambda: set_default(client, template_id, 2)),
        ("RunInstances", "InvalidLaunchTemplate.NotFound",
         lambda: launch(client, launch_template_id="lt-bp1nosuchtemplate00")),
        ("RunInstances", "InvalidLaunchTemplateVersion.NotFound",
         lambda: launch(client, launch_template_id=template_id, launch_template_version=3)),
    ]
    nowhere = "xx-nowhere-1"
    for action, method, request in (
            ("CreateLaunchTemplate", client.create_launch_template,
             m.CreateLaunchTemplateRequest(region_id=nowhere, launch_template_name="web")),
            ("DescribeLaunchTemplates", client.describe_launch_templates,
             m.DescribeLaunchTemplatesRequest(region_id=nowhere)),
            ("DeleteLaunchTemplate", client.delete_launch_template,
             m.DeleteLaunchTemplateRequest(region_id=nowhere, launch_template_id=template_id))):
        cases.append((action, "InvalidRegion.NotExist", lambda method=method, request=request: method(request)))
    for action, code, call in cases:
        err = error_of(call)
        assert err.code == code, (action, code, err)
        assert_documented(action, err)
    err = error_of(lambda: create(client, "ok", tag=[m.CreateLaunchTemplateRequestTag(key=f"k{n}") for n in range(21)]))
    assert (err.code, err.data["Message"]) == ("InvalidParameter", 'The specified parameter "Tag" is not valid.')
    assert_documented("CreateLaunchTemplate", err)
    err = error_of(lambda: create(client, "ok", template_tag=[
        m.CreateLaunchTemplateRequestTemplateTag(key=f"k{n}") for n in range(21)]))
    assert_documented("CreateLaunchTemplate", err)
    assert err.code == "QuotaExceed.Tags"


def test_quotas(client, engine):
    engine.config.options["launch_template_quota"] = 2
    engine.config.options["launch_template_version_quota"] = 3
    first = create(client, "one")
    create(client, "two")
    err = error_of(lambda: create(client, "three"))
    assert err.code == "LaunchTemplateLimitExceed"
    assert_documented("CreateLaunchTemplate", err)
    add_version(client, first)
    add_version(client, first)
    err = error_of(lambda: add_version(client, first))
    assert err.code == "LaunchTemplateVersionLimitExceed"
    assert_documented("CreateLaunchTemplateVersion", err)
    client.delete_launch_template_version(m.DeleteLaunchTemplateVersionRequest(
        region_id=REGION, launch_template_id=first, delete_version=[2]))
    assert add_version(client, first) == 4  # room again, and a new number


def test_quotas_are_per_account_and_region(client, other, engine):
    engine.config.options["launch_template_quota"] = 1
    create(client, "mine")
    other_client = other.client
    assert create(other_client, "mine").startswith("lt-")  # (another account: its own names and quota)
    assert client.create_launch_template(m.CreateLaunchTemplateRequest(
        region_id="cn-beijing", launch_template_name="mine")).body.launch_template_id.startswith("lt-2ze")
    assert templates(other_client)["TotalCount"] == 1 and templates(client)["TotalCount"] == 1


def test_shape_check_reads_a_flat_member_as_its_nested_models():
    """Guards tests/sdk_shapes.py's rule for ``SystemDisk.Size`` beside ``SystemDisk`` (the autouse check)."""
    from tests.sdk_shapes import check

    def body(data: dict) -> dict:
        return {"LaunchTemplateVersionSets": {"LaunchTemplateVersionSet": [{"LaunchTemplateData": data}]}}

    where = "DescribeLaunchTemplateVersions.LaunchTemplateVersionSets.LaunchTemplateVersionSet[0].LaunchTemplateData"
    assert check("DescribeLaunchTemplateVersions", body({"SystemDisk": {"Size": 40}, "SystemDisk.Size": 40})) == []
    assert check("DescribeLaunchTemplateVersions", body({"SystemDisk.Size": "40", "SystemDisk.Sise": 1,
                                                         "ImageId.Size": 1})) == [
        f"{where}.SystemDisk.Size: str '40' where the SDK declares int",
        f"{where}.SystemDisk.Sise: not a field of "
        "DescribeLaunchTemplateVersionsResponseBodyLaunchTemplateVersionSetsLaunchTemplateVersionSetLaunchTemplateData",
        f"{where}.ImageId.Size: not a field of "
        "DescribeLaunchTemplateVersionsResponseBodyLaunchTemplateVersionSetsLaunchTemplateVersionSetLaunchTemplateData"]


def test_old_sdk_errors(legacy):
    request = DeleteLaunchTemplateVersionRequest()
    request.set_LaunchTemplateId("lt-bp1nosuchtemplate00")
    request.set_DeleteVersions([2])
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidLaunchTemplate.NotFound", 404)


# -- Terraform: alicloud_ecs_launch_template ---------------------------------------------------------------------
def tf_read(p: Provider, template_id: str) -> Optional[dict]:
    """resourceAliCloudEcsLaunchTemplateRead: DescribeEcsLaunchTemplate (DescribeLaunchTemplates by
    ``LaunchTemplateId.1``; an empty list or another id is gone), then DescribeLaunchTemplateVersions of the
    LatestVersionNumber, reading LaunchTemplateData's fields as the provider does."""
    found = p.rpc_post("DescribeLaunchTemplates", {}, {"RegionId": REGION, "LaunchTemplateId.1": template_id})
    sets = found["LaunchTemplateSets"]["LaunchTemplateSet"]
    if not sets or sets[0]["LaunchTemplateId"] != template_id:
        return None
    template = sets[0]
    listed = p.rpc_post("DescribeLaunchTemplateVersions", {}, {
        "RegionId": REGION, "LaunchTemplateId": template_id,
        "LaunchTemplateVersion.1": template["LatestVersionNumber"]})
    version = listed["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"][0]
    assert version["LaunchTemplateId"] == template_id
    data = version["LaunchTemplateData"]
    return {
        "launch_template_name": template["LaunchTemplateName"],
        "default_version_number": template["DefaultVersionNumber"],
        "latest_version_number": template["LatestVersionNumber"],
        "image_id": data.get("ImageId"), "instance_type": data.get("InstanceType"),
        "vswitch_id": data.get("VSwitchId"), "vpc_id": data.get("VpcId"), "zone_id": data.get("ZoneId"),
        "security_group_id": data.get("SecurityGroupId"),
        # (single-value type assertions in Go: these objects must be there)
        "data_disks": [{"category": d.get("Category"), "size": d.get("Size"),
                        "delete_with_instance": d.get("DeleteWithInstance"), "encrypted": d.get("Encrypted")}
                       for d in data["DataDisks"]["DataDisk"]],
        "network_interfaces": [{"vswitch_id": n.get("VSwitchId"), "security_group_id": n.get("SecurityGroupId")}
                               for n in data["NetworkInterfaces"]["NetworkInterface"]],
        "tags": {t["Key"]: t["Value"] for t in data["Tags"]["InstanceTag"]},
        "template_tags": {t["TagKey"]: t["TagValue"] for t in template["Tags"]["Tag"]},
        "system_disk": {"category": data.get("SystemDisk.Category"), "size": data.get("SystemDisk.Size"),
                        "delete_with_instance": data.get("SystemDisk.DeleteWithInstance"),
                        "encrypted": data.get("SystemDisk.Encrypted")},
        "version_description": version.get("VersionDescription"),
    }


def tf_request(config: dict, net: dict) -> dict:
    """The request both the create and the update's new version send (RpcPost flattens maps and lists:
    ``SystemDisk.Category``, ``DataDisk.1.Size``, ``Tag.1.Key``)."""
    body = {"RegionId": REGION, "ImageId": config["image_id"], "InstanceType": config["instance_type"],
            "SecurityGroupId": net["security_group"], "VSwitchId": net["vswitch"], "VpcId": net["vpc"],
            "ZoneId": net["zone"], "InternetChargeType": "PayByTraffic", "InternetMaxBandwidthOut": 0,
            "VersionDescription": config["version_description"],
            "SystemDisk.Category": "cloud_essd", "SystemDisk.DeleteWithInstance": "true",
            "SystemDisk.Iops": 0, "SystemDisk.Size": 40, "SystemDisk.Encrypted": "false",
            "DataDisk.1.Category": "cloud_essd", "DataDisk.1.DeleteWithInstance": "true",
            "DataDisk.1.Encrypted": "false", "DataDisk.1.Size": 20,
            "NetworkInterface.1.SecurityGroupId": net["security_group"], "NetworkInterface.1.VSwitchId": net["vswitch"],
            "NetworkInterface.1.DeleteOnRelease": "true"}
    for n, (key, value) in enumerate(sorted(config["tags"].items()), 1):
        body[f"Tag.{n}.Key"], body[f"Tag.{n}.Value"] = key, value
    return body


def test_terraform_ecs_launch_template(proxy):
    """Create (CreateLaunchTemplate, then Read), an update that adds a version and makes it the default
    (``update_default_version_number = true``: DescribeLaunchTemplateVersions of every version with PageSize 50,
    CreateLaunchTemplateVersion, ModifyLaunchTemplateDefaultVersion with its number), a launch from it, the
    delete (LaunchTemplateId and LaunchTemplateName), and a refresh that finds it gone."""
    p = Provider(REGION)
    net = network(p)
    net["zone"] = p.call("DescribeVSwitches", VSwitchId=net["vswitch"])["VSwitches"]["VSwitch"][0]["ZoneId"]
    config = {"image_id": LINUX, "instance_type": X86_TYPE, "version_description": "tf-v1", "tags": {"app": "web"}}
    body = tf_request(config, net)
    body.update({"LaunchTemplateName": "tf-template", "TemplateTag.1.Key": "team", "TemplateTag.1.Value": "tf"})
    template_id = p.rpc_post("CreateLaunchTemplate", {}, body)["LaunchTemplateId"]
    state = tf_read(p, template_id)
    assert state == {
        "launch_template_name": "tf-template", "default_version_number": 1, "latest_version_number": 1,
        "image_id": LINUX, "instance_type": X86_TYPE, "vswitch_id": net["vswitch"], "vpc_id": net["vpc"],
        "zone_id": net["zone"], "security_group_id": net["security_group"],
        "data_disks": [{"category": "cloud_essd", "size": 20, "delete_with_instance": True, "encrypted": "false"}],
        "network_interfaces": [{"vswitch_id": net["vswitch"], "security_group_id": net["security_group"]}],
        "tags": {"app": "web"}, "template_tags": {"team": "tf"},
        "system_disk": {"category": "cloud_essd", "size": 40, "delete_with_instance": True, "encrypted": "false"},
        "version_description": "tf-v1"}

    # data "alicloud_ecs_launch_templates": the name as one bare parameter, PageSize 50, then each one's latest version
    listed = p.rpc_post("DescribeLaunchTemplates", {}, {"LaunchTemplateName": "tf-template", "RegionId": REGION,
                                                        "PageSize": 50, "PageNumber": 1})
    [found] = listed["LaunchTemplateSets"]["LaunchTemplateSet"]
    assert (found["LaunchTemplateId"], found["CreatedBy"], found["LatestVersionNumber"]) == \
        (template_id, "1234567890123456", 1)
    assert found["ModifiedTime"].endswith("Z") and found["ResourceGroupId"].startswith("rg-")
    assert p.rpc_post("DescribeLaunchTemplates", {}, {"LaunchTemplateName": "other", "RegionId": REGION,
                                                      "PageSize": 50, "PageNumber": 1})["TotalCount"] == 0

    # update: template_tags team=tf -> owner=ci (SetResourceTemplateTags: UntagResources, then TagResources)
    p.rpc_post("UntagResources", {}, {"RegionId": REGION, "ResourceType": "launchtemplate",
                                      "ResourceId.1": template_id, "TagKey.1": "team"})
    p.rpc_post("TagResources", {}, {"RegionId": REGION, "ResourceType": "launchtemplate",
                                    "ResourceId.1": template_id, "Tag.1.Key": "owner", "Tag.1.Value": "ci"})
    assert tf_read(p, template_id)["template_tags"] == {"owner": "ci"}
    # update: image_id and version_description change, update_default_version_number = true
    listed = p.rpc_post("DescribeLaunchTemplateVersions", {}, {"LaunchTemplateId": template_id, "PageSize": 50,
                                                               "RegionId": REGION})
    assert len(listed["LaunchTemplateVersionSets"]["LaunchTemplateVersionSet"]) == 1  # (< 30: none deleted)
    config.update(image_id="ubuntu_22_04_x64_20G_alibase_20240130.vhd", version_description="tf-v2")
    body = tf_request(config, net)
    body.update({"LaunchTemplateId": template_id, "LaunchTemplateName": "tf-template"})
    latest = p.rpc_post("CreateLaunchTemplateVersion", {}, body)["LaunchTemplateVersionNumber"]
    p.rpc_post("ModifyLaunchTemplateDefaultVersion", {}, {"LaunchTemplateId": template_id, "RegionId": REGION,
                                                          "DefaultVersionNumber": latest})
    state = tf_read(p, template_id)
    assert (state["default_version_number"], state["latest_version_number"], state["image_id"],
            state["version_description"]) == (2, 2, config["image_id"], "tf-v2")

    # an alicloud_instance with launch_template_id: its image comes from the default version
    made = p.call("RunInstances", LaunchTemplateId=template_id, **{"SystemDisk.Category": "cloud_essd"})
    instance_id = made["InstanceIdSets"]["InstanceIdSet"][0]
    instance = p.call("DescribeInstances", InstanceIds=json.dumps([instance_id]))["Instances"]["Instance"][0]
    assert instance["ImageId"] == config["image_id"] and instance["VpcAttributes"]["VSwitchId"] == net["vswitch"]

    # the oldest non-default version goes when 30 are reached (getLaunchTemplateVersions, deleteLaunchTemplateVersion)
    p.rpc_post("DeleteLaunchTemplateVersion", {}, {"LaunchTemplateId": template_id, "DeleteVersion.1": "1",
                                                   "RegionId": REGION})
    p.rpc_post("DeleteLaunchTemplate", {}, {"LaunchTemplateId": template_id, "LaunchTemplateName": "tf-template",
                                            "RegionId": REGION})
    assert tf_read(p, template_id) is None

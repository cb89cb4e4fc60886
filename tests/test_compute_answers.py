"""The answers of the instance attribute, disk, snapshot copy, legacy tag and resource group operations carry
every field the API metadata documents, with its JSON type (the SDK models check the rest)."""
from __future__ import annotations

import base64
import json

import alibabacloud_ecs20140526.models as models
import pytest

from mockecs.world import resource_groups
from tests.spec import response_problems
from tests.test_instances import REGION, disks, run


@pytest.fixture
def answers(client, engine):
    """One successful answer (JSON body) of each operation, from a small image-build-like flow."""
    bodies: dict[str, dict] = {}

    def keep(action, response):
        bodies[action] = response.body.to_map()
        return response.body

    group = resource_groups.add(engine)
    instance_id = run(client, user_data=base64.b64encode(b"echo hi").decode())[0]
    keep("DescribeInstanceAttribute", client.describe_instance_attribute(
        models.DescribeInstanceAttributeRequest(instance_id=instance_id)))
    keep("ModifyInstanceAttribute", client.modify_instance_attribute(
        models.ModifyInstanceAttributeRequest(instance_id=instance_id, instance_name="renamed")))
    keep("DescribeUserData", client.describe_user_data(models.DescribeUserDataRequest(region_id=REGION,
                                                                                       instance_id=instance_id)))
    disk_id = keep("CreateDisk", client.create_disk(models.CreateDiskRequest(
        region_id=REGION, zone_id=describe_zone(client, instance_id), size=20))).disk_id
    keep("AttachDisk", client.attach_disk(models.AttachDiskRequest(instance_id=instance_id, disk_id=disk_id)))
    keep("DetachDisk", client.detach_disk(models.DetachDiskRequest(instance_id=instance_id, disk_id=disk_id)))
    keep("DeleteDisk", client.delete_disk(models.DeleteDiskRequest(disk_id=disk_id)))
    system = disks(client, instance_id)[0]["DiskId"]
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id=system)).body.snapshot_id
    keep("CopySnapshot", client.copy_snapshot(models.CopySnapshotRequest(
        region_id=REGION, snapshot_id=snapshot_id, destination_region_id="cn-beijing",
        destination_snapshot_name="copy-1", destination_snapshot_description="copy")))
    keep("AddTags", client.add_tags(models.AddTagsRequest(
        region_id=REGION, resource_type="snapshot", resource_id=snapshot_id,
        tag=[models.AddTagsRequestTag(key="k", value="v")])))
    keep("DescribeTags", client.describe_tags(models.DescribeTagsRequest(region_id=REGION)))
    keep("DescribeResourceByTags", client.describe_resource_by_tags(models.DescribeResourceByTagsRequest(
        region_id=REGION, tag=[models.DescribeResourceByTagsRequestTag(key="k")])))
    keep("RemoveTags", client.remove_tags(models.RemoveTagsRequest(
        region_id=REGION, resource_type="snapshot", resource_id=snapshot_id)))
    keep("JoinResourceGroup", client.join_resource_group(models.JoinResourceGroupRequest(
        region_id=REGION, resource_type="instance", resource_id=instance_id, resource_group_id=group)))
    return bodies


def describe_zone(client, instance_id: str) -> str:
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION,
                                                                      instance_ids=json.dumps([instance_id])))
    return found.body.instances.instance[0].zone_id


ACTIONS = ["DescribeInstanceAttribute", "ModifyInstanceAttribute", "DescribeUserData", "CreateDisk", "AttachDisk",
           "DetachDisk", "DeleteDisk", "CopySnapshot", "AddTags", "RemoveTags", "DescribeTags",
           "DescribeResourceByTags", "JoinResourceGroup"]


def test_every_documented_field_is_answered(answers):
    assert sorted(answers) == sorted(ACTIONS)
    problems = {action: response_problems(action, body) for action, body in answers.items()}
    assert {a: p for a, p in problems.items() if p} == {}


def test_the_checker_sees_missing_and_mistyped_fields():
    assert sorted(response_problems("DescribeUserData", {"RequestId": "R", "InstanceId": "i-1", "RegionId": 1})) == [
        "DescribeUserData.RegionId: int where the metadata documents string",
        "DescribeUserData.UserData: documented, not answered"]


@pytest.mark.parametrize("action", ["DescribeInstanceAttribute", "DescribeTags", "DescribeResourceByTags",
                                    "DescribeUserData"])
def test_xml_answers_carry_the_json_content(client, action):
    import xml.etree.ElementTree as ET

    from tests.test_images import _raw, _same_content

    instance_id = run(client, user_data=base64.b64encode(b"echo hi").decode())[0]
    client.add_tags(models.AddTagsRequest(region_id=REGION, resource_type="instance", resource_id=instance_id,
                                          tag=[models.AddTagsRequestTag(key="env", value="a & <b>")]))
    params = {"Action": action, "InstanceId": instance_id, "Tag.1.Key": "env"}
    as_json, as_xml = _raw({**params, "Format": "JSON"}), _raw({**params, "Format": "XML"})
    assert as_json.status_code == as_xml.status_code == 200
    body, root = as_json.json(), ET.fromstring(as_xml.content)
    assert root.tag == f"{action}Response"
    body.pop("RequestId")
    root.remove(root.find("RequestId"))
    _same_content(body, root)

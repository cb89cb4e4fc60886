"""DescribeInstanceMaintenanceAttributes, DescribeInstanceAttachmentAttributes, DescribeInstanceRamRole (what
Terraform's alicloud_instance reads on every refresh) through the current SDK (sync and async) and the old SDK:
the service's defaults per instance, paging, and the metadata's codes."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.DescribeInstanceAttachmentAttributesRequest import (
    DescribeInstanceAttachmentAttributesRequest,
)
from aliyunsdkecs.request.v20140526.DescribeInstanceMaintenanceAttributesRequest import (
    DescribeInstanceMaintenanceAttributesRequest,
)
from aliyunsdkecs.request.v20140526.DescribeInstanceRamRoleRequest import DescribeInstanceRamRoleRequest

from tests.networks_helpers import new_vpc, new_vswitch
from tests.sdk import error_of, legacy_call
from tests.test_instances import assert_documented, old_error, run

REGION = "cn-hangzhou"
DEFAULT_ACTION = {"Value": "AutoRecover", "DefaultValue": "AutoRecover",
                  "SupportedValues": {"SupportedValue": ["Stop", "AutoRecover", "AutoRedeploy"]}}


def maintenance(client, **kw) -> dict:
    return client.describe_instance_maintenance_attributes(
        models.DescribeInstanceMaintenanceAttributesRequest(region_id=REGION, **kw)).body.to_map()


def test_maintenance_attributes_of_named_and_all_instances(client, other):
    first, second = run(client, amount=2)
    answer = maintenance(client, instance_id=[second, first])
    assert answer["TotalCount"] == 2 and (answer["PageNumber"], answer["PageSize"]) == (1, 10)
    rows = answer["MaintenanceAttributes"]["MaintenanceAttribute"]
    assert [r["InstanceId"] for r in rows] == [second, first]  # in the order asked
    assert rows[0] == {"InstanceId": second, "NotifyOnMaintenance": False,
                       "MaintenanceWindows": {"MaintenanceWindow": []}, "ActionOnMaintenance": DEFAULT_ACTION}
    everything = maintenance(client, page_size=1, page_number=2)
    assert everything["TotalCount"] == 2 and len(everything["MaintenanceAttributes"]["MaintenanceAttribute"]) == 1
    err = error_of(maintenance, client, instance_id=["i-bp1nothere"])
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("DescribeInstanceMaintenanceAttributes", err)
    err = error_of(maintenance, other.client, instance_id=[first])  # another account's instance
    assert err.code == "InvalidInstanceId.NotFound"
    err = error_of(maintenance, client, instance_id=[first] * 101)
    assert (err.code, err.status_code) == ("InstanceIdLimitExceeded", 403)
    assert_documented("DescribeInstanceMaintenanceAttributes", err)
    err = error_of(maintenance, client, page_size=101)  # this action documents InvalidParameter as a 403
    assert (err.code, err.status_code) == ("InvalidParameter", 403)
    assert_documented("DescribeInstanceMaintenanceAttributes", err)


def test_maintenance_attributes_old_sdk(client, legacy):
    [instance_id] = run(client)
    request = DescribeInstanceMaintenanceAttributesRequest()
    request.set_InstanceIds([instance_id])
    answer = legacy_call(legacy, request)
    assert answer["MaintenanceAttributes"]["MaintenanceAttribute"][0]["ActionOnMaintenance"] == DEFAULT_ACTION


def test_attachment_attributes(client, legacy):
    first, second = run(client, amount=2)
    answer = client.describe_instance_attachment_attributes(models.DescribeInstanceAttachmentAttributesRequest(
        region_id=REGION, instance_ids=json.dumps([first, second]), page_size=1)).body.to_map()
    assert (answer["TotalCount"], answer["PageNumber"], answer["PageSize"]) == (2, 1, 1)
    assert answer["Instances"]["Instance"] == [
        {"InstanceId": first, "PrivatePoolOptionsMatchCriteria": "None", "PrivatePoolOptionsId": ""}]
    request = DescribeInstanceAttachmentAttributesRequest()
    request.set_InstanceIds(json.dumps([second]))
    assert legacy_call(legacy, request)["Instances"]["Instance"][0]["InstanceId"] == second
    request.set_InstanceIds(json.dumps(["i-bp1nothere"]))
    err = old_error(legacy, request)
    assert (err.get_error_code(), err.get_http_status()) == ("Invalid.InstanceId", 400)
    assert_documented("DescribeInstanceAttachmentAttributes", err)
    for kw, code in (({"region_id": REGION, "instance_ids": json.dumps([first] * 101)},
                      "InvalidParameter.TooManyInstanceIds"),
                     ({"instance_ids": json.dumps([first])}, "MissingParameter.RegionId")):
        err = error_of(client.describe_instance_attachment_attributes,
                       models.DescribeInstanceAttachmentAttributesRequest(**kw))
        assert err.code == code
        assert_documented("DescribeInstanceAttachmentAttributes", err)


def test_ram_role_async_and_errors(client, legacy):
    vswitch = new_vswitch(client, new_vpc(client))
    [instance_id] = run(client, v_switch_id=vswitch, zone_id="cn-hangzhou-i")

    async def ask(**kw):
        return (await client.describe_instance_ram_role_async(
            models.DescribeInstanceRamRoleRequest(region_id=REGION, **kw))).body.to_map()

    answer = asyncio.run(ask(instance_ids=json.dumps([instance_id])))
    assert answer == {"RequestId": answer["RequestId"], "RegionId": REGION, "TotalCount": 0,
                      "InstanceRamRoleSets": {"InstanceRamRoleSet": []}}
    assert asyncio.run(ask(ram_role_name="EcsRole"))["TotalCount"] == 0
    for kw, code in (({}, "InvalidParameter.AllEmpty"), ({"instance_ids": "[i-1"}, "InvalidInstanceIds.Malformed"),
                     ({"instance_ids": '["i-bp1nothere"]'}, "InvalidInstanceId.NotFound")):
        err = error_of(client.describe_instance_ram_role,
                       models.DescribeInstanceRamRoleRequest(region_id=REGION, **kw))
        assert err.code == code
        assert_documented("DescribeInstanceRamRole", err)
    [classic] = run(client)  # no vSwitch: a classic-network instance takes no role
    err = error_of(client.describe_instance_ram_role,
                   models.DescribeInstanceRamRoleRequest(region_id=REGION, instance_ids=json.dumps([classic])))
    assert (err.code, err.status_code) == ("InvalidNetworkType.MismatchRamRole", 403)
    assert_documented("DescribeInstanceRamRole", err)
    request = DescribeInstanceRamRoleRequest()
    request.set_InstanceIds(json.dumps([instance_id]))
    assert legacy_call(legacy, request)["InstanceRamRoleSets"] == {"InstanceRamRoleSet": []}

"""Flow logs on the VPC product's API: CreateFlowLog, DescribeFlowLogs, ModifyFlowLogAttribute, ActiveFlowLog,
DeactiveFlowLog, DeleteFlowLog through the VPC SDK (sync and async) and the old aliyunsdkvpc requests (JSON and
XML); the filters (a VPC's flow logs include its vSwitches' and interfaces'), the refusals, and Terraform's
alicloud_vpc_flow_log (create, wait Active, update, deactivate, delete until gone) through the server."""
from __future__ import annotations

import asyncio

import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkvpc.request.v20160428.DescribeFlowLogsRequest import DescribeFlowLogsRequest

from mockecs.modes.clients import vpc_client
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_server import clean, server  # noqa: F401  (fixtures behind proxy)
from tests.test_terraform_flow import proxy  # noqa: F401  (fixture: the server as HTTP proxy)
from tests.test_vpc_api import REGION, make_vpc, make_vswitch


@pytest.fixture
def vpc(mock):
    return vpc_client()


def create(vpc, resource_type: str, resource_id: str, **kw) -> str:
    args = {"traffic_type": "All", "project_name": "audit", "log_store_name": "flows", **kw}
    return vpc.create_flow_log(vm.CreateFlowLogRequest(region_id=REGION, resource_type=resource_type,
                                                       resource_id=resource_id, **args)).body.flow_log_id


def listed(vpc, **kw) -> list[dict]:
    body = vpc.describe_flow_logs(vm.DescribeFlowLogsRequest(region_id=REGION, **kw)).body
    return body.to_map()["FlowLogs"]["FlowLog"]


def test_create_describe_switch_and_delete(vpc):
    vpc_id = make_vpc(vpc)
    vswitch = make_vswitch(vpc, vpc_id)
    whole = create(vpc, "VPC", vpc_id, flow_log_name="whole-vpc", aggregation_interval=1,
                   tag=[vm.CreateFlowLogRequestTag(key="team", value="sec")])
    part = create(vpc, "VSwitch", vswitch, traffic_type="Drop")
    assert whole.startswith("fl-")
    [found] = listed(vpc, flow_log_id=whole)
    assert (found["ResourceType"], found["ResourceId"], found["TrafficType"], found["ProjectName"],
            found["LogStoreName"], found["AggregationInterval"], found["Status"]) == (
        "VPC", vpc_id, "All", "audit", "flows", 1, "Active")
    assert found["Tags"]["Tag"] == [{"Key": "team", "Value": "sec"}] and found["FlowLogName"] == "whole-vpc"
    # a VPC's flow logs: its own and its vSwitches'
    assert [f["FlowLogId"] for f in listed(vpc, vpc_id=vpc_id)] == [whole, part]
    assert [f["FlowLogId"] for f in listed(vpc, traffic_type="Drop")] == [part]
    assert [f["FlowLogId"] for f in listed(vpc, resource_id=vswitch)] == [part]
    vpc.deactive_flow_log(vm.DeactiveFlowLogRequest(region_id=REGION, flow_log_id=whole))
    assert listed(vpc, flow_log_id=whole)[0]["Status"] == "Inactive"
    assert [f["FlowLogId"] for f in listed(vpc, status="Active")] == [part]
    err = error_of(vpc.deactive_flow_log, vm.DeactiveFlowLogRequest(region_id=REGION, flow_log_id=whole))
    assert err.code == "IncorrectStatus.FlowLog"
    vpc.active_flow_log(vm.ActiveFlowLogRequest(region_id=REGION, flow_log_id=whole))
    vpc.modify_flow_log_attribute(vm.ModifyFlowLogAttributeRequest(region_id=REGION, flow_log_id=whole,
                                                                   description="every packet", aggregation_interval=5))
    [found] = listed(vpc, flow_log_id=whole)
    assert (found["Status"], found["Description"], found["AggregationInterval"]) == ("Active", "every packet", 5)
    vpc.delete_flow_log(vm.DeleteFlowLogRequest(region_id=REGION, flow_log_id=whole))
    assert listed(vpc, flow_log_id=whole) == []
    err = error_of(vpc.delete_flow_log, vm.DeleteFlowLogRequest(region_id=REGION, flow_log_id=whole))
    assert (err.code, err.status_code) == ("InvalidFlowLogId.NotFound", 404)


@pytest.mark.parametrize("kw, code", [
    ({"resource_type": "Instance"}, "IllegalParam.ResourceType"),
    ({"traffic_type": "Some"}, "IllegalParam.TrafficType"),
    ({"aggregation_interval": 3}, "IllegalParam.AggregationInterval"),
    ({"resource_id": "vpc-bp1nothere00000000000"}, "InvalidResourceId.NotFound"),
])
def test_refused_and_nothing_kept(vpc, kw, code):
    vpc_id = make_vpc(vpc)
    kw = {"resource_type": "VPC", "resource_id": vpc_id, **kw}
    err = error_of(create, vpc, kw.pop("resource_type"), kw.pop("resource_id"), **kw)
    assert err.code == code
    assert listed(vpc) == []


def test_one_per_resource_and_traffic_type(vpc):
    vpc_id = make_vpc(vpc)
    create(vpc, "VPC", vpc_id)
    err = error_of(create, vpc, "VPC", vpc_id)
    assert err.code == "ResourceAlreadyExist.FlowLog"
    create(vpc, "VPC", vpc_id, traffic_type="Allow")


def test_async_and_old_sdk(vpc, legacy):
    vpc_id = make_vpc(vpc)

    async def go() -> str:
        resp = await vpc.create_flow_log_async(vm.CreateFlowLogRequest(
            region_id=REGION, resource_type="VPC", resource_id=vpc_id, traffic_type="All", project_name="p",
            log_store_name="l"))
        return resp.body.flow_log_id

    flow_log_id = asyncio.run(go())
    request = DescribeFlowLogsRequest()
    request.set_FlowLogId(flow_log_id)
    answer = legacy_call(legacy, request)
    assert answer["FlowLogs"]["FlowLog"][0]["ResourceId"] == vpc_id and answer["TotalCount"] == "1"
    root = legacy_xml(legacy, request)
    assert root.find("FlowLogs/FlowLog/FlowLogId").text == flow_log_id


def test_terraform_flow_log(proxy):  # noqa: F811 (the fixture)
    """resourceAliCloudVpcFlowLogCreate (CreateFlowLog, wait Status Active through DescribeFlowLogs by id), an update
    (ModifyFlowLogAttribute; status Inactive: DeactiveFlowLog), the read, and the delete (gone from the listing)."""
    from tests.test_terraform_vpc import VpcProvider

    p = VpcProvider(REGION)
    vpc_id = p.post("CreateVpc", {"CidrBlock": "172.16.0.0/12"})["VpcId"]
    flow_log_id = p.post("CreateFlowLog", {"ResourceType": "VPC", "ResourceId": vpc_id, "TrafficType": "All",
                                           "ProjectName": "tf-project", "LogStoreName": "tf-store",
                                           "FlowLogName": "tf-flow"})["FlowLogId"]

    def read() -> dict:
        found = p.post("DescribeFlowLogs", {"FlowLogId": flow_log_id})["FlowLogs"]["FlowLog"]
        return found[0] if found else {}

    assert read()["Status"] == "Active"
    p.post("ModifyFlowLogAttribute", {"FlowLogId": flow_log_id, "FlowLogName": "tf-renamed"})
    p.post("DeactiveFlowLog", {"FlowLogId": flow_log_id})
    state = read()
    assert (state["FlowLogName"], state["Status"], state["ResourceId"]) == ("tf-renamed", "Inactive", vpc_id)
    p.post("DeleteFlowLog", {"FlowLogId": flow_log_id})
    assert read() == {}

"""Resource demands (CreateDemand, DescribeDemands, ModifyDemand, DeleteDemand): deprecated in the API metadata and
dropped from both SDKs, so clients send them as generic requests: the current SDK's ``call_api`` (sync and async), the
old SDK core's ``CommonRequest`` (JSON and XML). Answers are checked against the metadata's response schemas (the SDK
has no model for them), errors against its documented codes."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from alibabacloud_tea_openapi import models as open_api
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_util import models as util
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.request import CommonRequest

from tests.sdk import legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, X86_TYPE, assert_documented

ZONE = "cn-hangzhou-i"
WINDOW = {"StartTime": "2026-12-01 00:00:30", "EndTime": "2026-12-05 00:00:00"}


def _params(action: str) -> open_api.Params:
    return open_api.Params(action=action, version="2014-05-26", protocol="HTTPS", pathname="/", method="POST",
                           auth_type="AK", style="RPC", req_body_type="formData", body_type="json")


def call(client, action: str, **query: Any) -> dict:
    """The current SDK's generic call (what ``aliyun-cli`` and the SDK's docs show for an API it has no model of)."""
    query.setdefault("RegionId", REGION)
    answer = client.call_api(_params(action), open_api.OpenApiRequest(query={k: str(v) for k, v in query.items()}),
                             util.RuntimeOptions())["body"]
    assert response_problems(action, answer) == []
    return answer


def create(client, **kw: Any) -> str:
    query = {"ZoneId": ZONE, "InstanceType": X86_TYPE, "Amount": 5, "Period": 1, "PeriodUnit": "Month", **WINDOW}
    return call(client, "CreateDemand", **{**query, **kw})["DemandId"]


def demands(client, **kw: Any) -> list[dict]:
    return call(client, "DescribeDemands", **kw)["Demands"]["Demand"]


def error(client, action: str, **query: Any) -> ClientException:
    with pytest.raises(ClientException) as info:
        call(client, action, **query)
    assert_documented(action, info.value)
    return info.value


def test_create_describe_modify_delete(client):
    demand_id = create(client, DemandName="k8s-node-demand", DemandDescription="nodes for the autumn")
    assert demand_id.startswith("ed-")
    (found,) = demands(client)
    assert found["DemandId"] == demand_id and found["DemandStatus"] == "Active"
    assert (found["ZoneId"], found["InstanceType"], found["InstanceTypeFamily"]) == (ZONE, X86_TYPE, "ecs.g7")
    assert (found["TotalAmount"], found["DeliveringAmount"], found["UsedAmount"]) == (5, 5, 0)
    assert (found["Period"], found["PeriodUnit"], found["InstanceChargeType"]) == (1, "Month", "PostPaid")
    assert found["StartTime"] == "2026-12-01T00:00:00Z"  # (seconds dropped, documented)
    assert found["EndTime"] == "2026-12-05T00:00:00Z" and found["SupplyInfos"] == {"SupplyInfo": []}
    call(client, "ModifyDemand", DemandId=demand_id, Amount=8, DemandName="bigger")
    (found,) = demands(client, DemandId=demand_id, ZoneId="cn-hangzhou-k")  # (other filters ignored by id)
    assert (found["TotalAmount"], found["DemandName"]) == (8, "bigger")
    call(client, "DeleteDemand", DemandId=demand_id, Reason="not needed")
    assert demands(client) == []
    err = error(client, "DeleteDemand", DemandId=demand_id)
    assert (err.code, err.status_code) == ("404", 404)


def test_filters_and_lifecycle(client, engine):
    engine.lifecycle.delay("demand", seconds=60)
    first = create(client)
    second = create(client, InstanceType="ecs.c7.large", InstanceChargeType="PrePaid")
    assert [d["DemandStatus"] for d in demands(client)] == ["Creating", "Creating"]
    assert [d["DemandId"] for d in demands(client, InstanceTypeFamily="ecs.c7")] == [second]
    assert [d["DemandId"] for d in demands(client, InstanceChargeType="PostPaid")] == [first]
    assert demands(client, DemandType="System") == []
    engine.clock.advance(60)
    assert [d["DemandId"] for d in demands(client, **{"DemandStatus.1": "Active"})] == [first, second]
    page = call(client, "DescribeDemands", PageSize=1, PageNumber=2)
    assert (page["TotalCount"], [d["DemandId"] for d in page["Demands"]["Demand"]]) == (2, [second])


def test_documented_errors(client):
    cases = [
        ("CreateDemand", {"ZoneId": "cn-hangzhou-z"}, "InvalidZone.NotFound"),
        ("CreateDemand", {"InstanceType": "ecs.nope.large"}, "InvalidInstanceType.NotFound"),
        ("CreateDemand", {"InstanceChargeType": "Free"}, "InvalidInstanceChargeType.NotFound"),
        ("CreateDemand", {"Amount": 0}, "InvalidParameter"),
        ("CreateDemand", {"PeriodUnit": "Day", "Period": 9}, "InvalidParameter"),
        ("CreateDemand", {"StartTime": "December"}, "InvalidTemporary.StartTime"),
        ("CreateDemand", {"EndTime": "2026-11-30 00:00:00"}, "InvalidTemporary.EndTime"),
        ("CreateDemand", {"DemandName": "-x"}, "InvalidDemandName.Malformed"),
        ("DescribeDemands", {"DemandId": "ed-nope"}, "InvalidDemandId.NotFound"),
        ("DescribeDemands", {"DemandStatus.1": "Sleeping"}, "InvalidStatus.ValueNotSupported"),
        ("ModifyDemand", {"DemandId": "ed-nope"}, "404"),
    ]
    for action, kw, code in cases:
        query = {"ZoneId": ZONE, "InstanceType": X86_TYPE, "Amount": 5, "Period": 1, "PeriodUnit": "Month",
                 **WINDOW} if action == "CreateDemand" else {}
        err = error(client, action, **{**query, **kw})
        assert err.code == code, (action, kw, err.code)
    err = error(client, "DescribeDemands", RegionId="xx-nowhere-1")
    assert err.code == "InvalidRegion.NotFound"


def test_async_and_old_sdk_json_and_xml(client, legacy):
    async def run() -> dict:
        query = {"RegionId": REGION, "ZoneId": ZONE, "InstanceType": X86_TYPE, "Amount": "2", "Period": "1",
                 "PeriodUnit": "Week", **WINDOW}
        return await client.call_api_async(_params("CreateDemand"), open_api.OpenApiRequest(query=query),
                                           util.RuntimeOptions())

    demand_id = asyncio.run(run())["body"]["DemandId"]
    request = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26", action_name="DescribeDemands")
    request.add_query_param("RegionId", REGION)
    request.set_accept_format("json")
    answer = json.loads(legacy.do_action_with_exception(request))
    assert [d["DemandId"] for d in answer["Demands"]["Demand"]] == [demand_id]
    assert answer["Demands"]["Demand"][0]["PeriodUnit"] == "Week"
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeDemandsResponse"
    assert root.findtext("Demands/Demand/DemandId") == demand_id and root.findtext("TotalCount") == "1"
    missing = CommonRequest(domain="ecs.aliyuncs.com", version="2014-05-26", action_name="DeleteDemand")
    missing.add_query_param("RegionId", REGION)
    missing.add_query_param("DemandId", "ed-nope")
    missing.set_accept_format("json")
    with pytest.raises(ServerException) as info:
        legacy.do_action_with_exception(missing)
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("404", 404)

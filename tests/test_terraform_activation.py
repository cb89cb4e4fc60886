"""Terraform's ``alicloud_ecs_activation``, the ``alicloud_ecs_activations`` data source and
``alicloud_ecs_session_manager_status`` run unchanged: the calls ``aliyun/terraform-provider-alicloud`` makes, replayed
through ``mockecs server`` as a plain HTTP proxy in that client's wire form (``client.RpcPost``: a form body), with the
provider's own reading of each answer; a server registers itself with the code through the control API in between:

- ``resource_alicloud_ecs_activation.go``: CreateActivation (RegionId; Description, InstanceCount, InstanceName,
  IpAddressRange, TimeToLiveInHours when set: GetOk), SetId(ActivationId), then Read; ``DescribeEcsActivation``
  (``service_alicloud_ecs.go``): DescribeActivations with RegionId and ActivationId; no item, or a first item of
  another id, is gone. Read sets description, instance_count (``formatInt`` unless "0"), instance_name,
  ip_address_range, time_to_live_in_hours. Every argument is ForceNew: no Update. Delete: DeleteActivation (an error
  is the destroy's error). Import: ImportStatePassthrough (Read with the id).
- ``data_source_alicloud_ecs_activations.go``: DescribeActivations with InstanceName, PageSize 50 (``PageSizeLarge``)
  from page 1 until a page has fewer; ``ids`` filtered on the client; ``total_count`` from TotalCount.
- ``resource_alicloud_ecs_session_manager_status.go``: ModifyUserBusinessBehavior (statusKey sessionManagerStatus,
  statusValue enabled/disabled), then BuildStateConf([], [statusValue]) on DescribeUserBusinessBehavior's
  StatusValue, Read converts ``enabled`` -> ``Enabled``; Update: the same call when status changed; Delete: nothing.
"""
from __future__ import annotations

from typing import Any, Optional

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _calls

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
PAGE_SIZE_LARGE = 50
_ARGUMENTS = {"description": "Description", "instance_count": "InstanceCount", "instance_name": "InstanceName",
              "ip_address_range": "IpAddressRange", "time_to_live_in_hours": "TimeToLiveInHours"}


def describe_activation(p: Provider, activation_id: str) -> dict:
    found = p.rpc_post("DescribeActivations", {}, {"RegionId": p.region, "ActivationId": activation_id})
    items = found["ActivationList"]
    if not items or items[0]["ActivationId"] != activation_id:
        raise Gone(activation_id)
    return items[0]


def activation_read(p: Provider, activation_id: str) -> Optional[dict]:
    try:
        found = describe_activation(p, activation_id)
    except Gone:
        return None
    state = {"description": found["Description"], "instance_name": found["InstanceName"],
             "ip_address_range": found["IpAddressRange"], "time_to_live_in_hours": int(found["TimeToLiveInHours"])}
    if str(found["InstanceCount"]) != "0":
        state["instance_count"] = int(found["InstanceCount"])
    return state


def activation_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"RegionId": p.region, **{_ARGUMENTS[k]: v for k, v in config.items() if v not in ("", 0, None)}}
    return p.rpc_post("CreateActivation", {}, body)["ActivationId"]


def activation_delete(p: Provider, activation_id: str) -> None:
    p.rpc_post("DeleteActivation", {}, {"ActivationId": activation_id, "RegionId": p.region})


def data_activations(p: Provider, ids: Optional[list[str]] = None, **filters: Any) -> tuple[list[dict], int]:
    request: dict[str, Any] = {**filters, "RegionId": p.region, "PageSize": PAGE_SIZE_LARGE, "PageNumber": 1}
    objects = []
    while True:
        response = p.rpc_post("DescribeActivations", {}, dict(request))
        result = response["ActivationList"]
        objects += [item for item in result if not ids or item["ActivationId"] in ids]
        if len(result) < request["PageSize"]:
            break
        request["PageNumber"] += 1
    return [{"id": o["ActivationId"], "create_time": o["CreationTime"], "disabled": o["Disabled"],
             "registered_count": int(o["RegisteredCount"]), "deregistered_count": int(o["DeregisteredCount"]),
             "instance_count": int(o["InstanceCount"]), "instance_name": o["InstanceName"]} for o in objects], \
        int(response["TotalCount"])


def register(srv: Any, activation_id: str, code: str, **fields: Any) -> requests.Response:
    """What the server's agent does: ``aliyun-service --register`` (here: the control API)."""
    return requests.post(srv.url + "/_mockecs/managed-instances", timeout=10,
                         json={"activation_id": activation_id, "activation_code": code, **fields})


def test_activation_create_read_import_destroy_with_a_registered_server(proxy):
    p = Provider(REGION)
    config = {"description": "made by terraform", "instance_count": 2, "instance_name": "tf-node",
              "ip_address_range": "10.0.0.0/16", "time_to_live_in_hours": 24}
    activation_id = activation_create(p, config)
    assert activation_read(p, activation_id) == config  # no diff on the next plan
    assert activation_read(p, activation_id) == config  # terraform import / refresh
    # only what is set is sent; the Computed arguments read as the service's defaults
    bare = activation_create(p, {"description": "bare"})
    assert activation_read(p, bare) == {"description": "bare", "instance_name": "", "instance_count": 10,
                                        "ip_address_range": "0.0.0.0/0", "time_to_live_in_hours": 4}
    # the code (CreateActivation's answer, read by whoever installs the agent) registers a server
    code = p.rpc_post("CreateActivation", {}, {"RegionId": p.region, "InstanceName": "direct"})
    answer = register(proxy, code["ActivationId"], code["ActivationCode"], hostname="on-prem-1",
                      intranet_ip="172.16.0.3", agent_version="2.2.3.900")
    assert answer.status_code == 200, answer.text
    instance_id = answer.json()["instance_id"]
    assert register(proxy, code["ActivationId"], "a-wrong").status_code == 400
    assert register(proxy, code["ActivationId"], code["ActivationCode"], shoe_size=44).status_code == 400
    found = p.rpc_post("DescribeManagedInstances", {}, {"RegionId": p.region, "InstanceId.1": instance_id})
    assert [(i["InstanceId"], i["Hostname"], i["InstanceName"], i["AgentVersion"]) for i in found["Instances"]] == \
        [(instance_id, "on-prem-1", "direct-01", "2.2.3.900")]
    # destroy of a code in use fails (the provider reports the error); after deregistering it goes
    with pytest.raises(ServerException) as info:
        activation_delete(p, code["ActivationId"])
    assert info.value.get_error_code() == "ActivationId.InUse"
    p.rpc_post("DeregisterManagedInstance", {}, {"RegionId": p.region, "InstanceId": instance_id})
    for made in (activation_id, bare, code["ActivationId"]):
        activation_delete(p, made)
        assert activation_read(p, made) is None  # a refresh after the destroy: gone
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("DeleteActivation", "ActivationId.InUse")]


def test_data_source_reads_every_page(proxy):
    p = Provider(REGION)
    made = [activation_create(p, {"instance_name": "tf-many"}) for _ in range(PAGE_SIZE_LARGE + 3)]
    other = activation_create(p, {"instance_name": "tf-other"})
    listed, total = data_activations(p, InstanceName="tf-many")
    assert sorted(a["id"] for a in listed) == sorted(made) and total == len(made)
    assert all((a["disabled"], a["registered_count"], a["instance_count"]) == (False, 0, 10) for a in listed)
    pages = [c["params"].get("PageNumber") for c in _calls(proxy) if c["action"] == "DescribeActivations"]
    assert pages == ["1", "2"]
    listed, _ = data_activations(p, ids=[other])
    assert [a["id"] for a in listed] == [other]


def test_session_manager_status(proxy):
    p = Provider(REGION)

    def apply(status: str) -> str:
        value = {"Enabled": "enabled", "Disabled": "disabled"}[status]
        p.rpc_post("ModifyUserBusinessBehavior", {}, {"statusKey": "sessionManagerStatus", "statusValue": value})
        for _ in range(10):  # BuildStateConf([], [value])
            found = p.rpc_post("DescribeUserBusinessBehavior", {}, {"statusKey": "sessionManagerStatus"})
            if found["StatusValue"] == value:
                break
        else:
            pytest.fail(f"never reached {value}")
        return {"enabled": "Enabled", "disabled": "Disabled"}[found["StatusValue"]]

    assert apply("Disabled") == "Disabled"
    with pytest.raises(ServerException) as info:
        p.rpc_post("StartTerminalSession", {}, {"RegionId": p.region, "InstanceId.1": "i-whatever00000000000"})
    assert info.value.get_error_code() == "UserBehavior.SessionManagerDisabled"
    assert apply("Enabled") == "Enabled"

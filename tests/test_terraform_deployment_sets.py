"""Terraform's ``alicloud_ecs_deployment_set``, ``alicloud_ecs_hpc_cluster``, the ``alicloud_ecs_deployment_sets`` data
source and ``alicloud_instance``'s ``deployment_set_id`` / ``hpc_cluster_id`` run unchanged: the calls
``aliyun/terraform-provider-alicloud`` makes, replayed through ``mockecs server`` as a plain HTTP proxy in that client's
wire form (``client.RpcPost``: a form body), with the provider's own reading of each answer:

- ``resource_alicloud_ecs_deployment_set.go``: CreateDeploymentSet (RegionId, a ClientToken; Strategy,
  DeploymentSetName, Description, OnUnableToRedeployFailedInstance, Domain, Granularity when set), then Read;
  ``DescribeEcsDeploymentSet`` (``service_alicloud_ecs.go``): DescribeDeploymentSets with ``DeploymentSetIds`` a
  one-id JSON list; no item, or a first item of another id, is gone. Read sets strategy from DeploymentStrategy,
  description from DeploymentSetDescription, domain and granularity through ``convertEcsDeploymentSet*Response``
  (``default`` -> ``Default``, ``host`` -> ``Host``). Update: ModifyDeploymentSetAttribute with the name and
  description that are set (GetOk) when either changed. Delete: DeleteDeploymentSet.
- ``data_source_alicloud_ecs_deployment_sets.go``: DescribeDeploymentSets with DeploymentSetName / Strategy,
  PageSize 50 (``PageSizeLarge``) from page 1 until a page has fewer; ``formatInt(InstanceAmount)``,
  ``InstanceIds.InstanceId``.
- ``resource_alicloud_ecs_hpc_cluster.go``: CreateHpcCluster (Name, Description, RegionId, ClientToken);
  ``DescribeEcsHpcCluster``: DescribeHpcClusters with ``HpcClusterIds`` a one-id JSON list and a ClientToken;
  ``NotExists.HpcCluster``, no item or another id is gone; ModifyHpcClusterAttribute with what changed and a
  ClientToken; DeleteHpcCluster with a ClientToken.
- ``resource_alicloud_instance.go``: RunInstances takes ``HpcClusterId`` and ``DeploymentSetId`` when set; Read sets
  ``hpc_cluster_id``, ``deployment_set_id`` and ``deployment_set_group_no`` (a string of the SDK struct's int: 0 when
  the answer has none) from DescribeInstances; an update of ``deployment_set_id`` calls ModifyInstanceDeployment
  (RegionId, InstanceId, a ClientToken, the new DeploymentSetId; set to "": the old one and
  ``RemoveFromDeploymentSet=true``).
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Optional

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _calls, describe_instance, instance_delete, network

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"
PAGE_SIZE_LARGE = 50
_TOKENS = itertools.count()


def token(action: str) -> str:
    """buildClientToken(action): a new token every call."""
    return f"{action}-tf-{next(_TOKENS)}"


# -- alicloud_ecs_deployment_set -----------------------------------------------------------------------------------
def _domain(value: Any) -> Any:
    return {"default": "Default"}.get(value, value)


def _granularity(value: Any) -> Any:
    return {"host": "Host"}.get(value, value)


def describe_deployment_set(p: Provider, set_id: str) -> dict:
    found = p.rpc_post("DescribeDeploymentSets", {}, {"RegionId": p.region, "DeploymentSetIds": json.dumps([set_id])})
    items = found["DeploymentSets"]["DeploymentSet"]
    if not items or items[0]["DeploymentSetId"] != set_id:
        raise Gone(set_id)
    return items[0]


def set_read(p: Provider, set_id: str, new: bool = False) -> Optional[dict]:
    try:
        found = describe_deployment_set(p, set_id)
    except Gone:
        assert not new  # a new resource not found is an error
        return None
    return {"strategy": found["DeploymentStrategy"], "deployment_set_name": found["DeploymentSetName"],
            "description": found["DeploymentSetDescription"], "domain": _domain(found["Domain"]),
            "granularity": _granularity(found["Granularity"])}


def set_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"RegionId": p.region, "ClientToken": token("CreateDeploymentSet"),
            **{param: config.get(field) for field, param in (
                ("strategy", "Strategy"), ("deployment_set_name", "DeploymentSetName"),
                ("description", "Description"),
                ("on_unable_to_redeploy_failed_instance", "OnUnableToRedeployFailedInstance"),
                ("domain", "Domain"), ("granularity", "Granularity"))}}
    set_id = p.rpc_post("CreateDeploymentSet", {}, body)["DeploymentSetId"]
    assert set_read(p, set_id, new=True) is not None
    return set_id


def set_update(p: Provider, set_id: str, old: dict, new: dict) -> None:
    if new.get("deployment_set_name") != old.get("deployment_set_name") or \
            new.get("description") != old.get("description"):
        p.rpc_post("ModifyDeploymentSetAttribute", {}, {
            "RegionId": p.region, "DeploymentSetId": set_id, "DeploymentSetName": new.get("deployment_set_name"),
            "Description": new.get("description")})


def set_delete(p: Provider, set_id: str) -> None:
    p.rpc_post("DeleteDeploymentSet", {}, {"RegionId": p.region, "DeploymentSetId": set_id})


def data_deployment_sets(p: Provider, **filters: Any) -> list[dict]:
    found, page = [], 1
    while True:
        answer = p.rpc_post("DescribeDeploymentSets", {}, {"RegionId": p.region, "PageSize": PAGE_SIZE_LARGE,
                                                           "PageNumber": page, **filters})
        result = answer["DeploymentSets"]["DeploymentSet"]
        found += result
        if len(result) < PAGE_SIZE_LARGE:
            break
        page += 1
    return [{"id": s["DeploymentSetId"], "deployment_set_name": s["DeploymentSetName"],
             "instance_amount": int(s["InstanceAmount"]), "strategy": s["DeploymentStrategy"],
             "instance_ids": list(s["InstanceIds"]["InstanceId"]), "create_time": s["CreationTime"]}
            for s in found]


def test_deployment_set_create_read_update_refresh_delete(proxy):
    p = Provider(REGION)
    config = {"strategy": "Availability", "deployment_set_name": "tf-ds", "description": "made by terraform",
              "on_unable_to_redeploy_failed_instance": "CancelMembershipAndStart", "domain": "Default",
              "granularity": "Host"}
    set_id = set_create(p, config)
    state = set_read(p, set_id)
    # Every field the configuration sets reads back as written: no diff on the next plan
    assert state == {k: v for k, v in config.items() if k != "on_unable_to_redeploy_failed_instance"}
    new = {**config, "deployment_set_name": "tf-ds-renamed", "description": "renamed by terraform"}
    set_update(p, set_id, config, new)
    state = set_read(p, set_id)
    assert (state["deployment_set_name"], state["description"]) == ("tf-ds-renamed", "renamed by terraform")
    assert set_read(p, set_id) == state  # terraform refresh
    # a configuration without domain/granularity (Computed) reads them as the service answers them
    bare = set_create(p, {"deployment_set_name": "tf-bare"})
    assert set_read(p, bare) == {"strategy": "Availability", "deployment_set_name": "tf-bare", "description": "",
                                 "domain": "Default", "granularity": "Host"}
    listed = data_deployment_sets(p, DeploymentSetName="tf-ds-renamed", Strategy="Availability")
    assert [(s["id"], s["instance_amount"], s["instance_ids"]) for s in listed] == [(set_id, 0, [])]
    set_delete(p, set_id)
    assert set_read(p, set_id) is None  # a refresh after the destroy: gone
    set_delete(p, bare)
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == []


def test_data_source_reads_every_page(proxy):
    p = Provider(REGION)
    made = [p.rpc_post("CreateDeploymentSet", {}, {"RegionId": p.region, "DeploymentSetName": f"tf-{n:03d}"})[
        "DeploymentSetId"] for n in range(PAGE_SIZE_LARGE + 3)]
    listed = data_deployment_sets(p)
    assert [s["id"] for s in listed] == made
    pages = [c["params"].get("PageNumber") for c in _calls(proxy) if c["action"] == "DescribeDeploymentSets"]
    assert pages == ["1", "2"]


# -- alicloud_instance: deployment_set_id, deployment_set_group_no, hpc_cluster_id -----------------------------------
def instance_placement(p: Provider, instance_id: str) -> dict:
    """What Read sets from DescribeInstances: the SDK struct's zero values where the answer has no field."""
    instance = describe_instance(p, instance_id)
    return {"hpc_cluster_id": instance["HpcClusterId"], "deployment_set_id": instance["DeploymentSetId"],
            "deployment_set_group_no": str(instance.get("DeploymentSetGroupNo", 0))}


def instance_run(p: Provider, net: dict, **settings: Any) -> str:
    answer = p.rpc_post("RunInstances", {}, {
        "RegionId": p.region, "ClientToken": token("RunInstances"), "InstanceType": "ecs.g7.large", "ImageId": IMAGE,
        "SystemDisk.Category": "cloud_essd", "InstanceName": "tf-instance", "VSwitchId": net["vswitch"],
        "SecurityGroupIds.1": net["security_group"], **settings})
    instance_id = answer["InstanceIdSets"]["InstanceIdSet"][0]
    assert describe_instance(p, instance_id)["Status"] == "Running"
    return instance_id


def deployment_set_update(p: Provider, instance_id: str, old: str, new: str) -> None:
    body = {"RegionId": p.region, "InstanceId": instance_id, "ClientToken": token("ModifyInstanceDeployment"),
            "DeploymentSetId": new or old}
    if not new:
        body["RemoveFromDeploymentSet"] = True
    p.rpc_post("ModifyInstanceDeployment", {}, body)


def test_instance_deployment_set_update_and_destroy(proxy):
    p = Provider(REGION)
    net = network(p)
    first = set_create(p, {"deployment_set_name": "tf-first"})
    second = p.rpc_post("CreateDeploymentSet", {}, {"RegionId": p.region, "Strategy": "AvailabilityGroup",
                                                     "GroupCount": 2})["DeploymentSetId"]
    instance_id = instance_run(p, net, DeploymentSetId=first)
    assert instance_placement(p, instance_id) == {"hpc_cluster_id": "", "deployment_set_id": first,
                                                  "deployment_set_group_no": "0"}
    assert [s["instance_ids"] for s in data_deployment_sets(p, DeploymentSetName="tf-first")] == [[instance_id]]
    deployment_set_update(p, instance_id, first, second)  # deployment_set_id = second
    assert instance_placement(p, instance_id)["deployment_set_id"] == second
    assert instance_placement(p, instance_id)["deployment_set_group_no"] == "1"
    deployment_set_update(p, instance_id, second, "")  # deployment_set_id removed from the configuration
    assert instance_placement(p, instance_id) == {"hpc_cluster_id": "", "deployment_set_id": "",
                                                  "deployment_set_group_no": "0"}
    deployment_set_update(p, instance_id, "", first)
    # terraform destroy: the instance first (it depends on the set), then the set
    instance_delete(p, instance_id)
    set_delete(p, first)
    set_delete(p, second)
    assert set_read(p, first) is None and set_read(p, second) is None
    # destroying a set an instance still uses (made outside Terraform) fails with the documented code
    third = set_create(p, {"deployment_set_name": "tf-third"})
    instance_run(p, net, DeploymentSetId=third)
    with pytest.raises(ServerException) as err:
        set_delete(p, third)
    assert (err.value.get_error_code(), err.value.get_http_status()) == ("DependencyViolation.NotEmpty", 403)


# -- alicloud_ecs_hpc_cluster ---------------------------------------------------------------------------------------
def describe_hpc_cluster(p: Provider, cluster_id: str) -> dict:
    try:
        found = p.rpc_post("DescribeHpcClusters", {}, {"RegionId": p.region, "HpcClusterIds": json.dumps([cluster_id]),
                                                       "ClientToken": token("DescribeHpcClusters")})
    except ServerException as err:
        if err.get_error_code() == "NotExists.HpcCluster":
            raise Gone(cluster_id) from err
        raise
    items = found["HpcClusters"]["HpcCluster"]
    if not items or items[0]["HpcClusterId"] != cluster_id:
        raise Gone(cluster_id)
    return items[0]


def hpc_read(p: Provider, cluster_id: str) -> Optional[dict]:
    try:
        found = describe_hpc_cluster(p, cluster_id)
    except Gone:
        return None
    return {"name": found["Name"], "description": found["Description"]}


def hpc_create(p: Provider, config: dict[str, Any]) -> str:
    cluster_id = p.rpc_post("CreateHpcCluster", {}, {"Description": config.get("description"), "Name": config["name"],
                                                     "RegionId": p.region, "ClientToken": token("CreateHpcCluster")})[
        "HpcClusterId"]
    assert hpc_read(p, cluster_id) is not None
    return cluster_id


def hpc_update(p: Provider, cluster_id: str, old: dict, new: dict) -> None:
    body: dict[str, Any] = {"HpcClusterId": cluster_id, "RegionId": p.region}
    for field, param in (("description", "Description"), ("name", "Name")):
        if new.get(field) != old.get(field):
            body[param] = new.get(field)
    if len(body) > 2:
        body["ClientToken"] = token("ModifyHpcClusterAttribute")
        p.rpc_post("ModifyHpcClusterAttribute", {}, body)


def hpc_delete(p: Provider, cluster_id: str) -> None:
    p.rpc_post("DeleteHpcCluster", {}, {"HpcClusterId": cluster_id, "RegionId": p.region,
                                        "ClientToken": token("DeleteHpcCluster")})


def _options(srv: Any, **options: Any) -> None:
    requests.patch(srv.url + "/_mockecs/config", json={"options": options}, timeout=10).raise_for_status()


def test_hpc_cluster_and_an_instance_in_it(proxy):
    p = Provider(REGION)
    config = {"name": "tf-hpc", "description": "made by terraform"}
    cluster_id = hpc_create(p, config)
    assert hpc_read(p, cluster_id) == config
    new = {"name": "tf-hpc-renamed", "description": "made by terraform"}
    hpc_update(p, cluster_id, config, new)
    assert hpc_read(p, cluster_id) == new
    assert hpc_read(p, cluster_id) == new  # terraform refresh
    net = network(p)
    with pytest.raises(ServerException) as err:  # ecs.g7 takes no HPC cluster unless configured to
        instance_run(p, net, HpcClusterId=cluster_id)
    assert err.value.get_error_code() == "InvalidHpcClusterId.Unnecessary"
    _options(proxy, hpc_cluster_families="ecs.g7")
    try:
        instance_id = instance_run(p, net, HpcClusterId=cluster_id)
    finally:
        _options(proxy, hpc_cluster_families="")
    assert instance_placement(p, instance_id)["hpc_cluster_id"] == cluster_id
    instance_delete(p, instance_id)
    hpc_delete(p, cluster_id)
    assert hpc_read(p, cluster_id) is None  # a refresh after the destroy: gone
    with pytest.raises(ServerException) as err:  # deleted outside Terraform: the destroy fails with the code
        hpc_delete(p, cluster_id)
    assert err.value.get_error_code() == "NotExists.HpcCluster"

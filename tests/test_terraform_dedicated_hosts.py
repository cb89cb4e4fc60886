"""Terraform's ``alicloud_ecs_dedicated_host`` and ``alicloud_ecs_dedicated_host_cluster``, the
``alicloud_ecs_dedicated_hosts`` and ``alicloud_ecs_dedicated_host_clusters`` data sources, and ``alicloud_instance``'s
``dedicated_host_id`` run unchanged: the calls ``aliyun/terraform-provider-alicloud`` makes, replayed through
``mockecs server`` as a plain HTTP proxy in that client's wire form (``client.RpcPost``: a form body; a Go map
parameter flattened as ``NetworkAttributes.UdpTimeout``, a list of maps as ``Tag.1.Key``), with the provider's own
reading of each answer:

- ``resource_alicloud_ecs_dedicated_host.go``: Create is AllocateDedicatedHosts with ``ActionOnMaintenance`` (default
  ``Stop``), ``AutoPlacement`` (default ``on``), what the configuration sets (``expired_time`` as ``Period``,
  ``sale_cycle`` as ``PeriodUnit``, ``payment_type`` as ``ChargeType``, ``network_attributes`` as both timeouts),
  ``Quantity=1``; the id is ``DedicatedHostIdSets.DedicatedHostId[0]``; then a wait for ``Available`` (failing on
  ``PermanentFailure``) through ``DescribeEcsDedicatedHost`` (``service_alicloud_ecs.go``): DescribeDedicatedHosts
  with ``DedicatedHostIds`` a one-id JSON list; ``InvalidDedicatedHostId.NotFound``, no item or a first item of
  another id is gone. Read sets each field from the answer (``NetworkAttributes`` when it has fields, ``payment_type``
  from ChargeType, ``sale_cycle`` from SaleCycle, ``tags`` from ``Tags.Tag``). Update, in its order: tags
  (``SetResourceTags(d, "ddh")``: UntagResources / TagResources with ``ResourceId.1``),
  ModifyDedicatedHostAutoReleaseTime, JoinResourceGroup (``ResourceType=ddh``), RenewDedicatedHosts
  (``expired_time``/``sale_cycle``: so a pay-as-you-go host switched to a subscription together with an
  ``expired_time`` is renewed first, and refused), ModifyDedicatedHostsChargeType (``payment_type``, with AutoPay,
  Period, PeriodUnit, DetailFee, DryRun), ModifyDedicatedHostAttribute (what changed, and the cluster when set), each
  followed by a wait for Available. Delete: a subscription host is left (a warning); else ReleaseDedicatedHost,
  ``InvalidDedicatedHostId.NotFound`` ending it.
- ``resource_alicloud_ecs_dedicated_host_cluster.go``: CreateDedicatedHostCluster (name, description, DryRun when
  set, tags, ZoneId); ``DescribeEcsDedicatedHostCluster``: DescribeDedicatedHostClusters page by page (PageSize 50)
  until the id is found; none is gone. Update: tags (``ddhcluster``), then ModifyDedicatedHostClusterAttribute with
  the name and description that are set (GetOk) when either changed. Delete: DeleteDedicatedHostCluster.
- the data sources: DescribeDedicatedHosts / DescribeDedicatedHostClusters with their filters, PageSize 50 from page
  1 until a page has fewer; ``formatInt`` of the numbers; the maps the provider indexes without a check
  (``SupportedInstanceTypeFamilies``, ``DedicatedHostIds``, ...) must be there.
- ``resource_alicloud_instance.go``: RunInstances takes ``DedicatedHostId``; Read sets ``dedicated_host_id`` from
  ``DedicatedHostAttribute.DedicatedHostId``.
"""
from __future__ import annotations

import json
import time
from typing import Any, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_deployment_sets import PAGE_SIZE_LARGE, instance_run
from tests.test_terraform_flow import (
    REGION,
    Gone,
    Provider,
    _calls,
    _tag_params,
    describe_instance,
    instance_delete,
    network,
)

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
# configuration field -> AllocateDedicatedHosts parameter (what Create sends when set)
_CREATE = (("auto_release_time", "AutoReleaseTime"), ("auto_renew_period", "AutoRenewPeriod"),
           ("cpu_over_commit_ratio", "CpuOverCommitRatio"), ("dedicated_host_cluster_id", "DedicatedHostClusterId"),
           ("dedicated_host_name", "DedicatedHostName"), ("description", "Description"), ("expired_time", "Period"),
           ("min_quantity", "MinQuantity"), ("payment_type", "ChargeType"), ("resource_group_id", "ResourceGroupId"),
           ("sale_cycle", "PeriodUnit"), ("zone_id", "ZoneId"))
_READ = (("action_on_maintenance", "ActionOnMaintenance"), ("auto_placement", "AutoPlacement"),
         ("auto_release_time", "AutoReleaseTime"), ("cpu_over_commit_ratio", "CpuOverCommitRatio"),
         ("dedicated_host_name", "DedicatedHostName"), ("dedicated_host_type", "DedicatedHostType"),
         ("description", "Description"), ("payment_type", "ChargeType"), ("resource_group_id", "ResourceGroupId"),
         ("sale_cycle", "SaleCycle"), ("status", "Status"), ("zone_id", "ZoneId"))


def _network_params(attributes: Optional[dict]) -> dict:
    """``request["NetworkAttributes"] = map{SlbUdpTimeout, UdpTimeout}`` (requests.NewInteger of each, 0 when
    unset), flattened by the tea client."""
    if not attributes:
        return {}
    return {"NetworkAttributes.SlbUdpTimeout": attributes.get("slb_udp_timeout", 0),
            "NetworkAttributes.UdpTimeout": attributes.get("udp_timeout", 0)}


# -- alicloud_ecs_dedicated_host ------------------------------------------------------------------------------------
def describe_host(p: Provider, host_id: str) -> dict:
    try:
        found = p.rpc_post("DescribeDedicatedHosts", {}, {"RegionId": p.region,
                                                          "DedicatedHostIds": json.dumps([host_id])})
    except ServerException as err:
        if err.get_error_code() in ("InvalidDedicatedHostId.NotFound", "InvalidLockReason.NotFound"):
            raise Gone(host_id) from err
        raise
    items = found["DedicatedHosts"]["DedicatedHost"]
    if not items or items[0]["DedicatedHostId"] != host_id:
        raise Gone(host_id)
    return items[0]


def wait_available(p: Provider, host_id: str, fail: tuple[str, ...] = ()) -> None:
    """BuildStateConf([], ["Available"], ...): the first refresh must already be Available here (no delay)."""
    status = describe_host(p, host_id)["Status"]
    assert status not in fail and status == "Available", status


def host_read(p: Provider, host_id: str) -> Optional[dict]:
    try:
        found = describe_host(p, host_id)
    except Gone:
        return None
    state = {field: found[name] for field, name in _READ}
    network_attributes = found["NetworkAttributes"]  # (a type assertion: must be a map)
    assert isinstance(network_attributes, dict)
    state["network_attributes"] = [{"slb_udp_timeout": network_attributes["SlbUdpTimeout"],
                                    "udp_timeout": network_attributes["UdpTimeout"]}] if network_attributes else []
    state["tags"] = {t["TagKey"]: t["TagValue"] for t in found["Tags"]["Tag"]}
    return state


def host_create(p: Provider, config: dict[str, Any]) -> str:
    body: dict[str, Any] = {"ActionOnMaintenance": config.get("action_on_maintenance", "Stop"),
                            "AutoPlacement": config.get("auto_placement", "on"),
                            "DedicatedHostType": config["dedicated_host_type"], "Quantity": 1, "RegionId": p.region,
                            **{param: config.get(field) for field, param in _CREATE},
                            **_network_params(config.get("network_attributes")),
                            **_tag_params(config.get("tags") or {})}
    if "auto_renew" in config:
        body["AutoRenew"] = config["auto_renew"]
    answer = p.rpc_post("AllocateDedicatedHosts", {}, body)
    host_id = answer["DedicatedHostIdSets"]["DedicatedHostId"][0]
    wait_available(p, host_id, ("PermanentFailure",))
    assert host_read(p, host_id) is not None
    return host_id


def host_update(p: Provider, host_id: str, old: dict, new: dict) -> None:
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    if "tags" in changed:
        removed = [k for k in old.get("tags") or {} if k not in (new.get("tags") or {})]
        added = {k: v for k, v in (new.get("tags") or {}).items() if (old.get("tags") or {}).get(k) != v}
        base = {"RegionId": p.region, "ResourceType": "ddh", "ResourceId.1": host_id}
        if removed:
            p.rpc_post("UntagResources", {}, {**base, **{f"TagKey.{n}": k for n, k in enumerate(removed, 1)}})
        if added:
            p.rpc_post("TagResources", {}, {**base, **_tag_params(added)})
    if "auto_release_time" in changed:
        p.rpc_post("ModifyDedicatedHostAutoReleaseTime", {}, {"DedicatedHostId": host_id, "RegionId": p.region,
                                                              "AutoReleaseTime": new.get("auto_release_time")})
        wait_available(p, host_id)
    if "resource_group_id" in changed:
        p.rpc_post("JoinResourceGroup", {}, {"ResourceId": host_id, "RegionId": p.region, "ResourceType": "ddh",
                                             "ResourceGroupId": new.get("resource_group_id")})
        wait_available(p, host_id)
    ids = json.dumps([host_id])
    if {"expired_time", "sale_cycle"} & changed:
        body = {"DedicatedHostIds": ids, "RegionId": p.region}
        if "expired_time" in changed:
            body["Period"] = new.get("expired_time")
        if "sale_cycle" in changed:
            body["PeriodUnit"] = new.get("sale_cycle")
        p.rpc_post("RenewDedicatedHosts", {}, body)
        wait_available(p, host_id)
    if "payment_type" in changed:
        p.rpc_post("ModifyDedicatedHostsChargeType", {}, {
            "DedicatedHostIds": ids, "RegionId": p.region, "AutoPay": True, "Period": new.get("expired_time"),
            "DedicatedHostChargeType": new.get("payment_type"), "PeriodUnit": new.get("sale_cycle"),
            "DetailFee": new.get("detail_fee", False), "DryRun": new.get("dry_run", False)})
        wait_available(p, host_id)
    fields = (("action_on_maintenance", "ActionOnMaintenance"), ("auto_placement", "AutoPlacement"),
              ("cpu_over_commit_ratio", "CpuOverCommitRatio"), ("dedicated_host_name", "DedicatedHostName"),
              ("description", "Description"))
    body = {param: new.get(field) for field, param in fields if field in changed}
    if "network_attributes" in changed:
        body.update(_network_params(new.get("network_attributes")))
    if body:
        body.update(DedicatedHostId=host_id, RegionId=p.region, DedicatedHostClusterId=new.get(
            "dedicated_host_cluster_id"))
        p.rpc_post("ModifyDedicatedHostAttribute", {}, body)
        wait_available(p, host_id)


def host_delete(p: Provider, host_id: str, state: dict) -> None:
    if state.get("payment_type") == "PrePaid":
        return  # "Cannot destroy Subscription resource": left in the cloud
    try:
        p.rpc_post("ReleaseDedicatedHost", {}, {"DedicatedHostId": host_id, "RegionId": p.region})
    except ServerException as err:
        if err.get_error_code() != "InvalidDedicatedHostId.NotFound":
            raise


def every_page(p: Provider, action: str, path: tuple[str, str], **filters: Any) -> list[dict]:
    """A data source's read: PageSize 50 (PageSizeLarge) from page 1 until a page has fewer."""
    found, page = [], 1
    while True:
        answer = p.rpc_post(action, {}, {"RegionId": p.region, "PageSize": PAGE_SIZE_LARGE, "PageNumber": page,
                                         **filters})
        result = answer[path[0]][path[1]]
        found += result
        if len(result) < PAGE_SIZE_LARGE:
            return found
        page += 1


def data_hosts(p: Provider, **filters: Any) -> list[dict]:
    found = every_page(p, "DescribeDedicatedHosts", ("DedicatedHosts", "DedicatedHost"), **filters)
    return [{"id": h["DedicatedHostId"], "cores": int(h["Cores"]), "sockets": int(h["Sockets"]),
             "physical_gpus": int(h["PhysicalGpus"]), "machine_id": h["MachineId"], "expired_time": h["ExpiredTime"],
             "supported_instance_type_families": h["SupportedInstanceTypeFamilies"]["SupportedInstanceTypeFamily"],
             "supported_custom_instance_type_families":
                 h["SupportedCustomInstanceTypeFamilies"]["SupportedCustomInstanceTypeFamily"],
             "supported_instance_types_list": h["SupportedInstanceTypesList"]["SupportedInstanceTypesList"],
             "operation_locks": [{"lock_reason": x["LockReason"]} for x in h["OperationLocks"]["OperationLock"]],
             "instances": [{"instance_id": i["InstanceId"], "instance_type": i["InstanceType"],
                            "socket_id": i["SocketId"], "instance_owner_id": i["InstanceOwnerId"]}
                           for i in h["Instances"]["Instance"]]}
            for h in found]


def _zone(p: Provider, net: dict) -> str:
    return p.call("DescribeVSwitches", VSwitchId=net["vswitch"])["VSwitches"]["VSwitch"][0]["ZoneId"]


def test_host_create_read_update_refresh_delete(proxy):
    p = Provider(REGION)
    config = {"dedicated_host_type": "ddh.g6", "dedicated_host_name": "tf-ddh", "description": "made by terraform",
              "action_on_maintenance": "Migrate", "auto_placement": "on", "zone_id": "cn-hangzhou-i",
              "network_attributes": {"udp_timeout": 70, "slb_udp_timeout": 70}, "tags": {"Created": "TF"}}
    host_id = host_create(p, config)
    state = host_read(p, host_id)
    # every field the configuration sets reads back as written: no diff on the next plan
    assert {k: state[k] for k in config if k != "network_attributes"} == \
        {k: v for k, v in config.items() if k != "network_attributes"}
    assert state["network_attributes"] == [config["network_attributes"]]
    assert (state["status"], state["payment_type"], state["sale_cycle"], state["auto_release_time"]) == \
        ("Available", "PostPaid", "", "")
    new = {**config, "dedicated_host_name": "tf-ddh-renamed", "description": "renamed", "auto_placement": "off",
           "action_on_maintenance": "Stop", "network_attributes": {"udp_timeout": 60, "slb_udp_timeout": 80},
           "tags": {"Created": "TF", "For": "update"},
           "auto_release_time": time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() + 7200))}
    host_update(p, host_id, config, new)
    state = host_read(p, host_id)
    assert {k: state[k] for k in ("dedicated_host_name", "description", "auto_placement", "action_on_maintenance",
                                  "tags")} == {k: new[k] for k in ("dedicated_host_name", "description",
                                                                   "auto_placement", "action_on_maintenance", "tags")}
    assert state["network_attributes"] == [new["network_attributes"]]
    assert state["auto_release_time"] == new["auto_release_time"][:16] + "Z"  # (minutes, as the service answers)
    assert host_read(p, host_id) == state  # terraform refresh
    # pay-as-you-go -> subscription in one apply: Update renews first (expired_time changed), which a pay-as-you-go
    # host refuses with the documented code, as the cloud does; nothing else was changed
    prepaid = {**new, "payment_type": "PrePaid", "expired_time": 1, "sale_cycle": "Month"}
    with pytest.raises(ServerException) as err:
        host_update(p, host_id, new, prepaid)
    assert (err.value.get_error_code(), err.value.get_http_status()) == ("ChargeTypeViolation", 403)
    assert host_read(p, host_id) == state
    host_delete(p, host_id, state)
    assert host_read(p, host_id) is None
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("RenewDedicatedHosts", "ChargeTypeViolation")]


def test_subscription_host_renewed_then_pay_as_you_go(proxy):
    p = Provider(REGION)
    config = {"dedicated_host_type": "ddh.g6", "expired_time": 1, "sale_cycle": "Week", "payment_type": "PrePaid"}
    host_id = host_create(p, config)
    state = host_read(p, host_id)
    assert (state["payment_type"], state["sale_cycle"], state["auto_release_time"]) == ("PrePaid", "Week", "")
    before = describe_host(p, host_id)["ExpiredTime"]
    renewed = {**config, "expired_time": 2}
    host_update(p, host_id, config, renewed)  # RenewDedicatedHosts Period=2 (PeriodUnit unchanged: not sent)
    assert describe_host(p, host_id)["ExpiredTime"] > before
    assert host_delete(p, host_id, state) is None and host_read(p, host_id) is not None  # a subscription stays
    postpaid = {**renewed, "payment_type": "PostPaid"}
    host_update(p, host_id, renewed, postpaid)  # ModifyDedicatedHostsChargeType with Period 2, PeriodUnit Week
    state = host_read(p, host_id)
    assert (state["payment_type"], state["sale_cycle"]) == ("PostPaid", "")
    host_delete(p, host_id, state)
    assert host_read(p, host_id) is None
    assert [c for c in _calls(proxy) if c["status"] != 200] == []


def test_host_with_an_instance_then_destroy(proxy):
    p = Provider(REGION)
    net = network(p)
    host_id = host_create(p, {"dedicated_host_type": "ddh.g7", "zone_id": _zone(p, net)})
    instance_id = instance_run(p, net, DedicatedHostId=host_id)
    assert describe_instance(p, instance_id)["DedicatedHostAttribute"]["DedicatedHostId"] == host_id  # Read
    listed = data_hosts(p, DedicatedHostType="ddh.g7", DedicatedHostId=host_id)  # (DedicatedHostId: not a parameter)
    assert [(h["id"], [i["instance_id"] for i in h["instances"]]) for h in listed] == [(host_id, [instance_id])]
    # tags = {...}: request["Tag"] a list of {Key, Value} maps, flattened as Tag.1.Key
    p.rpc_post("TagResources", {}, {"RegionId": p.region, "ResourceType": "ddh", "ResourceId.1": host_id,
                                    **_tag_params({"Created": "TF"})})
    assert [h["id"] for h in data_hosts(p, **_tag_params({"Created": "TF"}))] == [host_id]
    assert data_hosts(p, **_tag_params({"Created": "elsewhere"})) == []
    assert listed[0]["supported_instance_type_families"] == ["ecs.g7"]
    # terraform destroy while the instance is there (made outside this configuration): the documented refusal
    with pytest.raises(ServerException) as err:
        host_delete(p, host_id, host_read(p, host_id))
    assert (err.value.get_error_code(), err.value.get_http_status()) == ("InstanceExist", 403)
    instance_delete(p, instance_id)
    host_delete(p, host_id, host_read(p, host_id))
    assert host_read(p, host_id) is None  # a refresh after the destroy: gone
    host_delete(p, host_id, {})  # destroyed again (deleted outside Terraform): the not-found code ends it


# -- alicloud_ecs_dedicated_host_cluster ----------------------------------------------------------------------------
def describe_cluster(p: Provider, cluster_id: str) -> dict:
    page = 1
    while True:
        answer = p.rpc_post("DescribeDedicatedHostClusters", {}, {"RegionId": p.region, "PageNumber": page,
                                                                  "PageSize": PAGE_SIZE_LARGE})
        items = answer["DedicatedHostClusters"]["DedicatedHostCluster"]
        if not items:
            raise Gone(cluster_id)
        for item in items:
            if item["DedicatedHostClusterId"] == cluster_id:
                return item
        if len(items) < PAGE_SIZE_LARGE:
            raise Gone(cluster_id)
        page += 1


def cluster_read(p: Provider, cluster_id: str) -> Optional[dict]:
    try:
        found = describe_cluster(p, cluster_id)
    except Gone:
        return None
    return {"dedicated_host_cluster_name": found["DedicatedHostClusterName"], "description": found["Description"],
            "zone_id": found["ZoneId"], "tags": {t["TagKey"]: t["TagValue"] for t in found["Tags"]["Tag"]}}


def cluster_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"DedicatedHostClusterName": config.get("dedicated_host_cluster_name"),
            "Description": config.get("description"), "RegionId": p.region, "ZoneId": config["zone_id"],
            **_tag_params(config.get("tags") or {})}
    if "dry_run" in config:
        body["DryRun"] = config["dry_run"]
    cluster_id = p.rpc_post("CreateDedicatedHostCluster", {}, body)["DedicatedHostClusterId"]
    assert cluster_read(p, cluster_id) is not None
    return cluster_id


def cluster_update(p: Provider, cluster_id: str, old: dict, new: dict) -> None:
    if old.get("tags") != new.get("tags"):
        added = {k: v for k, v in (new.get("tags") or {}).items() if (old.get("tags") or {}).get(k) != v}
        p.rpc_post("TagResources", {}, {"RegionId": p.region, "ResourceType": "ddhcluster",
                                        "ResourceId.1": cluster_id, **_tag_params(added)})
    if any(new.get(k) != old.get(k) for k in ("dedicated_host_cluster_name", "description")):
        p.rpc_post("ModifyDedicatedHostClusterAttribute", {}, {
            "DedicatedHostClusterId": cluster_id, "RegionId": p.region,
            "DedicatedHostClusterName": new.get("dedicated_host_cluster_name"),
            "Description": new.get("description")})


def cluster_delete(p: Provider, cluster_id: str) -> None:
    p.rpc_post("DeleteDedicatedHostCluster", {}, {"DedicatedHostClusterId": cluster_id, "RegionId": p.region})


def data_clusters(p: Provider, **filters: Any) -> list[dict]:
    found = every_page(p, "DescribeDedicatedHostClusters", ("DedicatedHostClusters", "DedicatedHostCluster"),
                       **filters)
    out = []
    for c in found:
        capacity = c["DedicatedHostClusterCapacity"]
        out.append({"id": c["DedicatedHostClusterId"], "dedicated_host_ids": c["DedicatedHostIds"]["DedicatedHostId"],
                    "resource_group_id": c["ResourceGroupId"],
                    "dedicated_host_cluster_capacity": [{
                        "total_memory": int(capacity["TotalMemory"]),
                        "available_memory": int(capacity["AvailableMemory"]),
                        "total_vcpus": int(capacity["TotalVcpus"]), "available_vcpus": int(capacity["AvailableVcpus"]),
                        "local_storage_capacities": capacity["LocalStorageCapacities"]["LocalStorageCapacity"]}]})
    return out


def test_cluster_create_read_update_refresh_delete(proxy):
    p = Provider(REGION)
    config = {"dedicated_host_cluster_name": "tf-cluster", "description": "made by terraform",
              "zone_id": "cn-hangzhou-i", "tags": {"Created": "TF"}, "dry_run": False}
    cluster_id = cluster_create(p, config)
    assert cluster_read(p, cluster_id) == {k: v for k, v in config.items() if k != "dry_run"}
    new = {**config, "dedicated_host_cluster_name": "tf-cluster-renamed", "tags": {"Created": "TF", "For": "x"}}
    cluster_update(p, cluster_id, config, new)
    state = cluster_read(p, cluster_id)
    assert (state["dedicated_host_cluster_name"], state["tags"]) == ("tf-cluster-renamed", new["tags"])
    assert cluster_read(p, cluster_id) == state  # terraform refresh
    host_id = host_create(p, {"dedicated_host_type": "ddh.g7", "dedicated_host_cluster_id": cluster_id})
    assert describe_host(p, host_id)["ZoneId"] == "cn-hangzhou-i"  # (the cluster's zone)
    listed = data_clusters(p, DedicatedHostClusterName="tf-cluster-renamed")
    assert [(c["id"], c["dedicated_host_ids"]) for c in listed] == [(cluster_id, [host_id])]
    assert listed[0]["dedicated_host_cluster_capacity"][0]["total_vcpus"] == 128
    # a change of the host's attributes sends the cluster it is in along (d.GetOk("dedicated_host_cluster_id"))
    old = {"dedicated_host_type": "ddh.g7", "dedicated_host_cluster_id": cluster_id}
    host_update(p, host_id, old, {**old, "description": "in the cluster"})
    with pytest.raises(ServerException) as err:  # destroying the cluster before its host: the documented code
        cluster_delete(p, cluster_id)
    assert err.value.get_error_code() == "DedicatedHostExists"
    host_delete(p, host_id, host_read(p, host_id))
    cluster_delete(p, cluster_id)
    assert cluster_read(p, cluster_id) is None


def test_cluster_data_source_reads_every_page(proxy):
    p = Provider(REGION)
    made = [p.rpc_post("CreateDedicatedHostCluster", {}, {"RegionId": p.region, "ZoneId": "cn-hangzhou-i",
                                                           "DedicatedHostClusterName": f"tf-{n:03d}"})[
        "DedicatedHostClusterId"] for n in range(PAGE_SIZE_LARGE + 2)]
    assert [c["id"] for c in data_clusters(p)] == made
    pages = [c["params"].get("PageNumber") for c in _calls(proxy) if c["action"] == "DescribeDedicatedHostClusters"]
    assert pages == ["1", "2"]


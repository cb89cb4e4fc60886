"""Terraform's ``alicloud_ecs_storage_capacity_unit``, the ``alicloud_ecs_storage_capacity_units`` data source and
``alicloud_ecs_disk``'s ``storage_set_id`` run unchanged: the calls ``aliyun/terraform-provider-alicloud`` makes,
replayed through ``mockecs server`` as a plain HTTP proxy in that client's wire form (``client.RpcPost``: a form body),
with the provider's own reading of each answer:

- ``resource_alicloud_ecs_storage_capacity_unit.go``: PurchaseStorageCapacityUnit (Amount 1, Capacity, RegionId, a
  ClientToken; Description, Period, PeriodUnit, StartTime, Name when set), the id the first of
  ``StorageCapacityUnitIds.StorageCapacityUnitId``, then ``BuildStateConf([], ["Active"])`` on
  ``DescribeEcsStorageCapacityUnit`` (``service_alicloud_ecs.go``: DescribeStorageCapacityUnits with
  ``StorageCapacityUnitId`` a bare id, no item or a first item of another id is gone). Read: capacity
  (``formatInt``), description, start_time, status, storage_capacity_unit_name (Name). Update:
  ModifyStorageCapacityUnitAttribute with what changed (GetOk). Delete: nothing is called (the provider says so).
- ``data_source_alicloud_ecs_storage_capacity_units.go``: DescribeStorageCapacityUnits with AllocationType and
  Capacity when set, PageSize 50 from page 1 until a page has fewer; ids, name_regex and status filtered by the
  provider.
- ``resource_alicloud_ecs_disk.go``: CreateDisk takes ``StorageSetId`` and ``StorageSetPartitionNumber`` (GetOkExists);
  Read sets storage_set_id and storage_set_partition_number from DescribeDisks.
"""
from __future__ import annotations

import json
import re
import time
from typing import Any, Optional

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_deployment_sets import PAGE_SIZE_LARGE, token
from tests.test_terraform_flow import REGION, Gone, Provider, _calls
from tests.test_terraform_flow import describe_ecs_disk as describe_disk

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


# -- alicloud_ecs_storage_capacity_unit ----------------------------------------------------------------------------
def describe_unit(p: Provider, unit_id: str) -> dict:
    found = p.rpc_post("DescribeStorageCapacityUnits", {}, {"RegionId": p.region, "StorageCapacityUnitId": unit_id})
    items = found["StorageCapacityUnits"]["StorageCapacityUnit"]
    if not items or items[0]["StorageCapacityUnitId"] != unit_id:
        raise Gone(unit_id)
    return items[0]


def unit_read(p: Provider, unit_id: str) -> Optional[dict]:
    try:
        found = describe_unit(p, unit_id)
    except Gone:
        return None
    return {"capacity": int(found["Capacity"]), "description": found["Description"], "start_time": found["StartTime"],
            "status": found["Status"], "storage_capacity_unit_name": found["Name"]}


def unit_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"Amount": 1, "Capacity": config["capacity"], "RegionId": p.region,
            "ClientToken": token("PurchaseStorageCapacityUnit"),
            **{param: config.get(field) for field, param in (
                ("description", "Description"), ("period", "Period"), ("period_unit", "PeriodUnit"),
                ("start_time", "StartTime"), ("storage_capacity_unit_name", "Name"))}}
    answer = p.rpc_post("PurchaseStorageCapacityUnit", {}, body)
    unit_id = answer["StorageCapacityUnitIds"]["StorageCapacityUnitId"][0]
    assert describe_unit(p, unit_id)["Status"] == "Active"  # (the state wait's target, at once)
    return unit_id


def unit_update(p: Provider, unit_id: str, old: dict, new: dict) -> None:
    request: dict[str, Any] = {"StorageCapacityUnitId": unit_id, "RegionId": p.region}
    changed = False
    for field, param in (("description", "Description"), ("storage_capacity_unit_name", "Name")):
        if new.get(field) != old.get(field):
            changed = True
            request[param] = new.get(field)
    if changed:
        p.rpc_post("ModifyStorageCapacityUnitAttribute", {}, request)


def data_units(p: Provider, name_regex: Optional[str] = None, status: Optional[str] = None,
               **filters: Any) -> list[dict]:
    found, page = [], 1
    while True:
        answer = p.rpc_post("DescribeStorageCapacityUnits", {}, {**filters, "RegionId": p.region,
                                                                 "PageSize": PAGE_SIZE_LARGE, "PageNumber": page})
        result = answer["StorageCapacityUnits"]["StorageCapacityUnit"]
        found += [u for u in result if (not name_regex or re.search(name_regex, u["Name"]))
                  and (not status or u["Status"] == status)]
        if len(result) < PAGE_SIZE_LARGE:
            break
        page += 1
    return [{"id": u["StorageCapacityUnitId"], "capacity": int(u["Capacity"]), "create_time": u["CreationTime"],
             "expired_time": u["ExpiredTime"], "start_time": u["StartTime"], "status": u["Status"],
             "allocation_status": u["AllocationStatus"], "storage_capacity_unit_name": u["Name"],
             "description": u["Description"]} for u in found]


def test_storage_capacity_unit_create_read_update_refresh(proxy):
    p = Provider(REGION)
    config = {"capacity": 20, "description": "tf scu", "period": 1, "period_unit": "Month",
              "storage_capacity_unit_name": "tf-scu"}
    unit_id = unit_create(p, config)
    state = unit_read(p, unit_id)
    # what the configuration sets reads back as written: no diff on the next plan
    assert (state["capacity"], state["description"], state["storage_capacity_unit_name"], state["status"]) == \
        (20, "tf scu", "tf-scu", "Active")
    new = {**config, "storage_capacity_unit_name": "tf-scu-renamed", "description": "renamed"}
    unit_update(p, unit_id, config, new)
    assert unit_read(p, unit_id) == {**state, "storage_capacity_unit_name": "tf-scu-renamed",
                                     "description": "renamed"}
    # a unit starting later, then the data source (50 a page: 52 units take two pages)
    later = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(time.time() + 5 * 86400))
    pending = p.rpc_post("PurchaseStorageCapacityUnit", {}, {
        "Amount": 1, "Capacity": 40, "RegionId": p.region, "StartTime": later, "Name": "tf-later",
        "ClientToken": token("PurchaseStorageCapacityUnit")})["StorageCapacityUnitIds"]["StorageCapacityUnitId"][0]
    assert unit_read(p, pending)["status"] == "Pending"
    for _ in range(2):
        p.rpc_post("PurchaseStorageCapacityUnit", {}, {"Amount": 20, "Capacity": 100, "RegionId": p.region,
                                                      "ClientToken": token("PurchaseStorageCapacityUnit")})
    p.rpc_post("PurchaseStorageCapacityUnit", {}, {"Amount": 10, "Capacity": 100, "RegionId": p.region,
                                                  "ClientToken": token("PurchaseStorageCapacityUnit")})
    assert len(data_units(p)) == 52
    assert [u["id"] for u in data_units(p, name_regex="^tf-")] == [unit_id, pending]
    assert [u["id"] for u in data_units(p, Capacity=40)] == [pending]
    assert [u["id"] for u in data_units(p, status="Pending", AllocationType="Normal")] == [pending]
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    # destroy calls nothing; a refresh of an id that is not the caller's is gone
    assert unit_read(p, "scu-bp1nothere00000000") is None


# -- alicloud_ecs_disk storage_set_id ------------------------------------------------------------------------------
def test_disk_in_a_storage_set(proxy):
    p = Provider(REGION)
    zone = p.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    set_id = p.rpc_post("CreateStorageSet", {}, {"RegionId": REGION, "ZoneId": zone, "MaxPartitionNumber": 3,
                                                 "StorageSetName": "tf-set"})["StorageSetId"]
    disk_id = p.rpc_post("CreateDisk", {}, {"RegionId": REGION, "ClientToken": token("CreateDisk"), "ZoneId": zone,
                                            "DiskCategory": "cloud_essd", "Size": 40, "StorageSetId": set_id,
                                            "StorageSetPartitionNumber": 2})["DiskId"]
    disk = describe_disk(p, disk_id)
    assert (disk["StorageSetId"], disk["StorageSetPartitionNumber"]) == (set_id, 2)
    details = p.rpc_post("DescribeStorageSetDetails", {}, {"RegionId": REGION, "StorageSetId": set_id})
    assert [d["DiskId"] for d in details["Disks"]["Disk"]] == [disk_id]
    sets = p.rpc_post("DescribeStorageSets", {}, {"RegionId": REGION, "StorageSetIds": json.dumps([set_id])})
    assert sets["StorageSets"]["StorageSet"][0]["StorageSetPartitionNumber"] == 3
    p.rpc_post("DeleteDisk", {}, {"DiskId": disk_id})
    p.rpc_post("DeleteStorageSet", {}, {"RegionId": REGION, "StorageSetId": set_id})
    assert [c for c in _calls(proxy) if c["status"] != 200] == []

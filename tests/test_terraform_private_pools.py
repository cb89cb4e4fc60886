"""Terraform's ``alicloud_ecs_capacity_reservation``, ``alicloud_ecs_elasticity_assurance``,
``alicloud_reserved_instance`` and ``alicloud_instance``'s ``private_pool_options_*`` run unchanged: the calls
``aliyun/terraform-provider-alicloud`` makes, replayed through ``mockecs server`` as a plain HTTP proxy in that
client's wire form (``client.RpcPost``: a form body, a list parameter flattened to ``Name.1``...; the Go SDK's
request structs: the query), with the provider's own reading of each answer:

- ``resource_alicloud_ecs_capacity_reservation.go``: CreateCapacityReservation (RegionId, a ClientToken,
  ``PrivatePoolOptions.Name``/``.MatchCriteria``, Description, EndTime, EndTimeType, InstanceAmount, InstanceType,
  Platform, ResourceGroupId, ``Tag.N``, ``ZoneId.N`` as set), then a wait for ``Active`` and Read.
  ``DescribeEcsCapacityReservation``: DescribeCapacityReservations with ``PrivatePoolOptions.Ids`` a one-id JSON list
  and ``Status=Active``; no item is gone (``Invalid.PrivatePoolOptions.Ids`` too). Read sets the name, description,
  end time and type, match criteria, ``payment_type`` (InstanceChargeType), platform, group, start time and type,
  status, time slot, tags, and from the first AllocatedResource InstanceType, TotalAmount and ``zoneId``. Update:
  tags (``SetResourceTags(d, "capacityreservation")``: UntagResources, TagResources), then
  ModifyCapacityReservation with ``PrivatePoolOptions.Id`` and what changed, then a wait for Active. Delete:
  ReleaseCapacityReservation, then a wait until the read finds nothing.
- ``resource_alicloud_instance.go``: RunInstances takes ``PrivatePoolOptions.MatchCriteria`` / ``.Id``; Read sets
  them from DescribeInstanceAttachmentAttributes (``tests/test_terraform_flow.instance_read``).
- ``resource_alicloud_ecs_elasticity_assurance.go`` (``EcsServiceV2``): CreateElasticityAssurance (``InstanceType.N``,
  ``ZoneId.N``, AutoRenew, PeriodUnit, Period, AutoRenewPeriod, ``PrivatePoolOptions.*``, Description, StartTime,
  AssuranceTimes, InstanceAmount, ``Tag.N``, a ClientToken), a wait for Active or Prepared, then Update and Read.
  ``DescribeEcsElasticityAssurance``: DescribeElasticityAssurances with the one-id list (no Status): no item, or a
  Released one, is gone; ``InstanceAmount`` is the first AllocatedResource's TotalAmount. Read also calls
  DescribeElasticityAssuranceAutoRenewAttribute (``PrivatePoolOptions.Id.1``; ``InvalidParameter`` is gone).
  Update: ModifyElasticityAssurance (name, description, InstanceAmount; then a wait until the read's InstanceAmount
  is the configured one), ModifyElasticityAssuranceAutoRenewAttribute (RenewalStatus from auto_renew, PeriodUnit,
  Period) when auto_renew / its period changed, tags (``"ELASTICITYASSURANCE"``). Delete goes through the billing
  API (BssOpenApi RefundInstance), not ECS: not replayed.
"""
from __future__ import annotations

import itertools
import json
import time
from typing import Any, Optional

from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import (
    REGION,
    Provider,
    _calls,
    _numbered,
    _tag_params,
    instance_create,
    instance_delete,
    instance_read,
    network,
)

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"
TYPE = "ecs.g7.large"
_TOKENS = itertools.count()


def token(action: str) -> str:
    """buildClientToken(action): a new token every call."""
    return f"{action}-tf-{next(_TOKENS)}"


def zone_of(p: Provider, net: dict) -> str:
    return p.call("DescribeVSwitches", VSwitchId=net["vswitch"])["VSwitches"]["VSwitch"][0]["ZoneId"]


def _unset(body: dict[str, Any]) -> dict[str, Any]:
    """GetOk: a zero value (empty, 0, false, None) is not sent."""
    return {k: v for k, v in body.items() if v not in (None, "", 0, False, [], {})}


def _tags(item: dict) -> dict[str, str]:
    return {t["TagKey"]: t["TagValue"] for t in (item.get("Tags") or {}).get("Tag") or ()}


def set_tags(p: Provider, resource_id: str, resource_type: str, old: dict[str, str], new: dict[str, str]) -> None:
    """SetResourceTags: UntagResources of the keys removed or changed, TagResources of the pairs added or changed."""
    removed = [k for k in old if k not in new or old[k] != new[k]]
    added = {k: v for k, v in new.items() if old.get(k) != v}
    if removed:
        p.rpc_post("UntagResources", {}, {"RegionId": p.region, "ResourceType": resource_type,
                                          "ResourceId.1": resource_id, **_numbered("TagKey", removed)})
    if added:
        p.rpc_post("TagResources", {}, {"RegionId": p.region, "ResourceType": resource_type,
                                        "ResourceId.1": resource_id, **_tag_params(added)})


# -- alicloud_ecs_capacity_reservation -----------------------------------------------------------------------------
def describe_capacity_reservation(p: Provider, pool_id: str) -> Optional[dict]:
    try:
        found = p.rpc_post("DescribeCapacityReservations", {}, {
            "PrivatePoolOptions.Ids": json.dumps([pool_id]), "RegionId": p.region, "Status": "Active"})
    except ServerException as err:
        if err.get_error_code() == "Invalid.PrivatePoolOptions.Ids":
            return None
        raise
    items = found["CapacityReservationSet"]["CapacityReservationItem"]
    return items[0] if items else None


def reservation_wait(p: Provider, pool_id: str, target: Optional[str]) -> None:
    """BuildStateConf([], [target]): the first state read must be the target (none: gone)."""
    item = describe_capacity_reservation(p, pool_id)
    assert (item["Status"] if item else None) == target


def reservation_read(p: Provider, pool_id: str) -> Optional[dict]:
    item = describe_capacity_reservation(p, pool_id)
    if item is None:
        return None
    state = {"capacity_reservation_name": item["PrivatePoolOptionsName"], "description": item["Description"],
             "end_time": item["EndTime"], "end_time_type": item["EndTimeType"],
             "match_criteria": item["PrivatePoolOptionsMatchCriteria"], "payment_type": item["InstanceChargeType"],
             "platform": item["Platform"], "resource_group_id": item["ResourceGroupId"],
             "start_time": item["StartTime"], "start_time_type": item["StartTimeType"], "status": item["Status"],
             "tags": _tags(item), "time_slot": item["TimeSlot"]}
    resource = item["AllocatedResources"]["AllocatedResource"]
    if resource:
        state.update(instance_type=resource[0]["InstanceType"], instance_amount=resource[0]["TotalAmount"],
                     zone_ids=[str(resource[0]["zoneId"])], used=resource[0]["UsedAmount"])
    return state


def reservation_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"RegionId": p.region, **_unset({
        "PrivatePoolOptions.Name": config.get("capacity_reservation_name"), "Description": config.get("description"),
        "EndTime": config.get("end_time"), "EndTimeType": config.get("end_time_type"),
        "InstanceAmount": config.get("instance_amount"), "InstanceType": config.get("instance_type"),
        "PrivatePoolOptions.MatchCriteria": config.get("match_criteria"), "Platform": config.get("platform"),
        "ResourceGroupId": config.get("resource_group_id")}),
        **_tag_params(config.get("tags") or {}), **_numbered("ZoneId", config["zone_ids"]),
        "ClientToken": token("CreateCapacityReservation")}
    pool_id = p.rpc_post("CreateCapacityReservation", {}, body)["PrivatePoolOptionsId"]
    reservation_wait(p, pool_id, "Active")
    return pool_id


_MODIFIED = (("description", "Description"), ("end_time", "EndTime"), ("end_time_type", "EndTimeType"),
             ("platform", "Platform"), ("capacity_reservation_name", "PrivatePoolOptions.Name"))


def reservation_update(p: Provider, pool_id: str, old: dict, new: dict) -> None:
    if old.get("tags") != new.get("tags"):
        set_tags(p, pool_id, "capacityreservation", old.get("tags") or {}, new.get("tags") or {})
    body: dict[str, Any] = {"RegionId": p.region}
    changed = False
    for field, param in _MODIFIED:
        if old.get(field) != new.get(field):
            changed = True
            if new.get(field):
                body[param] = new[field]
    if old.get("instance_amount") != new.get("instance_amount"):
        changed, body["InstanceAmount"] = True, new["instance_amount"]
    body["PrivatePoolOptions.Id"] = pool_id
    if changed:
        p.rpc_post("ModifyCapacityReservation", {}, body)
    reservation_wait(p, pool_id, "Active")


def reservation_delete(p: Provider, pool_id: str) -> None:
    try:
        p.rpc_post("ReleaseCapacityReservation", {}, {"RegionId": p.region, "PrivatePoolOptions.Id": pool_id})
    except ServerException as err:
        if err.get_error_code() != "Invalid.PrivatePoolOptions.Ids" and "NotFound" not in err.get_error_code():
            raise
        return
    reservation_wait(p, pool_id, None)


def test_capacity_reservation_apply_update_refresh_destroy(proxy):
    p = Provider(REGION)
    net = network(p)
    zone = zone_of(p, net)
    config = {"capacity_reservation_name": "tf-crp", "description": "made by terraform", "instance_amount": 2,
              "instance_type": TYPE, "match_criteria": "Target", "platform": "linux", "zone_ids": [zone],
              "tags": {"Created": "TF", "For": "Test"}, "end_time_type": "Unlimited"}
    pool_id = reservation_create(p, config)
    state = reservation_read(p, pool_id)
    # every configured field reads back as written: no diff on the next plan
    assert {k: state[k] for k in config} == config
    assert (state["payment_type"], state["status"], state["start_time_type"], state["used"]) == \
        ("PostPaid", "Active", "Now", 0)
    # alicloud_instance in the reservation
    instance_id = instance_create(p, net, IMAGE, {}, settings={"PrivatePoolOptions.MatchCriteria": "Target",
                                                               "PrivatePoolOptions.Id": pool_id})
    got = instance_read(p, instance_id)
    assert (got["private_pool_options_match_criteria"], got["private_pool_options_id"]) == ("Target", pool_id)
    assert reservation_read(p, pool_id)["used"] == 1
    # private_pool_options_match_criteria changed to None, then back (Update: ModifyInstanceAttachmentAttributes,
    # the id only when the criteria is not None)
    for criteria in ("None", "Target"):
        body = {"RegionId": p.region, "InstanceId": instance_id, "PrivatePoolOptions.MatchCriteria": criteria}
        if criteria != "None":
            body["PrivatePoolOptions.Id"] = pool_id
        p.rpc_post("ModifyInstanceAttachmentAttributes", {}, body)
        got = instance_read(p, instance_id)
        assert (got["private_pool_options_match_criteria"], got["private_pool_options_id"]) == \
            (criteria, pool_id if criteria == "Target" else "")
        assert reservation_read(p, pool_id)["used"] == (criteria == "Target")
    new = {**config, "capacity_reservation_name": "tf-crp-renamed", "description": "changed by terraform",
           "instance_amount": 3, "tags": {"Created": "TF", "For": "Update"}}
    reservation_update(p, pool_id, config, new)
    state = reservation_read(p, pool_id)
    assert {k: state[k] for k in new} == new
    assert reservation_read(p, pool_id) == state  # terraform refresh
    # terraform destroy: the instance first (it names the reservation), then the reservation
    instance_delete(p, instance_id)
    assert reservation_read(p, pool_id)["used"] == 0
    reservation_delete(p, pool_id)
    assert reservation_read(p, pool_id) is None
    reservation_delete(p, pool_id)  # a destroy again: already gone
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("ReleaseCapacityReservation", "Invalid.PrivatePoolOptions.Ids")]


def test_limited_reservation_reads_its_end_time(proxy):
    p = Provider(REGION)
    ends = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    config = {"instance_amount": 1, "instance_type": TYPE, "zone_ids": ["cn-hangzhou-i"], "end_time_type": "Limited",
              "end_time": ends}
    pool_id = reservation_create(p, config)
    state = reservation_read(p, pool_id)
    # end_time's DiffSuppressFunc: the configured time starts with the answered one without its "Z"
    assert ends.startswith(state["end_time"].strip("Z")) and state["end_time_type"] == "Limited"
    assert (state["match_criteria"], state["platform"], state["capacity_reservation_name"]) == ("Open", "linux", "")


# -- alicloud_ecs_elasticity_assurance -----------------------------------------------------------------------------
def describe_elasticity_assurance(p: Provider, pool_id: str) -> Optional[dict]:
    found = p.rpc_post("DescribeElasticityAssurances", {}, {
        "PrivatePoolOptions.Ids": json.dumps([pool_id]), "RegionId": p.region})
    items = found["ElasticityAssuranceSet"]["ElasticityAssuranceItem"]
    if not items or items[0]["Status"] == "Released":
        return None
    item = dict(items[0])
    item["InstanceAmount"] = item["AllocatedResources"]["AllocatedResource"][0]["TotalAmount"]
    return item


def assurance_read(p: Provider, pool_id: str) -> Optional[dict]:
    item = describe_elasticity_assurance(p, pool_id)
    if item is None:
        return None
    resource = item["AllocatedResources"]["AllocatedResource"][0]
    state = {"assurance_times": item["TotalAssuranceTimes"], "description": item["Description"],
             "end_time": item["EndTime"], "instance_charge_type": item["InstanceChargeType"],
             "private_pool_options_match_criteria": item["PrivatePoolOptionsMatchCriteria"],
             "private_pool_options_name": item["PrivatePoolOptionsName"], "region_id": item["RegionId"],
             "resource_group_id": item["ResourceGroupId"], "start_time_type": item["StartTimeType"],
             "status": item["Status"], "used_assurance_times": item["UsedAssuranceTimes"],
             "start_time": item["StartTime"], "tags": _tags(item), "instance_type": [str(resource["InstanceType"])],
             "instance_amount": resource["TotalAmount"], "zone_ids": [str(resource["zoneId"])]}
    try:
        renewal = p.rpc_post("DescribeElasticityAssuranceAutoRenewAttribute", {}, {
            "PrivatePoolOptions.Id.1": pool_id, "RegionId": p.region})[
            "ElasticityAssuranceRenewAttributes"]["ElasticityAssuranceRenewAttribute"]
    except ServerException as err:
        assert err.get_error_code() == "InvalidParameter"
        renewal = []
    row = renewal[0] if renewal else {}
    state.update(auto_renew=row.get("RenewalStatus") == "AutoRenewal", auto_renew_period=row.get("Period"),
                 auto_renew_period_unit=row.get("PeriodUnit"))
    return state


def assurance_update(p: Provider, pool_id: str, old: dict, new: dict, is_new: bool = False) -> None:
    body: dict[str, Any] = {"PrivatePoolOptions.Id": pool_id, "RegionId": p.region,
                            "ClientToken": token("ModifyElasticityAssurance")}
    changed = False
    for field, param in (("private_pool_options_name", "PrivatePoolOptions.Name"), ("description", "Description"),
                         ("instance_amount", "InstanceAmount")):
        if not is_new and old.get(field) != new.get(field):
            changed, body[param] = True, new.get(field)
    if changed:
        p.rpc_post("ModifyElasticityAssurance", {}, body)
        if old.get("instance_amount") != new.get("instance_amount"):
            assert str(describe_elasticity_assurance(p, pool_id)["InstanceAmount"]) == str(new["instance_amount"])
    renew = (not is_new and old.get("auto_renew") != new.get("auto_renew")) or \
        (new.get("auto_renew") and old.get("auto_renew_period_unit") != new.get("auto_renew_period_unit")) or \
        (not is_new and old.get("auto_renew_period") != new.get("auto_renew_period"))
    if renew:
        p.rpc_post("ModifyElasticityAssuranceAutoRenewAttribute", {}, {
            "PrivatePoolOptions.Id.1": pool_id, "RegionId": p.region,
            "RenewalStatus": "AutoRenewal" if new.get("auto_renew") else "Normal",
            "PeriodUnit": new.get("auto_renew_period_unit"), "Period": new.get("auto_renew_period") or 0})
    if old.get("tags") != new.get("tags"):
        set_tags(p, pool_id, "ELASTICITYASSURANCE", old.get("tags") or {}, new.get("tags") or {})


def assurance_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"RegionId": p.region, "ClientToken": token("CreateElasticityAssurance"),
            **_numbered("InstanceType", config["instance_type"]), **_unset({
                "AutoRenew": config.get("auto_renew"), "PeriodUnit": config.get("period_unit"),
                "ResourceGroupId": config.get("resource_group_id"),
                "PrivatePoolOptions.Name": config.get("private_pool_options_name"),
                "AssuranceTimes": config.get("assurance_times"), "Description": config.get("description"),
                "StartTime": config.get("start_time"),
                "PrivatePoolOptions.MatchCriteria": config.get("private_pool_options_match_criteria"),
                "AutoRenewPeriod": config.get("auto_renew_period"), "InstanceAmount": config.get("instance_amount"),
                "Period": config.get("period")}),
            **_tag_params(config.get("tags") or {}), **_numbered("ZoneId", config["zone_ids"])}
    answer = p.rpc_post("CreateElasticityAssurance", {}, body)
    pool_id = answer["PrivatePoolOptionsId"]
    assert answer["OrderId"]
    assert describe_elasticity_assurance(p, pool_id)["Status"] in ("Active", "Prepared")
    assurance_update(p, pool_id, {}, config, is_new=True)
    return pool_id


def test_elasticity_assurance_apply_update_refresh(proxy):
    p = Provider(REGION)
    net = network(p)
    zone = zone_of(p, net)
    config = {"instance_type": [TYPE], "zone_ids": [zone], "instance_amount": 2, "period": 1, "period_unit": "Month",
              "private_pool_options_name": "tf-eap", "description": "made by terraform",
              "private_pool_options_match_criteria": "Open", "assurance_times": "Unlimited",
              "auto_renew": True, "auto_renew_period": 1, "auto_renew_period_unit": "Month",
              "tags": {"Created": "TF"}}
    pool_id = assurance_create(p, config)
    state = assurance_read(p, pool_id)
    assert {k: state[k] for k in config if k not in ("period", "period_unit")} == \
        {k: v for k, v in config.items() if k not in ("period", "period_unit")}
    assert (state["status"], state["instance_charge_type"], state["used_assurance_times"], state["region_id"]) == \
        ("Active", "PostPaid", 0, REGION)
    # an Open instance of its type and zone runs in it
    instance_id = instance_create(p, net, IMAGE, {}, settings={"PrivatePoolOptions.MatchCriteria": "Open"})
    assert instance_read(p, instance_id)["private_pool_options_id"] == pool_id
    new = {**config, "private_pool_options_name": "tf-eap-renamed", "description": "changed by terraform",
           "instance_amount": 4, "auto_renew": False, "tags": {"Created": "TF", "For": "Update"}}
    assurance_update(p, pool_id, config, new)
    state = assurance_read(p, pool_id)
    assert (state["private_pool_options_name"], state["description"], state["instance_amount"], state["auto_renew"],
            state["tags"]) == ("tf-eap-renamed", "changed by terraform", 4, False, new["tags"])
    assert assurance_read(p, pool_id) == state  # terraform refresh
    instance_delete(p, instance_id)
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == []


# -- alicloud_reserved_instance ------------------------------------------------------------------------------------
def describe_ecs_reserved_instance(p: Provider, ri_id: str) -> Optional[dict]:
    """DescribeEcsReservedInstance (the state refresh): RpcPost with ``ReservedInstanceId`` sent bare (not ``.1``),
    the first item read."""
    items = p.rpc_post("DescribeReservedInstances", {}, {"ReservedInstanceId": ri_id, "RegionId": p.region})[
        "ReservedInstances"]["ReservedInstance"]
    return items[0] if items else None


def ri_read(p: Provider, ri_id: str) -> dict:
    """resourceAliCloudReservedInstanceRead: DescribeReservedInstance (SDK: ``ReservedInstanceId.1``; exactly one
    item of that id, else an error), then DescribeReservedInstanceAutoRenewAttribute (none is an error)."""
    items = p.call("DescribeReservedInstances", **{"ReservedInstanceId.1": ri_id})["ReservedInstances"][
        "ReservedInstance"]
    assert len(items) == 1 and items[0]["ReservedInstanceId"] == ri_id
    ri = items[0]
    rows = p.rpc_post("DescribeReservedInstanceAutoRenewAttribute", {}, {
        "ReservedInstanceId.1": ri_id, "RegionId": p.region})["ReservedInstanceRenewAttributes"][
        "ReservedInstanceRenewAttribute"]
    assert rows  # (an empty list fails the read)
    state = {"instance_type": ri["InstanceType"], "allocation_status": ri["AllocationStatus"], "scope": ri["Scope"],
             "zone_id": ri["ZoneId"], "instance_amount": ri["InstanceAmount"], "platform": ri["Platform"].title(),
             "offering_type": ri["OfferingType"], "reserved_instance_name": ri["ReservedInstanceName"],
             "description": ri["Description"], "status": ri["Status"], "create_time": ri["CreationTime"],
             "expired_time": ri["ExpiredTime"], "start_time": ri["StartTime"],
             "operation_locks": [{"lock_reason": lock["LockReason"]} for lock in ri["OperationLocks"]["OperationLock"]],
             "tags": {t["TagKey"]: t["TagValue"] for t in ri["Tags"]["Tag"]},
             "renewal_status": rows[0]["RenewalStatus"]}
    if rows[0]["Duration"]:
        state["auto_renew_period"] = rows[0]["Duration"] * (12 if rows[0]["PeriodUnit"] == "Year" else 1)
    return state


def ri_wait_active(p: Provider, ri_id: str) -> None:
    assert describe_ecs_reserved_instance(p, ri_id)["Status"] == "Active"


def ri_create(p: Provider, config: dict[str, Any]) -> str:
    body = {"RegionId": p.region, **_unset({
        "Description": config.get("description"), "InstanceAmount": config.get("instance_amount"),
        "InstanceType": config.get("instance_type"), "OfferingType": config.get("offering_type"),
        "Period": config.get("period"), "PeriodUnit": config.get("period_unit"), "Platform": config.get("platform"),
        "ReservedInstanceName": config.get("reserved_instance_name"),
        "ResourceGroupId": config.get("resource_group_id")}), **_tag_params(config.get("tags") or {})}
    if config.get("scope"):
        body["Scope"] = config["scope"]
        if config.get("zone_id"):
            body["ZoneId"] = config["zone_id"]
    if config.get("renewal_status"):
        body["AutoRenew"] = config["renewal_status"] == "AutoRenewal"
    if "auto_renew_period" in config:
        body["AutoRenewPeriod"] = config["auto_renew_period"]
    body["ClientToken"] = token("PurchaseReservedInstancesOffering")
    ri_id = p.rpc_post("PurchaseReservedInstancesOffering", {}, body)["ReservedInstanceIdSets"]["ReservedInstanceId"][0]
    ri_wait_active(p, ri_id)
    return ri_id


def ri_update(p: Provider, ri_id: str, old: dict, new: dict) -> None:
    if old.get("tags") != new.get("tags"):
        set_tags(p, ri_id, "reservedinstance", old.get("tags") or {}, new.get("tags") or {})
    query: dict[str, Any] = {"ReservedInstanceId": ri_id}
    for field, param in (("description", "Description"), ("reserved_instance_name", "ReservedInstanceName")):
        if old.get(field) != new.get(field):
            query[param] = new.get(field)
    if len(query) > 1:
        p.call("ModifyReservedInstanceAttribute", **query)
    if old.get("auto_renew_period") != new.get("auto_renew_period") or \
            old.get("renewal_status") != new.get("renewal_status"):
        body: dict[str, Any] = {"ReservedInstanceId.1": ri_id, "RegionId": p.region}
        months = new.get("auto_renew_period")
        if months:
            body.update(Period=1, PeriodUnit="Month") if months == 1 else body.update(Period=months // 12,
                                                                                     PeriodUnit="Year")
        if new.get("renewal_status"):
            body["RenewalStatus"] = new["renewal_status"]
        p.rpc_post("ModifyReservedInstanceAutoRenewAttribute", {}, body)
    ri_wait_active(p, ri_id)


def test_reserved_instance_apply_update_refresh(proxy):
    p = Provider(REGION)
    config = {"instance_type": TYPE, "instance_amount": 2, "period_unit": "Year", "period": 1,
              "offering_type": "All Upfront", "platform": "Linux", "scope": "Zone", "zone_id": "cn-hangzhou-i",
              "reserved_instance_name": "tf-ri", "description": "made by terraform", "tags": {"Created": "TF"},
              "renewal_status": "AutoRenewal", "auto_renew_period": 12}
    ri_id = ri_create(p, config)
    state = ri_read(p, ri_id)
    kept = ("instance_type", "instance_amount", "offering_type", "platform", "scope", "zone_id",
            "reserved_instance_name", "description", "tags", "renewal_status", "auto_renew_period")
    assert {k: state[k] for k in kept} == {k: config[k] for k in kept}
    assert (state["status"], state["allocation_status"], state["operation_locks"]) == ("Active", "", [])
    new = {**config, "reserved_instance_name": "tf-ri-renamed", "description": "changed by terraform",
           "tags": {"Created": "TF", "For": "Update"}, "auto_renew_period": 36}
    ri_update(p, ri_id, config, new)
    state = ri_read(p, ri_id)
    assert {k: state[k] for k in kept} == {k: new[k] for k in kept}
    assert ri_read(p, ri_id) == state  # terraform refresh
    new_off = {**new, "renewal_status": "Normal"}
    ri_update(p, ri_id, new, new_off)
    assert ri_read(p, ri_id)["renewal_status"] == "Normal"
    # (terraform destroy calls nothing: a reserved instance cannot be released)
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == []


# -- the data sources: alicloud_ecs_capacity_reservations, alicloud_ecs_elasticity_assurances ------------------------
PAGE_SIZE_LARGE = 50


def data_pools(p: Provider, action: str, items: str, ids: Optional[list[str]] = None,
               tags: Optional[dict[str, str]] = None, **filters: Any) -> list[dict]:
    """dataSourceAlicloudEcs{CapacityReservations,ElasticityAssurances}Read: RpcPost with MaxResults 50 (and
    ``PrivatePoolOptions.Ids`` a JSON list, ``Tag`` a list of Key/Value maps: ``Tag.N.Key``), following NextToken
    until an answer has none."""
    body: dict[str, Any] = {"RegionId": p.region, **filters, **_tag_params(tags or {}),
                            "MaxResults": PAGE_SIZE_LARGE}
    if ids:
        body["PrivatePoolOptions.Ids"] = json.dumps(ids)
    found: list[dict] = []
    for _ in range(20):
        answer = p.rpc_post(action, {}, body)
        found += answer[items + "Set"][items + "Item"]
        if not answer.get("NextToken"):
            return found
        body["NextToken"] = answer["NextToken"]
    raise AssertionError("the pages never end")


def test_data_sources_read_every_page_and_filter(proxy):
    p = Provider(REGION)
    made = [reservation_create(p, {"instance_amount": 1, "instance_type": TYPE, "zone_ids": ["cn-hangzhou-i"],
                                   "capacity_reservation_name": f"tf-{n:02d}"}) for n in range(PAGE_SIZE_LARGE + 2)]
    listed = data_pools(p, "DescribeCapacityReservations", "CapacityReservation")
    assert [i["PrivatePoolOptionsId"] for i in listed] == made
    tagged = reservation_create(p, {"instance_amount": 1, "instance_type": TYPE, "zone_ids": ["cn-hangzhou-j"],
                                    "platform": "windows", "tags": {"Created": "TF"}})
    assert [i["PrivatePoolOptionsId"] for i in data_pools(p, "DescribeCapacityReservations", "CapacityReservation",
                                                          tags={"Created": "TF"})] == [tagged]
    assert [i["PrivatePoolOptionsId"] for i in data_pools(p, "DescribeCapacityReservations", "CapacityReservation",
                                                          Platform="windows", InstanceType=TYPE)] == [tagged]
    assert [i["PrivatePoolOptionsId"] for i in data_pools(p, "DescribeCapacityReservations", "CapacityReservation",
                                                          ids=made[:2])] == made[:2]
    assurance = assurance_create(p, {"instance_type": [TYPE], "zone_ids": ["cn-hangzhou-i"], "instance_amount": 1})
    rows = data_pools(p, "DescribeElasticityAssurances", "ElasticityAssurance", Status="Active")
    assert [(r["PrivatePoolOptionsId"], r["TotalAssuranceTimes"], r["UsedAssuranceTimes"]) for r in rows] == \
        [(assurance, "Unlimited", 0)]
    calls = [c for c in _calls(proxy) if c["action"] == "DescribeCapacityReservations" and "MaxResults" in c["params"]]
    assert [c["params"].get("NextToken") is not None for c in calls[:2]] == [False, True]

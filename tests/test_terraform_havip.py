"""Terraform's ``alicloud_havip`` and ``alicloud_havip_attachment`` through the VPC product's API (both call
``client.RpcPost("Vpc", "2016-04-28", ...)``), replayed call for call from the provider's source
(``alicloud/resource_alicloud_havip.go``, ``resource_alicloud_havip_attachment.go``, ``service_alicloud_vpc.go``'s
``DescribeHavip`` / ``HavipStateRefreshFunc``, ``service_alicloud_vpc_v2.go``'s ``DescribeVpcHaVipAttachment``)
through ``mockecs server`` as a plain HTTP proxy, with the provider's own reading of each answer:

- ``DescribeHavip``: DescribeHaVips with no filter, PageNumber 1, PageSize 20, paging on while a page is full; the
  item whose HaVipId is the resource's, else "gone" (an empty list too). Create waits for ``Available`` (no pending
  list); Create, Modify and Delete are retried on ``IncorrectStatus.%s`` (and Delete on ``IncorrectStatus``).
- ``DescribeVpcHaVipAttachment``: DescribeHaVips with ``Filter.1.Key=HaVipId``, ``Filter.1.Value.1=<id>``; the
  item listing the instance in ``AssociatedInstances.associatedInstance`` (lower case), else "gone". The create
  (AssociateHaVip with a ClientToken) waits for the HaVip's ``Status`` ``InUse``; the read sets ``instance_type``
  from ``AssociatedInstanceType``. The delete (UnassociateHaVip, Force only when set) does not wait; a not-found
  error ends it.
"""
from __future__ import annotations

from typing import Any, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _go_sprint, _transitions, instance_create
from tests.test_terraform_vpc import (
    IMAGE,
    VpcProvider,
    delete,
    vpc_create,
    vpc_delete,
    vswitch_create,
    vswitch_delete,
)

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
RETRIED = ("OperationConflict", "IncorrectStatus.%s", "ServiceUnavailable", "SystemBusy", "LastTokenProcessing")
ATTACHMENT_RETRIED = ("IncorrectInstanceStatus", "IncorrectHaVipStatus", "InvalidVip.Status", "OperationConflict",
                      "LastTokenProcessing", "IncorrectStatus", "SystemBusy", "ServiceUnavailable")


# -- alicloud_havip ------------------------------------------------------------------------------------------------
def describe_havip(p: VpcProvider, havip_id: str) -> dict:
    request: dict[str, Any] = {"PageNumber": 1, "PageSize": 20}
    while True:
        try:
            result = p.post("DescribeHaVips", request)["HaVips"]["HaVip"]
        except ServerException as err:
            if err.get_error_code() in ("InvalidFilterKey.ValueNotSupported", "InvalidHaVipId.NotFound",
                                        "InvalidRegionId.NotFound"):
                raise Gone(havip_id) from err
            raise
        if not result:
            raise Gone(havip_id)
        for item in result:
            if item["HaVipId"] == havip_id:
                return item
        if len(result) < request["PageSize"]:
            raise Gone(havip_id)
        request["PageNumber"] += 1


def havip_state(p: VpcProvider, havip_id: str) -> Optional[str]:
    try:
        return describe_havip(p, havip_id)["Status"]
    except Gone:
        return None


def havip_create(p: VpcProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    body = {"VSwitchId": config["vswitch_id"], "Description": config.get("description"),
            "Name": config.get("havip_name"), "IpAddress": config.get("ip_address")}
    havip_id = p.post("CreateHaVip", {k: v for k, v in body.items() if v})["HaVipId"]
    for _ in range(50):  # BuildStateConf([], ["Available"])
        state = havip_state(p, havip_id)
        if seen is not None:
            seen.append(state)
        if state == "Available":
            return havip_id
    pytest.fail(f"{havip_id} never became Available")


def havip_read(p: VpcProvider, havip_id: str) -> Optional[dict]:
    try:
        item = describe_havip(p, havip_id)
    except Gone:
        return None
    return {"description": item["Description"], "havip_name": item["Name"], "ip_address": item["IpAddress"],
            "status": item["Status"], "vswitch_id": item["VSwitchId"]}


def havip_update(p: VpcProvider, havip_id: str, old: dict, new: dict) -> None:
    body = {"HaVipId": havip_id}
    for field, param in (("description", "Description"), ("havip_name", "Name")):
        if new.get(field) != old.get(field):
            body[param] = new[field]
    if len(body) > 1:
        p.post("ModifyHaVipAttribute", body)


def havip_delete(p: VpcProvider, havip_id: str) -> list[str]:
    return delete(p, "DeleteHaVip", {"HaVipId": havip_id}, RETRIED + ("IncorrectStatus",),
                  ("InvalidHaVipId.NotFound", "InvalidRegionId.NotFound"), token=False)


# -- alicloud_havip_attachment ---------------------------------------------------------------------------------------
def describe_attachment(p: VpcProvider, attachment_id: str) -> dict:
    havip_id, instance_id = attachment_id.split(":")
    result = p.post("DescribeHaVips", {"Filter.1.Key": "HaVipId", "Filter.1.Value.1": havip_id})["HaVips"]["HaVip"]
    for item in result:
        if item["HaVipId"] == havip_id and instance_id in item["AssociatedInstances"]["associatedInstance"]:
            return item
    raise Gone(attachment_id)


def attachment_create(p: VpcProvider, havip_id: str, instance_id: str, instance_type: str = "") -> str:
    body = {"InstanceId": instance_id, "HaVipId": havip_id, "ClientToken": f"AssociateHaVip-{instance_id}",
            "InstanceType": instance_type}
    for _ in range(5):
        try:
            p.post("AssociateHaVip", {k: v for k, v in body.items() if v})
            break
        except ServerException as err:
            assert err.get_error_code() in ATTACHMENT_RETRIED, err
    attachment_id = f"{havip_id}:{instance_id}"
    for _ in range(50):  # BuildStateConf([], ["InUse"]) on the attachment's Status
        try:
            if _go_sprint(describe_attachment(p, attachment_id)["Status"]) == "InUse":
                return attachment_id
        except Gone:
            pass
    pytest.fail(f"{attachment_id} never became InUse")


def attachment_read(p: VpcProvider, attachment_id: str) -> Optional[dict]:
    try:
        item = describe_attachment(p, attachment_id)
    except Gone:
        return None
    havip_id, instance_id = attachment_id.split(":")
    return {"instance_type": item["AssociatedInstanceType"], "status": item["Status"], "ha_vip_id": havip_id,
            "instance_id": instance_id, "havip_id": havip_id}


def attachment_delete(p: VpcProvider, attachment_id: str, force: bool = False) -> None:
    havip_id, instance_id = attachment_id.split(":")
    body = {"InstanceId": instance_id, "HaVipId": havip_id, "ClientToken": f"UnassociateHaVip-{instance_id}",
            **({"Force": True} if force else {})}
    try:
        p.post("UnassociateHaVip", body)
    except ServerException as err:
        if not (err.get_http_status() == 404 or "NotFound" in err.get_error_code()):  # NotFoundError: done
            raise


# -- plans ---------------------------------------------------------------------------------------------------------
def network(p: VpcProvider, ecs: Provider) -> tuple[str, str, str]:
    vpc_id = vpc_create(p, {"vpc_name": "tf-ha", "cidr_block": "10.8.0.0/16"})
    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch_id = vswitch_create(p, {"vpc_id": vpc_id, "cidr_block": "10.8.1.0/24", "zone_id": zone,
                                    "vswitch_name": "tf-ha"})
    return vpc_id, vswitch_id, ecs.call("CreateSecurityGroup", VpcId=vpc_id)["SecurityGroupId"]


def test_havip_and_attachments_apply_update_refresh_destroy(proxy):
    p, ecs = VpcProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id, group = network(p, ecs)
    net = {"vswitch": vswitch_id, "security_group": group}
    instances = [instance_create(ecs, net, IMAGE, {}, settings={"ClientToken": f"RunInstances-tf-{n}"})
                 for n in range(2)]
    assert len(set(instances)) == 2
    config = {"vswitch_id": vswitch_id, "havip_name": "tf-havip", "description": "keepalived pair",
              "ip_address": "10.8.1.100"}
    havip_id = havip_create(p, config)
    assert havip_read(p, havip_id) == {"description": "keepalived pair", "havip_name": "tf-havip",
                                       "ip_address": "10.8.1.100", "status": "Available", "vswitch_id": vswitch_id}
    attachments = [attachment_create(p, havip_id, i) for i in instances]
    for attachment_id, instance_id in zip(attachments, instances):
        assert attachment_read(p, attachment_id) == {
            "instance_type": "EcsInstance", "status": "InUse", "ha_vip_id": havip_id, "instance_id": instance_id,
            "havip_id": havip_id}
    havip_update(p, havip_id, config, {**config, "havip_name": "tf-havip-2", "description": "edited"})
    state = havip_read(p, havip_id)
    assert (state["havip_name"], state["description"], state["status"]) == ("tf-havip-2", "edited", "InUse")
    assert havip_read(p, havip_id) == state  # a refresh reads the same

    # terraform destroy: the HaVip's delete meets the attachments still there (IncorrectStatus, retried)
    p.pending_deletes = [lambda a=a: attachment_delete(p, a) for a in attachments]
    assert havip_delete(p, havip_id) == ["IncorrectStatus"]
    assert havip_read(p, havip_id) is None and all(attachment_read(p, a) is None for a in attachments)
    attachment_delete(p, attachments[0])  # (already gone: a not-found code ends it)
    for instance_id in instances:
        ecs.call("DeleteInstance", InstanceId=instance_id, Force=True)
    ecs.call("DeleteSecurityGroup", SecurityGroupId=group)
    assert vswitch_delete(p, vswitch_id) == [] and vpc_delete(p, vpc_id) == []


def test_waits_and_refresh_after_deletion_outside_terraform(proxy):
    """With HaVips taking reads to settle, the waits poll Creating then Available and Associating then InUse; after
    the instance goes and the HaVip is deleted with ECS calls, a refresh drops both and a destroy is a no-op."""
    _transitions(proxy, delays={"havip": {"observations": 3}})
    p, ecs = VpcProvider(REGION), Provider(REGION)
    _, vswitch_id, group = network(p, ecs)
    [instance_id] = [instance_create(ecs, {"vswitch": vswitch_id, "security_group": group}, IMAGE, {})]
    seen: list = []
    havip_id = havip_create(p, {"vswitch_id": vswitch_id}, seen)
    assert seen == ["Creating", "Available"]  # (an unfiltered page observes a record twice: settle, read)
    attachment_id = attachment_create(p, havip_id, instance_id)
    ecs.call("DeleteInstance", InstanceId=instance_id, Force=True)  # (leaves the HaVip)
    assert attachment_read(p, attachment_id) is None
    ecs.call("DeleteHaVip", HaVipId=havip_id)
    assert havip_read(p, havip_id) is None
    assert havip_delete(p, havip_id) == []

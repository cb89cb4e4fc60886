"""Terraform's ``alicloud_ecs_network_interface_permission`` and the ``alicloud_ecs_network_interface_permissions``
data source through ECS's API (``client.RpcPost("Ecs", "2014-05-26", ...)``, a form body), replayed call for call
from the provider's source (``alicloud/resource_alicloud_ecs_network_interface_permission.go``,
``data_source_alicloud_ecs_network_interface_permissions.go``, ``service_alicloud_ecs.go``'s
``DescribeEcsNetworkInterfacePermission`` / ``EcsNetworkInterfacePermissionStateRefreshFunc``) through
``mockecs server`` as a plain HTTP proxy, with the provider's reading of each answer:

- create: CreateNetworkInterfacePermission (AccountId, NetworkInterfaceId, Permission), the id from
  ``NetworkInterfacePermission.NetworkInterfacePermissionId``, then a wait for ``PermissionState`` ``Granted``;
- read: DescribeNetworkInterfacePermissions with ``NetworkInterfacePermissionId.1``; an empty list, or a first item
  of another id, is "gone"; ``account_id`` is ``fmt.Sprint`` of the JSON number;
- delete: DeleteNetworkInterfacePermission with ``Force`` (true unless set), no wait;
- the data source: DescribeNetworkInterfacePermissions by NetworkInterfaceId, PageSize 50, paging on while a page is
  full; ``InvalidEniId.NotFound`` ends the listing with nothing.
"""
from __future__ import annotations

from typing import Any, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, Provider, _go_sprint

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
PAGE_SIZE_LARGE = 50


def describe_permission(p: Provider, permission_id: str) -> dict:
    found = p.rpc_post("DescribeNetworkInterfacePermissions", {}, {
        "RegionId": p.region, "NetworkInterfacePermissionId.1": permission_id})[
        "NetworkInterfacePermissions"]["NetworkInterfacePermission"]
    if not found or _go_sprint(found[0]["NetworkInterfacePermissionId"]) != permission_id:
        raise Gone(permission_id)
    return found[0]


def permission_create(p: Provider, config: dict[str, Any]) -> str:
    answer = p.rpc_post("CreateNetworkInterfacePermission", {}, {
        "AccountId": config["account_id"], "NetworkInterfaceId": config["network_interface_id"],
        "Permission": config["permission"], "RegionId": p.region})
    permission_id = _go_sprint(answer["NetworkInterfacePermission"]["NetworkInterfacePermissionId"])
    for _ in range(20):  # BuildStateConf([], ["Granted"])
        try:
            if _go_sprint(describe_permission(p, permission_id)["PermissionState"]) == "Granted":
                return permission_id
        except Gone:
            pass
    pytest.fail(f"{permission_id} never Granted")


def permission_read(p: Provider, permission_id: str) -> Optional[dict]:
    try:
        item = describe_permission(p, permission_id)
    except Gone:
        return None
    return {"account_id": _go_sprint(item["AccountId"]), "network_interface_id": item["NetworkInterfaceId"],
            "permission": item["Permission"], "status": item["PermissionState"]}


def permission_delete(p: Provider, permission_id: str, force: Optional[bool] = None) -> None:
    p.rpc_post("DeleteNetworkInterfacePermission", {}, {
        "NetworkInterfacePermissionId": permission_id, "Force": True if force is None else force,
        "RegionId": p.region})


def data_permissions(p: Provider, network_interface_id: str, ids: tuple[str, ...] = (), status: str = "") -> dict:
    request: dict[str, Any] = {"NetworkInterfaceId": network_interface_id, "RegionId": p.region, "PageNumber": 1,
                               "PageSize": PAGE_SIZE_LARGE}
    objects: list[dict] = []
    answer: dict = {}
    while True:
        try:
            answer = p.rpc_post("DescribeNetworkInterfacePermissions", {}, dict(request))
        except ServerException as err:
            if err.get_error_code() == "InvalidEniId.NotFound":
                break
            raise
        result = answer["NetworkInterfacePermissions"]["NetworkInterfacePermission"]
        objects += [item for item in result
                    if (not ids or _go_sprint(item["NetworkInterfacePermissionId"]) in ids)
                    and (not status or status == item["PermissionState"])]
        if len(result) < PAGE_SIZE_LARGE:
            break
        request["PageNumber"] += 1
    return {"ids": [_go_sprint(o["NetworkInterfacePermissionId"]) for o in objects],
            "permissions": [{"account_id": _go_sprint(o["AccountId"]), "network_interface_id": o["NetworkInterfaceId"],
                             "permission": o["Permission"], "service_name": o["ServiceName"],
                             "status": o["PermissionState"]} for o in objects],
            "total_count": answer.get("TotalCount")}


def eni(p: Provider) -> str:
    vpc = p.call("CreateVpc", CidrBlock="172.16.0.0/12")["VpcId"]
    zone = p.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch = p.call("CreateVSwitch", VpcId=vpc, ZoneId=zone, CidrBlock="172.16.0.0/24")["VSwitchId"]
    group = p.call("CreateSecurityGroup", VpcId=vpc)["SecurityGroupId"]
    return p.call("CreateNetworkInterface", VSwitchId=vswitch, SecurityGroupId=group)["NetworkInterfaceId"]


def test_permission_apply_refresh_data_source_destroy(proxy):
    p = Provider(REGION)
    eni_id = eni(p)
    config = {"account_id": "1377928474811234", "network_interface_id": eni_id, "permission": "InstanceAttach"}
    permission_id = permission_create(p, config)
    assert permission_id.startswith("eni-perm-")
    assert permission_read(p, permission_id) == {**config, "status": "Granted"}
    other = permission_create(p, {**config, "account_id": "1377928474815678"})
    listed = data_permissions(p, eni_id)
    assert (listed["ids"], listed["total_count"]) == ([permission_id, other], 2)
    assert listed["permissions"][0] == {**config, "service_name": "", "status": "Granted"}
    assert data_permissions(p, eni_id, ids=(other,))["ids"] == [other]
    assert data_permissions(p, "eni-nothere")["ids"] == []  # (InvalidEniId.NotFound: nothing)
    permission_delete(p, permission_id)
    assert permission_read(p, permission_id) is None  # (a refresh after the destroy: gone)
    permission_delete(p, other, force=False)
    assert data_permissions(p, eni_id)["ids"] == []

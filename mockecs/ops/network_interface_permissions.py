"""Network interface permissions: CreateNetworkInterfacePermission, DescribeNetworkInterfacePermissions,
DeleteNetworkInterfacePermission (the records and rules: :mod:`mockecs.world.interface_permissions`)."""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.params import B, I, L, Repeat, S
from mockecs.world import interface_permissions as permissions
from mockecs.world import paging

FIELDS = ("NetworkInterfacePermissionId", "NetworkInterfaceId", "AccountId", "Permission", "PermissionState",
          "ServiceName")


@operation("CreateNetworkInterfacePermission", L("AccountId", required=True), S("NetworkInterfaceId", required=True),
           S("Permission", required=True))
def create_network_interface_permission(ctx: Context, account_id: int, network_interface_id: str,
                                        permission: str) -> dict:
    record = permissions.create(ctx, network_interface_id, account_id, permission)
    return {"NetworkInterfacePermission": {k: record[k] for k in FIELDS}}


@operation("DescribeNetworkInterfacePermissions", S("NetworkInterfaceId"),
           Repeat("NetworkInterfacePermissionId", max_items=100), paging.PAGE_NUMBER_INT32,
           I("PageSize", default=10, min=1, max=100))
def describe_network_interface_permissions(ctx: Context, network_interface_id: Optional[str],
                                           network_interface_permission_id: Optional[list[str]], page_number: int,
                                           page_size: int) -> dict:
    found = permissions.listing(ctx, network_interface_id, network_interface_permission_id)
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "NetworkInterfacePermissions": {"NetworkInterfacePermission": [
                {k: r[k] for k in FIELDS} for r in paging.by_number(found, page_number, page_size)]}}


@operation("DeleteNetworkInterfacePermission", S("NetworkInterfacePermissionId", required=True), B("Force"))
def delete_network_interface_permission(ctx: Context, network_interface_permission_id: str,
                                        force: Optional[bool]) -> dict:
    permissions.delete(ctx, network_interface_permission_id)
    return {}



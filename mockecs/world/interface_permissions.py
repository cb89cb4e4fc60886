"""Network interface permissions: an ENI's owner lets another account (an Alibaba Cloud partner, or any user) attach
the ENI to that account's instances (CreateNetworkInterfacePermission, DescribeNetworkInterfacePermissions,
DeleteNetworkInterfacePermission; Terraform's ``alicloud_ecs_network_interface_permission``).

Records (kind ``network_interface_permission``) carry the fields the listing answers plus ``_owner``, ``_region``,
``_created``, indexed by ENI (``network_interface``) and by ENI and grantee (``eni_grantee``): one permission per
pair, found without a scan, and gone with the ENI. ``PermissionState`` is ``Pending`` then ``Granted`` on the mock
clock (kind ``network_interface_permission``); a deleted permission is gone at once ([GUESS]: the service shows
``Revoking``/``Revoked`` a while). Not modelled: attaching the ENI from the other account (its instances live in
another account's world; AttachNetworkInterface stays the owner's).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.state.store import Term
from mockecs.wire.errors import error_kind
from mockecs.world import lifecycle, resources
from mockecs.world.context import Context

KIND = "network_interface_permission"
PERMISSIONS = ("InstanceAttach",)
SERVICE_NAME = ""  # (set for permissions a cloud service holds; none of mockecs's)

# The metadata documents the codes with "%s" for every message: [GUESS] the words.
ENI_NOT_FOUND = error_kind("InvalidEniId.NotFound", "The specified network interface does not exist.", 404)
NOT_FOUND = error_kind("InvalidEniPermissionId.NotFound", "The specified network interface permission does not exist.",
                       404)
EXISTS = error_kind("InvalidOperation.PermissionExisted", "The permission already exists.", 400)
BAD_PERMISSION = error_kind("InvalidParameter", "The specified Permission is not valid.", 400)
OWN_ACCOUNT = error_kind("InvalidParameter", "The specified AccountId is the owner of the network interface.", 400)
BAD_ENI_STATE = error_kind("InvalidOperation.InvalidEniState", "The network interface is not in a valid state.", 400)
NO_SCOPE = error_kind("MissingParameter", "NetworkInterfaceId or NetworkInterfacePermissionId.N is required.", 400)


def _terms(record: Mapping[str, Any]) -> list[Term]:
    return [("network_interface", record["NetworkInterfaceId"]),
            ("eni_grantee", f"{record['NetworkInterfaceId']}|{record['AccountId']}")]


resources.TERMS[KIND] = _terms
resources.ORDER[KIND] = lambda r: f"{resources.time_key(r['_created'])} {r['NetworkInterfacePermissionId']}"


def create(ctx: Context, network_interface_id: str, account_id: int, permission: str) -> dict:
    eni = resources.get(ctx, "network_interface", network_interface_id)
    if not resources.is_mine(ctx, eni):
        raise ENI_NOT_FOUND
    if permission not in PERMISSIONS:
        raise BAD_PERMISSION
    if str(account_id) == ctx.account:
        raise OWN_ACCOUNT
    if eni["Type"] == "Primary":  # ([GUESS] an instance's own primary ENI cannot go to another account)
        raise BAD_ENI_STATE
    if ctx.txn.count(KIND, ("eni_grantee", f"{network_interface_id}|{account_id}")):
        raise EXISTS
    permission_id = resources.new_id(KIND, ctx.region)
    record = {"NetworkInterfacePermissionId": permission_id, "NetworkInterfaceId": network_interface_id,
              "AccountId": account_id, "Permission": permission, "PermissionState": "Pending",
              "ServiceName": SERVICE_NAME, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now}
    return resources.put(ctx.txn, KIND, lifecycle.start(ctx, KIND, permission_id, record,
                                                        done={"PermissionState": "Granted"}))


def listing(ctx: Context, network_interface_id: Optional[str], permission_ids: Optional[list[str]]) -> list[dict]:
    if not network_interface_id and not permission_ids:
        raise NO_SCOPE
    if network_interface_id and not resources.is_mine(ctx, resources.get(ctx, "network_interface",
                                                                         network_interface_id)):
        raise ENI_NOT_FOUND  # ([GUESS] the documented code, as Terraform's data source expects it)
    found = [r for r in resources.mine_among(ctx, KIND, permission_ids,
                                             ("network_interface", network_interface_id or ""))
             if not network_interface_id or r["NetworkInterfaceId"] == network_interface_id]
    return sorted(found, key=resources.ORDER[KIND])


def delete(ctx: Context, permission_id: str) -> None:
    resources.owned(ctx, KIND, permission_id, NOT_FOUND)
    resources.delete(ctx.txn, KIND, permission_id)


def released_with(ctx: Context, network_interface_id: str) -> None:
    """A deleted ENI's permissions go with it."""
    for permission_id in sorted(ctx.txn.ids(KIND, ("network_interface", network_interface_id))):
        resources.delete(ctx.txn, KIND, permission_id)

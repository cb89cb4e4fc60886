"""JoinResourceGroup: move a resource into another resource group (see :mod:`mockecs.world.resource_groups`)."""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.ops.tags import KINDS
from mockecs.wire.errors import error_kind
from mockecs.wire.params import S
from mockecs.world import resource_groups, resources

JOIN_TYPES = ("instance", "disk", "snapshot", "image", "securitygroup", "ddh", "ddhcluster", "eni", "keypair")
TYPE_NOT_FOUND = error_kind("InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.",
                            404)
RESOURCE_NOT_FOUND = error_kind("InvalidResourceId.NotFound", "The ResourceId provided does not exist in our records.",
                                404)
MISSING_RESOURCE_ID = ("MissingParameter", 'The input parameter "ResourceId" that is mandatory for processing '
                       "this request is not supplied.", 403)


# The metadata marks none of the parameters required; ResourceId documents its own 403 MissingParameter.
@operation("JoinResourceGroup", S("ResourceType"), S("ResourceId", required=True, missing=MISSING_RESOURCE_ID),
           S("ResourceGroupId"))
def join_resource_group(ctx: Context, resource_type: Optional[str], resource_id: str,
                        resource_group_id: Optional[str]) -> dict:
    name = (resource_type or "").strip().lower()
    if name not in JOIN_TYPES:
        raise TYPE_NOT_FOUND
    if not resource_group_id or not resource_groups.exists(ctx, resource_group_id):
        raise resource_groups.NOT_FOUND
    kind = KINDS.get(name)
    record = resources.get(ctx, kind, resource_id) if kind else None
    if record is None or record.get("_owner") != ctx.account or record.get("_region") != ctx.region:
        raise RESOURCE_NOT_FOUND
    if record.get("ResourceGroupId") != resource_group_id:  # joining the group it is in changes nothing
        resources.put(ctx.txn, kind, {**record, "ResourceGroupId": resource_group_id})
    return {}

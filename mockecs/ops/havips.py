"""HaVips on ECS's API (2014-05-26; deprecated there in favour of the VPC API's, :mod:`mockecs.ops.vpc_havips`):
CreateHaVip, DescribeHaVips, ModifyHaVipAttribute, AssociateHaVip, UnassociateHaVip, DeleteHaVip. One world with the
VPC API's (:mod:`mockecs.world.havips`); ECS answers the fields of its own response model (no Name, tags, resource
group or associated type)."""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.params import B, I, Repeat, S, Structs
from mockecs.world import havips, paging

PAGE = (paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))
# (required by the metadata for ECS; the VPC API's is optional)
FILTER = Structs("Filter", [S("Key"), Repeat("Value", max_items=10)], max_items=6, name="filters", required=True)
# InvalidRegionId.NotFound in each operation's documented words
REGION = ("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records.")
CREATE_REGION = ("InvalidRegionId.NotFound", 404, 'Specified value of "regionId" is not supported.')


@operation("CreateHaVip", S("VSwitchId", required=True), S("IpAddress"), S("Description"), idempotent=True,
           region_error=CREATE_REGION)
def create_ha_vip(ctx: Context, v_switch_id: str, ip_address: Optional[str], description: Optional[str]) -> dict:
    return {"HaVipId": havips.create(ctx, v_switch_id, ip_address, description)["HaVipId"]}


@operation("DescribeHaVips", FILTER, *PAGE, region_error=REGION)
def describe_ha_vips(ctx: Context, filters: list[dict], page_number: int, page_size: int) -> dict:
    found = havips.listing(ctx, filters)
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "HaVips": {"HaVip": [{k: v for k, v in havips.view(ctx, r).items() if k in havips.ECS_FIELDS}
                                 for r in paging.by_number(found, page_number, page_size)]}}


@operation("ModifyHaVipAttribute", S("HaVipId", required=True), S("Description"), idempotent=True, region_error=REGION)
def modify_ha_vip_attribute(ctx: Context, ha_vip_id: str, description: Optional[str]) -> dict:
    havips.modify(ctx, ha_vip_id, description)
    return {}


@operation("AssociateHaVip", S("HaVipId", required=True), S("InstanceId", required=True), idempotent=True,
           region_error=REGION)
def associate_ha_vip(ctx: Context, ha_vip_id: str, instance_id: str) -> dict:
    havips.associate(ctx, ha_vip_id, instance_id, None)
    return {}


@operation("UnassociateHaVip", S("HaVipId", required=True), S("InstanceId", required=True), B("Force"),
           idempotent=True, region_error=REGION)
def unassociate_ha_vip(ctx: Context, ha_vip_id: str, instance_id: str, force: Optional[bool]) -> dict:
    havips.unassociate(ctx, ha_vip_id, instance_id, None, force)
    return {}


@operation("DeleteHaVip", S("HaVipId", required=True), idempotent=True, region_error=REGION)
def delete_ha_vip(ctx: Context, ha_vip_id: str) -> dict:
    havips.delete(ctx, ha_vip_id)
    return {}

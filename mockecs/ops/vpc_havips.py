"""HaVips on the VPC product's API (2016-04-28), as Terraform's ``alicloud_havip`` and ``alicloud_havip_attachment``
call them: CreateHaVip, DescribeHaVips, ModifyHaVipAttribute, AssociateHaVip, UnassociateHaVip, DeleteHaVip. The
records and rules are ECS's own (:mod:`mockecs.world.havips`, :mod:`mockecs.ops.havips`); this API answers more of
each (Name, tags, resource group, the associated type) and takes ENIs (InstanceType ``NetworkInterface``). Names
and types: the VPC SDK's models; codes: the VPC documentation's, the same as ECS's metadata."""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.params import TAGS, B, I, Repeat, S, Structs
from mockecs.world import havips, paging

PAGE = (paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))


@operation("CreateHaVip", S("VSwitchId", required=True), S("IpAddress"), S("Description"), S("Name"),
           S("ResourceGroupId"), TAGS, idempotent=True, api=VPC)
def create_ha_vip(ctx: Context, v_switch_id: str, ip_address: Optional[str], description: Optional[str],
                  name: Optional[str], resource_group_id: Optional[str], tag: Optional[list[dict]]) -> dict:
    record = havips.create(ctx, v_switch_id, ip_address, description, name, tag, resource_group_id)
    return {"HaVipId": record["HaVipId"], "IpAddress": record["IpAddress"]}


@operation("DescribeHaVips", Structs("Filter", [S("Key"), Repeat("Value", max_items=5)], max_items=5,
                                     name="filters"),
           S("ResourceGroupId"), Structs("Tags", [S("Key"), S("Value")], max_items=20), *PAGE, api=VPC)
def describe_ha_vips(ctx: Context, filters: Optional[list[dict]], resource_group_id: Optional[str],
                     tags: Optional[list[dict]], page_number: int, page_size: int) -> dict:
    page, total = paging.by_creation(ctx, havips.KIND, not (filters or tags or resource_group_id),
                                     lambda: havips.listing(ctx, filters, tags, resource_group_id), page_number,
                                     page_size)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "HaVips": {"HaVip": [havips.view(ctx, r) for r in page]}}


@operation("ModifyHaVipAttribute", S("HaVipId", required=True), S("Description"), S("Name"), idempotent=True,
           api=VPC)
def modify_ha_vip_attribute(ctx: Context, ha_vip_id: str, description: Optional[str], name: Optional[str]) -> dict:
    havips.modify(ctx, ha_vip_id, description, name)
    return {}


@operation("AssociateHaVip", S("HaVipId", required=True), S("InstanceId", required=True), S("InstanceType"),
           idempotent=True, api=VPC)
def associate_ha_vip(ctx: Context, ha_vip_id: str, instance_id: str, instance_type: Optional[str]) -> dict:
    havips.associate(ctx, ha_vip_id, instance_id, instance_type)
    return {}


@operation("UnassociateHaVip", S("HaVipId", required=True), S("InstanceId", required=True), S("InstanceType"),
           B("Force"), idempotent=True, api=VPC)
def unassociate_ha_vip(ctx: Context, ha_vip_id: str, instance_id: str, instance_type: Optional[str],
                       force: Optional[bool]) -> dict:
    havips.unassociate(ctx, ha_vip_id, instance_id, instance_type, force)
    return {}


@operation("DeleteHaVip", S("HaVipId", required=True), idempotent=True, api=VPC)
def delete_ha_vip(ctx: Context, ha_vip_id: str) -> dict:
    havips.delete(ctx, ha_vip_id)
    return {}

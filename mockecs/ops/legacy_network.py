"""ECS's remaining classic-era network operations (2014-05-26), on the records the rest of mockecs keeps:

- the VPC's router: DescribeVRouters, ModifyVRouterAttribute (the router of each VPC record, as the VPC API's own
  operations of those names answer it: :mod:`mockecs.world.routes`);
- ClassicLink: AttachClassicLinkVpc, DetachClassicLinkVpc, DescribeClassicLinkInstances (classic instances linked
  to a VPC whose ClassicLink the VPC API's EnableVpcClassicLink switched on: :mod:`mockecs.world.classic_links`);
- DescribeClusters (classic-network clusters: none exist in a VPC-era account, an empty list);
- DescribeUserBusinessBehavior / ModifyUserBusinessBehavior (an account-level key/value setting, kept per account).
"""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import error_kind
from mockecs.wire.params import I, S
from mockecs.world import classic_links, paging, resources, routes

MISSING = ("MissingParameter", "Miss mandatory parameter.", 400)
NO_KEY = ("InvalidParams", "The statusKey is mandatory.", 403)  # [GUESS] the words ("%s" documented)
BAD_KEY = error_kind("InvalidParams", "The statusKey is too long.", 403)  # [GUESS] more than 128 characters
BEHAVIOR = "business_behavior"
# InvalidRegionId.NotFound in each operation's documented words
REGION = ("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records.")
LINK_REGION = ("InvalidRegionId.NotFound", 403, "The RegionId provided does not exist in our records.")
LINKS_REGION = ("InvalidRegionId.NotFound", 404, "The specified region does not exist.")


# -- the VPC's router -------------------------------------------------------------------------------------------
@operation("DescribeVRouters", S("VRouterId"), paging.PAGE_NUMBER_INT32, I("PageSize", default=10, min=1, max=50))
def describe_vrouters(ctx: Context, v_router_id: Optional[str], page_number: int, page_size: int) -> dict:
    found = routes.vrouters(ctx, v_router_id)
    return {"TotalCount": len(found), "PageNumber": page_number, "PageSize": page_size,
            "VRouters": {"VRouter": [routes.vrouter_view(ctx, r)
                                     for r in paging.by_number(found, page_number, page_size)]}}


@operation("ModifyVRouterAttribute", S("VRouterId", required=True, missing=MISSING), S("VRouterName"),
           S("Description"), region="optional")
def modify_vrouter_attribute(ctx: Context, v_router_id: str, v_router_name: Optional[str],
                             description: Optional[str]) -> dict:
    routes.modify_vrouter(ctx, v_router_id, v_router_name, description)
    return {}


# -- ClassicLink -------------------------------------------------------------------------------------------------
@operation("AttachClassicLinkVpc", S("InstanceId", required=True), S("VpcId", required=True), region_error=LINK_REGION)
def attach_classic_link_vpc(ctx: Context, instance_id: str, vpc_id: str) -> dict:
    classic_links.attach(ctx, instance_id, vpc_id)
    return {}


@operation("DetachClassicLinkVpc", S("InstanceId", required=True), S("VpcId", required=True), region_error=LINK_REGION)
def detach_classic_link_vpc(ctx: Context, instance_id: str, vpc_id: str) -> dict:
    classic_links.detach(ctx, instance_id, vpc_id)
    return {}


@operation("DescribeClassicLinkInstances", S("VpcId"), S("InstanceId"), S("PageNumber"), S("PageSize"),
           region_error=LINKS_REGION)
def describe_classic_link_instances(ctx: Context, vpc_id: Optional[str], instance_id: Optional[str],
                                    page_number: Optional[str], page_size: Optional[str]) -> dict:
    found, number, size = classic_links.listing(ctx, vpc_id, instance_id, page_number, page_size)
    return {"TotalCount": len(found), "PageNumber": number, "PageSize": size,
            "Links": {"Link": [{"InstanceId": r["InstanceId"], "VpcId": r["VpcId"]}
                               for r in paging.by_number(found, number, size)]}}


def _vpc_switch(ctx: Context, vpc_id: str, on: bool) -> dict:
    classic_links.switch(ctx, resources.owned(ctx, "vpc", vpc_id, VPC_NOT_FOUND), on)
    return {}


# The VPC API's words for a VPC that is not the caller's ([GUESS]: its DescribeVpcAttribute's).
VPC_NOT_FOUND = error_kind("InvalidVpcId.NotFound", "Specified value of VpcId is not found in our record.", 404)


@operation("EnableVpcClassicLink", S("VpcId", required=True, missing=MISSING), idempotent=True, api=VPC)
def enable_vpc_classic_link(ctx: Context, vpc_id: str) -> dict:
    return _vpc_switch(ctx, vpc_id, True)


@operation("DisableVpcClassicLink", S("VpcId", required=True, missing=MISSING), idempotent=True, api=VPC)
def disable_vpc_classic_link(ctx: Context, vpc_id: str) -> dict:
    return _vpc_switch(ctx, vpc_id, False)


# -- DescribeClusters ------------------------------------------------------------------------------------------
@operation("DescribeClusters")
def describe_clusters(ctx: Context) -> dict:
    return {"Clusters": {"Cluster": []}}  # (classic-network clusters: none in mockecs's VPC-era accounts)


# -- user business behaviour: an account-level key/value setting ----------------------------------------------------
def _behavior_id(ctx: Context, key: str) -> str:
    if len(key) > 128:
        raise BAD_KEY
    return f"{ctx.account}|{key}"


@operation("DescribeUserBusinessBehavior", S("statusKey", required=True, missing=NO_KEY), region="optional")
def describe_user_business_behavior(ctx: Context, status_key: str) -> dict:
    record = ctx.txn.get(BEHAVIOR, _behavior_id(ctx, status_key))
    return {"StatusValue": record["StatusValue"] if record else ""}  # ([GUESS] a key never set: empty)


@operation("ModifyUserBusinessBehavior", S("statusKey", required=True, missing=NO_KEY),
           S("statusValue", required=True, missing=NO_KEY), region="optional")
def modify_user_business_behavior(ctx: Context, status_key: str, status_value: str) -> dict:
    resources.put(ctx.txn, BEHAVIOR, {"_id": _behavior_id(ctx, status_key), "StatusKey": status_key,
                                      "StatusValue": status_value, "_owner": ctx.account, "_region": ""})
    return {}


# -- the EIP order flow's callbacks (EipFillParams, EipFillProduct, EipNotifyPaid) --------------------------------
# Deprecated, in neither SDK, named by the metadata with one required ``data`` string and an answer of its own
# lower-case fields (code, success, message, data, requestId). [GUESS] what they do: the order system's hooks while
# an EIP is bought; mockecs buys nothing, so each accepts the order data and answers it back as done.
def _order_callback(action: str) -> None:
    @operation(action, S("data", required=True), S("ClientToken"), S("UserCidr"), region="optional",
               stateless=True, region_error=REGION)
    def handler(ctx: Context, data: str, user_cidr: Optional[str]) -> dict:
        return {"requestId": ctx.request_id, "code": "200", "success": True, "message": "successful", "data": data}


for _action in ("EipFillParams", "EipFillProduct", "EipNotifyPaid"):
    _order_callback(_action)

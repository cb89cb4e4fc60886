"""ClassicLink: a classic-network instance linked to a VPC whose ClassicLink is enabled, so it reaches the VPC's
resources privately (ECS's AttachClassicLinkVpc, DetachClassicLinkVpc, DescribeClassicLinkInstances; the VPC API's
EnableVpcClassicLink / DisableVpcClassicLink switch the VPC).

Records (kind ``classic_link``, id ``instance|vpc``) hold ``InstanceId`` and ``VpcId`` plus ``_owner``, ``_region``,
``_created``, indexed by instance and by VPC; a VPC's switch is ``_classic_link`` on its record. An instance links to
one VPC at a time ([GUESS], as the console shows); a link goes with its instance. Nothing is routed.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.wire.errors import error_kind
from mockecs.wire.params import whole_number
from mockecs.world import resources
from mockecs.world.context import Context

KIND = "classic_link"
resources.TERMS[KIND] = lambda r: [("instance", r["InstanceId"]), ("vpc", r["VpcId"])]
resources.ORDER[KIND] = lambda r: f"{resources.time_key(r['_created'])} {r['_id']}"
MAX_IDS = 100
# [GUESS] links per VPC (the documentation's "link quota" names no figure).
MAX_PER_VPC = 1000

# -- errors: ECS's metadata (all 403 there).
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The InstanceId provided does not exist in our records.",
                                403)
VPC_MALFORMED = error_kind("InvalidVpcId.Malformed", "The specified parameter ?VpcId? is not valid.", 403)
NOT_CLASSIC = error_kind("InvalidInstanceId.MalFormed", "The specified instance is not a classic network instance.",
                         403)
ATTACH_DENIED = error_kind("OperationDenied", "The instance does not allow link to vpc.", 403)
DETACH_DENIED = error_kind("OperationDenied", "The instances are not allowed to detach from the linked vpc.", 403)
NEITHER = error_kind("InvalidParameter.InvalidInstanceIdAndVpcId",
                     "The parameter InstanceId and VpcId are not allowed to be empty at the same time.", 403)
INSTANCE_STATUS = error_kind("InvalidStatus.InstanceStatus", "The specified instance status is not support this "
                             "operation ,expect status is running or shutted.", 403)
QUOTA = error_kind("QuotaExceeded", "The link quota exceeded in this vpc.", 403)
NOT_LINKED = error_kind("InvalidOperation.InvalidVpc", "The specified instance not link specify vpc.", 403)
TOO_MANY = error_kind("InvalidParameter.ToManyInstanceIds", "No more than 100 InstanceIds can be specified.", 403)
BAD_PAGE_NUMBER = error_kind("InvalidParameter.PageNumber", "The parameter pageNumber is invalid.", 403)
BAD_PAGE_SIZE = error_kind("InvalidParameter.PageSize", "The parameter pageSize is invalid.", 403)
VPC_NOT_YOURS = error_kind("InvalidVpc.NotBelong", "The specified vpc is not belong to you.", 403)
# EnableVpcClassicLink / DisableVpcClassicLink of the VPC API: [GUESS] a VPC still holding links cannot switch off.
STILL_LINKED = error_kind("DependencyViolation.ClassicLink", "The VPC still has classic network instances linked.",
                          400)


def enabled(vpc: Mapping[str, Any]) -> bool:
    return bool(vpc.get("_classic_link"))


def _instance(ctx: Context, instance_id: str) -> dict:
    instance = resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)
    if (instance.get("InstanceNetworkType") or "vpc") != "classic":
        raise NOT_CLASSIC
    if instance["Status"] not in ("Running", "Stopped"):
        raise INSTANCE_STATUS
    return instance


def attach(ctx: Context, instance_id: str, vpc_id: str) -> None:
    _instance(ctx, instance_id)
    vpc = resources.owned(ctx, "vpc", vpc_id, VPC_MALFORMED)
    link_id = f"{instance_id}|{vpc_id}"
    if not enabled(vpc) or any(i != link_id for i in ctx.txn.ids(KIND, ("instance", instance_id))):
        raise ATTACH_DENIED  # (ClassicLink off, or linked to another VPC)
    if ctx.txn.get(KIND, link_id) is not None:
        return  # ([GUESS] linked already: nothing to do)
    if ctx.txn.count(KIND, ("vpc", vpc_id)) >= MAX_PER_VPC:
        raise QUOTA
    resources.put(ctx.txn, KIND, {"_id": link_id, "InstanceId": instance_id, "VpcId": vpc_id,
                                  "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})


def detach(ctx: Context, instance_id: str, vpc_id: str) -> None:
    _instance(ctx, instance_id)
    link_id = f"{instance_id}|{vpc_id}"
    if not resources.is_mine(ctx, ctx.txn.get(KIND, link_id)):
        raise NOT_LINKED
    resources.delete(ctx.txn, KIND, link_id)


def _page_arg(text: Optional[str], default: int, high: int, bad: type) -> int:
    if text in (None, ""):
        return default
    number = whole_number(text, 1, high)  # (None for '²', which isdigit() takes, or a thousand digits)
    if number is None:
        raise bad
    return number


def listing(ctx: Context, vpc_id: Optional[str], instance_ids: Optional[str], page_number: Optional[str],
            page_size: Optional[str]) -> tuple[list[dict], int, int]:
    """DescribeClassicLinkInstances: (the links asked for, oldest first; page number; page size)."""
    ids = [i.strip() for i in (instance_ids or "").split(",") if i.strip()]
    if not ids and not vpc_id:
        raise NEITHER
    if len(ids) > MAX_IDS:
        raise TOO_MANY
    number = _page_arg(page_number, 1, 2**31 - 1, BAD_PAGE_NUMBER)
    size = _page_arg(page_size, 10, 100, BAD_PAGE_SIZE)
    if vpc_id:
        vpc = resources.get(ctx, "vpc", vpc_id)
        if vpc is not None and vpc["_owner"] != ctx.account:
            raise VPC_NOT_YOURS
    if ids:
        found = [r for i in ids for r in resources.mine_among(ctx, KIND, None, ("instance", i))]
    else:
        found = list(resources.mine_among(ctx, KIND, None, ("vpc", vpc_id)))
    found = [r for r in found if not vpc_id or r["VpcId"] == vpc_id]
    return sorted(found, key=resources.ORDER[KIND]), number, size


def switch(ctx: Context, vpc: dict, on: bool) -> None:
    """EnableVpcClassicLink / DisableVpcClassicLink of the VPC API."""
    if not on and ctx.txn.count(KIND, ("vpc", vpc["VpcId"])):
        raise STILL_LINKED
    resources.put(ctx.txn, "vpc", {**vpc, "_classic_link": on})


def released_with(ctx: Context, instance_id: str) -> None:
    for link_id in sorted(ctx.txn.ids(KIND, ("instance", instance_id))):
        resources.delete(ctx.txn, KIND, link_id)

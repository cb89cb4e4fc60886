"""HPC clusters: CreateHpcCluster, DescribeHpcClusters, ModifyHpcClusterAttribute, DeleteHpcCluster (Terraform's
``alicloud_ecs_hpc_cluster``). Instances join one at launch (``HpcClusterId``, see
:func:`mockecs.world.deployment_sets.hpc_fields`) and show it in DescribeInstances; a cluster holding instances is
not deleted. Each operation documents its own codes, none shared.
"""
from __future__ import annotations

import re
from typing import Optional

from mockecs.ops.instances import instance_id_list
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import S
from mockecs.world import deployment_sets, paging, resources
from mockecs.world.deployment_sets import HPC

# 2-128 characters, a letter (or a CJK ideograph) first, then letters, digits, ".", "_", "-" (documented)
_NAME = re.compile(r"^[^\W\d_][\w.\-]{1,127}$")
_REGION = {"region_error": ("InvalidRegionId.NotFound", 400, 'The specified parameter "RegionId" is not valid.')}
BAD_NAME = error_kind("InvalidHpcClusterName.Malformed", "Specified hpc cluster name is not valid.")
BAD_DESCRIPTION = error_kind("InvalidHpcClusterDescription.Malformed",
                             "The specified parameter Description is not valid.")
IDS_MALFORMED = error_kind("InvalidHpcClusterIds.Malformed",
                           "The amount of specified specified hpc cluster ids is invalid.")
TOO_MANY_IDS = error_kind("InvalidHpcClusterIds.ExceedLimit",
                          "The amount of specified specified hpc cluster ids exceeds the limit.")
NOTHING_TO_MODIFY = error_kind("InvalidModifyInfo",
                               "Modify info is invalid, name/description must not null at the same time.")
MODIFY_NOT_FOUND = error_kind("HpcClusterNotExists", "The specified hpc cluster does not exist.")
DELETE_NOT_FOUND = error_kind("NotExists.HpcCluster", "The specified hpc cluster does not exist.")
NOT_EMPTY = error_kind("NotEmpty.HpcCluster", "The specified hpc cluster is not empty, still contains instances.")


def _check(name: Optional[str], description: Optional[str]) -> None:
    if name is not None and not deployment_sets.valid_name(name, _NAME):
        raise BAD_NAME
    if description and (not 2 <= len(description) <= 256 or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION


def _view(record: dict) -> dict:
    return {"HpcClusterId": record["HpcClusterId"], "Name": record["Name"], "Description": record["Description"]}


@operation("CreateHpcCluster", S("Name", required=True), S("Description"), idempotent=True, **_REGION)
def create_hpc_cluster(ctx: Context, name: str, description: Optional[str]) -> dict:
    _check(name, description)
    cluster_id = resources.new_id(HPC, ctx.region)
    resources.put(ctx.txn, HPC, {"HpcClusterId": cluster_id, "Name": name, "Description": description or "",
                                 "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    return {"HpcClusterId": cluster_id}


@operation("DescribeHpcClusters", S("ClientToken"), S("HpcClusterIds"), paging.PAGE_NUMBER, paging.PAGE_SIZE,
           **_REGION)
def describe_hpc_clusters(ctx: Context, hpc_cluster_ids: Optional[str], page_number: int, page_size: int) -> dict:
    """Clusters in creation order [GUESS]; an id naming no cluster of the caller here is left out [GUESS: the
    metadata documents no not-found code for this read]. (Its ClientToken makes no difference to a read.)"""
    ids = instance_id_list(hpc_cluster_ids, IDS_MALFORMED, TOO_MANY_IDS, 100)
    if not ids:
        page, meta = paging.ordered_page(ctx, HPC, resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        total = meta["TotalCount"]
    else:
        found = sorted(resources.mine_among(ctx, HPC, ids), key=lambda r: (r["_created"], r["HpcClusterId"]))
        page, total = paging.by_number(found, page_number, page_size), len(found)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "HpcClusters": {"HpcCluster": [_view(r) for r in page]}}


@operation("ModifyHpcClusterAttribute", S("HpcClusterId", required=True), S("Name"), S("Description"),
           idempotent=True, **_REGION)
def modify_hpc_cluster_attribute(ctx: Context, hpc_cluster_id: str, name: Optional[str],
                                 description: Optional[str]) -> dict:
    if name is None and description is None:
        raise NOTHING_TO_MODIFY
    _check(name, description)
    record = resources.owned(ctx, HPC, hpc_cluster_id, MODIFY_NOT_FOUND)
    changed = {k: v for k, v in (("Name", name), ("Description", description)) if v is not None}
    resources.put(ctx.txn, HPC, {**record, **changed})
    return {}


_MISSING = "The input parameter {} that is mandatory for processing this request is not supplied."


@operation("DeleteHpcCluster",
           S("HpcClusterId", required=True, missing=("MissingParameter.HpcClusterId", _MISSING.format("HpcClusterId"),
                                                      400)),
           idempotent=True, region_missing=("MissingParameter.RegionId", _MISSING.format("RegionId"), 400), **_REGION)
def delete_hpc_cluster(ctx: Context, hpc_cluster_id: str) -> dict:
    deployment_sets.delete_empty(ctx, HPC, hpc_cluster_id, DELETE_NOT_FOUND, NOT_EMPTY)
    return {}

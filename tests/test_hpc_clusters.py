"""HPC clusters (CreateHpcCluster, DescribeHpcClusters, ModifyHpcClusterAttribute, DeleteHpcCluster) through both
SDKs, JSON and XML, and async: wire fields, each operation's own codes, RunInstances' HpcClusterId (only for the
families that take one) shown and filtered in DescribeInstances (Terraform's replay is in
tests/test_terraform_deployment_sets.py)."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.CreateHpcClusterRequest import CreateHpcClusterRequest
from aliyunsdkecs.request.v20140526.DeleteHpcClusterRequest import DeleteHpcClusterRequest
from aliyunsdkecs.request.v20140526.DescribeHpcClustersRequest import DescribeHpcClustersRequest
from aliyunsdkecs.request.v20140526.ModifyHpcClusterAttributeRequest import ModifyHpcClusterAttributeRequest

from tests.sdk import error_of, legacy_call, legacy_xml
from tests.spec import response_problems
from tests.test_instances import REGION, assert_documented, describe, old_error, run


def create(client, name: str = "mpi-cluster", region: str = REGION, **kw) -> str:
    return client.create_hpc_cluster(models.CreateHpcClusterRequest(region_id=region, name=name, **kw)).body \
        .hpc_cluster_id


def clusters(client, region: str = REGION, **kw) -> dict:
    body = client.describe_hpc_clusters(models.DescribeHpcClustersRequest(region_id=region, **kw)).body.to_map()
    assert response_problems("DescribeHpcClusters", body) == []
    return body


def listed(client, **kw) -> list[dict]:
    return clusters(client, **kw)["HpcClusters"]["HpcCluster"]


def test_cluster_life_and_wire_fields(client):
    cluster_id = create(client, description="weather model runs", client_token="create-once")
    assert cluster_id.startswith("hpc-bp1") and len(cluster_id) == 24
    assert create(client, description="weather model runs", client_token="create-once") == cluster_id  # idempotent
    assert listed(client) == [{"HpcClusterId": cluster_id, "Name": "mpi-cluster",
                               "Description": "weather model runs"}]
    client.modify_hpc_cluster_attribute(models.ModifyHpcClusterAttributeRequest(
        region_id=REGION, hpc_cluster_id=cluster_id, name="mpi.cluster_2"))
    assert listed(client, hpc_cluster_ids=json.dumps([cluster_id]))[0]["Name"] == "mpi.cluster_2"
    client.modify_hpc_cluster_attribute(models.ModifyHpcClusterAttributeRequest(
        region_id=REGION, hpc_cluster_id=cluster_id, description="nightly"))
    assert listed(client)[0] == {"HpcClusterId": cluster_id, "Name": "mpi.cluster_2", "Description": "nightly"}
    client.delete_hpc_cluster(models.DeleteHpcClusterRequest(region_id=REGION, hpc_cluster_id=cluster_id))
    body = clusters(client)
    assert (body["TotalCount"], body["HpcClusters"]["HpcCluster"], body["PageNumber"], body["PageSize"]) == \
        (0, [], 1, 10)
    err = error_of(client.delete_hpc_cluster, models.DeleteHpcClusterRequest(region_id=REGION,
                                                                             hpc_cluster_id=cluster_id))
    assert err.code == "NotExists.HpcCluster"
    assert_documented("DeleteHpcCluster", err)


def test_describe_ids_paging_and_async(client):
    made = [create(client, f"cluster-{n}") for n in range(3)]
    page = clusters(client, page_size=2, page_number=2)
    assert page["TotalCount"] == 3 and [c["HpcClusterId"] for c in page["HpcClusters"]["HpcCluster"]] == made[2:]
    # an id naming no cluster is left out
    chosen = listed(client, hpc_cluster_ids=json.dumps([made[2], made[0], "hpc-bp1nosuchcluster000000"]))
    assert [c["HpcClusterId"] for c in chosen] == [made[0], made[2]]
    assert clusters(client, region="cn-beijing")["TotalCount"] == 0
    for ids, code in ((json.dumps([f"hpc-{n}" for n in range(101)]), "InvalidHpcClusterIds.ExceedLimit"),
                      ('["hpc-1", ', "InvalidHpcClusterIds.Malformed")):
        err = error_of(client.describe_hpc_clusters, models.DescribeHpcClustersRequest(region_id=REGION,
                                                                                       hpc_cluster_ids=ids))
        assert err.code == code
        assert_documented("DescribeHpcClusters", err)

    async def flow() -> list[str]:
        answer = await client.describe_hpc_clusters_async(models.DescribeHpcClustersRequest(
            region_id=REGION, hpc_cluster_ids=json.dumps(made[1:2])))
        return [c.hpc_cluster_id for c in answer.body.hpc_clusters.hpc_cluster]

    assert asyncio.run(flow()) == made[1:2]


@pytest.mark.parametrize("action, kw, code", [
    ("create", {"name": "9lives"}, "InvalidHpcClusterName.Malformed"),
    ("create", {"name": "colons:not:here"}, "InvalidHpcClusterName.Malformed"),
    ("create", {"name": "ok-name", "description": "x"}, "InvalidHpcClusterDescription.Malformed"),
    ("create", {"name": "ok-name", "region_id": "xx-nowhere-1"}, "InvalidRegionId.NotFound"),
    ("modify", {}, "InvalidModifyInfo"),
    ("modify", {"name": "https://x"}, "InvalidHpcClusterName.Malformed"),
    ("modify", {"description": "http://description"}, "InvalidHpcClusterDescription.Malformed"),
    ("modify", {"hpc_cluster_id": "hpc-bp1nosuchcluster000000", "name": "fine"}, "HpcClusterNotExists"),
    ("delete", {"hpc_cluster_id": None}, "MissingParameter.HpcClusterId"),
    ("delete", {"region_id": None}, "MissingParameter.RegionId"),
])
def test_refusals(client, action, kw, code):
    cluster_id = create(client)
    if action == "create":
        call, request = client.create_hpc_cluster, models.CreateHpcClusterRequest(**{"region_id": REGION, **kw})
    elif action == "modify":
        call, request = client.modify_hpc_cluster_attribute, models.ModifyHpcClusterAttributeRequest(
            **{"region_id": REGION, "hpc_cluster_id": cluster_id, **kw})
    else:
        call, request = client.delete_hpc_cluster, models.DeleteHpcClusterRequest(
            **{"region_id": REGION, "hpc_cluster_id": cluster_id, **kw})
    err = error_of(call, request)
    assert err.code == code
    assert_documented({"create": "CreateHpcCluster", "modify": "ModifyHpcClusterAttribute",
                       "delete": "DeleteHpcCluster"}[action], err)
    assert listed(client) == [{"HpcClusterId": cluster_id, "Name": "mpi-cluster", "Description": ""}]


def test_instances_in_a_cluster(client, engine):
    cluster_id = create(client)
    err = error_of(run, client, hpc_cluster_id=cluster_id)  # ecs.g7 takes none by default (SCC families do)
    assert err.code == "InvalidHpcClusterId.Unnecessary"
    assert_documented("RunInstances", err)
    engine.config.options["hpc_cluster_families"] = "ecs.g7, ecs.c7"
    err = error_of(run, client, hpc_cluster_id="hpc-bp1nosuchcluster000000")
    assert err.code == "InvalidHpcClusterId.NotFound"
    assert_documented("RunInstances", err)
    inside = run(client, amount=2, hpc_cluster_id=cluster_id)
    outside = run(client)[0]
    assert [describe(client, i)["HpcClusterId"] for i in (*inside, outside)] == [cluster_id, cluster_id, ""]
    created = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.c7.large",
        hpc_cluster_id=cluster_id)).body.instance_id
    by_cluster = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION,
                                                                           hpc_cluster_id=cluster_id)).body
    assert by_cluster.total_count == 3 and [i.instance_id for i in by_cluster.instances.instance] == \
        [*inside, created]
    err = error_of(client.describe_instances, models.DescribeInstancesRequest(
        region_id=REGION, hpc_cluster_id="hpc-bp1nosuchcluster000000"))
    assert err.code == "InvalidHpcClusterId.NotFound"
    assert_documented("DescribeInstances", err)
    err = error_of(client.delete_hpc_cluster, models.DeleteHpcClusterRequest(region_id=REGION,
                                                                             hpc_cluster_id=cluster_id))
    assert err.code == "NotEmpty.HpcCluster"
    assert_documented("DeleteHpcCluster", err)
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=[*inside, created],
                                                          force=True))
    client.delete_hpc_cluster(models.DeleteHpcClusterRequest(region_id=REGION, hpc_cluster_id=cluster_id))
    assert clusters(client)["TotalCount"] == 0


def test_old_sdk_and_xml(legacy, client):
    request = CreateHpcClusterRequest()
    request.set_Name("legacy-hpc")
    request.set_Description("from the old SDK")
    cluster_id = legacy_call(legacy, request)["HpcClusterId"]
    modify = ModifyHpcClusterAttributeRequest()
    modify.set_HpcClusterId(cluster_id)
    modify.set_Name("renamed")
    legacy_call(legacy, modify)
    listing = DescribeHpcClustersRequest()
    listing.set_HpcClusterIds(json.dumps([cluster_id]))
    root = legacy_xml(legacy, listing)
    assert root.findtext("HpcClusters/HpcCluster/HpcClusterId") == cluster_id
    assert root.findtext("HpcClusters/HpcCluster/Name") == "renamed"
    assert root.findtext("HpcClusters/HpcCluster/Description") == "from the old SDK"
    assert root.findtext("TotalCount") == "1"
    delete = DeleteHpcClusterRequest()
    delete.set_HpcClusterId(cluster_id)
    legacy_call(legacy, delete)
    err = old_error(legacy, delete)
    assert (err.get_error_code(), err.get_http_status()) == ("NotExists.HpcCluster", 400)
    assert listed(client) == []

"""Automatic snapshot policies (CreateAutoSnapshotPolicy ... CancelAutoSnapshotPolicy) through both SDKs: their lower
camel case wire names, the policy on its disks, DiskNums, the documented errors (Terraform's replay is in
tests/test_terraform_flow.py)."""
from __future__ import annotations

import asyncio
import json

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.ApplyAutoSnapshotPolicyRequest import ApplyAutoSnapshotPolicyRequest
from aliyunsdkecs.request.v20140526.CreateAutoSnapshotPolicyRequest import CreateAutoSnapshotPolicyRequest
from aliyunsdkecs.request.v20140526.DescribeAutoSnapshotPolicyExRequest import DescribeAutoSnapshotPolicyExRequest

from tests.sdk import legacy_call, legacy_client, legacy_xml
from tests.test_instances import REGION, assert_documented, disks, new_error, old_error, run


def create(client, **kw) -> str:
    kw.setdefault("time_points", '["1", "13"]')
    kw.setdefault("repeat_weekdays", '["1", "5"]')
    kw.setdefault("retention_days", 7)
    return client.create_auto_snapshot_policy(models.CreateAutoSnapshotPolicyRequest(
        region_id=kw.pop("region_id", REGION), **kw)).body.auto_snapshot_policy_id


def policies(client, region: str = REGION, **kw) -> dict:
    return client.describe_auto_snapshot_policy_ex(models.DescribeAutoSnapshotPolicyExRequest(
        region_id=region, **kw)).body.to_map()


def policy(client, policy_id: str, region: str = REGION) -> dict:
    found = policies(client, region, auto_snapshot_policy_id=policy_id)["AutoSnapshotPolicies"]["AutoSnapshotPolicy"]
    assert len(found) == 1
    return found[0]


def apply(client, policy_id: str, disk_ids: list[str], region: str = REGION):
    return client.apply_auto_snapshot_policy(models.ApplyAutoSnapshotPolicyRequest(
        region_id=region, auto_snapshot_policy_id=policy_id, disk_ids=json.dumps(disk_ids)))


def cancel(client, disk_ids: list[str], region: str = REGION):
    return client.cancel_auto_snapshot_policy(models.CancelAutoSnapshotPolicyRequest(
        region_id=region, disk_ids=json.dumps(disk_ids)))


def test_policy_life_on_its_disks(client, engine):
    policy_id = create(client, auto_snapshot_policy_name="nightly-build",
                       tag=[models.CreateAutoSnapshotPolicyRequestTag(key="team", value="images")])
    assert policy_id.startswith("sp-")
    got = policy(client, policy_id)
    assert (got["AutoSnapshotPolicyName"], json.loads(got["TimePoints"]), json.loads(got["RepeatWeekdays"]),
            got["RetentionDays"], got["Status"], got["Type"], got["DiskNums"], got["RegionId"]) == \
        ("nightly-build", ["1", "13"], ["1", "5"], 7, "Normal", "Custom", 0, REGION)
    assert got["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "images"}]
    assert got["ResourceGroupId"].startswith("rg-") and got["CreationTime"].endswith("Z")

    instance = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=50, category="cloud_essd")])[0]
    disk_ids = [d["DiskId"] for d in disks(client, instance)]
    assert len(disk_ids) == 2
    assert apply(client, policy_id, disk_ids).status_code == 200
    for disk in disks(client, instance):
        assert disk["AutoSnapshotPolicyId"] == policy_id and disk["EnableAutomatedSnapshotPolicy"] is True
    assert policy(client, policy_id)["DiskNums"] == len(disk_ids)

    client.modify_auto_snapshot_policy_ex(models.ModifyAutoSnapshotPolicyExRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id, time_points='["2"]', retention_days=30,
        auto_snapshot_policy_name=""))  # an empty name is "not changed" (documented)
    got = policy(client, policy_id)
    assert (json.loads(got["TimePoints"]), got["RetentionDays"], got["AutoSnapshotPolicyName"]) == \
        (["2"], 30, "nightly-build")

    assert cancel(client, disk_ids[:1]).status_code == 200
    assert disks(client, instance)[0]["AutoSnapshotPolicyId"] == "" and policy(client, policy_id)["DiskNums"] == 1
    by_policy = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, auto_snapshot_policy_id=policy_id))
    assert [d.disk_id for d in by_policy.body.disks.disk] == disk_ids[1:]
    # Deleting the policy cancels it on the disks left (documented)
    client.delete_auto_snapshot_policy(models.DeleteAutoSnapshotPolicyRequest(
        region_id=REGION, auto_snapshot_policy_id=policy_id))
    assert all(d["AutoSnapshotPolicyId"] == "" and d["EnableAutomatedSnapshotPolicy"] is False
               for d in disks(client, instance))
    assert policies(client)["TotalCount"] == 0


def test_old_sdk_sends_its_region_and_lower_camel_names(legacy, client):
    request = CreateAutoSnapshotPolicyRequest()  # (it has no regionId: the client's RegionId is sent)
    request.set_timePoints('["3"]')
    request.set_repeatWeekdays('["7"]')
    request.set_retentionDays(-1)
    request.set_autoSnapshotPolicyName("forever")
    policy_id = legacy_call(legacy, request)["AutoSnapshotPolicyId"]
    beijing = legacy_client(region="cn-beijing")
    policy_bj = legacy_call(beijing, request)["AutoSnapshotPolicyId"]
    assert policy(client, policy_id)["RetentionDays"] == -1
    assert policies(client)["TotalCount"] == 1 and policies(client, "cn-beijing")["TotalCount"] == 1
    assert policy(client, policy_bj, "cn-beijing")["RegionId"] == "cn-beijing"
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    apply_request = ApplyAutoSnapshotPolicyRequest()
    apply_request.set_autoSnapshotPolicyId(policy_id)
    apply_request.set_diskIds(json.dumps([disk_id]))
    legacy_call(legacy, apply_request)
    assert disks(client, run(client)[0])  # (another instance changes nothing of the first)
    listed = DescribeAutoSnapshotPolicyExRequest()
    listed.set_AutoSnapshotPolicyId(policy_id)
    root = legacy_xml(legacy, listed)
    assert root.findtext("AutoSnapshotPolicies/AutoSnapshotPolicy/DiskNums") == "1"
    assert root.findtext("AutoSnapshotPolicies/AutoSnapshotPolicy/TimePoints") == '["3"]'


def test_async_describe_filters_and_paging(client):
    made = [create(client, auto_snapshot_policy_name=f"policy-{n}") for n in range(3)]
    tagged = create(client, auto_snapshot_policy_name="tagged",
                    tag=[models.CreateAutoSnapshotPolicyRequestTag(key="env", value="ci")])
    body = asyncio.run(client.describe_auto_snapshot_policy_ex_async(
        models.DescribeAutoSnapshotPolicyExRequest(region_id=REGION, page_size=2, page_number=2))).body.to_map()
    assert body["TotalCount"] == 4 and [p["AutoSnapshotPolicyId"] for p in
                                        body["AutoSnapshotPolicies"]["AutoSnapshotPolicy"]] == [made[2], tagged]
    by_name = policies(client, auto_snapshot_policy_name="policy-1")["AutoSnapshotPolicies"]["AutoSnapshotPolicy"]
    assert [p["AutoSnapshotPolicyId"] for p in by_name] == [made[1]]
    by_tag = policies(client, tag=[models.DescribeAutoSnapshotPolicyExRequestTag(key="env", value="ci")])
    assert by_tag["TotalCount"] == 1 and by_tag["AutoSnapshotPolicies"]["AutoSnapshotPolicy"][0][
        "AutoSnapshotPolicyId"] == tagged


def test_tags_and_resource_group_of_a_policy(client):
    policy_id = create(client)
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="snapshotpolicy",
                                                    resource_id=[policy_id],
                                                    tag=[models.TagResourcesRequestTag(key="k", value="v")]))
    listed = client.list_tag_resources(models.ListTagResourcesRequest(
        region_id=REGION, resource_type="snapshotpolicy", resource_id=[policy_id])).body.to_map()
    assert [(r["ResourceType"], r["TagKey"]) for r in listed["TagResources"]["TagResource"]] == \
        [("snapshotpolicy", "k")]
    assert policy(client, policy_id)["Tags"]["Tag"] == [{"TagKey": "k", "TagValue": "v"}]


@pytest.mark.parametrize("kw, code, status", [
    ({"auto_snapshot_policy_name": "http://x"}, "InvalidSnapshotPolicyName.Malformed", 400),
    ({"target_copy_regions": '["cn-nowhere"]'}, "InvalidParameter.TargetCopyRegions", 403),
    ({"copied_snapshots_retention_days": 0}, "InvalidParameter.CopiedSnapshotsRetentionDays", 403),
    ({"region_id": "cn-nowhere"}, "ParameterInvalid", 403),
    ({"copy_encryption_configuration": models.CreateAutoSnapshotPolicyRequestCopyEncryptionConfiguration(
        encrypted=False, kmskey_id="key-1")}, "InvalidParameter.EncryptedIllegal", 400),
])
def test_create_documented_errors(client, kw, code, status):
    err = new_error(lambda: create(client, **kw))
    assert (err.code, err.status_code) == (code, status)
    assert_documented("CreateAutoSnapshotPolicy", err)
    assert policies(client)["TotalCount"] == 0


def test_undocumented_malformed_values_and_quota(client, engine):
    for kw in ({"time_points": '["24"]'}, {"repeat_weekdays": '["0"]'}, {"time_points": "1,2"},
               {"retention_days": 0}):
        err = new_error(lambda kw=kw: create(client, **kw))
        assert (err.code, err.status_code) == ("InvalidParameter", 400)
    engine.config.options["snapshot_policy_quota"] = 1
    create(client)
    err = new_error(lambda: create(client))
    assert (err.code, err.status_code) == ("AutoSnapshotPolicy.QuotaExceed", 403)
    assert_documented("CreateAutoSnapshotPolicy", err)


def test_missing_policy_and_disks(client, other):
    policy_id = create(client)
    disk_id = disks(client, run(client)[0])[0]["DiskId"]
    for call, action in ((lambda: apply(client, "sp-bp1nothere000000000", [disk_id]), "ApplyAutoSnapshotPolicy"),
                         (lambda: apply(other.client, policy_id, [disk_id]), "ApplyAutoSnapshotPolicy"),
                         (lambda: client.delete_auto_snapshot_policy(models.DeleteAutoSnapshotPolicyRequest(
                             region_id=REGION, auto_snapshot_policy_id="sp-bp1nothere000000000")),
                          "DeleteAutoSnapshotPolicy"),
                         (lambda: client.modify_auto_snapshot_policy_ex(models.ModifyAutoSnapshotPolicyExRequest(
                             region_id=REGION, auto_snapshot_policy_id="sp-bp1nothere000000000", retention_days=3)),
                          "ModifyAutoSnapshotPolicyEx")):
        err = new_error(call)
        assert (err.code, err.status_code) == ("ParameterInvalid", 404)
        assert_documented(action, err)
    for call, action in ((lambda: apply(client, policy_id, [disk_id, "d-bp1nothere000000000"]),
                          "ApplyAutoSnapshotPolicy"),
                         (lambda: cancel(client, ["d-bp1nothere000000000"]), "CancelAutoSnapshotPolicy")):
        err = new_error(call)
        assert (err.code, err.status_code) == ("InvalidDiskId.NotFound", 404)
        assert_documented(action, err)
    assert disks(client, run(client)[0])[0]["AutoSnapshotPolicyId"] == ""  # nothing half applied
    err = old_error(legacy_client(), ApplyAutoSnapshotPolicyRequest())
    assert err.get_error_code() == "MissingParameter"

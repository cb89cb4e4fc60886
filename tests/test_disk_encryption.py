"""Account-level default encryption of new disks: Enable/DisableDiskEncryptionByDefault,
DescribeDiskEncryptionByDefaultStatus, Describe/Modify/ResetDiskDefaultKMSKeyId through the current SDK (sync and
async) and the old one (JSON and XML); what it does to the disks RunInstances and CreateDisk make, per account and
region; Terraform's alicloud_ecs_disk_encryption_by_default and alicloud_ecs_disk_default_kms_key."""
from __future__ import annotations

import asyncio

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526.DescribeDiskEncryptionByDefaultStatusRequest import (
    DescribeDiskEncryptionByDefaultStatusRequest,
)
from aliyunsdkecs.request.v20140526.EnableDiskEncryptionByDefaultRequest import EnableDiskEncryptionByDefaultRequest

from mockecs.world import kms
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_instances import REGION, disks, run

OTHER_REGION = "cn-beijing"


def status(client, region: str = REGION) -> bool:
    return client.describe_disk_encryption_by_default_status(
        models.DescribeDiskEncryptionByDefaultStatusRequest(region_id=region)).body.encrypted


def default_key(client, region: str = REGION) -> str:
    return client.describe_disk_default_kmskey_id(models.DescribeDiskDefaultKMSKeyIdRequest(region_id=region)).body \
        .kmskey_id


def new_disk(client, **kw) -> dict:
    disk_id = client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id="cn-hangzhou-i", size=40,
                                                          **kw)).body.disk_id
    return client.describe_disks(models.DescribeDisksRequest(region_id=REGION, disk_ids=f'["{disk_id}"]')).body \
        .to_map()["Disks"]["Disk"][0]


def test_new_disks_are_encrypted_while_it_is_on(client, other):
    assert (status(client), default_key(client)) == (False, "")
    assert new_disk(client)["Encrypted"] is False
    client.enable_disk_encryption_by_default(models.EnableDiskEncryptionByDefaultRequest(region_id=REGION))
    assert status(client) is True
    # per region and per account
    assert status(client, OTHER_REGION) is False and status(other.client) is False
    disk = new_disk(client)
    assert (disk["Encrypted"], disk["KMSKeyId"]) == (True, "")  # (the service key: no id here)
    [instance_id] = run(client)
    assert {(d["Type"], d["Encrypted"]) for d in disks(client, instance_id)} == {("system", True)}
    # with a default CMK: new disks carry it, unless a request names its own
    client.modify_disk_default_kmskey_id(models.ModifyDiskDefaultKMSKeyIdRequest(region_id=REGION,
                                                                               kmskey_id="key-default"))
    assert default_key(client) == "key-default"
    assert new_disk(client)["KMSKeyId"] == "key-default"
    assert new_disk(client, encrypted=True, kmskey_id="key-own")["KMSKeyId"] == "key-own"
    [instance_id] = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=20)])
    assert {(d["Encrypted"], d["KMSKeyId"]) for d in disks(client, instance_id)} == {(True, "key-default")}
    client.reset_disk_default_kmskey_id(models.ResetDiskDefaultKMSKeyIdRequest(region_id=REGION))
    assert default_key(client) == ""
    client.disable_disk_encryption_by_default(models.DisableDiskEncryptionByDefaultRequest(region_id=REGION))
    assert status(client) is False and new_disk(client)["Encrypted"] is False
    # a disk asked to be encrypted still is
    assert new_disk(client, encrypted=True)["Encrypted"] is True


def test_a_key_that_cannot_encrypt_is_refused(client, engine):
    kms.add_key(engine, "1234567890123456", REGION, "key-off", state="Disabled")
    err = error_of(client.modify_disk_default_kmskey_id, models.ModifyDiskDefaultKMSKeyIdRequest(
        region_id=REGION, kmskey_id="key-off"))
    assert (err.code, err.status_code) == ("InvalidParameter.KMSKeyId.CMKNotEnabled", 403)
    assert default_key(client) == ""
    err = error_of(client.modify_disk_default_kmskey_id, models.ModifyDiskDefaultKMSKeyIdRequest(region_id=REGION))
    assert (err.code, err.status_code) == ("MissingParameter", 400)


def test_async_and_old_sdk(client, legacy):
    async def go() -> None:
        await client.enable_disk_encryption_by_default_async(
            models.EnableDiskEncryptionByDefaultRequest(region_id=REGION))

    asyncio.run(go())
    assert legacy_call(legacy, DescribeDiskEncryptionByDefaultStatusRequest())["Encrypted"] is True
    assert set(legacy_call(legacy, EnableDiskEncryptionByDefaultRequest())) == {"RequestId"}
    root = legacy_xml(legacy, DescribeDiskEncryptionByDefaultStatusRequest())
    assert root.find("Encrypted").text == "true"


def test_terraform_resources(client):
    """alicloud_ecs_disk_encryption_by_default (create: Enable...; read: DescribeDiskEncryptionByDefaultStatus's
    Encrypted; delete: Disable...) and alicloud_ecs_disk_default_kms_key (create: ModifyDiskDefaultKMSKeyId; read:
    DescribeDiskDefaultKMSKeyId's KMSKeyId against the id; delete: ResetDiskDefaultKMSKeyId), RpcPost form bodies."""
    from tests.test_terraform_flow import Provider

    p = Provider(REGION)
    p.rpc_post("EnableDiskEncryptionByDefault", {}, {"RegionId": REGION})
    assert p.rpc_post("DescribeDiskEncryptionByDefaultStatus", {}, {"RegionId": REGION})["Encrypted"] is True
    p.rpc_post("ModifyDiskDefaultKMSKeyId", {}, {"RegionId": REGION, "KMSKeyId": "tf-key"})
    assert p.rpc_post("DescribeDiskDefaultKMSKeyId", {}, {"RegionId": REGION})["KMSKeyId"] == "tf-key"
    p.rpc_post("ResetDiskDefaultKMSKeyId", {}, {"RegionId": REGION})
    p.rpc_post("DisableDiskEncryptionByDefault", {}, {"RegionId": REGION})
    assert p.rpc_post("DescribeDiskEncryptionByDefaultStatus", {}, {"RegionId": REGION})["Encrypted"] is False

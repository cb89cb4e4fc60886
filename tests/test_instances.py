"""Instances and disks for image flows (spec §4.4-4.7): RunInstances, CreateInstance, DescribeInstances,
StartInstance, StopInstance, DeleteInstance, ReplaceSystemDisk, DescribeDisks — through the real SDKs."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Optional

import alibabacloud_ecs20140526.models as models
import pytest
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.CreateInstanceRequest import CreateInstanceRequest
from aliyunsdkecs.request.v20140526.DeleteInstanceRequest import DeleteInstanceRequest
from aliyunsdkecs.request.v20140526.DescribeDisksRequest import DescribeDisksRequest
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.ReplaceSystemDiskRequest import ReplaceSystemDiskRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest
from aliyunsdkecs.request.v20140526.StopInstanceRequest import StopInstanceRequest

from mockecs.world import resources
from tests import networks_helpers
from tests.sdk import error_of, legacy_call
from tests.sdk_shapes import check_model
from tests.spec import documented_error

REGION = "cn-hangzhou"
LINUX = "aliyun_3_x64_20G_alibase_20240819.vhd"
WINDOWS = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"
ARM = "aliyun_3_arm64_20G_alibase_20240528.vhd"
I386 = "ubuntu_16_04_x86_20G_alibase_20200417.vhd"
NO_NON_ROOT = "ubuntu_18_04_x64_20G_alibase_20240223.vhd"
X86_TYPE, ARM_TYPE, SMALL_TYPE = "ecs.g7.large", "ecs.g8y.large", "ecs.t6-c1m1.large"
MARKET_FREE = "m-bp1o6a6zp7fkruscjqn0"  # cmjj028279, PostPaid and PrePaid
MARKET_PREPAID = "m-bp1embhmgxmz3c6y06uy"  # cmjj036688, PrePaid only
MARKET_DELISTED = "m-bp1ixztfqvl15w968d7y"  # cmjj019876
MINUTE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")
SECOND = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# -- helpers -----------------------------------------------------------------------------
def assert_wire(data: Any, model: str) -> None:
    """Every key of ``data`` is a field of SDK model ``model`` with the JSON type it declares (no nulls)."""
    problems = check_model(getattr(models, model), data)
    assert not problems, problems


new_error = error_of


def old_error(client: Any, request: Any) -> ServerException:
    with pytest.raises(ServerException) as info:
        legacy_call(client, request)
    return info.value


def assert_documented(action: str, err: Any) -> None:
    """The error matches the code, HTTP status (and message, unless a template) Alibaba documents."""
    code = err.code if isinstance(err, ClientException) else err.get_error_code()
    status = err.status_code if isinstance(err, ClientException) else err.get_http_status()
    message = err.data.get("Message") if isinstance(err, ClientException) else err.get_error_msg()
    documented = documented_error(action, code)
    assert documented is not None, f"{code} is not documented for {action}"
    statuses = {s for s, _ in _all_documented(action, code)}
    assert status in statuses, (code, status, statuses)
    messages = {m for _, m in _all_documented(action, code)}
    if "%s" not in "".join(messages):
        assert message in messages, (message, messages)


def _all_documented(action: str, code: str) -> list[tuple[int, str]]:
    from tests.spec import metadata

    found = []
    for status, errors in (metadata()["apis"][action].get("errorCodes") or {}).items():
        found += [(int(status), e["errorMessage"]) for e in errors if e["errorCode"] == code]
    return found


def run(client: Any, image_id: Optional[str] = LINUX, instance_type: str = X86_TYPE, **kw: Any) -> list[str]:
    resp = client.run_instances(models.RunInstancesRequest(region_id=kw.pop("region_id", REGION), image_id=image_id,
                                                           instance_type=instance_type, **kw))
    return resp.body.instance_id_sets.instance_id_set


def describe(client: Any, instance_id: str, region: str = REGION) -> dict:
    resp = client.describe_instances(models.DescribeInstancesRequest(region_id=region,
                                                                     instance_ids=json.dumps([instance_id])))
    items = resp.body.to_map()["Instances"]["Instance"]
    assert len(items) == 1
    return items[0]


def disks(client: Any, instance_id: str, region: str = REGION, **kw: Any) -> list[dict]:
    resp = client.describe_disks(models.DescribeDisksRequest(region_id=region, instance_id=instance_id, **kw))
    return resp.body.to_map()["Disks"]["Disk"]


def put_image(engine: Any, owner: str, region: str = REGION, **fields: Any) -> dict:
    """A custom image in the store, as CreateImage would leave it (tests of launch rules only)."""
    image_id = resources.new_id("image", region)
    record = {"ImageId": image_id, "ImageName": f"img-{image_id[-6:]}", "Description": "", "ImageVersion": "",
              "ImageFamily": "", "OSType": "linux", "Platform": "Aliyun", "OSName": "Alibaba Cloud Linux  3",
              "OSNameEn": "Alibaba Cloud Linux  3", "Architecture": "x86_64", "BootMode": "BIOS", "Size": 40,
              "Status": "Available", "Progress": "100%", "Usage": "none", "CreationTime": "2024-01-01T00:00:00Z",
              "IsSupportIoOptimized": True, "IsSupportCloudinit": True, "LoginAsNonRootSupported": False,
              "ProductCode": "", "IsCopied": False, "Tags": {"Tag": []},
              "DiskDeviceMappings": {"DiskDeviceMapping": [
                  {"Device": "/dev/xvda", "Type": "system", "Size": "40", "SnapshotId": "s-bp1fakesnapshot00001"}]},
              "_owner": owner, "_region": region, **fields}
    with engine.store.transaction() as txn:
        resources.put(txn, "image", record)
    return record


def stored(engine: Any, kind: str, resource_id: str) -> Optional[dict]:
    with engine.store.transaction() as txn:
        found = txn.get(kind, resource_id)
        return dict(found) if found is not None else None


def subscribe(engine: Any, account: str, product_code: str) -> None:
    with engine.store.transaction() as txn:
        txn.put("subscription", f"{account}|{product_code}", {"ProductCode": product_code, "_owner": account})


# -- RunInstances / DescribeInstances / DescribeDisks: the three SDK flavours ------------------
def test_run_instances_public_image_new_sdk(client, engine):
    ids = run(client, amount=2, instance_name="web", tag=[models.RunInstancesRequestTag(key="env", value="ci")])
    assert len(ids) == 2 and all(re.match(r"^i-bp1[a-z0-9]{17}$", i) for i in ids)
    item = describe(client, ids[0])
    assert_wire(item, "DescribeInstancesResponseBodyInstancesInstance")
    assert item["ImageId"] == LINUX and item["Status"] == "Running" and item["InstanceType"] == X86_TYPE
    assert item["OSName"] == "Alibaba Cloud Linux  3.2104 LTS 64位" and item["OSType"] == "linux"
    assert item["OSNameEn"] == "Alibaba Cloud Linux  3.2104 LTS 64 bit"
    assert item["RegionId"] == REGION and item["ZoneId"] == "cn-hangzhou-" + item["ZoneId"][-1]
    assert item["Cpu"] == 2 and item["Memory"] == 8192 and item["InstanceName"] == "web"
    assert MINUTE.match(item["CreationTime"]) and MINUTE.match(item["StartTime"])
    assert item["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "ci"}]
    assert item["ImageOptions"]["LoginAsNonRoot"] is False
    assert not any(k.startswith("_") for k in item)
    # the parts an instance that uses none of them shows, as the service answers them (2 vCPUs: 1 core, 2 threads)
    assert item["CpuOptions"] == {"ThreadsPerCore": 2, "Numa": "ON", "CoreCount": 1,
                                  "TopologyType": "ContinuousCoreToHTMapping", "TurboMode": "", "EnableVISST": False,
                                  "EnableVRDT": False, "NestedVirtualization": "disabled"}
    assert item["HibernationOptions"] == {"Configured": False}
    assert item["DedicatedHostAttribute"] == {"DedicatedHostId": "", "DedicatedHostName": "",
                                              "DedicatedHostClusterId": ""}
    assert item["DedicatedInstanceAttribute"] == {"Tenancy": "", "Affinity": ""}
    assert item["EcsCapacityReservationAttr"] == {"CapacityReservationPreference": "", "CapacityReservationId": ""}
    # each instance got its own system disk from the image
    found = disks(client, ids[0])
    assert len(found) == 1
    disk = found[0]
    assert_wire(disk, "DescribeDisksResponseBodyDisksDisk")
    assert disk["Type"] == "system" and disk["Device"] == "/dev/xvda" and disk["Status"] == "In_use"
    assert disk["ImageId"] == LINUX and disk["InstanceId"] == ids[0] and disk["Size"] == 40
    assert disk["SourceSnapshotId"] == ""  # public images have no visible snapshot
    assert SECOND.match(disk["CreationTime"])
    assert disks(client, ids[1])[0]["DiskId"] != disk["DiskId"]


def test_run_and_describe_old_sdk(legacy):
    req = RunInstancesRequest()
    req.set_ImageId(LINUX)
    req.set_InstanceType(X86_TYPE)
    req.set_Amount(3)
    req.set_SystemDiskSize(60)
    req.set_SystemDiskCategory("cloud_auto")
    req.set_Tags([{"Key": "team", "Value": "img"}])
    req.set_DataDisks([{"Size": 100, "Category": "cloud_essd"}])
    body = legacy_call(legacy, req)
    ids = body["InstanceIdSets"]["InstanceIdSet"]
    assert len(ids) == 3

    req = DescribeInstancesRequest()
    req.set_ImageId(LINUX)
    req.set_Tags([{"Key": "team", "Value": "img"}])
    req.set_PageSize(2)
    page = legacy_call(legacy, req)
    assert page["TotalCount"] == 3 and page["PageNumber"] == 1 and page["PageSize"] == 2
    assert [i["InstanceId"] for i in page["Instances"]["Instance"]] == ids[:2]  # creation order
    for item in page["Instances"]["Instance"]:
        assert_wire(item, "DescribeInstancesResponseBodyInstancesInstance")

    req = DescribeDisksRequest()
    req.set_InstanceId(ids[0])
    found = legacy_call(legacy, req)["Disks"]["Disk"]
    assert [(d["Type"], d["Device"], d["Size"], d["Category"]) for d in found] == [
        ("system", "/dev/xvda", 60, "cloud_auto"), ("data", "/dev/xvdb", 100, "cloud_essd")]
    req = DescribeDisksRequest()
    req.set_DiskIds(json.dumps([d["DiskId"] for d in found]))
    req.set_DiskType("data")
    assert [d["Type"] for d in legacy_call(legacy, req)["Disks"]["Disk"]] == ["data"]


def test_run_and_describe_async(client):
    async def flow():
        resp = await client.run_instances_async(models.RunInstancesRequest(
            region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, zone_id="cn-hangzhou-j"))
        iid = resp.body.instance_id_sets.instance_id_set[0]
        found = await client.describe_instances_async(models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps([iid])))
        return iid, found.body.to_map()

    iid, body = asyncio.run(flow())
    item = body["Instances"]["Instance"][0]
    assert item["InstanceId"] == iid and item["ZoneId"] == "cn-hangzhou-j" and body["TotalCount"] == 1


def test_create_instance_is_stopped_and_single(client, legacy):
    resp = client.create_instance(models.CreateInstanceRequest(region_id=REGION, image_id=LINUX,
                                                               instance_type=X86_TYPE))
    iid = resp.body.instance_id
    assert describe(client, iid)["Status"] == "Stopped"
    req = CreateInstanceRequest()
    req.set_ImageId(WINDOWS)
    req.set_InstanceType(X86_TYPE)
    other = legacy_call(legacy, req)["InstanceId"]
    assert describe(client, other)["OSType"] == "windows"


# -- image rules (launch.py) -------------------------------------------------------------------
def test_windows_paid_image_needs_a_large_enough_system_disk(client, legacy):
    err = new_error(lambda: run(client, WINDOWS, system_disk=models.RunInstancesRequestSystemDisk(size="20")))
    assert (err.code, err.status_code) == ("InvalidSystemDiskSize.ValueNotSupported", 400)
    assert_documented("RunInstances", err)
    iid = run(client, WINDOWS, system_disk=models.RunInstancesRequestSystemDisk(size="40"))[0]
    item = describe(client, iid)
    assert item["OSType"] == "windows" and item["OSNameEn"].startswith("Windows Server")
    assert disks(client, iid)[0]["Size"] == 40
    # CreateInstance documents another code for the same rule
    req = CreateInstanceRequest()
    req.set_ImageId(WINDOWS)
    req.set_InstanceType(X86_TYPE)
    req.set_SystemDiskSize(30)
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidDisk.SystemDiskSize", 403)
    assert_documented("CreateInstance", err)


def test_arm64_image_needs_an_arm_instance_type(client):
    err = new_error(lambda: run(client, ARM, X86_TYPE))
    assert (err.code, err.status_code) == ("ImageNotSupportInstanceType", 403)
    assert_documented("RunInstances", err)
    err = new_error(lambda: run(client, LINUX, ARM_TYPE))
    assert err.code == "ImageNotSupportInstanceType"
    err = new_error(lambda: client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=ARM, instance_type=X86_TYPE)))
    assert_documented("CreateInstance", err)
    iid = run(client, ARM, ARM_TYPE)[0]
    item = describe(client, iid)
    assert item["InstanceType"] == ARM_TYPE and item["ImageId"] == ARM


def test_32_bit_image_only_below_4_gib(client):
    err = new_error(lambda: run(client, I386, X86_TYPE))
    assert err.code == "ImageNotSupportInstanceType"
    assert describe(client, run(client, I386, SMALL_TYPE)[0])["ImageId"] == I386


def test_unknown_instance_type_and_zone(client):
    err = new_error(lambda: run(client, LINUX, "ecs.nope.large"))
    assert (err.code, err.status_code) == ("InvalidInstanceType.ValueNotSupported", 403)
    assert_documented("RunInstances", err)
    err = new_error(lambda: client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.nope.large")))
    assert_documented("CreateInstance", err)
    err = new_error(lambda: run(client, zone_id="cn-beijing-g"))
    assert (err.code, err.status_code) == ("InvalidZoneId.NotFound", 404)
    assert_documented("RunInstances", err)
    err = new_error(lambda: run(client, system_disk=models.RunInstancesRequestSystemDisk(category="floppy")))
    assert (err.code, err.status_code) == ("InvalidSystemDiskCategory.ValueNotSupported", 400)
    assert_documented("RunInstances", err)


def test_image_id_and_family_rules(client):
    err = new_error(lambda: run(client, None))
    assert (err.code, err.status_code) == ("MissingParameter", 400) and "ImageId" in err.data["Message"]
    err = new_error(lambda: run(client, LINUX, image_family="acs:ubuntu_22_04_x64"))
    assert (err.code, err.status_code) == ("UnexpectedImageFamily.ImageIdSupplied", 400)
    assert_documented("RunInstances", err)
    err = new_error(lambda: run(client, "m-bp1doesnotexist00000"))
    assert (err.code, err.status_code) == ("InvalidImageId.NotFound", 404)
    assert_documented("RunInstances", err)
    err = new_error(lambda: run(client, None, image_family="no-such-family"))
    assert (err.code, err.status_code) == ("InvalidImageFamily.MissingAvailableImage", 403)
    assert_documented("RunInstances", err)
    # a family picks its newest Available image
    iid = run(client, None, image_family="acs:ubuntu_22_04_x64")[0]
    assert describe(client, iid)["ImageId"] == "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


def test_family_skips_deprecated_and_uses_own_images(client, engine):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    old = put_image(engine, DEFAULT_ACCOUNT_ID, ImageFamily="golden", CreationTime="2024-01-01T00:00:00Z")
    put_image(engine, DEFAULT_ACCOUNT_ID, ImageFamily="golden", CreationTime="2024-06-01T00:00:00Z",
              Status="Deprecated")
    iid = run(client, None, image_family="golden")[0]
    assert describe(client, iid)["ImageId"] == old["ImageId"]


def test_other_accounts_private_image_is_not_found(client, engine, other):
    image = put_image(engine, other.account_id)
    err = new_error(lambda: run(client, image["ImageId"]))
    assert (err.code, err.status_code) == ("InvalidImageId.NotFound", 404)
    assert run(other.client, image["ImageId"])  # the owner may
    shared = put_image(engine, other.account_id, _shares={engine.accounts.default_account_id: "2024-01-01"})
    assert run(client, shared["ImageId"])


@pytest.mark.parametrize("status", ["Creating", "Waiting", "UnAvailable", "CreateFailed"])
def test_image_not_available_is_denied(client, engine, status):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    image = put_image(engine, DEFAULT_ACCOUNT_ID, Status=status)
    err = new_error(lambda: run(client, image["ImageId"]))
    assert (err.code, err.status_code) == ("OperationDenied.ImageNotValid", 403)
    assert_documented("RunInstances", err)
    engine.config.options["launch_bad_status_code"] = "IncorrectImageStatus"
    try:
        err = new_error(lambda: run(client, image["ImageId"]))
        assert err.code == "IncorrectImageStatus"
    finally:
        engine.config.options.pop("launch_bad_status_code")


def test_deprecated_image_still_launches_and_usage_becomes_instance(client, engine):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    image = put_image(engine, DEFAULT_ACCOUNT_ID, Status="Deprecated")
    iid = run(client, image["ImageId"])[0]
    assert stored(engine, "image", image["ImageId"])["Usage"] == "instance"
    disk = disks(client, iid)[0]
    assert disk["SourceSnapshotId"] == "s-bp1fakesnapshot00001" and disk["ImageId"] == image["ImageId"]
    # the image stays "instance" after its instance is gone (default) ...
    client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True))
    assert stored(engine, "image", image["ImageId"])["Usage"] == "instance"


def test_usage_resets_option(client, engine):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    engine.config.options["usage_resets"] = True
    try:
        image = put_image(engine, DEFAULT_ACCOUNT_ID)
        first, second = run(client, image["ImageId"], amount=2)
        client.delete_instance(models.DeleteInstanceRequest(instance_id=first, force=True))
        assert stored(engine, "image", image["ImageId"])["Usage"] == "instance"  # second still runs it
        client.delete_instance(models.DeleteInstanceRequest(instance_id=second, force=True))
        assert stored(engine, "image", image["ImageId"])["Usage"] == "none"
    finally:
        engine.config.options.pop("usage_resets")


def test_image_data_disk_mappings_become_data_disks(client, engine):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    image = put_image(engine, DEFAULT_ACCOUNT_ID, DiskDeviceMappings={"DiskDeviceMapping": [
        {"Device": "/dev/xvda", "Type": "system", "Size": "40", "SnapshotId": "s-bp1sys00000000000001"},
        {"Device": "/dev/xvdb", "Type": "data", "Size": "100", "SnapshotId": "s-bp1data0000000000001"}]})
    iid = run(client, image["ImageId"])[0]
    found = disks(client, iid)
    assert [(d["Type"], d["Device"], d["Size"], d["SourceSnapshotId"]) for d in found] == [
        ("system", "/dev/xvda", 40, "s-bp1sys00000000000001"), ("data", "/dev/xvdb", 100, "s-bp1data0000000000001")]


def test_marketplace_rules(client, engine):
    account = engine.accounts.default_account_id
    err = new_error(lambda: run(client, MARKET_FREE))
    assert (err.code, err.status_code) == ("ImageNotSubscribed", 403)
    assert_documented("RunInstances", err)
    subscribe(engine, account, "cmjj028279")
    iid = run(client, MARKET_FREE)[0]
    assert describe(client, iid)["ImageId"] == MARKET_FREE
    assert disks(client, iid)[0]["ProductCode"] == "cmjj028279"

    subscribe(engine, account, "cmjj019876")
    err = new_error(lambda: run(client, MARKET_DELISTED))
    assert (err.code, err.status_code) == ("ImageRemovedInMarket", 403)
    assert_documented("RunInstances", err)

    subscribe(engine, account, "cmjj036688")
    err = new_error(lambda: run(client, MARKET_PREPAID))
    assert (err.code, err.status_code) == ("InvalidMarketImageChargeType.NotSupport", 400)
    assert_documented("RunInstances", err)
    assert run(client, MARKET_PREPAID, instance_charge_type="PrePaid")


def test_custom_image_from_marketplace_needs_the_subscription(client, engine, other):
    image = put_image(engine, engine.accounts.default_account_id, ProductCode="cmjj031544")
    err = new_error(lambda: run(client, image["ImageId"]))
    assert err.code == "ImageNotSubscribed"
    subscribe(engine, engine.accounts.default_account_id, "cmjj031544")
    assert run(client, image["ImageId"])


def test_login_as_non_root(client):
    err = new_error(lambda: run(client, NO_NON_ROOT,
                                image_options=models.RunInstancesRequestImageOptions(login_as_non_root=True)))
    assert (err.code, err.status_code) == ("LoginAsNonRoot.ImageNotSupport", 400)
    assert_documented("RunInstances", err)
    iid = run(client, LINUX, image_options=models.RunInstancesRequestImageOptions(login_as_non_root=True))[0]
    assert describe(client, iid)["ImageOptions"]["LoginAsNonRoot"] is True


def test_amount_limits_and_min_amount(client):
    err = new_error(lambda: run(client, amount=101))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)
    err = new_error(lambda: run(client, amount=2, min_amount=3))
    assert (err.code, err.status_code) == ("InvalidMinAmount.Malformed", 400)
    assert_documented("RunInstances", err)


def test_unique_suffix_numbers_names_and_host_names(client, legacy):
    """UniqueSuffix appends 001, 002 ... to the InstanceName and HostName of each instance launched (what Ansible's
    ali_instance asks with ``unique_suffix``, then reads the host name's last three characters back)."""
    pair = run(client, amount=2, instance_name="web", host_name="web", unique_suffix=True)
    assert [(describe(client, i)["InstanceName"], describe(client, i)["HostName"]) for i in pair] == [
        ("web001", "web001"), ("web002", "web002")]
    request = RunInstancesRequest()
    request.set_ImageId(LINUX)
    request.set_InstanceType(X86_TYPE)
    request.set_HostName("db")
    request.set_UniqueSuffix(True)  # (no InstanceName: the instance's id, with no suffix)
    [single] = legacy_call(legacy, request)["InstanceIdSets"]["InstanceIdSet"]
    assert (describe(client, single)["InstanceName"], describe(client, single)["HostName"]) == (single, "db001")
    [plain] = run(client, instance_name="web", host_name="web", unique_suffix=False)
    assert (describe(client, plain)["InstanceName"], describe(client, plain)["HostName"]) == ("web", "web")


def test_dry_run_and_client_token(client, engine):
    err = new_error(lambda: run(client, dry_run=True))
    assert (err.code, err.status_code) == ("DryRunOperation", 400)
    body = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body
    assert body.total_count == 0
    err = new_error(lambda: run(client, ARM, X86_TYPE, dry_run=True))  # checks run before the dry-run answer
    assert err.code == "ImageNotSupportInstanceType"
    first = run(client, client_token="tok-1")
    assert run(client, client_token="tok-1") == first
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 1


def test_realistic_lifecycle_pending_then_running(client, engine):
    engine.lifecycle.delay("instance", seconds=5)
    iid = run(client)[0]
    assert describe(client, iid)["Status"] == "Pending"
    err = new_error(lambda: client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True)))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus.Initializing", 403)
    assert_documented("DeleteInstance", err)
    engine.clock.advance(5)
    assert describe(client, iid)["Status"] == "Running"
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    assert describe(client, iid)["Status"] == "Stopping"
    engine.clock.advance(5)
    assert describe(client, iid)["Status"] == "Stopped"


# -- start / stop / delete (no RegionId from the new SDK) ------------------------------------
def test_start_stop_delete(client, legacy, engine):
    iid = run(client)[0]
    system_disk = disks(client, iid)[0]["DiskId"]
    err = new_error(lambda: client.start_instance(models.StartInstanceRequest(instance_id=iid)))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("StartInstance", err)
    err = new_error(lambda: client.delete_instance(models.DeleteInstanceRequest(instance_id=iid)))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("DeleteInstance", err)

    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    assert engine.calls[-1].region == REGION and "RegionId" not in engine.calls[-1].params
    assert describe(client, iid)["Status"] == "Stopped"
    err = new_error(lambda: client.stop_instance(models.StopInstanceRequest(instance_id=iid)))
    assert_documented("StopInstance", err)
    client.start_instance(models.StartInstanceRequest(instance_id=iid))
    assert describe(client, iid)["Status"] == "Running"
    req = StopInstanceRequest()
    req.set_InstanceId(iid)
    legacy_call(legacy, req)

    req = DeleteInstanceRequest()
    req.set_InstanceId(iid)
    legacy_call(legacy, req)
    body = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION,
                                                                     instance_ids=json.dumps([iid])))
    assert body.body.total_count == 0
    assert stored(engine, "disk", system_disk) is None  # the system disk went with it
    err = new_error(lambda: client.delete_instance(models.DeleteInstanceRequest(instance_id=iid)))
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("DeleteInstance", err)
    err = new_error(lambda: client.start_instance(models.StartInstanceRequest(instance_id="i-bp1nosuchinstance000")))
    assert_documented("StartInstance", err)


def test_region_less_calls_find_instances_in_other_regions(client):
    iid = run(client, region_id="cn-beijing")[0]
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))  # client region is cn-hangzhou
    assert describe(client, iid, "cn-beijing")["Status"] == "Stopped"
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 0


def test_other_account_cannot_touch_instance(client, other):
    iid = run(client)[0]
    err = new_error(lambda: other.client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True)))
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    body = other.client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body
    assert body.total_count == 0


# -- ReplaceSystemDisk ------------------------------------------------------------------------
def test_replace_system_disk(client, legacy, engine):
    iid = run(client)[0]
    old_disk = disks(client, iid)[0]["DiskId"]
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id="ubuntu_22_04_x64_20G_alibase_20240130.vhd")))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("ReplaceSystemDisk", err)
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))

    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(instance_id=iid, image_id=ARM)))
    assert (err.code, err.status_code) == ("InvalidInstanceType.NotSupported", 400)
    assert_documented("ReplaceSystemDisk", err)
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id=WINDOWS, system_disk=models.ReplaceSystemDiskRequestSystemDisk(size=30))))
    assert (err.code, err.status_code) == ("InvalidSystemDiskSize.LessThanImageSize", 404)
    assert_documented("ReplaceSystemDisk", err)
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id="m-bp1doesnotexist00000")))
    assert (err.code, err.status_code) == ("InvalidImageId.NotFound", 404)
    assert_documented("ReplaceSystemDisk", err)
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(instance_id=iid)))
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    assert_documented("ReplaceSystemDisk", err)

    resp = client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id=WINDOWS, system_disk=models.ReplaceSystemDiskRequestSystemDisk(size=50)))
    assert "RegionId" not in engine.calls[-1].params
    new_disk = resp.body.disk_id
    assert re.match(r"^d-bp1[a-z0-9]{17}$", new_disk) and new_disk != old_disk
    item = describe(client, iid)
    assert item["ImageId"] == WINDOWS and item["OSType"] == "windows" and item["OSName"].startswith("Windows")
    found = disks(client, iid)
    assert [(d["DiskId"], d["Type"], d["Size"], d["ImageId"]) for d in found] == [(new_disk, "system", 50, WINDOWS)]

    req = ReplaceSystemDiskRequest()
    req.set_InstanceId(iid)
    req.set_ImageId(LINUX)
    assert legacy_call(legacy, req)["DiskId"] != new_disk
    assert describe(client, iid)["ImageId"] == LINUX


def test_replace_system_disk_marks_image_used_and_rejects_data_disk_images(client, engine):
    account = engine.accounts.default_account_id
    image = put_image(engine, account)
    with_data = put_image(engine, account, DiskDeviceMappings={"DiskDeviceMapping": [
        {"Device": "/dev/xvda", "Type": "system", "Size": "40", "SnapshotId": "s-bp1sys00000000000002"},
        {"Device": "/dev/xvdb", "Type": "data", "Size": "100", "SnapshotId": "s-bp1data0000000000002"}]})
    iid = client.create_instance(models.CreateInstanceRequest(region_id=REGION, image_id=LINUX,
                                                              instance_type=X86_TYPE)).body.instance_id
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id=with_data["ImageId"])))
    assert (err.code, err.status_code) == ("OperationDenied", 400)
    assert_documented("ReplaceSystemDisk", err)
    client.replace_system_disk(models.ReplaceSystemDiskRequest(instance_id=iid, image_id=image["ImageId"]))
    assert stored(engine, "image", image["ImageId"])["Usage"] == "instance"
    assert describe(client, iid)["ImageId"] == image["ImageId"]


# -- paging and filters ---------------------------------------------------------------------
def test_describe_instances_paging_and_filters(client):
    ids = run(client, amount=5)
    arm = run(client, ARM, ARM_TYPE)[0]
    client.stop_instance(models.StopInstanceRequest(instance_id=ids[0]))

    def page(**kw):
        return client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kw)).body.to_map()

    assert page()["TotalCount"] == 6
    assert [i["InstanceId"] for i in page(page_size=2, page_number=3)["Instances"]["Instance"]] == [ids[4], arm]
    assert page(page_size=2, page_number=9)["Instances"]["Instance"] == []
    assert [i["InstanceId"] for i in page(image_id=ARM)["Instances"]["Instance"]] == [arm]
    assert [i["InstanceId"] for i in page(status="Stopped")["Instances"]["Instance"]] == [ids[0]]
    assert page(instance_ids=",".join(ids[:2]))["TotalCount"] == 2  # a bare comma list also works
    # single quotes too, as the service's JSON parser takes them (aliyun-cli's documented --InstanceIds form)
    assert page(instance_ids=f"['{ids[0]}', '{ids[1]}']")["TotalCount"] == 2
    for broken in (f"['{ids[0]}'", f"['{ids[0]}',]", f"['{ids[0]}\"]"):
        err = new_error(lambda broken=broken: page(instance_ids=broken))
        assert (err.code, err.status_code) == ("InvalidParameter", 400), broken
        assert 'The specified parameter "InstanceIds" is not valid.' in err.message

    seen, token = [], None
    while True:
        body = page(max_results=4, next_token=token)
        seen += [i["InstanceId"] for i in body["Instances"]["Instance"]]
        token = body["NextToken"]
        if not token:
            break
    assert seen == ids + [arm]

    err = new_error(lambda: page(next_token="not-a-token"))
    assert (err.code, err.status_code) == ("Invalid.NextToken", 403)
    err = new_error(lambda: page(status="Exploded"))
    assert (err.code, err.status_code) == ("InvalidStatus.NotFound", 404)
    assert_documented("DescribeInstances", err)
    err = new_error(lambda: page(page_size=101))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


def test_describe_disks_filters_and_errors(client):
    iid = run(client, data_disk=[models.RunInstancesRequestDataDisk(size=50), models.RunInstancesRequestDataDisk(
        size=60, device="/dev/xvdd")])[0]
    found = disks(client, iid)
    assert [(d["Type"], d["Device"]) for d in found] == [
        ("system", "/dev/xvda"), ("data", "/dev/xvdb"), ("data", "/dev/xvdd")]
    assert [d["Type"] for d in disks(client, iid, disk_type="system")] == ["system"]
    body = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, max_results=2)).body.to_map()
    assert len(body["Disks"]["Disk"]) == 3 and body["NextToken"] == "" and body["TotalCount"] == 3  # 2 reads as 10
    err = new_error(lambda: disks(client, iid, disk_type="floppy"))
    assert (err.code, err.status_code) == ("InvalidDiskType.ValueNotSupported", 400)
    assert_documented("DescribeDisks", err)
    err = new_error(lambda: client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, disk_ids=json.dumps([f"d-{i}" for i in range(101)]))))
    assert (err.code, err.status_code) == ("InvalidDiskIds.Malformed", 403)
    assert_documented("DescribeDisks", err)
    err = new_error(lambda: run(client, data_disk=[models.RunInstancesRequestDataDisk(size=5)]))
    assert err.code == "InvalidDataDiskSize.ValueNotSupported"


def test_a_data_disk_entry_naming_no_disk_is_ignored(client):
    # Packer 1.4 sent DataDisk.1 with DeleteWithInstance alone before its real disks; the service made the real
    # ones only (alibaba/packer-provider#47). A size alone still has to be in range (above).
    iid = run(client, data_disk=[models.RunInstancesRequestDataDisk(delete_with_instance=False),
                                 models.RunInstancesRequestDataDisk(size=20, category="cloud_essd")])[0]
    assert [(d["Type"], d["Size"], d["Device"]) for d in disks(client, iid)] == [
        ("system", 40, "/dev/xvda"), ("data", 20, "/dev/xvdb")]


def test_an_essd_system_disk_below_its_performance_level_is_refused(client):
    # PL2 starts at 461 GiB (documented; DescribePrice and ResizeDisk apply it too): a launch refuses less.
    disk = {"category": "cloud_essd", "size": 60, "performance_level": "PL2"}
    err = new_error(lambda: run(client, system_disk=models.RunInstancesRequestSystemDisk(**disk)))
    assert (err.code, err.status_code) == ("InvalidSystemDiskSize.ValueNotSupported", 400) and "461" in err.message
    assert_documented("RunInstances", err)
    err = new_error(lambda: client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE,
        system_disk=models.CreateInstanceRequestSystemDisk(**disk))))
    assert (err.code, err.status_code) == ("InvalidDisk.SystemDiskSize", 403)
    assert_documented("CreateInstance", err)
    assert run(client, system_disk=models.RunInstancesRequestSystemDisk(**{**disk, "size": 461}))

def test_replace_system_disk_keeps_login_as_non_root(client):
    iid = run(client, image_options=models.RunInstancesRequestImageOptions(login_as_non_root=True))[0]
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id=NO_NON_ROOT)))
    assert (err.code, err.status_code) == ("LoginAsNonRoot.ImageNotSupport", 400)
    assert_documented("ReplaceSystemDisk", err)
    client.replace_system_disk(models.ReplaceSystemDiskRequest(
        instance_id=iid, image_id="ubuntu_22_04_x64_20G_alibase_20240130.vhd"))
    assert describe(client, iid)["ImageOptions"]["LoginAsNonRoot"] is True


# -- documented details found in the audit ----------------------------------------------------
def test_describe_instances_max_results_is_clamped_to_10_100(client):
    # DescribeInstances documents: MaxResults unset or below 10 -> 10; above 100 -> 100 (no error).
    run(client, amount=12)

    def page(**kw):
        return client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kw)).body.to_map()

    first = page(max_results=4)
    assert len(first["Instances"]["Instance"]) == 10 and first["NextToken"]
    rest = page(max_results=4, next_token=first["NextToken"])
    assert len(rest["Instances"]["Instance"]) == 2 and rest["NextToken"] == ""
    assert len(page(max_results=101)["Instances"]["Instance"]) == 12


def test_describe_disks_max_results_is_clamped_to_10_500(client):
    run(client, amount=11)
    body = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, max_results=2)).body.to_map()
    assert len(body["Disks"]["Disk"]) == 10 and body["NextToken"]
    body = client.describe_disks(models.DescribeDisksRequest(region_id=REGION, max_results=501)).body.to_map()
    assert len(body["Disks"]["Disk"]) == 11 and body["NextToken"] == ""


def test_describe_instances_instance_name_wildcard(client):
    web = run(client, instance_name="web-01")[0]
    run(client, instance_name="db-01")

    def names(pattern):
        body = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, instance_name=pattern))
        return [i.instance_id for i in body.body.instances.instance]

    assert names("web*") == [web]
    assert names("*eb-0*") == [web]
    assert names("web-01") == [web]
    assert names("web") == []


def test_too_many_tags_answer_invalid_tag_count(client):
    tags = [models.DescribeInstancesRequestTag(key=f"k{i}", value="v") for i in range(21)]
    err = new_error(lambda: client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, tag=tags)))
    assert (err.code, err.status_code) == ("InvalidTagCount", 400)
    assert_documented("DescribeInstances", err)
    err = new_error(lambda: client.describe_disks(models.DescribeDisksRequest(
        region_id=REGION, tag=[models.DescribeDisksRequestTag(key=f"k{i}", value="v") for i in range(21)])))
    assert_documented("DescribeDisks", err)
    err = new_error(lambda: run(client, tag=[models.RunInstancesRequestTag(key=f"k{i}", value="v") for i in range(21)]))
    assert (err.code, err.status_code) == ("InvalidTagCount", 400)
    assert_documented("RunInstances", err)
    assert run(client, tag=[models.RunInstancesRequestTag(key=f"k{i}", value="v") for i in range(20)])


def test_data_disk_documented_errors(client, engine):
    err = new_error(lambda: run(client, data_disk=[models.RunInstancesRequestDataDisk(size=5)]))
    assert (err.code, err.status_code) == ("InvalidDataDiskSize.ValueNotSupported", 400)
    assert_documented("RunInstances", err)
    err = new_error(lambda: run(client, data_disk=[models.RunInstancesRequestDataDisk(
        snapshot_id="s-bp1doesnotexist00000")]))
    assert (err.code, err.status_code) == ("InvalidDataDiskSnapshotId.NotFound", 404)
    assert_documented("RunInstances", err)
    err = new_error(lambda: client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE,
        data_disk=[models.CreateInstanceRequestDataDisk(snapshot_id="s-bp1doesnotexist00000")])))
    assert_documented("CreateInstance", err)
    for devices in (["/dev/xvda"], ["/dev/xvdc", "/dev/xvdc"], ["sdb"]):
        err = new_error(lambda devices=devices: run(client, data_disk=[
            models.RunInstancesRequestDataDisk(size=20, device=d) for d in devices]))
        assert (err.code, err.status_code) == ("InvalidDataDevice.Malformed", 400), devices
        assert_documented("RunInstances", err)
    # a data disk from a snapshot that is still being made
    engine.lifecycle.delay("snapshot", seconds=10)
    source = disks(client, run(client)[0])[0]["DiskId"]
    snap = client.create_snapshot(models.CreateSnapshotRequest(disk_id=source)).body.snapshot_id
    err = new_error(lambda: run(client, data_disk=[models.RunInstancesRequestDataDisk(snapshot_id=snap)]))
    assert (err.code, err.status_code) == ("InvalidSnapshotId.NotReady", 403)
    assert_documented("RunInstances", err)
    engine.clock.advance(10)
    iid = run(client, data_disk=[models.RunInstancesRequestDataDisk(snapshot_id=snap)])[0]
    assert [d["SourceSnapshotId"] for d in disks(client, iid, disk_type="data")] == [snap]


def test_replace_system_disk_size_bounds(client, engine):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    small = put_image(engine, DEFAULT_ACCOUNT_ID, Size=5)
    iid = client.create_instance(models.CreateInstanceRequest(region_id=REGION, image_id=LINUX,
                                                              instance_type=X86_TYPE)).body.instance_id

    def replace(image_id, size):
        return client.replace_system_disk(models.ReplaceSystemDiskRequest(
            instance_id=iid, image_id=image_id, system_disk=models.ReplaceSystemDiskRequestSystemDisk(size=size)))

    err = new_error(lambda: replace(small["ImageId"], 10))  # bigger than the image, below the 20 GiB floor
    assert (err.code, err.status_code) == ("InvalidSystemDiskSize.LessThanMinSize", 404)
    assert_documented("ReplaceSystemDisk", err)
    err = new_error(lambda: replace(WINDOWS, 30))
    assert (err.code, err.status_code) == ("InvalidSystemDiskSize.LessThanImageSize", 404)
    err = new_error(lambda: replace(LINUX, 2049))
    assert (err.code, err.status_code) == ("InvalidSystemDiskSize.MoreThanMaxSize", 404)
    assert_documented("ReplaceSystemDisk", err)
    replace(LINUX, 2048)
    assert disks(client, iid)[0]["Size"] == 2048
    replace(small["ImageId"], 20)
    assert disks(client, iid)[0]["Size"] == 20


def test_replace_system_disk_while_its_snapshot_is_made(client, engine):
    engine.lifecycle.delay("snapshot", seconds=10)
    iid = client.create_instance(models.CreateInstanceRequest(region_id=REGION, image_id=LINUX,
                                                              instance_type=X86_TYPE)).body.instance_id
    client.create_snapshot(models.CreateSnapshotRequest(disk_id=disks(client, iid)[0]["DiskId"]))
    err = new_error(lambda: client.replace_system_disk(models.ReplaceSystemDiskRequest(instance_id=iid,
                                                                                       image_id=LINUX)))
    assert (err.code, err.status_code) == ("DiskCreatingSnapshot", 403)
    assert_documented("ReplaceSystemDisk", err)
    engine.clock.advance(10)
    assert client.replace_system_disk(models.ReplaceSystemDiskRequest(instance_id=iid, image_id=LINUX)).body.disk_id


def test_data_disk_device_resizes_a_disk_of_a_whole_machine_image(client, engine):
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID

    image = put_image(engine, DEFAULT_ACCOUNT_ID, DiskDeviceMappings={"DiskDeviceMapping": [
        {"Device": "/dev/xvda", "Type": "system", "Size": "40", "SnapshotId": "s-bp1sys00000000000003"},
        {"Device": "/dev/xvdb", "Type": "data", "Size": "100", "SnapshotId": "s-bp1data0000000000003"}]})
    iid = run(client, image["ImageId"], data_disk=[
        models.RunInstancesRequestDataDisk(device="/dev/xvdb", size=200, category="cloud_auto"),
        models.RunInstancesRequestDataDisk(size=30)])[0]
    found = [(d["Device"], d["Size"], d["Category"], d["SourceSnapshotId"])
             for d in disks(client, iid, disk_type="data")]
    # (DataDisk.N.Category unset: cloud_essd on a type that sells ESSDs only, option default_disk_category by_type)
    assert found == [("/dev/xvdb", 200, "cloud_auto", "s-bp1data0000000000003"),
                     ("/dev/xvdc", 30, "cloud_essd", "")]
    err = new_error(lambda: run(client, image["ImageId"], data_disk=[
        models.RunInstancesRequestDataDisk(device="/dev/xvdb", size=50)]))  # smaller than the image's disk
    assert (err.code, err.status_code) == ("InvalidDataDiskSize.ValueNotSupported", 400)


@pytest.mark.parametrize("category, level, ok, bad", [
    ("cloud", None, 5, 2001), ("cloud_auto", None, 1, 32769), ("cloud_essd", "PL0", 1, 0),
    ("cloud_essd", None, 20, 19), ("cloud_essd", "PL2", 461, 460), ("cloud_efficiency", None, 20, 19)])
def test_data_disk_size_range_per_category(client, category, level, ok, bad):
    def disk(size):
        return [models.RunInstancesRequestDataDisk(size=size, category=category, performance_level=level)]

    itype = "ecs.g6.large" if category == "cloud_efficiency" else X86_TYPE  # (a type that sells the category)
    iid = run(client, instance_type=itype, data_disk=disk(ok))[0]
    assert [d["Size"] for d in disks(client, iid, disk_type="data")] == [ok]
    err = new_error(lambda: run(client, instance_type=itype, data_disk=disk(bad)))
    assert (err.code, err.status_code) == ("InvalidDataDiskSize.ValueNotSupported", 400)


def test_describe_instances_creation_time_filters(client, engine):
    early = run(client)[0]
    engine.clock.advance(3600)
    late = run(client)[0]
    created = resources.parse_iso(describe(client, early)["CreationTime"])
    cut = resources.iso_minute(created + 1800)  # the documented yyyy-MM-ddTHH:mmZ form

    def ids(*filters):
        found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, filter=[
            models.DescribeInstancesRequestFilter(key=k, value=v) for k, v in filters]))
        return [i.instance_id for i in found.body.instances.instance]

    assert ids(("CreationStartTime", cut)) == [late]
    assert ids(("CreationEndTime", cut)) == [early]
    assert ids(("CreationStartTime", cut), ("CreationEndTime", cut)) == []
    assert ids(("ExpiredEndTime", "2030-01-01T00:00Z")) == []  # pay-as-you-go instances never expire
    err = new_error(lambda: ids(("Colour", "red")))
    assert (err.code, err.status_code) == ("InvalidFilterKey.NotFound", 404)
    assert_documented("DescribeInstances", err)
    err = new_error(lambda: ids(("CreationStartTime", "yesterday")))
    assert (err.code, err.status_code) == ("InvalidFilterValue", 404)
    assert_documented("DescribeInstances", err)


def test_internet_bandwidth_range_and_defaults(client):
    err = new_error(lambda: run(client, internet_max_bandwidth_out=101))
    assert (err.code, err.status_code) == ("InvalidInternetMaxBandwidthOut.Malformed", 400)
    assert_documented("RunInstances", err)
    item = describe(client, run(client)[0])
    assert (item["InternetMaxBandwidthOut"], item["InternetMaxBandwidthIn"]) == (0, 10)
    item = describe(client, run(client, internet_max_bandwidth_out=50)[0])
    assert (item["InternetMaxBandwidthOut"], item["InternetMaxBandwidthIn"]) == (50, 50)


def test_stopped_mode_follows_stop_and_start(client):
    iid = run(client)[0]
    assert describe(client, iid)["StoppedMode"] == "Not-applicable"
    client.stop_instance(models.StopInstanceRequest(instance_id=iid, stopped_mode="StopCharging"))
    assert describe(client, iid)["StoppedMode"] == "StopCharging"
    client.start_instance(models.StartInstanceRequest(instance_id=iid))
    assert describe(client, iid)["StoppedMode"] == "Not-applicable"
    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    assert describe(client, iid)["StoppedMode"] == "KeepCharging"
    client.start_instance(models.StartInstanceRequest(instance_id=iid))
    err = new_error(lambda: client.stop_instance(models.StopInstanceRequest(instance_id=iid, stopped_mode="Nap")))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


# -- network placement (issue 12): vSwitch, security groups, zone, addresses -------------------------------------
def _network(client, engine, cidr: str = "172.16.0.0/24", zone: str = "cn-hangzhou-j") -> tuple[str, str, str]:
    """A VPC, a vSwitch in ``zone`` and a security group of that VPC: (vpc, vswitch, group)."""
    vpc_id = networks_helpers.new_vpc(client, "10.0.0.0/8" if cidr.startswith("10.") else None)
    vswitch_id = networks_helpers.new_vswitch(client, vpc_id, cidr, zone)
    return vpc_id, vswitch_id, networks_helpers.put_security_group(engine, engine.accounts.default_account_id, vpc_id)


def test_run_instances_in_a_vswitch(client, engine):
    vpc_id, vswitch_id, group_id = _network(client, engine)
    ids = run(client, amount=3, v_switch_id=vswitch_id, security_group_ids=[group_id])
    items = [describe(client, i) for i in ids]
    addresses = [i["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for i in items]
    assert addresses == ["172.16.0.1", "172.16.0.2", "172.16.0.3"]
    for item, address in zip(items, addresses):
        assert item["ZoneId"] == "cn-hangzhou-j" and item["InstanceNetworkType"] == "vpc"
        assert item["VpcAttributes"] == {"VpcId": vpc_id, "VSwitchId": vswitch_id, "NatIpAddress": "",
                                         "PrivateIpAddress": {"IpAddress": [address]}}
        assert item["InnerIpAddress"] == {"IpAddress": []}
        assert item["SecurityGroupIds"] == {"SecurityGroupId": [group_id]}
        (eni,) = item["NetworkInterfaces"]["NetworkInterface"]
        assert re.match(r"^eni-bp1[a-z0-9]{17}$", eni["NetworkInterfaceId"]) and eni["Type"] == "Primary"
        assert re.match(r"^00:16:3e(:[0-9a-f]{2}){3}$", eni["MacAddress"]) and eni["PrimaryIpAddress"] == address
        assert eni["PrivateIpSets"]["PrivateIpSet"] == [{"PrivateIpAddress": address, "Primary": True,
                                                         "PrivateDnsName": ""}]
    assert networks_helpers.one_vswitch(client, vswitch_id)["AvailableIpAddressCount"] == 249
    client.delete_instance(models.DeleteInstanceRequest(instance_id=ids[1], force=True))
    assert networks_helpers.one_vswitch(client, vswitch_id)["AvailableIpAddressCount"] == 250
    (again,) = run(client, v_switch_id=vswitch_id)  # the address given back is handed out again
    assert describe(client, again)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == ["172.16.0.2"]


def test_create_instance_with_a_chosen_private_address(client, engine, legacy):
    _, vswitch_id, group_id = _network(client, engine, "10.8.0.0/29")  # 4 usable: .1 to .4
    req = CreateInstanceRequest()
    req.set_ImageId(LINUX)
    req.set_InstanceType(X86_TYPE)
    req.set_VSwitchId(vswitch_id)
    req.set_SecurityGroupId(group_id)
    req.set_PrivateIpAddress("10.8.0.3")
    iid = legacy_call(legacy, req)["InstanceId"]
    assert describe(client, iid)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] == ["10.8.0.3"]

    def create(**kw):
        return client.create_instance(models.CreateInstanceRequest(
            region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch_id, **kw))

    for address, code in [("10.8.0.3", "InvalidPrivateIpAddress.Duplicated"), ("10.9.0.1", "InvalidPrivateIpAddress"),
                          ("10.8.0.7", "InvalidPrivateIpAddress"), ("10.8.0.0", "InvalidPrivateIpAddress"),
                          ("ten.8.0.1", "InvalidPrivateIpAddress.Malformed")]:
        networks_helpers.documented("CreateInstance", new_error(create, private_ip_address=address), code)
    ids = run(client, amount=3, v_switch_id=vswitch_id)  # the allocator skips the chosen address
    assert sorted(describe(client, i)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for i in ids) == [
        "10.8.0.1", "10.8.0.2", "10.8.0.4"]
    networks_helpers.documented("RunInstances", new_error(run, client, v_switch_id=vswitch_id),
                                "QuotaExceeded.PrivateIpAddress")
    err = new_error(run, client, private_ip_address="10.8.0.1")  # no vSwitch to take it from
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    assert err.data["Message"] == documented_error("RunInstances", "MissingParameter")[1]
    err = new_error(run, client, amount=2, v_switch_id=vswitch_id, private_ip_address="10.8.0.1")
    assert (err.code, err.status_code) == ("InvalidParameter.PrivateIpAddressRepeated", 403)
    assert_documented("RunInstances", err)


def test_launch_network_errors(client, engine, other):
    vpc_id, vswitch_id, group_id = _network(client, engine)
    other_vpc = networks_helpers.new_vpc(client, "10.0.0.0/8")
    foreign_group = networks_helpers.put_security_group(engine, engine.accounts.default_account_id, other_vpc)
    classic_group = networks_helpers.put_security_group(engine, engine.accounts.default_account_id)
    theirs = networks_helpers.put_security_group(engine, other.account_id, vpc_id)

    def create(**kw):
        return client.create_instance(models.CreateInstanceRequest(
            region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, **kw))

    def run_in(**kw):
        return run(client, instance_type=X86_TYPE, **kw)

    for launch_call, action in ((create, "CreateInstance"), (run_in, "RunInstances")):
        def check(code, status=None, call=launch_call, action=action, **kw):
            networks_helpers.documented(action, new_error(call, **kw), code, status)

        check("InvalidVSwitchId.NotFound", 404, v_switch_id="vsw-bp1doesnotexist0000")
        check("InvalidSecurityGroupId.NotFound", 404, v_switch_id=vswitch_id, security_group_id="sg-bp1none")
        check("InvalidSecurityGroupId.NotFound", 404, v_switch_id=vswitch_id, security_group_id=theirs)
        check("InvalidParameter.Mismatch", v_switch_id=vswitch_id, security_group_id=foreign_group)
        check("InvalidParameter.Mismatch", v_switch_id=vswitch_id, security_group_id=classic_group)
        check("InvalidVSwitchId.Necessary", security_group_id=group_id)
        check("InvalidZoneId.NotFound", zone_id="cn-hangzhou-z")
    # a ZoneId other than the vSwitch's: the service answers InvalidVSwitchId.NotFound (see mockecs.world.networks)
    networks_helpers.documented("CreateInstance", new_error(create, v_switch_id=vswitch_id, zone_id="cn-hangzhou-i"),
                                "InvalidVSwitchId.NotFound", 403)
    networks_helpers.documented("RunInstances", new_error(run_in, v_switch_id=vswitch_id, zone_id="cn-hangzhou-i"),
                                "InvalidVSwitchId.NotFound", 404)
    err = new_error(run_in, v_switch_id=vswitch_id, security_group_id=group_id, security_group_ids=[group_id])
    assert (err.code, err.status_code) == ("InvalidSecurityGroupId.SingleIdAndMultiIdConflict", 400)
    assert_documented("RunInstances", err)
    err = new_error(run_in, v_switch_id=vswitch_id, security_group_ids=[group_id, group_id])
    assert (err.code, err.status_code) == ("InvalidParameter.SecurityGroupIdRepeated", 400)
    assert_documented("RunInstances", err)
    # the same ZoneId as the vSwitch's is fine; nothing above left an instance or used an address
    (iid,) = run_in(v_switch_id=vswitch_id, zone_id="cn-hangzhou-j", security_group_id=group_id)
    assert describe(client, iid)["ZoneId"] == "cn-hangzhou-j"
    assert networks_helpers.one_vswitch(client, vswitch_id)["AvailableIpAddressCount"] == 251


def test_classic_network_instances(client, engine):
    group_id = networks_helpers.put_security_group(engine, engine.accounts.default_account_id)
    ids = run(client, amount=2, security_group_id=group_id)
    items = [describe(client, i) for i in ids]
    inner = [i["InnerIpAddress"]["IpAddress"][0] for i in items]
    assert len(set(inner)) == 2 and all(re.match(r"^10\.\d+\.\d+\.\d+$", a) for a in inner)
    for item in items:
        assert item["InstanceNetworkType"] == "classic" and item["NetworkInterfaces"] == {"NetworkInterface": []}
        assert item["VpcAttributes"] == {"VpcId": "", "VSwitchId": "", "NatIpAddress": "",
                                         "PrivateIpAddress": {"IpAddress": []}}
        assert item["SecurityGroupIds"]["SecurityGroupId"] == [group_id]


def test_describe_instances_network_filters(client, engine, legacy):
    vpc_a, vsw_a, group_a = _network(client, engine)
    vpc_b = networks_helpers.new_vpc(client, "10.0.0.0/8")
    vsw_b = networks_helpers.new_vswitch(client, vpc_b, "10.0.0.0/24", "cn-hangzhou-k")
    in_a = run(client, amount=2, v_switch_id=vsw_a, security_group_id=group_a)
    (in_b,) = run(client, v_switch_id=vsw_b)
    (classic,) = run(client)
    inner = describe(client, classic)["InnerIpAddress"]["IpAddress"][0]

    def ids(**kw):
        body = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kw)).body.to_map()
        return sorted(i["InstanceId"] for i in body["Instances"]["Instance"])

    assert ids(vpc_id=vpc_a) == sorted(in_a) and ids(v_switch_id=vsw_b) == [in_b]
    assert ids(security_group_id=group_a) == sorted(in_a) and ids(vpc_id=vpc_a, v_switch_id=vsw_b) == []
    assert ids(private_ip_addresses=json.dumps(["172.16.0.2", "10.0.0.1"])) == sorted([in_a[1], in_b])
    assert ids(private_ip_addresses=json.dumps(["172.16.0.2"]), instance_ids=json.dumps([in_a[0]])) == []
    assert ids(private_ip_addresses=json.dumps(["192.168.9.9"])) == []
    assert ids(inner_ip_addresses=json.dumps([inner])) == [classic]
    assert ids(instance_network_type="classic") == [classic]
    assert ids(instance_network_type="vpc") == sorted([*in_a, in_b])
    req = DescribeInstancesRequest()
    req.set_InstanceNetworkType("mesh")
    err = old_error(legacy, req)
    assert (err.get_error_code(), err.get_http_status(), err.get_error_msg()) == (
        "InvalidNetworkType.NotFound", *documented_error("DescribeInstances", "InvalidNetworkType.NotFound"))


def test_dry_run_and_client_token_reserve_no_address(client, engine):
    _, vswitch_id, _ = _network(client, engine)
    err = new_error(run, client, v_switch_id=vswitch_id, dry_run=True)
    assert (err.code, err.status_code) == ("DryRunOperation", 400)
    first = run(client, v_switch_id=vswitch_id, client_token="one-build")
    assert run(client, v_switch_id=vswitch_id, client_token="one-build") == first
    assert networks_helpers.one_vswitch(client, vswitch_id)["AvailableIpAddressCount"] == 251


# -- reboot ---------------------------------------------------------------------------------------
def test_reboot_instance(client, legacy, engine):
    """RebootInstance through the current SDK (sync and async) and the old SDK (JSON and XML): only a Running
    instance reboots, Starting until it runs again (realistic delays), DryRun checks without rebooting."""
    from aliyunsdkecs.request.v20140526.RebootInstanceRequest import RebootInstanceRequest

    from tests.sdk import legacy_xml

    iid = run(client)[0]
    started = describe(client, iid)["StartTime"]
    err = new_error(lambda: client.reboot_instance(models.RebootInstanceRequest(instance_id=iid, dry_run=True)))
    assert (err.code, err.status_code) == ("DryRunOperation", 400)
    engine.lifecycle.delay("instance", seconds=5)
    engine.clock.advance(120)
    client.reboot_instance(models.RebootInstanceRequest(instance_id=iid, force_stop=True))
    assert engine.calls[-1].region == REGION and "RegionId" not in engine.calls[-1].params
    assert describe(client, iid)["Status"] == "Starting"
    err = new_error(lambda: client.reboot_instance(models.RebootInstanceRequest(instance_id=iid)))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("RebootInstance", err)
    engine.clock.advance(5)
    after = describe(client, iid)
    assert after["Status"] == "Running" and MINUTE.match(after["StartTime"]) and after["StartTime"] > started

    engine.lifecycle.delay("instance", seconds=0)
    asyncio.run(client.reboot_instance_async(models.RebootInstanceRequest(instance_id=iid)))
    assert describe(client, iid)["Status"] == "Running"
    req = RebootInstanceRequest()
    req.set_InstanceId(iid)
    assert set(legacy_call(legacy, req)) == {"RequestId"}
    assert legacy_xml(legacy, req).tag == "RebootInstanceResponse"

    client.stop_instance(models.StopInstanceRequest(instance_id=iid))
    err = new_error(lambda: client.reboot_instance(models.RebootInstanceRequest(instance_id=iid)))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    err = new_error(lambda: client.reboot_instance(models.RebootInstanceRequest(instance_id="i-bp1nosuchinstance000")))
    assert (err.code, err.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert_documented("RebootInstance", err)
    err = new_error(lambda: client.reboot_instance(models.RebootInstanceRequest()))
    assert (err.code, err.status_code) == ("MissingParameter", 400) and '"InstanceId"' in err.data["Message"]


# -- DescribeInstanceStatus -------------------------------------------------------------------------
def test_describe_instance_status(client, legacy, engine):
    """Each instance's id and Status, as tools poll them: every instance of the caller in the region (oldest
    first, paged, up to 50 a page), or those named (InstanceId.N) or in a zone; the documented errors."""
    from aliyunsdkecs.request.v20140526.DescribeInstanceStatusRequest import DescribeInstanceStatusRequest

    from tests.sdk import legacy_xml

    first = run(client, amount=3)
    engine.clock.advance(1)
    second = run(client)
    client.stop_instance(models.StopInstanceRequest(instance_id=second[0]))
    run(client, region_id="cn-beijing")  # another region's: never listed here

    def statuses(**kw: Any) -> dict:
        # (every JSON answer is checked against the SDK's response model by an autouse fixture)
        request = models.DescribeInstanceStatusRequest(region_id=REGION, **kw)
        return client.describe_instance_status(request).body.to_map()

    every = statuses()
    assert (every["TotalCount"], every["PageNumber"], every["PageSize"]) == (4, 1, 10)
    assert [(s["InstanceId"], s["Status"]) for s in every["InstanceStatuses"]["InstanceStatus"]] == \
        [(i, "Running") for i in first] + [(second[0], "Stopped")]
    page = statuses(page_size=3, page_number=2)
    assert page["TotalCount"] == 4 and [s["InstanceId"] for s in page["InstanceStatuses"]["InstanceStatus"]] == second
    named = statuses(instance_id=[second[0], first[1], "i-bp1nosuchinstance000"])
    assert named["TotalCount"] == 2
    assert [s["InstanceId"] for s in named["InstanceStatuses"]["InstanceStatus"]] == [first[1], second[0]]
    zone = describe(client, first[0])["ZoneId"]
    assert statuses(zone_id=zone)["TotalCount"] == 4
    other_zone = next(z for z in engine_zones(client) if z != zone)
    assert statuses(zone_id=other_zone)["TotalCount"] == 0

    engine.lifecycle.delay("instance", seconds=5)
    client.start_instance(models.StartInstanceRequest(instance_id=second[0]))
    assert statuses(instance_id=second)["InstanceStatuses"]["InstanceStatus"][0]["Status"] == "Starting"
    asyncio.run(client.describe_instance_status_async(models.DescribeInstanceStatusRequest(region_id=REGION)))
    engine.clock.advance(5)
    req = DescribeInstanceStatusRequest()
    req.set_InstanceIds([second[0]])  # (InstanceId.1 on the wire)
    body = legacy_call(legacy, req)
    assert body["InstanceStatuses"]["InstanceStatus"] == [{"InstanceId": second[0], "Status": "Running"}]
    xml = legacy_xml(legacy, req)
    assert [e.findtext("Status") for e in xml.iter("InstanceStatus")] == ["Running"]

    err = new_error(lambda: statuses(instance_id=[f"i-bp1{n:017d}" for n in range(101)]))
    assert (err.code, err.status_code) == ("InvalidParameter.TooManyInstanceIds", 403)
    assert_documented("DescribeInstanceStatus", err)
    err = new_error(lambda: statuses(zone_id="cn-hangzhou-zz"))
    assert (err.code, err.status_code) == ("InvalidZoneId.NotFound", 404)
    assert_documented("DescribeInstanceStatus", err)
    err = new_error(lambda: client.describe_instance_status(models.DescribeInstanceStatusRequest()))
    assert (err.code, err.status_code) == ("MissingParameter", 400) and '"RegionId"' in err.data["Message"]


def engine_zones(client: Any) -> list[str]:
    return [z["ZoneId"] for z in client.describe_zones(models.DescribeZonesRequest(region_id=REGION)).body.to_map()
            ["Zones"]["Zone"]]


# -- StartInstances, StopInstances, RebootInstances ---------------------------------------------------------
def test_batch_start_stop_reboot(client, legacy, engine):
    """The batch forms through the current SDK (sync and async) and the old SDK: AllTogether applies to every
    instance or, on the first refusal, to none; SuccessFirst answers each instance's own Code and Message;
    DryRun answers DRYRUN.SUCCESS after the checks (always, with SuccessFirst); the documented limits."""
    from aliyunsdkecs.request.v20140526.StopInstancesRequest import StopInstancesRequest

    first, second, third = run(client, amount=3)

    def statuses() -> list[str]:
        return [describe(client, i)["Status"] for i in (first, second, third)]

    engine.lifecycle.delay("instance", seconds=5)
    body = client.stop_instances(models.StopInstancesRequest(region_id=REGION, instance_id=[first, second],
                                                             stopped_mode="StopCharging")).body.to_map()
    assert body["InstanceResponses"]["InstanceResponse"] == [
        {"InstanceId": i, "Code": "200", "Message": "success", "PreviousStatus": "Running",
         "CurrentStatus": "Stopping"} for i in (first, second)]
    engine.clock.advance(5)
    assert statuses() == ["Stopped", "Stopped", "Running"]
    assert describe(client, first)["StoppedMode"] == "StopCharging"

    # AllTogether: third is Running, so nothing starts (first is not left Starting either).
    err = new_error(lambda: client.start_instances(models.StartInstancesRequest(
        region_id=REGION, instance_id=[first, third])))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("StartInstances", err)
    assert statuses() == ["Stopped", "Stopped", "Running"]

    # SuccessFirst: each on its own.
    body = client.start_instances(models.StartInstancesRequest(
        region_id=REGION, instance_id=[first, third, "i-bp1nosuchinstance000"],
        batch_optimization="SuccessFirst")).body.to_map()
    assert [(r["InstanceId"], r["Code"], r["PreviousStatus"], r["CurrentStatus"])
            for r in body["InstanceResponses"]["InstanceResponse"]] == [
        (first, "200", "Stopped", "Starting"), (third, "IncorrectInstanceStatus", "Running", "Running"),
        ("i-bp1nosuchinstance000", "InvalidInstanceId.NotFound", "", "")]
    engine.clock.advance(5)
    assert statuses() == ["Running", "Stopped", "Running"]

    for optimization in ("AllTogether", "SuccessFirst"):  # DryRun: checked, nothing changes
        err = new_error(lambda o=optimization: client.reboot_instances(models.RebootInstancesRequest(
            region_id=REGION, instance_id=[first, third], dry_run=True, batch_optimization=o)))
        assert (err.code, err.status_code) == ("DRYRUN.SUCCESS", 400)
        assert_documented("RebootInstances", err)
    assert statuses() == ["Running", "Stopped", "Running"]
    err = new_error(lambda: client.reboot_instances(models.RebootInstancesRequest(
        region_id=REGION, instance_id=[first, second], dry_run=True)))
    assert err.code == "IncorrectInstanceStatus"  # (AllTogether: the checks answer first)

    asyncio.run(client.reboot_instances_async(models.RebootInstancesRequest(region_id=REGION,
                                                                             instance_id=[first, third])))
    assert statuses() == ["Starting", "Stopped", "Starting"]
    engine.clock.advance(5)
    req = StopInstancesRequest()
    req.set_InstanceIds([first, third])
    answer = legacy_call(legacy, req)
    assert [r["Code"] for r in answer["InstanceResponses"]["InstanceResponse"]] == ["200", "200"]

    err = new_error(lambda: client.stop_instances(models.StopInstancesRequest(region_id=REGION)))
    assert (err.code, err.status_code, err.data["Message"]) == ("InvalidInstanceId.NotFound", 403,
                                                               "InstanceId should not be null.")
    assert_documented("StopInstances", err)
    err = new_error(lambda: client.stop_instances(models.StopInstancesRequest(
        region_id=REGION, instance_id=[f"i-bp1{n:017d}" for n in range(101)])))
    assert (err.code, err.status_code) == ("InvalidParameter.TooManyInstanceIds", 403)
    assert_documented("StopInstances", err)
    err = new_error(lambda: client.stop_instances(models.StopInstancesRequest(
        region_id=REGION, instance_id=[first], batch_optimization="Whenever")))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


def test_delete_instances(client, legacy, engine):
    """DeleteInstances through the current SDK and the old SDK: every instance or none (a Running one refuses
    the whole call without Force), disks go with their instance, ClientToken replays, the documented codes."""
    from aliyunsdkecs.request.v20140526.DeleteInstancesRequest import DeleteInstancesRequest

    first, second, third = run(client, amount=3)
    system_disk = disks(client, first)[0]["DiskId"]
    client.stop_instance(models.StopInstanceRequest(instance_id=first))
    err = new_error(lambda: client.delete_instances(models.DeleteInstancesRequest(
        region_id=REGION, instance_id=[first, second])))
    assert (err.code, err.status_code) == ("IncorrectInstanceStatus", 403)
    assert_documented("DeleteInstances", err)
    assert describe(client, first)["Status"] == "Stopped"  # (none released)
    err = new_error(lambda: client.delete_instances(models.DeleteInstancesRequest(
        region_id=REGION, instance_id=[first, "i-bp1nosuchinstance000"], force=True)))
    assert (err.code, err.status_code) == ("InvalidInstanceIds.NotFound", 404)
    assert_documented("DeleteInstances", err)
    err = new_error(lambda: client.delete_instances(models.DeleteInstancesRequest(
        region_id=REGION, instance_id=[first, second], force=True, dry_run=True)))
    assert (err.code, err.status_code) == ("DRYRUN.SUCCESS", 400)
    assert_documented("DeleteInstances", err)

    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=[first, second], force=True,
                                                          client_token="delete-once"))
    client.delete_instances(models.DeleteInstancesRequest(region_id=REGION, instance_id=[first, second], force=True,
                                                          client_token="delete-once"))  # (a replay: the same answer)
    listed = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.to_map()
    assert [i["InstanceId"] for i in listed["Instances"]["Instance"]] == [third]
    assert stored(engine, "disk", system_disk) is None
    req = DeleteInstancesRequest()
    req.set_InstanceIds([third])
    req.set_Force(True)
    assert set(legacy_call(legacy, req)) == {"RequestId"}
    assert client.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 0
    err = new_error(lambda: client.delete_instances(models.DeleteInstancesRequest(
        region_id=REGION, instance_id=[f"i-bp1{n:017d}" for n in range(101)])))
    assert (err.code, err.status_code) == ("InvalidParameter.TooManyInstanceIds", 403)
    err = new_error(lambda: client.delete_instances(models.DeleteInstancesRequest(region_id=REGION)))
    assert (err.code, err.status_code) == ("MissingParameter", 400)

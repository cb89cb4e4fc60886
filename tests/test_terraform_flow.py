"""Terraform runs unchanged: the calls ``aliyun/terraform-provider-alicloud`` makes for its image resources
(``alicloud_image``, ``alicloud_image_copy``, ``alicloud_image_share_permission``, ``alicloud_image_import``,
``alicloud_image_export``) and the ``alicloud_images`` data source, replayed through ``mockecs server`` as a plain
HTTP proxy in that client's wire form, with the provider's own reading of each answer.

The provider's Go SDK (alibaba-cloud-sdk-go) sends every call as an absolute-form ``POST http://<endpoint>/?...``
with all parameters in the query; it adds the client's ``RegionId`` when a request sets none, and leaves out
empty strings (``addParam``: ``len(value) > 0``). ``ListTagResources`` and ``JoinResourceGroup`` go through the
newer tea client (``client.RpcPost`` / ``DoRequest``): their parameters travel as a form body. What the provider
compares (read from its source, ``alicloud/service_alicloud_ecs.go`` and the resource files):

- ``DescribeImageById``: ``DescribeImages`` with ``ImageId`` and ``Status=Creating,Waiting,Available,UnAvailable,
  CreateFailed``; no image in ``Images.Image`` means gone (``NotFoundError``: the resource leaves the state).
- ``ImageStateRefreshFunc``: that status; create waits with pending ``Creating`` (an image) or ``Creating,Waiting``
  (a copy), target ``Available``, failing on ``CreateFailed``/``UnAvailable``; delete waits until no image answers.
- ``DescribeImageShareByImageId``: ``InvalidImageId.NotFound`` or an empty ``Accounts.Account`` means gone.
- ``FlattenImageDiskDeviceMappings``: ``strconv.Atoi(Size)``, ``Type``; the import's also ``Format``,
  ``ImportOSSBucket``, ``ImportOSSObject``; the snapshot's ``CreationTime`` parsed as ``2006-01-02T15:04:05Z``;
  ``alicloud_images`` sorts by ``CreationTime`` parsed as RFC 3339 (``most_recent``).
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

from tests import test_build_flow
from tests.sdk_shapes import first_problem
from tests.spec import documented_error
from tests.test_server import ServerProcess, clean, server  # noqa: F401  (fixtures: a server process, reset)

AK, SK = "terraform-access-key", "terraform-secret"
DOMAIN = "ecs-cn-hangzhou.aliyuncs.com"
REGION, OTHER = "cn-hangzhou", "cn-beijing"
ACCOUNT = "1111222233334444"  # another account (the default caller is 1234567890123456)
IMAGE_STATUSES = "Creating,Waiting,Available,UnAvailable,CreateFailed"  # DescribeImageById's Status
proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset (Packer's replay has the same wire)
GO_TIME = "%Y-%m-%dT%H:%M:%SZ"  # Go's "2006-01-02T15:04:05Z" layout (DescribeSnapshot's CreationTime check)


class Gone(Exception):
    """What the provider's ``NotFoundError`` / ``IsExpectedErrors`` lists take as "the resource is gone"."""


class Provider:
    """One provider configuration (``provider "alicloud" { region = ... }``), calling in its SDK's wire form
    (ECS's endpoint; a subclass names another product's: ``tests/test_terraform_vpc.py``)."""

    domain, version = DOMAIN, "2014-05-26"

    def __init__(self, region: str) -> None:
        self.region = region
        self.client = AcsClient(AK, SK, region)

    def call(self, action: str, **params: Any) -> dict:
        """The Go SDK's request structs (``client.WithEcsClient``): every parameter in the query."""
        return self.rpc_post(action, params, {})

    def rpc_post(self, action: str, query: dict[str, Any], body: dict[str, Any]) -> dict:
        """``client.RpcPost("Ecs", "2014-05-26", action, query, request, ...)``: ``request`` is the form body."""
        request = CommonRequest(domain=self.domain, version=self.version, action_name=action)
        request.set_method("POST")
        request.set_protocol_type("http")
        request.set_accept_format("json")
        if "RegionId" not in body:
            query.setdefault("RegionId", self.region)  # completeRpcSignParams: the client's region when unset
        for params, add in ((query, request.add_query_param), (body, request.add_body_params)):
            for key, value in params.items():
                if value in ("", None):
                    continue  # addParam drops empty values
                add(key, str(value).lower() if isinstance(value, bool) else str(value))
        answer = json.loads(self.client.do_action_with_exception(request))
        assert first_problem(action, answer, self.version) is None  # the server runs apart: check its answers here
        return answer

    # -- EcsService helpers, as the provider has them ------------------------------------------------------
    def describe_image_by_id(self, image_id: str) -> dict:
        found = self.call("DescribeImages", ImageId=image_id, Status=IMAGE_STATUSES)
        if not found["Images"]["Image"]:
            raise Gone(image_id)  # GetNotFoundErrorFromString: Code Instance.Notfound
        return found["Images"]["Image"][0]

    def image_state(self, image_id: str, fail: tuple[str, ...]) -> Optional[str]:
        try:
            status = self.describe_image_by_id(image_id)["Status"]
        except Gone:
            return None
        assert status not in fail, status
        return status

    def wait_image(self, image_id: str, pending: tuple[str, ...]) -> None:
        """BuildStateConf(pending, ["Available"]): a state outside both is an UnexpectedStateError."""
        for _ in range(200):
            state = self.image_state(image_id, ("CreateFailed", "UnAvailable"))
            if state == "Available":
                return
            assert state in pending, state
        pytest.fail(f"{image_id} never became Available")

    def wait_image_gone(self, image_id: str) -> None:
        """deleteImage's BuildStateConf([], []): done only once DescribeImages answers no image."""
        assert self.image_state(image_id, ()) is None

    def answer_or_gone(self, action: str, image_id: str, query: dict[str, Any]) -> dict:
        """A read whose InvalidImageId.NotFound the provider lists as "gone" (IsExpectedErrors)."""
        try:
            return self.rpc_post(action, query, {})
        except ServerException as err:
            if err.get_error_code() == "InvalidImageId.NotFound":
                raise Gone(image_id) from err
            raise

    def describe_ecs_image(self, image_id: str) -> dict:
        """EcsServiceV2.DescribeEcsImage (tea RpcPost, ``Status=ALL``): no image, or InvalidImageId.NotFound,
        means gone."""
        found = self.answer_or_gone("DescribeImages", image_id, {"ImageId": image_id, "RegionId": self.region,
                                                                 "Status": "ALL"})
        if not found["Images"]["Image"]:
            raise Gone(image_id)
        return found["Images"]["Image"][0]

    def ecs_image_field(self, image_id: str, field: str) -> str:
        """EcsServiceV2.EcsImageStateRefreshFunc: ``fmt.Sprint`` of a field; "" once the image is gone."""
        try:
            return _go_sprint(self.describe_ecs_image(image_id)[field])
        except Gone:
            return ""

    def delete_image(self, image_id: str, *, force: bool = False, delete_auto_snapshot: bool = False) -> list[str]:
        """EcsService.deleteImage; answers the calls it made after the read."""
        try:
            image = self.describe_image_by_id(image_id)
        except Gone:
            return []
        self.call("DeleteImage", ImageId=image["ImageId"], **({"Force": True} if force else {}))  # GetOk: only true
        self.wait_image_gone(image_id)
        return ["DeleteImage", *(self.delete_auto_snapshots(image) if delete_auto_snapshot else ())]

    def delete_auto_snapshots(self, image: dict) -> list[str]:
        """delete_auto_snapshot: DeleteSnapshot Force=true (SDK) of each mapping's snapshot, after the image."""
        made = []
        for mapping in image["DiskDeviceMappings"]["DiskDeviceMapping"]:
            if mapping.get("SnapshotId"):
                self.call("DeleteSnapshot", SnapshotId=mapping["SnapshotId"], Force=True)
                made.append("DeleteSnapshot")
        return made

    def describe_image_share(self, image_id: str) -> dict:
        answer = self.answer_or_gone("DescribeImageSharePermission", image_id, {"ImageId": image_id})
        if not answer["Accounts"]["Account"]:
            raise Gone(image_id)
        return answer


def _tag_params(tags: dict[str, str], prefix: str = "Tag") -> dict[str, str]:
    out = {}
    for n, (key, value) in enumerate(tags.items(), 1):
        out[f"{prefix}.{n}.Key"], out[f"{prefix}.{n}.Value"] = key, value
    return out


def _calls(srv: ServerProcess) -> list[dict]:
    return requests.get(srv.url + "/_mockecs/calls", timeout=10).json()


def _flatten_import_mappings(image: dict) -> list[dict]:
    """FlattenImageImportDiskDeviceMappings: ``strconv.Atoi(Size)``, whose error fails the whole read."""
    out = []
    for m in image["DiskDeviceMappings"]["DiskDeviceMapping"]:
        assert isinstance(m["Size"], str) and m["Size"].isdigit(), m
        out.append({"format": m["Format"], "oss_bucket": m["ImportOSSBucket"], "oss_object": m["ImportOSSObject"],
                    "device": m["Device"], "disk_image_size": int(m["Size"])})
    return out


# -- resources -------------------------------------------------------------------------------------------------
def data_images(p: Provider, owners: str, name_regex: str, most_recent: bool = True, **filters: Any) -> list[dict]:
    """dataSourceAlicloudImagesRead: pages of 100 until a page has fewer than 50, regex and sort client-side."""
    found, page = [], 1
    while True:
        answer = p.call("DescribeImages", PageNumber=page, PageSize=100, ImageOwnerAlias=owners, **filters)
        found += answer["Images"]["Image"]
        if len(answer["Images"]["Image"]) < 50:
            break
        page += 1
    chosen = [i for i in found if i["ImageName"] and re.search(name_regex, i["ImageName"])]
    if len(chosen) > 1 and most_recent:  # time.Parse(time.RFC3339, CreationTime): a failed parse sorts as 0
        chosen = [max(chosen, key=lambda i: datetime.strptime(i["CreationTime"], GO_TIME))]
    for image in chosen:  # imageTagsMappings: DescribeTags per image; none reads as an error, then nil
        tags = p.call("DescribeTags", ResourceType="image", ResourceId=image["ImageId"])
        assert isinstance(tags["Tags"]["Tag"], list)
        assert isinstance(image["IsCopied"], bool) and isinstance(image["IsSelfShared"], str)
        assert isinstance(image["Size"], int) and isinstance(image["IsSupportIoOptimized"], bool)
    return chosen


def network(p: Provider) -> dict:
    """The VPC, vSwitch and group (made with ECS calls: the provider's VPC resources use the VPC product API)."""
    vpc = p.call("CreateVpc", CidrBlock="172.16.0.0/12")["VpcId"]
    zone = p.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    vswitch = p.call("CreateVSwitch", VpcId=vpc, ZoneId=zone, CidrBlock="172.16.0.0/24")["VSwitchId"]
    group = p.call("CreateSecurityGroup", VpcId=vpc)["SecurityGroupId"]
    return {"vpc": vpc, "vswitch": vswitch, "security_group": group}


def instance(p: Provider, net: dict, source_image: str) -> str:
    instance_id = p.call("RunInstances", ImageId=source_image, InstanceType="ecs.g7.large",
                         SecurityGroupId=net["security_group"], VSwitchId=net["vswitch"],
                         InstanceName="tf-source", **{"SystemDisk.Category": "cloud_essd"})[
        "InstanceIdSets"]["InstanceIdSet"][0]
    return instance_id


def _go_sprint(value: Any) -> str:
    """Go's ``fmt.Sprint`` of a decoded JSON value (what the provider's state refresh functions compare)."""
    if isinstance(value, bool):
        return str(value).lower()
    return "<nil>" if value is None else str(value)


def image_create(p: Provider, *, instance_id: str = "", snapshot_id: str = "", name: str,
                 tags: Optional[dict[str, str]] = None, description: str = "",
                 mappings: Optional[list[dict]] = None, platform: str = "") -> str:
    """resourceAliCloudEcsImageCreate: CreateImage (tea RpcPost, form body; retried on IncorrectInstanceStatus),
    then a wait (pending [], target ["true"]) on ``fmt.Sprint(Usable)`` that fails on Status CreateFailed."""
    body: dict[str, Any] = {"RegionId": p.region, "ClientToken": f"CreateImage-{name}", **_tag_params(tags or {}),
                            "Description": description, "Platform": platform, "Architecture": "x86_64",
                            "ImageName": name, "SnapshotId": snapshot_id, "InstanceId": instance_id}
    for n, m in enumerate(mappings or [], 1):
        body.update({f"DiskDeviceMapping.{n}.{k}": v for k, v in m.items()})
    image_id = p.rpc_post("CreateImage", {}, body)["ImageId"]
    for _ in range(200):
        try:
            image = p.describe_ecs_image(image_id)
        except Gone:
            continue  # the wait takes "not found" as "" and keeps waiting
        assert image["Status"] != "CreateFailed", image["Status"]
        if _go_sprint(image["Usable"]) == "true":
            return image_id
    pytest.fail(f"{image_id} never became usable")


def image_read(p: Provider, image_id: str) -> Optional[dict]:
    """resourceAliCloudEcsImageRead: None when the image is gone (the resource leaves the state)."""
    try:
        image = p.describe_ecs_image(image_id)
    except Gone:
        return None
    return {"image_name": image["ImageName"], "description": image["Description"],
            "architecture": image["Architecture"], "platform": image["Platform"], "status": image["Status"],
            "usable": image["Usable"], "resource_group_id": image["ResourceGroupId"],
            "image_family": image.get("ImageFamily"), "boot_mode": image["BootMode"],
            "create_time": image["CreationTime"], "disk_device_mapping": [
                {"device": m["Device"], "disk_type": m["Type"], "size": m["Size"], "snapshot_id": m["SnapshotId"],
                 "format": m.get("Format"), "progress": m.get("Progress")}
                for m in image["DiskDeviceMappings"]["DiskDeviceMapping"]],
            # tagsToMap: TagKey/TagValue pairs, aliyun*/acs:* keys ignored
            "tags": {t["TagKey"]: t["TagValue"] for t in image["Tags"]["Tag"]
                     if not t["TagKey"].startswith(("aliyun", "acs:", "http://", "https://"))}}


def image_update(p: Provider, image_id: str, old: dict, new: dict) -> None:
    """resourceAliCloudEcsImageUpdate: ModifyImageAttribute (ImageId in the query), JoinResourceGroup,
    SetResourceTags (UntagResources of removed keys, TagResources of added/changed pairs), then a wait until
    the image's Description reads as the configured one."""
    changed = {k: new[k] for k in ("description", "image_name") if new.get(k) != old.get(k)}
    if changed:
        p.rpc_post("ModifyImageAttribute", {"ImageId": image_id}, {
            "RegionId": p.region, "Description": changed.get("description"), "ImageName": changed.get("image_name")})
    if new.get("resource_group_id") and new["resource_group_id"] != old["resource_group_id"]:
        p.rpc_post("JoinResourceGroup", {"ResourceId": image_id}, {
            "RegionId": p.region, "ResourceGroupId": new["resource_group_id"], "ResourceType": "image"})
    removed = [k for k in old["tags"] if k not in new["tags"]]
    added = {k: v for k, v in new["tags"].items() if old["tags"].get(k) != v}
    if removed:
        p.rpc_post("UntagResources", {}, {"ResourceId.1": image_id, "RegionId": p.region, "ResourceType": "image",
                                          **{f"TagKey.{n}": k for n, k in enumerate(removed, 1)}})
    if added:
        p.rpc_post("TagResources", {}, {"ResourceId.1": image_id, "RegionId": p.region, "ResourceType": "image",
                                        **_tag_params(added)})
    assert p.ecs_image_field(image_id, "Description") == new["description"]


def image_delete(p: Provider, image_id: str, *, force: bool = False, delete_auto_snapshot: bool = False) -> list[str]:
    """resourceAliCloudEcsImageDelete: DescribeImageById (SDK), DeleteImage (tea; Force: GetOkExists, so sent
    with its default false), a wait until ``ImageId`` reads "" (gone), then DeleteSnapshot Force=true of each
    mapping's snapshot."""
    try:
        image = p.describe_image_by_id(image_id)
    except Gone:
        return []
    p.rpc_post("DeleteImage", {"ImageId": image_id}, {"RegionId": p.region, "Force": force})
    assert p.ecs_image_field(image_id, "ImageId") == ""
    return ["DeleteImage", *(p.delete_auto_snapshots(image) if delete_auto_snapshot else ())]


def image_copy_create(dest: Provider, source_region: str, source_image: str, name: str,
                      tags: dict[str, str]) -> str:
    copy_id = dest.call("CopyImage", RegionId=source_region, ImageId=source_image, DestinationRegionId=dest.region,
                        DestinationImageName=name, Encrypted=False, **_tag_params(tags))["ImageId"]
    dest.wait_image(copy_id, ("Creating", "Waiting"))
    return copy_id


def image_copy_read(p: Provider, image_id: str) -> Optional[dict]:
    try:
        image = p.describe_image_by_id(image_id)
    except Gone:
        return None
    tags = {t["TagKey"]: t["TagValue"] for t in image["Tags"]["Tag"]}  # the answer's Tags, not ListTagResources
    return {"image_name": image["ImageName"], "description": image["Description"], "tags": tags}


def share_create(p: Provider, image_id: str, account: str) -> str:
    p.call("ModifyImageSharePermission", ImageId=image_id, **{"AddAccount.1": account})
    return f"{image_id}:{account}"


def share_read(p: Provider, resource_id: str) -> Optional[dict]:
    image_id, account = resource_id.split(":")
    try:
        answer = p.describe_image_share(image_id)
    except Gone:
        return None
    return {"image_id": answer["ImageId"], "account_id": account}


def share_delete(p: Provider, resource_id: str) -> None:
    image_id, account = resource_id.split(":")
    p.call("ModifyImageSharePermission", ImageId=image_id, **{"RemoveAccount.1": account})


# -- tests -----------------------------------------------------------------------------------------------------
def test_image_pipeline_apply_update_refresh_destroy(proxy):
    hz, bj = Provider(REGION), Provider(OTHER)
    base = data_images(hz, "system", "^aliyun_3_x64")
    assert len(base) == 1 and base[0]["ImageOwnerAlias"] == "system"
    # the provider's own acceptance configuration: an Ubuntu image for an instance type, io-optimized
    ubuntu = data_images(hz, "system", "^ubuntu_[0-9]+_[0-9]+_x64*", InstanceType="ecs.g8i.large",
                         IsSupportIoOptimized=True, Status="Available")
    assert len(ubuntu) == 1 and ubuntu[0]["OSType"] == "linux" and ubuntu[0]["Architecture"] == "x86_64"
    net = network(hz)
    source = instance(hz, net, base[0]["ImageId"])

    # terraform apply
    image_id = image_create(hz, instance_id=source, name="tf-image", description="from terraform",
                            tags={"env": "test", "team": "images"})
    state = image_read(hz, image_id)
    assert state["tags"] == {"env": "test", "team": "images"} and state["architecture"] == "x86_64"
    assert (state["status"], state["usable"]) == ("Available", True)
    assert [m["disk_type"] for m in state["disk_device_mapping"]] == ["system"]
    assert state["disk_device_mapping"][0]["size"] == "40" and state["disk_device_mapping"][0]["snapshot_id"]
    copy_id = image_copy_create(bj, REGION, image_id, "tf-image-copy", {"env": "test"})
    copied = image_copy_read(bj, copy_id)
    # no DestinationDescription: the copy keeps the source's (mockecs's choice, documented nowhere)
    assert copied == {"image_name": "tf-image-copy", "description": "from terraform", "tags": {"env": "test"}}
    assert bj.describe_image_by_id(copy_id)["IsCopied"] is True
    share = share_create(hz, image_id, ACCOUNT)
    assert share_read(hz, share) == {"image_id": image_id, "account_id": ACCOUNT}
    mine = data_images(hz, "self", "^tf-image$")
    assert [i["ImageId"] for i in mine] == [image_id]
    assert {t["TagKey"] for t in hz.call("DescribeTags", ResourceType="image", ResourceId=image_id)["Tags"]["Tag"]} \
        == {"env", "team"}

    # terraform apply after an edit: tags {env = "prod"}, a new name and description
    image_update(hz, image_id, state, {**state, "tags": {"env": "prod"}, "description": "renamed",
                                       "image_name": "tf-image-2"})
    state = image_read(hz, image_id)
    assert (state["tags"], state["image_name"], state["description"]) == ({"env": "prod"}, "tf-image-2", "renamed")

    # terraform refresh: nothing changed
    assert image_read(hz, image_id) == state and image_copy_read(bj, copy_id) == copied
    assert share_read(hz, share) is not None

    # terraform destroy, in reverse order of the dependencies
    share_delete(hz, share)
    assert bj.delete_image(copy_id) == ["DeleteImage"]
    assert image_delete(hz, image_id, force=True, delete_auto_snapshot=True) == ["DeleteImage", "DeleteSnapshot"]
    hz.call("DeleteInstance", InstanceId=source, Force=True)

    # a refresh after the destroy: everything reads as gone, and a second destroy makes no call
    assert image_read(hz, image_id) is None and image_copy_read(bj, copy_id) is None and share_read(hz, share) is None
    assert image_delete(hz, image_id) == [] and bj.delete_image(copy_id) == []
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("DescribeImageSharePermission", "InvalidImageId.NotFound")]


def test_refresh_after_deletion_outside_terraform(proxy):
    hz, bj = Provider(REGION), Provider(OTHER)
    snapshot = _snapshot(hz)
    image_id = image_create(hz, snapshot_id=snapshot, name="tf-from-snapshot")
    assert image_read(hz, image_id)["disk_device_mapping"][0]["snapshot_id"] == snapshot
    share = share_create(hz, image_id, ACCOUNT)
    copy_id = image_copy_create(bj, REGION, image_id, "tf-copy", {})
    # someone removes the share, then the image and the copy, in the console
    hz.call("ModifyImageSharePermission", ImageId=image_id, **{"RemoveAccount.1": ACCOUNT})
    assert share_read(hz, share) is None  # no account left: gone
    hz.call("DeleteImage", ImageId=image_id)
    bj.call("DeleteImage", ImageId=copy_id)
    with pytest.raises(ServerException) as err:
        hz.call("DescribeImageSharePermission", ImageId=image_id)
    status, message = documented_error("DescribeImageSharePermission", "InvalidImageId.NotFound")
    assert (err.value.get_http_status(), err.value.get_error_code(), err.value.get_error_msg()) == (
        status, "InvalidImageId.NotFound", message)
    assert share_read(hz, share) is None
    assert image_read(hz, image_id) is None and image_copy_read(bj, copy_id) is None
    # terraform destroy then only reads
    before = len(_calls(proxy))
    assert image_delete(hz, image_id) == [] and bj.delete_image(copy_id) == []
    assert [c["action"] for c in _calls(proxy)[before:]] == ["DescribeImages", "DescribeImages"]


def _snapshot(p: Provider) -> str:
    net = network(p)
    source = instance(p, net, "aliyun_3_x64_20G_alibase_20240819.vhd")
    disk = p.call("DescribeDisks", InstanceId=source, DiskType="system")["Disks"]["Disk"][0]["DiskId"]
    return p.call("CreateSnapshot", DiskId=disk, SnapshotName="tf-snap")["SnapshotId"]


def test_image_from_disk_device_mapping_reads_back_its_sizes(proxy):
    hz = Provider(REGION)
    snapshot = _snapshot(hz)
    image_id = image_create(hz, name="tf-mapped", platform="Aliyun", mappings=[
        {"SnapshotId": snapshot, "Size": 50, "Device": "/dev/xvda", "DiskType": "system"}])
    state = image_read(hz, image_id)
    # Size is a string in the answer (the SDK models' str); the schema's int takes it by weak decoding; Progress is
    # a copy's (empty here)
    assert state["disk_device_mapping"] == [{"device": "/dev/xvda", "disk_type": "system", "size": "50",
                                             "snapshot_id": snapshot, "format": "", "progress": ""}]
    assert state["platform"] == "Aliyun" and state["tags"] == {} and state["description"] == ""
    # an update that only adds a description: the wait compares the answer's Description with the config
    image_update(hz, image_id, state, {**state, "description": "described"})
    assert image_delete(hz, image_id) == ["DeleteImage"]


def test_image_import_and_export(proxy):
    hz = Provider(REGION)
    image_id = hz.call("ImportImage", Architecture="x86_64", OSType="linux", Platform="Aliyun", ImageName="tf-import",
                       **{"DiskDeviceMapping.1.Format": "QCOW2", "DiskDeviceMapping.1.OSSBucket": "tf-bucket",
                          "DiskDeviceMapping.1.OSSObject": "img/a.qcow2", "DiskDeviceMapping.1.Device": "/dev/xvda",
                          "DiskDeviceMapping.1.DiskImageSize": "40"})["ImageId"]
    for _ in range(200):  # BuildStateConf([], ["Available"]): any state is waited through
        if hz.image_state(image_id, ("CreateFailed", "UnAvailable")) == "Available":
            break
    image = hz.describe_image_by_id(image_id)  # resourceAliCloudImageImportRead
    assert _flatten_import_mappings(image) == [{"format": "QCOW2", "oss_bucket": "tf-bucket",
                                                "oss_object": "img/a.qcow2", "device": "/dev/xvda",
                                                "disk_image_size": 40}]
    assert (image["OSType"], image["Platform"], image["Architecture"]) == ("linux", "Aliyun", "x86_64")
    # alicloud_image_export: ExportImage, then DescribeTaskAttribute until Finished (pending Waiting, Processing)
    task = hz.call("ExportImage", ImageId=image_id, OSSBucket="tf-bucket", OSSPrefix="tf")["TaskId"]
    for _ in range(200):
        answer = hz.call("DescribeTaskAttribute", TaskId=task)
        assert answer["TaskId"] == task  # an empty TaskId reads as gone
        if answer["TaskStatus"] == "Finished":
            break
        assert answer["TaskStatus"] in ("Waiting", "Processing"), answer["TaskStatus"]
    else:
        pytest.fail("export never finished")
    assert hz.describe_image_by_id(image_id)["ImageId"] == image_id  # the export's Read
    assert hz.delete_image(image_id) == ["DeleteImage"]


def _transitions(srv: ServerProcess, **body: Any) -> None:
    requests.post(srv.url + "/_mockecs/transitions", json=body, timeout=10).raise_for_status()


def test_waits_see_only_the_states_the_provider_allows(proxy):
    """With images, copies and tasks taking a few reads, every status the waits see is one the provider's
    BuildStateConf lists as pending (else UnexpectedStateError); a refresh and a destroy while a copy runs."""
    _transitions(proxy, delays={"image": {"observations": 2}, "copy": {"observations": 4}})
    hz, bj = Provider(REGION), Provider(OTHER)
    snapshot = _snapshot(hz)
    image_id = hz.call("CreateImage", SnapshotId=snapshot, ImageName="tf-slow", Architecture="x86_64")["ImageId"]
    seen = [hz.image_state(image_id, ("CreateFailed", "UnAvailable")) for _ in range(3)]
    assert seen == ["Creating", "Available", "Available"]
    copy_id = bj.call("CopyImage", RegionId=REGION, ImageId=image_id, DestinationRegionId=OTHER,
                      DestinationImageName="tf-slow-copy", Encrypted=False)["ImageId"]
    assert image_copy_read(bj, copy_id)["image_name"] == "tf-slow-copy"  # a refresh mid-copy keeps it
    # terraform destroy while the copy runs (create timed out): DeleteImage is refused, the resource stays
    with pytest.raises(ServerException) as refused:
        bj.delete_image(copy_id)
    status, message = documented_error("DeleteImage", "OperationDenied.ImageCopying")
    assert (refused.value.get_http_status(), refused.value.get_error_code()) == (status, "OperationDenied.ImageCopying")
    bj.wait_image(copy_id, ("Creating", "Waiting"))
    assert bj.delete_image(copy_id) == ["DeleteImage"]


def test_failed_image_stops_the_wait(proxy):
    """ImageStateRefreshFunc fails on CreateFailed: an image that fails to build is reported, not waited on."""
    _transitions(proxy, delays={"image": {"observations": 1}}, fail_next={"image": {"message": "disk error"}})
    hz = Provider(REGION)
    snapshot = _snapshot(hz)
    image_id = hz.call("CreateImage", SnapshotId=snapshot, ImageName="tf-broken", Architecture="x86_64")["ImageId"]
    with pytest.raises(AssertionError, match="CreateFailed"):
        hz.wait_image(image_id, ("Creating",))
    # the failed image is still listed with the provider's Status filter: terraform destroy deletes it
    assert hz.delete_image(image_id) == ["DeleteImage"]


def test_create_image_retried_with_its_client_token_while_the_instance_starts(proxy):
    """CreateImage is retried on IncorrectInstanceStatus with the same request map, so the same ClientToken:
    the refusal must not be replayed for that token, and the retry made once the instance runs succeeds."""
    hz = Provider(REGION)
    net = network(hz)
    _transitions(proxy, delays={"instance": {"observations": 3}})
    source = instance(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd")
    body = {"RegionId": REGION, "ClientToken": "tf-create-image-1", "ImageName": "tf-retried",
            "Architecture": "x86_64", "InstanceId": source}
    with pytest.raises(ServerException) as refused:
        hz.rpc_post("CreateImage", {}, dict(body))
    status, message = documented_error("CreateImage", "IncorrectInstanceStatus")
    assert (refused.value.get_http_status(), refused.value.get_error_code(), refused.value.get_error_msg()) == (
        status, "IncorrectInstanceStatus", message)
    for _ in range(5):
        if hz.call("DescribeInstances", InstanceIds=json.dumps([source]))["Instances"]["Instance"][0][
                "Status"] == "Running":
            break
    image_id = hz.rpc_post("CreateImage", {}, dict(body))["ImageId"]
    assert hz.rpc_post("CreateImage", {}, dict(body))["ImageId"] == image_id  # a later replay: the same image
    assert image_read(hz, image_id)["image_name"] == "tf-retried"


# -- alicloud_instance (ECS calls only; its network comes from the VPC product API, made here by ECS calls) -----
ADDITIONAL = ("META_OPTIONS", "NETWORK_PRIMARY_ENI_IP", "LOGIN_AS_NON_ROOT", "DISK_HIGH_DENSITY_MODE")


def describe_instance(p: Provider, instance_id: str) -> Optional[dict]:
    """EcsService.DescribeInstance (SDK): no instance in the answer is the NotFoundErr the provider takes as gone."""
    found = p.call("DescribeInstances", InstanceIds=json.dumps([instance_id]),
                   **{f"AdditionalAttributes.{n}": v for n, v in enumerate(ADDITIONAL, 1)})["Instances"]["Instance"]
    return found[0] if found else None


def instance_create(p: Provider, net: dict, image_id: str, tags: dict[str, str], role_name: str = "",
                    settings: Optional[dict[str, Any]] = None) -> str:
    """resourceAliCloudInstanceCreate: RunInstances (tea, form body; SecurityGroupIds as a list with a vSwitch;
    RamRoleName when role_name is set; the RunInstances parameters of the configured ``settings``), a wait (pending
    Pending, Starting, Stopped; target Running; Stopping fails), then Update (for a new resource: nothing without
    volume_tags, maintenance_* or http_* set; see test_instance_created_with_settings) and Read."""
    answer = p.rpc_post("RunInstances", {}, {
        "RegionId": p.region, "ClientToken": "RunInstances-tf", "InstanceType": "ecs.g7.large", "ImageId": image_id,
        "SystemDisk.Category": "cloud_essd", "InstanceName": "tf-instance", "DeletionProtection": False,
        "VSwitchId": net["vswitch"], "SecurityGroupIds.1": net["security_group"], **_tag_params(tags),
        **({"RamRoleName": role_name} if role_name else {}), **(settings or {})})
    instance_id = answer["InstanceIdSets"]["InstanceIdSet"][0]
    for _ in range(50):
        status = describe_instance(p, instance_id)["Status"]
        assert status != "Stopping"
        if status == "Running":
            return instance_id
        assert status in ("Pending", "Starting", "Stopped"), status
    pytest.fail("never Running")


def instance_read(p: Provider, instance_id: str, *, new: bool = False, role_name: str = "",
                  period_unit: str = "Month") -> Optional[dict]:
    """resourceAliCloudInstanceRead, call for call; None when gone (on a refresh). A new resource keeps the
    configured ``role_name``; a refresh reads it (the row of this instance, else empty). A subscription instance's
    renewal is read after DescribeInstanceAttribute (``auto_renew_read``; ``period_unit``: the state's)."""
    instance = describe_instance(p, instance_id)
    if instance is None:
        assert not new  # a new resource not found is an error
        return None
    disks = p.rpc_post("DescribeDisks", {}, {"RegionId": p.region, "InstanceId": instance_id, "DiskType": "system"})
    system = disks["Disks"]["Disk"][0]
    assert system["InstanceId"] == instance_id  # else NotFound
    user_data = p.call("DescribeUserData", InstanceId=instance_id)["UserData"]
    if instance["VpcAttributes"]["VSwitchId"] and not new:
        roles = p.call("DescribeInstanceRamRole", InstanceIds=json.dumps([instance_id]))
        role_name = next((r["RamRoleName"] for r in roles["InstanceRamRoleSets"]["InstanceRamRoleSet"]
                          if r["InstanceId"] == instance_id), "")
    for eni in instance["NetworkInterfaces"]["NetworkInterface"]:
        found = p.rpc_post("DescribeNetworkInterfaces", {}, {"RegionId": p.region,
                                                             "NetworkInterfaceId.1": eni["NetworkInterfaceId"]})
        sets = found["NetworkInterfaceSets"]["NetworkInterfaceSet"]
        assert sets[0]["NetworkInterfaceId"] == eni["NetworkInterfaceId"] and eni["Type"] == "Primary"
        secondary = [i for i in sets[0]["PrivateIpSets"]["PrivateIpSet"] if not i["Primary"]]
    maintenance = p.rpc_post("DescribeInstanceMaintenanceAttributes", {}, {"RegionId": p.region,
                                                                           "InstanceId.1": instance_id})
    attribute = maintenance["MaintenanceAttributes"]["MaintenanceAttribute"][0]
    assert attribute["InstanceId"] == instance_id
    p.call("DescribeInstanceAttribute", InstanceId=instance_id)
    renewal = auto_renew_read(p, instance_id, period_unit) if instance["InstanceChargeType"] == "PrePaid" else {}
    attachment = p.rpc_post("DescribeInstanceAttachmentAttributes", {}, {
        "RegionId": p.region, "InstanceIds": json.dumps([instance_id])})["Instances"]["Instance"][0]
    ecs = p.rpc_post("DescribeInstances", {}, {
        "RegionId": p.region, "InstanceIds": json.dumps([instance_id]),
        **{f"AdditionalAttributes.{n}": v for n, v in enumerate(
            ("META_OPTIONS", "NETWORK_PRIMARY_ENI_IP", "LOGIN_AS_NON_ROOT", "LOGIN_AS_NON_ROOT",
             "CPU_OPTIONS_TOPOLOGY_TYPE"), 1)}})["Instances"]["Instance"][0]
    return {"instance_name": instance["InstanceName"], "status": instance["Status"],
            "instance_type": instance["InstanceType"], "cpu": instance["Cpu"], "memory": instance["Memory"],
            "auto_release_time": _release_time(instance["AutoReleaseTime"]),
            "http_tokens": instance["MetadataOptions"]["HttpTokens"],
            "http_endpoint": instance["MetadataOptions"]["HttpEndpoint"],
            "http_put_response_hop_limit": instance["MetadataOptions"]["HttpPutResponseHopLimit"],
            "system_disk_category": system["Category"], "system_disk_size": system["Size"],
            "user_data": user_data, "secondary_private_ips": secondary,
            "tags": {t["TagKey"]: t["TagValue"] for t in instance["Tags"]["Tag"]},
            "maintenance_time": attribute["MaintenanceWindows"]["MaintenanceWindow"],
            "maintenance_action": attribute["ActionOnMaintenance"]["Value"],
            "maintenance_notify": attribute["NotifyOnMaintenance"],
            "private_pool_options_match_criteria": attachment["PrivatePoolOptionsMatchCriteria"],
            "private_pool_options_id": attachment["PrivatePoolOptionsId"],
            "deletion_protection": instance["DeletionProtection"], "cpu_core_count": ecs["CpuOptions"]["CoreCount"],
            "role_name": role_name, **renewal}


def auto_renew_read(p: Provider, instance_id: str, period_unit: str) -> dict:
    """The Read of a PrePaid instance: DescribeInstanceAutoRenewAttribute (SDK request: RegionId, InstanceId; an
    InvalidParameter is retried); the first row's RenewalStatus and Duration; its PeriodUnit only with AutoRenewal
    (else the state's, Month when empty); Year is read as Month with the Duration times 12."""
    rows = p.call("DescribeInstanceAutoRenewAttribute", InstanceId=instance_id)[
        "InstanceRenewAttributes"]["InstanceRenewAttribute"]
    state = {"instance_charge_type": "PrePaid", "period_unit": period_unit or "Month"}
    if rows:
        state.update(renewal_status=rows[0]["RenewalStatus"], auto_renew_period=rows[0]["Duration"])
        if rows[0]["RenewalStatus"] == "AutoRenewal":
            state["period_unit"] = rows[0]["PeriodUnit"]
        if state["period_unit"] == "Year":
            state.update(period_unit="Month", auto_renew_period=rows[0]["Duration"] * 12)
    return state


def _release_time(answered: str) -> str:
    """The read's fix for "an api bug that it returns non-RFC3339 timestamp, like 2023-07-26T23:50Z": a time that
    does not parse as RFC 3339 and ends in Z gets ":00Z" for its "Z"."""
    try:
        datetime.strptime(answered, GO_TIME)
        return answered
    except ValueError:
        return answered[:-1] + ":00Z" if answered.endswith("Z") else answered


def wait_instance(p: Provider, instance_id: str, pending: tuple[str, ...], target: str) -> dict:
    """BuildStateConf(pending, [target], ...) over InstanceStateRefreshFunc (DescribeInstance's Status)."""
    for _ in range(50):
        instance = describe_instance(p, instance_id)
        if instance["Status"] == target:
            return instance
        assert instance["Status"] in pending, instance["Status"]
    pytest.fail(f"never {target}")


def instance_update(p: Provider, instance_id: str, old: dict, new: dict) -> None:
    """resourceAliCloudInstanceUpdate for what ``new`` changes, in the provider's order: ModifyInstanceAutoReleaseTime
    (SDK request; an empty time is left out); the instance type (DescribeInstance; a Running instance is stopped,
    ForceStop=false, and waited for; ModifyInstanceSpec with a ClientToken, or for a PrePaid instance
    ModifyPrepayInstanceSpec with OperatorType when set, polled until DescribeInstance shows the type; with status =
    Running it is started and waited for); a PrePaid instance's renewal_status or auto_renew_period:
    ModifyInstanceAutoRenewAttribute (SDK request: RenewalStatus; with AutoRenewal also PeriodUnit and Duration;
    ChargeTypeViolation and IncorrectInstanceStatus retried); ModifyInstanceMaintenanceAttributes (tea, form body:
    InstanceId as a one-item list, MaintenanceWindow as a list of maps); ModifyInstanceMetadataOptions (HttpEndpoint
    always, "enabled" when unset); ModifyInstanceAttachmentAttributes (no pool id with MatchCriteria None)."""
    changed = {k for k in new if new[k] != old.get(k)}
    if "auto_release_time" in changed:
        p.call("ModifyInstanceAutoReleaseTime", InstanceId=instance_id, AutoReleaseTime=new["auto_release_time"])
    if "instance_type" in changed:
        if describe_instance(p, instance_id)["Status"] == "Running":
            p.call("StopInstance", InstanceId=instance_id, ForceStop=False)
            wait_instance(p, instance_id, ("Pending", "Running", "Stopping"), "Stopped")
        if old.get("instance_charge_type") == "PrePaid":
            p.call("ModifyPrepayInstanceSpec", InstanceId=instance_id, InstanceType=new["instance_type"],
                   OperatorType=new.get("operator_type"))
        else:
            p.call("ModifyInstanceSpec", InstanceId=instance_id, InstanceType=new["instance_type"],
                   ClientToken="ModifyInstanceSpec-tf-1")
        for _ in range(50):  # "Ensure instance's type has been replaced successfully."
            if describe_instance(p, instance_id)["InstanceType"] == new["instance_type"]:
                break
        else:
            pytest.fail("the type never changed")
        if new["status"] == "Running":
            p.call("StartInstance", InstanceId=instance_id)
            wait_instance(p, instance_id, ("Pending", "Starting", "Stopped"), "Running")
    if new.get("instance_charge_type") == "PrePaid" and changed & {"renewal_status", "auto_renew_period"}:
        renewing = new["renewal_status"] == "AutoRenewal"
        p.call("ModifyInstanceAutoRenewAttribute", InstanceId=instance_id, RenewalStatus=new["renewal_status"],
               **({"PeriodUnit": new["period_unit"], "Duration": new["auto_renew_period"]} if renewing else {}))
    if changed & {"maintenance_time", "maintenance_action", "maintenance_notify"}:
        body = {"RegionId": p.region, "InstanceId.1": instance_id, "ActionOnMaintenance": new["maintenance_action"],
                "NotifyOnMaintenance": new["maintenance_notify"]}
        for n, window in enumerate(new["maintenance_time"], 1):
            body.update({f"MaintenanceWindow.{n}.StartTime": window["StartTime"],
                         f"MaintenanceWindow.{n}.EndTime": window["EndTime"]})
        p.rpc_post("ModifyInstanceMaintenanceAttributes", {}, body)
    if changed & {"http_endpoint", "http_tokens"}:
        p.rpc_post("ModifyInstanceMetadataOptions", {}, {"RegionId": p.region, "InstanceId": instance_id,
                                                         "HttpEndpoint": new["http_endpoint"] or "enabled",
                                                         "HttpTokens": new["http_tokens"]})
    if changed & {"private_pool_options_match_criteria", "private_pool_options_id"}:
        criteria = new["private_pool_options_match_criteria"]
        p.rpc_post("ModifyInstanceAttachmentAttributes", {}, {
            "RegionId": p.region, "InstanceId": instance_id, "PrivatePoolOptions.MatchCriteria": criteria,
            **({"PrivatePoolOptions.Id": new["private_pool_options_id"]} if criteria != "None" else {})})


def apply_and_refresh(p: Provider, instance_id: str, state: dict, config: dict) -> dict:
    """``terraform apply`` of ``config`` over ``state`` (the Update, then its Read), then a ``terraform refresh``
    that must read the same (no diff on the next plan); the new state."""
    instance_update(p, instance_id, state, config)
    state = instance_read(p, instance_id, period_unit=config.get("period_unit", "Month"))
    assert instance_read(p, instance_id, period_unit=state.get("period_unit", "Month")) == state
    return state


def instance_delete(p: Provider, instance_id: str) -> None:
    """resourceAliCloudInstanceDelete (pay-as-you-go): DeleteInstance Force=true (a not-found code ends it), then
    a wait with target [] until DescribeInstances answers no instance."""
    try:
        p.call("DeleteInstance", InstanceId=instance_id, Force=True)
    except ServerException as err:
        if err.get_error_code() in ("InvalidInstanceId.NotFound", "Forbidden.InstanceNotFound"):  # EcsNotFound
            return
        raise
    assert describe_instance(p, instance_id) is None


def test_instance_create_read_refresh_delete(proxy):
    hz = Provider(REGION)
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {"env": "test"})
    state = instance_read(hz, instance_id, new=True)
    # What the configuration does not set must read back as its zero value, or every plan shows a diff:
    # maintenance_time and maintenance_notify are Optional, not Computed.
    assert state == {"instance_name": "tf-instance", "status": "Running", "instance_type": "ecs.g7.large", "cpu": 2,
                     "memory": 8192, "auto_release_time": "", "http_tokens": "optional", "http_endpoint": "enabled",
                     "http_put_response_hop_limit": 1, "system_disk_category": "cloud_essd",
                     "system_disk_size": 40, "user_data": "", "secondary_private_ips": [], "tags": {"env": "test"},
                     "maintenance_time": [], "maintenance_action": "AutoRecover", "maintenance_notify": False,
                     "private_pool_options_match_criteria": "None", "private_pool_options_id": "",
                     "deletion_protection": False,
                     "cpu_core_count": state["cpu_core_count"], "role_name": ""}
    assert instance_read(hz, instance_id) == state  # terraform refresh (also asks for the RAM role)
    instance_delete(hz, instance_id)
    assert instance_read(hz, instance_id) is None  # a refresh after the destroy: gone
    # deleted outside Terraform: the destroy's DeleteInstance gets the not-found code and stops there
    instance_delete(hz, instance_id)
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("DeleteInstance", "InvalidInstanceId.NotFound")]


def test_instance_update_then_refresh(proxy):
    """An update of what alicloud_instance changes in place (auto_release_time, instance_type with status =
    Running, maintenance_time/_action/_notify, http_tokens, private_pool_options_match_criteria), replayed call for
    call; the Read after it and a refresh read back exactly what the configuration says (no diff on the next plan),
    and a second update clears the release time."""
    hz = Provider(REGION)
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {})
    state = instance_read(hz, instance_id, new=True)
    release = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:30:00Z")
    config = {**state, "auto_release_time": release, "instance_type": "ecs.g7.xlarge",
              "maintenance_time": [{"StartTime": "02:00:00", "EndTime": "06:00:00"}], "maintenance_action": "Stop",
              "maintenance_notify": True, "http_tokens": "required", "private_pool_options_match_criteria": "Open"}
    state = apply_and_refresh(hz, instance_id, state, config)
    # cpu, memory and cpu_core_count are Computed: the new type's
    assert state == {**config, "cpu": 4, "memory": 16384, "cpu_core_count": 2}
    cleared = {**state, "auto_release_time": ""}
    assert apply_and_refresh(hz, instance_id, state, cleared) == cleared
    instance_delete(hz, instance_id)
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    updates = [c["action"] for c in _calls(proxy) if c["action"].startswith(("Modify", "Stop", "Start"))]
    assert updates == ["ModifyInstanceAutoReleaseTime", "StopInstance", "ModifyInstanceSpec", "StartInstance",
                       "ModifyInstanceMaintenanceAttributes", "ModifyInstanceMetadataOptions",
                       "ModifyInstanceAttachmentAttributes", "ModifyInstanceAutoReleaseTime"]


def test_instance_created_with_settings(proxy):
    """A configuration that sets http_tokens, http_put_response_hop_limit, auto_release_time, the private pool match
    and maintenance_*: RunInstances takes the first four (HttpTokens, HttpEndpoint when set, HttpPutResponseHopLimit,
    AutoReleaseTime, PrivatePoolOptions.MatchCriteria); the Update of the new resource then calls
    ModifyInstanceMaintenanceAttributes and ModifyInstanceMetadataOptions (their HasChange has no IsNewResource
    guard), and the Read shows exactly the configuration."""
    hz = Provider(REGION)
    net = network(hz)
    release = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:00Z")
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {}, settings={
        "AutoReleaseTime": release, "HttpTokens": "required", "HttpPutResponseHopLimit": 2,
        "PrivatePoolOptions.MatchCriteria": "Open"})
    created = {"http_tokens": "required", "http_endpoint": "", "auto_release_time": release,
               "http_put_response_hop_limit": 2, "private_pool_options_match_criteria": "Open"}
    config = {**created, "maintenance_time": [{"StartTime": "20:00:00", "EndTime": "23:00:00"}],
              "maintenance_action": "AutoRedeploy", "maintenance_notify": False}
    instance_update(hz, instance_id, {"auto_release_time": release, "private_pool_options_match_criteria": "Open",
                                      "status": "Running"}, config)
    state = instance_read(hz, instance_id, new=True)
    assert {k: state[k] for k in config} == {**config, "http_endpoint": "enabled"}  # http_endpoint is Computed
    instance_delete(hz, instance_id)
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    assert [c["action"] for c in _calls(proxy) if c["action"].startswith("Modify")] == [
        "ModifyInstanceMaintenanceAttributes", "ModifyInstanceMetadataOptions"]


def test_instance_with_role_name(proxy):
    """role_name: RunInstances' RamRoleName; a refresh reads it back through DescribeInstanceRamRole (no diff);
    the role goes with DetachInstanceRamRole (InstanceIds, RamRoleName: alicloud_ecs_ram_role_attachment's
    Delete), and the next refresh reads no role."""
    hz = Provider(REGION)
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {}, role_name="EcsRoleForTf")
    state = instance_read(hz, instance_id, new=True, role_name="EcsRoleForTf")
    assert instance_read(hz, instance_id) == state and state["role_name"] == "EcsRoleForTf"
    detached = hz.rpc_post("DetachInstanceRamRole", {}, {"RegionId": REGION, "RamRoleName": "EcsRoleForTf",
                                                         "InstanceIds": json.dumps([instance_id])})
    assert (detached["TotalCount"], detached["FailCount"]) == (1, 0)
    assert instance_read(hz, instance_id) == {**state, "role_name": ""}
    attached = hz.rpc_post("AttachInstanceRamRole", {}, {"RegionId": REGION, "RamRoleName": "EcsRoleForTf",
                                                         "InstanceIds": json.dumps([instance_id])})
    # alicloud_ecs_ram_role_attachment's id: the first result's InstanceId and the answer's RamRoleName
    assert (attached["AttachInstanceRamRoleResults"]["AttachInstanceRamRoleResult"][0]["InstanceId"],
            attached["RamRoleName"]) == (instance_id, "EcsRoleForTf")
    assert instance_read(hz, instance_id)["role_name"] == "EcsRoleForTf"
    instance_delete(hz, instance_id)
    assert instance_read(hz, instance_id) is None
    assert [c for c in _calls(proxy) if c["status"] != 200] == []


# -- Image Builder: alicloud_ecs_image_component, alicloud_ecs_image_pipeline, alicloud_ecs_image_pipeline_execution
def prepaid_delete(p: Provider, instance_id: str) -> None:
    """resourceAliCloudInstanceDelete of a PrePaid instance with force_delete: modifyInstanceChargeType to PostPaid
    (InstanceIds as a JSON list, IncludeDataDisks, AutoPay=true, DryRun=false, a ClientToken; retried on
    InternalError), a wait until DescribeInstance shows PostPaid, then the pay-as-you-go deletion."""
    p.call("ModifyInstanceChargeType", InstanceIds=json.dumps([instance_id]), IncludeDataDisks=True, AutoPay=True,
           DryRun=False, ClientToken="ModifyInstanceChargeType-tf-1", InstanceChargeType="PostPaid")
    assert describe_instance(p, instance_id)["InstanceChargeType"] == "PostPaid"
    instance_delete(p, instance_id)


def test_prepaid_instance_create_refresh_update_refresh(proxy):
    """instance_charge_type = "PrePaid" (period 1, renewal_status AutoRenewal, auto_renew_period 1): RunInstances
    takes Period, PeriodUnit, AutoRenew, AutoRenewPeriod; each Read also calls DescribeInstanceAutoRenewAttribute
    and reads back exactly the configuration; an update of instance_type (stop, ModifyPrepayInstanceSpec, start) and
    auto_renew_period (ModifyInstanceAutoRenewAttribute), then renewal_status Normal, each read back with no diff;
    the destroy (force_delete) converts it to pay-as-you-go first. No call fails, none answers NotImplemented."""
    hz = Provider(REGION)
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {}, settings={
        "InstanceChargeType": "PrePaid", "Period": 1, "PeriodUnit": "Month", "AutoRenew": True, "AutoRenewPeriod": 1})
    state = instance_read(hz, instance_id, new=True)
    assert {k: state[k] for k in ("instance_charge_type", "renewal_status", "auto_renew_period", "period_unit")} == {
        "instance_charge_type": "PrePaid", "renewal_status": "AutoRenewal", "auto_renew_period": 1,
        "period_unit": "Month"}
    assert describe_instance(hz, instance_id)["ExpiredTime"].endswith("T16:00Z")  # a month's subscription
    assert instance_read(hz, instance_id) == state  # terraform refresh
    config = {**state, "instance_type": "ecs.g7.xlarge", "auto_renew_period": 3}
    state = apply_and_refresh(hz, instance_id, state, config)
    assert state == {**config, "cpu": 4, "memory": 16384, "cpu_core_count": 2}
    # renewal_status Normal: auto_renew_period is then suppressed in the plan (ecsNotAutoRenewDiffSuppressFunc)
    normal = {**state, "renewal_status": "Normal"}
    assert apply_and_refresh(hz, instance_id, state, normal) == normal
    prepaid_delete(hz, instance_id)
    assert instance_read(hz, instance_id) is None
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    updates = [c["action"] for c in _calls(proxy) if c["action"].startswith(("Modify", "Stop", "Start"))]
    assert updates == ["StopInstance", "ModifyPrepayInstanceSpec", "StartInstance",
                       "ModifyInstanceAutoRenewAttribute", "ModifyInstanceAutoRenewAttribute",
                       "ModifyInstanceChargeType"]
    reads = [c["action"] for c in _calls(proxy)].count("DescribeInstanceAutoRenewAttribute")
    assert reads == 6  # each Read of the subscription instance


def component_read(p: Provider, component_id: str) -> Optional[dict]:
    """DescribeEcsImageComponent: ``ImageComponentId.1``; no row is gone."""
    rows = p.rpc_post("DescribeImageComponents", {}, {"ImageComponentId.1": component_id, "RegionId": p.region})[
        "ImageComponent"]["ImageComponentSet"]
    return rows[0] if rows else None


def pipeline_read(p: Provider, pipeline_id: str) -> Optional[dict]:
    """DescribeEcsImagePipeline: ``ImagePipelineId.1``, MaxResults 20 (PageSizeMedium); no row is gone."""
    rows = p.rpc_post("DescribeImagePipelines", {}, {"RegionId": p.region, "MaxResults": 20,
                                                     "ImagePipelineId.1": pipeline_id})["ImagePipeline"][
        "ImagePipelineSet"]
    return rows[0] if rows else None


def execution_read(p: Provider, execution_id: str) -> Optional[dict]:
    rows = p.rpc_post("DescribeImagePipelineExecutions", {}, {"ExecutionId": execution_id, "RegionId": p.region})[
        "ImagePipelineExecution"]["ImagePipelineExecutionSet"]
    return rows[0] if rows else None


def test_image_builder_resources(proxy):
    hz = Provider(REGION)
    net = network(hz)
    _transitions(proxy, delays={"execution": {"observations": 10}})
    component_id = hz.rpc_post("CreateImageComponent", {}, {
        "RegionId": REGION, "ClientToken": "CreateImageComponent-tf", "SystemType": "Linux",
        "ComponentType": "Build", "Content": "RUN yum update -y", "Name": "tf-component",
        "ComponentVersion": "1.0.0", **_tag_params({"env": "test"})})["ImageComponentId"]
    component = component_read(hz, component_id)
    assert (component["Name"], component["Content"], component["SystemType"], component["ComponentType"]) == (
        "tf-component", "RUN yum update -y", "Linux", "Build")
    assert {t["TagKey"]: t["TagValue"] for t in component["Tags"]["Tag"]} == {"env": "test"}
    pipeline_id = hz.rpc_post("CreateImagePipeline", {}, {
        "AddAccount.1": ACCOUNT, "BaseImage": "aliyun_3_x64_20G_alibase_20240819.vhd", "BaseImageType": "IMAGE",
        "BuildContent": f"COMPONENT {component_id}", "DeleteInstanceOnFailure": True, "ImageName": "tf-built",
        "InstanceType": "ecs.g7.large", "Name": "tf-pipeline", "RegionId": REGION, "SystemDiskSize": 40,
        "ToRegionId.1": OTHER, "VSwitchId": net["vswitch"], "ClientToken": "CreateImagePipeline-tf"})[
        "ImagePipelineId"]
    pipeline = pipeline_read(hz, pipeline_id)
    assert pipeline["AddAccounts"]["AddAccount"] == [ACCOUNT] and pipeline["ToRegionIds"]["ToRegionId"] == [OTHER]
    assert (pipeline["SystemDiskSize"], pipeline["DeleteInstanceOnFailure"], pipeline["VSwitchId"]) == (
        40, True, net["vswitch"])
    execution_id = hz.rpc_post("StartImagePipelineExecution", {}, {
        "RegionId": REGION, "ClientToken": "StartImagePipelineExecution-tf", "ImagePipelineId": pipeline_id})[
        "ExecutionId"]
    # BuildStateConf([], ["SUCCESS", "BUILDING", "PREPARING"]) failing on FAILED: done at the first of those
    assert execution_read(hz, execution_id)["Status"] in ("SUCCESS", "BUILDING", "PREPARING")
    # status = "CANCELLED" in the configuration: CancelImagePipelineExecution, then a wait for CANCELLED
    hz.rpc_post("CancelImagePipelineExecution", {}, {"ExecutionId": execution_id, "RegionId": REGION})
    seen = [execution_read(hz, execution_id)["Status"] for _ in range(12)]
    assert seen[0] == "CANCELLING" and seen[-1] == "CANCELLED"  # BuildStateConf([], ["CANCELLED"])
    # terraform destroy: the execution is only dropped from the state; the pipeline, then the component
    hz.rpc_post("DeleteImagePipeline", {}, {"ImagePipelineId": pipeline_id, "RegionId": REGION})
    hz.rpc_post("DeleteImageComponent", {}, {"ImageComponentId": component_id, "RegionId": REGION})
    # a refresh after the destroy (or a deletion outside Terraform): empty answers, so gone, not an error
    assert component_read(hz, component_id) is None and pipeline_read(hz, pipeline_id) is None
    assert execution_read(hz, execution_id) is None  # mockecs drops a pipeline's executions with it: gone too
    with pytest.raises(ServerException) as err:  # a second DeleteImageComponent: NotFoundError ends it quietly
        hz.rpc_post("DeleteImageComponent", {}, {"ImageComponentId": component_id, "RegionId": REGION})
    assert err.value.get_http_status() == 404


# -- alicloud_ecs_auto_snapshot_policy and alicloud_ecs_auto_snapshot_policy_attachment -----------------------------
def test_auto_snapshot_policy_and_attachment(proxy):
    """As resource_alicloud_ecs_auto_snapshot_policy(_attachment).go call them: ``client.RpcPost`` with the lower
    camel case names in the form body, read back with DescribeAutoSnapshotPolicyEx and (the attachment)
    DescribeDisks filtered by the policy."""
    p = Provider(REGION)
    made = p.rpc_post("CreateAutoSnapshotPolicy", {}, {
        "regionId": REGION, "autoSnapshotPolicyName": "tf-policy", "retentionDays": 7,
        "timePoints": '["1","22"]', "repeatWeekdays": '["1","2","3"]', "EnableCrossRegionCopy": False})
    policy_id = made["AutoSnapshotPolicyId"]

    def read() -> Optional[dict]:
        found = p.rpc_post("DescribeAutoSnapshotPolicyEx", {}, {"AutoSnapshotPolicyId": policy_id,
                                                                 "RegionId": REGION})
        items = found["AutoSnapshotPolicies"]["AutoSnapshotPolicy"]
        return items[0] if items and items[0].get("Status") is not None else None  # (else NotFound)

    state = read()
    assert state["Status"] == "Normal" and json.loads(state["TimePoints"]) == ["1", "22"]
    assert state["RetentionDays"] == 7 and state["AutoSnapshotPolicyName"] == "tf-policy"
    instance(p, network(p), "ubuntu_22_04_x64_20G_alibase_20240130.vhd")
    disk_id = p.call("DescribeDisks")["Disks"]["Disk"][0]["DiskId"]

    def attachment() -> list:
        return p.rpc_post("DescribeDisks", {}, {"AutoSnapshotPolicyId": policy_id, "RegionId": REGION,
                                                "DiskIds": json.dumps([disk_id])})["Disks"]["Disk"]

    p.rpc_post("ApplyAutoSnapshotPolicy", {}, {"diskIds": json.dumps([disk_id]), "autoSnapshotPolicyId": policy_id,
                                               "regionId": REGION})
    assert [d["DiskId"] for d in attachment()] == [disk_id]
    p.rpc_post("ModifyAutoSnapshotPolicyEx", {}, {"autoSnapshotPolicyId": policy_id, "regionId": REGION,
                                                  "retentionDays": 14, "repeatWeekdays": '["6"]',
                                                  "timePoints": '["1","22"]'})
    assert read()["RetentionDays"] == 14 and json.loads(read()["RepeatWeekdays"]) == ["6"]
    p.rpc_post("CancelAutoSnapshotPolicy", {}, {"diskIds": json.dumps([disk_id]), "regionId": REGION})
    assert attachment() == []  # the attachment is gone
    p.rpc_post("DeleteAutoSnapshotPolicy", {}, {"autoSnapshotPolicyId": policy_id, "regionId": REGION})
    assert read() is None


# -- secondary private addresses: alicloud_instance secondary_private_ips, alicloud_ecs_network_interface private_ips
def _numbered(name: str, values: list[Any]) -> dict[str, Any]:
    """A list parameter as the tea client's ``openapiutil.Query`` flattens it: ``Name.1``, ``Name.2`` ..."""
    return {f"{name}.{n}": v for n, v in enumerate(values, 1)}


def eni_read(p: Provider, eni_id: str) -> Optional[dict]:
    """DescribeEcsNetworkInterface (tea, ``NetworkInterfaceId`` as a list): no set, or another id, is gone."""
    found = p.rpc_post("DescribeNetworkInterfaces", {}, {"RegionId": p.region, **_numbered(
        "NetworkInterfaceId", [eni_id])})["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    if not found or found[0]["NetworkInterfaceId"] != eni_id:
        return None
    return found[0]


def secondary_ips(p: Provider, eni_id: str) -> set[str]:
    """The Read's ``private_ips`` (and QueryPrivateIps'): the addresses whose Primary is false."""
    eni = eni_read(p, eni_id)
    assert eni is not None
    return {s["PrivateIpAddress"] for s in eni["PrivateIpSets"]["PrivateIpSet"] if not s["Primary"]}


def change_private_ips(p: Provider, eni_id: str, old: set[str], new: set[str], token: str = "") -> None:
    """The Update of ``private_ips`` (and alicloud_instance's ``secondary_private_ips``, which adds a ClientToken):
    UnassignPrivateIpAddresses of the removed ones, AssignPrivateIpAddresses of the added ones, then
    WaitForPrivateIpsListChanged (the same addresses, in any order)."""
    for action, ips in (("UnassignPrivateIpAddresses", sorted(old - new)), ("AssignPrivateIpAddresses",
                                                                           sorted(new - old))):
        if ips:
            p.rpc_post(action, {}, {"RegionId": p.region, "NetworkInterfaceId": eni_id, **_numbered(
                "PrivateIpAddress", ips), **({"ClientToken": f"{action}-{token}"} if token else {})})
    assert secondary_ips(p, eni_id) == new


def test_network_interface_private_ips_and_count(proxy):
    hz = Provider(REGION)
    net = network(hz)
    # private_ips = ["172.16.0.11", "172.16.0.12"]: CreateNetworkInterface with PrivateIpAddress.N, a wait for
    # Available (EcsNetworkInterfaceStateRefreshFunc), then the Read
    eni = hz.rpc_post("CreateNetworkInterface", {}, {
        "RegionId": REGION, "VSwitchId": net["vswitch"], **_numbered("SecurityGroupIds", [net["security_group"]]),
        "NetworkInterfaceName": "tf-eni", **_numbered("PrivateIpAddress", ["172.16.0.11", "172.16.0.12"])})[
        "NetworkInterfaceId"]
    assert eni_read(hz, eni)["Status"] == "Available"
    assert secondary_ips(hz, eni) == {"172.16.0.11", "172.16.0.12"}
    change_private_ips(hz, eni, {"172.16.0.11", "172.16.0.12"}, {"172.16.0.12", "172.16.0.13"})
    assert secondary_ips(hz, eni) == {"172.16.0.12", "172.16.0.13"}  # a refresh: no diff

    # private_ips_count = 2, then 4 (an AssignPrivateIpAddresses of the difference), then 1 (an Unassign of the
    # first addresses the state lists)
    counted = hz.rpc_post("CreateNetworkInterface", {}, {
        "RegionId": REGION, "VSwitchId": net["vswitch"], **_numbered("SecurityGroupIds", [net["security_group"]]),
        "SecondaryPrivateIpAddressCount": 2})["NetworkInterfaceId"]
    assert len(secondary_ips(hz, counted)) == 2
    hz.rpc_post("AssignPrivateIpAddresses", {}, {"RegionId": REGION, "NetworkInterfaceId": counted,
                                                 "SecondaryPrivateIpAddressCount": 2})
    state = sorted(secondary_ips(hz, counted))
    assert len(state) == 4
    hz.rpc_post("UnassignPrivateIpAddresses", {}, {"RegionId": REGION, "NetworkInterfaceId": counted,
                                                   **_numbered("PrivateIpAddress", state[:3])})
    assert secondary_ips(hz, counted) == set(state[3:])
    for eni_id in (eni, counted):  # terraform destroy
        hz.rpc_post("DeleteNetworkInterface", {}, {"RegionId": REGION, "NetworkInterfaceId": eni_id})
        assert eni_read(hz, eni_id) is None
    assert [c for c in _calls(proxy) if c["status"] != 200] == []


def test_instance_secondary_private_ips(proxy):
    """secondary_private_ips on a new instance: after RunInstances the Update finds the primary ENI in
    DescribeInstances and assigns the addresses to it; the Read takes them from DescribeNetworkInterfaces."""
    hz = Provider(REGION)
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {})

    def primary_eni() -> str:
        found = describe_instance(hz, instance_id)["NetworkInterfaces"]["NetworkInterface"]
        return next(e["NetworkInterfaceId"] for e in found if e["Type"] == "Primary")

    change_private_ips(hz, primary_eni(), set(), {"172.16.0.100", "172.16.0.101"}, token="tf")
    state = instance_read(hz, instance_id, new=True)
    assert {s["PrivateIpAddress"] for s in state["secondary_private_ips"]} == {"172.16.0.100", "172.16.0.101"}
    assert instance_read(hz, instance_id) == state  # a refresh: no diff
    change_private_ips(hz, primary_eni(), {"172.16.0.100", "172.16.0.101"}, {"172.16.0.101", "172.16.0.102"},
                       token="tf2")
    listed = describe_instance(hz, instance_id)["NetworkInterfaces"]["NetworkInterface"][0]["PrivateIpSets"]
    assert [s["PrivateIpAddress"] for s in listed["PrivateIpSet"]][1:] == ["172.16.0.101", "172.16.0.102"]
    instance_delete(hz, instance_id)
    assert instance_read(hz, instance_id) is None
    assert [c for c in _calls(proxy) if c["status"] != 200] == []
    # the addresses went back with the instance: another one can take them
    again = hz.call("RunInstances", ImageId="aliyun_3_x64_20G_alibase_20240819.vhd", InstanceType="ecs.g7.large",
                    SecurityGroupId=net["security_group"], VSwitchId=net["vswitch"], PrivateIpAddress="172.16.0.102")
    assert again["InstanceIdSets"]["InstanceIdSet"]


# -- alicloud_ecs_disk performance_level / category / provisioned_iops, alicloud_instance system_disk_performance_level
def describe_ecs_disk(p: Provider, disk_id: str) -> Optional[dict]:
    """EcsServiceV2.DescribeEcsDisk (tea, DiskIds as a JSON list): no disk, or no Status, is gone."""
    found = p.rpc_post("DescribeDisks", {}, {"DiskIds": json.dumps([disk_id]), "RegionId": p.region})["Disks"]["Disk"]
    return found[0] if found and found[0].get("Status") is not None else None


def disk_spec(p: Provider, disk_id: str, **changes: Any) -> dict:
    """The Update's ModifyDiskSpec (DiskId and what changed; RegionId from the client), then
    BuildStateConf([], ["Available", "In_use"]) on the disk's Status; the Read's fields."""
    p.rpc_post("ModifyDiskSpec", {}, {"DiskId": disk_id, **changes})
    disk = describe_ecs_disk(p, disk_id)
    assert disk is not None and disk["Status"] in ("Available", "In_use")
    return {"category": disk["Category"], "performance_level": disk["PerformanceLevel"],
            "provisioned_iops": disk["ProvisionedIops"], "bursting_enabled": disk["BurstingEnabled"],
            "iops": disk["IOPS"], "throughput": disk["Throughput"]}


def test_disk_performance_level_category_and_provisioned_iops(proxy):
    hz = Provider(REGION)
    zone = hz.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    disk_id = hz.rpc_post("CreateDisk", {}, {"RegionId": REGION, "ZoneId": zone, "DiskCategory": "cloud_essd",
                                             "Size": 500, "PerformanceLevel": "PL1",
                                             "ClientToken": "CreateDisk-tf"})["DiskId"]
    assert describe_ecs_disk(hz, disk_id)["Status"] == "Available"
    assert disk_spec(hz, disk_id, PerformanceLevel="PL2")["performance_level"] == "PL2"
    # category = "cloud_auto", provisioned_iops = 5000, bursting_enabled = true in one apply: ModifyDiskSpec with
    # DiskCategory and ProvisionedIops, then the deferred ModifyDiskAttribute BurstingEnabled
    state = disk_spec(hz, disk_id, DiskCategory="cloud_auto", ProvisionedIops=5000)
    assert (state["category"], state["performance_level"], state["provisioned_iops"]) == ("cloud_auto", "", 5000)
    hz.rpc_post("ModifyDiskAttribute", {}, {"DiskId": disk_id, "RegionId": REGION, "BurstingEnabled": True})
    assert describe_ecs_disk(hz, disk_id)["BurstingEnabled"] is True
    # back to an ESSD: ProvisionedIops is left out (the provider's rule), and the disk drops it
    state = disk_spec(hz, disk_id, DiskCategory="cloud_essd", PerformanceLevel="PL1")
    assert state == {"category": "cloud_essd", "performance_level": "PL1", "provisioned_iops": 0,
                     "bursting_enabled": False, "iops": 26800, "throughput": 350}
    hz.rpc_post("DeleteDisk", {}, {"DiskId": disk_id})
    assert describe_ecs_disk(hz, disk_id) is None

    # alicloud_instance system_disk_performance_level: DescribeEcsSystemDisk, then ModifyDiskSpec with RegionId,
    # DiskId and PerformanceLevel. PL1 -> PL0 on a pay-as-you-go ESSD is refused (documented); PL2 needs 461 GiB:
    # system_disk_size = 500 first (ResizeDisk), then PL2 in the next apply
    net = network(hz)
    instance_id = instance_create(hz, net, "aliyun_3_x64_20G_alibase_20240819.vhd", {})
    system = hz.rpc_post("DescribeDisks", {}, {"RegionId": REGION, "InstanceId": instance_id, "DiskType": "system"})[
        "Disks"]["Disk"][0]
    assert (system["Category"], system["PerformanceLevel"]) == ("cloud_essd", "PL1")
    with pytest.raises(ServerException) as err:
        disk_spec(hz, system["DiskId"], RegionId=REGION, PerformanceLevel="PL0")
    assert (err.value.get_error_code(), err.value.get_http_status()) == ("InvalidPerformanceLevel.TooLow", 403)
    hz.rpc_post("ResizeDisk", {}, {"DiskId": system["DiskId"], "NewSize": 500, "ClientToken": "ResizeDisk-tf"})
    assert disk_spec(hz, system["DiskId"], RegionId=REGION, PerformanceLevel="PL2")["performance_level"] == "PL2"
    assert instance_read(hz, instance_id)["system_disk_size"] == 500
    instance_delete(hz, instance_id)
    assert [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200] == [
        ("ModifyDiskSpec", "InvalidPerformanceLevel.TooLow")]

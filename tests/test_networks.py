"""VPCs and vSwitches on the ECS API (CreateVpc, DescribeVpcs, DeleteVpc, CreateVSwitch, DescribeVSwitches,
DeleteVSwitch) through the real SDKs, first along the path an image-build tool walks."""
from __future__ import annotations

import asyncio
import json
import re
import xml.etree.ElementTree as ET

import alibabacloud_ecs20140526.models as models
import pytest
import requests
from aliyunsdkecs.request.v20140526.CreateInstanceRequest import CreateInstanceRequest
from aliyunsdkecs.request.v20140526.CreateVpcRequest import CreateVpcRequest
from aliyunsdkecs.request.v20140526.CreateVSwitchRequest import CreateVSwitchRequest
from aliyunsdkecs.request.v20140526.DeleteInstanceRequest import DeleteInstanceRequest
from aliyunsdkecs.request.v20140526.DeleteVpcRequest import DeleteVpcRequest
from aliyunsdkecs.request.v20140526.DeleteVSwitchRequest import DeleteVSwitchRequest
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.DescribeVpcsRequest import DescribeVpcsRequest
from aliyunsdkecs.request.v20140526.DescribeVSwitchesRequest import DescribeVSwitchesRequest
from aliyunsdkecs.request.v20140526.DescribeZonesRequest import DescribeZonesRequest
from aliyunsdkecs.request.v20140526.ModifyVpcAttributeRequest import ModifyVpcAttributeRequest

from mockecs.engine.core import Config
from mockecs.modes.mock import MockECS
from mockecs.modes.server.thread import ServerThread
from tests.networks_helpers import (
    documented,
    new_vpc,
    new_vswitch,
    one_vswitch,
    put_security_group,
    vpcs,
    vswitches,
    xml_call,
)
from tests.sdk import legacy_call, new_client
from tests.spec import documented_error
from tests.test_instances import LINUX, REGION, SECOND, assert_documented, assert_wire, new_error, old_error

X86_TYPE = "ecs.g7.8xlarge"  # unknown to mockecs before issue 12


# -- the image-build path ----------------------------------------------------------------------------------
def test_build_flow_old_sdk(legacy, client, engine):
    """What Packer's alicloud-ecs builder does when no VPC is given, through the old SDK."""
    req = CreateVpcRequest()  # no CidrBlock: the documented default
    created = legacy_call(legacy, req)
    vpc_id = created["VpcId"]
    assert re.match(r"^vpc-bp1[a-z0-9]{17}$", vpc_id)
    assert created["VRouterId"].startswith("vrt-") and created["RouteTableId"].startswith("vtb-")

    req = DescribeVpcsRequest()
    req.set_VpcId(vpc_id)
    body = legacy_call(legacy, req)
    assert body["TotalCount"] == 1 and body["PageNumber"] == 1 and body["PageSize"] == 10
    vpc = body["Vpcs"]["Vpc"][0]
    assert_wire(vpc, "DescribeVpcsResponseBodyVpcsVpc")
    assert vpc["CidrBlock"] == "172.16.0.0/12" and vpc["Status"] == "Available" and vpc["IsDefault"] is False
    assert vpc["RegionId"] == REGION and vpc["VRouterId"] == created["VRouterId"] and SECOND.match(vpc["CreationTime"])
    assert vpc["VSwitchIds"] == {"VSwitchId": []}

    # DescribeZones: the zones that can create a VSwitch and sell the instance type
    zones = legacy_call(legacy, DescribeZonesRequest())["Zones"]["Zone"]
    usable = [z["ZoneId"] for z in zones if "VSwitch" in z["AvailableResourceCreation"]["ResourceTypes"]
              and X86_TYPE in z["AvailableInstanceTypes"]["InstanceTypes"]]
    assert usable and all("Instance" in z["AvailableResourceCreation"]["ResourceTypes"] for z in zones)
    zone_id = usable[-1]

    req = CreateVSwitchRequest()
    req.set_VpcId(vpc_id)
    req.set_ZoneId(zone_id)
    req.set_CidrBlock("172.16.0.0/24")
    vswitch_id = legacy_call(legacy, req)["VSwitchId"]
    req = DescribeVSwitchesRequest()
    req.set_VpcId(vpc_id)
    req.set_VSwitchId(vswitch_id)
    item = legacy_call(legacy, req)["VSwitches"]["VSwitch"][0]
    assert_wire(item, "DescribeVSwitchesResponseBodyVSwitchesVSwitch")
    assert item["Status"] == "Available" and item["ZoneId"] == zone_id and item["VpcId"] == vpc_id
    assert item["CidrBlock"] == "172.16.0.0/24" and item["AvailableIpAddressCount"] == 252

    group_id = put_security_group(engine, engine.accounts.default_account_id, vpc_id)
    req = CreateInstanceRequest()
    req.set_ImageId(LINUX)
    req.set_InstanceType(X86_TYPE)
    req.set_VSwitchId(vswitch_id)
    req.set_SecurityGroupId(group_id)
    req.set_InternetMaxBandwidthOut(5)
    instance_id = legacy_call(legacy, req)["InstanceId"]
    req = DescribeInstancesRequest()
    req.set_InstanceIds(json.dumps([instance_id]))
    instance = legacy_call(legacy, req)["Instances"]["Instance"][0]
    assert instance["ZoneId"] == zone_id and instance["InstanceNetworkType"] == "vpc"
    assert instance["VpcAttributes"]["VpcId"] == vpc_id and instance["VpcAttributes"]["VSwitchId"] == vswitch_id
    assert instance["SecurityGroupIds"]["SecurityGroupId"] == [group_id]
    assert one_vswitch(client, vswitch_id)["AvailableIpAddressCount"] == 251
    assert vpcs(client, vpc_id=vpc_id)["Vpcs"]["Vpc"][0]["VSwitchIds"]["VSwitchId"] == [vswitch_id]

    req = DeleteInstanceRequest()
    req.set_InstanceId(instance_id)
    req.set_Force(True)
    legacy_call(legacy, req)
    req = DeleteVSwitchRequest()
    req.set_VSwitchId(vswitch_id)
    legacy_call(legacy, req)
    with engine.store.transaction() as txn:  # the security group goes before the VPC (DeleteSecurityGroup)
        txn.delete("security_group", group_id)
    req = DeleteVpcRequest()
    req.set_VpcId(vpc_id)
    legacy_call(legacy, req)
    assert vpcs(client)["TotalCount"] == 0 and vswitches(client)["TotalCount"] == 0


def test_build_flow_new_sdk(client, engine):
    vpc_id = new_vpc(client, vpc_name="packer-vpc", description="temporary network")
    zones = client.describe_zones(models.DescribeZonesRequest(region_id=REGION)).body.zones.zone
    zone = next(z for z in zones if "VSwitch" in z.available_resource_creation.resource_types
                and X86_TYPE in z.available_instance_types.instance_types)
    vswitch_id = new_vswitch(client, vpc_id, zone_id=zone.zone_id, v_switch_name="packer-vsw")
    instance_id = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type=X86_TYPE, v_switch_id=vswitch_id)).body.instance_id
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, vpc_id=vpc_id)).body
    assert [i.instance_id for i in found.instances.instance] == [instance_id]
    err = new_error(client.delete_vswitch, models.DeleteVSwitchRequest(v_switch_id=vswitch_id))
    documented("DeleteVSwitch", err, "DependencyViolation")
    err = new_error(client.delete_vpc, models.DeleteVpcRequest(vpc_id=vpc_id))
    documented("DeleteVpc", err, "DependencyViolation.VSwitch")
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    client.delete_vswitch(models.DeleteVSwitchRequest(v_switch_id=vswitch_id))
    client.delete_vpc(models.DeleteVpcRequest(vpc_id=vpc_id))
    assert vpcs(client)["TotalCount"] == 0


def test_networks_async(client):
    async def flow():
        vpc = await client.create_vpc_async(models.CreateVpcRequest(region_id=REGION, cidr_block="10.0.0.0/8"))
        vsw = await client.create_vswitch_async(models.CreateVSwitchRequest(
            region_id=REGION, vpc_id=vpc.body.vpc_id, zone_id="cn-hangzhou-j", cidr_block="10.1.0.0/16"))
        listed = await client.describe_vswitches_async(models.DescribeVSwitchesRequest(
            region_id=REGION, vpc_id=vpc.body.vpc_id))
        await client.delete_vswitch_async(models.DeleteVSwitchRequest(v_switch_id=vsw.body.v_switch_id))
        await client.delete_vpc_async(models.DeleteVpcRequest(vpc_id=vpc.body.vpc_id))
        after = await client.describe_vpcs_async(models.DescribeVpcsRequest(region_id=REGION))
        return listed.body.to_map(), after.body.total_count

    listed, left = asyncio.run(flow())
    item = listed["VSwitches"]["VSwitch"][0]
    assert item["CidrBlock"] == "10.1.0.0/16" and item["AvailableIpAddressCount"] == 65532 and left == 0


def test_networks_xml(legacy):
    req = CreateVpcRequest()
    req.set_CidrBlock("192.168.0.0/16")
    status, root = xml_call(legacy, req)
    assert status == 200 and root.tag == "CreateVpcResponse" and root.findtext("VpcId").startswith("vpc-")
    vpc_id = root.findtext("VpcId")
    req = CreateVSwitchRequest()
    req.set_VpcId(vpc_id)
    req.set_ZoneId("cn-hangzhou-k")
    req.set_CidrBlock("192.168.1.0/24")
    legacy_call(legacy, req)
    status, root = xml_call(legacy, DescribeVpcsRequest())
    assert root.tag == "DescribeVpcsResponse" and root.findtext("TotalCount") == "1"
    assert root.findtext("Vpcs/Vpc/CidrBlock") == "192.168.0.0/16" and root.findtext("Vpcs/Vpc/IsDefault") == "false"
    assert len(root.findall("Vpcs/Vpc/VSwitchIds/VSwitchId")) == 1
    status, root = xml_call(legacy, DescribeVSwitchesRequest())
    assert root.findtext("VSwitches/VSwitch/AvailableIpAddressCount") == "252"
    req = DeleteVpcRequest()
    req.set_VpcId(vpc_id)
    status, root = xml_call(legacy, req)
    assert (status, root.tag, root.findtext("Code"), root.findtext("Message")) == (
        400, "Error", "DependencyViolation.VSwitch", documented_error("DeleteVpc", "DependencyViolation.VSwitch")[1])


# -- statuses on the lifecycle clock -----------------------------------------------------------------
def test_vpc_and_vswitch_statuses_follow_the_clock(client, engine):
    engine.lifecycle.delay("vpc", seconds=5)
    engine.lifecycle.delay("vswitch", seconds=5)
    vpc_id = new_vpc(client)
    assert vpcs(client)["Vpcs"]["Vpc"][0]["Status"] == "Creating"
    documented("CreateVSwitch", new_error(new_vswitch, client, vpc_id), "IncorrectVpcStatus")
    documented("DeleteVpc", new_error(client.delete_vpc, models.DeleteVpcRequest(vpc_id=vpc_id)),
               "IncorrectVpcStatus")
    engine.clock.advance(5)
    assert vpcs(client)["Vpcs"]["Vpc"][0]["Status"] == "Available"
    vswitch_id = new_vswitch(client, vpc_id)
    assert one_vswitch(client, vswitch_id)["Status"] == "Pending"
    err = new_error(client.create_instance, models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", v_switch_id=vswitch_id))
    documented("CreateInstance", err, "IncorrectVSwitchStatus")
    documented("DeleteVSwitch", new_error(client.delete_vswitch, models.DeleteVSwitchRequest(v_switch_id=vswitch_id)),
               "IncorrectVSwitchStatus")
    engine.clock.advance(5)
    assert one_vswitch(client, vswitch_id)["Status"] == "Available"
    client.delete_vswitch(models.DeleteVSwitchRequest(v_switch_id=vswitch_id))


# -- CreateVpc ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cidr", ["8.8.8.0/24", "garbage", "10.0.0.0/30", "10.0.0.0/7", "172.16.0.1/12",
                                  "172.32.0.0/16", "fd00::/8", "100.64.0.0/10"])
def test_create_vpc_refuses_cidr_blocks_a_vpc_cannot_use(client, cidr):
    documented("CreateVpc", new_error(new_vpc, client, cidr), "InvalidParameter")


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.20.0.0/16", "172.16.0.0/12", "172.31.255.0/28",
                                  "192.168.0.0/16", "192.168.10.0/24"])
def test_create_vpc_accepts_private_ranges_and_their_subnets(client, cidr):
    vpc_id = new_vpc(client, cidr)
    assert vpcs(client, vpc_id=vpc_id)["Vpcs"]["Vpc"][0]["CidrBlock"] == cidr


def test_create_vpc_name_description_user_cidr_and_quota(client):
    documented("CreateVpc", new_error(new_vpc, client, vpc_name="1-starts-with-digit"), "InvalidVpcName.Malformed")
    documented("CreateVpc", new_error(new_vpc, client, vpc_name="http://x"), "InvalidVpcName.Malformed")
    documented("CreateVpc", new_error(new_vpc, client, description="https://spam"), "InvalidVpcDiscription.Malformed")
    documented("CreateVpc", new_error(new_vpc, client, user_cidr="10.0.0.0/16,10.1.0.0/16,10.2.0.0/16,10.3.0.0/16"),
               "InvalidUserCidr.Quota")
    documented("CreateVpc", new_error(new_vpc, client, user_cidr="10.0.0.1/16"), "IllegalParam.UserCidr")
    vpc_id = new_vpc(client, vpc_name="build-net", description="for images", user_cidr="10.0.0.0/16")
    vpc = vpcs(client, vpc_id=vpc_id)["Vpcs"]["Vpc"][0]
    assert (vpc["VpcName"], vpc["Description"], vpc["UserCidrs"]) == (
        "build-net", "for images", {"UserCidr": ["10.0.0.0/16"]})
    for _ in range(9):  # the default quota: 10 VPCs per region
        new_vpc(client)
    documented("CreateVpc", new_error(new_vpc, client), "QuotaExceeded.Vpc")
    new_vpc(client, region="cn-beijing")  # another region has its own quota


def test_create_vpc_client_token_is_idempotent(client):
    first = new_vpc(client, client_token="build-42")
    assert new_vpc(client, client_token="build-42") == first
    assert vpcs(client)["TotalCount"] == 1


# -- DescribeVpcs / DeleteVpc ------------------------------------------------------------------------------
def test_describe_vpcs_filters_pages_and_accounts(client, other):
    ids = [new_vpc(client) for _ in range(3)]
    new_vpc(other.client)
    body = vpcs(client)
    assert body["TotalCount"] == 3 and [v["VpcId"] for v in body["Vpcs"]["Vpc"]] == ids
    assert [v["VpcId"] for v in vpcs(client, vpc_id=f"{ids[2]},{ids[0]}")["Vpcs"]["Vpc"]] == [ids[0], ids[2]]
    page = vpcs(client, page_number=2, page_size=2)
    assert page["TotalCount"] == 3 and [v["VpcId"] for v in page["Vpcs"]["Vpc"]] == [ids[2]]
    assert vpcs(client, is_default=True)["TotalCount"] == 0 and vpcs(client, is_default=False)["TotalCount"] == 3
    assert vpcs(client, vpc_id="vpc-doesnotexist")["TotalCount"] == 0
    assert vpcs(client, region="cn-beijing")["TotalCount"] == 0
    err = new_error(vpcs, client, vpc_id=",".join(f"vpc-{n}" for n in range(21)))
    documented("DescribeVpcs", err, "InvalidVpcIdNumber.NotSupported")
    err = new_error(vpcs, client, page_size=51)
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


def test_delete_vpc_errors(client, other, engine):
    vpc_id = new_vpc(client)
    for caller, target in ((client, "vpc-missing"), (other.client, vpc_id)):
        documented("DeleteVpc", new_error(caller.delete_vpc, models.DeleteVpcRequest(vpc_id=target)),
                   "InvalidVpcId.NotFound")
    group_id = put_security_group(engine, engine.accounts.default_account_id, vpc_id)
    documented("DeleteVpc", new_error(client.delete_vpc, models.DeleteVpcRequest(vpc_id=vpc_id)),
               "DependencyViolation.SecurityGroup")
    with engine.store.transaction() as txn:
        txn.delete("security_group", group_id)
    client.delete_vpc(models.DeleteVpcRequest(vpc_id=vpc_id))


def test_delete_vpc_without_region_finds_it(client):
    vpc_id = new_vpc(client, region="cn-shanghai")  # the client is configured for cn-hangzhou
    vsw = new_vswitch(client, vpc_id, zone_id="cn-shanghai-l", region="cn-shanghai")
    client.delete_vswitch(models.DeleteVSwitchRequest(v_switch_id=vsw))
    client.delete_vpc(models.DeleteVpcRequest(vpc_id=vpc_id))
    assert vpcs(client, region="cn-shanghai")["TotalCount"] == 0


# -- CreateVSwitch ----------------------------------------------------------------------------------------
def test_create_vswitch_errors(client, other):
    vpc_id = new_vpc(client, "172.16.0.0/16")
    new_vswitch(client, vpc_id, "172.16.0.0/24")
    for kw, code in [
        ({"cidr_block": "nonsense"}, "InvalidCidrBlock.Malformed"),
        ({"cidr_block": "172.16.1.1/24"}, "InvalidCidrBlock.Malformed"),
        ({"cidr_block": "172.16.1.0/30"}, "InvalidCirdrBlock.MaskLength"),
        ({"cidr_block": "172.16.0.0/15"}, "InvalidCirdrBlock.MaskLength"),
        ({"cidr_block": "10.0.0.0/24"}, "InvalidParameter"),
        ({"cidr_block": "172.16.0.128/25"}, "InvalidCidrBlock.Overlapped"),
        ({"cidr_block": "172.16.0.0/16"}, "InvalidCidrBlock.Overlapped"),
        ({"zone_id": "cn-hangzhou-z"}, "InvalidZoneId.NotFound"),
        ({"zone_id": "cn-beijing-h"}, "ResourceNotAvailable"),
        ({"v_switch_name": "-bad"}, "InvalidVSwitchName.Malformed"),
        ({"description": "x"}, "InvalidVSwitchDiscription.Malformed"),
    ]:
        args = {"cidr_block": "172.16.1.0/24", **kw}
        documented("CreateVSwitch", new_error(new_vswitch, client, vpc_id, **args), code)
    documented("CreateVSwitch", new_error(new_vswitch, client, "vpc-missing"), "InvalidVpcId.NotFound")
    documented("CreateVSwitch", new_error(new_vswitch, other.client, vpc_id, "172.16.1.0/24"),
               "InvalidVpcId.NotFound")
    err = new_error(client.create_vswitch, models.CreateVSwitchRequest(region_id=REGION, vpc_id=vpc_id,
                                                                       cidr_block="172.16.1.0/24"))
    documented("CreateVSwitch", err, "MissingParameter")
    assert vswitches(client)["TotalCount"] == 1  # nothing half-made


def test_create_vswitch_quota_is_an_option():
    with MockECS(config=Config(options={"vswitch_quota": 1})):
        client = new_client()
        vpc_id = new_vpc(client)
        new_vswitch(client, vpc_id)
        documented("CreateVSwitch", new_error(new_vswitch, client, vpc_id, "172.16.1.0/24"), "QuotaExceeded.VSwitch")


def test_vswitch_sizes_count_the_reserved_addresses(client):
    vpc_id = new_vpc(client, "192.168.0.0/16")
    small = new_vswitch(client, vpc_id, "192.168.0.0/29")
    large = new_vswitch(client, vpc_id, "192.168.128.0/17", zone_id="cn-hangzhou-k")
    assert one_vswitch(client, small)["AvailableIpAddressCount"] == 4
    assert one_vswitch(client, large)["AvailableIpAddressCount"] == 32764


# -- DescribeVSwitches / DeleteVSwitch ----------------------------------------------------------------------------
def test_describe_vswitches_filters(client, other):
    a, b = new_vpc(client), new_vpc(client, "10.0.0.0/8")
    a1 = new_vswitch(client, a, "172.16.0.0/24", "cn-hangzhou-i")
    a2 = new_vswitch(client, a, "172.16.1.0/24", "cn-hangzhou-j")
    b1 = new_vswitch(client, b, "10.0.0.0/24", "cn-hangzhou-j")
    new_vswitch(other.client, new_vpc(other.client))

    def ids(**kw):
        return [v["VSwitchId"] for v in vswitches(client, **kw)["VSwitches"]["VSwitch"]]

    assert ids() == [a1, a2, b1]
    assert ids(vpc_id=a) == [a1, a2] and ids(vpc_id=b) == [b1]
    assert ids(zone_id="cn-hangzhou-j") == [a2, b1] and ids(vpc_id=a, zone_id="cn-hangzhou-j") == [a2]
    assert ids(v_switch_id=f"{b1},{a1}") == [a1, b1] and ids(vpc_id="vpc-none") == []
    assert ids(page_number=2, page_size=2) == [b1] and ids(is_default=True) == []
    err = new_error(vswitches, client, v_switch_id=",".join(f"vsw-{n}" for n in range(21)))
    documented("DescribeVSwitches", err, "InvalidVSwitchIdNumber.NotSupported")


def test_delete_vswitch_errors(client, other):
    documented("DeleteVSwitch", new_error(client.delete_vswitch, models.DeleteVSwitchRequest(v_switch_id="vsw-none")),
               "InvalidVSwitchId.NotFound", 404)
    vswitch_id = new_vswitch(client, new_vpc(client))
    err = new_error(other.client.delete_vswitch, models.DeleteVSwitchRequest(v_switch_id=vswitch_id))
    assert_documented("DeleteVSwitch", err)
    assert (err.code, err.status_code) == ("InvalidVSwitchId.NotFound", 404)
    req = DeleteVSwitchRequest()
    err = old_error(other.legacy, req)  # no VSwitchId at all
    assert (err.get_error_code(), err.get_http_status(), err.get_error_msg()) == (
        "MissingParameter", *documented_error("DeleteVSwitch", "MissingParameter"))


def test_image_pipeline_vswitch_must_exist(client, other):
    vswitch_id = new_vswitch(client, new_vpc(client))

    def create(caller, vsw):
        return caller.create_image_pipeline(models.CreateImagePipelineRequest(
            region_id=REGION, base_image_type="IMAGE", base_image=LINUX, v_switch_id=vsw)).body.image_pipeline_id

    assert create(client, vswitch_id).startswith("ip-")
    for caller, vsw in ((client, "vsw-bp1doesnotexist0000"), (other.client, vswitch_id)):
        err = new_error(create, caller, vsw)  # the research notes' 404 (the metadata lists no VSwitch code here)
        assert (err.code, err.status_code) == ("InvalidVSwitchId.NotFound", 404)


def test_network_path_through_the_server_as_a_proxy():
    """The way the Go SDK of an image-build tool sends it: ``POST http://ecs-cn-hangzhou.aliyuncs.com/?...``
    through ``HTTP_PROXY`` whatever the RegionId, XML or JSON."""
    def post(action: str, **params) -> requests.Response:
        query = {"Action": action, "Version": "2014-05-26", "Format": "JSON", "AccessKeyId": "any",
                 "RegionId": "cn-beijing", **params}
        return requests.post("http://ecs-cn-hangzhou.aliyuncs.com/", params=query, proxies={"http": server.url},
                             timeout=10)

    with ServerThread() as server:
        vpc_id = post("CreateVpc").json()["VpcId"]
        assert post("DescribeVpcs", VpcId=vpc_id).json()["Vpcs"]["Vpc"][0]["RegionId"] == "cn-beijing"
        zones = post("DescribeZones").json()["Zones"]["Zone"]
        zone_id = next(z["ZoneId"] for z in zones if "VSwitch" in z["AvailableResourceCreation"]["ResourceTypes"]
                       and "ecs.c8y.large" in z["AvailableInstanceTypes"]["InstanceTypes"])
        assert zone_id == "cn-beijing-i"
        vswitch_id = post("CreateVSwitch", VpcId=vpc_id, ZoneId=zone_id, CidrBlock="172.16.0.0/24").json()["VSwitchId"]
        listed = post("DescribeVSwitches", VpcId=vpc_id, Format="XML")
        assert listed.status_code == 200 and ET.fromstring(listed.content).findtext(
            "VSwitches/VSwitch/VSwitchId") == vswitch_id
        instance = post("CreateInstance", ImageId=LINUX, InstanceType="ecs.c8y.large", VSwitchId=vswitch_id)
        assert instance.status_code == 403 and instance.json()["Code"] == "ImageNotSupportInstanceType"  # x86 image
        refused = post("DeleteVpc", VpcId=vpc_id)
        assert (refused.status_code, refused.json()["Code"]) == (400, "DependencyViolation.VSwitch")
        assert post("DeleteVSwitch", VSwitchId=vswitch_id).status_code == 200
        assert post("DeleteVpc", VpcId=vpc_id).status_code == 200
        assert post("DescribeVpcs").json()["TotalCount"] == 0


def test_modify_vpc_and_vswitch_attributes(client, legacy, other):
    vpc_id = new_vpc(client, "172.16.0.0/16")
    vswitch_id = new_vswitch(client, vpc_id, "172.16.3.0/24")
    req = ModifyVpcAttributeRequest()
    req.set_VpcId(vpc_id)
    req.set_VpcName("renamed")
    req.set_Description("the build network")
    req.set_CidrBlock("172.16.0.0/12")
    req.set_UserCidr("10.0.0.0/16")
    legacy_call(legacy, req)
    vpc = vpcs(client, vpc_id=vpc_id)["Vpcs"]["Vpc"][0]
    assert (vpc["VpcName"], vpc["Description"], vpc["CidrBlock"], vpc["UserCidrs"]["UserCidr"]) == (
        "renamed", "the build network", "172.16.0.0/12", ["10.0.0.0/16"])

    def modify_vpc(caller=client, **kw):
        return caller.modify_vpc_attribute(models.ModifyVpcAttributeRequest(vpc_id=vpc_id, **kw))

    for kw, code in [({"cidr_block": "172.16.4.0/24"}, "IllegalCidrBlock"),
                     ({"cidr_block": "8.8.0.0/16"}, "InvalidCidrBlock.Malformed"),
                     ({"vpc_name": "9lives"}, "InvalidVpcName.Malformed"),
                     ({"description": "http://x"}, "InvalidVpcDiscription.Malformed"),
                     ({"user_cidr": "10.0.0.1/16"}, "InvalidParameter"),
                     ({"user_cidr": "10.0.0.0/16,10.1.0.0/16,10.2.0.0/16,10.3.0.0/16"}, "InvalidUserCidr.Quota")]:
        documented("ModifyVpcAttribute", new_error(modify_vpc, **kw), code)
    documented("ModifyVpcAttribute", new_error(modify_vpc, other.client, vpc_name="mine"), "InvalidVpcId.NotFound",
               404)

    client.modify_vswitch_attribute(models.ModifyVSwitchAttributeRequest(
        v_switch_id=vswitch_id, v_switch_name="build-subnet", description="for the builder"))
    item = one_vswitch(client, vswitch_id)
    assert (item["VSwitchName"], item["Description"]) == ("build-subnet", "for the builder")
    for kw, code in [({"v_switch_name": "_x"}, "InvalidVSwitchName.Malformed"),
                     ({"description": "x"}, "InvalidVSwitchDiscription.Malformed"),
                     ({"v_switch_id": "vsw-none"}, "InvalidVSwitchId.NotFound")]:
        err = new_error(client.modify_vswitch_attribute,
                        models.ModifyVSwitchAttributeRequest(**{"v_switch_id": vswitch_id, **kw}))
        documented("ModifyVSwitchAttribute", err, code)

"""DHCP options sets of the VPC product's API (2016-04-28) through its current SDK (sync and async), its old SDK
(``aliyunsdkvpc``) and in XML: the set's life, its VPCs (one set per VPC, attach / replace / detach taking a few
reads), the VPC's view of it, listings with tags, groups and tokens, and the documented refusals with their codes,
statuses and words."""
from __future__ import annotations

import asyncio

import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkvpc.request.v20160428 import CreateDhcpOptionsSetRequest, GetDhcpOptionsSetRequest

from mockecs.modes.clients import vpc_client
from mockecs.world import dhcp_options, resource_groups
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call, legacy_xml
from tests.test_vpc_api import REGION, assert_error, attribute, make_vpc


@pytest.fixture
def vpc(mock):
    return vpc_client()


def make_set(vpc, **kw) -> str:
    return vpc.create_dhcp_options_set(vm.CreateDhcpOptionsSetRequest(region_id=REGION, **kw)).body.dhcp_options_set_id


def get_set(vpc, set_id: str) -> dict:
    return vpc.get_dhcp_options_set(vm.GetDhcpOptionsSetRequest(region_id=REGION, dhcp_options_set_id=set_id)
                                    ).body.to_map()


def attach(vpc, set_id: str, vpc_id: str) -> None:
    vpc.attach_dhcp_options_set_to_vpc(vm.AttachDhcpOptionsSetToVpcRequest(region_id=REGION, dhcp_options_set_id=set_id,
                                                                           vpc_id=vpc_id))


def detach(vpc, set_id: str, vpc_id: str) -> None:
    vpc.detach_dhcp_options_set_from_vpc(vm.DetachDhcpOptionsSetFromVpcRequest(
        region_id=REGION, dhcp_options_set_id=set_id, vpc_id=vpc_id))


def listing(vpc, **kw) -> dict:
    return vpc.list_dhcp_options_sets(vm.ListDhcpOptionsSetsRequest(region_id=REGION, **kw)).body.to_map()


def test_set_life_and_its_vpc(vpc, engine):
    created = vpc.create_dhcp_options_set(vm.CreateDhcpOptionsSetRequest(
        region_id=REGION, dhcp_options_set_name="corp", dhcp_options_set_description="the corp resolvers",
        domain_name="corp.example.com", domain_name_servers="10.0.0.2, 10.0.0.3", lease_time="48h",
        tag=[vm.CreateDhcpOptionsSetRequestTag(key="team", value="net")])).body
    set_id = created.dhcp_options_set_id
    assert set_id.startswith("dopt-bp1") and created.resource_group_id == resource_groups.default_id(DEFAULT_ACCOUNT)
    view = get_set(vpc, set_id)
    assert {k: view[k] for k in ("DhcpOptionsSetId", "DhcpOptionsSetName", "DhcpOptionsSetDescription", "Status",
                                 "OwnerId", "AssociateVpcs", "Tags")} == {
        "DhcpOptionsSetId": set_id, "DhcpOptionsSetName": "corp", "DhcpOptionsSetDescription": "the corp resolvers",
        "Status": "Available", "OwnerId": int(DEFAULT_ACCOUNT), "AssociateVpcs": [],
        "Tags": [{"Key": "team", "Value": "net"}]}
    assert view["DhcpOptions"] == {"DomainName": "corp.example.com", "DomainNameServers": "10.0.0.2,10.0.0.3",
                                   "LeaseTime": "48h", "Ipv6LeaseTime": "87600h"}

    vpc_id = make_vpc(vpc)
    assert (attribute(vpc, vpc_id)["DhcpOptionsSetId"], attribute(vpc, vpc_id)["DhcpOptionsSetStatus"]) == (
        "", "UnUsed")
    engine.lifecycle.delay("vpc_dhcp_options_set", observations=3)  # (each read of the VPC counts)
    attach(vpc, set_id, vpc_id)
    assert get_set(vpc, set_id)["AssociateVpcs"] == [{"VpcId": vpc_id, "AssociateStatus": "Pending"}]
    err = error_of(attach, vpc, set_id, vpc_id)  # (still being attached)
    assert_error(err, "IncorrectStatus.VpcDhcpOptionsSet", 400,
                 "The dhcpOptionsSet status of VPC does not support this operation.")
    seen = [(a["DhcpOptionsSetId"], a["DhcpOptionsSetStatus"]) for a in (attribute(vpc, vpc_id) for _ in range(2))]
    assert seen == [(set_id, "Pending"), (set_id, "InUse")]  # (a refused call's reads are rolled back with it)
    assert get_set(vpc, set_id)["Status"] == "InUse"
    err = error_of(attach, vpc, set_id, vpc_id)
    assert_error(err, "OperationFailed.AttachmentExist", 400,
                 "The current VPC is already attached to a DHCP options set.")
    found = vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, dhcp_options_set_id=set_id)).body.to_map()
    assert [(v["VpcId"], v["DhcpOptionsSetId"]) for v in found["Vpcs"]["Vpc"]] == [(vpc_id, set_id)]
    assert vpc.describe_vpcs(vm.DescribeVpcsRequest(region_id=REGION, dhcp_options_set_id="dopt-other")
                             ).body.total_count == 0

    # the VPC takes another set; the first is free again and may go
    other = make_set(vpc, dhcp_options_set_name="other")
    vpc.replace_vpc_dhcp_options_set(vm.ReplaceVpcDhcpOptionsSetRequest(region_id=REGION, dhcp_options_set_id=other,
                                                                        vpc_id=vpc_id))
    assert [(v["VpcId"], v["AssociateStatus"]) for v in get_set(vpc, other)["AssociateVpcs"]] == [(vpc_id, "Pending")]
    assert (get_set(vpc, set_id)["Status"], get_set(vpc, set_id)["AssociateVpcs"]) == ("Available", [])
    err = error_of(detach, vpc, set_id, vpc_id)
    assert_error(err, "AttrMismatching.VpcDhcpOptionsSetId", 400, "The dhcpOptionsSetId does not match the VPC.")
    vpc.update_dhcp_options_set_attribute(vm.UpdateDhcpOptionsSetAttributeRequest(
        region_id=REGION, dhcp_options_set_id=set_id, dhcp_options_set_name="corp-2", domain_name_servers="",
        ipv_6lease_time="2d"))
    view = get_set(vpc, set_id)
    assert (view["DhcpOptionsSetName"], view["DhcpOptions"]["DomainNameServers"], view["DhcpOptions"]["Ipv6LeaseTime"],
            view["DhcpOptions"]["DomainName"]) == ("corp-2", "", "2d", "corp.example.com")
    vpc.delete_dhcp_options_set(vm.DeleteDhcpOptionsSetRequest(region_id=REGION, dhcp_options_set_id=set_id))
    gone = get_set(vpc, set_id)  # (an empty answer: the SDK's model fills in its empty lists)
    assert gone == {"RequestId": gone["RequestId"], "AssociateVpcs": [], "Tags": []}

    # the other set cannot go while the VPC holds it; detached, it can
    get_set(vpc, other)  # (the replace is done)
    err = error_of(vpc.delete_dhcp_options_set, vm.DeleteDhcpOptionsSetRequest(region_id=REGION,
                                                                                dhcp_options_set_id=other))
    assert_error(err, "DependencyViolation.VpcAttachment", 400,
                 "DhcpOptionsSet cannot be deleted when it is attached to VPC.")
    detach(vpc, other, vpc_id)
    err = error_of(vpc.delete_dhcp_options_set, vm.DeleteDhcpOptionsSetRequest(region_id=REGION,
                                                                                dhcp_options_set_id=other))
    assert_error(err, "IncorrectStatus.DhcpOptionsSet", 400,
                 "The DhcpOptionsSet status does not support this operation.")
    assert [attribute(vpc, vpc_id)["DhcpOptionsSetStatus"] for _ in range(3)] == ["Pending", "Pending", "UnUsed"]
    err = error_of(detach, vpc, other, vpc_id)
    assert_error(err, "OperationFailed.AttachmentNotExist", 400,
                 "The current VPC is not attahced to a DHCP options set.")
    vpc.delete_dhcp_options_set(vm.DeleteDhcpOptionsSetRequest(region_id=REGION, dhcp_options_set_id=other))
    assert listing(vpc)["TotalCount"] == "0"


def test_listing_filters_tags_groups_and_tokens(vpc, engine):
    ids = [make_set(vpc, dhcp_options_set_name=f"set-{n}", domain_name=f"d{n % 2}.example.com") for n in range(5)]
    vpc.tag_resources(vm.TagResourcesRequest(region_id=REGION, resource_type="DhcpOptionsSet", resource_id=ids[:2],
                                             tag=[vm.TagResourcesRequestTag(key="env", value="prod")]))
    first = listing(vpc, max_results=2)
    assert [s["DhcpOptionsSetId"] for s in first["DhcpOptionsSets"]] == ids[:2] and first["TotalCount"] == "5"
    assert first["DhcpOptionsSets"][0]["AssociateVpcCount"] == 0
    rest = listing(vpc, max_results=2, next_token=first["NextToken"])
    last = listing(vpc, max_results=2, next_token=rest["NextToken"])
    assert [s["DhcpOptionsSetId"] for s in rest["DhcpOptionsSets"] + last["DhcpOptionsSets"]] == ids[2:]
    assert last["NextToken"] == ""
    assert [s["DhcpOptionsSetId"] for s in listing(vpc, domain_name="d0.example.com")["DhcpOptionsSets"]] == [
        ids[0], ids[2], ids[4]]
    tagged = listing(vpc, tags=[vm.ListDhcpOptionsSetsRequestTags(key="env", value="prod")])
    assert [s["DhcpOptionsSetId"] for s in tagged["DhcpOptionsSets"]] == ids[:2]
    assert tagged["DhcpOptionsSets"][0]["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert listing(vpc, dhcp_options_set_id=[ids[3], "dopt-nosuch"], dhcp_options_set_name="set-3")[
        "TotalCount"] == "1"
    rows = vpc.list_tag_resources(vm.ListTagResourcesRequest(region_id=REGION, resource_type="DhcpOptionsSet",
                                                             resource_id=[ids[0]])).body.to_map()
    assert rows["TagResources"]["TagResource"] == [{"ResourceId": ids[0], "ResourceType": "DHCPOPTIONSSET",
                                                    "TagKey": "env", "TagValue": "prod"}]

    group = resource_groups.default_id(DEFAULT_ACCOUNT)
    assert listing(vpc, resource_group_id=group)["TotalCount"] == "5"
    moved = resource_groups.add(engine, name="dns")
    vpc.move_resource_group(vm.MoveResourceGroupRequest(region_id=REGION, resource_id=ids[0],
                                                        resource_type="DhcpOptionsSet", new_resource_group_id=moved))
    assert get_set(vpc, ids[0])["ResourceGroupId"] == moved
    assert [s["DhcpOptionsSetId"] for s in listing(vpc, resource_group_id=moved)["DhcpOptionsSets"]] == ids[:1]
    err = error_of(vpc.move_resource_group, vm.MoveResourceGroupRequest(
        region_id=REGION, resource_id=ids[0], resource_type="DhcpOptionsSet", new_resource_group_id="rg-acfmnothere1"))
    assert err.code == resource_groups.NOT_FOUND.code


def test_documented_refusals(vpc, engine):
    def create(**kw):
        return error_of(vpc.create_dhcp_options_set, vm.CreateDhcpOptionsSetRequest(region_id=REGION, **kw))

    assert_error(create(domain_name_servers="1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5"),
                 "QuotaExceeded.DomainNameServers", 400, "The maximum number of domain name servers cannot exceed 4.")
    assert_error(create(domain_name_servers="1.1.1"), "InvalidDomainNameServers.Malformed", 400,
                 "The specified format of DomainNameServers is invalid.")
    assert_error(create(dhcp_options_set_name="9lives"), "IllegalParam.DhcpOptionsSetName", 400,
                 "The specified DhcpOptionsSetName is invalid.")
    assert_error(create(dhcp_options_set_description="https://x"), "IllegalParam.DhcpOptionsSetDescription", 400,
                 "The specified DhcpOptionsSetDescription is invalid.")
    assert_error(create(domain_name="bad_domain!"), "IllegalParam.DomainName", 400,
                 "The specified DomainName is invalid.")
    assert_error(create(lease_time="50d"), "IllegalParam.LeaseTime", 400, "LeaseTime [50d] is illegal.")
    assert_error(create(lease_time="24"), "IllegalParam.LeaseTime", 400, "LeaseTime [24] is illegal.")
    assert create(dry_run=True).code == "DryRunOperation"
    for n in range(dhcp_options.MAX_PER_REGION):
        make_set(vpc, dhcp_options_set_name=f"s{n}")
    assert_error(create(), "QuotaExceeded.RegionDhcpOptionsSet", 400,
                 "The quota of dhcpOptionsSet in the region is exceeded.")

    err = error_of(attach, vpc, "dopt-bp1nosuch0000000000", make_vpc(vpc))
    assert_error(err, "InvalidDhcpOptionsSetId.NotFound", 400, "The specified dhcpOptionsSetId does not exist.")
    set_id = listing(vpc, max_results=1)["DhcpOptionsSets"][0]["DhcpOptionsSetId"]
    err = error_of(attach, vpc, set_id, "vpc-bp1nosuch0000000000")
    assert_error(err, "InvalidVpcId.NotFound", 400, "Specified value of VpcId is not found in our record.")
    err = error_of(detach, vpc, "dopt-bp1nosuch0000000000", "vpc-bp1nosuch0000000000")
    assert_error(err, "InvalidDhcpOptionsSetId.NotFound", 400, "The specified resource dhcpOptionsSetId is not found.")
    engine.lifecycle.delay("dhcp_options_set", observations=5)
    fresh = vpc.create_dhcp_options_set(vm.CreateDhcpOptionsSetRequest(region_id="cn-beijing")).body
    err = error_of(vpc.update_dhcp_options_set_attribute, vm.UpdateDhcpOptionsSetAttributeRequest(
        region_id="cn-beijing", dhcp_options_set_id=fresh.dhcp_options_set_id, domain_name="x.example.com"))
    assert_error(err, "IncorrectStatus.DhcpOptionsSet", 400,
                 "The DhcpOptionsSet status does not support this operation.")


def test_async_old_sdk_and_xml(vpc, legacy):
    async def flow() -> tuple[str, dict]:
        client = vpc_client()
        made = await client.create_dhcp_options_set_async(vm.CreateDhcpOptionsSetRequest(
            region_id=REGION, dhcp_options_set_name="async", domain_name_servers="100.100.2.136"))
        got = await client.get_dhcp_options_set_async(vm.GetDhcpOptionsSetRequest(
            region_id=REGION, dhcp_options_set_id=made.body.dhcp_options_set_id))
        return made.body.dhcp_options_set_id, got.body.to_map()

    set_id, view = asyncio.run(flow())
    assert (view["DhcpOptionsSetId"], view["DhcpOptionsSetName"], view["Status"]) == (set_id, "async", "Available")

    req = CreateDhcpOptionsSetRequest.CreateDhcpOptionsSetRequest()
    req.set_DomainNameServers("100.100.2.138")
    req.set_DhcpOptionsSetName("legacy")
    legacy_id = legacy_call(legacy, req)["DhcpOptionsSetId"]
    req = GetDhcpOptionsSetRequest.GetDhcpOptionsSetRequest()
    req.set_DhcpOptionsSetId(legacy_id)
    root = legacy_xml(legacy, req)
    assert root.tag == "GetDhcpOptionsSetResponse" and root.findtext("DhcpOptionsSetName") == "legacy"
    assert root.findtext("DhcpOptions/DomainNameServers") == "100.100.2.138" and root.findtext("Status") == "Available"

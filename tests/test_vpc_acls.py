"""Network ACLs on the VPC product's API: create, entries, bindings to vSwitches, attributes, listing, deletion,
through the VPC SDK (sync and async) and the old aliyunsdkvpc requests (JSON and XML); what a bound ACL does to
DeleteVSwitch and DeleteVpc; Terraform's alicloud_network_acl (create, wait for Available, UpdateNetworkAclEntries,
AssociateNetworkAcl, read without the system and service entries, destroy)."""
from __future__ import annotations

import asyncio

import pytest
from alibabacloud_vpc20160428 import models as vm
from aliyunsdkvpc.request.v20160428.DescribeNetworkAclAttributesRequest import DescribeNetworkAclAttributesRequest

from mockecs.modes.clients import vpc_client
from tests.sdk import error_of, legacy_call, legacy_xml
from tests.test_server import clean, server  # noqa: F401  (fixtures behind proxy)
from tests.test_terraform_flow import proxy  # noqa: F401  (fixture: the server as HTTP proxy)
from tests.test_vpc_api import REGION, make_vpc, make_vswitch

INGRESS = vm.UpdateNetworkAclEntriesRequestIngressAclEntries
EGRESS = vm.UpdateNetworkAclEntriesRequestEgressAclEntries
RESOURCE = vm.AssociateNetworkAclRequestResource


@pytest.fixture
def vpc(mock):
    return vpc_client()


def create(vpc, vpc_id: str, **kw) -> str:
    return vpc.create_network_acl(vm.CreateNetworkAclRequest(region_id=REGION, vpc_id=vpc_id, **kw)).body \
        .network_acl_id


def attributes(vpc, acl_id: str) -> dict:
    return vpc.describe_network_acl_attributes(vm.DescribeNetworkAclAttributesRequest(
        region_id=REGION, network_acl_id=acl_id)).body.to_map()["NetworkAclAttribute"]


def custom(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["EntryType"] == "custom"]


def test_create_rules_bind_and_delete(vpc):
    vpc_id = make_vpc(vpc)
    vswitch = make_vswitch(vpc, vpc_id)
    body = vpc.create_network_acl(vm.CreateNetworkAclRequest(
        region_id=REGION, vpc_id=vpc_id, network_acl_name="web-acl", description="web tier",
        tag=[vm.CreateNetworkAclRequestTag(key="team", value="net")])).body
    acl_id = body.network_acl_id
    assert acl_id.startswith("nacl-") and body.network_acl_attribute.status == "Available"
    found = attributes(vpc, acl_id)
    assert (found["NetworkAclName"], found["Description"], found["VpcId"], found["Tags"]["Tag"]) == (
        "web-acl", "web tier", vpc_id, [{"Key": "team", "Value": "net"}])
    # the service's own entries: no custom one yet
    ingress = found["IngressAclEntries"]["IngressAclEntry"]
    assert custom(ingress) == [] and {e["EntryType"] for e in ingress} == {"service", "system"}
    vpc.update_network_acl_entries(vm.UpdateNetworkAclEntriesRequest(
        region_id=REGION, network_acl_id=acl_id, update_ingress_acl_entries=True, update_egress_acl_entries=True,
        ingress_acl_entries=[
            INGRESS(policy="accept", protocol="tcp", port="22/22", source_cidr_ip="10.0.0.0/8",
                    network_acl_entry_name="ssh", description="from the office"),
            INGRESS(policy="drop", protocol="all", port="-1/-1", source_cidr_ip="0.0.0.0/0")],
        egress_acl_entries=[EGRESS(policy="accept", protocol="all", port="-1/-1", destination_cidr_ip="0.0.0.0/0")]))
    found = attributes(vpc, acl_id)
    rules = custom(found["IngressAclEntries"]["IngressAclEntry"])
    assert [(e["Policy"], e["Protocol"], e["Port"], e["SourceCidrIp"], e["IpVersion"]) for e in rules] == [
        ("accept", "tcp", "22/22", "10.0.0.0/8", "IPv4"), ("drop", "all", "-1/-1", "0.0.0.0/0", "IPv4")]
    assert rules[0]["NetworkAclEntryName"] == "ssh" and rules[0]["NetworkAclEntryId"].startswith("nae-")
    assert len(custom(found["EgressAclEntries"]["EgressAclEntry"])) == 1
    # bound to the vSwitch: listed by it, and the vSwitch cannot go while it is bound
    vpc.associate_network_acl(vm.AssociateNetworkAclRequest(
        region_id=REGION, network_acl_id=acl_id, resource=[RESOURCE(resource_id=vswitch, resource_type="VSwitch")]))
    assert attributes(vpc, acl_id)["Resources"]["Resource"] == [
        {"ResourceId": vswitch, "ResourceType": "VSwitch", "Status": "BINDED"}]
    listed = vpc.describe_network_acls(vm.DescribeNetworkAclsRequest(region_id=REGION, resource_id=vswitch)).body
    assert [a.network_acl_id for a in listed.network_acls.network_acl] == [acl_id] and listed.total_count == "1"
    err = error_of(vpc.delete_vswitch, vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vswitch))
    assert err.code == "DependencyViolation"
    err = error_of(vpc.delete_network_acl, vm.DeleteNetworkAclRequest(region_id=REGION, network_acl_id=acl_id))
    assert (err.code, err.status_code) == ("DependencyViolation.NetworkAclBinding", 400)
    # a second ACL cannot take the same vSwitch
    other = create(vpc, vpc_id)
    err = error_of(vpc.associate_network_acl, vm.AssociateNetworkAclRequest(
        region_id=REGION, network_acl_id=other, resource=[RESOURCE(resource_id=vswitch, resource_type="VSwitch")]))
    assert err.code == "IncorrectStatus.VSwitch"
    # copied entries, renamed ACL
    vpc.copy_network_acl_entries(vm.CopyNetworkAclEntriesRequest(region_id=REGION, network_acl_id=other,
                                                                 source_network_acl_id=acl_id))
    copied = custom(attributes(vpc, other)["IngressAclEntries"]["IngressAclEntry"])
    assert [e["Port"] for e in copied] == ["22/22", "-1/-1"] and copied[0]["NetworkAclEntryId"] != rules[0][
        "NetworkAclEntryId"]
    vpc.modify_network_acl_attributes(vm.ModifyNetworkAclAttributesRequest(region_id=REGION, network_acl_id=other,
                                                                           network_acl_name="copy"))
    assert attributes(vpc, other)["NetworkAclName"] == "copy"
    # the VPC cannot go while it holds ACLs
    err = error_of(vpc.delete_vpc, vm.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))
    assert err.code.startswith("DependencyViolation")
    vpc.unassociate_network_acl(vm.UnassociateNetworkAclRequest(
        region_id=REGION, network_acl_id=acl_id, resource=[RESOURCE(resource_id=vswitch, resource_type="VSwitch")]))
    for acl in (acl_id, other):
        vpc.delete_network_acl(vm.DeleteNetworkAclRequest(region_id=REGION, network_acl_id=acl))
    err = error_of(vpc.describe_network_acl_attributes, vm.DescribeNetworkAclAttributesRequest(
        region_id=REGION, network_acl_id=acl_id))
    assert (err.code, err.status_code) == ("InvalidNetworkAcl.NotFound", 404)
    vpc.delete_vswitch(vm.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vswitch))


@pytest.mark.parametrize("entry, field", [
    (INGRESS(policy="allow", protocol="tcp", port="22/22", source_cidr_ip="10.0.0.0/8"), "Policy"),
    (INGRESS(policy="accept", protocol="sctp", port="22/22", source_cidr_ip="10.0.0.0/8"), "Protocol"),
    (INGRESS(policy="accept", protocol="tcp", port="22", source_cidr_ip="10.0.0.0/8"), "Port"),
    (INGRESS(policy="accept", protocol="icmp", port="22/22", source_cidr_ip="10.0.0.0/8"), "Port"),
    (INGRESS(policy="accept", protocol="tcp", port="22/22", source_cidr_ip="10.0.0.300/8"), "SourceCidrIp"),
    (INGRESS(policy="accept", protocol="tcp", port="22/22", source_cidr_ip="10.0.0.0/8", ip_version="IPv6"),
     "IpVersion"),
])
def test_bad_entries_change_nothing(vpc, entry, field):
    acl_id = create(vpc, make_vpc(vpc))
    before = attributes(vpc, acl_id)
    err = error_of(vpc.update_network_acl_entries, vm.UpdateNetworkAclEntriesRequest(
        region_id=REGION, network_acl_id=acl_id, update_ingress_acl_entries=True, ingress_acl_entries=[entry]))
    assert (err.code, err.status_code) == ("InvalidParameter", 400) and field in err.data["Message"]
    assert attributes(vpc, acl_id) == before


def test_refusals(vpc):
    err = error_of(create, vpc, "vpc-bp1nothere00000000000")
    assert (err.code, err.status_code) == ("InvalidVpcId.NotFound", 404)
    vpc_id, other_vpc = make_vpc(vpc), make_vpc(vpc, cidr_block="10.0.0.0/8")
    err = error_of(create, vpc, vpc_id, network_acl_name="-bad")
    assert err.code == "InvalidNetworkAclName.Malformed"
    acl_id = create(vpc, vpc_id)
    elsewhere = make_vswitch(vpc, other_vpc, cidr_block="10.1.0.0/24")
    err = error_of(vpc.associate_network_acl, vm.AssociateNetworkAclRequest(
        region_id=REGION, network_acl_id=acl_id, resource=[RESOURCE(resource_id=elsewhere, resource_type="VSwitch")]))
    assert err.code == "IncorrectVpcStatus.NotMatch"
    err = error_of(vpc.unassociate_network_acl, vm.UnassociateNetworkAclRequest(
        region_id=REGION, network_acl_id=acl_id, resource=[RESOURCE(resource_id=elsewhere, resource_type="VSwitch")]))
    assert err.code == "IncorrectStatus.NetworkAcl"
    for _ in range(19):
        create(vpc, vpc_id)
    err = error_of(create, vpc, vpc_id)
    assert err.code == "QuotaExceeded.NetworkAcl"


def test_listing_filters_and_pages(vpc):
    vpc_id, other_vpc = make_vpc(vpc), make_vpc(vpc, cidr_block="10.0.0.0/8")
    made = [create(vpc, vpc_id, network_acl_name=f"acl-{n}") for n in range(3)]
    elsewhere = create(vpc, other_vpc)
    listed = lambda **kw: [a.network_acl_id for a in vpc.describe_network_acls(  # noqa: E731
        vm.DescribeNetworkAclsRequest(region_id=REGION, **kw)).body.network_acls.network_acl]
    assert listed() == made + [elsewhere]
    assert listed(vpc_id=vpc_id) == made and listed(network_acl_name="acl-1") == [made[1]]
    assert listed(network_acl_id=elsewhere) == [elsewhere]
    assert listed(page_size=2, page_number=2) == [made[2], elsewhere]


def test_async_and_old_sdk(vpc, legacy):
    vpc_id = make_vpc(vpc)

    async def go() -> str:
        resp = await vpc.create_network_acl_async(vm.CreateNetworkAclRequest(region_id=REGION, vpc_id=vpc_id))
        return resp.body.network_acl_id

    acl_id = asyncio.run(go())
    request = DescribeNetworkAclAttributesRequest()
    request.set_NetworkAclId(acl_id)
    assert legacy_call(legacy, request)["NetworkAclAttribute"]["VpcId"] == vpc_id
    root = legacy_xml(legacy, request)
    assert root.find("NetworkAclAttribute/NetworkAclId").text == acl_id


def test_terraform_network_acl(proxy):  # noqa: F811 (the fixture)
    """resourceAliCloudVpcNetworkAclCreate (CreateNetworkAcl, wait Available), Update (UpdateNetworkAclEntries with
    the configured entries, AssociateNetworkAcl for ``resources``, each followed by a wait for Available), Read
    (DescribeNetworkAclAttributes; system and service entries left out of the state), Delete (UnassociateNetworkAcl,
    DeleteNetworkAcl, then the read answers InvalidNetworkAcl.NotFound: gone), through the server as HTTP proxy."""
    from tests.test_terraform_vpc import VpcProvider

    p = VpcProvider(REGION)
    vpc_id = p.post("CreateVpc", {"CidrBlock": "172.16.0.0/12"})["VpcId"]
    vswitch = p.post("CreateVSwitch", {"VpcId": vpc_id, "CidrBlock": "172.16.0.0/24", "ZoneId": "cn-hangzhou-i"})[
        "VSwitchId"]
    acl_id = p.post("CreateNetworkAcl", {"VpcId": vpc_id, "NetworkAclName": "tf-acl"})["NetworkAclId"]

    def read() -> dict:
        found = p.post("DescribeNetworkAclAttributes", {"NetworkAclId": acl_id})["NetworkAclAttribute"]
        assert found["Status"] == "Available"
        return {"ingress": [e for e in found["IngressAclEntries"]["IngressAclEntry"]
                            if e["EntryType"] not in ("service", "system")],
                "resources": found["Resources"]["Resource"], "name": found["NetworkAclName"]}

    assert read() == {"ingress": [], "resources": [], "name": "tf-acl"}
    p.post("UpdateNetworkAclEntries", {"NetworkAclId": acl_id, "UpdateIngressAclEntries": True,
                                       "IngressAclEntries.1.Policy": "accept", "IngressAclEntries.1.Protocol": "tcp",
                                       "IngressAclEntries.1.Port": "443/443",
                                       "IngressAclEntries.1.SourceCidrIp": "0.0.0.0/0",
                                       "IngressAclEntries.1.EntryType": "custom",
                                       "IngressAclEntries.1.IpVersion": "IPv4"})
    p.post("AssociateNetworkAcl", {"NetworkAclId": acl_id, "Resource.1.ResourceId": vswitch,
                                   "Resource.1.ResourceType": "VSwitch"})
    state = read()
    assert [(e["Port"], e["Policy"]) for e in state["ingress"]] == [("443/443", "accept")]
    assert [r["ResourceId"] for r in state["resources"]] == [vswitch]
    p.post("UnassociateNetworkAcl", {"NetworkAclId": acl_id, "Resource.1.ResourceId": vswitch,
                                     "Resource.1.ResourceType": "VSwitch"})
    p.post("DeleteNetworkAcl", {"NetworkAclId": acl_id})
    with pytest.raises(Exception) as gone:
        read()
    assert "InvalidNetworkAcl.NotFound" in str(gone.value)

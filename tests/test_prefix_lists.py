"""Prefix lists, security group rules that name them, and rules changed in place (ModifySecurityGroupRule,
ModifySecurityGroupEgressRule): both SDKs, JSON and XML, the documented errors, quotas, associations, and the
Terraform provider's ``alicloud_ecs_prefix_list`` and ``alicloud_security_group_rule`` replayed call for call."""
from __future__ import annotations

import asyncio
import re
from typing import Any, Optional

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkecs.request.v20140526.CreatePrefixListRequest import CreatePrefixListRequest
from aliyunsdkecs.request.v20140526.DescribePrefixListAttributesRequest import DescribePrefixListAttributesRequest
from aliyunsdkecs.request.v20140526.ModifyPrefixListRequest import ModifyPrefixListRequest
from aliyunsdkecs.request.v20140526.ModifySecurityGroupEgressRuleRequest import ModifySecurityGroupEgressRuleRequest

from tests import test_build_flow
from tests.sdk import error_of, legacy_call
from tests.spec import response_problems
from tests.test_instances import REGION, old_error
from tests.test_keypairs import assert_exact, legacy_xml
from tests.test_security_groups import authorize, create, put_vpc, revoke, rules
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import Gone, Provider, network

CREATE, MODIFY, DELETE = "CreatePrefixList", "ModifyPrefixList", "DeletePrefixList"
LISTS, ATTRIBUTES = "DescribePrefixLists", "DescribePrefixListAttributes"
ASSOCIATIONS = "DescribePrefixListAssociations"
RULE, RULE_OUT = "ModifySecurityGroupRule", "ModifySecurityGroupEgressRule"
proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


def make(client, name: str = "office", family: str = "IPv4", max_entries: int = 10,
         entries: tuple = (("10.0.0.0/8", "hq"),), **kw: Any) -> str:
    return client.create_prefix_list(models.CreatePrefixListRequest(
        region_id=REGION, prefix_list_name=name, address_family=family, max_entries=max_entries, **kw,
        entry=[models.CreatePrefixListRequestEntry(cidr=c, description=d) for c, d in entries])).body.prefix_list_id


def attributes(client, prefix_list_id: str) -> dict:
    return client.describe_prefix_list_attributes(models.DescribePrefixListAttributesRequest(
        region_id=REGION, prefix_list_id=prefix_list_id)).body.to_map()


def listing(client, **kw: Any) -> dict:
    return client.describe_prefix_lists(models.DescribePrefixListsRequest(region_id=REGION, **kw)).body.to_map()


def associations(client, prefix_list_id: str, **kw: Any) -> dict:
    return client.describe_prefix_list_associations(models.DescribePrefixListAssociationsRequest(
        region_id=REGION, prefix_list_id=prefix_list_id, **kw)).body.to_map()


def modify(client, prefix_list_id: str, add: tuple = (), remove: tuple = (), **kw: Any) -> None:
    client.modify_prefix_list(models.ModifyPrefixListRequest(
        region_id=REGION, prefix_list_id=prefix_list_id, **kw,
        add_entry=[models.ModifyPrefixListRequestAddEntry(cidr=c, description=d) for c, d in add] or None,
        remove_entry=[models.ModifyPrefixListRequestRemoveEntry(cidr=c) for c in remove] or None))


def delete(client, prefix_list_id: str) -> None:
    client.delete_prefix_list(models.DeletePrefixListRequest(region_id=REGION, prefix_list_id=prefix_list_id))


def entries(client, prefix_list_id: str) -> list[tuple[str, str]]:
    return [(e["Cidr"], e["Description"]) for e in attributes(client, prefix_list_id)["Entries"]["Entry"]]


def vpc_group(client, engine) -> str:
    return create(client, vpc_id=put_vpc(engine))


def change_rule(client, group_id: str, egress: bool = False, **kw: Any) -> None:
    if egress:
        client.modify_security_group_egress_rule(models.ModifySecurityGroupEgressRuleRequest(
            region_id=REGION, security_group_id=group_id, **kw))
    else:
        client.modify_security_group_rule(models.ModifySecurityGroupRuleRequest(
            region_id=REGION, security_group_id=group_id, **kw))


# -- the prefix lists themselves --------------------------------------------------------------------------------
def test_create_then_describe_with_the_services_forms(client):
    v4 = make(client, entries=(("10.0.0.0/8", "hq"), ("192.168.1.100", ""), ("172.16.0.0/12", "lab")),
              description="office ranges")
    v6 = make(client, name="office6", family="IPv6", max_entries=2,
              entries=(("2001:0DB8:0000:0000:0000:0000:0000:0000/32", "v6"),))
    assert re.fullmatch(r"pl-[a-z0-9]{20}", v4) and v4 != v6
    attrs = attributes(client, v4)
    assert entries(client, v4) == [("10.0.0.0/8", "hq"), ("192.168.1.100/32", ""), ("172.16.0.0/12", "lab")]
    assert {k: attrs[k] for k in ("PrefixListId", "PrefixListName", "AddressFamily", "MaxEntries", "Description")} \
        == {"PrefixListId": v4, "PrefixListName": "office", "AddressFamily": "IPv4", "MaxEntries": 10,
            "Description": "office ranges"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", attrs["CreationTime"])  # (the documented example's form)
    assert entries(client, v6) == [("2001:db8::/32", "v6")]  # compressed, lower case (documented)
    found = listing(client)
    assert found["NextToken"] == "" and [p["PrefixListId"] for p in found["PrefixLists"]["PrefixList"]] == [v4, v6]
    item = found["PrefixLists"]["PrefixList"][0]
    assert item["AssociationCount"] == 0 and item["MaxEntries"] == 10 and "Entries" not in item
    assert item["ResourceGroupId"].startswith("rg-") and item["Tags"] == {"Tag": []}


def test_create_async_and_old_sdk_with_an_xml_answer(client, legacy):
    async def made() -> dict:
        created = await client.create_prefix_list_async(models.CreatePrefixListRequest(
            region_id=REGION, prefix_list_name="async", address_family="IPv4", max_entries=3,
            tag=[models.CreatePrefixListRequestTag(key="team", value="net")]))
        return (await client.describe_prefix_lists_async(models.DescribePrefixListsRequest(
            region_id=REGION, prefix_list_id=[created.body.prefix_list_id]))).body.to_map()

    (item,) = asyncio.run(made())["PrefixLists"]["PrefixList"]
    assert item["PrefixListName"] == "async" and item["Tags"]["Tag"] == [{"TagKey": "team", "TagValue": "net"}]
    request = CreatePrefixListRequest()
    request.set_PrefixListName("legacy")
    request.set_AddressFamily("IPv4")
    request.set_MaxEntries(5)
    request.set_Entrys([{"Cidr": "10.1.0.0/16", "Description": "one"}, {"Cidr": "10.2.0.0/16"}])
    prefix_list_id = legacy_call(legacy, request)["PrefixListId"]
    read = DescribePrefixListAttributesRequest()
    read.set_PrefixListId(prefix_list_id)
    root = legacy_xml(legacy, read)
    assert root.tag == "DescribePrefixListAttributesResponse" and root.findtext("MaxEntries") == "5"
    assert [(e.findtext("Cidr"), e.findtext("Description")) for e in root.find("Entries")] == [
        ("10.1.0.0/16", "one"), ("10.2.0.0/16", "")]
    change = ModifyPrefixListRequest()
    change.set_PrefixListId(prefix_list_id)
    change.set_RemoveEntrys([{"Cidr": "10.2.0.0/16"}])
    change.set_AddEntrys([{"Cidr": "10.3.0.0/16", "Description": "three"}])
    legacy_call(legacy, change)
    assert entries(client, prefix_list_id) == [("10.1.0.0/16", "one"), ("10.3.0.0/16", "three")]
    change = ModifyPrefixListRequest()
    change.set_PrefixListId(prefix_list_id)
    change.set_AddEntrys([{"Cidr": "2001:db8::/32"}])
    err = old_error(legacy, change)
    assert err.get_error_code() == "InvalidParameter.CidrMalformed"
    assert_exact(MODIFY, err)


CREATE_CASES = [
    ({"address_family": "IPv5"}, "InvalidParameter.AddressFamily"),
    ({"prefix_list_name": "1st"}, "InvalidParameter.PrefixListName"),
    ({"prefix_list_name": "x"}, "InvalidParameter.PrefixListName"),
    ({"prefix_list_name": "com.aliyun.list"}, "InvalidParameter.PrefixListName"),
    ({"prefix_list_name": "http://list"}, "InvalidParameter.PrefixListName"),
    ({"description": "d"}, "InvalidDescription.Malformed"),
    ({"description": "https://x"}, "InvalidDescription.Malformed"),
    ({"max_entries": 0}, "InvalidParameter"),
    ({"max_entries": 201}, "InvalidParameter"),
    ({"max_entries": 1, "entries": (("10.0.0.0/8", ""), ("11.0.0.0/8", ""))}, "LimitExceed.MaxEntries"),
    ({"max_entries": 200, "entries": tuple((f"10.{n // 256}.{n % 256}.0/24", "") for n in range(201))},
     "LimitExceed.Entry"),
    ({"entries": (("10.0.0.1/8", ""),)}, "InvalidParameter.CidrMalformed"),  # host bits set: not the standard form
    ({"entries": (("2001:db8::/32", ""),)}, "InvalidParameter.CidrMalformed"),  # the other family
    ({"entries": (("10.0.0.300/32", ""),)}, "InvalidParameter.CidrMalformed"),
    ({"entries": (("10.0.0.1", ""), ("10.0.0.1/32", ""))}, "InvalidParameter.CidrDuplicated"),
    ({"entries": (("10.0.0.0/8", "x"),)}, "InvalidParameter"),  # an entry's description: 2-32 characters
    ({"entries": ((None, "no block"),)}, "MissingParameter"),
]


@pytest.mark.parametrize("kw, code", CREATE_CASES)
def test_create_documented_errors(client, kw, code):
    args = {"prefix_list_name": "good", "address_family": "IPv4", "max_entries": 10, "entries": ()}
    args.update(kw)
    request = models.CreatePrefixListRequest(
        region_id=REGION, prefix_list_name=args["prefix_list_name"], address_family=args["address_family"],
        max_entries=args["max_entries"], description=args.get("description"),
        entry=[models.CreatePrefixListRequestEntry(cidr=c, description=d or None) for c, d in args["entries"]])
    err = error_of(client.create_prefix_list, request)
    assert err.code == code
    assert_exact(CREATE, err)
    assert listing(client)["PrefixLists"]["PrefixList"] == []  # nothing half made


def test_quota_is_an_option(client, engine):
    engine.config.options["prefix_list_quota"] = 1
    make(client)
    err = error_of(make, client, name="second")
    assert (err.code, err.status_code) == ("LimitExceed.PrefixListPerRegion", 404)
    assert_exact(CREATE, err)
    engine.config.options["prefix_list_quota"] = 100
    make(client, name="second")


def test_describe_filters_pages_and_owners(client, other):
    made = [make(client, name=f"list-{n}", family="IPv6" if n % 2 else "IPv4", entries=()) for n in range(5)]
    make(other.client, name="list-0")  # another account's: never seen
    by_name = listing(client, prefix_list_name="list-3")["PrefixLists"]["PrefixList"]
    assert [p["PrefixListId"] for p in by_name] == [made[3]]
    v6 = listing(client, address_family="IPv6")["PrefixLists"]["PrefixList"]
    assert [p["PrefixListId"] for p in v6] == [made[1], made[3]]
    both = listing(client, address_family="IPv4", prefix_list_name="list-3")["PrefixLists"]["PrefixList"]
    assert both == []  # ANDed (documented)
    by_ids = listing(client, prefix_list_id=[made[4], made[0], "pl-nosuchlist00000000000"])
    assert [p["PrefixListId"] for p in by_ids["PrefixLists"]["PrefixList"]] == [made[0], made[4]]
    pages, token = [], None
    while True:
        page = listing(client, max_results=2, next_token=token)
        pages.append([p["PrefixListId"] for p in page["PrefixLists"]["PrefixList"]])
        token = page["NextToken"]
        if not token:
            break
    assert pages == [made[0:2], made[2:4], made[4:]]
    err = error_of(listing, client, prefix_list_id=[f"pl-{n:020d}" for n in range(101)])
    assert err.code == "LimitExceed.PrefixListId"
    assert_exact(LISTS, err)
    for bad in ({"max_results": 101}, {"address_family": "ipv4"}, {"next_token": "nonsense"}):
        err = error_of(listing, client, **bad)
        assert err.code == "InvalidParameter", bad
        assert_exact(LISTS, err)
    err = error_of(attributes, other.client, made[0])
    assert (err.code, err.status_code) == ("InvalidPrefixListId.NotFound", 404)
    assert_exact(ATTRIBUTES, err)


def test_modify_entries_name_and_description(client):
    prefix_list_id = make(client, max_entries=3, entries=(("10.0.0.0/8", "hq"), ("172.16.0.0/12", "lab")))
    modify(client, prefix_list_id, add=(("192.168.0.0/16", "home"),), remove=("172.16.0.0/12",),
           prefix_list_name="renamed", description="new words")
    assert entries(client, prefix_list_id) == [("10.0.0.0/8", "hq"), ("192.168.0.0/16", "home")]
    attrs = attributes(client, prefix_list_id)
    assert (attrs["PrefixListName"], attrs["Description"]) == ("renamed", "new words")
    # Adding a block the list has changes its description (documented); a block it lacks removed: ignored.
    modify(client, prefix_list_id, add=(("10.0.0.0/8", "head office"),), remove=("11.0.0.0/8",))
    assert entries(client, prefix_list_id) == [("10.0.0.0/8", "head office"), ("192.168.0.0/16", "home")]
    cases = [({"add": (("1.0.0.0/8", ""), ("2.0.0.0/8", ""))}, "LimitExceed.MaxEntries"),
             ({"add": (("1.0.0.0/8", ""),), "remove": ("1.0.0.0/8",)}, "InvalidParameter.CidrDuplicated"),
             ({"remove": ("10.0.0.0/8", "10.0.0.0/8")}, "InvalidParameter.CidrDuplicated"),
             ({"add": (("::/0", ""),)}, "InvalidParameter.CidrMalformed"),
             ({"add": tuple((f"10.0.{n}.0/24", "") for n in range(201))}, "LimitExceed.Entry"),
             ({"prefix_list_name": "-bad"}, "InvalidParameter.PrefixListName"),
             ({"description": "h"}, "InvalidDescription.Malformed")]
    for kw, code in cases:
        err = error_of(modify, client, prefix_list_id, **kw)
        assert err.code == code, kw
        assert_exact(MODIFY, err)
    assert entries(client, prefix_list_id) == [("10.0.0.0/8", "head office"), ("192.168.0.0/16", "home")]
    err = error_of(modify, client, "pl-bp1nosuchlist0000000", description="gone")
    assert (err.code, err.status_code) == ("InvalidPrefixListId.NotFound", 404)
    assert_exact(MODIFY, err)
    delete(client, prefix_list_id)
    err = error_of(delete, client, prefix_list_id)
    assert err.code == "InvalidPrefixListId.NotFound"
    assert_exact(DELETE, err)


# -- security group rules naming prefix lists ----------------------------------------------------------------------
def test_rules_name_lists_which_count_their_groups(client, engine):
    office = make(client)
    group, second = vpc_group(client, engine), vpc_group(client, engine)
    authorize(client, group, ip_protocol="tcp", port_range="22/22", source_prefix_list_id=office,
              description="ssh from the office")
    authorize(client, group, egress=True, ip_protocol="tcp", port_range="443/443", dest_prefix_list_id=office)
    authorize(client, second, ip_protocol="all", port_range="-1/-1", source_prefix_list_id=office)
    ingress, egress = rules(client, group, direction="ingress"), rules(client, group, direction="egress")
    assert (ingress[0]["SourcePrefixListId"], ingress[0]["SourcePrefixListName"]) == (office, "office")
    assert ingress[0]["SourceCidrIp"] == "" and ingress[0]["DestPrefixListId"] == ""
    assert (egress[0]["DestPrefixListId"], egress[0]["DestPrefixListName"]) == (office, "office")
    modify(client, office, prefix_list_name="office-2")  # the rules show the list's name as it is now
    assert rules(client, group, direction="ingress")[0]["SourcePrefixListName"] == "office-2"
    assert listing(client)["PrefixLists"]["PrefixList"][0]["AssociationCount"] == 2
    found = associations(client, office)
    assert found["NextToken"] == ""
    assert found["PrefixListAssociations"]["PrefixListAssociation"] == [
        {"ResourceId": g, "ResourceType": "securitygroup"} for g in sorted([group, second])]
    first = associations(client, office, max_results=1)
    assert len(first["PrefixListAssociations"]["PrefixListAssociation"]) == 1 and first["NextToken"]
    rest = associations(client, office, max_results=1, next_token=first["NextToken"])
    assert rest["NextToken"] == "" and len(rest["PrefixListAssociations"]["PrefixListAssociation"]) == 1
    err = error_of(delete, client, office)
    assert (err.code, err.status_code) == ("NotAllowed.AssociationExist", 400)
    assert_exact(DELETE, err)
    # Revoked by the same fields (the list instead of an address): the group stops using it.
    revoke(client, group, ip_protocol="tcp", port_range="22/22", source_prefix_list_id=office)
    assert [r["Direction"] for r in rules(client, group)] == ["egress"]
    revoke(client, group, egress=True, ip_protocol="tcp", port_range="443/443", dest_prefix_list_id=office)
    client.delete_security_group(models.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=second))
    assert associations(client, office)["PrefixListAssociations"]["PrefixListAssociation"] == []
    delete(client, office)
    err = error_of(associations, client, office)
    assert err.code == "InvalidPrefixListId.NotFound"
    assert_exact(ASSOCIATIONS, err)


def test_rule_errors_for_lists(client, engine, other):
    v6 = make(client, name="v6", family="IPv6", entries=(("2001:db8::/32", ""),))
    theirs = make(other.client, name="theirs")
    group = vpc_group(client, engine)
    cases = [({"source_prefix_list_id": "pl-bp1nosuchlist0000000"}, "InvalidPrefixListId.NotFound"),
             ({"source_prefix_list_id": theirs}, "InvalidPrefixListId.NotFound"),
             ({"source_prefix_list_id": v6, "dest_cidr_ip": "10.0.0.0/8"},
              "InvalidParam.PrefixListAddressFamilyMismatch")]
    for kw, code in cases:
        err = error_of(authorize, client, group, ip_protocol="tcp", port_range="22/22", **kw)
        assert err.code == code, kw
        assert_exact("AuthorizeSecurityGroup", err)
    err = error_of(authorize, client, group, egress=True, ip_protocol="icmp", port_range="-1/-1",
                   dest_prefix_list_id=v6)
    assert err.code == "InvalidParam.PrefixListAddressFamilyMismatch"
    assert_exact("AuthorizeSecurityGroupEgress", err)
    authorize(client, group, ip_protocol="icmpv6", port_range="-1/-1", source_prefix_list_id=v6)
    err = error_of(revoke, client, group, ip_protocol="tcp", port_range="22/22", source_prefix_list_id=theirs)
    assert err.code == "InvalidPrefixListId.NotFound"
    assert_exact("RevokeSecurityGroup", err)
    assert len(rules(client, group)) == 1


def test_a_list_counts_its_max_entries_against_the_rule_quota(client, engine):
    engine.config.options["security_group_rule_quota"] = 10
    big = make(client, max_entries=8)
    group = vpc_group(client, engine)
    authorize(client, group, ip_protocol="tcp", port_range="22/22", source_prefix_list_id=big)
    for port in (80, 443):
        authorize(client, group, ip_protocol="tcp", port_range=f"{port}/{port}", source_cidr_ip="0.0.0.0/0")
    err = error_of(authorize, client, group, ip_protocol="tcp", port_range="8080/8080", source_cidr_ip="0.0.0.0/0")
    assert err.code == "AuthorizationLimitExceed"
    assert_exact("AuthorizeSecurityGroup", err)
    # (per direction)
    authorize(client, group, egress=True, ip_protocol="tcp", port_range="1/1", dest_cidr_ip="0.0.0.0/0")


def test_association_quota_is_an_option(client, engine):
    engine.config.options["prefix_list_association_quota"] = 1
    office = make(client)
    group, second = vpc_group(client, engine), vpc_group(client, engine)
    authorize(client, group, ip_protocol="tcp", port_range="22/22", source_prefix_list_id=office)
    authorize(client, group, ip_protocol="tcp", port_range="80/80", source_prefix_list_id=office)  # the same group
    err = error_of(authorize, client, second, ip_protocol="tcp", port_range="22/22", source_prefix_list_id=office)
    assert (err.code, err.status_code) == ("LimitExceed.PrefixListAssociationResource", 403)
    assert_exact("AuthorizeSecurityGroup", err)
    assert rules(client, second) == []


# -- rules changed in place -------------------------------------------------------------------------------------
def test_modify_rule_by_id(client, engine):
    office, home = make(client), make(client, name="home", entries=(("192.168.0.0/16", ""),))
    v6 = make(client, name="v6", family="IPv6", entries=())
    group = vpc_group(client, engine)
    authorize(client, group, ip_protocol="tcp", port_range="22/22", source_cidr_ip="10.0.0.0/8", description="ssh")
    authorize(client, group, ip_protocol="tcp", port_range="80/80", source_prefix_list_id=office)
    authorize(client, group, egress=True, ip_protocol="tcp", port_range="443/443", dest_cidr_ip="0.0.0.0/0")
    ssh, web = rules(client, group, direction="ingress")
    (out,) = rules(client, group, direction="egress")
    change_rule(client, group, security_group_rule_id=ssh["SecurityGroupRuleId"], description="ssh, narrower",
                priority="5", port_range="2222/2222", source_cidr_ip="10.1.0.0/16")
    change_rule(client, group, security_group_rule_id=web["SecurityGroupRuleId"], source_prefix_list_id=home)
    change_rule(client, group, egress=True, security_group_rule_id=out["SecurityGroupRuleId"], policy="drop")
    ssh2, web2 = rules(client, group, direction="ingress")
    assert {k: ssh2[k] for k in ("SecurityGroupRuleId", "CreateTime", "Description", "Priority", "PortRange",
                                 "SourceCidrIp", "IpProtocol", "Policy")} == {
        "SecurityGroupRuleId": ssh["SecurityGroupRuleId"], "CreateTime": ssh["CreateTime"],
        "Description": "ssh, narrower", "Priority": "5", "PortRange": "2222/2222", "SourceCidrIp": "10.1.0.0/16",
        "IpProtocol": "TCP", "Policy": "Accept"}
    assert (web2["SourcePrefixListId"], web2["SourcePrefixListName"]) == (home, "home")
    assert associations(client, office)["PrefixListAssociations"]["PrefixListAssociation"] == []
    assert rules(client, group, direction="egress")[0]["Policy"] == "Drop"
    cases = [(RULE, {"security_group_rule_id": ssh["SecurityGroupRuleId"], "source_prefix_list_id": office},
              "InvalidOperation.ModifySgRuleEntityType"),
             (RULE, {"security_group_rule_id": ssh["SecurityGroupRuleId"], "ipv_6source_cidr_ip": "::/0"},
              "InvalidOperation.ModifySgRuleEntityType"),
             (RULE, {"security_group_rule_id": web["SecurityGroupRuleId"], "source_prefix_list_id": v6},
              "InvalidParam.PrefixListAddressFamilyMismatch"),
             (RULE, {"security_group_rule_id": web["SecurityGroupRuleId"], "source_prefix_list_id": "pl-bp1none00"},
              "InvalidPrefixListId.NotFound"),
             (RULE, {"security_group_rule_id": ssh["SecurityGroupRuleId"], "port_range": "80/80",
                     "source_cidr_ip": "10.0.0.0/8"}, None),  # fine: another rule's range, not another rule
             (RULE, {"security_group_rule_id": out["SecurityGroupRuleId"], "description": "x"},
              "InvalidSecurityGroupRuleId.NotFound"),  # an egress rule is no ingress rule
             (RULE, {"security_group_rule_id": "rule-1", "description": "x"}, "InvalidParam.SecurityGroupRuleId"),
             (RULE, {"security_group_rule_id": ssh["SecurityGroupRuleId"], "priority": "101"},
              "InvalidPriority.Malformed"),
             (RULE, {"security_group_rule_id": ssh["SecurityGroupRuleId"], "port_range": "1/70000"},
              "OperationDenied"),
             (RULE_OUT, {"security_group_rule_id": out["SecurityGroupRuleId"], "priority": "0"},
              "InvalidPriority.Malformed"),
             (RULE_OUT, {"security_group_rule_id": out["SecurityGroupRuleId"], "dest_cidr_ip": "0.0.0.0/33"},
              "InvalidDestCidrIp.Malformed")]
    for action, kw, code in cases:
        if code is None:
            change_rule(client, group, egress=action == RULE_OUT, **kw)
            continue
        err = error_of(change_rule, client, group, egress=action == RULE_OUT, **kw)
        assert err.code == code, kw
        assert_exact(action, err)
    # Made the same as another rule: refused.
    authorize(client, group, ip_protocol="udp", port_range="53/53", source_cidr_ip="10.0.0.0/8")
    err = error_of(change_rule, client, group, security_group_rule_id=ssh["SecurityGroupRuleId"], ip_protocol="udp",
                   port_range="53/53")
    assert err.code == "InvalidParam.InvalidModifyRuleRequest"
    assert_exact(RULE, err)


def test_modify_rule_by_its_fields_and_nic_type(client, engine, legacy):
    classic = create(client)
    authorize(client, classic, ip_protocol="tcp", port_range="22/22", source_cidr_ip="10.0.0.0/8", priority="3")
    change_rule(client, classic, ip_protocol="tcp", port_range="22/22", source_cidr_ip="10.0.0.0/8",
                description="found by its fields", priority="7")
    (rule,) = rules(client, classic)
    assert (rule["Description"], rule["Priority"], rule["NicType"]) == ("found by its fields", "7", "internet")
    err = error_of(change_rule, client, classic, ip_protocol="tcp", port_range="23/23", source_cidr_ip="10.0.0.0/8",
                   description="none such")
    assert (err.code, err.status_code) == ("SecurityGroupRule.NotFound", 404)
    assert_exact(RULE, err)
    for kw, code in (({"port_range": None}, "InvalidIpProtocol.Malformed"),
                     ({"dest_cidr_ip": "10.0.0.0/40"}, "InvalidParam.DestCidrIp")):
        err = error_of(change_rule, client, classic, **{"ip_protocol": "tcp", "port_range": "22/22",
                                                        "source_cidr_ip": "10.0.0.0/8", **kw})
        assert err.code == code
        assert_exact(RULE, err)
    err = error_of(change_rule, client, classic, security_group_rule_id=rule["SecurityGroupRuleId"],
                   nic_type="intranet")
    assert err.code == "InvalidOperation.ModifyNicType"
    assert_exact(RULE, err)
    # The old SDK's egress request, by its fields.
    authorize(client, classic, egress=True, ip_protocol="udp", port_range="53/53", dest_cidr_ip="8.8.8.8/32")
    request = ModifySecurityGroupEgressRuleRequest()
    request.set_SecurityGroupId(classic)
    for name, value in (("IpProtocol", "udp"), ("PortRange", "53/53"), ("DestCidrIp", "8.8.8.8/32"),
                        ("Description", "dns")):
        getattr(request, f"set_{name}")(value)
    assert set(legacy_call(legacy, request)) == {"RequestId"}
    assert rules(client, classic, direction="egress")[0]["Description"] == "dns"
    request.set_PortRange("54/54")
    err = old_error(legacy, request)
    assert err.get_error_code() == "SecurityGroupRule.NotFound"
    assert_exact(RULE_OUT, err)


# -- Terraform: alicloud_ecs_prefix_list and alicloud_security_group_rule ------------------------------------------
def prefix_list_read(p: Provider, prefix_list_id: str) -> Optional[dict]:
    """DescribeEcsPrefixList: DescribePrefixListAttributes (``client.RpcPost``); InvalidPrefixListId.NotFound is
    gone. The Read keeps ``entry`` as the set of {cidr, description}, and ``max_entries`` when not "0"."""
    try:
        found = p.rpc_post(ATTRIBUTES, {}, {"RegionId": p.region, "PrefixListId": prefix_list_id})
    except ServerException as err:
        if err.get_error_code() == "InvalidPrefixListId.NotFound":
            return None
        raise
    return {"address_family": found["AddressFamily"], "description": found["Description"],
            "entry": {(e["Cidr"], e["Description"]) for e in found["Entries"]["Entry"]},
            "max_entries": int(found["MaxEntries"]), "prefix_list_name": found["PrefixListName"]}


def prefix_list_create(p: Provider, config: dict) -> str:
    body = {"AddressFamily": config["address_family"], "MaxEntries": config["max_entries"],
            "PrefixListName": config["prefix_list_name"], "RegionId": p.region,
            "ClientToken": "CreatePrefixList-tf", "Description": config.get("description")}
    for n, (cidr, description) in enumerate(sorted(config["entry"]), 1):
        body[f"Entry.{n}.Cidr"], body[f"Entry.{n}.Description"] = cidr, description
    return p.rpc_post(CREATE, {}, body)["PrefixListId"]


def prefix_list_update(p: Provider, prefix_list_id: str, old: dict, new: dict) -> None:
    """Update: the changed name and description; ``entry`` as the set differences (RemoveEntry of the old
    entries not in the new set, AddEntry of the new ones not in the old)."""
    body: dict[str, Any] = {"PrefixListId": prefix_list_id, "RegionId": p.region}
    for field, param in (("prefix_list_name", "PrefixListName"), ("description", "Description")):
        if old.get(field) != new.get(field):
            body[param] = new.get(field)
    if old["entry"] != new["entry"]:
        for n, (cidr, _) in enumerate(sorted(old["entry"] - new["entry"]), 1):
            body[f"RemoveEntry.{n}.Cidr"] = cidr
        for n, (cidr, description) in enumerate(sorted(new["entry"] - old["entry"]), 1):
            body[f"AddEntry.{n}.Cidr"], body[f"AddEntry.{n}.Description"] = cidr, description
    if len(body) > 2:
        p.rpc_post(MODIFY, {}, body)


def test_terraform_prefix_list(proxy):
    p = Provider(REGION)
    config = {"address_family": "IPv4", "max_entries": 3, "prefix_list_name": "tf-list", "description": "tf",
              "entry": {("192.168.0.0/24", "tf-entry")}}
    prefix_list_id = prefix_list_create(p, config)
    assert prefix_list_read(p, prefix_list_id) == config
    for new in ({**config, "entry": config["entry"] | {("10.0.0.0/8", "tf-entryupdate")}},
                {**config, "prefix_list_name": "tf-list-2", "description": "tfupdateall"}):
        prefix_list_update(p, prefix_list_id, prefix_list_read(p, prefix_list_id), new)
        assert prefix_list_read(p, prefix_list_id) == new  # no diff on the next plan
    p.rpc_post(DELETE, {}, {"PrefixListId": prefix_list_id, "RegionId": p.region})
    assert prefix_list_read(p, prefix_list_id) is None


def rule_id(config: dict) -> str:
    """The resource id Create sets: group, direction, protocol, ports, NicType, the address or (without one) the
    prefix list, policy, priority."""
    far = config.get("cidr_ip") or config.get("prefix_list_id")
    return ":".join([config["security_group_id"], config["type"], config["ip_protocol"], config["port_range"],
                     config["nic_type"], far, config["policy"], str(config["priority"])])


def _side(config: dict) -> str:
    return "Source" if config["type"] == "ingress" else "Dest"


def rule_create(p: Provider, config: dict) -> str:
    """AuthorizeSecurityGroup(Egress) through ``client.RpcPost`` with one ``Permissions`` entry (the tea client
    flattens it to ``Permissions.1.*``), after DescribeSecurityGroupAttribute of the group (its VpcId)."""
    p.call("DescribeSecurityGroupAttribute", SecurityGroupId=config["security_group_id"])
    side = _side(config)
    permission = {"IpProtocol": config["ip_protocol"], "Policy": config["policy"],
                  "Priority": str(config["priority"]), "PortRange": config["port_range"],
                  "NicType": config["nic_type"], "Description": config.get("description"),
                  f"{side}CidrIp": config.get("cidr_ip"), f"{side}PrefixListId": config.get("prefix_list_id")}
    body = {"RegionId": p.region, "SecurityGroupId": config["security_group_id"],
            **{f"Permissions.1.{k}": v for k, v in permission.items()}}
    action = "AuthorizeSecurityGroup" if config["type"] == "ingress" else "AuthorizeSecurityGroupEgress"
    p.rpc_post(action, {}, body)
    return rule_id(config)


def rule_read(p: Provider, resource_id: str) -> Optional[dict]:
    """DescribeSecurityGroupRule: DescribeSecurityGroupAttribute with the id's Direction and NicType; the rule whose
    lower-case protocol and PortRange match, whose address (else group, else IPv6 address) or prefix list is the
    id's, and whose lower-case Policy and Priority are the id's."""
    group, direction, protocol, ports, nic, far, policy, priority = resource_id.split(":")
    try:
        found = p.call("DescribeSecurityGroupAttribute", SecurityGroupId=group, Direction=direction, NicType=nic)
    except ServerException as err:
        if err.get_error_code() == "InvalidSecurityGroupId.NotFound":
            return None
        raise
    side = "Source" if direction == "ingress" else "Dest"
    for rule in found["Permissions"]["Permission"]:
        if rule["IpProtocol"].lower() != protocol or rule["PortRange"] != ports:
            continue
        address = rule[f"{side}CidrIp"] or rule[f"{side}GroupId"] or rule[f"Ipv6{side}CidrIp"]
        if (far in (address, rule[f"{side}PrefixListId"]) and rule["Policy"].lower() == policy
                and rule["Priority"] == priority):
            return {"type": rule["Direction"], "ip_protocol": rule["IpProtocol"].lower(), "nic_type": rule["NicType"],
                    "policy": rule["Policy"].lower(), "port_range": rule["PortRange"],
                    "description": rule["Description"], "priority": int(rule["Priority"]),
                    "security_group_rule_id": rule["SecurityGroupRuleId"], "security_group_id": group,
                    "cidr_ip": rule[f"{side}CidrIp"], "prefix_list_id": rule[f"{side}PrefixListId"]}
    raise Gone(resource_id)  # (NotFoundErr: a refresh drops it from the state)


def _rule_request(p: Provider, config: dict) -> dict:
    """buildAliyunSGRuleRequest: the Go SDK's common request, every field in the query (after
    DescribeSecurityGroupAttribute of the group); Description always, even empty."""
    p.call("DescribeSecurityGroupAttribute", SecurityGroupId=config["security_group_id"])
    side = _side(config)
    return {"PortRange": config["port_range"], "IpProtocol": config["ip_protocol"], "Policy": config["policy"],
            "Priority": str(config["priority"]), f"{side}CidrIp": config.get("cidr_ip"),
            f"{side}PrefixListId": config.get("prefix_list_id"), "NicType": config["nic_type"],
            "SecurityGroupId": config["security_group_id"], "Description": config.get("description", "")}


def rule_update(p: Provider, config: dict) -> None:
    """Update (only ``description`` is not ForceNew): ModifySecurityGroup(Egress)Rule by the rule's fields, sent
    twice (the provider calls ProcessCommonRequest once in the branch and once more after it)."""
    action = RULE if config["type"] == "ingress" else RULE_OUT
    query = _rule_request(p, config)
    p.call(action, **query)
    p.call(action, **query)


def rule_delete(p: Provider, config: dict) -> None:
    action = "RevokeSecurityGroup" if config["type"] == "ingress" else "RevokeSecurityGroupEgress"
    p.call(action, **_rule_request(p, config))


def test_terraform_security_group_rules_with_a_prefix_list(proxy):
    p = Provider(REGION)
    group = network(p)["security_group"]
    prefix_list_id = prefix_list_create(p, {"address_family": "IPv4", "max_entries": 5, "prefix_list_name": "tf-pl",
                                            "entry": {("10.0.0.0/8", "tf")}})
    configs = [{"security_group_id": group, "type": "ingress", "ip_protocol": "tcp", "port_range": "22/22",
                "nic_type": "intranet", "policy": "accept", "priority": 1, "prefix_list_id": prefix_list_id,
                "description": "from the list"},
               {"security_group_id": group, "type": "egress", "ip_protocol": "tcp", "port_range": "443/443",
                "nic_type": "intranet", "policy": "accept", "priority": 2, "prefix_list_id": prefix_list_id},
               {"security_group_id": group, "type": "ingress", "ip_protocol": "tcp", "port_range": "80/80",
                "nic_type": "intranet", "policy": "accept", "priority": 1, "cidr_ip": "0.0.0.0/0"}]
    ids = [rule_create(p, c) for c in configs]
    states = [rule_read(p, i) for i in ids]
    assert [s["prefix_list_id"] for s in states] == [prefix_list_id, prefix_list_id, ""]
    assert states[0]["description"] == "from the list" and states[1]["priority"] == 2
    assert all(s["security_group_rule_id"].startswith("sgr-") for s in states)
    attrs = p.rpc_post(LISTS, {}, {"RegionId": p.region, "PrefixListId.1": prefix_list_id})
    assert attrs["PrefixLists"]["PrefixList"][0]["AssociationCount"] == 1
    for n, description in ((0, "changed in place"), (1, "now described"), (2, "web")):
        configs[n] = {**configs[n], "description": description}
        rule_update(p, configs[n])
        state = rule_read(p, ids[n])
        assert state["description"] == description  # no diff on the next plan
        assert state["security_group_rule_id"] == states[n]["security_group_rule_id"]  # the same rule, in place
    for config, resource_id in zip(configs, ids):
        rule_delete(p, config)
        with pytest.raises(Gone):
            rule_read(p, resource_id)
    p.rpc_post(DELETE, {}, {"PrefixListId": prefix_list_id, "RegionId": p.region})


# -- Ansible: ali_security_group's rules through footmark -----------------------------------------------------------
def test_ali_security_group_rule_with_a_prefix_list_through_footmark(client):
    """A playbook's rule naming a prefix list: authorized once (a second run finds it in the described permissions,
    compared field by field), then purged by revoking the described permission as it is (its prefix list's name
    and every empty field included)."""
    footmark_ecs = pytest.importorskip("footmark.ecs", reason="footmark is not installed")
    from tests.test_footmark import network as old_sdk_network

    _, vpc, _ = old_sdk_network()
    office = make(client)
    ecs = footmark_ecs.connect_to_region(REGION, acs_access_key_id="ak", acs_secret_access_key="sk")
    group = ecs.create_security_group(security_group_name="web", vpc_id=vpc, client_token="Ansible-Alicloud-pl")
    rule = {"ip_protocol": "TCP", "port_range": "22/22", "source_prefix_list_id": office, "priority": "1"}
    assert group.authorize(dict(rule), "ingress") is True
    group = group.get()
    assert group.authorize(dict(rule), "ingress") is False  # found: no change
    (described,) = group.permissions
    assert (described["source_prefix_list_id"], described["source_prefix_list_name"]) == (office, "office")
    assert associations(client, office)["PrefixListAssociations"]["PrefixListAssociation"] == [
        {"ResourceId": group.id, "ResourceType": "securitygroup"}]
    assert group.revoke(dict(described), "ingress") is True
    assert group.get().permissions == []
    delete(client, office)


def test_answers_carry_the_documented_fields(client, engine):
    """Every prefix list operation's answer has the fields (and JSON types) the metadata documents."""
    office = make(client, description="documented")
    authorize(client, vpc_group(client, engine), ip_protocol="tcp", port_range="22/22", source_prefix_list_id=office)
    bodies = {LISTS: listing(client), ATTRIBUTES: attributes(client, office),
              ASSOCIATIONS: associations(client, office)}
    bodies[MODIFY] = client.modify_prefix_list(models.ModifyPrefixListRequest(
        region_id=REGION, prefix_list_id=office, description="again")).body.to_map()
    spare = make(client, name="spare")
    bodies[DELETE] = client.delete_prefix_list(models.DeletePrefixListRequest(
        region_id=REGION, prefix_list_id=spare)).body.to_map()
    bodies[CREATE] = client.create_prefix_list(models.CreatePrefixListRequest(
        region_id=REGION, prefix_list_name="third", address_family="IPv6", max_entries=1)).body.to_map()
    problems = [p for action, body in sorted(bodies.items()) for p in response_problems(action, body)]
    assert problems == []

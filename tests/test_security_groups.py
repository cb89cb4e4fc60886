"""Security groups and their rules through both SDKs, JSON and XML, with the documented errors."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import alibabacloud_ecs20140526.models as models
import pytest
from aliyunsdkecs.request.v20140526.AuthorizeSecurityGroupEgressRequest import AuthorizeSecurityGroupEgressRequest
from aliyunsdkecs.request.v20140526.AuthorizeSecurityGroupRequest import AuthorizeSecurityGroupRequest
from aliyunsdkecs.request.v20140526.CreateSecurityGroupRequest import CreateSecurityGroupRequest
from aliyunsdkecs.request.v20140526.DeleteSecurityGroupRequest import DeleteSecurityGroupRequest
from aliyunsdkecs.request.v20140526.DescribeSecurityGroupAttributeRequest import (
    DescribeSecurityGroupAttributeRequest,
)
from aliyunsdkecs.request.v20140526.RevokeSecurityGroupRequest import RevokeSecurityGroupRequest

from mockecs.wire.params import snake
from mockecs.world import resource_groups
from tests.sdk import DEFAULT_ACCOUNT, error_of, legacy_call
from tests.test_addresses import in_vpc
from tests.test_instances import REGION, old_error, run
from tests.test_keypairs import assert_exact, legacy_xml

AUTH, AUTH_OUT = "AuthorizeSecurityGroup", "AuthorizeSecurityGroupEgress"
REVOKE, REVOKE_OUT = "RevokeSecurityGroup", "RevokeSecurityGroupEgress"


def put_vpc(engine, vpc_id: str = "vpc-bp1testvpc000000001", status: str = "Available",
            account: str = DEFAULT_ACCOUNT, region: str = REGION) -> str:
    """A ``vpc`` record as the network operations keep it (kind ``vpc``, id field ``VpcId``)."""
    with engine.store.transaction() as txn:
        txn.put("vpc", vpc_id, {"VpcId": vpc_id, "Status": status, "RegionId": region, "_owner": account,
                                "_region": region}, [("owner", account), ("owner_region", f"{account}|{region}")])
    return vpc_id


def create(client, region: str = REGION, **kw) -> str:
    request = models.CreateSecurityGroupRequest(region_id=region, **kw)
    return client.create_security_group(request).body.security_group_id


def rules(client, group_id: str, **kw) -> list[dict]:
    body = client.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group_id, **kw)).body.to_map()
    return body["Permissions"]["Permission"]


def _rule_call(client, verb: str, group_id: str, egress: bool, **kw) -> None:
    action = f"{verb}SecurityGroup" + ("Egress" if egress else "")
    request = getattr(models, f"{action}Request")(region_id=REGION, security_group_id=group_id, **kw)
    getattr(client, snake(action))(request)


def authorize(client, group_id: str, egress: bool = False, **kw) -> None:
    _rule_call(client, "Authorize", group_id, egress, **kw)


def revoke(client, group_id: str, egress: bool = False, **kw) -> None:
    _rule_call(client, "Revoke", group_id, egress, **kw)


def groups(client, **kw) -> dict:
    return client.describe_security_groups(models.DescribeSecurityGroupsRequest(region_id=REGION, **kw)).body.to_map()


# -- CreateSecurityGroup ------------------------------------------------------------------------
def test_create_security_group_in_a_vpc_and_classic(client, engine):
    vpc = put_vpc(engine)
    in_vpc = create(client, vpc_id=vpc, security_group_name="packer_sg", description="for builds")
    classic = create(client)
    assert re.fullmatch(r"sg-bp1[a-z0-9]{17}", in_vpc)
    listed = {g["SecurityGroupId"]: g for g in groups(client)["SecurityGroups"]["SecurityGroup"]}
    assert listed[in_vpc]["VpcId"] == vpc and listed[classic]["VpcId"] == ""
    assert listed[in_vpc]["SecurityGroupName"] == "packer_sg"
    assert listed[in_vpc]["SecurityGroupType"] == "normal"
    assert (listed[in_vpc]["EcsCount"], listed[in_vpc]["RuleCount"]) == (0, 0)
    attribute = client.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=in_vpc)).body.to_map()
    assert attribute["VpcId"] == vpc and attribute["InnerAccessPolicy"] == "Accept"
    assert attribute["Description"] == "for builds" and attribute["Permissions"]["Permission"] == []


def test_create_security_group_vpc_errors(client, engine, other):
    err = error_of(create, client, vpc_id="vpc-bp1nosuchvpc0000000")
    assert (err.code, err.status_code) == ("InvalidVpcId.NotFound", 404)
    assert_exact("CreateSecurityGroup", err)
    theirs = put_vpc(engine, "vpc-bp1theirs0000000000", account=other.account_id)
    assert error_of(create, client, vpc_id=theirs).code == "InvalidVpcId.NotFound"
    pending = put_vpc(engine, "vpc-bp1pending000000000", status="Pending")
    err = error_of(create, client, vpc_id=pending)
    assert err.code == "IncorrectVpcStatus"
    assert_exact("CreateSecurityGroup", err)
    engine.config.options["security_group_requires_vpc"] = True
    err = error_of(create, client)
    assert (err.code, err.status_code) == ("InvalidVpcId.NotFound", 403)
    assert_exact("CreateSecurityGroup", err)


@pytest.mark.parametrize("kw, code", [
    ({"security_group_name": "1sg"}, "InvalidSecurityGroupName.Malformed"),
    ({"security_group_name": "http://sg"}, "InvalidSecurityGroupName.Malformed"),
    ({"description": "x"}, "InvalidDescription.Malformed"),
    ({"description": "https://x.example"}, "InvalidDescription.Malformed"),
    ({"security_group_type": "special"}, "InvalidParams.GroupType"),
    ({"security_group_type": "enterprise"}, "InvalidParams.VpcIdGroupType"),
    ({"tag": [models.CreateSecurityGroupRequestTag(key="aliyun-x", value="v")]}, "InvalidTagKey.Malformed"),
    ({"tag": [models.CreateSecurityGroupRequestTag(key="k", value="http://v")]}, "InvalidTagValue.Malformed"),
    ({"tag": [models.CreateSecurityGroupRequestTag(key="k", value="1"),
              models.CreateSecurityGroupRequestTag(key="k", value="2")]}, "Duplicate.TagKey"),
])
def test_create_security_group_documented_errors(client, kw, code):
    err = error_of(create, client, **kw)
    assert err.code == code
    assert_exact("CreateSecurityGroup", err)
    assert groups(client)["TotalCount"] == 0


def test_create_security_group_quota_enterprise_and_old_sdk(client, engine, legacy):
    vpc = put_vpc(engine)
    enterprise = create(client, vpc_id=vpc, security_group_type="enterprise")
    assert groups(client, security_group_type="enterprise")["SecurityGroups"]["SecurityGroup"][0][
        "SecurityGroupId"] == enterprise
    request = CreateSecurityGroupRequest()
    request.set_VpcId(vpc)
    request.set_SecurityGroupName("legacy-sg")
    request.set_Tags([{"Key": "team", "Value": "images"}])
    legacy_id = legacy_call(legacy, request)["SecurityGroupId"]
    listed = groups(client, tag=[models.DescribeSecurityGroupsRequestTag(key="team", value="images")])
    assert [g["SecurityGroupId"] for g in listed["SecurityGroups"]["SecurityGroup"]] == [legacy_id]
    engine.config.options["security_group_quota"] = 2
    err = error_of(create, client)
    assert (err.code, err.status_code) == ("QuotaExceed.SecurityGroup", 403)
    assert_exact("CreateSecurityGroup", err)


def test_create_security_group_client_token(client):
    first = create(client, client_token="build-42")
    assert create(client, client_token="build-42") == first
    assert groups(client)["TotalCount"] == 1


# -- DescribeSecurityGroups -------------------------------------------------------------------
def test_describe_security_groups_filters_order_and_paging(client, engine, other):
    vpc = put_vpc(engine)
    ids = [create(client, vpc_id=vpc if n % 2 else None, security_group_name=f"sg-name-{n}") for n in range(5)]
    create(other.client)
    listed = groups(client)
    assert listed["TotalCount"] == 5 and listed["RegionId"] == REGION
    order = [g["SecurityGroupId"] for g in listed["SecurityGroups"]["SecurityGroup"]]
    assert order == sorted(ids, reverse=True)  # documented: by id, descending
    assert groups(client, vpc_id=vpc)["TotalCount"] == 2
    assert groups(client, network_type="classic")["TotalCount"] == 3
    assert groups(client, network_type="vpc")["TotalCount"] == 2
    assert groups(client, security_group_name="sg-name-3")["SecurityGroups"]["SecurityGroup"][0][
        "SecurityGroupId"] == ids[3]
    assert groups(client, security_group_id=ids[1])["TotalCount"] == 1
    assert groups(client, security_group_ids=json.dumps(ids[:2]))["TotalCount"] == 2
    first = groups(client, max_results=2)
    assert len(first["SecurityGroups"]["SecurityGroup"]) == 2 and first["NextToken"]
    second = groups(client, max_results=2, next_token=first["NextToken"])
    assert second["SecurityGroups"]["SecurityGroup"][0]["SecurityGroupId"] == order[2]
    assert groups(client, page_number=3, page_size=2)["SecurityGroups"]["SecurityGroup"][0][
        "SecurityGroupId"] == order[4]
    err = error_of(groups, client, next_token="f" * 32)
    assert err.code == "InValidParameter.NextToken"
    assert_exact("DescribeSecurityGroups", err)
    err = error_of(groups, client, security_group_type="special")
    assert err.code == "InvalidParameter.SecurityGroupType"
    assert_exact("DescribeSecurityGroups", err)


def test_describe_security_groups_counts_instances_async(client):
    group = create(client)
    run(client, amount=2, security_group_id=group)

    async def listing():
        return (await client.describe_security_groups_async(models.DescribeSecurityGroupsRequest(
            region_id=REGION))).body.to_map()

    (item,) = asyncio.run(listing())["SecurityGroups"]["SecurityGroup"]
    assert item["EcsCount"] == 2 and item["AvailableInstanceAmount"] == 1998


# -- rules ----------------------------------------------------------------------------------------
def test_image_build_rules_all_protocols_everywhere(client, engine):
    """What an image-build tool sends: ALL, -1/-1, 0.0.0.0/0, in and out (older unprefixed form)."""
    group = create(client, vpc_id=put_vpc(engine))
    authorize(client, group, egress=True, ip_protocol="all", port_range="-1/-1", dest_cidr_ip="0.0.0.0/0",
              nic_type="intranet")
    authorize(client, group, ip_protocol="all", port_range="-1/-1", source_cidr_ip="0.0.0.0/0", nic_type="intranet")
    found = rules(client, group)
    assert [(r["Direction"], r["IpProtocol"], r["PortRange"], r["Policy"], r["Priority"], r["NicType"])
            for r in found] == [("egress", "ALL", "-1/-1", "Accept", "1", "intranet"),
                                ("ingress", "ALL", "-1/-1", "Accept", "1", "intranet")]
    assert found[0]["DestCidrIp"] == "0.0.0.0/0" and found[1]["SourceCidrIp"] == "0.0.0.0/0"
    assert all(re.fullmatch(r"sgr-bp1[a-z0-9]{17}", r["SecurityGroupRuleId"]) for r in found)
    assert [r["Direction"] for r in rules(client, group, direction="ingress")] == ["ingress"]
    assert [r["Direction"] for r in rules(client, group, direction="egress")] == ["egress"]
    # The same rule again: success, nothing added (documented).
    authorize(client, group, ip_protocol="ALL", port_range="-1/-1", source_cidr_ip="0.0.0.0/0")
    assert len(rules(client, group)) == 2


def test_permissions_form_and_classic_nic_types(client):
    group = create(client)
    P = models.AuthorizeSecurityGroupRequestPermissions
    authorize(client, group, permissions=[
        P(ip_protocol="tcp", port_range="22/22", source_cidr_ip="10.0.0.0/8", priority="5", description="ssh"),
        P(ip_protocol="udp", port_range="1000/2000", source_cidr_ip="192.168.1.7", policy="drop", nic_type="intranet"),
        P(ip_protocol="icmp", port_range="-1/-1", ipv_6source_cidr_ip="2001:db8::/32"),
        P(ip_protocol="gre", port_range="-1/-1", source_cidr_ip="0.0.0.0/0", source_port_range="-1/-1")])
    internet = rules(client, group)  # classic groups: one NIC type per call, internet by default
    assert [(r["IpProtocol"], r["PortRange"], r["Policy"], r["Priority"]) for r in internet] == [
        ("TCP", "22/22", "Accept", "5"), ("ICMP", "-1/-1", "Accept", "1"), ("GRE", "-1/-1", "Accept", "1")]
    assert internet[0]["Description"] == "ssh" and internet[1]["Ipv6SourceCidrIp"] == "2001:db8::/32"
    intranet = rules(client, group, nic_type="intranet")
    assert [(r["IpProtocol"], r["Policy"], r["SourceCidrIp"]) for r in intranet] == [("UDP", "Drop", "192.168.1.7")]
    groups_listed = groups(client)["SecurityGroups"]["SecurityGroup"]
    assert groups_listed[0]["RuleCount"] == 4


def test_group_to_group_rules_and_delete_dependencies(client, engine):
    vpc = put_vpc(engine)
    web, db = create(client, vpc_id=vpc), create(client, vpc_id=vpc)
    P = models.AuthorizeSecurityGroupRequestPermissions
    authorize(client, db, permissions=[P(ip_protocol="tcp", port_range="5432/5432", source_group_id=web)])
    (rule,) = rules(client, db)
    assert (rule["SourceGroupId"], rule["NicType"], rule["SourceCidrIp"]) == (web, "intranet", "")
    assert groups(client, security_group_id=db)["SecurityGroups"]["SecurityGroup"][0]["GroupToGroupRuleCount"] == 1
    err = error_of(client.delete_security_group, models.DeleteSecurityGroupRequest(region_id=REGION,
                                                                                    security_group_id=web))
    assert (err.code, err.status_code) == ("DependencyViolation", 403)
    refs = client.describe_security_group_references(models.DescribeSecurityGroupReferencesRequest(
        region_id=REGION, security_group_id=[web, db])).body.to_map()["SecurityGroupReferences"]
    assert refs == {"SecurityGroupReference": [{"SecurityGroupId": web, "ReferencingSecurityGroups": {
        "ReferencingSecurityGroup": [{"SecurityGroupId": db, "AliUid": DEFAULT_ACCOUNT}]}}]}
    for ids, code in ((["sg-bp1nosuchgroup00000"], "InvalidSecurityGroupId.NotFound"),
                      ([f"sg-{n}" for n in range(11)], "InvalidSecurityGroupId.Malformed"),
                      (None, "InvalidSecurityGroupId.Malformed")):
        err = error_of(client.describe_security_group_references, models.DescribeSecurityGroupReferencesRequest(
            region_id=REGION, security_group_id=ids))
        assert err.code == code
        assert_exact("DescribeSecurityGroupReferences", err)
    revoke(client, db, security_group_rule_id=[rule["SecurityGroupRuleId"]])
    client.delete_security_group(models.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=web))


def test_delete_security_group_while_an_instance_uses_it(client, legacy):
    group = create(client)
    (iid,) = run(client, security_group_id=group)
    err = error_of(client.delete_security_group, models.DeleteSecurityGroupRequest(region_id=REGION,
                                                                                    security_group_id=group))
    assert err.code == "DependencyViolation"
    assert_exact("DeleteSecurityGroup", err)
    client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True))
    request = DeleteSecurityGroupRequest()
    request.set_SecurityGroupId(group)
    legacy_call(legacy, request)
    assert groups(client)["TotalCount"] == 0
    err = old_error(legacy, request)
    assert err.get_error_code() == "InvalidSecurityGroup.NotFound"
    assert_exact("DeleteSecurityGroup", err)


def test_old_sdk_rules_json_and_xml(legacy, client):
    group = create(client)
    request = AuthorizeSecurityGroupRequest()
    request.set_SecurityGroupId(group)
    request.set_IpProtocol("tcp")
    request.set_PortRange("80/80")
    request.set_SourceCidrIp("0.0.0.0/0")
    legacy_call(legacy, request)
    request = AuthorizeSecurityGroupEgressRequest()
    request.set_SecurityGroupId(group)
    request.set_Permissions([{"IpProtocol": "tcp", "PortRange": "443/443", "DestCidrIp": "0.0.0.0/0"}])
    legacy_call(legacy, request)
    request = DescribeSecurityGroupAttributeRequest()
    request.set_SecurityGroupId(group)
    root = legacy_xml(legacy, request)
    assert root.tag == "DescribeSecurityGroupAttributeResponse"
    assert [p.findtext("PortRange") for p in root.findall("Permissions/Permission")] == ["80/80", "443/443"]
    request = RevokeSecurityGroupRequest()
    request.set_SecurityGroupId(group)
    request.set_IpProtocol("TCP")
    request.set_PortRange("80/80")
    request.set_SourceCidrIp("0.0.0.0/0")
    legacy_call(legacy, request)
    assert [r["PortRange"] for r in rules(client, group)] == ["443/443"]


def test_revoke_by_permissions_and_by_rule_id(client):
    group = create(client)
    P = models.AuthorizeSecurityGroupRequestPermissions
    authorize(client, group, permissions=[P(ip_protocol="tcp", port_range="22/22", source_cidr_ip="1.2.3.0/24"),
                                          P(ip_protocol="tcp", port_range="80/80", source_cidr_ip="1.2.3.0/24")])
    authorize(client, group, egress=True, ip_protocol="all", port_range="-1/-1", dest_cidr_ip="0.0.0.0/0")
    # A rule that does not exist: success, nothing removed (documented).
    revoke(client, group, ip_protocol="tcp", port_range="23/23", source_cidr_ip="1.2.3.0/24")
    assert len(rules(client, group)) == 3
    revoke(client, group, permissions=[models.RevokeSecurityGroupRequestPermissions(
        ip_protocol="TCP", port_range="22/22", source_cidr_ip="1.2.3.0/24", policy="Accept")])
    remaining = rules(client, group)
    assert [r["PortRange"] for r in remaining] == ["80/80", "-1/-1"]
    egress_id = remaining[1]["SecurityGroupRuleId"]
    # An egress rule id is not an ingress rule.
    err = error_of(revoke, client, group, security_group_rule_id=[egress_id])
    assert err.code == "InvalidSecurityGroupRuleId.NotFound"
    assert_exact(REVOKE, err)
    err = error_of(revoke, client, group, egress=True, security_group_rule_id=[egress_id, egress_id])
    assert err.code == "InvalidParam.SecurityGroupRuleIdRepeated"
    assert_exact(REVOKE_OUT, err)
    revoke(client, group, egress=True, security_group_rule_id=[egress_id])
    assert [r["PortRange"] for r in rules(client, group)] == ["80/80"]


INGRESS_CASES = [
    ({"ip_protocol": "sctp", "port_range": "1/2", "source_cidr_ip": "0.0.0.0/0"},
     "InvalidIpProtocol.ValueNotSupported"),
    ({"port_range": "1/2", "source_cidr_ip": "0.0.0.0/0"}, "InvalidIpProtocol.ValueNotSupported"),
    ({"ip_protocol": "tcp", "source_cidr_ip": "0.0.0.0/0"}, "InvalidPortRange.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22", "source_cidr_ip": "0.0.0.0/0"}, "InvalidParam.PortRange"),
    ({"ip_protocol": "tcp", "port_range": "0/70000", "source_cidr_ip": "0.0.0.0/0"}, "OperationDenied"),
    ({"ip_protocol": "tcp", "port_range": "-1/-1", "source_cidr_ip": "0.0.0.0/0"}, "OperationDenied"),
    ({"ip_protocol": "all", "port_range": "1/65535", "source_cidr_ip": "0.0.0.0/0"}, "OperationDenied"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "source_port_range": "x"},
     "InvalidSourcePortRange.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "policy": "allow"},
     "InvalidPolicy.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "priority": "101"},
     "InvalidPriority.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "priority": "1" * 5000},
     "InvalidPriority.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "nic_type": "wan"},
     "InvalidNicType.ValueNotSupported"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "300.0.0.0/8"}, "InvalidSourceCidrIp.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "dest_cidr_ip": "x"},
     "InvalidDestCidrIp.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "ipv_6source_cidr_ip": "nope"}, "InvalidParam.Ipv6SourceCidrIp"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "ipv_6source_cidr_ip": "::/0"},
     "InvalidParam.SourceIp"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "ipv_6dest_cidr_ip": "::/0"},
     "InvalidParameter.Conflict"),
    ({"ip_protocol": "tcp", "port_range": "22/22"}, "MissingParameter.Source"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_group_id": "sg-bp1nosuchgroup00000"},
     "InvalidSourceGroupId.NotFound"),
    # (a classic group: no prefix lists there; a VPC group's unknown list: tests/test_prefix_lists.py)
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_prefix_list_id": "pl-x1j1k5ykzqlixdcy"},
     "NotSupported.ClassicNetworkPrefixList"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0", "description": "d" * 513},
     "InvalidSecurityGroupDiscription.Malformed"),
]


@pytest.mark.parametrize("kw, code", INGRESS_CASES)
def test_authorize_and_revoke_documented_errors(client, kw, code):
    group = create(client)
    for action, call in ((AUTH, authorize), (REVOKE, revoke)):
        if action == REVOKE and code == "InvalidParameter.Conflict":
            call(client, group, **kw)  # not documented for revoking: such a rule just matches nothing
            continue
        if action == REVOKE and code == "OperationDenied":
            code_here = "InvalidIpPortRange.Malformed"  # RevokeSecurityGroup's word for the same mistake
        else:
            code_here = code
        err = error_of(call, client, group, **kw)
        assert err.code == code_here, (action, kw)
        assert_exact(action, err)
    assert rules(client, group) == []


EGRESS_CASES = [
    ({"ip_protocol": "tcp", "port_range": "22/22"}, "MissingParameter.Dest"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "dest_cidr_ip": "10.0.0.0/33"}, "InvalidDestCidrIp.Malformed"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "dest_cidr_ip": "0.0.0.0/0", "source_cidr_ip": "bad"},
     "InvalidParam.SourceCidrIp"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "dest_group_id": "sg-bp1nosuchgroup00000"},
     "InvalidDestGroupId.NotFound"),
    ({"ip_protocol": "udp", "port_range": "5/4", "dest_cidr_ip": "0.0.0.0/0"}, "OperationDenied"),
    ({"ip_protocol": "tcp", "port_range": "22/22", "dest_cidr_ip": "0.0.0.0/0", "ipv_6dest_cidr_ip": "::/0"},
     "InvalidParam.DestIp"),
]


@pytest.mark.parametrize("kw, code", EGRESS_CASES)
def test_egress_documented_errors(client, kw, code):
    group = create(client)
    for action, call in ((AUTH_OUT, authorize), (REVOKE_OUT, revoke)):
        code_here = "InvalidIpPortRange.Malformed" if action == REVOKE_OUT and code == "OperationDenied" else code
        err = error_of(call, client, group, egress=True, **kw)
        assert err.code == code_here, (action, kw)
        assert_exact(action, err)


def test_rule_conflicts_limits_and_groups(client, engine, other):
    vpc = put_vpc(engine)
    group, elsewhere, classic = create(client, vpc_id=vpc), create(client), create(client)
    cases = [
        (AUTH, {"ip_protocol": "tcp", "port_range": "22/22", "source_group_id": group}, "InvalidParamter.Conflict"),
        (REVOKE, {"ip_protocol": "tcp", "port_range": "22/22", "source_group_id": group}, "InvalidParamter.Conflict"),
        (AUTH_OUT, {"ip_protocol": "tcp", "port_range": "22/22", "dest_group_id": group},
         "InvalidSecurityGroup.IsSame"),
        (AUTH, {"ip_protocol": "tcp", "port_range": "22/22", "source_group_id": classic},
         "InvalidSourceGroupId.Mismatch"),
        (AUTH_OUT, {"ip_protocol": "tcp", "port_range": "22/22", "dest_group_id": elsewhere},
         "InvalidDestGroupId.Mismatch"),
        (AUTH, {"ip_protocol": "tcp", "port_range": "22/22", "source_cidr_ip": "0.0.0.0/0",
                "permissions": [models.AuthorizeSecurityGroupRequestPermissions(ip_protocol="tcp")]},
         "InvalidParam.Permissions"),
    ]
    for action, kw, code in cases:
        call = authorize if action.startswith("Authorize") else revoke
        err = error_of(call, client, group, egress=action.endswith("Egress"), **kw)
        assert err.code == code, (action, kw)
        assert_exact(action, err)
    P = models.AuthorizeSecurityGroupRequestPermissions
    same = P(ip_protocol="tcp", port_range="22/22", source_cidr_ip="0.0.0.0/0")
    err = error_of(authorize, client, group, permissions=[same, same])
    assert err.code == "InvalidParam.DuplicatePermissions"
    assert_exact(AUTH, err)
    engine.config.options["security_group_rule_quota"] = 2
    authorize(client, group, permissions=[P(ip_protocol="tcp", port_range=f"{p}/{p}", source_cidr_ip="0.0.0.0/0")
                                          for p in (1, 2)])
    err = error_of(authorize, client, group, ip_protocol="tcp", port_range="3/3", source_cidr_ip="0.0.0.0/0")
    assert (err.code, err.status_code) == ("AuthorizationLimitExceed", 403)
    assert_exact(AUTH, err)
    # The limit is per direction.
    authorize(client, group, egress=True, ip_protocol="tcp", port_range="3/3", dest_cidr_ip="0.0.0.0/0")
    # Another account's group is not found, for rules and for reading.
    for action, call in ((AUTH, authorize), (REVOKE, revoke)):
        err = error_of(call, other.client, group, ip_protocol="tcp", port_range="3/3", source_cidr_ip="0.0.0.0/0")
        assert err.code == "InvalidSecurityGroupId.NotFound"
        assert_exact(action, err)
    err = error_of(rules, other.client, group)
    assert_exact("DescribeSecurityGroupAttribute", err)


def test_enterprise_group_rules(client, engine):
    group = create(client, vpc_id=put_vpc(engine), security_group_type="enterprise")
    err = error_of(authorize, client, group, ip_protocol="tcp", port_range="22/22", source_cidr_ip="0.0.0.0/0",
                   policy="drop")
    assert err.code == "InvalidGroupParameter.OperationDenied"
    assert_exact(AUTH, err)
    authorize(client, group, ip_protocol="tcp", port_range="22/22", source_cidr_ip="0.0.0.0/0")
    attribute = client.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group)).body
    assert attribute.inner_access_policy == "Drop"


def test_describe_security_group_attribute_errors_and_paging(client):
    group = create(client)
    P = models.AuthorizeSecurityGroupRequestPermissions
    authorize(client, group, permissions=[P(ip_protocol="tcp", port_range=f"{p}/{p}", source_cidr_ip="0.0.0.0/0")
                                          for p in range(1, 13)])
    body = client.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group, max_results=10)).body
    assert len(body.permissions.permission) == 10 and body.next_token
    rest = client.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group, max_results=10, next_token=body.next_token)).body
    assert [p.port_range for p in rest.permissions.permission] == ["11/11", "12/12"] and rest.next_token == ""
    for kw, code in [({"nic_type": "wan"}, "InvalidNicType.ValueNotSupported"),
                     ({"direction": "up"}, "InvalidParamter")]:
        err = error_of(rules, client, group, **kw)
        assert err.code == code
        assert_exact("DescribeSecurityGroupAttribute", err)
    err = error_of(rules, client, "sg-bp1nosuchgroup00000")
    assert (err.code, err.status_code) == ("InvalidSecurityGroupId.NotFound", 404)
    assert_exact("DescribeSecurityGroupAttribute", err)
    # Terraform reads a rule without nic_type with NicType "<nil>" (its rule id's "%v" of nil): as none given
    assert len(rules(client, group, nic_type="<nil>")) == 12


def test_security_group_tags(client):
    group = create(client)
    client.tag_resources(models.TagResourcesRequest(region_id=REGION, resource_type="securitygroup",
                                                    resource_id=[group],
                                                    tag=[models.TagResourcesRequestTag(key="env", value="ci")]))
    rows = client.list_tag_resources(models.ListTagResourcesRequest(region_id=REGION, resource_type="securitygroup",
                                                                    resource_id=[group]))
    assert [(r.resource_id, r.tag_key, r.tag_value) for r in rows.body.tag_resources.tag_resource] == [
        (group, "env", "ci")]
    assert groups(client, tag=[models.DescribeSecurityGroupsRequestTag(key="env")])["TotalCount"] == 1


def rule_labels(err: Any) -> str:
    return err.data.get("Message")


def test_messages_name_the_parameter(client):
    group = create(client)
    P = models.AuthorizeSecurityGroupRequestPermissions
    err = error_of(authorize, client, group, permissions=[P(ip_protocol="tcp", port_range="1/1", source_cidr_ip="::"),
                                                          P(ip_protocol="tcp", port_range="22")])
    assert err.code == "InvalidSourceCidrIp.Malformed"
    err = error_of(authorize, client, group, permissions=[
        P(ip_protocol="tcp", port_range="1/1", source_cidr_ip="1.1.1.1"), P(ip_protocol="tcp", port_range="22")])
    assert rule_labels(err) == ("The specified parameter Permissions.2.PortRange is not valid. It should be two "
                                "integers less than 65535 in ?/? format.")


def test_packer_style_flow(client, engine):
    """Create, open, use, clean up: the calls an image build makes, in its order."""
    vswitch = in_vpc(client)["v_switch_id"]
    vpc = client.describe_vswitches(models.DescribeVSwitchesRequest(region_id=REGION, v_switch_id=vswitch)).body
    vpc = vpc.v_switches.v_switch[0].vpc_id
    group = create(client, vpc_id=vpc, security_group_name="packer_sg_1", description="Packer temporary group")
    authorize(client, group, egress=True, ip_protocol="all", port_range="-1/-1", dest_cidr_ip="0.0.0.0/0",
              nic_type="intranet")
    authorize(client, group, ip_protocol="all", port_range="-1/-1", source_cidr_ip="0.0.0.0/0", nic_type="intranet")
    (iid,) = run(client, security_group_id=group, v_switch_id=vswitch)
    assert groups(client, vpc_id=vpc)["SecurityGroups"]["SecurityGroup"][0]["EcsCount"] == 1
    client.delete_instance(models.DeleteInstanceRequest(instance_id=iid, force=True))
    client.delete_vswitch(models.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vswitch))
    err = error_of(client.delete_vpc, models.DeleteVpcRequest(region_id=REGION, vpc_id=vpc))
    assert err.code == "DependencyViolation.SecurityGroup"  # the group is still in the VPC
    assert_exact("DeleteVpc", err)
    client.delete_security_group(models.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=group))
    client.delete_vpc(models.DeleteVpcRequest(region_id=REGION, vpc_id=vpc))
    assert groups(client)["TotalCount"] == 0


# -- changing groups, instances joining and leaving -------------------------------------------------
def test_modify_security_group_attribute_and_policy(client, legacy):
    group = create(client, security_group_name="before")
    client.modify_security_group_attribute(models.ModifySecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group, security_group_name="after", description="new words"))
    client.modify_security_group_policy(models.ModifySecurityGroupPolicyRequest(
        region_id=REGION, security_group_id=group, inner_access_policy="drop"))
    body = client.describe_security_group_attribute(models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group)).body
    assert (body.security_group_name, body.description, body.inner_access_policy) == ("after", "new words", "Drop")
    for kw, code in [({"security_group_name": "9x"}, "InvalidSecurityGroupName.Malformed"),
                     ({"description": "http://x"}, "InvalidSecurityGroupDiscription.Malformed"),
                     ({"security_group_id": "sg-bp1nosuchgroup00000"}, "InvalidSecurityGroupId.NotFound")]:
        request = models.ModifySecurityGroupAttributeRequest(region_id=REGION, **{"security_group_id": group, **kw})
        err = error_of(client.modify_security_group_attribute, request)
        assert err.code == code
        assert_exact("ModifySecurityGroupAttribute", err)
    err = error_of(client.modify_security_group_policy, models.ModifySecurityGroupPolicyRequest(
        region_id=REGION, security_group_id=group, inner_access_policy="maybe"))
    assert_exact("ModifySecurityGroupPolicy", err)
    err = error_of(client.modify_security_group_policy, models.ModifySecurityGroupPolicyRequest(
        security_group_id=group, inner_access_policy="Accept"))
    assert err.code == "MissingParamter.RegionId"
    assert_exact("ModifySecurityGroupPolicy", err)


def test_modify_policy_of_enterprise_group(client, engine):
    group = create(client, vpc_id=put_vpc(engine), security_group_type="enterprise")
    err = error_of(client.modify_security_group_policy, models.ModifySecurityGroupPolicyRequest(
        region_id=REGION, security_group_id=group, inner_access_policy="Accept"))
    assert (err.code, err.status_code) == ("InvalidParameter.InnerAccessPolicy", 404)
    assert_exact("ModifySecurityGroupPolicy", err)


def membership(client, verb: str, group_id: str, **kw) -> None:
    action = f"{verb}SecurityGroup"
    getattr(client, snake(action))(getattr(models, f"{action}Request")(security_group_id=group_id, **kw))


def test_join_and_leave_security_group(client, engine):
    first, second = create(client), create(client)
    (iid,) = run(client, security_group_id=first)
    membership(client, "Join", second, instance_id=iid)  # region-less: found from the instance
    listed = {g["SecurityGroupId"]: g["EcsCount"] for g in groups(client)["SecurityGroups"]["SecurityGroup"]}
    assert listed == {first: 1, second: 1}
    membership(client, "Leave", first, instance_id=iid)
    found = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, security_group_id=second))
    assert [i.security_group_ids.security_group_id for i in found.body.instances.instance] == [[second]]
    client.delete_security_group(models.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=first))
    cases = [
        ("Join", second, {"instance_id": iid}, "InvalidInstanceId.AlreadyExists"),
        ("Join", "sg-bp1nosuchgroup00000", {"instance_id": iid}, "InvalidSecurityGroupId.NotFound"),
        ("Join", second, {"instance_id": "i-bp1nosuchinstance000"}, "InvalidInstanceId.NotFound"),
        ("Join", second, {"instance_id": iid, "network_interface_id": "eni-1"},
         "InvalidParam.EniIdAndInstanceId.Conflict"),
        ("Join", second, {"network_interface_id": "eni-1"}, "InvalidEniId.NotFound"),
        ("Join", second, {}, "InvalidParam.Malformed"),
        ("Join", create(client, vpc_id=put_vpc(engine)), {"instance_id": iid}, "InvalidInstanceId.Mismatch"),
        ("Leave", second, {"instance_id": iid}, "InstanceLastSecurityGroup"),
        ("Leave", create(client), {"instance_id": iid}, "InstanceNotInSecurityGroup"),
    ]
    for verb, group, kw, code in cases:
        err = error_of(membership, client, verb, group, **kw)
        assert err.code == code, (verb, kw)
        assert_exact(f"{verb}SecurityGroup", err)


def test_join_limits_and_statuses(client, engine):
    groups_ = [create(client) for _ in range(6)]
    (iid,) = run(client, security_group_id=groups_[0])
    for group in groups_[1:5]:
        membership(client, "Join", group, instance_id=iid)
    err = error_of(membership, client, "Join", groups_[5], instance_id=iid)
    assert err.code == "InstanceSecurityGroupLimitExceeded"
    assert_exact("JoinSecurityGroup", err)
    engine.lifecycle.delay("instance", seconds=5)
    (pending,) = run(client, security_group_id=groups_[0])
    err = error_of(membership, client, "Join", groups_[5], instance_id=pending)
    assert err.code == "Forbidden.InstanceIsBeingCreated"
    assert_exact("JoinSecurityGroup", err)
    err = error_of(membership, client, "Leave", groups_[0], instance_id=pending)
    assert err.code == "IncorrectInstanceStatus"
    assert_exact("LeaveSecurityGroup", err)


def test_security_group_resource_groups(client, engine):
    group = resource_groups.add(engine, name="net")
    inside, outside = create(client, resource_group_id=group), create(client)
    listed = groups(client, resource_group_id=group)["SecurityGroups"]["SecurityGroup"]
    assert [g["SecurityGroupId"] for g in listed] == [inside]
    default = groups(client, resource_group_id=resource_groups.default_id(DEFAULT_ACCOUNT))
    assert [g["SecurityGroupId"] for g in default["SecurityGroups"]["SecurityGroup"]] == [outside]
    err = error_of(create, client, resource_group_id="rg-nosuchgroup0000")
    assert (err.code, err.status_code) == ("InvalidResourceGroup.NotFound", 404)
    assert_exact("CreateSecurityGroup", err)

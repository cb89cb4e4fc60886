"""The answers of the key pair, security group and address operations carry every field the API metadata
documents, with its JSON type (the SDK models check the rest)."""
from __future__ import annotations

import json

import alibabacloud_ecs20140526.models as models
import pytest

from mockecs.ops import addresses, keypairs, security_groups
from mockecs.ops.registry import REGISTRY
from tests.spec import response_problems
from tests.test_addresses import running, stopped_instance
from tests.test_instances import LINUX, REGION
from tests.test_security_groups import put_vpc

# Fields the metadata documents that these answers leave out on purpose.
ABSENT = {
    # Only with IncludePublicKey=true (documented); the flow below lists once without it.
    "DescribeKeyPairs.KeyPairs.KeyPair[0].PublicKey", "DescribeKeyPairs.KeyPairs.KeyPair[1].PublicKey",
    # Service-managed groups only: mockecs has none.
    "DescribeSecurityGroups.SecurityGroups.SecurityGroup[0].ServiceID",
}


@pytest.fixture
def answers(client, engine):
    """One successful answer (JSON body) of each operation, from a small image-build-like flow."""
    bodies: dict[str, dict] = {}

    def keep(action, request):
        method = "".join("_" + c.lower() if c.isupper() else c for c in action).lstrip("_")
        body = getattr(client, method)(request).body
        bodies[action] = body.to_map()
        return body

    keep("CreateKeyPair", models.CreateKeyPairRequest(region_id=REGION, key_pair_name="answers"))
    public = client.describe_key_pairs(models.DescribeKeyPairsRequest(
        region_id=REGION, include_public_key=True)).body.key_pairs.key_pair[0].public_key
    keep("ImportKeyPair", models.ImportKeyPairRequest(region_id=REGION, key_pair_name="imported",
                                                      public_key_body=public))
    keep("DescribeKeyPairs", models.DescribeKeyPairsRequest(region_id=REGION))
    vpc = put_vpc(engine)
    group = keep("CreateSecurityGroup", models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc))
    group = group.security_group_id
    other = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc)).body
    keep("AuthorizeSecurityGroup", models.AuthorizeSecurityGroupRequest(
        region_id=REGION, security_group_id=group, ip_protocol="all", port_range="-1/-1", source_cidr_ip="0.0.0.0/0"))
    keep("AuthorizeSecurityGroupEgress", models.AuthorizeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=group, ip_protocol="tcp", port_range="1/2",
        dest_group_id=other.security_group_id))
    keep("DescribeSecurityGroupAttribute", models.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group))
    keep("DescribeSecurityGroups", models.DescribeSecurityGroupsRequest(region_id=REGION, security_group_id=group))
    keep("DescribeSecurityGroupReferences", models.DescribeSecurityGroupReferencesRequest(
        region_id=REGION, security_group_id=[other.security_group_id]))
    keep("ModifySecurityGroupRule", models.ModifySecurityGroupRuleRequest(
        region_id=REGION, security_group_id=group, ip_protocol="all", port_range="-1/-1", source_cidr_ip="0.0.0.0/0",
        description="changed in place"))
    keep("ModifySecurityGroupEgressRule", models.ModifySecurityGroupEgressRuleRequest(
        region_id=REGION, security_group_id=group, ip_protocol="tcp", port_range="1/2",
        dest_group_id=other.security_group_id, priority="2"))
    keep("ModifySecurityGroupAttribute", models.ModifySecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group, description="changed"))
    keep("ModifySecurityGroupPolicy", models.ModifySecurityGroupPolicyRequest(
        region_id=REGION, security_group_id=group, inner_access_policy="Drop"))
    keep("RevokeSecurityGroup", models.RevokeSecurityGroupRequest(
        region_id=REGION, security_group_id=group, ip_protocol="all", port_range="-1/-1", source_cidr_ip="0.0.0.0/0"))
    keep("RevokeSecurityGroupEgress", models.RevokeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=group, ip_protocol="tcp", port_range="1/2",
        dest_group_id=other.security_group_id))
    classic = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION)).body
    instance_id = client.create_instance(models.CreateInstanceRequest(
        region_id=REGION, image_id=LINUX, instance_type="ecs.g7.large", internet_max_bandwidth_out=5,
        security_group_id=classic.security_group_id)).body.instance_id
    second = client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION)).body
    keep("JoinSecurityGroup", models.JoinSecurityGroupRequest(security_group_id=second.security_group_id,
                                                              instance_id=instance_id))
    keep("LeaveSecurityGroup", models.LeaveSecurityGroupRequest(security_group_id=second.security_group_id,
                                                                instance_id=instance_id))
    keep("AttachKeyPair", models.AttachKeyPairRequest(region_id=REGION, key_pair_name="answers",
                                                      instance_ids=json.dumps([instance_id])))
    keep("DetachKeyPair", models.DetachKeyPairRequest(region_id=REGION, key_pair_name="answers",
                                                      instance_ids=json.dumps([instance_id])))
    keep("DeleteKeyPairs", models.DeleteKeyPairsRequest(region_id=REGION, key_pair_names='["answers"]'))
    eip = keep("AllocateEipAddress", models.AllocateEipAddressRequest(region_id=REGION))
    in_vpc = stopped_instance(client)  # EIPs bind VPC instances only
    keep("AssociateEipAddress", models.AssociateEipAddressRequest(region_id=REGION, allocation_id=eip.allocation_id,
                                                                  instance_id=in_vpc))
    keep("ModifyEipAddressAttribute", models.ModifyEipAddressAttributeRequest(
        region_id=REGION, allocation_id=eip.allocation_id, bandwidth="10"))
    keep("DescribeEipAddresses", models.DescribeEipAddressesRequest(region_id=REGION))
    keep("UnassociateEipAddress", models.UnassociateEipAddressRequest(
        region_id=REGION, allocation_id=eip.allocation_id, instance_id=in_vpc))
    keep("ReleaseEipAddress", models.ReleaseEipAddressRequest(region_id=REGION, allocation_id=eip.allocation_id))
    keep("AllocatePublicIpAddress", models.AllocatePublicIpAddressRequest(instance_id=instance_id))
    with_ip = running(client, internet_max_bandwidth_out=5)
    [address] = client.describe_instance_attribute(models.DescribeInstanceAttributeRequest(
        instance_id=instance_id)).body.public_ip_address.ip_address
    keep("ReleasePublicIpAddress", models.ReleasePublicIpAddressRequest(
        region_id=REGION, instance_id=instance_id, public_ip_address=address))
    keep("ConvertNatPublicIpToEip", models.ConvertNatPublicIpToEipRequest(region_id=REGION, instance_id=with_ip))
    client.delete_instance(models.DeleteInstanceRequest(instance_id=instance_id, force=True))
    keep("DeleteSecurityGroup", models.DeleteSecurityGroupRequest(region_id=REGION,
                                                                  security_group_id=second.security_group_id))
    return bodies


def test_every_access_operation_answers_the_documented_fields(answers):
    ours = {action for action, op in REGISTRY.items()
            if op.handler.__module__ in (keypairs.__name__, security_groups.__name__, addresses.__name__)}
    assert ours == set(answers), ours ^ set(answers)
    problems = [p for action, body in sorted(answers.items()) for p in response_problems(action, body)
                if p.split(":")[0] not in ABSENT]
    assert problems == []

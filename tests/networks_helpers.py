"""Helpers for tests of networks and of instances placed in them (no test here)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Optional

import alibabacloud_ecs20140526.models as models
from aliyunsdkecs.request.v20140526 import CreateVpcRequest, CreateVSwitchRequest

from mockecs.world import resources
from tests.spec import metadata

REGION = "cn-hangzhou"


def new_vpc(client, cidr_block=None, region=REGION, **kw) -> str:
    return client.create_vpc(models.CreateVpcRequest(region_id=region, cidr_block=cidr_block, **kw)).body.vpc_id


def new_vswitch(client, vpc_id: str, cidr_block: str = "172.16.0.0/24", zone_id: str = "cn-hangzhou-i",
                region=REGION, **kw) -> str:
    return client.create_vswitch(models.CreateVSwitchRequest(
        region_id=region, vpc_id=vpc_id, zone_id=zone_id, cidr_block=cidr_block, **kw)).body.v_switch_id


def old_sdk_network(acs, region: str = REGION) -> tuple[str, str]:
    """A VPC (172.16.0.0/12) and a vSwitch (172.16.0.0/24, zone ``<region>-h``) made through the old SDK's
    AcsClient ``acs``: what third-party libraries built on it (footmark, Libcloud users) start from."""
    request = CreateVpcRequest.CreateVpcRequest()
    request.set_CidrBlock("172.16.0.0/12")
    vpc = json.loads(acs.do_action_with_exception(request))["VpcId"]
    request = CreateVSwitchRequest.CreateVSwitchRequest()
    request.set_VpcId(vpc)
    request.set_CidrBlock("172.16.0.0/24")
    request.set_ZoneId(f"{region}-h")
    return vpc, json.loads(acs.do_action_with_exception(request))["VSwitchId"]


def vpcs(client, region=REGION, **kw) -> dict:
    return client.describe_vpcs(models.DescribeVpcsRequest(region_id=region, **kw)).body.to_map()


def vswitches(client, region=REGION, **kw) -> dict:
    return client.describe_vswitches(models.DescribeVSwitchesRequest(region_id=region, **kw)).body.to_map()


def one_vswitch(client, vswitch_id: str, region=REGION) -> dict:
    items = vswitches(client, region, v_switch_id=vswitch_id)["VSwitches"]["VSwitch"]
    assert len(items) == 1
    return items[0]


def put_security_group(engine, owner: str, vpc_id: str = "", region: str = REGION) -> str:
    """A security group record as CreateSecurityGroup leaves it (the parts launches read), with the
    ("vpc", VpcId) index term DeleteVpc looks for."""
    group_id = "sg-" + resources.new_id("instance", region)[2:]
    record = {"SecurityGroupId": group_id, "VpcId": vpc_id, "SecurityGroupName": "", "Description": "",
              "_owner": owner, "_region": region}
    with engine.store.transaction() as txn:
        terms = [("owner", owner), resources.owner_region(owner, region)] + ([("vpc", vpc_id)] if vpc_id else [])
        txn.put("security_group", group_id, record, terms)
    return group_id


def xml_call(legacy, request) -> tuple[int, ET.Element]:
    """The old SDK asking for ``Format=XML`` (``do_action_with_exception`` would force JSON)."""
    request.set_accept_format("XML")
    status, _, body, _ = legacy._implementation_of_do_action(request)
    return status, ET.fromstring(body)


def documented(action: str, err, code: str, status: Optional[int] = None) -> None:
    """The error is ``code`` with a status and message the metadata documents for ``action`` (``status``
    picks one where the code is documented with several)."""
    pairs = [(int(status), e["errorMessage"]) for status, errors in
             (metadata()["apis"][action].get("errorCodes") or {}).items() for e in errors if e["errorCode"] == code]
    assert pairs, f"{code} is not documented for {action}"
    assert (err.code, err.status_code, err.data.get("Message")) in [(code, s, m) for s, m in pairs
                                                                    if status in (None, s)]

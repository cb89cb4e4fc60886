"""Terraform's ``alicloud_vpc_dhcp_options_set``, ``alicloud_vpc_dhcp_options_set_attachment`` and the
``alicloud_vpc_dhcp_options_sets`` data source through the VPC product's API, replayed call for call from the
provider's source (``alicloud/resource_alicloud_vpc_dhcp_options_set.go``,
``resource_alicloud_vpc_dhcp_options_set_attachment.go``, ``data_source_alicloud_vpc_dhcp_options_sets.go``,
``service_alicloud_vpc.go``, ``service_alicloud_vpc_v2.go``) through ``mockecs server`` as a plain HTTP proxy, with
the provider's own reading of each answer:

- ``VpcServiceV2.DescribeVpcDhcpOptionsSet``: GetDhcpOptionsSet (the id in the query); an answer without ``Status``
  is "gone". ``VpcDhcpOptionsSetStateRefreshFunc``: ``fmt.Sprint(Status)``; create, update and each attach or
  detach of ``associate_vpcs`` wait (no pending list) for ``Available`` or ``InUse``; the delete until gone.
- The attachment (id ``<vpc>:<set>``): ``VpcService.DescribeVpcDhcpOptionsSet`` (an answer without
  ``DhcpOptionsSetId`` is gone) and the ``AssociateStatus`` of the VPC among ``AssociateVpcs``; the create waits
  with pending ``Pending`` for ``InUse`` (any other status, "" too, fails the apply). The delete's wait asks
  GetDhcpOptionsSet for the attachment's own id (``<vpc>:<set>``, a provider slip): gone at once.
- Retried codes: CreateDhcpOptionsSet on ``IncorrectStatus.Vpc`` (and others); DeleteDhcpOptionsSet on
  ``IncorrectStatus.DhcpOptionsSet`` and ``DependencyViolation.VpcAttachment``; DetachDhcpOptionsSetFromVpc on
  ``IncorrectStatus.DhcpOptionsSet``; ``InvalidDhcpOptionsSetId.NotFound`` of either delete means gone.
"""
from __future__ import annotations

import itertools
import re
from typing import Any, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_flow import REGION, Gone, _calls, _go_sprint, _tag_params, _transitions
from tests.test_terraform_nat import list_tags, set_tags
from tests.test_terraform_vpc import VpcProvider, delete, vpc_create, vpc_delete

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset
DELETE_RETRIES = ("IncorrectStatus.DhcpOptionsSet", "DependencyViolation.VpcAttachment",
                  "OperationFailed.LastTokenProcessing", "LastTokenProcessing", "OperationConflict", "IncorrectStatus")
GONE = ("InvalidDhcpOptionsSetId.NotFound",)
TOKENS = itertools.count()  # buildClientToken: a new token for each request


# -- alicloud_vpc_dhcp_options_set ---------------------------------------------------------------------------------
def describe_set(p: VpcProvider, set_id: str) -> dict:
    """VpcServiceV2.DescribeVpcDhcpOptionsSet: the id and RegionId in the query."""
    answer = p.rpc_post("GetDhcpOptionsSet", {"DhcpOptionsSetId": set_id, "RegionId": p.region}, {})
    if answer.get("Status") is None:
        raise Gone(set_id)
    return answer


def set_state(p: VpcProvider, set_id: str) -> str:
    try:
        return _go_sprint(describe_set(p, set_id)["Status"])
    except Gone:
        return ""


def wait_set(p: VpcProvider, set_id: str, seen: Optional[list] = None) -> None:
    """BuildStateConf([], ["Available", "InUse"]): any other status is polled again."""
    for _ in range(50):
        state = set_state(p, set_id)
        if seen is not None:
            seen.append(state)
        if state in ("Available", "InUse"):
            return
    pytest.fail(f"{set_id} never became Available")


OPTIONS = (("domain_name_servers", "DomainNameServers"), ("dhcp_options_set_name", "DhcpOptionsSetName"),
           ("dhcp_options_set_description", "DhcpOptionsSetDescription"), ("domain_name", "DomainName"),
           ("lease_time", "LeaseTime"), ("ipv6_lease_time", "Ipv6LeaseTime"))


def set_create(p: VpcProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    """CreateDhcpOptionsSet (GetOk values; tags sent as ``Tags``, a name the action does not read), the wait, then
    Update as for a new resource (associate_vpcs, tags) and Read."""
    body: dict[str, Any] = {"ClientToken": f"CreateDhcpOptionsSet-{next(TOKENS)}",
                            "ResourceGroupId": config.get("resource_group_id"),
                            **{param: config.get(field) for field, param in OPTIONS},
                            **_tag_params(config.get("tags", {}), "Tags")}
    for _ in range(5):
        try:
            set_id = p.post("CreateDhcpOptionsSet", body)["DhcpOptionsSetId"]
            break
        except ServerException as err:
            assert err.get_error_code() in ("IncorrectStatus.Vpc", "OperationConflict", "IncorrectStatus"), err
    else:
        pytest.fail("CreateDhcpOptionsSet never succeeded")
    wait_set(p, set_id, seen)
    set_update(p, set_id, {}, config, new_resource=True)
    return set_id


def set_read(p: VpcProvider, set_id: str) -> Optional[dict]:
    try:
        raw = describe_set(p, set_id)
    except Gone:
        return None
    options = raw.get("DhcpOptions") or {}
    return {"dhcp_options_set_description": raw["DhcpOptionsSetDescription"],
            "dhcp_options_set_name": raw["DhcpOptionsSetName"], "owner_id": raw["OwnerId"],
            "resource_group_id": raw["ResourceGroupId"], "status": raw["Status"],
            "domain_name": options.get("DomainName"), "domain_name_servers": options.get("DomainNameServers"),
            "ipv6_lease_time": options.get("Ipv6LeaseTime"), "lease_time": options.get("LeaseTime"),
            "associate_vpcs": sorted((a["VpcId"], a["AssociateStatus"]) for a in raw.get("AssociateVpcs") or []),
            "tags": {t["Key"]: t["Value"] for t in raw.get("Tags") or []}}


def set_update(p: VpcProvider, set_id: str, old: dict, new: dict, new_resource: bool = False) -> None:
    """UpdateDhcpOptionsSetAttribute with what changed (not for a new resource) and the wait; MoveResourceGroup;
    the associate_vpcs removed (Detach) then added (Attach), each with the wait; tags."""
    body: dict[str, Any] = {"ClientToken": f"UpdateDhcpOptionsSetAttribute-{next(TOKENS)}"}
    for field, param in OPTIONS:
        if not new_resource and new.get(field) != old.get(field):
            body[param] = new.get(field)
    if len(body) > 1:
        p.rpc_post("UpdateDhcpOptionsSetAttribute", {"DhcpOptionsSetId": set_id}, {"RegionId": p.region, **body})
        wait_set(p, set_id)
    group = new.get("resource_group_id")
    if group and not new_resource and group != old.get("resource_group_id"):
        p.rpc_post("MoveResourceGroup", {"ResourceId": set_id}, {"RegionId": p.region, "NewResourceGroupId": group,
                                                                 "ResourceType": "DhcpOptionsSet"})
    before, after = set(old.get("associate_vpcs", ())), set(new.get("associate_vpcs", ()))
    for action, vpcs in (("DetachDhcpOptionsSetFromVpc", before - after),
                         ("AttachDhcpOptionsSetToVpc", after - before)):
        for vpc_id in sorted(vpcs):
            p.rpc_post(action, {"DhcpOptionsSetId": set_id}, {"RegionId": p.region, "VpcId": vpc_id,
                                                              "ClientToken": f"{action}-{next(TOKENS)}"})
            wait_set(p, set_id)
    if new.get("tags", {}) != old.get("tags", {}):
        set_tags(p, set_id, "DhcpOptionsSet", old.get("tags", {}), new.get("tags", {}))


def set_delete(p: VpcProvider, set_id: str) -> list[str]:
    refused = delete(p, "DeleteDhcpOptionsSet", {"DhcpOptionsSetId": set_id}, DELETE_RETRIES, GONE)
    assert set_state(p, set_id) == ""  # BuildStateConf([], []): until gone
    return refused


# -- alicloud_vpc_dhcp_options_set_attachment -------------------------------------------------------------------
def attachment_status(p: VpcProvider, attachment_id: str) -> str:
    """DescribeVpcDhcpOptionsSetAttachmentStateRefreshFunc: the VPC's AssociateStatus ("" when not listed)."""
    vpc_id, set_id = attachment_id.split(":")
    answer = p.post("GetDhcpOptionsSet", {"DhcpOptionsSetId": set_id})
    if "DhcpOptionsSetId" not in answer:
        return ""
    return next((a["AssociateStatus"] for a in answer["AssociateVpcs"] if a["VpcId"] == vpc_id), "")


def attachment_create(p: VpcProvider, set_id: str, vpc_id: str, seen: Optional[list] = None) -> str:
    p.post("AttachDhcpOptionsSetToVpc", {"DhcpOptionsSetId": set_id, "VpcId": vpc_id,
                                         "ClientToken": f"AttachDhcpOptionsSetToVpc-{next(TOKENS)}"})
    attachment_id = f"{vpc_id}:{set_id}"
    for _ in range(50):  # BuildStateConf(["Pending"], ["InUse"])
        state = attachment_status(p, attachment_id)
        if seen is not None:
            seen.append(state)
        if state == "InUse":
            return attachment_id
        assert state == "Pending", f"unexpected state {state!r}, wanted target 'InUse'"
    pytest.fail(f"{attachment_id} never became InUse")


def attachment_delete(p: VpcProvider, attachment_id: str) -> list[str]:
    vpc_id, set_id = attachment_id.split(":")
    refused = delete(p, "DetachDhcpOptionsSetFromVpc", {"DhcpOptionsSetId": set_id, "VpcId": vpc_id},
                     ("IncorrectStatus.DhcpOptionsSet",), GONE)
    # The wait: VpcService.VpcDhcpOptionsSetStateRefreshFunc(d.Id()) with the attachment's id: "gone" at once.
    assert "Status" not in p.post("GetDhcpOptionsSet", {"DhcpOptionsSetId": attachment_id})
    return refused


# -- the data source ------------------------------------------------------------------------------------------------
def data_source(p: VpcProvider, name_regex: str = "", status: str = "", **filters: str) -> list[dict]:
    """ListDhcpOptionsSets with MaxResults 50, pages while NextToken is not empty; name_regex, ids, status here."""
    body: dict[str, Any] = {"MaxResults": 50, **filters}
    rows: list[dict] = []
    for _ in range(20):
        answer = p.post("ListDhcpOptionsSets", body)
        rows += [r for r in answer["DhcpOptionsSets"] if re.search(name_regex, r["DhcpOptionsSetName"])
                 and (not status or r["Status"] == status)]
        if not answer.get("NextToken"):
            return [{"id": r["DhcpOptionsSetId"], "dhcp_options_set_name": r["DhcpOptionsSetName"],
                     "domain_name": r["DhcpOptions"]["DomainName"],
                     "domain_name_servers": r["DhcpOptions"]["DomainNameServers"], "owner_id": str(r["OwnerId"]),
                     "status": r["Status"], "associate_vpc_count": int(r["AssociateVpcCount"])} for r in rows]
        body["NextToken"] = answer["NextToken"]
    pytest.fail("ListDhcpOptionsSets never ended")


# -- plans ----------------------------------------------------------------------------------------------------------
def test_dhcp_options_set_attachment_apply_update_refresh_destroy(proxy):
    """The provider's example: a VPC, a set with tags, its attachment; an update in place; a refresh; the data
    source; then destroy in the graph's order (the attachment, the set, the VPC)."""
    p = VpcProvider(REGION)
    vpc_id = vpc_create(p, {"vpc_name": "tf-dhcp-vpc", "cidr_block": "172.16.0.0/16"})
    config = {"dhcp_options_set_name": "tf-dhcp", "dhcp_options_set_description": "made by terraform",
              "domain_name": "example.com", "domain_name_servers": "100.100.2.136", "tags": {"env": "test"}}
    seen: list = []
    set_id = set_create(p, config, seen)
    assert set_id.startswith("dopt-bp1") and seen == ["Available"]
    state = set_read(p, set_id)
    assert {k: state[k] for k in config} == config  # no diff on the next plan
    assert (state["status"], state["lease_time"], state["ipv6_lease_time"], state["associate_vpcs"]) == (
        "Available", "87600h", "87600h", [])
    assert isinstance(state["owner_id"], int) and state["resource_group_id"].startswith("rg-")
    assert list_tags(p, set_id, "DhcpOptionsSet") == {"env": "test"}

    attachment = attachment_create(p, set_id, vpc_id)
    assert attachment_status(p, attachment) == "InUse"
    state = set_read(p, set_id)
    assert (state["status"], state["associate_vpcs"]) == ("InUse", [(vpc_id, "InUse")])
    vpc = p.post("DescribeVpcAttribute", {"VpcId": vpc_id})
    assert (vpc["DhcpOptionsSetId"], vpc["DhcpOptionsSetStatus"]) == (set_id, "InUse")
    assert [v["VpcId"] for v in p.post("DescribeVpcs", {"DhcpOptionsSetId": set_id})["Vpcs"]["Vpc"]] == [vpc_id]

    new_config = {**config, "dhcp_options_set_name": "tf-dhcp-2", "domain_name_servers": "100.100.2.138",
                  "lease_time": "24h", "ipv6_lease_time": "48h", "tags": {"env": "prod"}}
    set_update(p, set_id, config, new_config)
    state = set_read(p, set_id)
    assert {k: state[k] for k in new_config} == new_config
    assert set_read(p, set_id) == state  # terraform refresh

    assert data_source(p, name_regex="^tf-dhcp") == [
        {"id": set_id, "dhcp_options_set_name": "tf-dhcp-2", "domain_name": "example.com",
         "domain_name_servers": "100.100.2.138", "owner_id": str(state["owner_id"]), "status": "InUse",
         "associate_vpc_count": 1}]
    assert data_source(p, status="Available") == []
    assert [r["id"] for r in data_source(p, DhcpOptionsSetName="tf-dhcp-2", DomainName="example.com")] == [set_id]

    # terraform destroy: the attachment, then (in parallel where the graph lets it) the set and the VPC
    assert attachment_delete(p, attachment) == []
    assert set_delete(p, set_id) == [] and set_read(p, set_id) is None
    assert vpc_delete(p, vpc_id) == []
    made = [c["action"] for c in _calls(proxy) if "DhcpOptionsSet" in c["action"]]
    assert made.count("GetDhcpOptionsSet") > 5
    assert [a for a in made if a != "GetDhcpOptionsSet" and a != "ListDhcpOptionsSets"] == [
        "CreateDhcpOptionsSet", "AttachDhcpOptionsSetToVpc", "UpdateDhcpOptionsSetAttribute",
        "DetachDhcpOptionsSetFromVpc", "DeleteDhcpOptionsSet"]


def test_waits_see_pending_and_delete_retries_while_detaching(proxy):
    """With the set and its association taking a few reads: the create wait polls Pending until Available, the
    attachment's wait Pending until InUse; the set's delete, run while the detach is still under way, is refused
    with IncorrectStatus.DhcpOptionsSet and retried; associate_vpcs (deprecated) attaches through the set itself."""
    _transitions(proxy, delays={"dhcp_options_set": {"observations": 2}, "vpc_dhcp_options_set": {"observations": 3}})
    p = VpcProvider(REGION)
    vpc_id = vpc_create(p, {"vpc_name": "tf-dhcp-vpc", "cidr_block": "172.16.0.0/16"})
    seen: list = []
    set_id = set_create(p, {"domain_name_servers": "100.100.2.136"}, seen)
    assert seen == ["Pending", "Available"]
    attach_seen: list = []
    attachment = attachment_create(p, set_id, vpc_id, attach_seen)
    assert attach_seen == ["Pending", "Pending", "InUse"]

    # Detach and destroy of the set in parallel: the delete meets the VPC still leaving, then goes.
    vpc_id_, _ = attachment.split(":")
    p.post("DetachDhcpOptionsSetFromVpc", {"DhcpOptionsSetId": set_id, "VpcId": vpc_id_, "ClientToken": "d-1"})
    p.pending_deletes = [lambda: [attachment_status(p, attachment) for _ in range(3)]]
    assert set_delete(p, set_id) == ["IncorrectStatus.DhcpOptionsSet"]

    # associate_vpcs: Attach from the set's own update, waited on the set's status
    other = set_create(p, {"dhcp_options_set_name": "tf-old-style", "associate_vpcs": [vpc_id]})
    assert set_read(p, other)["associate_vpcs"] == [(vpc_id, "Pending")]
    for _ in range(3):
        attachment_status(p, f"{vpc_id}:{other}")
    assert set_read(p, other)["associate_vpcs"] == [(vpc_id, "InUse")]
    with pytest.raises(ServerException) as refused:
        p.post("DeleteDhcpOptionsSet", {"DhcpOptionsSetId": other, "ClientToken": "DeleteDhcpOptionsSet-in-use"})
    assert (refused.value.get_error_code(), refused.value.get_http_status()) == ("DependencyViolation.VpcAttachment",
                                                                                  400)
    assert vpc_delete(p, vpc_id) == []  # (the VPC takes its association along)
    assert set_delete(p, other) == []


def test_gone_out_of_band(proxy):
    """A set deleted outside Terraform: the refresh finds no Status (gone); the delete's NotFound is done."""
    p = VpcProvider(REGION)
    set_id = set_create(p, {"dhcp_options_set_name": "tf-gone"})
    p.post("DeleteDhcpOptionsSet", {"DhcpOptionsSetId": set_id})
    assert set_read(p, set_id) is None
    assert set_delete(p, set_id) == []
    assert attachment_status(p, f"vpc-x:{set_id}") == ""

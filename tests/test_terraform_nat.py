"""Terraform's ``alicloud_nat_gateway``, ``alicloud_eip_association`` (with a gateway), ``alicloud_snat_entry`` and
``alicloud_forward_entry`` through the VPC product's API, replayed call for call from the provider's source
(``alicloud/resource_alicloud_nat_gateway.go``, ``resource_alicloud_snat_entry.go``,
``resource_alicloud_forward_entry.go``, ``resource_alicloud_eip_association.go``, ``service_alicloud_vpc.go``,
``service_alicloud_nat_gateway_v2.go``, ``service_alicloud_eip_v2.go``) through ``mockecs server`` as a plain HTTP
proxy, with the provider's own reading of each answer:

- ``DescribeNatGateway``: DescribeNatGateways with NatGatewayId; no gateway in the list (or another one) is
  "gone". ``NatGatewayStateRefreshFunc``: its Status; create and update wait for ``Available``, delete until gone.
  The read also lists the gateway's tags (ListTagResources, ResourceType NATGATEWAY, asked again while the answer
  has a NextToken) and reads ``NatGatewayPrivateInfo.VswitchId`` (a type assertion: it must be an object).
- ``DescribeNATGatewaySnatEntry`` / ``DescribeNatGatewayForwardEntry``: the entry listings with the table and entry
  ids from the resource id ``<table>:<entry>``; an empty list is "gone"; waits on ``Status`` for ``Available``,
  deletes until gone.
- ``DescribeEipAssociation``: DescribeEipAddresses by AllocationId (query); the item whose InstanceId is the
  gateway's; the destroy waits until there is none.
- Retried codes: DeleteNatGateway on DependencyViolation.EIPS (among others); UnassociateEipAddress on
  InvalidIpStatus.HasBeenUsedBySnatTable / ...ByForwardEntry; CreateSnatEntry on IncorrectStatus.NATGW; DeleteVpc
  and DeleteVSwitch as tests/test_terraform_vpc.py has them (DependencyViolation.* of the VPC's NAT gateway is not
  among DeleteVpc's: the graph deletes the gateway first).
"""
from __future__ import annotations

from typing import Any, Optional

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests import test_build_flow
from tests.test_server import clean, server  # noqa: F401  (fixtures: a server process, reset)
from tests.test_terraform_eip_flow import Vpc, association_read, eip_delete
from tests.test_terraform_flow import REGION, Gone, Provider, _calls, _go_sprint, _tag_params, _transitions
from tests.test_terraform_vpc import (
    VpcProvider,
    delete,
    vpc_create,
    vpc_delete,
    vswitch_create,
    vswitch_delete,
    yield_to_other_resources,
)

proxy = test_build_flow.proxy  # fixture: the server as HTTP_PROXY, reset


class NatProvider(VpcProvider, Vpc):
    """The provider's calls to the VPC product, with the EIP helpers of tests/test_terraform_eip_flow.py."""


# -- alicloud_nat_gateway ------------------------------------------------------------------------------------------
def describe_nat_gateway(p: NatProvider, gateway_id: str) -> dict:
    found = p.read_or_gone("DescribeNatGateways", gateway_id, {"NatGatewayId": gateway_id})["NatGateways"]["NatGateway"]
    if not found or found[0]["NatGatewayId"] != gateway_id:
        raise Gone(gateway_id)
    return found[0]


def nat_state(p: NatProvider, gateway_id: str) -> Optional[str]:
    try:
        return describe_nat_gateway(p, gateway_id)["Status"]
    except Gone:
        return None


def wait_nat(p: NatProvider, gateway_id: str, seen: Optional[list] = None) -> None:
    for _ in range(50):
        state = nat_state(p, gateway_id)
        if seen is not None:
            seen.append(state)
        if state == "Available":
            return
    pytest.fail(f"{gateway_id} never became Available")


def set_tags(p: NatProvider, resource_id: str, resource_type: str, old: dict, new: dict) -> None:
    """VpcServiceV2.SetResourceTags: UnTagResources of removed keys, then TagResources of added/changed ones."""
    removed = [k for k in old if k not in new]
    added = {k: v for k, v in new.items() if old.get(k) != v}
    if removed:
        p.post("UnTagResources", {"ResourceId.1": resource_id, "ResourceType": resource_type,
                                  **{f"TagKey.{n}": k for n, k in enumerate(removed, 1)}})
    if added:
        p.post("TagResources", {"ResourceId.1": resource_id, "ResourceType": resource_type, **_tag_params(added)})


def list_tags(p: NatProvider, resource_id: str, resource_type: str) -> dict[str, str]:
    """VpcService.ListTagResources: pages until an answer has no NextToken (an empty one is sent as none)."""
    body: dict[str, Any] = {"ResourceType": resource_type, "ResourceId.1": resource_id}
    rows: list[dict] = []
    for _ in range(10):
        answer = p.post("ListTagResources", body)
        rows += answer["TagResources"]["TagResource"]
        if answer.get("NextToken") is None:
            return {r["TagKey"]: r["TagValue"] for r in rows}
        body["NextToken"] = answer["NextToken"]
    pytest.fail("ListTagResources never ended (a NextToken on every page)")


def nat_create(p: NatProvider, config: dict[str, Any], seen: Optional[list] = None) -> str:
    """resourceAliCloudNatGatewayCreate: CreateNatGateway (the form body; NatType sent as configured, "" left out),
    the wait, then Update (a new resource: tags, deletion protection) and Read."""
    body = {"Description": config.get("description"), "InternetChargeType": config.get("internet_charge_type"),
            "Name": config.get("nat_gateway_name"), "NatType": config.get("nat_type", ""),
            "InstanceChargeType": {"PayAsYouGo": "PostPaid"}.get(config.get("payment_type", ""), ""),
            "Spec": config.get("specification"), "VSwitchId": config.get("vswitch_id"),
            "NetworkType": config.get("network_type"), "VpcId": config["vpc_id"],
            "EipBindMode": config.get("eip_bind_mode"), "ClientToken": f"CreateNatGateway-{config['vpc_id']}"}
    gateway_id = p.post("CreateNatGateway", body)["NatGatewayId"]
    wait_nat(p, gateway_id, seen)
    nat_update(p, gateway_id, {}, config, new_resource=True)
    return gateway_id


def nat_read(p: NatProvider, gateway_id: str) -> Optional[dict]:
    try:
        raw = describe_nat_gateway(p, gateway_id)
    except Gone:
        return None
    payment = {"PostPaid": "PayAsYouGo", "PrePaid": "Subscription"}.get(raw["InstanceChargeType"])
    return {"description": raw["Description"],
            "forward_table_ids": ",".join(raw["ForwardTableIds"]["ForwardTableId"]),
            "snat_table_ids": ",".join(raw["SnatTableIds"]["SnatTableId"]),
            "internet_charge_type": raw["InternetChargeType"], "nat_gateway_name": raw["Name"],
            "nat_type": raw["NatType"], "payment_type": payment, "network_type": raw.get("NetworkType"),
            "eip_bind_mode": raw.get("EipBindMode"), "specification": raw["Spec"], "status": raw["Status"],
            "vswitch_id": raw["NatGatewayPrivateInfo"]["VswitchId"], "vpc_id": raw["VpcId"],
            "tags": list_tags(p, gateway_id, "NATGATEWAY"), "deletion_protection": raw["DeletionProtection"],
            "icmp_reply_enabled": raw.get("IcmpReplyEnabled")}


def nat_update(p: NatProvider, gateway_id: str, old: dict, new: dict, new_resource: bool = False) -> None:
    """resourceAliCloudNatGatewayUpdate: tags; DeletionProtection (Type NATGW) when it changed; then, not for a new
    resource, ModifyNatGatewayAttribute with what changed and the wait."""
    if new.get("tags", {}) != old.get("tags", {}):
        set_tags(p, gateway_id, "NATGATEWAY", old.get("tags", {}), new.get("tags", {}))
    if new.get("deletion_protection") != old.get("deletion_protection") and "deletion_protection" in new:
        p.post("DeletionProtection", {"InstanceId": gateway_id, "ProtectionEnable": new["deletion_protection"],
                                      "Type": "NATGW", "ClientToken": "DeletionProtection-tf"})
    body = {"NatGatewayId": gateway_id}
    for field, param in (("description", "Description"), ("nat_gateway_name", "Name"),
                         ("eip_bind_mode", "EipBindMode")):
        if not new_resource and new.get(field) != old.get(field):
            body[param] = new.get(field)
    if len(body) > 1:
        p.post("ModifyNatGatewayAttribute", body)
        wait_nat(p, gateway_id)


def nat_delete(p: NatProvider, gateway_id: str, force: Optional[bool] = None) -> list[str]:
    refused = delete(p, "DeleteNatGateway", {"NatGatewayId": gateway_id, "Force": force},
                     ("DependencyViolation.BandwidthPackages", "DependencyViolation.EIPS", "OperationConflict"),
                     ("INSTANCE_NOT_EXISTS", "IncorrectStatus.NatGateway", "InvalidNatGatewayId.NotFound",
                      "InvalidRegionId.NotFound"), token=False)
    assert nat_state(p, gateway_id) is None  # BuildStateConf([], []): until gone
    return refused


def eip_create(p: NatProvider, name: str) -> str:
    """alicloud_eip_address (tests/test_terraform_eip_flow.py), with a ClientToken of its own per address (the
    provider's buildClientToken)."""
    allocation_id = p.rpc_post("AllocateEipAddress", {"InstanceId": ""}, {
        "RegionId": p.region, "ClientToken": f"AllocateEipAddress-{name}", "Bandwidth": "5", "Name": name,
        "InstanceChargeType": "PostPaid", "InternetChargeType": "PayByTraffic"})["AllocationId"]
    p.wait_eip(allocation_id)
    return allocation_id


# -- alicloud_eip_association with the gateway -------------------------------------------------------------------
def association_create(p: NatProvider, allocation_id: str, gateway_id: str) -> str:
    """InstanceType Nat: the provider sets it for an instance id starting with ngw-."""
    p.rpc_post("AssociateEipAddress", {"InstanceId": gateway_id, "AllocationId": allocation_id},
               {"RegionId": p.region, "ClientToken": f"AssociateEipAddress-{allocation_id}", "InstanceType": "Nat"})
    return f"{allocation_id}:{gateway_id}"


def association_delete(p: NatProvider, association_id: str) -> list[str]:
    allocation_id, gateway_id = association_id.split(":")
    refused: list[str] = []
    for attempt in range(5):
        try:
            p.rpc_post("UnassociateEipAddress", {"AllocationId": allocation_id, "InstanceId": gateway_id},
                       {"RegionId": p.region, "ClientToken": f"UnassociateEipAddress-{allocation_id}-{attempt}",
                        "InstanceType": "Nat"})
            break
        except ServerException as err:
            assert err.get_error_code() in ("InvalidIpStatus.HasBeenUsedBySnatTable",
                                            "InvalidIpStatus.HasBeenUsedByForwardEntry", "IncorrectEipStatus"), err
            refused.append(err.get_error_code())
            yield_to_other_resources(p)
    assert association_read(p, association_id) is None  # the wait: until the association is not found
    return refused


# -- alicloud_snat_entry / alicloud_forward_entry -----------------------------------------------------------------
def describe_entry(p: NatProvider, entry: str, resource_id: str) -> dict:
    table, entry_id = resource_id.split(":")
    action, table_param, id_param, field = {
        "snat": ("DescribeSnatTableEntries", "SnatTableId", "SnatEntryId", "SnatTableEntries"),
        "forward": ("DescribeForwardTableEntries", "ForwardTableId", "ForwardEntryId", "ForwardTableEntries")}[entry]
    try:
        answer = p.post(action, {id_param: entry_id, table_param: table})
    except ServerException as err:
        if entry == "snat" and err.get_error_code() in ("InvalidSnatTableId.NotFound", "InvalidSnatEntryId.NotFound"):
            raise Gone(resource_id) from err
        raise  # (DescribeNatGatewayForwardEntry has no not-found code of its own)
    rows = answer[field][field[:-3] + "y"]  # (SnatTableEntries.SnatTableEntry, ForwardTableEntries...)
    if not rows:
        raise Gone(resource_id)
    return rows[0]


def entry_state(p: NatProvider, entry: str, resource_id: str) -> str:
    try:
        return _go_sprint(describe_entry(p, entry, resource_id)["Status"])
    except Gone:
        return ""


def wait_entry(p: NatProvider, entry: str, resource_id: str, target: str = "Available") -> None:
    for _ in range(50):
        if entry_state(p, entry, resource_id) == target:
            return
    pytest.fail(f"{resource_id} never reached {target!r}")


def snat_create(p: NatProvider, config: dict[str, Any]) -> str:
    body = {"SnatTableId": config["snat_table_id"], "SnatIp": config["snat_ip"], "ClientToken": "CreateSnatEntry-tf",
            "SourceVSwitchId": config.get("source_vswitch_id"), "SnatEntryName": config.get("snat_entry_name"),
            "SourceCIDR": config.get("source_cidr")}
    for _ in range(5):
        try:
            entry_id = p.post("CreateSnatEntry", body)["SnatEntryId"]
            break
        except ServerException as err:  # (retried: EIP_NOT_IN_GATEWAY, IncorrectStatus.NATGW, ...)
            assert err.get_error_code() in ("EIP_NOT_IN_GATEWAY", "OperationUnsupported.EipNatBWPCheck",
                                            "OperationUnsupported.EipInBinding", "InternalError",
                                            "IncorrectStatus.NATGW", "OperationConflict",
                                            "OperationUnsupported.EipNatGWCheck"), err
    else:
        pytest.fail("CreateSnatEntry never succeeded")
    resource_id = f"{config['snat_table_id']}:{entry_id}"
    wait_entry(p, "snat", resource_id)
    return resource_id


def snat_read(p: NatProvider, resource_id: str) -> Optional[dict]:
    try:
        raw = describe_entry(p, "snat", resource_id)
    except Gone:
        return None
    return {"eip_affinity": int(raw["EipAffinity"]), "snat_entry_name": raw["SnatEntryName"],
            "snat_ip": raw["SnatIp"], "source_cidr": raw["SourceCIDR"], "source_vswitch_id": raw["SourceVSwitchId"],
            "status": raw["Status"], "snat_entry_id": raw["SnatEntryId"], "snat_table_id": raw["SnatTableId"]}


def snat_update(p: NatProvider, resource_id: str, old: dict, new: dict) -> None:
    """ModifySnatEntry: SnatIp always, SnatEntryName when set, sent when either changed; then the wait."""
    table, entry_id = resource_id.split(":")
    if (new.get("snat_entry_name"), new["snat_ip"]) != (old.get("snat_entry_name"), old["snat_ip"]):
        p.post("ModifySnatEntry", {"SnatTableId": table, "SnatEntryId": entry_id, "ClientToken": "ModifySnatEntry-tf",
                                   "SnatEntryName": new.get("snat_entry_name"), "SnatIp": new["snat_ip"]})
        wait_entry(p, "snat", resource_id)


def entry_delete(p: NatProvider, entry: str, resource_id: str) -> list[str]:
    table, entry_id = resource_id.split(":")
    if entry == "snat":
        refused = delete(p, "DeleteSnatEntry", {"SnatTableId": table, "SnatEntryId": entry_id},
                         ("IncorretSnatEntryStatus", "IncorrectStatus.NATGW", "OperationConflict"),
                         ("InvalidSnatTableId.NotFound", "InvalidSnatEntryId.NotFound"))
    else:
        refused = delete(p, "DeleteForwardEntry", {"ForwardTableId": table, "ForwardEntryId": entry_id},
                         ("IncorrectStatus.NATGW", "OperationConflict", "UnknownError"),
                         ("InvalidForwardEntryId.NotFound", "InvalidForwardTableId.NotFound"))
    wait_entry(p, entry, resource_id, "")
    return refused


def forward_create(p: NatProvider, config: dict[str, Any]) -> str:
    body = {"ForwardTableId": config["forward_table_id"], "ClientToken": "CreateForwardEntry-tf",
            "InternalIp": config["internal_ip"], "IpProtocol": config["ip_protocol"],
            "ExternalIp": config["external_ip"], "InternalPort": config["internal_port"],
            "ForwardEntryName": config.get("forward_entry_name"), "ExternalPort": config["external_port"]}
    entry_id = p.post("CreateForwardEntry", body)["ForwardEntryId"]
    resource_id = f"{config['forward_table_id']}:{entry_id}"
    wait_entry(p, "forward", resource_id)
    return resource_id


def forward_read(p: NatProvider, resource_id: str) -> Optional[dict]:
    try:
        raw = describe_entry(p, "forward", resource_id)
    except Gone:
        return None
    return {"external_ip": raw["ExternalIp"], "external_port": raw["ExternalPort"],
            "forward_entry_name": raw["ForwardEntryName"], "internal_ip": raw["InternalIp"],
            "internal_port": raw["InternalPort"], "ip_protocol": raw["IpProtocol"], "status": raw["Status"],
            "forward_entry_id": raw["ForwardEntryId"], "forward_table_id": raw["ForwardTableId"]}


def forward_update(p: NatProvider, resource_id: str, old: dict, new: dict) -> None:
    """ModifyForwardEntry: every field sent, ForwardEntryName when it changed; then the wait."""
    table, entry_id = resource_id.split(":")
    fields = ("internal_ip", "ip_protocol", "external_ip", "internal_port", "external_port", "forward_entry_name")
    if any(new.get(f) != old.get(f) for f in fields):
        body = {"ForwardTableId": table, "ForwardEntryId": entry_id, "ClientToken": "ModifyForwardEntry-tf",
                "InternalIp": new["internal_ip"], "IpProtocol": new["ip_protocol"], "ExternalIp": new["external_ip"],
                "InternalPort": new["internal_port"], "ExternalPort": new["external_port"]}
        if new.get("forward_entry_name") != old.get("forward_entry_name"):
            body["ForwardEntryName"] = new.get("forward_entry_name")
        p.post("ModifyForwardEntry", body)
        wait_entry(p, "forward", resource_id)


# -- plans ----------------------------------------------------------------------------------------------------------
def _network(p: NatProvider, ecs: Provider) -> tuple[str, str]:
    vpc_id = vpc_create(p, {"vpc_name": "tf-nat-vpc", "cidr_block": "172.16.0.0/16"})
    zone = ecs.call("DescribeZones")["Zones"]["Zone"][0]["ZoneId"]
    return vpc_id, vswitch_create(p, {"vpc_id": vpc_id, "cidr_block": "172.16.0.0/21", "zone_id": zone,
                                      "vswitch_name": "tf-nat-vsw"})


def test_nat_gateway_snat_dnat_apply_update_refresh_destroy(proxy):
    """The provider's example: a VPC, a vSwitch, an enhanced gateway, two EIPs associated with it, an SNAT entry for
    the vSwitch and a DNAT entry; an update in place of each; a refresh; then destroy in the graph's order."""
    p, ecs = NatProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id = _network(p, ecs)
    config = {"vpc_id": vpc_id, "vswitch_id": vswitch_id, "nat_gateway_name": "tf-nat", "nat_type": "Enhanced",
              "payment_type": "PayAsYouGo", "internet_charge_type": "PayByLcu", "network_type": "internet",
              "description": "made by terraform", "tags": {"env": "test"}}
    seen: list = []
    gateway_id = nat_create(p, config, seen)
    assert seen == ["Available"]
    state = nat_read(p, gateway_id)
    assert {k: state[k] for k in config} == config  # no diff on the next plan
    assert state["snat_table_ids"].startswith("stb-") and state["forward_table_ids"].startswith("ftb-")
    assert (state["status"], state["deletion_protection"], state["specification"]) == ("Available", False, "")
    assert nat_read(p, gateway_id) == state  # terraform refresh

    snat_eip, dnat_eip = (eip_create(p, name) for name in ("tf-snat", "tf-dnat"))
    associations = [association_create(p, eip, gateway_id) for eip in (snat_eip, dnat_eip)]
    assoc = association_read(p, associations[0])
    assert assoc == {"instance_type": "Nat", "mode": "NAT", "private_ip_address": "", "vpc_id": vpc_id,
                     "instance_id": gateway_id}
    addresses = [p.describe_eip_address(eip)["IpAddress"] for eip in (snat_eip, dnat_eip)]

    snat_config = {"snat_table_id": state["snat_table_ids"], "snat_ip": addresses[0],
                   "source_vswitch_id": vswitch_id, "snat_entry_name": "tf-snat"}
    snat_id = snat_create(p, snat_config)
    assert snat_read(p, snat_id) | {"snat_entry_id": ""} == {
        **snat_config, "eip_affinity": 0, "source_cidr": "172.16.0.0/21", "status": "Available", "snat_entry_id": ""}
    forward_config = {"forward_table_id": state["forward_table_ids"], "external_ip": addresses[1],
                      "external_port": "80", "internal_ip": "172.16.0.10", "internal_port": "8080",
                      "ip_protocol": "TCP", "forward_entry_name": "tf-dnat"}
    forward_id = forward_create(p, forward_config)
    assert forward_read(p, forward_id) | {"forward_entry_id": ""} == {
        **forward_config, "status": "Available", "forward_entry_id": ""}

    # terraform apply after edits of each
    new_config = {**config, "nat_gateway_name": "tf-nat-2", "description": "edited", "tags": {"env": "prod"}}
    nat_update(p, gateway_id, config, new_config)
    state = nat_read(p, gateway_id)
    assert (state["nat_gateway_name"], state["description"], state["tags"]) == ("tf-nat-2", "edited", {"env": "prod"})
    snat_update(p, snat_id, snat_config, {**snat_config, "snat_entry_name": "tf-snat-2"})
    assert snat_read(p, snat_id)["snat_entry_name"] == "tf-snat-2"
    forward_update(p, forward_id, forward_config, {**forward_config, "external_port": "8000"})
    assert forward_read(p, forward_id)["external_port"] == "8000"
    assert nat_read(p, gateway_id) == state

    # terraform destroy: the entries first (they depend on the associations), then the associations, the
    # gateway and the EIPs, the vSwitch, the VPC
    assert entry_delete(p, "forward", forward_id) == [] and forward_read(p, forward_id) is None
    assert entry_delete(p, "snat", snat_id) == [] and snat_read(p, snat_id) is None
    assert [association_delete(p, a) for a in associations] == [[], []]
    assert nat_delete(p, gateway_id) == []
    for eip in (snat_eip, dnat_eip):
        eip_delete(p, eip)
    assert vswitch_delete(p, vswitch_id) == []
    assert vpc_delete(p, vpc_id) == []
    failed = [(c["action"], c["error_code"]) for c in _calls(proxy) if c["status"] != 200]
    assert failed == [("DescribeVSwitchAttributes", "InvalidVSwitchId.NotFound"),  # (the deletes' waits: gone)
                      ("DescribeVpcAttribute", "InvalidVpcId.NotFound")]
    made = [c["action"] for c in _calls(proxy) if c["action"].endswith(("NatGateway", "NatGatewayAttribute",
                                                                        "SnatEntry", "ForwardEntry"))]
    assert made == ["CreateNatGateway", "CreateSnatEntry", "CreateForwardEntry", "ModifyNatGatewayAttribute",
                    "ModifySnatEntry", "ModifyForwardEntry", "DeleteForwardEntry", "DeleteSnatEntry",
                    "DeleteNatGateway"]


def test_destroy_in_parallel_meets_the_documented_refusals(proxy):
    """Where the graph lets Terraform destroy in parallel: the association's delete meets the SNAT entry still
    using the address and the gateway's the EIP still on it; each is retried on the codes the provider lists."""
    p, ecs = NatProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id = _network(p, ecs)
    gateway_id = nat_create(p, {"vpc_id": vpc_id, "vswitch_id": vswitch_id, "nat_type": "Enhanced"})
    tables = nat_read(p, gateway_id)
    eip = eip_create(p, "tf-first")
    association = association_create(p, eip, gateway_id)
    snat_id = snat_create(p, {"snat_table_id": tables["snat_table_ids"], "snat_ip": p.describe_eip_address(eip)[
        "IpAddress"], "source_vswitch_id": vswitch_id})
    p.pending_deletes = [lambda: entry_delete(p, "snat", snat_id)]
    assert association_delete(p, association) == ["InvalidIpStatus.HasBeenUsedBySnatTable"]
    other = eip_create(p, "tf-second")
    second = association_create(p, other, gateway_id)
    p.pending_deletes = [lambda: association_delete(p, second)]
    assert nat_delete(p, gateway_id) == ["DependencyViolation.EIPS"]
    for allocation_id in (eip, other):
        eip_delete(p, allocation_id)
    assert vswitch_delete(p, vswitch_id) == [] and vpc_delete(p, vpc_id) == []


def test_waits_see_creating_then_available(proxy):
    """With a gateway and its entries taking a few reads: the create waits poll Creating / Pending (no pending
    list: polled again) until Available; the SNAT entry's create is retried while the EIP is not yet on it."""
    _transitions(proxy, delays={"nat_gateway": {"observations": 3}, "snat_entry": {"observations": 2}})
    p, ecs = NatProvider(REGION), Provider(REGION)
    vpc_id, vswitch_id = _network(p, ecs)
    seen: list = []
    gateway_id = nat_create(p, {"vpc_id": vpc_id, "vswitch_id": vswitch_id}, seen)  # (NatType left out)
    assert seen == ["Creating", "Creating", "Available"]
    state = nat_read(p, gateway_id)
    assert state["nat_type"] == "Enhanced"
    eip = eip_create(p, "tf-slow")
    association_create(p, eip, gateway_id)
    snat_id = snat_create(p, {"snat_table_id": state["snat_table_ids"], "source_cidr": "172.16.1.0/24",
                              "snat_ip": p.describe_eip_address(eip)["IpAddress"]})
    assert snat_read(p, snat_id)["status"] == "Available"
    assert nat_delete(p, gateway_id, force=True) == []  # (Force: the entry and the association go with it)
    assert snat_read(p, snat_id) is None and p.describe_eip_address(eip)["Status"] == "Available"
    eip_delete(p, eip)
    assert vswitch_delete(p, vswitch_id) == [] and vpc_delete(p, vpc_id) == []

"""Elastic network interfaces (ENIs): records of kind ``network_interface``, one per ENI.

An instance in a VPC is launched with its primary ENI (the ``NetworkInterfaces`` entry of the instance,
:func:`mockecs.world.networks.primary_interface`); its record here is written with the instance and
deleted with it, and shows the instance's security groups and status when described (they live on the
instance). Secondary ENIs (CreateNetworkInterface) hold their own addresses in their vSwitch, groups, name,
description, tags, and the instance they are attached to (the instance then lists them in its
``NetworkInterfaces`` too, as the service does).

Records carry the fields DescribeNetworkInterfaces answers plus ``DeviceIndex`` and the usual ``_owner``,
``_region``, ``_created``. Primary ENIs of instances launched before this module existed have no record.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.state.store import Term
from mockecs.wire.errors import error_kind
from mockecs.world import ipv6, networks, resources
from mockecs.world.context import Context

KIND = "network_interface"
resources.ID_FIELD[KIND] = "NetworkInterfaceId"
TRAFFIC_MODE = "Standard"


def _scoped(record: Mapping[str, Any], name: str, value: str) -> Term:
    return (name, f"{record['_owner']}|{record['_region']}|{value}")


def ip_term(ctx: Context, ip: str) -> Term:
    return ("eni_ip", f"{ctx.account}|{ctx.region}|{ip}")


def type_term(ctx: Context, eni_type: str) -> Term:
    return ("eni_type", f"{ctx.account}|{ctx.region}|{eni_type}")


def status_term(ctx: Context, status: str) -> Term:
    return ("eni_status", f"{ctx.account}|{ctx.region}|{status}")


def addresses(record: Mapping[str, Any]) -> list[str]:
    return [s["PrivateIpAddress"] for s in record["PrivateIpSets"]["PrivateIpSet"]]


# A network interface's queue number out of range (CreateNetworkInterface, RunInstances, ModifyInstanceAttribute ...):
# the operations' documented code, its message "%s" in the metadata [GUESS: the wording]; (code, message, status) as a
# parameter's error.
BAD_QUEUE_NUMBER = ("InvalidParameter.InvalidEniQueueNumber", "The specified queue number of the network interface is "
                    "not valid.", 403)


def terms(record: Mapping[str, Any]) -> list[Term]:
    # DescribeNetworkInterfaces' filters; ("vsw_ip", ...) marks the addresses taken in the vSwitch and
    # ("security_group", ...) the groups a secondary ENI is in (DeleteSecurityGroup's dependency).
    out: list[Term] = [("vswitch", record["VSwitchId"]), ("vpc", record["VpcId"]),
                       _scoped(record, "eni_type", record["Type"]), _scoped(record, "eni_status", record["Status"]),
                       resources.own_text(record, "eni_name", "NetworkInterfaceName")]
    if record.get("InstanceId"):
        out.append(("instance", record["InstanceId"]))
    for ip in addresses(record):
        out += [_scoped(record, "eni_ip", ip), ("vsw_ip", f"{record['VSwitchId']}|{ip}")]
    if record.get("Ipv6Sets"):  # (IPv6 addresses: the same two terms, and the vSwitch's /64 in use)
        out.append(("ipv6_vswitch", record["VSwitchId"]))
        for ip in ipv6.addresses(record):
            out += [_scoped(record, "eni_ip", ip), ("vsw_ip", f"{record['VSwitchId']}|{ip}")]
    if record["Type"] != "Primary":
        out += [("security_group", g) for g in record["SecurityGroupIds"]["SecurityGroupId"]]
    return out


resources.TERMS[KIND] = terms
# Listed in creation order (then by id)
resources.ORDER[KIND] = lambda record: f"{resources.time_key(record['_created'])} {record['NetworkInterfaceId']}"


def new_record(ctx: Context, eni_id: str, eni_type: str, vswitch: Mapping[str, Any], ips: list[str],
               mac: str, **fields: Any) -> dict:
    return {
        "NetworkInterfaceId": eni_id, "Type": eni_type, "Status": "Available", "NetworkInterfaceName": "",
        "Description": "", "VpcId": vswitch["VpcId"], "VSwitchId": vswitch["VSwitchId"],
        "ZoneId": vswitch["ZoneId"], "MacAddress": mac, "PrivateIpAddress": ips[0],
        "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": ip, "Primary": n == 0} for n, ip in enumerate(ips)]},
        "SecurityGroupIds": {"SecurityGroupId": []}, "InstanceId": "", "DeviceIndex": 0, "QueueNumber": 0,
        "DeleteOnRelease": False, "ResourceGroupId": "", "Tags": {"Tag": []},
        "CreationTime": resources.iso(ctx.now), "NetworkInterfaceTrafficMode": TRAFFIC_MODE,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, **fields,
    }


def add_primary(ctx: Context, instance: Mapping[str, Any]) -> None:
    """The record of a new instance's primary ENI (none for a classic-network instance)."""
    entries = instance["NetworkInterfaces"]["NetworkInterface"]
    vpc = instance["VpcAttributes"]
    if not entries or not vpc.get("VSwitchId"):
        return
    primary = entries[0]
    vswitch = {"VpcId": vpc["VpcId"], "VSwitchId": vpc["VSwitchId"], "ZoneId": instance["ZoneId"]}
    record = new_record(
        ctx, primary["NetworkInterfaceId"], "Primary", vswitch, [primary["PrimaryIpAddress"]],
        primary["MacAddress"], Status="InUse", InstanceId=instance["InstanceId"], DeleteOnRelease=True,
        ResourceGroupId=instance.get("ResourceGroupId", ""), _created=instance.get("_created", ctx.now),
        # (the launch's Tag.N: documented as the instance's, its disks' and its primary ENI's)
        Tags={"Tag": [dict(t) for t in resources.tags_of(instance)]})
    held = primary["Ipv6Sets"]["Ipv6Set"]  # (RunInstances' Ipv6AddressCount / Ipv6Address.N)
    if held:
        record["Ipv6Sets"] = {"Ipv6Set": [dict(s) for s in held]}
    resources.put(ctx.txn, KIND, record)


def entry(record: Mapping[str, Any]) -> dict:
    """A secondary ENI as its instance lists it in ``NetworkInterfaces``."""
    return {"NetworkInterfaceId": record["NetworkInterfaceId"], "Type": record["Type"],
            "MacAddress": record["MacAddress"], "PrimaryIpAddress": record["PrivateIpAddress"],
            "PrivateIpSets": {"PrivateIpSet": [{**s, "PrivateDnsName": ""} for s in
                                               record["PrivateIpSets"]["PrivateIpSet"]]},
            "Ipv6Sets": ipv6.sets(ipv6.addresses(record)), "Ipv4PrefixSets": {"Ipv4PrefixSet": []},
            "Ipv6PrefixSets": {"Ipv6PrefixSet": []}}


def with_entries(instance: Mapping[str, Any], keep: Any, add: Optional[dict] = None) -> dict:
    """``instance`` listing its ENIs that ``keep(entry)`` accepts, and ``add`` after them."""
    entries = [e for e in instance["NetworkInterfaces"]["NetworkInterface"] if keep(e)]
    return {**instance, "NetworkInterfaces": {"NetworkInterface": entries + ([add] if add else [])}}


def readdressed(ctx: Context, record: Mapping[str, Any], sets: Optional[list[dict]] = None,
                ipv6_addresses: Optional[list[str]] = None) -> dict:
    """``record`` with the private address sets ``sets`` (AssignPrivateIpAddresses, UnassignPrivateIpAddresses) or
    the IPv6 addresses ``ipv6_addresses`` (AssignIpv6Addresses, UnassignIpv6Addresses), stored; the instance it is
    attached to lists them too (its ``NetworkInterfaces`` entry, as DescribeInstances shows)."""
    changed = {k: v for k, v in record.items() if k != "Ipv6Sets"} if ipv6_addresses is not None else dict(record)
    if sets is not None:
        changed["PrivateIpSets"] = {"PrivateIpSet": sets}
    if ipv6_addresses:
        changed["Ipv6Sets"] = ipv6.sets(ipv6_addresses)
    record = resources.put(ctx.txn, KIND, changed)
    instance = resources.get(ctx, "instance", record["InstanceId"]) if record["InstanceId"] else None
    if instance is not None:
        eni_id, new = record["NetworkInterfaceId"], entry(record)
        entries = instance["NetworkInterfaces"]["NetworkInterface"]
        resources.put(ctx.txn, "instance", {**instance, "NetworkInterfaces": {"NetworkInterface": [
            new if e["NetworkInterfaceId"] == eni_id else e for e in entries]}})
    return record


def holding(ctx: Context, ips: list[str]) -> set[str]:
    """The instances whose ENIs hold one of ``ips`` (DescribeInstances' Ipv6Address filter)."""
    eni_ids = set().union(*(ctx.txn.ids(KIND, ip_term(ctx, ip)) for ip in ips))
    return {r["InstanceId"] for r in resources.get_many(ctx, KIND, sorted(eni_ids))
            if r is not None and r["InstanceId"]}


def detached(record: Mapping[str, Any]) -> dict:
    return {**record, "Status": "Available", "InstanceId": "", "DeviceIndex": 0}


def give_back(ctx: Context, record: Mapping[str, Any]) -> None:
    """A deleted secondary ENI's addresses return to its vSwitch."""
    networks.give_back(ctx, record["VSwitchId"], addresses(record))


def release_instance(ctx: Context, instance: Mapping[str, Any]) -> None:
    """DeleteInstance: the primary ENI goes with the instance; a secondary one attached to it is deleted
    too when its DeleteOnRelease says so, else detached (and kept)."""
    for eni_id in sorted(ctx.txn.ids(KIND, ("instance", instance["InstanceId"]))):
        record = resources.get(ctx, KIND, eni_id)
        if record is None:
            continue
        if record["Type"] == "Primary" or record.get("DeleteOnRelease"):
            resources.delete(ctx.txn, KIND, eni_id)
            if record["Type"] != "Primary":
                give_back(ctx, record)
            else:  # (its primary address is the instance's: given back with it; its secondary ones here)
                networks.give_back(ctx, record["VSwitchId"], [s["PrivateIpAddress"] for s in record[
                    "PrivateIpSets"]["PrivateIpSet"] if not s["Primary"]])
        else:
            resources.put(ctx.txn, KIND, detached(record))


# An ENI's queue depths (CreateNetworkInterface, RunInstances' NetworkInterface.N): equal both ways, a power of two
# from 8,192 to 16,384 (documented)
QUEUE_SIZES = (8192, 16384)
BAD_QUEUE_SIZE = error_kind("InvalidParameter.EniQueueSize",
                            "The specified parameter TxQueueSize and RxQueueSize are not equal or exceed limit.")


def check_queue_sizes(tx: Optional[int], rx: Optional[int]) -> None:
    if (tx is not None or rx is not None) and (tx != rx or tx not in QUEUE_SIZES):
        raise BAD_QUEUE_SIZE

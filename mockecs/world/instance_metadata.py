"""What the instance metadata service (``http://100.100.100.200/latest/meta-data/``) shows an instance: its items as
a tree (a dict is a directory, a str a leaf), built from the stored instance, its ENIs, vSwitches, VPC, disks and
key pair.

Items and example values follow Alibaba's "Instance metadata items" page (dns-conf/nameservers, hostname,
instance/instance-type, instance/instance-name, image-id, instance-id, mac, network-type,
network/interfaces/macs/[mac]/{network-interface-id, netmask, gateway, vswitch-id, vswitch-cidr-block, vpc-id,
vpc-cidr-block, private-ipv4s, primary-ip-address, ipv6s, ipv6-gateway, vswitch-ipv6-cidr-block,
vpc-ipv6-cidr-blocks}, private-ipv4, public-ipv4, eipv4, owner-account-id, public-keys/[keypair-id]/openssh-key,
region-id, serial-number, source-address, sub-private-ipv4-list, vpc-id, vpc-cidr-block, vswitch-id,
vswitch-cidr-block, zone-id, ram/security-credentials/[role], disks/[serial]/{id,name}, hibernation/configured,
instance/spot/termination-time, instance/max-netbw-{ingress,egress}, instance/virtualization-solution(-version),
instance/last-host-landing-time, image/market-place/{product-code,charge-type} for a Marketplace image,
kms-server and wsus-server/{wu-server,wu-status-server} for Windows; tags/instance/[key] once the instance's
``InstanceMetadataTags`` is ``enabled``; anything else, and these where the instance has none, is 404 as the service
answers an item an instance lacks) and the shape a real instance answers, recorded in cloud-init's tests
(``tests/unittests/sources/test_aliyun.py``: ``public-keys`` under both ``0`` and the key pair's id, the gateway
the vSwitch's last address but two, multi-line values joined by ``\\r\\n``). The choices where they are silent are
in the cloudinit notes (ipv6s only when the ENI holds some, the IPv6 gateway, the identity document's fields).
"""
from __future__ import annotations

import datetime
import ipaddress
import json
from typing import Any, Mapping, Optional, Union

from mockecs.state.store import Transaction
from mockecs.world.access import key_pair_term
from mockecs.world.instance_types import instance_type
from mockecs.world.resources import parse_iso
from mockecs.world.spot_interruptions import termination_time

Tree = dict[str, Union["Tree", str]]
NAMESERVERS = "100.100.2.136\r\n100.100.2.138"  # (the values a real instance answers, as cloud-init recorded them)
NTP_SERVERS = "ntp1.aliyun.com\r\nntp1.cloud.aliyuncs.com"
SOURCE_ADDRESS = "http://mirrors.cloud.aliyuncs.com"
# The documented examples (and a real instance's answers, as cloud-init's tests recorded the tree): every instance
# type mockecs sells runs on the current virtualization (Virt 2.0) [GUESS].
VIRTUALIZATION = {"virtualization-solution": "ECS Virt", "virtualization-solution-version": "2.0"}
WINDOWS_SERVERS: Tree = {"kms-server": "kms.cloud.aliyuncs.com",
                         "wsus-server": {"wu-server": "http://update.cloud.aliyuncs.com",
                                         "wu-status-server": "http://update.cloud.aliyuncs.com"}}
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def _addresses(eni: Mapping[str, Any]) -> list[str]:
    return [s["PrivateIpAddress"] for s in eni["PrivateIpSets"]["PrivateIpSet"]]


def _ipv6(record: Mapping[str, Any]) -> list[str]:
    held = record.get("Ipv6Sets")
    return [s["Ipv6Address"] for s in held["Ipv6Set"]] if held else []


def _interface(txn: Transaction, eni: Mapping[str, Any]) -> Tree:
    """``network/interfaces/macs/[mac]/``: one ENI as its instance sees it."""
    vswitch = txn.get("vswitch", eni["VSwitchId"]) or {}
    vpc = txn.get("vpc", eni["VpcId"]) or {}
    block = ipaddress.IPv4Network(vswitch.get("CidrBlock") or "172.16.0.0/24")
    addresses = _addresses(eni)
    item: Tree = {"network-interface-id": eni["NetworkInterfaceId"], "mac": eni["MacAddress"],
                  "netmask": str(block.netmask), "gateway": str(block.broadcast_address - 2),
                  "primary-ip-address": addresses[0], "private-ipv4s": json.dumps(addresses),
                  "vswitch-id": eni["VSwitchId"], "vswitch-cidr-block": str(block),
                  "vpc-id": eni["VpcId"], "vpc-cidr-block": vpc.get("CidrBlock", "")}
    ipv6s = _ipv6(eni)
    if ipv6s:  # (only then: cloud-init turns DHCPv6 on for any non-empty ipv6s)
        subnet = ipaddress.IPv6Network(vswitch["_ipv6"]) if vswitch.get("_ipv6") else None
        item["ipv6s"] = "[" + ",".join(ipv6s) + "]"  # (the documented form: [2408:XXXX:...:4ebe])
        if subnet is not None:
            item["vswitch-ipv6-cidr-block"] = str(subnet)
            item["ipv6-gateway"] = str(subnet.broadcast_address - 2)
        if vpc.get("_ipv6"):  # (the VPC API keeps its /56 with its ISP)
            item["vpc-ipv6-cidr-blocks"] = "[" + vpc["_ipv6"]["Ipv6CidrBlock"] + "]"
    return item


def _public_keys(txn: Transaction, record: Mapping[str, Any]) -> Tree:
    if not record.get("KeyPairName"):
        return {}
    for key_pair_id in txn.ids("key_pair", key_pair_term(record["_owner"], record["_region"],
                                                         record["KeyPairName"])):
        key_pair = txn.get("key_pair", key_pair_id)
        if key_pair and key_pair.get("PublicKey"):
            key = {"openssh-key": key_pair["PublicKey"]}
            # (a key pair's id is skp-...; the fake's internal one is ssh-..., shown nowhere else)
            return {"0": dict(key), "skp-" + key_pair_id.split("-", 1)[-1]: dict(key)}
    return {}


def _disks(txn: Transaction, instance_id: str) -> tuple[Tree, str]:
    """``disks/`` and the Marketplace product code of the system disk's image ("" for none)."""
    disks: Tree = {}
    product = ""
    for disk_id in sorted(txn.ids("disk", ("instance", instance_id))):
        disk = txn.get("disk", disk_id)
        if disk is not None and disk.get("InstanceId") == instance_id:
            disks[disk_id.split("-", 1)[-1]] = {"id": disk_id, "name": disk.get("DiskName") or ""}
            if disk.get("Type") == "system":
                product = disk.get("ProductCode") or ""
    return disks, product


def _landing_time(record: Mapping[str, Any]) -> str:
    """``instance/last-host-landing-time``: when the instance last came onto a host (its last start, else its
    creation), as a real instance answers it (``2024-11-17 10:02:41``) [GUESS: in UTC+8, the service's own time]."""
    at = parse_iso(record.get("StartTime") or "") or parse_iso(record.get("CreationTime") or "")
    if at is None:
        return ""
    return datetime.datetime.fromtimestamp(at, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def meta_data(txn: Transaction, record: Mapping[str, Any], now: float, role: Optional[str]) -> Tree:
    """The ``meta-data/`` tree of the instance ``record`` (``role``: its RAM role, None: none)."""
    instance_id = record["InstanceId"]
    enis = sorted((e for e in (txn.get("network_interface", i)
                               for i in txn.ids("network_interface", ("instance", instance_id)))
                   if e is not None and e.get("InstanceId") == instance_id),
                  key=lambda e: (e["Type"] != "Primary", e.get("DeviceIndex", 0), e["NetworkInterfaceId"]))
    public = (record.get("PublicIpAddress") or {}).get("IpAddress") or []
    eip = (record.get("EipAddress") or {}).get("IpAddress") or ""
    instance: Tree = {"instance-type": record.get("InstanceType") or "",
                      "instance-name": record.get("InstanceName") or "", **VIRTUALIZATION}
    landed = _landing_time(record)
    if landed:
        instance["last-host-landing-time"] = landed
    itype = instance_type(record.get("InstanceType"))
    if itype and itype.get("InstanceBandwidthRx"):  # (Kbit/s, as DescribeInstanceTypes gives them)
        instance["max-netbw-ingress"] = str(itype["InstanceBandwidthRx"])
        instance["max-netbw-egress"] = str(itype.get("InstanceBandwidthTx") or itype["InstanceBandwidthRx"])
    ends = termination_time(record, now)
    if ends is not None:
        instance["spot"] = {"termination-time": ends}
    tree: Tree = {
        "instance-id": instance_id, "region-id": record["_region"], "zone-id": record.get("ZoneId") or "",
        "owner-account-id": record["_owner"], "hostname": record.get("HostName") or instance_id,
        "image-id": record.get("ImageId") or "", "serial-number": record.get("SerialNumber") or "",
        "instance": instance, "dns-conf": {"nameservers": NAMESERVERS}, "ntp-conf": {"ntp-servers": NTP_SERVERS},
        "source-address": SOURCE_ADDRESS,
        "hibernation": {"configured": str(bool((record.get("HibernationOptions") or {}).get("Configured"))).lower()},
    }
    if enis:
        primary = enis[0]
        vswitch = txn.get("vswitch", primary["VSwitchId"]) or {}
        vpc = txn.get("vpc", primary["VpcId"]) or {}
        addresses = _addresses(primary)
        tree.update({"network-type": "vpc", "mac": primary["MacAddress"], "private-ipv4": addresses[0],
                     "sub-private-ipv4-list": ",".join(addresses[1:]),
                     "vpc-id": primary["VpcId"], "vpc-cidr-block": vpc.get("CidrBlock", ""),
                     "vswitch-id": primary["VSwitchId"], "vswitch-cidr-block": vswitch.get("CidrBlock", ""),
                     "network": {"interfaces": {"macs": {e["MacAddress"]: _interface(txn, e) for e in enis}}}})
    else:  # (an instance without ENI records: its own private address)
        inner = ((record.get("VpcAttributes") or {}).get("PrivateIpAddress") or {}).get("IpAddress") \
            or (record.get("InnerIpAddress") or {}).get("IpAddress") or []
        if inner:
            tree["private-ipv4"] = inner[0]
    if public or eip:
        tree["eipv4"] = eip or public[0]
    if public:
        tree["public-ipv4"] = public[0]
    keys = _public_keys(txn, record)
    if keys:
        tree["public-keys"] = keys
    disks, product = _disks(txn, instance_id)
    if disks:
        tree["disks"] = disks
    if product:  # (an instance of a Marketplace image, or of a custom image made from one: the disk keeps its code)
        # [GUESS: the image's charge type is the instance's, as the launch bills the image with it]
        tree["image"] = {"market-place": {"product-code": product,
                                          "charge-type": record.get("InstanceChargeType") or "PostPaid"}}
    if (record.get("OSType") or "").lower() == "windows":
        tree.update({k: dict(v) if isinstance(v, dict) else v for k, v in WINDOWS_SERVERS.items()})
    tags = (record.get("Tags") or {}).get("Tag") or []
    if (record.get("MetadataOptions") or {}).get("InstanceMetadataTags") == "enabled" and tags:
        tree["tags"] = {"instance": {t["TagKey"]: t.get("TagValue") or "" for t in tags}}
    if role:
        tree["ram"] = {"security-credentials": {role: ""}}  # (the leaf is answered by the server: STS credentials)
    return tree


def identity_document(tree: Mapping[str, Any]) -> str:
    """``dynamic/instance-identity/document``: the instance's identity as JSON (the documented example's fields)."""
    fields = ("zone-id", "serial-number", "instance-id", "region-id", "private-ipv4", "owner-account-id", "mac",
              "image-id")
    document = {name: tree[name] for name in fields if isinstance(tree.get(name), str)}
    document["instance-type"] = tree["instance"]["instance-type"]
    return json.dumps(document, separators=(",", ":"))


def lookup(tree: Mapping[str, Any], path: str) -> Union[Mapping[str, Any], str, None]:
    """The node at ``path`` (``a/b/c``, slashes at either end ignored) of ``tree``, or None."""
    node: Any = tree
    for part in path.strip("/").split("/") if path.strip("/") else ():
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def listing(node: Mapping[str, Any]) -> str:
    """A directory's answer: its entries one a line, the directories ending in ``/``."""
    return "\n".join(name + ("/" if isinstance(value, Mapping) else "") for name, value in sorted(node.items()))

"""Cloud Assistant managed instances: activation codes, and the servers outside Alibaba Cloud registered with them.

Records (kinds):

- ``activation`` (id ``ActivationId``, an upper-case UUID as the service's): the fields DescribeActivations answers
  plus ``_code`` (the SHA-256 of the ActivationCode, which CreateActivation answers once and nothing shows again),
  ``_owner``, ``_region``, ``_created``; ``Tags`` kept as ``{"Tag": [...]}`` like every taggable record (the answers
  show a plain list).
- ``managed_instance`` (id ``InstanceId`` ``mi-...``): the fields DescribeManagedInstances answers, but
  ``InvocationCount`` and ``LastInvokedTime``, read from the Cloud Assistant results when shown.

A server registers itself from outside: its agent runs ``aliyun-service --register --RegionId ... --ActivationCode ...
--ActivationId ...``. Tests do it with :func:`register` (in-process), or ``POST /_mockecs/managed-instances`` on
``mockecs server``. A registered instance is a target of RunCommand, InvokeCommand, SendFile and
ModifyInvocationAttribute like an ECS instance (:func:`as_target`); it runs while ``Connected`` (:func:`set_connected`).
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import string
from typing import Any, Mapping, Optional

from mockecs.world import ids, resources
from mockecs.world.commands import AGENT_VERSIONS, scoped

ACTIVATION, MANAGED = "activation", "managed_instance"
# Newest first, ties by id (as the Cloud Assistant listings).
resources.ORDER[ACTIVATION] = lambda r: resources.time_key(r["_created"], descending=True)
resources.ORDER[MANAGED] = resources.ORDER[ACTIVATION]
resources.TERMS[ACTIVATION] = lambda r: [("activation_name", scoped(r, r["InstanceName"]))]
resources.TERMS[MANAGED] = lambda r: [("activation", scoped(r, r["ActivationId"])),
                                      ("managed_name", scoped(r, r["InstanceName"]))] + \
    [("managed_ip", scoped(r, ip)) for ip in (r["IntranetIp"], r["InternetIp"]) if ip]

OS_TYPES = {"linux": "Linux", "windows": "Windows", "freebsd": "FreeBSD"}
_CODE_CHARS = string.ascii_letters + string.digits + "+/"
_VERSION = re.compile(r"^\d{1,4}(\.\d{1,6}){1,3}$")


class RegistrationError(ValueError):
    """A registration the service refuses (the agent prints why and registers nothing)."""


def digest(code: str) -> str:
    return hashlib.sha256(f"mockecs-activation:{code}".encode()).hexdigest()


def new_code(region: str) -> str:
    """An ActivationCode like ``a-hz0ch3SwhOlE1234+Xo32lAZC****``: ``a-``, three characters of the region, 26
    random ones [GUESS: the shape of the documented example]."""
    head = resources.REGION_CODE.get(region, "mck")
    return "a-" + head + ids.source().text(_CODE_CHARS, 26)


def in_range(address: str, allowed: str) -> bool:
    """Whether ``address`` is allowed by an activation's IpAddressRange (an address or a CIDR block)."""
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(allowed, strict=False)
    except ValueError:
        return False


def expired(activation: Mapping[str, Any], now: float) -> bool:
    return now >= activation["_created"] + activation["TimeToLiveInHours"] * 3600


def _name(activation: Mapping[str, Any], hostname: str, number: int) -> str:
    """``<InstanceName>-001`` (as many digits as InstanceCount has), or the host's name without a prefix."""
    prefix = activation["InstanceName"]
    if not prefix:
        return hostname
    return f"{prefix}-{number:0{len(str(activation['InstanceCount']))}d}"


def register(engine: Any, activation_id: str, activation_code: str, hostname: str = "mockecs-host",
             intranet_ip: str = "192.168.0.10", internet_ip: str = "", os_type: str = "linux",
             os_version: str = "", machine_id: Optional[str] = None, instance_name: Optional[str] = None,
             connected: bool = True, agent_version: Optional[str] = None) -> str:
    """Register a server with an activation code, as its Cloud Assistant agent does; returns its ``mi-...`` id.
    ``agent_version``: the agent's (default: a current one; an older one lacks what later versions brought).
    Raises :class:`RegistrationError` where the service refuses: an unknown id or a wrong code, a disabled or
    expired code, one used up (InstanceCount), an address outside its IpAddressRange."""
    os_name = OS_TYPES.get((os_type or "").lower())
    if os_name is None:
        raise RegistrationError(f"os_type must be one of {', '.join(OS_TYPES.values())}")
    for label, value in (("hostname", hostname), ("intranet_ip", intranet_ip)):
        if not isinstance(value, str) or not value:
            raise RegistrationError(f"{label} is required")
    if agent_version is not None and not _VERSION.match(agent_version):
        raise RegistrationError("agent_version must look like 2.2.3.857")
    with engine.store.transaction() as txn:
        activation = txn.get(ACTIVATION, activation_id) if isinstance(activation_id, str) else None
        if activation is None or not isinstance(activation_code, str) or \
                not secrets.compare_digest(activation["_code"], digest(activation_code)):
            raise RegistrationError("the activation id or code is not valid")
        now = engine.clock.now()
        if activation["Disabled"]:
            raise RegistrationError("the activation code is disabled")
        if expired(activation, now):
            raise RegistrationError("the activation code has expired")
        if activation["RegisteredCount"] >= activation["InstanceCount"]:
            raise RegistrationError("the activation code has been used up")
        if not any(in_range(ip, activation["IpAddressRange"]) for ip in (intranet_ip, internet_ip) if ip):
            raise RegistrationError(f"{internet_ip or intranet_ip} is outside the activation's IpAddressRange")
        number = activation["RegisteredCount"] + 1
        instance_id = resources.new_id(MANAGED, activation["_region"])
        resources.put(txn, ACTIVATION, {**activation, "RegisteredCount": number})
        resources.put(txn, MANAGED, {
            "InstanceId": instance_id, "InstanceName": instance_name or _name(activation, hostname, number),
            "Hostname": hostname, "IntranetIp": intranet_ip, "InternetIp": internet_ip, "OsType": os_name,
            "OsVersion": os_version or _os_version(os_name), "MachineId": machine_id or ids.source().token_hex(16),
            "AgentVersion": agent_version or AGENT_VERSIONS[os_name], "ActivationId": activation_id,
            "RegistrationTime": resources.iso(now), "Connected": bool(connected),
            "ResourceGroupId": activation["ResourceGroupId"], "Tags": {"Tag": []},
            "_owner": activation["_owner"], "_region": activation["_region"], "_created": now})
    return instance_id


def _os_version(os_name: str) -> str:
    return {"Linux": "Linux_#1 SMP Mon Jan 1 00:00:00 UTC 2024_x86_64",
            "Windows": "Microsoft Windows Server 2019 Datacenter_10.0.17763_x86_64",
            "FreeBSD": "FreeBSD_13.2-RELEASE_amd64"}[os_name]


def set_connected(engine: Any, instance_id: str, connected: bool) -> None:
    """The server's agent stops (or starts again) answering: ``Connected`` false, commands on it are Aborted
    (``ClientNotResponse``)."""
    with engine.store.transaction() as txn:
        record = txn.get(MANAGED, instance_id)
        if record is None:
            raise KeyError(f"no managed instance {instance_id}")
        resources.put(txn, MANAGED, {**record, "Connected": bool(connected)})


def as_target(record: Mapping[str, Any]) -> dict:
    """A managed instance as Cloud Assistant's operations read a target instance (``Status``, ``OSType``)."""
    return {"InstanceId": record["InstanceId"], "InstanceName": record["InstanceName"], "Status": "Running",
            "_unreachable": "" if record["Connected"] else "ClientNotResponse",
            "_agent_version": record["AgentVersion"],
            "OSType": "windows" if record["OsType"] == "Windows" else "linux", "_os_name": record["OsType"],
            "ResourceGroupId": record.get("ResourceGroupId") or "", "Tags": record.get("Tags") or {"Tag": []}}


def is_managed(instance_id: Optional[str]) -> bool:
    return bool(instance_id) and instance_id.startswith("mi-")

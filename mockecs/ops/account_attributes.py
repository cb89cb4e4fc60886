"""DescribeAccountAttributes: what the caller may create in a region (its quotas) and what it uses of them.

Quotas mockecs enforces come from its options (``security_group_quota``, ``command_quota``, ``dedicated_host_quota``,
``activation_quota``); the ones it does not enforce are answered with the values of the metadata's example answer
(vCPUs, ENIs, disk capacity) or, where it has none, a [GUESS] (:data:`UNENFORCED`). What is used is counted from the
caller's records in the region; the instance types sold pay-as-you-go are the catalogue's for the region (or the
zone asked), one value per zone and type.

A value carries the ValueItem fields that qualify it (the SDK model's Value, DiskCategory, ZoneId, InstanceType,
InstanceChargeType): the vCPU and dedicated-host quotas name the charge type they count (PostPaid: spot instances
are pay-as-you-go ones), the disk capacities their category, the types sold their type and zone. ExpiredTime is
documented only for privileges that expire and Count with no attribute it belongs to: mockecs has neither, so they
are left out [GUESS: which fields the service fills per attribute is not documented].
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.params import Repeat, S
from mockecs.world import instance_types, regions, resources

# The example answer's values; the daily Cloud Assistant invocations are a [GUESS]
UNENFORCED = {"max-postpaid-instance-vcpu-count": 1000, "max-spot-instance-vcpu-count": 1000,
              "max-elastic-network-interfaces": 5000, "max-axt-invocation-daily": 10000}
# The example's data-disk capacity quotas (GiB) by category
DISK_CAPACITY = {"cloud_efficiency": 229376, "cloud_ssd": 204800, "cloud_essd": 204800}
NETWORK_TYPES = ("vpc", "classic")  # (mockecs launches both: classic without a vSwitch)
POSTPAID = {"InstanceChargeType": "PostPaid"}


def _values(*values: Any, **fields: Any) -> list[dict]:
    return [{"Value": str(v), **fields} for v in values]


def _option(name: str) -> Callable[[Context, Optional[str]], list[dict]]:
    return lambda ctx, zone: _values(ctx.config.options[name] if ctx.config.options[name] is not None else "")


def _mine(ctx: Context, kind: str) -> list[dict]:
    """The caller's records of ``kind`` in the region (an index term: its own, not the store's)."""
    ids = sorted(ctx.txn.ids(kind, resources.owner_region(ctx.account, ctx.region)))
    return [r for r in resources.get_many(ctx, kind, ids) if r is not None]


def _network_types(ctx: Context, zone: Optional[str]) -> list[dict]:
    """Both, but where security groups need a VPC (the ``security_group_requires_vpc`` option: a region without
    the classic network) [GUESS]."""
    return _values(*NETWORK_TYPES[:1 if ctx.config.options["security_group_requires_vpc"] else 2])


def _vcpus(ctx: Context, spot: bool) -> list[dict]:
    return _values(sum(int(r.get("Cpu") or 0) for r in _mine(ctx, "instance")
                       if r.get("InstanceChargeType", "PostPaid") == "PostPaid"
                       and (r.get("SpotStrategy", "NoSpot") != "NoSpot") == spot), **POSTPAID)


def _disk_capacity(ctx: Context) -> list[dict]:
    used = dict.fromkeys(DISK_CAPACITY, 0)
    for disk in _mine(ctx, "disk"):
        if disk["Type"] == "data" and disk.get("DiskChargeType", "PostPaid") == "PostPaid" and disk["Category"] in used:
            used[disk["Category"]] += int(disk["Size"])
    return [v for category, size in used.items() for v in _values(size, DiskCategory=category)]


def _postpaid_types(ctx: Context, zone: Optional[str]) -> list[dict]:
    """One value per zone and type sold there, zone by zone in the region's order [GUESS: the service's order]."""
    zones = [zone] if zone else regions.zone_ids(ctx.region)
    return [{"Value": t, "InstanceType": t, "ZoneId": z, **POSTPAID}
            for z in zones if z in regions.zone_ids(ctx.region) for t in instance_types.types_in_zone(z)]


ATTRIBUTES: dict[str, Callable[[Context, Optional[str]], list[dict]]] = {
    "instance-network-type": _network_types,
    "max-security-groups": _option("security_group_quota"),
    "max-elastic-network-interfaces": lambda ctx, zone: _values(UNENFORCED["max-elastic-network-interfaces"]),
    "max-postpaid-instance-vcpu-count": lambda ctx, zone: _values(UNENFORCED["max-postpaid-instance-vcpu-count"],
                                                                  **POSTPAID),
    "max-spot-instance-vcpu-count": lambda ctx, zone: _values(UNENFORCED["max-spot-instance-vcpu-count"], **POSTPAID),
    "used-postpaid-instance-vcpu-count": lambda ctx, zone: _vcpus(ctx, spot=False),
    "used-spot-instance-vcpu-count": lambda ctx, zone: _vcpus(ctx, spot=True),
    "max-postpaid-yundisk-capacity": lambda ctx, zone: [v for category, size in DISK_CAPACITY.items()
                                                        for v in _values(size, DiskCategory=category)],
    "used-postpaid-yundisk-capacity": lambda ctx, zone: _disk_capacity(ctx),
    # (the quota mockecs enforces counts pay-as-you-go hosts: QuotaExceed.AfterpayDedicatedHost)
    "max-dedicated-hosts": lambda ctx, zone: _values(ctx.config.options["dedicated_host_quota"], **POSTPAID),
    "supported-postpaid-instance-types": _postpaid_types,
    "max-axt-command-count": _option("command_quota"),
    "max-axt-invocation-daily": lambda ctx, zone: _values(UNENFORCED["max-axt-invocation-daily"]),
    "real-name-authentication": lambda ctx, zone: _values("yes"),
    "max-cloud-assistant-activation-count": _option("activation_quota"),
}
# (the metadata's answer description spells it so once: answered under the name asked)
ATTRIBUTES["supported-postpay-instance-types"] = _postpaid_types
DOCUMENTED = [n for n in ATTRIBUTES if n != "supported-postpay-instance-types"]  # all of them, when none is asked
REGION_MISSING = ("Invalid.Parameter", "The required parameter regionId must be not null.", 403)


@operation("DescribeAccountAttributes", Repeat("AttributeName"), S("ZoneId"), region_missing=REGION_MISSING)
def describe_account_attributes(ctx: Context, attribute_name: Optional[list[str]], zone_id: Optional[str]) -> dict:
    """The attributes asked for (every documented one when none is), in the order asked; a name the documentation
    does not list is left out [GUESS: no code is documented for it]."""
    names = [n for n in dict.fromkeys(attribute_name or DOCUMENTED) if n in ATTRIBUTES]
    return {"AccountAttributeItems": {"AccountAttributeItem": [
        {"AttributeName": name, "AttributeValues": {"ValueItem": ATTRIBUTES[name](ctx, zone_id)}} for name in names]}}

"""DescribeAccountAttributes: what the caller may create in a region (its quotas) and what it uses of them.

Quotas mockecs enforces come from its options (``security_group_quota``, ``command_quota``); the ones it does not
enforce are answered with the values of the metadata's example answer (vCPUs, dedicated hosts, ENIs, disk
capacity) or, where it has none, a [GUESS] (:data:`UNENFORCED`). What is used is counted from the caller's records
in the region; the instance types sold pay-as-you-go are the catalogue's for the region (or the zone asked).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.params import Repeat, S
from mockecs.world import instance_types, regions, resources

# The example answer's values; Cloud Assistant's two are [GUESS]es
UNENFORCED = {"max-dedicated-hosts": 2, "max-postpaid-instance-vcpu-count": 1000, "max-spot-instance-vcpu-count": 1000,
              "max-elastic-network-interfaces": 5000, "max-axt-invocation-daily": 10000,
              "max-cloud-assistant-activation-count": 5000}
# The example's data-disk capacity quotas (GiB) by category
DISK_CAPACITY = {"cloud_efficiency": 229376, "cloud_ssd": 204800, "cloud_essd": 204800}
NETWORK_TYPES = ("vpc", "classic")  # (mockecs launches both: classic without a vSwitch)


def _values(*values: Any, **fields: Any) -> list[dict]:
    return [{"Value": str(v), **fields} for v in values]


def _option(name: str) -> Callable[[Context, Optional[str]], list[dict]]:
    return lambda ctx, zone: _values(ctx.config.options[name] if ctx.config.options[name] is not None else "")


def _mine(ctx: Context, kind: str) -> list[dict]:
    """The caller's records of ``kind`` in the region (an index term: its own, not the store's)."""
    ids = sorted(ctx.txn.ids(kind, resources.owner_region(ctx.account, ctx.region)))
    return [r for r in resources.get_many(ctx, kind, ids) if r is not None]


def _vcpus(ctx: Context, spot: bool) -> list[dict]:
    return _values(sum(int(r.get("Cpu") or 0) for r in _mine(ctx, "instance")
                       if r.get("InstanceChargeType", "PostPaid") == "PostPaid"
                       and (r.get("SpotStrategy", "NoSpot") != "NoSpot") == spot))


def _disk_capacity(ctx: Context) -> list[dict]:
    used = dict.fromkeys(DISK_CAPACITY, 0)
    for disk in _mine(ctx, "disk"):
        if disk["Type"] == "data" and disk.get("DiskChargeType", "PostPaid") == "PostPaid" and disk["Category"] in used:
            used[disk["Category"]] += int(disk["Size"])
    return [v for category, size in used.items() for v in _values(size, DiskCategory=category)]


def _postpaid_types(ctx: Context, zone: Optional[str]) -> list[dict]:
    zones = [zone] if zone else regions.zone_ids(ctx.region)
    sold = dict.fromkeys(t for z in zones if z in regions.zone_ids(ctx.region) for t in instance_types.types_in_zone(z))
    return _values(*sold)


ATTRIBUTES: dict[str, Callable[[Context, Optional[str]], list[dict]]] = {
    "instance-network-type": lambda ctx, zone: _values(*NETWORK_TYPES),
    "max-security-groups": _option("security_group_quota"),
    "max-elastic-network-interfaces": lambda ctx, zone: _values(UNENFORCED["max-elastic-network-interfaces"]),
    "max-postpaid-instance-vcpu-count": lambda ctx, zone: _values(UNENFORCED["max-postpaid-instance-vcpu-count"]),
    "max-spot-instance-vcpu-count": lambda ctx, zone: _values(UNENFORCED["max-spot-instance-vcpu-count"]),
    "used-postpaid-instance-vcpu-count": lambda ctx, zone: _vcpus(ctx, spot=False),
    "used-spot-instance-vcpu-count": lambda ctx, zone: _vcpus(ctx, spot=True),
    "max-postpaid-yundisk-capacity": lambda ctx, zone: [v for category, size in DISK_CAPACITY.items()
                                                        for v in _values(size, DiskCategory=category)],
    "used-postpaid-yundisk-capacity": lambda ctx, zone: _disk_capacity(ctx),
    "max-dedicated-hosts": lambda ctx, zone: _values(UNENFORCED["max-dedicated-hosts"]),
    "supported-postpaid-instance-types": _postpaid_types,
    "max-axt-command-count": _option("command_quota"),
    "max-axt-invocation-daily": lambda ctx, zone: _values(UNENFORCED["max-axt-invocation-daily"]),
    "real-name-authentication": lambda ctx, zone: _values("yes"),
    "max-cloud-assistant-activation-count": lambda ctx, zone: _values(
        UNENFORCED["max-cloud-assistant-activation-count"]),
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

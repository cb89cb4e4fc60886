"""Cloud Assistant managed instances: CreateActivation, DescribeActivations, DisableActivation, DeleteActivation,
DescribeManagedInstances, ModifyManagedInstance, DeregisterManagedInstance.

An activation code registers servers outside Alibaba Cloud as managed instances (``mi-...``); the registration is
the server's own doing (:func:`mockecs.world.managed_instances.register`, or ``POST /_mockecs/managed-instances``).
Terraform's ``alicloud_ecs_activation`` and the ``alicloud_ecs_activations`` data source call the first four.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Mapping, Optional

from mockecs.ops.commands import PAGING, listing, page_args, sliced, wanted_tags
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import error_kind
from mockecs.wire.params import B, L, Repeat, S, Structs
from mockecs.world import commands, resource_groups, resources
from mockecs.world.managed_instances import ACTIVATION, MANAGED, digest, new_code
from mockecs.world.validation import check_tags

TAG = Structs("Tag", [S("Key"), S("Value")])
# The regions the metadata lists, and those the managed-instance guide adds since.
REGIONS = frozenset((
    "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou", "cn-shanghai",
    "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong", "ap-southeast-1", "ap-northeast-1",
    "us-west-1", "us-east-1", "ap-northeast-2", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "eu-central-1", "eu-west-1", "me-east-1", "me-central-1"))
NOT_SUPPORTED = error_kind("RegionId.ApiNotSupported", "The api is not supported in this region.", 400)
NAME_TOO_LONG = error_kind("InstanceName.ExceedLimit", "Default instance name prefix length exceeds.", 400)
BAD_NAME = error_kind("InstanceName.InvalidPattern", "Default instance name prefix pattern invalid.", 400)
DESCRIPTION_TOO_LONG = error_kind("ActivationDesc.ExceedLimit", "Activation description length exceeds.", 400)
BAD_COUNT = error_kind("ActivationLimitation.Invalid", "Registration limitation must be positive.", 400)
BAD_RANGE = error_kind("AddressRange.InvalidPattern", "Address range should be ipv4 address or cidr.", 400)
TOO_MANY = error_kind("ActivationCount.ExceedLimit", "Too many activations have been created.", 400)
BAD_TTL = error_kind("ActivationTTL.ExceedLimit", "Activation TTL exceeds limit.", 400)
ACTIVATION_NOT_FOUND = error_kind("ActivationId.NotFound", "The specified activation id does not exist.", 404)
IN_USE = error_kind("ActivationId.InUse", "The specified activation id is in use.", 403)
MODIFY_NAME_TOO_LONG = error_kind("InstanceName.ExceedLimit", "The specified instance name exceed limit.", 400)
MODIFY_BAD_NAME = error_kind("InstanceName.InvalidPattern", "The specified instance name pattern invalid.", 400)
MODIFY_NOT_FOUND = error_kind("InvalidInstance.NotFound", "The specified instances id does not exist.", 404)
DEREGISTER_NOT_FOUND = error_kind("InvalidInstance.NotFound", "The specified instance id does not exist.", 404)
MAX_TTL = 876576  # hours: 100 years (documented)
# Starts with a letter; letters, digits, '.', '_', '-', ':' (documented; the lengths are checked apart).
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._:-]*$")
# The fields each answer carries (the SDK's models of DisableActivation and DeleteActivation name fewer).
_DISABLE_FIELDS = ("ActivationId", "CreationTime", "DeregisteredCount", "Description", "Disabled", "InstanceCount",
                   "InstanceName", "IpAddressRange", "RegisteredCount", "TimeToLiveInHours")
_DELETE_FIELDS = tuple(f for f in _DISABLE_FIELDS if f != "Disabled")
_DEREGISTER_HIDDEN = ("Connected", "Tags")


def _supported(ctx: Context) -> None:
    if ctx.region not in REGIONS:
        raise NOT_SUPPORTED


def _check_name(name: str, longest: int, too_long: type, bad: type) -> None:
    if len(name) > longest:
        raise too_long
    if len(name) < 2 or not _NAME.match(name) or name.lower().startswith(("http://", "https://")):
        raise bad


def _address_range(text: Optional[str]) -> str:
    """IpAddressRange: an IPv4 or IPv6 address or CIDR block (default: any IPv4 address [GUESS: the documented
    example of DescribeActivations])."""
    if text is None:
        return "0.0.0.0/0"
    try:
        ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise BAD_RANGE from None
    return text.strip()


def _tags(tag: Optional[list[dict]]) -> list[dict]:
    return check_tags(wanted_tags(tag))


def _listed_tags(record: Mapping[str, Any]) -> list[dict]:
    """The answers' ``Tags``: a plain list of ``{TagKey, TagValue}``."""
    return [dict(t) for t in resources.tags_of(record)]


def _scope(ctx: Context, tags: list[dict]) -> tuple[str, str]:
    """The caller's records here: those carrying the first tag asked for (the tag index), else all of them."""
    if tags:
        return resources.own_tag_term(ctx, tags[0]["key"], tags[0].get("value"))
    return resources.owner_region(ctx.account, ctx.region)


def activation_view(record: Mapping[str, Any], fields: Optional[tuple[str, ...]] = None) -> dict:
    if fields is not None:
        return {name: record[name] for name in fields}
    return {**resources.wire(record), "Tags": _listed_tags(record)}


@operation("CreateActivation", S("InstanceName"), S("Description"),
           L("InstanceCount", error=("ActivationLimitation.Invalid", 400)),
           L("TimeToLiveInHours", error=("ActivationTTL.ExceedLimit", 400)), S("IpAddressRange"),
           S("ResourceGroupId"), TAG, idempotent=True, mapping=True)
def create_activation(ctx: Context, a: dict) -> dict:
    _supported(ctx)
    name = a["instance_name"] or ""
    if name:
        _check_name(name, 50, NAME_TOO_LONG, BAD_NAME)
    if a["description"] is not None and len(a["description"]) > 100:
        raise DESCRIPTION_TOO_LONG
    count = 10 if a["instance_count"] is None else a["instance_count"]
    if not 1 <= count <= 1000:
        raise BAD_COUNT
    ttl = 4 if a["time_to_live_in_hours"] is None else a["time_to_live_in_hours"]
    if not 1 <= ttl <= MAX_TTL:
        raise BAD_TTL
    address_range = _address_range(a["ip_address_range"])
    tags = _tags(a["tag"])
    group = resource_groups.resolve(ctx, a["resource_group_id"])
    if ctx.txn.count(ACTIVATION, resources.owner_region(ctx.account, ctx.region)) >= \
            ctx.config.options["activation_quota"]:
        raise TOO_MANY
    code, activation_id = new_code(ctx.region), resources.random_uuid().upper()
    resources.put(ctx.txn, ACTIVATION, {
        "ActivationId": activation_id, "InstanceName": name, "Description": a["description"] or "",
        "InstanceCount": count, "TimeToLiveInHours": ttl, "IpAddressRange": address_range,
        "CreationTime": resources.iso(ctx.now), "Disabled": False, "RegisteredCount": 0, "DeregisteredCount": 0,
        "ResourceGroupId": group, "Tags": {"Tag": tags}, "_code": digest(code), "_owner": ctx.account,
        "_region": ctx.region, "_created": ctx.now})
    return {"ActivationCode": code, "ActivationId": activation_id}


@operation("DescribeActivations", S("ActivationId"), S("InstanceName"), S("ResourceGroupId"), TAG, *PAGING)
def describe_activations(ctx: Context, activation_id: Optional[str], instance_name: Optional[str],
                         resource_group_id: Optional[str], tag: Optional[list[dict]], page_number: int,
                         page_size: int, max_results: Optional[int], next_token: Optional[str]) -> dict:
    """Newest first; an id that names nothing lists nothing (Terraform reads that as gone)."""
    _supported(ctx)
    tags = wanted_tags(tag)
    check_tags(tags)
    term = ("activation_name", commands.scoped(ctx, instance_name)) if instance_name else \
        resource_groups.term(resource_group_id) if resource_group_id else _scope(ctx, tags)
    filtered = activation_id or instance_name or resource_group_id or tags
    keep = (lambda r: (not instance_name or r["InstanceName"] == instance_name)
            and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
            and resources.match_tags(r, tags)) if filtered else None
    page, meta = listing(ctx, ACTIVATION, term, keep, page_number, page_size, next_token, max_results,
                         by_id=activation_id)
    return {**meta, "ActivationList": [activation_view(r) for r in page]}


def _activation(ctx: Context, activation_id: str) -> dict:
    _supported(ctx)
    return resources.owned(ctx, ACTIVATION, activation_id, ACTIVATION_NOT_FOUND)


@operation("DisableActivation", S("ActivationId", required=True))
def disable_activation(ctx: Context, activation_id: str) -> dict:
    """No new registration with it; the instances it registered stay (documented)."""
    record = resources.put(ctx.txn, ACTIVATION, {**_activation(ctx, activation_id), "Disabled": True})
    return {"Activation": activation_view(record, _DISABLE_FIELDS)}


@operation("DeleteActivation", S("ActivationId", required=True))
def delete_activation(ctx: Context, activation_id: str) -> dict:
    """Only an unused code: none of the instances it registered is still registered [GUESS: the documented
    "注册的托管实例数量为0" read as the instances registered now, so a code whose instances were all deregistered
    can go]."""
    record = _activation(ctx, activation_id)
    if record["RegisteredCount"] > record["DeregisteredCount"]:
        raise IN_USE
    resources.delete(ctx.txn, ACTIVATION, activation_id)
    return {"Activation": activation_view(record, _DELETE_FIELDS)}


# -- managed instances ---------------------------------------------------------------------------------------
def managed_view(ctx: Context, record: Mapping[str, Any], hidden: tuple[str, ...] = ()) -> dict:
    count, last = commands.invocations_on(ctx, record["InstanceId"])
    view = {**resources.wire(record), "Tags": _listed_tags(record), "InvocationCount": count, "LastInvokedTime": last}
    for name in hidden:
        view.pop(name, None)
    return view


@operation("DescribeManagedInstances", Repeat("InstanceId", max_items=50), S("InstanceName"), S("InstanceIp"),
           S("ActivationId"), S("OsType"), B("Connected"), S("MachineId"), S("ResourceGroupId"), TAG, *PAGING,
           mapping=True)
def describe_managed_instances(ctx: Context, a: dict) -> dict:
    _supported(ctx)
    tags = wanted_tags(a["tag"])
    check_tags(tags)
    ids = list(dict.fromkeys(a["instance_id"] or ()))
    name, ip, os_type = a["instance_name"], a["instance_ip"], (a["os_type"] or "").lower()
    if a["activation_id"]:
        term = ("activation", commands.scoped(ctx, a["activation_id"]))
    elif name:
        term = ("managed_name", commands.scoped(ctx, name))
    elif ip:
        term = ("managed_ip", commands.scoped(ctx, ip))
    elif a["resource_group_id"]:
        term = resource_groups.term(a["resource_group_id"])
    else:
        term = _scope(ctx, tags)

    def keep(r: Mapping[str, Any]) -> bool:
        return ((not ids or r["InstanceId"] in ids) and (not name or r["InstanceName"] == name)
                and (not ip or ip in (r["IntranetIp"], r["InternetIp"]))
                and (not a["activation_id"] or r["ActivationId"] == a["activation_id"])
                and (not os_type or r["OsType"].lower() == os_type)
                and (a["connected"] is None or r["Connected"] == a["connected"])
                and (not a["machine_id"] or r["MachineId"] == a["machine_id"])
                and (not a["resource_group_id"] or r["ResourceGroupId"] == a["resource_group_id"])
                and resources.match_tags(r, tags))

    filtered = any((ids, name, ip, a["activation_id"], os_type, a["connected"] is not None, a["machine_id"],
                    a["resource_group_id"], tags))
    if len(ids) == 1:
        page, meta = listing(ctx, MANAGED, term, keep, a["page_number"], a["page_size"], a["next_token"],
                             a["max_results"], by_id=ids[0])
    elif ids:  # (a few ids: read them, not the whole term)
        found = [r for r in resources.get_many(ctx, MANAGED, ids) if resources.is_mine(ctx, r) and keep(r)]
        found.sort(key=lambda r: (resources.ORDER[MANAGED](r), r["InstanceId"]))
        page_args(a["page_number"], a["page_size"], a["max_results"])
        page, meta = sliced(found, a["page_number"], a["page_size"], a["next_token"], a["max_results"])
    else:
        page, meta = listing(ctx, MANAGED, term, keep if filtered else None, a["page_number"], a["page_size"],
                             a["next_token"], a["max_results"])
    return {**meta, "Instances": [managed_view(ctx, r) for r in page]}


def _managed(ctx: Context, instance_id: str, not_found: type) -> dict:
    _supported(ctx)
    return resources.owned(ctx, MANAGED, instance_id, not_found)


@operation("ModifyManagedInstance", S("InstanceId", required=True), S("InstanceName", required=True))
def modify_managed_instance(ctx: Context, instance_id: str, instance_name: str) -> dict:
    _check_name(instance_name, 128, MODIFY_NAME_TOO_LONG, MODIFY_BAD_NAME)
    record = _managed(ctx, instance_id, MODIFY_NOT_FOUND)
    resources.put(ctx.txn, MANAGED, {**record, "InstanceName": instance_name})
    return {"Instance": {"InstanceId": instance_id, "InstanceName": instance_name}}


@operation("DeregisterManagedInstance", S("InstanceId", required=True))
def deregister_managed_instance(ctx: Context, instance_id: str) -> dict:
    """No more commands or files to it; its activation counts it as deregistered (a code can register again only
    within its InstanceCount: a deregistration gives no use back [GUESS])."""
    record = _managed(ctx, instance_id, DEREGISTER_NOT_FOUND)
    view = managed_view(ctx, record, _DEREGISTER_HIDDEN)
    activation = resources.get(ctx, ACTIVATION, record["ActivationId"])
    if activation is not None:
        resources.put(ctx.txn, ACTIVATION, {**activation, "DeregisteredCount": activation["DeregisteredCount"] + 1})
    resources.delete(ctx.txn, MANAGED, instance_id)
    return {"Instance": view}

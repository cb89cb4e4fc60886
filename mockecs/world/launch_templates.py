"""Launch templates and their versions: what CreateLaunchTemplate & co. keep, and what a launch takes from them.

A template (kind ``launch_template``, ids ``lt-...``) holds its name, default and latest version numbers, tags and
resource group; each version is a record of its own (kind ``launch_template_version``, id ``<template id>:<n>``,
under the term ``("lt_versions", template id)`` in version order), holding:

- ``LaunchTemplateData``: what DescribeLaunchTemplateVersions shows, in the current SDK's names and types;
- ``_args``: the template's parameters as the request sent them (flat wire names, ``SystemDisk.Size``,
  ``DataDisk.1.Category`` ...), which :func:`apply` hands to RunInstances as defaults.

Version numbers start at 1 and are never reused: a new version takes one more than the highest the template
ever had (``_made``), even after the latest was deleted; ``LatestVersionNumber`` is the highest that exists.
Templates are found by id (the record) or by name (the ``lt_name`` term: a name is unique per account and region),
versions by id: nothing is scanned.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.wire.errors import error_kind, missing_parameter
from mockecs.wire.params import Param, group
from mockecs.world import resources
from mockecs.world.context import Context

KIND, VERSION = "launch_template", "launch_template_version"
VERSIONS = "lt_versions"  # term: a template's versions, in version order
NAME = "lt_name"  # term: a template by its name among its owner's in a region

# The launch operations' messages; the template operations document these codes with "%s" [GUESS: the message
# DescribeLaunchTemplateVersions documents for the first, the same words for the second].
TEMPLATE_NOT_FOUND = error_kind("InvalidLaunchTemplate.NotFound", "The specified LaunchTemplate is not found.", 404)
VERSION_NOT_FOUND = error_kind("InvalidLaunchTemplateVersion.NotFound",
                               "The specified LaunchTemplateVersion is not found.", 404)


def name_term(account: str, region: str, name: str) -> tuple[str, str]:
    return NAME, f"{account}|{region}|{name}"


def version_id(template_id: str, number: int) -> str:
    return f"{template_id}:{number}"


resources.TERMS[KIND] = lambda r: [name_term(r["_owner"], r["_region"], r["LaunchTemplateName"])]
resources.TERMS[VERSION] = lambda r: [(VERSIONS, r["LaunchTemplateId"])]
resources.ORDER[KIND] = lambda r: resources.time_key(r["_created"])  # creation order [GUESS]
# Templates in creation order, each one's versions by number (one template's term lists them by number).
resources.ORDER[VERSION] = lambda r: f"{resources.time_key(r['_template_created'])}{r['LaunchTemplateId']}" \
                                     f"{r['VersionNumber']:010d}"


def find(ctx: Context, template_id: Optional[str], name: Optional[str],
         not_found: type = TEMPLATE_NOT_FOUND) -> dict:
    """The caller's template here named by id, else by name (the id wins when both are sent [GUESS]);
    neither: MissingParameter LaunchTemplateId."""
    if template_id:
        return resources.owned(ctx, KIND, template_id, not_found)
    if not name:
        raise missing_parameter("LaunchTemplateId")
    found = by_name(ctx, name)
    if found is None:
        raise not_found
    return found


def by_name(ctx: Context, name: str) -> Optional[dict]:
    """The caller's template of that name here (the name's index term holds one at most)."""
    ids = ctx.txn.ids(KIND, name_term(ctx.account, ctx.region, name))
    return resources.get(ctx, KIND, next(iter(ids))) if ids else None


def version(ctx: Context, template: Mapping[str, Any], number: int,
            not_found: type = VERSION_NOT_FOUND) -> dict:
    found = ctx.txn.get(VERSION, version_id(template["LaunchTemplateId"], number))
    if found is None:
        raise not_found
    return dict(found)


def version_numbers(ctx: Context, template_id: str) -> list[int]:
    """A template's version numbers, ascending (from the index's ids: no record read)."""
    return sorted(int(i.rpartition(":")[2]) for i in ctx.txn.ids(VERSION, (VERSIONS, template_id)))


# -- LaunchTemplateData: the stored parameters in the answer's shape ------------------------------------------
# Lists the answer wraps in an object of its own name (DataDisk.N -> DataDisks.DataDisk[] ...).
_LISTS = {"DataDisk": ("DataDisks", "DataDisk"), "NetworkInterface": ("NetworkInterfaces", "NetworkInterface"),
          "SecurityGroupIds": ("SecurityGroupIds", "SecurityGroupId"), "Tag": ("Tags", "InstanceTag")}
# The SystemDisk fields are shown twice: as the current SDK's SystemDisk object, and flat (``SystemDisk.Size``),
# the form the API metadata documents and Terraform's alicloud_ecs_launch_template reads.
FLAT_STRUCTS = ("SystemDisk",)


def _item(param: Param, value: Mapping[str, Any]) -> dict:
    shown: dict[str, Any] = {}
    for f in param.fields:
        v = value.get(f.name)
        if v is None:
            continue
        if f.kind == "list":  # NetworkInterface.N.SecurityGroupIds.M -> SecurityGroupIds.SecurityGroupId[]
            v = {"SecurityGroupId": list(v)}
        shown[f.wire] = v
    return shown


def data_view(params: tuple[Param, ...], args: Mapping[str, Any]) -> dict:
    """The LaunchTemplateData of a version made with ``args`` (the decoded template parameters ``params``).
    Unset scalars are left out; the lists' objects are always there (Terraform's read indexes into them
    without a check) [GUESS]."""
    data: dict[str, Any] = {outer: {inner: []} for outer, inner in _LISTS.values()}
    for param in params:
        value = args.get(param.name)
        if value is None:
            continue
        if param.wire in _LISTS:
            outer, inner = _LISTS[param.wire]
            if param.wire == "Tag":
                value = [{"Key": t.get("key") or "", "Value": t.get("value") or ""} for t in value if t.get("key")]
            elif param.kind == "structs":
                value = [_item(param, v) for v in value]
            data[outer] = {inner: list(value)}
        elif param.kind == "struct":
            shown = _item(param, value)
            if shown:
                data[param.wire] = shown
                if param.wire in FLAT_STRUCTS:
                    data.update({f"{param.wire}.{k}": v for k, v in shown.items()})
        else:
            data[param.wire] = value
    return data


def stored_args(params: Mapping[str, str], heads: frozenset[str]) -> dict[str, str]:
    """The request's template parameters as sent (flat wire names), for :func:`apply`."""
    return {k: v for k, v in params.items() if k.partition(".")[0] in heads and v != ""}


# -- launches ------------------------------------------------------------------------------------------------
# Request parameters that say one thing together: a launch sending one of them drops the template's other
# (SecurityGroupIds.N sent: the template's SecurityGroupId is not taken too, which would conflict) [GUESS].
_TOGETHER = {"SecurityGroupIds": "SecurityGroupId", "ImageFamily": "ImageId"}


# RunInstances' parameters a request's primary NetworkInterface.N stands for (mockecs.world.launch_interfaces)
_PRIMARY_STANDS_FOR = ("VSwitchId", "SecurityGroupId", "SecurityGroupIds", "PrivateIpAddress", "Ipv6Address",
                       "Ipv6AddressCount")


def _unit(key: str, by_wire: Mapping[str, Param]) -> str:
    """What a flat parameter sets: a struct's member on its own (``SystemDisk.Size``), a list as a whole
    (``DataDisk``: the request's DataDisk.N replace the template's), a scalar."""
    head = key.partition(".")[0]
    param = by_wire.get(head)
    if param is not None and param.kind == "struct":
        return key
    return _TOGETHER.get(head, head)


def apply(ctx: Context, args: dict, by_wire: Mapping[str, Param]) -> dict:
    """RunInstances with ``LaunchTemplateId``/``LaunchTemplateName`` (and ``LaunchTemplateVersion``, else the
    default version): the version's parameters become the launch's, except those the request sends itself
    (documented: the request's win). ``args`` (the decoded request, completed in place) is decoded again for
    the parameters the template gives, by the launch's own declarations (``by_wire``): a template value the
    launch refuses is refused now (templates are not checked when made, documented). Template parameters the
    launch does not take are not used."""
    if not args.get("launch_template_id") and not args.get("launch_template_name"):
        return args
    template = find(ctx, args.get("launch_template_id"), args.get("launch_template_name"))
    number = args.get("launch_template_version") or template["DefaultVersionNumber"]
    stored = version(ctx, template, number)["_args"]
    sent = {_unit(k, by_wire) for k in ctx.params}
    if any(k.startswith("NetworkInterface.") and k.endswith(".InstanceType") and v == "Primary"
           for k, v in ctx.params.items()):  # (the request's primary interface stands for these: it wins)
        sent |= {_unit(k, by_wire) for k in _PRIMARY_STANDS_FOR}
    taken = {k: v for k, v in stored.items() if _unit(k, by_wire) not in sent}
    heads = {k.partition(".")[0] for k in taken} & by_wire.keys()
    grouped = group({k: v for k, v in {**taken, **ctx.params}.items() if k.partition(".")[0] in heads})
    for head in heads:
        param = by_wire[head]
        value = param.decode(grouped[head])
        if value is not None:
            args[param.name] = value
    return args

"""Launch templates: CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates,
DescribeLaunchTemplateVersions, ModifyLaunchTemplateDefaultVersion, DeleteLaunchTemplateVersion,
DeleteLaunchTemplate (Terraform's ``alicloud_ecs_launch_template``; image pipelines that add a version with their
new image and make it the default). RunInstances takes a template's version as its defaults
(:func:`mockecs.world.launch_templates.apply`).

Templates are checked for the form of what they hold (names, descriptions, host name, user data, tags), not for
the existence of the images, types, groups or vSwitches they name: documented, those are checked when a launch
uses them. Quotas: ``launch_template_quota`` templates per account and region, ``launch_template_version_quota``
versions per template (options; 30 and 30, documented).
"""
from __future__ import annotations

from typing import Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import B, F, I, L, Repeat, S, Struct, Structs
from mockecs.world import launch, paging, resource_groups, resources, validation
from mockecs.world import launch_templates as lt

KIND, VERSION = lt.KIND, lt.VERSION

# Codes documented with "%s" messages: the words are ours [GUESS].
BAD_NAME = error_kind("InvalidLaunchTemplateName.Malformed", "The specified parameter LaunchTemplateName is not valid.")
NAME_TAKEN = error_kind("LaunchTemplateName.Duplicated", "The specified LaunchTemplateName already exists.", 403)
TEMPLATE_QUOTA = error_kind("LaunchTemplateLimitExceed", "The number of launch templates exceeds the limit.", 403)
VERSION_QUOTA = error_kind("LaunchTemplateVersionLimitExceed",
                           "The number of launch template versions exceeds the limit.", 403)
TAG_QUOTA = error_kind("QuotaExceed.Tags", "The number of TemplateTag.N exceeds the limit of 20.", 403)
DELETE_DEFAULT = error_kind("InvalidOperation.DeleteDefaultVersion",
                            "The default version of a launch template cannot be deleted.", 403)
BAD_VERSION_DESCRIPTION = error_kind("InvalidDescription.Malformed",
                                     'The specified parameter "VersionDescription" is not valid.')
BAD_USER_DATA = error_kind("InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid.")
USER_DATA_TOO_BIG = error_kind("InvalidUserData.SizeExceeded", 'The specified parameter "UserData" exceeds the size.')
BAD_ENI = error_kind("InvalidParams.CreateEniParams",
                     "NetworkInterface.N may set one primary network interface at most.")

_DISK_FIELDS = (S("Category"), I("Size"), S("DiskName"), S("Description"), S("PerformanceLevel"),
                B("DeleteWithInstance"), S("AutoSnapshotPolicyId"), I("ProvisionedIops"), B("BurstingEnabled"),
                S("Encrypted"), S("KMSKeyId"))
# The parameters a version stores (both operations'), in the current SDK's names and types.
DATA = (
    S("ImageId"), S("ImageOwnerAlias"), B("PasswordInherit"), S("InstanceType"), S("SecurityGroupId"),
    Repeat("SecurityGroupIds", max_items=16), S("VpcId"), S("VSwitchId"), S("InstanceName"), S("Description"),
    I("InternetMaxBandwidthIn"), I("InternetMaxBandwidthOut"), S("HostName"), S("ZoneId"),
    Struct("SystemDisk", [*_DISK_FIELDS, I("Iops")]), S("IoOptimized"), S("InstanceChargeType"), I("Period"),
    S("PeriodUnit"), B("AutoRenew"), I("AutoRenewPeriod"), S("InternetChargeType"), B("EnableVmOsConfig"),
    S("NetworkType"), S("UserData"), S("KeyPairName"), S("RamRoleName"), S("AutoReleaseTime"), S("SpotStrategy"),
    F("SpotPriceLimit", min=0, max=999999), I("SpotDuration"), S("ResourceGroupId"),
    S("SecurityEnhancementStrategy"), S("PrivateIpAddress"), S("DeploymentSetId"), I("Ipv6AddressCount"),
    Structs("DataDisk", [*_DISK_FIELDS, S("SnapshotId"), S("Device")], max_items=16),
    Structs("NetworkInterface", [S("VSwitchId"), S("NetworkInterfaceName"), S("Description"), S("SecurityGroupId"),
                                 S("PrimaryIpAddress"), Repeat("SecurityGroupIds", max_items=16), S("InstanceType"),
                                 S("NetworkInterfaceTrafficMode"), B("DeleteOnRelease")], max_items=8),
    B("DeletionProtection"), S("CreditSpecification"), S("HttpEndpoint"), S("HttpTokens"),
    I("HttpPutResponseHopLimit"), Struct("ImageOptions", [B("LoginAsNonRoot")]),
    Struct("SecurityOptions", [S("TrustedSystemMode")]),  # (EnableSecureBoot: CreateLaunchTemplate's SDK only)
    Structs("Tag", [S("Key"), S("Value")], max_items=20),  # (the instances' tags)
)
_HEADS = frozenset(p.wire for p in DATA)
_TEMPLATE_TAGS = Structs("TemplateTag", [S("Key"), S("Value")])
_BY_ID_OR_NAME = (S("LaunchTemplateId"), S("LaunchTemplateName"))
# Each of these operations documents InvalidRegion.NotExist (400, "%s") for a region that does not exist.
_REGION_ERROR = {"region_error": ("InvalidRegion.NotExist", 400, "The specified RegionId does not exist.")}
MAX_TEMPLATE_TAGS = 20  # (more: QuotaExceed.Tags, documented for CreateLaunchTemplate)


def _check_name(name: str) -> None:
    if not validation.valid_instance_name(name):
        raise BAD_NAME


def _valid_host_name(name: str) -> bool:
    """A template's HostName as RunInstances will take it (the launch applies it as its own HostName): the
    ``${instance_id}`` placeholder and a ``name_prefix[begin,bits]name_suffix`` sequence allowed, the name they give
    held to the host name rules [GUESS: the template's parameter description states the plain rules only; a
    malformed sequence is its InvalidHostName.Malformed]. The image's OS is not known yet: Linux's looser rules."""
    try:
        expanded = launch.batch_names(name, 1, False, "HostName", 64)
    except EcsError:
        return False
    return validation.valid_host_name(launch.host_name(expanded[0] if expanded else name, launch.SAMPLE_ID, False),
                                      windows=False)


def _check_data(ctx: Context, a: dict) -> None:
    """The forms the template operations document codes for; nothing is looked up (documented)."""
    if a["version_description"] and not validation.valid_description(a["version_description"]):
        raise BAD_VERSION_DESCRIPTION if ctx.action == "CreateLaunchTemplate" else validation.BAD_DESCRIPTION
    if a["description"] and not validation.valid_description(a["description"]):
        raise validation.BAD_DESCRIPTION
    if a["host_name"] and not _valid_host_name(a["host_name"]):
        raise validation.BAD_HOST_NAME
    problem = validation.user_data_problem(a["user_data"]) if a["user_data"] else None
    if problem:
        raise BAD_USER_DATA if problem == "base64" else USER_DATA_TOO_BIG
    if sum(1 for n in a["network_interface"] or () if n.get("instance_type") == "Primary") > 1:
        raise BAD_ENI
    validation.check_tags(a["tag"] or [])
    if a["resource_group_id"]:
        resource_groups.resolve(ctx, a["resource_group_id"])


def _new_version(ctx: Context, template: dict, number: int, a: dict) -> dict:
    record = {
        "_id": lt.version_id(template["LaunchTemplateId"], number),
        "LaunchTemplateId": template["LaunchTemplateId"], "LaunchTemplateName": template["LaunchTemplateName"],
        "VersionNumber": number, "VersionDescription": a["version_description"] or "",
        "CreateTime": resources.iso(ctx.now), "ModifiedTime": resources.iso(ctx.now), "CreatedBy": ctx.account,
        "LaunchTemplateData": lt.data_view(DATA, a),
        "_args": lt.stored_args(ctx.params, _HEADS),
        "_owner": ctx.account, "_region": ctx.region, "_template_created": template["_created"],
    }
    return resources.put(ctx.txn, VERSION, record)


@operation("CreateLaunchTemplate", S("LaunchTemplateName", required=True), S("VersionDescription"), *DATA,
           _TEMPLATE_TAGS, S("TemplateResourceGroupId"), mapping=True, **_REGION_ERROR)
def create_launch_template(ctx: Context, a: dict) -> dict:
    name = a["launch_template_name"]
    _check_name(name)
    _check_data(ctx, a)
    if len(a["template_tag"] or ()) > MAX_TEMPLATE_TAGS:
        raise TAG_QUOTA
    tags = resources.tags_from_args(a["template_tag"])
    group = resource_groups.resolve(ctx, a["template_resource_group_id"])
    if lt.by_name(ctx, name) is not None:
        raise NAME_TAKEN
    if ctx.txn.count(KIND, resources.owner_region(ctx.account, ctx.region)) >= \
            ctx.config.options["launch_template_quota"]:
        raise TEMPLATE_QUOTA
    template = {
        "LaunchTemplateId": resources.new_id(KIND, ctx.region), "LaunchTemplateName": name,
        "DefaultVersionNumber": 1, "LatestVersionNumber": 1, "CreateTime": resources.iso(ctx.now),
        "ModifiedTime": resources.iso(ctx.now), "CreatedBy": ctx.account, "ResourceGroupId": group,
        "Tags": {"Tag": tags}, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_made": 1,
    }
    resources.put(ctx.txn, KIND, template)
    _new_version(ctx, template, 1, a)
    return {"LaunchTemplateId": template["LaunchTemplateId"], "LaunchTemplateVersionNumber": 1}


@operation("CreateLaunchTemplateVersion", *_BY_ID_OR_NAME, S("VersionDescription"), *DATA, mapping=True,
           **_REGION_ERROR)
def create_launch_template_version(ctx: Context, a: dict) -> dict:
    _check_data(ctx, a)
    template = lt.find(ctx, a["launch_template_id"], a["launch_template_name"])
    if ctx.txn.count(VERSION, (lt.VERSIONS, template["LaunchTemplateId"])) >= \
            ctx.config.options["launch_template_version_quota"]:
        raise VERSION_QUOTA
    number = template["_made"] + 1  # (never a number used before, even a deleted one's)
    resources.put(ctx.txn, KIND, {**template, "_made": number, "LatestVersionNumber": number,
                                  "ModifiedTime": resources.iso(ctx.now)})
    _new_version(ctx, template, number, a)
    return {"LaunchTemplateId": template["LaunchTemplateId"], "LaunchTemplateVersionNumber": number}


def _bare(ctx: Context, name: str) -> Optional[list[str]]:
    return [ctx.params[name]] if ctx.params.get(name) else None


@operation("DescribeLaunchTemplates", Repeat("LaunchTemplateId", max_items=100),
           Repeat("LaunchTemplateName", max_items=100), Structs("TemplateTag", [S("Key"), S("Value")], max_items=20),
           S("TemplateResourceGroupId"), paging.PAGE_NUMBER, paging.PAGE_SIZE, **_REGION_ERROR)
def describe_launch_templates(ctx: Context, launch_template_id: Optional[list[str]],
                              launch_template_name: Optional[list[str]], template_tag: Optional[list[dict]],
                              template_resource_group_id: Optional[str], page_number: int, page_size: int) -> dict:
    """Ids and names that are not the caller's are left out (Terraform reads an empty list as gone); the
    filters narrow one another [GUESS]; creation order [GUESS]. A bare ``LaunchTemplateName`` (no ``.N``, as
    Terraform's alicloud_ecs_launch_templates sends it) is one name [GUESS]; so is a bare ``LaunchTemplateId``."""
    launch_template_id = launch_template_id or _bare(ctx, "LaunchTemplateId")
    launch_template_name = launch_template_name or _bare(ctx, "LaunchTemplateName")
    wanted_tags = [t for t in template_tag or () if t.get("key")]
    if paging.unfiltered(locals()):
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                         page_number, page_size, None, None)
        total = meta["TotalCount"]
    else:
        named: Optional[set[str]] = set(launch_template_id) if launch_template_id else None
        if launch_template_name:  # (names by their index term; with ids too, both must match)
            by_names = set().union(*(ctx.txn.ids(KIND, lt.name_term(ctx.account, ctx.region, n))
                                     for n in launch_template_name))
            named = by_names if named is None else named & by_names
        group = resource_groups.term(template_resource_group_id) if template_resource_group_id else None
        found = [r for r in resources.mine_among(ctx, KIND, named, group, tags=wanted_tags)
                 if (not template_resource_group_id or r["ResourceGroupId"] == template_resource_group_id)
                 and resources.match_tags(r, wanted_tags)] if named != set() else []
        found.sort(key=lambda r: (r["_created"], r["LaunchTemplateId"]))
        page, total = paging.by_number(found, page_number, page_size), len(found)
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "LaunchTemplateSets": {"LaunchTemplateSet": [resources.wire(r) for r in page]}}


def _version_view(record: dict, default: int, detail: bool) -> dict:
    view = {k: v for k, v in record.items() if not k.startswith("_") and (detail or k != "LaunchTemplateData")}
    view["DefaultVersion"] = record["VersionNumber"] == default
    return view


@operation("DescribeLaunchTemplateVersions", Repeat("LaunchTemplateVersion", item=L("N"), max_items=100),
           *_BY_ID_OR_NAME, L("MinVersion"), L("MaxVersion"), B("DefaultVersion"), B("DetailFlag", default=True),
           paging.PAGE_NUMBER, paging.PAGE_SIZE, **_REGION_ERROR)
def describe_launch_template_versions(ctx: Context, launch_template_version: Optional[list[int]],
                                      launch_template_id: Optional[str], launch_template_name: Optional[str],
                                      min_version: Optional[int], max_version: Optional[int],
                                      default_version: Optional[bool], detail_flag: bool, page_number: int,
                                      page_size: int) -> dict:
    """One template's versions, ascending [GUESS]; the filters narrow one another [GUESS]; DefaultVersion
    false: the other versions. Neither id nor name: MissingParameter (documented: one must be given)."""
    template = lt.find(ctx, launch_template_id, launch_template_name)
    template_id, default = template["LaunchTemplateId"], template["DefaultVersionNumber"]
    term = (lt.VERSIONS, template_id)
    if not launch_template_version and min_version is None and max_version is None and default_version is None:
        total = ctx.txn.count(VERSION, term)
        start = (page_number - 1) * page_size
        ids = [e[1] for e in ctx.txn.page(VERSION, term, start, page_size)] if start < total else []
    else:
        numbers = [n for n in lt.version_numbers(ctx, template_id)
                   if (not launch_template_version or n in launch_template_version)
                   and (min_version is None or n >= min_version) and (max_version is None or n <= max_version)
                   and (default_version is None or (n == default) == default_version)]
        total, ids = len(numbers), [lt.version_id(template_id, n) for n in paging.by_number(numbers, page_number,
                                                                                            page_size)]
    found = [r for r in ctx.txn.get_many(VERSION, ids) if r is not None]
    return {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
            "LaunchTemplateVersionSets": {"LaunchTemplateVersionSet": [
                _version_view(dict(r), default, detail_flag) for r in found]}}


@operation("ModifyLaunchTemplateDefaultVersion", *_BY_ID_OR_NAME, L("DefaultVersionNumber", required=True),
           **_REGION_ERROR)
def modify_launch_template_default_version(ctx: Context, launch_template_id: Optional[str],
                                           launch_template_name: Optional[str], default_version_number: int) -> dict:
    template = lt.find(ctx, launch_template_id, launch_template_name)
    lt.version(ctx, template, default_version_number)
    resources.put(ctx.txn, KIND, {**template, "DefaultVersionNumber": default_version_number,
                                  "ModifiedTime": resources.iso(ctx.now)})
    return {"LaunchTemplateId": template["LaunchTemplateId"]}


def _delete_versions(ctx: Context, template: dict, numbers: list[int]) -> None:
    for number in numbers:
        resources.delete(ctx.txn, VERSION, lt.version_id(template["LaunchTemplateId"], number))


@operation("DeleteLaunchTemplateVersion", Repeat("DeleteVersion", item=L("N"), required=True, max_items=1000),
           *_BY_ID_OR_NAME, **_REGION_ERROR)
def delete_launch_template_version(ctx: Context, delete_version: list[int], launch_template_id: Optional[str],
                                   launch_template_name: Optional[str]) -> dict:
    """All or nothing: the default version among them, or one that does not exist, deletes none
    (InvalidLaunchTemplateVersion.NotFound: not documented for this action [GUESS])."""
    template = lt.find(ctx, launch_template_id, launch_template_name)
    numbers = list(dict.fromkeys(delete_version))
    if template["DefaultVersionNumber"] in numbers:
        raise DELETE_DEFAULT
    for number in numbers:
        lt.version(ctx, template, number)
    _delete_versions(ctx, template, numbers)
    left = lt.version_numbers(ctx, template["LaunchTemplateId"])
    resources.put(ctx.txn, KIND, {**template, "LatestVersionNumber": max(left),
                                  "ModifiedTime": resources.iso(ctx.now)})
    return {"LaunchTemplateVersions": {"LaunchTemplateVersion": [
        {"LaunchTemplateId": template["LaunchTemplateId"], "LaunchTemplateVersionNumber": n} for n in numbers]}}


@operation("DeleteLaunchTemplate", *_BY_ID_OR_NAME, **_REGION_ERROR)
def delete_launch_template(ctx: Context, launch_template_id: Optional[str],
                           launch_template_name: Optional[str]) -> dict:
    """The template and every version (instances launched from it keep running)."""
    template = lt.find(ctx, launch_template_id, launch_template_name)
    numbers = lt.version_numbers(ctx, template["LaunchTemplateId"])
    _delete_versions(ctx, template, numbers)
    resources.delete(ctx.txn, KIND, template["LaunchTemplateId"])
    return {"LaunchTemplateId": template["LaunchTemplateId"],
            "LaunchTemplateVersionNumbers": {"versionNumbers": numbers}}

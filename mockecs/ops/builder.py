"""Image Builder: components, pipelines (templates) and their executions (spec §3.18-3.20).

Records (kinds ``component`` ``ic-``, ``pipeline`` ``ip-``, ``execution`` ``exec-``) are stored in
the wire shape of the ``Describe*`` set elements plus ``_owner``, ``_region`` and ``_created``
(mock-clock seconds, for a stable newest-first order). Executions also keep ``_images`` (the ids
of the images they produce), ``_stages`` (the statuses they walk through) and ``_progress``.

An execution is one lifecycle transition of kind ``execution`` (instant by default). Its
intermediate status (PREPARING → [REPAIRING] → BUILDING → [TESTING] → DISTRIBUTING → RELEASING)
is derived from the transition's progress on the mock clock, so an execution whose clock ran past
its end is SUCCESS at the next read whatever happened in between. The images it produces are
created at start (``Creating``) as transitions of the same length, so they become ``Available``
exactly when the execution reaches SUCCESS; a cancelled or failed execution deletes them.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind, missing_parameter
from mockecs.wire.params import TAGS, B, Comma, I, L, Repeat, S, Struct, Structs
from mockecs.world import image_builder, images, lifecycle, networks, paging, regions, resource_groups, resources
from mockecs.world.instance_types import instance_type as find_instance_type
from mockecs.world.validation import check_description, check_family, check_name, check_tags, valid_name

MAX_CONTENT = 16 * 1024  # bytes, BuildContent / TestContent / component Content
MAX_COMMANDS = 127
RUNNING_END = ("SUCCESS", "PARTITION_SUCCESS", "FAILED", "TEST_FAILED", "CANCELLED")
STATUSES = ("PREPARING", "REPAIRING", "BUILDING", "TESTING", "DISTRIBUTING", "RELEASING", "SUCCESS",
            "PARTITION_SUCCESS", "FAILED", "TEST_FAILED", "CANCELLING", "CANCELLED")
# Commands whose argument must not be empty, and RESTART, which takes none (Appendix A codes).
NEEDS_ARGUMENT = ("RUN", "ENV", "WORKDIR", "COPY", "USER", "CMD", "ENTRYPOINT", "LABEL")
# The template language's commands (Image Builder docs); any other is InvalidImageTemplateCommand.NotSupported.
COMMANDS = frozenset(NEEDS_ARGUMENT + ("FROM", "RESTART", "COMPONENT"))
_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$|^\d+$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(=\S*|\s+\S.*)$")
_FROM = re.compile(r"^(IMAGE:m-\w+|IMAGE:[\w.-]+\.vhd|IMAGE_FAMILY:[\w.:-]+)$")
STAGE_MESSAGES = {
    "PREPARING": "Preparing the transition instance.",
    "REPAIRING": "Repairing the base image.",
    "BUILDING": "Building the image.",
    "TESTING": "Testing the image.",
    "DISTRIBUTING": "Distributing the image.",
    "RELEASING": "Releasing the transition resources.",
    "SUCCESS": "The image has been built successfully.",
}
DEFAULT_FAILURE = ("ImageBuild.Failed", "The image build failed.")  # [GUESS] no documented code

COMPONENT_NOT_FOUND = error_kind("InvalidImageComponent.NotFound", "The specified image component does not exist.", 404)
PIPELINE_NOT_FOUND = error_kind("InvalidImagePipeline.NotFound", "The specified image pipeline does not exist.", 404)
EXECUTION_NOT_FOUND = error_kind("InvalidImagePipelineExecution.NotFound",
                               "The specified image pipeline execution does not exist!", 404)
HAS_RUNNING = error_kind("InvalidImagePipeline.HasRunningExecution",
                       "The specified image pipeline has a running execution.", 403)
NAME_TAKEN = error_kind("InvalidImageName.Duplicated", "The specified Image name has already bean used.", 400)


# -- shared helpers --------------------------------------------------------------------------
def paginate(kind: str, records: Iterable[Mapping[str, Any]], max_results: int,
             next_token: Optional[str]) -> tuple[list[Mapping[str, Any]], dict]:
    """NextToken/MaxResults pagination (spec §1.8), newest first: (page, response fields)."""
    ordered = sorted(records, key=lambda r: (-r.get("_created", 0.0), r[resources.ID_FIELD[kind]]))
    page, token = paging.by_token(ordered, max_results, next_token)
    return list(page), {"TotalCount": len(ordered), "MaxResults": max_results, "NextToken": token}


def ordered(ctx: Context, kind: str, term: resources.Term, max_results: int, next_token: Optional[str],
            read: Optional[Callable[[str], Optional[dict]]] = None) -> tuple[list[Mapping[str, Any]], dict]:
    """:func:`paginate` of every record under ``term``, from the ordered index: TotalCount from its count,
    records read (by ``read``, else in one batch) only for the page."""
    total = ctx.txn.count(kind, term)
    start = paging.offset(next_token, total)
    ids = [entry[1] for entry in ctx.txn.page(kind, term, start, max_results, False)]
    found = [read(i) for i in ids] if read else resources.get_many(ctx, kind, ids)
    end = start + max_results
    return ([r for r in found if r is not None],
            {"TotalCount": total, "MaxResults": max_results, "NextToken": paging.token(end) if end < total else ""})


def _mine(ctx: Context, kind: str) -> list[dict]:
    """The caller's records of ``kind`` in the request's region."""
    found = []
    for resource_id in sorted(ctx.txn.ids(kind, resources.owner_region(ctx.account, ctx.region))):
        record = _execution(ctx, resource_id) if kind == "execution" else resources.get(ctx, kind, resource_id)
        if record is not None:
            found.append(record)
    return found


def _tags(tag: Optional[list[dict]]) -> dict:
    return {"Tag": resources.tags_from_args(tag)}


def _check_content(content: str, length_code: str, label: str, component: bool) -> None:
    if len(content.encode("utf-8")) > MAX_CONTENT:
        raise EcsError(length_code, f"The length of {label} exceeds the limit of 16 KB.", 400)
    commands = image_builder.commands(content)
    if len(commands) > MAX_COMMANDS:
        raise EcsError("InvalidImageTemplateCommandSize.ExceededMaxNumber",
                       f"The number of commands in {label} exceeds {MAX_COMMANDS}.", 400)
    froms = [i for i, (command, _) in enumerate(commands) if command == "FROM"]
    if component and froms:
        raise EcsError("NotSupportedCommand.FROM", "The image component does not support the FROM command.", 404)
    if len(froms) > 1:
        raise EcsError("DuplicatedCommand.FROM", "The FROM command can only be specified once.", 400)
    if froms and froms[0] != 0:
        raise EcsError("InvalidCommandOrder.FROM", "The FROM command must be the first command.", 400)
    for command, argument in commands:
        if component and command == "COMPONENT":
            raise EcsError("InvalidCommand.Component", "Image component does not support component command.", 400)
        if command in NEEDS_ARGUMENT and not argument:
            raise EcsError(f"EmptyCommandContent.{command}", f"The content of the {command} command is empty.", 400)
        if command == "RESTART" and argument:
            raise EcsError("NotEmptyCommandContent.RESTART", "The RESTART command does not take any content.", 400)
        if command not in COMMANDS:
            raise EcsError("InvalidImageTemplateCommand.NotSupported",
                           f"The command {command} is not supported by image templates.", 400)
        if argument and not _valid_argument(command, argument):
            raise EcsError(f"InvalidCommandContent.{command}", f"The content of the {command} command is invalid.", 400)


def _json_form(argument: str) -> bool:
    """``["executable", "arg"]``: a JSON array of strings (the exec form of CMD/ENTRYPOINT/RUN)."""
    try:
        value = json.loads(argument)
    except ValueError:
        return False
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _valid_argument(command: str, argument: str) -> bool:
    """Dockerfile-like rules for a command's (non-empty) content."""
    if command in ("RUN", "CMD", "ENTRYPOINT"):
        return _json_form(argument) if argument.startswith("[") else True
    if command == "ENV":
        return bool(_ENV.match(argument))
    if command == "WORKDIR":  # an absolute path (Linux, or a Windows drive)
        return argument.startswith("/") or bool(re.match(r"^[A-Za-z]:[\\/]", argument))
    if command == "COPY":  # a source and a destination
        return len(argument.split()) >= 2
    if command == "USER":
        return bool(_USER.match(argument))
    if command == "FROM":
        return bool(_FROM.match(argument))
    return True


# -- components ------------------------------------------------------------------------------
_VERSION = re.compile(r"^(\d{1,9})\.(\d{1,9})\.(\d{1,9})$")


def _quota(ctx: Context, option: str, kind: str, code: str, what: str) -> None:
    # Quotas are undocumented numbers: off unless a test sets engine.config.options[option].
    limit = ctx.config.options.get(option)
    if limit is not None and ctx.txn.count(kind, resources.owner_region(ctx.account, ctx.region)) >= int(limit):
        raise EcsError(code, f"The number of {what} exceeds the limit ({limit}).", 400)


@operation("CreateImageComponent",
           S("Name"), S("ComponentType", default="Build", choices=("Build", "Test"),
                        error=("InvalidComponentType.NotSupportedValue", 400)),
           S("SystemType", default="Linux", choices=("Linux", "Windows"),
             error=("InvalidSystemType.NotSupportedValue", 400)),
           S("ComponentVersion"), S("Content"), S("Description"), S("ResourceGroupId"), TAGS,
           idempotent=True)
def create_image_component(ctx: Context, name: Optional[str], component_type: str, system_type: str,
                           component_version: Optional[str], content: Optional[str], description: Optional[str],
                           resource_group_id: Optional[str], tag: Optional[list[dict]]) -> dict:
    if name:
        check_name(name, "InvalidName.Malformed", "The specified Name is wrongly formed.")
    check_description(description, "InvalidDescription.Malformed")
    if not content:
        raise EcsError("MissingParameter.Content", "The input parameter Content is mandatory.", 400)
    _check_content(content, "InvalidContent.LengthExceeded", "Content", component=True)
    tags = _tags(tag)
    _quota(ctx, "image_component_quota", "component", "QuotaExceed.ImageComponent", "image components")
    component_id = resources.new_id("component", ctx.region)
    name = name or component_id
    versions = [r["ComponentVersion"] for r in _by_name(ctx, name)]
    if component_version:
        if not _VERSION.match(component_version):
            # [GUESS] no documented code for a malformed version
            raise EcsError("InvalidComponentVersion.Malformed", "The specified ComponentVersion is not valid.", 400)
        if component_version in versions:
            raise EcsError("InvalidComponentVersion.Exist",
                           "The specified ComponentVersion already exists for this component name.", 403)
    else:
        majors = [int(v.split(".")[0]) for v in versions if _VERSION.match(v)]
        component_version = f"{max(majors, default=0) + 1}.0.0"
    record = {
        "ImageComponentId": component_id, "Name": name, "ComponentType": component_type,
        "ComponentVersion": component_version, "SystemType": system_type, "Content": content,
        "Description": description or "", "Owner": "SELF", "CreationTime": resources.iso(ctx.now),
        "ResourceGroupId": resource_groups.resolve(ctx, resource_group_id), "Parameters": {"Parameter": []},
        "Tags": tags, "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    resources.put(ctx.txn, "component", record)
    return {"ImageComponentId": component_id}


def _by_name(ctx: Context, name: str) -> list[dict]:
    ids = ctx.txn.ids("component", ("name", f"{ctx.account}|{ctx.region}|{name}"))
    return [r for r in (resources.get(ctx, "component", i) for i in sorted(ids)) if r is not None]


def _version_matches(version: str, pattern: str) -> bool:
    # One part of the pattern may be "*" (e.g. "1.*.0" or "2.*").
    wanted = pattern.split(".")
    have = version.split(".")
    if len(wanted) > len(have):
        return False
    return all(w == "*" or w == h for w, h in zip(wanted, have)) and (
        len(wanted) == len(have) or wanted[-1] == "*")


@operation("DescribeImageComponents",
           Repeat("ImageComponentId", max_items=20, error=("InvalidImageComponentIdSize.ExceededMaxNumber", 400)),
           S("Name"), S("ComponentVersion"), S("ComponentType"), S("SystemType"),
           S("Owner", choices=("SELF", "ALIYUN"), error=("InvalidParameter.Owner", 400)),
           S("ResourceGroupId"), TAGS,
           I("MaxResults", default=50, min=1, max=500), S("NextToken"))
def describe_image_components(ctx: Context, image_component_id: Optional[list[str]], name: Optional[str],
                              component_version: Optional[str], component_type: Optional[str],
                              system_type: Optional[str], owner: Optional[str], resource_group_id: Optional[str],
                              tag: Optional[list[dict]], max_results: int, next_token: Optional[str]) -> dict:
    if paging.unfiltered({**locals(), "owner": None if owner == "SELF" else owner}):
        page, meta = ordered(ctx, "component", resources.owner_region(ctx.account, ctx.region), max_results,
                             next_token)
        return {**meta, "ImageComponent": {"ImageComponentSet": [resources.wire(r) for r in page]}}
    # Alibaba's own (ALIYUN) components are not modelled: the fake has none [GUESS].
    found = [] if owner == "ALIYUN" else _mine(ctx, "component")
    ids = set(image_component_id or ())
    found = [r for r in found if
             (not ids or r["ImageComponentId"] in ids)
             and (not name or r["Name"] == name)
             # ComponentVersion only filters together with Name (spec §3.18)
             and (not (name and component_version) or _version_matches(r["ComponentVersion"], component_version))
             and (not component_type or r["ComponentType"] == component_type)
             and (not system_type or r["SystemType"] == system_type)
             and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
             and resources.match_tags(r, tag)]
    page, meta = paginate("component", found, max_results, next_token)
    return {**meta, "ImageComponent": {"ImageComponentSet": [resources.wire(r) for r in page]}}


@operation("DeleteImageComponent", S("ImageComponentId", required=True))
def delete_image_component(ctx: Context, image_component_id: str) -> dict:
    resources.owned(ctx, "component", image_component_id, COMPONENT_NOT_FOUND)
    if ctx.txn.ids("pipeline", ("component", image_component_id)):
        raise EcsError("InvalidImageComponent.InUse",
                       "The specified image component is used by an image pipeline.", 403)
    resources.delete(ctx.txn, "component", image_component_id)
    return {}


# -- pipelines -------------------------------------------------------------------------------
IMAGE_OPTIONS = Struct("ImageOptions", [
    S("ImageName"), S("ImageFamily"), S("Description"),
    Struct("ImageFeatures", [S("NvmeSupport", choices=("supported", "unsupported", "auto"))]),
    Structs("ImageTags", [S("Key"), S("Value")], max_items=20),
])
IMPORT_OPTIONS = Struct("ImportImageOptions", [
    Structs("DiskDeviceMappings", [S("OSSBucket"), S("OSSObject"), S("Format"), I("DiskImageSize")], max_items=17),
    S("Architecture", choices=("x86_64", "arm64", "i386")), S("OSType", choices=("linux", "windows")),
    S("Platform"), S("BootMode", choices=("BIOS", "UEFI", "UEFI-Preferred")),
    S("LicenseType", choices=("Auto", "Aliyun", "BYOL")),
    Struct("Features", [S("NvmeSupport", choices=("supported", "unsupported")),
                        S("ImdsSupport", choices=("v1", "v2"))]),
    S("ImageName"), S("Description"), Structs("ImportImageTags", [S("Key"), S("Value")], max_items=20),
    S("RoleName"), S("RetentionStrategy", choices=("RetainOnlySuccessful", "RetainOnlyFailed", "RetainAlways",
                                                   "RetainNever")),
    B("RetainImportedImage"),
])


def _family_image(ctx: Context, family: str) -> Optional[Mapping[str, Any]]:
    """The newest Available image of ``family`` the caller may use here (spec §2.6)."""
    usable = [r for r in images.family_images(ctx, family) if r.get("Status") == "Available"
              and images.can_see(ctx, r) and images.alias_for(ctx, r) != "marketplace"]
    return max(usable, key=lambda r: (r.get("CreationTime", ""), r["ImageId"]), default=None)


def _base_image(ctx: Context, pipeline: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    if pipeline["BaseImageType"] == "IMAGE":
        return images.visible(ctx, pipeline["BaseImage"])
    if pipeline["BaseImageType"] == "IMAGE_FAMILY":
        return _family_image(ctx, pipeline["BaseImage"])
    return None  # OSS: the image comes from ImportImageOptions


def _import_options(options: dict) -> Optional[dict]:
    mappings = [m for m in options.get("disk_device_mappings") or () if m.get("oss_bucket") or m.get("oss_object")]
    if not mappings:
        return None
    features = options.get("features") or {}
    return {
        "DiskDeviceMappings": {"DiskDeviceMapping": [
            {"OSSBucket": m.get("oss_bucket") or "", "OSSObject": m.get("oss_object") or "",
             "Format": m.get("format") or "", "DiskImageSize": m.get("disk_image_size") or 0} for m in mappings]},
        "Architecture": options.get("architecture") or "x86_64", "OSType": options.get("os_type") or "linux",
        "Platform": options.get("platform") or "", "BootMode": options.get("boot_mode") or "",
        "LicenseType": options.get("license_type") or "",
        "Features": {"NvmeSupport": features.get("nvme_support") or "",
                     "ImdsSupport": features.get("imds_support") or ""},
        "ImageName": options.get("image_name") or "", "Description": options.get("description") or "",
        "ImportImageTags": {"ImportImageTag": [{"Key": t["TagKey"], "Value": t["TagValue"]} for t in
                                               check_tags(options.get("import_image_tags") or [])]},
        "RoleName": options.get("role_name") or "",
        "RetentionStrategy": options.get("retention_strategy") or "RetainNever",
        "RetainImportedImage": bool(options.get("retain_imported_image")),
    }


@operation("CreateImagePipeline",
           S("BaseImageType", required=True, choices=("IMAGE", "IMAGE_FAMILY", "OSS"),
             error=("InvalidBaseImageType.NotSupportedValue", 400)),
           S("BaseImage"), S("Name"), S("Description"), S("BuildContent"), S("TestContent"),
           S("ImageName"), S("ImageFamily"), S("NvmeSupport", choices=("supported", "unsupported", "auto")),
           IMAGE_OPTIONS, IMPORT_OPTIONS,
           Repeat("ToRegionId", max_items=20, error=("InvalidToRegionIdSize.ExceededMaxNumber", 400)),
           Repeat("AddAccount", item=L("AddAccount"), max_items=20,
                  error=("InvalidAddAccountSize.ExceededMaxNumber", 400)),
           S("InstanceType"),
           I("SystemDiskSize", default=40, min=20, max=500, error=("InvalidSystemDiskSize.NotSupportedValue", 400)),
           I("InternetMaxBandwidthOut", default=0, min=0, max=100,
             error=("InvalidInternetMaxBandwidthOut.NotSupportedValue", 400)),
           S("VSwitchId"), B("DeleteInstanceOnFailure", default=True), S("RepairMode"), Repeat("RepairItem"),
           Struct("ImageSecurityOptions", [S("SecurityScanMode")]),
           Struct("AdvancedOptions", [S("ImageNameSuffix"), B("RetainCloudAssistant")]),
           S("ResourceGroupId"), TAGS,
           idempotent=True)
def create_image_pipeline(ctx: Context, base_image_type: str, base_image: Optional[str], name: Optional[str],
                          description: Optional[str], build_content: Optional[str], test_content: Optional[str],
                          image_name: Optional[str], image_family: Optional[str], nvme_support: Optional[str],
                          image_options: dict, import_image_options: dict, to_region_id: Optional[list[str]],
                          add_account: Optional[list[int]], instance_type: Optional[str], system_disk_size: int,
                          internet_max_bandwidth_out: int, v_switch_id: Optional[str],
                          delete_instance_on_failure: bool, repair_mode: Optional[str],
                          repair_item: Optional[list[str]], image_security_options: dict, advanced_options: dict,
                          resource_group_id: Optional[str], tag: Optional[list[dict]]) -> dict:
    if name:
        check_name(name, "InvalidName.Malformed", "The specified Name is wrongly formed.")
    check_description(description, "InvalidDescription.Malformed")
    check_description(image_options.get("description"), "InvalidDescription.Malformed")
    prefix = image_options.get("image_name") or image_name
    if prefix is not None and prefix != "" and (len(prefix) > 64 or not valid_name(prefix)):
        raise EcsError("InvalidImageName.Malformed", "The specified ImageName is wrongly formed.", 400)
    family = image_options.get("image_family") or image_family
    check_family(family)
    image_tags = check_tags(image_options.get("image_tags") or [])
    tags = _tags(tag)
    for label, content in (("BuildContent", build_content), ("TestContent", test_content)):
        if content:
            _check_content(content, f"Invalid{label}.LengthExceeded", label, component=False)
    for component_id in image_builder.referenced_components(build_content, test_content):
        component = resources.get(ctx, "component", component_id)
        if component is None or component["_owner"] != ctx.account or component["_region"] != ctx.region:
            raise EcsError("ImageComponent.NotFound", f"The specified image component {component_id} does not exist.",
                           404)

    import_options = None
    if base_image_type == "OSS":
        import_options = _import_options(import_image_options)
        if import_options is None:
            raise EcsError("MissingParameter.ImportImageOptions",
                           "The input parameter ImportImageOptions is mandatory when BaseImageType is OSS.", 404)
        base_image = base_image or ""
    elif not base_image:
        raise missing_parameter("BaseImage")
    elif base_image_type == "IMAGE" and images.visible(ctx, base_image) is None:
        raise EcsError("InvalidImage.NotFound", f"The specified image {base_image} does not exist.", 404)
    elif base_image_type == "IMAGE_FAMILY" and _family_image(ctx, base_image) is None:
        raise EcsError("InvalidImage.NotFound",
                       f"The specified image family {base_image} has no available image.", 404)
    base = None if base_image_type == "OSS" else (
        images.visible(ctx, base_image) if base_image_type == "IMAGE" else _family_image(ctx, base_image))
    if (base or {}).get("OSType") == "windows":
        raise EcsError("ImagePipeline.NotSupportWindowsInstance",
                       "Image pipeline does not support windows instance at this time.", 403)

    targets: list[str] = []
    for region in to_region_id or ():
        if not regions.exists(region):
            raise EcsError("InvalidRegionId.NotFound", f"The specified ToRegionId {region} does not exist.", 404)
        if region not in targets:
            targets.append(region)
    accounts: list[str] = []
    for account in add_account or ():
        if str(account) not in accounts:
            accounts.append(str(account))
    if instance_type and find_instance_type(instance_type) is None:
        raise EcsError("InvalidInstanceType.NotFound", "The specified InstanceType does not exist.", 404)
    if v_switch_id and not resources.is_mine(ctx, resources.get(ctx, "vswitch", v_switch_id)):
        raise networks.VSWITCH_NOT_FOUND  # the research notes' 404 InvalidVSwitchId.NotFound (spec §5)
    suffix = advanced_options.get("image_name_suffix") or ""
    if prefix and suffix == "disable":
        # the final image name is the prefix itself: it must be free here and in every target region
        for region in [ctx.region, *targets]:
            if images.name_taken(ctx, prefix, region):
                raise NAME_TAKEN
    _quota(ctx, "image_pipeline_quota", "pipeline", "QuotaExceed.ImagePipeline", "image pipelines")

    pipeline_id = resources.new_id("pipeline", ctx.region)
    nvme = (image_options.get("image_features") or {}).get("nvme_support") or nvme_support or ""
    record: dict = {
        "ImagePipelineId": pipeline_id, "Name": name or pipeline_id, "Description": description or "",
        "BaseImageType": base_image_type, "BaseImage": base_image, "BuildContent": build_content or "",
        "TestContent": test_content or "", "ImageName": prefix or "", "ImageFamily": family or "",
        "NvmeSupport": nvme, "InstanceType": instance_type or "", "SystemDiskSize": system_disk_size,
        "InternetMaxBandwidthOut": internet_max_bandwidth_out, "VSwitchId": v_switch_id or "",
        "DeleteInstanceOnFailure": delete_instance_on_failure, "RepairMode": repair_mode or "",
        "RepairItems": {"RepairItem": list(repair_item or ())},
        "ResourceGroupId": resource_groups.resolve(ctx, resource_group_id), "CreationTime": resources.iso(ctx.now),
        "ToRegionIds": {"ToRegionId": targets}, "AddAccounts": {"AddAccount": accounts}, "Tags": tags,
        "AdvancedOptions": {"ImageNameSuffix": suffix,
                            "RetainCloudAssistant": bool(advanced_options.get("retain_cloud_assistant"))},
        "ImageOptions": {"ImageName": prefix or "", "ImageFamily": family or "",
                         "Description": image_options.get("description") or "",
                         "ImageFeatures": {"NvmeSupport": nvme}, "ImageTags": {"ImageTag": image_tags}},
        "ImageSecurityOptions": {"SecurityScanMode": image_security_options.get("security_scan_mode") or ""},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    if import_options is not None:
        record["ImportImageOptions"] = import_options
    resources.put(ctx.txn, "pipeline", record)
    return {"ImagePipelineId": pipeline_id}


@operation("DescribeImagePipelines",
           Repeat("ImagePipelineId", max_items=20, error=("InvalidImagePipelineIdSize.ExceededMaxNumber", 400)),
           S("Name"), S("ResourceGroupId"), TAGS, I("MaxResults", default=50, min=1, max=500), S("NextToken"))
def describe_image_pipelines(ctx: Context, image_pipeline_id: Optional[list[str]], name: Optional[str],
                             resource_group_id: Optional[str], tag: Optional[list[dict]], max_results: int,
                             next_token: Optional[str]) -> dict:
    if name:
        check_name(name, "InvalidName.Malformed", "The specified Name is wrongly formed.")
    if paging.unfiltered(locals()):
        page, meta = ordered(ctx, "pipeline", resources.owner_region(ctx.account, ctx.region), max_results,
                             next_token)
        return {**meta, "ImagePipeline": {"ImagePipelineSet": [resources.wire(r) for r in page]}}
    ids = set(image_pipeline_id or ())
    found = [r for r in _mine(ctx, "pipeline") if
             (not ids or r["ImagePipelineId"] in ids)
             and (not name or r["Name"] == name)
             and (not resource_group_id or r["ResourceGroupId"] == resource_group_id)
             and resources.match_tags(r, tag)]
    page, meta = paginate("pipeline", found, max_results, next_token)
    return {**meta, "ImagePipeline": {"ImagePipelineSet": [resources.wire(r) for r in page]}}


@operation("DeleteImagePipeline", S("ImagePipelineId", required=True))
def delete_image_pipeline(ctx: Context, image_pipeline_id: str) -> dict:
    resources.owned(ctx, "pipeline", image_pipeline_id, PIPELINE_NOT_FOUND)
    executions = _executions_of(ctx, image_pipeline_id)
    if any(_running(e) for e in executions):
        raise HAS_RUNNING
    # [GUESS] the pipeline's execution history goes with it
    for execution in executions:
        resources.delete(ctx.txn, "execution", execution["ExecutionId"])
    resources.delete(ctx.txn, "pipeline", image_pipeline_id)
    return {}


# -- executions ------------------------------------------------------------------------------
def _running(execution: Mapping[str, Any]) -> bool:
    return execution["Status"] not in RUNNING_END


def _executions_of(ctx: Context, pipeline_id: str) -> list[dict]:
    found = []
    for execution_id in sorted(ctx.txn.ids("execution", ("pipeline", pipeline_id))):
        record = _execution(ctx, execution_id)
        if record is not None:
            found.append(record)
    return found


def _settle_running(ctx: Context, pipeline_id: str) -> dict[str, Optional[dict]]:
    """The pipeline's executions in flight, brought up to date (as reading them all does) before a page is
    read from the index: found under the caller's ``pending:`` term, never a scan."""
    scope = resources.owner_region(ctx.account, ctx.region)
    settled = {}
    for execution_id in sorted(ctx.txn.ids("execution", ("pending:" + scope[0], scope[1]))):
        raw = ctx.txn.get("execution", execution_id)
        if raw is not None and raw["ImagePipelineId"] == pipeline_id:
            settled[execution_id] = _execution(ctx, execution_id)
    return settled


def _delete_images(ctx: Context, execution: Mapping[str, Any]) -> None:
    for image_id in execution.get("_images") or ():
        if ctx.txn.get("image", image_id) is not None:
            resources.delete(ctx.txn, "image", image_id)


def _fail(ctx: Context, record: dict, code: str, message: str) -> dict:
    _delete_images(ctx, record)
    failed = {k: v for k, v in record.items() if k != "_pending"}
    failed.update({"Status": "FAILED", "ErrorCode": code, "ErrorInfo": message, "Message": message,
                   "ImageId": "", "ModifiedTime": resources.iso(ctx.now), "_images": []})
    return resources.put(ctx.txn, "execution", failed)


def _execution(ctx: Context, execution_id: Optional[str]) -> Optional[dict]:
    """An execution settled to the mock clock, its status derived from its progress."""
    raw = ctx.txn.get("execution", execution_id) if execution_id else None
    if raw is None:
        return None
    failures = ctx.engine.lifecycle.failures
    destined = (raw.get("_pending") or {}).get("outcome", {}).get("Status")
    if execution_id in failures and _running(raw) and raw["Status"] != "CANCELLING" and destined != "FAILED":
        # engine.lifecycle.fail(exec id) can only be called once the execution exists: it ends the
        # execution at its next read, unless it had already finished.
        return _fail(ctx, dict(raw), DEFAULT_FAILURE[0], failures[execution_id])
    record = resources.get(ctx, "execution", execution_id)
    if record is None:
        return None
    stages = record.get("_stages") or ()
    if "_pending" in record and record["Status"] in stages:
        fraction = int((record.get("_progress") or "0%").rstrip("%")) / 100
        index = min(len(stages) - 1, int(fraction * len(stages)))
        status = stages[index]
        if status != record["Status"]:
            # ModifiedTime is when this stage began on the mock clock (the read may come long after
            # a jump of the clock); reads counted by observations have no clock time: "now".
            pending = record["_pending"]
            began = ctx.now
            if pending.get("seconds"):
                began = min(ctx.now, pending["start"] + pending["seconds"] * index / len(stages))
            record = resources.put(ctx.txn, "execution", {
                **record, "Status": status, "Message": STAGE_MESSAGES.get(status, ""),
                "ModifiedTime": resources.iso(began)})
    return record


def _produce_images(ctx: Context, pipeline: Mapping[str, Any], execution_id: str,
                    base: Optional[Mapping[str, Any]]) -> list[str]:
    """The execution's images, ``Creating`` until it ends: one here, a copy per ToRegionId, shared to AddAccount."""
    options = pipeline["ImageOptions"]
    prefix = options["ImageName"] or pipeline["Name"]  # [GUESS] no prefix given: the pipeline's name
    suffix_off = pipeline["AdvancedOptions"]["ImageNameSuffix"] == "disable"
    name = prefix if suffix_off else f"{prefix}_{execution_id}"
    regions_ = [pipeline["_region"]] + [r for r in pipeline["ToRegionIds"]["ToRegionId"] if r != pipeline["_region"]]
    for region in regions_:
        if images.name_taken(ctx, name, region):
            raise NAME_TAKEN
    when = resources.iso(ctx.now)
    if base is not None:
        inherited = images.inherited_fields(base, present_only=True)
    else:  # OSS: the operating system is described by ImportImageOptions
        imported = pipeline.get("ImportImageOptions") or {}
        platform = imported.get("Platform") or "Others Linux"
        inherited = {"OSType": imported.get("OSType") or "linux", "Platform": platform,
                     "OSName": f"{platform}  64位", "OSNameEn": f"{platform}  64 bit",
                     "Architecture": imported.get("Architecture") or "x86_64",
                     "BootMode": imported.get("BootMode") or "BIOS", "LicenseType": imported.get("LicenseType") or ""}
    features = dict(inherited.get("Features") or {"NvmeSupport": "unsupported", "ImdsSupport": "v1"})
    if options["ImageFeatures"]["NvmeSupport"] in ("supported", "unsupported"):
        features["NvmeSupport"] = options["ImageFeatures"]["NvmeSupport"]
    inherited["Features"] = features
    size = pipeline["SystemDiskSize"]
    ids = []
    for index, region in enumerate(regions_):
        record = images.new_record(
            ctx, region, [images.mapping("/dev/xvda", "system", size, Progress="0%")],
            ImageName=name, Description=options["Description"], ImageFamily=options["ImageFamily"],
            IsCopied=index > 0, ResourceGroupId=pipeline["ResourceGroupId"],
            Tags={"Tag": [dict(t) for t in options["ImageTags"]["ImageTag"]]},
            Status="Creating", Progress="0%", Usable=False,
            _shares={account: when for account in pipeline["AddAccounts"]["AddAccount"]},
            _source={"kind": "pipeline", "execution": execution_id, "pipeline": pipeline["ImagePipelineId"]},
            **inherited)
        done = {"Status": "Available", "Progress": "100%", "Usable": True,
                "DiskDeviceMappings": {"DiskDeviceMapping": [images.mapping("/dev/xvda", "system", size)]}}
        # Timed as the execution (kind "execution", its id), so both end at the same mock time.
        record = lifecycle.start(ctx, "execution", execution_id, record, done=done, progress_field="Progress")
        images.put(ctx, record)
        ids.append(record["ImageId"])
    return ids


def _option_failure(ctx: Context) -> Optional[str]:
    """``engine.config.options["fail_next_execution"]`` (True, a count or a message): fail that many
    next executions; the count used is kept in the store so it resets with the engine."""
    value = ctx.config.options.get("fail_next_execution")
    if not value:
        return None
    wanted = value if isinstance(value, int) and not isinstance(value, bool) else 1
    used = (ctx.txn.get("builder_state", "fail_next_execution") or {}).get("used", 0)
    if used >= wanted:
        return None
    ctx.txn.put("builder_state", "fail_next_execution", {"used": used + 1})
    return value if isinstance(value, str) else DEFAULT_FAILURE[1]


@operation("StartImagePipelineExecution",
           S("ImagePipelineId", required=True), TAGS, Structs("TemplateTag", [S("Key"), S("Value")], max_items=20),
           idempotent=True)
def start_image_pipeline_execution(ctx: Context, image_pipeline_id: str, tag: Optional[list[dict]],
                                   template_tag: Optional[list[dict]]) -> dict:
    pipeline = resources.owned(ctx, "pipeline", image_pipeline_id, PIPELINE_NOT_FOUND)
    tags = _tags(tag or template_tag)  # TemplateTag is the deprecated name of Tag
    if any(_running(e) for e in _executions_of(ctx, image_pipeline_id)):
        raise HAS_RUNNING
    base = _base_image(ctx, pipeline)
    if base is None and pipeline["BaseImageType"] != "OSS":
        raise EcsError("InvalidImagePipeline.BaseImageNotFound",
                       "The base image of the specified image pipeline does not exist.", 404)
    execution_id = resources.new_id("execution", ctx.region)
    stages = ["PREPARING"] + (["REPAIRING"] if pipeline.get("RepairMode") else []) + ["BUILDING"]
    stages += (["TESTING"] if pipeline.get("TestContent") else []) + ["DISTRIBUTING", "RELEASING"]
    now = resources.iso(ctx.now)
    record: dict = {
        "ExecutionId": execution_id, "ImagePipelineId": image_pipeline_id, "ImageId": "", "Status": "PREPARING",
        "Message": STAGE_MESSAGES["PREPARING"], "ErrorCode": "", "ErrorInfo": "", "CreationTime": now,
        "ModifiedTime": now, "ResourceGroupId": pipeline["ResourceGroupId"], "Tags": tags,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now, "_stages": stages,
        "_progress": "0%", "_images": [], "_base_image": base["ImageId"] if base is not None else "",
    }
    life = ctx.engine.lifecycle
    failure = _option_failure(ctx)
    if failure is None and life.claim_failure("execution", execution_id):
        failure = life.failures[execution_id]
    if failure is not None:
        done = {"Status": "FAILED", "ErrorCode": DEFAULT_FAILURE[0], "ErrorInfo": failure, "Message": failure,
                "_progress": "100%"}
    else:
        try:
            image_ids = _produce_images(ctx, pipeline, execution_id, base)
        except EcsError as err:  # e.g. the un-suffixed name is taken now: the execution fails, not the call
            image_ids = []
            done = {"Status": "FAILED", "ErrorCode": err.code, "ErrorInfo": err.message, "Message": err.message,
                    "_progress": "100%"}
        else:
            done = {"Status": "SUCCESS", "Message": STAGE_MESSAGES["SUCCESS"], "_progress": "100%"}
            record.update(ImageId=image_ids[0], _images=image_ids)
    delay = life.delay_for("execution", execution_id)
    if delay.seconds:
        done["ModifiedTime"] = resources.iso(ctx.now + delay.seconds)
    record = lifecycle.start(ctx, "execution", execution_id, record, done=done, progress_field="_progress")
    resources.put(ctx.txn, "execution", record)
    return {"ExecutionId": execution_id}


@operation("DescribeImagePipelineExecutions",
           S("ImagePipelineId"), S("ExecutionId"),
           Comma("Status", choices=STATUSES, error=("InvalidParameter.Status", 400)),
           TAGS, I("MaxResults", default=50, min=1, max=500), S("NextToken"))
def describe_image_pipeline_executions(ctx: Context, image_pipeline_id: Optional[str], execution_id: Optional[str],
                                       status: Optional[list[str]], tag: Optional[list[dict]], max_results: int,
                                       next_token: Optional[str]) -> dict:
    if not image_pipeline_id and not execution_id:
        raise EcsError("MissingParameter.ImagePipelineId",
                       "The specified parameter ImagePipelineId should not be empty.", 400)
    if image_pipeline_id:
        resources.owned(ctx, "pipeline", image_pipeline_id, PIPELINE_NOT_FOUND)
        if paging.unfiltered({**locals(), "image_pipeline_id": None}):
            settled = _settle_running(ctx, image_pipeline_id)  # each execution is read once
            page, meta = ordered(ctx, "execution", ("pipeline", image_pipeline_id), max_results, next_token,
                                 lambda i: settled[i] if i in settled else _execution(ctx, i))
            return {**meta, "ImagePipelineExecution": {"ImagePipelineExecutionSet": [
                resources.wire(r) for r in page]}}
        found = _executions_of(ctx, image_pipeline_id)
    else:
        found = _mine(ctx, "execution")
    found = [r for r in found if
             r["_owner"] == ctx.account and r["_region"] == ctx.region
             and (not execution_id or r["ExecutionId"] == execution_id)
             and (not status or r["Status"] in status)
             and resources.match_tags(r, tag)]
    page, meta = paginate("execution", found, max_results, next_token)
    return {**meta, "ImagePipelineExecution": {"ImagePipelineExecutionSet": [resources.wire(r) for r in page]}}


@operation("CancelImagePipelineExecution",
           S("ExecutionId", required=True), Structs("TemplateTag", [S("Key"), S("Value")], max_items=20))
def cancel_image_pipeline_execution(ctx: Context, execution_id: str, template_tag: Optional[list[dict]]) -> dict:
    record = _execution(ctx, execution_id)
    if not resources.is_mine(ctx, record):
        raise EXECUTION_NOT_FOUND
    if record["Status"] == "CANCELLING":
        raise EcsError("InvalidStatus.ImagePipelineExecution", "The execution is already being cancelled.", 403)
    if not _running(record):
        raise EcsError("InvalidStatus.CancelFailed",
                       "Failed to cancel execution,status is success, failed or cancelled.", 400)
    _delete_images(ctx, record)
    cancelling = {k: v for k, v in record.items() if k != "_pending"}
    cancelling.update({"Status": "CANCELLING", "Message": "Cancelling the execution.", "ImageId": "",
                       "_images": [], "ModifiedTime": resources.iso(ctx.now)})
    done = {"Status": "CANCELLED", "Message": "The execution has been cancelled."}
    delay = ctx.engine.lifecycle.delay_for("execution", execution_id)
    if delay.seconds:  # CANCELLED is reached (and modified) when the cancellation ends
        done["ModifiedTime"] = resources.iso(ctx.now + delay.seconds)
    cancelling = lifecycle.start(ctx, "execution", execution_id, cancelling, done=done)
    resources.put(ctx.txn, "execution", cancelling)
    return {}

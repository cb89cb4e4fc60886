"""Every setting of mockecs, declared once: name, type, default, allowed values, help.

``SETTINGS`` are the engine's own (region, store, transitions ...); ``OPTIONS`` are behaviour switches for the
choices the sources leave open (quotas, lenient or strict answers). The engine's ``Config``, the decorator,
the pytest options, ini keys and marker, the server's flags, ``--option NAME=VALUE``, ``--config FILE``,
``MOCKECS_<NAME>`` environment variables and ``/_mockecs/config`` all read this table, and the docs and
``--help`` are generated from it, so a setting has one spelling and one check everywhere.

Two ways in: :func:`parse` for text (command line, environment, ini files) and :func:`check` for typed
values (Python, JSON, TOML). Both raise :class:`SettingError`, whose text names the setting and what it
accepts.
"""
from __future__ import annotations

import math
import os
import warnings
from typing import Any, Callable, Mapping, Optional

from mockecs.wire.records import record
from mockecs.world import regions
from mockecs.world.lifecycle import MODES

ENV_PREFIX = "MOCKECS_"
# MOCKECS_ variables that are not settings: where tests find the API metadata, where the CA is kept ...
OTHER_VARIABLES = {"MOCKECS_SPEC_DIR", "MOCKECS_HOME", "MOCKECS_DATA_DIR", "MOCKECS_CA_DIR", "MOCKECS_CONTROL_TOKEN"}
_TRUE, _FALSE = ("true", "on", "yes", "1"), ("false", "off", "no", "0")


class SettingError(ValueError):
    """A bad setting: unknown name, wrong type or a value outside those allowed (one line, names the setting)."""


@record(frozen=True)
class Setting:
    name: str
    type: str  # "str" | "bool" | "int" | "float" | "choice" | "paths" | "flag_or_count"
    default: Any
    help: str
    choices: tuple = ()
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    optional: bool = False  # None is allowed (and is the "off" value)
    check_value: Optional[Callable[[Any], Optional[str]]] = None  # extra check: a reason, or None
    runtime: bool = True  # may change on a running engine (PATCH /_mockecs/config)

    def allowed(self) -> str:
        """What the setting accepts, for error messages and docs."""
        if self.type == "choice":
            text = "one of " + ", ".join(map(str, self.choices))
        elif self.type == "bool":
            text = "true or false"
        elif self.type in ("int", "float"):
            noun = "a whole number" if self.type == "int" else "a number"
            low = "" if self.minimum is None else f" >= {self.minimum:g}"
            high = "" if self.maximum is None else f" <= {self.maximum:g}"
            text = noun + (low + (" and" if low and high else "") + high if low or high else "")
        elif self.type == "paths":
            text = "a list of file paths"
        elif self.type == "flag_or_count":
            text = "true, false, a count or a message"
        else:
            text = "a string"
        return text + (" (or null)" if self.optional else "")


def _region(value: str) -> Optional[str]:
    return None if regions.exists(value) else "an ECS region id (see DescribeRegions)"


SETTINGS: tuple[Setting, ...] = (
    Setting("region", "str", "cn-hangzhou", "Region of requests that name none and whose Host names none; the "
            "default region of the client fixtures.", check_value=_region),
    Setting("store", "str", "memory://", "State store URL: memory://, sqlite:///path.db (mockecs-sqlite), "
            "redis://host:port/db (mockecs-redis).", runtime=False),
    Setting("transitions", "choice", "instant", "Status changes: at once, or after realistic delays on the mock "
            "clock.", choices=MODES),
    Setting("strict_signatures", "bool", False, "Reject unknown keys and bad signatures like the service."),
    Setting("catalog", "bool", True, "Preload the read-only catalog of public, Marketplace, community and shared "
            "images.", runtime=False),
    Setting("catalog_files", "paths", (), "Extra catalog data files, read after the built-in ones.", runtime=False),
    Setting("record_calls", "bool", True, "Keep the call record (engine.calls, GET /_mockecs/calls)."),
    Setting("max_calls", "int", 10_000, "The call record keeps the newest this many calls.", minimum=0),
    Setting("max_call_bytes", "int", 32 * 2**20, "The call record keeps the newest calls that fit in about this "
            "many bytes (values over 1,024 characters are cut).", minimum=0),
    Setting("seed", "int", None, "Make ids, addresses and RequestIds from this seed: the same calls on a fresh "
            "(or reset) state make the same ones (memory store only: engines sharing a store would repeat them).",
            minimum=0, optional=True, runtime=False),
)

OPTIONS: tuple[Setting, ...] = (
    Setting("image_quota", "int", 100, "Custom images per account and region (QuotaExceed.Image).", minimum=0),
    Setting("share_quota", "int", 50, "Accounts one image may be shared with.", minimum=0),
    Setting("family_image_quota", "int", 50, "Available images per image family.", minimum=0),
    Setting("tags_per_resource", "int", 20, "Tags one resource may carry.", minimum=0),
    Setting("copy_concurrency", "int", 1, "Image copies running at once per region (others are Waiting).",
            minimum=1),
    Setting("describe_default_includes_community", "bool", False,
            "DescribeImages without ImageOwnerAlias lists community images (the metadata: IsPublic defaults to "
            "false, which leaves them out)."),
    Setting("answer_memo", "bool", True,
            "Keep the answers of the polled reads (DescribeImages, DescribeInstances, DescribeDisks, "
            "DescribeSnapshots, ...: the operations declared memo) and answer the same request again from them "
            "while nothing is written and no setting changes (the memory store only; never an answer that read the "
            "clock)."),
    Setting("image_name_match", "choice", "substring", "How DescribeImages matches ImageName.",
            choices=("substring", "exact")),
    Setting("delete_missing_image", "choice", "ignore", "DeleteImage of an id that names no image: success with "
            "nothing changed (the metadata: the request is ignored), or the InvalidImageId.NotFound error. An "
            "image the caller sees but cannot delete answers the error either way.", choices=("ignore", "error")),
    Setting("launch_bad_status_code", "choice", "OperationDenied.ImageNotValid", "The code of a launch from an "
            "image that is not Available.", choices=("OperationDenied.ImageNotValid", "IncorrectImageStatus")),
    Setting("usage_resets", "bool", False, "An image's Usage goes back to none when no instance uses it."),
    Setting("share_any_account", "bool", True, "Any well-formed 16-digit account id is a valid share target "
            "(false: only accounts the fake knows; others answer InvalidAccount.NotFound)."),
    Setting("share_copying_image", "bool", True, "ModifyImageSharePermission adds accounts to a copy still in "
            "progress (CopyImage's destination image, Waiting or Creating), as Packer's alicloud-ecs builder does "
            "(false: IncorrectImageStatus, as for any image that is not Available)."),
    Setting("cancelled_task_status", "choice", "Deleted", "TaskStatus of a cancelled import or export.",
            choices=("Deleted", "Failed", "Finished", "Processing", "Waiting", "Paused")),
    Setting("list_tag_resources_page_size", "int", 50, "ListTagResources page size.", minimum=1),
    Setting("clock", "choice", "auto", "The mock clock: frozen (moves only with clock.advance, exactly; a "
            "millisecond per reading keeps creation order), running (wall time plus the advances), auto (frozen "
            "in-process, running for `mockecs server`).", choices=("auto", "frozen", "running")),
    Setting("kms_keys", "choice", "any", "KMS key ids: any id exists (the fake cannot know an account's keys; "
            "keys added with mockecs.world.kms.add_key keep their state), or only registered ones (others answer "
            "InvalidParameter.KMSKeyId.NotFound).", choices=("any", "registered")),
    Setting("ram_roles", "choice", "any", "Instance RAM role names (RamRoleName of RunInstances, CreateInstance, "
            "AttachInstanceRamRole): any well-formed name exists (the fake cannot know an account's roles; they are "
            "made through RAM), or only names added with mockecs.world.ram.add_role (others answer "
            "InvalidRamRole.NotFound).", choices=("any", "registered")),
    Setting("export_concurrency", "int", None, "Image exports running at once per account and region "
            "(ConcurrentQuotaExceed.ExportImage; none: no limit).", minimum=1, optional=True),
    Setting("exports_per_week", "int", None, "Image exports started per account, region and calendar week "
            "(WeeklyQuotaExceed.ExportImage; none: no limit).", minimum=0, optional=True),
    Setting("snapshot_quota", "int", None, "Snapshots per account and region; CreateImage, CopyImage and "
            "CreateSnapshot answer QuotaExceed.Snapshot when the new snapshots would not fit, CopySnapshot "
            "QuotaExceed.SnapshotQuota (none: no limit).", minimum=0,
            optional=True),
    Setting("copy_image_max_size", "int", None, "GiB (sum of an image's disks) above which CopyImage answers "
            "SizeExceed.Image (none: no limit).", minimum=1, optional=True),
    Setting("shared_image_quota", "int", None, "Images one account shares with other accounts per region "
            "(QuotaExceed.ShareImage; none: no limit).", minimum=0, optional=True),
    Setting("community_terms_signed", "bool", True, "Accounts have signed the Community Image Terms of Service "
            "(false: publishing answers PublicImageAgreement.NotSigned)."),
    Setting("sensitive_words", "str", "", "Comma-separated words that a community image's name or description "
            "must not contain (ImageName/ImageDescription.ContainsSensitiveWords)."),
    Setting("unfinished_snapshot_limit", "int", None, "Snapshots being created at once per account and region "
            "above which CreateImage answers TooManySnapshot.Unfinished (none: no limit).", minimum=1, optional=True),
    Setting("image_families_per_region", "int", None, "Image families one account may use per region "
            "(ImageFamilyQuotaExceed, ImageFamilyQuotaFull; none: no limit).", minimum=0, optional=True),
    Setting("regions_without_image_transfer", "str", "", "Comma-separated regions that neither import, export "
            "nor copy images (InvalidRegion.NotSupport, RegionNotSupportCopy)."),
    Setting("regions_without_community_images", "str", "", "Comma-separated regions where images cannot be "
            "published as community images (CurrentRegion.NotSupportPublicImage)."),
    Setting("image_format_regions", "choice", "any", "Where ImportImage/ExportImage take a disk format other than "
            "RAW: any region, or only the regions the ExportImage docs list (others answer "
            "InvalidImageFormat.RegionNotSupported).", choices=("any", "documented")),
    Setting("cloudbox_storage_locations", "str", "", "Comma-separated CloudBox storage location ARNs ImportImage "
            "accepts as StorageLocationArn (others: InvalidStorageLocation.NotFound)."),
    Setting("accounts_in_arrears", "str", "", "Comma-separated account ids whose CreateImage answers "
            "InvalidAccountStatus.NotEnoughBalance, and whose RunInstances, CreateInstance, CreateDisk, "
            "ModifyInstanceSpec and ModifyInstanceChargeType answer Account.Arrearage."),
    Setting("accounts_without_snapshot_service", "str", "", "Comma-separated account ids whose CreateImage "
            "answers InvalidAccountStatus.SnapshotServiceUnavailable."),
    Setting("accounts_with_launch_permission", "str", "", "Comma-separated account ids (or *) invited to "
            "ModifyImageSharePermission's LaunchPermission, which the metadata calls invitation-only (image "
            "publishers such as SUSE's aliyun-img-utils use it); others answer ForbiddenParameter.LaunchPermission."),
    Setting("accounts_without_oss", "str", "", "Comma-separated account ids whose ImportImage answers "
            "InvalidAccountStatus.OSSDisabled."),
    Setting("oss_keep_bytes", "int", 16 * 2**20, "The OSS API keeps an object's bytes up to this size (beyond: its "
            "size, ETag, CRC-64 and metadata only).", minimum=0),
    Setting("oss_keep_total", "int", 64 * 2**20, "The OSS API keeps at most this many bytes of objects and parts in "
            "all (beyond: later ones keep their hashes only).", minimum=0),
    Setting("oss_unkept_reads", "choice", "error", "GetObject of an uploaded object whose bytes were not kept: "
            "501 NotImplemented naming the options, or zeros of its length (their own CRC-64).",
            choices=("error", "zeros")),
    Setting("prices_file", "str", None, "A JSON file merged over the built-in (plausible, not official) prices.",
            optional=True),
    Setting("image_component_quota", "int", None, "Image components per account and region (none: no limit).",
            minimum=0, optional=True),
    Setting("image_pipeline_quota", "int", None, "Image pipelines per account and region (none: no limit).",
            minimum=0, optional=True),
    Setting("vpc_quota", "int", 10, "VPCs per account and region (QuotaExceeded.Vpc).", minimum=0),
    Setting("snapshot_policy_quota", "int", 100,
            "Automatic snapshot policies per account and region (AutoSnapshotPolicy.QuotaExceed) [GUESS].",
            minimum=0),
    Setting("launch_template_quota", "int", 30, "Launch templates per account and region "
            "(LaunchTemplateLimitExceed; the documented quota).", minimum=0),
    Setting("launch_template_version_quota", "int", 30, "Versions per launch template "
            "(LaunchTemplateVersionLimitExceed; the documented quota).", minimum=1),
    Setting("auto_snapshot_catch_up", "int", 100, "Automatic snapshots one disk takes at most when a read settles "
            "the time points its policy passed since the last one (the newest; older points are skipped) [GUESS].",
            minimum=1),
    Setting("auto_snapshots_per_disk", "int", 1000, "Automatic snapshots kept per disk: beyond, the oldest are "
            "deleted (the ECS documentation's quota).", minimum=1),
    Setting("vswitch_quota", "int", 150, "vSwitches per VPC (QuotaExceeded.VSwitch).", minimum=0),
    Setting("route_table_quota", "int", 200, "Custom route tables per VPC (CreateRouteTable answers "
            "QuotaExceeded.RouteTable beyond) [GUESS: the code; the number is the VPC documentation's].", minimum=0),
    Setting("route_entry_quota", "int", 200, "Custom route entries per route table (CreateRouteEntry answers "
            "QuotaExceeded beyond; the VPC documentation's number).", minimum=0),
    Setting("subscription_period", "choice", "one", "A subscription launch (RunInstances or CreateInstance with "
            "InstanceChargeType PrePaid) without Period: one PeriodUnit (as mockecs launched them before it kept "
            "subscription terms), or refused with MissingParamter (sic) as the service does (Period is required then).",
            choices=("one", "required")),
    Setting("classic_network_checks", "bool", False, "Refuse what the service refuses of a classic-network "
            "instance (a launch without VSwitchId): UserData (InvalidUserData.NotSupported, at launch and in "
            "ModifyInstanceAttribute), SpotInterruptionBehavior Stop, and a spot launch without ZoneId "
            "(InvalidSpotParam.EmptyZoneID). Off: such launches go on, as the tests of many users expect."),
    Setting("launch_trade_price", "choice", "every", "Which RunInstances/CreateInstance answers carry TradePrice "
            "(the order's price, as DescribePrice answers it for the same instances and Amount): every launch, "
            "subscription (PrePaid) launches only (with their OrderId), or never (as mockecs answered before) [GUESS: "
            "the documentation names no charge type for it, unlike OrderId].",
            choices=("every", "subscription", "never")),
    Setting("expired_instance_retention_days", "int", 15, "Days a subscription instance that expired without being "
            "renewed stays Stopped and locked (OperationLocks financial) before it is released (the ECS "
            "documentation: 15).", minimum=0),
    Setting("renewed_instance_starts", "bool", True, "RenewInstance of a subscription instance stopped at its expiry "
            "starts it again (false: it stays Stopped until started) [GUESS]."),
    Setting("fail_next_execution", "flag_or_count", None, "Fail the next image pipeline executions: true (one), "
            "a count, or a message.", optional=True),
    Setting("resource_groups", "choice", "strict", "Which ResourceGroupId values exist: strict = the account's "
            "default group and groups added with mockecs.world.resource_groups.add (others answer "
            "InvalidResourceGroup.NotFound); any = every well-formed rg-... id too.", choices=("strict", "any")),
    Setting("delete_missing_disk", "choice", "error", "DeleteDisk of an id that names no disk: the "
            "InvalidDiskId.NotFound error, or success with nothing changed (as the API reference describes).",
            choices=("error", "ignore")),
    Setting("default_disk_category", "choice", "by_type", "The category of a disk whose Category a launch "
            "(RunInstances, CreateInstance: SystemDisk and DataDisk.N) or a DescribePrice leaves unset: by_type = "
            "cloud_efficiency, as the API reference documents for I/O optimized types, where the type sells it, "
            "else the first category the type sells (cloud_essd on the families that sell ESSDs only, where the "
            "service refuses instead: most tests launch such types without naming a category); cloud_efficiency = "
            "always, refused as the service does where the type does not sell it (see "
            "instance_type_disk_categories); cloud_essd = always (what mockecs launched before).",
            choices=("by_type", "cloud_efficiency", "cloud_essd")),
    Setting("instance_type_disk_categories", "bool", True, "Each instance type takes only the cloud disk "
            "categories its family sells (data/instance_types.json: the 7th generation on and u1 sell cloud_essd, "
            "cloud_auto and cloud_essd_entry; older families cloud_efficiency, cloud_ssd and cloud_essd): other "
            "categories are refused with each operation's documented code (RunInstances, CreateInstance, "
            "DescribePrice: InvalidSystemDiskCategory.ValueNotSupported / InvalidDataDiskCategory.ValueNotSupported; "
            "AttachDisk, CreateDisk with InstanceId, ModifyDiskSpec, ModifyInstanceSpec, ModifyPrepayInstanceSpec: "
            "InvalidInstanceType.NotSupportDiskCategory ...), and DescribeAvailableResource and "
            "DescribeResourcesModification answer them per type. Off: every type takes every category."),
    Setting("basic_disk_checks", "bool", False, "Basic disks (category cloud, CreateDisk's documented default) "
            "as the service sells them today: with retired non-I/O optimized types only, which mockecs' catalogue "
            "lacks, so no zone offers them (DescribeZones) and no type takes them. On (with "
            "instance_type_disk_categories): CreateDisk of a cloud disk answers InvalidDataDiskCategory.NotSupported "
            "and a cloud disk at a launch, DescribePrice or AttachDisk the codes of instance_type_disk_categories. "
            "Off: basic disks are made and attached to any type, as the flows of fog, libcloud, aliyungo and "
            "footmark expect (they create disks without a category)."),
    Setting("data_disks_per_instance", "int", 64, "Data disks one instance may carry (AttachDisk answers "
            "InstanceDiskLimitExceeded beyond).", minimum=1),
    Setting("command_quota", "int", 500, "Cloud Assistant commands kept per account and region "
            "(CmdCount.ExceedQuota).", minimum=0),
    Setting("activation_quota", "int", 5000, "Cloud Assistant activation codes per account and region "
            "(CreateActivation answers ActivationCount.ExceedLimit beyond; documented: 5,000).", minimum=0),
    Setting("simulated_event_quota", "int", 100, "Active (Scheduled or Executing) simulated system events per "
            "account and region (CreateSimulatedSystemEvents answers SimulatedEventLimitExceeded beyond).",
            minimum=0),
    Setting("key_pair_quota", "int", 500, "SSH key pairs per account and region (QuotaExceed.KeyPair).", minimum=0),
    Setting("key_pair_private_key_format", "choice", "pkcs1", "CreateKeyPair's PrivateKeyBody: PKCS#1 "
            "(BEGIN RSA PRIVATE KEY, as the documented example) or PKCS#8 (BEGIN PRIVATE KEY, as its summary says).",
            choices=("pkcs1", "pkcs8")),
    Setting("security_group_quota", "int", 100, "Security groups per account and region (QuotaExceed.SecurityGroup).",
            minimum=0),
    Setting("security_group_rule_quota", "int", 200, "Rules per security group and direction "
            "(AuthorizationLimitExceed).", minimum=0),
    Setting("security_group_requires_vpc", "bool", False, "CreateSecurityGroup without VpcId is refused, as in "
            "regions without the classic network (else it makes a classic group)."),
    Setting("prefix_list_quota", "int", 100, "Prefix lists per account and region (CreatePrefixList answers "
            "LimitExceed.PrefixListPerRegion; the documented limit).", minimum=0),
    Setting("prefix_list_association_quota", "int", 1000, "Security groups one prefix list may be used by "
            "(LimitExceed.PrefixListAssociationResource; the documented limit).", minimum=0),
    Setting("eip_quota", "int", 20, "Elastic IP addresses per account and region (QuotaExceeded.Eip).", minimum=0),
    Setting("dedicated_host_quota", "int", 50, "Pay-as-you-go dedicated hosts per account and region "
            "(QuotaExceed.AfterpayDedicatedHost) [GUESS].", minimum=0),
    Setting("deployment_set_quota", "int", 150, "Deployment sets per account and region (QuotaExceed.DeploymentSet) "
            "[GUESS].", minimum=0),
    Setting("deployment_set_instances_per_zone", "int", 20, "Instances a deployment set takes per zone (per group "
            "and zone in an AvailabilityGroup set; QuotaExceed.DeploymentSetInstanceQuotaFull beyond; the "
            "documentation's 20).", minimum=1),
    Setting("storage_set_quota", "int", 20, "Storage sets per account and region (CreateStorageSet answers "
            "InvalidParameter beyond) [GUESS].", minimum=0),
    Setting("storage_set_partition_quota", "int", 10, "The most partitions a storage set may have (CreateStorageSet's "
            "MaxPartitionNumber; InvalidMaxPartitionNumber.Malformed beyond) [GUESS].", minimum=2),
    Setting("storage_capacity_unit_quota", "int", None, "GiB of storage capacity units per account and region "
            "(PurchaseStorageCapacityUnit answers InvalidParameter.CapacityExceed beyond; none: no limit).", minimum=0,
            optional=True),
    Setting("hpc_cluster_families", "str", "", "Instance families (comma-separated, e.g. ecs.g7) whose launches "
            "take an HpcClusterId besides the SCC families (ecs.scc*), which require one; others answer "
            "InvalidHpcClusterId.Unnecessary."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
OPTION_BY_NAME: dict[str, Setting] = {s.name: s for s in OPTIONS}
ALIASES = {"default_region": "region"}  # old spelling -> name (deprecated, warns)


def _bad(setting: Setting, value: Any, where: str, expected: str = "") -> SettingError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return SettingError(f"{where or setting.name + ': '}{shown} is not valid; expected {expected or setting.allowed()}")


def check(setting: Setting, value: Any, where: str = "") -> Any:
    """A typed value (Python, JSON, TOML) checked against ``setting``; returns it normalised.

    ``where`` names the input in the error (``"--mockecs-region: "``); by default the setting's name.
    """
    if value is None:
        if setting.optional:
            return None
        raise _bad(setting, value, where)
    kind = setting.type
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    elif kind == "choice":
        ok = isinstance(value, str) and value in setting.choices
    elif kind == "paths":
        ok = isinstance(value, (list, tuple)) and all(isinstance(p, (str, os.PathLike)) for p in value)
        value = tuple(value) if ok else value
    elif kind == "flag_or_count":
        ok = isinstance(value, (bool, str)) or (isinstance(value, int) and value >= 0)
    else:
        ok = isinstance(value, str)
    if ok and kind in ("int", "float"):
        ok = (setting.minimum is None or value >= setting.minimum) and (
            setting.maximum is None or value <= setting.maximum)
    if ok and setting.check_value is not None:
        reason = setting.check_value(value)
        if reason:
            raise _bad(setting, value, where, reason)
    if not ok:
        raise _bad(setting, value, where)
    return value


def parse(setting: Setting, text: str, where: str = "") -> Any:
    """A value given as text (command line, environment, ini file) parsed and checked."""
    raw = text.strip()
    if setting.optional and raw.lower() in ("", "none", "null"):
        return None
    kind = setting.type
    value: Any = raw
    if kind == "bool" or (kind == "flag_or_count" and raw.lower() in _TRUE + _FALSE):
        if raw.lower() not in _TRUE + _FALSE:
            raise _bad(setting, text, where)
        value = raw.lower() in _TRUE
    elif kind == "int" or (kind == "flag_or_count" and raw.isdigit()):
        try:
            value = int(raw)
        except ValueError:
            raise _bad(setting, text, where) from None
    elif kind == "float":
        try:
            value = float(raw)
        except ValueError:
            raise _bad(setting, text, where) from None
    elif kind == "paths":
        value = tuple(p for p in raw.split(os.pathsep) if p)
    return check(setting, value, where)


def find(name: str, where: str = "") -> Setting:
    """The engine setting called ``name``; a one-line error naming the known ones."""
    setting = BY_NAME.get(ALIASES.get(name, name))
    if setting is None:
        known = ", ".join([s.name for s in SETTINGS] + ["options"])
        raise SettingError(f"{where}unknown setting {name!r} (known: {known})")
    return setting


def check_options(values: Mapping[str, Any], where: str = "options") -> dict[str, Any]:
    """A mapping of behaviour options checked name by name (unknown names are an error)."""
    if not isinstance(values, Mapping):
        raise SettingError(f"{where}: expected an object of option names and values, not {type(values).__name__}")
    return {name: check(find_option(name, f"{where}: "), value, f"{where}.{name}: ") for name, value in values.items()}


def find_option(name: str, where: str = "") -> Setting:
    """The behaviour option called ``name``; a one-line error naming the known ones."""
    setting = OPTION_BY_NAME.get(name)
    if setting is None:
        raise SettingError(f"{where}unknown option {name!r} (known: {', '.join(OPTION_BY_NAME)})")
    return setting


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Settings and options given as ``MOCKECS_<NAME>`` variables (``MOCKECS_REGION``, ``MOCKECS_IMAGE_QUOTA``).

    A ``MOCKECS_`` variable that names no setting is warned about (other tools' variables may share the
    prefix, so it is not an error), naming the known ones.
    """
    found: dict[str, Any] = {}
    options: dict[str, Any] = {}
    known = {ENV_PREFIX + s.name.upper() for s in SETTINGS + OPTIONS}
    for var in environ:
        if var.startswith(ENV_PREFIX) and var not in known and var not in OTHER_VARIABLES:
            warnings.warn(f"mockecs: the environment variable {var} names no setting (see docs/settings.md)",
                          UserWarning, stacklevel=2)
    for setting in SETTINGS + OPTIONS:
        var = ENV_PREFIX + setting.name.upper()
        if var in environ:
            value = parse(setting, environ[var], f"{var}: ")
            (options if setting.name in OPTION_BY_NAME else found)[setting.name] = value
    if options:
        found["options"] = options
    return found


def split_assignment(text: str, where: str) -> tuple[str, Any]:
    """``NAME=VALUE`` (``--option``, ``--mockecs-option``) parsed into an option's name and its value."""
    name, sep, value = text.partition("=")
    if not sep:
        raise SettingError(f"{where}{text!r} is not valid; expected NAME=VALUE")
    setting = find_option(name.strip(), where)
    return setting.name, parse(setting, value, f"{where}{setting.name}=")


def markdown() -> str:
    """The settings reference (docs/settings.md is this text; a test keeps them equal)."""
    lines = ["# Settings", "",
             "Generated from `mockecs/world/settings.py` (`python -m mockecs settings` prints it): every setting "
             "has one name in every mode.", "",
             "| setting | default | accepts | server flag | environment | what it decides |",
             "|---|---|---|---|---|---|"]
    for s in SETTINGS:
        flag = "--" + s.name.replace("_", "-")
        lines.append(f"| `{s.name}` | `{_shown(s.default)}` | {s.allowed()} | `{flag}` | "
                     f"`{ENV_PREFIX}{s.name.upper()}` | {s.help} |")
    lines += ["", "## Behaviour options", "",
              "Given as `Config(options={...})`, `mock_ecs(options={...})`, the marker's `options=`, "
              "`--mockecs-option NAME=VALUE` / ini `mockecs_options`, `mockecs server --option NAME=VALUE`, "
              "a config file's `options` table, `MOCKECS_<NAME>`, or `PATCH /_mockecs/config "
              '{"options": {...}}`.', "",
              "| option | default | accepts | what it decides |", "|---|---|---|---|"]
    for s in OPTIONS:
        lines.append(f"| `{s.name}` | `{_shown(s.default)}` | {s.allowed()} | {s.help} |")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[]" if not value else ", ".join(map(str, value))
    return str(value)

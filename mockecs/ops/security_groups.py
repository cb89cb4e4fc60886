"""Security groups: CreateSecurityGroup, DescribeSecurityGroups, DescribeSecurityGroupAttribute,
AuthorizeSecurityGroup(Egress), RevokeSecurityGroup(Egress), DeleteSecurityGroup, ModifySecurityGroupAttribute,
ModifySecurityGroupPolicy, JoinSecurityGroup, LeaveSecurityGroup, DescribeSecurityGroupReferences.

Security group records (kind ``security_group``) carry the fields of
``DescribeSecurityGroupsResponseBodySecurityGroupsSecurityGroup`` plus ``InnerAccessPolicy``, ``_owner``,
``_region`` and ``_rules`` (each rule in the wire shape of a ``Permission`` of DescribeSecurityGroupAttribute).
A group is indexed by its VPC (``("vpc", id)``) and by the groups its rules name (``("sg_ref", id)``); instances
by their groups
(``("security_group", id)``, :mod:`mockecs.world.networks`), so the dependency checks of DeleteSecurityGroup
never scan.

Rules come as ``Permissions.N.*`` or, the older form, as one rule in unprefixed parameters (``IpProtocol``,
``PortRange``, ``SourceCidrIp`` ...), never both. Messages with a ``%s`` in the metadata name the
offending parameter as ``Permissions.N.Field`` (the older form counts as ``Permissions.1``).
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from operator import itemgetter
from typing import Any, Mapping, Optional

from mockecs.ops.instances import paginate, tag_filter
from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import TAGS, B, I, JsonList, Repeat, S, Structs, snake, whole_number
from mockecs.world import access, interfaces, paging, prefix_lists, resource_groups, resources, security_groups
from mockecs.world.validation import starts_with_letter

KIND = access.SECURITY_GROUP
NOT_FOUND = error_kind("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.", 404)
VPC_NOT_FOUND = error_kind("InvalidVpcId.NotFound", "Specified VPC does not exist.", 404)
VPC_REQUIRED = error_kind("InvalidVpcId.NotFound", "The VpcId must not empty when only support vpc vm.", 403)
VPC_STATUS = error_kind("IncorrectVpcStatus", "Current VPC status does not support this operation.", 400)
NAME_MALFORMED = error_kind("InvalidSecurityGroupName.Malformed", "Specified security group name is not valid.", 400)
BAD_TYPE = error_kind("InvalidParams.GroupType", "The specified security group type is not valid.", 400)
ENTERPRISE_NEEDS_VPC = error_kind("InvalidParams.VpcIdGroupType",
                                  "Only VPC instance supports enterprise level security group.", 400)
BAD_DESCRIPTION = error_kind("InvalidDescription.Malformed", 'The specified parameter "Description" is not valid.', 400)
MODIFY_BAD_DESCRIPTION = error_kind("InvalidSecurityGroupDiscription.Malformed",
                                    "Specified security group description is not valid.", 400)
QUOTA = error_kind("QuotaExceed.SecurityGroup", "The maximum number of security groups is reached.", 403)
IN_USE = error_kind("DependencyViolation", "There is still instance(s) in the specified security group.", 403)
# [GUESS] a group other groups' rules name: the documented refusal, no documented code of its own.
REFERENCED = error_kind("DependencyViolation",
                        "The specified security group has been authorized in another security group.", 403)
REFERENCES_NOT_FOUND = error_kind("InvalidSecurityGroupId.NotFound",
                                  "The SecurityGroupId provided does not exist in our records.", 404)
DELETE_NOT_FOUND = error_kind("InvalidSecurityGroup.NotFound", "The specified security group is not found.", 404)
ATTRIBUTE_NIC = error_kind("InvalidNicType.ValueNotSupported", "The specified NicType does not exist.", 400)
ATTRIBUTE_DIRECTION = error_kind("InvalidParamter", "Invalid Parameter.", 400)
LIST_BAD_TYPE = error_kind("InvalidParameter.SecurityGroupType", "The specified SecurityGroupType is not valid.", 400)
LIST_BAD_TOKEN = error_kind("InValidParameter.NextToken", "The parameter NextToken is invalid.", 400)
_NO_REGION = ("MissingParameter.RegionId", 'The parameter "RegionId" should not be null.', 400)
INSTANCE_NOT_FOUND = error_kind("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
INSTANCE_STATUS = error_kind("IncorrectInstanceStatus",
                             "The current status of the resource does not support this operation.", 403)
BEING_CREATED = error_kind("Forbidden.InstanceIsBeingCreated", "The specified instance is being created.", 403)
ALREADY_MEMBER = error_kind("InvalidInstanceId.AlreadyExists",
                            "The specified instance already exists in the specified security group.", 403)
TOO_MANY_GROUPS = error_kind("InstanceSecurityGroupLimitExceeded",
                             "Exceeding the allowed amount of security groups that an instance can be in.", 400)
NOT_SAME_VPC = error_kind("InvalidInstanceId.Mismatch",
                          "Specified instance and security group are not in the same VPC.", 400)
MIXED_TYPES = error_kind("InvalidOperation.MultiGroupType",
                         "The specified instance can't join different types of security group.", 400)
GROUP_FULL = error_kind("SecurityGroupInstanceLimitExceeded",
                        "The maximum number of instances in a security group is exceeded.", 403)
NOT_MEMBER = error_kind("InstanceNotInSecurityGroup", "The instance not in the group.", 403)
LAST_GROUP = error_kind("InstanceLastSecurityGroup",
                        "The specified security group is the last security group for the instance.", 403)
# A secondary network interface named by NetworkInterfaceId (the metadata's codes; "%s" messages written out)
ENI_PRIMARY = error_kind("InvalidOperation.InvalidEniType",
                         "A primary network interface joins and leaves groups with its instance (InstanceId).", 403)
ENI_OTHER_VPC = error_kind("InvalidOperation.VpcMismatch",
                           "The network interface and the security group are not in the same VPC.", 403)
ENI_NOT_MEMBER = error_kind("InvalidSecurityGroupAssociation.NotFound",
                            "The network interface is not in the specified security group.", 400)
ENI_LAST_GROUP = error_kind("InvalidOperation.AtLeastInOneGroup",
                            "A network interface must stay in at least one security group.", 403)
# CreateSecurityGroup words the tag errors its own way.
_CREATE_TAG_MESSAGES = {"InvalidTagKey.Malformed": "Specified tag key is not valid.",
                        "InvalidTagValue.Malformed": "Specified tag value is not valid."}
# 2-128 characters, starts with a letter (ASCII or CJK); letters, digits, ":", "_", ".", "-".
_NAME = re.compile(r"[^\W\d_][\w:.\-]{1,127}")  # and starts_with_letter()
GROUP_TYPES = ("normal", "enterprise")
PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmpv6": "ICMPv6", "gre": "GRE", "all": "ALL"}
_PORTS = re.compile(r"(-?\d{1,5})/(-?\d{1,5})")



def _group(ctx: Context, group_id: Optional[str], not_found: type[EcsError] = NOT_FOUND) -> dict:
    return resources.owned(ctx, KIND, group_id, not_found)


# -- CreateSecurityGroup -------------------------------------------------------------------------
def _tags(tag: Optional[list[dict]]) -> list[dict]:
    try:
        return resources.tags_from_args(tag)
    except EcsError as err:
        if err.code in _CREATE_TAG_MESSAGES:
            raise EcsError(err.code, _CREATE_TAG_MESSAGES[err.code], err.status) from None
        raise


def _check_name_and_description(name: Optional[str], description: Optional[str],
                                bad_description: type[EcsError]) -> None:
    if name and (not (starts_with_letter(name) and _NAME.fullmatch(name))
                 or name.lower().startswith(("http://", "https://"))):
        raise NAME_MALFORMED
    if description and (not 2 <= len(description) <= 256 or description.lower().startswith(("http://", "https://"))):
        raise bad_description


def _vpc(ctx: Context, vpc_id: Optional[str]) -> Optional[dict]:
    if not vpc_id:
        if ctx.config.options["security_group_requires_vpc"]:
            raise VPC_REQUIRED
        return None
    vpc = resources.get(ctx, "vpc", vpc_id)
    if not resources.is_mine(ctx, vpc):
        raise VPC_NOT_FOUND
    if vpc.get("Status", "Available") != "Available":
        raise VPC_STATUS
    return vpc


@operation("CreateSecurityGroup", S("SecurityGroupName"), S("Description"), S("VpcId"), S("SecurityGroupType"),
           B("ServiceManaged"), S("ResourceGroupId"), TAGS, idempotent=True,
           region_error=("InvalidRegionId.NotFound", 404, "The specified region does not exist."))
def create_security_group(ctx: Context, security_group_name: Optional[str], description: Optional[str],
                          vpc_id: Optional[str], security_group_type: Optional[str], service_managed: Optional[bool],
                          resource_group_id: Optional[str], tag: Optional[list[dict]]) -> dict:
    _check_name_and_description(security_group_name, description, BAD_DESCRIPTION)
    group_type = security_group_type or "normal"
    if group_type not in GROUP_TYPES:
        raise BAD_TYPE
    if group_type == "enterprise" and not vpc_id:
        raise ENTERPRISE_NEEDS_VPC
    tags = _tags(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    _vpc(ctx, vpc_id)
    if access.quota_reached(ctx, KIND, "security_group_quota"):
        raise QUOTA
    group_id = resources.new_id(KIND, ctx.region)
    record = {
        "SecurityGroupId": group_id, "SecurityGroupName": security_group_name or "",
        "Description": description or "", "SecurityGroupType": group_type, "VpcId": vpc_id or "",
        "CreationTime": resources.iso(ctx.now), "ResourceGroupId": group,
        "ServiceManaged": False, "InnerAccessPolicy": "Accept" if group_type == "normal" else "Drop",
        "Tags": {"Tag": tags}, "_owner": ctx.account, "_region": ctx.region, "_rules": [],
    }
    resources.put(ctx.txn, KIND, record)
    return {"SecurityGroupId": group_id}


_capacity = security_groups.capacity


# -- reading ----------------------------------------------------------------------------------
def _list_view(ctx: Context, record: Mapping[str, Any]) -> dict:
    rules = record["_rules"]
    members = ctx.txn.count("instance", ("security_group", record["SecurityGroupId"]))
    capacity = _capacity(record)
    return {**{k: v for k, v in resources.wire(record).items() if k != "InnerAccessPolicy"},
            "EcsCount": members, "AvailableInstanceAmount": max(0, capacity - members),
            "RuleCount": len(rules), "GroupToGroupRuleCount": sum(bool(r["SourceGroupId"] or r["DestGroupId"])
                                                                   for r in rules)}


@operation("DescribeSecurityGroups",
           JsonList("SecurityGroupIds"), S("SecurityGroupId"), S("VpcId"), S("SecurityGroupType"),
           S("NetworkType"), S("SecurityGroupName"), B("IsQueryEcsCount"), B("FuzzyQuery"), S("ResourceGroupId"),
           B("ServiceManaged"), TAGS, paging.PAGE_NUMBER_INT32, paging.PAGE_SIZE, S("NextToken"),
           I("MaxResults", min=1, max=100), dry_run=True, mapping=True,
           region_missing=("MissingParameter.RegionId", "The input parameter RegionId that is mandatory for processing "
                           "this request is not supplied.", 400), memo=True)
def describe_security_groups(ctx: Context, a: dict) -> dict:
    if a["security_group_type"] and a["security_group_type"] not in GROUP_TYPES:
        raise LIST_BAD_TYPE
    ids = a["security_group_ids"]
    if ids is not None and len(ids) > 100:
        raise EcsError("InvalidParameter", 'The specified parameter "SecurityGroupIds" is not valid.', 400)
    if a["security_group_id"]:
        ids = [i for i in ids if i == a["security_group_id"]] if ids else [a["security_group_id"]]
        ids = ids or ["-"]  # both given and different: nothing matches
    wanted_tags = tag_filter(a["tag"])
    # IsQueryEcsCount and FuzzyQuery (without a name) change nothing: a page from the ordered index. No
    # sort key: the index orders by id, read newest first = by id, descending (documented).
    if paging.unfiltered({**a, "is_query_ecs_count": None, "fuzzy_query": None}):
        try:
            page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                             a["page_number"], a["page_size"], a["next_token"], a["max_results"],
                                             newest_first=True)
        except paging.BAD_TOKEN:
            raise LIST_BAD_TOKEN from None
        return {**meta, "RegionId": ctx.region, "SecurityGroups": {"SecurityGroup": [_list_view(ctx, r) for r in page]}}
    network = a["network_type"]
    matches = []
    by_group = resource_groups.term(a["resource_group_id"]) if a["resource_group_id"] else None
    for record in resources.mine_among(ctx, KIND, ids, by_group, ("vpc", a["vpc_id"]) if a["vpc_id"] else None,
                                       tags=wanted_tags):
        if ((a["vpc_id"] and record["VpcId"] != a["vpc_id"])
                or (a["security_group_type"] and record["SecurityGroupType"] != a["security_group_type"])
                or (network and ("vpc" if record["VpcId"] else "classic") != network)
                or (a["security_group_name"] and record["SecurityGroupName"] != a["security_group_name"])
                or (a["resource_group_id"] and record["ResourceGroupId"] != a["resource_group_id"])
                or (a["service_managed"] is not None and record["ServiceManaged"] != a["service_managed"])
                or not resources.match_tags(record, wanted_tags)):
            continue
        matches.append(record)
    matches.sort(key=lambda r: r["SecurityGroupId"], reverse=True)  # documented: by id, descending
    try:
        page, meta = paginate(matches, a["page_number"], a["page_size"], a["next_token"], a["max_results"])
    except paging.BAD_TOKEN:
        raise LIST_BAD_TOKEN from None
    return {**meta, "RegionId": ctx.region, "SecurityGroups": {"SecurityGroup": [_list_view(ctx, r) for r in page]}}


@operation("DescribeSecurityGroupAttribute", S("SecurityGroupId", required=True), S("NicType"),
           S("Direction", default="all"), S("NextToken"), I("MaxResults", min=10, max=1000),
           region_missing=_NO_REGION, memo=True)
def describe_security_group_attribute(ctx: Context, security_group_id: str, nic_type: Optional[str], direction: str,
                                      next_token: Optional[str], max_results: Optional[int]) -> dict:
    if nic_type == "<nil>":  # Terraform's rule read when nic_type is unset (Go's "%v" of nil in its rule id)
        nic_type = None
    if nic_type and nic_type not in ("internet", "intranet"):
        raise ATTRIBUTE_NIC
    if direction not in ("all", "ingress", "egress"):
        raise ATTRIBUTE_DIRECTION
    record = _group(ctx, security_group_id)
    # One NIC type per call: classic groups default to internet; VPC groups only have intranet rules.
    nic = "intranet" if record["VpcId"] else (nic_type or "internet")
    rules = [r for r in record["_rules"] if r["NicType"] == nic and direction in ("all", r["Direction"])]
    page, token = paging.by_token(rules, max_results or 500, next_token)
    return {"SecurityGroupId": record["SecurityGroupId"], "SecurityGroupName": record["SecurityGroupName"],
            "Description": record["Description"], "VpcId": record["VpcId"], "RegionId": record["_region"],
            "InnerAccessPolicy": record["InnerAccessPolicy"], "NextToken": token,
            "Permissions": {"Permission": [_permission(ctx, r) for r in page]}}


def _permission(ctx: Context, rule: Mapping[str, Any]) -> dict:
    """A stored rule as answered: the name its prefix list has now (a list can be renamed)."""
    view = dict(rule)
    for side in ("Source", "Dest"):
        if rule[f"{side}PrefixListId"]:
            found = ctx.txn.get(prefix_lists.KIND, rule[f"{side}PrefixListId"])
            view[f"{side}PrefixListName"] = found["PrefixListName"] if found else ""
    return view


# -- rules ----------------------------------------------------------------------------------------
# The errors the four rule operations document, per operation where their wording (or status) differs:
# code -> (status, message) or code -> {action or "Authorize" (both) or "*": (status, message)}; "%s" names
# the parameter.
_AUTH, _AUTH_OUT = "AuthorizeSecurityGroup", "AuthorizeSecurityGroupEgress"
_REVOKE, _REVOKE_OUT = "RevokeSecurityGroup", "RevokeSecurityGroupEgress"
_MODIFY, _MODIFY_OUT = "ModifySecurityGroupRule", "ModifySecurityGroupEgressRule"
_ERRORS: dict[str, Any] = {
    "InvalidIpProtocol.ValueNotSupported": {
        "Authorize": (400, "The parameter %s must be specified with case insensitive TCP, UDP, ICMP, GRE or All."),
        _MODIFY_OUT: (400, "The specified parameter IpProtocol should not be null and only tcp, udp, icmp, gre or all "
                           "is supported. Ignore case."),
        "*": (400, "The parameter IpProtocol must be specified with case insensitive TCP, UDP, ICMP, GRE or All.")},
    "InvalidPortRange.Malformed": (400, "The specified parameter PortRange must set."),
    "InvalidParam.PortRange": (400, "The specified parameter %s is not valid. It should be two integers less than "
                                    "65535 in ?/? format."),
    "OperationDenied": (400, "The specified IpProtocol does not exist or IpProtocol and PortRange do not match."),
    "InvalidIpPortRange.Malformed": (400, "The specified parameter PortRange is not valid."),
    "InvalidSourcePortRange.Malformed": (400, "The specified parameter SourcePortRange is not valid."),
    "InvalidPolicy.Malformed": {"Authorize": (400, "The specified parameter Policy is not valid."),
                                "Modify": (400, "The specified parameter Policy is not valid."),
                                "*": (400, "The specified parameter %s is not valid.")},
    "InvalidNicType.ValueNotSupported": {"Authorize": (400, "The specified NicType does not exist."),
                                         "Modify": (400, "The specified NicType does not exist."),
                                         "*": (400, "The specified parameter %s is not valid.")},
    "InvalidPriority.Malformed": {_MODIFY_OUT: (400, "The specified parameter Priority is not valid."),
                                  "*": (400, "The parameter Priority is invalid.")},
    "InvalidSourceCidrIp.Malformed": (400, "The specified parameter SourceCidrIp is not valid."),
    "InvalidDestCidrIp.Malformed": (400, "The specified parameter DestCidrIp is not valid."),
    "InvalidParam.DestCidrIp": (400, "The specified parameter %s is not valid."),  # (ModifySecurityGroupRule's)
    "InvalidIpProtocol.Malformed": (400, "The specified parameter PortRange is not valid."),  # (the Modify ones')
    "InvalidParam.SourceCidrIp": {_AUTH_OUT: (400, "The specified param SourceCidrIp is not valid."),
                                  "Modify": (400, "The specified param SourceCidrIp is not valid."),
                                  "*": (400, "The specified parameter %s is not valid.")},
    "InvalidParam.Ipv6SourceCidrIp": (400, "The specified parameter %s is not valid."),
    "InvalidParam.Ipv6DestCidrIp": (400, "The specified parameter %s is not valid."),
    "InvalidParam.SourceIp": (400, "The Parameters SourceCidrIp and Ipv6SourceCidrIp in %s cannot be set at the "
                                   "same time."),
    "InvalidParam.DestIp": (400, "The Parameters DestCidrIp and Ipv6DestCidrIp in %s cannot be set at the same time."),
    "InvalidParameter.Conflict": (400, "IPv6 and IPv4 addresses cannot exist at the same time."),
    "MissingParameter.Source": {
        "Modify": (400, "One of the parameters SourceCidrIp, SourceGroupId or SourcePrefixListId must be specified."),
        "*": (400, "One of the parameters SourceCidrIp, Ipv6SourceCidrIp, SourceGroupId or SourcePrefixListId in %s "
                   "must be specified.")},
    "MissingParameter.Dest": {
        "Modify": (400, "One of the parameters DestCidrIp, DestGroupId or DestPrefixListId must be specified."),
        "*": (400, "One of the parameters DestCidrIp, Ipv6DestCidrIp, DestGroupId or DestPrefixListId in %s must be "
                   "specified.")},
    "InvalidSecurityGroupDiscription.Malformed": {
        "Authorize": (400, "The specified security group rule description parameter %s is not valid."),
        "*": (400, "The specified security group rule description is not valid.")},
    "InvalidParam.Permissions": (400, "The specified parameter Permissions cannot coexist with other parameters."),
    "InvalidParam.DuplicatePermissions": (400, "There are duplicate permissions in the specified parameter "
                                               "Permissions."),
    "InvalidSourceGroupId.NotFound": (404, "The SourceGroupId provided does not exist in our records."),
    "InvalidDestGroupId.NotFound": (404, "The DestGroupId provided does not exist in our records."),
    "InvalidSourceGroupId.Mismatch": (400, "Specified security group and source group are not in the same VPC."),
    "InvalidDestGroupId.Mismatch": (400, "Specified security group and destination group are not in the same VPC."),
    "InvalidParamter.Conflict": {_REVOKE: (400, "The specified SecurityGroupId should be different from the "
                                                "SourceGroupId."),
                                 "*": (403, "The specified SecurityGroupId should be different from the "
                                            "SourceGroupId.")},
    "InvalidSecurityGroup.IsSame": (403, "The authorized SecurityGroupId should be different from the DestGroupId."),
    "InvalidPrefixListId.NotFound": (404, "The specified prefix list was not found."),
    "AuthorizationLimitExceed": (403, "The limit of authorization records in the security group reaches."),
    "InvalidGroupParameter.OperationDenied": (400, "The attributes Policy, SourceGroupId, DestGroupId of enterprise "
                                                   "level security groups are not allowed to be set or modified."),
    "InvalidSecurityGroupRuleId.NotFound": (404, "The specified SecurityGroupRuleId is not exists."),
    "InvalidParam.SecurityGroupRuleIdRepeated": (400, "The specified parameter SecurityGroupRuleId is repeated."),
    "NotSupported.ClassicNetworkPrefixList": (400, "The prefix list is not supported when the network type of "
                                                   "security group is classic."),
    "InvalidParam.PrefixListAddressFamilyMismatch": {
        "Authorize": (400, "The address family of the specified prefix list does not match the specified CidrIp."),
        "*": (400, "The address family of the prefix list does not match the rule.")},
    "LimitExceed.PrefixListAssociationResource": (403, "The number of resources associated with the prefix list "
                                                       "exceeds the limit."),
    # (the Modify operations')
    "InvalidParam.SecurityGroupRuleId": (400, "The specified parameter SecurityGroupRuleId is not valid."),
    "InvalidOperation.ModifyNicType": (400, "NicType is not allowed to modify."),
    "InvalidOperation.ModifySgRuleEntityType": (400, "The source or destination type of the rules cannot be "
                                                     "modified."),
    "InvalidParam.InvalidModifyRuleRequest": (400, "The request parameters are illegal."),
    "SecurityGroupRule.NotFound": {_MODIFY_OUT: (404, "The target security group rule do not exist."),
                                   "*": (404, "The target security group rule not exist.")},
}


def _fail(ctx: Context, code: str, label: str = "") -> EcsError:
    found = _ERRORS[code]
    if isinstance(found, dict):
        verb = ctx.action[:6] if ctx.action.startswith(("Revoke", "Modify")) else "Authorize"
        found = found.get(ctx.action) or found.get(verb) or found["*"]
    status, message = found
    # (the single-rule Modify operations name a parameter bare: their label is "")
    return EcsError(code, message.replace("%s", label.lstrip(".")), status)


_SHARED = ("Policy", "Priority", "IpProtocol", "PortRange", "SourcePortRange", "NicType", "Description",
           "SourceCidrIp", "Ipv6SourceCidrIp", "DestCidrIp", "Ipv6DestCidrIp")
INGRESS_FIELDS = _SHARED + ("SourceGroupId", "SourcePrefixListId", "SourceGroupOwnerAccount", "SourceGroupOwnerId")
EGRESS_FIELDS = _SHARED + ("DestGroupId", "DestPrefixListId", "DestGroupOwnerAccount", "DestGroupOwnerId")
_SNAKE = {f: snake(f) for f in INGRESS_FIELDS + EGRESS_FIELDS}  # wire name -> argument name, computed once
# Fields that make two rules the same rule (Priority and Description do not).
_IDENTITY = ("Direction", "IpProtocol", "PortRange", "SourcePortRange", "NicType", "Policy", "SourceCidrIp",
             "Ipv6SourceCidrIp", "SourceGroupId", "SourcePrefixListId", "DestCidrIp", "Ipv6DestCidrIp", "DestGroupId",
             "DestPrefixListId")


def _rule_params(fields: tuple[str, ...], revoke: bool) -> tuple:
    legacy = tuple(S(f) for f in fields)
    permissions = Structs("Permissions", [S(f) for f in fields] + [S("PortRangeListId")], max_items=100)
    extra = (Repeat("SecurityGroupRuleId", max_items=100),) if revoke else ()
    return (S("SecurityGroupId", required=True), permissions) + legacy + extra


def _requested(ctx: Context, a: dict, fields: tuple[str, ...]) -> list[tuple[str, dict]]:
    """(label, {wire field: value}) for each requested rule; the older unprefixed form is ``Permissions.1``."""
    legacy = {f: a[_SNAKE[f]] for f in fields if a.get(_SNAKE[f]) not in (None, "")}
    permissions = [p for p in a.get("permissions") or () if any(v not in (None, "") for v in p.values())]
    if legacy and (permissions or a.get("security_group_rule_id")):
        raise _fail(ctx, "InvalidParam.Permissions")
    if legacy:
        return [("Permissions.1", legacy)]
    return [(f"Permissions.{n}", {f: p.get(_SNAKE[f]) for f in fields if p.get(_SNAKE[f]) not in (None, "")})
            for n, p in enumerate(permissions, 1)]


@lru_cache(maxsize=1024)  # rules repeat the same few ranges ("0.0.0.0/0"); parsing one costs ~30 us
def _cidr(value: Optional[str], version: int) -> Optional[str]:
    if value is None:
        return None
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None
    return value.strip() if network.version == version else None


def _ports(ctx: Context, value: Optional[str], protocol: str, label: str, source: bool = False) -> str:
    if value is None:
        if source:
            return ""
        # (the Modify operations' code for it: a name from another field, their documented words)
        raise _fail(ctx, "InvalidIpProtocol.Malformed" if ctx.action.startswith("Modify") else
                    "InvalidPortRange.Malformed")
    match = _PORTS.fullmatch(value.strip())
    if match is None:
        if source:
            raise _fail(ctx, "InvalidSourcePortRange.Malformed")
        raise _fail(ctx, "InvalidParam.PortRange", label)
    low, high = int(match.group(1)), int(match.group(2))
    if protocol in ("TCP", "UDP"):
        ok = 1 <= low <= high <= 65535
    else:  # ICMP, ICMPv6, GRE, ALL: only -1/-1
        ok = low == high == -1
    if not ok:
        if source:
            raise _fail(ctx, "InvalidSourcePortRange.Malformed")
        raise _fail(ctx, "InvalidIpPortRange.Malformed" if ctx.action.startswith("Revoke") else "OperationDenied")
    return f"{low}/{high}"


def _rule(ctx: Context, group: Mapping[str, Any], label: str, given: dict, egress: bool) -> dict:
    """A requested rule, validated and in its stored (wire) shape."""
    protocol = PROTOCOLS.get((given.get("IpProtocol") or "").strip().lower())
    if protocol is None:
        raise _fail(ctx, "InvalidIpProtocol.ValueNotSupported", f"{label}.IpProtocol")
    ports = _ports(ctx, given.get("PortRange"), protocol, f"{label}.PortRange")
    source_ports = _ports(ctx, given.get("SourcePortRange"), protocol, f"{label}.SourcePortRange", source=True)
    policy = (given.get("Policy") or "accept").strip().lower()
    if policy not in ("accept", "drop"):
        raise _fail(ctx, "InvalidPolicy.Malformed", f"{label}.Policy")
    priority = whole_number(given.get("Priority") or "1", 1, 100)
    if priority is None:
        raise _fail(ctx, "InvalidPriority.Malformed")
    nic = (given.get("NicType") or "").strip().lower()
    if nic and nic not in ("internet", "intranet"):
        raise _fail(ctx, "InvalidNicType.ValueNotSupported", f"{label}.NicType")
    description = given.get("Description")
    if description is not None and not 1 <= len(description) <= 512:
        raise _fail(ctx, "InvalidSecurityGroupDiscription.Malformed", f"{label}.Description")
    rule = {"Direction": "egress" if egress else "ingress", "IpProtocol": protocol, "PortRange": ports,
            "SourcePortRange": source_ports, "Policy": policy.capitalize(), "Priority": str(priority),
            "Description": description or ""}
    for side, v4, v6 in (("Source", "SourceCidrIp", "Ipv6SourceCidrIp"), ("Dest", "DestCidrIp", "Ipv6DestCidrIp")):
        if given.get(v4) and given.get(v6):
            raise _fail(ctx, f"InvalidParam.{side}Ip", label)
        rule[v4] = _cidr(given.get(v4), 4) if given.get(v4) else ""
        if rule[v4] is None:
            if side == "Dest":
                raise _fail(ctx, "InvalidParam.DestCidrIp" if ctx.action == _MODIFY else "InvalidDestCidrIp.Malformed",
                            f"{label}.DestCidrIp")
            raise _fail(ctx, "InvalidParam.SourceCidrIp" if egress else "InvalidSourceCidrIp.Malformed",
                        f"{label}.SourceCidrIp")
        rule[v6] = _cidr(given.get(v6), 6) if given.get(v6) else ""
        if rule[v6] is None:
            raise _fail(ctx, f"InvalidParam.{v6}", f"{label}.{v6}")
    mixed = (rule["SourceCidrIp"] or rule["DestCidrIp"]) and (rule["Ipv6SourceCidrIp"] or rule["Ipv6DestCidrIp"])
    if mixed and not ctx.action.startswith("Revoke"):  # revoking such a rule simply matches nothing
        raise _fail(ctx, "InvalidParameter.Conflict")
    side = "Dest" if egress else "Source"
    other_group = given.get(f"{side}GroupId") or ""
    prefix_list = given.get(f"{side}PrefixListId") or ""
    if not (rule[f"{side}CidrIp"] or rule[f"Ipv6{side}CidrIp"] or other_group or prefix_list):
        raise _fail(ctx, f"MissingParameter.{side}", label)
    if group["SecurityGroupType"] == "enterprise" and (policy == "drop" or other_group):
        raise _fail(ctx, "InvalidGroupParameter.OperationDenied")
    peer_name, peer_owner = "", ""
    if rule[f"{side}CidrIp"] or rule[f"Ipv6{side}CidrIp"]:
        other_group = prefix_list = ""  # an address range wins over a group or a prefix list (documented)
    elif other_group:
        if other_group == group["SecurityGroupId"]:
            raise _fail(ctx, "InvalidSecurityGroup.IsSame" if egress else "InvalidParamter.Conflict")
        peer = resources.get(ctx, KIND, other_group)
        # [GUESS] groups of other accounts are not modelled: only the caller's own groups are found.
        if not resources.is_mine(ctx, peer):
            raise _fail(ctx, f"Invalid{side}GroupId.NotFound")
        if peer["VpcId"] != group["VpcId"]:
            raise _fail(ctx, f"Invalid{side}GroupId.Mismatch")
        peer_name, peer_owner, prefix_list = peer["SecurityGroupName"], "", ""
    elif prefix_list:
        _check_prefix_list(ctx, group, rule, prefix_list)
    # VPC groups only have intranet rules; classic rules default to internet, group-to-group rules to intranet.
    rule["NicType"] = "intranet" if group["VpcId"] or other_group else (nic or "internet")
    for s in ("Source", "Dest"):
        mine = s == side
        rule[f"{s}GroupId"] = other_group if mine else ""
        rule[f"{s}GroupName"] = peer_name if mine else ""
        rule[f"{s}GroupOwnerAccount"] = peer_owner if mine else ""
        rule[f"{s}PrefixListId"] = prefix_list if mine else ""
        rule[f"{s}PrefixListName"] = ""
    rule.update(PortRangeListId="", PortRangeListName="")
    return rule


def _check_prefix_list(ctx: Context, group: Mapping[str, Any], rule: Mapping[str, Any], prefix_list_id: str) -> None:
    """A rule may name the caller's own prefix lists, in a VPC group; when adding or changing a rule, one of the
    rule's address family (its other address, else ICMP or ICMPv6)."""
    if not group["VpcId"]:
        raise _fail(ctx, "NotSupported.ClassicNetworkPrefixList")
    found = resources.get(ctx, prefix_lists.KIND, prefix_list_id)
    if not resources.is_mine(ctx, found):
        raise _fail(ctx, "InvalidPrefixListId.NotFound")
    if ctx.action.startswith("Revoke"):
        return  # (a rule of the other family simply matches nothing)
    if rule["SourceCidrIp"] or rule["DestCidrIp"]:
        family: Optional[int] = 4
    elif rule["Ipv6SourceCidrIp"] or rule["Ipv6DestCidrIp"]:
        family = 6
    else:
        family = {"ICMP": 4, "ICMPv6": 6}.get(rule["IpProtocol"])
    if family not in (None, prefix_lists.family_of(found)):
        raise _fail(ctx, "InvalidParam.PrefixListAddressFamilyMismatch")


_identity = itemgetter(*_IDENTITY)  # every stored and requested rule carries all these fields


def _prefix_list_of(rule: Mapping[str, Any]) -> str:
    return rule["SourcePrefixListId"] or rule["DestPrefixListId"]


def _check_counts(ctx: Context, group: Mapping[str, Any], rules: list[dict], direction: str) -> None:
    """The rule quota of the group's ``rules`` of ``direction`` (a rule naming a prefix list counts as its
    MaxEntries, documented), and the association quota of each list a rule names that the group did not use."""
    count, lists = 0, set()
    for rule in rules:
        if rule["Direction"] != direction:
            continue
        prefix_list = _prefix_list_of(rule)
        if prefix_list:
            lists.add(prefix_list)
            found = ctx.txn.get(prefix_lists.KIND, prefix_list)
            count += found["MaxEntries"] if found else 1
        else:
            count += 1
    if count > ctx.config.options["security_group_rule_quota"]:
        raise _fail(ctx, "AuthorizationLimitExceed")
    used = {_prefix_list_of(r) for r in group["_rules"]}
    for prefix_list in lists - used:
        if prefix_lists.association_count(ctx.txn, prefix_list) >= \
                ctx.config.options["prefix_list_association_quota"]:
            raise _fail(ctx, "LimitExceed.PrefixListAssociationResource")


def _authorize(ctx: Context, a: dict, fields: tuple[str, ...], egress: bool) -> dict:
    group = _group(ctx, a["security_group_id"])
    requested = _requested(ctx, a, fields)
    if not requested:  # nothing sent: the protocol is the first thing missing
        raise _fail(ctx, "InvalidIpProtocol.ValueNotSupported", "Permissions.1.IpProtocol")
    new_rules = [_rule(ctx, group, label, given, egress) for label, given in requested]
    identities = [_identity(r) for r in new_rules]
    if len(set(identities)) != len(identities):
        raise _fail(ctx, "InvalidParam.DuplicatePermissions")
    existing = {_identity(r) for r in group["_rules"]}
    # An existing rule is not added again; the call still succeeds (documented).
    added = [r for r in new_rules if _identity(r) not in existing]
    if not added:
        return {}
    _check_counts(ctx, group, list(group["_rules"]) + added, "egress" if egress else "ingress")
    stamp = resources.iso(ctx.now)
    for rule in added:
        rule.update(SecurityGroupRuleId=resources.new_id("security_group", ctx.region).replace("sg-", "sgr-", 1),
                    CreateTime=stamp)
    resources.put(ctx.txn, KIND, {**group, "_rules": list(group["_rules"]) + added})
    return {}


def _named(ctx: Context, group: Mapping[str, Any], rule_ids: list[str], egress: bool) -> set[str]:
    """The rules of the direction named by id (SecurityGroupRuleId.N), each once, all existing."""
    if len(set(rule_ids)) != len(rule_ids):
        raise _fail(ctx, "InvalidParam.SecurityGroupRuleIdRepeated")
    direction = "egress" if egress else "ingress"
    ours = {r["SecurityGroupRuleId"] for r in group["_rules"] if r["Direction"] == direction}
    if any(i not in ours for i in rule_ids):
        raise _fail(ctx, "InvalidSecurityGroupRuleId.NotFound")
    return set(rule_ids)


def _matching(group: Mapping[str, Any], wanted: list[dict]) -> set[str]:
    """The ids of the group's rules that are the ``wanted`` rules (the same fields of :data:`_IDENTITY`)."""
    identities = {_identity(r) for r in wanted}
    return {r["SecurityGroupRuleId"] for r in group["_rules"] if _identity(r) in identities}


def _revoke(ctx: Context, a: dict, fields: tuple[str, ...], egress: bool) -> dict:
    group = _group(ctx, a["security_group_id"])
    rule_ids = [i for i in a.get("security_group_rule_id") or () if i]
    requested = _requested(ctx, a, fields)
    if rule_ids:
        if requested:
            raise _fail(ctx, "InvalidParam.Permissions")
        gone = _named(ctx, group, rule_ids, egress)
    else:
        if not requested:
            raise _fail(ctx, "InvalidIpProtocol.ValueNotSupported", "Permissions.1.IpProtocol")
        # A rule that does not exist is not an error: nothing is removed (documented).
        gone = _matching(group, [_rule(ctx, group, label, given, egress) for label, given in requested])
    kept = [r for r in group["_rules"] if r["SecurityGroupRuleId"] not in gone]
    if len(kept) != len(group["_rules"]):
        resources.put(ctx.txn, KIND, {**group, "_rules": kept})
    return {}


@operation(_AUTH, *_rule_params(INGRESS_FIELDS, revoke=False), idempotent=True, mapping=True)
def authorize_security_group(ctx: Context, a: dict) -> dict:
    return _authorize(ctx, a, INGRESS_FIELDS, egress=False)


@operation(_AUTH_OUT, *_rule_params(EGRESS_FIELDS, revoke=False), idempotent=True, mapping=True)
def authorize_security_group_egress(ctx: Context, a: dict) -> dict:
    return _authorize(ctx, a, EGRESS_FIELDS, egress=True)


@operation(_REVOKE, *_rule_params(INGRESS_FIELDS, revoke=True), idempotent=True, mapping=True)
def revoke_security_group(ctx: Context, a: dict) -> dict:
    return _revoke(ctx, a, INGRESS_FIELDS, egress=False)


@operation(_REVOKE_OUT, *_rule_params(EGRESS_FIELDS, revoke=True), idempotent=True, mapping=True)
def revoke_security_group_egress(ctx: Context, a: dict) -> dict:
    return _revoke(ctx, a, EGRESS_FIELDS, egress=True)


# -- changing a rule in place ----------------------------------------------------------------------
# The fields naming a rule's far end, per side: given in a Modify by rule id, they replace all the old ones.
_FAR_END = {"Source": ("SourceCidrIp", "Ipv6SourceCidrIp", "SourceGroupId", "SourcePrefixListId",
                       "SourceGroupOwnerAccount", "SourceGroupOwnerId"),
            "Dest": ("DestCidrIp", "Ipv6DestCidrIp", "DestGroupId", "DestPrefixListId", "DestGroupOwnerAccount",
                     "DestGroupOwnerId")}


def _entity(rule: Mapping[str, Any]) -> tuple[str, str]:
    """(side, what) of a rule's far end: the documented "authorization object type", an address range of one
    family, a group or a prefix list, which a Modify cannot change."""
    side = "Dest" if rule["Direction"] == "egress" else "Source"
    for what, field in (("ipv4", f"{side}CidrIp"), ("ipv6", f"Ipv6{side}CidrIp"), ("group", f"{side}GroupId")):
        if rule[field]:
            return side, what
    return side, "prefix_list"


def _changed(ctx: Context, group: Mapping[str, Any], old: Mapping[str, Any], given: dict, egress: bool) -> dict:
    """The rule ``old`` with the ``given`` fields (a Modify by SecurityGroupRuleId), validated as a new rule is."""
    side, other = ("Dest", "Source") if egress else ("Source", "Dest")
    merged = {f: v for f, v in old.items() if v not in (None, "") and f in _SNAKE}
    for names in (_FAR_END[side], (f"{other}CidrIp", f"Ipv6{other}CidrIp")):
        if any(f in given for f in names):
            for name in names:
                merged.pop(name, None)
    new = _rule(ctx, group, "", {**merged, **given}, egress)
    if new["NicType"] != old["NicType"]:
        raise _fail(ctx, "InvalidOperation.ModifyNicType")
    if _entity(new) != _entity(old):
        raise _fail(ctx, "InvalidOperation.ModifySgRuleEntityType")
    lists = [ctx.txn.get(prefix_lists.KIND, _prefix_list_of(r)) for r in (old, new) if _prefix_list_of(r)]
    if len(lists) == 2 and None not in lists and lists[0]["AddressFamily"] != lists[1]["AddressFamily"]:
        raise _fail(ctx, "InvalidParam.PrefixListAddressFamilyMismatch")
    return {**new, "SecurityGroupRuleId": old["SecurityGroupRuleId"], "CreateTime": old["CreateTime"]}


def _modify(ctx: Context, a: dict, fields: tuple[str, ...], egress: bool) -> dict:
    """By SecurityGroupRuleId, any field but NicType and the far end's kind changes. Without it, the given fields
    find the rule as Revoke finds one (:func:`_matching`), whose Priority and Description then change."""
    group = _group(ctx, a["security_group_id"])
    given = {f: a[_SNAKE[f]] for f in fields if a.get(_SNAKE[f]) not in (None, "")}
    rule_id = a["security_group_rule_id"]
    if rule_id:
        if not rule_id.startswith("sgr-"):
            raise _fail(ctx, "InvalidParam.SecurityGroupRuleId")
        _named(ctx, group, [rule_id], egress)
        old = next(r for r in group["_rules"] if r["SecurityGroupRuleId"] == rule_id)
        new = _changed(ctx, group, old, given, egress)
    else:
        target = _rule(ctx, group, "", given, egress)
        found = _matching(group, [target])
        if not found:
            raise _fail(ctx, "SecurityGroupRule.NotFound")
        old = next(r for r in group["_rules"] if r["SecurityGroupRuleId"] in found)
        new = {**old, **{f: target[f] for f in ("Priority", "Description") if f in given}}
    if any(_identity(r) == _identity(new) for r in group["_rules"] if r is not old):
        raise _fail(ctx, "InvalidParam.InvalidModifyRuleRequest")  # [GUESS] documented refusal, no code of its own
    rules = [new if r is old else r for r in group["_rules"]]
    _check_counts(ctx, group, rules, new["Direction"])
    resources.put(ctx.txn, KIND, {**group, "_rules": rules})
    return {}


def _modify_params(fields: tuple[str, ...]) -> tuple:
    return (S("SecurityGroupId", required=True), S("SecurityGroupRuleId")) + tuple(S(f) for f in fields)


@operation(_MODIFY, *_modify_params(INGRESS_FIELDS), idempotent=True, mapping=True)
def modify_security_group_rule(ctx: Context, a: dict) -> dict:
    return _modify(ctx, a, INGRESS_FIELDS, egress=False)


@operation(_MODIFY_OUT, *_modify_params(EGRESS_FIELDS), idempotent=True, mapping=True)
def modify_security_group_egress_rule(ctx: Context, a: dict) -> dict:
    return _modify(ctx, a, EGRESS_FIELDS, egress=True)


@operation("DescribeSecurityGroupReferences", Repeat("SecurityGroupId", required=True, missing=(
    "InvalidSecurityGroupId.Malformed", "The specified parameter SecurityGroupId is essential and size should less "
    "than 10", 400)), region_error=("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our "
                                                                      "records."))
def describe_security_group_references(ctx: Context, security_group_id: list[str]) -> dict:
    """The groups whose rules name each group (only groups something references are listed)."""
    ids = list(dict.fromkeys(i for i in security_group_id if i))
    if not 1 <= len(ids) <= 10:
        raise EcsError("InvalidSecurityGroupId.Malformed",
                       "The specified parameter SecurityGroupId is essential and size should less than 10", 400)
    found = []
    for group_id in ids:
        _group(ctx, group_id, REFERENCES_NOT_FOUND)
        referencing = sorted(ctx.txn.ids(KIND, ("sg_ref", group_id)) - {group_id})
        if referencing:
            found.append({"SecurityGroupId": group_id, "ReferencingSecurityGroups": {"ReferencingSecurityGroup": [
                {"SecurityGroupId": other, "AliUid": ctx.account} for other in referencing]}})
    return {"SecurityGroupReferences": {"SecurityGroupReference": found}}


@operation("DeleteSecurityGroup", S("SecurityGroupId", required=True), region_missing=_NO_REGION)
def delete_security_group(ctx: Context, security_group_id: str) -> dict:
    record = _group(ctx, security_group_id, DELETE_NOT_FOUND)
    # (a secondary network interface in the group counts as a member too: the documented refusal)
    member = ("security_group", security_group_id)
    if ctx.txn.count("instance", member) or ctx.txn.count("network_interface", member):
        raise IN_USE
    if ctx.txn.ids(KIND, ("sg_ref", security_group_id)) - {security_group_id}:
        raise REFERENCED
    resources.delete(ctx.txn, KIND, record["SecurityGroupId"])
    return {}


# -- changing a group -------------------------------------------------------------------------------
@operation("ModifySecurityGroupAttribute", S("SecurityGroupId", required=True), S("SecurityGroupName"),
           S("Description"))
def modify_security_group_attribute(ctx: Context, security_group_id: str, security_group_name: Optional[str],
                                    description: Optional[str]) -> dict:
    _check_name_and_description(security_group_name, description, MODIFY_BAD_DESCRIPTION)
    record = _group(ctx, security_group_id)
    changes = {k: v for k, v in (("SecurityGroupName", security_group_name), ("Description", description))
               if v is not None}
    resources.put(ctx.txn, KIND, {**record, **changes})
    return {}


@operation("ModifySecurityGroupPolicy", S("SecurityGroupId", required=True), S("InnerAccessPolicy", required=True),
           idempotent=True, region_missing=("MissingParamter.RegionId", "The RegionId should not be null.", 400))
def modify_security_group_policy(ctx: Context, security_group_id: str, inner_access_policy: str) -> dict:
    policy = inner_access_policy.strip().lower()
    if policy not in ("accept", "drop"):
        raise EcsError("InvalidPolicy.Malformed",
                       "The Policy is invalid. Only 'Accept' and 'Drop' are supported. Ignore case.", 400)
    record = _group(ctx, security_group_id)
    if record["SecurityGroupType"] == "enterprise":
        raise EcsError("InvalidParameter.InnerAccessPolicy",
                       "The InnerAccessPolicy attribute of enterprise level security group can't be modified.", 404)
    resources.put(ctx.txn, KIND, {**record, "InnerAccessPolicy": policy.capitalize()})
    return {}


# -- instances joining and leaving ------------------------------------------------------------------
MAX_GROUPS_PER_INSTANCE = 5  # documented limit of security groups per instance (primary NIC)
_MEMBERSHIP = (S("SecurityGroupId", required=True), S("InstanceId"), S("NetworkInterfaceId"))
# RegionId is optional (declared, not required): without it, the region of the endpoint.
_BY_INSTANCE = {"region": "optional"}


def _member(ctx: Context, instance_id: Optional[str], network_interface_id: Optional[str]) -> tuple[str, dict]:
    """(kind, record) of what a Join/LeaveSecurityGroup names: an instance, or a secondary network interface
    (a primary one's groups are its instance's: named by InstanceId)."""
    if instance_id and network_interface_id:
        raise EcsError("InvalidParam.EniIdAndInstanceId.Conflict",
                       "The parameters InstanceId and NetworkInterfaceId cannot be set at the same time.", 403)
    if network_interface_id:
        eni = resources.get(ctx, interfaces.KIND, network_interface_id)
        if not resources.is_mine(ctx, eni):
            raise EcsError("InvalidEniId.NotFound", f"The specified NetworkInterfaceId {network_interface_id} does "
                           "not exist.", 404)
        if eni["Type"] == "Primary":
            raise ENI_PRIMARY
        return interfaces.KIND, eni
    if not instance_id:
        raise EcsError("InvalidParam.Malformed", "One of the parameters InstanceId or NetworkInterfaceId must be "
                       "specified.", 403)
    return "instance", resources.owned(ctx, "instance", instance_id, INSTANCE_NOT_FOUND)


def _eni_groups(eni: Mapping[str, Any], group_ids: list[str]) -> dict:
    return {**eni, "SecurityGroupIds": {"SecurityGroupId": group_ids}}


@operation("JoinSecurityGroup", *_MEMBERSHIP, **_BY_INSTANCE)
def join_security_group(ctx: Context, security_group_id: str, instance_id: Optional[str],
                        network_interface_id: Optional[str]) -> dict:
    kind, instance = _member(ctx, instance_id, network_interface_id)
    group = _group(ctx, security_group_id)
    current = list(instance["SecurityGroupIds"]["SecurityGroupId"])
    if kind == interfaces.KIND:
        if security_group_id in current:
            raise ALREADY_MEMBER  # (the documented code and message, for an ENI too)
        if len(current) >= MAX_GROUPS_PER_INSTANCE:
            raise TOO_MANY_GROUPS
        if instance["VpcId"] != group["VpcId"]:
            raise ENI_OTHER_VPC
        resources.put(ctx.txn, kind, _eni_groups(instance, current + [security_group_id]))
        return {}
    if instance["Status"] == "Pending":
        raise BEING_CREATED
    if instance["Status"] not in ("Running", "Stopped"):
        raise INSTANCE_STATUS
    if security_group_id in current:
        raise ALREADY_MEMBER
    if len(current) >= MAX_GROUPS_PER_INSTANCE:
        raise TOO_MANY_GROUPS
    if (instance.get("VpcAttributes") or {}).get("VpcId", "") != group["VpcId"]:
        raise NOT_SAME_VPC
    types = {g["SecurityGroupType"] for g in (resources.get(ctx, KIND, i) for i in current) if g is not None}
    if types and types != {group["SecurityGroupType"]}:
        raise MIXED_TYPES
    members = ctx.txn.count("instance", ("security_group", security_group_id))
    if members >= _capacity(group):
        raise GROUP_FULL
    resources.put(ctx.txn, "instance", {**instance, "SecurityGroupIds": {"SecurityGroupId": current + [
        security_group_id]}})
    return {}


@operation("LeaveSecurityGroup", *_MEMBERSHIP, **_BY_INSTANCE)
def leave_security_group(ctx: Context, security_group_id: str, instance_id: Optional[str],
                         network_interface_id: Optional[str]) -> dict:
    kind, instance = _member(ctx, instance_id, network_interface_id)
    _group(ctx, security_group_id)
    current = list(instance["SecurityGroupIds"]["SecurityGroupId"])
    if kind == interfaces.KIND:
        if security_group_id not in current:
            raise ENI_NOT_MEMBER
        if len(current) == 1:
            raise ENI_LAST_GROUP
        resources.put(ctx.txn, kind, _eni_groups(instance, [g for g in current if g != security_group_id]))
        return {}
    if instance["Status"] not in ("Running", "Stopped"):
        raise INSTANCE_STATUS
    if security_group_id not in current:
        raise NOT_MEMBER
    if len(current) == 1:
        raise LAST_GROUP
    current.remove(security_group_id)
    resources.put(ctx.txn, "instance", {**instance, "SecurityGroupIds": {"SecurityGroupId": current}})
    return {}

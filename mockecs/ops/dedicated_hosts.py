"""Dedicated hosts: AllocateDedicatedHosts, DescribeDedicatedHosts, DescribeDedicatedHostTypes,
ModifyDedicatedHostAttribute, ModifyDedicatedHostAutoReleaseTime, ModifyDedicatedHostAutoRenewAttribute,
DescribeDedicatedHostAutoRenew, ModifyDedicatedHostsChargeType, RenewDedicatedHosts, RedeployDedicatedHost,
ReleaseDedicatedHost; dedicated host clusters: CreateDedicatedHostCluster, DescribeDedicatedHostClusters,
ModifyDedicatedHostClusterAttribute, DeleteDedicatedHostCluster (Terraform's ``alicloud_ecs_dedicated_host`` and
``alicloud_ecs_dedicated_host_cluster``, and their data sources).

Hosts, their types, their capacity, instances on them and their clock: :mod:`mockecs.world.dedicated_hosts`.
A host is Available as soon as it is allocated [GUESS: Terraform waits for it]. Each operation answers the codes its
metadata documents, with their statuses and messages (``%s`` written out).
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from mockecs.ops.charge_types import BAD_IDS, RELEASE_TIME_SET, TOO_MANY, UNIT_MISMATCH, _charge_type_error
from mockecs.ops.charge_types import NOT_FOUND as CHARGE_NOT_FOUND
from mockecs.ops.instances import in_service_order, instance_id_list, release_time
from mockecs.ops.registry import BAD_CLIENT_TOKEN, Context, operation
from mockecs.wire.errors import EcsError, error_kind
from mockecs.wire.params import TAGS, B, F, I, S, Struct
from mockecs.world import dedicated_hosts as ddh
from mockecs.world import paging, pricing, quotes, regions, resource_groups, resources, subscriptions
from mockecs.world.dedicated_hosts import CLUSTER, KIND
from mockecs.world.validation import check_description, starts_with_letter

PERIODS = {**subscriptions.PERIODS, "Year": (1, 2, 3, 4, 5)}
# AutoRenewPeriod / Duration per PeriodUnit (the metadata's china-site ranges)
RENEW_PERIODS = {"Week": (1, 2, 3, 4), "Month": (1, 2, 3, 6, 12, 24, 36, 48, 60), "Year": (1, 2, 3, 4, 5)}
MAINTENANCE = ("Migrate", "Stop")
RENEW_WITH_ECS = ("AutoRenewWithEcs", "StopRenewWithEcs")
MAX_IDS = 100
_NETWORK = Struct("NetworkAttributes", [I("SlbUdpTimeout"), I("UdpTimeout")])
# 2-128 characters: letters (any script) and digits, ":", "_", ".", "-"; a letter first [GUESS: as Modify documents]
_HOST_NAME = re.compile(r"^[\w:.\-]{2,128}$")
_CLUSTER_NAME = re.compile(r"^[\w.\-]{2,128}$")

# -- AllocateDedicatedHosts ------------------------------------------------------------------------------------
TYPE_NOT_SUPPORTED = error_kind("InvalidDedicatedHostType.ValueNotSupported",
                                "The specified DedicatedHostType does not exist or beyond the permitted range.", 403)
TYPE_NOT_IN_ZONE = error_kind("InvalidDedicatedHostType.ZoneNotSupported",
                              "The specified zone does not support this dedicatedHostType.", 403)
NOT_AVAILABLE = error_kind("OperationDenied", "The specified DedicatedHostType or Zone is not available or not "
                           "authorized.")
ZONE_NOT_FOUND = error_kind("InvalidZoneId.NotFound", "The ZoneId provided does not exist in our records.", 404)
BAD_HOST_NAME = error_kind("InvalidDedicatedHostName.Malformed",
                           "The specified parameter DedicatedHostName is not valid.", 404)
ALLOCATE_DESCRIPTION = ("InvalidDescription.Malformed", 'The specified parameter "Description" is not valid.')
CLUSTER_NOT_FOUND = error_kind("InvalidDedicatedHostClusterId.NotFound",
                               "The specified DedicatedHostClusterId does not exist.", 404)
CLUSTER_CONFLICT = error_kind("InvalidParameter.Conflict", "The specified region and cluster do not match.")
BAD_MAINTENANCE = error_kind("InvalidParameter.ActionOnMaintenance",
                             "The specified ActionOnMaintenance does not exist.", 404)
BAD_SLB_UDP = error_kind("InvalidParameter.SlbUdpTimeout", "The specified value is invalid.")
BAD_UDP = error_kind("InvalidParameter.UdpTimeout", "The specified value is invalid.")
BAD_CHARGE_TYPE = error_kind("InvalidChargeType.ValueNotSupported", "ChargeType is not valid")
BAD_PERIOD_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.")
BAD_PERIOD = error_kind("InvalidPeriod", "The specified period is not valid.")  # (RenewDedicatedHosts' [GUESS])
BAD_AUTO_RENEW = error_kind("InvalidAutoRenewPeriod.ValueNotSupported", "The specified autoRenewPeriod is not valid.")
BAD_QUANTITY = error_kind("InvalidParameter.Quantity", "The specified Quantity is invalid.")
def _quota_full(most: int) -> EcsError:
    return EcsError("QuotaExceed.AfterpayDedicatedHost",
                    f"The maximum number of Pay-As-You-Go DedicatedHosts is exceeded: {most}", 400)


RELEASE_MALFORMED = error_kind("InvalidAutoReleaseTime.Malformed",
                               "The specified parameter AutoReleaseTime is not valid.")


def _ratio_error(code: str, detail: str) -> EcsError:
    return EcsError(code, detail, 400)


def _check_name(name: Optional[str], pattern: re.Pattern, error: type[EcsError]) -> None:
    if name and not (pattern.match(name) and starts_with_letter(name)
                     and not name.lower().startswith(("http://", "https://"))):
        raise error


def _network(given: Optional[Mapping[str, Any]], current: Optional[Mapping[str, Any]] = None) -> dict:
    """NetworkAttributes: each 15-310 seconds; 0 or none keeps what there is [GUESS: Terraform sends 0 for the
    one not configured]."""
    out = dict(current or {"UdpTimeout": ddh.DEFAULT_UDP_TIMEOUT, "SlbUdpTimeout": ddh.DEFAULT_UDP_TIMEOUT})
    for name, field, error in (("slb_udp_timeout", "SlbUdpTimeout", BAD_SLB_UDP),
                               ("udp_timeout", "UdpTimeout", BAD_UDP)):
        value = (given or {}).get(name)
        if value:
            if not 15 <= value <= 310:
                raise error
            out[field] = value
    return out


def _ratio(htype: Mapping[str, Any], ratio: Optional[float]) -> float:
    """A host's CpuOverCommitRatio: only the types that take one, within their range (documented codes)."""
    if ratio is None:
        return 1.0
    allowed = ddh.over_commit(htype)
    if allowed is None:
        if ratio == 1:
            return 1.0
        raise _ratio_error("InvalidDedicatedHostType.CpuOverCommitRatioNotSupported",
                           f"The DedicatedHostType {htype['DedicatedHostType']} does not support CpuOverCommitRatio.")
    if not allowed[0] <= ratio <= allowed[1]:
        raise _ratio_error("InvalidCpuOverCommitRatio.ValueNotSupported",
                           f"The CpuOverCommitRatio must be from {allowed[0]:g} to {allowed[1]:g}.")
    return float(ratio)


def _zone(ctx: Context, htype: Mapping[str, Any], zone_id: Optional[str], cluster: Optional[Mapping[str, Any]]) -> str:
    if cluster is not None:
        if zone_id and zone_id != cluster["ZoneId"]:
            raise CLUSTER_CONFLICT
        zone_id = cluster["ZoneId"]
    if zone_id:
        if zone_id not in regions.zone_ids(ctx.region):
            raise ZONE_NOT_FOUND
        if not ddh.sold_in(htype, zone_id):
            raise TYPE_NOT_IN_ZONE
        return zone_id
    selling = ddh.zones_selling(htype, ctx.region)
    if not selling:
        raise NOT_AVAILABLE
    return selling[0]


def _subscription(ctx: Context, args: Mapping[str, Any]) -> dict:
    """A subscription host's ExpiredTime, SaleCycle and renewal (Period PeriodUnits; AutoRenew by AutoRenewPeriod)."""
    unit, period = args["period_unit"], args["period"]
    if unit not in PERIODS:
        raise BAD_PERIOD_UNIT
    if period is None and ctx.config.options["subscription_period"] == "one":
        period = 1
    if period not in PERIODS[unit]:
        raise BAD_PERIOD
    terms: dict = {"ExpiredTime": subscriptions.subscription_end(ctx.now, period, unit), "SaleCycle": unit}
    if args["auto_renew"]:
        renew = args["auto_renew_period"] or 1
        if renew not in RENEW_PERIODS[unit]:
            raise BAD_AUTO_RENEW
        terms["_renewal"] = {"RenewalStatus": "AutoRenewal", "Duration": renew, "PeriodUnit": unit}
    return terms


@operation("AllocateDedicatedHosts", TAGS, S("ResourceGroupId"), S("ZoneId"), S("DedicatedHostName"),
           S("DedicatedHostClusterId"), S("DedicatedHostType", required=True), S("ActionOnMaintenance"), _NETWORK,
           S("Description"), S("AutoPlacement", default="on", choices=("on", "off")), F("CpuOverCommitRatio"),
           I("MinQuantity"),
           S("ChargeType", default="PostPaid"),
           I("Quantity", default=1),
           I("Period"), S("PeriodUnit", default="Month"), B("AutoRenew", default=False), I("AutoRenewPeriod"),
           S("AutoReleaseTime"), idempotent=True, mapping=True)
def allocate_dedicated_hosts(ctx: Context, args: dict) -> dict:
    """``Quantity`` hosts of a type in a zone (given, the cluster's, else the first selling the type). A
    subscription's AutoReleaseTime is ignored [GUESS: as instances']."""
    htype = ddh.host_type(args["dedicated_host_type"])
    if htype is None:
        raise TYPE_NOT_SUPPORTED
    quantity, least = args["quantity"], args["min_quantity"]
    if not 1 <= quantity <= 100 or (least is not None and not 1 <= least <= quantity):
        raise BAD_QUANTITY
    _check_name(args["dedicated_host_name"], _HOST_NAME, BAD_HOST_NAME)
    check_description(args["description"], *ALLOCATE_DESCRIPTION)
    maintenance = args["action_on_maintenance"] or "Migrate"  # (documented default with cloud disks)
    if maintenance not in MAINTENANCE:
        raise BAD_MAINTENANCE
    network = _network(args["network_attributes"])
    ratio = _ratio(htype, args["cpu_over_commit_ratio"])
    charge = args["charge_type"]
    if charge not in ("PrePaid", "PostPaid"):
        raise BAD_CHARGE_TYPE
    cluster = None
    if args["dedicated_host_cluster_id"]:
        cluster = ddh.find(ctx, CLUSTER, args["dedicated_host_cluster_id"])
        if cluster is None:
            raise CLUSTER_NOT_FOUND
    zone_id = _zone(ctx, htype, args["zone_id"], cluster)
    tags = resources.tags_from_args(args["tag"])
    group = resource_groups.resolve(ctx, args["resource_group_id"])
    if charge == "PrePaid":
        terms, release = _subscription(ctx, args), ""
    else:
        terms = {"ExpiredTime": ddh.POSTPAID_EXPIRY, "SaleCycle": ""}
        release = release_time(ctx, args["auto_release_time"], RELEASE_MALFORMED)
        most = int(ctx.config.options["dedicated_host_quota"])
        if ctx.txn.count(KIND, ddh.charge_term(ctx.account, ctx.region, "PostPaid")) + quantity > most:
            raise _quota_full(most)
    ids = []
    for index in range(quantity):
        host_id = resources.new_id(KIND, ctx.region)
        record = resources.put(ctx.txn, KIND, {
            "DedicatedHostId": host_id, "DedicatedHostName": args["dedicated_host_name"] or "",
            "DedicatedHostType": htype["DedicatedHostType"], "Description": args["description"] or "",
            "RegionId": ctx.region, "ZoneId": zone_id, "Status": "Available",
            "CreationTime": resources.iso_minute(ctx.now), "ChargeType": charge, "AutoReleaseTime": release,
            "AutoPlacement": args["auto_placement"], "ActionOnMaintenance": maintenance,
            "CpuOverCommitRatio": ratio, "NetworkAttributes": network, "ResourceGroupId": group,
            "DedicatedHostClusterId": cluster["DedicatedHostClusterId"] if cluster else "",
            "Sockets": htype["Sockets"], "Cores": htype["Cores"], "GPUSpec": htype.get("GPUSpec", ""),
            "PhysicalGpus": htype.get("PhysicalGpus", 0), "MachineId": ddh.new_machine_id(),
            "DedicatedHostOwnerId": int(ctx.account), "OperationLocks": {"OperationLock": []},
            "HostDetailInfo": {"SerialNumber": resources.random_uuid()},
            "SchedulerOptions": {"ManagedPrivateSpaceId": ""},
            "Tags": {"Tag": [dict(t) for t in tags]}, **terms,
            "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now + index * 1e-6,
        })
        ddh.schedule(ctx, record, placed=False)
        ids.append(host_id)
    return {"DedicatedHostIdSets": {"DedicatedHostId": ids}}


# -- DescribeDedicatedHosts ------------------------------------------------------------------------------------
_DESCRIBE_REGION = {"region_error": ("InvalidRegion.NotFound", 400, "The specified parameter RegionId is not valid."),
                    "region_missing": ("MissingParamter.RegionId", "The regionId should not be null.", 400)}
BAD_STATUS = error_kind("InvalidStatus.ValueNotSupported", "The pecified dedicated host status is not supported.")
BAD_HOST_IDS = error_kind("InvalidParameter.DedicatedHostIds", "The specified parameter dedicatedHostIds is not valid.")
TOO_MANY_HOST_IDS = error_kind("InvalidDedicatedHostIds.Malformed",
                               "The amount of specified dedicatedHostIds exceeds the limit.", 403)
BAD_ZONE = error_kind("InvalidZone.NotFound", "The specified parameter ZoneId is not valid.")
BAD_LOCK_REASON = error_kind("InvalidLockReason.NotFound", "The specified LockReason is not found.", 404)


def _sorted(records: Any) -> list[dict]:
    return sorted(records, key=lambda r: (r.get("_created", 0.0), resources.wire(r).get("DedicatedHostId")
                                          or r.get("DedicatedHostClusterId")))


def _check_zone(ctx: Context, zone_id: Optional[str]) -> None:
    if zone_id and zone_id not in regions.zone_ids(ctx.region):
        raise BAD_ZONE


@operation("DescribeDedicatedHosts", S("ZoneId"), S("DedicatedHostIds"), S("DedicatedHostName"), S("Status"),
           S("DedicatedHostType"), S("LockReason"), paging.PAGE_NUMBER, paging.PAGE_SIZE, S("ResourceGroupId"), TAGS,
           S("DedicatedHostClusterId"), S("SocketDetails"), S("NextToken"), I("MaxResults", min=1, max=100),
           mapping=True, **_DESCRIBE_REGION)
def describe_dedicated_hosts(ctx: Context, args: dict) -> dict:
    """The caller's hosts here, oldest first [GUESS], each filter narrowing (by index); ids naming none are left
    out (Terraform's read takes an empty list as gone)."""
    ids = instance_id_list(args["dedicated_host_ids"], BAD_HOST_IDS, TOO_MANY_HOST_IDS, MAX_IDS)
    status, lock = args["status"], args["lock_reason"]
    if status and status not in ddh.STATUSES:
        raise BAD_STATUS
    if lock and lock not in ("financial", "security"):
        raise BAD_LOCK_REASON
    _check_zone(ctx, args["zone_id"])
    ddh.settle_due(ctx)
    scope = f"{ctx.account}|{ctx.region}"
    filters = {"ZoneId": args["zone_id"], "DedicatedHostName": args["dedicated_host_name"], "Status": status,
               "DedicatedHostType": args["dedicated_host_type"], "ResourceGroupId": args["resource_group_id"],
               "DedicatedHostClusterId": args["dedicated_host_cluster_id"]}
    wanted = {k: v for k, v in filters.items() if v}
    if not ids and not wanted and not lock and not args["tag"]:
        page, meta = paging.ordered_page(ctx, KIND, resources.owner_region(ctx.account, ctx.region),
                                         args["page_number"], args["page_size"], args["next_token"],
                                         args["max_results"])
    else:
        terms = {"ZoneId": "ddh_zone", "DedicatedHostName": "ddh_name", "Status": "ddh_status",
                 "DedicatedHostType": "ddh_type"}
        narrower = [(terms[k], f"{scope}|{v}") for k, v in wanted.items() if k in terms]
        if wanted.get("ResourceGroupId"):
            narrower.append(resource_groups.term(wanted["ResourceGroupId"]))
        if wanted.get("DedicatedHostClusterId"):
            narrower.append((CLUSTER, wanted["DedicatedHostClusterId"]))
        found = _sorted(r for r in resources.mine_among(ctx, KIND, ids, *narrower, tags=args["tag"])
                        if all(r.get(k) == v for k, v in wanted.items()) and resources.match_tags(r, args["tag"])
                        and (not lock or any(x.get("LockReason") == lock
                                             for x in r["OperationLocks"]["OperationLock"])))
        start, size, meta = paging.bounds(args["page_number"], args["page_size"], args["next_token"],
                                          args["max_results"], len(found))
        page = found[start:start + size]
    sockets = (args["socket_details"] or "").lower() == "true"
    return {**meta, "PageNumber": meta.get("PageNumber", args["page_number"]),
            "DedicatedHosts": {"DedicatedHost": [ddh.view(ctx, r, sockets) for r in page]}}


# -- DescribeDedicatedHostTypes --------------------------------------------------------------------------------
@operation("DescribeDedicatedHostTypes", S("DedicatedHostType"), S("SupportedInstanceTypeFamily"), stateless=True)
def describe_dedicated_host_types(ctx: Context, dedicated_host_type: Optional[str],
                                  supported_instance_type_family: Optional[str]) -> dict:
    """The types sold in a zone of the region, filtered (a filter naming nothing: an empty list [GUESS])."""
    return {"DedicatedHostTypes": {"DedicatedHostType": [
        ddh.type_view(t) for t in ddh.host_types()
        if ddh.zones_selling(t, ctx.region) and dedicated_host_type in (None, "", t["DedicatedHostType"])
        and supported_instance_type_family in (None, "", *t["families"])]}}


# -- ModifyDedicatedHostAttribute ------------------------------------------------------------------------------
HOST_NOT_FOUND = error_kind("InvalidDedicatedHostId.NotFound", "The specified DedicatedHostId does not exist.", 404)
MODIFY_CLUSTER_NOT_FOUND = CLUSTER_NOT_FOUND
CLUSTER_NOT_MATCH = error_kind("InvalidDedicatedHostClusterId.NotMatch",
                               "The specified DedicatedHostCluster does not match request.", 404)
MODIFY_DESCRIPTION = ("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
BAD_HOST_NAME_400 = error_kind("InvalidDedicatedHostName.Malformed",
                               "The specified parameter DedicatedHostName is not valid.")


def _host(ctx: Context, host_id: Optional[str], not_found: type[EcsError] = HOST_NOT_FOUND) -> dict:
    record = ddh.find(ctx, KIND, host_id)
    if record is None:
        raise not_found
    return record


def _follow(ctx: Context, host: Mapping[str, Any]) -> None:
    """The instances on a host show its new name or cluster."""
    for instance in ddh.hosted(ctx, host["DedicatedHostId"]):
        attribute = ddh.host_attribute(host, instance["DedicatedInstanceAttribute"]["Affinity"])
        resources.put(ctx.txn, "instance", in_service_order({**instance, **attribute}))


@operation("ModifyDedicatedHostAttribute", S("DedicatedHostId", required=True), S("DedicatedHostName"),
           S("Description"), S("ActionOnMaintenance"), _NETWORK, S("AutoPlacement", choices=("on", "off")),
           S("DedicatedHostClusterId"), F("CpuOverCommitRatio"), mapping=True)
def modify_dedicated_host_attribute(ctx: Context, args: dict) -> dict:
    """What is not sent keeps its value. A CpuOverCommitRatio leaving fewer vCPUs than the instances use is refused
    [GUESS: its documented code]."""
    _check_name(args["dedicated_host_name"], _HOST_NAME, BAD_HOST_NAME_400)
    check_description(args["description"], *MODIFY_DESCRIPTION)
    if args["action_on_maintenance"] and args["action_on_maintenance"] not in MAINTENANCE:
        raise BAD_MAINTENANCE
    record = _host(ctx, args["dedicated_host_id"])
    htype = ddh.host_type(record["DedicatedHostType"]) or {}
    changes: dict[str, Any] = {"NetworkAttributes": _network(args["network_attributes"], record["NetworkAttributes"])}
    if args["cpu_over_commit_ratio"] is not None:
        changes["CpuOverCommitRatio"] = _ratio(htype, args["cpu_over_commit_ratio"])
        if ddh.room({**record, **changes}, ddh.hosted(ctx, record["DedicatedHostId"])).used_vcpus > \
                ddh.total_vcpus(htype, changes["CpuOverCommitRatio"]):
            raise _ratio_error("InvalidCpuOverCommitRatio.ValueNotSupported",
                               "The instances on the dedicated host use more vCPUs than this ratio leaves.")
    cluster_id = args["dedicated_host_cluster_id"]
    if cluster_id and cluster_id != record["DedicatedHostClusterId"]:
        cluster = ddh.find(ctx, CLUSTER, cluster_id)
        if cluster is None:
            raise MODIFY_CLUSTER_NOT_FOUND
        if cluster["ZoneId"] != record["ZoneId"]:
            raise CLUSTER_NOT_MATCH
        changes["DedicatedHostClusterId"] = cluster_id
    for name, field in (("dedicated_host_name", "DedicatedHostName"), ("description", "Description"),
                        ("action_on_maintenance", "ActionOnMaintenance"), ("auto_placement", "AutoPlacement")):
        if args[name]:
            changes[field] = args[name]
    new = resources.put(ctx.txn, KIND, {**record, **changes})
    if new["DedicatedHostName"] != record["DedicatedHostName"] or \
            new["DedicatedHostClusterId"] != record["DedicatedHostClusterId"]:
        _follow(ctx, new)
    return {}


# -- ModifyDedicatedHostAutoReleaseTime ------------------------------------------------------------------------
RELEASE_NOT_FOUND = error_kind("NoSuchResource", "The specified resource is not found.", 404)
RELEASE_CHARGE = error_kind("ChargeTypeViolation",
                            "The operation is not permitted due to charge type of the dedicated host.", 403)


@operation("ModifyDedicatedHostAutoReleaseTime",
           S("DedicatedHostId", required=True,
             missing=("MissingParameter", "DedicatedHostId should not be null.", 400)),
           S("AutoReleaseTime"))
def modify_dedicated_host_auto_release_time(ctx: Context, dedicated_host_id: str,
                                            auto_release_time: Optional[str]) -> dict:
    """Set (or, without AutoReleaseTime, cancel) a pay-as-you-go host's release time: at it the host is released with
    the instances on it."""
    release = release_time(ctx, auto_release_time, RELEASE_MALFORMED)
    record = _host(ctx, dedicated_host_id, RELEASE_NOT_FOUND)
    if record["ChargeType"] != "PostPaid":
        raise RELEASE_CHARGE
    ddh.schedule(ctx, resources.put(ctx.txn, KIND, {**record, "AutoReleaseTime": release}))
    return {}


# -- auto-renewal ----------------------------------------------------------------------------------------------
RENEW_MISSING = ("MissingParameter.DedicatedHostId", "DedicatedHostId should not be null.", 403)
RENEW_TOO_MANY = error_kind("InvalidParameter.ToManyDedicatedHostIds", "DedicatedHostId should be less than 100.", 403)
RENEW_UNKNOWN = error_kind("InvalidParameter.InvalidDedicatedHostId", "The specified DedicatedHostId does not exist.",
                           403)
RENEW_CHARGE = {"DescribeDedicatedHostAutoRenew": error_kind(
    "ChargeTypeViolation", "Pay-As-You-Go dedicated host does not support this operation.", 403)}
PAY_AS_YOU_GO = error_kind("ChargeTypeViolation", "Pay-As-You-Go dedicated host do not support this operation.", 403)
BAD_DURATION = error_kind("InvalidParameter.Duration", "The specified parameter Duration is not valid for the "
                          "PeriodUnit.", 403)
BAD_RENEWAL_STATUS = error_kind("InvalidParameter.RenewalStatus", "The specified parameter RenewalStatus is not valid.",
                                403)
RENEW_BAD_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.",
                            403)
BAD_RENEW_WITH_ECS = error_kind("InvalidParameter.AutoRenewWithEcs",
                                "The value of parameter AutoRenewWithEcs is invalid.", 403)


def _comma_ids(text: Optional[str]) -> list[str]:
    """``DedicatedHostIds`` of the auto-renewal operations: ids separated by commas (a JSON list too [GUESS])."""
    ids = list(dict.fromkeys(i.strip().strip("[]\"' ") for i in (text or "").split(",")))
    ids = [i for i in ids if i]
    if not ids:
        raise EcsError(*RENEW_MISSING)
    if len(ids) > MAX_IDS:
        raise RENEW_TOO_MANY
    return ids


def _subscriptions(ctx: Context, ids: list[str], charge: type[EcsError]) -> list[dict]:
    records = [_host(ctx, i, RENEW_UNKNOWN) for i in ids]
    if any(r["ChargeType"] != "PrePaid" for r in records):
        raise charge
    return records


@operation("DescribeDedicatedHostAutoRenew", S("DedicatedHostIds", required=True, missing=RENEW_MISSING))
def describe_dedicated_host_auto_renew(ctx: Context, dedicated_host_ids: str) -> dict:
    rows = []
    for record in _subscriptions(ctx, _comma_ids(dedicated_host_ids), RENEW_CHARGE["DescribeDedicatedHostAutoRenew"]):
        kept = subscriptions.renewal(record)
        rows.append({"DedicatedHostId": record["DedicatedHostId"], "RenewalStatus": kept["RenewalStatus"],
                     "AutoRenewEnabled": kept["RenewalStatus"] == "AutoRenewal", "Duration": kept["Duration"],
                     "PeriodUnit": kept["PeriodUnit"],
                     "AutoRenewWithEcs": kept.get("AutoRenewWithEcs") or "StopRenewWithEcs"})
    return {"DedicatedHostRenewAttributes": {"DedicatedHostRenewAttribute": rows}}


@operation("ModifyDedicatedHostAutoRenewAttribute", S("DedicatedHostIds", required=True, missing=RENEW_MISSING),
           I("Duration", error=("InvalidParameter.Duration", 403)), S("PeriodUnit", default="Month"),
           B("AutoRenew", default=False), S("RenewalStatus"), S("AutoRenewWithEcs"))
def modify_dedicated_host_auto_renew_attribute(ctx: Context, dedicated_host_ids: str, duration: Optional[int],
                                               period_unit: str, auto_renew: bool, renewal_status: Optional[str],
                                               auto_renew_with_ecs: Optional[str]) -> dict:
    """RenewalStatus wins over AutoRenew (documented); AutoRenewal renews by Duration PeriodUnits (none: the host's,
    else 1 [GUESS]). Every host or none."""
    ids = _comma_ids(dedicated_host_ids)
    if renewal_status and renewal_status not in subscriptions.RENEWAL_STATUSES:
        raise BAD_RENEWAL_STATUS
    if period_unit not in RENEW_PERIODS:
        raise RENEW_BAD_UNIT
    if duration is not None and duration not in RENEW_PERIODS[period_unit]:
        raise BAD_DURATION
    if auto_renew_with_ecs and auto_renew_with_ecs not in RENEW_WITH_ECS:
        raise BAD_RENEW_WITH_ECS
    status = renewal_status or ("AutoRenewal" if auto_renew else "Normal")
    for record in _subscriptions(ctx, ids, PAY_AS_YOU_GO):
        kept = subscriptions.renewal(record)
        renewal = {**kept, "RenewalStatus": status}
        if status == "AutoRenewal":
            renewal.update(Duration=duration or kept["Duration"] or 1, PeriodUnit=period_unit)
        if auto_renew_with_ecs:
            renewal["AutoRenewWithEcs"] = auto_renew_with_ecs
        resources.put(ctx.txn, KIND, {**record, "_renewal": renewal})
    return {}


# -- RenewDedicatedHosts ---------------------------------------------------------------------------------------
RENEW_NOT_FOUND = error_kind("InvalidDedicatedHostId.NotFound", "The specified DedicatedHostId does not exist.")
RENEW_UNIT = error_kind("InvalidPeriodUnit.ValueNotSupported", "The specified parameter PeriodUnit is not valid.")


@operation("RenewDedicatedHosts", S("DedicatedHostIds", required=True), I("Period", required=True),
           S("PeriodUnit", default="Month"), idempotent=True, token_error=BAD_CLIENT_TOKEN)
def renew_dedicated_hosts(ctx: Context, dedicated_host_ids: str, period: int, period_unit: str) -> dict:
    """Each host's ExpiredTime moves on by the period, from its end (from now once it has passed [GUESS: as
    RenewInstance]); an expired host is unlocked. Every host or none."""
    if period_unit not in PERIODS:
        raise RENEW_UNIT
    if period not in PERIODS[period_unit]:
        raise BAD_PERIOD
    ids = instance_id_list(dedicated_host_ids, RENEW_NOT_FOUND, RENEW_NOT_FOUND, MAX_IDS)
    if not ids:
        raise RENEW_NOT_FOUND
    records = [_host(ctx, i, RENEW_NOT_FOUND) for i in ids]
    if any(r["ChargeType"] != "PrePaid" for r in records):
        raise PAY_AS_YOU_GO
    for record in records:
        start = max(resources.parse_iso(record["ExpiredTime"]) or ctx.now, ctx.now)
        ddh.renewed(ctx, record, subscriptions.subscription_end(start, period, period_unit))
    return {}


# -- ModifyDedicatedHostsChargeType ----------------------------------------------------------------------------
MAX_CHARGE_IDS = 20  # documented
POSTPAID_QUOTA = error_kind("QuotaExceed.AfterpayInstance", "The maximum number of Pay-As-You-Go instances is "
                            "exceeded.")  # (the pay-as-you-go host quota, option dedicated_host_quota)


@operation("ModifyDedicatedHostsChargeType", S("DedicatedHostIds", required=True), I("Period"),
           S("PeriodUnit", default="Month"), B("AutoPay", default=True),
           S("DedicatedHostChargeType", default="PrePaid"), B("DetailFee", default=False), dry_run=True,
           idempotent=True, token_error=BAD_CLIENT_TOKEN)
def modify_dedicated_hosts_charge_type(ctx: Context, dedicated_host_ids: str, period: Optional[int],
                                       period_unit: str, auto_pay: bool, dedicated_host_charge_type: str,
                                       detail_fee: bool) -> dict:
    """Pay-as-you-go <-> subscription (Period PeriodUnits from now); the codes ModifyInstanceChargeType answers, as
    the metadata documents them for hosts. A host with an AutoReleaseTime does not become a subscription; a host of
    the charge type asked for is refused. AutoPay=false: the order only."""
    ids = instance_id_list(dedicated_host_ids, BAD_IDS, TOO_MANY, MAX_CHARGE_IDS)
    if not ids:
        raise BAD_IDS
    target = dedicated_host_charge_type
    if target not in ("PrePaid", "PostPaid"):
        raise _charge_type_error(f"The specified DedicatedHostChargeType {target} is not supported.")
    fields: dict[str, Any] = {"ChargeType": target, "ExpiredTime": ddh.POSTPAID_EXPIRY, "SaleCycle": ""}
    if target == "PrePaid":
        if period_unit not in subscriptions.PERIODS or period is None or period not in PERIODS[period_unit]:
            raise UNIT_MISMATCH
        fields.update(ExpiredTime=subscriptions.subscription_end(ctx.now, period, period_unit), SaleCycle=period_unit)
    records = [_host(ctx, i, CHARGE_NOT_FOUND) for i in ids]
    if target == "PostPaid" and ctx.txn.count(KIND, ddh.charge_term(ctx.account, ctx.region, "PostPaid")) + \
            len(records) > int(ctx.config.options["dedicated_host_quota"]):
        raise POSTPAID_QUOTA
    for record in records:
        if record["ChargeType"] == target:
            raise _charge_type_error(f"The dedicated host {record['DedicatedHostId']} is already {target}.")
        if target == "PrePaid" and record["AutoReleaseTime"]:
            raise RELEASE_TIME_SET
    if auto_pay:
        for record in records:
            kept = {k: v for k, v in record.items() if k not in ("_renewal", "_expired")}
            ddh.schedule(ctx, resources.put(ctx.txn, KIND, {**ddh.with_lock(kept, False), **fields}))
    # [GUESS] "0": mockecs has no dedicated-host price list (DescribePrice answers PriceNotFound for ddh)
    fees = [quotes.fee_of(pricing.table(ctx.engine), r["DedicatedHostId"], 0.0) for r in records] \
        if detail_fee and target == "PostPaid" else []
    return {"OrderId": subscriptions.new_order_id(), "FeeOfInstances": {"FeeOfInstance": fees}}


# -- RedeployDedicatedHost -------------------------------------------------------------------------------------
REDEPLOY_STATUS = error_kind("InvalidDedicatedHostStatus.Malformed",
                             "The specified DedicatedHost is in inValid status to execute redeployment.")
UNSTOPPED = error_kind("InvalidInstanceStatus.Unstopped", "There is unstopped instances on DedicatedHost.")


@operation("RedeployDedicatedHost", S("DedicatedHostId", required=True))
def redeploy_dedicated_host(ctx: Context, dedicated_host_id: str) -> dict:
    """A host at risk (UnderAssessment) moves to another machine (a new MachineId) and is Available again at once
    [GUESS: no Redeploying phase]; every instance on it must be stopped (documented)."""
    record = _host(ctx, dedicated_host_id)
    if record["Status"] != "UnderAssessment":
        raise REDEPLOY_STATUS
    if any(i["Status"] != "Stopped" for i in ddh.hosted(ctx, record["DedicatedHostId"])):
        raise UNSTOPPED
    resources.put(ctx.txn, KIND, {**record, "Status": "Available", "MachineId": ddh.new_machine_id()})
    return {}


# -- ReleaseDedicatedHost --------------------------------------------------------------------------------------
RELEASE_CHARGE_TYPE = error_kind("ChargeTypeViolation",
                                 "The operation is not permitted due to charge type of the dedicated host.")
INSTANCE_EXIST = error_kind("InstanceExist", "Instance exists on the dedicated host.", 403)


@operation("ReleaseDedicatedHost", S("DedicatedHostId", required=True))
def release_dedicated_host(ctx: Context, dedicated_host_id: str) -> dict:
    """A pay-as-you-go host with no instance on it (a subscription host ends with its term: documented)."""
    record = _host(ctx, dedicated_host_id)
    if record["ChargeType"] != "PostPaid":
        raise RELEASE_CHARGE_TYPE
    if ctx.txn.count("instance", (KIND, record["DedicatedHostId"])):
        raise INSTANCE_EXIST
    ddh.release(ctx, record)
    return {}


# -- clusters --------------------------------------------------------------------------------------------------
CLUSTER_ZONE = error_kind("InvalidZone.NotFound", "The ZoneId provided does not exist in our records.", 404)
BAD_CLUSTER_NAME = error_kind("InvalidDedicatedHostName.Malformed",
                              "The specified parameter DedicatedHostClusterName is not valid.")
CLUSTER_DESCRIPTION = ("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
MODIFY_CLUSTER_UNKNOWN = error_kind("InvalidDedicatedHostId.NotFound",
                                    "The specified DedicatedHostClusterId does not exist.", 404)
BAD_CLUSTER_IDS = error_kind("InvalidParameter.DedicatedHostClusterIds",
                             "The specified parameter dedicatedHostClusterIds is not valid.")
TOO_MANY_CLUSTER_IDS = error_kind("InvalidDedicatedHostIds.Malformed",
                                  "The amount of specified dedicatedHostClusterIds exceeds the limit.", 403)
HOSTS_IN_CLUSTER = error_kind("DedicatedHostExists", "Dedicated Host exists in the dedicated host cluster.")
CLUSTER_ID_MISSING = ("IncompleteParamter", "Parameter DedicatedHostClusterId can not be null in this request.", 400)


@operation("CreateDedicatedHostCluster", TAGS, S("ResourceGroupId"), S("ZoneId", required=True),
           S("DedicatedHostClusterName"), S("Description"), dry_run=True)
def create_dedicated_host_cluster(ctx: Context, tag: Optional[list[dict]], resource_group_id: Optional[str],
                                  zone_id: str, dedicated_host_cluster_name: Optional[str],
                                  description: Optional[str]) -> dict:
    """The name and description follow ModifyDedicatedHostClusterAttribute's rules and codes [GUESS: none
    documented here]."""
    if zone_id not in regions.zone_ids(ctx.region):
        raise CLUSTER_ZONE
    _check_name(dedicated_host_cluster_name, _CLUSTER_NAME, BAD_CLUSTER_NAME)
    check_description(description, *CLUSTER_DESCRIPTION)
    tags = resources.tags_from_args(tag)
    cluster_id = resources.new_id(CLUSTER, ctx.region)
    resources.put(ctx.txn, CLUSTER, {
        "DedicatedHostClusterId": cluster_id, "DedicatedHostClusterName": dedicated_host_cluster_name or "",
        "Description": description or "", "RegionId": ctx.region, "ZoneId": zone_id,
        "ResourceGroupId": resource_groups.resolve(ctx, resource_group_id), "Tags": {"Tag": [dict(t) for t in tags]},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    return {"DedicatedHostClusterId": cluster_id}


@operation("DescribeDedicatedHostClusters", S("Status"), S("LockReason"), S("ResourceGroupId"), TAGS, S("ZoneId"),
           S("DedicatedHostClusterIds"), S("DedicatedHostClusterName"), paging.PAGE_NUMBER, paging.PAGE_SIZE,
           mapping=True, **_DESCRIBE_REGION)
def describe_dedicated_host_clusters(ctx: Context, args: dict) -> dict:
    """The caller's clusters here, oldest first [GUESS]; Status and LockReason are not yet in service (documented):
    not filters."""
    ids = instance_id_list(args["dedicated_host_cluster_ids"], BAD_CLUSTER_IDS, TOO_MANY_CLUSTER_IDS, MAX_IDS)
    zone_id, name, group = args["zone_id"], args["dedicated_host_cluster_name"], args["resource_group_id"]
    _check_zone(ctx, zone_id)
    number, size = args["page_number"], args["page_size"]
    if not ids and not zone_id and not name and not group and not args["tag"]:
        page, meta = paging.ordered_page(ctx, CLUSTER, resources.owner_region(ctx.account, ctx.region), number, size,
                                         None, None)
        total = meta["TotalCount"]
    else:
        scope = f"{ctx.account}|{ctx.region}"
        found = _sorted(r for r in resources.mine_among(
            ctx, CLUSTER, ids, ("ddhc_zone", f"{scope}|{zone_id}") if zone_id else None,
            ("ddhc_name", f"{scope}|{name}") if name else None,
            resource_groups.term(group) if group else None, tags=args["tag"])
            if zone_id in (None, "", r["ZoneId"]) and name in (None, "", r["DedicatedHostClusterName"])
            and group in (None, "", r["ResourceGroupId"]) and resources.match_tags(r, args["tag"]))
        page, total = paging.by_number(found, number, size), len(found)
    ddh.settle_due(ctx)
    return {"TotalCount": total, "PageNumber": number, "PageSize": size,
            "DedicatedHostClusters": {"DedicatedHostCluster": [ddh.cluster_view(ctx, r) for r in page]}}


@operation("ModifyDedicatedHostClusterAttribute", S("DedicatedHostClusterId", required=True),
           S("DedicatedHostClusterName"), S("Description"))
def modify_dedicated_host_cluster_attribute(ctx: Context, dedicated_host_cluster_id: str,
                                            dedicated_host_cluster_name: Optional[str],
                                            description: Optional[str]) -> dict:
    """What is not sent (or sent empty) keeps its value [GUESS]."""
    _check_name(dedicated_host_cluster_name, _CLUSTER_NAME, BAD_CLUSTER_NAME)
    check_description(description, *CLUSTER_DESCRIPTION)
    record = ddh.find(ctx, CLUSTER, dedicated_host_cluster_id)
    if record is None:
        raise MODIFY_CLUSTER_UNKNOWN
    changed = {k: v for k, v in (("DedicatedHostClusterName", dedicated_host_cluster_name),
                                 ("Description", description)) if v}
    if changed:
        resources.put(ctx.txn, CLUSTER, {**record, **changed})
    return {}


@operation("DeleteDedicatedHostCluster", S("DedicatedHostClusterId", required=True, missing=CLUSTER_ID_MISSING))
def delete_dedicated_host_cluster(ctx: Context, dedicated_host_cluster_id: str) -> dict:
    """Refused while a host is in it (documented). An unknown cluster answers AllocateDedicatedHosts' not-found code
    [GUESS: none documented here]."""
    record = ddh.find(ctx, CLUSTER, dedicated_host_cluster_id)
    if record is None:
        raise CLUSTER_NOT_FOUND
    if ctx.txn.count(KIND, (CLUSTER, dedicated_host_cluster_id)):
        raise HOSTS_IN_CLUSTER
    resources.delete(ctx.txn, CLUSTER, dedicated_host_cluster_id)
    return {}

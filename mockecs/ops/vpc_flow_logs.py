"""Flow logs on the VPC product's API (2016-04-28): CreateFlowLog, DescribeFlowLogs, ModifyFlowLogAttribute,
ActiveFlowLog, DeactiveFlowLog, DeleteFlowLog (Terraform's ``alicloud_vpc_flow_log``; the "flow logs enabled" check
of security scanners).

A flow log watches a VPC, a vSwitch or a network interface and would deliver to a Log Service project and logstore;
mockecs delivers nothing and keeps the settings: a new flow log is ``Active`` (delivery ``SUCCESS``), DeactiveFlowLog
and ActiveFlowLog switch it at once. No VPC metadata is at hand: names and types from the VPC SDK's models, codes
worded like the VPC API's own [GUESS].
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.apis import VPC
from mockecs.wire.errors import error_kind
from mockecs.wire.params import TAGS, I, Repeat, S, Structs
from mockecs.world import networks, resource_groups, resources

KIND = "flow_log"  # (its id prefix, id field, terms and order are in world.resources)
RESOURCE_KINDS = {"VPC": "vpc", "VSwitch": "vswitch", "NetworkInterface": "network_interface"}
TRAFFIC_TYPES = ("All", "Allow", "Drop")
INTERVALS = (1, 5, 10)  # minutes (documented; 10 by default)
IP_VERSIONS = ("IPv4", "DualStack")
QUOTA = 10  # flow logs per region [GUESS: the default quota the console shows]

NOT_FOUND = error_kind("InvalidFlowLogId.NotFound", "The specified flow log does not exist.", 404)
RESOURCE_NOT_FOUND = error_kind("InvalidResourceId.NotFound", "The specified resource does not exist.", 404)
BAD_RESOURCE_TYPE = error_kind("IllegalParam.ResourceType", "The specified ResourceType is invalid.", 400)
BAD_TRAFFIC_TYPE = error_kind("IllegalParam.TrafficType", "The specified TrafficType is invalid.", 400)
BAD_INTERVAL = error_kind("IllegalParam.AggregationInterval", "The specified AggregationInterval is invalid.", 400)
BAD_IP_VERSION = error_kind("IllegalParam.IpVersion", "The specified IpVersion is invalid.", 400)
BAD_NAME = error_kind("IllegalParam.FlowLogName", "The specified FlowLogName is invalid.", 400)
BAD_DESCRIPTION = error_kind("IllegalParam.Description", "The specified Description is invalid.", 400)
QUOTA_EXCEEDED = error_kind("QuotaExceeded.FlowLog", "The number of flow logs exceeds the quota.", 400)
ALREADY_WATCHED = error_kind("ResourceAlreadyExist.FlowLog",
                             "A flow log already exists for the specified resource and traffic type.", 400)
STATUS = error_kind("IncorrectStatus.FlowLog", "The current status of the flow log does not support this operation.",
                    400)


def _check_text(name: Optional[str], description: Optional[str]) -> None:
    if name and not networks.valid_name(name):
        raise BAD_NAME
    if description and (not 2 <= len(description) <= 256 or description.lower().startswith(("http://", "https://"))):
        raise BAD_DESCRIPTION


def _view(record: Mapping[str, Any]) -> dict:
    return {key: record[key] for key in (
        "FlowLogId", "FlowLogName", "Description", "ResourceType", "ResourceId", "TrafficType", "ProjectName",
        "LogStoreName", "AggregationInterval", "IpVersion", "Status", "BusinessStatus", "FlowLogDeliverStatus",
        "FlowLogDeliverErrorMessage", "CreationTime", "ResourceGroupId", "ServiceType", "LogFormat")} | {
        "RegionId": record["_region"], "TrafficPath": {"TrafficPathList": list(record["TrafficPath"])},
        "Tags": resources.key_value_tags(record)}


def _flow_log(ctx: Context, flow_log_id: str) -> dict:
    return resources.owned(ctx, KIND, flow_log_id, NOT_FOUND)


_API = {"api": VPC}


@operation("CreateFlowLog", S("ResourceType", required=True), S("ResourceId", required=True),
           S("TrafficType", required=True), S("ProjectName", required=True), S("LogStoreName", required=True),
           S("FlowLogName"), S("Description"), I("AggregationInterval"), S("IpVersion"), S("LogFormat"),
           Repeat("TrafficPath"), S("ResourceGroupId"), TAGS, **_API)
def create_flow_log(ctx: Context, resource_type: str, resource_id: str, traffic_type: str, project_name: str,
                    log_store_name: str, flow_log_name: Optional[str], description: Optional[str],
                    aggregation_interval: Optional[int], ip_version: Optional[str], log_format: Optional[str],
                    traffic_path: Optional[list[str]], resource_group_id: Optional[str],
                    tag: Optional[list[dict]]) -> dict:
    kind = RESOURCE_KINDS.get(resource_type)
    if kind is None:
        raise BAD_RESOURCE_TYPE
    if traffic_type not in TRAFFIC_TYPES:
        raise BAD_TRAFFIC_TYPE
    if aggregation_interval is not None and aggregation_interval not in INTERVALS:
        raise BAD_INTERVAL
    if ip_version is not None and ip_version not in IP_VERSIONS:
        raise BAD_IP_VERSION
    _check_text(flow_log_name, description)
    tags = resources.tags_from_args(tag)
    group = resource_groups.resolve(ctx, resource_group_id)
    watched = resources.owned(ctx, kind, resource_id, RESOURCE_NOT_FOUND)
    for other in resources.get_many(ctx, KIND, sorted(ctx.txn.ids(KIND, ("flow_log_resource", resource_id)))):
        if other is not None and other["TrafficType"] == traffic_type:
            raise ALREADY_WATCHED
    if ctx.txn.count(KIND, resources.owner_region(ctx.account, ctx.region)) >= QUOTA:
        raise QUOTA_EXCEEDED
    flow_log_id = resources.new_id(KIND, ctx.region)
    resources.put(ctx.txn, KIND, {
        "FlowLogId": flow_log_id, "FlowLogName": flow_log_name or "", "Description": description or "",
        "ResourceType": resource_type, "ResourceId": resource_id, "TrafficType": traffic_type,
        "ProjectName": project_name, "LogStoreName": log_store_name, "AggregationInterval": aggregation_interval or 10,
        "IpVersion": ip_version or "IPv4", "LogFormat": log_format or "", "TrafficPath": list(traffic_path or ()),
        "Status": "Active", "BusinessStatus": "Normal", "FlowLogDeliverStatus": "SUCCESS",
        "FlowLogDeliverErrorMessage": "", "ServiceType": "VPC", "CreationTime": resources.iso(ctx.now),
        "ResourceGroupId": group, "Tags": {"Tag": tags}, "_vpc": watched.get("VpcId", ""),
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    return {"FlowLogId": flow_log_id, "ResourceGroupId": group, "Success": "true"}


@operation("DescribeFlowLogs", S("FlowLogId"), S("FlowLogName"), S("Description"), S("ResourceType"),
           S("ResourceId"), S("VpcId"), S("Status"), S("TrafficType"), S("ProjectName"), S("LogStoreName"),
           S("ResourceGroupId"), Structs("Tags", [S("Key"), S("Value")], max_items=20),
           I("PageNumber", default=1, min=1), I("PageSize", default=20, min=1, max=50), **_API)
def describe_flow_logs(ctx: Context, page_number: int, page_size: int, tags: Optional[list[dict]],
                       **filters: Optional[str]) -> dict:
    """Creation order; ``VpcId`` finds a VPC's flow logs and those of its vSwitches and network interfaces."""
    wanted = [t for t in tags or () if t.get("key")]
    by_field = {"FlowLogName": filters["flow_log_name"], "Description": filters["description"],
                "ResourceType": filters["resource_type"], "ResourceId": filters["resource_id"],
                "Status": filters["status"], "TrafficType": filters["traffic_type"],
                "ProjectName": filters["project_name"], "LogStoreName": filters["log_store_name"],
                "ResourceGroupId": filters["resource_group_id"]}
    narrower = [("flow_log_resource", filters["resource_id"]) if filters["resource_id"] else None,
                ("vpc", filters["vpc_id"]) if filters["vpc_id"] else None]
    named = [filters["flow_log_id"]] if filters["flow_log_id"] else None
    found = [r for r in resources.mine_among(ctx, KIND, named, *narrower)
             if r["_region"] == ctx.region and all(not v or r[k] == v for k, v in by_field.items())
             and (not filters["vpc_id"] or r["_vpc"] == filters["vpc_id"]) and resources.match_tags(r, wanted)]
    found.sort(key=resources.ORDER[KIND])
    start = (page_number - 1) * page_size
    return {"Success": "true", "TotalCount": str(len(found)), "PageNumber": str(page_number),
            "PageSize": str(page_size), "FlowLogs": {"FlowLog": [_view(r) for r in found[start:start + page_size]]}}


@operation("ModifyFlowLogAttribute", S("FlowLogId", required=True), S("FlowLogName"), S("Description"),
           I("AggregationInterval"), S("IpVersion"), S("LogFormat"), **_API)
def modify_flow_log_attribute(ctx: Context, flow_log_id: str, flow_log_name: Optional[str],
                              description: Optional[str], aggregation_interval: Optional[int],
                              ip_version: Optional[str], log_format: Optional[str]) -> dict:
    if aggregation_interval is not None and aggregation_interval not in INTERVALS:
        raise BAD_INTERVAL
    if ip_version is not None and ip_version not in IP_VERSIONS:
        raise BAD_IP_VERSION
    _check_text(flow_log_name, description)
    record = _flow_log(ctx, flow_log_id)
    changed = {k: v for k, v in (("FlowLogName", flow_log_name), ("Description", description),
                                 ("AggregationInterval", aggregation_interval), ("IpVersion", ip_version),
                                 ("LogFormat", log_format)) if v is not None}
    resources.put(ctx.txn, KIND, {**record, **changed})
    return {"Success": "true"}


def _switch(ctx: Context, flow_log_id: str, was: str, now: str) -> dict:
    record = _flow_log(ctx, flow_log_id)
    if record["Status"] != was:
        raise STATUS
    resources.put(ctx.txn, KIND, {**record, "Status": now})
    return {"Success": "true"}


@operation("ActiveFlowLog", S("FlowLogId", required=True), **_API)
def active_flow_log(ctx: Context, flow_log_id: str) -> dict:
    return _switch(ctx, flow_log_id, "Inactive", "Active")


@operation("DeactiveFlowLog", S("FlowLogId", required=True), **_API)
def deactive_flow_log(ctx: Context, flow_log_id: str) -> dict:
    return _switch(ctx, flow_log_id, "Active", "Inactive")


@operation("DeleteFlowLog", S("FlowLogId", required=True), **_API)
def delete_flow_log(ctx: Context, flow_log_id: str) -> dict:
    resources.delete(ctx.txn, KIND, _flow_log(ctx, flow_log_id)["FlowLogId"])
    return {"Success": "true"}

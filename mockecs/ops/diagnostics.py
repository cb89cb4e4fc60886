"""Self-service diagnostics: DescribeDiagnosticMetrics, CreateDiagnosticMetricSet, DescribeDiagnosticMetricSets,
ModifyDiagnosticMetricSet, DeleteDiagnosticMetricSets, CreateDiagnosticReport, DescribeDiagnosticReports,
DescribeDiagnosticReportAttributes, DeleteDiagnosticReports.

The metrics and the built-in (Common) sets are :mod:`mockecs.world.diagnostics`' catalog; the caller's own sets
(``dms-``) are records. A report (``dr-``) on an instance is InProgress until the lifecycle ends it (kind
``diagnostic_report``: at once with instant transitions, 30 s with realistic ones; ``engine.lifecycle.fail`` ends it
Failed), then Finished with each metric's result of the instance's state when it was asked for. Its times are
written to the minute (``2024-04-16T06:12Z``), as the service answers them (the sample reports of Alibaba's ECS
troubleshooting dashboard). Neither kind takes tags or a resource group (the operations have no such parameters,
and the tag operations' documented ResourceType values name neither).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.ops.registry import Context, operation
from mockecs.wire.errors import EcsError, error_kind, invalid_parameter
from mockecs.wire.params import I, Repeat, S
from mockecs.world import diagnostics, lifecycle, paging, resources

SET, REPORT = diagnostics.SET, diagnostics.REPORT

# The documented codes, whose messages are templates ("%s") filled here [GUESS: the wording]
REPORT_NOT_FOUND = error_kind("InvalidParameter.ReportNotExist", "The specified report does not exist.", 403)
# (the metadata's code ends in a tab character, a typo a client would not match: without it)
RESOURCE_NOT_FOUND = error_kind("InvalidResource.NotExists", "The specified resource not exists.", 400)


def _metric_ids_error(code: str, metric_ids: list[str]) -> EcsError:
    return EcsError(code, f"The specified MetricIds are not valid: {', '.join(metric_ids)}.", 400)


def _set_not_found(metric_set_id: Optional[str]) -> EcsError:
    return EcsError("InvalidParameter.MetricSetId", f"The specified MetricSetId {metric_set_id} does not exist.", 400)


def _page_size(max_results: Optional[int]) -> int:
    """MaxResults: 10 when absent, 100 when larger (documented)."""
    return min(max_results or 10, 100)


def _check_metrics(metric_ids: list[str], resource_type: str, code: str) -> list[str]:
    """Known metrics of ``resource_type``, each once, in the order given."""
    wrong = [m for m in metric_ids if diagnostics.CATALOG.get(m, {}).get("ResourceType") != resource_type]
    if wrong or not metric_ids:
        raise _metric_ids_error(code, wrong or ["(none)"])
    return list(dict.fromkeys(metric_ids))


# -- metrics ------------------------------------------------------------------------------------------------
@operation("DescribeDiagnosticMetrics", Repeat("MetricIds", max_items=100), S("ResourceType", choices=("instance",)),
           S("NextToken"), I("MaxResults", min=1))
def describe_diagnostic_metrics(ctx: Context, metric_ids: Optional[list[str]], resource_type: Optional[str],
                                next_token: Optional[str], max_results: Optional[int]) -> dict:
    metrics = [m for m in diagnostics.CATALOG.values()
               if (not metric_ids or m["MetricId"] in metric_ids)
               and (resource_type is None or m["ResourceType"] == resource_type)]
    page, token = paging.by_token(metrics, _page_size(max_results), next_token)
    return {"Metrics": [dict(m) for m in page], "NextToken": token}


# -- metric sets ----------------------------------------------------------------------------------------------
@operation("CreateDiagnosticMetricSet", S("ResourceType", required=True, choices=("instance", "account")),
           S("MetricSetName"), Repeat("MetricIds", required=True, max_items=100), S("Description"))
def create_diagnostic_metric_set(ctx: Context, resource_type: str, metric_set_name: Optional[str],
                                 metric_ids: list[str], description: Optional[str]) -> dict:
    metrics = _check_metrics(metric_ids, resource_type, "InvalidParameter.MetricId")
    metric_set_id = resources.new_id(SET, ctx.region)
    resources.put(ctx.txn, SET, {
        "MetricSetId": metric_set_id, "MetricSetName": metric_set_name or "", "Description": description or "",
        "Type": "User", "ResourceType": resource_type, "_metric_ids": metrics,
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now})
    return {"MetricSetId": metric_set_id}


@operation("DescribeDiagnosticMetricSets", Repeat("MetricSetIds", max_items=100),
           S("Type", default="User", choices=("User", "Common")), S("ResourceType", choices=("instance",)),
           S("NextToken"), I("MaxResults", min=1))
def describe_diagnostic_metric_sets(ctx: Context, metric_set_ids: Optional[list[str]], type: str,
                                    resource_type: Optional[str], next_token: Optional[str],
                                    max_results: Optional[int]) -> dict:
    size = _page_size(max_results)
    if type == "Common":
        found: list[Mapping[str, Any]] = [s for s in diagnostics.COMMON_SETS.values()
                                          if not metric_set_ids or s["MetricSetId"] in metric_set_ids]
    elif not metric_set_ids and resource_type is None:  # a page from the ordered index
        page, meta = paging.ordered_page(ctx, SET, resources.owner_region(ctx.account, ctx.region), 1, size,
                                         next_token, size)
        return {"MetricSets": [diagnostics.set_view(r) for r in page], "NextToken": meta["NextToken"]}
    else:
        found = sorted(resources.mine_among(ctx, SET, metric_set_ids), key=resources.ORDER[SET])
    found = [s for s in found if resource_type is None or s["ResourceType"] == resource_type]
    page, token = paging.by_token(found, size, next_token)
    return {"MetricSets": [diagnostics.set_view(s) for s in page], "NextToken": token}


def _own_set(ctx: Context, metric_set_id: str) -> dict:
    record = resources.get(ctx, SET, metric_set_id)
    if not resources.is_mine(ctx, record):  # (a Common set is nobody's to change)
        raise _set_not_found(metric_set_id)
    return record  # type: ignore[return-value]


@operation("ModifyDiagnosticMetricSet", S("MetricSetId", required=True), Repeat("MetricIds", max_items=100),
           S("ResourceType", choices=("instance",)), S("MetricSetName"), S("Description"))
def modify_diagnostic_metric_set(ctx: Context, metric_set_id: str, metric_ids: Optional[list[str]],
                                 resource_type: Optional[str], metric_set_name: Optional[str],
                                 description: Optional[str]) -> dict:
    record = _own_set(ctx, metric_set_id)
    changed: dict[str, Any] = {}
    kind = resource_type or record["ResourceType"]
    if metric_ids is not None or kind != record["ResourceType"]:  # (its metrics must be of its resource type)
        changed["_metric_ids"] = _check_metrics(metric_ids if metric_ids is not None else record["_metric_ids"], kind,
                                              "InvalidParameter.MetricIds")
        changed["ResourceType"] = kind
    if metric_set_name is not None:
        changed["MetricSetName"] = metric_set_name
    if description is not None:
        changed["Description"] = description
    resources.put(ctx.txn, SET, {**record, **changed})
    return {}


@operation("DeleteDiagnosticMetricSets", Repeat("MetricSetIds", required=True, max_items=10))
def delete_diagnostic_metric_sets(ctx: Context, metric_set_ids: list[str]) -> dict:
    # No code is documented: one that is not the caller's answers ModifyDiagnosticMetricSet's [GUESS]
    for metric_set_id in dict.fromkeys(metric_set_ids):
        _own_set(ctx, metric_set_id)
        resources.delete(ctx.txn, SET, metric_set_id)
    return {}


# -- reports --------------------------------------------------------------------------------------------------
def _time(text: Optional[str], name: str, default: float) -> float:
    if not text:
        return default
    moment = resources.parse_iso(text)
    if moment is None or "T" not in text:
        raise invalid_parameter(name)
    return moment


@operation("CreateDiagnosticReport", S("ResourceId", required=True), S("MetricSetId"), S("StartTime"),
           S("EndTime"), S("AdditionalOptions"))
def create_diagnostic_report(ctx: Context, resource_id: str, metric_set_id: Optional[str],
                             start_time: Optional[str], end_time: Optional[str],
                             additional_options: Optional[str]) -> dict:
    end = _time(end_time, "EndTime", ctx.now)
    start = _time(start_time, "StartTime", end - 12 * 3600)  # [GUESS] the console's last 12 hours
    if start > end:
        raise invalid_parameter("StartTime")
    instance = resources.get(ctx, "instance", resource_id)
    if not resources.is_mine(ctx, instance):
        raise RESOURCE_NOT_FOUND
    chosen = diagnostics.metric_set(ctx, metric_set_id or diagnostics.DEFAULT_SET)
    if chosen is None or chosen["ResourceType"] != "instance":
        raise invalid_parameter("MetricSetId")
    report_id = resources.new_id(REPORT, ctx.region)
    window = (start, end)
    results = [diagnostics.metric_result(ctx, m, instance, window) for m in chosen["_metric_ids"]]
    record = {
        "ReportId": report_id, "ResourceId": resource_id, "ResourceType": "instance",
        "MetricSetId": chosen["MetricSetId"], "StartTime": resources.iso_minute(start),
        "EndTime": resources.iso_minute(end), "CreationTime": resources.iso_minute(ctx.now), "FinishedTime": "",
        "Status": "InProgress", "Severity": "Unknown",
        "MetricResults": {"MetricResult": [
            {"MetricId": r["MetricId"], "MetricCategory": r["MetricCategory"], "Status": "InProgress",
             "Severity": "Unknown", "Issues": {"Issue": []}} for r in results]},
        "_owner": ctx.account, "_region": ctx.region, "_created": ctx.now,
    }
    delay = ctx.engine.lifecycle.delay_for(REPORT, report_id)
    finished = resources.iso_minute(ctx.now + (delay.seconds or 0.0))
    done = {"Status": "Finished", "FinishedTime": finished, "MetricResults": {"MetricResult": results},
            "Severity": diagnostics.worst(r["Severity"] for r in results if r["Severity"] in diagnostics.WORST)}
    failed = {"Status": "Failed", "FinishedTime": finished}
    resources.put(ctx.txn, REPORT, lifecycle.start(ctx, REPORT, report_id, record, done, failed))
    return {"ReportId": report_id}


def _summary(record: Mapping[str, Any]) -> dict:
    """A report as DescribeDiagnosticReports lists it: its issues without their details."""
    issues = [{"MetricId": r["MetricId"], "MetricCategory": r["MetricCategory"], "IssueId": i["IssueId"],
               "Severity": i["Severity"]}
              for r in record["MetricResults"]["MetricResult"] for i in r["Issues"]["Issue"]]
    return {**{k: record[k] for k in ("ReportId", "ResourceId", "ResourceType", "MetricSetId", "StartTime",
                                      "EndTime", "Status", "CreationTime", "FinishedTime", "Severity")},
            "Issues": {"Issue": issues}}


@operation("DescribeDiagnosticReports", Repeat("ReportIds", max_items=100), Repeat("ResourceIds", max_items=100),
           S("Status", choices=("InProgress", "Finished", "Failed", "inprogress", "finished", "failed")),
           S("Severity", choices=tuple(s for name in diagnostics.SEVERITIES for s in (name, name.lower()))),
           S("NextToken"), I("MaxResults", min=1))
def describe_diagnostic_reports(ctx: Context, report_ids: Optional[list[str]], resource_ids: Optional[list[str]],
                                status: Optional[str], severity: Optional[str], next_token: Optional[str],
                                max_results: Optional[int]) -> dict:
    if not (report_ids or resource_ids or status or severity):  # a page from the ordered index, newest first
        size = _page_size(max_results)
        page, meta = paging.ordered_page(ctx, REPORT, resources.owner_region(ctx.account, ctx.region), 1, size,
                                         next_token, size, newest_first=True)
        return {"Reports": {"Report": [_summary(r) for r in page]}, "NextToken": meta["NextToken"]}
    if report_ids:
        found = resources.mine_among(ctx, REPORT, report_ids)
    elif resource_ids:
        ids = set().union(*(ctx.txn.ids(REPORT, ("dr_resource", f"{ctx.account}|{ctx.region}|{r}"))
                            for r in resource_ids))
        found = resources.mine_among(ctx, REPORT, ids) if ids else iter(())
    else:
        found = resources.mine_among(ctx, REPORT, None)
    matches = [r for r in found
               if (not resource_ids or r["ResourceId"] in resource_ids)
               and (status is None or r["Status"].lower() == status.lower())
               and (severity is None or r["Severity"].lower() == severity.lower())]
    matches.sort(key=lambda r: (r.get("_created", 0.0), r["ReportId"]), reverse=True)  # newest first [GUESS]
    page, token = paging.by_token(matches, _page_size(max_results), next_token)
    return {"Reports": {"Report": [_summary(r) for r in page]}, "NextToken": token}


def _own_report(ctx: Context, report_id: str) -> dict:
    record = resources.get(ctx, REPORT, report_id)
    if not resources.is_mine(ctx, record):
        raise REPORT_NOT_FOUND
    return record  # type: ignore[return-value]


@operation("DescribeDiagnosticReportAttributes", S("ReportId", required=True))
def describe_diagnostic_report_attributes(ctx: Context, report_id: str) -> dict:
    # (Attributes: no extended attribute is kept; a record's "...Attributes" fields are objects in the store)
    return {**resources.wire(_own_report(ctx, report_id)), "Attributes": "{}"}


@operation("DeleteDiagnosticReports", Repeat("ReportIds", required=True, max_items=100))
def delete_diagnostic_reports(ctx: Context, report_ids: list[str]) -> dict:
    for report_id in dict.fromkeys(report_ids):
        if _own_report(ctx, report_id)["Status"] == "InProgress":  # (documented: not while it runs)
            raise EcsError("InvalidStatus.InProgress", f"The report {report_id} is in progress.", 403)
        resources.delete(ctx.txn, REPORT, report_id)
    return {}

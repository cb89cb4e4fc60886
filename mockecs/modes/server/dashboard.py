"""The dashboard at ``/_mockecs/``: the fake's state, call record, faults, delays and clock in a browser.

Server-rendered HTML (Jinja2, the ``dashboard`` extra; templates in ``templates/``, one small script and
style sheet in ``static/``): no build step, nothing fetched from elsewhere, so it works offline. The live
parts refresh with plain ``fetch``: the state panel as a server-rendered fragment, the call record as JSON.
Buttons use the control API (reset, clock advance, faults, transitions) and two small endpoints of the
dashboard's own (removing one fault or one delay).

Resources are shown per account and region for every resource kind the engine knows
(``mockecs.world.resources.ID_FIELD``), read through the ``owner_region`` index term, so kinds added later
appear without changes here. The account's OSS buckets in the region follow, read only: each with its first
objects by name (a page of the bucket's ordered index, as ListObjects reads it).
"""
from __future__ import annotations

import json
import os
from typing import Any, Optional
from urllib.parse import parse_qsl, urlsplit

from mockecs.engine.core import Engine
from mockecs.wire.protocol import HttpRequest, HttpResponse
from mockecs.world import oss as world_oss
from mockecs.world import regions as world_regions
from mockecs.world import resources

ROOT = "/_mockecs/"
_OWN = ROOT + "dashboard/"
_HERE = os.path.dirname(os.path.abspath(__file__))
_STATIC = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}
CALLS_SHOWN = 200  # newest calls the live table receives per refresh
OSS_OBJECTS_SHOWN = 50  # first objects (by name) shown per bucket
# Columns shown first for a kind (others: its id, then any name/status/time fields it has).
_COLUMNS = {
    "image": ("ImageId", "ImageName", "Status", "ImageOwnerAlias", "ImageFamily", "Usage", "Shares", "Tags"),
    "instance": ("InstanceId", "InstanceName", "Status", "ImageId", "InstanceType", "Tags"),
    "snapshot": ("SnapshotId", "SnapshotName", "Status", "Progress", "SourceDiskId", "Tags"),
    "task": ("TaskId", "TaskAction", "TaskStatus", "TaskProgress", "ResourceId"),
    "pipeline": ("ImagePipelineId", "Name", "BaseImage", "ImageFamily", "Tags"),
}
_GENERIC = ("Name", "Status", "CreationTime")


def _cell(value: Any) -> str:
    if isinstance(value, dict) and "Tag" in value:
        return ", ".join(f"{t.get('TagKey')}={t.get('TagValue')}" for t in value.get("Tag") or ())
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _row(kind: str, record: dict) -> dict[str, str]:
    wire = resources.wire(record)
    if kind == "image":
        wire["Shares"] = ", ".join(sorted(record.get("_shares") or ())) + (" +public" if record.get("_public") else "")
    id_field = resources.ID_FIELD[kind]
    columns = _COLUMNS.get(kind) or (id_field, *(c for c in wire if c != id_field and (
        c.endswith(_GENERIC) or c == "Tags")))
    return {c: _cell(wire.get(c)) for c in columns}


class Dashboard:
    """``control`` (the server's ControlApi) decides who may see and steer: the dashboard needs the control
    token exactly where the control API does (in a header, or ``?token=`` in the page's URL)."""

    def __init__(self, engine: Engine, control: Any = None) -> None:
        self.engine = engine
        self.control = control
        self._env: Any = None

    @staticmethod
    def handles(path: str) -> bool:
        return path == ROOT or path.startswith(_OWN)

    def _templates(self) -> Any:
        if self._env is None:
            import jinja2  # the dashboard extra: only the dashboard needs it

            self._env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(_HERE, "templates")),
                                           autoescape=True, trim_blocks=True, lstrip_blocks=True)
        return self._env

    def handle(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        path, query = parts.path, dict(parse_qsl(parts.query))
        name = path[len(_OWN):] if path.startswith(_OWN) else ""
        method = request.method.upper()
        if self.control is not None and not name.startswith("static/") and \
                not self.control.authorised(request, query.get("token")):
            return _text(401, "The dashboard needs the server's control token: open /_mockecs/?token=<token> "
                              "(mockecs server prints it at start-up).\n")
        try:
            if name.startswith("static/") and method == "GET":
                return self._static(name[len("static/"):])
            if name == "calls" and method == "GET":
                return _json(200, self.calls())
            if name in ("faults/remove", "delays/remove") and method == "POST":
                body = json.loads(request.body or b"{}")
                done = self.remove_fault(int(body["index"])) if name == "faults/remove" else \
                    self.remove_delay(str(body["target"]))
                return _json(200 if done else 404, {"removed": done})
            if name in ("", "state") and method == "GET":
                return self._page("dashboard.html" if name == "" else "_state.html", query)
        except ImportError:
            return _text(501, "The dashboard needs Jinja2: pip install 'mockecs[dashboard]'\n")
        except (ValueError, KeyError, TypeError) as err:
            return _json(400, {"error": f"{type(err).__name__}: {err}"})
        return _json(404, {"error": f"no dashboard page {path!r}"})

    # -- views ---------------------------------------------------------------------------
    def _page(self, template: str, query: dict) -> HttpResponse:
        html = self._templates().get_template(template).render(token=query.get("token"),
                                                               **self.state(query.get("account"), query.get("region")))
        return HttpResponse(200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
                            html.encode("utf-8"))

    def _static(self, name: str) -> HttpResponse:
        if name not in _STATIC:
            return _text(404, "Not Found\n")
        with open(os.path.join(_HERE, "static", name), "rb") as fh:
            return HttpResponse(200, {"Content-Type": _STATIC[name], "Cache-Control": "no-cache"}, fh.read())

    def state(self, account: Optional[str] = None, region: Optional[str] = None) -> dict[str, Any]:
        """What the page shows: per kind the records of ``account`` in ``region``, counts per region."""
        engine = self.engine
        account = account or engine.accounts.default_account_id
        region = region if region and world_regions.exists(region) else engine.config.region
        kinds = list(resources.ID_FIELD)
        all_regions = sorted(world_regions.regions())
        tables: dict[str, list[dict]] = {}
        counts: dict[str, int] = {}
        with engine.store.transaction() as txn:
            for r in all_regions:  # index counts only: cheap at any store size
                total = sum(txn.count(kind, resources.owner_region(account, r)) for kind in kinds)
                if total:
                    counts[r] = total
            for kind in kinds:
                ids = sorted(txn.ids(kind, resources.owner_region(account, region)))
                rows = [_row(kind, dict(record)) for record in (txn.get(kind, i) for i in ids) if record]
                if rows:
                    tables[kind] = rows
            buckets = self.buckets(txn, account, region)
        lifecycle = engine.lifecycle.to_dict()
        with engine._fault_lock:
            faults = [dict(vars(f)) for f in engine.faults]
        delays = {**lifecycle["by_kind"], **lifecycle["by_id"]}
        return {"account": account, "region": region, "accounts": engine.accounts.account_ids(),
                "regions": all_regions, "region_counts": counts, "tables": tables, "buckets": buckets,
                "faults": faults,
                "delays": delays, "failures": lifecycle["failures"], "transitions": engine.config.transitions,
                "clock_offset": engine.clock.offset, "clock_now": resources.iso(engine.clock.now()),
                "store": engine.config.store, "calls_recorded": len(engine.calls),
                "record_calls": engine.config.record_calls}

    def buckets(self, txn: Any, account: str, region: str) -> list[dict]:
        """The account's OSS buckets in ``region`` (an index lookup by owner), each with its first
        :data:`OSS_OBJECTS_SHOWN` objects by name and whether more follow."""
        oss = world_oss.registry(self.engine)
        out = []
        for bucket in oss.buckets_of(account, txn=txn):
            if bucket["region"] != region:
                continue
            listed, more = oss.listing(region, bucket["bucket"], limit=OSS_OBJECTS_SHOWN, txn=txn,
                                       bucket_record=bucket)
            objects = [{"Key": name, "Size": str(obj["size"]), "ETag": world_oss.etag_of(obj),
                        "LastModified": resources.iso(float(obj.get("modified") or 0)) if obj.get("modified") else "",
                        "StorageClass": obj.get("storage_class") or "Standard", "ACL": obj.get("acl") or "default",
                        "Tags": ", ".join(f"{k}={v}" for k, v in (obj.get("tags") or {}).items())}
                       for name, obj in listed if obj is not None]
            out.append({"name": bucket["bucket"], "acl": bucket.get("acl") or "private",
                        "storage_class": bucket.get("storage_class") or "Standard",
                        "created": resources.iso(float(bucket.get("created") or 0)), "objects": objects,
                        "more": more})
        return out

    def calls(self) -> list[dict]:
        """The newest calls, newest first, without their parameters (the live table's rows)."""
        newest = list(self.engine.calls[-CALLS_SHOWN:])
        return [{"action": c.action, "account": c.account, "region": c.region, "status": c.status,
                 "error_code": c.error_code, "latency_ms": round(c.latency_ms, 2), "request_id": c.request_id,
                 "time": c.time} for c in reversed(newest)]

    # -- the dashboard's own actions -------------------------------------------------------
    def remove_fault(self, index: int) -> bool:
        with self.engine._fault_lock:
            if not 0 <= index < len(self.engine.faults):
                return False
            del self.engine.faults[index]
            return True

    def remove_delay(self, target: str) -> bool:
        return self.engine.lifecycle.undelay(target)


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json;charset=utf-8"},
                        json.dumps(body, default=str).encode("utf-8"))


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8"))

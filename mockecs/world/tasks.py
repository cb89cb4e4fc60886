"""Task records (kind ``task``, :mod:`mockecs.ops.tasks`): their index terms and order, declared with the world so
every task is indexed alike whichever module writes it (DescribeTasks' module loads on its first call)."""
from __future__ import annotations

from typing import Any, Mapping

from mockecs.world import resources

KIND = "task"
WEEK = 7 * 24 * 3600.0


def task_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    terms = [("action", record["TaskAction"]), ("resource", record.get("ResourceId") or "")]
    if record["TaskAction"] == "ExportImage":
        # Export quotas count by index: the exports running now, and those started in a calendar week.
        where = f"{record['_owner']}|{record['_region']}"
        terms.append(("export_week", f"{where}|{int(record['_created'] // WEEK)}"))
        if record.get("TaskStatus") in ("Waiting", "Processing"):
            terms.append(("exporting", where))
    return terms


resources.TERMS[KIND] = task_terms
resources.ORDER[KIND] = lambda record: resources.time_key(record["_created"], descending=True)  # newest first

"""Image Builder's records (kinds ``component``, ``pipeline``, ``execution``, :mod:`mockecs.ops.builder`): their index
terms and order, declared with the world so every record is indexed alike (their module loads on its first call),
and the reading of a build content they need."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from mockecs.world import resources


def commands(content: str) -> list[tuple[str, str]]:
    """``(COMMAND, argument)`` per non-blank, non-comment line of a Dockerfile-like content."""
    out = []
    for line in content.splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        command, _, argument = text.partition(" ")
        out.append((command.upper(), argument.strip()))
    return out


def referenced_components(*contents: Optional[str]) -> list[str]:
    """``ic-...`` ids named by ``COMPONENT`` lines, in order, without repeats."""
    found: list[str] = []
    for content in contents:
        for command, argument in commands(content or ""):
            if command == "COMPONENT" and argument:
                component_id = argument.split()[0]
                if component_id not in found:
                    found.append(component_id)
    return found


def _component_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("name", f"{record['_owner']}|{record['_region']}|{record['Name']}")]


def _pipeline_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("component", c) for c in referenced_components(record.get("BuildContent"), record.get("TestContent"))]


def _execution_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("pipeline", record["ImagePipelineId"])]


resources.TERMS["component"] = _component_terms
resources.TERMS["pipeline"] = _pipeline_terms
resources.TERMS["execution"] = _execution_terms
# Components, pipelines and executions list newest first, ties by ascending id (see mockecs.ops.builder.paginate).
for _kind in ("component", "pipeline", "execution"):
    resources.ORDER[_kind] = lambda record: resources.time_key(record.get("_created", 0.0), descending=True)

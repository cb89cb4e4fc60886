"""Checks an answer body against the current SDK's response model: wire names and JSON types.

The schema is read from the SDK models themselves: ``to_map`` gives each attribute's wire name,
the ``__init__`` annotations its type (``str``, ``int``, ``bool``, ``float``, a nested model,
``List[...]``, ``Dict``). A field the model does not know, or a value of the wrong JSON type,
is a fidelity bug: the SDK would drop it or hand the user a different type than the cloud does.
``wire_schema`` reads the wire names a model accepts from its ``from_map`` instead (requests too).
"""
from __future__ import annotations

import importlib
import inspect
import re
from functools import cache
from typing import Any, Optional

import alibabacloud_ecs20140526.models as sdk_models

# Each API's models, by its Version (the VPC product's SDK is optional: its answers are checked when installed).
MODELS = {"2014-05-26": "alibabacloud_ecs20140526.models", "2016-04-28": "alibabacloud_vpc20160428.models"}
# ECS actions of the API metadata that neither SDK has any more (clients send them as common requests): their
# parameters and answers are checked against the metadata instead (tests/test_params_vs_sdk.py).
NOT_IN_SDK = frozenset({"ModifyAutoSnapshotPolicy", "CreateDemand", "DescribeDemands", "ModifyDemand", "DeleteDemand"})

_ASSIGN = re.compile(r"result\['([^']+)'\] = (?:\[\]|self\.(\w+))")
_LOOP = re.compile(r"for k1 in self\.(\w+):")
_APPEND = re.compile(r"result\['([^']+)'\]\.append")
_KEY = re.compile(r"if m\.get\('([^']+)'\) is not None:")
_NESTED = re.compile(r"temp_model = main_models\.(\w+)\(\)")
_SCALARS = {"str": (str,), "int": (int,), "float": (float, int), "bool": (bool,)}


@cache
def schema(cls: type) -> dict[str, Any]:
    """``{wire name: type}``; a type is a scalar name, ``("model", cls)``, ``("list", type)`` or ``"any"``."""
    hints = {name: str(p.annotation) for name, p in inspect.signature(cls.__init__).parameters.items()
             if name != "self"}
    wire_of: dict[str, str] = {}
    for line in inspect.getsource(cls.to_map).splitlines():
        m = _ASSIGN.search(line)
        if m and m.group(2):
            wire_of[m.group(2)] = m.group(1)
        loop = _LOOP.search(line)
        if loop:
            pending = loop.group(1)
        append = _APPEND.search(line)
        if append:
            wire_of[pending] = append.group(1)
    models = importlib.import_module(cls.__module__.rsplit(".", 1)[0])  # (the package: main_models)
    return {wire: _type(hints.get(attr, "Any"), models) for attr, wire in wire_of.items()}


def wire_schema(cls: type) -> dict:
    """``{'Tag': {'Key': None, 'Value': None}, 'RegionId': None, ...}`` from ``cls.from_map``."""
    found: dict = {}
    current = None
    for line in inspect.getsource(cls.from_map).splitlines():
        key = _KEY.search(line)
        if key:
            current = key.group(1)
            found[current] = None
            continue
        nested = _NESTED.search(line)
        if nested and current is not None:
            found[current] = wire_schema(getattr(importlib.import_module(cls.__module__.rsplit(".", 1)[0]),
                                                 nested.group(1)))
    return found


def _type(hint: str, models: Any = sdk_models) -> Any:
    hint = hint.replace("main_models.", "").strip("'\"")
    if hint.startswith(("List[", "list[")):
        return ("list", _type(hint[5:-1], models))
    if hint in _SCALARS:
        return hint
    model = getattr(models, hint, None)
    if model is not None:
        return ("model", model)
    return "any"


def check_model(cls: type, body: Any, *, nulls: bool = False, path: Optional[str] = None) -> list[str]:
    """Problems of ``body`` (decoded JSON) against SDK model ``cls``, nested models and lists included.

    A key the model does not have, or a value of another JSON type than the one it declares, is a
    problem; so is a null where it declares a type, unless ``nulls`` (the SDK reads null as absent).
    Messages start with ``path`` (default: the model's name).
    """
    problems: list[str] = []
    _check(("model", cls), body, cls.__name__ if path is None else path, problems, nulls)
    return problems


def check(action: str, body: Any, version: Optional[str] = None) -> list[str]:
    try:
        models = importlib.import_module(MODELS.get(version or "", MODELS["2014-05-26"]))
    except ImportError:
        return []
    model = getattr(models, f"{action}ResponseBody", None)
    if model is None:
        return [] if action in NOT_IN_SDK else [f"the SDK has no {action}ResponseBody"]
    return check_model(model, body, nulls=True, path=action)


def _check(kind: Any, value: Any, path: str, problems: list[str], nulls: bool) -> None:
    if kind == "any":
        return
    if value is None:
        if not nulls:
            problems.append(f"{path}: null where the SDK declares {_name(kind)}")
        return
    if isinstance(kind, str):
        ok = isinstance(value, _SCALARS[kind]) and not (kind in ("int", "float") and isinstance(value, bool))
        if not ok:
            problems.append(f"{path}: {type(value).__name__} {value!r:.40} where the SDK declares {kind}")
        return
    what, inner = kind
    if what == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: {type(value).__name__} where the SDK declares a list")
            return
        for n, item in enumerate(value):
            _check(inner, item, f"{path}[{n}]", problems, nulls)
        return
    if not isinstance(value, dict):
        problems.append(f"{path}: {type(value).__name__} where the SDK declares an object")
        return
    fields = schema(inner)
    for key, item in value.items():
        head, _, member = key.partition(".")
        nested = fields.get(head) if member else None
        if nested is not None and nested[0] == "model" and member in schema(nested[1]):
            # A nested model's member also given flat (``SystemDisk.Size`` beside ``SystemDisk``: the form the
            # API metadata documents for launch template data, and Terraform reads): the member's type.
            _check(schema(nested[1])[member], item, f"{path}.{key}", problems, nulls)
        elif key not in fields:
            problems.append(f"{path}.{key}: not a field of {inner.__name__}")
        else:
            _check(fields[key], item, f"{path}.{key}", problems, nulls)


def _name(kind: Any) -> str:
    if isinstance(kind, str):
        return kind
    return "a list" if kind[0] == "list" else "an object"


def first_problem(action: Optional[str], body: Any, version: Optional[str] = None) -> Optional[str]:
    problems = check(action, body, version) if action else []
    return problems[0] if problems else None

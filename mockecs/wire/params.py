"""Declarative request parameters: wire names, types, defaults, limits.

The wire carries strings only, flattened with dots (``Tag.1.Key``, ``AddAccount.2``,
``Features.NvmeSupport``). :func:`group` splits a flat parameter dict by its first
segment once per request; each :class:`Param` then decodes only its own keys into a
typed Python value (``str``, ``int``, ``bool``, ``list``, ``dict``).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import field
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional, Sequence

from mockecs.wire.errors import EcsError, invalid_parameter, missing_parameter
from mockecs.wire.records import record

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@lru_cache(maxsize=1024)  # the ~300 declared names are asked ~1,000 times while the operations load
def snake(wire: str) -> str:
    """``ImageOwnerAlias`` -> ``image_owner_alias``; ``OSType`` -> ``os_type``; ``KMSKeyId`` -> ``kms_key_id``."""
    return _CAMEL.sub("_", wire).lower()


# A string in single quotes (its escapes kept), or one in double quotes (left as it is).
_QUOTED = re.compile(r"""("(?:[^"\\]|\\.)*")|'((?:[^'\\]|\\.)*)'""", re.S)
_ESCAPE_OR_QUOTE = re.compile(r'\\(.)|"', re.S)


def _double_quoted(match: re.Match) -> str:
    if match.group(1) is not None:
        return match.group(1)
    # \' is a quote; a bare " must be escaped between double quotes; every other escape is JSON's own
    inner = _ESCAPE_OR_QUOTE.sub(lambda m: '\\"' if m.group(1) is None else
                                 ("'" if m.group(1) == "'" else "\\" + m.group(1)), match.group(2))
    return f'"{inner}"'


def json_array(text: str) -> Any:
    """A JSON-array parameter (``InstanceIds``, ``SnapshotIds`` ...) as the service reads it: its JSON parser
    also takes strings in single quotes (``['i-1','i-2']``, the form aliyun-cli's maintainers give for
    ``--InstanceIds``, and what footmark sends: a Python list's ``str``). Raises ValueError otherwise."""
    try:
        return json.loads(text)
    except ValueError:
        if "'" not in text:
            raise
    return json.loads(_QUOTED.sub(_double_quoted, text))


def whole_number(text: str, low: int, high: int) -> Optional[int]:
    """``text`` (ASCII digits) as a number from ``low`` to ``high``, else None. The length is checked first:
    ``int()`` raises for more than 4,300 digits, and for ``'²'``, which ``str.isdigit()`` takes."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def group(flat: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Split ``{'Tag.1.Key': 'a', 'RegionId': 'x'}`` into ``{'Tag': {'1.Key': 'a'}, 'RegionId': {'': 'x'}}``."""
    out: dict[str, dict[str, str]] = {}
    for key, value in flat.items():
        head, _, rest = key.partition(".")
        out.setdefault(head, {})[rest] = value
    return out


_TRUE = {"true": True, "false": False}
MAX_INDEX_DIGITS = 18  # ``Tag.N.Key``: an index of more digits (or non-ASCII ones) is InvalidParameter


@record(frozen=True)
class Param:
    """One request parameter as the API declares it.

    ``kind`` is one of ``str int long bool float list structs struct comma json``.
    ``error`` overrides the (code, status) answered for a malformed value, as many
    ECS operations document their own codes (``InvalidOSType`` 404, ...).
    """

    wire: str
    kind: str = "str"
    required: bool = False
    default: Any = None
    choices: Optional[Sequence[str]] = None
    min: Optional[float] = None
    max: Optional[float] = None
    max_items: Optional[int] = None
    item: Optional[Param] = None  # element type of list/comma/json
    fields: Sequence[Param] = ()  # members of struct/structs
    error: Optional[tuple] = None  # (code, status), or (code, message, status) for a documented message of its own
    missing: Optional[tuple[str, str, int]] = None  # (code, message, status) when required and absent
    check: Optional[Callable[[Any], bool]] = None
    name: str = field(default="")

    nested: bool = field(default=False, init=False, repr=False)  # list/structs/struct: dotted keys
    plain: bool = field(default=False, init=False, repr=False)  # a string taken as sent
    # a struct's answer when absent ({field: None, ...}), copied for each request; None: decoded each time
    empty: Optional[dict] = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Interned: handlers take arguments by keyword, and CPython matches an interned keyword
        # against the parameter names by identity; an equal but distinct string takes a slow
        # path that made calling a 24-parameter handler cost 3 us instead of 0.4 us.
        object.__setattr__(self, "name", sys.intern(self.name or snake(self.wire)))
        object.__setattr__(self, "nested", self.kind in ("list", "structs", "struct"))
        if self.kind == "struct" and all(f.kind != "struct" for f in self.fields):
            object.__setattr__(self, "empty", self.decode(None))
        object.__setattr__(self, "plain", self.kind == "str" and self.choices is None and self.min is None
                           and self.max is None and self.max_items is None and self.check is None)

    # -- decoding -------------------------------------------------------------------
    def bad(self, label: Optional[str] = None) -> EcsError:
        if self.error:
            if len(self.error) == 3:
                return EcsError(*self.error)
            return invalid_parameter(label or self.wire, *self.error)
        return invalid_parameter(label or self.wire)

    def decode(self, raw: Optional[dict[str, str]], label: Optional[str] = None) -> Any:
        """``raw`` holds this parameter's keys with its own prefix removed ('' for a scalar)."""
        label = label or self.wire
        if self.kind in ("list", "structs"):
            return self._decode_list(raw or {}, label)
        if self.kind == "struct":
            sub = group(raw or {})
            return {f.name: f.decode(sub.get(f.wire), f"{label}.{f.wire}") for f in self.fields}
        if raw is None or "" not in raw:
            return None
        return self.decode_scalar(raw[""], label)

    def absent(self) -> Any:
        """What an absent struct decodes to, a fresh dict (a copy: decoding it anew took ~3 us)."""
        return dict(self.empty) if self.empty is not None else self.decode(None)

    def decode_scalar(self, value: str, label: Optional[str] = None) -> Any:
        """``decode({"": value})`` of a scalar parameter, without the dict."""
        if value == "" and self.kind != "str":
            return None  # a blank number or boolean counts as absent
        return self.scalar(value, label or self.wire)

    def _decode_list(self, raw: dict[str, str], label: str) -> Optional[list]:
        if not raw:
            return None
        by_index: dict[int, dict[str, str]] = {}
        for key, value in raw.items():
            head, _, rest = key.partition(".")
            if not head.isdigit():
                continue  # e.g. a bare 'Tag=' key: ignored like any unknown parameter
            if not head.isascii() or len(head) > MAX_INDEX_DIGITS:
                # isdigit() also takes '²' and other Unicode digits, which int() refuses, and int()
                # refuses more than 4,300 digits: an index like that is a malformed parameter.
                raise self.bad(f"{label}.{head}")
            by_index.setdefault(int(head), {})[rest] = value
        out = []
        for index in sorted(by_index):
            sub = by_index[index]
            if self.kind == "structs":
                parts = group(sub)
                out.append({f.name: f.decode(parts.get(f.wire), f"{label}.{index}.{f.wire}") for f in self.fields})
            elif "" in sub:
                out.append(self.item.scalar(sub[""], f"{label}.{index}") if self.item else sub[""])
        if self.max_items is not None and len(out) > self.max_items:
            raise self.bad(label)
        return out

    def scalar(self, value: str, label: str) -> Any:
        kind = self.kind
        try:
            if kind == "str":
                result: Any = value
            elif kind == "bool":
                result = _TRUE[value.strip().lower()]
            elif kind in ("int", "long"):
                result = int(value.strip())
            elif kind == "float":
                result = float(value)
            elif kind == "comma":
                result = [v.strip() for v in value.split(",") if v.strip()]
                if self.item:
                    result = [self.item.scalar(v, label) for v in result]
            elif kind == "json":
                # Documented as a JSON array; clients also send a bare comma list.
                text = value.strip()
                result = json_array(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
                if not isinstance(result, list):
                    raise ValueError(value)
                result = [str(v) for v in result]
            else:  # pragma: no cover - declaration error
                raise TypeError(f"unknown parameter kind {kind!r}")
        except (KeyError, ValueError, AttributeError):
            raise self.bad(label) from None
        if self.choices is not None:
            values = result if isinstance(result, list) else [result]
            if any(v not in self.choices for v in values):
                raise self.bad(label)
        if self.min is not None and result < self.min:
            raise self.bad(label)
        if self.max is not None and result > self.max:
            raise self.bad(label)
        if self.max_items is not None and isinstance(result, list) and len(result) > self.max_items:
            raise self.bad(label)
        if self.check is not None and not self.check(result):
            raise self.bad(label)
        return result

    def missing_error(self) -> EcsError:
        if self.missing:
            return EcsError(*self.missing)
        return missing_parameter(self.wire)


# -- short constructors used by operation declarations -----------------------------
def S(wire: str, **kw: Any) -> Param:
    return Param(wire, "str", **kw)


def I(wire: str, **kw: Any) -> Param:  # noqa: E743 - mirrors the API's type letters
    return Param(wire, "int", **kw)


def L(wire: str, **kw: Any) -> Param:
    return Param(wire, "long", **kw)


def B(wire: str, **kw: Any) -> Param:
    return Param(wire, "bool", **kw)


def F(wire: str, **kw: Any) -> Param:
    return Param(wire, "float", **kw)


def Comma(wire: str, item: Optional[Param] = None, **kw: Any) -> Param:
    """A string parameter the API reads as a comma-separated list (``TaskIds``, ``Status``)."""
    return Param(wire, "comma", item=item, **kw)


def JsonList(wire: str, **kw: Any) -> Param:
    """A string parameter holding a JSON array (``InstanceIds='["i-1"]'``)."""
    return Param(wire, "json", **kw)


def Repeat(wire: str, item: Optional[Param] = None, **kw: Any) -> Param:
    """``AddAccount.1``, ``AddAccount.2`` ... -> ``[str, ...]``."""
    return Param(wire, "list", item=item, **kw)


def Structs(wire: str, fields: Sequence[Param], **kw: Any) -> Param:
    """``Tag.1.Key``, ``Tag.1.Value`` ... -> ``[{'key': ..., 'value': ...}, ...]``."""
    return Param(wire, "structs", fields=tuple(fields), **kw)


def Struct(wire: str, fields: Sequence[Param], **kw: Any) -> Param:
    """``Features.NvmeSupport`` -> ``{'nvme_support': ...}``."""
    return Param(wire, "struct", fields=tuple(fields), **kw)


TAGS = Structs("Tag", [S("Key"), S("Value")], max_items=20)

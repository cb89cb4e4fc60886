"""``record``: :func:`dataclasses.dataclass` for the classes ``mock_ecs`` loads at once, cheaper to declare.

``dataclass`` writes the source of each class's ``__init__``, ``__repr__``, ``__eq__`` (and a frozen class's
``__hash__``) and compiles it when the class is declared: its ~85 compiled methods were a quarter of ``mock_ecs``'s
import. ``record`` keeps the generated ``__init__`` (it runs on every request) and gives every class the same
``__repr__``, ``__eq__`` and ``__hash__``, which read the class's fields when called and answer exactly what
dataclass's would (the same text, the same comparison of field tuples, ``NotImplemented`` for another class,
unhashable unless frozen). The class is still a dataclass: ``fields``, ``replace``, ``asdict`` work on it.
"""
from __future__ import annotations

import dataclasses
import reprlib
from typing import Any, Optional, TypeVar

T = TypeVar("T", bound=type)


@reprlib.recursive_repr()  # (as dataclass's: "..." for a record that holds itself)
def _repr(self: Any) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
    return f"{self.__class__.__qualname__}({shown})"


def _compared(self: Any) -> tuple:
    return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.compare)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return _compared(self) == _compared(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, f.name) for f in dataclasses.fields(self)
                      if (f.compare if f.hash is None else f.hash)))


def record(cls: Optional[T] = None, /, *, frozen: bool = False) -> Any:
    """``@record`` / ``@record(frozen=True)``: as ``@dataclass`` / ``@dataclass(frozen=True)``."""

    def wrap(cls: T) -> T:
        own = set(cls.__dict__)
        cls = dataclasses.dataclass(cls, repr=False, eq=False, frozen=frozen)
        if "__repr__" not in own:
            cls.__repr__ = _repr
        if "__eq__" not in own:
            cls.__eq__ = _eq
            if "__hash__" not in own:
                cls.__hash__ = _hash if frozen else None  # (dataclass: hashable when frozen, else unhashable)
        return cls

    return wrap if cls is None else wrap(cls)

"""``mockecs.wire.records.record`` answers what ``dataclasses.dataclass`` would: the same repr, equality, hashing and
frozenness, on the same class body (it only stops compiling those methods for each class)."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from mockecs.wire.records import record


def twins(frozen: bool) -> tuple[type, type]:
    made = []
    for decorate in (dataclasses.dataclass(frozen=frozen), record(frozen=frozen)):
        @decorate
        class Point:
            x: int
            label: str = "p"
            tags: tuple = dataclasses.field(default=(), repr=False)
            seen: int = dataclasses.field(default=0, compare=False)
        made.append(Point)
    return made[0], made[1]


@pytest.mark.parametrize("frozen", [False, True])
def test_a_record_answers_as_its_dataclass_twin(frozen):
    plain, lean = twins(frozen)
    for args, other in [((1,), (1,)), ((1, "a", (2,), 5), (1, "a", (2,), 9)), ((1,), (2,)), ((1, "a"), (1, "b"))]:
        a, b, c, d = plain(*args), plain(*other), lean(*args), lean(*other)
        assert repr(c) == repr(a)  # (the same qualname: both classes are twins.<locals>.Point)
        assert (c == d) == (a == b) and (c != d) == (a != b)
        assert c.__eq__(object()) is NotImplemented and a.__eq__(object()) is NotImplemented
        if frozen:
            assert (hash(c) == hash(d)) == (hash(a) == hash(b))
            assert hash(c) == hash(a)
    assert lean(1) != plain(1)  # (another class)
    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            lean(1).x = 2
    else:
        assert lean.__hash__ is None and plain.__hash__ is None
        with pytest.raises(TypeError):
            hash(lean(1))
    assert dataclasses.replace(lean(1), x=3) == lean(3)
    assert dataclasses.asdict(lean(1, seen=4)) == dataclasses.asdict(plain(1, seen=4))


def test_a_record_that_holds_itself_shows_dots():
    @record
    class Node:
        next: object = None

    node = Node()
    node.next = node
    assert repr(node) == "test_a_record_that_holds_itself_shows_dots.<locals>.Node(next=...)"


def test_methods_of_the_class_body_are_kept():
    @record(frozen=True)
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Named) and other.name.lower() == self.name.lower()

        def __hash__(self) -> int:
            return hash(self.name.lower())

    assert repr(Named("A")) == "<A>" and Named("A") == Named("a") and hash(Named("A")) == hash(Named("a"))


def test_the_dataclasses_mock_ecs_loads_are_records():
    # Each plain dataclass compiles its __repr__ and __eq__ (a frozen one its __hash__ too) at import: use @record.
    code = ("import sys, dataclasses, requests, mockecs; mockecs.mock_ecs\n"
            "print(' '.join(f'{n}.{k}' for n, m in list(sys.modules.items()) if n.startswith('mockecs')\n"
            "               for k, v in list(vars(m).items()) if isinstance(v, type) and dataclasses.is_dataclass(v)\n"
            "               and v.__module__ == n and (v.__dataclass_params__.repr or v.__dataclass_params__.eq)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == []

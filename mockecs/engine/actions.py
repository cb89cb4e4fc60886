"""Names of every ECS 2014-05-26 action (from the SDK's models), to tell 'not implemented' from 'no such API'."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    text = resources.files("mockecs").joinpath("data/ecs_actions.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def known_action(action: str) -> bool:
    return action in _names()

"""Names of every action of each API the engine answers (ECS 2014-05-26 from the alibabacloud_ecs20140526 SDK's
models, VPC 2016-04-28 from the alibabacloud_vpc20160428 SDK's client), to tell 'not implemented' from 'no such
API'."""
from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def _names(product: str) -> frozenset[str]:
    text = resources.files("mockecs").joinpath(f"data/{product}_actions.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def known_action(action: str, product: str = "ecs") -> bool:
    return action in _names(product)

"""The APIs the engine answers: ECS (2014-05-26) and the VPC product's (2016-04-28), which image pipelines
and their tools (Terraform, Ansible) create networks and public addresses through.

A request's API is its endpoint's product (``ecs.cn-hangzhou.aliyuncs.com``, ``vpc.aliyuncs.com``); a host
that names neither (``mockecs server`` used as an endpoint: ``localhost:8080``) is told by its Version.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from mockecs.wire.records import record


@record(frozen=True)
class Api:
    product: str  # the endpoint's first label: "ecs", "vpc"
    name: str  # as in error answers' Recommend links: "Ecs", "Vpc"
    version: str


ECS = Api("ecs", "Ecs", "2014-05-26")
VPC = Api("vpc", "Vpc", "2016-04-28")
BY_VERSION = {api.version: api for api in (ECS, VPC)}
BY_PRODUCT = {api.product: api for api in (ECS, VPC)}

# ecs.aliyuncs.com, ecs-cn-hangzhou.aliyuncs.com, ecs.<region>.aliyuncs.com, ecs-vpc.<region>.aliyuncs.com, and
# the same of vpc (vpc.aliyuncs.com, vpc.<region>.aliyuncs.com, vpc-vpc.<region>.aliyuncs.com): regex text
# for URL patterns (group-free).
HOST = r"(?:ecs|vpc)(?:-vpc)?(?:[.-][a-z0-9-]+?)?(?:-vpc)?\.aliyuncs\.com"
_HOST = re.compile(r"(ecs|vpc)(?:-vpc)?(?:[.-][a-z0-9-]+?)?(?:-vpc)?\.aliyuncs\.com(?::\d+)?", re.IGNORECASE)


@lru_cache(maxsize=1024)  # asked on every request; clients use a handful of hosts
def api_of_host(host: str) -> Optional[Api]:
    """The API whose endpoint ``host`` (``name[:port]``) is, or None for a host that names no product."""
    m = _HOST.fullmatch(host or "")
    return BY_PRODUCT[m.group(1).lower()] if m else None


def api_of(host: str, version: Optional[str]) -> Api:
    """A request's API: its endpoint's, else its Version's, else ECS (whose errors it then gets)."""
    return api_of_host(host) or BY_VERSION.get(version or "") or ECS

"""Regions and zones, loaded once from ``data/regions.json`` (spec §1.1, §4.1-4.2)."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

_HOST = re.compile(r"^(?:ecs|vpc)(?:-vpc)?[.-]((?:[a-z]+-)+[a-z0-9]+?)(?:-vpc)?\.aliyuncs\.com(?::\d+)?$")


@lru_cache(maxsize=1)
def regions() -> dict[str, dict]:
    data = json.loads(resources.files("mockecs").joinpath("data/regions.json").read_text("utf-8"))
    return {r["RegionId"]: r for r in data["regions"]}


def exists(region_id: Optional[str]) -> bool:
    return bool(region_id) and region_id in regions()


@lru_cache(maxsize=1024)  # asked on most requests; clients use a handful of hosts
def region_from_host(host: str) -> Optional[str]:
    """``ecs.cn-beijing.aliyuncs.com`` / ``ecs-cn-hangzhou.aliyuncs.com`` / ``ecs-vpc.x.aliyuncs.com`` -> region
    (and the VPC API's ``vpc.cn-beijing.aliyuncs.com``, ``vpc-vpc.x.aliyuncs.com``)."""
    m = _HOST.match(host.lower())
    if m and m.group(1) in regions():
        return m.group(1)
    return None


def zone_ids(region_id: str) -> list[str]:
    return [z["ZoneId"] for z in regions()[region_id]["Zones"]]


def without_image_transfer(ctx: Any, region_id: str) -> bool:
    """Whether ``region_id`` is one of the ``regions_without_image_transfer`` (no import, export or copy)."""
    return region_id in ctx.listed("regions_without_image_transfer")


def mainland(region_id: str) -> bool:
    """Whether a region is in the Chinese mainland (cn-hongkong is not)."""
    return region_id.startswith("cn-") and region_id != "cn-hongkong"

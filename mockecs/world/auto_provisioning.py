"""Auto provisioning groups: their records, capacities, members and delivery history.

A group (kind ``auto_provisioning_group``, ids ``apg-...``) is stored in the wire shape DescribeAutoProvisioningGroups
answers, plus:

- ``_launch``: the flat RunInstances parameters every launch of the group starts from (its launch template and
  version, or its ``LaunchConfiguration.*`` under RunInstances' names);
- ``_members``: the instances it launched and still holds, ``[{"InstanceId", "Spot", "Weight"}]`` in launch order
  (a group holds its target capacity's instances: the list grows with its target, not with the store);
- ``_history``: its delivery tasks, newest last (DescribeAutoProvisioningGroupHistory), at most
  :data:`MAX_HISTORY`.

Members that were released (DeleteInstance, their AutoReleaseTime ...) are dropped when the group is next read
(:func:`live_members`); a ``maintain`` group then launches again up to its target (``mockecs.ops.auto_provisioning``).
"""
from __future__ import annotations

import math
import string
from typing import Any, Mapping, Optional

from mockecs.world import ids, resources
from mockecs.world.context import Context

KIND = "auto_provisioning_group"
TYPES = ("request", "instant", "maintain")
MAX_HISTORY = 100  # [GUESS] delivery tasks a group keeps
PAY_AS_YOU_GO, SPOT = "PayAsYouGo", "Spot"

resources.ORDER[KIND] = lambda r: resources.time_key(r["_created"])  # creation order [GUESS]


def capacity_split(spec: Mapping[str, Any]) -> dict[str, float]:
    """The capacity each billing method must hold: the pay-as-you-go and spot targets, the rest of the total
    going to ``DefaultTargetCapacityType`` (documented)."""
    payg, spot = float(spec["PayAsYouGoTargetCapacity"]), float(spec["SpotTargetCapacity"])
    rest = max(float(spec["TotalTargetCapacity"]) - payg - spot, 0.0)
    if spec["DefaultTargetCapacityType"] == PAY_AS_YOU_GO:
        payg += rest
    else:
        spot += rest
    return {PAY_AS_YOU_GO: payg, SPOT: spot}


def held(members: list[dict]) -> dict[str, float]:
    """The capacity ``members`` hold, per billing method (each instance counts its config's weight)."""
    out = {PAY_AS_YOU_GO: 0.0, SPOT: 0.0}
    for member in members:
        out[SPOT if member["Spot"] else PAY_AS_YOU_GO] += float(member["Weight"])
    return out


def instances_for(capacity: float, weight: float) -> int:
    """How many instances of weight ``weight`` hold ``capacity`` (documented: the weight is what one instance
    counts for)."""
    return max(math.ceil(capacity / weight - 1e-9), 0)


def live_members(ctx: Context, group: Mapping[str, Any]) -> list[dict]:
    """The group's members whose instances still exist (one read of them by id)."""
    members = list(group.get("_members") or ())
    found = resources.get_many(ctx, "instance", [m["InstanceId"] for m in members])
    return [m for m, record in zip(members, found) if record is not None]


_TASK = string.ascii_lowercase + string.digits


def task(ctx: Context, details: list[dict], complete: bool) -> dict:
    """A delivery task as DescribeAutoProvisioningGroupHistory shows it."""
    return {"TaskId": "apg-task-" + ids.source().text(_TASK, 20),
            "Status": "success" if complete else "failed",
            "StartTime": resources.iso(ctx.now), "LastEventTime": resources.iso(ctx.now),
            "ActivityDetails": {"ActivityDetail": details}}


def launched_detail(instance_ids: list[str]) -> dict:
    """The documented wording: ``New ECS instances "i-1, i-2" created.``"""
    return {"Status": "Successful", "Detail": f'New ECS instances "{", ".join(instance_ids)}" created.'}


def failed_detail(code: str, message: str) -> dict:
    return {"Status": "Failed", "Detail": f"{code}: {message}"}


def removed_detail(instance_ids: list[str], released: bool) -> dict:
    what = "released" if released else "removed from the group"
    return {"Status": "Successful", "Detail": f'ECS instances "{", ".join(instance_ids)}" {what}.'}


def with_history(group: dict, entry: dict) -> dict:
    history = (list(group.get("_history") or ()) + [entry])[-MAX_HISTORY:]
    return {**group, "_history": history}


def view(group: Mapping[str, Any]) -> dict:
    """DescribeAutoProvisioningGroups' item."""
    return resources.wire(group)


def number(text: Optional[str]) -> Optional[float]:
    """A capacity sent as text (the API declares them strings): a finite number >= 0, else None."""
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None

"""Every declared operation's parameter names must exist in the current SDK's request model.

The schema is read from the SDK models' own ``from_map`` (the wire names it accepts), so a
typo in a declaration (``ImageOwnerAlis``) or a wrong nesting fails here, not in a user's test.
"""
from __future__ import annotations

import alibabacloud_ecs20140526.models as sdk_models
import pytest

import mockecs.engine.core  # noqa: F401  (registers every operation)
from mockecs.ops.registry import REGISTRIES, REGISTRY
from mockecs.wire.params import Param
from tests.sdk_shapes import MODELS, NOT_IN_SDK, wire_schema
from tests.spec import metadata


def check(params: tuple, schema: dict, where: str) -> list[str]:
    problems = []
    for param in params:
        assert isinstance(param, Param)
        if param.wire not in schema:
            problems.append(f"{where}{param.wire}: not in the SDK model")
            continue
        if param.kind in ("struct", "structs"):
            sub = schema[param.wire]
            if sub is None:
                problems.append(f"{where}{param.wire}: the SDK declares a scalar, mockecs a struct")
            else:
                problems.extend(check(param.fields, sub, f"{where}{param.wire}."))
    return problems


@pytest.mark.parametrize("version, action", [(v, a) for v, ops in REGISTRIES.items() for a in sorted(ops)])
def test_declared_parameters_exist_in_sdk_model(version, action):
    """ECS's operations against its SDK, the VPC product's against its own (alibabacloud_vpc20160428)."""
    models = pytest.importorskip(MODELS[version])
    if action in NOT_IN_SDK:  # (the metadata's parameters instead)
        documented = {p["name"] for p in metadata()["apis"][action]["parameters"]} | {"RegionId"}
        assert [p.wire for p in REGISTRIES[version][action].params if p.wire not in documented] == []
        return
    model = getattr(models, f"{action}Request", None)
    op = REGISTRIES[version][action]
    assert model is not None, f"the SDK has no {action}Request"
    schema = wire_schema(model)
    if op.region == "optional":
        # Region-less in the new SDK, but the old SDK always adds RegionId = its client region (spec §1.2).
        schema.setdefault("RegionId", None)
    assert check(op.params, schema, "") == []


def test_schema_reader_sees_nested_names():
    # Guards the reader itself: if it stopped seeing names, every check above would pass vacuously.
    schema = wire_schema(sdk_models.DescribeImagesRequest)
    assert schema["Tag"] == {"Key": None, "Value": None}
    assert "ImageOwnerAlias" in schema and "Bogus" not in schema
    bad = check((Param("ImageOwnerAlis"),), schema, "")
    assert bad == ["ImageOwnerAlis: not in the SDK model"]


def test_response_shape_checker_catches_wrong_names_and_types():
    # Guards tests/sdk_shapes.py, which the autouse fixture in conftest.py applies to every answer.
    from tests.sdk_shapes import check

    mapping = {"Size": "40", "RemainTime": 0, "Encrypted": False}
    good = {"RequestId": "R", "TotalCount": 1, "Images": {"Image": [{
        "ImageId": "m-1", "Size": 40, "DiskDeviceMappings": {"DiskDeviceMapping": [mapping]},
        "IsSelfShared": "False"}]}}
    assert check("DescribeImages", good) == []
    bad = {"RequestId": "R", "TotalCount": "1", "Images": {"Image": [{"ImageId": "m-1", "Sise": 40,
                                                                      "IsSelfShared": False}]}}
    assert check("DescribeImages", bad) == [
        "DescribeImages.TotalCount: str '1' where the SDK declares int",
        "DescribeImages.Images.Image[0].Sise: not a field of DescribeImagesResponseBodyImagesImage",
        "DescribeImages.Images.Image[0].IsSelfShared: bool False where the SDK declares str",
    ]


# Region-less actions with nothing to look up: they answer the same in every region.
GLOBAL_ACTIONS = {"DescribeRegions", "DescribeInstanceTypes", "EipFillParams", "EipFillProduct", "EipNotifyPaid"}
# Region-less actions that name no resource: the account's settings or quotas in the request's region.
ACCOUNT_WIDE = {"ModifyAutoSnapshotPolicy", "DescribeLimitation"}


@pytest.mark.parametrize("action", sorted(REGISTRY))
def test_region_less_actions_find_their_resource(action):
    """An action whose metadata declares no RegionId finds its resource by id wherever it lives
    (``region_of``): old SDKs send their client's RegionId anyway, and it must not decide."""
    api = metadata()["apis"].get(action)
    if api is None:  # (not in the metadata: the SDK's request model has a region_id, a region decides)
        assert "RegionId" in wire_schema(getattr(sdk_models, f"{action}Request")), action
        assert REGISTRY[action].region_of is None, action
        return
    declared = {p["name"]: p for p in api["parameters"]}
    if "regionId" in declared:  # (the automatic snapshot policy actions spell it so on the wire)
        declared.setdefault("RegionId", declared["regionId"])
    op = REGISTRY[action]
    required = "RegionId" in declared and (declared["RegionId"].get("schema") or {}).get("required")
    if required or action in GLOBAL_ACTIONS:
        assert op.region_of is None, f"{action} requires RegionId: the request's region decides"
    elif "RegionId" in declared:  # optional: the request's region when given, else the resource's (region_of)
        # or the endpoint's (clients without one send none: aliyungo's DescribeRouteTables)
        assert op.region == "optional", f"{action}: the metadata's RegionId is optional"
    else:  # (those naming no resource: the account's settings or quotas in the request's region)
        assert op.region == "optional" and (op.region_of is not None or action in ACCOUNT_WIDE), \
            f"{action} declares no RegionId"

"""Basic setup: the mockecs fixtures need no configuration once mockecs is installed.

Defaults can be set in pytest.ini / pyproject.toml::

    [pytest]
    mockecs_region = cn-hangzhou
    mockecs_transitions = instant

Build your own fixtures on top of ``ecs_client`` / ``ecs_mock``.
"""
import pytest
from alibabacloud_ecs20140526 import models


@pytest.fixture
def zone_ids(ecs_client, ecs_region):
    """The zones of the test's region, read through the real SDK."""
    resp = ecs_client.describe_zones(models.DescribeZonesRequest(region_id=ecs_region))
    return [zone.zone_id for zone in resp.body.zones.zone]


@pytest.fixture
def alinux_image(public_images):
    """An Alibaba Cloud Linux x86_64 public image id from the preloaded catalog."""
    return next(r["ImageId"] for r in public_images.records
                if r["Platform"] == "Aliyun" and r["Architecture"] == "x86_64")

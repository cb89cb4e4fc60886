"""Build Alibaba Cloud SDK clients pointed at mockecs.

``client()`` / ``legacy_client()`` build clients for the in-process mock (``mock_ecs`` or the
``ecs_mock`` fixture): they talk to the usual ECS endpoints, which the mock intercepts.
``server_client()`` / ``server_legacy_client()`` point a client at a standalone server URL
(``http://127.0.0.1:PORT``). Keys default to the default account's
(:data:`mockecs.state.accounts.DEFAULT_ACCESS_KEY_ID` / ``DEFAULT_ACCESS_KEY_SECRET``).

The SDKs are imported lazily: install ``alibabacloud_ecs20140526`` for the current SDK,
``aliyun-python-sdk-core`` + ``aliyun-python-sdk-ecs`` for the old one.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

DEFAULT_REGION = "cn-hangzhou"


def client(access_key_id: str = DEFAULT_ACCESS_KEY_ID, access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET,
           region_id: str = DEFAULT_REGION, *, endpoint: Optional[str] = None, protocol: Optional[str] = None,
           security_token: Optional[str] = None, **config: Any) -> Any:
    """A current-SDK ``alibabacloud_ecs20140526.client.Client`` (sync and ``*_async`` methods)."""
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.utils_models import Config

    settings: dict[str, Any] = dict(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                    region_id=region_id, **config)
    if endpoint:
        settings["endpoint"] = endpoint
    if protocol:
        settings["protocol"] = protocol
    if security_token:
        settings["security_token"] = security_token
    return Client(Config(**settings))


def vpc_endpoint(region_id: str) -> str:
    """The VPC product's endpoint of ``region_id``, as its SDK picks it (central for cn-hangzhou)."""
    return "vpc.aliyuncs.com" if region_id == "cn-hangzhou" else f"vpc.{region_id}.aliyuncs.com"


def vpc_client(access_key_id: str = DEFAULT_ACCESS_KEY_ID, access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET,
               region_id: str = DEFAULT_REGION, *, endpoint: Optional[str] = None, **config: Any) -> Any:
    """A current-SDK ``alibabacloud_vpc20160428.client.Client`` for the VPC product's API (VPCs, vSwitches and
    EIPs as Terraform and Ansible make them); the same options as :func:`client`."""
    from alibabacloud_tea_openapi.utils_models import Config
    from alibabacloud_vpc20160428.client import Client

    settings: dict[str, Any] = dict(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                    region_id=region_id, **config)
    if endpoint:
        settings["endpoint"] = endpoint
    return Client(Config(**settings))


def legacy_client(access_key_id: str = DEFAULT_ACCESS_KEY_ID, access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET,
                  region_id: str = DEFAULT_REGION, *, endpoint: Optional[str] = None, **kwargs: Any) -> Any:
    """An old-SDK ``aliyunsdkcore.client.AcsClient``.

    The ECS endpoint of ``region_id`` is registered up front (from mockecs' region table), so
    the old SDK never asks the location service, which would be a call outside the mock.
    """
    from aliyunsdkcore.client import AcsClient

    acs = AcsClient(access_key_id, access_key_secret, region_id, **kwargs)
    if endpoint is None:
        from mockecs.world import regions

        endpoint = regions.regions().get(region_id, {}).get("RegionEndpoint")
    if endpoint:
        acs.add_endpoint(region_id, "Ecs", endpoint)
        acs.add_endpoint(region_id, "Vpc", vpc_endpoint(region_id))  # (the VPC product's requests: aliyunsdkvpc)
    return acs


def _host_port(url: str) -> tuple[str, str]:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return parts.scheme or "http", parts.netloc


def server_client(url: str, access_key_id: str = DEFAULT_ACCESS_KEY_ID,
                  access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET, region_id: str = DEFAULT_REGION,
                  **config: Any) -> Any:
    """A current-SDK client that talks to a standalone mockecs server at ``url``."""
    scheme, netloc = _host_port(url)
    return client(access_key_id, access_key_secret, region_id, endpoint=netloc, protocol=scheme, **config)


def server_legacy_client(url: str, access_key_id: str = DEFAULT_ACCESS_KEY_ID,
                         access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET, region_id: str = DEFAULT_REGION,
                         **kwargs: Any) -> Any:
    """An old-SDK client that talks to a standalone mockecs server at ``url`` (plain http only)."""
    scheme, netloc = _host_port(url)
    host, _, port = netloc.partition(":")
    if port:
        kwargs.setdefault("port", int(port))
    return legacy_client(access_key_id, access_key_secret, region_id, endpoint=host, **kwargs)


def create_custom_image(ecs: Any, region_id: str, base_image_id: str, *, image_name: Optional[str] = None,
                        instance_type: str = "ecs.g7.large", snapshot: bool = False,
                        settle: Optional[Callable[[], None]] = None, tries: int = 120, **create_image: Any) -> str:
    """Make a custom image through the current SDK the way a user would; returns its ImageId.

    RunInstances from ``base_image_id``, then CreateImage from the instance (``snapshot=False``)
    or from a CreateSnapshot of its system disk (``snapshot=True``; the disk from DescribeDisks).
    Between polls for Running / accomplished / Available, ``settle()`` runs (e.g. advance the mock
    clock; default: sleep 1 s). Extra keyword arguments go to ``CreateImageRequest``.
    """
    from alibabacloud_ecs20140526 import models

    settle = settle or (lambda: time.sleep(1.0))
    run = ecs.run_instances(models.RunInstancesRequest(
        region_id=region_id, image_id=base_image_id, instance_type=instance_type, amount=1))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    wait_until(lambda: _instance(ecs, region_id, instance_id), ("Running", "Stopped"), settle, tries)
    request = models.CreateImageRequest(region_id=region_id, image_name=image_name, **create_image)
    if snapshot:
        disk_id = _system_disk_id(ecs, region_id, instance_id)
        created = ecs.create_snapshot(models.CreateSnapshotRequest(disk_id=disk_id))
        request.snapshot_id = created.body.snapshot_id
        wait_until(lambda: _snapshot(ecs, region_id, request.snapshot_id), ("accomplished",), settle, tries)
    else:
        request.instance_id = instance_id
    image_id = ecs.create_image(request).body.image_id
    wait_until(lambda: _image(ecs, region_id, image_id), ("Available",), settle, tries)
    return image_id


def wait_until(read: Callable[[], dict], statuses: tuple, settle: Callable[[], None], tries: int = 120) -> dict:
    """Call ``read()`` until its ``Status`` is one of ``statuses``, running ``settle()`` in between."""
    record: dict = {}
    for _ in range(tries):
        record = read()
        if record.get("Status") in statuses:
            return record
        if record.get("Status") in ("CreateFailed", "failed", "UnAvailable"):
            raise RuntimeError(f"{record} ended {record.get('Status')}")
        settle()
    raise TimeoutError(f"still {record.get('Status')!r}, not one of {statuses}: {record}")


def _first(items: list, what: str) -> dict:
    if not items:
        raise LookupError(f"{what} is not found")
    return items[0]


def _instance(ecs: Any, region_id: str, instance_id: str) -> dict:
    from alibabacloud_ecs20140526 import models

    body = ecs.describe_instances(models.DescribeInstancesRequest(
        region_id=region_id, instance_ids=f'["{instance_id}"]')).body.to_map()
    return _first(body.get("Instances", {}).get("Instance", []), instance_id)


def _snapshot(ecs: Any, region_id: str, snapshot_id: str) -> dict:
    from alibabacloud_ecs20140526 import models

    body = ecs.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=region_id, snapshot_ids=f'["{snapshot_id}"]')).body.to_map()
    return _first(body.get("Snapshots", {}).get("Snapshot", []), snapshot_id)


def _image(ecs: Any, region_id: str, image_id: str) -> dict:
    from alibabacloud_ecs20140526 import models

    body = ecs.describe_images(models.DescribeImagesRequest(
        region_id=region_id, image_id=image_id, status="Creating,Waiting,Available,UnAvailable,CreateFailed")).body
    return _first(body.to_map().get("Images", {}).get("Image", []), image_id)


def _system_disk_id(ecs: Any, region_id: str, instance_id: str) -> str:
    from alibabacloud_ecs20140526 import models

    body = ecs.describe_disks(models.DescribeDisksRequest(
        region_id=region_id, instance_id=instance_id, disk_type="system")).body.to_map()
    return _first(body.get("Disks", {}).get("Disk", []), f"the system disk of {instance_id}")["DiskId"]

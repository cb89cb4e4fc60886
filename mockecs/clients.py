"""Build Alibaba Cloud SDK clients pointed at mockecs.

``client()`` / ``legacy_client()`` build clients for the in-process mock (``mock_ecs`` or the
``ecs_mock`` fixture): they talk to the usual ECS endpoints, which the mock intercepts.
``server_client()`` / ``server_legacy_client()`` point a client at a standalone server URL
(``http://127.0.0.1:PORT``). Keys default to the default account's
(:data:`mockecs.accounts.DEFAULT_ACCESS_KEY_ID` / ``DEFAULT_ACCESS_KEY_SECRET``).

The SDKs are imported lazily: install ``alibabacloud_ecs20140526`` for the current SDK,
``aliyun-python-sdk-core`` + ``aliyun-python-sdk-ecs`` for the old one.
"""
from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlsplit

from mockecs.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

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


def legacy_client(access_key_id: str = DEFAULT_ACCESS_KEY_ID, access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET,
                  region_id: str = DEFAULT_REGION, *, endpoint: Optional[str] = None, **kwargs: Any) -> Any:
    """An old-SDK ``aliyunsdkcore.client.AcsClient``.

    The ECS endpoint of ``region_id`` is registered up front (from mockecs' region table), so
    the old SDK never asks the location service, which would be a call outside the mock.
    """
    from aliyunsdkcore.client import AcsClient

    acs = AcsClient(access_key_id, access_key_secret, region_id, **kwargs)
    if endpoint is None:
        from mockecs import regions

        endpoint = regions.regions().get(region_id, {}).get("RegionEndpoint")
    if endpoint:
        acs.add_endpoint(region_id, "Ecs", endpoint)
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

"""Small helpers our own tests use to drive the real SDKs against the fake."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from aliyunsdkcore.client import AcsClient

from mockecs.modes import clients
from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_ACCOUNT_ID


def new_client(access_key_id: str = DEFAULT_ACCESS_KEY_ID, secret: str = DEFAULT_ACCESS_KEY_SECRET,
               region: str = "cn-hangzhou", **config: Any) -> Client:
    return clients.client(access_key_id, secret, region, **config)


def legacy_client(access_key_id: str = DEFAULT_ACCESS_KEY_ID, secret: str = DEFAULT_ACCESS_KEY_SECRET,
                  region: str = "cn-hangzhou") -> AcsClient:
    return AcsClient(access_key_id, secret, region)


def legacy_call(client: AcsClient, request: Any) -> dict:
    """Run an aliyunsdkecs request; returns the decoded JSON body (raises ServerException on errors)."""
    return json.loads(client.do_action_with_exception(request))


def legacy_xml(client: AcsClient, request: Any) -> Any:
    """Run an aliyunsdkecs request with ``Format=XML``; returns the parsed root element (any status)."""
    import xml.etree.ElementTree as ET

    request.set_accept_format("XML")  # do_action_with_exception would force JSON
    _, _, body, _ = client._implementation_of_do_action(request)
    return ET.fromstring(body)


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> ClientException:
    """Run a current-SDK call that must fail; returns the ClientException it raised."""
    with pytest.raises(ClientException) as info:
        call(*args, **kwargs)
    return info.value


@dataclass
class Account:
    account_id: str
    access_key_id: str
    secret: str
    client: Client
    legacy: AcsClient


def make_account(engine: Any, account_id: str, region: str = "cn-hangzhou",
                 access_key_id: Optional[str] = None) -> Account:
    access_key_id = access_key_id or f"ak-{account_id}"
    secret = f"secret-{account_id}"
    engine.accounts.add_key(account_id, access_key_id, secret)
    return Account(account_id, access_key_id, secret, new_client(access_key_id, secret, region),
                   legacy_client(access_key_id, secret, region))


DEFAULT_ACCOUNT = DEFAULT_ACCOUNT_ID

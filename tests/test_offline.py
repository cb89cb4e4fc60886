"""Inside ``mock_ecs()`` nothing reaches the network: other Alibaba Cloud products answer with an error naming
the product, the instance metadata server answers as an instance with a RAM role, fake keys are in the
environment. Every test here runs with sockets that cannot connect, so a leak is a connection error."""
from __future__ import annotations

import asyncio
import json
import os
import socket

import pytest
import requests
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config as OpenApiConfig
from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions

from mockecs import current_mock, mock_ecs
from mockecs.modes.offline import ROLE_NAME, product_of
from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID
from tests.sdk import new_client

METADATA = "http://100.100.100.200/latest/meta-data/"


class NetworkUsed(OSError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(self, address, *args):
        raise NetworkUsed(f"test tried to reach the network: {address}")

    def no_dns(host, *args, **kwargs):
        raise NetworkUsed(f"test tried to resolve {host}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for var in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIYUN_ACCESS_KEY_ID",
                "ALIYUN_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(var, raising=False)


def call_product(endpoint: str, action: str, version: str) -> ClientException:
    """A call of another product through the current SDK's generic client (as the VPC and STS SDKs make it)."""
    client = OpenApiClient(OpenApiConfig(access_key_id="ak", access_key_secret="sk", endpoint=endpoint))
    params = Params(action=action, version=version, protocol="HTTPS", pathname="/", method="POST",
                    auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    with pytest.raises(ClientException) as info:
        client.call_api(params, OpenApiRequest(query={"RegionId": "cn-hangzhou"}), RuntimeOptions())
    return info.value


def test_network_is_really_off():
    with pytest.raises(requests.ConnectionError, match="tried to resolve vpc.aliyuncs.com"):
        requests.get("https://vpc.aliyuncs.com/", timeout=5)


def test_other_products_answer_with_an_error_naming_them():
    with mock_ecs() as m:
        slb = call_product("slb.aliyuncs.com", "DescribeLoadBalancers", "2014-05-15")
        sts = call_product("sts.cn-beijing.aliyuncs.com", "GetCallerIdentity", "2015-04-01")
        raw = requests.get("https://ram.aliyuncs.com/?Format=XML&Action=X", timeout=5)  # (OSS is answered now)
        ecs = new_client().describe_regions(models.DescribeRegionsRequest())  # ECS itself is answered as ever
    for err, product, host in ((slb, "slb", "slb.aliyuncs.com"), (sts, "sts", "sts.cn-beijing.aliyuncs.com")):
        assert err.code == "InvalidAction.NotImplemented" and err.status_code == 400
        assert f"the {product} API at {host}" in err.message and "passthrough=" in err.message
        assert err.data["HostId"] == host
    assert "(action DescribeLoadBalancers)" in slb.message
    assert raw.status_code == 400 and raw.text.startswith("<?xml") and "the ram API" in raw.text
    assert ecs.status_code == 200
    assert [c.action for c in m.calls] == ["DescribeRegions"]  # other products are not ECS calls


def test_product_names():
    assert [product_of(h) for h in ("vpc.aliyuncs.com", "vpc.cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou.aliyuncs.com",
                                    "sts-vpc.cn-beijing.aliyuncs.com", "r-kvstore.aliyuncs.com")] == \
        ["vpc", "vpc", "oss", "sts", "r-kvstore"]


def test_async_and_old_sdk_other_products():
    import aiohttp
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest

    async def fetch() -> tuple[int, dict]:
        async with aiohttp.ClientSession() as session:
            async with session.get("https://slb.cn-shanghai.aliyuncs.com/?Action=DescribeLoadBalancers") as resp:
                return resp.status, await resp.json()

    with mock_ecs():
        status, body = asyncio.run(fetch())
        request = CommonRequest(domain="sts.aliyuncs.com", version="2015-04-01", action_name="GetCallerIdentity")
        with pytest.raises(ServerException) as info:
            AcsClient("ak", "sk", "cn-hangzhou").do_action_with_exception(request)
    assert status == 400 and "the slb API" in body["Message"]
    assert info.value.error_code == "InvalidAction.NotImplemented" and "the sts API" in info.value.message


def test_passthrough_lets_chosen_hosts_reach_the_network():
    with mock_ecs(passthrough=["sts.aliyuncs.com"]):
        with pytest.raises(requests.ConnectionError, match="resolve sts.aliyuncs.com"):
            requests.get("https://sts.aliyuncs.com/?Action=GetCallerIdentity", timeout=5)
        assert requests.get("https://slb.aliyuncs.com/?Action=DescribeLoadBalancers", timeout=5).status_code == 400


def test_passthrough_of_a_faked_product_reaches_the_network():
    """VPC is answered by the engine, unless the user lets its host through (their own mock of it)."""
    with mock_ecs() as m:
        assert requests.get("https://vpc.aliyuncs.com/?Action=DescribeVpcs&Version=2016-04-28", timeout=5).status_code \
            in (200, 400)
        assert [c.action for c in m.calls] == ["DescribeVpcs"]
    with mock_ecs(passthrough=["vpc.aliyuncs.com"]):
        with pytest.raises(requests.ConnectionError, match="resolve vpc.aliyuncs.com"):
            requests.get("https://vpc.aliyuncs.com/?Action=DescribeVpcs&Version=2016-04-28", timeout=5)
        assert new_client().describe_regions(models.DescribeRegionsRequest()).status_code == 200


def test_metadata_server_answers_as_an_instance_with_a_ram_role():
    with mock_ecs(strict_signatures=True) as m:
        token = requests.put("http://100.100.100.200/latest/api/token", timeout=5,
                             headers={"X-aliyun-ecs-metadata-token-ttl-seconds": "21600"})
        assert token.status_code == 200 and token.text
        role = requests.get(METADATA + "ram/security-credentials/", timeout=5).text
        creds = requests.get(METADATA + "ram/security-credentials/" + role, timeout=5).json()
        assert role == ROLE_NAME and creds["Code"] == "Success" and creds["AccessKeyId"].startswith("STS.")
        assert requests.get(METADATA + "region-id", timeout=5).text == "cn-hangzhou"
        assert requests.get(METADATA + "ram/security-credentials/other-role", timeout=5).status_code == 404
        # the STS credentials work against the engine, strict signatures included
        client = new_client(creds["AccessKeyId"], creds["AccessKeySecret"], security_token=creds["SecurityToken"])
        assert client.describe_regions(models.DescribeRegionsRequest()).status_code == 200
        assert m.calls[-1].account == m.accounts.default_account_id and m.calls[-1].status == 200


def test_credential_providers_on_the_metadata_server():
    from alibabacloud_credentials.provider import EcsRamRoleCredentialsProvider

    with mock_ecs(strict_signatures=True):
        provider = EcsRamRoleCredentialsProvider()
        creds = provider.get_credentials()
        assert creds.get_access_key_id().startswith("STS.") and creds.get_security_token()
        client = new_client(creds.get_access_key_id(), creds.get_access_key_secret(),
                            security_token=creds.get_security_token())
        assert client.describe_regions(models.DescribeRegionsRequest()).status_code == 200


def test_old_sdk_ecs_ram_role_signer():
    from aliyunsdkcore.auth.credentials import EcsRamRoleCredential
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest

    with mock_ecs(strict_signatures=True) as m:
        client = AcsClient(region_id="cn-hangzhou", credential=EcsRamRoleCredential(ROLE_NAME))
        request = DescribeRegionsRequest()
        request.set_accept_format("json")
        assert "Regions" in json.loads(client.do_action_with_exception(request))
        assert m.calls[-1].status == 200


def test_fake_keys_in_the_environment_and_restored(monkeypatch):
    from alibabacloud_credentials.client import Client as CredentialClient

    with mock_ecs(strict_signatures=True):
        assert os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"] == DEFAULT_ACCESS_KEY_ID
        assert os.environ["ALIYUN_ACCESS_KEY_ID"] == DEFAULT_ACCESS_KEY_ID
        # the default credential chain finds them, and the engine accepts them
        assert CredentialClient().get_credential().get_access_key_id() == DEFAULT_ACCESS_KEY_ID
        from aliyunsdkcore.client import AcsClient
        from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest

        assert AcsClient(region_id="cn-hangzhou").do_action_with_exception(DescribeRegionsRequest())
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" not in os.environ and "ALIYUN_ACCESS_KEY_SECRET" not in os.environ
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "users-own")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "users-secret")
    with mock_ecs():
        assert os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"] == "users-own"
    assert os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] == "users-secret"


@mock_ecs
class TestSetupMethodInsideTheMock:
    """The class decorator covers setup_method and teardown_method (moto does the same)."""

    def setup_method(self, method):
        self.mock = current_mock()
        self.client = new_client()
        self.client.describe_regions(models.DescribeRegionsRequest())

    def teardown_method(self, method):
        assert current_mock() is self.mock
        assert requests.get(METADATA + "instance-id", timeout=5).status_code == 200

    def test_one(self):
        assert current_mock() is self.mock and len(self.mock.calls) == 1

    def test_two_gets_a_fresh_mock(self):
        assert current_mock() is self.mock and [c.action for c in self.mock.calls] == ["DescribeRegions"]

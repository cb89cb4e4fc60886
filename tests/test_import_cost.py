"""What ``mockecs.mock_ecs`` loads, and the name rules that were made cheaper to load.

``import requests, mockecs; mockecs.mock_ecs`` loads the engine and the eager operations; it must not load
modules only some operations or modes use (``benchmarks/overhead.py`` times it: target <= 100 ms).
"""
from __future__ import annotations

import re
import subprocess
import sys

import alibabacloud_ecs20140526.models as models
import pytest
from alibabacloud_tea_openapi.exceptions import ClientException
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.test_instances import REGION

# Each of these cost 2-15 ms to import, and the mock path does not need them: asyncio and unittest are
# asked for through sys.modules (a coroutine function or TestCase exists only once they are loaded),
# cryptography loads with the first key pair, ctypes with a large store's reset, uuid (platform) not at all.
NOT_LOADED = ("asyncio", "unittest", "cryptography", "ctypes", "uuid", "platform")


def test_mock_ecs_loads_only_what_the_mock_path_uses():
    code = ("import sys, requests, mockecs; mockecs.mock_ecs; "
            f"print(' '.join(m for m in {NOT_LOADED!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.split() == []


def test_word_class_takes_every_cjk_ideograph():
    # The name rules rely on it: after the first letter, \w stands for the CJK range they document.
    assert all(re.fullmatch(r"\w", chr(c)) for c in range(0x4E00, 0xA000))


# First letters: ASCII letters and CJK ideographs (U+4E00-U+9FFF) start a name; other letters do not.
GOOD = ["Ab", "zz", "\u4e00a", "中文", "\u9fffx", "名-1_x"]
BAD = ["éa", "Ωa", "\u3400a", "\ua000a", "\uff41a", "1a", "_a", "-a"]  # other letters, a digit, _ or -


def _public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _create(client, action: str, name: str):
    if action == "ImportKeyPair":
        return client.import_key_pair(models.ImportKeyPairRequest(region_id=REGION, key_pair_name=name,
                                                                  public_key_body=_public_key()))
    if action == "CreateSecurityGroup":
        return client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION,
                                                                              security_group_name=name))
    if action == "CreateVpc":
        return client.create_vpc(models.CreateVpcRequest(region_id=REGION, cidr_block="172.16.0.0/12",
                                                         vpc_name=name))
    return client.create_image_component(models.CreateImageComponentRequest(
        region_id=REGION, name=name, content="RUN echo hello"))


MALFORMED = {"ImportKeyPair": "InvalidKeyPairName.Malformed", "CreateVpc": "InvalidVpcName.Malformed",
             "CreateSecurityGroup": "InvalidSecurityGroupName.Malformed",
             "CreateImageComponent": "InvalidName.Malformed"}


def _code(client, action: str, name: str) -> str:
    try:
        _create(client, action, name)
    except ClientException as err:
        return err.code
    return ""


@pytest.mark.parametrize("action", sorted(MALFORMED))
def test_names_start_with_an_ascii_letter_or_a_cjk_ideograph(client, action):
    assert {name: _code(client, action, name) for name in GOOD + BAD} == \
        {**{name: "" for name in GOOD}, **{name: MALFORMED[action] for name in BAD}}

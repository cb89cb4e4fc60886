"""Ansible's ``ali_eip`` through footmark, unchanged: footmark's VPC connection (``footmark.vpc``, the old SDK's
``aliyunsdkvpc`` requests to vpc.aliyuncs.com) allocating, changing, associating, tagging, unassociating and
releasing an EIP, the calls ``ali_eip``'s ``main()`` makes for a playbook's ``state: present`` with an
``instance_id`` and then ``state: absent`` with ``release_on_disassociation``.

footmark reads answers its own way (snake_case attributes; ``tags`` from ``Tags.Tag[].Key/Value``; ``status``
lower-cased) and waits for each status by polling DescribeEipAddresses.
"""
from __future__ import annotations

import pytest

from mockecs.modes.mock import MockECS
from tests.test_footmark import UBUNTU, connect, network

footmark_vpc = pytest.importorskip("footmark.vpc", reason="footmark is not installed")
import footmark.vpc.connection as footmark_vpc_connection  # noqa: E402

# ali_eip's module parameters (its argument_spec's defaults, and what the playbook sets)
PLAYBOOK = dict(state="present", ip_address=None, allocation_id=None, internet_charge_type="PayByTraffic",
                bandwidth=5, reuse_existing_ip_allowed=False, release_on_disassociation=False,
                allow_reassociation=False, name="ansible-eip", description="made by ansible", tags=None,
                purge_tags=False)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(footmark_vpc_connection.time, "sleep", lambda seconds: None)


def find_eip(vpc, instance_id=None, allocation_id=None):
    """ali_eip's find_eip: every EIP, then the one matching (the last match wins)."""
    eip, eips = None, vpc.describe_eip_addresses()
    for e in eips:
        if instance_id and e.instance_id != instance_id:
            continue
        if allocation_id and e.allocation_id != allocation_id:
            continue
        eip = e
    return eip, eips


def test_ali_eip_present_with_an_instance_then_absent():
    with MockECS():
        _, vpc_id, vswitch = network()
        ecs = connect()
        group = ecs.create_security_group(security_group_name="eip", vpc_id=vpc_id)
        [instance] = ecs.run_instances(image_id=UBUNTU, instance_type="ecs.g7.large", security_group_id=group.id,
                                       vswitch_id=vswitch, amount=1, password="Passw0rd!x1")
        vpc = footmark_vpc.connect_to_region("cn-hangzhou", acs_access_key_id="ak", acs_secret_access_key="sk")

        # state: present, instance_id, tags: no EIP yet -> allocate (instance_id None, a client token)
        eip, eips = find_eip(vpc)
        assert eip is None and eips == []
        eip = vpc.allocate_eip_address(**{**PLAYBOOK, "instance_id": None, "client_token": "Ansible-Alicloud-1"})
        assert eip.id.startswith("eip-") and eip.status == "available"
        assert (eip.name, eip.description, eip.bandwidth, eip.internet_charge_type) == (
            "ansible-eip", "made by ansible", "5", "PayByTraffic")
        assert eip.modify(5, "ansible-eip", "made by ansible") is False  # nothing to change
        assert eip.modify(10, "renamed", None)  # ModifyEipAddressAttribute (Bandwidth, Name)
        assert eip.get().associate(instance_id=instance.id) is True  # waits for InUse
        assert eip.add_tags({"env": "ci", "team": "img"})  # TagResources, ResourceType "eip"
        got = eip.get()
        assert (got.status, got.instance_id, got.instance_type, got.bandwidth, got.name) == (
            "inuse", instance.id, "EcsInstance", "10", "renamed")
        assert got.tags == {"env": "ci", "team": "img"}
        state = got.read()  # what the module returns
        assert state["id"] == eip.id and state["ip_address"] == eip.ip_address

        # ECS's footmark sees the association on the instance
        [seen] = ecs.describe_instances(instance_ids=[instance.id])
        assert seen.eip_address == {"allocation_id": eip.id, "ip_address": eip.ip_address, "bandwidth": 10,
                                    "internet_charge_type": "PayByTraffic", "is_support_unassociate": True}

        # state: present again: found by instance, nothing changes; tags already there
        again, _ = find_eip(vpc, instance_id=instance.id)
        assert again.id == eip.id and again.get().associate(instance_id=instance.id) is False
        assert again.add_tags({"env": "ci"}) is None  # ListTagResources shows it: no TagResources
        assert again.remove_tags({"team": "img"})  # purge_tags: UnTagResources (TagKey.N)
        assert eip.get().tags == {"env": "ci"}

        # state: absent, instance_id, release_on_disassociation
        found, _ = find_eip(vpc, instance_id=instance.id)
        assert found.get().unassociate(instance_id=instance.id) is True  # waits for Available
        [seen] = ecs.describe_instances(instance_ids=[instance.id])
        assert seen.eip_address["allocation_id"] == ""
        assert found.release()
        assert find_eip(vpc) == (None, [])

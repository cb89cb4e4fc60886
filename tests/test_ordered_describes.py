"""Issue 12's describes page from the ordered index when unfiltered: the same pages and TotalCount as the
path that reads every candidate (a filter matching everything takes it), and no record outside the page read."""
from __future__ import annotations

from collections import defaultdict

import alibabacloud_ecs20140526.models as models
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mockecs.state.store import _MemoryTransaction
from tests.networks_helpers import new_vpc, new_vswitch
from tests.test_builder import component, pipeline, start

REGION = "cn-hangzhou"
COUNT = 7
PAGES = ({"page_size": 3, "page_number": 1}, {"page_size": 3, "page_number": 3}, {"page_size": 3, "page_number": 9})
TOKENS = ({"max_results": 3}, {"max_results": 50})


def _public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _key_pairs(client, engine):
    for n in range(COUNT):  # names out of creation order; several per minute (CreationTime ties); CJK names
        name = f"kp{(n * 5) % COUNT}x" if n % 3 else f"密钥{COUNT - n}"
        client.import_key_pair(models.ImportKeyPairRequest(region_id=REGION, key_pair_name=name,
                                                           public_key_body=_public_key()))
        engine.clock.advance(25)
    return (lambda **kw: client.describe_key_pairs(models.DescribeKeyPairsRequest(region_id=REGION, **kw)).body,
            lambda b: [k.key_pair_name for k in b.key_pairs.key_pair], {"key_pair_name": "*"}, PAGES)


def _security_groups(client, engine):
    for _ in range(COUNT):
        client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION))
    return (lambda **kw: client.describe_security_groups(models.DescribeSecurityGroupsRequest(
        region_id=REGION, **kw)).body, lambda b: [g.security_group_id for g in b.security_groups.security_group],
        {"security_group_type": "normal"}, PAGES + TOKENS)


def _eips(client, engine):
    for n in range(COUNT):
        client.allocate_eip_address(models.AllocateEipAddressRequest(region_id=REGION))
        engine.clock.advance(n % 2)  # AllocationTime ties (seconds)
    return (lambda **kw: client.describe_eip_addresses(models.DescribeEipAddressesRequest(
        region_id=REGION, **kw)).body, lambda b: [e.allocation_id for e in b.eip_addresses.eip_address],
        {"charge_type": "PostPaid"}, PAGES)


def _vpcs(client, engine):
    for n in range(COUNT):
        new_vpc(client, cidr_block=f"10.{n}.0.0/16")
    return (lambda **kw: client.describe_vpcs(models.DescribeVpcsRequest(region_id=REGION, **kw)).body,
            lambda b: [v.vpc_id for v in b.vpcs.vpc], {"is_default": False}, PAGES)


def _vswitches(client, engine):
    vpc_id = new_vpc(client, cidr_block="172.16.0.0/12")
    engine.clock.advance(60)
    for n in range(COUNT):
        new_vswitch(client, vpc_id, cidr_block=f"172.16.{n}.0/24")
    return (lambda **kw: client.describe_vswitches(models.DescribeVSwitchesRequest(region_id=REGION, **kw)).body,
            lambda b: [v.v_switch_id for v in b.v_switches.v_switch], {"is_default": False}, PAGES)


def _components(client, engine):
    for n in range(COUNT):
        component(client, f"RUN echo {n}", name=f"c{n}")
    return (lambda **kw: client.describe_image_components(models.DescribeImageComponentsRequest(
        region_id=REGION, **kw)).body, lambda b: [c.image_component_id for c in b.image_component.image_component_set],
        {"component_type": "Build"}, TOKENS + ({"max_results": 2, "next_token": None},))


def _pipelines(client, engine):
    ids = [pipeline(client, name=f"p{n}") for n in range(COUNT)]
    return (lambda **kw: client.describe_image_pipelines(models.DescribeImagePipelinesRequest(
        region_id=REGION, **kw)).body, lambda b: [p.image_pipeline_id for p in b.image_pipeline.image_pipeline_set],
        {"image_pipeline_id": ids}, TOKENS)


def _executions(client, engine):
    pipeline_id = pipeline(client, name="runs")
    for _ in range(COUNT):
        start(client, pipeline_id)
    return (lambda **kw: client.describe_image_pipeline_executions(models.DescribeImagePipelineExecutionsRequest(
        region_id=REGION, image_pipeline_id=pipeline_id, **kw)).body,
        lambda b: [e.execution_id for e in b.image_pipeline_execution.image_pipeline_execution_set],
        {"status": "SUCCESS"}, TOKENS)


KINDS = {"key_pair": _key_pairs, "security_group": _security_groups, "eip": _eips, "vpc": _vpcs,
         "vswitch": _vswitches, "component": _components, "pipeline": _pipelines, "execution": _executions}


def _same_pages(describe, ids, everything, pages) -> None:
    for page in pages:
        fast, slow = describe(**page), describe(**page, **everything)
        assert fast.total_count == slow.total_count == COUNT, page
        assert ids(fast) == ids(slow), page


@pytest.mark.parametrize("kind", KINDS)
def test_index_page_matches_reading_every_candidate_on_sqlite(kind):
    """The SQLite store orders the same sort keys alike (UTF-8 bytes: code point order)."""
    pytest.importorskip("mockecs_sqlite")
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.mock import MockECS
    from tests.sdk import new_client

    with MockECS(Engine(Config(store="sqlite://"))) as mock:
        _same_pages(*KINDS[kind](new_client(), mock.engine))


@pytest.mark.parametrize("kind", KINDS)
def test_index_page_matches_reading_every_candidate(client, engine, kind, monkeypatch):
    describe, ids, everything, pages = KINDS[kind](client, engine)
    reads: dict[str, list] = defaultdict(list)
    for method in ("get", "get_many", "ids"):
        original = getattr(_MemoryTransaction, method)

        def spy(self, k, arg, *rest, _original=original, _method=method):
            if k == kind:
                reads[_method].append(arg)
            return _original(self, k, arg, *rest)
        monkeypatch.setattr(_MemoryTransaction, method, spy)
    for page in pages:
        slow = describe(**page, **everything)
        reads.clear()
        fast = describe(**page)
        assert fast.total_count == slow.total_count == COUNT, (kind, page)
        assert ids(fast) == ids(slow), (kind, page)
        # the fast page reads only its own records, in one batch, and no id set of the caller's records
        read = [i for batch in reads["get_many"] for i in batch] + reads["get"]
        assert len(set(read)) == len(ids(fast)), (read, ids(fast))
        assert kind == "key_pair" or set(read) == set(ids(fast))  # (key pairs are listed by name)
        assert not [t for t in reads["ids"] if t[0] == "owner_region"], reads["ids"]
        if page.get("max_results") == 3:  # the next page by token, both ways
            token = fast.next_token
            assert token and ids(describe(max_results=3, next_token=token)) == ids(
                describe(max_results=3, next_token=token, **everything))


@pytest.mark.parametrize("kind", ["security_group", "key_pair", "execution"])
def test_order_is_the_documented_one(client, engine, kind):
    describe, ids, _, _ = KINDS[kind](client, engine)
    listed = ids(describe(**({"max_results": 50} if kind == "execution" else {"page_size": 50})))
    if kind == "security_group":
        assert listed == sorted(listed, reverse=True)  # by id, descending (documented)
    elif kind == "key_pair":  # by (CreationTime, KeyPairName): creation order, names within a minute
        pairs = [(k.creation_time, k.key_pair_name) for k in describe(page_size=50).key_pairs.key_pair]
        assert pairs == sorted(pairs) and len({t for t, _ in pairs}) < COUNT
        assert [n for _, n in pairs] != sorted(n for _, n in pairs)
    else:
        assert len(listed) == COUNT  # newest first: the last started first
        assert listed[0] == ids(describe(max_results=1))[0]

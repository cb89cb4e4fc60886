"""Concurrent calls never corrupt state: threads create, share and delete images at once.

Through the in-process mock (one engine, many SDK clients in threads) and through the server.
Every id a client was given must be listed exactly once at the end, and nothing else.
"""
from __future__ import annotations

import sys
import threading

import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.core import Config, Engine
from mockecs.modes.mock import MockECS
from tests.sdk import new_client

THREADS, CREATES = 8, 15
ALL = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"


def _snapshot(client) -> str:
    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    disk = client.describe_disks(models.DescribeDisksRequest(region_id="cn-hangzhou", instance_id=instance_id))
    snapshot = client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk.body.disks.disk[0].disk_id))
    return snapshot.body.snapshot_id


def _worker(make_client, snapshot_id: str, n: int, results: dict, errors: list) -> None:
    client = make_client()
    created, deleted = [], []
    try:
        for i in range(CREATES):
            image_id = client.create_image(models.CreateImageRequest(
                region_id="cn-hangzhou", snapshot_id=snapshot_id, image_name=f"t{n}-img-{i}",
                tag=[models.CreateImageRequestTag(key="worker", value=str(n))])).body.image_id
            created.append(image_id)
            if i % 3 == 2:  # delete every third one again
                client.delete_image(models.DeleteImageRequest(region_id="cn-hangzhou", image_id=image_id))
                deleted.append(image_id)
    except Exception as exc:  # collected: a failing thread must fail the test
        errors.append(exc)
    results[n] = (created, deleted)


def _listed(client) -> list[str]:
    ids, page = [], 1
    while True:
        body = client.describe_images(models.DescribeImagesRequest(
            region_id="cn-hangzhou", image_owner_alias="self", status=ALL, page_size=100, page_number=page)).body
        ids += [i.image_id for i in body.images.image]
        if page * 100 >= body.total_count:
            return ids
        page += 1


def _run(make_client) -> None:
    snapshot_id = _snapshot(make_client())
    results: dict = {}
    errors: list = []
    threads = [threading.Thread(target=_worker, args=(make_client, snapshot_id, n, results, errors))
               for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    created = [i for c, _ in results.values() for i in c]
    deleted = {i for _, d in results.values() for i in d}
    assert len(created) == len(set(created)) == THREADS * CREATES  # no id handed out twice
    listed = _listed(make_client())
    assert len(listed) == len(set(listed))  # nothing listed twice
    assert set(listed) == set(created) - deleted  # nothing lost, nothing extra
    # Per-worker tags stayed with their images (no record was written over by another thread).
    tagged = make_client().describe_images(models.DescribeImagesRequest(
        region_id="cn-hangzhou", image_owner_alias="self", tag=[models.DescribeImagesRequestTag(
            key="worker", value="3")], page_size=100)).body
    assert {i.image_id for i in tagged.images.image} == set(results[3][0]) - deleted


@pytest.fixture
def roomy_engine():
    return Engine(Config(options={"image_quota": 10_000}))


@pytest.fixture(autouse=True)
def frequent_thread_switches():
    # Switch threads every few microseconds instead of every 5 ms, so that an operation that
    # is not atomic really is interleaved with others (without this, races hide behind the GIL).
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_threads_in_process(roomy_engine):
    with MockECS(roomy_engine):
        _run(new_client)


def test_threads_through_the_server(roomy_engine):
    from mockecs.modes.server import ServerThread

    with ServerThread(engine=roomy_engine) as server:
        _run(lambda: new_client(endpoint=server.netloc, protocol="HTTP"))


def test_concurrent_updates_of_one_image_lose_nothing(roomy_engine):
    """Read-modify-write of one record from 8 threads: every AddAccount must survive (no lost update)."""
    accounts = [f"30000000000000{n:02d}" for n in range(40)]
    for account in accounts:
        roomy_engine.accounts.add_account(account)
    with MockECS(roomy_engine):
        image_id = new_client().create_image(models.CreateImageRequest(
            region_id="cn-hangzhou", snapshot_id=_snapshot(new_client()), image_name="shared-by-all")).body.image_id
        errors: list = []

        def share(chunk: list[str]) -> None:
            client = new_client()
            try:
                for account in chunk:
                    client.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
                        region_id="cn-hangzhou", image_id=image_id, add_account=[account]))
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=share, args=(accounts[n::THREADS],)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        shared = new_client().describe_image_share_permission(models.DescribeImageSharePermissionRequest(
            region_id="cn-hangzhou", image_id=image_id, page_size=100)).body
        assert sorted(a.aliyun_id for a in shared.accounts.account) == accounts

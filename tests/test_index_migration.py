"""A store written before the ordered index and the tag index existed (an old SQLite file: no sort-key
columns, no term counts, only the terms of that time; or a Redis keyspace of that time) is indexed again
when an engine opens it, once, in one transaction: its listings then answer in the documented order,
as the same world created on this version does."""
from __future__ import annotations

import json
import sqlite3

import alibabacloud_ecs20140526.models as models
import pytest

from mockecs.engine.core import Config, Engine
from mockecs.modes.mock import MockECS
from mockecs.world import resources
from tests.redis_server import redis_server, redis_url  # noqa: F401 - fixtures
from tests.sdk import new_client
from tests.test_instances import disks, run
from tests.test_tag_listings import _public_key

REGION, ZONE = "cn-hangzhou", "cn-hangzhou-i"
# The SQLite schema before sort keys (mockecs_sqlite at 5b51053): records and terms, nothing else.
OLD_SCHEMA = """
CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, terms TEXT NOT NULL,
                      PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE terms (kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL,
                    PRIMARY KEY (kind, name, value, id)) WITHOUT ROWID;
CREATE INDEX terms_by_record ON terms (kind, id);
"""
OLD_TERMS = ("owner", "owner_region", "tag", "tagkey", "key_pair_name")  # what such records carried (a subset)


def _world(engine) -> None:
    """Key pairs named out of creation order, disks, instances and snapshots, tagged security groups: kinds whose
    listings order by a sort key (creation time, names), not by id."""
    client = new_client()
    for n in range(6):
        client.import_key_pair(models.ImportKeyPairRequest(region_id=REGION, key_pair_name=f"kp-{(n * 5) % 6}",
                                                           public_key_body=_public_key()))
        client.create_disk(models.CreateDiskRequest(region_id=REGION, zone_id=ZONE, size=20))
        instance_id = run(client)[0]
        engine.clock.advance(120)
        system_disk = disks(client, instance_id)[0]["DiskId"]
        client.create_snapshot(models.CreateSnapshotRequest(disk_id=system_disk, snapshot_name=f"s{n}"))
        client.create_security_group(models.CreateSecurityGroupRequest(region_id=REGION, tag=[
            models.CreateSecurityGroupRequestTag(key="env", value="prod")]))
        engine.clock.advance(90)


def _answers() -> dict:
    client = new_client()
    return {
        "key pairs": client.describe_key_pairs(models.DescribeKeyPairsRequest(
            region_id=REGION, page_size=4, page_number=2)).body.to_map()["KeyPairs"],
        "instances": [i["InstanceId"] for i in client.describe_instances(models.DescribeInstancesRequest(
            region_id=REGION, page_size=4, page_number=2)).body.to_map()["Instances"]["Instance"]],
        "disks": [d["DiskId"] for d in client.describe_disks(models.DescribeDisksRequest(
            region_id=REGION, page_size=50)).body.to_map()["Disks"]["Disk"]],
        "snapshots": [s["SnapshotId"] for s in client.describe_snapshots(models.DescribeSnapshotsRequest(
            region_id=REGION, page_size=4)).body.to_map()["Snapshots"]["Snapshot"]],
        "tags": client.describe_tags(models.DescribeTagsRequest(region_id=REGION)).body.to_map()["Tags"],
        "tagged": client.describe_resource_by_tags(models.DescribeResourceByTagsRequest(
            region_id=REGION, page_size=3)).body.to_map()["Resources"],
        "listed": client.list_tag_resources(models.ListTagResourcesRequest(
            region_id=REGION, resource_type="securitygroup",
            tag=[models.ListTagResourcesRequestTag(key="env", value="prod")])).body.to_map()["TagResources"],
    }


def _old_records() -> tuple[dict, dict]:
    """A world made on this version, its answers, and its records as an older mockecs stored them."""
    with MockECS(Engine()) as mock:
        _world(mock.engine)
        answers = _answers()
        dump = mock.engine.store.export()
    old = {kind: {id: {"record": item["record"], "terms": [t for t in item["terms"] if t[0] in OLD_TERMS]}
                  for id, item in recs.items()}
           for kind, recs in dump.items() if kind not in resources.DERIVED}
    return old, answers


def write_old_sqlite(path, old: dict) -> None:
    """An SQLite file of the first schema (no sort keys, no index version) holding ``old``'s records and terms."""
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    for kind, recs in old.items():
        for id, item in recs.items():
            conn.execute("INSERT INTO records VALUES (?, ?, ?, ?)",
                         (kind, id, json.dumps(item["record"]), json.dumps(item["terms"])))
            conn.executemany("INSERT INTO terms VALUES (?, ?, ?, ?)", [(kind, *t, id) for t in item["terms"]])
    conn.commit()
    conn.close()


def _open(url: str) -> dict:
    with MockECS(Engine(Config(store=url))) as mock:
        with mock.engine.store.transaction() as txn:
            assert resources.index_version(txn) == resources.INDEX_VERSION
        answers = _answers()
        mock.engine.store.close()
    return answers


def test_an_old_sqlite_file_is_indexed_again_on_open(tmp_path, monkeypatch):
    pytest.importorskip("mockecs_sqlite")
    old, answers = _old_records()
    path = tmp_path / "old.db"
    write_old_sqlite(path, old)
    reindexed = []
    reindex = resources.reindex
    monkeypatch.setattr(resources, "reindex", lambda txn: reindexed.append(1) or reindex(txn))
    assert _open(f"sqlite:///{path}") == answers
    assert reindexed == [1]
    assert _open(f"sqlite:///{path}") == answers  # once: the file records the index version
    assert reindexed == [1]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] >= 1  # the columns' schema


# Schema 2 (mockecs_sqlite before record versions): records in a WITHOUT ROWID table, the rest as now.
V2_RECORDS = """
CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, terms TEXT NOT NULL,
                      skey TEXT NOT NULL DEFAULT '', PRIMARY KEY (kind, id)) WITHOUT ROWID
"""


def test_a_schema_2_sqlite_file_gains_record_versions_on_open(tmp_path, monkeypatch):
    """Its records are copied into the versioned rowid table once, as they were (nothing to index again)."""
    sqlite_store = pytest.importorskip("mockecs_sqlite")
    path = tmp_path / "v2.db"
    url = f"sqlite:///{path}"
    with MockECS(Engine(Config(store=url))) as mock:
        mock.engine.reset()
        _world(mock.engine)
        answers = _answers()
        dump = mock.engine.store.export()
        mock.engine.store.close()
    conn = sqlite3.connect(path)  # back to schema 2
    conn.executescript(f"ALTER TABLE records RENAME TO records_v3; {V2_RECORDS}; "
                       "INSERT INTO records SELECT kind, id, data, terms, skey FROM records_v3; DROP TABLE records_v3; "
                       "PRAGMA user_version = 2")
    conn.close()
    reindexed = []
    reindex = resources.reindex
    monkeypatch.setattr(resources, "reindex", lambda txn: reindexed.append(1) or reindex(txn))
    assert _open(url) == answers and reindexed == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_store.SCHEMA_VERSION == 3
    assert "v" in {row[1] for row in conn.execute("PRAGMA table_info(records)")}
    conn.close()
    store = sqlite_store.SqliteStore(str(path))
    try:
        assert store.export() == dump
        with store.transaction() as txn:
            ids = list(dump["instance"])
            raws = txn.raw_many("instance", ids)
            assert len(set(raws)) == len(ids) == 6 and all(isinstance(raw, int) for raw in raws)
            assert txn.decode_many(raws) == [dump["instance"][id]["record"] for id in ids]
    finally:
        store.close()
    assert _open(url) == answers and reindexed == []


def test_an_old_redis_keyspace_is_indexed_again_on_open(redis_url, monkeypatch):  # noqa: F811
    from mockecs_redis import RedisStore, parse_url

    old, answers = _old_records()
    store = RedisStore(*parse_url(redis_url))
    with store.transaction() as txn:  # as written then: no sort keys, the terms of that time
        for kind, recs in old.items():
            for id, item in recs.items():
                txn.put(kind, id, item["record"], [tuple(t) for t in item["terms"]])
    store.close()
    reindexed = []
    reindex = resources.reindex
    monkeypatch.setattr(resources, "reindex", lambda txn: reindexed.append(1) or reindex(txn))
    assert _open(redis_url) == answers
    assert _open(redis_url) == answers
    assert reindexed == [1]


def test_a_reset_store_keeps_its_index_version(tmp_path, monkeypatch):
    """A reset leaves an empty store of this version: the next engine does not index it again."""
    pytest.importorskip("mockecs_sqlite")
    url = f"sqlite:///{tmp_path / 'new.db'}"
    reindexed = []
    reindex = resources.reindex
    monkeypatch.setattr(resources, "reindex", lambda txn: reindexed.append(1) or reindex(txn))
    with MockECS(Engine(Config(store=url))) as mock:
        mock.engine.reset()
        _world(mock.engine)
        answers = _answers()
        mock.engine.store.close()
    assert reindexed == [1]  # (the new, empty file)
    assert _open(url) == answers
    assert reindexed == [1]

"""Crash safety: ``kill -9`` of ``mockecs server`` on SQLite at random moments during acknowledged writes.

    python benchmarks/crash.py                 # 30 kills
    python benchmarks/crash.py --quick         # 2 kills: a smoke test
    python benchmarks/crash.py --kills 45 --seed 3

Each round starts the server on the same SQLite file, runs two writer threads (RunInstances, which
writes an instance and its disk in one transaction; CreateSnapshot; CreateImage; TagResources;
DeleteImage) and kills the server with SIGKILL after a random 0.2-2 s, mid-write. Every write the
server acknowledged (answered 200) is remembered. After the last kill the server starts once more and
every acknowledged write is checked: created resources present, deleted images absent, tags there
(target: 0 lost), and no half-applied write: every instance has its system disk and every disk's
instance exists (target: 0). Needs the mockecs-sqlite plugin. Loopback only; bounded in count and time.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time

from _harness import MACHINE_NOTE, Conn, Server, Targets

BASE_IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"


class Acked:
    """The writes the server acknowledged, from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.instances: set[str] = set()
        self.snapshots: set[str] = set()
        self.images: set[str] = set()
        self.deleted: set[str] = set()
        self.deleting: set[str] = set()  # DeleteImage sent: absent is fine even without its answer
        self.tags: dict[str, str] = {}  # image -> tag value
        self.count = 0

    def add(self, kind: str, value: str, extra: str = "") -> None:
        with self.lock:
            self.count += 1
            if kind == "tag":
                self.tags[value] = extra
            elif kind == "deleting":
                self.count -= 1  # not a write (yet)
                self.deleting.add(value)
            else:
                getattr(self, kind).add(value)


def writer(server: Server, acked: Acked, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    conn = Conn(server.host, server.port, timeout=10)
    try:
        while not stop.is_set():
            status, _, body = conn.api({"Action": "RunInstances", "ImageId": BASE_IMAGE,
                                        "InstanceType": "ecs.g7.large"})
            if status != 200:
                continue
            instance = json.loads(body)["InstanceIdSets"]["InstanceIdSet"][0]
            acked.add("instances", instance)
            if rng.random() < 0.5:
                continue
            status, _, body = conn.api({"Action": "DescribeDisks", "InstanceId": instance})
            disk = json.loads(body)["Disks"]["Disk"][0]["DiskId"]
            status, _, body = conn.api({"Action": "CreateSnapshot", "DiskId": disk}, "POST")
            if status != 200:
                continue
            snapshot = json.loads(body)["SnapshotId"]
            acked.add("snapshots", snapshot)
            status, _, body = conn.api({"Action": "CreateImage", "SnapshotId": snapshot}, "POST")
            if status != 200:
                continue
            image = json.loads(body)["ImageId"]
            acked.add("images", image)
            value = f"v{rng.randrange(10**6)}"
            status, _, _ = conn.api({"Action": "TagResources", "ResourceType": "image", "ResourceId.1": image,
                                     "Tag.1.Key": "crash", "Tag.1.Value": value}, "POST")
            if status == 200:
                acked.add("tag", image, value)
            if rng.random() < 0.3:
                acked.add("deleting", image)
                status, _, _ = conn.api({"Action": "DeleteImage", "ImageId": image}, "POST")
                if status == 200:
                    acked.add("deleted", image)
    except (OSError, ValueError, KeyError):
        pass  # the server was killed mid-request: that write was not acknowledged
    finally:
        conn.close()


def pages(conn: Conn, params: dict, path: tuple[str, str]) -> list[dict]:
    out: list[dict] = []
    for number in range(1, 10_000):
        status, _, body = conn.api({**params, "PageSize": "100", "PageNumber": str(number)})
        assert status == 200, body[:300]
        items = json.loads(body)[path[0]][path[1]]
        out += items
        if len(items) < 100:
            return out
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2 kills: a smoke test")
    args = parser.parse_args()
    try:
        import mockecs_sqlite  # noqa: F401
    except ImportError:
        print("crash: skipped, the mockecs-sqlite plugin is not installed (pip install -e plugins/mockecs-sqlite)")
        return 0
    kills = 2 if args.quick else args.kills
    rng = random.Random(args.seed)
    targets = Targets(f"crash: {kills} x kill -9 of mockecs server on SQLite during writes", MACHINE_NOTE)
    acked = Acked()
    with tempfile.TemporaryDirectory(prefix="mockecs-crash-") as tmp:
        store = f"sqlite:///{os.path.join(tmp, 'crash.db')}"
        options = ("--store", store, "--option", "image_quota=100000000", "--no-record-calls")
        log = os.path.join(tmp, "server.log")
        start = time.monotonic()
        for n in range(kills):
            server = Server(*options, log=log)
            stop = threading.Event()
            writers = [threading.Thread(target=writer, args=(server, acked, stop, n * 10 + w)) for w in range(2)]
            for t in writers:
                t.start()
            time.sleep(rng.uniform(0.2, 2.0))
            server.stop(signal.SIGKILL)
            stop.set()
            for t in writers:
                t.join(30)
        server = Server(*options, log=log)
        conn = Conn(server.host, server.port)
        try:
            instances = {i["InstanceId"] for i in pages(conn, {"Action": "DescribeInstances"},
                                                        ("Instances", "Instance"))}
            disks = pages(conn, {"Action": "DescribeDisks"}, ("Disks", "Disk"))
            snapshots = {s["SnapshotId"] for s in pages(conn, {"Action": "DescribeSnapshots"},
                                                        ("Snapshots", "Snapshot"))}
            images = {i["ImageId"]: i for i in pages(conn, {"Action": "DescribeImages", "ImageOwnerAlias": "self"},
                                                     ("Images", "Image"))}
        finally:
            conn.close()
            server.stop()
        elapsed = time.monotonic() - start
    lost = {
        "instances": len(acked.instances - instances),
        "snapshots": len(acked.snapshots - snapshots),
        "images": len(acked.images - acked.deleting - set(images)),
        "deletions": len(acked.deleted & set(images)),
        "tags": sum(1 for image, value in acked.tags.items() if image in images and value not in
                    {t["TagValue"] for t in images[image].get("Tags", {}).get("Tag", [])}),
    }
    with_disk = {d.get("InstanceId") for d in disks if d.get("InstanceId")}
    half = len(instances - with_disk) + len(with_disk - instances)
    targets.figure("acknowledged writes", f"{acked.count} ({len(acked.instances)} instances, {len(acked.snapshots)} "
                                          f"snapshots, {len(acked.images)} images, {len(acked.tags)} tags, "
                                          f"{len(acked.deleted)} deletions) in {elapsed:.0f} s")
    shown = ", ".join(f"{k} {v}" for k, v in lost.items())
    targets.check("lost acknowledged writes", f"{sum(lost.values())} ({shown})", not any(lost.values()), "0")
    targets.check("half-applied writes (instance without its disk or disk without its instance)", half, half == 0, "0")
    targets.check("acknowledged writes per kill", f"{acked.count / max(kills, 1):.0f}", acked.count > 0, "> 0")
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())

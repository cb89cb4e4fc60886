"""Races: threads doing the same thing at once must leave no lost and no duplicated resource.

    python benchmarks/races.py                 # 8 threads x 20 rounds per scenario, every target
    python benchmarks/races.py --quick         # 4 threads x 2 rounds: a smoke test
    python benchmarks/races.py --threads 16 --rounds 50 --targets in-process,server

Scenarios (each round in a fresh account; all threads released at once by a barrier):
- same ClientToken: RunInstances with one ClientToken -> one instance, every answer naming it;
- same name: CreateImage with one ImageName -> one image, the others InvalidImageName.Duplicated;
- quota edge: 2 x threads CreateImage with image_quota = threads -> exactly that many images;
- double delete: DeleteImage of one image -> one success, the others InvalidImageId.NotFound;
- share/unshare: ModifyImageSharePermission adding and removing one account -> the share list and the
  other account's view agree, with the account listed at most once.
Targets: the engine in-process (threads call it directly), ``mockecs server`` (requests in its loop
thread) and ``mockecs server --threads 4``, each with the memory store and, when the plugin is
installed, SQLite. Prints lost / duplicated resources (target 0 / 0) and unexpected answers (target 0).
Loopback only; bounded in count.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from typing import Any, Callable
from urllib.parse import urlencode

from _harness import MACHINE_NOTE, Conn, Server, Targets

from mockecs.engine.core import Config, Engine
from mockecs.wire.protocol import HttpRequest

BASE_IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"
_accounts = itertools.count(3_000_000_000_000_000)


class Target:
    """Where requests go: ``call(params, access_key_id) -> (status, body)`` from any thread."""

    def __init__(self, name: str, store: str, quota: int, tmp: str) -> None:
        self.name, self.store = name, store
        self.server = None
        self.engine = None
        self._local = threading.local()
        if name == "in-process":
            # DeleteImage of a missing id answers the 404 here, so that a deletion acknowledged twice shows.
            self.engine = Engine(Config(store=store, options={"image_quota": quota, "delete_missing_image": "error"}))
        else:
            threads = ["--threads", "4"] if name.endswith("--threads 4") else []
            self.server = Server("--store", store, "--option", f"image_quota={quota}",
                                 "--option", "delete_missing_image=error", *threads,
                                 log=os.path.join(tmp, "server.log"))

    def call(self, params: dict, access_key_id: str) -> tuple[int, dict]:
        query = urlencode({"Version": "2014-05-26", "Format": "JSON", "RegionId": "cn-hangzhou",
                           "AccessKeyId": access_key_id, **params})
        if self.engine is not None:
            response = self.engine.handle(HttpRequest("GET", f"http://ecs.aliyuncs.com/?{query}",
                                                      {"host": "ecs.aliyuncs.com"}))
            return response.status, json.loads(response.body)
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = Conn(self.server.host, self.server.port)
        status, _, body = conn.call("GET", "/?" + query)
        return status, json.loads(body)

    def new_account(self) -> str:
        """A fresh account and its key (the key's name is its account id)."""
        account = str(next(_accounts))
        if self.engine is not None:
            self.engine.accounts.add_key(account, account, "secret")
        else:
            conn = Conn(self.server.host, self.server.port)
            body = json.dumps({"account_id": account, "access_key_id": account, "access_key_secret": "secret"})
            status, _, answer = conn.call("POST", "/_mockecs/accounts", body.encode(), self.server.auth)
            conn.close()
            assert status == 200, answer
        return account

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        elif self.engine is not None:
            self.engine.store.close()


def at_once(threads: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except Exception as err:  # noqa: BLE001 - reported as an unexpected answer
            results[n] = (-1, {"Code": f"{type(err).__name__}: {err}"})

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    return results


def snapshot_of(target: Target, account: str) -> str:
    status, run = target.call({"Action": "RunInstances", "ImageId": BASE_IMAGE, "InstanceType": "ecs.g7.large"},
                              account)
    assert status == 200, run
    instance = run["InstanceIdSets"]["InstanceIdSet"][0]
    status, disks = target.call({"Action": "DescribeDisks", "InstanceId": instance}, account)
    status, snap = target.call({"Action": "CreateSnapshot", "DiskId": disks["Disks"]["Disk"][0]["DiskId"]}, account)
    assert status == 200, snap
    return snap["SnapshotId"]


def image_ids(target: Target, account: str, **filters: str) -> list[str]:
    status, found = target.call({"Action": "DescribeImages", "ImageOwnerAlias": "self", "PageSize": "100", **filters},
                                account)
    return [image["ImageId"] for image in found["Images"]["Image"]]


def scenario_token(target: Target, threads: int, tally: Counter) -> None:
    account = target.new_account()
    params = {"Action": "RunInstances", "ImageId": BASE_IMAGE, "InstanceType": "ecs.g7.large",
              "ClientToken": f"token-{account}"}
    answers = at_once(threads, lambda n: target.call(params, account))
    named = {tuple(body["InstanceIdSets"]["InstanceIdSet"]) for status, body in answers if status == 200}
    tally["unexpected"] += sum(status != 200 for status, _ in answers)
    status, found = target.call({"Action": "DescribeInstances"}, account)
    instances = [i["InstanceId"] for i in found["Instances"]["Instance"]]
    tally["duplicated"] += max(0, len(instances) - 1) + max(0, len(named) - 1)
    tally["lost"] += int(not instances or any(i not in instances for ids in named for i in ids))


def scenario_name(target: Target, threads: int, tally: Counter) -> None:
    account = target.new_account()
    snapshot = snapshot_of(target, account)
    params = {"Action": "CreateImage", "SnapshotId": snapshot, "ImageName": f"race-{account}"}
    answers = at_once(threads, lambda n: target.call(params, account))
    made = [body["ImageId"] for status, body in answers if status == 200]
    tally["unexpected"] += sum(status != 200 and body.get("Code") != "InvalidImageName.Duplicated"
                               for status, body in answers)
    images = image_ids(target, account, ImageName=f"race-{account}")
    tally["duplicated"] += max(0, len(made) - 1) + max(0, len(images) - 1)
    tally["lost"] += int(len(made) != 1 or made[0] not in images)


def scenario_quota(target: Target, threads: int, tally: Counter, quota: int) -> None:
    account = target.new_account()
    snapshot = snapshot_of(target, account)
    answers = at_once(2 * threads, lambda n: target.call(
        {"Action": "CreateImage", "SnapshotId": snapshot, "ImageName": f"quota-{account}-{n}"}, account))
    made = [body["ImageId"] for status, body in answers if status == 200]
    tally["unexpected"] += sum(status != 200 and body.get("Code") != "QuotaExceed.Image" for status, body in answers)
    images = image_ids(target, account)
    tally["duplicated"] += max(0, len(images) - quota) + max(0, len(made) - quota)
    tally["lost"] += len(set(made) - set(images)) + max(0, quota - len(made))


def scenario_delete(target: Target, threads: int, tally: Counter) -> None:
    account = target.new_account()
    status, body = target.call({"Action": "CreateImage", "SnapshotId": snapshot_of(target, account),
                                "ImageName": "to-delete"}, account)
    image = body["ImageId"]
    answers = at_once(threads, lambda n: target.call({"Action": "DeleteImage", "ImageId": image}, account))
    ok = sum(status == 200 for status, _ in answers)
    tally["unexpected"] += sum(status != 200 and body.get("Code") != "InvalidImageId.NotFound"
                               for status, body in answers)
    tally["duplicated"] += max(0, ok - 1)  # a deletion acknowledged twice
    tally["lost"] += int(ok == 0 or image in image_ids(target, account))


def scenario_share(target: Target, threads: int, tally: Counter) -> None:
    account, other = target.new_account(), target.new_account()
    status, body = target.call({"Action": "CreateImage", "SnapshotId": snapshot_of(target, account),
                                "ImageName": "shared"}, account)
    image = body["ImageId"]
    answers = at_once(threads, lambda n: target.call({
        "Action": "ModifyImageSharePermission", "ImageId": image,
        ("AddAccount.1" if n % 2 else "RemoveAccount.1"): other}, account))
    tally["unexpected"] += sum(status != 200 for status, _ in answers)
    status, perms = target.call({"Action": "DescribeImageSharePermission", "ImageId": image}, account)
    listed = [a["AliyunId"] for a in perms["Accounts"]["Account"]]
    status, seen = target.call({"Action": "DescribeImages", "ImageId": image, "ImageOwnerAlias": "others"}, other)
    visible = [i["ImageId"] for i in seen["Images"]["Image"]]
    tally["duplicated"] += max(0, listed.count(other) - 1)
    tally["lost"] += int((other in listed) != (image in visible))  # the two views disagree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--targets", default="in-process,server,server --threads 4")
    parser.add_argument("--quick", action="store_true", help="4 threads x 2 rounds: a smoke test")
    args = parser.parse_args()
    threads, rounds = (4, 2) if args.quick else (args.threads, args.rounds)
    try:
        import mockecs_sqlite  # noqa: F401
        stores = ["memory", "sqlite"]
    except ImportError:
        stores = ["memory"]
    targets = Targets(f"races: {threads} threads x {rounds} rounds per scenario, stores {', '.join(stores)}",
                      MACHINE_NOTE)
    for name in args.targets.split(","):
        for store in stores:
            with tempfile.TemporaryDirectory(prefix="mockecs-races-") as tmp:
                url = "memory://" if store == "memory" else f"sqlite:///{os.path.join(tmp, 'races.db')}"
                target = Target(name.strip(), url, threads, tmp)
                tally: Counter = Counter()
                start = time.monotonic()
                try:
                    for _ in range(rounds):
                        scenario_token(target, threads, tally)
                        scenario_name(target, threads, tally)
                        scenario_quota(target, threads, tally, threads)
                        scenario_delete(target, threads, tally)
                        scenario_share(target, threads, tally)
                finally:
                    target.close()
                mutations = rounds * threads * 6
                targets.check(f"{name.strip()} / {store}: lost, duplicated, unexpected answers",
                              f"{tally['lost']}, {tally['duplicated']}, {tally['unexpected']} "
                              f"({mutations} concurrent mutations, {time.monotonic() - start:.0f} s)",
                              not (tally["lost"] or tally["duplicated"] or tally["unexpected"]), "0, 0, 0")
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())

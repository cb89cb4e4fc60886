"""How DescribeImages scales with the number of images in the store.

Populates the store directly (``images.put`` in one transaction, no HTTP) with 10, 1,000 and
100,000 custom images of the caller, then times DescribeImages through the whole engine
(``Engine.handle``: decode, gateway checks, parameters, handler, JSON encoding) for

- one image by ``ImageId`` (a direct get: should not grow with the store), and
- the first page (PageSize 10) of the caller's images (sorted newest first, so it reads them all).

Run: ``.venv/bin/python benchmarks/describe_scaling.py [--repeat N]``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockecs.engine.core import Engine  # noqa: E402
from mockecs.ops.registry import Context  # noqa: E402
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID  # noqa: E402
from mockecs.wire.protocol import HttpRequest  # noqa: E402
from mockecs.world import images  # noqa: E402
from mockecs.world.resources import iso  # noqa: E402

REGION = "cn-hangzhou"
SIZES = (10, 1_000, 100_000)


def populate(engine: Engine, count: int) -> list[str]:
    engine.reset()
    ids = []
    base = engine.clock.now() - count
    with engine.store.transaction() as txn:
        ctx = Context(engine, txn, "Benchmark", DEFAULT_ACCOUNT_ID, REGION, "bench", "ecs.aliyuncs.com",
                      engine.clock.now(), {})
        for n in range(count):
            mapping = images.mapping("/dev/xvda", "system", 40, f"s-bench{n:015d}")
            record = images.new_record(ctx, REGION, [mapping], ImageName=f"bench-{n}",
                                       CreationTime=iso(base + n),
                                       Tags={"Tag": [{"TagKey": "n", "TagValue": str(n % 10)}]})
            images.put(ctx, record)
            ids.append(record["ImageId"])
    return ids


def call(engine: Engine, **params: str) -> dict:
    query = {"Action": "DescribeImages", "Version": "2014-05-26", "Format": "JSON", "RegionId": REGION, **params}
    resp = engine.handle(HttpRequest("POST", "https://ecs.aliyuncs.com/", {
        "content-type": "application/x-www-form-urlencoded"}, urlencode(query).encode()))
    body = json.loads(resp.body)
    assert resp.status == 200, body
    return body


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per measurement (page: fewer at 100k)")
    args = parser.parse_args()
    engine = Engine()
    rows = []
    for size in SIZES:
        started = time.perf_counter()
        ids = populate(engine, size)
        load = time.perf_counter() - started
        target = ids[len(ids) // 2]
        assert call(engine, ImageId=target)["Images"]["Image"][0]["ImageId"] == target
        page = call(engine, ImageOwnerAlias="self", PageSize="10")
        assert page["TotalCount"] == size and page["Images"]["Image"][0]["ImageId"] == ids[-1]
        by_id = median_ms(lambda t=target: call(engine, ImageId=t), args.repeat)
        repeat = args.repeat if size < 100_000 else max(5, args.repeat // 10)
        listing = median_ms(lambda: call(engine, ImageOwnerAlias="self", PageSize="10"), repeat)
        rows.append((size, load, by_id, listing))
    base_id, base_page = rows[0][2], rows[0][3]
    print(f"{'images':>8} {'load s':>8} {'by id ms':>9} {'x vs 10':>8} {'page ms':>9} {'x vs 10':>8}")
    for size, load, by_id, listing in rows:
        print(f"{size:>8} {load:>8.2f} {by_id:>9.3f} {by_id / base_id:>8.2f} {listing:>9.3f} "
              f"{listing / base_page:>8.2f}")
    ratio = rows[-1][2] / base_id
    print(f"by-id at {rows[-1][0]:,} = {ratio:.2f}x by-id at 10 (target <= 1.2x): {'OK' if ratio <= 1.2 else 'MISSED'}")


if __name__ == "__main__":
    main()

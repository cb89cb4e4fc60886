"""Memory per custom image in the memory store, and what a reset gives back.

Seeds N custom images of one account (``images.put``, as the API would write them, with a tag and
a system-disk mapping each), then prints the process' RSS growth per image (and Python's own count
of allocated bytes per image, ``tracemalloc``-free: ``sys.getallocatedblocks`` is not bytes), then
resets the engine and prints the RSS left. Target (issue 14): <= 2 KB per custom image; a reset
returns the store's memory.

    python benchmarks/memory_per_image.py [--count 100000]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockecs.engine.core import Config, Engine  # noqa: E402
from mockecs.ops.registry import Context  # noqa: E402
from mockecs.state.accounts import DEFAULT_ACCOUNT_ID  # noqa: E402
from mockecs.world import images  # noqa: E402
from mockecs.world.resources import iso  # noqa: E402


def rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def seed(engine: Engine, count: int) -> None:
    base = engine.clock.now() - count
    for start in range(0, count, 5_000):
        with engine.store.transaction() as txn:
            ctx = Context(engine, txn, "Benchmark", DEFAULT_ACCOUNT_ID, "cn-hangzhou", "bench", "ecs.aliyuncs.com",
                          engine.clock.now(), {})
            for n in range(start, min(count, start + 5_000)):
                mapping = images.mapping("/dev/xvda", "system", 40, f"s-bp1bench{n:011d}")
                images.put(ctx, images.new_record(ctx, "cn-hangzhou", [mapping], ImageName=f"web-{n}",
                                                  CreationTime=iso(base + n),
                                                  Tags={"Tag": [{"TagKey": "env", "TagValue": "prod"}]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    engine = Engine(Config(options={"image_quota": 10**9}))
    gc.collect()
    before = rss()
    seed(engine, args.count)
    gc.collect()
    after = rss()
    per_image = (after - before) / args.count
    verdict = "OK" if per_image <= 2048 else "target missed"
    print(f"RSS before {before / 2**20:.1f} MiB, after {args.count:,} custom images {after / 2**20:.1f} MiB: "
          f"{per_image:,.0f} bytes per image (target <= 2,048): {verdict}")
    engine.reset()
    gc.collect()
    left = rss()
    kept = left - before
    print(f"after reset: RSS {left / 2**20:.1f} MiB, {kept / 2**20:.1f} MiB above the start "
          f"({kept / max(1, after - before):.0%} of what the images took)")


if __name__ == "__main__":
    main()

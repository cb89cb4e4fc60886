"""Reset / new-test cost with the built-in catalog vs a generated 50,000-image catalog.

The catalog is one immutable layer loaded once per set of data files (``mockecs.world.catalog``)
and never copied into a store, so ``engine.reset()`` and building a new engine for a test
must cost the same whatever its size. Loading the big catalog once happens before timing.

    .venv/bin/python benchmarks/catalog_cost.py [N_IMAGES] [ROUNDS]   # defaults 50000, 20000
Target: ratio <= 1.1x and <= 1 ms absolute per reset.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from mockecs.engine.core import Config, Engine
from mockecs.modes.mock import MockECS
from mockecs.world import catalog

KINDS = ("system", "marketplace", "community", "shared")


def generate(path: Path, count: int) -> None:
    """``count`` images modelled on the built-in ones: every kind, some shared with the default account."""
    base = catalog.load(catalog.builtin_files())
    templates = [dict(base.get(base.ids(kind)[0])) for kind in KINDS]
    images = []
    for n in range(count):
        entry = dict(templates[n % len(templates)])
        entry["ImageId"] = f"m-gen{n:017d}" if entry.get("ImageOwnerAlias") != "system" else f"gen_{n}_x64_20G.vhd"
        entry["ImageName"] = f"generated-{n}"
        entry["CreationTime"] = f"2024-01-{1 + n % 28:02d}T00:00:00Z"
        if entry.get("ProductCode"):
            entry["ProductCode"] = f"cmjjgen{n:06d}"
        images.append(entry)
    path.write_text(json.dumps({"images": images}))


def timed(fn: Callable[[], object], rounds: int) -> float:
    """Mean seconds per call over ``rounds`` calls."""
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds


def cases(config: Config) -> dict[str, tuple[Callable[[], object], int]]:
    """What a test pays, by name: (call, relative number of rounds)."""
    engine = Engine(config)  # loads (or reuses) the catalog: outside the timed region

    def reset_after_a_test() -> None:
        # a little state a typical test leaves behind, then the reset
        with engine.store.transaction() as txn:
            txn.put("image", "m-x", {"ImageId": "m-x"}, [("owner", "1")])
        engine.reset()

    return {
        "reset (ms)": (engine.reset, 1),
        "reset after a write (ms)": (reset_after_a_test, 1),
        "new Engine (ms)": (lambda: Engine(config), 10),
        "new MockECS + start/stop (ms)": (lambda: MockECS(Engine(config)).start().stop(), 10),
    }


def compare(configs: dict[str, Config], rounds: int, repeats: int = 21) -> dict[str, dict[str, float]]:
    """Median per-call ms of every case for every config, the configs interleaved so drift hits both alike."""
    prepared = {name: cases(config) for name, config in configs.items()}
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in configs}
    for _ in range(repeats):
        for name, by_case in prepared.items():
            for case, (fn, divisor) in by_case.items():
                samples[name].setdefault(case, []).append(timed(fn, max(rounds // divisor, 20)) * 1e3)
    return {name: {case: statistics.median(v) for case, v in by_case.items()} for name, by_case in samples.items()}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big_catalog.json"
        generate(path, count)
        big_config = Config(catalog_files=(str(path),))
        start = time.perf_counter()
        Engine(big_config)
        load = time.perf_counter() - start
        sizes = (len(Engine().catalog), len(Engine(big_config).catalog))
        result = compare({"builtin": Config(), "big": big_config}, rounds)
        builtin, big = result["builtin"], result["big"]
    print(f"one-time load of the {count:,}-image file: {load:.2f} s (not timed below)")
    print(f"{'':32} {'built-in':>12} {'generated':>12} {'ratio':>7}")
    print(f"{'catalog images':32} {sizes[0]:12,} {sizes[1]:12,}")
    for key in builtin:
        ratio = big[key] / builtin[key] if builtin[key] else float("nan")
        print(f"{key:32} {builtin[key]:12.4f} {big[key]:12.4f} {ratio:6.2f}x")
    ok = big["reset (ms)"] <= 1.0 and big["reset (ms)"] / builtin["reset (ms)"] <= 1.1
    print(f"target (reset <= 1 ms, ratio <= 1.1x): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()

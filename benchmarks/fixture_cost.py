"""Per-test cost of the ``ecs_mock`` fixture (full catalog loaded) against an empty test.

Runs pytest in-process on two generated files of N tests each, one using ``ecs_mock`` and
one using no fixture, and sums each test's setup + teardown time from pytest's own reports;
then times the fixture's core (reset + start + stop of the mock) directly.

    .venv/bin/python benchmarks/fixture_cost.py [N]     # default N=500; target: <= 1 ms per test
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

WITH_FIXTURE = """
def test_{i}(ecs_mock):
    pass
"""
EMPTY = """
def test_{i}():
    pass
"""


class Collector:
    """A pytest plugin that keeps setup + teardown time of every test, by file."""

    def __init__(self) -> None:
        self.times: dict[str, dict[str, float]] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when in ("setup", "teardown"):
            path = report.nodeid.split("::")[0]
            per_test = self.times.setdefault(path, {})
            per_test[report.nodeid] = per_test.get(report.nodeid, 0.0) + report.duration


def run_pytest(n: int) -> tuple[list[float], list[float], float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_fixture.py").write_text("".join(WITH_FIXTURE.format(i=i) for i in range(n)))
        (folder / "test_empty.py").write_text("".join(EMPTY.format(i=i) for i in range(n)))
        (folder / "pytest.ini").write_text("[pytest]\nmockecs_catalog = on\n")
        collector = Collector()
        start = time.perf_counter()
        code = pytest.main([str(folder), "-qq", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header",
                            "-o", "console_output_style=classic", "--rootdir", str(folder)], plugins=[collector])
        total = time.perf_counter() - start
        if code != 0:
            raise SystemExit(f"pytest failed with exit code {code}")
        return (list(collector.times["test_fixture.py"].values()), list(collector.times["test_empty.py"].values()),
                total)


def time_core(n: int) -> tuple[float, float]:
    """Seconds per reset+start+stop (the fixture's work), and for building the session engine once."""
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.mock import MockECS

    start = time.perf_counter()
    engine = Engine(Config(catalog=True))
    build = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(n):
        engine.reset()
        with MockECS(engine):
            pass
    return (time.perf_counter() - start) / n, build


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 500
    fixture, empty, total = run_pytest(n)
    first, rest = fixture[0], fixture[1:]
    ms = 1000.0
    mean_fixture, mean_empty = statistics.mean(rest) * ms, statistics.mean(empty) * ms
    median_fixture, median_empty = statistics.median(rest) * ms, statistics.median(empty) * ms
    print(f"\n{n} tests each, pytest in-process ({total:.2f} s in all)")
    print(f"  empty test, setup+teardown:        mean {mean_empty:.3f} ms, median {median_empty:.3f} ms")
    print(f"  ecs_mock test, setup+teardown:     mean {mean_fixture:.3f} ms, median {median_fixture:.3f} ms"
          f"  (first test, which builds the session engine: {first * ms:.1f} ms)")
    p95 = statistics.quantiles(rest, n=20)[-1] * ms
    print(f"  fixture cost per test:             {mean_fixture - mean_empty:.3f} ms mean, "
          f"{median_fixture - median_empty:.3f} ms median (target <= 1 ms); ecs_mock p95 {p95:.3f} ms")
    core, build = time_core(max(n, 1000))
    print(f"  core reset+start+stop, direct:     {core * ms:.3f} ms; Engine() with catalog: {build * ms:.1f} ms")


if __name__ == "__main__":
    main(sys.argv)

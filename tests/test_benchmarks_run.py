"""Every benchmark script runs, at a smoke-test size, so that none rots when the code moves.

Not a timed test: nothing here judges a figure (the machine may be busy); each script must run to its end and
print its table. ``server_instructions.py`` needs valgrind and minutes, so it is left out; ``engine_cachegrind.py``
runs its calls without valgrind.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")

RUNS = {
    "overhead.py": (["--calls", "20"], "DescribeImages(own image)"),
    "describe_scaling.py": (["--stores", "memory", "--sizes", "10,50", "--repeat", "2", "--others", "10,20"],
                            "memory"),
    "server_throughput.py": (["--stacks", "waitress,cheroot-https", "--seconds", "0.2", "--rounds", "1"],
                             "cheroot-https"),
    "server_throughput.py --workers": (["--workers", "1,2", "--quick"], "2 workers = "),
    "memory_per_image.py": (["--count", "300"], "image"),
    "catalog_cost.py": ([], "target"),
    "fixture_cost.py": ([], "fixture cost per test"),
    # (what runs under valgrind, without it: valgrind's own run takes minutes)
    "engine_cachegrind.py": (["--serve", ".", "--calls", "5", "--case", "DescribeRegions", "--intercept"],
                             "DescribeRegions\tintercept\t0\t"),
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs(script):
    args, expected = RUNS[script]
    if "--workers" in args:  # (on Redis: its own redis-server; wrk when installed, else Python clients)
        pytest.importorskip("mockecs_redis", reason="plugins/mockecs-redis is not installed")
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    result = subprocess.run([sys.executable, os.path.join(BENCHMARKS, script.split()[0]), *args], capture_output=True,
                            text=True, timeout=600, cwd=BENCHMARKS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert expected in result.stdout, result.stdout[-3000:]

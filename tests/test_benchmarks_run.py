"""Every benchmark script runs, at a smoke-test size, so that none rots when the code moves.

Not a timed test: nothing here judges a figure (the machine may be busy); each script must run to its end and
print its table. ``server_instructions.py`` needs valgrind and minutes, so it is left out.
"""
from __future__ import annotations

import os
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
    "memory_per_image.py": (["--count", "300"], "image"),
    "catalog_cost.py": ([], "target"),
    "fixture_cost.py": ([], "fixture cost per test"),
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs(script):
    args, expected = RUNS[script]
    result = subprocess.run([sys.executable, os.path.join(BENCHMARKS, script), *args], capture_output=True,
                            text=True, timeout=600, cwd=BENCHMARKS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert expected in result.stdout, result.stdout[-3000:]

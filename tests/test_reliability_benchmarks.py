"""The reliability benchmarks run at smoke-test size (``--quick``), so that they do not rot."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")


@pytest.mark.parametrize("script", ["fuzz.py", "races.py", "crash.py", "tamper.py"])
def test_benchmark_quick(script):
    result = subprocess.run([sys.executable, os.path.join(BENCHMARKS, script), "--quick"], capture_output=True,
                            text=True, timeout=600, cwd=BENCHMARKS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "target missed" not in result.stdout and "all targets met" in result.stdout, result.stdout[-3000:]

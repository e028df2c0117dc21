"""The grouping benchmark cannot rot: a tiny run, checked for its output only.

Apart from tests/test_bench_smoke.py, whose module-level marks ask for PostgreSQL and Redis:
this benchmark needs neither. Timings are never asserted here.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_grouping_benchmark_prints_a_row_for_the_requested_board_size():
    result = subprocess.run(
        [sys.executable, "-m", "bench.grouping", "--counts", "30", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 30 |")]
    assert len(rows) == 1, result.stdout
    clusters = int(rows[0].split("|")[6])
    assert clusters > 0

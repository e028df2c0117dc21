"""The benchmarks cannot rot: a tiny run of each scenario, checked for correctness only.

Timings are never asserted here; bench/ prints them and docs/performance.md reports them.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_layer_benchmark_delivers_every_post_it_once_on_both_layers():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.layers",
            "--sizes",
            "5",
            "--duration",
            "1",
            "--rate",
            "5",
            "--drain",
            "5",
            "--idle",
            "0.5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {line["layer"] for line in lines} == {"core", "pubsub"}
    for line in lines:
        assert line["connected"] == 5
        assert line["sent"] == line["acked"] == 5
        assert (line["lost"], line["duplicates"]) == (0, 0)
        assert line["received"] == line["expected"] == 25

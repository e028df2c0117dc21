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


def test_the_poll_storm_benchmark_counts_every_answer_once_and_shows_the_final_tally():
    result = subprocess.run(
        [sys.executable, "-m", "bench.storm", "--sizes", "20", "--window", "1", "--drain", "30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert "error" not in line, line["error"]
    assert line["connected"] == 20
    assert line["counted"] == line["counted_expected"] == 20
    assert line["exact"], (line["per_option"], line["per_option_expected"])
    assert line["acks"] == line["commands_sent"]["total"] and not line["errors"]
    # Every client holds the tally of what PostgreSQL counted.
    assert line["final_tally"]["respondents"] == 20
    assert line["all_clients_got_final_tally"]
    assert line["clients_with_final_tally"] == 20

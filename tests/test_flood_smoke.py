"""The flood bench cannot rot: ten participants write while one more floods post-its,
votes and hand raises; checked for correctness only (bench/flood.py prints the latencies,
docs/performance.md reports them)."""

import json
import os
import subprocess
import sys

import pytest

from tests.test_bench_smoke import ROOT, bench_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_flooder_is_slowed_down_and_the_others_are_served():
    result = subprocess.run(
        [
            *(sys.executable, "-m", "bench.flood", "--participants", "10"),
            *("--rate", "5", "--duration", "2", "--drain", "15"),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "BENCH_DATABASE_URL": bench_database_url(),
            # Small bursts: the flooder meets its limits however slowly a loaded machine
            # handles its first commands; one post-it per participant stays within them.
            "LIVE_RATE_LIMITS": '{"postits": [2, 0.2], "votes": [2, 0.2], "hands": [2, 0.2]}',
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.stdout.startswith("{"), result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    flooder = report["flooder"]
    assert flooder["slow_down"] > 0 and flooder["acked"] > 0
    assert flooder["sent"] > flooder["acked"] + flooder["slow_down"] - 1 > 0
    for phase in ("calm", "flood"):
        figures = report[phase]
        assert figures["sent"] == figures["acked"] == 10, phase
        assert figures["refused"] == {}, phase  # nobody else met the flooder's limits
        assert figures["lost"] == 0 and figures["delivered"] == figures["expected_deliveries"]
        assert figures["expected_deliveries"] == 10 * 10
    assert report["server_alive"] and report["server_log_problems"] == 0
    assert report["ok"] and result.returncode == 0

"""The flood bench cannot rot: ten participants write while one more floods post-its,
votes and hand raises; checked for correctness only (bench/flood.py prints the latencies,
docs/performance.md reports them)."""

import pytest

from tests.support.benches import json_lines, run_bench

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_flooder_is_slowed_down_and_the_others_are_served():
    result = run_bench(
        *("flood", "--participants", "10", "--rate", "5", "--duration", "2", "--drain", "15"),
        # Small bursts: the flooder meets its limits however slowly a loaded machine
        # handles its first commands; one post-it per participant stays within them.
        env={"LIVE_RATE_LIMITS": '{"postits": [2, 0.2], "votes": [2, 0.2], "hands": [2, 0.2]}'},
        timeout=180,
    )
    assert result.stdout.startswith("{"), result.stderr[-3000:]
    report = json_lines(result)[-1]
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

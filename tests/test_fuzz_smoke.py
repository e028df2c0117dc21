"""The fuzzer cannot rot: a short run of `bench.fuzz` (a few thousand hostile frames over
real sockets against a real server), checked for correctness only; bench/fuzz.py prints
the figures of the long run (docs/performance.md)."""

import pytest

from tests.support.benches import json_lines, run_bench

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_hostile_frames_leave_the_server_serving_and_nothing_half_written():
    result = run_bench("fuzz", "--frames", "2000", "--sockets", "3", "--seed", "5")
    assert result.stdout.startswith("{"), result.stderr[-3000:]
    report = json_lines(result)[-1]
    assert report["frames_sent"] >= 1900  # frames behind an oversized one wait for its close
    assert report["server_errors"] == 0, report["server_error_samples"]
    assert report["server_alive"] and report["server_tracebacks"] == 0, report["server_log"]
    assert report["stalls"] == 0, report["stall_samples"]
    assert report["invariant_violations"] == []
    # Hostile frames were refused, and some valid-looking ones were carried out.
    assert report["replies"]["error:bad_frame"] > 0 and report["replies"]["ack"] > 0
    canary = report["canary"]
    assert canary["errors"] == [] and canary["sent"] > 0
    assert canary["acked"] == canary["seen"] == canary["sent"]
    assert report["ok"] and result.returncode == 0

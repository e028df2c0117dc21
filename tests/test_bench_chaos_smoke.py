"""A small chaos run (bench/chaos.py): nothing acknowledged is lost or doubled, and every
connected client sees what the database holds, after a round of cut connections, a server
killed with SIGKILL and restarted, and the run's own Redis restarted.

Only correctness is asserted; the full run's figures are in docs/performance.md.
"""

import pytest

from tests.support.benches import json_lines, run_bench

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SMOKE = ["--clients", "20", "--groups", "4", "--duration", "8", "--cut-rounds", "1", "--pause", "2"]


@pytest.fixture(scope="module")
def report() -> dict:
    result = run_bench("chaos", *SMOKE, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = json_lines(result)
    assert len(lines) == 1, result.stdout[-3000:]
    return lines[0]


def test_every_fault_was_injected(report):
    faults = report["faults"]
    assert (faults["cut_rounds"], faults["server_kills"], faults["redis_restarts"]) == (1, 1, 1)
    assert 1 <= faults["connections_cut"] <= 4  # 20%; one reconnecting just then is not cut
    assert report["closes"]["dropped"] >= 1  # the killed server's clients
    assert report["reconnects"] >= 4  # the cut ones, and those of the killed server
    assert report["degraded_frames"] > 0  # the servers noticed Redis was gone


def test_every_acknowledged_command_is_in_the_database_exactly_once(report):
    assert report["commands_sent"] > 0
    assert report["acknowledged"] == report["commands_sent"] - sum(report["refused"].values())
    assert report["pending"] == 0
    assert report["persisted"] == report["acknowledged"]
    assert (report["lost"], report["duplicates"]) == (0, 0), report["lost_examples"]
    assert report["unexplained"] == 0
    assert report["replay_differs"] == 0


def test_every_connected_client_sees_the_database_state(report):
    assert report["clients_compared"] == 20
    assert report["view_mismatches"] == 0, report["mismatch_examples"]


def test_the_servers_logged_only_the_redis_outage(report):
    expected = {"live.broadcast", "live.snapshots", "channels_redis.pubsub", "live.hub"}
    assert set(report["server_log_problems"]) <= expected, report["server_log_problems"]

"""The benchmarks cannot rot: a tiny run of every scenario, checked for correctness only.

Timings are never asserted here; bench/ prints them and docs/performance.md reports them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SMOKE = [
    *("--sizes", "20", "--duration", "2", "--rate", "5", "--drain", "15", "--idle", "0.5"),
    *("--knee-rates", "2,5", "--knee-duration", "2", "--reconnect-writing", "1"),
    *("--window", "1"),
]


def bench_database_url() -> str:
    """A benchmark database of this test run's own (next to its test database): other work
    trees on the machine migrate the default one to their own models."""
    database = settings.DATABASES["default"]
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    name = database["NAME"].removeprefix("test_")
    return f"postgres://{database['USER']}@{host}:{port}/test_{name}_bench"


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", *SMOKE],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": bench_database_url()},
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {line["scenario"]: line for line in lines}


def test_every_scenario_prints_one_line_without_error(reports):
    assert set(reports) == {"fanout", "baseline", "knee", "breakouts", "reconnect", "storm"}
    for name, report in reports.items():
        assert "error" not in report, (name, report["error"])
        assert report["connected"] == 20, name


@pytest.mark.parametrize("name", ["fanout", "baseline", "breakouts"])
def test_every_post_it_reaches_its_audience_exactly_once(reports, name):
    report = reports[name]
    assert report["sent"] == report["acked"] == 10
    assert (report["lost"], report["duplicates"], report["leaks"]) == (0, 0, 0)
    assert report["delivered"] == report["expected_deliveries"] > 0


def test_breakouts_deliver_each_post_it_only_to_its_group(reports):
    report = reports["breakouts"]
    assert report["groups"] == 2
    assert report["expected_deliveries"] == 10 * 10  # ten post-its, ten members each


def test_the_fanout_is_compared_with_the_bare_relay(reports):
    ratios = reports["fanout"]["vs_baseline"]
    assert ratios["cpu_per_delivered"] > 0 and ratios["p99"] > 0


def test_the_knee_reports_each_rate(reports):
    assert [step["rate"] for step in reports["knee"]["rates"]] == [2, 5]
    assert all(step["lost"] == 0 for step in reports["knee"]["rates"])


def test_every_client_comes_back_after_a_restart_and_misses_nothing(reports):
    report = reports["reconnect"]
    assert report["all_back"] and report["clients_back"] == 20
    assert report["acked"] == report["sent"] == 10  # five before the restart, five after
    assert (report["lost"], report["duplicates"]) == (0, 0)


def test_the_poll_storm_counts_every_answer_once_and_shows_the_final_tally(reports):
    report = reports["storm"]
    assert report["counted"] == report["counted_expected"] == 20
    assert report["exact"], (report["per_option"], report["per_option_expected"])
    assert report["acks"] == report["commands_sent"]["total"] and not report["errors"]
    assert report["final_tally"]["respondents"] == 20
    assert report["all_clients_got_final_tally"]

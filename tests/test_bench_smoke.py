"""The benchmarks cannot rot: a tiny run of every scenario, checked for correctness only.

Timings are never asserted here; bench/ prints them and docs/performance.md reports them.
"""

import pytest

from tests.support.benches import json_lines, run_bench

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SMOKE = [
    *("--sizes", "20", "--duration", "2", "--rate", "5", "--drain", "15", "--idle", "0.5"),
    *("--knee-rates", "2,5", "--knee-duration", "2", "--reconnect-writing", "1"),
    *("--window", "1"),
]


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    result = run_bench("run", *SMOKE, timeout=420)
    assert result.returncode == 0, result.stderr[-3000:]
    return {line["scenario"]: line for line in json_lines(result)}


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
    fanout, baseline = reports["fanout"], reports["baseline"]
    ratios = fanout["vs_baseline"]
    base_p99 = baseline["last_receiver_ms"]["p99"]
    assert base_p99 > 0
    assert ratios["p99"] == round(fanout["last_receiver_ms"]["p99"] / base_p99, 2)
    # The relay's CPU over a two-second smoke can stay under /proc's 10 ms tick: no ratio then.
    base_cpu = baseline["server_cpu_us_per_delivered"]
    expected = round(fanout["server_cpu_us_per_delivered"] / base_cpu, 2) if base_cpu else None
    assert ratios["cpu_per_delivered"] == expected


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

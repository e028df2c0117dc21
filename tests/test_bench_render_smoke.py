"""The per-language rendering benchmark cannot rot: a tiny board, every event timed.

Timings are never asserted here; bench/render.py prints them and docs/performance.md
reports them. It uses a database of its own (created and migrated by the benchmark).
"""

import pytest

from tests.support.benches import json_lines, run_bench

pytestmark = pytest.mark.postgres

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_render_smoke"


def test_the_render_benchmark_times_each_event_in_each_language():
    result = run_bench(
        *("render", "--participants", "6", "--postits", "12", "--repeat", "1"),
        *("--database-url", DATABASE),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = json_lines(result)
    assert line["languages"] == ["fr", "en", "it"]
    events = {"postit.created", "postit.moved", "cluster.created", "phase.started"}
    assert set(line["render_ms"]) == set(line["publish_ms_every_language"]) == events
    assert all(set(by_language) == {"fr", "en", "it"} for by_language in line["render_ms"].values())

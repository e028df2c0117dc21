"""The per-language rendering benchmark cannot rot: a tiny board, every event timed.

Timings are never asserted here; bench/render.py prints them and docs/performance.md
reports them. It uses a database of its own (created and migrated by the benchmark).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.postgres

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_render_smoke"


def test_the_render_benchmark_times_each_event_in_each_language():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.render",
            "--participants",
            "6",
            "--postits",
            "12",
            "--repeat",
            "1",
            "--database-url",
            DATABASE,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert line["languages"] == ["fr", "en", "it"]
    events = {"postit.created", "postit.moved", "cluster.created", "phase.started"}
    assert set(line["render_ms"]) == set(line["publish_ms_every_language"]) == events
    assert all(set(by_language) == {"fr", "en", "it"} for by_language in line["render_ms"].values())

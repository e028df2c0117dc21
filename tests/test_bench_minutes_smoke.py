"""The minutes benchmark cannot rot: a tiny workshop, every format made, figures printed.

Timings are never asserted here; bench/minutes.py prints them and docs/performance.md
reports them. It uses a database of its own (created and migrated by the benchmark).
"""

import pytest

from tests.support.benches import json_lines, run_bench

pytestmark = pytest.mark.postgres

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_minutes_smoke"


def test_the_minutes_benchmark_makes_every_format_of_a_tiny_workshop():
    result = run_bench(
        *("minutes", "--participants", "12", "--groups", "2", "--postits", "30"),
        *("--repeat", "1", "--database-url", DATABASE),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (line,) = json_lines(result)
    assert set(line["timings"]) == {
        "gather",
        "document",
        "markdown",
        "html",
        "pdf",
        "docx",
        "open_data",
        "json",
        "csv",
    }
    assert line["pdf_pages"] >= 1
    assert all(size > 0 for size in line["sizes_bytes"].values())
    assert line["postits"] == 30 and line["participants"] == 12

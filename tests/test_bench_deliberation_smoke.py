"""The deliberation benchmark cannot rot: a tiny run, checked for its rows only.

It seeds its own database (not the tests'), so it runs in a subprocess. Timings are never
asserted here; docs/performance.md reports them.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.postgres


def test_the_deliberation_benchmark_renders_every_page_it_reports():
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/atelier_bench_delib_smoke"
    )
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.deliberation", "--proposals", "15", "--comments", "30",
         "--repeat", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 5 + 2, result.stdout  # header, the list's five, the thread's two

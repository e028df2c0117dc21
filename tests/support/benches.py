"""Smoke runs of the benchmarks: each runs in a subprocess (it starts its own servers and
seeds its own database) and prints JSON lines; the smoke tests check those for correctness,
never for timings."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def bench_database_url() -> str:
    """A benchmark database of this test run's own (next to its test database): other work
    trees on the machine migrate the default one to their own models."""
    database = settings.DATABASES["default"]
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    name = database["NAME"].removeprefix("test_")
    return f"postgres://{database['USER']}@{host}:{port}/test_{name}_bench"


def run_bench(
    module: str, *arguments: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """`python -m bench.<module> ARGUMENTS`, with the run's own benchmark database."""
    return subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *arguments],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": bench_database_url(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def json_lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]

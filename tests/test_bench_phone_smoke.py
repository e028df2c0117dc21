"""The phone benchmark cannot rot: a participant page over emulated Slow 4G, cold then warm,
with sane figures printed. Timings are never asserted here (docs/performance.md reports
them); what the page downloads is: compressed, cached the second time, no editor bundle
in the plenary."""

import os
import shutil

import pytest

from tests.support.benches import ROOT, json_lines, run_bench

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_phone_smoke"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.browser]


def test_the_phone_benchmark_loads_the_participant_page_cold_then_warm():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (`make test` installs it)")
    result = run_bench(
        *("phone_load", "--postits", "3", "--runs", "1", "--requests", "--database-url", DATABASE)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = json_lines(result)
    cold, warm = (line for line in lines if "cache" in line)
    summary = lines[-1]
    assert summary["benchmark"] == "phone_load"
    for load in (cold, warm):
        assert 0 < load["dom_content_loaded_ms"] <= load["load_ms"]
        assert load["usable_ms"] > 0
    urls = [request["url"] for request in cold["requests_detail"]]
    assert any(url.startswith("static/css/atelier.") for url in urls)
    assert not any("conclusion" in url for url in urls)  # the editor waits for breakouts
    # Compressed: the stylesheet travels in far fewer bytes than its 35 KB source.
    stylesheet = next(r for r in cold["requests_detail"] if r["url"].startswith("static/css/"))
    assert stylesheet["bytes"] < (ROOT / "static/css/atelier.css").stat().st_size / 2
    # The phone coming back downloads the page again, never the static files.
    assert warm["bytes"] < cold["bytes"] / 2
    assert all(r["bytes"] == 0 for r in warm["requests_detail"] if r["url"].startswith("static/"))
    assert summary["cold"]["bytes"] == cold["bytes"] and summary["targets"]["bytes"] == 102400

"""The participant page on a phone over a slow mobile network: bytes and time to usable.

Starts a production-like server (collected static files: hashed names, precompressed,
cached for a year) on the benchmark's own PostgreSQL database, with a workshop whose wall
already holds some post-its, and opens its participant page in Debian's Chromium at
360 × 640 through Chrome DevTools' "Slow 4G" profile (150 ms round trip, 1.6 Mbit/s down,
750 kbit/s up). First cold (empty cache), then warm (the same phone coming back). Prints
one JSON line per load and a summary:

- bytes: what went over the network, compressed (Network.loadingFinished's
  encodedDataLength, headers included), the live socket's frames excepted;
- dom_content_loaded_ms, load_ms: from the navigation's start;
- usable_ms: until the post-it form works, its scripts run and the live socket is up
  (the page says "Live").

    .venv/bin/python -m bench.phone_load --postits 40 --runs 5
    .venv/bin/python -m bench.phone_load --source 6090ca0   # an older commit, to compare
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.harness import (
    REPO,
    RESULTS_DIR,
    VENV_BIN,
    ServerProcess,
    StackConfig,
    create_workshop,
    ensure_database,
    export_source,
    free_port,
    setup_django,
)

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_phone"
CHROMIUM = "/usr/bin/chromium"
SLOW_4G = {  # Chrome DevTools' preset "Slow 4G"
    "offline": False,
    "latency": 150,  # ms
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,  # bytes per second
    "uploadThroughput": 750 * 1024 / 8,
}
PHONE = {"width": 360, "height": 640}
TARGETS = {"usable_ms": 1500, "bytes": 100 * 1024}
USABLE = """() => {
  const status = document.querySelector("[data-live-status]");
  const form = document.querySelector("form[data-command='postit.create'] textarea");
  return Boolean(form && status && status.dataset.state === "online") && performance.now();
}"""
TIMINGS = """() => {
  const [navigation] = performance.getEntriesByType("navigation");
  return {dom_content_loaded_ms: navigation.domContentLoadedEventEnd,
          load_ms: navigation.loadEventEnd};
}"""


def prepare(config: StackConfig, postits: int) -> tuple[str, str]:
    """A workshop in its plenary brainstorm with `postits` post-its on the wall; returns
    (join code, a participant's session key)."""
    from workshops import services
    from workshops.actors import Actor, Role
    from workshops.models import Workshop

    fixture = create_workshop(1, "Réaménager le parc Jean-Moulin (téléphone)")
    workshop = Workshop.objects.get(pk=fixture.workshop_id)
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    phase = services.phase_add(
        actor=lead, title="Idées", minutes=15, scope="plenary", activity="brainstorm"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    writer = Actor(workshop.pk, Role.PARTICIPANT, participant_id=fixture.participant_ids[0])
    for index in range(postits):
        services.postit_create(
            actor=writer, text=f"Idée n° {index + 1} : des bancs à l'ombre près des jeux"
        )
    return workshop.join_code, fixture.session_keys[0]


def collect_static(config: StackConfig, target: Path) -> None:
    """What a production image does (config/Dockerfile): hashed, compressed files."""
    env = config.setup_env()
    env.update(STATIC_ROOT=str(target), DEBUG="true")
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=config.app_dir,
        env=env,
        check=True,
        timeout=300,
    )


def load(context, url: str) -> dict:
    """Open `url` in a new tab of `context` over Slow 4G; what it cost."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    transferred = {"bytes": 0, "requests": 0}
    started: dict[str, tuple[str, float]] = {}
    waterfall = []

    def sent(event: dict) -> None:
        started[event["requestId"]] = (event["request"]["url"], event["timestamp"])

    def finished(event: dict) -> None:
        transferred["bytes"] += int(event["encodedDataLength"])
        transferred["requests"] += 1
        url, start = started.get(event["requestId"], ("?", event["timestamp"]))
        waterfall.append(
            {
                "url": url.split("/", 3)[-1],
                "bytes": int(event["encodedDataLength"]),
                "ms": round((event["timestamp"] - start) * 1000),
            }
        )

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    usable = page.wait_for_function(USABLE, timeout=60_000).json_value()
    figures = {**page.evaluate(TIMINGS), "usable_ms": usable}
    page.wait_for_timeout(500)  # the last loadingFinished events
    page.close()
    figures = {name: round(value) for name, value in figures.items()}
    return {**figures, **transferred, "waterfall": waterfall}


def warm_up_server(url: str, session_key: str) -> int:
    """A server in use has its templates compiled and its connections open: the phone is
    cold, not the server (its very first request costs a second more). Returns how long
    the server took to send the page afterwards, without the emulated network (ms)."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session_key}"})  # noqa: S310
    durations = []
    for _ in range(5):
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (ours)
            response.read()
        durations.append(time.perf_counter() - start)
    return round(statistics.median(durations[2:]) * 1000)


def measure(
    base_url: str, session_key: str, code: str, runs: int, show_requests: bool
) -> list[dict]:
    from playwright.sync_api import sync_playwright

    server_ms = warm_up_server(f"{base_url}/w/{code}/", session_key)
    print(json.dumps({"server_ms": server_ms}), flush=True)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        try:
            for run in range(runs):
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
                context.add_cookies([{"name": "sessionid", "value": session_key, "url": base_url}])
                for cache in ("cold", "warm"):
                    result = {
                        "run": run + 1,
                        "cache": cache,
                        **load(context, f"{base_url}/w/{code}/"),
                    }
                    waterfall = result.pop("waterfall")
                    if show_requests:
                        result["requests_detail"] = waterfall
                    print(json.dumps(result), flush=True)
                    results.append(result)
                context.close()
        finally:
            browser.close()
    return results


def summarize(results: list[dict]) -> dict:
    summary = {}
    for cache in ("cold", "warm"):
        loads = [result for result in results if result["cache"] == cache]
        summary[cache] = {
            name: round(statistics.median(result[name] for result in loads))
            for name in ("bytes", "requests", "dom_content_loaded_ms", "load_ms", "usable_ms")
        }
    cold = summary["cold"]
    summary["targets"] = {
        "usable_ms": TARGETS["usable_ms"],
        "bytes": TARGETS["bytes"],
        "met": cold["usable_ms"] <= TARGETS["usable_ms"] and cold["bytes"] <= TARGETS["bytes"],
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postits", type=int, default=40, help="post-its on the wall")
    parser.add_argument("--runs", type=int, default=5, help="cold and warm loads, each")
    parser.add_argument("--requests", action="store_true", help="print every request too")
    parser.add_argument("--source", metavar="REVISION", help="measure this commit instead")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DATABASE))
    args = parser.parse_args()

    app_dir = REPO
    if args.source:
        app_dir, _sha = export_source(args.source)
        # Bundles are built, not committed: the working tree's editor bundle goes along.
        if not (app_dir / "static" / "build").exists():
            shutil.copytree(REPO / "static" / "build", app_dir / "static" / "build")
    config = StackConfig(
        database_url=args.database_url, layer_prefix="atelier-bench-phone", app_dir=app_dir
    )
    ensure_database(config)
    setup_django(config)
    code, session_key = prepare(config, args.postits)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="atelier-static-") as static_root:
        collect_static(config, Path(static_root))
        env = config.server_env("pubsub")
        env.update(STATIC_ROOT=static_root)
        log = RESULTS_DIR / "phone_load-server.log"
        every_core = f"0-{(os.cpu_count() or 1) - 1}"  # one page, one phone: no pinning
        with ServerProcess(env=env, port=port, cpu=every_core, log_path=log, cwd=app_dir):
            results = measure(
                f"http://127.0.0.1:{port}", session_key, code, args.runs, args.requests
            )
    summary = {
        "benchmark": "phone_load",
        "network": "Slow 4G (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up)",
        "postits": args.postits,
        "runs": args.runs,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        **summarize(results),
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()

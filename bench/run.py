"""The load tool: the real stack under N participants, scenario by scenario, one JSON line each.

For each number of participants N and each scenario, on a fresh server (uvicorn, its own
Redis, the machine's PostgreSQL) pinned to the server's core while this generator runs on
the other one: a fresh workshop, N lean sockets (bench/clients.py) connected and welcomed,
then the scenario (bench/scenarios.py, bench/storm.py). `baseline` runs the same fanout
against the bare relay (bench/relay.py) in the same invocation, and every figure of the
other scenarios is also given as a ratio to it.

    .venv/bin/python -m bench.run                                  # make bench
    .venv/bin/python -m bench.run --sizes 1000 --scenarios fanout,baseline --repeat 2
    .venv/bin/python -m bench.run --sizes 1000 --scenarios fanout --processes 2
    .venv/bin/python -m bench.run --table bench/results/run-<stamp>.jsonl
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import shlex
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench import scenarios, storm
from bench.clients import Client, Tally, Target, close_all, connect_all
from bench.harness import (
    HOST,
    RESULTS_DIR,
    CpuSnapshot,
    CpuUse,
    RedisServer,
    ServerProcess,
    StackConfig,
    WorkshopFixture,
    create_workshop,
    describe_code,
    ensure_database,
    export_source,
    flush_redis_database,
    free_port,
    load_average,
    pin_this_process,
    raise_open_files_limit,
    rss_bytes,
    setup_django,
)

SCENARIOS = ("fanout", "baseline", "knee", "breakouts", "reconnect", "storm")
SERVER_CPUS = "0"
LOADGEN_CPU = 1
DOCS_BEGIN = "<!-- bench:begin (written by `make bench`; edit outside these marks) -->"
DOCS_END = "<!-- bench:end -->"


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...] = (100, 500, 1000)
    scenarios: tuple[str, ...] = SCENARIOS
    repeat: int = 1
    rate: float = 10.0
    duration: float = 30.0
    knee_rates: tuple[float, ...] = (2, 5, 10, 20, 50)
    knee_duration: float = 10.0
    reconnect_writing: float = 3.0
    drain: float = 20.0
    idle: float = 2.0
    processes: int = 1
    server: str = "uvicorn"
    layer: str = "pubsub"
    server_cpus: str = SERVER_CPUS
    connect_concurrency: int = 50
    connect_timeout: float = 60.0
    server_env: tuple[tuple[str, str], ...] = ()
    # storm
    window: float = 2.0
    retries: float = 0.1
    changes: float = 0.1
    seed: int = 1


@dataclass
class Run:
    """One scenario at one size: the processes under test and what the clients share."""

    options: Options
    config: StackConfig
    redis: RedisServer
    name: str
    size: int
    fixture: WorkshopFixture | None = None
    servers: list[ServerProcess] = field(default_factory=list)

    def server_pids(self) -> list[int]:
        return [server.pid for server in self.servers]

    def own_pids(self) -> set[int]:
        return {*self.server_pids(), os.getpid(), self.redis.process.pid}

    def snapshot(self) -> CpuSnapshot:
        return CpuSnapshot.take(self.server_pids(), self.redis.process.pid)

    # --- servers -----------------------------------------------------------------------

    def start_servers(self) -> None:
        kind = "relay" if self.name == "baseline" else self.options.server
        count = 1 if kind == "relay" else self.options.processes
        env = self.config.server_env(self.options.layer) | dict(self.options.server_env)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for index in range(count):
            log = RESULTS_DIR / f"{kind}-{stamp}-{self.name}-{self.size}-{index}.log"
            server = ServerProcess(
                env, free_port(), self.options.server_cpus, log, cwd=self.config.app_dir, kind=kind
            )
            if kind == "relay":
                server.extra_args = ("--html-bytes", str(self.relay_html_bytes()))
            self.servers.append(server)
            server.start()

    def relay_html_bytes(self) -> int:
        """Pad the relay's frames to the size of the real post-it frames (measured by the
        fanout of this run, else a typical one)."""
        return max(0, getattr(self, "event_bytes", 900) - 230)

    def stop_servers(self) -> None:
        for server in self.servers:
            server.stop()

    def restart_servers(self) -> None:
        """Stop every server process and start it again on the same port."""
        for server in self.servers:
            server.stop()
        for server in self.servers:
            server.start()

    def targets(self) -> list[Target]:
        if self.name == "baseline":
            return [Target(HOST, server.port, "/") for server in self.servers]
        path = f"/ws/workshops/{self.fixture.workshop_id}/?view=participant"
        return [
            Target(HOST, server.port, path, {"Origin": f"http://{HOST}:{server.port}"})
            for server in self.servers
        ]

    def log_problems(self) -> int:
        return sum(server.log_problems() for server in self.servers)


# --- one scenario ----------------------------------------------------------------------


async def connect_participants(run: Run, keys: list[str], tally: Tally) -> tuple[list, dict]:
    """A throwaway client first (lazy imports do not count per client), then N clients
    spread over the server processes; memory before and after."""
    targets = run.targets()
    warm = Client(-1, keys[-1], targets[0], Tally())
    await warm.connect(run.options.connect_timeout)
    await warm.close()
    await asyncio.sleep(1)
    rss_idle = sum(rss_bytes(pid) for pid in run.server_pids())
    clients = [
        Client(index, key, targets[index % len(targets)], tally)
        for index, key in enumerate(keys[:-1])
    ]
    started = time.monotonic()
    failures = await connect_all(
        clients,
        concurrency=run.options.connect_concurrency,
        handshake_s=run.options.connect_timeout,
    )
    connect_s = time.monotonic() - started
    connected = [client for client in clients if client.welcomed.is_set()]
    await asyncio.sleep(1)  # the last welcomes' work settles before memory is read
    rss_connected = sum(rss_bytes(pid) for pid in run.server_pids())
    idle_start = run.snapshot()
    await asyncio.sleep(run.options.idle)
    idle = CpuUse.between(idle_start, run.snapshot())
    return connected, {
        "connected": len(connected),
        "connect_failures": len(failures),
        "connect_failure_sample": failures[:3],
        "connect_s": round(connect_s, 1),
        "rss_idle_mb": round(rss_idle / 2**20, 1),
        "rss_connected_mb": round(rss_connected / 2**20, 1),
        "rss_per_client_kb": round((rss_connected - rss_idle) / max(1, len(connected)) / 1024, 1),
        "server_core_share_idle": round(idle.share(idle.server), 3),
    }


async def drive(run: Run) -> dict:
    if run.name == "storm":
        return await storm.scenario(run, connect_participants)
    tally = Tally()
    if run.name == "baseline":
        keys = [f"relay-{index}" for index in range(run.size + 1)]
    else:
        keys = run.fixture.session_keys
    clients, connecting = await connect_participants(run, keys, tally)
    if not clients:
        return {**connecting, "error": "no client connected"}
    try:
        figures = await getattr(scenarios, run.name)(run, clients)
    finally:
        await close_all(clients)
    if tally.event_frames:
        figures["event_frame_bytes"] = round(tally.event_bytes / tally.event_frames)
    figures["valid"] = figures.get("valid", True) and connecting["connect_failures"] == 0
    return {**connecting, **figures}


def prepare_fixture(run: Run) -> None:
    if run.name in ("baseline", "storm"):
        return
    groups = min(50, max(1, run.size // 10)) if run.name == "breakouts" else 0
    run.fixture = create_workshop(run.size + 1, f"bench {run.name} {run.size}", groups=groups)


def run_scenario(run: Run, event_bytes: int | None) -> dict:
    flush_redis_database(run.redis.url)
    report = {
        "scenario": run.name,
        "clients": run.size,
        "server": "relay" if run.name == "baseline" else run.options.server,
        "processes": 1 if run.name == "baseline" else run.options.processes,
        "layer": run.options.layer,
        "code": describe_code(run.config),
        "load_average_before": round(load_average(), 2),
    }
    if event_bytes:
        run.event_bytes = event_bytes
    try:
        prepare_fixture(run)
        run.start_servers()
        report |= asyncio.run(drive(run))
    except Exception as error:  # one broken scenario must not hide the others' figures
        report["error"] = repr(error)
        report["valid"] = False
    finally:
        run.stop_servers()
    report["load_average_after"] = round(load_average(), 2)
    report["server_log_problems"] = run.log_problems()
    return report


# --- ratios to the bare relay ------------------------------------------------------------


def with_ratios(report: dict, baseline: dict | None) -> dict:
    """Latency and CPU per delivered post-it as multiples of the relay's, same N."""
    if not baseline or "error" in baseline or "error" in report:
        return report
    base_cpu = baseline["server_cpu_us_per_delivered"]
    base_p99 = baseline["last_receiver_ms"]["p99"]
    base_p50 = baseline["last_receiver_ms"]["p50"]

    def ratio(value: float | None, base: float | None) -> float | None:
        if value is None or not base or math.isnan(value) or math.isnan(base):
            return None
        return round(value / base, 2)

    if "server_cpu_us_per_delivered" in report:
        report["vs_baseline"] = {
            "cpu_per_delivered": ratio(report["server_cpu_us_per_delivered"], base_cpu),
            "p50": ratio(report["last_receiver_ms"]["p50"], base_p50),
            "p99": ratio(report["last_receiver_ms"]["p99"], base_p99),
        }
    for step in report.get("rates", []):
        step["cpu_vs_baseline"] = ratio(step["server_cpu_us_per_delivered"], base_cpu)
    return report


# --- the table -------------------------------------------------------------------------


def ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def x(value) -> str:
    return "—" if value is None else f"{value:.2f}×"


def row(report: dict) -> list[str]:
    """The cells of one scenario: what it is judged on, then cost and noise."""
    name, failed = report["scenario"], "error" in report
    if failed:
        return [name, str(report["clients"]), f"error: {report['error'][:80]}"] + [""] * 6
    ratios = report.get("vs_baseline", {})
    lat = report.get("last_receiver_ms", {})
    noise = f"{report.get('others_core_share', 0):.0%}"
    valid = "yes" if report.get("valid") else "**no**"
    rss = report.get("rss_per_client_kb")
    if name in ("fanout", "baseline", "breakouts"):
        outcome = f"lost {report['lost']}, dup {report['duplicates']}"
        if name == "breakouts":
            outcome += f", leaks {report['leaks']} ({report['groups']} groups)"
        latency = f"{ms(lat['p50'])} / {ms(lat['p99'])} / {ms(lat['max'])}"
        cpu = f"{report['server_cpu_us_per_delivered']} µs ({x(ratios.get('cpu_per_delivered'))})"
        ratio = f"p99 {x(ratios.get('p99'))}"
    elif name == "knee":
        outcome = f"knee {report['knee_rate']}/s"
        latency = ", ".join(
            f"{step['rate']:g}/s: {ms(step['last_receiver_ms']['p99'])}" for step in report["rates"]
        )
        cpu = ", ".join(
            f"{step['rate']:g}/s: {step['server_cpu_us_per_delivered']} µs"
            for step in report["rates"]
        )
        ratio = ", ".join(f"{x(step.get('cpu_vs_baseline'))}" for step in report["rates"])
    elif name == "reconnect":
        outcome = f"{report['clients_back']}/{report['clients']} back, lost {report['lost']}"
        latency = f"restart {report['restart_s']} s, all resynced {report['resync_all_s']} s after"
        cpu = f"{report['server_cpu_ms_per_resync']} ms per resync"
        ratio = "—"
    else:  # storm
        outcome = (
            f"counted {report.get('counted')}/{report.get('counted_expected')}, "
            f"exact {'yes' if report.get('exact') else '**no**'}"
        )
        tally_ms = report.get("final_tally_after_last_answer_ms", {})
        latency = f"final tally {ms(tally_ms.get('max'))} after the last answer"
        cpu = f"{report.get('server_cpu_s')} s; {report.get('tally_frames_received', 0):,} frames"
        ratio = "—"
    return [
        name,
        f"{report['clients']:,}",
        outcome,
        latency,
        cpu,
        ratio,
        "—" if rss is None else f"{rss}",
        noise,
        valid,
    ]


HEADER = (
    "scenario",
    "N",
    "outcome",
    "latency to the last client p50 / p99 / max (ms)",
    "server CPU per delivered post-it (× relay)",
    "latency × relay",
    "RSS KiB per client",
    "others' CPU",
    "valid",
)


def markdown_table(reports: list[dict]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row(report)) + " |" for report in reports]
    return "\n".join(lines)


def machine_description() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 2**20:.1f} GiB of memory, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def write_docs(path: Path, reports: list[dict], command: str, started: str) -> None:
    """Replace the section between DOCS_BEGIN and DOCS_END with this run's figures."""
    section = "\n".join(
        [
            DOCS_BEGIN,
            "",
            f"Run of {started}: `{command}`",
            "",
            f"Machine: {machine_description()}. Server, its Redis (own instance) on core "
            f"{SERVER_CPUS}; load generator on core {LOADGEN_CPU}; PostgreSQL is the "
            "machine's, on either core. `others' CPU`: every other process during the "
            "measurement, as a share of one core (PostgreSQL included).",
            "",
            markdown_table(reports),
            "",
            DOCS_END,
        ]
    )
    text = path.read_text() if path.exists() else ""
    if DOCS_BEGIN in text and DOCS_END in text:
        before = text[: text.index(DOCS_BEGIN)]
        after = text[text.index(DOCS_END) + len(DOCS_END) :]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n## Latest `make bench`\n\n" + section + "\n"
    path.write_text(text)


# --- command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Options()

    def floats(text: str) -> tuple[float, ...]:
        return tuple(float(item) for item in text.split(","))

    parser.add_argument("--sizes", default="100,500,1000", help="numbers of participants")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=1, help="rounds over everything")
    parser.add_argument("--rate", type=float, default=defaults.rate, help="post-its per second")
    parser.add_argument("--duration", type=float, default=defaults.duration, help="seconds")
    parser.add_argument("--knee-rates", default="2,5,10,20,50")
    parser.add_argument("--knee-duration", type=float, default=defaults.knee_duration)
    parser.add_argument("--reconnect-writing", type=float, default=defaults.reconnect_writing)
    parser.add_argument("--drain", type=float, default=defaults.drain)
    parser.add_argument("--idle", type=float, default=defaults.idle)
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--server", choices=("uvicorn", "daphne"), default="uvicorn")
    parser.add_argument("--layer", choices=("pubsub", "core"), default="pubsub")
    parser.add_argument("--server-cpus", default=SERVER_CPUS, help="taskset list for servers")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--window", type=float, default=defaults.window, help="storm: seconds")
    parser.add_argument("--retries", type=float, default=defaults.retries)
    parser.add_argument("--changes", type=float, default=defaults.changes)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--source", metavar="REVISION", help="measure this commit instead")
    parser.add_argument("--write-docs", type=Path, help="put the table into this Markdown file")
    parser.add_argument("--table", type=Path, help="print the table of a results file")
    args = parser.parse_args(argv)
    chosen = tuple(args.scenarios.split(","))
    if not set(chosen) <= set(SCENARIOS):
        parser.error(f"--scenarios: choose among {', '.join(SCENARIOS)}")
    options = Options(
        sizes=tuple(int(size) for size in args.sizes.split(",")),
        scenarios=tuple(name for name in SCENARIOS if name in chosen),  # baseline after fanout
        repeat=args.repeat,
        rate=args.rate,
        duration=args.duration,
        knee_rates=floats(args.knee_rates),
        knee_duration=args.knee_duration,
        reconnect_writing=args.reconnect_writing,
        drain=args.drain,
        idle=args.idle,
        processes=args.processes,
        server=args.server,
        layer=args.layer,
        server_cpus=args.server_cpus,
        connect_concurrency=args.connect_concurrency,
        server_env=tuple(tuple(item.split("=", 1)) for item in args.server_env),
        window=args.window,
        retries=args.retries,
        changes=args.changes,
        seed=args.seed,
    )
    return options, args


def json_safe(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def stop_on_sigterm() -> None:
    """SIGTERM/SIGHUP become an exception, so every started process is stopped."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def main(argv: list[str] | None = None) -> int:
    options, args = parse_args(argv)
    if args.table is not None:
        lines = args.table.read_text().splitlines()
        print(markdown_table([json.loads(line) for line in lines if line.strip()]))
        return 0
    command = "python -m bench.run " + shlex.join(sys.argv[1:] if argv is None else argv)
    started = time.strftime("%Y-%m-%d %H:%M")
    stop_on_sigterm()
    pin_this_process(LOADGEN_CPU)
    raise_open_files_limit()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    redis = RedisServer(free_port(), options.server_cpus, RESULTS_DIR / "redis.log")
    config = StackConfig(redis_url=redis.url)
    if args.source:
        app_dir, sha = export_source(args.source)
        config = replace(config, app_dir=app_dir, database_url=f"{config.database_url}_{sha[:12]}")
    ensure_database(config)
    setup_django(config)
    results = RESULTS_DIR / f"run-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    print(f"# results also in {results}", file=sys.stderr)
    reports: list[dict] = []
    redis.start()
    try:
        for _round in range(options.repeat):
            for size in options.sizes:
                reports += run_size(size, options, config, redis, results)
    finally:
        redis.stop()
    if args.write_docs:
        write_docs(args.write_docs, reports, command, started)
    return 0


def run_size(
    size: int, options: Options, config: StackConfig, redis: RedisServer, results: Path
) -> list[dict]:
    reports, baseline, event_bytes = [], None, None
    for name in options.scenarios:
        run = Run(options, config, redis, name, size)
        report = json_safe(run_scenario(run, event_bytes))
        event_bytes = event_bytes or report.get("event_frame_bytes")
        if name == "baseline":
            baseline = report
            for earlier in reports:
                with_ratios(earlier, baseline)
        else:
            with_ratios(report, baseline)
        reports.append(report)
    for report in reports:  # printed once every ratio is known
        line = json.dumps(report, ensure_ascii=False)
        print(line, flush=True)
        with results.open("a") as output:
            output.write(line + "\n")
    return reports


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

"""Which channels-redis layer for the post-it fan-out: RedisChannelLayer or RedisPubSubChannelLayer.

For each layer and each number of clients N, on a fresh daphne pinned to one core: N
participant sockets follow one workshop, one of them writes post-its at a fixed rate, and
every socket must receive every post-it once. Prints one JSON line per scenario (also kept
in bench/results/). Layers alternate within the run so machine noise hits both.

    .venv/bin/python -m bench.layers --source HEAD --sizes 100,200,500,1000
    .venv/bin/python -m bench.layers --table bench/results/layers-<stamp>.jsonl
"""

import argparse
import asyncio
import json
import math
import os
import signal
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from websockets.asyncio.client import ClientConnection

from bench import fanout
from bench.harness import (
    HOST,
    RESULTS_DIR,
    CpuSnapshot,
    CpuUse,
    Daphne,
    StackConfig,
    WorkshopFixture,
    cpu_by_command,
    create_workshop,
    describe_code,
    ensure_database,
    export_source,
    flush_redis_database,
    free_port,
    load_average,
    pin_this_process,
    raise_open_files_limit,
    redis_server_pid,
    rss_bytes,
    setup_django,
    summarize_ms,
    top_other_commands,
)

LAYERS = ("core", "pubsub")
SERVER_CPU = 0
LOADGEN_CPU = 1
SATURATED = 0.9  # share of one core above which the load generator cannot be trusted
SERVER_BUSY = 0.85  # above this share of its core, the server builds a backlog


@dataclass(frozen=True)
class Options:
    layers: tuple[str, ...]
    sizes: tuple[int, ...]
    repeat: int
    rate: float
    duration: float
    drain: float
    idle: float
    connect_concurrency: int
    connect_timeout: float

    @property
    def postits(self) -> int:
        return max(1, round(self.rate * self.duration))


@dataclass(frozen=True)
class Scenario:
    layer: str
    clients: int
    round: int


def plan(options: Options) -> list[Scenario]:
    """core, pubsub, pubsub, core, core, pubsub…: each layer goes first half of the time."""
    scenarios = []
    for round_ in range(options.repeat):
        for index, clients in enumerate(options.sizes):
            flip = (round_ * len(options.sizes) + index) % 2 == 1
            order = tuple(reversed(options.layers)) if flip else options.layers
            scenarios += [Scenario(layer, clients, round_) for layer in order]
    return scenarios


# --- one scenario ------------------------------------------------------------------------


async def warm_up(url: str, origin: str, session_key: str, handshake_s: float) -> None:
    """One throwaway client first, so lazy imports don't count as per-client memory."""
    socket = await fanout.open_client(url, session_key, origin, handshake_s)
    await socket.close()


@dataclass(frozen=True)
class SteadyReadings:
    idle: CpuUse  # N sockets connected, nothing sent
    sending: CpuUse  # while the writer writes
    steady: CpuUse  # from the first send to the last delivery (or the deadline)
    others_top: dict[str, float]
    rss_connected: int
    rss_end: int
    complete: bool


async def measure(
    server: Daphne, fixture: WorkshopFixture, redis_pid: int | None, options: Options
) -> dict:
    url = f"ws://{HOST}:{server.port}/ws/workshops/{fixture.workshop_id}/?view=participant"
    origin = f"http://{HOST}:{server.port}"
    *participants, spare = fixture.session_keys
    await warm_up(url, origin, spare, options.connect_timeout)
    await asyncio.sleep(1)
    rss_idle = rss_bytes(server.pid)

    started = time.monotonic()
    sockets, failures = await fanout.connect_clients(
        url,
        origin,
        participants,
        concurrency=options.connect_concurrency,
        handshake_s=options.connect_timeout,
    )
    connect_s = time.monotonic() - started
    if not sockets:
        return {"error": "no client connected", "connect_failures": failures[:5]}
    deliveries, send_log = fanout.Deliveries(), fanout.SendLog()
    clients = fanout.start_receivers(sockets, deliveries, send_log)
    try:
        readings = await steady_phase(server, redis_pid, sockets, deliveries, send_log, options)
    finally:
        await fanout.close_clients(clients)
    return {
        "connected": len(sockets),
        "connect_failures": len(failures),
        "connect_failure_sample": failures[:3],
        "connect_s": round(connect_s, 1),
        **delivery_figures(deliveries, send_log, len(sockets), readings.complete),
        **cpu_figures(readings, delivered=deliveries.total),
        "rss_idle_mb": round(rss_idle / 2**20, 1),
        "rss_connected_mb": round(readings.rss_connected / 2**20, 1),
        "rss_end_mb": round(readings.rss_end / 2**20, 1),
        "rss_per_client_kb": round((readings.rss_connected - rss_idle) / len(sockets) / 1024, 1),
    }


async def steady_phase(
    server: Daphne,
    redis_pid: int | None,
    sockets: list[ClientConnection],
    deliveries: fanout.Deliveries,
    send_log: fanout.SendLog,
    options: Options,
) -> SteadyReadings:
    """Idle window, then the writer at its rate, then the wait for the last deliveries."""
    await asyncio.sleep(1)  # let the last welcomes' work settle before reading memory
    rss_connected = rss_bytes(server.pid)
    idle_start = CpuSnapshot.take(server.pid, redis_pid)
    await asyncio.sleep(options.idle)
    processes_before = cpu_by_command()
    steady_start = CpuSnapshot.take(server.pid, redis_pid)
    await fanout.write_postits(sockets[0], send_log, rate=options.rate, count=options.postits)
    sending_done = CpuSnapshot.take(server.pid, redis_pid)
    complete = await fanout.wait_for_deliveries(
        deliveries, send_log, len(sockets), time.monotonic() + options.drain
    )
    steady_end = CpuSnapshot.take(server.pid, redis_pid)
    processes_after = cpu_by_command()
    return SteadyReadings(
        idle=CpuUse.between(idle_start, steady_start),
        sending=CpuUse.between(steady_start, sending_done),
        steady=CpuUse.between(steady_start, steady_end),
        others_top=top_other_commands(
            processes_before, processes_after, exclude={server.pid, os.getpid()}
        ),
        rss_connected=rss_connected,
        rss_end=rss_bytes(server.pid),
        complete=complete,
    )


def delivery_figures(
    deliveries: fanout.Deliveries, send_log: fanout.SendLog, receivers: int, complete: bool
) -> dict:
    """Loss, duplicates and last-receiver latency per post-it (from its send)."""
    postits = [
        (send_log.sent_ns[client_id], postit) for client_id, postit in send_log.postit_of.items()
    ]
    postits.sort()
    last_receiver = [
        deliveries.last_ns[postit] - sent
        for sent, postit in postits
        if deliveries.count.get(postit, 0) == receivers
    ]
    quarter = max(1, len(last_receiver) // 4)
    expected = receivers * len(postits)
    acked = [send_log.acked_ns[cid] - send_log.sent_ns[cid] for cid in send_log.acked_ns]
    known = {postit for _sent, postit in postits}
    return {
        "sent": len(send_log.sent_ns),
        "acked": len(send_log.acked_ns),
        "refused": dict(sorted(send_log.refused.items())[:5]),
        "writer_max_lag_ms": round(send_log.max_lag_ms, 1),
        "writer_closed_by_server": send_log.writer_closed,
        "expected": expected,
        "received": deliveries.total,
        "lost": expected - sum(deliveries.count.get(postit, 0) for postit in known),
        "duplicates": deliveries.duplicates,
        "unexpected_postits": len(set(deliveries.count) - known),
        "complete_postits": len(last_receiver),
        "all_delivered_before_drain_deadline": complete,
        "last_receiver_ms": summarize_ms(last_receiver),
        "last_receiver_p50_first_quarter_ms": summarize_ms(last_receiver[:quarter])["p50"],
        "last_receiver_p50_last_quarter_ms": summarize_ms(last_receiver[-quarter:])["p50"],
        "ack_ms": summarize_ms(acked),
        "other_frames": dict(deliveries.other_frames),
        "sockets_closed_by_server": deliveries.closed_early,
    }


def cpu_figures(readings: SteadyReadings, *, delivered: int) -> dict:
    """CPU per delivery over the steady phase (sending + drain); shares of a core while sending."""
    idle, sending, steady = readings.idle, readings.sending, readings.steady

    def per_delivery_us(seconds: float) -> float:
        return round(seconds / delivered * 1e6, 1) if delivered else math.nan

    return {
        "steady_s": round(steady.wall, 2),
        "server_cpu_s": round(steady.server, 2),
        "server_cpu_us_per_delivery": per_delivery_us(steady.server),
        "server_core_share_sending": round(sending.share(sending.server), 2),
        "server_core_share_idle": round(idle.share(idle.server), 3),
        "redis_cpu_us_per_delivery": per_delivery_us(steady.redis),
        "loadgen_core_share_sending": round(sending.share(sending.loadgen), 2),
        "loadgen_cpu_us_per_delivery": per_delivery_us(steady.loadgen),
        "redis_cpu_s": round(steady.redis, 2),
        "others_cpu_s": round(steady.other_processes, 2),
        "others_core_share": round(steady.share(steady.other_processes), 2),
        "others_top_cpu_s": readings.others_top,
        "interrupts_cpu_s": round(steady.interrupts, 2),
        "steal_cpu_s": round(steady.steal, 2),
    }


def run_scenario(
    scenario: Scenario, config: StackConfig, redis_pid: int | None, options: Options
) -> dict:
    flush_redis_database(config.redis_url)
    fixture = create_workshop(scenario.clients + 1, f"bench {scenario.layer} {scenario.clients}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log_path = RESULTS_DIR / f"daphne-{stamp}-{scenario.layer}-{scenario.clients}.log"
    report = {
        "scenario": "postit-fanout",
        "layer": scenario.layer,
        "clients": scenario.clients,
        "round": scenario.round,
        "rate": options.rate,
        "duration_s": options.duration,
        "code": describe_code(config),
        "settings": config.settings_module,
        "load_average_before": round(load_average(), 2),
    }
    env = config.server_env(scenario.layer)
    server = Daphne(env, free_port(), SERVER_CPU, log_path, cwd=config.app_dir)
    try:
        with server:
            report |= asyncio.run(measure(server, fixture, redis_pid, options))
    except Exception as error:  # one broken scenario must not hide the others' figures
        report["error"] = repr(error)
    report["server_log_problems"] = server.log_problems()
    report["server_log"] = str(log_path.relative_to(RESULTS_DIR.parent.parent))
    report["valid"] = "error" not in report and judge_validity(report)
    report["server_kept_up"] = report["valid"] and server_kept_up(report)
    return report


def server_kept_up(report: dict) -> bool:
    """The server delivered as fast as the writer wrote: some headroom left on its core,
    everything delivered, and no post-it waiting a second or more (no growing backlog)."""
    return (
        report["server_core_share_sending"] < SERVER_BUSY
        and report["lost"] == 0
        and report["all_delivered_before_drain_deadline"]
        and report["last_receiver_ms"]["p99"] is not None
        and report["last_receiver_ms"]["p99"] < 1000
    )


def judge_validity(report: dict) -> bool:
    """A run counts only if the generator kept up and every client was connected."""
    return (
        report["connect_failures"] == 0
        and report["loadgen_core_share_sending"] < SATURATED
        and report["writer_max_lag_ms"] < 100
    )


# --- output ------------------------------------------------------------------------------


def json_safe(value: object) -> object:
    """NaN is not JSON: write null instead."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


TABLE_COLUMNS = (
    ("layer", lambda r: r["layer"]),
    ("N", lambda r: r["clients"]),
    ("p50 ms", lambda r: r["last_receiver_ms"]["p50"]),
    ("p95 ms", lambda r: r["last_receiver_ms"]["p95"]),
    ("p99 ms", lambda r: r["last_receiver_ms"]["p99"]),
    ("max ms", lambda r: r["last_receiver_ms"]["max"]),
    ("lost / dup", lambda r: f"{r['lost']} / {r['duplicates']}"),
    ("closed by server", lambda r: r["sockets_closed_by_server"]),
    ("server µs/delivery", lambda r: r["server_cpu_us_per_delivery"]),
    ("server core (sending)", lambda r: f"{r['server_core_share_sending']:.0%}"),
    ("kept up", lambda r: "yes" if server_kept_up(r) else "**no**"),
    ("Redis µs/delivery", lambda r: r["redis_cpu_us_per_delivery"]),
    ("RSS/client KiB", lambda r: r["rss_per_client_kb"]),
    ("loadgen core", lambda r: f"{r['loadgen_core_share_sending']:.0%}"),
    ("others core", lambda r: f"{r['others_core_share']:.0%}"),
    ("irq / steal s", lambda r: f"{r['interrupts_cpu_s']} / {r['steal_cpu_s']}"),
    ("valid", lambda r: "yes" if r["valid"] else "**no**"),
)


def markdown_table(reports: list[dict]) -> str:
    rows = sorted(
        (r for r in reports if "error" not in r), key=lambda r: (r["clients"], r["layer"])
    )
    lines = ["| " + " | ".join(name for name, _cell in TABLE_COLUMNS) + " |"]
    lines.append("|" + "---|" * len(TABLE_COLUMNS))
    lines += ["| " + " | ".join(str(cell(r)) for _name, cell in TABLE_COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def cost_split(reports: list[dict]) -> str:
    """Server CPU per post-it = fixed + N × marginal, fitted by least squares per layer.

    The fixed part (command, database, rendering, one group_send) does not grow with the
    audience; the marginal part is what each extra client costs, the figure that decides
    how many clients a core can serve. Only runs where the server kept up are fitted: a
    saturated server spends its time differently (queues, batching).
    """
    lines = []
    for layer in sorted({r["layer"] for r in reports if "error" not in r}):
        points = [
            (r["clients"], r["server_cpu_s"] / r["sent"])
            for r in reports
            if r.get("layer") == layer and r.get("valid") and r.get("sent") and server_kept_up(r)
        ]
        if len({n for n, _y in points}) < 2:
            continue
        mean_n = sum(n for n, _y in points) / len(points)
        mean_y = sum(y for _n, y in points) / len(points)
        slope = sum((n - mean_n) * (y - mean_y) for n, y in points) / sum(
            (n - mean_n) ** 2 for n, _y in points
        )
        fixed = mean_y - slope * mean_n
        lines.append(
            f"- {layer}: {fixed * 1e3:.1f} ms per post-it + {slope * 1e6:.1f} µs per client "
            f"({len(points)} runs where the server kept up, N = "
            f"{', '.join(str(n) for n in sorted({n for n, _y in points}))})"
        )
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> tuple[Options, argparse.Namespace, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", default=",".join(LAYERS), help="comma-separated, in order")
    parser.add_argument("--sizes", default="100,200,500", help="numbers of clients")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over all scenarios")
    parser.add_argument("--rate", type=float, default=10.0, help="post-its per second")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of writing")
    parser.add_argument("--drain", type=float, default=20.0, help="max wait after the writing")
    parser.add_argument("--idle", type=float, default=2.0, help="idle CPU window, seconds")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--connect-timeout", type=float, default=60.0)
    parser.add_argument(
        "--as-shipped",
        action="store_true",
        help="run config.settings unchanged (the core layer then crashes consumers, see README)",
    )
    parser.add_argument(
        "--source",
        metavar="REVISION",
        help="measure this commit (exported under bench/results/) instead of the working tree",
    )
    parser.add_argument("--table", type=Path, help="print a Markdown table of a results file")
    args = parser.parse_args(argv)
    layers = tuple(args.layers.split(","))
    if not set(layers) <= set(LAYERS):
        parser.error(f"--layers: choose among {LAYERS}")
    options = Options(
        layers=layers,
        sizes=tuple(int(size) for size in args.sizes.split(",")),
        repeat=args.repeat,
        rate=args.rate,
        duration=args.duration,
        drain=args.drain,
        idle=args.idle,
        connect_concurrency=args.connect_concurrency,
        connect_timeout=args.connect_timeout,
    )
    return options, args, args.table


def stack_config(args: argparse.Namespace) -> StackConfig:
    config = StackConfig()
    if args.as_shipped:
        config = replace(config, settings_module="config.settings")
    if args.source:
        app_dir, sha = export_source(args.source)
        # A database per commit: another commit's migrations may not fit its models.
        database_url = f"{config.database_url}_{sha[:12]}"
        config = replace(config, app_dir=app_dir, database_url=database_url)
    return config


def stop_on_sigterm() -> None:
    """Turn SIGTERM into an exception so the `with Daphne` blocks stop their servers."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def main(argv: list[str] | None = None) -> int:
    options, args, table = parse_args(argv)
    if table is not None:
        reports = [json.loads(line) for line in table.read_text().splitlines() if line.strip()]
        print(markdown_table(reports))
        print()
        print(cost_split(reports))
        return 0
    stop_on_sigterm()
    pin_this_process(LOADGEN_CPU)
    raise_open_files_limit()
    config = stack_config(args)
    ensure_database(config)
    setup_django(config)
    redis_pid = redis_server_pid(config.redis_url)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results = RESULTS_DIR / f"layers-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    print(f"# results also in {results}", file=sys.stderr)
    for scenario in plan(options):
        report = json_safe(run_scenario(scenario, config, redis_pid, options))
        line = json.dumps(report, ensure_ascii=False)
        print(line, flush=True)
        with results.open("a") as output:
            output.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The post-it scenarios: fanout, knee, breakouts, reconnect, and the bare relay's baseline.

Each is an `async def scenario(run, clients) -> dict` on a fresh server (or relay) that
`bench.run` started, with N participants connected; each returns the figures of one JSON
line. bench/README.md says what every figure means.
"""

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.clients import Client, Tally
from bench.harness import CpuUse, cpu_by_command, rss_bytes, top_other_commands

SATURATED = 0.9  # share of one core above which the load generator cannot be trusted
MAX_SEND_LAG_MS = 100  # a writer later than this did not produce the load it claims
LATENCY_TARGET_MS = 250  # the knee: the highest rate whose p99 stays under this


@dataclass
class Phase:
    """One writing phase: which commands belong to it and the CPU around it."""

    ids: list[str]
    expected_of: Callable[[str], int]  # client id -> how many clients should apply it
    max_lag_ms: float = 0.0
    sending: CpuUse | None = None
    steady: CpuUse | None = None
    others_top: dict | None = None
    complete: bool = False


async def write_postits(
    writer_of: Callable[[int], Client],
    *,
    rate: float,
    count: int,
    phase: Phase,
    on_sent: Callable[[int, str], None] | None = None,
) -> None:
    """Open loop: post-it i leaves at i / rate whatever the answers, from `writer_of(i)`
    (writers take turns, as a room does: no participant writes more than a few a minute)."""
    start = time.monotonic()
    for index in range(count):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        phase.max_lag_ms = max(phase.max_lag_ms, (time.monotonic() - due) * 1000)
        client_id = writer_of(index).command("postit.create", {"text": f"bench post-it {index}"})
        if client_id is not None:
            phase.ids.append(client_id)
            if on_sent is not None:
                on_sent(index, client_id)


async def wait_for_deliveries(tally: Tally, phase: Phase, deadline: float) -> bool:
    """Until every acknowledged post-it of the phase reached all its clients (or the
    deadline); True when complete."""

    def complete() -> bool:
        if any(cid not in tally.acked_ns and cid in tally.sent_ns for cid in phase.ids):
            return False
        return all(
            tally.delivered.get(tally.postit_of[cid], 0) >= phase.expected_of(cid)
            for cid in phase.ids
            if cid in tally.postit_of
        )

    while time.monotonic() < deadline:
        if complete():
            return True
        await asyncio.sleep(0.05)
    return complete()


async def measured_phase(run, tally: Tally, phase: Phase, write, drain_s: float) -> None:
    """Run `write()` and the wait for its deliveries, with CPU readings around them."""
    processes_before = cpu_by_command()
    start = run.snapshot()
    await write()
    sent = run.snapshot()
    phase.complete = await wait_for_deliveries(tally, phase, time.monotonic() + drain_s)
    end = run.snapshot()
    phase.sending, phase.steady = CpuUse.between(start, sent), CpuUse.between(start, end)
    phase.others_top = top_other_commands(processes_before, cpu_by_command(), run.own_pids())


# --- figures ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def latency_summary(values_ms: list[float]) -> dict:
    summary = {f"p{q}": percentile(values_ms, q) for q in (50, 95, 99)}
    summary["max"] = max(values_ms) if values_ms else math.nan
    return {key: round(value, 1) for key, value in summary.items()}


def delivery_figures(tally: Tally, phase: Phase) -> dict:
    """Loss, duplicates and last-receiver latency of the phase's post-its."""
    acked = [cid for cid in phase.ids if cid in tally.postit_of]
    latencies, lost, expected = [], 0, 0
    for cid in acked:
        postit, want = tally.postit_of[cid], phase.expected_of(cid)
        got = tally.delivered.get(postit, 0)
        expected += want
        lost += max(0, want - got)
        if got >= want:
            latencies.append((tally.last_ns[postit] - tally.sent_ns[cid]) / 1e6)
    delivered = expected - lost
    acks = [(tally.acked_ns[cid] - tally.sent_ns[cid]) / 1e6 for cid in acked]
    return {
        "sent": len(phase.ids),
        "acked": len(acked),
        "refused": dict(tally.refused),
        "writer_max_lag_ms": round(phase.max_lag_ms, 1),
        "expected_deliveries": expected,
        "delivered": delivered,
        "lost": lost,
        "duplicates": tally.duplicates,
        "leaks": tally.leaks,
        "gaps_resynced": tally.gaps,
        "resync_frames": tally.resync_frames,
        "all_delivered_before_deadline": phase.complete,
        "last_receiver_ms": latency_summary(latencies),
        "ack_ms": latency_summary(acks),
        "batched_events": tally.batched_events,
        "sockets_closed_by_server": tally.closed_by_server,
    }


def cpu_figures(phase: Phase, delivered: int) -> dict:
    """Server CPU per delivered post-it over sending + drain; shares of a core."""
    sending, steady = phase.sending, phase.steady

    def per_delivery_us(seconds: float) -> float:
        return round(seconds / delivered * 1e6, 1) if delivered else math.nan

    return {
        "steady_s": round(steady.wall, 2),
        "server_cpu_s": round(steady.server, 2),
        "server_cpu_us_per_delivered": per_delivery_us(steady.server),
        "redis_cpu_us_per_delivered": per_delivery_us(steady.redis),
        "server_core_share_sending": round(sending.share(sending.server), 2),
        "loadgen_core_share_sending": round(sending.share(sending.loadgen), 2),
        "loadgen_us_per_delivered": per_delivery_us(steady.loadgen),
        "others_cpu_s": round(steady.other_processes, 2),
        "others_core_share": round(steady.share(steady.other_processes), 2),
        "others_top_cpu_s": phase.others_top,
        "interrupts_cpu_s": round(steady.interrupts, 2),
        "steal_cpu_s": round(steady.steal, 2),
    }


def valid(figures: dict) -> bool:
    """A run counts only when the generator kept its schedule with CPU to spare."""
    return (
        figures.get("connect_failures", 0) == 0
        and figures["loadgen_core_share_sending"] < SATURATED
        and figures["writer_max_lag_ms"] < MAX_SEND_LAG_MS
    )


def phase_report(tally: Tally, phase: Phase) -> dict:
    figures = delivery_figures(tally, phase)
    figures |= cpu_figures(phase, figures["delivered"])
    figures["valid"] = valid(figures)
    return figures


def fresh_tally(tally: Tally) -> None:
    """Counters start again for the next phase (the parse cache and commands stay)."""
    for name in ("duplicates", "leaks", "gaps", "resync_frames", "batched_events"):
        setattr(tally, name, 0)
    tally.refused.clear()


# --- scenarios -------------------------------------------------------------------------


def everyone(clients: list[Client]) -> Callable[[str], int]:
    return lambda _client_id: len(clients)


async def fanout(run, clients: list[Client], rate: float | None = None) -> dict:
    """One writer role (taken in turns) at a steady rate; every client must apply each
    post-it once."""
    rate = rate or run.options.rate
    tally = clients[0].tally
    phase = Phase([], everyone(clients))
    count = max(1, round(rate * run.options.duration))

    async def write() -> None:
        await write_postits(
            lambda i: clients[i % len(clients)], rate=rate, count=count, phase=phase
        )

    await measured_phase(run, tally, phase, write, run.options.drain)
    return {"rate": rate, "duration_s": run.options.duration, **phase_report(tally, phase)}


async def knee(run, clients: list[Client]) -> dict:
    """The fanout at rising rates on the same sockets; the knee is the highest rate whose
    p99 stays within LATENCY_TARGET_MS with nothing lost (and a valid generator)."""
    tally = clients[0].tally
    steps = []
    for rate in run.options.knee_rates:
        fresh_tally(tally)
        phase = Phase([], everyone(clients))
        count = max(1, round(rate * run.options.knee_duration))

        async def write(rate=rate, count=count, phase=phase) -> None:
            await write_postits(
                lambda i: clients[i % len(clients)], rate=rate, count=count, phase=phase
            )

        await measured_phase(run, tally, phase, write, run.options.drain)
        step = {"rate": rate, **phase_report(tally, phase)}
        step["within_target"] = (
            step["valid"]
            and step["lost"] == 0
            and step["last_receiver_ms"]["p99"] <= LATENCY_TARGET_MS
        )
        steps.append(step)
        if not step["within_target"] and step["last_receiver_ms"]["p99"] > 4 * LATENCY_TARGET_MS:
            break  # far past the knee: higher rates would only queue up
        await asyncio.sleep(1)
    good = [step["rate"] for step in steps if step["within_target"]]
    return {
        "knee_rate": max(good) if good else 0,
        "rates": [compact_step(step) for step in steps],
        "valid": all(step["valid"] for step in steps),
        "others_core_share": max(step["others_core_share"] for step in steps),
    }


def compact_step(step: dict) -> dict:
    keep = (
        "rate",
        "within_target",
        "valid",
        "sent",
        "lost",
        "duplicates",
        "last_receiver_ms",
        "server_cpu_us_per_delivered",
        "server_core_share_sending",
        "loadgen_core_share_sending",
        "writer_max_lag_ms",
        "batched_events",
        "others_core_share",
    )
    return {key: step[key] for key in keep}


async def breakouts(run, clients: list[Client]) -> dict:
    """Groups of about ten, each writing on its own board: every member gets its group's
    post-its, nobody gets another group's (a `leak`)."""
    tally = clients[0].tally
    groups: dict[int, list[Client]] = {}
    for client in clients:
        groups.setdefault(run.fixture.group_of[client.index], []).append(client)
    order = sorted(groups)
    group_of_command: dict[str, int] = {}
    phase = Phase([], lambda cid: len(groups[group_of_command[cid]]))
    rate = run.options.rate
    count = max(1, round(rate * run.options.duration))

    def writer_of(index: int) -> Client:
        members = groups[order[index % len(order)]]
        return members[(index // len(order)) % len(members)]

    def note_group(index: int, client_id: str) -> None:
        group_of_command[client_id] = order[index % len(order)]

    async def write() -> None:
        await write_postits(writer_of, rate=rate, count=count, phase=phase, on_sent=note_group)

    await measured_phase(run, tally, phase, write, run.options.drain)
    sizes = [len(members) for members in groups.values()]
    return {
        "groups": len(groups),
        "group_size": {"min": min(sizes), "max": max(sizes)},
        "rate": rate,
        "duration_s": run.options.duration,
        **phase_report(tally, phase),
    }


async def reconnect(run, clients: list[Client]) -> dict:
    """The server restarts while the room writes; every client reconnects by itself (with
    live.js's backoff) and must catch up on what it missed; then writing goes on."""
    tally = clients[0].tally
    rate, seconds = run.options.rate, run.options.reconnect_writing
    before, after = Phase([], everyone(clients)), Phase([], everyone(clients))
    count = max(1, round(rate * seconds))

    def writer_of(index: int) -> Client:
        return clients[index % len(clients)]

    await write_postits(writer_of, rate=rate, count=count, phase=before)
    await wait_until(lambda: all(cid in tally.acked_ns for cid in before.ids), 30)
    for client in clients:
        client.reconnect = True
        client.welcomed.clear()
    stopped_at = time.monotonic_ns()
    await asyncio.to_thread(run.restart_servers)
    listening_at = time.monotonic_ns()
    start = run.snapshot()
    everyone_back = await wait_until(
        lambda: all(c.welcomed.is_set() and c.welcomed_ns > stopped_at for c in clients),
        run.options.drain + 60,
    )
    resynced_at = max((c.welcomed_ns for c in clients), default=listening_at)
    resync = CpuUse.between(start, run.snapshot())
    rss = sum(rss_bytes(pid) for pid in run.server_pids())
    await write_postits(writer_of, rate=rate, count=count, phase=after)
    after.complete = await wait_for_deliveries(tally, after, time.monotonic() + run.options.drain)
    before.complete = await wait_for_deliveries(tally, before, time.monotonic() + 1)
    both = Phase(before.ids + after.ids, everyone(clients), max_lag_ms=after.max_lag_ms)
    both.complete = before.complete and after.complete
    figures = delivery_figures(tally, both)
    return {
        "clients_back": sum(c.welcomed.is_set() for c in clients),
        "all_back": everyone_back,
        "restart_s": round((listening_at - stopped_at) / 1e9, 2),
        "resync_all_s": round((resynced_at - listening_at) / 1e9, 2),
        "resync_p50_s": round(
            percentile([(c.welcomed_ns - listening_at) / 1e9 for c in clients], 50), 2
        ),
        "stop_to_all_resynced_s": round((resynced_at - stopped_at) / 1e9, 2),
        "server_cpu_s_resync": round(resync.server, 2),
        "server_cpu_ms_per_resync": round(resync.server / len(clients) * 1000, 2),
        "server_core_share_resync": round(resync.share(resync.server), 2),
        "loadgen_core_share_resync": round(resync.share(resync.loadgen), 2),
        "others_core_share": round(resync.share(resync.other_processes), 2),
        "rss_after_resync_mb": round(rss / 2**20, 1),
        **{key: figures[key] for key in ("sent", "acked", "lost", "duplicates", "leaks")},
        "welcomes": tally.welcomes,
        "gaps_resynced": tally.gaps,
        "last_receiver_ms_after": delivery_figures(tally, after)["last_receiver_ms"],
        "valid": resync.share(resync.loadgen) < SATURATED,
    }


async def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def baseline(run, clients: list[Client]) -> dict:
    """The fanout against the bare relay (bench/relay.py): this machine's limit."""
    return await fanout(run, clients)

"""A flood from one client does not slow the others: N participants write post-its at a
steady pace while one more participant sends post-its, poll answers and hand raises as
fast as the server answers it.

    .venv/bin/python -m bench.flood --participants 100 --rate 5 --duration 30

A real server (the working tree, with the rate limits as shipped: config/settings.py
`LIVE_RATE_LIMITS`), PostgreSQL and a Redis of the tool's own; the server on core 0, this
generator on core 1 (as bench.run). Two measured phases on the same sockets, each followed
by its drain: `calm` (the participants alone), then `flood` (the same writing, the flooder
running all along). For each phase: the participants' command ack latency and fan-out
latency (until the last of the N applied the post-it), p50/p95/p99/max, lost post-its and
refusals; for the flooder: frames sent, acknowledged, refused with `slow_down`, and its
pace. One JSON line; the exit status is non-zero when a participant lost a post-it or was
refused, or the flooder was never slowed down.
"""

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import harness
from bench.clients import Client, Tally, Target, close_all, connect_all
from bench.scenarios import (
    Phase,
    delivery_figures,
    fresh_tally,
    wait_for_deliveries,
    write_postits,
)

SERVER_CPUS = "0"
LOADGEN_CPU = 1


@dataclass
class FloodWorld:
    workshop_id: int
    session_keys: list[str]  # the participants', then the flooder's (last)
    poll_id: int
    option_ids: list[int]


@dataclass
class FloodTally:
    sent: int = 0
    replies: Counter = field(default_factory=Counter)  # "ack" or the error code
    seconds: float = 0.0


def build_world(participants: int) -> FloodWorld:
    """A plenary workshop (everyone sees every post-it) with an open poll to vote in."""
    from django.db import connections

    from workshops import services
    from workshops.actors import Actor, Role
    from workshops.models import Workshop

    fixture = harness.create_workshop(participants + 1, "Flood")
    workshop = Workshop.objects.get(pk=fixture.workshop_id)
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    poll = services.poll_create(
        actor=lead, question="Flood?", kind="single", options=["A", "B"], results="live"
    )
    services.poll_open(actor=lead, poll_id=poll.pk)
    option_ids = list(poll.options.order_by("position").values_list("pk", flat=True))
    connections.close_all()
    return FloodWorld(workshop.pk, fixture.session_keys, poll.pk, option_ids)


def flood_commands(world: FloodWorld):
    """What a stuck key, a script or a malicious phone sends: post-its, changed votes,
    hands up and down, round and round."""
    for n in itertools.count():
        yield [
            ("postit.create", {"text": f"flood {n}"}),
            ("poll.answer", {"poll": world.poll_id, "answer": world.option_ids[n % 2]}),
            ("hand.raise" if n % 2 == 0 else "hand.lower", {}),
        ][n % 3]


async def flood(flooder: Client, world: FloodWorld, window: int, stop: asyncio.Event) -> FloodTally:
    """Keep `window` commands in flight on the flooder's socket until `stop`: as fast as the
    server answers this one socket."""
    tally = FloodTally()
    in_flight = asyncio.Semaphore(window)
    pending: set[str] = set()

    def on_reply(frame: dict, _now: int) -> None:
        if frame["id"] in pending:
            pending.discard(frame["id"])
            tally.replies["ack" if frame["type"] == "ack" else frame.get("code", "?")] += 1
            in_flight.release()

    flooder.on_reply = on_reply
    started = time.monotonic()
    commands = flood_commands(world)
    while not stop.is_set():
        try:  # a socket closed by the server answers no more: look at `stop` again
            await asyncio.wait_for(in_flight.acquire(), 1.0)
        except TimeoutError:
            continue
        name, args = next(commands)
        client_id = flooder.command(name, args)
        if client_id is None:  # the socket closed: the flooder is done
            break
        pending.add(client_id)
        tally.sent += 1
    tally.seconds = time.monotonic() - started
    return tally


async def measure(
    clients: list[Client], tally: Tally, options: argparse.Namespace, offset: int
) -> dict:
    """The participants write `rate` post-its per second in turns, then their deliveries
    drain; the figures of that phase."""
    phase = Phase([], lambda _client_id: len(clients))
    count = max(1, round(options.rate * options.duration))
    fresh_tally(tally)
    await write_postits(
        lambda i: clients[(offset + i) % len(clients)],
        rate=options.rate,
        count=count,
        phase=phase,
    )
    phase.complete = await wait_for_deliveries(tally, phase, time.monotonic() + options.drain)
    figures = delivery_figures(tally, phase)
    figures["fanout_ms"] = figures.pop("last_receiver_ms")
    return figures


async def drive(port: int, world: FloodWorld, options: argparse.Namespace) -> dict:
    path = f"/ws/workshops/{world.workshop_id}/?view=participant"
    target = Target(harness.HOST, port, path, {"Origin": f"http://{harness.HOST}:{port}"})
    tally = Tally()
    clients = [Client(i, key, target, tally) for i, key in enumerate(world.session_keys[:-1])]
    flooder = Client(len(clients), world.session_keys[-1], target, Tally())
    failures = await connect_all([*clients, flooder], concurrency=50)
    if failures:
        return {"error": f"{len(failures)} clients did not connect", "sample": failures[:3]}
    try:
        calm = await measure(clients, tally, options, offset=0)
        stop = asyncio.Event()
        flooding = asyncio.create_task(flood(flooder, world, options.window, stop))
        await asyncio.sleep(1)  # the flooder's burst allowance is spent: it is slowed now
        flooded = await measure(clients, tally, options, offset=calm["sent"])
        stop.set()
        flood_tally = await flooding
    finally:
        await close_all([*clients, flooder])
    return {
        "calm": calm,
        "flood": flooded,
        "flooder": {
            "sent": flood_tally.sent,
            "acked": flood_tally.replies["ack"],
            "slow_down": flood_tally.replies["slow_down"],
            "other_replies": {
                code: n
                for code, n in flood_tally.replies.items()
                if code not in ("ack", "slow_down")
            },
            "frames_per_s": round(flood_tally.sent / flood_tally.seconds),
            "window": options.window,
        },
    }


def judge(report: dict) -> bool:
    if "error" in report:
        return False
    phases_clean = all(
        phase["lost"] == 0 and phase["acked"] == phase["sent"] and not phase["refused"]
        for phase in (report["calm"], report["flood"])
    )
    slowed = report["flooder"]["slow_down"] > 0
    return phases_clean and slowed and report["server_log_problems"] == 0


def run(options: argparse.Namespace) -> dict:
    config = harness.StackConfig()
    harness.ensure_database(config)
    harness.setup_django(config)
    harness.raise_open_files_limit()
    world = build_world(options.participants)
    logs = harness.RESULTS_DIR / f"flood-{os.getpid()}"  # runs side by side keep their own
    redis = harness.RedisServer(harness.free_port(), SERVER_CPUS, logs.with_suffix(".redis.log"))
    redis.start()
    env = config.server_env("pubsub")
    env.update(REDIS_URL=redis.url)
    env.pop("LIVE_RATE_LIMITS", None)  # the limits as shipped
    server = harness.ServerProcess(env, harness.free_port(), SERVER_CPUS, logs.with_suffix(".log"))
    harness.pin_this_process(LOADGEN_CPU)
    try:
        server.start()
        report = asyncio.run(drive(server.port, world, options))
        report["server_alive"] = server.process.poll() is None
        report["server_log_problems"] = server.log_problems()
    finally:
        server.stop()
        redis.stop()
    report.update(
        scenario="flood",
        participants=options.participants,
        rate=options.rate,
        duration_s=options.duration,
        code=harness.describe_code(config),
    )
    report["ok"] = judge(report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="post-its per second, in all")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each phase")
    parser.add_argument("--drain", type=float, default=20.0, help="seconds to wait for deliveries")
    parser.add_argument("--window", type=int, default=32, help="the flooder's commands in flight")
    options = parser.parse_args(argv)
    report = run(options)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

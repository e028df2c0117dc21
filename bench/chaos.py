"""Chaos: participants keep working while connections, servers and Redis fail under them.

`python -m bench.chaos` starts two server processes on one PostgreSQL database and a Redis
server of its own (its own port: restarting it never touches the machine's Redis). Clients
in breakout groups write post-its, put dots and answer polls, each behaving as
`static/js/live.js` does: every command has an id and stays queued until acknowledged,
everything queued is sent again after each welcome, and a client says `hello` with its last
sequence per stream after every reconnect, gap, `resync` or `live` frame. Meanwhile the
harness cuts a share of the connections abruptly (some right after a command went out, so
its acknowledgement is lost), SIGKILLs one server and starts it again, and restarts Redis.

Then faults stop, clients drain their queues, and the harness checks:
- every acknowledged command is in PostgreSQL exactly once: its receipt (actor, command id)
  and its effect (the post-it it returned, one dot per acknowledged `dot.add`, the poll
  answer it gave), with no effect that no command explains (duplicates);
- every connected client's view (post-its per board, dot counts, poll results, built only
  from welcomes, events and tallies) equals what the database says now.

One JSON line goes to stdout; `tests/test_bench_chaos_smoke.py` runs a small one.
"""

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench import wsclient
from bench.harness import (
    HOST,
    REPO,
    RESULTS_DIR,
    RedisServer,
    ServerProcess,
    StackConfig,
    create_workshop,
    ensure_database,
    free_port,
    percentile,
    raise_open_files_limit,
    setup_django,
)

POSTIT_ARTICLE = re.compile(r'<article id="postit-(\d+)"')
ERROR_LINE = re.compile(r" (?:ERROR|CRITICAL) (\S+)")
DOTS_PER_PERSON = 20
PARSE_CACHE_LIMIT = 5_000
POLLS_PER_GROUP = 3
POLL_OPTIONS = ["Oui", "Non", "Peut-être"]
# What a participant does, and how often (weights).
ACTIONS = {"postit": 4, "dot": 3, "poll": 2}
# How long a participant pauses between two actions, on average (exponential): 200 of
# them offer about 33 commands per second, all writes (each renders frames and tallies).
MEAN_PAUSE_S = 6.0


# --- the stack ---------------------------------------------------------------------------


@dataclass
class Stack:
    """Two server processes and a Redis of the run's own, with the faults they suffer."""

    servers: list[ServerProcess]
    redis: RedisServer
    faults: Counter = field(default_factory=Counter)

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    async def kill_and_restart_server(self, rng: random.Random, down_s: float) -> None:
        server = rng.choice(self.servers)
        os.killpg(server.pid, signal.SIGKILL)  # no goodbye to anyone: a crashed process
        await asyncio.to_thread(server.process.wait)
        self.faults["server_kills"] += 1
        await asyncio.sleep(down_s)
        # A new log: the killed process's one keeps what it said before dying.
        server.log_path = server.log_path.with_name(f"{server.log_path.stem}-restarted.log")
        await asyncio.to_thread(server.start)

    async def restart_redis(self, down_s: float) -> None:
        assert self.redis.process is not None
        self.redis.process.kill()
        await asyncio.to_thread(self.redis.process.wait)
        self.faults["redis_restarts"] += 1
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.redis.start)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.redis.stop()

    def log_problems(self, run_dir: Path) -> dict[str, int]:
        """Error lines of every server log (the killed processes' included), per logger:
        a Redis outage is expected to log failed publishes, nothing else is."""
        problems: Counter = Counter()
        for log in run_dir.glob("server-*.log"):
            for line in log.read_text(errors="replace").splitlines():
                if match := ERROR_LINE.search(line):
                    problems[match.group(1)] += 1
        return dict(problems)


def start_stack(config: StackConfig, run_dir: Path) -> Stack:
    redis = RedisServer(free_port(), "0,1", run_dir / "redis.log")
    redis.start()
    env = config.server_env("pubsub")
    env.update(REDIS_URL=redis.url, PYTHONUNBUFFERED="1")
    servers = [
        ServerProcess(env, free_port(), "0,1", run_dir / f"server-{n}.log") for n in range(2)
    ]
    stack = Stack(servers, redis)
    try:
        with ThreadPoolExecutor(len(servers)) as starting:  # both boot at once
            list(starting.map(ServerProcess.start, servers))
    except BaseException:
        stack.stop()
        raise
    return stack


# --- the workshop --------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    workshop_id: int
    session_keys: list[str]
    participant_ids: list[int]
    group_of: list[int]
    polls: dict[int, dict[int, list[int]]]  # group -> poll -> option ids
    vote_phase: int


def prepare_workshop(clients: int, groups: int) -> Setup:
    """A workshop in breakouts, a running dot vote (live results, dots stack) and open
    polls on every group's board; guests dealt round-robin over the groups."""
    from workshops.actors import Actor, Role
    from workshops.commands import execute_command
    from workshops.models import PollOption, Workshop

    fixture = create_workshop(clients, "Chaos", groups=groups)
    workshop = Workshop.objects.get(pk=fixture.workshop_id)
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    ids = (f"setup{workshop.pk}-{n}" for n in itertools.count())  # the organizer is reused

    def run(name: str, **args: object) -> dict:
        return execute_command(actor=lead, client_id=next(ids), name=name, args=args)

    phase = run(
        "phase.add", title="Vote", minutes=120, scope="breakouts", activity="dot_vote",
        dots=DOTS_PER_PERSON, dots_stack=True, dots_live=True,
    )["phase"]  # fmt: skip
    run("phase.start", phase=phase)
    polls: dict[int, dict[int, list[int]]] = {}
    for group in sorted({group for group in fixture.group_of if group is not None}):
        polls[group] = {}
        for number in range(POLLS_PER_GROUP):
            poll = run(
                "poll.create", question=f"Question {number + 1} ?", kind="single",
                options=POLL_OPTIONS, results="live", group=group,
            )["poll"]  # fmt: skip
            run("poll.open", poll=poll)
            options = PollOption.objects.filter(poll_id=poll).values_list("pk", flat=True)
            polls[group][poll] = list(options)
    from django.db import connections

    connections.close_all()
    return Setup(
        workshop_id=fixture.workshop_id,
        session_keys=fixture.session_keys,
        participant_ids=fixture.participant_ids,
        group_of=[group for group in fixture.group_of if group is not None],
        polls=polls,
        vote_phase=phase,
    )


# --- the clients ---------------------------------------------------------------------------


@dataclass
class View:
    """What a client's page shows, built from welcomes, events and tallies only."""

    last: dict[str, int] = field(default_factory=dict)
    postits: dict[str, set[int]] = field(default_factory=dict)  # stream -> post-its on it
    board_tally: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)
    poll_tally: dict[int, tuple[int, str]] = field(default_factory=dict)  # poll -> html

    def reset(self, stream: str, seq: int, snapshot: dict) -> None:
        html = "".join(swap.get("html") or "" for swap in snapshot.get("swaps", []))
        self.postits[stream] = {int(pk) for pk in POSTIT_ARTICLE.findall(html)}
        self.last[stream] = seq

    def apply(self, frame: dict) -> None:
        stream, name, data = frame["stream"], frame["name"], frame.get("data") or {}
        self.last[stream] = frame["seq"]
        board = self.postits.setdefault(stream, set())
        if name in ("postit.created", "postit.restored"):
            board.add(data["postit"])
        elif name in ("postit.deleted", "postit.hidden", "postit.merged"):
            board.discard(data["postit"])
        elif name == "board.redrawn":
            html = "".join(swap.get("html") or "" for swap in frame.get("swaps", []))
            self.postits[stream] = {int(pk) for pk in POSTIT_ARTICLE.findall(html)}

    def tally(self, frame: dict) -> None:
        topic, version = frame.get("topic"), frame.get("version") or 0
        if topic == "board":
            held = self.board_tally.get(frame["stream"])
            if held is None or version >= held[0]:
                self.board_tally[frame["stream"]] = (version, frame.get("counts") or {})
        elif topic and topic.startswith("poll:"):
            poll = int(topic.removeprefix("poll:"))
            held = self.poll_tally.get(poll)
            if held is None or version >= held[0]:
                self.poll_tally[poll] = (version, frame["swaps"][0]["html"])


@dataclass
class Totals:
    """What every client did, summed for the report."""

    sent: dict[str, tuple[int, str, dict]] = field(default_factory=dict)  # id -> client, cmd
    acked: dict[str, dict] = field(default_factory=dict)  # id -> first result
    refused: dict[str, str] = field(default_factory=dict)  # id -> code
    frames_sent: int = 0  # command frames, resends included
    resends: int = 0
    replay_differs: int = 0  # a resent command's acknowledgement differs from the first
    slow_downs: int = 0
    unavailable: int = 0
    reconnects: int = 0
    welcomes: int = 0
    gaps: int = 0
    resync_frames: int = 0
    degraded_frames: int = 0
    duplicate_events: int = 0
    closes: Counter = field(default_factory=Counter)  # close code (server's), or how it ended
    parsed: dict[bytes, dict] = field(default_factory=dict)

    def parse(self, payload: bytes) -> dict:
        """A frame, decoded once for all the sockets that get the same bytes (broadcasts):
        the load generator shares the two cores with the servers it loads."""
        frame = self.parsed.get(payload)
        if frame is None:
            if len(self.parsed) > PARSE_CACHE_LIMIT:
                self.parsed.clear()
            frame = self.parsed[payload] = json.loads(payload)
        return frame

    queued_at: dict[str, float] = field(default_factory=dict)  # id -> when the page queued it
    latency_s: list[float] = field(default_factory=list)  # queued -> first acknowledgement


class ChaosClient:
    """One participant's socket and queue, as live.js keeps them."""

    def __init__(
        self, index: int, setup: Setup, stack: Stack, totals: Totals, rng: random.Random
    ) -> None:
        self.index = index
        self.session_key = setup.session_keys[index]
        self.participant = setup.participant_ids[index]
        self.group = setup.group_of[index]
        self.unanswered = {poll: options for poll, options in setup.polls[self.group].items()}
        self.path = f"/ws/workshops/{setup.workshop_id}/?view=participant"
        self.stack = stack
        self.totals = totals
        self.rng = rng
        self.view = View()
        self.queue: dict[str, dict] = {}  # id -> command frame, in order, until settled
        self.sent_on: dict[str, object] = {}  # id -> the connection it last went out on
        self.connection: wsclient.Connection | None = None
        self.welcomed = False
        self.hello_in_flight = False
        self.degraded = False
        self.running = True  # reconnects by itself while the run lasts
        self.dots_left = DOTS_PER_PERSON
        self.counter = itertools.count()
        self.port = 0
        self.pause_s = MEAN_PAUSE_S
        self.heard_at = 0.0  # time.monotonic() of the last frame received

    # --- connection ---

    async def keep_connected(self) -> None:
        """Connect, and after every close reconnect with live.js's backoff, to either server
        (a load balancer's choice)."""
        attempt = 0
        while self.running:
            port = self.rng.choice(self.stack.ports)
            try:
                self.connection = await wsclient.connect(
                    HOST, port, self.path, self.on_message,
                    headers={"Cookie": f"sessionid={self.session_key}",
                             "Origin": f"http://{HOST}:{port}"},
                    handshake_s=15,
                )  # fmt: skip
            except (OSError, TimeoutError, wsclient.HandshakeError):
                attempt += 1
                await asyncio.sleep(
                    min(10.0, 0.5 * 2 ** min(attempt, 5)) * self.rng.uniform(0.5, 1.5)
                )
                continue
            attempt, self.port = 0, port
            self.hello_in_flight = False
            self.hello()
            await self.connection.closed
            self.welcomed = False
            self.totals.closes[self.close_reason()] += 1
            if self.running:
                self.totals.reconnects += 1
                await asyncio.sleep(0.5 * self.rng.uniform(0.5, 1.5))

    def close_reason(self) -> str:
        if self.connection.closed_by_us:
            return "cut"
        code = self.connection.close_code
        return "dropped" if code is None else str(code)  # dropped: no close frame (a kill)

    def state(self) -> dict:
        """Where a client stands, to tell why it has not settled."""
        return {
            "client": self.index,
            "port": self.port,
            "open": self.connection is not None and self.connection.is_open,
            "welcomed": self.welcomed,
            "hello_in_flight": self.hello_in_flight,
            "queued": len(self.queue),
            "silent_s": round(time.monotonic() - self.heard_at, 1),
        }

    def cut(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Drop the connection abruptly; half the time right after a command went out."""
        if self.connection is None or not self.connection.is_open:
            return False
        if self.welcomed and self.rng.random() < 0.5 and self.act():
            loop.call_later(self.rng.uniform(0, 0.05), self.connection.abort)
        else:
            self.connection.abort()
        return True

    def send(self, frame: dict) -> bool:
        try:
            self.connection.send_text(json.dumps(frame))
        except (ConnectionError, AttributeError):
            return False
        return True

    def hello(self) -> None:
        if self.hello_in_flight or self.connection is None:
            return
        self.hello_in_flight = True
        self.send({"type": "hello", "last": dict(self.view.last) or {"workshop": 0}})

    # --- commands ---

    def command(self, name: str, args: dict) -> None:
        frame = {"type": "cmd", "id": f"c{self.index}-{next(self.counter)}", "name": name,
                 "args": args}  # fmt: skip
        self.queue[frame["id"]] = frame
        self.totals.sent[frame["id"]] = (self.index, name, args)
        self.totals.queued_at[frame["id"]] = time.monotonic()
        if self.welcomed and self.send(frame):
            self.totals.frames_sent += 1
            self.sent_on[frame["id"]] = self.connection

    def act(self) -> bool:
        """One thing a participant does now; False when there is nothing left to do."""
        board = self.view.postits.get(f"group:{self.group}") or set()
        choices = [action for action in ACTIONS if self.can(action, board)]
        if not choices:
            return False
        action = self.rng.choices(choices, [ACTIONS[action] for action in choices])[0]
        if action == "postit":
            number = len(self.totals.sent)
            text = f"Idée {number} de p{self.index}"
            self.command(
                "postit.create", {"text": text, "color": self.rng.choice(["yellow", "blue"])}
            )
        elif action == "dot":
            self.dots_left -= 1
            self.command("dot.add", {"postit": self.rng.choice(sorted(board))})
        else:
            poll = self.rng.choice(sorted(self.unanswered))
            options = self.unanswered.pop(poll)
            self.command("poll.answer", {"poll": poll, "answer": self.rng.choice(options)})
        return True

    def can(self, action: str, board: set[int]) -> bool:
        if action == "dot":
            return self.dots_left > 0 and bool(board)
        if action == "poll":
            return bool(self.unanswered)
        return True

    async def work(self, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.expovariate(1 / self.pause_s))
            if time.monotonic() < until and len(self.queue) < 10:
                self.act()  # also offline: the queue keeps it, as a phone's does

    def flush(self) -> None:
        """Send what this connection has not carried yet: a command sent on a socket still
        open gets its answer there (a gap's welcome on the same socket resends nothing)."""
        for command_id, frame in list(self.queue.items()):
            if self.sent_on.get(command_id) is self.connection:
                continue
            if self.send(frame):
                self.totals.frames_sent += 1
                self.totals.resends += command_id in self.sent_on
                self.sent_on[command_id] = self.connection

    # --- frames ---

    def on_message(self, payload: bytes, _arrival: int) -> None:
        self.heard_at = time.monotonic()
        frame = self.totals.parse(payload)
        kind = frame.get("type")
        if kind == "batch":
            for inner in frame["frames"]:
                self.on_broadcast(inner)
        elif kind in ("event", "tally"):
            self.on_broadcast(frame)
        elif kind == "welcome":
            self.on_welcome(frame)
        elif kind == "ack":
            self.on_ack(frame)
        elif kind == "error":
            self.on_error(frame)
        elif kind == "resync":
            self.totals.resync_frames += 1
            self.hello()
        elif kind == "degraded":
            self.totals.degraded_frames += 1
            if not self.degraded:
                self.degraded = True
                asyncio.get_running_loop().create_task(self.poll_while_degraded())
        elif kind == "live":
            self.degraded = False
            self.hello()

    async def poll_while_degraded(self) -> None:
        """As live.js: while live updates are down, catch up from the log every 6–10 s."""
        while self.degraded and self.running:
            await asyncio.sleep(self.rng.uniform(6, 10))
            if self.degraded:
                self.hello()

    def on_broadcast(self, frame: dict) -> None:
        if frame.get("type") == "tally":
            self.view.tally(frame)
            return
        if not self.welcomed:
            return  # as live.js: events wait for the welcome
        stream, seq = frame["stream"], frame["seq"]
        last = self.view.last.get(stream)
        if last is None:
            return
        if seq <= last:
            self.totals.duplicate_events += 1
        elif seq > last + 1:
            self.totals.gaps += 1
            self.hello()
        else:
            self.view.apply(frame)

    def on_welcome(self, frame: dict) -> None:
        self.hello_in_flight = False
        streams = frame["streams"]
        for stream in list(self.view.last):
            if stream not in streams:
                del self.view.last[stream]
                self.view.postits.pop(stream, None)
        for stream, info in streams.items():
            if "reset" in info or stream not in self.view.last:
                self.view.reset(stream, info["seq"], info.get("reset") or {})
                continue
            for event in info.get("missed", []):
                if event["seq"] == self.view.last[stream] + 1:
                    self.view.apply(event)
        for snapshot in frame.get("snapshots") or []:
            self.view.tally(snapshot)
        self.totals.welcomes += 1
        self.welcomed = True
        self.flush()

    def on_ack(self, frame: dict) -> None:
        command_id, result = frame["id"], frame.get("result")
        self.queue.pop(command_id, None)
        self.sent_on.pop(command_id, None)
        if command_id not in self.totals.acked:
            self.totals.latency_s.append(time.monotonic() - self.totals.queued_at[command_id])
        first = self.totals.acked.setdefault(command_id, result)
        if first != result:
            self.totals.replay_differs += 1

    def on_error(self, frame: dict) -> None:
        command_id, code = frame.get("id"), frame.get("code")
        if command_id not in self.queue:
            if command_id is None:
                self.hello_in_flight = False
            return
        if code == "unavailable":
            # Nothing was saved; the next welcome resends it (live.js closes the socket).
            self.totals.unavailable += 1
            connection = self.connection
            asyncio.get_running_loop().call_later(2, lambda: connection and connection.abort())
        elif code == "slow_down":
            self.totals.slow_downs += 1
            delay = max(0.5, (frame.get("retry_after") or 2000) / 1000)
            asyncio.get_running_loop().call_later(delay, self.resend, command_id)
        else:
            del self.queue[command_id]
            self.sent_on.pop(command_id, None)
            self.totals.refused[command_id] = code

    def resend(self, command_id: str) -> None:
        frame = self.queue.get(command_id)
        if frame is not None and self.welcomed and self.send(frame):
            self.totals.frames_sent += 1
            self.totals.resends += 1


# --- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    duration: float
    cut_rounds: int
    cut_share: float
    server_down_s: float
    redis_down_s: float
    drain_s: float
    seed: int
    pause_s: float = MEAN_PAUSE_S
    kill_server: bool = True
    restart_redis: bool = True


async def inject_faults(plan: Plan, clients: list[ChaosClient], stack: Stack, rng: random.Random):
    """Cut rounds at random times, a server killed at 35% of the run, Redis at 65%."""
    loop = asyncio.get_running_loop()
    start = time.monotonic()
    schedule = [(rng.uniform(0.1, 0.9) * plan.duration, "cut") for _n in range(plan.cut_rounds)]
    schedule += [(0.35 * plan.duration, "server")] if plan.kill_server else []
    schedule += [(0.65 * plan.duration, "redis")] if plan.restart_redis else []
    restarts = []
    for at, fault in sorted(schedule):
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        if fault == "cut":
            victims = rng.sample(clients, round(plan.cut_share * len(clients)))
            # A victim that is reconnecting just then has no connection to cut.
            stack.faults["connections_cut"] += sum(client.cut(loop) for client in victims)
            stack.faults["cut_rounds"] += 1
        elif fault == "server":
            restarts.append(
                loop.create_task(stack.kill_and_restart_server(rng, plan.server_down_s))
            )
        else:
            restarts.append(loop.create_task(stack.restart_redis(plan.redis_down_s)))
    await asyncio.gather(*restarts)


async def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll `condition`: clients change state in socket callbacks, not through events."""
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)


async def drive(setup: Setup, stack: Stack, plan: Plan) -> tuple[list[ChaosClient], Totals, dict]:
    rng = random.Random(plan.seed)
    totals = Totals()
    clients = [
        ChaosClient(index, setup, stack, totals, random.Random(rng.random()))
        for index in range(len(setup.session_keys))
    ]
    for client in clients:
        client.pause_s = plan.pause_s
    connections = [asyncio.create_task(client.keep_connected()) for client in clients]
    await wait_until(lambda: all(client.welcomed for client in clients), 60)
    started = time.monotonic()
    until = started + plan.duration
    workers = [asyncio.create_task(client.work(until)) for client in clients]
    await asyncio.gather(inject_faults(plan, clients, stack, rng), *workers)
    # Faults are over and every server is up: clients drain their queues.
    waiting = []  # every 5 s of the drain: [commands still queued, clients not welcomed]

    def settled_now() -> bool:
        queued = sum(len(client.queue) for client in clients)
        unwelcomed = sum(not client.welcomed for client in clients)
        if len(waiting) * 5 <= time.monotonic() - until:
            waiting.append([queued, unwelcomed])
        return queued == unwelcomed == 0

    settled = await wait_until(settled_now, plan.drain_s)
    drained_after = time.monotonic() - until
    await asyncio.sleep(3)  # the last tallies (coalesced every 200 ms) and events arrive
    timing = {
        "load_s": round(until - started, 1),
        "drain_s": round(drained_after, 1),  # from the end of the load to all settled
        "settled": settled,
        "queued_during_drain": waiting,
        "unsettled": [c.state() for c in clients if c.queue or not c.welcomed][:8],
        "ports": stack.ports,
    }
    for client in clients:
        client.running = False
    for task in connections:
        task.cancel()
    return clients, totals, timing


async def close_clients(clients: list[ChaosClient]) -> None:
    await asyncio.gather(
        *(client.connection.close() for client in clients if client.connection is not None),
        return_exceptions=True,
    )


# --- the verdict ---------------------------------------------------------------------------


def check_database(setup: Setup, totals: Totals) -> dict:
    """Every acknowledged command exactly once in PostgreSQL, nothing unexplained.

    A command's receipt (actor, command id) holds its result: the post-it it created. Dots
    carry no command id: a participant must have as many dots as `dot.add` receipts. A
    command saved whose acknowledgement never arrived (still queued at the end) has a
    receipt too: it explains its effect without counting as acknowledged.
    """
    from live.models import CommandReceipt
    from workshops.models import Dot, PollAnswer, PostIt

    actor_of = {index: f"p:{pk}" for index, pk in enumerate(setup.participant_ids)}
    receipts = dict(
        ((actor, client_id), result)
        for actor, client_id, result in CommandReceipt.objects.filter(
            actor__in=actor_of.values()
        ).values_list("actor", "client_id", "result")
    )
    postits = {
        row["pk"]: row
        for row in PostIt.objects.filter(workshop_id=setup.workshop_id).values(
            "pk", "author_id", "text"
        )
    }
    dots = Counter(
        Dot.objects.filter(phase_id=setup.vote_phase).values_list("participant_id", flat=True)
    )
    answers = Counter(
        (row["poll_id"], row["participant_id"], tuple(row["choices"]))
        for row in PollAnswer.objects.filter(poll__workshop_id=setup.workshop_id).values(
            "poll_id", "participant_id", "choices"
        )
    )
    lost: list[str] = []
    persisted = 0
    saved_dots: Counter = Counter()  # participant -> dot.add receipts
    acked_dots: Counter = Counter()
    explained_postits: Counter = Counter()
    explained_answers: set = set()
    for command_id, (index, name, args) in totals.sent.items():
        participant = setup.participant_ids[index]
        acked = command_id in totals.acked
        receipt = receipts.get((actor_of[index], command_id))
        if receipt is None:
            if acked:
                lost.append(command_id)
            continue
        if name == "postit.create":
            row = postits.get(receipt.get("postit"))
            found = row is not None and (row["author_id"], row["text"]) == (
                participant,
                args["text"],
            )
            explained_postits[receipt.get("postit")] += 1
        elif name == "dot.add":
            saved_dots[participant] += 1
            acked_dots[participant] += acked
            found = True  # counted per participant below
        else:
            key = (args["poll"], participant, (args["answer"],))
            found = answers[key] == 1
            explained_answers.add(key)
        if acked and found:
            persisted += 1
        elif acked:
            lost.append(command_id)
    duplicates = sum(count - 1 for count in explained_postits.values() if count > 1)
    texts = Counter((row["author_id"], row["text"]) for row in postits.values())
    duplicates += sum(count - 1 for count in texts.values() if count > 1)
    unexplained = sum(1 for pk in postits if pk not in explained_postits)
    unexplained += sum(count for key, count in answers.items() if key not in explained_answers)
    for participant in set(dots) | set(saved_dots):
        extra = dots[participant] - saved_dots[participant]
        duplicates += max(0, extra)
        missing = min(acked_dots[participant], max(0, -extra))
        persisted -= missing
        lost += [f"dot.add of participant {participant}"] * missing
    return {
        "persisted": persisted,
        "lost": len(lost),
        "lost_examples": lost[:5],
        "duplicates": duplicates,
        "unexplained": unexplained,
        "persisted_unacknowledged": sum(
            1
            for command_id, (index, _name, _args) in totals.sent.items()
            if command_id not in totals.acked and (actor_of[index], command_id) in receipts
        ),
    }


def database_view(setup: Setup) -> dict:
    """What each board shows according to the database: post-its, dot counts, poll HTML."""
    from django.db.models import Count

    from workshops.fragments import poll_tally_frames
    from workshops.models import Dot, PostIt

    visible = PostIt.objects.filter(
        workshop_id=setup.workshop_id, deleted_at=None, hidden_at=None, merged_into=None
    )
    boards: dict[str, set[int]] = {"workshop": set()}
    for pk, group in visible.values_list("pk", "group_id"):
        boards.setdefault(f"group:{group}" if group else "workshop", set()).add(pk)
    counts: dict[str, dict[str, int]] = {}
    dots = (
        Dot.objects.filter(phase_id=setup.vote_phase, postit__in=visible)
        .values("postit_id", "postit__group_id")
        .annotate(n=Count("id"))
    )
    for row in dots:
        stream = f"group:{row['postit__group_id']}"
        counts.setdefault(stream, {})[str(row["postit_id"])] = row["n"]
    polls = {
        poll: {frame["swaps"][0]["html"] for frame in poll_tally_frames(poll, "public").values()}
        for group_polls in setup.polls.values()
        for poll in group_polls
    }
    return {"boards": boards, "counts": counts, "polls": polls}


def compare_views(setup: Setup, clients: list[ChaosClient], truth: dict) -> dict:
    mismatches: Counter = Counter()
    clients_wrong = 0
    compared = 0
    examples = []
    for client in clients:
        if not client.welcomed:
            continue
        compared += 1
        wrong = []
        stream = f"group:{client.group}"
        for key, shown in client.view.postits.items():
            if shown != truth["boards"].get(key, set()):
                wrong.append(("postits", key, len(shown), len(truth["boards"].get(key, set()))))
        if stream not in client.view.postits:
            wrong.append(("postits", stream, "not followed", None))
        tally = client.view.board_tally.get(stream, (0, {}))[1]
        shown_counts = {pk: n for pk, n in tally.items() if n}
        if shown_counts != truth["counts"].get(stream, {}):
            wrong.append(("dots", stream, sum(shown_counts.values()),
                          sum(truth["counts"].get(stream, {}).values())))  # fmt: skip
        for poll in setup.polls[client.group]:
            shown = client.view.poll_tally.get(poll, (0, ""))[1]
            if shown not in truth["polls"][poll]:
                wrong.append(("poll", poll, None, None))
        for kind, *_rest in wrong:
            mismatches[kind] += 1
        if wrong:
            clients_wrong += 1
            if len(examples) < 5:
                examples.append({"client": client.index, "wrong": wrong[:3]})
    return {
        "clients_compared": compared,
        "view_mismatches": clients_wrong,
        "mismatch_kinds": dict(mismatches),
        "mismatch_examples": examples,
    }


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load and faults")
    parser.add_argument("--pause", type=float, default=MEAN_PAUSE_S, help="mean s between actions")
    parser.add_argument("--cut-rounds", type=int, default=3, help="rounds of connection cuts")
    parser.add_argument("--cut-share", type=float, default=0.2, help="share cut per round")
    parser.add_argument("--server-down", type=float, default=2, help="s a killed one is down")
    parser.add_argument("--redis-down", type=float, default=3, help="seconds Redis stays down")
    parser.add_argument("--drain", type=float, default=180, help="seconds allowed to drain queues")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-server-kill", action="store_true", help="to tell faults apart")
    parser.add_argument("--no-redis-restart", action="store_true", help="to tell faults apart")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    plan = Plan(
        duration=options.duration,
        cut_rounds=options.cut_rounds,
        cut_share=options.cut_share,
        server_down_s=options.server_down,
        redis_down_s=options.redis_down,
        drain_s=options.drain,
        seed=options.seed,
        pause_s=options.pause,
        kill_server=not options.no_server_kill,
        restart_redis=not options.no_redis_restart,
    )
    raise_open_files_limit()
    run_dir = RESULTS_DIR / f"chaos-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    config = StackConfig(settings_module="config.settings", layer_prefix=f"chaos{os.getpid()}")
    ensure_database(config)
    setup_django(config)
    setup = prepare_workshop(options.clients, options.groups)
    load_before = os.getloadavg()
    stack = start_stack(config, run_dir)
    try:
        clients, totals, timing = asyncio.run(run_and_close(setup, stack, plan))
        server_problems = stack.log_problems(run_dir)
    finally:
        stack.stop()
    load_after = os.getloadavg()
    verdict = check_database(setup, totals)
    views = compare_views(setup, clients, database_view(setup))
    report = {
        "scenario": "chaos",
        "clients": options.clients,
        "groups": options.groups,
        "duration_s": options.duration,
        "pause_s": options.pause,
        **timing,
        "commands_sent": len(totals.sent),
        "acknowledged": len(totals.acked),
        "refused": dict(Counter(totals.refused.values())),
        "pending": len(totals.sent) - len(totals.acked) - len(totals.refused),
        "sent_by_kind": dict(Counter(name for _i, name, _a in totals.sent.values())),
        **verdict,
        **views,
        "ack_latency_s": latency_summary(totals.latency_s),
        "replay_differs": totals.replay_differs,
        "command_frames": totals.frames_sent,
        "resends": totals.resends,
        "slow_downs": totals.slow_downs,
        "unavailable": totals.unavailable,
        "reconnects": totals.reconnects,
        "closes": dict(totals.closes),
        "welcomes": totals.welcomes,
        "gaps": totals.gaps,
        "resync_frames": totals.resync_frames,
        "degraded_frames": totals.degraded_frames,
        "duplicate_events": totals.duplicate_events,
        "faults": dict(stack.faults),
        "server_log_problems": server_problems,
        "load_average": [round(value, 2) for value in (*load_before[:1], *load_after)],
        "logs": str(run_dir.relative_to(REPO)),
    }
    print(json.dumps(report), flush=True)
    return 0


def latency_summary(values: list[float]) -> dict[str, float]:
    """From the moment a command is queued to its first acknowledgement, over every fault."""
    ordered = sorted(values)
    summary = {f"p{q}": percentile(ordered, q) for q in (50, 90, 99)}
    summary["max"] = ordered[-1] if ordered else math.nan
    return {key: round(value, 2) for key, value in summary.items()}


async def run_and_close(setup: Setup, stack: Stack, plan: Plan):
    clients, totals, timing = await drive(setup, stack, plan)
    await close_clients(clients)
    return clients, totals, timing


if __name__ == "__main__":
    sys.exit(main())

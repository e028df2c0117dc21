"""Hostile frames over real sockets: the server never fails a frame with a server error,
never dies, never writes half a change, never touches another workshop, and keeps
serving a well-behaved client all along.

    .venv/bin/python -m bench.fuzz --frames 100000 --sockets 8 --seed 1

A real server (the working tree), PostgreSQL and the bench's own Redis. Fuzz sockets speak
as participants, a table tablet, the workshop's organizer (console) and its projector, and
send frames from `bench.hostile` (random and mutated, reproducible from the seed); every
few dozen frames a ping waits for its pong, so the sender goes at the server's pace. A
canary participant writes a post-it every half second and must see each acknowledged and
broadcast, without an error. At the end the database is checked (see `invariants`) and one
JSON line is printed; the exit status is non-zero when anything failed.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import harness
from bench.hostile import Hostile, Ids

SYNC_EVERY = 40  # frames between two pings waited for
STALL_S = 20  # a pong later than this on an open socket: the server stalled
# A frame over the live limit (settings.LIVE_MAX_FRAME_BYTES, not a document update) gets
# the socket closed (4009): the fuzzer waits for that close before it goes on, on a new
# socket, so the frames behind it are not sent into a closing socket and lost.
CLOSING_BYTES = 64 * 1024
CANARY_EVERY_S = 0.5
CANARY_PATIENCE_S = 300  # an answer later than this: the canary goes on without it


@dataclass
class World:
    """Who the sockets are and the ids the fuzzer knows."""

    workshop_id: int
    other_workshop_id: int
    canary_workshop_id: int
    participant_keys: list[str]
    organizer_key: str
    projector_key: str
    canary_key: str
    ids: Ids
    other_rows_before: dict[str, int]


@dataclass
class Tally:
    sent: int = 0
    replies: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    closes: Counter = field(default_factory=Counter)
    reconnects: int = 0
    # Frames sent after the last pong when the server closed the socket unannounced: some
    # may never have been read.
    maybe_unread: int = 0
    stalls: list[list[str]] = field(default_factory=list)  # frames before a lost pong


class ClosedByServer(Exception):
    """The socket closed while the fuzzer waited for a pong."""


def build_world(participants: int) -> World:
    """Three workshops: the fuzzed one (groups, a tablet, post-its, a running dot vote, an
    open poll, a conclusion), another whose ids the fuzzer throws at the first, and the
    canary's own (a console's fuzz may close the fuzzed workshop: the canary must not care).
    """
    from django.contrib.auth import get_user_model

    from workshops import services
    from workshops.actors import Actor, Role
    from workshops.models import Group, Participant, Phase, Poll, PostIt, Workshop

    fixture = harness.create_workshop(participants, "Fuzz", groups=3)
    workshop_id = fixture.workshop_id
    organizer = get_user_model().objects.get(username="bench-organizer")
    lead = Actor(workshop_id, Role.ORGANIZER, user_id=organizer.pk)
    group_ids = list(Group.objects.filter(workshop_id=workshop_id).values_list("pk", flat=True))
    services.tablet_pairing_open(actor=lead, group_id=group_ids[0])
    table = Group.objects.get(pk=group_ids[0])
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    for person in Participant.objects.filter(pk__in=fixture.participant_ids[:3]):
        services.postit_create(
            actor=Actor(workshop_id, Role.PARTICIPANT, participant_id=person.pk), text="Idée"
        )
    phase = services.phase_add(
        actor=lead, title="Vote", minutes=60, scope="breakouts", activity="dot_vote"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    poll = services.poll_create(actor=lead, question="Oui ?", kind="single", options=["O", "N"])
    services.poll_open(actor=lead, poll_id=poll.pk)

    other = harness.create_workshop(2, "Another workshop", groups=1)
    other_workshop = Workshop.objects.get(pk=other.workshop_id)
    other_lead = Actor(other.workshop_id, Role.ORGANIZER, user_id=organizer.pk)
    services.postit_create(
        actor=Actor(other.workshop_id, Role.PARTICIPANT, participant_id=other.participant_ids[0]),
        text="Ailleurs",
    )
    other_poll = services.poll_create(actor=other_lead, question="Ailleurs ?", kind="scale")

    def own(model, **lookup) -> list[int]:
        return list(model.objects.filter(**lookup).values_list("pk", flat=True))

    ids = Ids(
        own=own(PostIt, workshop_id=workshop_id)
        + own(Poll, workshop_id=workshop_id)
        + own(Phase, workshop_id=workshop_id)
        + fixture.participant_ids[:5]
        + [tablet.pk, *poll.options.values_list("pk", flat=True)],
        foreign=own(PostIt, workshop_id=other.workshop_id)
        + own(Group, workshop_id=other.workshop_id)
        + [other_poll.pk, *other.participant_ids],
        groups=group_ids,
    )
    canary = harness.create_workshop(1, "Canary")
    return World(
        workshop_id=workshop_id,
        other_workshop_id=other.workshop_id,
        canary_workshop_id=canary.workshop_id,
        participant_keys=[
            *fixture.session_keys,
            session_for_participant(workshop_id, tablet.pk),
        ],
        organizer_key=session_for_user(organizer),
        projector_key=session_for_projector(workshop_id),
        canary_key=canary.session_keys[0],
        ids=ids,
        other_rows_before=rows_of(other_workshop),
    )


def session_for_participant(workshop_id: int, participant_id: int) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    from workshops.actors import SESSION_PARTICIPANTS

    session = SessionStore()
    session[SESSION_PARTICIPANTS] = {str(workshop_id): participant_id}
    session.create()
    return session.session_key


def session_for_user(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def session_for_projector(workshop_id: int) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    from workshops.actors import SESSION_PROJECTORS

    session = SessionStore()
    session[SESSION_PROJECTORS] = [workshop_id]
    session.create()
    return session.session_key


def rows_of(workshop) -> dict[str, int]:
    """How many rows another workshop has in each table: the fuzz must not change them."""
    from live.models import Event

    return {
        "postits": workshop.postits.count(),
        "clusters": workshop.clusters.count(),
        "groups": workshop.groups.count(),
        "phases": workshop.phases.count(),
        "polls": workshop.polls.count(),
        "participants": workshop.participants.count(),
        "events": Event.objects.filter(stream__workshop=workshop).count(),
    }


# --- sockets ---------------------------------------------------------------------------


async def open_socket(port: int, workshop_id: int, key: str, view: str):
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://{harness.HOST}:{port}/ws/workshops/{workshop_id}/?view={view}",
        additional_headers={"Cookie": f"sessionid={key}", "Origin": f"http://{harness.HOST}"},
        max_size=None,
        open_timeout=30,
        ping_interval=None,
    )


def note_reply(text: str, tally: Tally) -> None:
    try:
        frame = json.loads(text)
    except ValueError:
        tally.replies["unreadable"] += 1
        return
    frames = frame.get("frames", [frame]) if frame.get("type") == "batch" else [frame]
    for inner in frames:
        kind = inner.get("type")
        code = inner.get("code")
        tally.replies[f"{kind}:{code}" if code else kind] += 1
        if code == "server_error":
            tally.server_errors.append(str(inner.get("message")))


async def fuzz_socket(
    port: int, workshop_id: int, key: str, view: str, frames: list[str], tally: Tally
) -> None:
    """Send `frames` in order; reconnect whenever the server closes the socket."""
    from websockets.exceptions import ConnectionClosed

    position = 0
    while position < len(frames):
        socket = await open_socket(port, workshop_id, key, view)
        pong = asyncio.Event()

        async def read(socket=socket, pong=pong) -> None:
            async for text in socket:
                note_reply(text, tally)
                if '"pong"' in text:
                    pong.set()

        reader = asyncio.create_task(read())
        unsynced = 0  # frames sent since the last pong
        try:
            await socket.send(json.dumps({"type": "hello", "last": {}}))
            while position < len(frames):
                frame = frames[position]
                await socket.send(frame)
                position += 1
                unsynced += 1
                tally.sent += 1
                if len(frame.encode()) > CLOSING_BYTES:
                    unsynced = 0  # the frames before it were read: the server closes on it
                    await closing(reader)
                elif position % SYNC_EVERY == 0:
                    await sync(socket, pong, reader)
                    unsynced = 0
        except (ConnectionClosed, ClosedByServer):
            tally.closes[str(socket.close_code)] += 1
            tally.reconnects += 1
            tally.maybe_unread += unsynced
        except TimeoutError:
            # The server stopped answering this open socket: keep what it was sent, to look at.
            since = position - max(1, unsynced)  # an oversized frame's close: that frame
            tally.stalls.append([frame[:160] for frame in frames[since:position]])
            tally.reconnects += 1
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            await socket.close()


async def closing(reader: asyncio.Task) -> None:
    """After a frame over the limit: the server must close the socket (ClosedByServer);
    a socket still open after STALL_S is a stall (TimeoutError)."""
    await asyncio.wait({reader}, timeout=STALL_S)
    if reader.done():
        raise ClosedByServer
    raise TimeoutError


async def sync(socket, pong: asyncio.Event, reader: asyncio.Task) -> None:
    """Ping and wait for the pong: every frame before it was handled. A socket the server
    closes meanwhile (the reader ends) is no stall: it raises ClosedByServer."""
    pong.clear()
    await socket.send('{"type": "ping"}')
    answered = asyncio.create_task(pong.wait())
    try:
        await asyncio.wait({answered, reader}, timeout=STALL_S, return_when="FIRST_COMPLETED")
    finally:
        answered.cancel()
    if pong.is_set():
        return
    if reader.done():
        raise ClosedByServer
    raise TimeoutError


async def canary(port: int, world: World, stop: asyncio.Event) -> dict:
    """A well-behaved participant writing all along: every post-it acknowledged and seen.
    Closed loop (the next post-it half a second after the last one's answer), so that its
    latency is one command's, not a backlog of its own."""
    socket = await open_socket(port, world.canary_workshop_id, world.canary_key, "participant")
    await socket.send(json.dumps({"type": "hello", "last": {}}))
    sent: dict[str, float] = {}
    latencies: list[float] = []
    seen_events = 0
    errors: list[str] = []

    async def read() -> None:
        nonlocal seen_events
        async for text in socket:
            frame = json.loads(text)
            frames = frame.get("frames", [frame]) if frame.get("type") == "batch" else [frame]
            for inner in frames:
                if inner.get("type") == "ack" and inner.get("id") in sent:
                    latencies.append(time.monotonic() - sent[inner["id"]])
                    answered.set()
                elif inner.get("type") == "error":
                    errors.append(f"{inner.get('code')}: {inner.get('message')}")
                    answered.set()
                elif inner.get("name") == "postit.created" and "canary-" in text:
                    seen_events += 1

    answered = asyncio.Event()
    reader = asyncio.create_task(read())
    n = 0
    while not stop.is_set():
        n += 1
        command_id = f"canary{n}"
        sent[command_id] = time.monotonic()
        args = {"text": f"canary-{n}"}
        answered.clear()
        await socket.send(json.dumps({"type": "cmd", "id": command_id, "name": "postit.create",
                                      "args": args}))  # fmt: skip
        with contextlib.suppress(TimeoutError):  # unanswered: counted as not acknowledged
            await asyncio.wait_for(answered.wait(), CANARY_PATIENCE_S)
        await asyncio.sleep(CANARY_EVERY_S)
    await asyncio.sleep(2)
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    await socket.close()
    latencies.sort()
    return {
        "sent": n,
        "acked": len(latencies),
        "seen": seen_events,
        "errors": errors,
        "ack_ms_p50": round(harness.percentile(latencies, 50) * 1000, 1) if latencies else None,
        "ack_ms_p99": round(harness.percentile(latencies, 99) * 1000, 1) if latencies else None,
        "ack_ms_max": round(latencies[-1] * 1000, 1) if latencies else None,
    }


# --- after the storm ---------------------------------------------------------------------


def invariants(world: World) -> list[str]:
    """What must hold whatever frames arrived: no half-written change anywhere."""
    from django.db.models import Count, Max

    from live.events import EventSchemaError, validate_event
    from live.models import CommandReceipt, Event, Stream
    from workshops.models import Dot, Phase, PostIt, Workshop

    problems = []
    for stream in Stream.objects.filter(workshop_id__in=[world.workshop_id]):
        seqs = list(Event.objects.filter(stream=stream).values_list("seq", flat=True))
        if sorted(seqs) != list(range(1, stream.last_seq + 1)):
            problems.append(
                f"stream {stream.key}: events {len(seqs)} for last_seq {stream.last_seq}"
            )
    for event in Event.objects.filter(stream__workshop_id=world.workshop_id):
        try:
            validate_event(event.name, event.data)
        except EventSchemaError as error:
            problems.append(f"event {event.pk}: {error}")
    if CommandReceipt.objects.filter(result=None).exists():
        problems.append("a command receipt without its result")
    visible = PostIt.objects.filter(
        workshop_id=world.workshop_id, deleted_at=None, hidden_at=None, merged_into=None
    )
    lanes = visible.values("group", "cluster", "position").annotate(n=Count("pk")).filter(n__gt=1)
    if lanes.exists():
        problems.append(f"two post-its at one place in a lane: {list(lanes)[:3]}")
    for phase in Phase.objects.filter(workshop_id=world.workshop_id, activity="dot_vote"):
        most = (
            Dot.objects.filter(phase=phase)
            .values("participant")
            .annotate(n=Count("pk"))
            .aggregate(Max("n"))["n__max"]
        )
        if most and most > phase.dots_per_person:
            problems.append(f"a participant has {most} dots of {phase.dots_per_person}")
    other = Workshop.objects.get(pk=world.other_workshop_id)
    if rows_of(other) != world.other_rows_before:
        problems.append(
            f"the other workshop changed: {rows_of(other)} vs {world.other_rows_before}"
        )
    return problems


# --- the run ---------------------------------------------------------------------------


async def storm(port: int, world: World, options: argparse.Namespace) -> dict:
    from workshops.commands import COMMANDS

    per_socket = options.frames // options.sockets
    roles = ["console", "projector", *["participant"] * max(1, options.sockets - 2)]
    tally = Tally()
    stop = asyncio.Event()
    canary_task = asyncio.create_task(canary(port, world, stop))
    jobs = []
    for index in range(options.sockets):
        view = roles[index % len(roles)]
        key = {
            "console": world.organizer_key,
            "projector": world.projector_key,
        }.get(view) or world.participant_keys[index % len(world.participant_keys)]
        hostile = Hostile(options.seed * 1000 + index, world.ids, list(COMMANDS))
        frames = list(hostile.frames(per_socket))
        jobs.append(fuzz_socket(port, world.workshop_id, key, view, frames, tally))
    started = time.monotonic()
    await asyncio.gather(*jobs)
    elapsed = time.monotonic() - started
    stop.set()
    canary_report = await canary_task
    return {
        "frames_sent": tally.sent,
        "seconds": round(elapsed, 1),
        "frames_per_s": round(tally.sent / elapsed) if elapsed else None,
        "server_errors": len(tally.server_errors),
        "server_error_samples": tally.server_errors[:5],
        "replies": dict(tally.replies.most_common(25)),
        "closes_by_server": dict(tally.closes),
        "reconnects": tally.reconnects,
        "frames_maybe_unread": tally.maybe_unread,
        "stalls": len(tally.stalls),
        "stall_samples": tally.stalls[:2],
        "canary": canary_report,
    }


def run(options: argparse.Namespace) -> dict:
    config = harness.StackConfig()
    harness.ensure_database(config)
    harness.setup_django(config)
    harness.raise_open_files_limit()
    world = build_world(participants=max(4, options.sockets))
    logs = harness.RESULTS_DIR / f"fuzz-{os.getpid()}"  # runs side by side keep their own
    redis = harness.RedisServer(harness.free_port(), "0-1", logs.with_suffix(".redis.log"))
    redis.start()
    env = config.server_env("pubsub")
    env.update(REDIS_URL=redis.url, LIVE_RATE_LIMITS=json.dumps(FUZZ_LIMITS))
    server = harness.ServerProcess(env, harness.free_port(), "0-1", logs.with_suffix(".log"))
    try:
        server.start()
        report = asyncio.run(storm(server.port, world, options))
        report["server_alive"] = server.process.poll() is None
        report["server_tracebacks"] = server.log_problems()
        report["server_log"] = str(server.log_path)
    finally:
        server.stop()
        redis.stop()
    from django.db import connections

    connections.close_all()
    report["invariant_violations"] = invariants(world)
    canary_report = report["canary"]
    report["ok"] = (
        report["server_errors"] == 0
        and report["stalls"] == 0
        and report["server_alive"]
        and report["server_tracebacks"] == 0
        and not report["invariant_violations"]
        and not canary_report["errors"]
        and canary_report["acked"] == canary_report["sent"]
        and canary_report["seen"] == canary_report["sent"]
    )
    report.update(scenario="fuzz", seed=options.seed, sockets=options.sockets)
    return report


# The fuzz sockets are hostile on purpose; their flood of valid-looking commands would
# mostly meet `slow_down`: loosen the commands' paces so that they reach the services
# (hellos keep theirs: each costs a catch-up that every socket waits behind).
FUZZ_LIMITS = {name: [100_000, 100_000] for name in ("postits", "edits", "votes", "hands")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--sockets", type=int, default=8)
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(10**6))
    options = parser.parse_args(argv)
    report = run(options)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Poll storm: N participants answer one live poll within a few seconds, counted exactly.

A scenario of bench.run: N participant sockets follow a workshop where a single-choice poll
(4 options, results shown live) is open; each participant answers once within `--window`
seconds, on schedule; some re-send the same command id (a retry), some change their answer
with a new id. Then every socket must end up holding the tally frame that shows exactly
what PostgreSQL counted.
"""

import asyncio
import itertools
import math
import random
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field, replace

from bench.clients import Client, Item, close_all
from bench.clients import Tally as Counters
from bench.harness import (
    CpuUse,
    WorkshopFixture,
    cpu_by_command,
    create_workshop,
    percentile,
    summarize_ms,
    top_other_commands,
)
from bench.scenarios import MAX_SEND_LAG_MS, SATURATED

LABELS = ("A", "B", "C", "D")  # the poll's options, in order


# --- fixtures (benchmark process, in-memory layer) ----------------------------------------


@dataclass(frozen=True)
class PollFixture:
    workshop: WorkshopFixture
    poll_id: int
    option_ids: tuple[int, ...]  # in the order of LABELS
    participant_ids: tuple[int, ...]  # participant of session_keys[i]


def create_poll_fixture(participants: int, title: str) -> PollFixture:
    """A workshop with `participants` guests and an open single-choice poll, results live."""
    from django.db import connections

    from workshops import services
    from workshops.actors import Actor, Role
    from workshops.models import Workshop

    fixture = create_workshop(participants, title)  # its organizer is "bench-organizer"
    workshop = Workshop.objects.get(pk=fixture.workshop_id)
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    poll = services.poll_create(
        actor=lead, question=f"{title}?", kind="single", options=list(LABELS), results="live"
    )
    services.poll_open(actor=lead, poll_id=poll.pk)
    option_ids = tuple(poll.options.order_by("position").values_list("pk", flat=True))
    connections.close_all()
    return PollFixture(fixture, poll.pk, option_ids, tuple(fixture.participant_ids))


def read_poll_state(fixture: PollFixture, answering: list[int]) -> dict:
    """What PostgreSQL holds after the storm (called in a worker thread: Django's ORM is
    sync-only). `answering` lists the client indexes that sent answers."""
    from django.db import connection

    from live.models import CommandReceipt
    from workshops.models import PollAnswer

    try:
        rows = list(
            PollAnswer.objects.filter(poll_id=fixture.poll_id).values_list(
                "participant_id", "respondent", "choices"
            )
        )
        actors = [f"p:{fixture.participant_ids[index]}" for index in answering]
        receipts = CommandReceipt.objects.filter(name="poll.answer", actor__in=actors).count()
    finally:
        connection.close()
    label_of = dict(zip(fixture.option_ids, LABELS, strict=True))
    stored = {}  # (participant id, respondent) -> the label(s) of their answer
    per_option = Counter(dict.fromkeys(LABELS, 0))
    for participant_id, respondent, choices in rows:
        labels = [label_of.get(choice, "?") for choice in choices]
        per_option.update(labels)
        stored[(participant_id, respondent)] = "+".join(labels)
    return {
        "rows": len(rows),
        "per_option": dict(per_option),
        "stored": stored,
        "receipts": receipts,
    }


# --- the storm: who sends what, when --------------------------------------------------------


@dataclass(frozen=True)
class Command:
    at: float  # seconds after the storm starts
    client: int  # index of the socket (and of the session key)
    id: str  # the command id: a retry repeats it, a change gets a new one
    option: int  # index in LABELS
    kind: str  # "answer", "retry" or "change"


def plan_storm(clients: int, options, rng: random.Random) -> tuple[list[Command], list[int]]:
    """The schedule (sorted by time) and the option each client ends with.

    Every time falls inside [0, window]: first answers uniformly; a retry (the same frame
    again, as a client does when its socket dropped before the ack) 20–500 ms after its
    answer; a change (another option, a new id) uniformly between the answer and the end.
    A retry may arrive after the change: it must then change nothing (the receipt answers).
    """
    window = options.window
    retrying = set(rng.sample(range(clients), round(options.retries * clients)))
    changing = set(rng.sample(range(clients), round(options.changes * clients)))
    schedule, final = [], []
    for client in range(clients):
        at, option = rng.uniform(0, window), rng.randrange(len(LABELS))
        answer = Command(at, client, f"storm-{client}-a", option, "answer")
        schedule.append(answer)
        if client in retrying:
            schedule.append(
                replace(answer, at=min(window, at + rng.uniform(0.02, 0.5)), kind="retry")
            )
        if client in changing:
            option = rng.choice([other for other in range(len(LABELS)) if other != option])
            schedule.append(
                Command(rng.uniform(at, window), client, f"storm-{client}-c", option, "change")
            )
        final.append(option)
    schedule.sort(key=lambda command: command.at)
    return schedule, final


# --- what the sockets saw ------------------------------------------------------------------

RESPONDENTS = re.compile(r'class="respondents">([^<]*)</p>')
CHART_DESC = re.compile(r"<desc[^>]*>([^<]*)</desc>")  # "A: 1 000 (25 %); B: …"
CHART_ENTRY = re.compile(r"([^:;]+): ([^(]*)\(")

Shown = tuple[int, tuple[int, ...]]  # (respondents, count per option in LABELS order)


def digits(text: str) -> int:
    """'1 000 réponses' -> 1000 (French groups digits with a narrow no-break space)."""
    return int(re.sub(r"\D", "", text) or 0)


def parse_tally(html: str) -> Shown:
    """What a public tally fragment shows: respondents and the chart's counts."""
    found = RESPONDENTS.search(html)
    counts = dict.fromkeys(LABELS, 0)
    desc = CHART_DESC.search(html)
    for label, value in CHART_ENTRY.findall(desc.group(1) if desc else ""):
        counts[label.strip()] = digits(value)
    return (digits(found.group(1)) if found else 0), tuple(counts[label] for label in LABELS)


@dataclass
class StormLog:
    topic: str  # "poll:<id>": the tally frames that matter
    clients: int
    # sends and their answers; a retry reuses an id, so each key has a queue of send times
    pending: dict[tuple[int, str], deque] = field(default_factory=dict)
    sent: Counter = field(default_factory=Counter)  # by kind
    send_failed: int = 0
    last_answer_wall_ns: int = 0  # wall clock (same clock as tally versions)
    last_answer_ns: int = 0  # monotonic
    first_send_ns: int = 0
    last_reply_ns: int = 0  # the last ack or error
    last_answer_reply_ns: int = 0  # the last one to a first answer or a change (not a retry)
    max_lag_ms: float = 0.0
    acks: int = 0
    errors: Counter = field(default_factory=Counter)
    ack_latency_ns: list[int] = field(default_factory=list)
    # tallies: per client, (arrival, version) in arrival order; the HTML once per version
    tallies: list[list[tuple[int, int]]] = field(default_factory=list)
    html: dict[int, str] = field(default_factory=dict)
    other_frames: Counter = field(default_factory=Counter)
    closed_by_server: int = 0

    def __post_init__(self) -> None:
        self.tallies = [[] for _ in range(self.clients)]

    @property
    def answered(self) -> int:
        return self.acks + sum(self.errors.values())

    def note_sent(self, command: Command) -> None:
        now_ns = time.monotonic_ns()
        self.first_send_ns = self.first_send_ns or now_ns
        self.pending.setdefault((command.client, command.id), deque()).append(
            (now_ns, command.kind)
        )
        self.sent[command.kind] += 1
        if command.kind != "retry":  # a retry is the same answer again, not a new one
            self.last_answer_ns, self.last_answer_wall_ns = now_ns, time.time_ns()

    def on_answer(self, client: int, frame: dict, now_ns: int) -> None:
        # One socket's commands are handled in order, so acks come back in send order.
        queue = self.pending.get((client, frame.get("id")))
        if not queue:
            self.other_frames[f"{frame['type']} without a command"] += 1
            return
        sent_ns, kind = queue.popleft()
        self.ack_latency_ns.append(now_ns - sent_ns)
        self.last_reply_ns = now_ns
        if kind != "retry":
            self.last_answer_reply_ns = max(self.last_answer_reply_ns, now_ns)
        if frame["type"] == "ack":
            self.acks += 1
        else:
            self.errors[frame.get("code", "?")] += 1


def version_ns(version: int) -> int:
    """A tally's version is the server's wall clock when it read the state: nanoseconds
    before eb69ae8, microseconds since (exact in JavaScript). Compared here in nanoseconds."""
    return version * 1000 if version < 10**17 else version


def hook(client: Client, log: StormLog) -> None:
    """Route the client's replies and this poll's tallies into the storm's log."""
    index = client.index

    def on_reply(frame: dict, now: int) -> None:
        log.on_answer(index, frame, now)

    def on_tally(item: Item, now: int) -> None:
        _kind, topic, version, html = item
        if topic == log.topic:
            version = version_ns(version)
            log.tallies[index].append((now, version))
            log.html.setdefault(version, html)

    client.on_reply, client.on_tally = on_reply, on_tally


async def send_storm(
    schedule: list[Command], clients: list[Client], log: StormLog, poll: PollFixture
) -> None:
    """Open loop: each command leaves on schedule, whatever the server answered so far."""
    start = time.monotonic()
    for command in schedule:
        due = start + command.at
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        log.max_lag_ms = max(log.max_lag_ms, (time.monotonic() - due) * 1000)
        frame = {
            "type": "cmd",
            "id": command.id,
            "name": "poll.answer",
            "args": {"poll": poll.poll_id, "answer": poll.option_ids[command.option]},
        }
        log.note_sent(command)
        if not clients[command.client].send(frame):
            log.pending[(command.client, command.id)].pop()  # never left: no answer due
            log.sent[command.kind] -= 1
            log.send_failed += 1


def held_tally(log: StormLog, client: int, parsed: dict[int, Shown]) -> tuple[int, Shown | None]:
    """The newest version this client got (a client ignores older ones) and what it shows."""
    if not log.tallies[client]:
        return 0, None
    version = max(version for _at, version in log.tallies[client])
    if version not in parsed:
        parsed[version] = parse_tally(log.html[version])
    return version, parsed[version]


def final_arrival(log: StormLog, client: int, final: Shown, parsed: dict[int, Shown]) -> int | None:
    """When this client first got the final tally: the first frame showing the final counts
    whose version (server wall clock, taken before reading) is after the last answer left.
    The version test keeps an earlier frame that happened to show the same counts out."""
    for arrived, version in log.tallies[client]:
        if version < log.last_answer_wall_ns:
            continue
        if version not in parsed:
            parsed[version] = parse_tally(log.html[version])
        if parsed[version] == final:
            return arrived
    return None


async def wait_for_silence(log: StormLog, quiet_s: float, deadline: float) -> None:
    def received() -> int:
        return sum(len(frames) for frames in log.tallies)

    seen, since = received(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet_s:
        await asyncio.sleep(0.1)
        if received() != seen:
            seen, since = received(), time.monotonic()


async def wait_until(condition, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


# --- the scenario ------------------------------------------------------------------------


async def scenario(run, connect_participants) -> dict:
    """bench.run's `storm`: fixtures, sockets, the storm, PostgreSQL's count, the tallies."""
    options = run.options
    poll = await asyncio.to_thread(
        create_poll_fixture, run.size + 1, f"bench storm {run.size}"
    )  # + a warm-up guest
    run.fixture = poll.workshop
    clients, connecting = await connect_participants(run, poll.workshop.session_keys, Counters())
    if not clients:
        return {**connecting, "error": "no client connected"}
    # Clients that connected are renumbered 0..M-1; `session_of` maps them back.
    session_of = [client.index for client in clients]
    log = StormLog(topic=f"poll:{poll.poll_id}", clients=len(clients))
    for number, client in enumerate(clients):
        client.index = number
        hook(client, log)
    schedule, final_options = plan_storm(len(clients), options, random.Random(options.seed))
    try:
        processes_before = cpu_by_command()
        storm_start = run.snapshot()
        await send_storm(schedule, clients, log, poll)
        sending_done = run.snapshot()
        deadline = time.monotonic() + options.drain + 40
        all_answered = await wait_until(lambda: log.answered >= log.sent.total(), deadline)
        db = await asyncio.to_thread(read_poll_state, poll, session_of)
        final: Shown = (db["rows"], tuple(db["per_option"].get(label, 0) for label in LABELS))
        parsed: dict[int, Shown] = {}

        def everyone_has_final() -> bool:
            return all(
                version >= log.last_answer_wall_ns and shown == final
                for version, shown in (held_tally(log, c, parsed) for c in range(len(clients)))
            )

        all_final = await wait_until(everyone_has_final, deadline)
        storm_end = run.snapshot()
        processes_after = cpu_by_command()
        # Shown frames still in flight (a flush scheduled just before the last one read
        # the final state) would otherwise count as missing: wait for 1 s of silence.
        await wait_for_silence(log, quiet_s=1.0, deadline=time.monotonic() + 10)
    finally:
        await close_all(clients)

    sending = CpuUse.between(storm_start, sending_done)
    storm = CpuUse.between(storm_start, storm_end)
    figures = {
        **connecting,
        "window_s": options.window,
        "retries": options.retries,
        "changes": options.changes,
        "seed": options.seed,
        **command_figures(log, all_answered),
        **exactness_figures(db, poll, session_of, final_options, all_answered),
        **tally_figures(log, final, parsed, all_final),
        "server_cpu_s": round(storm.server, 2),
        "server_core_share_storm": round(storm.share(storm.server), 2),
        "server_core_share_sending": round(sending.share(sending.server), 2),
        "redis_cpu_s": round(storm.redis, 2),
        "loadgen_core_share_sending": round(sending.share(sending.loadgen), 2),
        "loadgen_core_share_storm": round(storm.share(storm.loadgen), 2),
        "storm_s": round(storm.wall, 2),
        "others_cpu_s": round(storm.other_processes, 2),
        "others_core_share": round(storm.share(storm.other_processes), 2),
        "others_top_cpu_s": top_other_commands(processes_before, processes_after, run.own_pids()),
        "interrupts_cpu_s": round(storm.interrupts, 2),
        "steal_cpu_s": round(storm.steal, 2),
    }
    figures["valid"] = judge_validity(figures)
    return figures


def command_figures(log: StormLog, all_answered: bool) -> dict:
    busy_s = (log.last_reply_ns - log.first_send_ns) / 1e9
    return {
        "commands_sent": {**dict(log.sent), "total": log.sent.total()},
        "send_failed": log.send_failed,
        "sender_max_lag_ms": round(log.max_lag_ms, 1),
        "acks": log.acks,
        "errors": dict(log.errors),
        "unanswered": log.sent.total() - log.answered,
        "all_answered_before_deadline": all_answered,
        "ack_ms": summarize_ms(log.ack_latency_ns),
        # How fast the server worked through the storm: replies per second from the first
        # command sent to the last reply (below the sending rate: a queue built up).
        "replies_per_s": round(log.answered / busy_s, 1) if busy_s > 0 else math.nan,
        "last_reply_after_last_answer_ms": round((log.last_reply_ns - log.last_answer_ns) / 1e6, 1),
    }


def exactness_figures(
    db: dict, poll: PollFixture, session_of: list[int], final_options: list[int], settled: bool
) -> dict:
    """PostgreSQL against the schedule: one answer per participant, each their last one.

    `exact` is None (unknown) when some commands were still unanswered at the deadline:
    PostgreSQL was read before the storm was over."""
    expected = dict.fromkeys(LABELS, 0)
    mismatched = 0
    for client, option in enumerate(final_options):
        expected[LABELS[option]] += 1
        participant = poll.participant_ids[session_of[client]]
        mismatched += db["stored"].get((participant, 0)) != LABELS[option]
    return {
        "counted": db["rows"],
        "counted_expected": len(final_options),
        "per_option": db["per_option"],
        "per_option_expected": expected,
        "participants_with_another_answer": mismatched,  # missing, or not their last answer
        "receipts": db["receipts"],  # one per distinct command id (answers + changes)
        "exact": (
            db["rows"] == len(final_options) and db["per_option"] == expected and mismatched == 0
        )
        if settled
        else None,
    }


def tally_figures(log: StormLog, final: Shown, parsed: dict[int, Shown], all_final: bool) -> dict:
    """Did the final tally reach everyone, how fast, and how many tally frames it took."""
    arrivals = [final_arrival(log, client, final, parsed) for client in range(log.clients)]
    arrived_ns = sorted(arrived for arrived in arrivals if arrived is not None)
    after_last_answer = [(arrived - log.last_answer_ns) / 1e6 for arrived in arrived_ns]
    per_client = [len(frames) for frames in log.tallies]
    versions = sorted({version for frames in log.tallies for _at, version in frames})
    gaps = [(b - a) / 1e6 for a, b in itertools.pairwise(versions)]
    span_s = (versions[-1] - versions[0]) / 1e9 if len(versions) > 1 else 0.0
    received = sum(per_client)
    answers = log.sent["answer"] + log.sent["change"]
    return {
        "final_tally": {
            "respondents": final[0],
            "per_option": dict(zip(LABELS, final[1], strict=True)),
        },
        "clients_with_final_tally": sum(arrived is not None for arrived in arrivals),
        "all_clients_got_final_tally": all_final,
        # From the moment the last answer (first answer or change) left to the moment the
        # client got the final tally; "max" is the last client.
        "final_tally_after_last_answer_ms": {
            "p50": round(percentile(after_last_answer, 50), 1),
            "p99": round(percentile(after_last_answer, 99), 1),
            "max": round(after_last_answer[-1], 1) if after_last_answer else math.nan,
        },
        # From the last reply to an answer (the final state was committed before it) to the
        # last client: the coalescing delay, the render and the fan-out, without the queue
        # of commands. (A flush already due may read the final state before that reply.)
        "final_tally_after_last_reply_ms": round(
            (arrived_ns[-1] - log.last_answer_reply_ns) / 1e6, 1
        )
        if arrived_ns
        else math.nan,
        "tally_frames_received": received,
        "tally_frames_per_client": {
            "mean": round(received / log.clients, 1),
            "max": max(per_client),
        },
        "tally_versions": len(versions),
        "tally_versions_per_s": round((len(versions) - 1) / span_s, 2) if span_s > 0 else math.nan,
        # Between consecutive versions (server clock): 200 ms apart by design.
        "tally_gap_ms": {
            "min": round(min(gaps), 1) if gaps else math.nan,
            "p50": round(percentile(sorted(gaps), 50), 1),
            "under_150": sum(gap < 150 for gap in gaps),
        },
        "tally_frames_missing": len(versions) * log.clients - received,
        "tally_frames_out_of_order": sum(
            any(b[1] < a[1] for a, b in itertools.pairwise(frames)) for frames in log.tallies
        ),
        # What one frame per answer to every client would have cost.
        "frames_without_coalescing": answers * log.clients,
        "other_frames": dict(log.other_frames),
        "sockets_closed_by_server": log.closed_by_server,
    }


def judge_validity(report: dict) -> bool:
    """Every client connected and the generator kept its schedule and had CPU to spare
    (while sending, and while receiving the tallies it times)."""
    return (
        report["connect_failures"] == 0
        and report["sender_max_lag_ms"] < MAX_SEND_LAG_MS
        and report["loadgen_core_share_sending"] < SATURATED
        and report["loadgen_core_share_storm"] < SATURATED
    )

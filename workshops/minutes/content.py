"""What the minutes say, read from the database and the event log in a fixed number of
queries (a workshop of 2,000 post-its costs the same dozen queries as one of ten).

Only what was visible at the end is reported: post-its deleted by their authors or hidden
by the facilitators are counted, never shown; open answers the facilitators did not
approve likewise. Names appear only in named minutes, and authors never in a workshop
with anonymous post-its.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse

from live import streams
from live.models import Event
from workshops import links
from workshops.models import (
    Cluster,
    Conclusion,
    Dot,
    Group,
    Participant,
    Phase,
    Poll,
    PostIt,
    Workshop,
)
from workshops.selectors import PollResults, poll_results

PHASE_LOG_EVENTS = (
    "phase.started",
    "phase.paused",
    "phase.resumed",
    "phase.extended",
    "phase.ended",
    "workshop.closed",
)


@dataclass
class PhaseTiming:
    """A phase as it ran: from the event log, its running time without pauses."""

    phase: Phase
    active: timedelta | None = None
    pauses: int = 0
    extensions: int = 0

    @property
    def elapsed(self) -> timedelta | None:
        if self.phase.started_at and self.phase.ended_at:
            return self.phase.ended_at - self.phase.started_at
        return None


@dataclass
class PlaceCount:
    """Who joined, for one place (the plenary or a group): people in the room, remote,
    table tablets and scribes."""

    group: Group | None
    room: int = 0
    remote: int = 0
    tablets: int = 0
    scribes: int = 0
    names: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.room + self.remote


@dataclass
class PostItEntry:
    postit: PostIt
    dots: int
    merged_texts: list[str]
    author: str  # empty unless the minutes are named and post-its not anonymous


@dataclass
class Lane:
    cluster: Cluster | None
    entries: list[PostItEntry]

    @property
    def dots(self) -> int:
        return sum(entry.dots for entry in self.entries)


@dataclass
class BoardRecord:
    group: Group | None
    lanes: list[Lane]
    conclusion: Conclusion | None

    @property
    def entries(self) -> list[PostItEntry]:
        return [entry for lane in self.lanes for entry in lane.entries]


@dataclass
class ConclusionVote:
    """The plenary's dot vote on the groups' conclusions, in one phase."""

    phase: Phase
    ranking: list[tuple[Group, int]]


@dataclass
class MinutesData:
    workshop: Workshop
    named: bool
    facilitators: list[str]
    timings: list[PhaseTiming]
    places: list[PlaceCount]
    boards: list[BoardRecord]
    polls: list[tuple[Phase | None, list[PollResults]]]
    conclusion_votes: list[ConclusionVote]
    withheld: dict[str, int]  # what is counted but not shown: hidden, deleted, unapproved
    totals: dict[str, int]
    generated_at: datetime

    @property
    def show_authors(self) -> bool:
        return self.named and not self.workshop.anonymous

    def link(self, path: str) -> str:
        """An absolute link for a reader of the minutes (PUBLIC_URL when set)."""
        return links.absolute(path)

    def workshop_link(self) -> str:
        return self.link(reverse("join", args=[self.workshop.join_code]))


def gather(workshop: Workshop, *, named: bool, now: datetime) -> MinutesData:
    participants = {p.pk: p for p in Participant.objects.filter(workshop=workshop)}
    groups = list(Group.objects.filter(workshop=workshop).order_by("position", "id"))
    phases = list(Phase.objects.filter(workshop=workshop).order_by("position", "id"))
    timings = phase_timings(workshop, phases)
    postits = list(
        PostIt.objects.filter(workshop=workshop).order_by("position", "created_at", "id")
    )
    boards, withheld = boards_of(workshop, groups, participants, postits, named=named)
    polls, unapproved = polls_by_phase(workshop, timings)
    withheld["unapproved_answers"] = unapproved
    dots = Dot.objects.filter(phase__workshop=workshop)
    return MinutesData(
        workshop=workshop,
        named=named,
        facilitators=facilitator_names(workshop),
        timings=timings,
        places=attendance(groups, participants.values(), named=named),
        boards=boards,
        polls=polls,
        conclusion_votes=conclusion_votes(workshop, phases, groups),
        withheld=withheld,
        totals={
            "participants": sum(
                1 for p in participants.values() if p.kind == Participant.Kind.PERSON
            ),
            "postits": sum(len(board.entries) for board in boards),
            "dots": dots.count(),
            "answers": sum(results.respondents for _, polls in polls for results in polls),
            "contributors": len(
                {p.author_id for p in postits if p.deleted_at is None and p.hidden_at is None}
            ),
        },
        generated_at=now,
    )


def facilitator_names(workshop: Workshop) -> list[str]:
    """The organizer, then the co-facilitators: their full names, else their usernames.
    Never their e-mail addresses."""
    organizer = workshop.organizer
    others = get_user_model().objects.filter(facilitated_workshops=workshop).order_by("username")
    return [public_name(user) for user in [organizer, *others]]


def public_name(user) -> str:
    """Some sites use e-mail addresses as usernames: only the part before the @ is shown."""
    name = user.get_full_name() or user.get_username()
    return name.split("@", 1)[0] if "@" in name else name


def phase_timings(workshop: Workshop, phases: list[Phase]) -> list[PhaseTiming]:
    """Running time, pauses and extensions of each phase, replayed from the workshop's log.

    Starting a phase ends the one under way without a `phase.ended` of its own, and
    closing the workshop ends the last one: the replay follows the services' rules.
    """
    timing = {phase.pk: PhaseTiming(phase) for phase in phases}
    events = Event.objects.filter(
        stream__workshop=workshop, stream__key=streams.WORKSHOP, name__in=PHASE_LOG_EVENTS
    ).order_by("seq")
    current: int | None = None
    since: datetime | None = None

    def stop(at: datetime) -> None:
        nonlocal since
        if current in timing and since is not None:
            record = timing[current]
            record.active = (record.active or timedelta()) + (at - since)
        since = None

    for name, data, at in events.values_list("name", "data", "created_at"):
        phase_id = data.get("phase")
        if name == "phase.started":
            stop(at)
            current, since = phase_id, at
        elif name == "phase.paused" and phase_id == current:
            stop(at)
            if phase_id in timing:
                timing[phase_id].pauses += 1
        elif name == "phase.resumed" and phase_id == current:
            since = at
        elif name == "phase.extended" and phase_id in timing:
            timing[phase_id].extensions += 1
        elif (name == "phase.ended" and phase_id == current) or name == "workshop.closed":
            stop(at)
            current = None
    return [timing[phase.pk] for phase in phases]


def attendance(groups: list[Group], participants, *, named: bool) -> list[PlaceCount]:
    """Everyone who joined, counted where they were at the end: the plenary (no group)
    first, then each group. Names only in named minutes, tablets never (they are tables)."""
    places: dict[int | None, PlaceCount] = {None: PlaceCount(None)}
    places.update({group.pk: PlaceCount(group) for group in groups})
    for participant in sorted(participants, key=lambda p: (p.display_name.casefold(), p.pk)):
        place = places.get(participant.group_id, places[None])
        if participant.kind == Participant.Kind.TABLET:
            place.tablets += 1
            continue
        if participant.kind == Participant.Kind.SCRIBE:
            place.scribes += 1
        elif participant.location == Participant.Location.ROOM:
            place.room += 1
        else:
            place.remote += 1
        if named:
            place.names.append(participant.display_name)
    return list(places.values())


def boards_of(
    workshop: Workshop,
    groups: list[Group],
    participants: dict[int, Participant],
    postits: list[PostIt],
    *,
    named: bool,
) -> tuple[list[BoardRecord], dict[str, int]]:
    """Each board (the plenary's, then each group's): its lanes in board order, each lane's
    post-its by votes, then by place on the board. Merged post-its show inside the one
    they were merged into; hidden and deleted ones are only counted."""
    withheld = {"hidden": 0, "deleted": 0}
    dots = dict(
        Dot.objects.filter(phase__workshop=workshop, postit__isnull=False)
        .values("postit")
        .annotate(count=Count("id"))
        .values_list("postit", "count")
    )
    merged: dict[int, list[str]] = defaultdict(list)
    shown: list[PostIt] = []
    for postit in postits:
        if postit.deleted_at is not None:
            withheld["deleted"] += 1
        elif postit.hidden_at is not None:
            withheld["hidden"] += 1
        elif postit.merged_into_id is not None:
            merged[postit.merged_into_id].append(postit.text)
        else:
            shown.append(postit)
    groups_by_id = {group.pk: group for group in groups}
    show_authors = named and not workshop.anonymous
    clusters = list(Cluster.objects.filter(workshop=workshop))
    conclusions = {c.group_id: c for c in Conclusion.objects.filter(workshop=workshop)}
    boards = []
    for group in [None, *groups]:
        group_id = group.pk if group else None
        lanes = {None: Lane(None, [])}
        for cluster in clusters:
            if cluster.group_id == group_id:
                lanes[cluster.pk] = Lane(cluster, [])
        for postit in shown:
            if postit.group_id != group_id:
                continue
            author = author_label(postit, participants, groups_by_id) if show_authors else ""
            entry = PostItEntry(postit, dots.get(postit.pk, 0), merged[postit.pk], author)
            lanes.get(postit.cluster_id, lanes[None]).entries.append(entry)
        ordered = [lane for key, lane in lanes.items() if key is not None] + [lanes[None]]
        for lane in ordered:
            lane.entries.sort(key=lambda entry: -entry.dots)  # stable: board order kept
        record = BoardRecord(group, ordered, conclusions.get(group_id) if group else None)
        if group is not None or record.entries:
            boards.append(record)
    return boards, withheld


def author_label(
    postit: PostIt, participants: dict[int, Participant], groups: dict[int, Group]
) -> str:
    """Who wrote a post-it, in named minutes: a person's display name; at a table's
    tablet the first name typed with it; a scribe's paper post-it, its table."""
    author = participants.get(postit.author_id)
    if author is None:
        return ""
    if author.kind == Participant.Kind.TABLET:
        return postit.signature
    if author.kind == Participant.Kind.SCRIBE:
        table = groups.get(postit.on_behalf_of_id)
        return table.name if table else ""
    return author.display_name


def polls_by_phase(
    workshop: Workshop, timings: list[PhaseTiming]
) -> tuple[list[tuple[Phase | None, list[PollResults]]], int]:
    """Every poll that was opened, under the phase it belongs to (prepared for it, else
    the one under way when it opened; None for the others), in agenda order."""
    polls = list(
        Poll.objects.filter(workshop=workshop)
        .exclude(status=Poll.Status.DRAFT)
        .select_related("group")
        .prefetch_related("options", "answers")
        .order_by("opened_at", "id")
    )
    by_phase: dict[int | None, list[PollResults]] = defaultdict(list)
    unapproved = 0
    for poll in polls:
        results = poll_results(poll)
        unapproved += len(results.pending)
        by_phase[poll.phase_id or phase_at(poll.opened_at, timings)].append(results)
    ordered = [
        (timing.phase, by_phase[timing.phase.pk])
        for timing in timings
        if by_phase.get(timing.phase.pk)
    ]
    if by_phase.get(None):
        ordered.append((None, by_phase[None]))
    return ordered, unapproved


def phase_at(moment: datetime | None, timings: list[PhaseTiming]) -> int | None:
    if moment is None:
        return None
    for timing in timings:
        started, ended = timing.phase.started_at, timing.phase.ended_at
        if started and started <= moment and (ended is None or moment <= ended):
            return timing.phase.pk
    return None


def conclusion_votes(
    workshop: Workshop, phases: list[Phase], groups: list[Group]
) -> list[ConclusionVote]:
    """For each phase in which the plenary voted on conclusions, the groups ranked."""
    rows = (
        Dot.objects.filter(phase__workshop=workshop, conclusion__isnull=False)
        .values("phase", "conclusion__group")
        .annotate(count=Count("id"))
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        counts[row["phase"]][row["conclusion__group"]] = row["count"]
    votes = []
    for phase in phases:
        if phase.pk not in counts:
            continue
        ranking = sorted(
            ((group, counts[phase.pk].get(group.pk, 0)) for group in groups),
            key=lambda pair: (-pair[1], pair[0].position, pair[0].pk),
        )
        votes.append(ConclusionVote(phase, ranking))
    return votes

"""Read-only queries of the workshop domain. Templates get what they show, without N+1."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from live import streams
from live.models import Stream
from workshops.actors import Actor, Role
from workshops.models import (
    JOIN_CODE_LENGTH,
    PRESENT_WITHIN,
    Broadcast,
    Cluster,
    Conclusion,
    Dot,
    Export,
    Group,
    Job,
    Participant,
    Phase,
    Poll,
    PollAnswer,
    PollOption,
    PostIt,
    Workshop,
)
from workshops.services.common import fold


def normalize_join_code(raw: str) -> str:
    """People type codes with spaces, dashes or in lower case."""
    return "".join(char for char in raw.upper() if char.isalnum())[: JOIN_CODE_LENGTH * 2]


def workshop_by_code(raw_code: str) -> Workshop | None:
    return Workshop.objects.filter(join_code=normalize_join_code(raw_code)).first()


def joinable_workshop_by_code(raw_code: str) -> Workshop | None:
    """A workshop guests may join: templates only serve to start new workshops."""
    return Workshop.objects.filter(
        join_code=normalize_join_code(raw_code), is_template=False
    ).first()


def led_workshops(user) -> list[Workshop]:
    """The workshops and templates `user` organizes or facilitates, newest first."""
    return list(
        Workshop.objects.filter(Q(organizer=user) | Q(facilitators=user))
        .distinct()
        .order_by("-created_at", "-id")
    )


def workshop_facilitators(workshop_id: int) -> QuerySet:
    """The co-facilitators an organizer sees on the settings page."""
    return get_user_model().objects.filter(facilitated_workshops=workshop_id).order_by("username")


def visible_postits() -> QuerySet[PostIt]:
    """Post-its on a board: not deleted, hidden or merged into another, ready to render."""
    merged = PostIt.objects.filter(deleted_at=None, hidden_at=None).order_by("created_at", "id")
    return (
        PostIt.objects.filter(deleted_at=None, hidden_at=None, merged_into=None)
        .select_related("author", "on_behalf_of", "workshop")
        .prefetch_related(Prefetch("merged", queryset=merged, to_attr="merged_list"))
    )


def board_postits(*, workshop_id: int, group_id: int | None) -> QuerySet[PostIt]:
    return visible_postits().filter(workshop_id=workshop_id, group_id=group_id)


# What the post-it partial shows (workshops/partials/postit.html and postit_origin.html),
# and where it goes: a fragment for one post-it reads these columns and no others, as every
# post-it written renders one.
POSTIT_DISPLAY_FIELDS = (
    *("text", "color", "signature", "author_id", "on_behalf_of_id"),
    *("workshop_id", "group_id", "cluster_id"),
    *("workshop__anonymous", "author__display_name", "author__location", "on_behalf_of__name"),
)


def postit_for_display(postit_id: int, *, merged: bool = True) -> PostIt | None:
    """One post-it, ready for the post-it partial. `merged=False` skips reading the texts
    merged into it (no `merged_list`): for a new post-it (`fragments._new_postit`)."""
    postits = visible_postits().only(*POSTIT_DISPLAY_FIELDS).filter(pk=postit_id)
    return (postits if merged else postits.prefetch_related(None)).first()


@dataclass
class VoteResults:
    """A board's dot vote: counts per post-it, shown live or once the vote has ended."""

    phase: Phase
    visible: bool
    used: int
    counts: dict[int, int]
    ranked_postits: list[tuple[PostIt, int]]
    ranked_clusters: list[tuple[Cluster, int]]


@dataclass
class Lane:
    """A column of a board: a cluster's post-its, or those not sorted yet (no cluster)."""

    board_dom_id: str
    cluster: Cluster | None
    postits: list[PostIt]

    @property
    def dom_id(self) -> str:
        return lane_dom_id(self.board_dom_id, self.cluster.pk if self.cluster else None)


def lane_dom_id(board_dom_id: str, cluster_id: int | None) -> str:
    return f"cluster-{cluster_id}" if cluster_id else f"loose-{board_dom_id}"


@dataclass
class Board:
    workshop: Workshop
    group: Group | None
    lanes: list[Lane]
    results: VoteResults | None
    conclusion: "Conclusion | None" = None

    @property
    def stream(self) -> str:
        return streams.board_stream(self.group.pk if self.group else None)

    @property
    def dom_id(self) -> str:
        return board_dom_id(self.stream)

    @property
    def is_empty(self) -> bool:
        return not any(lane.postits for lane in self.lanes)


def board_dom_id(stream: str) -> str:
    return stream.replace(":", "")


def latest_vote_phase(workshop_id: int) -> Phase | None:
    """The dot vote a board shows: the one under way, else the one that ended last."""
    votes = Phase.objects.filter(workshop_id=workshop_id, activity=Phase.Activity.DOT_VOTE)
    current = votes.filter(status__in=[Phase.Status.RUNNING, Phase.Status.PAUSED]).first()
    if current is not None:
        return current
    return votes.exclude(ended_at=None).order_by("-ended_at", "-id").first()


def board(workshop: Workshop, group: Group | None, phase: Phase | None = None) -> Board:
    """Everything a board shows, in a handful of queries."""
    group_id = group.pk if group else None
    postits = list(board_postits(workshop_id=workshop.pk, group_id=group_id))
    clusters = list(Cluster.objects.filter(workshop=workshop, group_id=group_id))
    dom_id = board_dom_id(streams.board_stream(group_id))
    lanes = {None: Lane(dom_id, None, [])}
    lanes.update({cluster.pk: Lane(dom_id, cluster, []) for cluster in clusters})
    for postit in postits:
        postit.workshop = workshop
        lanes.get(postit.cluster_id, lanes[None]).postits.append(postit)
    for cluster in clusters:
        cluster.members = lanes[cluster.pk].postits
    phase = phase or latest_vote_phase(workshop.pk)
    results = vote_results(phase, postits, clusters) if phase else None
    conclusion = Conclusion.objects.filter(group=group).first() if group else None
    return Board(workshop, group, list(lanes.values()), results, conclusion)


def board_lane(workshop_id: int, group_id: int | None, cluster_id: int | None) -> Lane | None:
    """One lane, redrawn when a post-it moves in or out of it; None if the cluster is gone."""
    cluster = Cluster.objects.filter(pk=cluster_id).first() if cluster_id else None
    if cluster_id and cluster is None:
        return None
    postits = list(
        board_postits(workshop_id=workshop_id, group_id=group_id).filter(cluster_id=cluster_id)
    )
    dom_id = board_dom_id(streams.board_stream(group_id))
    return Lane(dom_id, cluster, postits)


def vote_results(phase: Phase, postits: list[PostIt], clusters: list[Cluster]) -> VoteResults:
    counts = dict(
        Dot.objects.filter(phase=phase, postit__in=[postit.pk for postit in postits])
        .values("postit")
        .annotate(count=Count("id"))
        .values_list("postit", "count")
    )
    ranked_postits = sorted(
        ((postit, counts[postit.pk]) for postit in postits if counts.get(postit.pk)),
        key=lambda pair: (-pair[1], pair[0].created_at, pair[0].pk),
    )
    cluster_totals = [
        (cluster, sum(counts.get(member.pk, 0) for member in cluster.members))
        for cluster in clusters
    ]
    ranked_clusters = sorted(
        (pair for pair in cluster_totals if pair[1]), key=lambda pair: (-pair[1], pair[0].pk)
    )
    return VoteResults(
        phase=phase,
        visible=phase.dots_results_live or phase.status == Phase.Status.DONE,
        used=sum(counts.values()),
        counts=counts,
        ranked_postits=ranked_postits,
        ranked_clusters=ranked_clusters,
    )


def all_boards(workshop: Workshop, *, plenary: bool = True) -> list[Board]:
    """The console's and the projector's boards: the plenary's, then every group's."""
    phase = latest_vote_phase(workshop.pk)
    groups = list(workshop.groups.order_by("position", "id"))
    return [board(workshop, group, phase) for group in ([None] if plenary else []) + groups]


def participant_for_display(participant_id: int) -> Participant | None:
    return Participant.objects.select_related("group").filter(pk=participant_id).first()


def workshop_participants(workshop_id: int) -> QuerySet[Participant]:
    return Participant.objects.filter(workshop_id=workshop_id).select_related("group")


def attendance(workshop_id: int) -> dict[str, int]:
    """Counts for the console, as its presence table counts them: present (seen within
    PRESENT_WITHIN), people present in the room and remote, and everyone who ever joined."""
    here = Q(last_seen_at__gte=timezone.now() - PRESENT_WITHIN)
    person = Q(kind=Participant.Kind.PERSON)
    return Participant.objects.filter(workshop_id=workshop_id).aggregate(
        joined=Count("id"),
        total=Count("id", filter=here),
        room=Count("id", filter=here & person & Q(location=Participant.Location.ROOM)),
        remote=Count("id", filter=here & person & Q(location=Participant.Location.REMOTE)),
    )


def followed_streams(actor: Actor) -> list[str]:
    """The streams a socket follows: its audience, and nothing meant for someone else."""
    keys = [streams.WORKSHOP]
    if actor.role == Role.PARTICIPANT:
        group_id = (
            Participant.objects.filter(pk=actor.participant_id)
            .values_list("group_id", flat=True)
            .first()
        )
        if group_id:
            keys.append(streams.group_stream(group_id))
        return keys
    group_ids = Group.objects.filter(workshop_id=actor.workshop_id).values_list("id", flat=True)
    keys += [streams.group_stream(group_id) for group_id in group_ids]
    if actor.leads:
        keys.append(streams.FACILITATORS)
    return keys


def stream_positions(*, workshop_id: int, keys: list[str]) -> dict[str, int]:
    """The last sequence number of each stream, as a page renders it into its live state."""
    positions = dict(
        Stream.objects.filter(workshop_id=workshop_id, key__in=keys).values_list("key", "last_seq")
    )
    return {key: positions.get(key, 0) for key in keys}


def agenda_context(workshop_id: int) -> dict:
    """The agenda in order and its current phase, as the `now` and `agenda` partials show them."""
    phases = list(Phase.objects.filter(workshop_id=workshop_id).order_by("position", "id"))
    current = next((phase for phase in phases if phase.is_current), None)
    upcoming = next(
        (
            phase
            for phase in phases
            if phase.status == Phase.Status.PLANNED
            and (current is None or phase.position > current.position)
        ),
        None,
    )
    return {
        "workshop": Workshop.objects.get(pk=workshop_id),
        "phases": phases,
        "current": current,
        "poll_awaited": _poll_awaited(current),
        "upcoming": upcoming,
        "scopes": Phase.Scope.choices,
        "activities": Phase.Activity.choices,
    }


def _poll_awaited(current: Phase | None) -> bool:
    """A poll phase is under way but no poll is open: nobody is asked to answer nothing."""
    if current is None or current.activity != Phase.Activity.POLL:
        return False
    return not Poll.objects.filter(
        workshop_id=current.workshop_id, status=Poll.Status.OPEN
    ).exists()


def groups_panel(workshop_id: int) -> dict:
    """The console's view of the groups: each with its members, and who is in the plenary."""
    workshop = Workshop.objects.get(pk=workshop_id)
    groups = list(workshop.groups.order_by("position", "id"))
    members: dict[int | None, list[Participant]] = {group.pk: [] for group in groups}
    members[None] = []
    for participant in workshop.participants.order_by("display_name", "pk"):
        members.setdefault(participant.group_id, []).append(participant)
    for group in groups:
        group.workshop = workshop  # the video link reads the workshop's template
        group.member_list = members[group.pk]
    return {
        "workshop": workshop,
        "groups": groups,
        "unassigned": members[None],
        "assigned": sum(len(group.member_list) for group in groups),
        "group_kinds": Group.Kind.choices,
    }


def latest_broadcast(workshop_id: int) -> Broadcast | None:
    return Broadcast.objects.filter(workshop_id=workshop_id).first()


def participant_place(participant: Participant) -> dict:
    """Where a participant is now and what their screen shows: the plenary or their group."""
    workshop = participant.workshop
    group = participant.group if workshop.in_breakouts else None
    if group is not None:
        group.workshop = workshop
    return {
        "workshop": workshop,
        "participant": participant,
        "group": group,
        "board": board(workshop, group),
        "choices": list(workshop.groups.order_by("position", "id"))
        if workshop.in_breakouts and workshop.self_choice
        else [],
    }


def speaking_queue(workshop_id: int) -> dict:
    """Hands in the order they went up, and who has the floor."""
    workshop = Workshop.objects.select_related("speaker", "speaker__group").get(pk=workshop_id)
    hands = (
        Participant.objects.filter(workshop_id=workshop_id)
        .exclude(hand_raised_at=None)
        .select_related("group")
        .order_by("hand_raised_at", "pk")
    )
    return {"speaker": workshop.speaker, "hands": list(hands)}


def presence(workshop_id: int) -> dict:
    """Who is here now, per group (None: the plenary): people in the room, remote people,
    table tablets, and who is away (seen more than PRESENT_WITHIN ago)."""
    here = Q(last_seen_at__gte=timezone.now() - PRESENT_WITHIN)
    person = Q(kind=Participant.Kind.PERSON)
    rows = (
        Participant.objects.filter(workshop_id=workshop_id)
        .values("group_id", "group__name")
        .annotate(
            room=Count("id", filter=here & person & Q(location=Participant.Location.ROOM)),
            remote=Count("id", filter=here & person & Q(location=Participant.Location.REMOTE)),
            tablets=Count("id", filter=here & Q(kind=Participant.Kind.TABLET)),
            away=Count("id", filter=~here),
        )
        .order_by("group__name")
    )
    places = list(rows)
    totals = {
        key: sum(place[key] for place in places) for key in ("room", "remote", "tablets", "away")
    }
    return {"places": places, "totals": totals}


def attendance_panel(workshop: Workshop) -> dict:
    """The console's attendance card: counts, presence per group, everyone who joined."""
    return {
        "workshop": workshop,
        "attendance": attendance(workshop.pk),
        "presence": presence(workshop.pk),
        "participants": workshop_participants(workshop.pk),
    }


def projector_stage(workshop: Workshop) -> dict:
    """What the room's screen shows: the plenary wall, or every group's wall side by side."""
    if not workshop.in_breakouts:
        return {"workshop": workshop, "boards": [board(workshop, None)]}
    return {"workshop": workshop, "boards": all_boards(workshop, plenary=False)}


def scribe_tables(participant: Participant) -> list[Group]:
    """The groups a scribe can type for (none for anyone else), tables first."""
    if participant.kind != Participant.Kind.SCRIBE:
        return []
    return sorted(
        Group.objects.filter(workshop_id=participant.workshop_id),
        key=lambda group: (group.kind != Group.Kind.TABLE, group.position, group.pk),
    )


def hidden_postits(workshop_id: int) -> list[PostIt]:
    """What the facilitators hid, newest first, with who hid it: the console can restore it."""
    return list(
        PostIt.objects.filter(workshop_id=workshop_id, deleted_at=None)
        .exclude(hidden_at=None)
        .select_related("author", "hidden_by", "group")
        .order_by("-hidden_at")
    )


def cluster_suggestions(workshop: Workshop, group: Group | None) -> dict:
    """Suggested clusters for the post-its of a board not sorted yet, and near-duplicates
    among all its post-its, computed from their texts (see docs/grouping.md)."""
    from workshops.suggestions import likely_duplicates, suggest_clusters

    postits = {
        postit.pk: postit
        for postit in board_postits(workshop_id=workshop.pk, group_id=group.pk if group else None)
    }
    loose = [(pk, postit.text) for pk, postit in postits.items() if postit.cluster_id is None]
    clusters = [
        {"name": suggestion.name, "postits": [postits[pk] for pk in suggestion.postit_ids]}
        for suggestion in suggest_clusters(loose)
    ]
    pairs = likely_duplicates([(pk, postit.text) for pk, postit in postits.items()])
    return {
        "clusters": clusters,
        "duplicates": [(postits[first], postits[second]) for first, second in pairs],
    }


def my_vote(participant: Participant) -> dict | None:
    """A voter's dots in the dot vote under way, as their page starts from."""
    phase = Phase.objects.filter(
        workshop_id=participant.workshop_id,
        activity=Phase.Activity.DOT_VOTE,
        status__in=[Phase.Status.RUNNING, Phase.Status.PAUSED],
    ).first()
    return my_dots(phase, participant.pk) if phase else None


def my_dots(phase: Phase, participant_id: int) -> dict:
    """What a voter's screen shows: their dots per post-it and how many are left."""
    placed = (
        Dot.objects.filter(phase=phase, participant_id=participant_id)
        .values("postit", "conclusion")
        .annotate(count=Count("id"))
    )
    # Keys as the page marks them: a post-it's id, or "c" and a conclusion's id.
    mine = {
        str(row["postit"]) if row["postit"] else f"c{row['conclusion']}": row["count"]
        for row in placed
    }
    return {
        "phase": phase.pk,
        "mine": mine,
        "left": max(0, phase.dots_per_person - sum(mine.values())),
    }


@dataclass
class PollResults:
    """What a poll's results show: per option, the 1–5 distribution, words, open answers."""

    poll: Poll
    respondents: int
    options: list[tuple[PollOption, int]]
    scale: list[tuple[int, int]]
    mean: float | None
    words: list[tuple[str, int]]
    approved: list[PollAnswer]
    pending: list[PollAnswer]


MAX_CLOUD_WORDS = 60


def poll_results(poll: Poll) -> PollResults:
    """The exact tally of a poll, from its answers (one query for the answers)."""
    answers = list(poll.answers.all())
    options = list(poll.options.all())
    chosen: dict[int, int] = {}
    scale = dict.fromkeys(range(1, 6), 0)
    words: dict[str, dict[str, int]] = {}
    for answer in answers:
        for choice in answer.choices:
            chosen[choice] = chosen.get(choice, 0) + 1
        if answer.value in scale:
            scale[answer.value] += 1
        for word in answer.words:
            spellings = words.setdefault(fold(word), {})
            spellings[word] = spellings.get(word, 0) + 1
    # A folded word shows in its most frequent spelling ("sécurité" over "securite").
    cloud = sorted(
        (
            (max(spellings, key=lambda form: (spellings[form], form)), sum(spellings.values()))
            for spellings in words.values()
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )
    values = [answer.value for answer in answers if answer.value]
    open_answers = [answer for answer in answers if answer.text]
    return PollResults(
        poll=poll,
        respondents=len(answers),
        options=[(option, chosen.get(option.pk, 0)) for option in options],
        scale=list(scale.items()),
        mean=sum(values) / len(values) if values else None,
        words=cloud,
        approved=[answer for answer in open_answers if answer.approved],
        pending=[answer for answer in open_answers if not answer.approved],
    )


def participant_polls(participant: Participant) -> dict:
    """The polls a participant sees, once opened: the plenary's and their group's."""
    polls = Poll.objects.filter(workshop_id=participant.workshop_id)
    group_polls = polls.filter(group_id=participant.group_id) if participant.group_id else None
    return {
        "plenary_polls": shown_polls(polls.filter(group=None)),
        "group_polls": shown_polls(group_polls) if group_polls is not None else [],
        "group_dom_id": f"group{participant.group_id}" if participant.group_id else None,
    }


def shown_polls(polls: QuerySet[Poll]) -> list[Poll]:
    """The polls participants and the projector show, newest first, each with its tally
    (`poll.tally`): the open ones, and a closed one only until the next phase starts (its
    results stay in the console and the minutes), so it never pushes the boards away."""
    shown = list(
        polls.filter(Q(status=Poll.Status.OPEN) | _closed_in_this_phase())
        .prefetch_related("options")
        .order_by("-opened_at", "-id")
    )
    for poll in shown:
        poll.tally = poll_results(poll)
    return shown


# Before any phase started: a poll closed then stays shown until one does.
NEVER = Value(datetime(2000, 1, 1, tzinfo=UTC))


def _closed_in_this_phase() -> Q:
    """Closed polls of the phase under way, or asked on the fly and closed since the agenda
    last moved on (a phase started or ended)."""
    last_move = (
        Phase.objects.filter(workshop_id=OuterRef("workshop_id"))
        .values("workshop_id")
        .annotate(at=Greatest(Max("started_at"), Max("ended_at")))
        .values("at")
    )
    of_this_phase = Q(phase__status__in=[Phase.Status.RUNNING, Phase.Status.PAUSED])
    since_the_last_move = Q(phase=None, closed_at__gt=Coalesce(Subquery(last_move), NEVER))
    return Q(status=Poll.Status.CLOSED) & (of_this_phase | since_the_last_move)


def poll_for_display(poll_id: int) -> Poll | None:
    """A poll as its card shows it, or None while it is a draft (or gone)."""
    polls = shown_polls(Poll.objects.filter(pk=poll_id))
    return polls[0] if polls else None


def my_poll_answers(participant: Participant) -> dict[str, object]:
    """A participant's current answers, as their page pre-fills the poll forms."""
    answers = PollAnswer.objects.filter(participant=participant, respondent=0).select_related(
        "poll"
    )
    return {str(answer.poll_id): poll_answer_value(answer) for answer in answers}


def poll_answer_value(answer: PollAnswer) -> object:
    kind = answer.poll.kind
    if kind == Poll.Kind.SINGLE:
        return answer.choices[0] if answer.choices else None
    if kind == Poll.Kind.MULTIPLE:
        return answer.choices
    if kind == Poll.Kind.SCALE:
        return answer.value
    if kind == Poll.Kind.WORDS:
        return " ".join(answer.words)
    return answer.text


def console_polls(workshop: Workshop) -> dict:
    """The console's polls: every poll with its full results, and what the form offers."""
    polls = list(
        workshop.polls.select_related("group", "phase").prefetch_related("options").order_by("-id")
    )
    for poll in polls:
        poll.tally = poll_results(poll)
    return {
        "workshop": workshop,
        "polls": polls,
        "poll_kinds": Poll.Kind.choices,
        "poll_results_modes": Poll.Results.choices,
        "poll_groups": list(workshop.groups.order_by("position", "id")),
        "poll_phases": list(workshop.phases.filter(activity=Phase.Activity.POLL)),
    }


def group_conclusion(group: Group) -> Conclusion | None:
    """A group's conclusion, if anyone wrote in it yet (the editor starts empty otherwise)."""
    return Conclusion.objects.filter(group=group).first()


def my_postit_ids(participant: Participant) -> list[int]:
    return list(
        PostIt.objects.filter(author=participant, deleted_at=None).values_list("pk", flat=True)
    )


@dataclass
class SharedConclusion:
    group: Group
    conclusion: Conclusion | None
    dots: int


def shared_conclusions(workshop: Workshop) -> dict:
    """The groups' conclusions side by side, and the plenary's dot vote on them: counts
    shown live or once the vote has ended, as the phase says; ranked when shown."""
    groups = list(workshop.groups.order_by("position", "id"))
    conclusions = {c.group_id: c for c in Conclusion.objects.filter(workshop=workshop)}
    phase = latest_vote_phase(workshop.pk)
    counts = (
        dict(
            Dot.objects.filter(phase=phase, conclusion__isnull=False)
            .values("conclusion")
            .annotate(count=Count("id"))
            .values_list("conclusion", "count")
        )
        if phase
        else {}
    )
    items = [
        SharedConclusion(
            group,
            conclusions.get(group.pk),
            counts.get(conclusions[group.pk].pk, 0) if group.pk in conclusions else 0,
        )
        for group in groups
    ]
    visible = bool(phase and (phase.dots_results_live or phase.status == Phase.Status.DONE))
    return {
        "workshop": workshop,
        "shared": workshop.conclusions_shared,
        "conclusions": items,
        "vote_visible": visible and any(item.dots for item in items),
        "ranking": sorted(
            (item for item in items if item.dots), key=lambda item: (-item.dots, item.group.pk)
        ),
    }


def facilitator_notes(workshop_id: int) -> dict:
    """The console's notes card: every phase of the agenda with what was noted about it."""
    return {"note_phases": list(Phase.objects.filter(workshop_id=workshop_id))}


@dataclass
class ExportVariant:
    """The minutes of one kind (anonymous or named): the one being made, the latest made."""

    named: bool
    pending: "Export | None"
    done: "Export | None"

    @property
    def key(self) -> str:
        return "named" if self.named else "anonymous"

    @property
    def files(self) -> list[dict]:
        """The latest minutes' files, in a fixed order, with what each one is."""
        from workshops.minutes.exports import FILE_KINDS, describe

        stored = self.done.files if self.done else {}
        return [
            {"key": key, "label": describe(key), "size": stored[key]["size"]}
            for key in FILE_KINDS
            if key in stored
        ]

    @property
    def failed(self) -> bool:
        job = self.pending.job if self.pending else None
        return job is not None and job.status == Job.Status.FAILED


def export_variant(workshop: Workshop, *, named: bool) -> ExportVariant:
    exports = Export.objects.filter(workshop=workshop, named=named).select_related("job")
    done = exports.exclude(finished_at=None).order_by("-finished_at", "-id").first()
    pending = exports.filter(finished_at=None).order_by("-id").first()
    if pending is not None and done is not None and pending.created_at < done.created_at:
        pending = None  # a failed attempt made before the latest success
    return ExportVariant(named, pending, done)


def minutes_page(workshop: Workshop) -> dict:
    """The minutes page: anonymous minutes, named ones (if ever asked), the retention."""
    variants = [export_variant(workshop, named=False)]
    named = export_variant(workshop, named=True)
    if named.pending or named.done:
        variants.append(named)
    # "What the minutes contain" names the plenary vote only when there was one.
    plenary_voted = Dot.objects.filter(phase__workshop=workshop, conclusion__isnull=False).exists()
    return {"workshop": workshop, "variants": variants, "plenary_voted": plenary_voted}

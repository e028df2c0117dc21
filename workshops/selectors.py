"""Read-only queries of the workshop domain. Templates get what they show, without N+1."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from live import streams
from live.models import Stream
from workshops.actors import Actor, Role
from workshops.models import (
    JOIN_CODE_LENGTH,
    PRESENT_WITHIN,
    Broadcast,
    Group,
    Participant,
    Phase,
    PostIt,
    Workshop,
)


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


def board_postits(*, workshop_id: int, group_id: int | None) -> QuerySet[PostIt]:
    return PostIt.objects.filter(
        workshop_id=workshop_id, group_id=group_id, deleted_at=None, hidden_at=None
    ).select_related("author", "on_behalf_of")


def postit_for_display(postit_id: int) -> PostIt | None:
    return (
        PostIt.objects.select_related("author", "on_behalf_of")
        .filter(pk=postit_id, deleted_at=None, hidden_at=None)
        .first()
    )


def participant_for_display(participant_id: int) -> Participant | None:
    return Participant.objects.select_related("group").filter(pk=participant_id).first()


def workshop_participants(workshop_id: int) -> QuerySet[Participant]:
    return Participant.objects.filter(workshop_id=workshop_id).select_related("group")


def attendance(workshop_id: int) -> dict[str, int]:
    """Counts for the console: everyone, in the room, remote."""
    return Participant.objects.filter(workshop_id=workshop_id).aggregate(
        total=Count("id"),
        room=Count("id", filter=Q(location=Participant.Location.ROOM)),
        remote=Count("id", filter=Q(location=Participant.Location.REMOTE)),
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
        "phases": phases,
        "current": current,
        "upcoming": upcoming,
        "scopes": Phase.Scope.choices,
        "activities": Phase.Activity.choices,
    }


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
    stream = streams.group_stream(group.pk) if group else streams.WORKSHOP
    return {
        "workshop": workshop,
        "participant": participant,
        "group": group,
        "stream": stream,
        "postits": board_postits(workshop_id=workshop.pk, group_id=group.pk if group else None),
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
        return {
            "workshop": workshop,
            "stream": streams.WORKSHOP,
            "postits": board_postits(workshop_id=workshop.pk, group_id=None),
            "walls": [],
        }
    postits_by_group: dict[int, list[PostIt]] = {}
    postits = PostIt.objects.filter(
        workshop=workshop, group__isnull=False, deleted_at=None, hidden_at=None
    )
    for postit in postits.select_related("author", "on_behalf_of"):
        postits_by_group.setdefault(postit.group_id, []).append(postit)
    walls = [
        {
            "group": group,
            "stream": streams.group_stream(group.pk),
            "postits": postits_by_group.get(group.pk, []),
        }
        for group in workshop.groups.order_by("position", "id")
    ]
    return {"workshop": workshop, "walls": walls}


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

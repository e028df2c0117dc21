"""Breakout groups: create, assign, move people, broadcast, and back to the plenary."""

import random
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from live.models import Stream
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Broadcast, Group, Participant, Workshop
from workshops.services.common import (
    clean_choice,
    clean_text,
    locked_workshop,
    one_of,
    require_lead,
)

MAX_GROUPS = 50
ASSIGN_STRATEGIES = ("random", "balanced", "by_location")
VIDEO_TEMPLATE = re.compile(r"^https?://[^\s{}]*(\{(workshop|group)\}[^\s{}]*)*$")


def groups_changed(workshop: Workshop) -> None:
    """The console's groups panel is re-rendered from this facilitators-only event."""
    emit(workshop_id=workshop.pk, stream=streams.FACILITATORS, name="groups.changed", data={})


def groups_create(*, actor: Actor, count: int, kind: str) -> list[Group]:
    """Create `count` tables or online groups, numbered after the existing ones."""
    require_lead(actor)
    kind = clean_choice(kind, Group.Kind, field=_("kind"))
    if type(count) is not int or not 1 <= count <= MAX_GROUPS:
        raise Refused("invalid", _("Create from 1 to %(max)d groups.") % {"max": MAX_GROUPS})
    with transaction.atomic():
        workshop = locked_workshop(actor)
        existing = workshop.groups.count()
        if existing + count > MAX_GROUPS:
            raise Refused(
                "invalid", _("A workshop has at most %(max)d groups.") % {"max": MAX_GROUPS}
            )
        same_kind = workshop.groups.filter(kind=kind).count()
        label = _("Table %(number)d") if kind == Group.Kind.TABLE else _("Group %(number)d")
        groups = [
            Group.objects.create(
                workshop=workshop,
                name=label % {"number": same_kind + n},
                kind=kind,
                position=existing + n,
            )
            for n in range(1, count + 1)
        ]
        Stream.objects.bulk_create(
            Stream(workshop=workshop, key=streams.group_stream(group.pk)) for group in groups
        )
        groups_changed(workshop)
    return groups


def group_rename(*, actor: Actor, group_id: int, name: str) -> Group:
    require_lead(actor)
    name = clean_text(name, field=_("Name"), max_length=80)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        group = one_of(workshop, Group, group_id)
        group.name = name
        group.save(update_fields=["name"])
        groups_changed(workshop)
        _everyone_looks_again(workshop)
    return group


def group_delete(*, actor: Actor, group_id: int) -> None:
    """Delete an empty group or one whose members go back to the plenary; never its post-its."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        group = one_of(workshop, Group, group_id)
        if group.postits.exists():
            raise Refused(
                "group_has_postits",
                _("This group has post-its: keep it so that nothing written is lost."),
            )
        if group.polls.filter(answers__isnull=False).exists():
            raise Refused(
                "group_has_answers",
                _("This group answered polls: keep it so that nothing answered is lost."),
            )
        members = list(group.members.values_list("pk", flat=True))
        group.members.update(group=None)
        group.delete()
        groups_changed(workshop)
        for participant_id in members:
            _participant_moved(workshop, participant_id, None)


def participants_assign(*, actor: Actor, strategy: str) -> dict[int, int]:
    """Share the participants out among the groups; returns {participant id: group id}.

    - random: shuffled, dealt in turn;
    - balanced: people in the room and remote people dealt separately, so each group
      mixes both as evenly as the numbers allow;
    - by_location: people in the room to the tables, remote people to the online groups
      (each side balanced); with no group of one kind, everyone shares the other kind.
    """
    require_lead(actor)
    if strategy not in ASSIGN_STRATEGIES:
        raise Refused("invalid", _("Unknown way of assigning people."))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        groups = list(workshop.groups.order_by("position", "id"))
        if not groups:
            raise Refused("no_groups", _("Create the groups first."))
        # Tablets stay at their table; only people are dealt out.
        people = list(workshop.participants.filter(kind=Participant.Kind.PERSON).order_by("pk"))
        assignment = _plan(strategy, people, groups)
        for participant in people:
            participant.group_id = assignment[participant.pk]
        Participant.objects.bulk_update(people, ["group"])
        groups_changed(workshop)
        _everyone_looks_again(workshop)
    return assignment


def _plan(strategy: str, people: list[Participant], groups: list[Group]) -> dict[int, int]:
    shuffled = random.sample(people, len(people))
    room = [p for p in shuffled if p.location == Participant.Location.ROOM]
    remote = [p for p in shuffled if p.location == Participant.Location.REMOTE]
    if strategy == "random":
        return _deal(shuffled, groups)
    if strategy == "balanced":
        return _deal(room + remote, groups)
    tables = [g for g in groups if g.kind == Group.Kind.TABLE] or groups
    online = [g for g in groups if g.kind == Group.Kind.ONLINE] or groups
    return {**_deal(room, tables), **_deal(remote, online)}


def _deal(people: Iterable[Participant], groups: list[Group]) -> dict[int, int]:
    """Deal people in turn, like cards: group sizes differ by one at most."""
    return {person.pk: groups[index % len(groups)].pk for index, person in enumerate(people)}


def participant_move(*, actor: Actor, participant_id: int, group_id: int | None) -> Participant:
    """A facilitator moves someone (None: the plenary); a participant moves themselves only
    when the facilitators let people choose their group."""
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if actor.role == Role.PARTICIPANT:
            if participant_id != actor.participant_id:
                raise Refused("forbidden", _("You can only choose your own group."))
            if not workshop.self_choice:
                raise Refused("forbidden", _("The facilitators assign the groups."))
        else:
            require_lead(actor)
        participant = one_of(workshop, Participant, participant_id)
        if participant.kind == Participant.Kind.TABLET:
            raise Refused("tablet_fixed", _("A table tablet stays at its table."))
        group = None if group_id is None else one_of(workshop, Group, group_id)
        participant.group = group
        participant.save(update_fields=["group"])
        groups_changed(workshop)
        _participant_moved(workshop, participant.pk, group.pk if group else None)
    return participant


def _participant_moved(workshop: Workshop, participant_id: int, group_id: int | None) -> None:
    emit(
        workshop_id=workshop.pk,
        stream=streams.WORKSHOP,
        name="participant.moved",
        data={"participant": participant_id, "group": group_id},
    )


def _everyone_looks_again(workshop: Workshop) -> None:
    """Everyone's place may have changed: each screen refreshes where it is."""
    emit(
        workshop_id=workshop.pk,
        stream=streams.WORKSHOP,
        name="breakouts.changed",
        data={"breakouts": workshop.in_breakouts},
    )


def breakouts_open(*, actor: Actor) -> Workshop:
    """Send everyone to their group."""
    return _set_breakouts(actor, True)


def breakouts_close(*, actor: Actor) -> Workshop:
    """Back to the plenary: everyone sees the plenary again; groups and their work remain."""
    return _set_breakouts(actor, False)


def _set_breakouts(actor: Actor, in_breakouts: bool) -> Workshop:
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if in_breakouts and not workshop.groups.exists():
            raise Refused("no_groups", _("Create the groups first."))
        switch_breakouts(workshop, in_breakouts)
    return workshop


def switch_breakouts(workshop: Workshop, in_breakouts: bool) -> None:
    """Inside a service's transaction, with the workshop locked: plenary or groups."""
    if workshop.in_breakouts != in_breakouts:
        workshop.in_breakouts = in_breakouts
        workshop.save(update_fields=["in_breakouts"])
        _everyone_looks_again(workshop)
        groups_changed(workshop)


def broadcast_send(*, actor: Actor, text: str) -> Broadcast:
    """Show a message on every screen of the workshop, in every group."""
    require_lead(actor)
    text = clean_text(text, field=_("Message"), max_length=280)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        broadcast = Broadcast.objects.create(workshop=workshop, text=text)
        emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="broadcast.sent",
            data={"broadcast": broadcast.pk},
        )
    return broadcast


def groups_configure(*, actor: Actor, self_choice: bool, video_url_template: str) -> Workshop:
    """Whether people choose their group, and the video link each group gets."""
    require_lead(actor)
    if type(self_choice) is not bool:
        raise Refused("invalid", _("Say whether participants choose their group."))
    template = (video_url_template or "").strip() if isinstance(video_url_template, str) else None
    if template is None or len(template) > 300 or (template and not VIDEO_TEMPLATE.match(template)):
        raise Refused(
            "invalid",
            _("A video link starts with https:// and may contain {workshop} and {group}."),
        )
    with transaction.atomic():
        workshop = locked_workshop(actor)
        workshop.self_choice = self_choice
        workshop.video_url_template = template
        workshop.save(update_fields=["self_choice", "video_url_template"])
        groups_changed(workshop)
        _everyone_looks_again(workshop)
    return workshop

"""Presence (heartbeats) and the speaking queue (hands raised, the floor given in order)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Participant, Workshop
from workshops.services.common import locked_workshop, one_of, require_lead


def presence_touch(*, actor: Actor) -> None:
    """Record a sign of life from a participant's socket (no event: the console polls)."""
    if actor.participant_id is not None:
        Participant.objects.filter(pk=actor.participant_id).update(last_seen_at=timezone.now())


def _hands_changed(workshop: Workshop) -> None:
    emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name="hands.changed", data={})


def hand_raise(*, actor: Actor) -> Participant:
    """A participant asks to speak; a second raise keeps their place in the queue."""
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only participants raise a hand."))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        participant = one_of(workshop, Participant, actor.participant_id)
        if participant.hand_raised_at is None:
            participant.hand_raised_at = timezone.now()
            participant.save(update_fields=["hand_raised_at"])
            _hands_changed(workshop)
    return participant


def hand_lower(*, actor: Actor, participant_id: int | None = None) -> Participant:
    """A participant lowers their own hand; a facilitator may lower anyone's."""
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if participant_id is None or participant_id == actor.participant_id:
            if actor.role != Role.PARTICIPANT:
                raise Refused("forbidden", _("Say whose hand to lower."))
            participant_id = actor.participant_id
        else:
            require_lead(actor)
        participant = one_of(workshop, Participant, participant_id)
        if participant.hand_raised_at is not None:
            participant.hand_raised_at = None
            participant.save(update_fields=["hand_raised_at"])
            _hands_changed(workshop)
    return participant


def speaker_call_next(*, actor: Actor) -> Participant | None:
    """Give the floor to the first hand in the queue (room and remote alike)."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        first = (
            workshop.participants.exclude(hand_raised_at=None)
            .order_by("hand_raised_at", "pk")
            .first()
        )
        if first is not None:
            first.hand_raised_at = None
            first.save(update_fields=["hand_raised_at"])
        workshop.speaker = first
        workshop.save(update_fields=["speaker"])
        _hands_changed(workshop)
    return first


def speaker_done(*, actor: Actor) -> None:
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.speaker_id is not None:
            workshop.speaker = None
            workshop.save(update_fields=["speaker"])
            _hands_changed(workshop)

"""Erasing identities (GDPR): on a participant's request, and at the end of a workshop's
retention. Contributions stay; names, signatures and sessions go (workshops.privacy)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import MAX_RETENTION_DAYS, Export, Participant, PostIt, Workshop
from workshops.privacy import erase_personal_data
from workshops.services.workshops import _workshop_led_by


def participant_erase(*, actor: Actor) -> Participant:
    """A participant erases their own identity from the workshop; what they wrote stays,
    anonymous, and this session (like any other of theirs) no longer acts as them."""
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only a participant can erase their own data."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
        participant = (
            Participant.objects.select_for_update()
            .filter(pk=actor.participant_id, workshop=workshop, anonymized_at=None)
            .first()
        )
        if participant is None:
            raise Refused("unauthenticated", _("Please join the workshop again."))
        anonymize(workshop, [participant])
    return participant


def participants_erase(*, participant_ids: list[int]) -> int:
    """Erase these participants' identities now, whatever their workshops' retention (an
    administrator answering a request that came by letter or e-mail). Returns how many."""
    erased = 0
    workshop_ids = (
        Participant.objects.filter(pk__in=participant_ids, anonymized_at=None)
        .values_list("workshop_id", flat=True)
        .distinct()
    )
    for workshop_id in sorted(workshop_ids):
        with transaction.atomic():
            workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
            participants = list(
                Participant.objects.select_for_update().filter(
                    pk__in=participant_ids, workshop=workshop, anonymized_at=None
                )
            )
            if participants:
                anonymize(workshop, participants)
            erased += len(participants)
    return erased


def anonymize(workshop: Workshop, participants: list[Participant]) -> None:
    """Erase these participants' identities (the caller holds the workshop's lock), then
    redraw what showed their names: the console's lists, boards with authors, the queue."""
    ids = {participant.pk for participant in participants}
    boards = set(PostIt.objects.filter(author_id__in=ids).values_list("group_id", flat=True))
    hands = any(p.hand_raised_at for p in participants) or workshop.speaker_id in ids
    for participant in participants:
        participant.workshop = workshop
        erase_personal_data(participant)
    forget_named_exports(workshop)
    emit(
        workshop_id=workshop.pk,
        stream=streams.FACILITATORS,
        name="participants.anonymized",
        data={},
    )
    if not workshop.anonymous:
        for group_id in sorted(boards, key=lambda pk: pk or 0):
            emit(
                workshop_id=workshop.pk,
                stream=streams.board_stream(group_id),
                name="board.redrawn",
                data={"group": group_id},
            )
    if hands:
        emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name="hands.changed", data={})


def forget_named_exports(workshop: Workshop) -> None:
    """Named minutes print the names just erased: they go, files included (once the
    erasure commits). Anonymous minutes and open data have no names to forget."""
    from workshops.minutes.exports import delete_files

    named = list(Export.objects.filter(workshop=workshop, named=True))
    Export.objects.filter(pk__in=[export.pk for export in named]).delete()
    transaction.on_commit(lambda: [delete_files(export) for export in named])


def retention_ends(workshop: Workshop) -> datetime:
    """When identities are erased: `retention_days` after closing (or creation, for a
    workshop never closed)."""
    return (workshop.closed_at or workshop.created_at) + timedelta(days=workshop.retention_days)


def workshop_anonymize_expired(*, workshop_id: int, now: datetime | None = None) -> int:
    """Anonymize a workshop's participants if its retention has ended; how many were."""
    now = now or timezone.now()
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
        if retention_ends(workshop) > now:
            return 0
        participants = list(
            Participant.objects.select_for_update().filter(workshop=workshop, anonymized_at=None)
        )
        if participants:
            anonymize(workshop, participants)
        return len(participants)


def participants_anonymize_expired(*, now: datetime | None = None) -> int:
    """Every workshop past its retention: its participants anonymized (the daily job, the
    `atelier_anonymize` command). Returns how many participants were."""
    now = now or timezone.now()
    candidates = workshops_with_identities()
    due = [
        w.pk
        for w in candidates.only("pk", "closed_at", "created_at", "retention_days")
        if retention_ends(w) <= now
    ]
    return sum(workshop_anonymize_expired(workshop_id=pk, now=now) for pk in due)


def workshops_with_identities():
    """Workshops with at least one participant not anonymized yet."""
    pending = Participant.objects.filter(anonymized_at=None).values("workshop_id")
    return Workshop.objects.filter(pk__in=pending)


def workshop_set_retention(*, user, workshop_id: int, days: int) -> Workshop:
    """How many days after the workshop its participants' identities are kept."""
    if type(days) is not int or not 1 <= days <= MAX_RETENTION_DAYS:
        raise Refused(
            "invalid",
            _("A retention is a whole number of days from 1 to %(max)d.")
            % {"max": MAX_RETENTION_DAYS},
        )
    workshop = _workshop_led_by(user, workshop_id, organizer_only=True)
    workshop.retention_days = days
    workshop.save(update_fields=["retention_days"])
    return workshop

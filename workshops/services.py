"""Commands of the workshop domain: validate, lock, write and append the event in one transaction.

Views, consumers, the admin and management commands call these; they hold no rules of their own.
"""

import secrets
import unicodedata
from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from live.models import Stream
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    POSTIT_MAX_LENGTH,
    Participant,
    Phase,
    PostIt,
    Workshop,
)


def clean_text(value: object, *, field: str, max_length: int) -> str:
    """Trimmed text without control characters, or a refusal naming the field."""
    if not isinstance(value, str):
        raise Refused("invalid", _("%(field)s must be text.") % {"field": field})
    text = "".join(
        char
        for char in value.strip()
        if char in "\n\t" or not unicodedata.category(char).startswith("C")
    )
    if not text.strip():
        raise Refused("empty", _("%(field)s cannot be empty.") % {"field": field})
    if len(text) > max_length:
        raise Refused(
            "too_long",
            _("%(field)s is limited to %(max)d characters (%(length)d given).")
            % {"field": field, "max": max_length, "length": len(text)},
        )
    return text


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _i in range(JOIN_CODE_LENGTH))


def workshop_create(
    *,
    organizer,
    title: str,
    purpose: str = "",
    place: str = "",
    language: str = "fr",
    join_code: str | None = None,
) -> Workshop:
    """Create an open workshop with a fresh join code and its event streams."""
    title = clean_text(title, field=_("Title"), max_length=200)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    organizer=organizer,
                    title=title,
                    purpose=purpose.strip(),
                    place=place.strip(),
                    language=language,
                    join_code=join_code or new_join_code(),
                    projector_token=secrets.token_urlsafe(18),
                )
                Stream.objects.bulk_create(
                    Stream(workshop=workshop, key=key)
                    for key in (streams.WORKSHOP, streams.FACILITATORS)
                )
                return workshop
        except IntegrityError:
            if join_code:
                raise Refused("code_taken", _("This join code is already in use.")) from None
    raise Refused("code_exhausted", _("No free join code was found; please try again."))


def participant_join(*, workshop: Workshop, display_name: str, location: str) -> Participant:
    """A guest joins with a display name and where they are; no account is created."""
    name = clean_text(display_name, field=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    if location not in Participant.Location.values:
        raise Refused("invalid", _("Say whether you are in the room or remote."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        participant = Participant.objects.create(
            workshop=workshop, display_name=name, location=location
        )
        emit(
            workshop_id=workshop.pk,
            stream=streams.FACILITATORS,
            name="participant.joined",
            data={"participant": participant.pk, "location": location, "group": None},
        )
    return participant


def postit_create(*, actor: Actor, text: str, color: str = PostIt.Color.YELLOW) -> PostIt:
    """A participant writes a post-it on the board of the group they are in (or the plenary)."""
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only participants can write post-its here."))
    text = clean_text(text, field=_("Post-it"), max_length=POSTIT_MAX_LENGTH)
    if color not in PostIt.Color.values:
        raise Refused("invalid", _("Unknown color."))
    with transaction.atomic():
        author = (
            Participant.objects.select_related("workshop")
            .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
            .first()
        )
        if author is None:
            raise Refused("unauthenticated", _("Please join the workshop again."))
        if author.workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        postit = PostIt.objects.create(
            workshop_id=actor.workshop_id,
            group_id=author.group_id,
            author=author,
            text=text,
            color=color,
        )
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.group_stream(author.group_id) if author.group_id else streams.WORKSHOP,
            name="postit.created",
            data={"postit": postit.pk, "author": author.pk, "group": author.group_id},
        )
    return postit


# --- Agenda and phases -------------------------------------------------------------------

MAX_PHASE_MINUTES = 8 * 60


def require_lead(actor: Actor) -> None:
    if not actor.leads:
        raise Refused("forbidden", _("Only the workshop's facilitators can do this."))


def clean_minutes(value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_PHASE_MINUTES:
        raise Refused(
            "invalid",
            _("A duration is a whole number of minutes from 1 to %(max)d.")
            % {"max": MAX_PHASE_MINUTES},
        )
    return value


def clean_choice(value: object, choices: type[models.TextChoices], *, field: str) -> str:
    if value not in choices.values:
        raise Refused("invalid", _("Unknown %(field)s.") % {"field": field})
    return value


def _locked_workshop(actor: Actor) -> Workshop:
    """The actor's workshop, locked: agenda changes of one workshop happen one at a time."""
    return Workshop.objects.select_for_update().get(pk=actor.workshop_id)


def _phase_of(workshop: Workshop, phase_id: object) -> Phase:
    phase = (
        Phase.objects.filter(pk=phase_id, workshop=workshop).first()
        if type(phase_id) is int
        else None
    )
    if phase is None:
        raise Refused("not_found", _("This phase does not exist."))
    return phase


def _emit_phase(workshop: Workshop, name: str, phase: Phase) -> None:
    emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name=name, data={"phase": phase.pk})


def phase_add(*, actor: Actor, title: str, minutes: int, scope: str, activity: str) -> Phase:
    """Append a phase to the agenda, before or during the session."""
    require_lead(actor)
    title = clean_text(title, field=_("Title"), max_length=120)
    minutes = clean_minutes(minutes)
    scope = clean_choice(scope, Phase.Scope, field=_("scope"))
    activity = clean_choice(activity, Phase.Activity, field=_("activity"))
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = Phase.objects.create(
            workshop=workshop,
            position=workshop.phases.count(),
            title=title,
            planned_minutes=minutes,
            scope=scope,
            activity=activity,
        )
        _emit_phase(workshop, "agenda.changed", phase)
    return phase


def phase_update(
    *, actor: Actor, phase_id: int, title: str, minutes: int, scope: str, activity: str
) -> Phase:
    require_lead(actor)
    title = clean_text(title, field=_("Title"), max_length=120)
    minutes = clean_minutes(minutes)
    scope = clean_choice(scope, Phase.Scope, field=_("scope"))
    activity = clean_choice(activity, Phase.Activity, field=_("activity"))
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _phase_of(workshop, phase_id)
        phase.title, phase.planned_minutes = title, minutes
        phase.scope, phase.activity = scope, activity
        phase.save(update_fields=["title", "planned_minutes", "scope", "activity"])
        _emit_phase(workshop, "agenda.changed", phase)
    return phase


def phase_move(*, actor: Actor, phase_id: int, to: int) -> Phase:
    """Put a phase at index `to` of the agenda (0 is first); the others keep their order."""
    require_lead(actor)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _phase_of(workshop, phase_id)
        ordered = [p for p in workshop.phases.order_by("position", "id") if p.pk != phase.pk]
        if type(to) is not int or not 0 <= to <= len(ordered):
            raise Refused("invalid", _("This position is outside the agenda."))
        ordered.insert(to, phase)
        for position, each in enumerate(ordered):
            each.position = position
        Phase.objects.bulk_update(ordered, ["position"])
        _emit_phase(workshop, "agenda.changed", phase)
    return phase


def phase_remove(*, actor: Actor, phase_id: int) -> None:
    require_lead(actor)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _phase_of(workshop, phase_id)
        if phase.is_current:
            raise Refused("phase_current", _("End this phase before removing it."))
        _emit_phase(workshop, "agenda.changed", phase)
        phase.delete()


def current_phase(workshop: Workshop) -> Phase | None:
    return workshop.phases.filter(status__in=[Phase.Status.RUNNING, Phase.Status.PAUSED]).first()


def _finish(phase: Phase, now) -> None:
    phase.status = Phase.Status.DONE
    phase.ended_at = now
    phase.ends_at = None
    phase.paused_remaining = None
    phase.save(update_fields=["status", "ended_at", "ends_at", "paused_remaining"])


def phase_start(*, actor: Actor, phase_id: int) -> Phase:
    """Start a phase (ending the current one): its timer runs on every screen."""
    require_lead(actor)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        phase = _phase_of(workshop, phase_id)
        now = timezone.now()
        running = current_phase(workshop)
        if running is not None:
            _finish(running, now)
        phase.status = Phase.Status.RUNNING
        phase.started_at = phase.started_at or now
        phase.ended_at = None
        phase.ends_at = now + timedelta(minutes=phase.planned_minutes)
        phase.paused_remaining = None
        phase.save()
        _emit_phase(workshop, "phase.started", phase)
    return phase


def _require_current(workshop: Workshop) -> Phase:
    phase = current_phase(workshop)
    if phase is None:
        raise Refused("no_current_phase", _("No phase is under way."))
    return phase


def phase_pause(*, actor: Actor) -> Phase:
    require_lead(actor)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _require_current(workshop)
        if phase.status == Phase.Status.RUNNING:
            left = (phase.ends_at - timezone.now()).total_seconds()
            phase.paused_remaining = max(0, round(left))
            phase.ends_at = None
            phase.status = Phase.Status.PAUSED
            phase.save(update_fields=["paused_remaining", "ends_at", "status"])
            _emit_phase(workshop, "phase.paused", phase)
    return phase


def phase_resume(*, actor: Actor) -> Phase:
    require_lead(actor)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _require_current(workshop)
        if phase.status == Phase.Status.PAUSED:
            phase.ends_at = timezone.now() + timedelta(seconds=phase.paused_remaining or 0)
            phase.paused_remaining = None
            phase.status = Phase.Status.RUNNING
            phase.save(update_fields=["paused_remaining", "ends_at", "status"])
            _emit_phase(workshop, "phase.resumed", phase)
    return phase


def phase_extend(*, actor: Actor, minutes: int) -> Phase:
    """Give the current phase more time (counted from now if its time was already up)."""
    require_lead(actor)
    minutes = clean_minutes(minutes)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _require_current(workshop)
        if phase.status == Phase.Status.PAUSED:
            phase.paused_remaining = (phase.paused_remaining or 0) + minutes * 60
        else:
            phase.ends_at = max(phase.ends_at, timezone.now()) + timedelta(minutes=minutes)
        phase.save(update_fields=["paused_remaining", "ends_at"])
        _emit_phase(workshop, "phase.extended", phase)
    return phase


def phase_end(*, actor: Actor) -> Phase:
    require_lead(actor)
    with transaction.atomic():
        workshop = _locked_workshop(actor)
        phase = _require_current(workshop)
        _finish(phase, timezone.now())
        _emit_phase(workshop, "phase.ended", phase)
    return phase

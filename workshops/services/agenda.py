"""The agenda: phases, the current phase's timer (a deadline every screen counts down), and
closing the workshop at the end."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from workshops.actors import Actor
from workshops.errors import Refused
from workshops.models import PHASE_NOTES_MAX_LENGTH, Phase, Workshop
from workshops.services.common import (
    clean_choice,
    clean_minutes,
    clean_text,
    locked_workshop,
    one_of,
    require_lead,
)
from workshops.services.conclusions import lock_all_conclusions, share_conclusions
from workshops.services.exports import queue_export
from workshops.services.groups import switch_breakouts
from workshops.services.polls import (
    close_open_polls,
    close_phase_polls,
    open_phase_polls,
    take_down_closed_polls,
)
from workshops.services.votes import publish_all_tallies

MAX_DOTS = 20


def _emit_phase(workshop: Workshop, name: str, phase: Phase) -> None:
    emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name=name, data={"phase": phase.pk})
    if name == "agenda.changed":
        # The console's notes list the agenda's phases; it is the facilitators' own.
        _emit_notes(workshop, phase)
    if phase.activity == Phase.Activity.DOT_VOTE and phase.started_at is not None:
        # Boards show, hide or reveal their dot counts with the vote's state.
        publish_all_tallies(workshop)


def _clean_dots(dots: object, dots_stack: object, dots_live: object) -> dict:
    """A dot vote's settings: how many dots, several on one post-it, results while voting."""
    if type(dots) is not int or not 1 <= dots <= MAX_DOTS:
        raise Refused(
            "invalid",
            _("A number of dots is a whole number from 1 to %(max)d.") % {"max": MAX_DOTS},
        )
    if type(dots_stack) is not bool or type(dots_live) is not bool:
        raise Refused("invalid", _("Say yes or no for each vote setting."))
    return {"dots_per_person": dots, "dots_stack": dots_stack, "dots_results_live": dots_live}


def phase_add(
    *,
    actor: Actor,
    title: str,
    minutes: int,
    scope: str,
    activity: str,
    dots: int = 3,
    dots_stack: bool = False,
    dots_live: bool = False,
) -> Phase:
    """Append a phase to the agenda, before or during the session."""
    require_lead(actor)
    title = clean_text(title, field=_("Title"), max_length=120)
    minutes = clean_minutes(minutes)
    scope = clean_choice(scope, Phase.Scope, field=_("scope"))
    activity = clean_choice(activity, Phase.Activity, field=_("activity"))
    vote = _clean_dots(dots, dots_stack, dots_live)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        phase = Phase.objects.create(
            workshop=workshop,
            position=workshop.phases.count(),
            title=title,
            planned_minutes=minutes,
            scope=scope,
            activity=activity,
            **vote,
        )
        _emit_phase(workshop, "agenda.changed", phase)
    return phase


def phase_update(
    *,
    actor: Actor,
    phase_id: int,
    title: str,
    minutes: int,
    scope: str,
    activity: str,
    dots: int | None = None,
    dots_stack: bool | None = None,
    dots_live: bool | None = None,
) -> Phase:
    """Change a phase; a vote's settings may change while it runs (e.g. reveal the results)."""
    require_lead(actor)
    title = clean_text(title, field=_("Title"), max_length=120)
    minutes = clean_minutes(minutes)
    scope = clean_choice(scope, Phase.Scope, field=_("scope"))
    activity = clean_choice(activity, Phase.Activity, field=_("activity"))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        phase = one_of(workshop, Phase, phase_id)
        vote = _clean_dots(
            phase.dots_per_person if dots is None else dots,
            phase.dots_stack if dots_stack is None else dots_stack,
            phase.dots_results_live if dots_live is None else dots_live,
        )
        phase.title, phase.planned_minutes = title, minutes
        phase.scope, phase.activity = scope, activity
        for field, value in vote.items():
            setattr(phase, field, value)
        phase.save(update_fields=["title", "planned_minutes", "scope", "activity", *vote])
        _emit_phase(workshop, "agenda.changed", phase)
    return phase


def phase_move(*, actor: Actor, phase_id: int, to: int) -> Phase:
    """Put a phase at index `to` of the agenda (0 is first); the others keep their order."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        phase = one_of(workshop, Phase, phase_id)
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
        workshop = locked_workshop(actor)
        phase = one_of(workshop, Phase, phase_id)
        if phase.is_current:
            raise Refused("phase_current", _("End this phase before removing it."))
        if phase.dots.exists():
            raise Refused("phase_has_votes", _("People voted in this phase: it stays."))
        _emit_phase(workshop, "agenda.changed", phase)
        phase.delete()


def current_phase(workshop: Workshop) -> Phase | None:
    """The phase under way, locked: a dot placed concurrently waits for it to end."""
    return (
        workshop.phases.select_for_update()
        .filter(status__in=[Phase.Status.RUNNING, Phase.Status.PAUSED])
        .first()
    )


def _finish(phase: Phase, now) -> None:
    phase.status = Phase.Status.DONE
    phase.ended_at = now
    phase.ends_at = None
    phase.paused_remaining = None
    phase.save(update_fields=["status", "ended_at", "ends_at", "paused_remaining"])
    close_phase_polls(phase)
    take_down_closed_polls(phase)
    if phase.activity == Phase.Activity.WRITE:
        lock_all_conclusions(phase.workshop_id)  # what was written is what is shared


def phase_start(*, actor: Actor, phase_id: int) -> Phase:
    """Start a phase (ending the current one): its timer runs on every screen."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        phase = one_of(workshop, Phase, phase_id)
        now = timezone.now()
        running = current_phase(workshop)
        if running is not None:
            _finish(running, now)
            if running.activity == Phase.Activity.DOT_VOTE:
                publish_all_tallies(workshop)  # the vote just ended reveals its results
        phase.status = Phase.Status.RUNNING
        phase.started_at = phase.started_at or now
        phase.ended_at = None
        phase.ends_at = now + timedelta(minutes=phase.planned_minutes)
        phase.paused_remaining = None
        phase.save()
        _emit_phase(workshop, "phase.started", phase)
        open_phase_polls(phase)
        if phase.activity == Phase.Activity.SHARE:
            share_conclusions(workshop, True)  # what the phase asks everyone to listen to
        # A breakout phase sends everyone to their group (once groups exist), a plenary
        # phase brings them back.
        wants_groups = phase.scope == Phase.Scope.BREAKOUTS and workshop.groups.exists()
        switch_breakouts(workshop, wants_groups)
    return phase


def conclusions_vote_start(*, actor: Actor) -> Phase:
    """The plenary votes on the groups' conclusions: they come to the plenary (if they were
    not there yet) and a plenary dot vote, put right after the phase under way, starts."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        running = current_phase(workshop)
        position = running.position + 1 if running is not None else workshop.phases.count()
        workshop.phases.filter(position__gte=position).update(position=F("position") + 1)
        vote = Phase.objects.create(
            workshop=workshop,
            position=position,
            title=_("Vote on the conclusions"),
            planned_minutes=5,
            scope=Phase.Scope.PLENARY,
            activity=Phase.Activity.DOT_VOTE,
        )
        _emit_phase(workshop, "agenda.changed", vote)
        share_conclusions(workshop, True)
        return phase_start(actor=actor, phase_id=vote.pk)


def _require_current(workshop: Workshop) -> Phase:
    phase = current_phase(workshop)
    if phase is None:
        raise Refused("no_current_phase", _("No phase is under way."))
    return phase


def phase_pause(*, actor: Actor) -> Phase:
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
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
        workshop = locked_workshop(actor)
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
        workshop = locked_workshop(actor)
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
        workshop = locked_workshop(actor)
        phase = _require_current(workshop)
        _finish(phase, timezone.now())
        _emit_phase(workshop, "phase.ended", phase)
    return phase


def _emit_notes(workshop: Workshop, phase: Phase) -> None:
    emit(
        workshop_id=workshop.pk,
        stream=streams.FACILITATORS,
        name="notes.changed",
        data={"phase": phase.pk},
    )


def phase_note(*, actor: Actor, phase_id: int, notes: str) -> Phase:
    """What the facilitators note about a phase, for the minutes; empty clears it. Only
    facilitators see notes, also after the workshop closed (minutes are written then)."""
    require_lead(actor)
    if isinstance(notes, str) and not notes.strip():
        text = ""
    else:
        text = clean_text(notes, field=_("Notes"), max_length=PHASE_NOTES_MAX_LENGTH)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        phase = one_of(workshop, Phase, phase_id)
        if phase.notes != text:
            phase.notes = text
            phase.save(update_fields=["notes"])
            _emit_notes(workshop, phase)
    return phase


def workshop_close(*, actor: Actor) -> Workshop:
    """End the workshop: the current phase ends, open polls close, conclusions are locked and
    hands go down; nobody joins or writes any more. What was written stays, for the minutes
    and the proposals. Closing twice changes nothing."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.status == Workshop.Status.CLOSED:
            return workshop
        now = timezone.now()
        running = current_phase(workshop)
        if running is not None:
            _finish(running, now)
            _emit_phase(workshop, "phase.ended", running)
        close_open_polls(workshop)
        lock_all_conclusions(workshop.pk)
        workshop.participants.exclude(hand_raised_at=None).update(hand_raised_at=None)
        workshop.status = Workshop.Status.CLOSED
        workshop.closed_at = now
        workshop.speaker = None
        workshop.save(update_fields=["status", "closed_at", "speaker"])
        # The minutes are made at once: the facilitators download them right after.
        queue_export(workshop, named=False, requested_by_id=actor.user_id)
        emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name="hands.changed", data={})
        emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name="workshop.closed", data={})
    return workshop


def workshop_reopen(*, actor: Actor) -> Workshop:
    """Open a workshop closed by mistake again; its conclusions stay locked until a
    facilitator unlocks them."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.status != Workshop.Status.CLOSED:
            return workshop
        workshop.status = Workshop.Status.OPEN
        workshop.closed_at = None
        workshop.save(update_fields=["status", "closed_at"])
        emit(workshop_id=workshop.pk, stream=streams.WORKSHOP, name="workshop.reopened", data={})
    return workshop

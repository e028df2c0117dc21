"""Live polls: prepared or asked on the fly, answered once per person, counted exactly.

An answer command locks the answering participant's row, so a double tap or a retry on
another device changes one answer instead of adding one; the unique constraint on
(poll, participant, respondent) backs it. Tallies are not events: they travel as coalesced
snapshots (live/snapshots.py), one for the poll's audience and one for the facilitators.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from live.snapshots import publish_soon
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import (
    POLL_MAX_OPTIONS,
    POLL_MAX_WORDS,
    POLL_OPEN_ANSWER_MAX_LENGTH,
    POLL_OPTION_MAX_LENGTH,
    POLL_QUESTION_MAX_LENGTH,
    Group,
    Participant,
    Phase,
    Poll,
    PollAnswer,
    PollOption,
    Workshop,
)
from workshops.services.common import (
    clean_choice,
    clean_text,
    contributing,
    is_row_id,
    locked_workshop,
    require_lead,
    share_lock,
)

SCALE = range(1, 6)
WORD_MAX_LENGTH = 30


def _emit_poll(poll: Poll) -> None:
    """Participants' screens show the poll as it is now; the console redraws its list."""
    emit(
        workshop_id=poll.workshop_id,
        stream=streams.board_stream(poll.group_id),
        name="poll.changed",
        data={"poll": poll.pk, "group": poll.group_id},
    )
    emit(
        workshop_id=poll.workshop_id,
        stream=streams.FACILITATORS,
        name="polls.changed",
        data={"poll": poll.pk},
    )


def publish_poll_tally(poll: Poll) -> None:
    """After commit: the poll's results to its audience and to the facilitators, coalesced."""
    from workshops.fragments import poll_tally_frames

    def publish() -> None:
        for stream, audience in (
            (streams.board_stream(poll.group_id), "public"),
            (streams.FACILITATORS, "lead"),
        ):
            publish_soon(
                poll.workshop_id,
                stream,
                lambda audience=audience: poll_tally_frames(poll.pk, audience),
                topic=f"poll:{poll.pk}",
            )

    transaction.on_commit(publish, robust=True)


def _clean_options(kind: str, options: object, max_choices: object) -> tuple[list[str], int]:
    if kind not in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE):
        if options:
            raise Refused("invalid", _("Only choice polls have options."))
        return [], 1
    if not isinstance(options, list):
        raise Refused("invalid", _("The options are a list of texts."))
    labels = [
        clean_text(option, field=_("An option"), max_length=POLL_OPTION_MAX_LENGTH)
        for option in options
        if not (isinstance(option, str) and not option.strip())  # blank lines are skipped
    ]
    if not 2 <= len(labels) <= POLL_MAX_OPTIONS:
        raise Refused(
            "invalid",
            _("A choice poll has from 2 to %(max)d options.") % {"max": POLL_MAX_OPTIONS},
        )
    if len({label.casefold() for label in labels}) != len(labels):
        raise Refused("invalid", _("Two options have the same text."))
    if kind == Poll.Kind.SINGLE:
        return labels, 1
    if type(max_choices) is not int or not 1 <= max_choices <= len(labels):
        raise Refused(
            "invalid",
            _("The maximum number of choices is from 1 to %(max)d.") % {"max": len(labels)},
        )
    return labels, max_choices


def _target(
    workshop: Workshop, group_id: object, phase_id: object
) -> tuple[Group | None, Phase | None]:
    group = phase = None
    if group_id is not None:
        group = (
            Group.objects.filter(pk=group_id, workshop=workshop).first()
            if type(group_id) is int
            else None
        )
        if group is None:
            raise Refused("not_found", _("This group does not exist."))
    if phase_id is not None:
        phase = (
            Phase.objects.filter(pk=phase_id, workshop=workshop).first()
            if type(phase_id) is int
            else None
        )
        if phase is None:
            raise Refused("not_found", _("This phase does not exist."))
    return group, phase


def poll_create(
    *,
    actor: Actor,
    question: str,
    kind: str,
    options: list[str] | None = None,
    max_choices: int = 1,
    results: str = Poll.Results.LIVE,
    tablet_per_person: bool = False,
    group_id: int | None = None,
    phase_id: int | None = None,
) -> Poll:
    """A draft poll for the plenary or one group, optionally attached to a phase."""
    require_lead(actor)
    question = clean_text(question, field=_("The question"), max_length=POLL_QUESTION_MAX_LENGTH)
    kind = clean_choice(kind, Poll.Kind, field=_("kind of poll"))
    results = clean_choice(results, Poll.Results, field=_("display of the results"))
    labels, max_choices = _clean_options(kind, options or [], max_choices)
    if type(tablet_per_person) is not bool:
        raise Refused("invalid", _("Say whether each person at a tablet answers."))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        group, phase = _target(workshop, group_id, phase_id)
        poll = Poll.objects.create(
            workshop=workshop,
            group=group,
            phase=phase,
            kind=kind,
            question=question,
            max_choices=max_choices,
            results=results,
            tablet_per_person=tablet_per_person,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, position=position, label=label)
            for position, label in enumerate(labels)
        )
        _emit_poll(poll)
    return poll


def _led_poll(actor: Actor, poll_id: object) -> tuple[Workshop, Poll]:
    require_lead(actor)
    workshop = locked_workshop(actor)
    poll = (
        Poll.objects.select_for_update().filter(pk=poll_id, workshop=workshop).first()
        if type(poll_id) is int
        else None
    )
    if poll is None:
        raise Refused("not_found", _("This poll does not exist."))
    return workshop, poll


def poll_update(
    *, actor: Actor, poll_id: int, question: str, options: list[str] | None = None
) -> Poll:
    """Reword a poll not opened yet (a blueprint's welcome poll, say): its question and, for
    a choice poll, its options. Once people may have seen it, it stays as they saw it."""
    question = clean_text(question, field=_("The question"), max_length=POLL_QUESTION_MAX_LENGTH)
    with transaction.atomic():
        _workshop, poll = _led_poll(actor, poll_id)
        if poll.status != Poll.Status.DRAFT:
            raise Refused("poll_opened", _("Only a poll not opened yet can be changed."))
        # Fewer options than the maximum of choices: the maximum follows them.
        listed = options if isinstance(options, list) else []
        given = len([o for o in listed if not isinstance(o, str) or o.strip()])
        labels, max_choices = _clean_options(
            poll.kind, options or [], max(1, min(poll.max_choices, given))
        )
        poll.question = question
        poll.max_choices = max_choices
        poll.save(update_fields=["question", "max_choices"])
        poll.options.all().delete()
        PollOption.objects.bulk_create(
            PollOption(poll=poll, position=position, label=label)
            for position, label in enumerate(labels)
        )
        _emit_poll(poll)
    return poll


def poll_open(*, actor: Actor, poll_id: int) -> Poll:
    """Open a draft, or reopen a closed poll: answers given before still count."""
    with transaction.atomic():
        workshop, poll = _led_poll(actor, poll_id)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        if poll.status != Poll.Status.OPEN:
            poll.status = Poll.Status.OPEN
            poll.opened_at = poll.opened_at or timezone.now()
            poll.closed_at = None
            poll.save(update_fields=["status", "opened_at", "closed_at"])
            _emit_poll(poll)
            publish_poll_tally(poll)
    return poll


def poll_close(*, actor: Actor, poll_id: int) -> Poll:
    with transaction.atomic():
        _workshop, poll = _led_poll(actor, poll_id)
        if poll.status != Poll.Status.OPEN:
            raise Refused("not_open", _("This poll is not open."))
        _close(poll)
    return poll


def _close(poll: Poll) -> None:
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    _emit_poll(poll)
    publish_poll_tally(poll)  # results shown at close appear now


def poll_delete(*, actor: Actor, poll_id: int) -> None:
    """Remove a poll nobody answered (what people answered is never thrown away)."""
    with transaction.atomic():
        _workshop, poll = _led_poll(actor, poll_id)
        if poll.answers.exists():
            raise Refused("poll_answered", _("People answered this poll: close it instead."))
        data = {"poll": poll.pk, "group": poll.group_id}
        stream = streams.board_stream(poll.group_id)
        poll.delete()
        emit(workshop_id=actor.workshop_id, stream=stream, name="poll.changed", data=data)
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.FACILITATORS,
            name="polls.changed",
            data={"poll": data["poll"]},
        )


def open_phase_polls(phase: Phase) -> None:
    """A phase starting opens the polls prepared for it."""
    for poll in phase.polls.select_for_update().filter(status=Poll.Status.DRAFT):
        poll.status = Poll.Status.OPEN
        poll.opened_at = timezone.now()
        poll.save(update_fields=["status", "opened_at"])
        _emit_poll(poll)
        publish_poll_tally(poll)


def close_phase_polls(phase: Phase) -> None:
    """A phase ending closes its polls (a facilitator may reopen one)."""
    for poll in phase.polls.select_for_update().filter(status=Poll.Status.OPEN):
        _close(poll)


def take_down_closed_polls(ended: Phase) -> None:
    """The agenda moves on: the polls closed during the phase that ended leave participants'
    screens and the projector (each screen redraws them; their results stay in the console)."""
    # Those closed by the end itself were just redrawn.
    closed_before = Poll.objects.filter(
        workshop_id=ended.workshop_id, status=Poll.Status.CLOSED, closed_at__lt=ended.ended_at
    )
    during = closed_before.filter(
        Q(phase=ended) | Q(phase=None, closed_at__gte=ended.started_at or ended.ended_at)
    )
    for poll in during:
        _emit_poll(poll)


def close_open_polls(workshop: Workshop) -> None:
    """The workshop closes: every poll still open closes with it."""
    for poll in workshop.polls.select_for_update().filter(status=Poll.Status.OPEN):
        _close(poll)


def _clean_words(answer: object) -> list[str]:
    if not isinstance(answer, str):
        raise Refused("invalid", _("An answer is one to three words."))
    words = [
        word.strip(".,;:!?«»\"'()[]")
        for word in clean_text(answer, field=_("Your answer"), max_length=100).split()
    ]
    words = [word.lower() for word in words if word]
    if not words:
        raise Refused("empty", _("Your answer cannot be empty."))
    if len(words) > POLL_MAX_WORDS:
        raise Refused("too_many_words", _("One to three words, please."))
    if any(len(word) > WORD_MAX_LENGTH for word in words):
        raise Refused(
            "too_long", _("A word is limited to %(max)d letters.") % {"max": WORD_MAX_LENGTH}
        )
    return words


def _clean_answer(poll: Poll, answer: object, option_ids: set[int]) -> dict:
    """The answer in the fields it is stored in, or a refusal naming what is wrong
    (`option_ids`: the poll's options)."""
    if poll.kind == Poll.Kind.SINGLE:
        if type(answer) is not int or answer not in option_ids:
            raise Refused("invalid", _("Choose one of the options."))
        return {"choices": [answer]}
    if poll.kind == Poll.Kind.MULTIPLE:
        if not isinstance(answer, list) or not all(type(choice) is int for choice in answer):
            raise Refused("invalid", _("Choose among the options."))
        chosen = sorted(set(answer))
        if not chosen:
            raise Refused("empty", _("Choose at least one option."))
        if len(chosen) > poll.max_choices:
            raise Refused(
                "too_many_choices",
                _("Choose at most %(max)d options.") % {"max": poll.max_choices},
            )
        if not option_ids.issuperset(chosen):
            raise Refused("invalid", _("Choose among the options."))
        return {"choices": chosen}
    if poll.kind == Poll.Kind.SCALE:
        if type(answer) is not int or answer not in SCALE:
            raise Refused("invalid", _("Choose a value from 1 to 5."))
        return {"value": answer}
    if poll.kind == Poll.Kind.WORDS:
        return {"words": _clean_words(answer)}
    text = clean_text(answer, field=_("Your answer"), max_length=POLL_OPEN_ANSWER_MAX_LENGTH)
    return {"text": text, "approved": False}


def poll_answer(*, actor: Actor, poll_id: int, answer: object) -> dict:
    """Answer a poll, or change one's answer while it is open (one `poll_answer_many`)."""
    [outcome] = poll_answer_many([Answering(actor, poll_id, answer, translation.get_language())])
    if isinstance(outcome, Refused):
        raise outcome
    return outcome


def _option_ids(poll: Poll) -> set[int]:
    if poll.kind not in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE):
        return set()
    return set(poll.options.values_list("pk", flat=True))


@dataclass(frozen=True)
class Answering:
    """One `poll.answer` among several answered together (`poll_answer_many`)."""

    actor: Actor
    poll_id: object
    answer: object
    language: str  # of the refusal, if any


def poll_answer_many(requests: list[Answering]) -> list[dict | Refused]:
    """Several participants answer polls at once: the outcome of each, as `poll_answer`
    gives it one by one (a result, or the refusal it would raise), in a few statements.

    A poll storm is a thousand answers within seconds; one at a time, each takes a
    dozen round trips to PostgreSQL and the process spends seconds of its core on them
    (docs/performance.md). The locks are `locked_contributor`'s, then the polls', in the
    order of `share_lock`: the workshops' rows, the participants' (by id), the polls'. A
    participant who answers twice in one call keeps the last answer, as one after the other
    would.
    """
    with transaction.atomic():
        participants = _locked_participants(requests)
        polls = _locked_open_polls({request.poll_id for request in requests})
        outcomes: list[dict | Refused] = []
        # One row per respondent (the last answer), with the fields its answer sets.
        rows: dict[tuple[int, int, int], tuple[PollAnswer, tuple[str, ...]]] = {}
        respondents: dict[tuple[int, int], int] = {}  # (poll, tablet) -> the last one
        for request in requests:
            with translation.override(request.language):
                try:
                    participant = _answering(request.actor, participants)
                    poll, option_ids = _answerable(polls, participant, request.poll_id)
                    fields = _clean_answer(poll, request.answer, option_ids)
                except Refused as refusal:
                    outcomes.append(refusal)
                    continue
            respondent = _respondent_number(poll, participant, respondents)
            row = PollAnswer(poll=poll, participant=participant, respondent=respondent, **fields)
            rows[(poll.pk, participant.pk, respondent)] = (row, tuple(fields))
            outcomes.append({"poll": poll.pk, "answer": request.answer, "respondent": respondent})
        _save_answers(list(rows.values()))
        for poll_id in {poll_id for poll_id, _participant, _respondent in rows}:
            publish_poll_tally(polls[poll_id][0])
    return outcomes


def _locked_participants(requests: list[Answering]) -> dict[int, Participant]:
    ids = {r.actor.participant_id for r in requests if r.actor.role == Role.PARTICIPANT}
    for workshop_id in sorted({r.actor.workshop_id for r in requests}):
        share_lock(Workshop, workshop_id)  # the workshops first: see `share_lock`
    found = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {participant.pk: participant for participant in found}


def _locked_open_polls(poll_ids: set[object]) -> dict[int, tuple[Poll, set[int]]]:
    """The polls asked for (drafts are not found), with their option ids, each locked
    until the answers commit: closing a poll waits for them, and the polls read after the
    locks show their status as it stays until then (an answer sent after the close sees the
    poll closed)."""
    ids = sorted(poll_id for poll_id in poll_ids if is_row_id(poll_id))
    for poll_id in ids:
        share_lock(Poll, poll_id)
    found = Poll.objects.filter(pk__in=ids).exclude(status=Poll.Status.DRAFT)
    return {poll.pk: (poll, _option_ids(poll)) for poll in found}


def _answering(actor: Actor, participants: dict[int, Participant]) -> Participant:
    """The participant answering (locked beforehand): `locked_contributor`'s checks, and
    not erased meanwhile (a socket opened before the erasure acts as nobody)."""
    refusal = _("Only participants answer polls.")
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", refusal)
    participant = participants.get(actor.participant_id)
    if participant is not None and (
        participant.workshop_id != actor.workshop_id or participant.anonymized_at is not None
    ):
        participant = None
    return contributing(participant, refusal=refusal)


def _answerable(
    polls: dict[int, tuple[Poll, set[int]]], participant: Participant, poll_id: object
) -> tuple[Poll, set[int]]:
    """The poll answered, open to this participant (locked beforehand)."""
    poll, option_ids = polls.get(poll_id, (None, set())) if is_row_id(poll_id) else (None, set())
    if (
        poll is None
        or poll.workshop_id != participant.workshop_id
        or (poll.group_id is not None and poll.group_id != participant.group_id)
    ):
        raise Refused("not_found", _("This poll does not exist."))
    if poll.status != Poll.Status.OPEN:
        raise Refused("poll_closed", _("This poll is closed."))
    return poll, option_ids


def _respondent_number(
    poll: Poll, participant: Participant, numbered: dict[tuple[int, int], int]
) -> int:
    """0, or at a table tablet where each person answers in turn, the next number."""
    if participant.kind != Participant.Kind.TABLET or not poll.tablet_per_person:
        return 0
    key = (poll.pk, participant.pk)
    if key not in numbered:
        last = poll.answers.filter(participant=participant).aggregate(last=Max("respondent"))
        numbered[key] = last["last"] or 0
    numbered[key] += 1
    return numbered[key]


def _save_answers(rows: list[tuple[PollAnswer, tuple[str, ...]]]) -> None:
    """New answers and changed ones in one statement per set of fields an answer sets
    (update_or_create takes a savepoint, a read and a write for each)."""
    by_fields: dict[tuple[str, ...], list[PollAnswer]] = defaultdict(list)
    for row, fields in rows:
        by_fields[fields].append(row)
    for fields, same in by_fields.items():
        PollAnswer.objects.bulk_create(
            same,
            update_conflicts=True,
            unique_fields=["poll", "participant", "respondent"],
            update_fields=[*fields, "answered_at"],
        )


def poll_moderate(*, actor: Actor, answer_id: int, approved: bool) -> PollAnswer:
    """A facilitator shows an open answer to everyone, or takes it back."""
    require_lead(actor)
    if type(approved) is not bool:
        raise Refused("invalid", _("Say whether the answer is shown."))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        answer = (
            PollAnswer.objects.select_for_update(of=("self",))
            .select_related("poll")
            .filter(pk=answer_id, poll__workshop=workshop, poll__kind=Poll.Kind.OPEN)
            .first()
            if type(answer_id) is int
            else None
        )
        if answer is None:
            raise Refused("not_found", _("This answer does not exist."))
        answer.approved = approved
        answer.save(update_fields=["approved"])
        publish_poll_tally(answer.poll)
    return answer

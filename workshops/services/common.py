"""Checks every service shares: clean user input, the actor's role, the locked workshop."""

import unicodedata
from typing import Literal

from django.db import connection, models
from django.utils.translation import gettext as _

from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Group, Participant, Workshop

MAX_PHASE_MINUTES = 8 * 60


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


def locked_contributor(actor: Actor, *, refusal: str) -> Participant:
    """The participant sending a vote or an answer, locked: their commands from several
    devices are served one at a time. Scribes type for tables; they do not vote or answer
    (`refusal` says so in the caller's words)."""
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", refusal)
    share_lock(Workshop, actor.workshop_id)  # the workshop first: see `share_lock`
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
        .first()
    )
    return contributing(participant, refusal=refusal)


def contributing(participant: Participant | None, *, refusal: str) -> Participant:
    """`participant` (None: not found) if they may vote or answer, else the refusal."""
    if participant is None:
        raise Refused("unauthenticated", _("Please join the workshop again."))
    if participant.kind == Participant.Kind.SCRIBE:
        raise Refused("forbidden", refusal)
    if participant.workshop.status == Workshop.Status.CLOSED:
        raise Refused("closed", _("This workshop is closed."))
    return participant


ROW_ID_MAX = 2**63 - 1  # PostgreSQL's bigint; beyond it SQLite raises instead of not finding


def is_row_id(value: object) -> bool:
    """`value` could be the id of a row (from a client's arguments: anything may come)."""
    return type(value) is int and 1 <= value <= ROW_ID_MAX


def share_lock(model: type[models.Model], pk: int) -> None:
    """Hold `pk`'s row against a concurrent FOR UPDATE (closing a poll, ending a phase) until
    this transaction ends, without making concurrent voters wait for each other. SQLite
    serializes writers anyway.

    Lock order, to never deadlock: the workshop's row first (FOR UPDATE for facilitators'
    commands and the plenary board, FOR KEY SHARE for participants' writes), then a group's
    row, then participants, post-its and the rest, the stream's counter last (emit). A
    participant's write that locked their row before the workshop's could wait for a
    facilitator's command (closing the workshop) that waits for that row: both would stop."""
    lock_row(model, pk, "FOR KEY SHARE")


def lock_row(
    model: type[models.Model], pk: int, strength: Literal["FOR UPDATE", "FOR KEY SHARE"]
) -> None:
    """Lock `pk`'s row (`strength`: FOR UPDATE, FOR KEY SHARE) without reading it into a
    model: the ORM would read and convert every column of the row for nothing."""
    if connection.vendor != "postgresql":
        return  # SQLite serializes writers
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s {strength}", [pk])  # noqa: S608


def lock_board_for_writing(workshop_id: int, group_id: int | None) -> None:
    """One writer at a time per board (`BoardAccess.lock_board`): the plenary's lock is the
    workshop's row, a group's is its row, after the workshop's shared lock."""
    if group_id is None:
        lock_row(Workshop, workshop_id, "FOR UPDATE")
        return
    share_lock(Workshop, workshop_id)
    lock_row(Group, group_id, "FOR UPDATE")


def participant_board(participant: Participant) -> int | None:
    """The board a participant writes on: their group's in breakouts, else the plenary's."""
    return participant.group_id if participant.workshop.in_breakouts else None


def fold(word: str) -> str:
    """Words are compared without case or accents: "Sécurité" and "securite" are one."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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


def locked_workshop(actor: Actor) -> Workshop:
    """The actor's workshop, locked: changes of one workshop happen one at a time.

    A facilitator's role is checked again here, under the lock: one removed while their
    console is open loses control at once, not at their next connection.
    """
    workshop = Workshop.objects.select_for_update().get(pk=actor.workshop_id)
    if actor.leads and not still_leads(workshop, actor.user_id):
        raise Refused("forbidden", _("Only the workshop's facilitators can do this."))
    return workshop


def still_leads(workshop: Workshop, user_id: int | None) -> bool:
    return workshop.organizer_id == user_id or workshop.facilitators.filter(pk=user_id).exists()


def one_of(workshop: Workshop, model: type[models.Model], pk: object) -> models.Model:
    """The `model` row `pk` of this workshop, or a refusal: ids of other workshops, or that
    are not ids at all, are simply not found."""
    found = model.objects.filter(pk=pk, workshop=workshop).first() if type(pk) is int else None
    if found is None:
        raise Refused("not_found", NOT_FOUND_MESSAGES[model.__name__]())
    return found


NOT_FOUND_MESSAGES = {
    "Phase": lambda: _("This phase does not exist."),
    "Group": lambda: _("This group does not exist."),
    "Participant": lambda: _("This participant is not in the workshop."),
}

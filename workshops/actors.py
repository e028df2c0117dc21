"""Who is asking: the role a request or a socket acts with inside one workshop."""

from dataclasses import dataclass
from enum import StrEnum

from workshops.models import Participant, Workshop

SESSION_PARTICIPANTS = "atelier_participants"  # {workshop id: participant id}
SESSION_PROJECTORS = "atelier_projectors"  # [workshop id, ...]


class Role(StrEnum):
    ORGANIZER = "organizer"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    PROJECTOR = "projector"


@dataclass(frozen=True)
class Actor:
    workshop_id: int
    role: Role
    participant_id: int | None = None
    user_id: int | None = None
    # A table tablet or a scribe: one device writing for several people.
    shared_device: bool = False

    @property
    def key(self) -> str:
        """Identifies the actor for command receipts (client ids are unique per actor)."""
        if self.participant_id is not None:
            return f"p:{self.participant_id}"
        if self.user_id is not None:
            return f"u:{self.user_id}"
        return f"projector:{self.workshop_id}"

    @property
    def leads(self) -> bool:
        return self.role in (Role.ORGANIZER, Role.FACILITATOR)


class View(StrEnum):
    """The page a socket belongs to; one browser may hold several roles at once."""

    PARTICIPANT = "participant"
    CONSOLE = "console"
    PROJECTOR = "projector"


def resolve_actor(*, workshop: Workshop, user, session, view: View) -> Actor | None:
    """The role this user or guest session holds in `workshop` for `view`, or None."""
    lead = _lead_role(workshop, user)
    if view == View.CONSOLE:
        return lead
    if view == View.PROJECTOR:
        if lead is not None or workshop.pk in session.get(SESSION_PROJECTORS, []):
            return Actor(workshop.pk, Role.PROJECTOR)
        return None
    participant_id = session.get(SESSION_PARTICIPANTS, {}).get(str(workshop.pk))
    if participant_id is None:
        return None
    kind = (
        Participant.objects.filter(pk=participant_id, workshop=workshop)
        .values_list("kind", flat=True)
        .first()
    )
    if kind is None:
        return None  # erased or removed since: the guest joins again
    shared = kind in (Participant.Kind.TABLET, Participant.Kind.SCRIBE)
    return Actor(workshop.pk, Role.PARTICIPANT, participant_id=participant_id, shared_device=shared)


def _lead_role(workshop: Workshop, user) -> Actor | None:
    if user is None or not user.is_authenticated:
        return None
    if workshop.organizer_id == user.pk:
        return Actor(workshop.pk, Role.ORGANIZER, user_id=user.pk)
    if workshop.facilitators.filter(pk=user.pk).exists():
        return Actor(workshop.pk, Role.FACILITATOR, user_id=user.pk)
    return None


def remember_participant(session, participant: Participant) -> None:
    participants = dict(session.get(SESSION_PARTICIPANTS, {}))
    participants[str(participant.workshop_id)] = participant.pk
    session[SESSION_PARTICIPANTS] = participants


def remember_projector(session, workshop: Workshop) -> None:
    projectors = set(session.get(SESSION_PROJECTORS, []))
    projectors.add(workshop.pk)
    session[SESSION_PROJECTORS] = sorted(projectors)

"""Who is asking, in a space: the team (accounts), a workshop's guest, or anyone else.

Atelier has no public sign-up. A space's public are the people who took part in its
workshops: their workshop session (workshops.actors) identifies them here too, as long as
their browser keeps it. Accounts run the space (organizers, moderators). Anyone may follow
a proposal with only an email address. docs/deliberation.md has the whole table.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import IntegrityError, transaction

from deliberation.models import Person, Space, SpaceMember
from workshops.actors import SESSION_PARTICIPANTS
from workshops.models import Participant


class SpaceRole(StrEnum):
    ORGANIZER = "organizer"  # the space's organizer or a co-organizer
    MODERATOR = "moderator"
    GUEST = "guest"  # took part in one of the space's workshops (their session says so)
    ACCOUNT = "account"  # logged in, without a role in this space
    VISITOR = "visitor"  # anyone else

    @property
    def in_team(self) -> bool:
        return self in (SpaceRole.ORGANIZER, SpaceRole.MODERATOR)


@dataclass(frozen=True)
class Viewer:
    space_id: int
    role: SpaceRole
    user_id: int | None = None
    participant_id: int | None = None

    @property
    def is_organizer(self) -> bool:
        return self.role == SpaceRole.ORGANIZER

    @property
    def in_team(self) -> bool:
        return self.role.in_team

    @property
    def known(self) -> bool:
        """Someone deliberation can attach a vote, a comment or a follow to."""
        return self.role != SpaceRole.VISITOR


def session_participant_ids(session) -> list[int]:
    return [int(pk) for pk in session.get(SESSION_PARTICIPANTS, {}).values()]


def team_role(space: Space, user) -> SpaceRole | None:
    if user is None or not user.is_authenticated:
        return None
    if space.organizer_id == user.pk:
        return SpaceRole.ORGANIZER
    member = SpaceMember.objects.filter(space=space, user=user).values_list("role", flat=True)
    role = member.first()
    if role is None:
        return None
    return SpaceRole.ORGANIZER if role == SpaceMember.Role.ORGANIZER else SpaceRole.MODERATOR


def space_guest(space: Space, session) -> Participant | None:
    """The participant this browser was in one of the space's workshops; people, not table
    tablets or scribes (a shared device is not someone). The latest if several."""
    ids = session_participant_ids(session)
    if not ids:
        return None
    return (
        Participant.objects.filter(pk__in=ids, kind=Participant.Kind.PERSON, workshop__spaces=space)
        .order_by("-joined_at", "-id")
        .first()
    )


def resolve_viewer(*, space: Space, user, session) -> Viewer:
    user_id = user.pk if user is not None and user.is_authenticated else None
    role = team_role(space, user)
    if role is not None:
        return Viewer(space.pk, role, user_id=user_id)
    guest = space_guest(space, session)
    if guest is not None:
        return Viewer(space.pk, SpaceRole.GUEST, user_id=user_id, participant_id=guest.pk)
    if user_id is not None:
        return Viewer(space.pk, SpaceRole.ACCOUNT, user_id=user_id)
    return Viewer(space.pk, SpaceRole.VISITOR)


def existing_person(viewer: Viewer) -> Person | None:
    """The viewer's person if they already acted, without making one (pages read this)."""
    if viewer.participant_id is not None:
        return Person.objects.filter(participant_id=viewer.participant_id).first()
    if viewer.user_id is not None:
        return Person.objects.filter(user_id=viewer.user_id).first()
    return None


def person_of(viewer: Viewer) -> Person:
    """The viewer's person, made the first time they act. A guest acts as their workshop
    participant even when logged in (their account is not what the space knows them by)."""
    if viewer.participant_id is not None:
        return _get_or_create(participant_id=viewer.participant_id)
    if viewer.user_id is not None:
        return _get_or_create(user_id=viewer.user_id)
    raise ValueError("a visitor has no person")


def participant_person(participant: Participant) -> Person:
    return _get_or_create(participant_id=participant.pk)


def _get_or_create(**key: int) -> Person:
    """Two devices of one person acting at once make one row (the unique key decides)."""
    found = Person.objects.filter(**key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Person.objects.create(**key)
    except IntegrityError:
        return Person.objects.get(**key)


def session_people(session, user=None) -> list[Person]:
    """Every person this browser is: its workshop identities, and its account."""
    ids = session_participant_ids(session)
    people = list(Person.objects.filter(participant_id__in=ids)) if ids else []
    if user is not None and user.is_authenticated:
        people.extend(Person.objects.filter(user=user))
    return people

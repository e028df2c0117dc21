"""Named personas, as the specifications speak of them: organizer, participants, outsider."""

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from workshops import services
from workshops.actors import Actor, Role, remember_participant, remember_projector
from workshops.models import Participant, Workshop

__all__ = [
    "alice",
    "as_participant",
    "bob",
    "facilitator",
    "join",
    "lead",
    "organizer",
    "other_workshop",
    "outsider_in_other_workshop",
    "stranger",
    "workshop",
]


@pytest.fixture
def organizer(db):
    return get_user_model().objects.create_user("olivia", password="organizer-pass-123")


@pytest.fixture
def workshop(organizer) -> Workshop:
    return services.workshop_create(organizer=organizer, title="Réaménager le parc Jean-Moulin")


@pytest.fixture
def lead(workshop, organizer) -> Actor:
    """The workshop's organizer, leading it from the console."""
    return Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)


def as_participant(participant: Participant) -> Actor:
    return Actor(participant.workshop_id, Role.PARTICIPANT, participant_id=participant.pk)


@pytest.fixture
def facilitator(workshop):
    """Fatou, a co-facilitator of the workshop with her own account."""
    user = get_user_model().objects.create_user(
        "fatou", email="Fatou.Diallo@example.org", password="facilitator-pass-123"
    )
    workshop.facilitators.add(user)
    return user


@pytest.fixture
def stranger(db):
    """Mallory has an account but no role in any workshop of these specifications."""
    return get_user_model().objects.create_user("mallory", password="stranger-pass-123")


@pytest.fixture
def other_workshop(organizer) -> Workshop:
    return services.workshop_create(organizer=organizer, title="Budget participatif")


@pytest.fixture
def join() -> Callable[..., Participant]:
    def join_workshop(workshop: Workshop, name: str, location: str = "remote") -> Participant:
        return services.participant_join(workshop=workshop, display_name=name, location=location)

    return join_workshop


@pytest.fixture
def alice(workshop, join) -> Participant:
    return join(workshop, "Alice", "remote")


@pytest.fixture
def bob(workshop, join) -> Participant:
    return join(workshop, "Bob", "room")


@pytest.fixture
def outsider_in_other_workshop(other_workshop, join) -> Participant:
    return join(other_workshop, "Oscar", "remote")


def session_cookie(*, participant: Participant | None = None, projector_of=None) -> str:
    """A real session saved in the database, as the join form or projector page leaves it."""
    session = SessionStore()
    if participant is not None:
        remember_participant(session, participant)
    if projector_of is not None:
        remember_projector(session, projector_of)
    session.create()
    return f"sessionid={session.session_key}"


async def cookie_for(*, participant: Participant | None = None, projector_of=None) -> str:
    """`session_cookie` for async tests (the session is saved from a worker thread)."""
    from channels.db import database_sync_to_async

    return await database_sync_to_async(session_cookie)(
        participant=participant, projector_of=projector_of
    )

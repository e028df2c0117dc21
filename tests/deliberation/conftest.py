"""A closed workshop with real outcomes, the space its proposals go to, and who asks.

The workshop is played through the workshop's own services: groups, post-its, a cluster,
a dot vote, conclusions written as Yjs updates (as the browsers' editors send them), the
plenary's vote on the conclusions, and the close.
"""

import base64
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from deliberation import services
from deliberation.people import Viewer, resolve_viewer
from tests.support.personas import as_participant
from workshops import services as workshop_services
from workshops.actors import Actor, remember_participant
from workshops.services.conclusions import conclusion_sync, conclusion_update


def write_conclusion(actor: Actor, group, *blocks: tuple[str, str, dict]) -> None:
    """Type blocks into a group's conclusion as a browser's editor would: sync, edit, send
    the Yjs update."""
    doc = Doc()
    fragment = doc.get("prosemirror", type=XmlFragment)
    reply = conclusion_sync(
        actor=actor, group_id=group.pk, state_vector=base64.b64encode(doc.get_state()).decode()
    )
    doc.apply_update(reply.update)
    before = doc.get_state()
    for tag, text, attributes in blocks:
        fragment.children.append(XmlElement(tag, attributes, [XmlText(text)]))
    update = base64.b64encode(doc.get_update(before)).decode()
    conclusion_update(actor=actor, group_id=group.pk, update=update)


def dot_vote(lead: Actor, scope: str, title: str):
    phase = workshop_services.phase_add(
        actor=lead, title=title, minutes=5, scope=scope, activity="dot_vote", dots=3
    )
    return workshop_services.phase_start(actor=lead, phase_id=phase.pk)


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Accounts' passwords hashed cheaply: these specifications are not about hashing, and
    the real hasher costs seconds per account on a loaded machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def roomy_paces(settings):
    """Specifications that write dozens of comments in a second are not about pacing
    (test_pace.py is, with its own limits)."""
    settings.DELIBERATION_RATE_LIMITS = {
        "proposals": (1000, 100.0),
        "comments": (1000, 100.0),
        "reports": (1000, 100.0),
    }


@pytest.fixture
def chloe(workshop, join):
    return join(workshop, "Chloé", "room")


@pytest.fixture
def played(workshop, lead, alice, bob, chloe):
    """Alice and Chloé at "Table 2", Bob in "Groupe Parc"; post-its, dots, a cluster,
    conclusions, the plenary's vote; then the workshop is closed."""
    table, online = workshop_services.groups_create(actor=lead, count=2, kind="online")
    workshop_services.group_rename(actor=lead, group_id=table.pk, name="Table 2")
    workshop_services.group_rename(actor=lead, group_id=online.pk, name="Groupe Parc")
    for person, group in ((alice, table), (chloe, table), (bob, online)):
        workshop_services.participant_move(actor=lead, participant_id=person.pk, group_id=group.pk)
    workshop_services.breakouts_open(actor=lead)

    def write(person, text):
        return workshop_services.postit_create(actor=as_participant(person), text=text)

    postits = {
        "bancs": write(alice, "Des bancs à l'ombre des platanes"),
        "poubelles": write(alice, "Plus de poubelles près des jeux"),
        "kiosque": write(chloe, "Un kiosque à musique"),
        "jeux": write(bob, "Une aire de jeux pour les petits"),
    }
    cluster = workshop_services.cluster_create(
        actor=lead,
        name="Mobilier",
        group_id=table.pk,
        postit_ids=[postits["bancs"].pk, postits["poubelles"].pk],
    )
    dot_vote(lead, "breakouts", "Gommettes")
    for person, key in (
        (alice, "bancs"),
        (chloe, "bancs"),
        (chloe, "kiosque"),
        (alice, "poubelles"),
        (bob, "jeux"),
    ):
        workshop_services.dot_add(actor=as_participant(person), postit_id=postits[key].pk)
    workshop_services.phase_end(actor=lead)
    write_conclusion(
        as_participant(alice),
        table,
        ("heading", "Ombre et repos au parc", {"level": "2"}),
        ("paragraph", "Installer des bancs à l'ombre et plus de poubelles.", {}),
    )
    write_conclusion(as_participant(bob), online, ("paragraph", "Une aire de jeux clôturée.", {}))
    workshop_services.breakouts_close(actor=lead)
    workshop_services.conclusions_share(actor=lead, shared=True)
    dot_vote(lead, "plenary", "Vote en plénière")
    conclusions = {c.group_id: c for c in workshop.conclusions.all()}
    for person, group in ((alice, table), (chloe, table), (bob, online)):
        workshop_services.dot_add(
            actor=as_participant(person), conclusion_id=conclusions[group.pk].pk
        )
    workshop_services.phase_end(actor=lead)
    workshop_services.workshop_close(actor=lead)
    return SimpleNamespace(
        workshop=workshop,
        table=table,
        online=online,
        postits=postits,
        cluster=cluster,
        conclusion=conclusions[table.pk],
        other_conclusion=conclusions[online.pk],
    )


@pytest.fixture
def space(organizer, workshop):
    return services.space_create(
        user=organizer, title="Parc Jean-Moulin 2026", language="fr", workshop=workshop
    )


def viewer_for(space, *, user=None, participant=None) -> Viewer:
    """Who asks, resolved as a request would: from an account and a workshop session."""
    session: dict = {}
    if participant is not None:
        remember_participant(session, participant)
    return resolve_viewer(space=space, user=user, session=session)


@pytest.fixture
def as_organizer(space, organizer) -> Viewer:
    return viewer_for(space, user=organizer)


@pytest.fixture
def moderator(space, as_organizer):
    user = get_user_model().objects.create_user(
        "mona", email="mona@example.org", password="moderator-pass-123"
    )
    services.member_add(viewer=as_organizer, username_or_email="mona", role="moderator")
    return user


@pytest.fixture
def as_moderator(space, moderator) -> Viewer:
    return viewer_for(space, user=moderator)


@pytest.fixture
def as_alice(space, alice) -> Viewer:
    return viewer_for(space, participant=alice)


@pytest.fixture
def as_bob(space, bob) -> Viewer:
    return viewer_for(space, participant=bob)


@pytest.fixture
def as_stranger(space, stranger) -> Viewer:
    return viewer_for(space, user=stranger)


@pytest.fixture
def as_visitor(space) -> Viewer:
    return viewer_for(space)


@pytest.fixture
def published(space, as_organizer):
    """A proposal made directly by the organizer, published."""
    proposal = services.proposal_create(
        viewer=as_organizer,
        title="Végétaliser la place du marché",
        body="Planter des arbres et installer des jardinières.",
    )
    return services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk)

"""Every live command against every role: allowed ones work, the others are refused
explicitly and change nothing. Ids of another workshop are never reachable."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from live.models import Event
from workshops import services
from workshops.actors import Actor, Role
from workshops.commands import COMMANDS, execute_command
from workshops.errors import Refused

LEADS = {"organizer", "facilitator"}
WRITERS = {"participant", "tablet"}
EVERYONE = LEADS | WRITERS | {"projector"}


@dataclass
class World:
    actors: dict[str, Actor]
    ids: dict[str, int]


@pytest.fixture
def world(workshop, organizer, alice) -> World:
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    co = get_user_model().objects.create_user("fatima", password="co-pass-12345")
    workshop.facilitators.add(co)
    table, online, empty = services.groups_create(
        actor=lead, count=1, kind="table"
    ) + services.groups_create(actor=lead, count=2, kind="online")
    services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    running = services.phase_add(
        actor=lead, title="A", minutes=5, scope="plenary", activity="dot_vote"
    )
    planned = services.phase_add(actor=lead, title="B", minutes=5, scope="plenary", activity="poll")
    services.phase_start(actor=lead, phase_id=running.pk)
    alices = Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk)
    postit = services.postit_create(actor=alices, text="L'idée d'Alice")
    tablets = Actor(workshop.pk, Role.PARTICIPANT, participant_id=tablet.pk)
    other_postit = services.postit_create(actor=tablets, text="L'idée de la table")
    cluster = services.cluster_create(actor=lead, name="Mobilité")
    # A dot each on Alice's post-it, so that both may take one back.
    services.dot_add(actor=alices, postit_id=postit.pk)
    services.dot_add(actor=tablets, postit_id=postit.pk)
    poll = services.poll_create(actor=lead, question="Oui ?", kind="single", options=["O", "N"])
    services.poll_open(actor=lead, poll_id=poll.pk)
    draft = services.poll_create(actor=lead, question="Plus tard ?", kind="scale")
    asked = services.poll_create(actor=lead, question="Pourquoi ?", kind="open")
    services.poll_open(actor=lead, poll_id=asked.pk)
    services.poll_answer(actor=alices, poll_id=asked.pk, answer="Parce que")
    actors = {
        "organizer": lead,
        "facilitator": Actor(workshop.pk, Role.FACILITATOR, user_id=co.pk),
        "participant": Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk),
        "tablet": Actor(workshop.pk, Role.PARTICIPANT, participant_id=tablet.pk),
        "projector": Actor(workshop.pk, Role.PROJECTOR),
    }
    ids = {
        "running": running.pk,
        "planned": planned.pk,
        "table": table.pk,
        "online": online.pk,
        "empty": empty.pk,
        "alice": alice.pk,
        "postit": postit.pk,
        "other_postit": other_postit.pk,
        "cluster": cluster.pk,
        "poll": poll.pk,
        "option": poll.options.first().pk,
        "draft": draft.pk,
        "open_answer": asked.answers.get().pk,
    }
    return World(actors, ids)


# command → (arguments built from the world's ids, roles allowed to run it)
MATRIX = {
    "postit.create": (lambda ids: {"text": "Une idée"}, WRITERS),
    # Only its author (Alice) may change her post-it: not even the table's tablet.
    "postit.update": (lambda ids: {"postit": ids["postit"], "text": "Mieux dit"}, {"participant"}),
    "postit.delete": (lambda ids: {"postit": ids["postit"]}, {"participant"}),
    "postit.hide": (lambda ids: {"postit": ids["postit"]}, LEADS),
    "postit.restore": (lambda ids: {"postit": ids["postit"]}, LEADS),
    # On a board not opened to everyone, a participant moves only their own post-its.
    "postit.move": (
        lambda ids: {"postit": ids["postit"], "cluster": None, "index": 0},
        LEADS | {"participant"},
    ),
    "postit.merge": (lambda ids: {"postit": ids["other_postit"], "into": ids["postit"]}, LEADS),
    "cluster.create": (lambda ids: {"name": "Nature", "group": ids["online"]}, LEADS),
    "cluster.rename": (lambda ids: {"cluster": ids["cluster"], "name": "Vélos"}, LEADS),
    "cluster.dissolve": (lambda ids: {"cluster": ids["cluster"]}, LEADS),
    "board.open": (lambda ids: {"open": True}, LEADS),
    "dot.add": (lambda ids: {"postit": ids["other_postit"]}, WRITERS),
    "dot.remove": (lambda ids: {"postit": ids["postit"]}, WRITERS),
    "poll.create": (lambda ids: {"question": "Bien ?", "kind": "scale"}, LEADS),
    "poll.update": (lambda ids: {"poll": ids["draft"], "question": "Mieux ?"}, LEADS),
    "poll.open": (lambda ids: {"poll": ids["draft"]}, LEADS),
    "poll.close": (lambda ids: {"poll": ids["poll"]}, LEADS),
    "poll.delete": (lambda ids: {"poll": ids["draft"]}, LEADS),
    "poll.answer": (lambda ids: {"poll": ids["poll"], "answer": ids["option"]}, WRITERS),
    "poll.moderate": (lambda ids: {"answer": ids["open_answer"], "approved": True}, LEADS),
    "conclusion.lock": (lambda ids: {"group": ids["online"], "locked": True}, LEADS),
    "conclusions.share": (lambda ids: {"shared": True}, LEADS),
    "conclusions.vote": (lambda ids: {}, LEADS),
    "phase.add": (
        lambda ids: {"title": "C", "minutes": 5, "scope": "plenary", "activity": "share"},
        LEADS,
    ),
    "phase.update": (
        lambda ids: {
            "phase": ids["planned"],
            "title": "B2",
            "minutes": 6,
            "scope": "breakouts",
            "activity": "brainstorm",
        },
        LEADS,
    ),
    "phase.move": (lambda ids: {"phase": ids["planned"], "to": 0}, LEADS),
    "phase.note": (lambda ids: {"phase": ids["planned"], "notes": "Bon rythme"}, LEADS),
    "phase.remove": (lambda ids: {"phase": ids["planned"]}, LEADS),
    "phase.start": (lambda ids: {"phase": ids["planned"]}, LEADS),
    "phase.pause": (lambda ids: {}, LEADS),
    "phase.resume": (lambda ids: {}, LEADS),
    "phase.extend": (lambda ids: {"minutes": 5}, LEADS),
    "phase.end": (lambda ids: {}, LEADS),
    "groups.create": (lambda ids: {"count": 1, "kind": "online"}, LEADS),
    "groups.configure": (
        lambda ids: {"self_choice": False, "video_url_template": "https://meet.jit.si/{group}"},
        LEADS,
    ),
    "group.rename": (lambda ids: {"group": ids["online"], "name": "Les platanes"}, LEADS),
    "group.delete": (lambda ids: {"group": ids["empty"]}, LEADS),
    "participants.assign": (lambda ids: {"strategy": "random"}, LEADS),
    "participant.move": (lambda ids: {"participant": ids["alice"], "group": ids["online"]}, LEADS),
    "breakouts.open": (lambda ids: {}, LEADS),
    "breakouts.close": (lambda ids: {}, LEADS),
    "broadcast.send": (lambda ids: {"text": "Plus que 5 minutes"}, LEADS),
    "hand.raise": (lambda ids: {}, WRITERS),
    "hand.lower": (lambda ids: {}, WRITERS),
    "speaker.next": (lambda ids: {}, LEADS),
    "speaker.done": (lambda ids: {}, LEADS),
    "tablet.pairing": (lambda ids: {"group": ids["online"]}, LEADS),
    "workshop.close": (lambda ids: {}, LEADS),
    "workshop.reopen": (lambda ids: {}, LEADS),
}


def test_the_matrix_covers_every_command():
    assert set(MATRIX) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_may_run_exactly_its_commands(world, name):
    """Every role in turn against the same world, each in a savepoint rolled back after."""
    build_args, allowed = MATRIX[name]
    for role in sorted(EVERYONE):
        with transaction.atomic():
            before = Event.objects.count()
            run = lambda role=role: execute_command(  # noqa: E731
                actor=world.actors[role],
                client_id=f"{name}-{role}",
                name=name,
                args=build_args(world.ids),
            )
            if role in allowed:
                assert isinstance(run(), dict), role
            else:
                with pytest.raises(Refused) as refusal:
                    run()
                assert (role, refusal.value.code) == (role, "forbidden")
                assert refusal.value.message
                assert Event.objects.count() == before
            transaction.set_rollback(True)


ID_ARGUMENTS = [
    name
    for name, (build, _roles) in MATRIX.items()
    if set(
        build(
            dict.fromkeys(
                (
                    "planned",
                    "running",
                    "table",
                    "online",
                    "empty",
                    "alice",
                    "postit",
                    "other_postit",
                    "cluster",
                    "poll",
                    "option",
                    "draft",
                    "open_answer",
                ),
                1,
            )
        )
    )
    & {"phase", "group", "participant", "cluster", "into", "poll", "answer"}
    and name != "poll.answer"  # refused to organizers before any id is looked at
]


@pytest.mark.parametrize("name", ID_ARGUMENTS)
def test_the_organizer_of_another_workshop_reaches_none_of_these_ids(
    world, name, other_workshop, organizer
):
    """Same person, other workshop: its console's socket acts on its own workshop only."""
    outsider = Actor(other_workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    before = Event.objects.count()
    with pytest.raises(Refused) as refusal:
        execute_command(actor=outsider, client_id="x", name=name, args=MATRIX[name][0](world.ids))
    assert refusal.value.code == "not_found"
    assert Event.objects.count() == before


def test_a_co_facilitator_removed_mid_session_loses_control_at_once(world, workshop):
    facilitator = world.actors["facilitator"]
    workshop.facilitators.remove(facilitator.user_id)
    with pytest.raises(Refused) as refusal:
        execute_command(actor=facilitator, client_id="late", name="phase.end", args={})
    assert refusal.value.code == "forbidden"

"""Breakout groups: created, assigned, moved, broadcast to, and called back to the plenary."""

from collections import Counter

import pytest

from live.models import Event, Stream
from tests.support.personas import as_participant
from workshops import services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Group, Participant, PostIt


@pytest.fixture
def room_of_twelve(workshop, join) -> list[Participant]:
    """8 people in the room and 4 remote, as in a small hybrid workshop."""
    return [join(workshop, f"Room {i}", "room") for i in range(8)] + [
        join(workshop, f"Remote {i}", "remote") for i in range(4)
    ]


def test_groups_are_numbered_per_kind_and_get_their_own_stream(workshop, lead):
    tables = services.groups_create(actor=lead, count=2, kind="table")
    online = services.groups_create(actor=lead, count=2, kind="online")
    assert [g.name for g in tables + online] == ["Table 1", "Table 2", "Groupe 1", "Groupe 2"]
    keys = set(Stream.objects.filter(workshop=workshop).values_list("key", flat=True))
    assert {f"group:{g.pk}" for g in tables + online} <= keys


@pytest.mark.parametrize(
    ("count", "kind"), [(0, "online"), (51, "online"), ("2", "online"), (2, "boat")]
)
def test_bad_group_creation_is_refused(workshop, lead, count, kind):
    with pytest.raises(Refused):
        services.groups_create(actor=lead, count=count, kind=kind)
    assert not Group.objects.exists()


def test_balanced_assignment_mixes_room_and_remote_evenly(workshop, lead, room_of_twelve):
    groups = services.groups_create(actor=lead, count=4, kind="online")
    services.participants_assign(actor=lead, strategy="balanced")
    people = Participant.objects.filter(workshop=workshop)
    sizes = Counter(p.group_id for p in people)
    assert sorted(sizes.values()) == [3, 3, 3, 3]
    for group in groups:
        locations = Counter(p.location for p in people if p.group_id == group.pk)
        assert locations == {"room": 2, "remote": 1}


def test_by_location_sends_the_room_to_tables_and_remote_people_online(
    workshop, lead, room_of_twelve
):
    tables = services.groups_create(actor=lead, count=2, kind="table")
    online = services.groups_create(actor=lead, count=2, kind="online")
    services.participants_assign(actor=lead, strategy="by_location")
    for person in Participant.objects.filter(workshop=workshop):
        expected = tables if person.location == "room" else online
        assert person.group_id in {g.pk for g in expected}
    sizes = Counter(Participant.objects.values_list("group_id", flat=True))
    assert [sizes[g.pk] for g in tables + online] == [4, 4, 2, 2]


def test_random_assignment_puts_everyone_in_a_group_of_even_size(workshop, lead, room_of_twelve):
    services.groups_create(actor=lead, count=5, kind="online")
    services.participants_assign(actor=lead, strategy="random")
    sizes = Counter(Participant.objects.values_list("group_id", flat=True))
    assert None not in sizes and max(sizes.values()) - min(sizes.values()) <= 1


def test_assigning_without_groups_or_with_an_unknown_strategy_is_refused(lead, room_of_twelve):
    with pytest.raises(Refused) as refusal:
        services.participants_assign(actor=lead, strategy="balanced")
    assert refusal.value.code == "no_groups"
    services.groups_create(actor=lead, count=2, kind="online")
    with pytest.raises(Refused):
        services.participants_assign(actor=lead, strategy="by_height")
    assert not Participant.objects.exclude(group=None).exists()


def test_a_facilitator_moves_someone_and_their_screen_is_told(workshop, lead, alice):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    assert Participant.objects.get(pk=alice.pk).group == group
    moved = Event.objects.get(name="participant.moved")
    assert moved.stream.key == "workshop"
    assert moved.data == {"participant": alice.pk, "group": group.pk}
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=None)
    assert Participant.objects.get(pk=alice.pk).group is None


def test_a_participant_cannot_move_themselves_unless_self_choice_is_on(workshop, lead, alice, bob):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    with pytest.raises(Refused) as refusal:
        services.participant_move(
            actor=as_participant(alice), participant_id=alice.pk, group_id=group.pk
        )
    assert refusal.value.code == "forbidden"
    services.groups_configure(actor=lead, self_choice=True, video_url_template="")
    services.participant_move(
        actor=as_participant(alice), participant_id=alice.pk, group_id=group.pk
    )
    assert Participant.objects.get(pk=alice.pk).group == group
    with pytest.raises(Refused) as refusal:
        services.participant_move(
            actor=as_participant(alice), participant_id=bob.pk, group_id=group.pk
        )
    assert refusal.value.code == "forbidden"
    assert Participant.objects.get(pk=bob.pk).group is None


def test_nobody_moves_into_another_workshops_group(
    workshop, lead, alice, other_workshop, organizer
):
    other_lead = Actor(other_workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    [foreign] = services.groups_create(actor=other_lead, count=1, kind="online")
    with pytest.raises(Refused) as refusal:
        services.participant_move(actor=lead, participant_id=alice.pk, group_id=foreign.pk)
    assert refusal.value.code == "not_found"


def test_in_breakouts_post_its_go_to_the_group_board(workshop, lead, alice):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    plenary = services.postit_create(actor=as_participant(alice), text="en plénière")
    services.breakouts_open(actor=lead)
    in_group = services.postit_create(actor=as_participant(alice), text="en groupe")
    services.breakouts_close(actor=lead)
    back = services.postit_create(actor=as_participant(alice), text="de retour")
    assert [plenary.group_id, in_group.group_id, back.group_id] == [None, group.pk, None]
    created = Event.objects.filter(name="postit.created").order_by("pk")
    assert [e.stream.key for e in created] == ["workshop", f"group:{group.pk}", "workshop"]


def test_back_to_plenary_keeps_the_groups_and_their_members(workshop, lead, room_of_twelve):
    services.groups_create(actor=lead, count=3, kind="online")
    services.participants_assign(actor=lead, strategy="balanced")
    services.breakouts_open(actor=lead)
    services.breakouts_close(actor=lead)
    workshop.refresh_from_db()
    assert not workshop.in_breakouts
    assert not Participant.objects.filter(workshop=workshop, group=None).exists()
    changes = Event.objects.filter(name="breakouts.changed").order_by("pk")
    assert [e.data["breakouts"] for e in changes][-2:] == [True, False]


def test_opening_breakouts_without_groups_is_refused(lead):
    with pytest.raises(Refused) as refusal:
        services.breakouts_open(actor=lead)
    assert refusal.value.code == "no_groups"


def test_a_breakout_phase_sends_everyone_to_their_group_and_a_plenary_phase_back(workshop, lead):
    services.groups_create(actor=lead, count=2, kind="online")
    ideas = services.phase_add(
        actor=lead, title="Idées", minutes=15, scope="breakouts", activity="brainstorm"
    )
    share = services.phase_add(
        actor=lead, title="Partage", minutes=10, scope="plenary", activity="share"
    )
    services.phase_start(actor=lead, phase_id=ideas.pk)
    workshop.refresh_from_db()
    assert workshop.in_breakouts
    services.phase_start(actor=lead, phase_id=share.pk)
    workshop.refresh_from_db()
    assert not workshop.in_breakouts


def test_a_group_with_post_its_is_kept_and_an_empty_one_deleted(workshop, lead, alice):
    first, second = services.groups_create(actor=lead, count=2, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=first.pk)
    services.breakouts_open(actor=lead)
    services.postit_create(actor=as_participant(alice), text="une idée")
    with pytest.raises(Refused) as refusal:
        services.group_delete(actor=lead, group_id=first.pk)
    assert refusal.value.code == "group_has_postits"
    assert PostIt.objects.filter(group=first).count() == 1
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=second.pk)
    services.group_delete(actor=lead, group_id=second.pk)
    assert Participant.objects.get(pk=alice.pk).group is None
    assert not Group.objects.filter(pk=second.pk).exists()


def test_rename_a_group(lead):
    [group] = services.groups_create(actor=lead, count=1, kind="table")
    services.group_rename(actor=lead, group_id=group.pk, name="Table des platanes")
    assert Group.objects.get(pk=group.pk).name == "Table des platanes"


def test_the_video_link_comes_from_the_workshops_template(workshop, lead):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.groups_configure(
        actor=lead,
        self_choice=False,
        video_url_template="https://meet.jit.si/atelier-{workshop}-{group}",
    )
    group.refresh_from_db()
    assert (
        group.video_link == f"https://meet.jit.si/atelier-{workshop.join_code.lower()}-{group.pk}"
    )


@pytest.mark.parametrize(
    "template", ["javascript:alert(1)", "https://x/{workshop.__class__}", "meet.jit.si/{group}", 42]
)
def test_a_video_link_template_must_be_a_web_address_with_known_placeholders(lead, template):
    with pytest.raises(Refused):
        services.groups_configure(actor=lead, self_choice=False, video_url_template=template)


def test_a_broadcast_is_an_event_every_screen_receives(workshop, lead):
    broadcast = services.broadcast_send(actor=lead, text="Plus que 5 minutes")
    event = Event.objects.get(name="broadcast.sent")
    assert event.stream.key == "workshop" and event.data == {"broadcast": broadcast.pk}


def test_only_facilitators_lead_the_groups(workshop, alice):
    participant = as_participant(alice)
    projector = Actor(workshop.pk, Role.PROJECTOR)
    for actor in (participant, projector):
        for call in (
            lambda a: services.groups_create(actor=a, count=2, kind="online"),
            lambda a: services.participants_assign(actor=a, strategy="random"),
            lambda a: services.breakouts_open(actor=a),
            lambda a: services.broadcast_send(actor=a, text="hello"),
            lambda a: services.groups_configure(actor=a, self_choice=True, video_url_template=""),
        ):
            with pytest.raises(Refused) as refusal:
                call(actor)
            assert refusal.value.code == "forbidden"
    assert not Group.objects.exists()

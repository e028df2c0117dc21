"""Writing post-its: the rules of postit_create."""

import pytest

from live.models import Event
from workshops import services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import POSTIT_MAX_LENGTH, PostIt, Workshop


def as_actor(participant) -> Actor:
    return Actor(participant.workshop_id, Role.PARTICIPANT, participant_id=participant.pk)


def test_participant_writes_a_post_it_on_the_plenary_board(alice):
    postit = services.postit_create(actor=as_actor(alice), text="  Plus d'ombre  ", color="blue")
    assert (postit.text, postit.color, postit.group_id, postit.author) == (
        "Plus d'ombre",
        "blue",
        None,
        alice,
    )


def test_writing_a_post_it_appends_a_valid_event_to_the_workshop_stream(alice):
    postit = services.postit_create(actor=as_actor(alice), text="Des jeux d'eau")
    event = Event.objects.get(name="postit.created")
    assert event.stream.key == "workshop"
    assert event.data == {"postit": postit.pk, "author": alice.pk, "group": None}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (POSTIT_MAX_LENGTH + 1), "too_long"),
        (42, "invalid"),
    ],
)
def test_bad_text_is_refused_and_changes_nothing(alice, text, code):
    with pytest.raises(Refused) as refusal:
        services.postit_create(actor=as_actor(alice), text=text)
    assert refusal.value.code == code
    assert not PostIt.objects.exists()
    assert not Event.objects.filter(name="postit.created").exists()


def test_exactly_the_limit_is_accepted(alice):
    assert services.postit_create(actor=as_actor(alice), text="é" * POSTIT_MAX_LENGTH)


def test_control_characters_are_dropped_but_line_breaks_kept(alice):
    postit = services.postit_create(actor=as_actor(alice), text="a\x00b\u202ec\nd")
    assert postit.text == "abc\nd"


def test_unknown_color_is_refused(alice):
    with pytest.raises(Refused) as refusal:
        services.postit_create(actor=as_actor(alice), text="ok", color="plaid")
    assert refusal.value.code == "invalid"


def test_projector_and_organizer_cannot_write_post_its(workshop, organizer):
    for actor in (
        Actor(workshop.pk, Role.PROJECTOR),
        Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk),
    ):
        with pytest.raises(Refused) as refusal:
            services.postit_create(actor=actor, text="hello")
        assert refusal.value.code == "forbidden"


def test_a_participant_cannot_write_into_another_workshop(alice, other_workshop):
    forged = Actor(other_workshop.pk, Role.PARTICIPANT, participant_id=alice.pk)
    with pytest.raises(Refused) as refusal:
        services.postit_create(actor=forged, text="intrusion")
    assert refusal.value.code == "unauthenticated"
    assert not PostIt.objects.exists()


def test_nobody_writes_in_a_closed_workshop(workshop, alice):
    Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.CLOSED)
    with pytest.raises(Refused) as refusal:
        services.postit_create(actor=as_actor(alice), text="trop tard")
    assert refusal.value.code == "closed"

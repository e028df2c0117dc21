"""Creating workshops and joining them."""

import pytest

from live.models import Event, Stream
from workshops import services
from workshops.errors import Refused
from workshops.models import JOIN_CODE_ALPHABET, Participant, Workshop
from workshops.selectors import normalize_join_code, workshop_by_code


def test_a_new_workshop_gets_a_readable_six_character_code_and_its_streams(workshop):
    assert len(workshop.join_code) == 6
    assert set(workshop.join_code) <= set(JOIN_CODE_ALPHABET)
    assert set(Stream.objects.filter(workshop=workshop).values_list("key", flat=True)) == {
        "workshop",
        "facilitators",
    }


def test_join_codes_are_unique(organizer):
    codes = {
        services.workshop_create(organizer=organizer, title=f"W{i}").join_code for i in range(30)
    }
    assert len(codes) == 30


def test_a_chosen_code_that_is_taken_is_refused(organizer, workshop):
    with pytest.raises(Refused) as refusal:
        services.workshop_create(organizer=organizer, title="Copie", join_code=workshop.join_code)
    assert refusal.value.code == "code_taken"


def test_people_type_codes_loosely(workshop):
    typed = " " + "-".join(workshop.join_code.lower()) + " "
    assert normalize_join_code(typed) == workshop.join_code
    assert workshop_by_code(typed) == workshop


def test_a_guest_joins_with_a_name_and_a_location_only(workshop):
    participant = services.participant_join(
        workshop=workshop, display_name=" Alice ", location="room"
    )
    assert (participant.display_name, participant.location) == ("Alice", "room")
    event = Event.objects.get(name="participant.joined")
    assert event.stream.key == "facilitators"
    assert event.data == {"participant": participant.pk, "location": "room", "group": None}


@pytest.mark.parametrize(
    ("name", "location", "code"),
    [("", "remote", "empty"), ("x" * 41, "remote", "too_long"), ("Alice", "moon", "invalid")],
)
def test_bad_join_details_are_refused(workshop, name, location, code):
    with pytest.raises(Refused) as refusal:
        services.participant_join(workshop=workshop, display_name=name, location=location)
    assert refusal.value.code == code
    assert not Participant.objects.exists()


def test_nobody_joins_a_closed_workshop(workshop):
    Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.CLOSED)
    with pytest.raises(Refused):
        services.participant_join(workshop=workshop, display_name="Late", location="remote")

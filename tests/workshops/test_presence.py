"""Presence (who is here, who is away) and the speaking queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from live.models import Event
from tests.support.personas import as_participant
from workshops import selectors, services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Participant, Workshop


def test_a_sign_of_life_makes_someone_present_and_silence_makes_them_away(workshop, alice, bob):
    services.presence_touch(actor=as_participant(alice))
    services.presence_touch(actor=as_participant(bob))
    Participant.objects.filter(pk=bob.pk).update(last_seen_at=timezone.now() - timedelta(minutes=2))
    totals = selectors.presence(workshop.pk)["totals"]
    # Alice is here, remote; Bob's phone is asleep.
    assert totals == {"room": 0, "remote": 1, "tablets": 0, "away": 1}


def test_presence_is_counted_per_group(workshop, lead, alice, bob):
    [group] = services.groups_create(actor=lead, count=1, kind="table")
    services.participant_move(actor=lead, participant_id=bob.pk, group_id=group.pk)
    for person in (alice, bob):
        services.presence_touch(actor=as_participant(person))
    places = {
        p["group__name"]: (p["room"], p["remote"], p["away"])
        for p in selectors.presence(workshop.pk)["places"]
    }
    assert places == {None: (0, 1, 0), "Table 1": (1, 0, 0)}


def test_hands_queue_in_the_order_they_went_up_and_a_second_raise_keeps_the_place(
    workshop, alice, bob
):
    services.hand_raise(actor=as_participant(bob))
    services.hand_raise(actor=as_participant(alice))
    services.hand_raise(actor=as_participant(bob))
    assert [p.display_name for p in selectors.speaking_queue(workshop.pk)["hands"]] == [
        "Bob",
        "Alice",
    ]
    assert Event.objects.filter(name="hands.changed").count() == 2


def test_the_facilitator_gives_the_floor_to_the_first_hand(workshop, lead, alice, bob):
    services.hand_raise(actor=as_participant(bob))
    services.hand_raise(actor=as_participant(alice))
    assert services.speaker_call_next(actor=lead) == bob
    queue = selectors.speaking_queue(workshop.pk)
    assert queue["speaker"] == bob and queue["hands"] == [alice]
    services.speaker_done(actor=lead)
    assert Workshop.objects.get(pk=workshop.pk).speaker is None


def test_a_participant_lowers_only_their_own_hand(workshop, lead, alice, bob):
    services.hand_raise(actor=as_participant(alice))
    services.hand_raise(actor=as_participant(bob))
    with pytest.raises(Refused) as refusal:
        services.hand_lower(actor=as_participant(alice), participant_id=bob.pk)
    assert refusal.value.code == "forbidden"
    services.hand_lower(actor=as_participant(alice))
    services.hand_lower(actor=lead, participant_id=bob.pk)
    assert selectors.speaking_queue(workshop.pk)["hands"] == []


def test_only_participants_raise_hands_and_only_facilitators_give_the_floor(workshop, lead, alice):
    with pytest.raises(Refused):
        services.hand_raise(actor=lead)
    with pytest.raises(Refused):
        services.hand_raise(actor=Actor(workshop.pk, Role.PROJECTOR))
    with pytest.raises(Refused):
        services.speaker_call_next(actor=as_participant(alice))


def test_the_console_polls_attendance_and_strangers_get_nothing(client, workshop, organizer, alice):
    url = reverse("console-attendance", args=[workshop.join_code])
    assert client.get(url).status_code == 302
    client.force_login(organizer)
    services.presence_touch(actor=as_participant(alice))
    page = client.get(url)
    assert page.status_code == 200 and 'hx-trigger="every 10s"' in page.text
    assert "Alice" in page.text

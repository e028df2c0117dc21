"""Closing a workshop: everything under way stops, what was written stays, nobody writes."""

import pytest

from live.models import Event
from tests.support.personas import as_participant, session_cookie
from workshops import services
from workshops.errors import Refused
from workshops.models import Conclusion, Phase, Poll, Workshop


@pytest.fixture
def workshop_under_way(workshop, lead, alice):
    """A writing phase running, a poll open, a conclusion being written, a hand up."""
    (group,) = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    phase = services.phase_add(
        actor=lead, title="Conclusion", minutes=15, scope="breakouts", activity="brainstorm"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    poll = services.poll_create(actor=lead, question="Satisfait ?", kind="scale")
    services.poll_open(actor=lead, poll_id=poll.pk)
    Conclusion.objects.create(workshop=workshop, group=group)
    services.postit_create(actor=as_participant(alice), text="Des bancs à l'ombre")
    services.hand_raise(actor=as_participant(alice))
    return {"phase": phase, "poll": poll, "group": group}


def test_closing_ends_the_phase_closes_polls_locks_conclusions_and_lowers_hands(
    workshop, lead, alice, workshop_under_way
):
    closed = services.workshop_close(actor=lead)

    assert closed.status == Workshop.Status.CLOSED and closed.closed_at is not None
    phase = Phase.objects.get(pk=workshop_under_way["phase"].pk)
    assert phase.status == Phase.Status.DONE and phase.ended_at is not None
    assert Poll.objects.get(pk=workshop_under_way["poll"].pk).status == Poll.Status.CLOSED
    assert Conclusion.objects.get(group=workshop_under_way["group"]).locked
    alice.refresh_from_db()
    assert alice.hand_raised_at is None
    assert workshop.postits.filter(text="Des bancs à l'ombre").exists()  # nothing is lost
    assert Event.objects.filter(name="workshop.closed").count() == 1


def test_nobody_joins_writes_votes_or_raises_a_hand_once_closed(
    workshop, lead, alice, join, workshop_under_way
):
    services.workshop_close(actor=lead)
    before = Event.objects.count()
    attempts = [
        lambda: join(workshop, "Zoé"),
        lambda: services.postit_create(actor=as_participant(alice), text="Trop tard"),
        lambda: services.hand_raise(actor=as_participant(alice)),
        lambda: services.poll_answer(
            actor=as_participant(alice), poll_id=workshop_under_way["poll"].pk, answer=4
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as refusal:
            attempt()
        assert refusal.value.code == "closed"
    assert Event.objects.count() == before


def test_closing_twice_changes_nothing(workshop, lead):
    services.workshop_close(actor=lead)
    first = Workshop.objects.get(pk=workshop.pk).closed_at
    services.workshop_close(actor=lead)
    assert Workshop.objects.get(pk=workshop.pk).closed_at == first
    assert Event.objects.filter(name="workshop.closed").count() == 1


def test_a_workshop_closed_by_mistake_opens_again(workshop, lead, join):
    services.workshop_close(actor=lead)
    reopened = services.workshop_reopen(actor=lead)
    assert reopened.status == Workshop.Status.OPEN and reopened.closed_at is None
    assert join(workshop, "Zoé").pk


def test_participants_cannot_close_the_workshop(workshop, alice):
    with pytest.raises(Refused) as refusal:
        services.workshop_close(actor=as_participant(alice))
    assert refusal.value.code == "forbidden"
    assert Workshop.objects.get(pk=workshop.pk).status == Workshop.Status.OPEN


def test_every_screen_says_the_workshop_is_closed(client, workshop, lead, alice):
    services.workshop_close(actor=lead)
    client.cookies.load(session_cookie(participant=alice))
    client.cookies["django_language"] = "en"
    assert "The workshop is closed" in client.get(f"/w/{workshop.join_code}/").text
    client.cookies.clear()  # another person's phone, the same link
    client.cookies["django_language"] = "en"
    page = client.get(f"/j/{workshop.join_code}/").text
    assert "it cannot be joined any more" in page and "display_name" not in page

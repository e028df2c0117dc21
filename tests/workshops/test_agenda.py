"""The agenda: phases that facilitators add, reorder, start, pause, extend and end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from live.models import Event
from workshops import services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Phase


@pytest.fixture
def agenda(lead) -> list[Phase]:
    specs = [
        ("Accueil", 5, "plenary", "welcome"),
        ("Idées", 15, "breakouts", "brainstorm"),
        ("Vote", 5, "breakouts", "dot_vote"),
    ]
    return [
        services.phase_add(actor=lead, title=t, minutes=m, scope=s, activity=a)
        for t, m, s, a in specs
    ]


def titles(workshop) -> list[str]:
    return list(workshop.phases.order_by("position").values_list("title", flat=True))


def test_phases_are_appended_in_order(workshop, agenda):
    assert titles(workshop) == ["Accueil", "Idées", "Vote"]
    assert Event.objects.filter(name="agenda.changed").count() == 3


def test_a_phase_moves_and_the_others_keep_their_order(workshop, lead, agenda):
    services.phase_move(actor=lead, phase_id=agenda[2].pk, to=0)
    assert titles(workshop) == ["Vote", "Accueil", "Idées"]
    services.phase_move(actor=lead, phase_id=agenda[2].pk, to=2)
    assert titles(workshop) == ["Accueil", "Idées", "Vote"]


def test_moving_outside_the_agenda_is_refused(workshop, lead, agenda):
    with pytest.raises(Refused):
        services.phase_move(actor=lead, phase_id=agenda[0].pk, to=3)
    assert titles(workshop) == ["Accueil", "Idées", "Vote"]


def test_starting_a_phase_sets_its_deadline_and_keeps_the_actual_start(lead, agenda):
    before = timezone.now()
    phase = services.phase_start(actor=lead, phase_id=agenda[0].pk)
    assert phase.status == "running" and phase.started_at >= before
    assert phase.ends_at - phase.started_at == timedelta(minutes=5)


def test_starting_the_next_phase_ends_the_current_one(lead, agenda):
    services.phase_start(actor=lead, phase_id=agenda[0].pk)
    services.phase_start(actor=lead, phase_id=agenda[1].pk)
    first = Phase.objects.get(pk=agenda[0].pk)
    assert first.status == "done" and first.ended_at is not None
    assert Phase.objects.get(pk=agenda[1].pk).status == "running"


def test_pause_keeps_the_time_left_and_resume_counts_it_down_again(lead, agenda):
    services.phase_start(actor=lead, phase_id=agenda[1].pk)
    paused = services.phase_pause(actor=lead)
    assert paused.status == "paused" and paused.ends_at is None
    assert 14 * 60 <= paused.paused_remaining <= 15 * 60
    resumed = services.phase_resume(actor=lead)
    left = (resumed.ends_at - timezone.now()).total_seconds()
    assert resumed.status == "running" and abs(left - paused.paused_remaining) < 5


def test_extend_adds_minutes_to_the_deadline(lead, agenda):
    phase = services.phase_start(actor=lead, phase_id=agenda[0].pk)
    extended = services.phase_extend(actor=lead, minutes=5)
    assert extended.ends_at - phase.ends_at == timedelta(minutes=5)


def test_extending_a_phase_whose_time_is_up_counts_from_now(lead, agenda):
    services.phase_start(actor=lead, phase_id=agenda[0].pk)
    Phase.objects.filter(pk=agenda[0].pk).update(ends_at=timezone.now() - timedelta(minutes=3))
    extended = services.phase_extend(actor=lead, minutes=2)
    left = (extended.ends_at - timezone.now()).total_seconds()
    assert 110 < left <= 120


def test_end_records_the_actual_end(lead, agenda):
    services.phase_start(actor=lead, phase_id=agenda[0].pk)
    ended = services.phase_end(actor=lead)
    assert ended.status == "done" and ended.ended_at >= ended.started_at
    with pytest.raises(Refused) as refusal:
        services.phase_end(actor=lead)
    assert refusal.value.code == "no_current_phase"


def test_the_current_phase_cannot_be_removed_but_others_can(workshop, lead, agenda):
    services.phase_start(actor=lead, phase_id=agenda[0].pk)
    with pytest.raises(Refused) as refusal:
        services.phase_remove(actor=lead, phase_id=agenda[0].pk)
    assert refusal.value.code == "phase_current"
    services.phase_remove(actor=lead, phase_id=agenda[2].pk)
    assert titles(workshop) == ["Accueil", "Idées"]


def test_phase_changes_are_events_on_the_workshop_stream(lead, agenda):
    services.phase_start(actor=lead, phase_id=agenda[0].pk)
    services.phase_pause(actor=lead)
    services.phase_resume(actor=lead)
    services.phase_extend(actor=lead, minutes=1)
    services.phase_end(actor=lead)
    names = list(
        Event.objects.filter(stream__key="workshop", name__startswith="phase.")
        .order_by("seq")
        .values_list("name", flat=True)
    )
    assert names == [
        "phase.started",
        "phase.paused",
        "phase.resumed",
        "phase.extended",
        "phase.ended",
    ]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": "", "minutes": 5, "scope": "plenary", "activity": "poll"}, "empty"),
        ({"title": "x", "minutes": 0, "scope": "plenary", "activity": "poll"}, "invalid"),
        ({"title": "x", "minutes": 481, "scope": "plenary", "activity": "poll"}, "invalid"),
        ({"title": "x", "minutes": "5", "scope": "plenary", "activity": "poll"}, "invalid"),
        ({"title": "x", "minutes": 5, "scope": "garden", "activity": "poll"}, "invalid"),
        ({"title": "x", "minutes": 5, "scope": "plenary", "activity": "dance"}, "invalid"),
    ],
)
def test_bad_phase_details_are_refused(workshop, lead, fields, code):
    with pytest.raises(Refused) as refusal:
        services.phase_add(actor=lead, **fields)
    assert refusal.value.code == code
    assert not workshop.phases.exists()


def test_participants_and_the_projector_cannot_lead(workshop, alice, agenda):
    for actor in (
        Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk),
        Actor(workshop.pk, Role.PROJECTOR),
    ):
        with pytest.raises(Refused) as refusal:
            services.phase_start(actor=actor, phase_id=agenda[0].pk)
        assert refusal.value.code == "forbidden"
    assert not Phase.objects.filter(status="running").exists()


def test_a_lead_cannot_touch_another_workshops_phase(other_workshop, organizer, agenda):
    other_lead = Actor(other_workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    with pytest.raises(Refused) as refusal:
        services.phase_start(actor=other_lead, phase_id=agenda[0].pk)
    assert refusal.value.code == "not_found"

"""Facilitators note what happened in each phase, on the console, for the minutes."""

import pytest

from live.events import validate_event
from live.models import Event
from workshops import fragments, services
from workshops.actors import Actor, Role
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.models import Phase


@pytest.fixture
def phase(lead) -> Phase:
    return services.phase_add(
        actor=lead, title="Idées en groupes", minutes=15, scope="breakouts", activity="brainstorm"
    )


def test_a_facilitator_notes_a_phase_for_the_facilitators_only(workshop, lead, phase):
    result = execute_command(
        actor=lead,
        client_id="note-1",
        name="phase.note",
        args={"phase": phase.pk, "notes": "  Le groupe en ligne a démarré en retard.  "},
    )
    assert result == {"phase": phase.pk}
    phase.refresh_from_db()
    assert phase.notes == "Le groupe en ligne a démarré en retard."
    event = Event.objects.filter(name="notes.changed").last()
    assert event.stream.key == "facilitators"  # never on a participant's stream
    validate_event(event.name, event.data)
    [swap] = fragments.render_event(workshop.pk, event.name, event.data, "fr")["swaps"]
    assert swap["target"] == "#notes"
    assert "Le groupe en ligne a démarré en retard.</textarea>" in swap["html"]


def test_notes_can_be_cleared_and_are_bounded(lead, phase):
    services.phase_note(actor=lead, phase_id=phase.pk, notes="Bonne énergie")
    services.phase_note(actor=lead, phase_id=phase.pk, notes="   ")
    phase.refresh_from_db()
    assert phase.notes == ""
    with pytest.raises(Refused) as too_long:
        services.phase_note(actor=lead, phase_id=phase.pk, notes="x" * 2001)
    assert too_long.value.code == "too_long"
    with pytest.raises(Refused) as not_text:
        services.phase_note(actor=lead, phase_id=phase.pk, notes=["x"])
    assert not_text.value.code == "invalid"


def test_notes_are_taken_after_closing_too(lead, phase):
    services.workshop_close(actor=lead)
    services.phase_note(actor=lead, phase_id=phase.pk, notes="Écrit après la séance")
    phase.refresh_from_db()
    assert phase.notes == "Écrit après la séance"


def test_participants_cannot_take_notes(workshop, phase, alice):
    with pytest.raises(Refused) as refused:
        services.phase_note(
            actor=Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk),
            phase_id=phase.pk,
            notes="Moi aussi",
        )
    assert refused.value.code == "forbidden"


def test_the_notes_card_follows_the_agenda(workshop, lead, phase):
    services.phase_add(actor=lead, title="Vote", minutes=5, scope="plenary", activity="dot_vote")
    event = Event.objects.filter(name="notes.changed").last()
    html = fragments.render_event(workshop.pk, event.name, event.data, "fr")["swaps"][0]["html"]
    assert 'for="notes-' in html and "2. Vote" in html

"""What the live screens say follows the workshop's state: the console's groups, boards and
attendance, and the conclusion editors' place in the agenda."""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from workshops import selectors, services
from workshops.models import Participant


def in_english(template: str, context: dict) -> str:
    with translation.override("en"):
        return render_to_string(template, context)


def console_boards(workshop) -> str:
    workshop.refresh_from_db()
    context = {"workshop": workshop, "boards": selectors.all_boards(workshop)}
    return in_english("workshops/partials/boards.html", context)


def test_the_conclusion_editors_stay_folded_until_the_phase_of_writing(workshop, lead):
    services.groups_create(actor=lead, count=1, kind="table")
    brainstorm, write = (
        services.phase_add(actor=lead, title=title, minutes=5, scope="breakouts", activity=kind)
        for title, kind in [("Idées", "brainstorm"), ("Conclusion", "write")]
    )
    services.phase_start(actor=lead, phase_id=brainstorm.pk)
    html = console_boards(workshop)
    assert '<details class="conclusion-fold" data-unfold-when-writing>' in html
    assert "Conclusion of Table 1: written later, in the phase of conclusions" in html
    services.phase_start(actor=lead, phase_id=write.pk)
    html = console_boards(workshop)
    assert "conclusion-fold" not in html and 'id="conclusion-' in html


def test_without_a_phase_of_writing_the_conclusion_editors_are_open(workshop, lead):
    services.groups_create(actor=lead, count=1, kind="online")
    html = console_boards(workshop)
    assert "conclusion-fold" not in html and 'id="conclusion-' in html


def test_the_groups_box_says_people_have_a_group_once_assigned(workshop, lead, alice, bob):
    services.groups_create(actor=lead, count=2, kind="online")
    panel = in_english("workshops/partials/groups_panel.html", selectors.groups_panel(workshop.pk))
    assert "Everyone is in the plenary." in panel
    services.participants_assign(actor=lead, strategy="balanced")
    panel = in_english("workshops/partials/groups_panel.html", selectors.groups_panel(workshop.pk))
    assert "Everyone is in the plenary." not in panel
    assert "2 people have a group and are still in the plenary" in panel
    assert "Send everyone to their group" in panel


def test_the_attendance_summary_counts_what_its_table_counts(workshop, alice, bob, join):
    carol = join(workshop, "Carol", "room")
    Participant.objects.filter(pk__in=[alice.pk, bob.pk]).update(last_seen_at=timezone.now())
    Participant.objects.filter(pk=carol.pk).update(
        last_seen_at=timezone.now() - timedelta(minutes=10)
    )
    html = in_english("workshops/partials/attendance.html", selectors.attendance_panel(workshop))
    counts = re.sub(r"\s+", " ", html.split('id="attendance-counts"')[1].split("</p>")[0])
    assert "2 present · 1 in the room, 1 remote · 3 joined" in counts
    totals = selectors.presence(workshop.pk)["totals"]
    assert (totals["room"], totals["remote"], totals["away"]) == (1, 1, 1)


def test_words_never_break_mid_word_in_narrow_columns():
    """`overflow-wrap: anywhere` lets a column shrink to one letter ("benche s"):
    only tokens too long for their line may break."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "atelier.css").read_text()
    assert "break-all" not in css
    # Addresses (join and pairing links) have no words: they may break anywhere.
    breaking_anywhere = re.findall(r"([^{}]*)\{[^}]*overflow-wrap: anywhere", css)
    selectors = {s.strip() for rule in breaking_anywhere for s in rule.split(",")}
    assert selectors <= {".links dd", ".pairing a", ".join-link"}, selectors
    assert re.search(r"\.postit-text[^{]*\{[^}]*hyphens: auto", css)


def test_the_participants_hint_about_their_post_its_is_not_on_the_console(workshop):
    html = console_boards(workshop)
    assert "You can move and edit your own post-its" not in html
    assert 'id="board-open"' in html  # the facilitators' own switch says what is open


def test_a_closed_workshops_agenda_is_a_record_without_controls(workshop, lead):
    first = services.phase_add(
        actor=lead, title="Accueil", minutes=5, scope="plenary", activity="welcome"
    )
    services.phase_add(actor=lead, title="Idées", minutes=5, scope="plenary", activity="brainstorm")
    services.phase_start(actor=lead, phase_id=first.pk)
    agenda = in_english("workshops/partials/agenda.html", selectors.agenda_context(workshop.pk))
    assert 'data-command="phase.start"' in agenda and 'data-command="phase.move"' in agenda
    services.workshop_close(actor=lead)
    agenda = in_english("workshops/partials/agenda.html", selectors.agenda_context(workshop.pk))
    for command in ("phase.start", "phase.move", "phase.remove", "phase.update", "phase.add"):
        assert f'data-command="{command}"' not in agenda
    assert 'data-command="workshop.reopen"' in agenda
    # One time format: 24-hour, as the phases' timings.
    closed = selectors.agenda_context(workshop.pk)["workshop"].closed_at
    assert f"Closed at {timezone.localtime(closed):%H:%M}" in agenda

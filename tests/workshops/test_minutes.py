"""The minutes say what happened, in the workshop's language, naming nobody unless asked."""

import re
from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from live.models import Event
from tests.support.story import play
from workshops.minutes.content import phase_timings
from workshops.minutes.render import build_document, minutes_data, to_markdown
from workshops.models import Phase, Workshop

pytestmark = pytest.mark.postgres

EMAIL = "Fatou.Diallo@example.org"
NAMES = ("Alice Martin", "Bob Durand", "Chloé Petit", "Sam Scribe", "Jeanne")


def markdown_of(workshop: Workshop, *, named: bool = False) -> str:
    return to_markdown(build_document(minutes_data(workshop, named=named)))


@pytest.fixture
def story(workshop, organizer, facilitator):
    return play(workshop, organizer)


def test_the_minutes_tell_the_whole_workshop_in_its_language(story):
    text = markdown_of(story.workshop)
    document = build_document(minutes_data(story.workshop, named=False))
    assert [section.key for section in document.sections] == [
        "overview",
        "attendance",
        "agenda",
        "polls",
        "groups",
        "plenary-vote",
        "notes",
        "about",
    ]
    assert text.startswith("# Réaménager le parc Jean-Moulin\n")
    for expected in (
        "## Vue d’ensemble",
        "Choisir ensemble les aménagements du parc.",
        "- **Lieu\u00a0:** Salle des fêtes",
        "- **Animation\u00a0:** olivia, fatou",
        # Attendance: in the room, remote, tablets, scribes, people.
        "| Table du kiosque | 2 | 0 | 1 | 0 | 2 |",
        "| Groupe en ligne | 0 | 1 | 0 | 0 | 1 |",
        "| Total | 2 | 1 | 1 | 1 | 3 |",
        # The agenda, planned and as it ran (pauses and extensions from the event log).
        "| 1. Sondage d'accueil | Plénière · Sondage | 5 min |",
        "1 pause",
        "prolongée 1 fois",
        "| 6. Pot de clôture | Plénière · Accueil et information | 10 min | — | — | — |"
        " non tenue |",
        # The poll with its figures (the chart is in the other formats).
        "#### Venez-vous souvent au parc ?",
        "| Oui | 2 | 67\u00a0% |",
        "| Rarement | 1 | 33\u00a0% |",
        # Post-its by cluster with their votes; the merged one inside its target.
        "#### Nature (2 éléments, 4 gommettes)",
        "- Planter des arbres **— 3 gommettes**",
        "  - Fusionné\u00a0: Plus d'ombre l'été",
        "- Des jeux d'eau **— 1 gommette**",
        "- Un kiosque à musique",
        # Conclusions as written, and the plenary vote on them.
        "> ##### Nature",
        "> - Planter des **arbres**",
        "> Éclairer les allées le soir.",
        "| 1 | Table du kiosque | 2 |",
        "| 2 | Groupe en ligne | 1 |",
        # The facilitators' notes.
        "Le groupe en ligne a démarré en retard.",
    ):
        assert expected in text, expected
    # Hidden and deleted post-its are counted, never shown.
    assert "Un message déplacé" not in text and "Doublon effacé" not in text
    assert "1 post-it masqué par l’animation n’est pas reproduit." in text
    assert EMAIL.lower() not in text.lower()


def test_no_e_mail_address_reaches_the_minutes(story):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.create_user("jean.dupont@mairie.example", password="x")
    story.workshop.facilitators.add(clerk)
    text = markdown_of(story.workshop, named=True)
    assert "- **Animation\u00a0:** olivia, fatou, jean.dupont" in text
    assert "@" not in text and EMAIL.lower() not in text.lower()


def test_the_minutes_name_nobody_unless_the_organizer_asks(story):
    anonymous = markdown_of(story.workshop)
    assert not [name for name in NAMES if name in anonymous]
    named = markdown_of(story.workshop, named=True)
    assert "- Table du kiosque\u00a0: Bob Durand, Chloé Petit" in named
    assert "- Planter des arbres **— 3 gommettes** *(Chloé Petit)*" in named
    assert "- Des jeux d'eau **— 1 gommette** *(Jeanne)*" in named  # typed at the tablet
    assert EMAIL.lower() not in named.lower()


def test_anonymous_post_its_have_no_author_even_in_named_minutes(story):
    Workshop.objects.filter(pk=story.workshop.pk).update(anonymous=True)
    story.workshop.refresh_from_db()
    named = markdown_of(story.workshop, named=True)
    assert "Bob Durand, Chloé Petit" in named  # who came: the attendance list
    assert "(Chloé Petit)" not in named and "Jeanne" not in named
    assert "Les post-it étaient anonymes" in named


def test_an_english_workshop_gets_english_minutes(story):
    Workshop.objects.filter(pk=story.workshop.pk).update(language="en")
    story.workshop.refresh_from_db()
    text = markdown_of(story.workshop)
    for expected in ("## Attendance", "## Agenda and timings", "| Oui | 2 | 67% |", "not held"):
        assert expected in text, expected


def test_an_italian_workshop_gets_italian_minutes_with_italian_dates(story):
    Workshop.objects.filter(pk=story.workshop.pk).update(language="it")
    story.workshop.refresh_from_db()
    text = markdown_of(story.workshop)
    for expected in ("## Presenze", "## Programma e orari", "| Oui | 2 | 67% |", "non svolta"):
        assert expected in text, expected
    with translation.override("it"):
        day = formats.date_format(timezone.localtime(story.workshop.created_at), "DATE_FORMAT")
    assert re.fullmatch(r"[1-9]\d? [a-z]+ \d{4}", day)  # "5 marzo 2026": no "05", no "Marzo"
    assert day in text


def test_actual_durations_replay_the_log_without_pauses(story):
    """Running time: from start to pause, then from resume to the next phase's start."""
    first, second = story.workshop.phases.order_by("position")[:2]
    start = story.workshop.created_at
    moments = {
        ("phase.started", first.pk): start,
        ("phase.paused", first.pk): start + timedelta(minutes=2),
        ("phase.resumed", first.pk): start + timedelta(minutes=5),
        ("phase.started", second.pk): start + timedelta(minutes=9),
    }
    for event in Event.objects.filter(stream__workshop=story.workshop):
        moment = moments.get((event.name, event.data.get("phase")))
        if moment:
            Event.objects.filter(pk=event.pk).update(created_at=moment)
    timings = phase_timings(story.workshop, list(Phase.objects.filter(workshop=story.workshop)))
    assert timings[0].active == timedelta(minutes=6)
    assert (timings[0].pauses, timings[1].extensions) == (1, 1)
    assert timings[5].active is None  # never started

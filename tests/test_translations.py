"""French (default), English and Italian are complete: every string of the code is in the
French and Italian catalogs, translated, with the placeholders of its source."""

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from tests.support.personas import session_cookie
from workshops import selectors, services
from workshops.actors import Actor, Role
from workshops.models import Workshop

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "config" / "locale"
CATALOGS = ("fr", "it")
SOURCES = ("config", "workshops", "live", "deliberation", "templates", "static", "manage.py")
# What a translation must carry over unchanged: %(name)s and %s-style values, {name} of the
# browser's strings, literal %%, and HTML tags with their attributes.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdifr]|%[sdif]|%%|\{\w*\}|</?[a-zA-Z][^>]*>"
)


def catalog_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(catalog_path(language)))


def msgids(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", CATALOGS)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    po = catalog(language)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_the_placeholders_of_their_source(language):
    mismatched = []
    for entry in catalog(language):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            # msgstr[0] is the singular (one), the others the plural.
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, text)
                for index, text in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        mismatched += [
            (source, text) for source, text in pairs if placeholders(source) != placeholders(text)
        ]
    assert mismatched == []


def test_french_typography_keeps_its_no_break_spaces():
    """A no-break space before ; : ? ! and inside « »: never a line break there."""
    wrong = re.compile(r"« | »| [;:?!]|[^\s\u00a0\u202f][;?!»]|«[^\u00a0\u202f]")
    texts = [
        text
        for entry in catalog("fr")
        if not entry.obsolete
        for text in ([entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values())
    ]
    assert [text for text in texts if wrong.search(text)] == []


def test_the_placeholder_check_sees_a_lost_or_renamed_value():
    assert placeholders("Join “%(title)s”") != placeholders("Partecipa a “%(titolo)s”")
    assert placeholders("{count} of {max} characters") != placeholders("{count} caratteri")
    assert placeholders('<a href="%(url)s">#%(number)s</a>') != placeholders("n. %(number)s")
    assert placeholders("%(hours)d h %(minutes)02d") == ["%(hours)d", "%(minutes)02d"]


def test_italian_holds_the_same_strings_as_french():
    assert msgids(catalog("it")) == msgids(catalog("fr"))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by make")
def test_the_catalogs_hold_every_string_of_the_code(tmp_path):
    """Extract the strings again from a copy of the sources; none may be missing."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-location", "-v", "0"]
        + [f"-l{language}" for language in CATALOGS],
        cwd=tmp_path,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=120,
    )
    for language in CATALOGS:
        extracted = polib.pofile(str(tmp_path / catalog_path(language).relative_to(ROOT)))
        new = [e.msgid for e in extracted if not e.msgstr and not e.msgstr_plural.get(0)]
        assert new == [], f"run `manage.py makemessages -l {language}` and translate these"
        assert msgids(extracted) == msgids(catalog(language))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Rejoindre un atelier"),
        ("en", "Join a workshop"),
        ("it", "Partecipa a un laboratorio"),
    ],
)
def test_pages_speak_the_chosen_language(client, db, language, text):
    client.cookies["django_language"] = language
    with override_settings(LANGUAGE_CODE="fr"):
        page = client.get(reverse("home")).text
    assert text in page
    assert f'<html lang="{language}">' in page


def test_french_is_the_default():
    with translation.override(None):
        assert translation.get_language() in (None, "fr")
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "fr"


@pytest.mark.parametrize(
    ("language", "erased_on"),
    [("fr", "5 mars 2026"), ("it", "5 marzo 2026"), ("en", "March 5, 2026")],
)
def test_a_participant_page_writes_dates_in_the_workshop_s_language(
    workshop, alice, language, erased_on
):
    """No language chosen: the workshop's own; its dates follow that language's format."""
    Workshop.objects.filter(pk=workshop.pk).update(
        language=language, created_at=datetime(2026, 2, 23, 10, tzinfo=UTC), retention_days=10
    )
    client = Client(HTTP_COOKIE=session_cookie(participant=alice))
    page = client.get(reverse("my-data", args=[workshop.join_code])).text
    assert f" {erased_on}" in page  # not "05"


@pytest.mark.parametrize(
    ("language", "mean", "share"),
    [("fr", "moyenne 3,5 / 5", "1 (50\u00a0%)"), ("it", "media 3,5 / 5", "1 (50%)")],
)
def test_poll_results_write_numbers_in_the_active_language(
    workshop, organizer, alice, bob, language, mean, share
):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    poll = services.poll_create(actor=lead, question="Le parc ?", kind="scale", options=[])
    services.poll_open(actor=lead, poll_id=poll.pk)
    for participant, value in ((alice, 5), (bob, 2)):
        actor = Actor(workshop.pk, Role.PARTICIPANT, participant_id=participant.pk)
        services.poll_answer(actor=actor, poll_id=poll.pk, answer=value)
    with translation.override(language):
        html = render_to_string(
            "workshops/partials/poll_results.html",
            {"results": selectors.poll_results(poll), "lead": True},
        )
    assert mean in html
    assert share in html

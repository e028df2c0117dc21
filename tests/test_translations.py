"""French (default) and English are complete: every string is in the French catalog."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "config" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCES = ("config", "workshops", "live", "deliberation", "templates", "static", "manage.py")


def msgids(catalog: polib.POFile) -> set[str]:
    return {entry.msgid for entry in catalog if not entry.obsolete}


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    catalog = polib.pofile(str(CATALOG))
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by make")
def test_the_french_catalog_holds_every_string_of_the_code(tmp_path):
    """Extract the strings again from a copy of the sources; none may be missing."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location", "-v", "0"],
        cwd=tmp_path,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=120,
    )
    extracted = polib.pofile(str(tmp_path / CATALOG.relative_to(ROOT)))
    new = [e.msgid for e in extracted if not e.msgstr and not e.msgstr_plural.get(0)]
    assert new == [], "run `manage.py makemessages -l fr` and translate these"
    assert msgids(extracted) == msgids(polib.pofile(str(CATALOG)))


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Rejoindre un atelier"), ("en", "Join a workshop")]
)
def test_pages_speak_the_chosen_language(client, db, language, text):
    client.cookies["django_language"] = language
    with override_settings(LANGUAGE_CODE="fr"):
        assert text in client.get(reverse("home")).text


def test_french_is_the_default():
    with translation.override(None):
        assert translation.get_language() in (None, "fr")
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "fr"

"""`manage.py atelier_demo`, which `make run` calls: idempotent, prints full links."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from workshops.models import Workshop


def run_demo() -> str:
    out = StringIO()
    call_command("atelier_demo", stdout=out)
    return out.getvalue()


def test_the_demo_is_created_once_and_prints_every_link(db, settings):
    settings.DEBUG = True
    first, second = run_demo(), run_demo()
    assert Workshop.objects.count() == 1
    assert get_user_model().objects.filter(username="organizer").count() == 1
    workshop = Workshop.objects.get()
    for output in (first, second):
        assert "http://127.0.0.1:8000/accounts/login/" in output
        assert "organizer / atelier-demo" in output
        assert f"http://127.0.0.1:8000/w/{workshop.join_code}/console/" in output
        assert f"http://127.0.0.1:8000/j/{workshop.join_code}/" in output
        assert f"/w/{workshop.join_code}/projector/{workshop.projector_token}/" in output


def test_the_demo_links_follow_public_url_and_port(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("PORT", "9000")
    assert "http://127.0.0.1:9000/j/PARC42/" in run_demo()
    settings.PUBLIC_URL = "http://192.0.2.10:8000"
    assert "http://192.0.2.10:8000/j/PARC42/" in run_demo()


def test_the_demo_account_is_refused_outside_development(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        run_demo()
    assert not get_user_model().objects.exists()

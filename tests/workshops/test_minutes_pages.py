"""The minutes page: made in the background once the workshop closes, followed while it is
made, downloaded by the workshop's organizer and facilitators only."""

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.support.personas import session_cookie
from tests.support.story import play
from workshops.jobs import run_due_jobs
from workshops.models import Dot, Export, Job

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def story(workshop, organizer, facilitator):
    return play(workshop, organizer)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(story) -> str:
    return reverse("minutes", args=[story.workshop.join_code])


def test_closing_the_workshop_makes_the_minutes_in_the_background(story, facilitator):
    export = Export.objects.get(workshop=story.workshop)
    assert (export.named, export.job.kind, export.job.status) == (
        False,
        "minutes.generate",
        "queued",
    )
    facilitator_page = client_of(facilitator)
    waiting = facilitator_page.get(page_url(story)).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "<progress" in waiting
    assert run_due_jobs() >= 1
    export.refresh_from_db()
    assert set(export.files) == {
        "pdf",
        "docx",
        "html",
        "md",
        "json",
        "postits-csv",
        "votes-csv",
        "poll_answers-csv",
        "conclusions-csv",
    }
    panel = facilitator_page.get(
        reverse("minutes-panel", args=[story.workshop.join_code, "anonymous"])
    ).content.decode()
    assert "hx-trigger" not in panel  # done: the page stops asking
    pdf_url = reverse("minutes-file", args=[story.workshop.join_code, export.pk, "pdf"])
    assert pdf_url in panel
    response = facilitator_page.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert (
        'attachment; filename="reamenager-le-parc-jean-moulin-' in response["Content-Disposition"]
    )
    assert response["Content-Disposition"].endswith('-compte-rendu.pdf"')
    pdf = b"".join(response.streaming_content)
    assert "Réaménager le parc Jean-Moulin" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_page_shows_the_job_s_progress(story, facilitator):
    job = Export.objects.get(workshop=story.workshop).job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=65)
    panel = client_of(facilitator).get(
        reverse("minutes-panel", args=[story.workshop.join_code, "anonymous"])
    )
    html = panel.content.decode()
    assert '<progress id="progress-anonymous" max="100" value="65">' in html
    assert 'role="status" aria-live="polite"' in html


def test_the_html_minutes_open_in_a_sandbox_and_the_rest_downloads(story, organizer):
    run_due_jobs()
    export = Export.objects.get(workshop=story.workshop)
    client = client_of(organizer)
    html = client.get(reverse("minutes-file", args=[story.workshop.join_code, export.pk, "html"]))
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert "attachment" not in html.get("Content-Disposition", "")
    assert "sandbox" in html["Content-Security-Policy"]
    assert "default-src 'none'" in html["Content-Security-Policy"]
    csv = client.get(
        reverse("minutes-file", args=[story.workshop.join_code, export.pk, "votes-csv"])
    )
    assert csv["Content-Disposition"].startswith("attachment;")
    assert csv["Cache-Control"] == "private, no-store"


def test_nobody_else_reaches_the_minutes_or_their_files(story, stranger):
    run_due_jobs()
    export = Export.objects.get(workshop=story.workshop)
    code = story.workshop.join_code
    urls = [
        page_url(story),
        reverse("minutes-panel", args=[code, "anonymous"]),
        reverse("minutes-file", args=[code, export.pk, "pdf"]),
    ]
    alice = Client(HTTP_COOKIE=session_cookie(participant=story.people["alice"]))
    for url in urls:
        assert Client().get(url).status_code == 302  # to the login page
        assert client_of(stranger).get(url).status_code == 404
        assert alice.get(url).status_code == 302
    # The files are in storage, under no public URL.
    name = export.files["pdf"]["name"]
    assert default_storage.exists(name)
    assert Client().get("/media/" + name).status_code == 404
    assert Client().get("/" + name).status_code == 404


def test_only_the_organizer_asks_for_named_minutes(story, organizer, facilitator):
    run_due_jobs()
    refused = client_of(facilitator).post(page_url(story), {"named": "on"})
    assert refused.status_code == 400
    assert "Seul l’organisateur de l’atelier peut demander un compte rendu nominatif." in (
        refused.content.decode()
    )
    assert not Export.objects.filter(named=True).exists()
    assert 'name="named"' not in client_of(facilitator).get(page_url(story)).content.decode()
    asked = client_of(organizer).post(page_url(story), {"named": "on"})
    assert asked.status_code == 302
    run_due_jobs()
    named = Export.objects.get(named=True)
    with default_storage.open(named.files["md"]["name"]) as markdown:
        assert "Bob Durand" in markdown.read().decode()
    assert named.files["pdf"]["name"].endswith("-compte-rendu-nominatif.pdf")


def test_asking_again_replaces_the_previous_files(story, organizer):
    run_due_jobs()
    first = Export.objects.get(workshop=story.workshop)
    client_of(organizer).post(page_url(story), {})
    client_of(organizer).post(page_url(story), {})  # while the first is queued: the same one
    assert Export.objects.filter(workshop=story.workshop).count() == 2
    run_due_jobs()
    assert not Export.objects.filter(pk=first.pk).exists()
    assert not default_storage.exists(first.files["pdf"]["name"])
    latest = Export.objects.get(workshop=story.workshop)
    assert default_storage.exists(latest.files["pdf"]["name"])


def test_the_console_and_the_organizer_s_list_lead_to_the_minutes(story, organizer):
    client = client_of(organizer)
    console = client.get(reverse("console", args=[story.workshop.join_code])).content.decode()
    assert console.count(f'href="{page_url(story)}"') == 2  # the header and the closed agenda
    assert "Notes pour le compte rendu" in console
    home = client.get(reverse("organizer-home")).content.decode()
    assert f'href="{page_url(story)}"' in home


def test_the_page_promises_the_plenary_vote_only_when_there_was_one(story, organizer):
    client = client_of(organizer)
    client.cookies["django_language"] = "en"
    assert "the plenary vote;" in client.get(page_url(story)).text
    Dot.objects.filter(phase__workshop=story.workshop, conclusion__isnull=False).delete()
    page = client.get(page_url(story)).text
    assert "the plenary vote" not in page and "the facilitators' notes" in page

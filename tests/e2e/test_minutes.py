"""The minutes in Chromium, on a phone: the organizer generates them and follows the
progress until the files are there; a participant downloads their data and erases it."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import join_from_phone
from workshops import services
from workshops.actors import Actor, Role
from workshops.jobs import run_due_jobs
from workshops.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def log_in(page, server, user, password: str) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/organizer/")


def test_the_organizer_follows_the_minutes_until_they_download_them(
    asgi_server, new_page, workshop, organizer, join, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the server and this test share the files
    server = asgi_server(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    join(workshop, "Alice")
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    phase = services.phase_add(
        actor=lead, title="Idées", minutes=10, scope="plenary", activity="brainstorm"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)

    page = new_page()  # a 360 × 640 phone
    log_in(page, server, organizer, "organizer-pass-123")
    page.click(f"a[href='/w/{workshop.join_code}/minutes/']")
    expect(page.locator("h1")).to_have_text(workshop.title)
    expect(page.locator("#export-anonymous")).to_contain_text("Pas encore produit.")
    page.click("text=Produire le compte rendu")
    expect(page.locator("#progress-anonymous")).to_be_visible()
    assert page.locator("label[for=progress-anonymous]").inner_text().startswith("Production")

    run_due_jobs()  # the worker's turn; the page, polling, shows the files
    pdf_link = page.get_by_role("link", name="Compte rendu (PDF)")
    expect(pdf_link).to_be_visible()
    expect(page.locator("#progress-anonymous")).to_have_count(0)
    links = page.locator("#export-anonymous .files a")
    expect(links).to_have_count(9)
    box = pdf_link.bounding_box()
    assert box["height"] >= 44  # a finger's target
    with page.expect_download() as download:
        pdf_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_participant_downloads_their_data_then_erases_their_name(asgi_server, new_page, workshop):
    server = asgi_server()
    phone = new_page()
    join_from_phone(phone, server, workshop, "Alice", "remote")
    phone.click("text=Vos données : les télécharger ou les effacer")
    expect(phone.locator("h1")).to_have_text(workshop.title)
    with phone.expect_download() as download:
        phone.click("text=Télécharger mes données (JSON)")
    data = json.loads(Path(download.value.path()).read_text())
    assert data["data"]["workshops.privacy"]["participant"]["display_name"] == "Alice"

    erase = phone.get_by_role("button", name="Effacer mon nom")
    erase.click()  # not confirmed: the browser asks for the box first
    assert Participant.objects.get(workshop=workshop).display_name == "Alice"
    phone.get_by_label("Je veux que mon nom soit effacé de cet atelier").check()
    erase.click()
    expect(phone.locator(".messages")).to_contain_text("Votre nom a été effacé de cet atelier.")
    assert Participant.objects.get(workshop=workshop).display_name == "Participant anonyme"
    phone.goto(f"{server.url}/w/{workshop.join_code}/")
    phone.wait_for_url(f"**/j/{workshop.join_code}/")  # this phone left the workshop

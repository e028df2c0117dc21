"""The README's screenshots, taken from a real workshop in Chromium so that they show the
product as it is: a participant's phone, a table's tablet, the facilitator's console and the
projector. Same content every run (fixed join code and public address, post-its written in
order, the running timer masked), written to docs/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    beside_the_browser,
    join_from_phone,
    open_console,
    wait_for_stillness,
)
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PUBLIC_URL = "http://atelier.example.org"
JOIN_CODE = "PARC42"
PASSWORD = "organizer-pass-123"
IDEAS = {
    "Bob": ["Des bancs à l'ombre des platanes", "Plus de poubelles près des jeux"],
    "Chloé": ["Planter des arbres fruitiers", "Un kiosque à musique le dimanche"],
    "Dylan": ["Éclairer les allées le soir"],
}


def a_workshop_under_way(workshop, organizer):
    """The plenary's brainstorm, post-its from three people, a "Nature" cluster, a table
    with its tablet's pairing open."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    for title, minutes, activity in (
        ("Accueil", 5, "welcome"),
        ("Idées pour le parc", 15, "brainstorm"),
        ("Vote par gommettes", 5, "dot_vote"),
    ):
        phase = services.phase_add(
            actor=lead, title=title, minutes=minutes, scope="plenary", activity=activity
        )
        if activity == "brainstorm":
            services.phase_start(actor=lead, phase_id=phase.pk)
    (table,) = services.groups_create(actor=lead, count=1, kind="table")
    services.group_rename(actor=lead, group_id=table.pk, name="Table du kiosque")
    table = services.tablet_pairing_open(actor=lead, group_id=table.pk)
    written = {}
    for name, texts in IDEAS.items():
        person = services.participant_join(workshop=workshop, display_name=name, location="room")
        actor = Actor(workshop.pk, Role.PARTICIPANT, participant_id=person.pk)
        for text in texts:
            written[text] = services.postit_create(actor=actor, text=text, color="yellow")
    services.cluster_create(
        actor=lead,
        name="Nature",
        postit_ids=[written["Planter des arbres fruitiers"].pk],
    )
    return table


def shoot(page, name: str, *, full_page: bool = False) -> None:
    wait_for_stillness(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=SCREENSHOTS / f"{name}.png",
        full_page=full_page,
        animations="disabled",
        caret="hide",
        # What changes from run to run: the running timer, the phases' clock times.
        mask=[page.locator(".timer"), page.locator(".phase .tag")],
        mask_color="#ffffff",
    )


def test_the_readme_screenshots(asgi_server, new_page, workshop, organizer):
    organizer.set_password(PASSWORD)
    organizer.save()
    Workshop.objects.filter(pk=workshop.pk).update(join_code=JOIN_CODE)
    workshop.refresh_from_db()
    table = beside_the_browser(a_workshop_under_way, workshop=workshop, organizer=organizer)
    server = asgi_server(PUBLIC_URL=PUBLIC_URL)

    phone = new_page(viewport={"width": 360, "height": 780})
    join_from_phone(phone, server, workshop, "Alice", "remote")
    expect(phone.locator("#board-workshop .postit")).to_have_count(5)
    shoot(phone, "participant-phone", full_page=True)

    tablet = new_page(viewport={"width": 1280, "height": 800})
    tablet.goto(f"{server.url}/t/{table.pairing_code}/")
    tablet.click("main form button[type=submit]")
    expect(tablet.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    tablet.locator("#compose-title").scroll_into_view_if_needed()
    tablet.fill("form[data-command='postit.create'] textarea", "Des jeux d'eau pour l'été")
    tablet.locator("form[data-command='postit.create'] textarea").blur()
    shoot(tablet, "table-tablet")

    console = open_console(
        new_page(viewport={"width": 1280, "height": 800}), server, workshop, "olivia", PASSWORD
    )
    shoot(console, "facilitator-console")

    projector = new_page(viewport={"width": 1280, "height": 720})
    projector.goto(f"{server.url}/w/{JOIN_CODE}/projector/{workshop.projector_token}/")
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    expect(projector.locator(".postit")).to_have_count(5)
    shoot(projector, "projector")

    for name in ("participant-phone", "table-tablet", "facilitator-console", "projector"):
        assert (SCREENSHOTS / f"{name}.png").read_bytes().startswith(b"\x89PNG")

"""The live workshop of the README's walkthrough, in a real browser: the console starts the
template's phases without any Content-Security-Policy violation, and the phone's page keeps
its header to one row and shows which sections open."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    beside_the_browser,
    join_from_phone,
    open_console,
    open_projector,
)
from workshops import services

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sample
    + " " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture
def template_workshop(organizer):
    organizer.set_password("organizer-pass-123")
    organizer.save()
    return services.workshop_create_from_blueprint(
        organizer=organizer, blueprint="brainstorm_vote_conclude", title="Parc", language="fr"
    )


def test_starting_the_templates_phases_logs_no_policy_violation_on_the_console(
    asgi_server, new_page, template_workshop
):
    server = asgi_server()
    workshop = template_workshop
    phone = new_page(viewport=PHONE)
    console = new_page(viewport=LAPTOP)
    projector = new_page(viewport={"width": 1920, "height": 1080})
    for page in (phone, console, projector):
        page.add_init_script(WATCH_VIOLATIONS)
    join_from_phone(phone, server, workshop, "Alice", "remote")
    open_console(console, server, workshop, "olivia", "organizer-pass-123")
    open_projector(projector, server, workshop)
    console.locator("#groups-count").fill("2")
    console.locator("form[data-command='groups.create'] button[type=submit]").click()
    expect(console.locator("#groups [data-drop-group]").first).to_be_visible()
    console.locator("form[data-command='participants.assign'] button[type=submit]").click()
    for phase in workshop.phases.order_by("position"):
        console.locator(f"#phase-{phase.pk} [data-command='phase.start']").click()
        expect(console.locator(f"#phase-{phase.pk}")).to_have_class("phase phase-running")
        expect(phone.locator("#now-title")).to_have_text(phase.title)
    # The welcome poll was there to answer; the conclusions came to the plenary by themselves.
    expect(phone.locator("#shared-conclusions")).to_be_visible()
    for page in (console, phone, projector):
        assert page.evaluate("window.__violations") == [], page.url


def test_a_phones_header_is_one_row_with_a_menu(asgi_server, new_page, template_workshop):
    server = asgi_server()
    phone = new_page(viewport=PHONE)
    join_from_phone(phone, server, template_workshop, "Alice", "remote")
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header
    menu = phone.locator("[data-site-menu]")
    expect(phone.get_by_role("button", name="Contraste élevé")).to_be_hidden()
    # With the keyboard: the summary takes the focus and Enter unfolds the links.
    menu.locator("> summary").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("button", name="Contraste élevé")).to_be_visible()
    expect(phone.get_by_role("link", name="Ce que deviennent mes idées")).to_be_visible()


def test_sections_that_open_show_a_marker_and_an_empty_queue_is_not_shown(
    asgi_server, new_page, template_workshop
):
    server = asgi_server()
    phone = new_page(viewport=PHONE)
    join_from_phone(phone, server, template_workshop, "Alice", "remote")
    marker = phone.evaluate(
        "getComputedStyle(document.querySelector('[data-site-menu] > summary'), '::before').content"
    )
    assert marker not in ("none", "normal", ""), marker
    expect(phone.locator(".hands-details")).to_be_hidden()
    person = template_workshop.participants.get()
    beside_the_browser(services.hand_raise, actor=_participant(person))
    expect(phone.locator(".hands-details")).to_be_visible()


def _participant(person):
    from workshops.actors import Actor, Role

    return Actor(person.workshop_id, Role.PARTICIPANT, participant_id=person.pk)

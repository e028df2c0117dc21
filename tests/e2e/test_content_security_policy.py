"""The strict Content-Security-Policy holds in a real browser: every page of a live workshop
works without a single violation (no inline script or style slipped in), and a script
written into a post-it does not run."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    beside_the_browser,
    join_from_phone,
    open_console,
    open_projector,
    write_postit,
)
from workshops import services
from workshops.actors import Actor, Role

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
window.__executed = [];
"""


def watched(page):
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("dialog", lambda dialog: page.evaluate("(m) => window.__executed.push(m)", "dialog"))
    return page


def test_no_page_of_a_live_workshop_violates_the_policy(asgi_server, new_page, workshop, organizer):
    organizer.set_password("organizer-pass-123")
    organizer.save()
    server = asgi_server()
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    (group,) = beside_the_browser(services.groups_create, actor=lead, count=1, kind="online")
    phone = watched(new_page())
    console = watched(new_page(viewport=LAPTOP))
    projector = watched(new_page(viewport=LAPTOP))
    join_from_phone(phone, server, workshop, "Alice", "remote")
    open_console(console, server, workshop, "olivia", "organizer-pass-123")
    open_projector(projector, server, workshop)

    payload = "<img src=x onerror=\"alert('xss')\"><script>alert('xss')</script>"
    write_postit(phone, payload)
    for page in (phone, console, projector):
        expect(page.locator("#board-workshop .postit-text").first).to_have_text(payload)

    # The group's conclusion editor (ProseMirror) too: breakouts open, Alice in the group.
    participant = workshop.participants.get()
    beside_the_browser(
        services.participant_move, actor=lead, participant_id=participant.pk, group_id=group.pk
    )
    beside_the_browser(services.breakouts_open, actor=lead)
    editor = phone.locator(f"#conclusion-{group.pk} .ProseMirror")
    editor.click()
    phone.keyboard.type("Conclusion <script>alert(1)</script>")
    expect(console.locator(f"#conclusion-{group.pk} .ProseMirror")).to_contain_text("Conclusion")

    for page in (phone, console, projector):
        assert page.evaluate("window.__violations") == [], page.url
        assert page.evaluate("window.__executed") == [], page.url
    # The watch itself works: an inline style attribute is reported at once.
    phone.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    phone.wait_for_function("window.__violations.length > 0")

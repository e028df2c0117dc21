"""In a real browser: two phones and the projector see a post-it appear without reloading."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import join_from_phone

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_a_post_it_written_on_one_phone_appears_on_the_other_and_the_projector(
    asgi_server, new_page, workshop
):
    server = asgi_server()
    alice, bob = new_page(), new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    projector = new_page(viewport={"width": 1280, "height": 800})
    projector.goto(f"{server.url}/w/{workshop.join_code}/projector/{workshop.projector_token}/")
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    expect(projector.locator(".join-code")).to_contain_text(workshop.join_code)

    alice.fill("form[data-command='postit.create'] textarea", "Des bancs à l'ombre <b>svp</b>")
    alice.click("form[data-command='postit.create'] button[type=submit]")

    for page in (alice, bob, projector):
        postit = page.locator("#board-workshop .postit")
        expect(postit).to_have_count(1)
        expect(postit.locator(".postit-text")).to_have_text("Des bancs à l'ombre <b>svp</b>")
        expect(postit.locator(".postit-author")).to_have_text("Alice")
    expect(alice.locator("form[data-command='postit.create'] textarea")).to_have_value("")
    expect(alice.locator("#board-workshop .postit.mine")).to_have_count(1)
    expect(bob.locator("#board-workshop .postit.mine")).to_have_count(0)

    # Alice rewrites her post-it; Bob sees the new text and has no control over it.
    mine = alice.locator("#board-workshop .postit.mine")
    mine.locator("summary").click()
    mine.locator("textarea").fill("Des bancs à l'ombre des platanes")
    mine.locator("button[type=submit]").click()
    for page in (bob, projector):
        expect(page.locator("#board-workshop .postit-text")).to_have_text(
            "Des bancs à l'ombre des platanes"
        )
    expect(bob.locator("#board-workshop .postit-tools")).to_be_hidden()

    # Phone-first: nothing scrolls sideways at 360 px.
    for page in (alice, bob):
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_reloaded_phone_shows_the_wall_and_keeps_the_participant_in(
    asgi_server, new_page, workshop
):
    server = asgi_server()
    alice = new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    alice.fill("form[data-command='postit.create'] textarea", "Première idée")
    alice.click("form[data-command='postit.create'] button[type=submit]")
    expect(alice.locator("#board-workshop .postit")).to_have_count(1)
    alice.reload()
    expect(alice.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    expect(alice.locator("#board-workshop .postit")).to_have_count(1)
    assert alice.url.endswith(f"/w/{workshop.join_code}/")


def test_a_participant_writing_too_fast_is_told_and_the_post_it_goes_a_moment_later(
    asgi_server, new_page, workshop
):
    server = asgi_server(LIVE_RATE_LIMITS='{"postits": [2, 0.5]}')
    alice = new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    for text in ("Un", "Deux", "Trois"):
        alice.fill("form[data-command='postit.create'] textarea", text)
        alice.click("form[data-command='postit.create'] button[type=submit]")
    error = alice.locator("form[data-command='postit.create'] [data-command-error]")
    expect(error).to_contain_text("réessayez dans")
    # Nothing is lost: the third one is sent again by itself once the pace allows it.
    expect(alice.locator("#board-workshop .postit-text")).to_have_text(["Un", "Deux", "Trois"])
    expect(error).to_be_hidden()

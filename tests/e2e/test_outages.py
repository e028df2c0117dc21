"""In the browser: when the server's live updates fail (Redis down), the page says so and
still catches up by itself; when they are back, it says so and goes on live."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import join_from_phone, write_postit

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_a_page_without_live_updates_says_so_and_still_catches_up(
    asgi_server, redis_proxy, new_page, workshop
):
    server = asgi_server(REDIS_URL=redis_proxy.redis_url, LIVE_HEARTBEAT_S="0.5")
    alice, bob = new_page(), new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")

    redis_proxy.cut()
    for page in (alice, bob):
        expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "degraded")
    write_postit(alice, "Écrit pendant la panne")
    # Bob's page asks for what it missed every few seconds: the post-it comes anyway.
    expect(bob.locator("#board-workshop .postit-text")).to_have_text(
        ["Écrit pendant la panne"], timeout=20_000
    )

    redis_proxy.restore()
    for page in (alice, bob):
        expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    write_postit(alice, "Écrit après le retour")
    expect(bob.locator("#board-workshop .postit-text")).to_have_text(
        ["Écrit pendant la panne", "Écrit après le retour"]
    )

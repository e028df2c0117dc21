"""Steps people take in the browser, shared by the end-to-end tests."""

from playwright.sync_api import expect


def join_from_phone(page, server, workshop, name: str, location: str) -> None:
    """Open the join link, type a name, say where you are, land on the live workshop page."""
    page.goto(f"{server.url}/j/{workshop.join_code}/")
    page.fill("input[name=display_name]", name)
    page.check(f"input[name=location][value={location}]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/w/{workshop.join_code}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")

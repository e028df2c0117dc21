"""A participant switches the page to Italian: the page, its live updates and the next
pages speak Italian; another participant of the same (French) workshop is unaffected."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import beside_the_browser, join_from_phone, open_site_menu
from workshops import services
from workshops.actors import Actor, Role

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def switch_language_with_the_keyboard(page, current_label: str, language: str) -> None:
    """The header's switch: choose in the list, Tab to its button, Enter."""
    open_site_menu(page)
    switch = page.get_by_role("combobox", name=current_label)
    expect(switch).to_be_visible()
    switch.focus()
    switch.select_option(language)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def test_a_participant_switches_to_italian_and_the_choice_sticks(
    asgi_server, new_page, workshop, organizer
):
    server = asgi_server()
    alice, bob = new_page(), new_page()
    alice.goto(f"{server.url}/j/{workshop.join_code}/")
    open_site_menu(alice)
    expect(alice.get_by_role("combobox", name="Langue")).to_be_visible()  # on the join page
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "remote")
    expect(alice.get_by_role("heading", name="Écrire un post-it")).to_be_visible()

    switch_language_with_the_keyboard(alice, "Langue", "it")
    alice.wait_for_url(f"**/w/{workshop.join_code}/")
    expect(alice.locator("html")).to_have_attribute("lang", "it")
    expect(alice.get_by_role("heading", name="Scrivi un post-it")).to_be_visible()
    expect(alice.get_by_role("button", name="Alza la mano per parlare")).to_be_visible()
    expect(alice.locator("[data-live-status]")).to_have_attribute("data-state", "online")

    # Live updates come to each page in its reader's language.
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    beside_the_browser(services.broadcast_send, actor=lead, text="Pause café")
    expect(alice.locator("#broadcast")).to_contain_text("Messaggio dei facilitatori")
    expect(bob.locator("#broadcast")).to_contain_text("Message de l’animation")

    # The choice sticks: after a reload, and on the workshop's other pages.
    alice.reload()
    expect(alice.get_by_role("heading", name="Scrivi un post-it")).to_be_visible()
    alice.get_by_role("link", name="I tuoi dati: scaricali o cancellali").click()
    expect(alice.get_by_role("heading", name="Cosa viene conservato su di te")).to_be_visible()
    open_site_menu(alice)
    expect(alice.get_by_role("combobox", name="Lingua")).to_have_value("it")

    bob.reload()
    expect(bob.locator("html")).to_have_attribute("lang", "fr")
    expect(bob.get_by_role("heading", name="Écrire un post-it")).to_be_visible()

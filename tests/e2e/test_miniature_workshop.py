"""A miniature workshop in Chromium: the console, two phones and the projector.

Join, split into two groups, see the timer, receive a broadcast, come back to the plenary.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import join_from_phone

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}


def open_console(new_page, server, workshop):
    """The organizer logs in on a laptop and opens the workshop's console."""
    organizer = workshop.organizer
    organizer.set_password("organizer-pass-123")
    organizer.save()
    console = new_page(viewport=LAPTOP)
    console.goto(f"{server.url}/accounts/login/")
    console.fill("input[name=username]", organizer.username)
    console.fill("input[name=password]", "organizer-pass-123")
    console.click("main form button[type=submit]")
    console.wait_for_url("**/organizer/")
    console.goto(f"{server.url}/w/{workshop.join_code}/console/")
    expect(console.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    return console


def test_a_miniature_workshop_from_the_console(asgi_server, new_page, workshop):
    server = asgi_server()
    console = open_console(new_page, server, workshop)

    alice, bob = new_page(), new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "remote")
    projector = new_page(viewport=LAPTOP)
    projector.goto(f"{server.url}/w/{workshop.join_code}/projector/{workshop.projector_token}/")
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    expect(console.locator("#participants li")).to_have_count(2)

    # The agenda: one breakout phase of 15 minutes.
    console.fill("#phase-new-title", "Idées en groupes")
    console.fill("#phase-new-minutes", "15")
    console.select_option("#phase-new-scope", "breakouts")
    console.select_option("#phase-new-activity", "brainstorm")
    console.click(".phase-add button[type=submit]")
    expect(console.locator("#agenda .phase")).to_have_count(1)

    # A table in the room and an online group.
    groups = console.locator("#groups .group-box[data-drop-group]:not(.plenary-box)")
    for count, kind in enumerate(("table", "online"), start=1):
        console.fill("#groups-count", "1")
        console.select_option("#groups-kind", kind)
        console.click("form[data-command='groups.create'] button[type=submit]")
        expect(groups).to_have_count(count)

    # The table's tablet pairs from the code the console shows, and stays there.
    console.click("#groups button[data-command='tablet.pairing']")
    pairing_link = console.locator("#groups .pairing a")
    expect(pairing_link).to_have_count(1)
    tablet = new_page(viewport={"width": 1024, "height": 768})
    tablet.goto(server.url + pairing_link.get_attribute("href"))
    tablet.click("main form button[type=submit]")
    tablet.wait_for_url(f"**/w/{workshop.join_code}/")
    expect(tablet.locator("body")).to_have_class(re.compile("tablet"))
    expect(tablet.locator("[data-live-status]")).to_have_attribute("data-state", "online")

    # The two remote phones are balanced across the groups: the table becomes hybrid.
    console.select_option("#assign-strategy", "balanced")
    console.click("form[data-command='participants.assign'] button[type=submit]")
    expect(console.locator("#groups .plenary-box li[data-participant]")).to_have_count(0)

    # Starting the breakout phase sends everyone to their group, with the timer running.
    console.click("#agenda button[data-command='phase.start']")
    expect(tablet.locator("#place .where")).to_contain_text("Table 1")
    for phone in (alice, bob):
        expect(phone.locator("#place .where")).to_contain_text(re.compile("Table 1|Groupe 1"))
        expect(phone.locator("#now h2")).to_have_text("Idées en groupes")
        expect(phone.locator("#now .timer")).to_have_text(re.compile(r"^1[45]:[0-5]\d$"))
    expect(projector.locator("#now .timer")).to_have_text(re.compile(r"^1[45]:"))

    # The tablet writes for its table, signed: the remote member of the table sees it, the
    # other group does not, and the projector shows every group's wall.
    at_table = alice if "Table 1" in alice.locator("#place .where").inner_text() else bob
    online = bob if at_table is alice else alice
    tablet.fill("input[name=signature]", "Marie")
    tablet.fill("form[data-command='postit.create'] textarea", "Un kiosque à musique")
    tablet.click("form[data-command='postit.create'] button[type=submit]")
    expect(at_table.locator("#wall .postit .postit-author")).to_have_text("Table 1 · Marie")
    expect(online.locator("#wall .postit")).to_have_count(0)
    expect(projector.locator("#stage .group-walls > section")).to_have_count(2)
    expect(projector.locator("#stage .postit")).to_have_count(1)

    # A broadcast reaches every group.
    console.fill("#broadcast-text", "Plus que 5 minutes")
    console.click("form[data-command='broadcast.send'] button[type=submit]")
    for page in (alice, bob, projector):
        expect(page.locator("#broadcast [data-broadcast]")).to_contain_text("Plus que 5 minutes")

    # Alice raises her hand: the console and the projector see the queue; she gets the floor.
    alice.click("button[data-hand=raise]")
    expect(alice.locator("[data-hand-position]")).to_contain_text("1")
    expect(console.locator("#hands .queue li")).to_have_text(re.compile("Alice"))
    expect(projector.locator("#hands .queue li")).to_have_count(1)
    console.click("#hands button[data-command='speaker.next']")
    expect(projector.locator("#hands .speaker")).to_contain_text("Alice")
    expect(alice.locator("button[data-hand=raise]")).to_be_visible()

    # Back to the plenary.
    console.click("button[data-command='breakouts.close']")
    for phone in (alice, bob):
        expect(phone.locator("#place .where")).to_contain_text("en plénière")
        expect(phone.locator("#wall-title")).to_have_text("Le mur")


def test_what_a_facilitator_is_typing_survives_a_live_redraw_of_the_panel(
    asgi_server, new_page, workshop
):
    server = asgi_server()
    console = open_console(new_page, server, workshop)
    console.fill("#video-template", "https://meet.jit.si/parc-{group}")

    # Someone joins: the groups panel is redrawn under the facilitator's cursor.
    join_from_phone(new_page(), server, workshop, "Alice", "remote")
    expect(console.locator("#groups .plenary-box li[data-participant]")).to_have_count(1)
    expect(console.locator("#video-template")).to_have_value("https://meet.jit.si/parc-{group}")
    expect(console.locator("#video-template")).to_be_focused()

"""The board on phones (360 × 640): writing, moving, clustering, dot votes, a lost socket."""

import re

import pytest
from playwright.sync_api import expect

from live.models import CommandReceipt
from tests.support.browser import (
    SocketLink,
    beside_the_browser,
    center,
    drag_grip,
    join_from_phone,
    live_queue,
    open_console,
    wait_for_empty_queue,
    wait_for_stillness,
    write_postit,
)
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Cluster, Dot, PostIt

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}
# A phone with a touch screen: the grips are dragged with a finger.
TOUCH_PHONE = {"has_touch": True, "is_mobile": True}


def loose(page):
    return page.locator("#board-workshop .lane-loose")


def texts(lane):
    return lane.locator(".postit-text")


def grip_of(page, text: str):
    return page.locator("#board-workshop .postit", has_text=text).locator(".postit-grip")


def assert_no_sideways_scroll(*pages) -> None:
    for page in pages:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def scroll_to_top_of(page, element, margin: int = 90) -> None:
    """Put `element` a little below the top of the viewport (drags near the edges scroll)."""
    element.evaluate(f"(el) => window.scrollBy(0, el.getBoundingClientRect().top - {margin})")
    wait_for_stillness(page)


def test_on_phones_alice_writes_moves_her_post_its_and_sorts_them_into_a_cluster(
    asgi_server, new_page, workshop, organizer
):
    server = asgi_server()
    alice, bob = new_page(**TOUCH_PHONE), new_page()
    link = SocketLink(alice)
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    for text in ("Des bancs", "Une fontaine", "Des toilettes"):
        write_postit(alice, text)
    for page in (alice, bob):
        expect(texts(loose(page))).to_have_text(["Des bancs", "Une fontaine", "Des toilettes"])
    # Alice's grips show on her own post-its only; Bob has none to move.
    expect(alice.locator("#board-workshop .postit-grip:visible")).to_have_count(3)
    expect(bob.locator("#board-workshop .postit-grip:visible")).to_have_count(0)

    # With her finger, Alice drags "Des toilettes" by its grip above "Des bancs".
    scroll_to_top_of(alice, loose(alice))
    first = alice.locator("#board-workshop .postit", has_text="Des bancs").bounding_box()
    drag_grip(alice, grip_of(alice, "Des toilettes"), (180, first["y"] + 20))
    for page in (alice, bob):
        expect(texts(loose(page))).to_have_text(["Des toilettes", "Des bancs", "Une fontaine"])

    # With the keyboard: "Une fontaine" goes up one place; the grip keeps the focus and a
    # screen reader hears the new place, even when the redraw comes well after the ack.
    wait_for_empty_queue(alice)
    link.hold_events()
    alice.focus("#board-workshop .postit:has-text('Une fontaine') .postit-grip")
    alice.keyboard.press("ArrowUp")
    wait_for_empty_queue(alice)  # acknowledged; the redraw is still on its way
    alice.wait_for_timeout(400)
    link.release_events()
    for page in (alice, bob):
        expect(texts(loose(page))).to_have_text(["Des toilettes", "Une fontaine", "Des bancs"])
    expect(grip_of(alice, "Une fontaine")).to_be_focused()
    expect(alice.locator("#board-announcer")).to_have_text(re.compile(r"\b2\b.*\b3\b"))
    assert list(
        PostIt.objects.filter(workshop=workshop).order_by("position").values_list("text", flat=True)
    ) == ["Des toilettes", "Une fontaine", "Des bancs"]

    # The facilitator opens the board to everyone and makes a cluster, from the console.
    console = new_page(viewport=LAPTOP)
    open_console(console, server, workshop, organizer.username, "organizer-pass-123")
    console.check("#board-open")
    for page in (alice, bob):
        expect(page.locator("body")).to_have_class(re.compile(r"\bboard-open\b"))
    new_cluster = console.locator("#board-workshop form.new-cluster")
    new_cluster.locator("input[name=name]").fill("Confort")
    new_cluster.locator("button[type=submit]").click()
    for page in (alice, bob):
        expect(page.locator("#board-workshop .lane.cluster h3")).to_contain_text("Confort")
    expect(bob.locator("#board-workshop .postit-grip:visible")).to_have_count(3)

    # Alice drags "Des bancs" into the cluster, on her phone; Bob sees it there.
    cluster_lane = alice.locator("#board-workshop .lane.cluster .lane-postits")
    scroll_to_top_of(alice, alice.locator("#board-workshop .postit", has_text="Des bancs"))
    target = cluster_lane.bounding_box()
    assert target["y"] + target["height"] < 640, "the cluster lane is off screen"
    drag_grip(alice, grip_of(alice, "Des bancs"), center(target))
    for page in (alice, bob, console):
        expect(texts(page.locator("#board-workshop .lane.cluster"))).to_have_text(["Des bancs"])
        expect(texts(loose(page))).to_have_text(["Des toilettes", "Une fontaine"])
    cluster = Cluster.objects.get(workshop=workshop)
    assert PostIt.objects.get(text="Des bancs").cluster_id == cluster.pk

    # Phone-first: nothing scrolls sideways at 360 px, with the open board's tools shown.
    expect(alice.locator("#board-workshop form.new-cluster")).to_be_visible()
    assert_no_sideways_scroll(alice, bob)


def test_on_a_wider_phone_a_post_it_drops_between_two_side_by_side(asgi_server, new_page, workshop):
    """At 412 px the lane not sorted yet, alone, shows two columns: every place is
    reachable, including the one between the two post-its of a row."""
    server = asgi_server()
    alice = new_page(viewport={"width": 412, "height": 915}, **TOUCH_PHONE)
    join_from_phone(alice, server, workshop, "Alice", "remote")
    for text in ("Des bancs", "Une fontaine", "Des toilettes"):
        write_postit(alice, text)
    expect(texts(loose(alice))).to_have_text(["Des bancs", "Une fontaine", "Des toilettes"])
    scroll_to_top_of(alice, loose(alice))
    first = alice.locator("#board-workshop .postit", has_text="Des bancs").bounding_box()
    second = alice.locator("#board-workshop .postit", has_text="Une fontaine").bounding_box()
    assert second["y"] == pytest.approx(first["y"], abs=2), "expected two columns"

    # Over the upper half of the second post-it of the row: between the two.
    drag_grip(alice, grip_of(alice, "Des toilettes"), (center(second)[0], second["y"] + 20))
    expect(texts(loose(alice))).to_have_text(["Des bancs", "Des toilettes", "Une fontaine"])
    wait_for_empty_queue(alice)  # shown at once; saved when the server acknowledges it
    assert list(
        PostIt.objects.filter(workshop=workshop).order_by("position").values_list("text", flat=True)
    ) == ["Des bancs", "Des toilettes", "Une fontaine"]
    assert alice.evaluate("document.documentElement.scrollWidth") <= 412


def organizer_actor(workshop, organizer) -> Actor:
    return Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)


def start_dot_vote(workshop, organizer, title: str, *, live: bool):
    actor = organizer_actor(workshop, organizer)
    phase = beside_the_browser(
        services.phase_add,
        actor=actor,
        title=title,
        minutes=10,
        scope="plenary",
        activity="dot_vote",
        dots=3,
        dots_stack=False,
        dots_live=live,
    )
    beside_the_browser(services.phase_start, actor=actor, phase_id=phase.pk)
    return phase


def postit_id(text: str) -> int:
    return PostIt.objects.get(text=text).pk


def test_a_dot_vote_on_phones_limits_the_dots_and_shows_counts_live_or_at_the_end(
    asgi_server, new_page, workshop, organizer
):
    server = asgi_server()
    alice, bob = new_page(), new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    ideas = ("Des bancs", "Une fontaine", "Des toilettes", "Un kiosque")
    for text in ideas:
        write_postit(alice, text)
    expect(bob.locator("#board-workshop .postit")).to_have_count(4)
    ids = {text: postit_id(text) for text in ideas}

    def add(page, text):
        page.click(f"#postit-{ids[text]} button[data-vote=add]")

    def remove(page, text):
        page.click(f"#postit-{ids[text]} button[data-vote=remove]")

    def count_on(page, text):
        return page.locator(f"[data-dots-for='{ids[text]}']")

    # Three dots, one per post-it, results live.
    start_dot_vote(workshop, organizer, "On vote", live=True)
    left = alice.locator("[data-dots-left]")
    expect(alice.locator("#now h2")).to_have_text("On vote")
    expect(left).to_have_text(re.compile(r"\b3\b"))
    expect(alice.locator(f"#postit-{ids['Des bancs']} button[data-vote=add]")).to_be_visible()

    add(alice, "Des bancs")
    expect(left).to_have_text(re.compile(r"\b2\b"))
    expect(alice.locator(f"[data-my-dots-for='{ids['Des bancs']}']")).to_have_text("●")
    expect(count_on(bob, "Des bancs")).to_have_text("● 1")  # live, on the other phone
    add(alice, "Une fontaine")
    expect(left).to_have_text(re.compile(r"\b1\b"))
    add(alice, "Des toilettes")
    expect(left).to_have_text(left.get_attribute("data-template-none"))
    for text in ("Une fontaine", "Des toilettes"):
        expect(count_on(bob, text)).to_have_text("● 1")

    # A fourth dot is refused: the phone shows why and a screen reader hears it; nothing
    # is counted.
    add(alice, "Un kiosque")
    expect(alice.locator("#board-announcer")).to_have_text(re.compile(r"\b3\b"))
    expect(left).to_have_text(alice.locator("#board-announcer").text_content())
    expect(alice.locator(f"[data-my-dots-for='{ids['Un kiosque']}']")).to_have_text("")
    assert Dot.objects.filter(participant__display_name="Alice").count() == 3

    # Alice takes one back: Bob's phone no longer counts it; she may place it again.
    remove(alice, "Des toilettes")
    expect(left).to_have_text(re.compile(r"\b1\b"))
    expect(count_on(bob, "Des toilettes")).to_be_hidden()
    expect(alice.locator(f"[data-my-dots-for='{ids['Des toilettes']}']")).to_have_text("")
    # Bob votes too: Alice's phone shows the live count.
    add(bob, "Des bancs")
    expect(count_on(alice, "Des bancs")).to_have_text("● 2")
    expect(count_on(bob, "Des bancs")).to_have_text("● 2")
    assert_no_sideways_scroll(alice, bob)

    # A second vote whose results are shown at the end: no count while it lasts.
    start_dot_vote(workshop, organizer, "Le vote final", live=False)
    expect(alice.locator("#now h2")).to_have_text("Le vote final")
    expect(left).to_have_text(re.compile(r"\b3\b"))  # a new vote, three new dots
    expect(alice.locator("[data-my-dots-for]:not(:empty)")).to_have_count(0)
    add(alice, "Une fontaine")
    expect(left).to_have_text(re.compile(r"\b2\b"))
    add(alice, "Un kiosque")
    expect(left).to_have_text(re.compile(r"\b1\b"))
    add(bob, "Un kiosque")
    expect(bob.locator("[data-dots-left]")).to_have_text(re.compile(r"\b2\b"))
    for page in (alice, bob):
        expect(page.locator("#results-workshop")).to_contain_text("3")  # dots placed
        expect(page.locator("#results-workshop .ranking")).to_have_count(0)
        expect(page.locator("[data-dots-for]:visible")).to_have_count(0)

    # The facilitator ends the vote: each phone shows the ranking and the counts.
    beside_the_browser(services.phase_end, actor=organizer_actor(workshop, organizer))
    for page in (alice, bob):
        ranking = page.locator("#results-workshop .ranking li")
        expect(ranking).to_have_count(2)
        expect(ranking.nth(0)).to_contain_text("Un kiosque")
        expect(ranking.nth(0).locator("strong")).to_contain_text("2")
        expect(ranking.nth(1)).to_contain_text("Une fontaine")
        expect(ranking.nth(1).locator("strong")).to_contain_text("1")
        expect(count_on(page, "Un kiosque")).to_have_text("● 2")
        expect(count_on(page, "Des bancs")).to_be_hidden()  # counted in the first vote only
        expect(page.locator("button[data-vote=add]:visible")).to_have_count(0)
    assert_no_sideways_scroll(alice, bob)


def test_post_its_written_offline_are_sent_on_reconnect_once_each(asgi_server, new_page, workshop):
    server = asgi_server()
    alice, bob = new_page(), new_page()
    link = SocketLink(alice)
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    write_postit(alice, "Écrit en ligne")
    expect(bob.locator("#board-workshop .postit")).to_have_count(1)
    wait_for_empty_queue(alice)

    # The phone loses its connection; Alice keeps writing.
    link.go_offline()
    write_postit(alice, "Écrit hors ligne 1")
    write_postit(alice, "Écrit hors ligne 2")
    queued = live_queue(alice)
    assert [item["args"]["text"] for item in queued] == [
        "Écrit hors ligne 1",
        "Écrit hors ligne 2",
    ]
    # On her own screen they wait, marked as not sent yet.
    expect(alice.locator("#board-workshop .postit.pending")).to_have_text(
        [re.compile("Écrit hors ligne 1"), re.compile("Écrit hors ligne 2")]
    )
    alice.wait_for_timeout(1000)  # what could leak out would have by now
    assert PostIt.objects.filter(workshop=workshop).count() == 1
    expect(bob.locator("#board-workshop .postit")).to_have_count(1)

    # Back online, the queue is sent; the acks are lost on the way back this time, so the
    # phone still keeps both commands.
    link.drop_acks = True
    link.go_online()
    for page in (bob, alice):
        expect(texts(page.locator("#board-workshop"))).to_have_text(
            ["Écrit en ligne", "Écrit hors ligne 1", "Écrit hors ligne 2"]
        )
    assert [item["id"] for item in live_queue(alice)] == [item["id"] for item in queued]
    expect(alice.locator("#board-workshop .postit.pending")).to_have_count(0)

    # The page is reloaded and sends its queue again, with the same ids: the server
    # recognises them and answers, creating nothing new; the queue empties.
    link.drop_acks = False
    alice.reload()
    expect(alice.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    wait_for_empty_queue(alice)
    # A later post-it: once Bob sees it, he has seen everything sent before it.
    write_postit(alice, "Après le retour")
    for page in (bob, alice):
        expect(texts(page.locator("#board-workshop"))).to_have_text(
            ["Écrit en ligne", "Écrit hors ligne 1", "Écrit hors ligne 2", "Après le retour"]
        )
    assert PostIt.objects.filter(workshop=workshop).count() == 4
    ids = [item["id"] for item in queued]
    assert CommandReceipt.objects.filter(client_id__in=ids, name="postit.create").count() == 2

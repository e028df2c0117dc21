"""A participant who uses no pointer: every action of a workshop with the keyboard alone
(Tab, Shift+Tab, Enter, Space, arrows; no click, no tap), each control showing where the
focus is. And live updates reach screen readers politely, summarized, not one by one."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import SocketLink, beside_the_browser, join_from_phone
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Conclusion, Participant, PollAnswer, PostIt

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

FOCUSED_AND_VISIBLE = """(selector) => {
  const element = document.activeElement;
  if (!element || !element.matches(selector)) return null;
  const style = getComputedStyle(element);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 250) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector`, and check that the focus
    can be seen there (an outline of at least 2 px)."""
    for _ in range(limit):
        visible = page.evaluate(FOCUSED_AND_VISIBLE, selector)
        if visible is not None:
            assert visible, f"{selector} has the focus but shows no focus outline"
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


def postit_id(text: str) -> int:
    return PostIt.objects.get(text=text).pk


def lead_of(workshop, organizer) -> Actor:
    return Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)


def test_a_participant_does_everything_with_the_keyboard_alone(
    asgi_server, new_page, workshop, organizer
):
    lead = lead_of(workshop, organizer)

    def plenary_with_an_open_board_and_a_poll():
        brainstorm = services.phase_add(
            actor=lead, title="Idées", minutes=15, scope="plenary", activity="brainstorm"
        )
        services.phase_start(actor=lead, phase_id=brainstorm.pk)
        services.board_open(actor=lead, open=True)
        poll = services.poll_create(
            actor=lead, question="Venez-vous au parc ?", kind="single", options=["Oui", "Non"]
        )
        services.poll_open(actor=lead, poll_id=poll.pk)
        (group,) = services.groups_create(actor=lead, count=1, kind="online")
        return poll, group

    poll, group = beside_the_browser(plenary_with_an_open_board_and_a_poll)
    server = asgi_server()
    page = new_page()

    # Joining: a name, where one is, the button.
    page.goto(f"{server.url}/j/{workshop.join_code}/")
    tab_to(page, "input[name=display_name]")
    page.keyboard.type("Alice")
    tab_to(page, "input[name=location]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/w/{workshop.join_code}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")

    # Two post-its, written and posted.
    for text in ("Des bancs", "Des arbres"):
        tab_to(page, "form[data-command='postit.create'] textarea")
        page.keyboard.type(text)
        tab_to(page, "form[data-command='postit.create'] button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("#board-workshop .postit-text", has_text=text)).to_be_visible()
    loose = "#board-workshop .lane-loose"
    expect(page.locator(f"{loose} .postit-text")).to_have_text(["Des bancs", "Des arbres"])

    # Moved down its lane with an arrow key: the focus stays on its grip.
    benches = postit_id("Des bancs")
    tab_to(page, f"#grip-{benches}", backwards=True)
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"{loose} .postit-text")).to_have_text(["Des arbres", "Des bancs"])
    expect(page.locator(f"#grip-{benches}")).to_be_focused()

    # A new cluster, then the post-it moved into it (the next lane) with an arrow key.
    tab_to(page, "#new-cluster-workshop")
    page.keyboard.type("Nature")
    page.keyboard.press("Enter")
    cluster = "#board-workshop .lane.cluster"
    expect(page.locator(f"{cluster} h3")).to_contain_text("Nature")
    tab_to(page, f"#grip-{benches}", backwards=True)
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{cluster} .postit-text")).to_have_text(["Des bancs"])
    expect(page.locator("#board-announcer")).to_contain_text("Nature")

    # The poll: an option chosen with the arrows, sent with Enter.
    tab_to(page, f"#poll-{poll.pk} input[type=radio]", backwards=True)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Non")).to_be_checked()
    tab_to(page, f"#poll-{poll.pk} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(f"#poll-{poll.pk} [data-poll-status]")).not_to_be_empty()
    no = poll.options.get(label="Non")
    assert PollAnswer.objects.get(poll=poll).choices == [no.pk]

    # A dot vote starts: a dot on the post-it, with Space.
    def dot_vote():
        phase = services.phase_add(
            actor=lead, title="Gommettes", minutes=5, scope="plenary", activity="dot_vote", dots=2
        )
        services.phase_start(actor=lead, phase_id=phase.pk)

    beside_the_browser(dot_vote)
    expect(page.locator("body")).to_have_class(re.compile(r"\bvoting\b"))
    tab_to(page, f"button[data-vote=add][data-postit='{benches}']", backwards=True)
    page.keyboard.press("Space")
    expect(page.locator(f"[data-my-dots-for='{benches}']")).to_have_text("●")

    # A raised hand, and lowered again.
    tab_to(page, "[data-hand=raise]", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("[data-hand-position]")).not_to_be_empty()
    assert Participant.objects.get(display_name="Alice").hand_raised_at is not None
    tab_to(page, "[data-hand=lower]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-hand-position]")).to_be_empty()

    # Breakouts: the group's conclusion, written and put in bold from the keyboard.
    alice = Participant.objects.get(display_name="Alice")
    beside_the_browser(
        services.participant_move, actor=lead, participant_id=alice.pk, group_id=group.pk
    )
    beside_the_browser(services.breakouts_open, actor=lead)
    editor = f"#conclusion-{group.pk} .ProseMirror"
    expect(page.locator(editor)).to_be_visible()
    tab_to(page, editor, backwards=True)
    page.keyboard.type("Des bancs ")
    page.keyboard.press("Control+b")
    page.keyboard.type("partout")
    expect(page.locator(f"{editor} strong")).to_have_text("partout")
    page.wait_for_function(
        "(id) => { const s = window.AtelierConclusions.sessions.get(id);"
        " return s && s.synced && !s.unsaved; }",
        arg=group.pk,
    )
    assert Conclusion.objects.get(group=group).markdown.strip() == "Des bancs **partout**"


def test_new_postits_are_announced_in_one_polite_summary(
    asgi_server, new_page, workshop, organizer, join
):
    """Three post-its written by others arrive together: the polite live region says
    "3 new post-its" once, not three times."""
    lead = lead_of(workshop, organizer)

    def brainstorm():
        phase = services.phase_add(
            actor=lead, title="Idées", minutes=15, scope="plenary", activity="brainstorm"
        )
        services.phase_start(actor=lead, phase_id=phase.pk)
        return join(workshop, "Bob", "room")

    bob = beside_the_browser(brainstorm)
    server = asgi_server()
    page = new_page()
    link = SocketLink(page)
    join_from_phone(page, server, workshop, "Alice", "remote")
    announcer = page.locator("[data-live-announcer]")
    expect(announcer).to_have_attribute("aria-live", "polite")
    page.evaluate(
        """() => {
          window.__announced = [];
          const region = document.querySelector("[data-live-announcer]");
          new MutationObserver(() => window.__announced.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )

    link.hold_events()
    as_bob = Actor(workshop.pk, Role.PARTICIPANT, participant_id=bob.pk)
    for text in ("Un kiosque", "Des jeux d'eau", "Plus d'ombre"):
        beside_the_browser(services.postit_create, actor=as_bob, text=text)
    link.release_events()
    expect(page.locator("#board-workshop .postit")).to_have_count(3)
    expect(announcer).to_have_text("Nouveaux post-its\u00a0: 3", timeout=15_000)
    assert [text for text in page.evaluate("window.__announced") if text] == [
        "Nouveaux post-its\u00a0: 3"
    ]

"""A corpus of script payloads, written through the real services wherever people write
(workshop title, names, post-its, clusters, groups, phases, polls and their answers, a
broadcast, a conclusion, a space, proposals, a comment, an official answer), is shown in
Chromium in every view and export without running, as text.

Every view opens twice: under the Content-Security-Policy the server sends, and in a
context that bypasses it, so that the escaping itself is checked, not only the policy. The
payloads call `__xss`, a function the test exposes; the test also listens for dialogs and
looks in each page for any element a payload could have made (an `on…` attribute, a
`javascript:` link, a frame, a script of ours).
"""

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field

import pytest
from django.test import Client
from markdown_it import MarkdownIt
from playwright.sync_api import expect

from deliberation import services as deliberation_services
from tests.deliberation.conftest import viewer_for, write_conclusion
from tests.support.browser import beside_the_browser
from tests.support.personas import session_cookie
from workshops import services
from workshops.actors import Actor, Role
from workshops.jobs import run_due_jobs
from workshops.models import Export, Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}

# Each payload names itself in its call: a failure says which one ran.
TITLE = "<svg onload=__xss('title')> {{7*7}}"
ALICE = "<img src=x onerror=__xss('name')>"
BOB = "\u202eboB '\"><b>bold</b>"
POSTITS = [
    "<script>__xss('script')</script>",
    "<img src=x onerror=__xss('img')>",
    "<svg onload=__xss('svg')>",
    '"><iframe srcdoc="<script>parent.__xss(\'iframe\')</script>"></iframe>',
    "javascript:__xss('url')",
    "{{7*7}} {% now 'Y' %} ${7*7} #{7*7}",
    "[lien](javascript:__xss('link')) ![image](x\" onerror=\"__xss('image'))",
    "\u202egnp.exe \u2066<b>isolate</b>\u2069",
    "' onmouseover='__xss(\"attribute\")' x='",
    "</textarea><script>__xss('textarea')</script>",
    '=HYPERLINK("http://evil.example","clic")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
]
LIVE_POSTIT = "<img src=x onerror=__xss('live')> arrivé en direct"
CLUSTER = "<script>__xss('cluster')</script>"
GROUP = '"><iframe srcdoc="<script>parent.__xss(1)</script>">'
PHASE = "<svg onload=__xss('phase')>"
QUESTION = "<img src=x onerror=__xss('poll')> {{7*7}} ?"
OPTIONS = ["<script>__xss('option')</script>", "javascript:__xss('option')"]
OPEN_QUESTION = "<svg onload=__xss('open')> Vos idées ?"
OPEN_ANSWER = "<iframe srcdoc=\"<script>parent.__xss('answer')</script>\"></iframe>"
BROADCAST = "<img src=x onerror=__xss('broadcast')>"
CONCLUSION_HEADING = "<script>__xss('conclusion')</script>"
CONCLUSION_TEXT = "[lien](javascript:__xss('md')) **<img src=x onerror=__xss('bold')>**"
SPACE = "<svg onload=__xss('space')>"
PROPOSAL_TITLE = "<img src=x onerror=__xss('proposal')>"
PROPOSAL_BODY = (
    "[clic](javascript:__xss('body-link')) <script>__xss('body')</script>\n\n"
    "![i](x\" onerror=\"__xss('body-image')) <a href=\"javascript:__xss('a')\">a</a>"
)
COMMENT = "<iframe srcdoc=\"<script>parent.__xss('comment')</script>\"></iframe> =1+1"
ANSWER = "<script>__xss('official')</script> [ok](javascript:__xss('official-link'))"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Elements or attributes only a payload could have made: our pages have no inline
# handlers, javascript: links, frames, or inline scripts other than JSON data.
INJECTED = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) found.push(element.outerHTML.slice(0, 160));
      if (/^\\s*javascript:/i.test(attribute.value)) found.push(element.outerHTML.slice(0, 160));
    }
    const tag = element.tagName.toLowerCase();
    const framing = ["iframe", "object", "embed", "frame"].includes(tag);
    if (framing) found.push(element.outerHTML.slice(0, 160));
    if (tag === "script" && element.type !== "application/json" && !element.src) {
      found.push(element.outerHTML.slice(0, 160));
    }
  }
  return found;
}"""
SHOWN_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll("script, style, template").forEach((element) => element.remove());
  return copy.textContent;
}"""


def flat(text: str) -> str:
    """As a payload reads on screen: bidirectional and other control characters were
    dropped when it was written (services.common.clean_text), spaces collapsed."""
    shown = "".join(char for char in text if not unicodedata.category(char).startswith("C"))
    return " ".join(shown.split())


@dataclass
class World:
    workshop: Workshop
    alice: str
    bob: str
    tablet: str
    organizer: str
    space_slug: str = ""
    proposals: list[int] = field(default_factory=list)


def hold_the_workshop(workshop: Workshop) -> dict:
    """Everything people write, through the services, while the workshop is live."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    alice = services.participant_join(workshop=workshop, display_name=ALICE, location="remote")
    bob = services.participant_join(workshop=workshop, display_name=BOB, location="room")
    [group] = services.groups_create(actor=lead, count=1, kind="table")
    services.group_rename(actor=lead, group_id=group.pk, name=GROUP)
    services.participant_move(actor=lead, participant_id=bob.pk, group_id=group.pk)
    services.tablet_pairing_open(actor=lead, group_id=group.pk)
    group.refresh_from_db()
    tablet = services.tablet_pair(pairing_code=group.pairing_code)
    as_alice = Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk)
    as_bob = Actor(workshop.pk, Role.PARTICIPANT, participant_id=bob.pk)
    written = [services.postit_create(actor=as_alice, text=text) for text in POSTITS]
    services.postit_create(actor=as_bob, text=POSTITS[0])
    services.cluster_create(
        actor=lead, name=CLUSTER, group_id=None, postit_ids=[written[0].pk, written[1].pk]
    )
    phase = services.phase_add(
        actor=lead, title=PHASE, minutes=30, scope="plenary", activity="brainstorm"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    poll = services.poll_create(actor=lead, question=QUESTION, kind="single", options=OPTIONS)
    services.poll_open(actor=lead, poll_id=poll.pk)
    services.poll_answer(actor=as_alice, poll_id=poll.pk, answer=poll.options.first().pk)
    open_poll = services.poll_create(actor=lead, question=OPEN_QUESTION, kind="open")
    services.poll_open(actor=lead, poll_id=open_poll.pk)
    services.poll_answer(actor=as_alice, poll_id=open_poll.pk, answer=OPEN_ANSWER)
    answer = open_poll.answers.get()
    services.poll_moderate(actor=lead, answer_id=answer.pk, approved=True)
    services.broadcast_send(actor=lead, text=BROADCAST)
    services.hand_raise(actor=as_alice)
    write_conclusion(
        as_bob,
        group,
        ("heading", CONCLUSION_HEADING, {"level": "2"}),
        ("paragraph", CONCLUSION_TEXT, {}),
    )
    return {"alice": alice, "bob": bob, "tablet": tablet}


def close_and_deliberate(world: World) -> None:
    """The workshop closes (its minutes are made, named ones too); a space takes its
    conclusion as a proposal, and another one written there, commented and answered."""
    workshop = world.workshop
    organizer = workshop.organizer
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    services.workshop_close(actor=lead)
    services.export_request(actor=lead, named=True)
    run_due_jobs()
    space = deliberation_services.space_create(
        user=organizer, title=SPACE, description=SPACE, language="fr", workshop=workshop
    )
    as_organizer = viewer_for(space, user=organizer)
    conclusion = workshop.conclusions.get()
    from_outcome = deliberation_services.proposal_from_outcome(
        viewer=as_organizer,
        user=organizer,
        workshop_id=workshop.pk,
        kind="conclusion",
        object_id=conclusion.pk,
    )
    written = deliberation_services.proposal_create(
        viewer=as_organizer, title=PROPOSAL_TITLE, body=PROPOSAL_BODY
    )
    for proposal in (from_outcome, written):
        deliberation_services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk)
    alice = Participant.objects.get(workshop=workshop, display_name=ALICE)
    deliberation_services.comment_create(
        viewer=viewer_for(space, participant=alice), proposal_id=written.pk, body=COMMENT
    )
    deliberation_services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=written.pk,
        state_id=space.states.order_by("position").last().pk,
        text=ANSWER,
    )
    world.space_slug = space.slug
    world.proposals = [from_outcome.number, written.number]


class Browser:
    """One context under the server's policy, or bypassing it; it records every call a
    payload makes and every dialog."""

    def __init__(self, browser, server, *, bypass_csp: bool) -> None:
        self.server = server
        self.context = browser.new_context(viewport=LAPTOP, bypass_csp=bypass_csp)
        self.context.set_default_timeout(10_000)
        self.calls: list[str] = []
        self.dialogs: list[str] = []
        self.context.expose_function("__xss", lambda *what: self.calls.append(repr(what)))
        self.page = self.context.new_page()
        self.page.on("dialog", self.on_dialog)

    def on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def as_(self, session_key: str | None) -> "Browser":
        self.context.clear_cookies()
        if session_key:
            self.context.add_cookies(
                [{"name": "sessionid", "value": session_key, "url": self.server.url}]
            )
        return self

    def check(self, path: str, shown: list[str], *, editor: bool = False) -> None:
        """Open `path`: nothing a payload made is in the page, and `shown` reads as text
        (with `editor`, once the conclusion's editor has synced its document)."""
        self.page.goto(self.server.url + path)
        if editor:
            conclusion = self.page.locator(".ProseMirror").first
            expect(conclusion).to_contain_text(CONCLUSION_HEADING)
        self.check_page(path, shown)

    def check_page(self, where: str, shown: list[str]) -> None:
        assert self.page.evaluate(INJECTED) == [], where
        text = flat(self.page.evaluate(SHOWN_TEXT))
        missing = [payload for payload in shown if flat(payload) not in text]
        assert missing == [], (where, missing)

    def fetch(self, path: str) -> str:
        response = self.context.request.get(self.server.url + path)
        assert response.ok, (path, response.status)
        return response.text()

    def nothing_ran(self) -> None:
        assert self.calls == [] and self.dialogs == []


def session_of_user(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def key_of(cookie: str) -> str:
    return cookie.removeprefix("sessionid=")


def strings(data: object) -> list[str]:
    """Every text in a JSON document, as the reader gets it back."""
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings(value)]
    return [data] if isinstance(data, str) else []


def no_formula_cells(text: str, where: str) -> list[list[str]]:
    """Every cell of a CSV, none of which a spreadsheet would run as a formula."""
    rows = list(csv.reader(io.StringIO(text)))
    runnable = [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]
    assert runnable == [], (where, runnable)
    return rows


def test_no_payload_runs_in_any_view_or_export(asgi_server, browser, organizer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the server and this test share the files
    server = asgi_server(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    workshop = beside_the_browser(services.workshop_create, organizer=organizer, title=TITLE)
    people = beside_the_browser(hold_the_workshop, workshop=workshop)
    world = World(
        workshop=workshop,
        alice=key_of(session_cookie(participant=people["alice"])),
        bob=key_of(session_cookie(participant=people["bob"])),
        tablet=key_of(session_cookie(participant=people["tablet"])),
        organizer=session_of_user(organizer),
    )
    code = workshop.join_code
    strict = Browser(browser, server, bypass_csp=False)
    lax = Browser(browser, server, bypass_csp=True)
    try:
        for tab in (strict, lax):
            plenary_views(tab, world, code)
        lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
        beside_the_browser(services.breakouts_open, actor=lead)  # Bob's table, its tablet
        for tab in (strict, lax):
            breakout_views(tab, world, code)
        # A payload arriving live, through the socket's swaps, on an open page.
        lax.as_(world.alice).check(f"/w/{code}/", [TITLE])
        expect(lax.page.locator("[data-live-status]")).to_have_attribute("data-state", "online")
        alice = Actor(workshop.pk, Role.PARTICIPANT, participant_id=people["alice"].pk)
        beside_the_browser(services.postit_create, actor=alice, text=LIVE_POSTIT)
        expect(lax.page.locator(".postit-text", has_text=LIVE_POSTIT)).to_be_visible()
        lax.check_page("live post-it", [LIVE_POSTIT])

        beside_the_browser(close_and_deliberate, world=world)
        for tab in (strict, lax):
            views_after_the_workshop(tab, world, code)
        exports(lax, world, code)
        for tab in (strict, lax):
            tab.nothing_ran()
    finally:
        strict.context.close()
        lax.context.close()


def plenary_views(tab: Browser, world: World, code: str) -> None:
    postits = [TITLE, *POSTITS, CLUSTER, PHASE, QUESTION, *OPTIONS, OPEN_QUESTION]
    tab.as_(world.alice).check(f"/w/{code}/", [*postits, OPEN_ANSWER, BROADCAST])
    tab.as_(world.bob).check(f"/w/{code}/", postits)
    projector = f"/w/{code}/projector/{world.workshop.projector_token}/"
    # The projector shows the latest poll (the open one) and who raised a hand.
    wall = [TITLE, *POSTITS, CLUSTER, PHASE, OPEN_QUESTION, OPEN_ANSWER, BROADCAST, ALICE]
    tab.as_(None).check(projector, wall)
    tab.as_(world.organizer)
    tab.check(f"/w/{code}/console/", [*postits, ALICE, BOB, GROUP, OPEN_ANSWER, BROADCAST])
    tab.check(f"/w/{code}/console/attendance/", [ALICE, BOB, GROUP])
    tab.as_(world.alice).check(f"/w/{code}/my-data/", [TITLE, ALICE])
    data = strings(json.loads(tab.fetch(f"/w/{code}/my-data/download/")))
    assert ALICE in data and POSTITS[0] in data


def breakout_views(tab: Browser, world: World, code: str) -> None:
    conclusion = [TITLE, GROUP, CONCLUSION_HEADING, CONCLUSION_TEXT]
    tab.as_(world.bob).check(f"/w/{code}/", conclusion, editor=True)
    tab.as_(world.tablet).check(f"/w/{code}/", conclusion, editor=True)
    tab.as_(None).check(f"/w/{code}/projector/{world.workshop.projector_token}/", [TITLE, GROUP])
    tab.as_(world.organizer).check(f"/w/{code}/console/boards/", [GROUP, CLUSTER, *POSTITS])


def views_after_the_workshop(tab: Browser, world: World, code: str) -> None:
    tab.as_(world.organizer)
    tab.check(f"/w/{code}/minutes/", [TITLE])
    for export in Export.objects.filter(workshop=world.workshop):
        names = [ALICE] if export.named else []
        tab.check(
            f"/w/{code}/minutes/{export.pk}/html/",
            [TITLE, POSTITS[0], POSTITS[3], GROUP, CONCLUSION_HEADING, QUESTION, *names],
        )
    tab.check(f"/w/{code}/outcomes/", [TITLE, CONCLUSION_HEADING, POSTITS[1]])
    slug = world.space_slug
    tab.check(f"/d/{slug}/", [SPACE, PROPOSAL_TITLE])
    conclusion_proposal, written = world.proposals
    tab.check(f"/d/{slug}/{conclusion_proposal}/", [SPACE, CONCLUSION_HEADING, GROUP])
    tab.check(f"/d/{slug}/{written}/", [PROPOSAL_TITLE, COMMENT, "<script>__xss('official')"])
    tab.as_(None).check(f"/d/{slug}/{written}/", [PROPOSAL_TITLE, COMMENT])


def exports(tab: Browser, world: World, code: str) -> None:
    """The minutes' Markdown rendered as a CommonMark site would (raw HTML allowed); the
    open data and the space's export: no cell runs as a formula, the payloads are there."""
    tab.as_(world.organizer)
    for export in Export.objects.filter(workshop=world.workshop):
        markdown = tab.fetch(f"/w/{code}/minutes/{export.pk}/md/")
        tab.page.set_content(MarkdownIt("commonmark", {"html": True}).render(markdown))
        tab.check_page("minutes.md", [TITLE, POSTITS[0], POSTITS[6], CONCLUSION_HEADING])
        cells = []
        for table in ("postits", "votes", "poll_answers", "conclusions"):
            path = f"/w/{code}/minutes/{export.pk}/{table}-csv/"
            cells += [cell for row in no_formula_cells(tab.fetch(path), path) for cell in row]
        for payload in (POSTITS[10], POSTITS[11], POSTITS[12]):
            assert "'" + payload in cells
        data = json.loads(tab.fetch(f"/w/{code}/minutes/{export.pk}/json/"))
        assert POSTITS[10] in strings(data)  # JSON is data: the text as it was written
    slug = world.space_slug
    rows = no_formula_cells(tab.fetch(f"/d/{slug}/export/?format=csv"), "space csv")
    assert any(PROPOSAL_TITLE in cell for row in rows for cell in row)
    assert PROPOSAL_TITLE in strings(json.loads(tab.fetch(f"/d/{slug}/export/?format=json")))

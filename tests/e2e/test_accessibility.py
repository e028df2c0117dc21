"""Every page a participant, a table's tablet, the projector, a facilitator and an organizer
use, checked by axe-core in Chromium at 360 × 640 and 1280 × 800: no serious or critical
WCAG 2.1 AA violation, and no horizontal scrolling on a phone. The participant page is
checked again in the high-contrast theme; the tablet page in portrait and landscape."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from deliberation import services as deliberation_services
from deliberation.people import resolve_viewer
from tests.support.accessibility import (
    axe_violations,
    horizontal_overflow,
    overflowing,
    small_targets,
)
from tests.support.browser import (
    beside_the_browser,
    join_from_phone,
    open_site_menu,
    wait_for_empty_queue,
    wait_for_stillness,
    write_postit,
)
from tests.support.story import play
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

PHONE = {"width": 360, "height": 640}
LAPTOP = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
PASSWORD = "organizer-pass-123"


def prepare_live(workshop, organizer) -> SimpleNamespace:
    """A live workshop in its plenary: a brainstorm, an open poll, a table (its tablet's
    pairing open) and an online group."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    phase = services.phase_add(
        actor=lead, title="Idées pour le parc", minutes=15, scope="plenary", activity="brainstorm"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    (table,) = services.groups_create(actor=lead, count=1, kind="table")
    (online,) = services.groups_create(actor=lead, count=1, kind="online")
    table = services.tablet_pairing_open(actor=lead, group_id=table.pk)
    poll = services.poll_create(
        actor=lead, question="Venez-vous souvent au parc ?", kind="single", options=["Oui", "Non"]
    )
    services.poll_open(actor=lead, poll_id=poll.pk)
    return SimpleNamespace(workshop=workshop, lead=lead, table=table, online=online)


def prepare_closed(organizer) -> SimpleNamespace:
    """A workshop played to its end, and a space of proposals it feeds, with one proposal."""
    closed = services.workshop_create(organizer=organizer, title="Budget participatif 2025")
    story = play(closed, organizer)
    space = deliberation_services.space_create(
        user=organizer, title="Parc Jean-Moulin 2026", language="fr", workshop=story.workshop
    )
    as_organizer = resolve_viewer(space=space, user=organizer, session={})
    proposal = deliberation_services.proposal_create(
        viewer=as_organizer,
        title="Végétaliser la place du marché",
        body="Planter des arbres et installer des jardinières.",
    )
    deliberation_services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk)
    return SimpleNamespace(workshop=story.workshop, space=space, proposal=proposal)


@pytest.fixture
def live_workshop(asgi_server, workshop, organizer):
    prepared = beside_the_browser(prepare_live, workshop=workshop, organizer=organizer)
    prepared.server = asgi_server()
    return prepared


@pytest.fixture
def places(live_workshop, organizer):
    organizer.set_password(PASSWORD)
    organizer.save()
    live_workshop.closed = beside_the_browser(prepare_closed, organizer=organizer)
    return live_workshop


class Audit:
    """Checks each page at both sizes, the phone's then the laptop's (the same page,
    resized), and keeps every finding for one assertion."""

    def __init__(self) -> None:
        self.findings: list[str] = []

    def check(self, page, label: str, *, touch: bool = False) -> None:
        """axe and horizontal overflow at 360 × 640 and 1280 × 800; with `touch`, the
        size of every target on the phone too."""
        page.wait_for_load_state("load")
        for size, viewport in (("360×640", PHONE), ("1280×800", LAPTOP)):
            page.set_viewport_size(viewport)
            page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
            wait_for_stillness(page)  # colours are measured once post-its have grown in
            where = f"{label} at {size}"
            for violation in axe_violations(page):
                self.findings.append(
                    f"{where}: {violation['id']} ({violation['impact']}) on "
                    f"{violation['targets']}\n    {violation['why']}"
                )
            overflow = horizontal_overflow(page)
            if overflow:
                self.findings.append(
                    f"{where}: {overflow} px wider than the screen: {overflowing(page)}"
                )
            small = small_targets(page) if touch and viewport is PHONE else []
            if small:
                self.findings.append(f"{where}: targets under 44 × 44 px: {small}")

    def report(self) -> str:
        return "\n".join(self.findings)


def log_in(page, server) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", "olivia")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/organizer/")


def live(page) -> None:
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")


def test_every_page_has_no_serious_accessibility_violation(places, new_page):
    server, workshop = places.server, places.workshop
    audit = Audit()

    visitor = new_page(viewport=PHONE, bypass_csp=True)
    visitor.goto(server.url + "/")
    audit.check(visitor, "home")
    visitor.goto(f"{server.url}/j/{workshop.join_code}/")
    audit.check(visitor, "join", touch=True)
    visitor.goto(f"{server.url}/accounts/login/")
    audit.check(visitor, "login")
    # A system set to "more contrast" gets the high-contrast theme unasked.
    visitor.emulate_media(contrast="more")
    visitor.reload()
    expect(visitor.locator("html")).to_have_attribute("data-theme", "contrast")
    audit.check(visitor, "login, system asking for more contrast")
    # The audit itself can fail: an image without a text alternative is reported.
    visitor.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    assert "image-alt" in [violation["id"] for violation in axe_violations(visitor)]

    # A participant: the plenary with a poll open and post-its on the wall.
    participant = new_page(viewport=PHONE, bypass_csp=True)
    join_from_phone(participant, server, workshop, "Alice", "remote")
    write_postit(participant, "Des bancs à l'ombre")
    wait_for_empty_queue(participant)
    expect(participant.locator("#polls-workshop form[data-poll-form]")).to_be_visible()
    audit.check(participant, "participant, plenary with a poll", touch=True)
    # The high-contrast theme, chosen with the header's toggle, is kept after a reload.
    open_site_menu(participant)
    toggle = participant.get_by_role("button", name="Contraste élevé")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    participant.reload()
    live(participant)
    expect(participant.locator("html")).to_have_attribute("data-theme", "contrast")
    audit.check(participant, "participant, high contrast")
    open_site_menu(participant)
    participant.get_by_role("button", name="Contraste élevé").click()
    expect(participant.locator("html")).to_have_attribute("data-theme", "light")

    # Breakouts: Alice in her online group, with its board and the conclusion editor.
    alice = Participant.objects.get(workshop=workshop, display_name="Alice")
    beside_the_browser(
        services.participant_move,
        actor=places.lead,
        participant_id=alice.pk,
        group_id=places.online.pk,
    )
    beside_the_browser(services.breakouts_open, actor=places.lead)
    participant.reload()
    live(participant)
    expect(participant.locator(f"#conclusion-{places.online.pk} .ProseMirror")).to_be_visible()
    audit.check(participant, "participant, breakout with the conclusion editor", touch=True)
    participant.goto(f"{server.url}/w/{workshop.join_code}/my-data/")
    audit.check(participant, "my data")
    participant.goto(f"{server.url}/follow-up/")
    audit.check(participant, "follow-up")

    tablet = new_page(viewport=PHONE, bypass_csp=True)
    tablet.goto(f"{server.url}/t/{places.table.pairing_code}/")
    audit.check(tablet, "tablet pairing")
    tablet.click("main form button[type=submit]")
    live(tablet)
    audit.check(tablet, "tablet", touch=True)

    projector = new_page(viewport=PHONE, bypass_csp=True)
    projector.goto(f"{server.url}/w/{workshop.join_code}/projector/{workshop.projector_token}/")
    live(projector)
    audit.check(projector, "projector")

    organizer = new_page(viewport=PHONE, bypass_csp=True)
    log_in(organizer, server)
    audit.check(organizer, "organizer home")
    organizer.goto(f"{server.url}/w/{workshop.join_code}/console/")
    live(organizer)
    audit.check(organizer, "console (agenda, attendance, boards)")
    organizer.goto(f"{server.url}/w/{workshop.join_code}/settings/")
    audit.check(organizer, "workshop settings")
    closed_code = places.closed.workshop.join_code
    organizer.goto(f"{server.url}/w/{closed_code}/minutes/")
    audit.check(organizer, "minutes")
    organizer.goto(f"{server.url}/w/{closed_code}/outcomes/")
    audit.check(organizer, "outcomes")
    organizer.goto(f"{server.url}/d/")
    audit.check(organizer, "spaces")
    slug = places.closed.space.slug
    organizer.goto(f"{server.url}/d/{slug}/")
    audit.check(organizer, "space")
    organizer.goto(f"{server.url}/d/{slug}/{places.closed.proposal.number}/")
    audit.check(organizer, "proposal")
    organizer.goto(f"{server.url}/d/{slug}/new/")
    audit.check(organizer, "new proposal")

    assert not audit.findings, audit.report()


def test_the_table_tablet_works_in_landscape_and_portrait(live_workshop, new_page):
    """A table's tablet on its stand, either way: nothing overflows, every target is big
    enough for a finger, and writing a post-it works."""
    tablet = new_page(viewport=LAPTOP, has_touch=True)
    tablet.goto(f"{live_workshop.server.url}/t/{live_workshop.table.pairing_code}/")
    tablet.locator("main form button[type=submit]").tap()
    live(tablet)
    for viewport, text in ((LAPTOP, "Des jeux d'eau"), (PORTRAIT, "Un kiosque")):
        tablet.set_viewport_size(viewport)
        write_postit(tablet, text)
        expect(tablet.locator("#board-workshop .postit-text", has_text=text)).to_be_visible()
        wait_for_stillness(tablet)
        assert horizontal_overflow(tablet) == 0, viewport
        assert small_targets(tablet) == [], viewport

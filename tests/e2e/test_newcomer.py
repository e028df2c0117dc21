"""A first-time organizer follows README.md's "Your first workshop, step by step".

Every link, field and button is found by what the screen shows (its text, label or role),
with the words the README quotes; the only address typed is the login link `make run`
prints (atelier_demo, as `PORT=… make run` would print it). Phones get their address from
the screens: the projector's, and the participant link the organizer sends.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

README = Path(__file__).resolve().parents[2] / "README.md"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
TITLE = "Budget participatif du quartier"


def readme_steps() -> str:
    text = README.read_text()
    start = text.index("## Your first workshop, step by step")
    return text[start : text.index("\n## ", start + 1)]


def printed_by_make_run(monkeypatch, port: int) -> dict[str, str]:
    """What `make run` prints (its atelier_demo step), label by label."""
    monkeypatch.setenv("PORT", str(port))
    output = io.StringIO()
    with override_settings(DEBUG=True, PUBLIC_URL=""):
        call_command("atelier_demo", stdout=output)
    rows = re.findall(r"^ {2,}(\S.*?)\s{2,}(\S.*)$", output.getvalue(), re.MULTILINE)
    return {label.strip(): value for label, value in rows}


def quoted(steps: str) -> set[str]:
    """The labels the steps quote (a quote may span a line break of the Markdown)."""
    return set(re.findall(r"“([^”]+)”", re.sub(r"\s+", " ", steps)))


def test_a_newcomer_runs_a_first_workshop_from_the_readme(asgi_server, new_page, monkeypatch):
    steps = readme_steps()
    server = asgi_server()
    printed = printed_by_make_run(monkeypatch, server.port)
    login_link = printed["Organizer login"]
    username, password = re.match(r"(\S+) / (\S+)", printed["username / password"]).groups()
    # The labels the steps below use are those the README quotes.
    used = {
        "Organizer login", "Log in", "My workshops", "Create a workshop", "Start from",
        "Brainstorm → vote → conclusions", "Workshop language", "Create", "Facilitator console",
        "Links to share", "Open the projector page", "Participant link",
        "Your name, as others will see it", "In the room", "Remote", "Join", "Attendance",
        "Write a post-it", "Post", "Agenda", "Start: Welcome poll",
    }  # fmt: skip
    assert used <= quoted(steps)

    # 1. Log in.
    laptop = new_page(viewport=LAPTOP, locale="en-GB")
    laptop.goto(login_link)
    laptop.get_by_label("Username").fill(username)
    laptop.get_by_label("Password").fill(password)
    laptop.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(laptop.get_by_role("heading", name="My workshops", level=1)).to_be_visible()

    # 2. Create a workshop from a template, its pages in English.
    create = laptop.get_by_role("region", name="Create a workshop")
    create.get_by_label("Title").fill(TITLE)
    create.get_by_label("Start from").select_option(label="Brainstorm → vote → conclusions")
    create.get_by_label("Workshop language").select_option(label="English")
    create.get_by_role("button", name="Create").click()
    expect(laptop.get_by_text("Facilitator console", exact=True)).to_be_visible()
    expect(laptop.get_by_role("heading", name=TITLE, level=1)).to_be_visible()

    # 3. Come back to it from "My workshops".
    laptop.get_by_role("link", name="My workshops").click()
    card = laptop.get_by_role("listitem").filter(has=laptop.get_by_role("heading", name=TITLE))
    card.get_by_role("link", name="Facilitator console").click()
    console = laptop
    expect(console.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(console.locator("[data-live-status]")).to_have_attribute("data-state", "online")

    # 4. Open the projector: a new tab.
    links = console.get_by_role("region", name="Links to share")
    with console.expect_popup() as opened:
        links.get_by_role("link", name="Open the projector page").click()
    projector = opened.value
    join_panel = projector.get_by_role("complementary", name="Join from your phone")
    expect(join_panel.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    address_on_screen = re.search(r"https?://\S+", join_panel.inner_text()).group(0)

    # 5. Join from two phones: one types the projector's address, one gets the link.
    in_the_room, remote = (new_page(viewport=PHONE, locale="en-GB") for _ in range(2))
    # The address next to "Participant link", as the organizer copies it into a message.
    participant_link = links.locator("dt:text-is('Participant link') + dd").inner_text()
    for phone, address, name, where in (
        (in_the_room, address_on_screen, "Nadia", "In the room"),
        (remote, participant_link, "Hugo", "Remote"),
    ):
        phone.goto(address)
        phone.get_by_label("Your name, as others will see it").fill(name)
        phone.get_by_label(where, exact=True).check()
        phone.get_by_role("main").get_by_role("button", name="Join").click()
        expect(phone.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        expect(phone.locator("[data-live-status]")).to_have_attribute("data-state", "online")

    # 6. The console counts them; a post-it reaches the projector.
    attendance = console.get_by_role("region", name="Attendance")
    expect(attendance).to_contain_text("2 present · 1 in the room, 1 remote")
    compose = remote.get_by_role("region", name="Write a post-it")
    compose.get_by_role("textbox").fill("A bike path to the school")
    compose.get_by_role("button", name="Post").click()
    wall = projector.get_by_role("region", name="The wall")
    expect(wall.get_by_text("A bike path to the school").filter(visible=True)).to_be_visible()

    # 7. Run the agenda: the first phase of the template starts everywhere.
    agenda = console.get_by_role("region", name="Agenda")
    agenda.get_by_role("button", name="Start: Welcome poll").click()
    for screen in (in_the_room, remote, projector):
        now = screen.get_by_role("region", name="Welcome poll")
        expect(now).to_be_visible()
        expect(now.get_by_role("timer")).to_have_text(re.compile(r"^0?[45]:[0-5]\d$"))

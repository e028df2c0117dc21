"""Steps people take in the browser, shared by the end-to-end tests."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect


def join_from_phone(page, server, workshop, name: str, location: str) -> None:
    """Open the join link, type a name, say where you are, land on the live workshop page."""
    page.goto(f"{server.url}/j/{workshop.join_code}/")
    page.fill("input[name=display_name]", name)
    page.check(f"input[name=location][value={location}]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/w/{workshop.join_code}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")


def open_site_menu(page) -> None:
    """On a phone the header's links are folded under "Menu": unfold them (on a wide screen
    the menu is always open)."""
    menu = page.locator("[data-site-menu]")
    if menu.get_attribute("open") is None:
        menu.locator("> summary").click()
    expect(menu).to_have_attribute("open", "")


POSTIT_FORM = "form[data-command='postit.create']"


def write_postit(page, text: str) -> None:
    """Type a post-it and post it (it travels over the live socket, or waits in the queue)."""
    page.fill(f"{POSTIT_FORM} textarea", text)
    page.click(f"{POSTIT_FORM} button[type=submit]")
    expect(page.locator(f"{POSTIT_FORM} textarea")).to_have_value("")


def open_console(page, server, workshop, username: str, password: str):
    """Log in on the login page, then open the workshop's console, live."""
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/organizer/")
    page.goto(f"{server.url}/w/{workshop.join_code}/console/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    return page


def beside_the_browser(function, /, **kwargs):
    """Call `function(**kwargs)` (a service) in another thread, and return what it returns.

    Playwright's sync API runs an event loop in the test's thread, where asgiref refuses
    `async_to_sync`: the live fan-out of a service called there would fail (and only be
    logged). In a worker thread it publishes to the browsers as in production.
    """
    from django.db import connections

    def call():
        try:
            return function(**kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(call).result(timeout=30)


def center(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def wait_for_stillness(page) -> None:
    """Until no animation runs (a new post-it grows in: its box is not final before)."""
    page.wait_for_function(
        "() => document.getAnimations().every((animation) => animation.playState !== 'running')"
    )


def drag_grip(page, grip, to: tuple[float, float], *, steps: int = 12) -> None:
    """Drag a post-it by its grip to a point of the viewport with a finger: a touch sequence
    through the Chrome DevTools Protocol (Playwright has no touch drag; the page must be
    opened with has_touch=True). Both ends must be on screen: drags near an edge scroll."""
    grip.scroll_into_view_if_needed()
    wait_for_stillness(page)
    start = center(grip.bounding_box())
    points = [
        (start[0] + (to[0] - start[0]) * i / steps, start[1] + (to[1] - start[1]) * i / steps)
        for i in range(1, steps + 1)
    ]
    cdp = page.context.new_cdp_session(page)

    def finger(kind: str, point: tuple[float, float] | None) -> None:
        touch_points = [] if point is None else [{"x": point[0], "y": point[1], "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touch_points})

    try:
        finger("touchStart", start)
        for point in points:
            finger("touchMove", point)
        finger("touchEnd", None)
    finally:
        cdp.detach()


def live_queue(page) -> list[dict]:
    """The commands this page keeps until the server acknowledges them (live.js)."""
    return page.evaluate(
        """() => Object.keys(localStorage)
            .filter((key) => key.startsWith("atelier.queue."))
            .flatMap((key) => JSON.parse(localStorage.getItem(key)))"""
    )


def wait_for_empty_queue(page) -> None:
    """Until the server has acknowledged every command this page sent."""
    page.wait_for_function(
        """() => Object.keys(localStorage)
            .filter((key) => key.startsWith("atelier.queue."))
            .every((key) => JSON.parse(localStorage.getItem(key)).length === 0)"""
    )


def kinds_in(frame: dict) -> set[str]:
    """The types of a frame, and of those it carries when it is a `batch` (frames of a
    stream written within the batch interval go together: keystrokes, post-it bursts)."""
    inner = frame.get("frames", []) if frame.get("type") == "batch" else []
    return {frame.get("type"), *(part.get("type") for part in inner)}


class SocketLink:
    """The page's live socket, routed through Playwright so that a test can cut it like a
    phone leaving the Wi-Fi (the browser goes offline and the socket closes), lose the
    server's acknowledgements (the commands arrive, their acks do not), or hold the live
    events back (a loaded server: the ack comes, the redraw comes later)."""

    def __init__(self, page) -> None:
        self.page = page
        self.cut = False
        self.drop_acks = False
        self.held: list | None = None  # frames held back, with their socket
        self.held_kinds: set[str] = set()
        self.sockets = []
        self.sent: list[dict] = []  # every frame the page sent, in order
        page.route_web_socket(re.compile(r"/ws/workshops/"), self._route)

    def _route(self, socket) -> None:
        if self.cut:
            socket.close()  # no network: the page sees its socket fail at once
            return
        server = socket.connect_to_server()

        def to_page(message) -> None:
            frame = json.loads(message)
            kind = frame.get("type")
            if self.drop_acks and kind == "ack":
                return
            if self.held is not None and kinds_in(frame) & self.held_kinds:
                self.held.append((socket, message))
                return
            socket.send(message)

        def to_server(message) -> None:
            self.sent.append(json.loads(message))
            server.send(message)

        server.on_message(to_page)
        socket.on_message(to_server)
        self.sockets.append(socket)

    def times_sent(self, kind: str, command_id: str | None = None) -> int:
        """How many frames of this type (of this command) the page sent so far."""
        return sum(
            1
            for frame in self.sent
            if frame.get("type") == kind and command_id in (None, frame.get("id"))
        )

    def tell_page(self, frame: dict) -> None:
        """A frame to the page as if the server sent it on its current socket."""
        self.sockets[-1].send(json.dumps(frame))

    def hold_events(self, kinds: tuple[str, ...] = ("event",)) -> None:
        """Keep frames of these types from the page until `release_events`."""
        self.held = []
        self.held_kinds = set(kinds)

    def release_events(self) -> None:
        held, self.held = self.held or [], None
        for socket, message in held:
            socket.send(message)

    def go_offline(self) -> None:
        self.cut = True
        self.page.context.set_offline(True)
        for socket in self.sockets:
            socket.close()
        self.sockets.clear()
        expect(self.page.locator("[data-live-status]")).to_have_attribute("data-state", "offline")

    def go_online(self) -> None:
        # The page's "online" event makes it reconnect at once; an attempt that was failing
        # just then waits for its backoff instead (live.js: at most 10 s × 1.5).
        self.page.context.set_offline(False)
        self.cut = False
        expect(self.page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "online", timeout=20_000
        )


def open_projector(page, server, workshop):
    """Open the workshop's projector page (its secret link), live."""
    page.goto(f"{server.url}/w/{workshop.join_code}/projector/{workshop.projector_token}/")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    return page


def create_poll_in_console(
    console, question: str, *, kind: str, results: str, options: tuple[str, ...] = ()
):
    """Fill the console's "New poll" form and send it: `kind` and `results` are the labels
    the facilitator reads in the lists (the interface's language), `options` go one per
    line. Returns the poll's row once the console lists it."""
    panel = console.locator("#polls-panel")
    form = panel.locator("form[data-command='poll.create']")
    if not form.is_visible():
        panel.locator("details.poll-create > summary").click()
    form.locator("input[name=question]").fill(question)
    form.locator("select[name=kind]").select_option(label=kind)
    if options:
        form.locator("textarea[name=options]").fill("\n".join(options))
    form.locator("select[name=results]").select_option(label=results)
    form.locator("button[type=submit]").click()
    row = panel.locator(".poll-row", has=console.locator("h3", has_text=question))
    expect(row).to_have_count(1)
    return row


def poll_card(page, poll_id: int):
    """A poll's card on a participant's page (or the projector's wall)."""
    return page.locator(f"#polls-workshop #poll-{poll_id}")


def tap_poll_option(page, poll_id: int, option: str) -> None:
    """With a finger (the page has has_touch=True): tap an option of a choice poll."""
    card = poll_card(page, poll_id)
    card.locator("label.choice", has_text=option).tap()
    expect(card.get_by_role("radio", name=option)).to_be_checked()


def tap_send_poll_answer(page, poll_id: int) -> None:
    poll_card(page, poll_id).locator("form[data-poll-form] button[type=submit]").tap()


def answer_poll_by_tapping(page, poll_id: int, option: str) -> None:
    """Tap an option, then the send button."""
    tap_poll_option(page, poll_id, option)
    tap_send_poll_answer(page, poll_id)

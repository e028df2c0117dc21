"""Live polls in Chromium: the console prepares and opens them, phones (360 × 640) answer,
the projector (1280 × 800) and the phones see the server-drawn charts change live."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    answer_poll_by_tapping,
    beside_the_browser,
    create_poll_in_console,
    join_from_phone,
    open_console,
    open_projector,
    poll_card,
    tap_poll_option,
    tap_send_poll_answer,
    wait_for_empty_queue,
    write_postit,
)
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Poll, PollAnswer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}
# Phones with a touch screen: options and buttons are tapped.
TOUCH_PHONE = {"has_touch": True, "is_mobile": True}
NBSP = "\u00a0"  # French writes "50 %", with a no-break space

SAVED = "Votre réponse est enregistrée. Vous pouvez la modifier jusqu’à la fermeture du sondage."
AT_CLOSE = "Les résultats s’affichent à la fermeture du sondage."


def assert_no_sideways_scroll(*pages) -> None:
    for page in pages:
        width = page.viewport_size["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def results_of(page, poll_id: int):
    return page.locator(f"#poll-{poll_id}-results")


def chart_desc(results):
    """The chart's text alternative: every label with its count and percentage."""
    return results.locator("svg.chart > desc")


def legend_values(results):
    return results.locator("svg.chart .chart-legend .chart-value")


def counts(*pairs: tuple[str, int, int]) -> str:
    """'Oui: 1 (50 %); Non: 1 (50 %)', as charts.py writes the desc in French."""
    return "; ".join(f"{label}: {count} ({percent}{NBSP}%)" for label, count, percent in pairs)


def word_counts(*pairs: tuple[str, int]) -> re.Pattern:
    """The cloud's desc: each word with how many gave it, most given first (percentages
    aside: they are shares of all the words given, not of the people who answered)."""
    return re.compile(
        "^" + "; ".join(rf"{re.escape(word)}: {count} \(\d+\s%\)" for word, count in pairs) + "$"
    )


def the_poll(question: str) -> Poll:
    return Poll.objects.get(question=question)


def test_a_single_choice_poll_from_the_console_answered_on_phones_shown_live_on_the_projector(
    asgi_server, new_page, workshop, organizer
):
    server = asgi_server()
    console = open_console(
        new_page(viewport=LAPTOP), server, workshop, organizer.username, "organizer-pass-123"
    )
    alice, bob = new_page(**TOUCH_PHONE), new_page(**TOUCH_PHONE)
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    projector = open_projector(new_page(viewport=LAPTOP), server, workshop)

    # The facilitator prepares the poll with the console's form: nobody sees a draft.
    question = "Faut-il des bancs près de la fontaine ?"
    row = create_poll_in_console(
        console,
        question,
        kind="Choix unique",
        results="Affichés en direct",
        options=("Oui", "Non"),
    )
    poll = the_poll(question)
    assert poll.kind == "single" and poll.status == "draft" and poll.results == "live"
    assert list(poll.options.values_list("label", flat=True)) == ["Oui", "Non"]
    expect(row.locator(":scope > p.muted")).to_contain_text("Choix unique · Brouillon")
    for page in (alice, bob, projector):
        expect(page.locator("#polls-workshop .poll")).to_have_count(0)

    # "Open": the card appears on each phone and on the projector, without reloading.
    # (By its command: its French label is wrong, see the last test.)
    row.locator("button[data-command='poll.open']").click()
    expect(row.get_by_role("button", name="Fermer")).to_be_visible()
    for page in (alice, bob, projector):
        card = poll_card(page, poll.pk)
        expect(card.locator("h3")).to_have_text(question)
        expect(results_of(page, poll.pk)).to_contain_text("Aucune réponse pour l’instant.")
    for page in (alice, bob):
        expect(poll_card(page, poll.pk).get_by_role("radio")).to_have_count(2)

    # Alice taps "Oui" and sends: saved, and counted on the projector's pie.
    answer_poll_by_tapping(alice, poll.pk, "Oui")
    expect(poll_card(alice, poll.pk).locator("[data-poll-status]")).to_have_text(SAVED)
    on_projector = results_of(projector, poll.pk)
    expect(chart_desc(on_projector)).to_have_text(counts(("Oui", 1, 100), ("Non", 0, 0)))
    expect(legend_values(on_projector)).to_have_text([f"1 (100{NBSP}%)", f"0 (0{NBSP}%)"])
    expect(on_projector).to_contain_text("1 réponse")

    # Bob taps "Oui" too.
    answer_poll_by_tapping(bob, poll.pk, "Oui")
    expect(poll_card(bob, poll.pk).locator("[data-poll-status]")).to_have_text(SAVED)
    expect(chart_desc(on_projector)).to_have_text(counts(("Oui", 2, 100), ("Non", 0, 0)))
    expect(legend_values(on_projector)).to_have_text([f"2 (100{NBSP}%)", f"0 (0{NBSP}%)"])
    expect(on_projector).to_contain_text("2 réponses")
    # The results are live: the phones see the same chart.
    for page in (alice, bob):
        expect(chart_desc(results_of(page, poll.pk))).to_have_text(
            counts(("Oui", 2, 100), ("Non", 0, 0))
        )

    # Alice changes her mind: she taps "Non"; a live update reaching her phone before she
    # sends (Bob's post-it) keeps her new choice; her vote moves, none is added.
    wait_for_empty_queue(alice)
    tap_poll_option(alice, poll.pk, "Non")
    write_postit(bob, "Des bancs à l'ombre")
    expect(alice.locator("#board-workshop .postit")).to_have_count(1)
    expect(poll_card(alice, poll.pk).get_by_role("radio", name="Non")).to_be_checked()
    tap_send_poll_answer(alice, poll.pk)
    expect(chart_desc(on_projector)).to_have_text(counts(("Oui", 1, 50), ("Non", 1, 50)))
    expect(legend_values(on_projector)).to_have_text([f"1 (50{NBSP}%)", f"1 (50{NBSP}%)"])
    expect(on_projector).to_contain_text("2 réponses")
    # A screen reader hears the question and the counts: the image is named by both.
    expect(on_projector.get_by_role("img")).to_have_accessible_name(
        f"{question} {counts(('Oui', 1, 50), ('Non', 1, 50))}"
    )
    expect(poll_card(alice, poll.pk).locator("[data-poll-status]")).to_have_text(SAVED)
    expect(poll_card(alice, poll.pk).get_by_role("radio", name="Non")).to_be_checked()
    wait_for_empty_queue(alice)
    wait_for_empty_queue(bob)

    answers = PollAnswer.objects.filter(poll=poll)
    assert answers.count() == 2
    chosen = dict(answers.values_list("participant__display_name", "choices"))
    option = dict(poll.options.values_list("label", "pk"))
    assert chosen == {"Alice": [option["Non"]], "Bob": [option["Oui"]]}

    # Phone-first: nothing scrolls sideways at 360 px, the chart included.
    expect(results_of(alice, poll.pk).locator("svg.chart")).to_be_visible()
    assert_no_sideways_scroll(alice, bob)


def test_results_shown_at_close_stay_hidden_from_phones_until_the_facilitator_closes_the_poll(
    asgi_server, new_page, workshop, organizer
):
    server = asgi_server()
    console = open_console(
        new_page(viewport=LAPTOP), server, workshop, organizer.username, "organizer-pass-123"
    )
    alice, bob = new_page(**TOUCH_PHONE), new_page(**TOUCH_PHONE)
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")

    question = "Quel accès garder ?"
    row = create_poll_in_console(
        console,
        question,
        kind="Choix unique",
        results="Affichés à la fermeture",
        options=("Le portail nord", "Le portail sud"),
    )
    poll = the_poll(question)
    assert poll.results == "at_close"
    row.locator("button[data-command='poll.open']").click()
    expect(row.get_by_role("button", name="Fermer")).to_be_visible()

    answer_poll_by_tapping(alice, poll.pk, "Le portail nord")
    answer_poll_by_tapping(bob, poll.pk, "Le portail sud")
    for page in (alice, bob):
        expect(poll_card(page, poll.pk).locator("[data-poll-status]")).to_have_text(SAVED)
        wait_for_empty_queue(page)

    # While it is open, the facilitators see the counts live; the phones only a notice.
    lead = console.locator(f"#poll-{poll.pk}-lead-results")
    expect(chart_desc(lead)).to_have_text(
        counts(("Le portail nord", 1, 50), ("Le portail sud", 1, 50))
    )
    expect(lead).to_contain_text("2 réponses")
    for page in (alice, bob):
        results = results_of(page, poll.pk)
        expect(results).to_have_text(AT_CLOSE)
        expect(results.locator("svg")).to_have_count(0)

    # "Fermer": the phones' cards lose their form and show the chart.
    row.get_by_role("button", name="Fermer").click()
    expect(row.get_by_role("button", name="Rouvrir")).to_be_visible()
    for page in (alice, bob):
        card = poll_card(page, poll.pk)
        expect(card.locator(".eyebrow")).to_contain_text("fermé")
        expect(card.locator("form[data-poll-form]")).to_have_count(0)
        expect(card.get_by_role("button", name="Envoyer ma réponse")).to_have_count(0)
        results = results_of(page, poll.pk)
        expect(results).not_to_contain_text(AT_CLOSE)
        expect(chart_desc(results)).to_have_text(
            counts(("Le portail nord", 1, 50), ("Le portail sud", 1, 50))
        )
        expect(legend_values(results)).to_have_text([f"1 (50{NBSP}%)", f"1 (50{NBSP}%)"])
        expect(results.locator("svg.chart")).to_be_visible()
    assert PollAnswer.objects.filter(poll=poll).count() == 2
    assert_no_sideways_scroll(alice, bob)


def words_field(page, poll_id: int):
    return poll_card(page, poll_id).get_by_role("textbox", name="Un à trois mots")


def organizer_actor(workshop, organizer) -> Actor:
    return Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)


def test_a_word_cloud_answered_by_keyboard_on_a_phone_and_too_many_words_refused(
    asgi_server, new_page, workshop, organizer
):
    server = asgi_server()
    alice, bob = new_page(), new_page()
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    actor = organizer_actor(workshop, organizer)
    poll = beside_the_browser(
        services.poll_create, actor=actor, question="Le parc en un à trois mots ?", kind="words"
    )
    beside_the_browser(services.poll_open, actor=actor, poll_id=poll.pk)
    field_id = f"poll-{poll.pk}-words"
    for page in (alice, bob):
        expect(words_field(page, poll.pk)).to_be_visible()

    # Alice uses the keyboard only: Tab from the top of the page to the field, type, Enter.
    for _ in range(40):
        alice.keyboard.press("Tab")
        if alice.evaluate("document.activeElement.id") == field_id:
            break
    else:
        pytest.fail("Tab never reaches the poll's field")
    alice.keyboard.type("Ombre fraîche")
    alice.keyboard.press("Enter")
    expect(poll_card(alice, poll.pk).locator("[data-poll-status]")).to_have_text(SAVED)
    for page in (alice, bob):
        results = results_of(page, poll.pk)
        expect(chart_desc(results)).to_have_text(word_counts(("fraîche", 1), ("ombre", 1)))
        expect(results.locator("svg.chart-cloud text")).to_have_text(["fraîche", "ombre"])
        expect(results).to_contain_text("1 réponse")

    # Bob writes four words: refused, said in French in the card's alert, nothing counted.
    bob_card = poll_card(bob, poll.pk)
    words_field(bob, poll.pk).fill("Des bancs à l'ombre")
    words_field(bob, poll.pk).press("Enter")
    alert = bob_card.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_text("Un à trois mots, s’il vous plaît.")
    expect(bob_card.locator("[data-poll-status]")).to_have_text("")
    expect(words_field(bob, poll.pk)).to_have_value("Des bancs à l'ombre")
    wait_for_empty_queue(bob)  # a refused command leaves the queue too
    assert list(PollAnswer.objects.filter(poll=poll).values_list("words", flat=True)) == [
        ["ombre", "fraîche"]
    ]
    bob.wait_for_timeout(500)  # a tally sent by mistake would have arrived by now
    expect(chart_desc(results_of(bob, poll.pk))).to_have_text(
        word_counts(("fraîche", 1), ("ombre", 1))
    )
    expect(results_of(bob, poll.pk)).to_contain_text("1 réponse")

    # Two words are fine: the alert goes, "ombre" is counted twice.
    words_field(bob, poll.pk).fill("Bancs, ombre")
    bob_card.get_by_role("button", name="Envoyer ma réponse").click()
    expect(bob_card.locator("[data-poll-status]")).to_have_text(SAVED)
    expect(alert).to_be_hidden()
    expect(chart_desc(results_of(alice, poll.pk))).to_have_text(
        word_counts(("ombre", 2), ("bancs", 1), ("fraîche", 1))
    )
    assert PollAnswer.objects.filter(poll=poll).count() == 2
    assert_no_sideways_scroll(alice, bob)


def test_a_draft_poll_s_buttons_in_the_console_say_what_they_do(
    asgi_server, new_page, workshop, organizer
):
    """The button that opens a poll reads "Ouvrir" (an action), not "Ouvert" (its state)."""
    server = asgi_server()
    poll = beside_the_browser(
        services.poll_create,
        actor=organizer_actor(workshop, organizer),
        question="On garde le kiosque ?",
        kind="single",
        options=["Oui", "Non"],
    )
    console = open_console(
        new_page(viewport=LAPTOP), server, workshop, organizer.username, "organizer-pass-123"
    )
    row = console.locator(f"#poll-row-{poll.pk}")
    expect(row.locator(".actions button")).to_have_text(["Ouvrir", "Supprimer"])

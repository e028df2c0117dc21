"""From a workshop's conclusion to its official answer, in Chromium: the organizer makes it
a proposal, a participant comments and votes from her phone, the organizer answers, and she
sees it on "what became of my ideas" (and by email)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.deliberation.conftest import write_conclusion
from tests.e2e.test_content_security_policy import watched
from tests.support.browser import beside_the_browser, join_from_phone
from workshops import services as workshop_services
from workshops.actors import Actor, Role
from workshops.jobs import run_due_jobs
from workshops.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

LAPTOP = {"width": 1280, "height": 800}


PASSWORD = "organizer-pass-123"


def log_in(page, server, user, password):
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/organizer/")


def hold_the_workshop_and_close_it(workshop) -> None:
    """Alice's table writes its conclusion; then the facilitators close the workshop."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    [table] = workshop_services.groups_create(actor=lead, count=1, kind="table")
    workshop_services.group_rename(actor=lead, group_id=table.pk, name="Table 2")
    alice = Participant.objects.get(workshop=workshop, display_name="Alice")
    workshop_services.participant_move(actor=lead, participant_id=alice.pk, group_id=table.pk)
    write_conclusion(
        Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk),
        table,
        ("heading", "Ombre et repos au parc", {"level": "2"}),
        ("paragraph", "Installer des bancs à l'ombre des platanes.", {}),
    )
    workshop_services.workshop_close(actor=lead)


def no_violation(page) -> None:
    """This page kept to the strict Content-Security-Policy (the watch restarts with each
    page load)."""
    assert page.evaluate("window.__violations") == [], page.url


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_conclusion_to_proposal_to_comment_to_official_answer_seen_by_the_follower(
    asgi_server, new_page, workshop
):
    server = asgi_server()
    organizer = workshop.organizer
    organizer.set_password(PASSWORD)
    organizer.save()

    # Alice takes part from her phone, and leaves her email to hear what becomes of it.
    phone = watched(new_page(locale="fr-FR"))
    join_from_phone(phone, server, workshop, "Alice", "remote")
    phone.get_by_text("Me tenir informé par e-mail").click()
    phone.get_by_label("Votre e-mail (facultatif)").fill("alice@example.org")
    phone.get_by_label("J’accepte qu’Atelier garde cette adresse", exact=False).check()
    phone.get_by_role("button", name="Me tenir informé").click()
    phone.wait_for_url("**/follow-up/")
    expect(phone.locator(".messages")).to_contain_text("confirmez votre adresse")
    beside_the_browser(run_due_jobs)
    [confirmation] = emails_to("alice@example.org")
    # Links in emails use PUBLIC_URL (the test's server listens elsewhere): keep the path.
    link = re.search(r"http://\S+/confirm/", confirmation.body)[0]
    phone.goto(server.url + urlsplit(link).path)
    phone.get_by_role("button", name="Oui, confirmer").click()
    expect(phone.locator(".messages")).to_contain_text("Votre adresse est confirmée.")

    beside_the_browser(hold_the_workshop_and_close_it, workshop=workshop)

    # The organizer turns the group's conclusion into a proposal, in one action.
    laptop = watched(new_page(viewport=LAPTOP, locale="fr-FR"))
    log_in(laptop, server, organizer, PASSWORD)
    laptop.get_by_role("link", name="Résultats et propositions").click()
    laptop.get_by_role("button", name=re.compile("Créer un espace")).click()
    expect(laptop.locator(".messages")).to_contain_text("Espace créé")
    no_violation(laptop)
    conclusion = laptop.locator("article.outcome", has_text="Table 2")
    conclusion.get_by_role("button", name="Faire une proposition").click()
    expect(laptop.get_by_label("Titre")).to_have_value("Ombre et repos au parc")
    no_violation(laptop)
    laptop.get_by_role("button", name="Publier", exact=True).click()
    expect(laptop.locator("h1")).to_have_text("Ombre et repos au parc")
    provenance = laptop.locator("section.provenance")
    expect(provenance).to_contain_text("Table 2")
    expect(provenance).to_contain_text("La conclusion du groupe")
    proposal_url = laptop.url

    # Alice finds it on her follow-up page, comments for it and supports it.
    phone.goto(f"{server.url}/follow-up/")
    item = phone.locator(".followup-item", has_text="Ombre et repos au parc")
    expect(item).to_contain_text("En attente de la réponse des organisateurs.")
    item.get_by_role("link").click()
    expect(phone.locator("#follow-button")).to_have_text("Ne plus suivre")  # she follows it
    phone.get_by_label("Votre commentaire").fill("Oui, et des fontaines à eau !")
    phone.locator("#comments").get_by_text("Pour", exact=True).click()
    phone.get_by_role("button", name="Publier le commentaire").click()
    expect(phone.locator("#comment-list-new .comment")).to_contain_text("fontaines à eau")
    expect(phone.get_by_label("Votre commentaire")).to_have_value("")
    expect(phone.locator("#comments-status")).to_have_text("Votre commentaire est publié.")
    support = phone.locator("#vote-for")
    support.focus()
    phone.keyboard.press("Enter")  # with the keyboard
    expect(phone.locator("#vote-for")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#votes .vote-for strong")).to_have_text("1")
    no_violation(phone)

    # The organizer reads the comment and publishes the official answer.
    laptop.goto(proposal_url)
    expect(laptop.locator("#comments")).to_contain_text("fontaines à eau")
    laptop.get_by_text("Écrire la réponse officielle").click()
    laptop.get_by_label("État").select_option(label="Acceptée")
    laptop.get_by_role("textbox", name="Réponse officielle").fill(
        "Douze bancs seront posés en mai."
    )
    laptop.get_by_role("button", name="Publier la réponse").click()
    expect(laptop.locator("#answer .state")).to_have_text("Acceptée")

    # Alice sees what became of her idea: in the application, and by email.
    phone.goto(f"{server.url}/follow-up/")
    expect(phone.locator(".notification.is-new")).to_contain_text("Réponse officielle à")
    item = phone.locator(".followup-item", has_text="Ombre et repos au parc")
    expect(item.locator(".state")).to_have_text("Acceptée")
    expect(item).to_contain_text("Douze bancs seront posés en mai.")
    beside_the_browser(run_due_jobs)
    answer_email = emails_to("alice@example.org")[-1]
    assert "Réponse officielle\u00a0: Acceptée" in answer_email.body
    assert proposal_url.removeprefix(server.url) in answer_email.body
    for page in (phone, laptop):
        no_violation(page)

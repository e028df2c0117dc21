"""A group's conclusion co-written on two phones: concurrent typing, formatting, a lost
connection, a reload. Nobody's text is lost and every screen ends with the same document."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import SocketLink, beside_the_browser, join_from_phone
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Conclusion, Participant

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def group_writing(asgi_server, new_page, workshop, organizer):
    """Alice and Bob, each on a phone, in the same online group, breakouts open."""
    server = asgi_server()
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    (group,) = beside_the_browser(services.groups_create, actor=lead, count=1, kind="online")
    alice, bob = new_page(), new_page()
    links = {"alice": SocketLink(alice), "bob": SocketLink(bob)}
    join_from_phone(alice, server, workshop, "Alice", "remote")
    join_from_phone(bob, server, workshop, "Bob", "room")
    for participant in Participant.objects.filter(workshop=workshop):
        beside_the_browser(
            services.participant_move, actor=lead, participant_id=participant.pk, group_id=group.pk
        )
    beside_the_browser(services.breakouts_open, actor=lead)
    for page in (alice, bob):
        # A fresh page in the group: no region is being fetched again, the editor is synced.
        expect(editor(page, group.pk)).to_be_visible()
        page.reload()
        expect(editor(page, group.pk)).to_be_visible()
        wait_until_saved(page, group.pk)
    return {"server": server, "group": group, "alice": alice, "bob": bob, "links": links}


def editor(page, group_id: int):
    return page.locator(f"#conclusion-{group_id} .ProseMirror")


def type_into(page, group_id: int, text: str, *, at: str = "Control+End") -> None:
    """Type at the end (or with `at="Control+Home"`, the start) of the conclusion, as a
    person would, key by key."""
    editor(page, group_id).click()
    page.keyboard.press(at)
    page.keyboard.type(text)


def wait_until_saved(page, group_id: int) -> None:
    """Until the server has acknowledged every update this page made."""
    page.wait_for_function(
        "(id) => { const s = window.AtelierConclusions.sessions.get(id);"
        " return s && s.synced && !s.unsaved; }",
        arg=group_id,
    )


def stored_markdown(group_id: int) -> str:
    return Conclusion.objects.get(group_id=group_id).markdown


def test_two_phones_typing_at_the_same_time_both_keep_their_text(group_writing):
    alice, bob, group = group_writing["alice"], group_writing["bob"], group_writing["group"]
    links = group_writing["links"]
    # Neither phone hears of the other's typing until both have written: truly concurrent
    # edits of the same (empty) paragraph, each acknowledged by the server on its own.
    for link in links.values():
        link.hold_events(kinds=("doc.update",))
    for alice_part, bob_part in (("Des bancs ", "Une fontaine "), ("à l'ombre.", "pour l'été.")):
        type_into(alice, group.pk, alice_part)
        type_into(bob, group.pk, bob_part)
    wait_until_saved(alice, group.pk)
    wait_until_saved(bob, group.pk)
    for link in links.values():
        link.release_events()
    for page in (alice, bob):
        expect(editor(page, group.pk)).to_contain_text("Des bancs à l'ombre.")
        expect(editor(page, group.pk)).to_contain_text("Une fontaine pour l'été.")

    # Live this time, at both ends of the text: each edit reaches the other phone as typed.
    type_into(alice, group.pk, "Nos idées : ", at="Control+Home")
    type_into(bob, group.pk, " Et des arbres.")
    for page in (alice, bob):
        expect(editor(page, group.pk)).to_contain_text("Nos idées : ")
        expect(editor(page, group.pk)).to_contain_text("Et des arbres.")
    wait_until_saved(alice, group.pk)
    wait_until_saved(bob, group.pk)
    expect(editor(alice, group.pk)).to_have_text(editor(bob, group.pk).text_content())

    markdown = stored_markdown(group.pk)
    for text in ("Des bancs à l'ombre.", "Une fontaine pour l'été.", "Et des arbres."):
        assert text in markdown

    # A reload shows what the server kept: the same document.
    kept = editor(bob, group.pk).text_content()
    alice.reload()
    expect(editor(alice, group.pk)).to_have_text(kept)


def test_bold_chosen_before_typing_survives_someone_elses_change(group_writing):
    alice, bob, group = group_writing["alice"], group_writing["bob"], group_writing["group"]
    type_into(bob, group.pk, "Priorité : ")
    bob.get_by_role("button", name="Gras").click()  # nothing selected: for what comes next
    type_into(alice, group.pk, "Avis d'Alice. ")
    expect(editor(bob, group.pk)).to_contain_text("Avis d'Alice.")  # a remote change arrived
    bob.keyboard.type("la sécurité")
    for page in (alice, bob):
        expect(editor(page, group.pk).locator("strong")).to_have_text("la sécurité")
    wait_until_saved(bob, group.pk)
    assert "**la sécurité**" in stored_markdown(group.pk)


def test_a_phone_that_lost_the_network_merges_its_edits_when_it_comes_back(group_writing):
    alice, bob, group = group_writing["alice"], group_writing["bob"], group_writing["group"]
    type_into(alice, group.pk, "Le parc est à tous.")
    expect(editor(bob, group.pk)).to_contain_text("Le parc est à tous.")
    wait_until_saved(alice, group.pk)

    group_writing["links"]["bob"].go_offline()
    type_into(bob, group.pk, " Écrit hors ligne.")
    status = bob.locator(f"#conclusion-{group.pk} .conclusion-status")
    expect(status).to_have_attribute("data-state", "offline")
    type_into(alice, group.pk, " Écrit pendant ce temps.")

    group_writing["links"]["bob"].go_online()
    for page in (alice, bob):
        expect(editor(page, group.pk)).to_contain_text("Écrit hors ligne.")
        expect(editor(page, group.pk)).to_contain_text("Écrit pendant ce temps.")
    wait_until_saved(bob, group.pk)
    markdown = stored_markdown(group.pk)
    assert "Écrit hors ligne." in markdown and "Écrit pendant ce temps." in markdown
    expect(status).to_have_attribute("data-state", "saved")

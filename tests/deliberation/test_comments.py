"""Comments: threads of replies marked for, against or neutral, voted up and down, edited
for a while by their author, paginated with replies loaded on demand; reports and
moderation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deliberation import services
from deliberation.models import Comment, Proposal
from deliberation.selectors import COMMENTS_PER_PAGE, REPLIES_PER_PAGE
from tests.deliberation.conftest import viewer_for
from tests.support.personas import session_cookie
from workshops.errors import Refused

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> str:
    with pytest.raises(Refused) as refusal:
        call(**kwargs)
    return refusal.value.code


def comment(viewer, proposal, body="Je suis d'accord", **kwargs) -> Comment:
    return services.comment_create(viewer=viewer, proposal_id=proposal.pk, body=body, **kwargs)


def test_comments_take_a_side_and_replies_thread_under_the_first_comment(
    as_alice, as_bob, as_organizer, published
):
    first = comment(as_alice, published, "Oui, et des bancs autour", alignment="for")
    reply = comment(as_bob, published, "Trop cher", alignment="against", parent_id=first.pk)
    deeper = comment(as_alice, published, "On peut phaser", parent_id=reply.pk)
    official = comment(as_organizer, published, "Nous étudions le coût.")
    assert (reply.root, reply.parent, deeper.root, deeper.parent) == (first, first, first, reply)
    assert (first.alignment, reply.alignment, deeper.alignment) == ("for", "against", "neutral")
    assert official.official and not first.official
    assert Comment.objects.get(pk=first.pk).replies_count == 2
    assert Proposal.objects.get(pk=published.pk).comments_count == 4


def test_a_comment_must_say_something_and_not_too_much(as_alice, published):
    assert (
        refused(services.comment_create, viewer=as_alice, proposal_id=published.pk, body="   ")
        == "empty"
    )
    assert (
        refused(services.comment_create, viewer=as_alice, proposal_id=published.pk, body="x" * 2001)
        == "too_long"
    )
    assert not Comment.objects.exists()


def test_comments_are_voted_up_or_down_once_per_person_never_by_their_author(
    as_alice, as_bob, as_organizer, published
):
    mine = comment(as_alice, published)
    services.comment_vote(viewer=as_bob, comment_id=mine.pk, value=1)
    services.comment_vote(viewer=as_bob, comment_id=mine.pk, value=1)
    services.comment_vote(viewer=as_organizer, comment_id=mine.pk, value=-1)
    fresh = Comment.objects.get(pk=mine.pk)
    assert (fresh.up_count, fresh.down_count) == (1, 1)
    services.comment_vote(viewer=as_bob, comment_id=mine.pk, value=-1)
    services.comment_vote(viewer=as_organizer, comment_id=mine.pk, value=0)
    fresh = Comment.objects.get(pk=mine.pk)
    assert (fresh.up_count, fresh.down_count) == (0, 1)
    assert (
        refused(services.comment_vote, viewer=as_alice, comment_id=mine.pk, value=1) == "forbidden"
    )


def test_the_author_edits_a_comment_for_a_while_and_nobody_else_ever(
    space, as_alice, as_bob, published
):
    mine = comment(as_alice, published, "Des bancs")
    services.comment_edit(
        viewer=as_alice, comment_id=mine.pk, body="Des bancs à l'ombre", alignment="for"
    )
    fresh = Comment.objects.get(pk=mine.pk)
    assert fresh.body == "Des bancs à l'ombre" and fresh.edited_at is not None
    assert (
        refused(
            services.comment_edit, viewer=as_bob, comment_id=mine.pk, body="Piraté", alignment="for"
        )
        == "forbidden"
    )
    Comment.objects.filter(pk=mine.pk).update(
        created_at=timezone.now() - timedelta(minutes=space.comment_edit_minutes + 1)
    )
    assert (
        refused(
            services.comment_edit,
            viewer=as_alice,
            comment_id=mine.pk,
            body="Trop tard",
            alignment="for",
        )
        == "edit_window"
    )
    assert Comment.objects.get(pk=mine.pk).body == "Des bancs à l'ombre"


def test_content_is_hidden_after_the_space_s_number_of_reports(
    space, workshop, join, as_alice, published
):
    space.reports_to_hide = 2
    space.save()
    rude = comment(as_alice, published, "Propos injurieux")
    reporters = [viewer_for(space, participant=join(workshop, f"R{n}")) for n in range(2)]
    services.report_create(viewer=reporters[0], comment_id=rude.pk, reason="offensive")
    assert (
        refused(services.report_create, viewer=reporters[0], comment_id=rude.pk, reason="spam")
        == "already_reported"
    )
    assert Comment.objects.get(pk=rude.pk).hidden_at is None
    services.report_create(
        viewer=reporters[1], comment_id=rude.pk, reason="offensive", details="Insulte"
    )
    hidden = Comment.objects.get(pk=rude.pk)
    assert hidden.hidden_at is not None and hidden.hidden_reason == ""
    assert Proposal.objects.get(pk=published.pk).comments_count == 0


def test_moderators_hide_with_a_reason_shown_in_place_and_restore(
    space, as_alice, as_moderator, as_bob, published, client
):
    rude = comment(as_alice, published, "Propos injurieux")
    assert (
        refused(services.content_hide, viewer=as_bob, comment_id=rude.pk, reason="Non")
        == "forbidden"
    )
    assert (
        refused(services.content_hide, viewer=as_moderator, comment_id=rude.pk, reason=" ")
        == "empty"
    )
    services.content_hide(
        viewer=as_moderator, comment_id=rude.pk, reason="Insultes : contraire à la charte"
    )
    page = client.get(reverse("proposal", args=[space.slug, published.number]))
    assert "Insultes : contraire à la charte" in page.text
    assert "Propos injurieux" not in page.text
    services.content_restore(viewer=as_moderator, comment_id=rude.pk)
    assert Comment.objects.get(pk=rude.pk).hidden_at is None
    assert Proposal.objects.get(pk=published.pk).comments_count == 1


def test_threads_are_paginated_and_replies_load_on_demand(
    space, as_alice, as_bob, published, client
):
    roots = [comment(as_alice, published, f"Avis n°{n}") for n in range(COMMENTS_PER_PAGE + 3)]
    for n in range(REPLIES_PER_PAGE + 2):
        comment(as_bob, published, f"Réponse n°{n}", parent_id=roots[0].pk)
    page = client.get(reverse("proposal", args=[space.slug, published.number])).text
    assert "Avis n°0<" in page and f"Avis n°{COMMENTS_PER_PAGE - 1}<" in page
    assert f"Avis n°{COMMENTS_PER_PAGE}<" not in page  # on the next page
    assert "Réponse n°0" not in page  # replies are not loaded with the page
    assert f"Afficher {REPLIES_PER_PAGE + 2} réponses" in page

    more = client.get(
        reverse("proposal-comments", args=[space.slug, published.number]) + "?page=2",
        headers={"HX-Request": "true"},
    ).text
    assert f"Avis n°{COMMENTS_PER_PAGE}<" in more and "<html" not in more

    replies_url = reverse("comment-replies", args=[space.slug, roots[0].pk])
    first = client.get(replies_url, headers={"HX-Request": "true"}).text
    assert "Réponse n°0<" in first and f"Réponse n°{REPLIES_PER_PAGE}<" not in first
    assert 'id="replies-' in first and "Plus de réponses" in first
    second = client.get(replies_url + "?page=2", headers={"HX-Request": "true"}).text
    assert f"Réponse n°{REPLIES_PER_PAGE}<" in second and 'id="replies-' not in second


def test_every_comment_has_a_permalink_that_shows_it_in_its_thread(
    space, as_alice, as_bob, published, client
):
    first = comment(as_alice, published, "Le premier avis")
    replies = [
        comment(as_bob, published, f"Réponse n°{n}", parent_id=first.pk)
        for n in range(REPLIES_PER_PAGE + 2)
    ]
    last = replies[-1]
    page = client.get(reverse("comment", args=[space.slug, last.pk]))
    assert page.status_code == 200
    assert "Le premier avis" in page.text and f"Réponse n°{REPLIES_PER_PAGE + 1}<" in page.text
    assert "is-target" in page.text
    assert f"/d/{space.slug}/c/{last.pk}/" in page.text  # the share field


def test_posting_a_comment_works_without_javascript_and_with_htmx(space, alice, published, client):
    client.cookies.load(session_cookie(participant=alice))
    url = reverse("proposal-comments", args=[space.slug, published.number])
    plain = client.post(url, {"body": "Sans JavaScript", "alignment": "for"})
    posted = Comment.objects.get(body="Sans JavaScript")
    assert plain.status_code == 302 and plain.url == reverse(
        "comment", args=[space.slug, posted.pk]
    )

    fragment = client.post(
        url,
        {"body": "Avec htmx", "alignment": "neutral", "parent": str(posted.pk)},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "Avec htmx" in fragment.text and 'hx-swap-oob="innerHTML"' in fragment.text

    too_long = client.post(
        url, {"body": "x" * 2001, "alignment": "for"}, headers={"HX-Request": "true"}
    )
    assert too_long.status_code == 400
    assert too_long.headers["HX-Retarget"] == "#comment-error-new"

    kept = client.post(url, {"body": "y" * 2001, "alignment": "for"})  # without JavaScript
    assert kept.status_code == 400 and "y" * 2001 in kept.text  # what they wrote is not lost


def test_the_edit_page_is_the_author_s_for_a_while(space, alice, bob, as_alice, published, client):
    mine = comment(as_alice, published, "Des bancs")
    url = reverse("comment-edit", args=[space.slug, mine.pk])
    client.cookies.load(session_cookie(participant=bob))
    refusal = client.get(url)
    assert refusal.status_code == 403 and "Seul son auteur peut modifier" in refusal.text
    client.cookies.load(session_cookie(participant=alice))
    assert client.get(url).status_code == 200
    saved = client.post(url, {"body": "Des bancs à l'ombre", "alignment": "for"})
    assert saved.status_code == 302
    assert Comment.objects.get(pk=mine.pk).body == "Des bancs à l'ombre"


def test_a_comment_posted_with_htmx_updates_the_count_and_drops_the_empty_state(
    space, alice, published, client
):
    client.cookies.load(session_cookie(participant=alice))
    page = client.get(reverse("proposal", args=[space.slug, published.number]))
    assert 'id="no-comment"' in page.text  # the empty state, to be removed out of band

    url = reverse("proposal-comments", args=[space.slug, published.number])
    fragment = client.post(
        url, {"body": "Le premier", "alignment": "for"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert '<h2 id="comments-title" hx-swap-oob="innerHTML">1 commentaire</h2>' in fragment.text
    assert '<li id="no-comment" hx-swap-oob="delete"></li>' in fragment.text

    second = client.post(
        url, {"body": "Le second", "alignment": "for"}, headers={"HX-Request": "true"}
    )
    assert '<h2 id="comments-title" hx-swap-oob="innerHTML">2 commentaires</h2>' in second.text

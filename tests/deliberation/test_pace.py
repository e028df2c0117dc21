"""How fast one person may write in a space: a script posting forms is slowed down with a
clear message and nothing changes; what the person wrote stays in the form; the team is
not limited."""

import pytest
from django.urls import reverse

from deliberation import services
from deliberation.models import Comment, Proposal
from tests.support.personas import session_cookie
from workshops.errors import SlowDown

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.DELIBERATION_RATE_LIMITS = {
        "proposals": (2, 1 / 600),
        "comments": (3, 1 / 600),
        "reports": (2, 1 / 600),
    }


def comment(viewer, proposal, body):
    return services.comment_create(viewer=viewer, proposal_id=proposal.pk, body=body)


def test_a_person_writing_too_fast_is_told_to_slow_down_and_nothing_is_written(
    as_alice, as_bob, published
):
    for number in range(3):
        comment(as_alice, published, f"Avis {number}")
    with pytest.raises(SlowDown) as slowed:
        comment(as_alice, published, "Encore un")
    assert slowed.value.code == "slow_down" and slowed.value.retry_after > 500
    assert "try again in" in slowed.value.message or "réessayez" in slowed.value.message.lower()
    assert not Comment.objects.filter(body="Encore un").exists()
    published.refresh_from_db()
    assert published.comments_count == 3
    comment(as_bob, published, "Moi aussi")  # someone else is not slowed down


def test_the_space_s_team_answers_in_bulk_without_limit(as_organizer, published):
    for number in range(6):
        comment(as_organizer, published, f"Réponse {number}")
    assert Comment.objects.filter(official=True).count() == 6


def test_a_slowed_comment_form_keeps_the_text_with_and_without_htmx(
    space, alice, published, client
):
    client.cookies.load(session_cookie(participant=alice))
    url = reverse("proposal-comments", args=[space.slug, published.number])
    for number in range(3):
        client.post(url, {"body": f"Avis {number}", "alignment": "for"})

    plain = client.post(url, {"body": "Mon quatrième avis", "alignment": "for"})
    assert plain.status_code == 429 and int(plain.headers["Retry-After"]) > 500
    assert "Mon quatrième avis" in plain.text  # what they wrote is not lost

    fragment = client.post(
        url, {"body": "Un autre", "alignment": "for"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 429 and fragment.headers["HX-Retarget"] == "#comment-error-new"
    assert Comment.objects.filter(proposal=published).count() == 3


def test_a_slowed_proposal_form_keeps_what_was_written(space, alice, client):
    space.guests_may_propose = True
    space.save()
    client.cookies.load(session_cookie(participant=alice))
    url = reverse("proposal-new", args=[space.slug])
    fields = {"title": "Des bancs {}", "body": "Le long du canal, à l'ombre."}
    before = Proposal.objects.count()
    for number in range(2):
        posted = client.post(url, {**fields, "title": fields["title"].format(number)})
        assert posted.status_code == 302
    slowed = client.post(url, {**fields, "title": "Des bancs encore"})
    assert slowed.status_code == 429
    assert "Des bancs encore" in slowed.text and "Le long du canal" in slowed.text
    assert Proposal.objects.count() == before + 2

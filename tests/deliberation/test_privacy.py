"""A participant's deliberation data: exported whole, and anonymized (identity goes,
contributions stay)."""

import json

import pytest
from django.urls import reverse

from deliberation import services
from deliberation.models import Comment, Follow, Notification, Person, Proposal, Vote
from deliberation.privacy import anonymize_participant, export_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_took_part(space, as_organizer, as_alice, as_bob, alice, published):
    space.guests_may_propose = True
    space.save()
    services.participant_keep_informed(
        participant=alice, email="alice@example.org", consent=True, frequency="daily", language="fr"
    )
    mine = services.proposal_create(viewer=as_alice, title="Un banc", body="Près du lac")
    services.proposal_publish(viewer=as_alice, proposal_id=mine.pk)
    services.vote_cast(viewer=as_alice, proposal_id=published.pk, value="for")
    comment = services.comment_create(
        viewer=as_alice, proposal_id=published.pk, body="Oui, avec des tilleuls", alignment="for"
    )
    services.comment_create(
        viewer=as_bob, proposal_id=published.pk, body="Et des bancs", parent_id=comment.pk
    )
    services.report_create(viewer=as_alice, proposal_id=published.pk, reason="off_topic")
    return {"mine": mine, "comment": comment}


def test_the_export_holds_everything_deliberation_keeps_about_the_participant(
    alice, alice_took_part
):
    data = export_participant(alice)
    json.dumps(data)  # plain data
    assert data["email"] == "alice@example.org" and data["email_frequency"] == "daily"
    assert data["consented_at"] is not None
    assert [c["text"] for c in data["comments"]] == ["Oui, avec des tilleuls"]
    assert [(v["proposal"]["title"], v["vote"]) for v in data["votes"]] == [
        ("Végétaliser la place du marché", "for")
    ]
    assert {f["proposal"]["title"] for f in data["follows"]} == {
        "Un banc",
        "Végétaliser la place du marché",
    }
    assert [r["reason"] for r in data["reports"]] == ["off_topic"]
    assert [p["title"] for p in data["authored_proposals"]] == ["Un banc"]
    assert [n["kind"] for n in data["notifications"]] == ["reply"]


def test_a_participant_who_never_took_part_in_deliberation_has_nothing(bob):
    assert export_participant(bob) == {}
    anonymize_participant(bob)  # harmless


def test_anonymizing_removes_the_identity_and_keeps_the_contributions(
    space, alice, alice_took_part, published, client
):
    token = Person.objects.get(participant=alice).token
    anonymize_participant(alice)

    person = Person.objects.get(pk=Comment.objects.get(pk=alice_took_part["comment"].pk).author_id)
    assert (person.participant, person.email, person.anonymized_at is not None) == (None, "", True)
    assert person.token != token
    assert not Follow.objects.filter(person=person).exists()
    assert not Notification.objects.filter(person=person).exists()
    assert Vote.objects.filter(person=person).count() == 1  # still counts
    assert Proposal.objects.get(pk=published.pk).supports_count == 1
    assert export_participant(alice) == {}

    page = client.get(reverse("proposal", args=[space.slug, published.number])).text
    assert "Oui, avec des tilleuls" in page and "Participant anonyme" in page
    assert "Alice" not in page
    mine = client.get(reverse("proposal", args=[space.slug, alice_took_part["mine"].number]))
    assert 'Par <span class="author author-person">Participant anonyme</span>' in mine.text
    assert client.get(reverse("followup-token", args=[token])).status_code == 404


def test_a_participant_erasing_themselves_from_the_workshop_erases_their_follow_up_too(
    alice, alice_took_part
):
    from workshops.actors import Actor, Role
    from workshops.services.privacy import participant_erase

    participant_erase(actor=Actor(alice.workshop_id, Role.PARTICIPANT, participant_id=alice.pk))
    assert not Person.objects.filter(email="alice@example.org").exists()
    assert Comment.objects.filter(pk=alice_took_part["comment"].pk).exists()

"""Followers hear of what becomes of a proposal: in the application, and by email (sent by
background jobs, at once or in a daily digest) for those who gave and confirmed one."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from deliberation import services
from deliberation.models import Follow, Notification, Person
from tests.deliberation.conftest import viewer_for
from tests.support.personas import session_cookie
from workshops.errors import Refused
from workshops.jobs import run_due_jobs
from workshops.models import Job

pytestmark = pytest.mark.django_db


def leave_email(participant, email, frequency="immediate") -> Person:
    return services.participant_keep_informed(
        participant=participant, email=email, consent=True, frequency=frequency, language="fr"
    )


def confirm(person: Person) -> None:
    services.email_confirm(token=Person.objects.get(pk=person.pk).token)


def accept(space, viewer, proposal, text="La ville le fera.") -> None:
    services.answer_publish_now(
        viewer=viewer,
        proposal_id=proposal.pk,
        state_id=space.states.get(title="Acceptée").pk,
        text=text,
    )


def link_in(body: str, path_part: str) -> str:
    return re.search(rf"https?://\S+{path_part}\S*", body)[0]


def test_a_participant_who_leaves_an_email_confirms_it_by_a_link(alice, client):
    person = leave_email(alice, "Alice@Example.org")
    assert person.email == "alice@example.org" and person.email_confirmed_at is None
    assert mail.outbox == []  # not inside the request: a job sends it
    run_due_jobs()
    [email] = mail.outbox
    assert email.to == ["alice@example.org"] and email.subject == "Confirmez votre adresse e-mail"
    link = link_in(email.body, "/confirm/")
    page = client.get(link)
    assert page.status_code == 200 and Person.objects.get(pk=person.pk).email_confirmed_at is None
    client.post(link)  # the button: a mail scanner opening the link confirms nothing
    assert Person.objects.get(pk=person.pk).email_confirmed_at is not None


def test_consent_is_explicit_and_the_address_valid(alice):
    for email, consent, code in (
        ("alice@example.org", False, "consent"),
        ("pas-un-mail", True, "invalid"),
    ):
        with pytest.raises(Refused) as refusal:
            services.participant_keep_informed(
                participant=alice,
                email=email,
                consent=consent,
                frequency="immediate",
                language="fr",
            )
        assert refusal.value.code == code
    assert not Person.objects.filter(participant=alice).exclude(email="").exists()


def test_the_participants_of_a_workshop_who_left_an_email_follow_its_proposals(
    played, space, organizer, as_organizer, alice, bob
):
    leave_email(alice, "alice@example.org")
    draft = services.proposal_from_outcome(
        viewer=as_organizer,
        user=organizer,
        workshop_id=played.workshop.pk,
        kind="conclusion",
        object_id=played.conclusion.pk,
    )
    assert not Follow.objects.filter(proposal=draft).exclude(person__user=organizer).exists()
    services.proposal_publish(viewer=as_organizer, proposal_id=draft.pk)
    followers = set(
        Follow.objects.filter(proposal=draft).values_list("person__participant", flat=True)
    )
    assert followers == {alice.pk, None}  # Alice (her email), the organizer (its creator)
    leave_email(bob, "bob@example.org")  # later: he follows what is already published
    assert Follow.objects.filter(proposal=draft, person__participant=bob, source="workshop")


def test_an_official_answer_reaches_followers_in_app_and_by_confirmed_email(
    played, space, organizer, as_organizer, alice, bob, chloe, client
):
    confirm(leave_email(alice, "alice@example.org"))
    leave_email(bob, "bob@example.org")  # never confirmed
    proposal = services.proposal_from_outcome(
        viewer=as_organizer,
        user=organizer,
        workshop_id=played.workshop.pk,
        kind="conclusion",
        object_id=played.conclusion.pk,
    )
    services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk)
    services.proposal_follow(
        viewer=viewer_for(space, participant=chloe), proposal_id=proposal.pk, following=True
    )  # in the application only
    run_due_jobs()
    mail.outbox.clear()

    accept(space, as_organizer, proposal, "Douze bancs seront posés en mai.")
    assert mail.outbox == []
    notified = set(
        Notification.objects.filter(kind="answer").values_list("person__participant", flat=True)
    )
    assert notified == {alice.pk, bob.pk, chloe.pk}
    run_due_jobs()
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "Réponse officielle\u00a0: Acceptée" in email.body
    assert f"/d/{space.slug}/{proposal.number}/" in email.body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    run_due_jobs()
    assert len(mail.outbox) == 1  # sent once

    client.cookies.load(session_cookie(participant=chloe))
    page = client.get(reverse("followup")).text
    assert "Réponse officielle à" in page and "Ombre et repos au parc" in page
    assert "is-new" in page
    assert "is-new" not in client.get(reverse("followup")).text  # seen now


def test_the_daily_digest_groups_the_day_s_news(space, as_organizer, alice, published):
    confirm(leave_email(alice, "alice@example.org", frequency="daily"))
    as_alice = viewer_for(space, participant=alice)
    services.proposal_follow(viewer=as_alice, proposal_id=published.pk, following=True)
    other = viewer_for(space, user=space.organizer)
    services.comment_create(viewer=other, proposal_id=published.pk, body="Un avis de l'équipe")
    accept(space, as_organizer, published)
    run_due_jobs()
    assert [m for m in mail.outbox if "alice@example.org" in m.to] == []  # she chose the digest
    digest = Job.objects.get(kind="deliberation.digest", status="queued")
    Job.objects.filter(pk=digest.pk).update(run_at=digest.created_at)
    run_due_jobs()
    [email] = [m for m in mail.outbox if m.subject.startswith("Votre suivi du jour")]
    assert "Un nouveau commentaire" in email.body and "Réponse officielle" in email.body


def test_a_reply_tells_the_author_of_the_comment(space, alice, bob, published):
    confirm(leave_email(bob, "bob@example.org"))
    as_bob, as_alice = viewer_for(space, participant=bob), viewer_for(space, participant=alice)
    first = services.comment_create(viewer=as_bob, proposal_id=published.pk, body="Des bancs ?")
    services.comment_create(
        viewer=as_alice, proposal_id=published.pk, body="Oui !", parent_id=first.pk
    )
    run_due_jobs()
    [email] = [m for m in mail.outbox if m.to == ["bob@example.org"] and "Du nouveau" in m.subject]
    assert "Une réponse à votre commentaire" in email.body
    assert f"/c/{first.pk + 1}/" in email.body


def test_anyone_may_follow_by_email_alone_and_stop_with_one_link(space, published, client):
    url = reverse("proposal-email-follow", args=[space.slug, published.number])
    response = client.post(url, {"email": "voisin@example.org", "consent": "on"})
    assert response.status_code == 302
    person = Person.objects.get(email="voisin@example.org")
    assert (person.user, person.participant) == (None, None)
    run_due_jobs()
    client.post(link_in(mail.outbox[-1].body, "/confirm/"))
    accept(space, viewer_for(space, user=space.organizer), published)
    run_due_jobs()
    answer_email = mail.outbox[-1]
    assert answer_email.to == ["voisin@example.org"]
    stop = link_in(answer_email.body, "/stop/")
    client.post(stop)
    person.refresh_from_db()
    assert person.email == "" and not person.follows.exists()


def test_refusing_consent_keeps_nothing(space, published, client):
    url = reverse("proposal-email-follow", args=[space.slug, published.number])
    response = client.post(url, {"email": "voisin@example.org"})
    assert response.status_code == 400
    assert not Person.objects.filter(email="voisin@example.org").exists()


def test_the_participant_page_offers_to_keep_informed_and_the_form_works(workshop, alice, client):
    client.cookies.load(session_cookie(participant=alice))
    page = client.get(reverse("workshop", args=[workshop.join_code])).text
    assert "Me tenir informé par e-mail" in page and "Ce que deviennent" in page
    response = client.post(
        reverse("keep-informed", args=[workshop.join_code]),
        {"email": "alice@example.org", "frequency": "daily", "consent": "on"},
    )
    assert response.status_code == 302 and response.url == reverse("followup")
    assert Person.objects.get(participant=alice).frequency == "daily"
    followup = client.get(reverse("followup")).text
    assert "alice@example.org" in followup and "pas encore confirmée" in followup
    client.post(
        reverse("followup-token", args=[Person.objects.get(participant=alice).token]),
        {"form": "forget", "back": reverse("followup")},
    )
    assert Person.objects.get(participant=alice).email == ""

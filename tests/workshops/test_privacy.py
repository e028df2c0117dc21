"""Personal data (GDPR): identities go at the end of the retention or on request, what people
wrote stays; a participant downloads what is kept about them."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live.models import Event
from tests.support import extra_privacy_provider
from tests.support.personas import session_cookie
from tests.support.story import as_participant, play
from workshops import jobs, privacy
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.jobs import run_due_jobs
from workshops.models import Export, Participant, PostIt, Workshop

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def story(workshop, organizer, facilitator):
    return play(workshop, organizer)


def age(workshop: Workshop, days: int) -> None:
    """The workshop closed `days` ago."""
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=days))


def names(workshop: Workshop) -> set[str]:
    return set(workshop.participants.values_list("display_name", flat=True))


def test_identities_go_at_the_end_of_the_retention_and_contributions_stay(
    story, other_workshop, join
):
    Workshop.objects.filter(pk=story.workshop.pk).update(retention_days=30)
    age(story.workshop, 31)
    oscar = join(other_workshop, "Oscar")  # another workshop, still within its retention
    texts = sorted(PostIt.objects.filter(workshop=story.workshop).values_list("text", flat=True))
    events = Event.objects.filter(stream__workshop=story.workshop).order_by("pk")
    log = list(events.values("pk", "name", "data"))

    call_command("atelier_anonymize")

    assert names(story.workshop) == {"Participant anonyme"}
    assert story.workshop.participants.filter(anonymized_at=None).count() == 0
    assert sorted(
        PostIt.objects.filter(workshop=story.workshop).values_list("text", flat=True)
    ) == (texts)
    assert not PostIt.objects.filter(workshop=story.workshop).exclude(signature="").exists()
    # The log is not rewritten (ids only); the erasure is one more event for the console.
    after = Event.objects.filter(stream__workshop=story.workshop).order_by("pk")
    assert list(after.filter(pk__in=[e["pk"] for e in log]).values("pk", "name", "data")) == log
    assert after.filter(name="participants.anonymized").count() == 1
    assert Participant.objects.get(pk=oscar.pk).display_name == "Oscar"
    # Done once: running again changes nothing.
    call_command("atelier_anonymize")
    assert after.filter(name="participants.anonymized").count() == 1


def test_a_workshop_within_its_retention_keeps_its_names(story, capsys):
    age(story.workshop, 364)
    call_command("atelier_anonymize", "--dry-run")
    call_command("atelier_anonymize")
    assert "Bob Durand" in names(story.workshop)
    age(story.workshop, 366)  # the default retention is a year
    call_command("atelier_anonymize", "--dry-run")
    assert (
        f"{story.workshop.join_code}: 5 participant(s) would be anonymized"
        in capsys.readouterr().out
    )
    assert "Bob Durand" in names(story.workshop)  # a dry run


def test_the_daily_job_applies_the_retention(story):
    assert jobs.RECURRING["privacy.retention"] == timedelta(days=1)
    age(story.workshop, 400)
    job = jobs.job_enqueue(kind="privacy.retention")
    run_due_jobs()
    job.refresh_from_db()
    assert (job.status, job.result) == ("done", {"anonymized": 5})


def test_an_admin_anonymizes_workshops_past_their_retention(story, other_workshop, join):
    admin = get_user_model().objects.create_superuser("root", password="admin-pass-123")
    join(other_workshop, "Oscar")
    age(story.workshop, 400)
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:workshops_workshop_changelist"),
        {
            "action": "anonymize_past_retention",
            "_selected_action": [story.workshop.pk, other_workshop.pk],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "5 participants anonymisés." in page
    assert "Budget participatif" in page  # not due yet: said, and left alone
    assert names(story.workshop) == {"Participant anonyme"}
    assert names(other_workshop) == {"Oscar"}


def test_an_erased_participant_s_sessions_act_as_nobody(story):
    alice = story.people["alice"]
    page = Client(HTTP_COOKIE=session_cookie(participant=alice))
    url = reverse("workshop", args=[story.workshop.join_code])
    assert page.get(url).status_code == 200
    privacy_anonymize(story.workshop)
    assert page.get(url).status_code == 302  # back to the join page
    with pytest.raises(Refused) as refused:
        execute_command(actor=as_participant(alice), client_id="after", name="hand.raise", args={})
    assert refused.value.code == "unauthenticated"


def privacy_anonymize(workshop: Workshop) -> None:
    from workshops.services.privacy import workshop_anonymize_expired

    age(workshop, 10_000)
    workshop_anonymize_expired(workshop_id=workshop.pk)


def test_named_minutes_are_deleted_with_the_names_they_print(
    story, organizer, django_capture_on_commit_callbacks
):
    run_due_jobs()
    client = Client()
    client.force_login(organizer)
    client.post(reverse("minutes", args=[story.workshop.join_code]), {"named": "on"})
    run_due_jobs()
    named = Export.objects.get(named=True)
    anonymous = Export.objects.get(named=False)
    with django_capture_on_commit_callbacks(execute=True):  # files go once it commits
        privacy_anonymize(story.workshop)
    assert not Export.objects.filter(named=True).exists()
    assert not default_storage.exists(named.files["pdf"]["name"])
    assert default_storage.exists(anonymous.files["pdf"]["name"])


def test_a_participant_downloads_what_is_kept_about_them(story):
    bob = story.people["bob"]
    client = Client(HTTP_COOKIE=session_cookie(participant=bob))
    page = client.get(reverse("my-data", args=[story.workshop.join_code])).content.decode()
    assert "Télécharger mes données (JSON)" in page
    response = client.get(reverse("my-data-download", args=[story.workshop.join_code]))
    assert response["Content-Disposition"].endswith('-mes-donnees.json"')
    data = json.loads(response.content)["data"]["workshops.privacy"]
    assert data["participant"]["display_name"] == "Bob Durand"
    assert [postit["text"] for postit in data["postits"]] == ["Des bancs à l'ombre"]
    on_postits = [dot["postit"] for dot in data["dots"] if dot["postit"]]
    assert on_postits == ["Planter des arbres", "Planter des arbres"]
    assert [dot["conclusion_of"] for dot in data["dots"] if dot["conclusion_of"]] == [
        "Table du kiosque"
    ]
    assert data["poll_answers"][0]["choices"] == ["Oui"]
    assert "Alice" not in response.content.decode()  # nobody else's data
    assert "example.org" not in response.content.decode().lower()


def test_a_participant_erases_their_name_from_their_page(story):
    chloe = story.people["chloe"]
    client = Client(HTTP_COOKIE=session_cookie(participant=chloe))
    erase = reverse("my-data-erase", args=[story.workshop.join_code])
    unconfirmed = client.post(erase, {})
    assert unconfirmed.status_code == 302
    assert Participant.objects.get(pk=chloe.pk).display_name == "Chloé Petit"
    done = client.post(erase, {"confirm": "erase"})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    chloe.refresh_from_db()
    assert (chloe.display_name, chloe.anonymized_at is not None) == ("Participant anonyme", True)
    assert PostIt.objects.filter(author=chloe).count() == 2  # her post-its stay
    again = client.get(reverse("my-data", args=[story.workshop.join_code]))
    assert again.status_code == 302  # this browser no longer acts as her


def test_every_personal_data_provider_is_asked(story, monkeypatch):
    monkeypatch.setattr(
        privacy,
        "PERSONAL_DATA_PROVIDERS",
        [*privacy.PERSONAL_DATA_PROVIDERS, "tests.support.extra_privacy_provider"],
    )
    extra_privacy_provider.CALLS.clear()
    alice = story.people["alice"]
    client = Client(HTTP_COOKIE=session_cookie(participant=alice))
    exported = json.loads(
        client.get(reverse("my-data-download", args=[story.workshop.join_code])).content
    )["data"]
    assert exported["tests.support.extra_privacy_provider"] == {"follows": ["proposition 7"]}
    client.post(reverse("my-data-erase", args=[story.workshop.join_code]), {"confirm": "erase"})
    assert [("export", alice.pk), ("anonymize", alice.pk)] == extra_privacy_provider.CALLS


def test_the_organizer_sets_the_retention(story, organizer, facilitator):
    url = reverse("minutes-retention", args=[story.workshop.join_code])
    for_facilitator = Client()
    for_facilitator.force_login(facilitator)
    for_facilitator.post(url, {"retention_days": "30"})
    story.workshop.refresh_from_db()
    assert story.workshop.retention_days == 365  # unchanged: the organizer's choice
    client = Client()
    client.force_login(organizer)
    assert client.post(url, {"retention_days": "0"}).status_code == 400
    assert client.post(url, {"retention_days": "90"}).status_code == 302
    story.workshop.refresh_from_db()
    assert story.workshop.retention_days == 90


def test_an_admin_erases_one_person_who_asked_by_letter(story):
    admin = get_user_model().objects.create_superuser("root", password="admin-pass-123")
    client = Client()
    client.force_login(admin)
    bob = story.people["bob"]
    response = client.post(
        reverse("admin:workshops_participant_changelist"),
        {"action": "erase_identity", "_selected_action": [bob.pk]},
        follow=True,
    )
    assert "1 participant anonymisé." in response.content.decode()
    assert names(story.workshop) == {
        "Alice Martin",
        "Chloé Petit",
        "Sam Scribe",
        "Table du kiosque",
        "Participant anonyme",
    }

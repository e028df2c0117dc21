"""The space's pages: list, filters, sorts and display; share links; exports without
personal data unless an organizer asks; attachments checked by their bytes."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from deliberation import services
from deliberation.models import Attachment, Proposal, Space
from tests.deliberation.conftest import viewer_for
from workshops.errors import Refused

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def several(space, as_organizer, as_alice, as_bob):
    """Three published proposals with themes, supports and comments."""
    mobility = services.theme_add(viewer=as_organizer, name="Mobilité")
    nature = services.theme_add(viewer=as_organizer, name="Nature")
    made = []
    for title, theme in (
        ("Piste cyclable rue Pasteur", mobility),
        ("Un verger partagé", nature),
        ("Des arceaux à vélo", mobility),
    ):
        proposal = services.proposal_create(
            viewer=as_organizer, title=title, body=f"Texte de {title}", theme_id=theme.pk
        )
        made.append(services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk))
    services.vote_cast(viewer=as_alice, proposal_id=made[1].pk, value="for")
    services.vote_cast(viewer=as_bob, proposal_id=made[1].pk, value="for")
    services.vote_cast(viewer=as_alice, proposal_id=made[2].pk, value="for")
    services.comment_create(viewer=as_alice, proposal_id=made[0].pk, body="Oui")
    return {"themes": (mobility, nature), "proposals": made}


def titles(page_text: str, candidates) -> list[str]:
    found = [(page_text.index(p.title), p.title) for p in candidates if p.title in page_text]
    return [title for _position, title in sorted(found)]


def test_the_list_filters_by_theme_state_workshop_and_text(space, several, client):
    base = reverse("space", args=[space.slug])
    proposals, (mobility, _nature) = several["proposals"], several["themes"]
    assert titles(client.get(base, {"theme": mobility.pk}).text, proposals) == [
        "Des arceaux à vélo",
        "Piste cyclable rue Pasteur",
    ]
    assert titles(client.get(base, {"q": "verger"}).text, proposals) == ["Un verger partagé"]
    default = space.states.get(is_default=True)
    assert len(titles(client.get(base, {"state": default.pk}).text, proposals)) == 3
    assert titles(client.get(base, {"workshop": 999}).text, proposals) == []
    assert "Aucune proposition ne correspond à ces filtres." in client.get(base, {"q": "zzz"}).text


def test_the_list_sorts_by_support_comments_and_a_random_order_stable_per_visitor(
    space, several, client
):
    base = reverse("space", args=[space.slug])
    proposals = several["proposals"]
    assert titles(client.get(base, {"sort": "supported"}).text, proposals)[0] == (
        "Un verger partagé"
    )
    assert titles(client.get(base, {"sort": "commented"}).text, proposals)[0] == (
        "Piste cyclable rue Pasteur"
    )
    assert titles(client.get(base).text, proposals)[0] == "Des arceaux à vélo"  # newest
    first = titles(client.get(base, {"sort": "random"}).text, proposals)
    assert first == titles(client.get(base, {"sort": "random"}).text, proposals)
    orders = {
        tuple(titles(Client().get(base, {"sort": "random"}).text, proposals)) for _ in range(12)
    }
    assert len(orders) > 1  # other visitors, other orders


def test_the_list_paginates_and_switches_between_list_and_grid(space, as_organizer, client):
    for n in range(14):
        services.proposal_publish(
            viewer=as_organizer,
            proposal_id=services.proposal_create(
                viewer=as_organizer, title=f"Idée {n:02d}", body="x"
            ).pk,
        )
    base = reverse("space", args=[space.slug])
    first = client.get(base).text
    assert "14 propositions" in first and "Page 1 sur 2" in first and "Idée 13" in first
    assert "Idée 01" not in first
    assert "Idée 01" in client.get(base, {"page": 2}).text
    assert "display-grid" in client.get(base, {"display": "grid"}).text
    fragment = client.get(
        base, {"q": "Idée 05"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert fragment.text.startswith('<section id="results"') and "Idée 05" in fragment.text


def test_each_proposal_has_a_share_link(space, published, client):
    page = client.get(reverse("proposal", args=[space.slug, published.number])).text
    assert f'value="http://testserver/d/{space.slug}/{published.number}/"' in page
    assert "data-copy" in page and "Copier le lien" in page


def test_the_open_data_export_holds_no_personal_data(space, as_organizer, as_alice, client):
    space.guests_may_propose = True
    space.save()
    mine = services.proposal_create(viewer=as_alice, title="Un banc", body='=HYPERLINK("x")')
    services.proposal_publish(viewer=as_alice, proposal_id=mine.pk)
    services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=mine.pk,
        state_id=space.states.get(title="Acceptée").pk,
        text="Oui.",
    )
    export = client.get(reverse("space-export", args=[space.slug]), {"format": "csv"})
    assert export["Content-Disposition"].startswith("attachment;")
    [row] = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert row["authors"] == "Participant" and "Alice" not in export.content.decode()
    assert row["body"].startswith("'=")  # a spreadsheet will not run it
    assert (row["state"], row["accepted"], row["answer"]) == ("Acceptée", "True", "Oui.")
    data = json.loads(
        client.get(reverse("space-export", args=[space.slug]), {"format": "json"}).content
    )
    assert data["personal_data"] is False and data["proposals"][0]["authors"] == ["Participant"]


def test_an_organizer_who_asks_gets_the_names(space, organizer, as_alice, client):
    space.guests_may_propose = True
    space.save()
    mine = services.proposal_create(viewer=as_alice, title="Un banc", body="Près du lac")
    services.proposal_publish(viewer=as_alice, proposal_id=mine.pk)
    client.force_login(organizer)
    url = reverse("space-export", args=[space.slug])
    by_link = client.get(url, {"format": "json", "personal": "on"})
    assert by_link.status_code == 403  # never by a link: only by the form, on purpose
    asked = client.post(url, {"format": "json", "personal": "on"})
    data = json.loads(asked.content)
    assert data["personal_data"] is True and data["proposals"][0]["authors"] == ["Alice"]
    assert "-personal" in asked["Content-Disposition"]


def test_attachments_are_checked_by_their_bytes_and_served_safely(
    space, as_organizer, published, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    image = SimpleUploadedFile("plan.png", PNG, content_type="image/png")
    attachment = services.attachment_add(
        viewer=as_organizer, proposal_id=published.pk, upload=image, title="Plan de la place"
    )
    assert (attachment.kind, attachment.content_type) == ("image", "image/png")
    assert attachment.file.name.endswith(".png") and "plan" not in attachment.file.name
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(Refused) as refusal:
        services.attachment_add(
            viewer=as_organizer, proposal_id=published.pk, upload=fake, title="Faux"
        )
    assert refusal.value.code == "bad_type"
    settings.DELIBERATION_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(Refused) as too_big:
        services.attachment_add(
            viewer=as_organizer,
            proposal_id=published.pk,
            upload=SimpleUploadedFile("a.png", PNG),
            title="Gros",
        )
    assert too_big.value.code == "too_large"
    assert Attachment.objects.count() == 1

    page = client.get(reverse("proposal", args=[space.slug, published.number])).text
    assert 'alt="Plan de la place"' in page
    served = client.get(reverse("attachment", args=[space.slug, published.number, attachment.pk]))
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG


def test_the_edit_page_uploads_an_attachment(
    space, organizer, published, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(organizer)
    url = reverse("proposal-edit", args=[space.slug, published.number])
    response = client.post(
        url, {"form": "attachment", "title": "Le plan", "file": SimpleUploadedFile("plan.png", PNG)}
    )
    assert response.status_code == 302
    assert Attachment.objects.get().title == "Le plan"


def test_the_space_s_settings_page_changes_rules_themes_states_and_team(
    space, organizer, moderator, client
):
    client.force_login(organizer)
    url = reverse("space-settings", args=[space.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "form": "general",
            "title": "Parc 2026",
            "description": "",
            "guests_may_comment": "on",
            "votes_open": "on",
            "support_threshold": "50",
            "support_deadline": "2031-03-01T18:00",
            "supports_per_person": "",
            "reports_to_hide": "3",
            "comment_edit_minutes": "10",
        },
    )
    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.title, space.support_threshold, space.guests_may_vote) == ("Parc 2026", 50, False)
    client.post(url, {"form": "theme_add", "name": "Mobilité"})
    assert list(space.themes.values_list("name", flat=True)) == ["Mobilité"]
    client.post(
        url,
        {
            "form": "state_add",
            "title": "Au budget 2027",
            "color": "teal",
            "can_be_answer": "on",
            "counts_as_accepted": "on",
        },
    )
    new = space.states.get(title="Au budget 2027")
    assert new.counts_as_accepted and not new.notifies_followers
    refusal = client.post(url, {"form": "theme_add", "name": "mobilité"})
    assert refusal.status_code == 400 and "Un thème porte déjà ce nom." in refusal.text
    client.post(url, {"form": "member_remove", "id": moderator.pk})
    assert not space.members.exists()


def test_a_proposal_page_renders_every_part_for_the_organizer(
    played, space, organizer, as_organizer, client
):
    proposal = services.proposal_from_outcome(
        viewer=as_organizer,
        user=organizer,
        workshop_id=played.workshop.pk,
        kind="conclusion",
        object_id=played.conclusion.pk,
    )
    services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk)
    services.comment_create(
        viewer=viewer_for(space, user=organizer), proposal_id=proposal.pk, body="Nous étudions."
    )
    client.force_login(organizer)
    page = client.get(reverse("proposal", args=[space.slug, proposal.number])).text
    for part in (
        "Née dans un atelier",
        "Écrire la réponse officielle",
        "Votes",
        "Suivi",
        "Nous étudions.",
        "Organisateurs",
        "La masquer (modération)",
        reverse("workshop-outcomes", args=[played.workshop.join_code]),
    ):
        assert part in page, part


@pytest.mark.parametrize(
    ("language", "date"), [("fr", "5 mars 2026"), ("it", "5 marzo 2026"), ("en", "March 5, 2026")]
)
def test_a_space_s_pages_write_dates_in_its_language(space, published, client, language, date):
    Space.objects.filter(pk=space.pk).update(language=language)
    Proposal.objects.filter(pk=published.pk).update(
        published_at=datetime(2026, 3, 5, 10, tzinfo=UTC)
    )
    page = client.get(reverse("proposal", args=[space.slug, published.number])).text
    assert f'<html lang="{language}">' in page
    assert f">{date}</time>" in page


def test_built_in_states_speak_the_viewer_s_language_and_renamed_ones_keep_their_name(
    organizer, as_organizer, client
):
    english = services.space_create(user=organizer, title="Riverside", language="en")
    organizer_viewer = viewer_for(english, user=organizer)
    proposal = services.proposal_create(viewer=organizer_viewer, title="More benches", body="Yes.")
    services.proposal_publish(viewer=organizer_viewer, proposal_id=proposal.pk)
    client.cookies["django_language"] = "it"
    page = client.get(reverse("proposal", args=[english.slug, proposal.number])).text
    assert "Senza risposta" in page and "Not answered" not in page

    default = english.states.get(is_default=True)
    services.state_update(
        viewer=organizer_viewer, state_id=default.pk, title="Waiting for us", color="gray"
    )
    page = client.get(reverse("proposal", args=[english.slug, proposal.number])).text
    assert "Waiting for us" in page and "Senza risposta" not in page


def test_a_deadline_says_its_time_zone(space, published, client):
    Space.objects.filter(pk=space.pk).update(
        support_threshold=10, support_deadline=datetime(2031, 3, 1, 17, tzinfo=UTC)
    )
    zone = "Les heures sont données dans le fuseau horaire Europe/Paris."
    assert zone in client.get(reverse("space", args=[space.slug])).text
    assert zone in client.get(reverse("proposal", args=[space.slug, published.number])).text

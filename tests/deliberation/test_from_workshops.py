"""A closed workshop's outcomes become proposals in one action, and keep their provenance."""

import json

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from deliberation import services
from deliberation.models import Proposal
from tests.deliberation.conftest import as_participant
from workshops import services as workshop_services
from workshops.errors import Refused
from workshops.models import Group, Participant

pytestmark = pytest.mark.django_db


def from_outcome(viewer, user, played, kind, row) -> Proposal:
    return services.proposal_from_outcome(
        viewer=viewer, user=user, workshop_id=played.workshop.pk, kind=kind, object_id=row.pk
    )


def test_a_group_conclusion_becomes_a_prefilled_draft_with_its_provenance(
    played, space, organizer, as_organizer
):
    proposal = from_outcome(as_organizer, organizer, played, "conclusion", played.conclusion)

    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.title == "Ombre et repos au parc"
    # The heading that became the title is not repeated in the text.
    assert proposal.body == "Installer des bancs à l'ombre et plus de poubelles."
    assert proposal.state.title == "Non répondue"
    assert [author.name for author in proposal.authors.all()] == ["Table 2"]
    provenance = proposal.provenance
    assert (provenance.kind, provenance.workshop, provenance.group) == (
        "conclusion",
        played.workshop,
        played.table,
    )
    assert provenance.phase.title == "Gommettes"
    snapshot = provenance.snapshot
    assert snapshot["workshop"]["title"] == "Réaménager le parc Jean-Moulin"
    assert snapshot["group"]["name"] == "Table 2"
    assert [(row["text"], row["dots"]) for row in snapshot["postits"]] == [
        ("Des bancs à l'ombre des platanes", 2),
        ("Plus de poubelles près des jeux", 1),
        ("Un kiosque à musique", 1),
    ]
    assert snapshot["plenary"] == {
        "phase": "Vote en plénière",
        "dots": 2,
        "total": 3,
        "rank": 1,
        "of": 2,
    }
    assert proposal.versions.count() == 1
    assert played.workshop in space.workshops.all()


def test_a_cluster_and_a_single_post_it_become_proposals_too(played, organizer, as_organizer):
    cluster = from_outcome(as_organizer, organizer, played, "cluster", played.cluster)
    assert cluster.title == "Mobilier"
    assert cluster.body == "- Des bancs à l'ombre des platanes\n- Plus de poubelles près des jeux"
    assert cluster.provenance.snapshot["cluster"] == {"name": "Mobilier", "dots": 3}

    postit = from_outcome(as_organizer, organizer, played, "postit", played.postits["jeux"])
    assert postit.title == "Une aire de jeux pour les petits"
    assert [author.name for author in postit.authors.all()] == ["Groupe Parc"]
    assert postit.provenance.snapshot["postits"] == [
        {
            "id": played.postits["jeux"].pk,
            "text": "Une aire de jeux pour les petits",
            "merged": [],
            "dots": 1,
        }
    ]
    assert [cluster.number, postit.number] == [1, 2]


def test_the_provenance_names_nobody(played, organizer, as_organizer):
    proposal = from_outcome(as_organizer, organizer, played, "conclusion", played.conclusion)
    frozen = json.dumps(proposal.provenance.snapshot, ensure_ascii=False)
    for name in ("Alice", "Bob", "Chloé"):
        assert name not in frozen


def test_the_provenance_stays_true_when_the_workshop_s_rows_are_gone(
    played, space, organizer, as_organizer, client
):
    proposal = from_outcome(as_organizer, organizer, played, "conclusion", played.conclusion)
    services.proposal_publish(viewer=as_organizer, proposal_id=proposal.pk)
    # The workshop's data is erased: its group (and with it the post-its, the cluster, the
    # conclusion and their dots) and its participants.
    Group.objects.filter(pk=played.table.pk).delete()
    Participant.objects.filter(workshop=played.workshop).update(display_name="—")
    proposal.refresh_from_db()
    assert proposal.provenance.group is None and proposal.provenance.conclusion is None

    page = client.get(reverse("proposal", args=[space.slug, proposal.number]))
    assert page.status_code == 200
    text = page.text
    assert "Née dans un atelier" in text and "Table 2" in text
    assert "Des bancs à l&#x27;ombre des platanes" in text and "2 gommettes" in text
    assert "Classée 1 sur 2 conclusions (2 gommettes sur 3)" in text


def test_only_a_closed_workshop_s_outcomes_become_proposals(
    workshop, lead, space, organizer, as_organizer, alice
):
    postit = workshop_services.postit_create(actor=as_participant(alice), text="Trop tôt")
    with pytest.raises(Refused) as refusal:
        services.proposal_from_outcome(
            viewer=as_organizer,
            user=organizer,
            workshop_id=workshop.pk,
            kind="postit",
            object_id=postit.pk,
        )
    assert refusal.value.code == "not_closed"
    assert not Proposal.objects.exists()


def test_someone_who_does_not_lead_the_workshop_cannot_draw_from_it(
    played, space, stranger, as_organizer
):
    with pytest.raises(Refused) as refusal:
        services.proposal_from_outcome(
            viewer=as_organizer,
            user=stranger,
            workshop_id=played.workshop.pk,
            kind="conclusion",
            object_id=played.conclusion.pk,
        )
    assert refusal.value.code == "not_found"


def test_an_outcome_of_another_workshop_is_not_found(
    played, other_workshop, organizer, as_organizer, lead
):
    with pytest.raises(Refused) as refusal:
        services.proposal_from_outcome(
            viewer=as_organizer,
            user=organizer,
            workshop_id=played.workshop.pk,
            kind="postit",
            object_id=10**9,
        )
    assert refusal.value.code == "not_found"


def test_the_outcomes_page_lists_what_the_workshop_produced_and_makes_drafts(
    played, space, organizer, client
):
    client.force_login(organizer)
    url = reverse("workshop-outcomes", args=[played.workshop.join_code])
    page = client.get(url)
    assert page.status_code == 200
    text = page.text
    assert "Ombre et repos au parc" in text  # the conclusion
    assert "classée 1 sur 2" in text
    assert "Mobilier" in text and "3 gommettes" in text  # the cluster
    assert "Une aire de jeux pour les petits" in text

    made = client.post(url, {"space": space.pk, "kind": "conclusion", "id": played.conclusion.pk})
    proposal = Proposal.objects.get()
    assert made.status_code == 302
    assert made.url == reverse("proposal-edit", args=[space.slug, proposal.number])
    edit = client.get(made.url)
    assert "Ombre et repos au parc" in edit.text and "Publier" in edit.text
    # The page now links the outcome to its proposal.
    assert f"Proposition n° {proposal.number}" in client.get(url).text


def test_the_outcomes_page_of_an_open_workshop_says_to_close_it_first(
    workshop, space, organizer, client
):
    client.force_login(organizer)
    page = client.get(reverse("workshop-outcomes", args=[workshop.join_code]))
    assert "L’atelier n’est pas encore clôturé" in page.text


def test_the_outcomes_page_is_for_the_workshop_s_leads(played, stranger, client):
    client.force_login(stranger)
    page = client.get(reverse("workshop-outcomes", args=[played.workshop.join_code]))
    assert page.status_code == 404


def test_a_space_can_be_made_from_the_outcomes_page(played, organizer, client):
    client.force_login(organizer)
    url = reverse("workshop-outcomes", args=[played.workshop.join_code])
    response = client.post(url, {"form": "space"})
    assert response.status_code == 302
    space = organizer.organized_spaces.get()
    assert space.title == "Réaménager le parc Jean-Moulin"
    assert list(space.workshops.all()) == [played.workshop]
    assert [state.title for state in space.states.all()] == [
        "Non répondue",
        "Évaluation en cours",
        "Acceptée",
        "Rejetée",
        "Réalisée",
    ]


def test_the_provenance_names_the_vote_s_phase_without_repeating_its_label():
    with translation.override("en"):
        block = render_to_string(
            "deliberation/partials/provenance.html",
            {
                "provenance": {
                    "kind": "postit",
                    "snapshot": {"workshop": {"title": "Park"}, "phase": {"title": "Dot vote"}},
                }
            },
        )
    assert block.count("Dot vote") == 1 and "Voting phase" in block


def test_the_outcomes_page_offers_a_workshop_s_space_once_and_the_service_refuses_twice(
    played, organizer, client
):
    client.force_login(organizer)
    url = reverse("workshop-outcomes", args=[played.workshop.join_code])
    button = "Créer un espace «\u00a0Réaménager le parc Jean-Moulin\u00a0»"
    assert button in client.get(url).text
    client.post(url, {"form": "space"})
    space = organizer.organized_spaces.get()
    assert button not in client.get(f"{url}?space={space.pk}").text

    again = client.post(url, {"form": "space"})
    assert again.status_code == 400 and "existe déjà" in again.text
    assert organizer.organized_spaces.count() == 1
    with pytest.raises(Refused) as refusal:
        services.space_create(user=organizer, title=played.workshop.title, workshop=played.workshop)
    assert refusal.value.code == "duplicate"
    assert organizer.organized_spaces.count() == 1

"""A proposal's life: draft, published, edited (versions), answered (states from the
organizer's list, staged and published in bulk), withdrawn, merged."""

import pytest
from django.urls import reverse

from deliberation import services
from deliberation.models import Follow, Notification, Proposal, ProposalVersion
from workshops.errors import Refused

pytestmark = pytest.mark.django_db


def state(space, title):
    return space.states.get(title=title)


def refused(call, **kwargs) -> str:
    with pytest.raises(Refused) as refusal:
        call(**kwargs)
    return refusal.value.code


def test_a_new_space_has_the_default_states_as_rows_the_organizer_owns(space):
    rows = [
        (
            s.title,
            s.is_default,
            s.can_be_answer,
            s.notifies_followers,
            s.counts_as_accepted,
            s.ends_voting,
        )
        for s in space.states.all()
    ]
    assert rows == [
        ("Non répondue", True, False, False, False, False),
        ("Évaluation en cours", False, True, True, False, False),
        ("Acceptée", False, True, True, True, False),
        ("Rejetée", False, True, True, False, True),
        ("Réalisée", False, True, True, True, False),
    ]


def test_a_draft_is_seen_by_the_team_only_and_published_once(
    space, as_organizer, as_alice, as_visitor, client
):
    draft = services.proposal_create(viewer=as_organizer, title="Un titre", body="Un texte")
    url = reverse("proposal", args=[space.slug, draft.number])
    assert client.get(url).status_code == 404
    assert refused(services.vote_cast, viewer=as_alice, proposal_id=draft.pk, value="for") in (
        "not_found",
    )
    published = services.proposal_publish(viewer=as_organizer, proposal_id=draft.pk)
    assert published.status == Proposal.Status.PUBLISHED and published.published_at
    first = published.published_at
    again = services.proposal_publish(viewer=as_organizer, proposal_id=draft.pk)
    assert again.published_at == first
    assert client.get(url).status_code == 200


def test_every_edit_is_a_version_and_the_page_shows_the_history(
    space, as_organizer, published, client
):
    theme = services.theme_add(viewer=as_organizer, name="Nature en ville")
    services.proposal_update(
        viewer=as_organizer,
        proposal_id=published.pk,
        title=published.title,
        body="Planter des tilleuls et installer des jardinières partagées.",
        theme_id=theme.pk,
    )
    services.proposal_update(  # nothing changes: no new version
        viewer=as_organizer,
        proposal_id=published.pk,
        title=published.title,
        body="Planter des tilleuls et installer des jardinières partagées.",
        theme_id=theme.pk,
    )
    versions = list(ProposalVersion.objects.filter(proposal=published).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].body == "Planter des arbres et installer des jardinières."
    assert (versions[1].theme, Proposal.objects.get(pk=published.pk).version) == (
        "Nature en ville",
        2,
    )
    page = client.get(reverse("proposal-history", args=[space.slug, published.number]))
    assert "Version 2" in page.text and "Version 1" in page.text
    assert '<del><span class="visually-hidden">retiré' in page.text and "arbres" in page.text
    assert '<ins><span class="visually-hidden">ajouté' in page.text and "tilleuls" in page.text


def test_an_edit_that_breaks_a_rule_changes_nothing(space, as_organizer, published):
    code = refused(
        services.proposal_update,
        viewer=as_organizer,
        proposal_id=published.pk,
        title="x" * 151,
        body="Nouveau",
    )
    assert code == "too_long"
    assert Proposal.objects.get(pk=published.pk).body.startswith("Planter des arbres")
    assert published.versions.count() == 1


def test_a_guest_author_edits_until_someone_votes(space, as_organizer, as_alice, as_bob):
    space.guests_may_propose = True
    space.save()
    mine = services.proposal_create(viewer=as_alice, title="Un banc", body="Près du lac")
    assert [a.name for a in mine.authors.all()] == ["Alice"]
    services.proposal_publish(viewer=as_alice, proposal_id=mine.pk)
    services.proposal_update(
        viewer=as_alice, proposal_id=mine.pk, title="Deux bancs", body="Près du lac"
    )
    assert (
        refused(
            services.proposal_update,
            viewer=as_bob,
            proposal_id=mine.pk,
            title="Trois bancs",
            body="x",
        )
        == "forbidden"
    )
    services.vote_cast(viewer=as_bob, proposal_id=mine.pk, value="for")
    assert (
        refused(
            services.proposal_update,
            viewer=as_alice,
            proposal_id=mine.pk,
            title="Trois bancs",
            body="x",
        )
        == "forbidden"
    )
    assert Proposal.objects.get(pk=mine.pk).title == "Deux bancs"


def test_an_official_answer_sets_the_state_is_dated_and_tells_the_followers(
    space, as_organizer, as_alice, published, client
):
    services.proposal_follow(viewer=as_alice, proposal_id=published.pk, following=True)
    accepted = state(space, "Acceptée")
    answer = services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=accepted.pk,
        text="La ville plantera **douze** tilleuls au printemps.",
    )
    proposal = Proposal.objects.get(pk=published.pk)
    assert proposal.state == accepted and proposal.answered_at == answer.published_at
    assert Notification.objects.filter(
        proposal=proposal, kind="answer", person__participant__display_name="Alice"
    ).exists()
    page = client.get(reverse("proposal", args=[space.slug, proposal.number]))
    assert "Réponse officielle" in page.text and "<strong>douze</strong>" in page.text
    assert 'class="official-mark"' in page.text


def test_answers_are_staged_out_of_sight_then_published_in_bulk(
    space, as_organizer, published, client
):
    second = services.proposal_publish(
        viewer=as_organizer,
        proposal_id=services.proposal_create(
            viewer=as_organizer, title="Des toilettes publiques", body="Près des jeux"
        ).pk,
    )
    evaluating, rejected = state(space, "Évaluation en cours"), state(space, "Rejetée")
    services.answer_stage(
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=evaluating.pk,
        text="Nous étudions les essences.",
    )
    services.answer_stage(
        viewer=as_organizer,
        proposal_id=second.pk,
        state_id=rejected.pk,
        text="Le budget ne le permet pas cette année.",
    )
    page = client.get(reverse("proposal", args=[space.slug, published.number]))
    assert "Nous étudions les essences." not in page.text  # staged: not public
    assert Proposal.objects.get(pk=published.pk).state.title == "Non répondue"

    client.force_login(space.organizer)
    response = client.post(
        reverse("space-answers", args=[space.slug]), {"proposal": [published.pk, second.pk]}
    )
    assert response.status_code == 302
    titles = dict(Proposal.objects.values_list("pk", "state__title"))
    assert titles == {published.pk: "Évaluation en cours", second.pk: "Rejetée"}


def test_a_bulk_publication_is_all_or_nothing(space, as_organizer, published):
    other = services.proposal_publish(
        viewer=as_organizer,
        proposal_id=services.proposal_create(viewer=as_organizer, title="B", body="B").pk,
    )
    services.answer_stage(
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=state(space, "Acceptée").pk,
        text="Oui.",
    )
    code = refused(
        services.answers_publish, viewer=as_organizer, proposal_ids=[published.pk, other.pk]
    )
    assert code == "no_answer"
    assert Proposal.objects.get(pk=published.pk).answered_at is None


def test_a_state_that_cannot_be_an_answer_is_refused_as_one(space, as_organizer, published):
    code = refused(
        services.answer_stage,
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=state(space, "Non répondue").pk,
        text="Rien.",
    )
    assert code == "invalid"


def test_a_state_that_does_not_notify_answers_quietly(space, as_organizer, as_alice, published):
    services.proposal_follow(viewer=as_alice, proposal_id=published.pk, following=True)
    quiet = services.state_add(
        viewer=as_organizer,
        title="Transmise au service",
        color="teal",
        can_be_answer=True,
        notifies_followers=False,
    )
    services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=quiet.pk,
        text="Transmise aux espaces verts.",
    )
    assert Proposal.objects.get(pk=published.pk).state == quiet
    assert not Notification.objects.filter(kind="answer").exists()


def test_the_organizer_shapes_the_list_of_states(space, as_organizer, published):
    studied = services.state_add(
        viewer=as_organizer,
        title="À l'étude",
        color="amber",
        can_be_answer=True,
        notifies_followers=True,
    )
    services.state_update(
        viewer=as_organizer,
        state_id=studied.pk,
        title="À l'étude au conseil",
        color="blue",
        can_be_answer=True,
        notifies_followers=True,
        counts_as_accepted=False,
        ends_voting=False,
    )
    services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=studied.pk,
        text="Au conseil de juin.",
    )
    assert refused(services.state_delete, viewer=as_organizer, state_id=studied.pk) == "in_use"
    default = space.states.get(is_default=True)
    assert refused(services.state_delete, viewer=as_organizer, state_id=default.pk) == "in_use"
    unused = state(space, "Réalisée")
    services.state_delete(viewer=as_organizer, state_id=unused.pk)
    assert not space.states.filter(pk=unused.pk).exists()


def test_withdrawal_is_a_dated_flag_not_a_state_and_ends_the_votes(
    space, as_organizer, as_alice, as_bob
):
    space.guests_may_propose = True
    space.save()
    mine = services.proposal_create(viewer=as_alice, title="Un banc", body="Près du lac")
    services.proposal_publish(viewer=as_alice, proposal_id=mine.pk)
    services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=mine.pk,
        state_id=state(space, "Évaluation en cours").pk,
        text="À voir.",
    )
    assert refused(services.proposal_withdraw, viewer=as_bob, proposal_id=mine.pk) == "forbidden"
    services.proposal_withdraw(viewer=as_alice, proposal_id=mine.pk)
    proposal = Proposal.objects.get(pk=mine.pk)
    assert proposal.withdrawn_at is not None
    assert proposal.state.title == "Évaluation en cours"  # the answer stays what it was
    assert refused(services.vote_cast, viewer=as_bob, proposal_id=mine.pk, value="for") == (
        "withdrawn"
    )
    assert refused(services.proposal_withdraw, viewer=as_alice, proposal_id=mine.pk) == (
        "withdrawn"
    )


def test_a_rejected_proposal_takes_no_more_votes(space, as_organizer, as_alice, published):
    services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=published.pk,
        state_id=state(space, "Rejetée").pk,
        text="Non.",
    )
    code = refused(services.vote_cast, viewer=as_alice, proposal_id=published.pk, value="for")
    assert code == "votes_closed"


def test_merging_a_duplicate_leaves_a_trace_on_both_and_moves_votes_once_per_person(
    space, as_organizer, as_alice, as_bob, published, client
):
    duplicate = services.proposal_publish(
        viewer=as_organizer,
        proposal_id=services.proposal_create(
            viewer=as_organizer, title="Des arbres place du marché", body="Planter"
        ).pk,
    )
    services.vote_cast(viewer=as_alice, proposal_id=duplicate.pk, value="for")
    services.vote_cast(viewer=as_bob, proposal_id=duplicate.pk, value="for")
    services.vote_cast(viewer=as_bob, proposal_id=published.pk, value="against")
    services.proposal_follow(viewer=as_alice, proposal_id=duplicate.pk, following=True)

    services.proposal_merge(viewer=as_organizer, proposal_id=duplicate.pk, into_id=published.pk)

    target = Proposal.objects.get(pk=published.pk)
    assert (target.supports_count, target.against_count) == (1, 1)  # Alice's moved, Bob kept his
    assert Proposal.objects.get(pk=duplicate.pk).merged_into == target
    assert Follow.objects.filter(proposal=target, person__participant__display_name="Alice")
    assert Notification.objects.filter(proposal=duplicate, kind="merged").count() == 1
    duplicate_page = client.get(reverse("proposal", args=[space.slug, duplicate.number]))
    assert f"n° {target.number} {target.title}" in duplicate_page.text
    target_page = client.get(reverse("proposal", args=[space.slug, target.number]))
    assert f"#{duplicate.number} {duplicate.title}" in target_page.text
    assert (
        refused(services.vote_cast, viewer=as_alice, proposal_id=duplicate.pk, value="for")
        == "merged"
    )

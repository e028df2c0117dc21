"""Moderation: a facilitator hides a post-it everywhere, keeps who did it, and restores it."""

import pytest

from live.models import Event
from tests.support.personas import as_participant
from workshops import fragments, selectors, services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import PostIt


@pytest.fixture
def rude(alice):
    return services.postit_create(actor=as_participant(alice), text="Propos déplacé")


def test_a_hidden_post_it_leaves_every_board_and_keeps_who_hid_it(workshop, lead, organizer, rude):
    services.postit_hide(actor=lead, postit_id=rude.pk)
    postit = PostIt.objects.get(pk=rude.pk)
    assert postit.hidden_by == organizer and postit.hidden_at is not None
    assert not selectors.board_postits(workshop_id=workshop.pk, group_id=None).exists()
    assert selectors.hidden_postits(workshop.pk) == [postit]
    names = set(Event.objects.values_list("name", flat=True))
    assert {"postit.hidden", "moderation.changed"} <= names


def test_a_hidden_post_it_never_reaches_participants_even_when_they_catch_up(workshop, lead, rude):
    services.postit_hide(actor=lead, postit_id=rude.pk)
    created = fragments.render_event(workshop.pk, "postit.created", {"postit": rude.pk}, "fr")
    assert created == {"swaps": []}
    snapshot = fragments.render_stream_snapshot(workshop.pk, "workshop", "fr")
    assert all("Propos déplacé" not in swap["html"] for swap in snapshot["swaps"])


def test_restoring_puts_it_back(workshop, lead, rude):
    services.postit_hide(actor=lead, postit_id=rude.pk)
    services.postit_restore(actor=lead, postit_id=rude.pk)
    assert list(selectors.board_postits(workshop_id=workshop.pk, group_id=None)) == [rude]
    assert selectors.hidden_postits(workshop.pk) == []


def test_only_facilitators_moderate(workshop, alice, rude):
    for actor in (as_participant(alice), Actor(workshop.pk, Role.PROJECTOR)):
        with pytest.raises(Refused) as refusal:
            services.postit_hide(actor=actor, postit_id=rude.pk)
        assert refusal.value.code == "forbidden"
    assert PostIt.objects.get(pk=rude.pk).hidden_at is None

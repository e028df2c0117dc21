"""Authors edit and delete their own post-its; nobody else can."""

import pytest

from live.models import Event
from tests.support.personas import as_participant
from workshops import selectors, services
from workshops.errors import Refused
from workshops.models import PostIt


@pytest.fixture
def alices_postit(alice):
    return services.postit_create(actor=as_participant(alice), text="Des bancs")


def test_the_author_rewrites_their_post_it_and_everyone_is_told(alice, alices_postit):
    services.postit_update(
        actor=as_participant(alice),
        postit_id=alices_postit.pk,
        text="Des bancs à l'ombre",
        color="green",
    )
    postit = PostIt.objects.get(pk=alices_postit.pk)
    assert (postit.text, postit.color) == ("Des bancs à l'ombre", "green")
    event = Event.objects.get(name="postit.updated")
    assert event.stream.key == "workshop" and event.data["postit"] == postit.pk


def test_the_author_deletes_their_post_it_it_leaves_every_board_but_not_the_record(
    workshop, alice, alices_postit
):
    services.postit_delete(actor=as_participant(alice), postit_id=alices_postit.pk)
    assert not selectors.board_postits(workshop_id=workshop.pk, group_id=None).exists()
    assert PostIt.objects.get(pk=alices_postit.pk).deleted_at is not None
    assert Event.objects.get(name="postit.deleted").data == {
        "postit": alices_postit.pk,
        "group": None,
    }
    with pytest.raises(Refused) as refusal:
        services.postit_update(
            actor=as_participant(alice), postit_id=alices_postit.pk, text="revenu"
        )
    assert refusal.value.code == "not_found"


def test_a_participant_cannot_edit_or_delete_another_persons_post_it(bob, alices_postit):
    for change in (
        lambda: services.postit_update(
            actor=as_participant(bob), postit_id=alices_postit.pk, text="pirate"
        ),
        lambda: services.postit_delete(actor=as_participant(bob), postit_id=alices_postit.pk),
    ):
        with pytest.raises(Refused) as refusal:
            change()
        assert refusal.value.code == "forbidden"
    postit = PostIt.objects.get(pk=alices_postit.pk)
    assert (postit.text, postit.deleted_at) == ("Des bancs", None)


def test_bad_edits_change_nothing(alice, alices_postit):
    for kwargs in ({"text": ""}, {"text": "x" * 281}, {"text": "ok", "color": "plaid"}):
        with pytest.raises(Refused):
            services.postit_update(
                actor=as_participant(alice), postit_id=alices_postit.pk, **kwargs
            )
    assert PostIt.objects.get(pk=alices_postit.pk).text == "Des bancs"
    assert not Event.objects.filter(name="postit.updated").exists()


def test_nobody_reaches_a_post_it_of_another_workshop(alices_postit, outsider_in_other_workshop):
    with pytest.raises(Refused) as refusal:
        services.postit_delete(
            actor=as_participant(outsider_in_other_workshop), postit_id=alices_postit.pk
        )
    assert refusal.value.code == "not_found"

"""The board: places in lanes, clusters, merged duplicates, who may arrange what."""

import pytest

from live.events import public_data
from live.models import Event
from tests.support.personas import as_participant
from workshops import fragments, selectors, services
from workshops.errors import Refused
from workshops.models import Cluster, Dot, PostIt


def write(participant, text: str) -> PostIt:
    return services.postit_create(actor=as_participant(participant), text=text)


def lane_texts(workshop, cluster=None) -> list[str]:
    board = selectors.board(workshop, None)
    [lane] = [lane for lane in board.lanes if lane.cluster == cluster]
    return [postit.text for postit in lane.postits]


def test_new_post_its_go_to_the_end_of_the_lane_not_sorted_yet(workshop, alice, bob):
    write(alice, "Des bancs")
    write(bob, "Des arbres")
    write(alice, "Une fontaine")
    assert lane_texts(workshop) == ["Des bancs", "Des arbres", "Une fontaine"]


def test_an_author_moves_their_post_it_to_another_place_in_its_lane(workshop, alice, bob):
    first, _second, third = write(alice, "A"), write(bob, "B"), write(alice, "C")
    services.postit_move(actor=as_participant(alice), postit_id=third.pk, index=0)
    assert lane_texts(workshop) == ["C", "A", "B"]
    services.postit_move(actor=as_participant(alice), postit_id=first.pk, index=99)
    assert lane_texts(workshop) == ["C", "B", "A"]
    event = Event.objects.filter(name="postit.moved").last()
    assert event.data == {"postit": first.pk, "group": None, "cluster": None, "from": None}


def test_a_participant_cannot_move_or_edit_another_s_post_it_on_a_closed_board(alice, bob):
    bobs = write(bob, "L'idée de Bob")
    with pytest.raises(Refused) as moved:
        services.postit_move(actor=as_participant(alice), postit_id=bobs.pk, index=0)
    with pytest.raises(Refused) as edited:
        services.postit_update(actor=as_participant(alice), postit_id=bobs.pk, text="Changé")
    assert (moved.value.code, edited.value.code) == ("forbidden", "forbidden")
    assert PostIt.objects.get(pk=bobs.pk).text == "L'idée de Bob"
    assert not Event.objects.filter(name__in=["postit.moved", "postit.updated"]).exists()


def test_on_a_board_open_to_everyone_participants_arrange_and_edit_every_post_it(
    workshop, lead, alice, bob
):
    bobs = write(bob, "L'idée de Bob")
    services.board_open(actor=lead, open=True)
    cluster = services.cluster_create(actor=as_participant(alice), name="Nature")
    services.postit_move(actor=as_participant(alice), postit_id=bobs.pk, cluster_id=cluster.pk)
    services.postit_update(actor=as_participant(alice), postit_id=bobs.pk, text="Mieux dit")
    postit = PostIt.objects.get(pk=bobs.pk)
    assert (postit.cluster, postit.text, postit.author) == (cluster, "Mieux dit", bob)
    # Deleting stays the author's: nothing a person wrote disappears by someone else's hand.
    with pytest.raises(Refused):
        services.postit_delete(actor=as_participant(alice), postit_id=bobs.pk)
    configured = Event.objects.filter(name="board.configured").get()
    assert configured.data == {"open": True, "anonymous": False}


def test_only_facilitators_cluster_a_board_that_is_not_open(workshop, lead, alice):
    mine = write(alice, "Des pistes cyclables")
    with pytest.raises(Refused) as created:
        services.cluster_create(actor=as_participant(alice), name="Vélo")
    cluster = services.cluster_create(actor=lead, name="Vélo")
    with pytest.raises(Refused) as moved:
        services.postit_move(actor=as_participant(alice), postit_id=mine.pk, cluster_id=cluster.pk)
    assert (created.value.code, moved.value.code) == ("forbidden", "forbidden")
    assert PostIt.objects.get(pk=mine.pk).cluster is None
    assert Cluster.objects.count() == 1


def test_moving_a_post_it_into_a_cluster_is_one_command_that_keeps_the_post_it(
    workshop, lead, alice
):
    idea = write(alice, "Des pistes cyclables")
    cluster = services.cluster_create(actor=lead, name="Vélo")
    before = Event.objects.count()
    services.postit_move(actor=lead, postit_id=idea.pk, cluster_id=cluster.pk, index=0)
    assert Event.objects.count() == before + 1
    assert Event.objects.last().name == "postit.moved"
    moved = PostIt.objects.get(pk=idea.pk)
    assert (moved.cluster, moved.text, moved.deleted_at) == (cluster, idea.text, None)
    assert PostIt.objects.count() == 1
    swaps = fragments.render_event(workshop.pk, "postit.moved", Event.objects.last().data, "fr")
    targets = [swap["target"] for swap in swaps["swaps"]]
    assert targets == ["#loose-workshop", f"#cluster-{cluster.pk}"]  # left, then joined


def test_a_suggestion_taken_creates_the_cluster_with_its_post_its_in_order(workshop, lead, alice):
    a, b, c = write(alice, "A"), write(alice, "B"), write(alice, "C")
    cluster = services.cluster_create(actor=lead, name="Ensemble", postit_ids=[c.pk, a.pk])
    assert lane_texts(workshop, cluster) == ["C", "A"]
    assert lane_texts(workshop) == ["B"]
    assert PostIt.objects.get(pk=b.pk).cluster is None


def test_renaming_and_dissolving_a_cluster_keeps_its_post_its(workshop, lead, alice):
    loose, inside = write(alice, "Reste"), write(alice, "Dedans")
    cluster = services.cluster_create(actor=lead, name="Brouillon", postit_ids=[inside.pk])
    services.cluster_rename(actor=lead, cluster_id=cluster.pk, name="  Sécurité ")
    assert Cluster.objects.get().name == "Sécurité"
    services.cluster_dissolve(actor=lead, cluster_id=cluster.pk)
    assert not Cluster.objects.exists()
    assert lane_texts(workshop) == ["Reste", "Dedans"]
    assert PostIt.objects.filter(pk__in=[loose.pk, inside.pk], deleted_at=None).count() == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, 7])
def test_a_bad_cluster_name_is_refused_and_changes_nothing(lead, name):
    with pytest.raises(Refused):
        services.cluster_create(actor=lead, name=name)
    assert not Cluster.objects.exists()


def test_a_cluster_of_another_board_is_refused(workshop, lead, alice):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    elsewhere = services.cluster_create(actor=lead, name="Ailleurs", group_id=group.pk)
    idea = write(alice, "En plénière")
    with pytest.raises(Refused) as refusal:
        services.postit_move(actor=lead, postit_id=idea.pk, cluster_id=elsewhere.pk)
    assert refusal.value.code == "invalid"
    assert PostIt.objects.get(pk=idea.pk).cluster is None


def test_participants_arrange_only_the_board_they_are_on(workshop, lead, alice, bob):
    services.board_open(actor=lead, open=True)
    plenary_idea = write(bob, "En plénière")
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    services.breakouts_open(actor=lead)
    with pytest.raises(Refused) as refusal:
        services.postit_move(actor=as_participant(alice), postit_id=plenary_idea.pk, index=0)
    assert refusal.value.code == "forbidden"
    cluster = services.cluster_create(actor=as_participant(alice), name="Notre groupe")
    assert cluster.group == group  # a participant's cluster goes on their own board


def test_merging_duplicates_keeps_both_texts_and_both_post_its_votes(workshop, lead, alice, bob):
    vote = services.phase_add(
        actor=lead, title="Vote", minutes=5, scope="plenary", activity="dot_vote"
    )
    services.phase_start(actor=lead, phase_id=vote.pk)
    kept, duplicate = write(alice, "Plus de bancs"), write(bob, "Des bancs svp")
    services.dot_add(actor=as_participant(alice), postit_id=kept.pk)
    services.dot_add(actor=as_participant(bob), postit_id=duplicate.pk)
    services.postit_merge(actor=lead, postit_id=duplicate.pk, into_id=kept.pk)
    board = selectors.board(workshop, None)
    [shown] = [postit for lane in board.lanes for postit in lane.postits]
    assert shown.pk == kept.pk
    assert [merged.text for merged in shown.merged_list] == ["Des bancs svp"]
    assert board.results.counts == {kept.pk: 2}
    assert Dot.objects.filter(postit=kept).count() == 2
    assert PostIt.objects.get(pk=duplicate.pk).text == "Des bancs svp"  # kept, not deleted
    html = fragments.render_event(workshop.pk, "postit.merged", Event.objects.last().data, "fr")[
        "swaps"
    ]
    assert html[0] == {"html": "", "target": f"#postit-{duplicate.pk}", "swap": "delete"}
    assert "Des bancs svp" in html[1]["html"]


def test_only_facilitators_merge_and_never_a_post_it_into_itself(lead, alice, bob):
    first, second = write(alice, "A"), write(bob, "B")
    with pytest.raises(Refused) as by_participant:
        services.postit_merge(actor=as_participant(alice), postit_id=second.pk, into_id=first.pk)
    with pytest.raises(Refused) as into_itself:
        services.postit_merge(actor=lead, postit_id=first.pk, into_id=first.pk)
    assert (by_participant.value.code, into_itself.value.code) == ("forbidden", "invalid")
    assert not PostIt.objects.exclude(merged_into=None).exists()


def test_anonymous_mode_hides_authors_from_participants_but_not_the_origin_from_leads(
    workshop, alice
):
    workshop.anonymous = True
    workshop.save()
    postit = write(alice, "Une idée sans nom")
    [swap] = fragments.render_event(workshop.pk, "postit.created", {"postit": postit.pk}, "fr")[
        "swaps"
    ]
    assert "Alice" not in swap["html"]
    assert "data-author" not in swap["html"]  # no mark to group her post-its by
    assert 'class="lead-only origin">À distance<' in swap["html"]
    event = Event.objects.get(name="postit.created")
    assert "author" in event.data and "author" not in public_data(event.name, event.data)


def test_a_hidden_post_it_is_in_no_lane_and_cannot_be_moved(workshop, lead, alice):
    postit = write(alice, "Caché")
    services.postit_hide(actor=lead, postit_id=postit.pk)
    assert selectors.board(workshop, None).is_empty
    with pytest.raises(Refused) as refusal:
        services.postit_move(actor=lead, postit_id=postit.pk, index=0)
    assert refusal.value.code == "not_found"


def test_turning_anonymity_on_redraws_every_board_without_names(workshop, organizer, lead, alice):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    write(alice, "Une idée signée")
    services.workshop_set_anonymous(user=organizer, workshop_id=workshop.pk, anonymous=True)
    configured = Event.objects.get(name="board.configured")
    [rules] = fragments.render_event(workshop.pk, configured.name, configured.data, "fr")["swaps"]
    assert rules["target"] == "#board-rules"
    redrawn = Event.objects.filter(name="board.redrawn").order_by("id")
    assert [(event.stream.key, event.data) for event in redrawn] == [
        ("workshop", {"group": None}),
        (f"group:{group.pk}", {"group": group.pk}),
    ]
    [plenary] = fragments.render_event(workshop.pk, "board.redrawn", {"group": None}, "fr")["swaps"]
    assert plenary["target"] == "#board-workshop"
    assert "Une idée signée" in plenary["html"] and "Alice" not in plenary["html"]
    assert "data-author" not in plenary["html"]  # no pseudonym to group post-its by
    duplicate = services.workshop_duplicate(user=organizer, source_id=workshop.pk)
    assert duplicate.anonymous

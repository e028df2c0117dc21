"""Dot votes: a few dots each, the limit held under concurrency, results live or at the end."""

import threading

import pytest
from django.db import connection

from tests.support.limits import without_rate_limits
from tests.support.personas import as_participant
from workshops import fragments, selectors, services
from workshops.actors import Actor, Role
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.models import Dot


def start_vote(lead, **settings):
    phase = services.phase_add(
        actor=lead, title="Vote", minutes=5, scope="plenary", activity="dot_vote", **settings
    )
    return services.phase_start(actor=lead, phase_id=phase.pk)


@pytest.fixture
def ideas(alice, bob):
    return [
        services.postit_create(actor=as_participant(author), text=text)
        for author, text in [(alice, "Bancs"), (bob, "Arbres"), (bob, "Fontaine"), (alice, "Jeux")]
    ]


def test_each_participant_gets_three_dots_by_default_and_one_per_post_it(lead, alice, ideas):
    phase = start_vote(lead)
    voter = as_participant(alice)
    results = [services.dot_add(actor=voter, postit_id=idea.pk) for idea in ideas[:3]]
    assert [result["left"] for result in results] == [2, 1, 0]
    assert results[-1]["mine"] == {str(idea.pk): 1 for idea in ideas[:3]}
    with pytest.raises(Refused) as no_more:
        services.dot_add(actor=voter, postit_id=ideas[3].pk)
    assert no_more.value.code == "no_dots_left"
    services.dot_remove(actor=voter, postit_id=ideas[0].pk)
    with pytest.raises(Refused) as twice:
        services.dot_add(actor=voter, postit_id=ideas[1].pk)
    assert twice.value.code == "one_dot_each"
    assert services.dot_add(actor=voter, postit_id=ideas[3].pk)["left"] == 0
    assert Dot.objects.filter(phase=phase, participant=alice).count() == 3


def test_several_dots_may_go_on_one_post_it_when_the_phase_allows_it(lead, alice, ideas):
    start_vote(lead, dots=5, dots_stack=True)
    voter = as_participant(alice)
    for _ in range(5):
        result = services.dot_add(actor=voter, postit_id=ideas[0].pk)
    assert result == {"phase": result["phase"], "mine": {str(ideas[0].pk): 5}, "left": 0}
    assert services.dot_remove(actor=voter, postit_id=ideas[0].pk)["left"] == 1


def test_no_vote_outside_a_running_dot_vote_phase(lead, alice, ideas):
    voter = as_participant(alice)
    with pytest.raises(Refused) as before:
        services.dot_add(actor=voter, postit_id=ideas[0].pk)
    start_vote(lead)
    services.dot_add(actor=voter, postit_id=ideas[0].pk)
    services.phase_pause(actor=lead)
    with pytest.raises(Refused) as paused:
        services.dot_remove(actor=voter, postit_id=ideas[0].pk)
    services.phase_resume(actor=lead)
    services.phase_end(actor=lead)
    with pytest.raises(Refused) as after:
        services.dot_remove(actor=voter, postit_id=ideas[0].pk)  # dots are final once it ends
    assert (before.value.code, paused.value.code, after.value.code) == (
        "not_voting",
        "paused",
        "not_voting",
    )
    assert Dot.objects.count() == 1


def test_facilitators_and_the_projector_do_not_vote(lead, workshop, ideas):
    start_vote(lead)
    for actor in (lead, Actor(workshop.pk, Role.PROJECTOR)):
        with pytest.raises(Refused) as refusal:
            services.dot_add(actor=actor, postit_id=ideas[0].pk)
        assert refusal.value.code == "forbidden"
    assert not Dot.objects.exists()


def test_a_participant_votes_only_on_the_post_its_of_their_board(lead, workshop, alice, bob):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=bob.pk, group_id=group.pk)
    services.breakouts_open(actor=lead)
    bobs = services.postit_create(actor=as_participant(bob), text="Dans le groupe")
    start_vote(lead)
    with pytest.raises(Refused) as refusal:
        services.dot_add(actor=as_participant(alice), postit_id=bobs.pk)  # Alice is in plenary
    assert refusal.value.code == "forbidden"


def test_results_are_ranked_per_post_it_and_per_cluster(lead, workshop, alice, bob, ideas):
    cluster = services.cluster_create(actor=lead, name="Nature", postit_ids=[ideas[1].pk])
    start_vote(lead, dots_live=True)
    for voter in (alice, bob):
        services.dot_add(actor=as_participant(voter), postit_id=ideas[1].pk)
    services.dot_add(actor=as_participant(alice), postit_id=ideas[0].pk)
    results = selectors.board(workshop, None).results
    assert results.visible
    assert [(postit.text, count) for postit, count in results.ranked_postits] == [
        ("Arbres", 2),
        ("Bancs", 1),
    ]
    assert [(found.name, count) for found, count in results.ranked_clusters] == [(cluster.name, 2)]


def test_results_hidden_until_the_end_are_revealed_when_the_phase_ends(
    lead, workshop, alice, ideas
):
    start_vote(lead, dots_live=False)
    services.dot_add(actor=as_participant(alice), postit_id=ideas[0].pk)
    frame = fragments.tally_frames(workshop.pk, None)["fr"]
    assert (frame["visible"], frame["counts"]) == (False, {})
    assert "1 gommette placée" in frame["swaps"][0]["html"]
    assert "Bancs" not in frame["swaps"][0]["html"]
    services.phase_end(actor=lead)
    frame = fragments.tally_frames(workshop.pk, None)["en"]
    assert (frame["visible"], frame["counts"]) == (True, {str(ideas[0].pk): 1})
    assert "Bancs" in frame["swaps"][0]["html"]


@without_rate_limits  # 20 commands at once per person: not what is tested
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hammering_the_vote_button_from_two_devices_never_exceeds_the_limit(workshop, organizer):
    """Two threads (two phones of the same person), each with its own PostgreSQL connection,
    send 20 dot commands at once on a vote that allows stacking 3 dots."""
    from workshops.services import participant_join

    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    voter = participant_join(workshop=workshop, display_name="Hâtive", location="room")
    idea = services.postit_create(actor=as_participant(voter), text="Vite")
    phase = start_vote(lead, dots=3, dots_stack=True)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def hammer(device: str) -> None:
        try:
            start.wait()
            for n in range(20):
                try:
                    execute_command(
                        actor=as_participant(voter),
                        client_id=f"{device}-{n}",
                        name="dot.add",
                        args={"postit": idea.pk},
                    )
                    outcomes.append("ok")
                except Refused as refusal:
                    outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=hammer, args=(name,)) for name in ("phone", "laptop")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Dot.objects.filter(phase=phase, participant=voter).count() == 3
    assert outcomes.count("ok") == 3
    assert outcomes.count("no_dots_left") == 37

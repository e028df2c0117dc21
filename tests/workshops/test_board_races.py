"""Interleavings that once went wrong, forced with a barrier inside our own code."""

import contextlib
import threading
import time

import pytest
from django.db import connection

from live.models import Event
from live.streams import board_stream
from tests.support.personas import as_participant
from workshops import selectors, services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Dot, Workshop
from workshops.services import agenda as agenda_module
from workshops.services import board as board_module
from workshops.services import postits as postits_module
from workshops.services import votes as votes_module

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(*calls) -> list[str]:
    outcomes: list[str] = []

    def run(call) -> None:
        try:
            call()
            outcomes.append("ok")
        except Refused as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # a deadlock would land here
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_people_reordering_one_lane_at_once_both_succeed(workshop, alice, bob, monkeypatch):
    mine = services.postit_create(actor=as_participant(alice), text="A1")
    theirs = services.postit_create(actor=as_participant(bob), text="B1")
    services.postit_create(actor=as_participant(alice), text="A2")
    both_inside = threading.Barrier(2, timeout=3)
    original = board_module.lane

    def lane_after_both_started(**kwargs):
        # Without a board lock each holds its own post-it here; with it, the second waits
        # outside and the barrier breaks: no meeting, no deadlock.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait()
        return original(**kwargs)

    monkeypatch.setattr(board_module, "lane", lane_after_both_started)
    outcomes = run_in_threads(
        lambda: services.postit_move(actor=as_participant(alice), postit_id=mine.pk, index=2),
        lambda: services.postit_move(actor=as_participant(bob), postit_id=theirs.pk, index=0),
    )
    assert outcomes == ["ok", "ok"]


def test_a_dot_racing_a_merge_is_never_lost(workshop, organizer, alice, bob, monkeypatch):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    kept = services.postit_create(actor=as_participant(alice), text="Bancs")
    duplicate = services.postit_create(actor=as_participant(bob), text="Des bancs")
    phase = services.phase_add(
        actor=lead, title="V", minutes=5, scope="plenary", activity="dot_vote"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    read, merged = threading.Event(), threading.Event()
    original = votes_module._votable_postit

    def read_then_wait_for_the_merge(participant, postit_id):
        postit = original(participant, postit_id)
        read.set()
        # The merge waits for the vote (both take the workshop's row, the vote first): it
        # cannot come in between any more, and this wait ends on its timeout.
        merged.wait(1)
        return postit

    monkeypatch.setattr(votes_module, "_votable_postit", read_then_wait_for_the_merge)
    vote = threading.Thread(
        target=lambda: run_outcome.extend(
            run_in_threads(
                lambda: services.dot_add(actor=as_participant(alice), postit_id=duplicate.pk)
            )
        )
    )
    run_outcome: list[str] = []
    vote.start()
    read.wait(10)
    services.postit_merge(actor=lead, postit_id=duplicate.pk, into_id=kept.pk)
    merged.set()
    vote.join(20)
    assert run_outcome == ["ok"]
    assert not Dot.objects.filter(postit=duplicate).exists()  # the merge moved it
    assert Dot.objects.filter(postit=kept, participant=alice).count() == 1  # never lost


@pytest.mark.django_db
def test_a_vote_started_again_is_the_one_boards_show(workshop, organizer, alice):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    first, second = (
        services.phase_add(actor=lead, title=title, minutes=5, scope="plenary", activity="dot_vote")
        for title in ("A", "B")
    )
    services.phase_start(actor=lead, phase_id=first.pk)
    services.phase_start(actor=lead, phase_id=second.pk)
    services.phase_start(actor=lead, phase_id=first.pk)
    assert selectors.latest_vote_phase(workshop.pk).pk == first.pk
    services.phase_end(actor=lead)
    assert selectors.latest_vote_phase(workshop.pk).pk == first.pk  # ended last


@pytest.mark.parametrize("breakouts", [False, True], ids=["plenary", "group"])
def test_two_post_its_written_at_once_never_take_the_same_place(
    workshop, organizer, alice, bob, monkeypatch, breakouts
):
    if breakouts:
        lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
        (group,) = services.groups_create(actor=lead, count=1, kind="online")
        for person in (alice, bob):
            services.participant_move(actor=lead, participant_id=person.pk, group_id=group.pk)
        services.breakouts_open(actor=lead)
    both_inside = threading.Barrier(2, timeout=2)
    original = postits_module.after_last_of_lane

    def end_after_both_started(**kwargs):
        # Without the board's lock both insert at the same end of the lane from here.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait()
        return original(**kwargs)

    monkeypatch.setattr(postits_module, "after_last_of_lane", end_after_both_started)
    outcomes = run_in_threads(
        lambda: services.postit_create(actor=as_participant(alice), text="A"),
        lambda: services.postit_create(actor=as_participant(bob), text="B"),
    )
    assert outcomes == ["ok", "ok"]
    positions = list(workshop.postits.values_list("position", flat=True))
    assert sorted(positions) == [0, 1]


def test_closing_the_workshop_while_someone_votes_never_deadlocks(
    workshop, organizer, alice, bob, monkeypatch
):
    """A dot locks its voter, closing locks the workshop then lowers everyone's hand: in
    the wrong order each would wait for the other. The vote takes the workshop first."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    idea = services.postit_create(actor=as_participant(bob), text="Des bancs")
    services.hand_raise(actor=as_participant(alice))
    phase = services.phase_add(
        actor=lead, title="V", minutes=5, scope="plenary", activity="dot_vote"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    both_inside = threading.Barrier(2, timeout=2)

    def meet(original):
        def met(*args, **kwargs):
            with contextlib.suppress(threading.BrokenBarrierError):
                both_inside.wait()
            return original(*args, **kwargs)

        return met

    # The voter holds their row and meets the closer holding the workshop's and the phase's.
    monkeypatch.setattr(votes_module, "share_lock", meet(votes_module.share_lock))
    monkeypatch.setattr(agenda_module, "close_open_polls", meet(agenda_module.close_open_polls))
    outcomes = run_in_threads(
        lambda: services.dot_add(actor=as_participant(alice), postit_id=idea.pk),
        lambda: services.workshop_close(actor=lead),
    )
    assert set(outcomes) <= {"ok", "closed", "not_voting"}, outcomes
    assert Workshop.objects.get(pk=workshop.pk).status == "closed"


def test_a_post_it_written_while_the_workshop_turns_anonymous_is_hidden_after_it(
    workshop, organizer, lead, alice, monkeypatch
):
    """A new post-it's frame shows its author's name as its command read the workshop: the
    anonymity switch waits for it, so the boards' redraw (names hidden) comes after it."""
    (group,) = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    services.breakouts_open(actor=lead)
    board = Event.objects.filter(stream__workshop=workshop, stream__key=board_stream(group.pk))
    before = board.count()
    writing = threading.Event()
    original = postits_module.after_last_of_lane

    def hold_the_writer(**kwargs):
        writing.set()
        time.sleep(1)  # time enough for the switch to commit first, if it could
        return original(**kwargs)

    def switch_while_writing() -> None:
        writing.wait(timeout=5)
        services.workshop_set_anonymous(user=organizer, workshop_id=workshop.pk, anonymous=True)

    monkeypatch.setattr(postits_module, "after_last_of_lane", hold_the_writer)
    outcomes = run_in_threads(
        lambda: services.postit_create(actor=as_participant(alice), text="Un préau"),
        switch_while_writing,
    )
    assert outcomes == ["ok", "ok"]
    names = list(board.order_by("seq").values_list("name", flat=True))[before:]
    assert names == ["postit.created", "board.redrawn"]

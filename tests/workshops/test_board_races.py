"""Interleavings that once went wrong, forced with a barrier inside our own code."""

import contextlib
import threading

import pytest
from django.db import connection

from workshops import selectors, services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Dot
from workshops.services import board as board_module
from workshops.services import votes as votes_module

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def as_participant(participant) -> Actor:
    return Actor(participant.workshop_id, Role.PARTICIPANT, participant_id=participant.pk)


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
        merged.wait(10)
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
    assert run_outcome == ["not_found"]  # refused, so Alice may vote again
    assert not Dot.objects.filter(postit=duplicate).exists()


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

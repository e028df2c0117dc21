"""Vote counts over real sockets: coalesced snapshots with a version, and in the welcome."""

import asyncio
import re

import pytest
from channels.db import database_sync_to_async

from tests.support.personas import cookie_for
from tests.support.sockets import command, open_and_hello, receive
from workshops import services
from workshops.actors import Actor, Role

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def vote_on_one_idea(workshop, organizer, author, *, dots: int):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    writer = Actor(workshop.pk, Role.PARTICIPANT, participant_id=author.pk)
    idea = services.postit_create(actor=writer, text="Des bancs à l'ombre")
    phase = services.phase_add(
        actor=lead,
        title="Vote",
        minutes=5,
        scope="plenary",
        activity="dot_vote",
        dots=dots,
        dots_stack=True,
        dots_live=True,
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    return idea


async def tallies_until(socket, count: int) -> list[dict]:
    """Tally frames received until one shows `count` dots (skipping everything else)."""
    frames = []
    while True:
        frame = await receive(socket)
        if frame["type"] != "tally":
            continue
        frames.append(frame)
        if sum(frame["counts"].values()) == count:
            return frames


async def test_a_burst_of_dots_reaches_the_others_as_few_coalesced_snapshots(
    workshop, organizer, alice, bob
):
    idea = await vote_on_one_idea(workshop, organizer, bob, dots=10)
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_socket, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(participant=bob)
    )
    [snapshot] = welcome["snapshots"]
    assert (snapshot["type"], snapshot["stream"], snapshot["counts"]) == ("tally", "workshop", {})

    for n in range(10):
        ack = await command(alice_socket, f"dot-{n}", "dot.add", postit=idea.pk)
        assert ack["type"] == "ack", ack
    assert ack["result"]["left"] == 0

    frames = await tallies_until(bob_socket, 10)
    assert frames[-1]["counts"] == {str(idea.pk): 10}
    assert len(frames) < 10  # coalesced: not one frame per dot
    versions = [frame["version"] for frame in frames]
    assert versions == sorted(versions) and versions[0] > snapshot["version"]
    assert "Des bancs" in frames[-1]["swaps"][0]["html"]  # the ranking, rendered once

    # Reconnecting later: the welcome carries the current counts.
    await asyncio.sleep(0.3)
    late, welcome = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))
    assert welcome["snapshots"][0]["counts"] == {str(idea.pk): 10}
    for socket in (alice_socket, bob_socket, late):
        await socket.disconnect()


async def test_no_snapshot_before_any_dot_vote(workshop, alice):
    socket, welcome = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    assert welcome["snapshots"] == []
    await socket.disconnect()


@database_sync_to_async
def open_poll_with_answerers(workshop, organizer, count: int):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    poll = services.poll_create(
        actor=lead, question="Plus d'ombre ?", kind="single", options=["Oui", "Non"]
    )
    services.poll_open(actor=lead, poll_id=poll.pk)
    people = [
        services.participant_join(workshop=workshop, display_name=f"P{n}", location="remote")
        for n in range(count)
    ]
    return poll, poll.options.first().pk, people


@database_sync_to_async
def answer_as(workshop, person, poll, choice):
    actor = Actor(workshop.pk, Role.PARTICIPANT, participant_id=person.pk)
    return services.poll_answer(actor=actor, poll_id=poll.pk, answer=choice)


async def test_a_poll_storm_reaches_the_projector_as_a_bounded_number_of_tallies(
    workshop, organizer
):
    poll, choice, people = await open_poll_with_answerers(workshop, organizer, 40)
    projector, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(projector_of=workshop), view="projector"
    )
    assert [frame["topic"] for frame in welcome["snapshots"]] == [f"poll:{poll.pk}"]
    await asyncio.gather(*(answer_as(workshop, person, poll, choice) for person in people))

    frames = []
    while True:
        frame = await receive(projector)
        if frame["type"] != "tally":
            continue
        frames.append(frame)
        if re.search(r'class="respondents">40\s', frame["swaps"][0]["html"]):
            break
    assert frames[-1]["topic"] == f"poll:{poll.pk}" and frames[-1]["stream"] == "workshop"
    assert len(frames) < 40 / 2  # coalesced: a few frames for forty answers
    await projector.disconnect()

"""Per-participant rate limits: a burst, then a steady pace; replays never count; a clear
`slow_down` error that changes nothing and tells when to try again."""

import pytest
from django.test import override_settings

from live.models import CommandReceipt
from tests.support.personas import cookie_for
from tests.support.sockets import (
    command,
    communicator,
    open_and_hello,
    receive,
    receive_reply,
    send,
)
from workshops import services
from workshops.actors import SESSION_PARTICIPANTS, Actor, Role, View, resolve_actor
from workshops.commands import execute_command
from workshops.errors import SlowDown
from workshops.models import PostIt

LIMITS = override_settings(
    LIVE_RATE_LIMITS={
        "postits": (3, 0.001),
        "edits": (30, 2.0),
        "votes": (30, 2.0),
        "hands": (6, 0.2),
        "hellos": (2, 0.001),
    }
)


def write(actor: Actor, client_id: str, text: str = "Une idée") -> dict:
    return execute_command(
        actor=actor, client_id=client_id, name="postit.create", args={"text": text}
    )


def as_participant(participant, **extra) -> Actor:
    return Actor(participant.workshop_id, Role.PARTICIPANT, participant_id=participant.pk, **extra)


@LIMITS
def test_a_burst_passes_then_the_next_post_it_is_refused_and_changes_nothing(alice):
    for n in range(3):
        write(as_participant(alice), f"c{n}")
    with pytest.raises(SlowDown) as refusal:
        write(as_participant(alice), "c3", "Trop vite")
    assert refusal.value.code == "slow_down" and refusal.value.retry_after > 0
    assert refusal.value.message
    assert not PostIt.objects.filter(text="Trop vite").exists()
    assert not CommandReceipt.objects.filter(client_id="c3").exists()


@LIMITS
def test_resending_a_command_already_done_never_counts(alice):
    results = [write(as_participant(alice), f"c{n}") for n in range(3)]
    # The phone lost the acks and resends its whole queue: answered from the receipts.
    assert [write(as_participant(alice), f"c{n}") for n in range(3)] == results
    assert PostIt.objects.count() == 3


@LIMITS
def test_each_participant_has_their_own_pace(alice, bob):
    for n in range(3):
        write(as_participant(alice), f"a{n}")
    write(as_participant(bob), "b0")  # Bob is not slowed by Alice
    assert PostIt.objects.filter(author=bob).count() == 1


@LIMITS
def test_a_table_tablet_writes_for_several_people(workshop, organizer):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    (table,) = services.groups_create(actor=lead, count=1, kind="table")
    services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    actor = resolve_actor(
        workshop=workshop,
        user=None,
        session={SESSION_PARTICIPANTS: {str(workshop.pk): tablet.pk}},
        view=View.PARTICIPANT,
    )
    assert actor.shared_device
    for n in range(12):
        write(actor, f"t{n}")
    with pytest.raises(SlowDown):
        write(actor, "t12")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@LIMITS
async def test_the_socket_says_slow_down_and_when_to_try_again(workshop, alice):
    socket, _welcome = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    for n in range(4):
        await send(
            socket,
            {"type": "cmd", "id": f"s{n}", "name": "postit.create", "args": {"text": f"n{n}"}},
        )
    replies = [await receive_reply(socket, f"s{n}") for n in range(4)]
    assert [reply["type"] for reply in replies] == ["ack", "ack", "ack", "error"]
    assert replies[3]["code"] == "slow_down" and replies[3]["retry_after"] > 0
    await socket.disconnect()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@LIMITS
async def test_hellos_in_a_loop_are_slowed_down_on_every_socket_of_that_person(workshop, alice):
    """Found by the fuzzer: a socket saying hello in a loop kept the ORM threads rendering
    catch-ups of the log while another workshop's participant waited 100 s for an ack."""
    cookie = await cookie_for(participant=alice)
    socket, _welcome = await open_and_hello(workshop.pk, cookie=cookie)  # the burst is 2
    await send(socket, {"type": "hello", "last": {"workshop": 0}})
    assert (await receive(socket))["type"] == "welcome"
    await send(socket, {"type": "hello", "last": {"workshop": 0}})
    refusal = await receive(socket)
    assert refusal["type"] == "error" and refusal["id"] is None
    assert refusal["code"] == "slow_down" and refusal["retry_after"] > 0
    # Another socket of the same person gets no fresh allowance; a command still goes through.
    other = communicator(workshop.pk, cookie=cookie)
    assert (await other.connect())[0]
    await send(other, {"type": "hello", "last": {"workshop": 0}})
    assert (await receive(other))["code"] == "slow_down"
    reply = await command(socket, "c1", "postit.create", text="Une idée")
    assert reply["type"] == "ack"
    await socket.disconnect()
    await other.disconnect()

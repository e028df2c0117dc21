"""Conclusions over real sockets: sync step, acknowledged updates relayed to the group."""

import base64

import pytest
from channels.db import database_sync_to_async
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from tests.support.personas import cookie_for
from tests.support.sockets import open_and_hello, receive, send
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Conclusion

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@database_sync_to_async
def group_of(workshop, organizer, *people):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    for person in people:
        services.participant_move(actor=lead, participant_id=person.pk, group_id=group.pk)
    return group


async def frame_of_type(socket, kind: str) -> dict:
    while True:
        frame = await receive(socket)
        if frame["type"] == kind:
            return frame


def paragraph_update(text: str) -> bytes:
    doc = Doc()
    doc.get("prosemirror", type=XmlFragment).children.append(
        XmlElement("paragraph", {}, [XmlText(text)])
    )
    return doc.get_update()


async def test_an_update_is_stored_acknowledged_and_relayed_to_the_group(
    workshop, organizer, alice, bob
):
    group = await group_of(workshop, organizer, alice, bob)
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))

    await send(bob_socket, {"type": "doc.sync", "doc": group.pk, "sv": b64(Doc().get_state())})
    state = await frame_of_type(bob_socket, "doc.state")
    assert (state["doc"], state["locked"]) == (group.pk, False)

    update = paragraph_update("Des bancs à l'ombre")
    await send(
        alice_socket, {"type": "doc.update", "id": "u1", "doc": group.pk, "update": b64(update)}
    )
    assert (await frame_of_type(alice_socket, "doc.ack"))["id"] == "u1"
    relayed = await frame_of_type(bob_socket, "doc.update")
    bobs = Doc()
    bobs.apply_update(base64.b64decode(relayed["update"]))
    assert "Des bancs à l'ombre" in str(bobs.get("prosemirror", type=XmlFragment))
    conclusion = await Conclusion.objects.aget(group=group)
    assert conclusion.markdown == "Des bancs à l'ombre"

    # A late editor syncs and gets the whole text.
    await send(bob_socket, {"type": "doc.sync", "doc": group.pk, "sv": b64(Doc().get_state())})
    late = Doc()
    late.apply_update(base64.b64decode((await frame_of_type(bob_socket, "doc.state"))["update"]))
    assert "Des bancs" in str(late.get("prosemirror", type=XmlFragment))
    for socket in (alice_socket, bob_socket):
        await socket.disconnect()


async def test_a_stranger_to_the_group_is_refused_and_nothing_changes(
    workshop, organizer, alice, bob
):
    group = await group_of(workshop, organizer, alice)
    bob_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))
    await send(
        bob_socket,
        {"type": "doc.update", "id": "x", "doc": group.pk, "update": b64(paragraph_update("Non"))},
    )
    error = await frame_of_type(bob_socket, "error")
    assert (error["id"], error["code"]) == ("x", "forbidden")
    assert not await Conclusion.objects.filter(group=group).exclude(markdown="").aexists()
    await bob_socket.disconnect()


async def test_document_updates_may_be_larger_than_commands_but_not_unbounded(
    workshop, organizer, alice
):
    group = await group_of(workshop, organizer, alice)
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    big = paragraph_update("x" * 40_000 + "é" * 5_000)  # offline edits: over 64 KiB as base64
    frame = {"type": "doc.update", "id": "big", "doc": group.pk, "update": b64(big)}
    await send(socket, frame)
    assert (await frame_of_type(socket, "doc.ack"))["id"] == "big"
    frame["update"] = "A" * (1024 * 1024)
    frame["id"] = "huge"
    await send(socket, frame)
    assert (await frame_of_type(socket, "error"))["code"] == "too_large"
    assert (await socket.receive_output(timeout=3))["code"] == 4009

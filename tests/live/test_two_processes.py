"""Two server processes sharing Redis and PostgreSQL act as one server."""

import asyncio
import json

import pytest
import websockets

from live.models import Event
from tests.support.personas import session_cookie

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def connect(server, workshop, cookie: str):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop.pk}/?view=participant",
        additional_headers={"Cookie": cookie, "Origin": server.url},
        open_timeout=5,
    )
    await socket.send(json.dumps({"type": "hello", "last": {"workshop": 0}}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "welcome"
    return socket


async def first_frame_of_type(socket, kind: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
        if frame["type"] == kind:
            return frame


def test_a_post_it_sent_through_one_process_reaches_a_client_of_the_other(
    asgi_server, workshop, alice, bob
):
    first, second = asgi_server(), asgi_server()
    alice_cookie, bob_cookie = session_cookie(participant=alice), session_cookie(participant=bob)

    async def scenario() -> dict:
        alice_socket = await connect(first, workshop, alice_cookie)
        bob_socket = await connect(second, workshop, bob_cookie)
        command = {"type": "cmd", "id": "x1", "name": "postit.create", "args": {"text": "Bonjour"}}
        await alice_socket.send(json.dumps(command))
        assert (await first_frame_of_type(alice_socket, "ack"))["id"] == "x1"
        event = await first_frame_of_type(bob_socket, "event")
        await alice_socket.close()
        await bob_socket.close()
        return event

    event = asyncio.run(scenario())
    assert (event["name"], event["seq"]) == ("postit.created", 1)
    assert (
        Event.objects.get(seq=1, stream__workshop=workshop, stream__key="workshop").data["author"]
        == alice.pk
    )
    assert "Bonjour" in event["swaps"][0]["html"]

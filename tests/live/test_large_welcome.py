"""A welcome bigger than 1 MiB (a console catching up on a large board) reaches the client
through a real server: under daphne's default limit it once broke the socket for good."""

import asyncio
import json

import pytest
import websockets

from tests.support.personas import session_cookie
from workshops.models import PostIt

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_welcome_over_a_mebibyte_is_delivered(asgi_server, workshop, alice):
    PostIt.objects.bulk_create(
        PostIt(workshop=workshop, author=alice, text=f"Idée {n} " + "x" * 260, position=n)
        for n in range(1200)
    )
    server = asgi_server()
    cookie = session_cookie(participant=alice)

    async def welcome_size() -> tuple[int, int]:
        async with websockets.connect(
            f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop.pk}/?view=participant",
            additional_headers={"Cookie": cookie, "Origin": server.url},
            max_size=None,
        ) as socket:
            await socket.send(json.dumps({"type": "hello", "last": {}}))  # a snapshot, please
            text = await asyncio.wait_for(socket.recv(), 30)
            return len(text), json.loads(text)["streams"]["workshop"]["reset"]["swaps"][0][
                "html"
            ].count('class="postit ')

    size, shown = asyncio.run(welcome_size())
    assert size > 1024 * 1024
    assert shown == 1200

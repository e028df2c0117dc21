"""Outages of PostgreSQL and Redis, simulated by cutting a TCP proxy in front of them (the
machine's own servers keep running for the other tests)."""

import asyncio
import json

import pytest
import websockets
from django.conf import settings

from tests.support.personas import session_cookie
from tests.support.proxy import TcpProxy
from workshops.models import PostIt

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def postgres_proxy():
    database = settings.DATABASES["default"]
    proxy = TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    yield proxy
    proxy.close()


def database_url_through(proxy: TcpProxy) -> str:
    database = settings.DATABASES["default"]
    return proxy.url("postgres", f"/{database['NAME']}", user=database["USER"])


async def connect(server, workshop, cookie: str):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop.pk}/?view=participant",
        additional_headers={"Cookie": cookie, "Origin": server.url},
        open_timeout=10,
    )
    await socket.send(json.dumps({"type": "hello", "last": {"workshop": 0}}))
    while (await next_frame(socket))["type"] != "welcome":
        pass
    return socket


async def next_frame(socket, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def reply_to(socket, command_id: str) -> dict:
    while True:
        frame = await next_frame(socket)
        if frame.get("id") == command_id and frame["type"] in ("ack", "error"):
            return frame


def postit(command_id: str, text: str) -> str:
    return json.dumps(
        {"type": "cmd", "id": command_id, "name": "postit.create", "args": {"text": text}}
    )


def test_without_postgres_commands_are_refused_clearly_and_go_through_once_it_is_back(
    daphne_server, postgres_proxy, workshop, alice
):
    server = daphne_server(DATABASE_URL=database_url_through(postgres_proxy))
    cookie = session_cookie(participant=alice)

    async def scenario() -> tuple[dict, dict, dict]:
        socket = await connect(server, workshop, cookie)
        postgres_proxy.cut()
        await socket.send(postit("during", "Écrit pendant la panne"))
        refused = await reply_to(socket, "during")
        await socket.close()
        postgres_proxy.restore()
        # The phone reconnects and resends its queue, with the same id.
        again = await connect(server, workshop, cookie)
        await again.send(postit("during", "Écrit pendant la panne"))
        saved = await reply_to(again, "during")
        await again.send(postit("during", "Écrit pendant la panne"))  # its ack was lost
        replayed = await reply_to(again, "during")
        await again.close()
        return refused, saved, replayed

    refused, saved, replayed = asyncio.run(scenario())
    assert (refused["type"], refused["code"]) == ("error", "unavailable")
    assert "sent again" in refused["message"] or "renvoy" in refused["message"]
    assert saved["type"] == "ack" and replayed == saved
    assert PostIt.objects.filter(text="Écrit pendant la panne").count() == 1

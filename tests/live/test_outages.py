"""Outages of PostgreSQL and Redis, simulated by cutting a TCP proxy in front of them (the
machine's own servers keep running for the other tests)."""

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
import websockets

from tests.support.personas import session_cookie
from workshops.models import PostIt

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


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
    asgi_server, postgres_proxy, workshop, alice
):
    server = asgi_server(DATABASE_URL=postgres_proxy.database_url)
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


def health(server) -> dict:
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


async def frames_until(socket, wanted: Callable[[dict], bool], timeout: float = 15) -> list:
    """Frames (batches unpacked) up to and including the first that `wanted` accepts."""
    seen = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        frame = await next_frame(socket, max(left, 0.01))
        for inner in frame.get("frames", [frame]) if frame["type"] == "batch" else [frame]:
            seen.append(inner)
            if wanted(inner):
                return seen


def postit_event(text: str) -> Callable[[dict], bool]:
    return lambda frame: (
        frame.get("type") == "event"
        and frame.get("name") == "postit.created"
        and any(text in swap.get("html", "") for swap in frame.get("swaps", []))
    )


def test_without_redis_commands_are_saved_clients_poll_and_fan_out_comes_back(
    asgi_server, redis_proxy, workshop, alice, bob
):
    server = asgi_server(REDIS_URL=redis_proxy.redis_url, LIVE_HEARTBEAT_S="0.5")
    alice_cookie, bob_cookie = session_cookie(participant=alice), session_cookie(participant=bob)

    async def scenario() -> dict:
        alice_socket = await connect(server, workshop, alice_cookie)
        bob_socket = await connect(server, workshop, bob_cookie)
        redis_proxy.cut()
        # Both are told, within a couple of heartbeats, that live updates are degraded.
        for socket in (alice_socket, bob_socket):
            await frames_until(socket, lambda frame: frame["type"] == "degraded")
        during = health(server)
        await alice_socket.send(postit("d1", "Écrit sans Redis"))
        saved = await reply_to(alice_socket, "d1")
        # Bob's page polls the log: a hello brings the post-it.
        await bob_socket.send(json.dumps({"type": "hello", "last": {"workshop": 0}}))
        welcome = await frames_until(bob_socket, lambda frame: frame["type"] == "welcome")
        late_joiner = await connect(server, workshop, bob_cookie)  # welcomed from the log
        told = await frames_until(late_joiner, lambda frame: frame["type"] == "degraded")
        redis_proxy.restore()
        back = await frames_until(bob_socket, lambda frame: frame["type"] == "live")
        await bob_socket.send(json.dumps({"type": "hello", "last": {"workshop": 1}}))
        await frames_until(bob_socket, lambda frame: frame["type"] == "welcome")
        # Live fan-out resumes without a restart.
        await alice_socket.send(postit("d2", "Écrit après le retour"))
        live_again = await frames_until(bob_socket, postit_event("Écrit après le retour"))
        for socket in (alice_socket, bob_socket, late_joiner):
            await socket.close()
        return {
            "during": during,
            "saved": saved,
            "welcome": welcome[-1],
            "told": told[-1],
            "back": back[-1],
            "live_again": live_again[-1],
        }

    outcome = asyncio.run(scenario())
    assert outcome["during"]["status"] == "degraded"
    assert outcome["saved"]["type"] == "ack"
    missed = outcome["welcome"]["streams"]["workshop"]["missed"]
    assert [event["name"] for event in missed] == ["postit.created"]
    assert outcome["told"] == {"type": "degraded"} and outcome["back"] == {"type": "live"}
    assert outcome["live_again"]["seq"] == 2
    assert PostIt.objects.filter(text__startswith="Écrit").count() == 2
    assert health(server)["status"] == "ok"

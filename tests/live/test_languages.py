"""Events are rendered only in the languages the workshop's sockets speak (live/languages.py),
and nobody is ever shown a frame in another language than theirs."""

import asyncio
import json

import pytest
import redis
import websockets
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from live import languages
from live.broadcast import event_frame, send_frames
from live.models import Event
from live.streams import layer_group
from tests.support.personas import cookie_for, session_cookie
from tests.support.sockets import open_and_hello, receive, send
from workshops import services
from workshops.actors import Actor, Role

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def italian_cookie(participant) -> str:
    return f"{await cookie_for(participant=participant)}; {settings.LANGUAGE_COOKIE_NAME}=it"


async def write_postit(participant, text: str) -> Event:
    def write() -> Event:
        actor = Actor(participant.workshop_id, Role.PARTICIPANT, participant_id=participant.pk)
        services.postit_create(actor=actor, text=text)
        workshop_events = Event.objects.filter(stream__workshop_id=participant.workshop_id)
        return workshop_events.filter(stream__key="workshop").latest("seq")

    return await database_sync_to_async(write)()


async def rendered(event: Event, language: str) -> list[dict]:
    def render() -> list[dict]:
        return event_frame(event.stream.workshop_id, "workshop", event, language)["swaps"]

    return await database_sync_to_async(render)()


async def next_event(socket) -> dict:
    while (frame := await receive(socket))["type"] != "event":
        pass
    return frame


async def in_use(workshop_id: int) -> list[str]:
    return await database_sync_to_async(languages.languages_in_use)(workshop_id, "fr")


@pytest.mark.django_db(transaction=True)
async def test_an_italian_socket_in_a_french_workshop_gets_italian_fragments(workshop, alice, bob):
    assert workshop.language == "fr"
    french, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))
    italian, _ = await open_and_hello(workshop.pk, cookie=await italian_cookie(alice))

    event = await write_postit(bob, "Des bancs à l'ombre")

    in_italian, in_french = await rendered(event, "it"), await rendered(event, "fr")
    assert in_italian != in_french  # the post-it's labels are translated
    assert (await next_event(italian))["swaps"] == in_italian
    assert (await next_event(french))["swaps"] == in_french
    await italian.disconnect()
    await french.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_with_only_french_sockets_the_published_event_carries_only_french(
    workshop, alice, bob
):
    layer = get_channel_layer()
    listener = await layer.new_channel()  # hears the stream as every process's hub does
    await layer.group_add(layer_group(workshop.pk, "workshop"), listener)
    french, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))

    await write_postit(bob, "Une fontaine")
    only_french = await asyncio.wait_for(layer.receive(listener), 5)

    italian, _ = await open_and_hello(workshop.pk, cookie=await italian_cookie(alice))
    await write_postit(bob, "Un kiosque")
    both = await asyncio.wait_for(layer.receive(listener), 5)

    assert (only_french["seq"], set(only_french["frames"])) == (1, {"fr"})
    assert (both["seq"], set(both["frames"])) == (2, {"fr", "it"})
    await layer.group_discard(layer_group(workshop.pk, "workshop"), listener)
    await italian.disconnect()
    await french.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_whose_language_an_event_lacks_resyncs_and_gets_it_in_its_own(
    workshop, alice, bob, settings
):
    settings.LIVE_HEARTBEAT_S = 60  # no beat renews the languages during the test
    italian, _ = await open_and_hello(workshop.pk, cookie=await italian_cookie(alice))
    # Italian is forgotten (as when its field lapsed during an outage): the next event is
    # published in French only.
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(languages.key(workshop.pk))
    client.close()

    event = await write_postit(bob, "Des jeux d'eau")

    assert await receive(italian) == {"type": "resync"}
    await send(italian, {"type": "hello", "last": {"workshop": 0}})
    welcome = await receive(italian)
    [missed] = welcome["streams"]["workshop"]["missed"]
    assert (missed["seq"], missed["swaps"]) == (event.seq, await rendered(event, "it"))
    await italian.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_unsequenced_frames_reach_every_socket_whatever_their_languages(workshop, alice):
    italian, _ = await open_and_hello(workshop.pk, cookie=await italian_cookie(alice))
    update = {"type": "doc.update", "doc": 1, "update": "AAA="}

    await database_sync_to_async(send_frames)(workshop.pk, "workshop", {"fr": json.dumps(update)})

    assert await receive(italian) == update
    await italian.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_language_is_no_longer_rendered_once_its_last_socket_left(
    workshop, alice, bob, settings
):
    settings.LIVE_HEARTBEAT_S = 0.5
    first, _ = await open_and_hello(workshop.pk, cookie=await italian_cookie(alice))
    second, _ = await open_and_hello(workshop.pk, cookie=await italian_cookie(bob))
    assert await in_use(workshop.pk) == ["fr", "it"]

    await first.disconnect()
    await asyncio.sleep(3 * settings.LIVE_HEARTBEAT_S)  # beats that must not forget Italian
    assert await in_use(workshop.pk) == ["fr", "it"]

    await second.disconnect()
    for _beat in range(20):  # gone at the next beat (a loaded machine may skip some)
        if await in_use(workshop.pk) == ["fr"]:
            break
        await asyncio.sleep(settings.LIVE_HEARTBEAT_S)
    assert await in_use(workshop.pk) == ["fr"]


async def server_socket(server, workshop_id: int, cookie: str):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop_id}/?view=participant",
        additional_headers={"Cookie": cookie, "Origin": server.url},
        open_timeout=10,
    )
    await socket.send(json.dumps({"type": "hello", "last": {"workshop": 0}}))
    while json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] != "welcome":
        pass
    return socket


async def first_event(socket) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        frames = frame["frames"] if frame["type"] == "batch" else [frame]
        for inner in frames:
            if inner["type"] == "event":
                return inner


def test_an_italian_socket_of_one_process_gets_italian_from_a_command_in_another(
    asgi_server, workshop, alice, bob
):
    first, second = asgi_server(), asgi_server()
    italian_cookie = f"{session_cookie(participant=alice)}; {settings.LANGUAGE_COOKIE_NAME}=it"
    french_cookie = session_cookie(participant=bob)

    async def scenario() -> dict:
        italian = await server_socket(first, workshop.pk, italian_cookie)
        french = await server_socket(second, workshop.pk, french_cookie)
        command = {"type": "cmd", "id": "x1", "name": "postit.create", "args": {"text": "Ombra"}}
        await french.send(json.dumps(command))
        event = await first_event(italian)
        await italian.close()
        await french.close()
        return event

    received = asyncio.run(scenario())
    event = Event.objects.get(seq=1, stream__workshop=workshop, stream__key="workshop")
    assert received["swaps"] == event_frame(workshop.pk, "workshop", event, "it")["swaps"]

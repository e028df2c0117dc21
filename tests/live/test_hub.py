"""The fan-out hub (live/hub.py): one subscription per stream per process, each frame to
each local socket once, group moves, slow sockets, sockets that go away."""

import asyncio
import json

import pytest
import redis
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from bench import wsclient
from live.broadcast import send_frames
from live.hub import hub
from live.streams import layer_group
from tests.support.personas import cookie_for, session_cookie
from tests.support.sockets import command, open_and_hello, receive
from workshops import services
from workshops.actors import Actor, Role

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def events_of(frame: dict) -> list[dict]:
    frames = frame["frames"] if frame["type"] == "batch" else [frame]
    return [inner for inner in frames if inner["type"] == "event"]


async def open_socket(server, workshop_id: int, cookie: str):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop_id}/?view=participant",
        additional_headers={"Cookie": cookie, "Origin": server.url},
        open_timeout=5,
    )
    await socket.send(json.dumps({"type": "hello", "last": {"workshop": 0}}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "welcome"
    return socket


async def events_until(socket, count: int) -> list[dict]:
    events = []
    while len(events) < count:
        events += events_of(json.loads(await asyncio.wait_for(socket.recv(), 5)))
    return events


def subscribers(group: str) -> int:
    """How many Redis subscriptions listen to a stream's layer group (one per process)."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        [(_name, count)] = client.pubsub_numsub(f"{prefix}__group__{group}")
    finally:
        client.close()
    return count


def test_sockets_of_one_process_share_one_subscription_and_get_each_frame_once(
    asgi_server, workshop, alice, bob, join
):
    server = asgi_server()
    carol = join(workshop, "Carol")
    cookies = [session_cookie(participant=person) for person in (alice, bob, carol)]

    async def scenario() -> tuple[list[list[dict]], int]:
        sockets = [await open_socket(server, workshop.pk, cookie) for cookie in cookies]
        listening = await asyncio.to_thread(subscribers, layer_group(workshop.pk, "workshop"))
        for n in range(3):
            frame = {"type": "cmd", "id": f"p{n}", "name": "postit.create", "args": {"text": "Oui"}}
            await sockets[0].send(json.dumps(frame))
        received = [await events_until(socket, 3) for socket in sockets]
        for socket in sockets:  # nothing more comes: no frame twice
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(socket.recv(), 0.5)
            await socket.close()
        return received, listening

    received, listening = asyncio.run(scenario())
    assert listening == 1  # three sockets, one process: one subscription to the stream
    for events in received:
        assert [(event["stream"], event["seq"]) for event in events] == [
            ("workshop", 1),
            ("workshop", 2),
            ("workshop", 3),
        ]


@pytest.mark.django_db(transaction=True)
async def test_a_socket_that_moves_group_stops_hearing_the_old_group(workshop, alice, bob):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)

    def two_groups_with_alice_and_bob_in_the_first():
        first, second = services.groups_create(actor=lead, count=2, kind="online")
        for person in (alice, bob):
            services.participant_move(actor=lead, participant_id=person.pk, group_id=first.pk)
        services.breakouts_open(actor=lead)
        return first, second

    first, second = await database_sync_to_async(two_groups_with_alice_and_bob_in_the_first)()
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_socket, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(participant=bob)
    )
    assert f"group:{first.pk}" in welcome["streams"]

    await database_sync_to_async(services.participant_move)(
        actor=lead, participant_id=bob.pk, group_id=second.pk
    )
    # Bob's page hears that he moved and says hello again (live.js refreshes his place).
    moved = await receive(bob_socket)
    assert moved["name"] == "participant.moved"
    await bob_socket.send_to(text_data=json.dumps({"type": "hello", "last": {"workshop": 2}}))
    welcome = await receive(bob_socket)
    assert welcome["type"] == "welcome"
    assert set(welcome["streams"]) == {"workshop", f"group:{second.pk}"}

    await command(alice_socket, "a1", "postit.create", text="Dans le premier groupe")
    assert await bob_socket.receive_nothing(timeout=0.5)
    assert hub().followers(layer_group(workshop.pk, f"group:{first.pk}")) == 1  # Alice only
    await alice_socket.disconnect()
    await bob_socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_events_published_out_of_order_reach_sockets_in_order(workshop, alice):
    """Two commands on two ORM threads (or two processes) may publish in the other order
    than they committed: the hub puts a stream's events back in sequence order."""
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))

    def frames(seq: int) -> dict[str, str]:
        event = {"type": "event", "stream": "workshop", "seq": seq, "name": "hands.changed"}
        return {"fr": json.dumps({**event, "data": {}})}

    for seq in (1, 3, 2):  # as if the commits of 2 and 3 had raced to Redis
        await database_sync_to_async(send_frames)(workshop.pk, "workshop", frames(seq), seq=seq)
    received = [(await receive(socket))["seq"] for _ in range(3)]
    assert received == [1, 2, 3]
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_sockets_that_go_away_are_forgotten_however_they_end(workshop, alice, bob):
    stream = layer_group(workshop.pk, "workshop")
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))
    assert hub().followers(stream) == 2

    await alice_socket.disconnect()  # a clean close
    assert hub().followers(stream) == 1

    bob_socket.future.cancel()  # the server gave up on it: disconnect() never ran
    with pytest.raises(asyncio.CancelledError):
        await bob_socket.future
    assert hub().followers(stream) == 0


def test_a_slow_socket_is_told_to_resync_instead_of_being_buffered(
    asgi_server, workshop, alice, bob
):
    # 150 post-its at once from one person: not what is tested here.
    server = asgi_server(
        LIVE_SLOW_CLIENT_BYTES="16384", LIVE_RATE_LIMITS='{"postits": [1000, 1000]}'
    )
    alice_cookie, bob_cookie = session_cookie(participant=alice), session_cookie(participant=bob)
    count = 150

    async def scenario() -> tuple[list[dict], list[dict]]:
        frames: list[dict] = []
        welcomed = asyncio.Event()

        def on_message(payload: bytes, _now: int) -> None:
            frames.append(json.loads(payload))
            if frames[-1]["type"] == "welcome":
                welcomed.set()

        path = f"/ws/workshops/{workshop.pk}/?view=participant"
        headers = {"Cookie": bob_cookie, "Origin": server.url}
        slow = await wsclient.connect(
            "127.0.0.1", server.port, path, on_message, headers=headers, receive_buffer=2048
        )
        slow.send_text(json.dumps({"type": "hello", "last": {"workshop": 0}}))
        await asyncio.wait_for(welcomed.wait(), 5)
        # Bob's phone stops reading: its receive window closes, the server's buffer grows.
        slow.transport.pause_reading()
        writer = await open_socket(server, workshop.pk, alice_cookie)
        for n in range(count):
            text = f"Post-it {n} " + "x" * 260
            cmd = {"type": "cmd", "id": f"p{n}", "name": "postit.create", "args": {"text": text}}
            await writer.send(json.dumps(cmd))
        await events_until(writer, count)  # all written and published
        await asyncio.sleep(0.5)
        slow.transport.resume_reading()  # back on the Wi-Fi
        for _ in range(100):
            if any(frame["type"] == "resync" for frame in frames):
                break
            await asyncio.sleep(0.1)
        before_resync = list(frames)
        welcomed.clear()
        last = max(e["seq"] for f in before_resync for e in events_of(f) if f["type"] != "welcome")
        slow.send_text(json.dumps({"type": "hello", "last": {"workshop": last}}))
        await asyncio.wait_for(welcomed.wait(), 5)
        await writer.close()
        await slow.close()
        return before_resync, frames[len(before_resync) :]

    before, after = asyncio.run(scenario())
    kinds = [frame["type"] for frame in before]
    assert "resync" in kinds  # told, not buffered forever
    live = [
        event["seq"] for frame in before if frame["type"] != "welcome" for event in events_of(frame)
    ]
    assert live == list(range(1, len(live) + 1))  # in order, nothing twice
    assert len(live) < count  # frames were dropped while it lagged
    [welcome] = [frame for frame in after if frame["type"] == "welcome"]
    missed = [event["seq"] for event in welcome["streams"]["workshop"]["missed"]]
    assert missed == list(range(len(live) + 1, count + 1))  # the hello caught up on the rest


def test_sockets_that_drop_without_closing_cost_the_others_nothing(asgi_server, workshop, alice):
    """Phones that vanish mid-workshop (a killed tab, a network switch) send no close
    frame: their connection stays open for the protocol while its transport is gone, for
    the few turns of the event loop until their consumer leaves the hub. A fan-out in that
    window skips them; it once stopped there, and the sockets after them missed the frame."""
    # One person's many sockets, one person's many post-its: not what is tested here.
    server = asgi_server(LIVE_RATE_LIMITS='{"postits": [1000, 1000], "hellos": [1000, 1000]}')
    cookie = session_cookie(participant=alice)
    count, vanishing = 80, 60

    async def scenario() -> list[int]:
        path = f"/ws/workshops/{workshop.pk}/?view=participant"
        headers = {"Cookie": cookie, "Origin": server.url}
        phones = []
        for _ in range(vanishing):
            phone = await wsclient.connect(
                "127.0.0.1", server.port, path, lambda *_: None, headers=headers
            )
            phone.send_text(json.dumps({"type": "hello", "last": {"workshop": 0}}))
            phones.append(phone)
        reader = await open_socket(server, workshop.pk, cookie)
        writer = await open_socket(server, workshop.pk, cookie)
        for n in range(count):
            cmd = {"type": "cmd", "id": f"p{n}", "name": "postit.create", "args": {"text": f"{n}"}}
            await writer.send(json.dumps(cmd))
            if phones:
                phones.pop().abort()  # gone, without a close frame
            await asyncio.sleep(0.01)
        events = await events_until(reader, count)
        await reader.close()
        await writer.close()
        return [event["seq"] for event in events]

    seqs = asyncio.run(scenario())
    assert seqs == list(range(1, count + 1))
    log = server.log.read_text()
    assert "Traceback" not in log and "exception was never retrieved" not in log, log[-3000:]

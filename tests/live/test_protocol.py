"""The workshop socket through the real ASGI stack, PostgreSQL and the Redis channel layer."""

import json

import pytest
from django.test import override_settings

from live.models import Event
from tests.support.personas import cookie_for
from tests.support.sockets import (
    command,
    communicator,
    open_and_hello,
    receive,
    send,
)
from workshops.models import PostIt

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


async def next_event(socket) -> dict:
    while True:
        frame = await receive(socket)
        if frame["type"] == "event":
            return frame


async def test_a_post_it_reaches_the_other_participants_and_the_projector(workshop, alice, bob):
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))
    projector, _ = await open_and_hello(
        workshop.pk, cookie=await cookie_for(projector_of=workshop), view="projector"
    )

    ack = await command(alice_socket, "c1", "postit.create", text="Des bancs à l'ombre")
    assert ack["type"] == "ack"

    for socket in (bob_socket, projector, alice_socket):
        event = await next_event(socket)
        assert (event["stream"], event["seq"], event["name"]) == ("workshop", 1, "postit.created")
        # Who wrote it stays in the log; screens get the name in the HTML, never the id.
        assert event["data"] == {"postit": ack["result"]["postit"], "group": None}
        [swap] = event["swaps"]
        assert "Des bancs à l&#x27;ombre" in swap["html"] and "Alice" in swap["html"]
        assert (swap["target"], swap["swap"]) == ("#loose-workshop-postits", "upsert")
    for socket in (alice_socket, bob_socket, projector):
        await socket.disconnect()


async def test_post_it_text_is_escaped_in_the_live_fragment(workshop, alice, bob):
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=bob))
    await command(
        alice_socket,
        "c1",
        "postit.create",
        text='<script>alert("x")</script><img src=x onerror=alert(1)>',
    )
    html = (await next_event(bob_socket))["swaps"][0]["html"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_a_reconnecting_client_receives_exactly_what_it_missed(workshop, alice, bob):
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    bob_cookie = await cookie_for(participant=bob)
    bob_socket, _ = await open_and_hello(workshop.pk, cookie=bob_cookie)
    await command(alice_socket, "c1", "postit.create", text="one")
    assert (await next_event(bob_socket))["seq"] == 1
    await bob_socket.disconnect()  # Bob's phone leaves the Wi-Fi

    for n in (2, 3, 4):
        await command(alice_socket, f"c{n}", "postit.create", text=f"while away {n}")

    bob_socket, welcome = await open_and_hello(workshop.pk, cookie=bob_cookie, last={"workshop": 1})
    stream = welcome["streams"]["workshop"]
    assert stream["seq"] == 4
    assert [event["seq"] for event in stream["missed"]] == [2, 3, 4]
    for n, event in zip((2, 3, 4), stream["missed"], strict=True):
        assert f"while away {n}" in event["swaps"][0]["html"]

    # ...then live events follow, without a gap or a repeat.
    await command(alice_socket, "c5", "postit.create", text="back")
    assert (await next_event(bob_socket))["seq"] == 5
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_a_client_with_nothing_missed_gets_an_empty_catch_up(workshop, alice):
    await command(
        (await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice)))[0],
        "c1",
        "postit.create",
        text="x",
    )
    socket, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(participant=alice), last={"workshop": 1}
    )
    assert welcome["streams"]["workshop"] == {"seq": 1, "missed": []}
    await socket.disconnect()


@override_settings(LIVE_MAX_MISSED_EVENTS=2)
async def test_a_client_too_far_behind_gets_a_fresh_snapshot(workshop, alice):
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    for n in range(1, 5):
        await command(alice_socket, f"c{n}", "postit.create", text=f"idea {n}")
    socket, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(participant=alice), last={"workshop": 1}
    )
    stream = welcome["streams"]["workshop"]
    assert stream["seq"] == 4 and "missed" not in stream
    swaps = {swap["target"]: swap for swap in stream["reset"]["swaps"]}
    assert set(swaps) == {
        "#board-workshop",
        "#now",
        "#agenda",
        "#hands",
        "#broadcast",
        "#board-rules",
        "#polls-workshop",
        "#shared-conclusions",
    }
    swap = swaps["#board-workshop"]
    assert swap["swap"] == "outerHTML"
    assert all(f"idea {n}" in swap["html"] for n in range(1, 5))
    await alice_socket.disconnect()
    await socket.disconnect()


async def test_a_client_ahead_of_the_log_gets_a_snapshot(workshop, alice):
    socket, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(participant=alice), last={"workshop": 99}
    )
    assert welcome["streams"]["workshop"]["seq"] == 0
    assert "reset" in welcome["streams"]["workshop"]
    await socket.disconnect()


async def test_a_replayed_command_is_acknowledged_again_without_a_second_post_it(workshop, alice):
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    first = await command(socket, "same-id", "postit.create", text="Une seule fois")
    again = await command(socket, "same-id", "postit.create", text="Une seule fois")
    assert first == again and first["type"] == "ack"
    assert await PostIt.objects.acount() == 1
    assert await Event.objects.filter(name="postit.created").acount() == 1
    await socket.disconnect()


async def test_the_projector_is_read_only(workshop):
    socket, welcome = await open_and_hello(
        workshop.pk, cookie=await cookie_for(projector_of=workshop), view="projector"
    )
    assert welcome["role"] == "projector"
    reply = await command(socket, "p1", "postit.create", text="from the projector")
    assert reply["code"] == "forbidden"
    assert not await PostIt.objects.aexists()
    await socket.disconnect()


async def test_a_socket_without_a_session_is_told_and_closed(workshop):
    socket = communicator(workshop.pk)
    connected, _ = await socket.connect()
    assert connected
    assert (await receive(socket))["code"] == "unauthenticated"
    assert (await socket.receive_output(timeout=3))["code"] == 4401
    assert not await PostIt.objects.aexists()


async def test_a_participant_of_another_workshop_cannot_connect_here(
    workshop, outsider_in_other_workshop
):
    socket = communicator(
        workshop.pk, cookie=await cookie_for(participant=outsider_in_other_workshop)
    )
    await socket.connect()
    assert (await receive(socket))["code"] == "unauthenticated"
    assert (await socket.receive_output(timeout=3))["code"] == 4401


async def test_an_unknown_workshop_is_told_and_closed(alice):
    socket = communicator(999999, cookie=await cookie_for(participant=alice))
    await socket.connect()
    assert (await receive(socket))["code"] == "not_found"
    assert (await socket.receive_output(timeout=3))["code"] == 4404


async def test_a_socket_from_a_foreign_origin_is_refused(workshop, alice):
    socket = communicator(
        workshop.pk, cookie=await cookie_for(participant=alice), origin="https://evil.example"
    )
    connected, _ = await socket.connect()
    assert not connected


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),  # valid JSON, but not a frame
        ("[" * 50_000, "bad_json"),  # nesting deeper than the decoder's recursion limit
        ('{"type": "launch_missiles"}', "unknown_type"),
        ('{"no_type": 1}', "bad_frame"),
        ('{"type": "cmd", "name": "postit.create", "args": {"text": "x"}}', "bad_frame"),
        (
            '{"type": "cmd", "id": "bad id with spaces", "name": "postit.create", "args": {}}',
            "bad_frame",
        ),
        ('{"type": "cmd", "id": "c1", "args": {"text": "x"}}', "bad_frame"),
        ('{"type": "cmd", "id": "c1", "name": "postit.create", "args": "text"}', "bad_frame"),
        ('{"type": "cmd", "id": "c1", "name": "postit.create", "args": {}}', "missing_field"),
        (
            '{"type": "cmd", "id": "c1", "name": "postit.create",'
            ' "args": {"text": "x", "workshop": 2}}',
            "unknown_field",
        ),
        ('{"type": "cmd", "id": "c1", "name": "postit.explode", "args": {}}', "unknown_command"),
        (
            '{"type": "cmd", "id": "c1", "name": "postit.create", "args": {"text": "'
            + "x" * 281
            + '"}}',
            "too_long",
        ),
        ('{"type": "hello", "last": {"workshop": -1}}', "bad_frame"),
        ('{"type": "hello", "last": {"group:1; DROP": 1}}', "bad_frame"),
        ('{"type": "hello", "last": []}', "bad_frame"),
    ],
)
async def test_bad_frames_get_an_explicit_error_and_change_nothing(workshop, alice, frame, code):
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    await socket.send_to(text_data=frame)
    reply = await receive(socket)
    assert reply["type"] == "error"
    assert reply["code"] == code, reply
    assert reply["message"]
    assert not await PostIt.objects.aexists()
    # The socket still works afterwards.
    assert (await command(socket, "ok1", "postit.create", text="still here"))["type"] == "ack"
    await socket.disconnect()


async def test_binary_frames_are_refused(workshop, alice):
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await receive(socket))["code"] == "bad_frame"
    await socket.disconnect()


async def test_a_frame_over_64_kib_is_refused_and_the_socket_closed(workshop, alice):
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    padding = "x" * (64 * 1024)
    await socket.send_to(
        text_data=json.dumps(
            {"type": "cmd", "id": "big", "name": "postit.create", "args": {"text": padding}}
        )
    )
    assert (await receive(socket))["code"] == "too_large"
    assert (await socket.receive_output(timeout=3))["code"] == 4009
    assert not await PostIt.objects.aexists()


async def test_errors_speak_the_language_of_the_workshop(workshop, alice):
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    reply = await command(socket, "c1", "postit.create", text="")
    assert reply["code"] == "empty"
    assert "vide" in reply["message"]  # the workshop is in French
    await socket.disconnect()


async def test_ping_returns_the_server_time_for_timers(workshop, alice):
    socket, welcome = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    await send(socket, {"type": "ping"})
    pong = await receive(socket)
    assert pong["type"] == "pong" and pong["server_time"] >= welcome["server_time"]
    await socket.disconnect()


async def test_live_events_before_the_hello_are_not_forwarded(workshop, alice, bob):
    """Until its welcome, a socket gets nothing: the welcome's catch-up carries it instead."""
    bob_socket = communicator(workshop.pk, cookie=await cookie_for(participant=bob))
    await bob_socket.connect()
    alice_socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    await command(alice_socket, "c1", "postit.create", text="early")
    assert await bob_socket.receive_nothing(timeout=0.3)
    await send(bob_socket, {"type": "hello", "last": {"workshop": 0}})
    welcome = await receive(bob_socket)
    assert [e["seq"] for e in welcome["streams"]["workshop"]["missed"]] == [1]
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_a_lone_surrogate_in_a_frame_gets_an_error_not_a_crash(workshop, alice):
    socket, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    await socket.send_to(text_data='{"type": "cmd", "id": "s1", "name": "\\ud800", "args": {}}')
    assert (await receive(socket))["code"] == "unknown_command"
    assert (await command(socket, "ok", "postit.create", text="still here"))["type"] == "ack"
    await socket.disconnect()

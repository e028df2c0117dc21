"""The facilitator console drives the agenda over its socket; every screen follows."""

import pytest
from django.contrib.auth import get_user_model

from tests.support.personas import cookie_for
from tests.support.sockets import command, open_and_hello, receive

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


async def console_cookie(user) -> str:
    from channels.db import database_sync_to_async
    from django.contrib.sessions.backends.db import SessionStore

    def login() -> str:
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return f"sessionid={session.session_key}"

    return await database_sync_to_async(login)()


async def next_event(socket, name: str) -> dict:
    while True:
        frame = await receive(socket)
        if frame["type"] == "event" and frame["name"] == name:
            return frame


async def test_starting_a_phase_shows_its_timer_on_participants_screens(workshop, organizer, alice):
    console, welcome = await open_and_hello(
        workshop.pk,
        cookie=await console_cookie(organizer),
        view="console",
        last={"workshop": 0, "facilitators": 1},
    )
    assert welcome["role"] == "organizer"
    phone, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))

    added = await command(
        console,
        "a1",
        "phase.add",
        title="Brainstorm",
        minutes=15,
        scope="breakouts",
        activity="brainstorm",
    )
    assert added["type"] == "ack"
    started = await command(console, "s1", "phase.start", phase=added["result"]["phase"])
    assert started["type"] == "ack"

    event = await next_event(phone, "phase.started")
    swaps = {swap["target"]: swap["html"] for swap in event["swaps"]}
    assert "Brainstorm" in swaps["#now"] and "data-ends-at=" in swaps["#now"]
    assert "Écrivez vos idées" in swaps["#now"]  # what to do now, in the workshop's language
    await console.disconnect()
    await phone.disconnect()


async def test_a_participant_cannot_drive_the_agenda(workshop, alice):
    phone, _ = await open_and_hello(workshop.pk, cookie=await cookie_for(participant=alice))
    reply = await command(
        phone, "x", "phase.add", title="Coup d'état", minutes=5, scope="plenary", activity="poll"
    )
    assert reply["code"] == "forbidden"
    await phone.disconnect()


async def test_a_facilitator_who_is_not_of_this_workshop_gets_no_console(workshop):
    from channels.db import database_sync_to_async

    stranger = await database_sync_to_async(get_user_model().objects.create_user)(
        "stranger", password="stranger-pass-1"
    )
    from tests.support.sockets import communicator

    socket = communicator(workshop.pk, cookie=await console_cookie(stranger), view="console")
    await socket.connect()
    assert (await receive(socket))["code"] == "unauthenticated"
    assert (await socket.receive_output(timeout=3))["code"] == 4401

"""A server killed while a group is writing loses nothing it acknowledged, and the editor's
unacknowledged work goes through after the restart (a real server process, SIGKILL)."""

import asyncio
import base64
import json

import pytest
import websockets
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from tests.support.personas import session_cookie
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Conclusion

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LINES = 40


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def connect(server, workshop, cookie: str):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop.pk}/?view=participant",
        additional_headers={"Cookie": cookie, "Origin": server.url},
        open_timeout=5,
    )
    await socket.send(json.dumps({"type": "hello", "last": {"workshop": 0}}))
    while json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] != "welcome":
        pass
    return socket


async def server_state(socket, group_id: int) -> bytes:
    await socket.send(json.dumps({"type": "doc.sync", "doc": group_id, "sv": b64(b"\x00")}))
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
        if frame["type"] == "doc.state":
            return base64.b64decode(frame["update"])


def test_a_restart_mid_writing_keeps_every_acknowledged_update(
    asgi_server, workshop, organizer, alice
):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    (group,) = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    cookie = session_cookie(participant=alice)
    editor = Doc()  # Alice's editor: each line is one update, as she types
    fragment = editor.get("prosemirror", type=XmlFragment)
    first = asgi_server()

    async def write_until_killed() -> set[int]:
        socket = await connect(first, workshop, cookie)
        acked: set[int] = set()
        for line in range(LINES):
            before = editor.get_state()
            fragment.children.append(XmlElement("paragraph", {}, [XmlText(f"Ligne {line}")]))
            update = editor.get_update(before)
            frame = {"type": "doc.update", "id": f"l{line}", "doc": group.pk, "update": b64(update)}
            await socket.send(json.dumps(frame))
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
                if frame["type"] == "doc.ack":
                    acked.add(int(frame["id"][1:]))
                    if len(acked) == LINES // 4:
                        first.process.kill()  # mid-stream: the others are in flight
        except (websockets.ConnectionClosed, TimeoutError):
            return acked

    acked = asyncio.run(write_until_killed())
    assert LINES // 4 <= len(acked) < LINES, "the kill must land while updates are in flight"

    second = asgi_server()

    async def after_restart() -> tuple[bytes, bytes]:
        socket = await connect(second, workshop, cookie)
        kept = await server_state(socket, group.pk)
        # The editor, reconnected, sends everything the server lacks (its diff).
        probe = Doc()
        probe.apply_update(kept)
        missing = editor.get_update(probe.get_state())
        frame = {"type": "doc.update", "id": "resend", "doc": group.pk, "update": b64(missing)}
        await socket.send(json.dumps(frame))
        while json.loads(await asyncio.wait_for(socket.recv(), 5)).get("id") != "resend":
            pass
        final = await server_state(socket, group.pk)
        await socket.close()
        return kept, final

    kept, final = asyncio.run(after_restart())
    survivor = Doc()
    survivor.apply_update(kept)
    text = str(survivor.get("prosemirror", type=XmlFragment))
    for line in acked:
        assert f"Ligne {line}<" in text, f"acknowledged line {line} was lost"
    markdown = Conclusion.objects.get(group=group).markdown
    assert markdown.split("\n\n") == [f"Ligne {line}" for line in range(LINES)]
    restored = Doc()
    restored.apply_update(final)
    assert str(restored.get("prosemirror", type=XmlFragment)) == str(fragment)

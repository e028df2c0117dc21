"""WebSocket clients through the real ASGI stack (origin check, sessions, routing)."""

import json

from channels.testing import WebsocketCommunicator

ORIGIN = "http://testserver"


def communicator(
    workshop_id: int, *, cookie: str | None = None, view: str = "participant", origin=ORIGIN
) -> WebsocketCommunicator:
    from config.asgi import application

    headers = [(b"origin", origin.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(
        application, f"/ws/workshops/{workshop_id}/?view={view}", headers=headers
    )


async def receive(socket: WebsocketCommunicator, timeout: float = 3) -> dict:
    """The next server frame; the frames of a `batch` come one by one, in order."""
    waiting = socket.__dict__.setdefault("batched", [])
    if waiting:
        return waiting.pop(0)
    frame = json.loads(await socket.receive_from(timeout=timeout))
    if frame["type"] == "batch":
        first, *rest = frame["frames"]
        waiting.extend(rest)
        return first
    return frame


async def send(socket: WebsocketCommunicator, frame: dict) -> None:
    await socket.send_to(text_data=json.dumps(frame))


async def open_and_hello(
    workshop_id: int, *, cookie: str, last: dict | None = None, view: str = "participant"
) -> tuple[WebsocketCommunicator, dict]:
    """Connect, say hello with `last` positions and return the socket and its welcome."""
    socket = communicator(workshop_id, cookie=cookie, view=view)
    connected, _subprotocol = await socket.connect()
    assert connected
    await send(socket, {"type": "hello", "last": last if last is not None else {"workshop": 0}})
    welcome = await receive(socket)
    assert welcome["type"] == "welcome", welcome
    return socket, welcome


async def command(socket: WebsocketCommunicator, client_id: str, name: str, **args) -> dict:
    await send(socket, {"type": "cmd", "id": client_id, "name": name, "args": args})
    return await receive_reply(socket, client_id)


async def receive_reply(socket: WebsocketCommunicator, client_id: str) -> dict:
    """The ack or error for `client_id`, skipping live events that arrive in between."""
    while True:
        frame = await receive(socket)
        if frame["type"] in {"ack", "error"} and frame.get("id") == client_id:
            return frame

"""The hub writes each event's frame, made once, straight to every socket's transport
(live/hub.py, `SocketTransport`): through a real uvicorn configured as `config.serve`, those
bytes reach a browser-like client as the text frame ASGI would have sent, in order with the
consumer's own sends, and the slow-client probe reads the same transport."""

import asyncio

import uvicorn
import websockets

from config.serve import server_config
from live.hub import SocketTransport, frame_bytes
from tests.support.servers import free_port

EVENT = '{"type": "event", "html": "<p>Été, 😀</p>"}'
LONG = '{"html": "%s"}' % ("x" * 70_000)  # a 64-bit length in the frame header


async def serve(application) -> tuple[uvicorn.Server, asyncio.Task, int]:
    port = free_port()
    server = uvicorn.Server(server_config("127.0.0.1", port, application))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # five seconds at most
        if server.started:
            return server, task, port
        await asyncio.sleep(0.01)
    raise TimeoutError("uvicorn did not start")


async def test_a_frame_written_to_the_transport_reaches_the_client_in_order():
    seen: dict[str, object] = {}

    async def application(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        transport = SocketTransport.of(send)
        seen.update(shareable=transport.shareable, over_limit=transport.over_limit())
        await send({"type": "websocket.send", "text": "before"})
        seen["written"] = all(transport.offer(frame_bytes(text)) for text in (EVENT, LONG))
        await send({"type": "websocket.send", "text": "after"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
        seen["after_close"] = transport.offer(frame_bytes(EVENT))

    server, task, port = await serve(application)
    try:
        # Like a browser, the client offers per-message deflate: the server must decline
        # it, or frames made once could not be shared.
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as socket:
            assert socket.protocol.extensions == []
            received = [await socket.recv() for _ in range(4)]
        await asyncio.sleep(0.2)
    finally:
        server.should_exit = True
        await task
    assert received == ["before", EVENT, LONG, "after"]
    expected = {"shareable": True, "over_limit": False, "written": True, "after_close": None}
    assert seen == expected

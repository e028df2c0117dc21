"""The bare relay: this machine's limit for the fan-out, in a few dozen lines.

The `websockets` library's `broadcast()` relays each post-it to every socket, speaking just
enough of the live protocol (hello/welcome, `postit.create`, ack, event frames) for the
load generator to run the `fanout` scenario against it unchanged. No Django, no database,
no channel layer: each event frame is encoded once and written to every socket. Its frames
are padded to the size of the real server's (`--html-bytes`), so bytes on the wire match.

    .venv/bin/python -m bench.relay --port 8765 --html-bytes 600
"""

import argparse
import asyncio
import json

from websockets.asyncio.server import ServerConnection, broadcast, serve


class Relay:
    def __init__(self, html_bytes: int) -> None:
        self.sockets: set[ServerConnection] = set()
        self.seq = 0
        self.padding = "x" * html_bytes

    async def handle(self, socket: ServerConnection) -> None:
        try:
            async for raw in socket:
                frame = json.loads(raw)
                if frame.get("type") == "hello":
                    self.sockets.add(socket)
                    streams = {"workshop": {"seq": self.seq, "missed": []}}
                    await socket.send(json.dumps({"type": "welcome", "streams": streams}))
                elif frame.get("type") == "cmd":
                    self.publish(socket, frame)
        finally:
            self.sockets.discard(socket)

    def publish(self, sender: ServerConnection, command: dict) -> None:
        self.seq += 1
        postit = self.seq
        html = f'<article id="postit-{postit}">{command["args"].get("text", "")}{self.padding}'
        event = {
            "type": "event",
            "stream": "workshop",
            "seq": self.seq,
            "name": "postit.created",
            "data": {"postit": postit, "group": None},
            "swaps": [{"html": html, "target": "#loose-workshop-postits", "swap": "upsert"}],
        }
        broadcast(self.sockets, json.dumps(event, ensure_ascii=False))
        ack = {"type": "ack", "id": command["id"], "result": {"postit": postit}}
        broadcast([sender], json.dumps(ack))


async def serve_forever(host: str, port: int, html_bytes: int) -> None:
    relay = Relay(html_bytes)
    # No compression: the product does not negotiate it either, and the clients do not offer it.
    async with serve(relay.handle, host, port, compression=None, max_queue=None) as server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--html-bytes", type=int, default=600)
    args = parser.parse_args()
    asyncio.run(serve_forever(args.host, args.port, args.html_bytes))


if __name__ == "__main__":
    main()

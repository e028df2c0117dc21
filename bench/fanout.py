"""The post-it fan-out load: N participant sockets in one process, one of them writing.

Receivers only parse frames and note, per post-it, how many sockets got it and when the
last one did; the writer also collects the acks that map its command ids to post-it ids.
"""

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

HELLO = json.dumps({"type": "hello", "last": {"workshop": 0}})


@dataclass
class Deliveries:
    """What all receivers saw, keyed by post-it id (from the event's data)."""

    count: dict[int, int] = field(default_factory=dict)
    last_ns: dict[int, int] = field(default_factory=dict)
    total: int = 0
    duplicates: int = 0
    other_frames: Counter = field(default_factory=Counter)
    closed_early: int = 0

    def record(self, seen: set[int], postit: int, now_ns: int) -> None:
        if postit in seen:
            self.duplicates += 1
            return
        seen.add(postit)
        self.total += 1
        self.count[postit] = self.count.get(postit, 0) + 1
        self.last_ns[postit] = now_ns


@dataclass
class SendLog:
    """The writer's side: when each command left and what the server answered."""

    sent_ns: dict[str, int] = field(default_factory=dict)
    acked_ns: dict[str, int] = field(default_factory=dict)
    postit_of: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    max_lag_ms: float = 0.0  # how late the writer sent against its schedule
    writer_closed: bool = False

    @property
    def answered(self) -> int:
        return len(self.acked_ns) + len(self.refused)

    def on_frame(self, frame: dict, now_ns: int) -> None:
        client_id = frame.get("id")
        if frame.get("type") == "ack" and client_id in self.sent_ns:
            self.acked_ns[client_id] = now_ns
            self.postit_of[client_id] = frame["result"]["postit"]
        elif frame.get("type") == "error" and client_id in self.sent_ns:
            self.refused[client_id] = frame.get("code", "?")


@dataclass
class Client:
    socket: ClientConnection
    task: asyncio.Task | None = None


async def receive_frames(
    socket: ClientConnection, deliveries: Deliveries, send_log: SendLog | None
) -> None:
    """Parse every frame; count post-it events once per socket, hand acks to the writer."""
    seen: set[int] = set()
    try:
        async for raw in socket:
            frame = json.loads(raw)
            now_ns = time.monotonic_ns()
            if frame.get("type") == "event" and frame.get("name") == "postit.created":
                deliveries.record(seen, frame["data"]["postit"], now_ns)
            elif send_log is not None and frame.get("type") in ("ack", "error"):
                send_log.on_frame(frame, now_ns)
            else:
                deliveries.other_frames[frame.get("type", "?")] += 1
    except ConnectionClosed:
        pass
    deliveries.closed_early += 1  # reaching here before we close means the server hung up


async def open_client(
    url: str, session_key: str, origin: str, handshake_s: float
) -> ClientConnection:
    """Connect as a browser would (cookie, Origin), say hello and wait for the welcome."""
    socket = await connect(
        url,
        origin=origin,
        additional_headers={"Cookie": f"sessionid={session_key}"},
        compression=None,  # daphne does not negotiate permessage-deflate anyway
        ping_interval=None,  # browsers do not ping; keep the generator lean
        proxy=None,
        open_timeout=handshake_s,
        close_timeout=2,
        user_agent_header=None,
    )
    try:
        await socket.send(HELLO)
        welcome = json.loads(await asyncio.wait_for(socket.recv(), handshake_s))
    except BaseException:
        await socket.close()
        raise
    if welcome.get("type") != "welcome":
        await socket.close()
        raise RuntimeError(f"expected a welcome, got {welcome}")
    return socket


async def connect_clients(
    url: str, origin: str, session_keys: list[str], *, concurrency: int, handshake_s: float
) -> tuple[list[ClientConnection], list[str]]:
    """Open one socket per session, a few handshakes at a time (the listen backlog is short)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(key: str) -> ClientConnection:
        async with gate:
            return await open_client(url, key, origin, handshake_s)

    results = await asyncio.gather(*(one(key) for key in session_keys), return_exceptions=True)
    sockets = [result for result in results if isinstance(result, ClientConnection)]
    failures = [repr(result) for result in results if isinstance(result, BaseException)]
    return sockets, failures


def start_receivers(
    sockets: list[ClientConnection], deliveries: Deliveries, send_log: SendLog
) -> list[Client]:
    """Socket 0 is the writer: it also gets the acks."""
    return [
        Client(
            socket,
            asyncio.create_task(
                receive_frames(socket, deliveries, send_log if index == 0 else None)
            ),
        )
        for index, socket in enumerate(sockets)
    ]


async def write_postits(
    socket: ClientConnection, send_log: SendLog, *, rate: float, count: int
) -> None:
    """Open loop: send on schedule whatever the answers, so a slow server shows as latency."""
    start = time.monotonic()
    for index in range(count):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        send_log.max_lag_ms = max(send_log.max_lag_ms, (time.monotonic() - due) * 1000)
        client_id = f"bench-{index}"
        send_log.sent_ns[client_id] = time.monotonic_ns()
        frame = {
            "type": "cmd",
            "id": client_id,
            "name": "postit.create",
            "args": {"text": f"bench post-it {index} t={time.time_ns()}"},
        }
        try:
            await socket.send(json.dumps(frame))
        except ConnectionClosed:
            del send_log.sent_ns[client_id]  # never left: expect no answer for it
            send_log.writer_closed = True  # the server dropped the writer: stop, report it
            return


async def wait_for_deliveries(
    deliveries: Deliveries, send_log: SendLog, receivers: int, deadline: float
) -> bool:
    """Until every acked post-it reached every socket, or the deadline; True if complete."""
    while time.monotonic() < deadline:
        everything_answered = send_log.answered >= len(send_log.sent_ns)
        if everything_answered and deliveries.total >= receivers * len(send_log.postit_of):
            return True
        await asyncio.sleep(0.02)
    return False


async def close_clients(clients: list[Client], grace_s: float = 15) -> None:
    """Close politely within `grace_s`, then drop whatever is left."""
    for client in clients:
        if client.task is not None:
            client.task.cancel()
    closing = asyncio.gather(*(client.socket.close() for client in clients), return_exceptions=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(closing, grace_s)
    for client in clients:
        if client.socket.transport is not None:
            client.socket.transport.abort()

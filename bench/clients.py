"""Participants of the load: lean sockets (bench/wsclient.py) that speak the live protocol.

Each client behaves as `static/js/live.js` does where it matters for counting: it says
`hello` with its last sequence per stream, applies an event only when it is the next one of
its stream, says `hello` again on a gap or a `resync` frame, unwraps `batch` frames, and
reconnects after a close. What all clients saw is summed in one `Tally` of the run.

Frames that every socket gets identically (events, batches, tallies) are decoded once per
run, not once per socket: the parse is cached by the frame's bytes.
"""

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import wsclient

BROADCAST_TYPES = ("event", "batch", "tally")
PARSE_CACHE_LIMIT = 20_000

# One item of a broadcast frame: ("event", stream, seq, postit id or None) or
# ("tally", topic, version, html).
Item = tuple


@dataclass
class Target:
    """Where a client connects: a server process (or the bare relay)."""

    host: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    """What the run's clients saw, summed."""

    # post-it id -> how many clients applied it, and when the last one did
    delivered: Counter = field(default_factory=Counter)
    last_ns: dict[int, int] = field(default_factory=dict)
    applied: int = 0
    duplicates: int = 0  # an event frame whose sequence number the client already had
    leaks: int = 0  # an event of a stream the client does not follow
    gaps: int = 0  # a missing sequence number, healed by a hello
    resync_frames: int = 0  # the server said this client had fallen behind
    frames: Counter = field(default_factory=Counter)  # received, by type
    batched_events: int = 0  # events that arrived inside a batch frame
    event_bytes: int = 0  # size of single event frames, to pad the relay's alike
    event_frames: int = 0
    closed_by_server: int = 0
    welcomes: int = 0
    # commands: client id -> send time; -> reply time; -> post-it id
    sent_ns: dict[str, int] = field(default_factory=dict)
    acked_ns: dict[str, int] = field(default_factory=dict)
    postit_of: dict[str, int] = field(default_factory=dict)
    refused: Counter = field(default_factory=Counter)
    tallies: list[tuple[int, int, int]] = field(default_factory=list)  # client, at, version
    parse_cache: dict[bytes, list[Item]] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return len(self.acked_ns) + sum(self.refused.values())

    def parse(self, payload: bytes) -> tuple[list[Item] | None, dict | None]:
        """Items of a broadcast frame (cached), or the frame itself when it is this
        client's own (welcome, ack, error, resync, pong)."""
        items = self.parse_cache.get(payload)
        if items is not None:
            return items, None
        frame = json.loads(payload)
        kind = frame.get("type")
        if kind not in BROADCAST_TYPES:
            return None, frame
        self.frames[kind] += 1  # counted once per distinct frame here; per socket below
        frames = frame["frames"] if kind == "batch" else [frame]
        items = [item for inner in frames if (item := broadcast_item(inner)) is not None]
        if kind == "event":
            self.event_bytes += len(payload)
            self.event_frames += 1
        if kind == "batch":
            self.batched_events += sum(item[0] == "event" for item in items)
        if len(self.parse_cache) > PARSE_CACHE_LIMIT:
            self.parse_cache.clear()
        self.parse_cache[payload] = items
        return items, None


def broadcast_item(frame: dict) -> Item | None:
    if frame.get("type") == "event":
        data = frame.get("data") or {}
        postit = data.get("postit") if frame.get("name") == "postit.created" else None
        return ("event", frame["stream"], frame["seq"], postit)
    if frame.get("type") == "tally":
        html = frame["swaps"][0]["html"] if frame.get("swaps") else ""
        return ("tally", frame.get("topic"), frame.get("version"), html)
    return None


_ids = itertools.count()


class Client:
    """One participant's socket, resyncing like live.js."""

    def __init__(self, index: int, session_key: str, target: Target, tally: Tally) -> None:
        self.index = index
        self.session_key = session_key
        self.target = target
        self.tally = tally
        self.last: dict[str, int] = {}
        self.connection: wsclient.Connection | None = None
        self.welcomed = asyncio.Event()
        self.hello_in_flight = False
        self.reconnect = False  # reconnect by itself after a close (like live.js)
        self.welcomed_ns = 0
        self._task: asyncio.Task | None = None
        # Scenarios that need more than the shared counters (the poll storm) hook in here.
        self.on_reply: Callable[[dict, int], None] | None = None  # ack or error
        self.on_tally: Callable[[Item, int], None] | None = None

    # --- connecting --------------------------------------------------------------------

    async def connect(self, handshake_s: float = 60) -> None:
        headers = {"Cookie": f"sessionid={self.session_key}", **self.target.headers}
        self.welcomed.clear()
        self.hello_in_flight = False
        self.connection = await wsclient.connect(
            self.target.host,
            self.target.port,
            self.target.path,
            self.on_message,
            headers=headers,
            handshake_s=handshake_s,
        )
        self.connection.closed.add_done_callback(self._on_closed)
        self.hello()
        await asyncio.wait_for(self.welcomed.wait(), handshake_s)

    def hello(self) -> None:
        if self.hello_in_flight or self.connection is None:
            return
        self.welcomed.clear()
        self.hello_in_flight = True
        self.send({"type": "hello", "last": self.last or {"workshop": 0}})

    def _on_closed(self, _future: asyncio.Future) -> None:
        if self.connection is not None and not self.connection.closed_by_us:
            self.tally.closed_by_server += 1
        self.welcomed.clear()
        if self.reconnect:
            self._task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        """As live.js: 0.25–0.75 s, then doubling up to 10 s, until welcomed again."""
        for attempt in itertools.count():
            await asyncio.sleep(min(10.0, 0.5 * 2**attempt) * (0.5 + random.random()))
            try:
                await self.connect(handshake_s=30)
                return
            except (OSError, TimeoutError, wsclient.HandshakeError):
                if self.connection is not None:
                    self.connection.abort()

    async def close(self) -> None:
        self.reconnect = False
        if self._task is not None:
            self._task.cancel()
        if self.connection is not None:
            await self.connection.close()

    # --- sending -----------------------------------------------------------------------

    def send(self, frame: dict) -> bool:
        try:
            self.connection.send_text(json.dumps(frame))
        except (ConnectionError, AttributeError):
            return False
        return True

    def command(self, name: str, args: dict) -> str | None:
        client_id = f"b{next(_ids)}"
        self.tally.sent_ns[client_id] = time.monotonic_ns()
        if not self.send({"type": "cmd", "id": client_id, "name": name, "args": args}):
            del self.tally.sent_ns[client_id]
            return None
        return client_id

    # --- receiving ---------------------------------------------------------------------

    def on_message(self, payload: bytes, now: int) -> None:
        items, own = self.tally.parse(payload)
        if own is not None:
            self.on_own_frame(own, now)
            return
        for item in items:
            if item[0] == "event":
                self.on_event(item, now)
            else:
                self.note_tally(item, now)

    def note_tally(self, item: Item, now: int) -> None:
        if self.on_tally is not None:
            self.on_tally(item, now)
        else:
            self.tally.tallies.append((self.index, now, item[2]))

    def on_event(self, item: Item, now: int) -> None:
        _kind, stream, seq, postit = item
        if not self.welcomed.is_set():
            return  # as live.js: events wait for the welcome
        last = self.last.get(stream)
        if last is None:
            self.tally.leaks += 1
        elif seq <= last:
            self.tally.duplicates += 1
        elif seq > last + 1:
            self.tally.gaps += 1
            self.hello()
        else:
            self.apply(stream, seq, postit, now)

    def apply(self, stream: str, seq: int, postit: int | None, now: int) -> None:
        self.last[stream] = seq
        self.tally.applied += 1
        if postit is not None:
            self.tally.delivered[postit] += 1
            self.tally.last_ns[postit] = now

    def on_own_frame(self, frame: dict, now: int) -> None:
        kind = frame.get("type")
        self.tally.frames[kind] += 1
        if kind == "welcome":
            self.on_welcome(frame, now)
        elif kind in ("ack", "error") and self.on_reply is not None and frame.get("id"):
            self.on_reply(frame, now)
        elif kind == "ack":
            self.tally.acked_ns[frame["id"]] = now
            if isinstance(frame.get("result"), dict) and "postit" in frame["result"]:
                self.tally.postit_of[frame["id"]] = frame["result"]["postit"]
        elif kind == "error" and frame.get("id"):
            self.tally.refused[frame.get("code", "?")] += 1
            self.tally.acked_ns.pop(frame["id"], None)
        elif kind == "resync":
            self.tally.resync_frames += 1
            self.hello()
        elif kind == "error" and frame.get("code") == "slow_down":
            # A hello refused (too many lately): as live.js, say it again when told.
            self.hello_in_flight = False
            delay = max(0.5, frame.get("retry_after", 2000) / 1000)
            asyncio.get_running_loop().call_later(delay, self.hello)

    def on_welcome(self, frame: dict, now: int) -> None:
        self.hello_in_flight = False
        streams = frame["streams"]
        for stream in list(self.last):
            if stream not in streams:
                del self.last[stream]
        for stream, info in streams.items():
            if "reset" in info or stream not in self.last:
                self.last[stream] = info["seq"]
                continue
            for event in info.get("missed", []):
                item = broadcast_item(event)
                if item and item[2] == self.last[stream] + 1:
                    self.apply(stream, item[2], item[3], now)
            self.last[stream] = max(self.last[stream], info["seq"])
        for snapshot in frame.get("snapshots") or []:
            item = broadcast_item(snapshot)
            if item:
                self.note_tally(item, now)
        self.tally.welcomes += 1
        self.welcomed_ns = now
        self.welcomed.set()


async def connect_all(
    clients: list[Client], *, concurrency: int, handshake_s: float = 60
) -> list[str]:
    """Connect and welcome every client, a few handshakes at a time; the failures' reasons."""
    gate = asyncio.Semaphore(concurrency)

    async def one(client: Client) -> None:
        async with gate:
            await client.connect(handshake_s)

    results = await asyncio.gather(*(one(c) for c in clients), return_exceptions=True)
    return [repr(result) for result in results if isinstance(result, BaseException)]


async def close_all(clients: list[Client], grace_s: float = 15) -> None:
    closing = asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    try:
        await asyncio.wait_for(closing, grace_s)
    except TimeoutError:
        for client in clients:
            if client.connection is not None:
                client.connection.abort()

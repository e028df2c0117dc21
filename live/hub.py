"""The per-process fan-out hub: one channel-layer subscription per stream, not per socket.

A stock Channels consumer receives each broadcast through its own channel: the layer
decodes the message once per socket, wakes that consumer's task, and the consumer forwards
the frame. With 1,000 sockets on a stream that is 1,000 decodes and task switches per
event, and the process saturates long before the socket writes do (docs/performance.md).
The hub does what the `websockets` library's `broadcast()` does instead:

- each process has **one** hub per event loop, with one channel of its own; the first local
  socket that follows a stream makes the hub join that stream's layer group, the last one
  to leave makes it leave (after `LINGER_S`, so a room reconnecting at once does not
  churn subscriptions);
- a message published to a stream (already encoded, once per language its sockets speak,
  by `live.broadcast.send_frames`) is decoded once per process and its finished text is
  written to every local socket following the stream, in that socket's language: framed
  once per language, the same bytes go to each socket's transport (`SocketTransport`); the hub
  keeps the languages of its sockets per workshop in Redis for the publishers
  (live/languages.py), and a socket whose language an event lacks gets `resync` instead;
- events of a stream are written in sequence order: two commands that commit one after
  the other may publish in the other order (two ORM threads, two processes), so an event
  ahead of the next one waits briefly for it (`REORDER_WAIT_S`);
- frames of one stream that arrive within `LIVE_BATCH_INTERVAL_MS` of its previous write go
  out together as one `batch` frame (docs/protocol.md), so a burst costs one write per
  socket, not one per event; a stream that was quiet is written at once;
- while a socket's own frame is being handled (`Outlet.hold`: a command, a hello), the hub
  keeps that socket's frames aside; the consumer releases them after its reply, so an
  ack or a welcome comes before the events it caused, and a welcome's missed events are
  not sent twice (those it carried are dropped);
- a socket that cannot keep up is not buffered forever: once more than
  `LIVE_SLOW_CLIENT_BYTES` wait in its transport, the hub stops writing to it, and when it
  has drained it gets a `resync` frame (its client says `hello` again and catches up from
  the log). One still stuck after `STUCK_S` is closed; its client reconnects.

Delivery stays at-most-once, as everywhere below the event log: correctness rests on
sequence numbers and the hello/welcome resync, never on the hub (docs/protocol.md).

When the channel layer itself fails (Redis down), commands are still saved: only the
fan-out stops. The hub finds out by echoing a message to its own channel through the layer
every `LIVE_HEARTBEAT_S`: when an echo fails or does not come back, every local socket gets
a `degraded` frame (its client then catches up from the log with a `hello` every few
seconds); when echoes come back, the hub joins again the groups it could not join and
tells every socket `live` (its client says `hello` once more and stops polling). Sockets
that connect meanwhile are welcomed from the log as usual, and told `degraded` at once.

Consumers own the sockets: they create an `Outlet` with the server's own `send` (see
`expose_send`), call `follow()` with the layer groups the socket may hear, `hold()` and
`release()` around each frame of the socket they handle, `expect()` after a welcome, and
`leave()` when the socket ends, however it ends.
"""

import asyncio
import contextlib
import fcntl
import json
import logging
import struct
import termios
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping

from channels.layers import get_channel_layer
from django.conf import settings
from websockets.frames import Frame, Opcode
from websockets.protocol import Protocol, State

from live.broadcast import FRAMES_MESSAGE
from live.languages import Speakers

logger = logging.getLogger(__name__)

LINGER_S = 30.0  # an empty stream keeps its subscription this long
STUCK_S = 30.0  # a socket over the byte limit this long is closed
WATCH_S = 0.5  # how often sockets over their limit are looked at again
REORDER_WAIT_S = 0.5  # how long an event ahead of its stream's next one waits for it
SEND_KEY = "live.send"  # where `expose_send` puts the server's own send in the scope

Send = Callable[[dict], Awaitable[None]]


def batch_interval_s() -> float:
    return settings.LIVE_BATCH_INTERVAL_MS / 1000


# --- the server's own send ---------------------------------------------------------------


def expose_send(app):
    """ASGI middleware (outermost): keep the server's own `send` in the scope.

    Channels' session middleware wraps `send` to save sessions on accept; the hub writes
    every live frame straight to the server's callable instead (one coroutine per frame,
    not three), and can look at the transport behind it (`SocketTransport`).
    """

    async def with_send(scope, receive, send):
        if scope["type"] == "websocket":
            scope = {**scope, SEND_KEY: send}
        return await app(scope, receive, send)

    return with_send


class SocketTransport:
    """What the hub sees of one socket's connection when the server lets it: uvicorn hands
    each connection its protocol's bound `send`, and behind it are the `websockets`
    sans-I/O connection and the asyncio transport. Other servers give none: their
    sockets are written through ASGI and never judged slow.

    - `over_limit`: more than LIVE_SLOW_CLIENT_BYTES wait to reach the client: the kernel's
      send queue (SIOCOUTQ, Linux) plus what the transport still buffers because that
      queue was full. Asking the kernel is a system call per socket and write (a tenth of
      a fan-out's cost), so it is asked only when the answer could be yes: the bytes
      queued can only have grown by what was written since the last answer.
    - `offer`: a finished WebSocket frame written straight to the transport, when no
      extension (deflate) was negotiated. Through ASGI each socket's `send` encodes and
      frames the text again; the hub frames an event once per language (`frame_bytes`)
      and writes the same bytes to every socket, as `websockets.broadcast()` shares one
      encoding. Writes stay in order with the socket's other sends: its consumer's replies
      (acks, welcomes) go out while the hub holds this socket's frames (`Outlet.hold`), and
      while one of the hub's own writes through `send` waits on a paused transport
      (`Outlet.sending`), the hub sends through `send` too.

    The transport pauses the protocol (whose `send` then waits) only past the limit, so one
    slow socket never holds up a fan-out: the hub stops writing to it first.
    """

    __slots__ = ("bound", "connection", "fd", "limit", "protocol", "shareable", "transport")

    def __init__(self, protocol, connection: Protocol, transport, fd: int) -> None:
        self.protocol = protocol
        self.connection = connection
        self.transport = transport
        self.fd = fd
        self.limit = settings.LIVE_SLOW_CLIENT_BYTES
        self.shareable = not connection.extensions  # frames made once fit every socket
        self.bound = 0  # at least as many bytes as wait in the kernel's queue
        transport.set_write_buffer_limits(high=self.limit + 1, low=self.limit // 2)

    @classmethod
    def of(cls, send: Send) -> "SocketTransport | None":
        protocol = getattr(send, "__self__", None)
        connection = getattr(protocol, "conn", None)
        transport = getattr(protocol, "transport", None)
        writable = getattr(protocol, "writable", None)
        if not isinstance(connection, Protocol) or not isinstance(writable, asyncio.Event):
            return None
        try:  # the client may be gone already (its transport closed)
            sock = None if transport.is_closing() else transport.get_extra_info("socket")
            return None if sock is None else cls(protocol, connection, transport, sock.fileno())
        except (AttributeError, OSError, RuntimeError):
            return None

    def closing(self) -> bool:
        """The socket is closing or gone: a client that dropped without a close frame leaves
        the connection OPEN but the protocol disconnected and the transport closed."""
        protocol = self.protocol
        return (
            protocol.close_sent
            or protocol.disconnected
            or self.transport.is_closing()
            or self.connection.state is not State.OPEN
        )

    def offer(self, frame: bytes) -> bool | None:
        """Write `frame`: True once written, False when the socket is over its limit, None
        when it is closing (the caller then uses `send`, which says so as ASGI requires).
        One call per socket and event: it runs a million times a minute at 1,000 sockets."""
        transport = self.transport
        if self.closing():
            return None
        # A paused transport holds bytes (it pauses past the limit and resumes below half
        # of it): only a socket with bytes waiting is asked whether it is paused.
        waiting = self.bound > self.limit or transport.get_write_buffer_size()
        if waiting and (not self.protocol.writable.is_set() or self.measure()):
            return False
        transport.write(frame)
        self.bound += len(frame)
        return True

    def wrote(self, size: int) -> None:
        """`size` more bytes went to the socket another way (a welcome, an ack)."""
        self.bound += size

    def over_limit(self) -> bool:
        if not self.protocol.writable.is_set():
            return True  # paused: a write would wait for it
        if self.closing():
            return False  # its consumer is leaving (and its descriptor may be reused)
        if not self.transport.get_write_buffer_size() and self.bound <= self.limit:
            return False  # the kernel's queue holds at most `bound` bytes
        return self.measure()

    def measure(self) -> bool:
        """Ask how many bytes wait (the transport's, the kernel's): over the limit?"""
        self.bound = self.transport.get_write_buffer_size() + self.kernel_queue()
        return self.bound > self.limit

    def kernel_queue(self) -> int:
        outq = getattr(termios, "TIOCOUTQ", None)  # SIOCOUTQ on Linux
        if outq is None:
            return 0  # not knowable here: only the transport's buffer counts
        try:
            return struct.unpack("i", fcntl.ioctl(self.fd, outq, b"\0\0\0\0"))[0]
        except OSError:
            return 0


def frame_bytes(text: str) -> bytes:
    """`text` as one unmasked WebSocket text frame, what a server sends."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


# --- one socket ------------------------------------------------------------------------


class Outlet:
    """One socket as the hub sees it: where to write, in which language, what it follows."""

    __slots__ = (
        "__weakref__",
        "close",
        "floor",
        "groups",
        "held",
        "lagging_since",
        "language",
        "send",
        "sending",
        "shares_frames",
        "transport",
        "workshop_id",
    )

    def __init__(
        self,
        send: Send,
        language: str,
        close: Callable[[], Awaitable[None]],
        *,
        workshop_id: int,
    ) -> None:
        self.send = send
        self.language = language
        self.workshop_id = workshop_id
        self.close = close  # closes the socket (a stuck client reconnects)
        self.groups: frozenset[str] = frozenset()
        self.held: list[dict] | None = None  # messages kept while its own frame is handled
        self.floor: dict[str, int] = {}  # stream -> the seq its last welcome caught up to
        self.transport = SocketTransport.of(send)
        self.sending = 0  # writes through `send` under way (waiting while it is paused)
        # The hub writes frames made once for every socket to it (`SocketTransport.offer`).
        self.shares_frames = self.transport is not None and self.transport.shareable
        self.lagging_since: float | None = None

    def hold(self) -> None:
        """From now until `release`, keep this socket's frames aside (its reply comes first)."""
        if self.held is None:
            self.held = []

    async def release(self, welcomed: Mapping[str, int] | None = None) -> None:
        """Write the frames kept since `hold`, in one write. After a welcome (`welcomed`:
        stream key -> the seq it caught up to), events it carried are not sent again, now
        or when the hub writes them late (they may wait for a batch), nor events of
        streams no longer followed."""
        held, self.held = self.held or [], None
        if welcomed is not None:
            self.floor = dict(welcomed)
            held = [message for message in held if message["stream"] in welcomed]
        held = self.unseen(held)
        if held:
            await self.write(text_for(held, self.language))

    def unseen(self, messages: list[dict]) -> list[dict]:
        """`messages` without the events the last welcome already carried."""
        if not self.floor:
            return messages
        kept = []
        for message in messages:
            floor = self.floor.get(message["stream"])
            if floor is not None and message["seq"] is not None:
                if message["seq"] <= floor:
                    continue
                del self.floor[message["stream"]]  # past the welcome: no more to drop
            kept.append(message)
        return kept

    async def write(self, text: str) -> None:
        """Write one frame; a socket closing meanwhile is skipped, never an error for the
        hub (the consumer's exit removes it): the other sockets must still get the frame."""
        self.sent(text)
        self.sending += 1
        try:
            await self.send({"type": "websocket.send", "text": text})
        except Exception:  # uvicorn raises ClientDisconnected on a closing socket
            logger.debug("hub: a frame to a closing socket was dropped", exc_info=True)
        finally:
            self.sending -= 1

    def sent(self, text: str) -> None:
        """Count a frame sent to this socket (by the hub or by its consumer) towards what
        may wait in its queues (`SocketTransport.over_limit`)."""
        if self.transport is not None:
            self.transport.wrote(len(text.encode()))

    def over_limit(self) -> bool:
        return self.transport is not None and self.transport.over_limit()


def frame_in(message: dict, language: str) -> str:
    """The message's frame in `language`. An event rendered without it (the socket's
    language was not known in use yet) becomes `resync`: its client catches up from the
    log, in its language. Unsequenced frames (tallies, relays) are language-independent or
    carry every language: any will do."""
    frames: Mapping[str, str] = message["frames"]
    text = frames.get(language)
    if text is not None:
        return text
    if message["seq"] is not None:
        return RESYNC
    return next(iter(frames.values()))


def text_for(messages: list[dict], language: str) -> str:
    """One frame, or several as one `batch` frame, in `language`."""
    frames = [frame_in(message, language) for message in messages]
    return frames[0] if len(frames) == 1 else batch_text(frames)


def batch_text(texts: list[str]) -> str:
    """Several finished frames as one `batch` frame, without decoding them again."""
    return '{"type": "batch", "frames": [' + ", ".join(texts) + "]}"


RESYNC = json.dumps({"type": "resync"})
DEGRADED = json.dumps({"type": "degraded"})
LIVE = json.dumps({"type": "live"})
ECHO = "hub.echo"


# --- the hub ---------------------------------------------------------------------------


class Hub:
    """Fan-out of one process (one event loop); see the module's docstring."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.outlets: dict[str, dict[Outlet, None]] = {}  # layer group -> its local sockets
        self.subscribed: dict[str, asyncio.Future] = {}  # layer group -> done when joined
        self.pending: dict[str, list[dict]] = {}  # layer group -> messages not written yet
        self.scheduled: set[str] = set()  # groups with a write scheduled
        self.last_write: dict[str, float] = {}
        self.writing: set[str] = set()  # groups being written now (one writer at a time)
        self.next_seq: dict[str, int] = {}  # group -> the sequence number expected next
        self.early: dict[str, dict[int, dict]] = {}  # group -> seq -> a message ahead of it
        self._start_lock = asyncio.Lock()
        self._membership_lock = asyncio.Lock()  # one group_add/group_discard at a time
        self._reader: asyncio.Task | None = None
        self.lagging: weakref.WeakSet[Outlet] = weakref.WeakSet()
        self._watcher: asyncio.Task | None = None
        # False while the channel layer fails (heartbeat echoes lost): clients poll the log.
        self.live = True
        self.unjoined: set[str] = set()  # groups the layer refused to join while down
        self._echoes: dict[int, asyncio.Future] = {}
        self._heartbeat: asyncio.Task | None = None
        self.speakers = Speakers()  # the languages of local sockets, per workshop, in Redis

    # --- membership --------------------------------------------------------------------

    async def follow(self, outlet: Outlet, groups: Iterable[str]) -> None:
        """Make `outlet` hear exactly `groups`; returns once the layer delivers them here,
        so that a log read afterwards misses nothing published later."""
        wanted = frozenset(groups)
        speaks = bool(outlet.groups)
        for group in outlet.groups - wanted:
            self._drop(outlet, group)
        for group in wanted - outlet.groups:
            self.outlets.setdefault(group, {})[outlet] = None
        outlet.groups = wanted
        try:
            if wanted and not speaks:  # before the welcome reads the log (live/languages.py)
                await self.speakers.arrive(speaker(outlet), write=self.live)
            elif speaks and not wanted:
                self.speakers.depart(speaker(outlet))
            await self._start()
            for group in wanted:
                await self._subscribe(group)
        except Exception:
            # The layer is down: the socket is welcomed from the log and told to poll it;
            # the heartbeat joins these groups again once the layer is back.
            logger.warning("hub: the channel layer is unavailable", exc_info=True)
            self.unjoined.update(group for group in wanted if group not in self.subscribed)
            await self._set_live(False)

    def leave(self, outlet: Outlet) -> None:
        """The socket is gone: forget it (runs from the consumer's `finally`)."""
        if outlet.groups:
            self.speakers.depart(speaker(outlet))
        for group in outlet.groups:
            self._drop(outlet, group)
        outlet.groups = frozenset()
        outlet.held = None
        self.lagging.discard(outlet)

    def expect(self, group: str, seq: int) -> None:
        """A welcome caught a socket up to `seq - 1`, reading the log after the hub joined
        `group`: the next event of the stream to write is `seq` (unless known already)."""
        self.next_seq.setdefault(group, seq)

    def followers(self, group: str) -> int:
        return len(self.outlets.get(group, ()))

    def _drop(self, outlet: Outlet, group: str) -> None:
        members = self.outlets.get(group)
        if members is None:
            return
        members.pop(outlet, None)
        if not members:
            del self.outlets[group]
            # Nobody hears the stream here any more: the next welcome says where it is.
            self.next_seq.pop(group, None)
            self.early.pop(group, None)
            self.loop.call_later(LINGER_S, self._unsubscribe_if_empty, group)

    async def _start(self) -> None:
        if self._heartbeat is None:
            self._heartbeat = self.loop.create_task(self._beat())
        if self._reader is not None:
            return
        async with self._start_lock:
            if self._reader is None:
                self.channel = await self.layer.new_channel("hub.")
                self._reader = self.loop.create_task(self._read())

    # --- the channel layer's health ------------------------------------------------------

    async def _beat(self) -> None:
        """Echo a message through the layer to ourselves every LIVE_HEARTBEAT_S; a lost
        echo means the fan-out is down (Redis), a returning one that it is back."""
        number = 0
        while True:
            await asyncio.sleep(settings.LIVE_HEARTBEAT_S)
            number += 1
            healthy = await self._echo(number)
            if healthy and self.unjoined:
                healthy = await self._join_again()
            if healthy:  # before `live`: the hellos it causes find their languages known
                await self.speakers.renew()
            await self._set_live(healthy)

    async def _echo(self, number: int) -> bool:
        waiting = self._echoes[number] = self.loop.create_future()

        async def round_trip() -> None:
            if self._reader is None:
                await self._start()
            await self.layer.send(self.channel, {"type": ECHO, "number": number})
            await waiting

        try:
            await asyncio.wait_for(round_trip(), settings.LIVE_HEARTBEAT_S)
            return True
        except Exception:  # refused, reset, or no answer in time: a server that hangs
            return False
        finally:
            self._echoes.pop(number, None)

    async def _join_again(self) -> bool:
        for group in list(self.unjoined):
            if group not in self.outlets:
                self.unjoined.discard(group)  # nobody here follows it any more
                continue
            try:
                await self._subscribe(group)
            except Exception:
                return False
            self.unjoined.discard(group)
        return True

    async def _set_live(self, live: bool) -> None:
        if live == self.live:
            return
        self.live = live
        logger.warning("hub: live fan-out %s", "is back" if live else "is down")
        if live:
            # Events published while we were deaf never came: where each stream stands is
            # learnt again from the welcomes of the hellos the `live` frame asks for.
            self.next_seq.clear()
            self.early.clear()
        text = LIVE if live else DEGRADED
        for outlet in {outlet for members in self.outlets.values() for outlet in members}:
            if outlet.over_limit():  # a write would wait for it: it resyncs once drained
                await self._lagging(outlet)
            else:
                await outlet.write(text)

    async def _subscribe(self, group: str) -> None:
        joined = self.subscribed.get(group)
        if joined is None:
            joined = self.subscribed[group] = self.loop.create_future()
            try:
                async with self._membership_lock:
                    await self.layer.group_add(group, self.channel)
            except BaseException as error:
                del self.subscribed[group]
                joined.set_exception(error)
                joined.exception()  # retrieved: the caller re-raises it below
                raise
            joined.set_result(None)
        await joined

    def _unsubscribe_if_empty(self, group: str) -> None:
        if group in self.outlets or group not in self.subscribed:
            return
        joined = self.subscribed.pop(group)
        if joined.done() and not joined.exception():
            self.loop.create_task(self._discard(group))

    async def _discard(self, group: str) -> None:
        try:
            async with self._membership_lock:
                if group in self.subscribed:
                    return  # followed again meanwhile
                await self.layer.group_discard(group, self.channel)
        except Exception:
            logger.warning("hub: could not leave %s", group, exc_info=True)
        for table in (self.pending, self.last_write, self.next_seq, self.early):
            table.pop(group, None)

    # --- delivery ----------------------------------------------------------------------

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub: channel layer receive failed")
                await asyncio.sleep(1)
                continue
            if message.get("type") == FRAMES_MESSAGE and message.get("group") in self.outlets:
                self._in_order(message["group"], message)
            elif message.get("type") == ECHO:
                echoed = self._echoes.get(message.get("number"))
                if echoed is not None and not echoed.done():
                    echoed.set_result(None)

    def _in_order(self, group: str, message: dict) -> None:
        """Events of a stream go out in sequence order. Two commands committing one after
        the other (on two ORM threads, or in two processes) may publish in the other order:
        an event ahead of the next expected one waits up to REORDER_WAIT_S for the missing
        one, then goes anyway (its clients see the gap and resync from the log)."""
        seq = message["seq"]
        expected = self.next_seq.get(group)
        if seq is None or expected is None or seq == expected:
            self._accept(group, message)
            self._release_early(group)
        elif seq > expected:
            self.early.setdefault(group, {})[seq] = message
        # seq < expected: already written (a late duplicate): clients have it
        if self.early.get(group):
            waiting_for = self.next_seq[group]
            self.loop.call_later(REORDER_WAIT_S, self._give_up_waiting, group, waiting_for)

    def _accept(self, group: str, message: dict) -> None:
        if message["seq"] is not None:
            self.next_seq[group] = message["seq"] + 1
        self._queue(group, message)

    def _release_early(self, group: str) -> None:
        early = self.early.get(group)
        while early and self.next_seq.get(group) in early:
            self._accept(group, early.pop(self.next_seq[group]))
        if not early:
            self.early.pop(group, None)

    def _give_up_waiting(self, group: str, expected: int) -> None:
        early = self.early.get(group)
        if not early or self.next_seq.get(group) != expected:
            return  # the missing event came meanwhile
        self.next_seq[group] = min(early)  # lost below us: clients will resync
        self._release_early(group)
        if self.early.get(group):  # another hole further on
            waiting_for = self.next_seq[group]
            self.loop.call_later(REORDER_WAIT_S, self._give_up_waiting, group, waiting_for)

    def _queue(self, group: str, message: dict) -> None:
        self.pending.setdefault(group, []).append(message)
        if group in self.scheduled:
            return
        self.scheduled.add(group)
        wait = self.last_write.get(group, 0.0) + batch_interval_s() - time.monotonic()
        if wait > 0:
            self.loop.call_later(wait, self._write_soon, group)
        else:
            self.loop.call_soon(self._write_soon, group)  # lets queued messages join

    def _write_soon(self, group: str) -> None:
        self.loop.create_task(self._write(group))

    async def _write(self, group: str) -> None:
        if group in self.writing:  # the previous write of this group is still going
            self.loop.call_later(batch_interval_s(), self._write_soon, group)
            return
        self.scheduled.discard(group)
        messages = self.pending.pop(group, [])
        outlets = list(self.outlets.get(group, ()))
        if not messages or not outlets:
            return
        self.writing.add(group)
        self.last_write[group] = time.monotonic()
        try:
            await self._write_to(outlets, messages)
        finally:
            self.writing.discard(group)

    async def _write_to(self, outlets: list[Outlet], messages: list[dict]) -> None:
        texts: dict[str, str] = {}  # language -> the frame (or batch) written
        framed: dict[str, bytes] = {}  # language -> that frame's bytes, for every socket
        for outlet in outlets:
            if outlet.held is not None:
                outlet.held.extend(messages)
                continue
            # (The per-socket steps below are written out: they run a million times a
            # minute at 1,000 sockets.)
            transport = outlet.transport
            shared = outlet.shares_frames and not outlet.sending  # else through `send`
            if outlet.lagging_since is not None or (
                (outlet.floor or not shared) and transport and transport.over_limit()
            ):
                await self._lagging(outlet)
                continue
            if outlet.floor:  # a welcome may have carried some already
                unseen = outlet.unseen(messages)
                if len(unseen) < len(messages):
                    if unseen:
                        await outlet.write(text_for(unseen, outlet.language))
                    continue
            language = outlet.language
            text = texts.get(language)
            if text is None:
                text = texts[language] = text_for(messages, language)
            if shared:
                frame = framed.get(language)
                if frame is None:
                    frame = framed[language] = frame_bytes(text)
                written = transport.offer(frame)  # checks the limit too
                if written:
                    continue
                if written is False:
                    await self._lagging(outlet)
                    continue
            await outlet.write(text)

    async def _lagging(self, outlet: Outlet) -> None:
        """A socket over its limit gets no frames (they are dropped, not buffered) until it
        has drained; then it is told to resync (see `_watch`)."""
        if outlet.lagging_since is None:
            outlet.lagging_since = time.monotonic()
            self.lagging.add(outlet)
            logger.info("hub: a slow socket gets no frames until it has drained and resyncs")
            if self._watcher is None or self._watcher.done():
                self._watcher = self.loop.create_task(self._watch())

    async def _watch(self) -> None:
        while self.lagging:
            await asyncio.sleep(WATCH_S)
            for outlet in list(self.lagging):
                if not outlet.groups:
                    self.lagging.discard(outlet)  # gone meanwhile
                elif not outlet.over_limit():
                    outlet.lagging_since = None
                    self.lagging.discard(outlet)
                    await outlet.write(RESYNC)
                elif time.monotonic() - outlet.lagging_since > STUCK_S:
                    self.lagging.discard(outlet)
                    logger.info("hub: closing a socket that stayed stuck for %s s", STUCK_S)
                    with contextlib.suppress(Exception):
                        await outlet.close()


def speaker(outlet: Outlet) -> tuple[int, str]:
    return (outlet.workshop_id, outlet.language)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub (one per server process; one per test's loop)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub(loop)
    return found

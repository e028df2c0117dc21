"""Unsequenced snapshots of high-rate state (vote counts), coalesced per stream.

A burst of votes on a board becomes at most one frame per stream every INTERVAL seconds;
each frame carries the whole current value and a version, so a dropped one is healed by
the next, and the welcome frame carries the current ones (see docs/protocol.md).
"""

import asyncio
import contextvars
import json
import logging
from collections.abc import Callable

from channels.db import database_sync_to_async

from live.broadcast import send_frames

logger = logging.getLogger(__name__)

INTERVAL = 0.2
Render = Callable[[], dict[str, dict]]  # language -> frame

_loop: asyncio.AbstractEventLoop | None = None
Key = tuple[int, str, str]  # workshop, stream, topic
_pending: set[Key] = set()  # a frame is scheduled
_in_flight: set[Key] = set()  # a frame is being rendered and sent
_again: set[Key] = set()  # changed during the render: one more frame, INTERVAL later


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The server's event loop, where bursts are coalesced (consumers bind it on connect)."""
    global _loop
    _loop = loop


def publish_soon(workshop_id: int, stream: str, render: Render, *, topic: str) -> None:
    """Publish `render()` to `stream` within INTERVAL, once for however many calls meanwhile
    on the same `topic` (a board's dots, one poll's tally).

    Called after commit from any thread. Without a running server loop (a management
    command, a test without sockets) it publishes at once.
    """
    loop = _loop
    if loop is None or loop.is_closed() or not loop.is_running():
        _publish(workshop_id, stream, render)
        return
    # A fresh context: the caller's belongs to the thread of a sync_to_async call, and
    # asgiref would take the flush for a nested call into that (busy) thread.
    key = (workshop_id, stream, topic)
    loop.call_soon_threadsafe(_schedule, loop, key, render, context=contextvars.Context())


def _schedule(loop: asyncio.AbstractEventLoop, key: Key, render: Render) -> None:
    if key in _pending:
        return  # the frame already scheduled will read the state this change left
    if key in _in_flight:
        _again.add(key)  # the render under way may have read too early
        return
    _pending.add(key)
    loop.call_later(
        INTERVAL, lambda: loop.create_task(_flush(loop, key, render), context=contextvars.Context())
    )


async def _flush(loop: asyncio.AbstractEventLoop, key: Key, render: Render) -> None:
    # One render per key at a time: while commands queue on the database thread, frames
    # of the same tally must not pile up behind them and go out back to back.
    _pending.discard(key)
    _in_flight.add(key)
    try:
        workshop_id, stream, _topic = key
        await database_sync_to_async(_publish)(workshop_id, stream, render)
    finally:
        _in_flight.discard(key)
        if key in _again:
            _again.discard(key)
            _schedule(loop, key, render)


def _publish(workshop_id: int, stream: str, render: Render) -> None:
    try:
        frames = {language: json.dumps(frame) for language, frame in render().items()}
        if frames:  # nothing to show (e.g. a poll deleted meanwhile)
            send_frames(workshop_id, stream, frames)
    except Exception:
        # The votes are saved; the next change or reconnection shows them.
        logger.exception("snapshot publish failed for %s/%s", workshop_id, stream)

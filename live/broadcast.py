"""Appending events to the log and publishing them after commit.

Only services call `emit`; a test checks that nothing else publishes. Delivery through the
channel layer is at-most-once: clients that miss a frame see a gap in sequence numbers and
resync from the log (see docs/protocol.md).
"""

import json
import logging
from collections.abc import Mapping
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction

from live.events import public_data, validate_event
from live.languages import languages_in_use
from live.models import Event, Stream
from live.streams import layer_group

logger = logging.getLogger(__name__)

# What the fan-out hub of every process hears on a stream's group (live/hub.py).
FRAMES_MESSAGE = "live.frames"


class StreamMissing(LookupError):
    pass


def emit(
    *,
    workshop_id: int,
    stream: str,
    name: str,
    data: Mapping[str, object],
    shown: object | None = None,
) -> Event:
    """Append an event to `stream` with the next gap-free sequence number, publish on commit.

    Must run inside the service's transaction: the change, the sequence number and the
    event commit (or roll back) together. `shown`: what the event's fragment shows, loaded
    by the service with everything it needs (a post-it just written), so that publishing
    renders it without reading it again; a resync renders the event from the log. What it
    shows must stay locked until the commit, so that no change slips in between.
    """
    validate_event(name, data)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must run inside the service's transaction")
    if shown is not None:
        _check_renders_shown(name)
    stream_id, seq, language = _next_seq(workshop_id, stream)
    event = Event.objects.create(stream_id=stream_id, seq=seq, name=name, data=dict(data))
    publish_later = partial(publish, workshop_id, stream, event, language, shown=shown)
    transaction.on_commit(publish_later, robust=True)
    return event


def _check_renders_shown(name: str) -> None:
    from workshops.fragments import SHOWN_RENDERERS

    if name not in SHOWN_RENDERERS:  # raised now, not lost in an on_commit hook
        raise ValueError(f"{name} is not rendered from what its service shows")


def _next_seq(workshop_id: int, stream: str) -> tuple[int, int, str]:
    """The stream's id, its next sequence number, and the workshop's language (publish
    renders in it): one statement, as every event of every command pays for it."""
    from workshops.models import Workshop

    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before reading,
    # so two writers cannot get the same number.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Stream._meta.db_table} SET last_seq = last_seq + 1 "  # noqa: S608 (ours)
            "WHERE workshop_id = %s AND key = %s RETURNING id, last_seq, "
            f"(SELECT language FROM {Workshop._meta.db_table} WHERE id = %s)",
            [workshop_id, stream, workshop_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise StreamMissing(f"workshop {workshop_id} has no stream {stream!r}")
    return row[0], row[1], row[2]


def event_frame(
    workshop_id: int, stream: str, event: Event, language: str, shown: object | None = None
) -> dict:
    """The `event` frame of the protocol, with its HTML fragment rendered for `language`."""
    from workshops.fragments import render_event

    frame = {
        "type": "event",
        "stream": stream,
        "seq": event.seq,
        "name": event.name,
        "data": public_data(event.name, event.data),
    }
    fragment = render_event(workshop_id, event.name, event.data, language, shown)
    if fragment is not None:
        frame.update(fragment)
    return frame


def publish(
    workshop_id: int,
    stream: str,
    event: Event,
    workshop_language: str,
    shown: object | None = None,
) -> None:
    """Render the frame once per language some socket of the workshop speaks (and in the
    workshop's own) and send them with one group_send for the stream."""
    frames = {
        code: json.dumps(event_frame(workshop_id, stream, event, code, shown), ensure_ascii=False)
        for code in languages_in_use(workshop_id, workshop_language)
    }
    try:
        send_frames(workshop_id, stream, frames, seq=event.seq)
    except Exception:
        # The event is committed; clients will find it when they resync.
        logger.exception("live fan-out failed for %s/%s#%s", workshop_id, stream, event.seq)


def send_frames(
    workshop_id: int, stream: str, frames: Mapping[str, str], *, seq: int | None = None
) -> None:
    """One group_send of finished frames (by language) to a stream's sockets. Unsequenced
    frames (`seq` None: tallies, document updates) are healed by the next one or a resync."""
    group = layer_group(workshop_id, stream)
    message = {
        "type": FRAMES_MESSAGE,
        "group": group,
        "stream": stream,
        "seq": seq,
        "frames": dict(frames),
    }
    async_to_sync(get_channel_layer().group_send)(group, message)


def relay(workshop_id: int, stream: str, frame: Mapping[str, object]) -> None:
    """Send the same unsequenced frame to every socket of a stream, whatever its language."""
    encoded = json.dumps(frame)
    try:
        send_frames(workshop_id, stream, {code: encoded for code, _name in settings.LANGUAGES})
    except Exception:
        logger.exception("live relay failed for %s/%s", workshop_id, stream)

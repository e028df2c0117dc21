"""What a (re)connecting client missed on each stream it follows."""

import threading
from collections import OrderedDict
from collections.abc import Mapping

from django.conf import settings

from live.broadcast import event_frame
from live.models import Event, Stream

# Rendered event frames by (stream id, seq, language). A room that reconnects at once asks
# for the same missed events a thousand times; each is rendered once. A frame rendered at
# any time after its event committed is a valid replay: events are applied in order, and
# each later change of the same element comes as a later event, rendered after it.
RENDERED_FRAMES = 4096
_rendered: OrderedDict[tuple[int, int, str], dict] = OrderedDict()
_rendered_lock = threading.Lock()


def catch_up(
    *, workshop_id: int, followed: list[str], last: Mapping[str, int], language: str
) -> dict[str, dict]:
    """Per stream: the events after the client's last sequence, or a fresh snapshot.

    A snapshot (`reset`) replaces the stream's region when the client is new to the stream
    (just moved to another group), too far behind, or ahead of the log (a restored database).
    """
    from workshops.fragments import render_stream_snapshot

    rows = Stream.objects.filter(workshop_id=workshop_id, key__in=followed)
    positions = {row.key: (row.pk, row.last_seq) for row in rows}
    welcome: dict[str, dict] = {}
    for key in followed:
        if key not in positions:
            continue
        stream_id, current = positions[key]
        seen = last.get(key)
        if seen is None or seen > current or current - seen > settings.LIVE_MAX_MISSED_EVENTS:
            snapshot = render_stream_snapshot(workshop_id, key, language)
            welcome[key] = {"seq": current, "reset": snapshot}
            continue
        missed = missed_frames(workshop_id, key, stream_id, seen, current, language)
        welcome[key] = {"seq": current, "missed": missed}
    return welcome


def missed_frames(
    workshop_id: int, key: str, stream_id: int, seen: int, current: int, language: str
) -> list[dict]:
    """The frames of events seen+1..current, rendered once per process and language."""
    wanted = [(stream_id, seq, language) for seq in range(seen + 1, current + 1)]
    with _rendered_lock:
        frames = [_rendered.get(entry) for entry in wanted]
    if all(frame is not None for frame in frames):
        return frames  # sequence numbers have no gaps: nothing else to read
    events = Event.objects.filter(stream_id=stream_id, seq__gt=seen, seq__lte=current)
    frames = []
    for event in events.order_by("seq"):
        entry = (stream_id, event.seq, language)
        with _rendered_lock:
            frame = _rendered.get(entry)
        if frame is None:
            frame = event_frame(workshop_id, key, event, language)
            with _rendered_lock:
                _rendered[entry] = frame
                while len(_rendered) > RENDERED_FRAMES:
                    _rendered.popitem(last=False)
        frames.append(frame)
    return frames

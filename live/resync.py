"""What a (re)connecting client missed on each stream it follows."""

from collections.abc import Mapping

from django.conf import settings

from live.broadcast import event_frame
from live.models import Event, Stream


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
        missed = Event.objects.filter(stream_id=stream_id, seq__gt=seen, seq__lte=current)
        welcome[key] = {
            "seq": current,
            "missed": [
                event_frame(workshop_id, key, event, language) for event in missed.order_by("seq")
            ],
        }
    return welcome

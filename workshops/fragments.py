"""HTML fragments that live frames carry, rendered from the same partials as the pages.

Rendered once per (event, language), never per viewer: what differs per viewer (their own
items' controls) is revealed in the browser from data attributes.
"""

from collections.abc import Callable, Mapping

from django.template.loader import render_to_string
from django.utils import translation

from live import streams
from live.events import PHASE_EVENTS
from workshops import selectors
from workshops.models import Workshop

Swap = dict[str, str]


def board_target(stream: str) -> str:
    return "#board-" + stream.replace(":", "")


def _postit_created(workshop_id: int, data: Mapping) -> list[Swap]:
    postit = selectors.postit_for_display(data["postit"])
    if postit is None:  # deleted since: a later event says so
        return []
    stream = streams.group_stream(postit.group_id) if postit.group_id else streams.WORKSHOP
    html = render_to_string("workshops/partials/postit.html", {"postit": postit})
    return [{"html": html, "target": board_target(stream), "swap": "upsert"}]


def _postit_deleted(workshop_id: int, data: Mapping) -> list[Swap]:
    return [{"html": "", "target": f"#postit-{data['postit']}", "swap": "delete"}]


def moderation_swap(workshop_id: int) -> Swap:
    html = render_to_string(
        "workshops/partials/hidden_postits.html",
        {"hidden_postits": selectors.hidden_postits(workshop_id)},
    )
    return {"html": html, "target": "#hidden-postits", "swap": "outerHTML"}


def _moderation_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    return [moderation_swap(workshop_id)]


def _participant_joined(workshop_id: int, data: Mapping) -> list[Swap]:
    participant = selectors.participant_for_display(data["participant"])
    if participant is None:
        return []
    row = render_to_string("workshops/partials/participant_row.html", {"participant": participant})
    counts = render_to_string(
        "workshops/partials/attendance_counts.html",
        {"attendance": selectors.attendance(participant.workshop_id)},
    )
    return [
        {"html": row, "target": "#participants", "swap": "upsert"},
        {"html": counts, "target": "#attendance-counts", "swap": "outerHTML"},
        groups_panel_swap(workshop_id),
    ]


def agenda_swaps(workshop_id: int) -> list[Swap]:
    """The current phase banner (every screen) and the agenda (the console)."""
    context = selectors.agenda_context(workshop_id)
    return [
        {
            "html": render_to_string("workshops/partials/now.html", context),
            "target": "#now",
            "swap": "outerHTML",
        },
        {
            "html": render_to_string("workshops/partials/agenda.html", context),
            "target": "#agenda",
            "swap": "outerHTML",
        },
    ]


def _phase_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    return agenda_swaps(workshop_id)


def groups_panel_swap(workshop_id: int) -> Swap:
    html = render_to_string(
        "workshops/partials/groups_panel.html", selectors.groups_panel(workshop_id)
    )
    return {"html": html, "target": "#groups", "swap": "outerHTML"}


def attendance_swap(workshop_id: int) -> Swap:
    workshop = Workshop.objects.get(pk=workshop_id)
    html = render_to_string(
        "workshops/partials/attendance.html", selectors.attendance_panel(workshop)
    )
    return {"html": html, "target": "#attendance", "swap": "outerHTML"}


def _groups_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    # Presence is counted per group: the attendance card follows the groups.
    return [groups_panel_swap(workshop_id), attendance_swap(workshop_id)]


def _broadcast_sent(workshop_id: int, data: Mapping) -> list[Swap]:
    html = render_to_string(
        "workshops/partials/broadcast.html",
        {"broadcast": selectors.latest_broadcast(workshop_id)},
    )
    return [{"html": html, "target": "#broadcast", "swap": "outerHTML"}]


def _hands_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    html = render_to_string("workshops/partials/hands.html", selectors.speaking_queue(workshop_id))
    return [{"html": html, "target": "#hands", "swap": "outerHTML"}]


RENDERERS: dict[str, Callable[[int, Mapping], list[Swap]]] = {
    "postit.created": _postit_created,
    "postit.updated": _postit_created,  # the same upsert: the post-it as it is now
    "postit.deleted": _postit_deleted,
    "postit.hidden": _postit_deleted,  # gone from every board, like a deleted one
    "postit.restored": _postit_created,  # back where it was
    "moderation.changed": _moderation_changed,
    "participant.joined": _participant_joined,
    **{event.name: _phase_changed for event in PHASE_EVENTS},
    "groups.changed": _groups_changed,
    "broadcast.sent": _broadcast_sent,
    "hands.changed": _hands_changed,
}


def render_event(workshop_id: int, name: str, data: Mapping, language: str) -> dict | None:
    """The `swaps` of an event frame, or None when the event changes nothing on screen."""
    renderer = RENDERERS.get(name)
    if renderer is None:
        return None
    with translation.override(language):
        return {"swaps": renderer(workshop_id, data)}


def render_stream_snapshot(workshop_id: int, stream: str, language: str) -> dict:
    """The whole current state a stream shows, for a client too far behind to catch up."""
    with translation.override(language):
        if stream == streams.FACILITATORS:
            swaps = [
                attendance_swap(workshop_id),
                groups_panel_swap(workshop_id),
                moderation_swap(workshop_id),
            ]
            return {"swaps": swaps}
        group_id = int(stream.split(":")[1]) if stream.startswith("group:") else None
        html = render_to_string(
            "workshops/partials/board.html",
            {
                "stream": stream,
                "postits": selectors.board_postits(workshop_id=workshop_id, group_id=group_id),
            },
        )
        swaps = [{"html": html, "target": board_target(stream), "swap": "outerHTML"}]
        if stream == streams.WORKSHOP:
            swaps += agenda_swaps(workshop_id) + _hands_changed(workshop_id, {})
            swaps += _broadcast_sent(workshop_id, {})
        return {"swaps": swaps}

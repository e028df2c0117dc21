"""HTML fragments that live frames carry, rendered from the same partials as the pages.

Rendered once per (event, language), never per viewer: what differs per viewer (their own
items' controls) is revealed in the browser from data attributes.
"""

import time
from collections.abc import Callable, Mapping

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from live import streams
from live.events import PHASE_EVENTS
from workshops import selectors
from workshops.models import Group, Poll, PostIt, Workshop

Swap = dict[str, str]


def board_target(stream: str) -> str:
    return "#board-" + selectors.board_dom_id(stream)


def _postit_upsert(postit_id: int) -> list[Swap]:
    """The post-it as it is now, in place, or at the end of its lane when it is new there."""
    postit = selectors.postit_for_display(postit_id)
    if postit is None:  # deleted, hidden or merged since: a later event says so
        return []
    return _postit_swaps(postit)


def _postit_swaps(postit: PostIt) -> list[Swap]:
    board = selectors.board_dom_id(streams.board_stream(postit.group_id))
    lane = selectors.lane_dom_id(board, postit.cluster_id)
    html = render_to_string("workshops/partials/postit.html", {"postit": postit})
    return [{"html": html, "target": f"#{lane}-postits", "swap": "upsert"}]


def _postit_created(workshop_id: int, data: Mapping) -> list[Swap]:
    postit = selectors.postit_for_display(data["postit"], merged=False)
    return [] if postit is None else _new_postit(postit)


def _new_postit(postit: PostIt) -> list[Swap]:
    """A post-it as its `postit.created` event shows it, live (as `postit_create` loaded
    it) or replayed by a resync: without the texts merged into it since, as a merge is a
    later event of the same stream, which renders it again with them."""
    postit.merged_list = []
    return _postit_swaps(postit)


def _postit_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    return _postit_upsert(data["postit"])


def _postit_deleted(workshop_id: int, data: Mapping) -> list[Swap]:
    return [{"html": "", "target": f"#postit-{data['postit']}", "swap": "delete"}]


def _lane_swap(workshop_id: int, group_id: int | None, cluster_id: int | None) -> list[Swap]:
    lane = selectors.board_lane(workshop_id, group_id, cluster_id)
    if lane is None:
        return []
    html = render_to_string("workshops/partials/lane.html", {"lane": lane})
    return [{"html": html, "target": f"#{lane.dom_id}", "swap": "outerHTML"}]


def _postit_moved(workshop_id: int, data: Mapping) -> list[Swap]:
    # The lane it left first: the post-it's id must not be in two lanes at once.
    lanes = dict.fromkeys([data["from"], data["cluster"]])
    return [swap for lane in lanes for swap in _lane_swap(workshop_id, data["group"], lane)]


def _postit_merged(workshop_id: int, data: Mapping) -> list[Swap]:
    return _postit_deleted(workshop_id, data) + _postit_upsert(data["into"])


def _conclusion_locked(workshop_id: int, data: Mapping) -> list[Swap]:
    group = Group.objects.filter(pk=data["group"], workshop_id=workshop_id).first()
    if group is None:
        return []
    html = render_to_string(
        "workshops/partials/conclusion.html",
        {"group": group, "conclusion": selectors.group_conclusion(group)},
    )
    return [{"html": html, "target": f"#conclusion-{group.pk}", "swap": "outerHTML"}]


def board_swap(workshop_id: int, group_id: int | None) -> Swap:
    workshop = Workshop.objects.get(pk=workshop_id)
    group = workshop.groups.filter(pk=group_id).first() if group_id else None
    if group_id and group is None:
        return {
            "html": "",
            "target": board_target(streams.board_stream(group_id)),
            "swap": "delete",
        }
    html = render_to_string(
        "workshops/partials/board.html", {"board": selectors.board(workshop, group)}
    )
    return {
        "html": html,
        "target": board_target(streams.board_stream(group_id)),
        "swap": "outerHTML",
    }


def _board_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    return [board_swap(workshop_id, data["group"])]


def _cluster_renamed(workshop_id: int, data: Mapping) -> list[Swap]:
    lane = selectors.board_lane(workshop_id, data["group"], data["cluster"])
    return _lane_swap(workshop_id, data["group"], data["cluster"]) if lane else []


def board_rules_swap(workshop_id: int) -> Swap:
    html = render_to_string(
        "workshops/partials/board_rules.html", {"workshop": Workshop.objects.get(pk=workshop_id)}
    )
    return {"html": html, "target": "#board-rules", "swap": "outerHTML"}


def _board_configured(workshop_id: int, data: Mapping) -> list[Swap]:
    return [board_rules_swap(workshop_id)]


def _languages(only: str | None) -> list[str]:
    """Every language a frame is rendered in, or just the one a welcome needs."""
    return [only] if only else [code for code, _name in settings.LANGUAGES]


def tally_frames(
    workshop_id: int, group_id: int | None, only: str | None = None
) -> dict[str, dict]:
    """The `tally` frame of a board, per language: its dot counts (when they may be shown)
    and its results, with a version so an older frame never overwrites a newer one."""
    version = time.time_ns() // 1000  # µs, exact in JavaScript; read before the state
    workshop = Workshop.objects.get(pk=workshop_id)
    group = workshop.groups.filter(pk=group_id).first() if group_id else None
    board = selectors.board(workshop, group)
    results = board.results
    frames = {}
    for language in _languages(only):
        with translation.override(language):
            html = render_to_string(
                "workshops/partials/results.html", {"board": board, "results": results}
            )
        frames[language] = {
            "type": "tally",
            "topic": "board",
            "stream": board.stream,
            "version": version,
            "phase": results.phase.pk if results else None,
            "visible": bool(results and results.visible),
            "counts": {str(pk): n for pk, n in results.counts.items()}
            if results and results.visible
            else {},
            "swaps": [{"html": html, "target": f"#results-{board.dom_id}", "swap": "outerHTML"}],
        }
    return frames


def shared_conclusions_swap(workshop_id: int) -> Swap:
    context = selectors.shared_conclusions(Workshop.objects.get(pk=workshop_id))
    html = render_to_string("workshops/partials/shared_conclusions.html", context)
    return {"html": html, "target": "#shared-conclusions", "swap": "outerHTML"}


def _conclusions_shared(workshop_id: int, data: Mapping) -> list[Swap]:
    # The console offers the one button that applies now.
    shared = Workshop.objects.filter(pk=workshop_id, conclusions_shared=True).exists()
    share = render_to_string("workshops/partials/conclusions_share.html", {"shared": shared})
    return [
        shared_conclusions_swap(workshop_id),
        {"html": share, "target": "#conclusions-share", "swap": "outerHTML"},
    ]


def conclusions_tally_frames(workshop_id: int, only: str | None = None) -> dict[str, dict]:
    """The plenary's vote on the conclusions, as a `tally` frame per language."""
    version = time.time_ns() // 1000  # µs, exact in JavaScript; read before the state
    context = selectors.shared_conclusions(Workshop.objects.get(pk=workshop_id))
    frames = {}
    for language in _languages(only):
        with translation.override(language):
            html = render_to_string("workshops/partials/conclusions_results.html", context)
        frames[language] = {
            "type": "tally",
            "topic": "conclusions",
            "stream": streams.WORKSHOP,
            "version": version,
            "swaps": [{"html": html, "target": "#conclusions-results", "swap": "outerHTML"}],
        }
    return frames


def poll_tally_frames(poll_id: int, audience: str, only: str | None = None) -> dict[str, dict]:
    """A poll's `tally` frame per language, for its audience ("public": what participants
    and the projector may see now) or the facilitators ("lead": always everything)."""
    version = time.time_ns() // 1000  # µs, exact in JavaScript; read before the state
    poll = Poll.objects.filter(pk=poll_id).select_related("workshop").first()
    lead = audience == "lead"
    if poll is None:
        return {}
    results = selectors.poll_results(poll)
    stream = streams.FACILITATORS if lead else streams.board_stream(poll.group_id)
    frames = {}
    for language in _languages(only):
        with translation.override(language):
            html = render_to_string(
                "workshops/partials/poll_results.html", {"results": results, "lead": lead}
            )
        target = f"#poll-{poll.pk}-{'lead-' if lead else ''}results"
        frames[language] = {
            "type": "tally",
            "topic": f"poll:{poll.pk}",
            "stream": stream,
            "version": version,
            "swaps": [{"html": html, "target": target, "swap": "outerHTML"}],
        }
    return frames


def current_tallies(workshop_id: int, followed: list[str], language: str) -> list[dict]:
    """The welcome's snapshots: each followed board's dot tally once a dot vote began, and
    the tallies of the polls opened on the streams followed."""
    frames = []
    if selectors.latest_vote_phase(workshop_id) is not None:
        frames += [
            tally_frames(workshop_id, streams.group_of(stream), language)[language]
            for stream in followed
            if stream != streams.FACILITATORS
        ]
    shared = Workshop.objects.filter(pk=workshop_id, conclusions_shared=True).exists()
    if shared and streams.WORKSHOP in followed:
        frames.append(conclusions_tally_frames(workshop_id, language)[language])
    polls = Poll.objects.filter(workshop_id=workshop_id).exclude(status=Poll.Status.DRAFT)
    for poll in polls.only("id", "group_id"):
        if streams.board_stream(poll.group_id) in followed:
            frames.append(poll_tally_frames(poll.pk, "public", language)[language])
        if streams.FACILITATORS in followed:
            frames.append(poll_tally_frames(poll.pk, "lead", language)[language])
    return frames


def _poll_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    # The phase banner too: a poll phase says "The poll is coming" until a poll opens.
    now = now_swap(workshop_id)
    poll = selectors.poll_for_display(data["poll"])
    if poll is None:  # a draft (not shown yet), deleted, or closed in a phase now over
        return [{"html": "", "target": f"#poll-{data['poll']}", "swap": "delete"}, now]
    html = render_to_string("workshops/partials/poll_card.html", {"poll": poll})
    target = "#polls-" + selectors.board_dom_id(streams.board_stream(poll.group_id))
    # The newest poll comes first.
    return [{"html": html, "target": target, "swap": "upsert", "position": "afterbegin"}, now]


def poll_list_swap(workshop_id: int, group_id: int | None) -> Swap:
    dom_id = selectors.board_dom_id(streams.board_stream(group_id))
    polls = selectors.shown_polls(Poll.objects.filter(workshop_id=workshop_id, group_id=group_id))
    html = render_to_string("workshops/partials/poll_list.html", {"polls": polls, "dom_id": dom_id})
    return {"html": html, "target": f"#polls-{dom_id}", "swap": "outerHTML"}


def polls_panel_swap(workshop_id: int) -> Swap:
    context = selectors.console_polls(Workshop.objects.get(pk=workshop_id))
    html = render_to_string("workshops/partials/polls_panel.html", context)
    return {"html": html, "target": "#polls-panel", "swap": "outerHTML"}


def _polls_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    return [polls_panel_swap(workshop_id)]


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


def now_swap(workshop_id: int) -> Swap:
    html = render_to_string("workshops/partials/now.html", selectors.agenda_context(workshop_id))
    return {"html": html, "target": "#now", "swap": "outerHTML"}


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


def notes_swap(workshop_id: int) -> Swap:
    html = render_to_string(
        "workshops/partials/facilitator_notes.html", selectors.facilitator_notes(workshop_id)
    )
    return {"html": html, "target": "#notes", "swap": "outerHTML"}


def _notes_changed(workshop_id: int, data: Mapping) -> list[Swap]:
    return [notes_swap(workshop_id)]


def _participants_anonymized(workshop_id: int, data: Mapping) -> list[Swap]:
    return [attendance_swap(workshop_id), groups_panel_swap(workshop_id)]


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
    "postit.updated": _postit_changed,  # the same upsert: the post-it as it is now
    "postit.deleted": _postit_deleted,
    "postit.hidden": _postit_deleted,  # gone from every board, like a deleted one
    "postit.restored": _postit_changed,  # back where it was
    "postit.moved": _postit_moved,
    "postit.merged": _postit_merged,
    "cluster.created": _board_changed,
    "cluster.renamed": _cluster_renamed,
    "cluster.dissolved": _board_changed,
    "board.configured": _board_configured,
    "board.redrawn": _board_changed,
    "poll.changed": _poll_changed,
    "conclusion.locked": _conclusion_locked,
    "conclusions.shared": _conclusions_shared,
    "polls.changed": _polls_changed,
    "moderation.changed": _moderation_changed,
    "participant.joined": _participant_joined,
    **{event.name: _phase_changed for event in PHASE_EVENTS},
    "notes.changed": _notes_changed,
    "participants.anonymized": _participants_anonymized,
    "groups.changed": _groups_changed,
    "broadcast.sent": _broadcast_sent,
    "hands.changed": _hands_changed,
    "workshop.closed": _phase_changed,  # the banner and the agenda say it is closed
    "workshop.reopened": _phase_changed,
}


# Events whose service may hand over what they show (`emit(shown=...)`): rendered from it.
SHOWN_RENDERERS: dict[str, Callable[[PostIt], list[Swap]]] = {
    "postit.created": _new_postit,
}


def render_event(
    workshop_id: int, name: str, data: Mapping, language: str, shown: object | None = None
) -> dict | None:
    """The `swaps` of an event frame, or None when the event changes nothing on screen.
    `shown`: what the event shows, already loaded (`emit` says when)."""
    renderer = RENDERERS.get(name)
    if renderer is None:
        return None
    with translation.override(language):
        if shown is not None:
            return {"swaps": SHOWN_RENDERERS[name](shown)}
        return {"swaps": renderer(workshop_id, data)}


def render_stream_snapshot(workshop_id: int, stream: str, language: str) -> dict:
    """The whole current state a stream shows, for a client too far behind to catch up."""
    with translation.override(language):
        if stream == streams.FACILITATORS:
            swaps = [
                attendance_swap(workshop_id),
                groups_panel_swap(workshop_id),
                moderation_swap(workshop_id),
                polls_panel_swap(workshop_id),
                notes_swap(workshop_id),
            ]
            return {"swaps": swaps}
        group_id = streams.group_of(stream)
        swaps = [board_swap(workshop_id, group_id), poll_list_swap(workshop_id, group_id)]
        if stream == streams.WORKSHOP:
            swaps += agenda_swaps(workshop_id) + _hands_changed(workshop_id, {})
            swaps += [*_broadcast_sent(workshop_id, {}), board_rules_swap(workshop_id)]
            swaps.append(shared_conclusions_swap(workshop_id))
        return {"swaps": swaps}

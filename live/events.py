"""Every event the server can append to a stream, declared once with its exact fields.

Payloads carry ids only (participant, group, post-it), never names or emails, so that
anonymity and GDPR erasure never require rewriting the log: names are joined in when
rendering.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import NoneType


class EventSchemaError(ValueError):
    pass


@dataclass(frozen=True)
class EventType:
    name: str
    fields: Mapping[str, type | tuple[type, ...]]
    # Kept in the log (the minutes say who did what) but never sent to screens: an
    # anonymous workshop must not leak its authors' ids to participants.
    private: frozenset[str] = frozenset()

    def validate(self, data: Mapping[str, object]) -> None:
        missing = self.fields.keys() - data.keys()
        extra = data.keys() - self.fields.keys()
        if missing or extra:
            raise EventSchemaError(
                f"{self.name}: missing {sorted(missing)}, undeclared {sorted(extra)}"
            )
        for field, expected in self.fields.items():
            value = data[field]
            # bool is an int in Python; an id field must never accept True.
            if isinstance(value, bool) and bool not in _as_tuple(expected):
                raise EventSchemaError(f"{self.name}.{field}: bool is not {expected}")
            if not isinstance(value, expected):
                raise EventSchemaError(f"{self.name}.{field}: {value!r} is not {expected}")


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


OptionalId = (int, NoneType)

PARTICIPANT_JOINED = EventType(
    "participant.joined", {"participant": int, "location": str, "group": OptionalId}
)
POSTIT_CREATED = EventType(
    "postit.created",
    {"postit": int, "author": int, "group": OptionalId},
    private=frozenset({"author"}),
)
POSTIT_UPDATED = EventType(
    "postit.updated",
    {"postit": int, "author": int, "group": OptionalId},
    private=frozenset({"author"}),
)
POSTIT_DELETED = EventType("postit.deleted", {"postit": int, "group": OptionalId})
# The board: a post-it moved to a place in a lane (`cluster` None: not sorted yet; `from`
# the lane it left), clusters, duplicates merged, boards opened to everyone.
POSTIT_MOVED = EventType(
    "postit.moved",
    {"postit": int, "group": OptionalId, "cluster": OptionalId, "from": OptionalId},
)
CLUSTER_EVENTS = tuple(
    EventType(name, {"cluster": int, "group": OptionalId})
    for name in ("cluster.created", "cluster.renamed", "cluster.dissolved")
)
POSTIT_MERGED = EventType("postit.merged", {"postit": int, "into": int, "group": OptionalId})
# Polls: the poll as participants see it (its stream), the console's list (facilitators).
# Answers are not events: tallies travel as coalesced snapshots.
POLL_CHANGED = EventType("poll.changed", {"poll": int, "group": OptionalId})
POLLS_CHANGED = EventType("polls.changed", {"poll": int})
# A group's conclusion made read-only (or writable again): its editors follow.
CONCLUSION_LOCKED = EventType("conclusion.locked", {"group": int, "locked": bool})
# The groups' conclusions brought to the plenary (or taken back).
CONCLUSIONS_SHARED = EventType("conclusions.shared", {"shared": bool})
BOARD_CONFIGURED = EventType("board.configured", {"open": bool, "anonymous": bool})
# A board drawn again whole, on its own stream (e.g. names shown or hidden).
BOARD_REDRAWN = EventType("board.redrawn", {"group": OptionalId})
# Moderation: hidden and restored post-its (their stream), the console's list (facilitators).
POSTIT_HIDDEN = EventType("postit.hidden", {"postit": int, "group": OptionalId})
POSTIT_RESTORED = EventType("postit.restored", {"postit": int, "group": OptionalId})
MODERATION_CHANGED = EventType("moderation.changed", {"postit": int})

# The agenda and the current phase: the phase touched (a removed one's id is kept).
PHASE_EVENTS = tuple(
    EventType(name, {"phase": int})
    for name in (
        "agenda.changed",
        "phase.started",
        "phase.paused",
        "phase.resumed",
        "phase.extended",
        "phase.ended",
    )
)

# Facilitators' notes on a phase, for the minutes (the console's notes card).
NOTES_CHANGED = EventType("notes.changed", {"phase": int})
# Participants' identities erased (on request or at the end of the retention): the
# console's lists of people are redrawn.
PARTICIPANTS_ANONYMIZED = EventType("participants.anonymized", {})

# Breakout groups. groups.changed (facilitators) redraws the console's panel; the others
# (workshop) tell screens to look again at where their person is.
GROUPS_CHANGED = EventType("groups.changed", {})
PARTICIPANT_MOVED = EventType("participant.moved", {"participant": int, "group": OptionalId})
BREAKOUTS_CHANGED = EventType("breakouts.changed", {"breakouts": bool})
BROADCAST_SENT = EventType("broadcast.sent", {"broadcast": int})
# The speaking queue (hands raised, the current speaker): redrawn whole, it is short.
HANDS_CHANGED = EventType("hands.changed", {})

# The workshop closes (nobody joins or writes any more) or is opened again.
WORKSHOP_CLOSED = EventType("workshop.closed", {})
WORKSHOP_REOPENED = EventType("workshop.reopened", {})

EVENT_TYPES: dict[str, EventType] = {
    event.name: event
    for event in (
        PARTICIPANT_JOINED,
        POSTIT_CREATED,
        POSTIT_UPDATED,
        POSTIT_DELETED,
        POSTIT_MOVED,
        *CLUSTER_EVENTS,
        POSTIT_MERGED,
        BOARD_CONFIGURED,
        BOARD_REDRAWN,
        POLL_CHANGED,
        POLLS_CHANGED,
        CONCLUSION_LOCKED,
        CONCLUSIONS_SHARED,
        POSTIT_HIDDEN,
        POSTIT_RESTORED,
        MODERATION_CHANGED,
        *PHASE_EVENTS,
        NOTES_CHANGED,
        PARTICIPANTS_ANONYMIZED,
        GROUPS_CHANGED,
        PARTICIPANT_MOVED,
        BREAKOUTS_CHANGED,
        BROADCAST_SENT,
        HANDS_CHANGED,
        WORKSHOP_CLOSED,
        WORKSHOP_REOPENED,
    )
}


def validate_event(name: str, data: Mapping[str, object]) -> None:
    try:
        event_type = EVENT_TYPES[name]
    except KeyError:
        raise EventSchemaError(f"undeclared event {name!r}") from None
    event_type.validate(data)


def public_data(name: str, data: Mapping[str, object]) -> dict[str, object]:
    """What an event frame tells screens: its data without the private fields."""
    private = EVENT_TYPES[name].private if name in EVENT_TYPES else frozenset()
    return {key: value for key, value in data.items() if key not in private}

"""Stream keys (one per audience) and their channel-layer group names."""

import re

WORKSHOP = "workshop"
FACILITATORS = "facilitators"
_STREAM_KEY = re.compile(r"^(workshop|facilitators|group:[1-9][0-9]{0,17})$")


def group_stream(group_id: int) -> str:
    return f"group:{group_id}"


def is_stream_key(value: object) -> bool:
    return isinstance(value, str) and bool(_STREAM_KEY.match(value))


def layer_group(workshop_id: int, stream_key: str) -> str:
    """Channel-layer group names allow only ASCII letters, digits, '-', '_' and '.'."""
    return f"w{workshop_id}.{stream_key.replace(':', '-')}"


def group_of(stream_key: str) -> int | None:
    """The group whose board a stream carries; None for the plenary's."""
    return int(stream_key.split(":")[1]) if stream_key.startswith("group:") else None


def board_stream(group_id: int | None) -> str:
    """The stream of a board (and of what belongs to it): its group's, or the workshop's."""
    return group_stream(group_id) if group_id else WORKSHOP

"""Commands of the workshop domain, one module per topic.

Each service validates, locks what it must, writes and appends its event in one transaction.
Views, consumers, the admin and management commands call these; they hold no rules of their own.
"""

from workshops.services.agenda import (
    current_phase,
    phase_add,
    phase_end,
    phase_extend,
    phase_move,
    phase_pause,
    phase_remove,
    phase_resume,
    phase_start,
    phase_update,
)
from workshops.services.common import clean_text, require_lead
from workshops.services.groups import (
    breakouts_close,
    breakouts_open,
    broadcast_send,
    group_delete,
    group_rename,
    groups_configure,
    groups_create,
    participant_move,
    participants_assign,
)
from workshops.services.postits import postit_create
from workshops.services.workshops import participant_join, workshop_create

__all__ = [
    "breakouts_close",
    "breakouts_open",
    "broadcast_send",
    "clean_text",
    "current_phase",
    "group_delete",
    "group_rename",
    "groups_configure",
    "groups_create",
    "participant_join",
    "participant_move",
    "participants_assign",
    "phase_add",
    "phase_end",
    "phase_extend",
    "phase_move",
    "phase_pause",
    "phase_remove",
    "phase_resume",
    "phase_start",
    "phase_update",
    "postit_create",
    "require_lead",
    "workshop_create",
]

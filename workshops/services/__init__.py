"""Commands of the workshop domain, one module per topic.

Each service validates, locks what it must, writes and appends its event in one transaction.
Views, consumers, the admin and management commands call these; they hold no rules of their own.
"""

from workshops.services.agenda import (
    conclusions_vote_start,
    current_phase,
    phase_add,
    phase_end,
    phase_extend,
    phase_move,
    phase_note,
    phase_pause,
    phase_remove,
    phase_resume,
    phase_start,
    phase_update,
    workshop_close,
    workshop_reopen,
)
from workshops.services.board import (
    board_open,
    cluster_create,
    cluster_dissolve,
    cluster_rename,
    postit_merge,
    postit_move,
)
from workshops.services.common import clean_text, require_lead
from workshops.services.conclusions import (
    conclusion_lock,
    conclusions_share,
    lock_all_conclusions,
)
from workshops.services.exports import export_request
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
from workshops.services.polls import (
    poll_answer,
    poll_close,
    poll_create,
    poll_delete,
    poll_moderate,
    poll_open,
)
from workshops.services.postits import (
    postit_create,
    postit_delete,
    postit_hide,
    postit_restore,
    postit_update,
)
from workshops.services.presence import (
    hand_lower,
    hand_raise,
    presence_touch,
    speaker_call_next,
    speaker_done,
)
from workshops.services.tablets import group_by_pairing_code, tablet_pair, tablet_pairing_open
from workshops.services.votes import dot_add, dot_remove
from workshops.services.workshops import (
    facilitator_invite,
    facilitator_remove,
    participant_join,
    workshop_create,
    workshop_create_from_blueprint,
    workshop_duplicate,
    workshop_set_anonymous,
    workshop_set_label,
)

__all__ = [
    "board_open",
    "breakouts_close",
    "breakouts_open",
    "broadcast_send",
    "clean_text",
    "cluster_create",
    "cluster_dissolve",
    "cluster_rename",
    "conclusion_lock",
    "conclusions_share",
    "conclusions_vote_start",
    "current_phase",
    "dot_add",
    "dot_remove",
    "export_request",
    "facilitator_invite",
    "facilitator_remove",
    "group_by_pairing_code",
    "group_delete",
    "group_rename",
    "groups_configure",
    "groups_create",
    "hand_lower",
    "hand_raise",
    "lock_all_conclusions",
    "participant_join",
    "participant_move",
    "participants_assign",
    "phase_add",
    "phase_end",
    "phase_extend",
    "phase_move",
    "phase_note",
    "phase_pause",
    "phase_remove",
    "phase_resume",
    "phase_start",
    "phase_update",
    "poll_answer",
    "poll_close",
    "poll_create",
    "poll_delete",
    "poll_moderate",
    "poll_open",
    "postit_create",
    "postit_delete",
    "postit_hide",
    "postit_merge",
    "postit_move",
    "postit_restore",
    "postit_update",
    "presence_touch",
    "require_lead",
    "speaker_call_next",
    "speaker_done",
    "tablet_pair",
    "tablet_pairing_open",
    "workshop_close",
    "workshop_create",
    "workshop_create_from_blueprint",
    "workshop_duplicate",
    "workshop_reopen",
    "workshop_set_anonymous",
    "workshop_set_label",
]

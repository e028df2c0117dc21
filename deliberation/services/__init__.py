"""Commands of deliberation, one module per topic.

Each service checks who is asking (deliberation.permissions), validates, locks what it
must, and writes in one transaction; notifications are rows in that transaction and their
emails go later, from background jobs. Views call these; they hold no rules of their own.
"""

from deliberation.services.answers import (
    answer_discard,
    answer_publish_now,
    answer_stage,
    answers_publish,
)
from deliberation.services.attachments import attachment_add, attachment_remove
from deliberation.services.comments import comment_create, comment_edit, comment_vote
from deliberation.services.follows import (
    email_confirm,
    email_follow,
    email_forget,
    emails_stop,
    frequency_set,
    notifications_seen,
    participant_keep_informed,
    proposal_follow,
)
from deliberation.services.moderation import content_hide, content_restore, report_create
from deliberation.services.proposals import (
    proposal_create,
    proposal_from_outcome,
    proposal_merge,
    proposal_publish,
    proposal_update,
    proposal_withdraw,
)
from deliberation.services.spaces import (
    member_add,
    member_remove,
    space_create,
    space_link_workshop,
    space_update,
    state_add,
    state_delete,
    state_set_default,
    state_update,
    theme_add,
    theme_delete,
    theme_rename,
)
from deliberation.services.votes import vote_cast, vote_remove

__all__ = [
    "answer_discard",
    "answer_publish_now",
    "answer_stage",
    "answers_publish",
    "attachment_add",
    "attachment_remove",
    "comment_create",
    "comment_edit",
    "comment_vote",
    "content_hide",
    "content_restore",
    "email_confirm",
    "email_follow",
    "email_forget",
    "emails_stop",
    "frequency_set",
    "member_add",
    "member_remove",
    "notifications_seen",
    "participant_keep_informed",
    "proposal_create",
    "proposal_follow",
    "proposal_from_outcome",
    "proposal_merge",
    "proposal_publish",
    "proposal_update",
    "proposal_withdraw",
    "report_create",
    "space_create",
    "space_link_workshop",
    "space_update",
    "state_add",
    "state_delete",
    "state_set_default",
    "state_update",
    "theme_add",
    "theme_delete",
    "theme_rename",
    "vote_cast",
    "vote_remove",
]

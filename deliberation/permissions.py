"""Who may do what in a space: one table, read by services (which refuse) and by pages
(which show only what may be done). docs/deliberation.md reproduces it.

Rules about a proposal's condition (withdrawn, merged, votes closed) are not permissions:
services check them and say so in their own words.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from deliberation.models import Space
from deliberation.people import SpaceRole, Viewer
from workshops.errors import Refused


class Action(StrEnum):
    CONFIGURE = "configure"  # settings, themes, states, team, linked workshops
    CREATE = "create"  # make a proposal
    EDIT_ANY = "edit_any"  # edit any proposal, publish drafts
    READ_DRAFTS = "read_drafts"
    ANSWER = "answer"  # stage and publish official answers
    MERGE = "merge"
    MODERATE = "moderate"  # see reports, hide and restore
    EXPORT_PERSONAL = "export_personal"  # exports with authors' names
    VOTE = "vote"
    COMMENT = "comment"  # comment, reply, vote on comments
    FOLLOW = "follow"  # follow in the application (anyone may follow by email)
    REPORT = "report"


ORGANIZER_ONLY = {
    Action.CONFIGURE,
    Action.EDIT_ANY,
    Action.ANSWER,
    Action.MERGE,
    Action.EXPORT_PERSONAL,
}
TEAM = {Action.READ_DRAFTS, Action.MODERATE, Action.COMMENT, Action.FOLLOW, Action.REPORT}
# What a guest may do when the space's settings allow it.
GUEST_SETTINGS = {
    Action.CREATE: "guests_may_propose",
    Action.COMMENT: "guests_may_comment",
    Action.VOTE: "guests_may_vote",
}


def allowed(viewer: Viewer, action: Action, space: Space) -> bool:
    role = viewer.role
    if role == SpaceRole.ORGANIZER:
        # Organizers answer; they do not vote on what they answer.
        return action != Action.VOTE
    if role == SpaceRole.MODERATOR:
        return action in TEAM
    if role == SpaceRole.GUEST:
        if action in (Action.FOLLOW, Action.REPORT):
            return True
        setting = GUEST_SETTINGS.get(action)
        return setting is not None and getattr(space, setting)
    if role == SpaceRole.ACCOUNT:
        return action in (Action.FOLLOW, Action.REPORT)
    return False


def require(viewer: Viewer, action: Action, space: Space) -> None:
    """Refuse with a message that says why, and what would make it possible."""
    if allowed(viewer, action, space):
        return
    if viewer.role == SpaceRole.VISITOR and (action in ORGANIZER_ONLY or action == Action.MODERATE):
        raise Refused("unauthenticated", _("Log in with an account of the space's team."))
    if viewer.role == SpaceRole.VISITOR:
        raise Refused(
            "unauthenticated",
            _(
                "This is for the people who took part in this space's workshops: open it "
                "from the device you used in the workshop, or log in."
            ),
        )
    raise Refused("forbidden", refusal_message(viewer, action))


def refusal_message(viewer: Viewer, action: Action) -> str:
    if action == Action.VOTE and viewer.role in (SpaceRole.ORGANIZER, SpaceRole.MODERATOR):
        return _("The space's team answers proposals; it does not vote on them.")
    if viewer.role == SpaceRole.GUEST and action in GUEST_SETTINGS:
        return {
            Action.CREATE: _("The organizer has not opened proposals to participants."),
            Action.COMMENT: _("The organizer has not opened comments to participants."),
            Action.VOTE: _("The organizer has not opened votes to participants."),
        }[action]
    if action in (Action.VOTE, Action.COMMENT, Action.CREATE):
        return _("Only the participants of this space's workshops can do this.")
    if action == Action.MODERATE or action == Action.READ_DRAFTS:
        return _("Only the space's moderators and organizers can do this.")
    return _("Only the space's organizers can do this.")

"""Checks the deliberation services share: the space, the proposal, the comment."""

from django.utils.translation import gettext as _

from deliberation.models import Comment, Proposal, Space
from deliberation.people import Viewer
from deliberation.permissions import Action, allowed
from workshops.errors import Refused


def space_of(viewer: Viewer, *, lock: bool = False) -> Space:
    spaces = Space.objects.select_for_update() if lock else Space.objects
    return spaces.get(pk=viewer.space_id)


def may_see(viewer: Viewer, proposal: Proposal, space: Space) -> bool:
    """Published proposals are public; drafts are seen by the team and their creator."""
    if proposal.is_published:
        return True
    if allowed(viewer, Action.READ_DRAFTS, space):
        return True
    creator = proposal.created_by
    if creator is None:
        return False
    return (
        viewer.participant_id is not None and creator.participant_id == viewer.participant_id
    ) or (
        viewer.participant_id is None
        and viewer.user_id is not None
        and creator.user_id == viewer.user_id
    )


def proposal_for(viewer: Viewer, proposal_id: object, *, lock: bool = False) -> Proposal:
    """A proposal of the viewer's space that they may see, or a refusal: other spaces'
    proposals and drafts of others are simply not found."""
    proposals = Proposal.objects.select_related("space", "state", "created_by")
    if lock:
        proposals = proposals.select_for_update(of=("self",))
    proposal = (
        proposals.filter(pk=proposal_id, space_id=viewer.space_id).first()
        if type(proposal_id) is int
        else None
    )
    if proposal is None or not may_see(viewer, proposal, proposal.space):
        raise Refused("not_found", _("This proposal does not exist."))
    return proposal


def require_open(proposal: Proposal) -> None:
    """Withdrawn, merged or hidden proposals take no more votes, comments or reports."""
    if proposal.merged_into_id is not None:
        raise Refused(
            "merged",
            _("This proposal was merged into #%(number)d: continue there.")
            % {"number": proposal.merged_into.number},
        )
    if proposal.withdrawn_at is not None:
        raise Refused("withdrawn", _("This proposal was withdrawn by its authors."))
    if proposal.hidden_at is not None:
        raise Refused("hidden", _("This proposal is hidden pending moderation."))
    if not proposal.is_published:
        raise Refused("draft", _("This proposal is not published yet."))


def comment_for(viewer: Viewer, comment_id: object, *, lock: bool = False) -> Comment:
    comments = Comment.objects.select_related("proposal", "proposal__space", "author")
    if lock:
        comments = comments.select_for_update(of=("self",))
    comment = (
        comments.filter(pk=comment_id, proposal__space_id=viewer.space_id).first()
        if type(comment_id) is int
        else None
    )
    if comment is None or not may_see(viewer, comment.proposal, comment.proposal.space):
        raise Refused("not_found", _("This comment does not exist."))
    return comment

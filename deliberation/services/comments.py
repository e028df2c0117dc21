"""Comments: threads of replies, each for, against or neutral (as in Decidim), voted up
or down, edited by their author for a while."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import COMMENT_MAX_LENGTH, Comment, CommentVote, Notification, Proposal
from deliberation.pace import check_pace
from deliberation.people import Viewer, person_of
from deliberation.permissions import Action, require
from deliberation.services.common import comment_for, proposal_for, require_open, space_of
from deliberation.services.follows import follow_add, notify
from workshops.errors import Refused
from workshops.services.common import clean_text


def recount_comments(proposal: Proposal) -> None:
    """Shown comments only: a hidden one leaves the count until it is restored."""
    proposal.comments_count = proposal.comments.filter(hidden_at=None).count()
    proposal.save(update_fields=["comments_count"])


def recount_replies(root: Comment) -> None:
    root.replies_count = Comment.objects.filter(root=root, hidden_at=None).count()
    root.save(update_fields=["replies_count"])


def _alignment(value: object) -> str:
    if value not in Comment.Alignment.values:
        raise Refused("invalid", _("A comment is for, against or neutral."))
    return value


def comment_create(
    *,
    viewer: Viewer,
    proposal_id: int,
    body: str,
    alignment: str = "neutral",
    parent_id: int | None = None,
) -> Comment:
    body = clean_text(body, field=_("The comment"), max_length=COMMENT_MAX_LENGTH)
    alignment = _alignment(alignment)
    with transaction.atomic():
        space = space_of(viewer)
        require(viewer, Action.COMMENT, space)
        check_pace(viewer, "comments")
        proposal = proposal_for(viewer, proposal_id, lock=True)
        require_open(proposal)
        parent = None
        if parent_id is not None:
            parent = (
                proposal.comments.select_related("author")
                .filter(pk=parent_id, hidden_at=None)
                .first()
                if type(parent_id) is int
                else None
            )
            if parent is None:
                raise Refused("not_found", _("This comment does not exist."))
        author = person_of(viewer)
        comment = Comment.objects.create(
            proposal=proposal,
            parent=parent,
            root=(parent.root or parent) if parent else None,
            author=author,
            alignment=alignment,
            body=body,
            official=viewer.in_team,
        )
        recount_comments(proposal)
        if comment.root_id is not None:
            recount_replies(comment.root)
        replied_to = parent.author_id if parent and parent.author_id != author.pk else None
        if replied_to is not None:
            notify([replied_to], proposal, Notification.Kind.REPLY, comment=comment)
        others = proposal.follows.exclude(person_id__in=[author.pk, replied_to]).values_list(
            "person_id", flat=True
        )
        notify(list(others), proposal, Notification.Kind.COMMENT, comment=comment)
        follow_add(author, proposal)
    return comment


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + timedelta(minutes=comment.proposal.space.comment_edit_minutes)


def require_editable(viewer: Viewer, comment: Comment) -> None:
    """Its author, for `comment_edit_minutes` after posting, while it is shown."""
    author = comment.author
    mine = (
        viewer.participant_id is not None and author.participant_id == viewer.participant_id
    ) or (
        viewer.participant_id is None
        and viewer.user_id is not None
        and author.user_id == viewer.user_id
    )
    if not mine:
        raise Refused("forbidden", _("Only its author can edit a comment."))
    if comment.hidden_at is not None:
        raise Refused("hidden", _("This comment is hidden pending moderation."))
    if timezone.now() >= edit_deadline(comment):
        raise Refused(
            "edit_window",
            _("A comment can be edited for %(minutes)d minutes after it is posted.")
            % {"minutes": comment.proposal.space.comment_edit_minutes},
        )


def may_edit_comment(viewer: Viewer, comment: Comment) -> bool:
    try:
        require_editable(viewer, comment)
    except Refused:
        return False
    return True


def comment_edit(*, viewer: Viewer, comment_id: int, body: str, alignment: str) -> Comment:
    body = clean_text(body, field=_("The comment"), max_length=COMMENT_MAX_LENGTH)
    alignment = _alignment(alignment)
    with transaction.atomic():
        comment = comment_for(viewer, comment_id, lock=True)
        require_editable(viewer, comment)
        if (comment.body, comment.alignment) != (body, alignment):
            comment.body, comment.alignment = body, alignment
            comment.edited_at = timezone.now()
            comment.save(update_fields=["body", "alignment", "edited_at"])
    return comment


def comment_vote(*, viewer: Viewer, comment_id: int, value: int) -> Comment:
    """Up (+1), down (-1) or take one's vote back (0); one per person and comment."""
    if type(value) is not int or value not in (-1, 0, 1):
        raise Refused("invalid", _("A vote on a comment is up or down."))
    with transaction.atomic():
        require(viewer, Action.COMMENT, space_of(viewer))
        comment = comment_for(viewer, comment_id, lock=True)
        require_open(comment.proposal)
        if comment.hidden_at is not None:
            raise Refused("hidden", _("This comment is hidden pending moderation."))
        person = person_of(viewer)
        if person.pk == comment.author_id:
            raise Refused("forbidden", _("You cannot vote on your own comment."))
        if value == 0:
            CommentVote.objects.filter(comment=comment, person=person).delete()
        else:
            CommentVote.objects.update_or_create(
                comment=comment, person=person, defaults={"value": value}
            )
        counts = comment.votes.aggregate(
            up=Count("id", filter=Q(value=1)), down=Count("id", filter=Q(value=-1))
        )
        comment.up_count, comment.down_count = counts["up"], counts["down"]
        comment.save(update_fields=["up_count", "down_count"])
    return comment

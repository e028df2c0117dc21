"""Reports and moderation: anyone the space knows reports a proposal or a comment; after
the space's number of reports it is hidden automatically until a moderator looks at it;
moderators hide (with a reason, shown in its place) and restore."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import REASON_MAX_LENGTH, Comment, Proposal, Report
from deliberation.pace import check_pace
from deliberation.people import Viewer, person_of
from deliberation.permissions import Action, require
from deliberation.services.comments import recount_comments, recount_replies
from deliberation.services.common import comment_for, proposal_for, space_of
from workshops.errors import Refused
from workshops.services.common import clean_text


def _target(viewer: Viewer, proposal_id: object, comment_id: object) -> Proposal | Comment:
    """The proposal or comment (locked), exactly one of them."""
    if (proposal_id is None) == (comment_id is None):
        raise Refused("invalid", _("A report is about a proposal or a comment."))
    if proposal_id is not None:
        return proposal_for(viewer, proposal_id, lock=True)
    return comment_for(viewer, comment_id, lock=True)


def _target_field(target: Proposal | Comment) -> dict:
    return {"proposal": target} if isinstance(target, Proposal) else {"comment": target}


def _recount_after(target: Proposal | Comment) -> None:
    if isinstance(target, Comment):
        recount_comments(target.proposal)
        if target.root_id is not None:
            recount_replies(target.root)


def report_create(
    *,
    viewer: Viewer,
    reason: str,
    details: str = "",
    proposal_id: int | None = None,
    comment_id: int | None = None,
) -> Report:
    if reason not in Report.Reason.values:
        raise Refused("invalid", _("Choose why you report it."))
    details = details.strip()[:REASON_MAX_LENGTH] if isinstance(details, str) else ""
    with transaction.atomic():
        space = space_of(viewer)
        require(viewer, Action.REPORT, space)
        check_pace(viewer, "reports")
        target = _target(viewer, proposal_id, comment_id)
        person = person_of(viewer)
        if Report.objects.filter(person=person, **_target_field(target)).exists():
            raise Refused("already_reported", _("You have already reported this."))
        report = Report.objects.create(
            person=person, reason=reason, details=details, **_target_field(target)
        )
        target.reports_count = target.reports.filter(resolved_at=None).count()
        fields = ["reports_count"]
        if target.hidden_at is None and target.reports_count >= space.reports_to_hide:
            # Hidden pending moderation: no reason, nobody's hand (the page says so).
            target.hidden_at, target.hidden_reason, target.hidden_by = timezone.now(), "", None
            fields += ["hidden_at", "hidden_reason", "hidden_by"]
        target.save(update_fields=fields)
        _recount_after(target)
    return report


def _resolve(target: Proposal | Comment) -> None:
    target.reports.filter(resolved_at=None).update(resolved_at=timezone.now())
    target.reports_count = 0


def content_hide(
    *, viewer: Viewer, reason: str, proposal_id: int | None = None, comment_id: int | None = None
) -> Proposal | Comment:
    reason = clean_text(reason, field=_("The reason"), max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        require(viewer, Action.MODERATE, space_of(viewer))
        target = _target(viewer, proposal_id, comment_id)
        _resolve(target)
        target.hidden_at = target.hidden_at or timezone.now()
        target.hidden_reason = reason
        target.hidden_by_id = viewer.user_id
        target.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "reports_count"])
        _recount_after(target)
    return target


def content_restore(
    *, viewer: Viewer, proposal_id: int | None = None, comment_id: int | None = None
) -> Proposal | Comment:
    """Shown again; the reports so far are settled (new ones count from zero)."""
    with transaction.atomic():
        require(viewer, Action.MODERATE, space_of(viewer))
        target = _target(viewer, proposal_id, comment_id)
        _resolve(target)
        target.hidden_at, target.hidden_reason, target.hidden_by = None, "", None
        target.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "reports_count"])
        _recount_after(target)
    return target

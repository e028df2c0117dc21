"""What deliberation holds about one workshop participant, for their data export and
erasure (GDPR articles 15, 17 and 20). workshops/privacy.py calls these.

Erasure removes the identity, not the contributions: comments stay (signed "anonymous
participant"), votes keep counting, proposals keep their text and provenance; the email,
follows, notifications and the link to the participant go.
"""

from django.db import transaction
from django.utils import timezone

from deliberation.models import (
    Comment,
    CommentVote,
    Follow,
    Notification,
    Person,
    ProposalAuthor,
    Report,
    Vote,
    new_token,
)
from workshops.models import Participant


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _proposal(proposal) -> dict:
    return {"space": proposal.space.title, "number": proposal.number, "title": proposal.title}


def export_participant(participant: Participant) -> dict:
    """Everything deliberation keeps about this participant, as plain JSON-able data."""
    person = Person.objects.filter(participant=participant).first() if participant.pk else None
    if person is None:
        return {}
    related = ("proposal__space",)
    return {
        "email": person.email,
        "email_confirmed_at": _when(person.email_confirmed_at),
        "consented_at": _when(person.consented_at),
        "email_frequency": person.frequency,
        "language": person.language,
        "comments": [
            {
                "proposal": _proposal(comment.proposal),
                "in_reply_to": comment.parent_id,
                "id": comment.pk,
                "position": comment.alignment,
                "text": comment.body,
                "written_at": _when(comment.created_at),
                "edited_at": _when(comment.edited_at),
                "hidden": comment.hidden_at is not None,
            }
            for comment in Comment.objects.filter(author=person).select_related(*related)
        ],
        "votes": [
            {"proposal": _proposal(vote.proposal), "vote": vote.value, "at": _when(vote.updated_at)}
            for vote in Vote.objects.filter(person=person).select_related(*related)
        ],
        "comment_votes": [
            {"comment": vote.comment_id, "vote": vote.value, "at": _when(vote.created_at)}
            for vote in CommentVote.objects.filter(person=person)
        ],
        "follows": [
            {
                "proposal": _proposal(follow.proposal),
                "since": _when(follow.created_at),
                "source": follow.source,
            }
            for follow in Follow.objects.filter(person=person).select_related(*related)
        ],
        "reports": [
            {
                "proposal": report.proposal_id,
                "comment": report.comment_id,
                "reason": report.reason,
                "details": report.details,
                "at": _when(report.created_at),
            }
            for report in Report.objects.filter(person=person)
        ],
        "authored_proposals": [
            _proposal(author.proposal)
            for author in ProposalAuthor.objects.filter(person=person).select_related(
                "proposal__space"
            )
        ],
        "notifications": [
            {
                "proposal": _proposal(note.proposal),
                "kind": note.kind,
                "at": _when(note.created_at),
                "read_at": _when(note.read_at),
            }
            for note in Notification.objects.filter(person=person).select_related(*related)
        ],
    }


def anonymize_participant(participant: Participant) -> None:
    """Identity goes, contributions stay: the person row loses its email, its token and its
    link to the participant; authored comments and proposals show "anonymous participant";
    votes keep counting; follows and notifications are deleted."""
    with transaction.atomic():
        person = (
            Person.objects.select_for_update().filter(participant=participant).first()
            if participant.pk
            else None
        )
        if person is None:
            return
        Follow.objects.filter(person=person).delete()
        Notification.objects.filter(person=person).delete()
        ProposalAuthor.objects.filter(person=person).update(name="")
        person.participant = None
        person.email = ""
        person.email_confirmed_at = None
        person.consented_at = None
        person.token = new_token()
        person.anonymized_at = timezone.now()
        person.save()

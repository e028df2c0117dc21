"""Votes on proposals: for (a support), against or neutral; one per person, changeable.

Exact under concurrency: a vote locks its voter's person row first (two devices of one
person are served one after the other, so the per-person limit of supports holds), then
the proposal's row (its counts are recounted from the votes, and the threshold is crossed
once). The order is always person, then proposal.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deliberation.models import Person, Proposal, Space, Vote
from deliberation.people import Viewer, person_of
from deliberation.permissions import Action, require
from deliberation.services.common import proposal_for, require_open, space_of
from workshops.errors import Refused
from workshops.jobs import job_enqueue


def recount_votes(proposal: Proposal) -> None:
    counts = proposal.votes.aggregate(
        supports=Count("id", filter=Q(value=Vote.Value.FOR)),
        against=Count("id", filter=Q(value=Vote.Value.AGAINST)),
        neutral=Count("id", filter=Q(value=Vote.Value.NEUTRAL)),
    )
    proposal.supports_count = counts["supports"]
    proposal.against_count = counts["against"]
    proposal.neutral_count = counts["neutral"]
    proposal.save(update_fields=["supports_count", "against_count", "neutral_count"])


def votes_ended(space: Space) -> bool:
    return space.support_deadline is not None and timezone.now() >= space.support_deadline


def require_votes_open(space: Space, proposal: Proposal) -> None:
    if not space.votes_open:
        raise Refused("votes_closed", _("Votes are closed in this space."))
    if votes_ended(space):
        raise Refused(
            "votes_closed",
            _("Votes ended on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(space.support_deadline))},
        )
    require_open(proposal)
    if proposal.state.ends_voting:
        raise Refused(
            "votes_closed",
            _("This proposal is “%(state)s”: it takes no more votes.")
            % {"state": proposal.state.name},
        )


def supports_used(person: Person, space: Space) -> int:
    """Supports that count against the limit: those on proposals still open to votes (a
    support on a withdrawn, merged or rejected proposal is given back)."""
    return (
        Vote.objects.filter(
            person=person,
            value=Vote.Value.FOR,
            proposal__space=space,
            proposal__withdrawn_at=None,
            proposal__merged_into=None,
            proposal__hidden_at=None,
        )
        .exclude(proposal__state__ends_voting=True)
        .count()
    )


def _locked_voter(viewer: Viewer, space: Space) -> Person:
    require(viewer, Action.VOTE, space)
    person = person_of(viewer)
    return Person.objects.select_for_update().get(pk=person.pk)


def _check_limit(person: Person, space: Space, previous: Vote | None) -> None:
    limit = space.supports_per_person
    if limit is None or (previous is not None and previous.value == Vote.Value.FOR):
        return
    if supports_used(person, space) >= limit:
        raise Refused(
            "limit_reached",
            _(
                "You have used your %(limit)d supports in this space: take one back to support "
                "this proposal."
            )
            % {"limit": limit},
        )


def _threshold_check(space: Space, proposal: Proposal) -> None:
    """Reaching the threshold before the deadline commits the organizer to answer: dated
    once, and the organizers are told (after commit, by a job)."""
    threshold = space.support_threshold
    if threshold is None or proposal.threshold_reached_at is not None:
        return
    if proposal.supports_count < threshold or votes_ended(space):
        return
    proposal.threshold_reached_at = timezone.now()
    proposal.save(update_fields=["threshold_reached_at"])
    job_enqueue(kind="deliberation.threshold_reached", payload={"proposal": proposal.pk})


def vote_cast(*, viewer: Viewer, proposal_id: int, value: str) -> Vote:
    """Vote, or change one's vote: the same person never has two votes on one proposal."""
    if value not in Vote.Value.values:
        raise Refused("invalid", _("A vote is for, against or neutral."))
    with transaction.atomic():
        space = space_of(viewer)
        person = _locked_voter(viewer, space)
        proposal = proposal_for(viewer, proposal_id, lock=True)
        require_votes_open(space, proposal)
        previous = Vote.objects.filter(proposal=proposal, person=person).first()
        if value == Vote.Value.FOR:
            _check_limit(person, space, previous)
        if previous is None:
            vote = Vote.objects.create(proposal=proposal, person=person, value=value)
        else:
            vote = previous
            vote.value = value
            vote.save(update_fields=["value", "updated_at"])
        recount_votes(proposal)
        _threshold_check(space, proposal)
    return vote


def vote_remove(*, viewer: Viewer, proposal_id: int) -> None:
    with transaction.atomic():
        space = space_of(viewer)
        person = _locked_voter(viewer, space)
        proposal = proposal_for(viewer, proposal_id, lock=True)
        require_votes_open(space, proposal)
        Vote.objects.filter(proposal=proposal, person=person).delete()
        recount_votes(proposal)

"""Official answers: the organizer writes an answer with a state, stages it (not public),
and publishes it alone or with others in bulk (e.g. after the council's meeting).

Publishing sets the proposal's state, dates the answer, and tells the followers when the
state says so. An earlier answer stays in the history; the page shows the latest.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import ANSWER_MAX_LENGTH, Answer, Notification, Proposal
from deliberation.people import Viewer, person_of
from deliberation.permissions import Action, require
from deliberation.services.common import proposal_for, space_of
from deliberation.services.follows import notify_followers
from workshops.errors import Refused
from workshops.services.common import clean_text

MAX_BULK = 200


def _answerable(viewer: Viewer, proposal_id: int) -> Proposal:
    proposal = proposal_for(viewer, proposal_id, lock=True)
    if not proposal.is_published:
        raise Refused("draft", _("Publish the proposal before answering it."))
    if proposal.merged_into_id is not None:
        raise Refused(
            "merged",
            _("This proposal was merged into #%(number)d: continue there.")
            % {"number": proposal.merged_into.number},
        )
    return proposal


def answer_stage(*, viewer: Viewer, proposal_id: int, state_id: int, text: str) -> Answer:
    """Write (or rewrite) the answer to come; nobody but the team sees it yet."""
    text = clean_text(text, field=_("The answer"), max_length=ANSWER_MAX_LENGTH)
    with transaction.atomic():
        space = space_of(viewer)
        require(viewer, Action.ANSWER, space)
        proposal = _answerable(viewer, proposal_id)
        state = space.states.filter(pk=state_id).first() if type(state_id) is int else None
        if state is None:
            raise Refused("not_found", _("This state does not exist."))
        if not state.can_be_answer:
            raise Refused("invalid", _("“%(state)s” cannot be an answer.") % {"state": state.name})
        staged = proposal.answers.filter(published_at=None).first()
        if staged is None:
            return Answer.objects.create(
                proposal=proposal, state=state, text=text, author_id=viewer.user_id
            )
        staged.state, staged.text, staged.author_id = state, text, viewer.user_id
        staged.save()
    return staged


def _publish(proposal: Proposal, answer: Answer, publisher: int) -> None:
    now = timezone.now()
    answer.published_at = now
    answer.save(update_fields=["published_at"])
    proposal.state = answer.state
    proposal.answered_at = now
    proposal.save(update_fields=["state", "answered_at"])
    if answer.state.notifies_followers:
        notify_followers(
            proposal,
            Notification.Kind.ANSWER,
            exclude=publisher,
            data={"state": answer.state.name, "answer": answer.pk},
        )


def answers_publish(*, viewer: Viewer, proposal_ids: list[int]) -> list[Proposal]:
    """Publish the staged answers of these proposals, all or none."""
    if not isinstance(proposal_ids, list) or not proposal_ids:
        raise Refused("invalid", _("Choose the answers to publish."))
    if len(proposal_ids) > MAX_BULK:
        raise Refused("invalid", _("At most %(max)d answers at once.") % {"max": MAX_BULK})
    with transaction.atomic():
        require(viewer, Action.ANSWER, space_of(viewer))
        publisher = person_of(viewer).pk
        published = []
        # In id order: two bulk publications never wait for each other in a circle.
        for proposal_id in sorted(set(proposal_ids), key=lambda pk: pk if type(pk) is int else 0):
            proposal = _answerable(viewer, proposal_id)
            staged = proposal.answers.select_related("state").filter(published_at=None).first()
            if staged is None:
                raise Refused(
                    "no_answer",
                    _("#%(number)d has no answer ready.") % {"number": proposal.number},
                )
            _publish(proposal, staged, publisher)
            published.append(proposal)
    return published


def answer_publish_now(*, viewer: Viewer, proposal_id: int, state_id: int, text: str) -> Answer:
    """Write and publish at once."""
    with transaction.atomic():
        answer = answer_stage(viewer=viewer, proposal_id=proposal_id, state_id=state_id, text=text)
        answers_publish(viewer=viewer, proposal_ids=[proposal_id])
        answer.refresh_from_db()
    return answer


def answer_discard(*, viewer: Viewer, proposal_id: int) -> None:
    with transaction.atomic():
        require(viewer, Action.ANSWER, space_of(viewer))
        proposal = proposal_for(viewer, proposal_id, lock=True)
        deleted, _kinds = proposal.answers.filter(published_at=None).delete()
        if not deleted:
            raise Refused("no_answer", _("There is no answer in preparation."))

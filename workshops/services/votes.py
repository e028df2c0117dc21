"""Dot votes: each participant spreads a few dots over the post-its of their board.

The limit holds under concurrency: every dot command of a participant locks that
participant's row first, so two devices hammering the button are served one at a time and
the count read before the insert is exact.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from live import streams
from live.snapshots import publish_soon
from workshops.actors import Actor
from workshops.errors import Refused
from workshops.models import Conclusion, Dot, Participant, Phase, PostIt, Workshop
from workshops.selectors import my_dots
from workshops.services.common import locked_contributor, participant_board, share_lock


def _voter(actor: Actor) -> Participant:
    return locked_contributor(actor, refusal=_("Only participants vote."))


def _vote_phase(participant: Participant) -> Phase:
    phase = participant.workshop.phases.filter(
        activity=Phase.Activity.DOT_VOTE, status__in=[Phase.Status.RUNNING, Phase.Status.PAUSED]
    ).first()
    if phase is None:
        raise Refused("not_voting", _("There is no dot vote right now."))
    # Held until this dot commits: ending the vote waits for it, and a dot sent after the
    # end sees the phase ended.
    share_lock(Phase, phase.pk)
    phase.refresh_from_db(fields=["status"])
    if phase.status == Phase.Status.DONE:
        raise Refused("not_voting", _("There is no dot vote right now."))
    if phase.status == Phase.Status.PAUSED:
        raise Refused("paused", _("The vote is paused."))
    return phase


def _on_a_board(postit_id: int) -> bool:
    return PostIt.objects.filter(
        pk=postit_id, deleted_at=None, hidden_at=None, merged_into=None
    ).exists()


def _votable_postit(participant: Participant, postit_id: object) -> PostIt:
    postit = (
        PostIt.objects.filter(
            pk=postit_id,
            workshop_id=participant.workshop_id,
            deleted_at=None,
            hidden_at=None,
            merged_into=None,
        ).first()
        if type(postit_id) is int
        else None
    )
    if postit is None:
        raise Refused("not_found", _("This post-it does not exist."))
    if postit.group_id != participant_board(participant):
        raise Refused("forbidden", _("You can only vote on the post-its of your board."))
    return postit


def publish_tally(workshop_id: int, group_id: int | None) -> None:
    """After commit: the board's results as they are now (coalesced)."""
    from workshops.fragments import tally_frames

    transaction.on_commit(
        robust=True,
        func=lambda: publish_soon(
            workshop_id,
            streams.board_stream(group_id),
            lambda: tally_frames(workshop_id, group_id),
            topic="board",
        ),
    )


def _votable_conclusion(participant: Participant, conclusion_id: object) -> Conclusion:
    """A group's conclusion, once the facilitators brought the conclusions to the plenary:
    everyone in the workshop votes on them."""
    conclusion = (
        Conclusion.objects.filter(pk=conclusion_id, workshop_id=participant.workshop_id).first()
        if type(conclusion_id) is int
        else None
    )
    if conclusion is None:
        raise Refused("not_found", _("This conclusion does not exist."))
    if not participant.workshop.conclusions_shared:
        raise Refused("not_shared", _("The conclusions are not shared with the plenary yet."))
    return conclusion


def publish_conclusions_tally(workshop_id: int) -> None:
    """After commit: the plenary's vote on the conclusions, as it is now (coalesced)."""
    from workshops.fragments import conclusions_tally_frames

    transaction.on_commit(
        robust=True,
        func=lambda: publish_soon(
            workshop_id,
            streams.WORKSHOP,
            lambda: conclusions_tally_frames(workshop_id),
            topic="conclusions",
        ),
    )


def _target(voter: Participant, postit_id: object, conclusion_id: object) -> dict:
    """What a dot goes on: a post-it of the voter's board, or a shared conclusion."""
    if (postit_id is None) == (conclusion_id is None):
        raise Refused("invalid", _("A dot goes on a post-it or on a conclusion."))
    if postit_id is not None:
        return {"postit": _votable_postit(voter, postit_id)}
    return {"conclusion": _votable_conclusion(voter, conclusion_id)}


def _publish_for(workshop_id: int, target: dict) -> None:
    if "postit" in target:
        publish_tally(workshop_id, target["postit"].group_id)
    else:
        publish_conclusions_tally(workshop_id)


def dot_add(
    *, actor: Actor, postit_id: int | None = None, conclusion_id: int | None = None
) -> dict:
    """Put one dot on a post-it (or a shared conclusion), within the phase's limit."""
    with transaction.atomic():
        voter = _voter(actor)
        phase = _vote_phase(voter)
        target = _target(voter, postit_id, conclusion_id)
        placed = Dot.objects.filter(
            phase=phase, participant=voter, postit__hidden_at=None, postit__deleted_at=None
        )
        if placed.count() >= phase.dots_per_person:
            raise Refused(
                "no_dots_left",
                _("You have used your %(count)d dots. Take one back to vote elsewhere.")
                % {"count": phase.dots_per_person},
            )
        if not phase.dots_stack and placed.filter(**target).exists():
            raise Refused("one_dot_each", _("One dot per post-it in this vote."))
        Dot.objects.create(phase=phase, participant=voter, **target)
        # The insert waited for any merge, hide or delete of this post-it to commit: if it
        # left the board meanwhile, the dot would be lost, so it is refused.
        if "postit" in target and not _on_a_board(target["postit"].pk):
            raise Refused("not_found", _("This post-it does not exist."))
        _publish_for(actor.workshop_id, target)
        return my_dots(phase, voter.pk)


def dot_remove(
    *, actor: Actor, postit_id: int | None = None, conclusion_id: int | None = None
) -> dict:
    """Take back one of one's dots from a post-it (or a conclusion), while the vote lasts."""
    with transaction.atomic():
        voter = _voter(actor)
        phase = _vote_phase(voter)
        if (postit_id is None) == (conclusion_id is None):
            raise Refused("invalid", _("A dot goes on a post-it or on a conclusion."))
        on = {"postit_id": postit_id} if postit_id is not None else {"conclusion_id": conclusion_id}
        dot = (
            Dot.objects.filter(phase=phase, participant=voter, **on)
            .select_related("postit")
            .order_by("-id")
            .first()
            if all(type(pk) is int for pk in on.values())
            else None
        )
        if dot is None:
            raise Refused("not_found", _("You have no dot on this post-it."))
        target = {"postit": dot.postit} if dot.postit_id else {"conclusion": dot.conclusion_id}
        dot.delete()
        _publish_for(actor.workshop_id, target)
        return my_dots(phase, voter.pk)


def refresh_results(workshop_id: int, group_id: int | None) -> None:
    """A board changed in a way its vote results show (a text, a cluster, a post-it gone):
    publish them again, once a dot vote has started in the workshop."""
    voted = Phase.objects.filter(
        workshop_id=workshop_id, activity=Phase.Activity.DOT_VOTE, started_at__isnull=False
    ).exists()
    if voted:
        publish_tally(workshop_id, group_id)


def publish_all_tallies(workshop: Workshop) -> None:
    """After a dot vote starts or ends: every board shows (or reveals) its counts, and the
    plenary's vote on the conclusions when they are shared."""
    for group_id in [None, *workshop.groups.values_list("id", flat=True)]:
        publish_tally(workshop.pk, group_id)
    if workshop.conclusions_shared:
        publish_conclusions_tally(workshop.pk)

"""Dot votes: each participant spreads a few dots over the post-its of their board.

The limit holds under concurrency: every dot command of a participant locks that
participant's row first, so two devices hammering the button are served one at a time and
the count read before the insert is exact.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from live import streams
from live.snapshots import publish_soon
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Dot, Participant, Phase, PostIt, Workshop
from workshops.selectors import my_dots
from workshops.services.common import participant_board, share_lock


def _voter(actor: Actor) -> Participant:
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only participants vote."))
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
        .first()
    )
    if participant is None:
        raise Refused("unauthenticated", _("Please join the workshop again."))
    if participant.workshop.status == Workshop.Status.CLOSED:
        raise Refused("closed", _("This workshop is closed."))
    if participant.kind == Participant.Kind.SCRIBE:
        raise Refused("forbidden", _("Only participants vote."))
    return participant


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


def dot_add(*, actor: Actor, postit_id: int) -> dict:
    """Put one dot on a post-it, within the phase's limit."""
    with transaction.atomic():
        voter = _voter(actor)
        phase = _vote_phase(voter)
        postit = _votable_postit(voter, postit_id)
        placed = Dot.objects.filter(
            phase=phase, participant=voter, postit__hidden_at=None, postit__deleted_at=None
        )
        if placed.count() >= phase.dots_per_person:
            raise Refused(
                "no_dots_left",
                _("You have used your %(count)d dots. Take one back to vote elsewhere.")
                % {"count": phase.dots_per_person},
            )
        if not phase.dots_stack and placed.filter(postit=postit).exists():
            raise Refused("one_dot_each", _("One dot per post-it in this vote."))
        Dot.objects.create(phase=phase, participant=voter, postit=postit)
        # The insert waited for any merge, hide or delete of this post-it to commit: if it
        # left the board meanwhile, the dot would be lost, so it is refused.
        if not _on_a_board(postit.pk):
            raise Refused("not_found", _("This post-it does not exist."))
        publish_tally(actor.workshop_id, postit.group_id)
        return my_dots(phase, voter.pk)


def dot_remove(*, actor: Actor, postit_id: int) -> dict:
    """Take back one of one's dots from a post-it, while the vote lasts."""
    with transaction.atomic():
        voter = _voter(actor)
        phase = _vote_phase(voter)
        dot = (
            Dot.objects.filter(phase=phase, participant=voter, postit_id=postit_id)
            .order_by("-id")
            .first()
            if type(postit_id) is int
            else None
        )
        if dot is None:
            raise Refused("not_found", _("You have no dot on this post-it."))
        group_id = dot.postit.group_id
        dot.delete()
        publish_tally(actor.workshop_id, group_id)
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
    """After a dot vote starts or ends: every board shows (or reveals) its counts."""
    for group_id in [None, *workshop.groups.values_list("id", flat=True)]:
        publish_tally(workshop.pk, group_id)

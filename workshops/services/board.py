"""The board: where post-its sit, named clusters, merged duplicates, who may arrange it.

A board is the plenary's (group None) or a breakout group's. Participants arrange their own
post-its; when a facilitator opens the board to everyone, they arrange, edit and cluster
every post-it of the board they are on. Facilitators arrange every board.
"""

from django.db import transaction
from django.db.models import Max, QuerySet, Subquery, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import (
    CLUSTER_NAME_MAX_LENGTH,
    Cluster,
    Dot,
    Group,
    Participant,
    PostIt,
    Workshop,
)
from workshops.services.common import (
    clean_text,
    lock_board_for_writing,
    locked_workshop,
    participant_board,
    require_lead,
)
from workshops.services.votes import refresh_results


def lane(*, workshop_id: int, group_id: int | None, cluster_id: int | None) -> QuerySet[PostIt]:
    """The post-its of one lane, in order: a cluster's, or those not sorted yet (None)."""
    return PostIt.objects.filter(
        workshop_id=workshop_id,
        group_id=group_id,
        cluster_id=cluster_id,
        deleted_at=None,
        hidden_at=None,
        merged_into=None,
    ).order_by("position", "created_at", "id")


def after_last_of_lane(*, workshop_id: int, group_id: int | None) -> Combinable:
    """`end_of_lane` of the post-its not sorted yet, as an expression the INSERT of a new
    post-it computes itself: one statement fewer for every post-it written."""
    last = lane(workshop_id=workshop_id, group_id=group_id, cluster_id=None).order_by("-position")
    return Coalesce(Subquery(last.values("position")[:1]), Value(-1)) + 1


def end_of_lane(*, workshop_id: int, group_id: int | None, cluster_id: int | None) -> int:
    """The position after the last post-it of a lane: where a moved one goes (a new one:
    `after_last_of_lane`)."""
    last = lane(workshop_id=workshop_id, group_id=group_id, cluster_id=cluster_id).aggregate(
        last=Max("position")
    )["last"]
    return 0 if last is None else last + 1


def _clean_index(index: object) -> int | None:
    if index is None:
        return None
    if type(index) is not int or index < 0:
        raise Refused("invalid", _("A place in a lane is a whole number from 0."))
    return index


def _insert(postit: PostIt, members: list[PostIt], index: int | None) -> None:
    """Put `postit` at `index` of a lane (its end when None) and number the lane again."""
    others = [member for member in members if member.pk != postit.pk]
    index = len(others) if index is None else min(index, len(others))
    ordered = [*others[:index], postit, *others[index:]]
    for position, member in enumerate(ordered):
        member.position = position
    PostIt.objects.bulk_update(ordered, ["position"])


class BoardAccess:
    """Who is arranging a board, checked once per command under the workshop's lock."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        # Facilitators' role is checked again under the workshop's lock; participants'
        # moves need no lock on the workshop, so groups do not wait for each other.
        self.workshop = (
            locked_workshop(actor) if actor.leads else Workshop.objects.get(pk=actor.workshop_id)
        )
        if self.workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        self.participant = None
        self.locked_boards: set[int | None] = set()
        if actor.role == Role.PARTICIPANT:
            self.participant = (
                Participant.objects.select_related("workshop")
                .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
                .first()
            )
            if self.participant is None:
                raise Refused("unauthenticated", _("Please join the workshop again."))
        elif not actor.leads:
            raise Refused("forbidden", _("Only the workshop's facilitators can do this."))

    @property
    def leads(self) -> bool:
        """A facilitator (no participant row): they arrange every board."""
        return self.participant is None

    def lock_board(self, group_id: int | None) -> None:
        """One writer at a time per board, locked before any of its post-its or clusters:
        two people reordering one lane would otherwise lock its rows in opposite orders
        (a deadlock). The plenary's lock is the workshop's row; a group's, its row."""
        if group_id in self.locked_boards:
            return
        lock_board_for_writing(self.workshop.pk, group_id)
        self.locked_boards.add(group_id)

    def require_board(self, group_id: int | None) -> None:
        """Facilitators reach every board of the workshop; participants only their own."""
        if self.leads:
            if (
                group_id is not None
                and not Group.objects.filter(pk=group_id, workshop=self.workshop).exists()
            ):
                raise Refused("not_found", _("This group does not exist."))
        elif group_id != participant_board(self.participant):
            raise Refused("forbidden", _("You can only arrange the board you are on."))

    def require_clustering(self) -> None:
        if not (self.leads or self.workshop.board_open):
            raise Refused(
                "forbidden", _("Only the facilitators make clusters, unless they open the board.")
            )

    def postit(self, postit_id: object) -> PostIt:
        """A post-it on a board this actor may arrange, locked after its board."""
        on_a_board = PostIt.objects.filter(
            workshop=self.workshop, deleted_at=None, hidden_at=None, merged_into=None
        )
        found = on_a_board.filter(pk=postit_id).first() if type(postit_id) is int else None
        if found is None:
            raise Refused("not_found", _("This post-it does not exist."))
        self.require_board(found.group_id)
        self.lock_board(found.group_id)
        # Read again under the locks: it may have been hidden or merged meanwhile.
        postit = on_a_board.select_for_update(of=("self",)).filter(pk=found.pk).first()
        if postit is None:
            raise Refused("not_found", _("This post-it does not exist."))
        return postit

    def require_mover(self, postit: PostIt) -> None:
        if self.leads or self.workshop.board_open:
            return
        if postit.author_id != self.participant.pk:
            raise Refused(
                "forbidden",
                _("You can only move your own post-its, unless the facilitators open the board."),
            )

    def cluster(self, cluster_id: object) -> Cluster:
        """A cluster of a board this actor may arrange, locked after its board."""
        clusters = Cluster.objects.filter(workshop=self.workshop)
        found = clusters.filter(pk=cluster_id).first() if type(cluster_id) is int else None
        if found is None:
            raise Refused("not_found", _("This cluster does not exist."))
        self.require_board(found.group_id)
        self.lock_board(found.group_id)
        cluster = clusters.select_for_update().filter(pk=found.pk).first()
        if cluster is None:
            raise Refused("not_found", _("This cluster does not exist."))
        return cluster


def _clean_cluster_name(name: object) -> str:
    return clean_text(name, field=_("The cluster's name"), max_length=CLUSTER_NAME_MAX_LENGTH)


def _emit_board(actor: Actor, group_id: int | None, name: str, data: dict) -> None:
    emit(workshop_id=actor.workshop_id, stream=streams.board_stream(group_id), name=name, data=data)
    refresh_results(actor.workshop_id, group_id)  # rankings per cluster and per post-it


def postit_move(
    *, actor: Actor, postit_id: int, cluster_id: int | None = None, index: int | None = None
) -> PostIt:
    """Put a post-it at `index` of a lane of its board (a cluster's, or None: not sorted
    yet), at its end when no index is given: one command, whatever the lanes."""
    index = _clean_index(index)
    with transaction.atomic():
        access = BoardAccess(actor)
        postit = access.postit(postit_id)
        access.require_mover(postit)
        source = postit.cluster_id
        if cluster_id != source:
            access.require_clustering()
        if cluster_id is not None and access.cluster(cluster_id).group_id != postit.group_id:
            raise Refused("invalid", _("This cluster is on another board."))
        postit.cluster_id = cluster_id
        postit.save(update_fields=["cluster", "updated_at"])
        members = list(
            lane(
                workshop_id=actor.workshop_id, group_id=postit.group_id, cluster_id=cluster_id
            ).select_for_update(of=("self",))
        )
        _insert(postit, members, index)
        _emit_board(
            actor,
            postit.group_id,
            "postit.moved",
            {"postit": postit.pk, "group": postit.group_id, "cluster": cluster_id, "from": source},
        )
    return postit


def cluster_create(
    *,
    actor: Actor,
    name: str,
    group_id: int | None = None,
    postit_ids: list[int] | None = None,
) -> Cluster:
    """A named cluster at the end of a board, with the post-its put in it at once (a
    suggestion taken, or a post-it dropped on "new cluster")."""
    name = _clean_cluster_name(name)
    if postit_ids is not None and (
        not isinstance(postit_ids, list) or not all(type(pk) is int for pk in postit_ids)
    ):
        raise Refused("invalid", _("The post-its of a cluster are a list of ids."))
    with transaction.atomic():
        access = BoardAccess(actor)
        access.require_clustering()
        if access.participant is not None:
            group_id = participant_board(access.participant)
        access.require_board(group_id)
        access.lock_board(group_id)
        members = [access.postit(pk) for pk in sorted(set(postit_ids or []))]
        if any(member.group_id != group_id for member in members):
            raise Refused("invalid", _("These post-its are on another board."))
        clusters = Cluster.objects.filter(workshop_id=actor.workshop_id, group_id=group_id)
        last = clusters.aggregate(last=Max("position"))["last"]
        cluster = Cluster.objects.create(
            workshop_id=actor.workshop_id,
            group_id=group_id,
            name=name,
            position=0 if last is None else last + 1,
        )
        order = {pk: rank for rank, pk in enumerate(postit_ids or [])}
        members.sort(key=lambda member: order[member.pk])
        for position, member in enumerate(members):
            member.cluster, member.position = cluster, position
        PostIt.objects.bulk_update(members, ["cluster", "position"])
        _emit_board(actor, group_id, "cluster.created", {"cluster": cluster.pk, "group": group_id})
    return cluster


def cluster_rename(*, actor: Actor, cluster_id: int, name: str) -> Cluster:
    name = _clean_cluster_name(name)
    with transaction.atomic():
        access = BoardAccess(actor)
        access.require_clustering()
        cluster = access.cluster(cluster_id)
        cluster.name = name
        cluster.save(update_fields=["name"])
        data = {"cluster": cluster.pk, "group": cluster.group_id}
        _emit_board(actor, cluster.group_id, "cluster.renamed", data)
    return cluster


def cluster_dissolve(*, actor: Actor, cluster_id: int) -> None:
    """The cluster goes; its post-its stay, at the end of the lane not sorted yet."""
    with transaction.atomic():
        access = BoardAccess(actor)
        access.require_clustering()
        cluster = access.cluster(cluster_id)
        group_id = cluster.group_id
        start = end_of_lane(workshop_id=actor.workshop_id, group_id=group_id, cluster_id=None)
        members = list(cluster.postits.select_for_update().order_by("position", "created_at"))
        for offset, member in enumerate(members):
            member.cluster, member.position = None, start + offset
        PostIt.objects.bulk_update(members, ["cluster", "position"])
        data = {"cluster": cluster.pk, "group": group_id}
        cluster.delete()
        _emit_board(actor, group_id, "cluster.dissolved", data)


def postit_merge(*, actor: Actor, postit_id: int, into_id: int) -> PostIt:
    """A facilitator merges a duplicate into another post-it of the same board.

    The duplicate leaves the board; its text shows on the one it was merged into, and its
    dots move there, so the merged post-it counts both texts' votes.
    """
    require_lead(actor)
    if postit_id == into_id:
        raise Refused("invalid", _("A post-it cannot be merged into itself."))
    with transaction.atomic():
        access = BoardAccess(actor)
        # Locked in id order, so two merges of the same pair cannot deadlock.
        first, second = sorted([postit_id, into_id], key=lambda pk: (type(pk) is not int, pk))
        locked = {pk: access.postit(pk) for pk in (first, second)}
        duplicate, target = locked[postit_id], locked[into_id]
        if duplicate.group_id != target.group_id:
            raise Refused("invalid", _("Only post-its of the same board can be merged."))
        duplicate.merged_into = target
        duplicate.save(update_fields=["merged_into", "updated_at"])
        # Post-its merged earlier into the duplicate follow it, with their dots.
        PostIt.objects.filter(merged_into=duplicate).update(merged_into=target)
        Dot.objects.filter(postit=duplicate).update(postit=target)
        _emit_board(
            actor,
            target.group_id,
            "postit.merged",
            {"postit": duplicate.pk, "into": target.pk, "group": target.group_id},
        )
    return target


def board_open(*, actor: Actor, open: bool) -> Workshop:
    """A facilitator lets participants arrange every post-it of their board, or stops it."""
    require_lead(actor)
    if type(open) is not bool:
        raise Refused("invalid", _("Say whether the boards are open."))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.board_open != open:
            workshop.board_open = open
            workshop.save(update_fields=["board_open"])
            emit(
                workshop_id=workshop.pk,
                stream=streams.WORKSHOP,
                name="board.configured",
                data={"open": open, "anonymous": workshop.anonymous},
            )
    return workshop

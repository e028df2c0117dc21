"""Post-its on the plenary board and the groups' boards."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from live import streams
from live.broadcast import emit
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    POSTIT_MAX_LENGTH,
    Group,
    Participant,
    PostIt,
    Workshop,
)
from workshops.services.board import after_last_of_lane
from workshops.services.common import (
    clean_text,
    lock_board_for_writing,
    locked_workshop,
    participant_board,
    require_lead,
)
from workshops.services.votes import refresh_results


def postit_create(
    *,
    actor: Actor,
    text: str,
    color: str = PostIt.Color.YELLOW,
    signature: str = "",
    table: int | None = None,
) -> PostIt:
    """A participant writes a post-it on the board of the group they are in (or the plenary).

    At a table's tablet, `signature` is the optional first name of whoever typed it. A
    scribe types a paper post-it on behalf of `table`: it goes where that table writes.
    The post-it returned holds what its fragment shows (its author and workshop only in
    part, its position not read back): other fields cost a query each.
    """
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only participants can write post-its here."))
    text = clean_text(text, field=pgettext("field name", "Post-it"), max_length=POSTIT_MAX_LENGTH)
    if not isinstance(signature, str):
        raise Refused("invalid", _("A first name is text."))
    signature = (
        clean_text(signature, field=_("First name"), max_length=DISPLAY_NAME_MAX_LENGTH)
        if signature.strip()
        else ""
    )
    if color not in PostIt.Color.values:
        raise Refused("invalid", _("Unknown color."))
    with transaction.atomic():
        author, on_behalf_of, group_id = _writer_on_locked_board(actor, table)
        if signature and author.kind != Participant.Kind.TABLET:
            raise Refused("invalid", _("Only a table tablet signs with a first name."))
        postit = PostIt.objects.create(
            workshop=author.workshop,
            group_id=group_id,
            position=after_last_of_lane(workshop_id=actor.workshop_id, group_id=group_id),
            author=author,
            on_behalf_of=on_behalf_of,
            signature=signature,
            text=text,
            color=color,
        )
        del postit.position  # the expression's value is in the database: read it if asked
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.board_stream(postit.group_id),
            name="postit.created",
            data={"postit": postit.pk, "author": author.pk, "group": group_id},
            shown=postit,  # with its author, table and workshop: what its fragment shows
        )
    return postit


# What deciding where a participant writes reads of them (`_board_of`, `_scribed_table`),
# and what their new post-it's fragment shows of them (workshops/partials/postit_origin.html).
WRITER_FIELDS = (
    *("kind", "group_id", "workshop_id", "display_name", "location"),
    *("workshop__status", "workshop__in_breakouts", "workshop__anonymous"),
)


def _writer(actor: Actor, *, lock: bool) -> Participant:
    found = (
        Participant.objects.select_related("workshop")
        .only(*WRITER_FIELDS)
        .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
    )
    author = (found.select_for_update(of=("self",)) if lock else found).first()
    if author is None:
        raise Refused("unauthenticated", _("Please join the workshop again."))
    if author.workshop.status == Workshop.Status.CLOSED:
        raise Refused("closed", _("This workshop is closed."))
    return author


def _board_of(author: Participant, table: object) -> tuple[Group | None, int | None]:
    """In breakouts, people write on their group's board (a scribe on the table's);
    otherwise everyone on the plenary's."""
    on_behalf_of = _scribed_table(author, table)
    writer_group_id = on_behalf_of.pk if on_behalf_of else author.group_id
    return on_behalf_of, writer_group_id if author.workshop.in_breakouts else None


def _writer_on_locked_board(
    actor: Actor, table: object
) -> tuple[Participant, Group | None, int | None]:
    """The author, locked, and the board they write on, locked first (lock order:
    common.share_lock), so that two post-its never take the same place in a lane. Which
    board is read before locking it; moving people or opening breakouts takes the
    workshop's row, so under the board's lock the answer holds — but it is checked."""
    for _attempt in range(3):
        _on_behalf_of, group_id = _board_of(_writer(actor, lock=False), table)
        lock_board_for_writing(actor.workshop_id, group_id)
        author = _writer(actor, lock=True)
        on_behalf_of, locked_group_id = _board_of(author, table)
        if locked_group_id == group_id:
            return author, on_behalf_of, group_id
    raise Refused("try_again", _("You were moved meanwhile: please send it again."))


def _scribed_table(author: Participant, table: object) -> Group | None:
    """The table a scribe types for: required from a scribe, refused from anyone else."""
    if author.kind != Participant.Kind.SCRIBE:
        if table is not None:
            raise Refused("forbidden", _("Only a scribe writes on behalf of a table."))
        return None
    group = (
        Group.objects.filter(pk=table, workshop_id=author.workshop_id).first()
        if type(table) is int
        else None
    )
    if group is None:
        raise Refused("invalid", _("Choose the table this post-it comes from."))
    return group


def _own_postit(actor: Actor, postit_id: object, *, open_board: bool = False) -> PostIt:
    """A post-it this participant may change: theirs, in this workshop, not deleted, the
    workshop open. With `open_board`, another's post-it on their board, when the
    facilitators opened the boards to everyone."""
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only the author of a post-it can change it."))
    postit = (
        PostIt.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .filter(pk=postit_id, workshop_id=actor.workshop_id, deleted_at=None, merged_into=None)
        .first()
        if type(postit_id) is int
        else None
    )
    if postit is None:
        raise Refused("not_found", _("This post-it does not exist."))
    if postit.author_id != actor.participant_id and not (
        open_board and postit.workshop.board_open and _on_board_of(actor, postit)
    ):
        raise Refused("forbidden", _("Only the author of a post-it can change it."))
    if postit.workshop.status == Workshop.Status.CLOSED:
        raise Refused("closed", _("This workshop is closed."))
    return postit


def _on_board_of(actor: Actor, postit: PostIt) -> bool:
    participant = Participant.objects.select_related("workshop").get(pk=actor.participant_id)
    return postit.hidden_at is None and postit.group_id == participant_board(participant)


def postit_update(*, actor: Actor, postit_id: int, text: str, color: str | None = None) -> PostIt:
    """The author rewrites their post-it (and may change its color); on a board open to
    everyone, anyone on that board may."""
    text = clean_text(text, field=pgettext("field name", "Post-it"), max_length=POSTIT_MAX_LENGTH)
    if color is not None and color not in PostIt.Color.values:
        raise Refused("invalid", _("Unknown color."))
    with transaction.atomic():
        postit = _own_postit(actor, postit_id, open_board=True)
        postit.text = text
        postit.color = color or postit.color
        postit.save(update_fields=["text", "color", "updated_at"])
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.board_stream(postit.group_id),
            name="postit.updated",
            data={"postit": postit.pk, "author": postit.author_id, "group": postit.group_id},
        )
        refresh_results(actor.workshop_id, postit.group_id)
    return postit


def postit_delete(*, actor: Actor, postit_id: int) -> None:
    """The author takes their post-it off the board; the record keeps it. One that other
    post-its were merged into stays: their texts and dots live on it."""
    with transaction.atomic():
        postit = _own_postit(actor, postit_id)
        if postit.merged.exists():
            raise Refused(
                "merged_target",
                _("Other post-its were merged into this one: it stays on the board."),
            )
        postit.deleted_at = timezone.now()
        postit.save(update_fields=["deleted_at", "updated_at"])
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.board_stream(postit.group_id),
            name="postit.deleted",
            data={"postit": postit.pk, "group": postit.group_id},
        )
        refresh_results(actor.workshop_id, postit.group_id)


def _moderated_postit(actor: Actor, postit_id: object) -> PostIt:
    require_lead(actor)
    locked_workshop(actor)  # checks the facilitator still leads this workshop
    postit = (
        PostIt.objects.select_for_update(of=("self",))
        .filter(pk=postit_id, workshop_id=actor.workshop_id, deleted_at=None, merged_into=None)
        .first()
        if type(postit_id) is int
        else None
    )
    if postit is None:
        raise Refused("not_found", _("This post-it does not exist."))
    return postit


def _moderation_events(actor: Actor, postit: PostIt, name: str) -> None:
    refresh_results(actor.workshop_id, postit.group_id)  # a hidden text leaves the rankings
    emit(
        workshop_id=actor.workshop_id,
        stream=streams.board_stream(postit.group_id),
        name=name,
        data={"postit": postit.pk, "group": postit.group_id},
    )
    # The console's list of hidden post-its, for facilitators only.
    emit(
        workshop_id=actor.workshop_id,
        stream=streams.FACILITATORS,
        name="moderation.changed",
        data={"postit": postit.pk},
    )


def postit_hide(*, actor: Actor, postit_id: int) -> PostIt:
    """A facilitator hides a post-it: it leaves every board; who hid it is kept."""
    with transaction.atomic():
        postit = _moderated_postit(actor, postit_id)
        if postit.hidden_at is None:
            postit.hidden_at = timezone.now()
            postit.hidden_by_id = actor.user_id
            postit.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
            _moderation_events(actor, postit, "postit.hidden")
    return postit


def postit_restore(*, actor: Actor, postit_id: int) -> PostIt:
    """A facilitator puts a hidden post-it back where it was."""
    with transaction.atomic():
        postit = _moderated_postit(actor, postit_id)
        if postit.hidden_at is not None:
            postit.hidden_at = None
            postit.hidden_by = None
            postit.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
            _moderation_events(actor, postit, "postit.restored")
    return postit

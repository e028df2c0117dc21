"""Post-its on the plenary board and the groups' boards."""

from django.db import transaction
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    POSTIT_MAX_LENGTH,
    Participant,
    PostIt,
    Workshop,
)
from workshops.services.common import clean_text


def postit_create(
    *, actor: Actor, text: str, color: str = PostIt.Color.YELLOW, signature: str = ""
) -> PostIt:
    """A participant writes a post-it on the board of the group they are in (or the plenary).

    At a table's tablet, `signature` is the optional first name of whoever typed it.
    """
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only participants can write post-its here."))
    text = clean_text(text, field=_("Post-it"), max_length=POSTIT_MAX_LENGTH)
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
        # Locking the author waits for a move of this person to finish, so the post-it
        # lands on the board they are on.
        author = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("workshop")
            .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
            .first()
        )
        if author is None:
            raise Refused("unauthenticated", _("Please join the workshop again."))
        if author.workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        if signature and author.kind != Participant.Kind.TABLET:
            raise Refused("invalid", _("Only a table tablet signs with a first name."))
        # In breakouts, people write on their group's board; otherwise on the plenary's.
        group_id = author.group_id if author.workshop.in_breakouts else None
        postit = PostIt.objects.create(
            workshop_id=actor.workshop_id,
            group_id=group_id,
            author=author,
            signature=signature,
            text=text,
            color=color,
        )
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.group_stream(group_id) if group_id else streams.WORKSHOP,
            name="postit.created",
            data={"postit": postit.pk, "author": author.pk, "group": group_id},
        )
    return postit

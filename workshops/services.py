"""Commands of the workshop domain: validate, lock, write and append the event in one transaction.

Views, consumers, the admin and management commands call these; they hold no rules of their own.
"""

import secrets
import unicodedata

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from live.models import Stream
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    POSTIT_MAX_LENGTH,
    Participant,
    PostIt,
    Workshop,
)


def clean_text(value: object, *, field: str, max_length: int) -> str:
    """Trimmed text without control characters, or a refusal naming the field."""
    if not isinstance(value, str):
        raise Refused("invalid", _("%(field)s must be text.") % {"field": field})
    text = "".join(
        char
        for char in value.strip()
        if char in "\n\t" or not unicodedata.category(char).startswith("C")
    )
    if not text.strip():
        raise Refused("empty", _("%(field)s cannot be empty.") % {"field": field})
    if len(text) > max_length:
        raise Refused(
            "too_long",
            _("%(field)s is limited to %(max)d characters (%(length)d given).")
            % {"field": field, "max": max_length, "length": len(text)},
        )
    return text


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _i in range(JOIN_CODE_LENGTH))


def workshop_create(
    *,
    organizer,
    title: str,
    purpose: str = "",
    place: str = "",
    language: str = "fr",
    join_code: str | None = None,
) -> Workshop:
    """Create an open workshop with a fresh join code and its event streams."""
    title = clean_text(title, field=_("Title"), max_length=200)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    organizer=organizer,
                    title=title,
                    purpose=purpose.strip(),
                    place=place.strip(),
                    language=language,
                    join_code=join_code or new_join_code(),
                    projector_token=secrets.token_urlsafe(18),
                )
                Stream.objects.bulk_create(
                    Stream(workshop=workshop, key=key)
                    for key in (streams.WORKSHOP, streams.FACILITATORS)
                )
                return workshop
        except IntegrityError:
            if join_code:
                raise Refused("code_taken", _("This join code is already in use.")) from None
    raise Refused("code_exhausted", _("No free join code was found; please try again."))


def participant_join(*, workshop: Workshop, display_name: str, location: str) -> Participant:
    """A guest joins with a display name and where they are; no account is created."""
    name = clean_text(display_name, field=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    if location not in Participant.Location.values:
        raise Refused("invalid", _("Say whether you are in the room or remote."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        participant = Participant.objects.create(
            workshop=workshop, display_name=name, location=location
        )
        emit(
            workshop_id=workshop.pk,
            stream=streams.FACILITATORS,
            name="participant.joined",
            data={"participant": participant.pk, "location": location, "group": None},
        )
    return participant


def postit_create(*, actor: Actor, text: str, color: str = PostIt.Color.YELLOW) -> PostIt:
    """A participant writes a post-it on the board of the group they are in (or the plenary)."""
    if actor.role != Role.PARTICIPANT:
        raise Refused("forbidden", _("Only participants can write post-its here."))
    text = clean_text(text, field=_("Post-it"), max_length=POSTIT_MAX_LENGTH)
    if color not in PostIt.Color.values:
        raise Refused("invalid", _("Unknown color."))
    with transaction.atomic():
        author = (
            Participant.objects.select_related("workshop")
            .filter(pk=actor.participant_id, workshop_id=actor.workshop_id)
            .first()
        )
        if author is None:
            raise Refused("unauthenticated", _("Please join the workshop again."))
        if author.workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        postit = PostIt.objects.create(
            workshop_id=actor.workshop_id,
            group_id=author.group_id,
            author=author,
            text=text,
            color=color,
        )
        emit(
            workshop_id=actor.workshop_id,
            stream=streams.group_stream(author.group_id) if author.group_id else streams.WORKSHOP,
            name="postit.created",
            data={"postit": postit.pk, "author": author.pk, "group": author.group_id},
        )
    return postit

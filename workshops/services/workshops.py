"""Creating workshops and joining them."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from live.models import Stream
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Participant,
    Workshop,
)
from workshops.services.common import clean_text


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
